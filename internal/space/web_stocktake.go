package space

import (
	"net/http"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// Pages of the stocktake (清查盘点).

type stocktakesPage struct {
	web.Globals
	Items []Stocktake
	Pager web.Pager
}

type stocktakePage struct {
	web.Globals
	S       Stocktake
	Tab     string
	Items   []CheckItem
	Units   []UnitCheck
	Pager   web.Pager
	History []history.Entry
	Uses    []web.Option
}

type stocktakeFormPage struct {
	web.Globals
	Form    StocktakeInput
	Errors  map[string]string
	OrgName string
}

func (s *Service) pagesStocktake() {
	u := s.UI
	u.Page("GET /space/stocktakes", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		if web.WantsExport(r) {
			l.Page, l.PageSize = 1, 200000
		}
		items, total, err := ListStocktakes(r.Context(), s.DB, auth.ScopeFrom(r.Context()), l)
		if err != nil {
			return err
		}
		if web.WantsExport(r) {
			var out [][]any
			for _, x := range items {
				out = append(out, []any{x.Name, x.OrgName, x.DueOn, x.StatusName(), x.Rooms, x.Checked, x.Problems})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "清查盘点", []string{"名称", "范围", "期限", "状态", "房间数", "已盘点", "账实不符"}, out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0), Sum: []string{"房间数", "已盘点", "账实不符"}})
		}
		return u.Render(w, r, http.StatusOK, "space/stocktakes.html", &stocktakesPage{Globals: s.g(r, "space.stocktakes|清查盘点", web.Crumb{Label: "space.stocktakes|清查盘点"}),
			Items: items, Pager: web.NewPager(l, total)})
	})
	u.Page("GET /space/stocktakes/new", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		return s.renderStocktakeForm(w, r, http.StatusOK, StocktakeInput{OrgID: defaultOrg(r), DueOn: AddMonths(s.today(), 1)}, nil)
	})
	u.Page("POST /space/stocktakes", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		f := errs.Fields{}
		in := StocktakeInput{Name: fstr(r, "name"), DueOn: fstr(r, "due_on")}
		in.OrgID = web.FormInt(r, "org_id", f)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderStocktakeForm(w, r, status, in, fields)
		}, func() (string, string, error) {
			st, err := s.CreateStocktake(r.Context(), auth.ScopeFrom(r.Context()), in)
			return path("/space/stocktakes/", st.ID), "已发起清查盘点", err
		})
	})
	u.Page("GET /space/stocktakes/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		st, err := GetStocktake(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		p := &stocktakePage{Globals: s.g(r, st.Name, web.Crumb{Label: "space.stocktakes|清查盘点", Path: "/space/stocktakes"}, web.Crumb{Label: st.Name}), S: st,
			Tab: r.URL.Query().Get("tab"), Uses: UseTypes.Options()}
		switch p.Tab {
		case "units":
			if p.Units, err = StocktakeUnits(r.Context(), s.DB, sc, id); err != nil {
				return err
			}
			if web.WantsExport(r) {
				var out [][]any
				for _, x := range p.Units {
					out = append(out, []any{x.OrgName, x.LedgerRooms, x.LedgerAreaM2, x.SubRooms, x.SubAreaM2, x.LedgerMismatch(), x.LedgerCertNo, x.LedgerApprovedM2, x.CertNo, x.CertAreaM2, x.CertMismatch()})
				}
				return xlsx.Export(w, r, s.DB, s.Clock.Now(), st.Name+"-账账账证核对", []string{"单位", "总台账房间数", "总台账面积", "分台账房间数", "分台账面积", "账账差异",
					"台账凭证编号", "台账核定面积", "凭证原件编号", "凭证核定面积", "账证差异"}, out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0), Sum: []string{"总台账房间数", "总台账面积", "分台账房间数", "分台账面积"}})
			}
		case "history":
			if p.History, err = s.hist(r, objStocktake, id); err != nil {
				return err
			}
		default:
			if p.Tab != "problems" {
				p.Tab = "rooms"
			}
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			if web.WantsExport(r) {
				l.Page, l.PageSize = 1, 200000
			}
			var total int64
			if p.Items, total, err = StocktakeItems(r.Context(), s.DB, sc, id, l, p.Tab == "problems"); err != nil {
				return err
			}
			if web.WantsExport(r) {
				var out [][]any
				for _, x := range p.Items {
					out = append(out, []any{x.OrgName, x.BuildingName, x.RoomNumber, UseTypes.Name(x.LedgerUse), x.LedgerAreaM2, x.LedgerOccupants, x.ResultName(), x.Differences(), x.CheckedBy})
				}
				return xlsx.Export(w, r, s.DB, s.Clock.Now(), st.Name+"-账实核对", []string{"单位", "楼栋", "房间", "台账用途", "台账面积", "台账使用人数", "盘点结果", "差异", "盘点人"}, out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0)})
			}
			p.Pager = web.NewPager(l, total)
		}
		return u.Render(w, r, http.StatusOK, "space/stocktake.html", p)
	})
	u.Page("POST /space/stocktakes/{id}/rooms/{room_id}", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		room, err := web.PathID(r, "room_id")
		if err != nil {
			return err
		}
		f := errs.Fields{}
		in := CheckInput{Result: fstr(r, "result"), FoundUse: fstr(r, "found_use"), Note: fstr(r, "note")}
		in.FoundAreaM2 = web.FormFloat(r, "found_area_m2", f)
		in.FoundOccupants = fint(r, "found_occupants", f)
		back := path("/space/stocktakes/", id, "?tab=rooms&page=", r.PostFormValue("page"))
		if err := f.Err(); err != nil {
			return s.done(w, r, err, back, "")
		}
		return s.done(w, r, s.CheckRoom(r.Context(), auth.ScopeFrom(r.Context()), id, room, in), back, "已登记盘点结果")
	})
	u.Page("POST /space/stocktakes/{id}/units/{org_id}", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		orgID, err := web.PathID(r, "org_id")
		if err != nil {
			return err
		}
		f := errs.Fields{}
		in := UnitInput{CertNo: fstr(r, "cert_no")}
		in.SubRooms = web.FormInt(r, "sub_rooms", f)
		in.SubAreaM2 = web.FormFloat(r, "sub_area_m2", f)
		in.CertAreaM2 = web.FormFloat(r, "cert_area_m2", f)
		back := path("/space/stocktakes/", id, "?tab=units")
		if err := f.Err(); err != nil {
			return s.done(w, r, err, back, "")
		}
		return s.done(w, r, s.ConfirmUnit(r.Context(), auth.ScopeFrom(r.Context()), id, orgID, in), back, "已确认单位台账")
	})
	u.Page("POST /space/stocktakes/{id}/close", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		_, err = s.CloseStocktake(r.Context(), auth.ScopeFrom(r.Context()), id)
		return s.done(w, r, err, path("/space/stocktakes/", id), "已结束清查盘点")
	})
}

func (s *Service) renderStocktakeForm(w http.ResponseWriter, r *http.Request, status int, in StocktakeInput, fields map[string]string) error {
	p := &stocktakeFormPage{Globals: s.g(r, "space.stocktake.new|发起清查盘点", web.Crumb{Label: "space.stocktakes|清查盘点", Path: "/space/stocktakes"},
		web.Crumb{Label: "space.stocktake.new|发起清查盘点"}), Form: in, Errors: fields, OrgName: orgLabel(r, s, in.OrgID)}
	return s.UI.Render(w, r, status, "space/stocktake_form.html", p)
}
