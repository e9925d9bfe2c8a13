package browsertest

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestSpaceFlow is the office-space module's main flow in a browser, as the bureau's office-space manager does it:
// register a building and an office, assign a person, see the over-standard violation appear at once, order its
// rectification, let the unit fix it (two more people share the office, which is then exactly at the sum of their
// standards) and report, verify and close the task, then export the unit's ledger; the dashboard's charts and the
// floor plan are drawn on the way, at desktop and phone width.
func TestSpaceFlow(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	b := s.NewTab(t, "space")
	b.SignIn("space", DemoPassword)
	const unit = "松岭县财政局" // a county unit: 科员 9 m²

	// The dashboard: figures and four ECharts charts.
	b.Visit("/space/overview")
	b.WaitFor("the charts to draw", `document.querySelectorAll(".chart canvas").length >= 4`)
	if n := b.Count("main .stats .stat"); n < 9 {
		t.Errorf("dashboard shows %d figures, want 9", n)
	}
	b.ExpectText("main .stats", "人均办公室面积")

	// Register a building: the managing unit is found with the picker's search.
	b.Visit("/space/buildings/new")
	b.Search(`input[name=org_q]`, "#f-org_id", unit)
	b.WaitFor("the picker to offer "+unit, `Array.from(document.querySelectorAll("#f-org_id option")).some(o => o.textContent.trim().startsWith("`+unit+`"))`)
	orgID := Eval[string](b, `Array.from(document.querySelectorAll("#f-org_id option")).find(o => o.textContent.trim().startsWith("`+unit+`")).value`)
	b.Fill("#f-org_id", orgID)
	b.Type("#f-name", "浏览器测试楼")
	b.Fill("#f-built_year", "2003")
	b.Fill("#f-floors", "4")
	if st := b.ClickAndWait(`main form button[type=submit]`); st != 200 || !strings.HasPrefix(b.Path(), "/space/buildings/") {
		t.Fatalf("register building: status %d on %s: %s", st, b.Path(), short(b.Text("main")))
	}
	b.Check()
	b.ExpectText("main .flash", "已登记楼栋")
	b.ExpectText("main .kv", unit)
	building := b.Path()

	// An office of 27 m² on the second floor; the form offers the building and its unit.
	b.ClickAndWait(`main a[href^="/space/rooms/new"]`)
	b.Check()
	if v := Eval[string](b, `document.querySelector("#f-org_id").value`); v != orgID {
		t.Errorf("the room form proposes unit %q, want the building's %q", v, orgID)
	}
	b.Fill("#f-floor", "2")
	b.Type("#f-number", "201")
	b.Fill("#f-use_type", "office")
	b.Fill("#f-usable_area_m2", "27")
	b.Fill("#f-capacity", "3")
	if st := b.ClickAndWait(`main form button[type=submit]`); st != 200 || !strings.HasPrefix(b.Path(), "/space/rooms/") {
		t.Fatalf("register room: status %d on %s: %s", st, b.Path(), short(b.Text("main")))
	}
	b.Check()
	room := b.Path()
	b.ExpectText("main .flash", "已登记房间 201")

	// Three staff of the unit who just arrived and wait for an office (people and offices, filtered).
	b.Visit("/space/people?org_id=" + orgID + "&unassigned=true")
	names := Eval[[]string](b, `Array.from(document.querySelectorAll("main table tbody tr")).filter(tr => tr.innerText.includes("科员及以下")).map(tr => tr.querySelector("td a").innerText.trim())`)
	if len(names) < 3 {
		t.Fatalf("%s has %d staff waiting for an office, want 3: %s", unit, len(names), short(b.Text("main")))
	}
	assign := func(name string) {
		t.Helper()
		b.Open(room)
		b.Search("#person-search", "#f-person_id", name)
		sel := `Array.from(document.querySelectorAll("#f-person_id option")).find(o => o.textContent.trim().startsWith("` + name + `（` + unit + `"))`
		b.WaitFor("the picker to offer "+name, sel+" !== undefined")
		b.Fill("#f-person_id", Eval[string](b, sel+".value"))
		if st := b.ClickAndWait(`#add-occupant button[type=submit]`); st != 200 || b.Path() != room {
			t.Fatalf("assign %s: status %d on %s: %s", name, st, b.Path(), short(b.Text("main")))
		}
		b.Check()
		b.ExpectText("main .flash", "已安排 "+name)
	}
	assign(names[0])
	// 27 m² for one 科员 (9 m²): flagged at once, on the room and in the unit's list.
	b.ExpectText("main", "超标准使用面积")
	b.ExpectText("main", "超过标准 9 m²")
	b.Snap("over-standard")
	b.Visit("/space/violations?org_id=" + orgID)
	row := `Array.from(document.querySelectorAll("main table tbody tr")).find(tr => tr.innerText.includes("浏览器测试楼 201"))`
	if !Eval[bool](b, row+" !== undefined") {
		t.Fatalf("the unit's violations do not list the new office: %s", short(b.Text("main table")))
	}
	if got := Eval[string](b, row+".innerText"); !strings.Contains(got, "超标准使用面积") || !strings.Contains(got, "27") {
		t.Errorf("violation row: %q", got)
	}

	// Order its rectification from the list; the task page opens.
	Eval[bool](b, `(() => { const f = `+row+`.querySelector("form"); f.setAttribute("id", "rectify-form"); return true; })()`)
	if st := b.ClickAndWait(`#rectify-form button`); st != 200 || !strings.HasPrefix(b.Path(), "/space/rectifications/") {
		t.Fatalf("order rectification: status %d on %s: %s", st, b.Path(), short(b.Text("main")))
	}
	b.Check()
	task := b.Path()
	b.ExpectText("main .flash", "已下达整改任务")
	b.ExpectText("main", "待整改")

	// The unit reports; the bureau tries to close while the register still shows the problem and is refused.
	b.Fill(`textarea[name=report]`, "已安排两名科员合用该办公室")
	b.ClickAndWait(`form[action$="/submit"] button[type=submit]`)
	b.Check()
	b.ExpectText("main", "待核验")
	b.ClickAndWait(`form[action$="/verify"] button[type=submit]`)
	b.Check()
	b.ExpectText("main .flash-error", "仍然存在")

	// The fix: two more staff share the office — 9 + 9 + 9 = 27, exactly the standard.
	assign(names[1])
	assign(names[2])
	b.ExpectText("main .page-head", "合规")
	b.ExpectText("main", "超标准使用面积 · 已消除")
	b.Open(task)
	b.ExpectText("main", "台账显示违规已消除")
	b.ClickAndWait(`form[action$="/verify"] button[type=submit]`)
	b.Check()
	b.ExpectText("main .flash", "已核验销号")
	b.ExpectText("main", "已销号")
	b.ExpectText("main .timeline", "核验销号")
	b.Snap("closed")

	// The floor plan draws the office, no longer in red.
	b.Visit(building + "/floors/2")
	if n := b.Count(`main svg a[href="` + room + `"] rect`); n != 1 {
		t.Errorf("the floor plan has %d rectangles for the office", n)
	}
	if fill := Eval[string](b, `document.querySelector('main svg a[href="`+room+`"] rect').getAttribute("fill")`); fill == "#f9dcd8" {
		t.Errorf("the compliant office is drawn as a violation")
	}
	for _, p := range []string{building + "/floors/2", room, task, "/space/violations?org_id=" + orgID} {
		b.Phone()
		b.Open(p)
		if o := b.Overflow(); o.Px > 0 {
			t.Errorf("phone: %s is %d px too wide: %s", p, o.Px, strings.Join(o.Culprits, "; "))
		}
		b.Desktop()
	}

	// Export the unit's ledger (分台账): the office with its three occupants.
	b.Visit("/space/ledger?org_id=" + orgID)
	links := b.Links(`main a[href^="/space/ledger/unit"]`)
	if len(links) != 1 {
		t.Fatalf("no unit ledger download on the ledger page")
	}
	d := b.Fetch(links[0])
	if d.Status != 200 || !strings.Contains(d.Type, "spreadsheetml") || !strings.Contains(d.Disposition, "attachment") {
		t.Fatalf("ledger export: status %d, type %q, disposition %q", d.Status, d.Type, d.Disposition)
	}
	data, err := base64.StdEncoding.DecodeString(d.Base64)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the ledger is not a valid .xlsx: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil || len(rows) < 2 {
		t.Fatalf("ledger has %d rows (%v)", len(rows), err)
	}
	// The title row and the 单位/导出日期 row come first (xlsx.Layout), then the header.
	if !strings.Contains(strings.Join(rows[0], ""), "分台账") {
		t.Errorf("ledger title row %q", strings.Join(rows[0], "|"))
	}
	head := slices.IndexFunc(rows, func(r []string) bool { return slices.Contains(r, "房间号") })
	if head < 0 {
		t.Fatalf("no header row with 房间号 in the ledger")
	}
	if h := strings.Join(rows[head], "|"); !strings.Contains(h, "使用人") || !strings.Contains(h, "标准面积合计") {
		t.Errorf("ledger header %q", h)
	}
	found := false
	for _, r := range rows[head+1:] {
		line := strings.Join(r, "|")
		if strings.Contains(line, "浏览器测试楼") && strings.Contains(line, "|201|") {
			found = true
			for _, n := range names[:3] {
				if !strings.Contains(line, n) {
					t.Errorf("ledger row lacks occupant %s: %q", n, line)
				}
			}
		}
	}
	if !found {
		t.Errorf("the ledger lacks the office registered in the browser")
	}
}
