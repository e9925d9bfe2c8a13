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
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/refdata"
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

// Deps is what the module needs from the assembled program.
type Deps = energy.PartDeps

// Service is the module instance.
type Service struct {
	Deps
}

// New makes the module and registers its reference data, audit action names and notification events. The
// module's actions use energy's permissions: energy:read to see reports, energy:enter to fill in, submit and review
// them (which level may review is decided by the unit tree, not by a permission: a unit's reviewer is its parent
// bureau, so county unit administrators review their county's units).
func New(d Deps) *Service {
	d = d.WithDefaults()
	s := &Service{Deps: d}
	if d.Refdata != nil {
		for _, ds := range Datasets() {
			d.Refdata.Register(ds)
		}
	}
	audit.RegisterActions(map[string]string{
		"energy.report.submit": "上报能源资源消费统计报表", "energy.report.approve": "审核通过统计报表", "energy.report.return": "退回统计报表",
		"energy.report.reopen": "重新打开已审核的统计报表", "energy.report.info": "填报统计报表基本信息", "energy.report.demo": "载入统计报表演示数据",
	}, map[string]string{"energy_report": "能源资源消费统计报表"})
	if d.Notify != nil {
		d.Notify.AddEvent(EventSubmitted, "energy.report.event.submitted|统计报表待审核")
		d.Notify.AddEvent(EventReturned, "energy.report.event.returned|统计报表被退回")
		d.Notify.AddEvent(EventApproved, "energy.report.event.approved|统计报表审核通过")
		d.Notify.AddEvent(EventReopened, "energy.report.event.reopened|已审核的统计报表被重新打开")
	}
	return s
}
