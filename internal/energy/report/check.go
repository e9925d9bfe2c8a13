package report

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/num"
)

// Issue is one finding of the completeness check. Blocking issues stop the submission; warnings are shown to the
// unit and the reviewer.
type Issue struct {
	Code     string  `json:"code" doc:"missing_months · no_electricity · missing_headcount · missing_area · org_year_default · type_dropped · yoy_change · missing_credit_code · section_incomplete · section_exceeds"`
	Blocking bool    `json:"blocking"`
	Type     string  `json:"energy_type,omitempty"`
	Months   []int   `json:"months,omitempty" doc:"缺少数据的月份"`
	Change   float64 `json:"change,omitempty" doc:"同比变化比例"`
	Message  string  `json:"message"`
}

// TypeYear is one energy type of a unit in a year: the months with a figure (bit m-1) and the total.
type TypeYear struct {
	Mask  int64
	Total float64
}

// CheckInput is what the completeness rules look at for a unit and year.
type CheckInput struct {
	Months      int                 // months expected: 12 for a past year, the months before the current one this year
	This, Last  map[string]TypeYear // by energy type
	ThisKgce    float64             // 综合能耗, this year and last year (same months)
	LastKgce    float64
	Headcount   int64
	FloorArea   float64
	OrgYearSet  bool // 用能人数/建筑面积 recorded for the year
	HasCredit   bool
	NeedsCredit bool
	Sections    []Section          // the revision's hand-filled tables (采暖能耗, 数据中心机房)
	Values      map[string]float64 // their figures
}

// Completeness holds a unit's issues with counts, for badges.
type Completeness struct {
	Issues   []Issue `json:"issues"`
	Blocking int     `json:"blocking"`
	Warnings int     `json:"warnings"`
}

// OK reports no blocking issue.
func (c Completeness) OK() bool { return c.Blocking == 0 }

// Check applies the completeness rules (pure). Order: blocking first, then warnings, each in the order of the
// energy types.
func Check(in CheckInput, rules Rules) Completeness {
	var issues []Issue
	full := int64(1)<<in.Months - 1
	for _, t := range energy.Types {
		ty, ok := in.This[t.Code]
		if !ok || ty.Mask&full == 0 {
			continue
		}
		if missing := ty.Mask&full ^ full; missing != 0 {
			var ms []int
			for m := 1; m <= in.Months; m++ {
				if missing&(1<<(m-1)) != 0 {
					ms = append(ms, m)
				}
			}
			issues = append(issues, Issue{Code: "missing_months", Blocking: true, Type: t.Code, Months: ms,
				Message: fmt.Sprintf("%s缺少 %s 月的数据", t.Name, joinInts(ms))})
		}
	}
	if in.Months > 0 {
		if e := in.This["electricity"]; e.Mask&full == 0 || e.Total <= 0 {
			issues = append(issues, Issue{Code: "no_electricity", Blocking: true, Type: "electricity", Message: "全年电力消费量为 0 或未填报"})
		}
	}
	if in.Headcount <= 0 {
		issues = append(issues, Issue{Code: "missing_headcount", Blocking: true, Message: "用能人数未填报或为 0"})
	}
	if in.FloorArea <= 0 {
		issues = append(issues, Issue{Code: "missing_area", Blocking: true, Message: "建筑面积未填报或为 0"})
	}
	if !in.OrgYearSet && in.Headcount > 0 && in.FloorArea > 0 {
		issues = append(issues, Issue{Code: "org_year_default", Message: "本年度用能人数和建筑面积尚未填报，按单位登记的当前数值计算"})
	}
	if in.NeedsCredit && !in.HasCredit {
		issues = append(issues, Issue{Code: "missing_credit_code", Message: "单位未登记统一社会信用代码"})
	}
	for _, t := range energy.Types {
		last, had := in.Last[t.Code]
		cur := in.This[t.Code]
		if had && last.Total > 0 && cur.Mask&full == 0 {
			issues = append(issues, Issue{Code: "type_dropped", Type: t.Code, Message: fmt.Sprintf("上年有%s消费，本年没有数据", t.Name)})
			continue
		}
		if had && last.Total > 0 && cur.Mask&full != 0 {
			if ch := num.Round(cur.Total/last.Total-1, 6); math.Abs(ch) > rules.YoYThreshold {
				issues = append(issues, Issue{Code: "yoy_change", Type: t.Code, Change: num.Round(ch, 4),
					Message: fmt.Sprintf("%s同比%s %.1f%%，超过 ±%.0f%%，请核实", t.Name, upDown(ch), math.Abs(ch)*100, rules.YoYThreshold*100)})
			}
		}
	}
	issues = append(issues, sectionIssues(in)...)
	if in.LastKgce > 0 && in.ThisKgce > 0 {
		if ch := num.Round(in.ThisKgce/in.LastKgce-1, 6); math.Abs(ch) > rules.YoYThreshold {
			issues = append(issues, Issue{Code: "yoy_change", Change: num.Round(ch, 4),
				Message: fmt.Sprintf("综合能耗同比%s %.1f%%，超过 ±%.0f%%，请核实", upDown(ch), math.Abs(ch)*100, rules.YoYThreshold*100)})
		}
	}
	sort.SliceStable(issues, func(i, j int) bool { return issues[i].Blocking && !issues[j].Blocking })
	c := Completeness{Issues: issues}
	for _, is := range issues {
		if is.Blocking {
			c.Blocking++
		} else {
			c.Warnings++
		}
	}
	if c.Issues == nil {
		c.Issues = []Issue{}
	}
	return c
}

