package report_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/govops/govops/internal/energy/report"
	"github.com/govops/govops/internal/platform/auth"
)

// TestPrintForm: the printable 基层表 of a unit and year carries the form's title, the unit, every row of 能源资源
// 消费状况 with this year's figure as on the unit's page, the signature line and the GovOps-layout note; it follows
// the caller's scope like the form.
func TestPrintForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	edu := e.orgID(t, "松岭县教育局")
	songling := e.orgID(t, "松岭县机关事务服务中心")
	u := e.Browser("edu", demoPW)
	page := fmt.Sprintf("/energy/reports/%d/2025", edu)
	if r := u.Get(page); !strings.Contains(r.Body, `href="`+page+`/print"`) {
		t.Errorf("the form page offers no 打印")
	}
	r := u.Get(page + "/print")
	if r.StatusCode != 200 {
		t.Fatalf("print: %d", r.StatusCode)
	}
	fm, err := report.BuildForm(e.ctx, e.App.DB, auth.Everything(), edu, 2025)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{fm.Header.Title, "填报单位：松岭县教育局", "统计年度：2025", "一、公共机构基本信息", "二、能源资源消费状况", "单位负责人", "统计负责人", "填表人",
		"报出日期", "GovOps 版式", "data-print", `class="doc doc-wide"`}
	for _, l := range fm.Lines {
		want = append(want, l.Name)
	}
	for _, w := range want {
		if !strings.Contains(r.Body, w) {
			t.Errorf("the printed 基层表 lacks %q", w)
		}
	}
	if n := strings.Count(r.Body, "<tr>"); n < len(fm.Lines)+len(fm.Info) {
		t.Errorf("the printed 基层表 has %d rows, want at least %d", n, len(fm.Lines)+len(fm.Info))
	}
	if r := u.Get(fmt.Sprintf("/energy/reports/%d/2025/print", songling)); r.StatusCode != 404 {
		t.Errorf("edu prints the county centre's form: %d, want 404", r.StatusCode)
	}
	if r := e.Browser("employee", demoPW).Get(page + "/print"); r.StatusCode != 403 {
		t.Errorf("the employee prints a 基层表: %d, want 403", r.StatusCode)
	}
}
