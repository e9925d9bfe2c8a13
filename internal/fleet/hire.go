package fleet

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
)

// 社会化保障 (docs/domain/vehicles.md §Hire pool): contracts with car-hire companies are the second pool. A contract
// belongs to the unit that signed it and serves that unit and the units below it, over its term; its vehicles and
// drivers are offered on the dispatch board and in the suggestions when no own vehicle fits; a trip dispatched to a
// hire vehicle is settled monthly per contract at the contract's prices (HireCharge in rules.go).

// HireContract is a contract with a car-hire company.
type HireContract struct {
	ID            int64         `json:"id"`
	OrgID         int64         `json:"org_id" doc:"签订合同的单位（服务本单位及下级单位）"`
	OrgName       string        `json:"org_name"`
	Company       string        `json:"company" doc:"汽车租赁（服务）公司"`
	ContractNo    string        `json:"contract_no"`
	ValidFrom     string        `json:"valid_from"`
	ValidTo       string        `json:"valid_to"`
	PriceKMYuan   float64       `json:"price_km_yuan" doc:"每公里价格（元），0 为不按里程计费"`
	PriceHourYuan float64       `json:"price_hour_yuan" doc:"每小时价格（元），0 为不按小时计费"`
	PriceDayYuan  float64       `json:"price_day_yuan" doc:"每天价格（元），0 为不按天计费"`
	Phone         string        `json:"phone"`
	Note          string        `json:"note"`
	Vehicles      []HireVehicle `json:"vehicles,omitempty"`
	Drivers       []HireDriver  `json:"drivers,omitempty"`
	CreatedAt     time.Time     `json:"created_at"`
}

// Term is the contract's term as one line.
func (c HireContract) Term() string { return c.ValidFrom + " 至 " + c.ValidTo }

// ValidOn reports whether the contract is in force on day.
func (c HireContract) ValidOn(day string) bool { return c.ValidFrom <= day && day <= c.ValidTo }

// HireVehicle is a vehicle of a hire contract.
type HireVehicle struct {
	ID         int64  `json:"id"`
	ContractID int64  `json:"contract_id"`
	Plate      string `json:"plate"`
	Model      string `json:"model"`
	FuelType   string `json:"fuel_type"`
	Seats      int    `json:"seats"`
	Status     string `json:"status" doc:"active · inactive"`
}

// HireDriver is a driver of a hire contract.
type HireDriver struct {
	ID           int64  `json:"id"`
	ContractID   int64  `json:"contract_id"`
	Name         string `json:"name"`
	Phone        string `json:"phone"`
	LicenseClass string `json:"license_class"`
	Status       string `json:"status" doc:"active · inactive"`
}

const hireCols = `c.id, c.org_id, o.name, c.company, c.contract_no, c.valid_from, c.valid_to, c.price_km_fen, c.price_hour_fen, c.price_day_fen, c.phone, c.note, c.created_at`
const hireFrom = " FROM fleet_hire_contracts c JOIN orgs o ON o.id = c.org_id"

func scanHire(s db.Scanner) (HireContract, error) {
	var c HireContract
	var km, h, d, at int64
	err := s.Scan(&c.ID, &c.OrgID, &c.OrgName, &c.Company, &c.ContractNo, &c.ValidFrom, &c.ValidTo, &km, &h, &d, &c.Phone, &c.Note, &at)
	c.PriceKMYuan, c.PriceHourYuan, c.PriceDayYuan, c.CreatedAt = yuan(km), yuan(h), yuan(d), db.FromUnix(at)
	return c, err
}

// ListHireContracts lists the contracts in scope.
func ListHireContracts(ctx context.Context, q db.Q, sc auth.Scope) ([]HireContract, error) {
	cond, args := sc.OrgCond("c.org_id")
	return db.Select(ctx, q, scanHire, "SELECT "+hireCols+hireFrom+" WHERE "+cond+" ORDER BY c.valid_to DESC, c.id", args...)
}

