package energy

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/refdata"
)

// Dataset kinds of the module (reference data with sources, overridable per region by holders of refdata:write).
const (
	KindKgce    = "energy.kgce_factor"    // kgce per unit, by factor key
	KindCO2     = "energy.co2_factor"     // kgCO₂ per unit, by factor key; JSON {"value","published"}; valid_from = data year
	KindVariant = "energy.factor_variant" // which factor key a type uses: "kgce/<type>" / "co2/<type>" → key
	KindDensity = "energy.fuel_density"   // kg per litre of gasoline and diesel
	KindTarget  = "energy.target"         // targets of each plan period: "<period>/<indicator>" → change against its base year
	KindPeriod  = "energy.plan_period"    // plan periods: years, base year, document (docs/domain/energy.md §Plan periods)
)

// Datasets are the module's reference datasets, parsed from the embedded files (a broken file panics at start).
func Datasets() []refdata.Dataset {
	return []refdata.Dataset{
		refdata.MustLoad(dataFS, "data/kgce_factor.csv"),
		refdata.MustLoad(dataFS, "data/co2_factor.json"),
		refdata.MustLoad(dataFS, "data/factor_variant.json"),
		refdata.MustLoad(dataFS, "data/fuel_density.csv"),
		refdata.MustLoad(dataFS, "data/target.csv"),
		refdata.MustLoad(dataFS, "data/plan_period.json"),
		refdata.MustLoad(dataFS, "data/entry_rule.csv"),
	}
}

// Factor is a conversion factor as applied: the value and the row it came from.
type Factor struct {
	Key        string  `json:"factor_key" doc:"系数代码（如 natural_gas/gas_field）"`
	Value      float64 `json:"value"`
	Unit       string  `json:"unit"`
	Source     string  `json:"source"`
	Issuer     string  `json:"issuer,omitempty"`
	ValidFrom  string  `json:"valid_from"`
	RegionCode string  `json:"region_code" doc:"系数所属区划，空为全国"`
	Confidence string  `json:"confidence" doc:"V 原文核实 · S 二手来源 · M 待核实"`
	Note       string  `json:"note,omitempty"`
	DataYear   int     `json:"data_year,omitempty" doc:"排放因子的数据年份"`
	Published  string  `json:"published,omitempty" doc:"排放因子的发布日期"`
	// Fallback marks a factor taken from the earliest edition because none was in force in the accounting year
	// (e.g. the 2020 baseline, before the first published grid factor).
	Fallback bool `json:"fallback,omitempty"`
	Found    bool `json:"-"`
}

// Factors resolves the factors of one accounting year for any region, caching each (kind, type, region).
type Factors struct {
	Year                                    int
	kgce, co2, variant, density, targets    *refdata.Table
	kgceAll, co2All, densityAll, targetsAll map[string][]refdata.Row // every edition by key (earliest-edition fallback)
	periods                                 *refdata.Table
	periodsAll                              map[string][]refdata.Row
	cache                                   map[string]Factor
	variantCache                            map[string]string
}

// LoadFactors loads the reference tables in force at the end of accounting year y ("accounting year Y uses the
// latest factor in force by the end of Y"; for CO₂ the rows start on 1 January of their data year, so this is the
// latest data year ≤ Y that has been published).
func LoadFactors(ctx context.Context, q db.Q, y int) (*Factors, error) {
	if y < minYear || y > 9999 {
		return nil, errs.Invalid("year", "年份无效")
	}
	date := refdata.YearEnd(y)
	f := &Factors{Year: y, cache: map[string]Factor{}, variantCache: map[string]string{}}
	var err error
	if f.kgce, err = refdata.LoadTable(ctx, q, KindKgce, date); err != nil {
		return nil, err
	}
	if f.co2, err = refdata.LoadTable(ctx, q, KindCO2, date); err != nil {
		return nil, err
	}
	if f.variant, err = refdata.LoadTable(ctx, q, KindVariant, date); err != nil {
		return nil, err
	}
	if f.density, err = refdata.LoadTable(ctx, q, KindDensity, date); err != nil {
		return nil, err
	}
	if f.targets, err = refdata.LoadTable(ctx, q, KindTarget, date); err != nil {
		return nil, err
	}
	if f.periods, err = refdata.LoadTable(ctx, q, KindPeriod, date); err != nil {
		return nil, err
	}
	all := func(kind string) (map[string][]refdata.Row, error) {
		rows, _, err := refdata.List(ctx, q, refdata.Filter{Kind: kind})
		if err != nil {
			return nil, err
		}
		m := map[string][]refdata.Row{}
		for _, r := range rows {
			if !r.Withdrawn() {
				m[r.Key] = append(m[r.Key], r)
			}
		}
		return m, nil
	}
	if f.kgceAll, err = all(KindKgce); err != nil {
		return nil, err
	}
	if f.co2All, err = all(KindCO2); err != nil {
		return nil, err
	}
	if f.densityAll, err = all(KindDensity); err != nil {
		return nil, err
	}
	if f.targetsAll, err = all(KindTarget); err != nil {
		return nil, err
	}
	if f.periodsAll, err = all(KindPeriod); err != nil {
		return nil, err
	}
	return f, nil
}

