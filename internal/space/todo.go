package space

import (
	"context"
	"strconv"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

// todoLimit bounds each kind of to-do (the module's own lists page through the rest).
const todoLimit = 100

// todos is the office-space work waiting for u. The units (space:register without space:manage) report
// rectifications, vacate rooms and confirm stocktakes; the bureau (space:manage) verifies rectifications, approves
// repairs and carries out approved reallocations.
func (s *Service) todos(ctx context.Context, u *auth.User) ([]module.Todo, error) {
	sc := auth.ScopeFrom(ctx)
	manage, register := u.Can(PermManage), u.Can(PermRegister)
	if !manage && !register {
		return nil, nil
	}
	var out []module.Todo
	page := web.List{Page: 1, PageSize: todoLimit}
	status, kind, label := RectifyOpen, "space.rectify.report", "space.todo.report|待报送整改"
	if manage {
		status, kind, label = RectifySubmitted, "space.rectify.verify", "space.todo.verify|待核验整改"
	}
	tasks, _, err := s.ListRectifications(ctx, s.DB, sc, RectifyFilter{List: page, Status: status})
	if err != nil {
		return nil, err
	}
	for _, t := range tasks {
		title := t.OrgName + "：" + t.KindName
		if t.RoomNumber != "" {
			title += "（" + t.RoomNumber + "）"
		}
		td := module.Todo{Kind: kind, Label: label, Title: title, Link: path("/space/rectifications/", t.ID), Overdue: t.Overdue}
		if !manage {
			td.Due = t.Deadline
		}
		out = append(out, td)
	}
	if manage {
		repairs, _, err := ListRepairs(ctx, s.DB, sc, RepairFilter{List: page, Status: "requested"})
		if err != nil {
			return nil, err
		}
		for _, x := range repairs {
			out = append(out, module.Todo{Kind: "space.repair.approve", Label: "space.todo.repair|待审批维修",
				Title: x.OrgName + "：" + x.Title + "（" + x.BuildingName + "）", Link: path("/space/repairs/", x.ID)})
		}
		allocs, _, err := ListAllocations(ctx, s.DB, sc, page, "approved")
		if err != nil {
			return nil, err
		}
		for _, a := range allocs {
			out = append(out, module.Todo{Kind: "space.allocation.complete", Label: "space.todo.allocate|待办理调剂",
				Title: a.OrgName + "：" + a.Title, Link: path("/space/allocations/", a.ID)})
		}
		return out, nil
	}
	vacates, _, err := s.ListVacates(ctx, s.DB, sc, page, "pending")
	if err != nil {
		return nil, err
	}
	for _, v := range vacates {
		title := v.OrgName + "：" + v.Building + " " + v.RoomNumber
		if v.PersonName != "" {
			title += "（" + v.PersonName + "）"
		}
		out = append(out, module.Todo{Kind: "space.vacate", Label: "space.todo.vacate|待腾退", Title: title,
			Link: path("/space/rooms/", v.RoomID), Due: v.DueOn, Overdue: v.Overdue})
	}
	// Stocktakes still open whose units in the caller's scope have not confirmed their ledger.
	cond, args := sc.OrgCond("u.org_id")
	type open struct {
		id       int64
		name, on string
		unit     string
	}
	rows, err := db.Select(ctx, s.DB, func(sc db.Scanner) (open, error) {
		var o open
		return o, sc.Scan(&o.id, &o.name, &o.on, &o.unit)
	}, `SELECT st.id, st.name, st.due_on, o.name FROM space_stocktakes st JOIN space_stocktake_units u ON u.stocktake_id = st.id
		JOIN orgs o ON o.id = u.org_id WHERE st.status = 'open' AND u.confirmed_at = 0 AND `+cond+` ORDER BY st.due_on, o.path LIMIT `+strconv.Itoa(todoLimit), args...)
	if err != nil {
		return nil, err
	}
	today := s.today()
	for _, o := range rows {
		out = append(out, module.Todo{Kind: "space.stocktake.confirm", Label: "space.todo.stocktake|待确认清查台账",
			Title: o.unit + "：" + o.name, Link: path("/space/stocktakes/", o.id), Due: o.on, Overdue: o.on != "" && o.on < today})
	}
	return out, nil
}
