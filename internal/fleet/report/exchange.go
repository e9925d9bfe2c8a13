package report

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/xlsx"
)

// The data set a provincial 公务用车 platform exchanges (docs/domain/vehicles.md §Provincial exchange), shaped
// after the interface groups of 江苏 DB32/T 3826-2020《公务用车信息化平台数据交换技术规范》. The standard's own
// field dictionary (its appendix B) was not available: the fields are GovOps's, and the JSON and the workbook say
// so ("GovOps layout") until a province's own specification is configured.

// LayoutMark marks every form, export and data set whose official layout is not known.
const LayoutMark = "GovOps layout"

// Standard names the standard the exchange's groups follow.
const Standard = "DB32/T 3826-2020《公务用车信息化平台数据交换技术规范》接口分组（字段为本系统编排，非标准附录 B 数据字典）"

// Field is a column of a group.
type Field struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// Group is one interface group of the exchange with its rows (each row keyed by the fields' keys).
type Group struct {
	Code      string           `json:"code"`
	Name      string           `json:"name"`
	Interface string           `json:"interface" doc:"DB32/T 3826-2020 的接口名称"`
	Fields    []Field          `json:"fields"`
	Rows      []map[string]any `json:"rows"`
	Note      string           `json:"note,omitempty"`
}

// Exchange is the data set of a unit's subtree and a year.
type Exchange struct {
	Layout      string  `json:"layout"`
	Standard    string  `json:"standard"`
	OrgID       int64   `json:"org_id"`
	OrgName     string  `json:"org_name"`
	Year        int     `json:"year" doc:"派车、费用按该年度；基础数据为导出时的台账"`
	GeneratedAt string  `json:"generated_at"`
	Groups      []Group `json:"groups"`
	// Missing are the interfaces of the standard this data set does not carry, with why.
	Missing []Field `json:"missing" doc:"本系统暂不提供的接口（key 为接口，name 为原因）"`
}

func fields(spec string) []Field {
	var out []Field
	for _, p := range strings.Split(spec, ",") {
		k, n, _ := strings.Cut(strings.TrimSpace(p), ":")
		out = append(out, Field{Key: k, Name: n})
	}
	return out
}

// costFields are the fields of the cost groups.
const costFields = "plate:车牌号码,org_name:所属单位,date:发生日期,kind:费用类型,amount_yuan:金额（元）,odometer_km:里程表读数（公里）,trip_id:派车单号,note:说明"

