package pv

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/num"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// Row is a system with its figures for a year (the systems table and GET /api/v1/energy/pv/systems).
type Row struct {
	System
	Figures Figures `json:"figures"`
}

// Overview is the PV picture of the caller's scope for a year.
type Overview struct {
	Year        int     `json:"year"`
	Systems     []Row   `json:"systems"`
	Operating   int     `json:"operating_systems"`
	CapacityKWp float64 `json:"capacity_kwp"`
	Generation  float64 `json:"generation_kwh"`
	SelfUsed    float64 `json:"self_consumed_kwh"`
	Exported    float64 `json:"exported_kwh"`
	CO2Kg       float64 `json:"co2_avoided_kg"`
	Kgce        float64 `json:"kgce"`
	Monthly     [12]Month
	Coverage    Coverage `json:"coverage"`
}

func (s *Service) overview(ctx context.Context, sc auth.Scope, year int, f Filter) (Overview, error) {
	ov := Overview{Year: year}
	s.Energy.WaitRollups(ctx)
	systems, err := ListSystems(ctx, s.DB, sc, f)
	if err != nil {
		return ov, err
	}
	fs, err := energy.LoadFactors(ctx, s.DB, year)
	if err != nil {
		return ov, err
	}
	for _, sys := range systems {
		fg, err := s.SystemFigures(ctx, s.DB, sys, year, fs)
		if err != nil {
			return ov, err
		}
		ov.Systems = append(ov.Systems, Row{System: sys, Figures: fg})
		if sys.Status == "operating" {
			ov.Operating++
			ov.CapacityKWp += sys.CapacityKWp
		}
		ov.Generation += fg.Generation
		ov.SelfUsed += fg.SelfUsed
		ov.Exported += fg.Exported
		ov.CO2Kg += fg.CO2Kg
		ov.Kgce += fg.Kgce
		for i, m := range fg.Months {
			ov.Monthly[i].Period = m.Period
			ov.Monthly[i].Generation += m.Generation
			ov.Monthly[i].SelfUsed += m.SelfUsed
			ov.Monthly[i].Exported += m.Exported
			ov.Monthly[i].Has = ov.Monthly[i].Has || m.Has
		}
	}
	el, err := ListEligibility(ctx, s.DB, sc, f.OrgID)
	if err != nil {
		return ov, err
	}
	t, err := loadTarget(ctx, s.DB, s.Clock.Now().Format("2006-01-02"))
	if err != nil {
		return ov, err
	}
	ov.Coverage = ComputeCoverage(el, t)
	return ov, nil
}

// queryYear is the year asked for: by default the year of the last complete month.
func (s *Service) queryYear(r *http.Request) (int, error) {
	def := LastComplete(s.Clock.Now()).Year
	return web.QueryYear(r, def, 2000, def+1)
}

