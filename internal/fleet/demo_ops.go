package fleet

import (
	"context"
	"fmt"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/history"
)

// The demo's designated suppliers, fuel cards, consumption and hire pool (docs/domain/vehicles.md §Demo):
//
//   - the bureau designates a fuel station, a charging station, a garage and an insurer for the whole province, and
//     松岭县教育局 a fuel station of its own; the pool's trip fuel, maintenance and insurance costs name them; planted:
//     a repair of 青A20731 at 城西路边快修店 fifteen days ago (non_designated_supplier);
//   - the pool's vehicles carry fuel cards, their trip fuel (charging) costs the litres (kWh), and a year before
//     the recent trips each pool vehicle has twelve trips with fuel: the baseline of the consumption per 100 km;
//     planted: 青A20731 uses about 36 % more fuel per 100 km than its baseline (an anomaly);
//   - 示范省安达汽车租赁有限公司 holds a contract with the bureau (three vehicles, three drivers, priced per km, hour
//     and day) with completed trips over the past six weeks, settled monthly.

// demoRates are the litres (kWh for electric cars) per km of the pool's vehicles: recent trips and baseline.
var demoRates = map[string][2]float64{
	"青AD12345": {0.13, 0.13}, "青AD20236": {0.125, 0.13}, "青AF30518": {0.05, 0.052}, "青A10086": {0.078, 0.076}, "青A20731": {0.15, 0.11},
}

var demoCards = map[string]string{"青AD12345": "9100000000000001", "青AD20236": "9100000000000002", "青AF30518": "9100000000000003",
	"青A10086": "9100000000000004", "青A20731": "9100000000000005", "青A33520": "9100000000000006", "青B51288": "9100000000000007"}

const (
	demoFuelStation  = "中石化示范路加油站"
	demoChargeStaton = "国家电网示范充电站"
	demoGarage       = "示范省汽车维修中心"
	demoInsurer      = "人保财险示范省分公司"
)

