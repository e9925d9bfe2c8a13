package energy

import (
	"context"
	"fmt"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/num"
)

// Selection picks the units an indicator covers, within the caller's scope.
type Selection struct {
	OrgID      int64  // one unit (and, with Subtree, everything below it); 0 = the whole scope
	Subtree    bool   // include the units below OrgID
	RegionCode string // only units whose region lies in this division (6 digits; 990000 a province, 990100 a city)
	Category   string // only units of this statistics category
}

// Span is the part of a year an indicator covers: the year, a quarter (1–4), a month (1–12), or the months up
// to Through (year to date, for comparing a year in progress with the same months of other years).
type Span struct {
	Year    int
	Quarter int
	Month   int
	Through int
}

// Label renders the span ("2025", "2025 Q1", "2025-03").
func (s Span) Label() string {
	switch {
	case s.Month > 0:
		return fmt.Sprintf("%04d-%02d", s.Year, s.Month)
	case s.Quarter > 0:
		return fmt.Sprintf("%04d Q%d", s.Year, s.Quarter)
	case s.Through > 0 && s.Through < 12:
		return fmt.Sprintf("%04d-01–%02d", s.Year, s.Through)
	}
	return fmt.Sprintf("%04d", s.Year)
}

// months is the mask of the span's months (bit m-1).
func (s Span) months() int64 {
	switch {
	case s.Month > 0:
		return 1 << (s.Month - 1)
	case s.Quarter > 0:
		return 7 << (3 * (s.Quarter - 1))
	case s.Through > 0 && s.Through < 12:
		return 1<<s.Through - 1
	}
	return 0xfff
}

// sumExpr is the SQL sum of the span's month columns of energy_usage u.
func (s Span) sumExpr() string { return s.sumExprOn("u") }

// sumExprOn is sumExpr on the table aliased t (energy_usage or energy_sums).
func (s Span) sumExprOn(t string) string {
	if s.months() == 0xfff {
		return t + ".total"
	}
	var parts []string
	mask := s.months()
	for m := 1; m <= 12; m++ {
		if mask&(1<<(m-1)) != 0 {
			parts = append(parts, fmt.Sprintf("COALESCE(%s.m%02d, 0)", t, m))
		}
	}
	return strings.Join(parts, " + ")
}

func (s Span) check() error {
	f := errs.Fields{}
	if s.Year < minYear || s.Year > 9999 {
		f.Add("year", "年份应为 4 位数字，不早于 2000 年")
	}
	if s.Quarter < 0 || s.Quarter > 4 {
		f.Add("quarter", "季度应为 1–4")
	}
	if s.Month < 0 || s.Month > 12 {
		f.Add("month", "月份应为 1–12")
	}
	if s.Quarter > 0 && s.Month > 0 {
		f.Add("month", "季度与月份只能给一个")
	}
	if s.Through < 0 || s.Through > 12 {
		f.Add("through", "截止月份应为 1–12")
	}
	return f.Err()
}

// where builds the conditions on orgs o for a selection in a scope.
func (sel Selection) where(ctx context.Context, q db.Q, sc auth.Scope) (string, []any, error) {
	f, err := sel.filter(ctx, q, sc, false)
	return f.W, f.Args, err
}

// orgFilter is a selection in a scope: the conditions on orgs o, and when the kept sums can answer it
// (sums.go), the node whose sums to read, the unit whose own figures to add and the region and category filters.
type orgFilter struct {
	W    string
	Args []any
	Sums bool
	Node int64
	Own  int64
	sel  Selection
}

// filter is where, with the sums' node when sums is set and the sums are fresh.
func (sel Selection) filter(ctx context.Context, q db.Q, sc auth.Scope, sums bool) (orgFilter, error) {
	out := orgFilter{sel: sel}
	cond, args := sc.PathCond("o.id", "o.path")
	parts := []string{cond}
	var path string
	if sel.OrgID != 0 {
		if sel.Subtree {
			if err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", sel.OrgID).Scan(&path); err != nil {
				if db.IsNoRows(err) {
					return out, errs.NotFound("单位")
				}
				return out, err
			}
			parts, args = append(parts, "o.path >= ? AND o.path < ?"), append(args, path, db.PrefixUpper(path))
		} else {
			parts, args = append(parts, "o.id = ?"), append(args, sel.OrgID)
		}
	}
	if sel.RegionCode != "" {
		parts, args = append(parts, "o.region_code LIKE ? ESCAPE '\\'"), append(args, db.LikePrefix(regionPrefix(sel.RegionCode)))
	}
	if sel.Category != "" {
		parts, args = append(parts, "o.category = ?"), append(args, sel.Category)
	}
	out.W, out.Args = strings.Join(parts, " AND "), args
	if sums {
		if node, own, ok := sumNode(sc, sel, path); ok && sumsFresh(ctx, q) {
			out.Sums, out.Node, out.Own = true, node, own
		}
	}
	return out, nil
}

