package energy

import "github.com/govops/govops/internal/platform/web"

// helpTopics are the energy help pages (docs/help.md), for the module and its parts (report, quota, emc, pv, whose
// pages live under /energy too): entry, meters, indicators, quota, the annual report, contracts, PV.
func helpTopics() []web.HelpTopic {
	g := "menu.energy|节能管理"
	return []web.HelpTopic{
		{Name: "entry", Title: "energy.help.entry|月度填报与 Excel 导入", Group: g, Perm: "energy:enter", Order: 10,
			Pages: []string{"/energy/entry/...", "/energy/import/..."}},
		{Name: "meters", Title: "energy.help.meters|计量表、读数与读数异常", Group: g, Perm: "energy:read", Order: 20,
			Pages: []string{"/energy/meters/...", "/energy/anomalies/..."}},
		{Name: "indicators", Title: "energy.help.indicators|能耗指标、折标准煤与碳排放", Group: g, Perm: "energy:read", Order: 30,
			Pages: []string{"/energy/overview", "/energy/summary/...", "/energy/rankings/...", "/energy/factors/..."}},
		{Name: "quota", Title: "energy.help.quota|能耗定额、预警与超定额说明", Group: g, Perm: "energy:read", Order: 40,
			Pages: []string{"/energy/quotas/...", "/energy/quota-warnings/...", "/energy/quota-explanations/...", "/energy/quota-standards/..."}},
		{Name: "report", Title: "energy.help.report|能源资源消费统计年报", Group: g, Perm: "energy:read", Order: 50,
			Pages: []string{"/energy/reports/..."}},
		{Name: "contracts", Title: "energy.help.contracts|合同能源管理与度日数", Group: g, Perm: "energy:read", Order: 60,
			Pages: []string{"/energy/contracts/...", "/energy/degree-days/..."}},
		{Name: "pv", Title: "energy.help.pv|屋顶光伏", Group: g, Perm: "energy:read", Order: 70,
			Pages: []string{"/energy/pv/..."}},
	}
}