func (s *Service) api() {
	u := s.UI
	yearQ := []web.Param{{Name: "year", Type: "integer", Help: "年度，默认最近一个完整月所在年"}}
	u.API("GET /api/v1/energy/pv/systems", "energy:read", web.Doc{Summary: "光伏系统及其年度发电、自用、上网、等效利用小时与减排", Response: Row{}, List: true,
		Query: append(yearQ, web.Param{Name: "org_id", Type: "integer"}, web.Param{Name: "building_id", Type: "integer"})},
		func(w http.ResponseWriter, r *http.Request) error {
			y, err := s.queryYear(r)
			if err != nil {
				return err
			}
			var f Filter
			if f.OrgID, err = web.QueryInt(r, "org_id"); err != nil {
				return err
			}
			if f.BuildingID, err = web.QueryInt(r, "building_id"); err != nil {
				return err
			}
			ov, err := s.overview(r.Context(), auth.ScopeFrom(r.Context()), y, f)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(ov.Systems, int64(len(ov.Systems))))
		})
	module.Create(s.Deps, "POST /api/v1/energy/pv/systems", "energy:pv", web.Doc{Summary: "登记光伏系统"}, s.CreateSystem)
	u.API("GET /api/v1/energy/pv/systems/{id}", "energy:read", web.Doc{Summary: "光伏系统详情与逐月数据", Response: Row{}, Query: yearQ},
		func(w http.ResponseWriter, r *http.Request) error {
			row, err := s.systemRow(r)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, row)
		})
	module.Update(s.Deps, "PUT /api/v1/energy/pv/systems/{id}", "energy:pv", web.Doc{Summary: "修改光伏系统"}, s.UpdateSystem)
	u.API("GET /api/v1/energy/pv/eligibility", "energy:read", web.Doc{Summary: "楼栋屋顶光伏评估", Response: Eligibility{}, List: true,
		Query: []web.Param{{Name: "org_id", Type: "integer"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			orgID, err := web.QueryInt(r, "org_id")
			if err != nil {
				return err
			}
			items, err := ListEligibility(r.Context(), s.DB, auth.ScopeFrom(r.Context()), orgID)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
		})
	u.API("PUT /api/v1/energy/pv/eligibility/{building_id}", "energy:pv", web.Doc{Summary: "评估楼栋是否具备安装光伏条件", Body: EligibilityInput{}, Response: Eligibility{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "building_id")
			if err != nil {
				return err
			}
			var in EligibilityInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			e, err := s.SetEligibility(r.Context(), auth.ScopeFrom(r.Context()), id, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, e)
		})
	u.API("GET /api/v1/energy/pv/coverage", "energy:read", web.Doc{Summary: "具备条件楼栋的光伏覆盖率（新建建筑对照 50% 目标）", Response: Coverage{},
		Query: []web.Param{{Name: "org_id", Type: "integer"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			orgID, err := web.QueryInt(r, "org_id")
			if err != nil {
				return err
			}
			el, err := ListEligibility(r.Context(), s.DB, auth.ScopeFrom(r.Context()), orgID)
			if err != nil {
				return err
			}
			t, err := loadTarget(r.Context(), s.DB, s.Clock.Now().Format("2006-01-02"))
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, ComputeCoverage(el, t))
		})
}

func (s *Service) systemRow(r *http.Request) (Row, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return Row{}, err
	}
	y, err := s.queryYear(r)
	if err != nil {
		return Row{}, err
	}
	sys, err := GetSystem(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
	if err != nil {
		return Row{}, err
	}
	s.Energy.WaitRollups(r.Context())
	fs, err := energy.LoadFactors(r.Context(), s.DB, y)
	if err != nil {
		return Row{}, err
	}
	fg, err := s.SystemFigures(r.Context(), s.DB, sys, y, fs)
	return Row{System: sys, Figures: fg}, err
}

// ---- Pages.

type chartOpt = map[string]any

var monthLabels = []string{"1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"}

// monthlyChart stacks self-consumed and exported generation by month.
func monthlyChart(ms [12]Month) chartOpt {
	self, exp := make([]any, 12), make([]any, 12)
	for i, m := range ms {
		if m.Has {
			self[i], exp[i] = math.Round(m.SelfUsed), math.Round(m.Exported)
		}
	}
	return chartOpt{
		"tooltip": chartOpt{"trigger": "axis"},
		"legend":  chartOpt{"data": []string{"自用电量", "上网电量"}, "top": 0, "left": 0},
		"grid":    chartOpt{"left": 56, "right": 16, "top": 48, "bottom": 36},
		"xAxis":   chartOpt{"type": "category", "data": monthLabels},
		"yAxis":   chartOpt{"type": "value", "name": "kWh", "axisLabel": chartOpt{"formatter": "fmt:thousands"}},
		"series": []any{
			chartOpt{"name": "自用电量", "type": "bar", "stack": "gen", "data": self, "itemStyle": chartOpt{"color": "#f1c40f"}},
			chartOpt{"name": "上网电量", "type": "bar", "stack": "gen", "data": exp, "itemStyle": chartOpt{"color": "#1d4f91"}},
		},
	}
}

type overviewPage struct {
	web.Globals
	Overview
	Years []int
	Chart chartOpt
}

type systemPage struct {
	web.Globals
	Row
	Years   []int
	Chart   chartOpt
	History []history.Entry
}

type formPage struct {
	web.Globals
	Sys       *System
	Form      Input
	Capacity  string
	Errors    map[string]string
	Buildings []web.Option
	GenMeters []web.Option
	Modes     []web.Option
	Statuses  []web.Option
}

type eligibilityPage struct {
	web.Globals
	Items    []Eligibility // the page shown (Coverage counts every building in scope)
	Pager    web.Pager
	Q        string
	Query    string // the list's query string, kept by the row forms so a save returns to the same page
	Coverage Coverage
	Errors   map[string]string
	ErrID    int64
}

func (s *Service) years() []int {
	last := LastComplete(s.Clock.Now()).Year
	var ys []int
	for y := last; y >= last-5; y-- {
		ys = append(ys, y)
	}
	return ys
}

func (s *Service) pages() {
	u := s.UI
	crumb := web.Crumb{Label: "menu.energy|节能管理"}
	u.Page("GET /energy/pv", "energy:read", func(w http.ResponseWriter, r *http.Request) error {
		y, err := s.queryYear(r)
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		ov, err := s.overview(r.Context(), sc, y, Filter{})
		if err != nil {
			return err
		}
		if web.WantsExport(r) {
			rows := make([][]any, 0, len(ov.Systems))
			for _, x := range ov.Systems {
				f := x.Figures
				rows = append(rows, []any{x.ID, x.Name, x.OrgName, x.BuildingName, x.CapacityKWp, x.Commissioned, ModeName(x.GridMode), StatusName(x.Status),
					num.Round(f.Generation, 1), num.Round(f.SelfUsed, 1), num.Round(f.Exported, 1), num.Round(f.Yield, 1), num.Round(f.YieldAnnual, 1),
					num.Round(f.CO2Kg/1000, 3), num.Round(f.Kgce/1000, 3), x.Inverter, x.RoofAreaM2})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), strconv.Itoa(y)+"年屋顶光伏系统", []string{"编号", "系统名称", "单位", "楼栋", "装机容量(kWp)",
				"投运日期", "并网方式", "状态", "发电量(kWh)", "自用电量(kWh)", "上网电量(kWh)", "等效利用小时(kWh/kWp)", "折算全年(kWh/kWp)",
				"减排CO₂(t)", "折标准煤(t)", "型号", "屋顶面积(m²)"}, rows, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0), Sum: []string{"装机容量(kWp)", "发电量(kWh)", "自用电量(kWh)", "上网电量(kWh)", "减排CO₂(t)", "折标准煤(t)", "屋顶面积(m²)"}, Blank: []string{"屋顶面积(m²)"}})
		}
		p := &overviewPage{Globals: u.G(r, "pv.title|屋顶光伏", crumb, web.Crumb{Label: "pv.title|屋顶光伏"}), Overview: ov, Years: s.years(),
			Chart: monthlyChart(ov.Monthly)}
		return u.Render(w, r, http.StatusOK, "pv/overview.html", p)
	})
	u.Page("GET /energy/pv/systems/new", "energy:pv", func(w http.ResponseWriter, r *http.Request) error {
		in := Input{GridMode: ModeSelfUse, Status: "operating"}
		in.BuildingID, _ = strconv.ParseInt(r.URL.Query().Get("building_id"), 10, 64)
		return s.renderForm(w, r, http.StatusOK, nil, in, "", nil)
	})
	u.Page("POST /energy/pv/systems", "energy:pv", func(w http.ResponseWriter, r *http.Request) error {
		in, capRaw, f := formInput(r)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderForm(w, r, status, nil, in, capRaw, fields)
		}, func() (string, string, error) {
			sys, err := s.CreateSystem(r.Context(), auth.ScopeFrom(r.Context()), in)
			return "/energy/pv/systems/" + strconv.FormatInt(sys.ID, 10), "已登记光伏系统“" + sys.Name + "”", err
		})
	})
	u.Page("GET /energy/pv/systems/{id}", "energy:read", func(w http.ResponseWriter, r *http.Request) error {
		row, err := s.systemRow(r)
		if err != nil {
			return err
		}
		p := &systemPage{Globals: u.G(r, row.Name, crumb, web.Crumb{Label: "pv.title|屋顶光伏", Path: "/energy/pv"}, web.Crumb{Label: row.Name}),
			Row: row, Years: s.years()}
		var ms [12]Month
		copy(ms[:], row.Figures.Months)
		p.Chart = monthlyChart(ms)
		if p.History, err = history.List(r.Context(), s.DB, "energy_pv_system", row.ID, 50); err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "pv/system.html", p)
	})
	u.Page("GET /energy/pv/systems/{id}/edit", "energy:pv", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sys, err := GetSystem(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		c := sys.CapacityKWp
		in := Input{OrgID: sys.OrgID, BuildingID: sys.BuildingID, Name: sys.Name, CapacityKWp: &c, Commissioned: sys.Commissioned, Inverter: sys.Inverter,
			RoofAreaM2: sys.RoofAreaM2, GridMode: sys.GridMode, GenMeterID: sys.GenMeterID, ExportMeterID: sys.ExportMeterID, Status: sys.Status, Note: sys.Note}
		return s.renderForm(w, r, http.StatusOK, &sys, in, strconv.FormatFloat(c, 'f', -1, 64), nil)
	})
	u.Page("POST /energy/pv/systems/{id}", "energy:pv", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sys, err := GetSystem(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		in, capRaw, f := formInput(r)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderForm(w, r, status, &sys, in, capRaw, fields)
		}, func() (string, string, error) {
			_, err := s.UpdateSystem(r.Context(), auth.ScopeFrom(r.Context()), id, in)
			return "/energy/pv/systems/" + strconv.FormatInt(id, 10), "已保存", err
		})
	})
	u.Page("GET /energy/pv/eligibility", "energy:read", func(w http.ResponseWriter, r *http.Request) error {
		return s.renderEligibility(w, r, http.StatusOK, 0, nil)
	})
	u.Page("POST /energy/pv/eligibility/{building_id}", "energy:pv", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "building_id")
		if err != nil {
			return err
		}
		f := errs.Fields{}
		in := EligibilityInput{Reason: r.PostFormValue("reason")}
		el := r.PostFormValue("eligible") == "true"
		in.Eligible = &el
		if r.PostFormValue("roof_area_m2") != "" {
			in.RoofAreaM2 = web.FormFloat(r, "roof_area_m2", f)
		}
		if v := r.PostFormValue("new_building"); v != "" {
			nb := v == "true"
			in.NewBuilding = &nb
		}
		if err := f.Err(); err != nil {
			return s.renderEligibility(w, r, http.StatusUnprocessableEntity, id, errs.As(err).Fields)
		}
		if _, err := s.SetEligibility(r.Context(), auth.ScopeFrom(r.Context()), id, in); err != nil {
			if status, fields, ok := web.Refusal(err); ok {
				return s.renderEligibility(w, r, status, id, fields)
			}
			return err
		}
		back := "/energy/pv/eligibility"
		if q := r.URL.Query(); len(q) > 0 {
			back += "?" + q.Encode() // the page and search the row was saved from
		}
		return u.Redirect(w, r, back, "已保存屋顶评估")
	})
}

