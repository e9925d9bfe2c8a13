package browsertest

import (
	"strconv"
	"strings"
	"testing"
)

// TestEnergyQuotaFlow is the quota module's main flow: the energy manager opens the quota overview, decomposes the
// year's quota among the province's units with a split above the province's quota (refused inline), then with a
// valid split, and looks at the warnings; songling explains an over-quota unit of its county.
func TestEnergyQuotaFlow(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	year := strconv.Itoa(s.ReportYear()) // the demo plants over-quota units in the latest year with a closed month
	b := s.NewTab(t, "energy-quota")
	b.SignIn("energy", DemoPassword)
	if st := b.Go("/energy/quotas?year=" + year); st == 404 {
		t.Skip("the quota module (internal/energy/quota) is not wired into internal/app yet")
	}
	b.Visit("/energy/quotas?year=" + year)
	b.ExpectText("main h1", "能耗定额")
	b.ExpectText("#quota-cards", "预警单位")
	if n := b.Count("#quota-table tbody tr"); n < 10 {
		t.Fatalf("the decomposition table has %d rows", n)
	}
	b.WaitFor("the chart to draw", `document.querySelectorAll(".chart canvas").length >= 1`)

	// An invalid manual split: the first child alone above the province's whole quota.
	b.Fill("#f-method", "manual")
	b.Fill(`#quota-table tbody tr:first-child input[name^="k_"]`, "999999999999")
	if st := b.ClickAndWait("#decompose-submit", "/energy/quotas/decompose"); st != 422 {
		t.Errorf("an over-sized split: status %d, want 422", st)
	}
	b.Check()
	b.Snap("over-parent")
	b.ExpectText("#decompose-error", "超过本单位定额")
	if v := Eval[string](b, `document.querySelector('#quota-table tbody tr:first-child input[name^="k_"]').value`); v != "999999999999" {
		t.Errorf("the form lost what was typed: %q", v)
	}
	// A valid split by last year's share.
	b.Fill("#f-method", "share")
	if st := b.ClickAndWait("#decompose-submit"); st != 200 {
		t.Fatalf("decompose: status %d: %s", st, short(b.Text("main")))
	}
	b.Check()
	b.ExpectText("main .flash", "已分解定额")
	b.Phone()
	b.Open("/energy/quotas?year=" + year)
	if o := b.Overflow(); o.Px > 0 {
		t.Errorf("phone: the overview is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	b.Desktop()

	// Warnings: units over quota exist, sortable, exportable.
	b.Visit("/energy/quota-warnings?year=" + year + "&status=over&sort=-ratio")
	if n := b.Count("#warnings-table tbody tr"); n < 1 {
		t.Fatalf("no over-quota units on the warnings page")
	}
	b.ExpectText("#warnings-table", "超定额")
	if d := b.Fetch("/energy/quota-warnings?year=" + year + "&format=xlsx"); d.Status != 200 {
		t.Errorf("export: %d", d.Status)
	}

	// songling explains 松岭县实验小学.
	c := s.NewTab(t, "energy-quota-songling")
	c.SignIn("songling", DemoPassword)
	c.Visit("/energy/quota-explanations/new?year=" + year)
	id := Eval[string](c, `(Array.from(document.querySelectorAll("#f-org_id option")).find(o => o.textContent.includes("松岭县实验小学")) || {value: ""}).value`)
	if id == "" {
		t.Fatalf("松岭县实验小学 is not offered as over quota: %s", short(c.Text("#f-org_id")))
	}
	c.Fill("#f-org_id", id)
	c.Click(`input[name=reasons][value=staff]`)
	c.Fill("#f-text", "本年新增两个教学班，用能人数增加 90 人。")
	if st := c.ClickAndWait("#explain-submit"); st != 200 {
		t.Fatalf("submit the explanation: status %d: %s", st, short(c.Text("main")))
	}
	c.Check()
	c.ExpectText("#explain-status", "审批中")
	c.Snap("explanation")
}
