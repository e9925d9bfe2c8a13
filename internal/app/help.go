package app

import (
	"net/http"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/web"
)

// The wiring's part of the print and help kits (docs/printing.md, docs/help.md): the unit a printed page names when
// the page concerns no particular one, and the help of the pages every user has (待办, 审批, 消息).

// printUnit names the signed-in user's own unit (their scope's unit) for the heading of a printed page.
func (a *App) printUnit(r *http.Request) string {
	u := auth.UserFrom(r.Context())
	if u == nil {
		return ""
	}
	id := u.ScopeOrgID
	if sc := auth.ScopeFrom(r.Context()); !sc.All() && sc.OrgID != 0 {
		id = sc.OrgID // the unit the switcher narrowed the view to
	}
	if id == 0 {
		return ""
	}
	return org.Tree{}.OrgLabel(r.Context(), a.DB, id)
}

// helpTopics are the help pages of the work every user shares: the to-do list, approvals and messages.
func helpTopics() []web.HelpTopic {
	return []web.HelpTopic{
		{Name: "work", Title: "app.help.work|待办、审批与消息", Group: "menu.work|工作台", Perm: web.SignedIn,
			Pages: []string{"/", "/todo", "/inbox", "/inbox/*", "/notifications", "/notifications/*"}},
	}
}
