package quota

import (
	"html/template"

	"github.com/govops/govops/internal/platform/web"
)

var funcs = template.FuncMap{"quotaNum": figure, "quotaPct": func(v float64) string { return figure(v*100) + "%" },
	"quotaStatus": func(st string) string {
		return map[string]string{StatusNormal: "badge-ok", StatusWarning: "badge-warn", StatusOver: "badge-danger"}[st]
	}}

const menuGroup = "menu.energy|节能管理"

var menu = []web.MenuItem{
	{Group: menuGroup, Label: "quota.menu.overview|能耗定额", Path: "/energy/quotas", Perm: "energy:read", Order: 100},
	{Group: menuGroup, Label: "quota.menu.warnings|定额预警", Path: "/energy/quota-warnings", Perm: "energy:read", Order: 102},
	{Group: menuGroup, Label: "quota.menu.explanations|超定额说明", Path: "/energy/quota-explanations", Perm: "energy:read", Order: 104},
	{Group: menuGroup, Label: "quota.menu.standards|定额标准", Path: "/energy/quota-standards", Perm: "energy:read", Order: 106},
}
