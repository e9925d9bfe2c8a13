package org

import (
	"net/http"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

// Decorate fills the unit switcher for users whose scope spans several units: the units two levels below their
// scope root (at most 300), so a provincial user can narrow every page to one city or county.
func (s *Service) Decorate(r *http.Request, g *web.Globals) {
	u := auth.UserFrom(r.Context())
	if u == nil || (u.DataScope != auth.ScopeAll && u.DataScope != auth.ScopeSubtree) {
		return
	}
	base, err := s.Auth.BaseScope(r.Context(), u)
	if err != nil {
		return
	}
	ctx := r.Context()
	var orgs []Org
	rootDepth := 0
	if base.All() {
		orgs, err = db.Select(ctx, s.DB, scanOrg, "SELECT "+orgCols+orgFrom+" WHERE o.depth <= 2 AND o.status = 'active' ORDER BY o.path LIMIT 300")
	} else {
		var root Org
		root, err = GetOrg(ctx, s.DB, base, base.OrgID)
		if err != nil {
			return
		}
		rootDepth = root.Depth
		orgs, err = db.Select(ctx, s.DB, scanOrg, "SELECT "+orgCols+orgFrom+" WHERE o.path >= ? AND o.path < ? AND o.depth <= ? AND o.status = 'active' ORDER BY o.path LIMIT 300",
			base.Path, db.PrefixUpper(base.Path), root.Depth+2)
	}
	if err != nil || len(orgs) <= 1 {
		return
	}
	f := &web.Focus{CurrentID: u.FocusOrgID()}
	if base.All() {
		f.Options = append(f.Options, web.FocusOption{ID: 0, Label: "全部单位"})
	}
	for _, o := range orgs {
		f.Options = append(f.Options, web.FocusOption{ID: o.ID, Label: o.Name, Depth: o.Depth - rootDepth})
	}
	if f.CurrentID == 0 && !base.All() {
		f.CurrentID = base.OrgID
	}
	listed := false
	for _, o := range f.Options {
		listed = listed || o.ID == f.CurrentID
	}
	if !listed {
		// A unit chosen deeper than the list reaches (e.g. from a unit page) still shows as the current one.
		if cur, err := GetOrg(ctx, s.DB, base, f.CurrentID); err == nil {
			f.Options = append([]web.FocusOption{{ID: cur.ID, Label: cur.Name}}, f.Options...)
		}
	}
	g.Focus = f
}
