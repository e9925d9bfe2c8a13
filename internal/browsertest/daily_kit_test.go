package browsertest

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestUnitPickerFindsCountyUnit: the province-level office-space officer finds a county unit on /space/violations
// by typing part of its name in the unit picker — a unit the first page of options does not list — and filters
// the findings by it (issue 14 item 1).
func TestUnitPickerFindsCountyUnit(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	b := s.NewTab(t, "space")
	b.SignIn("space", DemoPassword)
	const unit = "松岭县教育局"
	b.Visit("/space/violations")
	b.Check()
	optionTexts := func() []string {
		return Eval[[]string](b, `Array.from(document.querySelectorAll("#f-org_id option:not([disabled])")).map(o => o.textContent.trim())`)
	}
	first := optionTexts()
	for _, o := range first {
		if strings.HasPrefix(o, unit) {
			t.Logf("the first options already list %s; the search is still tested", unit)
		}
	}
	if n := b.Count("#f-org_id option[disabled]"); n != 1 {
		t.Errorf("the picker of 159 units does not say that more can be found by searching (%d notes)", n)
	}
	b.Search(`form[action="/space/violations"] input[name=org_q]`, "#f-org_id", "松岭县教育")
	var value string
	for _, o := range optionTexts() {
		if !strings.HasPrefix(o, unit) && !strings.HasPrefix(o, "全部数据范围") {
			t.Errorf("searching 松岭县教育 offers %q", o)
		}
	}
	value = Eval[string](b, `(Array.from(document.querySelectorAll("#f-org_id option")).find(o => o.textContent.trim().startsWith("`+unit+`")) || {value: ""}).value`)
	if value == "" {
		t.Fatalf("searching 松岭县教育 does not offer %s: %v", unit, optionTexts())
	}
	b.Fill("#f-org_id", value)
	b.Snap("picked")
	if st := b.ClickAndWait(`form[action="/space/violations"] button[type=submit]`); st != 200 {
		t.Fatalf("filtering by %s: status %d", unit, st)
	}
	u, _ := url.Parse(b.Location())
	if got := u.Query().Get("org_id"); got != value {
		t.Errorf("after filtering: org_id=%q, want %s", got, value)
	}
	b.ExpectText("main h1", unit)
	if sel := Eval[string](b, `document.querySelector("#f-org_id").selectedOptions[0].textContent.trim()`); !strings.HasPrefix(sel, unit) {
		t.Errorf("after filtering the picker shows %q, want %s kept", sel, unit)
	}
	b.Check()
	b.Snap("filtered")
}

// TestPhoneTableActions: on a 390 px phone every button and link in a table row of the pages with row actions is
// within the screen (the tables become cards) and no page scrolls sideways (issue 14 item 2).
func TestPhoneTableActions(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	pages := map[string][]string{
		"space":    {"/space/violations", "/space/rectifications", "/space/allocations", "/space/repairs", "/notifications?tab=all", "/todo", "/inbox?tab=pending"},
		"energy":   {"/energy/reports/review", "/energy/anomalies", "/energy/quota-explanations", "/energy/meters", "/notifications?tab=all", "/todo"},
		"qingshan": {"/todo", "/notifications?tab=all", "/inbox?tab=pending", "/space/rectifications", "/people"},
		"songling": {"/todo", "/notifications?tab=all", "/energy/reports"},
		"employee": {"/inbox?tab=mine", "/notifications?tab=all", "/todo"},
		"admin":    {"/admin/users", "/admin/jobs", "/admin/webhooks"},
	}
	for user, paths := range pages {
		t.Run(user, func(t *testing.T) {
			t.Parallel()
			b := s.NewTab(t, "phone-"+user)
			pw := DemoPassword
			if user == "admin" {
				pw = adminPassword()
			}
			b.SignIn(user, pw)
			b.Phone()
			buttons := 0
			for _, path := range paths {
				b.Open(path)
				type off struct {
					Text         string
					Left, Right  float64
					Width, Total int
				}
				res := Eval[struct {
					Out     []off
					Checked int
					Buttons int
				}](b, `(() => {
					const w = document.documentElement.clientWidth, out = [];
					// Every control of a row; the links too where the row has actions (a table of links alone may
					// scroll sideways inside its frame, as a wide register does).
					const els = Array.from(document.querySelectorAll("main table tbody tr")).flatMap(tr =>
						Array.from(tr.querySelectorAll(tr.closest("table.cards") ? "a[href], button, input:not([type=hidden]), select" : "button, .btn, input:not([type=hidden]), select")));
					const shown = els.filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
					for (const el of shown) {
						const r = el.getBoundingClientRect();
						if (r.left < -1 || r.right > w + 1) out.push({Text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 30), Left: r.left, Right: r.right, Width: w});
					}
					return {Out: out, Checked: shown.length, Buttons: shown.filter(el => el.matches("button, .btn")).length};
				})()`)
				for _, o := range res.Out {
					t.Errorf("phone: %s as %s: %q in a table row sits at x = %.0f–%.0f, outside the %d px screen", path, user, o.Text, o.Left, o.Right, o.Width)
				}
				if o := b.Overflow(); o.Px > 0 {
					t.Errorf("phone: %s as %s is %d px wider than the screen: %s", path, user, o.Px, strings.Join(o.Culprits, "; "))
				}
				t.Logf("%s as %s: %d row controls checked, %d buttons", path, user, res.Checked, res.Buttons)
				buttons += res.Buttons
				b.SnapPhone(b.ShotName(path, "cards"))
			}
			if buttons == 0 && user != "employee" {
				t.Errorf("%s: no page had a button in a table row: the test checks nothing (%s)", user, fmt.Sprint(paths))
			}
		})
	}
}

// TestMessageTitleOpensRecord: a message's title is a link to its record; following it opens the record and marks
// the message read (issue 14, "message titles are not links").
func TestMessageTitleOpensRecord(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	b := s.NewTab(t, "messages")
	b.SignIn("energy", DemoPassword)
	b.Visit("/notifications")
	unread := b.Number(`header a[href="/notifications"] .count`)
	if unread < 1 {
		t.Fatalf("the energy manager has no unread message to open (%d)", unread)
	}
	link := Eval[string](b, `(document.querySelector("main table tbody tr td a[data-open-form]") || {getAttribute: () => ""}).getAttribute("href")`)
	if link == "" || !strings.HasPrefix(link, "/") {
		t.Fatalf("no message title links its record: %s", short(b.Text("main")))
	}
	title := b.Text(`main table tbody tr td a[data-open-form]`)
	if st := b.ClickAndWait(`main table tbody tr td a[data-open-form]`); st != 200 {
		t.Fatalf("following %q: status %d", title, st)
	}
	if got := b.Path(); got != link {
		t.Errorf("the title %q led to %s, want %s", title, got, link)
	}
	b.Check()
	if after := b.Number(`header a[href="/notifications"] .count`); after != unread-1 && !(unread == 1 && after == -1) {
		t.Errorf("after opening %q the unread count is %d, was %d", title, after, unread)
	}
}
