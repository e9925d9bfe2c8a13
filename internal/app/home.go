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
	CanApprove                    bool
}

func (a *App) home(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	me := auth.UserFrom(ctx)
	sc := auth.ScopeFrom(ctx)
	p := &homePage{Globals: a.UI.G(r, "app.home|首页"), ScopeName: auth.ScopeNames[sc.Kind]}
	// The audit administrator approves nothing (三员分立); everyone else may be an approver.
	p.CanApprove = !(len(me.Roles) == 1 && me.Roles[0] == auth.RoleAuditAdmin)
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
