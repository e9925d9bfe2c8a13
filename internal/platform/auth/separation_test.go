package auth

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// officers starts a kit with the three officers: admin (system_admin, the first user), secadmin and auditor
// (created on the server, as `govops user add` does), and an ordinary account zhang.
func officers(t *testing.T) (*kit, map[string]int64) {
	k := newKit(t)
	k.user("secadmin", "Kx7#Pass2026", RoleSecurityAdmin)
	k.user("auditor", "Kx7#Pass2026", RoleAuditAdmin)
	k.user("zhang", "Kx7#Pass2026", "employee")
	ids := map[string]int64{}
	for _, n := range []string{"admin", "secadmin", "auditor", "zhang"} {
		ids[n] = k.userID(n)
	}
	return k, ids
}

func (c *client) post(path string, body any) (int, errBody) {
	c.k.t.Helper()
	var e errBody
	return c.JSON("POST", path, body, &e), e
}

func (c *client) patch(id int64, body any) (int, errBody) {
	c.k.t.Helper()
	var e errBody
	return c.JSON("PATCH", fmt.Sprintf("/api/v1/users/%d", id), body, &e), e
}

// TestSystemAdminCannotTakeOverOfficers (issue 8, item 3): the system administrator can neither reset the password
// of, disable, unlock, change nor switch off the second factor of the audit or security administrator, in the API
// or the pages; ordinary accounts it manages as before.
func TestSystemAdminCannotTakeOverOfficers(t *testing.T) {
	t.Parallel()
	k, ids := officers(t)
	admin := k.api("admin", adminPW)
	for _, who := range []string{"auditor", "secadmin"} {
		for _, verb := range []string{"reset-password", "disable", "unlock"} {
			if st, e := admin.post(fmt.Sprintf("/api/v1/users/%d/%s", ids[who], verb), nil); st != 403 || !strings.Contains(e.Error.Message, "三员分立") {
				t.Errorf("admin %s %s: %d %+v", verb, who, st, e)
			}
		}
		if st, _ := admin.patch(ids[who], map[string]any{"display_name": "换人"}); st != 403 {
			t.Errorf("admin renames %s: %d", who, st)
		}
		if st, _ := admin.patch(ids[who], map[string]any{"roles": []string{"employee"}}); st != 403 {
			t.Errorf("admin changes the roles of %s: %d", who, st)
		}
	}
	if n := k.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('user.reset_password', 'user.disable', 'user.update', 'user.grant')"); n != 0 {
		t.Errorf("%d officer changes went through", n)
	}
	if st, _ := k.anon().login("auditor", "Kx7#Pass2026"); st != 200 {
		t.Errorf("the auditor's password changed: %d", st)
	}
	// The pages refuse the same (the form posts of the user page).
	b := k.browser("admin", adminPW)
	for _, action := range []string{"reset-password", "disable", "totp-disable"} {
		if st, _ := b.Form(fmt.Sprintf("/admin/users/%d/%s", ids["auditor"], action), url.Values{}); st != 403 {
			t.Errorf("page %s of the auditor: %d", action, st)
		}
	}
	if st, body := b.Get(fmt.Sprintf("/admin/users/%d", ids["auditor"])); st != 200 || strings.Contains(body, "/reset-password") || !strings.Contains(body, "三员分立") {
		t.Errorf("the auditor's page offers a reset to the system administrator (%d)", st)
	}
	// Ordinary accounts: as before.
	var reset struct {
		Password string `json:"password"`
	}
	if st := admin.JSON("POST", fmt.Sprintf("/api/v1/users/%d/reset-password", ids["zhang"]), nil, &reset); st != 200 || reset.Password == "" {
		t.Errorf("admin resets an ordinary account: %d", st)
	}
	if st, _ := admin.post(fmt.Sprintf("/api/v1/users/%d/disable", ids["zhang"]), nil); st != 200 {
		t.Errorf("admin disables an ordinary account: %d", st)
	}
	if st, _ := admin.post(fmt.Sprintf("/api/v1/users/%d/disable", ids["admin"]), nil); st != 409 {
		t.Errorf("admin disables itself: %d, want 409", st)
	}
}

