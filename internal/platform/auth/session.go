package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

// maxUpload bounds a multipart request body (attachments and Excel imports are well below it).
const maxUpload = 64 << 20

// CookieName is the session cookie.
const CookieName = "govops_session"

type session struct {
	idHash     string
	kind       string
	csrf       string
	focusOrgID int64
	createdAt  int64
	lastSeenAt int64
	expiresAt  int64
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// Credentials is the body of POST /api/v1/auth/login.
type Credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
	TOTP     string `json:"totp,omitempty"`
}

// LoginResult is what a successful sign-in yields.
type LoginResult struct {
	Token           string    `json:"token"`
	ExpiresAt       time.Time `json:"expires_at"`
	User            LoginUser `json:"user"`
	PasswordExpired bool      `json:"password_expired,omitempty"`
	csrf            string
}

// LoginUser is the user part of the login answer.
type LoginUser struct {
	ID       int64    `json:"id"`
	Username string   `json:"username"`
	Roles    []string `json:"roles"`
}

// Login checks credentials, applies lockout, and opens a session of kind "web" or "api". Every attempt is audited.
func (s *Service) Login(ctx context.Context, c Credentials, kind, ip, userAgent string) (*LoginResult, error) {
	now := s.Clock.Now()
	c.Username = strings.TrimSpace(c.Username)
	actx := audit.WithActor(ctx, audit.Actor{Username: c.Username, IP: ip})
	fail := func(q db.Q, userID int64, msg string) error {
		return audit.Record(actx, q, now, audit.Entry{Action: "auth.login", ObjectType: "user", ObjectID: userID, ObjectKey: c.Username,
			Success: false, Message: msg})
	}
	if !s.limiter.allow(ip, now) {
		_ = s.DB.Tx(ctx, func(q db.Q) error { return fail(q, 0, "登录过于频繁，已限流") })
		return nil, &errs.Error{Code: errs.CodeRateLimited, Message: "登录尝试过于频繁，请一分钟后再试"}
	}
	if c.Username == "" || c.Password == "" {
		f := errs.Fields{}
		if c.Username == "" {
			f.Add("username", "请输入用户名")
		}
		if c.Password == "" {
			f.Add("password", "请输入密码")
		}
		return nil, f.Err()
	}
	var res *LoginResult
	var outErr error
	err := s.DB.Tx(ctx, func(q db.Q) error {
		pol, err := s.Policy(ctx, q)
		if err != nil {
			return err
		}
		var hash string
		u, err := scanUserHash(q.QueryRow(ctx, "SELECT "+userCols+", u.password_hash, u.totp_secret FROM users u WHERE lower(u.username) = lower(?)", c.Username), &hash)
		if db.IsNoRows(err) {
			CheckPassword(dummyHash, c.Password)
			outErr = &errs.Error{Code: errs.CodeUnauthenticated, Message: "用户名或密码错误"}
			return fail(q, 0, "用户不存在")
		}
		if err != nil {
			return err
		}
		if u.Status != "active" {
			outErr = &errs.Error{Code: errs.CodeUnauthenticated, Message: "账户已停用，请联系管理员"}
			return fail(q, u.ID, "账户已停用")
		}
		if u.LockedUntil > now.Unix() {
			mins := (u.LockedUntil - now.Unix() + 59) / 60
			outErr = &errs.Error{Code: errs.CodeLocked, Message: fmt.Sprintf("连续登录失败次数过多，账户已锁定，请 %d 分钟后再试或联系管理员解锁", mins)}
			return fail(q, u.ID, "账户已锁定")
		}
		ok := CheckPassword(hash, c.Password)
		totpMissing := false
		if ok && u.TOTPEnabled {
			switch {
			case strings.TrimSpace(c.TOTP) == "":
				totpMissing = true
			case !totp.Validate(strings.TrimSpace(c.TOTP), u.totpSecret):
				ok = false
			}
		}
		if totpMissing {
			outErr = &errs.Error{Code: errs.CodeUnauthenticated, Message: "请输入动态口令", Fields: map[string]string{"totp": "请输入动态口令"}}
			return nil
		}
		if !ok {
			failed := u.FailedLogins + 1
			locked := int64(0)
			msg := "密码错误"
			if failed >= pol.LockoutThreshold {
				locked = now.Add(time.Duration(pol.LockoutMinutes) * time.Minute).Unix()
				failed = 0
				msg = fmt.Sprintf("密码错误，连续失败 %d 次，锁定 %d 分钟", pol.LockoutThreshold, pol.LockoutMinutes)
			}
			if _, err := q.Exec(ctx, "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?", failed, locked, u.ID); err != nil {
				return err
			}
			if locked > 0 {
				outErr = &errs.Error{Code: errs.CodeLocked, Message: fmt.Sprintf("连续登录失败 %d 次，账户已锁定 %d 分钟", pol.LockoutThreshold, pol.LockoutMinutes)}
			} else if u.TOTPEnabled && CheckPassword(hash, c.Password) {
				outErr = &errs.Error{Code: errs.CodeUnauthenticated, Message: "动态口令错误", Fields: map[string]string{"totp": "动态口令错误"}}
			} else {
				outErr = &errs.Error{Code: errs.CodeUnauthenticated, Message: "用户名或密码错误"}
			}
			return fail(q, u.ID, msg)
		}
		if err := loadRoles(ctx, q, u); err != nil {
			return err
		}
		token, csrf := newToken(), newToken()
		exp := now.Add(time.Duration(pol.SessionHours) * time.Hour)
		if pol.SingleSession && kind == "web" {
			if _, err := q.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND kind = 'web'", u.ID); err != nil {
				return err
			}
		}
		if _, err := q.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, kind, csrf, created_at, last_seen_at, expires_at, ip, user_agent)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, hashToken(token), u.ID, kind, csrf, now.Unix(), now.Unix(), exp.Unix(), ip, truncate(userAgent, 200)); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = 0, last_login_at = ? WHERE id = ?", now.Unix(), u.ID); err != nil {
			return err
		}
		expired := u.MustChangePassword || (pol.ExpiryDays > 0 && now.Sub(time.Unix(u.PasswordChangedAt, 0)) > time.Duration(pol.ExpiryDays)*24*time.Hour)
		res = &LoginResult{Token: token, ExpiresAt: exp, csrf: csrf, PasswordExpired: expired,
			User: LoginUser{ID: u.ID, Username: u.Login, Roles: u.Roles}}
		actx := audit.WithActor(ctx, audit.Actor{UserID: u.ID, Username: u.Login, IP: ip})
		return audit.Record(actx, q, now, audit.Entry{Action: "auth.login", ObjectType: "user", ObjectID: u.ID, Success: true,
			Extra: map[string]any{"kind": kind}})
	})
	if err != nil {
		return nil, err
	}
	if outErr != nil {
		return nil, outErr
	}
	return res, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

