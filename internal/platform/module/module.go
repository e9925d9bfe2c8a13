// Package module is the module kit: the one way a business module (office space, energy, vehicles, assets,
// services …) is built and plugged into GovOps.
//
// A module is a package with a constructor that takes the one dependency set every module receives, Deps, plus the
// small read interfaces it needs from other modules (declared by the reader, passed in by the wiring), and returns
// a value whose Manifest says everything the module brings: its migrations, templates, translations, permissions,
// audit names, reference datasets, jobs, approval request types, notification events, attachment owners, menu
// items, routes, demo loader and background work. The wiring (internal/app) keeps one ordered list of modules and
// derives migrations, routes, menus, jobs and demo loading from it with Install, so adding a module is one line
// there.
//
// Constructors only store their dependencies: nothing is registered and nothing touches the database until Install
// (so the wiring may build the list with an empty Deps just to read the migrations). Every field of Deps is set by
// the wiring: modules never test them for nil.
//
// The kit also holds what every module's handlers need once: typed adapters for the plain JSON routes (List, Get,
// Create, Update in api.go), and the shared helpers (enums with names in internal/platform/enum, rounding, year
// query parsing and form refusals in internal/platform/web).
package module

import (
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"

	"github.com/govops/govops/internal/platform/attach"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/jobs"
	"github.com/govops/govops/internal/platform/notify"
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/workflow"
)

// Deps is the dependency set every module receives. The wiring sets every field.
type Deps struct {
	DB       *db.DB
	Clock    clock.Clock
	Log      *slog.Logger
	UI       *web.UI
	Auth     *auth.Service
	Refdata  *refdata.Store
	Workflow *workflow.Service
	Jobs     *jobs.Runner
	Notify   *notify.Service
	Calendar *calendar.Calendar
	Attach   *attach.Store
	// Options are the operator's settings that a module reads (from flags and environment), e.g. the energy
	// collectors' MQTT broker.
	Options Options
}

// Options are the operator's settings meant for modules.
type Options struct {
	// MQTTURL is the energy collectors' broker (tcp://host:1883); empty runs no subscriber.
	MQTTURL string
	// JT808Addr is the JT/T 808 gateway's listen address (host:port); empty runs no gateway. JT808Auth is strict or
	// lenient (docs/api.md §CLI). TileURL is the map tile URL template of the track pages (empty: no tiles).
	JT808Addr, JT808Auth, TileURL string
}

// Event is a notification event a module raises (users choose how they hear of it).
type Event struct {
	Code  string // "space.rectification_overdue"
	Label string // "key|中文"
}

// Attachment declares a kind of record that carries attachments. The kit checks the permissions before it asks
// the module: SeePerm (the module's read permission) guards lists and downloads, EditPerm uploads and deletions;
// then CanSee and CanEdit decide on the record itself (scope, status).
type Attachment struct {
	Type              string // object type stored with each file ("space_repair")
	SeePerm, EditPerm string
	CanSee, CanEdit   attach.Check
	MaxBytes          int64    // 0: the store's default
	Exts              []string // narrows the allowed extensions
}

// Manifest is everything a module brings. Only Name is required; each other field is registered with the kit
// service it belongs to by Install, in this order: translations, templates, functions, permissions, audit names,
// reference data, request types, events, jobs, attachments, menu, help, routes.
type Manifest struct {
	// Name is the module's short name: the template namespace ("space" → "space/rooms.html").
	Name string
	// Migrations create the module's tables; they run in list order after the kit's and the spine's.
	Migrations db.Migrations
	// Templates are the module's page templates (the files of its templates/ folder).
	Templates fs.FS
	// Catalog is the English catalogue (i18n/en.json) of the module's "key|中文" strings.
	Catalog []byte
	// Funcs are template functions the module's pages use (names must be unique across modules).
	Funcs template.FuncMap
	// Permissions are the module's rights; built-in roles take them by pattern.
	Permissions []auth.Permission
	// AuditActions and AuditObjects name the module's audit actions and object types in Chinese.
	AuditActions, AuditObjects map[string]string
	// Objects name the module's records in the activity feed and link them to their pages.
	Objects []Object
	// Datasets are the module's versioned, sourced reference data.
	Datasets []refdata.Dataset
	// RequestTypes are the module's approval request types.
	RequestTypes []workflow.Type
	// Events are the module's notification events.
	Events []Event
	// Jobs are the module's periodic jobs.
	Jobs []jobs.Job
	// Attachments are the module's record types that carry files.
	Attachments []Attachment
	// Menu items of the module (each shows only to users holding its permission).
	Menu []web.MenuItem
	// Help are the module's help topics (docs/help.md): each a page template help_<name>.html of Templates, the
	// pages it explains and who may read it; the kit lists them at /help and links them from those pages.
	Help []web.HelpTopic
	// Routes registers the module's pages and API on the web kit.
	Routes func()
	// Demo loads the module's part of the demo province (nothing when it is already there).
	Demo func(ctx context.Context) error
	// Todos lists the module's work waiting for the signed-in user u (within their scope and rights): the one to-do
	// list (待办) gathers every module's, beside the approvals waiting in the workflow kit.
	Todos func(ctx context.Context, u *auth.User) ([]Todo, error)
	// Mine lists what belongs to the signed-in user u in the module (their office, their car booking…), for the
	// "我的" part of the home page that an employee opens on a phone.
	Mine func(ctx context.Context, u *auth.User) ([]Mine, error)
	// Start begins background work when the server starts; Stop ends it (flushing buffers) before it exits.
	Start func(ctx context.Context) error
	Stop  func(ctx context.Context)
}

