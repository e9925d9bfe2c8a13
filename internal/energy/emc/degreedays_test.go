package emc_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/energy/emc"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
)

const pw = "Demo@2026"

func grid(t *testing.T, e *env, user, region string, year int) emc.DDGrid {
	t.Helper()
	var g emc.DDGrid
	if st := e.API(user, pw).JSON("GET", fmt.Sprintf("/api/v1/energy/degree-days?region_code=%s&year=%d", region, year), nil, &g); st != 200 {
		t.Fatalf("%s GET degree days %s %d: %d", user, region, year, st)
	}
	return g
}

func val(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

// gridForm is the degree day form of a grid as loaded, with changes.
func gridForm(g emc.DDGrid, set map[string]string) url.Values {
	v := url.Values{"region_code": {g.RegionCode}, "year": {fmt.Sprint(g.Year)}}
	for _, m := range g.Months {
		h, c := "", ""
		if m.HDD != nil {
			h, c = fmt.Sprint(*m.HDD), fmt.Sprint(*m.CDD)
		}
		v.Set(emc.GridField("hdd", m.Month), h)
		v.Set(emc.GridField("cdd", m.Month), c)
	}
	for k, x := range set {
		v.Set(k, x)
	}
	return v
}

func TestDegreeDayGrid(t *testing.T) {
	e := newEnv(t, true)
	g := grid(t, e, "energy", "990000", 2025)
	if g.Entered != 12 || !g.Editable || g.Bases.HDD != 18 || g.Bases.CDD != 26 || g.Bases.Source == "" {
		t.Fatalf("grid %+v", g)
	}
	b := e.Browser("energy", pw)
	bad := []struct {
		cell, value, want string
	}{
		{"hdd-03", "-5", "不能为负数"},
		{"cdd-07", "abc", "不是数字"},
		{"hdd-12", "", "请同时填写采暖度日数"},
		{"cdd-01", "5000", "不应超过"},
	}
	for _, c := range bad {
		r := b.Form("POST", "/energy/degree-days", gridForm(g, map[string]string{c.cell: c.value, "hdd-02": "1"}))
		if r.StatusCode != 422 || !strings.Contains(r.Body, c.want) || !strings.Contains(r.Body, `name="`+c.cell+`" value="`+c.value+`"`) {
			t.Errorf("%s=%q: %d, want 422 with %q and the typed value", c.cell, c.value, r.StatusCode, c.want)
		}
	}
	if after := grid(t, e, "energy", "990000", 2025); val(after.Months[1].HDD) != val(g.Months[1].HDD) {
		t.Errorf("a rejected grid wrote February: %s → %s", val(g.Months[1].HDD), val(after.Months[1].HDD))
	}
	// A valid save: January changed, December cleared.
	r := b.Form("POST", "/energy/degree-days", gridForm(g, map[string]string{"hdd-01": "612.5", "hdd-12": "", "cdd-12": "", "source": "省气象局"}))
	if r.StatusCode != 303 {
		t.Fatalf("save: %d %s", r.StatusCode, r.Body)
	}
	after := grid(t, e, "energy", "990000", 2025)
	if val(after.Months[0].HDD) != "612.5" || after.Months[0].Source != "省气象局" || after.Months[11].HDD != nil || after.Entered != 11 {
		t.Errorf("after save: Jan %s %q Dec %s, %d months", val(after.Months[0].HDD), after.Months[0].Source, val(after.Months[11].HDD), after.Entered)
	}
	page := b.Get("/energy/degree-days?region_code=990000&year=2025").Body
	if !strings.Contains(page, "2025 年 1 月 HDD") || !strings.Contains(page, "2025 年 12 月 清除") {
		t.Errorf("history does not show the change")
	}
	if n, err := db.Count(context.Background(), e.App.DB, "SELECT COUNT(*) FROM audit_log WHERE action = 'energy.degree_days' AND actor = 'energy'"); err != nil || n != 1 {
		t.Errorf("audit rows %d %v", n, err)
	}
	// The API: 422 naming row and cell, then a write.
	var er errBody
	c := e.API("energy", pw)
	if st := c.JSON("PUT", "/api/v1/energy/degree-days", []emc.DegreeDay{{RegionCode: "990000", Period: "2025-12", HDD: 400}, {RegionCode: "990000", Period: "2025-11", HDD: 10, CDD: -1}}, &er); st != 422 || er.Error.Fields["[1].cdd"] == "" || len(er.Error.Fields) != 1 {
		t.Errorf("PUT negative: %d %v", st, er.Error.Fields)
	}
	if grid(t, e, "energy", "990000", 2025).Months[11].HDD != nil {
		t.Errorf("a rejected PUT wrote a row")
	}
	if st := c.JSON("PUT", "/api/v1/energy/degree-days", []emc.DegreeDay{{RegionCode: "990000", Period: "2025-12", HDD: 400}}, nil); st != 200 {
		t.Errorf("PUT: %d", st)
	}
	if g := grid(t, e, "energy", "990000", 2025); val(g.Months[11].HDD) != "400" {
		t.Errorf("PUT not written: %s", val(g.Months[11].HDD))
	}
	// An empty year shows the empty state and, for a county, the province's values as placeholders.
	if g := grid(t, e, "energy", "990000", 2012); g.Entered != 0 {
		t.Errorf("2012: %d months", g.Entered)
	}
	if p := b.Get("/energy/degree-days?region_code=990000&year=2016"); p.StatusCode != 200 || !strings.Contains(p.Body, "还没有录入度日数") {
		t.Errorf("empty state: %d", p.StatusCode)
	}
}

// countyManager creates an energy manager whose scope is 松岭县 (songling's subtree) and returns its county code.
func countyManager(t *testing.T, e *env) string {
	t.Helper()
	ctx := context.Background()
	var orgID int64
	if err := e.App.DB.QueryRow(ctx, "SELECT scope_org_id FROM users WHERE username = 'songling'").Scan(&orgID); err != nil {
		t.Fatal(err)
	}
	var code string
	if err := e.App.DB.QueryRow(ctx, "SELECT region_code FROM orgs WHERE id = ?", orgID).Scan(&code); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Auth.CreateUser(ctx, nil, auth.Everything(), auth.UserInput{Username: "xianjieneng", Password: pw, DisplayName: "松岭县节能管理员",
		Roles: []string{"energy_manager"}, DataScope: auth.ScopeSubtree, ScopeOrgID: orgID}); err != nil {
		t.Fatal(err)
	}
	return code
}

func TestDegreeDayScope(t *testing.T) {
	e := newEnv(t, true)
	county := countyManager(t, e)
	x := e.API("xianjieneng", pw)
	var rs struct{ Items []emc.Region }
	x.JSON("GET", "/api/v1/energy/degree-days/regions", nil, &rs)
	edit := map[string]bool{}
	for _, r := range rs.Items {
		edit[r.Code] = r.Editable
	}
	if len(rs.Items) != 3 || !edit[county] || edit["990000"] || edit[county[:4]+"00"] {
		t.Errorf("county manager's regions %+v", rs.Items)
	}
	put := func(c interface {
		JSON(string, string, any, any) int
	}, region string) int {
		return c.JSON("PUT", "/api/v1/energy/degree-days", []emc.DegreeDay{{RegionCode: region, Period: "2025-06", HDD: 0, CDD: 88}}, nil)
	}
	if st := put(x, county); st != 200 {
		t.Errorf("county manager, own county: %d", st)
	}
	if st := put(x, "990000"); st != 403 {
		t.Errorf("county manager, the province: %d, want 403", st)
	}
	for _, other := range []string{"110000", "110100"} {
		if st := put(x, other); st != 404 {
			t.Errorf("county manager, another province %s: %d, want 404", other, st)
		}
		if st := x.JSON("GET", "/api/v1/energy/degree-days?region_code="+other+"&year=2025", nil, nil); st != 404 {
			t.Errorf("county manager reads %s: %d, want 404", other, st)
		}
	}
	if g := grid(t, e, "xianjieneng", "990000", 2025); g.Editable || g.Entered != 12 {
		t.Errorf("county manager reading the province: editable %v, %d months", g.Editable, g.Entered)
	}
	if g := grid(t, e, "xianjieneng", county, 2025); !g.Editable || g.Entered != 1 || g.Months[0].InheritedFrom != "990000" || g.Months[0].InheritedHDD == nil {
		t.Errorf("county grid %+v", g)
	}
	// The page form is scoped the same way.
	xb := e.Browser("xianjieneng", pw)
	g := grid(t, e, "xianjieneng", "990000", 2025)
	if r := xb.Form("POST", "/energy/degree-days", gridForm(g, map[string]string{"hdd-01": "1"})); r.StatusCode != 403 {
		t.Errorf("county manager posts the province grid: %d", r.StatusCode)
	}
	if p := xb.Get("/energy/degree-days?region_code=990000&year=2025"); p.StatusCode != 200 || strings.Contains(p.Body, `name="hdd-01"`) {
		t.Errorf("the province grid is not read only for the county manager: %d", p.StatusCode)
	}
	// The supervisor reads everything and writes nothing; a unit admin has no energy:contract.
	if g := grid(t, e, "supervisor", "990000", 2025); g.Entered != 12 {
		t.Errorf("supervisor reads %d months", g.Entered)
	}
	for _, u := range []string{"supervisor", "songling"} {
		if st := put(e.API(u, pw), "990000"); st != 403 {
			t.Errorf("%s PUT: %d, want 403", u, st)
		}
		if r := e.Browser(u, pw).Form("POST", "/energy/degree-days", gridForm(g, nil)); r.StatusCode != 403 {
			t.Errorf("%s POST grid: %d, want 403", u, r.StatusCode)
		}
	}
	if g := grid(t, e, "energy", "990000", 2025); val(g.Months[5].CDD) == "88" {
		t.Errorf("a refused write changed the province")
	}
}

func workbook(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"行政区划代码", "月份", "采暖度日数", "空调度日数", "数据来源"})
	for i, r := range rows {
		_ = f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &r)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDegreeDayImport(t *testing.T) {
	e := newEnv(t, true)
	b := e.Browser("energy", pw)
	if r := b.Get("/energy/degree-days/template.xlsx"); r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("template: %d", r.StatusCode)
	}
	before := grid(t, e, "energy", "990000", 2019)
	if before.Entered != 0 {
		t.Fatalf("2019 already has %d months", before.Entered)
	}
	good := [][]any{{"990000", "2019-01", "610", "0", "省气象局"}, {"990000", "2019年2月", "480", "0", ""}, {"990000", "2019-07", "0", "95", ""}}
	badRows := append(slices.Clone(good), []any{"990000", "2019-08", "-3", "120", ""}, []any{"110000", "2019-09", "0", "40", ""},
		[]any{"990000", "2019-01", "600", "0", ""}, []any{"990000", "2019-13", "1", "1", ""})
	r := b.Upload("/energy/degree-days/import", "dd.xlsx", workbook(t, badRows), nil)
	if r.StatusCode != 422 {
		t.Fatalf("bad import: %d", r.StatusCode)
	}
	for _, want := range []string{"不能为负数", "不存在或不在您的数据范围内", "与第 2 行的区划和月份相同", "应为 YYYY-MM"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("row errors lack %q", want)
		}
	}
	if g := grid(t, e, "energy", "990000", 2019); g.Entered != 0 {
		t.Errorf("an import with bad rows wrote %d months", g.Entered)
	}
	if r := b.Upload("/energy/degree-days/import", "dd.xlsx", workbook(t, good), map[string]string{"dry_run": "1"}); r.StatusCode != 200 || !strings.Contains(r.Body, "校验全部通过") {
		t.Errorf("dry run: %d", r.StatusCode)
	}
	if g := grid(t, e, "energy", "990000", 2019); g.Entered != 0 {
		t.Errorf("a dry run wrote %d months", g.Entered)
	}
	if r := b.Upload("/energy/degree-days/import", "dd.xlsx", workbook(t, good), nil); r.StatusCode != 200 {
		t.Fatalf("import: %d", r.StatusCode)
	}
	g := grid(t, e, "energy", "990000", 2019)
	if g.Entered != 3 || val(g.Months[1].HDD) != "480" || val(g.Months[6].CDD) != "95" || g.Months[0].Source != "省气象局" {
		t.Errorf("imported grid: %d months, Feb %s, Jul %s", g.Entered, val(g.Months[1].HDD), val(g.Months[6].CDD))
	}
	// The export reads back in the import's columns.
	x := b.Get("/energy/degree-days/export.xlsx?region_code=990000&year=2019")
	f, err := excelize.OpenReader(strings.NewReader(x.Body))
	if err != nil {
		t.Fatalf("export: %d %v", x.StatusCode, err)
	}
	defer f.Close()
	rows, _ := f.GetRows(f.GetSheetList()[0])
	if len(rows) != 4 || rows[0][0] != "行政区划代码" || rows[2][1] != "2019-02" || rows[2][2] != "480" {
		t.Errorf("export rows %q", rows)
	}
	// The supervisor may export but not import.
	if r := e.Browser("supervisor", pw).Upload("/energy/degree-days/import", "dd.xlsx", workbook(t, good), nil); r.StatusCode != 403 {
		t.Errorf("supervisor import: %d", r.StatusCode)
	}
}

