package fleet

import (
	"net/http"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

// The 编制与合规 page: the findings with their rule texts and sources, and the quotas with the vehicles held.

type compliancePage struct {
	web.Globals
	OrgID      int64
	OrgName    string
	Items      []ComplianceItem
	Counts     map[string]int
	Quotas     []Quota
	Categories []web.Option
	Form       QuotaInput
	Errors     map[string]string
}

func (s *Service) pagesCompliance() {
	u := s.UI
	render := func(w http.ResponseWriter, r *http.Request, status int, in QuotaInput, fields map[string]string) error {
		orgID, err := web.QueryInt(r, "org_id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		p := &compliancePage{Globals: s.g(r, "fleet.menu.compliance|编制与合规", web.Crumb{Label: "fleet.menu.compliance|编制与合规"}), OrgID: orgID,
			OrgName: orgLabel(r, s, orgID), Counts: map[string]int{}, Categories: Categories.Options(), Form: in, Errors: fields}
		if p.Items, err = s.Compliance(r.Context(), s.DB, sc, orgID); err != nil {
			return err
		}
		for _, it := range p.Items {
			p.Counts[it.Rule]++
		}
		if orgID > 0 {
			if p.Quotas, err = ListQuotas(r.Context(), s.DB, sc, orgID); err != nil {
				return err
			}
		} else if p.Quotas, err = ListQuotas(r.Context(), s.DB, sc, 0); err != nil {
			return err
		}
		return u.Render(w, r, status, "fleet/compliance.html", p)
	}
	u.Page("GET /fleet/compliance", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		return render(w, r, http.StatusOK, QuotaInput{OrgID: defaultOrg(r), Category: "other"}, nil)
	})
	u.Page("POST /fleet/quotas", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		f := errs.Fields{}
		in := QuotaInput{OrgID: web.FormInt(r, "org_id", f), Category: fstr(r, "category"), Quota: int(web.FormInt(r, "quota", f))}
		if fstr(r, "quota") == "" && !f.Has("quota") {
			f.Add("quota", "请填写编制数")
		}
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return render(w, r, status, in, fields)
		}, func() (string, string, error) {
			_, err := s.SetQuota(r.Context(), auth.ScopeFrom(r.Context()), in)
			return "/fleet/compliance", "已核定编制", formErr(err)
		})
	})
}
