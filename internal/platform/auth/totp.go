package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/settings"
)

func putSetting(ctx context.Context, q db.Q, p Policy, now time.Time, by string) error {
	return settings.Put(ctx, q, policyKey, p, now, by)
}

// TOTPEnrolment is a pending second-factor enrolment: the secret and a QR code to scan.
type TOTPEnrolment struct {
	Secret string
	URL    string
	QR     string // data: URL of a PNG
}

// BeginTOTP creates (or replaces) a not-yet-enabled TOTP secret for the user.
func (s *Service) BeginTOTP(ctx context.Context, u *User) (TOTPEnrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "GovOps", AccountName: u.Login})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	if _, err := s.DB.Exec(ctx, "UPDATE users SET totp_secret = ?, totp_enabled = FALSE WHERE id = ?", key.Secret(), u.ID); err != nil {
		return TOTPEnrolment{}, err
	}
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

// ConfirmTOTP enables the second factor once the user proves the authenticator works.
func (s *Service) ConfirmTOTP(ctx context.Context, u *User, code string) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		var secret string
		if err := q.QueryRow(ctx, "SELECT totp_secret FROM users WHERE id = ?", u.ID).Scan(&secret); err != nil {
			return err
		}
		if secret == "" {
			return errs.Conflict("请先生成动态口令密钥")
		}
		if !totp.Validate(strings.TrimSpace(code), secret) {
			return errs.Invalid("code", "动态口令不正确，请核对手机时间后重试")
		}
		if _, err := q.Exec(ctx, "UPDATE users SET totp_enabled = TRUE WHERE id = ?", u.ID); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "user.totp_enable", ObjectType: "user", ObjectID: u.ID, Success: true})
	})
}

// DisableTOTP turns the second factor off (the user, after confirming the password, or an administrator).
func (s *Service) DisableTOTP(ctx context.Context, userID int64) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		if _, err := q.Exec(ctx, "UPDATE users SET totp_enabled = FALSE, totp_secret = '' WHERE id = ?", userID); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "user.totp_disable", ObjectType: "user", ObjectID: userID, Success: true})
	})
}
