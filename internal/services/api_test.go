package services_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
)

const demoPassword = "Demo@2026"

type order struct {
	ID            int64     `json:"id"`
	OrgID         int64     `json:"org_id"`
	Status        string    `json:"status"`
	AssigneeID    int64     `json:"assignee_id"`
	Rating        int       `json:"rating"`
	Overdue       bool      `json:"overdue"`
	ResponseDueAt time.Time `json:"response_due_at"`
	ResolveDueAt  time.Time `json:"resolve_due_at"`
	CreatedAt     time.Time `json:"created_at"`
}

type booking struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
}

func id64(t *testing.T, env *apptest.Env, query string, args ...any) int64 {
	t.Helper()
	var v int64
	if err := env.App.DB.QueryRow(context.Background(), query, args...).Scan(&v); err != nil {
		t.Fatalf("%s %v: %v", query, args, err)
	}
	return v
}

// TestWorkOrderFlow: docs/api.md §Logistics services — report, assign, start, resolve, close with a rating; 409 on
// a wrong-state action, 422 on a rating outside 1–5, 403 for an employee assigning, 404 outside the scope; the SLA
// deadlines on the working calendar.
func TestWorkOrderFlow(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	emp := env.API("employee", demoPassword)
	desk := env.API("service", demoPassword)
	edu := env.OrgID(t, "松岭县教育局")
	room := id64(t, env, "SELECT id FROM space_rooms WHERE org_id = ? AND status = 'in_use' ORDER BY id LIMIT 1", edu)
	var o order
	if st := emp.JSON("POST", "/api/v1/work-orders", map[string]any{"room_id": room, "category": "water_electric", "description": "洗手池下水管漏水"}, &o); st != 201 ||
		o.Status != "submitted" || o.OrgID != edu {
		t.Fatalf("report: %d %+v", st, o)
	}
	// Monday 10:00 with 2 and 8 working hours (GovOps defaults): 2 hours later the same day; 8 working hours
	// run into Tuesday morning (the lunch break and the evening do not count).
	if !o.ResponseDueAt.After(o.CreatedAt) || !o.ResolveDueAt.After(o.ResponseDueAt) || o.ResolveDueAt.Sub(o.CreatedAt) < 8*time.Hour {
		t.Errorf("due times: %+v", o)
	}
	var e apptest.ErrorBody
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"room_id": room, "category": "plumbing", "description": "x"}, "category"},
		{map[string]any{"room_id": room, "category": "hvac", "description": " "}, "description"},
		{map[string]any{"category": "hvac", "description": "x"}, "room_id"},
	} {
		if st := emp.JSON("POST", "/api/v1/work-orders", c.body, &e); st != 422 || e.Error.Fields[c.field] == "" {
			t.Errorf("%v: %d %+v, want 422 naming %s", c.body, st, e, c.field)
		}
	}
	other := id64(t, env, "SELECT id FROM space_rooms WHERE org_id <> ? ORDER BY id LIMIT 1", edu)
	if st := emp.JSON("POST", "/api/v1/work-orders", map[string]any{"room_id": other, "category": "hvac", "description": "x"}, &e); st != 404 {
		t.Errorf("room outside scope: %d, want 404", st)
	}
	path := fmt.Sprintf("/api/v1/work-orders/%d", o.ID)
	if st := emp.JSON("POST", path+"/close", map[string]any{"rating": 5}, &e); st != 409 {
		t.Errorf("close before resolved: %d, want 409", st)
	}
	if st := emp.JSON("POST", path+"/assign", map[string]any{"assignee_id": 1}, &e); st != 403 {
		t.Errorf("employee assigns: %d, want 403", st)
	}
	worker := id64(t, env, "SELECT person_id FROM users WHERE username = 'service'")
	if st := desk.JSON("POST", path+"/assign", map[string]any{"assignee_id": worker}, &o); st != 200 || o.Status != "assigned" || o.AssigneeID != worker {
		t.Fatalf("assign: %d %+v", st, o)
	}
	if st := desk.JSON("POST", path+"/resolve", map[string]any{"note": "x"}, &e); st != 409 {
		t.Errorf("resolve before start: %d, want 409", st)
	}
	if st := emp.JSON("POST", path+"/start", nil, &e); st != 403 {
		t.Errorf("reporter starts: %d, want 403", st)
	}
	if st := desk.JSON("POST", path+"/start", nil, &o); st != 200 || o.Status != "in_progress" {
		t.Fatalf("start: %d %+v", st, o)
	}
	if st := desk.JSON("POST", path+"/resolve", map[string]any{"note": "更换密封圈"}, &o); st != 200 || o.Status != "resolved" {
		t.Fatalf("resolve: %d %+v", st, o)
	}
	for _, r := range []int{0, 6, -1} {
		if st := emp.JSON("POST", path+"/close", map[string]any{"rating": r}, &e); st != 422 || e.Error.Fields["rating"] == "" {
			t.Errorf("rating %d: %d %+v, want 422", r, st, e)
		}
	}
	if st := emp.JSON("POST", path+"/close", map[string]any{"rating": 5, "comment": "很及时"}, &o); st != 200 || o.Status != "closed" || o.Rating != 5 {
		t.Fatalf("close: %d %+v", st, o)
	}
	if st := emp.JSON("POST", path+"/close", map[string]any{"rating": 4}, &e); st != 409 {
		t.Errorf("close twice: %d, want 409", st)
	}
	// The employee sees only their own reports: a desk-reported order of another unit answers 404.
	foreign := id64(t, env, "SELECT id FROM services_work_orders WHERE org_id <> ? ORDER BY id LIMIT 1", edu)
	if st := emp.JSON("GET", fmt.Sprintf("/api/v1/work-orders/%d", foreign), nil, &e); st != 404 {
		t.Errorf("foreign order: %d, want 404", st)
	}
	var list struct {
		Items []order `json:"items"`
		Total int64   `json:"total"`
	}
	if st := desk.JSON("GET", "/api/v1/work-orders?overdue=true", nil, &list); st != 200 || list.Total == 0 {
		t.Errorf("overdue list: %d %d (the demo plants an overdue report)", st, list.Total)
	}
	for _, it := range list.Items {
		if !it.Overdue {
			t.Errorf("not overdue in the overdue list: %+v", it)
		}
	}
	if rows := desk.Sheet("/services/work-orders?format=xlsx"); len(rows) < 5 {
		t.Errorf("export: %d rows", len(rows))
	}
	var h struct{ Total int64 }
	if st := emp.JSON("GET", path+"/history", nil, &h); st != 200 || h.Total != 5 {
		t.Errorf("history: %d %d", st, h.Total)
	}
}

