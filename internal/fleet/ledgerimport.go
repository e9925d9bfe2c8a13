package fleet

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/xlsx"
)

// The import of an existing vehicle ledger (公务用车台账) from Excel: every row is checked as a registration would be
// (plate, VIN, the unit in scope, the enumerations by code or Chinese name); a trial run lists what would be added
// or changed; one bad row writes nothing; the template's example row is refused. A plate already registered to a
// vehicle in scope is updated with the row; one registered outside the scope is refused.

// VehicleColumns are the columns of the vehicle ledger import (and its template).
var VehicleColumns = []xlsx.Column{
	{Header: "车牌号", Key: "plate", Required: true, Help: "如 青A12345；新能源车 8 位，如 青AD12345；已登记的车牌按本行更新", Example: "青AD66001"},
	{Header: "产权单位", Key: "org", Required: true, Help: "单位全称（须在您的数据范围内）", Example: "松岭县教育局"},
	{Header: "类别", Key: "category", Required: true, Help: Categories.Names(), Example: "其他公务用车"},
	{Header: "能源类型", Key: "fuel_type", Required: true, Help: FuelTypes.Names(), Example: "纯电动"},
	{Header: "车身类型", Key: "body_type", Required: true, Help: BodyTypes.Names(), Example: "轿车"},
	{Header: "排气量（L）", Key: "displacement_l", Help: "升；纯电动车填 0 或留空", Example: "0"},
	{Header: "价格（元，不含购置税）", Key: "price_yuan", Required: true, Help: "元，最多两位小数", Example: "119800"},
	{Header: "购置日期", Key: "purchase_date", Required: true, Help: "YYYY-MM-DD", Example: "2025-03-01"},
	{Header: "座位数", Key: "seats", Required: true, Help: "核定座位数（含驾驶员）", Example: "5"},
	{Header: "品牌", Key: "brand", Example: "比亚迪"},
	{Header: "型号", Key: "model", Example: "秦PLUS EV"},
	{Header: "车辆识别代号", Key: "vin", Help: "17 位，校验第 9 位；可空", Example: ""},
	{Header: "国产", Key: "domestic", Help: "是 或 否，默认 是", Example: "是"},
	{Header: "里程（公里）", Key: "odometer_km", Example: "8200"},
	{Header: "加油卡号", Key: "fuel_card_no", Example: ""},
	{Header: "示例行", Key: "example", Help: "模板自带的示例行在此列标有“示例”，导入时会被拒绝；请删除示例行，填写的数据行此列留空", Example: "示例"},
}

var vehicleFieldColumn = map[string]string{}

func init() {
	for _, c := range VehicleColumns {
		vehicleFieldColumn[c.Key] = c.Header
	}
	vehicleFieldColumn["org_id"] = "产权单位"
}

// VehicleImportItem is a row as it will be (or was) written.
type VehicleImportItem struct {
	Line      int    `json:"line"`
	Plate     string `json:"plate"`
	OrgName   string `json:"org_name"`
	VehicleID int64  `json:"vehicle_id,omitempty" doc:"已登记的车辆（更新）"`
	Action    string `json:"action" doc:"create · update"`
}

// VehicleImportReport is the answer of a vehicle ledger import, trial run or not.
type VehicleImportReport struct {
	xlsx.Report
	Items []VehicleImportItem `json:"items"`
}

type vehicleRow struct {
	item VehicleImportItem
	in   VehicleInput
}

