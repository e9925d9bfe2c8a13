package auth

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"image/png"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/settings"
)

func putSetting(ctx context.Context, q db.Q, p Policy, now time.Time, by string) error {
	return settings.Put(ctx, q, policyKey, p, now, by)
}

// totpPeriod is the length of a TOTP step (RFC 6238; every authenticator app uses 30 s).
const totpPeriod = 30

// TOTPCode returns the code of secret for the step containing t (for tests and tools).
func TOTPCode(secret string, t time.Time) (string, error) {
	return hotp.GenerateCodeCustom(secret, uint64(t.Unix()/totpPeriod), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// matchTOTP returns the step (of the previous, current and next 30-second steps around now, to allow for a phone's
// clock) whose code is code, or 0.
func matchTOTP(secret, code string, now time.Time) int64 {
	code = strings.TrimSpace(code)
	if len(code) != 6 || secret == "" {
		return 0
	}
	step := now.Unix() / totpPeriod
	for _, c := range []int64{step - 1, step, step + 1} {
		want, err := hotp.GenerateCodeCustom(secret, uint64(c), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return c
		}
	}
	return 0
}

// acceptTOTP checks a code of the user's active secret and accepts each step once: the matched step must be later
// than the last accepted one, and becomes it in the same statement, so a code cannot be replayed within its window —
// not even against another server process on the same database.
func acceptTOTP(ctx context.Context, q db.Q, userID int64, secret, code string, now time.Time) (bool, error) {
	step := matchTOTP(secret, code, now)
	if step == 0 {
		return false, nil
	}
	r, err := q.Exec(ctx, "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?", step, userID, step)
	if err != nil {
		return false, err
	}
	return db.RowsAffected(r) == 1, nil
}

// TOTPEnrolment is a pending second-factor enrolment: the secret and a QR code to scan.
type TOTPEnrolment struct {
	Secret string
	URL    string
	QR     string // data: URL of a PNG
}

// Reauth is what a user gives to change their own second factor: the password and, when a factor is enrolled, a
// current code of it.
type Reauth struct {
	Password string `json:"password"`
	Code     string `json:"code,omitempty"`
}

// BeginTOTP makes a new secret for the user to scan. It needs the password, and when a factor is already enabled a
// current code of it (re-enrolment); the new secret stays pending — the enabled factor keeps working — until
// ConfirmTOTP proves the authenticator holds it.
func (s *Service) BeginTOTP(ctx context.Context, u *User, re Reauth) (TOTPEnrolment, error) {
	if err := s.reauthenticate(ctx, u, re, "user.totp_begin", "password", true); err != nil {
		return TOTPEnrolment{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "GovOps", AccountName: u.Login})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	if _, err := s.DB.Exec(ctx, "UPDATE users SET totp_pending = ? WHERE id = ?", key.Secret(), u.ID); err != nil {
		return TOTPEnrolment{}, err
	}
	return enrolment(key)
}

// PendingTOTP shows the enrolment in progress again (after a mistyped code), or nil when there is none.
func (s *Service) PendingTOTP(ctx context.Context, u *User) (*TOTPEnrolment, error) {
	var pending string
	if err := s.DB.QueryRow(ctx, "SELECT totp_pending FROM users WHERE id = ?", u.ID).Scan(&pending); err != nil || pending == "" {
		return nil, err
	}
	key, err := otp.NewKeyFromURL(fmt.Sprintf("otpauth://totp/GovOps:%s?issuer=GovOps&secret=%s", url.PathEscape(u.Login), pending))
	if err != nil {
		return nil, err
	}
	en, err := enrolment(key)
	return &en, err
}

func enrolment(key *otp.Key) (TOTPEnrolment, error) {
	img, err := key.Image(200, 200)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: key.Secret(), URL: key.URL(), QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// ConfirmTOTP makes the pending secret the user's factor once a code of it proves the authenticator works.
func (s *Service) ConfirmTOTP(ctx context.Context, u *User, code string) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		var pending string
		var enabled bool
		if err := q.QueryRow(ctx, "SELECT totp_pending, totp_enabled FROM users WHERE id = ?", u.ID).Scan(&pending, &enabled); err != nil {
			return err
		}
		if pending == "" {
			return errs.Conflict("请先生成动态口令密钥")
		}
		step := matchTOTP(pending, code, now)
		if step == 0 {
			return errs.Invalid("code", "动态口令不正确，请核对手机时间后重试")
		}
		r, err := q.Exec(ctx, "UPDATE users SET totp_secret = totp_pending, totp_pending = '', totp_enabled = TRUE, totp_last_step = ? WHERE id = ? AND totp_pending = ?",
			step, u.ID, pending)
		if err != nil {
			return err
		}
		if db.RowsAffected(r) != 1 {
			return errs.Conflict("动态口令密钥已更换，请重新扫码")
		}
		action := "user.totp_enable"
		if enabled {
			action = "user.totp_reenrol"
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: action, ObjectType: "user", ObjectID: u.ID, Success: true})
	})
}

