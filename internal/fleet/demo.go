package fleet

import (
	"context"
	"fmt"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/workflow"
)

// The fleet part of the demo province: the provincial bureau's fleet centre (新能源 sedans, a fuel sedan in service
// more than eight years, an MPV, a bus, and one sedan over both the price and the displacement standard), the
// government office's confidential cars (one over the displacement standard, and more than its quota), a police car,
// the county education bureau's two cars; drivers; completed trips with their costs over the past months; and
// pending requests of the demo employee (two in approval, one approved and waiting for a vehicle). Everything is
// dated relative to the clock, so the same states exist on any date (TestDemoAnyDate).
//
// Planted findings (docs/domain/vehicles.md §Demo): price_cap and displacement_cap on 青A33520, displacement_cap
// on 青A0A001, over_quota at 示范省人民政府办公厅 (confidential: quota 1, 2 held), renewal_eligible on 青A10086,
// registered_elsewhere on 青B51288, cost_without_trip on 青A33520.

type demoVehicle struct {
	unit, plate, category, fuel, body, brand, model string
	disp                                            float64
	price                                           float64
	seats                                           int
	ageDays                                         int
	odo                                             float64
	pool                                            bool // serves the demo's completed trips
}

var demoVehicles = []demoVehicle{
	{"示范省机关事务管理局", "青AD12345", "other", "electric", "sedan", "比亚迪", "秦PLUS EV", 0, 149800, 5, 700, 18200, true},
	{"示范省机关事务管理局", "青AD20236", "other", "electric", "sedan", "广汽埃安", "AION S", 0, 139800, 5, 420, 9100, true},
	{"示范省机关事务管理局", "青AF30518", "other", "plug_in_hybrid", "suv", "比亚迪", "宋PLUS DM-i", 1.5, 169800, 5, 520, 15300, true},
	{"示范省机关事务管理局", "青A10086", "other", "gasoline", "sedan", "红旗", "H5", 1.5, 158000, 5, 9*365 + 40, 186000, true},
	{"示范省机关事务管理局", "青A20731", "other", "gasoline", "mpv", "别克", "GL8", 2.0, 232000, 7, 1300, 67000, true},
	{"示范省机关事务管理局", "青A12345", "other", "diesel", "bus", "宇通", "ZK6729", 2.8, 386000, 23, 1800, 88000, false},
	{"示范省机关事务管理局", "青A33520", "other", "gasoline", "sedan", "红旗", "H7", 2.0, 215000, 5, 900, 41000, false},
	{"示范省人民政府办公厅", "青A0A001", "confidential", "gasoline", "sedan", "大众", "朗逸", 1.8, 115000, 5, 1500, 52000, false},
	{"示范省人民政府办公厅", "青AD0A02", "confidential", "electric", "sedan", "比亚迪", "秦PLUS EV", 0, 119800, 5, 300, 6400, false},
	{"示范省公安厅", "青A1234警", "law_enforcement", "gasoline", "suv", "长安", "CS55", 1.5, 118000, 5, 1100, 73000, false},
	{"松岭县教育局", "青BD51234", "other", "electric", "sedan", "五菱", "星光", 0, 99800, 5, 400, 12000, false},
	{"松岭县教育局", "青B51288", "other", "gasoline", "sedan", "吉利", "帝豪", 1.5, 89800, 5, 800, 35000, false},
}

var demoQuotas = []struct {
	unit, category string
	quota          int
}{
	{"示范省机关事务管理局", "other", 8}, {"示范省人民政府办公厅", "confidential", 1}, {"示范省公安厅", "law_enforcement", 2}, {"松岭县教育局", "other", 2},
}

var demoTrips = []struct{ purpose, origin, destination string }{
	{"赴青山市调研机关事务工作", "省机关事务局", "青山市机关事务管理局"},
	{"参加全省公共机构节能工作会议", "省机关事务局", "省会议中心"},
	{"检查松岭县办公用房整改情况", "省机关事务局", "松岭县机关事务服务中心"},
	{"接送专家评审组", "省机关事务局", "青山站"},
	{"赴绿水市督导节约型机关创建", "省机关事务局", "绿水市机关事务管理局"},
	{"运送机要文件", "省机关事务局", "省档案馆"},
	{"防汛工作检查", "省机关事务局", "云溪县"},
}

