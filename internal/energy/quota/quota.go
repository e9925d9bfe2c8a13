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
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/jobs"
	"github.com/govops/govops/internal/platform/refdata"
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

// Deps is what the module needs from the assembled program.
type Deps = energy.PartDeps

// Service is the module instance.
type Service struct {
	Deps
}

// New makes the module and registers its reference data, permission, audit actions, job, workflow type and
// notification event. Call Routes afterwards.
func New(d Deps) *Service {
	d = d.WithDefaults()
	s := &Service{Deps: d}
	if d.Refdata != nil {
		d.Refdata.Register(refdata.MustLoad(dataFS, "data/quota_setting.csv"))
		d.Refdata.Register(refdata.MustLoad(dataFS, "data/quota_factor.csv"))
	}
	if d.Auth != nil {
		d.Auth.AddPermissions(Permissions...)
	}
	audit.RegisterActions(map[string]string{
		"energy.quota_standard.create": "新增能耗定额标准", "energy.quota_standard.update": "修改能耗定额标准",
		"energy.quota.set": "核定能耗定额", "energy.quota.decompose": "分解能耗定额",
		"energy.quota_explanation.create": "提交超定额说明", "energy.quota_explanation.resubmit": "重新提交超定额说明",
		"energy.quota_explanation.decide": "超定额说明审批结果", "energy.quota.demo": "载入能耗定额演示数据",
	}, map[string]string{objStandard: "能耗定额标准", objQuota: "能耗定额", objExplain: "超定额说明"})
	if d.Jobs != nil {
		d.Jobs.Add(jobs.Job{Name: "energy.quota.warnings", Title: "quota.job.warnings|能耗定额执行预警", Every: 6 * time.Hour,
			Timeout: 30 * time.Minute, Run: s.warningsJob})
	}
	if d.Workflow != nil {
		d.Workflow.RegisterType(workflow.Type{Code: wfExplanation, Name: "超定额用能说明", Link: "/energy/quota-explanations/{id}", OnDecided: s.explanationDecided})
	}
	if d.Notify != nil {
		d.Notify.AddEvent(eventWarning, "quota.event.warning|能耗定额预警")
	}
	if d.Attach != nil {
		// Whoever sees an explanation sees its documents; the unit adds or removes them until it is approved.
		d.Attach.RegisterOwner(objExplain, func(ctx context.Context, q db.Q, id int64) error {
			_, err := GetExplanation(ctx, q, auth.ScopeFrom(ctx), id)
			return err
		}, func(ctx context.Context, q db.Q, id int64) error {
			e, err := GetExplanation(ctx, q, auth.ScopeFrom(ctx), id)
			if err != nil {
				return err
			}
			if u := auth.UserFrom(ctx); u == nil || !u.Can("energy:enter") {
				return errs.Forbidden("没有填报能耗数据的权限")
			}
			if e.Status != "submitted" && e.Status != "returned" {
				return errs.Conflict("说明已" + e.StatusName + "，附件不能再修改")
			}
			return nil
		})
	}
	return s
}

// Enum is a code with its Chinese name.
type Enum struct{ Code, Name string }

func name(list []Enum, code string) string {
	for _, e := range list {
		if e.Code == code {
			return e.Name
		}
	}
	return ""
}

// warnRatio is the warning threshold in force for a region and year (reference data, default 0.9).
func warnRatio(ctx context.Context, q db.Q, region string, year int) float64 {
	r, err := refdata.LookupYear(ctx, q, KindSetting, "warn_ratio", region, year)
	if err != nil || r.Value <= 0 || r.Value > 1 {
		return 0.9
	}
	return r.Value
}