// GetHireContract loads a contract in scope with its vehicles and drivers (404 otherwise).
func GetHireContract(ctx context.Context, q db.Q, sc auth.Scope, id int64) (HireContract, error) {
	cond, args := sc.OrgCond("c.org_id")
	c, err := scanHire(q.QueryRow(ctx, "SELECT "+hireCols+hireFrom+" WHERE c.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return c, errs.NotFound("社会化保障合同")
	}
	if err != nil {
		return c, err
	}
	if c.Vehicles, err = db.Select(ctx, q, func(s db.Scanner) (HireVehicle, error) {
		var v HireVehicle
		return v, s.Scan(&v.ID, &v.ContractID, &v.Plate, &v.Model, &v.FuelType, &v.Seats, &v.Status)
	}, "SELECT id, contract_id, plate, model, fuel_type, seats, status FROM fleet_hire_vehicles WHERE contract_id = ? ORDER BY plate", id); err != nil {
		return c, err
	}
	c.Drivers, err = db.Select(ctx, q, func(s db.Scanner) (HireDriver, error) {
		var d HireDriver
		return d, s.Scan(&d.ID, &d.ContractID, &d.Name, &d.Phone, &d.LicenseClass, &d.Status)
	}, "SELECT id, contract_id, name, phone, license_class, status FROM fleet_hire_drivers WHERE contract_id = ? ORDER BY name, id", id)
	return c, err
}

// HireContractInput is the body of POST /api/v1/fleet/hire-contracts.
type HireContractInput struct {
	OrgID         int64   `json:"org_id"`
	Company       string  `json:"company"`
	ContractNo    string  `json:"contract_no"`
	ValidFrom     string  `json:"valid_from"`
	ValidTo       string  `json:"valid_to"`
	PriceKMYuan   float64 `json:"price_km_yuan,omitempty"`
	PriceHourYuan float64 `json:"price_hour_yuan,omitempty"`
	PriceDayYuan  float64 `json:"price_day_yuan,omitempty"`
	Phone         string  `json:"phone,omitempty"`
	Note          string  `json:"note,omitempty"`
}

// CreateHireContract records a contract of a unit in scope; a contract number used twice is a 409.
func (s *Service) CreateHireContract(ctx context.Context, sc auth.Scope, in HireContractInput) (HireContract, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	if in.OrgID <= 0 {
		f.Add("org_id", "请选择签订合同的单位")
	}
	text(f, "company", &in.Company, 100, true, "公司名称")
	text(f, "contract_no", &in.ContractNo, 60, true, "合同编号")
	date(f, "valid_from", &in.ValidFrom, true, "合同期限起")
	date(f, "valid_to", &in.ValidTo, true, "合同期限止")
	if !f.Has("valid_from") && !f.Has("valid_to") && in.ValidTo < in.ValidFrom {
		f.Add("valid_to", "合同期限止不能早于起始日期")
	}
	money(f, "price_km_yuan", in.PriceKMYuan, "每公里价格")
	money(f, "price_hour_yuan", in.PriceHourYuan, "每小时价格")
	money(f, "price_day_yuan", in.PriceDayYuan, "每天价格")
	if len(f) == 0 && fen(in.PriceKMYuan)+fen(in.PriceHourYuan)+fen(in.PriceDayYuan) == 0 {
		f.Add("price_km_yuan", "请至少填写一种合同价格（每公里、每小时或每天）")
	}
	phone(f, "phone", &in.Phone, "联系电话")
	text(f, "note", &in.Note, 200, false, "备注")
	if err := f.Err(); err != nil {
		return HireContract{}, err
	}
	var out HireContract
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
			return err
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO fleet_hire_contracts (org_id, company, contract_no, valid_from, valid_to, price_km_fen, price_hour_fen, price_day_fen,
			phone, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.OrgID, in.Company, in.ContractNo, in.ValidFrom, in.ValidTo,
			fen(in.PriceKMYuan), fen(in.PriceHourYuan), fen(in.PriceDayYuan), in.Phone, in.Note, now.Unix(), now.Unix())
		if db.IsUnique(err) {
			return &errs.Error{Code: errs.CodeConflict, Message: "合同编号 " + in.ContractNo + " 已登记", Fields: map[string]string{"contract_no": "已登记"}}
		}
		if err != nil {
			return err
		}
		if out, err = GetHireContract(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objHire, id, "create", "登记社会化保障合同："+out.Company+" "+out.ContractNo+"（"+out.Term()+"）"); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "fleet.hire.create", ObjectType: objHire, ObjectID: id, OrgID: in.OrgID, Success: true, After: out})
	})
	return out, err
}

// HireVehicleInput is the body of POST /api/v1/fleet/hire-contracts/{id}/vehicles.
type HireVehicleInput struct {
	Plate    string `json:"plate"`
	Model    string `json:"model,omitempty"`
	FuelType string `json:"fuel_type"`
	Seats    int    `json:"seats"`
}

