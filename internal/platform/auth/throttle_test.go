package auth

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/db/dbtest"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/settings"
)

// tryLogin signs in through the service from a given source address and returns the error code ("" on success).
func tryLogin(t *testing.T, s *Service, name, pw, ip string) (errs.Code, string) {
	t.Helper()
	_, err := s.Login(context.Background(), Credentials{Username: name, Password: pw}, "api", ip, "test")
	if err == nil {
		return "", ""
	}
	e := errs.As(err)
	if e == nil {
		t.Fatalf("login %s: %v", name, err)
	}
	return e.Code, e.Message
}

// TestLockout: the policy's threshold of failures from one source locks that source out of the name (423, even for
// the right password), other sources still sign in, the lock ends after the lockout period, and an administrator's
// unlock clears it at once.
func TestLockout(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	k.user("wang", "Kx7#Pass2026", "employee")
	const a, b = "10.0.0.1", "10.0.0.2"
	for i := 1; i <= 4; i++ {
		if code, _ := tryLogin(t, k.S, "wang", "wrong", a); code != errs.CodeUnauthenticated {
			t.Fatalf("failure %d: %s, want unauthenticated", i, code)
		}
	}
	if code, msg := tryLogin(t, k.S, "wang", "wrong", a); code != errs.CodeLocked || !strings.Contains(msg, "锁定") {
		t.Fatalf("fifth failure: %s %q, want locked", code, msg)
	}
	if code, _ := tryLogin(t, k.S, "wang", "Kx7#Pass2026", a); code != errs.CodeLocked {
		t.Fatalf("right password from the locked source: %s, want locked", code)
	}
	if code, _ := tryLogin(t, k.S, "wang", "Kx7#Pass2026", b); code != "" {
		t.Fatalf("right password from another source: %s, want signed in", code)
	}
	// The success from b cleared the name's counts from b and from all sources, not a's lock.
	if code, _ := tryLogin(t, k.S, "wang", "Kx7#Pass2026", a); code != errs.CodeLocked {
		t.Fatalf("a is still locked out: %s", code)
	}
	if until, _ := UserLockedUntil(context.Background(), k.DB, "WANG", k.Clk.Now()); until != k.Clk.Now().Add(30*time.Minute).Unix() {
		t.Errorf("UserLockedUntil = %d, want 30 minutes from now", until)
	}
	k.Clk.Advance(29 * time.Minute)
	if code, _ := tryLogin(t, k.S, "wang", "Kx7#Pass2026", a); code != errs.CodeLocked {
		t.Fatalf("after 29 minutes: %s, want still locked", code)
	}
	k.Clk.Advance(2 * time.Minute)
	if code, _ := tryLogin(t, k.S, "wang", "Kx7#Pass2026", a); code != "" {
		t.Fatalf("after the lock: %s, want signed in", code)
	}

	// Failures are forgotten after a quiet lockout period, and a success starts the count again.
	for i := 0; i < 4; i++ {
		tryLogin(t, k.S, "wang", "wrong", a)
	}
	k.Clk.Advance(31 * time.Minute)
	if code, _ := tryLogin(t, k.S, "wang", "wrong", a); code != errs.CodeUnauthenticated {
		t.Fatalf("a failure after a quiet period: %s, want unauthenticated (count restarted)", code)
	}

	// An administrator's unlock clears every lock of the name.
	for i := 0; i < 5; i++ {
		tryLogin(t, k.S, "wang", "wrong", a)
	}
	if code, _ := tryLogin(t, k.S, "wang", "Kx7#Pass2026", a); code != errs.CodeLocked {
		t.Fatalf("locked again: %s", code)
	}
	if err := k.S.Unlock(context.Background(), nil, Everything(), k.userID("wang")); err != nil {
		t.Fatal(err)
	}
	if code, _ := tryLogin(t, k.S, "wang", "Kx7#Pass2026", a); code != "" {
		t.Fatalf("after unlock: %s", code)
	}
	if n := k.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.unlock'"); n != 1 {
		t.Errorf("unlock audited %d times", n)
	}
	// A made-up name that starts like a real one locks only itself.
	for i := 0; i < 5; i++ {
		tryLogin(t, k.S, "wang|x", "wrong", "10.0.0.3")
	}
	if until, _ := UserLockedUntil(context.Background(), k.DB, "wang", k.Clk.Now()); until != 0 {
		t.Errorf("failures of “wang|x” show wang as locked")
	}
}

