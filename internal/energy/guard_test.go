package energy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/energy"
)

// TestJudge is the plausibility rule as a table: no baseline or a zero baseline never warns; with both months
// known both must differ by more than the ratio; with one, that one decides.
func TestJudge(t *testing.T) {
	prev := func(v float64) energy.Baseline {
		return energy.Baseline{Against: "prev_month", Period: "2025-03", Amount: v}
	}
	last := func(v float64) energy.Baseline {
		return energy.Baseline{Against: "last_year", Period: "2024-04", Amount: v}
	}
	for _, c := range []struct {
		name   string
		amount float64
		bs     []energy.Baseline
		warn   bool
		text   string
	}{
		{"no baseline", 63504, nil, false, ""},
		{"zero baseline", 63504, []energy.Baseline{prev(0)}, false, ""},
		{"tenfold the previous month", 63504, []energy.Baseline{prev(6300)}, true, "比上月 6,300 高 908 %"},
		{"within 50 %", 9000, []energy.Baseline{prev(6300)}, false, ""},
		{"exactly 50 %", 9450, []energy.Baseline{prev(6300)}, false, ""},
		{"a third", 2100, []energy.Baseline{prev(6300)}, true, "比上月 6,300 低 67 %"},
		{"both differ", 63504, []energy.Baseline{prev(6300), last(6100)}, true, "比上月 6,300 高 908 %；比去年同月 6,100 高 941 %"},
		{"heating month close to last year", 30000, []energy.Baseline{prev(8000), last(28000)}, false, ""},
		{"only last year known", 500, []energy.Baseline{last(6100)}, true, "比去年同月 6,100 低 92 %"},
	} {
		got, warn := energy.Judge(c.amount, 0.5, c.bs)
		if warn != c.warn || energy.WarningText(got) != c.text {
			t.Errorf("%s: %v %q, want %v %q", c.name, warn, energy.WarningText(got), c.warn, c.text)
		}
	}
}

