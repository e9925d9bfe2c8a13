package auth

import (
	"context"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// Scope is a caller's effective data scope: what every store puts in its WHERE clause. With the unit switcher
// a wide-scope user narrows it to a unit's subtree for the session.
type Scope struct {
	Kind     string // all | subtree | unit | self
	OrgID    int64  // the scope unit (subtree, unit, self: the person's unit)
	Path     string // materialised path of OrgID
	PersonID int64  // self: the user's person
	subtree  string // the spine's subtree subquery
}

// Everything is the scope of the system itself (jobs, the demo loader, CLI commands).
func Everything() Scope { return Scope{Kind: ScopeAll} }

// ScopeFrom returns the scope attached to ctx, or a scope that sees nothing when there is none.
func ScopeFrom(ctx context.Context) Scope {
	if s, ok := ctx.Value(keyScope).(Scope); ok {
		return s
	}
	return Scope{Kind: "none"}
}

// All reports whether the scope is unrestricted.
func (s Scope) All() bool { return s.Kind == ScopeAll }

// OrgCond returns a SQL condition (and its arguments) that the unit id in column col is visible.
func (s Scope) OrgCond(col string) (string, []any) {
	switch s.Kind {
	case ScopeAll:
		return "1 = 1", nil
	case ScopeSubtree:
		return col + " IN (" + s.subtree + ")", []any{s.Path, db.PrefixUpper(s.Path)}
	case ScopeUnit, ScopeSelf:
		return col + " = ?", []any{s.OrgID}
	}
	return "1 = 0", nil
}

// PathCond is OrgCond for a query that already has the unit's path in column pathCol (cheaper: no subquery).
func (s Scope) PathCond(idCol, pathCol string) (string, []any) {
	switch s.Kind {
	case ScopeAll:
		return "1 = 1", nil
	case ScopeSubtree:
		return pathCol + " >= ? AND " + pathCol + " < ?", []any{s.Path, db.PrefixUpper(s.Path)}
	case ScopeUnit, ScopeSelf:
		return idCol + " = ?", []any{s.OrgID}
	}
	return "1 = 0", nil
}

// PersonCond returns a SQL condition that a row belonging to the person in personCol, of the unit in orgCol, is
// visible: self-scoped users see only their own rows.
func (s Scope) PersonCond(personCol, orgCol string) (string, []any) {
	if s.Kind == ScopeSelf {
		return personCol + " = ?", []any{s.PersonID}
	}
	return s.OrgCond(orgCol)
}

// ContainsPath reports whether a unit with the given path is inside the scope (no database needed).
func (s Scope) ContainsPath(orgID int64, path string) bool {
	switch s.Kind {
	case ScopeAll:
		return true
	case ScopeSubtree:
		return len(path) >= len(s.Path) && path[:len(s.Path)] == s.Path
	case ScopeUnit, ScopeSelf:
		return orgID == s.OrgID
	}
	return false
}

// CheckOrg answers 404 unless unit orgID exists and lies in the scope — the check before every write.
func (s Scope) CheckOrg(ctx context.Context, q db.Q, t Tree, orgID int64, field string) error {
	if orgID <= 0 {
		return errs.Invalid(field, "请选择单位")
	}
	p, err := t.OrgPath(ctx, q, orgID)
	if err != nil {
		if errs.Is(err, errs.CodeNotFound) {
			e := errs.NotFound("单位")
			e.Fields = map[string]string{field: "单位不存在或不在您的数据范围内"}
			return e
		}
		return err
	}
	if !s.ContainsPath(orgID, p) {
		e := errs.NotFound("单位")
		e.Fields = map[string]string{field: "单位不存在或不在您的数据范围内"}
		return e
	}
	return nil
}

// resolve builds a user's scope from the stored fields, narrowed by the session's focus unit if any.
func (svc *Service) resolve(ctx context.Context, q db.Q, u *User, focusOrgID int64) (Scope, error) {
	sc := Scope{Kind: u.DataScope, OrgID: u.ScopeOrgID, PersonID: u.PersonID, subtree: svc.Tree.SubtreeIDs()}
	switch u.DataScope {
	case ScopeAll:
	case ScopeSubtree, ScopeUnit, ScopeSelf:
		if sc.OrgID == 0 {
			return Scope{Kind: "none"}, nil
		}
		p, err := svc.Tree.OrgPath(ctx, q, sc.OrgID)
		if err != nil {
			if errs.Is(err, errs.CodeNotFound) {
				return Scope{Kind: "none"}, nil
			}
			return sc, err
		}
		sc.Path = p
	default:
		return Scope{Kind: "none"}, nil
	}
	if focusOrgID != 0 && (sc.Kind == ScopeAll || sc.Kind == ScopeSubtree) && focusOrgID != sc.OrgID {
		p, err := svc.Tree.OrgPath(ctx, q, focusOrgID)
		if err == nil && sc.ContainsPath(focusOrgID, p) {
			return Scope{Kind: ScopeSubtree, OrgID: focusOrgID, Path: p, PersonID: u.PersonID, subtree: sc.subtree}, nil
		}
	}
	return sc, nil
}

// SubtreeScope returns the scope of a unit's subtree (for modules computing roll-ups of a unit they may see).
func (svc *Service) SubtreeScope(ctx context.Context, q db.Q, orgID int64) (Scope, error) {
	p, err := svc.Tree.OrgPath(ctx, q, orgID)
	if err != nil {
		return Scope{}, err
	}
	return Scope{Kind: ScopeSubtree, OrgID: orgID, Path: p, subtree: svc.Tree.SubtreeIDs()}, nil
}
