package web

import (
	"bytes"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/errs"
)

//go:embed templates/*.html
var templatesRoot embed.FS

var templateFS = Sub(templatesRoot, "templates")

//go:embed i18n/en.json
var catalogEN []byte

// Sub returns the subtree dir of an embedded file system (templates/, i18n/); a missing directory is a build
// mistake and panics.
func Sub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

var errForbiddenNoAuth = errs.Forbidden("未配置鉴权")

// Crumb is one step of the breadcrumb.
type Crumb struct{ Label, Path string }

// Flash is a one-time message shown on the next page.
type Flash struct {
	Kind string `json:"k"` // success | error | info
	Text string `json:"t"`
}

// Globals is embedded in every page's data: who is signed in, the menu, the CSRF token, flashes, breadcrumb.
type Globals struct {
	Lang    string
	Title   string
	Crumbs  []Crumb
	User    Principal
	CSRF    string
	Flashes []Flash
	Menu    []MenuGroup
	Path    string
	Version string
	// Focus is the unit switcher's state (filled by Decorate).
	Focus *Focus
	// Unread is the number of unread notifications, Todo the number of things waiting for the user (filled by
	// Decorate).
	Unread, Todo int64
	// PrintUnit and Printed head the printed page (the unit it concerns, the time printed); a handler may set
	// PrintUnit for a page about one unit. Help is the page's help topic, when it has one (docs/printing.md,
	// docs/help.md).
	PrintUnit, Printed string
	Help               *HelpLink

	ui  *UI           // for UnitPicker
	req *http.Request // for UnitPicker
}

// Focus is the unit switcher: the unit the user is working in and the units they may switch to.
type Focus struct {
	Current   string
	CurrentID int64
	Options   []FocusOption
}

// FocusOption is a unit the switcher offers.
type FocusOption struct {
	ID    int64
	Label string
	Depth int
}

// Can reports whether the signed-in user holds perm (for templates).
func (g Globals) Can(perm string) bool { return g.User != nil && g.User.Can(perm) }

// G builds the globals for a page titled title ("key|默认" or plain text).
func (u *UI) G(r *http.Request, title string, crumbs ...Crumb) Globals {
	lang := Lang(r)
	g := Globals{
		Lang: lang, Title: u.Catalog.T(lang, title), Crumbs: crumbs,
		User: PrincipalFrom(r.Context()), CSRF: CSRFFrom(r.Context()), Path: r.URL.Path, Version: u.Version,
		ui: u, req: r,
	}
	for i := range g.Crumbs {
		g.Crumbs[i].Label = u.Catalog.T(lang, g.Crumbs[i].Label)
	}
	if f, ok := r.Context().Value(keyFlash).([]Flash); ok {
		g.Flashes = f
	}
	if g.User != nil {
		g.Menu = u.MenuFor(r, g.User)
	}
	if u.Decorate != nil {
		u.Decorate(r, &g)
	}
	u.fillPrint(r, &g)
	g.Help = u.helpFor(r, g.User)
	return g
}

// SetFlash queues a message for the next page the browser shows.
func (u *UI) SetFlash(w http.ResponseWriter, kind, text string) {
	b, _ := json.Marshal([]Flash{{Kind: kind, Text: text}})
	http.SetCookie(w, &http.Cookie{Name: "govops_flash", Value: base64.RawURLEncoding.EncodeToString(b), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: u.Secure, MaxAge: 60})
}

