package auth

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

type loginPage struct {
	web.Globals
	Username, Next, Error string
	NeedTOTP              bool
	Policy                Policy // the lockout the note under the form states
}

type usersPage struct {
	web.Globals
	Users  []*User
	Pager  web.Pager
	Roles  []Role
	Role   string
	Status string
	Names  map[string]string
}

type userFormPage struct {
	web.Globals
	User        *User // nil when creating
	Form        UserInput
	Errors      map[string]string
	Roles       []Role
	OrgLabel    string
	PersonLabel string
	Password    string // shown once after a reset
	Scopes      []web.Option
	Locked      bool
	May         userActions // what the signed-in administrator may do to this account (三员分立)
}

// userActions are the changes an administrator may make to an account; Why explains a refusal.
type userActions struct {
	Edit, Roles, Status, Unlock, Reset, TOTP bool
	Why                                      string
}

type rolesPage struct {
	web.Globals
	Roles []Role
}

type roleFormPage struct {
	web.Globals
	Role    *Role
	Form    RoleInput
	Errors  map[string]string
	Groups  []permGroup
	Checked map[string]bool
}

type permGroup struct {
	Module string
	Perms  []Permission
}

type securityPage struct {
	web.Globals
	Policy Policy
	Errors map[string]string
}

type profilePage struct {
	web.Globals
	RoleNames map[string]string
	Me        *User
	Errors    map[string]string
	Enrol     *TOTPEnrolment
	OrgName   string
	Begin     map[string]string // errors of the form that starts an enrolment
	Disable   map[string]string // errors of the form that switches the factor off
	// TOTPMandatory: the security policy requires this account (an officer) to have a second factor, so it cannot be
	// switched off and, until enrolled, nothing but this page may be used.
	TOTPMandatory bool
}

func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Service) roleNames(r *http.Request) map[string]string {
	roles, err := s.ListRoles(r.Context(), s.DB)
	m := map[string]string{}
	if err == nil {
		for _, ro := range roles {
			m[ro.Code] = ro.Name
		}
	}
	return m
}

