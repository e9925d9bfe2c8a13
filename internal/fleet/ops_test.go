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

func findings(t *testing.T, c *apptest.Client, rule string) []finding {
	t.Helper()
	var list struct {
		Items []finding `json:"items"`
	}
	if st := c.JSON("GET", "/api/v1/fleet/compliance?rule="+rule, nil, &list); st != 200 {
		t.Fatalf("compliance: %d", st)
	}
	return list.Items
}

// TestDesignatedSuppliers: the table per unit (API, page, Excel), and a cost at a supplier not designated for the
// vehicle's unit and kind — by the unit or a unit above it — is a non_designated_supplier finding with its rule.
func TestDesignatedSuppliers(t *testing.T) {
	env := newEnv(t)
	mgr, edu := env.API("fleet", demoPassword), env.API("edu", demoPassword)
	eduOrg := env.OrgID(t, "松岭县教育局")
	body := map[string]any{"org_id": eduOrg, "kind": "maintenance", "name": "松岭县汽车修理厂", "valid_from": "2026-01-01", "valid_to": "2026-12-31"}
	var sup struct {
		ID   int64  `json:"id"`
		Kind string `json:"kind"`
	}
	if st := mgr.JSON("POST", "/api/v1/fleet/suppliers", body, &sup); st != 201 || sup.Kind != "maintenance" {
		t.Fatalf("designate: %d %+v", st, sup)
	}
	var e apptest.ErrorBody
	if st := mgr.JSON("POST", "/api/v1/fleet/suppliers", body, &e); st != 409 {
		t.Errorf("the same designation twice: %d, want 409", st)
	}
	for field, patch := range map[string]map[string]any{"kind": {"kind": "tyres"}, "valid_to": {"valid_from": "2026-01-01", "valid_to": "2025-01-01"}, "name": {"name": " "}} {
		b := map[string]any{"org_id": eduOrg, "kind": "fuel", "name": "某加油站"}
		for k, v := range patch {
			b[k] = v
		}
		var e apptest.ErrorBody
		if st := mgr.JSON("POST", "/api/v1/fleet/suppliers", b, &e); st != 422 || e.Error.Fields[field] == "" {
			t.Errorf("%s: %d %+v, want 422 naming it", field, st, e)
		}
	}
	if st := edu.JSON("POST", "/api/v1/fleet/suppliers", body, nil); st != 403 {
		t.Errorf("a unit designating: %d, want 403", st)
	}
	var list struct {
		Items []fleet.Supplier `json:"items"`
	}
	if st := edu.JSON("GET", "/api/v1/fleet/suppliers", nil, &list); st != 200 || len(list.Items) != 2 {
		t.Errorf("the unit's designations: %d %+v", st, list.Items)
	}
	for _, x := range list.Items {
		if x.OrgID != eduOrg {
			t.Errorf("a designation outside the unit's scope: %+v", x)
		}
	}
	if st := edu.JSON("GET", fmt.Sprintf("/api/v1/fleet/suppliers/%d", id64(t, env, "SELECT id FROM fleet_suppliers WHERE org_id <> ? LIMIT 1", eduOrg)), nil, nil); st != 404 {
		t.Errorf("another unit's designation: %d, want 404", st)
	}
	// Costs of the education bureau's car: at its own garage, at the province's garage (designated by the bureau above
	// it), and at a garage nobody designated.
	car := id64(t, env, "SELECT id FROM fleet_vehicles WHERE plate = '青BD51234'")
	day := clock.Today(env.Clock.Now().AddDate(0, 0, -3))
	for _, s := range []string{"松岭县汽车修理厂", "示范省汽车维修中心", "城东汽修店"} {
		if st := edu.JSON("POST", "/api/v1/vehicle-costs", map[string]any{"vehicle_id": car, "kind": "maintenance", "amount_yuan": 500, "date": day, "supplier": s}, nil); st != 201 {
			t.Fatalf("cost at %s: %d", s, st)
		}
	}
	var hit []finding
	for _, f := range findings(t, edu, "non_designated_supplier") {
		if f.VehicleID == car {
			hit = append(hit, f)
		}
	}
	if len(hit) != 1 || !strings.Contains(hit[0].Detail, "城东汽修店") || hit[0].RuleText == "" || !strings.Contains(hit[0].Source, "71号") {
		t.Errorf("non_designated_supplier of 青BD51234: %+v, want only the cost at 城东汽修店 with rule and source", hit)
	}
	// Quantities only on fuel and charging.
	if st := edu.JSON("POST", "/api/v1/vehicle-costs", map[string]any{"vehicle_id": car, "kind": "toll", "amount_yuan": 5, "date": day, "quantity": 3}, &e); st != 422 || e.Error.Fields["quantity"] == "" {
		t.Errorf("a toll with a quantity: %d %+v", st, e)
	}
	// The page and its Excel export.
	web := env.Browser("fleet", demoPassword)
	if r := web.Get("/fleet/suppliers"); r.StatusCode != 200 || !strings.Contains(r.Body, "松岭县汽车修理厂") || !strings.Contains(r.Body, "示范省汽车维修中心") {
		t.Errorf("suppliers page: %d", r.StatusCode)
	}
	rows := web.SheetTable("/fleet/suppliers?format=xlsx")
	if len(rows) < 7 || rows[0][2] != "供应商" {
		t.Errorf("suppliers export: %v", rows)
	}
}