// TestPlausibilityAPI: a month ten times the others answers 422 plausibility naming the field and the comparison
// and stores nothing; a confirmation needs a reason; with both it saves, and the entry, its history and the audit
// log keep the reason. A first month and a seasonal month close to last year save without a question.
func TestPlausibilityAPI(t *testing.T) {
	e := newEnv(t, false)
	c := e.Admin()
	unit := mkOrg(t, c, map[string]any{"name": "核对测试单位", "headcount": 10, "floor_area_m2": 100})
	post := func(body map[string]any, out any) int {
		t.Helper()
		body["org_id"] = unit
		return c.JSON("POST", "/api/v1/energy/consumption", body, out)
	}
	// A first figure has nothing to be compared with.
	if st := post(map[string]any{"period": "2025-01", "energy_type": "electricity", "amount": 6300}, nil); st != 201 {
		t.Fatalf("first month: %d", st)
	}
	for _, p := range []string{"2025-02", "2025-03"} {
		if st := post(map[string]any{"period": p, "energy_type": "electricity", "amount": 6300}, nil); st != 201 {
			t.Fatalf("%s: %d", p, st)
		}
	}
	var eb apptest.ErrorBody
	if st := post(map[string]any{"period": "2025-04", "energy_type": "electricity", "amount": 63504}, &eb); st != 422 || eb.Error.Code != "plausibility" ||
		!strings.Contains(eb.Error.Fields["amount"], "比上月 6,300 高 908 %") {
		t.Fatalf("tenfold month: %d %+v", st, eb)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_consumption WHERE org_id = ? AND period = '2025-04'", unit); n != 0 {
		t.Fatalf("the questioned figure was stored")
	}
	eb = apptest.ErrorBody{}
	if st := post(map[string]any{"period": "2025-04", "energy_type": "electricity", "amount": 63504, "confirm": true, "reason": " "}, &eb); st != 422 ||
		eb.Error.Code != "validation" || eb.Error.Fields["reason"] == "" {
		t.Fatalf("confirmation without a reason: %d %+v", st, eb)
	}
	var en energy.Entry
	if st := post(map[string]any{"period": "2025-04", "energy_type": "electricity", "amount": 63504, "confirm": true, "reason": "新增数据中心机房"}, &en); st != 201 ||
		en.Reason != "新增数据中心机房" || !strings.Contains(en.Warning, "比上月") {
		t.Fatalf("confirmed: %d %+v", st, en)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_consumption_changes WHERE org_id = ? AND period = '2025-04' AND reason = '新增数据中心机房' AND after_amount = 63504", unit); n != 1 {
		t.Errorf("the change history lacks the reason")
	}
	if n := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'energy.consumption.set' AND detail LIKE ?", "%新增数据中心机房%"); n != 1 {
		t.Errorf("the audit log lacks the reason (%d)", n)
	}
	// The entry's change history, as the entry page's 修改记录 shows it, is a JSON list too: newest first, with
	// the warning and the reason that confirmed it; one entry (period and type) or the unit's year.
	var ch struct {
		Items []energy.Change `json:"items"`
		Total int64           `json:"total"`
	}
	if r := c.Get(fmt.Sprintf("/api/v1/energy/consumption/changes?org_id=%d&period=2025-04&energy_type=electricity", unit)); r.StatusCode != 200 {
		t.Fatalf("changes: %d %s", r.StatusCode, r.Body)
	} else if decode(t, r.Body, &ch); ch.Total != 1 || len(ch.Items) != 1 || ch.Items[0].Reason != "新增数据中心机房" ||
		!strings.Contains(ch.Items[0].Warning, "比上月") || ch.Items[0].Before != nil || ch.Items[0].After == nil || *ch.Items[0].After != 63504 ||
		ch.Items[0].Source != "api" || ch.Items[0].Actor != "admin" {
		t.Errorf("the entry's history: %s", r.Body)
	}
	if r := c.Get(fmt.Sprintf("/api/v1/energy/consumption/changes?org_id=%d&year=2025&page_size=2", unit)); r.StatusCode != 200 {
		t.Fatalf("changes of the year: %d %s", r.StatusCode, r.Body)
	} else if decode(t, r.Body, &ch); ch.Total != 4 || len(ch.Items) != 2 || ch.Items[0].Period != "2025-04" {
		t.Errorf("the year's history (4 changes, newest first, a page of 2): %s", r.Body)
	}
	for q, field := range map[string]string{"period=2025-13": "period", "energy_type=peat": "energy_type", "year=2025": ""} {
		eb = apptest.ErrorBody{}
		path := "/api/v1/energy/consumption/changes?" + q
		if field != "" {
			path += fmt.Sprintf("&org_id=%d", unit)
		} else {
			field = "org_id" // no unit named
		}
		if st := c.JSON("GET", path, nil, &eb); st != 422 || eb.Error.Fields[field] == "" {
			t.Errorf("%s: %d %+v", path, st, eb)
		}
	}
	// Sending the same figure again changes nothing and asks nothing; the other fields of a confirmed entry stay.
	if st := post(map[string]any{"period": "2025-04", "energy_type": "electricity", "amount": 63504}, &en); st != 200 || en.Changed || en.Reason != "新增数据中心机房" {
		t.Errorf("same figure again: %d %+v", st, en)
	}
	// A heating month far above October but close to last November is plausible.
	for p, v := range map[string]float64{"2024-10": 800, "2024-11": 9000} {
		if st := post(map[string]any{"period": p, "energy_type": "heat", "amount": v, "confirm": true, "reason": "采暖季"}, nil); st != 201 {
			t.Fatalf("heat %s: %d", p, st)
		}
	}
	if st := post(map[string]any{"period": "2025-10", "energy_type": "heat", "amount": 700}, nil); st != 201 {
		t.Fatalf("heat 2025-10: %d", st)
	}
	if st := post(map[string]any{"period": "2025-11", "energy_type": "heat", "amount": 9500}, nil); st != 201 {
		t.Errorf("a heating month close to last year was questioned: %d", st)
	}
	// The threshold is reference data with its source.
	if r := c.Get("/api/v1/refdata/energy.entry_rule"); r.StatusCode != 200 || !strings.Contains(r.Body, "plausibility_ratio") || !strings.Contains(r.Body, "GovOps") {
		t.Errorf("energy.entry_rule: %d %s", r.StatusCode, r.Body)
	}
}

