// Package apptest starts the whole program (the same assembly as `govops serve`) on a fresh database for handler
// and end-to-end tests, and gives clients that sign in the way a browser or an integration would.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/app"
	"github.com/govops/govops/internal/demo"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/config"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/db/dbtest"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/xlsx"
)

// AdminPassword is the password of the first admin in tests.
const AdminPassword = "Root#Pass-2026"

// DefaultNow is where the clock of a test program stands unless Options.Now says otherwise: a Monday, 10:00 in
// Beijing (the browser tests' servers start there too, internal/browsertest).
var DefaultNow = time.Date(2026, 11, 16, 2, 0, 0, 0, time.UTC)

// Env is a running program.
type Env struct {
	T      testing.TB
	App    *app.App
	Server *httptest.Server
	Clock  *clock.Fixed
}

// Options tune New.
type Options struct {
	Demo bool // load the demo province
	// Now is the instant the program's clock stands at (zero: DefaultNow).
	Now time.Time
	// Configure changes the program's configuration before it starts (e.g. a metrics token).
	Configure func(*config.Config)
}

// New starts the program on a fresh database (SQLite, or PostgreSQL when GOVOPS_TEST_POSTGRES is set).
//
// The database is a copy of a template built once per test binary (dbtest.Clone): the first start (migrations,
// regions, reference data, the first admin) and, with Options.Demo, the demo province are done once for each
// combination of what decides their content — the demo flag, the clock's start and the configuration — and every
// test gets its own copy, so none sees another's writes. Options.Configure may therefore be called twice (once to
// read the configuration the template depends on); when it sets the database itself, no template is used.
func New(tb testing.TB, opt ...Options) *Env {
	tb.Helper()
	var o Options
	if len(opt) > 0 {
		o = opt[0]
	}
	c := config.Defaults()
	c.DB = pendingDB
	c.AdminPassword = AdminPassword
	c.JT808Addr = "" // no fixed device port: tests and twin instances run side by side (gateway tests listen on :0)
	c.DataDir = tb.TempDir()
	if o.Now.IsZero() {
		o.Now = DefaultNow
	}
	clk := clock.NewFixed(o.Now)
	probe := c
	if o.Configure != nil {
		o.Configure(&probe)
	}
	templated := probe.DB == pendingDB
	if templated {
		c.DB = clone(tb, probe, clk.Now(), o.Demo)
	}
	if o.Configure != nil {
		o.Configure(&c)
	}
	if c.DB == pendingDB {
		c.DB = dbtest.DSN(tb)
	}
	a, err := app.Open(context.Background(), c, testLogger(), clk)
	if err != nil {
		tb.Fatalf("app.Open: %v", err)
	}
	if o.Demo && !templated {
		if _, err := demo.Load(context.Background(), demoDeps(a)); err != nil {
			tb.Fatalf("demo: %v", err)
		}
	}
	srv := httptest.NewServer(a.Handler())
	tb.Cleanup(func() {
		srv.Close()
		a.Stop(context.Background())
		a.Close()
	})
	return &Env{T: tb, App: a, Server: srv, Clock: clk}
}

// pendingDB stands in Config.DB until New knows whether Options.Configure chooses the database.
const pendingDB = "apptest:template"