func scanUserHash(s db.Scanner, hash *string) (*User, error) {
	u := &User{}
	err := s.Scan(&u.ID, &u.Login, &u.Name, &u.PersonID, &u.ScopeOrgID, &u.DataScope, &u.Status, &u.TOTPEnabled,
		&u.MustChangePassword, &u.LockedUntil, &u.FailedLogins, &u.PasswordChangedAt, &u.LastLoginAt, &u.CreatedAt, hash, &u.totpSecret)
	return u, err
}

// Logout ends the session of token.
func (s *Service) Logout(ctx context.Context, u *User) error {
	if u == nil || u.session == nil {
		return nil
	}
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		if _, err := q.Exec(ctx, "DELETE FROM sessions WHERE id_hash = ?", u.session.idHash); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "auth.logout", ObjectType: "user", ObjectID: u.ID, Success: true})
	})
}

// authenticate resolves a token to its user, enforcing expiry and the idle timeout.
func (s *Service) authenticate(ctx context.Context, token string) (*User, error) {
	now := s.Clock.Now()
	sess := &session{idHash: hashToken(token)}
	var focus *int64
	row := s.DB.QueryRow(ctx, `SELECT s.kind, s.csrf, s.focus_org_id, s.created_at, s.last_seen_at, s.expires_at, `+userCols+`
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`, sess.idHash)
	u := &User{}
	err := row.Scan(&sess.kind, &sess.csrf, &focus, &sess.createdAt, &sess.lastSeenAt, &sess.expiresAt,
		&u.ID, &u.Login, &u.Name, &u.PersonID, &u.ScopeOrgID, &u.DataScope, &u.Status, &u.TOTPEnabled,
		&u.MustChangePassword, &u.LockedUntil, &u.FailedLogins, &u.PasswordChangedAt, &u.LastLoginAt, &u.CreatedAt)
	if db.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if focus != nil {
		sess.focusOrgID = *focus
	}
	pol, err := s.Policy(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	idle := now.Unix()-sess.lastSeenAt > int64(pol.IdleMinutes)*60 && sess.kind == "web"
	if now.Unix() >= sess.expiresAt || idle || u.Status != "active" {
		_, _ = s.DB.Exec(ctx, "DELETE FROM sessions WHERE id_hash = ?", sess.idHash)
		return nil, nil
	}
	if now.Unix()-sess.lastSeenAt >= 30 {
		if _, err := s.DB.Exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", now.Unix(), sess.idHash); err != nil {
			return nil, err
		}
	}
	if err := loadRoles(ctx, s.DB, u); err != nil {
		return nil, err
	}
	u.session = sess
	return u, nil
}

