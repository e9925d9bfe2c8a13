package space

import (
	"net/http"

	"github.com/govops/govops/internal/platform/attach"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// The violations list (with the scan and the rectification order) and the rectification tasks.

type violationsPage struct {
	web.Globals
	F        ViolationFilter
	OrgName  string
	Items    []Violation
	Pager    web.Pager
	Kinds    enum.List
	LastScan LastScan
	Deadline string
	Today    string
	Back     string
}

type rectificationsPage struct {
	web.Globals
	F       RectifyFilter
	OrgName string
	Items   []Rectification
	Pager   web.Pager
	Status  enum.List
}

type rectificationPage struct {
	web.Globals
	T           Rectification
	V           Violation
	History     []history.Entry
	Attachments *attach.Panel
	Errors      map[string]string
}

func (s *Service) pagesCompliance() {
	u := s.UI
	u.Page("GET /space/violations", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		f, err := parseViolationFilter(r)
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		if web.WantsExport(r) {
			f.List.Page, f.List.PageSize = 1, 200000
		}
		items, total, err := s.UnitViolations(r.Context(), sc, f)
		if err != nil {
			return err
		}
		if web.WantsExport(r) {
			var out [][]any
			for _, v := range items {
				out = append(out, []any{v.KindName, v.OrgName, v.BuildingName, v.RoomNumber, v.PersonName, v.ActualM2, v.AllowedM2, v.Detail,
					web.FormatTime(v.FirstSeen.Unix()), v.TaskStatusName(), v.TaskDeadline})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "办公用房违规清单", []string{"违规类型", "单位", "楼栋", "房间", "人员", "实际面积（㎡）", "标准/核定面积（㎡）",
				"情况", "发现时间", "整改状态", "整改期限"}, out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0)})
		}
		p := &violationsPage{Globals: s.g(r, "space.violations|合规检查", web.Crumb{Label: "space.violations|合规检查"}), F: f, Items: items,
			Pager: web.NewPager(f.List, total), Kinds: Kinds, OrgName: orgLabel(r, s, f.OrgID),
			Deadline: s.days().AddWorkdays(s.Clock.Now().In(clock.Shanghai), 20).Format("2006-01-02"), Today: s.today(), Back: r.URL.RequestURI()}
		if p.LastScan, err = GetLastScan(r.Context(), s.DB); err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "space/violations.html", p)
	})
	u.Page("POST /space/scan", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		res, err := s.Scan(r.Context(), "manual")
		if err != nil {
			return err
		}
		return u.Redirect(w, r, "/space/violations", "检查完成：房间 "+itoa(int64(res.Rooms))+" 间，现有违规 "+itoa(int64(res.OpenViolations))+" 项，用时 "+itoa(res.Millis)+" 毫秒")
	})

	u.Page("GET /space/rectifications", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		orgID, name, err := s.orgParam(r)
		if err != nil {
			return err
		}
		overdue, err := queryBool(r, "overdue")
		if err != nil {
			return err
		}
		f := RectifyFilter{List: l, OrgID: orgID, Status: r.URL.Query().Get("status"), Overdue: overdue}
		if web.WantsExport(r) {
			f.List.Page, f.List.PageSize = 1, 200000
		}
		items, total, err := s.ListRectifications(r.Context(), s.DB, auth.ScopeFrom(r.Context()), f)
		if err != nil {
			return err
		}
		if web.WantsExport(r) {
			var out [][]any
			for _, t := range items {
				out = append(out, []any{t.ID, t.OrgName, t.KindName, t.RoomNumber, t.PersonName, t.Detail, t.Requirement, t.Deadline, t.StatusName(), t.Escalation, t.Report, t.ReviewNote, t.IssuerName})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "办公用房整改任务", []string{"编号", "单位", "违规类型", "房间", "人员", "情况", "整改要求", "期限", "状态", "督办次数", "整改情况", "核验意见", "下达人"}, out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0)})
		}
		p := &rectificationsPage{Globals: s.g(r, "space.rectifications|整改任务", web.Crumb{Label: "space.rectifications|整改任务"}), F: f, OrgName: name,
			Items: items, Pager: web.NewPager(f.List, total), Status: RectifyStatuses}
		return u.Render(w, r, http.StatusOK, "space/rectifications.html", p)
	})
	u.Page("POST /space/rectifications", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		f := errs.Fields{}
		in := RectifyInput{ViolationID: web.FormInt(r, "violation_id", f), Deadline: fstr(r, "deadline"), Requirement: fstr(r, "requirement")}
		if err := f.Err(); err != nil {
			return s.done(w, r, err, "/space/violations", "")
		}
		t, err := s.CreateRectification(r.Context(), auth.ScopeFrom(r.Context()), in)
		if err != nil {
			return s.done(w, r, err, "/space/violations", "")
		}
		return u.Redirect(w, r, path("/space/rectifications/", t.ID), "已下达整改任务，期限 "+t.Deadline)
	})
	u.Page("GET /space/rectifications/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		return s.renderRectification(w, r, http.StatusOK, nil)
	})
	for _, a := range []struct{ verb, perm, ok string }{
		{"submit", PermRegister, "已报送整改情况"}, {"return", PermManage, "已退回整改"}, {"verify", PermManage, "已核验销号"}, {"cancel", PermManage, "已撤销整改任务"},
	} {
		a := a
		u.Page("POST /space/rectifications/{id}/"+a.verb, a.perm, func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			in := RectifyAction{Report: fstr(r, "report"), Note: fstr(r, "note"), Deadline: fstr(r, "deadline")}
			_, err = s.ActRectification(r.Context(), auth.ScopeFrom(r.Context()), id, a.verb, in)
			if e := errs.As(err); e != nil && e.Code == errs.CodeValidation {
				return s.renderRectification(w, r, http.StatusUnprocessableEntity, e.Fields)
			}
			return s.done(w, r, err, path("/space/rectifications/", id), a.ok)
		})
	}
}

func (s *Service) renderRectification(w http.ResponseWriter, r *http.Request, status int, fields map[string]string) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	sc := auth.ScopeFrom(r.Context())
	t, err := s.GetRectification(r.Context(), s.DB, sc, id)
	if err != nil {
		return err
	}
	p := &rectificationPage{Globals: s.g(r, "space.rectification|整改任务", web.Crumb{Label: "space.rectifications|整改任务", Path: "/space/rectifications"},
		web.Crumb{Label: t.OrgName + " · " + t.KindName}), T: t, Errors: fields}
	if p.V, err = GetViolation(r.Context(), s.DB, auth.Everything(), t.ViolationID); err != nil {
		return err
	}
	if p.History, err = s.hist(r, objRectify, id); err != nil {
		return err
	}
	p.Attachments = s.panel(r, objRectify, id)
	return s.UI.Render(w, r, status, "space/rectification.html", p)
}
