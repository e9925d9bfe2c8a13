package auth

import (
	"strings"
	"testing"

	"github.com/govops/govops/internal/platform/errs"
)

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	if err := p.Validate(); err != nil {
		t.Fatalf("default policy invalid: %v", err)
	}
	for _, c := range []struct {
		pw, user, why string
	}{
		{"Ab1!", "", "至少 8"},
		{"abcdefgh", "", "至少 3 类"},
		{"abcdefg1", "", "至少 3 类"},
		{"Abc defg1", "", "空白"},
		{"Zhangsan#2026", "zhangsan", "用户名"},
		{"ZHANGSAN#2026x", "zhangsan", "用户名"},
		{strings.Repeat("Aa1!", 33), "", "128"},
	} {
		err := p.CheckStrength(c.pw, c.user, "password")
		e := errs.As(err)
		if e == nil || e.Code != errs.CodeValidation || !strings.Contains(e.Fields["password"], c.why) {
			t.Errorf("%q (user %q): %v, want a 422 on password mentioning %q", c.pw, c.user, err, c.why)
		}
	}
	for _, ok := range []string{"Abcdefg1", "abcdefg1!", "ABCD12#$", "密码Ab1!xyz"} {
		if err := p.CheckStrength(ok, "zhangsan", "password"); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	four := p
	four.MinClasses, four.MinLength = 4, 12
	if err := four.CheckStrength("Abcdefgh1234", "", "new_password"); errs.As(err) == nil || errs.As(err).Fields["new_password"] == "" {
		t.Errorf("four classes required: %v", err)
	}
	for i := 0; i < 50; i++ {
		if pw := RandomPassword(); four.CheckStrength(pw, "admin", "p") != nil {
			t.Fatalf("random password %q fails the strictest classes", pw)
		}
	}

	bad := Policy{MinLength: 4, MinClasses: 5, ExpiryDays: -1, LockoutThreshold: 1, LockoutMinutes: 0, IdleMinutes: 0, SessionHours: 100, AuditRetentionDays: 30}
	e := errs.As(bad.Validate())
	if e == nil || len(e.Fields) != 8 {
		t.Fatalf("a policy out of every bound: %v", e)
	}
}

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("Correct#Horse1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not PHC argon2id with the OWASP parameters", h)
	}
	h2, _ := HashPassword("Correct#Horse1")
	if h == h2 {
		t.Error("two hashes of one password are equal (no salt)")
	}
	if !CheckPassword(h, "Correct#Horse1") || CheckPassword(h, "Correct#Horse2") || CheckPassword(h, "") {
		t.Error("CheckPassword accepts the wrong password or refuses the right one")
	}
	for _, broken := range []string{"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=99999999,t=2,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$!!$a2V5", h[:len(h)-10]} {
		if CheckPassword(broken, "Correct#Horse1") {
			t.Errorf("malformed hash %q accepted", broken)
		}
	}
}
