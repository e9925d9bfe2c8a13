package space_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/space"
)

func TestRectification(t *testing.T) {
	env := newEnv(t)
	bureau := env.API("space", demoPassword)
	all := violations(t, bureau, q("page_size", 100))
	var over violation
	for _, v := range all.Items {
		if v.Kind == "over_area" {
			over = v
		}
	}
	// The demo already has an open task for it: a second one is refused.
	var e apptest.ErrorBody
	if st := bureau.JSON("POST", "/api/v1/space/rectifications", map[string]any{"violation_id": over.ID}, &e); st != 409 {
		t.Fatalf("second task for a violation: %d", st)
	}
	// A new violation, a task with a deadline, the unit reports, the bureau verifies.
	var lent violation
	for _, v := range all.Items {
		if v.Kind == "let_or_lent" {
			lent = v
		}
	}
	if st := bureau.JSON("POST", "/api/v1/space/rectifications", map[string]any{"violation_id": lent.ID, "deadline": "2026-01-01"}, &e); st != 422 || e.Error.Fields["deadline"] == "" {
		t.Errorf("deadline in the past: %d %+v", st, e)
	}
	var task space.Rectification
	if st := bureau.JSON("POST", "/api/v1/space/rectifications", map[string]any{"violation_id": lent.ID}, &task); st != 201 || task.Status != "open" || task.Deadline <= "2026-11-16" {
		t.Fatalf("create task: %d %+v", st, task)
	}
	path := "/api/v1/space/rectifications/" + itoa(task.ID)
	if st := bureau.JSON("POST", path+"/verify", map[string]any{}, nil); st != 409 {
		t.Errorf("verify an open task: %d, want 409", st)
	}
	unit := env.API("qingshan", demoPassword) // 绿水市 is not under 青山市: this administrator cannot see it
	if st := unit.JSON("GET", path, nil, nil); st != 404 {
		t.Errorf("another city's administrator reads the task: %d", st)
	}
	if st := bureau.JSON("POST", path+"/submit", map[string]any{}, &e); st != 422 || e.Error.Fields["report"] == "" {
		t.Errorf("submit without a report: %d", st)
	}
	if st := bureau.JSON("POST", path+"/submit", map[string]any{"report": "已收回"}, &task); st != 200 || task.Status != "submitted" {
		t.Fatalf("submit: %d %+v", st, task)
	}
	// The register still says lent: verification is refused.
	if st := bureau.JSON("POST", path+"/verify", map[string]any{"note": "核实"}, &e); st != 409 || !strings.Contains(e.Error.Message, "仍然存在") {
		t.Fatalf("verify while the room is still lent: %d %+v", st, e)
	}
	if st := bureau.JSON("POST", path+"/return", map[string]any{"note": "房屋仍在出借"}, &task); st != 200 || task.Status != "open" {
		t.Fatalf("return: %d", st)
	}
	if st := bureau.JSON("PATCH", "/api/v1/rooms/"+itoa(lent.RoomID), map[string]any{"status": "in_use"}, nil); st != 200 {
		t.Fatalf("end the loan: %d", st)
	}
	bureau.JSON("POST", path+"/submit", map[string]any{"report": "已终止出借"}, nil)
	if st := bureau.JSON("POST", path+"/verify", map[string]any{"note": "已核实"}, &task); st != 200 || task.Status != "closed" || task.VStatus != "resolved" {
		t.Fatalf("verify: %d %+v", st, task)
	}
	if st := bureau.JSON("POST", path+"/cancel", map[string]any{"note": "x"}, nil); st != 409 {
		t.Errorf("cancel a closed task: %d", st)
	}
	var hist struct {
		Items []struct{ Summary string } `json:"items"`
	}
	bureau.JSON("GET", path+"/history", nil, &hist)
	if len(hist.Items) != 5 {
		t.Errorf("history has %d lines, want 5 (create, submit, return, submit, verify): %+v", len(hist.Items), hist.Items)
	}
	// The rescan keeps the row (stable identity): the resolved violation keeps its id and its task.
	bureau.JSON("POST", "/api/v1/space/scan", nil, nil)
	if n := count(t, env, "SELECT COUNT(*) FROM space_violations WHERE id = ? AND status = 'resolved'", lent.ID); n != 1 {
		t.Errorf("the violation row changed identity after a rescan")
	}

	// Overdue escalation: the demo's stale-occupant task is three working days late.
	ctx := context.Background()
	n, err := apptest.Module[*space.Service](env).Escalate(ctx)
	if err != nil || n != 1 {
		t.Fatalf("escalate: %d %v", n, err)
	}
	if n, _ := apptest.Module[*space.Service](env).Escalate(ctx); n != 0 {
		t.Errorf("escalated again the same day: %d", n)
	}
	env.Clock.Advance(8 * 24 * time.Hour)
	if n, _ := apptest.Module[*space.Service](env).Escalate(ctx); n != 1 {
		t.Errorf("not escalated again a week later: %d", n)
	}
	if c := count(t, env, "SELECT COUNT(*) FROM notifications WHERE event = 'space.rectification_overdue'"); c == 0 {
		t.Errorf("no overdue notification")
	}
}

