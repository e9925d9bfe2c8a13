package browsertest

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db/dbtest"
)

// DemoPassword is the password of every demo user except admin (internal/demo.Password).
const DemoPassword = "Demo@2026"

// defaultAdminPassword is given to the first admin when GOVOPS_ADMIN_PASSWORD is not set. The password policy
// refuses a password that contains the user name, so it must not contain "admin".
const defaultAdminPassword = "Browser#Test2026"

// Test-run wide state, set up by TestMain.
var (
	binPath     string // the govops binary built for this run
	chromePath  string // the browser, "" when none was found
	profileDir  string // the browser's fresh --user-data-dir
	shotRoot    string // where screenshots go (see shotsFor)
	allocCtx    context.Context
	browserOnce sync.Once
	browserCtx  context.Context // the first tab; every test opens its own tabs from it
	browserErr  error
)

func adminPassword() string {
	if p := os.Getenv("GOVOPS_ADMIN_PASSWORD"); p != "" {
		return p
	}
	return defaultAdminPassword
}

// defaultTestNow is the instant the servers of the browser tests start at unless GOVOPS_TEST_NOW names another:
// a Monday, 10:00 in Beijing, as in internal/apptest. The binary runs on that clock (cmd/govops/clock.go), so
// the demo province and every page see the same date on any day the tests run; CI runs the tests of the demo's
// dated states again at fixed dates across the year (.ci/run).
const defaultTestNow = "2026-11-16T10:00:00+08:00"

// testNow is the starting instant of a test's server.
func testNow(t *testing.T) time.Time {
	v := os.Getenv("GOVOPS_TEST_NOW")
	if v == "" {
		v = defaultTestNow
	}
	now, err := clock.Parse(v)
	if err != nil {
		t.Fatalf("GOVOPS_TEST_NOW=%q: %v", v, err)
	}
	return now
}

// Year is the calendar year of the server's clock in Beijing.
func (s *Server) Year() int { return s.Now.In(clock.Shanghai).Year() }

// ReportYear is the latest year with a complete month on the server's clock: the current year from February, the
// year before in January (quota warnings and projections need a closed month).
func (s *Server) ReportYear() int { return s.Now.In(clock.Shanghai).AddDate(0, -1, 0).Year() }

func browserRequired() bool { return os.Getenv("GOVOPS_BROWSER_REQUIRED") == "1" }

func TestMain(m *testing.M) {
	flag.Parse()
	// The browser tests mostly wait for Chromium and the server, not for the CPU: unless -parallel was given, run
	// four at once (the default is GOMAXPROCS, 2 on a small CI machine).
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if f := flag.Lookup("test.parallel"); f != nil && !given {
		_ = f.Value.Set("4")
	}
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	chromePath = findChrome()
	if chromePath == "" || (testing.Short() && !browserRequired()) {
		// Nothing to prepare: every test skips (or fails when a browser is required) on its own.
		return m.Run()
	}
	tmp, err := os.MkdirTemp("", "govops-browsertest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "browsertest:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	if binPath = os.Getenv("GOVOPS_BIN"); binPath == "" {
		binPath = filepath.Join(tmp, "govops")
		if err := buildBinary(binPath); err != nil {
			fmt.Fprintln(os.Stderr, "browsertest:", err)
			return 1
		}
	}

	if shotRoot, err = screenshotRoot(); err != nil {
		fmt.Fprintln(os.Stderr, "browsertest:", err)
		return 1
	}
	if shotRoot == "" {
		fmt.Fprintln(os.Stderr, "browsertest: no screenshots (GOVOPS_SCREENSHOTS=off)")
	} else {
		fmt.Fprintln(os.Stderr, "browsertest: screenshots in", shotRoot)
	}

	profileDir = filepath.Join(tmp, "chrome-profile")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromePath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profileDir),
		chromedp.WindowSize(desktopW, desktopH),
		// This machine (and CI) has no internet: without these Chromium floods refused connections.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
	)
	var cancelAlloc context.CancelFunc
	allocCtx, cancelAlloc = chromedp.NewExecAllocator(context.Background(), opts...)
	var cancelBrowser context.CancelFunc
	browserCtx, cancelBrowser = chromedp.NewContext(allocCtx)
	code := m.Run()
	// Close the browser gracefully and wait for it, so its profile can be removed.
	tctx, tcancel := context.WithTimeout(browserCtx, 10*time.Second)
	_ = chromedp.Cancel(tctx)
	tcancel()
	cancelBrowser()
	cancelAlloc()
	if c := chromedp.FromContext(browserCtx); c != nil {
		if a, ok := c.Allocator.(*chromedp.ExecAllocator); ok {
			a.Wait()
		}
	}
	return code
}

