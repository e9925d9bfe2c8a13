package fleet

import (
	"context"

	"github.com/govops/govops/internal/fleet/report"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
)

// The fleet module as the reports' data source (report.Source, docs/domain/vehicles.md §Annual statistics): the
// ledger, quotas, completed trips, costs, drivers and findings of a unit's subtree, each query scoped in its SQL.

var _ report.Source = (*Service)(nil)

// under is the condition "the unit in column col lies under path and in the caller's scope".
func under(sc auth.Scope, path, col string) (string, []any) {
	cond, args := sc.OrgCond(col)
	return col + " IN (SELECT id FROM orgs WHERE path >= ? AND path < ?) AND " + cond, append([]any{path, db.PrefixUpper(path)}, args...)
}

// ReportVehicles lists the vehicles under path in scope, disposed ones included.
func (s *Service) ReportVehicles(ctx context.Context, q db.Q, sc auth.Scope, path string) ([]report.VehicleRow, error) {
	w, args := under(sc, path, "v.org_id")
	return db.Select(ctx, q, func(r db.Scanner) (report.VehicleRow, error) {
		var v report.VehicleRow
		var price int64
		var dom, leader int
		var updated int64
		err := r.Scan(&v.ID, &v.OrgID, &v.OrgName, &v.Plate, &v.Category, &v.FuelType, &v.BodyType, &v.DisplacementL, &price, &v.Brand, &v.Model,
			&v.VIN, &dom, &v.Seats, &v.PurchaseDate, &v.OdometerKM, &v.Status, &leader, &v.MarkColor, &v.MarkCode, &v.SupervisionPhone,
			&v.ParkingSpot, &v.TerminalPhone, &v.InsuranceDue, &v.InspectionDue, &v.MaintenanceDue, &v.RegisteredName, &updated)
		v.PriceFen, v.Domestic, v.FixedLeader, v.NEV = price, dom == 1, leader == 1, NewEnergy(v.FuelType)
		v.CategoryName, v.FuelName, v.BodyName = Categories.Name(v.Category), FuelTypes.Name(v.FuelType), BodyTypes.Name(v.BodyType)
		v.StatusName, v.MarkColorName = VehicleStatuses.Name(v.Status), MarkColors.Name(v.MarkColor)
		if v.Status == "disposed" {
			v.DisposedOn = clock.Today(db.FromUnix(updated))
		}
		return v, err
	}, `SELECT v.id, v.org_id, o.name, v.plate, v.category, v.fuel_type, v.body_type, v.displacement_l, v.price_fen, v.brand, v.model, v.vin,
		v.domestic, v.seats, v.purchase_date, v.odometer_km, v.status, v.fixed_leader, v.mark_color, v.mark_code, v.supervision_phone,
		v.parking_spot, v.terminal_phone, v.insurance_due, v.inspection_due, v.maintenance_due, COALESCE(ro.name, v.registered_name), v.updated_at
		FROM fleet_vehicles v JOIN orgs o ON o.id = v.org_id LEFT JOIN orgs ro ON ro.id = v.registered_org_id
		WHERE `+w+` ORDER BY o.path, v.plate`, args...)
}

// ReportQuotas lists the 编制 under path in scope.
func (s *Service) ReportQuotas(ctx context.Context, q db.Q, sc auth.Scope, path string) ([]report.QuotaRow, error) {
	w, args := under(sc, path, "x.org_id")
	return db.Select(ctx, q, func(r db.Scanner) (report.QuotaRow, error) {
		var x report.QuotaRow
		return x, r.Scan(&x.OrgID, &x.Category, &x.Quota)
	}, "SELECT x.org_id, x.category, x.quota FROM fleet_quotas x WHERE "+w+" ORDER BY x.org_id, x.category", args...)
}

