package auth

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := TOTPCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTOTPWindow: a code of the previous, current or next 30-second step is accepted, one two steps away is not.
func TestTOTPWindow(t *testing.T) {
	t.Parallel()
	const secret = "JBSWY3DPEHPK3PXP"
	now := time.Date(2026, 11, 16, 2, 0, 15, 0, time.UTC)
	step := now.Unix() / 30
	for _, d := range []int64{-1, 0, 1} {
		if got := matchTOTP(secret, code(t, secret, now.Add(time.Duration(d)*30*time.Second)), now); got != step+d {
			t.Errorf("code of step %+d: matched %d, want %d", d, got, step+d)
		}
	}
	for _, d := range []int64{-2, 2, 10} {
		if got := matchTOTP(secret, code(t, secret, now.Add(time.Duration(d)*30*time.Second)), now); got != 0 {
			t.Errorf("code of step %+d accepted", d)
		}
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if matchTOTP(secret, bad, now) != 0 {
			t.Errorf("%q accepted", bad)
		}
	}
	if matchTOTP("", code(t, secret, now), now) != 0 {
		t.Error("a code accepted without a secret")
	}
}

// enrol takes a user through enrolment with the service and returns the secret.
func enrol(t *testing.T, k *kit, u *User, pw string) string {
	t.Helper()
	ctx := context.Background()
	en, err := k.S.BeginTOTP(ctx, u, Reauth{Password: pw})
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	if err := k.S.ConfirmTOTP(ctx, u, code(t, en.Secret, k.Clk.Now())); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	return en.Secret
}

// TestTOTPSignIn: with a factor enrolled the sign-in needs a code; a code of the previous or next step works; each
// code works once (also the one used to confirm the enrolment); a wrong code counts toward the lock.
func TestTOTPSignIn(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	u := k.user("jiang", "Kx7#Pass2026", "employee")
	secret := enrol(t, k, u, "Kx7#Pass2026")
	c := k.anon()
	if st, e := c.login("jiang", "Kx7#Pass2026"); st != 401 || e.Error.Fields["totp"] == "" {
		t.Fatalf("no code: %d %+v", st, e)
	}
	if st, e := c.login("jiang", "Kx7#Pass2026", code(t, secret, k.Clk.Now())); st != 401 || e.Error.Fields["totp"] == "" {
		t.Fatalf("the code that confirmed the enrolment, replayed: %d %+v", st, e)
	}
	k.Clk.Advance(30 * time.Second)
	if st, _ := c.login("jiang", "Kx7#Pass2026", code(t, secret, k.Clk.Now().Add(-30*time.Second))); st != 401 {
		t.Fatalf("the previous step's code once more: %d", st)
	}
	if st, e := c.login("jiang", "Kx7#Pass2026", code(t, secret, k.Clk.Now())); st != 200 {
		t.Fatalf("current code: %d %+v", st, e)
	}
	if st, _ := c.login("jiang", "Kx7#Pass2026", code(t, secret, k.Clk.Now())); st != 401 {
		t.Fatalf("replay within the window: %d, want 401", st)
	}
	// The next step's code (a phone clock a little ahead) is accepted; after it, the current step's is not.
	k.Clk.Advance(30 * time.Second)
	if st, _ := c.login("jiang", "Kx7#Pass2026", code(t, secret, k.Clk.Now().Add(30*time.Second))); st != 200 {
		t.Fatalf("next step's code: %d", st)
	}
	if st, _ := c.login("jiang", "Kx7#Pass2026", code(t, secret, k.Clk.Now())); st != 401 {
		t.Fatalf("an older step after a newer was used: %d", st)
	}
	k.Clk.Advance(90 * time.Second)
	if st, _ := c.login("jiang", "Kx7#Pass2026", code(t, secret, k.Clk.Now().Add(-30*time.Second))); st != 200 {
		t.Fatalf("previous step's code (phone a little behind): %d", st)
	}
	// Wrong codes lock like wrong passwords (the success above cleared the count).
	for i := 0; i < 4; i++ {
		c.login("jiang", "Kx7#Pass2026", "000000")
	}
	if st, _ := c.login("jiang", "Kx7#Pass2026", "000001"); st != 423 {
		t.Errorf("fifth wrong code: %d, want 423", st)
	}
}

