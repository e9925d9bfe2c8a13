// Package jobs runs in-process periodic tasks (roll-ups, scans, reminders, retention) and records each run so
// administrators can see their status. (Skeleton: being built.)
package jobs

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"time"

	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations creates the job tables.
var Migrations = db.Migrations{Module: "jobs", FS: mustSub(migrationsFS, "migrations")}

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// Job is a periodic task. Run returns a short result message for the status page.
type Job struct {
	Name  string
	Title string
	Every time.Duration
	Run   func(ctx context.Context) (string, error)
}

// Runner schedules jobs.
type Runner struct {
	DB    *db.DB
	Clock clock.Clock
	Log   *slog.Logger
	UI    *web.UI
	jobs  []Job
}

// New makes a runner.
func New(d *db.DB, clk clock.Clock, log *slog.Logger, ui *web.UI) *Runner {
	return &Runner{DB: d, Clock: clk, Log: log, UI: ui}
}

// Add registers a job (before Start).
func (r *Runner) Add(j Job) { r.jobs = append(r.jobs, j) }

// Start begins running jobs in the background.
func (r *Runner) Start(ctx context.Context) {}

// Stop waits for running jobs to finish (or ctx to end).
func (r *Runner) Stop(ctx context.Context) {}

// Routes registers the status page and API.
func (r *Runner) Routes() {}