// meetingRoom registers a meeting room of capacity 10 in edu's unit (through office space).
func meetingRoom(t *testing.T, env *apptest.Env, subtype string) int64 {
	t.Helper()
	admin := env.Admin()
	edu := env.OrgID(t, "松岭县教育局")
	var b, r struct {
		ID int64 `json:"id"`
	}
	if st := admin.JSON("POST", "/api/v1/buildings", map[string]any{"name": "教育局会议楼" + subtype, "org_id": edu, "address": "松岭县", "built_year": 2010, "floors": 2, "gross_area_m2": 800}, &b); st != 201 {
		t.Fatalf("building: %d", st)
	}
	if st := admin.JSON("POST", "/api/v1/rooms", map[string]any{"building_id": b.ID, "floor": 1, "number": "101", "use_type": "service", "subtype": subtype,
		"usable_area_m2": 40, "org_id": edu, "capacity": 10}, &r); st != 201 {
		t.Fatalf("room: %d", st)
	}
	return r.ID
}

func slot(day, h1, m1, h2, m2 int) (string, string) {
	base := apptest.DefaultNow.Add(time.Duration(day) * 24 * time.Hour).UTC()
	d := time.Date(base.Year(), base.Month(), base.Day(), 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	return d.Add(time.Duration(h1*60+m1) * time.Minute).Format(time.RFC3339), d.Add(time.Duration(h2*60+m2) * time.Minute).Format(time.RFC3339)
}

// TestBookings: overlap → 409, adjacency allowed, capacity and reversed times → 422, a room that is no meeting
// room → 422; cancel frees the slot; check-in and release.
func TestBookings(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	emp := env.API("employee", demoPassword)
	desk := env.API("service", demoPassword)
	room := meetingRoom(t, env, "meeting_room")
	office := meetingRoom(t, env, "reception")
	book := func(c *apptest.Client, day, h1, m1, h2, m2, attendees int, out any) int {
		s, e := slot(day, h1, m1, h2, m2)
		return c.JSON("POST", "/api/v1/room-bookings", map[string]any{"room_id": room, "start_at": s, "end_at": e, "title": "科务会", "attendees": attendees}, out)
	}
	var b, b2 booking
	var e apptest.ErrorBody
	if st := book(emp, 1, 9, 0, 10, 0, 6, &b); st != 201 || b.Status != "confirmed" {
		t.Fatalf("book: %d %+v", st, b)
	}
	if st := book(desk, 1, 9, 30, 10, 30, 6, &e); st != 409 {
		t.Errorf("overlap: %d, want 409", st)
	}
	if st := book(desk, 1, 8, 0, 11, 0, 6, &e); st != 409 {
		t.Errorf("enclosing overlap: %d, want 409", st)
	}
	if st := book(desk, 1, 10, 0, 11, 0, 6, &b2); st != 201 {
		t.Errorf("adjacent after: %d, want 201", st)
	}
	if st := book(desk, 1, 8, 0, 9, 0, 6, &e); st != 201 {
		t.Errorf("adjacent before: %d, want 201", st)
	}
	if st := book(emp, 2, 9, 0, 10, 0, 11, &e); st != 422 || e.Error.Fields["attendees"] == "" {
		t.Errorf("over capacity: %d %+v, want 422", st, e)
	}
	if st := book(emp, 2, 10, 0, 9, 0, 5, &e); st != 422 || e.Error.Fields["end_at"] == "" {
		t.Errorf("reversed: %d %+v, want 422", st, e)
	}
	if st := book(emp, -2, 9, 0, 10, 0, 5, &e); st != 422 {
		t.Errorf("in the past: %d, want 422", st)
	}
	s, en := slot(2, 9, 0, 10, 0)
	if st := emp.JSON("POST", "/api/v1/room-bookings", map[string]any{"room_id": office, "start_at": s, "end_at": en, "title": "x", "attendees": 2}, &e); st != 422 || e.Error.Fields["room_id"] == "" {
		t.Errorf("not a meeting room: %d %+v, want 422", st, e)
	}
	// Cancelling frees the slot.
	if st := emp.JSON("POST", fmt.Sprintf("/api/v1/room-bookings/%d/cancel", b.ID), map[string]any{"reason": "改期"}, &b); st != 200 || b.Status != "cancelled" {
		t.Fatalf("cancel: %d %+v", st, b)
	}
	if st := emp.JSON("POST", fmt.Sprintf("/api/v1/room-bookings/%d/cancel", b.ID), nil, &e); st != 409 {
		t.Errorf("cancel twice: %d, want 409", st)
	}
	if st := book(emp, 1, 9, 0, 10, 0, 6, &b); st != 201 {
		t.Errorf("rebook the cancelled slot: %d", st)
	}
	// Check-in opens shortly before the start; a no-show is released after the grace period by the job.
	if st := emp.JSON("POST", fmt.Sprintf("/api/v1/room-bookings/%d/checkin", b.ID), nil, &e); st != 409 {
		t.Errorf("check-in a day early: %d, want 409", st)
	}
	env.Clock.Advance(24*time.Hour - 70*time.Minute) // Tuesday 08:50 (tokens expire overnight: sign in again)
	emp, desk = env.API("employee", demoPassword), env.API("service", demoPassword)
	if st := emp.JSON("POST", fmt.Sprintf("/api/v1/room-bookings/%d/checkin", b.ID), nil, &b); st != 200 || b.Status != "checked_in" {
		t.Errorf("check-in: %d %+v", st, b)
	}
	env.Clock.Advance(100 * time.Minute) // 10:30: b2 (10:00–11:00) has no check-in
	if st := emp.JSON("POST", fmt.Sprintf("/api/v1/room-bookings/%d/release", b2.ID), nil, &e); st != 403 {
		t.Errorf("employee releases: %d, want 403", st)
	}
	if st := desk.JSON("POST", fmt.Sprintf("/api/v1/room-bookings/%d/release", b2.ID), nil, &b2); st != 200 || b2.Status != "released" {
		t.Errorf("release: %d %+v", st, b2)
	}
	var g struct {
		Rows []struct {
			Room struct {
				ID int64 `json:"ID"`
			}
		}
	}
	if st := emp.JSON("GET", "/api/v1/meeting-rooms/grid?view=week", nil, &g); st != 200 || len(g.Rows) == 0 {
		t.Errorf("grid: %d %d rows", st, len(g.Rows))
	}
}

// TestConcurrentBookings: 30 simultaneous requests for one slot — exactly one wins, the others are 409.
func TestConcurrentBookings(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	desk := env.API("service", demoPassword)
	room := meetingRoom(t, env, "meeting_room")
	const n = 30
	s, e := slot(3, 14, 0, 15, 0)
	body := []byte(fmt.Sprintf(`{"room_id":%d,"start_at":%q,"end_at":%q,"title":"并发预订","attendees":3}`, room, s, e))
	statuses := make([]int, n)
	var wg sync.WaitGroup
	ready := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			statuses[i] = desk.Do("POST", "/api/v1/room-bookings", "application/json", body).StatusCode
		}()
	}
	close(ready)
	wg.Wait()
	won := 0
	for _, st := range statuses {
		switch st {
		case 201:
			won++
		case 409:
		default:
			t.Errorf("status %d", st)
		}
	}
	if won != 1 {
		t.Errorf("%d winners, want exactly 1", won)
	}
	if got := env.Count(t, "SELECT COUNT(*) FROM services_bookings WHERE room_id = ? AND status = 'confirmed'", room); got != 1 {
		t.Errorf("%d bookings stored", got)
	}
}
