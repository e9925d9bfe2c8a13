package report

import (
	"context"
	"sort"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/num"
)

// Summary groupings.
const (
	ByRegion   = "region"
	ByCategory = "category"
)

// Group is a row group of a summary table (综合表): a region or a category, or the total.
type Group struct {
	Key      string            `json:"key"`
	Name     string            `json:"name"`
	Units    int64             `json:"units" doc:"单位数"`
	Reported int64             `json:"reported" doc:"已上报（含已审核）的单位数"`
	Approved int64             `json:"approved" doc:"已审核的单位数"`
	WithData int64             `json:"with_data" doc:"本年有能耗数据的单位数"`
	Lines    []Line            `json:"lines"`
	Sections []FilledSection   `json:"sections,omitempty" doc:"采暖能耗、数据中心机房：填报单位数与各栏目之和"`
	Cur      energy.Indicators `json:"-"`
}

// Summary is the 综合表 of a bureau's subtree for a year, grouped by region or by category.
type Summary struct {
	OrgID    int64      `json:"org_id"`
	OrgName  string     `json:"org_name"`
	Year     int        `json:"year"`
	By       string     `json:"by" doc:"region 行政区域汇总 · category 分类汇总"`
	Revision string     `json:"revision"`
	Header   Header     `json:"header"`
	Groups   []Group    `json:"groups"`
	Total    Group      `json:"total"`
	Report   Report     `json:"report" doc:"本级综合表的上报状态"`
	Def      Definition `json:"-"`
}

// BuildSummary sums the 基层表 figures of every unit in the subtree of orgID (in the caller's scope) by region or
// category: the amounts of energy's figures (UnitFigures), the standard coal with each unit's factors, and the
// counts of units, reported and approved reports.
func BuildSummary(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, y int, by string) (Summary, error) {
	if by != ByRegion && by != ByCategory {
		return Summary{}, errs.Invalid("by", "汇总方式应为 region（行政区域）或 category（单位类别）")
	}
	o, err := org.GetOrg(ctx, q, sc, orgID)
	if err != nil {
		return Summary{}, err
	}
	def, err := LoadDefinition(ctx, q, y)
	if err != nil {
		return Summary{}, err
	}
	rep, err := GetReport(ctx, q, sc, orgID, y, KindSummary)
	if err != nil {
		return Summary{}, err
	}
	sm := Summary{OrgID: orgID, OrgName: o.Name, Year: y, By: by, Revision: def.Revision, Def: def, Report: rep}
	sm.Header = def.RegionSummary
	if by == ByCategory {
		sm.Header = def.CategorySummary
	}
	type unit struct {
		ID                      int64
		Region, RegionName, Cat string
		Status                  string
	}
	cond, args := sc.PathCond("o.id", "o.path")
	units, err := db.Select(ctx, q, func(s db.Scanner) (unit, error) {
		var u unit
		return u, s.Scan(&u.ID, &u.Region, &u.RegionName, &u.Cat, &u.Status)
	}, `SELECT o.id, COALESCE(o.region_code, ''), COALESCE(g.full_name, ''), o.category, COALESCE(r.status, 'draft')
		FROM orgs o LEFT JOIN regions g ON g.code = o.region_code
		LEFT JOIN energy_reports r ON r.org_id = o.id AND r.year = ? AND r.kind = 'basic'
		WHERE o.path >= ? AND o.path < ? AND o.status = 'active' AND `+cond+` ORDER BY o.path`,
		append([]any{y, o.Path, pathUpper(o.Path)}, args...)...)
	if err != nil {
		return sm, err
	}
	keyOf := func(region, cat string) string {
		if by == ByRegion {
			return region
		}
		return cat
	}
	groups := map[string]*Group{}
	var order []string
	group := func(key, name string) *Group {
		g := groups[key]
		if g == nil {
			g = &Group{Key: key, Name: name}
			groups[key] = g
			order = append(order, key)
		}
		return g
	}
	total := &Group{Key: "", Name: "合计"}
	for _, u := range units {
		name := u.RegionName
		if by == ByCategory {
			name = org.Categories.Name(u.Cat)
		} else if name == "" {
			name = "（未登记行政区划）"
		}
		g := group(keyOf(u.Region, u.Cat), name)
		for _, gg := range []*Group{g, total} {
			gg.Units++
			if u.Status == StatusSubmitted || u.Status == StatusApproved {
				gg.Reported++
			}
			if u.Status == StatusApproved {
				gg.Approved++
			}
		}
	}
	sel := energy.Selection{OrgID: orgID, Subtree: true}
	agg := func(year int) (map[string]*energy.Indicators, error) {
		f, err := energy.LoadFactors(ctx, q, year)
		if err != nil {
			return nil, err
		}
		figs, err := energy.UnitFigures(ctx, q, sc, sel, energy.Span{Year: year}, f)
		if err != nil {
			return nil, err
		}
		out := map[string]*energy.Indicators{}
		add := func(key string, u energy.UnitFigure) {
			in := out[key]
			if in == nil {
				in = &energy.Indicators{Year: year}
				out[key] = in
			}
			addUnit(in, u, f)
		}
		for _, u := range figs {
			add(keyOf(u.RegionCode, u.Category), u)
			add("\x00total", u)
		}
		for _, in := range out {
			finishIndicators(in)
		}
		return out, nil
	}
	cur, err := agg(y)
	if err != nil {
		return sm, err
	}
	prev, err := agg(y - 1)
	if err != nil {
		return sm, err
	}
	secs, err := sectionSums(ctx, q, sc, def, o.Path, y, func(region, cat string) string { return keyOf(region, cat) })
	if err != nil {
		return sm, err
	}
	fill := func(g *Group, key string) {
		g.Sections = secs[key]
		if g.Sections == nil {
			g.Sections = sumSections(def.Sections, nil)
		}
		var c, p energy.Indicators
		if v := cur[key]; v != nil {
			c = *v
		}
		if v := prev[key]; v != nil {
			p = *v
		}
		g.Cur, g.WithData = c, c.ReportingUnits
		g.Lines = FillLines(def.Rows, c, p)
	}
	for _, k := range order {
		fill(groups[k], k)
		sm.Groups = append(sm.Groups, *groups[k])
	}
	if by == ByCategory {
		sort.SliceStable(sm.Groups, func(i, j int) bool { return catIndex(sm.Groups[i].Key) < catIndex(sm.Groups[j].Key) })
	} else {
		sort.SliceStable(sm.Groups, func(i, j int) bool { return sm.Groups[i].Key < sm.Groups[j].Key })
	}
	fill(total, "\x00total")
	sm.Total = *total
	return sm, nil
}

