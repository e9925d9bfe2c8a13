package fleet_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/clock"
)

func newVehicle(orgID int64, plate string) map[string]any {
	return map[string]any{"org_id": orgID, "plate": plate, "category": "other", "fuel_type": "gasoline", "body_type": "sedan", "displacement_l": 1.5,
		"price_yuan": 120000, "purchase_date": "2024-03-01", "seats": 5, "terminal_phone": "13909900001"}
}

// TestVehicleLedgerAPI: registration per docs/api.md §Official vehicles, plate and VIN checks, duplicates, scope.
func TestVehicleLedgerAPI(t *testing.T) {
	env := newEnv(t)
	edu := env.OrgID(t, "松岭县教育局")
	other := env.OrgID(t, "示范省财政厅")
	unit := env.API("edu", demoPassword)
	var v vehicle
	if st := unit.JSON("POST", "/api/v1/vehicles", newVehicle(edu, "青b 66 001"), &v); st != 201 || v.Plate != "青B66001" || v.OrgID != edu || v.Status != "in_use" || !v.Domestic {
		t.Fatalf("create: %d %+v", st, v)
	}
	var e apptest.ErrorBody
	if st := unit.JSON("POST", "/api/v1/vehicles", newVehicle(edu, "青B66001"), &e); st != 409 || e.Error.Fields["plate"] == "" {
		t.Errorf("duplicate plate: %d %+v", st, e)
	}
	for _, c := range []struct {
		name  string
		patch map[string]any
		field string
	}{
		{"short plate", map[string]any{"plate": "青B6600"}, "plate"},
		{"no province", map[string]any{"plate": "AB66002"}, "plate"},
		{"letter O", map[string]any{"plate": "青O66002"}, "plate"},
		{"bad green plate", map[string]any{"plate": "青BX123456", "fuel_type": "electric", "displacement_l": 0}, "plate"},
		{"green plate on a fuel car", map[string]any{"plate": "青BD12399"}, "plate"},
		{"VIN check digit", map[string]any{"plate": "青B66003", "vin": "1M8GDM9A1KP042788"}, "vin"},
		{"VIN letter I", map[string]any{"plate": "青B66003", "vin": "1M8GDM9AXKP04278I"}, "vin"},
		{"category", map[string]any{"plate": "青B66003", "category": "general"}, "category"},
		{"electric with displacement", map[string]any{"plate": "青BD66003", "fuel_type": "electric"}, "displacement_l"},
		{"seats", map[string]any{"plate": "青B66003", "seats": 0}, "seats"},
		{"future purchase", map[string]any{"plate": "青B66003", "purchase_date": "2099-01-01"}, "purchase_date"},
		{"price in fen", map[string]any{"plate": "青B66003", "price_yuan": 1.005}, "price_yuan"},
	} {
		body := newVehicle(edu, "")
		for k, x := range c.patch {
			body[k] = x
		}
		var e apptest.ErrorBody
		if st := unit.JSON("POST", "/api/v1/vehicles", body, &e); st != 422 || e.Error.Fields[c.field] == "" {
			t.Errorf("%s: %d %+v, want 422 naming %s", c.name, st, e, c.field)
		}
	}
	// Valid new-energy plates (small and large) and a valid VIN.
	for _, p := range []struct{ plate, body string }{{"青BD66004", "sedan"}, {"青B66005D", "bus"}} {
		body := newVehicle(edu, p.plate)
		body["fuel_type"], body["displacement_l"], body["body_type"] = "electric", 0, p.body
		body["vin"] = "1M8GDM9AXKP042788"
		if p.plate != "青BD66004" {
			delete(body, "vin")
		}
		var v vehicle
		if st := unit.JSON("POST", "/api/v1/vehicles", body, &v); st != 201 || !v.NewEnergy {
			t.Errorf("%s: %d %+v", p.plate, st, v)
		}
	}
	// Outside the caller's scope: 404, as if the unit did not exist.
	if st := unit.JSON("POST", "/api/v1/vehicles", newVehicle(other, "青A66006"), &e); st != 404 {
		t.Errorf("another unit's vehicle: %d", st)
	}
	fv := id64(t, env, "SELECT id FROM fleet_vehicles WHERE plate = '青A33520'")
	if st := unit.JSON("GET", fmt.Sprintf("/api/v1/vehicles/%d", fv), nil, nil); st != 404 {
		t.Errorf("the bureau's vehicle seen by the education bureau: %d", st)
	}
	// PATCH changes what it names; the history records it.
	if st := unit.JSON("PATCH", fmt.Sprintf("/api/v1/vehicles/%d", v.ID), map[string]any{"seats": 7, "status": "sealed"}, &v); st != 200 || v.Seats != 7 || v.Status != "sealed" {
		t.Errorf("patch: %d %+v", st, v)
	}
	var h struct {
		Items []struct {
			Summary string `json:"summary"`
		} `json:"items"`
	}
	unit.JSON("GET", fmt.Sprintf("/api/v1/vehicles/%d/history", v.ID), nil, &h)
	if len(h.Items) < 2 || !strings.Contains(h.Items[0].Summary, "座位数：5 → 7") {
		t.Errorf("history: %+v", h.Items)
	}
	// The employee may not register vehicles.
	if st := env.API("employee", demoPassword).JSON("POST", "/api/v1/vehicles", newVehicle(edu, "青B66007"), nil); st != 403 {
		t.Errorf("employee registers a vehicle: %d", st)
	}
	// Drivers: a person once.
	person := id64(t, env, "SELECT id FROM people WHERE org_id = ? AND id NOT IN (SELECT person_id FROM fleet_drivers) ORDER BY id LIMIT 1", edu)
	if st := unit.JSON("POST", "/api/v1/drivers", map[string]any{"person_id": person, "license_class": "C1"}, nil); st != 201 {
		t.Errorf("driver: %d", st)
	}
	if st := unit.JSON("POST", "/api/v1/drivers", map[string]any{"person_id": person, "license_class": "C1"}, &e); st != 409 {
		t.Errorf("driver twice: %d", st)
	}
	if st := unit.JSON("POST", "/api/v1/drivers", map[string]any{"person_id": person, "license_class": "Z9"}, &e); st != 422 || e.Error.Fields["license_class"] == "" {
		t.Errorf("licence class: %d %+v", st, e)
	}
}

