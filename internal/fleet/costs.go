package fleet

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/refdata"
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
	Supplier   string    `json:"supplier" doc:"供应商（加油站、维修厂、保险公司）；不是本单位定点供应商时合规检查提示"`
	Quantity   float64   `json:"quantity" doc:"加油升数或充电千瓦时（单车油耗、电耗核算）；0 为未记录"`
	CardRef    string    `json:"card_ref,omitempty" doc:"加油卡交易流水号（导入的对账单行）"`
	CreatedAt  time.Time `json:"created_at"`
}

// KindName is the Chinese kind.
func (c Cost) KindName() string { return CostKinds.Name(c.Kind) }

const costCols = `c.id, c.vehicle_id, v.plate, c.org_id, c.kind, c.amount_fen, c.cost_date, c.odometer_km, c.note, COALESCE(c.trip_id, 0), c.created_at, c.supplier, c.quantity, c.card_ref`
const costFrom = " FROM fleet_costs c JOIN fleet_vehicles v ON v.id = c.vehicle_id"

func scanCost(s db.Scanner) (Cost, error) {
	var c Cost
	var amt, at int64
	err := s.Scan(&c.ID, &c.VehicleID, &c.Plate, &c.OrgID, &c.Kind, &amt, &c.Date, &c.OdometerKM, &c.Note, &c.TripID, &at, &c.Supplier, &c.Quantity, &c.CardRef)
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
	Supplier   string  `json:"supplier,omitempty" doc:"供应商名称（定点检查）"`
	Quantity   float64 `json:"quantity,omitempty" doc:"燃油升数或充电千瓦时"`
}

func (in *CostInput) check(f errs.Fields, today string) {
	if in.VehicleID <= 0 {
		f.Add("vehicle_id", "请选择车辆")
	}
	checkEnum(f, "kind", &in.Kind, CostKinds, true, "费用类型")
	money(f, "amount_yuan", in.AmountYuan, "金额")
	if !f.Has("amount_yuan") && fen(in.AmountYuan) <= 0 {
		f.Add("amount_yuan", "金额应大于 0")
	}
	date(f, "date", &in.Date, true, "发生日期")
	if !f.Has("date") && in.Date > today {
		f.Add("date", "发生日期不能晚于今天")
	}
	number(f, "odometer_km", in.OdometerKM, 5e6, "里程表读数", "公里")
	text(f, "note", &in.Note, 200, false, "说明")
	text(f, "supplier", &in.Supplier, 100, false, "供应商")
	number(f, "quantity", in.Quantity, 1e5, "数量", "升或千瓦时")
	if in.Quantity > 0 && in.Kind != "fuel" && in.Kind != "charging" && !f.Has("kind") {
		f.Add("quantity", "只有燃油费、充电费记录数量（升、千瓦时）")
	}
}

