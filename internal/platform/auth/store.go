package auth

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

const userCols = `u.id, u.username, u.display_name, COALESCE(u.person_id, 0), COALESCE(u.scope_org_id, 0), u.data_scope, u.status,
	u.totp_enabled, u.must_change_password, u.password_changed_at, u.last_login_at, u.created_at`

func scanUser(s db.Scanner) (*User, error) {
	u := &User{}
	err := s.Scan(&u.ID, &u.Login, &u.Name, &u.PersonID, &u.ScopeOrgID, &u.DataScope, &u.Status, &u.TOTPEnabled,
		&u.MustChangePassword, &u.PasswordChangedAt, &u.LastLoginAt, &u.CreatedAt)
	return u, err
}

// loadRoles fills u.Roles and u.perms.
func loadRoles(ctx context.Context, q db.Q, u *User) error {
	rows, err := q.Query(ctx, `SELECT ur.role_code, COALESCE(rp.permission, '') FROM user_roles ur
		LEFT JOIN role_permissions rp ON rp.role_code = ur.role_code WHERE ur.user_id = ? ORDER BY ur.role_code`, u.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	u.perms = map[string]bool{}
	u.Roles = []string{}
	seen := map[string]bool{}
	for rows.Next() {
		var role, perm string
		if err := rows.Scan(&role, &perm); err != nil {
			return err
		}
		if !seen[role] {
			seen[role] = true
			u.Roles = append(u.Roles, role)
		}
		if perm != "" {
			u.perms[perm] = true
		}
	}
	return rows.Err()
}

// GetUser loads a user with roles, or not_found.
func (s *Service) GetUser(ctx context.Context, q db.Q, id int64) (*User, error) {
	u, err := scanUser(q.QueryRow(ctx, "SELECT "+userCols+" FROM users u WHERE u.id = ?", id))
	if db.IsNoRows(err) {
		return nil, errs.NotFound("用户")
	}
	if err != nil {
		return nil, err
	}
	return u, loadRoles(ctx, q, u)
}

// VisibleUser loads a user the caller's scope covers (404 otherwise).
func (s *Service) VisibleUser(ctx context.Context, q db.Q, sc Scope, id int64) (*User, error) {
	cond, args := sc.OrgCond("u.scope_org_id")
	u, err := scanUser(q.QueryRow(ctx, "SELECT "+userCols+" FROM users u WHERE u.id = ? AND ("+cond+")", append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return nil, errs.NotFound("用户")
	}
	if err != nil {
		return nil, err
	}
	return u, loadRoles(ctx, q, u)
}

// UserFilter narrows the user list.
type UserFilter struct {
	List   web.List
	Role   string
	Status string
}

// ListUsers lists users within scope.
func (s *Service) ListUsers(ctx context.Context, q db.Q, sc Scope, f UserFilter) ([]*User, int64, error) {
	cond, args := sc.OrgCond("u.scope_org_id")
	where := []string{"(" + cond + ")"}
	if f.List.Q != "" {
		where = append(where, "(lower(u.username) LIKE ? ESCAPE '\\' OR lower(u.display_name) LIKE ? ESCAPE '\\')")
		p := db.LikeContains(f.List.Q)
		args = append(args, p, p)
	}
	if f.Role != "" {
		where = append(where, "u.id IN (SELECT user_id FROM user_roles WHERE role_code = ?)")
		args = append(args, f.Role)
	}
	if f.Status != "" {
		where = append(where, "u.status = ?")
		args = append(args, f.Status)
	}
	w := " WHERE " + strings.Join(where, " AND ")
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM users u"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	order := f.List.OrderBy(map[string]string{"username": "u.username", "name": "u.display_name", "last_login": "u.last_login_at", "created": "u.id"}, "u.id")
	users, err := db.Select(ctx, q, scanUser, "SELECT "+userCols+" FROM users u"+w+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	for _, u := range users {
		if err := loadRoles(ctx, q, u); err != nil {
			return nil, 0, err
		}
	}
	return users, total, nil
}

// UserInput is the body of POST /api/v1/users and the user form.
type UserInput struct {
	Username    string   `json:"username"`
	Password    string   `json:"password,omitempty"`
	DisplayName string   `json:"display_name,omitempty"`
	PersonID    int64    `json:"person_id,omitempty"`
	Roles       []string `json:"roles"`
	ScopeOrgID  int64    `json:"scope_org_id,omitempty"`
	DataScope   string   `json:"data_scope"`
}

var usernameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-]{2,31}$`)

// checkGrant verifies that actor may give a user these roles and this scope.
func (s *Service) checkGrant(ctx context.Context, q db.Q, actor *User, actorScope Scope, in *UserInput, f errs.Fields) error {
	if len(in.Roles) == 0 {
		f.Add("roles", "请至少选择一个角色")
	}
	seen := map[string]bool{}
	var roles []string
	for _, r := range in.Roles {
		r = strings.TrimSpace(r)
		if r == "" || seen[r] {
			continue
		}
		seen[r] = true
		roles = append(roles, r)
	}
	sort.Strings(roles)
	in.Roles = roles
	if msg, err := roleConflict(ctx, q, roles); err != nil {
		return err
	} else if msg != "" {
		f.Add("roles", msg)
	}
	for _, r := range roles {
		perms, err := db.Strings(ctx, q, "SELECT permission FROM role_permissions WHERE role_code = ?", r)
		if err != nil {
			return err
		}
		n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM roles WHERE code = ?", r)
		if err != nil {
			return err
		}
		if n == 0 {
			f.Add("roles", "角色不存在："+r)
			continue
		}
		if actor != nil && !actor.Can("role:write") {
			for _, p := range perms {
				if !actor.Can(p) {
					f.Add("roles", "您无权授予角色 "+r+"（其含有您不具备的权限 "+p+"；管理员角色须由安全保密管理员授予）")
					break
				}
			}
		}
	}
	switch in.DataScope {
	case ScopeAll:
		in.ScopeOrgID = 0
		if !actorScope.All() {
			f.Add("data_scope", "不能授予超出您自己数据范围的“全部”范围")
		}
	case ScopeSubtree, ScopeUnit, ScopeSelf:
		if in.ScopeOrgID == 0 && in.PersonID != 0 {
			if org, err := s.Tree.PersonOrg(ctx, q, in.PersonID); err == nil {
				in.ScopeOrgID = org
			}
		}
		if in.ScopeOrgID == 0 {
			f.Add("scope_org_id", "请选择数据范围所在单位")
		} else if err := actorScope.CheckOrg(ctx, q, s.Tree, in.ScopeOrgID, "scope_org_id"); err != nil {
			if e := errs.As(err); e != nil && e.Code == errs.CodeNotFound {
				f.Add("scope_org_id", "单位不存在或不在您的数据范围内")
			} else {
				return err
			}
		}
		if in.DataScope == ScopeSelf && in.PersonID == 0 {
			f.Add("person_id", "“仅本人”范围须绑定人员")
		}
	default:
		f.Add("data_scope", "数据范围应为 all、subtree、unit 或 self")
	}
	if in.PersonID != 0 {
		orgID, err := s.Tree.PersonOrg(ctx, q, in.PersonID)
		if err != nil {
			if errs.Is(err, errs.CodeNotFound) {
				f.Add("person_id", "人员不存在")
			} else {
				return err
			}
		} else if path, err := s.Tree.OrgPath(ctx, q, orgID); err == nil && !actorScope.ContainsPath(orgID, path) {
			f.Add("person_id", "人员不存在或不在您的数据范围内")
		}
	}
	return nil
}

// roleConflict is separationConflict for roles as stored.
func roleConflict(ctx context.Context, q db.Q, roles []string) (string, error) {
	perms, err := rolePerms(ctx, q, roles)
	if err != nil {
		return "", err
	}
	return separationConflict(roles, perms), nil
}

// CreateUser adds a user. actor nil means the system (first admin, demo loader, CLI); accounts created by an
// administrator must change their password at first sign-in. Officer roles cannot be given on creation by an
// administrator (separation.go, rule 2).
func (s *Service) CreateUser(ctx context.Context, actor *User, actorScope Scope, in UserInput) (*User, error) {
	now := s.Clock.Now()
	in.Username = strings.TrimSpace(in.Username)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	var out *User
	err := s.DB.Tx(ctx, func(q db.Q) error {
		f := errs.Fields{}
		if !usernameRe.MatchString(in.Username) {
			f.Add("username", "用户名为 3–32 位字母、数字、点、下划线或连字符，且以字母或数字开头")
		}
		pol, err := s.Policy(ctx, q)
		if err != nil {
			return err
		}
		if in.Password == "" {
			f.Add("password", "请设置初始密码")
		} else if err := pol.CheckStrength(in.Password, in.Username, "password"); err != nil {
			f.Add("password", errs.As(err).Message)
		}
		if len([]rune(in.DisplayName)) > 40 {
			f.Add("display_name", "姓名不超过 40 字")
		}
		if err := s.checkGrant(ctx, q, actor, actorScope, &in, f); err != nil {
			return err
		}
		if err := checkOfficerGrant(actor, nil, nil, in.Roles); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM users WHERE lower(username) = lower(?)", in.Username); err != nil {
			return err
		} else if n > 0 {
			e := errs.Conflict("用户名已存在")
			e.Fields = map[string]string{"username": "用户名已存在"}
			return e
		}
		hash, err := HashPassword(in.Password)
		if err != nil {
			return err
		}
		if in.DisplayName == "" {
			in.DisplayName = in.Username
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO users (username, display_name, password_hash, person_id, scope_org_id, data_scope,
			password_changed_at, must_change_password, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Username, in.DisplayName, hash, db.NullInt(in.PersonID), db.NullInt(in.ScopeOrgID), in.DataScope,
			now.Unix(), actor != nil, now.Unix(), now.Unix())
		if err != nil {
			if db.IsUnique(err) {
				return errs.Conflict("用户名已存在")
			}
			return err
		}
		if err := addHistory(ctx, q, id, hash, now); err != nil {
			return err
		}
		for _, r := range in.Roles {
			if _, err := q.Exec(ctx, "INSERT INTO user_roles (user_id, role_code) VALUES (?, ?)", id, r); err != nil {
				return err
			}
		}
		if out, err = s.GetUser(ctx, q, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "user.create", ObjectType: "user", ObjectID: id, OrgID: in.ScopeOrgID,
			Success: true, After: userSnapshot(out)})
	})
	return out, err
}

func userSnapshot(u *User) map[string]any {
	return map[string]any{"username": u.Login, "display_name": u.Name, "person_id": u.PersonID, "scope_org_id": u.ScopeOrgID,
		"data_scope": u.DataScope, "roles": u.Roles, "status": u.Status}
}

// UserPatch is the body of PATCH /api/v1/users/{id}.
type UserPatch struct {
	DisplayName *string   `json:"display_name,omitempty"`
	PersonID    *int64    `json:"person_id,omitempty"`
	Roles       *[]string `json:"roles,omitempty"`
	ScopeOrgID  *int64    `json:"scope_org_id,omitempty"`
	DataScope   *string   `json:"data_scope,omitempty"`
}

// UpdateUser changes a user's name, binding, roles and scope. A change of roles is recorded as user.grant. The
// rules of 三员分立 (separation.go) decide who may change what: the system administrator the account and the
// roles it holds itself, the security administrator any role (officer roles included, audit_admin excepted) and
// officer accounts.
func (s *Service) UpdateUser(ctx context.Context, actor *User, actorScope Scope, id int64, p UserPatch) (*User, error) {
	now := s.Clock.Now()
	var out *User
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := s.VisibleUser(ctx, q, actorScope, id)
		if err != nil {
			return err
		}
		in := UserInput{Username: before.Login, DisplayName: before.Name, PersonID: before.PersonID, Roles: before.Roles,
			ScopeOrgID: before.ScopeOrgID, DataScope: before.DataScope}
		if p.DisplayName != nil {
			in.DisplayName = strings.TrimSpace(*p.DisplayName)
		}
		if p.PersonID != nil {
			in.PersonID = *p.PersonID
		}
		if p.Roles != nil {
			in.Roles = normalizeRoles(*p.Roles)
		}
		if p.ScopeOrgID != nil {
			in.ScopeOrgID = *p.ScopeOrgID
		}
		if p.DataScope != nil {
			in.DataScope = *p.DataScope
		}
		rolesChanged := strings.Join(in.Roles, ",") != strings.Join(before.Roles, ",")
		accountChanged := in.DisplayName != before.Name || in.PersonID != before.PersonID || in.DataScope != before.DataScope ||
			(in.DataScope != ScopeAll && in.ScopeOrgID != 0 && in.ScopeOrgID != before.ScopeOrgID)
		switch {
		case accountChanged:
			err = s.mayManage(actor, before, manageEdit)
		default:
			err = s.mayManage(actor, before, manageRoles)
		}
		if err != nil {
			return err
		}
		if rolesChanged {
			if err := s.mayManage(actor, before, manageRoles); err != nil {
				return err
			}
			if err := checkOfficerGrant(actor, before, before.Roles, in.Roles); err != nil {
				return err
			}
		}
		if !rolesChanged && !accountChanged {
			out = before
			return nil
		}
		f := errs.Fields{}
		if in.DisplayName == "" || len([]rune(in.DisplayName)) > 40 {
			f.Add("display_name", "姓名为 1–40 字")
		}
		// Only newly granted roles are checked against the actor's own rights.
		check := in
		check.Roles = nil
		for _, r := range in.Roles {
			if !before.HasRole(r) {
				check.Roles = append(check.Roles, r)
			}
		}
		sub := errs.Fields{}
		if err := s.checkGrant(ctx, q, actor, actorScope, &check, sub); err != nil {
			return err
		}
		for k, v := range sub {
			if k == "roles" && len(check.Roles) == 0 {
				continue // "at least one role" is judged on the full list below
			}
			f.Add(k, v)
		}
		if len(in.Roles) == 0 {
			f.Add("roles", "请至少选择一个角色")
		}
		if msg, err := roleConflict(ctx, q, in.Roles); err != nil {
			return err
		} else if msg != "" {
			f.Add("roles", msg)
		}
		if err := f.Err(); err != nil {
			return err
		}
		in.ScopeOrgID = check.ScopeOrgID
		if in.DataScope == ScopeAll {
			in.ScopeOrgID = 0
		}
		if _, err := q.Exec(ctx, `UPDATE users SET display_name = ?, person_id = ?, scope_org_id = ?, data_scope = ?, updated_at = ? WHERE id = ?`,
			in.DisplayName, db.NullInt(in.PersonID), db.NullInt(in.ScopeOrgID), in.DataScope, now.Unix(), id); err != nil {
			return err
		}
		if rolesChanged {
			if _, err := q.Exec(ctx, "DELETE FROM user_roles WHERE user_id = ?", id); err != nil {
				return err
			}
			for _, r := range in.Roles {
				if _, err := q.Exec(ctx, "INSERT INTO user_roles (user_id, role_code) VALUES (?, ?)", id, r); err != nil {
					return err
				}
			}
		}
		if out, err = s.GetUser(ctx, q, id); err != nil {
			return err
		}
		action := "user.update"
		if rolesChanged {
			action = "user.grant"
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: action, ObjectType: "user", ObjectID: id, OrgID: out.ScopeOrgID,
			Success: true, Before: userSnapshot(before), After: userSnapshot(out)})
	})
	return out, err
}

// normalizeRoles trims, de-duplicates and sorts role codes (the order loadRoles gives).
func normalizeRoles(in []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, r := range in {
		r = strings.TrimSpace(r)
		if r != "" && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// SetStatus enables or disables a user; disabling ends their sessions.
func (s *Service) SetStatus(ctx context.Context, actor *User, sc Scope, id int64, status string) error {
	if status != "active" && status != "disabled" {
		return errs.Invalid("status", "状态应为 active 或 disabled")
	}
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		u, err := s.VisibleUser(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if err := s.mayManage(actor, u, manageStatus); err != nil {
			return err
		}
		if u.Status == status {
			return nil
		}
		if _, err := q.Exec(ctx, "UPDATE users SET status = ?, updated_at = ? WHERE id = ?", status, now.Unix(), id); err != nil {
			return err
		}
		if status == "disabled" {
			if _, err := q.Exec(ctx, "DELETE FROM sessions WHERE user_id = ?", id); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "user." + map[string]string{"active": "enable", "disabled": "disable"}[status],
			ObjectType: "user", ObjectID: id, OrgID: u.ScopeOrgID, Success: true, Before: map[string]any{"status": u.Status}, After: map[string]any{"status": status}})
	})
}

// Unlock clears the sign-in locks and failure counts of a user name (from every source).
func (s *Service) Unlock(ctx context.Context, actor *User, sc Scope, id int64) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		u, err := s.VisibleUser(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if err := s.mayManage(actor, u, manageUnlock); err != nil {
			return err
		}
		cond, args := userKeyCond(u.Login)
		if _, err := q.Exec(ctx, "DELETE FROM auth_throttle WHERE "+cond, args...); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "user.unlock", ObjectType: "user", ObjectID: id, OrgID: u.ScopeOrgID, Success: true})
	})
}

// ResetPassword sets a new password chosen by an administrator (or a random one when pw is "") and returns it;
// with mustChange the user must change it at next sign-in. Their sessions end and their sign-in locks are cleared.
// actor nil is the server operator (`govops user reset-password`), the only way to reset an officer's password.
func (s *Service) ResetPassword(ctx context.Context, actor *User, sc Scope, id int64, pw string, mustChange bool) (string, error) {
	now := s.Clock.Now()
	if pw == "" {
		pw = RandomPassword()
	}
	err := s.DB.Tx(ctx, func(q db.Q) error {
		u, err := s.VisibleUser(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if err := s.mayManage(actor, u, manageReset); err != nil {
			return err
		}
		pol, err := s.Policy(ctx, q)
		if err != nil {
			return err
		}
		if err := pol.CheckStrength(pw, u.Login, "password"); err != nil {
			return err
		}
		hash, err := HashPassword(pw)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ?, must_change_password = ?, updated_at = ? WHERE id = ?`,
			hash, now.Unix(), mustChange, now.Unix(), id); err != nil {
			return err
		}
		if err := addHistory(ctx, q, id, hash, now); err != nil {
			return err
		}
		cond, args := userKeyCond(u.Login)
		if _, err := q.Exec(ctx, "DELETE FROM auth_throttle WHERE "+cond, args...); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "DELETE FROM sessions WHERE user_id = ?", id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "user.reset_password", ObjectType: "user", ObjectID: id, OrgID: u.ScopeOrgID, Success: true})
	})
	return pw, err
}

