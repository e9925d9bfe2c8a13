package org

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

// Service is the spine's instance: stores, pages and API. It is the first module of the wiring's list; its
// migrations run with the kit's (before identity, whose tables refer to units and people), not from its manifest.
type Service struct {
	module.Deps
}

// New makes the spine's module; the wiring installs it with the kit.
func New(d module.Deps) *Service { return &Service{Deps: d} }

// Manifest declares the spine's pages, API and menu to the kit (its permissions belong to the identity kit).
func (s *Service) Manifest() module.Manifest {
	return module.Manifest{
		Name: "org", Templates: web.Sub(templatesFS, "templates"), Catalog: catalogEN,
		Menu: []web.MenuItem{
			{Group: "menu.org|组织机构", Label: "org.orgs|单位管理", Path: "/orgs", Perm: "org:read", Order: 10},
			{Group: "menu.org|组织机构", Label: "org.people|人员管理", Path: "/people", Perm: "person:read", Order: 20},
		},
		Help:   helpTopics(),
		Routes: func() { s.orgPages(); s.peoplePages(); s.api() },
		Objects: []module.Object{
			{Type: "org", Names: module.NamesQuery("SELECT o.id, o.name FROM orgs o", "o.id", "o.id"), Link: module.LinkTo("/orgs/")},
			{Type: "person", Names: module.NamesQuery("SELECT p.id, p.name FROM people p", "p.id", "p.org_id"), Link: module.LinkTo("/people/")},
		},
	}
}

// Tree implements auth.Tree over the orgs table.
type Tree struct{}

// OrgPath implements auth.Tree.
func (Tree) OrgPath(ctx context.Context, q db.Q, id int64) (string, error) {
	var p string
	err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", id).Scan(&p)
	if db.IsNoRows(err) {
		return "", errs.NotFound("单位")
	}
	return p, err
}

// SubtreeIDs implements auth.Tree.
func (Tree) SubtreeIDs() string { return "SELECT id FROM orgs WHERE path >= ? AND path < ?" }

// PersonOrg implements auth.Tree.
func (Tree) PersonOrg(ctx context.Context, q db.Q, personID int64) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "SELECT org_id FROM people WHERE id = ?", personID).Scan(&id)
	if db.IsNoRows(err) {
		return 0, errs.NotFound("人员")
	}
	return id, err
}

// OrgLabel implements auth.Tree.
func (Tree) OrgLabel(ctx context.Context, q db.Q, id int64) string {
	if id == 0 {
		return ""
	}
	var n string
	if err := q.QueryRow(ctx, "SELECT name FROM orgs WHERE id = ?", id).Scan(&n); err != nil {
		return "#" + strconv.FormatInt(id, 10)
	}
	return n
}

const orgCols = `o.id, COALESCE(o.parent_id, 0), o.path, o.depth, o.name, o.short_name, o.kind, o.admin_level, o.grade, o.affiliation, COALESCE(o.region_code, ''),
	COALESCE(o.credit_code, ''), o.category, o.headcount, o.floor_area_m2, o.address, o.contact, o.phone, o.status, o.sort, o.created_at, o.updated_at,
	COALESCE(par.name, ''), COALESCE(rg.full_name, '')`

const orgFrom = " FROM orgs o LEFT JOIN orgs par ON par.id = o.parent_id LEFT JOIN regions rg ON rg.code = o.region_code"

func scanOrg(s db.Scanner) (Org, error) {
	var o Org
	err := s.Scan(&o.ID, &o.ParentID, &o.Path, &o.Depth, &o.Name, &o.ShortName, &o.Kind, &o.AdminLevel, &o.Grade, &o.Affiliation, &o.RegionCode, &o.CreditCode,
		&o.Category, &o.Headcount, &o.FloorAreaM2, &o.Address, &o.Contact, &o.Phone, &o.Status, &o.Sort, &o.CreatedAt, &o.UpdatedAt,
		&o.ParentName, &o.RegionName)
	return o, err
}

