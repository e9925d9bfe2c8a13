package energy_test

import (
	"bytes"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/xlsx"
)

var chartAttr = regexp.MustCompile(`data-chart='[^']*'`)

// TestPages renders every page as the energy manager, a unit administrator of one unit and the supervisor, and
// checks what each may do.
func TestPages(t *testing.T) {
	e := newEnv(t, true)
	bureau := e.orgID(t, "示范省机关事务管理局")
	edu := e.orgID(t, "松岭县教育局")
	var meter, anomaly int64
	_ = e.App.DB.QueryRow(e.ctx, "SELECT id FROM energy_meters WHERE org_id = ? AND sub_item = '' ORDER BY id LIMIT 1", bureau).Scan(&meter)
	_ = e.App.DB.QueryRow(e.ctx, "SELECT id FROM energy_anomalies ORDER BY id LIMIT 1").Scan(&anomaly)
	pages := []string{"/energy/overview", "/energy/overview?year=2025&category=hospital", fmt.Sprintf("/energy/overview?org_id=%d", bureau), "/energy/summary", "/energy/summary?year=2026",
		"/energy/rankings?indicator=per_capita_water", fmt.Sprintf("/energy/orgs/%d?year=2025", bureau), fmt.Sprintf("/energy/orgs/%d", edu),
		"/energy/meters", fmt.Sprintf("/energy/meters/%d", meter), fmt.Sprintf("/energy/meters/%d?from=2026-01-01&to=2026-11-16", meter),
		fmt.Sprintf("/energy/meters/%d?from=2026-10-12&to=2026-10-12", meter), "/energy/anomalies", "/energy/anomalies?status=resolved", "/energy/factors",
		"/energy/factors?year=2020&region_code=130102", "/energy/entry", fmt.Sprintf("/energy/entry?org_id=%d&year=2026", bureau), "/energy/import",
		"/energy/meters/new", fmt.Sprintf("/energy/meters/%d/edit", meter)}
	c := e.Browser("energy", "Demo@2026")
	for _, p := range pages {
		r := c.Get(p)
		if r.StatusCode != 200 {
			t.Errorf("energy %s: %d", p, r.StatusCode)
			continue
		}
		body := chartAttr.ReplaceAllString(r.Body, "") // chart data may hold [[x, y], …]
		for _, bad := range []string{"[[", "<no value>", "%!"} {
			if strings.Contains(body, bad) {
				i := strings.Index(body, bad)
				t.Errorf("%s contains %q near %q", p, bad, body[max(0, i-80):min(len(body), i+80)])
			}
		}
	}
	if r := c.Get("/energy?year=2025"); r.StatusCode != 303 || r.Header.Get("Location") != "/energy/overview?year=2025" {
		t.Errorf("/energy redirects to %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if r := c.Get("/energy/overview"); !strings.Contains(r.Body, "data-chart") || !strings.Contains(r.Body, "“十五五”目标完成情况") || !strings.Contains(r.Body, "echarts-6.1.0") {
		t.Errorf("dashboard lacks its charts or targets")
	}
	if r := c.Get(fmt.Sprintf("/energy/meters/%d?from=2026-01-01&to=2026-11-16", meter)); !strings.Contains(r.Body, "小时汇总") {
		t.Errorf("a long range is not drawn from hourly roll-ups")
	}

	// The unit administrator of 松岭县教育局 sees its own unit only.
	u := e.Browser("edu", "Demo@2026")
	if r := u.Get("/energy/entry"); r.StatusCode != 200 || !strings.Contains(r.Body, "松岭县教育局") {
		t.Errorf("edu entry page: %d", r.StatusCode)
	}
	if r := u.Get(fmt.Sprintf("/energy/orgs/%d", bureau)); r.StatusCode != 404 {
		t.Errorf("edu sees the bureau: %d", r.StatusCode)
	}
	if r := u.Get("/energy/meters/new"); r.StatusCode != 403 {
		t.Errorf("edu may add meters: %d", r.StatusCode)
	}
	// The entry grid: one bad cell refuses the form and keeps what was typed; a good form saves.
	form := url.Values{"org_id": {fmt.Sprint(edu)}, "year": {"2026"}, "electricity-10": {"12,345.5"}, "water-10": {"abc"}}
	if r := u.Form("POST", "/energy/entry", form); r.StatusCode != 422 || !strings.Contains(r.Body, "应为数字") || !strings.Contains(r.Body, `value="abc"`) {
		t.Errorf("bad grid: %d", r.StatusCode)
	}
	// Ten times September is implausible: the grid asks for a confirmation with a reason and saves nothing until then.
	var sep float64
	if err := e.App.DB.QueryRow(e.ctx, "SELECT m09 FROM energy_usage WHERE org_id = ? AND year = 2026 AND energy_type = 'electricity'", edu).Scan(&sep); err != nil || sep <= 0 {
		t.Fatalf("edu's September electricity: %v %v", sep, err)
	}
	tenfold := fmt.Sprint(math.Round(sep * 10))
	form.Set("water-10", "")
	form.Set("electricity-10", tenfold)
	if r := u.Form("POST", "/energy/entry", form); r.StatusCode != 422 || !strings.Contains(r.Body, "比上月") || !strings.Contains(r.Body, `name="reason"`) ||
		!strings.Contains(r.Body, `data-cell="electricity-10"`) {
		t.Errorf("tenfold month not questioned: %d", r.StatusCode)
	}
	form.Set("confirm", "1")
	if r := u.Form("POST", "/energy/entry", form); r.StatusCode != 422 || !strings.Contains(r.Body, "请填写说明") {
		t.Errorf("confirmation without a reason: %d", r.StatusCode)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_consumption WHERE org_id = ? AND period = '2026-10' AND energy_type = 'electricity' AND amount = ?", edu, tenfold); n != 0 {
		t.Errorf("the questioned figure was saved before its confirmation")
	}
	form.Set("reason", "十月新机房投入运行")
	form.Set("water-10", "321")
	if r := u.Form("POST", "/energy/entry", form); r.StatusCode != 303 {
		t.Errorf("grid save: %d %s", r.StatusCode, r.Body)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_consumption WHERE org_id = ? AND period = '2026-10' AND energy_type = 'electricity' AND amount = ? AND source = 'form' AND reason = '十月新机房投入运行' AND warning LIKE '比上月%'", edu, tenfold); n != 1 {
		t.Errorf("grid entry not saved with its reason")
	}
	if n := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'energy.consumption.set' AND detail LIKE ?", "%十月新机房投入运行%"); n < 1 {
		t.Errorf("the reason is not in the audit log (%d)", n)
	}
	if r := u.Get(fmt.Sprintf("/energy/entry?org_id=%d&year=2026", edu)); !strings.Contains(r.Body, "修改记录") || !strings.Contains(r.Body, "十月新机房投入运行") {
		t.Errorf("the entry history does not show the reason")
	}
	form = url.Values{"org_id": {fmt.Sprint(edu)}, "year": {"2026"}, "water-10": {""}}
	u.Form("POST", "/energy/entry", form)
	if n := e.count(t, "SELECT COUNT(*) FROM energy_consumption WHERE org_id = ? AND period = '2026-10' AND energy_type = 'water'", edu); n != 0 {
		t.Errorf("clearing a cell did not delete the entry")
	}
	if r := u.Form("POST", "/energy/entry", url.Values{"org_id": {fmt.Sprint(bureau)}, "year": {"2026"}, "electricity-01": {"1"}}); r.StatusCode != 404 {
		t.Errorf("edu saving the bureau's grid: %d", r.StatusCode)
	}

	// The supervisor reads everything and changes nothing.
	s := e.Browser("supervisor", "Demo@2026")
	for _, p := range []string{"/energy/overview", "/energy/summary", "/energy/anomalies", fmt.Sprintf("/energy/meters/%d", meter)} {
		if r := s.Get(p); r.StatusCode != 200 {
			t.Errorf("supervisor %s: %d", p, r.StatusCode)
		}
	}
	if r := s.Get("/energy/entry"); r.StatusCode != 403 {
		t.Errorf("supervisor entry: %d", r.StatusCode)
	}
	if r := s.Form("POST", fmt.Sprintf("/energy/anomalies/%d/resolve", anomaly), url.Values{"resolution": {"accept"}, "note": {"x"}}); r.StatusCode != 403 {
		t.Errorf("supervisor resolving: %d", r.StatusCode)
	}

	// Export of the summary is a workbook with a header row, a row per unit and a total.
	r := c.Get("/energy/summary?year=2025&format=xlsx")
	if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("summary export: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := f.GetRows(f.GetSheetList()[0])
	h, body := xlsx.Table(raw)
	rows := append([][]string{h}, body...)
	if len(rows) < 150 || rows[0][0] != "单位" || !strings.HasPrefix(rows[len(rows)-1][0], "合计") {
		t.Errorf("export rows = %d, header %v, last %v", len(rows), rows[0], rows[len(rows)-1])
	}
}

// TestImport: the template round-trips; a bad row is reported with its line and column and nothing is written; a
// good file imports, and importing it again changes nothing.
func TestImport(t *testing.T) {
	e := newEnv(t, false)
	c := e.Admin()
	unit := mkOrg(t, c, map[string]any{"name": "导入测试单位", "headcount": 10, "floor_area_m2": 100})
	book := func(rows [][]string) []byte {
		f := excelize.NewFile()
		for i, col := range energy.ImportColumns {
			cell, _ := excelize.CoordinatesToCellName(i+1, 1)
			_ = f.SetCellValue("Sheet1", cell, col.Header)
		}
		for r, row := range rows {
			for i, v := range row {
				cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
				_ = f.SetCellStr("Sheet1", cell, v)
			}
		}
		var b bytes.Buffer
		_ = f.Write(&b)
		return b.Bytes()
	}
	good := [][]string{{"导入测试单位", "2025-01", "电力", "1,000", "", ""}, {"导入测试单位", "2025年2月", "electricity", "0.12", "万kWh", "抄表"},
		{"导入测试单位", "2025-01", "柴油", "100", "L", ""}}
	bad := append([][]string{}, good...)
	bad = append(bad, []string{"导入测试单位", "2025-13", "蒸汽", "-1", "", ""}, []string{"不存在的单位", "2025-01", "水", "5", "", ""})
	r := c.Upload("/api/v1/energy/consumption/import?dry_run=true", "bad.xlsx", book(bad), nil)
	if r.StatusCode != 422 || !strings.Contains(r.Body, `"line":5`) || !strings.Contains(r.Body, "能源品种") || !strings.Contains(r.Body, `"line":6`) {
		t.Errorf("bad file: %d %s", r.StatusCode, r.Body)
	}
	r = c.Upload("/api/v1/energy/consumption/import", "bad.xlsx", book(bad), nil)
	if r.StatusCode != 422 || e.count(t, "SELECT COUNT(*) FROM energy_consumption") != 0 {
		t.Errorf("bad file wrote: %d", r.StatusCode)
	}
	r = c.Upload("/api/v1/energy/consumption/import", "good.xlsx", book(good), nil)
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"created":3`) {
		t.Fatalf("good file: %d %s", r.StatusCode, r.Body)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_consumption WHERE org_id = ? AND ((period = '2025-02' AND amount = 1200 AND input_unit = '万kWh') OR (energy_type = 'diesel' AND amount = 84))", unit); n != 2 {
		t.Errorf("converted amounts: %d rows match", n)
	}
	r = c.Upload("/api/v1/energy/consumption/import", "good.xlsx", book(good), nil)
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"created":0,"updated":0`) {
		t.Errorf("second import: %d %s", r.StatusCode, r.Body)
	}
	in := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025", unit))
	if in.amount("electricity") != 2200 || in.amount("diesel") != 84 {
		t.Errorf("after import: %+v", in.ByType)
	}
	if r := c.Get("/api/v1/energy/consumption/import/template"); r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("template: %d", r.StatusCode)
	}
}