// statement builds a fuel-card statement workbook with the template's columns.
func statement(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	head := []string{}
	for _, c := range fleet.FuelCardColumns {
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

type fuelReport struct {
	DryRun  bool `json:"dry_run"`
	Rows    int  `json:"rows"`
	Created int  `json:"created"`
	Skipped int  `json:"skipped"`
	Errors  []struct {
		Line    int    `json:"line"`
		Column  string `json:"column"`
		Message string `json:"message"`
	} `json:"errors"`
	Items []fleet.FuelImportItem `json:"items"`
}

// TestFuelCardImport: a statement is matched by card or plate, tried first (listing what will be added, writing
// nothing), refused whole for an unmatched line or the template's example line, imported once (a second import
// skips every line), and its lines feed the ledger's litres and the cost_without_trip finding.
func TestFuelCardImport(t *testing.T) {
	env := newEnv(t)
	mgr := env.API("fleet", demoPassword)
	now := env.Clock.Now()
	d := func(n int) string { return clock.Today(now.AddDate(0, 0, n)) }
	// The template downloads with its columns and example.
	tpl := mgr.Sheet("/api/v1/fleet/fuel-cards/template")
	if len(tpl) < 2 || tpl[0][0] != "卡号" || tpl[1][len(tpl[1])-1] != "示例" {
		t.Fatalf("template: %v", tpl)
	}
	before := count(t, env, "SELECT COUNT(*) FROM fleet_costs")
	bad := statement(t, [][]string{
		{"9100000000000001", "", d(-2) + " 08:10", "120.50", "充电", "98", "国家电网示范充电站", "", "", ""},
		{"9199999999999999", "", d(-2) + " 09:00", "300", "加油", "38", "中石化示范路加油站", "", "", ""},
		{"", "青A99999", d(-2), "200", "", "", "", "", "", ""},
		{"9100000000000001", "青A12345", d(-2), "50", "", "", "", "", "", ""},
		{"", "青A12345", d(3), "-5", "", "", "", "", "", ""},
		{"9100 0000 0000 0001", "", "2026-11-03 08:15", "286.50", "加油", "35.2", "中石化示范路加油站", "", "T1", "示例"},
	})
	r := mgr.Upload("/api/v1/fleet/fuel-cards/import?dry_run=true", "statement.xlsx", bad, nil)
	var rep struct {
		Report fuelReport `json:"report"`
	}
	if r.StatusCode != 422 || json.Unmarshal([]byte(r.Body), &rep) != nil {
		t.Fatalf("bad statement: %d %s", r.StatusCode, r.Body)
	}
	want := map[string]bool{"3 卡号": false, "4 车牌号": false, "5 卡号": false, "6 交易时间": false, "6 金额": false, "7 示例行": false}
	for _, e := range rep.Report.Errors {
		k := fmt.Sprintf("%d %s", e.Line, e.Column)
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected error %+v", e)
		}
		want[k] = true
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("no error at line and column %s: %+v", k, rep.Report.Errors)
		}
	}
	if got := count(t, env, "SELECT COUNT(*) FROM fleet_costs"); got != before {
		t.Errorf("a refused statement wrote %d costs", got-before)
	}
	// A good statement: a charging line by card (the new-energy sedan), two fuel lines of the bus by plate on a day it
	// had no trip.
	good := statement(t, [][]string{
		{"9100-0000-0000-0001", "", d(-2) + " 08:10", "120.50", "充电", "98", "国家电网示范充电站", "", "C0001", ""},
		{"", "青A12345", d(-2) + " 09:30", "412", "", "50.2", "中石化示范路加油站", "88123", "", ""},
		{"", "青A 12345", d(-1), "95.00", "加油", "11.6", "城西加油站", "", "", ""},
	})
	r = mgr.Upload("/api/v1/fleet/fuel-cards/import?dry_run=true", "statement.xlsx", good, nil)
	var dry fuelReport
	if r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &dry) != nil || !dry.DryRun || dry.Created != 3 || len(dry.Items) != 3 {
		t.Fatalf("trial run: %d %s", r.StatusCode, r.Body)
	}
	if it := dry.Items[0]; it.Plate != "青AD12345" || it.MatchedBy != "card" || it.Kind != "charging" || it.Quantity != 98 {
		t.Errorf("the card line: %+v", it)
	}
	if it := dry.Items[1]; it.Plate != "青A12345" || it.MatchedBy != "plate" || it.Kind != "fuel" {
		t.Errorf("the plate line: %+v", it)
	}
	if got := count(t, env, "SELECT COUNT(*) FROM fleet_costs"); got != before {
		t.Errorf("a trial run wrote %d costs", got-before)
	}
	var done fuelReport
	if r = mgr.Upload("/api/v1/fleet/fuel-cards/import", "statement.xlsx", good, nil); r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &done) != nil || done.Created != 3 {
		t.Fatalf("import: %d %s", r.StatusCode, r.Body)
	}
	if got := count(t, env, "SELECT COUNT(*) FROM fleet_costs WHERE card_ref <> '' AND note = '加油卡对账单导入'"); got != 3 {
		t.Errorf("imported costs: %d", got)
	}
	var again fuelReport
	if r = mgr.Upload("/api/v1/fleet/fuel-cards/import", "statement.xlsx", good, nil); r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &again) != nil ||
		again.Created != 0 || again.Skipped != 3 {
		t.Errorf("second import: %d %s, want every line skipped", r.StatusCode, r.Body)
	}
	if got := count(t, env, "SELECT COUNT(*) FROM fleet_costs"); got != before+3 {
		t.Errorf("costs after two imports: %d more, want 3", got-before)
	}
	// The bus had no trip on those days: both lines are cost_without_trip; the one at 城西加油站 is also not designated.
	bus := id64(t, env, "SELECT id FROM fleet_vehicles WHERE plate = '青A12345'")
	n := 0
	for _, f := range findings(t, mgr, "cost_without_trip") {
		if f.VehicleID == bus {
			n++
		}
	}
	if n != 2 {
		t.Errorf("cost_without_trip of the imported bus lines: %d, want 2", n)
	}
	n = 0
	for _, f := range findings(t, mgr, "non_designated_supplier") {
		if f.VehicleID == bus && strings.Contains(f.Detail, "城西加油站") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("non_designated_supplier of the bus: %d, want 1", n)
	}
	// The page: a trial run through the browser lists the lines.
	web := env.Browser("fleet", demoPassword)
	if r := web.Get("/fleet/fuel-cards"); r.StatusCode != 200 || !strings.Contains(r.Body, "交易流水号") {
		t.Errorf("fuel-card page: %d", r.StatusCode)
	}
	if r := web.Upload("/fleet/fuel-cards", "statement.xlsx", good, map[string]string{"dry_run": "1"}); r.StatusCode != 200 || !strings.Contains(r.Body, "fuel-items") ||
		!strings.Contains(r.Body, "青AD12345") {
		t.Errorf("fuel-card trial run page: %d", r.StatusCode)
	}
	// A vehicle's fuel card is unique.
	var e apptest.ErrorBody
	if st := mgr.JSON("PATCH", fmt.Sprintf("/api/v1/vehicles/%d", bus), map[string]any{"fuel_card_no": "9100 0000 0000 0002"}, &e); st != 409 || e.Error.Fields["fuel_card_no"] == "" {
		t.Errorf("a card registered twice: %d %+v", st, e)
	}
}

