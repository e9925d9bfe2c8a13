package report_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/energy/report"
	"github.com/govops/govops/internal/platform/auth"
)

const demoPW = "Demo@2026"

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

// TestFormFigures: the 基层表 shows energy's own figures (Compute) for the unit, this year and last, in the form's
// units, and the revision in force for the year.
func TestFormFigures(t *testing.T) {
	e := newEnv(t, true)
	edu := e.orgID(t, "松岭县教育局")
	var d report.Detail
	if st := e.API("edu", demoPW).JSON("GET", fmt.Sprintf("/api/v1/energy/reports/%d/2025", edu), nil, &d); st != 200 {
		t.Fatalf("detail: %d", st)
	}
	cur, err := energy.Compute(e.ctx, e.App.DB, auth.Everything(), energy.Selection{OrgID: edu}, energy.Span{Year: 2025}, nil)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := energy.Compute(e.ctx, e.App.DB, auth.Everything(), energy.Selection{OrgID: edu}, energy.Span{Year: 2024}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Form.Revision != "2025" || d.Report.Status != "draft" || d.Report.ParentName != "松岭县机关事务服务中心" {
		t.Errorf("revision %q status %q reviewer %q", d.Form.Revision, d.Report.Status, d.Report.ParentName)
	}
	seen := 0
	for _, l := range d.Form.Lines {
		switch l.Src {
		case "amount":
			want, wantLast := cur.Type(l.Type).Amount*l.Scale, prev.Type(l.Type).Amount*l.Scale
			if !near(l.This, math.Round(want*1e4)/1e4) || !near(l.Last, math.Round(wantLast*1e4)/1e4) {
				t.Errorf("%s: %v / %v, want %v / %v", l.Name, l.This, l.Last, want, wantLast)
			}
			if l.Type == "electricity" && (l.This <= 0 || !near(l.Kgce, math.Round(cur.Type("electricity").Kgce*100)/100)) {
				t.Errorf("electricity %v kgce %v", l.This, l.Kgce)
			}
			seen++
		case "total_kgce":
			if !near(l.This, math.Round(cur.TotalKgce*100)/100) || !near(l.Last, math.Round(prev.TotalKgce*100)/100) || l.This <= 0 {
				t.Errorf("综合能耗 %v / %v, want %v / %v", l.This, l.Last, cur.TotalKgce, prev.TotalKgce)
			}
			seen++
		case "per_area_kgce":
			if !near(l.This, cur.PerAreaKgce) {
				t.Errorf("per area %v, want %v", l.This, cur.PerAreaKgce)
			}
		}
	}
	if seen < 8 {
		t.Errorf("only %d figure rows", seen)
	}
	info := map[string]string{}
	for _, l := range d.Form.Info {
		info[l.Field] = l.Value
	}
	if info["name"] != "松岭县教育局" || info["credit_code"] == "" || info["headcount"] != fmt.Sprint(cur.Headcount) || info["category"] != "机关" {
		t.Errorf("basic info %v (headcount %d)", info, cur.Headcount)
	}
	if !d.Completeness.OK() {
		t.Errorf("the demo's 2025 report of edu has blocking issues: %+v", d.Completeness.Issues)
	}

	// Revisions: the form of each year is the one in force at the end of the year.
	for _, c := range []struct {
		year            int
		rev, heat, code string
		land, piles, pv bool
	}{
		{2021, "2015", "热力", "组织机构代码", true, false, false},
		{2022, "2022", "热力", "统一社会信用代码", true, true, true},
		{2025, "2025", "热力消费量(按热量收费)", "统一社会信用代码", false, false, true},
	} {
		f, err := report.BuildForm(e.ctx, e.App.DB, auth.Everything(), edu, c.year)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, l := range f.Lines {
			names = append(names, l.Name)
		}
		for _, l := range f.Info {
			names = append(names, l.Name)
		}
		all := strings.Join(names, "|")
		if f.Revision != c.rev || !strings.Contains(all, "|"+c.heat+"|") || !strings.Contains(all, c.code) ||
			strings.Contains(all, "用地面积") != c.land || strings.Contains(all, "充电桩数量") != c.piles || strings.Contains(all, "太阳能光电系统发电量") != c.pv {
			t.Errorf("%d: revision %s rows %s", c.year, f.Revision, all)
		}
	}
	// Bad input and scope.
	if st := e.API("edu", demoPW).JSON("GET", fmt.Sprintf("/api/v1/energy/reports/%d/2025", e.orgID(t, "松岭县机关事务服务中心")), nil, nil); st != 404 {
		t.Errorf("edu reads its bureau's report: %d", st)
	}
	if st := e.API("energy", demoPW).JSON("GET", fmt.Sprintf("/api/v1/energy/reports/%d/20x5", edu), nil, nil); st != 422 {
		t.Errorf("bad year: %d", st)
	}
	var eb apptest.ErrorBody
	if st := e.API("energy", demoPW).JSON("GET", "/api/v1/energy/reports?year=1999", nil, &eb); st != 422 || eb.Error.Fields["year"] == "" {
		t.Errorf("year 1999: %d %+v", st, eb)
	}
}

// TestSummarySums: the summary tables' groups add up to the total, and the total equals the sum of the children's
// 基层表 and energy's subtree figures.
func TestSummarySums(t *testing.T) {
	e := newEnv(t, true)
	songling := e.orgID(t, "松岭县机关事务服务中心")
	qingshan := e.orgID(t, "青山市机关事务管理局")
	c := e.API("energy", demoPW)
	for _, by := range []string{"region", "category"} {
		var sm report.Summary
		if st := c.JSON("GET", fmt.Sprintf("/api/v1/energy/reports/summary?year=2025&org_id=%d&by=%s", qingshan, by), nil, &sm); st != 200 {
			t.Fatalf("summary %s: %d", by, st)
		}
		if len(sm.Groups) < 2 {
			t.Errorf("%s: %d groups", by, len(sm.Groups))
		}
		var units, reported, approved int64
		sums := make([]float64, len(sm.Total.Lines))
		for _, g := range sm.Groups {
			units, reported, approved = units+g.Units, reported+g.Reported, approved+g.Approved
			for i, l := range g.Lines {
				if !l.Indicate {
					sums[i] += l.This
				}
			}
		}
		if units != sm.Total.Units || reported != sm.Total.Reported || approved != sm.Total.Approved {
			t.Errorf("%s: counts %d/%d/%d, total %d/%d/%d", by, units, reported, approved, sm.Total.Units, sm.Total.Reported, sm.Total.Approved)
		}
		for i, l := range sm.Total.Lines {
			if !l.Indicate && math.Abs(sums[i]-l.This) > 0.01*float64(len(sm.Groups)) {
				t.Errorf("%s: %s groups sum %v, total %v", by, l.Name, sums[i], l.This)
			}
		}
		if n := e.count(t, "SELECT COUNT(*) FROM orgs WHERE path >= (SELECT path FROM orgs WHERE id = ?) AND path < (SELECT path FROM orgs WHERE id = ?) || '~'", qingshan, qingshan); n != sm.Total.Units {
			t.Errorf("%s: %d units, want %d", by, sm.Total.Units, n)
		}
	}
	// The county's total is the sum of its units' 基层表 and equals energy's subtree figures.
	sm, err := report.BuildSummary(e.ctx, e.App.DB, auth.Everything(), songling, 2025, report.ByCategory)
	if err != nil {
		t.Fatal(err)
	}
	ids := []int64{songling}
	rows, _ := e.App.DB.Query(e.ctx, "SELECT id FROM orgs WHERE parent_id = ?", songling)
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	sums := map[string]float64{}
	for _, id := range ids {
		f, err := report.BuildForm(e.ctx, e.App.DB, auth.Everything(), id, 2025)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range f.Lines {
			sums[l.Code] += l.This
		}
	}
	sub, err := energy.Compute(e.ctx, e.App.DB, auth.Everything(), energy.Selection{OrgID: songling, Subtree: true}, energy.Span{Year: 2025}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range sm.Total.Lines {
		switch {
		case l.Src == "total_kgce":
			if !near(l.This, math.Round(sub.TotalKgce*100)/100) || math.Abs(l.This-sums[l.Code]) > 0.01*float64(len(ids)) {
				t.Errorf("综合能耗 %v, energy %v, children %v", l.This, sub.TotalKgce, sums[l.Code])
			}
		case l.Src == "per_capita_kgce":
			if !near(l.This, sub.PerCapitaKgce) {
				t.Errorf("人均综合能耗 %v, energy %v", l.This, sub.PerCapitaKgce)
			}
		case !l.Indicate:
			if math.Abs(l.This-sums[l.Code]) > 0.001*float64(len(ids)) {
				t.Errorf("%s %v, children %v", l.Name, l.This, sums[l.Code])
			}
		}
	}
	if sm.Total.Units != int64(len(ids)) || sm.Total.Approved != int64(len(ids))-3 {
		t.Errorf("songling units %d approved %d (ids %d)", sm.Total.Units, sm.Total.Approved, len(ids))
	}
	if st := c.JSON("GET", "/api/v1/energy/reports/summary?year=2025&by=city", nil, nil); st != 422 {
		t.Errorf("bad by: %d", st)
	}
	if st := e.API("songling", demoPW).JSON("GET", fmt.Sprintf("/api/v1/energy/reports/summary?year=2025&org_id=%d", qingshan), nil, nil); st != 404 {
		t.Errorf("songling summarises the city: %d", st)
	}
}
