// Package report is the reports of official vehicles (docs/domain/vehicles.md §Annual statistics, §Usage,
// §Provincial exchange), a part of the fleet module that reads the fleet's data only through Source
// (implemented by internal/fleet/reportdata.go):
//
//   - The annual 公务用车配备更新和使用情况 statistics report of a unit and year (figures.go): vehicles at the start
//     and end of the year by category against the 编制, new and replaced vehicles and the new-energy share against
//     the target of reference data fleet.rules, disposed vehicles, trips, distance, costs by kind and the vehicle
//     part of 三公经费 (公务用车购置及运行费). The official form is not known: it is a GovOps layout.
//   - Submission and review up the tree (store.go), in the pattern of the energy annual report: a unit submits after
//     a confirmation step with its sign-off, late against the deadline of reference data fleet.report_rule; its
//     parent bureau approves or returns it; submitting freezes the figures (the lock); a bureau sees the summary of
//     its subtree (summary.go). Pages, print page and Excel (web.go, excel.go), API (api.go), demo (demo.go).
//   - Usage and utilisation per vehicle and unit (usage.go): trips, days used against the working days of the
//     calendar, km, cost per km.
//   - The provincial exchange data set (exchange.go), shaped after the interface groups of DB32/T 3826-2020.
package report

import (
	"embed"
	"html/template"

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

// Migrations creates the report tables; they run after the fleet's.
var Migrations = db.Embedded("fleet_report", migrationsFS)

// KindRule is the reference dataset of the report's deadline.
const KindRule = "fleet.report_rule"

// Datasets are the part's reference datasets, parsed from the embedded files (a broken file panics at start).
func Datasets() []refdata.Dataset {
	return []refdata.Dataset{refdata.MustLoad(dataFS, "data/report_rule.csv")}
}

// Permissions: the reports are read with the fleet's read right (fleet:read: unit administrators, the fleet
// centre and the read-only supervisor); filling in, submitting and reviewing the annual report takes PermReport
// (which level reviews is decided by the unit tree: a unit's reviewer is its parent bureau).
const (
	PermRead   = "fleet:read"
	PermReport = "fleet:report"
)

// Notification events.
const (
	EventSubmitted = "fleet.report_submitted"
	EventDecided   = "fleet.report_decided"
)

const objReport = "fleet_report"

// Service is the part's instance.
type Service struct {
	module.Deps
	Fleet Source
}

// New makes the part over the fleet module's data; the wiring installs it with the kit.
func New(d module.Deps, fleet Source) *Service { return &Service{Deps: d, Fleet: fleet} }

// Manifest declares the part to the kit.
func (s *Service) Manifest() module.Manifest {
	return module.Manifest{
		Name: "fleetreport", Migrations: Migrations, Templates: web.Sub(templatesFS, "templates"), Catalog: catalogEN,
		Funcs:       template.FuncMap{"fleetReportBadge": badge, "fleetReportStatus": Statuses.Name, "fleetReportNum": fmtNum, "fleetReportPct": fmtPct},
		Permissions: []auth.Permission{{Code: PermReport, Name: "填报、上报和审核公务用车统计报表", Module: "公务用车"}},
		Datasets:    Datasets(),
		AuditActions: map[string]string{
			"fleet.report.submit": "上报公务用车统计报表", "fleet.report.approve": "审核通过公务用车统计报表", "fleet.report.return": "退回公务用车统计报表",
			"fleet.report.reopen": "重新打开公务用车统计报表", "fleet.report.info": "填报公务用车统计报表信息",
		},
		AuditObjects: map[string]string{objReport: "公务用车统计报表"},
		Objects:      []module.Object{{Type: objReport, Names: module.NamesQuery("SELECT x.id, o.name || ' ' || CAST(x.year AS TEXT) || ' 年' FROM fleet_reports x JOIN orgs o ON o.id = x.org_id", "x.id", "x.org_id")}},
		Events: []module.Event{
			{Code: EventSubmitted, Label: "fleet.report.event.submitted|公务用车统计报表待审核"},
			{Code: EventDecided, Label: "fleet.report.event.decided|公务用车统计报表审核结果"},
		},
		Menu:   menu,
		Routes: func() { s.api(); s.pages() },
		Demo:   s.LoadDemo,
		Todos:  s.todos,
	}
}