// FuzzImportRow: whatever a row of the monthly import holds, a dry run reports row errors or success — never an
// internal error — and writes nothing.
func FuzzImportRow(f *testing.F) {
	f.Add("模糊测试单位", "2025-03", "电力", "1,000", "kWh", "")
	f.Add("模糊测试单位", "2025年13月", "蒸汽", "-1", "L", "x")
	f.Add("", "", "", "", "", "")
	f.Add("模糊测试单位", "2025/3", "diesel", "1e400", "L", strings.Repeat("长", 300))
	f.Add("91350100M000100Y43", "2099-01", "water", "NaN", "万m3", "")
	e := newEnv(f, false)
	mkOrgTB(f, e, "模糊测试单位")
	f.Fuzz(func(t *testing.T, org, period, typ, amount, unit, note string) {
		row := xlsx.Row{Line: 2, Values: map[string]string{"org": strings.TrimSpace(org), "period": strings.TrimSpace(period),
			"energy_type": strings.TrimSpace(typ), "amount": strings.TrimSpace(amount), "unit": strings.TrimSpace(unit), "note": strings.TrimSpace(note)}}
		rep, err := e.svc.ImportConsumption(e.ctx, auth.Everything(), []xlsx.Row{row}, energy.ImportOptions{DryRun: true})
		if err != nil {
			t.Fatalf("row %v: internal error %v", row.Values, err)
		}
		if rep.Rows != 1 || (rep.OK() && rep.Created+rep.Updated != 1) || (!rep.OK() && rep.Created != 0) {
			t.Fatalf("report %+v for %v", rep, row.Values)
		}
		if n := e.count(t, "SELECT COUNT(*) FROM energy_consumption"); n != 0 {
			t.Fatalf("dry run wrote %d entries", n)
		}
	})
}

// TestAnomaliesExport: the readings to review as Excel, filtered like the page.
func TestAnomaliesExport(t *testing.T) {
	e := newEnv(t, true)
	b := e.Browser("energy", "Demo@2026")
	rows := b.SheetTable("/energy/anomalies?format=xlsx&status=open")
	want := e.count(t, "SELECT COUNT(*) FROM energy_anomalies WHERE status = 'open'")
	if int64(len(rows)-1) != want || want == 0 || rows[0][2] != "类型" {
		t.Fatalf("export: %d rows for %d open anomalies, header %v", len(rows)-1, want, rows[0])
	}
	for _, r := range rows[1:] {
		if r[10] != "待处理" {
			t.Errorf("status filter: %v", r)
		}
	}
}
