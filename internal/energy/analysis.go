package energy

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/num"
)

// Comparison is one indicator of a year against the previous year, the baseline and its target.
type Comparison struct {
	Indicator  string  `json:"indicator"`
	Name       string  `json:"name"`
	Unit       string  `json:"unit"`
	Value      float64 `json:"value"`
	Previous   float64 `json:"previous"`
	YoY        float64 `json:"yoy" doc:"同比变化（比例，-0.03 为下降 3%）"`
	HasYoY     bool    `json:"has_yoy"`
	Baseline   float64 `json:"baseline"`
	VsBaseline float64 `json:"vs_baseline" doc:"较基准年变化（比例）"`
	HasBase    bool    `json:"has_baseline"`
	Target     float64 `json:"target" doc:"目标年较基准年的变化目标（比例，-0.05 为下降 5%）"`
	HasTarget  bool    `json:"has_target"`
	// Expected is where the indicator should be by this year on a straight path from the baseline to the target.
	Expected float64 `json:"expected" doc:"按基准年到目标年匀速推进，本年应达到的变化比例"`
	// Progress is the share of the target achieved (VsBaseline / Target; 1 = met).
	Progress float64 `json:"progress"`
	Status   string  `json:"status" doc:"met 已达目标 · on_track 进度正常 · behind 落后于进度 · no_target 本规划期未配置目标 · no_baseline 无基准年数据 · no_data 本年无数据"`
	Source   string  `json:"source,omitempty"`
}

// StatusName is the Chinese name of the status.
func (c Comparison) StatusName() string {
	return map[string]string{"met": "已达目标", "on_track": "进度正常", "behind": "落后于进度", "no_target": "未配置目标", "no_baseline": "无基准年数据",
		"no_data": "本年无数据"}[c.Status]
}

// Progress is a year's indicators with their comparisons.
type Progress struct {
	Current      Indicators `json:"current"`
	Previous     Indicators `json:"previous"`
	Baseline     Indicators `json:"baseline"`
	BaselineYear int        `json:"baseline_year" doc:"所在规划期的基准年"`
	TargetYear   int        `json:"target_year" doc:"所在规划期的目标年（末年）"`
	Plan         PlanPeriod `json:"plan_period" doc:"年份所在的规划期（十四五 2021–2025 以 2020 为基准，十五五 2026–2030 以 2025 为基准）"`
	// TargetsConfigured is false when the period has no target configured yet: the comparisons then show the change
	// against the period's base year only, never another period's targets.
	TargetsConfigured bool         `json:"targets_configured" doc:"该规划期是否已配置目标"`
	Comparisons       []Comparison `json:"comparisons"`
}

// targetIndicators are the indicators with plan targets, in the plan's order.
var targetIndicators = []string{IndPerAreaKgce, IndPerCapitaKgce, IndPerCapitaWater, IndPerAreaCO2}

// ComputeProgress computes the year's indicators, the previous year's and the baseline year's, and compares each
// target indicator with its target (targets of the selection's region, else national).
func ComputeProgress(ctx context.Context, q db.Q, sc auth.Scope, sel Selection, span Span) (Progress, error) {
	p, _, _, err := progressAndTrends(ctx, q, sc, sel, span, false, nil)
	return p, err
}

// yearPart is what progressAndTrends computes of one year: its indicators and, when asked, its monthly trend.
type yearPart struct {
	In Indicators
	Tr Trend
}

// partFunc computes one year's part through compute, or from a cache (progressCached).
type partFunc func(sp Span, trend bool, compute func() (yearPart, error)) (yearPart, error)