// Groups is the exchange's groups in order: code, name, DB32/T 3826-2020 interface, fields. docs/domain/vehicles.md
// §Provincial exchange shows the same table (TestExchangeGroupsDocumented keeps them in step).
var Groups = []Group{
	{Code: "unit", Name: "单位基本信息", Interface: "单位基本信息", Fields: fields("org_id:单位编号,name:单位名称,credit_code:统一社会信用代码,region_code:行政区划代码,kind:单位类型,level:行政级别,parent_name:上级单位,quota:编制数（辆）,vehicles:实有车辆数（辆）")},
	{Code: "vehicle", Name: "单车基本信息", Interface: "单车基本信息", Fields: fields("plate:车牌号码,org_name:所属单位,vin:车辆识别代号,category:车辆类别,brand:品牌,model:型号,fuel_type:能源类型,body_type:车身类型,displacement_l:排气量（升）,price_yuan:价格（元，不含购置税）,seats:座位数,domestic:国产,purchase_date:购置日期,odometer_km:里程表读数（公里）,status:状态,mark_color:标识颜色,mark_code:标识编码,supervision_phone:监督电话,parking_spot:定点停放位置,terminal_phone:车载终端号码,registered_to:行驶证登记名义")},
	{Code: "over_standard", Name: "超标准配备车辆信息", Interface: "超标准配备车辆信息", Fields: fields("plate:车牌号码,org_name:所属单位,rule:规则代码,rule_name:问题,detail:情况,rule_text:依据条文,source:依据文件")},
	{Code: "driver", Name: "驾驶员基本信息", Interface: "驾驶员基本信息", Fields: fields("name:姓名,org_name:所属单位,license_class:准驾车型,license_expiry:驾驶证有效期至,phone:联系电话,status:状态")},
	{Code: "dispatch", Name: "派车信息", Interface: "派车信息", Fields: fields("trip_id:派车单号,org_name:用车单位,requester:用车人,purpose:事由,passengers:乘车人数,origin:出发地,destination:目的地,start:出车时间,end:收车时间,plate:车牌号码,driver:驾驶员,odometer_out:出车里程（公里）,odometer_in:收车里程（公里）,distance_km:行驶里程（公里）,toll_yuan:过路过桥费（元）,parking_yuan:停车费（元）,emergency:紧急用车")},
	{Code: "maintenance", Name: "维保信息", Interface: "维保", Fields: fields(costFields + ",maintenance_due:下次保养日期")},
	{Code: "inspection", Name: "年检信息", Interface: "年检", Fields: fields("plate:车牌号码,org_name:所属单位,inspection_due:年检到期日,overdue:是否逾期"),
		Note: "本系统记录年检到期日，不记录年检结果"},
	{Code: "energy", Name: "能耗信息", Interface: "能耗", Fields: fields(costFields)},
	{Code: "insurance", Name: "保险费用", Interface: "保险费用", Fields: fields(costFields + ",insurance_due:保险到期日")},
	{Code: "toll", Name: "过路过桥费用", Interface: "过路过桥费用", Fields: fields(costFields)},
	{Code: "parking", Name: "停车费用", Interface: "停车费用", Fields: fields(costFields)},
	{Code: "other_cost", Name: "其他费用", Interface: "其他费用", Fields: fields(costFields)},
	{Code: "violation", Name: "违规情况", Interface: "违章", Fields: fields("plate:车牌号码,org_name:所属单位,rule:规则代码,rule_name:问题,detail:情况,rule_text:依据条文,source:依据文件"),
		Note: "合规检查发现的违规情形（超标准配备见“超标准配备车辆信息”）；交通违章记录本系统未保存"},
	{Code: "disposal", Name: "处置情况", Interface: "处置情况", Fields: fields("plate:车牌号码,org_name:所属单位,category:车辆类别,purchase_date:购置日期,disposed_on:处置日期,odometer_km:里程表读数（公里）"),
		Note: "台账未单独记录处置日期，处置日期为车辆记录最后一次变更的日期"},
}

// Missing lists the standard's interfaces the exchange does not carry.
var Missing = []Field{
	{Key: "登录", Name: "传输层接口，由对接程序实现"},
	{Key: "定位数据", Name: "车载终端定位数据由车辆监控模块提供（尚未建设）"},
	{Key: "监督检查情况", Name: "本系统尚未记录监督检查"},
	{Key: "12345 投诉", Name: "本系统尚未记录投诉"},
	{Key: "社会车辆租赁派车", Name: "社会化保障车辆尚未建设"},
}

// overStandard are the compliance rules that make a vehicle over the standard (超标准配备).
var overStandard = map[string]bool{"price_cap": true, "displacement_cap": true, "over_quota": true, "suv_fixed_leader": true, "non_domestic": true}

