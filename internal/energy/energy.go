// Package energy is 公共机构节能: the energy, water and carbon accounts of public institutions.
//
// Phase 1 (this package today) covers reference data, the input paths and the indicators:
//
//   - Reference data (refdata datasets in data/): standard-coal factors (GB/T 2589-2020), CO₂ factors (official grid
//     factors by data year, with regional and provincial values; fuel factors marked unverified), which factor each
//     type uses (selectable per region), fuel densities for litre inputs, and the 十四五 targets.
//   - Input paths: monthly statistics entries per unit and type (form, API, Excel import) — the authoritative figure;
//     meters on buildings with sub-items, multiplier, cumulative or interval readings and parent meters; bulk
//     readings over HTTP and an MQTT subscriber, both through one buffered single writer (ingest.go) that acks only
//     after the batch is durable; roll-ups per meter and hour/day/month (rollup.go) that turn counters into
//     consumption and flag decreases, gaps and spikes for review (anomalies.go), never summing them silently.
//   - Indicators (indicators.go): per unit, subtree, region and category, by month/quarter/year, with year on year,
//     the 2020 baseline and the 十四五 targets; rankings within a category; sub-items and sub-meter balance.
//
// The numbers that count are in energy_usage (usage.go): for each unit, year and type, twelve monthly figures, each
// the month's statistics entry when there is one, else the sum of the unit's main meters. Indicators convert them
// with the factors in force for the accounting year (factors.go), so a newly published factor applies everywhere
// at once. Phase 2 (quotas, the annual statistics report, energy performance contracts, PV) adds files to this
// package and reads the same query functions: GetUsage, LoadFactors, Compute, ComputeProgress, UnitFigures,
// Rankings, MonthlyTrend, MeterMonths.
//
// Files: types.go (energy types, sub-items, periods, entry validation), factors.go (reference data and factor
// resolution), consumption.go (entries, the grid, 用能人数/建筑面积 per year), usage.go (effective figures),
// meters.go, readings.go and fastjson.go (the bulk decoder), ingest.go (the single writer), intervals.go (pure
// interval and anomaly rules), rollup.go, anomalies.go, indicators.go and analysis.go (indicators, progress,
// rankings, trends), meterdata.go (charts with LTTB, balance, sub-items), cache.go, importer.go (Excel), mqtt.go
// (decoder and subscriber), api.go, routes.go, web_*.go and charts.go (pages), demo.go.
package energy

import (
	"context"
	"embed"
	"sync"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/jobs"
	"github.com/govops/govops/internal/platform/module"
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

// Migrations creates the energy tables. They refer to orgs and buildings, so they run after org's and space's.
var Migrations = db.Embedded("energy", migrationsFS)

// Permissions of the module. The built-in roles grant them by pattern: energy_manager energy:*, unit_admin
// energy:read and energy:enter, supervisor *:read.
var Permissions = []auth.Permission{
	{Code: "energy:read", Name: "查看能耗数据与指标", Module: "节能管理"},
	{Code: "energy:enter", Name: "填报月度能耗统计", Module: "节能管理"},
	{Code: "energy:write", Name: "管理计量表、审核读数异常", Module: "节能管理"},
	{Code: "energy:ingest", Name: "上传计量表读数（采集器）", Module: "节能管理"},
}

// Buildings is what energy reads of office space: a building in the caller's scope (not_found otherwise), for the
// unit and area of the building a meter or a PV system stands on. The wiring passes the office-space module.
type Buildings interface {
	Building(ctx context.Context, q db.Q, sc auth.Scope, id int64) (org.Building, error)
}

// Service is the module instance: stores, the ingest writer, the MQTT subscriber, pages and API. Its parts
// (quota, report, emc, pv) are modules of their own that read it.
type Service struct {
	module.Deps
	// Buildings reads office space's buildings (for the parts too).
	Buildings Buildings

	// Lock, when set, refuses writes to a unit's figures for a locked statistics year (the annual report sets it:
	// 409 once the year's report is approved). It runs inside the write transaction.
	Lock func(ctx context.Context, q db.Q, orgID int64, year int) error

	// RollupWait bounds how long a read of meter-derived figures waits for pending roll-ups (default 2 s).
	RollupWait time.Duration

	writerOnce sync.Once
	w          *writer
	mqtt       *subscriber
	stopLease  func() // ends the MQTT lease holder (Start)
	mu         sync.Mutex
	cache      figureCache
}

// New makes the module; the wiring installs it with the kit, which registers what Manifest declares.
func New(d module.Deps, b Buildings) *Service {
	return &Service{Deps: d, Buildings: b, RollupWait: 2 * time.Second}
}

// Manifest declares the module to the kit.
func (s *Service) Manifest() module.Manifest {
	return module.Manifest{
		Name: "energy", Migrations: Migrations, Templates: web.Sub(templatesFS, "templates"), Catalog: catalogEN, Funcs: s.funcs(),
		Permissions: Permissions, Datasets: Datasets(),
		AuditActions: map[string]string{
			"energy.consumption.set": "填报月度能耗", "energy.consumption.delete": "删除月度能耗", "energy.org_year.set": "填报用能人数和建筑面积",
			"energy.meter.create": "新增计量表", "energy.meter.update": "修改计量表", "energy.readings": "上传计量表读数",
			"energy.anomaly.resolve": "处理读数异常", "energy.settings": "修改能耗采集设置", "import.energy": "导入月度能耗",
			"energy.demo": "载入能耗演示数据",
		},
		AuditObjects: map[string]string{"energy_consumption": "月度能耗", "energy_meter": "计量表", "energy_anomaly": "读数异常", "energy_readings": "读数"},
		Objects:      objects(),
		Jobs: []jobs.Job{{Name: "energy.rollup", Title: "energy.job.rollup|能耗计量汇总（补算积压的读数汇总）", Every: 5 * time.Minute,
			Timeout: 10 * time.Minute, Run: s.rollupJob}},
		Menu:   menu,
		Help:   helpTopics(),
		Routes: func() { s.api(); s.pages() },
		Demo:   s.LoadDemo, Start: s.Start, Stop: s.Stop, Todos: s.todos,
	}
}

// checkLock applies Lock, if any.
func (s *Service) checkLock(ctx context.Context, q db.Q, orgID int64, year int) error {
	if s.Lock == nil {
		return nil
	}
	return s.Lock(ctx, q, orgID, year)
}
