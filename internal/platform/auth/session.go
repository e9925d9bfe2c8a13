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
	"time"

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
	TOTPRequired    bool      `json:"totp_required,omitempty"`
	csrf            string
}

// LoginUser is the user part of the login answer.
type LoginUser struct {
	ID       int64    `json:"id"`
	Username string   `json:"username"`
	Roles    []string `json:"roles"`
}

// Login checks credentials, applies throttling and lockout (throttle.go), and opens a session of kind "web" or
// "api". Every attempt is audited. Unknown, disabled and locked names answer like any wrong password (same status,
// message and work) unless the right password is given: a disabled account says so only to its own password.
func (s *Service) Login(ctx context.Context, c Credentials, kind, ip, userAgent string) (*LoginResult, error) {
	now := s.Clock.Now()
	c.Username = strings.TrimSpace(c.Username)
	actx := audit.WithActor(ctx, audit.Actor{Username: truncate(c.Username, maxKeyName), IP: ip})
	fail := func(q db.Q, userID int64, msg string) error {
		return audit.Record(actx, q, now, audit.Entry{Action: "auth.login", ObjectType: "user", ObjectID: userID, ObjectKey: truncate(c.Username, maxKeyName),
			Success: false, Message: msg})
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
	keys := keysFor(c.Username, ip)
	var res *LoginResult
	var outErr error
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if blocked, err := sourceBlocked(ctx, q, keys, now); err != nil {
			return err
		} else if blocked {
			outErr = rateLimitedError()
			return fail(q, 0, "登录过于频繁，已限流")
		}
		pol, err := s.Policy(ctx, q)
		if err != nil {
			return err
		}
		until, err := lockedUntil(ctx, q, keys, now)
		if err != nil {
			return err
		}
		hash := dummyHash
		u, err := scanUserHash(q.QueryRow(ctx, "SELECT "+userCols+", u.password_hash, u.totp_secret FROM users u WHERE lower(u.username) = lower(?)", c.Username), &hash)
		known := err == nil
		if err != nil && !db.IsNoRows(err) {
			return err
		}
		// The hash runs for every name and state, so that the time of the answer tells nothing either.
		ok := CheckPassword(hash, c.Password) && known
		uid := int64(0)
		if known {
			uid = u.ID
		}
		if until > 0 {
			outErr = lockedError(until, now)
			return fail(q, uid, "账户已锁定")
		}
		if ok && u.Status != "active" {
			outErr = &errs.Error{Code: errs.CodeUnauthenticated, Message: "账户已停用，请联系管理员"}
			return fail(q, u.ID, "账户已停用")
		}
		passwordOK := ok
		if ok && u.TOTPEnabled {
			code := strings.TrimSpace(c.TOTP)
			if code == "" {
				outErr = &errs.Error{Code: errs.CodeUnauthenticated, Message: "请输入动态口令", Fields: map[string]string{"totp": "请输入动态口令"}}
				return nil
			}
			if ok, err = acceptTOTP(ctx, q, u.ID, u.totpSecret, code, now); err != nil {
				return err
			}
		}
		if !ok {
			locked, err := recordFailure(ctx, q, pol, keys, now)
			if err != nil {
				return err
			}
			msg := "密码错误"
			switch {
			case !known:
				msg = "用户不存在"
			case u.Status != "active":
				msg = "账户已停用，密码错误"
			case passwordOK:
				msg = "动态口令错误或已使用"
			}
			switch {
			case locked:
				outErr = &errs.Error{Code: errs.CodeLocked, Message: fmt.Sprintf("连续登录失败次数过多，该账户已暂时锁定 %d 分钟", pol.LockoutMinutes)}
				msg += "，已锁定"
			case passwordOK:
				outErr = &errs.Error{Code: errs.CodeUnauthenticated, Message: "动态口令错误", Fields: map[string]string{"totp": "动态口令错误或已使用过，请等待下一个口令"}}
			default:
				outErr = &errs.Error{Code: errs.CodeUnauthenticated, Message: "用户名或密码错误"}
			}
			return fail(q, uid, msg)
		}
		if err := loadRoles(ctx, q, u); err != nil {
			return err
		}
		if err := clearFailures(ctx, q, keys); err != nil {
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
		if _, err := q.Exec(ctx, "UPDATE users SET last_login_at = ? WHERE id = ?", now.Unix(), u.ID); err != nil {
			return err
		}
		res = &LoginResult{Token: token, ExpiresAt: exp, csrf: csrf, PasswordExpired: passwordExpired(u, pol, now), TOTPRequired: totpRequired(u, pol),
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

// passwordExpired: the user must change the password before doing anything else (set by an administrator's reset or
// a new account, or the policy's expiry has passed).
// totpRequired reports whether the policy requires this account to enrol a second factor it has not enrolled:
// the three officers (系统管理员、安全保密管理员、安全审计员) when 管理员须启用动态口令 is on.
func totpRequired(u *User, pol Policy) bool {
	return pol.RequireTOTPAdmin && !u.TOTPEnabled && u.isOfficer()
}

func passwordExpired(u *User, pol Policy, now time.Time) bool {
	return u.MustChangePassword || (pol.ExpiryDays > 0 && now.Sub(time.Unix(u.PasswordChangedAt, 0)) > time.Duration(pol.ExpiryDays)*24*time.Hour)
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
		&u.MustChangePassword, &u.PasswordChangedAt, &u.LastLoginAt, &u.CreatedAt, hash, &u.totpSecret)
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
		&u.MustChangePassword, &u.PasswordChangedAt, &u.LastLoginAt, &u.CreatedAt)
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
	u.PasswordExpired = passwordExpired(u, pol, now)
	u.TOTPRequired = totpRequired(u, pol)
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
					actor = audit.Actor{UserID: u.ID, Username: u.Login, Name: u.Name, IP: ip}
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

// PermManageUsers is the permission of routes that change existing accounts: the system administrator (user:write)
// manages ordinary accounts, the security administrator (role:write) grants roles and manages officer accounts; the
// service decides which account and which change (separation.go).
const PermManageUsers = "user:write|role:write"

// passwordChangeAllowed are the routes a user whose password must be changed may still use.
var passwordChangeAllowed = map[string]bool{
	"POST /api/v1/me/password": true, "POST /api/v1/auth/logout": true,
	"GET /profile": true, "POST /profile/password": true, "POST /logout": true,
}

// totpSetupAllowed are the routes an officer who must enrol a second factor may still use: the profile page where
// the factor is enrolled, changing the password, signing out.
var totpSetupAllowed = map[string]bool{
	"GET /profile": true, "POST /profile/totp": true, "POST /profile/password": true, "POST /api/v1/me/password": true,
	"POST /logout": true, "POST /api/v1/auth/logout": true, "GET /api/v1/me": true,
}

// Authorize is the web kit's permission check. perm may list alternatives ("a|b": either will do). A user whose
// password must be changed (reset by an administrator, new account, or expired under the policy) is refused
// everything but changing it, the profile page and signing out: 403 with code password_change_required.
func (s *Service) Authorize(r *http.Request, perm string) error {
	u := UserFrom(r.Context())
	if u == nil {
		return &errs.Error{Code: errs.CodeUnauthenticated, Message: "请先登录"}
	}
	if u.PasswordExpired && !passwordChangeAllowed[r.Method+" "+r.URL.Path] {
		return &errs.Error{Code: errs.CodePasswordChange, Message: "您的密码已到期或由管理员重置，请先在“个人设置”中修改密码（POST /api/v1/me/password）后再继续"}
	}
	if u.TOTPRequired && !totpSetupAllowed[r.Method+" "+r.URL.Path] {
		return &errs.Error{Code: errs.CodeTOTPRequired, Message: "安全策略要求管理员启用动态口令：请先在“个人设置”中启用动态口令（双因素认证）后再继续"}
	}
	if perm == web.SignedIn {
		return nil
	}
	for _, p := range strings.Split(perm, "|") {
		if u.Can(p) {
			return nil
		}
	}
	var names []string
	for _, p := range strings.Split(perm, "|") {
		names = append(names, "“"+s.permName(p)+"”")
	}
	return errs.Forbidden("您没有" + strings.Join(names, "或") + "权限")
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

// PurgeSessions deletes expired sessions and stale sign-in counters (a periodic job).
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	pol, err := s.Policy(ctx, s.DB)
	if err != nil {
		return 0, err
	}
	now := s.Clock.Now()
	r, err := s.DB.Exec(ctx, "DELETE FROM sessions WHERE expires_at <= ? OR (kind = 'web' AND last_seen_at < ?)", now.Unix(), now.Unix()-int64(pol.IdleMinutes)*60)
	if err != nil {
		return 0, err
	}
	n, err := purgeThrottle(ctx, s.DB, now)
	return db.RowsAffected(r) + n, err
}
