package energy_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
)

// env is a running program with the energy module: apptest's whole program, plus the module when internal/app
// does not wire it yet (it then registers it here exactly as app.go will: migrations after space, New with the
// program's kit, seeding, routes).
type env struct {
	*apptest.Env
	svc *energy.Service
	ctx context.Context
}

func newEnv(t testing.TB, demo bool) *env {
	t.Helper()
	e := apptest.New(t, apptest.Options{Demo: demo})
	a := e.App
	ctx := audit.WithActor(context.Background(), audit.Actor{Username: "test"})
	var svc *energy.Service
	if f := reflect.ValueOf(a).Elem().FieldByName("Energy"); f.IsValid() && !f.IsNil() {
		svc = f.Interface().(*energy.Service)
	} else {
		if _, err := db.Migrate(ctx, a.DB, energy.Migrations); err != nil {
			t.Fatalf("migrate energy: %v", err)
		}
		svc = energy.New(energy.Deps{DB: a.DB, Clock: a.Clock, Log: a.Log, UI: a.UI, Auth: a.Auth, Refdata: a.Refdata, Jobs: a.Jobs})
		if err := a.Refdata.Seed(ctx); err != nil {
			t.Fatalf("seed refdata: %v", err)
		}
		if _, _, err := a.Auth.Seed(ctx, ""); err != nil {
			t.Fatalf("seed roles: %v", err)
		}
		svc.Routes()
		if err := a.UI.Build(); err != nil {
			t.Fatalf("build templates: %v", err)
		}
		t.Cleanup(func() { svc.Stop(context.Background()) })
	}
	if demo {
		if err := svc.LoadDemo(ctx); err != nil {
			t.Fatalf("energy demo: %v", err)
		}
	}
	return &env{Env: e, svc: svc, ctx: ctx}
}

// orgID finds a unit by name.
func (e *env) orgID(t testing.TB, name string) int64 {
	t.Helper()
	var id int64
	if err := e.App.DB.QueryRow(context.Background(), "SELECT id FROM orgs WHERE name = ?", name).Scan(&id); err != nil {
		t.Fatalf("unit %s: %v", name, err)
	}
	return id
}

func (e *env) count(t testing.TB, query string, args ...any) int64 {
	t.Helper()
	n, err := db.Count(context.Background(), e.App.DB, query, args...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
