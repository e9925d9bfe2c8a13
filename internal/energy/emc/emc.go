// Package emc is 合同能源管理: the register of energy performance contracts of public institutions and their
// measurement and verification (issue 3 item 6; docs/domain/energy.md §Energy performance contracting).
//
// A contract names the unit, the ESCO, the contract type, the term, the baseline period and the energy types it
// covers, with prices for money savings and the ESCO's share of savings by contract year. Savings are verified by
// IPMVP option C on the unit's effective monthly figures (energy.GetUsage): for each type a baseline model fitted
// by OLS on the baseline months, consumption ~ a + b·HDD + c·CDD (+ d·occupancy), with insignificant regressors
// dropped (mv.go); the model must pass ASHRAE Guideline 14's monthly criteria (reference data energy.mv_criteria),
// else the contract is flagged and cannot settle until a manager records an override reason. Avoided energy per
// reporting month = adjusted baseline − actual; standard coal and CO₂ with the factors of each month's year
// (energy.LoadFactors); money with the contract's prices; the settlement schedule splits each contract year's money
// savings between ESCO and unit (report.go). Nothing of the M&V is stored: it is recomputed on every read, so a
// corrected monthly figure or degree day shows at once. Degree days per region and month are this part's own table.
//
// Files: emc.go (module), mv.go (regression and statistics, pure), contracts.go (register, override, payments),
// degreedays.go (degree days per region: grid, PUT, Excel import, scope by region), occupancy.go (a contract's
// occupancy regressor), report.go (the M&V report and settlement schedule), web.go (contract pages, API, Excel),
// web_dd.go (degree day and occupancy pages and API), demo.go.
package emc

import (
	"context"
	"embed"
	"fmt"
	"html/template"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
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

// Migrations creates the contract tables (after energy's).
var Migrations = db.Embedded("energy_emc", migrationsFS)

// KindCriteria is the reference dataset of the M&V acceptance criteria.
const KindCriteria = "energy.mv_criteria"

// Permissions of the part: reading uses energy:read.
var Permissions = []auth.Permission{
	{Code: PermContract, Name: "管理合同能源管理项目、结算与度日数", Module: "节能管理"},
}

// PermContract is the permission to manage contracts, their settlement and degree days.
const PermContract = "energy:contract"

// Service is the contracts part of the energy module.
type Service struct {
	module.Deps
	Energy *energy.Service
}

// New makes the part over the energy module; the wiring installs it with the kit.
func New(d module.Deps, e *energy.Service) *Service { return &Service{Deps: d, Energy: e} }

// objContract is the object type of a contract (audit, history, attachments).
const objContract = "energy_contract"

// Manifest declares the part to the kit.
func (s *Service) Manifest() module.Manifest {
	return module.Manifest{
		Name: "emc", Migrations: Migrations, Templates: web.Sub(templatesFS, "templates"), Catalog: catalogEN,
		Funcs:       template.FuncMap{"emcType": TypeName, "emcStatus": StatusName, "emcEnergy": energy.TypeName},
		Permissions: Permissions,
		Datasets:    []refdata.Dataset{refdata.MustLoad(dataFS, "data/mv_criteria.csv"), refdata.MustLoad(dataFS, "data/degree_day_bases.csv")},
		AuditActions: map[string]string{
			"energy.contract.create": "登记合同能源管理项目", "energy.contract.update": "修改合同能源管理项目", "energy.contract.delete": "删除合同能源管理项目",
			"energy.contract.override": "放行未通过验收的基准模型", "energy.contract.payment": "记录节能效益结算支付", "energy.degree_days": "维护度日数", "energy.contract.occupancy": "维护合同用能人数等自变量",
			"energy.contract.demo": "载入合同能源管理演示数据",
		},
		AuditObjects: map[string]string{"energy_contract": "合同能源管理项目", "energy_degree_days": "度日数"},
		Objects: []module.Object{{Type: "energy_contract", Names: module.NamesQuery("SELECT x.id, x.name FROM energy_emc_contracts x", "x.id", "x.org_id"),
			Link: module.LinkTo("/energy/contracts/")}},
		// Whoever sees a contract sees its documents; those who manage contracts add and remove them.
		Attachments: []module.Attachment{{Type: objContract, SeePerm: "energy:read", EditPerm: PermContract, CanSee: s.canSee, CanEdit: s.canSee}},
		Menu:        []web.MenuItem{{Group: "menu.energy|节能管理", Label: "emc.menu|合同能源管理", Path: "/energy/contracts", Perm: "energy:read", Order: 120}},
		Routes:      func() { s.api(); s.pages(); s.ddRoutes() },
		Demo:        s.LoadDemo,
	}
}

func (s *Service) canSee(ctx context.Context, q db.Q, id int64) error {
	_, err := Get(ctx, q, auth.ScopeFrom(ctx), id)
	return err
}

// Criteria are the acceptance criteria in force.
type Criteria struct {
	CVRMSEMax float64 `json:"cv_rmse_max"`
	NMBEMax   float64 `json:"nmbe_max"`
	Alpha     float64 `json:"alpha"`
	DueDays   int     `json:"settlement_due_days"`
	Source    string  `json:"source"`
}

func loadCriteria(ctx context.Context, q db.Q, date string) (Criteria, error) {
	var c Criteria
	t, err := refdata.LoadTable(ctx, q, KindCriteria, date)
	if err != nil {
		return c, err
	}
	r, ok := t.Lookup("cv_rmse_max", "")
	if !ok {
		return c, errs.Internal(fmt.Errorf("reference data %s has no cv_rmse_max in force on %s", KindCriteria, date))
	}
	c.CVRMSEMax, c.Source = r.Value, r.SourceDoc
	if r, ok := t.Lookup("nmbe_max", ""); ok {
		c.NMBEMax = r.Value
	}
	if r, ok := t.Lookup("alpha", ""); ok {
		c.Alpha = r.Value
	}
	if r, ok := t.Lookup("settlement_due_days", ""); ok {
		c.DueDays = int(r.Value)
	}
	return c, nil
}