// DisableOwnTOTP switches the user's own second factor off; it needs the password and a current code.
func (s *Service) DisableOwnTOTP(ctx context.Context, u *User, re Reauth) error {
	pol, err := s.Policy(ctx, s.DB)
	if err != nil {
		return err
	}
	if pol.RequireTOTPAdmin && u.isOfficer() {
		return errs.Conflict("安全策略要求管理员启用动态口令，不能关闭；如需更换手机，请重新绑定")
	}
	if err := s.reauthenticate(ctx, u, re, "user.totp_disable", "password", true); err != nil {
		return err
	}
	return s.clearTOTP(ctx, u.ID, 0)
}

// DisableTOTP switches another user's second factor off (an administrator helping someone who lost their phone),
// under the rules of 三员分立 (separation.go).
func (s *Service) DisableTOTP(ctx context.Context, actor *User, sc Scope, id int64) error {
	target, err := s.VisibleUser(ctx, s.DB, sc, id)
	if err != nil {
		return err
	}
	if err := s.mayManage(actor, target, manageTOTP); err != nil {
		return err
	}
	return s.clearTOTP(ctx, id, target.ScopeOrgID)
}

func (s *Service) clearTOTP(ctx context.Context, userID, orgID int64) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		if _, err := q.Exec(ctx, "UPDATE users SET totp_enabled = FALSE, totp_secret = '', totp_pending = '' WHERE id = ?", userID); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "user.totp_disable", ObjectType: "user", ObjectID: userID, OrgID: orgID, Success: true})
	})
}

// reauthenticate checks the signed-in user's password and (withCode, when a second factor is enabled) a current code
// of it, before a change of their own credentials; pwField names the password's form field in errors. Wrong answers count toward the sign-in lock (throttle.go) and while the
// name is locked even right ones are refused (423). It commits on its own, so the count survives the refusal; a
// refusal is audited as action with success false.
func (s *Service) reauthenticate(ctx context.Context, u *User, re Reauth, action, pwField string, withCode bool) error {
	now := s.Clock.Now()
	keys := keysFor(u.Login, audit.ActorFrom(ctx).IP)
	var outErr error
	err := s.DB.Tx(ctx, func(q db.Q) error {
		pol, err := s.Policy(ctx, q)
		if err != nil {
			return err
		}
		if blocked, err := sourceBlocked(ctx, q, keys, now); err != nil {
			return err
		} else if blocked {
			outErr = rateLimitedError()
			return audit.Record(ctx, q, now, audit.Entry{Action: action, ObjectType: "user", ObjectID: u.ID, Message: "过于频繁，已限流"})
		}
		until, err := lockedUntil(ctx, q, keys, now)
		if err != nil {
			return err
		}
		var hash, secret string
		var enabled bool
		if err := q.QueryRow(ctx, "SELECT password_hash, totp_secret, totp_enabled FROM users WHERE id = ?", u.ID).Scan(&hash, &secret, &enabled); err != nil {
			return err
		}
		pwOK := CheckPassword(hash, re.Password)
		if until > 0 {
			outErr = lockedError(until, now)
			return audit.Record(ctx, q, now, audit.Entry{Action: action, ObjectType: "user", ObjectID: u.ID, Message: "账户已锁定"})
		}
		f := errs.Fields{}
		switch {
		case re.Password == "":
			f.Add(pwField, "请输入当前密码")
		case !pwOK:
			f.Add(pwField, "当前密码不正确")
		}
		if withCode && enabled && pwOK {
			switch ok, err := acceptTOTP(ctx, q, u.ID, secret, re.Code, now); {
			case err != nil:
				return err
			case strings.TrimSpace(re.Code) == "":
				f.Add("code", "请输入动态口令")
			case !ok:
				f.Add("code", "动态口令不正确或已使用过")
			}
		}
		if len(f) == 0 {
			return nil
		}
		outErr = f.Err()
		if re.Password == "" && len(f) == 1 {
			return nil // nothing was tried
		}
		locked, err := recordFailure(ctx, q, pol, keys, now)
		if err != nil {
			return err
		}
		if locked {
			outErr = &errs.Error{Code: errs.CodeLocked, Message: "连续验证失败次数过多，账户已暂时锁定，请稍后再试"}
		}
		msg := "当前密码错误"
		if pwOK {
			msg = "动态口令错误"
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: action, ObjectType: "user", ObjectID: u.ID, Message: msg})
	})
	if err != nil {
		return err
	}
	return outErr
}
