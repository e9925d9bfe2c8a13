package assets

import (
	"context"
	"net/http"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// The JSON API (docs/api.md §Assets and the idle-asset pool).

func scope(r *http.Request) auth.Scope { return auth.ScopeFrom(r.Context()) }

func parseFilter(r *http.Request) (Filter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return Filter{}, err
	}
	orgID, err := web.QueryInt(r, "org_id")
	qv := r.URL.Query()
	return Filter{List: l, OrgID: orgID, Class: strings.ToUpper(strings.TrimSpace(qv.Get("class_code"))), Status: strings.TrimSpace(qv.Get("status"))}, err
}

func parseListingFilter(r *http.Request) (ListingFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return ListingFilter{}, err
	}
	orgID, err := web.QueryInt(r, "org_id")
	return ListingFilter{List: l, OrgID: orgID, Status: strings.TrimSpace(r.URL.Query().Get("status"))}, err
}

func parseClaimFilter(r *http.Request) (ClaimFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return ClaimFilter{}, err
	}
	id, err := web.QueryInt(r, "listing_id")
	return ClaimFilter{List: l, ListingID: id, Status: strings.TrimSpace(r.URL.Query().Get("status"))}, err
}

func parseDisposalFilter(r *http.Request) (DisposalFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return DisposalFilter{}, err
	}
	id, err := web.QueryInt(r, "asset_id")
	return DisposalFilter{List: l, AssetID: id, Status: strings.TrimSpace(r.URL.Query().Get("status"))}, err
}

