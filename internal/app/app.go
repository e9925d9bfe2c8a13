// Package app wires GovOps together: it opens the database, applies every module's migrations in dependency
// order, seeds reference data, and assembles the web kit, the identity service and the modules into one HTTP
// handler. cmd/govops and the end-to-end tests both build the program through it, so what the tests run is
// exactly what `govops serve` runs.
package app

import (
	"context"
	"crypto/subtle"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/assets"
	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/energy/emc"
	"github.com/govops/govops/internal/energy/pv"
	"github.com/govops/govops/internal/energy/quota"
	"github.com/govops/govops/internal/energy/report"
	"github.com/govops/govops/internal/fleet"
	fleetreport "github.com/govops/govops/internal/fleet/report"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/attach"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/audit/auditweb"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/config"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/jobs"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/notify"
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/platform/settings"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/workflow"
	"github.com/govops/govops/internal/services"
	"github.com/govops/govops/internal/space"
	"github.com/govops/govops/internal/telematics"
)

// Version is set at build time with -ldflags "-X github.com/govops/govops/internal/app.Version=…".
var Version = "dev"

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

// modules is the one ordered list of GovOps's modules: the spine first, then the business modules. Migrations,
// templates, permissions, reference data, jobs, menus, routes, demo data and background work are all derived from
// it (see internal/platform/module). A module that reads another declares a small interface and is passed the
// other module here. Adding a module is one line.
func modules(d module.Deps) []module.Module {
	spine := org.New(d)
	sp := space.New(d)
	en := energy.New(d, sp) // energy reads the buildings its meters and PV systems stand on
	fl := fleet.New(d)
	return []module.Module{spine, sp, fl, fleetreport.New(d, fl), telematics.New(d, fl), assets.New(d, sp), services.New(d, sp), en, pv.New(d, en), emc.New(d, en), quota.New(d, en),
		report.New(d, en)} // the annual report comes last: its approved reports lock the demo's figures
}

// kitMigrations are the kit's own tables, in order around the spine: identity, notifications, attachments and
// workflow refer to units and people, so they come after org's.
func kitMigrations() []db.Migrations {
	return []db.Migrations{settings.Migrations, audit.Migrations, history.Migrations, jobs.Migrations, refdata.Migrations,
		org.Migrations, auth.Migrations, notify.Migrations, attach.Migrations, workflow.Migrations}
}

// Migrations lists every migration in the order it must run: the kit's and the spine's, then each module's in list
// order.
func Migrations() []db.Migrations {
	return append(kitMigrations(), module.Migrations(modules(module.Deps{}))...)
}