// AddHireVehicle adds a vehicle to a contract in scope; a plate twice in one contract is a 409.
func (s *Service) AddHireVehicle(ctx context.Context, sc auth.Scope, contractID int64, in HireVehicleInput) (HireVehicle, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	in.Plate = NormalizePlate(in.Plate)
	if in.Plate == "" {
		f.Add("plate", "请填写车牌号")
	} else if kind, why := PlateKind(in.Plate); kind == "" {
		f.Add("plate", why)
	}
	text(f, "model", &in.Model, 60, false, "品牌型号")
	checkEnum(f, "fuel_type", &in.FuelType, FuelTypes, true, "能源类型")
	if in.Seats < 1 || in.Seats > 80 {
		f.Add("seats", "座位数应为 1–80")
	}
	if err := f.Err(); err != nil {
		return HireVehicle{}, err
	}
	var out HireVehicle
	err := s.DB.Tx(ctx, func(q db.Q) error {
		c, err := GetHireContract(ctx, q, sc, contractID)
		if err != nil {
			return err
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO fleet_hire_vehicles (contract_id, plate, model, fuel_type, seats, status, created_at)
			VALUES (?, ?, ?, ?, ?, 'active', ?) RETURNING id`, c.ID, in.Plate, in.Model, in.FuelType, in.Seats, now.Unix())
		if db.IsUnique(err) {
			return &errs.Error{Code: errs.CodeConflict, Message: "该合同已登记车辆 " + in.Plate, Fields: map[string]string{"plate": "已登记"}}
		}
		if err != nil {
			return err
		}
		out = HireVehicle{ID: id, ContractID: c.ID, Plate: in.Plate, Model: in.Model, FuelType: in.FuelType, Seats: in.Seats, Status: "active"}
		if err := history.Record(ctx, q, now, objHire, c.ID, "vehicle", fmt.Sprintf("登记车辆 %s（%d 座）", in.Plate, in.Seats)); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "fleet.hire.vehicle", ObjectType: objHire, ObjectID: c.ID, OrgID: c.OrgID, Success: true, After: out})
	})
	return out, err
}

// HireDriverInput is the body of POST /api/v1/fleet/hire-contracts/{id}/drivers.
type HireDriverInput struct {
	Name         string `json:"name"`
	Phone        string `json:"phone,omitempty"`
	LicenseClass string `json:"license_class"`
}

// AddHireDriver adds a driver to a contract in scope.
func (s *Service) AddHireDriver(ctx context.Context, sc auth.Scope, contractID int64, in HireDriverInput) (HireDriver, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	text(f, "name", &in.Name, 40, true, "姓名")
	phone(f, "phone", &in.Phone, "电话")
	checkEnum(f, "license_class", &in.LicenseClass, LicenseClasses, true, "准驾车型")
	if err := f.Err(); err != nil {
		return HireDriver{}, err
	}
	var out HireDriver
	err := s.DB.Tx(ctx, func(q db.Q) error {
		c, err := GetHireContract(ctx, q, sc, contractID)
		if err != nil {
			return err
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO fleet_hire_drivers (contract_id, name, phone, license_class, status, created_at) VALUES (?, ?, ?, ?, 'active', ?) RETURNING id`,
			c.ID, in.Name, in.Phone, in.LicenseClass, now.Unix())
		if err != nil {
			return err
		}
		out = HireDriver{ID: id, ContractID: c.ID, Name: in.Name, Phone: in.Phone, LicenseClass: in.LicenseClass, Status: "active"}
		if err := history.Record(ctx, q, now, objHire, c.ID, "driver", "登记驾驶员 "+in.Name+"（"+in.LicenseClass+"）"); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "fleet.hire.driver", ObjectType: objHire, ObjectID: c.ID, OrgID: c.OrgID, Success: true, After: out})
	})
	return out, err
}

// HireSuggestion is a free hire vehicle that fits a trip.
type HireSuggestion struct {
	HireVehicleID int64  `json:"hire_vehicle_id"`
	ContractID    int64  `json:"contract_id"`
	Company       string `json:"company"`
	Plate         string `json:"plate"`
	Seats         int    `json:"seats"`
	FuelType      string `json:"fuel_type"`
	NewEnergy     bool   `json:"new_energy"`
	Label         string `json:"label"`
}

// HireFreeDriver is a hire driver free at the trip's time.
type HireFreeDriver struct {
	HireDriverID int64  `json:"hire_driver_id"`
	ContractID   int64  `json:"contract_id"`
	Company      string `json:"company"`
	Name         string `json:"name"`
	LicenseClass string `json:"license_class"`
}

