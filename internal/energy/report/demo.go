package report

import (
	"context"
	"fmt"
	"time"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/history"
)

// LoadDemo adds last year's reports on top of energy's demo: most units' 基层表 submitted and approved by their
// parent bureau; in 松岭县 the education bureau still a draft (the browser test submits it), one unit returned and
// one waiting for review; one municipal unit of 青山市 a draft; the first county of 青山市 has submitted its 综合表
// to the city. It does nothing when reports exist already.
func (s *Service) LoadDemo(ctx context.Context) error {
	if n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM energy_reports"); err != nil || n > 0 {
		return err
	}
	ctx = audit.WithActor(ctx, audit.Actor{Username: "demo"})
	y := s.defaultYear()
	def, err := LoadDefinition(ctx, s.DB, y)
	if err != nil {
		return err
	}
	type unit struct {
		ID, Parent    int64
		Name, Parent2 string
		Kind, Level   string
	}
	units, err := db.Select(ctx, s.DB, func(sc db.Scanner) (unit, error) {
		var u unit
		return u, sc.Scan(&u.ID, &u.Parent, &u.Name, &u.Parent2, &u.Kind, &u.Level)
	}, `SELECT o.id, o.parent_id, o.name, p.name, o.kind, o.admin_level FROM orgs o JOIN orgs p ON p.id = o.parent_id
		WHERE o.status = 'active' ORDER BY o.path`)
	if err != nil || len(units) == 0 {
		return err
	}
	status := map[int64]string{}
	for _, u := range units {
		status[u.ID] = StatusApproved
	}
	var songlingReturned, songlingSubmitted, cityDraft, firstCounty int64
	for _, u := range units {
		switch {
		case u.Name == "松岭县教育局":
			status[u.ID] = StatusDraft
		case u.Parent2 == "松岭县机关事务服务中心" && songlingReturned == 0:
			songlingReturned, status[u.ID] = u.ID, StatusReturned
		case u.Parent2 == "松岭县机关事务服务中心" && songlingSubmitted == 0:
			songlingSubmitted, status[u.ID] = u.ID, StatusSubmitted
		case u.Parent2 == "青山市机关事务管理局" && u.Kind != "bureau" && cityDraft == 0:
			cityDraft, status[u.ID] = u.ID, StatusDraft
		case u.Parent2 == "青山市机关事务管理局" && u.Kind == "bureau" && u.Level == "county" && firstCounty == 0:
			firstCounty = u.ID
		}
	}
	submitted := time.Date(y+1, 3, 10, 9, 30, 0, 0, energy.Shanghai)
	reviewed := time.Date(y+1, 3, 17, 15, 0, 0, 0, energy.Shanghai)
	insert := func(q db.Q, orgID int64, kind, st, reason string) error {
		sub, rev, subBy, revBy := int64(0), int64(0), "", ""
		if st != StatusDraft {
			sub, subBy = submitted.Unix(), "demo"
		}
		if st == StatusApproved || st == StatusReturned {
			rev, revBy = reviewed.Unix(), "demo"
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO energy_reports (org_id, year, kind, status, revision, submitted_at, submitted_by, reviewed_at,
			reviewed_by, reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			orgID, y, kind, st, def.Revision, sub, subBy, rev, revBy, reason, submitted.Unix(), max(sub, rev))
		if err != nil {
			return err
		}
		name := "基层表"
		if kind == KindSummary {
			name = "综合表"
		}
		if err := history.Record(ctx, q, submitted, "energy_report", id, ActSubmit, fmt.Sprintf("%d 年度%s：草稿 → 已上报", y, name)); err != nil {
			return err
		}
		if rev != 0 {
			line := fmt.Sprintf("%d 年度%s：已上报 → %s", y, name, StatusName(st))
			if reason != "" {
				line += "；原因：" + reason
			}
			return history.Record(ctx, q, reviewed, "energy_report", id, map[string]string{StatusApproved: ActApprove, StatusReturned: ActReturn}[st], line)
		}
		return nil
	}
	return s.DB.Tx(ctx, func(q db.Q) error {
		n := 0
		for _, u := range units {
			st := status[u.ID]
			if st == StatusDraft {
				continue
			}
			reason := ""
			if st == StatusReturned {
				reason = "天然气 7 月用量明显偏高，请核对燃气账单后重报"
			}
			if err := insert(q, u.ID, KindBasic, st, reason); err != nil {
				return err
			}
			n++
		}
		if firstCounty != 0 {
			if err := insert(q, firstCounty, KindSummary, StatusSubmitted, ""); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, s.Clock.Now(), audit.Entry{Action: "energy.report.demo", ObjectType: "energy_report", ObjectKey: fmt.Sprint(y),
			Success: true, Extra: map[string]any{"reports": n}})
	})
}
