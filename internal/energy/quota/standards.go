package quota

import (
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/refdata"
)

// Factor sets a standard's kgce indicators may use.
const (
	FactorStatistics = "statistics" // 当量值: the statistics factors (energy.LoadFactors)
	FactorEquivalent = "equivalent" // 等价值 electricity etc. (reference data energy.quota_factor), others as statistics
)

// FactorSets names the factor sets.
var FactorSets = enum.Of(FactorStatistics, "统计当量值（电力 0.1229 kgce/kWh）", FactorEquivalent, "等价值（电力按供电煤耗，如山东 0.31 kgce/kWh）")

// Standard is one indicator's three levels for a category in a region over a range of years.
type Standard struct {
	ID              int64   `json:"id"`
	RegionCode      string  `json:"region_code"`
	Category        string  `json:"category" doc:"统计类别 organ|higher_education|school|hospital|venue|other"`
	Indicator       string  `json:"indicator" doc:"per_area_kgce|per_capita_kgce|per_capita_water|per_area_co2|total_kgce"`
	FactorSet       string  `json:"factor_set" doc:"statistics 统计当量值 · equivalent 等价值"`
	ConstraintValue float64 `json:"constraint_value" doc:"约束值"`
	BaselineValue   float64 `json:"baseline_value" doc:"基准值"`
	GuideValue      float64 `json:"guide_value" doc:"引导值"`
	ValidFrom       int     `json:"valid_from" doc:"起始年度"`
	ValidTo         int     `json:"valid_to" doc:"截止年度；0 为长期有效"`
	SourceDoc       string  `json:"source_doc"`
	Issuer          string  `json:"issuer"`
	Example         bool    `json:"example" doc:"演示示例值，非正式标准"`
	Note            string  `json:"note"`
	Status          string  `json:"status" doc:"active 有效 · withdrawn 已废止"`
	UpdatedAt       int64   `json:"updated_at"`
}

// CategoryName, IndicatorName, IndicatorUnit, FactorSetName and Validity are for templates.
func (s Standard) CategoryName() string { return org.Categories.Name(s.Category) }

// IndicatorName is the Chinese name of the indicator.
func (s Standard) IndicatorName() string { return indicatorName(s.Indicator) }

// IndicatorUnit is the indicator's unit.
func (s Standard) IndicatorUnit() string { return indicatorUnit(s.Indicator) }

// FactorSetName is the Chinese name of the factor set.
func (s Standard) FactorSetName() string { return FactorSets.Name(s.FactorSet) }

// Validity renders the years ("2024–" or "2024–2026").
func (s Standard) Validity() string {
	if s.ValidTo == 0 {
		return strconv.Itoa(s.ValidFrom) + "–"
	}
	return strconv.Itoa(s.ValidFrom) + "–" + strconv.Itoa(s.ValidTo)
}

// Covers reports whether the standard is in force in year y.
func (s Standard) Covers(y int) bool {
	return s.Status == "active" && s.ValidFrom <= y && (s.ValidTo == 0 || s.ValidTo >= y)
}

func indicatorName(code string) string {
	for _, d := range energy.IndicatorDefs {
		if d.Code == code {
			return d.Name
		}
	}
	return ""
}

func indicatorUnit(code string) string {
	for _, d := range energy.IndicatorDefs {
		if d.Code == code {
			return d.Unit
		}
	}
	return ""
}

const stdCols = `id, region_code, category, indicator, factor_set, constraint_value, baseline_value, guide_value, valid_from, valid_to,
	source_doc, issuer, example, note, status, updated_at`

func scanStandard(sc db.Scanner) (Standard, error) {
	var s Standard
	var ex int
	err := sc.Scan(&s.ID, &s.RegionCode, &s.Category, &s.Indicator, &s.FactorSet, &s.ConstraintValue, &s.BaselineValue, &s.GuideValue,
		&s.ValidFrom, &s.ValidTo, &s.SourceDoc, &s.Issuer, &ex, &s.Note, &s.Status, &s.UpdatedAt)
	s.Example = ex != 0
	return s, err
}

// StandardFilter narrows the list of standards.
type StandardFilter struct {
	RegionCode string
	Category   string
	Indicator  string
	Year       int // in force in that year
	All        bool
}

