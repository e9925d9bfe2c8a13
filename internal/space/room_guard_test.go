package space_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/space"
)

// TestRoomPlausibility: a room on a floor the building does not have, or larger than the whole building, is refused
// with a Chinese field error; a room above the plausible size asks for a confirmation with a reason.
func TestRoomPlausibility(t *testing.T) {
	env := newEnv(t)
	admin := env.Admin()
	unit := orgID(t, env, "松岭县财政局")
	var b space.BuildingRecord
	if st := admin.JSON("POST", "/api/v1/buildings", map[string]any{"name": "两层小楼", "org_id": unit, "address": "小楼路 1 号", "built_year": 1990,
		"floors": 2, "gross_area_m2": 600}, &b); st != 201 {
		t.Fatalf("create building: %d", st)
	}
	mk := func(body map[string]any) (int, apptest.ErrorBody, space.RoomRecord) {
		t.Helper()
		in := map[string]any{"building_id": b.ID, "floor": 1, "number": "101", "use_type": "office", "usable_area_m2": 20, "org_id": unit}
		for k, v := range body {
			in[k] = v
		}
		var e apptest.ErrorBody
		var r space.RoomRecord
		st := admin.JSON("POST", "/api/v1/rooms", in, &r)
		if st >= 400 {
			admin.JSON("POST", "/api/v1/rooms", in, &e)
		}
		return st, e, r
	}
	if st, e, _ := mk(map[string]any{"floor": 5}); st != 422 || !strings.Contains(e.Error.Fields["floor"], "共 2 层") {
		t.Errorf("floor 5 of a 2-floor building: %d %+v", st, e)
	}
	if st, e, _ := mk(map[string]any{"floor": -1}); st != 422 || e.Error.Fields["floor"] == "" {
		t.Errorf("a basement of a building without one: %d %+v", st, e)
	}
	if st, e, _ := mk(map[string]any{"usable_area_m2": 99999}); st != 422 || !strings.Contains(e.Error.Fields["usable_area_m2"], "超过整栋楼") {
		t.Errorf("a 99,999 m² room in a 600 m² building: %d %+v", st, e)
	}
	if st, e, _ := mk(map[string]any{"usable_area_m2": 550, "use_type": "auxiliary"}); st != 409 || e.Error.Fields["confirm"] == "" {
		t.Errorf("a 550 m² room without confirmation: %d %+v", st, e)
	}
	if st, e, _ := mk(map[string]any{"usable_area_m2": 550, "use_type": "auxiliary", "confirm": true}); st != 422 || e.Error.Fields["reason"] == "" {
		t.Errorf("a confirmation without a reason: %d %+v", st, e)
	}
	st, e, big := mk(map[string]any{"usable_area_m2": 550, "use_type": "auxiliary", "confirm": true, "reason": "车库，按测绘成果"})
	if st != 201 {
		t.Fatalf("a confirmed large room: %d %+v", st, e)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM object_history WHERE object_type = 'room' AND object_id = ? AND summary LIKE '%车库，按测绘成果%'", big.ID); n != 1 {
		t.Errorf("the confirmation reason is not in the history")
	}
	// An edit that moves the room beyond the building is refused too.
	if st := admin.JSON("PATCH", "/api/v1/rooms/"+itoa(big.ID), map[string]any{"floor": 3}, nil); st != 422 {
		t.Errorf("moving a room to floor 3 of 2: %d", st)
	}
	// The form shows the errors beside the fields, and the confirmation box.
	br := env.Browser("space", demoPassword)
	form := url.Values{"building_id": {itoa(b.ID)}, "floor": {"5"}, "number": {"501"}, "use_type": {"office"}, "usable_area_m2": {"20"}, "org_id": {itoa(unit)}, "status": {"in_use"}}
	wantPage(t, br.Form("POST", "/space/rooms", form), 422, "楼栋地上共 2 层")
	form.Set("floor", "2")
	form.Set("usable_area_m2", "520")
	wantPage(t, br.Form("POST", "/space/rooms", form), 409, "超过通常的", "面积核对无误，确认保存", "确认理由")
	form.Set("confirm", "1")
	form.Set("reason", "大会议室")
	if r := br.Form("POST", "/space/rooms", form); r.StatusCode != 303 {
		t.Errorf("confirmed by form: %d %s", r.StatusCode, snippet(r.Body))
	}
}

