package browsertest

import (
	"bytes"
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/org"
)

const bureau = "示范省机关事务管理局" // the demo province's bureau, root of the tree

// creditCode makes a valid 统一社会信用代码 (GB 32100-2015) for the demo region 990000 from a 9-character body.
func creditCode(t *testing.T, body string) string {
	t.Helper()
	first := "12990000" + body
	c, ok := org.CreditCheckChar(first)
	if !ok {
		t.Fatalf("bad credit code body %q", body)
	}
	return first + string(c)
}

// TestOrgFlow is the spine's main flow in a browser, as the bureau's administrator does it: create a unit under
// the bureau (parent picked with the htmx search), edit it (and be told in Chinese about a wrong credit code), add a
// person to it, import units from Excel (dry run with a bad row, then for real) and export the register.
func TestOrgFlow(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	b := s.NewTab(t, "admin")
	b.SignIn("admin", adminPassword())

	const unit = "示范省浏览器测试中心"
	good := creditCode(t, "MB0000001")
	bad := good[:17] + "0" // a wrong check character
	if good[17] == '0' {
		bad = good[:17] + "1"
	}

	// Create: the parent picker is a <select> filled by htmx from /orgs/options; typing in the search box next to it
	// reloads the options.
	b.Visit("/orgs/new")
	b.WaitFor("the parent options to load", `document.querySelectorAll("#f-parent_id option").length > 1`)
	b.Search(`input[name=org_q]`, "#f-parent_id", "机关事务管理局")
	b.WaitFor("the search to offer "+bureau, `Array.from(document.querySelectorAll("#f-parent_id option")).some(o => o.textContent.trim() === "`+bureau+`")`)
	if n := b.Count("#f-parent_id option:not([disabled])"); n < 2 || n > 31 { // 30 matches at most, plus the placeholder
		t.Errorf("searching 机关事务管理局 offered %d options", n-1)
	}
	for _, o := range Eval[[]string](b, `Array.from(document.querySelectorAll("#f-parent_id option:not([disabled])")).map(o => o.textContent.trim())`)[1:] {
		if name, _, _ := strings.Cut(o, "（"); !strings.Contains(name, "机关事务管理局") { // options read “name（parent）”
			t.Errorf("searching 机关事务管理局 offered %q", o)
		}
	}
	parentID := Eval[string](b, `Array.from(document.querySelectorAll("#f-parent_id option")).find(o => o.textContent.trim() === "`+bureau+`").value`)
	b.Fill("#f-parent_id", parentID)
	b.Type("#f-name", unit)
	b.Fill("#f-kind", "institution")
	b.Fill("#f-admin_level", "provincial")
	b.Fill("#f-category", "organ")
	b.Fill("#f-headcount", "42") // the field starts at 0: typing would append
	b.Check()
	b.Snap("filled")
	if st := b.ClickAndWait(`main form button[type=submit]`); st != 200 {
		t.Fatalf("create unit: status %d: %s", st, short(b.Text("main")))
	}
	detail := b.Path()
	if !strings.HasPrefix(detail, "/orgs/") {
		t.Fatalf("after creating a unit: on %s, want its page /orgs/{id}", detail)
	}
	b.Check()
	b.Snap("created")
	b.ExpectText("main .flash", "已创建单位")
	b.ExpectText("main h1", unit)
	b.ExpectText("main .kv", bureau)
	b.ExpectText("main .kv", "事业单位")
	b.ExpectText("main .kv", "42 人")

	// Edit: a wrong credit code is refused with a Chinese message beside the field, the input kept.
	b.ClickAndWait(`main a[href$="/edit"]`)
	b.Check()
	b.Fill("#f-short_name", "测试中心")
	b.Fill("#f-credit_code", bad)
	if st := b.ClickAndWait(`main form button[type=submit]`, detail); st != 422 {
		t.Errorf("saving a wrong credit code: status %d, want 422", st)
	}
	b.Check()
	b.Snap("bad-credit-code")
	if b.Count(".field.has-error #f-credit_code") != 1 {
		t.Errorf("the credit code field is not marked as wrong")
	}
	msg := Eval[string](b, `(() => { const f = document.querySelector("#f-credit_code").closest(".field"); const e = f && f.querySelector(".error"); return e ? e.innerText : ""; })()`)
	if !strings.Contains(msg, "统一社会信用代码") || !strings.Contains(msg, "校验位") {
		t.Errorf("message beside the credit code is %q, want the Chinese check-character error", msg)
	}
	if v := Eval[string](b, `document.querySelector("#f-credit_code").value`); v != bad {
		t.Errorf("the form lost what was typed: credit code %q", v)
	}
	b.Fill("#f-credit_code", good)
	if st := b.ClickAndWait(`main form button[type=submit]`); st != 200 || b.Path() != detail {
		t.Fatalf("save the unit: status %d on %s", st, b.Path())
	}
	b.Check()
	b.ExpectText("main .kv", good)
	b.ExpectText("main .kv", "测试中心")
	b.Snap("edited")

	// A person: registered through /people/new, the unit picked by searching its name.
	b.Visit("/people/new")
	b.Search(`input[name=org_q]`, "#f-org_id", "浏览器测试")
	b.WaitFor("the search to offer "+unit, `Array.from(document.querySelectorAll("#f-org_id option")).some(o => o.textContent.trim() === "`+unit+`（`+bureau+`）")`)
	orgID := Eval[string](b, `Array.from(document.querySelectorAll("#f-org_id option")).find(o => o.textContent.trim().startsWith("`+unit+`")).value`)
	if "/orgs/"+orgID != detail {
		t.Errorf("the search offered unit %s, want %s", orgID, detail)
	}
	b.Fill("#f-org_id", orgID)
	b.Type("#f-name", "林测试")
	b.Type("#f-code", "BT000001")
	b.Fill("#f-rank", "section_chief")
	b.Type("#f-position", "办公室主任")
	if st := b.ClickAndWait(`main form button[type=submit]`); st != 200 || !strings.HasPrefix(b.Path(), "/people/") {
		t.Fatalf("register a person: status %d on %s: %s", st, b.Path(), short(b.Text("main")))
	}
	b.Check()
	b.Snap("person")
	b.ExpectText("main", "林测试")
	b.ExpectText("main", unit)
	b.Visit(detail + "?tab=people")
	b.ExpectText("main table", "林测试")

	// Import: the dry run of a file with one bad row lists the row's problem and writes nothing; the good file
	// imports.
	dir := t.TempDir()
	badFile := filepath.Join(dir, "units-bad.xlsx")
	goodFile := filepath.Join(dir, "units.xlsx")
	rows := [][]string{
		{"示范省导入测试一中心", "", bureau, "事业单位", "省级", "", creditCode(t, "MB0000002"), "机关", "12", "800"},
		{"示范省导入测试二中心", "", bureau, "不存在的类型", "省级", "", "", "机关", "8", ""},
	}
	writeOrgXLSX(t, badFile, rows)
	rows[1][3] = "事业单位"
	writeOrgXLSX(t, goodFile, rows)

	b.Visit("/orgs/import")
	b.Upload("#f-file", badFile)
	if st := b.ClickAndWait(`main form button[name=dry_run]`, "/orgs/import"); st != 422 {
		t.Errorf("dry run of a bad file: status %d, want 422", st)
	}
	b.Check()
	b.Snap("dry-run-errors")
	b.ExpectText("#import-report", "试导入结果")
	b.ExpectText("#import-report thead", "行号")
	b.ExpectText("#import-report thead", "列")
	b.ExpectText("#import-report thead", "问题")
	if got := b.Count("#import-report tbody tr"); got != 1 {
		t.Errorf("dry run lists %d problems, want 1 (row 3)", got)
	}
	cells := Eval[[]string](b, `Array.from(document.querySelectorAll("#import-report tbody tr:first-child td")).map(td => td.innerText.trim())`)
	if len(cells) != 3 || cells[0] != "3" || cells[1] != "单位类型" || cells[2] == "" {
		t.Errorf("dry run row error is %q, want line 3, column 单位类型 and a message", cells)
	}

	b.Upload("#f-file", goodFile)
	if st := b.ClickAndWait(`main form button:not([name=dry_run])[type=submit]`); st != 200 {
		t.Errorf("import: status %d: %s", st, short(b.Text("#import-report")))
	}
	b.Check()
	b.Snap("imported")
	b.ExpectText("#import-report", "导入结果")
	b.ExpectText("#import-report .flash-success", "新增 2 条")

	b.Visit("/orgs?q=导入测试")
	if got := b.Count("main table tbody tr"); got != 2 {
		t.Errorf("after the import /orgs?q=导入测试 lists %d units, want 2", got)
	}
	b.ExpectText("main table", "示范省导入测试一中心")
	b.ExpectText("main table", bureau)

	// Export: the 导出 Excel link gives a workbook with the register's header row and every unit.
	b.Visit("/orgs")
	links := b.Links(`main a[href*="format=xlsx"]`)
	if len(links) == 0 {
		t.Fatalf("no 导出 Excel link on /orgs")
	}
	b.ExpectText(`main a[href*="format=xlsx"]`, "导出 Excel")
	d := b.Fetch(links[0])
	if d.Status != 200 || !strings.Contains(d.Type, "spreadsheetml") {
		t.Fatalf("export %s: status %d, type %q", links[0], d.Status, d.Type)
	}
	if !strings.Contains(d.Disposition, "attachment") {
		t.Errorf("export is not offered as a download: Content-Disposition %q", d.Disposition)
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
	xrows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil || len(xrows) < 2 {
		t.Fatalf("export has %d rows (%v)", len(xrows), err)
	}
	if !strings.Contains(strings.Join(xrows[0], "|"), "单位名称") {
		t.Errorf("export header row is %q, want it to name 单位名称", xrows[0])
	}
	if len(xrows)-1 < 160 {
		t.Errorf("export has %d units, want the demo's 159 plus the 3 added", len(xrows)-1)
	}
	var found bool
	for _, r := range xrows[1:] {
		if len(r) > 0 && r[0] == unit {
			found = true
		}
	}
	if !found {
		t.Errorf("export lacks the unit created in the browser")
	}
}

// writeOrgXLSX writes a unit import file with the template's header row (org.OrgColumns) and the given rows, whose
// cells follow the first columns of the template in order.
func writeOrgXLSX(t *testing.T, path string, rows [][]string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, c := range org.OrgColumns {
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