// Middleware authenticates requests (bearer token or session cookie), checks the CSRF token of cookie-authenticated
// state changes, and puts the user, their scope and the audit actor into the request context.
func (s *Service) Middleware(trustProxy bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics" {
				next.ServeHTTP(w, r)
				return
			}
			ctx := r.Context()
			ip := ClientIP(r, trustProxy)
			token, fromCookie := "", false
			if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
				token = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
			} else if ck, err := r.Cookie(CookieName); err == nil {
				token, fromCookie = ck.Value, true
			}
			actor := audit.Actor{IP: ip, Username: "anonymous"}
			if token != "" {
				u, err := s.authenticate(ctx, token)
				if err != nil {
					s.UI.Error(w, r, errs.Internal(err))
					return
				}
				if u == nil && fromCookie {
					http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.UI.Secure, SameSite: http.SameSiteLaxMode})
				}
				if u != nil {
					if fromCookie && !safeMethod(r.Method) && !s.csrfOK(r, u.session.csrf) {
						s.UI.Error(w, r, errs.Forbidden("页面已过期或请求来源无效（CSRF 校验失败），请刷新页面后重试"))
						return
					}
					sc, err := s.resolve(ctx, s.DB, u, u.session.focusOrgID)
					if err != nil {
						s.UI.Error(w, r, errs.Internal(err))
						return
					}
					csrf := ""
					if fromCookie {
						csrf = u.session.csrf
					}
					ctx = WithUser(ctx, u, sc)
					ctx = web.WithPrincipal(ctx, u, csrf)
					actor = audit.Actor{UserID: u.ID, Username: u.Login, IP: ip}
				}
			}
			ctx = audit.WithActor(ctx, actor)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func (s *Service) csrfOK(r *http.Request, want string) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		ct := r.Header.Get("Content-Type")
		if strings.HasPrefix(ct, "multipart/form-data") {
			// Bound what a browser may upload before anyone has looked at the request.
			r.Body = http.MaxBytesReader(nil, r.Body, maxUpload)
			if err := r.ParseMultipartForm(32 << 20); err == nil {
				got = r.FormValue("csrf_token")
			}
		} else if strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			got = r.PostFormValue("csrf_token")
		}
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// Authorize is the web kit's permission check.
func (s *Service) Authorize(r *http.Request, perm string) error {
	u := UserFrom(r.Context())
	if u == nil {
		return &errs.Error{Code: errs.CodeUnauthenticated, Message: "请先登录"}
	}
	if perm == web.SignedIn || u.Can(perm) {
		return nil
	}
	return errs.Forbidden("您没有“" + s.permName(perm) + "”权限")
}

func (s *Service) permName(code string) string {
	for _, p := range s.perms {
		if p.Code == code {
			return p.Name
		}
	}
	return code
}

// ClientIP returns the caller's address (the first X-Forwarded-For hop when behind a trusted proxy).
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			ip, _, _ := strings.Cut(xff, ",")
			return strings.TrimSpace(ip)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SetFocus changes the unit the session works in (the unit switcher); 0 returns to the full scope.
func (s *Service) SetFocus(ctx context.Context, u *User, orgID int64) error {
	if u == nil || u.session == nil {
		return errs.New(errs.CodeUnauthenticated, "请先登录")
	}
	if orgID != 0 {
		sc, err := s.resolve(ctx, s.DB, u, 0)
		if err != nil {
			return err
		}
		if err := sc.CheckOrg(ctx, s.DB, s.Tree, orgID, "org_id"); err != nil {
			return err
		}
	}
	_, err := s.DB.Exec(ctx, "UPDATE sessions SET focus_org_id = ? WHERE id_hash = ?", db.NullInt(orgID), u.session.idHash)
	return err
}

// BaseScope is the user's scope without the unit switcher's narrowing.
func (s *Service) BaseScope(ctx context.Context, u *User) (Scope, error) {
	return s.resolve(ctx, s.DB, u, 0)
}

// FocusOrgID is the unit the session is narrowed to (0: none).
func (u *User) FocusOrgID() int64 {
	if u.session == nil {
		return 0
	}
	return u.session.focusOrgID
}

// PurgeSessions deletes expired sessions (a periodic job).
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	pol, err := s.Policy(ctx, s.DB)
	if err != nil {
		return 0, err
	}
	now := s.Clock.Now().Unix()
	r, err := s.DB.Exec(ctx, "DELETE FROM sessions WHERE expires_at <= ? OR (kind = 'web' AND last_seen_at < ?)", now, now-int64(pol.IdleMinutes)*60)
	if err != nil {
		return 0, err
	}
	return db.RowsAffected(r), nil
}

// limiter is a per-address token bucket for sign-in attempts.
type limiter struct {
	mu      sync.Mutex
	burst   float64
	perSec  float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(burst int, perMinute int) *limiter {
	return &limiter{burst: float64(burst), perSec: float64(perMinute) / 60, buckets: map[string]*bucket{}}
}

func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buckets) > 100000 {
		for k, b := range l.buckets {
			if now.Sub(b.last) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.perSec)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
