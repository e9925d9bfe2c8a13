package report_test

import (
	"bytes"
	"fmt"
	"math"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/energy/report"
	"github.com/govops/govops/internal/platform/auth"
)

// TestSectionRevisions: the hand-filled tables follow the revisions docs/domain/energy.md §Statistics system lists —
// 2022 dropped 数据中心机房 "其他能源消费量", 2025 dropped UPS 装机容量 and renamed 热力消费量 to 按热量收费.
func TestSectionRevisions(t *testing.T) {
	e := newEnv(t, false)
	keys := func(y int) (map[string]string, map[string]bool) {
		t.Helper()
		d, err := report.LoadDefinition(e.ctx, e.App.DB, y)
		if err != nil {
			t.Fatal(err)
		}
		names, sections := map[string]string{}, map[string]bool{}
		for _, s := range d.Sections {
			sections[s.Key] = true
			for _, r := range s.Rows {
				names[r.Key] = r.Name
			}
		}
		return names, sections
	}
	for _, c := range []struct {
		year              int
		other, ups        bool
		heatName          string
		wantSectionsCount int
	}{
		{2018, true, true, "热力消费量", 2},
		{2023, false, true, "热力消费量", 2},
		{2025, false, false, "热力消费量（按热量收费）", 2},
	} {
		names, secs := keys(c.year)
		if len(secs) != c.wantSectionsCount || !secs["heating"] || !secs["datacenter"] {
			t.Errorf("%d: sections %v", c.year, secs)
		}
		if _, ok := names["dc_other_kgce"]; ok != c.other {
			t.Errorf("%d: 其他能源消费量 present %v, want %v", c.year, ok, c.other)
		}
		if _, ok := names["dc_ups_kva"]; ok != c.ups {
			t.Errorf("%d: UPS 装机容量 present %v, want %v", c.year, ok, c.ups)
		}
		if names["heating_heat"] != c.heatName {
			t.Errorf("%d: heat row %q, want %q", c.year, names["heating_heat"], c.heatName)
		}
	}
}

