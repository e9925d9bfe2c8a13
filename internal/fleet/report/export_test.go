package report_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/fleet/report"
	"github.com/govops/govops/internal/platform/xlsx"
)

// book fetches a workbook and returns its sheets read back through the kit's reader (xlsx.Table: header and data
// rows without the title, unit/date and 合计 rows) and each sheet's title cell.
func book(t *testing.T, body string) (names []string, tables map[string][][]string, titles map[string]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tables, titles = map[string][][]string{}, map[string]string{}
	for _, n := range f.GetSheetList() {
		rows, err := f.GetRows(n)
		if err != nil {
			t.Fatal(err)
		}
		h, data := xlsx.Table(rows)
		tables[n] = append([][]string{h}, data...)
		if len(rows) > 0 && len(rows[0]) > 0 {
			titles[n] = rows[0][0]
		}
		names = append(names, n)
	}
	return names, tables, titles
}

// TestExports checks the columns of every export: the report, the summary, the usage and the exchange workbook
// (a sheet per group, with the group's fields as columns, marked GovOps layout), and that the exchange's JSON and
// workbook carry the same rows.
func TestExports(t *testing.T) {
	e := newEnv(t)
	edu := e.OrgID(t, "松岭县教育局")
	province := e.OrgID(t, "示范省机关事务管理局")
	c := e.API("fleet", demoPW)
	ed := e.API("edu", demoPW)

	r := ed.Get(fmt.Sprintf("/api/v1/fleet/reports/%d/2025/export", edu))
	if r.StatusCode != 200 {
		t.Fatalf("report export: %d", r.StatusCode)
	}
	names, tables, titles := book(t, r.Body)
	if strings.Join(names, ",") != "配备更新,使用与费用" || strings.Join(tables["配备更新"][0], ",") != strings.Join(report.LineHeaders, ",") ||
		len(tables["配备更新"]) != 1+5 || !strings.Contains(titles["配备更新"], "GovOps layout") {
		t.Errorf("report workbook %v %v %q", names, tables["配备更新"], titles["配备更新"])
	}
	if other := tables["配备更新"][5]; other[0] != "其他公务用车" || other[6] != "2" { // the 合计 row is the layout's, dropped by xlsx.Table
		t.Errorf("report row %v", other)
	}

	sum := c.SheetTable("/api/v1/fleet/reports/summary?year=2025&format=xlsx")
	if strings.Join(sum[0], ",") != strings.Join(report.SummaryHeaders, ",") || len(sum) < 4 {
		t.Errorf("summary columns %v (%d rows)", sum[0], len(sum))
	}

	use := c.SheetTable("/fleet/usage?format=xlsx")
	var u report.Usage
	if st := c.JSON("GET", "/api/v1/fleet/usage", nil, &u); st != 200 {
		t.Fatalf("usage: %d", st)
	}
	if strings.Join(use[0], ",") != strings.Join(report.UsageHeaders, ",") || len(use) != 1+len(u.Vehicles) || len(u.Vehicles) == 0 {
		t.Errorf("usage columns %v rows %d, vehicles %d", use[0], len(use)-1, len(u.Vehicles))
	}

	var ex report.Exchange
	if st := c.JSON("GET", fmt.Sprintf("/api/v1/fleet/exchange?org_id=%d&year=2026", province), nil, &ex); st != 200 {
		t.Fatalf("exchange: %d", st)
	}
	if ex.Layout != "GovOps layout" || !strings.Contains(ex.Standard, "DB32/T 3826-2020") || len(ex.Groups) != len(report.Groups) {
		t.Errorf("exchange %q %q %d groups", ex.Layout, ex.Standard, len(ex.Groups))
	}
	rows := map[string]int{}
	for _, g := range ex.Groups {
		rows[g.Code] = len(g.Rows)
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)).Unix()
	trips := e.Count(t, "SELECT COUNT(*) FROM fleet_trips WHERE status = 'completed' AND vehicle_id IS NOT NULL AND start_at >= ? AND start_at < ?", from, from+365*86400)
	if int64(rows["dispatch"]) != trips || trips == 0 || int64(rows["vehicle"]) != e.Count(t, "SELECT COUNT(*) FROM fleet_vehicles") ||
		int64(rows["driver"]) != e.Count(t, "SELECT COUNT(*) FROM fleet_drivers") || rows["over_standard"] < 3 || rows["violation"] < 1 || rows["energy"] == 0 {
		t.Errorf("exchange rows %v (trips %d)", rows, trips)
	}
	wb := c.Get(fmt.Sprintf("/api/v1/fleet/exchange?org_id=%d&year=2026&format=xlsx", province))
	if wb.StatusCode != 200 {
		t.Fatalf("exchange workbook: %d", wb.StatusCode)
	}
	names, tables, titles = book(t, wb.Body)
	if len(names) != 1+len(report.Groups) || names[0] != "说明" || !strings.Contains(titles["说明"], "GovOps layout") {
		t.Errorf("exchange sheets %v", names)
	}
	for _, g := range ex.Groups {
		tb, ok := tables[g.Name]
		if !ok {
			t.Errorf("no sheet %s", g.Name)
			continue
		}
		var want []string
		for _, f := range g.Fields {
			want = append(want, f.Name)
		}
		if strings.Join(tb[0], ",") != strings.Join(want, ",") || len(tb)-1 != len(g.Rows) || !strings.Contains(titles[g.Name], "GovOps layout") {
			t.Errorf("sheet %s: header %v, %d rows (JSON %d), title %q", g.Name, tb[0], len(tb)-1, len(g.Rows), titles[g.Name])
		}
	}
	// Scope: the education bureau's exchange holds its own vehicles only; a unit outside its scope is 404.
	var mine report.Exchange
	if st := ed.JSON("GET", "/api/v1/fleet/exchange", nil, &mine); st != 200 || mine.OrgID != edu || len(mine.Groups[1].Rows) != 2 {
		t.Errorf("edu exchange: %d org %d vehicles %d", st, mine.OrgID, len(mine.Groups[1].Rows))
	}
	if st := ed.JSON("GET", fmt.Sprintf("/api/v1/fleet/exchange?org_id=%d", province), nil, nil); st != 404 {
		t.Errorf("edu exchange of the province: %d", st)
	}
}

