// Package web is the HTTP kit every module uses: routes registered with their permission (so the menu, the
// OpenAPI document and the authorisation check come from one place), handlers that return errors, HTML pages
// rendered from embedded templates in Chinese (with an English catalogue), JSON in and out, the shared page
// globals, flash messages, security headers, metrics and static assets.
package web

import (
	"context"

	"github.com/govops/govops/internal/platform/errs"
	"html/template"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Handler is an HTTP handler that returns an error; the kit renders the error as HTML or JSON.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Principal is the signed-in user as the kit sees it. The auth package provides the implementation.
type Principal interface {
	UserID() int64
	Username() string
	DisplayName() string
	Can(perm string) bool
}

// SignedIn is the permission of routes open to every signed-in user.
const SignedIn = "*"

type ctxKey int

const (
	keyPrincipal ctxKey = iota
	keyCSRF
	keyFlash
	keyRequestID
	keyRoute
)

// routeHolder carries the matched route pattern back to the outer middleware (the mux sets Request.Pattern on the
// request it receives, which inner middlewares have replaced with copies).
type routeHolder struct{ pattern string }

// WithPrincipal stores the signed-in user (and the session's CSRF token, "" for bearer tokens) in ctx.
func WithPrincipal(ctx context.Context, p Principal, csrf string) context.Context {
	ctx = context.WithValue(ctx, keyPrincipal, p)
	return context.WithValue(ctx, keyCSRF, csrf)
}

// PrincipalFrom returns the signed-in user or nil.
func PrincipalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(keyPrincipal).(Principal)
	return p
}

// CSRFFrom returns the session's CSRF token.
func CSRFFrom(ctx context.Context) string { s, _ := ctx.Value(keyCSRF).(string); return s }

// RequestID returns the id the kit gave this request (shown on error pages, written in logs).
func RequestID(ctx context.Context) string { s, _ := ctx.Value(keyRequestID).(string); return s }

// Route is one registered route.
type Route struct {
	Method, Path string
	Perm         string // required permission; SignedIn for any user; "" only for public routes
	Public       bool
	API          bool
	Doc          Doc
}

// MenuItem is an entry of the left menu; it shows only to users holding Perm.
type MenuItem struct {
	Group string // "key|默认" of the module group
	Label string // "key|默认"
	Path  string
	Perm  string
	Order int
}

// MenuGroup is a module's block of the menu as drawn for one user. The first group (the daily work: to-dos,
// messages, one's own settings) is always open; the others fold (<details>) and only the current page's group is
// open, so that a phone shows a short menu.
type MenuGroup struct {
	Label string
	Items []MenuLink
	// First is the group drawn first (never folded); Open is a group holding the current page.
	First, Open bool
}

// MenuLink is a drawn menu entry.
type MenuLink struct {
	Label, Path string
	Active      bool
}

// UI is the web kit instance: one per server.
type UI struct {
	Log     *slog.Logger
	Catalog *Catalog
	Metrics *Metrics
	Version string
	// Authorize checks that the request's principal holds perm (auth provides it). It must return an
	// errs unauthenticated or forbidden error.
	Authorize func(r *http.Request, perm string) error
	// Decorate fills request-dependent globals (e.g. the unit switcher) after the kit's own.
	Decorate func(r *http.Request, g *Globals)
	// Secure marks cookies Secure and adds HSTS (behind TLS).
	Secure bool
	// Now is the injected clock (the time a page is printed); PrintUnit names the signed-in user's own unit for
	// the print heading of pages that concern no particular unit (both set by the wiring; docs/printing.md).
	Now       func() time.Time
	PrintUnit func(r *http.Request) string
	// Units finds the units of unit pickers (the spine provides it; see UnitPicker).
	Units UnitSource
	// GroupOrder lists menu group keys in the order they are drawn; groups not listed follow in registration order.
	GroupOrder []string

	mux         *http.ServeMux
	routes      []Route
	menu        []MenuItem
	groups      []string
	middlewares []func(http.Handler) http.Handler
	tmpl        *templates
	assets      *assets

	idxMu sync.Mutex
	idx   *routeIndex

	execMu   sync.Mutex
	executed map[string]int
	extra    template.FuncMap
	help     []HelpTopic
}

