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
