package app_test

// The authorisation matrix (issue 8): every route of the web kit, for every demo account and anonymous, and for an
// object inside and one just outside the account's data scope, answers what the policy in authz_table_test.go says.
// This file is the machinery: the demo is loaded once, every account signs in once, the objects come from
// authz_objects_test.go, and the checks run reads first, then writes, then what ends a session.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/web"
)

// want is an expected answer.
type want int

const (
	wantOK        want = iota // reads: 200 (a workbook for exports); public routes: anything but an error
	wantPass                  // writes by a holder in scope: past the gate (2xx, 3xx, 400, 409, 422 — never 401/403/404/5xx)
	wantLogin                 // anonymous: 401 (API) or a redirect to /login (pages)
	wantForbidden             // 403 (pages: the Chinese 403 page)
	wantNotFound              // 404: the object lies outside the caller's data scope
)

func (w want) String() string {
	return [...]string{"allowed", "past the gate", "401/login", "403", "404"}[w]
}

// slot says which object a check uses.
type slot int

const (
	noObject slot = iota // the route names no object
	inScope              // an object inside the account's data scope
	outScope             // one just outside it
)

func (s slot) String() string { return [...]string{"", "in scope", "out of scope"}[s] }

// check is one request of the matrix.
type check struct {
	key    string // "METHOD /path" as registered
	route  web.Route
	row    row
	acct   *account // nil: anonymous
	slot   slot
	owner  string // attachments: the owning record's type
	export bool   // the ?format=xlsx variant of a page or list
	want   want
}

func (c check) name() string {
	who := "anonymous"
	if c.acct != nil {
		who = c.acct.name
	}
	s := c.key
	if c.owner != "" {
		s += " [" + c.owner + "]"
	}
	s += " as " + who
	if c.slot != noObject {
		s += " (" + c.slot.String() + ")"
	}
	if c.export {
		s = strings.Replace(s, " as ", " ?format=xlsx as ", 1)
	}
	return s
}

// expect derives the answer a check must get from its row: the policy in one place.
func expect(r row, a *account, sl slot, perm string) want {
	switch {
	case r.off:
		return wantNotFound
	case perm == public && r.write:
		return wantPass
	case perm == public:
		return wantOK
	case a == nil:
		return wantLogin
	case perm != signedIn && !a.can(perm):
		return wantForbidden
	case sl == outScope:
		return wantNotFound
	case r.deny[a.name] != "":
		return wantForbidden
	case r.write:
		return wantPass
	}
	return wantOK
}

// outcome is what the server answered, reduced to what the policy speaks of.
type outcome struct {
	status int    // HTTP status (a page form's flash refusal is mapped to the status it stands for)
	got    want   // the class it falls into, or -1 for an answer no policy allows (5xx, a 401 for a signed-in user…)
	detail string // for the failure message
}

