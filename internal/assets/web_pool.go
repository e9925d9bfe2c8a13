package assets

import (
	"net/http"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// Pages of the pool, the disposals and the depreciation report.

type poolPage struct {
	web.Globals
	F        ListingFilter
	Listings []Listing
	Pager    web.Pager
	Stats    PoolStats
	Claims   []Claim
	Statuses enum.List
}

type listingPage struct {
	web.Globals
	L      Listing
	Claims []Claim
	Units  int64
}

type disposalsPage struct {
	web.Globals
	Status    string
	Disposals []Disposal
	Pager     web.Pager
}

type reportPage struct {
	web.Globals
	AsOf    string
	OrgID   int64
	OrgName string
	R       Report
}

func (s *Service) poolPages() {
	u := s.UI
	u.Page("GET /assets/pool", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		f, err := parseListingFilter(r)
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		p := &poolPage{Globals: s.g(r, "assets.menu.pool|公物仓", web.Crumb{Label: "assets.menu.pool|公物仓"}), F: f, Statuses: ListingStatuses}
		var total int64
		if p.Listings, total, err = ListListings(r.Context(), s.DB, sc, f); err != nil {
			return err
		}
		if p.Stats, err = Stats(r.Context(), s.DB, sc); err != nil {
			return err
		}
		if p.Claims, _, err = ListClaims(r.Context(), s.DB, sc, ClaimFilter{List: web.List{Page: 1, PageSize: 50}, Status: "pending"}); err != nil {
			return err
		}
		p.Pager = web.NewPager(f.List, total)
		return u.Render(w, r, http.StatusOK, "assets/pool.html", p)
	})
	u.Page("GET /assets/pool/items/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		l, err := GetListing(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		p := &listingPage{Globals: s.g(r, l.AssetCode+" "+l.AssetName, web.Crumb{Label: "assets.menu.pool|公物仓", Path: "/assets/pool"}, web.Crumb{Label: l.AssetCode}), L: l}
		if p.Claims, _, err = ListClaims(r.Context(), s.DB, sc, ClaimFilter{List: web.List{Page: 1, PageSize: 50}, ListingID: id}); err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "assets/listing.html", p)
	})
	decide := func(path string, approve bool, ok string, act func(r *http.Request, id int64, approve bool) (string, error)) {
		u.Page(path, PermApprove, func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			to, err := act(r, id, approve)
			return s.done(w, r, err, to, ok)
		})
	}
	listing := func(r *http.Request, id int64, approve bool) (string, error) {
		_, err := s.DecideListing(r.Context(), auth.ScopeFrom(r.Context()), id, approve, fstr(r, "comment"))
		return "/assets/pool/items/" + itoa(id), err
	}
	claim := func(r *http.Request, id int64, approve bool) (string, error) {
		c, err := s.DecideClaim(r.Context(), auth.ScopeFrom(r.Context()), id, approve, fstr(r, "comment"))
		if c.ListingID == 0 {
			return "/assets/pool", err
		}
		return "/assets/pool/items/" + itoa(c.ListingID), err
	}
	disposal := func(r *http.Request, id int64, approve bool) (string, error) {
		_, err := s.DecideDisposal(r.Context(), auth.ScopeFrom(r.Context()), id, approve, fstr(r, "comment"))
		return "/assets/disposals", err
	}
	decide("POST /assets/pool/{id}/approve", true, "已审核通过，资产可供申领", listing)
	decide("POST /assets/pool/{id}/reject", false, "已退回入仓申请", listing)
	decide("POST /assets/pool/claims/{id}/approve", true, "已批准申领，资产已调剂至申领单位", claim)
	decide("POST /assets/pool/claims/{id}/reject", false, "已驳回申领", claim)
	decide("POST /assets/disposals/{id}/approve", true, "已批准处置，资产已核销出账", disposal)
	decide("POST /assets/disposals/{id}/reject", false, "已驳回处置申请", disposal)
	u.Page("POST /assets/pool/{id}/claims", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		f := map[string]string{}
		orgID := web.FormInt(r, "org_id", f)
		_, err = s.ClaimListing(r.Context(), auth.ScopeFrom(r.Context()), id, ClaimInput{OrgID: orgID, Reason: fstr(r, "reason")})
		return s.done(w, r, err, "/assets/pool/items/"+itoa(id), "已提交申领，等待审批")
	})
	u.Page("GET /assets/disposals", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		f, err := parseDisposalFilter(r)
		if err != nil {
			return err
		}
		p := &disposalsPage{Globals: s.g(r, "assets.menu.disposals|资产处置", web.Crumb{Label: "assets.menu.disposals|资产处置"}), Status: f.Status}
		var total int64
		if p.Disposals, total, err = ListDisposals(r.Context(), s.DB, auth.ScopeFrom(r.Context()), f); err != nil {
			return err
		}
		p.Pager = web.NewPager(f.List, total)
		return u.Render(w, r, http.StatusOK, "assets/disposals.html", p)
	})
	u.Page("GET /assets/depreciation", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		orgID, err := web.QueryInt(r, "org_id")
		if err != nil {
			return err
		}
		asOf := strings.TrimSpace(r.URL.Query().Get("as_of"))
		if asOf == "" {
			asOf = s.today()
		}
		p := &reportPage{Globals: s.g(r, "assets.menu.depreciation|折旧报表", web.Crumb{Label: "assets.menu.depreciation|折旧报表"}), AsOf: asOf, OrgID: orgID,
			OrgName: orgLabel(r, s, orgID)}
		if p.R, err = DepreciationReport(r.Context(), s.DB, auth.ScopeFrom(r.Context()), orgID, asOf); err != nil {
			return err
		}
		if web.WantsExport(r) {
			var out [][]any
			for _, l := range p.R.Lines {
				out = append(out, []any{l.OrgName, l.Count, l.ValueYuan, l.MonthlyYuan, l.AccumulatedYuan, l.NetYuan, l.Fully})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "固定资产折旧报表（截至 "+asOf+"，GovOps 格式）", []string{"单位", "资产数", "原值（元）", "本月折旧（元）",
				"累计折旧（元）", "账面净值（元）", "已提足折旧资产数"}, out,
				xlsx.Layout{Unit: s.UI.ExportUnit(r, orgID), Sum: []string{"资产数", "原值（元）", "本月折旧（元）", "累计折旧（元）", "账面净值（元）", "已提足折旧资产数"}})
		}
		return u.Render(w, r, http.StatusOK, "assets/depreciation.html", p)
	})
}
