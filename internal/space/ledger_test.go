package space_test

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/platform/xlsx"
	"github.com/govops/govops/internal/space"
)

func roomsFile(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, c := range space.RoomColumns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		_ = f.SetCellValue(sheet, cell, c.Header)
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			_ = f.SetCellStr(sheet, cell, v)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sheetRows(t *testing.T, body string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("not an .xlsx: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestImportExport: an existing ledger is imported (dry run with row errors first, all or nothing, idempotent) and
// the ledgers, the disclosure list and the leaders' filing are exported.
func TestImportExport(t *testing.T) {
	env := newEnv(t)
	edu := env.API("edu", demoPassword)
	unit := "松岭县教育局"
	eduUnit := orgID(t, env, unit)
	code := func(id int64) string {
		var c string
		if err := env.App.DB.QueryRow(t.Context(), "SELECT COALESCE(code, '') FROM people WHERE id = ?", id).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	staff := id64(t, env, "SELECT MIN(id) FROM people WHERE org_id = ? AND rank = 'staff' AND status = 'active'", eduUnit)
	bad := roomsFile(t, [][]string{
		{"教育局档案楼", "1", "101", "办公室", "", "12", "15", unit, "1", code(staff)},
		{"教育局档案楼", "1", "102", "厨房", "", "-3", "", "不存在的单位", "", ""},
		{"教育局档案楼", "1", "101", "服务用房", "档案室", "30", "", unit, "", ""},
	})
	r := edu.Upload("/api/v1/space/rooms/import?dry_run=true", "rooms.xlsx", bad, nil)
	var rep struct {
		Report xlsx.Report `json:"report"`
	}
	_ = json.Unmarshal([]byte(r.Body), &rep)
	if r.StatusCode != 422 || len(rep.Report.Errors) < 4 {
		t.Fatalf("dry run of a bad file: %d %s", r.StatusCode, r.Body)
	}
	cols := map[string]bool{}
	for _, e := range rep.Report.Errors {
		cols[e.Column] = true
	}
	for _, c := range []string{"用途", "使用面积", "使用单位", "房间号"} {
		if !cols[c] {
			t.Errorf("no error on column %s: %+v", c, rep.Report.Errors)
		}
	}
	if n := count(t, env, "SELECT COUNT(*) FROM buildings WHERE name = '教育局档案楼'"); n != 0 {
		t.Fatalf("a bad import wrote something")
	}
	good := roomsFile(t, [][]string{
		{"教育局档案楼", "1", "101", "办公室", "", "9", "12", unit, "1", code(staff)},
		{"教育局档案楼", "1", "102", "服务用房", "档案室", "30", "", unit, "", ""},
	})
	var ok xlsx.Report
	r = edu.Upload("/api/v1/space/rooms/import", "rooms.xlsx", good, nil)
	if _ = json.Unmarshal([]byte(r.Body), &ok); r.StatusCode != 200 || ok.Created != 2 {
		t.Fatalf("import: %d %s", r.StatusCode, r.Body)
	}
	r = edu.Upload("/api/v1/space/rooms/import", "rooms.xlsx", good, nil)
	if _ = json.Unmarshal([]byte(r.Body), &ok); r.StatusCode != 200 || ok.Created != 0 || ok.Updated != 0 {
		t.Errorf("re-import changed something: %d %s", r.StatusCode, r.Body)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM space_rooms r JOIN buildings b ON b.id = r.building_id WHERE b.name = '教育局档案楼'"); n != 2 {
		t.Errorf("imported rooms: %d", n)
	}
	// The staff member now holds two offices: the import re-evaluated the register.
	if !has(violations(t, edu, q()), "multiple_offices", 0, staff) {
		t.Errorf("the imported second office is not flagged")
	}

	space := env.Browser("space", demoPassword)
	for _, c := range []struct {
		path, header, row string
	}{
		{"/space/ledger/total?org_id=" + itoa(orgID(t, env, "松岭县机关事务服务中心")), "不动产权证号", "教育局档案楼"},
		{"/space/ledger/unit?org_id=" + itoa(eduUnit), "标准面积合计", "教育局档案楼"},
		{"/space/ledger/disclosure?org_id=" + itoa(eduUnit) + "&year=2026", "是否符合标准", "不符合"},
		{"/space/ledger/filing?org_id=" + itoa(orgID(t, env, "示范省发展和改革委员会")) + "&year=2026", "兼职情况", "不符合"},
	} {
		r := space.Get(c.path)
		if r.StatusCode != 200 {
			t.Errorf("%s: %d", c.path, r.StatusCode)
			continue
		}
		rows := sheetRows(t, r.Body)
		// The layout (docs/printing.md §Excel exports): title, unit and export date, then the header.
		if len(rows) < 4 || !strings.HasPrefix(strings.Join(rows[1], "|"), "单位：") || !strings.Contains(strings.Join(rows[1], "|"), "导出日期：2026-11-16") ||
			!strings.Contains(strings.Join(rows[2], "|"), c.header) {
			t.Errorf("%s: title rows and header %q", c.path, rows[:min(3, len(rows))])
			continue
		}
		found := false
		for _, row := range rows[3:] {
			found = found || strings.Contains(strings.Join(row, "|"), c.row)
		}
		if !found {
			t.Errorf("%s: no row with %q", c.path, c.row)
		}
	}
	// 合计 of the usable areas under the rows; a building area never entered is a blank cell, not 0.
	rows := sheetRows(t, space.Get("/space/ledger/total?org_id="+itoa(orgID(t, env, "松岭县机关事务服务中心"))).Body)
	usable, gross := -1, -1
	for i, h := range rows[2] {
		switch h {
		case "使用面积（㎡）":
			usable = i
		case "建筑面积（㎡）":
			gross = i
		}
	}
	last := rows[len(rows)-1]
	var sum float64
	for _, row := range rows[3 : len(rows)-1] {
		if usable < len(row) {
			v, _ := strconv.ParseFloat(row[usable], 64)
			sum += v
		}
		if gross < len(row) && row[gross] == "0" {
			t.Errorf("a blank building area exported as 0: %q", row)
		}
	}
	if last[0] != "合计" || usable >= len(last) || last[usable] != strconv.FormatFloat(math.Round(sum*100)/100, 'f', -1, 64) {
		t.Errorf("total ledger: last row %q, want 合计 of usable area %.2f", last, sum)
	}
	if r := space.Get("/space/ledger/total"); r.StatusCode != 422 {
		t.Errorf("ledger without a unit: %d", r.StatusCode)
	}
	if r := env.Browser("edu", demoPassword).Get("/space/ledger/total?org_id=" + itoa(orgID(t, env, "青山市财政局"))); r.StatusCode != 404 {
		t.Errorf("edu exports another unit's ledger: %d", r.StatusCode)
	}
}
