package fleet_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/fleet"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/xuri/excelize/v2"
)

// TestTripRating: only the requester rates a completed trip, once, 1–5.
func TestTripRating(t *testing.T) {
	env := newEnv(t)
	mgr, emp := env.API("fleet", demoPassword), env.API("employee", demoPassword)
	now := env.Clock.Now().In(clock.Shanghai)
	start := time.Date(now.Year(), now.Month(), now.Day(), 14, 0, 0, 0, clock.Shanghai).AddDate(0, 0, 5)
	var tr trip
	if st := emp.JSON("POST", "/api/v1/trip-requests", map[string]any{"purpose": "送材料", "passengers": 1, "origin": "教育局", "destination": "县政府",
		"start_at": start.Format(time.RFC3339), "end_at": start.Add(2 * time.Hour).Format(time.RFC3339)}, &tr); st != 201 {
		t.Fatalf("trip: %d", st)
	}
	rate := func(c *apptest.Client, body map[string]any) int {
		return c.JSON("POST", fmt.Sprintf("/api/v1/trip-requests/%d/rate", tr.ID), body, nil)
	}
	if st := rate(emp, map[string]any{"rating": 5}); st != 409 {
		t.Errorf("rating a trip in approval: %d, want 409", st)
	}
	mgr.JSON("POST", fmt.Sprintf("/api/v1/trip-requests/%d/approve", tr.ID), map[string]any{}, nil)
	var sug fleet.SuggestAnswer
	if mgr.JSON("GET", fmt.Sprintf("/api/v1/trip-requests/%d/suggestions", tr.ID), nil, &sug); len(sug.Vehicles) == 0 || len(sug.Drivers) == 0 {
		t.Fatalf("no suggestion: %+v", sug)
	}
	for _, step := range []struct {
		action string
		body   map[string]any
	}{{"dispatch", map[string]any{"vehicle_id": sug.Vehicles[0].VehicleID, "driver_id": sug.Drivers[0].DriverID}}, {"start", map[string]any{"odometer_km": 900000}},
		{"complete", map[string]any{"odometer_km": 900030}}} {
		if st := mgr.JSON("POST", fmt.Sprintf("/api/v1/trip-requests/%d/%s", tr.ID, step.action), step.body, nil); st != 200 {
			t.Fatalf("%s: %d", step.action, st)
		}
	}
	var e apptest.ErrorBody
	if st := emp.JSON("POST", fmt.Sprintf("/api/v1/trip-requests/%d/rate", tr.ID), map[string]any{"rating": 6}, &e); st != 422 || e.Error.Fields["rating"] == "" {
		t.Errorf("rating 6: %d %+v", st, e)
	}
	if st := rate(mgr, map[string]any{"rating": 3}); st != 403 {
		t.Errorf("the dispatcher rating: %d, want 403", st)
	}
	var got struct {
		Rating        int    `json:"rating"`
		RatingComment string `json:"rating_comment"`
	}
	if st := emp.JSON("POST", fmt.Sprintf("/api/v1/trip-requests/%d/rate", tr.ID), map[string]any{"rating": 4, "comment": "准时，驾驶平稳"}, &got); st != 200 || got.Rating != 4 || got.RatingComment != "准时，驾驶平稳" {
		t.Errorf("rate: %d %+v", st, got)
	}
	if st := rate(emp, map[string]any{"rating": 5}); st != 409 {
		t.Errorf("rating twice: %d, want 409", st)
	}
	if r := env.Browser("employee", demoPassword).Get(fmt.Sprintf("/fleet/trips/%d", tr.ID)); r.StatusCode != 200 || !strings.Contains(r.Body, `id="trip-rating"`) || strings.Contains(r.Body, `id="trip-rate"`) {
		t.Errorf("trip page after rating: %d", r.StatusCode)
	}
}

// TestVehicleDocuments: a vehicle's documents (行驶证, 保单) are attachments its unit uploads and only users who may
// see the vehicle download.
func TestVehicleDocuments(t *testing.T) {
	env := newEnv(t)
	edu := env.API("edu", demoPassword)
	car := id64(t, env, "SELECT id FROM fleet_vehicles WHERE plate = '青BD51234'")
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	r := edu.Upload("/api/v1/attachments", "行驶证.pdf", pdf, map[string]string{"object_type": "fleet_vehicle", "object_id": fmt.Sprint(car)})
	if r.StatusCode != 201 {
		t.Fatalf("upload: %d %s", r.StatusCode, r.Body)
	}
	id := apptest.ID(r.Body)
	if r := env.API("fleet", demoPassword).Get(fmt.Sprintf("/api/v1/attachments/%d/content", id)); r.StatusCode != 200 || r.Body != string(pdf) {
		t.Errorf("the fleet centre downloading: %d", r.StatusCode)
	}
	// The bureau's car's policy: the education bureau does not see that vehicle.
	bureauCar := id64(t, env, "SELECT id FROM fleet_vehicles WHERE plate = '青AD12345'")
	r = env.API("fleet", demoPassword).Upload("/api/v1/attachments", "保单.pdf", pdf, map[string]string{"object_type": "fleet_vehicle", "object_id": fmt.Sprint(bureauCar)})
	if r.StatusCode != 201 {
		t.Fatalf("upload by the fleet centre: %d %s", r.StatusCode, r.Body)
	}
	if r := edu.Get(fmt.Sprintf("/api/v1/attachments/%d/content", apptest.ID(r.Body))); r.StatusCode != 404 {
		t.Errorf("a unit outside the vehicle's scope downloading: %d, want 404", r.StatusCode)
	}
	if r := env.API("employee", demoPassword).Get(fmt.Sprintf("/api/v1/attachments/%d/content", id)); r.StatusCode != 403 && r.StatusCode != 404 {
		t.Errorf("an employee downloading: %d", r.StatusCode)
	}
	if r := env.Browser("edu", demoPassword).Get(fmt.Sprintf("/fleet/vehicles/%d", car)); r.StatusCode != 200 || !strings.Contains(r.Body, "行驶证.pdf") {
		t.Errorf("the vehicle page lists the document: %d", r.StatusCode)
	}
}