// sumsWhere is the condition on a sums table s for the filter's node, year and region and category.
func (f orgFilter) sumsWhere(year int) (string, []any) {
	w, args := "s.node_id = ? AND s.year = ?", []any{f.Node, year}
	if f.sel.RegionCode != "" {
		w, args = w+" AND s.region_code LIKE ? ESCAPE '\\'", append(args, db.LikePrefix(regionPrefix(f.sel.RegionCode)))
	}
	if f.sel.Category != "" {
		w, args = w+" AND s.category = ?", append(args, f.sel.Category)
	}
	return w, args
}

// ownWhere is the filter's condition restricted to its own unit (the node's own figures, not in its sums).
func (f orgFilter) ownWhere() (string, []any) {
	return f.W + " AND o.id = ?", append(append([]any{}, f.Args...), f.Own)
}

// regionPrefix trims a division code's trailing zero pairs: 990000 → 99, 990100 → 9901, 990121 → 990121.
func regionPrefix(code string) string {
	for len(code) > 2 && strings.HasSuffix(code, "00") {
		code = code[:len(code)-2]
	}
	return code
}

// TypeFigure is one energy type of an indicator (by_type of docs/api.md §Energy).
type TypeFigure struct {
	EnergyType string  `json:"energy_type"`
	Name       string  `json:"name"`
	Unit       string  `json:"unit"`
	Amount     float64 `json:"amount"`
	Kgce       float64 `json:"kgce" doc:"折标煤；水不折标；光伏发电量的折标只报告、不计入综合能耗"`
	CO2Kg      float64 `json:"co2_kg"`
	Counted    bool    `json:"counted" doc:"计入综合能耗"`
}

// Indicators is GET /api/v1/energy/indicators (docs/api.md §Energy) with the context a reader needs.
type Indicators struct {
	OrgID            int64        `json:"org_id,omitempty"`
	Subtree          bool         `json:"subtree"`
	Year             int          `json:"year"`
	Period           string       `json:"period" doc:"2025 · 2025 Q1 · 2025-03"`
	TotalKgce        float64      `json:"total_kgce" doc:"综合能耗 kgce（不含水；光伏自发自用不抵减）"`
	PerCapitaKgce    float64      `json:"per_capita_kgce"`
	PerAreaKgce      float64      `json:"per_area_kgce"`
	WaterM3          float64      `json:"water_m3"`
	PerCapitaWaterM3 float64      `json:"per_capita_water_m3"`
	CO2Kg            float64      `json:"co2_kg"`
	PerAreaCO2Kg     float64      `json:"per_area_co2_kg"`
	ByType           []TypeFigure `json:"by_type"`
	PVGenerationKWh  float64      `json:"pv_generation_kwh" doc:"光伏发电量（只报告）"`
	Headcount        int64        `json:"headcount" doc:"用能人数（有数据的单位合计）"`
	FloorAreaM2      float64      `json:"floor_area_m2" doc:"建筑面积（有数据的单位合计）"`
	Units            int64        `json:"units" doc:"所选范围内的单位数"`
	ReportingUnits   int64        `json:"reporting_units" doc:"该期间有数据的单位数"`
}

// yearAgg is a selection's figures of one year summed per region and type, month by month: one pass over
// energy_usage (one row per unit, year and type, so a province of 20,000 units reads 160,000 rows). Indicators of
// any span of the year and the monthly trend are both derived from it.
type yearAgg struct {
	Year   int
	Rows   []aggRow
	single bool // loadSpanAgg: M[0] holds the span's sum
}

type aggRow struct {
	Region, Type string
	Present      bool // some unit has a figure of this type in the span the aggregate was loaded for
	M            [12]float64
}

var monthSums = func() string {
	var b strings.Builder
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&b, ", SUM(COALESCE(u.m%02d, 0))", m)
	}
	return b.String()
}()

