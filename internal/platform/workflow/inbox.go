package workflow

import (
	"context"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

// The inbox tabs.
const (
	BoxPending = "pending" // 待我审批: waiting for my decision, directly or as a delegate
	BoxMine    = "mine"    // 我发起的: runs I requested
	BoxHandled = "handled" // 我已处理: runs where I approved, rejected or returned a step
)

// InboxFilter selects a tab of the inbox and narrows it.
type InboxFilter struct {
	Box    string
	Type   string
	Status string
	List   web.List
}

func (s *Service) boxCond(u *auth.User, box string) (string, []any, error) {
	switch box {
	case BoxPending, "":
		c, a := s.waitingCond(u.ID)
		return c, a, nil
	case BoxMine:
		return "i.requester_id = ?", []any{u.ID}, nil
	case BoxHandled:
		return "i.id IN (SELECT t.instance_id FROM wf_tasks t WHERE t.decided_by = ?)", []any{u.ID}, nil
	}
	return "", nil, errs.Invalid("box", "应为 pending、mine 或 handled")
}

// Inbox lists one tab of u's inbox, newest first. The items carry no steps, tasks or history.
func (s *Service) Inbox(ctx context.Context, q db.Q, u *auth.User, f InboxFilter) ([]Instance, int64, error) {
	cond, args, err := s.boxCond(u, f.Box)
	if err != nil {
		return nil, 0, err
	}
	where := []string{cond}
	if f.Type != "" {
		where = append(where, "i.type_code = ?")
		args = append(args, f.Type)
	}
	if f.Status != "" {
		if _, ok := StatusNames[f.Status]; !ok {
			return nil, 0, errs.Invalid("status", "状态应为 pending、approved、rejected 或 withdrawn")
		}
		where = append(where, "i.status = ?")
		args = append(args, f.Status)
	}
	if f.List.Q != "" {
		where = append(where, "lower(i.title) LIKE ? ESCAPE '\\'")
		args = append(args, db.LikeContains(f.List.Q))
	}
	w := " WHERE " + strings.Join(where, " AND ")
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM wf_instances i"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	order := f.List.OrderBy(map[string]string{"created": "i.id", "updated": "i.updated_at", "title": "i.title"}, "i.id DESC")
	items, err := db.Select(ctx, q, s.scanInstance, "SELECT "+instCols+instFrom+w+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	for i := range items {
		items[i].Steps = nil
	}
	return items, total, err
}
