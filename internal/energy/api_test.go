package energy_test

import (
	"fmt"
	"math"
	"net/http"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/energy"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6*math.Max(1, math.Abs(b)) }

type typeItem struct {
	Code        string  `json:"code"`
	Name        string  `json:"name"`
	Unit        string  `json:"unit"`
	KgcePerUnit float64 `json:"kgce_per_unit"`
	Source      string  `json:"source"`
}

type factorItem struct {
	EnergyType   string  `json:"energy_type"`
	KgCO2PerUnit float64 `json:"kg_co2_per_unit"`
	Source       string  `json:"source"`
	Factor       struct {
		DataYear   int    `json:"data_year"`
		Published  string `json:"published"`
		Confidence string `json:"confidence"`
		Fallback   bool   `json:"fallback"`
	} `json:"factor"`
}

// mkOrg creates a unit through the API and returns its id.
func mkOrg(t *testing.T, c *apptest.Client, body map[string]any) int64 {
	t.Helper()
	base := map[string]any{"kind": "organ", "admin_level": "municipal", "category": "organ"}
	for k, v := range body {
		base[k] = v
	}
	var out struct {
		ID int64 `json:"id"`
	}
	if st := c.JSON("POST", "/api/v1/orgs", base, &out); st != 201 {
		t.Fatalf("create unit %v: status %d", body, st)
	}
	return out.ID
}

func TestTypesAndFactorsWithSources(t *testing.T) {
	e := newEnv(t, false)
	c := e.Admin()
	var types struct{ Items []typeItem }
	if st := c.JSON("GET", "/api/v1/energy/types?year=2025", nil, &types); st != 200 {
		t.Fatalf("types: %d", st)
	}
	want := map[string]struct {
		unit string
		kgce float64
	}{"electricity": {"kWh", 0.1229}, "water": {"m3", 0}, "natural_gas": {"m3", 1.33}, "coal": {"kg", 0.7143}, "gasoline": {"kg", 1.4714},
		"diesel": {"kg", 1.4571}, "lpg": {"kg", 1.7143}, "heat": {"GJ", 34.12}, "pv_generation": {"kWh", 0.1229}}
	got := map[string]typeItem{}
	for _, it := range types.Items {
		got[it.Code] = it
	}
	for code, w := range want {
		it, ok := got[code]
		if !ok {
			t.Errorf("type %s missing", code)
			continue
		}
		if it.Unit != w.unit || !near(it.KgcePerUnit, w.kgce) || it.Source == "" || it.Name == "" {
			t.Errorf("type %s = %+v, want unit %s, %v kgce and a source", code, it, w.unit, w.kgce)
		}
	}
	if s := got["electricity"].Source; s != "GB/T 2589-2020《综合能耗计算通则》附录 A" {
		t.Errorf("electricity factor source %q", s)
	}

	// Accounting year Y uses the latest grid factor of a data year ≤ Y: 2025 → the 2023 data year's 0.5306.
	for _, c0 := range []struct {
		year     int
		want     float64
		dataYear int
		fallback bool
	}{{2025, 0.5306, 2023, false}, {2026, 0.5306, 2023, false}, {2023, 0.5306, 2023, false}, {2022, 0.5366, 2022, false}, {2021, 0.5568, 2021, false},
		{2020, 0.5568, 2021, true}} {
		var fs struct{ Items []factorItem }
		if st := c.JSON("GET", fmt.Sprintf("/api/v1/energy/emission-factors?year=%d", c0.year), nil, &fs); st != 200 {
			t.Fatalf("emission factors %d: %d", c0.year, st)
		}
		var el factorItem
		for _, it := range fs.Items {
			if it.EnergyType == "electricity" {
				el = it
			}
		}
		if !near(el.KgCO2PerUnit, c0.want) || el.Factor.DataYear != c0.dataYear || el.Factor.Fallback != c0.fallback || el.Source == "" {
			t.Errorf("grid factor for %d = %+v, want %v of data year %d (fallback %v)", c0.year, el, c0.want, c0.dataYear, c0.fallback)
		}
		if c0.year == 2025 {
			if len(fs.Items) < 7 {
				t.Errorf("2025 factors list %d types, want electricity and the fuels", len(fs.Items))
			}
			for _, it := range fs.Items {
				if it.EnergyType != "electricity" && it.Factor.Confidence != "M" {
					t.Errorf("fuel factor %s is not marked unverified: %+v", it.EnergyType, it)
				}
			}
		}
	}
	// A province may choose its regional grid factor.
	var item struct {
		ID int64 `json:"id"`
	}
	if st := c.JSON("POST", "/api/v1/refdata/"+energy.KindVariant+"/overrides", map[string]any{"key": "co2/electricity", "value": "electricity/regional",
		"region_code": "130000", "valid_from": "2021-01-01", "source_doc": "冀机管〔2024〕1号（测试）"}, &item); st != 201 {
		t.Fatalf("override: %d", st)
	}
	var fs struct{ Items []factorItem }
	c.JSON("GET", "/api/v1/energy/emission-factors?year=2025&region_code=130102", nil, &fs)
	if fs.Items[0].EnergyType != "electricity" || !near(fs.Items[0].KgCO2PerUnit, 0.6361) {
		t.Errorf("河北 with the regional variant in 2025 = %+v, want 华北 2023 0.6361", fs.Items[0])
	}
	c.JSON("GET", "/api/v1/energy/emission-factors?year=2025&region_code=110101", nil, &fs)
	if !near(fs.Items[0].KgCO2PerUnit, 0.5306) {
		t.Errorf("北京 keeps the national factor: %+v", fs.Items[0])
	}
	for _, bad := range []string{"year=25", "year=abcd", "region_code=12"} {
		var eb apptest.ErrorBody
		if st := c.JSON("GET", "/api/v1/energy/emission-factors?"+bad, nil, &eb); st != 422 || eb.Error.Code != "validation" {
			t.Errorf("%s: status %d %+v", bad, st, eb)
		}
	}
}

type indicators struct {
	TotalKgce        float64 `json:"total_kgce"`
	PerCapitaKgce    float64 `json:"per_capita_kgce"`
	PerAreaKgce      float64 `json:"per_area_kgce"`
	WaterM3          float64 `json:"water_m3"`
	PerCapitaWaterM3 float64 `json:"per_capita_water_m3"`
	CO2Kg            float64 `json:"co2_kg"`
	PerAreaCO2Kg     float64 `json:"per_area_co2_kg"`
	PVGenerationKWh  float64 `json:"pv_generation_kwh"`
	ReportingUnits   int64   `json:"reporting_units"`
	Units            int64   `json:"units"`
	Headcount        int64   `json:"headcount"`
	FloorAreaM2      float64 `json:"floor_area_m2"`
	ByType           []struct {
		EnergyType string  `json:"energy_type"`
		Amount     float64 `json:"amount"`
		Kgce       float64 `json:"kgce"`
		CO2Kg      float64 `json:"co2_kg"`
	} `json:"by_type"`
}

func (in indicators) amount(typ string) float64 {
	for _, b := range in.ByType {
		if b.EnergyType == typ {
			return b.Amount
		}
	}
	return 0
}

func post(t *testing.T, c *apptest.Client, org int64, period, typ string, amount float64, extra ...string) int {
	t.Helper()
	body := map[string]any{"org_id": org, "period": period, "energy_type": typ, "amount": amount}
	if len(extra) > 0 {
		body["unit"] = extra[0]
	}
	return c.JSON("POST", "/api/v1/energy/consumption", body, nil)
}

func getIndicators(t *testing.T, c *apptest.Client, query string) indicators {
	t.Helper()
	var in indicators
	if st := c.JSON("GET", "/api/v1/energy/indicators?"+query, nil, &in); st != 200 {
		t.Fatalf("indicators %s: %d", query, st)
	}
	return in
}

// TestIndicatorsMatchHandComputation is the test vector of docs/domain/energy.md §Standard coal: 100 000 kWh + 20 000
// m³ 气田天然气 (1.2143) + 3 000 kg 汽油 = 40 990.2 kgce, with the province choosing the gas-field factor.
func TestIndicatorsMatchHandComputation(t *testing.T) {
	e := newEnv(t, false)
	c := e.Admin()
	id := mkOrg(t, c, map[string]any{"name": "北京测试单位", "region_code": "110101", "headcount": 100, "floor_area_m2": 5000})
	for _, x := range []struct {
		typ string
		v   float64
	}{{"electricity", 100000}, {"natural_gas", 20000}, {"gasoline", 3000}, {"water", 2400}, {"pv_generation", 8000}} {
		if st := post(t, c, id, "2025-03", x.typ, x.v); st != 201 {
			t.Fatalf("post %s: %d", x.typ, st)
		}
	}
	// Default: natural gas at 1.33 (油田天然气).
	in := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025", id))
	if !near(in.TotalKgce, 12290+26600+4414.2) {
		t.Errorf("total with 1.33 = %v", in.TotalKgce)
	}
	if st := c.JSON("POST", "/api/v1/refdata/"+energy.KindVariant+"/overrides", map[string]any{"key": "kgce/natural_gas", "value": "natural_gas/gas_field",
		"region_code": "110000", "valid_from": "2021-01-01", "source_doc": "京管局〔2021〕测试号"}, nil); st != 201 {
		t.Fatalf("override: %d", st)
	}
	in = getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025", id))
	if !near(in.TotalKgce, 40990.2) {
		t.Fatalf("total_kgce = %v, want 40990.2", in.TotalKgce)
	}
	co2 := 100000*0.5306 + 20000*2.165 + 3000*2.925
	if !near(in.CO2Kg, co2) || !near(in.PerAreaCO2Kg, round4(co2/5000)) {
		t.Errorf("co2 = %v (per m² %v), want %v", in.CO2Kg, in.PerAreaCO2Kg, co2)
	}
	if !near(in.PerCapitaKgce, 409.902) || !near(in.PerAreaKgce, round4(40990.2/5000)) {
		t.Errorf("per capita %v, per m² %v", in.PerCapitaKgce, in.PerAreaKgce)
	}
	if in.WaterM3 != 2400 || in.PerCapitaWaterM3 != 24 || in.PVGenerationKWh != 8000 {
		t.Errorf("water %v (%v per capita), pv %v", in.WaterM3, in.PerCapitaWaterM3, in.PVGenerationKWh)
	}
	// Quarter and month spans; a month without data.
	if q1 := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025&quarter=1", id)); !near(q1.TotalKgce, 40990.2) {
		t.Errorf("Q1 = %v", q1.TotalKgce)
	}
	if m4 := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025&month=4", id)); m4.TotalKgce != 0 || len(m4.ByType) != 0 || m4.ReportingUnits != 0 {
		t.Errorf("April = %+v", m4)
	}
	// Litres of diesel with the configured density (0.84 kg/L): 1 000 L = 840 kg, the original kept.
	var ent struct {
		Amount      float64 `json:"amount"`
		InputAmount float64 `json:"input_amount"`
		InputUnit   string  `json:"input_unit"`
		Density     float64 `json:"density"`
	}
	if st := c.JSON("POST", "/api/v1/energy/consumption", map[string]any{"org_id": id, "period": "2025-04", "energy_type": "diesel", "amount": 1000, "unit": "L"}, &ent); st != 201 {
		t.Fatalf("diesel in litres: %d", st)
	}
	if ent.Amount != 840 || ent.InputAmount != 1000 || ent.InputUnit != "L" || ent.Density != 0.84 {
		t.Errorf("diesel entry = %+v", ent)
	}
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

