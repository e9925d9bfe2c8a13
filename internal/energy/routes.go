package energy

import (
	"html/template"

	"github.com/govops/govops/internal/platform/web"
)

func (s *Service) funcs() template.FuncMap {
	return template.FuncMap{"energyType": TypeName, "unitLabel": UnitLabel, "subItemName": SubItemName, "energyPct": pctSigned,
		"energyStatus": statusClass, "energyNum": fmtNum, "resolutionName": ResolutionName,
		"divf": func(a, b float64) float64 {
			if b == 0 {
				return 0
			}
			return a / b
		}, "energyMonth": func(m int) string { return monthLabels[m] },
		"energyBar": func(v, max float64) int {
			if max <= 0 {
				return 0
			}
			return int(v / max * 10)
		}}
}

const menuGroup = "menu.energy|节能管理"

// menu is the module's part of the energy menu group (the parts add theirs).
var menu = []web.MenuItem{
	{Group: menuGroup, Label: "energy.menu.dashboard|能耗总览", Path: "/energy/overview", Perm: "energy:read", Order: 10},
	{Group: menuGroup, Label: "energy.menu.entry|月度填报", Path: "/energy/entry", Perm: "energy:enter", Order: 20},
	{Group: menuGroup, Label: "energy.menu.import|Excel 导入", Path: "/energy/import", Perm: "energy:enter", Order: 30},
	{Group: menuGroup, Label: "energy.menu.summary|统计汇总", Path: "/energy/summary", Perm: "energy:read", Order: 40},
	{Group: menuGroup, Label: "energy.menu.rankings|单位排名", Path: "/energy/rankings", Perm: "energy:read", Order: 50},
	{Group: menuGroup, Label: "energy.menu.meters|计量表", Path: "/energy/meters", Perm: "energy:read", Order: 60},
	{Group: menuGroup, Label: "energy.menu.anomalies|读数异常", Path: "/energy/anomalies", Perm: "energy:read", Order: 70},
	{Group: menuGroup, Label: "energy.menu.factors|折算系数", Path: "/energy/factors", Perm: "energy:read", Order: 80},
}
