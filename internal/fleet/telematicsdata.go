package fleet

import (
	"context"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// The fleet module as the telematics module's data source (docs/api.md §Vehicle telemetry): a vehicle in the
// caller's scope, the vehicles of the scope, the vehicle a terminal registers for (matched by its phone regardless
// of leading zeros, or by the plate) and the dispatched trips that cover a time window. Read only.

const telematicsCols = `v.id, v.org_id, v.plate, v.terminal_phone, v.status, v.holiday_seal, v.parking_spot, v.parking_radius_m FROM fleet_vehicles v`

func scanTelematicsVehicle(r db.Scanner) (org.Vehicle, error) {
	var v org.Vehicle
	var seal int
	err := r.Scan(&v.ID, &v.OrgID, &v.Plate, &v.TerminalPhone, &v.Status, &seal, &v.ParkingSpot, &v.ParkingRadiusM)
	v.HolidaySeal = seal == 1
	return v, err
}

// TelematicsVehicle returns a vehicle in the caller's scope (not_found outside it).
func (s *Service) TelematicsVehicle(ctx context.Context, q db.Q, sc auth.Scope, id int64) (org.Vehicle, error) {
	cond, args := sc.OrgCond("v.org_id")
	v, err := scanTelematicsVehicle(q.QueryRow(ctx, "SELECT "+telematicsCols+" WHERE v.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return v, errs.NotFound("车辆")
	}
	return v, err
}

// TelematicsVehicles lists the vehicles in the caller's scope that are not disposed of.
func (s *Service) TelematicsVehicles(ctx context.Context, q db.Q, sc auth.Scope) ([]org.Vehicle, error) {
	cond, args := sc.OrgCond("v.org_id")
	return db.Select(ctx, q, scanTelematicsVehicle, "SELECT "+telematicsCols+" WHERE v.status <> 'disposed' AND "+cond+" ORDER BY v.plate", args...)
}

// TerminalVehicle finds the vehicle, not disposed of, whose terminal phone is phone once leading zeros are removed
// on both sides (BCD[6] and BCD[10] numbers carry them), or else whose plate is plate; not_found when none. A device
// has no user: the lookup is not scoped.
func (s *Service) TerminalVehicle(ctx context.Context, q db.Q, phone, plate string) (org.Vehicle, error) {
	if phone != "" {
		v, err := scanTelematicsVehicle(q.QueryRow(ctx, "SELECT "+telematicsCols+
			" WHERE v.terminal_phone <> '' AND LTRIM(v.terminal_phone, '0') = LTRIM(?, '0') AND v.status <> 'disposed' ORDER BY v.id LIMIT 1", phone))
		if err == nil || !db.IsNoRows(err) {
			return v, err
		}
	}
	if plate != "" {
		v, err := scanTelematicsVehicle(q.QueryRow(ctx, "SELECT "+telematicsCols+" WHERE v.plate = ? AND v.status <> 'disposed'", plate))
		if err == nil || !db.IsNoRows(err) {
			return v, err
		}
	}
	return org.Vehicle{}, errs.NotFound("车辆")
}

// DispatchedTrips lists the dispatched, running or completed trips of a vehicle whose window overlaps [from, to]
// (Unix seconds), in time order.
func (s *Service) DispatchedTrips(ctx context.Context, q db.Q, vehicleID, from, to int64) ([]org.VehicleOrder, error) {
	return db.Select(ctx, q, func(r db.Scanner) (org.VehicleOrder, error) {
		var o org.VehicleOrder
		var started, completed int64
		err := r.Scan(&o.ID, &o.From, &o.To, &o.Status, &started, &completed)
		if started > 0 && started < o.From {
			o.From = started
		}
		if completed > o.To {
			o.To = completed
		}
		return o, err
	}, `SELECT id, start_at, end_at, status, started_at, completed_at FROM fleet_trips
		WHERE vehicle_id = ? AND status IN ('dispatched', 'in_progress', 'completed')
		AND (CASE WHEN started_at > 0 AND started_at < start_at THEN started_at ELSE start_at END) <= ?
		AND (CASE WHEN completed_at > end_at THEN completed_at ELSE end_at END) >= ?
		ORDER BY start_at, id`, vehicleID, to, from)
}