// ListStandards lists standards (reference data: everyone with energy:read sees them).
func ListStandards(ctx context.Context, q db.Q, f StandardFilter) ([]Standard, error) {
	w, args := []string{"1 = 1"}, []any{}
	if f.RegionCode != "" {
		w, args = append(w, "region_code = ?"), append(args, f.RegionCode)
	}
	if f.Category != "" {
		w, args = append(w, "category = ?"), append(args, f.Category)
	}
	if f.Indicator != "" {
		w, args = append(w, "indicator = ?"), append(args, f.Indicator)
	}
	if f.Year != 0 {
		w, args = append(w, "valid_from <= ? AND (valid_to = 0 OR valid_to >= ?)"), append(args, f.Year, f.Year)
	}
	if !f.All {
		w = append(w, "status = 'active'")
	}
	return db.Select(ctx, q, scanStandard, "SELECT "+stdCols+" FROM energy_quota_standards WHERE "+strings.Join(w, " AND ")+
		" ORDER BY region_code, category, indicator, valid_from DESC, id", args...)
}

// GetStandard loads a standard.
func GetStandard(ctx context.Context, q db.Q, id int64) (Standard, error) {
	s, err := scanStandard(q.QueryRow(ctx, "SELECT "+stdCols+" FROM energy_quota_standards WHERE id = ?", id))
	if db.IsNoRows(err) {
		return s, errs.NotFound("定额标准")
	}
	return s, err
}

// Applicable returns, per indicator, the standard in force in year for a unit of category in region: the most
// specific region first (county, city, province, national).
func Applicable(ctx context.Context, q db.Q, region, category string, year int) ([]Standard, error) {
	all, err := ListStandards(ctx, q, StandardFilter{Category: category, Year: year})
	if err != nil {
		return nil, err
	}
	chain := refdata.RegionChain(region)
	var out []Standard
	for _, d := range energy.IndicatorDefs {
		best, bestRank := Standard{}, len(chain)+1
		for _, s := range all {
			if s.Indicator != d.Code {
				continue
			}
			for i, c := range chain {
				if c == s.RegionCode && (i < bestRank || i == bestRank && s.ValidFrom > best.ValidFrom) {
					best, bestRank = s, i
				}
			}
		}
		if best.ID != 0 {
			out = append(out, best)
		}
	}
	return out, nil
}

// StandardInput is the body of POST /api/v1/energy/quota-standards and PUT …/{id}.
type StandardInput struct {
	RegionCode      string  `json:"region_code"`
	Category        string  `json:"category"`
	Indicator       string  `json:"indicator"`
	FactorSet       string  `json:"factor_set,omitempty" doc:"默认 statistics"`
	ConstraintValue float64 `json:"constraint_value"`
	BaselineValue   float64 `json:"baseline_value"`
	GuideValue      float64 `json:"guide_value"`
	ValidFrom       int     `json:"valid_from"`
	ValidTo         int     `json:"valid_to,omitempty"`
	SourceDoc       string  `json:"source_doc"`
	Issuer          string  `json:"issuer,omitempty"`
	Example         bool    `json:"example,omitempty"`
	Note            string  `json:"note,omitempty"`
	Status          string  `json:"status,omitempty" doc:"active · withdrawn（修改时可废止）"`
}