// TestConsumptionBaseline: the ledger's fuel per 100 km against the vehicle's previous 12 months, flagged beyond the
// threshold of the reference data (the demo's 青A20731 runs about 36 % above its baseline).
func TestConsumptionBaseline(t *testing.T) {
	env := newEnv(t)
	mgr := env.API("fleet", demoPassword)
	year := env.Clock.Now().In(clock.Shanghai).Year()
	get := func(plate string) fleet.Ledger {
		var l fleet.Ledger
		if st := mgr.JSON("GET", fmt.Sprintf("/api/v1/vehicles/%d/ledger?year=%d", id64(t, env, "SELECT id FROM fleet_vehicles WHERE plate = ?", plate), year), nil, &l); st != 200 {
			t.Fatalf("ledger %s: %d", plate, st)
		}
		return l
	}
	gl8 := get("青A20731")
	if len(gl8.Consumption) != 1 {
		t.Fatalf("青A20731 consumption: %+v", gl8.Consumption)
	}
	c := gl8.Consumption[0]
	if c.Energy != "fuel" || c.Unit != "L" || c.BaselinePer100KM < 10.9 || c.BaselinePer100KM > 11.1 || c.Per100KM < 14.9 || c.Per100KM > 15.1 || !c.Anomaly || c.ThresholdPct != 20 {
		t.Errorf("青A20731: %+v, want about 15 L/100 km against 11, flagged at 20 %%", c)
	}
	ev := get("青AD20236")
	if len(ev.Consumption) != 1 || ev.Consumption[0].Energy != "charging" || ev.Consumption[0].Unit != "kWh" || ev.Consumption[0].Anomaly || ev.Consumption[0].BaselinePer100KM == 0 {
		t.Errorf("青AD20236: %+v, want kWh within its baseline", ev.Consumption)
	}
	// The vehicle page shows it.
	web := env.Browser("fleet", demoPassword)
	if r := web.Get(fmt.Sprintf("/fleet/vehicles/%d?tab=costs&year=%d", id64(t, env, "SELECT id FROM fleet_vehicles WHERE plate = '青A20731'"), year)); r.StatusCode != 200 ||
		!strings.Contains(r.Body, `id="consumption"`) || !strings.Contains(r.Body, "异常") {
		t.Errorf("consumption on the vehicle page: %d", r.StatusCode)
	}
}

