package auth

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestSessionExpiry: a browser session ends after the idle timeout, and any session or token after its absolute
// lifetime however active; API tokens have no idle timeout.
func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	ctx := context.Background()
	hours := 12
	login := func(kind string) string {
		res, err := k.S.Login(ctx, Credentials{Username: "admin", Password: adminPW}, kind, "127.0.0.1", "")
		if err != nil {
			t.Fatal(err)
		}
		if want := k.Clk.Now().Add(time.Duration(hours) * time.Hour); !res.ExpiresAt.Equal(want) {
			t.Errorf("expires_at %v, want %v", res.ExpiresAt, want)
		}
		return res.Token
	}
	valid := func(token string) bool {
		u, err := k.S.authenticate(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		return u != nil
	}
	web, api, idle := login("web"), login("api"), login("web")
	if !valid(web) || !valid(api) || valid("not-a-token") || valid("") {
		t.Fatal("fresh sessions refused or a made-up token accepted")
	}
	// Activity every 20 minutes keeps the browser session; the untouched one times out after 30.
	for i := 0; i < 3; i++ {
		k.Clk.Advance(20 * time.Minute)
		if !valid(web) {
			t.Fatalf("active browser session ended after %d×20 min", i+1)
		}
	}
	if valid(idle) {
		t.Error("a browser session idle for an hour still works")
	}
	if n := k.count("SELECT COUNT(*) FROM sessions WHERE user_id = ? AND kind = 'web'", k.userID("admin")); n != 1 {
		t.Errorf("%d browser sessions stored, want the idle one deleted", n)
	}
	if !valid(api) {
		t.Error("an API token is subject to the idle timeout")
	}
	// Absolute lifetime: 12 hours from sign-in.
	for k.Clk.Now().Add(20 * time.Minute).Before(time.Date(2026, 11, 16, 14, 0, 0, 0, time.UTC)) {
		k.Clk.Advance(20 * time.Minute)
		if !valid(web) {
			t.Fatalf("active session ended early at %v", k.Clk.Now())
		}
	}
	k.Clk.Set(time.Date(2026, 11, 16, 14, 0, 0, 0, time.UTC))
	if valid(web) || valid(api) {
		t.Error("sessions outlive their 12 hours")
	}

	// The policy's values apply: a 1-hour lifetime and a 5-minute idle timeout.
	pol := DefaultPolicy()
	pol.SessionHours, pol.IdleMinutes = 1, 5
	if err := k.S.SavePolicy(ctx, pol); err != nil {
		t.Fatal(err)
	}
	hours = 1
	web, api = login("web"), login("api")
	k.Clk.Advance(6 * time.Minute)
	if valid(web) || !valid(api) {
		t.Error("a 5-minute idle timeout not applied to the browser session only")
	}
	k.Clk.Advance(55 * time.Minute)
	if valid(api) {
		t.Error("a 1-hour token lives longer")
	}
	// Disabling the user ends their sessions at once.
	k.user("wuqi", "Kx7#Pass2026", "employee")
	c := k.api("wuqi", "Kx7#Pass2026")
	if err := k.S.SetStatus(ctx, nil, Everything(), k.userID("wuqi"), "disabled"); err != nil {
		t.Fatal(err)
	}
	if st := c.JSON("GET", "/api/v1/me", nil, nil); st != 401 {
		t.Errorf("token of a disabled user: %d", st)
	}
}

// TestBearerTokens: a token signs API calls, a wrong one is 401, logout ends it, and the login answer follows the
// API contract.
func TestBearerTokens(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	c := k.anon()
	var res struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
		User      LoginUser `json:"user"`
	}
	if st := c.JSON("POST", "/api/v1/auth/login", map[string]string{"username": "ADMIN", "password": adminPW}, &res); st != 200 {
		t.Fatalf("login: %d", st)
	}
	if len(res.Token) < 40 || res.User.Username != "admin" || len(res.User.Roles) != 1 || res.User.Roles[0] != RoleSystemAdmin {
		t.Fatalf("login answer %+v", res)
	}
	if n := k.count("SELECT COUNT(*) FROM sessions WHERE id_hash = ?", res.Token); n != 0 {
		t.Error("the token is stored in clear")
	}
	c.Token = res.Token
	var me Me
	if st := c.JSON("GET", "/api/v1/me", nil, &me); st != 200 || me.User == nil || me.Login != "admin" || me.EffectiveScope != ScopeAll {
		t.Fatalf("me: %d %+v", st, me)
	}
	forged := k.anon()
	forged.Token = res.Token[:len(res.Token)-1] + "x"
	var e errBody
	if st := forged.JSON("GET", "/api/v1/me", nil, &e); st != 401 || e.Error.Code != "unauthenticated" {
		t.Errorf("forged token: %d %+v", st, e)
	}
	// A bearer request needs no CSRF token (no cookie is involved).
	if st := c.JSON("POST", "/api/v1/auth/logout", nil, nil); st != 204 {
		t.Fatalf("logout: %d", st)
	}
	if st := c.JSON("GET", "/api/v1/me", nil, nil); st != 401 {
		t.Errorf("token after logout: %d", st)
	}
	if n := k.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('auth.login', 'auth.logout') AND success = TRUE"); n != 2 {
		t.Errorf("%d sign-in/out entries audited, want 2", n)
	}
}