// importBook builds a workbook with the template's header and the given rows (cells by column key).
func importBook(t *testing.T, rows []map[string]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, col := range energy.ImportColumns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		_ = f.SetCellValue("Sheet1", cell, col.Header)
	}
	for r, row := range rows {
		for i, col := range energy.ImportColumns {
			cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
			_ = f.SetCellStr("Sheet1", cell, row[col.Key])
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestImportGuards: the template's own example row is refused by its marker; the trial lists the stored values a
// row replaces (old → new) and the rows the plausibility check questions; the import then needs one confirmation
// with a reason, which every questioned row keeps.
func TestImportGuards(t *testing.T) {
	e := newEnv(t, false)
	c := e.Admin()
	unit := mkOrg(t, c, map[string]any{"name": "导入核对单位", "headcount": 10, "floor_area_m2": 100})
	// The downloaded template imported as it is: its example row is refused.
	tpl := c.Get("/api/v1/energy/consumption/import/template")
	if tpl.StatusCode != 200 {
		t.Fatalf("template: %d", tpl.StatusCode)
	}
	r := c.Upload("/api/v1/energy/consumption/import?dry_run=true", "template.xlsx", []byte(tpl.Body), nil)
	if r.StatusCode != 422 || !strings.Contains(r.Body, "第 2 行是模板示例行，请删除后再导入") || strings.Contains(r.Body, `"created":1`) {
		t.Fatalf("the example row passed the trial: %d %s", r.StatusCode, r.Body)
	}
	// A row with the marker is refused whatever its values (here a real unit's plausible figure).
	r = c.Upload("/api/v1/energy/consumption/import?dry_run=true", "x.xlsx", importBook(t, []map[string]string{
		{"org": "导入核对单位", "period": "2025-01", "energy_type": "电力", "amount": "1000", "example": "示例"}}), nil)
	if r.StatusCode != 422 || !strings.Contains(r.Body, "模板示例行") {
		t.Errorf("a marked row passed: %d %s", r.StatusCode, r.Body)
	}

	for _, p := range []string{"2025-01", "2025-02"} {
		if st := c.JSON("POST", "/api/v1/energy/consumption", map[string]any{"org_id": unit, "period": p, "energy_type": "electricity", "amount": 1000}, nil); st != 201 {
			t.Fatalf("entry %s: %d", p, st)
		}
	}
	book := importBook(t, []map[string]string{
		{"org": "导入核对单位", "period": "2025-02", "energy_type": "电力", "amount": "1200"},  // replaces 1000
		{"org": "导入核对单位", "period": "2025-03", "energy_type": "电力", "amount": "12000"}, // ten times February
		{"org": "导入核对单位", "period": "2025-03", "energy_type": "水", "amount": "50"},     // new, nothing to compare
	})
	var rep energy.ImportReport
	r = c.Upload("/api/v1/energy/consumption/import?dry_run=true", "m.xlsx", book, nil)
	if r.StatusCode != 200 {
		t.Fatalf("trial: %d %s", r.StatusCode, r.Body)
	}
	decode(t, r.Body, &rep)
	if len(rep.Replaced) != 1 || rep.Replaced[0].Line != 2 || rep.Replaced[0].Before != 1000 || rep.Replaced[0].After != 1200 || rep.Replaced[0].Period != "2025-02" {
		t.Errorf("replaced: %+v", rep.Replaced)
	}
	if len(rep.Warnings) != 1 || rep.Warnings[0].Line != 3 || !strings.Contains(rep.Warnings[0].Message, "比上月") || rep.Created != 2 || rep.Updated != 1 {
		t.Errorf("trial report: %+v", rep)
	}
	r = c.Upload("/api/v1/energy/consumption/import", "m.xlsx", book, nil)
	var eb apptest.ErrorBody
	decode(t, r.Body, &eb)
	if r.StatusCode != 422 || eb.Error.Code != "plausibility" || e.count(t, "SELECT COUNT(*) FROM energy_consumption WHERE org_id = ?", unit) != 2 {
		t.Fatalf("unconfirmed import: %d %s", r.StatusCode, r.Body)
	}
	r = c.Upload("/api/v1/energy/consumption/import", "m.xlsx", book, map[string]string{"confirm": "true"})
	if r.StatusCode != 422 || !strings.Contains(r.Body, `"reason"`) {
		t.Errorf("confirmation without a reason: %d %s", r.StatusCode, r.Body)
	}
	r = c.Upload("/api/v1/energy/consumption/import", "m.xlsx", book, map[string]string{"confirm": "true", "reason": "三月新楼启用"})
	if r.StatusCode != 200 {
		t.Fatalf("confirmed import: %d %s", r.StatusCode, r.Body)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_consumption WHERE org_id = ? AND period = '2025-03' AND energy_type = 'electricity' AND amount = 12000 AND reason = '三月新楼启用'", unit); n != 1 {
		t.Errorf("the questioned row lacks its reason")
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_consumption WHERE org_id = ? AND reason <> ''", unit); n != 1 {
		t.Errorf("the reason was given to %d rows, want only the questioned one", n)
	}
}

var tokenRe = regexp.MustCompile(`name="token" value="([0-9a-f]+)"`)

// TestImportKeepsFile: the page keeps the uploaded workbook after the trial under a token of the user and session,
// so 确认导入 posts no file (here with the one confirmation its questioned row needs); the token serves once, and
// never another session.
func TestImportKeepsFile(t *testing.T) {
	e := newEnv(t, false)
	unit := mkOrg(t, e.Admin(), map[string]any{"name": "保留文件测试单位", "headcount": 10, "floor_area_m2": 100})
	if st := e.Admin().JSON("POST", "/api/v1/energy/consumption", map[string]any{"org_id": unit, "period": "2020-04", "energy_type": "diesel", "amount": 1000}, nil); st != 201 {
		t.Fatalf("april: %d", st)
	}
	b := e.Browser("admin", apptest.AdminPassword)
	book := importBook(t, []map[string]string{{"org": "保留文件测试单位", "period": "2020-05", "energy_type": "柴油", "amount": "0"}})
	r := b.Upload("/energy/import", "五月柴油.xlsx", book, map[string]string{"dry_run": "1"})
	m := tokenRe.FindStringSubmatch(r.Body)
	if r.StatusCode != 200 || m == nil || !strings.Contains(r.Body, "已保留文件：五月柴油.xlsx") || !strings.Contains(r.Body, `id="import-confirm"`) ||
		!strings.Contains(r.Body, "比上月 1,000 低 100 %") {
		t.Fatalf("trial: %d, token %v", r.StatusCode, m)
	}
	// Another session of the same user cannot use it.
	other := e.Browser("admin", apptest.AdminPassword)
	if r := other.Upload("/energy/import", "", nil, map[string]string{"token": m[1]}); r.StatusCode != 422 || !strings.Contains(r.Body, "重新选择文件") {
		t.Errorf("another session used the token: %d", r.StatusCode)
	}
	// Confirming without a reason shows the trial again with the reason's message; the file is still kept.
	r = b.Upload("/energy/import", "", nil, map[string]string{"token": m[1], "confirm": "1"})
	if r.StatusCode != 422 || !strings.Contains(r.Body, "请填写说明") || !strings.Contains(r.Body, m[1]) {
		t.Errorf("confirmation without a reason: %d", r.StatusCode)
	}
	r = b.Upload("/energy/import", "", nil, map[string]string{"token": m[1], "confirm": "1", "reason": "五月发电机停用"})
	if r.StatusCode != 200 || !strings.Contains(r.Body, "导入结果") {
		t.Fatalf("confirm import: %d %s", r.StatusCode, r.Body)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_consumption WHERE org_id = ? AND period = '2020-05' AND energy_type = 'diesel' AND source = 'import' AND reason = '五月发电机停用'", unit); n != 1 {
		t.Errorf("the kept file was not imported (%d)", n)
	}
	if r := b.Upload("/energy/import", "", nil, map[string]string{"token": m[1]}); r.StatusCode != 422 {
		t.Errorf("the token served twice: %d", r.StatusCode)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_import_files"); n != 0 {
		t.Errorf("%d kept files left", n)
	}
}

// TestImportKeepsFileAPI: a JSON client asks for the workbook to be kept (keep=true): the trial answers a token
// that the import then sends instead of the file, with the confirmation its questioned row needs; the token serves
// the same user only, once.
func TestImportKeepsFileAPI(t *testing.T) {
	e := newEnv(t, false)
	c := e.Admin()
	unit := mkOrg(t, c, map[string]any{"name": "接口保留文件单位", "headcount": 10, "floor_area_m2": 100})
	if st := c.JSON("POST", "/api/v1/energy/consumption", map[string]any{"org_id": unit, "period": "2020-04", "energy_type": "diesel", "amount": 1000}, nil); st != 201 {
		t.Fatalf("april: %d", st)
	}
	book := importBook(t, []map[string]string{{"org": "接口保留文件单位", "period": "2020-05", "energy_type": "柴油", "amount": "0"}})
	// Without keep nothing is kept.
	var rep energy.ImportReport
	r := c.Upload("/api/v1/energy/consumption/import?dry_run=true", "m.xlsx", book, nil)
	if decode(t, r.Body, &rep); r.StatusCode != 200 || rep.Token != "" || e.count(t, "SELECT COUNT(*) FROM energy_import_files") != 0 {
		t.Fatalf("trial without keep: %d %s", r.StatusCode, r.Body)
	}
	r = c.Upload("/api/v1/energy/consumption/import?dry_run=true&keep=true", "m.xlsx", book, nil)
	if decode(t, r.Body, &rep); r.StatusCode != 200 || len(rep.Token) != 32 || rep.TokenExpiresAt == "" || len(rep.Warnings) != 1 {
		t.Fatalf("trial with keep: %d %s", r.StatusCode, r.Body)
	}
	tok := rep.Token
	// Another session (a browser's, bound to its own sign-in) cannot use it.
	if r := e.Browser("admin", apptest.AdminPassword).Upload("/api/v1/energy/consumption/import", "", nil, map[string]string{"token": tok}); r.StatusCode != 422 ||
		!strings.Contains(r.Body, "重新选择文件") {
		t.Errorf("another session used the token: %d %s", r.StatusCode, r.Body)
	}
	// The import without a confirmation is refused and keeps the file; the token may come as a query parameter.
	var ans struct {
		Report energy.ImportReport `json:"report"`
	}
	r = c.Do("POST", "/api/v1/energy/consumption/import?token="+tok, "", nil)
	if decode(t, r.Body, &ans); r.StatusCode != 422 || !strings.Contains(r.Body, `"plausibility"`) || ans.Report.Token != tok {
		t.Fatalf("unconfirmed import by token: %d %s", r.StatusCode, r.Body)
	}
	r = c.Upload("/api/v1/energy/consumption/import", "", nil, map[string]string{"token": tok, "confirm": "true", "reason": "五月发电机停用"})
	rep = energy.ImportReport{}
	if decode(t, r.Body, &rep); r.StatusCode != 200 || rep.Created != 1 || rep.Token != "" {
		t.Fatalf("confirmed import by token: %d %s", r.StatusCode, r.Body)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_consumption WHERE org_id = ? AND period = '2020-05' AND source = 'import' AND reason = '五月发电机停用'", unit); n != 1 {
		t.Errorf("the kept file was not imported (%d)", n)
	}
	if r := c.Upload("/api/v1/energy/consumption/import", "", nil, map[string]string{"token": tok}); r.StatusCode != 422 || e.count(t, "SELECT COUNT(*) FROM energy_import_files") != 0 {
		t.Errorf("the token served twice: %d", r.StatusCode)
	}
	// A file with errors is not kept.
	bad := importBook(t, []map[string]string{{"org": "接口保留文件单位", "period": "2020-13", "energy_type": "柴油", "amount": "1"}})
	if r := c.Upload("/api/v1/energy/consumption/import?dry_run=true&keep=true", "bad.xlsx", bad, nil); r.StatusCode != 422 || strings.Contains(r.Body, `"token"`) ||
		e.count(t, "SELECT COUNT(*) FROM energy_import_files") != 0 {
		t.Errorf("a file with errors was kept: %d %s", r.StatusCode, r.Body)
	}
}

func decode(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
}

var regionRowRe = regexp.MustCompile(`<tr data-region="(\d{6})">`)

// TestRegionRankings: the province compares its counties with each other; following a county lists its units
// only; the same view exports.
func TestRegionRankings(t *testing.T) {
	e := newEnv(t, true)
	b := e.Browser("energy", "Demo@2026")
	r := b.Get("/energy/rankings?year=2025&category=organ&by=county")
	rows := regionRowRe.FindAllStringSubmatch(r.Body, -1)
	if r.StatusCode != 200 || len(rows) < 2 || !strings.Contains(r.Body, "松岭县") {
		t.Fatalf("county ranking: %d, %d counties", r.StatusCode, len(rows))
	}
	for _, m := range rows {
		if strings.HasSuffix(m[1], "00") {
			t.Errorf("a city-level code %s in the county ranking", m[1])
		}
	}
	if r := b.Get("/energy/rankings?year=2025&category=organ&by=city"); r.StatusCode != 200 || len(regionRowRe.FindAllString(r.Body, -1)) < 1 {
		t.Errorf("city ranking: %d", r.StatusCode)
	}
	code := rows[0][1]
	r = b.Get("/energy/rankings?year=2025&category=organ&by=unit&region_code=" + code)
	if r.StatusCode != 200 || strings.Contains(r.Body, `data-region=`) {
		t.Fatalf("units of %s: %d", code, r.StatusCode)
	}
	if b.Get("/energy/rankings?year=2025&region_code=12ab").StatusCode != 422 {
		t.Errorf("a bad region code is not refused")
	}
	if x := b.SheetTable("/energy/rankings?year=2025&category=organ&by=county&format=xlsx"); len(x) != len(rows)+1 || x[0][1] != "行政区域" {
		t.Errorf("county export: %d rows, header %v", len(x), x[0])
	}
	// The same ranking as JSON: the counties in the page's order, and the cities.
	api := e.API("energy", "Demo@2026")
	var list struct {
		Items []energy.RegionRankItem `json:"items"`
		Total int64                   `json:"total"`
	}
	if r := api.Get("/api/v1/energy/rankings/regions?year=2025&category=organ&by=county"); r.StatusCode != 200 {
		t.Fatalf("county ranking API: %d %s", r.StatusCode, r.Body)
	} else if decode(t, r.Body, &list); len(list.Items) != len(rows) || int(list.Total) != len(rows) {
		t.Errorf("county ranking API: %d counties, the page %d", len(list.Items), len(rows))
	} else {
		for i, it := range list.Items {
			if it.RegionCode != rows[i][1] || it.Rank != i+1 || it.Units < 1 || it.RegionName == "" {
				t.Errorf("county ranking API row %d: %+v, the page has %s", i, it, rows[i][1])
			}
		}
	}
	if r := api.Get("/api/v1/energy/rankings/regions?year=2025&category=organ&by=city"); r.StatusCode != 200 {
		t.Errorf("city ranking API: %d", r.StatusCode)
	} else if decode(t, r.Body, &list); len(list.Items) < 1 || !strings.HasSuffix(list.Items[0].RegionCode, "00") {
		t.Errorf("city ranking API: %+v", list.Items)
	}
	for _, q := range []string{"by=unit", "indicator=speed", "region_code=12ab"} {
		if r := api.Get("/api/v1/energy/rankings/regions?year=2025&" + q); r.StatusCode != 422 {
			t.Errorf("regions?%s: %d", q, r.StatusCode)
		}
	}
}