// TestSections: a unit fills 采暖能耗 and 数据中心机房 through the API and the page; bad figures are refused
// naming the field (the page keeps what was typed); the computed rows match hand computation; an unfinished or
// oversized table blocks the submission; the 基层表 and the summary workbooks carry the tables.
func TestSections(t *testing.T) {
	e := newEnv(t, true)
	edu := e.orgID(t, "松岭县教育局") // its 2025 report is a draft in the demo
	c := e.API("edu", demoPW)
	info := fmt.Sprintf("/api/v1/energy/reports/%d/2025/info", edu)
	put := func(vals map[string]float64) (int, apptest.ErrorBody) {
		t.Helper()
		var eb apptest.ErrorBody
		st := c.JSON("PUT", info, report.Info{Preparer: "张填表", Values: vals}, &eb)
		return st, eb
	}
	before := e.count(t, "SELECT COUNT(*) FROM energy_report_values WHERE org_id = ?", edu) // the demo's heating figures
	for _, bad := range []struct {
		vals  map[string]float64
		field string
	}{
		{map[string]float64{"dc_banana": 1}, "v_dc_banana"},
		{map[string]float64{"heating_area_m2": -5}, "v_heating_area_m2"},
		{map[string]float64{"dc_racks": 2.5}, "v_dc_racks"},
		{map[string]float64{"heating_days": 400}, "v_heating_days"},
		{map[string]float64{"dc_electricity": 100, "dc_it_electricity": 150}, "v_dc_it_electricity"},
		{map[string]float64{"dc_ups_kva": 100}, "v_dc_ups_kva"}, // not in the 2025 revision
	} {
		if st, eb := put(bad.vals); st != 422 || eb.Error.Fields[bad.field] == "" {
			t.Errorf("%v: %d %v, want 422 on %s", bad.vals, st, eb.Error.Fields, bad.field)
		}
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_report_values WHERE org_id = ?", edu); n != before {
		t.Fatalf("refused figures changed the stored ones: %d rows, were %d", n, before)
	}

	// A started data-centre table without its electricity blocks the submission.
	if st, eb := put(map[string]float64{"dc_area_m2": 40}); st != 200 {
		t.Fatalf("save: %d %+v", st, eb)
	}
	var d report.Detail
	c.JSON("GET", fmt.Sprintf("/api/v1/energy/reports/%d/2025", edu), nil, &d)
	if !hasIssue(d.Completeness, "section_incomplete", "机房总耗电量") {
		t.Errorf("unfinished table not flagged: %+v", d.Completeness.Issues)
	}
	// Heating electricity above the unit's whole electricity is impossible.
	elec := 0.0
	for _, l := range d.Form.Lines {
		if l.Code == "201" {
			elec = l.This
		}
	}
	if st, _ := put(map[string]float64{"heating_area_m2": 1000, "heating_electricity": elec + 1000}); st != 200 {
		t.Fatalf("save: %d", st)
	}
	c.JSON("GET", fmt.Sprintf("/api/v1/energy/reports/%d/2025", edu), nil, &d)
	if !hasIssue(d.Completeness, "section_exceeds", "电力") {
		t.Errorf("heating electricity above the total not flagged: %+v", d.Completeness.Issues)
	}
	if st := c.JSON("POST", fmt.Sprintf("/api/v1/energy/reports/%d/2025/submit", edu), nil, nil); st != 409 {
		t.Errorf("submit with a blocking table issue: %d, want 409", st)
	}

	// Complete and consistent: 10 GJ of heat and 2,000 kWh for 1,000 m² → 10 × 34.12 + 2,000 × 0.1229 = 587 kgce,
	// 0.587 kgce/m²; the data centre 16,000 of which IT 10,000 kWh → PUE 1.6.
	vals := map[string]float64{"heating_area_m2": 1000, "heating_days": 120, "heating_heat": 10, "heating_electricity": 2000,
		"dc_area_m2": 40, "dc_racks": 8, "dc_electricity": 16000, "dc_it_electricity": 10000}
	if st, eb := put(vals); st != 200 {
		t.Fatalf("save: %d %+v", st, eb)
	}
	c.JSON("GET", fmt.Sprintf("/api/v1/energy/reports/%d/2025", edu), nil, &d)
	got := map[string]report.SectionLine{}
	for _, s := range d.Form.Sections {
		if !s.Filled {
			t.Errorf("section %s not filled", s.Key)
		}
		for _, l := range s.Lines {
			got[l.Key] = l
		}
	}
	for k, want := range map[string]float64{"heating_kgce": 587, "heating_kgce_per_m2": 0.587, "dc_pue": 1.6, "heating_area_m2": 1000} {
		if l := got[k]; !l.Has || math.Abs(l.Value-want) > 1e-6 {
			t.Errorf("%s = %+v, want %v", k, l, want)
		}
	}
	if hasIssue(d.Completeness, "section_incomplete", "") || hasIssue(d.Completeness, "section_exceeds", "") {
		t.Errorf("complete tables flagged: %+v", d.Completeness.Issues)
	}
	if d.Form.Extra.Preparer != "张填表" || d.Form.Extra.Values["dc_racks"] != 8 {
		t.Errorf("saved info %+v", d.Form.Extra)
	}

	// The page: inputs for the unit, a bad figure comes back with what was typed.
	b := e.Browser("edu", demoPW)
	page := fmt.Sprintf("/energy/reports/%d/2025", edu)
	if r := b.Get(page); r.StatusCode != 200 || !strings.Contains(r.Body, `name="v_dc_it_electricity"`) || !strings.Contains(r.Body, "公共机构数据中心机房能源消费状况") {
		t.Fatalf("page: %d", r.StatusCode)
	}
	form := url.Values{"preparer": {"张填表"}, "v_dc_area_m2": {"40"}, "v_dc_electricity": {"16000"}, "v_dc_it_electricity": {"17000"}, "v_heating_area_m2": {"abc"}}
	r := b.Form("POST", page+"/info", form)
	if r.StatusCode != 422 || !strings.Contains(r.Body, `value="17000"`) || !strings.Contains(r.Body, `value="abc"`) || !strings.Contains(r.Body, "不得大于机房总耗电量") {
		t.Errorf("bad page post: %d %v %v %v", r.StatusCode, strings.Contains(r.Body, `value="17000"`), strings.Contains(r.Body, `value="abc"`), strings.Contains(r.Body, "不得大于机房总耗电量"))
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_report_values WHERE org_id = ? AND key = 'dc_it_electricity' AND value = 10000", edu); n != 1 {
		t.Errorf("a refused page post changed the saved figures")
	}
	// Another unit's report: 404.
	if st := c.JSON("PUT", fmt.Sprintf("/api/v1/energy/reports/%d/2025/info", e.orgID(t, "云溪县教育局")), report.Info{Values: vals}, nil); st != 404 {
		t.Errorf("other unit: %d", st)
	}

	// The 基层表 workbook has both tables after 二; the county's summary adds them up with the demo units' figures.
	x := e.API("energy", demoPW).Get(fmt.Sprintf("/api/v1/energy/reports/%d/2025/export", edu))
	f, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(f.GetSheetList()[0])
	var all []string
	for _, row := range rows {
		all = append(all, strings.Join(row, "|"))
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{"三、公共机构采暖能耗", "四、公共机构数据中心机房能源消费状况", "电能利用效率（PUE）|410|—|1.60", "采暖能耗合计|310|千克标准煤|587.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("基层表 workbook lacks %q", want)
		}
	}
	f.Close()
	songling := e.orgID(t, "松岭县机关事务服务中心")
	var sm report.Summary
	if st := e.API("songling", demoPW).JSON("GET", fmt.Sprintf("/api/v1/energy/reports/summary?org_id=%d&year=2025&by=category", songling), nil, &sm); st != 200 {
		t.Fatalf("summary: %d", st)
	}
	var dc, heat report.FilledSection
	for _, s := range sm.Total.Sections {
		switch s.Key {
		case "datacenter":
			dc = s
		case "heating":
			heat = s
		}
	}
	// Heating: areas add up, days are the mean of the units that gave them.
	area := e.count(t, `SELECT CAST(SUM(v.value) AS BIGINT) FROM energy_report_values v JOIN orgs o ON o.id = v.org_id JOIN orgs p ON p.id = ?
		WHERE v.year = 2025 AND v.key = 'heating_area_m2' AND o.path LIKE p.path || '%'`, songling)
	for _, l := range heat.Lines {
		if l.Key == "heating_area_m2" && int64(l.Value) != area {
			t.Errorf("summary heating area %v, want %d", l.Value, area)
		}
		if l.Key == "heating_days" && (l.Value < 100 || l.Value > 366) {
			t.Errorf("summary heating days %v: not a mean", l.Value)
		}
	}
	want := e.count(t, `SELECT COUNT(DISTINCT v.org_id) FROM energy_report_values v JOIN orgs o ON o.id = v.org_id JOIN orgs p ON p.id = ?
		WHERE v.year = 2025 AND v.key LIKE 'dc_%' AND o.path LIKE p.path || '%'`, songling)
	if dc.Units != want || dc.Units < 1 {
		t.Errorf("summary data-centre units %d, want %d", dc.Units, want)
	}
	x = e.API("songling", demoPW).Get(fmt.Sprintf("/energy/reports/summary?org_id=%d&year=2025&by=category&format=xlsx", songling))
	if f, err = excelize.OpenReader(bytes.NewReader([]byte(x.Body))); err != nil {
		t.Fatalf("summary workbook: %d %v", x.StatusCode, err)
	}
	defer f.Close()
	if !strings.Contains(strings.Join(f.GetSheetList(), ","), "公共机构数据中心机房能源消费状况汇总") {
		t.Errorf("summary sheets %v", f.GetSheetList())
	}
}

