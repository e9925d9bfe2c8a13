package energy_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/auth"
)

type reading struct {
	MeterID int64   `json:"meter_id"`
	TS      any     `json:"ts"`
	Value   float64 `json:"value"`
}

type ingestResult struct {
	Received, Inserted, Duplicates int
}

type anomaly struct {
	ID             int64   `json:"id"`
	Kind           string  `json:"kind"`
	Status         string  `json:"status"`
	PrevValue      float64 `json:"prev_value"`
	Value          float64 `json:"value"`
	Amount         float64 `json:"amount"`
	ResolvedAmount float64 `json:"resolved_amount"`
}

func mkMeter(t testing.TB, c *apptest.Client, body map[string]any) int64 {
	t.Helper()
	var out struct {
		ID int64 `json:"id"`
	}
	if st := c.JSON("POST", "/api/v1/energy/meters", body, &out); st != 201 {
		var eb apptest.ErrorBody
		c.JSON("POST", "/api/v1/energy/meters", body, &eb)
		t.Fatalf("create meter %v: %d %+v", body, st, eb)
	}
	return out.ID
}

func postReadings(t *testing.T, c *apptest.Client, rs []reading) (int, ingestResult) {
	t.Helper()
	var out ingestResult
	st := c.JSON("POST", "/api/v1/energy/readings", rs, &out)
	return st, out
}

