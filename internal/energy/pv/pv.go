// Package pv is 屋顶光伏: rooftop PV systems of public institutions on their buildings (issue 3 item 7).
//
// A system belongs to a building (space's buildings) and its owning unit, has a capacity in kWp, a commissioning
// date and a grid connection mode (自发自用余电上网 or 全额上网), and is linked to a generation meter (an energy
// meter of type pv_generation) and optionally an export meter (上网电量, an electricity meter). Its monthly figures
// come from those meters' roll-ups (energy.MeterMonths): generation, exported, self-consumed = generation − export
// (for 全额上网 without an export meter, everything generated is exported), specific yield in kWh/kWp annualised
// for partial years, CO₂ avoided = generation × the grid factor in force for the year and region
// (energy.LoadFactors → CO2 of electricity) and the standard-coal equivalent (the pv_generation factor).
//
// Roof coverage: buildings are assessed as PV-eligible or not (roof area, new building built after the year in
// reference data, reason when not eligible); coverage = eligible buildings with an operating system / eligible
// buildings, for new buildings against the 50 % target (reference data energy.pv_target, docs/domain/energy.md §Targets).
//
// Files: pv.go (module), systems.go (register, eligibility, coverage), figures.go (pure computations and loading),
// web.go (pages and API), demo.go.
package pv

import (
	"context"
	"embed"
	"html/template"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

//go:embed data/*
var dataFS embed.FS

// Migrations creates the PV tables; they refer to buildings and energy_meters, so they run after energy's.
var Migrations = db.Embedded("energy_pv", migrationsFS)

// KindTarget is the reference dataset of the coverage target (key new_building_coverage, target_year,
// new_building_after).
const KindTarget = "energy.pv_target"

// Permissions of the part: reading uses energy:read.
var Permissions = []auth.Permission{
	{Code: "energy:pv", Name: "管理屋顶光伏系统与屋顶评估", Module: "节能管理"},
}

// Service is the PV part of the energy module.
type Service struct {
	module.Deps
	Energy *energy.Service
}

// New makes the part over the energy module; the wiring installs it with the kit.
func New(d module.Deps, e *energy.Service) *Service { return &Service{Deps: d, Energy: e} }

// Manifest declares the part to the kit.
func (s *Service) Manifest() module.Manifest {
	const g = "menu.energy|节能管理"
	return module.Manifest{
		Name: "pv", Migrations: Migrations, Templates: web.Sub(templatesFS, "templates"), Catalog: catalogEN,
		Funcs:       template.FuncMap{"pvMode": ModeName, "pvStatus": StatusName, "pvT": func(v float64) float64 { return v / 1000 }},
		Permissions: Permissions, Datasets: []refdata.Dataset{refdata.MustLoad(dataFS, "data/pv_target.csv")},
		AuditActions: map[string]string{
			"energy.pv.create": "新增光伏系统", "energy.pv.update": "修改光伏系统", "energy.pv.eligibility": "评估屋顶光伏条件",
			"energy.pv.demo": "载入光伏演示数据",
		},
		AuditObjects: map[string]string{"energy_pv_system": "光伏系统", "energy_pv_eligibility": "屋顶光伏评估"},
		Objects: []module.Object{
			{Type: "energy_pv_system", Names: module.NamesQuery("SELECT x.id, x.name FROM energy_pv_systems x", "x.id", "x.org_id")},
			{Type: "energy_pv_eligibility", Names: module.NamesQuery("SELECT x.id, x.name FROM buildings x", "x.id", "x.org_id")},
		},
		Menu: []web.MenuItem{
			{Group: g, Label: "pv.menu.overview|屋顶光伏", Path: "/energy/pv", Perm: "energy:read", Order: 130},
			{Group: g, Label: "pv.menu.eligibility|屋顶光伏评估", Path: "/energy/pv/eligibility", Perm: "energy:read", Order: 135},
		},
		Routes: func() { s.api(); s.pages() },
		Demo:   s.LoadDemo,
	}
}

// loadTarget reads the coverage target in force on date for the whole country.
func loadTarget(ctx context.Context, q db.Q, date string) (Target, error) {
	t := Target{}
	tab, err := refdata.LoadTable(ctx, q, KindTarget, date)
	if err != nil {
		return t, err
	}
	if r, ok := tab.Lookup("new_building_coverage", ""); ok {
		t.Coverage, t.Source, t.Found = r.Value, r.SourceDoc, true
	}
	if r, ok := tab.Lookup("target_year", ""); ok {
		t.Year = int(r.Value)
	}
	t.NewAfter = 2021
	if r, ok := tab.Lookup("new_building_after", ""); ok {
		t.NewAfter = int(r.Value)
	}
	return t, nil
}

// Target is the coverage target as applied.
type Target struct {
	Coverage float64 `json:"coverage" doc:"新建建筑光伏覆盖率目标（比例）"`
	Year     int     `json:"target_year"`
	NewAfter int     `json:"new_building_after" doc:"建成年份晚于该年为新建建筑"`
	Source   string  `json:"source"`
	Found    bool    `json:"-"`
}
