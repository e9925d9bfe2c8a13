// Package workflow is the approval kit: configurable chains per request type and unit, an inbox of items
// waiting for the user, comments and history. (Skeleton: being built.)
package workflow

import (
	"context"
	"embed"
	"io/fs"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations creates the workflow tables.
var Migrations = db.Migrations{Module: "workflow", FS: mustSub(migrationsFS, "migrations")}

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// Service is the workflow kit instance.
type Service struct {
	DB    *db.DB
	Clock clock.Clock
	UI    *web.UI
	Auth  *auth.Service
}

// New makes the service.
func New(d *db.DB, clk clock.Clock, ui *web.UI, a *auth.Service) *Service {
	return &Service{DB: d, Clock: clk, UI: ui, Auth: a}
}

// Routes registers the inbox and chain configuration pages and API.
func (s *Service) Routes() {}

// PendingCount is the number of items waiting for u's decision (home page).
func (s *Service) PendingCount(ctx context.Context, u *auth.User) (int64, error) { return 0, nil }