func TestRepairsAllocationDisposal(t *testing.T) {
	env := newEnv(t)
	bureau := env.API("space", demoPassword)
	edu := env.API("edu", demoPassword)
	eduUnit := orgID(t, env, "松岭县教育局")
	building := id64(t, env, "SELECT id FROM buildings WHERE org_id = ?", eduUnit)
	var x space.Repair
	if st := edu.JSON("POST", "/api/v1/space/repairs", map[string]any{"building_id": building, "kind": "medium", "title": "屋面防水", "budget_yuan": 120000.5}, &x); st != 201 || x.Status != "requested" || x.BudgetYuan != 120000.5 {
		t.Fatalf("repair request: %d %+v", st, x)
	}
	p := "/api/v1/space/repairs/" + itoa(x.ID)
	if st := edu.JSON("POST", p+"/approve", nil, nil); st != 403 {
		t.Errorf("a unit approved its own repair: %d", st)
	}
	if st := bureau.JSON("POST", p+"/start", map[string]any{"contractor": "甲公司"}, nil); st != 409 {
		t.Errorf("start before approval: %d", st)
	}
	bureau.JSON("POST", p+"/approve", nil, &x)
	if x.Status != "approved" || x.ApprovedYuan != 120000.5 {
		t.Errorf("approve: %+v", x)
	}
	var e apptest.ErrorBody
	if st := bureau.JSON("POST", p+"/start", map[string]any{}, &e); st != 422 || e.Error.Fields["contractor"] == "" {
		t.Errorf("start without a contractor: %d", st)
	}
	bureau.JSON("POST", p+"/start", map[string]any{"contractor": "示范建工", "started_on": "2026-11-01"}, nil)
	if st := bureau.JSON("POST", p+"/accept", map[string]any{"accepted_on": "2026-11-10", "cost_yuan": 118000}, &x); st != 200 || x.Status != "accepted" || x.CostYuan != 118000 {
		t.Fatalf("accept: %d %+v", st, x)
	}
	if st := edu.JSON("POST", p+"/cancel", nil, nil); st != 409 {
		t.Errorf("cancel an accepted repair: %d", st)
	}

	// Reallocation through the workflow: the unit asks, the bureau approves in its inbox, then gives a vacant room.
	var a space.Allocation
	if st := edu.JSON("POST", "/api/v1/space/allocations", map[string]any{"org_id": eduUnit, "title": "新增教研室", "reason": "新设教研中心 3 人", "area_m2": 30, "headcount": 3}, &a); st != 201 || a.Status != "submitted" {
		t.Fatalf("allocation: %d %+v", st, a)
	}
	var inbox struct {
		Items []struct {
			ID   int64  `json:"id"`
			Type string `json:"type"`
		} `json:"items"`
	}
	bureau.JSON("GET", "/api/v1/workflow/inbox", nil, &inbox)
	var inst int64
	for _, it := range inbox.Items {
		if it.Type == "space.allocation" {
			inst = it.ID
		}
	}
	if inst == 0 {
		t.Fatalf("the request is not in the bureau's inbox: %+v", inbox)
	}
	if st := bureau.JSON("POST", "/api/v1/space/allocations/"+itoa(a.ID)+"/complete", map[string]any{"room_ids": []int64{1}}, nil); st != 409 {
		t.Errorf("complete before approval: %d", st)
	}
	if st := bureau.JSON("POST", "/api/v1/workflow/instances/"+itoa(inst)+"/approve", map[string]any{"comment": "同意"}, nil); st != 200 {
		t.Fatalf("approve in the workflow: %d", st)
	}
	edu.JSON("GET", "/api/v1/space/allocations/"+itoa(a.ID), nil, &a)
	if a.Status != "approved" {
		t.Fatalf("after the workflow approved: %s", a.Status)
	}
	vacant := id64(t, env, `SELECT r.id FROM space_rooms r JOIN orgs o ON o.id = r.org_id WHERE o.name = '松岭县财政局' AND r.use_type = 'office'
		AND NOT EXISTS (SELECT 1 FROM space_occupants x WHERE x.room_id = r.id) LIMIT 1`)
	occupied := id64(t, env, "SELECT room_id FROM space_occupants LIMIT 1")
	if st := bureau.JSON("POST", "/api/v1/space/allocations/"+itoa(a.ID)+"/complete", map[string]any{"room_ids": []int64{occupied}}, nil); st != 409 {
		t.Errorf("reallocating an occupied room: %d", st)
	}
	if st := bureau.JSON("POST", "/api/v1/space/allocations/"+itoa(a.ID)+"/complete", map[string]any{"room_ids": []int64{vacant}}, &a); st != 200 || a.Status != "completed" {
		t.Fatalf("complete: %d %+v", st, a)
	}
	if st := edu.JSON("GET", "/api/v1/rooms/"+itoa(vacant), nil, nil); st != 200 {
		t.Errorf("the reallocated room is not the unit's: %d", st)
	}

	// Disposal: refused while occupied, done when empty.
	var d space.Disposal
	if st := bureau.JSON("POST", "/api/v1/space/disposals", map[string]any{"building_id": building, "method": "demolish", "reason": "危房"}, &e); st != 409 {
		t.Errorf("dispose an occupied building: %d", st)
	}
	if st := bureau.JSON("POST", "/api/v1/space/disposals", map[string]any{"building_id": building, "room_id": vacant, "method": "other", "reason": "x"}, &e); st != 422 && st != 404 {
		t.Errorf("room from another building: %d", st)
	}
	emptyRoom := id64(t, env, "SELECT id FROM space_rooms WHERE building_id = ? AND use_type = 'equipment' LIMIT 1", building)
	if st := bureau.JSON("POST", "/api/v1/space/disposals", map[string]any{"building_id": building, "room_id": emptyRoom, "method": "demolish", "reason": "改建拆除"}, &d); st != 201 || d.RoomID != emptyRoom {
		t.Fatalf("dispose a room: %d %+v", st, d)
	}
	if st := edu.JSON("PATCH", "/api/v1/rooms/"+itoa(emptyRoom), map[string]any{"note": "x"}, nil); st != 409 {
		t.Errorf("editing a disposed room: %d", st)
	}
}