// GetOrg loads a unit in scope (404 otherwise), with its counts of children and people.
func GetOrg(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Org, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	o, err := scanOrg(q.QueryRow(ctx, "SELECT "+orgCols+orgFrom+" WHERE o.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return Org{}, errs.NotFound("单位")
	}
	if err != nil {
		return Org{}, err
	}
	if err := q.QueryRow(ctx, "SELECT (SELECT COUNT(*) FROM orgs WHERE parent_id = ?), (SELECT COUNT(*) FROM people WHERE org_id = ? AND status = 'active')", id, id).
		Scan(&o.Children, &o.People); err != nil {
		return Org{}, err
	}
	return o, nil
}

// OrgFilter narrows a unit list.
type OrgFilter struct {
	List       web.List
	ParentID   int64 // direct children of this unit
	HasParent  bool  // ParentID given (0 = roots)
	UnderID    int64 // anywhere below this unit
	Kind       string
	AdminLevel string
	Category   string
	Status     string
	RegionCode string
}

// ListOrgs lists units in scope.
func ListOrgs(ctx context.Context, q db.Q, sc auth.Scope, f OrgFilter) ([]Org, int64, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	where := []string{cond}
	if f.HasParent {
		if f.ParentID == 0 {
			where = append(where, "o.parent_id IS NULL")
		} else {
			where = append(where, "o.parent_id = ?")
			args = append(args, f.ParentID)
		}
	}
	if f.UnderID != 0 {
		p, err := Tree{}.OrgPath(ctx, q, f.UnderID)
		if err != nil {
			return nil, 0, err
		}
		where = append(where, "o.path >= ? AND o.path < ?")
		args = append(args, p, db.PrefixUpper(p))
	}
	if f.List.Q != "" {
		where = append(where, "(o.name LIKE ? ESCAPE '\\' OR o.short_name LIKE ? ESCAPE '\\' OR o.credit_code = ?)")
		p := db.LikeContains(f.List.Q)
		args = append(args, p, p, strings.ToUpper(f.List.Q))
	}
	for _, c := range []struct{ col, v string }{{"o.kind", f.Kind}, {"o.admin_level", f.AdminLevel}, {"o.category", f.Category}, {"o.status", f.Status}} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	if f.RegionCode != "" {
		where = append(where, "o.region_code LIKE ? ESCAPE '\\'")
		args = append(args, db.LikePrefix(strings.TrimRight(f.RegionCode, "0")))
	}
	w := " WHERE " + strings.Join(where, " AND ")
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM orgs o"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	order := f.List.OrderBy(map[string]string{"name": "o.name", "kind": "o.kind", "level": "o.admin_level", "headcount": "o.headcount",
		"area": "o.floor_area_m2", "created": "o.id"}, "o.depth, o.sort, o.id")
	orgs, err := db.Select(ctx, q, scanOrg, "SELECT "+orgCols+orgFrom+w+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	if err := fillCounts(ctx, q, orgs); err != nil {
		return nil, 0, err
	}
	return orgs, total, nil
}

func fillCounts(ctx context.Context, q db.Q, orgs []Org) error {
	if len(orgs) == 0 {
		return nil
	}
	ids := make([]int64, len(orgs))
	at := map[int64]int{}
	for i, o := range orgs {
		ids[i] = o.ID
		at[o.ID] = i
	}
	type cnt struct{ id, n int64 }
	scan := func(s db.Scanner) (cnt, error) { var c cnt; return c, s.Scan(&c.id, &c.n) }
	kids, err := db.Select(ctx, q, scan, "SELECT parent_id, COUNT(*) FROM orgs WHERE parent_id IN ("+db.In(len(ids))+") GROUP BY parent_id", db.Args(ids)...)
	if err != nil {
		return err
	}
	for _, c := range kids {
		orgs[at[c.id]].Children = c.n
	}
	ppl, err := db.Select(ctx, q, scan, "SELECT org_id, COUNT(*) FROM people WHERE status = 'active' AND org_id IN ("+db.In(len(ids))+") GROUP BY org_id", db.Args(ids)...)
	if err != nil {
		return err
	}
	for _, c := range ppl {
		orgs[at[c.id]].People = c.n
	}
	return nil
}