// TestCSRF: a cookie-authenticated state change needs the session's CSRF token (header or form field); a wrong or
// missing one is 403 and changes nothing.
func TestCSRF(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	k.user("feng", "Kx7#Pass2026", "employee")
	b := k.browser("feng", "Kx7#Pass2026")
	token := b.CSRF
	change := func(csrf, next string) int {
		b.CSRF = csrf
		st, _ := b.Form("/profile/password", url.Values{"csrf_token": {csrf}, "current_password": {"Kx7#Pass2026"}, "new_password": {next}, "new_password2": {next}})
		return st
	}
	if st := change("", "Kx8#Pass2026"); st != 403 {
		t.Errorf("no CSRF token: %d", st)
	}
	if st := change("wrong", "Kx8#Pass2026"); st != 403 {
		t.Errorf("wrong CSRF token: %d", st)
	}
	if n := k.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.change_password'"); n != 0 {
		t.Fatalf("a refused request changed the password")
	}
	if st := change(token, "Kx8#Pass2026"); st != 303 {
		t.Errorf("right CSRF form field: %d", st)
	}
	// The header works for JSON calls with the cookie.
	b.CSRF = token
	if st := b.JSON("POST", "/api/v1/me/password", map[string]string{"current_password": "Kx8#Pass2026", "new_password": "Kx9#Pass2026"}, nil); st != 204 {
		t.Errorf("CSRF header: %d", st)
	}
	b.CSRF = ""
	if st := b.JSON("POST", "/api/v1/me/password", map[string]string{"current_password": "Kx9#Pass2026", "new_password": "Kx1#Pass2026"}, nil); st != 403 {
		t.Errorf("cookie JSON call without the CSRF header: %d", st)
	}
	// Safe methods need none.
	if st, _ := b.Get("/profile"); st != 200 {
		t.Errorf("GET /profile: %d", st)
	}
}

