package report_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/fleet/report"
)

const demoPW = "Demo@2026"

func newEnv(t *testing.T) *apptest.Env {
	t.Helper()
	return apptest.New(t, apptest.Options{Demo: true})
}

func act(t *testing.T, e *apptest.Env, user, path string, body any) (int, apptest.ErrorBody) {
	t.Helper()
	var eb apptest.ErrorBody
	st := e.API(user, demoPW).JSON("POST", path, body, &eb)
	return st, eb
}

// TestReportFlow walks a unit's report through fill, submit (with its sign-off and the lock), return, resubmit,
// approve and reopen, and a late submission of last year's report; the summary up the tree adds the units up.
// The clock stands at apptest.DefaultNow (2026-11-16): the 2026 report is due 2027-03-31, the 2025 one was due
// 2026-03-31.
func TestReportFlow(t *testing.T) {
	e := newEnv(t)
	edu := e.OrgID(t, "松岭县教育局")
	songling := e.OrgID(t, "松岭县机关事务服务中心")
	base := fmt.Sprintf("/api/v1/fleet/reports/%d/2026", edu)

	// Filled from the ledger: the education bureau's two cars, bought before 2026.
	var d report.Detail
	if st := e.API("edu", demoPW).JSON("GET", base, nil, &d); st != 200 {
		t.Fatalf("detail: %d", st)
	}
	held := e.Count(t, "SELECT COUNT(*) FROM fleet_vehicles WHERE org_id = ? AND status <> 'disposed'", edu)
	if d.Report.Status != "draft" || d.Report.ParentName != "松岭县机关事务服务中心" || d.Report.Deadline != "2027-03-31" || d.Layout != "GovOps layout" {
		t.Errorf("report %+v", d.Report)
	}
	if int64(d.Figures.Total.End) != held || held != 2 || d.Figures.Total.Start != 2 || d.Figures.Total.New != 0 || d.Figures.Total.Quota != 2 {
		t.Errorf("figures %+v (held %d)", d.Figures.Total, held)
	}
	if d.Figures.Target != 0.3 || !strings.Contains(d.Figures.TargetSource, "十四五") {
		t.Errorf("nev target %v %q", d.Figures.Target, d.Figures.TargetSource)
	}
	if strings.Join(d.Report.Actions, ",") != "submit" {
		t.Errorf("edu actions %v", d.Report.Actions)
	}

	// Submission needs the sign-off: 422 naming each field.
	st, eb := act(t, e, "edu", base+"/submit", nil)
	if st != 422 || eb.Error.Fields["principal"] == "" || eb.Error.Fields["preparer"] == "" || eb.Error.Fields["phone"] == "" {
		t.Fatalf("submit without sign-off: %d %+v", st, eb)
	}
	var eb2 apptest.ErrorBody
	if st := e.API("edu", demoPW).JSON("PUT", base+"/info", map[string]any{"replaced": -1, "phone": "abc", "budget_yuan": 1.234}, &eb2); st != 422 ||
		eb2.Error.Fields["replaced"] == "" || eb2.Error.Fields["phone"] == "" || eb2.Error.Fields["budget_yuan"] == "" {
		t.Fatalf("bad info: %d %+v", st, eb2)
	}
	info := map[string]any{"replaced": 0, "budget_yuan": 52000, "principal": "张局长", "preparer": "李干事", "phone": "0990-6612345"}
	if st := e.API("edu", demoPW).JSON("PUT", base+"/info", info, nil); st != 200 {
		t.Fatalf("info: %d", st)
	}
	// A reviewer never submits for the unit.
	if st, _ := act(t, e, "songling", base+"/submit", nil); st != 403 {
		t.Errorf("the county submits for the unit: %d", st)
	}
	var rep report.Report
	if st := e.API("edu", demoPW).JSON("POST", base+"/submit", nil, &rep); st != 200 || rep.Status != "submitted" || rep.Late || !rep.Locked {
		t.Fatalf("submit: %d %+v", st, rep)
	}
	if st := e.API("edu", demoPW).JSON("PUT", base+"/info", info, nil); st != 409 {
		t.Errorf("info of a submitted report: %d", st)
	}
	if st, _ := act(t, e, "edu", base+"/submit", nil); st != 409 {
		t.Errorf("submit twice: %d", st)
	}
	// Only the parent bureau reviews.
	for _, u := range []string{"edu", "qingshan", "fleet"} {
		if st, _ := act(t, e, u, base+"/approve", nil); st != 403 {
			t.Errorf("%s approves: %d", u, st)
		}
	}
	if st, eb := act(t, e, "songling", base+"/return", map[string]string{}); st != 422 || eb.Error.Fields["reason"] == "" {
		t.Errorf("return without reason: %d %+v", st, eb)
	}
	if st := e.API("songling", demoPW).JSON("POST", base+"/return", map[string]string{"reason": "请补充更新车辆说明"}, &rep); st != 200 || rep.Status != "returned" || rep.Locked {
		t.Fatalf("return: %d %+v", st, rep)
	}
	info["note"] = "本年无新增车辆"
	if st := e.API("edu", demoPW).JSON("PUT", base+"/info", info, nil); st != 200 {
		t.Fatalf("info after return: %d", st)
	}
	if st := e.API("edu", demoPW).JSON("POST", base+"/submit", nil, &rep); st != 200 || rep.Status != "submitted" {
		t.Fatalf("resubmit: %d %+v", st, rep)
	}
	if st := e.API("songling", demoPW).JSON("POST", base+"/approve", nil, &rep); st != 200 || rep.Status != "approved" {
		t.Fatalf("approve: %d %+v", st, rep)
	}
	if st, _ := act(t, e, "songling", base+"/approve", nil); st != 409 {
		t.Errorf("approve twice: %d", st)
	}

	// The lock: a vehicle registered after the approval changes the ledger, not the approved report.
	var v struct {
		ID int64 `json:"id"`
	}
	if st := e.API("edu", demoPW).JSON("POST", "/api/v1/vehicles", map[string]any{"org_id": edu, "plate": "青BD77777", "category": "other",
		"fuel_type": "electric", "body_type": "sedan", "price_yuan": 99000, "purchase_date": "2026-06-01", "seats": 5}, &v); st != 201 {
		t.Fatalf("new vehicle: %d", st)
	}
	if st := e.API("edu", demoPW).JSON("GET", base, nil, &d); st != 200 || d.Figures.Total.New != 0 || d.Figures.Total.End != 2 || d.Info.Note != "本年无新增车辆" {
		t.Errorf("approved report changed with the ledger: %+v", d.Figures.Total)
	}
	if st := e.API("songling", demoPW).JSON("POST", base+"/reopen", map[string]string{"reason": "新购车辆补报"}, &rep); st != 200 || rep.Status != "returned" {
		t.Fatalf("reopen: %d %+v", st, rep)
	}
	if st := e.API("edu", demoPW).JSON("GET", base, nil, &d); st != 200 || d.Figures.Total.New != 1 || d.Figures.Total.NewNEV != 1 || d.Figures.Total.End != 3 ||
		d.Figures.NEVShare != 1 || !d.Figures.TargetMet || d.Figures.PurchaseYuan != 99000 {
		t.Errorf("reopened report: %+v share %v purchase %v", d.Figures.Total, d.Figures.NEVShare, d.Figures.PurchaseYuan)
	}
	var hist int64 = e.Count(t, "SELECT COUNT(*) FROM object_history WHERE object_type = 'fleet_report'")
	if n := e.Count(t, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'fleet.report.%'"); hist != 3+5 || n != 7 { // the demo's three approvals, then this flow
		t.Errorf("history %d, audit %d", hist, n)
	}

	// Last year's report of the county centre, submitted now: late against 2026-03-31; the city reviews it.
	last := fmt.Sprintf("/api/v1/fleet/reports/%d/2025", songling)
	if st := e.API("songling", demoPW).JSON("PUT", last+"/info", info, nil); st != 200 {
		t.Fatalf("county info: %d", st)
	}
	if st := e.API("songling", demoPW).JSON("POST", last+"/submit", nil, &rep); st != 200 || !rep.Late || rep.Deadline != "2026-03-31" {
		t.Fatalf("late submit: %d %+v", st, rep)
	}
	if st := e.API("qingshan", demoPW).JSON("POST", last+"/approve", nil, &rep); st != 200 || rep.Status != "approved" || !rep.Late {
		t.Fatalf("city approves: %d %+v", st, rep)
	}

	// The summary of the city's subtree for 2025: the county centre (approved, late) and the education bureau
	// (approved by the demo) with its two cars; the total adds up the rows.
	qingshan := e.OrgID(t, "青山市机关事务管理局")
	var sm report.Summary
	if st := e.API("qingshan", demoPW).JSON("GET", fmt.Sprintf("/api/v1/fleet/reports/summary?org_id=%d&year=2025", qingshan), nil, &sm); st != 200 {
		t.Fatalf("summary: %d", st)
	}
	var end, trips int
	approved := map[string]bool{}
	for _, r := range sm.Rows {
		end += r.Figures.Total.End
		trips += int(r.Figures.Trips)
		if r.Report.Status == "approved" {
			approved[r.Report.OrgName] = true
		}
	}
	if sm.Total.Total.End != end || end != 2 || int(sm.Total.Trips) != trips || !approved["松岭县教育局"] || !approved["松岭县机关事务服务中心"] ||
		sm.Approved < 2 || sm.Late != 1 || sm.Layout != "GovOps layout" {
		t.Errorf("summary %+v rows %d end %d approved %v", sm.Total.Total, len(sm.Rows), end, approved)
	}

	// Scope: 404 outside it; 403 without the right.
	if st := e.API("edu", demoPW).JSON("GET", last, nil, nil); st != 404 {
		t.Errorf("edu reads its bureau's report: %d", st)
	}
	if st := e.API("edu", demoPW).JSON("PUT", fmt.Sprintf("/api/v1/fleet/reports/%d/2026/info", songling), info, nil); st != 404 {
		t.Errorf("edu writes its bureau's report: %d", st)
	}
	if st := e.API("qingshan", demoPW).JSON("GET", fmt.Sprintf("/api/v1/fleet/reports/%d/2025", e.OrgID(t, "示范省公安厅")), nil, nil); st != 404 {
		t.Errorf("the city reads a provincial unit's report: %d", st)
	}
	if st := e.API("employee", demoPW).JSON("GET", "/api/v1/fleet/reports", nil, nil); st != 403 {
		t.Errorf("employee lists reports: %d", st)
	}
	if st, _ := act(t, e, "supervisor", base+"/submit", nil); st != 403 {
		t.Errorf("supervisor submits: %d", st)
	}
	if st := e.API("edu", demoPW).JSON("GET", fmt.Sprintf("/api/v1/fleet/reports/%d/20x6", edu), nil, nil); st != 422 {
		t.Errorf("bad year: %d", st)
	}
	if st := e.API("edu", demoPW).JSON("PUT", fmt.Sprintf("/api/v1/fleet/reports/%d/2030/info", edu), info, nil); st != 422 {
		t.Errorf("future year: %d", st)
	}
}

