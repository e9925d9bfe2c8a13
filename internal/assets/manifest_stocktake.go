package assets

import (
	"maps"
	"time"

	"github.com/govops/govops/internal/platform/jobs"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/platform/web"
)

// What the stocktake, the loans and the reminders add to the module's manifest (assets.go).

// Object types of the stocktake and the loans in the audit log and the business history.
const (
	objStocktake  = "asset_stocktake"
	objAdjustment = "asset_adjustment"
	objLoan       = "asset_loan"
)

var stocktakeAuditActions = map[string]string{
	"asset.stocktake.create": "创建资产盘点任务", "asset.stocktake.scan": "登记盘到资产", "asset.stocktake.surplus": "登记盘盈资产",
	"asset.stocktake.close": "结束资产盘点", "asset.adjustment.create": "提交盘点调整", "asset.adjustment.approve": "批准盘点调整",
	"asset.adjustment.reject": "驳回盘点调整", "asset.loan.create": "登记资产出借", "asset.loan.return": "登记出借归还", "asset.reminder": "资产提醒",
}

var stocktakeAuditObjects = map[string]string{objStocktake: "资产盘点任务", objAdjustment: "盘点调整", objLoan: "资产出借"}

// merged is a copy of a with b's entries added.
func merged(a, b map[string]string) map[string]string {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

func stocktakeObjects() []module.Object {
	return []module.Object{
		{Type: objStocktake, Names: module.NamesQuery("SELECT x.id, x.name FROM asset_stocktakes x", "x.id", "x.org_id"), Link: module.LinkTo("/assets/stocktakes/tasks/")},
		{Type: objAdjustment, Names: module.NamesQuery("SELECT x.id, s.name || ' 盘点调整' FROM asset_adjustments x JOIN asset_stocktakes s ON s.id = x.stocktake_id", "x.id", "x.org_id")},
		{Type: objLoan, Names: module.NamesQuery("SELECT x.id, a.code || ' ' || a.name || ' → ' || x.borrower FROM asset_loans x JOIN assets a ON a.id = x.asset_id", "x.id", "x.org_id")},
	}
}

var stocktakeEvents = []module.Event{
	{Code: eventLoanOverdue, Label: "assets.event.loan|资产出借逾期未归还"},
	{Code: eventIdle, Label: "assets.event.idle|闲置资产待申报公物仓"},
}

func (s *Service) stocktakeJobs() []jobs.Job {
	return []jobs.Job{{Name: "assets.reminders", Title: "assets.job.reminders|资产出借逾期与闲置资产提醒", Every: 6 * time.Hour, Run: s.reminderJob}}
}

var stocktakeMenu = []web.MenuItem{
	{Group: "menu.assets|资产管理", Label: "assets.menu.stocktakes|资产盘点", Path: "/assets/stocktakes", Perm: PermRead, Order: 25},
	{Group: "menu.assets|资产管理", Label: "assets.menu.loans|资产出借", Path: "/assets/loans", Perm: PermRead, Order: 27},
}

func stocktakeDatasets() []refdata.Dataset { return []refdata.Dataset{embeddedIdle()} }
