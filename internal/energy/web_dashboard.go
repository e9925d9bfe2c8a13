package energy

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/num"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// card is an indicator card of the dashboard.
type card struct {
	Label, Value, Unit, Note string
	Status, StatusName       string // met | on_track | behind | …
	Link                     string
	Delta                    float64
	HasDelta                 bool
	DeltaLabel               string
}

// viewCtx is what every energy page shows above its content: the year, the span and whose figures.
type viewCtx struct {
	Year       int
	Years      []int
	Span       Span
	SpanLabel  string
	OrgID      int64
	Unit       *org.Org // the unit in focus (nil: the whole scope)
	ScopeLabel string
	Partial    bool // the year is in progress: figures are year to date
	Subtree    bool // the figures include sub-units
}

func (s *Service) view(r *http.Request, defYearBack int) (viewCtx, error) {
	now := PeriodOf(s.Clock.Now().Unix())
	v := viewCtx{}
	y, err := queryYear(r, now.Year-defYearBack)
	if err != nil {
		return v, err
	}
	if y > now.Year {
		return v, errs.Invalid("year", "不能选择未来的年份")
	}
	v.Year = y
	for x := now.Year; x >= 2020 && x >= now.Year-9; x-- {
		v.Years = append(v.Years, x)
	}
	v.Span = s.yearToDate(Span{Year: y})
	v.Partial = v.Span.Through > 0
	v.SpanLabel = fmt.Sprintf("%d 年", y)
	if v.Partial {
		v.SpanLabel = fmt.Sprintf("%d 年 1–%d 月", y, v.Span.Through)
	}
	if v.OrgID, err = web.QueryInt(r, "org_id"); err != nil {
		return v, err
	}
	sc := auth.ScopeFrom(r.Context())
	switch {
	case v.OrgID != 0:
		o, err := org.GetOrg(r.Context(), s.DB, sc, v.OrgID)
		if err != nil {
			return v, err
		}
		v.Unit, v.ScopeLabel, v.Subtree = &o, o.Name, o.Children > 0
	case !sc.All() && sc.OrgID != 0:
		if o, err := org.GetOrg(r.Context(), s.DB, sc, sc.OrgID); err == nil {
			v.ScopeLabel = o.Name
			v.Subtree = o.Children > 0 && sc.Kind == auth.ScopeSubtree
			if sc.Kind == auth.ScopeUnit || sc.Kind == auth.ScopeSelf {
				v.Unit, v.OrgID = &o, o.ID
			}
		}
	default:
		v.ScopeLabel = "全部单位"
	}
	return v, nil
}

// selection is the subtree of the unit in focus, or the whole scope.
func (v viewCtx) selection() Selection {
	if v.OrgID != 0 {
		return Selection{OrgID: v.OrgID, Subtree: true}
	}
	return Selection{}
}

type dashPage struct {
	web.Globals
	V             viewCtx
	P             Progress
	Cards         []card
	Trend, Mix    chartOpt
	HasData       bool
	Category      string
	Cats          enum.List
	Top           []RankItem
	OpenAnomalies int64
	Anomalies     []Anomaly
}

func statusClass(st string) string {
	return map[string]string{"met": "badge-ok", "on_track": "badge-info", "behind": "badge-danger"}[st]
}