func (s *Service) checkRefs(ctx context.Context, q db.Q, in *OrgInput, selfID int64, f errs.Fields) error {
	if in.RegionCode != "" && !f.Has("region_code") {
		n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM regions WHERE code = ?", in.RegionCode)
		if err != nil {
			return err
		}
		if n == 0 {
			f.Add("region_code", "行政区划代码不存在")
		}
	}
	if in.CreditCode != "" && !f.Has("credit_code") {
		n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM orgs WHERE credit_code = ? AND id <> ?", in.CreditCode, selfID)
		if err != nil {
			return err
		}
		if n > 0 {
			f.Add("credit_code", "该统一社会信用代码已被其他单位使用")
		}
	}
	return nil
}

// CreateOrg adds a unit under parent_id (a root only for users whose scope is everything).
func (s *Service) CreateOrg(ctx context.Context, sc auth.Scope, in OrgInput) (Org, error) {
	now := s.Clock.Now()
	var out Org
	err := s.DB.Tx(ctx, func(q db.Q) error {
		var err error
		out, err = s.createOrg(ctx, q, sc, in, now)
		return err
	})
	return out, err
}

func (s *Service) createOrg(ctx context.Context, q db.Q, sc auth.Scope, in OrgInput, now time.Time) (Org, error) {
	f := errs.Fields{}
	in.check(f)
	parentPath, depth := "/", 0
	if in.ParentID != 0 {
		par, err := GetOrg(ctx, q, sc, in.ParentID)
		if err != nil {
			if errs.Is(err, errs.CodeNotFound) {
				e := errs.NotFound("上级单位")
				e.Fields = map[string]string{"parent_id": "上级单位不存在或不在您的数据范围内"}
				return Org{}, e
			}
			return Org{}, err
		}
		if !par.Active() {
			f.Add("parent_id", "上级单位已停用")
		}
		parentPath, depth = par.Path, par.Depth+1
	} else if !sc.All() {
		f.Add("parent_id", "请选择上级单位")
	}
	if err := s.checkRefs(ctx, q, &in, 0, f); err != nil {
		return Org{}, err
	}
	if err := f.Err(); err != nil {
		if in.CreditCode != "" && f["credit_code"] == "该统一社会信用代码已被其他单位使用" && len(f) == 1 {
			return Org{}, &errs.Error{Code: errs.CodeConflict, Message: "该统一社会信用代码已被其他单位使用", Fields: f}
		}
		return Org{}, err
	}
	tmp := "~tmp" + strconv.FormatUint(rand.Uint64(), 36)
	id, err := db.InsertID(ctx, q, `INSERT INTO orgs (parent_id, path, depth, name, short_name, kind, admin_level, grade, affiliation, region_code, credit_code, category,
		headcount, floor_area_m2, address, contact, phone, status, sort, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?) RETURNING id`,
		db.NullInt(in.ParentID), tmp, depth, in.Name, in.ShortName, in.Kind, in.AdminLevel, in.Grade, in.Affiliation, db.NullStr(in.RegionCode), db.NullStr(in.CreditCode),
		in.Category, in.Headcount, in.FloorAreaM2, in.Address, in.Contact, in.Phone, in.Sort, now.Unix(), now.Unix())
	if err != nil {
		if db.IsUnique(err) {
			return Org{}, &errs.Error{Code: errs.CodeConflict, Message: "该统一社会信用代码已被其他单位使用", Fields: map[string]string{"credit_code": "已被使用"}}
		}
		return Org{}, err
	}
	if _, err := q.Exec(ctx, "UPDATE orgs SET path = ? WHERE id = ?", parentPath+strconv.FormatInt(id, 10)+"/", id); err != nil {
		return Org{}, err
	}
	out, err := GetOrg(ctx, q, auth.Everything(), id)
	if err != nil {
		return Org{}, err
	}
	if err := history.Record(ctx, q, now, "org", id, "create", "创建单位"); err != nil {
		return Org{}, err
	}
	return out, audit.Record(ctx, q, now, audit.Entry{Action: "org.create", ObjectType: "org", ObjectID: id, OrgID: id, Success: true, After: out.snapshot()})
}

