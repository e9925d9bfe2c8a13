package browsertest

import (
	"strings"
	"testing"
)

// TestSpaceDailyWork is issue 14's office-space part in a browser, as the bureau's office-space manager works: a
// room on a floor the building does not have is refused beside the field; a person who already has an office is
// moved in with "迁入并收回原办公室"; two findings get their rectification in one go with a 整改要求; the task prints
// as a 整改通知书 through the 打印 button.
func TestSpaceDailyWork(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	b := s.NewTab(t, "space")
	b.SignIn("space", DemoPassword)
	const unit = "松岭县财政局"

	// A two-floor building.
	b.Open("/space/buildings/new")
	b.Search(`input[name=org_q]`, "#f-org_id", unit)
	pick := `Array.from(document.querySelectorAll("#f-org_id option")).find(o => o.textContent.trim().startsWith("` + unit + `"))`
	b.WaitFor("the picker to offer "+unit, pick+" !== undefined")
	orgID := Eval[string](b, pick+".value")
	b.Fill("#f-org_id", orgID)
	b.Type("#f-name", "迁入测试楼")
	b.Type("#f-address", "迁入路 2 号")
	b.Fill("#f-built_year", "2005")
	b.Fill("#f-floors", "2")
	b.Fill("#f-gross_area_m2", "800")
	if st := b.ClickAndWait(`main form button[type=submit]`); st != 200 || !strings.HasPrefix(b.Path(), "/space/buildings/") {
		t.Fatalf("register building: status %d on %s: %s", st, b.Path(), short(b.Text("main")))
	}
	b.Check()

	// Floor 5 of a 2-floor building is refused beside the field.
	b.ClickAndWait(`main a[href^="/space/rooms/new"]`)
	b.Fill("#f-floor", "5")
	b.Type("#f-number", "201")
	b.Fill("#f-use_type", "office")
	b.Fill("#f-usable_area_m2", "9")
	if st := b.ClickAndWait(`main form button[type=submit]`, "/space/rooms"); st != 422 {
		t.Fatalf("floor 5 of 2: status %d", st)
	}
	b.Check()
	b.ExpectText("main .has-error", "楼栋地上共 2 层")
	b.Snap("floor-refused")
	b.Fill("#f-floor", "2")
	if st := b.ClickAndWait(`main form button[type=submit]`); st != 200 || !strings.HasPrefix(b.Path(), "/space/rooms/") {
		t.Fatalf("register room: status %d on %s: %s", st, b.Path(), short(b.Text("main")))
	}
	b.Check()
	room := b.Path()

	// Someone of the unit who already has an office moves in; the old office is released in the same step.
	b.Open("/space/people?org_id=" + orgID)
	name := Eval[string](b, `(() => { const tr = Array.from(document.querySelectorAll("main table tbody tr")).find(tr => tr.cells[1].innerText.trim() === "`+unit+`" && tr.cells[4].innerText.trim() !== "" && !tr.cells[4].innerText.includes("待安排") && !tr.cells[4].innerText.includes("处办公室")); return tr ? tr.querySelector("td a").innerText.trim() : ""; })()`)
	if name == "" {
		t.Fatalf("%s lists nobody with an office: %s", unit, short(b.Text("main")))
	}
	b.Open(room)
	b.Search("#person-search", "#f-person_id", name)
	opt := `Array.from(document.querySelectorAll("#f-person_id option")).find(o => o.textContent.trim().startsWith("` + name + `（"))`
	b.WaitFor("the picker to offer "+name, opt+" !== undefined")
	if got := Eval[string](b, opt+".textContent"); !strings.Contains(got, "已有办公室") {
		t.Errorf("the picker does not say %s has an office: %q", name, got)
	}
	b.Fill("#f-person_id", Eval[string](b, opt+".value"))
	if st := b.ClickAndWait(`#add-occupant button[type=submit]`, room+"/occupants"); st != 409 {
		t.Fatalf("assigning a person with an office: status %d: %s", st, short(b.Text("main")))
	}
	b.Check()
	b.ExpectText("#confirm-occupant", "已有办公室")
	b.Snap("assign-confirm")
	if st := b.ClickAndWait(`#confirm-occupant button[name=release_others]`); st != 200 || b.Path() != room {
		t.Fatalf("move in and release: status %d on %s: %s", st, b.Path(), short(b.Text("main")))
	}
	b.Check()
	b.ExpectText("main .flash", "并收回其原办公室")
	b.Open(room + "?tab=history")
	b.ExpectText("main .timeline", "迁入并收回原办公室")

	// Two open findings of the county get their rectification at once.
	b.Open("/space/violations")
	if n := b.Count(`input[type=checkbox][form=batch-rectify]`); n < 2 {
		t.Fatalf("the violations list offers %d findings to pick, want 2", n)
	}
	Eval[bool](b, `(() => { const c = document.querySelectorAll("input[type=checkbox][form=batch-rectify]"); c[0].checked = true; c[1].checked = true; return true; })()`)
	b.Fill(`#batch-rectify textarea[name=requirement]`, "十个工作日内按标准调整并报送")
	if st := b.ClickAndWait(`#batch-rectify button[type=submit]`); st != 200 || !strings.HasPrefix(b.Path(), "/space/rectifications") {
		t.Fatalf("batch rectification: status %d on %s: %s", st, b.Path(), short(b.Text("main")))
	}
	b.Check()
	b.ExpectText("main .flash", "已下达整改任务 2 项")

	// The newest task prints as a 整改通知书.
	b.ClickAndWait(`main table tbody tr a[href^="/space/rectifications/"]`)
	b.Check()
	b.ExpectText("main", "十个工作日内按标准调整并报送")
	b.ClickAndWait(`main a[href$="/notice"]`)
	b.Check()
	b.ExpectText("#notice", "办公用房整改通知书")
	b.ExpectText("#notice", "十个工作日内按标准调整并报送")
	b.ExpectText("#notice", "GovOps 版式")
	Eval[bool](b, `(() => { window.print = () => { window.__printed = true; }; return true; })()`)
	b.Click(`button[data-print]`)
	b.WaitFor("the 打印 button to call window.print", `window.__printed === true`)
	b.Snap("notice")
}