// historySize is how many recent passwords (the current one included) a new password may not repeat.
const historySize = 5

func addHistory(ctx context.Context, q db.Q, userID int64, hash string, now time.Time) error {
	if _, err := q.Exec(ctx, "INSERT INTO password_history (user_id, password_hash, created_at) VALUES (?, ?, ?)", userID, hash, now.Unix()); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `DELETE FROM password_history WHERE user_id = ? AND id NOT IN
		(SELECT id FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?)`, userID, userID, historySize)
	return err
}

// usedBefore reports whether pw is one of the user's recent passwords.
func usedBefore(ctx context.Context, q db.Q, userID int64, pw string) (bool, error) {
	hashes, err := db.Strings(ctx, q, "SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?", userID, historySize)
	if err != nil {
		return false, err
	}
	for _, h := range hashes {
		if CheckPassword(h, pw) {
			return true, nil
		}
	}
	return false, nil
}

// ChangeOwnPassword checks the current password (throttled and locked like a sign-in) and sets a new one, which may
// not be one of the last five. The user's other sessions end; the current one stays.
func (s *Service) ChangeOwnPassword(ctx context.Context, u *User, current, next string) error {
	if err := s.reauthenticate(ctx, u, Reauth{Password: current}, "user.change_password", "current_password", false); err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		if current == next {
			return errs.Invalid("new_password", "新密码不能与当前密码相同")
		}
		pol, err := s.Policy(ctx, q)
		if err != nil {
			return err
		}
		if err := pol.CheckStrength(next, u.Login, "new_password"); err != nil {
			return err
		}
		if used, err := usedBefore(ctx, q, u.ID, next); err != nil {
			return err
		} else if used {
			return errs.Invalid("new_password", fmt.Sprintf("新密码不能与最近 %d 次使用过的密码相同", historySize))
		}
		nh, err := HashPassword(next)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "UPDATE users SET password_hash = ?, password_changed_at = ?, must_change_password = FALSE, updated_at = ? WHERE id = ?",
			nh, now.Unix(), now.Unix(), u.ID); err != nil {
			return err
		}
		if err := addHistory(ctx, q, u.ID, nh, now); err != nil {
			return err
		}
		// Other sessions of this user end; the current one stays.
		if u.session != nil {
			if _, err := q.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?", u.ID, u.session.idHash); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "user.change_password", ObjectType: "user", ObjectID: u.ID, Success: true})
	})
}

