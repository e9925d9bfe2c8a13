// Package space is 办公用房 management: the register of properties, buildings, floors, rooms and occupants, the 2014
// office area standards, compliance and rectification, allocation, repairs, utilisation and stocktake.
// (Skeleton: being built. The buildings table and BuildingInfo are stable for other modules.)
package space

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations creates the space tables (after org's).
var Migrations = db.Migrations{Module: "space", FS: mustSub(migrationsFS, "migrations")}

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// Service is the module instance.
type Service struct {
	DB    *db.DB
	Clock clock.Clock
	Log   *slog.Logger
	UI    *web.UI
	Auth  *auth.Service
}

// Routes registers the module's pages and API.
func (s *Service) Routes() {}

// Building is what other modules read of a building.
type Building struct {
	ID          int64
	OrgID       int64
	Name        string
	GrossAreaM2 float64
	BuiltYear   int
	Status      string
}

// BuildingInfo returns a building in the caller's scope (404 otherwise). Energy asks it for the area of a
// building its meters hang on; assets and services use it for locations.
func BuildingInfo(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Building, error) {
	cond, args := sc.OrgCond("b.org_id")
	var b Building
	err := q.QueryRow(ctx, "SELECT b.id, b.org_id, b.name, b.gross_area_m2, b.built_year, b.status FROM buildings b WHERE b.id = ? AND "+cond,
		append([]any{id}, args...)...).Scan(&b.ID, &b.OrgID, &b.Name, &b.GrossAreaM2, &b.BuiltYear, &b.Status)
	if db.IsNoRows(err) {
		return Building{}, errs.NotFound("楼栋")
	}
	return b, err
}