// Redirect answers a form post with 303 See Other, optionally with a flash message.
func (u *UI) Redirect(w http.ResponseWriter, r *http.Request, to, flash string) error {
	if flash != "" {
		u.SetFlash(w, "success", flash)
	}
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// JSON writes v with status.
func JSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return errs.Internal(err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
	_, _ = w.Write([]byte("\n"))
	return nil
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      errs.Code         `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

type errorPage struct {
	Globals
	Status  int
	Code    errs.Code
	Message string
	ReqID   string
}

// Error renders err: JSON for the API, a page for browsers (sign-in redirect when unauthenticated).
func (u *UI) Error(w http.ResponseWriter, r *http.Request, err error) {
	e := errs.As(err)
	if e == nil {
		e = errs.Internal(err)
	}
	status := errs.Status(e.Code)
	rid := RequestID(r.Context())
	if status >= 500 {
		u.Log.Error("request failed", "err", err, "method", r.Method, "path", r.URL.Path, "request_id", rid)
	} else {
		u.Log.Debug("request refused", "err", err, "path", r.URL.Path, "request_id", rid)
	}
	if e.Code == errs.CodeLocked || e.Code == errs.CodeRateLimited {
		w.Header().Set("Retry-After", "60")
	}
	if IsAPI(r) || wantsJSON(r) {
		_ = JSON(w, status, errorBody{Error: errorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields, RequestID: rid}})
		return
	}
	if e.Code == errs.CodeUnauthenticated {
		next := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			next = "/"
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	title := map[int]string{403: "web.err.403|无权访问", 404: "web.err.404|页面不存在", 409: "web.err.409|操作冲突",
		422: "web.err.422|输入有误", 400: "web.err.400|请求有误", 413: "web.err.413|内容过大", 423: "web.err.423|账户已锁定",
		429: "web.err.429|请求过于频繁"}[status]
	if title == "" {
		title = "web.err.500|服务器错误"
	}
	msg := e.Message
	if len(e.Fields) > 0 {
		var parts []string
		for k, v := range e.Fields {
			parts = append(parts, k+"："+v)
		}
		if len(parts) > 1 || !strings.Contains(msg, parts[0]) {
			msg += "（" + strings.Join(parts, "；") + "）"
		}
	}
	_ = u.Render(w, r, status, "web/error.html", &errorPage{Globals: u.G(r, title), Status: status, Code: e.Code, Message: msg, ReqID: rid})
}

func wantsJSON(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "application/json") && !strings.Contains(a, "text/html")
}

// Render executes page name (module/file.html) with data and writes it with status.
func (u *UI) Render(w http.ResponseWriter, r *http.Request, status int, name string, data any) error {
	t, err := u.tmpl.get(Lang(r), name)
	if err != nil {
		return errs.Internal(err)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return errs.Internal(fmt.Errorf("render %s: %w", name, err))
	}
	u.execMu.Lock()
	u.executed[name]++
	u.execMu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// Fragment executes a named template block of a page without the layout (for htmx swaps).
func (u *UI) Fragment(w http.ResponseWriter, r *http.Request, name, block string, data any) error {
	t, err := u.tmpl.get(Lang(r), name)
	if err != nil {
		return errs.Internal(err)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, data); err != nil {
		return errs.Internal(fmt.Errorf("render %s/%s: %w", name, block, err))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
	return nil
}

// Pages lists every page template, and Executed how often each was rendered (tests check that all ran).
func (u *UI) Pages() []string { return u.tmpl.names() }

// Executed returns the render counts per page.
func (u *UI) Executed() map[string]int {
	u.execMu.Lock()
	defer u.execMu.Unlock()
	out := make(map[string]int, len(u.executed))
	for k, v := range u.executed {
		out[k] = v
	}
	return out
}

// AddTemplates registers a module's page templates: every *.html at the root of fsys becomes page
// "module/file.html"; files starting with "_" are partials shared by that module's pages.
func (u *UI) AddTemplates(module string, fsys fs.FS) { u.tmpl.add(module, fsys) }

// Build prepares the page index; call once after all modules registered. A page's template set (the layout, the
// kit's and its module's partials, the page) is parsed on its first render in each language: parsing every set
// of every module at start held about 40 MB that most processes never use (ParseAll parses them all, for tests;
// see docs/benchmarks.md §Idle memory and long lists).
func (u *UI) Build() error { u.tmpl.index(); return nil }

// ParseAll parses every page's template set in every language and returns the first error: templates are parsed
// on first use, so a test calls this to find a broken page before a user does.
func (u *UI) ParseAll() error {
	ix := u.tmpl.index()
	for _, lang := range []string{LangZH, LangEN} {
		for _, name := range u.tmpl.names() {
			if _, err := ix.langs[lang].pages[name].get(); err != nil {
				return err
			}
		}
	}
	return nil
}

type templates struct {
	u       *UI
	sources []tmplSource
	mu      sync.Mutex
	ix      atomic.Pointer[tmplIndex]
}

type tmplSource struct {
	module string
	fsys   fs.FS
}

// tmplIndex knows every page of every language; each set is parsed once, on first use.
type tmplIndex struct {
	langs map[string]*tmplLang
}

type tmplLang struct {
	pages map[string]*lazyTemplate // "module/file.html" → its set
}

// lazyTemplate is a template set built on first use.
type lazyTemplate struct {
	once  sync.Once
	build func() (*template.Template, error)
	t     *template.Template
	err   error
}

func (l *lazyTemplate) get() (*template.Template, error) {
	l.once.Do(func() { l.t, l.err = l.build(); l.build = nil })
	return l.t, l.err
}

func newTemplates(u *UI) *templates { return &templates{u: u} }

func (t *templates) add(module string, fsys fs.FS) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sources = append(t.sources, tmplSource{module, fsys})
	t.ix.Store(nil)
}

// reset forgets the index (after template functions were added).
func (t *templates) reset() { t.ix.Store(nil) }

func (t *templates) names() []string {
	var out []string
	for _, s := range t.sources {
		files, _ := fs.Glob(s.fsys, "*.html")
		for _, f := range files {
			if !strings.HasPrefix(f, "_") && !(s.module == "web" && f == "layout.html") {
				out = append(out, s.module+"/"+f)
			}
		}
	}
	return out
}

func (t *templates) get(lang, name string) (*template.Template, error) {
	l, ok := t.index().langs[lang]
	if !ok {
		return nil, fmt.Errorf("language %q has no templates", lang)
	}
	p, ok := l.pages[name]
	if !ok {
		return nil, fmt.Errorf("template %q not found", name)
	}
	return p.get()
}

// index returns the page index, making it when the sources changed. Making it parses nothing.
func (t *templates) index() *tmplIndex {
	if ix := t.ix.Load(); ix != nil {
		return ix
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if ix := t.ix.Load(); ix != nil {
		return ix
	}
	ix := &tmplIndex{langs: map[string]*tmplLang{}}
	for _, lang := range []string{LangZH, LangEN} {
		ix.langs[lang] = t.langIndex(lang)
	}
	t.ix.Store(ix)
	return ix
}

// langIndex lays out the sets of one language: the kit's layout and partials come first; every module's partials
// are visible to its own pages. A page's set clones its module's base, which clones the kit's.
func (t *templates) langIndex(lang string) *tmplLang {
	sources := append([]tmplSource(nil), t.sources...)
	base := &lazyTemplate{build: func() (*template.Template, error) {
		b := template.New("").Funcs(t.u.funcs(lang))
		for _, s := range sources {
			if s.module != "web" {
				continue
			}
			if _, err := b.ParseFS(s.fsys, "layout.html", "_*.html"); err != nil {
				return nil, fmt.Errorf("web templates: %w", err)
			}
		}
		return b, nil
	}}
	l := &tmplLang{pages: map[string]*lazyTemplate{}}
	for _, s := range sources {
		modBase := base
		if partials, _ := fs.Glob(s.fsys, "_*.html"); len(partials) > 0 && s.module != "web" {
			modBase = &lazyTemplate{build: func() (*template.Template, error) {
				b, err := base.get()
				if err != nil {
					return nil, err
				}
				c, err := b.Clone()
				if err != nil {
					return nil, err
				}
				if _, err := c.ParseFS(s.fsys, "_*.html"); err != nil {
					return nil, fmt.Errorf("%s partials: %w", s.module, err)
				}
				return c, nil
			}}
		}
		files, _ := fs.Glob(s.fsys, "*.html")
		for _, f := range files {
			if strings.HasPrefix(f, "_") || (s.module == "web" && f == "layout.html") {
				continue
			}
			l.pages[s.module+"/"+f] = &lazyTemplate{build: func() (*template.Template, error) {
				b, err := modBase.get()
				if err != nil {
					return nil, err
				}
				c, err := b.Clone()
				if err != nil {
					return nil, err
				}
				if _, err := c.ParseFS(s.fsys, f); err != nil {
					return nil, fmt.Errorf("template %s/%s: %w", s.module, f, err)
				}
				return c, nil
			}}
		}
	}
	return l
}

func (u *UI) funcs(lang string) template.FuncMap {
	fm := template.FuncMap{
		"t": func(s string) string { return u.Catalog.T(lang, s) },
		"tf": func(s string, args ...any) string {
			return fmt.Sprintf(u.Catalog.T(lang, s), args...)
		},
		"asset": u.assetURL,
		"date":  formatDate,
		"datetime": func(v any) string {
			t := toTime(v)
			if t.IsZero() {
				return ""
			}
			return t.In(clock.Shanghai).Format("2006-01-02 15:04")
		},
		"num":  formatNum,
		"int":  formatInt,
		"yuan": func(fen int64) string { return FormatYuan(fen) },
		"pct":  func(v float64) string { return strconv.FormatFloat(v*100, 'f', 1, 64) + "%" },
		"add":  func(a, b int) int { return a + b },
		"sub":  func(a, b int) int { return a - b },
		"seq": func(n int) []int {
			s := make([]int, n)
			for i := range s {
				s[i] = i
			}
			return s
		},
		"dict":      dict,
		"unitField": u.unitField(lang),
		"list":      func(v ...any) []any { return v },
		"json":      func(v any) (string, error) { b, err := json.Marshal(v); return string(b), err },
		"query":     url.QueryEscape,
		"field":     func(fields map[string]string, name string) string { return fields[name] },
		"indent":    func(depth int) string { return strings.Repeat("　", depth) },
		"langIs":    func(l string) bool { return l == lang },
		"nz":        nonZero,
		"hasString": func(list []string, v string) bool {
			for _, x := range list {
				if x == v {
					return true
				}
			}
			return false
		},
	}
	for k, v := range u.extra {
		fm[k] = v
	}
	return fm
}

func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict needs key/value pairs")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, errors.New("dict keys must be strings")
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

func toTime(v any) time.Time {
	switch x := v.(type) {
	case time.Time:
		return x
	case *time.Time:
		if x == nil {
			return time.Time{}
		}
		return *x
	case int64:
		if x == 0 {
			return time.Time{}
		}
		return time.Unix(x, 0)
	}
	return time.Time{}
}

func formatDate(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	t := toTime(v)
	if t.IsZero() {
		return ""
	}
	return t.In(clock.Shanghai).Format(time.DateOnly)
}

// FormatYuan renders fen as yuan with two decimals and thousands separators.
func FormatYuan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	s := formatInt(fen/100) + fmt.Sprintf(".%02d", fen%100)
	if neg {
		return "-" + s
	}
	return s
}

func formatInt(v any) string {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	default:
		return fmt.Sprint(v)
	}
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatNum renders a float with up to 2 decimals and thousands separators.
// FormatNum renders a number as the "num" template function does: thousands separators and at most two decimals
// (trailing zeros dropped), "—" for NaN and infinities.
func FormatNum(v float64) string { return formatNum(v) }

func formatNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	whole := math.Trunc(v)
	frac := math.Abs(v - whole)
	s := formatInt(int64(whole))
	if v < 0 && whole == 0 {
		s = "-0"
	}
	if f := strconv.FormatFloat(frac, 'f', 2, 64); f != "0.00" {
		if f == "1.00" {
			return formatNum(math.Copysign(math.Abs(whole)+1, v))
		}
		s += strings.TrimRight(f[1:], "0")
	}
	return s
}

// nonZero shows a number in a form field, or nothing when it is zero (so typing does not append to a "0").
func nonZero(v any) any {
	switch x := v.(type) {
	case int:
		if x == 0 {
			return ""
		}
	case int64:
		if x == 0 {
			return ""
		}
	case float64:
		if x == 0 {
			return ""
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return v
}

// Option is a choice of a select field.
type Option struct{ Value, Label string }

// FormatTime renders Unix seconds as "2006-01-02 15:04" in Asia/Shanghai.
func FormatTime(unix int64) string {
	if unix == 0 {
		return ""
	}
	return time.Unix(unix, 0).In(clock.Shanghai).Format("2006-01-02 15:04")
}
