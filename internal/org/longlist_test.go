package org_test

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

type cursorList struct {
	Items       []org.Person `json:"items"`
	Total       int64        `json:"total"`
	TotalCapped bool         `json:"total_capped"`
	Next        string       `json:"next"`
}

// TestPeopleLongList: a list longer than web.CountCap says "more than" instead of counting every row, and the
// cursor of each answer leads through the whole list in name order — ties broken by id, nothing skipped or
// repeated, the same rows as page numbers give — forwards, backwards and within a search
// (docs/api.md §Lists and paging).
func TestPeopleLongList(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Admin()
	var unit org.Org
	if st := admin.JSON("POST", "/api/v1/orgs", map[string]any{"name": "长名单测试局", "kind": "organ", "admin_level": "provincial"}, &unit); st != 201 {
		t.Fatal(st)
	}
	const n = web.CountCap + 57
	// Few distinct names, so that most of a page's rows tie on the name.
	names := []string{"王芳", "王伟", "王静", "王洋", "王杰", "王磊", "王敏", "王勇", "王丽", "王涛", "王婷", "王浩", "王超"}
	people := make([]org.BulkPerson, n)
	for i := range people {
		people[i] = org.BulkPerson{OrgID: unit.ID, In: org.PersonInput{Name: names[i%len(names)], Rank: "staff", Status: "active", StatusSince: "2026-01-01"}}
	}
	if err := env.App.DB.Tx(context.Background(), func(q db.Q) error {
		return org.BulkInsert(context.Background(), q, env.App.Clock.Now(), nil, people)
	}); err != nil {
		t.Fatal(err)
	}
	get := func(path string) cursorList {
		t.Helper()
		var l cursorList
		if st := admin.JSON("GET", path, nil, &l); st != 200 {
			t.Fatalf("GET %s = %d", path, st)
		}
		return l
	}
	walk := func(first string) []org.Person {
		t.Helper()
		var all []org.Person
		l := get(first)
		for pages := 0; ; pages++ {
			if l.Total != web.CountCap || !l.TotalCapped {
				t.Fatalf("%s: total %d capped %v, want %d capped", first, l.Total, l.TotalCapped, web.CountCap)
			}
			all = append(all, l.Items...)
			if l.Next == "" || pages > n {
				break
			}
			l = get(first + "&after=" + url.QueryEscape(l.Next))
		}
		return all
	}
	key := func(p org.Person) string { return fmt.Sprintf("%s/%012d", p.Name, p.ID) }
	check := func(what string, all []org.Person, desc bool) {
		t.Helper()
		if len(all) != n {
			t.Fatalf("%s: the cursor walk gave %d people, want %d", what, len(all), n)
		}
		if !sort.SliceIsSorted(all, func(i, j int) bool {
			if desc {
				return key(all[i]) > key(all[j])
			}
			return key(all[i]) < key(all[j])
		}) {
			t.Fatalf("%s: not in (name, id) order", what)
		}
		seen := map[int64]bool{}
		for _, p := range all {
			if seen[p.ID] {
				t.Fatalf("%s: %d twice", what, p.ID)
			}
			seen[p.ID] = true
		}
	}
	all := walk("/api/v1/people?page_size=500")
	check("name order", all, false)
	// Page numbers give the same rows as the cursor.
	if p := get("/api/v1/people?page_size=500&page=7"); len(p.Items) != 500 || p.Items[0].ID != all[3000].ID || p.Items[499].ID != all[3499].ID {
		t.Errorf("page 7 does not continue where the cursor does")
	}
	check("descending", walk("/api/v1/people?page_size=500&sort=-name"), true)
	// A search that hits everyone goes through the search index, capped and paged the same way.
	found := walk("/api/v1/people?page_size=500&q=" + url.QueryEscape("王"))
	check("search", found, false)
	for i := range found {
		if found[i].ID != all[i].ID {
			t.Fatalf("the search walk differs from the list at row %d", i)
		}
	}
	// The cursor is refused where it means nothing.
	for _, bad := range []string{"after=xyz", "after=" + url.QueryEscape(all[0].Name), "page=2&after=" + url.QueryEscape(get("/api/v1/people").Next),
		"sort=rank&after=" + url.QueryEscape(get("/api/v1/people").Next)} {
		var e struct {
			Error struct {
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		if st := admin.JSON("GET", "/api/v1/people?"+bad, nil, &e); st != 422 || e.Error.Fields["after"] == "" {
			t.Errorf("%s: status %d, fields %v; want 422 naming after", bad, st, e.Error.Fields)
		}
	}
	// The page says "more than", and its next link is the cursor.
	browser := env.Browser("admin", apptest.AdminPassword)
	page := browser.Get("/people")
	if !strings.Contains(page.Body, "共 10,000 条以上") {
		t.Errorf("the people page does not say more than 10,000:\n%s", page.Body)
	}
	m := regexp.MustCompile(`<a href="([^"]*)" rel="next">`).FindStringSubmatch(page.Body)
	if m == nil || !strings.Contains(m[1], "after=") {
		t.Fatalf("no cursor link to the next page: %v", m)
	}
	next := browser.Get(html.UnescapeString(m[1]))
	if next.StatusCode != 200 || !strings.Contains(next.Body, "第 21–40 条，共 10,000 条以上") {
		t.Errorf("the next page (%d) does not show rows 21–40", next.StatusCode)
	}
	// The Excel export still holds everyone, not the capped count.
	if rows := browser.Sheet("/people?format=xlsx"); len(rows) != n+1 {
		t.Errorf("the export has %d rows, want %d and the header", len(rows), n)
	}
}
