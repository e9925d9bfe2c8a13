package report

import (
	"context"
	"fmt"
	"strings"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/num"
	"github.com/govops/govops/internal/platform/refdata"
)

// Header is the header block of one table of the form: its name, 表号, 制定机关, 批准机关 and 批准文号.
type Header struct {
	Title      string `json:"title"`
	TableNo    string `json:"table_no"`
	Authority  string `json:"authority"`
	Approver   string `json:"approver"`
	ApprovalNo string `json:"approval_no"`
}

// InfoRow is a row of 公共机构基本信息; Field names the value (name, credit_code, category, region, headcount,
// floor_area_m2, land_area_m2, new_energy_vehicles, charging_piles).
type InfoRow struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Unit  string `json:"unit,omitempty"`
	Field string `json:"field"`
}

// FormRow is a row of 能源资源消费状况. Src says where the figure comes from: "amount" (the amount of energy Type,
// times Scale from the platform's unit to the form's), "total_kgce", "per_area_kgce", "per_capita_kgce",
// "per_capita_water".
type FormRow struct {
	Code  string  `json:"code"`
	Name  string  `json:"name"`
	Unit  string  `json:"unit"`
	Src   string  `json:"src"`
	Type  string  `json:"type,omitempty"`
	Scale float64 `json:"scale,omitempty"`
}

// Definition is one revision of the form (reference data energy.report_form, key "form").
type Definition struct {
	Revision        string    `json:"revision"`
	Name            string    `json:"name"`
	Basic           Header    `json:"basic"`
	RegionSummary   Header    `json:"region_summary"`
	CategorySummary Header    `json:"category_summary"`
	InfoRows        []InfoRow `json:"info_rows"`
	Rows            []FormRow `json:"rows"`
	Sections        []Section `json:"sections,omitempty" doc:"按需填报的基层表：采暖能耗、数据中心机房"`
	Source          string    `json:"source"`
	Confidence      string    `json:"confidence"`
}

// check rejects a definition a row of which the report could not fill.
func (d Definition) check() error {
	if d.Revision == "" || len(d.Rows) == 0 || len(d.InfoRows) == 0 {
		return fmt.Errorf("revision, info_rows and rows are required")
	}
	for _, r := range d.Rows {
		switch r.Src {
		case "amount":
			if _, ok := energy.TypeByCode(r.Type); !ok || r.Scale <= 0 {
				return fmt.Errorf("row %s: unknown energy type %q or scale %v", r.Code, r.Type, r.Scale)
			}
		case "total_kgce", "per_area_kgce", "per_capita_kgce", "per_capita_water":
		default:
			return fmt.Errorf("row %s: unknown src %q", r.Code, r.Src)
		}
	}
	for _, s := range d.Sections {
		if err := s.check(); err != nil {
			return err
		}
	}
	for _, r := range d.InfoRows {
		switch r.Field {
		case "name", "credit_code", "category", "region", "headcount", "floor_area_m2", "land_area_m2", "new_energy_vehicles", "charging_piles":
		default:
			return fmt.Errorf("info row %s: unknown field %q", r.Code, r.Field)
		}
	}
	return nil
}

// HasInfo reports whether the revision asks for a field of 公共机构基本信息.
func (d Definition) HasInfo(field string) bool {
	for _, r := range d.InfoRows {
		if r.Field == field {
			return true
		}
	}
	return false
}

// LoadDefinition returns the revision of the form in force at the end of year y.
func LoadDefinition(ctx context.Context, q db.Q, y int) (Definition, error) {
	var d Definition
	row, err := refdata.LookupYear(ctx, q, KindForm, "form", "", y)
	if err != nil {
		if errs.Is(err, errs.CodeNotFound) {
			return d, errs.Invalid("year", fmt.Sprintf("%d 年没有有效的统计报表表式（标准参数 %s）", y, KindForm))
		}
		return d, err
	}
	if err := row.Decode(&d); err != nil {
		return d, fmt.Errorf("%s: %w", KindForm, err)
	}
	if err := d.check(); err != nil {
		return d, fmt.Errorf("%s %s: %w", KindForm, d.Revision, err)
	}
	d.Source, d.Confidence = row.SourceDoc, row.Confidence
	return d, nil
}

// Rules are the report's configurable numbers (reference data energy.report_rule).
type Rules struct {
	YoYThreshold  float64 // |change| above this share is flagged for the reviewer
	DeadlineMonth int
	DeadlineDay   int
}

