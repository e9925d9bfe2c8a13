package report_test

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/govops/govops/internal/energy/report"
)

var actionRe = regexp.MustCompile(`data-action="(submit|approve|return|reopen)"`)

// TestButtonsMatchServer walks a report through its states and, for each demo account at each step, checks that
// the buttons of the report page are exactly the actions the API lists for the caller and that every action not
// offered is refused by the server (and changes nothing); the actions offered are then taken and succeed. In
// particular the county that returned a report is never offered 上报 on it, nor may it submit it.
func TestButtonsMatchServer(t *testing.T) {
	e := newEnv(t, true)
	edu := e.orgID(t, "松岭县教育局")
	page := fmt.Sprintf("/energy/reports/%d/2025", edu)
	status := func() string {
		var st string
		if err := e.App.DB.QueryRow(e.ctx, "SELECT COALESCE(MAX(status), 'draft') FROM energy_reports WHERE org_id = ? AND year = 2025 AND kind = 'basic'", edu).Scan(&st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	check := func(user string, want ...string) {
		t.Helper()
		b := e.Browser(user, demoPW)
		r := b.Get(page)
		if r.StatusCode != 200 {
			t.Fatalf("%s: page %d", user, r.StatusCode)
		}
		var buttons []string
		for _, m := range actionRe.FindAllStringSubmatch(r.Body, -1) {
			buttons = append(buttons, m[1])
		}
		sort.Strings(buttons)
		sort.Strings(want)
		if strings.Join(buttons, ",") != strings.Join(want, ",") {
			t.Errorf("%s at %s: buttons %v, want %v", user, status(), buttons, want)
		}
		c := e.API(user, demoPW)
		var d report.Detail
		if st := c.JSON("GET", "/api/v1"+page, nil, &d); st != 200 {
			t.Fatalf("%s: detail %d", user, st)
		}
		api := append([]string{}, d.Report.Actions...)
		sort.Strings(api)
		if strings.Join(api, ",") != strings.Join(buttons, ",") {
			t.Errorf("%s at %s: the API allows %v, the page offers %v", user, status(), api, buttons)
		}
		before := status()
		for _, a := range []string{report.ActSubmit, report.ActApprove, report.ActReturn, report.ActReopen} {
			if slices.Contains(buttons, a) {
				continue
			}
			if st := c.JSON("POST", "/api/v1"+page+"/"+a, map[string]string{"reason": "测试"}, nil); st < 400 {
				t.Errorf("%s at %s: %s not offered but the server answered %d", user, before, a, st)
			}
			if status() != before {
				t.Fatalf("%s: a refused %s changed the state", user, a)
			}
		}
	}
	do := func(user, action string, body any) {
		t.Helper()
		if st := e.API(user, demoPW).JSON("POST", "/api/v1"+page+"/"+action, body, nil); st != 200 {
			t.Fatalf("%s %s: %d", user, action, st)
		}
	}
	// Draft: only the unit submits.
	check("edu", report.ActSubmit)
	check("songling")
	check("qingshan")
	check("energy")
	if st := e.API("edu", demoPW).JSON("PUT", "/api/v1"+page+"/info", signoff("13912345678"), nil); st != 200 {
		t.Fatalf("sign-off: %d", st)
	}
	do("edu", report.ActSubmit, nil)
	// Submitted: the county reviews; the unit waits.
	check("edu")
	check("songling", report.ActApprove, report.ActReturn)
	check("qingshan")
	do("songling", report.ActReturn, map[string]string{"reason": "请核对 3 月水量"})
	// Returned: the unit submits again; the county that returned it is offered nothing.
	check("songling")
	check("edu", report.ActSubmit)
	do("edu", report.ActSubmit, nil)
	do("songling", report.ActApprove, nil)
	// Approved: only the county may reopen.
	check("edu")
	check("songling", report.ActReopen)
	check("energy")
	// The supervisor reads and is offered nothing.
	if r := e.Browser("supervisor", demoPW).Get(page); actionRe.MatchString(r.Body) {
		t.Errorf("the supervisor is offered actions")
	}
}

// TestLateFlag: a report submitted after the deadline in force for its year is flagged for the reviewer in the
// lists and on the report; drafts past the deadline are marked overdue in the list.
func TestLateFlag(t *testing.T) {
	e := newEnv(t, true) // the demo's clock (2026-11-16) is past the 2025 deadline, 2026-03-31
	var list struct {
		Items []report.Item `json:"items"`
	}
	sl := e.API("songling", demoPW)
	if st := sl.JSON("GET", "/api/v1/energy/reports?year=2025", nil, &list); st != 200 {
		t.Fatalf("list: %d", st)
	}
	late, onTime := 0, 0
	var lateID int64
	for _, it := range list.Items {
		if it.Deadline != "2026-03-31" {
			t.Errorf("%s: deadline %q", it.OrgName, it.Deadline)
		}
		if it.Late {
			late++
			lateID = it.OrgID
			if it.Status != report.StatusSubmitted {
				t.Errorf("late %s is %s", it.OrgName, it.Status)
			}
		} else if it.SubmittedAt != 0 {
			onTime++
		}
	}
	if late != 1 || onTime == 0 {
		t.Fatalf("%d late, %d on time", late, onTime)
	}
	b := e.Browser("songling", demoPW)
	if r := b.Get("/energy/reports/review?year=2025"); !strings.Contains(r.Body, `report-late`) {
		t.Errorf("the review page does not flag the late report")
	}
	if r := b.Get(fmt.Sprintf("/energy/reports/%d/2025", lateID)); !strings.Contains(r.Body, "逾期上报") || !strings.Contains(r.Body, "2026-03-31") {
		t.Errorf("the report page does not flag it")
	}
	if r := b.Get("/energy/reports?year=2025"); !strings.Contains(r.Body, "逾期上报") || !strings.Contains(r.Body, "逾期未报") {
		t.Errorf("the list does not flag late and overdue reports")
	}
	// A report submitted now (after the deadline) is late too.
	edu := e.orgID(t, "松岭县教育局")
	u := e.API("edu", demoPW)
	if st := u.JSON("PUT", fmt.Sprintf("/api/v1/energy/reports/%d/2025/info", edu), signoff("0311-86012345-802"), nil); st != 200 {
		t.Fatalf("sign-off: %d", st)
	}
	var r report.Report
	if st := u.JSON("POST", fmt.Sprintf("/api/v1/energy/reports/%d/2025/submit", edu), nil, &r); st != 200 || !r.Late {
		t.Errorf("submitted after the deadline: %d late=%v", st, r.Late)
	}
}

// TestPlausiblePhone: mobiles and landlines with area codes pass, with or without separators and extensions.
func TestPlausiblePhone(t *testing.T) {
	for s, want := range map[string]bool{"13912345678": true, "+86 139 1234 5678": true, "0311-86012345": true, "(010) 6601 2345": true,
		"0311-86012345-802": true, "0311-86012345转802": true, "4008123123": true, "12345": false, "1391234567": false, "abc": false, "86012345": false,
		"23912345678": false} {
		if got := report.PlausiblePhone(s); got != want {
			t.Errorf("%q: %v, want %v", s, got, want)
		}
	}
}