func TestStocktakeAndVacate(t *testing.T) {
	env := newEnv(t)
	bureau := env.API("space", demoPassword)
	edu := env.API("edu", demoPassword)
	county := orgID(t, env, "松岭县机关事务服务中心")
	eduUnit := orgID(t, env, "松岭县教育局")
	var st space.Stocktake
	if c := bureau.JSON("POST", "/api/v1/space/stocktakes", map[string]any{"org_id": county, "name": "2026 年度清查", "due_on": "2026-12-31"}, &st); c != 201 || st.Rooms == 0 {
		t.Fatalf("stocktake: %d %+v", c, st)
	}
	p := "/api/v1/space/stocktakes/" + itoa(st.ID)
	var items struct {
		Items []space.CheckItem `json:"items"`
		Total int64             `json:"total"`
	}
	edu.JSON("GET", p+"/rooms?page_size=500", nil, &items)
	if items.Total == 0 || items.Total >= st.Rooms {
		t.Fatalf("edu sees %d of %d rooms", items.Total, st.Rooms)
	}
	for _, it := range items.Items {
		if it.OrgID != eduUnit {
			t.Fatalf("edu sees a room of unit %d", it.OrgID)
		}
	}
	r0, r1 := items.Items[0].RoomID, items.Items[1].RoomID
	if c := edu.JSON("POST", p+"/rooms/"+itoa(r0), map[string]any{"result": "match"}, nil); c != 204 {
		t.Fatalf("check: %d", c)
	}
	if c := edu.JSON("POST", p+"/rooms/"+itoa(r1), map[string]any{"result": "mismatch", "found_area_m2": 99}, nil); c != 204 {
		t.Fatalf("check: %d", c)
	}
	edu.JSON("POST", p+"/units/"+itoa(eduUnit), map[string]any{"sub_rooms": 1, "sub_area_m2": 10, "cert_no": "X", "cert_area_m2": 1}, nil)
	var detail struct {
		space.Stocktake
		Units []space.UnitCheck `json:"units"`
	}
	edu.JSON("GET", p, nil, &detail)
	if detail.Checked != 2 || detail.Problems != 1 || len(detail.Units) != 1 || detail.Units[0].LedgerMismatch() == "" || detail.Units[0].CertMismatch() == "" {
		t.Errorf("stocktake detail: %+v", detail)
	}
	edu.JSON("GET", p+"/rooms?problems=true", nil, &items)
	if items.Total != 1 || !strings.Contains(items.Items[0].Differences(), "实测 99 m²") {
		t.Errorf("problems: %+v", items.Items)
	}
	if c := edu.JSON("POST", p+"/close", nil, nil); c != 403 {
		t.Errorf("a unit closed the stocktake: %d", c)
	}
	bureau.JSON("POST", p+"/close", nil, nil)
	if c := edu.JSON("POST", p+"/rooms/"+itoa(r0), map[string]any{"result": "match"}, nil); c != 409 {
		t.Errorf("check after closing: %d", c)
	}

	// Vacating: the bureau orders the stale occupant out; the unit completes it; the violation is resolved.
	stale := violations(t, bureau, q("kind", "stale_occupant")).Items[0]
	var v space.Vacate
	if c := bureau.JSON("POST", "/api/v1/space/vacates", map[string]any{"room_id": stale.RoomID, "person_id": stale.PersonID, "reason": "retired"}, &v); c != 201 || v.Status != "pending" {
		t.Fatalf("vacate: %d %+v", c, v)
	}
	if c := bureau.JSON("POST", "/api/v1/space/vacates/"+itoa(v.ID)+"/complete", nil, &v); c != 200 || v.Status != "done" {
		t.Fatalf("complete vacate: %d", c)
	}
	if has(violations(t, bureau, q("kind", "stale_occupant")), "stale_occupant", stale.RoomID, stale.PersonID) {
		t.Errorf("stale occupant still flagged after vacating")
	}
	if c := bureau.JSON("POST", "/api/v1/space/vacates/"+itoa(v.ID)+"/cancel", nil, nil); c != 409 {
		t.Errorf("cancel a done vacate: %d", c)
	}
}
