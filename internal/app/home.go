package app

import (
	"net/http"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/workflow"
)

type homePage struct {
	web.Globals
	Units, People, Users int64
	ScopeName            string
	Recent               []activityItem
	// Todos are the first things waiting for the user, Groups all of them by kind (with counts).
	Todos  []module.Todo
	Groups []todoGroup
	Total  int
	// Mine are the user's own things (their office…) and Requests the approvals they asked for, newest first.
	Mine     []module.Mine
	Requests []workflow.Instance
}

// homeRequests is how many of the user's own requests the home page lists.
const homeRequests = 5

// homeTodos is how many to-dos the home page lists before "all".
const homeTodos = 8

func (a *App) home(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	me := auth.UserFrom(ctx)
	sc := auth.ScopeFrom(ctx)
	p := &homePage{Globals: a.UI.G(r, "app.home|首页"), ScopeName: auth.ScopeNames[sc.Kind]}
	ts, err := a.todos(ctx, me)
	if err != nil {
		return err
	}
	p.Total, p.Groups, p.Todos = len(ts), groupTodos(ts), ts[:min(len(ts), homeTodos)]
	for _, mf := range a.Manifests {
		if mf.Mine == nil {
			continue
		}
		m, err := mf.Mine(ctx, me)
		if err != nil {
			return err
		}
		p.Mine = append(p.Mine, m...)
	}
	if p.Requests, _, err = a.Workflow.Inbox(ctx, a.DB, me, workflow.InboxFilter{Box: workflow.BoxMine, List: web.List{Page: 1, PageSize: homeRequests}}); err != nil {
		return err
	}
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
	recent, err := audit.Recent(ctx, a.DB, 10, sc.All() && me.Can("user:read"), me.ID)
	if err != nil {
		return err
	}
	if p.Recent, err = a.activity(ctx, sc, recent); err != nil {
		return err
	}
	return a.UI.Render(w, r, http.StatusOK, "app/home.html", p)
}