// TestNoAccountHoldsTwoOfficers (issue 8, item 4): the first admin cannot create an officer (so cannot mint an
// auditor alone), nobody — the system included — can put two officer roles on one account, officer roles are
// granted by the security administrator only to accounts whose holder set their own password, audit_admin only on
// the server, and every grant is recorded.
func TestNoAccountHoldsTwoOfficers(t *testing.T) {
	t.Parallel()
	k, ids := officers(t)
	ctx := context.Background()
	admin := k.api("admin", adminPW)
	for _, role := range OfficerRoles {
		st, e := admin.post("/api/v1/users", map[string]any{"username": "mint", "password": "Kx7#Pass2026", "roles": []string{role}, "data_scope": "all"})
		if st != 403 || e.Error.Fields["roles"] == "" {
			t.Errorf("admin creates a %s: %d %+v", role, st, e)
		}
	}
	if n := k.count("SELECT COUNT(*) FROM users WHERE username = 'mint'"); n != 0 {
		t.Fatal("an officer account was created by the system administrator")
	}
	for _, roles := range [][]string{{RoleSystemAdmin, RoleSecurityAdmin}, {RoleSystemAdmin, RoleAuditAdmin}, {RoleAuditAdmin, "employee"}} {
		_, err := k.S.CreateUser(ctx, nil, Everything(), UserInput{Username: "two", Password: "Kx7#Pass2026", Roles: roles, DataScope: ScopeAll})
		if err == nil || !strings.Contains(err.Error(), "三员分立") {
			t.Errorf("the system creates an account with %v: %v", roles, err)
		}
	}

	sec := k.api("secadmin", "Kx7#Pass2026")
	if st, e := sec.patch(ids["zhang"], map[string]any{"roles": []string{RoleAuditAdmin}}); st != 403 || e.Error.Fields["roles"] == "" {
		t.Errorf("secadmin grants audit_admin: %d %+v", st, e)
	}
	if st, _ := sec.patch(ids["secadmin"], map[string]any{"roles": []string{RoleSecurityAdmin, "supervisor"}}); st != 403 {
		t.Errorf("secadmin changes its own roles: %d", st)
	}
	if st, e := sec.patch(ids["zhang"], map[string]any{"roles": []string{RoleSecurityAdmin}}); st != 200 {
		t.Fatalf("secadmin grants security_admin to zhang: %d %+v", st, e)
	}
	if st, e := sec.patch(ids["zhang"], map[string]any{"roles": []string{RoleSecurityAdmin, RoleSystemAdmin}}); st != 422 || !strings.Contains(e.Error.Message, "三员分立") {
		t.Errorf("two officer roles on zhang: %d %+v", st, e)
	}
	if n := k.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.grant' AND object_id = ? AND actor = 'secadmin' AND detail LIKE '%security_admin%'", fmt.Sprint(ids["zhang"])); n != 1 {
		t.Errorf("the grant is recorded %d times", n)
	}

	// An account the system administrator just created cannot become an officer until its holder sets a password.
	adminUser, _ := k.S.GetUser(ctx, k.DB, ids["admin"])
	if _, err := k.S.CreateUser(ctx, adminUser, Everything(), UserInput{Username: "liu", Password: "Kx7#Pass2026", Roles: []string{"employee"}, DataScope: ScopeAll}); err != nil {
		t.Fatal(err)
	}
	liu := k.userID("liu")
	if st, e := sec.patch(liu, map[string]any{"roles": []string{RoleSystemAdmin}}); st != 409 {
		t.Errorf("grant to an account with its initial password: %d %+v", st, e)
	}
	lc := k.api("liu", "Kx7#Pass2026")
	if st := lc.JSON("POST", "/api/v1/me/password", map[string]string{"current_password": "Kx7#Pass2026", "new_password": "Kx8#Pass2026"}, nil); st != 204 {
		t.Fatal(st)
	}
	if st, e := sec.patch(liu, map[string]any{"roles": []string{RoleSystemAdmin}}); st != 200 {
		t.Fatalf("grant after the holder's own password: %d %+v", st, e)
	}
	// Now an officer: the system administrator no longer manages liu, the security administrator does.
	if st, _ := admin.post(fmt.Sprintf("/api/v1/users/%d/reset-password", liu), nil); st != 403 {
		t.Errorf("admin resets a new system administrator: %d", st)
	}
	if st, _ := admin.patch(liu, map[string]any{"roles": []string{"employee"}}); st != 403 {
		t.Errorf("the system administrator revokes an officer role: %d", st)
	}
	for _, verb := range []string{"disable", "enable", "unlock"} {
		if st, e := sec.post(fmt.Sprintf("/api/v1/users/%d/%s", liu, verb), nil); st != 200 {
			t.Errorf("secadmin %s an officer account: %d %+v", verb, st, e)
		}
	}
	if st, _ := sec.post(fmt.Sprintf("/api/v1/users/%d/reset-password", liu), nil); st != 403 {
		t.Errorf("secadmin resets an officer's password: %d", st)
	}
	if _, err := k.S.ResetPassword(ctx, mustUser(t, k, "secadmin"), Everything(), liu, "", true); err == nil || !strings.Contains(err.Error(), "govops user reset-password") {
		t.Errorf("the service lets the security administrator reset an officer's password: %v", err)
	}
	// The audit administrator's account: neither of the other two, in the web.
	for _, verb := range []string{"disable", "unlock"} {
		if st, _ := sec.post(fmt.Sprintf("/api/v1/users/%d/%s", ids["auditor"], verb), nil); st != 403 {
			t.Errorf("secadmin %s the auditor: %d", verb, st)
		}
	}
	if st, _ := sec.patch(ids["auditor"], map[string]any{"roles": []string{"supervisor"}}); st != 403 {
		t.Errorf("secadmin revokes audit_admin: %d", st)
	}
	// The security administrator adjusts the roles of ordinary accounts, not the accounts themselves.
	k.user("xuke", "Kx7#Pass2026", "employee")
	if st, e := sec.patch(k.userID("xuke"), map[string]any{"roles": []string{"employee", "supervisor"}}); st != 200 {
		t.Errorf("secadmin grants a business role: %d %+v", st, e)
	}
	if st, _ := sec.patch(k.userID("xuke"), map[string]any{"display_name": "徐某"}); st != 403 {
		t.Errorf("secadmin renames an ordinary account: %d", st)
	}
	if st, _ := sec.post(fmt.Sprintf("/api/v1/users/%d/disable", k.userID("xuke")), nil); st != 403 {
		t.Errorf("secadmin disables an ordinary account: %d", st)
	}
	if st, _ := sec.post("/api/v1/users", map[string]any{"username": "made", "password": "Kx7#Pass2026", "roles": []string{"employee"}, "data_scope": "all"}); st != 403 {
		t.Errorf("secadmin creates an account: %d", st)
	}
	// The system itself (govops user) may change an auditor, still never into two officers.
	list := []string{RoleAuditAdmin, RoleSecurityAdmin}
	if _, err := k.S.UpdateUser(ctx, nil, Everything(), ids["auditor"], UserPatch{Roles: &list}); err == nil {
		t.Error("the system gives the auditor a second officer role")
	}
	if err := k.S.SetStatus(ctx, nil, Everything(), ids["auditor"], "disabled"); err != nil {
		t.Errorf("govops user disable auditor: %v", err)
	}
}

