package quota

import (
	"html/template"

	"github.com/govops/govops/internal/platform/web"
)

// Routes registers the module's templates, English catalogue, menu, pages and API.
func (s *Service) Routes() {
	u := s.UI
	u.AddTemplates("quota", web.Sub(templatesFS, "templates"))
	if err := u.Catalog.Add(web.LangEN, catalogEN); err != nil {
		panic(err)
	}
	u.AddFuncs(template.FuncMap{"quotaNum": num, "quotaPct": func(v float64) string { return num(v*100) + "%" },
		"quotaStatus": func(st string) string {
			return map[string]string{StatusNormal: "badge-ok", StatusWarning: "badge-warn", StatusOver: "badge-danger"}[st]
		}})
	g := "menu.energy|节能管理"
	u.AddMenu(
		web.MenuItem{Group: g, Label: "quota.menu.overview|能耗定额", Path: "/energy/quotas", Perm: "energy:read", Order: 100},
		web.MenuItem{Group: g, Label: "quota.menu.warnings|定额预警", Path: "/energy/quota-warnings", Perm: "energy:read", Order: 102},
		web.MenuItem{Group: g, Label: "quota.menu.explanations|超定额说明", Path: "/energy/quota-explanations", Perm: "energy:read", Order: 104},
		web.MenuItem{Group: g, Label: "quota.menu.standards|定额标准", Path: "/energy/quota-standards", Perm: "energy:read", Order: 106},
	)
	s.api()
	s.pages()
}