// App is the assembled program.
type App struct {
	Cfg      config.Config
	DB       *db.DB
	Log      *slog.Logger
	Clock    clock.Clock
	UI       *web.UI
	Auth     *auth.Service
	Jobs     *jobs.Runner
	Refdata  *refdata.Store
	Calendar *calendar.Calendar
	Notify   *notify.Service
	Attach   *attach.Store
	Workflow *workflow.Service
	// Org is the spine (also the first of Modules).
	Org *org.Service
	// Modules are the installed modules in list order, Manifests what they declared.
	Modules   []module.Module
	Manifests []module.Manifest
	// objects are the record types the activity feed names, by audit object type.
	objects map[string]module.Object

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
	a := &App{Cfg: cfg, DB: d, Log: log, Clock: clk}
	if err := a.build(); err != nil {
		d.Close()
		return nil, err
	}
	n, err := db.Migrate(ctx, d, append(kitMigrations(), module.Migrations(a.Modules)...)...)
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

// build assembles the kit services, then installs the modules.
func (a *App) build() error {
	u := web.New(a.Log, Version)
	u.Secure = a.Cfg.SecureCookies || a.Cfg.TLSCert != ""
	u.Metrics.RegisterDB("main", a.DB.SQL)
	u.GroupOrder = []string{"menu.work", "menu.space", "menu.fleet", "menu.energy", "menu.assets", "menu.services", "menu.reports",
		"menu.org", "menu.system", "menu.security", "menu.audit"}
	a.UI = u
	a.Auth = auth.New(a.DB, a.Clock, a.Log, u, org.Tree{})
	u.Authorize = a.Auth.Authorize
	u.Use(a.Auth.Middleware(a.Cfg.TrustProxy))
	u.Now = a.Clock.Now
	u.PrintUnit = a.printUnit
	u.Decorate = func(r *http.Request, g *web.Globals) {
		a.Org.Decorate(r, g)
		if me := auth.UserFrom(r.Context()); me != nil {
			if n, err := a.Notify.UnreadCount(r.Context(), a.DB, me.ID); err == nil {
				g.Unread = n
			}
			if ts, err := a.todos(r.Context(), me); err == nil {
				g.Todo = int64(len(ts))
			} else {
				a.Log.Error("to-do count", "err", err)
			}
		}
	}

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
	u.Public("GET /metrics", a.metrics)
	u.PublicAPI("GET /api/v1/openapi.json", web.Doc{Summary: "本接口文档（OpenAPI 3.1）"}, u.ServeOpenAPI)
	u.Page("GET /{$}", web.SignedIn, a.home)
	u.Page("GET /todo", web.SignedIn, a.todoPage)
	u.API("GET /api/v1/todo", web.SignedIn, web.Doc{Summary: "待办事项：等待当前用户处理的审批、报表审核、整改等", Response: module.Todo{}, List: true}, a.todoAPI)
	// The daily work comes first, and first in it what is used most: to-dos, one's own page, messages.
	u.AddMenu(web.MenuItem{Group: "menu.work|工作台", Label: "app.todo|待办事项", Path: "/todo", Perm: web.SignedIn, Order: 5},
		web.MenuItem{Group: "menu.work|工作台", Label: "app.menu.mine|我的", Path: "/profile", Perm: web.SignedIn, Order: 6},
		web.MenuItem{Group: "menu.work|工作台", Label: "app.menu.messages|消息", Path: "/notifications", Perm: web.SignedIn, Order: 7})
	u.AddHelp("app", helpTopics()...)

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
	a.Workflow.Notify = a.workflowNotice

	a.Auth.Routes(a.Cfg.TrustProxy)
	auditweb.Routes(u, a.DB, a.Clock)
	a.Jobs.Routes()
	a.Refdata.Routes()
	a.Calendar.Routes()
	a.Notify.Routes()
	a.Attach.Routes()
	a.Workflow.Routes()

	d := module.Deps{DB: a.DB, Clock: a.Clock, Log: a.Log, UI: u, Auth: a.Auth, Refdata: a.Refdata, Workflow: a.Workflow, Jobs: a.Jobs,
		Notify: a.Notify, Calendar: a.Calendar, Attach: a.Attach, Options: module.Options{MQTTURL: a.Cfg.MQTTURL,
			JT808Addr: a.Cfg.JT808Addr, JT808Auth: a.Cfg.JT808Auth, TileURL: a.Cfg.TileURL}}
	a.Modules = modules(d)
	a.Org, _ = module.Find[*org.Service](a.Modules)
	u.Units = a.Org.UnitChoices // the unit pickers of every module search the spine's units
	a.Manifests = module.Install(d, a.Modules)
	a.objects = map[string]module.Object{}
	for _, o := range kitObjects() {
		a.objects[o.Type] = o
	}
	for _, mf := range a.Manifests {
		for _, o := range mf.Objects {
			a.objects[o.Type] = o
		}
	}
	return nil
}

// workflowNotice tells requesters and approvers through the notification kit.
func (a *App) workflowNotice(ctx context.Context, q db.Q, n workflow.Notice) error {
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

// LoadDemo loads the modules' demo data in list order (the spine's units and people come first, from package
// demo).
func (a *App) LoadDemo(ctx context.Context) error { return module.LoadDemo(ctx, a.Manifests) }

// Start begins background work (periodic jobs, the modules' writers and subscribers). serve calls it; tests that
// need jobs call it themselves.
func (a *App) Start(ctx context.Context) {
	a.Jobs.Start(ctx)
	module.Start(ctx, a.Log, a.Manifests)
}

// metrics serves the Prometheus metrics to a scraper that presents the operator's token; without a token
// configured there is no /metrics (it tells an attacker the routes, the load and the versions).
func (a *App) metrics(w http.ResponseWriter, r *http.Request) error {
	token := a.Cfg.MetricsToken
	if token == "" {
		return errs.NotFound("页面")
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
		http.Error(w, "需要 /metrics 的访问令牌 (a bearer token is required)", http.StatusUnauthorized)
		return nil
	}
	a.UI.Metrics.Handler().ServeHTTP(w, r)
	return nil
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

// Stop ends background work (the modules' buffers, then periodic jobs) before the process exits.
func (a *App) Stop(ctx context.Context) {
	module.Stop(ctx, a.Manifests)
	a.Jobs.Stop(ctx)
}