// earliest picks, among all editions of a key, the earliest one applying to the region (the most specific region
// first): the fallback for years before the first edition.
func earliest(rows []refdata.Row, region string) (refdata.Row, bool) {
	for _, code := range refdata.RegionChain(region) {
		var best refdata.Row
		found := false
		for _, r := range rows {
			if r.RegionCode == code && (!found || r.ValidFrom < best.ValidFrom) {
				best, found = r, true
			}
		}
		if found {
			return best, true
		}
	}
	return refdata.Row{}, false
}

// Variant is the factor key a type uses for purpose ("kgce" or "co2") in region: the energy.factor_variant row,
// else the type's own code.
func (f *Factors) Variant(purpose, typ, region string) string {
	ck := purpose + "|" + typ + "|" + region
	if v, ok := f.variantCache[ck]; ok {
		return v
	}
	key := typ
	if r, ok := f.variant.Lookup(purpose+"/"+typ, region); ok {
		var s string
		if err := r.Decode(&s); err == nil && s != "" {
			key = s
		}
	}
	f.variantCache[ck] = key
	return key
}

func (f *Factors) resolve(kind string, t *refdata.Table, all map[string][]refdata.Row, key, region string) Factor {
	ck := kind + "|" + key + "|" + region
	if v, ok := f.cache[ck]; ok {
		return v
	}
	r, ok := t.Lookup(key, region)
	fb := false
	if !ok {
		r, ok = earliest(all[key], region)
		fb = ok
	}
	out := Factor{Key: key}
	if ok {
		out = factorOf(r, fb)
	}
	f.cache[ck] = out
	return out
}

func factorOf(r refdata.Row, fallback bool) Factor {
	out := Factor{Key: r.Key, Unit: r.Unit, Source: r.SourceDoc, Issuer: r.Issuer, ValidFrom: r.ValidFrom, RegionCode: r.RegionCode,
		Confidence: r.Confidence, Note: r.Note, Fallback: fallback, Found: true}
	if len(r.JSON) > 0 {
		var v struct {
			Value     float64 `json:"value"`
			Published string  `json:"published"`
		}
		if err := r.Decode(&v); err == nil {
			out.Value, out.Published = v.Value, v.Published
		}
		if len(r.ValidFrom) >= 4 && r.ValidFrom[5:] == "01-01" && r.ValidFrom > "2000-01-01" {
			out.DataYear = atoi(r.ValidFrom[:4])
		}
	} else {
		out.Value = r.Value
	}
	return out
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// Kgce is the standard-coal factor of a type in a region (kgce per unit of the type). A type without a factor
// (water) answers Found false and value 0.
func (f *Factors) Kgce(typ, region string) Factor {
	key := f.Variant("kgce", typ, region)
	fc := f.resolve(KindKgce, f.kgce, f.kgceAll, key, region)
	if !fc.Found && key != typ {
		fc = f.resolve(KindKgce, f.kgce, f.kgceAll, typ, region)
	}
	return fc
}

// CO2 is the emission factor of a type in a region (kgCO₂ per unit). A chosen variant with no row for the year
// (e.g. a regional grid factor not published for that data year) falls back to the type's own key.
func (f *Factors) CO2(typ, region string) Factor {
	key := f.Variant("co2", typ, region)
	fc := f.resolve(KindCO2, f.co2, f.co2All, key, region)
	if (!fc.Found || fc.Fallback) && key != typ {
		if alt := f.resolve(KindCO2, f.co2, f.co2All, typ, region); alt.Found && (!fc.Found || !alt.Fallback) {
			fc = alt
		}
	}
	return fc
}

// Density is the kg/L of a liquid fuel in a region.
func (f *Factors) Density(typ, region string) Factor {
	return f.resolve(KindDensity, f.density, f.densityAll, typ, region)
}

// Target is a number of the targets dataset ("fyp14/per_area_kgce" → −0.05) for a region.
func (f *Factors) Target(key, region string) (Factor, bool) {
	fc := f.resolve(KindTarget, f.targets, f.targetsAll, key, region)
	return fc, fc.Found
}

// PlanPeriod is a five-year plan period of the targets (energy.plan_period).
type PlanPeriod struct {
	Code      string `json:"code" doc:"规划期代码（fyp14 十四五、fyp15 十五五）"`
	Name      string `json:"name" doc:"十四五 · 十五五"`
	FirstYear int    `json:"first_year"`
	LastYear  int    `json:"last_year" doc:"目标年"`
	BaseYear  int    `json:"base_year" doc:"基准年"`
	Document  string `json:"document" doc:"规划文件"`
}

// Period is the plan period holding year in region: the period whose years contain it; before the first period
// the first one (its base year and targets are the reference), after the last the last one.
func (f *Factors) Period(year int, region string) (PlanPeriod, bool) {
	var all []PlanPeriod
	for key, rows := range f.periodsAll {
		r, ok := f.periods.Lookup(key, region)
		if !ok {
			r, ok = earliest(rows, region)
		}
		if !ok {
			continue
		}
		var v struct {
			Name      string `json:"name"`
			FirstYear int    `json:"first_year"`
			LastYear  int    `json:"last_year"`
			BaseYear  int    `json:"base_year"`
		}
		if err := r.Decode(&v); err != nil || v.FirstYear == 0 || v.LastYear < v.FirstYear {
			continue
		}
		all = append(all, PlanPeriod{Code: key, Name: v.Name, FirstYear: v.FirstYear, LastYear: v.LastYear, BaseYear: v.BaseYear, Document: r.SourceDoc})
	}
	if len(all) == 0 {
		return PlanPeriod{}, false
	}
	sort.Slice(all, func(i, j int) bool { return all[i].FirstYear < all[j].FirstYear })
	for _, p := range all {
		if year >= p.FirstYear && year <= p.LastYear {
			return p, true
		}
	}
	if year < all[0].FirstYear {
		return all[0], true
	}
	return all[len(all)-1], true
}

// TypeFactor is GET /api/v1/energy/types: a type with its standard-coal factor for a year and region.
type TypeFactor struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Unit        string   `json:"unit"`
	KgcePerUnit float64  `json:"kgce_per_unit"`
	Source      string   `json:"source"`
	Counted     bool     `json:"counted" doc:"计入综合能耗（水、光伏发电量不计入）"`
	InputUnits  []string `json:"input_units" doc:"可填报的单位"`
	Factor      *Factor  `json:"factor,omitempty" doc:"所用系数的详细来源"`
}

