// Package telematics is 车辆定位 (vehicle telemetry, docs/api.md §Vehicle telemetry, docs/domain/vehicles.md
// §Telematics alarms): the JT/T 808 gateway on --jt808-addr (gateway.go; the codec is package jt808), the single
// writer that stores positions in batches and acknowledges a terminal only after its positions are committed
// (writer.go), the trips and alarms derived from the positions per vehicle-day (rules.go pure, derive.go), the API
// (api.go) and pages (web.go): the live list, the alarm list and a vehicle's track.
//
// Vehicles, their terminals, home parking spots and dispatched trips are the fleet module's; this module reads them
// through Fleet, which the wiring satisfies with the fleet module.
package telematics

import (
	"context"
	"embed"
	"sync"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

// Migrations creates the telematics tables (after org's).
var Migrations = db.Embedded("telematics", migrationsFS)

// PermRead sees positions, trips and alarms. The built-in fleet_manager holds telematics:*, the supervisor (纪检、审计)
// *:read; a unit administrator does not see tracks.
const PermRead = "telematics:read"

// Permissions are the module's rights.
var Permissions = []auth.Permission{{Code: PermRead, Name: "查看车辆定位、轨迹与报警", Module: "车辆定位"}}

// Fleet is what the module reads of the fleet module (implemented by fleet.Service in internal/fleet/telematicsdata.go).
type Fleet interface {
	// TelematicsVehicle returns a vehicle in the caller's scope (not_found outside it).
	TelematicsVehicle(ctx context.Context, q db.Q, sc auth.Scope, id int64) (org.Vehicle, error)
	// TelematicsVehicles lists the vehicles of the scope that are not disposed of.
	TelematicsVehicles(ctx context.Context, q db.Q, sc auth.Scope) ([]org.Vehicle, error)
	// TerminalVehicle finds the vehicle of a terminal by its phone (leading zeros ignored) or else its plate.
	TerminalVehicle(ctx context.Context, q db.Q, phone, plate string) (org.Vehicle, error)
	// DispatchedTrips lists the dispatched trips of a vehicle overlapping [from, to] (Unix seconds).
	DispatchedTrips(ctx context.Context, q db.Q, vehicleID, from, to int64) ([]org.VehicleOrder, error)
}

// Service is the module instance.
type Service struct {
	module.Deps
	Fleet Fleet

	writerOnce sync.Once
	w          *writer
	gw         *Gateway
}

// New makes the module.
func New(d module.Deps, f Fleet) *Service { return &Service{Deps: d, Fleet: f} }

const (
	objTerminal = "telematics_terminal"
	objPosition = "telematics_positions"
)

// Manifest declares the module to the kit.
func (s *Service) Manifest() module.Manifest {
	const g = "menu.fleet|公务用车"
	return module.Manifest{
		Name: "telematics", Migrations: Migrations, Templates: web.Sub(templatesFS, "templates"), Catalog: catalogEN,
		Permissions:  Permissions,
		AuditActions: map[string]string{"telematics.register": "车载终端注册", "telematics.positions": "写入车辆定位"},
		AuditObjects: map[string]string{objTerminal: "车载终端", objPosition: "车辆定位"},
		Menu: []web.MenuItem{
			{Group: g, Label: "telematics.menu.live|车辆位置", Path: "/telematics", Perm: PermRead, Order: 90},
			{Group: g, Label: "telematics.menu.alarms|用车报警", Path: "/telematics/alarms", Perm: PermRead, Order: 91},
		},
		Routes: func() { s.registerAPI(); s.registerPages() },
		Demo:   s.LoadDemo,
		Start:  s.Start,
		Stop:   s.Stop,
	}
}