// TestLockoutAllSources: failures spread over many sources lock the name for everyone after four times the
// threshold.
func TestLockoutAllSources(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	k.user("lisi", "Kx7#Pass2026", "employee")
	for i := 0; i < 19; i++ {
		if code, _ := tryLogin(t, k.S, "lisi", "wrong", fmt.Sprintf("10.1.0.%d", i)); code != errs.CodeUnauthenticated {
			t.Fatalf("failure %d: %s", i, code)
		}
	}
	if code, _ := tryLogin(t, k.S, "lisi", "wrong", "10.1.1.1"); code != errs.CodeLocked {
		t.Fatalf("20th failure over 20 sources: %s, want locked", code)
	}
	if code, _ := tryLogin(t, k.S, "lisi", "Kx7#Pass2026", "10.9.9.9"); code != errs.CodeLocked {
		t.Fatalf("a new source with the right password: %s, want locked", code)
	}
}

// TestLoginDoesNotEnumerate (issue 8, item 7): an unknown name, a wrong password, a disabled account and a locked
// account answer alike — same status and message, the unknown name locks like a real one, and every answer costs
// the password hash — and a disabled account says so only to its own password.
func TestLoginDoesNotEnumerate(t *testing.T) {
	k := newKit(t)
	k.user("zhao", "Kx7#Pass2026", "employee")
	k.user("qian", "Kx7#Pass2026", "employee")
	if err := k.S.SetStatus(context.Background(), nil, Everything(), k.userID("qian"), "disabled"); err != nil {
		t.Fatal(err)
	}
	c := k.anon()
	type answer struct {
		st  int
		msg string
	}
	ask := func(name, pw string) answer {
		st, e := c.login(name, pw)
		return answer{st, e.Error.Message}
	}
	wrong := ask("zhao", "wrong")
	if wrong.st != 401 {
		t.Fatalf("wrong password: %+v", wrong)
	}
	if a := ask("nobody", "wrong"); a != wrong {
		t.Errorf("unknown name %+v, wrong password %+v", a, wrong)
	}
	if a := ask("qian", "wrong"); a != wrong {
		t.Errorf("disabled account with a wrong password %+v, wrong password %+v", a, wrong)
	}
	if a := ask("qian", "Kx7#Pass2026"); a.st != 401 || !strings.Contains(a.msg, "停用") {
		t.Errorf("disabled account with its password: %+v, want 401 saying it is disabled", a)
	}
	// Four more failures lock zhao, and an unknown name the same way.
	for i := 0; i < 4; i++ {
		ask("zhao", "wrong")
		ask("nobody", "wrong")
	}
	lz, ln := ask("zhao", "Kx7#Pass2026"), ask("nobody", "whatever")
	if lz.st != 423 || lz != ln {
		t.Errorf("locked account %+v, locked unknown name %+v: want the same 423", lz, ln)
	}

	// The time of an answer: the hash runs for locked, unknown and known names alike. The kinds of attempt take
	// turns and medians are compared, which keeps the check robust on a busy machine; the hash (tens of
	// milliseconds) dominates any real difference.
	k.user("sunli", "Kx7#Pass2026", "employee")
	kinds := []string{"sunli", "ghost", "qian", "zhao"} // wrong password, unknown, disabled, locked
	times := map[string][]time.Duration{}
	for i := 0; i < 7; i++ {
		for _, name := range kinds {
			ip := fmt.Sprintf("10.2.%d.%d", i, len(name))
			if name == "zhao" {
				ip = "127.0.0.1" // the source locked out above
			}
			start := time.Now()
			_, err := k.S.Login(context.Background(), Credentials{Username: name, Password: "wrong"}, "api", ip, "")
			times[name] = append(times[name], time.Since(start))
			if want := map[bool]errs.Code{true: errs.CodeLocked, false: errs.CodeUnauthenticated}[name == "zhao"]; errs.CodeOf(err) != want {
				t.Fatalf("%s: %v, want %s", name, err, want)
			}
		}
	}
	median := func(ds []time.Duration) time.Duration {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2]
	}
	base := median(times["sunli"])
	for _, name := range kinds[1:] {
		if d := median(times[name]); d < base/4 {
			t.Errorf("%s answers in %v, a wrong password in %v: the time tells them apart", name, d, base)
		}
	}
}