func (s *Service) dashboard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	v, err := s.view(r, 0)
	if err != nil {
		return err
	}
	s.WaitRollups(ctx)
	p := &dashPage{Globals: s.UI.G(r, "energy.dashboard|能耗总览", web.Crumb{Label: "menu.energy|节能管理"}, web.Crumb{Label: "energy.dashboard|能耗总览"}),
		V: v, Cats: org.Categories, Category: r.URL.Query().Get("category")}
	if p.Category == "" || !org.Categories.Has(p.Category) {
		p.Category = "organ"
	}
	sel := v.selection()
	rsel := sel
	rsel.Category = p.Category
	var tr, prevTr Trend
	var rank []RankItem
	// The pieces are independent reads of the same figures: side by side they take as long as the slowest.
	err = parallel(s.DB,
		func() error {
			r, err := s.progressCached(ctx, sc, sel, v.Span, true)
			p.P, tr, prevTr = r.P, r.Cur, r.Prev
			return err
		},
		func() (err error) { rank, err = s.rankingsCached(ctx, sc, rsel, v.Span, IndPerAreaKgce); return },
		func() (err error) {
			af := AnomalyFilter{List: web.List{Page: 1, PageSize: 5}, Status: "open", OrgID: v.OrgID}
			p.Anomalies, p.OpenAnomalies, err = ListAnomalies(ctx, s.DB, sc, af)
			return
		})
	if err != nil {
		return err
	}
	cur := p.P.Current
	p.HasData = cur.HasData()
	total := card{Label: "综合能耗", Value: fmtNum(cur.TotalKgce / 1000), Unit: "吨标准煤"}
	if prev := p.P.Previous; prev.HasData() && prev.TotalKgce > 0 {
		total.Delta, total.HasDelta, total.DeltaLabel = cur.TotalKgce/prev.TotalKgce-1, true, "同比"
	}
	p.Cards = append(p.Cards, total)
	for _, c := range p.P.Comparisons {
		cd := card{Label: c.Name, Value: fmtNum(c.Value), Unit: c.Unit, Status: c.Status, StatusName: c.StatusName()}
		if c.HasBase {
			cd.Delta, cd.HasDelta, cd.DeltaLabel = c.VsBaseline, true, fmt.Sprintf("较 %d 年", p.P.BaselineYear)
		}
		if c.HasTarget {
			cd.Note = fmt.Sprintf("%s目标 %s（%d 年）", p.P.Plan.Name, pctSigned(c.Target), p.P.TargetYear)
		} else if c.Status == "no_target" {
			cd.Note = fmt.Sprintf("%s目标未配置", p.P.Plan.Name)
		}
		p.Cards = append(p.Cards, cd)
	}
	p.Cards = append(p.Cards,
		card{Label: "用水总量", Value: fmtNum(cur.WaterM3), Unit: "m³"},
		card{Label: "二氧化碳排放", Value: fmtNum(cur.CO2Kg / 1000), Unit: "吨"},
		card{Label: "有数据的单位", Value: strconv.FormatInt(cur.ReportingUnits, 10), Unit: "/ " + strconv.FormatInt(cur.Units, 10) + " 个"},
	)
	if cur.PVGenerationKWh > 0 {
		p.Cards = append(p.Cards, card{Label: "光伏发电量", Value: fmtNum(cur.PVGenerationKWh), Unit: "kWh", Note: "只报告，不抵减综合能耗"})
	}
	months := 12
	if v.Partial {
		months = v.Span.Through
	}
	p.Trend, p.Mix = trendChart(tr, prevTr, months), mixChart(cur)
	for i := len(rank) - 1; i >= 0 && len(p.Top) < 8; i-- {
		p.Top = append(p.Top, rank[i])
	}
	p.Cards = append(p.Cards, card{Label: "待处理读数异常", Value: strconv.FormatInt(p.OpenAnomalies, 10), Unit: "项", Link: "/energy/anomalies?status=open"})
	return s.UI.Render(w, r, http.StatusOK, "energy/dashboard.html", p)
}

type unitPage struct {
	web.Globals
	V         viewCtx
	Org       org.Org
	P         Progress
	Usage     []usageRow
	Trend     chartOpt
	Meters    []Meter
	SubItems  []SubItemFigure
	SubChart  chartOpt
	OrgYear   OrgYear
	Children  int64
	CanEnter  bool
	CurYear   int
	HasData   bool
	Buildings []buildingRef
}

// usageRow is one type's months in the unit page's table.
type usageRow struct {
	Type  Type
	Cells [12]usageCell
	Total float64
}

type usageCell struct {
	Value      float64
	Has, Entry bool
}

type buildingRef struct {
	ID     int64
	Name   string
	Meters int64
}

