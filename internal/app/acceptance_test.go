package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/demo"
	"github.com/govops/govops/internal/platform/config"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/workflow"
)

func TestHealthReadyMetrics(t *testing.T) {
	const token = "scrape-7f3c9a1e2b8d"
	env := apptest.New(t, apptest.Options{Configure: func(c *config.Config) { c.MetricsToken = token }})
	c := env.Anonymous()
	if r := c.Get("/healthz"); r.StatusCode != 200 || strings.TrimSpace(r.Body) != "ok" {
		t.Fatalf("/healthz = %d %q", r.StatusCode, r.Body)
	}
	if r := c.Get("/readyz"); r.StatusCode != 200 {
		t.Fatalf("/readyz = %d", r.StatusCode)
	}
	c.Get("/login")
	// /metrics needs the operator's token: none or a wrong one is 401 (and says nothing about the program).
	if r := c.Get("/metrics"); r.StatusCode != 401 || strings.Contains(r.Body, "govops_build_info") {
		t.Fatalf("/metrics without the token = %d", r.StatusCode)
	}
	c.Token = "wrong-token-0000000"
	if r := c.Get("/metrics"); r.StatusCode != 401 {
		t.Fatalf("/metrics with a wrong token = %d", r.StatusCode)
	}
	c.Token = token
	r := c.Get("/metrics")
	for _, want := range []string{"govops_http_request_duration_seconds_bucket", `route="GET /login"`, "govops_build_info",
		"go_sql_open_connections", "go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// Without a token configured there is no /metrics at all.
	if r := apptest.New(t).Anonymous().Get("/metrics"); r.StatusCode != 404 {
		t.Errorf("/metrics without a configured token = %d, want 404", r.StatusCode)
	}
	env.App.DB.Close()
	if r := c.Get("/readyz"); r.StatusCode != 503 {
		t.Errorf("/readyz with the database closed = %d, want 503", r.StatusCode)
	}
}

func TestLoginErrorsAndLockout(t *testing.T) {
	env := apptest.New(t)
	c := env.Anonymous()
	var e apptest.ErrorBody
	if st := c.JSON("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": "wrong"}, &e); st != 401 || e.Error.Code != "unauthenticated" {
		t.Fatalf("bad password = %d %+v", st, e)
	}
	if !strings.ContainsAny(e.Error.Message, "用户名密码错误") {
		t.Errorf("message not Chinese: %q", e.Error.Message)
	}
	if r := c.Do("POST", "/api/v1/auth/login", "application/json", []byte(`{"username":`)); r.StatusCode != 400 || !strings.Contains(r.Body, `"bad_request"`) {
		t.Fatalf("malformed JSON = %d %s", r.StatusCode, r.Body)
	}
	if r := c.Do("POST", "/api/v1/auth/login", "application/json", []byte(`{"username":5,"password":"x"}`)); r.StatusCode != 422 || !strings.Contains(r.Body, `"username"`) {
		t.Fatalf("wrong type = %d %s", r.StatusCode, r.Body)
	}
	if st := c.JSON("POST", "/api/v1/auth/login", map[string]string{"username": "", "password": ""}, &e); st != 422 || e.Error.Fields["username"] == "" {
		t.Fatalf("empty = %d %+v", st, e)
	}
	// Four more failures (five in all) lock the account; the right password is then refused with 423.
	for i := 0; i < 3; i++ {
		c.JSON("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": "wrong"}, nil)
	}
	if st := c.JSON("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": "wrong"}, &e); st != 423 {
		t.Fatalf("fifth failure = %d, want 423", st)
	}
	if st := c.JSON("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": apptest.AdminPassword}, &e); st != 423 || e.Error.Code != "locked" {
		t.Fatalf("locked account with the right password = %d %+v", st, e)
	}
	env.Clock.Advance(31 * time.Minute)
	var ok struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
		User      struct {
			ID       int64    `json:"id"`
			Username string   `json:"username"`
			Roles    []string `json:"roles"`
		} `json:"user"`
	}
	if st := c.JSON("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": apptest.AdminPassword}, &ok); st != 200 {
		t.Fatalf("login after the lock expired = %d", st)
	}
	if ok.Token == "" || ok.User.Username != "admin" || len(ok.User.Roles) != 1 || ok.ExpiresAt.IsZero() {
		t.Fatalf("login answer = %+v", ok)
	}
}

