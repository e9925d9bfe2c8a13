package space

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

// Batch 下达整改 and the printable 整改通知书 (issue 14 items 5 and 10).

// RectifyBatchInput is the body of POST /api/v1/space/rectifications/batch: several open findings turned into
// tasks at once, with one 整改要求 and one deadline (each finding's usual requirement when none is given).
type RectifyBatchInput struct {
	ViolationIDs []int64 `json:"violation_ids" doc:"违规记录（至多 200 项）"`
	Deadline     string  `json:"deadline,omitempty" doc:"整改期限，默认 20 个工作日后"`
	Requirement  string  `json:"requirement,omitempty" doc:"整改要求；省略时按违规类型的通常要求"`
}

// RectifyBatchResult lists the tasks a batch created.
type RectifyBatchResult struct {
	Items []Rectification `json:"items"`
	Total int             `json:"total"`
}

// CreateRectifications issues one task per finding in one transaction: all or none. A finding that is gone, out of
// scope or already under rectification refuses the whole batch, naming it.
func (s *Service) CreateRectifications(ctx context.Context, sc auth.Scope, in RectifyBatchInput) (RectifyBatchResult, error) {
	var out RectifyBatchResult
	if err := needManage(ctx, "下达整改任务"); err != nil {
		return out, err
	}
	list := ids(in.ViolationIDs...)
	switch {
	case len(list) == 0:
		return out, errs.Invalid("violation_ids", "请选择要下达整改的违规情形")
	case len(list) > 200:
		return out, errs.Invalid("violation_ids", "一次最多下达 200 项")
	}
	err := s.DB.Tx(ctx, func(q db.Q) error {
		out.Items = out.Items[:0]
		for _, id := range list {
			t, err := s.createRectification(ctx, q, sc, RectifyInput{ViolationID: id, Deadline: in.Deadline, Requirement: in.Requirement})
			if err != nil {
				if e := errs.As(err); e != nil && e.Code == errs.CodeConflict {
					v, _ := GetViolation(ctx, q, sc, id)
					return &errs.Error{Code: errs.CodeConflict, Message: strings.TrimSpace(v.OrgName+" "+v.KindName+" "+v.RoomNumber) + "：" + e.Message,
						Fields: map[string]string{"violation_ids": e.Message}}
				}
				return err
			}
			out.Items = append(out.Items, t)
		}
		return nil
	})
	out.Total = len(out.Items)
	return out, err
}

// ruleBasis quotes the rule a finding breaks, for the 整改通知书 (docs/domain/office-space.md §Management measures 2017).
func ruleBasis(kind string) string {
	return map[string]string{
		KindOverArea:         "《党政机关办公用房管理办法》第十九条：严禁超标准配备、使用办公用房；办公室面积标准见《党政机关办公用房建设标准》（发改投资〔2014〕2674号）。",
		KindMultipleOffices:  "《党政机关办公用房管理办法》：领导干部在不同单位同时任职的，在主要任职单位安排一处办公室；经严格审批可在兼职单位另安排一处小于标准面积的办公室，免去兼职后及时腾退。",
		KindStaleOccupant:    "《党政机关办公用房管理办法》第十九条：工作人员调离或退休的，应在办理手续后及时收回其办公用房。",
		KindUseChanged:       "《党政机关办公用房管理办法》第十九条：不得擅自改变办公用房使用功能。",
		KindOverApprovedArea: "《党政机关办公用房管理办法》第十九条：应在核定面积内使用办公用房；《机关事务管理条例》：超出核定面积的办公用房由机关事务管理部门收回统一调剂。",
		KindLetOrLent:        "《机关事务管理条例》、《党政机关办公用房管理办法》第十八条：办公用房不得出租、出借。",
	}[kind]
}

// noticePage is the printable 整改通知书.
type noticePage struct {
	web.Globals
	T      Rectification
	V      Violation
	Basis  string
	Issuer string // the issuing bureau
	Date   string // the date of issue, in Chinese
	No     string // the notice number
}

func cnDate(d string) string {
	if len(d) != 10 {
		return d
	}
	y, m, day := d[:4], strings.TrimLeft(d[5:7], "0"), strings.TrimLeft(d[8:], "0")
	return y + "年" + m + "月" + day + "日"
}

func (s *Service) pagesRectifyBatch() {
	u := s.UI
	u.Page("POST /space/rectifications/batch", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return errs.BadRequest("表单无法解析")
		}
		var list []int64
		for _, v := range r.PostForm["violation_id"] {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || n <= 0 {
				return s.done(w, r, errs.Invalid("violation_ids", "违规记录编号无效"), "/space/violations", "")
			}
			list = append(list, n)
		}
		back := "/space/violations"
		if ref := fstr(r, "back"); strings.HasPrefix(ref, "/space/violations") {
			back = ref
		}
		res, err := s.CreateRectifications(r.Context(), auth.ScopeFrom(r.Context()), RectifyBatchInput{ViolationIDs: list, Deadline: fstr(r, "deadline"), Requirement: fstr(r, "requirement")})
		if err != nil {
			return s.done(w, r, err, back, "")
		}
		return u.Redirect(w, r, "/space/rectifications?status=open", "已下达整改任务 "+itoa(int64(res.Total))+" 项，期限 "+res.Items[0].Deadline)
	})
	u.Page("GET /space/rectifications/{id}/notice", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		t, err := s.GetRectification(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		p := &noticePage{T: t, Basis: ruleBasis(t.Kind), Issuer: t.IssuerOrg, Date: cnDate(clock.Today(t.CreatedAt)),
			No: "整改〔" + t.CreatedAt.In(clock.Shanghai).Format("2006") + "〕" + itoa(t.ID) + "号"}
		if p.Issuer == "" {
			p.Issuer = "机关事务管理局"
		}
		p.Globals = s.g(r, "space.notice|整改通知书", web.Crumb{Label: "space.rectifications|整改任务", Path: "/space/rectifications"},
			web.Crumb{Label: t.OrgName + " · " + t.KindName, Path: path("/space/rectifications/", id)}, web.Crumb{Label: "space.notice|整改通知书"})
		if p.V, err = GetViolation(r.Context(), s.DB, auth.Everything(), t.ViolationID); err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "space/rectification_notice.html", p)
	})
}
