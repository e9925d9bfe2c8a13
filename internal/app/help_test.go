package app_test

import (
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
)

// TestHelpPages checks the help kit (docs/help.md) for every demo account: /help lists exactly the topics the account
// may read, each of those renders and the others answer 403; pages a topic explains link to it; figures from
// reference data link to their dataset only for those who may read it.
func TestHelpPages(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{Demo: true})
	topics := env.App.UI.HelpTopics()
	if len(topics) < 14 {
		t.Fatalf("only %d help topics registered", len(topics))
	}
	rendered := map[string]bool{}
	for _, a := range accountTable {
		pw := "Demo@2026"
		if a.name == "admin" {
			pw = apptest.AdminPassword
		}
		b := env.Browser(a.name, pw)
		index := b.Get("/help")
		if index.StatusCode != 200 {
			t.Fatalf("%s: /help answers %d", a.name, index.StatusCode)
		}
		readable := 0
		for _, tp := range topics {
			r := b.Get(tp.Path())
			listed := strings.Contains(index.Body, `href="`+tp.Path()+`"`)
			switch r.StatusCode {
			case 200:
				readable++
				rendered[tp.Path()] = true
				if !listed {
					t.Errorf("%s may read %s but /help does not list it", a.name, tp.Path())
				}
				for _, want := range []string{"页面用途", "全部帮助主题"} {
					if !strings.Contains(r.Body, want) {
						t.Errorf("%s %s lacks %q", a.name, tp.Path(), want)
					}
				}
			case 403:
				if listed {
					t.Errorf("/help lists %s to %s, who may not read it", tp.Path(), a.name)
				}
			default:
				t.Errorf("%s %s: %d", a.name, tp.Path(), r.StatusCode)
			}
		}
		if readable == 0 {
			t.Errorf("%s may read no help topic", a.name)
		}
	}
	for _, tp := range topics {
		if !rendered[tp.Path()] {
			t.Errorf("no demo account may read %s", tp.Path())
		}
	}

	// Who reads what, by role.
	for _, c := range []struct {
		user, path string
		want       int
	}{
		{"employee", "/help/app/work", 200}, {"employee", "/help/space/register", 403}, {"employee", "/help/energy/report", 403},
		{"space", "/help/space/compliance", 200}, {"space", "/help/energy/quota", 403},
		{"energy", "/help/energy/entry", 200}, {"supervisor", "/help/energy/entry", 403}, {"supervisor", "/help/energy/report", 200},
		{"auditor", "/help/org/units", 403}, {"space", "/help/space/nothing", 404},
	} {
		if r := env.Browser(c.user, "Demo@2026").Get(c.path); r.StatusCode != c.want {
			t.Errorf("%s GET %s: %d, want %d", c.user, c.path, r.StatusCode, c.want)
		}
	}

	// The 本页帮助 link of the pages a topic explains, and only of those.
	sp := env.Browser("space", "Demo@2026")
	for path, topic := range map[string]string{"/space/rooms": "/help/space/register", "/space/violations": "/help/space/compliance",
		"/space/rectifications": "/help/space/rectification", "/todo": "/help/app/work", "/orgs": "/help/org/units"} {
		if r := sp.Get(path); !strings.Contains(r.Body, `class="help-link" href="`+topic+`"`) {
			t.Errorf("%s does not link its help %s", path, topic)
		}
	}
	if r := env.Browser("edu", "Demo@2026").Get("/energy/overview"); !strings.Contains(r.Body, `href="/help/energy/indicators"`) {
		t.Errorf("/energy/overview does not link its help for a unit administrator")
	}
	if r := env.Browser("supervisor", "Demo@2026").Get("/energy/entry"); strings.Contains(r.Body, "help-link") {
		t.Errorf("the supervisor is offered help on entry, which they may not read")
	}

	// A figure from reference data links to its dataset for whoever may read reference data, and is only named
	// for others.
	ref := `href="/admin/refdata/space.area_standard"`
	if r := sp.Get("/help/space/compliance"); !strings.Contains(r.Body, ref) || !strings.Contains(r.Body, "发改投资〔2014〕2674号") {
		t.Errorf("the space manager's compliance help lacks the link to the area standard")
	}
	if r := env.Browser("qingshan", "Demo@2026").Get("/help/space/compliance"); r.StatusCode != 200 || strings.Contains(r.Body, ref) ||
		!strings.Contains(r.Body, "办公室使用面积标准") {
		t.Errorf("a unit administrator (no refdata:read) gets %d, a link to reference data or no dataset name", r.StatusCode)
	}
}

// TestPrintHeading checks the print heading every page carries (docs/printing.md): the title, the unit and the
// time printed, from the program's clock; and a list's 打印 that opens the whole list.
func TestPrintHeading(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{Demo: true})
	r := env.Browser("edu", "Demo@2026").Get("/space/rooms")
	for _, want := range []string{`class="print-only print-head"`, "打印时间：2026-11-16 10:00", "单位：松岭县教育局", "/static/print.css", "/static/print.js"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("/space/rooms lacks %q", want)
		}
	}
}