// clone returns a copy, for this test, of the database the program has after its first start at now (and after
// the demo was loaded, with demo) under configuration c.
func clone(tb testing.TB, c config.Config, now time.Time, withDemo bool) string {
	tb.Helper()
	c.DB, c.DataDir = "", ""
	key := fmt.Sprintf("apptest demo=%t now=%s config=%+v", withDemo, now.Format(time.RFC3339Nano), c)
	return dbtest.Clone(tb, key, func(ctx context.Context, dsn string) error {
		dir, err := os.MkdirTemp("", "govops-apptest-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		// The demo writes no files; a module whose demo does (attachments) must keep them out of the template.
		c.DB, c.DataDir = dsn, dir
		a, err := app.Open(ctx, c, testLogger(), clock.NewFixed(now))
		if err != nil {
			return fmt.Errorf("app.Open: %w", err)
		}
		defer a.Close()
		if withDemo {
			if _, err := demo.Load(ctx, demoDeps(a)); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
		}
		return nil
	})
}

func demoDeps(a *app.App) demo.Deps {
	return demo.Deps{DB: a.DB, Clock: a.Clock, Org: a.Org, Auth: a.Auth, Modules: a.Manifests}
}

func testLogger() *slog.Logger {
	var logw io.Writer = io.Discard
	if os.Getenv("GOVOPS_TEST_LOG") != "" {
		logw = os.Stderr
	}
	return slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Module returns the installed module of type T (the test fails when there is none), e.g.
// apptest.Module[*energy.Service](env).
func Module[T module.Module](e *Env) T {
	e.T.Helper()
	m, ok := module.Find[T](e.App.Modules)
	if !ok {
		e.T.Fatalf("no module %T is installed", m)
	}
	return m
}

// OrgID finds a unit by its name (the test fails when there is none).
func (e *Env) OrgID(tb testing.TB, name string) int64 {
	tb.Helper()
	var id int64
	if err := e.App.DB.QueryRow(context.Background(), "SELECT id FROM orgs WHERE name = ?", name).Scan(&id); err != nil {
		tb.Fatalf("unit %s: %v", name, err)
	}
	return id
}

// Count runs a COUNT query on the program's database.
func (e *Env) Count(tb testing.TB, query string, args ...any) int64 {
	tb.Helper()
	n, err := db.Count(context.Background(), e.App.DB, query, args...)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// Client talks to the server as one user.
type Client struct {
	env   *Env
	HTTP  *http.Client
	Token string // bearer token (API clients)
	CSRF  string // browser clients
}

// Anonymous returns a client that is not signed in (cookies kept, redirects not followed).
func (e *Env) Anonymous() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{env: e, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// API signs in through POST /api/v1/auth/login and returns a bearer-token client.
func (e *Env) API(username, password string) *Client {
	e.T.Helper()
	c := e.Anonymous()
	var out struct {
		Token string `json:"token"`
	}
	if st := c.JSON("POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password}, &out); st != 200 {
		e.T.Fatalf("login %s: status %d", username, st)
	}
	c.Token = out.Token
	return c
}

// Admin is an API client signed in as admin.
func (e *Env) Admin() *Client { return e.API("admin", AdminPassword) }

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// Browser signs in through the /login form and returns a cookie client that sends the page's CSRF token.
func (e *Env) Browser(username, password string) *Client {
	e.T.Helper()
	c := e.Anonymous()
	resp := c.Form("POST", "/login", url.Values{"username": {username}, "password": {password}, "next": {"/"}})
	if resp.StatusCode != http.StatusSeeOther {
		e.T.Fatalf("browser login %s: status %d: %s", username, resp.StatusCode, resp.Body)
	}
	page := c.Get("/")
	m := csrfMeta.FindStringSubmatch(page.Body)
	if m == nil {
		e.T.Fatalf("no CSRF token on the home page of %s (status %d)", username, page.StatusCode)
	}
	c.CSRF = m[1]
	return c
}

// Response is a read response.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       string
}

func (c *Client) do(req *http.Request) Response { return c.send(req, true) }

// send performs req; csrfHeader adds the CSRF token as a header (forms carry it as a field instead).
func (c *Client) send(req *http.Request, csrfHeader bool) Response {
	c.env.T.Helper()
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if csrfHeader && c.CSRF != "" && req.Method != "GET" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.env.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

func (c *Client) url(path string) string { return c.env.Server.URL + path }

// Get fetches a path.
func (c *Client) Get(path string) Response {
	c.env.T.Helper()
	req, _ := http.NewRequest("GET", c.url(path), nil)
	return c.do(req)
}

// Do sends a raw body.
func (c *Client) Do(method, path, contentType string, body []byte) Response {
	c.env.T.Helper()
	req, _ := http.NewRequest(method, c.url(path), bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return c.do(req)
}

// JSON sends v as JSON (nil: no body) and decodes the answer into out (when not nil). It returns the status.
func (c *Client) JSON(method, path string, v, out any) int {
	c.env.T.Helper()
	var body []byte
	if v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			c.env.T.Fatal(err)
		}
	}
	r := c.Do(method, path, "application/json", body)
	if out != nil && r.Body != "" {
		if err := json.Unmarshal([]byte(r.Body), out); err != nil {
			c.env.T.Fatalf("%s %s: decode %q: %v", method, path, r.Body, err)
		}
	}
	return r.StatusCode
}

// Form posts form values (with the CSRF token of a browser client).
func (c *Client) Form(method, path string, v url.Values) Response {
	c.env.T.Helper()
	if c.CSRF != "" {
		v.Set("csrf_token", c.CSRF)
	}
	req, _ := http.NewRequest(method, c.url(path), strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.send(req, false)
}

// Upload posts a multipart form with one file part named "file" and extra fields.
func (c *Client) Upload(path, filename string, data []byte, fields map[string]string) Response {
	c.env.T.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if c.CSRF != "" {
		_ = mw.WriteField("csrf_token", c.CSRF)
	}
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", c.url(path), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(req, false)
}

// ErrorBody is the JSON error shape.
type ErrorBody struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// ID extracts the "id" of a JSON object answer.
func ID(body string) int64 {
	var v struct {
		ID int64 `json:"id"`
	}
	_ = json.Unmarshal([]byte(body), &v)
	return v.ID
}

// Sheet fetches path as an Excel export and returns the rows of its first sheet; the test fails unless the answer
// is a workbook.
func (c *Client) Sheet(path string) [][]string {
	c.env.T.Helper()
	r := c.Get(path)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
		c.env.T.Fatalf("GET %s: %d %s, want a workbook", path, r.StatusCode, r.Header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
	if err != nil {
		c.env.T.Fatalf("GET %s: %v", path, err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		c.env.T.Fatalf("GET %s: %v", path, err)
	}
	return rows
}

// SheetTable is Sheet without the layout of a titled export (xlsx.Table): the header row, then the data rows —
// no title, no 单位/导出日期 row, no 合计 row.
func (c *Client) SheetTable(path string) [][]string {
	c.env.T.Helper()
	h, data := xlsx.Table(c.Sheet(path))
	return append([][]string{h}, data...)
}
