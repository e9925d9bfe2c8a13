package browsertest

import (
	"strings"
	"testing"
)

// menuGroup is one group of the left menu as the browser shows it.
type menuGroup struct {
	Title   string   `json:"title"`
	Folding bool     `json:"folding"` // a <details> group
	Open    bool     `json:"open"`
	Shown   []string `json:"shown"` // the links a person can see (folded groups show none)
	Links   int      `json:"links"`
	Active  string   `json:"active"`
}

// menuGroups reads the left menu's groups in order.
func (b *Tab) menuGroups() []menuGroup {
	b.t.Helper()
	return Eval[[]menuGroup](b, `Array.from(document.querySelectorAll("nav.sidebar > .menu-group")).map(g => {
		const title = g.querySelector(".menu-title"), links = Array.from(g.querySelectorAll("a"));
		const active = g.querySelector("a[aria-current=page]");
		return {title: title ? title.childNodes[0].textContent.trim() : "", folding: g.tagName === "DETAILS", open: g.tagName !== "DETAILS" || g.open,
			shown: links.filter(a => a.checkVisibility()).map(a => a.innerText.trim()), links: links.length,
			active: active ? active.innerText.trim() : ""};
	})`)
}

// TestMenuFolding: the menu is grouped by module — 工作台 first and never folded, every module a <details> group
// with its number of entries. On a phone (issue 14: "the phone menu has 34 items") the module groups are folded
// unless one holds the current page, and a click opens one; on a wide screen, where the menu is always beside the
// page, all are open and a click folds one.
func TestMenuFolding(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	for _, mode := range []string{"desktop", "phone"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			phone := mode == "phone"
			b := s.NewTab(t, "menu-"+mode)
			b.SignIn("admin", adminPassword())
			openMenu := func() {
				if !phone {
					return
				}
				b.Click("label[for=nav-toggle]")
				b.WaitFor("the menu to slide in", `(() => { const r = document.querySelector("nav.sidebar").getBoundingClientRect(); return r.left >= 0 && r.right > 0; })()`)
				b.settle()
			}
			if phone {
				b.Phone()
			} else {
				b.Desktop()
			}

			// The home page: 工作台 first and whole; on a phone every module folded, on a wide screen all open.
			b.Open("/")
			openMenu()
			gs := b.menuGroups()
			if len(gs) < 4 {
				t.Fatalf("%s: the admin's menu has %d groups: %+v", mode, len(gs), gs)
			}
			if gs[0].Title != "工作台" || gs[0].Folding || len(gs[0].Shown) == 0 || len(gs[0].Shown) != gs[0].Links {
				t.Errorf("%s: the first group is %+v, want 工作台 shown whole, not folding", mode, gs[0])
			}
			shown := len(gs[0].Shown)
			for _, g := range gs[1:] {
				if !g.Folding {
					t.Errorf("%s: the module group %q does not fold", mode, g.Title)
				}
				if phone && (g.Open || len(g.Shown) > 0) {
					t.Errorf("%s: on the home page the group %q is not folded: %+v", mode, g.Title, g)
				}
				if !phone && (!g.Open || len(g.Shown) != g.Links) {
					t.Errorf("%s: on the home page the group %q is folded: %+v", mode, g.Title, g)
				}
				shown += len(g.Shown)
			}
			if n := b.Count("nav.sidebar a"); phone && shown*2 > n {
				t.Errorf("%s: the folded menu still shows %d of its %d entries", mode, shown, n)
			}
			if n := Eval[int](b, `Array.from(document.querySelectorAll("nav.sidebar details.menu-group summary .menu-n")).filter(e => /^\d+$/.test(e.innerText.trim())).length`); n != len(gs)-1 {
				t.Errorf("%s: %d of %d module groups say how many entries they hold", mode, n, len(gs)-1)
			}
			b.SnapViewport(b.ShotName("/", "menu-"+mode))

			// A module's page: its group is open with the page marked; on a phone the others stay folded.
			b.Open("/energy/entry")
			openMenu()
			for _, g := range b.menuGroups() {
				switch {
				case g.Title == "节能管理":
					if !g.Open || g.Active != "月度填报" || len(g.Shown) != g.Links {
						t.Errorf("%s: on /energy/entry the energy group is %+v, want open with 月度填报 marked", mode, g)
					}
				case phone && g.Folding && g.Open:
					t.Errorf("%s: on /energy/entry the group %q is open too", mode, g.Title)
				}
			}
			b.SnapViewport(b.ShotName("/energy/entry", "menu-"+mode))

			// A click on a group's title: on a phone it opens a folded group, whose entries can then be pressed; on a
			// wide screen it folds an open one.
			if !phone {
				b.Click(`nav.sidebar details.menu-group:not(:has(a[aria-current])) > summary`)
				b.paint()
				if n := Eval[int](b, `document.querySelectorAll("nav.sidebar details.menu-group:not([open])").length`); n != 1 {
					t.Errorf("%s: after clicking an open group's title %d groups are folded, want 1", mode, n)
				}
				return
			}
			b.Click(`nav.sidebar details.menu-group:not([open]) > summary`)
			b.paint()
			if n := Eval[int](b, `document.querySelectorAll("nav.sidebar details.menu-group[open]").length`); n != 2 {
				t.Errorf("%s: after clicking a folded group %d groups are open, want 2", mode, n)
			}
			onTop := Eval[bool](b, `(() => { const g = Array.from(document.querySelectorAll("nav.sidebar details.menu-group[open]")).find(d => !d.querySelector("a[aria-current]"));
				const a = g && g.querySelector("a"); if (!a) return false; a.scrollIntoView({block: "center"});
				const r = a.getBoundingClientRect(); const el = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
				return a.checkVisibility() && !!el && (el === a || a.contains(el)); })()`)
			if !onTop {
				t.Errorf("%s: the entries of the group just opened cannot be pressed", mode)
			}
		})
	}
}

