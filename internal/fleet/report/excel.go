package report

import (
	"bytes"
	"fmt"
	"time"

	"github.com/govops/govops/internal/platform/xlsx"
)

// The report's workbooks, in the kit's titled layout (docs/printing.md §Excel exports), marked GovOps layout: the
// official 表式 of the 公务用车配备更新和使用情况 statistics is not known (docs/domain/vehicles.md §Annual statistics).

// LineHeaders are the columns of the 配备更新 table.
var LineHeaders = []string{"车辆类别", "编制数", "年初实有", "本年新增", "其中新能源", "本年处置", "年末实有", "年末新能源"}

// UseRow is a line of the use-and-cost table of the report: name, unit, value.
type UseRow struct {
	Name, Unit string
	Value      any
}

// UseRows are the report's use, cost and 三公经费 lines.
func (f Figures) UseRows() []UseRow {
	target := "—"
	if f.Target > 0 {
		target = fmtPct(f.Target) + "（" + f.TargetSource + "）"
	}
	share := "本年无新增"
	if f.Total.New > 0 {
		share = fmtPct(f.NEVShare)
		if !f.TargetMet {
			share += "（低于目标）"
		}
	}
	return []UseRow{
		{"本年新增及更新车辆", "辆", f.Total.New}, {"其中：更新车辆", "辆", f.Replaced}, {"其中：新能源汽车", "辆", f.Total.NewNEV},
		{"新能源汽车比例", "%", share}, {"新能源比例目标", "%", target},
		{"出车次数", "次", f.Trips}, {"行驶里程", "公里", f.DistanceKM}, {"出车天数", "车·日", f.VehicleDays},
		{"燃油（充电）费", "元", f.FuelYuan}, {"维修保养费", "元", f.MaintenanceYuan}, {"保险费", "元", f.InsuranceYuan},
		{"通行费、停车费及其他", "元", f.OtherYuan}, {"运行费用合计", "元", f.CostYuan}, {"每公里费用", "元/公里", f.CostPerKMYuan},
		{"三公经费：公务用车购置费", "元", f.PurchaseYuan}, {"三公经费：公务用车运行维护费", "元", f.OperationYuan},
		{"三公经费：公务用车购置及运行费", "元", f.SangongYuan}, {"公务用车购置及运行费年初预算数", "元", f.BudgetYuan},
	}
}

func lineRow(l Line) []any {
	return []any{l.Name, l.Quota, l.Start, l.New, l.NewNEV, l.Disposed, l.End, l.EndNEV}
}

// ReportWorkbook is a unit's report: the 配备更新 table, then the use, costs and sign-off.
func ReportWorkbook(d Detail, now time.Time) ([]byte, error) {
	title := fmt.Sprintf("%d年度公务用车配备更新和使用情况统计表（%s）", d.Report.Year, LayoutMark)
	lines := xlsx.Sheet{Name: "配备更新", Title: title, Headers: LineHeaders, Layout: xlsx.Layout{Unit: d.Report.OrgName}}
	for _, l := range d.Figures.Lines {
		lines.Rows = append(lines.Rows, lineRow(l))
	}
	lines.Rows = append(lines.Rows, lineRow(d.Figures.Total))
	use := xlsx.Sheet{Name: "使用与费用", Title: title, Headers: []string{"指标", "计量单位", "本年"}, Layout: xlsx.Layout{Unit: d.Report.OrgName}}
	for _, u := range d.Figures.UseRows() {
		use.Rows = append(use.Rows, []any{u.Name, u.Unit, u.Value})
	}
	use.Rows = append(use.Rows, []any{"单位负责人", "", d.Info.Principal}, []any{"填表人", "", d.Info.Preparer}, []any{"联系电话", "", d.Info.Phone},
		[]any{"填报说明", "", d.Info.Note}, []any{"上报状态", "", d.Report.StatusName}, []any{"版式", "", LayoutMark + "：官方表式未取得，栏目为本系统编排"})
	var buf bytes.Buffer
	if err := xlsx.WriteBook(&buf, now, []xlsx.Sheet{lines, use}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// SummaryHeaders are the columns of the summary export, one row per unit.
var SummaryHeaders = []string{"单位", "状态", "逾期", "编制数", "年初实有", "本年新增", "其中新能源", "其中更新", "本年处置", "年末实有",
	"出车次数", "行驶里程（公里）", "运行费用（元）", "公务用车购置费（元）", "公务用车购置及运行费（元）"}

// SummaryWorkbook is the summary of a subtree: one row per unit and the 合计 row.
func SummaryWorkbook(sm Summary, now time.Time) ([]byte, error) {
	sh := xlsx.Sheet{Title: fmt.Sprintf("%d年度公务用车统计汇总（%s）", sm.Year, LayoutMark), Headers: SummaryHeaders,
		Layout: xlsx.Layout{Unit: sm.OrgName, Sum: SummaryHeaders[3:]}}
	for _, r := range sm.Rows {
		f := r.Figures
		sh.Rows = append(sh.Rows, []any{r.Report.OrgName, r.Report.StatusName, yesNo(r.Report.Late), f.Total.Quota, f.Total.Start, f.Total.New,
			f.Total.NewNEV, f.Replaced, f.Total.Disposed, f.Total.End, f.Trips, f.DistanceKM, f.CostYuan, f.PurchaseYuan, f.SangongYuan})
	}
	var buf bytes.Buffer
	if err := xlsx.WriteBook(&buf, now, []xlsx.Sheet{sh}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}
