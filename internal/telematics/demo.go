package telematics

import (
	"context"
	"math"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/telematics/jt808"
)

// LoadDemo plants the demo's telemetry relative to the clock (nothing when positions exist): three vehicles with
// terminals registered and home spots, the drive of a dispatched trip of the fleet demo (a trip linked to its
// request), and yesterday evening's drive of another car with no order (off_hours on a working day, no_order,
// left_parking) that also goes too fast (overspeed) and raises an SOS (device_alarm).
func (s *Service) LoadDemo(ctx context.Context) error {
	var n int64
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM telematics_terminals").Scan(&n); err != nil || n > 0 {
		return err
	}
	vs, err := s.Fleet.TelematicsVehicles(ctx, s.DB, auth.Everything())
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	home := [2]float64{27.8134, 114.4167} // 示范省 (fictional): the bureau's car park
	var rows []Pos
	var used int
	for i, v := range vs {
		if v.TerminalPhone == "" || used >= 3 {
			continue
		}
		used++
		h := [2]float64{home[0] + float64(i)*0.002, home[1] + float64(i)*0.002}
		if _, err := s.DB.Exec(ctx, `INSERT INTO telematics_terminals (vehicle_id, org_id, phone, auth_code, maker, model, terminal_code, registered_at,
			home_lat, home_lon, updated_at) VALUES (?, ?, ?, '', 'DEMO', 'BD-808', ?, ?, ?, ?, ?)`, v.ID, v.OrgID, jt808.NormPhone(v.TerminalPhone),
			"T"+v.TerminalPhone[len(v.TerminalPhone)-4:], now.Unix(), h[0], h[1], now.Unix()); err != nil {
			return err
		}
		// Parked at home this morning.
		rows = append(rows, drive(v.ID, v.OrgID, h, h, now.Add(-3*time.Hour), 10*time.Minute, 0, 0)...)
		switch used {
		case 1: // the drive of a dispatched trip of the last two weeks
			orders, err := s.Fleet.DispatchedTrips(ctx, s.DB, v.ID, now.AddDate(0, 0, -14).Unix(), now.Unix())
			if err != nil {
				return err
			}
			for _, o := range orders {
				if o.To < now.Unix() && o.To-o.From >= 1800 {
					start := time.Unix(o.From+300, 0)
					far := [2]float64{h[0] + 0.09, h[1] + 0.06}
					rows = append(rows, drive(v.ID, v.OrgID, h, far, start, 25*time.Minute, 48, 0)...)
					rows = append(rows, drive(v.ID, v.OrgID, far, h, start.Add(35*time.Minute), 25*time.Minute, 48, 0)...)
					break
				}
			}
		case 2: // yesterday 21:10, no order, out of town and too fast, an SOS on the way
			y := now.In(clock.Shanghai).AddDate(0, 0, -1)
			start := time.Date(y.Year(), y.Month(), y.Day(), 21, 10, 0, 0, clock.Shanghai)
			far := [2]float64{h[0] + 0.25, h[1] - 0.2}
			rows = append(rows, drive(v.ID, v.OrgID, h, far, start, 20*time.Minute, 135, 1)...)
			rows = append(rows, drive(v.ID, v.OrgID, far, h, start.Add(40*time.Minute), 30*time.Minute, 80, 0)...)
		}
	}
	if err := s.Write(ctx, rows); err != nil {
		return err
	}
	return s.Sync(ctx)
}

// drive makes positions every 30 s from a to b over d at about kmh (0: parked), with the terminal alarm bits set
// in the middle third of the way.
func drive(vehicleID, orgID int64, a, b [2]float64, start time.Time, d time.Duration, kmh float64, alarm uint32) []Pos {
	n := int(d / (30 * time.Second))
	out := make([]Pos, 0, n+1)
	for i := 0; i <= n; i++ {
		f := float64(i) / float64(max(n, 1))
		l := jt808.Location{Status: jt808.StatusFix, Lat: a[0] + (b[0]-a[0])*f + 0.0008*math.Sin(f*9), Lon: a[1] + (b[1]-a[1])*f,
			Time: start.Add(time.Duration(i) * 30 * time.Second), Direction: 45}
		if kmh > 0 && i > 0 && i < n {
			l.Status |= jt808.StatusACC
			l.SpeedKmh = kmh * (0.85 + 0.15*math.Sin(float64(i)))
		}
		if alarm != 0 && i > n/3 && i < 2*n/3 {
			l.Alarm = alarm
		}
		out = append(out, Pos{VehicleID: vehicleID, OrgID: orgID, L: l})
	}
	return out
}
