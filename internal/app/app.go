// Package app wires GovOps together: it opens the database, applies every module's migrations in dependency
// order, seeds reference data, and assembles the web kit, the identity service and the modules into one HTTP
// handler. cmd/govops and the end-to-end tests both build the program through it, so what the tests run is
// exactly what `govops serve` runs.
package app

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/govops/govops/internal/demo"
	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/energy/emc"
	"github.com/govops/govops/internal/energy/pv"
	"github.com/govops/govops/internal/energy/quota"
	"github.com/govops/govops/internal/energy/report"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/attach"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/audit/auditweb"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/config"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/jobs"
	"github.com/govops/govops/internal/platform/notify"
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/platform/settings"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/workflow"
	"github.com/govops/govops/internal/space"
)

// Version is set at build time with -ldflags "-X github.com/govops/govops/internal/app.Version=…".
var Version = "dev"

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

// Migrations lists every module's migrations in the order they must run: the kit's own tables, the spine, then
// identity (which refers to units and people), then the business modules.
func Migrations() []db.Migrations {
	return []db.Migrations{settings.Migrations, audit.Migrations, history.Migrations, jobs.Migrations, refdata.Migrations,
		org.Migrations, auth.Migrations, notify.Migrations, attach.Migrations, workflow.Migrations, space.Migrations, energy.Migrations,
		pv.Migrations, emc.Migrations, quota.Migrations, report.Migrations}
}

// App is the assembled program.
type App struct {
	Cfg      config.Config
	DB       *db.DB
	Log      *slog.Logger
	Clock    clock.Clock
	UI       *web.UI
	Auth     *auth.Service
	Org      *org.Service
	Jobs     *jobs.Runner
	Refdata  *refdata.Store
	Calendar *calendar.Calendar
	Notify   *notify.Service
	Attach   *attach.Store
	Workflow *workflow.Service
	Space    *space.Service
	Energy   *energy.Service
	Report   *report.Service
	Quota    *quota.Service
	PV       *pv.Service
	EMC      *emc.Service

	// AdminPassword is set when this start created the first admin with a generated password.
	AdminPassword string
	AdminCreated  bool
}

// Open connects to the database, migrates it and seeds what every installation needs. It does not load the demo.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, clk clock.Clock) (*App, error) {
	start := time.Now()
	d, err := db.Open(ctx, cfg.DB, db.Options{})
	if err != nil {
		return nil, err
	}
	n, err := db.Migrate(ctx, d, Migrations()...)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("数据库迁移失败: %w", err)
	}
	if n > 0 {
		log.Info("migrated", "applied", n)
	}
	if _, err := org.SeedRegions(ctx, d); err != nil {
		d.Close()
		return nil, fmt.Errorf("载入行政区划失败: %w", err)
	}
	a := &App{Cfg: cfg, DB: d, Log: log, Clock: clk}
	if err := a.build(); err != nil {
		d.Close()
		return nil, err
	}
	if err := a.Refdata.Seed(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("载入标准参数失败: %w", err)
	}
	created, pw, err := a.Auth.Seed(ctx, cfg.AdminPassword)
	if err != nil {
		d.Close()
		return nil, err
	}
	a.AdminCreated, a.AdminPassword = created, pw
	if err := a.UI.Build(); err != nil {
		d.Close()
		return nil, err
	}
	log.Debug("opened", "ms", time.Since(start).Milliseconds())
	return a, nil
}