// classify reduces a response to a class.
func classify(c check, resp apptest.Response) outcome {
	st := resp.StatusCode
	o := outcome{status: st, got: -1}
	loc := resp.Header.Get("Location")
	o.detail = fmt.Sprintf("%d", st)
	if loc != "" {
		o.detail += " → " + loc
	}
	if st >= 300 && st < 400 && flashError(resp) != "" {
		// A browser form refused by redirecting back with an error message (attachments, inbox decisions, the
		// office-space actions): the message tells a refusal for want of a right ("您没有……权限", "只有……可以……",
		// "不能……") from a record that does not exist for the caller ("……不存在或无权访问") and from bad input.
		msg := flashError(resp)
		o.detail += " flash " + msg
		switch {
		case strings.Contains(msg, "权限") || strings.HasPrefix(msg, "只有") || strings.HasPrefix(msg, "不能"):
			o.status, o.got = 403, wantForbidden
		case strings.Contains(msg, "不存在") || strings.Contains(msg, "不在您的数据范围"):
			o.status, o.got = 404, wantNotFound
		default:
			o.status, o.got = 422, wantPass
		}
		return o
	}
	switch {
	case c.row.last && c.acct != nil && st >= 300 && st < 400:
		o.got = wantPass // signing out sends the browser to the sign-in page
	case st == 401 && c.route.API, st >= 300 && st < 400 && strings.HasPrefix(loc, "/login") && !c.route.API:
		o.got = wantLogin
	case st == 403:
		o.got = wantForbidden
	case st == 404:
		o.got = wantNotFound
	case st >= 500 || st == 401:
		o.got = -1
	case c.row.write:
		o.got = wantPass
	case st >= 200 && st < 400:
		o.got = wantOK
	default:
		o.got = wantPass // a 4xx on a read: a bad request rather than a refusal
	}
	if len(resp.Body) > 0 && st >= 400 {
		b := resp.Body
		if i := strings.Index(b, `"message"`); i >= 0 {
			b = b[i:]
		} else if m := errPageMsg.FindStringSubmatch(b); m != nil {
			b = m[1]
		} else if strings.HasPrefix(strings.ToLower(strings.TrimSpace(b)), "<!doctype") {
			b = "(a page)"
		}
		if len(b) > 160 {
			b = b[:160]
		}
		o.detail += " " + strings.TrimSpace(b)
	}
	return o
}

var errPageMsg = regexp.MustCompile(`(?s)<p class="error-message">(.*?)</p>`)

// flashError returns the text of an error flash set by a redirect, or "".
func flashError(resp apptest.Response) string {
	for _, ck := range (&http.Response{Header: resp.Header}).Cookies() {
		if ck.Name != "govops_flash" || ck.Value == "" {
			continue
		}
		b, err := base64.RawURLEncoding.DecodeString(ck.Value)
		if err != nil {
			continue
		}
		var fl []web.Flash
		if json.Unmarshal(b, &fl) != nil {
			continue
		}
		for _, f := range fl {
			if f.Kind == "error" {
				return f.Text
			}
		}
	}
	return ""
}

// satisfied reports whether an outcome meets the expectation (and the extra conditions of allowed reads).
func satisfied(c check, resp apptest.Response, o outcome) (bool, string) {
	switch {
	case o.got != c.want:
		return false, ""
	case c.route.API && o.status == 403 && !strings.Contains(resp.Body, `"code":"forbidden"`),
		c.route.API && o.status == 404 && !strings.Contains(resp.Body, `"code":"not_found"`):
		return false, "want the JSON error of docs/api.md"
	case c.want == wantOK && c.row.perm != public && !c.row.write && c.row.redirect && (o.status < 300 || o.status >= 400):
		return false, "want a redirect"
	case c.want == wantOK && c.row.perm != public && !c.row.write && !c.row.redirect && o.status != 200:
		return false, "want 200"
	case c.want == wantOK && (c.row.file || c.export) && !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml"):
		return false, "want a workbook, got " + resp.Header.Get("Content-Type")
	case c.want == wantForbidden && !c.route.API && !strings.Contains(resp.Body, "无权访问") && o.status == 403 && resp.Header.Get("Location") == "":
		return false, "want the Chinese 403 page"
	}
	return true, ""
}

