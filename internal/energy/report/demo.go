package report

import (
	"context"
	"fmt"
	"math"
	"strings"
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
	// The report waiting in 松岭县 came in late when the demo's clock is past its deadline (the reviewer sees the
	// flag); signed-off reports carry a sign-off block.
	late := time.Date(y+1, 4, 8, 16, 20, 0, 0, energy.Shanghai)
	if rules, err := LoadRules(ctx, s.DB, y, ""); err == nil {
		late = Deadline(y, rules).Add(8*24*time.Hour - 7*time.Hour)
	}
	lateOK := s.Clock.Now().After(late)
	insert := func(q db.Q, orgID int64, kind, st, reason string) error {
		sub, rev, subBy, revBy := int64(0), int64(0), "", ""
		if st != StatusDraft {
			sub, subBy = submitted.Unix(), "demo"
		}
		if orgID == songlingSubmitted && kind == KindBasic && lateOK {
			sub = late.Unix()
		}
		if st != StatusDraft && kind == KindBasic {
			if _, err := q.Exec(ctx, `INSERT INTO energy_report_info (org_id, year, principal, stats_lead, preparer, phone, updated_at, updated_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, 'demo') ON CONFLICT (org_id, year) DO NOTHING`, orgID, y, "王建国", "李敏", "张伟",
				fmt.Sprintf("0311-8601%04d", orgID%10000), submitted.Unix()); err != nil {
				return err
			}
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
		if err := history.Record(ctx, q, time.Unix(sub, 0), "energy_report", id, ActSubmit, fmt.Sprintf("%d 年度%s：草稿 → 已上报", y, name)); err != nil {
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
		if err := s.demoSections(ctx, q, def, y); err != nil {
			return err
		}
		return audit.Record(ctx, q, s.Clock.Now(), audit.Entry{Action: "energy.report.demo", ObjectType: "energy_report", ObjectKey: fmt.Sprint(y),
			Success: true, Extra: map[string]any{"reports": n}})
	})
}

// demoSections fills the hand-filled tables for a few units: 采暖能耗 for the units with heat consumption (their
// heat, with a tenth of the electricity of the winter months for heating), 数据中心机房 for the province's bureau
// and each city's bureau (18 % of the electricity, PUE 1.6).
func (s *Service) demoSections(ctx context.Context, q db.Q, def Definition, y int) error {
	units, err := db.Select(ctx, q, func(sc db.Scanner) ([2]any, error) {
		var id int64
		var name string
		return [2]any{id, name}, sc.Scan(&id, &name)
	}, "SELECT o.id, o.name FROM orgs o WHERE o.status = 'active' ORDER BY o.path")
	if err != nil {
		return err
	}
	for _, u := range units {
		id, name := u[0].(int64), u[1].(string)
		us, err := energy.GetUsage(ctx, q, id, y)
		if err != nil {
			return err
		}
		byType := map[string]energy.Usage{}
		for _, x := range us {
			byType[x.EnergyType] = x
		}
		oy, err := energy.GetOrgYear(ctx, q, id, y)
		if err != nil {
			return err
		}
		vals := map[string]float64{}
		set := func(key string, v float64) {
			if _, ok := def.inputRow(key); ok {
				vals[key] = math.Floor(v*100) / 100 // never above the figure it is a part of
			}
		}
		if h, ok := byType["heat"]; ok && h.Total() > 0 && oy.FloorAreaM2 > 0 {
			set("heating_area_m2", math.Round(oy.FloorAreaM2*0.85))
			set("heating_days", 121)
			set("heating_heat", h.Total())
			if e, ok := byType["electricity"]; ok {
				set("heating_electricity", (e.M[0]+e.M[1]+e.M[10]+e.M[11])*0.1)
			}
		}
		if e, ok := byType["electricity"]; ok && e.Total() > 0 && (name == "示范省机关事务管理局" || strings.HasSuffix(name, "市机关事务管理局")) {
			dc := e.Total() * 0.18
			set("dc_area_m2", 120)
			set("dc_racks", 24)
			set("dc_ups_kva", 200)
			set("dc_electricity", dc)
			set("dc_it_electricity", dc/1.6)
		}
		if len(vals) > 0 {
			if err := saveValues(ctx, q, id, y, vals); err != nil {
				return err
			}
		}
	}
	return nil
}
