package org_test

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/demo"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

var optionRe = regexp.MustCompile(`<option value="(\d*)"( selected)?( disabled)?>([^<]*)</option>`)

type pickOption struct {
	id       int64
	selected bool
	label    string
}

func options(t *testing.T, body string) (opts []pickOption, more string) {
	t.Helper()
	for _, m := range optionRe.FindAllStringSubmatch(body, -1) {
		if m[3] != "" {
			more = m[4]
			continue
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		opts = append(opts, pickOption{id: id, selected: m[2] != "", label: m[4]})
	}
	return opts, more
}

// TestUnitPickerOptions: the unit picker's search (GET /orgs/options) offers only units of the caller's data scope —
// whatever is searched, and when a unit outside the scope is named as the chosen one — and reaches every unit of
// the scope by name or credit code, not just the first web.UnitPickerLimit (docs/api.md §Office space filters).
func TestUnitPickerOptions(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{Demo: true})
	ctx := context.Background()
	type unit struct {
		id               int64
		path, name, code string
	}
	units, err := db.Select(ctx, env.App.DB, func(s db.Scanner) (unit, error) {
		var u unit
		return u, s.Scan(&u.id, &u.path, &u.name, &u.code)
	}, "SELECT id, path, name, COALESCE(credit_code, '') FROM orgs ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if len(units) <= web.UnitPickerLimit {
		t.Fatalf("the demo has %d units, too few to test the picker's limit", len(units))
	}
	byID := map[int64]unit{}
	for _, u := range units {
		byID[u.id] = u
	}
	pathOf := func(name string) string { return byID[env.OrgID(t, name)].path }

	for _, acc := range []struct {
		user, root string
		unitOnly   bool
	}{
		{"space", "示范省机关事务管理局", false},
		{"qingshan", "青山市机关事务管理局", false},
		{"songling", "松岭县机关事务服务中心", false},
		{"edu", "松岭县教育局", true},
	} {
		t.Run(acc.user, func(t *testing.T) {
			c := env.Browser(acc.user, demo.Password)
			root := pathOf(acc.root)
			inScope := func(id int64) bool {
				if acc.unitOnly {
					return byID[id].path == root
				}
				return strings.HasPrefix(byID[id].path, root)
			}
			var scope, outside []unit
			for _, u := range units {
				if inScope(u.id) {
					scope = append(scope, u)
				} else {
					outside = append(outside, u)
				}
			}
			ask := func(v url.Values) ([]pickOption, string) {
				t.Helper()
				resp := c.Get("/orgs/options?" + v.Encode())
				if resp.StatusCode != 200 {
					t.Fatalf("/orgs/options?%s: status %d", v.Encode(), resp.StatusCode)
				}
				opts, more := options(t, resp.Body)
				for _, o := range opts {
					if o.id != 0 && !inScope(o.id) {
						t.Errorf("/orgs/options?%s as %s offers %s (#%d), outside the scope", v.Encode(), acc.user, o.label, o.id)
					}
				}
				return opts, more
			}

			// Without a search: the first units of the scope, and a note when there are more.
			opts, more := ask(url.Values{})
			if want := min(len(scope), web.UnitPickerLimit); len(opts)-1 != want {
				t.Errorf("the picker offers %d units, want %d (the scope has %d)", len(opts)-1, want, len(scope))
			}
			if (more != "") != (len(scope) > web.UnitPickerLimit) {
				t.Errorf("the note on more units is %q for a scope of %d", more, len(scope))
			}
			// Every unit of the scope is found by its name, the last ones too.
			for _, u := range []unit{scope[0], scope[len(scope)/2], scope[len(scope)-1]} {
				opts, _ := ask(url.Values{"org_q": {u.name}})
				found := false
				for _, o := range opts {
					found = found || o.id == u.id
				}
				if !found {
					t.Errorf("searching %q as %s does not offer it", u.name, acc.user)
				}
				if u.code != "" {
					opts, _ := ask(url.Values{"org_q": {u.code}})
					if len(opts) != 2 || opts[1].id != u.id {
						t.Errorf("searching the credit code of %s as %s offers %v", u.name, acc.user, opts)
					}
				}
			}
			// A unit outside the scope is never offered: not when searched by name or code, nor when named as the
			// chosen unit.
			for i, u := range outside {
				if i%7 != 0 && i != len(outside)-1 {
					continue // a sample: searching each of 150 units would only slow the test
				}
				ask(url.Values{"org_q": {u.name}})
				if u.code != "" {
					ask(url.Values{"org_q": {u.code}})
				}
				opts, _ := ask(url.Values{"selected": {strconv.FormatInt(u.id, 10)}})
				for _, o := range opts {
					if o.selected && o.id != 0 {
						t.Errorf("naming %s (outside the scope) as the chosen unit selects it", u.name)
					}
				}
				ask(url.Values{"name": {"org_id"}, "org_id": {strconv.FormatInt(u.id, 10)}, "org_q": {"局"}})
			}
			// The chosen unit in scope stays chosen while another is searched.
			keep := scope[len(scope)-1]
			opts, _ = ask(url.Values{"name": {"org_id"}, "org_id": {strconv.FormatInt(keep.id, 10)}, "org_q": {"无此单位名称"}})
			if len(opts) != 2 || !opts[1].selected || opts[1].id != keep.id {
				t.Errorf("searching a name no unit has with %s chosen offers %v, want the chosen unit kept", keep.name, opts)
			}
		})
	}
}
