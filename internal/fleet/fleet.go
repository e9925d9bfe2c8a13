// Package fleet is 公务用车 management (docs/api.md §Official vehicles, docs/domain/vehicles.md): the vehicle ledger
// with plate and VIN checks, drivers, 编制 (quotas per unit and category) and the configuration standards as
// reference data with compliance findings, trip requests approved through the workflow kit and dispatched with an
// overlap check that holds under concurrent dispatches, trips started and completed with odometer and costs, and the
// per-vehicle yearly ledger (单车核算).
//
// Files: rules.go (plates, VINs, the trip state table, the standards checks — pure), standards.go (the reference
// data), vehicles.go and drivers.go (the ledger), quotas.go and compliance.go, trips.go (requests, approval,
// dispatch, trip), costs.go (costs, the ledger and its consumption against the baseline), suppliers.go (定点
// suppliers and the non_designated_supplier finding), fuelcard.go (fuel-card statements), hire.go (社会化保障: the hire
// pool, its dispatch and monthly settlement), reminders.go (the due-date job), api.go and api_ops.go (JSON), web_*.go
// (pages), objects.go, todo.go, demo.go and demo_ops.go.
package fleet

import (
	"context"
	"embed"
	"html/template"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/jobs"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/workflow"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed data/*
var dataFS embed.FS

//go:embed static/*.js static/*.css
var staticFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

// Migrations creates the fleet tables (after org's).
var Migrations = db.Embedded("fleet", migrationsFS)

// Permissions of the module. unit_admin holds read, register and request (its units' vehicles, drivers and costs,
// and requests); employees hold request (their own trips); fleet_manager holds all (the bureau's fleet centre:
// approval, dispatch, quotas and standards).
const (
	PermRead     = "fleet:read"
	PermRegister = "fleet:register"
	PermRequest  = "fleet:request"
	PermApprove  = "fleet:approve"
	PermDispatch = "fleet:dispatch"
	PermManage   = "fleet:manage"
)

// Permissions are the module's rights for the identity kit.
var Permissions = []auth.Permission{
	{Code: PermRead, Name: "查看公务用车台账", Module: "公务用车"},
	{Code: PermRegister, Name: "登记车辆、驾驶员和车辆费用", Module: "公务用车"},
	{Code: PermRequest, Name: "申请用车", Module: "公务用车"},
	{Code: PermApprove, Name: "审批用车申请", Module: "公务用车"},
	{Code: PermDispatch, Name: "派车、出车与收车", Module: "公务用车"},
	{Code: PermManage, Name: "核定编制、配备标准与合规检查", Module: "公务用车"},
}

// Object types in the audit log and the business history; the request type and the notification events.
const (
	objVehicle    = "fleet_vehicle"
	objDriver     = "fleet_driver"
	objQuota      = "fleet_quota"
	objTrip       = "fleet_trip"
	objCost       = "fleet_cost"
	objSupplier   = "fleet_supplier"
	objHire       = "fleet_hire_contract"
	wfTrip        = "fleet.trip"
	eventTrip     = "fleet.trip"
	eventReminder = "fleet.reminder"
)

var auditActions = map[string]string{
	"fleet.vehicle.create": "登记车辆", "fleet.vehicle.update": "修改车辆",
	"fleet.driver.create": "登记驾驶员", "fleet.driver.update": "修改驾驶员",
	"fleet.quota.set":   "核定公务用车编制",
	"fleet.trip.create": "提交用车申请", "fleet.trip.decide": "用车申请审批结果", "fleet.trip.dispatch": "派车",
	"fleet.trip.start": "出车", "fleet.trip.complete": "收车", "fleet.trip.cancel": "取消用车", "fleet.trip.rate": "评价用车",
	"fleet.cost.create": "登记车辆费用", "fleet.reminder": "车辆到期提醒",
	"fleet.supplier.create": "定点供应商", "fleet.supplier.update": "修改定点供应商", "fleet.fuelcard.import": "导入加油卡对账单",
	"fleet.hire.create": "登记社会化保障合同", "fleet.hire.vehicle": "登记社会化保障车辆", "fleet.hire.driver": "登记社会化保障驾驶员",
}

var auditObjects = map[string]string{
	objVehicle: "车辆", objDriver: "驾驶员", objQuota: "公务用车编制", objTrip: "用车申请", objCost: "车辆费用",
	objSupplier: "定点供应商", objHire: "社会化保障合同",
}

// Service is the module instance.
type Service struct {
	module.Deps
}

// New makes the module; the wiring installs it with the kit, which registers what Manifest declares.
func New(d module.Deps) *Service { return &Service{Deps: d} }

// Manifest declares the module to the kit.
func (s *Service) Manifest() module.Manifest {
	const g = "menu.fleet|公务用车"
	return module.Manifest{
		Name: "fleet", Migrations: Migrations, Templates: web.Sub(templatesFS, "templates"), Catalog: catalogEN,
		Funcs: template.FuncMap{"fleetCategory": Categories.Name, "fleetFuel": FuelTypes.Name, "fleetBody": BodyTypes.Name,
			"fleetTripStatus": TripStatuses.Name, "fleetCostKind": CostKinds.Name, "fleetRule": Rules.Name},
		Permissions: Permissions, AuditActions: auditActions, AuditObjects: auditObjects, Objects: objects(), Datasets: Datasets(),
		RequestTypes: []workflow.Type{{Code: wfTrip, Name: "用车申请", Link: "/fleet/trips/{id}", OnDecided: s.tripDecided}},
		Events: []module.Event{{Code: eventTrip, Label: "fleet.event.trip|用车申请进展"},
			{Code: eventReminder, Label: "fleet.event.reminder|车辆保险、年检、保养到期"}},
		Jobs: []jobs.Job{
			{Name: "fleet.reminders", Title: "fleet.job.reminders|车辆保险、年检、保养到期提醒", Every: 6 * time.Hour, Run: s.reminderJob},
		},
		// Documents of a vehicle (行驶证, 保单, 年检合格标志…): seen by whoever may read the vehicle, changed by whoever
		// registers it.
		Attachments: []module.Attachment{{Type: objVehicle, SeePerm: PermRead, EditPerm: PermRegister, CanSee: s.canSeeVehicle, CanEdit: s.canSeeVehicle}},
		Menu: []web.MenuItem{
			{Group: g, Label: "fleet.menu.trips|用车申请", Path: "/fleet/trips", Perm: PermRequest, Order: 10},
			{Group: g, Label: "fleet.menu.dispatch|派车调度", Path: "/fleet/dispatch", Perm: PermDispatch, Order: 20},
			{Group: g, Label: "fleet.menu.vehicles|车辆台账", Path: "/fleet/vehicles", Perm: PermRead, Order: 30},
			{Group: g, Label: "fleet.menu.drivers|驾驶员", Path: "/fleet/drivers", Perm: PermRead, Order: 40},
			{Group: g, Label: "fleet.menu.compliance|编制与合规", Path: "/fleet/compliance", Perm: PermRead, Order: 50},
			{Group: g, Label: "fleet.menu.suppliers|定点供应商", Path: "/fleet/suppliers", Perm: PermRead, Order: 60},
			{Group: g, Label: "fleet.menu.fuelcards|加油卡对账单", Path: "/fleet/fuel-cards", Perm: PermRegister, Order: 70},
			{Group: g, Label: "fleet.menu.hire|社会化保障", Path: "/fleet/hire", Perm: PermRead, Order: 80},
		},
		Routes: func() { s.registerPages(); s.registerAPI(); s.registerOpsAPI() },
		Demo:   s.LoadDemo,
		Todos:  s.todos,
		Mine:   s.mine,
	}
}

func (s *Service) today() string { return clock.Today(s.Clock.Now()) }

// canSeeVehicle is the attachment check of a vehicle's documents: the vehicle in the caller's scope.
func (s *Service) canSeeVehicle(ctx context.Context, q db.Q, id int64) error {
	_, err := GetVehicle(ctx, q, auth.ScopeFrom(ctx), id)
	return err
}

// Categories are the vehicle categories of 中办发〔2017〕71号 第三条.
var Categories = enum.Of("confidential", "机要通信用车", "emergency", "应急保障用车", "law_enforcement", "执法执勤用车",
	"special", "特种专业技术用车", "other", "其他公务用车")

// FuelTypes are the vehicles' energy sources; electric and plug-in hybrid count as new-energy vehicles.
var FuelTypes = enum.Of("gasoline", "汽油", "diesel", "柴油", "electric", "纯电动", "plug_in_hybrid", "插电式混合动力", "hybrid", "油电混合（非插电）")

// BodyTypes are the body types the standards distinguish.
var BodyTypes = enum.Of("sedan", "轿车", "suv", "越野车（SUV）", "mpv", "多用途车（MPV）", "bus", "客车", "other", "其他")

// VehicleStatuses are the states of a vehicle in the ledger.
var VehicleStatuses = enum.Of("in_use", "在用", "sealed", "封存", "disposed", "已处置")

// MarkColors are the colours of the 公务用车标识 (docs/domain/vehicles.md §Markings).
var MarkColors = enum.Of("red", "红色（党政机关）", "yellow", "黄色（事业单位）", "blue", "蓝色（国有企业）", "green", "绿色（业务保障用车）")

// LicenseClasses are the driving licence classes a driver may hold.
var LicenseClasses = enum.Of("A1", "A1 大型客车", "A2", "A2 牵引车", "A3", "A3 城市公交车", "B1", "B1 中型客车", "B2", "B2 大型货车",
	"C1", "C1 小型汽车", "C2", "C2 小型自动挡汽车")

// TripStatuses are the states of a trip request (docs/api.md §Official vehicles).
var TripStatuses = enum.Of(TripSubmitted, "审批中", TripApproved, "待派车", TripDispatched, "已派车", TripInProgress, "出车中",
	TripCompleted, "已完成", TripRejected, "已驳回", TripCancelled, "已取消")

// CostKinds are the kinds of vehicle costs.
var CostKinds = enum.Of("fuel", "燃油费", "charging", "充电费", "maintenance", "维修保养费", "insurance", "保险费", "toll", "通行费",
	"parking", "停车费", "other", "其他")
