package quota_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/energy/quota"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
)

// env is the whole program with the quota module: apptest's program, plus the module when internal/app does not
// wire it yet (registered here as app.go will: migrations after energy's, New with the program's kits, seeding,
// routes, demo).
type env struct {
	*apptest.Env
	svc *quota.Service
	ctx context.Context
}

func newEnv(t testing.TB, demo bool) *env {
	t.Helper()
	e := apptest.New(t, apptest.Options{Demo: demo})
	a := e.App
	ctx := audit.WithActor(context.Background(), audit.Actor{Username: "test"})
	var svc *quota.Service
	if f := reflect.ValueOf(a).Elem().FieldByName("Quota"); f.IsValid() && !f.IsNil() {
		svc = f.Interface().(*quota.Service)
	} else {
		if _, err := db.Migrate(ctx, a.DB, quota.Migrations); err != nil {
			t.Fatalf("migrate quota: %v", err)
		}
		svc = quota.New(quota.Deps{DB: a.DB, Clock: a.Clock, Log: a.Log, UI: a.UI, Auth: a.Auth, Refdata: a.Refdata, Workflow: a.Workflow,
			Jobs: a.Jobs, Notify: a.Notify, Calendar: a.Calendar, Energy: a.Energy})
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
		if demo {
			if err := svc.LoadDemo(ctx); err != nil {
				t.Fatalf("quota demo: %v", err)
			}
		}
	}
	return &env{Env: e, svc: svc, ctx: ctx}
}

func (e *env) orgID(t testing.TB, name string) int64 {
	t.Helper()
	var id int64
	if err := e.App.DB.QueryRow(context.Background(), "SELECT id FROM orgs WHERE name = ?", name).Scan(&id); err != nil {
		t.Fatalf("unit %s: %v", name, err)
	}
	return id
}
