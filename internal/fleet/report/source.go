package report

import (
	"context"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
)

// Source is what the reports read from the fleet module (implemented in internal/fleet/reportdata.go; the wiring
// passes the fleet module in). Every method answers only rows of units under path ("/1/5/", a materialised unit
// path, the unit included) that lie in the caller's scope: the scope is applied in the provider's SQL.
type Source interface {
	// ReportVehicles lists the vehicles of the ledger, disposed ones included.
	ReportVehicles(ctx context.Context, q db.Q, sc auth.Scope, path string) ([]VehicleRow, error)
	// ReportQuotas lists the 编制 per unit and category.
	ReportQuotas(ctx context.Context, q db.Q, sc auth.Scope, path string) ([]QuotaRow, error)
	// ReportTrips lists the completed trips that started in [from, to) (Unix seconds).
	ReportTrips(ctx context.Context, q db.Q, sc auth.Scope, path string, from, to int64) ([]TripRow, error)
	// ReportCosts lists the costs dated in [from, to] (YYYY-MM-DD).
	ReportCosts(ctx context.Context, q db.Q, sc auth.Scope, path string, from, to string) ([]CostRow, error)
	// ReportDrivers lists the drivers.
	ReportDrivers(ctx context.Context, q db.Q, sc auth.Scope, path string) ([]DriverRow, error)
	// ReportFindings lists the compliance findings of the vehicles and units of orgID's subtree, today.
	ReportFindings(ctx context.Context, q db.Q, sc auth.Scope, orgID int64) ([]FindingRow, error)
	// VehicleCategories are the vehicle categories (code and Chinese name) in the report's row order.
	VehicleCategories() enum.List
	// NEVShareTarget is the minimum new-energy share of new and replaced vehicles in force on date for region, with
	// its source (reference data fleet.rules, docs/domain/vehicles.md §Price and displacement caps).
	NEVShareTarget(ctx context.Context, q db.Q, date, region string) (Target, error)
}

// VehicleRow is a vehicle of the ledger as the reports read it.
type VehicleRow struct {
	ID               int64   `json:"id"`
	OrgID            int64   `json:"org_id"`
	OrgName          string  `json:"org_name"`
	Plate            string  `json:"plate"`
	Category         string  `json:"category"`
	CategoryName     string  `json:"category_name"`
	FuelType         string  `json:"fuel_type"`
	FuelName         string  `json:"fuel_name"`
	BodyType         string  `json:"body_type"`
	BodyName         string  `json:"body_name"`
	NEV              bool    `json:"nev"`
	DisplacementL    float64 `json:"displacement_l"`
	PriceFen         int64   `json:"price_fen"`
	Brand            string  `json:"brand"`
	Model            string  `json:"model"`
	VIN              string  `json:"vin"`
	Domestic         bool    `json:"domestic"`
	Seats            int     `json:"seats"`
	PurchaseDate     string  `json:"purchase_date"`
	OdometerKM       float64 `json:"odometer_km"`
	Status           string  `json:"status"`
	StatusName       string  `json:"status_name"`
	FixedLeader      bool    `json:"fixed_leader"`
	MarkColor        string  `json:"mark_color"`
	MarkColorName    string  `json:"mark_color_name"`
	MarkCode         string  `json:"mark_code"`
	SupervisionPhone string  `json:"supervision_phone"`
	ParkingSpot      string  `json:"parking_spot"`
	TerminalPhone    string  `json:"terminal_phone"`
	InsuranceDue     string  `json:"insurance_due"`
	InspectionDue    string  `json:"inspection_due"`
	MaintenanceDue   string  `json:"maintenance_due"`
	RegisteredName   string  `json:"registered_name"`
	// DisposedOn is the date a disposed vehicle left the ledger: the ledger keeps no disposal date, so the date of
	// the last change of its record stands for it (docs/domain/vehicles.md §Annual statistics).
	DisposedOn string `json:"disposed_on"`
}

// QuotaRow is a unit's 编制 in a category.
type QuotaRow struct {
	OrgID    int64  `json:"org_id"`
	Category string `json:"category"`
	Quota    int    `json:"quota"`
}

// TripRow is a completed trip (a dispatch record).
type TripRow struct {
	ID          int64   `json:"id"`
	OrgID       int64   `json:"org_id"`
	OrgName     string  `json:"org_name"`
	VehicleID   int64   `json:"vehicle_id"`
	VehicleOrg  int64   `json:"vehicle_org_id"`
	Plate       string  `json:"plate"`
	DriverName  string  `json:"driver_name"`
	Requester   string  `json:"requester"`
	Purpose     string  `json:"purpose"`
	Passengers  int     `json:"passengers"`
	Origin      string  `json:"origin"`
	Destination string  `json:"destination"`
	StartAt     int64   `json:"start_at"`
	EndAt       int64   `json:"end_at"`
	OdometerOut float64 `json:"odometer_start_km"`
	OdometerIn  float64 `json:"odometer_end_km"`
	DistanceKM  float64 `json:"distance_km"`
	TollFen     int64   `json:"toll_fen"`
	ParkingFen  int64   `json:"parking_fen"`
	FuelFen     int64   `json:"fuel_fen"`
	Emergency   bool    `json:"emergency"`
}

// CostRow is a cost of a vehicle.
type CostRow struct {
	ID         int64   `json:"id"`
	VehicleID  int64   `json:"vehicle_id"`
	OrgID      int64   `json:"org_id"`
	Plate      string  `json:"plate"`
	Kind       string  `json:"kind"`
	KindName   string  `json:"kind_name"`
	AmountFen  int64   `json:"amount_fen"`
	Date       string  `json:"date"`
	OdometerKM float64 `json:"odometer_km"`
	Note       string  `json:"note"`
	TripID     int64   `json:"trip_id"`
}

// DriverRow is a driver.
type DriverRow struct {
	ID            int64  `json:"id"`
	OrgID         int64  `json:"org_id"`
	OrgName       string `json:"org_name"`
	Name          string `json:"name"`
	LicenseClass  string `json:"license_class"`
	LicenseExpiry string `json:"license_expiry"`
	Phone         string `json:"phone"`
	Status        string `json:"status"`
	StatusName    string `json:"status_name"`
}

// FindingRow is a compliance finding.
type FindingRow struct {
	VehicleID int64  `json:"vehicle_id"`
	Plate     string `json:"plate"`
	OrgID     int64  `json:"org_id"`
	OrgName   string `json:"org_name"`
	Rule      string `json:"rule"`
	RuleName  string `json:"rule_name"`
	Detail    string `json:"detail"`
	RuleText  string `json:"rule_text"`
	Source    string `json:"source"`
	Violation bool   `json:"violation"`
}

// Target is a reference-data figure with its source.
type Target struct {
	Value  float64 `json:"value"`
	Source string  `json:"source"`
	Found  bool    `json:"found"`
}