func mustUser(t *testing.T, k *kit, name string) *User {
	t.Helper()
	u, err := k.S.GetUser(context.Background(), k.DB, k.userID(name))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestCustomRolesKeepSeparation: the officers' reserved permissions never go into a custom role, and a custom role
// cannot give an officer a second officer's power, neither when granted nor when edited later.
func TestCustomRolesKeepSeparation(t *testing.T) {
	t.Parallel()
	k, ids := officers(t)
	sec := k.api("secadmin", "Kx7#Pass2026")
	for _, p := range []string{"role:write", "security:write", "audit:read"} {
		st, e := sec.post("/api/v1/roles", map[string]any{"code": "bad", "name": "越权", "permissions": []string{"org:read", p}})
		if st != 422 || !strings.Contains(e.Error.Fields["permissions"], "三员分立") {
			t.Errorf("custom role with %s: %d %+v", p, st, e)
		}
	}
	if st, _ := sec.post("/api/v1/roles", map[string]any{"code": "user_admin", "name": "账户管理", "permissions": []string{"user:read", "user:write"}}); st != 201 {
		t.Fatalf("custom role with user:write: %d", st)
	}
	if st, _ := sec.post("/api/v1/roles", map[string]any{"code": "helper", "name": "助手", "permissions": []string{"org:read"}}); st != 201 {
		t.Fatal(st)
	}
	k.user("secadmin2", "Kx7#Pass2026", RoleSecurityAdmin, "helper")
	if st, e := sec.patch(k.userID("secadmin2"), map[string]any{"roles": []string{RoleSecurityAdmin, "helper", "user_admin"}}); st != 422 || !strings.Contains(e.Error.Message, "三员分立") {
		t.Errorf("user:write through a custom role to a security administrator: %d %+v", st, e)
	}
	var e errBody
	if st := sec.JSON("PATCH", "/api/v1/roles/helper", map[string]any{"name": "助手", "permissions": []string{"org:read", "user:write"}}, &e); st != 422 || !strings.Contains(e.Error.Fields["permissions"], "secadmin2") {
		t.Errorf("editing a role held by a security administrator to add user:write: %d %+v", st, e)
	}
	// The built-in roles keep their reserved rights.
	sa := mustUser(t, k, "secadmin")
	if !sa.Can("role:write") || !sa.Can("security:write") || sa.Can("user:write") || sa.Can("audit:read") {
		t.Errorf("security_admin rights: %v", sa.perms)
	}
	ad := mustUser(t, k, "admin")
	if !ad.Can("user:write") || ad.Can("role:write") || ad.Can("audit:read") || ad.Can("security:write") {
		t.Errorf("system_admin rights: %v", ad.perms)
	}
	au := mustUser(t, k, "auditor")
	if !au.Can("audit:read") || len(au.perms) != 1 {
		t.Errorf("audit_admin rights: %v", au.perms)
	}
	if st, _ := sec.patch(ids["auditor"], map[string]any{"roles": []string{RoleAuditAdmin, "helper"}}); st != 403 {
		t.Errorf("a custom role added to the auditor: %d", st)
	}
}

// TestSeedRepairsTwoOfficerAccounts: an account of an earlier version holding two officer roles (the first admin
// held system_admin and security_admin) keeps one at the next start; the change is recorded.
func TestSeedRepairsTwoOfficerAccounts(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	ctx := context.Background()
	if _, err := k.DB.Exec(ctx, "INSERT INTO user_roles (user_id, role_code) VALUES (?, ?)", k.userID("admin"), RoleSecurityAdmin); err != nil {
		t.Fatal(err)
	}
	if _, _, err := k.S.Seed(ctx, adminPW); err != nil {
		t.Fatal(err)
	}
	if a := mustUser(t, k, "admin"); len(a.Roles) != 1 || a.Roles[0] != RoleSystemAdmin {
		t.Errorf("admin after the repair: %v", a.Roles)
	}
	if n := k.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.grant' AND actor = 'system' AND detail LIKE '%三员分立%'"); n != 1 {
		t.Errorf("the repair is recorded %d times", n)
	}
}