// TestHirePool: a contract with its vehicles and drivers; offered when no own vehicle fits; a trip dispatched to
// a hire vehicle (overlap 409, mixed 422), completed, and settled at the contract's prices for the month.
func TestHirePool(t *testing.T) {
	env := newEnv(t)
	mgr := env.API("fleet", demoPassword)
	bureau := env.OrgID(t, "示范省机关事务管理局")
	var c fleet.HireContract
	body := map[string]any{"org_id": bureau, "company": "示范省远通客运有限公司", "contract_no": "HT-2026-9", "valid_from": "2026-01-01", "valid_to": "2027-06-30",
		"price_km_yuan": 3, "price_hour_yuan": 80, "price_day_yuan": 500}
	if st := mgr.JSON("POST", "/api/v1/fleet/hire-contracts", body, &c); st != 201 || c.ID == 0 {
		t.Fatalf("contract: %d %+v", st, c)
	}
	var e apptest.ErrorBody
	if st := mgr.JSON("POST", "/api/v1/fleet/hire-contracts", body, &e); st != 409 {
		t.Errorf("contract number twice: %d", st)
	}
	if st := mgr.JSON("POST", "/api/v1/fleet/hire-contracts", map[string]any{"org_id": bureau, "company": "x", "contract_no": "HT-0", "valid_from": "2026-01-01", "valid_to": "2026-12-31"}, &e); st != 422 || e.Error.Fields["price_km_yuan"] == "" {
		t.Errorf("contract without prices: %d %+v", st, e)
	}
	var v fleet.HireVehicle
	if st := mgr.JSON("POST", fmt.Sprintf("/api/v1/fleet/hire-contracts/%d/vehicles", c.ID), map[string]any{"plate": "青A8K301", "model": "宇通 大客", "fuel_type": "diesel", "seats": 45}, &v); st != 200 {
		t.Fatalf("hire vehicle: %d", st)
	}
	var dr fleet.HireDriver
	if st := mgr.JSON("POST", fmt.Sprintf("/api/v1/fleet/hire-contracts/%d/drivers", c.ID), map[string]any{"name": "杜师傅", "license_class": "A1"}, &dr); st != 200 {
		t.Fatalf("hire driver: %d", st)
	}
	if st := env.API("edu", demoPassword).JSON("GET", fmt.Sprintf("/api/v1/fleet/hire-contracts/%d", c.ID), nil, nil); st != 404 {
		t.Errorf("a unit reading the bureau's contract: %d, want 404", st)
	}
	// Two trips of 30 passengers at the same time: no own vehicle has the seats.
	now := env.Clock.Now().In(clock.Shanghai)
	start := time.Date(now.Year(), now.Month(), now.Day(), 9, 0, 0, 0, clock.Shanghai).AddDate(0, 0, 2)
	emp := env.API("employee", demoPassword)
	newTrip := func() int64 {
		var tr trip
		if st := emp.JSON("POST", "/api/v1/trip-requests", map[string]any{"purpose": "组织全省培训班学员现场教学", "passengers": 30, "origin": "省机关事务局", "destination": "省委党校",
			"start_at": start.Format(time.RFC3339), "end_at": start.Add(7 * time.Hour).Format(time.RFC3339)}, &tr); st != 201 {
			t.Fatalf("trip: %d", st)
		}
		if st := mgr.JSON("POST", fmt.Sprintf("/api/v1/trip-requests/%d/approve", tr.ID), map[string]any{}, nil); st != 200 {
			t.Fatalf("approve: %d", st)
		}
		return tr.ID
	}
	t1, t2 := newTrip(), newTrip()
	var sug fleet.SuggestAnswer
	if st := mgr.JSON("GET", fmt.Sprintf("/api/v1/trip-requests/%d/suggestions", t1), nil, &sug); st != 200 || len(sug.Vehicles) != 0 || len(sug.HireVehicles) == 0 ||
		sug.HireVehicles[0].HireVehicleID != v.ID || len(sug.HireDrivers) == 0 {
		t.Fatalf("suggestions: %d %+v", st, sug)
	}
	own := id64(t, env, "SELECT id FROM fleet_vehicles WHERE plate = '青A12345'")
	if st := mgr.JSON("POST", fmt.Sprintf("/api/v1/trip-requests/%d/dispatch", t1), map[string]any{"vehicle_id": own, "hire_vehicle_id": v.ID, "hire_driver_id": dr.ID}, &e); st != 422 {
		t.Errorf("own and hire together: %d", st)
	}
	var got trip
	if st := mgr.JSON("POST", fmt.Sprintf("/api/v1/trip-requests/%d/dispatch", t1), map[string]any{"hire_vehicle_id": v.ID, "hire_driver_id": dr.ID}, &got); st != 200 || got.Status != "dispatched" {
		t.Fatalf("hire dispatch: %d %+v", st, got)
	}
	if st := mgr.JSON("POST", fmt.Sprintf("/api/v1/trip-requests/%d/dispatch", t2), map[string]any{"hire_vehicle_id": v.ID, "hire_driver_id": dr.ID}, &e); st != 409 {
		t.Errorf("the hire vehicle twice at once: %d, want 409", st)
	}
	// The board shows the hire vehicle's trip; the trip page names the company.
	web := env.Browser("fleet", demoPassword)
	if r := web.Get("/fleet/dispatch?week=" + clock.Today(start)); r.StatusCode != 200 || !strings.Contains(r.Body, `id="hire-board"`) || !strings.Contains(r.Body, "青A8K301") {
		t.Errorf("hire pool on the board: %d", r.StatusCode)
	}
	if r := web.Get(fmt.Sprintf("/fleet/trips/%d", t1)); r.StatusCode != 200 || !strings.Contains(r.Body, "示范省远通客运有限公司") {
		t.Errorf("trip page of a hire trip: %d", r.StatusCode)
	}
	if r := web.Get(fmt.Sprintf("/fleet/trips/%d", t2)); r.StatusCode != 200 || strings.Contains(r.Body, `id="hire-dispatch"`) {
		t.Errorf("the busy hire vehicle is still offered: %d", r.StatusCode)
	}
	// Completed, then settled for the approved 7 hours: 120 km × 3 + min(7 h × 80, 1 day × 500).
	if st := mgr.JSON("POST", fmt.Sprintf("/api/v1/trip-requests/%d/start", t1), map[string]any{"odometer_km": 1000}, nil); st != 200 {
		t.Fatalf("start: %d", st)
	}
	if st := mgr.JSON("POST", fmt.Sprintf("/api/v1/trip-requests/%d/complete", t1), map[string]any{"odometer_km": 1120, "toll_yuan": 35}, &got); st != 200 || got.DistanceKM != 120 {
		t.Fatalf("complete: %d %+v", st, got)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM fleet_costs WHERE trip_id = ?", t1); n != 0 {
		t.Errorf("a hire trip wrote %d costs of own vehicles", n)
	}
	var st fleet.Settlement
	month := clock.Today(start)[:7]
	if code := mgr.JSON("GET", fmt.Sprintf("/api/v1/fleet/hire-contracts/%d/settlement?month=%s", c.ID, month), nil, &st); code != 200 || st.Trips != 1 || len(st.Lines) != 1 {
		t.Fatalf("settlement: %d %+v", code, st)
	}
	if l := st.Lines[0]; l.DistanceKM != 120 || l.Hours != 7 || l.Days != 1 || l.KMYuan != 360 || l.TimeYuan != 500 || st.AmountYuan != 860 {
		t.Errorf("settlement line: %+v total %.2f, want 360 + min(560, 500) = 860", l, st.AmountYuan)
	}
	if code := mgr.JSON("GET", fmt.Sprintf("/api/v1/fleet/hire-contracts/%d/settlement?month=2026-13", c.ID), nil, &e); code != 422 || e.Error.Fields["month"] == "" {
		t.Errorf("bad month: %d", code)
	}
	rows := web.SheetTable(fmt.Sprintf("/fleet/hire/%d?month=%s&format=xlsx", c.ID, month))
	if len(rows) != 2 || rows[1][1] != "青A8K301" || rows[1][len(rows[1])-1] != "860" {
		t.Errorf("settlement export: %v", rows)
	}
	// The demo company: three vehicles and settled trips.
	var demo struct {
		Items []fleet.HireContract `json:"items"`
	}
	mgr.JSON("GET", "/api/v1/fleet/hire-contracts", nil, &demo)
	var demoID int64
	for _, x := range demo.Items {
		if x.Company == "示范省安达汽车租赁有限公司" {
			demoID = x.ID
		}
	}
	var full fleet.HireContract
	if mgr.JSON("GET", fmt.Sprintf("/api/v1/fleet/hire-contracts/%d", demoID), nil, &full) != 200 || len(full.Vehicles) != 3 || len(full.Drivers) != 3 {
		t.Errorf("demo contract: %+v", full)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM fleet_trips t JOIN fleet_hire_vehicles v ON v.id = t.hire_vehicle_id WHERE v.contract_id = ? AND t.status = 'completed'", demoID); n < 8 {
		t.Errorf("demo hire trips: %d", n)
	}
	if r := web.Get(fmt.Sprintf("/fleet/hire/%d?month=%s", demoID, clock.Today(now.AddDate(0, 0, -33))[:7])); r.StatusCode != 200 || !strings.Contains(r.Body, `id="settle-amount"`) {
		t.Errorf("demo settlement page: %d", r.StatusCode)
	}
}

