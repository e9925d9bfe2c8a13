package report

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/num"
)

// Section is a table of the 基层表 that a unit fills by hand when it applies to it: 采暖能耗 (units with heating)
// and 数据中心机房 (units with a data-centre room). Its figures are a breakdown of what 能源资源消费状况 already
// counts, so they never add to the unit's totals.
type Section struct {
	Key     string       `json:"key" doc:"heating 采暖能耗 · datacenter 数据中心机房"`
	Header               // title, 表号, authorities
	Applies string       `json:"applies" doc:"哪些单位填报"`
	Rows    []SectionRow `json:"rows"`
}

// SectionRow is an input row (Key) or a computed one (Calc): "kgce" sums the standard coal of the rows listed in
// Of (each an energy amount: Type, and Scale from the platform's unit to the form's), with the factors of the year
// and the unit's region; "ratio" is Of[0] / Of[1].
type SectionRow struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Unit     string   `json:"unit"`
	Key      string   `json:"key"`
	Type     string   `json:"type,omitempty"`
	Scale    float64  `json:"scale,omitempty"`
	Required bool     `json:"required,omitempty" doc:"填报本表时必填"`
	Integer  bool     `json:"integer,omitempty"`
	MaxValue float64  `json:"max_value,omitempty"`
	NotAbove string   `json:"not_above,omitempty" doc:"不得大于该栏目（如 IT 设备耗电量不大于机房总耗电量）"`
	Calc     string   `json:"calc,omitempty" doc:"kgce 折标准煤之和 · ratio 两栏目之比"`
	Summary  string   `json:"summary,omitempty" doc:"综合表中的汇总方式：空为求和，mean 为填报单位的平均值（如采暖天数）"`
	Of       []string `json:"of,omitempty"`
}

// Input reports whether the row is entered (not computed).
func (r SectionRow) Input() bool { return r.Calc == "" }

func (s Section) check() error {
	if s.Key == "" || s.Title == "" || len(s.Rows) == 0 {
		return fmt.Errorf("section %q: key, title and rows are required", s.Key)
	}
	keys := map[string]SectionRow{}
	for _, r := range s.Rows {
		if r.Key == "" || r.Code == "" {
			return fmt.Errorf("section %s: a row without key or code", s.Key)
		}
		if _, dup := keys[r.Key]; dup {
			return fmt.Errorf("section %s: key %s twice", s.Key, r.Key)
		}
		if r.Type != "" {
			if _, ok := energy.TypeByCode(r.Type); !ok || r.Scale <= 0 {
				return fmt.Errorf("section %s row %s: unknown energy type %q or scale %v", s.Key, r.Code, r.Type, r.Scale)
			}
		}
		if r.Summary != "" && (r.Summary != "mean" || r.Calc != "") {
			return fmt.Errorf("section %s row %s: summary %q (only mean, on an input row)", s.Key, r.Code, r.Summary)
		}
		switch r.Calc {
		case "":
		case "kgce":
			for _, k := range r.Of {
				if o, ok := keys[k]; !ok || o.Type == "" {
					return fmt.Errorf("section %s row %s: %q is not an energy row above it", s.Key, r.Code, k)
				}
			}
		case "ratio":
			if len(r.Of) != 2 {
				return fmt.Errorf("section %s row %s: ratio of two rows", s.Key, r.Code)
			}
			for _, k := range r.Of {
				if _, ok := keys[k]; !ok {
					return fmt.Errorf("section %s row %s: %q is not a row above it", s.Key, r.Code, k)
				}
			}
		default:
			return fmt.Errorf("section %s row %s: unknown calc %q", s.Key, r.Code, r.Calc)
		}
		if r.NotAbove != "" {
			if _, ok := keys[r.NotAbove]; !ok {
				return fmt.Errorf("section %s row %s: not_above %q is not a row above it", s.Key, r.Code, r.NotAbove)
			}
		}
		keys[r.Key] = r
	}
	return nil
}

// inputRow finds the input row of key in the definition's sections.
func (d Definition) inputRow(key string) (SectionRow, bool) {
	for _, s := range d.Sections {
		for _, r := range s.Rows {
			if r.Key == key && r.Input() {
				return r, true
			}
		}
	}
	return SectionRow{}, false
}