// CreateCost records a cost of a vehicle in scope.
func (s *Service) CreateCost(ctx context.Context, sc auth.Scope, in CostInput) (Cost, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	in.check(f, s.today())
	if err := f.Err(); err != nil {
		return Cost{}, err
	}
	var out Cost
	err := s.DB.Tx(ctx, func(q db.Q) error {
		v, err := GetVehicle(ctx, q, sc, in.VehicleID)
		if err != nil {
			return fieldErr(err, "vehicle_id", "车辆不存在或不在您的数据范围内")
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO fleet_costs (vehicle_id, org_id, kind, amount_fen, cost_date, odometer_km, note, supplier, quantity, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, v.ID, v.OrgID, in.Kind, fen(in.AmountYuan), in.Date, in.OdometerKM, in.Note, in.Supplier, in.Quantity, now.Unix())
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
	Consumption   []Consumption      `json:"consumption" doc:"百公里油耗（电耗）与本车前 12 个月基线的比较，每种能源一项"`
}

// Consumption is a vehicle's fuel (litres) or electricity (kWh) per 100 km in a year against its own baseline, the
// 12 months before the year (单车能耗核算; docs/domain/vehicles.md §Consumption).
type Consumption struct {
	Energy             string  `json:"energy" doc:"fuel（升）· charging（千瓦时）"`
	Unit               string  `json:"unit" doc:"L · kWh"`
	Quantity           float64 `json:"quantity" doc:"当年记录数量的燃油（充电）费合计数量"`
	Per100KM           float64 `json:"per_100km" doc:"quantity ÷ 当年行驶里程 × 100；无里程时为 0"`
	BaselineQuantity   float64 `json:"baseline_quantity"`
	BaselineDistanceKM float64 `json:"baseline_distance_km"`
	BaselinePer100KM   float64 `json:"baseline_per_100km" doc:"前 12 个月的百公里消耗；无基线时为 0"`
	DeviationPct       float64 `json:"deviation_pct" doc:"相对基线的偏差（%）"`
	ThresholdPct       float64 `json:"threshold_pct" doc:"异常阈值（%），参考数据 fleet.rules consumption_anomaly_pct"`
	Anomaly            bool    `json:"anomaly" doc:"偏差超过阈值"`
}

// UnitName is the unit of the per-100-km figure.
func (c Consumption) UnitName() string {
	if c.Energy == "charging" {
		return "千瓦时/百公里"
	}
	return "升/百公里"
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
	l.Consumption, err = vehicleConsumption(ctx, q, v, year, l.DistanceKM)
	return l, err
}

// vehicleConsumption compares the year's fuel and charging quantities per 100 km with the 12 months before it.
func vehicleConsumption(ctx context.Context, q db.Q, v Vehicle, year int, distance float64) ([]Consumption, error) {
	y0, y1 := strconv.Itoa(year-1), strconv.Itoa(year)
	var baseKM float64
	from := time.Date(year-1, 1, 1, 0, 0, 0, 0, clock.Shanghai).Unix()
	to := time.Date(year, 1, 1, 0, 0, 0, 0, clock.Shanghai).Unix()
	if err := q.QueryRow(ctx, `SELECT COALESCE(SUM(distance_km), 0) FROM fleet_trips WHERE vehicle_id = ? AND status = 'completed' AND start_at >= ? AND start_at < ?`,
		v.ID, from, to).Scan(&baseKM); err != nil {
		return nil, err
	}
	sums := map[string]*[2]float64{}
	rows, err := q.Query(ctx, `SELECT kind, SUBSTR(cost_date, 1, 4), SUM(quantity) FROM fleet_costs WHERE vehicle_id = ? AND kind IN ('fuel', 'charging') AND quantity > 0
		AND cost_date >= ? AND cost_date <= ? GROUP BY kind, SUBSTR(cost_date, 1, 4)`, v.ID, y0+"-01-01", y1+"-12-31")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, y string
		var qty float64
		if err := rows.Scan(&kind, &y, &qty); err != nil {
			return nil, err
		}
		if sums[kind] == nil {
			sums[kind] = &[2]float64{}
		}
		if y == y1 {
			sums[kind][0] += qty
		} else {
			sums[kind][1] += qty
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(sums) == 0 {
		return []Consumption{}, nil
	}
	var region string
	if err := q.QueryRow(ctx, "SELECT region_code FROM orgs WHERE id = ?", v.OrgID).Scan(&region); err != nil {
		return nil, err
	}
	threshold := 0.0
	if r, err := refdata.Lookup(ctx, q, KindRules, "consumption_anomaly_pct", region, y1+"-12-31"); err == nil {
		threshold = r.Value
	} else if !errs.Is(err, errs.CodeNotFound) {
		return nil, err
	}
	out := []Consumption{}
	for _, kind := range []string{"fuel", "charging"} {
		x := sums[kind]
		if x == nil {
			continue
		}
		c := Consumption{Energy: kind, Unit: "L", Quantity: round2(x[0]), BaselineQuantity: round2(x[1]), BaselineDistanceKM: roundKM(baseKM), ThresholdPct: round2(threshold * 100)}
		if kind == "charging" {
			c.Unit = "kWh"
		}
		c.Per100KM, c.BaselinePer100KM, c.DeviationPct, c.Anomaly = ConsumptionCheck(x[0], distance, x[1], baseKM, threshold)
		out = append(out, c)
	}
	return out, nil
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
