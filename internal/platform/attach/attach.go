// Package attach stores attachments (local directory by default) with size and type limits, and serves each only
// to users who may see the record that owns it. (Skeleton: being built.)
package attach

import (
	"embed"
	"io/fs"

	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations creates the attachment table.
var Migrations = db.Migrations{Module: "attach", FS: mustSub(migrationsFS, "migrations")}

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// Store is the attachment kit instance.
type Store struct {
	DB    *db.DB
	Clock clock.Clock
	UI    *web.UI
	Dir   string
}

// New makes the store under dir.
func New(d *db.DB, clk clock.Clock, ui *web.UI, dir string) *Store {
	return &Store{DB: d, Clock: clk, UI: ui, Dir: dir}
}

// Routes registers the download and upload API.
func (s *Store) Routes() {}
