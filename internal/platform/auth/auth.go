// Package auth is identity and access: users bound to people, argon2id passwords under a password policy, lockout,
// sessions (cookies) and bearer tokens, CSRF tokens, optional TOTP, roles made of `resource:action` permissions
// (built-in roles of docs/api.md §Organisation spine plus custom ones), 三员分立, and the data scope every store applies
// in SQL.
package auth

import (
	"context"
	"embed"
	"log/slog"
	"path"
	"sort"
	"strings"

	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

// Migrations creates the identity tables.
var Migrations = db.Embedded("auth", migrationsFS)

// Data scopes (docs/api.md §Organisation spine): what part of the organisation tree a user's lists and reads cover.
const (
	ScopeAll     = "all"
	ScopeSubtree = "subtree"
	ScopeUnit    = "unit"
	ScopeSelf    = "self"
)

// ScopeNames are the Chinese names of the data scopes.
var ScopeNames = map[string]string{ScopeAll: "全部", ScopeSubtree: "本单位及下级", ScopeUnit: "本单位", ScopeSelf: "仅本人"}

// The three administrator roles of 三员分立, and the other built-in roles of docs/api.md §Organisation spine.
const (
	RoleSystemAdmin   = "system_admin"
	RoleSecurityAdmin = "security_admin"
	RoleAuditAdmin    = "audit_admin"
)

// Permission is one `resource:action` right.
type Permission struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Module string `json:"module"`
}

// Kit permissions; modules register theirs with Service.AddPermissions.
var kitPermissions = []Permission{
	{"org:read", "查看单位", "组织机构"}, {"org:write", "维护单位", "组织机构"},
	{"person:read", "查看人员", "组织机构"}, {"person:write", "维护人员", "组织机构"},
	{"user:read", "查看用户", "系统管理"}, {"user:write", "维护用户", "系统管理"},
	{"settings:write", "系统设置", "系统管理"}, {"job:read", "查看定时任务", "系统管理"}, {"job:run", "运行定时任务", "系统管理"},
	{"workflow:config", "配置审批流程", "系统管理"}, {"refdata:read", "查看标准参数", "系统管理"}, {"refdata:write", "维护标准参数", "系统管理"},
	{"role:read", "查看角色", "安全管理"}, {"role:write", "维护角色与授权", "安全管理"}, {"security:write", "安全策略", "安全管理"},
	{"audit:read", "查看审计日志", "安全审计"},
}

// BuiltinRole is a role shipped with GovOps. Grants are patterns ("org:*", "*:read") expanded over every
// registered permission at start, so a new module's rights reach the built-in roles without a migration.
type BuiltinRole struct {
	Code, Name, Description string
	Grants                  []string
	Deny                    []string
}

// BuiltinRoles follows docs/api.md §Organisation spine. 三员分立: the system administrator holds business data and
// users but neither roles, security policy nor the audit log; the security administrator holds roles and policy;
// the audit administrator reads the audit log and nothing else.
var BuiltinRoles = []BuiltinRole{
	{RoleSystemAdmin, "系统管理员", "用户、系统设置与全部业务数据", []string{"*:*"}, []string{"role:write", "security:write", "audit:read"}},
	{RoleSecurityAdmin, "安全保密管理员", "角色、权限与安全策略", []string{"role:*", "security:*", "user:read"}, nil},
	{RoleAuditAdmin, "安全审计员", "仅查看审计日志", []string{"audit:read"}, nil},
	{"space_manager", "办公用房管理员", "本范围内办公用房业务", []string{"org:read", "person:read", "space:*", "refdata:read"}, nil},
	{"fleet_manager", "公务用车管理员", "本范围内公务用车业务", []string{"org:read", "person:read", "fleet:*", "telematics:*", "refdata:read"}, nil},
	{"energy_manager", "节能管理员", "本范围内能源资源业务", []string{"org:read", "person:read", "energy:*", "space:buildings", "refdata:read"}, nil},
	{"asset_manager", "资产管理员", "本范围内资产与公物仓业务", []string{"org:read", "person:read", "asset:*", "space:buildings", "refdata:read"}, nil},
	{"service_manager", "后勤服务管理员", "本范围内后勤服务业务", []string{"org:read", "person:read", "service:*", "space:buildings"}, nil},
	{"unit_admin", "单位管理员", "本单位的人员与各类台账", []string{"org:read", "org:write", "person:*", "space:buildings", "space:read", "space:register",
		"fleet:read", "fleet:register", "energy:read", "energy:enter", "asset:read", "asset:register", "service:read", "service:request", "fleet:request", "fleet:report"}, nil},
	{"employee", "干部职工", "自助服务：用车申请、报修、会议室预订", []string{"fleet:request", "service:request", "service:read"}, nil},
	{"supervisor", "监督查看", "纪检、财政、审计只读查看", []string{"*:read", "space:buildings"}, []string{"audit:read", "role:read", "user:read", "job:read"}},
}