func TestAuditOnlyForAuditAdmin(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	env.Anonymous().JSON("POST", "/api/v1/auth/login", map[string]string{"username": "space", "password": "nope"}, nil)
	for _, u := range []string{"admin", "secadmin", "space", "supervisor"} {
		pw := demo.Password
		if u == "admin" {
			pw = apptest.AdminPassword
		}
		if st := env.API(u, pw).JSON("GET", "/api/v1/audit", nil, nil); st != 403 {
			t.Errorf("%s reads the audit log: %d", u, st)
		}
	}
	auditor := env.API("auditor", demo.Password)
	var page struct {
		Items []struct {
			Action   string         `json:"action"`
			Actor    string         `json:"actor"`
			Success  bool           `json:"success"`
			ObjectID string         `json:"object_id"`
			Detail   map[string]any `json:"detail"`
		} `json:"items"`
		Total int `json:"total"`
	}
	if st := auditor.JSON("GET", "/api/v1/audit?action=auth.login&success=false", nil, &page); st != 200 {
		t.Fatalf("auditor: %d", st)
	}
	found := false
	for _, it := range page.Items {
		if it.Actor == "space" && !it.Success {
			found = true
		}
	}
	if !found {
		t.Fatalf("failed login of space not in the audit log: %+v", page.Items)
	}
	if st := auditor.JSON("GET", "/api/v1/orgs", nil, nil); st != 403 {
		t.Errorf("the audit administrator reads business data: %d", st)
	}
	var v struct {
		OK      bool `json:"ok"`
		Checked int  `json:"checked"`
	}
	if st := auditor.JSON("GET", "/api/v1/audit/verify", nil, &v); st != 200 || !v.OK || v.Checked < 100 {
		t.Fatalf("verify = %d %+v", st, v)
	}
}

type org struct {
	ID       int64  `json:"id"`
	ParentID int64  `json:"parent_id"`
	Name     string `json:"name"`
	Path     string `json:"path"`
}

