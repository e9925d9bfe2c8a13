package report

import (
	"context"
	"fmt"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/module"
)

// todos is the report work waiting for u (PermReport): last year's reports of the units the caller reviews that
// were submitted, and the caller's own unit's report when it was returned.
func (s *Service) todos(ctx context.Context, u *auth.User) ([]module.Todo, error) {
	if !u.Can(PermReport) {
		return nil, nil
	}
	sc := auth.ScopeFrom(ctx)
	y := s.defaultYear()
	var out []module.Todo
	parent, err := s.reviewerUnit(ctx, sc)
	if err != nil {
		return nil, err
	}
	if parent != 0 {
		rs, err := ListReports(ctx, s.DB, sc, Filter{Year: y, ParentID: parent, Status: StatusSubmitted})
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			out = append(out, module.Todo{Kind: "fleet.report.review", Label: "fleet.report.todo.review|待审核公务用车统计报表",
				Title: fmt.Sprintf("%s：%d 年度", r.OrgName, r.Year), Link: fmt.Sprintf("/fleet/reports/review?year=%d", r.Year)})
		}
	}
	if sc.OrgID != 0 && !sc.All() {
		r, err := GetReport(ctx, s.DB, sc, sc.OrgID, y)
		if err != nil {
			return nil, err
		}
		if r.Status == StatusReturned {
			out = append(out, module.Todo{Kind: "fleet.report.resubmit", Label: "fleet.report.todo.returned|被退回的公务用车统计报表",
				Title: fmt.Sprintf("%s：%d 年度（%s）", r.OrgName, r.Year, r.Reason), Link: fmt.Sprintf("/fleet/reports/%d/%d", r.OrgID, r.Year)})
		}
	}
	return out, nil
}