// LoadRules reads the rules in force at the end of year y for a region.
func LoadRules(ctx context.Context, q db.Q, y int, region string) (Rules, error) {
	r := Rules{}
	for key, dst := range map[string]*float64{"yoy_threshold": &r.YoYThreshold} {
		row, err := refdata.LookupYear(ctx, q, KindRule, key, region, y)
		if err != nil {
			return r, err
		}
		*dst = row.Value
	}
	for key, dst := range map[string]*int{"deadline_month": &r.DeadlineMonth, "deadline_day": &r.DeadlineDay} {
		row, err := refdata.LookupYear(ctx, q, KindRule, key, region, y)
		if err != nil {
			return r, err
		}
		*dst = int(row.Value)
	}
	return r, nil
}

// Info is what the report keeps beside energy's figures.
type Info struct {
	NewEnergyVehicles int64   `json:"new_energy_vehicles" doc:"新能源汽车数量（辆）"`
	LandAreaM2        float64 `json:"land_area_m2" doc:"用地面积（平方米，2025 年修订前的表式）"`
	ChargingPiles     int64   `json:"charging_piles" doc:"充电桩数量（个，2025 年修订前的表式）"`
	Principal         string  `json:"principal" doc:"单位负责人"`
	StatsLead         string  `json:"stats_lead" doc:"统计负责人"`
	Preparer          string  `json:"preparer" doc:"填表人"`
	Phone             string  `json:"phone" doc:"联系电话"`
	// Values are the figures of the hand-filled tables (采暖能耗, 数据中心机房) by field key; a PUT replaces them all.
	Values map[string]float64 `json:"values,omitempty" doc:"采暖能耗、数据中心机房报表的栏目（键见表式 sections）→ 数值"`
}

// Line is a filled row of 能源资源消费状况: this year, last year and this year's standard coal (amount rows of
// counted types).
type Line struct {
	FormRow
	This     float64 `json:"this_year"`
	Last     float64 `json:"last_year"`
	Kgce     float64 `json:"kgce,omitempty" doc:"本年折标准煤（千克）"`
	HasThis  bool    `json:"has_this"`
	HasLast  bool    `json:"has_last"`
	Counted  bool    `json:"counted"`
	Indicate bool    `json:"indicator" doc:"强度指标（由合计值计算）"`
}

// InfoLine is a filled row of 公共机构基本信息.
type InfoLine struct {
	InfoRow
	Value string `json:"value"`
}

// Form is the 基层表 of a unit and year, filled.
type Form struct {
	OrgID      int64             `json:"org_id"`
	OrgName    string            `json:"org_name"`
	Year       int               `json:"year"`
	Revision   string            `json:"revision"`
	FormName   string            `json:"form_name"`
	Header     Header            `json:"header"`
	Info       []InfoLine        `json:"info"`
	Lines      []Line            `json:"lines"`
	Sections   []FilledSection   `json:"sections,omitempty"`
	Extra      Info              `json:"extra"`
	Headcount  int64             `json:"headcount"`
	FloorArea  float64           `json:"floor_area_m2"`
	OrgYearSet bool              `json:"org_year_recorded" doc:"本年度用能人数和建筑面积已填报（否则为单位登记的当前值）"`
	Indicators energy.Indicators `json:"-"`
	Previous   energy.Indicators `json:"-"`
	Def        Definition        `json:"-"`
}

// LoadInfo returns the report fields of (unit, year); zero values when none were entered.
func LoadInfo(ctx context.Context, q db.Q, orgID int64, year int) (Info, error) {
	var in Info
	err := q.QueryRow(ctx, `SELECT new_energy_vehicles, land_area_m2, charging_piles, principal, stats_lead, preparer, phone
		FROM energy_report_info WHERE org_id = ? AND year = ?`, orgID, year).Scan(&in.NewEnergyVehicles, &in.LandAreaM2, &in.ChargingPiles,
		&in.Principal, &in.StatsLead, &in.Preparer, &in.Phone)
	if err != nil && !db.IsNoRows(err) {
		return in, err
	}
	if in.Values, err = loadValues(ctx, q, orgID, year); err != nil {
		return in, err
	}
	if len(in.Values) == 0 {
		in.Values = nil
	}
	return in, nil
}