// ReportTrips lists the completed trips of vehicles under path in scope that started in [from, to).
func (s *Service) ReportTrips(ctx context.Context, q db.Q, sc auth.Scope, path string, from, to int64) ([]report.TripRow, error) {
	w, args := under(sc, path, "v.org_id")
	return db.Select(ctx, q, func(r db.Scanner) (report.TripRow, error) {
		var t report.TripRow
		var em int
		err := r.Scan(&t.ID, &t.OrgID, &t.OrgName, &t.VehicleID, &t.VehicleOrg, &t.Plate, &t.DriverName, &t.Requester, &t.Purpose, &t.Passengers,
			&t.Origin, &t.Destination, &t.StartAt, &t.EndAt, &t.OdometerOut, &t.OdometerIn, &t.DistanceKM, &t.TollFen, &t.ParkingFen, &t.FuelFen, &em)
		t.Emergency = em == 1
		return t, err
	}, `SELECT t.id, t.org_id, o.name, v.id, v.org_id, v.plate, COALESCE(dp.name, ''), COALESCE(rp.name, ''), t.purpose, t.passengers,
		t.origin, t.destination, t.start_at, t.end_at, t.odometer_start_km, t.odometer_end_km, t.distance_km, t.toll_fen, t.parking_fen, t.fuel_fen, t.emergency
		FROM fleet_trips t JOIN fleet_vehicles v ON v.id = t.vehicle_id JOIN orgs o ON o.id = t.org_id
		LEFT JOIN fleet_drivers d ON d.id = t.driver_id LEFT JOIN people dp ON dp.id = d.person_id LEFT JOIN people rp ON rp.id = t.requester_id
		WHERE t.status = 'completed' AND t.start_at >= ? AND t.start_at < ? AND `+w+` ORDER BY t.start_at, t.id`, append([]any{from, to}, args...)...)
}

// ReportCosts lists the costs of vehicles under path in scope dated in [from, to].
func (s *Service) ReportCosts(ctx context.Context, q db.Q, sc auth.Scope, path string, from, to string) ([]report.CostRow, error) {
	w, args := under(sc, path, "c.org_id")
	return db.Select(ctx, q, func(r db.Scanner) (report.CostRow, error) {
		var c report.CostRow
		err := r.Scan(&c.ID, &c.VehicleID, &c.OrgID, &c.Plate, &c.Kind, &c.AmountFen, &c.Date, &c.OdometerKM, &c.Note, &c.TripID)
		c.KindName = CostKinds.Name(c.Kind)
		return c, err
	}, `SELECT c.id, c.vehicle_id, c.org_id, v.plate, c.kind, c.amount_fen, c.cost_date, c.odometer_km, c.note, COALESCE(c.trip_id, 0)
		FROM fleet_costs c JOIN fleet_vehicles v ON v.id = c.vehicle_id WHERE c.cost_date >= ? AND c.cost_date <= ? AND `+w+`
		ORDER BY c.cost_date, c.id`, append([]any{from, to}, args...)...)
}

// ReportDrivers lists the drivers under path in scope.
func (s *Service) ReportDrivers(ctx context.Context, q db.Q, sc auth.Scope, path string) ([]report.DriverRow, error) {
	w, args := under(sc, path, "d.org_id")
	return db.Select(ctx, q, func(r db.Scanner) (report.DriverRow, error) {
		var d report.DriverRow
		err := r.Scan(&d.ID, &d.OrgID, &d.OrgName, &d.Name, &d.LicenseClass, &d.LicenseExpiry, &d.Phone, &d.Status)
		d.StatusName = d2name(d.Status)
		return d, err
	}, `SELECT d.id, d.org_id, o.name, p.name, d.license_class, d.license_expiry, d.phone, d.status
		FROM fleet_drivers d JOIN orgs o ON o.id = d.org_id JOIN people p ON p.id = d.person_id WHERE `+w+` ORDER BY o.path, p.name, d.id`, args...)
}

// ReportFindings is the compliance check of orgID's subtree (Compliance) as report rows.
func (s *Service) ReportFindings(ctx context.Context, q db.Q, sc auth.Scope, orgID int64) ([]report.FindingRow, error) {
	items, err := s.Compliance(ctx, q, sc, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]report.FindingRow, len(items))
	for i, c := range items {
		out[i] = report.FindingRow{VehicleID: c.VehicleID, Plate: c.Plate, OrgID: c.OrgID, OrgName: c.OrgName, Rule: c.Rule, RuleName: c.RuleName,
			Detail: c.Detail, RuleText: c.RuleText, Source: c.Source, Violation: c.Violation}
	}
	return out, nil
}

// VehicleCategories are the vehicle categories of the ledger.
func (s *Service) VehicleCategories() enum.List { return Categories }

func d2name(status string) string { return Driver{Status: status}.StatusName() }

// NEVShareTarget is fleet.rules nev_share_min in force on date for region, with its source.
func (s *Service) NEVShareTarget(ctx context.Context, q db.Q, date, region string) (report.Target, error) {
	st, err := LoadStandards(ctx, q, date)
	if err != nil {
		return report.Target{}, err
	}
	v, row, ok := st.Rule("nev_share_min", region)
	if !ok {
		return report.Target{}, nil
	}
	return report.Target{Value: v, Source: row.SourceDoc, Found: true}, nil
}