// TypeFactors lists every type with the standard-coal factor it uses in region for year.
func TypeFactors(f *Factors, region string) []TypeFactor {
	out := make([]TypeFactor, 0, len(Types))
	for _, t := range Types {
		tf := TypeFactor{Code: t.Code, Name: t.Name, Unit: t.Unit, Counted: t.Counted}
		for _, u := range t.Inputs {
			tf.InputUnits = append(tf.InputUnits, u.Code)
		}
		if fc := f.Kgce(t.Code, region); fc.Found {
			tf.KgcePerUnit, tf.Source = fc.Value, fc.Source
			fc := fc
			tf.Factor = &fc
		} else {
			tf.Source = "不折标（资源类指标，单独统计）"
		}
		out = append(out, tf)
	}
	return out
}

// EmissionFactor is an item of GET /api/v1/energy/emission-factors.
type EmissionFactor struct {
	EnergyType   string  `json:"energy_type"`
	Name         string  `json:"name"`
	KgCO2PerUnit float64 `json:"kg_co2_per_unit"`
	Unit         string  `json:"unit"`
	Source       string  `json:"source"`
	Factor       Factor  `json:"factor" doc:"所用系数的详细来源（数据年份、发布日期、可信度）"`
}

// EmissionFactors lists the CO₂ factor each type with emissions uses in region for the factors' year.
func EmissionFactors(f *Factors, region string) []EmissionFactor {
	var out []EmissionFactor
	for _, t := range Types {
		fc := f.CO2(t.Code, region)
		if !fc.Found {
			continue
		}
		out = append(out, EmissionFactor{EnergyType: t.Code, Name: t.Name, KgCO2PerUnit: fc.Value, Unit: "kgCO2/" + t.Unit,
			Source: sourceLine(fc), Factor: fc})
	}
	return out
}

// sourceLine names a factor's source for people: the document, the data year and the publication date.
func sourceLine(fc Factor) string {
	var b strings.Builder
	b.WriteString(fc.Source)
	if fc.DataYear > 0 {
		b.WriteString("（数据年份 ")
		b.WriteString(strconv.Itoa(fc.DataYear))
		if fc.Published != "" {
			b.WriteString("，" + fc.Published + " 发布")
		}
		b.WriteString("）")
	}
	if fc.Confidence == refdata.Unverified {
		b.WriteString("【待核实】")
	}
	return b.String()
}