// BuildForm fills the 基层表 of a unit (in the caller's scope: 404 otherwise) for year y from energy's figures.
func BuildForm(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, y int) (Form, error) {
	o, err := org.GetOrg(ctx, q, sc, orgID)
	if err != nil {
		return Form{}, err
	}
	def, err := LoadDefinition(ctx, q, y)
	if err != nil {
		return Form{}, err
	}
	sel := energy.Selection{OrgID: orgID}
	cur, err := energy.Compute(ctx, q, sc, sel, energy.Span{Year: y}, nil)
	if err != nil {
		return Form{}, err
	}
	prev, err := energy.Compute(ctx, q, sc, sel, energy.Span{Year: y - 1}, nil)
	if err != nil {
		return Form{}, err
	}
	oy, err := energy.GetOrgYear(ctx, q, orgID, y)
	if err != nil {
		return Form{}, err
	}
	extra, err := LoadInfo(ctx, q, orgID, y)
	if err != nil {
		return Form{}, err
	}
	region := o.RegionName
	if region == "" {
		region = o.RegionCode
	}
	f := Form{OrgID: orgID, OrgName: o.Name, Year: y, Revision: def.Revision, FormName: def.Name, Header: def.Basic, Extra: extra,
		Headcount: oy.Headcount, FloorArea: oy.FloorAreaM2, OrgYearSet: oy.Recorded, Indicators: cur, Previous: prev, Def: def}
	for _, r := range def.InfoRows {
		v := ""
		switch r.Field {
		case "name":
			v = o.Name
		case "credit_code":
			v = o.CreditCode
		case "category":
			v = org.Categories.Name(o.Category)
		case "region":
			v = region
		case "headcount":
			v = fmt.Sprint(oy.Headcount)
		case "floor_area_m2":
			v = fmtNum(oy.FloorAreaM2, 2)
		case "land_area_m2":
			v = fmtNum(extra.LandAreaM2, 2)
		case "new_energy_vehicles":
			v = fmt.Sprint(extra.NewEnergyVehicles)
		case "charging_piles":
			v = fmt.Sprint(extra.ChargingPiles)
		}
		f.Info = append(f.Info, InfoLine{InfoRow: r, Value: v})
	}
	f.Lines = FillLines(def.Rows, cur, prev)
	if len(def.Sections) > 0 {
		fac, err := energy.LoadFactors(ctx, q, y)
		if err != nil {
			return Form{}, err
		}
		f.Sections = fillSections(def.Sections, extra.Values, fac, o.RegionCode)
	}
	return f, nil
}

// FillLines computes the rows of 能源资源消费状况 from this year's and last year's indicators (of a unit or of a
// group of units: the summary tables use the same rows).
func FillLines(rows []FormRow, cur, prev energy.Indicators) []Line {
	out := make([]Line, 0, len(rows))
	for _, r := range rows {
		l := Line{FormRow: r}
		l.This, l.HasThis = rowValue(r, cur)
		l.Last, l.HasLast = rowValue(r, prev)
		if r.Src == "amount" {
			t := cur.Type(r.Type)
			l.Counted = t.Counted
			if t.Counted {
				l.Kgce = num.Round(t.Kgce, 2)
			}
		} else {
			l.Indicate = r.Src != "total_kgce"
		}
		out = append(out, l)
	}
	return out
}

// rowValue is a row's figure in the form's unit, and whether there is one.
func rowValue(r FormRow, in energy.Indicators) (float64, bool) {
	if !in.HasData() {
		return 0, false
	}
	switch r.Src {
	case "amount":
		for _, t := range in.ByType {
			if t.EnergyType == r.Type {
				return num.Round(t.Amount*r.Scale, 4), true
			}
		}
		return 0, true
	case "total_kgce":
		return num.Round(in.TotalKgce, 2), true
	case "per_area_kgce":
		return num.Round(in.PerAreaKgce, 4), in.FloorAreaM2 > 0
	case "per_capita_kgce":
		return num.Round(in.PerCapitaKgce, 4), in.Headcount > 0
	case "per_capita_water":
		return num.Round(in.PerCapitaWaterM3, 4), in.Headcount > 0
	}
	return 0, false
}

// fmtNum prints v with at most d decimals and no trailing zeros.
func fmtNum(v float64, d int) string {
	s := fmt.Sprintf("%.*f", d, num.Round(v, d))
	for d > 0 && len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

// groupNum puts thousands separators into a number printed by fmtNum, for pages (workbooks keep plain numbers).
func groupNum(s string) string {
	sign, whole, frac := "", s, ""
	if strings.HasPrefix(whole, "-") {
		sign, whole = "-", whole[1:]
	}
	if i := strings.IndexByte(whole, '.'); i >= 0 {
		whole, frac = whole[:i], whole[i:]
	}
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + b.String() + frac
}
