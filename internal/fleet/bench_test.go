package fleet_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/fleet"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

// Benchmarks of docs/benchmarks.md §Official vehicles: the demo province plus 2,000 vehicles spread over its
// units, 300 drivers and three trips per vehicle in the week of the test clock (6,000 trips); the dispatch board of
// that week (a page of 50 rows, the default, and of 500, the largest page) through HTTP, the board's data for all
// 2,000 vehicles at once, and a vehicle suggestion for an approved request. The race of 50 dispatches of one
// vehicle is TestConcurrentDispatch (dispatch_test.go).
func BenchmarkFleet(b *testing.B) {
	env := apptest.New(b, apptest.Options{Demo: true})
	ctx := context.Background()
	const vehicles, perVehicle = 2000, 3
	orgs, err := dbInts(env, "SELECT id FROM orgs ORDER BY id")
	if err != nil || len(orgs) == 0 {
		b.Fatal(err)
	}
	people, err := dbInts(env, "SELECT id FROM people WHERE status = 'active' AND id NOT IN (SELECT person_id FROM fleet_drivers) ORDER BY id LIMIT 300")
	if err != nil || len(people) < 300 {
		b.Fatalf("people: %v %d", err, len(people))
	}
	now := apptest.DefaultNow
	week := now.Add(-10 * time.Hour) // Monday 00:00 in Beijing
	err = env.App.DB.Tx(ctx, func(q db.Q) error {
		var drivers []int64
		for i, p := range people {
			id, err := db.InsertID(ctx, q, `INSERT INTO fleet_drivers (person_id, org_id, license_class, status, created_at, updated_at)
				SELECT id, org_id, 'C1', 'active', ?, ? FROM people WHERE id = ? RETURNING id`, now.Unix(), now.Unix(), p)
			if err != nil {
				return fmt.Errorf("driver %d: %w", i, err)
			}
			drivers = append(drivers, id)
		}
		for i := range vehicles {
			org := orgs[i%len(orgs)]
			fuel := []string{"electric", "gasoline", "plug_in_hybrid"}[i%3]
			disp := 1.5
			if fuel == "electric" {
				disp = 0
			}
			vid, err := db.InsertID(ctx, q, `INSERT INTO fleet_vehicles (org_id, plate, category, fuel_type, body_type, displacement_l, price_fen, brand, model,
				seats, purchase_date, odometer_km, created_at, updated_at) VALUES (?, ?, 'other', ?, 'sedan', ?, 12000000, '测试', '轿车', ?, '2023-01-01', 1000, ?, ?)
				RETURNING id`, org, fmt.Sprintf("青C%05d", i), fuel, disp, 5+2*(i%2), now.Unix(), now.Unix())
			if err != nil {
				return err
			}
			for k := range perVehicle {
				start := week.Add(time.Duration(k*2+i%2)*24*time.Hour + time.Duration(8+i%4)*time.Hour)
				status := "dispatched"
				if start.Before(now) {
					status = "completed"
				}
				if _, err := q.Exec(ctx, `INSERT INTO fleet_trips (org_id, requester_id, purpose, passengers, origin, destination, start_at, end_at, status,
					vehicle_id, driver_id, dispatched_at, created_at, updated_at) VALUES (?, ?, '基准测试', 1, '甲', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					org, people[(i+k)%len(people)], fmt.Sprintf("目的地%d", k), start.Unix(), start.Add(3*time.Hour).Unix(), status, vid,
					drivers[(i*perVehicle+k)%len(drivers)], now.Unix(), now.Unix(), now.Unix()); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := env.App.DB.Exec(ctx, "ANALYZE"); err != nil { // both SQLite and PostgreSQL know it
		b.Fatal(err)
	}
	// One approved request, free of the week's trips (Sunday), for the suggestion.
	bureau := env.OrgID(b, "示范省机关事务管理局")
	tripID, err := db.InsertID(ctx, env.App.DB, `INSERT INTO fleet_trips (org_id, requester_id, purpose, passengers, origin, destination, start_at, end_at,
		status, created_at, updated_at) VALUES (?, ?, '基准测试建议', 3, '甲', '乙', ?, ?, 'approved', ?, ?) RETURNING id`,
		bureau, people[0], week.Add(6*24*time.Hour+9*time.Hour).Unix(), week.Add(6*24*time.Hour+12*time.Hour).Unix(), now.Unix(), now.Unix())
	if err != nil {
		b.Fatal(err)
	}
	mgr := env.Browser("fleet", demoPassword)
	api := env.API("fleet", demoPassword)

	for _, size := range []int{50, 500} {
		b.Run(fmt.Sprintf("board_page_%d", size), func(b *testing.B) {
			path := fmt.Sprintf("/fleet/dispatch?page_size=%d", size)
			r := mgr.Get(path)
			if r.StatusCode != 200 || strings.Count(r.Body, `class="board-block`) < size {
				b.Fatalf("board: status %d, %d blocks", r.StatusCode, strings.Count(r.Body, `class="board-block`))
			}
			b.ResetTimer()
			for b.Loop() {
				if r := mgr.Get(path); r.StatusCode != 200 {
					b.Fatalf("board: %d", r.StatusCode)
				}
			}
		})
	}
	b.Run("board_data_2000", func(b *testing.B) {
		days := calendar.MustEmbedded()
		for b.Loop() {
			bd, err := fleet.BuildBoard(ctx, env.App.DB, auth.Everything(), days, week, false, 0, web.List{Page: 1, PageSize: 2500}, "")
			if err != nil || len(bd.Rows) < vehicles || bd.Blocks < vehicles*perVehicle {
				b.Fatalf("board data: %v, %d rows, %d blocks", err, len(bd.Rows), bd.Blocks)
			}
		}
	})
	b.Run("suggestion", func(b *testing.B) {
		path := fmt.Sprintf("/api/v1/trip-requests/%d/suggestions", tripID)
		var out struct {
			Vehicles []fleet.Suggestion `json:"vehicles"`
		}
		if st := api.JSON("GET", path, nil, &out); st != 200 || len(out.Vehicles) == 0 {
			b.Fatalf("suggestion: status %d, %d vehicles", st, len(out.Vehicles))
		}
		b.ResetTimer()
		for b.Loop() {
			if r := api.Get(path); r.StatusCode != 200 {
				b.Fatalf("suggestion: %d", r.StatusCode)
			}
		}
	})
}
