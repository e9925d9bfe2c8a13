package emc_test

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/govops/govops/internal/energy/emc"
)

type errBody struct {
	Error struct {
		Fields map[string]string `json:"fields"`
	} `json:"error"`
}

func demoContract(t *testing.T, e *env, name string) emc.Contract {
	t.Helper()
	var out struct{ Items []emc.Contract }
	e.API("energy", "Demo@2026").JSON("GET", "/api/v1/energy/contracts", nil, &out)
	for _, c := range out.Items {
		if strings.HasPrefix(c.Name, name) {
			return c
		}
	}
	t.Fatalf("no demo contract %s", name)
	return emc.Contract{}
}

func TestContractsAPI(t *testing.T) {
	e := newEnv(t, true)
	c := e.API("energy", "Demo@2026")
	org := e.orgID(t, "松岭县财政局")
	body := map[string]any{"org_id": org, "name": "财政局节能改造", "esco_name": "测试节能公司", "esco_credit_code": "91990000MA5TEMP01X",
		"contract_type": "shared_savings", "sign_date": "2022-12-01", "term_start": "2023-01-01", "term_end": "2025-12-31", "baseline_from": "2021-01",
		"baseline_to": "2022-12", "energy_types": []string{"electricity"}, "prices": map[string]float64{"electricity": 0.7},
		"shares": []map[string]any{{"from_year": 1, "to_year": 2, "esco_pct": 70}, {"from_year": 3, "to_year": 3, "esco_pct": 50}}}
	var k emc.Contract
	if st := c.JSON("POST", "/api/v1/energy/contracts", body, &k); st != 201 {
		t.Fatalf("create: %d", st)
	}
	bad := []struct {
		field string
		patch map[string]any
	}{
		{"term_end", map[string]any{"term_end": "2022-06-30"}},
		{"shares", map[string]any{"shares": []map[string]any{{"from_year": 1, "to_year": 3, "esco_pct": 120}}}},
		{"shares", map[string]any{"shares": []map[string]any{{"from_year": 1, "to_year": 3, "esco_pct": -5}}}},
		{"contract_type", map[string]any{"contract_type": "bot"}},
		{"energy_types", map[string]any{"energy_types": []string{"steam"}}},
		{"esco_credit_code", map[string]any{"esco_credit_code": "123"}},
		{"baseline_to", map[string]any{"baseline_to": "2021-06"}},
		{"shares", map[string]any{"shares": []map[string]any{}}},
	}
	for _, b := range bad {
		in := map[string]any{}
		for k, v := range body {
			in[k] = v
		}
		for k, v := range b.patch {
			in[k] = v
		}
		var er errBody
		if st := c.JSON("POST", "/api/v1/energy/contracts", in, &er); st != 422 || er.Error.Fields[b.field] == "" {
			t.Errorf("%v: %d %v, want 422 on %s", b.patch, st, er.Error.Fields, b.field)
		}
	}
	// The M&V through 2025-12: settlements of three contract years with the schedule's shares.
	var rep emc.Report
	if st := c.JSON("GET", fmt.Sprintf("/api/v1/energy/contracts/%d/mv?through=2025-12", k.ID), nil, &rep); st != 200 {
		t.Fatalf("mv: %d", st)
	}
	if len(rep.Types) != 1 || rep.Types[0].Model.N != 24 || len(rep.Types[0].Reporting) != 36 || len(rep.Settlements) != 3 {
		t.Fatalf("report %+v", rep)
	}
	tm := rep.Types[0]
	sum := 0.0
	for _, m := range tm.Reporting {
		if math.Abs(m.Saved-(m.Baseline-m.Actual)) > 1e-6 || math.Abs(m.Yuan-m.Saved*0.7) > 1e-6 {
			t.Errorf("month %+v", m)
		}
		sum += m.Saved
	}
	if math.Abs(sum-tm.Saved) > 1e-6 {
		t.Errorf("cumulative %v vs %v", tm.Saved, sum)
	}
	if s := rep.Settlements[2]; s.ESCOShare != 0.5 || (s.Yuan > 0 && math.Abs(s.ESCOYuan-math.Round(s.Yuan*50)/100) > 0.011) {
		t.Errorf("year 3 %+v", s)
	}
	if st := c.JSON("GET", fmt.Sprintf("/api/v1/energy/contracts/%d/mv?through=2031-01", k.ID), nil, nil); st != 422 {
		t.Errorf("through in the future: %d", st)
	}
	// Scope: qingshan (青山市) does not see a 松岭县 contract... 松岭县 is in 青山市? edu sees neither.
	edu := e.API("edu", "Demo@2026")
	for _, p := range []string{"", "/mv", "/settlements"} {
		if st := edu.JSON("GET", fmt.Sprintf("/api/v1/energy/contracts/%d%s", k.ID, p), nil, nil); st != 404 {
			t.Errorf("edu GET %s: %d", p, st)
		}
	}
	if st := edu.JSON("PUT", fmt.Sprintf("/api/v1/energy/contracts/%d", k.ID), body, nil); st != 403 {
		t.Errorf("edu PUT: %d", st)
	}
	var mine struct{ Items []emc.Contract }
	edu.JSON("GET", "/api/v1/energy/contracts", nil, &mine)
	for _, x := range mine.Items {
		if x.OrgName != "松岭县教育局" {
			t.Errorf("edu sees %s", x.OrgName)
		}
	}
	// The contract's documents: the energy manager attaches the signed contract; songling (松岭县, in scope without
	// energy:contract) reads but cannot attach; edu sees nothing; deleting the contract deletes them.
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	att := map[string]string{"object_type": "energy_contract", "object_id": fmt.Sprint(k.ID)}
	if r := c.Upload("/api/v1/attachments", "合同文本（签字版）.pdf", pdf, att); r.StatusCode != 201 {
		t.Fatalf("attach: %d %s", r.StatusCode, r.Body)
	}
	list := fmt.Sprintf("/api/v1/attachments?object_type=energy_contract&object_id=%d", k.ID)
	sl := e.API("songling", "Demo@2026")
	var files struct{ Items []map[string]any }
	if st := sl.JSON("GET", list, nil, &files); st != 200 || len(files.Items) != 1 {
		t.Errorf("songling lists the documents: %d %v", st, files.Items)
	}
	if r := e.Browser("energy", "Demo@2026").Get(fmt.Sprintf("/energy/contracts/%d", k.ID)); !strings.Contains(r.Body, "合同文本（签字版）.pdf") || !strings.Contains(r.Body, `action="/attachments"`) {
		t.Errorf("the contract page does not list the document with an upload form")
	}
	if r := sl.Upload("/api/v1/attachments", "x.pdf", pdf, att); r.StatusCode != 403 {
		t.Errorf("songling attaches: %d, want 403", r.StatusCode)
	}
	if st := edu.JSON("GET", list, nil, nil); st != 404 {
		t.Errorf("edu lists the documents: %d, want 404", st)
	}
	if st := c.JSON("DELETE", fmt.Sprintf("/api/v1/energy/contracts/%d", k.ID), nil, nil); st != 204 {
		t.Errorf("delete: %d", st)
	}
	if n := e.Count(t, "SELECT COUNT(*) FROM attachments WHERE object_type = 'energy_contract' AND object_id = ?", k.ID); n != 0 {
		t.Errorf("%d attachments left after deleting the contract", n)
	}
}

