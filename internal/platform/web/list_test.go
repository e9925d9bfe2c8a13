package web

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// TestCursor: the after= value survives the URL and any name, and anything else is refused.
func TestCursor(t *testing.T) {
	for _, c := range []Cursor{{Key: "王芳", ID: 7, Rows: 20}, {Key: "a.b.c", ID: 1 << 40}, {Key: ""}} {
		got, ok := ParseCursor(c.String())
		if !ok || got != c {
			t.Errorf("%+v → %q → %+v, %v", c, c.String(), got, ok)
		}
	}
	for _, bad := range []string{"", "!!", "MTI", Cursor{Key: "x\ny"}.String(), "LTEuMS54"} {
		if _, ok := ParseCursor(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	l, err := ParseList(httptest.NewRequest("GET", "/x?page_size=50&after="+Cursor{Key: "k", ID: 3, Rows: 1000}.String(), nil))
	if err != nil || l.After == nil || l.Page != 21 || l.Offset() != 1000 {
		t.Errorf("after: %+v %v", l, err)
	}
	for _, q := range []string{"after=zz", "page=2&after=" + Cursor{Key: "k"}.String()} {
		if _, err := ParseList(httptest.NewRequest("GET", "/x?"+q, nil)); err == nil || !strings.Contains(err.Error(), "after") {
			t.Errorf("%s: %v", q, err)
		}
	}
}

// TestCappedPager: a capped list's pager offers the counted pages and then the cursor, never a "last page" it
// cannot know; an uncapped one is as before.
func TestCappedPager(t *testing.T) {
	req := httptest.NewRequest("GET", "/people?q=w&page=3", nil)
	l, _ := ParseList(req)
	p := NewPager(l, 95)
	if p.Capped || !reflect.DeepEqual(p.Window(), []int{1, 2, 3, 4, 5}) || p.PrevURL() != "/people?page=2&q=w" || p.NextURL() != "/people?page=4&q=w" {
		t.Errorf("uncapped: %v %q %q", p.Window(), p.PrevURL(), p.NextURL())
	}
	next := &Cursor{Key: "k", ID: 9, Rows: 60}
	p = NewPagerOf(l, Page[int]{Items: make([]int, 20), Total: CountCap, Capped: true, Next: next})
	if !reflect.DeepEqual(p.Window(), []int{1, 2, 3, 4, 5, 0}) || p.NextURL() != "/people?after="+next.String()+"&q=w" || p.First != 41 || p.Last != 60 {
		t.Errorf("capped page 3: %v %q %d–%d", p.Window(), p.NextURL(), p.First, p.Last)
	}
	// A cursor page beyond the counted ones: its number, no link back by page number.
	l, _ = ParseList(httptest.NewRequest("GET", "/people?after="+Cursor{Key: "k", ID: 9, Rows: 20000}.String(), nil))
	p = NewPagerOf(l, Page[int]{Items: make([]int, 7), Total: CountCap, Capped: true})
	if !reflect.DeepEqual(p.Window(), []int{1, 0, 1001}) || p.PrevURL() != "" || p.NextURL() != "" || p.First != 20001 || p.Last != 20007 {
		t.Errorf("cursor page: %v %q %q %d–%d", p.Window(), p.PrevURL(), p.NextURL(), p.First, p.Last)
	}
}

// TestItemsJSON: total_capped and next appear only when they say something, so other lists answer as before.
func TestItemsJSON(t *testing.T) {
	b, _ := json.Marshal(NewItems([]int(nil), 3))
	if string(b) != `{"items":[],"total":3}` {
		t.Errorf("plain list: %s", b)
	}
	b, _ = json.Marshal(PageItems(Page[int]{Items: []int{1}, Total: CountCap, Capped: true, Next: &Cursor{Key: "k", ID: 1, Rows: 1}}))
	if !strings.Contains(string(b), `"total":10000,"total_capped":true,"next":"`) {
		t.Errorf("capped list: %s", b)
	}
}
