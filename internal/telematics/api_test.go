package telematics_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
)

// TestDemoAlarmsAndPages: the demo's evening drive without an order shows in the alarm list with the kinds of
// docs/api.md §Vehicle telemetry, the filters work, a bad filter is a 422 naming the field, and the pages render
// for the fleet manager (the track as an SVG polyline) while a unit administrator without telematics:read is refused.
func TestDemoAlarmsAndPages(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	api := env.API("fleet", demoPassword)
	type alarm struct {
		ID        int64  `json:"id"`
		VehicleID int64  `json:"vehicle_id"`
		Kind      string `json:"kind"`
		StartTime string `json:"start_time"`
		EndTime   string `json:"end_time"`
		Detail    string `json:"detail"`
	}
	var out struct {
		Items []alarm `json:"items"`
		Total int64   `json:"total"`
	}
	if st := api.JSON("GET", "/api/v1/alarms", nil, &out); st != 200 || out.Total == 0 {
		t.Fatalf("alarms: %d %+v", st, out)
	}
	kinds := map[string]alarm{}
	for _, a := range out.Items {
		kinds[a.Kind] = a
	}
	for _, k := range []string{"off_hours", "no_order", "left_parking", "overspeed", "device_alarm"} {
		if a, ok := kinds[k]; !ok || a.Detail == "" || a.EndTime < a.StartTime {
			t.Errorf("demo alarm %s missing or empty: %+v", k, a)
		}
	}
	v := kinds["overspeed"].VehicleID
	var one struct {
		Items []alarm `json:"items"`
	}
	if st := api.JSON("GET", fmt.Sprintf("/api/v1/alarms?kind=overspeed&vehicle_id=%d", v), nil, &one); st != 200 || len(one.Items) == 0 {
		t.Fatalf("filtered: %d %+v", st, one)
	}
	for _, a := range one.Items {
		if a.Kind != "overspeed" || a.VehicleID != v {
			t.Errorf("filter let through %+v", a)
		}
	}
	var e apptest.ErrorBody
	if st := api.JSON("GET", "/api/v1/alarms?kind=speeding", nil, &e); st != 422 || e.Error.Fields["kind"] == "" {
		t.Errorf("bad kind: %d %+v", st, e)
	}
	if st := api.JSON("GET", "/api/v1/alarms?from=yesterday", nil, &e); st != 422 || e.Error.Fields["from"] == "" {
		t.Errorf("bad from: %d %+v", st, e)
	}
	var latest struct {
		Items []struct {
			VehicleID int64   `json:"vehicle_id"`
			Lat       float64 `json:"lat"`
		} `json:"items"`
	}
	if st := api.JSON("GET", "/api/v1/positions/latest", nil, &latest); st != 200 || len(latest.Items) != 3 || latest.Items[0].VehicleID == 0 {
		t.Errorf("latest: %d %+v", st, latest)
	}

	web := env.Browser("fleet", demoPassword)
	if r := web.Get("/telematics/alarms"); r.StatusCode != 200 || !strings.Contains(r.Body, "超速") {
		t.Errorf("alarm page: %d", r.StatusCode)
	}
	if r := web.Get("/telematics"); r.StatusCode != 200 || !strings.Contains(r.Body, "/telematics/vehicles/") {
		t.Errorf("live page: %d", r.StatusCode)
	}
	day := kinds["overspeed"].StartTime[:10]
	if r := web.Get(fmt.Sprintf("/telematics/vehicles/%d?from=%s&to=%s", v, day, day)); r.StatusCode != 200 || !strings.Contains(r.Body, "<polyline") ||
		!strings.Contains(r.Body, "无派车单") {
		t.Errorf("track page: %d", r.StatusCode)
	}
	if r := env.Browser("qingshan", demoPassword).Get("/telematics/alarms"); r.StatusCode != 403 {
		t.Errorf("unit admin without telematics:read: %d", r.StatusCode)
	}
}
