package auth

import (
	"context"
	"sort"
	"strings"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// 三员分立 — the separation of the system administrator, the security administrator and the audit administrator —
// is kept by these rules, which every change of accounts and roles passes in the service layer (not only in the
// handlers):
//
//  1. No account holds the powers of two officers. An officer's power is the permission that defines the role:
//     user:write (system administrator: accounts), role:write (security administrator: roles and grants) and
//     audit:read (audit administrator). role:write, security:write and audit:read belong to their built-in roles
//     alone and never go into a custom role; the audit administrator holds no other role.
//  2. Officer roles are granted and revoked by a security administrator (role:write), never on their own account,
//     and only to an account whose holder has set their own password (must_change_password is false), so neither
//     the granter nor the creator of the account knows its password. Every change of roles is recorded as
//     user.grant with the roles before and after.
//  3. An account holding an officer role is managed by a security administrator, never by the system
//     administrator. Nobody resets an officer's password in the web (whoever sets it could sign in as that officer):
//     the officer changes it on the profile page, or the server operator resets it with `govops user reset-password`.
//  4. The audit administrator watches the other two, so neither of them can create, change, disable or unlock an
//     audit administrator's account in the web, nor grant or revoke audit_admin: that is done on the server with
//     `govops user` (recorded in the audit log as actor cli).
//  5. Nobody changes their own account through user management (the profile page is for that).
//
// The system itself (actor nil: the first start, the demo loader, the CLI) is bound by rule 1 only.

// OfficerRoles are the three administrator roles of 三员分立.
var OfficerRoles = []string{RoleSystemAdmin, RoleSecurityAdmin, RoleAuditAdmin}

// IsOfficerRole reports whether code is one of the three administrator roles.
func IsOfficerRole(code string) bool {
	return code == RoleSystemAdmin || code == RoleSecurityAdmin || code == RoleAuditAdmin
}

// officerPower maps the permission that makes an officer to that officer's role.
var officerPower = map[string]string{"user:write": RoleSystemAdmin, "role:write": RoleSecurityAdmin, "audit:read": RoleAuditAdmin}

// reserved permissions belong to one built-in role and cannot be given to a custom role.
var reserved = map[string]string{"audit:read": RoleAuditAdmin, "role:write": RoleSecurityAdmin, "security:write": RoleSecurityAdmin}

var officerNames = map[string]string{RoleSystemAdmin: "系统管理员", RoleSecurityAdmin: "安全保密管理员", RoleAuditAdmin: "安全审计员"}

// isOfficer reports whether the account holds an officer role.
func (u *User) isOfficer() bool {
	for _, r := range u.Roles {
		if IsOfficerRole(r) {
			return true
		}
	}
	return false
}

// separationConflict explains why one account holding roles would break rule 1 ("" when it would not). perms gives
// the permissions of each role.
func separationConflict(roles []string, perms map[string][]string) string {
	officers := 0
	audit := false
	for _, r := range roles {
		if IsOfficerRole(r) {
			officers++
		}
		audit = audit || r == RoleAuditAdmin
	}
	if officers > 1 {
		return "三员分立：同一账户不得兼任系统管理员、安全保密管理员、安全审计员中的两个"
	}
	if audit && len(roles) > 1 {
		return "安全审计员不得兼任其他角色（三员分立）"
	}
	powers := map[string]bool{}
	for _, r := range roles {
		for _, p := range perms[r] {
			if o, ok := officerPower[p]; ok {
				powers[officerNames[o]] = true
			}
		}
	}
	if len(powers) > 1 {
		var names []string
		for n := range powers {
			names = append(names, n)
		}
		sort.Strings(names)
		return "三员分立：所选角色合起来含有" + strings.Join(names, "与") + "两类管理员的权限，同一账户不得兼有"
	}
	return ""
}

// rolePerms loads the permissions of the given roles.
func rolePerms(ctx context.Context, q db.Q, roles []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(roles) == 0 {
		return out, nil
	}
	rows, err := db.Select(ctx, q, func(sc db.Scanner) ([2]string, error) {
		var p [2]string
		return p, sc.Scan(&p[0], &p[1])
	}, "SELECT role_code, permission FROM role_permissions WHERE role_code IN ("+db.In(len(roles))+")", db.Args(roles)...)
	if err != nil {
		return nil, err
	}
	for _, p := range rows {
		out[p[0]] = append(out[p[0]], p[1])
	}
	return out, nil
}

// What an administrator does to an account, for mayManage.
type manageAction int

const (
	manageEdit   manageAction = iota // name, bound person, data scope
	manageRoles                      // grant and revoke roles
	manageStatus                     // disable, enable
	manageUnlock                     // clear a sign-in lock
	manageReset                      // set a new password
	manageTOTP                       // switch the second factor off
)

// mayManage applies rules 3–5 to an administrator acting on an existing account (nil actor: the system).
func (s *Service) mayManage(actor, target *User, act manageAction) error {
	if actor == nil {
		return nil
	}
	if actor.ID == target.ID {
		if act == manageStatus {
			return errs.Conflict("不能停用自己的账户")
		}
		return errs.Forbidden("不能在用户管理中调整自己的账户（本人的密码与动态口令请在“个人设置”中修改；本人的角色须由他人调整）")
	}
	if target.HasRole(RoleAuditAdmin) {
		return errs.Forbidden("三员分立：安全审计员的账户不能由系统管理员或安全保密管理员在网页上调整，须在服务器上用 govops user 命令办理（记入审计日志）")
	}
	if target.isOfficer() {
		if !actor.Can("role:write") {
			return errs.Forbidden("三员分立：管理员账户（系统管理员、安全保密管理员）由安全保密管理员管理，系统管理员不能调整")
		}
		if act == manageReset {
			return errs.Forbidden("三员分立：管理员账户的密码不能在网页上重置（重置者会知道新密码）；请本人在“个人设置”中修改，或在服务器上用 govops user reset-password 重置")
		}
		return nil
	}
	if act == manageRoles {
		if !actor.Can("user:write") && !actor.Can("role:write") {
			return errs.Forbidden("您没有调整用户角色的权限")
		}
		return nil
	}
	if !actor.Can("user:write") {
		return errs.Forbidden("普通账户由系统管理员管理；安全保密管理员只调整其角色")
	}
	return nil
}

// checkOfficerGrant applies rules 2 and 4 to a change of roles from before to after on target (nil: a new account).
func checkOfficerGrant(actor, target *User, before, after []string) error {
	if actor == nil {
		return nil
	}
	var changed []string
	for _, r := range OfficerRoles {
		if contains(before, r) != contains(after, r) {
			changed = append(changed, r)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	rolesErr := func(msg string) error {
		return &errs.Error{Code: errs.CodeForbidden, Message: msg, Fields: map[string]string{"roles": msg}}
	}
	if contains(changed, RoleAuditAdmin) {
		return rolesErr("三员分立：安全审计员角色不能在网页上授予或撤销，须在服务器上用 govops user 命令办理（记入审计日志）")
	}
	if !actor.Can("role:write") {
		return rolesErr("三员分立：管理员角色只能由安全保密管理员授予或撤销")
	}
	if target == nil {
		return rolesErr("三员分立：管理员账户不能直接创建。请先创建普通账户，待本人登录并修改初始密码后，再由安全保密管理员授予管理员角色")
	}
	for _, r := range changed {
		if contains(after, r) && target.MustChangePassword {
			return &errs.Error{Code: errs.CodeConflict, Message: "该账户尚未由本人修改初始密码，不能授予管理员角色（三员分立：授予者与账户创建者都不应知道管理员的密码）",
				Fields: map[string]string{"roles": "账户本人尚未修改初始密码"}}
		}
	}
	return nil
}

// enforceSeparation repairs accounts that hold two officer roles (the first admin of earlier versions held
// system_admin and security_admin): each keeps the first of system_admin, security_admin, audit_admin. The change is
// recorded and logged.
func (s *Service) enforceSeparation(ctx context.Context) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		rows, err := db.Select(ctx, q, func(sc db.Scanner) (struct {
			id   int64
			role string
		}, error) {
			var r struct {
				id   int64
				role string
			}
			return r, sc.Scan(&r.id, &r.role)
		}, "SELECT user_id, role_code FROM user_roles WHERE role_code IN (?, ?, ?) ORDER BY user_id", RoleSystemAdmin, RoleSecurityAdmin, RoleAuditAdmin)
		if err != nil {
			return err
		}
		held := map[int64][]string{}
		for _, r := range rows {
			held[r.id] = append(held[r.id], r.role)
		}
		ids := make([]int64, 0, len(held))
		for id := range held {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			if len(held[id]) < 2 {
				continue
			}
			u, err := s.GetUser(ctx, q, id)
			if err != nil {
				return err
			}
			keep := ""
			for _, r := range OfficerRoles {
				if contains(held[id], r) {
					keep = r
					break
				}
			}
			var dropped []string
			for _, r := range held[id] {
				if r != keep {
					dropped = append(dropped, r)
					if _, err := q.Exec(ctx, "DELETE FROM user_roles WHERE user_id = ? AND role_code = ?", id, r); err != nil {
						return err
					}
				}
			}
			after, err := s.GetUser(ctx, q, id)
			if err != nil {
				return err
			}
			s.Log.Warn("三员分立：账户兼任两个管理员角色，已撤销多余角色", "user", u.Login, "kept", keep, "revoked", strings.Join(dropped, ","))
			if err := audit.Record(audit.WithActor(ctx, audit.System), q, now, audit.Entry{Action: "user.grant", ObjectType: "user", ObjectID: id,
				Success: true, Before: userSnapshot(u), After: userSnapshot(after), Message: "三员分立：同一账户不得兼任两个管理员角色，启动时撤销 " + strings.Join(dropped, "、")}); err != nil {
				return err
			}
		}
		return nil
	})
}
