package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Viewports every page is photographed at.
const (
	desktopW, desktopH = 1366, 900
	phoneW, phoneH     = 390, 844
)

// actionTimeout bounds one browser step (a navigation, a click, a screenshot).
const actionTimeout = 30 * time.Second

// Tab is one browser tab in a browser context of its own (its own cookies), used by one person.
type Tab struct {
	t    *testing.T
	srv  *Server
	ctx  context.Context
	who  string // names the screenshots
	shot *shotDir
	mode string // "desktop" or "phone": the emulated screen

	mu       sync.Mutex
	problems []problem
	inflight map[network.RequestID]string
	allowed  map[string]bool // document URLs whose non-2xx status the test expects
}

// problem is something the browser reported that a person would notice (or a developer should).
type problem struct {
	kind, url, text string
}

// NewTab opens a tab in a fresh browser context at desktop size. who names its screenshots.
func (s *Server) NewTab(t *testing.T, who string) *Tab {
	t.Helper()
	parent := needBrowser(t)
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	b := &Tab{t: t, srv: s, ctx: ctx, who: who, shot: shotsFor(t, s), inflight: map[network.RequestID]string{}, allowed: map[string]bool{}}
	if err := chromedp.Listen(ctx, b.onEvent); err != nil {
		cancel()
		t.Fatalf("open tab: %v", err)
	}
	t.Cleanup(cancel)
	// A Chinese user's browser and clock for page scripts (Intl, Date). Native controls (date inputs, the file
	// chooser) keep the browser build's language, which is English in headless Chromium.
	b.must(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "zh_CN"}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Shanghai"})
		return err
	}))
	b.Desktop()
	return b
}

func (b *Tab) sameOrigin(u string) bool { return u == b.srv.URL || strings.HasPrefix(u, b.srv.URL+"/") }

// external reports a network URL (http, https, ws, wss) on another host than the server's.
func (b *Tab) external(u string) bool {
	pu, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch pu.Scheme {
	case "http", "https", "ws", "wss":
		return pu.Host != strings.TrimPrefix(b.srv.URL, "http://")
	}
	return false
}

// onEvent runs in the tab's event loop: it must be quick and must not call the browser.
func (b *Tab) onEvent(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		text := consoleText(e.Args)
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert ||
			(e.Type == runtime.ConsoleAPICalledTypeWarning && isCSP(text)) {
			b.problems = append(b.problems, problem{kind: "console." + string(e.Type), text: text})
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		b.problems = append(b.problems, problem{kind: "exception", url: fmt.Sprintf("%s:%d", d.URL, d.LineNumber+1), text: text})
	case *log.EventEntryAdded:
		en := e.Entry
		if en.Level == log.EntryLevelError || isCSP(en.Text) {
			b.problems = append(b.problems, problem{kind: "log." + string(en.Source), url: en.URL, text: en.Text})
		}
	case *network.EventRequestWillBeSent:
		u := e.Request.URL
		switch {
		case b.sameOrigin(u):
			// Event streams and web sockets never "finish"; the favicon is fetched by the browser on its own schedule
			// (and not always reported as finished), not by the page, so it does not make a page unready.
			if e.Type != network.ResourceTypeEventSource && e.Type != network.ResourceTypeWebSocket && !strings.Contains(u, "/favicon.") {
				b.inflight[e.RequestID] = u
			}
		case b.external(u):
			// Government intranets have no internet: nothing may load from anywhere but the server itself.
			b.problems = append(b.problems, problem{kind: "external-request", url: u, text: "request to another origin"})
		}
	case *network.EventResponseReceived:
		if b.sameOrigin(e.Response.URL) && e.Response.Status >= 500 {
			b.problems = append(b.problems, problem{kind: "http", url: e.Response.URL, text: fmt.Sprintf("status %d %s", e.Response.Status, e.Response.StatusText)})
		}
	case *network.EventLoadingFinished:
		delete(b.inflight, e.RequestID)
	case *network.EventLoadingFailed:
		u, ok := b.inflight[e.RequestID]
		delete(b.inflight, e.RequestID)
		// A request cancelled because the page moved on (a navigation, a download) is not a failure.
		if ok && !e.Canceled && e.ErrorText != "net::ERR_ABORTED" {
			b.problems = append(b.problems, problem{kind: "request-failed", url: u, text: e.ErrorText + " " + string(e.BlockedReason)})
		}
	}
}

