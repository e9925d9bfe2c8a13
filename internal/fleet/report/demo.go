package report

import (
	"context"
	"encoding/json"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/history"
)

// LoadDemo adds last year's reports on top of the fleet's demo: the units with vehicles below the provincial bureau
// submitted theirs (signed off, on time) and their parent bureau approved them; this year's reports are drafts.
// Dates are relative to the clock (before today on any date). Nothing happens when reports exist already.
func (s *Service) LoadDemo(ctx context.Context) error {
	if n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM fleet_reports"); err != nil || n > 0 {
		return err
	}
	ctx = audit.WithActor(ctx, audit.Actor{Username: "demo"})
	y := s.defaultYear()
	ids, err := db.Int64s(ctx, s.DB, `SELECT DISTINCT o.id FROM orgs o JOIN fleet_vehicles v ON v.org_id = o.id
		WHERE o.parent_id IS NOT NULL AND o.status = 'active' ORDER BY o.id`)
	if err != nil || len(ids) == 0 {
		return err
	}
	now := s.Clock.Now()
	submitted := time.Date(y+1, 2, 20, 10, 0, 0, 0, clock.Shanghai)
	if latest := now.Add(-48 * time.Hour); submitted.After(latest) {
		submitted = latest
	}
	reviewed := submitted.Add(24 * time.Hour)
	if latest := now.Add(-time.Hour); reviewed.After(latest) {
		reviewed = latest
	}
	return s.DB.Tx(ctx, func(q db.Q) error {
		for _, id := range ids {
			r, err := GetReport(ctx, q, auth.Everything(), id, y)
			if err != nil {
				return err
			}
			info := Info{Principal: "王建国", Preparer: "李晓梅", Phone: "0990-6600" + string(rune('1'+id%9)) + "21"}
			fg, err := s.liveFigures(ctx, q, auth.Everything(), r, info)
			if err != nil {
				return err
			}
			info.Replaced = min(fg.Total.New, fg.Total.Disposed)
			fg.Replaced = info.Replaced
			fg.ComputedAt = submitted.Unix()
			snap, err := json.Marshal(fg)
			if err != nil {
				return err
			}
			if _, err := q.Exec(ctx, `INSERT INTO fleet_report_info (org_id, year, replaced, budget_fen, note, principal, preparer, phone, updated_at, updated_by)
				VALUES (?, ?, ?, 0, '', ?, ?, ?, ?, 'demo')`, id, y, info.Replaced, info.Principal, info.Preparer, info.Phone, submitted.Unix()); err != nil {
				return err
			}
			rid, err := db.InsertID(ctx, q, `INSERT INTO fleet_reports (org_id, year, status, submitted_at, submitted_by, reviewed_at, reviewed_by, figures,
				created_at, updated_at) VALUES (?, ?, 'approved', ?, 'demo', ?, 'demo', ?, ?, ?) RETURNING id`,
				id, y, submitted.Unix(), reviewed.Unix(), string(snap), submitted.Unix(), reviewed.Unix())
			if err != nil {
				return err
			}
			if err := history.Record(ctx, q, reviewed, objReport, rid, ActApprove, "演示数据：上年度报表已上报并审核通过"); err != nil {
				return err
			}
		}
		return nil
	})
}