// TestOverride: a contract whose baseline does not follow the weather fails acceptance, so it cannot settle until a
// manager records a reason; then it can, and a payment is recorded and audited.
func TestOverride(t *testing.T) {
	e := newEnv(t, true)
	c := e.API("energy", "Demo@2026")
	// A unit whose baseline electricity jumps about regardless of the weather: 2021–2022 rewritten through the API.
	org := e.orgID(t, "松岭县财政局")
	for i := 0; i < 24; i++ {
		v := 20000.0 + float64((i*7919)%13)*2500
		if st := c.JSON("POST", "/api/v1/energy/consumption", map[string]any{"org_id": org, "period": fmt.Sprintf("%d-%02d", 2021+i/12, i%12+1),
			"energy_type": "electricity", "amount": v, "confirm": true, "reason": "测试：基线不随气温变化"}, nil); st != 200 && st != 201 {
			t.Fatalf("entry: %d", st)
		}
	}
	var k emc.Contract
	if st := c.JSON("POST", "/api/v1/energy/contracts", map[string]any{"org_id": org, "name": "财政局节能改造", "esco_name": "测试节能公司",
		"esco_credit_code": "91990000MA5TEMP01X", "contract_type": "shared_savings", "sign_date": "2022-12-01", "term_start": "2023-01-01",
		"term_end": "2027-12-31", "baseline_from": "2021-01", "baseline_to": "2022-12", "energy_types": []string{"electricity"},
		"prices": map[string]float64{"electricity": 0.7}, "shares": []map[string]any{{"from_year": 1, "to_year": 5, "esco_pct": 70}}}, &k); st != 201 {
		t.Fatalf("create: %d", st)
	}
	var rep emc.Report
	c.JSON("GET", fmt.Sprintf("/api/v1/energy/contracts/%d/mv", k.ID), nil, &rep)
	if rep.Accepted || rep.Settleable {
		t.Fatalf("the 松岭县 demo contract should fail acceptance: %+v", rep.Types)
	}
	if st := c.JSON("GET", fmt.Sprintf("/api/v1/energy/contracts/%d/settlements", k.ID), nil, nil); st != 409 {
		t.Errorf("settlements before override: %d", st)
	}
	if st := c.JSON("PUT", fmt.Sprintf("/api/v1/energy/contracts/%d/settlements/1", k.ID), map[string]any{"paid": true}, nil); st != 409 {
		t.Errorf("pay before override: %d", st)
	}
	var er errBody
	if st := c.JSON("POST", fmt.Sprintf("/api/v1/energy/contracts/%d/override", k.ID), map[string]any{"reason": " "}, &er); st != 422 || er.Error.Fields["reason"] == "" {
		t.Errorf("empty reason: %d", st)
	}
	if st := c.JSON("POST", fmt.Sprintf("/api/v1/energy/contracts/%d/override", k.ID), map[string]any{"reason": "燃气仅为食堂用气，双方确认按电力模型结算"}, nil); st != 200 {
		t.Fatalf("override: %d", st)
	}
	var sts struct{ Items []emc.Settlement }
	if st := c.JSON("GET", fmt.Sprintf("/api/v1/energy/contracts/%d/settlements", k.ID), nil, &sts); st != 200 || len(sts.Items) != 5 || !sts.Items[0].Complete {
		t.Fatalf("settlements after override: %d %d", st, len(sts.Items))
	}
	if st := c.JSON("PUT", fmt.Sprintf("/api/v1/energy/contracts/%d/settlements/1", k.ID), map[string]any{"paid": true}, nil); st != 200 {
		t.Errorf("pay: %d", st)
	}
	if st := c.JSON("PUT", fmt.Sprintf("/api/v1/energy/contracts/%d/settlements/5", k.ID), map[string]any{"paid": true}, nil); st != 422 {
		t.Errorf("pay an open period: %d", st)
	}
	c.JSON("GET", fmt.Sprintf("/api/v1/energy/contracts/%d/settlements", k.ID), nil, &sts)
	if !sts.Items[0].Paid || sts.Items[1].Paid {
		t.Errorf("paid flags %+v", sts.Items[:2])
	}
	var n int64
	_ = e.App.DB.QueryRow(e.ctx, "SELECT COUNT(*) FROM audit_log WHERE action IN ('energy.contract.override', 'energy.contract.payment')").Scan(&n)
	if n < 2 {
		t.Errorf("audit entries %d", n)
	}
}

