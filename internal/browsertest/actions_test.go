package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/web"
)

// routeTable answers which registered route a method and path reach and the permission it needs: the program's
// own route list (web.UI.Routes, the same registrations the authorisation matrix checks), matched as the server's
// mux matches them.
type routeTable struct {
	mux   *http.ServeMux
	perms map[string]web.Route // by pattern
}

var (
	routesOnce sync.Once
	routesVal  *routeTable
)

// appRoutes builds the route table once per test binary from a program started in process.
func appRoutes(t *testing.T) *routeTable {
	t.Helper()
	routesOnce.Do(func() {
		env := apptest.New(t)
		rt := &routeTable{mux: http.NewServeMux(), perms: map[string]web.Route{}}
		for _, r := range env.App.UI.Routes() {
			p := r.Method + " " + r.Path
			rt.perms[p] = r
			rt.mux.Handle(p, http.NotFoundHandler())
		}
		routesVal = rt
	})
	if routesVal == nil {
		t.Fatal("no route table")
	}
	return routesVal
}

// route returns the route method and path reach (ok false when none does).
func (rt *routeTable) route(method, path string) (web.Route, bool) {
	req := httptest.NewRequest(method, path, nil)
	_, pattern := rt.mux.Handler(req)
	r, ok := rt.perms[pattern]
	return r, ok
}

// action is a link, form or htmx request a page offers.
type action struct {
	Method string `json:"m"`
	Path   string `json:"p"`
	Text   string `json:"t"`
}

// pageActions lists every same-origin link, form and htmx request of the current page.
func pageActions(b *Tab) []action {
	return Eval[[]action](b, `(() => {
		const out = [];
		const txt = el => (el.innerText || el.getAttribute("aria-label") || el.getAttribute("title") || "").trim().replace(/\s+/g, " ").slice(0, 40);
		const add = (m, href, el) => {
			if (!href) return;
			let u;
			try { u = new URL(href, location.href); } catch (e) { return; }
			if (u.origin !== location.origin || u.protocol.indexOf("http") !== 0) return;
			out.push({m: m.toUpperCase(), p: u.pathname + u.search, t: txt(el)});
		};
		document.querySelectorAll("a[href]").forEach(a => { if (!a.getAttribute("href").startsWith("#")) add("GET", a.href, a); });
		// A form is an action when something sends it: a submit button in it or naming it, or (a filter) a select
		// that sends it on change. A form that only holds figures to read offers nothing.
		document.querySelectorAll("form").forEach(f => {
			const b = f.querySelector("button:not([type=button]), input[type=submit]") || (f.id && document.querySelector('button[form="' + f.id + '"]'));
			const auto = f.hasAttribute("data-autosubmit") || f.querySelector("select[data-autosubmit]");
			if (!b && !auto) return;
			add(f.getAttribute("method") || "GET", f.getAttribute("action") || location.href, b || f);
		});
		document.querySelectorAll("[hx-get]").forEach(el => add("GET", el.getAttribute("hx-get"), el));
		document.querySelectorAll("[hx-post]").forEach(el => add("POST", el.getAttribute("hx-post"), el));
		return out;
	})()`)
}

// permissionsOf reads the signed-in user's permissions (GET /api/v1/me).
func permissionsOf(b *Tab) map[string]bool {
	b.t.Helper()
	perms := Eval[[]string](b, `fetch("/api/v1/me", {credentials: "same-origin"}).then(r => r.json()).then(j => j.permissions || [])`)
	out := map[string]bool{}
	for _, p := range perms {
		out[p] = true
	}
	return out
}

// forbiddenActions lists the actions of the current page the user may not use: a link, form or htmx request to a
// route whose permission the user lacks (it would answer 403), or to no route at all (404). seen skips actions
// already checked for this user.
func forbiddenActions(b *Tab, rt *routeTable, perms map[string]bool, seen map[string]bool) []string {
	var out []string
	for _, a := range pageActions(b) {
		path, _, _ := strings.Cut(a.Path, "?")
		key := a.Method + " " + path
		if seen[key] {
			continue
		}
		seen[key] = true
		r, ok := rt.route(a.Method, path)
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%q leads to %s, which no route serves", a.Text, key))
		case r.Public || r.Perm == web.SignedIn:
		case !holdsAny(perms, r.Perm):
			out = append(out, fmt.Sprintf("%q leads to %s, which needs %s (the role does not hold it: 403)", a.Text, key, r.Perm))
		}
	}
	sort.Strings(out)
	return out
}

// holdsAny reports whether perms hold the route's permission ("a|b": any of them).
func holdsAny(perms map[string]bool, perm string) bool {
	for _, p := range strings.Split(perm, "|") {
		if perms[p] {
			return true
		}
	}
	return false
}