// Mine is a thing of the signed-in user's own: their office, a booking, a request.
type Mine struct {
	Label  string `json:"label"`            // what it is ("我的办公室"), a "key|中文" string
	Title  string `json:"title"`            // the thing ("1 号楼 301")
	Detail string `json:"detail,omitempty"` // a line about it ("使用面积 18 m²，标准 12 m²")
	Link   string `json:"link,omitempty"`   // its page, when the user may open it
}

// Todo is one piece of work waiting for a user: a report to review, a rectification to report or to verify, a
// repair to approve, readings to check.
type Todo struct {
	Kind    string `json:"kind" doc:"what kind of work (stable code, e.g. space.rectify.report)"`
	Label   string `json:"label" doc:"the kind in Chinese (待报送整改…)"`
	Title   string `json:"title" doc:"the record, with its unit"`
	Link    string `json:"link" doc:"the page where the work is done"`
	Due     string `json:"due,omitempty" doc:"deadline YYYY-MM-DD"`
	Overdue bool   `json:"overdue"`
}

// Module is a business module.
type Module interface {
	Manifest() Manifest
}

// Migrations lists the modules' migrations in list order.
func Migrations(mods []Module) []db.Migrations {
	var out []db.Migrations
	for _, m := range mods {
		if ms := m.Manifest().Migrations; ms.Module != "" {
			out = append(out, ms)
		}
	}
	return out
}

// Install registers every module with the kit services in d, in list order, and returns their manifests (read once:
// the wiring keeps them for demo loading, background work and to-dos). It panics on a programming error (a module
// without a name, a duplicate), like the kit services' own Register methods.
func Install(d Deps, mods []Module) []Manifest {
	seen := map[string]bool{}
	mfs := make([]Manifest, 0, len(mods))
	for _, m := range mods {
		mf := m.Manifest()
		if mf.Name == "" || seen[mf.Name] {
			panic(fmt.Sprintf("module: %T needs a unique name (got %q)", m, mf.Name))
		}
		seen[mf.Name] = true
		install(d, mf)
		mfs = append(mfs, mf)
	}
	return mfs
}

func install(d Deps, mf Manifest) {
	u := d.UI
	if mf.Catalog != nil {
		if err := u.Catalog.Add(web.LangEN, mf.Catalog); err != nil {
			panic(fmt.Sprintf("module %s: catalogue: %v", mf.Name, err))
		}
	}
	if mf.Templates != nil {
		u.AddTemplates(mf.Name, mf.Templates)
	}
	if mf.Funcs != nil {
		u.AddFuncs(mf.Funcs)
	}
	d.Auth.AddPermissions(mf.Permissions...)
	if mf.AuditActions != nil || mf.AuditObjects != nil {
		audit.RegisterActions(mf.AuditActions, mf.AuditObjects)
	}
	for _, ds := range mf.Datasets {
		d.Refdata.Register(ds)
	}
	for _, t := range mf.RequestTypes {
		d.Workflow.RegisterType(t)
	}
	for _, e := range mf.Events {
		d.Notify.AddEvent(e.Code, e.Label)
	}
	for _, j := range mf.Jobs {
		d.Jobs.Add(j)
	}
	for _, a := range mf.Attachments {
		d.Attach.Register(attach.Owner{Type: a.Type, SeePerm: a.SeePerm, EditPerm: a.EditPerm, CanSee: a.CanSee, CanEdit: a.CanEdit,
			MaxBytes: a.MaxBytes, Exts: a.Exts})
	}
	u.AddMenu(mf.Menu...)
	u.AddHelp(mf.Name, mf.Help...)
	if mf.Routes != nil {
		mf.Routes()
	}
}

// LoadDemo loads every module's demo data in list order.
func LoadDemo(ctx context.Context, mfs []Manifest) error {
	for _, mf := range mfs {
		if mf.Demo == nil {
			continue
		}
		if err := mf.Demo(ctx); err != nil {
			return fmt.Errorf("%s: %w", mf.Name, err)
		}
	}
	return nil
}

// Todos gathers every module's work waiting for u, in list order (a module whose list fails is an error: the page
// must not pretend there is nothing to do).
func Todos(ctx context.Context, mfs []Manifest, u *auth.User) ([]Todo, error) {
	var out []Todo
	for _, mf := range mfs {
		if mf.Todos == nil {
			continue
		}
		ts, err := mf.Todos(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("%s to-dos: %w", mf.Name, err)
		}
		out = append(out, ts...)
	}
	return out, nil
}

// Start begins every module's background work in list order; a module that cannot start is logged and the others
// go on (the server still serves pages and the API).
func Start(ctx context.Context, log *slog.Logger, mfs []Manifest) {
	for _, mf := range mfs {
		if mf.Start != nil {
			if err := mf.Start(ctx); err != nil {
				log.Error("module background work did not start", "module", mf.Name, "err", err)
			}
		}
	}
}

// Stop ends every module's background work, in reverse list order.
func Stop(ctx context.Context, mfs []Manifest) {
	for i := len(mfs) - 1; i >= 0; i-- {
		if mf := mfs[i]; mf.Stop != nil {
			mf.Stop(ctx)
		}
	}
}

// Find returns the module of type T in the list (the zero value and false when there is none): for tests and
// tools that need one module's service.
func Find[T Module](mods []Module) (T, bool) {
	for _, m := range mods {
		if t, ok := m.(T); ok {
			return t, true
		}
	}
	var zero T
	return zero, false
}