func (s *Service) unitPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	o, err := org.GetOrg(ctx, s.DB, sc, id)
	if err != nil {
		return err
	}
	v, err := s.view(r, 0)
	if err != nil {
		return err
	}
	v.OrgID, v.Unit, v.ScopeLabel, v.Subtree = o.ID, &o, o.Name, false
	s.WaitRollups(ctx)
	p := &unitPage{Globals: s.UI.G(r, o.Name, web.Crumb{Label: "menu.energy|节能管理"}, web.Crumb{Label: "energy.dashboard|能耗总览", Path: "/energy/overview"},
		web.Crumb{Label: o.Name}), V: v, Org: o, Children: o.Children, CanEnter: s.UI != nil && web.PrincipalFrom(ctx) != nil && web.PrincipalFrom(ctx).Can("energy:enter"),
		CurYear: PeriodOf(s.Clock.Now().Unix()).Year}
	if p.P, err = ComputeProgress(ctx, s.DB, sc, Selection{OrgID: o.ID}, v.Span); err != nil { // one unit: cheap
		return err
	}
	p.HasData = p.P.Current.HasData()
	if p.OrgYear, err = GetOrgYear(ctx, s.DB, o.ID, v.Year); err != nil {
		return err
	}
	us, err := GetUsage(ctx, s.DB, o.ID, v.Year)
	if err != nil {
		return err
	}
	f, err := LoadFactors(ctx, s.DB, v.Year)
	if err != nil {
		return err
	}
	byType := map[string]Usage{}
	for _, u := range us {
		byType[u.EnergyType] = u
	}
	for _, t := range Types {
		u, ok := byType[t.Code]
		if !ok {
			continue
		}
		row := usageRow{Type: t, Total: u.Total()}
		for i := range row.Cells {
			row.Cells[i] = usageCell{Value: u.M[i], Has: u.Has[i], Entry: u.Entry[i]}
		}
		p.Usage = append(p.Usage, row)
	}
	tr, err := MonthlyTrend(ctx, s.DB, sc, Selection{OrgID: o.ID}, v.Year, f)
	if err != nil {
		return err
	}
	prev, err := MonthlyTrend(ctx, s.DB, sc, Selection{OrgID: o.ID}, v.Year-1, nil)
	if err != nil {
		return err
	}
	p.Trend = trendChart(tr, prev, 12) // every month with data, including meter-derived ones of the current month
	if p.Meters, _, err = ListMeters(ctx, s.DB, sc, MeterFilter{List: web.List{Page: 1, PageSize: 100}, OrgID: o.ID}); err != nil {
		return err
	}
	if p.SubItems, err = SubItemBreakdown(ctx, s.DB, sc, Selection{OrgID: o.ID}, 0, v.Year); err != nil {
		return err
	}
	if len(p.SubItems) > 0 {
		p.SubChart = subItemChart(p.SubItems)
	}
	if p.Buildings, err = buildingsOf(ctx, s.DB, o.ID); err != nil {
		return err
	}
	return s.UI.Render(w, r, http.StatusOK, "energy/unit.html", p)
}

// buildingsOf lists a unit's buildings with their meter counts.
func buildingsOf(ctx context.Context, q db.Q, orgID int64) ([]buildingRef, error) {
	return db.Select(ctx, q, func(sc db.Scanner) (buildingRef, error) {
		var b buildingRef
		return b, sc.Scan(&b.ID, &b.Name, &b.Meters)
	}, `SELECT b.id, b.name, (SELECT COUNT(*) FROM energy_meters m WHERE m.building_id = b.id) FROM buildings b WHERE b.org_id = ? ORDER BY b.id`, orgID)
}

type summaryPage struct {
	web.Globals
	V        viewCtx
	Rows     []UnitFigure
	Total    Indicators
	Types    []Type
	Cats     enum.List
	Category string
	Pager    web.Pager
}

// summaryColumns are the columns of the 统计汇总表 export.
func summaryHeaders() []string {
	h := []string{"单位", "统计类别", "用能人数", "建筑面积(m²)"}
	for _, t := range Types {
		h = append(h, t.Name+"("+UnitLabel(t.Unit)+")")
	}
	return append(h, "综合能耗(kgce)", "人均综合能耗(kgce/人)", "单位建筑面积能耗(kgce/m²)", "人均用水量(m³/人)", "二氧化碳排放(kg)", "单位建筑面积碳排放(kgCO₂/m²)")
}