// TestVoidRoom: a room entered by mistake is voided (occupants released, kept in the history and the audit log, out of
// the ledger and the checks); a room whose use was entered wrongly is corrected without a "擅自改变使用功能" finding; a
// unit cannot void a room with open findings.
func TestVoidRoom(t *testing.T) {
	env := newEnv(t)
	admin := env.Admin()
	unit := orgID(t, env, "松岭县财政局")
	var b space.BuildingRecord
	if st := admin.JSON("POST", "/api/v1/buildings", map[string]any{"name": "作废楼", "org_id": unit, "address": "作废路 1 号", "built_year": 2000,
		"floors": 3, "gross_area_m2": 1500}, &b); st != 201 {
		t.Fatalf("create building: %d", st)
	}
	mk := func(number, use string) int64 {
		var r space.RoomRecord
		if st := admin.JSON("POST", "/api/v1/rooms", map[string]any{"building_id": b.ID, "floor": 1, "number": number, "use_type": use, "usable_area_m2": 12, "org_id": unit}, &r); st != 201 {
			t.Fatalf("create room %s: %d", number, st)
		}
		return r.ID
	}
	mistake, wrongUse := mk("101", "office"), mk("102", "office")
	p := mkPerson(t, admin, unit, "作废测试人", "staff")
	if st := admin.JSON("POST", "/api/v1/rooms/"+itoa(mistake)+"/occupants", map[string]any{"person_id": p}, nil); st != 201 {
		t.Fatalf("assign: %d", st)
	}
	var e apptest.ErrorBody
	if st := admin.JSON("POST", "/api/v1/rooms/"+itoa(mistake)+"/void", map[string]any{}, &e); st != 422 || e.Error.Fields["reason"] == "" {
		t.Errorf("void without a reason: %d %+v", st, e)
	}
	var voided space.RoomRecord
	if st := admin.JSON("POST", "/api/v1/rooms/"+itoa(mistake)+"/void", map[string]any{"reason": "重复登记"}, &voided); st != 200 || !voided.Voided || voided.Status != "disposed" {
		t.Fatalf("void: %d %+v", st, voided)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM space_occupants WHERE room_id = ?", mistake); n != 0 {
		t.Errorf("a voided room keeps %d occupants", n)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM audit_log WHERE action = 'space.room.void' AND object_id = ?", itoa(mistake)); n != 1 {
		t.Errorf("void audited %d times", n)
	}
	var rooms struct {
		Items []space.RoomRecord `json:"items"`
	}
	admin.JSON("GET", "/api/v1/rooms?building_id="+itoa(b.ID), nil, &rooms)
	for _, r := range rooms.Items {
		if r.ID == mistake {
			t.Errorf("the voided room is still in the register")
		}
	}
	if st := admin.JSON("POST", "/api/v1/rooms/"+itoa(mistake)+"/void", map[string]any{"reason": "再次"}, nil); st != 409 {
		t.Errorf("voiding twice: %d", st)
	}
	wantPage(t, env.Browser("space", demoPassword).Get("/space/rooms/"+itoa(mistake)), 200, "已作废", "重复登记")

	// The use was entered wrongly: changing it would be a finding, correcting it is not.
	if st := admin.JSON("PATCH", "/api/v1/rooms/"+itoa(wrongUse), map[string]any{"use_type": "service"}, nil); st != 200 {
		t.Fatalf("change use: %d", st)
	}
	if !has(violations(t, admin, q("org_id", unit)), "use_changed", wrongUse, -1) {
		t.Fatalf("a changed use is not flagged")
	}
	// The unit administrator cannot void or correct a room with open findings.
	edu := env.Browser("edu", demoPassword)
	eduRoom := id64(t, env, "SELECT MIN(v.room_id) FROM space_violations v JOIN orgs o ON o.id = v.org_id WHERE v.status = 'open' AND v.room_id <> 0 AND o.name = '松岭县教育局'")
	if r := edu.Form("POST", "/space/rooms/"+itoa(eduRoom)+"/void", url.Values{"reason": {"想作废"}}); r.StatusCode != 303 ||
		count(t, env, "SELECT COUNT(*) FROM space_rooms WHERE id = ? AND voided_at <> 0", eduRoom) != 0 {
		t.Errorf("a unit voided a room with findings: %d", r.StatusCode)
	}
	if r := edu.Get("/space/rooms/" + itoa(eduRoom)); strings.Contains(r.Body, `id="void-room"`) {
		t.Errorf("the unit is offered to void a room with findings")
	}
	br := env.Browser("space", demoPassword)
	wantPage(t, br.Get("/space/rooms/"+itoa(wrongUse)), 200, "登记错误：作废或更正", `id="void-room"`)
	if r := br.Form("POST", "/space/rooms/"+itoa(wrongUse)+"/void", url.Values{"reason": {"录入时选错用途"}, "correct_use": {"service"}}); r.StatusCode != 303 {
		t.Fatalf("correct by form: %d %s", r.StatusCode, snippet(r.Body))
	}
	if has(violations(t, admin, q("org_id", unit)), "use_changed", wrongUse, -1) {
		t.Errorf("a corrected use is still a finding")
	}
	if n := count(t, env, "SELECT COUNT(*) FROM object_history WHERE object_type = 'room' AND object_id = ? AND summary LIKE '%更正登记用途%'", wrongUse); n != 1 {
		t.Errorf("the correction is not in the history")
	}
}