// UpdateOrg changes a unit's fields; a changed parent_id moves it (see MoveOrg).
func (s *Service) UpdateOrg(ctx context.Context, sc auth.Scope, id int64, p OrgPatch) (Org, error) {
	return s.updateOrg(ctx, s.DB, sc, id, p, s.Clock.Now())
}

func (s *Service) updateOrg(ctx context.Context, q0 db.Q, sc auth.Scope, id int64, p OrgPatch, now time.Time) (Org, error) {
	var out Org
	err := q0.Tx(ctx, func(q db.Q) error {
		before, err := GetOrg(ctx, q, sc, id)
		if err != nil {
			return err
		}
		in := OrgInput{Name: before.Name, ShortName: before.ShortName, ParentID: before.ParentID, Kind: before.Kind, AdminLevel: before.AdminLevel,
			Grade: before.Grade, Affiliation: before.Affiliation, RegionCode: before.RegionCode, CreditCode: before.CreditCode, Category: before.Category, Headcount: before.Headcount,
			FloorAreaM2: before.FloorAreaM2, Address: before.Address, Contact: before.Contact, Phone: before.Phone, Sort: before.Sort}
		setStr := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		setStr(&in.Name, p.Name)
		setStr(&in.ShortName, p.ShortName)
		setStr(&in.Kind, p.Kind)
		setStr(&in.AdminLevel, p.AdminLevel)
		setStr(&in.Grade, p.Grade)
		setStr(&in.Affiliation, p.Affiliation)
		setStr(&in.RegionCode, p.RegionCode)
		setStr(&in.CreditCode, p.CreditCode)
		setStr(&in.Category, p.Category)
		setStr(&in.Address, p.Address)
		setStr(&in.Contact, p.Contact)
		setStr(&in.Phone, p.Phone)
		if p.Headcount != nil {
			in.Headcount = *p.Headcount
		}
		if p.FloorAreaM2 != nil {
			in.FloorAreaM2 = *p.FloorAreaM2
		}
		if p.Sort != nil {
			in.Sort = *p.Sort
		}
		f := errs.Fields{}
		in.check(f)
		if err := s.checkRefs(ctx, q, &in, id, f); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `UPDATE orgs SET name = ?, short_name = ?, kind = ?, admin_level = ?, grade = ?, affiliation = ?, region_code = ?, credit_code = ?,
			category = ?, headcount = ?, floor_area_m2 = ?, address = ?, contact = ?, phone = ?, sort = ?, updated_at = ? WHERE id = ?`,
			in.Name, in.ShortName, in.Kind, in.AdminLevel, in.Grade, in.Affiliation, db.NullStr(in.RegionCode), db.NullStr(in.CreditCode), in.Category,
			in.Headcount, in.FloorAreaM2, in.Address, in.Contact, in.Phone, in.Sort, now.Unix(), id); err != nil {
			if db.IsUnique(err) {
				return &errs.Error{Code: errs.CodeConflict, Message: "该统一社会信用代码已被其他单位使用", Fields: map[string]string{"credit_code": "已被使用"}}
			}
			return err
		}
		if p.ParentID != nil && *p.ParentID != before.ParentID {
			if err := s.moveOrg(ctx, q, sc, id, *p.ParentID, now); err != nil {
				return err
			}
		}
		if out, err = GetOrg(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if d := history.Diff(orgLabels, before.snapshot(), out.snapshot()); d != "" {
			if err := history.Record(ctx, q, now, "org", id, "update", d); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "org.update", ObjectType: "org", ObjectID: id, OrgID: id, Success: true,
			Before: before.snapshot(), After: out.snapshot()})
	})
	return out, err
}