// BuildExchange assembles the data set of the units under orgID (in the caller's scope) for year y.
func (s *Service) BuildExchange(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, y int) (Exchange, error) {
	o, err := org.GetOrg(ctx, q, sc, orgID)
	if err != nil {
		return Exchange{}, err
	}
	now := s.Clock.Now()
	ex := Exchange{Layout: LayoutMark, Standard: Standard, OrgID: o.ID, OrgName: o.Name, Year: y, Missing: Missing,
		GeneratedAt: now.In(clock.Shanghai).Format(time.RFC3339)}
	first, last, from, to := yearBounds(y)
	vs, err := s.Fleet.ReportVehicles(ctx, q, sc, o.Path)
	if err != nil {
		return ex, err
	}
	quotas, err := s.Fleet.ReportQuotas(ctx, q, sc, o.Path)
	if err != nil {
		return ex, err
	}
	drivers, err := s.Fleet.ReportDrivers(ctx, q, sc, o.Path)
	if err != nil {
		return ex, err
	}
	trips, err := s.Fleet.ReportTrips(ctx, q, sc, o.Path, from, to)
	if err != nil {
		return ex, err
	}
	costs, err := s.Fleet.ReportCosts(ctx, q, sc, o.Path, first, last)
	if err != nil {
		return ex, err
	}
	findings, err := s.Fleet.ReportFindings(ctx, q, sc, o.ID)
	if err != nil {
		return ex, err
	}
	rows := map[string][]map[string]any{}
	add := func(g string, r map[string]any) { rows[g] = append(rows[g], r) }

	// Units: those with vehicles, quotas or drivers.
	quota, held := map[int64]int{}, map[int64]int{}
	units := map[int64]bool{}
	for _, x := range quotas {
		quota[x.OrgID] += x.Quota
		units[x.OrgID] = true
	}
	today := clock.Today(now)
	byID := map[int64]VehicleRow{}
	for _, v := range vs {
		byID[v.ID] = v
		units[v.OrgID] = true
		if v.Status != "disposed" {
			held[v.OrgID]++
		}
		add("vehicle", map[string]any{"plate": v.Plate, "org_name": v.OrgName, "vin": v.VIN, "category": v.CategoryName, "brand": v.Brand,
			"model": v.Model, "fuel_type": v.FuelName, "body_type": v.BodyName, "displacement_l": v.DisplacementL,
			"price_yuan": yuan(v.PriceFen), "seats": v.Seats, "domestic": yesNo(v.Domestic), "purchase_date": v.PurchaseDate, "odometer_km": v.OdometerKM,
			"status": v.StatusName, "mark_color": v.MarkColorName, "mark_code": v.MarkCode, "supervision_phone": v.SupervisionPhone,
			"parking_spot": v.ParkingSpot, "terminal_phone": v.TerminalPhone, "registered_to": orDash(v.RegisteredName)})
		if v.Status != "disposed" && v.InspectionDue != "" {
			add("inspection", map[string]any{"plate": v.Plate, "org_name": v.OrgName, "inspection_due": v.InspectionDue, "overdue": yesNo(v.InspectionDue < today)})
		}
		if v.Status == "disposed" {
			add("disposal", map[string]any{"plate": v.Plate, "org_name": v.OrgName, "category": v.CategoryName, "purchase_date": v.PurchaseDate,
				"disposed_on": v.DisposedOn, "odometer_km": v.OdometerKM})
		}
	}
	for _, d := range drivers {
		units[d.OrgID] = true
		add("driver", map[string]any{"name": d.Name, "org_name": d.OrgName, "license_class": d.LicenseClass, "license_expiry": d.LicenseExpiry,
			"phone": d.Phone, "status": d.StatusName})
	}
	if len(units) > 0 {
		ids := make([]any, 0, len(units))
		for id := range units {
			ids = append(ids, id)
		}
		type unitRow struct {
			ID                                        int64
			Name, Credit, Region, Kind, Level, Parent string
		}
		us, err := db.Select(ctx, q, func(r db.Scanner) (unitRow, error) {
			var u unitRow
			return u, r.Scan(&u.ID, &u.Name, &u.Credit, &u.Region, &u.Kind, &u.Level, &u.Parent)
		}, `SELECT o.id, o.name, COALESCE(o.credit_code, ''), COALESCE(o.region_code, ''), o.kind, o.admin_level, COALESCE(p.name, '')
			FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id WHERE o.id IN (`+db.In(len(ids))+`) ORDER BY o.path`, ids...)
		if err != nil {
			return ex, err
		}
		for _, u := range us {
			add("unit", map[string]any{"org_id": u.ID, "name": u.Name, "credit_code": u.Credit, "region_code": u.Region, "kind": org.Kinds.Name(u.Kind),
				"level": org.AdminLevels.Name(u.Level), "parent_name": u.Parent, "quota": quota[u.ID], "vehicles": held[u.ID]})
		}
	}
	for _, f := range findings {
		g := "violation"
		if overStandard[f.Rule] {
			g = "over_standard"
		} else if !f.Violation {
			continue
		}
		add(g, map[string]any{"plate": orDash(f.Plate), "org_name": f.OrgName, "rule": f.Rule, "rule_name": f.RuleName, "detail": f.Detail,
			"rule_text": f.RuleText, "source": f.Source})
	}
	for _, t := range trips {
		add("dispatch", map[string]any{"trip_id": t.ID, "org_name": t.OrgName, "requester": t.Requester, "purpose": t.Purpose, "passengers": t.Passengers,
			"origin": t.Origin, "destination": t.Destination, "start": stamp(t.StartAt), "end": stamp(t.EndAt), "plate": t.Plate, "driver": t.DriverName,
			"odometer_out": t.OdometerOut, "odometer_in": t.OdometerIn, "distance_km": t.DistanceKM, "toll_yuan": yuan(t.TollFen),
			"parking_yuan": yuan(t.ParkingFen), "emergency": yesNo(t.Emergency)})
	}
	costGroup := map[string]string{"fuel": "energy", "charging": "energy", "maintenance": "maintenance", "insurance": "insurance", "toll": "toll",
		"parking": "parking", "other": "other_cost"}
	for _, c := range costs {
		g := costGroup[c.Kind]
		if g == "" {
			g = "other_cost"
		}
		r := map[string]any{"plate": c.Plate, "org_name": byID[c.VehicleID].OrgName, "date": c.Date, "kind": c.KindName,
			"amount_yuan": yuan(c.AmountFen), "odometer_km": c.OdometerKM, "trip_id": c.TripID, "note": c.Note}
		if c.TripID == 0 {
			r["trip_id"] = ""
		}
		switch g {
		case "maintenance":
			r["maintenance_due"] = byID[c.VehicleID].MaintenanceDue
		case "insurance":
			r["insurance_due"] = byID[c.VehicleID].InsuranceDue
		}
		add(g, r)
	}
	for _, g := range Groups {
		g.Rows = rows[g.Code]
		if g.Rows == nil {
			g.Rows = []map[string]any{}
		}
		ex.Groups = append(ex.Groups, g)
	}
	return ex, nil
}

