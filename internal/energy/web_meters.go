package energy

import (
	"net/http"
	"strconv"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/settings"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

type metersPage struct {
	web.Globals
	Meters []Meter
	Pager  web.Pager
	F      MeterFilter
	Types  []Type
}

type meterPage struct {
	web.Globals
	M         Meter
	Series    Series
	Chart     chartOpt
	From, To  string
	Ranges    []rangeLink
	Year      int
	Months    [12]float64
	Has       [12]bool
	MonthBars chartOpt
	Balance   Balance
	Anomalies []Anomaly
	Children  []Meter
}

type rangeLink struct{ Label, From, To string }

type meterFormPage struct {
	web.Globals
	M          *Meter
	Form       MeterInput
	Errors     map[string]string
	OrgLabel   string
	Types      []web.Option
	SubItems   []web.Option
	Mult       string
	Interval   string
	Cumulative bool
}

func (s *Service) meterPages() {
	u := s.UI
	u.Page("GET /energy/meters", "energy:read", func(w http.ResponseWriter, r *http.Request) error {
		f, err := parseMeterFilter(r)
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		if web.WantsExport(r) {
			f.List.Page, f.List.PageSize = 1, 100000
			ms, _, err := ListMeters(r.Context(), s.DB, sc, f)
			if err != nil {
				return err
			}
			rows := make([][]any, 0, len(ms))
			for _, m := range ms {
				rows = append(rows, []any{m.ID, m.Code, m.Name, m.OrgName, m.BuildingName, m.TypeName(), m.SubItemName(), m.ParentName, m.Multiplier,
					map[bool]string{true: "累计", false: "区间"}[m.Cumulative], m.Status, web.FormatTime(m.LastTS), m.OpenIssues})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "计量表", []string{"编号", "编码", "名称", "单位", "楼栋", "品种", "分项", "上级表", "倍率", "读数类型", "状态", "最近读数", "待处理异常"}, rows, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0)})
		}
		p := &metersPage{Globals: u.G(r, "energy.meters|计量表", web.Crumb{Label: "menu.energy|节能管理"}, web.Crumb{Label: "energy.meters|计量表"}), F: f, Types: Types}
		var total int64
		if p.Meters, total, err = ListMeters(r.Context(), s.DB, sc, f); err != nil {
			return err
		}
		p.Pager = web.NewPager(f.List, total)
		return u.Render(w, r, http.StatusOK, "energy/meters.html", p)
	})
	u.Page("GET /energy/meters/new", "energy:write", func(w http.ResponseWriter, r *http.Request) error {
		in := MeterInput{EnergyType: "electricity"}
		in.OrgID, _ = strconv.ParseInt(r.URL.Query().Get("org_id"), 10, 64)
		in.BuildingID, _ = strconv.ParseInt(r.URL.Query().Get("building_id"), 10, 64)
		in.ParentID, _ = strconv.ParseInt(r.URL.Query().Get("parent_id"), 10, 64)
		if in.BuildingID != 0 && in.OrgID == 0 {
			if b, err := s.Buildings.Building(r.Context(), s.DB, auth.ScopeFrom(r.Context()), in.BuildingID); err == nil {
				in.OrgID = b.OrgID
			}
		}
		return s.renderMeterForm(w, r, http.StatusOK, nil, in, nil)
	})
	u.Page("POST /energy/meters", "energy:write", func(w http.ResponseWriter, r *http.Request) error {
		in, f := meterForm(r)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderMeterForm(w, r, status, nil, in, fields)
		}, func() (string, string, error) {
			m, err := s.CreateMeter(r.Context(), auth.ScopeFrom(r.Context()), in)
			return "/energy/meters/" + strconv.FormatInt(m.ID, 10), "已新增计量表“" + m.Name + "”", err
		})
	})
	u.Page("GET /energy/meters/{id}", "energy:read", s.meterDetail)
	u.Page("GET /energy/meters/{id}/edit", "energy:write", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		m, err := GetMeter(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		return s.renderMeterForm(w, r, http.StatusOK, &m, meterInputOf(m), nil)
	})
	u.Page("POST /energy/meters/{id}", "energy:write", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		m, err := GetMeter(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		in, f := meterForm(r)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderMeterForm(w, r, status, &m, in, fields)
		}, func() (string, string, error) {
			_, err := s.UpdateMeter(r.Context(), auth.ScopeFrom(r.Context()), id, in)
			return "/energy/meters/" + strconv.FormatInt(id, 10), "已保存", err
		})
	})
}

