package pv_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var chartAttr = regexp.MustCompile(`data-chart='[^']*'`)

// TestPages renders every page as the energy manager, two unit administrators and the supervisor.
func TestPages(t *testing.T) {
	e := newEnv(t, true)
	var sys, bld int64
	if err := e.App.DB.QueryRow(e.ctx, "SELECT id, building_id FROM energy_pv_systems ORDER BY id LIMIT 1").Scan(&sys, &bld); err != nil {
		t.Fatal(err)
	}
	read := []string{"/energy/pv", "/energy/pv?year=2024", fmt.Sprintf("/energy/pv/systems/%d", sys), fmt.Sprintf("/energy/pv/systems/%d?year=2023", sys),
		"/energy/pv/eligibility"}
	write := []string{"/energy/pv/systems/new", fmt.Sprintf("/energy/pv/systems/%d/edit", sys)}
	check := func(user string, p string, want int) string {
		r := e.Browser(user, "Demo@2026").Get(p)
		if r.StatusCode != want {
			t.Errorf("%s %s: %d, want %d", user, p, r.StatusCode, want)
			return ""
		}
		body := chartAttr.ReplaceAllString(r.Body, "")
		for _, bad := range []string{"<no value>", "%!", "NaN"} {
			if strings.Contains(body, bad) {
				i := strings.Index(body, bad)
				t.Errorf("%s %s contains %q near %q", user, p, bad, body[max(0, i-80):min(len(body), i+80)])
			}
		}
		return r.Body
	}
	for _, p := range append(read, write...) {
		check("energy", p, 200)
	}
	if b := check("energy", "/energy/pv", 200); !strings.Contains(b, "data-chart") || !strings.Contains(b, "pv-systems") || !strings.Contains(b, "新建建筑光伏覆盖率") {
		t.Errorf("overview lacks chart, systems or coverage")
	}
	for _, u := range []string{"supervisor", "songling", "edu"} {
		for _, p := range []string{"/energy/pv", "/energy/pv/eligibility"} {
			check(u, p, 200)
		}
		for _, p := range write {
			check(u, p, 403)
		}
	}
	check("supervisor", fmt.Sprintf("/energy/pv/systems/%d", sys), 200)
	if b := check("edu", "/energy/pv", 200); !strings.Contains(b, "还没有登记光伏系统") {
		t.Errorf("edu sees other units' systems")
	}
	check("edu", fmt.Sprintf("/energy/pv/systems/%d", sys), 404)
	// The form: a bad capacity is refused with 422 and the field marked; a good one registers.
	c := e.Browser("energy", "Demo@2026")
	var meter int64
	var org int64
	if err := e.App.DB.QueryRow(e.ctx, "SELECT org_id FROM buildings WHERE id = ?", bld).Scan(&org); err != nil {
		t.Fatal(err)
	}
	_ = e.App.DB.QueryRow(e.ctx, "SELECT id FROM energy_meters WHERE energy_type = 'pv_generation' AND id NOT IN (SELECT gen_meter_id FROM energy_pv_systems) LIMIT 1").Scan(&meter)
	form := url.Values{"building_id": {fmt.Sprint(bld)}, "name": {"二期光伏"}, "capacity_kwp": {"-3"}, "commissioning_date": {"2026-05-01"}, "grid_mode": {"self_use"},
		"status": {"planned"}}
	r := c.Form("POST", "/energy/pv/systems", form)
	if r.StatusCode != 422 || !strings.Contains(r.Body, "装机容量应大于 0") {
		t.Errorf("bad capacity: %d", r.StatusCode)
	}
	form.Set("capacity_kwp", "30")
	if r := c.Form("POST", "/energy/pv/systems", form); r.StatusCode != 303 && r.StatusCode != 200 {
		t.Errorf("register: %d %s", r.StatusCode, r.Body[:min(300, len(r.Body))])
	}
	// Export.
	if r := c.Get("/energy/pv?year=2025&format=xlsx"); r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheet") {
		t.Errorf("export: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	// Eligibility form.
	if r := c.Form("POST", fmt.Sprintf("/energy/pv/eligibility/%d", bld), url.Values{"eligible": {"false"}}); r.StatusCode != 422 || !strings.Contains(r.Body, "请说明原因") {
		t.Errorf("eligibility without reason: %d", r.StatusCode)
	}
}
