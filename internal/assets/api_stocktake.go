package assets

import (
	"context"
	"net/http"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

// The JSON API of the stocktake, the adjustments and the loans (docs/api.md §Assets and the idle-asset pool).

func parseAdjustmentFilter(r *http.Request) (AdjustmentFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return AdjustmentFilter{}, err
	}
	id, err := web.QueryInt(r, "stocktake_id")
	return AdjustmentFilter{List: l, StocktakeID: id, Status: strings.TrimSpace(r.URL.Query().Get("status"))}, err
}

func (s *Service) registerStocktakeAPI() {
	d, u := s.Deps, s.UI
	module.List(d, "GET /api/v1/asset-stocktakes", PermRead, web.Doc{Summary: "资产盘点任务",
		Query: []web.Param{{Name: "status", Help: "open · closed · reconciled"}, {Name: "org_id", Type: "integer", Help: "该单位及下级"}}}, parseStocktakeFilter, ListStocktakes)
	module.Create(d, "POST /api/v1/asset-stocktakes", PermRegister, web.Doc{Summary: "创建盘点任务（按单位，可限定存放地点或分类；范围内无在账资产 → 422）"}, s.CreateStocktake)
	module.Get(d, "GET /api/v1/asset-stocktakes/{id}", PermRead, web.Doc{Summary: "盘点任务及盘到、盘亏、盘盈数"}, GetStocktake)
	u.API("GET /api/v1/asset-stocktakes/{id}/items", PermRead, web.Doc{Summary: "盘点清单（盘点报告）", Response: Item{}, List: true,
		Query: []web.Param{{Name: "result", Help: "pending · found · missing · surplus"}}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		f, err := parseItemFilter(r)
		if err != nil {
			return err
		}
		items, total, err := ListItems(r.Context(), s.DB, scope(r), id, f)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(items, total))
	})
	module.Action(d, "POST /api/v1/asset-stocktakes/{id}/scans", PermRegister, web.Doc{Summary: "登记盘到（扫码或输入资产编号；不在清单中 → 422；任务已结束 → 409）"}, s.Scan)
	module.Action(d, "POST /api/v1/asset-stocktakes/{id}/surplus", PermRegister, web.Doc{Summary: "登记盘盈资产（无卡片的实物）"}, s.AddSurplus)
	module.Action(d, "POST /api/v1/asset-stocktakes/{id}/close", PermRegister, web.Doc{Summary: "结束盘点：未盘到的为盘亏；有差异时提交盘点调整待审核（不在盘点中 → 409）"},
		func(ctx context.Context, sc auth.Scope, id int64, _ struct{}) (Stocktake, error) {
			return s.CloseStocktake(ctx, sc, id)
		})
	module.List(d, "GET /api/v1/asset-adjustments", PermRead, web.Doc{Summary: "盘点调整",
		Query: []web.Param{{Name: "status", Help: "pending · approved · rejected"}, {Name: "stocktake_id", Type: "integer"}}}, parseAdjustmentFilter, ListAdjustments)
	module.Get(d, "GET /api/v1/asset-adjustments/{id}", PermRead, web.Doc{Summary: "盘点调整"}, GetAdjustment)
	module.Action(d, "POST /api/v1/asset-adjustments/{id}/approve", PermApprove,
		web.Doc{Summary: "批准盘点调整：盘亏资产转待处置（损失核销申请），盘盈资产登记入账（不在待审批 → 409）"},
		func(ctx context.Context, sc auth.Scope, id int64, in CommentInput) (Adjustment, error) {
			return s.DecideAdjustment(ctx, sc, id, true, in.Comment)
		})
	module.Action(d, "POST /api/v1/asset-adjustments/{id}/reject", PermApprove, web.Doc{Summary: "驳回盘点调整：任务重新开放盘点（不在待审批 → 409）"},
		func(ctx context.Context, sc auth.Scope, id int64, in CommentInput) (Adjustment, error) {
			return s.DecideAdjustment(ctx, sc, id, false, in.Comment)
		})

	// Loans.
	module.List(d, "GET /api/v1/asset-loans", PermRead, web.Doc{Summary: "资产出借（出借单位或借用单位在范围内）",
		Query: []web.Param{{Name: "status", Help: "out · returned · overdue（逾期未归还）"}, {Name: "asset_id", Type: "integer"}}}, parseLoanFilter,
		func(ctx context.Context, q db.Q, sc auth.Scope, f LoanFilter) ([]Loan, int64, error) {
			return s.ListLoans(ctx, q, sc, f)
		})
	module.Create(d, "POST /api/v1/asset-loans", PermRegister, web.Doc{Summary: "登记出借（在用、闲置或公物仓资产；已出借或申领中 → 409）"}, s.Lend)
	module.Get(d, "GET /api/v1/asset-loans/{id}", PermRead, web.Doc{Summary: "出借记录（overdue：逾期未归还）"}, s.GetLoan)
	module.Action(d, "POST /api/v1/asset-loans/{id}/return", PermRegister, web.Doc{Summary: "登记归还（已归还 → 409）"}, s.ReturnLoan)
}
