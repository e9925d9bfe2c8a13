package space

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/db/dbtest"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/platform/settings"
	"github.com/govops/govops/internal/platform/web"
)

// The benchmark province of docs/benchmarks.md: 1,000,000 rooms and 300,000 people (LoadScale), built once per
// benchmark binary. GOVOPS_SPACE_BENCH_ROOMS and GOVOPS_SPACE_BENCH_PEOPLE change the size.
var (
	benchOnce    sync.Once
	benchSvc     *Service
	benchCleanup []func()
)

// TestMain removes the benchmark province (it outlives each benchmark function, so no testing.TB owns it).
func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range benchCleanup {
		f()
	}
	os.Exit(code)
}

// benchDB opens a migrated database that lives until the test binary ends: a SQLite file in the temp directory, or
// a schema of GOVOPS_TEST_POSTGRES.
func benchDB(b *testing.B) *db.DB {
	ctx := context.Background()
	sets := []db.Migrations{settings.Migrations, audit.Migrations, history.Migrations, refdata.Migrations, org.Migrations, Migrations}
	var d *db.DB
	var err error
	if pg := os.Getenv(dbtest.Env); pg != "" {
		admin, err := db.Open(ctx, pg, db.Options{MaxOpenConns: 2})
		if err != nil {
			b.Fatal(err)
		}
		schema := "bench_space_" + strconv.Itoa(os.Getpid())
		if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
			b.Fatal(err)
		}
		if d, err = db.Open(ctx, pg, db.Options{SearchPath: schema}); err != nil {
			b.Fatal(err)
		}
		benchCleanup = append(benchCleanup, func() {
			d.Close()
			_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			admin.Close()
		})
	} else {
		dir, err := os.MkdirTemp("", "govops-space-bench-")
		if err != nil {
			b.Fatal(err)
		}
		if d, err = db.Open(ctx, "sqlite:"+filepath.Join(dir, "bench.db"), db.Options{}); err != nil {
			b.Fatal(err)
		}
		benchCleanup = append(benchCleanup, func() { d.Close(); os.RemoveAll(dir) })
	}
	if _, err = db.Migrate(ctx, d, sets...); err != nil {
		b.Fatal(err)
	}
	return d
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func benchProvince(b *testing.B) *Service {
	benchOnce.Do(func() {
		s := New(module.Deps{DB: benchDB(b), Clock: clock.NewFixed(time.Date(2026, 11, 16, 2, 0, 0, 0, time.UTC)), Calendar: &calendar.Calendar{Days: calendar.MustEmbedded()}})
		seedStandards(b, s)
		start := time.Now()
		res, err := s.LoadScale(context.Background(), envInt("GOVOPS_SPACE_BENCH_ROOMS", 1_000_000), envInt("GOVOPS_SPACE_BENCH_PEOPLE", 300_000))
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %+v in %s", res, time.Since(start).Round(time.Second))
		benchSvc = s
	})
	if benchSvc == nil {
		b.Skip("the benchmark province could not be built")
	}
	return benchSvc
}

// BenchmarkScan is the full compliance scan over the whole register (rules, sync of space_violations, scan record).
func BenchmarkScan(b *testing.B) {
	s := benchProvince(b)
	ctx := context.Background()
	if _, err := s.Scan(ctx, "bench"); err != nil { // the first scan inserts every violation
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := s.Scan(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Rooms), "rooms")
		b.ReportMetric(float64(res.OpenViolations), "violations")
	}
}

// BenchmarkFirstScan is the scan that finds (and inserts) every violation of a register never scanned before.
func BenchmarkFirstScan(b *testing.B) {
	s := benchProvince(b)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if _, err := s.DB.Exec(ctx, "DELETE FROM space_violations"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.Scan(ctx, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnitViolations is the violations list of one unit (as GET /api/v1/space/violations?org_id= answers it):
// the live re-evaluation of the unit's rooms, then the page read.
func BenchmarkUnitViolations(b *testing.B) {
	s := benchProvince(b)
	ctx := context.Background()
	if _, err := s.Scan(ctx, "bench"); err != nil {
		b.Fatal(err)
	}
	var orgID int64
	if err := s.DB.QueryRow(ctx, "SELECT org_id FROM space_violations WHERE status = 'open' ORDER BY id DESC LIMIT 1").Scan(&orgID); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		items, _, err := s.UnitViolations(ctx, auth.Everything(), ViolationFilter{List: web.List{Page: 1, PageSize: 20}, OrgID: orgID})
		if err != nil {
			b.Fatal(err)
		}
		if len(items) == 0 {
			b.Fatal("no violation listed")
		}
	}
}