// sectionSums adds up the hand-filled tables of the active units under path by group (and "\x00total"): the
// inputs and each unit's standard coal (with its region's factors) summed, ratios taken of the sums, and the
// number of units that filled each table.
func sectionSums(ctx context.Context, q db.Q, sc auth.Scope, def Definition, path string, y int, keyOf func(region, cat string) string) (map[string][]FilledSection, error) {
	if len(def.Sections) == 0 {
		return nil, nil
	}
	f, err := energy.LoadFactors(ctx, q, y)
	if err != nil {
		return nil, err
	}
	type unitVals struct {
		region, cat string
		vals        map[string]float64
	}
	units := map[int64]*unitVals{}
	var ids []int64
	cond, args := sc.PathCond("o.id", "o.path")
	rows, err := q.Query(ctx, `SELECT o.id, COALESCE(o.region_code, ''), o.category, v.key, v.value FROM energy_report_values v JOIN orgs o ON o.id = v.org_id
		WHERE v.year = ? AND o.path >= ? AND o.path < ? AND o.status = 'active' AND `+cond+` ORDER BY o.id`, append([]any{y, path, pathUpper(path)}, args...)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var region, cat, k string
		var v float64
		if err := rows.Scan(&id, &region, &cat, &k, &v); err != nil {
			rows.Close()
			return nil, err
		}
		u := units[id]
		if u == nil {
			u = &unitVals{region: region, cat: cat, vals: map[string]float64{}}
			units[id] = u
			ids = append(ids, id)
		}
		u.vals[k] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	parts := map[string][][]FilledSection{}
	for _, id := range ids {
		u := units[id]
		fs := fillSections(def.Sections, u.vals, f, u.region)
		for _, key := range []string{keyOf(u.region, u.cat), "\x00total"} {
			parts[key] = append(parts[key], fs)
		}
	}
	out := map[string][]FilledSection{}
	for key, p := range parts {
		out[key] = sumSections(def.Sections, p)
	}
	return out, nil
}

// sumSections adds up units' filled sections: inputs and standard coal summed, ratios recomputed from the sums.
func sumSections(secs []Section, units [][]FilledSection) []FilledSection {
	out := make([]FilledSection, len(secs))
	for i, s := range secs {
		fs := FilledSection{Section: s, Lines: make([]SectionLine, len(s.Rows))}
		for j, r := range s.Rows {
			fs.Lines[j] = SectionLine{SectionRow: r}
		}
		n := make([]int, len(s.Rows)) // units with a figure, per row (for means)
		for _, u := range units {
			if !u[i].Filled {
				continue
			}
			fs.Filled = true
			fs.Units++
			for j, l := range u[i].Lines {
				if l.Has && l.Calc != "ratio" {
					fs.Lines[j].Value += l.Value
					fs.Lines[j].Has = true
					n[j]++
				}
			}
		}
		for j, l := range fs.Lines {
			if l.Summary == "mean" && n[j] > 0 {
				fs.Lines[j].Value = l.Value / float64(n[j])
			}
		}
		at := map[string]int{}
		for j, l := range fs.Lines {
			at[l.Key] = j
			if l.Calc == "ratio" {
				a, b := fs.Lines[at[l.Of[0]]], fs.Lines[at[l.Of[1]]]
				if a.Has && b.Has && b.Value > 0 {
					fs.Lines[j].Value, fs.Lines[j].Has = num.Round(a.Value/b.Value, 4), true
				}
			} else {
				fs.Lines[j].Value = num.Round(fs.Lines[j].Value, 4)
			}
		}
		out[i] = fs
	}
	return out
}

// addUnit adds a unit's figures of a year to in (a group's indicators, or the unit's own when in starts empty):
// amounts and standard coal by type, water, PV generation and the denominators. finishIndicators then orders the
// types and computes the intensities.
func addUnit(in *energy.Indicators, u energy.UnitFigure, f *energy.Factors) {
	in.ReportingUnits++
	in.Headcount += u.Headcount
	in.FloorAreaM2 += u.FloorAreaM2
	for _, t := range energy.Types {
		a, ok := u.Amounts[t.Code]
		if !ok {
			continue
		}
		var tf *energy.TypeFigure
		for i := range in.ByType {
			if in.ByType[i].EnergyType == t.Code {
				tf = &in.ByType[i]
			}
		}
		if tf == nil {
			in.ByType = append(in.ByType, energy.TypeFigure{EnergyType: t.Code, Name: t.Name, Unit: t.Unit, Counted: t.Counted})
			tf = &in.ByType[len(in.ByType)-1]
		}
		tf.Amount += a
		if k := f.Kgce(t.Code, u.RegionCode); k.Found && t.Counted {
			tf.Kgce += a * k.Value
		}
		switch {
		case t.Code == "water":
			in.WaterM3 += a
		case t.Code == "pv_generation":
			in.PVGenerationKWh += a
		}
	}
	in.TotalKgce += u.TotalKgce
}

func finishIndicators(in *energy.Indicators) {
	sort.SliceStable(in.ByType, func(i, j int) bool { return typeIndex(in.ByType[i].EnergyType) < typeIndex(in.ByType[j].EnergyType) })
	in.PerAreaKgce = ratio(in.TotalKgce, in.FloorAreaM2)
	in.PerCapitaKgce = ratio(in.TotalKgce, float64(in.Headcount))
	in.PerCapitaWaterM3 = ratio(in.WaterM3, float64(in.Headcount))
}

func typeIndex(code string) int {
	for i, t := range energy.Types {
		if t.Code == code {
			return i
		}
	}
	return len(energy.Types)
}

func catIndex(code string) int {
	for i, c := range org.Categories {
		if c.Code == code {
			return i
		}
	}
	return len(org.Categories)
}

func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return num.Round(a/b, 4)
}

func pathUpper(p string) string { return db.PrefixUpper(p) }
