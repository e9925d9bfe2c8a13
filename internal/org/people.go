package org

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

const personCols = `p.id, p.org_id, COALESCE(p.code, ''), p.name, p.gender, p.rank, p.position, p.phone, p.status, p.status_since,
	p.created_at, p.updated_at, o.name, o.admin_level`

func scanPerson(s db.Scanner) (Person, error) {
	var p Person
	err := s.Scan(&p.ID, &p.OrgID, &p.Code, &p.Name, &p.Gender, &p.Rank, &p.Position, &p.Phone, &p.Status, &p.StatusSince,
		&p.CreatedAt, &p.UpdatedAt, &p.OrgName, &p.AdminLevel)
	return p, err
}

// GetPerson loads a person in scope (404 otherwise).
func GetPerson(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Person, error) {
	cond, args := personScope(sc)
	p, err := scanPerson(q.QueryRow(ctx, "SELECT "+personCols+" FROM people p JOIN orgs o ON o.id = p.org_id WHERE p.id = ? AND "+cond,
		append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return Person{}, errs.NotFound("人员")
	}
	return p, err
}

func personScope(sc auth.Scope) (string, []any) {
	if sc.Kind == auth.ScopeSelf {
		return "p.id = ?", []any{sc.PersonID}
	}
	return sc.PathCond("p.org_id", "p.org_path")
}

// PersonFilter narrows a people list.
type PersonFilter struct {
	List    web.List
	OrgID   int64
	Subtree bool // include the units below OrgID
	Rank    string
	Status  string
}

// ListPeople lists people in scope (PeoplePage without the count's cap and cursor).
func ListPeople(ctx context.Context, q db.Q, sc auth.Scope, f PersonFilter) ([]Person, int64, error) {
	pg, err := PeoplePage(ctx, q, sc, f)
	return pg.Items, pg.Total, err
}

// PeoplePage lists a page of people in scope. Scope and unit filters are ranges over people.org_path; the search
// text goes through the person_terms index (see search.go), so a search stays fast however large the scope. The
// count stops at web.CountCap and, in name order, the next page is a cursor on (name, id), so neither the count nor
// a deep page costs more in a larger scope (docs/api.md §Lists and paging).
func PeoplePage(ctx context.Context, q db.Q, sc auth.Scope, f PersonFilter) (web.Page[Person], error) {
	type cond struct {
		sql  string
		args []any
		from string // for a path range: its lower bound
	}
	var conds []cond
	pathRange := func(from string) cond {
		return cond{"p.org_path >= ? AND p.org_path < ?", []any{from, db.PrefixUpper(from)}, from}
	}
	// The narrowest path range known, for the search index.
	pathFrom := ""
	switch sc.Kind {
	case auth.ScopeSubtree:
		conds = append(conds, pathRange(sc.Path))
		pathFrom = sc.Path
	default:
		c, a := personScope(sc)
		conds = append(conds, cond{c, a, ""})
	}
	if f.OrgID != 0 {
		p, err := Tree{}.OrgPath(ctx, q, f.OrgID)
		if err != nil {
			return web.Page[Person]{}, err
		}
		if f.Subtree {
			conds = append(conds, pathRange(p))
			pathFrom = p
		} else {
			conds = append(conds, cond{"p.org_id = ?", []any{f.OrgID}, ""})
		}
	}
	// Name order (the default) pages by cursor; the other orders by offset only.
	byName := f.List.Sort == "" || f.List.Sort == "name"
	if f.List.After != nil && !byName {
		return web.Page[Person]{}, errs.Invalid("after", "after 只能用于按姓名排序的列表")
	}
	if f.List.Q != "" {
		up := ""
		if pathFrom != "" {
			up = db.PrefixUpper(pathFrom)
		}
		c, a := searchCond(f.List.Q, pathFrom, up)
		conds = append(conds, cond{c, a, ""})
	}
	if f.Rank != "" {
		conds = append(conds, cond{"p.rank = ?", []any{f.Rank}, ""})
	}
	if f.Status != "" {
		conds = append(conds, cond{"p.status = ?", []any{f.Status}, ""})
	}
	if f.List.Q != "" && f.Rank == "" && f.Status == "" && (f.OrgID == 0 || f.Subtree) && (sc.Kind == auth.ScopeAll || sc.Kind == auth.ScopeSubtree) &&
		byName && !f.List.Desc && utf8.RuneCountInString(strings.TrimSpace(f.List.Q)) <= maxTerm {
		return searchPeople(ctx, q, strings.TrimSpace(f.List.Q), pathFrom, f.List)
	}
	build := func(walkNames bool) (string, []any) {
		var parts []string
		var args []any
		for _, c := range conds {
			if walkNames && c.from != "" {
				// A large range in name order: walk the name index and test each row's path instead of sorting the
				// whole range (an expression on org_path keeps the planner off the path index on both engines).
				parts = append(parts, "substr(p.org_path, 1, "+strconv.Itoa(len(c.from))+") = ?")
				args = append(args, c.from)
				continue
			}
			parts = append(parts, c.sql)
			args = append(args, c.args...)
		}
		return " WHERE " + strings.Join(parts, " AND "), args
	}
	w, args := build(false)
	var pg web.Page[Person]
	var err error
	if pg.Total, pg.Capped, err = db.CountUpTo(ctx, q, web.CountCap, "FROM people p"+w, args...); err != nil {
		return pg, err
	}
	order := f.List.OrderBy(map[string]string{"rank": rankOrderSQL, "org": "o.name", "status": "p.status",
		"since": "p.status_since", "code": "p.code"}, "p.name, p.id")
	desc := f.List.Sort == "name" && f.List.Desc
	if desc {
		order = "p.name DESC, p.id DESC"
	}
	if byName && f.List.Q == "" && pg.Total > 5000 {
		w, args = build(true)
	}
	page := " LIMIT ? OFFSET ?"
	pageArgs := []any{f.List.PageSize + 1, f.List.Offset()}
	if byName && f.List.After != nil {
		cmp := ">"
		if desc {
			cmp = "<"
		}
		w += " AND (p.name, p.id) " + cmp + " (?, ?)"
		args = append(args, f.List.After.Key, f.List.After.ID)
		page, pageArgs = " LIMIT ?", pageArgs[:1]
	}
	if byName && f.List.PageSize <= web.MaxPageSize {
		// The page's ids first, from the name index alone (it holds name, id and path), then only their rows: rows
		// skipped by an offset are never read. (An export reads everything in one statement.)
		var ids []int64
		if ids, err = db.Int64s(ctx, q, "SELECT p.id FROM people p"+w+" ORDER BY "+order+page, append(args, pageArgs...)...); err == nil {
			pg.Items, err = peopleByIDs(ctx, q, ids)
		}
	} else {
		pg.Items, err = db.Select(ctx, q, scanPerson, "SELECT "+personCols+" FROM people p JOIN orgs o ON o.id = p.org_id"+w+" ORDER BY "+order+page,
			append(args, pageArgs...)...)
	}
	if len(pg.Items) > f.List.PageSize {
		pg.Items = pg.Items[:f.List.PageSize]
		if byName {
			last := pg.Items[len(pg.Items)-1]
			pg.Next = &web.Cursor{Key: last.Name, ID: last.ID, Rows: int64(f.List.Offset() + f.List.PageSize)}
		}
	}
	return pg, err
}

// rankOrderSQL sorts ranks from the highest.
var rankOrderSQL = func() string {
	var b strings.Builder
	b.WriteString("CASE p.rank")
	for i, r := range Ranks {
		b.WriteString(" WHEN '" + r.Code + "' THEN " + strconv.Itoa(i))
	}
	b.WriteString(" END")
	return b.String()
}()

func (s *Service) checkPersonRefs(ctx context.Context, q db.Q, sc auth.Scope, in *PersonInput, selfID int64, f errs.Fields) error {
	if in.OrgID > 0 && !f.Has("org_id") {
		o, err := GetOrg(ctx, q, sc, in.OrgID)
		if err != nil {
			if errs.Is(err, errs.CodeNotFound) {
				e := errs.NotFound("单位")
				e.Fields = map[string]string{"org_id": "单位不存在或不在您的数据范围内"}
				return e
			}
			return err
		}
		if !o.Active() && in.Status == "active" {
			f.Add("org_id", "该单位已停用")
		}
	}
	if in.Code != "" && !f.Has("code") {
		n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM people WHERE code = ? AND id <> ?", in.Code, selfID)
		if err != nil {
			return err
		}
		if n > 0 {
			f.Add("code", "人员编号已被使用")
		}
	}
	return nil
}

// CreatePerson adds a person to a unit in scope.
func (s *Service) CreatePerson(ctx context.Context, sc auth.Scope, in PersonInput) (Person, error) {
	now := s.Clock.Now()
	var out Person
	err := s.DB.Tx(ctx, func(q db.Q) error {
		var err error
		out, err = s.createPerson(ctx, q, sc, in, now)
		return err
	})
	return out, err
}

func (s *Service) createPerson(ctx context.Context, q db.Q, sc auth.Scope, in PersonInput, now time.Time) (Person, error) {
	if sc.Kind == auth.ScopeSelf {
		return Person{}, errs.Forbidden("“仅本人”数据范围不能新增人员")
	}
	f := errs.Fields{}
	in.check(f, clock.Today(now))
	if err := s.checkPersonRefs(ctx, q, sc, &in, 0, f); err != nil {
		return Person{}, err
	}
	if err := f.Err(); err != nil {
		return Person{}, err
	}
	orgPath, err := Tree{}.OrgPath(ctx, q, in.OrgID)
	if err != nil {
		return Person{}, err
	}
	id, err := db.InsertID(ctx, q, `INSERT INTO people (org_id, code, name, gender, rank, position, phone, status, status_since, org_path, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.OrgID, db.NullStr(in.Code), in.Name, in.Gender, in.Rank, in.Position, in.Phone, in.Status, in.StatusSince, orgPath, now.Unix(), now.Unix())
	if err != nil {
		if db.IsUnique(err) {
			return Person{}, &errs.Error{Code: errs.CodeConflict, Message: "人员编号已被使用", Fields: map[string]string{"code": "已被使用"}}
		}
		return Person{}, err
	}
	if err := indexPerson(ctx, q, id, in.Name, orgPath); err != nil {
		return Person{}, err
	}
	out, err := GetPerson(ctx, q, auth.Everything(), id)
	if err != nil {
		return Person{}, err
	}
	if err := history.Record(ctx, q, now, "person", id, "create", "登记人员（"+out.OrgName+"，"+out.RankName()+"）"); err != nil {
		return Person{}, err
	}
	return out, audit.Record(ctx, q, now, audit.Entry{Action: "person.create", ObjectType: "person", ObjectID: id, OrgID: in.OrgID, Success: true, After: out.snapshot()})
}

// UpdatePerson changes a person; moving to another unit needs both units in scope. A new status without a
// status_since takes today.
func (s *Service) UpdatePerson(ctx context.Context, sc auth.Scope, id int64, p PersonPatch) (Person, error) {
	return s.updatePerson(ctx, s.DB, sc, id, p, s.Clock.Now())
}

func (s *Service) updatePerson(ctx context.Context, q0 db.Q, sc auth.Scope, id int64, p PersonPatch, now time.Time) (Person, error) {
	var out Person
	err := q0.Tx(ctx, func(q db.Q) error {
		before, err := GetPerson(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if sc.Kind == auth.ScopeSelf {
			return errs.Forbidden("“仅本人”数据范围不能修改人员信息")
		}
		in := PersonInput{OrgID: before.OrgID, Code: before.Code, Name: before.Name, Gender: before.Gender, Rank: before.Rank,
			Position: before.Position, Phone: before.Phone, Status: before.Status, StatusSince: before.StatusSince}
		if p.OrgID != nil {
			in.OrgID = *p.OrgID
		}
		for _, c := range []struct {
			dst *string
			v   *string
		}{{&in.Code, p.Code}, {&in.Name, p.Name}, {&in.Gender, p.Gender}, {&in.Rank, p.Rank}, {&in.Position, p.Position}, {&in.Phone, p.Phone}, {&in.Status, p.Status}, {&in.StatusSince, p.StatusSince}} {
			if c.v != nil {
				*c.dst = *c.v
			}
		}
		if p.Status != nil && *p.Status != before.Status && p.StatusSince == nil {
			in.StatusSince = clock.Today(now)
		}
		f := errs.Fields{}
		in.check(f, clock.Today(now))
		if err := s.checkPersonRefs(ctx, q, sc, &in, id, f); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		orgPath, err := Tree{}.OrgPath(ctx, q, in.OrgID)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `UPDATE people SET org_id = ?, code = ?, name = ?, gender = ?, rank = ?, position = ?, phone = ?, status = ?,
			status_since = ?, org_path = ?, updated_at = ? WHERE id = ?`, in.OrgID, db.NullStr(in.Code), in.Name, in.Gender, in.Rank, in.Position, in.Phone,
			in.Status, in.StatusSince, orgPath, now.Unix(), id); err != nil {
			if db.IsUnique(err) {
				return &errs.Error{Code: errs.CodeConflict, Message: "人员编号已被使用", Fields: map[string]string{"code": "已被使用"}}
			}
			return err
		}
		if in.Name != before.Name || in.OrgID != before.OrgID {
			if err := indexPerson(ctx, q, id, in.Name, orgPath); err != nil {
				return err
			}
		}
		if out, err = GetPerson(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		bs, as := before.snapshot(), out.snapshot()
		bs["org_id"], as["org_id"] = before.OrgName, out.OrgName
		bs["rank"], as["rank"] = before.RankName(), out.RankName()
		bs["status"], as["status"] = before.StatusName(), out.StatusName()
		if d := history.Diff(personLabels, bs, as); d != "" {
			if err := history.Record(ctx, q, now, "person", id, "update", d); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "person.update", ObjectType: "person", ObjectID: id, OrgID: out.OrgID, Success: true,
			Before: before.snapshot(), After: out.snapshot()})
	})
	return out, err
}

// DeletePerson removes a person entered by mistake; people who have a user account or module records are kept
// (set their status to 调离 instead).
func (s *Service) DeletePerson(ctx context.Context, sc auth.Scope, id int64) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		p, err := GetPerson(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if sc.Kind == auth.ScopeSelf {
			return errs.Forbidden("“仅本人”数据范围不能删除人员")
		}
		if n, err := auth.CountUsersOfPerson(ctx, q, id); err != nil {
			return err
		} else if n > 0 {
			return errs.Conflict("该人员绑定了系统用户，不能删除；可将状态改为调离或退休")
		}
		if _, err := q.Exec(ctx, "DELETE FROM people WHERE id = ?", id); err != nil {
			if db.IsForeignKey(err) {
				return errs.Conflict("该人员仍被其他业务数据引用（办公用房、车辆、资产等），不能删除；可将状态改为调离或退休")
			}
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "person.delete", ObjectType: "person", ObjectID: id, OrgID: p.OrgID, Success: true, Before: p.snapshot()})
	})
}

// PersonRank is what other modules ask of the spine: a person's rank and the administrative level of their unit
// (the office-space standard is looked up by both), with status for vacating rules.
type PersonRank struct {
	ID          int64
	OrgID       int64
	Name        string
	Rank        string
	AdminLevel  string
	Status      string
	StatusSince string
}

// PeopleRanks returns the rank facts of the given people (no scope: modules check scope on their own objects).
func PeopleRanks(ctx context.Context, q db.Q, ids []int64) (map[int64]PersonRank, error) {
	out := map[int64]PersonRank{}
	for start := 0; start < len(ids); start += 500 {
		end := min(start+500, len(ids))
		chunk := ids[start:end]
		rows, err := db.Select(ctx, q, func(s db.Scanner) (PersonRank, error) {
			var p PersonRank
			return p, s.Scan(&p.ID, &p.OrgID, &p.Name, &p.Rank, &p.AdminLevel, &p.Status, &p.StatusSince)
		}, "SELECT p.id, p.org_id, p.name, p.rank, o.admin_level, p.status, p.status_since FROM people p JOIN orgs o ON o.id = p.org_id WHERE p.id IN ("+db.In(len(chunk))+")", db.Args(chunk)...)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = r
		}
	}
	return out, nil
}