// TestAuthzMatrix runs the whole matrix on one demo province.
func TestAuthzMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo province")
	}
	start := time.Now()
	e := apptest.New(t, apptest.Options{Demo: true})
	m := newMatrix(t, e)
	t.Logf("demo loaded and %d accounts signed in: %s", len(m.accounts), time.Since(start).Round(time.Millisecond))

	routes := e.App.UI.Routes()
	if !checkCoverage(t, e, routes) {
		t.FailNow()
	}
	m.fixtures(t)
	t.Logf("fixtures ready: %s", time.Since(start).Round(time.Millisecond))
	m.checkAccounts(t)

	var reads, writes, last []check
	n := 0
	for _, rt := range routes {
		key := rt.Method + " " + rt.Path
		for _, c := range m.plan(t, key, rt, authzTable[key]) {
			switch {
			case c.row.last:
				last = append(last, c)
			case c.row.write:
				writes = append(writes, c)
			default:
				reads = append(reads, c)
			}
		}
	}
	res := &results{pending: map[string]bool{}, byEntry: map[int][]string{}}
	// GOVOPS_MATRIX_ONLY=<regexp> runs only the routes it matches (while working on a module; CI runs them all).
	var only *regexp.Regexp
	if v := os.Getenv("GOVOPS_MATRIX_ONLY"); v != "" {
		only = regexp.MustCompile(v)
	}
	for _, phase := range []struct {
		name   string
		checks []check
	}{{"reads", reads}, {"writes", writes}, {"session", last}} {
		t0 := time.Now()
		if phase.name == "session" {
			m.exportsDeclared(t, routes) // while the administrator is still signed in
		}
		ran := 0
		for _, c := range phase.checks {
			if only != nil && !only.MatchString(c.key) {
				continue
			}
			m.run(t, c, res)
			ran++
		}
		n += ran
		t.Logf("%s: %d checks in %s", phase.name, ran, time.Since(t0).Round(time.Millisecond))
	}
	res.report(t, n, time.Since(start))
}

// results collects what the checks found.
type results struct {
	failed  int
	known   int              // checks that disagree as pendingFix says
	byEntry map[int][]string // pendingFix index → the disagreeing checks, briefly
	pending map[string]bool  // route|owner|account of pendingFix → whether a check disagreed (absent: none ran)
}

func (r *results) report(t *testing.T, n int, took time.Duration) {
	t.Helper()
	for i, p := range pendingFix {
		if len(r.byEntry[i]) > 0 {
			t.Logf("pending fix — %s [%s]: %s\n\t%s", p.route, p.owners, p.reason, strings.Join(r.byEntry[i], "\n\t"))
		}
		owners := strings.Fields(p.owners)
		if len(owners) == 0 {
			owners = []string{""}
		}
		for _, o := range owners {
			for _, a := range strings.Fields(p.accounts) {
				if hit, ran := r.pending[p.route+"|"+o+"|"+a]; ran && !hit {
					t.Errorf("pendingFix lists %s [%s] as %s, but it now answers as the table says: remove it from the list", p.route, o, a)
				}
			}
		}
	}
	t.Logf("authorisation matrix: %d checks, %d disagreements pending a fix (%d entries in pendingFix, which must be empty before issue 8 closes), %d failures, %s",
		n, r.known, len(pendingFix), r.failed, took.Round(time.Millisecond))
}

// run performs one check and records the outcome.
func (m *matrix) run(t *testing.T, c check, res *results) {
	t.Helper()
	resp, ok := m.do(t, c)
	if !ok {
		res.failed++
		t.Errorf("%s: no record for this slot", c.name())
		return
	}
	o := classify(c, resp)
	good, why := satisfied(c, resp, o)
	who := "anonymous"
	if c.acct != nil {
		who = c.acct.name
	}
	if i := findPending(c.key, c.owner, who); i >= 0 {
		res.pending[c.key+"|"+c.owner+"|"+who] = res.pending[c.key+"|"+c.owner+"|"+who] || !good
		if !good {
			res.known++
			detail := o.detail
			if len(detail) > 60 {
				detail = detail[:60] + "…"
			}
			res.byEntry[i] = append(res.byEntry[i], fmt.Sprintf("[%s] %s (%s): want %s, got %s", c.owner, who, c.slot, c.want, detail))
		}
		return
	}
	if !good {
		res.failed++
		msg := fmt.Sprintf("%s: want %s, got %s", c.name(), c.want, o.detail)
		if why != "" {
			msg += " (" + why + ")"
		}
		t.Error(msg)
	}
}

