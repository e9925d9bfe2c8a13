package fleet

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/xlsx"
)

// Fuel-card statements (加油卡对账单; docs/domain/vehicles.md §Fuel cards): the lines of an Excel statement are
// matched to vehicles in scope by card number or plate and become fuel or charging costs with their quantity and
// station. Every line is checked first (a trial run lists what would be added); one bad line writes nothing; the
// template's example line is refused; a line already imported (same vehicle and transaction reference) is skipped,
// so importing a statement twice adds nothing. Imported lines are costs without a trip, so a transaction on a day
// the vehicle had no trip is the cost_without_trip finding, and one at a station not designated for the unit the
// non_designated_supplier finding.

// FuelCardColumns are the columns of the statement (and the template).
var FuelCardColumns = []xlsx.Column{
	{Header: "卡号", Key: "card", Help: "加油（充电）卡号，按车辆登记的卡号匹配；与车牌号至少填一项", Example: "9100 0000 0000 0001"},
	{Header: "车牌号", Key: "plate", Help: "未填卡号或卡号未登记时按车牌号匹配；两项都填时必须是同一辆车", Example: "青AD12345"},
	{Header: "交易时间", Key: "time", Required: true, Help: "YYYY-MM-DD 或 YYYY-MM-DD HH:MM（也可用 / 分隔），不能晚于今天", Example: "2026-11-03 08:15"},
	{Header: "金额", Key: "amount", Required: true, Help: "元，大于 0，最多两位小数", Example: "286.50"},
	{Header: "类型", Key: "kind", Help: "加油 或 充电；不填时按车辆能源类型（纯电动为充电）", Example: "加油"},
	{Header: "数量", Key: "quantity", Help: "加油升数或充电千瓦时（用于百公里油耗、电耗核算）", Example: "35.2"},
	{Header: "油站", Key: "station", Help: "加油站或充电站名称（与定点供应商名称一致）", Example: "中石化示范路加油站"},
	{Header: "里程", Key: "odometer", Help: "加油时里程表读数（公里），可空", Example: ""},
	{Header: "交易流水号", Key: "ref", Help: "对账单的交易流水号；同一车辆同一流水号只导入一次（不填时按卡号、时间、金额判断）", Example: "T202611030001"},
	{Header: "示例行", Key: "example", Help: "模板自带的示例行在此列标有“示例”，导入时会被拒绝；请删除示例行，填写的数据行此列留空", Example: "示例"},
}

func fuelColumn(key string) string {
	for _, c := range FuelCardColumns {
		if c.Key == key {
			return c.Header
		}
	}
	return key
}

// FuelImportItem is a statement line as it will be (or was) added.
type FuelImportItem struct {
	Line       int     `json:"line"`
	VehicleID  int64   `json:"vehicle_id"`
	Plate      string  `json:"plate"`
	OrgName    string  `json:"org_name"`
	MatchedBy  string  `json:"matched_by" doc:"card · plate"`
	Date       string  `json:"date"`
	Kind       string  `json:"kind" doc:"fuel · charging"`
	AmountYuan float64 `json:"amount_yuan"`
	Quantity   float64 `json:"quantity"`
	Supplier   string  `json:"supplier"`
	OdometerKM float64 `json:"odometer_km"`
	Ref        string  `json:"ref"`
	Duplicate  bool    `json:"duplicate" doc:"已导入过，跳过"`
}

// KindName is the cost kind in Chinese.
func (i FuelImportItem) KindName() string { return CostKinds.Name(i.Kind) }

// FuelImportReport is the answer of a fuel-card import, trial run or not.
type FuelImportReport struct {
	xlsx.Report
	Skipped int              `json:"skipped" doc:"已导入过而跳过的行"`
	Items   []FuelImportItem `json:"items"`
}

type cardVehicle struct {
	id, org           int64
	plate, fuel, card string
	orgName           string
	found             bool
}

// parseStatementTime reads a statement's time: a date, or a date and a time, with - or / between the parts.
func parseStatementTime(s string) (string, string, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "/", "-"))
	for _, layout := range []string{"2006-1-2 15:04:05", "2006-1-2 15:04", "2006-1-2T15:04:05", "2006-1-2T15:04", "2006-1-2"} {
		if t, err := time.ParseInLocation(layout, s, clock.Shanghai); err == nil {
			return t.Format(time.DateOnly), t.Format("2006-01-02 15:04:05"), true
		}
	}
	return "", "", false
}

