package org_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/demo"
	"github.com/govops/govops/internal/org"
)

type peopleList struct {
	Items []org.Person `json:"items"`
	Total int64        `json:"total"`
}

// TestPeopleSearchAndScope: the search index finds any part of a name and exact staff numbers, stays inside the
// caller's scope, and follows a unit when it moves.
func TestPeopleSearchAndScope(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	admin := env.Admin()
	var units struct {
		Items []org.Org `json:"items"`
	}
	admin.JSON("GET", "/api/v1/orgs?q="+url.QueryEscape("松岭县教育局"), nil, &units)
	edu := units.Items[0]
	admin.JSON("GET", "/api/v1/orgs?q="+url.QueryEscape("绿水市教育局"), nil, &units)
	lvEdu := units.Items[0]
	var p org.Person
	if st := admin.JSON("POST", "/api/v1/people", map[string]any{"org_id": edu.ID, "name": "欧阳晓梅", "rank": "staff", "code": "Z-77"}, &p); st != 201 {
		t.Fatal(st)
	}
	find := func(c *apptest.Client, q string) peopleList {
		var l peopleList
		if st := c.JSON("GET", "/api/v1/people?page_size=50&q="+url.QueryEscape(q), nil, &l); st != 200 {
			t.Fatalf("search %q = %d", q, st)
		}
		return l
	}
	has := func(l peopleList, id int64) bool {
		for _, x := range l.Items {
			if x.ID == id {
				return true
			}
		}
		return false
	}
	for _, q := range []string{"欧阳晓梅", "欧阳", "晓梅", "阳晓", "梅", "Z-77"} {
		if l := find(admin, q); !has(l, p.ID) {
			t.Errorf("admin search %q misses 欧阳晓梅 (%d results)", q, l.Total)
		}
	}
	if l := find(admin, "欧阳晓梅欧阳晓梅"); has(l, p.ID) || l.Total != 0 {
		t.Errorf("a longer text matched: %+v", l)
	}
	// Totals agree with what a LIKE scan would say.
	var all peopleList
	admin.JSON("GET", "/api/v1/people?page_size=500&q="+url.QueryEscape("王"), nil, &all)
	for _, x := range all.Items {
		if !containsRune(x.Name, '王') && x.Code != "王" {
			t.Fatalf("%s matched 王", x.Name)
		}
	}
	songling := env.API("songling", demo.Password)
	qingshan := env.API("qingshan", demo.Password)
	lvshui := env.API("supervisor", demo.Password)
	if !has(find(songling, "晓梅"), p.ID) || !has(find(qingshan, "晓梅"), p.ID) || !has(find(lvshui, "晓梅"), p.ID) {
		t.Fatal("users whose scope covers 松岭县 do not find the person")
	}
	// Move the person to 绿水市: 松岭县 and 青山市 users stop finding them.
	if st := admin.JSON("PATCH", fmt.Sprintf("/api/v1/people/%d", p.ID), map[string]any{"org_id": lvEdu.ID}, nil); st != 200 {
		t.Fatal(st)
	}
	if has(find(songling, "晓梅"), p.ID) || has(find(qingshan, "Z-77"), p.ID) {
		t.Fatal("a person moved out of the scope is still found")
	}
	if st := songling.JSON("GET", fmt.Sprintf("/api/v1/people/%d", p.ID), nil, nil); st != 404 {
		t.Fatalf("read out of scope = %d", st)
	}
	// Move the whole unit under 青山市: the index follows the unit's new path.
	var qs struct{ Items []org.Org }
	admin.JSON("GET", "/api/v1/orgs?q="+url.QueryEscape("青山市机关事务管理局"), nil, &qs)
	if st := admin.JSON("POST", fmt.Sprintf("/api/v1/orgs/%d/move", lvEdu.ID), map[string]any{"parent_id": qs.Items[0].ID}, nil); st != 200 {
		t.Fatal(st)
	}
	if !has(find(qingshan, "欧阳"), p.ID) {
		t.Fatal("after moving the unit into 青山市 the person is not found by its user")
	}
	var list peopleList
	qingshan.JSON("GET", fmt.Sprintf("/api/v1/people?org_id=%d", lvEdu.ID), nil, &list)
	if !has(list, p.ID) {
		t.Fatal("unit filter after the move misses the person")
	}
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}