// loadYearAgg sums the units matching f for year; Present tells, per region and type, whether any unit has a
// figure in the months of mask. With the kept sums (sums.go) it reads the node's sums and the node's own figures.
func loadYearAgg(ctx context.Context, q db.Q, f orgFilter, year int, mask int64) (yearAgg, error) {
	agg := yearAgg{Year: year}
	query := `SELECT COALESCE(o.region_code, '') AS r, u.energy_type AS t, MAX(u.data_mask & ?) AS p` + monthSums + `
		FROM orgs o JOIN energy_usage u ON u.org_id = o.id AND u.year = ? WHERE ` + f.W + `
		GROUP BY COALESCE(o.region_code, ''), u.energy_type`
	args := append([]any{mask, year}, f.Args...)
	if f.Sums {
		sw, sargs := f.sumsWhere(year)
		query = `SELECT s.region_code AS r, s.energy_type AS t, MAX(s.data_mask & ?) AS p` + aliasedSums("s") + `
			FROM energy_sums s WHERE ` + sw + ` GROUP BY s.region_code, s.energy_type`
		args = append([]any{mask}, sargs...)
		if f.Own != 0 {
			ow, oargs := f.ownWhere()
			var outer strings.Builder
			outer.WriteString("SELECT r, t, MAX(p)")
			for m := 1; m <= 12; m++ {
				fmt.Fprintf(&outer, ", SUM(c%02d)", m)
			}
			query = outer.String() + " FROM (" + query + ` UNION ALL SELECT COALESCE(o.region_code, ''), u.energy_type, MAX(u.data_mask & ?)` + monthSums + `
				FROM orgs o JOIN energy_usage u ON u.org_id = o.id AND u.year = ? WHERE ` + ow + ` GROUP BY COALESCE(o.region_code, ''), u.energy_type) x GROUP BY r, t`
			args = append(append(args, mask, year), oargs...)
		}
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return agg, err
	}
	defer rows.Close()
	for rows.Next() {
		var r aggRow
		var present int64
		dest := []any{&r.Region, &r.Type, &present}
		for i := range r.M {
			dest = append(dest, &r.M[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return agg, err
		}
		r.Present = present != 0
		agg.Rows = append(agg.Rows, r)
	}
	return agg, rows.Err()
}

// aliasedSums is monthSums on table t with the columns named c01…c12 (for an outer query).
func aliasedSums(t string) string {
	var b strings.Builder
	for m := 1; m <= 12; m++ {
		fmt.Fprintf(&b, ", SUM(COALESCE(%s.m%02d, 0)) AS c%02d", t, m, m)
	}
	return b.String()
}

// Compute is the indicator roll-up: the effective figures of the selected units summed by region and type in
// SQL, converted with the factors of the accounting year for each unit's region. Per capita and per m² divide by
// the 用能人数 and 建筑面积 of the units with data in the span (a single unit: its own).
func Compute(ctx context.Context, q db.Q, sc auth.Scope, sel Selection, span Span, f *Factors) (Indicators, error) {
	if err := span.check(); err != nil {
		return Indicators{}, err
	}
	flt, err := sel.filter(ctx, q, sc, true)
	if err != nil {
		return Indicators{}, err
	}
	agg, err := loadSpanAgg(ctx, q, flt, span)
	if err != nil {
		return Indicators{}, err
	}
	return computeFrom(ctx, q, sel, span, f, agg, flt)
}

// loadSpanAgg is the cheaper aggregate when only one span is needed: the span's sum per region and type (the
// stored yearly total for a whole year), kept in M[0] with the mask of that month.
func loadSpanAgg(ctx context.Context, q db.Q, f orgFilter, span Span) (yearAgg, error) {
	agg := yearAgg{Year: span.Year, single: true}
	query := `SELECT COALESCE(o.region_code, ''), u.energy_type, SUM(` + span.sumExpr() + `)
		FROM orgs o JOIN energy_usage u ON u.org_id = o.id AND u.year = ? WHERE ` + f.W + ` AND (u.data_mask & ?) <> 0
		GROUP BY COALESCE(o.region_code, ''), u.energy_type`
	args := append(append([]any{span.Year}, f.Args...), span.months())
	if f.Sums {
		sw, sargs := f.sumsWhere(span.Year)
		query = `SELECT s.region_code AS r, s.energy_type AS t, SUM(` + span.sumExprOn("s") + `) AS v
			FROM energy_sums s WHERE ` + sw + ` AND (s.data_mask & ?) <> 0 GROUP BY s.region_code, s.energy_type`
		args = append(sargs, span.months())
		if f.Own != 0 {
			ow, oargs := f.ownWhere()
			query = `SELECT r, t, SUM(v) FROM (` + query + ` UNION ALL SELECT COALESCE(o.region_code, ''), u.energy_type, ` + span.sumExpr() + `
				FROM orgs o JOIN energy_usage u ON u.org_id = o.id AND u.year = ? WHERE ` + ow + ` AND (u.data_mask & ?) <> 0) x GROUP BY r, t`
			args = append(append(append(args, span.Year), oargs...), span.months())
		}
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return agg, err
	}
	defer rows.Close()
	for rows.Next() {
		r := aggRow{Present: true}
		if err := rows.Scan(&r.Region, &r.Type, &r.M[0]); err != nil {
			return agg, err
		}
		agg.Rows = append(agg.Rows, r)
	}
	return agg, rows.Err()
}

// computeFrom derives the indicators of span from the year's aggregate and adds the denominators.
func computeFrom(ctx context.Context, q db.Q, sel Selection, span Span, f *Factors, agg yearAgg, flt orgFilter) (Indicators, error) {
	w, args := flt.W, flt.Args
	out := Indicators{OrgID: sel.OrgID, Subtree: sel.Subtree, Year: span.Year, Period: span.Label(), ByType: []TypeFigure{}}
	var err error
	if f == nil {
		if f, err = LoadFactors(ctx, q, span.Year); err != nil {
			return out, err
		}
	}
	mask := span.months()
	byType := map[string]*TypeFigure{}
	for _, r := range agg.Rows {
		t, ok := TypeByCode(r.Type)
		if !ok || !r.Present {
			continue
		}
		amount := r.M[0]
		if !agg.single {
			amount = 0
			for i, v := range r.M {
				if mask&(1<<i) != 0 {
					amount += v
				}
			}
		}
		tf := byType[r.Type]
		if tf == nil {
			tf = &TypeFigure{EnergyType: r.Type, Name: t.Name, Unit: t.Unit, Counted: t.Counted}
			byType[r.Type] = tf
		}
		tf.Amount += amount
		if k := f.Kgce(r.Type, r.Region); k.Found {
			tf.Kgce += amount * k.Value
		}
		if c := f.CO2(r.Type, r.Region); c.Found {
			tf.CO2Kg += amount * c.Value
		}
	}
	for _, t := range Types {
		tf, ok := byType[t.Code]
		if !ok {
			continue
		}
		tf.Amount, tf.Kgce, tf.CO2Kg = num.Round(tf.Amount, 4), num.Round(tf.Kgce, 4), num.Round(tf.CO2Kg, 4)
		out.ByType = append(out.ByType, *tf)
		switch {
		case t.Code == "water":
			out.WaterM3 = tf.Amount
		case t.Code == "pv_generation":
			out.PVGenerationKWh = tf.Amount
		case t.Counted:
			out.TotalKgce += tf.Kgce
			out.CO2Kg += tf.CO2Kg
		}
	}
	out.TotalKgce, out.CO2Kg = num.Round(out.TotalKgce, 4), num.Round(out.CO2Kg, 4)

	// Denominators.
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM orgs o WHERE "+w, args...).Scan(&out.Units); err != nil {
		return out, err
	}
	den := `SELECT COUNT(*), COALESCE(SUM(COALESCE(y.headcount, o.headcount)), 0), COALESCE(SUM(COALESCE(y.floor_area_m2, o.floor_area_m2)), 0)
		FROM orgs o LEFT JOIN energy_org_years y ON y.org_id = o.id AND y.year = ? WHERE ` + w
	dargs := append([]any{span.Year}, args...)
	whole := sel.Subtree || sel.OrgID == 0
	if whole {
		den += ` AND EXISTS (SELECT 1 FROM energy_usage u WHERE u.org_id = o.id AND u.year = ? AND (u.data_mask & ?) <> 0)`
		dargs = append(dargs, span.Year, mask)
	}
	if whole && flt.Sums {
		sw, sargs := flt.sumsWhere(span.Year)
		den = `SELECT COALESCE(SUM(s.units), 0), COALESCE(SUM(s.headcount), 0), COALESCE(SUM(s.floor_area_m2), 0) FROM energy_sum_heads s
			WHERE ` + sw + ` AND (s.data_mask & ?) <> 0`
		if flt.Own != 0 {
			ow, oargs := flt.ownWhere()
			den = `SELECT SUM(n), SUM(h), SUM(a) FROM (` + strings.Replace(den, "COALESCE(SUM(s.units), 0), COALESCE(SUM(s.headcount), 0), COALESCE(SUM(s.floor_area_m2), 0)",
				"COALESCE(SUM(s.units), 0) AS n, COALESCE(SUM(s.headcount), 0) AS h, COALESCE(SUM(s.floor_area_m2), 0) AS a", 1) + `
				UNION ALL SELECT COUNT(*), COALESCE(SUM(COALESCE(y.headcount, o.headcount)), 0), COALESCE(SUM(COALESCE(y.floor_area_m2, o.floor_area_m2)), 0)
				FROM orgs o LEFT JOIN energy_org_years y ON y.org_id = o.id AND y.year = ? WHERE ` + ow + `
				AND EXISTS (SELECT 1 FROM energy_usage u WHERE u.org_id = o.id AND u.year = ? AND (u.data_mask & ?) <> 0)) x`
			sargs = append(append(append(append(sargs, mask, span.Year), oargs...), span.Year), mask)
		} else {
			sargs = append(sargs, mask)
		}
		dargs = sargs
	}
	if err := q.QueryRow(ctx, den, dargs...).Scan(&out.ReportingUnits, &out.Headcount, &out.FloorAreaM2); err != nil {
		return out, err
	}
	if !whole && len(out.ByType) == 0 {
		out.ReportingUnits = 0
	}
	out.PerCapitaKgce = ratio(out.TotalKgce, float64(out.Headcount))
	out.PerAreaKgce = ratio(out.TotalKgce, out.FloorAreaM2)
	out.PerCapitaWaterM3 = ratio(out.WaterM3, float64(out.Headcount))
	out.PerAreaCO2Kg = ratio(out.CO2Kg, out.FloorAreaM2)
	return out, nil
}

func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return num.Round(a/b, 4)
}