// hireServes is the condition that contract c serves the trip's unit (path) over the trip's days and is in scope.
func hireServes(sc auth.Scope, path string, t Trip) (string, []any) {
	pc, pargs := pool(path, "c.org_id")
	cond, args := sc.OrgCond("c.org_id")
	return pc + " AND " + cond + " AND c.valid_from <= ? AND c.valid_to >= ?", append(append(pargs, args...), dateOf(t.StartAt), dateOf(t.EndAt))
}

// SuggestHire lists the hire vehicles and drivers free for trip t, of the contracts in scope that serve its unit
// over its days: vehicles with enough seats, new-energy first, then the fewest spare seats.
func SuggestHire(ctx context.Context, q db.Q, sc auth.Scope, t Trip, limit int) ([]HireSuggestion, []HireFreeDriver, error) {
	var path string
	if err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", t.OrgID).Scan(&path); err != nil {
		return nil, nil, err
	}
	serve, args := hireServes(sc, path, t)
	vs, err := db.Select(ctx, q, func(s db.Scanner) (HireSuggestion, error) {
		var x HireSuggestion
		var model string
		err := s.Scan(&x.HireVehicleID, &x.ContractID, &x.Company, &x.Plate, &model, &x.Seats, &x.FuelType)
		x.NewEnergy = NewEnergy(x.FuelType)
		x.Label = x.Plate
		if model != "" {
			x.Label += "（" + model + "）"
		}
		return x, err
	}, `SELECT v.id, c.id, c.company, v.plate, v.model, v.seats, v.fuel_type FROM fleet_hire_vehicles v JOIN fleet_hire_contracts c ON c.id = v.contract_id
		WHERE v.status = 'active' AND v.seats >= ? AND `+serve+`
		AND NOT EXISTS (SELECT 1 FROM fleet_trips t WHERE t.hire_vehicle_id = v.id AND t.status IN ('dispatched', 'in_progress') AND t.start_at < ? AND t.end_at > ? AND t.id <> ?)
		ORDER BY CASE WHEN v.fuel_type IN ('electric', 'plug_in_hybrid') THEN 0 ELSE 1 END, v.seats, v.plate LIMIT ?`,
		append(append([]any{t.Passengers + 1}, args...), t.EndAt.Unix(), t.StartAt.Unix(), t.ID, limit)...)
	if err != nil {
		return nil, nil, err
	}
	ds, err := db.Select(ctx, q, func(s db.Scanner) (HireFreeDriver, error) {
		var d HireFreeDriver
		return d, s.Scan(&d.HireDriverID, &d.ContractID, &d.Company, &d.Name, &d.LicenseClass)
	}, `SELECT d.id, c.id, c.company, d.name, d.license_class FROM fleet_hire_drivers d JOIN fleet_hire_contracts c ON c.id = d.contract_id
		WHERE d.status = 'active' AND `+serve+`
		AND NOT EXISTS (SELECT 1 FROM fleet_trips t WHERE t.hire_driver_id = d.id AND t.status IN ('dispatched', 'in_progress') AND t.start_at < ? AND t.end_at > ? AND t.id <> ?)
		ORDER BY c.id, d.name, d.id LIMIT ?`, append(args, t.EndAt.Unix(), t.StartAt.Unix(), t.ID, limit)...)
	return vs, ds, err
}