// screenshotRoot is $GOVOPS_SCREENSHOTS when set, else a new folder per run under $TMPDIR/govops-screenshots (so
// runs side by side — several engineers, both databases — never mix their pictures), of which the newest few are
// kept.
func screenshotRoot() (string, error) {
	if d := os.Getenv("GOVOPS_SCREENSHOTS"); d == "off" {
		return "", nil
	} else if d != "" {
		return d, os.MkdirAll(d, 0o755)
	}
	base := filepath.Join(os.TempDir(), "govops-screenshots")
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	if old, err := os.ReadDir(base); err == nil {
		var runs []string
		for _, e := range old {
			if e.IsDir() && strings.HasPrefix(e.Name(), "run-") {
				runs = append(runs, e.Name()) // names sort by start time
			}
		}
		sort.Strings(runs)
		for len(runs) > 5 {
			_ = os.RemoveAll(filepath.Join(base, runs[0]))
			runs = runs[1:]
		}
	}
	return os.MkdirTemp(base, "run-"+time.Now().Format("20060102-150405")+"-")
}

// buildBinary runs `go build -o out ./cmd/govops` at the module root, so the tests drive exactly what ships.
func buildBinary(out string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	goCmd := "go"
	if p, err := exec.LookPath("go"); err == nil {
		goCmd = p
	} else if gr := os.Getenv("GOROOT"); gr != "" {
		goCmd = filepath.Join(gr, "bin", "go")
	}
	build := exec.Command(goCmd, "build", "-o", out, "./cmd/govops")
	build.Dir = root
	if msg, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/govops failed: %w\n%s", err, msg)
	}
	return nil
}