// ImportVehicles checks every row and, unless dry or a row is wrong, registers or updates them all in one
// transaction.
func (s *Service) ImportVehicles(ctx context.Context, sc auth.Scope, rows []xlsx.Row, dry bool) (VehicleImportReport, error) {
	rep := VehicleImportReport{Report: xlsx.Report{DryRun: dry, Rows: len(rows)}, Items: []VehicleImportItem{}}
	today := s.today()
	orgs := map[string]int64{}
	seen := map[string]int{}
	var parsed []vehicleRow
	cond, cargs := sc.OrgCond("id")
	for _, r := range rows {
		v := r.Values
		bad := func(col, msg string) {
			rep.Errors = append(rep.Errors, xlsx.RowError{Line: r.Line, Column: col, Message: msg})
		}
		if strings.TrimSpace(v["example"]) != "" {
			bad("示例行", fmt.Sprintf("第 %d 行是模板示例行，请删除后再导入", r.Line))
			continue
		}
		before := len(rep.Errors)
		in := VehicleInput{Plate: v["plate"], Brand: v["brand"], Model: v["model"], VIN: v["vin"], FuelCardNo: v["fuel_card_no"]}
		for _, e := range []struct {
			key string
			dst *string
			l   interface{ Code(string) (string, bool) }
		}{{"category", &in.Category, Categories}, {"fuel_type", &in.FuelType, FuelTypes}, {"body_type", &in.BodyType, BodyTypes}} {
			if c, ok := e.l.Code(v[e.key]); ok {
				*e.dst = c
			} else if strings.TrimSpace(v[e.key]) != "" {
				bad(vehicleFieldColumn[e.key], "无法识别“"+v[e.key]+"”")
			}
		}
		num := func(key string) float64 {
			t := strings.ReplaceAll(strings.TrimSpace(v[key]), ",", "")
			if t == "" {
				return 0
			}
			x, err := strconv.ParseFloat(t, 64)
			if err != nil {
				bad(vehicleFieldColumn[key], "应为数字")
			}
			return x
		}
		in.DisplacementL, in.PriceYuan, in.OdometerKM = num("displacement_l"), num("price_yuan"), num("odometer_km")
		in.Seats = int(num("seats"))
		in.PurchaseDate = strings.TrimSpace(strings.ReplaceAll(v["purchase_date"], "/", "-"))
		dom := true
		switch strings.TrimSpace(v["domestic"]) {
		case "", "是", "国产":
		case "否", "进口":
			dom = false
		default:
			bad("国产", "应为 是 或 否")
		}
		in.Domestic = &dom
		name := strings.TrimSpace(v["org"])
		if id, ok := orgs[name]; ok {
			in.OrgID = id
		} else if name != "" {
			ids, err := db.Int64s(ctx, s.DB, "SELECT id FROM orgs WHERE name = ? AND "+cond, append([]any{name}, cargs...)...)
			if err != nil {
				return rep, err
			}
			switch len(ids) {
			case 1:
				in.OrgID = ids[0]
			case 0:
				bad("产权单位", "单位“"+name+"”在您的数据范围内不存在")
			default:
				bad("产权单位", "单位名称“"+name+"”不唯一")
			}
			orgs[name] = in.OrgID
		}
		f := errs.Fields{}
		in.check(f, today)
		for k, msg := range f {
			if k == "org_id" && in.OrgID == 0 && name != "" {
				continue // reported above
			}
			col := vehicleFieldColumn[k]
			if col == "" {
				col = k
			}
			bad(col, msg)
		}
		if prev, dup := seen[in.Plate]; dup && in.Plate != "" {
			bad("车牌号", fmt.Sprintf("与第 %d 行重复", prev))
		}
		seen[in.Plate] = r.Line
		if len(rep.Errors) > before {
			continue
		}
		it := VehicleImportItem{Line: r.Line, Plate: in.Plate, OrgName: name, Action: "create"}
		var owner int64
		err := s.DB.QueryRow(ctx, "SELECT id, org_id FROM fleet_vehicles WHERE plate = ?", in.Plate).Scan(&it.VehicleID, &owner)
		switch {
		case db.IsNoRows(err):
			it.VehicleID = 0
		case err != nil:
			return rep, err
		default:
			if _, err := GetVehicle(ctx, s.DB, sc, it.VehicleID); err != nil {
				bad("车牌号", "车牌号 "+in.Plate+" 已登记在您数据范围以外的单位")
				continue
			}
			it.Action = "update"
		}
		if in.FuelCardNo != "" {
			n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM fleet_vehicles WHERE fuel_card_no = ? AND id <> ?", in.FuelCardNo, it.VehicleID)
			if err != nil {
				return rep, err
			}
			if n > 0 {
				bad("加油卡号", "加油卡号已登记在其他车辆")
				continue
			}
		}
		if it.Action == "create" {
			rep.Created++
		} else {
			rep.Updated++
		}
		rep.Items = append(rep.Items, it)
		parsed = append(parsed, vehicleRow{item: it, in: in})
	}
	if !rep.OK() {
		rep.Created, rep.Updated = 0, 0
		return rep, nil
	}
	if dry {
		return rep, nil
	}
	now := s.Clock.Now()
	err := s.DB.Tx(ctx, func(q db.Q) error {
		for i, p := range parsed {
			var v Vehicle
			var err error
			if p.item.VehicleID == 0 {
				v, err = s.createVehicleTx(ctx, q, sc, p.in, now)
			} else {
				cur, gerr := GetVehicle(ctx, q, sc, p.item.VehicleID)
				if gerr != nil {
					return gerr
				}
				in := inputOf(cur) // keep what the file does not carry (marks, parking, due dates…)
				in.OrgID, in.Category, in.FuelType, in.BodyType, in.DisplacementL, in.PriceYuan = p.in.OrgID, p.in.Category, p.in.FuelType, p.in.BodyType, p.in.DisplacementL, p.in.PriceYuan
				in.PurchaseDate, in.Seats, in.Domestic, in.OdometerKM = p.in.PurchaseDate, p.in.Seats, p.in.Domestic, p.in.OdometerKM
				for _, x := range []struct {
					dst *string
					v   string
				}{{&in.Brand, p.in.Brand}, {&in.Model, p.in.Model}, {&in.VIN, p.in.VIN}, {&in.FuelCardNo, p.in.FuelCardNo}} {
					if x.v != "" {
						*x.dst = x.v
					}
				}
				f := errs.Fields{}
				in.check(f, s.today())
				if err := f.Err(); err != nil {
					return err
				}
				v, err = s.updateVehicleTx(ctx, q, sc, p.item.VehicleID, in, now)
			}
			if err != nil {
				return fmt.Errorf("第 %d 行：%w", p.item.Line, err)
			}
			rep.Items[i].VehicleID = v.ID
		}
		return xlsx.AuditImport(ctx, q, now, "fleet.vehicles", rep.Report)
	})
	return rep, err
}
