package fleet

import (
	"context"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// Vehicle is a vehicle of the ledger (公务用车管理台账).
type Vehicle struct {
	ID               int64     `json:"id"`
	OrgID            int64     `json:"org_id" doc:"产权单位（车辆登记在其名下的单位）"`
	OrgName          string    `json:"org_name"`
	Plate            string    `json:"plate" doc:"车牌号，如 京A12345；新能源车 8 位，如 粤BD12345"`
	NewEnergy        bool      `json:"new_energy" doc:"纯电动或插电式混合动力"`
	Category         string    `json:"category" doc:"confidential 机要通信 · emergency 应急保障 · law_enforcement 执法执勤 · special 特种专业技术 · other 其他"`
	FuelType         string    `json:"fuel_type" doc:"gasoline · diesel · electric · plug_in_hybrid · hybrid"`
	BodyType         string    `json:"body_type" doc:"sedan · suv · mpv · bus · other"`
	DisplacementL    float64   `json:"displacement_l"`
	PriceYuan        float64   `json:"price_yuan" doc:"购置价格（不含车辆购置税）"`
	Brand            string    `json:"brand"`
	Model            string    `json:"model"`
	VIN              string    `json:"vin" doc:"车辆识别代号（17 位，校验第 9 位）"`
	Domestic         bool      `json:"domestic" doc:"国产汽车"`
	Seats            int       `json:"seats" doc:"核定座位数（含驾驶员）"`
	PurchaseDate     string    `json:"purchase_date"`
	OdometerKM       float64   `json:"odometer_km"`
	Status           string    `json:"status" doc:"in_use 在用 · sealed 封存 · disposed 已处置"`
	FixedLeader      bool      `json:"fixed_leader" doc:"领导干部固定用车"`
	MarkColor        string    `json:"mark_color" doc:"标识颜色：red · yellow · blue · green"`
	MarkCode         string    `json:"mark_code" doc:"标识编码"`
	SupervisionPhone string    `json:"supervision_phone" doc:"监督电话"`
	ParkingSpot      string    `json:"parking_spot" doc:"定点停放位置"`
	ParkingRadiusM   int       `json:"parking_radius_m"`
	TerminalPhone    string    `json:"terminal_phone" doc:"车载终端手机号（JT/T 808）"`
	InsuranceDue     string    `json:"insurance_due"`
	InspectionDue    string    `json:"inspection_due"`
	MaintenanceDue   string    `json:"maintenance_due"`
	Note             string    `json:"note"`
	HolidaySeal      bool      `json:"holiday_seal" doc:"节假日封存：法定节假日放假期间只派给经批准的紧急用车"`
	RegisteredOrgID  int64     `json:"registered_org_id,omitempty" doc:"行驶证登记单位（与产权单位不同时）"`
	RegisteredOrg    string    `json:"registered_org,omitempty"`
	RegisteredName   string    `json:"registered_name,omitempty" doc:"行驶证登记的单位外企业或个人（与产权单位不同时）"`
	FuelCardNo       string    `json:"fuel_card_no" doc:"加油（充电）卡号：导入加油卡对账单时按卡号匹配车辆"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Names for templates.
func (v Vehicle) CategoryName() string  { return Categories.Name(v.Category) }
func (v Vehicle) FuelName() string      { return FuelTypes.Name(v.FuelType) }
func (v Vehicle) BodyName() string      { return BodyTypes.Name(v.BodyType) }
func (v Vehicle) StatusName() string    { return VehicleStatuses.Name(v.Status) }
func (v Vehicle) MarkColorName() string { return MarkColors.Name(v.MarkColor) }

// Registered is whom the registration names when that is not the owning unit ("" when it is).
func (v Vehicle) Registered() string {
	return strings.Trim(strings.Join([]string{v.RegisteredOrg, v.RegisteredName}, "、"), "、")
}

// Label is the plate and the make, as lists show a vehicle.
func (v Vehicle) Label() string {
	if v.Brand == "" && v.Model == "" {
		return v.Plate
	}
	return v.Plate + "（" + v.Brand + v.Model + "）"
}

const vehicleCols = `v.id, v.org_id, o.name, v.plate, v.category, v.fuel_type, v.body_type, v.displacement_l, v.price_fen, v.brand, v.model, v.vin,
	v.domestic, v.seats, v.purchase_date, v.odometer_km, v.status, v.fixed_leader, v.mark_color, v.mark_code, v.supervision_phone, v.parking_spot,
	v.parking_radius_m, v.terminal_phone, v.insurance_due, v.inspection_due, v.maintenance_due, v.note, v.created_at, v.updated_at, v.holiday_seal,
	COALESCE(v.registered_org_id, 0), COALESCE(ro.name, ''), v.registered_name, v.fuel_card_no`

const vehicleFrom = " FROM fleet_vehicles v JOIN orgs o ON o.id = v.org_id LEFT JOIN orgs ro ON ro.id = v.registered_org_id"

func scanVehicle(s db.Scanner) (Vehicle, error) {
	var v Vehicle
	var price, c, u int64
	var dom, lead, seal int
	err := s.Scan(&v.ID, &v.OrgID, &v.OrgName, &v.Plate, &v.Category, &v.FuelType, &v.BodyType, &v.DisplacementL, &price, &v.Brand, &v.Model, &v.VIN,
		&dom, &v.Seats, &v.PurchaseDate, &v.OdometerKM, &v.Status, &lead, &v.MarkColor, &v.MarkCode, &v.SupervisionPhone, &v.ParkingSpot,
		&v.ParkingRadiusM, &v.TerminalPhone, &v.InsuranceDue, &v.InspectionDue, &v.MaintenanceDue, &v.Note, &c, &u, &seal, &v.RegisteredOrgID, &v.RegisteredOrg,
		&v.RegisteredName, &v.FuelCardNo)
	v.HolidaySeal = seal == 1
	v.PriceYuan, v.Domestic, v.FixedLeader, v.NewEnergy = yuan(price), dom == 1, lead == 1, NewEnergy(v.FuelType)
	v.CreatedAt, v.UpdatedAt = db.FromUnix(c), db.FromUnix(u)
	return v, err
}

// GetVehicle loads a vehicle in the caller's scope (404 otherwise).
func GetVehicle(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Vehicle, error) {
	cond, args := sc.OrgCond("v.org_id")
	v, err := scanVehicle(q.QueryRow(ctx, "SELECT "+vehicleCols+vehicleFrom+" WHERE v.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return v, errs.NotFound("车辆")
	}
	return v, err
}

// VehicleFilter narrows the ledger.
type VehicleFilter struct {
	List     web.List
	OrgID    int64 // the unit and its subtree
	Category string
	Status   string
	Fuel     string // a fuel type, or "nev" for all new-energy vehicles
}

// ListVehicles lists the ledger in scope.
func ListVehicles(ctx context.Context, q db.Q, sc auth.Scope, f VehicleFilter) ([]Vehicle, int64, error) {
	cond, args := sc.OrgCond("v.org_id")
	w := " WHERE " + cond
	if f.OrgID > 0 {
		c, a, err := subtreeCond(ctx, q, sc, f.OrgID, "v.org_id")
		if err != nil {
			return nil, 0, err
		}
		w, args = w+" AND "+c, append(args, a...)
	}
	if f.Category != "" {
		if !Categories.Has(f.Category) {
			return nil, 0, errs.Invalid("category", "类别应为 "+Categories.Described())
		}
		w, args = w+" AND v.category = ?", append(args, f.Category)
	}
	if f.Status != "" {
		if !VehicleStatuses.Has(f.Status) {
			return nil, 0, errs.Invalid("status", "状态应为 in_use、sealed 或 disposed")
		}
		w, args = w+" AND v.status = ?", append(args, f.Status)
	}
	switch {
	case f.Fuel == "nev":
		w += " AND v.fuel_type IN ('electric', 'plug_in_hybrid')"
	case f.Fuel != "":
		if !FuelTypes.Has(f.Fuel) {
			return nil, 0, errs.Invalid("fuel_type", "能源类型应为 "+FuelTypes.Described()+" 或 nev")
		}
		w, args = w+" AND v.fuel_type = ?", append(args, f.Fuel)
	}
	if f.List.Q != "" {
		w += ` AND (UPPER(v.plate) LIKE ? ESCAPE '\' OR LOWER(v.brand) LIKE ? ESCAPE '\' OR LOWER(v.model) LIKE ? ESCAPE '\' OR LOWER(o.name) LIKE ? ESCAPE '\')`
		like := db.LikeContains(f.List.Q)
		args = append(args, db.LikeContains(NormalizePlate(f.List.Q)), like, like, like)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+vehicleFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	order := f.List.OrderBy(map[string]string{"plate": "v.plate", "org": "o.path, v.plate", "purchase": "v.purchase_date", "price": "v.price_fen"}, "o.path, v.plate")
	rows, err := db.Select(ctx, q, scanVehicle, "SELECT "+vehicleCols+vehicleFrom+w+" ORDER BY "+order+", v.id LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// VehicleInput is the body of POST /api/v1/vehicles (and, over the current values, of PATCH).
type VehicleInput struct {
	OrgID            int64   `json:"org_id"`
	Plate            string  `json:"plate"`
	Category         string  `json:"category"`
	FuelType         string  `json:"fuel_type"`
	BodyType         string  `json:"body_type"`
	DisplacementL    float64 `json:"displacement_l"`
	PriceYuan        float64 `json:"price_yuan"`
	PurchaseDate     string  `json:"purchase_date"`
	Seats            int     `json:"seats"`
	TerminalPhone    string  `json:"terminal_phone,omitempty"`
	Brand            string  `json:"brand,omitempty"`
	Model            string  `json:"model,omitempty"`
	VIN              string  `json:"vin,omitempty"`
	Domestic         *bool   `json:"domestic,omitempty" doc:"默认 true"`
	OdometerKM       float64 `json:"odometer_km,omitempty"`
	Status           string  `json:"status,omitempty" doc:"默认 in_use"`
	FixedLeader      bool    `json:"fixed_leader,omitempty"`
	MarkColor        string  `json:"mark_color,omitempty"`
	MarkCode         string  `json:"mark_code,omitempty"`
	SupervisionPhone string  `json:"supervision_phone,omitempty"`
	ParkingSpot      string  `json:"parking_spot,omitempty"`
	ParkingRadiusM   *int    `json:"parking_radius_m,omitempty" doc:"默认 50"`
	InsuranceDue     string  `json:"insurance_due,omitempty"`
	InspectionDue    string  `json:"inspection_due,omitempty"`
	MaintenanceDue   string  `json:"maintenance_due,omitempty"`
	Note             string  `json:"note,omitempty"`
	HolidaySeal      bool    `json:"holiday_seal,omitempty" doc:"节假日封存"`
	RegisteredOrgID  int64   `json:"registered_org_id,omitempty" doc:"行驶证登记单位，与产权单位相同时不填"`
	RegisteredName   string  `json:"registered_name,omitempty" doc:"行驶证登记的单位外企业或个人，与产权单位相同时不填"`
	FuelCardNo       string  `json:"fuel_card_no,omitempty" doc:"加油（充电）卡号"`
}

// inputOf is a vehicle as an input (the starting point of a PATCH and of the edit form).
func inputOf(v Vehicle) VehicleInput {
	dom, r := v.Domestic, v.ParkingRadiusM
	return VehicleInput{OrgID: v.OrgID, Plate: v.Plate, Category: v.Category, FuelType: v.FuelType, BodyType: v.BodyType, DisplacementL: v.DisplacementL,
		PriceYuan: v.PriceYuan, PurchaseDate: v.PurchaseDate, Seats: v.Seats, TerminalPhone: v.TerminalPhone, Brand: v.Brand, Model: v.Model, VIN: v.VIN,
		Domestic: &dom, OdometerKM: v.OdometerKM, Status: v.Status, FixedLeader: v.FixedLeader, MarkColor: v.MarkColor, MarkCode: v.MarkCode,
		SupervisionPhone: v.SupervisionPhone, ParkingSpot: v.ParkingSpot, ParkingRadiusM: &r, InsuranceDue: v.InsuranceDue, InspectionDue: v.InspectionDue,
		MaintenanceDue: v.MaintenanceDue, Note: v.Note, HolidaySeal: v.HolidaySeal, RegisteredOrgID: v.RegisteredOrgID, RegisteredName: v.RegisteredName,
		FuelCardNo: v.FuelCardNo}
}

// check validates and normalises the input; f collects the fields' messages.
func (in *VehicleInput) check(f errs.Fields, today string) {
	in.Plate = NormalizePlate(in.Plate)
	if in.Plate == "" {
		f.Add("plate", "请填写车牌号")
	} else if kind, why := PlateKind(in.Plate); kind == "" {
		f.Add("plate", why)
	} else if kind == "new_energy" && in.FuelType != "" && !NewEnergy(in.FuelType) {
		f.Add("plate", "新能源号牌（绿牌）只核发给纯电动或插电式混合动力车，请核对车牌号或能源类型")
	}
	if in.OrgID <= 0 {
		f.Add("org_id", "请选择产权单位")
	}
	checkEnum(f, "category", &in.Category, Categories, true, "车辆类别")
	checkEnum(f, "fuel_type", &in.FuelType, FuelTypes, true, "能源类型")
	checkEnum(f, "body_type", &in.BodyType, BodyTypes, true, "车身类型")
	number(f, "displacement_l", in.DisplacementL, 20, "排气量", "升")
	if in.FuelType == "electric" && in.DisplacementL > 0 {
		f.Add("displacement_l", "纯电动车没有排气量，请填 0")
	} else if in.FuelType != "" && in.FuelType != "electric" && in.DisplacementL <= 0 && !f.Has("displacement_l") {
		f.Add("displacement_l", "请填写排气量（升）")
	}
	money(f, "price_yuan", in.PriceYuan, "购置价格")
	date(f, "purchase_date", &in.PurchaseDate, true, "购置日期")
	if in.PurchaseDate > today && !f.Has("purchase_date") {
		f.Add("purchase_date", "购置日期不能晚于今天")
	}
	if in.Seats < 1 || in.Seats > 80 {
		f.Add("seats", "座位数应为 1–80")
	}
	phone(f, "terminal_phone", &in.TerminalPhone, "终端手机号")
	phone(f, "supervision_phone", &in.SupervisionPhone, "监督电话")
	text(f, "brand", &in.Brand, 40, false, "品牌")
	text(f, "model", &in.Model, 60, false, "型号")
	in.VIN = NormalizePlate(in.VIN)
	if why := CheckVIN(in.VIN); why != "" {
		f.Add("vin", why)
	}
	number(f, "odometer_km", in.OdometerKM, 5e6, "里程表读数", "公里")
	if in.Status == "" {
		in.Status = "in_use"
	}
	checkEnum(f, "status", &in.Status, VehicleStatuses, true, "状态")
	checkEnum(f, "mark_color", &in.MarkColor, MarkColors, false, "标识颜色")
	text(f, "mark_code", &in.MarkCode, 40, false, "标识编码")
	text(f, "parking_spot", &in.ParkingSpot, 100, false, "定点停放位置")
	if in.Domestic == nil {
		t := true
		in.Domestic = &t
	}
	if in.ParkingRadiusM == nil {
		r := 50
		in.ParkingRadiusM = &r
	} else if *in.ParkingRadiusM < 0 || *in.ParkingRadiusM > 10000 {
		f.Add("parking_radius_m", "停放半径应为 0–10000 米")
	}
	date(f, "insurance_due", &in.InsuranceDue, false, "保险到期日")
	date(f, "inspection_due", &in.InspectionDue, false, "年检到期日")
	date(f, "maintenance_due", &in.MaintenanceDue, false, "保养到期日")
	text(f, "note", &in.Note, 500, false, "备注")
	text(f, "registered_name", &in.RegisteredName, 100, false, "行驶证登记所有人")
	if in.RegisteredOrgID < 0 {
		f.Add("registered_org_id", "登记单位无效")
	}
	if in.RegisteredOrgID == in.OrgID {
		in.RegisteredOrgID = 0
	}
	in.FuelCardNo = NormalizeCard(in.FuelCardNo)
	if len(in.FuelCardNo) > 30 {
		f.Add("fuel_card_no", "加油卡号不超过 30 位")
	}
}

// registeredArg is the registration unit as the column stores it (NULL for the owner itself).
func (in VehicleInput) registeredArg() any {
	if in.RegisteredOrgID == 0 {
		return nil
	}
	return in.RegisteredOrgID
}

func (in VehicleInput) args() []any {
	return []any{in.OrgID, in.Plate, in.Category, in.FuelType, in.BodyType, in.DisplacementL, fen(in.PriceYuan), in.Brand, in.Model, in.VIN,
		boolInt(*in.Domestic), in.Seats, in.PurchaseDate, in.OdometerKM, in.Status, boolInt(in.FixedLeader), in.MarkColor, in.MarkCode,
		in.SupervisionPhone, in.ParkingSpot, *in.ParkingRadiusM, in.TerminalPhone, in.InsuranceDue, in.InspectionDue, in.MaintenanceDue, in.Note,
		boolInt(in.HolidaySeal), in.registeredArg(), in.RegisteredName, in.FuelCardNo}
}

func duplicatePlate(plate string) error {
	return &errs.Error{Code: errs.CodeConflict, Message: "车牌号 " + plate + " 已登记", Fields: map[string]string{"plate": "该车牌号已登记"}}
}

// CreateVehicle registers a vehicle to a unit in the caller's scope; a plate already registered is a 409.
func (s *Service) CreateVehicle(ctx context.Context, sc auth.Scope, in VehicleInput) (Vehicle, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	in.check(f, s.today())
	if err := f.Err(); err != nil {
		return Vehicle{}, err
	}
	var out Vehicle
	err := s.DB.Tx(ctx, func(q db.Q) error {
		var err error
		out, err = s.createVehicleTx(ctx, q, sc, in, now)
		return err
	})
	return out, err
}

// createVehicleTx registers a checked vehicle input in the transaction q.
func (s *Service) createVehicleTx(ctx context.Context, q db.Q, sc auth.Scope, in VehicleInput, now time.Time) (Vehicle, error) {
	var out Vehicle
	err := func() error {
		if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
			return err
		}
		if in.RegisteredOrgID != 0 {
			if err := checkOrg(ctx, q, sc, in.RegisteredOrgID, "registered_org_id"); err != nil {
				return err
			}
		}
		n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM fleet_vehicles WHERE plate = ?", in.Plate)
		if err != nil {
			return err
		}
		if n > 0 {
			return duplicatePlate(in.Plate)
		}
		if err := checkCardFree(ctx, q, in.FuelCardNo, 0); err != nil {
			return err
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO fleet_vehicles (org_id, plate, category, fuel_type, body_type, displacement_l, price_fen, brand, model, vin,
			domestic, seats, purchase_date, odometer_km, status, fixed_leader, mark_color, mark_code, supervision_phone, parking_spot, parking_radius_m,
			terminal_phone, insurance_due, inspection_due, maintenance_due, note, holiday_seal, registered_org_id, registered_name, fuel_card_no, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			append(in.args(), now.Unix(), now.Unix())...)
		if db.IsUnique(err) {
			return duplicateOf(ctx, q, in, 0)
		}
		if err != nil {
			return err
		}
		if out, err = GetVehicle(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objVehicle, id, "create", "登记车辆 "+out.Plate+"（"+out.CategoryName()+"，"+out.OrgName+"）"); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "fleet.vehicle.create", ObjectType: objVehicle, ObjectID: id, OrgID: in.OrgID, Success: true, After: out})
	}()
	return out, err
}

var vehicleLabels = [][2]string{{"org_name", "产权单位"}, {"plate", "车牌号"}, {"category", "类别"}, {"fuel_type", "能源类型"}, {"body_type", "车身类型"},
	{"displacement_l", "排气量"}, {"price_yuan", "价格"}, {"brand", "品牌"}, {"model", "型号"}, {"vin", "VIN"}, {"domestic", "国产"}, {"seats", "座位数"},
	{"purchase_date", "购置日期"}, {"odometer_km", "里程"}, {"status", "状态"}, {"fixed_leader", "领导固定用车"}, {"mark_color", "标识颜色"},
	{"mark_code", "标识编码"}, {"supervision_phone", "监督电话"}, {"parking_spot", "定点停放"}, {"parking_radius_m", "停放半径"},
	{"terminal_phone", "终端手机号"}, {"insurance_due", "保险到期"}, {"inspection_due", "年检到期"}, {"maintenance_due", "保养到期"}, {"note", "备注"},
	{"holiday_seal", "节假日封存"}, {"registered", "行驶证登记所有人"}, {"fuel_card_no", "加油卡号"}}

func (v Vehicle) snapshot() map[string]any {
	return map[string]any{"org_name": v.OrgName, "plate": v.Plate, "category": v.CategoryName(), "fuel_type": v.FuelName(), "body_type": v.BodyName(),
		"displacement_l": v.DisplacementL, "price_yuan": v.PriceYuan, "brand": v.Brand, "model": v.Model, "vin": v.VIN, "domestic": v.Domestic, "seats": v.Seats,
		"purchase_date": v.PurchaseDate, "odometer_km": v.OdometerKM, "status": v.StatusName(), "fixed_leader": v.FixedLeader, "mark_color": v.MarkColorName(),
		"mark_code": v.MarkCode, "supervision_phone": v.SupervisionPhone, "parking_spot": v.ParkingSpot, "parking_radius_m": v.ParkingRadiusM,
		"terminal_phone": v.TerminalPhone, "insurance_due": v.InsuranceDue, "inspection_due": v.InspectionDue, "maintenance_due": v.MaintenanceDue, "note": v.Note,
		"holiday_seal": v.HolidaySeal, "registered": v.Registered(), "fuel_card_no": v.FuelCardNo}
}

// UpdateVehicle replaces a vehicle's fields with in (the PATCH body decoded over the current values); moving it to
// another unit needs that unit in scope too.
func (s *Service) UpdateVehicle(ctx context.Context, sc auth.Scope, id int64, in VehicleInput) (Vehicle, error) {
	now := s.Clock.Now()
	var out Vehicle
	err := s.DB.Tx(ctx, func(q db.Q) error {
		var err error
		out, err = s.updateVehicleTx(ctx, q, sc, id, in, now)
		return err
	})
	return out, err
}

// updateVehicleTx changes a vehicle in the transaction q.
func (s *Service) updateVehicleTx(ctx context.Context, q db.Q, sc auth.Scope, id int64, in VehicleInput, now time.Time) (Vehicle, error) {
	var out Vehicle
	err := func() error {
		before, err := GetVehicle(ctx, q, sc, id)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		in.check(f, s.today())
		if err := f.Err(); err != nil {
			return err
		}
		if in.OrgID != before.OrgID {
			if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
				return err
			}
		}
		if in.RegisteredOrgID != 0 && in.RegisteredOrgID != before.RegisteredOrgID {
			if err := checkOrg(ctx, q, sc, in.RegisteredOrgID, "registered_org_id"); err != nil {
				return err
			}
		}
		if in.Plate != before.Plate {
			n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM fleet_vehicles WHERE plate = ? AND id <> ?", in.Plate, id)
			if err != nil {
				return err
			}
			if n > 0 {
				return duplicatePlate(in.Plate)
			}
		}
		if in.FuelCardNo != before.FuelCardNo {
			if err := checkCardFree(ctx, q, in.FuelCardNo, id); err != nil {
				return err
			}
		}
		_, err = q.Exec(ctx, `UPDATE fleet_vehicles SET org_id = ?, plate = ?, category = ?, fuel_type = ?, body_type = ?, displacement_l = ?, price_fen = ?,
			brand = ?, model = ?, vin = ?, domestic = ?, seats = ?, purchase_date = ?, odometer_km = ?, status = ?, fixed_leader = ?, mark_color = ?, mark_code = ?,
			supervision_phone = ?, parking_spot = ?, parking_radius_m = ?, terminal_phone = ?, insurance_due = ?, inspection_due = ?, maintenance_due = ?, note = ?,
			holiday_seal = ?, registered_org_id = ?, registered_name = ?, fuel_card_no = ?, updated_at = ? WHERE id = ?`, append(in.args(), now.Unix(), id)...)
		if db.IsUnique(err) {
			return duplicateOf(ctx, q, in, id)
		}
		if err != nil {
			return err
		}
		if out, err = GetVehicle(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		diff := history.Diff(vehicleLabels, before.snapshot(), out.snapshot())
		if diff == "" {
			return nil
		}
		if err := history.Record(ctx, q, now, objVehicle, id, "update", diff); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "fleet.vehicle.update", ObjectType: objVehicle, ObjectID: id, OrgID: out.OrgID, Success: true,
			Before: before, After: out})
	}()
	return out, err
}

