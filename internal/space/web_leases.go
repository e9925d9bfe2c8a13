package space

import (
	"net/http"
	"strconv"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

// The API and pages of leases (出租出借) with their clean-up list, and of the room-mix report (issue 11 items 3–4;
// docs/api.md §Office space).

func (s *Service) registerAPILeases() {
	u := s.UI
	sc := func(r *http.Request) auth.Scope { return auth.ScopeFrom(r.Context()) }
	module.List(s.Deps, "GET /api/v1/space/leases", PermRead, web.Doc{Summary: "出租出借记录（按数据范围）", Query: []web.Param{
		{Name: "org_id", Type: "integer", Help: "单位（含下级）"}, {Name: "status", Help: "active 未收回 · recovered 已收回"}}}, parseLeaseFilter, ListLeases)
	module.Create(s.Deps, "POST /api/v1/space/leases", PermManage, web.Doc{Summary: "登记出租出借（房间须在用，登记后房间标为出租或出借）"}, s.CreateLease)
	module.Get(s.Deps, "GET /api/v1/space/leases/{id}", PermRead, web.Doc{Summary: "出租出借记录详情"}, GetLease)
	module.Update(s.Deps, "PATCH /api/v1/space/leases/{id}", PermManage, web.Doc{Summary: "修改未收回的出租出借记录（承租方、期限、面积、租金、已上缴收入）"}, s.UpdateLease)
	module.Action(s.Deps, "POST /api/v1/space/leases/{id}/recover", PermManage, web.Doc{Summary: "收回（记录收回日期，房间恢复在用，违规消除）"}, s.RecoverLease)
	u.API("GET /api/v1/space/leases/cleanup", PermRead, web.Doc{Summary: "出租出借清理任务：待收回、到期未收回、租金未上缴、未登记的出租出借房间", Response: CleanupTask{}, List: true,
		Query: []web.Param{{Name: "org_id", Type: "integer", Help: "单位（含下级）"}}}, func(w http.ResponseWriter, r *http.Request) error {
		orgID, err := web.QueryInt(r, "org_id")
		if err != nil {
			return err
		}
		if orgID != 0 {
			if err := checkOrg(r.Context(), s.DB, sc(r), orgID, "org_id"); err != nil {
				return err
			}
		}
		items, err := Cleanup(r.Context(), s.DB, sc(r), orgID, s.today())
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
	})
	s.historyAPI("/api/v1/space/leases/{id}", objLease, "出租出借记录", func(r *http.Request, n int64) error {
		_, err := GetLease(r.Context(), s.DB, sc(r), n)
		return err
	})
	u.API("GET /api/v1/space/mix", PermRead, web.Doc{Summary: "用房结构核查：各单位、楼栋的设备用房比例、服务用房人均和按公式计算的核定面积", Response: MixReport{},
		Query: []web.Param{{Name: "org_id", Type: "integer", Help: "单位（含下级）"}}}, func(w http.ResponseWriter, r *http.Request) error {
		orgID, err := web.QueryInt(r, "org_id")
		if err != nil {
			return err
		}
		rep, err := s.UnitMix(r.Context(), s.DB, sc(r), orgID)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, rep)
	})
	module.Get(s.Deps, "GET /api/v1/buildings/{id}/mix", PermRead, web.Doc{Summary: "楼栋用房结构：设备用房比例、按公式计算的建筑面积（K 按层数）"}, s.BuildingMix)
}

func parseLeaseFilter(r *http.Request) (LeaseFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return LeaseFilter{}, err
	}
	orgID, err := web.QueryInt(r, "org_id")
	if err != nil {
		return LeaseFilter{}, err
	}
	f := LeaseFilter{List: l, OrgID: orgID, Status: r.URL.Query().Get("status")}
	if f.Status != "" && !LeaseStatuses.Has(f.Status) {
		return f, errs.Invalid("status", "状态应为 "+LeaseStatuses.Described())
	}
	return f, nil
}

type leasesPage struct {
	web.Globals
	Leases   []LeaseRecord
	Tasks    []CleanupTask
	F        LeaseFilter
	Pager    web.Pager
	Manage   bool
	Today    string
	Tab      string
	Statuses []web.Option
}

type leasePage struct {
	web.Globals
	L       LeaseRecord
	Errors  map[string]string
	Manage  bool
	Today   string
	History []history.Entry
}

type leaseFormPage struct {
	web.Globals
	Form   LeaseInput
	Room   RoomRecord
	Errors map[string]string
	Kinds  []web.Option
}

type mixPage struct {
	web.Globals
	Rep     MixReport
	OrgID   int64
	OrgName string
}

