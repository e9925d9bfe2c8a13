package web

import (
	"net/http"
	"testing"
)

type fakePrincipal map[string]bool

func (f fakePrincipal) UserID() int64        { return 1 }
func (f fakePrincipal) Username() string     { return "u" }
func (f fakePrincipal) DisplayName() string  { return "u" }
func (f fakePrincipal) Can(perm string) bool { return f[perm] }

// TestAllows: a page draws a link only for a route the viewer may use — matched as the mux matches it, with the
// route's permission (any of "a|b"), public and signed-in routes open, unknown paths refused.
func TestAllows(t *testing.T) {
	u := New(nil, "test")
	ok := func(w http.ResponseWriter, r *http.Request) error { return nil }
	u.Page("GET /space/rooms/{id}", "space:read", ok)
	u.Page("POST /space/rooms/{id}/void", "space:manage", ok)
	u.Page("GET /admin/users/{id}", "user:read|role:write", ok)
	u.Page("GET /todo", SignedIn, ok)
	reader := fakePrincipal{"space:read": true}
	sec := fakePrincipal{"role:write": true}
	for _, c := range []struct {
		p            Principal
		method, path string
		want         bool
	}{
		{reader, "GET", "/space/rooms/12?tab=history", true},
		{reader, "POST", "/space/rooms/12/void", false},
		{sec, "GET", "/space/rooms/12", false},
		{sec, "GET", "/admin/users/3", true},
		{reader, "GET", "/admin/users/3", false},
		{reader, "GET", "/todo", true},
		{nil, "GET", "/todo", false},
		{nil, "GET", "/favicon.ico", true},
		{reader, "GET", "/no/such/page", false},
	} {
		if got := u.Allows(c.p, c.method, c.path); got != c.want {
			t.Errorf("Allows(%v, %s %s) = %v, want %v", c.p, c.method, c.path, got, c.want)
		}
	}
	// A route registered later is known at once.
	u.Page("GET /later", "space:read", ok)
	if !u.Allows(reader, "GET", "/later") {
		t.Errorf("a route registered after the first check is not known")
	}
}
