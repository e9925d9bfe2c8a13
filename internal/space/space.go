// Package space is 办公用房 management: the register of properties, buildings, floors, rooms and occupants, the 2014
// office area standards (发改投资〔2014〕2674号) as reference data, compliance checks of 《党政机关办公用房管理办法》
// with rectification, allocation (调剂) and vacating (腾退), repairs and disposal, utilisation and stocktake.
//
// Files: rules.go (the compliance rules, pure), standards.go (the reference data), store_*.go (SQL), scan.go (the
// bulk compliance scan and the re-evaluation after every write), rectify.go, allocate.go, repairs.go, stocktake.go,
// ledger.go (Excel), api_*.go (JSON), web_*.go (pages), floorplan.go (the SVG floor view), demo.go and scale.go.
package space

import (
	"context"
	"embed"
	"html/template"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/attach"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/jobs"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/workflow"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed data/*.csv
var dataFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

// Migrations creates the space tables (after org's).
var Migrations = db.Embedded("space", migrationsFS)

// Permissions of the module. unit_admin holds read and register (its own units' rooms, occupants, reports of
// rectification, requests); space_manager holds all three (the bureau: standards checks, verification, approval,
// repairs, disposal, stocktakes, agreements).
//
// PermBuildings is the narrow read the other modules' managers need (energy, assets, services): the buildings with
// their areas and floors, without the people in the rooms, the compliance findings or the ownership papers.
const (
	PermBuildings = "space:buildings"
	PermRead      = "space:read"
	PermRegister  = "space:register"
	PermManage    = "space:manage"
)

// Permissions are the module's rights for the identity kit.
var Permissions = []auth.Permission{
	{Code: PermBuildings, Name: "查看楼栋（面积、楼层）", Module: "办公用房"},
	{Code: PermRead, Name: "查看办公用房", Module: "办公用房"},
	{Code: PermRegister, Name: "登记办公用房台账、报送整改和申请", Module: "办公用房"},
	{Code: PermManage, Name: "办公用房核查、审核、维修处置与清查", Module: "办公用房"},
}

// Object types in the audit log and the business history.
const (
	objProperty    = "space_property"
	objBuilding    = "building"
	objRoom        = "room"
	objPost        = "space_post"
	objAgreement   = "space_agreement"
	objViolation   = "space_violation"
	objRectify     = "space_rectification"
	objAllocation  = "space_allocation"
	objVacate      = "space_vacate"
	objRepair      = "space_repair"
	objDisposal    = "space_disposal"
	objStocktake   = "space_stocktake"
	objLease       = "space_lease"
	wfAllocation   = "space.allocation"
	eventEscalated = "space.rectification_overdue"
	eventAssigned  = "space.rectification_assigned"
)

var auditActions = map[string]string{
	"space.property.create": "登记房产", "space.property.update": "修改房产",
	"space.building.create": "登记楼栋", "space.building.update": "修改楼栋",
	"space.room.create": "登记房间", "space.room.update": "修改房间", "space.room.approve_use": "批准房间用途调整",
	"space.room.void": "作废房间（登记错误）", "space.room.correct": "更正房间登记用途",
	"space.occupant.add": "安排办公室", "space.occupant.remove": "收回办公室",
	"space.post.create": "登记兼职", "space.post.update": "修改兼职记录",
	"space.agreement.create": "登记使用协议", "space.agreement.update": "修改使用协议",
	"space.scan":                 "办公用房合规检查",
	"space.rectification.create": "下达整改任务", "space.rectification.submit": "报送整改情况",
	"space.rectification.verify": "核验整改销号", "space.rectification.return": "退回整改", "space.rectification.cancel": "撤销整改任务",
	"space.rectification.escalate": "整改逾期督办",
	"space.allocation.create":      "提交调剂申请", "space.allocation.withdraw": "撤回调剂申请", "space.allocation.decide": "调剂申请审批结果",
	"space.allocation.complete": "办理调剂",
	"space.vacate.create":       "下达腾退通知", "space.vacate.complete": "完成腾退", "space.vacate.cancel": "撤销腾退",
	"space.repair.create": "申请维修", "space.repair.approve": "批准维修", "space.repair.reject": "驳回维修",
	"space.repair.start": "维修开工", "space.repair.accept": "维修验收", "space.repair.cancel": "撤销维修",
	"space.disposal.create":  "处置办公用房",
	"space.stocktake.create": "发起清查盘点", "space.stocktake.check": "盘点房间", "space.stocktake.unit": "确认单位台账",
	"space.stocktake.close": "结束清查盘点",
	"import.space_rooms":    "导入房间台账",
	"space.lease.create":    "登记出租出借", "space.lease.update": "修改出租出借记录", "space.lease.recover": "收回出租出借的办公用房",
}

var auditObjects = map[string]string{
	objProperty: "房产", objBuilding: "楼栋", objRoom: "房间", objPost: "兼职记录", objAgreement: "使用协议", objViolation: "办公用房违规",
	objRectify: "整改任务", objAllocation: "调剂申请", objVacate: "腾退", objRepair: "维修项目", objDisposal: "处置记录", objStocktake: "清查盘点",
	objLease: "出租出借记录",
}

// Service is the module instance.
type Service struct {
	module.Deps
}

// New makes the module; the wiring installs it with the kit, which registers what Manifest declares.
func New(d module.Deps) *Service { return &Service{Deps: d} }

// Manifest declares the module to the kit.
func (s *Service) Manifest() module.Manifest {
	const g = "menu.space|办公用房"
	// Attachments: ownership papers and agreements are the bureau's (space:manage); rectification evidence and
	// repair documents come from the units (space:register). Everyone who may read the record sees them.
	see := func(get func(context.Context, db.Q, auth.Scope, int64) error) attach.Check {
		return func(ctx context.Context, q db.Q, id int64) error { return get(ctx, q, auth.ScopeFrom(ctx), id) }
	}
	return module.Manifest{
		Name: "space", Migrations: Migrations, Templates: web.Sub(templatesFS, "templates"), Catalog: catalogEN,
		Funcs:       template.FuncMap{"useName": UseTypes.Name, "kindName": Kinds.Name, "rankName": rankName, "levelName": org.AdminLevels.Name},
		Permissions: Permissions, AuditActions: auditActions, AuditObjects: auditObjects, Objects: objects(), Datasets: Datasets(),
		RequestTypes: []workflow.Type{{Code: wfAllocation, Name: "办公用房调剂申请", Link: "/space/allocations/{id}", OnDecided: s.allocationDecided}},
		Events:       []module.Event{{Code: eventAssigned, Label: "space.event.assigned|办公用房整改任务"}, {Code: eventEscalated, Label: "space.event.overdue|办公用房整改逾期"}},
		Jobs: []jobs.Job{
			{Name: "space.scan", Title: "space.job.scan|办公用房合规检查", Every: time.Hour, Run: s.scanJob, Timeout: 30 * time.Minute},
			{Name: "space.overdue", Title: "space.job.overdue|办公用房整改逾期督办", Every: 6 * time.Hour, Run: s.overdueJob},
		},
		Attachments: []module.Attachment{
			{Type: objProperty, SeePerm: PermRead, EditPerm: PermManage, CanSee: see(s.canSeeProperty), CanEdit: see(s.canSeeProperty)},
			{Type: objAgreement, SeePerm: PermRead, EditPerm: PermManage, CanSee: see(s.canSeeAgreement), CanEdit: see(s.canSeeAgreement)},
			{Type: objRectify, SeePerm: PermRead, EditPerm: PermRegister, CanSee: see(s.canSeeRectification), CanEdit: see(s.canEditRectification)},
			{Type: objRepair, SeePerm: PermRead, EditPerm: PermRegister, CanSee: see(s.canSeeRepair), CanEdit: see(s.canEditRepair)},
		},
		Menu: []web.MenuItem{
			{Group: g, Label: "space.menu.dashboard|用房概览", Path: "/space/overview", Perm: PermRead, Order: 10},
			{Group: g, Label: "space.menu.buildings|房产楼栋", Path: "/space/buildings", Perm: PermBuildings, Order: 20},
			{Group: g, Label: "space.menu.rooms|房间台账", Path: "/space/rooms", Perm: PermRead, Order: 30},
			{Group: g, Label: "space.menu.violations|合规检查", Path: "/space/violations", Perm: PermRead, Order: 40},
			{Group: g, Label: "space.menu.rectifications|整改任务", Path: "/space/rectifications", Perm: PermRead, Order: 50},
			{Group: g, Label: "space.menu.allocations|调剂腾退", Path: "/space/allocations", Perm: PermRead, Order: 60},
			{Group: g, Label: "space.menu.repairs|维修处置", Path: "/space/repairs", Perm: PermRead, Order: 70},
			{Group: g, Label: "space.menu.stocktakes|清查盘点", Path: "/space/stocktakes", Perm: PermRead, Order: 80},
			{Group: g, Label: "space.menu.agreements|使用协议", Path: "/space/agreements", Perm: PermRead, Order: 90},
			{Group: g, Label: "space.menu.leases|出租出借", Path: "/space/leases", Perm: PermRead, Order: 92},
			{Group: g, Label: "space.menu.mix|用房结构", Path: "/space/mix", Perm: PermRead, Order: 94},
			{Group: g, Label: "space.menu.ledger|台账报表", Path: "/space/ledger", Perm: PermRead, Order: 95},
			{Group: g, Label: "space.menu.standards|面积标准", Path: "/space/standards", Perm: PermRead, Order: 99},
		},
		Help:   helpTopics(),
		Routes: func() { s.registerPages(); s.registerAPI() },
		Demo:   s.LoadDemo,
		Todos:  s.todos,
		Mine:   s.mine,
	}
}

// days is the official working calendar (for deadlines in working days).
func (s *Service) days() *calendar.Days { return s.Calendar.Days }

func (s *Service) today() string { return clock.Today(s.Clock.Now()) }

// BuildingInfo returns a building in the caller's scope (404 otherwise).
func BuildingInfo(ctx context.Context, q db.Q, sc auth.Scope, id int64) (org.Building, error) {
	cond, args := sc.OrgCond("b.org_id")
	var b org.Building
	err := q.QueryRow(ctx, "SELECT b.id, b.org_id, b.name, b.gross_area_m2, b.built_year, b.status FROM buildings b WHERE b.id = ? AND "+cond,
		append([]any{id}, args...)...).Scan(&b.ID, &b.OrgID, &b.Name, &b.GrossAreaM2, &b.BuiltYear, &b.Status)
	if db.IsNoRows(err) {
		return org.Building{}, errs.NotFound("楼栋")
	}
	return b, err
}

// Building is BuildingInfo for the modules that read office space through an interface (energy asks it for the
// area of the building its meters and PV systems stand on; assets and services will use it for locations).
func (s *Service) Building(ctx context.Context, q db.Q, sc auth.Scope, id int64) (org.Building, error) {
	return BuildingInfo(ctx, q, sc, id)
}

// Room returns a room in the caller's scope (404 otherwise), for the modules that read office space through an
// interface.
func (s *Service) Room(ctx context.Context, q db.Q, sc auth.Scope, id int64) (org.Room, error) {
	cond, args := sc.OrgCond("r.org_id")
	var r org.Room
	err := q.QueryRow(ctx, `SELECT r.id, r.building_id, b.name, r.org_id, r.floor, r.number, r.use_type, r.subtype, r.usable_area_m2, r.capacity, r.status
		FROM space_rooms r JOIN buildings b ON b.id = r.building_id WHERE r.id = ? AND `+cond, append([]any{id}, args...)...).
		Scan(&r.ID, &r.BuildingID, &r.BuildingName, &r.OrgID, &r.Floor, &r.Number, &r.UseType, &r.Subtype, &r.UsableAreaM2, &r.Capacity, &r.Status)
	if db.IsNoRows(err) {
		return org.Room{}, errs.NotFound("房间")
	}
	return r, err
}

// RoomsOf lists the rooms in use of one use type and subtype in the caller's scope (of unit orgID when it is not 0),
// by building, floor and number, at most limit — for the modules that offer rooms to pick (services: the rooms an
// employee reports a repair in, the meeting rooms to book).
func (s *Service) RoomsOf(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, useType, subtype string, limit int) ([]org.Room, error) {
	cond, args := sc.OrgCond("r.org_id")
	w := " WHERE r.status = 'in_use' AND " + cond
	if orgID > 0 {
		w, args = w+" AND r.org_id = ?", append(args, orgID)
	}
	if useType != "" {
		w, args = w+" AND r.use_type = ?", append(args, useType)
	}
	if subtype != "" {
		w, args = w+" AND r.subtype = ?", append(args, subtype)
	}
	return db.Select(ctx, q, func(sc db.Scanner) (org.Room, error) {
		var r org.Room
		err := sc.Scan(&r.ID, &r.BuildingID, &r.BuildingName, &r.OrgID, &r.Floor, &r.Number, &r.UseType, &r.Subtype, &r.UsableAreaM2, &r.Capacity, &r.Status)
		return r, err
	}, `SELECT r.id, r.building_id, b.name, r.org_id, r.floor, r.number, r.use_type, r.subtype, r.usable_area_m2, r.capacity, r.status
		FROM space_rooms r JOIN buildings b ON b.id = r.building_id`+w+" ORDER BY b.name, r.floor, r.number, r.id LIMIT ?", append(args, limit)...)
}

// UseTypes are the room use types with their Chinese names.
var UseTypes = enum.Of(UseOffice, "办公室", UseService, "服务用房", UseEquipment, "设备用房", UseAuxiliary, "附属用房")

// Subtypes are the usual kinds of room within each use type (2014 standard 第十条); the register accepts others.
var Subtypes = map[string]enum.List{
	UseOffice: enum.Of("office", "办公室", "leader_office", "领导办公室", "open_office", "大开间办公室", SubRestRoom, "休息室", SubToilet, "卫生间"),
	UseService: enum.Of("meeting_room", "会议室", "reception", "接待室", "archive", "档案室", "library", "图书资料室",
		"network", "机关信息网络用房", "confidential", "机要保密室", "print", "文印室", "mail", "收发室", "clinic", "医务室",
		"duty", "值班室", "storage", "储藏室", "property_staff", "物业及工勤人员用房", "water", "开水间", "toilet", "卫生间"),
	UseEquipment: enum.Of("power", "变配电室", "pump", "水泵房", "tank", "水箱间", "boiler", "锅炉房（热交换站）", "hvac", "空调机房",
		"telecom", "通信机房", "elevator", "电梯机房", "smart", "智能化设备用房"),
	UseAuxiliary: enum.Of("canteen", "食堂", "garage", "停车库", "guard", "警卫用房", "civil_defense", "人防设施"),
}

// SubtypeName is the Chinese name of a subtype code (the code itself when it is free text).
func SubtypeName(code string) string {
	for _, list := range Subtypes {
		for _, e := range list {
			if e.Code == code {
				return e.Name
			}
		}
	}
	return code
}

// RoomStatuses are the room statuses with their Chinese names.
var RoomStatuses = enum.Of(RoomInUse, "在用", RoomLet, "出租", RoomLent, "出借", RoomDisposed, "已处置")

func rankName(code string) string { return org.Ranks.Name(code) }