// MoveOrg puts a unit (with its whole subtree) under a new parent. The tree stays acyclic: moving a unit under
// itself or one of its descendants is a conflict.
func (s *Service) MoveOrg(ctx context.Context, sc auth.Scope, id, parentID int64) (Org, error) {
	now := s.Clock.Now()
	var out Org
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := GetOrg(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if before.ParentID == parentID {
			out = before
			return nil
		}
		if err := s.moveOrg(ctx, q, sc, id, parentID, now); err != nil {
			return err
		}
		if out, err = GetOrg(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "org.move", ObjectType: "org", ObjectID: id, OrgID: id, Success: true,
			Before: map[string]any{"parent_id": before.ParentID, "path": before.Path}, After: map[string]any{"parent_id": out.ParentID, "path": out.Path}})
	})
	return out, err
}

func (s *Service) moveOrg(ctx context.Context, q db.Q, sc auth.Scope, id, parentID int64, now time.Time) error {
	o, err := GetOrg(ctx, q, sc, id)
	if err != nil {
		return err
	}
	if !sc.All() && id == sc.OrgID {
		return errs.Forbidden("不能移动您数据范围的根单位")
	}
	newParentPath, newDepth := "/", 0
	parentName := "（顶级）"
	if parentID != 0 {
		par, err := GetOrg(ctx, q, sc, parentID)
		if err != nil {
			if errs.Is(err, errs.CodeNotFound) {
				e := errs.NotFound("上级单位")
				e.Fields = map[string]string{"parent_id": "上级单位不存在或不在您的数据范围内"}
				return e
			}
			return err
		}
		if strings.HasPrefix(par.Path, o.Path) {
			return &errs.Error{Code: errs.CodeConflict, Message: "不能把单位移动到它自身或其下级单位之下（会形成循环）",
				Fields: map[string]string{"parent_id": "不能选择自身或下级单位"}}
		}
		if !par.Active() {
			return errs.Invalid("parent_id", "上级单位已停用")
		}
		newParentPath, newDepth, parentName = par.Path, par.Depth+1, par.Name
	} else if !sc.All() {
		return errs.Invalid("parent_id", "请选择上级单位")
	}
	newPath := newParentPath + strconv.FormatInt(id, 10) + "/"
	delta := newDepth - o.Depth
	if _, err := q.Exec(ctx, "UPDATE orgs SET parent_id = ?, updated_at = ? WHERE id = ?", db.NullInt(parentID), now.Unix(), id); err != nil {
		return err
	}
	// Rewrite the subtree's paths. The old and new path ranges cannot overlap (no cycles), so one statement is safe.
	if _, err := q.Exec(ctx, "UPDATE orgs SET path = ? || substr(path, ?), depth = depth + ? WHERE path >= ? AND path < ?",
		newPath, len(o.Path)+1, delta, o.Path, db.PrefixUpper(o.Path)); err != nil {
		return err
	}
	// People and their search terms carry the path of their unit.
	for _, table := range []string{"people", "person_terms"} {
		if _, err := q.Exec(ctx, "UPDATE "+table+" SET org_path = ? || substr(org_path, ?) WHERE org_path >= ? AND org_path < ?",
			newPath, len(o.Path)+1, o.Path, db.PrefixUpper(o.Path)); err != nil {
			return err
		}
	}
	return history.Record(ctx, q, now, "org", id, "move", "上级单位："+o.ParentName+" → "+parentName)
}