// TestHelpPages: a person finds the help of the page they are on — the 本页帮助 link beside the breadcrumb, at
// desktop and phone width — reads what the page is for, the rule and where its figures come from, moves on to the
// module's other topics, and finds the index /help listing the topics of their own work only (issue 14 item 7,
// docs/help.md).
func TestHelpPages(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	for _, mode := range []string{"desktop", "phone"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			b := s.NewTab(t, "help-"+mode)
			b.SignIn("energy", DemoPassword)
			if mode == "phone" {
				b.Phone()
			} else {
				b.Desktop()
			}

			// The page's own help, from the link beside the breadcrumb.
			b.Open("/energy/entry")
			if !Eval[bool](b, `(() => { const a = document.querySelector("main .crumbs a.help-link"); if (!a) return false;
				const r = a.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= document.documentElement.clientWidth; })()`) {
				t.Fatalf("%s: /energy/entry has no 本页帮助 link on the screen", mode)
			}
			if got := b.Text("main .crumbs a.help-link"); got != "本页帮助" {
				t.Errorf("%s: the help link says %q", mode, got)
			}
			if st := b.ClickAndWait("main .crumbs a.help-link"); st != 200 || b.Path() != "/help/energy/entry" {
				t.Fatalf("%s: 本页帮助 on /energy/entry led to %s (%d)", mode, b.Path(), st)
			}
			b.Check()
			b.ExpectText("main h1", "月度填报与 Excel 导入")
			for _, part := range []string{"页面用途", "所依据的规定", "数字从哪里来", "公共机构节能条例", "±50%"} {
				if !strings.Contains(b.Text("main"), part) {
					t.Errorf("%s: the entry help lacks %q", mode, part)
				}
			}
			if o := b.Overflow(); o.Px > 0 {
				t.Errorf("%s: the help page is %d px wider than the screen: %s", mode, o.Px, strings.Join(o.Culprits, "; "))
			}
			b.SnapViewport(b.ShotName("/help/energy/entry", mode))

			// The module's other topics, then the index.
			related := b.Links("main a[href^='/help/energy/']")
			if len(related) < 3 {
				t.Errorf("%s: the entry help links %d other energy topics", mode, len(related))
			}
			if st := b.ClickAndWait("main a[href='/help/energy/indicators']"); st != 200 {
				t.Fatalf("%s: the indicators help: %d", mode, st)
			}
			b.Check()
			b.ExpectText("main h1", "能耗指标、折标准煤与碳排放")
			if st := b.ClickAndWait("main a[href='/help']"); st != 200 || b.Path() != "/help" {
				t.Fatalf("%s: 全部帮助主题 led to %s (%d)", mode, b.Path(), st)
			}
			b.Check()
			groups := Eval[[]string](b, `Array.from(document.querySelectorAll("main .help-group h2")).map(h => h.innerText.trim())`)
			if len(groups) == 0 || !strings.Contains(strings.Join(groups, " "), "节能管理") {
				t.Errorf("%s: /help groups %v, want the energy topics", mode, groups)
			}
			topics := b.Links("main .help-group a")
			for _, l := range topics {
				if strings.HasPrefix(l, "/help/space/") || strings.HasPrefix(l, "/help/fleet/") {
					t.Errorf("%s: the energy officer's help index lists %s, a topic of another officer's work", mode, l)
				}
			}
			if !strings.Contains(strings.Join(topics, " "), "/help/energy/entry") {
				t.Errorf("%s: /help does not list the entry topic: %v", mode, topics)
			}
			b.SnapViewport(b.ShotName("/help", mode))

			// A topic of another officer's work answers 403 in Chinese.
			b.Open("/help/space/register", 403)
		})
	}
}
