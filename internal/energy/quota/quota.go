// Package quota is 能耗定额 (issue 3 item 4) on top of the energy module's indicators:
//
//   - Quota standards (standards.go): per region, statistics category and indicator, the three levels 约束值 ≥
//     基准值 ≥ 引导值 with a validity range of years, the source document and issuer, and the standard-coal factor
//     set its kgce indicators use (统计当量值 by default; 等价值 electricity per some local standards, reference
//     data energy.quota_factor). Edited by the energy manager with history and audit.
//   - Annual quotas and their decomposition (quotas.go): a bureau sets the year's standard coal and water for its
//     subtree and splits them among its child units by last year's share, floor area, headcount or by hand; each
//     child splits further; children never sum above their parent.
//   - Run-rate warnings (warnings.go): the year to date (energy.Compute, Span Through) projected to the full year
//     with last year's monthly profile (linear without history), against the unit's quota and the 约束值 of its
//     category; a periodic job keeps them and tells the unit's administrators once per status change.
//   - Over-quota explanations (explain.go, 超定额说明, 条例第十七条) through the workflow kit.
//
// Files: calc.go (the pure computations), standards.go, quotas.go, warnings.go, explain.go, api.go, web.go,
// routes.go, demo.go; templates/, i18n/en.json, data/ (reference data and the example standards).
package quota

import (
	"context"
	"embed"
	"time"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/jobs"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/workflow"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

//go:embed data/*
var dataFS embed.FS

// Migrations creates the quota tables; they refer to orgs, so they run after energy's.
var Migrations = db.Embedded("energy_quota", migrationsFS)

// Reference data kinds of the module.
const (
	KindSetting = "energy.quota_setting" // warn_ratio
	KindFactor  = "energy.quota_factor"  // 等价值 factors of quota standards, by energy type
)

// PermQuota is the permission to edit quota standards and set quotas at the top of one's scope. Decomposing a
// unit's quota among its children needs only energy:enter on that unit (the unit's administrators split it).
const PermQuota = "energy:quota"

// Permissions of the module (energy_manager holds energy:* by pattern).
var Permissions = []auth.Permission{{Code: PermQuota, Name: "管理能耗定额标准、核定与分解定额", Module: "节能管理"}}

const (
	wfExplanation = "energy.quota_explanation"
	eventWarning  = "energy.quota.warning"
	objStandard   = "energy_quota_standard"
	objQuota      = "energy_quota"
	objExplain    = "energy_quota_explanation"
)

// Service is the module instance.
type Service struct {
	module.Deps
	Energy *energy.Service
}

// New makes the part over the energy module; the wiring installs it with the kit.
func New(d module.Deps, e *energy.Service) *Service { return &Service{Deps: d, Energy: e} }

// Manifest declares the part to the kit.
func (s *Service) Manifest() module.Manifest {
	return module.Manifest{
		Name: "quota", Migrations: Migrations, Templates: web.Sub(templatesFS, "templates"), Catalog: catalogEN, Funcs: funcs,
		Permissions: Permissions,
		Datasets:    []refdata.Dataset{refdata.MustLoad(dataFS, "data/quota_setting.csv"), refdata.MustLoad(dataFS, "data/quota_factor.csv")},
		AuditActions: map[string]string{
			"energy.quota_standard.create": "新增能耗定额标准", "energy.quota_standard.update": "修改能耗定额标准",
			"energy.quota.set": "核定能耗定额", "energy.quota.decompose": "分解能耗定额",
			"energy.quota_explanation.create": "提交超定额说明", "energy.quota_explanation.resubmit": "重新提交超定额说明",
			"energy.quota_explanation.decide": "超定额说明审批结果", "energy.quota.demo": "载入能耗定额演示数据",
		},
		AuditObjects: map[string]string{objStandard: "能耗定额标准", objQuota: "能耗定额", objExplain: "超定额说明"},
		Objects: []module.Object{
			{Type: objQuota, Names: module.NamesQuery("SELECT x.id, o.name || ' ' || CAST(x.year AS TEXT) || ' 年' FROM energy_quotas x JOIN orgs o ON o.id = x.org_id", "x.id", "x.org_id")},
			{Type: objExplain, Names: module.NamesQuery("SELECT x.id, o.name || ' ' || CAST(x.year AS TEXT) || ' 年' FROM energy_quota_explanations x JOIN orgs o ON o.id = x.org_id", "x.id", "x.org_id"),
				Link: module.LinkTo("/energy/quota-explanations/")},
		},
		Jobs: []jobs.Job{{Name: "energy.quota.warnings", Title: "quota.job.warnings|能耗定额执行预警", Every: 6 * time.Hour,
			Timeout: 30 * time.Minute, Run: s.warningsJob}},
		RequestTypes: []workflow.Type{{Code: wfExplanation, Name: "超定额用能说明", Link: "/energy/quota-explanations/{id}", OnDecided: s.explanationDecided}},
		Events:       []module.Event{{Code: eventWarning, Label: "quota.event.warning|能耗定额预警"}},
		// Whoever sees an explanation sees its documents; the unit (energy:enter) adds or removes them until it is
		// approved.
		Attachments: []module.Attachment{{Type: objExplain, SeePerm: "energy:read", EditPerm: "energy:enter", CanSee: s.canSeeExplanation, CanEdit: s.canEditExplanation}},
		Menu:        menu,
		Routes:      func() { s.api(); s.pages() },
		Demo:        s.LoadDemo,
		Todos:       s.todos,
	}
}

func (s *Service) canSeeExplanation(ctx context.Context, q db.Q, id int64) error {
	_, err := GetExplanation(ctx, q, auth.ScopeFrom(ctx), id)
	return err
}

func (s *Service) canEditExplanation(ctx context.Context, q db.Q, id int64) error {
	e, err := GetExplanation(ctx, q, auth.ScopeFrom(ctx), id)
	if err != nil {
		return err
	}
	if e.Status != "submitted" && e.Status != "returned" {
		return errs.Conflict("说明已" + e.StatusName + "，附件不能再修改")
	}
	return nil
}

// warnRatio is the warning threshold in force for a region and year (reference data, default 0.9).
func warnRatio(ctx context.Context, q db.Q, region string, year int) float64 {
	r, err := refdata.LookupYear(ctx, q, KindSetting, "warn_ratio", region, year)
	if err != nil || r.Value <= 0 || r.Value > 1 {
		return 0.9
	}
	return r.Value
}
