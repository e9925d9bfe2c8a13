package report

import (
	"context"
	"fmt"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/module"
)

// reviewerUnit is the unit whose children's reports the caller reviews (the review page's rule): the scope unit of a
// subtree user, the top unit for a user who sees everything, none for a user of one unit.
func (s *Service) reviewerUnit(ctx context.Context, sc auth.Scope) (int64, error) {
	switch {
	case sc.All():
		ids, err := db.Int64s(ctx, s.DB, "SELECT id FROM orgs WHERE parent_id IS NULL AND status = 'active' ORDER BY path LIMIT 1")
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return ids[0], nil
	case sc.Kind == auth.ScopeSubtree:
		return sc.OrgID, nil
	}
	return 0, nil
}

// todos is the annual-report work waiting for u (energy:enter): the reports of last year that the caller's unit
// reviews and that were submitted, and the caller's own unit's report when it was returned.
func (s *Service) todos(ctx context.Context, u *auth.User) ([]module.Todo, error) {
	if !u.Can("energy:enter") {
		return nil, nil
	}
	sc := auth.ScopeFrom(ctx)
	y := s.defaultYear()
	var out []module.Todo
	if parent, err := s.reviewerUnit(ctx, sc); err != nil {
		return nil, err
	} else if parent != 0 {
		for _, kind := range []string{KindBasic, KindSummary} {
			rs, err := ListReports(ctx, s.DB, sc, Filter{Year: y, Kind: kind, ParentID: parent, Status: StatusSubmitted})
			if err != nil {
				return nil, err
			}
			for _, r := range rs {
				out = append(out, module.Todo{Kind: "energy.report.review", Label: "energy.report.todo.review|待审核统计报表",
					Title: fmt.Sprintf("%s：%d 年度%s", r.OrgName, r.Year, Kinds.Name(r.Kind)), Link: fmt.Sprintf("/energy/reports/review?year=%d", r.Year)})
			}
		}
	}
	if sc.OrgID != 0 {
		rs, err := ListReports(ctx, s.DB, sc, Filter{Year: y, OrgID: sc.OrgID, Status: StatusReturned})
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if r.OrgID != sc.OrgID {
				continue
			}
			out = append(out, module.Todo{Kind: "energy.report.resubmit", Label: "energy.report.todo.returned|被退回的统计报表",
				Title: fmt.Sprintf("%s：%d 年度%s（%s）", r.OrgName, r.Year, Kinds.Name(r.Kind), r.Reason), Link: fmt.Sprintf("/energy/reports/%d/%d", r.OrgID, r.Year)})
		}
	}
	return out, nil
}
