package space

import (
	"context"
	"testing"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/db/dbtest"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/platform/settings"
)

// newStore gives a fresh database with the tables the module's store needs and a service over it (no web kit),
// with the clock at the demo's fixed date (2026-11-16 10:00 Beijing).
func newStore(tb testing.TB) *Service {
	tb.Helper()
	d := dbtest.New(tb, settings.Migrations, audit.Migrations, history.Migrations, refdata.Migrations, org.Migrations, Migrations)
	return New(module.Deps{DB: d, Clock: clock.NewFixed(time.Date(2026, 11, 16, 2, 0, 0, 0, time.UTC)), Calendar: &calendar.Calendar{Days: calendar.MustEmbedded()}})
}

// seedStandards loads the module's datasets the way the wiring does.
func seedStandards(tb testing.TB, s *Service) {
	tb.Helper()
	st := refdata.New(s.DB, s.Clock, nil)
	for _, ds := range Datasets() {
		st.Register(ds)
	}
	if err := st.Seed(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

func count(tb testing.TB, q db.Q, query string, args ...any) int64 {
	tb.Helper()
	n, err := db.Count(context.Background(), q, query, args...)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestScaleAndScan(t *testing.T) {
	s := newStore(t)
	seedStandards(t, s)
	ctx := context.Background()
	res, err := s.LoadScale(ctx, 20000, 6000)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rooms != 20000 || res.People != 6000 {
		t.Fatalf("LoadScale made %+v", res)
	}
	if n := count(t, s.DB, "SELECT COUNT(*) FROM space_rooms"); n != 20000 {
		t.Fatalf("rooms in the database: %d", n)
	}
	first, err := s.Scan(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first scan: %+v", first)
	if first.OpenViolations == 0 || first.Opened != first.OpenViolations {
		t.Errorf("the generated province should have violations, all new: %+v", first)
	}
	for _, k := range []string{KindOverArea, KindMultipleOffices, KindStaleOccupant, KindUseChanged} {
		if count(t, s.DB, "SELECT COUNT(*) FROM space_violations WHERE kind = ? AND status = 'open'", k) == 0 {
			t.Errorf("no %s violation in the generated province", k)
		}
	}
	again, err := s.Scan(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	if again.Opened != 0 || again.Resolved != 0 || again.Changed != 0 || again.OpenViolations != first.OpenViolations {
		t.Errorf("a second scan over the same register changed something: %+v", again)
	}
}
