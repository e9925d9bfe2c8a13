package quota

import (
	"context"
	"fmt"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

// todos is the quota work waiting for a unit's user (energy:enter without the bureau's energy:quota): units of their
// scope over quota this year or last with no explanation yet, and explanations returned to them.
func (s *Service) todos(ctx context.Context, u *auth.User) ([]module.Todo, error) {
	if !u.Can("energy:enter") || u.Can(PermQuota) {
		return nil, nil
	}
	sc := auth.ScopeFrom(ctx)
	page := web.List{Page: 1, PageSize: 100}
	cur := energy.PeriodOf(s.Clock.Now().Unix()).Year
	var out []module.Todo
	for _, y := range []int{cur - 1, cur} {
		ws, _, err := ListWarnings(ctx, s.DB, sc, WarningFilter{Year: y, Status: StatusOver, List: page})
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			if w.Explanation != "" {
				continue
			}
			out = append(out, module.Todo{Kind: "energy.quota.explain", Label: "quota.todo.explain|待提交超定额说明",
				Title: fmt.Sprintf("%s：%d 年%s", w.OrgName, y, w.Reasons), Link: fmt.Sprintf("/energy/quota-explanations/new?org_id=%d&year=%d", w.OrgID, y)})
		}
	}
	xs, _, err := ListExplanations(ctx, s.DB, sc, 0, "returned", page)
	if err != nil {
		return nil, err
	}
	for _, x := range xs {
		out = append(out, module.Todo{Kind: "energy.quota.resubmit", Label: "quota.todo.returned|被退回的超定额说明",
			Title: fmt.Sprintf("%s：%d 年", x.OrgName, x.Year), Link: fmt.Sprintf("/energy/quota-explanations/%d", x.ID)})
	}
	return out, nil
}