// progressAndTrends is ComputeProgress, with trends also the monthly trends of the year and the previous year
// derived from the same passes over the figures (one per year), run side by side.
func progressAndTrends(ctx context.Context, q db.Q, sc auth.Scope, sel Selection, span Span, trends bool, part partFunc) (Progress, Trend, Trend, error) {
	var p Progress
	var curTr, prevTr Trend
	if err := span.check(); err != nil {
		return p, curTr, prevTr, err
	}
	flt, err := sel.filter(ctx, q, sc, true)
	if err != nil {
		return p, curTr, prevTr, err
	}
	f, err := LoadFactors(ctx, q, span.Year)
	if err != nil {
		return p, curTr, prevTr, err
	}
	region := sel.RegionCode
	// The plan period holding the year gives the base year, the target year and the targets
	// (docs/domain/energy.md §Plan periods).
	p.Plan, _ = f.Period(span.Year, region)
	p.BaselineYear, p.TargetYear = p.Plan.BaseYear, p.Plan.LastYear
	prev, base := span, span
	prev.Year--
	base.Year = p.BaselineYear
	// The three years are independent reads: on a database (not inside a transaction) they run side by side.
	if part == nil {
		part = func(_ Span, _ bool, compute func() (yearPart, error)) (yearPart, error) { return compute() }
	}
	year := func(sp Span, f *Factors, in *Indicators, tr *Trend) func() error {
		return func() error {
			if sp.Year < minYear {
				return nil
			}
			trend := tr != nil && trends
			got, err := part(sp, trend, func() (yearPart, error) {
				var out yearPart
				var agg yearAgg
				var err error
				if trend {
					agg, err = loadYearAgg(ctx, q, flt, sp.Year, sp.months())
				} else {
					agg, err = loadSpanAgg(ctx, q, flt, sp)
				}
				if err != nil {
					return out, err
				}
				f := f
				if f == nil {
					if f, err = LoadFactors(ctx, q, sp.Year); err != nil {
						return out, err
					}
				}
				if out.In, err = computeFrom(ctx, q, sel, sp, f, agg, flt); err != nil {
					return out, err
				}
				if trend {
					out.Tr, err = trendFrom(ctx, q, agg, f)
				}
				return out, err
			})
			if err != nil {
				return err
			}
			*in = got.In
			if trend {
				*tr = got.Tr
			}
			return nil
		}
	}
	if err := parallel(q, year(span, f, &p.Current, &curTr), year(prev, nil, &p.Previous, &prevTr), year(base, nil, &p.Baseline, nil)); err != nil {
		return p, curTr, prevTr, err
	}
	for _, code := range targetIndicators {
		d, _ := indicatorDef(code)
		c := Comparison{Indicator: code, Name: d.Name, Unit: d.Unit, Value: p.Current.Value(code)}
		if p.Previous.HasData() {
			c.Previous = p.Previous.Value(code)
			if c.Previous > 0 {
				c.YoY, c.HasYoY = num.Round(c.Value/c.Previous-1, 4), true
			}
		}
		if p.Baseline.HasData() {
			c.Baseline = p.Baseline.Value(code)
			if c.Baseline > 0 {
				c.VsBaseline, c.HasBase = num.Round(c.Value/c.Baseline-1, 4), true
			}
		}
		if t, ok := f.Target(p.Plan.Code+"/"+code, region); ok && p.Plan.Code != "" {
			c.Target, c.HasTarget, c.Source = t.Value, true, t.Source
			p.TargetsConfigured = true
		}
		switch {
		case !p.Current.HasData():
			c.Status = "no_data"
		case !c.HasBase:
			c.Status = "no_baseline"
		case c.HasTarget:
			years := float64(p.TargetYear - p.BaselineYear)
			elapsed := math.Min(float64(span.Year-p.BaselineYear), years)
			if years > 0 {
				c.Expected = num.Round(c.Target*elapsed/years, 4)
			}
			if c.Target != 0 {
				c.Progress = num.Round(c.VsBaseline/c.Target, 4)
			}
			switch {
			case c.VsBaseline <= c.Target:
				c.Status = "met"
			case c.VsBaseline <= c.Expected:
				c.Status = "on_track"
			default:
				c.Status = "behind"
			}
		default:
			c.Status = "no_target"
		}
		p.Comparisons = append(p.Comparisons, c)
	}
	return p, curTr, prevTr, nil
}