// TestMeterDerivedConsumption: a cumulative meter's differences × multiplier become the month the later reading
// closes; a monthly entry, where there is one, wins; a decrease is flagged and not summed until resolved.
func TestMeterDerivedConsumption(t *testing.T) {
	e := newEnv(t, false)
	c := e.Admin()
	unit := mkOrg(t, c, map[string]any{"name": "计量测试单位", "headcount": 40, "floor_area_m2": 2000})
	main := mkMeter(t, c, map[string]any{"org_id": unit, "energy_type": "electricity", "name": "总表", "multiplier": 2, "cumulative": true})
	sub := mkMeter(t, c, map[string]any{"org_id": unit, "energy_type": "electricity", "name": "空调分表", "sub_item": "b", "cumulative": true})

	rs := []reading{
		{main, "2025-01-01T00:00:00+08:00", 1000}, {main, "2025-01-15T12:00:00+08:00", 1500},
		{main, "2025-02-01T00:00:00+08:00", 2000}, // closes January: (2000 − 1000) × 2 = 2000
		{main, 1739116800, 2100},                  // 2025-02-10T00:00+08:00 as Unix seconds: February 200
		{sub, "2025-01-01T00:00:00+08:00", 10}, {sub, "2025-02-01T00:00:00+08:00", 510},
	}
	st, res := postReadings(t, c, rs)
	if st != 200 || res.Received != 6 || res.Inserted != 6 {
		t.Fatalf("post readings: %d %+v", st, res)
	}
	jan := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025&month=1", unit))
	if jan.amount("electricity") != 2000 {
		t.Errorf("January from the main meter = %v, want 2000 (sub-item meters are not added)", jan.amount("electricity"))
	}
	if feb := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025&month=2", unit)); feb.amount("electricity") != 200 {
		t.Errorf("February = %v, want 200", feb.amount("electricity"))
	}
	// Duplicates are no-ops.
	st, res = postReadings(t, c, rs[:3])
	if st != 200 || res.Inserted != 0 || res.Duplicates != 3 {
		t.Errorf("repeat: %d %+v", st, res)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'energy.readings'"); n != 2 {
		t.Errorf("audit entries for two batches = %d, want 2 (one per batch)", n)
	}
	// The statistics entry is authoritative.
	post(t, c, unit, "2025-01", "electricity", 1800)
	if jan := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025&month=1", unit)); jan.amount("electricity") != 1800 {
		t.Errorf("January with an entry = %v, want 1800", jan.amount("electricity"))
	}
	// Removing the entry falls back to the meter.
	if r := c.Do("DELETE", fmt.Sprintf("/api/v1/energy/consumption/%d/2025-01/electricity", unit), "", nil); r.StatusCode != 204 {
		t.Errorf("delete entry: %d %s", r.StatusCode, r.Body)
	}
	if jan := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025&month=1", unit)); jan.amount("electricity") != 2000 {
		t.Errorf("January after deleting the entry = %v, want the meter's 2000", jan.amount("electricity"))
	}

	// A decrease (meter replaced) is flagged, not summed.
	if st, _ := postReadings(t, c, []reading{{main, "2025-02-20T00:00:00+08:00", 50}, {main, "2025-02-25T00:00:00+08:00", 80}}); st != 200 {
		t.Fatalf("post: %d", st)
	}
	feb := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025&month=2", unit))
	if feb.amount("electricity") != 260 {
		t.Errorf("February with a decrease = %v, want 200 + (80 − 50) × 2 = 260", feb.amount("electricity"))
	}
	var list struct {
		Items []anomaly
		Total int
	}
	c.JSON("GET", fmt.Sprintf("/api/v1/energy/anomalies?meter_id=%d&status=open", main), nil, &list)
	if list.Total != 1 || list.Items[0].Kind != "decrease" || list.Items[0].PrevValue != 2100 || list.Items[0].Value != 50 {
		t.Fatalf("open anomalies = %+v", list)
	}
	a := list.Items[0]
	var eb apptest.ErrorBody
	if st := c.JSON("POST", fmt.Sprintf("/api/v1/energy/anomalies/%d/resolve", a.ID), map[string]any{"resolution": "accept", "note": "x"}, &eb); st != 422 {
		t.Errorf("accepting a decrease: %d", st)
	}
	var res2 anomaly
	if st := c.JSON("POST", fmt.Sprintf("/api/v1/energy/anomalies/%d/resolve", a.ID), map[string]any{"resolution": "replacement", "old_final": 2150,
		"new_start": 0, "note": "2 月 18 日换表，旧表止码 2150"}, &res2); st != 200 {
		t.Fatalf("resolve: %d", st)
	}
	if res2.ResolvedAmount != 200 || res2.Status != "resolved" {
		t.Errorf("resolved = %+v, want (2150 − 2100 + 50 − 0) × 2 = 200", res2)
	}
	if feb := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025&month=2", unit)); feb.amount("electricity") != 460 {
		t.Errorf("February after the replacement = %v, want 460", feb.amount("electricity"))
	}
	if st := c.JSON("POST", fmt.Sprintf("/api/v1/energy/anomalies/%d/resolve", a.ID), map[string]any{"resolution": "ignore", "note": "again"}, nil); st != 409 {
		t.Errorf("resolving twice: %d, want 409", st)
	}

	// Bad readings: the whole batch is refused and nothing is written.
	before := e.count(t, "SELECT COUNT(*) FROM energy_readings")
	for _, bad := range []struct {
		body   string
		status int
	}{
		{`[{"meter_id":` + fmt.Sprint(main) + `,"ts":"2025-03-01T00:00:00","value":1}]`, 422}, // no offset
		{`[{"meter_id":` + fmt.Sprint(main) + `,"ts":"2025-03-01T00:00:00+08:00"}]`, 422},     // no value
		{`[{"meter_id":` + fmt.Sprint(main) + `,"ts":"2031-03-01T00:00:00+08:00","value":1}]`, 422},
		{`[{"meter_id":999999,"ts":"2025-03-01T00:00:00+08:00","value":1}]`, 404},
		{`{"meter_id":1}`, 400},
		{`[{"meter_id":` + fmt.Sprint(main) + `,"ts":`, 400},
		{`[]`, 422},
	} {
		if r := c.Do("POST", "/api/v1/energy/readings", "application/json", []byte(bad.body)); r.StatusCode != bad.status {
			t.Errorf("%s: %d %s, want %d", bad.body, r.StatusCode, r.Body, bad.status)
		}
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_readings"); n != before {
		t.Errorf("bad batches wrote %d readings", n-before)
	}

	// Outside the scope: 404 for the meter, as for the unit.
	other := mkOrg(t, c, map[string]any{"name": "另一单位"})
	if st := c.JSON("POST", "/api/v1/users", map[string]any{"username": "unitonly", "password": "Unit#Only2026x", "roles": []string{"energy_manager"},
		"scope_org_id": other, "data_scope": "unit"}, nil); st != 201 {
		t.Fatalf("user: %d", st)
	}
	o := e.API("unitonly", "Unit#Only2026x")
	// An account made by an administrator changes its initial password before anything else.
	if st := o.JSON("POST", "/api/v1/me/password", map[string]string{"current_password": "Unit#Only2026x", "new_password": "Unit#Only2026y"}, nil); st != 204 {
		t.Fatalf("change the initial password: %d", st)
	}
	if st, _ := postReadings(t, o, []reading{{main, "2025-03-01T00:00:00+08:00", 3000}}); st != 404 {
		t.Errorf("readings for a meter outside scope: %d", st)
	}
	if st := o.JSON("GET", fmt.Sprintf("/api/v1/energy/meters/%d", main), nil, nil); st != 404 {
		t.Errorf("meter outside scope: %d", st)
	}

	// The balance check compares the main meter with the building's sub-item meters (here: explicit children).
	child := mkMeter(t, c, map[string]any{"org_id": unit, "energy_type": "electricity", "name": "照明", "sub_item": "a", "parent_id": main})
	postReadings(t, c, []reading{{child, "2025-01-01T00:00:00+08:00", 0}, {child, "2025-02-01T00:00:00+08:00", 1900}})
	var bal struct {
		Basis  string
		Months []struct {
			Period    string
			Main, Sub float64
			Flag      bool
		}
	}
	c.JSON("GET", fmt.Sprintf("/api/v1/energy/meters/%d/balance?year=2025", main), nil, &bal)
	if bal.Basis != "children" || len(bal.Months) == 0 || bal.Months[0].Main != 2000 || bal.Months[0].Sub != 1900 || bal.Months[0].Flag {
		t.Errorf("balance = %+v (5%% difference is within tolerance)", bal)
	}
	if r := c.Get(fmt.Sprintf("/api/v1/energy/meters/%d/series?from=2025-01-01&to=2025-02-28", main)); r.StatusCode != 200 || !contains(r.Body, `"resolution":"hour"`) {
		t.Errorf("series: %d %s", r.StatusCode, r.Body)
	}
}