func TestMonthlyEntryIsIdempotentAndAudited(t *testing.T) {
	e := newEnv(t, false)
	c := e.Admin()
	id := mkOrg(t, c, map[string]any{"name": "幂等测试单位", "headcount": 10, "floor_area_m2": 100})
	if st := post(t, c, id, "2025-01", "electricity", 1000); st != 201 {
		t.Fatalf("first: %d", st)
	}
	if st := post(t, c, id, "2025-01", "electricity", 1000); st != 200 {
		t.Fatalf("same again: %d", st)
	}
	audits := func() int64 {
		return e.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'energy.consumption.set' AND object_id = ?", fmt.Sprintf("%d/2025-01/electricity", id))
	}
	if n := audits(); n != 1 {
		t.Errorf("audit entries after the same entry twice = %d, want 1", n)
	}
	if st := post(t, c, id, "2025-01", "electricity", 1200); st != 200 {
		t.Fatalf("replace: %d", st)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_consumption WHERE org_id = ?", id); n != 1 {
		t.Errorf("entries = %d, want 1", n)
	}
	if n := audits(); n != 2 {
		t.Errorf("audit entries after a replacement = %d, want 2", n)
	}
	var detail string
	_ = e.App.DB.QueryRow(e.ctx, "SELECT detail FROM audit_log WHERE action = 'energy.consumption.set' ORDER BY id DESC LIMIT 1").Scan(&detail)
	if want := `"before":{"amount":1000`; !contains(detail, want) || !contains(detail, `"after":{"amount":1200`) {
		t.Errorf("audit detail %s lacks before/after", detail)
	}
	if in := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025", id)); in.amount("electricity") != 1200 {
		t.Errorf("electricity after replacement = %v", in.amount("electricity"))
	}
	// Bad input: 422 naming the field, in Chinese.
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"org_id": id, "period": "2025-01", "energy_type": "electricity", "amount": -5}, "amount"},
		{map[string]any{"org_id": id, "period": "2025-13", "energy_type": "electricity", "amount": 5}, "period"},
		{map[string]any{"org_id": id, "period": "2025-1", "energy_type": "electricity", "amount": 5}, "period"},
		{map[string]any{"org_id": id, "period": "2027-01", "energy_type": "electricity", "amount": 5}, "period"},
		{map[string]any{"org_id": id, "period": "2025-01", "energy_type": "steam", "amount": 5}, "energy_type"},
		{map[string]any{"org_id": id, "period": "2025-01", "energy_type": "electricity", "amount": 5, "unit": "L"}, "unit"},
		{map[string]any{"period": "2025-01", "energy_type": "electricity", "amount": 5}, "org_id"},
	} {
		var eb apptest.ErrorBody
		if st := c.JSON("POST", "/api/v1/energy/consumption", bad.body, &eb); st != 422 || eb.Error.Fields[bad.field] == "" {
			t.Errorf("%v: status %d, fields %v", bad.body, st, eb.Error.Fields)
		}
	}
	if r := c.Do("POST", "/api/v1/energy/consumption", "application/json", []byte(`{"org_id":`)); r.StatusCode != 400 {
		t.Errorf("malformed JSON: %d", r.StatusCode)
	}
	if r := c.Do("POST", "/api/v1/energy/consumption", "application/json", []byte(`{"org_id":1,"period":"2025-01","energy_type":"water","amount":"x"}`)); r.StatusCode != 422 {
		t.Errorf("amount as text: %d", r.StatusCode)
	}
}

