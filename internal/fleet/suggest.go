package fleet

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/db"
)

// Suggestion is a free vehicle that fits a trip, in the order the dispatcher should consider it.
type Suggestion struct {
	VehicleID int64  `json:"vehicle_id"`
	Plate     string `json:"plate"`
	OrgName   string `json:"org_name"`
	Category  string `json:"category"`
	Seats     int    `json:"seats"`
	FuelType  string `json:"fuel_type"`
	NewEnergy bool   `json:"new_energy"`
	Label     string `json:"label" doc:"车牌、品牌型号"`
}

// FreeDriver is a driver without a trip at the time asked for.
type FreeDriver struct {
	DriverID     int64  `json:"driver_id"`
	Name         string `json:"name"`
	OrgName      string `json:"org_name"`
	LicenseClass string `json:"license_class"`
}

// pool is the condition that a unit in col serves a trip of the unit with path: the unit itself and its ancestors
// (the fleet centre of the bureau above it).
func pool(path, col string) (string, []any) {
	var ids []any
	for _, p := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return "1 = 0", nil
	}
	return col + " IN (" + db.In(len(ids)) + ")", ids
}

// days is the working calendar's holiday table (the embedded one when the kit is not wired, as in unit tests).
func (s *Service) days() *calendar.Days {
	if s.Calendar != nil && s.Calendar.Days != nil {
		return s.Calendar.Days
	}
	return calendar.MustEmbedded()
}

// holidayIn names the first day of a statutory holiday (法定节假日放假) the time from start to end touches, and its
// date; "" when it touches none. Vehicles sealed for the holidays (节假日封存) are not dispatched for such a trip
// unless the request was approved as an emergency.
func holidayIn(days *calendar.Days, start, end time.Time) (name, date string) {
	for d := calendar.Midnight(start); d.Before(end); d = d.AddDate(0, 0, 1) {
		if info := days.DayInfo(d); info.Holiday {
			return info.Name, info.Date
		}
	}
	return "", ""
}

// Suggest is Suggest for a trip, leaving out vehicles sealed for a holiday the trip touches unless it is an
// emergency.
func (s *Service) Suggest(ctx context.Context, q db.Q, sc auth.Scope, t Trip, limit int) ([]Suggestion, []FreeDriver, error) {
	name, _ := holidayIn(s.days(), t.StartAt, t.EndAt)
	return Suggest(ctx, q, sc, t, limit, name != "" && !t.Emergency)
}

// emergencyNote is the line an emergency request adds to its summary.
func emergencyNote(t Trip) string {
	if !t.Emergency {
		return ""
	}
	return "；紧急用车：" + t.EmergencyReason
}

// Suggest ranks the vehicles in the caller's scope that could serve trip t: those of its unit and of the units above
// it, in use, with seats for the passengers and the driver, and free for the trip's time (rules.go Rank); without
// the vehicles sealed for the holidays when sealed is set.
func Suggest(ctx context.Context, q db.Q, sc auth.Scope, t Trip, limit int, sealed bool) ([]Suggestion, []FreeDriver, error) {
	var path string
	if err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", t.OrgID).Scan(&path); err != nil {
		return nil, nil, err
	}
	pc, pargs := pool(path, "v.org_id")
	cond, args := sc.OrgCond("v.org_id")
	if sealed {
		cond += " AND v.holiday_seal = 0"
	}
	type cand struct {
		c     Candidate
		org   string
		label string
	}
	rows, err := db.Select(ctx, q, func(s db.Scanner) (cand, error) {
		var x cand
		var busy int
		var brand, model string
		err := s.Scan(&x.c.VehicleID, &x.c.Plate, &x.c.Category, &x.c.Seats, &x.c.Fuel, &x.org, &busy, &brand, &model, &x.c.SameUnit)
		x.c.Busy = busy > 0
		x.label = x.c.Plate
		if brand+model != "" {
			x.label += "（" + brand + model + "）"
		}
		return x, err
	}, `SELECT v.id, v.plate, v.category, v.seats, v.fuel_type, o.name,
		(SELECT COUNT(*) FROM fleet_trips t WHERE t.vehicle_id = v.id AND t.status IN ('dispatched', 'in_progress') AND t.start_at < ? AND t.end_at > ? AND t.id <> ?),
		v.brand, v.model, v.org_id = ?
		FROM fleet_vehicles v JOIN orgs o ON o.id = v.org_id WHERE v.status = 'in_use' AND `+pc+" AND "+cond+" ORDER BY v.id",
		append(append([]any{t.EndAt.Unix(), t.StartAt.Unix(), t.ID, t.OrgID}, pargs...), args...)...)
	if err != nil {
		return nil, nil, err
	}
	byID := map[int64]cand{}
	cs := make([]Candidate, 0, len(rows))
	for _, r := range rows {
		byID[r.c.VehicleID] = r
		cs = append(cs, r.c)
	}
	var out []Suggestion
	for _, c := range Rank(cs, t.Passengers, "") {
		if len(out) >= limit {
			break
		}
		r := byID[c.VehicleID]
		out = append(out, Suggestion{VehicleID: c.VehicleID, Plate: c.Plate, OrgName: r.org, Category: c.Category, Seats: c.Seats, FuelType: c.Fuel,
			NewEnergy: NewEnergy(c.Fuel), Label: r.label})
	}
	dc, dargs := pool(path, "d.org_id")
	scond, sargs := sc.OrgCond("d.org_id")
	drivers, err := db.Select(ctx, q, func(s db.Scanner) (FreeDriver, error) {
		var d FreeDriver
		return d, s.Scan(&d.DriverID, &d.Name, &d.OrgName, &d.LicenseClass)
	}, `SELECT d.id, p.name, o.name, d.license_class FROM fleet_drivers d JOIN people p ON p.id = d.person_id JOIN orgs o ON o.id = d.org_id
		WHERE d.status = 'active' AND (d.license_expiry = '' OR d.license_expiry >= ?) AND `+dc+" AND "+scond+`
		AND NOT EXISTS (SELECT 1 FROM fleet_trips t WHERE t.driver_id = d.id AND t.status IN ('dispatched', 'in_progress') AND t.start_at < ? AND t.end_at > ? AND t.id <> ?)
		ORDER BY d.org_id = ? DESC, p.name, d.id LIMIT ?`,
		append(append(append([]any{dateOf(t.EndAt)}, dargs...), sargs...), t.EndAt.Unix(), t.StartAt.Unix(), t.ID, t.OrgID, limit)...)
	return out, drivers, err
}
