package fleet

import (
	"context"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/notify"
)

// The reminder job: insurance, annual inspection and maintenance falling due within remindDays (or overdue) are
// told once per vehicle, kind and due date to the unit's administrators and the fleet managers above it.

const remindDays = 30

var dueKinds = []struct{ kind, col, name string }{
	{"insurance", "insurance_due", "保险"}, {"inspection", "inspection_due", "年检"}, {"maintenance", "maintenance_due", "保养"},
}

// Remind sends the reminders due now and returns how many it sent.
func (s *Service) Remind(ctx context.Context) (int, error) {
	now := s.Clock.Now()
	today := clock.Today(now)
	horizon := clock.Today(now.AddDate(0, 0, remindDays))
	n := 0
	err := s.DB.Tx(ctx, func(q db.Q) error {
		for _, k := range dueKinds {
			type due struct {
				id, org   int64
				plate, on string
				orgName   string
			}
			rows, err := db.Select(ctx, q, func(sc db.Scanner) (due, error) {
				var d due
				return d, sc.Scan(&d.id, &d.org, &d.plate, &d.on, &d.orgName)
			}, `SELECT v.id, v.org_id, v.plate, v.`+k.col+`, o.name FROM fleet_vehicles v JOIN orgs o ON o.id = v.org_id
				WHERE v.status = 'in_use' AND v.`+k.col+` <> '' AND v.`+k.col+` <= ?
				AND NOT EXISTS (SELECT 1 FROM fleet_reminders r WHERE r.vehicle_id = v.id AND r.kind = ? AND r.due_on = v.`+k.col+`) ORDER BY v.id`, horizon, k.kind)
			if err != nil {
				return err
			}
			for _, d := range rows {
				if _, err := q.Exec(ctx, "INSERT INTO fleet_reminders (vehicle_id, kind, due_on, sent_at) VALUES (?, ?, ?, ?)", d.id, k.kind, d.on, now.Unix()); err != nil {
					return err
				}
				title := d.plate + " " + k.name + "将于 " + d.on + " 到期"
				if d.on < today {
					title = d.plate + " " + k.name + "已于 " + d.on + " 到期"
				}
				to, err := s.unitPeople(ctx, q, d.org)
				if err != nil {
					return err
				}
				if err := s.Notify.Notify(ctx, q, notify.Notification{Recipients: to, Event: eventReminder, Title: title,
					Body: d.orgName + "：请及时办理车辆" + k.name + "。", Link: "/fleet/vehicles/" + strconv.FormatInt(d.id, 10)}); err != nil {
					return err
				}
				if err := audit.Record(ctx, q, now, audit.Entry{Action: "fleet.reminder", ObjectType: objVehicle, ObjectID: d.id, OrgID: d.org, Success: true,
					Extra: map[string]any{"kind": k.kind, "due_on": d.on}}); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}

// unitPeople are who hears of a vehicle of unit orgID: the nearest unit administrators (the unit or its nearest
// ancestor that has one) and the fleet managers of the unit and its ancestors.
func (s *Service) unitPeople(ctx context.Context, q db.Q, orgID int64) ([]int64, error) {
	var path string
	if err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", orgID).Scan(&path); err != nil {
		return nil, err
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var out []int64
	admins := false
	for i := len(parts) - 1; i >= 0; i-- {
		unit, err := strconv.ParseInt(parts[i], 10, 64)
		if err != nil {
			continue
		}
		for _, role := range []string{"unit_admin", "fleet_manager"} {
			if role == "unit_admin" && admins {
				continue
			}
			ids, err := db.Int64s(ctx, q, `SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id
				WHERE ur.role_code = ? AND u.status = 'active' AND u.scope_org_id = ? ORDER BY u.id`, role, unit)
			if err != nil {
				return nil, err
			}
			if role == "unit_admin" && len(ids) > 0 {
				admins = true
			}
			out = append(out, ids...)
		}
	}
	return out, nil
}

func (s *Service) reminderJob(ctx context.Context) (string, error) {
	n, err := s.Remind(ctx)
	if err != nil {
		return "", err
	}
	return "发送到期提醒 " + strconv.Itoa(n) + " 条", nil
}
