package web

import (
	"net/http/httptest"
	"testing"
)

func TestHelpMatch(t *testing.T) {
	for _, c := range []struct {
		pat, path string
		want      bool
	}{
		{"/space/rooms", "/space/rooms", true},
		{"/space/rooms", "/space/rooms/3", false},
		{"/space/rooms/*", "/space/rooms/3", true},
		{"/space/rooms/*", "/space/rooms/3/edit", false},
		{"/space/rooms/...", "/space/rooms", true},
		{"/space/rooms/...", "/space/rooms/3/edit", true},
		{"/space/rooms/...", "/space/roomsx", false},
		{"/", "/", true},
		{"/", "/todo", false},
	} {
		if got := helpMatch(c.pat, c.path); got != c.want {
			t.Errorf("helpMatch(%q, %q) = %v, want %v", c.pat, c.path, got, c.want)
		}
	}
}

func TestPrintURL(t *testing.T) {
	r := httptest.NewRequest("GET", "/space/rooms?q=%E5%B1%80&page=3&after=x&sort=-area", nil)
	l := List{Page: 3, PageSize: 20, URL: r.URL}
	got := NewPager(l, 100).PrintURL()
	want := "/space/rooms?page_size=500&print=1&q=%E5%B1%80&sort=-area"
	if got != want {
		t.Errorf("PrintURL = %q, want %q", got, want)
	}
}