func hasIssue(c report.Completeness, code, text string) bool {
	for _, is := range c.Issues {
		if is.Code == code && strings.Contains(is.Message, text) {
			return is.Blocking
		}
	}
	return false
}

// TestDetails: the detail table has a row per unit of the bureau's subtree in the caller's scope, the same figures
// as each unit's 基层表 (checked cell by cell for one unit), the status filter, and a workbook with the codes.
func TestDetails(t *testing.T) {
	e := newEnv(t, true)
	songling := e.orgID(t, "松岭县机关事务服务中心")
	edu := e.orgID(t, "松岭县教育局")
	sl := e.API("songling", demoPW)
	var d report.Details
	if st := sl.JSON("GET", fmt.Sprintf("/api/v1/energy/reports/details?org_id=%d&year=2025", songling), nil, &d); st != 200 {
		t.Fatalf("details: %d", st)
	}
	want := e.count(t, `SELECT COUNT(*) FROM orgs o JOIN orgs p ON p.id = ? WHERE o.status = 'active' AND o.path LIKE p.path || '%'`, songling)
	if int64(len(d.Rows)) != want {
		t.Fatalf("%d rows, want %d units", len(d.Rows), want)
	}
	fm, err := report.BuildForm(e.ctx, e.App.DB, auth.Everything(), edu, 2025)
	if err != nil {
		t.Fatal(err)
	}
	expect := map[string]float64{}
	for _, l := range fm.Lines {
		if l.HasThis {
			expect[l.Code] = l.This
		}
	}
	for _, s := range fm.Sections {
		for _, l := range s.Lines {
			if l.Has {
				expect[l.Code] = l.Value
			}
		}
	}
	expect["105"], expect["106"] = float64(fm.Headcount), fm.FloorArea
	found := false
	for _, r := range d.Rows {
		if r.OrgID != edu {
			continue
		}
		found = true
		if len(r.Cells) != len(d.Columns) {
			t.Fatalf("%d cells for %d columns", len(r.Cells), len(d.Columns))
		}
		got := map[string]float64{}
		for _, c := range r.Cells {
			if c.Has {
				got[c.Code] = c.Value
			}
		}
		for code, v := range expect {
			if math.Abs(got[code]-v) > 1e-6 {
				t.Errorf("%s: detail %v, 基层表 %v", code, got[code], v)
			}
		}
		if _, ok := got["310"]; !ok {
			t.Errorf("the demo heating figures of 松岭县教育局 are missing: %v", got)
		}
	}
	if !found {
		t.Fatal("松岭县教育局 not in the details")
	}
	// Status filter and scope.
	var drafts report.Details
	sl.JSON("GET", fmt.Sprintf("/api/v1/energy/reports/details?org_id=%d&year=2025&status=draft", songling), nil, &drafts)
	for _, r := range drafts.Rows {
		if r.Status != "draft" {
			t.Errorf("status filter: %s is %s", r.OrgName, r.Status)
		}
	}
	if len(drafts.Rows) == 0 || len(drafts.Rows) >= len(d.Rows) {
		t.Errorf("draft rows %d of %d", len(drafts.Rows), len(d.Rows))
	}
	if st := sl.JSON("GET", fmt.Sprintf("/api/v1/energy/reports/details?org_id=%d&year=2025&status=lost", songling), nil, nil); st != 422 {
		t.Errorf("bad status: %d", st)
	}
	if st := e.API("edu", demoPW).JSON("GET", fmt.Sprintf("/api/v1/energy/reports/details?org_id=%d&year=2025", songling), nil, nil); st != 404 {
		t.Errorf("edu reads the county's details: %d", st)
	}
	var own report.Details
	if st := e.API("edu", demoPW).JSON("GET", "/api/v1/energy/reports/details?year=2025", nil, &own); st != 200 || len(own.Rows) != 1 || own.Rows[0].OrgID != edu {
		t.Errorf("edu's own details: %d %d rows", st, len(own.Rows))
	}
	// The workbook (page link) carries the codes in its header row and a row per unit; the export is audited.
	rows := e.Browser("songling", demoPW).Sheet(fmt.Sprintf("/energy/reports/details?org_id=%d&year=2025", songling)) // 基层表明细
	if len(rows) != 3+len(d.Rows) || !strings.HasPrefix(strings.Join(rows[2], "|"), "单位名称|统一社会信用代码|单位类别|行政区划代码|报表状态|105 用能人数") {
		t.Errorf("workbook rows %d, header %v", len(rows), rows[2])
	}
	if n := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'export.xlsx' AND object_id LIKE ?", "%基层表明细%"); n != 1 {
		t.Errorf("%d audited detail exports", n)
	}
}