// UnitFigure is one unit's figures over a span: amounts by type, standard coal, CO₂ and its denominators.
type UnitFigure struct {
	OrgID       int64              `json:"org_id"`
	OrgName     string             `json:"org_name"`
	Category    string             `json:"category"`
	RegionCode  string             `json:"region_code"`
	Amounts     map[string]float64 `json:"amounts" doc:"品种 → 用量"`
	TotalKgce   float64            `json:"total_kgce"`
	WaterM3     float64            `json:"water_m3"`
	CO2Kg       float64            `json:"co2_kg"`
	Headcount   int64              `json:"headcount"`
	FloorAreaM2 float64            `json:"floor_area_m2"`
}

// Value is the unit's indicator.
func (u UnitFigure) Value(indicator string) float64 {
	switch indicator {
	case IndPerAreaKgce:
		return ratio(u.TotalKgce, u.FloorAreaM2)
	case IndPerCapitaKgce:
		return ratio(u.TotalKgce, float64(u.Headcount))
	case IndPerCapitaWater:
		return ratio(u.WaterM3, float64(u.Headcount))
	case IndPerAreaCO2:
		return ratio(u.CO2Kg, u.FloorAreaM2)
	case IndTotalKgce:
		return u.TotalKgce
	}
	return 0
}

// UnitFigures computes every selected unit with data in the span, in the units' tree order (level, then the order
// of the unit list): one query over
// energy_usage (one row per unit and type) and the factors of each unit's region.
func UnitFigures(ctx context.Context, q db.Q, sc auth.Scope, sel Selection, span Span, f *Factors) ([]UnitFigure, error) {
	if err := span.check(); err != nil {
		return nil, err
	}
	w, args, err := sel.where(ctx, q, sc)
	if err != nil {
		return nil, err
	}
	if f == nil {
		if f, err = LoadFactors(ctx, q, span.Year); err != nil {
			return nil, err
		}
	}
	if built, err := sumsBuilt(ctx, q); err != nil {
		return nil, err
	} else if built {
		return unitFiguresPacked(ctx, q, w, args, span, f)
	}
	rows, err := q.Query(ctx, `SELECT o.id, o.name, o.category, COALESCE(o.region_code, ''), COALESCE(y.headcount, o.headcount),
		COALESCE(y.floor_area_m2, o.floor_area_m2), u.energy_type, `+span.sumExpr()+`
		FROM orgs o JOIN energy_usage u ON u.org_id = o.id AND u.year = ? LEFT JOIN energy_org_years y ON y.org_id = o.id AND y.year = ?
		WHERE `+w+` AND (u.data_mask & ?) <> 0 ORDER BY o.depth, o.sort, o.id`, append(append([]any{span.Year, span.Year}, args...), span.months())...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UnitFigure
	for rows.Next() {
		var it UnitFigure
		var typ string
		var amount float64
		if err := rows.Scan(&it.OrgID, &it.OrgName, &it.Category, &it.RegionCode, &it.Headcount, &it.FloorAreaM2, &typ, &amount); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].OrgID != it.OrgID {
			it.Amounts = map[string]float64{}
			out = append(out, it)
		}
		a := &out[len(out)-1]
		t, ok := TypeByCode(typ)
		if !ok {
			continue
		}
		a.Amounts[typ] += amount
		switch {
		case typ == "water":
			a.WaterM3 += amount
		case t.Counted:
			if k := f.Kgce(typ, a.RegionCode); k.Found {
				a.TotalKgce += amount * k.Value
			}
			if c := f.CO2(typ, a.RegionCode); c.Found {
				a.CO2Kg += amount * c.Value
			}
		}
	}
	for i := range out {
		out[i].TotalKgce, out[i].CO2Kg, out[i].WaterM3 = num.Round(out[i].TotalKgce, 4), num.Round(out[i].CO2Kg, 4), num.Round(out[i].WaterM3, 4)
	}
	return out, rows.Err()
}

