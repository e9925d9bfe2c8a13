// Package refdata stores versioned, sourced reference data (area standards, coal and emission factors,
// depreciation lives, vehicle caps…): each row knows its issuing document, region and validity, provinces can
// override, and modules ship their datasets as embedded files. (Skeleton: being built.)
package refdata

import (
	"context"
	"embed"
	"io/fs"

	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations creates the reference-data tables.
var Migrations = db.Migrations{Module: "refdata", FS: mustSub(migrationsFS, "migrations")}

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// Store is the reference-data kit instance.
type Store struct {
	DB    *db.DB
	Clock clock.Clock
	UI    *web.UI
}

// New makes the store.
func New(d *db.DB, clk clock.Clock, ui *web.UI) *Store { return &Store{DB: d, Clock: clk, UI: ui} }

// Seed loads every registered dataset (idempotent).
func (s *Store) Seed(ctx context.Context) error { return nil }

// Routes registers the viewer pages and API.
func (s *Store) Routes() {}
