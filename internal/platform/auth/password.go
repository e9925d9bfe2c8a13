package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/settings"
)

// argon2id parameters (RFC 9106 / OWASP minimum: 19 MiB, 2 passes, 1 lane).
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns a PHC-formatted argon2id hash.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword verifies pw against a PHC argon2id hash in constant time.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<21 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash equalises the time of a sign-in for an unknown user with that of a wrong password: a hash made once by
// HashPassword with the parameters above (TestDummyHash checks that they still agree). Computing it at start cost
// 19 MiB of argon2 memory in every process (docs/benchmarks.md §Idle memory and long lists).
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$JI75B0hyIhuEKhUMU6X/lQ$8EmA82HBbtpnApcYwdt1zAUW6mZrrcB+ukZQ2jGXt54"

// Policy is the security policy (等保 2.0 level 3 身份鉴别; docs/domain/security.md §Graded protection gives the common 测评
// values, which are the defaults except password expiry, off by default; the security administrator changes them).
type Policy struct {
	MinLength          int  `json:"min_length"`
	MinClasses         int  `json:"min_classes"`       // of: upper, lower, digit, symbol
	ExpiryDays         int  `json:"expiry_days"`       // 0 = passwords do not expire
	LockoutThreshold   int  `json:"lockout_threshold"` // consecutive failures that lock the account
	LockoutMinutes     int  `json:"lockout_minutes"`
	IdleMinutes        int  `json:"idle_minutes"`         // session idle timeout
	SessionHours       int  `json:"session_hours"`        // absolute lifetime of a session or token
	SingleSession      bool `json:"single_session"`       // a new sign-in ends the user's other browser sessions
	RequireTOTPAdmin   bool `json:"require_totp_admin"`   // administrators must enrol a second factor
	AuditRetentionDays int  `json:"audit_retention_days"` // informational: the chain is never pruned below this
}

// DefaultPolicy holds the secure defaults: 8 characters of 3 classes, no expiry, 5 failures → 30 minutes, 30-minute
// idle timeout, 12-hour sessions, audit kept ≥ 180 days (网络安全法 第21条: logs ≥ 6 months).
func DefaultPolicy() Policy {
	return Policy{MinLength: 8, MinClasses: 3, ExpiryDays: 0, LockoutThreshold: 5, LockoutMinutes: 30, IdleMinutes: 30,
		SessionHours: 12, AuditRetentionDays: 180}
}

const policyKey = "security.policy"

// Policy loads the current security policy.
func (s *Service) Policy(ctx context.Context, q db.Q) (Policy, error) {
	p := DefaultPolicy()
	_, err := settings.Get(ctx, q, policyKey, &p)
	return p, err
}

// Validate checks a policy's bounds.
func (p Policy) Validate() error {
	f := errs.Fields{}
	if p.MinLength < 8 || p.MinLength > 64 {
		f.Add("min_length", "最短长度应在 8–64 之间")
	}
	if p.MinClasses < 1 || p.MinClasses > 4 {
		f.Add("min_classes", "字符类别数应在 1–4 之间")
	}
	if p.ExpiryDays < 0 || p.ExpiryDays > 3650 {
		f.Add("expiry_days", "有效期应在 0–3650 天之间（0 表示不过期）")
	}
	if p.LockoutThreshold < 3 || p.LockoutThreshold > 20 {
		f.Add("lockout_threshold", "失败次数阈值应在 3–20 之间")
	}
	if p.LockoutMinutes < 1 || p.LockoutMinutes > 1440 {
		f.Add("lockout_minutes", "锁定时长应在 1–1440 分钟之间")
	}
	if p.IdleMinutes < 1 || p.IdleMinutes > 240 {
		f.Add("idle_minutes", "空闲超时应在 1–240 分钟之间")
	}
	if p.SessionHours < 1 || p.SessionHours > 72 {
		f.Add("session_hours", "会话有效期应在 1–72 小时之间")
	}
	if p.AuditRetentionDays < 180 {
		f.Add("audit_retention_days", "审计日志保存期不得少于 180 天（网络安全法第二十一条）")
	}
	return f.Err()
}

// CheckStrength applies the policy to a new password; field names the form field for the error.
func (p Policy) CheckStrength(pw, username, field string) error {
	n := len([]rune(pw))
	if n < p.MinLength {
		return errs.Invalid(field, fmt.Sprintf("密码至少 %d 个字符", p.MinLength))
	}
	if n > 128 {
		return errs.Invalid(field, "密码不能超过 128 个字符")
	}
	var upper, lower, digit, symbol bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsSpace(r):
			return errs.Invalid(field, "密码不能包含空白字符")
		default:
			symbol = true
		}
	}
	classes := 0
	for _, b := range []bool{upper, lower, digit, symbol} {
		if b {
			classes++
		}
	}
	if classes < p.MinClasses {
		return errs.Invalid(field, fmt.Sprintf("密码须包含大写字母、小写字母、数字、符号中的至少 %d 类", p.MinClasses))
	}
	if username != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(username)) {
		return errs.Invalid(field, "密码不能包含用户名")
	}
	return nil
}

// RandomPassword makes a password that satisfies any policy (for the first admin and resets).
func RandomPassword() string {
	const (
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lower  = "abcdefghijkmnpqrstuvwxyz"
		digits = "23456789"
		sym    = "!@#%^*-_=+"
	)
	all := upper + lower + digits + sym
	b := make([]byte, 16)
	r := make([]byte, 16)
	_, _ = rand.Read(r)
	for i := range b {
		set := all
		switch i {
		case 0:
			set = upper
		case 1:
			set = lower
		case 2:
			set = digits
		case 3:
			set = sym
		}
		b[i] = set[int(r[i])%len(set)]
	}
	// Shuffle so the classes are not in fixed positions.
	_, _ = rand.Read(r)
	for i := len(b) - 1; i > 0; i-- {
		j := int(r[i]) % (i + 1)
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}
