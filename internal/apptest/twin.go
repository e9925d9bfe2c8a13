package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/govops/govops/internal/app"
	"github.com/govops/govops/internal/platform/config"
)

// TwinOptions tune Twin.
type TwinOptions struct {
	// Name tags the instance's log lines ("A", "B").
	Name string
	// Configure changes the instance's copy of e's configuration (the database stays e's).
	Configure func(*config.Config)
	// Log receives the instance's log (text, debug level), e.g. to check that it logged no error.
	Log io.Writer
}

// Twin starts a second instance of the program on e's database, as a second replica behind a load balancer would
// run: same configuration, same data directory (replicas share it, see README §多实例部署), the same fixed clock
// (replicas' clocks are synchronised), but its own process state — its own connection pool, job runner, caches,
// writer and subscribers. Background work is not started; call App.Start on either instance for that.
//
// Several instances on one SQLite file work (SQLite serialises writers across processes) but are not the supported
// way to scale out; the replica tests that need true concurrency run on PostgreSQL.
func (e *Env) Twin(tb testing.TB, opt ...TwinOptions) *Env {
	tb.Helper()
	var o TwinOptions
	if len(opt) > 0 {
		o = opt[0]
	}
	c := e.App.Cfg
	if o.Configure != nil {
		o.Configure(&c)
		c.DB = e.App.Cfg.DB
	}
	logw := o.Log
	if logw == nil {
		logw = io.Discard
	}
	if os.Getenv("GOVOPS_TEST_LOG") != "" {
		logw = io.MultiWriter(os.Stderr, logw)
	}
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if o.Name != "" {
		log = log.With("instance", o.Name)
	}
	a, err := app.Open(context.Background(), c, log, e.Clock)
	if err != nil {
		tb.Fatalf("app.Open (twin): %v", err)
	}
	srv := httptest.NewServer(a.Handler())
	tb.Cleanup(func() {
		srv.Close()
		a.Stop(context.Background())
		a.Close()
	})
	return &Env{T: tb, App: a, Server: srv, Clock: e.Clock}
}

// On returns a client that talks to another instance with the same credentials (cookies, bearer token, CSRF
// token), as a load balancer would send a user's next request to another replica.
func (c *Client) On(e *Env) *Client {
	cp := *c
	cp.env = e
	return &cp
}
