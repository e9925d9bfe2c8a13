package browsertest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestChecksCatchProblems proves the page checks can fail: a page with each kind of mistake yields each kind of
// finding, and a clean page yields none. It needs no govops server, only the browser.
func TestChecksCatchProblems(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"
	mux := http.NewServeMux()
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", csp)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>测试</title>` +
				`<link rel="icon" href="data:,"></head><body>` + body + `</body></html>`))
		}
	}
	mux.HandleFunc("GET /clean", page(`<h1>一切正常</h1><p title="提示">没有问题。</p><script src="/ok.js"></script>`))
	mux.HandleFunc("GET /bad", page(`<h1>[[org.missing.key]]</h1>
		<input placeholder="<no value>"><p>共 %!d(string=三) 条</p>
		<p style="color: red">inline style</p>
		<script>console.log("inline script")</script>
		<script src="/bad.js"></script>
		<img src="/broken.png" alt=""><img src="http://192.0.2.1/remote.png" alt="">`))
	mux.HandleFunc("GET /ok.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write([]byte(`console.log("fine"); console.warn("a warning that is not about CSP");`))
	})
	mux.HandleFunc("GET /bad.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write([]byte(`console.error("boom from a page script"); setTimeout(() => { throw new Error("uncaught in page"); }, 0);`))
	})
	mux.HandleFunc("GET /broken.png", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "kaputt", http.StatusInternalServerError)
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()
	b := (&Server{URL: ts.URL, DB: "selftest"}).NewTab(t, "selftest")

	if st := b.Go("/clean"); st != 200 {
		t.Fatalf("/clean: status %d", st)
	}
	if f := b.Findings(); len(f) != 0 {
		t.Errorf("a clean page gave findings:\n  %s", strings.Join(f, "\n  "))
	}

	b.Go("/bad")
	b.WaitReady()
	_ = Eval[bool](b, `new Promise(r => setTimeout(() => r(true), 300))`) // let the late exception happen
	found := strings.Join(b.Findings(), "\n")
	for _, want := range []string{
		`text contains "[["`,
		`text contains "<no value>"`,
		`text contains "%!"`,
		"console.error: boom from a page script",
		"exception:",
		"Content Security Policy", // the inline script and the inline style
		"status 500",
		"external-request",
	} {
		if !strings.Contains(found, want) {
			t.Errorf("the checks missed %q; they found:\n%s", want, found)
		}
	}
	if strings.Contains(found, "not about CSP") {
		t.Errorf("an ordinary console warning was reported:\n%s", found)
	}
}