// findChrome looks for GOVOPS_CHROME, then the usual names of Chromium and Chrome on PATH.
func findChrome() string {
	if c := os.Getenv("GOVOPS_CHROME"); c != "" {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
		return ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// needBrowser skips the test with a clear message when no browser is installed, or fails it when
// GOVOPS_BROWSER_REQUIRED=1 (CI). It returns the context of the shared browser, started on first use.
func needBrowser(t *testing.T) context.Context {
	t.Helper()
	if chromePath == "" {
		msg := "no Chromium found (looked for chromium, chromium-browser, google-chrome on PATH): " +
			"install Debian's chromium package or set GOVOPS_CHROME to run the browser tests"
		if c := os.Getenv("GOVOPS_CHROME"); c != "" {
			msg = fmt.Sprintf("GOVOPS_CHROME=%q is not an executable browser: fix it to run the browser tests", c)
		}
		if browserRequired() {
			t.Fatal(msg + " — GOVOPS_BROWSER_REQUIRED=1 is set, so this is a failure")
		}
		t.Skip(msg)
	}
	if testing.Short() && !browserRequired() {
		t.Skip("browser tests are skipped in -short mode")
	}
	browserOnce.Do(func() {
		// The first Do binds the browser's life to the context it gets, so it gets browserCtx itself (no timeout).
		browserErr = chromedp.Do(browserCtx)
	})
	if browserErr != nil {
		t.Fatalf("start %s: %v", chromePath, browserErr)
	}
	return browserCtx
}

// Server is one `govops serve --demo` process on a fresh database.
type Server struct {
	URL string    // http://127.0.0.1:PORT, no trailing slash
	DB  string    // "sqlite" or "postgres", for screenshot folders
	Now time.Time // the server's clock when it started (GOVOPS_TEST_NOW), from which it runs on

	cmd    *exec.Cmd
	stdout *lockedBuffer
	stderr *lockedBuffer
	done   chan struct{}
	err    error // of cmd.Wait, valid after done is closed
}

var startedRe = regexp.MustCompile(`已启动: (http://127\.0\.0\.1:\d+)/`)

// StartServer starts the binary TestMain built — `govops serve --demo` on a free port, a fresh database and data
// directory — waits until it prints its URL and /readyz answers, and at cleanup stops it with SIGTERM, checking
// that the shutdown was graceful (exit status 0, “GovOps 已停止”).
func StartServer(t *testing.T) *Server {
	t.Helper()
	needBrowser(t)
	now := testNow(t)
	env := append(os.Environ(), "GOVOPS_ADMIN_PASSWORD="+adminPassword(), "GOVOPS_TEST_NOW="+now.Format(time.RFC3339))
	dsn := demoDSN(t, env) // dropped at cleanup, which runs after the server has stopped (cleanups run LIFO)
	s := &Server{DB: "sqlite", Now: now, stdout: newLockedBuffer(), stderr: &lockedBuffer{}, done: make(chan struct{})}
	if os.Getenv(dbtest.Env) != "" {
		s.DB = "postgres"
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	s.cmd = exec.Command(binPath, "serve", "--demo", "--addr", "127.0.0.1:0", "--db", dsn, "--data-dir", dataDir,
		"--jt808-addr=", // no fixed device port: several servers run side by side
		"--log-format", "text")
	s.cmd.Env = env
	s.cmd.Stdout = s.stdout
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", binPath, err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() { s.stop(t) })

	deadline := time.After(90 * time.Second)
	for s.URL == "" {
		select {
		case <-s.stdout.changed:
			if m := startedRe.FindStringSubmatch(s.stdout.String()); m != nil {
				s.URL = m[1]
			}
		case <-s.done:
			t.Fatalf("govops serve exited before it started (%v)\nstdout:\n%s\nstderr:\n%s", s.err, s.stdout, s.stderr)
		case <-deadline:
			t.Fatalf("govops serve printed no URL within 90 s\nstdout:\n%s\nstderr:\n%s", s.stdout, s.stderr)
		}
	}
	for i := 0; ; i++ {
		resp, err := http.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if i > 100 {
			t.Fatalf("%s/readyz not ready: %v", s.URL, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("govops serve (%s) at %s", s.DB, s.URL)
	return s
}

// demoDSN returns a database of the test's own holding the demo province as `govops serve --demo` would load it
// on a fresh database: a copy of one loaded once per test run by `govops demo` with the server's environment env
// (the admin password, the clock), which the server then finds and does not load again.
func demoDSN(t *testing.T, env []string) string {
	t.Helper()
	var key []string
	for _, e := range env {
		if strings.HasPrefix(e, "GOVOPS_") && !strings.HasPrefix(e, dbtest.Env+"=") {
			key = append(key, e)
		}
	}
	sort.Strings(key)
	return dbtest.Clone(t, "browsertest demo "+binPath+" "+strings.Join(key, " "), func(ctx context.Context, dsn string) error {
		cmd := exec.CommandContext(ctx, binPath, "demo", "--db", dsn, "--log-format", "text")
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("govops demo: %w\n%s", err, tail(string(out), 40))
		}
		return nil
	})
}

func (s *Server) stop(t *testing.T) {
	t.Helper()
	select {
	case <-s.done:
		t.Errorf("govops serve exited during the test (%v)\nstderr:\n%s", s.err, tail(s.stderr.String(), 40))
		return
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Errorf("SIGTERM: %v", err)
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		t.Errorf("govops serve did not stop within 30 s of SIGTERM")
	}
	if s.err != nil {
		t.Errorf("govops serve did not exit cleanly after SIGTERM: %v\nstderr:\n%s", s.err, tail(s.stderr.String(), 40))
	}
	if !strings.Contains(s.stdout.String(), "GovOps 已停止") {
		t.Errorf("govops serve did not print “GovOps 已停止” on shutdown; stdout:\n%s", tail(s.stdout.String(), 10))
	}
	if t.Failed() {
		var warn []string
		for _, l := range strings.Split(s.stderr.String(), "\n") {
			if strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") || strings.Contains(l, "status=5") {
				warn = append(warn, l)
			}
		}
		if len(warn) > 0 {
			t.Logf("server warnings and errors:\n%s", tail(strings.Join(warn, "\n"), 40))
		}
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// lockedBuffer collects a subprocess's output and signals each write.
type lockedBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func newLockedBuffer() *lockedBuffer { return &lockedBuffer{changed: make(chan struct{}, 1)} }

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.b.Write(p)
	if l.changed != nil {
		select {
		case l.changed <- struct{}{}:
		default:
		}
	}
	return n, err
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