func TestDegreeDayAndOccupancyPages(t *testing.T) {
	e := newEnv(t, true)
	k := demoContract(t, e, "松岭县教育局")
	for _, c := range []struct {
		user  string
		edit  bool
		pages []string
	}{
		{"energy", true, []string{"/energy/degree-days", "/energy/degree-days?region_code=990000&year=2024", "/energy/degree-days/import"}},
		{"songling", false, []string{"/energy/degree-days", "/energy/degree-days?year=2015"}},
		{"supervisor", false, []string{"/energy/degree-days", "/energy/degree-days?region_code=990000&year=2026"}},
	} {
		b := e.Browser(c.user, pw)
		for _, p := range append(c.pages, fmt.Sprintf("/energy/contracts/%d/occupancy", k.ID), fmt.Sprintf("/energy/contracts/%d", k.ID)) {
			r := b.Get(p)
			if r.StatusCode != 200 {
				t.Errorf("%s %s: %d", c.user, p, r.StatusCode)
				continue
			}
			for _, bad := range []string{"<no value>", "%!", "NaN"} {
				if i := strings.Index(chartAttr.ReplaceAllString(r.Body, ""), bad); i >= 0 {
					t.Errorf("%s %s contains %q", c.user, p, bad)
				}
			}
			if strings.HasPrefix(p, "/energy/degree-days") && !strings.Contains(p, "import") {
				if !strings.Contains(r.Body, `id="dd-grid"`) || strings.Contains(r.Body, `name="hdd-01"`) != c.edit {
					t.Errorf("%s %s: grid missing or editable=%v wrong", c.user, p, c.edit)
				}
			}
		}
		if r := b.Get("/"); !strings.Contains(r.Body, `href="/energy/degree-days"`) {
			t.Errorf("%s has no degree days menu item", c.user)
		}
	}
	if r := e.Browser("supervisor", pw).Get("/energy/degree-days/import"); r.StatusCode != 403 {
		t.Errorf("supervisor import page: %d", r.StatusCode)
	}
	if r := e.Browser("energy", pw).Get(fmt.Sprintf("/energy/contracts/%d", k.ID)); !strings.Contains(r.Body, fmt.Sprintf(`href="/energy/contracts/%d/occupancy"`, k.ID)) {
		t.Errorf("the M&V page has no link to the occupancy grid")
	}
}