// TestUsageFigures: the usage adds up to the completed trips of own vehicles (hire-pool trips are settled per
// contract, not per vehicle) and the costs of the year, and counts working days
// from the calendar.
func TestUsageFigures(t *testing.T) {
	e := newEnv(t)
	var u report.Usage
	if st := e.API("fleet", demoPW).JSON("GET", "/api/v1/fleet/usage?year=2026", nil, &u); st != 200 {
		t.Fatalf("usage: %d", st)
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)).Unix()
	trips := e.Count(t, "SELECT COUNT(*) FROM fleet_trips WHERE status = 'completed' AND vehicle_id IS NOT NULL AND start_at >= ? AND start_at < ?", from, e.Clock.Now().Unix())
	cost := e.Count(t, "SELECT COALESCE(SUM(amount_fen), 0) FROM fleet_costs WHERE cost_date >= '2026-01-01' AND cost_date <= '2026-11-16'")
	if u.Total.Trips != trips || int64(u.Total.CostYuan*100+0.5) != cost || u.To != "2026-11-16" || u.WorkingDays < 200 || u.WorkingDays > 230 {
		t.Errorf("usage total %+v, want trips %d cost %d; %s–%s %d working days", u.Total, trips, cost, u.From, u.To, u.WorkingDays)
	}
	var days int
	for _, v := range u.Vehicles {
		days += v.DaysUsed
		if v.WorkingDays > u.WorkingDays || (v.DistanceKM > 0 && v.CostPerKMYuan <= 0 && v.CostYuan > 0) {
			t.Errorf("vehicle %+v", v)
		}
	}
	if days != u.Total.DaysUsed || days == 0 || u.Total.Utilisation <= 0 {
		t.Errorf("days used %d vs total %+v", days, u.Total)
	}
	if st := e.API("fleet", demoPW).JSON("GET", "/api/v1/fleet/usage?year=2031", nil, nil); st != 422 {
		t.Errorf("future year: %d", st)
	}
}

// TestExchangeGroupsDocumented: docs/domain/vehicles.md §Provincial exchange lists every group with its interface
// and fields, as the code exports them.
func TestExchangeGroupsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/domain/vehicles.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	i := strings.Index(text, "### Provincial exchange")
	if i < 0 {
		t.Fatal("docs/domain/vehicles.md has no §Provincial exchange")
	}
	text = text[i:]
	for _, g := range report.Groups {
		var names []string
		for _, f := range g.Fields {
			names = append(names, f.Name)
		}
		line := fmt.Sprintf("| `%s` | %s | %s | %s |", g.Code, g.Name, g.Interface, strings.Join(names, "、"))
		if !strings.Contains(text, line) {
			t.Errorf("docs/domain/vehicles.md lacks the row\n%s", line)
		}
	}
}