func summaryRow(u UnitFigure) []any {
	row := []any{u.OrgName, org.Categories.Name(u.Category), u.Headcount, u.FloorAreaM2}
	for _, t := range Types {
		row = append(row, num.Round(u.Amounts[t.Code], 2))
	}
	return append(row, num.Round(u.TotalKgce, 2), u.Value(IndPerCapitaKgce), u.Value(IndPerAreaKgce), u.Value(IndPerCapitaWater), num.Round(u.CO2Kg, 2), u.Value(IndPerAreaCO2))
}

func (s *Service) summary(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	v, err := s.view(r, 1)
	if err != nil {
		return err
	}
	sel := v.selection()
	sel.Category = r.URL.Query().Get("category")
	if sel.Category != "" && !org.Categories.Has(sel.Category) {
		return errs.Invalid("category", "统计类别无效")
	}
	s.WaitRollups(ctx)
	rows, err := s.unitFiguresCached(ctx, sc, sel, v.Span)
	if err != nil {
		return err
	}
	total, err := s.computeCached(ctx, sc, sel, v.Span)
	if err != nil {
		return err
	}
	if web.WantsExport(r) {
		out := make([][]any, 0, len(rows)+1)
		for _, u := range rows {
			out = append(out, summaryRow(u))
		}
		tot := []any{"合计（" + strconv.FormatInt(total.ReportingUnits, 10) + " 个单位）", "", total.Headcount, total.FloorAreaM2}
		for _, t := range Types {
			tot = append(tot, total.Type(t.Code).Amount)
		}
		out = append(out, append(tot, total.TotalKgce, total.PerCapitaKgce, total.PerAreaKgce, total.PerCapitaWaterM3, total.CO2Kg, total.PerAreaCO2Kg))
		title := "能耗统计汇总" + v.SpanLabel
		return xlsx.Export(w, r, s.DB, s.Clock.Now(), title, summaryHeaders(), out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0)})
	}
	l, err := web.ParseList(r)
	if err != nil {
		return err
	}
	l.PageSize = 50
	p := &summaryPage{Globals: s.UI.G(r, "energy.summary|能耗统计汇总", web.Crumb{Label: "menu.energy|节能管理"}, web.Crumb{Label: "energy.summary|能耗统计汇总"}),
		V: v, Total: total, Cats: org.Categories, Category: sel.Category}
	for _, t := range Types { // the columns of the types anyone reported
		if total.Type(t.Code).Amount > 0 {
			p.Types = append(p.Types, t)
		}
	}
	p.Pager = web.NewPager(l, int64(len(rows)))
	from := min(l.Offset(), len(rows))
	p.Rows = rows[from:min(from+l.PageSize, len(rows))]
	return s.UI.Render(w, r, http.StatusOK, "energy/summary.html", p)
}

type rankPage struct {
	web.Globals
	V          viewCtx
	Items      []RankItem
	Cats       enum.List
	Category   string
	Indicator  string
	Indicators []IndicatorDef
	Unit       string
	Max        float64
	// By is what is ranked: units (default), or counties or cities against each other (Regions).
	By      string
	Regions []RegionRankItem
	// RegionCode narrows the units to one division (a region of the region ranking followed).
	RegionCode, RegionName string
	// Plan is the span's plan period: each unit is compared with its base year.
	Plan PlanPeriod
}