func (s *Service) renderEligibility(w http.ResponseWriter, r *http.Request, status int, errID int64, fields map[string]string) error {
	sc := auth.ScopeFrom(r.Context())
	items, err := ListEligibility(r.Context(), s.DB, sc, 0)
	if err != nil {
		return err
	}
	t, err := loadTarget(r.Context(), s.DB, s.Clock.Now().Format("2006-01-02"))
	if err != nil {
		return err
	}
	l, err := web.ParseList(r)
	if err != nil {
		return err
	}
	l.PageSize = 50
	l.URL = &url.URL{Path: "/energy/pv/eligibility", RawQuery: r.URL.RawQuery}
	shown := items
	if l.Q != "" {
		shown = nil
		for _, e := range items {
			if strings.Contains(e.BuildingName, l.Q) || strings.Contains(e.OrgName, l.Q) {
				shown = append(shown, e)
			}
		}
	}
	pager := web.NewPager(l, int64(len(shown)))
	shown = shown[min(l.Offset(), len(shown)):min(l.Offset()+l.PageSize, len(shown))]
	p := &eligibilityPage{Globals: s.UI.G(r, "pv.elig.title|屋顶光伏评估", web.Crumb{Label: "menu.energy|节能管理"},
		web.Crumb{Label: "pv.title|屋顶光伏", Path: "/energy/pv"}, web.Crumb{Label: "pv.elig.title|屋顶光伏评估"}),
		Items: shown, Pager: pager, Q: l.Q, Query: r.URL.RawQuery, Coverage: ComputeCoverage(items, t), Errors: fields, ErrID: errID}
	return s.UI.Render(w, r, status, "pv/eligibility.html", p)
}

