package fleet

import (
	"context"
	"strconv"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// Costs of a vehicle and its yearly ledger (单车核算, 《机关事务管理条例》第二十六条; docs/domain/vehicles.md §Costs).

// Cost is one cost of a vehicle.
type Cost struct {
	ID         int64     `json:"id"`
	VehicleID  int64     `json:"vehicle_id"`
	Plate      string    `json:"plate"`
	OrgID      int64     `json:"org_id"`
	Kind       string    `json:"kind" doc:"fuel · charging · maintenance · insurance · toll · parking · other"`
	AmountYuan float64   `json:"amount_yuan"`
	Date       string    `json:"date"`
	OdometerKM float64   `json:"odometer_km"`
	Note       string    `json:"note"`
	TripID     int64     `json:"trip_id,omitempty" doc:"收车时随行程登记的费用"`
	CreatedAt  time.Time `json:"created_at"`
}

// KindName is the Chinese kind.
func (c Cost) KindName() string { return CostKinds.Name(c.Kind) }

const costCols = `c.id, c.vehicle_id, v.plate, c.org_id, c.kind, c.amount_fen, c.cost_date, c.odometer_km, c.note, COALESCE(c.trip_id, 0), c.created_at`
const costFrom = " FROM fleet_costs c JOIN fleet_vehicles v ON v.id = c.vehicle_id"

func scanCost(s db.Scanner) (Cost, error) {
	var c Cost
	var amt, at int64
	err := s.Scan(&c.ID, &c.VehicleID, &c.Plate, &c.OrgID, &c.Kind, &amt, &c.Date, &c.OdometerKM, &c.Note, &c.TripID, &at)
	c.AmountYuan, c.CreatedAt = yuan(amt), db.FromUnix(at)
	return c, err
}

// ListCosts lists a vehicle's costs of a year (the vehicle must be in scope).
func ListCosts(ctx context.Context, q db.Q, sc auth.Scope, vehicleID int64, year int, l web.List) ([]Cost, int64, error) {
	if _, err := GetVehicle(ctx, q, sc, vehicleID); err != nil {
		return nil, 0, err
	}
	w := " WHERE c.vehicle_id = ? AND c.cost_date >= ? AND c.cost_date <= ?"
	args := []any{vehicleID, strconv.Itoa(year) + "-01-01", strconv.Itoa(year) + "-12-31"}
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+costFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanCost, "SELECT "+costCols+costFrom+w+" ORDER BY c.cost_date DESC, c.id DESC LIMIT ? OFFSET ?", append(args, l.PageSize, l.Offset())...)
	return rows, total, err
}

// CostInput is the body of POST /api/v1/vehicle-costs.
type CostInput struct {
	VehicleID  int64   `json:"vehicle_id"`
	Kind       string  `json:"kind"`
	AmountYuan float64 `json:"amount_yuan"`
	Date       string  `json:"date"`
	OdometerKM float64 `json:"odometer_km,omitempty"`
	Note       string  `json:"note,omitempty"`
}

// CreateCost records a cost of a vehicle in scope.
func (s *Service) CreateCost(ctx context.Context, sc auth.Scope, in CostInput) (Cost, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	if in.VehicleID <= 0 {
		f.Add("vehicle_id", "请选择车辆")
	}
	checkEnum(f, "kind", &in.Kind, CostKinds, true, "费用类型")
	money(f, "amount_yuan", in.AmountYuan, "金额")
	if !f.Has("amount_yuan") && fen(in.AmountYuan) <= 0 {
		f.Add("amount_yuan", "金额应大于 0")
	}
	date(f, "date", &in.Date, true, "发生日期")
	if !f.Has("date") && in.Date > s.today() {
		f.Add("date", "发生日期不能晚于今天")
	}
	number(f, "odometer_km", in.OdometerKM, 5e6, "里程表读数", "公里")
	text(f, "note", &in.Note, 200, false, "说明")
	if err := f.Err(); err != nil {
		return Cost{}, err
	}
	var out Cost
	err := s.DB.Tx(ctx, func(q db.Q) error {
		v, err := GetVehicle(ctx, q, sc, in.VehicleID)
		if err != nil {
			return fieldErr(err, "vehicle_id", "车辆不存在或不在您的数据范围内")
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO fleet_costs (vehicle_id, org_id, kind, amount_fen, cost_date, odometer_km, note, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, v.ID, v.OrgID, in.Kind, fen(in.AmountYuan), in.Date, in.OdometerKM, in.Note, now.Unix())
		if err != nil {
			return err
		}
		if out, err = scanCost(q.QueryRow(ctx, "SELECT "+costCols+costFrom+" WHERE c.id = ?", id)); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objVehicle, v.ID, "cost", "登记费用："+out.KindName()+" "+strconv.FormatFloat(out.AmountYuan, 'f', 2, 64)+" 元（"+in.Date+"）"); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "fleet.cost.create", ObjectType: objCost, ObjectID: id, OrgID: v.OrgID, Success: true, After: out})
	})
	return out, err
}

// Ledger is a vehicle's year (单车核算): distance and trips of the trips completed that year (by their start
// day), and every cost dated in it, by kind.
type Ledger struct {
	VehicleID     int64              `json:"vehicle_id"`
	Plate         string             `json:"plate"`
	Year          int                `json:"year"`
	DistanceKM    float64            `json:"distance_km"`
	Trips         int64              `json:"trips"`
	CostYuan      float64            `json:"cost_yuan"`
	CostPerKMYuan float64            `json:"cost_per_km_yuan" doc:"cost_yuan ÷ distance_km，两位小数；无里程时为 0"`
	ByKind        map[string]float64 `json:"by_kind" doc:"各费用类型金额（元）"`
}

// VehicleLedger computes a vehicle's ledger for a year.
func VehicleLedger(ctx context.Context, q db.Q, sc auth.Scope, vehicleID int64, year int) (Ledger, error) {
	v, err := GetVehicle(ctx, q, sc, vehicleID)
	if err != nil {
		return Ledger{}, err
	}
	l := Ledger{VehicleID: v.ID, Plate: v.Plate, Year: year, ByKind: map[string]float64{}}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, clock.Shanghai).Unix()
	to := time.Date(year+1, 1, 1, 0, 0, 0, 0, clock.Shanghai).Unix()
	if err := q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(distance_km), 0) FROM fleet_trips WHERE vehicle_id = ? AND status = 'completed' AND start_at >= ? AND start_at < ?`,
		v.ID, from, to).Scan(&l.Trips, &l.DistanceKM); err != nil {
		return l, err
	}
	l.DistanceKM = roundKM(l.DistanceKM)
	rows, err := q.Query(ctx, `SELECT kind, SUM(amount_fen) FROM fleet_costs WHERE vehicle_id = ? AND cost_date >= ? AND cost_date <= ? GROUP BY kind`,
		v.ID, strconv.Itoa(year)+"-01-01", strconv.Itoa(year)+"-12-31")
	if err != nil {
		return l, err
	}
	defer rows.Close()
	var total int64
	for rows.Next() {
		var k string
		var amt int64
		if err := rows.Scan(&k, &amt); err != nil {
			return l, err
		}
		l.ByKind[k] = yuan(amt)
		total += amt
	}
	if err := rows.Err(); err != nil {
		return l, err
	}
	l.CostYuan = yuan(total)
	if l.DistanceKM > 0 {
		l.CostPerKMYuan = float64(int64(float64(total)/l.DistanceKM+0.5)) / 100
	}
	return l, nil
}