func contains(s, sub string) bool { return len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0) }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestSubtreeRollupAndScope(t *testing.T) {
	e := newEnv(t, false)
	c := e.Admin()
	parent := mkOrg(t, c, map[string]any{"name": "上级局", "headcount": 50, "floor_area_m2": 1000})
	a := mkOrg(t, c, map[string]any{"name": "下级甲", "parent_id": parent, "headcount": 20, "floor_area_m2": 400})
	b := mkOrg(t, c, map[string]any{"name": "下级乙", "parent_id": parent, "headcount": 30, "floor_area_m2": 600})
	other := mkOrg(t, c, map[string]any{"name": "无关单位", "headcount": 5, "floor_area_m2": 50})
	post(t, c, parent, "2025-02", "electricity", 10000)
	post(t, c, a, "2025-02", "electricity", 2000)
	post(t, c, b, "2025-05", "electricity", 3000)
	post(t, c, b, "2025-05", "water", 90)
	post(t, c, other, "2025-05", "electricity", 99999)

	own := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025", parent))
	if own.amount("electricity") != 10000 {
		t.Errorf("own = %v", own.amount("electricity"))
	}
	all := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025&subtree=true", parent))
	if all.amount("electricity") != 15000 || !near(all.TotalKgce, 15000*0.1229) || all.ReportingUnits != 3 {
		t.Errorf("subtree = %+v", all)
	}
	if !near(all.PerCapitaKgce, round4(15000*0.1229/100)) || all.PerCapitaWaterM3 != 0.9 {
		t.Errorf("subtree per capita %v, water %v", all.PerCapitaKgce, all.PerCapitaWaterM3)
	}

	// A unit administrator of the subtree sees it; a unit outside answers 404, for reads and writes.
	if st := c.JSON("POST", "/api/v1/users", map[string]any{"username": "subadmin", "password": "Sub#Admin2026x", "roles": []string{"unit_admin"},
		"scope_org_id": parent, "data_scope": "subtree"}, nil); st != 201 {
		t.Fatalf("create user: %d", st)
	}
	u := e.API("subadmin", "Sub#Admin2026x")
	// An account made by an administrator changes its initial password before anything else.
	if st := u.JSON("POST", "/api/v1/me/password", map[string]string{"current_password": "Sub#Admin2026x", "new_password": "Sub#Admin2026y"}, nil); st != 204 {
		t.Fatalf("change the initial password: %d", st)
	}
	if in := getIndicators(t, u, fmt.Sprintf("org_id=%d&year=2025&subtree=true", parent)); in.amount("electricity") != 15000 {
		t.Errorf("unit admin subtree = %v", in.amount("electricity"))
	}
	var eb apptest.ErrorBody
	if st := u.JSON("GET", fmt.Sprintf("/api/v1/energy/indicators?org_id=%d&year=2025", other), nil, &eb); st != 404 {
		t.Errorf("indicators outside scope: %d", st)
	}
	if st := post(t, u, other, "2025-06", "electricity", 1); st != 404 {
		t.Errorf("entry outside scope: %d", st)
	}
	if st := post(t, u, a, "2025-06", "electricity", 1); st != 201 {
		t.Errorf("entry inside scope: %d", st)
	}
	// Without org_id the indicators cover the caller's whole scope.
	if in := getIndicators(t, u, "year=2025"); in.amount("electricity") != 15001 {
		t.Errorf("whole scope = %v", in.amount("electricity"))
	}
	if st := u.JSON("POST", "/api/v1/energy/meters", map[string]any{"org_id": a, "energy_type": "electricity", "name": "x"}, nil); st != http.StatusForbidden {
		t.Errorf("unit admin creating a meter: %d, want 403", st)
	}
}

