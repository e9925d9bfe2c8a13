package assets_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/assets"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

// Benchmarks of docs/benchmarks.md §Assets: the demo province plus GOVOPS_BENCH_ASSETS cards (default 100,000) spread
// over its units and classes, numbered per unit the way registration numbers them (ZC<unit>-<n>), written with
// multi-row inserts; a filtered ledger page (a city's subtree, one class, in use, a page of 20, with its total), a
// small unit's page, and the depreciation report of every card as of a date.
func BenchmarkAssets(b *testing.B) {
	env, n := benchEnv(b)
	ctx := context.Background()
	city := apptestOrg(b, env, "青山市机关事务管理局")
	sc := auth.Everything()
	b.Run("ledger_page", func(b *testing.B) {
		f := assets.Filter{List: web.List{Page: 3, PageSize: 20}, OrgID: city, Class: "A02010000", Status: "in_use"}
		for b.Loop() {
			rows, total, err := assets.ListAssets(ctx, env.App.DB, sc, f)
			if err != nil || len(rows) == 0 || total == 0 {
				b.Fatal(err, len(rows), total)
			}
		}
	})
	b.Run("ledger_page_unit", func(b *testing.B) {
		var unit int64
		if err := env.App.DB.QueryRow(ctx, "SELECT org_id FROM assets GROUP BY org_id ORDER BY COUNT(*), org_id LIMIT 1").Scan(&unit); err != nil {
			b.Fatal(err)
		}
		f := assets.Filter{List: web.List{Page: 1, PageSize: 20}, OrgID: unit, Class: "A05000000"}
		for b.Loop() {
			if _, _, err := assets.ListAssets(ctx, env.App.DB, sc, f); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ledger_first_page", func(b *testing.B) {
		f := assets.Filter{List: web.List{Page: 1, PageSize: 20}}
		for b.Loop() {
			rows, total, err := assets.ListAssets(ctx, env.App.DB, sc, f)
			if err != nil || len(rows) == 0 || total < int64(n) {
				b.Fatal(err, len(rows), total)
			}
		}
	})
	b.Run("depreciation_all", func(b *testing.B) {
		for b.Loop() {
			rep, err := assets.DepreciationReport(ctx, env.App.DB, sc, 0, "2026-10-31")
			if err != nil || rep.Total.Count < int64(n) {
				b.Fatal(err, rep.Total.Count)
			}
		}
	})
}

// benchEnv starts the demo province and adds GOVOPS_BENCH_ASSETS cards (default 100,000): round-robin over the
// units, seven classes, acquired 2008–2025, a quarter idle, numbered per unit with the unit's counter moved on.
func benchEnv(b *testing.B) (*apptest.Env, int) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("GOVOPS_BENCH_ASSETS")); err == nil && v > 0 {
		n = v
	}
	env := apptest.New(b, apptest.Options{Demo: true})
	ctx := context.Background()
	orgs, err := db.Int64s(ctx, env.App.DB, "SELECT id FROM orgs ORDER BY id")
	if err != nil || len(orgs) == 0 {
		b.Fatal(err)
	}
	next := map[int64]int64{}
	for _, o := range orgs {
		var last int64
		if err := env.App.DB.QueryRow(ctx, "SELECT COALESCE(MAX(next_no), 0) FROM asset_counters WHERE org_id = ?", o).Scan(&last); err != nil {
			b.Fatal(err)
		}
		next[o] = last
	}
	classes := []struct {
		code string
		life int
	}{{"A02010105", 72}, {"A02010108", 72}, {"A02021000", 72}, {"A05010201", 180}, {"A05010301", 180}, {"A05010502", 180}, {"A02030500", 96}}
	now := env.Clock.Now().Unix()
	const batch = 500
	for start := 0; start < n; start += batch {
		err := env.App.DB.Tx(ctx, func(q db.Q) error {
			var sb strings.Builder
			var args []any
			sb.WriteString(`INSERT INTO assets (org_id, code, name, class_code, acquisition, acquired_on, value_fen, life_months, status, created_at, updated_at) VALUES `)
			for i := start; i < min(start+batch, n); i++ {
				if i > start {
					sb.WriteString(", ")
				}
				c := classes[i%len(classes)]
				o := orgs[i%len(orgs)]
				next[o]++
				sb.WriteString("(?, ?, ?, ?, 'purchase', ?, ?, ?, ?, ?, ?)")
				args = append(args, o, assets.AssetCode(o, next[o]), "基准测试资产", c.code,
					fmt.Sprintf("%04d-%02d-%02d", 2008+i%18, 1+i%12, 1+i%28), int64(100000+i%997*1000), c.life, []string{"in_use", "in_use", "in_use", "idle"}[i%4], now, now)
			}
			_, err := q.Exec(ctx, sb.String(), args...)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for o, v := range next {
		if _, err := env.App.DB.Exec(ctx, `INSERT INTO asset_counters (org_id, next_no) VALUES (?, ?) ON CONFLICT (org_id) DO UPDATE SET next_no = ?`, o, v, v); err != nil {
			b.Fatal(err)
		}
	}
	return env, n
}

func apptestOrg(b *testing.B, env *apptest.Env, name string) int64 {
	var id int64
	if err := env.App.DB.QueryRow(context.Background(), "SELECT id FROM orgs WHERE name = ?", name).Scan(&id); err != nil {
		b.Fatal(err)
	}
	return id
}
