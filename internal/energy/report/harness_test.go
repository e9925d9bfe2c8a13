package report_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/energy/report"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
)

// env is a running program with the report module: apptest's whole program (energy wired, its demo loaded), plus
// this module when internal/app does not wire it yet (registered here exactly as app.go will).
type env struct {
	*apptest.Env
	svc *report.Service
	ctx context.Context
}

func newEnv(t testing.TB, demo bool) *env {
	t.Helper()
	e := apptest.New(t, apptest.Options{Demo: demo})
	a := e.App
	ctx := audit.WithActor(context.Background(), audit.Actor{Username: "test"})
	var svc *report.Service
	if f := reflect.ValueOf(a).Elem().FieldByName("Report"); f.IsValid() && !f.IsNil() {
		svc = f.Interface().(*report.Service)
	} else {
		if _, err := db.Migrate(ctx, a.DB, report.Migrations); err != nil {
			t.Fatalf("migrate report: %v", err)
		}
		svc = report.New(report.Deps{DB: a.DB, Clock: a.Clock, Log: a.Log, UI: a.UI, Auth: a.Auth, Refdata: a.Refdata, Workflow: a.Workflow,
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
	}
	if demo {
		if err := svc.LoadDemo(ctx); err != nil {
			t.Fatalf("report demo: %v", err)
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