// TestTOTPNeedsPasswordAndCode (issue 8, item 5): with a session alone the enrolled factor can be neither switched
// off nor replaced; the password and a current code can.
func TestTOTPNeedsPasswordAndCode(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	u := k.user("han", "Kx7#Pass2026", "employee")
	k.Clk.Advance(-90 * time.Second)
	secret := enrol(t, k, u, "Kx7#Pass2026")
	k.Clk.Advance(90 * time.Second)
	res, err := k.S.Login(context.Background(), Credentials{Username: "han", Password: "Kx7#Pass2026", TOTP: code(t, secret, k.Clk.Now())}, "api", "127.0.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	c := k.anon()
	c.Token = res.Token
	enabled := func() bool {
		var me Me
		if st := c.JSON("GET", "/api/v1/me", nil, &me); st != 200 {
			t.Fatalf("me: %d", st)
		}
		return me.TOTPEnabled
	}
	// The reproduction: a bearer token posts step=begin.
	if st, _ := c.Form("/profile/totp", url.Values{"step": {"begin"}}); st != 422 || !enabled() {
		t.Fatalf("begin with a session alone: %d, enabled %v", st, enabled())
	}
	if st, _ := c.Form("/profile/totp", url.Values{"step": {"disable"}, "password": {"Kx7#Pass2026"}}); st != 422 || !enabled() {
		t.Fatalf("disable without a code: %d", st)
	}
	if st, _ := c.Form("/profile/totp", url.Values{"step": {"disable"}, "password": {"wrong"}, "code": {code(t, secret, k.Clk.Now())}}); st != 422 || !enabled() {
		t.Fatalf("disable with a wrong password: %d", st)
	}
	// Re-enrolment with password and code: the old factor keeps working until the new one is confirmed.
	k.Clk.Advance(30 * time.Second)
	st, body := c.Form("/profile/totp", url.Values{"step": {"begin"}, "password": {"Kx7#Pass2026"}, "code": {code(t, secret, k.Clk.Now())}})
	if st != 200 || !enabled() {
		t.Fatalf("re-enrol: %d", st)
	}
	fresh, _ := k.S.GetUser(context.Background(), k.DB, u.ID)
	var pending string
	if err := k.DB.QueryRow(context.Background(), "SELECT totp_pending FROM users WHERE id = ?", u.ID).Scan(&pending); err != nil || pending == "" || pending == secret {
		t.Fatalf("pending secret %q (%v)", pending, err)
	}
	if !strings.Contains(body, pending) {
		t.Error("the page does not show the new secret")
	}
	if err := k.S.ConfirmTOTP(context.Background(), fresh, "000000"); err == nil {
		t.Fatal("a wrong code confirmed the new secret")
	}
	if err := k.S.ConfirmTOTP(context.Background(), fresh, code(t, pending, k.Clk.Now())); err != nil {
		t.Fatal(err)
	}
	k.Clk.Advance(30 * time.Second)
	if st, _ := k.anon().login("han", "Kx7#Pass2026", code(t, secret, k.Clk.Now())); st != 401 {
		t.Errorf("the replaced secret still signs in: %d", st)
	}
	// Disable with password and a current code of the new secret.
	if st, _ := c.Form("/profile/totp", url.Values{"step": {"disable"}, "password": {"Kx7#Pass2026"}, "code": {code(t, pending, k.Clk.Now())}}); st != 303 || enabled() {
		t.Fatalf("disable with password and code: %d", st)
	}
	if st, _ := k.anon().login("han", "Kx7#Pass2026"); st != 200 {
		t.Errorf("sign-in without a factor: %d", st)
	}
	for _, a := range []string{"user.totp_enable", "user.totp_reenrol", "user.totp_disable"} {
		if n := k.count("SELECT COUNT(*) FROM audit_log WHERE action = ? AND success = TRUE", a); n != 1 {
			t.Errorf("%s audited %d times", a, n)
		}
	}
	if n := k.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('user.totp_begin', 'user.totp_disable') AND success = FALSE"); n < 2 {
		t.Errorf("refused changes audited %d times", n)
	}
}

// TestTOTPRequiredForOfficers: with 管理员须启用动态口令 on, an officer without a factor may use nothing but the
// profile page (403 totp_required elsewhere) until it is enrolled, and cannot switch it off afterwards; other
// accounts are not affected; the login page states the policy's lockout, not fixed numbers.
func TestTOTPRequiredForOfficers(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	ctx := context.Background()
	pol := DefaultPolicy()
	pol.RequireTOTPAdmin, pol.LockoutThreshold, pol.LockoutMinutes = true, 7, 45
	if err := k.S.SavePolicy(ctx, pol); err != nil {
		t.Fatal(err)
	}
	if _, body := k.anon().Get("/login"); !strings.Contains(body, "连续 7 次") || !strings.Contains(body, "45 分钟") {
		t.Error("the login page does not state the policy's lockout")
	}
	op := k.user("sysop", "Kx7#Pass2026", RoleSystemAdmin)
	k.user("clerk", "Kx7#Pass2026", "employee")
	var res LoginResult
	c := k.anon()
	if st := c.JSON("POST", "/api/v1/auth/login", map[string]string{"username": "sysop", "password": "Kx7#Pass2026"}, &res); st != 200 || !res.TOTPRequired {
		t.Fatalf("officer sign-in: %d, totp_required %v", st, res.TOTPRequired)
	}
	c.Token = res.Token
	var e errBody
	if st := c.JSON("GET", "/api/v1/users", nil, &e); st != 403 || e.Error.Code != "totp_required" {
		t.Fatalf("an officer without a factor lists users: %d %q", st, e.Error.Code)
	}
	var me Me
	if st := c.JSON("GET", "/api/v1/me", nil, &me); st != 200 {
		t.Fatalf("me: %d", st)
	}
	if st := k.api("clerk", "Kx7#Pass2026").JSON("GET", "/api/v1/me", nil, nil); st != 200 {
		t.Errorf("an ordinary account is held too: %d", st)
	}
	b := k.browser("sysop", "Kx7#Pass2026")
	if _, body := b.Get("/profile"); !strings.Contains(body, "安全策略要求管理员启用动态口令") {
		t.Error("the profile page does not say why everything else is refused")
	}
	k.Clk.Advance(-90 * time.Second)
	secret := enrol(t, k, op, "Kx7#Pass2026")
	k.Clk.Advance(90 * time.Second)
	if st := c.JSON("GET", "/api/v1/users", nil, nil); st != 200 {
		t.Fatalf("after enrolment the same session lists users: %d", st)
	}
	st, _ := b.Form("/profile/totp", url.Values{"step": {"disable"}, "password": {"Kx7#Pass2026"}, "code": {code(t, secret, k.Clk.Now())}})
	if st != 409 {
		t.Errorf("an officer switched a mandatory factor off: %d", st)
	}
	if fresh, _ := k.S.GetUser(ctx, k.DB, op.ID); !fresh.TOTPEnabled {
		t.Error("the factor is off")
	}
}