func (s *Service) pages(trustProxy bool) {
	u := s.UI
	u.AddMenu(
		web.MenuItem{Group: "menu.system|系统管理", Label: "menu.users|用户管理", Path: "/admin/users", Perm: "user:read", Order: 10},
		web.MenuItem{Group: "menu.security|安全管理", Label: "menu.roles|角色与权限", Path: "/admin/roles", Perm: "role:read", Order: 10},
		web.MenuItem{Group: "menu.security|安全管理", Label: "menu.policy|安全策略", Path: "/admin/security", Perm: "role:read", Order: 20},
	)

	u.Public("GET /login", func(w http.ResponseWriter, r *http.Request) error {
		if UserFrom(r.Context()) != nil {
			http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
			return nil
		}
		pol, err := s.Policy(r.Context(), s.DB)
		if err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "auth/login.html", &loginPage{Globals: u.G(r, "auth.login.title|登录"), Next: safeNext(r.URL.Query().Get("next")), Policy: pol})
	})
	u.Public("POST /login", func(w http.ResponseWriter, r *http.Request) error {
		c := Credentials{Username: r.PostFormValue("username"), Password: r.PostFormValue("password"), TOTP: r.PostFormValue("totp")}
		next := safeNext(r.PostFormValue("next"))
		res, err := s.Login(r.Context(), c, "web", ClientIP(r, trustProxy), r.UserAgent())
		if err != nil {
			e := errs.As(err)
			if e == nil || e.Code == errs.CodeInternal {
				return err
			}
			pol, perr := s.Policy(r.Context(), s.DB)
			if perr != nil {
				return perr
			}
			p := &loginPage{Globals: u.G(r, "auth.login.title|登录"), Username: c.Username, Next: next, Error: e.Message, Policy: pol}
			p.NeedTOTP = e.Fields["totp"] != ""
			return u.Render(w, r, errs.Status(e.Code), "auth/login.html", p)
		}
		// MaxAge is relative, so a browser with a skewed clock still keeps the cookie for the session's lifetime.
		http.SetCookie(w, &http.Cookie{Name: CookieName, Value: res.Token, Path: "/", HttpOnly: true, Secure: u.Secure,
			SameSite: http.SameSiteLaxMode, MaxAge: int(res.ExpiresAt.Sub(s.Clock.Now()).Seconds())})
		if res.PasswordExpired {
			u.SetFlash(w, "info", "您的密码已到期或由管理员重置，请先修改密码")
			next = "/profile"
		} else if res.TOTPRequired {
			u.SetFlash(w, "info", "安全策略要求管理员启用动态口令，请先在下方启用后再继续")
			next = "/profile"
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	})
	u.Page("POST /logout", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		if err := s.Logout(r.Context(), UserFrom(r.Context())); err != nil {
			return err
		}
		http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: u.Secure, SameSite: http.SameSiteLaxMode})
		u.SetFlash(w, "info", "您已安全退出")
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	})
	u.Public("POST /lang", func(w http.ResponseWriter, r *http.Request) error {
		lang := web.LangZH
		if r.PostFormValue("lang") == web.LangEN {
			lang = web.LangEN
		}
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Secure: u.Secure})
		http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
		return nil
	})
	u.Page("POST /session/focus", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		id, _ := strconv.ParseInt(r.PostFormValue("org_id"), 10, 64)
		me := UserFrom(r.Context())
		base, err := s.BaseScope(r.Context(), me)
		if err != nil {
			return err
		}
		if id == base.OrgID {
			id = 0
		}
		if err := s.SetFocus(r.Context(), me, id); err != nil {
			return err
		}
		back := r.Referer()
		if pu, err := url.Parse(back); err == nil && pu.Path != "" {
			back = pu.RequestURI()
		} else {
			back = "/"
		}
		http.Redirect(w, r, safeNext(back), http.StatusSeeOther)
		return nil
	})

	// Users
	u.Page("GET /admin/users", "user:read", func(w http.ResponseWriter, r *http.Request) error {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		f := UserFilter{List: l, Role: r.URL.Query().Get("role"), Status: r.URL.Query().Get("status")}
		sc := ScopeFrom(r.Context())
		if web.WantsExport(r) {
			f.List.Page, f.List.PageSize = 1, 100000
			users, _, err := s.ListUsers(r.Context(), s.DB, sc, f)
			if err != nil {
				return err
			}
			names := s.roleNames(r)
			rows := make([][]any, 0, len(users))
			for _, x := range users {
				var rn []string
				for _, ro := range x.Roles {
					rn = append(rn, names[ro])
				}
				rows = append(rows, []any{x.Login, x.Name, strings.Join(rn, "、"), ScopeNames[x.DataScope], s.Tree.OrgLabel(r.Context(), s.DB, x.ScopeOrgID),
					map[string]string{"active": "启用", "disabled": "停用"}[x.Status], timeOrEmpty(x.LastLoginAt)})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "用户列表", []string{"用户名", "姓名", "角色", "数据范围", "范围单位", "状态", "最近登录"}, rows)
		}
		users, total, err := s.ListUsers(r.Context(), s.DB, sc, f)
		if err != nil {
			return err
		}
		roles, err := s.ListRoles(r.Context(), s.DB)
		if err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "auth/users.html", &usersPage{
			Globals: u.G(r, "auth.users.title|用户管理", web.Crumb{Label: "menu.system|系统管理"}, web.Crumb{Label: "auth.users.title|用户管理"}),
			Users:   users, Pager: web.NewPager(l, total), Roles: roles, Role: f.Role, Status: f.Status, Names: s.roleNames(r),
		})
	})
	u.Page("GET /admin/users/new", "user:write", func(w http.ResponseWriter, r *http.Request) error {
		return s.renderUserForm(w, r, http.StatusOK, nil, UserInput{DataScope: ScopeUnit, Roles: []string{"employee"}}, nil, "")
	})
	u.Page("POST /admin/users", "user:write", func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return errs.BadRequest("表单无法解析")
		}
		f := errs.Fields{}
		in := UserInput{Username: r.PostFormValue("username"), Password: r.PostFormValue("password"), DisplayName: r.PostFormValue("display_name"),
			PersonID: web.FormInt(r, "person_id", f), ScopeOrgID: web.FormInt(r, "scope_org_id", f), DataScope: r.PostFormValue("data_scope"),
			Roles: r.PostForm["roles"]}
		if err := f.Err(); err != nil {
			return s.renderUserForm(w, r, http.StatusUnprocessableEntity, nil, in, errs.As(err).Fields, "")
		}
		out, err := s.CreateUser(r.Context(), UserFrom(r.Context()), ScopeFrom(r.Context()), in)
		if e := errs.As(err); e != nil && e.Fields != nil {
			in.Password = ""
			return s.renderUserForm(w, r, errs.Status(e.Code), nil, in, e.Fields, "")
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, "/admin/users/"+strconv.FormatInt(out.ID, 10), "已创建用户 "+out.Login+"，首次登录须修改密码")
	})
	u.Page("GET /admin/users/{id}", "user:read", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		x, err := s.VisibleUser(r.Context(), s.DB, ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		return s.renderUserForm(w, r, http.StatusOK, x, inputOf(x), nil, "")
	})
	u.Page("POST /admin/users/{id}", PermManageUsers, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := ScopeFrom(r.Context())
		x, err := s.VisibleUser(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return errs.BadRequest("表单无法解析")
		}
		f := errs.Fields{}
		name, scope, roles := r.PostFormValue("display_name"), r.PostFormValue("data_scope"), r.PostForm["roles"]
		person, org := web.FormInt(r, "person_id", f), web.FormInt(r, "scope_org_id", f)
		in := UserInput{Username: x.Login, DisplayName: name, PersonID: person, ScopeOrgID: org, DataScope: scope, Roles: roles}
		if err := f.Err(); err != nil {
			return s.renderUserForm(w, r, http.StatusUnprocessableEntity, x, in, errs.As(err).Fields, "")
		}
		_, err = s.UpdateUser(r.Context(), UserFrom(r.Context()), sc, id, UserPatch{DisplayName: &name, PersonID: &person, Roles: &roles, ScopeOrgID: &org, DataScope: &scope})
		if e := errs.As(err); e != nil && e.Fields != nil {
			return s.renderUserForm(w, r, errs.Status(e.Code), x, in, e.Fields, "")
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), "已保存")
	})
	u.Page("POST /admin/users/{id}/{action}", PermManageUsers, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc, me := ScopeFrom(r.Context()), UserFrom(r.Context())
		back := "/admin/users/" + strconv.FormatInt(id, 10)
		switch r.PathValue("action") {
		case "disable":
			err = s.SetStatus(r.Context(), me, sc, id, "disabled")
		case "enable":
			err = s.SetStatus(r.Context(), me, sc, id, "active")
		case "unlock":
			err = s.Unlock(r.Context(), me, sc, id)
		case "reset-password":
			pw, err := s.ResetPassword(r.Context(), me, sc, id, "", true)
			if err != nil {
				return err
			}
			x, err := s.VisibleUser(r.Context(), s.DB, sc, id)
			if err != nil {
				return err
			}
			return s.renderUserForm(w, r, http.StatusOK, x, inputOf(x), nil, pw)
		case "totp-disable":
			err = s.DisableTOTP(r.Context(), me, sc, id)
		default:
			return errs.NotFound("操作")
		}
		if err != nil {
			return err
		}
		return u.Redirect(w, r, back, "操作已完成")
	})

	// Roles
	u.Page("GET /admin/roles", "role:read", func(w http.ResponseWriter, r *http.Request) error {
		roles, err := s.ListRoles(r.Context(), s.DB)
		if err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "auth/roles.html", &rolesPage{Globals: u.G(r, "auth.roles.title|角色与权限",
			web.Crumb{Label: "menu.security|安全管理"}, web.Crumb{Label: "auth.roles.title|角色与权限"}), Roles: roles})
	})
	u.Page("GET /admin/roles/new", "role:write", func(w http.ResponseWriter, r *http.Request) error {
		return s.renderRoleForm(w, r, http.StatusOK, nil, RoleInput{}, nil)
	})
	u.Page("POST /admin/roles", "role:write", func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return errs.BadRequest("表单无法解析")
		}
		in := RoleInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Description: r.PostFormValue("description"), Permissions: r.PostForm["permissions"]}
		out, err := s.CreateRole(r.Context(), in)
		if e := errs.As(err); e != nil && e.Fields != nil {
			return s.renderRoleForm(w, r, errs.Status(e.Code), nil, in, e.Fields)
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, "/admin/roles/"+out.Code, "已创建角色 "+out.Name)
	})
	u.Page("GET /admin/roles/{code}", "role:read", func(w http.ResponseWriter, r *http.Request) error {
		ro, err := s.GetRole(r.Context(), s.DB, r.PathValue("code"))
		if err != nil {
			return err
		}
		return s.renderRoleForm(w, r, http.StatusOK, &ro, RoleInput{Code: ro.Code, Name: ro.Name, Description: ro.Description, Permissions: ro.Permissions}, nil)
	})
	u.Page("POST /admin/roles/{code}", "role:write", func(w http.ResponseWriter, r *http.Request) error {
		ro, err := s.GetRole(r.Context(), s.DB, r.PathValue("code"))
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return errs.BadRequest("表单无法解析")
		}
		in := RoleInput{Code: ro.Code, Name: r.PostFormValue("name"), Description: r.PostFormValue("description"), Permissions: r.PostForm["permissions"]}
		_, err = s.UpdateRole(r.Context(), ro.Code, in)
		if e := errs.As(err); e != nil && e.Fields != nil {
			return s.renderRoleForm(w, r, errs.Status(e.Code), &ro, in, e.Fields)
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, "/admin/roles/"+ro.Code, "已保存")
	})
	u.Page("POST /admin/roles/{code}/delete", "role:write", func(w http.ResponseWriter, r *http.Request) error {
		if err := s.DeleteRole(r.Context(), r.PathValue("code")); err != nil {
			return err
		}
		return u.Redirect(w, r, "/admin/roles", "已删除角色")
	})

	// Security policy
	u.Page("GET /admin/security", "role:read", func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.Policy(r.Context(), s.DB)
		if err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "auth/security.html", &securityPage{Globals: u.G(r, "auth.security.title|安全策略",
			web.Crumb{Label: "menu.security|安全管理"}, web.Crumb{Label: "auth.security.title|安全策略"}), Policy: p})
	})
	u.Page("POST /admin/security", "security:write", func(w http.ResponseWriter, r *http.Request) error {
		f := errs.Fields{}
		p := Policy{
			MinLength: int(web.FormInt(r, "min_length", f)), MinClasses: int(web.FormInt(r, "min_classes", f)),
			ExpiryDays: int(web.FormInt(r, "expiry_days", f)), LockoutThreshold: int(web.FormInt(r, "lockout_threshold", f)),
			LockoutMinutes: int(web.FormInt(r, "lockout_minutes", f)), IdleMinutes: int(web.FormInt(r, "idle_minutes", f)),
			SessionHours: int(web.FormInt(r, "session_hours", f)), AuditRetentionDays: int(web.FormInt(r, "audit_retention_days", f)),
			SingleSession: r.PostFormValue("single_session") == "on", RequireTOTPAdmin: r.PostFormValue("require_totp_admin") == "on",
		}
		err := f.Err()
		if err == nil {
			err = s.SavePolicy(r.Context(), p)
		}
		if e := errs.As(err); e != nil && e.Fields != nil {
			return u.Render(w, r, http.StatusUnprocessableEntity, "auth/security.html", &securityPage{Globals: u.G(r, "auth.security.title|安全策略",
				web.Crumb{Label: "menu.security|安全管理"}, web.Crumb{Label: "auth.security.title|安全策略"}), Policy: p, Errors: e.Fields})
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, "/admin/security", "安全策略已保存")
	})

	// Profile
	u.Page("GET /profile", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		return s.renderProfile(w, r, http.StatusOK, nil, nil, "")
	})
	u.Page("POST /profile/password", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		cur, next, again := r.PostFormValue("current_password"), r.PostFormValue("new_password"), r.PostFormValue("new_password2")
		var err error
		if next != again {
			err = errs.Invalid("new_password2", "两次输入的新密码不一致")
		} else {
			err = s.ChangeOwnPassword(r.Context(), UserFrom(r.Context()), cur, next)
		}
		if e := errs.As(err); e != nil && e.Fields != nil {
			return s.renderProfile(w, r, errs.Status(e.Code), e.Fields, nil, "password")
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, "/profile", "密码已修改")
	})
	u.Page("POST /profile/totp", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		me := UserFrom(r.Context())
		step := r.PostFormValue("step")
		re := Reauth{Password: r.PostFormValue("password"), Code: r.PostFormValue("code")}
		refused := func(err error) error {
			if e := errs.As(err); e != nil && e.Fields != nil {
				return s.renderProfile(w, r, errs.Status(e.Code), e.Fields, nil, step)
			}
			return err
		}
		switch step {
		case "begin":
			en, err := s.BeginTOTP(r.Context(), me, re)
			if err != nil {
				return refused(err)
			}
			return s.renderProfile(w, r, http.StatusOK, nil, &en, "")
		case "confirm":
			if err := s.ConfirmTOTP(r.Context(), me, r.PostFormValue("code")); err != nil {
				e := errs.As(err)
				if e == nil || e.Fields == nil {
					return err
				}
				en, perr := s.PendingTOTP(r.Context(), me)
				if perr != nil {
					return perr
				}
				return s.renderProfile(w, r, errs.Status(e.Code), e.Fields, en, step)
			}
			return u.Redirect(w, r, "/profile", "已启用动态口令（双因素认证）")
		case "disable":
			if err := s.DisableOwnTOTP(r.Context(), me, re); err != nil {
				return refused(err)
			}
			return u.Redirect(w, r, "/profile", "已关闭动态口令")
		}
		return errs.BadRequest("未知操作")
	})
}

