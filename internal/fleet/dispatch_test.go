package fleet_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
)

// TestConcurrentDispatch: 50 approved requests for overlapping times, dispatched to one vehicle at once (each with
// its own driver) — exactly one succeeds, the others get 409 (docs/api.md §Official vehicles), on SQLite and
// PostgreSQL alike.
func TestConcurrentDispatch(t *testing.T) {
	env := newEnv(t)
	mgr := env.API("fleet", demoPassword)
	ctx := context.Background()
	const n = 50
	bureau := env.OrgID(t, "示范省机关事务管理局")
	vid := id64(t, env, "SELECT id FROM fleet_vehicles WHERE plate = '青A20731'")
	people, err := dbInts(env, "SELECT id FROM people WHERE status = 'active' AND id NOT IN (SELECT person_id FROM fleet_drivers) ORDER BY id LIMIT ?", n)
	if err != nil || len(people) < n {
		t.Fatalf("people: %v %d", err, len(people))
	}
	var drivers, trips []int64
	start := apptest.DefaultNow.Add(30 * 24 * time.Hour)
	for i, p := range people {
		var d struct {
			ID int64 `json:"id"`
		}
		if st := mgr.JSON("POST", "/api/v1/drivers", map[string]any{"person_id": p, "license_class": "B1"}, &d); st != 201 {
			t.Fatalf("driver: %d", st)
		}
		drivers = append(drivers, d.ID)
		// Requests inserted approved, each overlapping the others by at least an hour.
		s, e := start.Add(time.Duration(i)*time.Minute), start.Add(time.Duration(i)*time.Minute+2*time.Hour)
		if _, err := env.App.DB.Exec(ctx, `INSERT INTO fleet_trips (org_id, requester_id, purpose, passengers, origin, destination, start_at, end_at, status, created_at, updated_at)
			VALUES (?, ?, '并发派车测试', 1, '甲', '乙', ?, ?, 'approved', ?, ?)`, bureau, p, s.Unix(), e.Unix(), start.Unix(), start.Unix()); err != nil {
			t.Fatal(err)
		}
	}
	if trips, err = dbInts(env, "SELECT id FROM fleet_trips WHERE purpose = '并发派车测试' ORDER BY id"); err != nil || len(trips) != n {
		t.Fatalf("trips: %v %d", err, len(trips))
	}
	var wg sync.WaitGroup
	statuses := make([]int, n)
	ready := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			r := mgr.Do("POST", fmt.Sprintf("/api/v1/trip-requests/%d/dispatch", trips[i]), "application/json",
				[]byte(fmt.Sprintf(`{"vehicle_id":%d,"driver_id":%d}`, vid, drivers[i])))
			statuses[i] = r.StatusCode
		}()
	}
	close(ready)
	wg.Wait()
	ok, conflict := 0, 0
	for _, st := range statuses {
		switch st {
		case 200:
			ok++
		case 409:
			conflict++
		}
	}
	if ok != 1 || conflict != n-1 {
		t.Errorf("%d succeeded, %d conflicts, statuses %v; want exactly one success", ok, conflict, statuses)
	}
	if got := count(t, env, "SELECT COUNT(*) FROM fleet_trips WHERE vehicle_id = ? AND status = 'dispatched'", vid); got != 1 {
		t.Errorf("%d dispatched trips for the vehicle", got)
	}
}

func dbInts(env *apptest.Env, query string, args ...any) ([]int64, error) {
	rows, err := env.App.DB.Query(context.Background(), query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