func ledgerFile(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	var head []string
	for _, c := range fleet.VehicleColumns {
		head = append(head, c.Header)
	}
	for i, row := range append([][]string{head}, rows...) {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			_ = f.SetCellStr("Sheet1", cell, v)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestVehicleLedgerImport: a ledger is tried first, refused whole for a bad row (with line and column), then
// imported: new plates registered, plates of the unit updated, idempotent on a second run.
func TestVehicleLedgerImport(t *testing.T) {
	env := newEnv(t)
	edu := env.API("edu", demoPassword)
	unit := "松岭县教育局"
	before := count(t, env, "SELECT COUNT(*) FROM fleet_vehicles")
	bad := ledgerFile(t, [][]string{
		{"青B70001", unit, "其他公务用车", "汽油", "轿车", "1.5", "98000", "2025-05-01", "5", "吉利", "帝豪", "", "是", "1200", "", ""},
		{"青B7000", unit, "其他公务用车", "汽油", "轿车", "1.5", "98000", "2025-05-01", "5", "", "", "", "", "", "", ""},
		{"青B70002", "示范省财政厅", "其他公务用车", "汽油", "轿车", "1.5", "98000", "2025-05-01", "5", "", "", "", "", "", "", ""},
		{"青B70003", unit, "一般公务用车", "汽油", "飞机", "1.5", "98000", "2025-05-01", "5", "", "", "", "", "", "", ""},
		{"青A10086", unit, "其他公务用车", "汽油", "轿车", "1.5", "98000", "2025-05-01", "5", "", "", "", "", "", "", ""},
		{"青BD70004", unit, "其他公务用车", "纯电动", "轿车", "0", "119800", "2025-03-01", "5", "", "", "", "", "", "", "示例"},
	})
	r := edu.Upload("/api/v1/vehicles/import?dry_run=true", "ledger.xlsx", bad, nil)
	var rep struct {
		Report fleet.VehicleImportReport `json:"report"`
	}
	if r.StatusCode != 422 || json.Unmarshal([]byte(r.Body), &rep) != nil {
		t.Fatalf("bad ledger: %d %s", r.StatusCode, r.Body)
	}
	want := map[string]bool{"3 车牌号": false, "4 产权单位": false, "5 类别": false, "5 车身类型": false, "6 车牌号": false, "7 示例行": false}
	for _, e := range rep.Report.Errors {
		k := fmt.Sprintf("%d %s", e.Line, e.Column)
		if _, ok := want[k]; ok {
			want[k] = true
		} else {
			t.Errorf("unexpected error %+v", e)
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("no error at %s: %+v", k, rep.Report.Errors)
		}
	}
	good := ledgerFile(t, [][]string{
		{"青B70001", unit, "其他公务用车", "汽油", "轿车", "1.5", "98000", "2025-05-01", "5", "吉利", "帝豪", "", "是", "1200", "9100000000009001", ""},
		{"青BD70004", unit, "other", "electric", "sedan", "", "119800", "2025/03/01", "5", "比亚迪", "秦PLUS EV", "", "", "", "", ""},
		{"青BD51234", unit, "其他公务用车", "纯电动", "轿车", "0", "99800", "2025-01-01", "5", "五菱", "星光", "", "是", "15000", "", ""},
	})
	var dry fleet.VehicleImportReport
	if r = edu.Upload("/api/v1/vehicles/import?dry_run=true", "ledger.xlsx", good, nil); r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &dry) != nil ||
		dry.Created != 2 || dry.Updated != 1 || len(dry.Items) != 3 || dry.Items[2].Action != "update" {
		t.Fatalf("trial run: %d %s", r.StatusCode, r.Body)
	}
	if got := count(t, env, "SELECT COUNT(*) FROM fleet_vehicles"); got != before {
		t.Errorf("a trial run wrote %d vehicles", got-before)
	}
	if r = edu.Upload("/api/v1/vehicles/import", "ledger.xlsx", good, nil); r.StatusCode != 200 {
		t.Fatalf("import: %d %s", r.StatusCode, r.Body)
	}
	if got := count(t, env, "SELECT COUNT(*) FROM fleet_vehicles"); got != before+2 {
		t.Errorf("vehicles after import: %d more, want 2", got-before)
	}
	if got := count(t, env, "SELECT COUNT(*) FROM fleet_vehicles WHERE plate = '青BD51234' AND odometer_km = 15000 AND parking_spot <> ''"); got != 1 {
		t.Errorf("the updated vehicle lost what the file does not carry, or kept its odometer")
	}
	if r = edu.Upload("/api/v1/vehicles/import", "ledger.xlsx", good, nil); r.StatusCode != 200 || count(t, env, "SELECT COUNT(*) FROM fleet_vehicles") != before+2 {
		t.Errorf("second import: %d", r.StatusCode)
	}
	if r := env.Browser("edu", demoPassword).Get("/fleet/vehicles/import"); r.StatusCode != 200 || !strings.Contains(r.Body, "车辆识别代号") {
		t.Errorf("import page: %d", r.StatusCode)
	}
}