// dispatchHire dispatches an approved trip to a hire vehicle and driver of one contract that serves the trip's unit
// over its days. Overlaps are refused as for own vehicles, after locking the hire vehicle's and then the driver's
// row.
func (s *Service) dispatchHire(ctx context.Context, sc auth.Scope, id int64, in DispatchInput) (Trip, error) {
	now := s.Clock.Now()
	var out Trip
	err := s.DB.Tx(ctx, func(q db.Q) error {
		t, err := GetTrip(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if _, err := TripMove(t.Status, "dispatch"); err != nil {
			return err
		}
		var path string
		if err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", t.OrgID).Scan(&path); err != nil {
			return err
		}
		cond, cargs := sc.OrgCond("c.org_id")
		var v HireVehicle
		var c HireContract
		err = q.QueryRow(ctx, `SELECT v.id, v.plate, v.seats, v.status, c.id, c.org_id, c.company, c.valid_from, c.valid_to FROM fleet_hire_vehicles v
			JOIN fleet_hire_contracts c ON c.id = v.contract_id WHERE v.id = ? AND `+cond, append([]any{in.HireVehicleID}, cargs...)...).
			Scan(&v.ID, &v.Plate, &v.Seats, &v.Status, &c.ID, &c.OrgID, &c.Company, &c.ValidFrom, &c.ValidTo)
		if db.IsNoRows(err) {
			return fieldErr(errs.NotFound("社会化保障车辆"), "hire_vehicle_id", "社会化保障车辆不存在或不在您的数据范围内")
		}
		if err != nil {
			return err
		}
		var d HireDriver
		err = q.QueryRow(ctx, "SELECT id, contract_id, name, status FROM fleet_hire_drivers WHERE id = ?", in.HireDriverID).Scan(&d.ID, &d.ContractID, &d.Name, &d.Status)
		if db.IsNoRows(err) || (err == nil && d.ContractID != c.ID) {
			return errs.Invalid("hire_driver_id", "请选择同一合同（"+c.Company+"）的驾驶员")
		}
		if err != nil {
			return err
		}
		if !strings.Contains(path, "/"+itoa(c.OrgID)+"/") {
			return errs.Invalid("hire_vehicle_id", "该合同（"+c.Company+"）不服务用车单位")
		}
		if !c.ValidOn(dateOf(t.StartAt)) || !c.ValidOn(dateOf(t.EndAt)) {
			return &errs.Error{Code: errs.CodeConflict, Message: "合同期限（" + c.Term() + "）不覆盖用车时间", Fields: map[string]string{"hire_vehicle_id": "合同不在期限内"}}
		}
		if v.Status != "active" || d.Status != "active" {
			return &errs.Error{Code: errs.CodeConflict, Message: "社会化保障车辆或驾驶员已停用", Fields: map[string]string{"hire_vehicle_id": "已停用"}}
		}
		if v.Seats < t.Passengers+1 {
			return errs.Invalid("hire_vehicle_id", fmt.Sprintf("车辆 %s 核定 %d 座，不够 %d 名乘车人和驾驶员", v.Plate, v.Seats, t.Passengers))
		}
		if _, err := q.Exec(ctx, "UPDATE fleet_hire_vehicles SET dispatch_seq = dispatch_seq + 1 WHERE id = ?", v.ID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "UPDATE fleet_hire_drivers SET dispatch_seq = dispatch_seq + 1 WHERE id = ?", d.ID); err != nil {
			return err
		}
		for _, chk := range []struct {
			col, field, who string
			ref             int64
		}{{"hire_vehicle_id", "hire_vehicle_id", "车辆 " + v.Plate, v.ID}, {"hire_driver_id", "hire_driver_id", "驾驶员 " + d.Name, d.ID}} {
			n, err := db.Count(ctx, q, `SELECT COUNT(*) FROM fleet_trips t WHERE t.`+chk.col+` = ? AND t.status IN ('dispatched', 'in_progress') AND t.start_at < ? AND t.end_at > ? AND t.id <> ?`,
				chk.ref, t.EndAt.Unix(), t.StartAt.Unix(), t.ID)
			if err != nil {
				return err
			}
			if n > 0 {
				return &errs.Error{Code: errs.CodeConflict, Message: chk.who + " 在该时段已有任务", Fields: map[string]string{chk.field: "该时段已派车"}}
			}
		}
		res, err := q.Exec(ctx, `UPDATE fleet_trips SET status = 'dispatched', hire_vehicle_id = ?, hire_driver_id = ?, dispatched_at = ?, updated_at = ?
			WHERE id = ? AND status = 'approved'`, v.ID, d.ID, now.Unix(), now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("用车申请状态已变化，请刷新后重试")
		}
		if out, err = GetTrip(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objTrip, id, "dispatch", "社会化保障派车："+c.Company+" "+v.Plate+"，驾驶员 "+d.Name); err != nil {
			return err
		}
		if err := audit.Record(ctx, q, now, audit.Entry{Action: "fleet.trip.dispatch", ObjectType: objTrip, ObjectID: id, OrgID: t.OrgID, Success: true,
			Before: map[string]any{"status": t.Status}, After: map[string]any{"status": out.Status, "hire_vehicle_id": v.ID, "plate": v.Plate, "hire_driver_id": d.ID,
				"hire_contract_id": c.ID}}); err != nil {
			return err
		}
		return s.tell(ctx, q, out, "已派车："+v.Plate+"（"+c.Company+"）", out.Window()+"，驾驶员 "+d.Name+"，"+t.Origin+" → "+t.Destination)
	})
	return out, err
}

