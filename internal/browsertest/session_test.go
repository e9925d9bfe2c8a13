package browsertest

import (
	"fmt"
	"strconv"
	"strings"
)

// SignIn signs in through the real /login form (typing, clicking 登录) and waits for the page it leads to.
func (b *Tab) SignIn(user, password string) {
	b.t.Helper()
	if st := b.Go("/login"); st != 200 {
		b.t.Fatalf("GET /login: status %d", st)
	}
	b.Type("#f-username", user)
	b.Type("#f-password", password)
	st := b.ClickAndWait(".login-card button[type=submit]")
	if p := b.Path(); st != 200 || strings.HasPrefix(p, "/login") {
		b.t.Fatalf("sign in as %s: landed on %s with status %d: %s", user, p, st, short(b.Text(".flash, main")))
	}
}

// SignOut presses 退出 in the top bar and expects the sign-in page.
func (b *Tab) SignOut() {
	b.t.Helper()
	b.ClickAndWait(`form[action="/logout"] button`)
	if p := b.Path(); !strings.HasPrefix(p, "/login") {
		b.t.Fatalf("after 退出: on %s, want /login", p)
	}
}

// MenuLink is an entry of the left menu as drawn.
type MenuLink struct {
	Group string `json:"group"`
	Label string `json:"label"`
	Path  string `json:"path"`
}

// Menu reads the left menu (`nav.sidebar a`) of the current page.
func (b *Tab) Menu() []MenuLink {
	b.t.Helper()
	return Eval[[]MenuLink](b, `Array.from(document.querySelectorAll("nav.sidebar a")).map(a => {
		const g = a.closest(".menu-group");
		const title = g && g.querySelector(".menu-title");
		return {group: title ? title.innerText.trim() : "", label: a.innerText.trim(), path: a.pathname + a.search};
	})`)
}

// FirstRowLink returns the first same-origin link inside a data table's body ("" when none), leaving out
// downloads.
func (b *Tab) FirstRowLink() string {
	b.t.Helper()
	for _, l := range b.Links("main table tbody a[href]") {
		if !strings.Contains(l, "format=") && !strings.Contains(l, "/template") {
			return l
		}
	}
	return ""
}

// Number reads the first integer in the element's text (for figures such as “159个”); -1 when there is none.
func (b *Tab) Number(sel string) int {
	b.t.Helper()
	txt := b.Text(sel)
	start := strings.IndexAny(txt, "0123456789")
	if start < 0 {
		return -1
	}
	end := start
	for end < len(txt) && (txt[end] >= '0' && txt[end] <= '9' || txt[end] == ',') {
		end++
	}
	n, err := strconv.Atoi(strings.ReplaceAll(txt[start:end], ",", ""))
	if err != nil {
		return -1
	}
	return n
}

// ExpectText fails the test when the element's text does not contain want.
func (b *Tab) ExpectText(sel, want string) {
	b.t.Helper()
	if got := b.Text(sel); !strings.Contains(got, want) {
		b.t.Errorf("%s: %s shows %q, want it to contain %q", b.Path(), sel, short(got), want)
	}
}

// download fetches a same-origin URL with the page's session (inside the page) and returns its status, content
// type, disposition and body.
type download struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Base64      string `json:"data"`
}

func (b *Tab) Fetch(path string) download {
	b.t.Helper()
	return Eval[download](b, fmt.Sprintf(`(async () => {
		const r = await fetch(%q, {credentials: "same-origin"});
		const bytes = new Uint8Array(await r.arrayBuffer());
		let s = "";
		for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
		return {status: r.status, type: r.headers.get("content-type") || "", disposition: r.headers.get("content-disposition") || "", data: btoa(s)};
	})()`, path))
}

// overflow is how far the page sticks out to the right of the screen, and the innermost elements that do.
type overflow struct {
	Px       int      `json:"px"`
	Culprits []string `json:"culprits"`
}

// Overflow measures sideways overflow of the whole page (a table inside a scrolling .table-wrap does not count).
func (b *Tab) Overflow() overflow {
	b.t.Helper()
	return Eval[overflow](b, `(() => {
		const de = document.documentElement, w = de.clientWidth;
		const px = de.scrollWidth - w;
		const out = {px: px, culprits: []};
		if (px <= 0) return out;
		// Inside a scroller the overflow is intended; a fixed bar only follows the (widened) viewport.
		const clipped = el => { for (let p = el; p && p !== de; p = p.parentElement) {
			const cs = getComputedStyle(p);
			if (cs.position === "fixed" || (p !== el && cs.overflowX !== "visible")) return true; } return false; };
		const wide = Array.from(document.body.querySelectorAll("*")).filter(el => {
			const r = el.getBoundingClientRect(); return r.width > 0 && r.right > w + 1 && !clipped(el); });
		const leaves = wide.filter(el => !wide.some(o => o !== el && el.contains(o)));
		for (const el of leaves.slice(0, 3)) {
			let d = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
			const txt = (el.innerText || "").trim().replace(/\s+/g, " ").slice(0, 40);
			out.culprits.push(d + " (right edge " + Math.round(el.getBoundingClientRect().right) + " px" + (txt ? ", “" + txt + "”" : "") + ")");
		}
		return out;
	})()`)
}