// ImportFuelCards checks every line and, unless dry or a line is wrong, adds them all as costs in one transaction.
func (s *Service) ImportFuelCards(ctx context.Context, sc auth.Scope, rows []xlsx.Row, dry bool) (FuelImportReport, error) {
	rep := FuelImportReport{Report: xlsx.Report{DryRun: dry, Rows: len(rows)}, Items: []FuelImportItem{}}
	today := s.today()
	byCard, byPlate := map[string]cardVehicle{}, map[string]cardVehicle{}
	cond, cargs := sc.OrgCond("v.org_id")
	look := func(col, val string, cache map[string]cardVehicle) (cardVehicle, error) {
		if v, ok := cache[val]; ok {
			return v, nil
		}
		var v cardVehicle
		err := s.DB.QueryRow(ctx, `SELECT v.id, v.org_id, v.plate, v.fuel_type, v.fuel_card_no, o.name FROM fleet_vehicles v JOIN orgs o ON o.id = v.org_id
			WHERE v.`+col+` = ? AND v.status <> 'disposed' AND `+cond, append([]any{val}, cargs...)...).Scan(&v.id, &v.org, &v.plate, &v.fuel, &v.card, &v.orgName)
		if err != nil && !db.IsNoRows(err) {
			return v, err
		}
		v.found = err == nil
		cache[val] = v
		return v, nil
	}
	seen := map[string]int{}
	for _, r := range rows {
		v := r.Values
		bad := func(key, msg string) {
			rep.Errors = append(rep.Errors, xlsx.RowError{Line: r.Line, Column: fuelColumn(key), Message: msg})
		}
		if strings.TrimSpace(v["example"]) != "" {
			bad("example", fmt.Sprintf("第 %d 行是模板示例行，请删除后再导入", r.Line))
			continue
		}
		before := len(rep.Errors)
		it := FuelImportItem{Line: r.Line, Supplier: strings.TrimSpace(v["station"]), Ref: strings.TrimSpace(v["ref"])}
		card, plate := NormalizeCard(v["card"]), NormalizePlate(v["plate"])
		var veh cardVehicle
		switch {
		case card == "" && plate == "":
			bad("card", "请填写卡号或车牌号")
		default:
			if card != "" {
				x, err := look("fuel_card_no", card, byCard)
				if err != nil {
					return rep, err
				}
				if x.found {
					veh, it.MatchedBy = x, "card"
				}
			}
			if plate != "" {
				x, err := look("plate", plate, byPlate)
				if err != nil {
					return rep, err
				}
				switch {
				case !x.found && veh.found:
					bad("plate", "车牌号 "+plate+" 未登记在您数据范围内的车辆，而卡号 "+card+" 登记在 "+veh.plate)
				case !x.found:
					bad("plate", "车牌号 "+plate+" 未登记在您数据范围内的车辆")
				case veh.found && x.id != veh.id:
					bad("card", "卡号 "+card+" 登记在 "+veh.plate+"，与车牌号 "+plate+" 不是同一辆车")
				case !veh.found:
					veh, it.MatchedBy = x, "plate"
				}
			} else if !veh.found {
				bad("card", "卡号 "+card+" 未登记在您数据范围内的车辆（可在车辆信息中登记加油卡号，或填写车牌号）")
			}
		}
		var at string
		var ok bool
		if it.Date, at, ok = parseStatementTime(v["time"]); !ok {
			bad("time", "交易时间格式应为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM")
		} else if it.Date > today {
			bad("time", "交易时间不能晚于今天")
		}
		amt, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(v["amount"]), ",", ""), 64)
		switch {
		case err != nil || math.IsNaN(amt) || math.IsInf(amt, 0):
			bad("amount", "金额应为数字（元）")
		case amt <= 0 || amt > 1e6:
			bad("amount", "金额应大于 0 且不超过 100 万元")
		case math.Abs(amt*100-math.Round(amt*100)) > 1e-6:
			bad("amount", "金额最多两位小数")
		}
		it.AmountYuan = amt
		if t := strings.TrimSpace(v["quantity"]); t != "" {
			if it.Quantity, err = strconv.ParseFloat(t, 64); err != nil || it.Quantity < 0 || it.Quantity > 1e5 || math.IsNaN(it.Quantity) {
				bad("quantity", "数量应为不小于 0 的数（升或千瓦时）")
			}
		}
		if t := strings.TrimSpace(v["odometer"]); t != "" {
			if it.OdometerKM, err = strconv.ParseFloat(t, 64); err != nil || it.OdometerKM < 0 || it.OdometerKM > 5e6 || math.IsNaN(it.OdometerKM) {
				bad("odometer", "里程应为 0 到 5000000 之间的数（公里）")
			}
		}
		switch k := strings.TrimSpace(v["kind"]); k {
		case "加油", "燃油", "fuel", "汽油", "柴油":
			it.Kind = "fuel"
		case "充电", "charging":
			it.Kind = "charging"
		case "":
			it.Kind = "fuel"
			if veh.fuel == "electric" {
				it.Kind = "charging"
			}
		default:
			bad("kind", "类型应为 加油 或 充电")
		}
		if len([]rune(it.Supplier)) > 100 {
			bad("station", "油站名称不超过 100 字")
		}
		if len([]rune(it.Ref)) > 60 {
			bad("ref", "交易流水号不超过 60 字")
		}
		if len(rep.Errors) > before {
			continue
		}
		it.VehicleID, it.Plate, it.OrgName = veh.id, veh.plate, veh.orgName
		if it.Ref == "" {
			id := card
			if id == "" {
				id = plate
			}
			it.Ref = id + "|" + at + "|" + strconv.FormatInt(fen(amt), 10)
		}
		key := strconv.FormatInt(veh.id, 10) + "\x00" + it.Ref
		if prev, dup := seen[key]; dup {
			bad("ref", fmt.Sprintf("与第 %d 行是同一笔交易", prev))
			continue
		}
		seen[key] = r.Line
		n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM fleet_costs WHERE vehicle_id = ? AND card_ref = ?", veh.id, it.Ref)
		if err != nil {
			return rep, err
		}
		it.Duplicate = n > 0
		if it.Duplicate {
			rep.Skipped++
		} else {
			rep.Created++
		}
		rep.Items = append(rep.Items, it)
	}
	if !rep.OK() || dry {
		if !rep.OK() {
			rep.Created = 0
		}
		return rep, nil
	}
	now := s.Clock.Now()
	err := s.DB.Tx(ctx, func(q db.Q) error {
		perVehicle := map[int64]int{}
		var order []int64
		var added []FuelImportItem
		for _, it := range rep.Items {
			if it.Duplicate {
				continue
			}
			var org int64
			if err := q.QueryRow(ctx, "SELECT org_id FROM fleet_vehicles WHERE id = ?", it.VehicleID).Scan(&org); err != nil {
				return err
			}
			res, err := q.Exec(ctx, `INSERT INTO fleet_costs (vehicle_id, org_id, kind, amount_fen, cost_date, odometer_km, note, supplier, quantity, card_ref, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, it.VehicleID, org, it.Kind, fen(it.AmountYuan), it.Date, it.OdometerKM,
				"加油卡对账单导入", it.Supplier, it.Quantity, it.Ref, now.Unix())
			if err != nil {
				return err
			}
			if db.RowsAffected(res) == 0 {
				continue
			}
			if perVehicle[it.VehicleID] == 0 {
				order = append(order, it.VehicleID)
			}
			perVehicle[it.VehicleID]++
			added = append(added, it)
		}
		for _, id := range order {
			if err := history.Record(ctx, q, now, objVehicle, id, "cost", fmt.Sprintf("导入加油卡对账单：%d 笔", perVehicle[id])); err != nil {
				return err
			}
		}
		rep.Created = len(added)
		if err := audit.Record(ctx, q, now, audit.Entry{Action: "fleet.fuelcard.import", ObjectType: objCost, ObjectKey: "加油卡对账单", Success: true,
			After: map[string]any{"added": added, "skipped": rep.Skipped}}); err != nil {
			return err
		}
		return xlsx.AuditImport(ctx, q, now, "fleet.fuelcard", rep.Report)
	})
	return rep, err
}