func TestOrgTreeAndScope(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	admin := env.Admin()
	var root org
	var list struct {
		Items []org `json:"items"`
		Total int64 `json:"total"`
	}
	if st := admin.JSON("GET", "/api/v1/orgs?parent_id=0", nil, &list); st != 200 || list.Total != 1 {
		t.Fatalf("roots = %d %+v", st, list)
	}
	root = list.Items[0]
	var a, b org
	mk := func(in map[string]any, out any) int {
		return admin.JSON("POST", "/api/v1/orgs", in, out)
	}
	if st := mk(map[string]any{"name": "测试甲局", "parent_id": root.ID, "kind": "organ", "admin_level": "provincial", "credit_code": "91350100M000100Y43"}, &a); st != 201 {
		t.Fatalf("create = %d", st)
	}
	if st := mk(map[string]any{"name": "测试乙处", "parent_id": a.ID, "kind": "organ", "admin_level": "provincial"}, &b); st != 201 || b.ParentID != a.ID {
		t.Fatalf("create child = %d %+v", st, b)
	}
	var e apptest.ErrorBody
	if st := mk(map[string]any{"name": "坏代码", "parent_id": root.ID, "kind": "organ", "admin_level": "county", "credit_code": "91350100M000100Y44"}, nil); st != 422 {
		t.Fatalf("bad credit code = %d", st)
	}
	admin.JSON("POST", "/api/v1/orgs", map[string]any{"name": "坏代码", "parent_id": root.ID, "kind": "x", "admin_level": "county", "credit_code": "91350100M000100Y44"}, &e)
	if e.Error.Code != "validation" || e.Error.Fields["credit_code"] == "" || e.Error.Fields["kind"] == "" {
		t.Fatalf("422 fields = %+v", e)
	}
	if st := mk(map[string]any{"name": "重复代码", "parent_id": root.ID, "kind": "organ", "admin_level": "county", "credit_code": "91350100M000100Y43"}, nil); st != 409 {
		t.Fatalf("duplicate credit code = %d, want 409", st)
	}
	// Moving a unit under its own descendant would make a cycle.
	if st := admin.JSON("POST", fmt.Sprintf("/api/v1/orgs/%d/move", a.ID), map[string]any{"parent_id": b.ID}, &e); st != 409 {
		t.Fatalf("cycle = %d, want 409", st)
	}
	if st := admin.JSON("PATCH", fmt.Sprintf("/api/v1/orgs/%d", a.ID), map[string]any{"parent_id": a.ID}, nil); st != 409 {
		t.Fatalf("self parent = %d, want 409", st)
	}
	// A legal move rewrites the subtree's paths.
	var qs list2
	admin.JSON("GET", "/api/v1/orgs?q="+url.QueryEscape("青山市机关事务管理局"), nil, &qs)
	qingshan := qs.Items[0]
	var moved org
	if st := admin.JSON("POST", fmt.Sprintf("/api/v1/orgs/%d/move", a.ID), map[string]any{"parent_id": qingshan.ID}, &moved); st != 200 {
		t.Fatalf("move = %d", st)
	}
	var child org
	admin.JSON("GET", fmt.Sprintf("/api/v1/orgs/%d", b.ID), nil, &child)
	if !strings.HasPrefix(child.Path, qingshan.Path) || moved.Path != qingshan.Path+fmt.Sprint(a.ID)+"/" {
		t.Fatalf("paths after move: a=%s b=%s qingshan=%s", moved.Path, child.Path, qingshan.Path)
	}
	// A unit with children or people cannot be deleted.
	if st := admin.JSON("DELETE", fmt.Sprintf("/api/v1/orgs/%d", a.ID), nil, nil); st != 409 {
		t.Fatalf("delete with a child = %d, want 409", st)
	}
	if st := admin.JSON("POST", "/api/v1/people", map[string]any{"org_id": b.ID, "name": "王五", "rank": "staff"}, nil); st != 201 {
		t.Fatalf("person = %d", st)
	}
	if st := admin.JSON("DELETE", fmt.Sprintf("/api/v1/orgs/%d", b.ID), nil, nil); st != 409 {
		t.Fatalf("delete with people = %d, want 409", st)
	}

	// The qingshan user (subtree of 青山市机关事务管理局) sees its subtree, and 404 elsewhere.
	qs2 := env.API("qingshan", demo.Password)
	var mine list2
	if st := qs2.JSON("GET", "/api/v1/orgs?page_size=500", nil, &mine); st != 200 {
		t.Fatal(st)
	}
	for _, o := range mine.Items {
		if !strings.HasPrefix(o.Path, qingshan.Path) {
			t.Fatalf("subtree user sees %s (%s)", o.Name, o.Path)
		}
	}
	if mine.Total < 30 {
		t.Fatalf("subtree user sees only %d units", mine.Total)
	}
	if st := qs2.JSON("GET", fmt.Sprintf("/api/v1/orgs/%d", root.ID), nil, &e); st != 404 || e.Error.Code != "not_found" {
		t.Fatalf("out-of-scope read = %d", st)
	}
	if st := qs2.JSON("GET", fmt.Sprintf("/api/v1/orgs/%d", b.ID), nil, nil); st != 200 {
		t.Fatalf("in-scope read (moved unit) = %d", st)
	}
	// Writes outside the scope fail and change nothing.
	var other list2
	admin.JSON("GET", "/api/v1/orgs?q="+url.QueryEscape("绿水市机关事务管理局"), nil, &other)
	lvshui := other.Items[0]
	if st := qs2.JSON("PATCH", fmt.Sprintf("/api/v1/orgs/%d", lvshui.ID), map[string]any{"name": "改名"}, nil); st != 404 {
		t.Fatalf("out-of-scope update = %d", st)
	}
	if st := qs2.JSON("POST", "/api/v1/orgs", map[string]any{"name": "越权", "parent_id": lvshui.ID, "kind": "organ", "admin_level": "county"}, nil); st != 404 {
		t.Fatalf("out-of-scope create = %d", st)
	}
	if st := qs2.JSON("POST", "/api/v1/people", map[string]any{"org_id": lvshui.ID, "name": "越权", "rank": "staff"}, nil); st != 404 {
		t.Fatalf("out-of-scope person = %d", st)
	}
	if st := qs2.JSON("POST", fmt.Sprintf("/api/v1/orgs/%d/move", b.ID), map[string]any{"parent_id": lvshui.ID}, nil); st != 404 {
		t.Fatalf("move out of scope = %d", st)
	}
	var still org
	admin.JSON("GET", fmt.Sprintf("/api/v1/orgs/%d", lvshui.ID), nil, &still)
	if still.Name != "绿水市机关事务管理局" {
		t.Fatalf("out-of-scope write changed the unit: %+v", still)
	}
	var people struct {
		Items []struct {
			OrgID int64 `json:"org_id"`
		} `json:"items"`
		Total int64 `json:"total"`
	}
	qs2.JSON("GET", "/api/v1/people?page_size=500", nil, &people)
	var all struct{ Total int64 }
	admin.JSON("GET", "/api/v1/people", nil, &all)
	if people.Total == 0 || people.Total >= all.Total {
		t.Fatalf("scoped people = %d of %d", people.Total, all.Total)
	}
	// A unit-scoped user sees exactly its unit; a self-scoped employee only themselves.
	edu := env.API("edu", demo.Password)
	var one list2
	edu.JSON("GET", "/api/v1/orgs", nil, &one)
	if one.Total != 1 {
		t.Fatalf("unit scope sees %d units", one.Total)
	}
	emp := env.API("employee", demo.Password)
	if st := emp.JSON("GET", "/api/v1/orgs", nil, nil); st != 403 {
		t.Fatalf("employee lists units: %d", st)
	}
}

