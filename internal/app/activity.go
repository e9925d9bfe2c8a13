package app

import (
	"context"
	"net/http"
	"unicode/utf8"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

// activityItem is an entry of the activity feed with its record's name as it is now and the record's page.
type activityItem struct {
	audit.Item
	Name, Link string
}

// kitObjects name the records of the kit's services: user accounts (no link: their pages need user:read), approval
// runs (the inbox shows each to those who take part) and approval chains.
func kitObjects() []module.Object {
	return []module.Object{
		{Type: "user", Names: module.NamesQuery("SELECT u.id, u.display_name || '（' || u.username || '）' FROM users u", "u.id", "u.scope_org_id")},
		{Type: "workflow_instance", Names: module.NamesQuery("SELECT x.id, x.title FROM wf_instances x", "x.id", "x.org_id"), Link: module.LinkTo("/inbox/")},
		{Type: "workflow_chain", Names: module.NamesQuery("SELECT x.id, x.name FROM wf_chains x", "x.id", "x.org_id")},
	}
}

// activity names the records of audit entries for the feed: the record's current name and page when its type is
// declared (module.Object) and the caller's scope reaches it, else the name in the entry's snapshot, else a name
// the entry carries (a file, a dataset), else the type's name alone — never an internal key or a bare "#id".
func (a *App) activity(ctx context.Context, sc auth.Scope, items []audit.Item) ([]activityItem, error) {
	ids := map[string][]string{}
	for _, it := range items {
		if it.ObjectID != "" {
			ids[it.ObjectType] = append(ids[it.ObjectType], it.ObjectID)
		}
	}
	names := map[string]map[string]string{}
	for typ, list := range ids {
		o, ok := a.objects[typ]
		if !ok || o.Names == nil {
			continue
		}
		m, err := o.Names(ctx, a.DB, sc, list)
		if err != nil {
			return nil, err
		}
		names[typ] = m
	}
	out := make([]activityItem, 0, len(items))
	for _, it := range items {
		x := activityItem{Item: it}
		if n, ok := names[it.ObjectType][it.ObjectID]; ok {
			x.Name = n
			if o := a.objects[it.ObjectType]; o.Link != nil {
				// Linked only when the viewer may open the page (a link that answers 403 is not drawn).
				if l := o.Link(it.ObjectID); a.UI.Allows(web.PrincipalFrom(ctx), http.MethodGet, l) {
					x.Link = l
				}
			}
		} else if n := it.SnapshotName(); n != "" {
			x.Name = n
		} else if !isKey(it.ObjectID) {
			x.Name = it.ObjectID
		} else {
			x.Name = audit.ObjectName(it.ObjectType)
		}
		out = append(out, x)
	}
	return out, nil
}

// isKey reports whether an object id is an internal key (ASCII: a number, a code, "12/2026-11/electricity") rather
// than a name people gave (which has Chinese in it).
func isKey(id string) bool { return utf8.RuneCountInString(id) == len(id) }
