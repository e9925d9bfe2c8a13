package browsertest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// underConstruction is a TEMPORARY list of shell links whose pages belong to packages still being built: the walk
// does not visit them. Each entry names the path and why; remove it as soon as the page exists, so the walk checks
// it. (Empty now: /inbox and /notifications, skipped while the workflow and notify kits had no pages, exist.)
var underConstruction = map[string]string{}

// rawKey and rawID match what people must not read on a page: an internal key ("energy.kgce_factor",
// "12/2026-11/natural_gas") or an object named only by its number ("房间 #2660").
var (
	rawKey = regexp.MustCompile(`\b[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)+\b|\b[a-z]+_[a-z]+(?:_[a-z]+)*\.[a-z]+\b|\d+/\d{4}-\d{2}/[a-z_]+`)
	rawID  = regexp.MustCompile(`^[^\d#]{0,12}#\d+$`) // "整改任务 #2"; a list's number column beside a row's data is fine

)

// rawRefs lists the lines of the page's main text that show an internal key or a bare "#id". Text a page marks as
// code (<code>: a dataset's or a job's identifier shown beside its name, a credit code) is meant to be read as such.
func rawRefs(b *Tab) []string {
	var out []string
	text := Eval[string](b, `(() => {
		const m = (document.querySelector("main") || document.body).cloneNode(true);
		m.querySelectorAll("code, kbd, samp").forEach(e => e.remove());
		document.body.appendChild(m); // innerText needs a rendered node
		const t = m.innerText;
		m.remove();
		return t;
	})()`)
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if m := rawKey.FindString(line); m != "" {
			out = append(out, fmt.Sprintf("the internal key %q: %q", m, short(line)))
		} else if m := rawID.FindString(line); m != "" {
			out = append(out, fmt.Sprintf("a bare number %q: %q", strings.TrimSpace(m), short(line)))
		}
	}
	return out
}

// demoUser is a demo account and what its menu must and must not offer (internal/demo and auth.BuiltinRoles).
type demoUser struct {
	name     string
	password string
	shows    []string // menu labels the role must see
	hides    []string // menu labels the role must not see
}

func demoUsers() []demoUser {
	// System administration entries only the system administrator holds (job:read, workflow:config,
	// settings:write); every other role must not see them.
	sys := []string{"定时任务", "审批流程", "消息推送"}
	return []demoUser{
		{name: "admin", password: adminPassword(), // 系统管理员: users and all business data, no audit log (三员分立)
			shows: []string{"单位管理", "人员管理", "用户管理", "定时任务"}, hides: []string{"审计日志"}},
		{name: "secadmin", password: DemoPassword, // 安全保密管理员: roles, policy, reads users
			shows: []string{"角色与权限", "安全策略", "用户管理"}, hides: append([]string{"审计日志", "单位管理", "人员管理"}, sys...)},
		{name: "auditor", password: DemoPassword, // 安全审计员: the audit log and nothing else
			shows: []string{"审计日志"}, hides: append([]string{"用户管理", "角色与权限", "安全策略", "单位管理", "人员管理"}, sys...)},
		{name: "space", password: DemoPassword, // 办公用房管理员
			shows: []string{"单位管理", "人员管理"}, hides: append([]string{"用户管理", "角色与权限", "审计日志"}, sys...)},
		{name: "qingshan", password: DemoPassword, // 单位管理员, own unit and below
			shows: []string{"单位管理", "人员管理"}, hides: append([]string{"用户管理", "角色与权限", "安全策略", "审计日志"}, sys...)},
		{name: "edu", password: DemoPassword, // 单位管理员, own unit only
			shows: []string{"单位管理", "人员管理"}, hides: append([]string{"用户管理", "角色与权限", "安全策略", "审计日志"}, sys...)},
		{name: "employee", password: DemoPassword, // 干部职工: self-service only
			hides: append([]string{"用户管理", "单位管理", "人员管理", "角色与权限", "安全策略", "审计日志"}, sys...)},
		{name: "supervisor", password: DemoPassword, // 监督查看: reads business data, not users, roles, jobs or the audit log
			shows: []string{"单位管理", "人员管理"}, hides: append([]string{"用户管理", "角色与权限", "审计日志"}, sys...)},
	}
}