// SettlementLine is a completed hire trip of the month with its charge.
type SettlementLine struct {
	TripID      int64   `json:"trip_id"`
	Date        string  `json:"date"`
	Plate       string  `json:"plate"`
	Driver      string  `json:"driver"`
	Requester   string  `json:"requester"`
	OrgName     string  `json:"org_name"`
	Destination string  `json:"destination"`
	DistanceKM  float64 `json:"distance_km"`
	Hours       float64 `json:"hours" doc:"批准的用车时段的小时数（向上取一位小数）"`
	Days        int     `json:"days" doc:"跨越的自然日数"`
	KMYuan      float64 `json:"km_yuan"`
	TimeYuan    float64 `json:"time_yuan"`
	AmountYuan  float64 `json:"amount_yuan"`
}

// Settlement is a contract's monthly settlement (按合同价格结算).
type Settlement struct {
	Contract   HireContract     `json:"contract"`
	Month      string           `json:"month"`
	Lines      []SettlementLine `json:"lines"`
	Trips      int              `json:"trips"`
	DistanceKM float64          `json:"distance_km"`
	Hours      float64          `json:"hours"`
	Days       int              `json:"days"`
	AmountYuan float64          `json:"amount_yuan"`
}

// HireSettlement settles a contract in scope for a month (YYYY-MM): its completed trips that started in the month.
func HireSettlement(ctx context.Context, q db.Q, sc auth.Scope, contractID int64, month string) (Settlement, error) {
	m, err := time.ParseInLocation("2006-01", month, clock.Shanghai)
	if err != nil || len(month) != 7 {
		return Settlement{}, errs.Invalid("month", "月份格式应为 YYYY-MM")
	}
	c, err := GetHireContract(ctx, q, sc, contractID)
	if err != nil {
		return Settlement{}, err
	}
	st := Settlement{Contract: c, Month: month, Lines: []SettlementLine{}}
	type row struct {
		l          SettlementLine
		start, end int64
	}
	rows, err := db.Select(ctx, q, func(s db.Scanner) (row, error) {
		var r row
		return r, s.Scan(&r.l.TripID, &r.l.Plate, &r.l.Driver, &r.l.Requester, &r.l.OrgName, &r.l.Destination, &r.l.DistanceKM, &r.start, &r.end)
	}, `SELECT t.id, hv.plate, COALESCE(hd.name, ''), p.name, o.name, t.destination, t.distance_km, t.start_at, t.end_at
		FROM fleet_trips t JOIN fleet_hire_vehicles hv ON hv.id = t.hire_vehicle_id LEFT JOIN fleet_hire_drivers hd ON hd.id = t.hire_driver_id
		JOIN people p ON p.id = t.requester_id JOIN orgs o ON o.id = t.org_id
		WHERE hv.contract_id = ? AND t.status = 'completed' AND t.start_at >= ? AND t.start_at < ? ORDER BY t.start_at, t.id`,
		c.ID, m.Unix(), m.AddDate(0, 1, 0).Unix())
	if err != nil {
		return st, err
	}
	var total int64
	for _, r := range rows {
		a, b := r.start, r.end // the approved window (docs/domain/vehicles.md §Hire pool)
		ta, tb := time.Unix(a, 0).In(clock.Shanghai), time.Unix(b, 0).In(clock.Shanghai)
		r.l.Date = ta.Format(time.DateOnly)
		r.l.Hours = float64(int64((tb.Sub(ta).Hours())*10+0.999)) / 10
		r.l.Days = 0
		for d := calendar.Midnight(ta); d.Before(tb); d = d.AddDate(0, 0, 1) {
			r.l.Days++
		}
		if r.l.Days == 0 {
			r.l.Days = 1
		}
		kmFen, timeFen := HireCharge(r.l.DistanceKM, r.l.Hours, r.l.Days, fen(c.PriceKMYuan), fen(c.PriceHourYuan), fen(c.PriceDayYuan))
		r.l.KMYuan, r.l.TimeYuan, r.l.AmountYuan = yuan(kmFen), yuan(timeFen), yuan(kmFen+timeFen)
		total += kmFen + timeFen
		st.Trips++
		st.DistanceKM += r.l.DistanceKM
		st.Hours += r.l.Hours
		st.Days += r.l.Days
		st.Lines = append(st.Lines, r.l)
	}
	st.DistanceKM, st.Hours, st.AmountYuan = roundKM(st.DistanceKM), roundKM(st.Hours), yuan(total)
	return st, nil
}
