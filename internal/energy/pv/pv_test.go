package pv_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/energy/pv"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6*math.Max(1, math.Abs(b)) }

// TestCompute checks yield, self-consumption and CO₂ avoided against hand computation.
func TestCompute(t *testing.T) {
	var gen, exp [12]float64
	var gh, eh [12]bool
	for m := 0; m < 12; m++ {
		gen[m], gh[m] = 1000*float64(m+1), true
		exp[m], eh[m] = 300, true
	}
	exp[0] = 5000 // more than generated: capped at the generation
	sys := pv.System{ID: 1, CapacityKWp: 50, Commissioned: "2025-07-01", GridMode: pv.ModeSelfUse}
	cases := []struct {
		name          string
		sys           pv.System
		metered       bool
		last          energy.Period
		gen, self, ex float64
		days          int
		yield, annual float64
	}{
		// Full year 2025 through December: months 1–12 sum 78 000 kWh; export 5 000 capped to 1 000 in January + 11 × 300.
		{"full year", pv.System{CapacityKWp: 50, Commissioned: "2023-05-01", GridMode: pv.ModeSelfUse}, true, energy.Period{Year: 2025, Month: 12},
			78000, 78000 - 1000 - 3300, 4300, 365, 1560, 1560},
		// Commissioned 1 July: 184 days; months 7–12 = 7000+…+12000 = 57 000 (earlier months ignored? no: figures count
		// what the meter says, so months 1–6 count as well: 78 000); annualised 78 000/50 × 365/184.
		{"partial year", sys, false, energy.Period{Year: 2025, Month: 12}, 78000, 78000, 0, 184, 1560, 1560 * 365.0 / 184},
		// Through October only: months 1–10 = 55 000; full export without an export meter exports everything.
		{"through october, full export", pv.System{CapacityKWp: 50, Commissioned: "2020-01-01", GridMode: pv.ModeFullExport}, false,
			energy.Period{Year: 2025, Month: 10}, 55000, 0, 55000, 304, 1100, 1100 * 365.0 / 304},
	}
	for _, c := range cases {
		f := pv.Compute(c.sys, 2025, gen, exp, gh, eh, c.metered, c.last, 0.5366, 0.1229)
		if !near(f.Generation, c.gen) || !near(f.SelfUsed, c.self) || !near(f.Exported, c.ex) || f.OperatingDays != c.days ||
			!near(f.Yield, c.yield) || !near(f.YieldAnnual, c.annual) {
			t.Errorf("%s: gen %v self %v exp %v days %d yield %v annual %v; want %v %v %v %d %v %v", c.name, f.Generation, f.SelfUsed, f.Exported,
				f.OperatingDays, f.Yield, f.YieldAnnual, c.gen, c.self, c.ex, c.days, c.yield, c.annual)
		}
		if !near(f.CO2Kg, c.gen*0.5366) || !near(f.Kgce, c.gen*0.1229) {
			t.Errorf("%s: co2 %v kgce %v", c.name, f.CO2Kg, f.Kgce)
		}
		if f.Generation > 0 && !near(f.SelfShare, c.self/c.gen) {
			t.Errorf("%s: self share %v", c.name, f.SelfShare)
		}
	}
}

func TestCoverage(t *testing.T) {
	// Hand figures: installable roof areas 400, 600, 300 and 200 m² on the eligible buildings; PV on 1 (250 m²),
	// on 3 (300 m² in two systems) and on 5 (not eligible). An array larger than its roof counts up to the roof.
	rows := []pv.Eligibility{
		{BuildingID: 1, OrgID: 1, OrgName: "甲", Assessed: true, Eligible: true, NewBuilding: true, Systems: 1, RoofAreaM2: 400, PVAreaM2: 250},
		{BuildingID: 2, OrgID: 1, OrgName: "甲", Assessed: true, Eligible: true, NewBuilding: true, RoofAreaM2: 600},
		{BuildingID: 3, OrgID: 1, OrgName: "甲", Assessed: true, Eligible: true, Systems: 2, RoofAreaM2: 300, PVAreaM2: 300},
		{BuildingID: 4, OrgID: 2, OrgName: "乙", Assessed: true, Eligible: true, NewBuilding: true, RoofAreaM2: 200},
		{BuildingID: 5, OrgID: 2, OrgName: "乙", Assessed: true, Eligible: false, Systems: 1, RoofAreaM2: 100, PVAreaM2: 90}, // not eligible: not counted
		{BuildingID: 6, OrgID: 2, OrgName: "乙", Assessed: false},                                                            // not assessed
	}
	c := pv.ComputeCoverage(rows, pv.Target{Coverage: 0.5, Found: true})
	// Area: (250 + 300) / (400 + 600 + 300 + 200) = 550 / 1500; new: 250 / (400 + 600 + 200) = 250 / 1200.
	// Buildings: 2 of 4; new: 1 of 3.
	if c.Eligible != 4 || c.WithPV != 2 || !near(c.Ratio, 550.0/1500) || !near(c.Buildings, 0.5) || !near(c.RoofAreaM2, 1500) || !near(c.PVAreaM2, 550) ||
		c.NewEligible != 3 || c.NewWithPV != 1 || !near(c.NewRatio, 250.0/1200) || !near(c.NewBuilds, 1.0/3) || c.NewMet {
		t.Errorf("coverage %+v", c)
	}
	if len(c.ByUnit) != 2 || c.ByUnit[0].Eligible != 3 || c.ByUnit[0].WithPV != 2 || !near(c.ByUnit[0].Ratio, 550.0/1300) || !near(c.ByUnit[0].Buildings, 2.0/3) ||
		c.ByUnit[1].Eligible != 1 || c.ByUnit[1].WithPV != 0 || c.ByUnit[1].Ratio != 0 {
		t.Errorf("by unit %+v", c.ByUnit)
	}
	// PV on building 4 too: 2 of 3 new buildings have PV, but 450 of 1,200 m² (37.5 %) is short of 50 %: the
	// target is an area ratio, the count is the second figure.
	rows[3].Systems, rows[3].PVAreaM2 = 1, 200
	if c := pv.ComputeCoverage(rows, pv.Target{Coverage: 0.5, Found: true}); c.NewMet || !near(c.NewRatio, 450.0/1200) || !near(c.NewBuilds, 2.0/3) {
		t.Errorf("2 of 3 new buildings but 37.5 %% of the area should not meet 50 %%: %+v", c)
	}
	// A 900 m² array on building 2's 600 m² roof counts 600: (250 + 600 + 200) / 1200 = 87.5 %.
	rows[1].Systems, rows[1].PVAreaM2 = 1, 900
	if c := pv.ComputeCoverage(rows, pv.Target{Coverage: 0.5, Found: true}); !c.NewMet || !near(c.NewRatio, 1050.0/1200) || !near(c.NewPVAreaM2, 1050) {
		t.Errorf("capped area %+v", c)
	}
}