func formInput(r *http.Request) (Input, string, errs.Fields) {
	f := errs.Fields{}
	in := Input{Name: r.PostFormValue("name"), Commissioned: r.PostFormValue("commissioning_date"), Inverter: r.PostFormValue("inverter"),
		GridMode: r.PostFormValue("grid_mode"), Status: r.PostFormValue("status"), Note: r.PostFormValue("note")}
	in.BuildingID = web.FormInt(r, "building_id", f)
	in.GenMeterID = web.FormInt(r, "generation_meter_id", f)
	in.ExportMeterID = web.FormInt(r, "export_meter_id", f)
	capRaw := strings.TrimSpace(r.PostFormValue("capacity_kwp"))
	if capRaw != "" {
		c := web.FormFloat(r, "capacity_kwp", f)
		in.CapacityKWp = &c
	}
	if r.PostFormValue("roof_area_m2") != "" {
		in.RoofAreaM2 = web.FormFloat(r, "roof_area_m2", f)
	}
	return in, capRaw, f
}

func (s *Service) renderForm(w http.ResponseWriter, r *http.Request, status int, sys *System, in Input, capRaw string, fields map[string]string) error {
	title := "pv.new|登记光伏系统"
	crumbs := []web.Crumb{{Label: "menu.energy|节能管理"}, {Label: "pv.title|屋顶光伏", Path: "/energy/pv"}}
	if sys != nil {
		title = "pv.edit|编辑光伏系统"
		crumbs = append(crumbs, web.Crumb{Label: sys.Name, Path: "/energy/pv/systems/" + strconv.FormatInt(sys.ID, 10)})
	}
	crumbs = append(crumbs, web.Crumb{Label: title})
	p := &formPage{Globals: s.UI.G(r, title, crumbs...), Sys: sys, Form: in, Capacity: capRaw, Errors: fields, Modes: Modes, Statuses: Statuses}
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	cond, args := sc.PathCond("o.id", "o.path")
	bs, err := db.Select(ctx, s.DB, func(x db.Scanner) (web.Option, error) {
		var o web.Option
		var id int64
		var b, on string
		err := x.Scan(&id, &b, &on)
		o.Value, o.Label = strconv.FormatInt(id, 10), on+" · "+b
		return o, err
	}, "SELECT b.id, b.name, o.name FROM buildings b JOIN orgs o ON o.id = b.org_id WHERE b.status = 'active' AND "+cond+" ORDER BY o.path, b.id", args...)
	if err != nil {
		return err
	}
	p.Buildings = bs
	ms, _, err := energy.ListMeters(ctx, s.DB, sc, energy.MeterFilter{EnergyType: "pv_generation", Status: "active", List: web.List{Page: 1, PageSize: 500}})
	if err != nil {
		return err
	}
	for _, m := range ms {
		label := m.Name + "（" + m.OrgName
		if m.BuildingName != "" {
			label += " · " + m.BuildingName
		}
		p.GenMeters = append(p.GenMeters, web.Option{Value: strconv.FormatInt(m.ID, 10), Label: label + "）"})
	}
	return s.UI.Render(w, r, status, "pv/system_form.html", p)
}
