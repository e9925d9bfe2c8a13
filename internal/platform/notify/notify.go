// Package notify delivers notifications: an in-app inbox per user, and outgoing webhooks (with retries) for SMS,
// DingTalk and WeCom gateways. (Skeleton: being built.)
package notify

import (
	"embed"
	"io/fs"
	"log/slog"

	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/jobs"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations creates the notification tables.
var Migrations = db.Migrations{Module: "notify", FS: mustSub(migrationsFS, "migrations")}

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// Service is the notification kit instance.
type Service struct {
	DB    *db.DB
	Clock clock.Clock
	Log   *slog.Logger
	UI    *web.UI
}

// New makes the service and registers its delivery job on the runner.
func New(d *db.DB, clk clock.Clock, log *slog.Logger, ui *web.UI, runner *jobs.Runner) *Service {
	return &Service{DB: d, Clock: clk, Log: log, UI: ui}
}

// Routes registers the inbox and webhook pages and API.
func (s *Service) Routes() {}