func TestAPI(t *testing.T) {
	e := newEnv(t, true)
	c := e.API("energy", "Demo@2026")
	var bld, org int64
	if err := e.App.DB.QueryRow(e.ctx, `SELECT b.id, b.org_id FROM buildings b JOIN orgs o ON o.id = b.org_id WHERE o.name = '松岭县教育局'`).Scan(&bld, &org); err != nil {
		t.Fatal(err)
	}
	// A generation meter with readings for 2026: 1 000 kWh in each of January–October.
	var m struct {
		ID int64 `json:"id"`
	}
	if st := c.JSON("POST", "/api/v1/energy/meters", map[string]any{"org_id": org, "building_id": bld, "energy_type": "pv_generation", "name": "测试发电表",
		"cumulative": true}, &m); st != 201 {
		t.Fatalf("meter: %d", st)
	}
	var rs []map[string]any
	for mo := 1; mo <= 11; mo++ {
		rs = append(rs, map[string]any{"meter_id": m.ID, "ts": fmt.Sprintf("2026-%02d-01T00:00:00+08:00", mo), "value": 1000 * float64(mo-1)})
	}
	if st := c.JSON("POST", "/api/v1/energy/readings", rs, nil); st != 200 && st != 201 {
		t.Fatalf("readings: %d", st)
	}
	body := map[string]any{"building_id": bld, "name": "教育局屋顶光伏", "capacity_kwp": 20.0, "commissioning_date": "2025-12-20", "grid_mode": "self_use",
		"generation_meter_id": m.ID, "roof_area_m2": 240.0}
	var sys pv.System
	if st := c.JSON("POST", "/api/v1/energy/pv/systems", body, &sys); st != 201 {
		t.Fatalf("create system: %d", st)
	}
	if sys.OrgID != org || sys.Status != "operating" {
		t.Errorf("system %+v", sys)
	}
	var row pv.Row
	if st := c.JSON("GET", fmt.Sprintf("/api/v1/energy/pv/systems/%d?year=2026", sys.ID), nil, &row); st != 200 {
		t.Fatalf("get: %d", st)
	}
	f := row.Figures
	// 10 000 kWh over January–October; 304 operating days; grid factor of 2026 (the 2023 data year, 0.5306 national).
	if !near(f.Generation, 10000) || !near(f.Yield, 500) || f.OperatingDays != 304 || !near(f.YieldAnnual, 500*365.0/304) || !near(f.SelfUsed, 10000) {
		t.Errorf("figures %+v", f)
	}
	if f.CO2Factor <= 0 || !near(f.CO2Kg, 10000*f.CO2Factor) || f.CO2Source == "" {
		t.Errorf("co2 %v × %v = %v (%s)", 10000, f.CO2Factor, f.CO2Kg, f.CO2Source)
	}
	// Validation.
	bad := []struct {
		field string
		patch map[string]any
	}{
		{"capacity_kwp", map[string]any{"capacity_kwp": -5.0}},
		{"grid_mode", map[string]any{"grid_mode": "sell_all"}},
		{"commissioning_date", map[string]any{"commissioning_date": "2025-13-01"}},
		{"generation_meter_id", map[string]any{"generation_meter_id": 0}},
		{"building_id", map[string]any{"building_id": 999999}},
		{"generation_meter_id", map[string]any{"name": "另一套"}}, // the meter is already linked
	}
	for _, b := range bad {
		in := map[string]any{}
		for k, v := range body {
			in[k] = v
		}
		for k, v := range b.patch {
			in[k] = v
		}
		var er struct {
			Error struct {
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		if st := c.JSON("POST", "/api/v1/energy/pv/systems", in, &er); st != 422 || er.Error.Fields[b.field] == "" {
			t.Errorf("%v: status %d fields %v, want 422 on %s", b.patch, st, er.Error.Fields, b.field)
		}
	}
	// Scope: edu (松岭县教育局 only) reads its own system, not the demo's others, and cannot change any.
	edu := e.API("edu", "Demo@2026")
	var other int64
	if err := e.App.DB.QueryRow(e.ctx, "SELECT id FROM energy_pv_systems WHERE org_id <> ? ORDER BY id LIMIT 1", org).Scan(&other); err != nil {
		t.Fatal(err)
	}
	if st := edu.JSON("GET", fmt.Sprintf("/api/v1/energy/pv/systems/%d", other), nil, nil); st != 404 {
		t.Errorf("edu reads another unit's system: %d", st)
	}
	if st := edu.JSON("GET", fmt.Sprintf("/api/v1/energy/pv/systems/%d", sys.ID), nil, nil); st != 200 {
		t.Errorf("edu reads its own system: %d", st)
	}
	if st := edu.JSON("PUT", fmt.Sprintf("/api/v1/energy/pv/systems/%d", sys.ID), body, nil); st != 403 {
		t.Errorf("edu changes a system: %d", st)
	}
	var list struct{ Items []pv.Row }
	edu.JSON("GET", "/api/v1/energy/pv/systems", nil, &list)
	for _, it := range list.Items {
		if it.OrgID != org {
			t.Errorf("edu sees %s", it.OrgName)
		}
	}
	// Eligibility and coverage.
	var er struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	if st := c.JSON("PUT", fmt.Sprintf("/api/v1/energy/pv/eligibility/%d", bld), map[string]any{"eligible": false}, &er); st != 422 || er.Error.Fields["reason"] == "" {
		t.Errorf("not eligible without reason: %d %v", st, er.Error.Fields)
	}
	if st := edu.JSON("PUT", fmt.Sprintf("/api/v1/energy/pv/eligibility/%d", bld), map[string]any{"eligible": true}, nil); st != 403 {
		t.Errorf("a unit administrator assesses a roof: %d", st)
	}
	var el pv.Eligibility
	if st := c.JSON("PUT", fmt.Sprintf("/api/v1/energy/pv/eligibility/%d", bld), map[string]any{"eligible": true, "roof_area_m2": 400, "new_building": true}, &el); st != 200 || !el.NewBuilding {
		t.Errorf("assess: %d %+v", st, el)
	}
	var cov pv.Coverage
	if st := edu.JSON("GET", "/api/v1/energy/pv/coverage", nil, &cov); st != 200 || cov.Eligible != 1 || cov.WithPV != 1 || cov.NewWithPV != 1 || !cov.NewMet ||
		!near(cov.NewRatio, 240.0/400) || !near(cov.NewBuilds, 1) || !near(cov.NewPVAreaM2, 240) ||
		!near(cov.Target.Coverage, 0.5) || !strings.Contains(cov.Target.Source, "绿色低碳引领行动") {
		t.Errorf("edu coverage %d %+v", st, cov)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'energy.pv.%'"); n < 2 {
		t.Errorf("audit entries %d", n)
	}
}

func TestDemo(t *testing.T) {
	e := newEnv(t, true)
	n := e.count(t, "SELECT COUNT(*) FROM energy_pv_systems")
	if n < 5 || n > 8 {
		t.Errorf("demo systems %d", n)
	}
	var ov struct{ Items []pv.Row }
	e.API("energy", "Demo@2026").JSON("GET", "/api/v1/energy/pv/systems?year=2025", nil, &ov)
	for _, r := range ov.Items {
		if r.Commissioned > "2025" {
			continue
		}
		if r.Figures.Generation <= 0 || r.Figures.Yield < 500 || r.Figures.Yield > 1300 {
			t.Errorf("%s 2025: %v kWh, yield %v", r.Name, r.Figures.Generation, r.Figures.Yield)
		}
	}
	// Units that report PV in their statistics: the meter adds up to the same figures.
	var org, meter int64
	if err := e.App.DB.QueryRow(e.ctx, "SELECT s.org_id, s.gen_meter_id FROM energy_pv_systems s WHERE s.commissioned = '2023-01-01' ORDER BY s.id LIMIT 1").Scan(&org, &meter); err != nil {
		t.Fatal(err)
	}
	us, _ := energy.GetUsage(e.ctx, e.App.DB, org, 2025)
	ms, _, _ := energy.MeterMonths(e.ctx, e.App.DB, meter, 2025)
	for _, u := range us {
		if u.EnergyType == "pv_generation" {
			for i := range ms {
				if math.Abs(ms[i]-u.M[i]) > 0.05 {
					t.Errorf("month %d: meter %v, statistics %v", i+1, ms[i], u.M[i])
				}
			}
		}
	}
}
