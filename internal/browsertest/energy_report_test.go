package browsertest

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestEnergyReportFlow is the annual statistics report's main flow: the unit administrator of 松岭县教育局 opens
// its 2025 基层表, sees the completeness check and submits it; the county bureau (songling) approves it on its
// review page; the province's energy manager exports the county's summary table, which must be a valid .xlsx in
// the layout of the form. Pages are photographed at desktop and phone width.
func TestEnergyReportFlow(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	b := s.NewTab(t, "energy-report")
	b.SignIn("edu", DemoPassword)
	// The demo's reports are those of the year before the server's clock (2025 at the harness's default date).
	year := strconv.Itoa(s.Year() - 1)

	// The report list of edu's scope links its own 2025 基层表.
	b.Visit("/energy/reports?year=" + year)
	b.ExpectText("main table", "松岭县教育局")
	links := b.Links(`main table a[href^="/energy/reports/"]`)
	if len(links) != 1 {
		t.Fatalf("edu's list links %d reports, want its own", len(links))
	}
	form := links[0]
	b.Visit(form)
	b.ExpectText("main h1", "松岭县教育局")
	b.ExpectText("main .report-check", "完整性检查")
	b.ExpectText("main .report-state", "草稿")
	if n := b.Count(`main .report-lines tbody tr`); n < 10 {
		t.Errorf("the form shows %d consumption rows", n)
	}
	b.Snap("draft")
	// The unit has a data-centre room: it fills that table (IT above the total first: refused, what was typed kept).
	b.ExpectText("#section-datacenter", "公共机构数据中心机房能源消费状况")
	b.Fill("#f-v_dc_area_m2", "40")
	b.Fill("#f-v_dc_racks", "8")
	b.Fill("#f-v_dc_electricity", "16000")
	b.Fill("#f-v_dc_it_electricity", "17000")
	if st := b.ClickAndWait(`#section-datacenter button[type=submit]`, form+"/info"); st != 422 {
		t.Fatalf("IT above the total: status %d, want 422", st)
	}
	b.Check()
	b.ExpectText("#section-datacenter", "不得大于机房总耗电量")
	b.Snap("datacenter-error")
	b.Fill("#f-v_dc_it_electricity", "10000")
	if st := b.ClickAndWait(`#section-datacenter button[type=submit]`); st != 200 {
		t.Fatalf("save the data-centre table: status %d: %s", st, short(b.Text("main")))
	}
	b.Check()
	b.ExpectText("main .flash", "已保存")
	if v := Eval[string](b, `document.querySelector('#section-datacenter tr[data-code="410"] td:last-child').textContent.trim()`); v != "1.6" {
		t.Errorf("PUE shows %q, want 1.6", v)
	}
	b.Phone()
	b.Open(form)
	if o := b.Overflow(); o.Px > 0 {
		t.Errorf("phone: the form is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	b.Desktop()
	b.Visit(form)
	// 上报 opens the confirmation step: the figures and the sign-off to check; the empty sign-off is named.
	if st := b.ClickAndWait(`main a[data-action="submit"]`); st != 200 {
		t.Fatalf("open the confirmation: status %d", st)
	}
	b.Check()
	b.ExpectText("#submit-confirm", "上报前请核对")
	b.ExpectText("#signoff-missing", "单位负责人")
	b.Snap("confirm-missing-signoff")
	// A phone that is no phone is refused with the field; then the sign-off is saved.
	b.Fill("#f-principal", "王建国")
	b.Fill("#f-stats_lead", "李敏")
	b.Fill("#f-preparer", "张伟")
	b.Fill("#f-phone", "12345")
	if st := b.ClickAndWait(`#report-info > .form-actions button[type=submit]`, form+"/info"); st != 422 {
		t.Fatalf("a bad phone: status %d, want 422", st)
	}
	b.Check()
	b.ExpectText("#report-info", "联系电话格式不正确")
	b.Fill("#f-phone", "0311-86012345")
	if st := b.ClickAndWait(`#report-info > .form-actions button[type=submit]`); st != 200 {
		t.Fatalf("save the sign-off: status %d: %s", st, short(b.Text("main")))
	}
	b.Check()
	if st := b.ClickAndWait(`main a[data-action="submit"]`); st != 200 {
		t.Fatalf("open the confirmation: status %d", st)
	}
	if b.Count("#signoff-missing") != 0 {
		t.Errorf("the sign-off is still reported missing")
	}
	if ok := Eval[bool](b, `document.querySelector('#submit-confirm form').checkValidity()`); ok {
		t.Errorf("the confirmation is valid without 我已核对")
	}
	b.Phone()
	if o := b.Overflow(); o.Px > 0 {
		t.Errorf("phone: the confirmation is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	b.Snap("confirm-phone")
	b.Desktop()
	b.Click("#f-checked")
	if st := b.ClickAndWait(`#submit-confirm button[data-action="submit-confirm"]`); st != 200 {
		t.Fatalf("submit: status %d: %s", st, short(b.Text("main")))
	}
	b.Check()
	b.ExpectText("main .flash", "已上报")
	b.ExpectText("main .report-state", "已上报")
	b.ExpectText("main .report-state", "逾期上报") // the server's clock is past 31 March
	if n := b.Count(`main [data-action]`); n != 0 {
		t.Errorf("the unit is offered %d actions on its submitted report", n)
	}
	b.SignOut()

	// The county bureau approves it from its review page. Its 待办 shows the report waiting for review, at desktop
	// and phone width, counted in the top bar, and leads to the review page (issue 14's acceptance).
	b.SignIn("songling", DemoPassword)
	for _, phone := range []bool{false, true} {
		if phone {
			b.Phone()
		}
		b.Visit("/todo")
		want := "松岭县教育局：" + year + " 年度"
		items := Eval[[]string](b, `Array.from(document.querySelectorAll("main section.card")).filter(s => s.querySelector("h2").innerText.includes("待审核统计报表")).flatMap(s => Array.from(s.querySelectorAll(".todo-list a")).map(a => a.innerText.trim()))`)
		found := false
		for _, it := range items {
			found = found || strings.HasPrefix(it, want)
		}
		if !found {
			t.Errorf("phone %v: 待办 lists %v under 待审核统计报表, not the report of %s", phone, items, want)
		}
		all, top := b.Count("main .todo-list a"), b.Number(`header a[href="/todo"] .count`)
		if top != all {
			t.Errorf("phone %v: the top bar counts %d to-dos, the list has %d", phone, top, all)
		}
		if !Eval[bool](b, `(() => { const a = Array.from(document.querySelectorAll("main .todo-list a")).find(a => a.innerText.startsWith("`+want+`"));
			if (!a) return false; a.scrollIntoView({block: "center"}); const r = a.getBoundingClientRect(); return r.left >= 0 && r.right <= document.documentElement.clientWidth; })()`) {
			t.Errorf("phone %v: the to-do of %s is not on the screen", phone, want)
		}
	}
	b.Desktop()
	link := Eval[string](b, `Array.from(document.querySelectorAll("main .todo-list a")).find(a => a.innerText.startsWith("松岭县教育局：`+year+` 年度")).getAttribute("href")`)
	if st := b.ClickAndWait(`main .todo-list a[href="` + link + `"]`); st != 200 || !strings.HasPrefix(b.Path(), "/energy/reports/review") {
		t.Fatalf("the to-do led to %s (%d)", b.Path(), st)
	}
	b.Visit("/energy/reports/review?year=" + year)
	row := `main .review-list tr[data-org]`
	if n := b.Count(row); n < 3 {
		t.Fatalf("the review page lists %d units", n)
	}
	id := Eval[string](b, `Array.from(document.querySelectorAll("main .review-list tr[data-org]")).find(r => r.textContent.includes("松岭县教育局")).dataset.org`)
	b.ExpectText(`main .review-list tr[data-org="`+id+`"]`, "逾期上报")
	// The report the county returned: it reviews it, so it is offered no 上报 (nor anything else until resubmitted).
	returned := Eval[string](b, `Array.from(document.querySelectorAll("main .review-list tr[data-org]")).find(r => r.textContent.includes("已退回")).dataset.org`)
	if n := b.Count(`main .review-list tr[data-org="` + returned + `"] [data-action]`); n != 0 {
		t.Errorf("the review list offers %d actions on the returned report", n)
	}
	b.Visit("/energy/reports/" + returned + "/" + year)
	b.ExpectText("main .report-state", "已退回")
	if n := b.Count(`main [data-action]`); n != 0 {
		t.Errorf("the reviewer is offered %d actions (上报?) on the report it returned", n)
	}
	b.Snap("returned-reviewer")
	b.Phone()
	b.Open("/energy/reports/" + returned + "/" + year)
	if n := b.Count(`main [data-action]`); n != 0 {
		t.Errorf("phone: the reviewer is offered %d actions on the report it returned", n)
	}
	b.Desktop()
	b.Visit("/energy/reports/review?year=" + year)
	if st := b.ClickAndWait(`main .review-list tr[data-org="` + id + `"] button[data-action="approve"]`); st != 200 {
		t.Fatalf("approve: status %d: %s", st, short(b.Text("main")))
	}
	b.Check()
	b.ExpectText("main .flash", "已审核通过")
	b.ExpectText(`main .review-list tr[data-org="`+id+`"]`, "已审核")
	b.Snap("approved")
	b.Phone()
	b.Open("/energy/reports/review?year=" + year)
	if o := b.Overflow(); o.Px > 0 {
		t.Errorf("phone: the review page is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	b.Desktop()
	b.SignOut()

	// The energy manager exports the county's summary by region.
	b.SignIn("energy", DemoPassword)
	b.Visit("/energy/reports/summary?year=" + year)
	b.ExpectText("main .summary-table", "合计")
	b.Phone()
	b.Open("/energy/reports/summary?year=" + year)
	if o := b.Overflow(); o.Px > 0 {
		t.Errorf("phone: the summary is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	b.Desktop()
	b.Visit("/energy/reports/summary?year=" + year)
	export := b.Links(`#summary-export`)
	if len(export) != 1 {
		t.Fatalf("no summary export link")
	}
	d := b.Fetch(export[0])
	if d.Status != 200 || !strings.Contains(d.Type, "spreadsheetml") || !strings.Contains(d.Disposition, "attachment") {
		t.Fatalf("summary export: status %d, type %q, disposition %q", d.Status, d.Type, d.Disposition)
	}
	data, err := base64.StdEncoding.DecodeString(d.Base64)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the summary is not a valid .xlsx: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil || len(rows) < 9 {
		t.Fatalf("summary has %d rows (%v)", len(rows), err)
	}
	if rows[0][0] != "公共机构能源资源消费状况（行政区域汇总）" {
		t.Errorf("summary title %q", rows[0][0])
	}
	if h := strings.Join(rows[6], "|"); !strings.HasPrefix(h, "行政区域|单位数|已上报|已审核|电力") {
		t.Errorf("summary header %q", h)
	}
	found := false
	for _, r := range rows {
		if len(r) > 0 && r[0] == "合计" {
			found = true
		}
	}
	if !found {
		t.Errorf("the summary has no total row")
	}
}
