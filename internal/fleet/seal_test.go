package fleet_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
)

// TestHolidaySeal: with the clock three days before a statutory holiday of the working calendar, a request for a
// trip on the holiday is not offered the vehicles sealed for the holidays (节假日封存) and dispatching one is a 409 in
// Chinese; an emergency request needs its reason (422 without), goes through the same approval, and may then have
// a sealed vehicle. A trip on an ordinary day is not affected.
func TestHolidaySeal(t *testing.T) {
	days := calendar.MustEmbedded()
	var holiday time.Time
	for d := calendar.Date(2026, 9, 1); d.Year() == 2026; d = d.AddDate(0, 0, 1) {
		if days.DayInfo(d).Holiday {
			holiday = d
			break
		}
	}
	if holiday.IsZero() {
		t.Fatal("the embedded calendar has no statutory holiday after 2026-09-01")
	}
	name := days.DayInfo(holiday).Name
	env := apptest.New(t, apptest.Options{Demo: true, Now: holiday.AddDate(0, 0, -3).Add(10 * time.Hour)})
	emp, mgr := env.API("employee", demoPassword), env.API("fleet", demoPassword)
	on := func(d time.Time, h int) string {
		return d.Add(time.Duration(h) * time.Hour).In(clock.Shanghai).Format(time.RFC3339)
	}
	sealed := id64(t, env, "SELECT id FROM fleet_vehicles WHERE plate = '青A20731'")
	if id64(t, env, "SELECT holiday_seal FROM fleet_vehicles WHERE id = ?", sealed) != 1 {
		t.Fatal("the demo's MPV is not sealed for the holidays")
	}
	request := func(body map[string]any) (trip, apptest.ErrorBody, int) {
		var tr trip
		var e apptest.ErrorBody
		var out any = &tr
		st := emp.JSON("POST", "/api/v1/trip-requests", body, out)
		if st != 201 {
			emp.JSON("POST", "/api/v1/trip-requests", body, &e)
		}
		return tr, e, st
	}
	approve := func(tr trip) {
		t.Helper()
		if st := mgr.JSON("POST", fmt.Sprintf("/api/v1/trip-requests/%d/approve", tr.ID), nil, nil); st != 200 {
			t.Fatalf("approve %d: %d", tr.ID, st)
		}
	}
	suggested := func(tr trip) map[int64]bool {
		t.Helper()
		var sug struct {
			Vehicles []struct {
				VehicleID int64 `json:"vehicle_id"`
			} `json:"vehicles"`
		}
		if st := mgr.JSON("GET", fmt.Sprintf("/api/v1/trip-requests/%d/suggestions", tr.ID), nil, &sug); st != 200 {
			t.Fatalf("suggestions: %d", st)
		}
		out := map[int64]bool{}
		for _, v := range sug.Vehicles {
			out[v.VehicleID] = true
		}
		return out
	}
	driver := func(n int) int64 {
		return id64(t, env, "SELECT id FROM fleet_drivers WHERE status = 'active' ORDER BY id LIMIT 1 OFFSET ?", n)
	}
	base := map[string]any{"purpose": "节日值班保障", "passengers": 3, "origin": "县教育局", "destination": "县政府"}
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}

	// An ordinary request on the holiday: the sealed MPV is neither offered nor dispatched.
	tr, _, st := request(with("start_at", on(holiday, 9), "end_at", on(holiday, 12)))
	if st != 201 {
		t.Fatalf("request: %d", st)
	}
	approve(tr)
	if suggested(tr)[sealed] {
		t.Errorf("a vehicle sealed for %s is suggested for a trip on it", name)
	}
	var e apptest.ErrorBody
	path := fmt.Sprintf("/api/v1/trip-requests/%d/dispatch", tr.ID)
	if st := mgr.JSON("POST", path, map[string]any{"vehicle_id": sealed, "driver_id": driver(0)}, &e); st != 409 ||
		!strings.Contains(e.Error.Message, "节假日封存") || e.Error.Fields["vehicle_id"] == "" {
		t.Errorf("dispatching a sealed vehicle on %s: %d %+v", name, st, e)
	}

	// An emergency needs its reason; approved, it may have the sealed vehicle.
	if _, e, st := request(with("start_at", on(holiday, 14), "end_at", on(holiday, 17), "emergency", true)); st != 422 || e.Error.Fields["emergency_reason"] == "" {
		t.Errorf("emergency without a reason: %d %+v", st, e)
	}
	em, _, st := request(with("start_at", on(holiday, 14), "end_at", on(holiday, 17), "emergency", true, "emergency_reason", "防汛抢险"))
	if st != 201 || !em.Emergency || em.EmergencyReason != "防汛抢险" {
		t.Fatalf("emergency request: %d %+v", st, em)
	}
	approve(em)
	if !suggested(em)[sealed] {
		t.Errorf("the sealed vehicle is not offered for an approved emergency")
	}
	var got trip
	if st := mgr.JSON("POST", fmt.Sprintf("/api/v1/trip-requests/%d/dispatch", em.ID), map[string]any{"vehicle_id": sealed, "driver_id": driver(1)}, &got); st != 200 || got.VehicleID != sealed {
		t.Errorf("dispatching the sealed vehicle for an emergency: %d %+v", st, got)
	}

	// A trip on the working day before: the seal does not apply.
	before := days.PrevWorkday(holiday)
	ord, _, st := request(with("start_at", on(before, 14), "end_at", on(before, 16)))
	if st != 201 {
		t.Fatalf("request before the holiday: %d", st)
	}
	approve(ord)
	if st := mgr.JSON("POST", fmt.Sprintf("/api/v1/trip-requests/%d/dispatch", ord.ID), map[string]any{"vehicle_id": sealed, "driver_id": driver(2)}, &e); st != 200 {
		t.Errorf("dispatching the sealed vehicle on a working day: %d %+v", st, e)
	}
}