func (a *App) build() error {
	u := web.New(a.Log, Version)
	u.Secure = a.Cfg.SecureCookies || a.Cfg.TLSCert != ""
	u.Metrics.RegisterDB("main", a.DB.SQL)
	u.GroupOrder = []string{"menu.work", "menu.space", "menu.fleet", "menu.energy", "menu.assets", "menu.services", "menu.reports",
		"menu.org", "menu.system", "menu.security", "menu.audit"}
	tree := org.Tree{}
	a.Auth = auth.New(a.DB, a.Clock, a.Log, u, tree)
	u.Authorize = a.Auth.Authorize
	u.Use(a.Auth.Middleware(a.Cfg.TrustProxy))
	a.Org = &org.Service{DB: a.DB, Clock: a.Clock, Log: a.Log, UI: u, Auth: a.Auth}
	u.Decorate = func(r *http.Request, g *web.Globals) {
		a.Org.Decorate(r, g)
		if me := auth.UserFrom(r.Context()); me != nil && a.Notify != nil {
			if n, err := a.Notify.UnreadCount(r.Context(), a.DB, me.ID); err == nil {
				g.Unread = n
			}
		}
	}
	a.UI = u

	sub, err := fs.Sub(templatesFS, "templates")
	if err != nil {
		panic(err)
	}
	u.AddTemplates("app", sub)
	if err := u.Catalog.Add(web.LangEN, catalogEN); err != nil {
		return err
	}
	u.Public("GET /healthz", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
		return nil
	})
	u.Public("GET /readyz", a.readyz)
	u.Public("GET /metrics", func(w http.ResponseWriter, r *http.Request) error {
		u.Metrics.Handler().ServeHTTP(w, r)
		return nil
	})
	u.PublicAPI("GET /api/v1/openapi.json", web.Doc{Summary: "本接口文档（OpenAPI 3.1）"}, u.ServeOpenAPI)
	u.Page("GET /{$}", web.SignedIn, a.home)

	a.Jobs = jobs.New(a.DB, a.Clock, a.Log, u)
	a.Refdata = refdata.New(a.DB, a.Clock, u)
	cal, err := calendar.New(a.DB, u)
	if err != nil {
		return err
	}
	cal.Clock = a.Clock
	a.Calendar = cal
	a.Notify = notify.New(a.DB, a.Clock, a.Log, u, a.Jobs)
	a.Attach = attach.New(a.DB, a.Clock, u, filepath.Join(a.Cfg.DataDir, "attachments"))
	a.Jobs.Add(a.Attach.SweepJob())
	a.Jobs.Add(jobs.Job{Name: "auth.purge_sessions", Title: "清理过期会话", Every: time.Hour, Run: func(ctx context.Context) (string, error) {
		n, err := a.Auth.PurgeSessions(ctx)
		return fmt.Sprintf("删除 %d 个过期会话", n), err
	}})
	a.Workflow = workflow.New(a.DB, a.Clock, u, a.Auth)
	a.Notify.AddEvent("workflow.pending", "待我审批")
	a.Notify.AddEvent("workflow.finished", "我的申请有了结果")
	a.Workflow.Notify = func(ctx context.Context, q db.Q, n workflow.Notice) error {
		in := n.Instance
		msg := notify.Notification{Recipients: n.UserIDs, Link: "/inbox/" + strconv.FormatInt(in.ID, 10)}
		switch n.Kind {
		case workflow.NoticeWaiting:
			msg.Event, msg.Title = "workflow.pending", "待审批："+in.Title
			msg.Body = in.TypeName + "（" + in.OrgName + "，" + in.RequesterName + " 提交）第 " + strconv.Itoa(in.StepNo) + " 步：" + in.StepName
		default:
			msg.Event, msg.Title = "workflow.finished", in.StatusName+"："+in.Title
			msg.Body = in.TypeName + "审批" + in.StatusName
		}
		return a.Notify.Notify(ctx, q, msg)
	}
	a.Space = &space.Service{DB: a.DB, Clock: a.Clock, Log: a.Log, UI: u, Auth: a.Auth,
		Refdata: a.Refdata, Workflow: a.Workflow, Jobs: a.Jobs, Notify: a.Notify, Attach: a.Attach, Calendar: a.Calendar}
	a.Energy = energy.New(energy.Deps{DB: a.DB, Clock: a.Clock, Log: a.Log, UI: u, Auth: a.Auth, Refdata: a.Refdata, Jobs: a.Jobs,
		MQTTURL: a.Cfg.MQTTURL})
	// The energy module's parts share one set of dependencies.
	parts := energy.PartDeps{DB: a.DB, Clock: a.Clock, Log: a.Log, UI: u, Auth: a.Auth, Refdata: a.Refdata, Workflow: a.Workflow,
		Jobs: a.Jobs, Notify: a.Notify, Calendar: a.Calendar, Energy: a.Energy, Attach: a.Attach}
	a.Report = report.New(parts)
	a.Energy.Lock = a.Report.CheckLock
	a.PV = pv.New(parts)
	a.EMC = emc.New(parts)
	a.Quota = quota.New(parts)

	a.Auth.Routes(a.Cfg.TrustProxy)
	a.Org.Routes()
	auditweb.Routes(u, a.DB, a.Clock)
	a.Jobs.Routes()
	a.Refdata.Routes()
	a.Calendar.Routes()
	a.Notify.Routes()
	a.Attach.Routes()
	a.Workflow.Routes()
	a.Space.Routes()
	a.Energy.Routes()
	a.Report.Routes()
	a.Quota.Routes()
	a.PV.Routes()
	a.EMC.Routes()
	return nil
}

// DemoModules are the business modules whose demo data `serve --demo` and `demo` load, in order. The annual
// report comes last: its approved 2025 reports lock those figures.
func (a *App) DemoModules() []demo.Module {
	return []demo.Module{a.Space, a.Energy, a.PV, a.EMC, a.Quota, a.Report}
}

// Start begins background work (periodic jobs, the energy readings writer and MQTT subscriber). serve calls it;
// tests that need jobs call it themselves.
func (a *App) Start(ctx context.Context) {
	a.Jobs.Start(ctx)
	if err := a.Energy.Start(ctx); err != nil {
		a.Log.Error("energy MQTT subscriber", "err", err)
	}
}

func (a *App) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := a.DB.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n"))
		return nil
	}
	_, _ = w.Write([]byte("ready\n"))
	return nil
}

// Handler is the complete HTTP handler.
func (a *App) Handler() http.Handler { return a.UI.Handler() }

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// Stop ends background work (periodic jobs, buffers) before the process exits.
func (a *App) Stop(ctx context.Context) {
	a.Energy.Stop(ctx)
	a.Jobs.Stop(ctx)
}