func meterInputOf(m Meter) MeterInput {
	mult, cum, iv := m.Multiplier, m.Cumulative, m.IntervalS
	return MeterInput{OrgID: m.OrgID, BuildingID: m.BuildingID, ParentID: m.ParentID, Code: m.Code, Name: m.Name, EnergyType: m.EnergyType,
		SubItem: m.SubItem, Multiplier: &mult, Cumulative: &cum, IntervalS: &iv, ValueKey: m.ValueKey, Status: m.Status, Note: m.Note, Formula: m.Formula}
}

func meterForm(r *http.Request) (MeterInput, errs.Fields) {
	f := errs.Fields{}
	in := MeterInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), EnergyType: r.PostFormValue("energy_type"),
		SubItem: r.PostFormValue("sub_item"), ValueKey: r.PostFormValue("value_key"), Status: r.PostFormValue("status"), Note: r.PostFormValue("note"),
		Formula: r.PostFormValue("formula")}
	in.OrgID = web.FormInt(r, "org_id", f)
	in.BuildingID = web.FormInt(r, "building_id", f)
	in.ParentID = web.FormInt(r, "parent_id", f)
	mult := 1.0
	if r.PostFormValue("multiplier") != "" {
		mult = web.FormFloat(r, "multiplier", f)
	}
	in.Multiplier = &mult
	cum := r.PostFormValue("cumulative") != "false"
	in.Cumulative = &cum
	iv := web.FormInt(r, "interval_s", f)
	in.IntervalS = &iv
	return in, f
}

func (s *Service) renderMeterForm(w http.ResponseWriter, r *http.Request, status int, m *Meter, in MeterInput, fields map[string]string) error {
	title := "energy.meter.new|新增计量表"
	crumbs := []web.Crumb{{Label: "menu.energy|节能管理"}, {Label: "energy.meters|计量表", Path: "/energy/meters"}}
	if m != nil {
		title = "energy.meter.edit|编辑计量表"
		crumbs = append(crumbs, web.Crumb{Label: m.Name, Path: "/energy/meters/" + strconv.FormatInt(m.ID, 10)})
	}
	crumbs = append(crumbs, web.Crumb{Label: title})
	p := &meterFormPage{Globals: s.UI.G(r, title, crumbs...), M: m, Form: in, Errors: fields, Mult: "1", Cumulative: in.Cumulative == nil || *in.Cumulative}
	if in.Multiplier != nil {
		p.Mult = strconv.FormatFloat(*in.Multiplier, 'f', -1, 64)
	}
	if in.IntervalS != nil && *in.IntervalS != 0 {
		p.Interval = strconv.FormatInt(*in.IntervalS, 10)
	}
	for _, t := range Types {
		p.Types = append(p.Types, web.Option{Value: t.Code, Label: t.Name + "（" + UnitLabel(t.Unit) + "）"})
	}
	for _, si := range SubItems {
		label := si.Code + " " + si.Name
		if si.Group != "" {
			label = "　" + label
		}
		p.SubItems = append(p.SubItems, web.Option{Value: si.Code, Label: label})
	}
	if in.OrgID != 0 {
		p.OrgLabel = org.Tree{}.OrgLabel(r.Context(), s.DB, in.OrgID)
	}
	return s.UI.Render(w, r, status, "energy/meter_form.html", p)
}

