// Package browsertest drives the real GovOps binary with the system Chromium (chromedp) the way a person does:
// it builds `govops`, starts `govops serve --demo` on a free port with a fresh database (SQLite, or a PostgreSQL
// schema when GOVOPS_TEST_POSTGRES is set), signs in through the /login form, walks the pages of the shell and the
// spine's main flows, and fails on console errors, CSP violations, failed same-origin requests, server errors,
// untranslated i18n keys and template mistakes. Every page is photographed at desktop (1366×900) and phone
// (390×844) width for a person to look at.
//
// The tests live in the _test.go files; this package has no code of its own. Run them with
//
//	go test ./internal/browsertest/ -v
//
// Settings (environment):
//
//	GOVOPS_CHROME             path or name of the browser (default: chromium, chromium-browser, google-chrome on PATH)
//	GOVOPS_BROWSER_REQUIRED=1 fail instead of skipping when no browser is found (CI sets it)
//	GOVOPS_SCREENSHOTS        directory for the screenshots (default: a new $TMPDIR/govops-screenshots/run-*
//	                          per run, the newest six kept); pictures are <db>/<Test>/<user>_<nn>_<path>_<width>.png;
//	                          "off" takes none (CI: nobody looks at them there, and each costs a relayout)
//	GOVOPS_TEST_POSTGRES      PostgreSQL URL: run against a fresh schema in that database instead of SQLite
//	GOVOPS_ADMIN_PASSWORD     password given to the first admin (default: a fixed test password)
//	GOVOPS_BIN                use this govops binary instead of building ./cmd/govops
package browsertest
