package services

import (
	"context"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

const todoLimit = 100

// todos is the services work waiting for u: the desk assigns new reports; an assignee starts and resolves the
// orders given to them; a reporter confirms and rates a resolved repair.
func (s *Service) todos(ctx context.Context, u *auth.User) ([]module.Todo, error) {
	sc := auth.ScopeFrom(ctx)
	page := web.List{Page: 1, PageSize: todoLimit}
	var out []module.Todo
	add := func(f OrderFilter, kind, label string) error {
		f.List = page
		orders, _, err := s.ListOrders(ctx, s.DB, sc, f)
		if err != nil {
			return err
		}
		for _, o := range orders {
			out = append(out, module.Todo{Kind: kind, Label: label, Title: o.OrgName + "：" + o.CategoryName() + " " + o.RoomLabel + " " + o.Description,
				Link: "/services/work-orders/" + itoa(o.ID), Due: clock.Today(o.ResolveDueAt), Overdue: o.Overdue})
		}
		return nil
	}
	if u.Can(PermDesk) {
		if err := add(OrderFilter{Status: OrderSubmitted}, "services.order.assign", "services.todo.assign|待派单报修"); err != nil {
			return nil, err
		}
	}
	if u.PersonID != 0 && u.Can(PermRequest) {
		for _, st := range []string{OrderAssigned, OrderInProgress} {
			if err := add(OrderFilter{Status: st, AssignedMe: true}, "services.order.work", "services.todo.work|待处理报修"); err != nil {
				return nil, err
			}
		}
		if err := add(OrderFilter{Status: OrderResolved, Mine: true}, "services.order.close", "services.todo.close|待确认评价报修"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// mine lists the signed-in user's open repairs and coming bookings (the "我的" part of the home page).
func (s *Service) mine(ctx context.Context, u *auth.User) ([]module.Mine, error) {
	if u.PersonID == 0 || !u.Can(PermRead) {
		return nil, nil
	}
	sc := auth.Scope{Kind: auth.ScopeSelf, PersonID: u.PersonID, OrgID: auth.ScopeFrom(ctx).OrgID}
	var out []module.Mine
	orders, _, err := s.ListOrders(ctx, s.DB, sc, OrderFilter{List: web.List{Page: 1, PageSize: 5}, Mine: true})
	if err != nil {
		return nil, err
	}
	for _, o := range orders {
		if o.Status == OrderClosed {
			continue
		}
		out = append(out, module.Mine{Label: "services.mine.order|我的报修", Title: o.CategoryName() + " " + o.RoomLabel, Detail: o.StatusName(),
			Link: "/services/work-orders/" + itoa(o.ID)})
	}
	bookings, _, err := ListBookings(ctx, s.DB, sc, BookingFilter{List: web.List{Page: 1, PageSize: 5}, Mine: true, Active: true, From: s.Clock.Now(),
		To: s.Clock.Now().Add(14 * 24 * time.Hour)})
	if err != nil {
		return nil, err
	}
	for _, b := range bookings {
		out = append(out, module.Mine{Label: "services.mine.booking|我的会议室预订", Title: b.Window() + " " + b.RoomLabel, Detail: b.Title,
			Link: "/services/bookings/" + itoa(b.ID)})
	}
	return out, nil
}