// LoadDemo loads the fleet part of the demo province (nothing when vehicles exist already).
func (s *Service) LoadDemo(ctx context.Context) error {
	n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM fleet_vehicles")
	if err != nil || n > 0 {
		return err
	}
	var units int64
	if units, err = db.Count(ctx, s.DB, "SELECT COUNT(*) FROM orgs WHERE name = '示范省机关事务管理局'"); err != nil || units == 0 {
		return err
	}
	now := s.Clock.Now()
	local := now.In(clock.Shanghai)
	today := clock.Today(now)
	day := func(d int) string { return clock.Today(now.AddDate(0, 0, d)) }
	at := func(d, hour, min int) time.Time {
		x := local.AddDate(0, 0, d)
		return time.Date(x.Year(), x.Month(), x.Day(), hour, min, 0, 0, clock.Shanghai)
	}
	orgID := func(q db.Q, name string) (int64, error) {
		var id int64
		err := q.QueryRow(ctx, "SELECT id FROM orgs WHERE name = ?", name).Scan(&id)
		return id, err
	}
	err = s.DB.Tx(ctx, func(q db.Q) error {
		vehicles := map[string]int64{}
		odo := map[int64]float64{}
		var pool []int64
		for i, v := range demoVehicles {
			org, err := orgID(q, v.unit)
			if err != nil {
				return fmt.Errorf("demo unit %s: %w", v.unit, err)
			}
			color := "red"
			ins, insp, mnt := day(40+i*23), day(60+i*17), day(25+i*11)
			if v.plate == "青A10086" {
				insp = day(12) // the annual inspection of the old sedan falls due soon: a reminder
			}
			id, err := db.InsertID(ctx, q, `INSERT INTO fleet_vehicles (org_id, plate, category, fuel_type, body_type, displacement_l, price_fen, brand, model, vin,
				domestic, seats, purchase_date, odometer_km, status, fixed_leader, mark_color, mark_code, supervision_phone, parking_spot, parking_radius_m,
				terminal_phone, insurance_due, inspection_due, maintenance_due, note, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', 1, ?, ?, ?, 'in_use', 0, ?, ?, '12345', ?, 50, ?, ?, ?, ?, '', ?, ?) RETURNING id`,
				org, v.plate, v.category, v.fuel, v.body, v.disp, fen(v.price), v.brand, v.model, v.seats, day(-v.ageDays), v.odo, color,
				fmt.Sprintf("示公车-%04d", i+1), v.unit+"停车场", fmt.Sprintf("1390990%04d", i+1), ins, insp, mnt, now.Unix(), now.Unix())
			if err != nil {
				return err
			}
			vehicles[v.plate], odo[id] = id, v.odo
			if v.pool {
				pool = append(pool, id)
			}
			if err := history.Record(ctx, q, now, objVehicle, id, "create", "登记车辆 "+v.plate+"（演示数据）"); err != nil {
				return err
			}
		}
		// 节假日封存: the fuel cars, the MPV and the bus are sealed over statutory holidays; the new-energy cars stay on
		// duty. Planted: 青B51288's registration names a car-service company (registered_elsewhere), and 青A33520 has a
		// fuel-card payment on a day it had no trip (cost_without_trip).
		for _, plate := range []string{"青A10086", "青A20731", "青A12345", "青A33520", "青A0A001"} {
			if _, err := q.Exec(ctx, "UPDATE fleet_vehicles SET holiday_seal = 1 WHERE id = ?", vehicles[plate]); err != nil {
				return err
			}
		}
		if _, err := q.Exec(ctx, "UPDATE fleet_vehicles SET registered_name = '松岭县顺达汽车服务有限公司' WHERE id = ?", vehicles["青B51288"]); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO fleet_costs (vehicle_id, org_id, kind, amount_fen, cost_date, odometer_km, note, created_at)
			SELECT id, org_id, 'fuel', 38650, ?, odometer_km, '加油卡消费', ? FROM fleet_vehicles WHERE id = ?`, day(-9), now.Unix(), vehicles["青A33520"]); err != nil {
			return err
		}
		for _, x := range demoQuotas {
			org, err := orgID(q, x.unit)
			if err != nil {
				return err
			}
			if _, err := q.Exec(ctx, "INSERT INTO fleet_quotas (org_id, category, quota, updated_at) VALUES (?, ?, ?, ?)", org, x.category, x.quota, now.Unix()); err != nil {
				return err
			}
		}
		// Drivers: three of the bureau's staff (not its managers' accounts) and one at the education bureau.
		bureau, err := orgID(q, "示范省机关事务管理局")
		if err != nil {
			return err
		}
		edu, err := orgID(q, "松岭县教育局")
		if err != nil {
			return err
		}
		var drivers []int64
		for _, d := range []struct {
			org   int64
			n     int
			class string
		}{{bureau, 3, "A1"}, {edu, 1, "C1"}} {
			people, err := db.Int64s(ctx, q, `SELECT id FROM people WHERE org_id = ? AND status = 'active' AND rank = 'staff'
				AND id NOT IN (SELECT person_id FROM users WHERE person_id IS NOT NULL) ORDER BY id DESC LIMIT ?`, d.org, d.n)
			if err != nil {
				return err
			}
			for i, p := range people {
				id, err := db.InsertID(ctx, q, `INSERT INTO fleet_drivers (person_id, org_id, license_class, license_expiry, phone, status, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?, 'active', ?, ?) RETURNING id`, p, d.org, d.class, day(900+i*200), fmt.Sprintf("1380990%04d", len(drivers)+1), now.Unix(), now.Unix())
				if err != nil {
					return err
				}
				drivers = append(drivers, id)
			}
		}
		if len(drivers) < 3 {
			return fmt.Errorf("demo: not enough staff to register drivers")
		}
		// Completed trips over the past four months, by people of the province's units, with their costs.
		requesters, err := db.Int64s(ctx, q, `SELECT p.id FROM people p JOIN orgs o ON o.id = p.org_id WHERE o.admin_level = 'provincial' AND p.status = 'active'
			ORDER BY p.id LIMIT 40`)
		if err != nil || len(requesters) == 0 {
			return err
		}
		for i := 0; i < 36; i++ {
			d := -(3 + i*3)
			vid := pool[i%len(pool)]
			drv := drivers[i%3]
			req := requesters[(i*7)%len(requesters)]
			var reqOrg int64
			if err := q.QueryRow(ctx, "SELECT org_id FROM people WHERE id = ?", req).Scan(&reqOrg); err != nil {
				return err
			}
			tr := demoTrips[i%len(demoTrips)]
			start, end := at(d, 8+i%3, 30), at(d, 12+i%5, 0)
			dist := float64(18 + (i*37)%140)
			from := odo[vid]
			to := from + dist
			odo[vid] = to
			toll, parking, fuel := int64(0), int64(0), int64(0)
			if dist > 60 {
				toll = int64(dist) * 45
			}
			if i%2 == 0 {
				parking = 1000
			}
			var fuelType string
			if err := q.QueryRow(ctx, "SELECT fuel_type FROM fleet_vehicles WHERE id = ?", vid).Scan(&fuelType); err != nil {
				return err
			}
			kind := "fuel"
			if fuelType == "electric" {
				kind = "charging"
				fuel = int64(dist * 12)
			} else {
				fuel = int64(dist * 65)
			}
			id, err := db.InsertID(ctx, q, `INSERT INTO fleet_trips (org_id, requester_id, requester_user_id, purpose, passengers, origin, destination, start_at, end_at,
				status, vehicle_id, driver_id, odometer_start_km, odometer_end_km, distance_km, toll_fen, parking_fen, fuel_fen, dispatched_at, started_at, completed_at,
				created_at, updated_at) VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, 'completed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				reqOrg, req, tr.purpose, 1+i%4, tr.origin, tr.destination, start.Unix(), end.Unix(), vid, drv, from, to, dist, toll, parking, fuel,
				start.Add(-20*time.Hour).Unix(), start.Unix(), end.Unix(), start.Add(-24*time.Hour).Unix(), end.Unix())
			if err != nil {
				return err
			}
			var vorg int64
			if err := q.QueryRow(ctx, "SELECT org_id FROM fleet_vehicles WHERE id = ?", vid).Scan(&vorg); err != nil {
				return err
			}
			for _, c := range []struct {
				kind string
				fen  int64
			}{{"toll", toll}, {"parking", parking}, {kind, fuel}} {
				if c.fen <= 0 {
					continue
				}
				if _, err := q.Exec(ctx, `INSERT INTO fleet_costs (vehicle_id, org_id, kind, amount_fen, cost_date, odometer_km, note, trip_id, created_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, vid, vorg, c.kind, c.fen, clock.Today(start), to, "用车申请 #"+itoa(id), id, now.Unix()); err != nil {
					return err
				}
			}
		}
		for id, km := range odo {
			if _, err := q.Exec(ctx, "UPDATE fleet_vehicles SET odometer_km = ? WHERE id = ?", km, id); err != nil {
				return err
			}
		}
		// Maintenance and insurance of the pool over the past months.
		for i, vid := range pool {
			var vorg int64
			if err := q.QueryRow(ctx, "SELECT org_id FROM fleet_vehicles WHERE id = ?", vid).Scan(&vorg); err != nil {
				return err
			}
			for _, c := range []struct {
				kind, date, note string
				fen              int64
			}{{"maintenance", day(-20 - i*9), "定点维修厂例行保养", int64(68000 + i*5000)}, {"insurance", day(-60 - i*13), "定点保险续保", int64(410000 + i*20000)}} {
				if _, err := q.Exec(ctx, `INSERT INTO fleet_costs (vehicle_id, org_id, kind, amount_fen, cost_date, odometer_km, note, created_at)
					VALUES (?, ?, ?, ?, ?, 0, ?, ?)`, vid, vorg, c.kind, c.fen, c.date, c.note, now.Unix()); err != nil {
					return err
				}
			}
		}
		if err := s.loadDemoOps(ctx, q, now, at); err != nil {
			return fmt.Errorf("demo suppliers, fuel cards and hire pool: %w", err)
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "demo.load", ObjectType: "demo", ObjectKey: "公务用车", Success: true,
			Extra: map[string]any{"vehicles": len(vehicles), "drivers": len(drivers), "today": today}})
	})
	if err != nil {
		return err
	}
	_, err = s.Workflow.CreateChain(ctx, auth.Everything(), workflow.ChainInput{Type: wfTrip, Name: "用车申请审批",
		Note:  "用车人提交，机关事务管理部门公务用车管理员审批后派车",
		Steps: []workflow.StepInput{{Name: "公务用车管理员审批", Mode: workflow.ModeAny, Kind: workflow.KindRole, Role: "fleet_manager", Up: -1}}})
	if err != nil && !errs.Is(err, errs.CodeConflict) {
		return err
	}
	return s.demoRequests(ctx, at)
}

// demoRequests has the demo employee ask for three cars in the coming days: two wait for approval, the fleet
// manager approves the third, which waits for a vehicle.
func (s *Service) demoRequests(ctx context.Context, at func(d, hour, min int) time.Time) error {
	user := func(name string) (*auth.User, error) {
		var id int64
		if err := s.DB.QueryRow(ctx, "SELECT id FROM users WHERE username = ?", name).Scan(&id); err != nil {
			return nil, err
		}
		return s.Auth.VisibleUser(ctx, s.DB, auth.Everything(), id)
	}
	emp, err := user("employee")
	if db.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	mgr, err := user("fleet")
	if db.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	sc := auth.Scope{Kind: auth.ScopeSelf, OrgID: emp.ScopeOrgID, PersonID: emp.PersonID}
	ectx := auth.WithUser(audit.WithActor(ctx, audit.Actor{Username: emp.Login}), emp, sc)
	reqs := []TripInput{
		{Purpose: "赴松岭镇中心学校检查校舍安全", Passengers: 2, Origin: "松岭县教育局", Destination: "松岭镇中心学校"},
		{Purpose: "参加全市教育系统节能培训", Passengers: 1, Origin: "松岭县教育局", Destination: "青山市教育局"},
		{Purpose: "送考务材料至林场乡考点", Passengers: 3, Origin: "松岭县教育局", Destination: "林场乡中学"},
	}
	for i, in := range reqs {
		in.StartAt = at(1+i, 9, 0).Format(time.RFC3339)
		in.EndAt = at(1+i, 12+i, 0).Format(time.RFC3339)
		t, err := s.CreateTrip(ectx, sc, in)
		if err != nil {
			return fmt.Errorf("demo trip request: %w", err)
		}
		if i == 2 {
			msc, err := s.Auth.SubtreeScope(ctx, s.DB, mgr.ScopeOrgID)
			if err != nil {
				return err
			}
			mctx := auth.WithUser(audit.WithActor(ctx, audit.Actor{Username: mgr.Login}), mgr, msc)
			if _, err := s.DecideTrip(mctx, msc, t.ID, true, "同意，请安排车辆"); err != nil {
				return fmt.Errorf("demo approval: %w", err)
			}
		}
	}
	return nil
}