// TestSourceRateLimit: more than 30 failures from one address in a minute are refused with 429 whatever the name,
// other addresses are not affected, and the next minute the address may try again.
func TestSourceRateLimit(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	for i := 0; i < sourceLimit; i++ {
		if code, _ := tryLogin(t, k.S, fmt.Sprintf("name%d", i), "wrong", "10.3.0.1"); code != errs.CodeUnauthenticated {
			t.Fatalf("failure %d: %s", i, code)
		}
	}
	if code, _ := tryLogin(t, k.S, "admin", adminPW, "10.3.0.1"); code != errs.CodeRateLimited {
		t.Fatalf("after %d failures: %s, want rate_limited", sourceLimit, code)
	}
	if code, _ := tryLogin(t, k.S, "admin", adminPW, "10.3.0.2"); code != "" {
		t.Fatalf("another source: %s", code)
	}
	k.Clk.Advance(61 * time.Second)
	if code, _ := tryLogin(t, k.S, "admin", adminPW, "10.3.0.1"); code != "" {
		t.Fatalf("next minute: %s", code)
	}
	if n := k.count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login' AND success = FALSE"); n != sourceLimit+1 {
		t.Errorf("%d failed sign-ins audited, want %d (the refused one included)", n, sourceLimit+1)
	}
}

// TestCountsAcrossProcesses (issue 12, item 8): two server processes on one database count failures together, for
// the lock and for the rate limit; a lock set through one is honoured by the other.
func TestCountsAcrossProcesses(t *testing.T) {
	t.Parallel()
	dsn := dbtest.DSN(t)
	open := func() *db.DB {
		d, err := db.Open(context.Background(), dsn, db.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	d1, d2 := open(), open()
	if _, err := db.Migrate(context.Background(), d1, audit.Migrations, settings.Migrations, Migrations); err != nil {
		t.Fatal(err)
	}
	clk := testClock()
	a, b := startKit(t, d1, clk), startKit(t, d2, clk)
	a.user("zhou", "Kx7#Pass2026", "employee")
	for i := 0; i < 4; i++ {
		s := a.S
		if i%2 == 1 {
			s = b.S
		}
		if code, _ := tryLogin(t, s, "zhou", "wrong", "10.4.0.1"); code != errs.CodeUnauthenticated {
			t.Fatalf("failure %d: %s", i, code)
		}
	}
	if code, _ := tryLogin(t, b.S, "zhou", "wrong", "10.4.0.1"); code != errs.CodeLocked {
		t.Fatalf("fifth failure over two processes: %s, want locked", code)
	}
	if code, _ := tryLogin(t, a.S, "zhou", "Kx7#Pass2026", "10.4.0.1"); code != errs.CodeLocked {
		t.Fatalf("the other process ignores the lock: %s", code)
	}
	for i := 0; i < sourceLimit; i++ {
		s := a.S
		if i%2 == 1 {
			s = b.S
		}
		tryLogin(t, s, fmt.Sprintf("x%d", i), "wrong", "10.4.0.9")
	}
	for _, s := range []*Service{a.S, b.S} {
		if code, _ := tryLogin(t, s, "zhou", "Kx7#Pass2026", "10.4.0.9"); code != errs.CodeRateLimited {
			t.Errorf("rate limit over two processes: %s", code)
		}
	}
	// A session opened on one process works on the other.
	res, err := a.S.Login(context.Background(), Credentials{Username: "admin", Password: adminPW}, "api", "10.4.0.3", "")
	if err != nil {
		t.Fatal(err)
	}
	c := b.anon()
	c.Token = res.Token
	if st := c.JSON("GET", "/api/v1/me", nil, nil); st != 200 {
		t.Errorf("token of process a on process b: %d", st)
	}
}

// TestThrottlePurge: the periodic purge drops counters idle for a day and keeps live locks.
func TestThrottlePurge(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	tryLogin(t, k.S, "old", "wrong", "10.5.0.1")
	k.Clk.Advance(26 * time.Hour)
	for i := 0; i < 5; i++ {
		tryLogin(t, k.S, "fresh", "wrong", "10.5.0.2")
	}
	if _, err := k.S.PurgeSessions(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := k.count("SELECT COUNT(*) FROM auth_throttle WHERE key LIKE '%old%' OR key = 's:10.5.0.1'"); n != 0 {
		t.Errorf("%d stale counters kept", n)
	}
	if code, _ := tryLogin(t, k.S, "fresh", "x", "10.5.0.2"); code != errs.CodeLocked {
		t.Errorf("purge dropped a live lock: %s", code)
	}
}
