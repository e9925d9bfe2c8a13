package fleet

import (
	"context"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

const todoLimit = 100

// todos is the fleet work waiting for u: the fleet centre (fleet:dispatch) dispatches approved requests and
// completes trips under way. Approvals wait in the workflow kit's inbox, which the to-do list gathers already.
func (s *Service) todos(ctx context.Context, u *auth.User) ([]module.Todo, error) {
	if !u.Can(PermDispatch) {
		return nil, nil
	}
	sc := auth.ScopeFrom(ctx)
	page := web.List{Page: 1, PageSize: todoLimit}
	var out []module.Todo
	for _, k := range []struct{ status, kind, label string }{
		{TripApproved, "fleet.trip.dispatch", "fleet.todo.dispatch|待派车"},
		{TripInProgress, "fleet.trip.complete", "fleet.todo.complete|待收车"},
	} {
		trips, _, err := ListTrips(ctx, s.DB, sc, TripFilter{List: page, Status: k.status})
		if err != nil {
			return nil, err
		}
		now := s.Clock.Now()
		for _, t := range trips {
			late := (k.status == TripApproved && t.StartAt.Before(now)) || (k.status == TripInProgress && t.EndAt.Before(now))
			out = append(out, module.Todo{Kind: k.kind, Label: k.label, Title: t.OrgName + "：" + t.RequesterName + " " + t.Destination + "（" + t.Window() + "）",
				Link: "/fleet/trips/" + itoa(t.ID), Due: dateOf(t.StartAt), Overdue: late})
		}
	}
	return out, nil
}

// mine lists the signed-in user's coming and current trips (the "我的" part of the home page).
func (s *Service) mine(ctx context.Context, u *auth.User) ([]module.Mine, error) {
	if u.PersonID == 0 || !u.Can(PermRequest) {
		return nil, nil
	}
	sc := auth.Scope{Kind: auth.ScopeSelf, PersonID: u.PersonID, OrgID: auth.ScopeFrom(ctx).OrgID}
	trips, _, err := ListTrips(ctx, s.DB, sc, TripFilter{List: web.List{Page: 1, PageSize: 5}, From: s.Clock.Now()})
	if err != nil {
		return nil, err
	}
	var out []module.Mine
	for _, t := range trips {
		if t.Status == TripRejected || t.Status == TripCancelled || t.Status == TripCompleted {
			continue
		}
		detail := t.StatusName()
		if t.Plate != "" {
			detail += "：" + t.Plate + "，驾驶员 " + t.DriverName
		}
		out = append(out, module.Mine{Label: "fleet.mine.trip|我的用车", Title: t.Window() + " " + t.Destination, Detail: detail, Link: "/fleet/trips/" + itoa(t.ID)})
	}
	return out, nil
}