// NormalizeCard puts a fuel-card number in its stored form: without spaces and dashes, upper case.
func NormalizeCard(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "　", "").Replace(strings.TrimSpace(s)))
}

// checkCardFree refuses a fuel card already registered to another vehicle (409).
func checkCardFree(ctx context.Context, q db.Q, card string, id int64) error {
	if card == "" {
		return nil
	}
	n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM fleet_vehicles WHERE fuel_card_no = ? AND id <> ?", card, id)
	if err != nil || n == 0 {
		return err
	}
	return &errs.Error{Code: errs.CodeConflict, Message: "加油卡号 " + card + " 已登记在其他车辆", Fields: map[string]string{"fuel_card_no": "该卡号已登记"}}
}

// duplicateOf names what a unique index refused: the plate or the fuel card (id: the vehicle being changed).
func duplicateOf(ctx context.Context, q db.Q, in VehicleInput, id int64) error {
	if in.FuelCardNo != "" {
		if n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM fleet_vehicles WHERE fuel_card_no = ? AND id <> ?", in.FuelCardNo, id); err == nil && n > 0 {
			return &errs.Error{Code: errs.CodeConflict, Message: "加油卡号 " + in.FuelCardNo + " 已登记在其他车辆", Fields: map[string]string{"fuel_card_no": "该卡号已登记"}}
		}
	}
	return duplicatePlate(in.Plate)
}