func (s *Service) loadDemoOps(ctx context.Context, q db.Q, now time.Time, at func(d, hour, min int) time.Time) error {
	day := func(d int) string { return clock.Today(now.AddDate(0, 0, d)) }
	var bureau, edu int64
	if err := q.QueryRow(ctx, "SELECT id FROM orgs WHERE name = '示范省机关事务管理局'").Scan(&bureau); err != nil {
		return err
	}
	if err := q.QueryRow(ctx, "SELECT id FROM orgs WHERE name = '松岭县教育局'").Scan(&edu); err != nil {
		return err
	}
	vid := func(plate string) (int64, error) {
		var id int64
		err := q.QueryRow(ctx, "SELECT id FROM fleet_vehicles WHERE plate = ?", plate).Scan(&id)
		return id, err
	}
	// Designated suppliers.
	from, to := day(-500), day(600)
	for _, x := range []struct {
		org        int64
		kind, name string
	}{{bureau, "fuel", demoFuelStation}, {bureau, "fuel", demoChargeStaton}, {bureau, "maintenance", demoGarage}, {bureau, "insurance", demoInsurer},
		{edu, "fuel", "中石油松岭城关加油站"}} {
		id, err := db.InsertID(ctx, q, `INSERT INTO fleet_suppliers (org_id, kind, name, contract_no, valid_from, valid_to, address, phone, note, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, '', '', '政府集中采购定点', ?, ?) RETURNING id`, x.org, x.kind, x.name, fmt.Sprintf("示采定点-%s-%d", now.Format("2006"), x.org), from, to,
			now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objSupplier, id, "create", "定点"+SupplierKinds.Name(x.kind)+"："+x.name+"（演示数据）"); err != nil {
			return err
		}
	}
	for _, c := range []struct{ kind, supplier string }{{"fuel", demoFuelStation}, {"charging", demoChargeStaton}, {"maintenance", demoGarage}, {"insurance", demoInsurer}} {
		if _, err := q.Exec(ctx, "UPDATE fleet_costs SET supplier = ? WHERE kind = ?", c.supplier, c.kind); err != nil {
			return err
		}
	}
	for plate, card := range demoCards {
		if _, err := q.Exec(ctx, "UPDATE fleet_vehicles SET fuel_card_no = ? WHERE plate = ?", card, plate); err != nil {
			return err
		}
	}
	// Planted: a repair at a garage that is not designated.
	a20731, err := vid("青A20731")
	if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `INSERT INTO fleet_costs (vehicle_id, org_id, kind, amount_fen, cost_date, odometer_km, note, supplier, created_at)
		SELECT id, org_id, 'maintenance', 126000, ?, odometer_km, '更换刹车片', '城西路边快修店', ? FROM fleet_vehicles WHERE id = ?`, day(-15), now.Unix(), a20731); err != nil {
		return err
	}
	// Consumption: litres (kWh) of the recent trips, and a baseline year before them.
	drivers, err := db.Int64s(ctx, q, "SELECT id FROM fleet_drivers WHERE org_id = ? ORDER BY id", bureau)
	if err != nil || len(drivers) == 0 {
		return err
	}
	requesters, err := db.Int64s(ctx, q, "SELECT id FROM people WHERE org_id = ? AND status = 'active' ORDER BY id LIMIT 12", bureau)
	if err != nil || len(requesters) == 0 {
		return err
	}
	for k, plate := range []string{"青AD12345", "青AD20236", "青AF30518", "青A10086", "青A20731"} {
		id, err := vid(plate)
		if err != nil {
			return err
		}
		rate := demoRates[plate]
		if _, err := q.Exec(ctx, `UPDATE fleet_costs SET quantity = (SELECT t.distance_km FROM fleet_trips t WHERE t.id = fleet_costs.trip_id) * ?
			WHERE vehicle_id = ? AND kind IN ('fuel', 'charging') AND trip_id IS NOT NULL`, rate[0], id); err != nil {
			return err
		}
		var org int64
		var fuel string
		var odo float64
		if err := q.QueryRow(ctx, "SELECT org_id, fuel_type, odometer_km FROM fleet_vehicles WHERE id = ?", id).Scan(&org, &fuel, &odo); err != nil {
			return err
		}
		kind, price := "fuel", 780.0 // fen per litre
		if fuel == "electric" {
			kind, price = "charging", 120
		}
		base := odo - 9000
		for j := 0; j < 12; j++ {
			d := -(370 + j*25 + k)
			dist := float64(60 + (j*41+k*13)%120)
			start, end := at(d, 9, 0), at(d, 16, 30)
			tid, err := db.InsertID(ctx, q, `INSERT INTO fleet_trips (org_id, requester_id, requester_user_id, purpose, passengers, origin, destination, start_at, end_at,
				status, vehicle_id, driver_id, odometer_start_km, odometer_end_km, distance_km, fuel_fen, dispatched_at, started_at, completed_at, created_at, updated_at)
				VALUES (?, ?, 0, ?, 2, '省机关事务局', ?, ?, ?, 'completed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				org, requesters[(j+k)%len(requesters)], demoTrips[j%len(demoTrips)].purpose, demoTrips[j%len(demoTrips)].destination, start.Unix(), end.Unix(),
				id, drivers[j%len(drivers)], base, base+dist, dist, int64(dist*rate[1]*price), start.Add(-20*time.Hour).Unix(), start.Unix(), end.Unix(),
				start.Add(-24*time.Hour).Unix(), end.Unix())
			if err != nil {
				return err
			}
			base += dist
			supplier := demoFuelStation
			if kind == "charging" {
				supplier = demoChargeStaton
			}
			if _, err := q.Exec(ctx, `INSERT INTO fleet_costs (vehicle_id, org_id, kind, amount_fen, cost_date, odometer_km, note, trip_id, supplier, quantity, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, org, kind, int64(dist*rate[1]*price), clock.Today(start), base, "用车申请 #"+itoa(tid), tid, supplier,
				dist*rate[1], now.Unix()); err != nil {
				return err
			}
		}
	}
	return s.demoHire(ctx, q, now, bureau, requesters, at)
}

