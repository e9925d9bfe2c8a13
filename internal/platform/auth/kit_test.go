package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/db/dbtest"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/settings"
	"github.com/govops/govops/internal/platform/web"
)

// The tests of this package run the auth kit alone — its migrations on a real database (SQLite, or PostgreSQL with
// GOVOPS_TEST_POSTGRES), its routes behind the web kit, a fixed clock — without the business modules.

const adminPW = "Root#Pass-2026"

// fakeTree is an organisation of two units, /1/ and /1/2/, with no people.
type fakeTree struct{}

func (fakeTree) OrgPath(_ context.Context, _ db.Q, id int64) (string, error) {
	switch id {
	case 1:
		return "/1/", nil
	case 2:
		return "/1/2/", nil
	}
	return "", errs.NotFound("单位")
}
func (fakeTree) SubtreeIDs() string { return "SELECT 2 WHERE ? < ?" }
func (fakeTree) PersonOrg(context.Context, db.Q, int64) (int64, error) {
	return 0, errs.NotFound("人员")
}
func (fakeTree) OrgLabel(context.Context, db.Q, int64) string { return "" }

// kit is one server process: the auth service, its routes and an HTTP server.
type kit struct {
	t   *testing.T
	DB  *db.DB
	Clk *clock.Fixed
	S   *Service
	Srv *httptest.Server
}

func testClock() *clock.Fixed { return clock.NewFixed(time.Date(2026, 11, 16, 2, 0, 0, 0, time.UTC)) }

// newKit starts the kit on a fresh database; the first admin has adminPW.
func newKit(t *testing.T) *kit {
	t.Helper()
	return startKit(t, dbtest.New(t, audit.Migrations, settings.Migrations, Migrations), testClock())
}

// startKit starts one more server process on an existing (migrated) database.
func startKit(t *testing.T, d *db.DB, clk *clock.Fixed) *kit {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	u := web.New(log, "test")
	s := New(d, clk, log, u, fakeTree{})
	u.Authorize = s.Authorize
	u.Use(s.Middleware(false))
	s.Routes(false)
	if err := u.Build(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Seed(context.Background(), adminPW); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(u.Handler())
	t.Cleanup(srv.Close)
	return &kit{t: t, DB: d, Clk: clk, S: s, Srv: srv}
}

// user creates an account as the system (no initial password change) and returns it.
func (k *kit) user(name, pw string, roles ...string) *User {
	k.t.Helper()
	u, err := k.S.CreateUser(context.Background(), nil, Everything(), UserInput{Username: name, Password: pw, Roles: roles, DataScope: ScopeAll})
	if err != nil {
		k.t.Fatalf("create %s: %v", name, err)
	}
	return u
}

func (k *kit) userID(name string) int64 {
	k.t.Helper()
	var id int64
	if err := k.DB.QueryRow(context.Background(), "SELECT id FROM users WHERE username = ?", name).Scan(&id); err != nil {
		k.t.Fatalf("user %s: %v", name, err)
	}
	return id
}

func (k *kit) count(query string, args ...any) int64 {
	k.t.Helper()
	n, err := db.Count(context.Background(), k.DB, query, args...)
	if err != nil {
		k.t.Fatal(err)
	}
	return n
}

// client talks to the kit's server: with a bearer token (API) or a session cookie and the page's CSRF token.
type client struct {
	k     *kit
	http  *http.Client
	Token string
	CSRF  string
}

func (k *kit) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{k: k, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// errBody is the JSON error answer.
type errBody struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// api signs in through POST /api/v1/auth/login; the test fails unless it answers 200.
func (k *kit) api(name, pw string) *client {
	k.t.Helper()
	c := k.anon()
	var out LoginResult
	if st := c.JSON("POST", "/api/v1/auth/login", map[string]string{"username": name, "password": pw}, &out); st != 200 {
		k.t.Fatalf("login %s: %d", name, st)
	}
	c.Token = out.Token
	return c
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// browser signs in through the /login form and reads the CSRF token of the profile page.
func (k *kit) browser(name, pw string) *client {
	k.t.Helper()
	c := k.anon()
	st, _ := c.Form("/login", url.Values{"username": {name}, "password": {pw}, "next": {"/profile"}})
	if st != http.StatusSeeOther {
		k.t.Fatalf("browser login %s: %d", name, st)
	}
	st, body := c.Get("/profile")
	m := csrfMeta.FindStringSubmatch(body)
	if st != 200 || m == nil {
		k.t.Fatalf("profile of %s: %d, csrf %v", name, st, m)
	}
	c.CSRF = m[1]
	return c
}

func (c *client) send(req *http.Request) (int, string) {
	c.k.t.Helper()
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.k.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// JSON sends v (nil: no body) with the CSRF header of a browser client and decodes the answer into out.
func (c *client) JSON(method, path string, v, out any) int {
	c.k.t.Helper()
	var body io.Reader
	if v != nil {
		b, _ := json.Marshal(v)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.k.Srv.URL+path, body)
	if v != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.CSRF != "" && method != "GET" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	st, resp := c.send(req)
	if out != nil && resp != "" {
		if err := json.Unmarshal([]byte(resp), out); err != nil {
			c.k.t.Fatalf("%s %s: %d %s: %v", method, path, st, resp, err)
		}
	}
	return st
}

// Form posts a form (a browser client adds its CSRF token as the form field).
func (c *client) Form(path string, vals url.Values) (int, string) {
	c.k.t.Helper()
	if c.CSRF != "" && vals.Get("csrf_token") == "" {
		vals.Set("csrf_token", c.CSRF)
	}
	req, _ := http.NewRequest("POST", c.k.Srv.URL+path, strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.send(req)
}

func (c *client) Get(path string) (int, string) {
	c.k.t.Helper()
	req, _ := http.NewRequest("GET", c.k.Srv.URL+path, nil)
	req.Header.Set("Accept", "text/html")
	return c.send(req)
}

// login tries a sign-in and returns the status and error body.
func (c *client) login(name, pw string, totp ...string) (int, errBody) {
	c.k.t.Helper()
	var e errBody
	body := map[string]string{"username": name, "password": pw}
	if len(totp) > 0 {
		body["totp"] = totp[0]
	}
	st := c.JSON("POST", "/api/v1/auth/login", body, &e)
	return st, e
}