// SetOrgStatus deactivates or reactivates a unit. A unit with active sub-units or active people cannot be deactivated.
func (s *Service) SetOrgStatus(ctx context.Context, sc auth.Scope, id int64, status string) (Org, error) {
	now := s.Clock.Now()
	var out Org
	err := s.DB.Tx(ctx, func(q db.Q) error {
		o, err := GetOrg(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if o.Status == status {
			out = o
			return nil
		}
		if status == "inactive" {
			n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM orgs WHERE parent_id = ? AND status = 'active'", id)
			if err != nil {
				return err
			}
			if n > 0 {
				return errs.Conflict("该单位还有 " + strconv.FormatInt(n, 10) + " 个正常的下级单位，请先停用或移走")
			}
			if o.People > 0 {
				return errs.Conflict("该单位还有 " + strconv.FormatInt(o.People, 10) + " 名在职人员，请先调出")
			}
		} else if o.ParentID != 0 {
			var ps string
			if err := q.QueryRow(ctx, "SELECT status FROM orgs WHERE id = ?", o.ParentID).Scan(&ps); err != nil {
				return err
			}
			if ps != "active" {
				return errs.Conflict("上级单位已停用，请先启用上级单位")
			}
		}
		if _, err := q.Exec(ctx, "UPDATE orgs SET status = ?, updated_at = ? WHERE id = ? AND status = ?", status, now.Unix(), id, o.Status); err != nil {
			return err
		}
		if out, err = GetOrg(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		act := map[string]string{"active": "activate", "inactive": "deactivate"}[status]
		if err := history.Record(ctx, q, now, "org", id, act, "状态："+o.StatusName()+" → "+out.StatusName()); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "org." + act, ObjectType: "org", ObjectID: id, OrgID: id, Success: true,
			Before: map[string]any{"status": o.Status}, After: map[string]any{"status": status}})
	})
	return out, err
}

// DeleteOrg removes a unit that nothing refers to: no sub-units, no people, no users, no module records (409).
func (s *Service) DeleteOrg(ctx context.Context, sc auth.Scope, id int64) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		o, err := GetOrg(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if !sc.All() && id == sc.OrgID {
			return errs.Forbidden("不能删除您数据范围的根单位")
		}
		if o.Children > 0 {
			return errs.Conflict("该单位有 " + strconv.FormatInt(o.Children, 10) + " 个下级单位，不能删除")
		}
		n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM people WHERE org_id = ?", id)
		if err != nil {
			return err
		}
		if n > 0 {
			return errs.Conflict("该单位有 " + strconv.FormatInt(n, 10) + " 名人员（含退休、调离），不能删除；可改为停用")
		}
		if n, err := auth.CountUsersInOrg(ctx, q, id); err != nil {
			return err
		} else if n > 0 {
			return errs.Conflict("有 " + strconv.FormatInt(n, 10) + " 个用户的数据范围设在该单位，不能删除")
		}
		if _, err := q.Exec(ctx, "DELETE FROM orgs WHERE id = ?", id); err != nil {
			if db.IsForeignKey(err) {
				return errs.Conflict("该单位仍被其他业务数据引用（房产、车辆、资产、能耗等），不能删除；可改为停用")
			}
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "org.delete", ObjectType: "org", ObjectID: id, OrgID: o.ParentID, Success: true, Before: o.snapshot()})
	})
}

// Ancestors returns the chain of units from the root down to (and including) id, for breadcrumbs.
func Ancestors(ctx context.Context, q db.Q, path string) ([]Org, error) {
	var ids []any
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		if n, err := strconv.ParseInt(seg, 10, 64); err == nil {
			ids = append(ids, n)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return db.Select(ctx, q, scanOrg, "SELECT "+orgCols+orgFrom+" WHERE o.id IN ("+db.In(len(ids))+") ORDER BY o.depth", ids...)
}