// TestShellWalk signs in as each kind of user, checks the menu offers exactly what the role may use, and visits
// every page the shell links to (menu, top bar, home cards) plus the first detail page of each list: first at
// desktop width, then all again on a phone, checking and photographing each. On every page, every link, form and
// htmx request must lead to a route the role holds the permission for (a button that answers 403 is not shown).
func TestShellWalk(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	rt := appRoutes(t)
	for _, u := range demoUsers() {
		t.Run(u.name, func(t *testing.T) {
			t.Parallel() // each user has a tab of their own; the server is shared
			b := s.NewTab(t, u.name)
			b.SignIn(u.name, u.password)
			b.Check()

			menu := b.Menu()
			var labels []string
			for _, m := range menu {
				labels = append(labels, m.Label)
			}
			t.Logf("menu of %s: %s", u.name, strings.Join(labels, "、"))
			for _, want := range u.shows {
				if !slices.Contains(labels, want) {
					t.Errorf("menu of %s lacks %s (has %v)", u.name, want, labels)
				}
			}
			for _, not := range u.hides {
				if slices.Contains(labels, not) {
					t.Errorf("menu of %s offers %s, which the role may not use", u.name, not)
				}
			}

			// Desktop: every link of the shell (the menu, the top bar, the cards of the home page) and the first
			// detail page of each list.
			perms, seen := permissionsOf(b), map[string]bool{}
			actions := func(path string) {
				for _, f := range forbiddenActions(b, rt, perms, seen) {
					t.Errorf("%s as %s offers an action the role may not use: %s", path, u.name, f)
				}
			}
			pages := []string{"/"}
			names := map[string]string{"/": b.ShotName("/")}
			b.SnapDesktop(names["/"])
			actions("/")
			visit := func(path string) {
				names[path] = b.ShotName(path)
				pages = append(pages, path)
				b.Open(path)
				b.SnapDesktop(names[path])
				for _, r := range rawRefs(b) {
					t.Errorf("%s as %s shows %s", path, u.name, r)
				}
				actions(path)
			}
			links := []string{}
			for _, m := range menu {
				links = append(links, m.Path)
			}
			links = append(links, b.Links("header.topbar a[href]")...)
			links = append(links, b.Links("main .stats a[href]")...)
			if slices.Contains(labels, "单位管理") {
				links = append(links, "/orgs?q=局") // searching units gives a table (the plain view is a tree)
			}
			for _, path := range links {
				if _, done := names[path]; done {
					continue
				}
				if why, ok := underConstruction[strings.SplitN(path, "?", 2)[0]]; ok {
					t.Logf("not visiting %s (temporary skip): %s", path, why)
					continue
				}
				visit(path)
				if isMenu(menu, path) {
					if got := b.Links("nav.sidebar a.active"); len(got) != 1 || got[0] != path {
						t.Errorf("on %s the menu marks %v as the current page", path, got)
					}
				}
				if path == "/orgs?q=局" && b.Count("main table tbody tr") == 0 {
					t.Errorf("/orgs?q=局 as %s lists no unit", u.name)
				}
				if d := b.FirstRowLink(); d != "" {
					if _, done := names[d]; !done {
						visit(d)
					}
				} else if path == "/orgs?q=局" {
					t.Errorf("/orgs?q=局 as %s: no link to a unit's page", u.name)
				}
			}

			// Phone: the same pages again, at phone size from the first paint.
			b.Phone()
			for _, path := range pages {
				b.Open(path)
				if o := b.Overflow(); o.Px > 0 {
					t.Errorf("phone: %s is %d px wider than the screen (the whole page scrolls sideways); too wide: %s",
						path, o.Px, strings.Join(o.Culprits, "; "))
				}
				b.SnapPhone(names[path])
			}
			b.SignOut()
			b.Check()
		})
	}

	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		b := s.NewTab(t, "404-admin")
		b.SignIn("admin", adminPassword())
		b.Visit("/no-such-page", 404)
		b.ExpectText("main h1", "页面不存在")
		b.ExpectText("main .error-status", "404")
		b.ExpectText("main", "返回首页")

		e := s.NewTab(t, "403-employee")
		e.SignIn("employee", DemoPassword)
		e.Visit("/admin/users", 403)
		e.ExpectText("main h1", "无权访问")
		e.ExpectText("main .error-status", "403")
		e.Visit("/orgs", 403)
		e.ExpectText("main h1", "无权访问")
	})
}

func isMenu(menu []MenuLink, path string) bool {
	for _, m := range menu {
		if m.Path == path {
			return true
		}
	}
	return false
}

