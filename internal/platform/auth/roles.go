package auth

import (
	"context"
	"regexp"
	"sort"
	"strings"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// Role is a named set of permissions.
type Role struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Builtin     bool     `json:"builtin"`
	Permissions []string `json:"permissions"`
	Users       int64    `json:"users"`
}

// RoleInput is the body of POST/PATCH /api/v1/roles.
type RoleInput struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
}

// ListRoles lists every role with its permissions and number of users.
func (s *Service) ListRoles(ctx context.Context, q db.Q) ([]Role, error) {
	roles, err := db.Select(ctx, q, func(sc db.Scanner) (Role, error) {
		var r Role
		err := sc.Scan(&r.Code, &r.Name, &r.Description, &r.Builtin, &r.Users)
		return r, err
	}, `SELECT r.code, r.name, r.description, r.builtin, (SELECT COUNT(*) FROM user_roles ur WHERE ur.role_code = r.code)
		FROM roles r ORDER BY r.builtin DESC, r.code`)
	if err != nil {
		return nil, err
	}
	perms, err := db.Select(ctx, q, func(sc db.Scanner) ([2]string, error) {
		var p [2]string
		return p, sc.Scan(&p[0], &p[1])
	}, "SELECT role_code, permission FROM role_permissions ORDER BY permission")
	if err != nil {
		return nil, err
	}
	by := map[string][]string{}
	for _, p := range perms {
		by[p[0]] = append(by[p[0]], p[1])
	}
	for i := range roles {
		roles[i].Permissions = by[roles[i].Code]
		if roles[i].Permissions == nil {
			roles[i].Permissions = []string{}
		}
	}
	return roles, nil
}

// GetRole loads one role.
func (s *Service) GetRole(ctx context.Context, q db.Q, code string) (Role, error) {
	roles, err := s.ListRoles(ctx, q)
	if err != nil {
		return Role{}, err
	}
	for _, r := range roles {
		if r.Code == code {
			return r, nil
		}
	}
	return Role{}, errs.NotFound("角色")
}

var roleCodeRe = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

func (s *Service) checkRole(in *RoleInput, creating bool) error {
	f := errs.Fields{}
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	if creating && !roleCodeRe.MatchString(in.Code) {
		f.Add("code", "角色代码为 2–40 位小写字母、数字或下划线，以字母开头")
	}
	if in.Name == "" || len([]rune(in.Name)) > 40 {
		f.Add("name", "角色名称为 1–40 字")
	}
	if len([]rune(in.Description)) > 200 {
		f.Add("description", "说明不超过 200 字")
	}
	seen := map[string]bool{}
	var perms []string
	for _, p := range in.Permissions {
		if seen[p] {
			continue
		}
		seen[p] = true
		if !s.known(p) {
			f.Add("permissions", "未知权限："+p)
			continue
		}
		if owner, ok := reserved[p]; ok {
			f.Add("permissions", "“"+s.permName(p)+"”只属于"+officerNames[owner]+"，不能授予自定义角色（三员分立）")
			continue
		}
		perms = append(perms, p)
	}
	sort.Strings(perms)
	in.Permissions = perms
	if len(perms) == 0 && !f.Has("permissions") {
		f.Add("permissions", "请至少选择一项权限")
	}
	return f.Err()
}

// CreateRole adds a custom role.
func (s *Service) CreateRole(ctx context.Context, in RoleInput) (Role, error) {
	now := s.Clock.Now()
	in.Code = strings.TrimSpace(in.Code)
	if err := s.checkRole(&in, true); err != nil {
		return Role{}, err
	}
	var out Role
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if _, err := q.Exec(ctx, "INSERT INTO roles (code, name, description, builtin, created_at, updated_at) VALUES (?, ?, ?, FALSE, ?, ?)",
			in.Code, in.Name, in.Description, now.Unix(), now.Unix()); err != nil {
			if db.IsUnique(err) {
				return &errs.Error{Code: errs.CodeConflict, Message: "角色代码已存在", Fields: map[string]string{"code": "角色代码已存在"}}
			}
			return err
		}
		for _, p := range in.Permissions {
			if _, err := q.Exec(ctx, "INSERT INTO role_permissions (role_code, permission) VALUES (?, ?)", in.Code, p); err != nil {
				return err
			}
		}
		var err error
		if out, err = s.GetRole(ctx, q, in.Code); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "role.create", ObjectType: "role", ObjectKey: in.Code, Success: true, After: out})
	})
	return out, err
}