// AddFuncs registers template functions for every page (call before Build).
func (u *UI) AddFuncs(fm template.FuncMap) {
	if u.extra == nil {
		u.extra = template.FuncMap{}
	}
	for k, v := range fm {
		u.extra[k] = v
	}
	u.tmpl.reset()
}

// New makes the kit with its own templates and assets.
func New(log *slog.Logger, version string) *UI {
	u := &UI{
		Log: log, Catalog: NewCatalog(), Version: version, mux: http.NewServeMux(),
		executed: map[string]int{},
	}
	u.Metrics = newMetrics(version)
	u.tmpl = newTemplates(u)
	u.assets = newAssets()
	if err := u.Catalog.Add(LangEN, catalogEN); err != nil {
		panic(err)
	}
	u.AddTemplates("web", templateFS)
	u.Public("GET /static/{path...}", u.assets.serve)
	u.helpRoutes()
	u.Public("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) error {
		http.Redirect(w, r, u.assetURL("favicon.svg"), http.StatusMovedPermanently)
		return nil
	})
	// Everything no route claims gets the Chinese 404 page (or the JSON error under /api/).
	u.mux.Handle("/", u.wrap(Route{Public: true}, func(w http.ResponseWriter, r *http.Request) error {
		return errs.NotFound("页面")
	}))
	return u
}

func (u *UI) add(rt Route, h Handler) {
	u.routes = append(u.routes, rt)
	u.mux.Handle(rt.Method+" "+rt.Path, u.wrap(rt, h))
}

func splitPattern(pattern string) (string, string) {
	m, p, ok := strings.Cut(pattern, " ")
	if !ok {
		panic("web: route pattern needs a method: " + pattern)
	}
	return m, p
}

// Page registers an HTML route that needs perm.
func (u *UI) Page(pattern, perm string, h Handler) {
	if perm == "" {
		panic("web: page " + pattern + " needs a permission (or use Public)")
	}
	m, p := splitPattern(pattern)
	u.add(Route{Method: m, Path: p, Perm: perm}, h)
}

// API registers a JSON route that needs perm, with its documentation for /api/v1/openapi.json.
func (u *UI) API(pattern, perm string, doc Doc, h Handler) {
	if perm == "" {
		panic("web: api " + pattern + " needs a permission (or use PublicAPI)")
	}
	m, p := splitPattern(pattern)
	u.add(Route{Method: m, Path: p, Perm: perm, API: true, Doc: doc}, h)
}

// PublicAPI registers a JSON route open without sign-in (login, health).
func (u *UI) PublicAPI(pattern string, doc Doc, h Handler) {
	m, p := splitPattern(pattern)
	u.add(Route{Method: m, Path: p, Public: true, API: true, Doc: doc}, h)
}

// Public registers a route open without sign-in.
func (u *UI) Public(pattern string, h Handler) {
	m, p := splitPattern(pattern)
	u.add(Route{Method: m, Path: p, Public: true}, h)
}

// Routes lists every registered route.
func (u *UI) Routes() []Route { return append([]Route(nil), u.routes...) }

// AddMenu registers menu entries. Groups appear in the order they are first seen.
func (u *UI) AddMenu(items ...MenuItem) {
	for _, it := range items {
		found := false
		for _, g := range u.groups {
			if g == it.Group {
				found = true
			}
		}
		if !found {
			u.groups = append(u.groups, it.Group)
		}
		u.menu = append(u.menu, it)
	}
}

// MenuItems lists every registered menu entry (the browser tests walk them).
func (u *UI) MenuItems() []MenuItem { return append([]MenuItem(nil), u.menu...) }