var chartAttr = regexp.MustCompile(`data-chart='[^']*'`)

func TestPages(t *testing.T) {
	e := newEnv(t, true)
	k := demoContract(t, e, "青山市第一人民医院")
	mine := demoContract(t, e, "松岭县教育局")
	var mineRep emc.Report
	e.API("energy", "Demo@2026").JSON("GET", fmt.Sprintf("/api/v1/energy/contracts/%d/mv", mine.ID), nil, &mineRep)
	pages := []string{"/energy/contracts", fmt.Sprintf("/energy/contracts/%d", k.ID), fmt.Sprintf("/energy/contracts/%d?through=2024-06", k.ID),
		fmt.Sprintf("/energy/contracts/%d", mine.ID)}
	get := func(user, p string, want int) string {
		r := e.Browser(user, "Demo@2026").Get(p)
		if r.StatusCode != want {
			t.Errorf("%s %s: %d, want %d", user, p, r.StatusCode, want)
		}
		body := chartAttr.ReplaceAllString(r.Body, "")
		for _, bad := range []string{"<no value>", "%!", "NaN"} {
			if i := strings.Index(body, bad); i >= 0 {
				t.Errorf("%s %s contains %q near %q", user, p, bad, body[max(0, i-80):min(len(body), i+80)])
			}
		}
		return r.Body
	}
	for _, p := range append(pages, "/energy/contracts/new", fmt.Sprintf("/energy/contracts/%d/edit", k.ID)) {
		get("energy", p, 200)
	}
	if b := get("energy", fmt.Sprintf("/energy/contracts/%d", k.ID), 200); !strings.Contains(b, "通过验收") || !strings.Contains(b, "data-chart") || !strings.Contains(b, "emc-settlements") {
		t.Errorf("the M&V page lacks verdict, chart or settlements: %v %v %v", strings.Contains(b, "通过验收"), strings.Contains(b, "data-chart"), strings.Contains(b, "emc-settlements"))
	}
	if b := get("energy", fmt.Sprintf("/energy/contracts/%d", mine.ID), 200); !mineRep.Accepted && (!strings.Contains(b, "未通过验收") || !strings.Contains(b, "记录放行理由")) {
		t.Errorf("the failing contract is not flagged")
	}
	for _, u := range []string{"supervisor", "songling"} {
		get(u, "/energy/contracts", 200)
		get(u, fmt.Sprintf("/energy/contracts/%d", mine.ID), 200)
		get(u, "/energy/contracts/new", 403)
	}
	get("supervisor", fmt.Sprintf("/energy/contracts/%d", k.ID), 200)
	get("edu", "/energy/contracts", 200)
	get("edu", fmt.Sprintf("/energy/contracts/%d", mine.ID), 200)
	get("edu", fmt.Sprintf("/energy/contracts/%d", k.ID), 404)
	get("songling", fmt.Sprintf("/energy/contracts/%d", k.ID), 404)
	// Exports.
	c := e.Browser("energy", "Demo@2026")
	for _, p := range []string{fmt.Sprintf("/energy/contracts/%d/mv.xlsx", k.ID), fmt.Sprintf("/energy/contracts/%d/settlements.xlsx", k.ID)} {
		if r := c.Get(p); r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheet") {
			t.Errorf("%s: %d", p, r.StatusCode)
		}
	}
	if r := c.Get(fmt.Sprintf("/energy/contracts/%d/settlements.xlsx", mine.ID)); !mineRep.Accepted && r.StatusCode != 409 {
		t.Errorf("settlement export of a failing contract: %d", r.StatusCode)
	}
	// Form: term end before start is refused with 422.
	form := url.Values{"org_id": {fmt.Sprint(e.orgID(t, "松岭县财政局"))}, "name": {"测试"}, "esco_name": {"公司"}, "esco_credit_code": {"91990000MA5TEMP01X"},
		"contract_type": {"shared_savings"}, "sign_date": {"2022-12-01"}, "term_start": {"2023-01-01"}, "term_end": {"2022-01-01"}, "baseline_from": {"2021-01"},
		"baseline_to": {"2022-12"}, "energy_types": {"electricity"}, "price_electricity": {"0.7"}, "shares": {"1-3:80"}, "status": {"active"}}
	if r := c.Form("POST", "/energy/contracts", form); r.StatusCode != 422 || !strings.Contains(r.Body, "合同期截止日期应晚于起始日期") {
		t.Errorf("bad term: %d", r.StatusCode)
	}
	form.Set("term_end", "2025-12-31")
	if r := c.Form("POST", "/energy/contracts", form); r.StatusCode != 303 && r.StatusCode != 200 {
		t.Errorf("register: %d", r.StatusCode)
	}
}

// TestContractsExport: the contract list as Excel, in scope, audited.
func TestContractsExport(t *testing.T) {
	e := newEnv(t, true)
	rows := e.Browser("energy", "Demo@2026").Sheet("/energy/contracts?format=xlsx")
	if len(rows) != 4 || rows[0][0] != "项目名称" || rows[0][2] != "合同类型" {
		t.Fatalf("export rows %d, header %v", len(rows), rows[0])
	}
	if got := strings.Join(rows[1], "|"); !strings.Contains(got, "示范绿能节能服务有限公司") && !strings.Contains(strings.Join(rows[2], "|")+strings.Join(rows[3], "|"), "示范绿能节能服务有限公司") {
		t.Errorf("the demo's ESCO is missing: %v", rows)
	}
	// edu sees only its own unit's contract (松岭县教育局 has one in the demo).
	if own := e.Browser("edu", "Demo@2026").Sheet("/energy/contracts?format=xlsx"); len(own) != 2 || own[1][1] != "松岭县教育局" {
		t.Errorf("edu's export: %v", own)
	}
	if n := e.Count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'export.xlsx' AND object_id = '合同能源管理项目'"); n != 2 {
		t.Errorf("%d audited exports", n)
	}
}
