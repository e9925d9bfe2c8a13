package space_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/space"
)

// TestAssignKnowsPeople: assigning a person who already has an office, or who belongs to another unit, asks for a
// confirmation with a reason or — for the office — moves the person in and releases the old office in the same
// transaction; the person search lists the room's unit first; the multiple-office finding names the other room.
func TestAssignKnowsPeople(t *testing.T) {
	env := newEnv(t)
	admin := env.Admin()
	unit := orgID(t, env, "松岭县财政局")
	other := orgID(t, env, "松岭县教育局")
	var b space.BuildingRecord
	if st := admin.JSON("POST", "/api/v1/buildings", map[string]any{"name": "迁入楼", "org_id": unit, "address": "迁入路 1 号", "built_year": 2001,
		"floors": 4, "gross_area_m2": 2000}, &b); st != 201 {
		t.Fatalf("create building: %d", st)
	}
	room := func(number string) int64 {
		var r space.RoomRecord
		if st := admin.JSON("POST", "/api/v1/rooms", map[string]any{"building_id": b.ID, "floor": 2, "number": number, "use_type": "office",
			"usable_area_m2": 9, "org_id": unit, "capacity": 2}, &r); st != 201 {
			t.Fatalf("create room %s: %d", number, st)
		}
		return r.ID
	}
	oldRoom, newRoom := room("201"), room("202")
	mover := mkPerson(t, admin, unit, "迁入测试甲", "staff")
	outsider := mkPerson(t, admin, other, "迁入测试乙", "staff")
	assign := func(room int64, body map[string]any) (int, apptest.ErrorBody) {
		t.Helper()
		var e apptest.ErrorBody
		return admin.JSON("POST", "/api/v1/rooms/"+itoa(room)+"/occupants", body, &e), e
	}
	if st, _ := assign(oldRoom, map[string]any{"person_id": mover}); st != 201 {
		t.Fatalf("first office: %d", st)
	}
	// A second office: 409 naming the office held.
	st, e := assign(newRoom, map[string]any{"person_id": mover})
	if st != 409 || !strings.Contains(e.Error.Fields["confirm"], "迁入楼 201") {
		t.Fatalf("second office without confirmation: %d %+v", st, e)
	}
	if st, e := assign(newRoom, map[string]any{"person_id": mover, "confirm": true}); st != 422 || e.Error.Fields["reason"] == "" {
		t.Errorf("confirmation without a reason: %d %+v", st, e)
	}
	// Move in and release the old office.
	if st, e := assign(newRoom, map[string]any{"person_id": mover, "release_others": true}); st != 201 {
		t.Fatalf("move in and release: %d %+v", st, e)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM space_occupants WHERE person_id = ?", mover); n != 1 {
		t.Errorf("after moving in the person holds %d rooms, want 1", n)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM space_occupancy_log WHERE room_id = ? AND person_id = ? AND reason LIKE '%收回原办公室%'", oldRoom, mover); n != 1 {
		t.Errorf("the released office has %d occupancy-log rows, want 1", n)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM audit_log WHERE action = 'space.occupant.remove' AND object_id = ?", itoa(oldRoom)); n != 1 {
		t.Errorf("the release is audited %d times, want 1", n)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM object_history WHERE object_type = 'room' AND object_id = ? AND summary LIKE '%迁入并收回原办公室%'", newRoom); n != 1 {
		t.Errorf("the new room's history does not tell of the move: %d", n)
	}
	if st, e := assign(oldRoom, map[string]any{"person_id": outsider, "release_others": true}); st != 409 || e.Error.Fields["release_others"] == "" {
		t.Errorf("releasing offices of a person without one: %d %+v", st, e)
	}
	// Another unit: 409, then confirmed with a reason.
	if st, e := assign(oldRoom, map[string]any{"person_id": outsider}); st != 409 || !strings.Contains(e.Error.Fields["confirm"], "松岭县教育局") {
		t.Errorf("a person of another unit without confirmation: %d %+v", st, e)
	}
	if st, e := assign(oldRoom, map[string]any{"person_id": outsider, "confirm": true, "reason": "借调"}); st != 201 {
		t.Errorf("a person of another unit, confirmed: %d %+v", st, e)
	}
	// A confirmed second office: the finding names the main office.
	if st, e := assign(oldRoom, map[string]any{"person_id": mover, "confirm": true, "reason": "测试一人两处"}); st != 201 {
		t.Fatalf("confirmed second office: %d %+v", st, e)
	}
	var list struct {
		Items []struct {
			Detail     string `json:"detail"`
			OtherRooms string `json:"other_rooms"`
			RoomID     int64  `json:"room_id"`
		} `json:"items"`
	}
	if st := admin.JSON("GET", "/api/v1/space/violations?"+q("org_id", unit, "kind", "multiple_offices").Encode(), nil, &list); st != 200 {
		t.Fatalf("violations: %d", st)
	}
	found := false
	for _, v := range list.Items {
		if v.RoomID == oldRoom || v.RoomID == newRoom {
			found = true
			want := "迁入楼 201（主办公室）" // both since today: the lower room is the main one
			if v.RoomID == oldRoom {
				want = "迁入楼 202（主办公室）"
			}
			if v.OtherRooms != want || !strings.Contains(v.Detail, want) {
				t.Errorf("other rooms %q (%s), want %q", v.OtherRooms, v.Detail, want)
			}
		}
	}
	if !found {
		t.Errorf("no multiple-office finding: %+v", list.Items)
	}

	// The form: the warning, the reason and the two ways out; the person search puts the room's unit first.
	br := env.Browser("space", demoPassword)
	wantPage(t, br.Form("POST", "/space/rooms/"+itoa(newRoom)+"/occupants", url.Values{"person_id": {itoa(outsider)}}), 409,
		"迁入测试乙属于松岭县教育局", "迁入并收回原办公室", "确认安排", "确认理由")
	opts := br.Get("/space/rooms/" + itoa(newRoom) + "/people-options?person_q=" + url.QueryEscape("迁入测试"))
	a, c := strings.Index(opts.Body, "迁入测试甲"), strings.Index(opts.Body, "迁入测试乙")
	if opts.StatusCode != 200 || a < 0 || c < 0 || a > c {
		t.Errorf("person search does not list the room's unit first: %d %s", opts.StatusCode, opts.Body)
	}
	if !strings.Contains(opts.Body, "已有办公室") {
		t.Errorf("person search does not say who has an office: %s", opts.Body)
	}
	if r := env.Browser("supervisor", demoPassword).Get("/space/rooms/" + itoa(newRoom) + "/people-options"); r.StatusCode != 403 {
		t.Errorf("the supervisor reaches the assignment search: %d", r.StatusCode)
	}
}