// sectionIssues checks the hand-filled tables a unit started: every required field filled, and no energy figure
// above the unit's own figure of that type for the year (the tables break down what the unit consumed).
func sectionIssues(in CheckInput) []Issue {
	var out []Issue
	for _, fs := range fillSections(in.Sections, in.Values, nil, "") {
		if miss := fs.Missing(); len(miss) > 0 {
			out = append(out, Issue{Code: "section_incomplete", Blocking: true,
				Message: fmt.Sprintf("%s已开始填报，缺少%s", fs.Title, strings.Join(miss, "、"))})
		}
		used := map[string]float64{}
		var order []string
		for _, l := range fs.Lines {
			if l.Type == "" || !l.Has || l.Calc != "" {
				continue
			}
			if _, ok := used[l.Type]; !ok {
				order = append(order, l.Type)
			}
			// Rows of the same type that are parts of one another (IT ⊂ 机房总耗电量) count once: the largest.
			used[l.Type] = math.Max(used[l.Type], l.Value/l.Scale)
		}
		for _, typ := range order {
			total := in.This[typ].Total
			if used[typ] > total*(1+1e-9)+1e-9 {
				t, _ := energy.TypeByCode(typ)
				out = append(out, Issue{Code: "section_exceeds", Blocking: true, Type: typ,
					Message: fmt.Sprintf("%s中的%s（%s %s）超过本单位全年%s消费量（%s %s）", fs.Title, t.Name, fmtNum(used[typ], 2), t.Unit, t.Name, fmtNum(total, 2), t.Unit)})
			}
		}
	}
	return out
}

func upDown(ch float64) string {
	if ch < 0 {
		return "下降"
	}
	return "上升"
}

func joinInts(v []int) string {
	parts := make([]string, len(v))
	for i, n := range v {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, "、")
}

// expectedMonths is how many months of year y the statistics must hold on the day of now: all twelve for a past
// year, the months before the current one this year (the current month is not complete), none for a future year.
func expectedMonths(y int, now energy.Period) int {
	switch {
	case y < now.Year:
		return 12
	case y == now.Year:
		return now.Month - 1
	}
	return 0
}

// orgFacts are what the check needs from orgs and energy_org_years.
type orgFacts struct {
	ID         int64
	Region     string
	Credit     bool
	Headcount  int64
	FloorArea  float64
	OrgYearSet bool
}