func hasCandidate(m emc.Model, term string) bool {
	return slices.Contains(m.Terms, term) || slices.Contains(m.Dropped, term)
}

// TestOccupancy: entering occupancy for every baseline month makes it a candidate term of the fitted model; a
// partial series does not; bad values are 422 naming the month; writes are scoped, audited and kept in history.
func TestOccupancy(t *testing.T) {
	e := newEnv(t, true)
	k := demoContract(t, e, "松岭县教育局")
	c := e.API("energy", pw)
	mvURL := fmt.Sprintf("/api/v1/energy/contracts/%d/mv?through=2025-12", k.ID)
	occURL := fmt.Sprintf("/api/v1/energy/contracts/%d/occupancy", k.ID)
	var rep emc.Report
	c.JSON("GET", mvURL, nil, &rep)
	for _, tm := range rep.Types {
		if hasCandidate(tm.Model, emc.TermOcc) {
			t.Fatalf("%s: occupancy is a candidate before any was entered: %v / %v", tm.EnergyType, tm.Model.Terms, tm.Model.Dropped)
		}
	}
	var o emc.Occupancy
	if st := c.JSON("GET", occURL, nil, &o); st != 200 || len(o.Months) < 24 || !o.Months[0].Baseline || o.Months[0].Period != "2021-01" || o.Complete {
		t.Fatalf("occupancy grid: %d %+v", st, o)
	}
	// Occupancy that follows the electricity use (plus a wobble), so it can matter in the model.
	base := rep.Types[0].Baseline
	var vals []emc.OccInputItem
	for i, m := range base {
		v := float64(int(m.Actual/40)) + float64(i%3)
		vals = append(vals, emc.OccInputItem{Period: m.Period, Value: &v})
	}
	// Bad input: a negative value, a month outside the contract, a rate above 100 %.
	neg := -1.0
	var er errBody
	in := emc.OccInput{Label: "用能人数", Unit: "人", Values: append(slices.Clone(vals), emc.OccInputItem{Period: "2022-06", Value: &neg})}
	if st := c.JSON("PUT", occURL, in, &er); st != 422 || er.Error.Fields["occ-2022-06"] == "" {
		t.Errorf("negative: %d %v", st, er.Error.Fields)
	}
	er = errBody{}
	if st := c.JSON("PUT", occURL, emc.OccInput{Label: "用能人数", Values: []emc.OccInputItem{{Period: "2019-01", Value: vals[0].Value}}}, &er); st != 422 || er.Error.Fields["occ-2019-01"] == "" {
		t.Errorf("outside the contract: %d %v", st, er.Error.Fields)
	}
	er = errBody{}
	over := 150.0
	if st := c.JSON("PUT", occURL, emc.OccInput{Label: "入住率", Unit: "%", Values: []emc.OccInputItem{{Period: "2021-02", Value: &over}}}, &er); st != 422 || er.Error.Fields["occ-2021-02"] == "" {
		t.Errorf("rate above 100: %d %v", st, er.Error.Fields)
	}
	// Part of the baseline: not yet a candidate.
	if st := c.JSON("PUT", occURL, emc.OccInput{Label: "用能人数", Unit: "人", Values: vals[:len(vals)-1]}, &o); st != 200 || o.Complete {
		t.Fatalf("partial: %d %+v", st, o)
	}
	c.JSON("GET", mvURL, nil, &rep)
	if hasCandidate(rep.Types[0].Model, emc.TermOcc) {
		t.Errorf("a partial series is a candidate")
	}
	// The whole baseline: a candidate of every type's model.
	if st := c.JSON("PUT", occURL, emc.OccInput{Label: "用能人数", Unit: "人", Values: vals}, &o); st != 200 || !o.Complete || o.Baseline != len(vals) {
		t.Fatalf("complete: %d %+v", st, o)
	}
	c.JSON("GET", mvURL, nil, &rep)
	for _, tm := range rep.Types {
		if !hasCandidate(tm.Model, emc.TermOcc) {
			t.Errorf("%s: occupancy is not a candidate after the baseline was filled: %v / %v", tm.EnergyType, tm.Model.Terms, tm.Model.Dropped)
		}
	}
	if !slices.Contains(rep.Types[0].Model.Terms, emc.TermOcc) {
		t.Errorf("occupancy that follows consumption is not kept in the model: %v / %v", rep.Types[0].Model.Terms, rep.Types[0].Model.Dropped)
	}
	// History, audit, scope.
	if p := e.Browser("energy", pw).Get(fmt.Sprintf("/energy/contracts/%d", k.ID)); !strings.Contains(p.Body, "用能人数（人）") {
		t.Errorf("the contract history lacks the occupancy change")
	}
	if n, _ := db.Count(context.Background(), e.App.DB, "SELECT COUNT(*) FROM audit_log WHERE action = 'energy.contract.occupancy'"); n != 2 {
		t.Errorf("audit rows: %d", n)
	}
	for _, u := range []string{"edu", "supervisor"} {
		if st := e.API(u, pw).JSON("GET", occURL, nil, nil); st != 200 {
			t.Errorf("%s GET: %d", u, st)
		}
		if st := e.API(u, pw).JSON("PUT", occURL, emc.OccInput{Label: "x", Values: vals}, nil); st != 403 {
			t.Errorf("%s PUT: %d, want 403", u, st)
		}
	}
	hosp := demoContract(t, e, "青山市第一人民医院")
	if st := e.API("edu", pw).JSON("GET", fmt.Sprintf("/api/v1/energy/contracts/%d/occupancy", hosp.ID), nil, nil); st != 404 {
		t.Errorf("edu reads another unit's contract: %d", st)
	}
	// The page: an invalid cell is 422 with the typed value, then a valid save redirects.
	b := e.Browser("energy", pw)
	form := url.Values{"label": {"用能人数"}, "unit": {"人"}}
	for _, v := range vals {
		form.Set("occ-"+v.Period, fmt.Sprint(*v.Value))
	}
	form.Set("occ-2021-03", "-7")
	if r := b.Form("POST", fmt.Sprintf("/energy/contracts/%d/occupancy", k.ID), form); r.StatusCode != 422 || !strings.Contains(r.Body, `value="-7"`) || !strings.Contains(r.Body, "2021-03 的数值应为不小于 0 的数") {
		t.Errorf("page negative: %d", r.StatusCode)
	}
	form.Set("occ-2021-03", "abc")
	if r := b.Form("POST", fmt.Sprintf("/energy/contracts/%d/occupancy", k.ID), form); r.StatusCode != 422 || !strings.Contains(r.Body, "不是数字") {
		t.Errorf("page not a number: %d", r.StatusCode)
	}
	form.Set("occ-2021-03", "12")
	if r := b.Form("POST", fmt.Sprintf("/energy/contracts/%d/occupancy", k.ID), form); r.StatusCode != 303 {
		t.Errorf("page save: %d", r.StatusCode)
	}
	c.JSON("GET", occURL, nil, &o)
	if val(o.Months[2].Value) != "12" {
		t.Errorf("March after the page save: %s", val(o.Months[2].Value))
	}
}
