package space_test

import (
	"context"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/space"
)

func TestStandardsAPI(t *testing.T) {
	env := newEnv(t)
	c := env.API("space", demoPassword)
	var a space.StandardAnswer
	if st := c.JSON("GET", "/api/v1/space/standards?admin_level=county&rank=section_chief", nil, &a); st != 200 {
		t.Fatalf("status %d", st)
	}
	if a.MaxAreaM2 != 18 || a.Source != "发改投资〔2014〕2674号" || a.Confidence != "V" {
		t.Errorf("county/section_chief: %+v", a)
	}
	for _, c2 := range []struct{ query, field string }{
		{"admin_level=village&rank=staff", "admin_level"}, {"admin_level=county&rank=clerk", "rank"}, {"rank=staff", "admin_level"},
		{"admin_level=county", "rank"}, {"admin_level=county&rank=staff&date=2026-13-01", "date"}, {"admin_level=county&rank=staff&region_code=12", "region_code"},
	} {
		var e apptest.ErrorBody
		if st := c.JSON("GET", "/api/v1/space/standards?"+c2.query, nil, &e); st != 422 || e.Error.Fields[c2.field] == "" || e.Error.Code != "validation" {
			t.Errorf("%s: %d %+v, want 422 naming %s", c2.query, st, e, c2.field)
		}
	}
	if st := c.JSON("GET", "/api/v1/space/standards?admin_level=county&rank=staff&date=2010-01-01", nil, nil); st != 404 {
		t.Errorf("before the 2014 standard: %d, want 404", st)
	}
	// A province overrides a row (e.g. its township deputies get 15 m²); the override applies to its region only.
	ctx := context.Background()
	if _, err := env.App.Refdata.AddOverride(ctx, space.KindStandard, refdata.OverrideInput{Key: "township/deputy_section_chief", Value: 15,
		RegionCode: "990000", ValidFrom: "2020-01-01", SourceDoc: "示政办发〔2020〕1号", Issuer: "示范省人民政府办公厅"}); err != nil {
		t.Fatal(err)
	}
	c.JSON("GET", "/api/v1/space/standards?admin_level=township&rank=deputy_section_chief&region_code=990121", nil, &a)
	if a.MaxAreaM2 != 15 || a.RowRegion != "990000" || a.Origin != "override" || a.Source != "示政办发〔2020〕1号" {
		t.Errorf("the province's override does not apply in one of its counties: %+v", a)
	}
	c.JSON("GET", "/api/v1/space/standards?admin_level=township&rank=deputy_section_chief&region_code=110101", nil, &a)
	if a.MaxAreaM2 != 18 || a.RowRegion != "" {
		t.Errorf("another province got the override: %+v", a)
	}
}

// TestDemoViolations: the demo's planted cases are found, and nothing else of those kinds.
func TestDemoViolations(t *testing.T) {
	env := newEnv(t)
	c := env.API("space", demoPassword)
	all := violations(t, c, q("page_size", 500))
	kinds := map[string]int{}
	for _, v := range all.Items {
		kinds[v.Kind]++
	}
	want := map[string]int{"over_area": 1, "stale_occupant": 1, "multiple_offices": 1, "use_changed": 1, "over_approved_area": 1, "let_or_lent": 1,
		"suite_toilet": 1, "lease_active": 1, "equipment_share": 1, "service_per_person": 1}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("demo has %d %s violations, want %d (all: %v)", kinds[k], k, n, kinds)
		}
	}
	if len(all.Items) != 10 {
		t.Errorf("demo has %d violations: %+v", len(all.Items), all.Items)
	}
	for _, v := range all.Items {
		// 36 m² and the 8 m² 卫生间 of its suite (issue 11 item 2).
		if v.Kind == "over_area" && (v.AllowedM2 != 24 || v.ActualM2 != 44 || v.PersonID == 0) {
			t.Errorf("the oversized leader's office: %+v (want 36 + 8 m² against 24)", v)
		}
		if v.Kind == "stale_occupant" && !strings.Contains(v.Detail, "应于") {
			t.Errorf("stale detail %q", v.Detail)
		}
	}
	// Two demo rectification tasks, one overdue.
	if n := count(t, env, "SELECT COUNT(*) FROM space_rectifications WHERE status = 'open'"); n != 2 {
		t.Errorf("demo rectification tasks: %d", n)
	}
	// Scope: the county's education bureau administrator sees the two of its unit only.
	edu := env.API("edu", demoPassword)
	mine := violations(t, edu, q())
	for _, v := range mine.Items {
		if v.OrgID != orgID(t, env, "松岭县教育局") {
			t.Errorf("edu sees a violation of unit %d", v.OrgID)
		}
	}
	inUnit := 0
	for _, v := range all.Items {
		if v.OrgID == orgID(t, env, "松岭县教育局") {
			inUnit++
		}
	}
	if len(mine.Items) != inUnit || !has(mine, "use_changed", 0, -1) {
		t.Errorf("edu sees %d violations, want the %d of its unit with the meeting room used as an office: %+v", len(mine.Items), inUnit, mine.Items)
	}
	var e apptest.ErrorBody
	if st := edu.JSON("GET", "/api/v1/space/violations?org_id="+itoa(orgID(t, env, "青山市财政局")), nil, &e); st != 404 {
		t.Errorf("edu asking for another unit: %d, want 404", st)
	}
	// A second full scan changes nothing.
	var res space.ScanResult
	if st := c.JSON("POST", "/api/v1/space/scan", nil, &res); st != 200 || res.Opened != 0 || res.Resolved != 0 || res.OpenViolations != 10 {
		t.Errorf("scan after the demo: %d %+v", st, res)
	}
	if st := edu.JSON("POST", "/api/v1/space/scan", nil, nil); st != 403 {
		t.Errorf("a unit administrator started the full scan: %d", st)
	}
}

func itoa(v int64) string {
	return strings.TrimSpace(strings.ReplaceAll(strings.Repeat(" ", 0)+formatInt(v), " ", ""))
}

func formatInt(v int64) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for v > 0 {
		b = append([]byte{byte('0' + v%10)}, b...)
		v /= 10
	}
	return string(b)
}
