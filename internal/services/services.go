// Package services is 后勤服务 (docs/api.md §Logistics services, docs/domain/services.md): repair work orders
// reported from the phone for a room of office space, assigned by the service desk, started and resolved by the
// assignee, closed and rated by the reporter, with response and resolution times counted in working hours on the
// official calendar (reference data, overridable) and overdue flags; and meeting-room bookings on the rooms of use
// 会议室 with a day and week grid, overlaps refused also under concurrent requests, cancellation, check-in and the
// release of no-shows.
//
// Files: rules.go (the state tables and the booking window checks — pure), sla.go (the reference data and due
// times), orders.go (work orders), bookings.go (meeting rooms and bookings), api.go (JSON), web*.go (pages),
// todo.go, objects.go and demo.go. Canteen, printing and property contracts are later slices.
package services

import (
	"context"
	"embed"
	"html/template"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/jobs"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed data/*
var dataFS embed.FS

//go:embed static/*.css
var staticFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

// Migrations creates the services tables (after org's).
var Migrations = db.Embedded("services", migrationsFS)

// Permissions of the module. Employees hold read and request (their own repairs and bookings); unit_admin the same
// over its units; service_manager all (the service desk: assigning work orders, acting for assignees, cancelling
// and releasing bookings).
const (
	PermRead    = "service:read"
	PermRequest = "service:request"
	PermDesk    = "service:desk"
)

// Permissions are the module's rights for the identity kit.
var Permissions = []auth.Permission{
	{Code: PermRead, Name: "查看报修和会议室预订", Module: "后勤服务"},
	{Code: PermRequest, Name: "报修、预订会议室、确认评价", Module: "后勤服务"},
	{Code: PermDesk, Name: "后勤服务台：派单、处理报修、管理会议室预订", Module: "后勤服务"},
}

// Rooms is what the module reads of office space: one room in the caller's scope (404 otherwise), and the rooms of
// a use type and subtype in scope to pick from. The wiring passes the office-space module.
type Rooms interface {
	Room(ctx context.Context, q db.Q, sc auth.Scope, id int64) (org.Room, error)
	RoomsOf(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, useType, subtype string, limit int) ([]org.Room, error)
}

// Object types in the audit log and the business history; notification events.
const (
	objOrder      = "service_work_order"
	objBooking    = "service_booking"
	eventOrder    = "services.work_order"
	eventBooking  = "services.booking"
	attachOrder   = "service_work_order"
	meetingUse    = "service"
	meetingSub    = "meeting_room"
	roomListLimit = 500
)

var auditActions = map[string]string{
	"services.order.create": "报修", "services.order.assign": "派单", "services.order.start": "开始维修",
	"services.order.resolve": "维修完成", "services.order.close": "确认并评价报修",
	"services.booking.create": "预订会议室", "services.booking.cancel": "取消会议室预订", "services.booking.checkin": "会议室签到",
	"services.booking.release": "释放未签到的会议室预订",
}

var auditObjects = map[string]string{objOrder: "报修工单", objBooking: "会议室预订"}

// Service is the module instance.
type Service struct {
	module.Deps
	rooms Rooms
}

// New makes the module; rooms is the office-space module (work orders name rooms, meeting rooms are rooms).
func New(d module.Deps, rooms Rooms) *Service { return &Service{Deps: d, rooms: rooms} }

// Manifest declares the module to the kit.
func (s *Service) Manifest() module.Manifest {
	const g = "menu.services|后勤服务"
	return module.Manifest{
		Name: "services", Migrations: Migrations, Templates: web.Sub(templatesFS, "templates"), Catalog: catalogEN,
		Funcs:       template.FuncMap{"svcCategory": Categories.Name, "svcOrderStatus": OrderStatuses.Name, "svcBookingStatus": BookingStatuses.Name},
		Permissions: Permissions, AuditActions: auditActions, AuditObjects: auditObjects, Objects: objects(), Datasets: Datasets(),
		Events:      []module.Event{{Code: eventOrder, Label: "services.event.order|报修进展"}, {Code: eventBooking, Label: "services.event.booking|会议室预订变化"}},
		Jobs:        []jobs.Job{{Name: "services.release", Title: "services.job.release|释放未签到的会议室预订", Every: 5 * time.Minute, Run: s.releaseJob}},
		Attachments: []module.Attachment{{Type: attachOrder, SeePerm: PermRead, EditPerm: PermRequest, CanSee: s.orderVisible, CanEdit: s.orderEditable, MaxBytes: 10 << 20}},
		Menu: []web.MenuItem{
			{Group: g, Label: "services.menu.report|我要报修", Path: "/services/work-orders/new", Perm: PermRequest, Order: 10},
			{Group: g, Label: "services.menu.orders|报修工单", Path: "/services/work-orders", Perm: PermRead, Order: 20},
			{Group: g, Label: "services.menu.rooms|会议室预订", Path: "/services/rooms", Perm: PermRead, Order: 30},
		},
		Routes: func() { s.registerPages(); s.registerAPI() },
		Demo:   s.LoadDemo,
		Todos:  s.todos,
		Mine:   s.mine,
	}
}

func (s *Service) today() string { return clock.Today(s.Clock.Now()) }

// Categories are the repair categories (docs/domain/services.md §Work orders).
var Categories = enum.Of("water_electric", "水电", "hvac", "空调", "doors_windows", "门窗", "network", "网络", "furniture", "家具",
	"cleaning", "保洁", "other", "其他")

// Work-order statuses (docs/api.md §Logistics services).
const (
	OrderSubmitted  = "submitted"
	OrderAssigned   = "assigned"
	OrderInProgress = "in_progress"
	OrderResolved   = "resolved"
	OrderClosed     = "closed"
)

// OrderStatuses are the states of a work order with their Chinese names.
var OrderStatuses = enum.Of(OrderSubmitted, "待派单", OrderAssigned, "已派单", OrderInProgress, "维修中", OrderResolved, "待确认", OrderClosed, "已完成")

// Booking statuses.
const (
	BookingConfirmed = "confirmed"
	BookingCheckedIn = "checked_in"
	BookingCancelled = "cancelled"
	BookingReleased  = "released"
)

// BookingStatuses are the states of a booking with their Chinese names.
var BookingStatuses = enum.Of(BookingConfirmed, "已预订", BookingCheckedIn, "已签到", BookingCancelled, "已取消", BookingReleased, "未签到已释放")
