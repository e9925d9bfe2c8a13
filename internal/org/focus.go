package org

import (
	"context"
	"net/http"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
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

// UnitChoices is the web kit's unit source (web.UnitSource): the units of the caller's data scope whose name,
// short name or credit code match q, in tree order, at most limit, the chosen unit apart, and how many more match.
// Every unit of the scope is reachable by searching; nothing outside it is ever offered (the scope is in the SQL).
func (s *Service) UnitChoices(ctx context.Context, q string, selected int64, limit int) (web.UnitChoices, error) {
	sc := auth.ScopeFrom(ctx)
	var c web.UnitChoices
	if selected != 0 {
		if o, err := GetOrg(ctx, s.DB, sc, selected); err == nil {
			c.Selected = &web.UnitOption{ID: o.ID, Label: unitLabel(o)}
		} else if !errs.Is(err, errs.CodeNotFound) {
			return c, err
		}
	}
	if limit <= 0 {
		return c, nil
	}
	cond, args := sc.PathCond("o.id", "o.path")
	where := " WHERE " + cond + " AND o.id <> ?"
	args = append(args, selected)
	if q = strings.TrimSpace(q); q != "" {
		where += " AND (o.name LIKE ? ESCAPE '\\' OR o.short_name LIKE ? ESCAPE '\\' OR o.credit_code = ?)"
		p := db.LikeContains(q)
		args = append(args, p, p, strings.ToUpper(q))
	}
	orgs, err := db.Select(ctx, s.DB, scanOrg, "SELECT "+orgCols+orgFrom+where+" ORDER BY o.depth, o.sort, o.id LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return c, err
	}
	if len(orgs) > limit {
		n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM orgs o"+where, args...)
		if err != nil {
			return c, err
		}
		c.More = n - int64(limit)
		orgs = orgs[:limit]
	}
	for _, o := range orgs {
		c.Options = append(c.Options, web.UnitOption{ID: o.ID, Label: unitLabel(o)})
	}
	return c, nil
}

// unitLabel names a unit in a picker: its name and, to tell units of the same name apart, its parent's.
func unitLabel(o Org) string {
	if o.ParentName != "" {
		return o.Name + "（" + o.ParentName + "）"
	}
	return o.Name
}