func TestMeterValidation(t *testing.T) {
	e := newEnv(t, false)
	c := e.Admin()
	unit := mkOrg(t, c, map[string]any{"name": "表计校验单位"})
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"org_id": unit, "energy_type": "water", "name": "水表", "sub_item": "a1"}, "sub_item"},
		{map[string]any{"org_id": unit, "energy_type": "electricity", "name": "x", "sub_item": "z9"}, "sub_item"},
		{map[string]any{"org_id": unit, "energy_type": "electricity", "name": "x", "multiplier": 0}, "multiplier"},
		{map[string]any{"org_id": unit, "energy_type": "steam", "name": "x"}, "energy_type"},
		{map[string]any{"org_id": unit, "energy_type": "electricity", "name": ""}, "name"},
		{map[string]any{"org_id": unit, "energy_type": "electricity", "name": "x", "building_id": 424242}, "building_id"},
	} {
		var eb apptest.ErrorBody
		if st := c.JSON("POST", "/api/v1/energy/meters", bad.body, &eb); st != 422 || eb.Error.Fields[bad.field] == "" {
			t.Errorf("%v: %d %v", bad.body, st, eb.Error.Fields)
		}
	}
	water := mkMeter(t, c, map[string]any{"org_id": unit, "energy_type": "water", "name": "水表", "code": "W-1"})
	var eb apptest.ErrorBody
	if st := c.JSON("POST", "/api/v1/energy/meters", map[string]any{"org_id": unit, "energy_type": "electricity", "name": "电", "parent_id": water}, &eb); st != 422 ||
		eb.Error.Fields["parent_id"] == "" {
		t.Errorf("parent of another type: %d %v", st, eb.Error.Fields)
	}
	if st := c.JSON("POST", "/api/v1/energy/meters", map[string]any{"org_id": unit, "energy_type": "water", "name": "水2", "code": "W-1"}, &eb); st != 422 {
		t.Errorf("duplicate code: %d", st)
	}
}

