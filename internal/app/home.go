package app

import (
	"net/http"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

type homePage struct {
	web.Globals
	Units, People, Users, Pending int64
	ScopeName                     string
	Recent                        []audit.Item
	ActionNames                   map[string]string
}

// actionNames are the Chinese names of audit actions shown in "recent activity".
var actionNames = map[string]string{
	"org.create": "创建单位", "org.update": "修改单位", "org.move": "移动单位", "org.deactivate": "停用单位", "org.activate": "启用单位",
	"org.delete": "删除单位", "person.create": "登记人员", "person.update": "修改人员", "person.delete": "删除人员",
	"user.create": "创建用户", "user.update": "修改用户", "user.grant": "调整授权", "user.disable": "停用用户", "user.enable": "启用用户",
	"user.unlock": "解除锁定", "user.reset_password": "重置密码", "user.change_password": "修改密码", "role.create": "新建角色",
	"role.update": "修改角色", "role.delete": "删除角色", "security.policy": "修改安全策略", "export.xlsx": "导出 Excel",
	"import.orgs": "导入单位", "import.people": "导入人员",
}

func (a *App) home(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	me := auth.UserFrom(ctx)
	sc := auth.ScopeFrom(ctx)
	p := &homePage{Globals: a.UI.G(r, "app.home|首页"), ActionNames: actionNames, ScopeName: auth.ScopeNames[sc.Kind]}
	var err error
	if me.Can("org:read") {
		cond, args := sc.PathCond("o.id", "o.path")
		if p.Units, err = db.Count(ctx, a.DB, "SELECT COUNT(*) FROM orgs o WHERE o.status = 'active' AND "+cond, args...); err != nil {
			return err
		}
	}
	if me.Can("person:read") {
		cond, args := sc.PathCond("p.org_id", "p.org_path")
		if sc.Kind == auth.ScopeSelf {
			cond, args = "p.id = ?", []any{sc.PersonID}
		}
		if p.People, err = db.Count(ctx, a.DB, "SELECT COUNT(*) FROM people p WHERE p.status = 'active' AND "+cond, args...); err != nil {
			return err
		}
	}
	if me.Can("user:read") {
		cond, args := sc.OrgCond("u.scope_org_id")
		if p.Users, err = db.Count(ctx, a.DB, "SELECT COUNT(*) FROM users u WHERE u.status = 'active' AND "+cond, args...); err != nil {
			return err
		}
	}
	if p.Pending, err = a.Workflow.PendingCount(ctx, me); err != nil {
		return err
	}
	if p.Recent, err = audit.Recent(ctx, a.DB, 10, sc.All() && me.Can("user:read"), me.ID); err != nil {
		return err
	}
	return a.UI.Render(w, r, http.StatusOK, "app/home.html", p)
}