// TestForcedPasswordChange (issue 8, item 6): while a user must change the password — a new account made by an
// administrator, a reset, or a password older than the policy allows — every API call and page but the change
// itself, the profile page and signing out answers 403 password_change_required.
func TestForcedPasswordChange(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	ctx := context.Background()
	admin, _ := k.S.GetUser(ctx, k.DB, k.userID("admin"))
	if _, err := k.S.CreateRole(ctx, RoleInput{Code: "viewer", Name: "查看角色", Permissions: []string{"role:read"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.S.CreateUser(ctx, admin, Everything(), UserInput{Username: "chen", Password: "Kx7#Pass2026", Roles: []string{"viewer"}, DataScope: ScopeAll}); err != nil {
		t.Fatal(err)
	}
	var res LoginResult
	c := k.anon()
	if st := c.JSON("POST", "/api/v1/auth/login", map[string]string{"username": "chen", "password": "Kx7#Pass2026"}, &res); st != 200 || !res.PasswordExpired {
		t.Fatalf("login of a new account: %d, password_expired %v", st, res.PasswordExpired)
	}
	c.Token = res.Token
	for _, path := range []string{"/api/v1/me", "/api/v1/roles", "/api/v1/security/policy"} {
		var e errBody
		if st := c.JSON("GET", path, nil, &e); st != 403 || e.Error.Code != "password_change_required" || !strings.Contains(e.Error.Message, "修改密码") {
			t.Errorf("GET %s before the change: %d %+v", path, st, e)
		}
	}
	if st := c.JSON("POST", "/api/v1/me/password", map[string]string{"current_password": "Kx7#Pass2026", "new_password": "Kx8#Pass2026"}, nil); st != 204 {
		t.Fatalf("the change itself: %d", st)
	}
	if st := c.JSON("GET", "/api/v1/roles", nil, nil); st != 200 {
		t.Errorf("after the change: %d", st)
	}

	// A reset by an administrator, in the browser: the profile page and the change work, other pages do not.
	if _, err := k.S.ResetPassword(ctx, admin, Everything(), k.userID("chen"), "Kx5#Pass2026", true); err != nil {
		t.Fatal(err)
	}
	b := k.browser("chen", "Kx5#Pass2026")
	if st, body := b.Get("/admin/roles"); st != 403 || !strings.Contains(body, "修改密码") {
		t.Errorf("a page before the change: %d", st)
	}
	if st, _ := b.Form("/profile/password", url.Values{"current_password": {"Kx5#Pass2026"}, "new_password": {"Kx6#Pass2026"}, "new_password2": {"Kx6#Pass2026"}}); st != 303 {
		t.Fatalf("change in the browser: %d", st)
	}
	if st, _ := b.Get("/admin/roles"); st != 200 {
		t.Errorf("a page after the change: %d", st)
	}

	// Expiry under the policy.
	pol := DefaultPolicy()
	pol.ExpiryDays = 90
	if err := k.S.SavePolicy(ctx, pol); err != nil {
		t.Fatal(err)
	}
	k.Clk.Advance(91 * 24 * time.Hour)
	c = k.anon()
	if st := c.JSON("POST", "/api/v1/auth/login", map[string]string{"username": "chen", "password": "Kx6#Pass2026"}, &res); st != 200 || !res.PasswordExpired {
		t.Fatalf("login with an expired password: %d %v", st, res.PasswordExpired)
	}
	c.Token = res.Token
	if st := c.JSON("GET", "/api/v1/roles", nil, nil); st != 403 {
		t.Errorf("expired password: %d", st)
	}
	if st := c.JSON("POST", "/api/v1/auth/logout", nil, nil); st != 204 {
		t.Errorf("logout with an expired password: %d", st)
	}
}

// TestChangePasswordThrottledAndHistory (issue 8, item 7): a wrong current password counts toward the lock like a
// failed sign-in, and none of the last five passwords may come back.
func TestChangePasswordThrottledAndHistory(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	k.user("yang", "Kx0#Pass2026", "employee")
	c := k.api("yang", "Kx0#Pass2026")
	change := func(cur, next string) (int, errBody) {
		var e errBody
		st := c.JSON("POST", "/api/v1/me/password", map[string]string{"current_password": cur, "new_password": next}, &e)
		return st, e
	}
	for i := 0; i < 4; i++ {
		if st, e := change("wrong", "Kx1#Pass2026"); st != 422 || e.Error.Fields["current_password"] == "" {
			t.Fatalf("wrong current password %d: %d %+v", i, st, e)
		}
	}
	if st, _ := change("wrong", "Kx1#Pass2026"); st != 423 {
		t.Fatalf("fifth wrong current password: %d, want 423", st)
	}
	if st, _ := change("Kx0#Pass2026", "Kx1#Pass2026"); st != 423 {
		t.Fatalf("right password while locked: %d, want 423", st)
	}
	if st, _ := k.anon().login("yang", "Kx0#Pass2026"); st != 423 {
		t.Errorf("sign-in while locked by password changes: %d", st)
	}
	k.Clk.Advance(31 * time.Minute)
	pws := []string{"Kx0#Pass2026", "Kx1#Pass2026", "Kx2#Pass2026", "Kx3#Pass2026", "Kx4#Pass2026", "Kx5#Pass2026"}
	for i := 1; i < len(pws); i++ {
		if st, e := change(pws[i-1], pws[i]); st != 204 {
			t.Fatalf("change %d: %d %+v", i, st, e)
		}
	}
	// The current and the four before it are refused; the sixth-latest may return.
	for _, old := range pws[1:] {
		if st, e := change(pws[5], old); st != 422 || e.Error.Fields["new_password"] == "" {
			t.Errorf("reuse of %s: %d %+v", old, st, e)
		}
	}
	if st, e := change(pws[5], pws[0]); st != 204 {
		t.Errorf("a password six changes old: %d %+v", st, e)
	}
	if n := k.count("SELECT COUNT(*) FROM password_history WHERE user_id = ?", k.userID("yang")); n != historySize {
		t.Errorf("history keeps %d hashes, want %d", n, historySize)
	}
	if n := k.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.change_password' AND success = FALSE"); n < 5 {
		t.Errorf("%d refused changes audited", n)
	}
}