// TestProgressCacheFollowsEachYear: the progress read keeps each year's part cached by that year's version, so a
// write to the current year, the previous year or the baseline year shows at once in the right part and only there.
func TestProgressCacheFollowsEachYear(t *testing.T) {
	e := newEnv(t, false)
	c := e.Admin()
	unit := mkOrg(t, c, map[string]any{"name": "缓存测试单位", "headcount": 10, "floor_area_m2": 1000})
	entry := func(period string, kwh float64) {
		t.Helper()
		if st := c.JSON("POST", "/api/v1/energy/consumption", map[string]any{"org_id": unit, "period": period, "energy_type": "electricity", "amount": kwh,
			"confirm": true, "reason": "缓存测试：数值随意"}, nil); st != 200 && st != 201 {
			t.Fatalf("entry %s: %d", period, st)
		}
	}
	type part struct {
		TotalKgce float64 `json:"total_kgce"`
	}
	var p struct {
		Current, Previous, Baseline part
	}
	read := func() {
		t.Helper()
		if st := c.JSON("GET", fmt.Sprintf("/api/v1/energy/progress?org_id=%d&year=2025", unit), nil, &p); st != 200 {
			t.Fatalf("progress: %d", st)
		}
	}
	entry("2025-03", 1000)
	entry("2024-03", 2000)
	entry("2020-03", 3000)
	read()
	want := func(cur, prev, base float64) {
		t.Helper()
		k := 0.1229 // kgce per kWh (GB/T 2589-2020 当量值)
		if !near(p.Current.TotalKgce, cur*k) || !near(p.Previous.TotalKgce, prev*k) || !near(p.Baseline.TotalKgce, base*k) {
			t.Errorf("progress %+v, want %v / %v / %v kWh", p, cur, prev, base)
		}
	}
	want(1000, 2000, 3000)
	read() // warm
	want(1000, 2000, 3000)
	entry("2025-04", 500)
	read()
	want(1500, 2000, 3000)
	entry("2024-04", 100)
	read()
	want(1500, 2100, 3000)
	entry("2020-04", 10)
	read()
	want(1500, 2100, 3010)
}
