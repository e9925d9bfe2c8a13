package calendar_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/db"
)

func TestCalendarAPI(t *testing.T) {
	env := apptest.New(t)
	api := env.Admin()

	var days calendar.DaysResponse
	if st := api.JSON("GET", "/api/v1/calendar/days?from=2026-02-13&to=2026-02-16", nil, &days); st != 200 {
		t.Fatalf("days: %d", st)
	}
	if days.Total != 4 || len(days.Items) != 4 || !days.Official {
		t.Fatalf("days = %+v", days)
	}
	if sat := days.Items[1]; sat.Date != "2026-02-14" || !sat.Workday || !sat.Adjusted || sat.Name != "春节" {
		t.Errorf("2026-02-14 = %+v", sat)
	}
	if sun := days.Items[2]; sun.Workday || !sun.Holiday || sun.Name != "春节" {
		t.Errorf("2026-02-15 = %+v", sun)
	}
	// A range reaching into the unannounced year says so.
	if st := api.JSON("GET", "/api/v1/calendar/days?from=2026-12-31&to=2027-01-02", nil, &days); st != 200 || days.Official ||
		days.Items[0].Official != true || days.Items[1].Official || !days.Items[1].Workday || days.Items[2].Workday {
		t.Errorf("days into 2027 = %d %+v", st, days)
	}

	var wd calendar.WorkdaysResponse
	if st := api.JSON("GET", "/api/v1/calendar/workdays?from=2026-10-01&to=2026-10-31", nil, &wd); st != 200 || wd.Count != 18 || wd.Days != 31 || !wd.Official {
		t.Errorf("workdays October 2026 = %d %+v", st, wd)
	}
	if st := api.JSON("GET", "/api/v1/calendar/workdays?from=2027-01-01&to=2027-12-31", nil, &wd); st != 200 || wd.Count != 261 || wd.Official {
		t.Errorf("workdays 2027 = %d %+v", st, wd)
	}

	// Bad input is a 422 naming the parameter, never a 500.
	for path, field := range map[string]string{
		"/api/v1/calendar/days?from=2026-01-01":                       "to",
		"/api/v1/calendar/days?from=2026-1-1&to=2026-01-31":           "from",
		"/api/v1/calendar/days?from=2026-02-01&to=2026-01-31":         "to",
		"/api/v1/calendar/days?from=2020-01-01&to=2026-01-31":         "to",
		"/api/v1/calendar/workdays?from=x&to=y":                       "from",
		"/api/v1/calendar/working-duration?from=2026-11-16T09:00:00":  "from",
		"/api/v1/calendar/working-duration?from=2026-11-16T09:00:00Z": "to",
	} {
		var e apptest.ErrorBody
		if st := api.JSON("GET", path, nil, &e); st != 422 || e.Error.Code != "validation" || e.Error.Fields[field] == "" {
			t.Errorf("GET %s = %d %+v, want 422 on %s", path, st, e, field)
		}
	}

	// Working hours: defaults, a change through the API (audited), and the duration that follows from it.
	var h calendar.Hours
	if st := api.JSON("GET", "/api/v1/calendar/hours", nil, &h); st != 200 || len(h.Periods) != 2 || h.Periods[0].Start != "08:30" {
		t.Fatalf("hours = %d %+v", st, h)
	}
	var dur calendar.DurationResponse
	q := "/api/v1/calendar/working-duration?from=" + url.QueryEscape("2026-11-16T08:00:00+08:00") + "&to=" + url.QueryEscape("2026-11-16T18:00:00+08:00")
	if st := api.JSON("GET", q, nil, &dur); st != 200 || dur.Minutes != 420 {
		t.Errorf("working-duration = %d %+v", st, dur)
	}
	nine := calendar.Hours{Periods: []calendar.Period{{Start: "09:00", End: "12:00"}, {Start: "13:00", End: "18:00"}}}
	if st := api.JSON("PUT", "/api/v1/calendar/hours", nine, &h); st != 200 || h.Periods[1].End != "18:00" {
		t.Fatalf("PUT hours = %d %+v", st, h)
	}
	if st := api.JSON("GET", q, nil, &dur); st != 200 || dur.Minutes != 480 {
		t.Errorf("working-duration after the change = %d %+v", st, dur)
	}
	sch, err := env.App.Calendar.Schedule(context.Background(), env.App.DB)
	if err != nil || !sch.WorkingTime(at("2026-11-16 17:45")) {
		t.Errorf("Schedule after the change: %v", err)
	}
	n, err := db.Count(context.Background(), env.App.DB, "SELECT COUNT(*) FROM audit_log WHERE action = 'calendar.hours' AND actor = 'admin'")
	if err != nil || n != 1 {
		t.Errorf("audit entries for calendar.hours = %d, %v", n, err)
	}
	var e apptest.ErrorBody
	bad := calendar.Hours{Periods: []calendar.Period{{Start: "14:00", End: "12:00"}}}
	if st := api.JSON("PUT", "/api/v1/calendar/hours", bad, &e); st != 422 || e.Error.Fields["periods"] == "" {
		t.Errorf("PUT bad hours = %d %+v", st, e)
	}
	if r := api.Do("PUT", "/api/v1/calendar/hours", "application/json", []byte(`{"periods":`)); r.StatusCode != 400 {
		t.Errorf("PUT malformed JSON = %d", r.StatusCode)
	}
	if r := api.Do("PUT", "/api/v1/calendar/hours", "application/json", []byte(`{"periods":"08:30"}`)); r.StatusCode != 422 {
		t.Errorf("PUT wrong type = %d %s", r.StatusCode, r.Body)
	}
	// The failed attempts changed nothing.
	if st := api.JSON("GET", "/api/v1/calendar/hours", nil, &h); st != 200 || h.Periods[0].Start != "09:00" {
		t.Errorf("hours after bad input = %+v", h)
	}
	if anon := env.Anonymous(); anon.JSON("GET", "/api/v1/calendar/days?from=2026-01-01&to=2026-01-02", nil, nil) != 401 {
		t.Error("the calendar API needs a sign-in")
	}
}