// TestOpsRules: the consumption comparison and the hire charge.
func TestOpsRules(t *testing.T) {
	for _, c := range []struct {
		qty, km, bq, bkm, th float64
		per, base, dev       float64
		anomaly              bool
	}{
		{15, 100, 11, 100, 0.2, 15, 11, 36.36, true},
		{8, 100, 8.5, 100, 0.2, 8, 8.5, -5.88, false},
		{5, 100, 8, 100, 0.2, 5, 8, -37.5, true},
		{5, 100, 0, 0, 0.2, 5, 0, 0, false},
		{0, 100, 8, 100, 0.2, 0, 8, 0, false},
		{15, 100, 11, 100, 0, 15, 11, 36.36, false},
	} {
		per, base, dev, an := fleet.ConsumptionCheck(c.qty, c.km, c.bq, c.bkm, c.th)
		if per != c.per || base != c.base || dev != c.dev || an != c.anomaly {
			t.Errorf("ConsumptionCheck(%v): %v %v %v %v", c, per, base, dev, an)
		}
	}
	for _, c := range []struct {
		km, hours        float64
		days             int
		pk, ph, pd       int64
		wantKM, wantTime int64
	}{
		{120, 7, 1, 300, 8000, 50000, 36000, 50000},
		{120, 3, 1, 300, 8000, 50000, 36000, 24000},
		{50, 30, 2, 0, 0, 40000, 0, 80000},
		{50, 2.5, 1, 250, 6000, 0, 12500, 15000},
	} {
		k, tm := fleet.HireCharge(c.km, c.hours, c.days, c.pk, c.ph, c.pd)
		if k != c.wantKM || tm != c.wantTime {
			t.Errorf("HireCharge(%v): %d %d", c, k, tm)
		}
	}
}