// CountUsersInOrg counts users whose scope unit is orgID (the spine refuses to delete such a unit).
func CountUsersInOrg(ctx context.Context, q db.Q, orgID int64) (int64, error) {
	return db.Count(ctx, q, "SELECT COUNT(*) FROM users WHERE scope_org_id = ?", orgID)
}

// CountUsersOfPerson counts users bound to a person.
func CountUsersOfPerson(ctx context.Context, q db.Q, personID int64) (int64, error) {
	return db.Count(ctx, q, "SELECT COUNT(*) FROM users WHERE person_id = ?", personID)
}

// Seed installs or refreshes the built-in roles (their permissions follow the registered permissions), repairs
// accounts that hold two officer roles (separation.go), and creates the first user `admin` — a system administrator
// and nothing else — when there are no users. It returns the admin password when it generated one. The security and
// audit administrators are created on the server with `govops user add NAME --role security_admin|audit_admin`.
func (s *Service) Seed(ctx context.Context, adminPassword string) (created bool, password string, err error) {
	now := s.Clock.Now()
	err = s.DB.Tx(ctx, func(q db.Q) error {
		for _, br := range BuiltinRoles {
			if _, err := q.Exec(ctx, `INSERT INTO roles (code, name, description, builtin, created_at, updated_at) VALUES (?, ?, ?, TRUE, ?, ?)
				ON CONFLICT (code) DO UPDATE SET name = excluded.name, description = excluded.description, builtin = TRUE`,
				br.Code, br.Name, br.Description, now.Unix(), now.Unix()); err != nil {
				return err
			}
			want := s.expand(br)
			have, err := db.Strings(ctx, q, "SELECT permission FROM role_permissions WHERE role_code = ? ORDER BY permission", br.Code)
			if err != nil {
				return err
			}
			if strings.Join(want, ",") == strings.Join(have, ",") {
				continue
			}
			if _, err := q.Exec(ctx, "DELETE FROM role_permissions WHERE role_code = ?", br.Code); err != nil {
				return err
			}
			for _, p := range want {
				if _, err := q.Exec(ctx, "INSERT INTO role_permissions (role_code, permission) VALUES (?, ?)", br.Code, p); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return false, "", err
	}
	if err := s.enforceSeparation(ctx); err != nil {
		return false, "", err
	}
	n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM users")
	if err != nil || n > 0 {
		return false, "", err
	}
	pw := adminPassword
	generated := pw == ""
	if generated {
		pw = RandomPassword()
	}
	_, err = s.CreateUser(ctx, nil, Everything(), UserInput{Username: "admin", Password: pw, DisplayName: "系统管理员",
		Roles: []string{RoleSystemAdmin}, DataScope: ScopeAll})
	if err != nil {
		return false, "", fmt.Errorf("create admin: %w", err)
	}
	if generated {
		return true, pw, nil
	}
	return true, "", nil
}