// TestMeterChangeRecomputes: a corrected multiplier recomputes the roll-ups and the unit's figures; moving a meter
// to another unit moves its consumption.
func TestMeterChangeRecomputes(t *testing.T) {
	e := newEnv(t, false)
	c := e.Admin()
	a := mkOrg(t, c, map[string]any{"name": "甲单位"})
	b := mkOrg(t, c, map[string]any{"name": "乙单位"})
	m := mkMeter(t, c, map[string]any{"org_id": a, "energy_type": "electricity", "name": "总表", "multiplier": 2})
	postReadings(t, c, []reading{{m, "2025-01-01T00:00:00+08:00", 100}, {m, "2025-02-01T00:00:00+08:00", 600}})
	if jan := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025", a)); jan.amount("electricity") != 1000 {
		t.Fatalf("before = %v", jan.amount("electricity"))
	}
	body := map[string]any{"org_id": a, "energy_type": "electricity", "name": "总表", "multiplier": 3}
	if st := c.JSON("PATCH", fmt.Sprintf("/api/v1/energy/meters/%d", m), body, nil); st != 200 {
		t.Fatalf("patch: %d", st)
	}
	if jan := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025", a)); jan.amount("electricity") != 1500 {
		t.Errorf("after the multiplier changed = %v, want 1500", jan.amount("electricity"))
	}
	body["org_id"] = b
	if st := c.JSON("PATCH", fmt.Sprintf("/api/v1/energy/meters/%d", m), body, nil); st != 200 {
		t.Fatalf("move: %d", st)
	}
	if in := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025", a)); in.amount("electricity") != 0 {
		t.Errorf("old unit keeps %v", in.amount("electricity"))
	}
	if in := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025", b)); in.amount("electricity") != 1500 {
		t.Errorf("new unit has %v", in.amount("electricity"))
	}
}

// TestBuildingSubItems: meters on a building — a main meter and sub-item meters — give the building page its
// sub-item breakdown and the main meter its balance against the building's sub-items.
func TestBuildingSubItems(t *testing.T) {
	e := newEnv(t, false)
	c := e.Admin()
	unit := mkOrg(t, c, map[string]any{"name": "楼栋测试单位"})
	now := e.Clock.Now().Unix()
	var bid int64
	if err := e.App.DB.QueryRow(e.ctx, "INSERT INTO buildings (org_id, name, gross_area_m2, created_at, updated_at) VALUES (?, '综合楼', 5000, ?, ?) RETURNING id",
		unit, now, now).Scan(&bid); err != nil {
		t.Fatal(err)
	}
	main := mkMeter(t, c, map[string]any{"org_id": unit, "building_id": bid, "energy_type": "electricity", "name": "综合楼总表"})
	light := mkMeter(t, c, map[string]any{"org_id": unit, "building_id": bid, "energy_type": "electricity", "name": "照明", "sub_item": "a1"})
	hvac := mkMeter(t, c, map[string]any{"org_id": unit, "building_id": bid, "energy_type": "electricity", "name": "空调", "sub_item": "b"})
	postReadings(t, c, []reading{
		{main, "2025-06-01T00:00:00+08:00", 0}, {main, "2025-07-01T00:00:00+08:00", 1000},
		{light, "2025-06-01T00:00:00+08:00", 0}, {light, "2025-07-01T00:00:00+08:00", 300},
		{hvac, "2025-06-01T00:00:00+08:00", 0}, {hvac, "2025-07-01T00:00:00+08:00", 600},
	})
	var subs struct {
		Items []struct {
			Code   string
			Total  float64
			Months [12]float64
		}
	}
	c.JSON("GET", fmt.Sprintf("/api/v1/energy/sub-items?org_id=%d&year=2025", unit), nil, &subs)
	if len(subs.Items) != 2 || subs.Items[0].Code != "a" || subs.Items[0].Months[5] != 300 || subs.Items[1].Total != 600 {
		t.Errorf("sub-items = %+v", subs.Items)
	}
	var bal struct {
		Basis  string
		Months []struct {
			Main, Sub, Ratio float64
			Flag             bool
		}
	}
	c.JSON("GET", fmt.Sprintf("/api/v1/energy/meters/%d/balance?year=2025", main), nil, &bal)
	if bal.Basis != "sub_items" || len(bal.Months) != 1 || bal.Months[0].Sub != 900 || bal.Months[0].Ratio != 0.1 || !bal.Months[0].Flag {
		t.Errorf("balance = %+v (10%% unmetered is out of tolerance)", bal)
	}
	if in := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025", unit)); in.amount("electricity") != 1000 {
		t.Errorf("the unit counts %v, want the main meter's 1000", in.amount("electricity"))
	}
	br := e.Browser("admin", apptest.AdminPassword)
	if r := br.Get(fmt.Sprintf("/energy/buildings/%d?year=2025", bid)); r.StatusCode != 200 || !strings.Contains(r.Body, "空调用电") || !strings.Contains(r.Body, "综合楼总表") {
		t.Errorf("building page: %d", r.StatusCode)
	}
	if r := br.Get(fmt.Sprintf("/energy/meters/%d?from=2025-06-01&to=2025-07-01", main)); r.StatusCode != 200 || !strings.Contains(r.Body, "同楼栋分项表") {
		t.Errorf("meter page lacks the balance: %d", r.StatusCode)
	}
}