func (s *Service) meterDetail(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	m, err := GetMeter(ctx, s.DB, sc, id)
	if err != nil {
		return err
	}
	s.WaitRollups(ctx)
	now := s.Clock.Now()
	p := &meterPage{Globals: s.UI.G(r, m.Name, web.Crumb{Label: "menu.energy|节能管理"}, web.Crumb{Label: "energy.meters|计量表", Path: "/energy/meters"},
		web.Crumb{Label: m.Name}), M: m}
	// The chart ends at the last reading (or now) and defaults to its last 7 days.
	end := now
	if m.LastTS != 0 && m.LastTS < now.Unix() {
		end = time.Unix(m.LastTS, 0)
	}
	endDay := end.In(Shanghai).Format(time.DateOnly)
	p.Ranges = []rangeLink{
		{"1 天", end.AddDate(0, 0, -1).In(Shanghai).Format(time.DateOnly), endDay},
		{"7 天", end.AddDate(0, 0, -6).In(Shanghai).Format(time.DateOnly), endDay},
		{"30 天", end.AddDate(0, 0, -29).In(Shanghai).Format(time.DateOnly), endDay},
		{"1 年", end.AddDate(-1, 0, 1).In(Shanghai).Format(time.DateOnly), endDay},
	}
	p.From, p.To = r.URL.Query().Get("from"), r.URL.Query().Get("to")
	if p.From == "" && p.To == "" {
		p.From, p.To = p.Ranges[1].From, p.Ranges[1].To
	}
	from, to, err := chartRange(p.From, p.To, now)
	if err != nil {
		return err
	}
	if p.Series, err = MeterSeries(ctx, s.DB, sc, id, from, to, MaxChartPoints); err != nil {
		return err
	}
	p.Chart = seriesChart(p.Series)
	if p.Year, err = queryYear(r, PeriodOf(end.Unix()).Year); err != nil {
		return err
	}
	if p.Months, p.Has, err = MeterMonths(ctx, s.DB, id, p.Year); err != nil {
		return err
	}
	prev, hasPrev, err := MeterMonths(ctx, s.DB, id, p.Year-1)
	if err != nil {
		return err
	}
	any := false
	for _, h := range hasPrev {
		any = any || h
	}
	p.MonthBars = monthlyBarChart(m.UnitLabel(), p.Months, prev, p.Year, any)
	if p.Balance, err = MeterBalance(ctx, s.DB, sc, id, p.Year); err != nil {
		return err
	}
	if p.Anomalies, _, err = ListAnomalies(ctx, s.DB, sc, AnomalyFilter{List: web.List{Page: 1, PageSize: 10}, MeterID: id}); err != nil {
		return err
	}
	return s.UI.Render(w, r, http.StatusOK, "energy/meter.html", p)
}

type buildingPage struct {
	web.Globals
	B        org.Building
	OrgName  string
	Meters   []Meter
	Year     int
	Years    []int
	SubItems []SubItemFigure
	SubChart chartOpt
	Main     [12]float64
	HasMain  bool
	MainBars chartOpt
}

func (s *Service) buildingPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	b, err := s.Buildings.Building(ctx, s.DB, sc, id)
	if err != nil {
		return err
	}
	cur := PeriodOf(s.Clock.Now().Unix()).Year
	p := &buildingPage{Globals: s.UI.G(r, b.Name, web.Crumb{Label: "menu.energy|节能管理"}, web.Crumb{Label: "energy.meters|计量表", Path: "/energy/meters"},
		web.Crumb{Label: b.Name}), B: b, OrgName: org.Tree{}.OrgLabel(ctx, s.DB, b.OrgID)}
	if p.Year, err = queryYear(r, cur); err != nil {
		return err
	}
	for y := cur; y >= cur-5; y-- {
		p.Years = append(p.Years, y)
	}
	s.WaitRollups(ctx)
	if p.Meters, _, err = ListMeters(ctx, s.DB, sc, MeterFilter{List: web.List{Page: 1, PageSize: 200}, BuildingID: id}); err != nil {
		return err
	}
	if p.SubItems, err = SubItemBreakdown(ctx, s.DB, sc, Selection{}, id, p.Year); err != nil {
		return err
	}
	if len(p.SubItems) > 0 {
		p.SubChart = subItemChart(p.SubItems)
	}
	for _, m := range p.Meters {
		if m.Main() && m.EnergyType == "electricity" {
			v, h, err := MeterMonths(ctx, s.DB, m.ID, p.Year)
			if err != nil {
				return err
			}
			for i := range v {
				p.Main[i] += v[i]
				p.HasMain = p.HasMain || h[i]
			}
		}
	}
	if p.HasMain {
		p.MainBars = monthlyBarChart("kWh", p.Main, [12]float64{}, p.Year, false)
	}
	return s.UI.Render(w, r, http.StatusOK, "energy/building.html", p)
}

