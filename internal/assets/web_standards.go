package assets

import (
	"net/http"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// Pages of the configuration standards with their findings, and of the purchase requests.

type standardsPage struct {
	web.Globals
	Standards []Standard
	Findings  []Finding
	OrgID     int64
	OrgName   string
}

type requestsPage struct {
	web.Globals
	Status   string
	Requests []Request
	Pager    web.Pager
	Classes  []web.Option
	Statuses []web.Option
	Form     RequestInput
	Errors   map[string]string
}

type requestPage struct {
	web.Globals
	R Request
}

func (s *Service) registerStandardsPages() {
	u := s.UI
	u.Page("GET /asset-standards", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		orgID, err := web.QueryInt(r, "org_id")
		if err != nil {
			return err
		}
		p := &standardsPage{Globals: s.g(r, "assets.menu.standards|配置标准", web.Crumb{Label: "assets.menu.standards|配置标准"}), OrgID: orgID, OrgName: orgLabel(r, s, orgID)}
		st, err := LoadStandards(r.Context(), s.DB, s.today())
		if err != nil {
			return err
		}
		p.Standards = st.All("")
		if p.Findings, err = s.Findings(r.Context(), s.DB, auth.ScopeFrom(r.Context()), orgID); err != nil {
			return err
		}
		if web.WantsExport(r) {
			var out [][]any
			for _, f := range p.Findings {
				out = append(out, []any{f.OrgName, f.KindName, f.Standard, f.AssetCode, f.AssetName, f.Message})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "配置标准问题清单（GovOps 格式）", []string{"单位", "问题", "标准项目", "资产编号", "资产名称", "说明"}, out,
				xlsx.Layout{Unit: s.UI.ExportUnit(r, orgID)})
		}
		return u.Render(w, r, http.StatusOK, "assets/standards.html", p)
	})
	list := func(w http.ResponseWriter, r *http.Request, form RequestInput, errors map[string]string, status int) error {
		f, err := parseRequestFilter(r)
		if err != nil {
			return err
		}
		p := &requestsPage{Globals: s.g(r, "assets.menu.requests|配置申请", web.Crumb{Label: "assets.menu.requests|配置申请"}), Status: f.Status,
			Statuses: RequestStatuses.Options(), Form: form, Errors: errors}
		var total int64
		if p.Requests, total, err = ListRequests(r.Context(), s.DB, auth.ScopeFrom(r.Context()), f); err != nil {
			return err
		}
		p.Pager = web.NewPager(f.List, total)
		if _, p.Classes, err = s.classOptions(r); err != nil {
			return err
		}
		return u.Render(w, r, status, "assets/requests.html", p)
	}
	u.Page("GET /asset-requests", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		return list(w, r, RequestInput{OrgID: defaultOrg(r), Quantity: 1}, nil, http.StatusOK)
	})
	u.Page("POST /asset-requests", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		fe := errs.Fields{}
		in := RequestInput{OrgID: web.FormInt(r, "org_id", fe), ClassCode: fstr(r, "class_code"), Name: fstr(r, "name"), Reason: fstr(r, "reason"),
			Quantity: int(web.FormInt(r, "quantity", fe)), PriceYuan: web.FormFloat(r, "price_yuan", fe)}
		return u.Submit(w, r, fe, func(status int, fields map[string]string) error {
			return list(w, r, in, fields, status)
		}, func() (string, string, error) {
			req, err := s.CreateRequest(r.Context(), auth.ScopeFrom(r.Context()), in)
			return "/asset-requests/" + itoa(req.ID), "已提交配置申请", formErr(err)
		})
	})
	u.Page("GET /asset-requests/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		p := &requestPage{Globals: s.g(r, "assets.request|配置申请", web.Crumb{Label: "assets.menu.requests|配置申请", Path: "/asset-requests"})}
		if p.R, err = GetRequest(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id); err != nil {
			return err
		}
		p.Title = p.R.Name
		return u.Render(w, r, http.StatusOK, "assets/request.html", p)
	})
	for _, a := range []struct {
		path, ok string
		approve  bool
	}{{"POST /asset-requests/{id}/approve", "已批准购置", true}, {"POST /asset-requests/{id}/reject", "已驳回配置申请", false}} {
		u.Page(a.path, PermApprove, func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			_, err = s.DecideRequest(r.Context(), auth.ScopeFrom(r.Context()), id, a.approve, DecideInput{Comment: fstr(r, "comment"), PoolOverride: fstr(r, "pool_override")})
			return s.done(w, r, err, "/asset-requests/"+itoa(id), a.ok)
		})
	}
	u.Page("POST /asset-requests/{id}/claim", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		fe := errs.Fields{}
		_, err = s.MeetFromPool(r.Context(), auth.ScopeFrom(r.Context()), id, PoolInput{ListingID: web.FormInt(r, "listing_id", fe)})
		return s.done(w, r, err, "/asset-requests/"+itoa(id), "已提交公物仓申领，申请以公物仓调剂办结")
	})
}
