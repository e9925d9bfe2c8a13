// Package assets is 资产 management and the idle-asset pool 公物仓 (docs/api.md §Assets and the idle-asset pool,
// docs/domain/assets.md): asset cards classified by GB/T 14885-2022 and numbered per unit, straight-line
// depreciation exact to the fen with the minimum lives of 财会〔2017〕4号 as reference data, the pool (a unit offers an
// idle asset, the bureau approves the listing, another unit claims it, the bureau approves the claim and the asset
// moves with its history and depreciation), disposal requests with approval, Excel export and import with a trial
// run.
//
// Files: classes.go (the reference data), depreciation.go (the pure computation and the report), cards.go (the
// ledger), pool.go, disposals.go, importer.go, api.go (JSON), web*.go (pages), objects.go and demo.go.
package assets

import (
	"context"
	"embed"
	"html/template"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed data/*
var dataFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

// Migrations creates the asset tables (after org's).
var Migrations = db.Embedded("assets", migrationsFS)

// Permissions of the module. unit_admin holds read and register (its units' cards, offering idle assets to the
// pool, claiming pool items and requesting disposals); asset_manager holds all (the bureau's approvals of
// listings, claims and disposals).
const (
	PermRead     = "asset:read"
	PermRegister = "asset:register"
	PermApprove  = "asset:approve"
)

// Permissions are the module's rights for the identity kit.
var Permissions = []auth.Permission{
	{Code: PermRead, Name: "查看资产台账与公物仓", Module: "资产管理"},
	{Code: PermRegister, Name: "登记资产、申报公物仓、申领与申请处置", Module: "资产管理"},
	{Code: PermApprove, Name: "审核公物仓入仓、申领与资产处置", Module: "资产管理"},
}

// Rooms is what the module reads of office space: a room in the caller's scope (404 otherwise). The wiring passes
// the office-space module.
type Rooms interface {
	Room(ctx context.Context, q db.Q, sc auth.Scope, id int64) (org.Room, error)
}

// Object types in the audit log and the business history.
const (
	objAsset    = "asset"
	objListing  = "asset_pool_listing"
	objClaim    = "asset_pool_claim"
	objDisposal = "asset_disposal"
)

var auditActions = map[string]string{
	"asset.create": "登记资产", "asset.update": "修改资产",
	"asset.pool.offer": "申报公物仓", "asset.pool.approve": "公物仓入仓审核通过", "asset.pool.reject": "公物仓入仓审核不通过",
	"asset.pool.claim": "申领公物仓资产", "asset.pool.claim_approve": "批准申领并调剂资产", "asset.pool.claim_reject": "驳回申领",
	"asset.disposal.create": "申请资产处置", "asset.disposal.approve": "批准资产处置", "asset.disposal.reject": "驳回资产处置",
}

var auditObjects = map[string]string{objAsset: "资产", objListing: "公物仓资产", objClaim: "公物仓申领", objDisposal: "资产处置"}

// Service is the module instance.
type Service struct {
	module.Deps
	rooms Rooms
}

// New makes the module; rooms is the office-space module (assets sit in rooms).
func New(d module.Deps, rooms Rooms) *Service { return &Service{Deps: d, rooms: rooms} }

// Manifest declares the module to the kit.
func (s *Service) Manifest() module.Manifest {
	const g = "menu.assets|资产管理"
	return module.Manifest{
		Name: "assets", Migrations: Migrations, Templates: web.Sub(templatesFS, "templates"), Catalog: catalogEN,
		Funcs: template.FuncMap{"assetStatus": Statuses.Name, "assetListingStatus": ListingStatuses.Name, "assetMethod": Methods.Name,
			"assetClaimStatus": ClaimStatuses.Name, "assetItemResult": ItemResults.Name},
		Permissions: Permissions, AuditActions: merged(auditActions, stocktakeAuditActions), AuditObjects: merged(auditObjects, stocktakeAuditObjects),
		Objects: append(objects(), stocktakeObjects()...), Datasets: append(Datasets(), stocktakeDatasets()...),
		Events: stocktakeEvents, Jobs: s.stocktakeJobs(), Todos: s.todos,
		Menu: append([]web.MenuItem{
			{Group: g, Label: "assets.menu.ledger|资产台账", Path: "/assets", Perm: PermRead, Order: 10},
			{Group: g, Label: "assets.menu.pool|公物仓", Path: "/assets/pool", Perm: PermRead, Order: 20},
			{Group: g, Label: "assets.menu.disposals|资产处置", Path: "/assets/disposals", Perm: PermRead, Order: 30},
			{Group: g, Label: "assets.menu.depreciation|折旧报表", Path: "/assets/depreciation", Perm: PermRead, Order: 40},
			{Group: g, Label: "assets.menu.requests|配置申请", Path: "/asset-requests", Perm: PermRead, Order: 45},
			{Group: g, Label: "assets.menu.standards|配置标准", Path: "/asset-standards", Perm: PermRead, Order: 46},
		}, stocktakeMenu...),
		Routes: func() {
			s.registerPages()
			s.registerAPI()
			s.stocktakePages()
			s.registerStocktakeAPI()
			s.registerStandardsAPI()
			s.registerStandardsPages()
		},
		Demo: s.LoadDemo,
	}
}

func (s *Service) today() string { return clock.Today(s.Clock.Now()) }

// Statuses are the states of an asset card (使用状况, docs/domain/assets.md §Asset card).
var Statuses = enum.Of(StatusInUse, "在用", StatusIdle, "闲置", StatusPooled, "公物仓", StatusDisposing, "待处置", StatusDisposed, "已处置")

// Asset statuses.
const (
	StatusInUse     = "in_use"
	StatusIdle      = "idle"
	StatusPooled    = "pooled"
	StatusDisposing = "disposing"
	StatusDisposed  = "disposed"
)

// Acquisitions are the ways an asset was acquired (取得方式, docs/domain/assets.md §Asset card).
var Acquisitions = enum.Of("purchase", "新购", "transfer_in", "调拨", "donation", "接受捐赠", "exchange", "置换", "self_built", "自建",
	"surplus", "盘盈", "other", "其他")

// ValueTypes are the kinds of book value (价值类型).
var ValueTypes = enum.Of("original", "原值", "provisional", "暂估值", "replacement", "重置值", "appraised", "评估值", "nominal", "名义金额")

// Methods are the disposal methods of 财资〔2021〕127号 (docs/domain/assets.md §Disposal approval).
var Methods = enum.Of("transfer", "无偿划转", "donation", "对外捐赠", "sale", "转让", "exchange", "置换", "scrap", "报废", "write_off", "损失核销")

// ListingStatuses are the states of a pool listing (docs/api.md §Assets and the idle-asset pool).
var ListingStatuses = enum.Of(ListingPending, "待审核", ListingAvailable, "可申领", ListingClaimed, "申领中", ListingTransferred, "已调剂",
	ListingRejected, "未通过", ListingWithdrawn, "已撤回")

// Listing statuses.
const (
	ListingPending     = "pending"
	ListingAvailable   = "available"
	ListingClaimed     = "claimed"
	ListingTransferred = "transferred"
	ListingRejected    = "rejected"
	ListingWithdrawn   = "withdrawn"
)

// ClaimStatuses are the states of a claim and of a disposal request.
var ClaimStatuses = enum.Of("pending", "待审批", "approved", "已批准", "rejected", "已驳回")