func (s *Service) registerAPI() {
	d, u := s.Deps, s.UI
	filterDoc := []web.Param{{Name: "org_id", Type: "integer", Help: "该单位及下级"}, {Name: "class_code", Help: "该分类及其下级分类"},
		{Name: "status", Help: "in_use · idle · pooled · disposing · disposed · all；默认为在账资产（不含已处置）"}}
	module.List(d, "GET /api/v1/assets", PermRead, web.Doc{Summary: "资产台账", Query: filterDoc}, parseFilter, ListAssets)
	module.Create(d, "POST /api/v1/assets", PermRegister, web.Doc{Summary: "登记资产（自动生成资产编号；未知分类 → 422）"}, s.CreateAsset)
	module.Get(d, "GET /api/v1/assets/{id}", PermRead, web.Doc{Summary: "资产卡片（含变更历史）"}, s.AssetDetail)
	u.API("PATCH /api/v1/assets/{id}", PermRegister, web.Doc{Summary: "修改资产卡片（只改给出的字段）", Body: Input{}, Response: Asset{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			a, err := GetAsset(r.Context(), s.DB, scope(r), id)
			if err != nil {
				return err
			}
			in := inputOf(a)
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			out, err := s.UpdateAsset(r.Context(), scope(r), id, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, out)
		})
	u.API("GET /api/v1/assets/{id}/depreciation", PermRead, web.Doc{Summary: "资产折旧（直线法，无残值，取得次月起按月计提）", Response: Depreciation{},
		Query: []web.Param{{Name: "as_of", Help: "YYYY-MM-DD，默认今天"}}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		dep, err := s.GetDepreciation(r.Context(), s.DB, scope(r), id, strings.TrimSpace(r.URL.Query().Get("as_of")))
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, dep)
	})
	u.API("GET /api/v1/assets/depreciation-report", PermRead, web.Doc{Summary: "折旧报表：截至某日各单位的原值、累计折旧、净值", Response: Report{},
		Query: []web.Param{{Name: "as_of", Help: "YYYY-MM-DD，默认今天"}, {Name: "org_id", Type: "integer", Help: "该单位及下级"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			orgID, err := web.QueryInt(r, "org_id")
			if err != nil {
				return err
			}
			asOf := strings.TrimSpace(r.URL.Query().Get("as_of"))
			if asOf == "" {
				asOf = s.today()
			}
			rep, err := DepreciationReport(r.Context(), s.DB, scope(r), orgID, asOf)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, rep)
		})
	u.API("GET /api/v1/asset-classes", PermRead, web.Doc{Summary: "资产分类表（GB/T 14885-2022，今日有效）", Response: Class{}, List: true},
		func(w http.ResponseWriter, r *http.Request) error {
			cat, err := LoadCatalog(r.Context(), s.DB, s.today())
			if err != nil {
				return err
			}
			cs := cat.Classes("")
			return web.JSON(w, http.StatusOK, web.NewItems(cs, int64(len(cs))))
		})
	u.API("POST /api/v1/assets/import", PermRegister, web.Doc{Summary: "Excel 导入资产卡片（multipart 字段 file；dry_run=true 只校验；有错误行时整体不写入并返回 422）",
		Response: xlsx.Report{}, Query: []web.Param{{Name: "dry_run", Type: "boolean", Help: "只校验（试运行）"}}}, func(w http.ResponseWriter, r *http.Request) error {
		rows, err := xlsx.ReadUpload(r, ImportColumns)
		if err != nil {
			return err
		}
		dry := r.URL.Query().Get("dry_run") == "true" || r.URL.Query().Get("dry_run") == "1"
		rep, err := s.ImportAssets(r.Context(), scope(r), rows, dry)
		if err != nil {
			return err
		}
		if !rep.OK() {
			return web.JSON(w, http.StatusUnprocessableEntity, struct {
				Error  map[string]string `json:"error"`
				Report xlsx.Report       `json:"report"`
			}{map[string]string{"code": string(errs.CodeValidation), "message": "导入文件有错误行，未写入任何数据"}, rep})
		}
		return web.JSON(w, http.StatusOK, rep)
	})

	// 公物仓.
	module.List(d, "GET /api/v1/pool/listings", PermRead, web.Doc{Summary: "公物仓目录",
		Query: []web.Param{{Name: "status", Help: "pending · available · claimed · transferred · rejected"}, {Name: "org_id", Type: "integer", Help: "申报单位及下级"}}},
		parseListingFilter, ListListings)
	module.Create(d, "POST /api/v1/pool/listings", PermRegister, web.Doc{Summary: "申报闲置资产入公物仓（待审核；已在仓或待处置 → 409）"}, s.Offer)
	module.Get(d, "GET /api/v1/pool/listings/{id}", PermRead, web.Doc{Summary: "公物仓资产"}, GetListing)
	module.Action(d, "POST /api/v1/pool/listings/{id}/approve", PermApprove, web.Doc{Summary: "入仓审核通过（可申领；不在待审核 → 409）"},
		func(ctx context.Context, sc auth.Scope, id int64, in CommentInput) (Listing, error) {
			return s.DecideListing(ctx, sc, id, true, in.Comment)
		})
	module.Action(d, "POST /api/v1/pool/listings/{id}/reject", PermApprove, web.Doc{Summary: "入仓审核不通过（不在待审核 → 409）"},
		func(ctx context.Context, sc auth.Scope, id int64, in CommentInput) (Listing, error) {
			return s.DecideListing(ctx, sc, id, false, in.Comment)
		})
	u.API("POST /api/v1/pool/listings/{id}/claims", PermRegister, web.Doc{Summary: "申领公物仓资产（不是可申领状态 → 409）", Body: ClaimInput{}, Response: Claim{},
		Status: http.StatusCreated}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		var in ClaimInput
		if err := web.DecodeJSON(r, &in); err != nil {
			return err
		}
		c, err := s.ClaimListing(r.Context(), scope(r), id, in)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusCreated, c)
	})
	module.List(d, "GET /api/v1/pool/claims", PermRead, web.Doc{Summary: "公物仓申领",
		Query: []web.Param{{Name: "status", Help: "pending · approved · rejected"}, {Name: "listing_id", Type: "integer"}}}, parseClaimFilter, ListClaims)
	module.Get(d, "GET /api/v1/pool/claims/{id}", PermRead, web.Doc{Summary: "申领"}, GetClaim)
	module.Action(d, "POST /api/v1/pool/claims/{id}/approve", PermApprove, web.Doc{Summary: "批准申领：资产调剂至申领单位，历史与折旧延续（不在待审批 → 409）"},
		func(ctx context.Context, sc auth.Scope, id int64, in CommentInput) (Claim, error) {
			return s.DecideClaim(ctx, sc, id, true, in.Comment)
		})
	module.Action(d, "POST /api/v1/pool/claims/{id}/reject", PermApprove, web.Doc{Summary: "驳回申领：资产恢复可申领（不在待审批 → 409）"},
		func(ctx context.Context, sc auth.Scope, id int64, in CommentInput) (Claim, error) {
			return s.DecideClaim(ctx, sc, id, false, in.Comment)
		})
	u.API("GET /api/v1/pool/stats", PermRead, web.Doc{Summary: "公物仓统计：调剂件数与节约资金", Response: PoolStats{}}, func(w http.ResponseWriter, r *http.Request) error {
		st, err := Stats(r.Context(), s.DB, scope(r))
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, st)
	})

	// Disposals.
	module.Action(d, "POST /api/v1/assets/{id}/disposals", PermRegister, web.Doc{Summary: "申请资产处置（在用或闲置资产；其他状态 → 409）"},
		func(ctx context.Context, sc auth.Scope, id int64, in DisposalInput) (Disposal, error) {
			return s.RequestDisposal(ctx, sc, id, in)
		})
	module.List(d, "GET /api/v1/asset-disposals", PermRead, web.Doc{Summary: "资产处置申请",
		Query: []web.Param{{Name: "status", Help: "pending · approved · rejected"}, {Name: "asset_id", Type: "integer"}}}, parseDisposalFilter, ListDisposals)
	module.Get(d, "GET /api/v1/asset-disposals/{id}", PermRead, web.Doc{Summary: "资产处置申请"}, GetDisposal)
	module.Action(d, "POST /api/v1/asset-disposals/{id}/approve", PermApprove, web.Doc{Summary: "批准处置：资产核销出账，仍可查询（不在待审批 → 409）"},
		func(ctx context.Context, sc auth.Scope, id int64, in CommentInput) (Disposal, error) {
			return s.DecideDisposal(ctx, sc, id, true, in.Comment)
		})
	module.Action(d, "POST /api/v1/asset-disposals/{id}/reject", PermApprove, web.Doc{Summary: "驳回处置：资产恢复原状态（不在待审批 → 409）"},
		func(ctx context.Context, sc auth.Scope, id int64, in CommentInput) (Disposal, error) {
			return s.DecideDisposal(ctx, sc, id, false, in.Comment)
		})
}