func (s *Service) pagesLeases() {
	u := s.UI
	u.Page("GET /space/leases", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		f, err := parseLeaseFilter(r)
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		p := &leasesPage{Globals: s.g(r, "space.leases|出租出借", web.Crumb{Label: "space.leases|出租出借"}), F: f, Manage: canManage(r.Context()), Today: s.today(),
			Tab: r.URL.Query().Get("tab"), Statuses: LeaseStatuses.Options()}
		if p.Tab == "cleanup" {
			if p.Tasks, err = Cleanup(r.Context(), s.DB, sc, f.OrgID, p.Today); err != nil {
				return err
			}
		} else {
			p.Tab = "leases"
			var total int64
			if p.Leases, total, err = ListLeases(r.Context(), s.DB, sc, f); err != nil {
				return err
			}
			p.Pager = web.NewPager(f.List, total)
		}
		return u.Render(w, r, http.StatusOK, "space/leases.html", p)
	})
	u.Page("GET /space/leases/new", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		in := LeaseInput{Kind: RoomLet, StartsOn: s.today()}
		in.RoomID, _ = strconv.ParseInt(r.URL.Query().Get("room_id"), 10, 64)
		return s.renderLeaseForm(w, r, http.StatusOK, in, nil)
	})
	u.Page("POST /space/leases", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		in, f := leaseForm(r)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderLeaseForm(w, r, status, in, fields)
		}, func() (string, string, error) {
			l, err := s.CreateLease(r.Context(), auth.ScopeFrom(r.Context()), in)
			return path("/space/leases/", l.ID), "已登记", err
		})
	})
	u.Page("GET /space/leases/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		return s.renderLease(w, r, http.StatusOK, nil)
	})
	u.Page("POST /space/leases/{id}", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		x, err := GetLease(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		in, f := leaseForm(r)
		in.Kind = x.Kind
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderLease(w, r, status, fields)
		}, func() (string, string, error) {
			_, err := s.UpdateLease(r.Context(), auth.ScopeFrom(r.Context()), id, in)
			return path("/space/leases/", id), "已保存", err
		})
	})
	u.Page("POST /space/leases/{id}/recover", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		_, err = s.RecoverLease(r.Context(), auth.ScopeFrom(r.Context()), id, RecoverInput{RecoveredOn: fstr(r, "recovered_on"), Note: fstr(r, "note")})
		if e := errs.As(err); e != nil && e.Code == errs.CodeValidation {
			return s.renderLease(w, r, http.StatusUnprocessableEntity, e.Fields)
		}
		return s.done(w, r, err, path("/space/leases/", id), "已收回")
	})
	u.Page("GET /space/mix", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		orgID, err := web.QueryInt(r, "org_id")
		if err != nil {
			return err
		}
		p := &mixPage{Globals: s.g(r, "space.mix|用房结构核查", web.Crumb{Label: "space.mix|用房结构核查"}), OrgID: orgID, OrgName: orgLabel(r, s, orgID)}
		if p.Rep, err = s.UnitMix(r.Context(), s.DB, auth.ScopeFrom(r.Context()), orgID); err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "space/mix.html", p)
	})
}

func leaseForm(r *http.Request) (LeaseInput, errs.Fields) {
	f := errs.Fields{}
	in := LeaseInput{Kind: fstr(r, "kind"), Lessee: fstr(r, "lessee"), StartsOn: fstr(r, "starts_on"), EndsOn: fstr(r, "ends_on"), Note: fstr(r, "note")}
	in.RoomID = web.FormInt(r, "room_id", f)
	in.AreaM2 = web.FormFloat(r, "area_m2", f)
	in.RentYuan = web.FormFloat(r, "rent_yuan", f)
	in.HandedYuan = web.FormFloat(r, "handed_yuan", f)
	return in, f
}

func (s *Service) renderLeaseForm(w http.ResponseWriter, r *http.Request, status int, in LeaseInput, fields map[string]string) error {
	p := &leaseFormPage{Globals: s.g(r, "space.lease.new|登记出租出借", web.Crumb{Label: "space.leases|出租出借", Path: "/space/leases"}, web.Crumb{Label: "space.lease.new|登记出租出借"}),
		Form: in, Errors: fields, Kinds: LeaseKinds.Options()}
	if in.RoomID != 0 {
		if room, err := GetRoom(r.Context(), s.DB, auth.ScopeFrom(r.Context()), in.RoomID); err == nil {
			p.Room = room
		}
	}
	return s.UI.Render(w, r, status, "space/lease_form.html", p)
}

func (s *Service) renderLease(w http.ResponseWriter, r *http.Request, status int, fields map[string]string) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	x, err := GetLease(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
	if err != nil {
		return err
	}
	title := x.KindName() + " · " + x.Lessee
	p := &leasePage{Globals: s.g(r, title, web.Crumb{Label: "space.leases|出租出借", Path: "/space/leases"}, web.Crumb{Label: title}), L: x, Errors: fields,
		Manage: canManage(r.Context()), Today: s.today()}
	if p.History, err = s.hist(r, objLease, id); err != nil {
		return err
	}
	return s.UI.Render(w, r, status, "space/lease.html", p)
}