func timeOrEmpty(unix int64) string {
	if unix == 0 {
		return ""
	}
	return web.FormatTime(unix)
}

func inputOf(x *User) UserInput {
	return UserInput{Username: x.Login, DisplayName: x.Name, PersonID: x.PersonID, Roles: x.Roles, ScopeOrgID: x.ScopeOrgID, DataScope: x.DataScope}
}

func (s *Service) renderUserForm(w http.ResponseWriter, r *http.Request, status int, x *User, in UserInput, fields map[string]string, pw string) error {
	roles, err := s.ListRoles(r.Context(), s.DB)
	if err != nil {
		return err
	}
	title := "auth.user.new|新建用户"
	if x != nil {
		title = "auth.user.edit|用户详情"
	}
	p := &userFormPage{
		Globals: s.UI.G(r, title, web.Crumb{Label: "menu.system|系统管理"}, web.Crumb{Label: "auth.users.title|用户管理", Path: "/admin/users"}, web.Crumb{Label: title}),
		User:    x, Form: in, Errors: fields, Roles: roles, Password: pw,
		OrgLabel: s.Tree.OrgLabel(r.Context(), s.DB, in.ScopeOrgID),
	}
	if in.PersonID != 0 {
		p.PersonLabel = "#" + strconv.FormatInt(in.PersonID, 10)
		if x != nil && x.PersonID == in.PersonID && x.Name != "" {
			p.PersonLabel = x.Name
		}
	}
	for _, k := range []string{ScopeAll, ScopeSubtree, ScopeUnit, ScopeSelf} {
		p.Scopes = append(p.Scopes, web.Option{Value: k, Label: ScopeNames[k]})
	}
	if x != nil {
		until, err := UserLockedUntil(r.Context(), s.DB, x.Login, s.Clock.Now())
		if err != nil {
			return err
		}
		p.Locked = until > 0
		me := UserFrom(r.Context())
		can := func(a manageAction) bool { return s.mayManage(me, x, a) == nil }
		p.May = userActions{Edit: can(manageEdit), Roles: can(manageRoles), Status: can(manageStatus), Unlock: can(manageUnlock),
			Reset: can(manageReset), TOTP: can(manageTOTP)}
		if err := s.mayManage(me, x, manageRoles); err != nil {
			p.May.Why = errs.As(err).Message
		} else if err := s.mayManage(me, x, manageReset); err != nil {
			p.May.Why = errs.As(err).Message
		}
	} else {
		p.May = userActions{Edit: true, Roles: true}
	}
	return s.UI.Render(w, r, status, "auth/user_form.html", p)
}