// Indicator codes of the targets and rankings.
const (
	IndPerAreaKgce    = "per_area_kgce"
	IndPerCapitaKgce  = "per_capita_kgce"
	IndPerCapitaWater = "per_capita_water"
	IndPerAreaCO2     = "per_area_co2"
	IndTotalKgce      = "total_kgce"
)

// IndicatorDef names an indicator and its unit.
type IndicatorDef struct{ Code, Name, Unit string }

// IndicatorDefs are the 国管局 core indicators (docs/domain/energy.md §Core indicators) plus the total.
var IndicatorDefs = []IndicatorDef{
	{IndPerAreaKgce, "单位建筑面积能耗", "kgce/m²"},
	{IndPerCapitaKgce, "人均综合能耗", "kgce/人"},
	{IndPerCapitaWater, "人均用水量", "m³/人"},
	{IndPerAreaCO2, "单位建筑面积碳排放", "kgCO₂/m²"},
	{IndTotalKgce, "综合能耗", "kgce"},
}

// indicatorDef looks an indicator code up.
func indicatorDef(code string) (IndicatorDef, bool) {
	for _, d := range IndicatorDefs {
		if d.Code == code {
			return d, true
		}
	}
	return IndicatorDef{}, false
}

// Value is the indicator code's value.
func (in Indicators) Value(code string) float64 {
	switch code {
	case IndPerAreaKgce:
		return in.PerAreaKgce
	case IndPerCapitaKgce:
		return in.PerCapitaKgce
	case IndPerCapitaWater:
		return in.PerCapitaWaterM3
	case IndPerAreaCO2:
		return in.PerAreaCO2Kg
	case IndTotalKgce:
		return in.TotalKgce
	}
	return 0
}

// Type returns the figure of a type (zero when absent).
func (in Indicators) Type(code string) TypeFigure {
	for _, t := range in.ByType {
		if t.EnergyType == code {
			return t
		}
	}
	return TypeFigure{EnergyType: code, Name: TypeName(code)}
}

// HasData reports whether any unit reported in the span.
func (in Indicators) HasData() bool { return len(in.ByType) > 0 }