// TestCompliance: the demo's planted findings, each with its rule text and source; quotas through the API.
func TestCompliance(t *testing.T) {
	env := newEnv(t)
	c := env.API("fleet", demoPassword)
	c0 := func(body map[string]any) int { return c.JSON("POST", "/api/v1/vehicle-costs", body, nil) }
	var list struct {
		Items []finding `json:"items"`
	}
	if st := c.JSON("GET", "/api/v1/fleet/compliance", nil, &list); st != 200 {
		t.Fatalf("compliance: %d", st)
	}
	got := map[string]bool{}
	for _, f := range list.Items {
		got[f.Rule+" "+f.Plate] = true
		if f.RuleText == "" || f.Source == "" {
			t.Errorf("finding without its rule or source: %+v", f)
		}
	}
	for _, want := range []string{"price_cap 青A33520", "displacement_cap 青A33520", "displacement_cap 青A0A001", "over_quota ", "renewal_eligible 青A10086",
		"registered_elsewhere 青B51288", "cost_without_trip 青A33520", "non_designated_supplier 青A20731"} {
		if !got[want] {
			t.Errorf("missing %q in %v", want, got)
		}
	}
	if len(list.Items) != 8 {
		t.Errorf("demo findings: %d %+v", len(list.Items), list.Items)
	}
	// A fuel payment on the day of a completed trip of the vehicle is not flagged; one on a day without is.
	var out struct {
		VehicleID int64
		StartAt   int64
	}
	if err := env.App.DB.QueryRow(t.Context(), `SELECT vehicle_id, start_at FROM fleet_trips WHERE status = 'completed' AND vehicle_id IS NOT NULL ORDER BY start_at DESC LIMIT 1`).
		Scan(&out.VehicleID, &out.StartAt); err != nil {
		t.Fatal(err)
	}
	tripDay := time.Unix(out.StartAt, 0).In(clock.Shanghai).Format(time.DateOnly)
	bus := id64(t, env, "SELECT id FROM fleet_vehicles WHERE plate = '青A12345'")
	for _, c := range []map[string]any{{"vehicle_id": out.VehicleID, "kind": "fuel", "amount_yuan": 200, "date": tripDay},
		{"vehicle_id": bus, "kind": "fuel", "amount_yuan": 300, "date": tripDay}} {
		if st := c0(c); st != 201 {
			t.Fatalf("cost %v: %d", c, st)
		}
	}
	c.JSON("GET", "/api/v1/fleet/compliance?rule=cost_without_trip", nil, &list)
	flagged := map[int64]bool{}
	for _, f := range list.Items {
		flagged[f.VehicleID] = true
	}
	if len(list.Items) != 2 || !flagged[bus] || flagged[out.VehicleID] {
		t.Errorf("cost_without_trip: %+v; want 青A33520's planted payment and the bus's, not the payment on a trip day", list.Items)
	}
	// Registering a vehicle to an enterprise is registered_elsewhere; clearing it clears the finding.
	edu0 := id64(t, env, "SELECT id FROM fleet_vehicles WHERE plate = '青BD51234'")
	if st := c.JSON("PATCH", fmt.Sprintf("/api/v1/vehicles/%d", edu0), map[string]any{"registered_name": "某汽车租赁公司"}, nil); st != 200 {
		t.Fatalf("patch: %d", st)
	}
	c.JSON("GET", "/api/v1/fleet/compliance?rule=registered_elsewhere", nil, &list)
	if len(list.Items) != 2 {
		t.Errorf("registered_elsewhere after registering 青BD51234 to a company: %+v", list.Items)
	}
	for _, id := range []int64{edu0, id64(t, env, "SELECT id FROM fleet_vehicles WHERE plate = '青B51288'")} {
		if st := c.JSON("PATCH", fmt.Sprintf("/api/v1/vehicles/%d", id), map[string]any{"registered_name": ""}, nil); st != 200 {
			t.Fatalf("patch: %d", st)
		}
	}
	c.JSON("GET", "/api/v1/fleet/compliance?rule=registered_elsewhere", nil, &list)
	if len(list.Items) != 0 {
		t.Errorf("registered_elsewhere after clearing: %+v", list.Items)
	}
	// Raising the government office's quota clears its over_quota finding; an unknown category is a 422.
	gov := env.OrgID(t, "示范省人民政府办公厅")
	if st := c.JSON("PUT", "/api/v1/fleet/quotas", map[string]any{"org_id": gov, "category": "confidential", "quota": 2}, nil); st != 200 {
		t.Fatalf("quota: %d", st)
	}
	c.JSON("GET", fmt.Sprintf("/api/v1/fleet/compliance?org_id=%d&rule=over_quota", gov), nil, &list)
	if len(list.Items) != 0 {
		t.Errorf("still over quota: %+v", list.Items)
	}
	var e apptest.ErrorBody
	if st := c.JSON("PUT", "/api/v1/fleet/quotas", map[string]any{"org_id": gov, "category": "general", "quota": 2}, &e); st != 422 || e.Error.Fields["category"] == "" {
		t.Errorf("bad category: %d %+v", st, e)
	}
	if st := env.API("edu", demoPassword).JSON("PUT", "/api/v1/fleet/quotas", map[string]any{"org_id": gov, "category": "other", "quota": 1}, nil); st != 403 {
		t.Errorf("a unit sets quotas: %d", st)
	}
	// A price and displacement over the standard on a new vehicle shows at once.
	edu := env.OrgID(t, "松岭县教育局")
	body := newVehicle(edu, "青B77001")
	body["price_yuan"], body["displacement_l"], body["category"] = 130000, 1.8, "confidential"
	if st := c.JSON("POST", "/api/v1/vehicles", body, nil); st != 201 {
		t.Fatal(st)
	}
	c.JSON("GET", fmt.Sprintf("/api/v1/fleet/compliance?org_id=%d", edu), nil, &list)
	rules := map[string]bool{}
	for _, f := range list.Items {
		rules[f.Rule] = true
	}
	if !rules["price_cap"] || !rules["displacement_cap"] {
		t.Errorf("new confidential car over 12万/1.6 L: %+v", list.Items)
	}
}