// findPending returns the index of the pendingFix entry covering a check, or -1.
func findPending(route, owner, acct string) int {
	for i, p := range pendingFix {
		if p.route != route || !slices.Contains(strings.Fields(p.owners), owner) && (p.owners != "" || owner != "") {
			continue
		}
		for _, a := range strings.Fields(p.accounts) {
			if a == acct {
				return i
			}
		}
	}
	return -1
}

// plan expands a row into checks: every account and anonymous, each object slot, each attachment owner type, and
// the export variant.
func (m *matrix) plan(t *testing.T, key string, rt web.Route, r row) []check {
	t.Helper()
	owners := []string{""}
	if r.attach != "" {
		owners = attachOwnerTypes()
	}
	variants := []bool{false}
	if r.export {
		variants = append(variants, true)
	}
	var out []check
	for _, owner := range owners {
		perm, k := r.perm, r.obj
		if r.attach != "" {
			perm, k = attachPerm(owner, r.attach), attachOwners[owner].record
		}
		accts := append([]*account{nil}, m.accounts...)
		if r.anonOnly {
			accts = []*account{nil}
		}
		for _, a := range accts {
			slots := []slot{noObject}
			if k != nil && a != nil {
				slots = []slot{inScope}
				if !m.hasIn(t, k, a) || r.fresh && k.freshBelow && a.oneUnit {
					// Not a party to any approval run; or a one-unit account, below whose unit lie the records made
					// for destructive checks.
					slots = nil
				}
				if m.hasOut(t, k, a) {
					slots = append(slots, outScope)
				}
			}
			for _, sl := range slots {
				for _, x := range variants {
					c := check{key: key, route: rt, row: r, acct: a, slot: sl, owner: owner, export: x}
					c.want = expect(r, a, sl, perm)
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// do sends a check's request: API routes with the account's bearer token, pages with its browser session (and
// CSRF token), both with the object of the slot in the path (or query).
func (m *matrix) do(t *testing.T, c check) (apptest.Response, bool) {
	t.Helper()
	vals := map[string]string{}
	for k, v := range c.row.params {
		vals[k] = v
	}
	if c.row.obj != nil || c.row.attach != "" {
		a := c.acct
		sl := c.slot
		if a == nil {
			a, sl = m.accounts[0], inScope // anonymous: any existing object (admin's)
		}
		ov, ok := m.object(t, c.row, c.owner, a, sl)
		if !ok {
			return apptest.Response{}, false
		}
		for k, v := range ov {
			vals[k] = v
		}
	}
	path := fill(c.route.Path, vals)
	query := fill(c.row.query, vals)
	if c.export {
		query = strings.TrimPrefix(query+"&format=xlsx", "&")
	}
	if query != "" {
		path += "?" + query
	}
	cl := m.anon
	if c.acct != nil {
		cl = c.acct.api
		if !c.route.API {
			cl = c.acct.browser
		}
	}
	switch {
	case c.route.Method == "GET":
		return cl.Get(path), true
	case c.row.upload:
		return cl.Upload(path, "证明.txt", []byte("矩阵测试附件\n"), map[string]string{"object_type": vals["object_type"], "object_id": vals["object_id"], "next": "/"}), true
	case c.route.API:
		body := fillRaw(c.row.body, vals)
		if body == "" && c.route.Method != "DELETE" {
			body = "{}"
		}
		ct := "application/json"
		if body == "" {
			ct = ""
		}
		return cl.Do(c.route.Method, path, ct, []byte(body)), true
	default:
		v, _ := url.ParseQuery(fillRaw(c.row.body, vals))
		if v == nil {
			v = url.Values{}
		}
		return cl.Form(c.route.Method, path, v), true
	}
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)(\.\.\.)?\}`)

// fill puts values into a path pattern or query template; "{$}" (the exact-match marker) is dropped.
func fill(pattern string, vals map[string]string) string {
	pattern = strings.ReplaceAll(pattern, "{$}", "")
	return pathParam.ReplaceAllStringFunc(pattern, func(s string) string {
		name := pathParam.FindStringSubmatch(s)[1]
		if v, ok := vals[name]; ok {
			return url.PathEscape(v)
		}
		return s
	})
}

// fillRaw puts values into a body template.
func fillRaw(tmpl string, vals map[string]string) string {
	return pathParam.ReplaceAllStringFunc(tmpl, func(s string) string {
		if v, ok := vals[pathParam.FindStringSubmatch(s)[1]]; ok {
			return v
		}
		return s
	})
}

// checkCoverage fails for a route without a row, a row without a route, a row whose permission differs from the
// route's registration, and an API route missing from the OpenAPI document (or a documented one not served).
func checkCoverage(t *testing.T, e *apptest.Env, routes []web.Route) bool {
	t.Helper()
	ok := true
	seen := map[string]bool{}
	for _, rt := range routes {
		key := rt.Method + " " + rt.Path
		seen[key] = true
		r, found := authzTable[key]
		if !found {
			t.Errorf("route %s (permission %q) has no row in the authorisation matrix: add one to authz_table_test.go", key, rt.Perm)
			ok = false
			continue
		}
		reg := rt.Perm
		if rt.Public {
			reg = public
		}
		if r.perm != reg {
			t.Errorf("route %s is registered with permission %q, the matrix says %q: decide which is right", key, reg, r.perm)
			ok = false
		}
		if r.write != (rt.Method != "GET") {
			t.Errorf("route %s: row kind (write=%v) does not match its method", key, r.write)
			ok = false
		}
		if r.obj == nil && r.attach == "" && strings.Count(rt.Path, "{") > len(r.params)+strings.Count(rt.Path, "{$}") {
			t.Errorf("route %s names an object but its row has none", key)
			ok = false
		}
	}
	for key := range authzTable {
		if !seen[key] {
			t.Errorf("matrix row %s matches no route: remove it", key)
			ok = false
		}
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	resp := e.Anonymous().Get("/api/v1/openapi.json")
	if err := json.Unmarshal([]byte(resp.Body), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+p] = true
		}
	}
	for _, rt := range routes {
		if rt.API && !documented[rt.Method+" "+rt.Path] {
			t.Errorf("API route %s %s is missing from /api/v1/openapi.json", rt.Method, rt.Path)
			ok = false
		}
		delete(documented, rt.Method+" "+rt.Path)
	}
	for k := range documented {
		t.Errorf("/api/v1/openapi.json documents %s, which no API route serves", k)
		ok = false
	}
	return ok
}

// exportsDeclared asks every GET route not marked as an export for ?format=xlsx as the system administrator: a
// route that answers with a workbook must say so in its row, so that its export is checked for every account
// like the page is.
func (m *matrix) exportsDeclared(t *testing.T, routes []web.Route) {
	t.Helper()
	admin := m.accounts[0]
	for _, rt := range routes {
		key := rt.Method + " " + rt.Path
		r := authzTable[key]
		if rt.Method != "GET" || rt.Public || r.file || r.export || r.attach != "" {
			continue
		}
		vals := map[string]string{}
		for k, v := range r.params {
			vals[k] = v
		}
		if r.obj != nil {
			ov, ok := m.object(t, r, "", admin, inScope)
			if !ok {
				continue
			}
			for k, v := range ov {
				vals[k] = v
			}
		}
		q := strings.TrimPrefix(fill(r.query, vals)+"&format=xlsx", "&")
		cl := admin.browser
		if rt.API {
			cl = admin.api
		}
		resp := cl.Get(fill(rt.Path, vals) + "?" + q)
		if strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
			t.Errorf("%s answers ?format=xlsx with a workbook: declare the export in its row (.xlsx())", key)
		}
	}
}

func ctxBG() context.Context { return context.Background() }
