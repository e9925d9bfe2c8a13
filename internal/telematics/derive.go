package telematics

import (
	"context"
	"fmt"
	"strings"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/settings"
)

// Trips and alarms are derived per vehicle-day (the Beijing date) from the stored positions, again whenever
// positions of that day arrive (late ones too: a blind-area back-fill), so they never depend on the order in which
// reports came. An alarm keeps its id while its start stays the same.

// LoadRules returns the rules setting, or DefaultRules when none was saved or it no longer makes sense.
func (s *Service) LoadRules(ctx context.Context, q db.Q) Rules {
	r := DefaultRules()
	if _, err := settings.Get(ctx, q, SettingsKey, &r); err != nil {
		return DefaultRules()
	}
	if _, err := s.schedule(r); err != nil || r.MovingKmh <= 0 || r.OverspeedKmh <= 0 || r.StopGapSec <= 0 || r.MaxJumpKmh <= 0 {
		return DefaultRules()
	}
	return r
}

// schedule is the official calendar (adjusted working days count, holidays do not) with the rules' working hours.
func (s *Service) schedule(r Rules) (*calendar.Schedule, error) {
	return calendar.NewSchedule(s.Calendar.Days, calendar.Hours{Periods: []calendar.Period{{Start: r.WorkStart, End: r.WorkEnd}}})
}

// derivePending derives up to limit vehicle-days waiting.
func (s *Service) derivePending(ctx context.Context, limit int) error {
	type vd struct{ v, d int64 }
	todo, err := db.Select(ctx, s.DB, func(r db.Scanner) (vd, error) {
		var x vd
		return x, r.Scan(&x.v, &x.d)
	}, "SELECT vehicle_id, day_at FROM telematics_dirty ORDER BY day_at, vehicle_id LIMIT ?", limit)
	if err != nil || len(todo) == 0 {
		return err
	}
	r := s.LoadRules(ctx, s.DB)
	sch, err := s.schedule(r)
	if err != nil {
		return err
	}
	for _, x := range todo {
		if err := s.deriveDay(ctx, x.v, x.d, r, sch); err != nil {
			return fmt.Errorf("vehicle %d day %d: %w", x.v, x.d, err)
		}
	}
	return nil
}

// deriveAll derives every vehicle-day waiting.
func (s *Service) deriveAll(ctx context.Context) error {
	for {
		var n int64
		if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM telematics_dirty").Scan(&n); err != nil || n == 0 {
			return err
		}
		if err := s.derivePending(ctx, 500); err != nil {
			return err
		}
	}
}

func (s *Service) deriveDay(ctx context.Context, vehicleID, day int64, r Rules, sch *calendar.Schedule) error {
	end := day + 86400
	return s.DB.Tx(ctx, func(q db.Q) error {
		v, err := s.Fleet.TelematicsVehicle(ctx, q, auth.Everything(), vehicleID)
		if err != nil {
			// A vehicle no longer in the ledger: nothing to derive.
			_, err = q.Exec(ctx, "DELETE FROM telematics_dirty WHERE vehicle_id = ? AND day_at = ?", vehicleID, day)
			return err
		}
		ps, err := points(ctx, q, vehicleID, day, end-1)
		if err != nil {
			return err
		}
		orders, err := s.Fleet.DispatchedTrips(ctx, q, vehicleID, day, end)
		if err != nil {
			return err
		}
		home, err := s.home(ctx, q, v)
		if err != nil {
			return err
		}
		now := s.Clock.Now().Unix()
		trips := DeriveTrips(ps, orders, r)
		if _, err := q.Exec(ctx, "DELETE FROM telematics_trips WHERE vehicle_id = ? AND day_at = ?", vehicleID, day); err != nil {
			return err
		}
		for _, t := range trips {
			var order any
			if t.OrderID > 0 {
				order = t.OrderID
			}
			if _, err := q.Exec(ctx, `INSERT INTO telematics_trips (vehicle_id, org_id, day_at, start_at, end_at, distance_km, max_speed_kmh, trip_request_id, points)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, vehicleID, v.OrgID, day, t.Start, t.End, t.DistanceKm, t.MaxSpeedKmh, order, t.Points); err != nil {
				return err
			}
		}
		alarms := DeriveAlarms(ps, AlarmInput{Orders: orders, Working: sch.WorkingTime, Home: home, RadiusM: v.ParkingRadiusM, Rules: r})
		keep := []any{vehicleID, day}
		for _, a := range alarms {
			var id int64
			if err := q.QueryRow(ctx, `INSERT INTO telematics_alarms (vehicle_id, org_id, day_at, kind, start_at, end_at, detail, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (vehicle_id, kind, start_at) DO UPDATE SET end_at = excluded.end_at, detail = excluded.detail,
				org_id = excluded.org_id RETURNING id`, vehicleID, v.OrgID, day, a.Kind, a.Start, a.End, a.Detail, now).Scan(&id); err != nil {
				return err
			}
			keep = append(keep, id)
		}
		del := "DELETE FROM telematics_alarms WHERE vehicle_id = ? AND day_at = ?"
		if len(keep) > 2 {
			del += " AND id NOT IN (" + strings.TrimSuffix(strings.Repeat("?,", len(keep)-2), ",") + ")"
		}
		if _, err := q.Exec(ctx, del, keep...); err != nil {
			return err
		}
		_, err = q.Exec(ctx, "DELETE FROM telematics_dirty WHERE vehicle_id = ? AND day_at = ?", vehicleID, day)
		return err
	})
}

// home is the vehicle's home parking spot: coordinates written in the ledger's parking spot, or else those kept
// with its terminal.
func (s *Service) home(ctx context.Context, q db.Q, v org.Vehicle) (*[2]float64, error) {
	if h, ok := ParseHome(v.ParkingSpot); ok {
		return &h, nil
	}
	var lat, lon *float64
	err := q.QueryRow(ctx, "SELECT home_lat, home_lon FROM telematics_terminals WHERE vehicle_id = ?", v.ID).Scan(&lat, &lon)
	if db.IsNoRows(err) || (err == nil && (lat == nil || lon == nil)) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &[2]float64{*lat, *lon}, nil
}

// points reads a vehicle's positions in [from, to] in time order.
func points(ctx context.Context, q db.Q, vehicleID, from, to int64) ([]Point, error) {
	return db.Select(ctx, q, func(r db.Scanner) (Point, error) {
		var p Point
		var a, st int64
		err := r.Scan(&p.T, &p.Lat, &p.Lon, &p.Speed, &a, &st)
		p.Alarm, p.Status = uint32(a), uint32(st)
		return p, err
	}, "SELECT t, lat, lon, speed_kmh, alarm_flags, status_flags FROM telematics_positions WHERE vehicle_id = ? AND t >= ? AND t <= ? ORDER BY t",
		vehicleID, from, to)
}