type factorsPage struct {
	web.Globals
	Year       int
	Years      []int
	Region     string
	Types      []TypeFactor
	CO2        []EmissionFactor
	Density    []Factor
	Targets    []Factor
	Plan       PlanPeriod
	Detection  Detection
	MQTT       MQTTStatus
	MQTTConfig MQTTSettings
	Kinds      []string
	Errors     map[string]string
}

func (s *Service) factorsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderFactors(w, r, http.StatusOK, nil)
}

func (s *Service) renderFactors(w http.ResponseWriter, r *http.Request, status int, fields map[string]string) error {
	ctx := r.Context()
	cur := PeriodOf(s.Clock.Now().Unix()).Year
	y, err := queryYear(r, cur)
	if err != nil {
		return err
	}
	region, err := queryRegion(r)
	if err != nil {
		return err
	}
	p := &factorsPage{Globals: s.UI.G(r, "energy.factors|折算系数与排放因子", web.Crumb{Label: "menu.energy|节能管理"}, web.Crumb{Label: "energy.factors|折算系数与排放因子"}),
		Year: y, Region: region, Kinds: []string{KindKgce, KindCO2, KindVariant, KindDensity, KindTarget}, Errors: fields, MQTT: s.MQTT()}
	for x := cur; x >= 2020; x-- {
		p.Years = append(p.Years, x)
	}
	f, err := LoadFactors(ctx, s.DB, y)
	if err != nil {
		return err
	}
	p.Types, p.CO2 = TypeFactors(f, region), EmissionFactors(f, region)
	for _, t := range []string{"gasoline", "diesel"} {
		if d := f.Density(t, region); d.Found {
			d.Key = TypeName(t)
			p.Density = append(p.Density, d)
		}
	}
	p.Plan, _ = f.Period(y, region)
	for _, k := range []string{IndPerAreaKgce, IndPerCapitaKgce, IndPerCapitaWater, IndPerAreaCO2} {
		if t, ok := f.Target(p.Plan.Code+"/"+k, region); ok && p.Plan.Code != "" {
			d, _ := indicatorDef(k)
			t.Key = d.Name
			p.Targets = append(p.Targets, t)
		}
	}
	if p.Detection, err = LoadDetection(ctx, s.DB); err != nil {
		return err
	}
	p.MQTTConfig = DefaultMQTT()
	if _, err := settings.Get(ctx, s.DB, MQTTKey, &p.MQTTConfig); err != nil {
		return err
	}
	return s.UI.Render(w, r, status, "energy/factors.html", p)
}

// settingsPost saves the anomaly rules.
func (s *Service) settingsPost(w http.ResponseWriter, r *http.Request) error {
	f := errs.Fields{}
	d := Detection{GapFactor: web.FormFloat(r, "gap_factor", f), SpikeFactor: web.FormFloat(r, "spike_factor", f),
		Window: int(web.FormInt(r, "window", f)), MinHistory: int(web.FormInt(r, "min_history", f))}
	if d.GapFactor < 1.5 || d.GapFactor > 1000 {
		f.Add("gap_factor", "断档倍数应在 1.5–1000 之间")
	}
	if d.SpikeFactor < 2 || d.SpikeFactor > 1000 {
		f.Add("spike_factor", "突增倍数应在 2–1000 之间")
	}
	if d.Window < 4 || d.Window > 10000 {
		f.Add("window", "滚动窗口应为 4–10000 个区间")
	}
	if d.MinHistory < 2 || d.MinHistory > d.Window {
		f.Add("min_history", "最少历史区间应在 2 与滚动窗口之间")
	}
	if len(f) > 0 {
		return s.renderFactors(w, r, http.StatusUnprocessableEntity, f)
	}
	if err := s.SaveDetection(r.Context(), d); err != nil {
		return err
	}
	return s.UI.Redirect(w, r, "/energy/factors", "已保存读数异常识别规则（对之后汇总的读数生效）")
}
