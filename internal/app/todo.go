package app

import (
	"context"
	"net/http"
	"strconv"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/workflow"
)

// maxApprovals bounds the approvals the to-do list shows (the inbox pages through the rest).
const maxApprovals = 200

// todos is everything waiting for u: the approvals waiting for their decision in the workflow kit, then every
// module's work (reports to review, rectifications to report or verify, repairs to approve …), in module order.
func (a *App) todos(ctx context.Context, u *auth.User) ([]module.Todo, error) {
	if u == nil {
		return nil, nil
	}
	runs, _, err := a.Workflow.Inbox(ctx, a.DB, u, workflow.InboxFilter{Box: workflow.BoxPending, List: web.List{Page: 1, PageSize: maxApprovals}})
	if err != nil {
		return nil, err
	}
	out := make([]module.Todo, 0, len(runs))
	for _, in := range runs {
		t := module.Todo{Kind: "workflow.approve", Label: "app.todo.approve|待我审批", Link: "/inbox/" + strconv.FormatInt(in.ID, 10),
			Title: in.TypeName + "：" + in.Title}
		if in.OrgName != "" {
			t.Title += "（" + in.OrgName + "，" + in.RequesterName + " 提交）"
		}
		out = append(out, t)
	}
	mods, err := module.Todos(ctx, a.Manifests, u)
	if err != nil {
		return nil, err
	}
	return append(out, mods...), nil
}

// todoGroup is one kind of work on the to-do page.
type todoGroup struct {
	Label string
	Items []module.Todo
}

func groupTodos(ts []module.Todo) []todoGroup {
	var out []todoGroup
	at := map[string]int{}
	for _, t := range ts {
		i, ok := at[t.Label]
		if !ok {
			i = len(out)
			at[t.Label] = i
			out = append(out, todoGroup{Label: t.Label})
		}
		out[i].Items = append(out[i].Items, t)
	}
	return out
}

type todoPage struct {
	web.Globals
	Groups  []todoGroup
	Total   int
	Overdue int
}

func (a *App) todoPage(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.todos(r.Context(), auth.UserFrom(r.Context()))
	if err != nil {
		return err
	}
	p := &todoPage{Globals: a.UI.G(r, "app.todo|待办事项", web.Crumb{Label: "menu.work|工作台"}, web.Crumb{Label: "app.todo|待办事项"}),
		Groups: groupTodos(ts), Total: len(ts)}
	for _, t := range ts {
		if t.Overdue {
			p.Overdue++
		}
	}
	return a.UI.Render(w, r, http.StatusOK, "app/todo.html", p)
}

func (a *App) todoAPI(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.todos(r.Context(), auth.UserFrom(r.Context()))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.NewItems(ts, int64(len(ts))))
}
