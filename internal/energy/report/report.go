// Package report is the annual statistics report of public institutions' energy and resources
// (《公共机构能源资源消费统计调查制度》, docs/domain/energy.md §Statistics system; 《公共机构节能条例》第十五条: the previous year's report by 31 March).
//
//   - The 基层表 of a unit and year (form.go): 公共机构基本信息 and 能源资源消费状况, laid out by the revision of the
//     form in force for the year (reference data energy.report_form: the 2015, 2022 and 2025 revisions), with the
//     figures read from package energy (Compute: amounts, standard coal, 综合能耗, water, PV generation; GetOrgYear:
//     用能人数 and 建筑面积) and the fields energy does not hold kept in energy_report_info.
//   - Completeness (check.go): months missing per type, missing 用能人数/建筑面积, no electricity, year-on-year
//     change above a configurable threshold; blocking issues stop the submission, warnings go to the reviewer.
//   - Submission and review up the tree (store.go): unit → its parent bureau (county) → city → province, with the
//     states 草稿/已上报/已退回/已审核 per (unit, year, kind); a bureau submits its 综合表 when its children are
//     approved. Approved 基层表 lock the unit's figures for the year (Locked, checked by energy's writes).
//   - Summary tables (summary.go) by region and by category for a bureau's subtree; Excel in the layout of the
//     official forms (excel.go); pages and API (web.go, api.go); demo (demo.go).
package report

import (
	"embed"

	"github.com/govops/govops/internal/energy"
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

// Migrations creates the report tables; they run after energy's.
var Migrations = db.Embedded("energy_report", migrationsFS)

// Reference datasets of the report.
const (
	KindForm = "energy.report_form" // the layout of the forms, by revision
	KindRule = "energy.report_rule" // deadline and completeness thresholds
)

// Datasets are the module's reference datasets, parsed from the embedded files (a broken file panics at start).
func Datasets() []refdata.Dataset {
	return []refdata.Dataset{refdata.MustLoad(dataFS, "data/report_form.json"), refdata.MustLoad(dataFS, "data/report_rule.csv")}
}

// Notification events.
const (
	EventSubmitted = "energy.report_submitted"
	EventReturned  = "energy.report_returned"
	EventApproved  = "energy.report_approved"
	EventReopened  = "energy.report_reopened"
)

// Service is the module instance.
type Service struct {
	module.Deps
	Energy *energy.Service
}

// New makes the part over the energy module and sets the energy module's Lock: the figures of a unit's approved
// report are locked. The wiring installs it with the kit.
//
// The module's actions use energy's permissions: energy:read to see reports, energy:enter to fill in, submit and
// review them (which level may review is decided by the unit tree, not by a permission: a unit's reviewer is its
// parent bureau, so county unit administrators review their county's units).
func New(d module.Deps, e *energy.Service) *Service {
	s := &Service{Deps: d, Energy: e}
	e.Lock = s.CheckLock
	return s
}

// Manifest declares the part to the kit.
func (s *Service) Manifest() module.Manifest {
	return module.Manifest{
		Name: "energyreport", Migrations: Migrations, Templates: web.Sub(templatesFS, "templates"), Catalog: catalogEN, Funcs: funcs,
		Datasets: Datasets(),
		AuditActions: map[string]string{
			"energy.report.submit": "上报能源资源消费统计报表", "energy.report.approve": "审核通过统计报表", "energy.report.return": "退回统计报表",
			"energy.report.reopen": "重新打开已审核的统计报表", "energy.report.info": "填报统计报表基本信息", "energy.report.demo": "载入统计报表演示数据",
		},
		AuditObjects: map[string]string{"energy_report": "能源资源消费统计报表"},
		Objects:      []module.Object{{Type: "energy_report", Names: module.NamesQuery("SELECT x.id, o.name || ' ' || CAST(x.year AS TEXT) || ' 年' FROM energy_reports x JOIN orgs o ON o.id = x.org_id", "x.id", "x.org_id")}},
		Events: []module.Event{
			{Code: EventSubmitted, Label: "energy.report.event.submitted|统计报表待审核"},
			{Code: EventReturned, Label: "energy.report.event.returned|统计报表被退回"},
			{Code: EventApproved, Label: "energy.report.event.approved|统计报表审核通过"},
			{Code: EventReopened, Label: "energy.report.event.reopened|已审核的统计报表被重新打开"},
		},
		Menu:   menu,
		Routes: func() { s.api(); s.pages() },
		Demo:   s.LoadDemo,
		Todos:  s.todos,
	}
}