// checkValues validates the section figures a unit enters (422 naming the field v_<key>): known input rows of the
// year's revision only, finite, not negative, whole numbers where counted, within their bounds.
func (d Definition) checkValues(vals map[string]float64, f errs.Fields) {
	for k, v := range vals {
		r, ok := d.inputRow(k)
		switch {
		case !ok:
			f.Add("v_"+k, fmt.Sprintf("%s 表式没有栏目 %q", d.Revision, k))
		case math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1e12:
			f.Add("v_"+k, r.Name+"应为不小于 0 的数")
		case r.Integer && v != math.Trunc(v):
			f.Add("v_"+k, r.Name+"应为整数")
		case r.MaxValue > 0 && v > r.MaxValue:
			f.Add("v_"+k, fmt.Sprintf("%s不大于 %s", r.Name, fmtNum(r.MaxValue, 2)))
		case r.NotAbove != "":
			if other, has := vals[r.NotAbove]; has && v > other {
				o, _ := d.inputRow(r.NotAbove)
				f.Add("v_"+k, r.Name+"不得大于"+o.Name)
			}
		}
	}
}

// loadValues returns the section figures of (unit, year).
func loadValues(ctx context.Context, q db.Q, orgID int64, year int) (map[string]float64, error) {
	out := map[int64]map[string]float64{}
	if err := unitValues(ctx, q, out, "SELECT org_id, key, value FROM energy_report_values WHERE org_id = ? AND year = ?", orgID, year); err != nil {
		return nil, err
	}
	if out[orgID] == nil {
		return map[string]float64{}, nil
	}
	return out[orgID], nil
}

// unitValues runs a query of (org_id, key, value) rows and adds them to out by unit.
func unitValues(ctx context.Context, q db.Q, out map[int64]map[string]float64, query string, args ...any) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var k string
		var v float64
		if err := rows.Scan(&id, &k, &v); err != nil {
			return err
		}
		if out[id] == nil {
			out[id] = map[string]float64{}
		}
		out[id][k] = v
	}
	return rows.Err()
}

// saveValues replaces the section figures of (unit, year), in the caller's transaction.
func saveValues(ctx context.Context, q db.Q, orgID int64, year int, vals map[string]float64) error {
	if _, err := q.Exec(ctx, "DELETE FROM energy_report_values WHERE org_id = ? AND year = ?", orgID, year); err != nil {
		return err
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, err := q.Exec(ctx, "INSERT INTO energy_report_values (org_id, year, key, value) VALUES (?, ?, ?, ?)", orgID, year, k, vals[k]); err != nil {
			return err
		}
	}
	return nil
}

// SectionLine is a filled row of a section.
type SectionLine struct {
	SectionRow
	Value float64 `json:"value"`
	Has   bool    `json:"has"`
}

// FilledSection is a section of a unit's (or a group's) 基层表 with its figures.
type FilledSection struct {
	Section
	Lines  []SectionLine `json:"lines"`
	Filled bool          `json:"filled" doc:"已填报（有任一栏目）"`
	Units  int64         `json:"units,omitempty" doc:"填报本表的单位数（综合表）"`
}

// Missing names the required rows without a figure in a section that was started.
func (s FilledSection) Missing() []string {
	var out []string
	if !s.Filled {
		return nil
	}
	for _, l := range s.Lines {
		if l.Required && !l.Has {
			out = append(out, l.Name)
		}
	}
	return out
}

// fillSections computes the sections from the entered figures; kgce rows use the factors of the year for the
// region (a unit's own; a summary passes "" and the national values), and stay empty without factors (f nil).
func fillSections(secs []Section, vals map[string]float64, f *energy.Factors, region string) []FilledSection {
	out := make([]FilledSection, 0, len(secs))
	for _, s := range secs {
		fs := FilledSection{Section: s}
		got := map[string]SectionLine{}
		for _, r := range s.Rows {
			l := SectionLine{SectionRow: r}
			switch r.Calc {
			case "":
				l.Value, l.Has = vals[r.Key]
				fs.Filled = fs.Filled || l.Has
			case "kgce":
				for _, k := range r.Of {
					in := got[k]
					if !in.Has || f == nil {
						continue
					}
					l.Has = true
					if k := f.Kgce(in.Type, region); k.Found {
						l.Value += in.Value / in.Scale * k.Value
					}
				}
				l.Value = num.Round(l.Value, 2)
			case "ratio":
				a, b := got[r.Of[0]], got[r.Of[1]]
				if a.Has && b.Has && b.Value > 0 {
					l.Value, l.Has = num.Round(a.Value/b.Value, 4), true
				}
			}
			got[r.Key] = l
			fs.Lines = append(fs.Lines, l)
		}
		out = append(out, fs)
	}
	return out
}