// Check validates the input (422 naming each bad field).
func (in *StandardInput) Check() error {
	f := errs.Fields{}
	in.RegionCode, in.SourceDoc, in.Issuer, in.Note = strings.TrimSpace(in.RegionCode), strings.TrimSpace(in.SourceDoc), strings.TrimSpace(in.Issuer), strings.TrimSpace(in.Note)
	if in.RegionCode == "" || !refdata.ValidRegion(in.RegionCode) {
		f.Add("region_code", "行政区划代码应为 6 位数字")
	}
	if !org.Categories.Has(in.Category) {
		f.Add("category", "统计类别应为 organ、higher_education、school、hospital、venue 或 other")
	}
	if indicatorName(in.Indicator) == "" {
		f.Add("indicator", "指标应为 per_area_kgce、per_capita_kgce、per_capita_water、per_area_co2 或 total_kgce")
	}
	if in.FactorSet == "" {
		in.FactorSet = FactorStatistics
	}
	if !FactorSets.Has(in.FactorSet) {
		f.Add("factor_set", "折标系数应为 statistics（统计当量值）或 equivalent（等价值）")
	}
	for _, v := range []struct {
		field string
		v     float64
		label string
	}{{"constraint_value", in.ConstraintValue, "约束值"}, {"baseline_value", in.BaselineValue, "基准值"}, {"guide_value", in.GuideValue, "引导值"}} {
		if !(v.v > 0) || v.v > 1e12 {
			f.Add(v.field, v.label+"应为正数")
		}
	}
	if f["constraint_value"] == "" && f["baseline_value"] == "" && in.ConstraintValue < in.BaselineValue {
		f.Add("baseline_value", "基准值不能大于约束值（约束值 ≥ 基准值 ≥ 引导值）")
	}
	if f["baseline_value"] == "" && f["guide_value"] == "" && in.BaselineValue < in.GuideValue {
		f.Add("guide_value", "引导值不能大于基准值（约束值 ≥ 基准值 ≥ 引导值）")
	}
	if in.ValidFrom < 2000 || in.ValidFrom > 2100 {
		f.Add("valid_from", "起始年度应为 2000–2100")
	}
	if in.ValidTo != 0 && (in.ValidTo < in.ValidFrom || in.ValidTo > 2100) {
		f.Add("valid_to", "截止年度不能早于起始年度（留空为长期有效）")
	}
	if in.SourceDoc == "" || len([]rune(in.SourceDoc)) > 300 {
		f.Add("source_doc", "请填写依据文件（不超过 300 字）")
	}
	if len([]rune(in.Issuer)) > 100 {
		f.Add("issuer", "发布机关不超过 100 字")
	}
	if len([]rune(in.Note)) > 500 {
		f.Add("note", "备注不超过 500 字")
	}
	if in.Status == "" {
		in.Status = "active"
	}
	if in.Status != "active" && in.Status != "withdrawn" {
		f.Add("status", "状态应为 active 或 withdrawn")
	}
	return f.Err()
}

// overlap answers 422 when another active standard of the same region, category and indicator covers a year of
// the input's range (a new edition must close the old one first).
func overlap(ctx context.Context, q db.Q, in StandardInput, self int64) error {
	if in.Status != "active" {
		return nil
	}
	to := in.ValidTo
	if to == 0 {
		to = 9999
	}
	var id int64
	var from, until int
	err := q.QueryRow(ctx, `SELECT id, valid_from, valid_to FROM energy_quota_standards WHERE region_code = ? AND category = ? AND indicator = ?
		AND status = 'active' AND id <> ? AND valid_from <= ? AND (valid_to = 0 OR valid_to >= ?) ORDER BY id LIMIT 1`,
		in.RegionCode, in.Category, in.Indicator, self, to, in.ValidFrom).Scan(&id, &from, &until)
	if db.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	rng := fmt.Sprintf("%d–", from)
	if until != 0 {
		rng += strconv.Itoa(until)
	}
	return errs.Invalid("valid_from", fmt.Sprintf("与有效期 %s 的同一标准（#%d）重叠；请先为旧版本填写截止年度或废止", rng, id))
}

func (s Standard) snapshot() map[string]any {
	return map[string]any{"region_code": s.RegionCode, "category": s.Category, "indicator": s.Indicator, "factor_set": s.FactorSet,
		"constraint_value": s.ConstraintValue, "baseline_value": s.BaselineValue, "guide_value": s.GuideValue, "valid_from": s.ValidFrom,
		"valid_to": s.ValidTo, "source_doc": s.SourceDoc, "issuer": s.Issuer, "note": s.Note, "status": s.Status}
}

var stdLabels = [][2]string{{"constraint_value", "约束值"}, {"baseline_value", "基准值"}, {"guide_value", "引导值"}, {"factor_set", "折标系数"},
	{"valid_from", "起始年度"}, {"valid_to", "截止年度"}, {"source_doc", "依据文件"}, {"issuer", "发布机关"}, {"note", "备注"}, {"status", "状态"},
	{"region_code", "区划"}, {"category", "类别"}, {"indicator", "指标"}}

