package energy_test

import (
	"fmt"
	"testing"
	"time"
)

func TestDemo(t *testing.T) {
	start := time.Now()
	e := newEnv(t, true)
	t.Logf("demo with energy loaded in %v", time.Since(start))
	if n := e.count(t, "SELECT COUNT(DISTINCT org_id) FROM energy_usage WHERE year = 2022"); n < 150 {
		t.Errorf("units with 2022 data = %d", n)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_consumption WHERE period = '2020-01'"); n < 150 {
		t.Errorf("entries of the baseline January = %d", n)
	}
	for _, kind := range []string{"decrease", "gap", "spike"} {
		if n := e.count(t, "SELECT COUNT(*) FROM energy_anomalies WHERE kind = ? AND status = 'open'", kind); n == 0 {
			t.Errorf("no open %s anomaly in the demo", kind)
		}
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_rollup_queue"); n != 0 {
		t.Errorf("%d meters left in the roll-up queue", n)
	}
	bureau := e.orgID(t, "示范省机关事务管理局")
	c := e.API("energy", "Demo@2026")
	oct := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2026&month=10", bureau))
	if oct.amount("electricity") <= 0 {
		t.Errorf("October electricity of the bureau (from its meters) = %v", oct.amount("electricity"))
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_consumption WHERE org_id = ? AND period = '2026-10' AND energy_type = 'electricity'", bureau); n != 0 {
		t.Errorf("the metered month has an entry")
	}
	all := getIndicators(t, c, "year=2025")
	t.Logf("province 2025: %.0f tce, %.2f kgce/m², %.1f kgce/人, %.1f m³/人, %.2f kgCO2/m², %d units", all.TotalKgce/1000, all.PerAreaKgce, all.PerCapitaKgce,
		all.PerCapitaWaterM3, all.PerAreaCO2Kg, all.ReportingUnits)
	if all.ReportingUnits < 150 || all.PerAreaKgce < 3 || all.PerAreaKgce > 20 {
		t.Errorf("province 2025 = %+v", all)
	}
	// Loading again adds nothing.
	before := e.count(t, "SELECT COUNT(*) FROM energy_consumption")
	if err := e.svc.LoadDemo(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_consumption"); n != before {
		t.Errorf("second load added %d entries", n-before)
	}
}
