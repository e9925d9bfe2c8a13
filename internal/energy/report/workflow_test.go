package report_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/energy/report"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
)

// TestWorkflow walks the submission and review up the tree with every refusal: illegal transitions 409, the
// wrong level 403, outside the scope 404, a missing reason 422; approval locks the figures, reopening unlocks them.
func TestWorkflow(t *testing.T) {
	e := newEnv(t, true)
	edu := e.orgID(t, "松岭县教育局")
	songling := e.orgID(t, "松岭县机关事务服务中心")
	eduC, sl, qs, en := e.API("edu", demoPW), e.API("songling", demoPW), e.API("qingshan", demoPW), e.API("energy", demoPW)
	path := func(id int64, action string) string {
		return fmt.Sprintf("/api/v1/energy/reports/%d/2025/%s", id, action)
	}
	var r report.Report
	var eb apptest.ErrorBody
	expect := func(c *apptest.Client, id int64, action string, body any, want int) {
		t.Helper()
		eb = apptest.ErrorBody{}
		var out map[string]any
		st := c.JSON("POST", path(id, action), body, &out)
		if st != want {
			t.Fatalf("%s %d: %d, want %d (%v)", action, id, st, want, out)
		}
		if st >= 400 {
			eb.Error.Message, _ = out["error"].(map[string]any)["message"].(string)
		}
	}
	expect(eduC, edu, "approve", nil, 403)
	if !strings.Contains(eb.Error.Message, "松岭县机关事务服务中心") {
		t.Errorf("403 message %q", eb.Error.Message)
	}
	expect(sl, edu, "approve", nil, 409) // a draft cannot be approved
	// 上报 needs the sign-off: 422 naming each empty field; a phone that is no phone is refused on saving.
	var sb apptest.ErrorBody
	if st := eduC.JSON("POST", path(edu, "submit"), nil, &sb); st != 422 || len(sb.Error.Fields) != 4 || sb.Error.Fields["principal"] == "" ||
		sb.Error.Fields["stats_lead"] == "" || sb.Error.Fields["preparer"] == "" || sb.Error.Fields["phone"] == "" {
		t.Fatalf("submit without sign-off: %d %+v", st, sb)
	}
	sb = apptest.ErrorBody{}
	if st := eduC.JSON("PUT", fmt.Sprintf("/api/v1/energy/reports/%d/2025/info", edu), signoff("12345"), &sb); st != 422 || sb.Error.Fields["phone"] == "" {
		t.Errorf("a bad phone: %d %+v", st, sb)
	}
	if st := eduC.JSON("PUT", fmt.Sprintf("/api/v1/energy/reports/%d/2025/info", edu), signoff("0311-86012345"), nil); st != 200 {
		t.Fatalf("sign-off: %d", st)
	}
	expect(sl, edu, "submit", nil, 403) // the reviewer never submits for the unit
	expect(eduC, edu, "submit", nil, 200)
	expect(eduC, edu, "submit", nil, 409)
	expect(qs, edu, "approve", nil, 403) // the city is not the unit's reviewer
	expect(en, edu, "approve", nil, 403) // nor is the province
	expect(sl, edu, "return", map[string]string{"reason": "  "}, 422)
	expect(sl, edu, "return", map[string]string{"reason": "水 3 月数据请核实"}, 200)
	if n := e.count(t, `SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'edu' AND n.event = ? AND n.title LIKE ?`,
		report.EventReturned, "%水 3 月数据请核实%"); n != 1 {
		t.Errorf("edu got %d return notifications", n)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'songling' AND n.event = ?`, report.EventSubmitted); n != 1 {
		t.Errorf("songling got %d submission notifications", n)
	}
	expect(eduC, edu, "submit", nil, 200)
	expect(sl, edu, "approve", nil, 200)
	expect(sl, edu, "approve", nil, 409)
	locked, err := e.svc.Locked(e.ctx, e.App.DB, edu, 2025)
	if err != nil || !locked {
		t.Errorf("approved report not locked: %v %v", locked, err)
	}
	if l, _ := e.svc.Locked(e.ctx, e.App.DB, edu, 2024); l {
		t.Errorf("2024 locked")
	}
	if err := e.svc.CheckLock(e.ctx, e.App.DB, edu, 2025); !errs.Is(err, errs.CodeConflict) || !strings.Contains(err.Error(), "已锁定") {
		t.Errorf("CheckLock: %v", err)
	}
	if st := eduC.JSON("PUT", fmt.Sprintf("/api/v1/energy/reports/%d/2025/info", edu), report.Info{NewEnergyVehicles: 2}, nil); st != 409 {
		t.Errorf("info of an approved report: %d", st)
	}
	// The lock reaches energy's writes (app.go sets energy.Service.Lock): a monthly entry, the 用能人数 of the year.
	entry := map[string]any{"org_id": edu, "period": "2025-03", "energy_type": "water", "amount": 12.5, "confirm": true, "reason": "抄表更正"}
	if st := en.JSON("POST", "/api/v1/energy/consumption", entry, &eb); st != 409 {
		t.Errorf("entry into a locked year: %d, want 409", st)
	}
	if _, err := apptest.Module[*energy.Service](e.Env).SetOrgYear(e.ctx, auth.Everything(), energy.OrgYear{OrgID: edu, Year: 2025, Headcount: 10, FloorAreaM2: 100}); !errs.Is(err, errs.CodeConflict) {
		t.Errorf("用能人数 of a locked year: %v", err)
	}
	if st := en.JSON("POST", "/api/v1/energy/consumption", map[string]any{"org_id": edu, "period": "2024-03", "energy_type": "water", "amount": 12.5, "confirm": true, "reason": "抄表更正"}, nil); st != 200 && st != 201 {
		t.Errorf("entry into an open year: %d", st)
	}
	// Meter data of the locked year rolls up into the meter but is held out of the unit's figures until reopened.
	var m struct {
		ID int64 `json:"id"`
	}
	if st := en.JSON("POST", "/api/v1/energy/meters", map[string]any{"org_id": edu, "energy_type": "lpg", "name": "食堂液化气表", "cumulative": true}, &m); st != 201 {
		t.Fatalf("create meter: %d", st)
	}
	var readings []map[string]any // a whole year at 240 kg a month: the reopened report stays complete
	for i := 0; i <= 12; i++ {
		ts := fmt.Sprintf("%04d-%02d-01T00:00:00+08:00", 2025+i/12, i%12+1)
		readings = append(readings, map[string]any{"meter_id": m.ID, "ts": ts, "value": 100 + 240*i})
	}
	if st := en.JSON("POST", "/api/v1/energy/readings", readings, nil); st != 200 {
		t.Fatalf("post readings: %d", st)
	}
	apptest.Module[*energy.Service](e.Env).WaitRollups(e.ctx)
	if n := e.count(t, "SELECT COUNT(*) FROM energy_meter_monthly WHERE meter_id = ? AND period = '2025-05'", m.ID); n != 1 {
		t.Errorf("the meter's own May roll-up: %d rows", n)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_usage WHERE org_id = ? AND year = 2025 AND energy_type = 'lpg'", edu); n != 0 {
		t.Errorf("meter data changed the locked year's figures")
	}
	var d report.Detail
	if st := sl.JSON("GET", fmt.Sprintf("/api/v1/energy/reports/%d/2025", edu), nil, &d); st != 200 || len(d.Held) != 1 || d.Held[0] != "lpg" {
		t.Errorf("held types: %d %v", st, d.Held)
	}
	if r := e.Browser("songling", demoPW).Get(fmt.Sprintf("/energy/reports/%d/2025", edu)); !strings.Contains(r.Body, "held-changes") || !strings.Contains(r.Body, "液化石油气") {
		t.Errorf("the report page does not show the held meter data")
	}
	// Outside the scope: songling cannot see a unit of another county.
	other := e.orgID(t, "云溪县教育局")
	expect(sl, other, "approve", nil, 404)
	// Reopen: only the approving level, with a reason; then the year is unlocked and the unit told.
	expect(eduC, edu, "reopen", map[string]string{"reason": "更正"}, 403)
	expect(sl, edu, "reopen", nil, 422)
	expect(sl, edu, "reopen", map[string]string{"reason": "燃气公司更正了 12 月账单"}, 200)
	if l, _ := e.svc.Locked(e.ctx, e.App.DB, edu, 2025); l {
		t.Errorf("reopened report still locked")
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_usage WHERE org_id = ? AND year = 2025 AND energy_type = 'lpg' AND m05 = 240", edu); n != 1 {
		t.Errorf("reopening did not bring in the held meter data")
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_usage_held WHERE org_id = ?", edu); n != 0 {
		t.Errorf("held marks left after reopening: %d", n)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM object_history WHERE summary LIKE ?", "%计入锁定期间变化的计量数据：液化石油气%"); n != 1 {
		t.Errorf("the reopening's history does not name the held data (%d)", n)
	}
	if st := en.JSON("POST", "/api/v1/energy/consumption", entry, nil); st != 200 && st != 201 {
		t.Errorf("entry after reopening: %d", st)
	}
	if st := eduC.JSON("GET", fmt.Sprintf("/api/v1/energy/reports/%d/2025", edu), nil, &struct {
		Report *report.Report `json:"report"`
	}{&r}); st != 200 || r.Status != "returned" || r.Reason != "燃气公司更正了 12 月账单" {
		t.Errorf("after reopen: %d %+v", st, r)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM object_history WHERE object_type = 'energy_report' AND object_id = ?", r.ID); n != 5 {
		t.Errorf("%d history lines, want 5", n)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'energy.report.%' AND org_id = ?", edu); n != 6 {
		t.Errorf("%d audit entries, want 6 (the sign-off and five actions)", n)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'edu' AND n.event = ?`, report.EventReopened); n != 1 {
		t.Errorf("edu got %d reopen notifications", n)
	}
	// Info is editable again; bad input is 422 with the field.
	if st := eduC.JSON("PUT", fmt.Sprintf("/api/v1/energy/reports/%d/2025/info", edu), map[string]any{"new_energy_vehicles": -1}, &eb); st != 422 || eb.Error.Fields["new_energy_vehicles"] == "" {
		t.Errorf("bad info: %d %+v", st, eb)
	}
	in := signoff("13912345678")
	in.NewEnergyVehicles = 2
	if st := eduC.JSON("PUT", fmt.Sprintf("/api/v1/energy/reports/%d/2025/info", edu), in, nil); st != 200 {
		t.Errorf("info: %d", st)
	}

	// The county's summary: refused while children are pending, then submitted to the city and approved there.
	expect(sl, songling, "submit", map[string]string{"kind": "summary"}, 409)
	if !strings.Contains(eb.Error.Message, "松岭县教育局") {
		t.Errorf("pending children not named: %q", eb.Error.Message)
	}
	var pending []report.Item
	var list struct{ Items *[]report.Item }
	list.Items = &pending
	if st := sl.JSON("GET", "/api/v1/energy/reports?year=2025&status=returned", nil, &list); st != 200 || len(pending) != 2 {
		t.Fatalf("returned list: %d %d", st, len(pending))
	}
	for _, it := range pending {
		expect(sl, it.OrgID, "submit", nil, 403) // the county returned them: it does not submit them
		if it.OrgID == edu {
			expect(eduC, edu, "submit", nil, 200)
			continue
		}
		// The units without a demo account submit through the service, as their own administrators would.
		us := auth.Scope{Kind: auth.ScopeUnit, OrgID: it.OrgID}
		if _, err := e.svc.SaveInfo(e.ctx, us, it.OrgID, 2025, signoff("0311 8601 2345")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Act(e.ctx, us, it.OrgID, 2025, report.ActSubmit, report.ActInput{}); err != nil {
			t.Fatalf("%s submits: %v", it.OrgName, err)
		}
	}
	if st := sl.JSON("GET", "/api/v1/energy/reports?year=2025&status=submitted", nil, &list); st != 200 || len(pending) != 3 {
		t.Fatalf("submitted list: %d %d", st, len(pending))
	}
	for _, it := range pending {
		expect(sl, it.OrgID, "approve", nil, 200)
	}
	expect(eduC, songling, "submit", map[string]string{"kind": "summary"}, 404)
	expect(sl, edu, "submit", map[string]string{"kind": "summary"}, 422) // a unit without children has no summary
	expect(sl, songling, "submit", map[string]string{"kind": "summary"}, 200)
	expect(sl, songling, "approve", map[string]string{"kind": "summary"}, 403)
	expect(qs, songling, "approve", map[string]string{"kind": "summary"}, 200)
	expect(sl, edu, "reopen", map[string]string{"reason": "再改"}, 409) // the county's summary is approved
	expect(en, e.orgID(t, "示范省机关事务管理局"), "submit", nil, 409)          // the top has nobody to report to
	expect(en, edu, "frobnicate", nil, 404)

	// Blocking completeness: a unit with no 用能人数 cannot submit.
	if _, err := apptest.Module[*energy.Service](e.Env).SetOrgYear(e.ctx, auth.Everything(), energy.OrgYear{OrgID: edu, Year: 2026, Headcount: 0, FloorAreaM2: 1200}); err != nil {
		t.Fatal(err)
	}
	if st := eduC.JSON("POST", fmt.Sprintf("/api/v1/energy/reports/%d/2026/submit", edu), nil, &eb); st != 409 || !strings.Contains(eb.Error.Message, "用能人数") {
		t.Errorf("blocked submit: %d %q", st, eb.Error.Message)
	}
}

// signoff is a report's sign-off block with the given phone.
func signoff(phone string) report.Info {
	return report.Info{Principal: "王局长", StatsLead: "李统计", Preparer: "张填表", Phone: phone}
}

// TestExcel reads the exported workbooks back: the 基层表's header block, columns, figures and signature row, and
// the summary's groups and total.
func TestExcel(t *testing.T) {
	e := newEnv(t, true)
	edu := e.orgID(t, "松岭县教育局")
	c := e.API("energy", demoPW)
	r := c.Get(fmt.Sprintf("/api/v1/energy/reports/%d/2025/export", edu))
	if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("export: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	rows, _ := f.GetRows(sheet)
	text := func(i int) string { return strings.Join(rows[i], "|") }
	if v, _ := f.GetCellValue(sheet, "A1"); v != "公共机构能源资源消费状况" {
		t.Errorf("title %q", v)
	}
	merged, _ := f.GetMergeCells(sheet)
	if len(merged) == 0 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != "F1" {
		t.Errorf("title not merged over the table")
	}
	head := text(1) + text(2) + text(3) + text(4)
	for _, want := range []string{"填报单位：松岭县教育局", "表　　号：基层表", "制定机关：国家机关事务管理局", "批准机关：国家统计局", "统计年度：2025 年", "2025年11月10日修订"} {
		if !strings.Contains(head, want) {
			t.Errorf("header block lacks %q: %s", want, head)
		}
	}
	fm, err := report.BuildForm(e.ctx, e.App.DB, auth.Everything(), edu, 2025)
	if err != nil {
		t.Fatal(err)
	}
	var hdr, elec, sign, credit int
	for i, row := range rows {
		s := strings.Join(row, "|")
		switch {
		case strings.HasPrefix(s, "指标名称|代码|计量单位|本年|上年"):
			hdr = i
		case strings.HasPrefix(s, "电力|201|千瓦时|"):
			elec = i
		case strings.HasPrefix(s, "统一社会信用代码|102|"):
			credit = i
		case strings.Contains(s, "单位负责人：") && strings.Contains(s, "统计负责人：") && strings.Contains(s, "填表人：") && strings.Contains(s, "报出日期："):
			sign = i
		}
	}
	if hdr == 0 || elec == 0 || sign == 0 || credit == 0 {
		t.Fatalf("rows missing: header %d electricity %d signature %d credit %d\n%v", hdr, elec, sign, credit, rows)
	}
	for _, l := range fm.Lines {
		if l.Code == "201" {
			v, _ := f.GetCellValue(sheet, fmt.Sprintf("D%d", elec+1), excelize.Options{RawCellValue: true})
			if v != fmt.Sprint(l.This) {
				t.Errorf("electricity cell %q, want %v", v, l.This)
			}
		}
	}

	// The summary of the county by category.
	songling := e.orgID(t, "松岭县机关事务服务中心")
	r = c.Get(fmt.Sprintf("/api/v1/energy/reports/summary?year=2025&org_id=%d&by=category&format=xlsx", songling))
	if r.StatusCode != 200 {
		t.Fatalf("summary export: %d", r.StatusCode)
	}
	g, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	srows, _ := g.GetRows("分类汇总", excelize.Options{RawCellValue: true})
	sm, _ := report.BuildSummary(e.ctx, e.App.DB, auth.Everything(), songling, 2025, report.ByCategory)
	if len(srows) < 8+len(sm.Groups) {
		t.Fatalf("summary has %d rows", len(srows))
	}
	if h := strings.Join(srows[6], "|"); !strings.HasPrefix(h, "单位类别|单位数|已上报|已审核|电力（千瓦时）") {
		t.Errorf("summary header %q", h)
	}
	total := srows[7+len(sm.Groups)]
	if total[0] != "合计" || total[1] != fmt.Sprint(sm.Total.Units) {
		t.Errorf("total row %v, want %d units", total, sm.Total.Units)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'export.xlsx' AND object_id LIKE '%基层表%'"); n != 1 {
		t.Errorf("%d audited form exports", n)
	}
}

// TestPages renders every page as the energy manager, a county and a unit administrator and the supervisor.
func TestPages(t *testing.T) {
	e := newEnv(t, true)
	edu := e.orgID(t, "松岭县教育局")
	songling := e.orgID(t, "松岭县机关事务服务中心")
	pages := []string{"/energy/reports", "/energy/reports?year=2025&status=approved", "/energy/reports?year=2026", fmt.Sprintf("/energy/reports/%d/2025", edu),
		fmt.Sprintf("/energy/reports/%d/2022", edu), "/energy/reports/review", "/energy/reports/summary",
		fmt.Sprintf("/energy/reports/summary?org_id=%d&by=category", songling), "/energy/reports/summary?year=2021"}
	for _, user := range []string{"energy", "songling", "edu", "supervisor"} {
		c := e.Browser(user, demoPW)
		for _, p := range pages {
			r := c.Get(p)
			want := 200
			switch {
			case user == "supervisor" && p == "/energy/reports/review":
				want = 403
			case user == "edu" && strings.Contains(p, fmt.Sprintf("org_id=%d", songling)):
				want = 404
			}
			if r.StatusCode != want {
				t.Errorf("%s %s: %d, want %d", user, p, r.StatusCode, want)
				continue
			}
			for _, bad := range []string{"[[", "<no value>", "%!"} {
				if i := strings.Index(r.Body, bad); i >= 0 {
					t.Errorf("%s %s contains %q near %q", user, p, bad, r.Body[max(0, i-80):min(len(r.Body), i+80)])
				}
			}
		}
		if r := c.Get("/energy/reports/export?year=2025"); r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
			t.Errorf("%s list export: %d", user, r.StatusCode)
		}
	}
	// The unit's page offers the submission to edu, the review to songling, nothing to the supervisor.
	u := e.Browser("edu", demoPW)
	page := fmt.Sprintf("/energy/reports/%d/2025", edu)
	if r := u.Get(page); !strings.Contains(r.Body, `data-action="submit"`) || strings.Contains(r.Body, `data-action="approve"`) || !strings.Contains(r.Body, "完整性检查") {
		t.Errorf("edu's form page lacks the submit button or the check")
	}
	// 上报 opens the confirmation step; a post without "我已核对" goes back to it and submits nothing.
	if r := u.Get(page + "?confirm=submit"); !strings.Contains(r.Body, `id="submit-confirm"`) || !strings.Contains(r.Body, `name="checked"`) ||
		!strings.Contains(r.Body, `id="signoff-missing"`) {
		t.Errorf("the confirmation step is missing or does not name the missing sign-off")
	}
	if st := u.JSON("PUT", fmt.Sprintf("/api/v1/energy/reports/%d/2025/info", edu), signoff("0311-86012345"), nil); st != 200 {
		t.Fatalf("sign-off: %d", st)
	}
	if r := u.Form("POST", page+"/submit", url.Values{"kind": {"basic"}}); r.StatusCode != 303 || !strings.Contains(r.Header.Get("Location"), "confirm=submit") {
		t.Errorf("unchecked submit: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if n := e.count(t, "SELECT COUNT(*) FROM energy_reports WHERE org_id = ? AND year = 2025 AND status = 'submitted'", edu); n != 0 {
		t.Errorf("an unchecked post submitted the report")
	}
	if r := u.Form("POST", page+"/submit", url.Values{"kind": {"basic"}, "checked": {"1"}}); r.StatusCode != 303 {
		t.Errorf("submit form: %d", r.StatusCode)
	}
	s := e.Browser("songling", demoPW)
	if r := s.Get("/energy/reports/review?year=2025"); !strings.Contains(r.Body, "松岭县教育局") || !strings.Contains(r.Body, `data-action="approve"`) {
		t.Errorf("review page lacks edu's submitted report")
	}
	if r := s.Form("POST", page+"/approve", url.Values{"kind": {"basic"}, "back": {"/energy/reports/review?year=2025"}}); r.StatusCode != 303 || r.Header.Get("Location") != "/energy/reports/review?year=2025" {
		t.Errorf("approve form: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if r := s.Get(page); !strings.Contains(r.Body, "已审核") || !strings.Contains(r.Body, `data-action="reopen"`) {
		t.Errorf("approved page")
	}
	if r := e.Browser("supervisor", demoPW).Get(page); strings.Contains(r.Body, `data-action=`) {
		t.Errorf("the supervisor is offered actions")
	}
	if r := u.Form("POST", page+"/info", url.Values{"new_energy_vehicles": {"x"}}); r.StatusCode != 409 && r.StatusCode != 303 && r.StatusCode != 422 {
		t.Errorf("info on approved: %d", r.StatusCode)
	}
}
