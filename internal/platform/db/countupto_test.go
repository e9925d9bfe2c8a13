package db_test

import (
	"context"
	"testing"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/db/dbtest"
)

// TestCountUpTo: a capped count is exact up to the limit and says "more" beyond it, and leaves the caller's
// arguments alone.
func TestCountUpTo(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Empty(t)
	if _, err := d.Exec(ctx, "CREATE TABLE nums (n BIGINT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 12; i++ {
		if _, err := d.Exec(ctx, "INSERT INTO nums (n) VALUES (?)", i); err != nil {
			t.Fatal(err)
		}
	}
	args := make([]any, 1, 4)
	args[0] = 2
	for _, c := range []struct {
		limit  int64
		n      int64
		capped bool
	}{{20, 11, false}, {11, 11, false}, {10, 10, true}, {1, 1, true}} {
		n, capped, err := db.CountUpTo(ctx, d, c.limit, "FROM nums WHERE n >= ?", args...)
		if err != nil || n != c.n || capped != c.capped {
			t.Errorf("limit %d: %d, %v, %v; want %d, %v", c.limit, n, capped, err, c.n, c.capped)
		}
	}
	if len(args) != 1 || args[:2][1] != nil {
		t.Errorf("the caller's arguments changed: %v", args[:2])
	}
}