// TestLoginFlow: the sign-in page is Chinese, a wrong password is refused in Chinese, the right one leads to a
// home page with real figures, and 退出 returns to the sign-in page.
func TestLoginFlow(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	b := s.NewTab(t, "login")

	// Asking for a page signed out leads to the sign-in page.
	b.Go("/orgs")
	if p := b.Path(); !strings.HasPrefix(p, "/login") {
		t.Errorf("signed out, /orgs showed %s, want the sign-in page", p)
	}
	b.Visit("/login")
	pt := b.Read()
	if !strings.Contains(pt.Title, "登录") {
		t.Errorf("sign-in page title %q lacks 登录", pt.Title)
	}
	if lang := Eval[string](b, `document.documentElement.lang`); lang != "zh-CN" {
		t.Errorf("<html lang=%q>, want zh-CN", lang)
	}
	b.ExpectText(".login-card h1", "机关事务一体化管理平台")
	b.ExpectText(".login-card button[type=submit]", "登录")
	if lang := b.Text(".lang-switch"); strings.TrimSpace(lang) == "" {
		t.Errorf("no language switch on the sign-in page")
	}

	// Wrong password: refused in Chinese, still on /login, the user name kept.
	b.Type("#f-username", "admin")
	b.Type("#f-password", "not-the-password")
	st := b.ClickAndWait(".login-card button[type=submit]", "/login")
	if st < 400 {
		t.Errorf("wrong password answered %d, want a 4xx", st)
	}
	if p := b.Path(); !strings.HasPrefix(p, "/login") {
		t.Errorf("after a wrong password: on %s, want /login", p)
	}
	b.ExpectText(".login-card .flash-error", "用户名或密码错误")
	if v := Eval[string](b, `document.querySelector("#f-username").value`); v != "admin" {
		t.Errorf("after a wrong password the user name field holds %q, want admin", v)
	}
	b.Check()
	b.Snap("wrong-password")

	// Right password: the home page with the demo province's figures.
	b.Fill("#f-password", "")
	b.Type("#f-password", adminPassword())
	if st := b.ClickAndWait(".login-card button[type=submit]"); st != 200 {
		t.Errorf("sign in: status %d", st)
	}
	if p := b.Path(); p != "/" {
		t.Fatalf("after signing in: on %s, want /", p)
	}
	b.Check()
	b.Snap("signed-in")
	b.ExpectText("main h1", "您好")
	if n := b.Number(`main .stat a[href="/orgs"]`); n <= 100 {
		t.Errorf("home shows %d units (%q), want the demo province's 150+", n, b.Text(`main .stat a[href="/orgs"]`))
	}
	if n := b.Number(`main .stat a[href^="/people"]`); n <= 1000 {
		t.Errorf("home shows %d people, want the demo province's 2,000+", n)
	}
	b.ExpectText("header.topbar", "退出")

	// 退出: back to the sign-in page with a notice, and the session is gone.
	b.SignOut()
	b.Check()
	b.ExpectText("body", "您已安全退出")
	b.Snap("signed-out")
	b.Go("/")
	if p := b.Path(); !strings.HasPrefix(p, "/login") {
		t.Errorf("after 退出, / showed %s, want the sign-in page", p)
	}
}

// TestPhoneLayout: at phone width the menu is hidden until ☰ opens it; at desktop width it is always there.
func TestPhoneLayout(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	b := s.NewTab(t, "admin")
	b.SignIn("admin", adminPassword())

	type box struct {
		Left, Right, Width float64
		Visible            bool
	}
	sidebar := func() box {
		return Eval[box](b, `(() => { const r = document.querySelector("nav.sidebar").getBoundingClientRect();
			return {Left: r.left, Right: r.right, Width: r.width, Visible: r.right > 0 && r.left < innerWidth}; })()`)
	}
	toggleShown := func() bool {
		return Eval[bool](b, `(() => { const l = document.querySelector("label[for=nav-toggle]"); return !!l && l.offsetWidth > 0 && l.offsetHeight > 0; })()`)
	}

	// Desktop: the menu is open beside the page and there is no ☰.
	b.Desktop()
	b.Go("/")
	b.Check()
	if sb := sidebar(); !sb.Visible || sb.Left < 0 {
		t.Errorf("desktop: the menu is not shown (%+v)", sb)
	}
	if toggleShown() {
		t.Errorf("desktop: the ☰ toggle is shown")
	}

	// Phone: hidden until ☰.
	b.Phone()
	b.Go("/")
	b.Check()
	if sb := sidebar(); sb.Visible {
		t.Errorf("phone: the menu covers the page before ☰ is pressed (%+v)", sb)
	}
	if !toggleShown() {
		t.Fatalf("phone: no ☰ toggle (label[for=nav-toggle]) to open the menu")
	}
	if o := b.Overflow(); o.Px > 0 {
		t.Errorf("phone: the home page is %d px wider than the screen (sideways scrolling): %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	b.SnapViewport(b.ShotName("/", "phone-menu-closed"))

	b.Click("label[for=nav-toggle]")
	b.WaitFor("the menu to slide in", `(() => { const r = document.querySelector("nav.sidebar").getBoundingClientRect(); return r.left >= 0 && r.right > 0; })()`)
	b.settle()
	if !Eval[bool](b, `document.querySelector("#nav-toggle").checked`) {
		t.Errorf("phone: ☰ did not switch the menu on")
	}
	// The menu's links are on top and can be pressed.
	onTop := Eval[bool](b, `(() => { const a = document.querySelector("nav.sidebar a"); if (!a) return false;
		const r = a.getBoundingClientRect(); const el = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		return !!el && (el === a || a.contains(el)); })()`)
	if !onTop {
		t.Errorf("phone: the open menu's first link is covered by something else")
	}
	b.SnapViewport(b.ShotName("/", "phone-menu-open"))

	// Choosing an entry opens the page with the menu closed again.
	first := b.Menu()[0]
	b.ClickAndWait(`nav.sidebar a[href="` + first.Path + `"]`)
	if p := b.Path(); p != first.Path {
		t.Errorf("phone: pressing %s in the menu led to %s", first.Label, p)
	}
	b.Check()
	if sb := sidebar(); sb.Visible {
		t.Errorf("phone: after choosing %s the menu still covers the page", first.Label)
	}
	b.SnapViewport(b.ShotName(first.Path, "phone-after-menu"))
}