// Tree is what auth needs from the organisation spine, which lives above the kit and is injected at wiring.
type Tree interface {
	// OrgPath returns the materialised path of a unit ("/1/5/23/"), or a not_found error.
	OrgPath(ctx context.Context, q db.Q, orgID int64) (string, error)
	// SubtreeIDs is the SQL subquery selecting the ids of units whose path lies in [?, ?).
	SubtreeIDs() string
	// PersonOrg returns the unit of a person, or a not_found error.
	PersonOrg(ctx context.Context, q db.Q, personID int64) (int64, error)
	// OrgLabel names a unit for display.
	OrgLabel(ctx context.Context, q db.Q, orgID int64) string
}

// Service is the auth kit instance.
type Service struct {
	DB    *db.DB
	Clock clock.Clock
	Log   *slog.Logger
	UI    *web.UI
	Tree  Tree

	perms []Permission
}

// New makes the service; call AddPermissions for each module before Seed.
func New(d *db.DB, clk clock.Clock, log *slog.Logger, ui *web.UI, tree Tree) *Service {
	s := &Service{DB: d, Clock: clk, Log: log, UI: ui, Tree: tree}
	s.perms = append(s.perms, kitPermissions...)
	return s
}

// AddPermissions registers a module's permissions.
func (s *Service) AddPermissions(ps ...Permission) { s.perms = append(s.perms, ps...) }

// Permissions lists every registered permission, sorted by module then code.
func (s *Service) Permissions() []Permission {
	out := append([]Permission(nil), s.perms...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

func (s *Service) known(code string) bool {
	for _, p := range s.perms {
		if p.Code == code {
			return true
		}
	}
	return false
}

// expand resolves grant patterns over the registered permissions.
func (s *Service) expand(br BuiltinRole) []string {
	deny := map[string]bool{}
	for _, d := range br.Deny {
		deny[d] = true
	}
	var out []string
	for _, p := range s.perms {
		if deny[p.Code] {
			continue
		}
		for _, g := range br.Grants {
			if ok, _ := path.Match(strings.ReplaceAll(g, ":", "/"), strings.ReplaceAll(p.Code, ":", "/")); ok {
				if owner, ok := reserved[p.Code]; ok && br.Code != owner {
					continue
				}
				out = append(out, p.Code)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// User is a signed-in (or stored) user. It implements web.Principal.
type User struct {
	ID                 int64    `json:"id"`
	Login              string   `json:"username"`
	Name               string   `json:"display_name"`
	PersonID           int64    `json:"person_id,omitempty"`
	ScopeOrgID         int64    `json:"scope_org_id,omitempty"`
	DataScope          string   `json:"data_scope"`
	Status             string   `json:"status"`
	Roles              []string `json:"roles"`
	TOTPEnabled        bool     `json:"totp_enabled"`
	MustChangePassword bool     `json:"must_change_password"`
	PasswordExpired    bool     `json:"password_expired,omitempty"`
	TOTPRequired       bool     `json:"totp_required,omitempty"` // an officer under a policy that requires a second factor, not yet enrolled
	PasswordChangedAt  int64    `json:"-"`
	LastLoginAt        int64    `json:"-"`
	CreatedAt          int64    `json:"-"`

	perms      map[string]bool
	session    *session
	totpSecret string
}

// UserID implements web.Principal.
func (u *User) UserID() int64 { return u.ID }

// Username implements web.Principal.
func (u *User) Username() string { return u.Login }

// DisplayName implements web.Principal.
func (u *User) DisplayName() string {
	if u.Name != "" {
		return u.Name
	}
	return u.Login
}

// Can implements web.Principal.
func (u *User) Can(perm string) bool { return u.perms[perm] }

// HasRole reports whether the user holds role code.
func (u *User) HasRole(code string) bool {
	for _, r := range u.Roles {
		if r == code {
			return true
		}
	}
	return false
}

type ctxKey int

const (
	keyUser ctxKey = iota
	keyScope
)

// UserFrom returns the signed-in user of a request context, or nil.
func UserFrom(ctx context.Context) *User {
	u, _ := ctx.Value(keyUser).(*User)
	return u
}

// WithUser attaches a user and their effective scope to ctx (the middleware does this; tests and jobs may too).
func WithUser(ctx context.Context, u *User, sc Scope) context.Context {
	ctx = context.WithValue(ctx, keyUser, u)
	return context.WithValue(ctx, keyScope, sc)
}