func (s *Service) renderRoleForm(w http.ResponseWriter, r *http.Request, status int, ro *Role, in RoleInput, fields map[string]string) error {
	title := "auth.role.new|新建角色"
	if ro != nil {
		title = "auth.role.edit|角色详情"
	}
	groups := map[string][]Permission{}
	var order []string
	for _, p := range s.Permissions() {
		if _, ok := reserved[p.Code]; ok && (ro == nil || !ro.Builtin) {
			continue
		}
		if _, ok := groups[p.Module]; !ok {
			order = append(order, p.Module)
		}
		groups[p.Module] = append(groups[p.Module], p)
	}
	sort.Strings(order)
	p := &roleFormPage{
		Globals: s.UI.G(r, title, web.Crumb{Label: "menu.security|安全管理"}, web.Crumb{Label: "auth.roles.title|角色与权限", Path: "/admin/roles"}, web.Crumb{Label: title}),
		Role:    ro, Form: in, Errors: fields, Checked: map[string]bool{},
	}
	for _, m := range order {
		p.Groups = append(p.Groups, permGroup{Module: m, Perms: groups[m]})
	}
	for _, c := range in.Permissions {
		p.Checked[c] = true
	}
	return s.UI.Render(w, r, status, "auth/role_form.html", p)
}

func (s *Service) renderProfile(w http.ResponseWriter, r *http.Request, status int, fields map[string]string, en *TOTPEnrolment, step string) error {
	me := UserFrom(r.Context())
	fresh, err := s.GetUser(r.Context(), s.DB, me.ID)
	if err != nil {
		return err
	}
	p := &profilePage{
		Globals: s.UI.G(r, "auth.profile.title|个人设置", web.Crumb{Label: "auth.profile.title|个人设置"}),
		Me:      fresh, Enrol: en, OrgName: s.Tree.OrgLabel(r.Context(), s.DB, fresh.ScopeOrgID), RoleNames: s.roleNames(r),
	}
	pol, err := s.Policy(r.Context(), s.DB)
	if err != nil {
		return err
	}
	p.TOTPMandatory = pol.RequireTOTPAdmin && fresh.isOfficer()
	switch step {
	case "begin":
		p.Begin = fields
	case "disable":
		p.Disable = fields
	default:
		p.Errors = fields
	}
	return s.UI.Render(w, r, status, "auth/profile.html", p)
}
