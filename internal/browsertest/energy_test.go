package browsertest

import (
	"bytes"
	"encoding/base64"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/energy"
)

// TestEnergyFlow is the energy module's main flow as the bureau's energy manager does it: the dashboard with its
// charts and targets, the monthly entry grid (a bad cell refused in Chinese, then saved), the Excel import (a dry
// run with a bad row, then for real), the summary report exported to Excel, a meter's interval chart, and the
// review of a reading anomaly — each page photographed at desktop and phone width.
func TestEnergyFlow(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	b := s.NewTab(t, "energy")
	b.SignIn("energy", DemoPassword)

	// Dashboard: indicator cards with targets, the trend and mix charts drawn by ECharts, the target table.
	b.Visit("/energy/overview?year=2025")
	b.WaitFor("the charts to draw", `document.querySelectorAll(".chart canvas").length >= 2`)
	if n := b.Count("main .stats .stat"); n < 8 {
		t.Errorf("dashboard shows %d indicator cards, want at least 8", n)
	}
	b.ExpectText("main .stats", "单位建筑面积能耗")
	b.ExpectText("main .stats", "目标 -5.0%")
	b.ExpectText("main", "“十四五”目标完成情况")
	if n := b.Count("main table tbody tr"); n < 4 {
		t.Errorf("dashboard tables have %d rows", n)
	}
	b.Phone()
	b.Open("/energy/overview?year=2025")
	if o := b.Overflow(); o.Px > 0 {
		t.Errorf("phone: the dashboard is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	b.Desktop()

	// Monthly entry for 示范省档案馆, found with the unit picker's search.
	const unit = "示范省档案馆"
	b.Visit("/energy/entry")
	b.Search(`input[name=org_q]`, "#f-org", "档案馆")
	b.WaitFor("the picker to offer "+unit, `Array.from(document.querySelectorAll("#f-org option")).some(o => o.textContent.trim().startsWith("`+unit+`"))`)
	id := Eval[string](b, `Array.from(document.querySelectorAll("#f-org option")).find(o => o.textContent.trim().startsWith("`+unit+`")).value`)
	entry := "/energy/entry?org_id=" + id + "&year=2026"
	b.Visit(entry)
	b.ExpectText("main h2", unit)
	if n := b.Count(`#entry-form input[name="electricity-10"]`); n != 1 {
		t.Fatalf("the grid has no October electricity cell")
	}
	b.Fill(`#entry-form input[name="electricity-10"]`, "12a")
	if st := b.ClickAndWait(`#entry-form button[type=submit]`, "/energy/entry"); st != 422 {
		t.Errorf("saving a bad cell: status %d, want 422", st)
	}
	b.Check()
	b.Snap("bad-cell")
	if b.Count(`td.has-error input[name="electricity-10"]`) != 1 {
		t.Errorf("the bad cell is not marked")
	}
	b.ExpectText("main", "应为数字")
	if v := Eval[string](b, `document.querySelector('#entry-form input[name="electricity-10"]').value`); v != "12a" {
		t.Errorf("the grid lost what was typed: %q", v)
	}
	// Ten times September is questioned: the page names the comparison, asks for 确认 and a reason, and saves only
	// with both.
	sep := Eval[float64](b, `(() => { const i = document.querySelector('#entry-form input[name="electricity-09"]'); return parseFloat(i.value || i.placeholder) })()`)
	if sep <= 0 {
		t.Fatalf("no September electricity to compare with")
	}
	tenfold := strconv.FormatFloat(math.Round(sep*10), 'f', -1, 64)
	b.Fill(`#entry-form input[name="electricity-10"]`, tenfold)
	if st := b.ClickAndWait(`#entry-form button[type=submit]`, "/energy/entry"); st != 422 {
		t.Fatalf("a tenfold month: status %d, want 422: %s", st, short(b.Text("main")))
	}
	b.Check()
	b.ExpectText(`#entry-form .plausibility[data-cell="electricity-10"]`, "比上月")
	b.ExpectText("#plausibility-confirm", "说明")
	b.Snap("plausibility")
	b.Phone()
	if o := b.Overflow(); o.Px > 0 {
		t.Errorf("phone: the confirmation makes the page %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	b.Snap("plausibility-phone")
	b.Desktop()
	if v := Eval[string](b, `document.querySelector('#entry-form input[name="electricity-10"]').value`); v != tenfold {
		t.Errorf("the questioned cell lost what was typed: %q", v)
	}
	// Without the tick the browser does not send the form (the box is required): nothing is saved.
	if ok := Eval[bool](b, `document.querySelector('#entry-form').checkValidity()`); ok {
		t.Errorf("the form is valid without 确认 and a reason")
	}
	b.Click("#f-confirm")
	b.Type("#f-reason", "十月新机房投入运行，已核对电费单")
	if st := b.ClickAndWait(`#entry-form button[type=submit]`); st != 200 {
		t.Fatalf("save the grid: status %d: %s", st, short(b.Text("main")))
	}
	b.Check()
	b.ExpectText("main .flash", "已保存")
	if v := Eval[string](b, `document.querySelector('#entry-form input[name="electricity-10"]').value`); v != tenfold {
		t.Errorf("after saving the cell shows %q", v)
	}
	b.ExpectText("#entry-history", "十月新机房投入运行")
	b.Phone()
	b.Open(entry)
	if o := b.Overflow(); o.Px > 0 {
		t.Errorf("phone: the entry grid makes the page %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	b.Desktop()

	// Excel import: a dry run of a file with a bad row lists it and writes nothing; the fixed file imports.
	dir := t.TempDir()
	badFile, goodFile := filepath.Join(dir, "energy-bad.xlsx"), filepath.Join(dir, "energy.xlsx")
	rows := [][]string{{unit, "2026-10", "液化石油气", "120", "kg", ""}, {unit, "2026-10", "蒸汽", "300", "L", ""}}
	writeEnergyXLSX(t, badFile, rows)
	rows[1][2] = "汽油"
	writeEnergyXLSX(t, goodFile, rows)
	b.Visit("/energy/import")
	// The downloaded template as it is: its example row is refused in the trial.
	tpl := b.Fetch("/energy/import/template")
	tplData, err := base64.StdEncoding.DecodeString(tpl.Base64)
	if tpl.Status != 200 || err != nil {
		t.Fatalf("template: %d %v", tpl.Status, err)
	}
	tplFile := filepath.Join(dir, "template.xlsx")
	if err := os.WriteFile(tplFile, tplData, 0o600); err != nil {
		t.Fatal(err)
	}
	b.Upload("#f-file", tplFile)
	if st := b.ClickAndWait(`main form button[name=dry_run]`, "/energy/import"); st != 422 {
		t.Errorf("dry run of the template: status %d, want 422", st)
	}
	b.Check()
	b.ExpectText("#import-report .row-errors", "第 2 行是模板示例行，请删除后再导入")
	b.Snap("example-row")
	b.Upload("#f-file", badFile)
	if st := b.ClickAndWait(`main form button[name=dry_run]`, "/energy/import"); st != 422 {
		t.Errorf("dry run of a bad file: status %d, want 422", st)
	}
	b.Check()
	b.Snap("dry-run-errors")
	if n := b.Count("#import-report tbody.row-errors tr"); n != 1 {
		t.Errorf("dry run lists %d problems, want 1", n)
	}
	cells := Eval[[]string](b, `Array.from(document.querySelectorAll("#import-report tbody.row-errors tr:first-child td")).map(td => td.innerText.trim())`)
	if len(cells) != 3 || cells[0] != "3" || cells[1] != "能源品种" || !strings.Contains(cells[2], "蒸汽") {
		t.Errorf("dry run row error is %q, want line 3, column 能源品种", cells)
	}
	// The trial of the fixed file keeps it on the server: 确认导入 needs no second upload.
	b.Upload("#f-file", goodFile)
	if st := b.ClickAndWait(`main form button[name=dry_run]`); st != 200 {
		t.Fatalf("dry run of the good file: status %d: %s", st, short(b.Text("#import-report")))
	}
	b.Check()
	b.ExpectText("#kept-file", "energy.xlsx")
	b.Snap("kept-file")
	if b.Count("#import-confirm") > 0 { // rows far from earlier months: one confirmation with a reason
		b.Click("#f-confirm")
		b.Type("#f-reason", "十月新增食堂液化气和公务用车")
	}
	if st := b.ClickAndWait(`#import-run`); st != 200 {
		t.Errorf("import: status %d: %s", st, short(b.Text("#import-report")))
	}
	b.Check()
	b.Snap("imported")
	b.ExpectText("#import-report .flash-success", "新增 2 条")
	b.Phone()
	b.Open("/energy/import")
	if o := b.Overflow(); o.Px > 0 {
		t.Errorf("phone: the import page is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	b.Desktop()

	// The summary report and its Excel export.
	b.Visit("/energy/summary?year=2025")
	if n := b.Count("#summary-table tbody tr"); n < 20 {
		t.Errorf("the summary lists %d units", n)
	}
	links := b.Links("#export-summary")
	if len(links) != 1 {
		t.Fatalf("no export link on the summary")
	}
	d := b.Fetch(links[0])
	if d.Status != 200 || !strings.Contains(d.Type, "spreadsheetml") || !strings.Contains(d.Disposition, "attachment") {
		t.Fatalf("export: status %d, type %q, disposition %q", d.Status, d.Type, d.Disposition)
	}
	data, err := base64.StdEncoding.DecodeString(d.Base64)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("export is not a valid .xlsx: %v", err)
	}
	defer f.Close()
	xrows, _ := f.GetRows(f.GetSheetList()[0])
	if len(xrows) < 150 || xrows[0][0] != "单位" || !strings.Contains(strings.Join(xrows[0], "|"), "综合能耗(kgce)") || !strings.HasPrefix(xrows[len(xrows)-1][0], "合计") {
		t.Errorf("export: %d rows, header %q", len(xrows), xrows[0])
	}
	b.Visit("/energy/rankings?year=2025&category=hospital")
	b.ExpectText("main table", "人民医院")
	// Counties against each other, and the 1,440 px screen that cut off the summary's 光伏 column.
	b.Visit("/energy/rankings?year=2025&category=organ&by=county")
	if n := b.Count("#region-ranking tbody tr"); n < 2 {
		t.Errorf("the county ranking lists %d counties", n)
	}
	b.Snap("county-ranking")
	b.must(chromedp.EmulateViewport(1440, 900))
	for _, p := range []string{"/energy/summary?year=2025", "/energy/orgs/1?year=2025", entry} {
		b.Open(p)
		if cut := Eval[[]string](b, `Array.from(document.querySelectorAll("main .table-wrap")).filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.scrollWidth - w.clientWidth + " px")`); len(cut) > 0 {
			t.Errorf("1,440 px: %s cuts its table by %v", p, cut)
		}
	}
	b.mode = ""
	b.Desktop()
	// The bureau's own page: this year's months, October's electricity from its meters, the sub-item chart.
	b.Visit("/energy/orgs/1?year=2026")
	b.ExpectText("main h1", bureau)
	b.ExpectText("main table", "表")
	b.WaitFor("the unit's charts to draw", `document.querySelectorAll(".chart canvas").length >= 2`)

	// A metered building's main meter: the interval chart.
	b.Visit("/energy/meters?q=总表")
	meter := b.FirstRowLink()
	if !strings.HasPrefix(meter, "/energy/meters/") {
		t.Fatalf("no meter in the list (first link %q)", meter)
	}
	b.Visit(meter)
	b.WaitFor("the interval chart to draw", `document.querySelectorAll("#meter-chart canvas").length > 0`)
	b.ExpectText("main", "合计")
	if strings.Contains(b.Text("main"), "LTTB") {
		t.Errorf("the meter page speaks of LTTB")
	}
	// The date labels sit above the zoom slider: the grid leaves the slider its own strip.
	if gap := Eval[float64](b, `(() => { const c = echarts.getInstanceByDom(document.getElementById("meter-chart")); const o = c.getOption();
		return o.grid[0].bottom - (o.dataZoom[1].bottom + o.dataZoom[1].height) })()`); gap < 30 {
		t.Errorf("the dates have %v px between the axis and the zoom slider", gap)
	}
	// The demo's virtual meter: 总表 minus the sub-item meters, charted like any meter.
	b.Visit("/energy/meters?q=线损")
	virtual := b.FirstRowLink()
	if !strings.HasPrefix(virtual, "/energy/meters/") {
		t.Fatalf("no virtual meter in the list (first link %q)", virtual)
	}
	b.Visit(virtual)
	b.ExpectText("#virtual-badge", "虚拟表")
	b.ExpectText("#formula", "总表")
	b.WaitFor("the virtual meter's chart to draw", `document.querySelectorAll("#meter-chart canvas").length > 0`)

	// Review: accept the demo's spike.
	b.Visit("/energy/anomalies?status=open&kind=spike")
	if b.Count("main .anomaly") == 0 {
		t.Fatalf("no open spike to review")
	}
	b.Click("main .anomaly details summary")
	b.Fill("main .anomaly select[name=resolution]", "accept")
	b.Type("main .anomaly input[name=note]", "11 月 3 日信息中心负载测试，用量属实")
	if st := b.ClickAndWait("main .anomaly form button[type=submit]"); st != 200 {
		t.Errorf("resolve: status %d", st)
	}
	b.Check()
	b.ExpectText("main .flash", "已处理")
	b.Visit("/energy/anomalies?status=resolved&kind=spike")
	b.ExpectText("main .anomaly", "确认计入")
	b.Visit("/energy/factors?year=2025")
	b.ExpectText("main", "0.5306")
}

// writeEnergyXLSX writes a monthly entry import file with the template's header row (energy.ImportColumns).
func writeEnergyXLSX(t *testing.T, path string, rows [][]string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, c := range energy.ImportColumns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellValue(sheet, cell, c.Header); err != nil {
			t.Fatal(err)
		}
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}