// unitFiguresPacked is UnitFigures from the packed unit-year rows kept at write time (sums.go): one row per unit
// instead of one per unit and type, put in tree order here (sorting the packs in SQL would carry them through the
// sorter), each type's factors looked up once per region.
func unitFiguresPacked(ctx context.Context, q db.Q, w string, args []any, span Span, f *Factors) ([]UnitFigure, error) {
	mask := span.months()
	rows, err := q.Query(ctx, `SELECT o.id, o.name, o.category, COALESCE(o.region_code, ''), COALESCE(y.headcount, o.headcount),
		COALESCE(y.floor_area_m2, o.floor_area_m2), o.depth, o.sort, p.pack
		FROM orgs o JOIN energy_unit_packs p ON p.org_id = o.id AND p.year = ? LEFT JOIN energy_org_years y ON y.org_id = o.id AND y.year = ?
		WHERE `+w+` AND (p.data_mask & ?) <> 0`, append(append([]any{span.Year, span.Year}, args...), mask)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type factorKey struct{ typ, region string }
	type factorPair struct{ kgce, co2 Factor }
	factors := map[factorKey]factorPair{}
	var out []UnitFigure
	type order struct{ depth, sort int64 }
	var ord []order
	var pack []byte
	for rows.Next() {
		var it UnitFigure
		var o order
		if err := rows.Scan(&it.OrgID, &it.OrgName, &it.Category, &it.RegionCode, &it.Headcount, &it.FloorAreaM2, &o.depth, &o.sort, &pack); err != nil {
			return nil, err
		}
		it.Amounts = make(map[string]float64, 8)
		ok := unpack(pack, func(p packedType) {
			if p.Mask&mask == 0 {
				return
			}
			t := p.Type
			amount := p.Total
			if mask != 0xfff {
				amount = 0
				for i, v := range p.M {
					if mask&(1<<i) != 0 {
						amount += v
					}
				}
			}
			it.Amounts[t.Code] += amount
			switch {
			case t.Code == "water":
				it.WaterM3 += amount
			case t.Counted:
				k := factorKey{t.Code, it.RegionCode}
				fp, ok := factors[k]
				if !ok {
					fp = factorPair{f.Kgce(t.Code, it.RegionCode), f.CO2(t.Code, it.RegionCode)}
					factors[k] = fp
				}
				if fp.kgce.Found {
					it.TotalKgce += amount * fp.kgce.Value
				}
				if fp.co2.Found {
					it.CO2Kg += amount * fp.co2.Value
				}
			}
		})
		if !ok {
			return nil, fmt.Errorf("energy_unit_packs: malformed row of unit %d, year %d", it.OrgID, span.Year)
		}
		it.TotalKgce, it.CO2Kg, it.WaterM3 = num.Round(it.TotalKgce, 4), num.Round(it.CO2Kg, 4), num.Round(it.WaterM3, 4)
		out = append(out, it)
		ord = append(ord, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool {
		x, y := ord[idx[a]], ord[idx[b]]
		if x.depth != y.depth {
			return x.depth < y.depth
		}
		if x.sort != y.sort {
			return x.sort < y.sort
		}
		return out[idx[a]].OrgID < out[idx[b]].OrgID
	})
	sorted := make([]UnitFigure, len(out))
	for i, j := range idx {
		sorted[i] = out[j]
	}
	return sorted, nil
}

// parallel runs independent reads concurrently when q is the database itself (each on its own connection), in
// turn when q is a transaction; it returns the first error.
func parallel(q db.Q, fns ...func() error) error {
	if _, ok := q.(*db.DB); !ok {
		for _, fn := range fns {
			if err := fn(); err != nil {
				return err
			}
		}
		return nil
	}
	errc := make(chan error, len(fns))
	for _, fn := range fns {
		go func() { errc <- fn() }()
	}
	var first error
	for range fns {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// RankItem is one unit of a ranking.
type RankItem struct {
	Rank int `json:"rank"`
	UnitFigure
	Value float64 `json:"value"`
	// VsMedian is the unit's value against the median of the ranking (0.2 = 20 % above).
	VsMedian float64 `json:"vs_median"`
	// Baseline and VsBaseline compare the unit with itself in the base year of the span's plan period (the same
	// months), set by the rankings page and API (withBaseline).
	Baseline   float64 `json:"baseline,omitempty" doc:"所在规划期基准年同期的指标值"`
	VsBaseline float64 `json:"vs_baseline,omitempty" doc:"较规划期基准年的变化（比例）"`
	HasBase    bool    `json:"has_baseline"`
}

// Rankings ranks the units of a selection (normally one category) by an indicator over a span, lowest (best)
// first. Units with no data in the span, or without the denominator (headcount or area), are left out.
func Rankings(ctx context.Context, q db.Q, sc auth.Scope, sel Selection, span Span, indicator string) ([]RankItem, error) {
	if _, ok := indicatorDef(indicator); !ok {
		return nil, errs.Invalid("indicator", "指标应为 per_area_kgce、per_capita_kgce、per_capita_water、per_area_co2 或 total_kgce")
	}
	units, err := UnitFigures(ctx, q, sc, sel, span, nil)
	if err != nil {
		return nil, err
	}
	out := make([]RankItem, 0, len(units))
	for _, u := range units {
		if v := u.Value(indicator); v > 0 {
			out = append(out, RankItem{UnitFigure: u, Value: v})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Value != out[j].Value {
			return out[i].Value < out[j].Value
		}
		return out[i].OrgID < out[j].OrgID
	})
	vals := make([]float64, len(out))
	for i := range out {
		vals[i] = out[i].Value
	}
	med := median(vals)
	for i := range out {
		out[i].Rank = i + 1
		if med > 0 {
			out[i].VsMedian = num.Round(out[i].Value/med-1, 4)
		}
	}
	return out, nil
}

// Trend is a year's monthly figures by type (amounts and kgce), for charts.
type Trend struct {
	Year   int                    `json:"year"`
	Amount map[string][12]float64 `json:"amount"`
	Kgce   map[string][12]float64 `json:"kgce"`
	CO2    map[string][12]float64 `json:"co2_kg"`
	Has    [12]bool               `json:"-"`
}

// MonthlyTrend sums a selection's figures per month and type for a year.
func MonthlyTrend(ctx context.Context, q db.Q, sc auth.Scope, sel Selection, year int, f *Factors) (Trend, error) {
	flt, err := sel.filter(ctx, q, sc, true)
	if err != nil {
		return Trend{}, err
	}
	agg, err := loadYearAgg(ctx, q, flt, year, 0xfff)
	if err != nil {
		return Trend{}, err
	}
	return trendFrom(ctx, q, agg, f)
}

// trendFrom converts a year's aggregate into the monthly trend.
func trendFrom(ctx context.Context, q db.Q, agg yearAgg, f *Factors) (Trend, error) {
	tr := Trend{Year: agg.Year, Amount: map[string][12]float64{}, Kgce: map[string][12]float64{}, CO2: map[string][12]float64{}}
	if f == nil {
		var err error
		if f, err = LoadFactors(ctx, q, agg.Year); err != nil {
			return tr, err
		}
	}
	for _, r := range agg.Rows {
		k, c := f.Kgce(r.Type, r.Region), f.CO2(r.Type, r.Region)
		a, kg, co := tr.Amount[r.Type], tr.Kgce[r.Type], tr.CO2[r.Type]
		for i, v := range r.M {
			a[i] += v
			if k.Found {
				kg[i] += v * k.Value
			}
			if c.Found {
				co[i] += v * c.Value
			}
			if v != 0 {
				tr.Has[i] = true
			}
		}
		tr.Amount[r.Type], tr.Kgce[r.Type], tr.CO2[r.Type] = a, kg, co
	}
	return tr, nil
}