// MenuFor draws the menu a principal may use.
func (u *UI) MenuFor(r *http.Request, p Principal) []MenuGroup {
	lang := Lang(r)
	var out []MenuGroup
	groups := append([]string(nil), u.groups...)
	rank := func(g string) int {
		for i, o := range u.GroupOrder {
			if o == g || strings.HasPrefix(g, o+"|") {
				return i
			}
		}
		return len(u.GroupOrder)
	}
	sort.SliceStable(groups, func(i, j int) bool { return rank(groups[i]) < rank(groups[j]) })
	// The current page is the item with the longest path that is the request path or a prefix of it, so that
	// /energy/pv/eligibility marks 屋顶光伏评估 and not also 屋顶光伏 (/energy/pv).
	best := ""
	for _, it := range u.menu {
		if (r.URL.Path == it.Path || (it.Path != "/" && strings.HasPrefix(r.URL.Path, it.Path+"/"))) && len(it.Path) > len(best) {
			best = it.Path
		}
	}
	for _, g := range groups {
		var items []MenuItem
		for _, it := range u.menu {
			if it.Group == g && p != nil && (it.Perm == SignedIn || p.Can(it.Perm)) {
				items = append(items, it)
			}
		}
		if len(items) == 0 {
			continue
		}
		sort.SliceStable(items, func(i, j int) bool { return items[i].Order < items[j].Order })
		mg := MenuGroup{Label: u.Catalog.T(lang, g), First: len(out) == 0}
		for _, it := range items {
			active := best != "" && it.Path == best
			mg.Open = mg.Open || active
			mg.Items = append(mg.Items, MenuLink{Label: u.Catalog.T(lang, it.Label), Path: it.Path, Active: active})
		}
		out = append(out, mg)
	}
	return out
}

// Use adds a middleware that runs inside the kit's own (after logging, headers and flash), before routing.
func (u *UI) Use(mw func(http.Handler) http.Handler) { u.middlewares = append(u.middlewares, mw) }

func (u *UI) wrap(rt Route, h Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := r.Context().Value(keyRoute).(*routeHolder); ok {
			h.pattern = r.Pattern
		}
		if !rt.Public {
			if u.Authorize == nil {
				u.Error(w, r, errForbiddenNoAuth)
				return
			}
			if err := u.Authorize(r, rt.Perm); err != nil {
				u.Error(w, r, err)
				return
			}
		}
		if err := CheckForm(r); err != nil {
			u.Error(w, r, err)
			return
		}
		if err := h(w, r); err != nil {
			u.Error(w, r, err)
		}
	})
}

// IsAPI reports whether a request is for the JSON API.
func IsAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// routeIndex matches a method and path to its registered route, as the server's mux does.
type routeIndex struct {
	n      int
	mux    *http.ServeMux
	routes map[string]Route
}

// Allows reports whether p may use what method and path reach: a public route, one open to every signed-in user,
// or one whose permission p holds (any of "a|b"). A path no route serves is not allowed. Pages use it to draw
// only the links and buttons the viewer may use (a link that would answer 403 is not drawn).
func (u *UI) Allows(p Principal, method, path string) bool {
	path, _, _ = strings.Cut(path, "?")
	u.idxMu.Lock()
	if u.idx == nil || u.idx.n != len(u.routes) {
		ix := &routeIndex{n: len(u.routes), mux: http.NewServeMux(), routes: map[string]Route{}}
		for _, r := range u.routes {
			pat := r.Method + " " + r.Path
			ix.routes[pat] = r
			ix.mux.Handle(pat, http.NotFoundHandler())
		}
		u.idx = ix
	}
	ix := u.idx
	u.idxMu.Unlock()
	req, err := http.NewRequest(method, path, nil)
	if err != nil {
		return false
	}
	_, pat := ix.mux.Handler(req)
	r, ok := ix.routes[pat]
	switch {
	case !ok:
		return false
	case r.Public:
		return true
	case p == nil:
		return false
	case r.Perm == SignedIn:
		return true
	}
	for _, perm := range strings.Split(r.Perm, "|") {
		if p.Can(perm) {
			return true
		}
	}
	return false
}
