// Package dbtest gives each test a fresh, migrated database: a SQLite file in the test's temp dir, or — when
// GOVOPS_TEST_POSTGRES holds a PostgreSQL URL — a database of its own (a schema of its own for Empty and DSN) on
// that server, dropped afterwards. Migrated databases and whatever else a test binary needs often (the whole
// program's first start, the demo province) are built once per binary as templates and copied per test (Clone).
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/govops/govops/internal/platform/db"
)

// Env names the variable that switches the suite to PostgreSQL.
const Env = "GOVOPS_TEST_POSTGRES"

// New returns a fresh database with the given migrations applied. It fails the test on any error. The migrations
// run once per test binary and list of sets (see Clone); each test gets a copy.
func New(tb testing.TB, sets ...db.Migrations) *db.DB {
	tb.Helper()
	dsn := Clone(tb, MigrationsKey(sets...), func(ctx context.Context, dsn string) error {
		d, err := db.Open(ctx, dsn, db.Options{})
		if err != nil {
			return err
		}
		defer d.Close()
		if _, err := db.Migrate(ctx, d, sets...); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	})
	d, err := db.Open(context.Background(), dsn, db.Options{})
	if err != nil {
		tb.Fatalf("open the test database: %v", err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}

// Empty returns a fresh database with nothing applied, and its DSN-equivalent is not shared with other tests.
func Empty(tb testing.TB) *db.DB {
	tb.Helper()
	d, _ := open(tb)
	return d
}

// DSN returns a connection string for a fresh empty database (for tests that start the whole server), with the
// same isolation as New.
func DSN(tb testing.TB) string {
	tb.Helper()
	_, dsn := open(tb)
	return dsn
}

func open(tb testing.TB) (*db.DB, string) {
	tb.Helper()
	ctx := context.Background()
	pg := os.Getenv(Env)
	if pg == "" {
		path := testFile(tb)
		d, err := db.Open(ctx, "sqlite:"+path, db.Options{})
		if err != nil {
			tb.Fatalf("open sqlite: %v", err)
		}
		tb.Cleanup(func() { d.Close() })
		return d, "sqlite:" + path
	}
	u, err := url.Parse(pg)
	if err != nil {
		tb.Fatalf("parse %s: %v", Env, err)
	}
	admin, err := db.Open(ctx, pg, db.Options{MaxOpenConns: 2})
	if err != nil {
		tb.Fatalf("open %s: %v", Env, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	qv := u.Query()
	qv.Set("search_path", schema)
	noSync(qv)
	u.RawQuery = qv.Encode()
	d, err := db.Open(ctx, u.String(), db.Options{MaxOpenConns: 8})
	if err != nil {
		admin.Close()
		tb.Fatalf("open schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		d.Close()
		_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	return d, u.String()
}
