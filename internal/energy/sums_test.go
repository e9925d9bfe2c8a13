package energy_test

import (
	"fmt"
	"sort"
	"testing"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
)

// TestKeptSumsFollowWritesAndUnitChanges: the sums kept at write time (sums.go) answer the subtree figures with the
// hand-computed values, follow entries, deletions, 用能人数 of a year, a unit moved and a headcount edited, give the
// same indicators as the figures read straight from energy_usage, and equal a rebuild from scratch.
func TestKeptSumsFollowWritesAndUnitChanges(t *testing.T) {
	e := newEnv(t, false)
	c := e.Admin()
	p := mkOrg(t, c, map[string]any{"name": "汇总上级局", "headcount": 50, "floor_area_m2": 1000})
	a := mkOrg(t, c, map[string]any{"name": "汇总下级甲", "parent_id": p, "headcount": 20, "floor_area_m2": 400})
	g := mkOrg(t, c, map[string]any{"name": "汇总甲下学校", "parent_id": a, "headcount": 10, "floor_area_m2": 100, "category": "school"})
	b := mkOrg(t, c, map[string]any{"name": "汇总下级乙", "parent_id": p, "headcount": 30, "floor_area_m2": 600})
	for _, x := range []struct {
		org         int64
		period, typ string
		amount      float64
	}{{p, "2025-02", "electricity", 10000}, {a, "2025-02", "electricity", 2000}, {g, "2025-03", "electricity", 500},
		{b, "2025-05", "electricity", 3000}, {b, "2025-05", "water", 90}} {
		if st := post(t, c, x.org, x.period, x.typ, x.amount); st != 201 {
			t.Fatalf("post %v: %d", x, st)
		}
	}
	var built int64
	if err := e.App.DB.QueryRow(e.ctx, "SELECT built FROM energy_sum_state").Scan(&built); err != nil || built != 1 {
		t.Fatalf("sums not built on a new database: %d %v", built, err)
	}
	// The node's sums hold the units strictly below it: 2,000 + 500 + 3,000 kWh under the 上级局.
	var below float64
	if err := e.App.DB.QueryRow(e.ctx, "SELECT SUM(total) FROM energy_sums WHERE node_id = ? AND year = 2025 AND energy_type = 'electricity'", p).Scan(&below); err != nil || below != 5500 {
		t.Errorf("sums below the 上级局 = %v (%v), want 5500", below, err)
	}

	// slow computes the same selection from energy_usage (the sums switched off for the call).
	slow := func(sel energy.Selection, span energy.Span) energy.Indicators {
		t.Helper()
		if _, err := e.App.DB.Exec(e.ctx, "UPDATE energy_sum_state SET built = 0"); err != nil {
			t.Fatal(err)
		}
		defer e.App.DB.Exec(e.ctx, "UPDATE energy_sum_state SET built = 1") //nolint:errcheck
		in, err := energy.Compute(e.ctx, e.App.DB, auth.Everything(), sel, span, nil)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	check := func(label, query string, sel energy.Selection, span energy.Span, elec, water float64, units, head int64, area float64) {
		t.Helper()
		in := getIndicators(t, c, query)
		if in.amount("electricity") != elec || in.WaterM3 != water || in.ReportingUnits != units || in.Headcount != head || in.FloorAreaM2 != area ||
			!near(in.TotalKgce, round4(elec*0.1229)) {
			t.Errorf("%s: electricity %v water %v units %d headcount %d area %v kgce %v; want %v %v %d %d %v", label, in.amount("electricity"), in.WaterM3,
				in.ReportingUnits, in.Headcount, in.FloorAreaM2, in.TotalKgce, elec, water, units, head, area)
		}
		s := slow(sel, span)
		if s.TotalKgce != in.TotalKgce || s.WaterM3 != in.WaterM3 || s.ReportingUnits != in.ReportingUnits || s.Headcount != in.Headcount ||
			s.FloorAreaM2 != in.FloorAreaM2 || s.PerAreaKgce != in.PerAreaKgce || s.Units != in.Units {
			t.Errorf("%s: kept sums %+v differ from energy_usage %+v", label, in, s)
		}
	}
	sub := func(id int64) energy.Selection { return energy.Selection{OrgID: id, Subtree: true} }
	y25 := energy.Span{Year: 2025}
	check("subtree", fmt.Sprintf("org_id=%d&subtree=true&year=2025", p), sub(p), y25, 15500, 90, 4, 110, 2100)
	check("subtree of 甲", fmt.Sprintf("org_id=%d&subtree=true&year=2025", a), sub(a), y25, 2500, 0, 2, 30, 500)
	check("schools", fmt.Sprintf("org_id=%d&subtree=true&year=2025&category=school", p), energy.Selection{OrgID: p, Subtree: true, Category: "school"}, y25,
		500, 0, 1, 10, 100)
	// Q1: 10,000 + 2,000 + 500 kWh; 乙 reported only in May and is not a reporting unit of the quarter.
	check("Q1", fmt.Sprintf("org_id=%d&subtree=true&year=2025&quarter=1", p), sub(p), energy.Span{Year: 2025, Quarter: 1}, 12500, 0, 3, 80, 1500)

	// 乙's 用能人数 and 建筑面积 of 2025: 40 people, 700 m² instead of 30 and 600.
	if st := c.JSON("PUT", "/api/v1/energy/org-years", map[string]any{"org_id": b, "year": 2025, "headcount": 40, "floor_area_m2": 700}, nil); st != 200 {
		t.Fatalf("org year: %d", st)
	}
	check("org year", fmt.Sprintf("org_id=%d&subtree=true&year=2025", p), sub(p), y25, 15500, 90, 4, 120, 2200)

	// The school moves from 甲 to 乙: 甲's subtree loses its 500 kWh, 乙's gains them.
	if st := c.JSON("POST", fmt.Sprintf("/api/v1/orgs/%d/move", g), map[string]any{"parent_id": b}, nil); st != 200 {
		t.Fatalf("move: %d", st)
	}
	check("甲 after the move", fmt.Sprintf("org_id=%d&subtree=true&year=2025", a), sub(a), y25, 2000, 0, 1, 20, 400)
	check("乙 after the move", fmt.Sprintf("org_id=%d&subtree=true&year=2025", b), sub(b), y25, 3500, 90, 2, 50, 800)
	// 甲's headcount edited: 25.
	if st := c.JSON("PATCH", fmt.Sprintf("/api/v1/orgs/%d", a), map[string]any{"headcount": 25}, nil); st != 200 {
		t.Fatalf("patch: %d", st)
	}
	check("headcount edited", fmt.Sprintf("org_id=%d&subtree=true&year=2025", p), sub(p), y25, 15500, 90, 4, 125, 2200)
	// 乙's water entry deleted.
	if st := c.Do("DELETE", fmt.Sprintf("/api/v1/energy/consumption/%d/2025-05/water", b), "", nil).StatusCode; st != 204 {
		t.Fatalf("delete: %d", st)
	}
	check("water deleted", fmt.Sprintf("org_id=%d&subtree=true&year=2025", p), sub(p), y25, 15500, 0, 4, 125, 2200)
	check("everything", "year=2025", energy.Selection{}, y25, 15500, 0, 4, 125, 2200)

	// The per-unit figures of rankings (packed unit-years) equal those read from energy_usage, for a year and a quarter.
	for _, span := range []energy.Span{y25, {Year: 2025, Quarter: 1}, {Year: 2025, Through: 4}} {
		fast, err := energy.UnitFigures(e.ctx, e.App.DB, auth.Everything(), sub(p), span, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.DB.Exec(e.ctx, "UPDATE energy_sum_state SET built = 0"); err != nil {
			t.Fatal(err)
		}
		slowFigs, err := energy.UnitFigures(e.ctx, e.App.DB, auth.Everything(), sub(p), span, nil)
		if _, err2 := e.App.DB.Exec(e.ctx, "UPDATE energy_sum_state SET built = 1"); err != nil || err2 != nil {
			t.Fatal(err, err2)
		}
		if fmt.Sprintf("%+v", fast) != fmt.Sprintf("%+v", slowFigs) || len(fast) == 0 {
			t.Errorf("unit figures of %+v: packed\n%+v\nenergy_usage\n%+v", span, fast, slowFigs)
		}
	}

	// The kept sums equal a rebuild from scratch.
	snapshot := func() []string {
		rows, err := db.Strings(e.ctx, e.App.DB, `SELECT node_id || '/' || year || '/' || region_code || '/' || category || '/' || energy_type || '/' || data_mask
			|| '/' || units || '/' || CAST(ROUND(total * 100) AS BIGINT) FROM energy_sums
			UNION ALL SELECT node_id || '/' || year || '/' || region_code || '/' || category || '/' || data_mask || '/' || units || '/' || headcount
			|| '/' || CAST(ROUND(floor_area_m2 * 100) AS BIGINT) FROM energy_sum_heads`)
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(rows)
		return rows
	}
	kept := snapshot()
	if err := energy.RebuildSums(e.ctx, e.App.DB); err != nil {
		t.Fatal(err)
	}
	if rebuilt := snapshot(); fmt.Sprint(kept) != fmt.Sprint(rebuilt) {
		t.Errorf("kept sums\n%v\ndiffer from the rebuilt\n%v", kept, rebuilt)
	}
}