func isCSP(s string) bool {
	return strings.Contains(s, "Content Security Policy") || strings.Contains(s, "Content-Security-Policy")
}

func consoleText(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		switch {
		case len(a.Value) > 0:
			var s string
			if json.Unmarshal([]byte(a.Value), &s) == nil {
				parts = append(parts, s)
			} else {
				parts = append(parts, string(a.Value))
			}
		case a.Description != "":
			parts = append(parts, a.Description)
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

// run runs one browser action with a timeout, returning its value.
func run[T any](b *Tab, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// do runs actions in order with a timeout.
func (b *Tab) do(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// must runs actions and ends the test on error.
func (b *Tab) must(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := b.do(actions...); err != nil {
		b.t.Fatalf("%s: %v", b.Location(), err)
	}
}

// Eval evaluates a JavaScript expression in the page and decodes its value into T (promises are awaited).
func Eval[T any](b *Tab, js string) T {
	b.t.Helper()
	v, err := run(b, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: evaluate %q: %v", b.Location(), short(js), err)
	}
	return v
}

func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len([]rune(s)) > 80 {
		return string([]rune(s)[:80]) + "…"
	}
	return s
}

// Location is the page's current URL ("?" when the browser cannot tell).
func (b *Tab) Location() string {
	u, err := run(b, chromedp.Location())
	if err != nil {
		return "?"
	}
	return u
}

// Path is the current URL without the server part.
func (b *Tab) Path() string { return strings.TrimPrefix(b.Location(), b.srv.URL) }

// Go opens path and waits until the page is ready; it returns the HTTP status of the document. It does not run the
// page checks (Visit does).
func (b *Tab) Go(path string) int {
	b.t.Helper()
	resp, err := run(b, chromedp.NavigateResponse(b.srv.URL+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	b.WaitReady()
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// Open opens path, expects the given status (200 when none) and checks the page.
func (b *Tab) Open(path string, status ...int) {
	b.t.Helper()
	want := 200
	if len(status) > 0 {
		want = status[0]
	}
	if want >= 400 {
		b.expectStatus(b.srv.URL + path)
	}
	if got := b.Go(path); got != want {
		b.t.Errorf("GET %s: status %d, want %d", path, got, want)
	}
	b.Check()
}

// Visit opens and checks path (see Open) and photographs it at desktop and phone width.
func (b *Tab) Visit(path string, status ...int) {
	b.t.Helper()
	b.Open(path, status...)
	b.Snap()
}

// expectStatus tells the checks that the document at u answers with an error status on purpose (the browser logs
// such a document as a failed resource).
func (b *Tab) expectStatus(u string) {
	b.mu.Lock()
	b.allowed[u] = true
	b.mu.Unlock()
}

// ClickAndWait clicks the element and waits for the navigation it causes; it returns the status of the new
// document. Pass expected (the path of the document) for a response that is an error status on purpose.
func (b *Tab) ClickAndWait(sel string, expected ...string) int {
	b.t.Helper()
	for _, p := range expected {
		b.expectStatus(b.srv.URL + p)
	}
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("%s: click %s and wait for the next page: %v", b.Location(), sel, err)
	}
	b.WaitReady()
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// Click clicks the first element matching the CSS selector (no navigation expected).
func (b *Tab) Click(sel string) {
	b.t.Helper()
	b.must(chromedp.Click(chromedp.CSS(sel)))
}

// Type focuses the field and types text into it, key by key, as a person does.
func (b *Tab) Type(sel, text string) {
	b.t.Helper()
	b.must(chromedp.SendKeys(chromedp.CSS(sel), text))
}

// Fill sets the value of an input, select or textarea and fires input and change, replacing what was there.
func (b *Tab) Fill(sel, value string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) return false;
		el.focus(); el.value = %q; el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true})); return el.value === %q; })()`, sel, value, value)
	if !Eval[bool](b, js) {
		b.t.Fatalf("%s: cannot set %s to %q (no such element, or no such option)", b.Location(), sel, value)
	}
}

// Search types text into an htmx search box and waits until the response has replaced the content of target
// (such as the <option>s of a picker).
func (b *Tab) Search(input, target, text string) {
	b.t.Helper()
	Eval[bool](b, fmt.Sprintf(`(() => { for (const c of document.querySelector(%q).children) c.dataset.btStale = "1"; return true; })()`, target))
	b.Type(input, text)
	b.WaitFor("the search results in "+target, fmt.Sprintf(`(() => { const t = document.querySelector(%q);
		return t.children.length > 0 && !t.querySelector("[data-bt-stale]"); })()`, target))
}

// Upload chooses a file for the file input, as a person does in the file dialog.
func (b *Tab) Upload(sel, path string) {
	b.t.Helper()
	b.must(chromedp.SetUploadFiles(chromedp.CSS(sel), []string{path}))
}

// Text returns the visible text of the first element matching the selector ("" when there is none).
func (b *Tab) Text(sel string) string {
	b.t.Helper()
	return Eval[string](b, fmt.Sprintf(`(() => { const el = document.querySelector(%q); return el ? el.innerText : ""; })()`, sel))
}

// Count returns the number of elements matching the selector.
func (b *Tab) Count(sel string) int {
	b.t.Helper()
	return Eval[int](b, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// Links returns the paths (with query) of the same-origin links matching the selector, in page order.
func (b *Tab) Links(sel string) []string {
	b.t.Helper()
	return Eval[[]string](b, fmt.Sprintf(`Array.from(document.querySelectorAll(%q))
		.filter(a => a.href && a.origin === location.origin).map(a => a.pathname + a.search)`, sel))
}

// WaitFor polls a JavaScript condition until it is true (for htmx updates), failing after the timeout.
func (b *Tab) WaitFor(what, js string) {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := run(b, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			b.WaitReady()
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: waited 15 s for %s (%v)", b.Location(), what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// readyJS is true when the document has loaded and htmx has no request, swap or settle under way.
const readyJS = `document.readyState === "complete" &&
	!document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling")`

// WaitReady waits until the document is complete, htmx is idle and no same-origin request is in flight, twice in
// a row.
func (b *Tab) WaitReady() {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	stable := 0
	for {
		ok, err := run(b, chromedp.Evaluate[bool](readyJS))
		b.mu.Lock()
		var pending []string
		for _, u := range b.inflight {
			pending = append(pending, u)
		}
		b.mu.Unlock()
		if err == nil && ok && len(pending) == 0 {
			if stable++; stable >= 2 {
				return
			}
		} else {
			stable = 0
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: page not ready after 20 s (ready=%v err=%v, requests in flight: %v)", b.Location(), ok, err, pending)
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// pageText is what the checks read from a page.
type pageText struct {
	URL   string `json:"url"`
	Title string `json:"title"`
	Text  string `json:"text"` // innerText of the body: what a person reads
	All   string `json:"all"`  // every text node and human-facing attribute, hidden ones too
}

const pageTextJS = `(() => {
	const out = {url: location.href, title: document.title, text: document.body ? document.body.innerText : "", all: document.title + "\n"};
	const w = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
	while (w.nextNode()) {
		const p = w.currentNode.parentElement;
		if (p && (p.tagName === "SCRIPT" || p.tagName === "STYLE")) continue;
		out.all += w.currentNode.nodeValue + "\n";
	}
	const attrs = ["title", "placeholder", "aria-label", "alt", "label", "value", "content"];
	for (const el of document.querySelectorAll("*")) {
		for (const a of attrs) {
			if (el.tagName === "META" && a === "content" && el.getAttribute("name") !== "description") continue;
			if (el.hasAttribute(a)) out.all += a + "=" + el.getAttribute(a) + "\n";
		}
	}
	return out;
})()`

// Read returns the current page's text.
func (b *Tab) Read() pageText {
	b.t.Helper()
	return Eval[pageText](b, pageTextJS)
}

// markers are text that must never reach a person: an untranslated i18n key (web.MissingMarker), a template's
// missing value, a fmt verb error.
var markers = []string{"[[", "<no value>", "%!"}

// Check waits for the page to be ready and fails the test (without stopping it) for every console error, CSP
// violation, failed or external request, server error, untranslated key or template mistake since the last check.
func (b *Tab) Check() {
	b.t.Helper()
	if found := b.Findings(); len(found) > 0 {
		b.t.Errorf("%s as %s — %d problem(s):\n  %s", b.Location(), b.who, len(found), strings.Join(found, "\n  "))
	}
}

// Findings waits for the page to be ready and returns what Check would complain about, forgetting it.
func (b *Tab) Findings() []string {
	b.t.Helper()
	b.WaitReady()
	pt := b.Read()
	var found []string
	seen := map[string]bool{}
	for _, m := range markers {
		for _, line := range strings.Split(pt.All, "\n") {
			if f := fmt.Sprintf("text contains %q: %q", m, short(line)); strings.Contains(line, m) && !seen[f] {
				seen[f] = true
				found = append(found, f)
			}
		}
	}
	b.mu.Lock()
	probs := b.problems
	b.problems = nil
	allowed := b.allowed
	b.allowed = map[string]bool{}
	b.mu.Unlock()
	for _, p := range probs {
		// The browser logs a document that answered 4xx as a failed resource; the test asked for it.
		if p.kind == "log.network" && allowed[p.url] && strings.Contains(p.text, "status of 4") {
			continue
		}
		if p.url != "" {
			found = append(found, fmt.Sprintf("%s: %s (%s)", p.kind, p.text, p.url))
		} else {
			found = append(found, fmt.Sprintf("%s: %s", p.kind, p.text))
		}
	}
	return found
}

// Snap saves full-page screenshots of the current page at desktop and phone width, named by user and path, and
// leaves the tab at desktop width.
func (b *Tab) Snap(suffix ...string) {
	b.t.Helper()
	name := b.ShotName(b.Path(), suffix...)
	b.SnapDesktop(name)
	b.SnapPhone(name)
	b.Desktop()
}

// ShotName makes a screenshot name of the user, a number (so a user's pictures sort in the order they were
// taken), the path and any suffixes.
func (b *Tab) ShotName(path string, suffix ...string) string {
	name := fmt.Sprintf("%s_%02d_%s", b.who, b.shot.next(b.who), sanitize(path))
	for _, s := range suffix {
		name += "_" + sanitize(s)
	}
	return name
}

// SnapDesktop saves a full-page screenshot at desktop width (and leaves the tab at desktop width).
func (b *Tab) SnapDesktop(name string) {
	b.t.Helper()
	b.Desktop()
	b.fullShot(name + "_desktop")
}

// SnapPhone saves a full-page screenshot at phone width (and leaves the tab at phone width).
func (b *Tab) SnapPhone(name string) {
	b.t.Helper()
	b.Phone()
	b.fullShot(name + "_phone")
}

// maxShotHeight bounds a full-page picture (a list of thousands of rows is not worth a 100 MB PNG).
const maxShotHeight = 12000

// fullShot photographs the whole page at the current width. It grows the emulated screen to the page's height and
// takes an ordinary capture, then restores the screen: Chromium's capture "beyond the viewport" waits for a frame
// of the whole page that a starved renderer may never produce, and then stalls the tab's later frames too.
func (b *Tab) fullShot(name string) {
	b.t.Helper()
	if shotRoot == "" {
		return // GOVOPS_SCREENSHOTS=off: nobody will look (CI); the checks around the pictures still run
	}
	w, h, mobile := desktopW, desktopH, false
	if b.mode == "phone" {
		w, h, mobile = phoneW, phoneH, true
	}
	full := Eval[int](b, `Math.ceil(Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0))`)
	full = min(max(full, h), maxShotHeight)
	grow := func(height int) error {
		opts := []chromedp.EmulateViewportOption{}
		if mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
		}
		return b.do(chromedp.EmulateViewport(int64(w), int64(height), opts...))
	}
	if full > h {
		if err := grow(full); err != nil {
			b.t.Fatalf("%s: grow the screen for %s: %v", b.Location(), name, err)
		}
		defer func() {
			if err := grow(h); err != nil {
				b.t.Fatalf("%s: restore the screen after %s: %v", b.Location(), name, err)
			}
			b.settle()
		}()
		b.settle()
	} else {
		b.paint()
	}
	b.save(name, chromedp.CaptureScreenshot())
}

// SnapViewport saves what the screen shows now, at the current size.
func (b *Tab) SnapViewport(name string) {
	b.t.Helper()
	if shotRoot == "" {
		return
	}
	b.paint()
	b.save(name, chromedp.CaptureScreenshot())
}

// Phone switches the tab to a phone (390×844, mobile, touch); pages opened afterwards load at that size.
func (b *Tab) Phone() {
	b.t.Helper()
	if b.mode == "phone" {
		return
	}
	b.must(chromedp.EmulateViewport(phoneW, phoneH, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	b.mode = "phone"
	b.settle()
}

// Desktop switches the tab to the desktop size (1366×900).
func (b *Tab) Desktop() {
	b.t.Helper()
	if b.mode == "desktop" {
		return
	}
	b.must(chromedp.EmulateViewport(desktopW, desktopH))
	b.mode = "desktop"
	b.settle()
}

// settle lets layout, CSS transitions (the menu slides in 0.15 s) and resize handlers finish after a change of
// size.
func (b *Tab) settle() {
	b.t.Helper()
	_ = Eval[bool](b, `new Promise(r => { requestAnimationFrame(() => setTimeout(() => r(true), 250)); setTimeout(() => r(false), 3000) })`)
}

// paint waits for the next frames to be drawn.
func (b *Tab) paint() {
	b.t.Helper()
	_ = Eval[bool](b, `new Promise(r => { requestAnimationFrame(() => requestAnimationFrame(() => r(true))); setTimeout(() => r(false), 3000) })`)
}

func (b *Tab) save(name string, shot chromedp.Action[[]byte]) {
	b.t.Helper()
	buf, err := run(b, shot)
	if err != nil {
		// On a starved machine the compositor can miss a capture; the page is still checked by the assertions
		// around it. Try once more, then carry on without the picture (a hung page fails the next step).
		b.t.Logf("%s: screenshot %s: %v; trying again", b.Location(), name, err)
		if buf, err = run(b, shot); err != nil {
			b.t.Logf("%s: screenshot %s not taken: %v", b.Location(), name, err)
			return
		}
	}
	if err := b.shot.write(name, buf); err != nil {
		b.t.Errorf("save screenshot: %v", err)
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// sanitize turns a path such as "/orgs?q=局" into a file-name part such as "orgs_q_局" (letters kept, the rest _).
func sanitize(p string) string {
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	p = strings.Trim(p, "/")
	if p == "" {
		return "home"
	}
	var sb strings.Builder
	for _, r := range p {
		if r >= 0x4e00 && r <= 0x9fff { // keep CJK: the file name stays readable
			sb.WriteRune(r)
		} else {
			sb.WriteString(unsafeName.ReplaceAllString(string(r), "_"))
		}
	}
	s := strings.Trim(sb.String(), "_")
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}

// shotDir is the screenshot folder of one top-level test: <shotRoot>/<db>/<Test>. It is kept after the run for a
// person to look at (t.TempDir would be deleted at the end of the test).
type shotDir struct {
	dir string
	mu  sync.Mutex
	seq map[string]int // per user, so each user's pictures sort in the order they were taken
}

var (
	shotDirsMu sync.Mutex
	shotDirs   = map[string]*shotDir{}
)

func shotsFor(t *testing.T, s *Server) *shotDir {
	t.Helper()
	if shotRoot == "" {
		return &shotDir{seq: map[string]int{}} // names are still made; nothing is written
	}
	top, _, _ := strings.Cut(t.Name(), "/")
	dir := filepath.Join(shotRoot, s.DB, top)
	shotDirsMu.Lock()
	defer shotDirsMu.Unlock()
	if d, ok := shotDirs[dir]; ok {
		return d
	}
	_ = os.RemoveAll(dir) // a chosen GOVOPS_SCREENSHOTS directory holds the last run only
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot directory: %v", err)
	}
	t.Logf("screenshots of %s: %s", top, dir)
	d := &shotDir{dir: dir, seq: map[string]int{}}
	shotDirs[dir] = d
	return d
}

func (d *shotDir) next(who string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seq[who]++
	return d.seq[who]
}

func (d *shotDir) write(name string, png []byte) error {
	return os.WriteFile(filepath.Join(d.dir, name+".png"), png, 0o644)
}