// UpdateRole changes a custom role's name, description and permissions. Built-in roles are fixed.
func (s *Service) UpdateRole(ctx context.Context, code string, in RoleInput) (Role, error) {
	now := s.Clock.Now()
	var out Role
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := s.GetRole(ctx, q, code)
		if err != nil {
			return err
		}
		if before.Builtin {
			return errs.Conflict("内置角色不能修改，请新建自定义角色")
		}
		if err := s.checkRole(&in, false); err != nil {
			return err
		}
		if err := s.checkHolders(ctx, q, code, in.Permissions); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "UPDATE roles SET name = ?, description = ?, updated_at = ? WHERE code = ?", in.Name, in.Description, now.Unix(), code); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "DELETE FROM role_permissions WHERE role_code = ?", code); err != nil {
			return err
		}
		for _, p := range in.Permissions {
			if _, err := q.Exec(ctx, "INSERT INTO role_permissions (role_code, permission) VALUES (?, ?)", code, p); err != nil {
				return err
			}
		}
		if out, err = s.GetRole(ctx, q, code); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "role.update", ObjectType: "role", ObjectKey: code, Success: true, Before: before, After: out})
	})
	return out, err
}

// checkHolders refuses new permissions of a role that would give one of its holders two officers' powers.
func (s *Service) checkHolders(ctx context.Context, q db.Q, code string, perms []string) error {
	holders, err := db.Int64s(ctx, q, "SELECT user_id FROM user_roles WHERE role_code = ?", code)
	if err != nil {
		return err
	}
	for _, id := range holders {
		roles, err := db.Strings(ctx, q, "SELECT role_code FROM user_roles WHERE user_id = ? ORDER BY role_code", id)
		if err != nil {
			return err
		}
		byRole, err := rolePerms(ctx, q, roles)
		if err != nil {
			return err
		}
		byRole[code] = perms
		if msg := separationConflict(roles, byRole); msg != "" {
			var login string
			if err := q.QueryRow(ctx, "SELECT username FROM users WHERE id = ?", id).Scan(&login); err != nil {
				return err
			}
			return errs.Invalid("permissions", "持有该角色的用户 "+login+" 将因此违反"+strings.TrimPrefix(msg, "三员分立："))
		}
	}
	return nil
}

// DeleteRole removes a custom role that nobody holds.
func (s *Service) DeleteRole(ctx context.Context, code string) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		r, err := s.GetRole(ctx, q, code)
		if err != nil {
			return err
		}
		if r.Builtin {
			return errs.Conflict("内置角色不能删除")
		}
		if r.Users > 0 {
			return errs.Conflict("仍有用户持有该角色，请先调整这些用户的角色")
		}
		if _, err := q.Exec(ctx, "DELETE FROM roles WHERE code = ?", code); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "role.delete", ObjectType: "role", ObjectKey: code, Success: true, Before: r})
	})
}

// SavePolicy validates and stores the security policy.
func (s *Service) SavePolicy(ctx context.Context, p Policy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		before, err := s.Policy(ctx, q)
		if err != nil {
			return err
		}
		if err := putSetting(ctx, q, p, now, audit.ActorFrom(ctx).Username); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "security.policy", ObjectType: "setting", ObjectKey: policyKey, Success: true, Before: before, After: p})
	})
}
