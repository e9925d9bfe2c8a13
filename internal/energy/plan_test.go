package energy_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/energy"
)

// TestPlanPeriods: 2025 is compared with the 十四五 targets against 2020; 2026 opens the 十五五 period (base year
// 2025) whose targets are not configured: the change against 2025 is shown with status no_target, never the
// 十四五 targets; once an administrator enters a 十五五 target it applies. Hand figures on 1,000 m²: 2020 100,000 kWh
// (12.29 kgce/m²), 2025 90,000 kWh (−10 % against 2020), 2026 85,500 kWh (−5 % against 2025).
func TestPlanPeriods(t *testing.T) {
	e := newEnv(t, false)
	c := e.Admin()
	unit := mkOrg(t, c, map[string]any{"name": "规划期测试单位", "headcount": 10, "floor_area_m2": 1000})
	for _, x := range []struct {
		period string
		kwh    float64
	}{{"2020-03", 100000}, {"2025-03", 90000}, {"2026-03", 85500}} {
		if st := c.JSON("POST", "/api/v1/energy/consumption", map[string]any{"org_id": unit, "period": x.period, "energy_type": "electricity", "amount": x.kwh,
			"confirm": true, "reason": "规划期测试"}, nil); st != 200 && st != 201 {
			t.Fatalf("entry %s: %d", x.period, st)
		}
	}
	progress := func(year int) energy.Progress {
		t.Helper()
		var p energy.Progress
		if st := c.JSON("GET", fmt.Sprintf("/api/v1/energy/progress?org_id=%d&year=%d", unit, year), nil, &p); st != 200 {
			t.Fatalf("progress %d: %d", year, st)
		}
		return p
	}
	perArea := func(p energy.Progress) energy.Comparison {
		for _, cmp := range p.Comparisons {
			if cmp.Indicator == energy.IndPerAreaKgce {
				return cmp
			}
		}
		t.Fatalf("no per_area_kgce in %+v", p)
		return energy.Comparison{}
	}
	p := progress(2025)
	c25 := perArea(p)
	if p.Plan.Code != "fyp14" || p.Plan.Name != "十四五" || p.BaselineYear != 2020 || p.TargetYear != 2025 || !p.TargetsConfigured ||
		!near(c25.VsBaseline, -0.1) || !c25.HasTarget || !near(c25.Target, -0.05) || c25.Status != "met" {
		t.Errorf("2025: plan %+v base %d target year %d configured %v; per area %+v", p.Plan, p.BaselineYear, p.TargetYear, p.TargetsConfigured, c25)
	}
	p = progress(2026)
	c26 := perArea(p)
	if p.Plan.Code != "fyp15" || p.Plan.Name != "十五五" || p.BaselineYear != 2025 || p.TargetYear != 2030 || p.TargetsConfigured ||
		!near(c26.VsBaseline, -0.05) || !near(c26.Baseline, 90000*0.1229/1000) || c26.HasTarget || c26.Target != 0 || c26.Status != "no_target" {
		t.Errorf("2026: plan %+v base %d target year %d configured %v; per area %+v", p.Plan, p.BaselineYear, p.TargetYear, p.TargetsConfigured, c26)
	}
	// The dashboard says so instead of showing the 十四五 target.
	if r := e.Browser("admin", apptest.AdminPassword).Get(fmt.Sprintf("/energy/overview?year=2026&org_id=%d", unit)); r.StatusCode != 200 ||
		!strings.Contains(r.Body, "“十五五”目标完成情况") || !strings.Contains(r.Body, "十五五目标未配置") || !strings.Contains(r.Body, "本规划期尚未配置节能目标") ||
		strings.Contains(r.Body, "十四五目标") {
		t.Errorf("dashboard of 2026: %d", r.StatusCode)
	}
	if r := e.Browser("admin", apptest.AdminPassword).Get(fmt.Sprintf("/energy/overview?year=2025&org_id=%d", unit)); r.StatusCode != 200 ||
		!strings.Contains(r.Body, "“十四五”目标完成情况") || !strings.Contains(r.Body, "十四五目标 -5.0%（2025 年）") {
		t.Errorf("dashboard of 2025: %d", r.StatusCode)
	}
	// Rankings compare each unit with the base year of the period: 2026 against 2025 (−5 %), 2025 against 2020 (−10 %).
	for _, x := range []struct {
		year int
		want float64
	}{{2026, -0.05}, {2025, -0.1}} {
		var rk struct {
			Items []energy.RankItem `json:"items"`
		}
		if st := c.JSON("GET", fmt.Sprintf("/api/v1/energy/rankings?org_id=%d&year=%d", unit, x.year), nil, &rk); st != 200 || len(rk.Items) != 1 ||
			!rk.Items[0].HasBase || !near(rk.Items[0].VsBaseline, x.want) {
			t.Errorf("ranking %d: %d %+v", x.year, st, rk.Items)
		}
	}
	if r := e.Browser("admin", apptest.AdminPassword).Get(fmt.Sprintf("/energy/rankings?org_id=%d&year=2026", unit)); r.StatusCode != 200 ||
		!strings.Contains(r.Body, "较 2025 年") || !strings.Contains(r.Body, "十五五基准年") || !strings.Contains(r.Body, "-5.0%") {
		t.Errorf("rankings page of 2026: %d", r.StatusCode)
	}
	// An administrator enters the 十五五 target of per-area energy: −4 % by 2030 against 2025.
	if st := c.JSON("POST", "/api/v1/refdata/energy.target/overrides", map[string]any{"key": "fyp15/per_area_kgce", "value": -0.04, "region_code": "",
		"valid_from": "2026-01-01", "source_doc": "测试：十五五规划目标"}, nil); st != 201 {
		t.Fatalf("target override: %d", st)
	}
	p = progress(2026)
	c26 = perArea(p)
	// One year of five: expected −0.8 %; −5 % meets −4 %.
	if !p.TargetsConfigured || !c26.HasTarget || !near(c26.Target, -0.04) || !near(c26.Expected, -0.008) || c26.Status != "met" {
		t.Errorf("2026 with a target: configured %v; per area %+v", p.TargetsConfigured, c26)
	}
	// Other indicators of the period still have no target.
	for _, cmp := range p.Comparisons {
		if cmp.Indicator != energy.IndPerAreaKgce && (cmp.HasTarget || (cmp.HasBase && cmp.Status != "no_target")) {
			t.Errorf("%s: %+v", cmp.Indicator, cmp)
		}
	}
}
