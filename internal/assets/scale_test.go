package assets_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/assets"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

// TestLedgerAtScale checks the set-based paths of docs/benchmarks.md §Assets against the card-by-card ones on the
// demo province: the depreciation report equals Compute summed per card to the fen, the ledger's totals kept by the
// triggers equal a count of the cards after registrations, status changes and a transfer, and a page comes back in
// the order of its sort.
func TestLedgerAtScale(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	ctx := context.Background()
	q := env.App.DB
	sc := auth.Everything()
	for _, asOf := range []string{"2026-10-31", "2024-01-01", "2019-06-15"} {
		rep, err := assets.DepreciationReport(ctx, q, sc, 0, asOf)
		if err != nil {
			t.Fatal(err)
		}
		type card struct {
			value     int64
			life      int
			acq, disp string
		}
		cards, err := db.Select(ctx, q, func(s db.Scanner) (card, error) {
			var c card
			err := s.Scan(&c.value, &c.life, &c.acq, &c.disp)
			return c, err
		}, "SELECT value_fen, life_months, acquired_on, disposed_on FROM assets WHERE acquired_on <= ? AND (disposed_on = '' OR disposed_on >= ?)", asOf, asOf)
		if err != nil {
			t.Fatal(err)
		}
		var value, acc, month, fully int64
		prev := prevMonthEnd(t, asOf)
		for _, c := range cards {
			now := assets.Compute(c.value, c.life, c.acq, asOf)
			value += c.value
			acc += now.AccumulatedFen
			month += now.AccumulatedFen - assets.Compute(c.value, c.life, c.acq, prev).AccumulatedFen
			if now.Months == now.LifeMonths {
				fully++
			}
		}
		tot := rep.Total
		if tot.Count != int64(len(cards)) || assetsFen(tot.ValueYuan) != value || assetsFen(tot.AccumulatedYuan) != acc || assetsFen(tot.MonthlyYuan) != month ||
			tot.Fully != fully || assetsFen(tot.NetYuan) != value-acc {
			t.Errorf("%s: report %+v, by card: %d cards value %d acc %d month %d fully %d", asOf, tot, len(cards), value, acc, month, fully)
		}
	}

	check := func(when string) {
		t.Helper()
		for _, f := range []assets.Filter{{}, {Status: "all"}, {Status: "idle"}, {Class: "A02010000"}, {Class: "A05000000", Status: "in_use"},
			{OrgID: env.OrgID(t, "青山市机关事务管理局")}} {
			f.List = web.List{Page: 1, PageSize: 20}
			_, total, err := assets.ListAssets(ctx, q, sc, f)
			if err != nil {
				t.Fatal(err)
			}
			f.List.Q = "-" // a text search counts the cards themselves: every number has a dash
			rows, counted, err := assets.ListAssets(ctx, q, sc, f)
			if err != nil {
				t.Fatal(err)
			}
			if total != counted || total == 0 {
				t.Errorf("%s: %+v: tallied %d, counted %d", when, f, total, counted)
			}
			for i := 1; i < len(rows); i++ {
				if rows[i-1].Code > rows[i].Code {
					t.Errorf("%s: page out of order: %s before %s", when, rows[i-1].Code, rows[i].Code)
				}
			}
		}
	}
	check("demo")
	edu := env.OrgID(t, "松岭县教育局")
	unit := env.API("edu", demoPassword)
	var a struct {
		ID int64 `json:"id"`
	}
	for i := 0; i < 3; i++ {
		if st := unit.JSON("POST", "/api/v1/assets", map[string]any{"org_id": edu, "name": "台式计算机", "class_code": "A02010105", "value_yuan": 4800,
			"acquired_on": "2025-03-15"}, &a); st != 201 {
			t.Fatalf("create: %d", st)
		}
	}
	if st := unit.JSON("PATCH", "/api/v1/assets/"+strconv.FormatInt(a.ID, 10), map[string]any{"status": "idle", "class_code": "A02010108"}, nil); st != 200 {
		t.Fatalf("patch: %d", st)
	}
	if _, err := q.Exec(ctx, "UPDATE assets SET org_id = ? WHERE id = ?", env.OrgID(t, "示范省财政厅"), a.ID); err != nil {
		t.Fatal(err)
	}
	check("after changes")
	if _, err := q.Exec(ctx, "DELETE FROM assets WHERE id = ?", a.ID); err != nil {
		t.Fatal(err)
	}
	check("after a delete")
}

func assetsFen(y float64) int64 {
	return int64(y*100 + map[bool]float64{true: 0.5, false: -0.5}[y >= 0])
}

// prevMonthEnd is the last day of the month before date's.
func prevMonthEnd(t *testing.T, date string) string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1).Format(time.DateOnly)
}