// CreateStandard adds a standard (energy:quota).
func (s *Service) CreateStandard(ctx context.Context, in StandardInput) (Standard, error) {
	if err := in.Check(); err != nil {
		return Standard{}, err
	}
	now := s.Clock.Now()
	var out Standard
	err := s.DB.Tx(ctx, func(q db.Q) error {
		var err error
		out, err = s.insertStandard(ctx, q, in, now)
		return err
	})
	return out, err
}

func (s *Service) insertStandard(ctx context.Context, q db.Q, in StandardInput, now time.Time) (Standard, error) {
	if err := overlap(ctx, q, in, 0); err != nil {
		return Standard{}, err
	}
	id, err := db.InsertID(ctx, q, `INSERT INTO energy_quota_standards (region_code, category, indicator, factor_set, constraint_value, baseline_value,
		guide_value, valid_from, valid_to, source_doc, issuer, example, note, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.RegionCode, in.Category, in.Indicator, in.FactorSet,
		in.ConstraintValue, in.BaselineValue, in.GuideValue, in.ValidFrom, in.ValidTo, in.SourceDoc, in.Issuer, boolInt(in.Example), in.Note,
		in.Status, now.Unix(), now.Unix())
	if err != nil {
		return Standard{}, err
	}
	out, err := GetStandard(ctx, q, id)
	if err != nil {
		return out, err
	}
	if err := history.Record(ctx, q, now, objStandard, id, "create", "新增定额标准："+out.IndicatorName()+" "+out.Validity()); err != nil {
		return out, err
	}
	return out, audit.Record(ctx, q, now, audit.Entry{Action: "energy.quota_standard.create", ObjectType: objStandard, ObjectID: id, Success: true, After: out.snapshot()})
}

// UpdateStandard changes a standard (energy:quota); the change is kept in its history and the audit log.
func (s *Service) UpdateStandard(ctx context.Context, id int64, in StandardInput) (Standard, error) {
	if err := in.Check(); err != nil {
		return Standard{}, err
	}
	now := s.Clock.Now()
	var out Standard
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := GetStandard(ctx, q, id)
		if err != nil {
			return err
		}
		if err := overlap(ctx, q, in, id); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `UPDATE energy_quota_standards SET region_code = ?, category = ?, indicator = ?, factor_set = ?, constraint_value = ?,
			baseline_value = ?, guide_value = ?, valid_from = ?, valid_to = ?, source_doc = ?, issuer = ?, example = ?, note = ?, status = ?, updated_at = ?
			WHERE id = ?`, in.RegionCode, in.Category, in.Indicator, in.FactorSet, in.ConstraintValue, in.BaselineValue, in.GuideValue, in.ValidFrom,
			in.ValidTo, in.SourceDoc, in.Issuer, boolInt(in.Example), in.Note, in.Status, now.Unix(), id); err != nil {
			return err
		}
		if out, err = GetStandard(ctx, q, id); err != nil {
			return err
		}
		diff := history.Diff(stdLabels, before.snapshot(), out.snapshot())
		if diff == "" {
			return nil
		}
		if err := history.Record(ctx, q, now, objStandard, id, "update", diff); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.quota_standard.update", ObjectType: objStandard, ObjectID: id, Success: true,
			Before: before.snapshot(), After: out.snapshot()})
	})
	return out, err
}

// exampleStandards parses the embedded example set (data/standards_example.csv).
func exampleStandards() ([]StandardInput, error) {
	b, err := dataFS.ReadFile("data/standards_example.csv")
	if err != nil {
		return nil, err
	}
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		return nil, err
	}
	var out []StandardInput
	for i, r := range recs {
		if i == 0 {
			continue
		}
		if len(r) != 12 {
			return nil, fmt.Errorf("standards_example.csv line %d: %d fields", i+1, len(r))
		}
		num := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
		from, _ := strconv.Atoi(r[7])
		to, _ := strconv.Atoi(r[8])
		in := StandardInput{RegionCode: r[0], Category: r[1], Indicator: r[2], FactorSet: r[3], ConstraintValue: num(r[4]), BaselineValue: num(r[5]),
			GuideValue: num(r[6]), ValidFrom: from, ValidTo: to, SourceDoc: r[9], Issuer: r[10], Note: r[11], Example: true}
		if err := in.Check(); err != nil {
			return nil, fmt.Errorf("standards_example.csv line %d: %w", i+1, err)
		}
		out = append(out, in)
	}
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