func stamp(unix int64) string {
	if unix == 0 {
		return ""
	}
	return time.Unix(unix, 0).In(clock.Shanghai).Format("2006-01-02 15:04")
}

// ExchangeWorkbook is the data set as a workbook: a 说明 sheet, then one sheet per group, each titled with the
// group and the GovOps layout mark.
func ExchangeWorkbook(ex Exchange, now time.Time) ([]byte, error) {
	intro := xlsx.Sheet{Name: "说明", Title: fmt.Sprintf("%s %d 年度公务用车数据交换（%s）", ex.OrgName, ex.Year, LayoutMark),
		Headers: []string{"分组", "接口（DB32/T 3826-2020）", "记录数", "说明"}, Layout: xlsx.Layout{Unit: ex.OrgName}}
	sheets := []xlsx.Sheet{{}}
	for _, g := range ex.Groups {
		intro.Rows = append(intro.Rows, []any{g.Name, g.Interface, len(g.Rows), g.Note})
		sh := xlsx.Sheet{Name: g.Name, Title: fmt.Sprintf("%s（%s）", g.Name, LayoutMark), Layout: xlsx.Layout{Unit: ex.OrgName}}
		for _, f := range g.Fields {
			sh.Headers = append(sh.Headers, f.Name)
		}
		for _, r := range g.Rows {
			row := make([]any, len(g.Fields))
			for i, f := range g.Fields {
				row[i] = r[f.Key]
			}
			sh.Rows = append(sh.Rows, row)
		}
		sheets = append(sheets, sh)
	}
	for _, m := range ex.Missing {
		intro.Rows = append(intro.Rows, []any{"—", m.Key, 0, "未提供：" + m.Name})
	}
	intro.Rows = append(intro.Rows, []any{"版式", Standard, nil, LayoutMark + "：官方数据字典未取得，字段为本系统编排；各省规范配置后按其规范导出"})
	sheets[0] = intro
	var buf bytes.Buffer
	if err := xlsx.WriteBook(&buf, now, sheets); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
