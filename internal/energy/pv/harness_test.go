package pv_test

import (
	"context"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/energy/pv"
	"github.com/govops/govops/internal/platform/audit"
)

// env is the whole program (apptest) with the pv module's service at hand and a context for direct calls.
type env struct {
	*apptest.Env
	svc *pv.Service
	ctx context.Context
}

func newEnv(t testing.TB, demo bool) *env {
	t.Helper()
	e := apptest.New(t, apptest.Options{Demo: demo})
	return &env{Env: e, svc: apptest.Module[*pv.Service](e), ctx: audit.WithActor(context.Background(), audit.Actor{Username: "test"})}
}

func (e *env) count(t testing.TB, query string, args ...any) int64 {
	t.Helper()
	return e.Count(t, query, args...)
}