// TestReportPages: the pages show the actions the server allows, submit only after the confirmation step, and the
// GovOps layout mark; the review page lists the children.
func TestReportPages(t *testing.T) {
	e := newEnv(t)
	edu := e.OrgID(t, "松岭县教育局")
	page := fmt.Sprintf("/fleet/reports/%d/2026", edu)
	b := e.Browser("edu", demoPW)
	r := b.Get(page)
	if r.StatusCode != 200 || !strings.Contains(r.Body, `data-action="submit"`) || !strings.Contains(r.Body, "GovOps layout") || strings.Contains(r.Body, `data-action="approve"`) {
		t.Fatalf("form page: %d", r.StatusCode)
	}
	if r := b.Get(page + "?confirm=submit"); !strings.Contains(r.Body, `id="signoff-missing"`) || !strings.Contains(r.Body, `data-action="submit-confirm"`) {
		t.Errorf("confirmation step without sign-off")
	}
	// Posting submit without the tick goes back to the confirmation step; nothing changes.
	if r := b.Form("POST", page+"/submit", url.Values{}); r.StatusCode != 303 || !strings.Contains(r.Header.Get("Location"), "confirm=submit") || e.Count(t, "SELECT COUNT(*) FROM fleet_reports WHERE org_id = ? AND year = 2026", edu) != 0 {
		t.Errorf("submit without the tick: %d", r.StatusCode)
	}
	if r := b.Form("POST", page+"/info", url.Values{"principal": {"张局长"}, "preparer": {"李干事"}, "phone": {"x"}}); r.StatusCode != 422 || !strings.Contains(r.Body, "联系电话格式不正确") {
		t.Errorf("bad phone on the page: %d", r.StatusCode)
	}
	if r := b.Form("POST", page+"/info", url.Values{"principal": {"张局长"}, "preparer": {"李干事"}, "phone": {"13900001111"}}); r.StatusCode != 303 {
		t.Errorf("info on the page: %d", r.StatusCode)
	}
	if r := b.Form("POST", page+"/submit", url.Values{"checked": {"1"}}); r.StatusCode != 303 ||
		e.Count(t, "SELECT COUNT(*) FROM fleet_reports WHERE org_id = ? AND year = 2026 AND status = 'submitted'", edu) != 1 {
		t.Errorf("submit on the page: %d", r.StatusCode)
	}
	rv := e.Browser("songling", demoPW).Get("/fleet/reports/review?year=2026")
	if rv.StatusCode != 200 || !strings.Contains(rv.Body, "松岭县教育局") || !strings.Contains(rv.Body, `data-action="approve"`) {
		t.Errorf("review page: %d", rv.StatusCode)
	}
	for _, p := range []string{"/fleet/reports", "/fleet/reports/summary", page + "/print", "/fleet/usage", "/fleet/exchange"} {
		if r := e.Browser("fleet", demoPW).Get(p); r.StatusCode != 200 || !strings.Contains(r.Body, "GovOps layout") && p != "/fleet/usage" {
			t.Errorf("%s: %d", p, r.StatusCode)
		}
	}
	// The supervisor (纪检监督, read-only across the province) sees usage, reports and the exchange, with no action.
	s := e.Browser("supervisor", demoPW)
	if r := s.Get("/fleet/usage"); r.StatusCode != 200 || !strings.Contains(r.Body, `id="supervisor-view"`) {
		t.Errorf("supervisor usage: %d", r.StatusCode)
	}
	if r := s.Get(page); r.StatusCode != 200 || strings.Contains(r.Body, "data-action=") || strings.Contains(r.Body, `id="report-info"`) {
		t.Errorf("supervisor report page offers actions")
	}
	if r := s.Get("/fleet/reports/review"); r.StatusCode != 403 {
		t.Errorf("supervisor review page: %d", r.StatusCode)
	}
}

// TestDemoReports: last year's reports of the units with vehicles are approved, this year's are drafts.
func TestDemoReports(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"示范省人民政府办公厅", "示范省公安厅", "松岭县教育局"} {
		id := e.OrgID(t, name)
		if n := e.Count(t, "SELECT COUNT(*) FROM fleet_reports WHERE org_id = ? AND year = 2025 AND status = 'approved' AND figures <> ''", id); n != 1 {
			t.Errorf("%s: %d approved 2025 reports", name, n)
		}
	}
	if n := e.Count(t, "SELECT COUNT(*) FROM fleet_reports WHERE year = 2026"); n != 0 {
		t.Errorf("%d reports of this year", n)
	}
	if n := e.Count(t, "SELECT COUNT(*) FROM fleet_reports WHERE submitted_at > ? OR reviewed_at > ?", e.Clock.Now().Unix(), e.Clock.Now().Unix()); n != 0 {
		t.Errorf("%d demo reports dated in the future", n)
	}
}
