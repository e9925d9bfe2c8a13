package auth

import (
	"html/template"
	"net/http"

	"github.com/govops/govops/internal/platform/web"
)

// Routes registers the identity pages and API.
func (s *Service) Routes(trustProxy bool) {
	u := s.UI
	u.AddTemplates("auth", web.Sub(templatesFS, "templates"))
	u.AddFuncs(template.FuncMap{"scopeName": func(k string) string { return ScopeNames[k] }})
	if err := u.Catalog.Add(web.LangEN, catalogEN); err != nil {
		panic(err)
	}

	u.PublicAPI("POST /api/v1/auth/login", web.Doc{Summary: "登录，获取访问令牌", Body: Credentials{}, Response: LoginResult{}},
		func(w http.ResponseWriter, r *http.Request) error {
			var c Credentials
			if err := web.DecodeJSON(r, &c); err != nil {
				return err
			}
			res, err := s.Login(r.Context(), c, "api", ClientIP(r, trustProxy), r.UserAgent())
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, res)
		})
	u.API("POST /api/v1/auth/logout", web.SignedIn, web.Doc{Summary: "注销当前令牌或会话"}, func(w http.ResponseWriter, r *http.Request) error {
		if err := s.Logout(r.Context(), UserFrom(r.Context())); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	u.API("GET /api/v1/me", web.SignedIn, web.Doc{Summary: "当前用户", Response: Me{}}, func(w http.ResponseWriter, r *http.Request) error {
		me := UserFrom(r.Context())
		sc := ScopeFrom(r.Context())
		perms := make([]string, 0, len(me.perms))
		for _, p := range s.Permissions() {
			if me.Can(p.Code) {
				perms = append(perms, p.Code)
			}
		}
		return web.JSON(w, http.StatusOK, Me{User: me, Permissions: perms, EffectiveScope: sc.Kind, EffectiveOrgID: sc.OrgID})
	})

	u.API("GET /api/v1/users", "user:read", web.Doc{Summary: "用户列表", Response: User{}, List: true,
		Query: []web.Param{{Name: "role", Help: "角色代码"}, {Name: "status", Help: "active|disabled"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			users, total, err := s.ListUsers(r.Context(), s.DB, ScopeFrom(r.Context()), UserFilter{List: l, Role: r.URL.Query().Get("role"), Status: r.URL.Query().Get("status")})
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(users, total))
		})
	u.API("POST /api/v1/users", "user:write", web.Doc{Summary: "创建用户", Body: UserInput{}, Response: User{}, Status: 201},
		func(w http.ResponseWriter, r *http.Request) error {
			var in UserInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			out, err := s.CreateUser(r.Context(), UserFrom(r.Context()), ScopeFrom(r.Context()), in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusCreated, out)
		})
	u.API("GET /api/v1/users/{id}", "user:read", web.Doc{Summary: "用户详情", Response: User{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		out, err := s.VisibleUser(r.Context(), s.DB, ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, out)
	})
	u.API("PATCH /api/v1/users/{id}", PermManageUsers, web.Doc{Summary: "修改用户（姓名、绑定人员、角色、数据范围；角色变更记为授权，受三员分立约束）", Body: UserPatch{}, Response: User{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			var p UserPatch
			if err := web.DecodeJSON(r, &p); err != nil {
				return err
			}
			out, err := s.UpdateUser(r.Context(), UserFrom(r.Context()), ScopeFrom(r.Context()), id, p)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, out)
		})
	for _, act := range []struct{ verb, summary string }{{"disable", "停用用户"}, {"enable", "启用用户"}, {"unlock", "解除锁定"}} {
		act := act
		u.API("POST /api/v1/users/{id}/"+act.verb, PermManageUsers, web.Doc{Summary: act.summary, Response: User{}}, func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			sc := ScopeFrom(r.Context())
			switch act.verb {
			case "disable":
				err = s.SetStatus(r.Context(), UserFrom(r.Context()), sc, id, "disabled")
			case "enable":
				err = s.SetStatus(r.Context(), UserFrom(r.Context()), sc, id, "active")
			case "unlock":
				err = s.Unlock(r.Context(), UserFrom(r.Context()), sc, id)
			}
			if err != nil {
				return err
			}
			out, err := s.VisibleUser(r.Context(), s.DB, sc, id)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, out)
		})
	}
	u.API("POST /api/v1/users/{id}/reset-password", "user:write", web.Doc{Summary: "重置密码（不填则随机生成，返回新密码；管理员账户的密码只能本人修改或在服务器上重置）", Body: resetBody{}, Response: resetBody{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			var b resetBody
			if r.ContentLength != 0 {
				if err := web.DecodeJSON(r, &b); err != nil {
					return err
				}
			}
			pw, err := s.ResetPassword(r.Context(), UserFrom(r.Context()), ScopeFrom(r.Context()), id, b.Password, true)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, resetBody{Password: pw})
		})
	u.API("POST /api/v1/me/password", web.SignedIn, web.Doc{Summary: "修改本人密码", Body: passwordBody{}}, func(w http.ResponseWriter, r *http.Request) error {
		var b passwordBody
		if err := web.DecodeJSON(r, &b); err != nil {
			return err
		}
		if err := s.ChangeOwnPassword(r.Context(), UserFrom(r.Context()), b.Current, b.New); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})

	u.API("GET /api/v1/permissions", "role:read", web.Doc{Summary: "全部权限", Response: Permission{}, List: true}, func(w http.ResponseWriter, r *http.Request) error {
		ps := s.Permissions()
		return web.JSON(w, http.StatusOK, web.NewItems(ps, int64(len(ps))))
	})
	u.API("GET /api/v1/roles", "role:read", web.Doc{Summary: "角色列表", Response: Role{}, List: true}, func(w http.ResponseWriter, r *http.Request) error {
		roles, err := s.ListRoles(r.Context(), s.DB)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(roles, int64(len(roles))))
	})
	u.API("POST /api/v1/roles", "role:write", web.Doc{Summary: "新建自定义角色", Body: RoleInput{}, Response: Role{}, Status: 201}, func(w http.ResponseWriter, r *http.Request) error {
		var in RoleInput
		if err := web.DecodeJSON(r, &in); err != nil {
			return err
		}
		out, err := s.CreateRole(r.Context(), in)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusCreated, out)
	})
	u.API("GET /api/v1/roles/{code}", "role:read", web.Doc{Summary: "角色详情", Response: Role{}}, func(w http.ResponseWriter, r *http.Request) error {
		out, err := s.GetRole(r.Context(), s.DB, r.PathValue("code"))
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, out)
	})
	u.API("PATCH /api/v1/roles/{code}", "role:write", web.Doc{Summary: "修改自定义角色", Body: RoleInput{}, Response: Role{}}, func(w http.ResponseWriter, r *http.Request) error {
		var in RoleInput
		if err := web.DecodeJSON(r, &in); err != nil {
			return err
		}
		out, err := s.UpdateRole(r.Context(), r.PathValue("code"), in)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, out)
	})
	u.API("DELETE /api/v1/roles/{code}", "role:write", web.Doc{Summary: "删除无人持有的自定义角色", Status: 204}, func(w http.ResponseWriter, r *http.Request) error {
		if err := s.DeleteRole(r.Context(), r.PathValue("code")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	u.API("GET /api/v1/security/policy", "role:read", web.Doc{Summary: "安全策略", Response: Policy{}}, func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.Policy(r.Context(), s.DB)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, p)
	})
	u.API("PUT /api/v1/security/policy", "security:write", web.Doc{Summary: "修改安全策略", Body: Policy{}, Response: Policy{}}, func(w http.ResponseWriter, r *http.Request) error {
		p := DefaultPolicy()
		if err := web.DecodeJSON(r, &p); err != nil {
			return err
		}
		if err := s.SavePolicy(r.Context(), p); err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, p)
	})

	s.pages(trustProxy)
}

// Me is GET /api/v1/me.
type Me struct {
	*User
	Permissions    []string `json:"permissions"`
	EffectiveScope string   `json:"effective_scope"`
	EffectiveOrgID int64    `json:"effective_org_id,omitempty"`
}

type resetBody struct {
	Password string `json:"password,omitempty"`
}

type passwordBody struct {
	Current string `json:"current_password"`
	New     string `json:"new_password"`
}