func at(d time.Duration) string {
	return apptest.DefaultNow.Add(d).In(clock.Shanghai).Format(time.RFC3339)
}

// TestTripFlow: the state machine of docs/api.md §Official vehicles, with 403, 409 and 422 where the contract says,
// and the ledger matching the completed trip and the recorded costs exactly.
func TestTripFlow(t *testing.T) {
	env := newEnv(t)
	emp, mgr := env.API("employee", demoPassword), env.API("fleet", demoPassword)
	req := map[string]any{"purpose": "赴县政府汇报", "passengers": 2, "origin": "县教育局", "destination": "县政府", "start_at": at(48 * time.Hour), "end_at": at(52 * time.Hour)}
	var tr trip
	if st := emp.JSON("POST", "/api/v1/trip-requests", req, &tr); st != 201 || tr.Status != "submitted" || tr.RequesterID == 0 {
		t.Fatalf("request: %d %+v", st, tr)
	}
	var e apptest.ErrorBody
	bad := map[string]any{"purpose": "x", "passengers": 1, "origin": "a", "destination": "b", "start_at": at(5 * time.Hour), "end_at": at(4 * time.Hour)}
	if st := emp.JSON("POST", "/api/v1/trip-requests", bad, &e); st != 422 || e.Error.Fields["end_at"] == "" {
		t.Errorf("end before start: %d %+v", st, e)
	}
	path := func(verb string) string { return fmt.Sprintf("/api/v1/trip-requests/%d/%s", tr.ID, verb) }
	if st := emp.JSON("POST", path("approve"), nil, nil); st != 403 {
		t.Errorf("employee approves: %d", st)
	}
	if st := mgr.JSON("POST", path("dispatch"), map[string]any{"vehicle_id": 1, "driver_id": 1}, &e); st != 409 {
		t.Errorf("dispatch before approval: %d", st)
	}
	if st := mgr.JSON("POST", path("reject"), map[string]any{}, &e); st != 422 || e.Error.Fields["comment"] == "" {
		t.Errorf("reject without a comment: %d %+v", st, e)
	}
	if st := mgr.JSON("POST", path("approve"), map[string]any{"comment": "同意"}, &tr); st != 200 || tr.Status != "approved" {
		t.Fatalf("approve: %d %+v", st, tr)
	}
	if st := mgr.JSON("POST", path("approve"), nil, nil); st != 409 {
		t.Errorf("approve twice: %d", st)
	}
	var sug struct {
		Vehicles []struct {
			VehicleID int64 `json:"vehicle_id"`
			NewEnergy bool  `json:"new_energy"`
			Seats     int   `json:"seats"`
		} `json:"vehicles"`
		Drivers []struct {
			DriverID int64 `json:"driver_id"`
		} `json:"drivers"`
	}
	if st := mgr.JSON("GET", path("suggestions"), nil, &sug); st != 200 || len(sug.Vehicles) == 0 || len(sug.Drivers) == 0 {
		t.Fatalf("suggestions: %d %+v", st, sug)
	}
	// The education bureau's own cars come first, new-energy before fuel.
	first := id64(t, env, "SELECT id FROM fleet_vehicles WHERE plate = '青BD51234'")
	if sug.Vehicles[0].VehicleID != first || !sug.Vehicles[0].NewEnergy {
		t.Errorf("first suggestion %+v, want the unit's electric car %d", sug.Vehicles[0], first)
	}
	vid, did := sug.Vehicles[0].VehicleID, sug.Drivers[0].DriverID
	if st := emp.JSON("POST", path("dispatch"), map[string]any{"vehicle_id": vid, "driver_id": did}, nil); st != 403 {
		t.Errorf("employee dispatches: %d", st)
	}
	if st := mgr.JSON("POST", path("dispatch"), map[string]any{"vehicle_id": vid, "driver_id": did}, &tr); st != 200 || tr.Status != "dispatched" || tr.VehicleID != vid {
		t.Fatalf("dispatch: %d %+v", st, tr)
	}
	// Another approved request overlapping in time: the same vehicle or driver → 409; it is offered neither.
	req2 := map[string]any{"purpose": "送材料", "passengers": 1, "origin": "县教育局", "destination": "市教育局", "start_at": at(50 * time.Hour), "end_at": at(54 * time.Hour)}
	var tr2 trip
	emp.JSON("POST", "/api/v1/trip-requests", req2, &tr2)
	mgr.JSON("POST", fmt.Sprintf("/api/v1/trip-requests/%d/approve", tr2.ID), nil, &tr2)
	p2 := func(verb string) string { return fmt.Sprintf("/api/v1/trip-requests/%d/%s", tr2.ID, verb) }
	mgr.JSON("GET", p2("suggestions"), nil, &sug)
	for _, s := range sug.Vehicles {
		if s.VehicleID == vid {
			t.Errorf("busy vehicle suggested")
		}
	}
	for _, d := range sug.Drivers {
		if d.DriverID == did {
			t.Errorf("busy driver suggested")
		}
	}
	if st := mgr.JSON("POST", p2("dispatch"), map[string]any{"vehicle_id": vid, "driver_id": sug.Drivers[0].DriverID}, &e); st != 409 || e.Error.Fields["vehicle_id"] == "" {
		t.Errorf("overlapping vehicle: %d %+v", st, e)
	}
	if st := mgr.JSON("POST", p2("dispatch"), map[string]any{"vehicle_id": sug.Vehicles[0].VehicleID, "driver_id": did}, &e); st != 409 || e.Error.Fields["driver_id"] == "" {
		t.Errorf("overlapping driver: %d %+v", st, e)
	}
	// The requester cancels the second (approved): done; cancelling again is a 409.
	if st := emp.JSON("POST", p2("cancel"), map[string]any{"comment": "会议改期"}, &tr2); st != 200 || tr2.Status != "cancelled" {
		t.Errorf("cancel: %d %+v", st, tr2)
	}
	if st := emp.JSON("POST", p2("cancel"), nil, nil); st != 409 {
		t.Errorf("cancel twice: %d", st)
	}
	// Start and complete.
	var odo float64
	if err := env.App.DB.QueryRow(t.Context(), "SELECT odometer_km FROM fleet_vehicles WHERE id = ?", vid).Scan(&odo); err != nil {
		t.Fatal(err)
	}
	if st := mgr.JSON("POST", path("complete"), map[string]any{"odometer_km": odo + 10}, nil); st != 409 {
		t.Errorf("complete before start: %d", st)
	}
	if st := mgr.JSON("POST", path("start"), map[string]any{"odometer_km": odo - 100}, &e); st != 422 || e.Error.Fields["odometer_km"] == "" {
		t.Errorf("odometer going back: %d %+v", st, e)
	}
	year := apptest.DefaultNow.Add(48 * time.Hour).In(clock.Shanghai).Year()
	var before ledger
	mgr.JSON("GET", fmt.Sprintf("/api/v1/vehicles/%d/ledger?year=%d", vid, year), nil, &before)
	if st := mgr.JSON("POST", path("start"), map[string]any{"odometer_km": odo}, &tr); st != 200 || tr.Status != "in_progress" {
		t.Fatalf("start: %d %+v", st, tr)
	}
	if st := mgr.JSON("POST", path("complete"), map[string]any{"odometer_km": odo + 86.4, "toll_yuan": 35, "parking_yuan": 10.5, "fuel_yuan": 20.3}, &tr); st != 200 ||
		tr.Status != "completed" || tr.DistanceKM != 86.4 {
		t.Fatalf("complete: %d %+v", st, tr)
	}
	if st := emp.JSON("POST", path("cancel"), nil, nil); st != 409 {
		t.Errorf("cancel a completed trip: %d", st)
	}
	// A recorded cost of the same year, and one of the year before (not counted).
	unit := env.API("edu", demoPassword)
	if st := unit.JSON("POST", "/api/v1/vehicle-costs", map[string]any{"vehicle_id": vid, "kind": "maintenance", "amount_yuan": 400, "date": fmt.Sprintf("%d-01-15", year)}, nil); st != 201 {
		t.Fatalf("cost: %d", st)
	}
	if st := unit.JSON("POST", "/api/v1/vehicle-costs", map[string]any{"vehicle_id": vid, "kind": "insurance", "amount_yuan": 3000, "date": fmt.Sprintf("%d-12-15", year-1)}, nil); st != 201 {
		t.Fatalf("cost: %d", st)
	}
	if st := unit.JSON("POST", "/api/v1/vehicle-costs", map[string]any{"vehicle_id": vid, "kind": "petrol", "amount_yuan": 1, "date": "2026-01-01"}, &e); st != 422 || e.Error.Fields["kind"] == "" {
		t.Errorf("bad kind: %d %+v", st, e)
	}
	var l ledger
	if st := mgr.JSON("GET", fmt.Sprintf("/api/v1/vehicles/%d/ledger?year=%d", vid, year), nil, &l); st != 200 {
		t.Fatalf("ledger: %d", st)
	}
	round := func(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }
	if round(l.DistanceKM-before.DistanceKM) != 86.4 || l.Trips != before.Trips+1 || round(l.CostYuan-before.CostYuan) != 465.8 {
		t.Errorf("ledger %+v, before %+v: want +86.4 km, +1 trip, +465.80 yuan", l, before)
	}
	if round(l.ByKind["toll"]-before.ByKind["toll"]) != 35 || round(l.ByKind["maintenance"]-before.ByKind["maintenance"]) != 400 ||
		round(l.ByKind["charging"]-before.ByKind["charging"]) != 20.3 {
		t.Errorf("by kind: %+v (before %+v)", l.ByKind, before.ByKind)
	}
	if l.DistanceKM > 0 && l.CostPerKMYuan != round(l.CostYuan/l.DistanceKM) {
		t.Errorf("cost per km %v, want %v", l.CostPerKMYuan, round(l.CostYuan/l.DistanceKM))
	}
	// The sum over the database agrees (every trip and cost of that vehicle and year).
	var dist float64
	if err := env.App.DB.QueryRow(t.Context(), "SELECT COALESCE(SUM(distance_km), 0) FROM fleet_trips WHERE vehicle_id = ? AND status = 'completed'", vid).Scan(&dist); err != nil {
		t.Fatal(err)
	}
	if count(t, env, "SELECT COUNT(*) FROM fleet_trips WHERE vehicle_id = ? AND status = 'completed'", vid) != l.Trips && year == apptest.DefaultNow.Year() {
		t.Errorf("trips disagree")
	}
	// The requester was told of the approval and the dispatch, with a link to the trip.
	link := fmt.Sprintf("/fleet/trips/%d", tr.ID)
	if n := count(t, env, "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'employee' AND n.link = ?", link); n < 2 {
		t.Errorf("notifications to the requester linking %s: %d", link, n)
	}
	// The employee sees only their own requests.
	var mine struct {
		Items []trip `json:"items"`
	}
	emp.JSON("GET", "/api/v1/trip-requests?page_size=500", nil, &mine)
	pid := id64(t, env, "SELECT person_id FROM users WHERE username = 'employee'")
	for _, x := range mine.Items {
		if x.RequesterID != pid {
			t.Errorf("employee sees another's request %+v", x)
		}
	}
	demoTrip := id64(t, env, "SELECT id FROM fleet_trips WHERE requester_id <> ? ORDER BY id LIMIT 1", pid)
	if st := emp.JSON("GET", fmt.Sprintf("/api/v1/trip-requests/%d", demoTrip), nil, nil); st != 404 {
		t.Errorf("another's request: %d", st)
	}
}