// demoHire records the hire company's contract, vehicles and drivers, and its completed trips of the past weeks.
func (s *Service) demoHire(ctx context.Context, q db.Q, now time.Time, bureau int64, requesters []int64, at func(d, hour, min int) time.Time) error {
	day := func(d int) string { return clock.Today(now.AddDate(0, 0, d)) }
	cid, err := db.InsertID(ctx, q, `INSERT INTO fleet_hire_contracts (org_id, company, contract_no, valid_from, valid_to, price_km_fen, price_hour_fen, price_day_fen,
		phone, note, created_at, updated_at) VALUES (?, '示范省安达汽车租赁有限公司', ?, ?, ?, 250, 6000, 40000, '0971-6120000', '公务出行社会化保障服务（演示数据）', ?, ?) RETURNING id`,
		bureau, "示机管采〔"+now.Format("2006")+"〕12号", day(-200), day(165), now.Unix(), now.Unix())
	if err != nil {
		return err
	}
	var vs, ds []int64
	for _, v := range []struct {
		plate, model, fuel string
		seats              int
	}{{"青A7H201", "别克 GL8", "gasoline", 7}, {"青A7H202", "丰田 考斯特", "diesel", 20}, {"青AD71203", "比亚迪 汉 EV", "electric", 5}} {
		id, err := db.InsertID(ctx, q, `INSERT INTO fleet_hire_vehicles (contract_id, plate, model, fuel_type, seats, status, created_at) VALUES (?, ?, ?, ?, ?, 'active', ?) RETURNING id`,
			cid, v.plate, v.model, v.fuel, v.seats, now.Unix())
		if err != nil {
			return err
		}
		vs = append(vs, id)
	}
	for i, name := range []string{"马师傅", "韩师傅", "祁师傅"} {
		id, err := db.InsertID(ctx, q, `INSERT INTO fleet_hire_drivers (contract_id, name, phone, license_class, status, created_at) VALUES (?, ?, ?, ?, 'active', ?) RETURNING id`,
			cid, name, fmt.Sprintf("1399710%04d", i+1), []string{"B1", "A1", "C1"}[i], now.Unix())
		if err != nil {
			return err
		}
		ds = append(ds, id)
	}
	for i, d := range []int{-1, -3, -8, -12, -19, -26, -33, -41} {
		start, end := at(d, 8+i%2, 30), at(d, 12+i%6, 0)
		dist := float64(25 + (i*29)%110)
		var org int64
		req := requesters[(i*5)%len(requesters)]
		if err := q.QueryRow(ctx, "SELECT org_id FROM people WHERE id = ?", req).Scan(&org); err != nil {
			return err
		}
		tr := demoTrips[(i+2)%len(demoTrips)]
		id, err := db.InsertID(ctx, q, `INSERT INTO fleet_trips (org_id, requester_id, requester_user_id, purpose, passengers, origin, destination, start_at, end_at,
			status, hire_vehicle_id, hire_driver_id, odometer_start_km, odometer_end_km, distance_km, dispatched_at, started_at, completed_at, created_at, updated_at)
			VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, 'completed', ?, ?, 0, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			org, req, tr.purpose, 2+i%4, tr.origin, tr.destination, start.Unix(), end.Unix(), vs[i%len(vs)], ds[i%len(ds)], dist, dist,
			start.Add(-20*time.Hour).Unix(), start.Unix(), end.Unix(), start.Add(-24*time.Hour).Unix(), end.Unix())
		if err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objTrip, id, "dispatch", "社会化保障派车（演示数据）"); err != nil {
			return err
		}
	}
	if err := history.Record(ctx, q, now, objHire, cid, "create", "登记社会化保障合同（演示数据）"); err != nil {
		return err
	}
	return audit.Record(ctx, q, now, audit.Entry{Action: "demo.load", ObjectType: "demo", ObjectKey: "公务用车社会化保障", Success: true,
		Extra: map[string]any{"hire_contract": cid, "hire_vehicles": len(vs)}})
}