// checkUnits evaluates the completeness of many units at once for year y: two queries over energy_usage (this
// year and last year) and one over the units, the standard coal with the factors of each year. ids must already
// be in the caller's scope.
func (s *Service) checkUnits(ctx context.Context, q db.Q, ids []int64, y int) (map[int64]Completeness, error) {
	out := map[int64]Completeness{}
	if len(ids) == 0 {
		return out, nil
	}
	def, err := LoadDefinition(ctx, q, y)
	if err != nil {
		return nil, err
	}
	now := energy.PeriodOf(s.Clock.Now().Unix())
	months := expectedMonths(y, now)
	facts := map[int64]*orgFacts{}
	this := map[int64]map[string]TypeYear{}
	last := map[int64]map[string]TypeYear{}
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		in := "(" + db.In(len(part)) + ")"
		rows, err := q.Query(ctx, `SELECT o.id, COALESCE(o.region_code, ''), COALESCE(o.credit_code, ''), COALESCE(y.headcount, o.headcount),
			COALESCE(y.floor_area_m2, o.floor_area_m2), CASE WHEN y.org_id IS NULL THEN 0 ELSE 1 END
			FROM orgs o LEFT JOIN energy_org_years y ON y.org_id = o.id AND y.year = ? WHERE o.id IN `+in, append([]any{y}, db.Args(part)...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var f orgFacts
			var credit string
			var set int
			if err := rows.Scan(&f.ID, &f.Region, &credit, &f.Headcount, &f.FloorArea, &set); err != nil {
				rows.Close()
				return nil, err
			}
			f.Credit, f.OrgYearSet = credit != "", set == 1
			facts[f.ID] = &f
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		// Last year over the same months as this year, so a year in progress compares like with like.
		mask := int64(1)<<months - 1
		var sum strings.Builder
		for m := 1; m <= 12; m++ {
			if m > 1 {
				sum.WriteString(" + ")
			}
			if mask&(1<<(m-1)) != 0 {
				fmt.Fprintf(&sum, "COALESCE(m%02d, 0)", m)
			} else {
				sum.WriteString("0")
			}
		}
		rows, err = q.Query(ctx, `SELECT org_id, year, energy_type, data_mask, `+sum.String()+` FROM energy_usage
			WHERE year IN (?, ?) AND org_id IN `+in, append([]any{y, y - 1}, db.Args(part)...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var yr int
			var typ string
			var ty TypeYear
			if err := rows.Scan(&id, &yr, &typ, &ty.Mask, &ty.Total); err != nil {
				rows.Close()
				return nil, err
			}
			m := this
			if yr != y {
				m = last
			}
			if m[id] == nil {
				m[id] = map[string]TypeYear{}
			}
			m[id][typ] = ty
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	values := map[int64]map[string]float64{}
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		if err := unitValues(ctx, q, values, "SELECT org_id, key, value FROM energy_report_values WHERE year = ? AND org_id IN ("+db.In(len(part))+")",
			append([]any{y}, db.Args(part)...)...); err != nil {
			return nil, err
		}
	}
	fThis, err := energy.LoadFactors(ctx, q, y)
	if err != nil {
		return nil, err
	}
	fLast, err := energy.LoadFactors(ctx, q, y-1)
	if err != nil {
		return nil, err
	}
	kgce := func(f *energy.Factors, m map[string]TypeYear, region string) float64 {
		t := 0.0
		for typ, v := range m {
			if tt, ok := energy.TypeByCode(typ); ok && tt.Counted {
				if k := f.Kgce(typ, region); k.Found {
					t += v.Total * k.Value
				}
			}
		}
		return t
	}
	rules := map[string]Rules{}
	for _, id := range ids {
		f := facts[id]
		if f == nil {
			continue
		}
		r, ok := rules[f.Region]
		if !ok {
			if r, err = LoadRules(ctx, q, y, f.Region); err != nil {
				return nil, err
			}
			rules[f.Region] = r
		}
		out[id] = Check(CheckInput{Months: months, This: this[id], Last: last[id], ThisKgce: kgce(fThis, this[id], f.Region),
			LastKgce: kgce(fLast, last[id], f.Region), Headcount: f.Headcount, FloorArea: f.FloorArea, OrgYearSet: f.OrgYearSet,
			HasCredit: f.Credit, NeedsCredit: def.HasInfo("credit_code"), Sections: def.Sections, Values: values[id]}, r)
	}
	return out, nil
}
