package energy_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
)

// bulkMeters registers n cumulative electricity meters on a new unit and returns their ids.
func bulkMeters(b *testing.B, e *env, n int) []int64 {
	b.Helper()
	ctx := context.Background()
	unit := mkOrgTB(b, e, "压测计量单位")
	err := e.App.DB.Tx(ctx, func(q db.Q) error {
		for start := 0; start < n; start += 500 {
			var sb strings.Builder
			var args []any
			for i := start; i < min(start+500, n); i++ {
				if i > start {
					sb.WriteByte(',')
				}
				sb.WriteString("(?, ?, 'electricity', '', 1, TRUE, 900, '', 'active', '', 0, 0)")
				args = append(args, unit, fmt.Sprintf("压测表 %d", i))
			}
			if _, err := q.Exec(ctx, `INSERT INTO energy_meters (org_id, name, energy_type, sub_item, multiplier, cumulative, interval_s, value_key, status, note,
				created_at, updated_at) VALUES `+sb.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	ids, err := db.Int64s(ctx, e.App.DB, "SELECT id FROM energy_meters WHERE org_id = ? ORDER BY id", unit)
	if err != nil {
		b.Fatal(err)
	}
	return ids
}

func mkOrgTB(tb testing.TB, e *env, name string) int64 {
	var id int64
	c := e.Admin()
	if st := c.JSON("POST", "/api/v1/orgs", map[string]any{"name": name, "kind": "organ", "admin_level": "county", "category": "organ",
		"headcount": 50, "floor_area_m2": 2000}, &struct {
		ID *int64 `json:"id"`
	}{&id}); st != 201 {
		tb.Fatalf("create unit: %d", st)
	}
	return id
}

// readingsBody renders a POST /api/v1/energy/readings body: every meter at perMeter consecutive 15-minute
// instants from start.
func readingsBody(meters []int64, start time.Time, perMeter int, base float64) []byte {
	var buf bytes.Buffer
	buf.Grow(len(meters) * perMeter * 64)
	buf.WriteByte('[')
	first := true
	for k := 0; k < perMeter; k++ {
		ts := start.Add(time.Duration(k) * 15 * time.Minute).Format(time.RFC3339)
		for _, m := range meters {
			if !first {
				buf.WriteByte(',')
			}
			first = false
			buf.WriteString(`{"meter_id":`)
			buf.WriteString(strconv.FormatInt(m, 10))
			buf.WriteString(`,"ts":"`)
			buf.WriteString(ts)
			buf.WriteString(`","value":`)
			buf.WriteString(strconv.FormatFloat(base+float64(k)*1.25, 'f', 2, 64))
			buf.WriteByte('}')
		}
	}
	buf.WriteByte(']')
	return buf.Bytes()
}

// BenchmarkReadingsHTTP posts bulk readings over real HTTP (the test server's TCP socket) from 4 concurrent
// clients, 10,000 readings a request (1,000 meters × 10 instants), each answered only once durable. Metric:
// readings/s.
func BenchmarkReadingsHTTP(b *testing.B) {
	e := newEnv(b, false)
	meters := bulkMeters(b, e, 1000)
	token := e.Admin().Token
	const perMeter, clients = 10, 4
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, energy.Shanghai)
	// Bodies prepared up front: the benchmark measures the server, not the client's JSON encoding.
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = readingsBody(meters, start.Add(time.Duration(i*perMeter)*15*time.Minute), perMeter, float64(i*perMeter)*1.25)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	var next atomic.Int64
	var failed atomic.Int64
	b.ResetTimer()
	t0 := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				req, _ := http.NewRequest("POST", e.Server.URL+"/api/v1/energy/readings", bytes.NewReader(bodies[i]))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil || resp.StatusCode != 200 {
					failed.Add(1)
				}
				if resp != nil {
					resp.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(t0)
	b.StopTimer()
	if failed.Load() > 0 {
		b.Fatalf("%d requests failed", failed.Load())
	}
	n := e.count(b, "SELECT COUNT(*) FROM energy_readings")
	if n != int64(b.N*len(meters)*perMeter) {
		b.Fatalf("stored %d readings, want %d", n, b.N*len(meters)*perMeter)
	}
	b.ReportMetric(float64(n)/el.Seconds(), "readings/s")
}

// BenchmarkRollup measures the roll-up worker on 1,000 meters: a day of 15-minute readings per meter queued at
// once (a collector catching up), and an hour (4 readings, the steady state of a live feed), rolled up to hours,
// days, months and unit figures. Metric: readings/s.
func BenchmarkRollup(b *testing.B) {
	for _, c := range []struct {
		name     string
		perMeter int
	}{{"day-per-meter", 96}, {"hour-per-meter", 4}} {
		b.Run(c.name, func(b *testing.B) {
			e := newEnv(b, false)
			meters := bulkMeters(b, e, 1000)
			ctx := e.ctx
			start := time.Date(2025, 3, 1, 0, 0, 0, 0, energy.Shanghai)
			step := time.Duration(c.perMeter) * 15 * time.Minute
			var total time.Duration
			for i := 0; i < b.N; i++ {
				rs, err := energy.DecodeReadings(readingsBody(meters, start.Add(time.Duration(i)*step), c.perMeter, float64(i*c.perMeter)*1.25))
				if err != nil {
					b.Fatal(err)
				}
				e.svc.RollupWait = 0
				if _, err := e.svc.IngestReadings(ctx, auth.Everything(), rs, "api"); err != nil {
					b.Fatal(err)
				}
				e.svc.RollupWait = 10 * time.Minute
				t0 := time.Now()
				e.svc.WaitRollups(ctx)
				total += time.Since(t0)
			}
			if n := e.count(b, "SELECT COUNT(*) FROM energy_rollup_queue"); n != 0 {
				b.Fatalf("%d meters left in the queue", n)
			}
			b.ReportMetric(float64(b.N*len(meters)*c.perMeter)/total.Seconds(), "readings/s")
			b.ReportMetric(float64(b.N*len(meters))/total.Seconds(), "meters/s")
		})
	}
}

// provinceOnce builds the benchmark province once per binary: 20,000 units under one root, each with 8 types ×
// 12 months of 2025 (and of 2024 and 2020 for the comparisons).
var (
	provinceOnce sync.Once
	provinceEnv  *env
)

func province(b *testing.B) *env {
	provinceOnce.Do(func() {
		e := newEnv(b, false)
		ctx := context.Background()
		root := mkOrgTB(b, e, "压测省")
		var rootPath string
		if err := e.App.DB.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", root).Scan(&rootPath); err != nil {
			b.Fatal(err)
		}
		now := time.Now().Unix()
		cats := []string{"organ", "organ", "organ", "school", "hospital", "organ", "higher_education", "venue", "organ", "other"}
		types := []string{"electricity", "water", "natural_gas", "coal", "gasoline", "diesel", "lpg", "heat"}
		err := e.App.DB.Tx(ctx, func(q db.Q) error {
			var maxID int64
			if err := q.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM orgs").Scan(&maxID); err != nil {
				return err
			}
			const units = 20000
			for start := 0; start < units; start += 500 {
				var sb strings.Builder
				var args []any
				for i := start; i < min(start+500, units); i++ {
					id := maxID + 1 + int64(i)
					if i > start {
						sb.WriteByte(',')
					}
					sb.WriteString("(?, ?, ?, 1, ?, 'organ', 'county', ?, ?, ?, 'active', ?, ?)")
					args = append(args, id, root, rootPath+strconv.FormatInt(id, 10)+"/", fmt.Sprintf("压测单位 %05d", i), cats[i%len(cats)],
						30+i%70, float64(1000+i%4000), now, now)
				}
				if _, err := q.Exec(ctx, `INSERT INTO orgs (id, parent_id, path, depth, name, kind, admin_level, category, headcount, floor_area_m2, status,
					created_at, updated_at) VALUES `+sb.String(), args...); err != nil {
					return err
				}
			}
			if err := db.SyncIdentity(ctx, q, "orgs"); err != nil {
				return err
			}
			for _, y := range []int{2020, 2024, 2025} {
				for start := 0; start < units; start += 200 {
					var sb strings.Builder
					var args []any
					for i := start; i < min(start+200, units); i++ {
						for ti, t := range types {
							if sb.Len() > 0 {
								sb.WriteByte(',')
							}
							sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 4095, 4095)")
							v := float64(100 + (i*7+ti*13)%900)
							args = append(args, maxID+1+int64(i), y, t)
							for m := 0; m < 12; m++ {
								args = append(args, v)
							}
							args = append(args, v*12)
						}
					}
					if _, err := q.Exec(ctx, `INSERT INTO energy_usage (org_id, year, energy_type, m01, m02, m03, m04, m05, m06, m07, m08, m09, m10, m11, m12,
						total, data_mask, entry_mask) VALUES `+sb.String(), args...); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		// The figures were written past writeUsage: the kept sums are rebuilt, as at the first start after an upgrade.
		t0 := time.Now()
		if err := energy.RebuildSums(ctx, e.App.DB); err != nil {
			b.Fatal(err)
		}
		b.Logf("sums rebuilt in %v", time.Since(t0))
		if _, err := e.App.DB.Exec(ctx, "ANALYZE"); err != nil {
			b.Logf("analyze: %v", err)
		}
		provinceEnv = e
	})
	if provinceEnv == nil {
		b.Skip("province setup failed")
	}
	return provinceEnv
}

// BenchmarkProvinceIndicators is the roll-up: the annual indicators of a province of 20,000 units × 12
// months × 8 types (the whole scope, and a subtree by path), and the progress view (3 years) and category ranking.
func BenchmarkProvinceIndicators(b *testing.B) {
	e := province(b)
	ctx := context.Background()
	var root int64
	_ = e.App.DB.QueryRow(ctx, "SELECT id FROM orgs WHERE name = '压测省'").Scan(&root)
	sc := auth.Everything()
	b.Run("annual-all", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			in, err := energy.Compute(ctx, e.App.DB, sc, energy.Selection{}, energy.Span{Year: 2025}, nil)
			if err != nil || in.ReportingUnits != 20000 {
				b.Fatalf("%+v %v", in.ReportingUnits, err)
			}
		}
	})
	b.Run("annual-subtree", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := energy.Compute(ctx, e.App.DB, sc, energy.Selection{OrgID: root, Subtree: true}, energy.Span{Year: 2025}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("quarter-subtree", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := energy.Compute(ctx, e.App.DB, sc, energy.Selection{OrgID: root, Subtree: true}, energy.Span{Year: 2025, Quarter: 3}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("progress-3-years", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := energy.ComputeProgress(ctx, e.App.DB, sc, energy.Selection{OrgID: root, Subtree: true}, energy.Span{Year: 2025}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ranking-organ", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			items, err := energy.Rankings(ctx, e.App.DB, sc, energy.Selection{Category: "organ"}, energy.Span{Year: 2025}, energy.IndPerAreaKgce)
			if err != nil || len(items) < 10000 {
				b.Fatalf("%d %v", len(items), err)
			}
		}
	})
	// The province dashboard: progress (3 years), trends (2 years) and a category ranking, read side by side; cold
	// (the figures changed before every view) and warm (the cached aggregates of an unchanged database).
	br := e.Browser("admin", apptest.AdminPassword)
	stale := func(b *testing.B, years ...int) {
		b.Helper()
		for _, y := range years {
			if _, err := e.App.DB.Exec(ctx, `INSERT INTO energy_usage_versions (year, version) VALUES (?, 1)
				ON CONFLICT (year) DO UPDATE SET version = energy_usage_versions.version + 1`, y); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("dashboard-page-cold", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			stale(b, 2020, 2024, 2025)
			if r := br.Get("/energy/overview?year=2025"); r.StatusCode != 200 {
				b.Fatal(r.StatusCode)
			}
		}
	})
	// The usual case: this year's figures changed (readings, a month's entries), last year's and 2020's did not.
	b.Run("dashboard-page-year-changed", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			stale(b, 2025)
			if r := br.Get("/energy/overview?year=2025"); r.StatusCode != 200 {
				b.Fatal(r.StatusCode)
			}
		}
	})
	b.Run("dashboard-page-warm", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if r := br.Get("/energy/overview?year=2025"); r.StatusCode != 200 {
				b.Fatal(r.StatusCode)
			}
		}
	})
	b.Run("http-indicators-cold", func(b *testing.B) {
		c := e.Admin()
		url := fmt.Sprintf("/api/v1/energy/indicators?org_id=%d&subtree=true&year=2025", root)
		for i := 0; i < b.N; i++ {
			stale(b, 2025)
			if r := c.Get(url); r.StatusCode != 200 {
				b.Fatal(r.StatusCode)
			}
		}
	})
}

// BenchmarkMeterYearChart is the chart: a year of 15-minute readings (35,040) of one meter, rolled up,
// then charted (hourly roll-ups downsampled with LTTB), through the store function and the API.
func BenchmarkMeterYearChart(b *testing.B) {
	e := newEnv(b, false)
	c := e.Admin()
	unit := mkOrgTB(b, e, "曲线测试单位")
	meter := mkMeter(b, c, map[string]any{"org_id": unit, "energy_type": "electricity", "name": "一年曲线表"})
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, energy.Shanghai)
	var rs []energy.Reading
	v := 0.0
	for i := 0; i < 35040; i++ {
		ts := start.Add(time.Duration(i+1) * 15 * time.Minute)
		h := ts.Hour()
		v += 2 + float64(h%12)
		rs = append(rs, energy.Reading{MeterID: meter, TS: ts.Unix(), Value: v})
	}
	if _, err := e.svc.IngestReadings(e.ctx, auth.Everything(), rs, "api"); err != nil {
		b.Fatal(err)
	}
	e.svc.RollupWait = 10 * time.Minute
	e.svc.WaitRollups(e.ctx)
	from, to := start.Unix(), start.AddDate(1, 0, 0).Unix()
	b.Run("store", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sr, err := energy.MeterSeries(e.ctx, e.App.DB, auth.Everything(), meter, from, to, energy.MaxChartPoints)
			if err != nil || sr.Source < 8700 || len(sr.Points) != energy.MaxChartPoints {
				b.Fatalf("%d source, %d points, %v", sr.Source, len(sr.Points), err)
			}
		}
	})
	b.Run("http", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if r := c.Get(fmt.Sprintf("/api/v1/energy/meters/%d/series?from=2025-01-01&to=2025-12-31", meter)); r.StatusCode != 200 {
				b.Fatal(r.StatusCode)
			}
		}
	})
	b.Run("page", func(b *testing.B) {
		br := e.Browser("admin", apptest.AdminPassword)
		for i := 0; i < b.N; i++ {
			if r := br.Get(fmt.Sprintf("/energy/meters/%d?from=2025-01-01&to=2025-12-31", meter)); r.StatusCode != 200 {
				b.Fatal(r.StatusCode)
			}
		}
	})
}