// TestVirtualMeter: 空调 = 总表 − 照明 − 动力 as a virtual sub-item meter — formulas checked (422 on formula), its
// months computed from its terms' and recomputed when they change, no readings of its own, never counted as the
// unit's consumption, present in the sub-item breakdown; a term cannot change unit or type, a meter cannot change
// kind.
func TestVirtualMeter(t *testing.T) {
	e := newEnv(t, false)
	c := e.Admin()
	unit := mkOrg(t, c, map[string]any{"name": "虚拟表测试单位", "headcount": 40, "floor_area_m2": 2000})
	other := mkOrg(t, c, map[string]any{"name": "另一单位"})
	main := mkMeter(t, c, map[string]any{"org_id": unit, "energy_type": "electricity", "name": "总表", "code": "V-MAIN"})
	light := mkMeter(t, c, map[string]any{"org_id": unit, "energy_type": "electricity", "name": "照明", "code": "V-LIGHT", "sub_item": "a"})
	power := mkMeter(t, c, map[string]any{"org_id": unit, "energy_type": "electricity", "name": "动力", "code": "V-POWER", "sub_item": "c"})
	mkMeter(t, c, map[string]any{"org_id": unit, "energy_type": "water", "name": "水表", "code": "V-WATER"})
	mkMeter(t, c, map[string]any{"org_id": other, "energy_type": "electricity", "name": "别家总表", "code": "V-OTHER"})
	for _, bad := range []string{"V-MAIN -", "V-MAIN V-LIGHT", "+ V-MAIN", "V-NOPE - V-LIGHT", "V-MAIN - V-WATER", "V-MAIN - V-OTHER", "V-MAIN - V-MAIN", "V-MAIN - #abc"} {
		var eb apptest.ErrorBody
		if st := c.JSON("POST", "/api/v1/energy/meters", map[string]any{"org_id": unit, "energy_type": "electricity", "name": "空调", "sub_item": "b",
			"formula": bad}, &eb); st != 422 || eb.Error.Fields["formula"] == "" {
			t.Errorf("formula %q: %d %v", bad, st, eb.Error.Fields)
		}
	}
	// Readings first, the virtual meter afterwards: it is computed from the history at once.
	rs := []reading{
		{main, "2025-01-01T00:00:00+08:00", 1000}, {main, "2025-02-01T00:00:00+08:00", 2000},
		{light, "2025-01-01T00:00:00+08:00", 100}, {light, "2025-02-01T00:00:00+08:00", 400},
		{power, "2025-01-01T00:00:00+08:00", 50}, {power, "2025-02-01T00:00:00+08:00", 250},
	}
	if st, res := postReadings(t, c, rs); st != 200 || res.Inserted != 6 {
		t.Fatalf("readings: %d %+v", st, res)
	}
	e.svc.WaitRollups(e.ctx)
	hvac := mkMeter(t, c, map[string]any{"org_id": unit, "energy_type": "electricity", "name": "空调（推算）", "sub_item": "b",
		"formula": "V-MAIN − V-LIGHT -V-POWER"})
	month := func(id int64, period string) float64 {
		t.Helper()
		var v float64
		_ = e.App.DB.QueryRow(e.ctx, "SELECT COALESCE(SUM(amount), 0) FROM energy_meter_monthly WHERE meter_id = ? AND period = ?", id, period).Scan(&v)
		return v
	}
	if v := month(hvac, "2025-01"); v != 500 {
		t.Errorf("January of 总表 − 照明 − 动力 = %v, want 1000 − 300 − 200 = 500", v)
	}
	var m struct {
		Role    string `json:"role"`
		Formula string `json:"formula"`
		Terms   []struct {
			MeterID int64 `json:"meter_id"`
			Sign    int   `json:"sign"`
		} `json:"terms"`
	}
	if st := c.JSON("GET", fmt.Sprintf("/api/v1/energy/meters/%d", hvac), nil, &m); st != 200 || m.Role != "virtual" || m.Formula != "V-MAIN - V-LIGHT - V-POWER" || len(m.Terms) != 3 {
		t.Errorf("virtual meter: %d %+v", st, m)
	}
	// New readings of the terms recompute it.
	more := []reading{{main, "2025-03-01T00:00:00+08:00", 2600}, {light, "2025-03-01T00:00:00+08:00", 500}, {power, "2025-03-01T00:00:00+08:00", 300}}
	if st, _ := postReadings(t, c, more); st != 200 {
		t.Fatalf("more readings: %d", st)
	}
	e.svc.WaitRollups(e.ctx)
	if v := month(hvac, "2025-02"); v != 450 {
		t.Errorf("February = %v, want 600 − 100 − 50 = 450", v)
	}
	// It takes no readings and never counts as consumption.
	if st, _ := postReadings(t, c, []reading{{hvac, "2025-03-02T00:00:00+08:00", 1}}); st != 422 {
		t.Errorf("a reading for the virtual meter: %d, want 422", st)
	}
	if jan := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025&month=1", unit)); jan.amount("electricity") != 1000 {
		t.Errorf("January consumption %v, want the main meter's 1000", jan.amount("electricity"))
	}
	items, err := energy.SubItemBreakdown(e.ctx, e.App.DB, auth.Everything(), energy.Selection{OrgID: unit}, 0, 2025)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, it := range items {
		got[it.Code] = it.Months[0]
	}
	if got["a"] != 300 || got["b"] != 500 || got["c"] != 200 {
		t.Errorf("sub-item breakdown for January %v, want a 300, b 500 (virtual), c 200", got)
	}
	var bal struct {
		Children []any `json:"children"`
	}
	if st := c.JSON("GET", fmt.Sprintf("/api/v1/energy/meters/%d/balance?year=2025", hvac), nil, &bal); st != 200 || len(bal.Children) != 0 {
		t.Errorf("a virtual meter's balance: %d %v", st, bal.Children)
	}
	// Kinds do not change; a term keeps its unit and type.
	var eb apptest.ErrorBody
	if st := c.JSON("PATCH", fmt.Sprintf("/api/v1/energy/meters/%d", main), map[string]any{"org_id": unit, "energy_type": "electricity", "name": "总表",
		"code": "V-MAIN", "formula": "V-LIGHT"}, &eb); st != 422 || eb.Error.Fields["formula"] == "" {
		t.Errorf("physical → virtual: %d %v", st, eb.Error.Fields)
	}
	if st := c.JSON("PATCH", fmt.Sprintf("/api/v1/energy/meters/%d", light), map[string]any{"org_id": unit, "energy_type": "water", "name": "照明",
		"code": "V-LIGHT"}, &eb); st != 422 || eb.Error.Fields["energy_type"] == "" {
		t.Errorf("a term changing type: %d %v", st, eb.Error.Fields)
	}
	// Editing the formula recomputes the whole history.
	if st := c.JSON("PATCH", fmt.Sprintf("/api/v1/energy/meters/%d", hvac), map[string]any{"org_id": unit, "energy_type": "electricity", "name": "空调（推算）",
		"sub_item": "b", "formula": "V-MAIN - V-LIGHT"}, nil); st != 200 {
		t.Fatalf("edit formula: %d", st)
	}
	if v := month(hvac, "2025-01"); v != 700 {
		t.Errorf("January after the edit = %v, want 1000 − 300 = 700", v)
	}
	if r := e.Browser("admin", apptest.AdminPassword).Get(fmt.Sprintf("/energy/meters/%d", hvac)); r.StatusCode != 200 || !strings.Contains(r.Body, `id="formula"`) || !strings.Contains(r.Body, "照明") {
		t.Errorf("meter page: %d", r.StatusCode)
	}
}
