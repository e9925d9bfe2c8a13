package space

import (
	"context"
	"net/http"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// People and their offices: who holds which office (一人一处 at a glance) and who is still waiting for one.

// PersonOffices is a serving person with the offices they hold.
type PersonOffices struct {
	PersonID int64   `json:"person_id"`
	Name     string  `json:"name"`
	OrgID    int64   `json:"org_id"`
	OrgName  string  `json:"org_name"`
	Rank     string  `json:"rank"`
	Position string  `json:"position"`
	Offices  int64   `json:"offices"`
	Rooms    string  `json:"rooms" doc:"所占房间（楼栋 房间号）"`
	StdM2    float64 `json:"standard_m2"`
	HasStd   bool    `json:"has_standard"`
}

// RankName is the Chinese rank.
func (p PersonOffices) RankName() string { return rankName(p.Rank) }

// PeopleFilter narrows the people list.
type PeopleFilter struct {
	List       web.List
	OrgID      int64
	Subtree    bool
	Unassigned bool // serving people without an office
}

// ListPeopleOffices lists serving people in scope with their offices.
func (s *Service) ListPeopleOffices(ctx context.Context, sc auth.Scope, f PeopleFilter) ([]PersonOffices, int64, error) {
	q := s.DB
	cond, args := sc.PathCond("p.org_id", "p.org_path")
	w := " WHERE p.status = 'active' AND " + cond
	if f.OrgID != 0 {
		if err := checkOrg(ctx, q, sc, f.OrgID, "org_id"); err != nil {
			return nil, 0, err
		}
		c, a, err := unitCond(ctx, q, "p.org_id", f.OrgID, f.Subtree)
		if err != nil {
			return nil, 0, err
		}
		w, args = w+" AND "+c, append(args, a...)
	}
	const offices = "(SELECT COUNT(*) FROM space_occupants x JOIN space_rooms r ON r.id = x.room_id WHERE x.person_id = p.id AND r.use_type = 'office')"
	if f.Unassigned {
		w += " AND " + offices + " = 0"
	}
	if f.List.Q != "" {
		w, args = w+` AND p.name LIKE ? ESCAPE '\'`, append(args, db.LikePrefix(f.List.Q))
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM people p"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	type row struct {
		PersonOffices
		level, region string
	}
	rows, err := db.Select(ctx, q, func(x db.Scanner) (row, error) {
		var r row
		return r, x.Scan(&r.PersonID, &r.Name, &r.OrgID, &r.OrgName, &r.Rank, &r.Position, &r.Offices, &r.level, &r.region)
	}, "SELECT p.id, p.name, p.org_id, o.name, p.rank, p.position, "+offices+", "+unitLevelSQL+", COALESCE(o.region_code, '') FROM people p JOIN orgs o ON o.id = p.org_id"+w+
		" ORDER BY o.path, p.name, p.id LIMIT ? OFFSET ?", append(args, f.List.PageSize, f.List.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	st, err := LoadStandards(ctx, q, s.today())
	if err != nil {
		return nil, 0, err
	}
	out := make([]PersonOffices, len(rows))
	idx := map[int64]int{}
	var ids []int64
	for i, r := range rows {
		out[i] = r.PersonOffices
		out[i].StdM2, out[i].HasStd = st.Area(r.level, r.Rank, r.region)
		idx[r.PersonID] = i
		ids = append(ids, r.PersonID)
	}
	err = chunked(ids, func(c []int64) error {
		rr, err := q.Query(ctx, "SELECT x.person_id, b.name, r.number FROM space_occupants x JOIN space_rooms r ON r.id = x.room_id JOIN buildings b ON b.id = r.building_id WHERE x.person_id IN ("+
			db.In(len(c))+") ORDER BY x.person_id, x.since", db.Args(c)...)
		if err != nil {
			return err
		}
		defer rr.Close()
		for rr.Next() {
			var pid int64
			var bname, num string
			if err := rr.Scan(&pid, &bname, &num); err != nil {
				return err
			}
			p := &out[idx[pid]]
			if p.Rooms != "" {
				p.Rooms += "、"
			}
			p.Rooms += bname + " " + num
		}
		return rr.Err()
	})
	return out, total, err
}

type peoplePage struct {
	web.Globals
	F       PeopleFilter
	OrgName string
	Items   []PersonOffices
	Pager   web.Pager
}

func (s *Service) pagesPeople() {
	u := s.UI
	u.Page("GET /space/people", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		f := PeopleFilter{List: l, Subtree: true}
		if f.OrgID, err = web.QueryInt(r, "org_id"); err != nil {
			return err
		}
		if f.Unassigned, err = queryBool(r, "unassigned"); err != nil {
			return err
		}
		if web.WantsExport(r) {
			f.List.Page, f.List.PageSize = 1, 200000
		}
		items, total, err := s.ListPeopleOffices(r.Context(), auth.ScopeFrom(r.Context()), f)
		if err != nil {
			return err
		}
		if web.WantsExport(r) {
			var out [][]any
			for _, p := range items {
				out = append(out, []any{p.OrgName, p.Name, p.Position, p.RankName(), p.StdM2, p.Offices, p.Rooms})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "人员与办公室", []string{"单位", "姓名", "职务", "职级", "标准（㎡）", "办公室数", "所占房间"}, out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0)})
		}
		return u.Render(w, r, http.StatusOK, "space/people.html", &peoplePage{Globals: s.g(r, "space.people.title|人员与办公室",
			web.Crumb{Label: "space.rooms|房间台账", Path: "/space/rooms"}, web.Crumb{Label: "space.people.title|人员与办公室"}),
			F: f, OrgName: orgLabel(r, s, f.OrgID), Items: items, Pager: web.NewPager(f.List, total)})
	})
	u.API("GET /api/v1/space/people", PermRead, web.Doc{Summary: "在职人员及其办公室（unassigned=true：尚未安排办公室的人员）", Response: PersonOffices{}, List: true,
		Query: []web.Param{{Name: "org_id", Type: "integer", Help: "单位（含下级）"}, {Name: "unassigned", Type: "boolean"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			f := PeopleFilter{List: l, Subtree: true}
			if f.OrgID, err = web.QueryInt(r, "org_id"); err != nil {
				return err
			}
			if f.Unassigned, err = queryBool(r, "unassigned"); err != nil {
				return err
			}
			items, total, err := s.ListPeopleOffices(r.Context(), auth.ScopeFrom(r.Context()), f)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, total))
		})
}