func (s *Service) rankings(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	v, err := s.view(r, 1)
	if err != nil {
		return err
	}
	p := &rankPage{Globals: s.UI.G(r, "energy.rankings|单位能耗排名", web.Crumb{Label: "menu.energy|节能管理"}, web.Crumb{Label: "energy.rankings|单位能耗排名"}),
		V: v, Cats: org.Categories, Category: r.URL.Query().Get("category"), Indicator: r.URL.Query().Get("indicator"), Indicators: IndicatorDefs}
	if !org.Categories.Has(p.Category) {
		p.Category = "organ"
	}
	d, ok := indicatorDef(p.Indicator)
	if !ok {
		d, _ = indicatorDef(IndPerAreaKgce)
	}
	p.Indicator, p.Unit = d.Code, d.Unit
	sel := v.selection()
	sel.Category = p.Category
	if rc := r.URL.Query().Get("region_code"); rc != "" {
		if len(rc) != 6 || strings.Trim(rc, "0123456789") != "" {
			return errs.Invalid("region_code", "行政区划代码应为 6 位数字")
		}
		sel.RegionCode, p.RegionCode, p.RegionName = rc, rc, org.RegionName(ctx, s.DB, rc)
	}
	s.WaitRollups(ctx)
	p.By = r.URL.Query().Get("by")
	if p.By == ByCounty || p.By == ByCity {
		if p.Regions, err = RegionRankings(ctx, s.DB, auth.ScopeFrom(ctx), sel, v.Span, p.Indicator, p.By); err != nil {
			return err
		}
		if web.WantsExport(r) {
			rows := make([][]any, 0, len(p.Regions))
			for _, it := range p.Regions {
				rows = append(rows, []any{it.Rank, it.RegionName, it.Units, it.Value, it.TotalKgce, it.Headcount, it.FloorAreaM2, it.VsMedian})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "区域排名-"+d.Name+"-"+v.SpanLabel,
				[]string{"名次", "行政区域", "单位数", d.Name + "(" + d.Unit + ")", "综合能耗(kgce)", "用能人数", "建筑面积(m²)", "较中位数"}, rows, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0), Sum: []string{"单位数", "综合能耗(kgce)", "用能人数", "建筑面积(m²)"}, Blank: []string{"建筑面积(m²)"}})
		}
		return s.UI.Render(w, r, http.StatusOK, "energy/rankings.html", p)
	}
	p.By = ByUnit
	if p.Items, err = s.rankingsCached(ctx, auth.ScopeFrom(ctx), sel, v.Span, p.Indicator); err != nil {
		return err
	}
	if p.Items, p.Plan, err = s.withBaseline(ctx, auth.ScopeFrom(ctx), sel, v.Span, p.Indicator, p.Items); err != nil {
		return err
	}
	for _, it := range p.Items {
		p.Max = max(p.Max, it.Value)
	}
	if web.WantsExport(r) {
		rows := make([][]any, 0, len(p.Items))
		for _, it := range p.Items {
			var vb any
			if it.HasBase {
				vb = it.VsBaseline
			}
			rows = append(rows, []any{it.Rank, it.OrgName, it.Value, it.TotalKgce, it.Headcount, it.FloorAreaM2, it.VsMedian, vb})
		}
		return xlsx.Export(w, r, s.DB, s.Clock.Now(), "单位排名-"+d.Name+"-"+v.SpanLabel,
			[]string{"名次", "单位", d.Name + "(" + d.Unit + ")", "综合能耗(kgce)", "用能人数", "建筑面积(m²)", "较中位数", fmt.Sprintf("较%d年（%s基准年）", p.Plan.BaseYear, p.Plan.Name)}, rows, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0), Sum: []string{"综合能耗(kgce)", "用能人数", "建筑面积(m²)"}, Blank: []string{"建筑面积(m²)"}})
	}
	return s.UI.Render(w, r, http.StatusOK, "energy/rankings.html", p)
}

// fmtNum renders a number for cards: thousands separators, two decimals below 100, none above 10,000.
func fmtNum(v float64) string {
	switch {
	case v >= 10000:
		return web.FormatNum(math.Round(v))
	case v >= 100:
		return strconv.FormatFloat(num.Round(v, 1), 'f', -1, 64)
	}
	return strconv.FormatFloat(num.Round(v, 2), 'f', -1, 64)
}

// pctSigned renders a ratio as a signed percentage ("−5.0%").
func pctSigned(v float64) string {
	s := strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
	if v > 0 {
		return "+" + s
	}
	return s
}
