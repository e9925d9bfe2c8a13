package report_test

import (
	"context"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/energy/report"
	"github.com/govops/govops/internal/platform/audit"
)

// env is the whole program (apptest) with the report module's service at hand and a context for direct calls.
type env struct {
	*apptest.Env
	svc *report.Service
	ctx context.Context
}

func newEnv(t testing.TB, demo bool) *env {
	t.Helper()
	e := apptest.New(t, apptest.Options{Demo: demo})
	return &env{Env: e, svc: apptest.Module[*report.Service](e), ctx: audit.WithActor(context.Background(), audit.Actor{Username: "test"})}
}

func (e *env) orgID(t testing.TB, name string) int64 { t.Helper(); return e.OrgID(t, name) }

func (e *env) count(t testing.TB, query string, args ...any) int64 {
	t.Helper()
	return e.Count(t, query, args...)
}