func TestCalendarPages(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	env.App.Calendar.Clock = env.Clock // 2026-11-16
	admin := env.Browser("admin", apptest.AdminPassword)

	page := admin.Get("/calendar")
	if page.StatusCode != 200 {
		t.Fatalf("/calendar = %d", page.StatusCode)
	}
	for _, want := range []string{"2026 年", "国庆节", `<span class="badge badge-warn">02-14</span>`, `badge badge-warn`, `badge badge-danger`, `aria-current="date"`, "248"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("/calendar lacks %q", want)
		}
	}
	if strings.Contains(page.Body, "按周一至周五推算") {
		t.Error("2026 is official but the page says otherwise")
	}
	if p := admin.Get("/calendar?year=2027"); p.StatusCode != 200 || !strings.Contains(p.Body, "按周一至周五推算") {
		t.Errorf("/calendar?year=2027 = %d, no unofficial notice", p.StatusCode)
	}
	if p := admin.Get("/calendar?year=2026&month=10"); p.StatusCode != 200 || !strings.Contains(p.Body, "十月") || !strings.Contains(p.Body, "国庆节 · 调休上班") {
		t.Errorf("/calendar October = %d", p.StatusCode)
	}
	for _, q := range []string{"year=abc", "year=1800", "month=13"} {
		if p := admin.Get("/calendar?" + q); p.StatusCode != 422 {
			t.Errorf("/calendar?%s = %d, want 422", q, p.StatusCode)
		}
	}

	// The working-hours form: shown to holders of settings:write, validated, saved.
	hp := admin.Get("/calendar/hours")
	if hp.StatusCode != 200 || !strings.Contains(hp.Body, `action="/calendar/hours"`) || !strings.Contains(hp.Body, "08:30") {
		t.Fatalf("/calendar/hours = %d", hp.StatusCode)
	}
	bad := admin.Form("POST", "/calendar/hours", url.Values{"start": {"08:30", "11:00"}, "end": {"12:00", "17:00"}})
	if bad.StatusCode != 422 || !strings.Contains(bad.Body, "不重叠") || !strings.Contains(bad.Body, `value="11:00"`) {
		t.Errorf("overlapping periods = %d", bad.StatusCode)
	}
	ok := admin.Form("POST", "/calendar/hours", url.Values{"start": {"08:00", "14:30", ""}, "end": {"12:00", "18:00", ""},
		"seasonal": {"on"}, "seasonal_from": {"05-01"}, "seasonal_to": {"09-30"}, "s_start": {"07:30", "15:00"}, "s_end": {"11:30", "18:30"}})
	if ok.StatusCode != 303 {
		t.Fatalf("save hours = %d %s", ok.StatusCode, ok.Body)
	}
	h, err := env.App.Calendar.Hours(context.Background(), env.App.DB)
	if err != nil || len(h.Periods) != 2 || h.Periods[0].Start != "08:00" || h.Seasonal == nil || h.Seasonal.Periods[1].End != "18:30" {
		t.Errorf("saved hours = %+v, %v", h, err)
	}
	if p := admin.Get("/calendar/hours"); !strings.Contains(p.Body, "05-01 至 09-30") {
		t.Error("the seasonal timetable is not shown")
	}

	// An employee sees the calendar and the hours but cannot change them.
	emp := env.Browser("employee", "Demo@2026")
	if p := emp.Get("/calendar"); p.StatusCode != 200 || !strings.Contains(p.Body, `href="/calendar"`) {
		t.Errorf("employee /calendar = %d", p.StatusCode)
	}
	if p := emp.Get("/calendar/hours"); p.StatusCode != 200 || strings.Contains(p.Body, `action="/calendar/hours"`) {
		t.Errorf("employee /calendar/hours = %d (form shown?)", p.StatusCode)
	}
	if r := emp.Form("POST", "/calendar/hours", url.Values{"start": {"08:00"}, "end": {"09:00"}}); r.StatusCode != 403 {
		t.Errorf("employee POST /calendar/hours = %d", r.StatusCode)
	}
	if st := env.API("employee", "Demo@2026").JSON("PUT", "/api/v1/calendar/hours", calendar.DefaultHours(), nil); st != 403 {
		t.Errorf("employee PUT hours = %d", st)
	}

	// English pages have no untranslated keys.
	en := env.Browser("admin", apptest.AdminPassword)
	en.Form("POST", "/lang", url.Values{"lang": {"en"}, "next": {"/calendar"}})
	for _, path := range []string{"/calendar", "/calendar?year=2027&month=2", "/calendar/hours"} {
		p := en.Get(path)
		if p.StatusCode != 200 || strings.Contains(p.Body, "[[") || !strings.Contains(p.Body, "Working") {
			t.Errorf("English %s = %d", path, p.StatusCode)
		}
		for _, zh := range []string{"工作日历", "调休上班", "作息时间"} {
			if strings.Contains(p.Body, zh) {
				t.Errorf("English %s still shows %q", path, zh)
			}
		}
	}
}