type list2 struct {
	Items []org `json:"items"`
	Total int64 `json:"total"`
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	env := apptest.New(t)
	r := env.Anonymous().Get("/api/v1/openapi.json")
	if r.StatusCode != 200 {
		t.Fatal(r.StatusCode)
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, rt := range env.App.UI.Routes() {
		if !strings.HasPrefix(rt.Path, "/api/") {
			continue
		}
		n++
		if !rt.API {
			t.Errorf("%s %s is under /api/ but registered as a page (undocumented)", rt.Method, rt.Path)
			continue
		}
		p := strings.ReplaceAll(rt.Path, "...}", "}")
		if _, ok := doc.Paths[p][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("openapi.json lacks %s %s", rt.Method, rt.Path)
		}
	}
	if n < 30 || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("only %d API routes / openapi %q", n, doc.OpenAPI)
	}
}

func TestLoginPageAndBrowserSession(t *testing.T) {
	env := apptest.New(t)
	c := env.Anonymous()
	if r := c.Get("/orgs"); r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Fatalf("/orgs without a session = %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	r := c.Get("/login")
	if r.StatusCode != 200 || !strings.Contains(r.Body, "登录") || !strings.Contains(r.Body, `lang="zh-CN"`) {
		t.Fatalf("/login = %d", r.StatusCode)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if r.Header.Get(h) == "" {
			t.Errorf("missing security header %s", h)
		}
	}
	if strings.Contains(r.Header.Get("Content-Security-Policy"), "unsafe-inline") {
		t.Error("CSP allows inline code")
	}
	bad := c.Form("POST", "/login", url.Values{"username": {"admin"}, "password": {"x"}})
	if bad.StatusCode != 401 || !strings.Contains(bad.Body, "用户名或密码错误") {
		t.Fatalf("bad form login = %d", bad.StatusCode)
	}
	b := env.Browser("admin", apptest.AdminPassword)
	// The session cookie is HttpOnly and SameSite.
	u, _ := url.Parse(env.Server.URL)
	if len(b.HTTP.Jar.Cookies(u)) == 0 {
		t.Fatal("no session cookie")
	}
	home := b.Get("/")
	if home.StatusCode != 200 || !strings.Contains(home.Body, "单位") {
		t.Fatalf("home = %d", home.StatusCode)
	}
	// A state change without the CSRF token is refused.
	raw := env.Anonymous()
	raw.HTTP.Jar = b.HTTP.Jar
	if r := raw.Form("POST", "/orgs", url.Values{"name": {"无令牌"}}); r.StatusCode != 403 {
		t.Fatalf("POST without CSRF token = %d, want 403", r.StatusCode)
	}
	if r := b.Do("POST", "/logout", "", nil); r.StatusCode != 303 {
		t.Fatalf("logout = %d", r.StatusCode)
	}
	if r := b.Get("/"); r.StatusCode != 303 {
		t.Fatalf("after logout = %d", r.StatusCode)
	}
}

func TestIdleTimeout(t *testing.T) {
	env := apptest.New(t)
	b := env.Browser("admin", apptest.AdminPassword)
	env.Clock.Advance(20 * time.Minute)
	if r := b.Get("/orgs"); r.StatusCode != 200 {
		t.Fatalf("after 20 idle minutes = %d", r.StatusCode)
	}
	env.Clock.Advance(31 * time.Minute)
	if r := b.Get("/orgs"); r.StatusCode != 303 {
		t.Fatalf("after 31 idle minutes = %d, want a redirect to sign in", r.StatusCode)
	}
}

// TestUnitSwitcher: a wide-scope user narrows every list to a unit's subtree for the session, and back.
func TestUnitSwitcher(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	b := env.Browser("space", demo.Password)
	home := b.Get("/")
	if !strings.Contains(home.Body, `id="focus-org"`) {
		t.Fatal("no unit switcher for a subtree user")
	}
	var l list2
	api := env.Admin()
	api.JSON("GET", "/api/v1/orgs?q="+url.QueryEscape("青山市机关事务管理局"), nil, &l)
	qs := l.Items[0]
	if r := b.Form("POST", "/session/focus", url.Values{"org_id": {fmt.Sprint(qs.ID)}}); r.StatusCode != 303 {
		t.Fatalf("focus = %d", r.StatusCode)
	}
	var mine list2
	b.JSON("GET", "/api/v1/orgs?page_size=500", nil, &mine)
	for _, o := range mine.Items {
		if !strings.HasPrefix(o.Path, qs.Path) {
			t.Fatalf("after focusing on 青山市 the list shows %s", o.Name)
		}
	}
	// A unit that does not exist (or lies outside the user's scope) cannot be chosen.
	if r := b.Form("POST", "/session/focus", url.Values{"org_id": {"999999"}}); r.StatusCode != 404 {
		t.Fatalf("focus on a missing unit = %d", r.StatusCode)
	}
	b.Form("POST", "/session/focus", url.Values{"org_id": {"0"}})
	var back list2
	b.JSON("GET", "/api/v1/orgs?page_size=1", nil, &back)
	if back.Total <= mine.Total {
		t.Fatalf("clearing the focus: %d units, focused %d", back.Total, mine.Total)
	}
}

// TestApprovalNotifies: a workflow step that opens puts a notification in its approvers' inbox (in the same
// transaction), and the result goes back to the requester.
func TestApprovalNotifies(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	ctx := t.Context()
	a := env.App
	a.Workflow.RegisterType(workflow.Type{Code: "test.request", Name: "测试申请", Link: "/test/{id}"})
	var chain struct{ ID int64 }
	if st := env.Admin().JSON("POST", "/api/v1/workflow/chains", map[string]any{"type": "test.request", "name": "默认", "steps": []map[string]any{
		{"name": "用户审批", "mode": "any", "kind": "users", "user_ids": []int64{userID(t, env, "secadmin")}}}}, &chain); st != 201 {
		t.Fatalf("chain = %d", st)
	}
	requester := userID(t, env, "supervisor")
	var orgID int64
	if err := a.DB.QueryRow(ctx, "SELECT id FROM orgs WHERE parent_id IS NULL").Scan(&orgID); err != nil {
		t.Fatal(err)
	}
	var inst workflow.Instance
	err := a.DB.Tx(ctx, func(q db.Q) error {
		var err error
		inst, err = a.Workflow.Submit(ctx, q, workflow.SubmitInput{Type: "test.request", ObjectID: 7, RequesterID: requester, OrgID: orgID, Title: "申请七号"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	approver := env.API("secadmin", demo.Password)
	var unread struct {
		Count int64 `json:"count"`
	}
	approver.JSON("GET", "/api/v1/notifications/unread-count", nil, &unread)
	if unread.Count != 1 {
		t.Fatalf("approver unread = %d", unread.Count)
	}
	if st := approver.JSON("POST", fmt.Sprintf("/api/v1/workflow/instances/%d/approve", inst.ID), map[string]string{"comment": "同意"}, nil); st != 200 {
		t.Fatalf("approve = %d", st)
	}
	env.API("supervisor", demo.Password).JSON("GET", "/api/v1/notifications/unread-count", nil, &unread)
	if unread.Count != 1 {
		t.Fatalf("requester unread after approval = %d", unread.Count)
	}
	b := env.Browser("supervisor", demo.Password)
	if home := b.Get("/"); !strings.Contains(home.Body, `<span class="count">1</span>`) {
		t.Fatal("no unread badge in the top bar")
	}
}

func userID(t *testing.T, env *apptest.Env, username string) int64 {
	var id int64
	if err := env.App.DB.QueryRow(t.Context(), "SELECT id FROM users WHERE username = ?", username).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestTodo: one to-do list gathers what waits for each user — approvals, report reviews, over-quota explanations,
// reading anomalies, repairs to approve — on the page, in the API and in the top-bar count, each item linking to
// where the work is done; an employee with nothing to do gets an empty list.
func TestTodo(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	type list struct {
		Items []module.Todo `json:"items"`
		Total int64         `json:"total"`
	}
	kinds := func(user string) (map[string]int, list) {
		t.Helper()
		var l list
		if st := env.API(user, "Demo@2026").JSON("GET", "/api/v1/todo", nil, &l); st != 200 {
			t.Fatalf("%s: /api/v1/todo = %d", user, st)
		}
		k := map[string]int{}
		for _, it := range l.Items {
			k[it.Kind]++
			if it.Title == "" || !strings.HasPrefix(it.Link, "/") {
				t.Errorf("%s: to-do without title or link: %+v", user, it)
			}
		}
		return k, l
	}
	songling, sl := kinds("songling")
	if songling["energy.report.review"] == 0 || songling["energy.quota.explain"] == 0 {
		t.Errorf("songling (county bureau) should review a report and explain an over-quota unit: %v", songling)
	}
	energy, _ := kinds("energy")
	if energy["workflow.approve"] == 0 || energy["energy.anomaly"] == 0 {
		t.Errorf("energy should approve an explanation and check anomalies: %v", energy)
	}
	if space, _ := kinds("space"); space["space.repair.approve"] == 0 {
		t.Errorf("space should approve a repair: %v", space)
	}
	// The employee's one to-do: confirming and rating a repair the service desk resolved (the services demo).
	if employee, l := kinds("employee"); len(employee) != 1 || employee["services.order.close"] == 0 || l.Total != int64(employee["services.order.close"]) {
		t.Errorf("the employee should only have a resolved repair to confirm: %v", employee)
	}
	// The page lists the same items, and the top bar and the home page count them.
	b := env.Browser("songling", "Demo@2026")
	page := b.Get("/todo")
	if page.StatusCode != 200 {
		t.Fatalf("/todo = %d", page.StatusCode)
	}
	for _, it := range sl.Items {
		if !strings.Contains(page.Body, html.EscapeString(it.Link)) {
			t.Errorf("/todo lacks %s", it.Link)
		}
	}
	count := fmt.Sprintf(`href="/todo" class="top-link" title="待办">待办 <span class="count">%d</span>`, sl.Total)
	if home := b.Get("/"); !strings.Contains(home.Body, count) || !strings.Contains(home.Body, "待审核统计报表") {
		t.Errorf("home page: no to-do count %d or group", sl.Total)
	}
	// Actions only for those who may take them: the employee, who approves nothing, is offered neither delegation nor
	// the approval tabs; the read-only supervisor is offered no over-quota explanation.
	emp := env.Browser("employee", "Demo@2026").Get("/inbox")
	if emp.StatusCode != 200 || strings.Contains(emp.Body, "/inbox/delegations") || strings.Contains(emp.Body, "tab=pending") || !strings.Contains(emp.Body, "tab=mine") {
		t.Errorf("the employee's inbox offers approval actions (%d)", emp.StatusCode)
	}
	if en := env.Browser("energy", "Demo@2026").Get("/inbox"); !strings.Contains(en.Body, "/inbox/delegations") || !strings.Contains(en.Body, "tab=pending") {
		t.Error("the energy manager approves explanations and should be offered delegation and the pending tab")
	}
	sup := env.Browser("supervisor", "Demo@2026").Get("/energy/quota-warnings?status=over")
	if sup.StatusCode != 200 || strings.Contains(sup.Body, "/energy/quota-explanations/new") {
		t.Errorf("the supervisor is offered to explain an over-quota unit (%d)", sup.StatusCode)
	}

	// Doing the work takes it off the list: approving the report leaves no review for songling.
	var review module.Todo
	for _, it := range sl.Items {
		if it.Kind == "energy.report.review" {
			review = it
		}
	}
	var orgID int64
	var year int
	if err := env.App.DB.QueryRow(context.Background(), "SELECT org_id, year FROM energy_reports WHERE status = 'submitted' AND org_id IN (SELECT id FROM orgs WHERE parent_id = ?)",
		env.OrgID(t, "松岭县机关事务服务中心")).Scan(&orgID, &year); err != nil {
		t.Fatalf("the submitted report of %q: %v", review.Title, err)
	}
	if st := env.API("songling", "Demo@2026").JSON("POST", fmt.Sprintf("/api/v1/energy/reports/%d/%d/approve", orgID, year), nil, nil); st != 200 {
		t.Fatalf("approve: %d", st)
	}
	if after, _ := kinds("songling"); after["energy.report.review"] != songling["energy.report.review"]-1 {
		t.Errorf("after approving, reviews %d (before %d)", after["energy.report.review"], songling["energy.report.review"])
	}
}

// TestActivityNames: the home page's activity feed names records as they are now and links them — a monthly
// entry reads "示范省档案馆 2026-10 柴油", a building its name — never an internal key or a bare "#id".
func TestActivityNames(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	unit := env.OrgID(t, "示范省档案馆")
	c := env.API("energy", "Demo@2026")
	if st := c.JSON("POST", "/api/v1/energy/consumption", map[string]any{"org_id": unit, "period": "2026-10", "energy_type": "diesel", "amount": 1000, "unit": "L"}, nil); st != 201 {
		t.Fatalf("consumption: %d", st)
	}
	home := env.Browser("energy", "Demo@2026").Get("/")
	want := fmt.Sprintf(`<a href="/energy/entry?org_id=%d&amp;year=2026">示范省档案馆 2026-10 柴油</a>`, unit)
	if !strings.Contains(home.Body, want) {
		t.Errorf("the feed does not name the entry: want %s in\n%s", want, section(home.Body, "最近动态"))
	}
	// The system administrator sees everybody's work, the demo's included: no keys, no bare ids.
	feed := section(env.Browser("admin", apptest.AdminPassword).Get("/").Body, "最近动态")
	if m := rawRef.FindString(feed); m != "" {
		t.Errorf("the admin's feed shows %q:\n%s", m, feed)
	}
}

// rawRef matches what people must not read: "#12", "12/2026-11/natural_gas", "energy.kgce_factor".
var rawRef = regexp.MustCompile(`#\d+|\d+/\d{4}-\d{2}/[a-z_]+|\b[a-z]+(?:_[a-z]+)*\.[a-z_]+\b`)

// section is the part of a page from the heading that contains title to the end of its section.
func section(body, title string) string {
	i := strings.Index(body, title)
	if i < 0 {
		return ""
	}
	if j := strings.Index(body[i:], "</section>"); j > 0 {
		return body[i : i+j]
	}
	return body[i:]
}

// TestHomeMine: the employee's home page shows their own office and requests ("我的"), and on a phone the unit
// switcher and the profile stay reachable.
func TestHomeMine(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	home := env.Browser("employee", "Demo@2026").Get("/")
	if home.StatusCode != 200 {
		t.Fatalf("home: %d", home.StatusCode)
	}
	mine := section(home.Body, "我的</h2>")
	if !strings.Contains(mine, "我的办公室") || !strings.Contains(mine, "使用面积") {
		t.Errorf("the employee's home does not show their office:\n%s", mine)
	}
	if !strings.Contains(home.Body, `href="/profile"`) || !strings.Contains(home.Body, `class="narrow-only">我的`) {
		t.Error("the profile is not reachable on a phone")
	}
	if c := env.Browser("songling", "Demo@2026").Get("/"); !strings.Contains(c.Body, `id="focus-org-menu"`) {
		t.Error("a county administrator's menu has no unit switcher for the phone")
	}
}
