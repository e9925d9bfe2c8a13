package xlsx

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestWriteLayout: the title, unit and export date head the sheet, blank-zero columns export empty cells, and the
// 合计 row sums only the named columns, skipping blanks.
func TestWriteLayout(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC) // 2027-01-01 01:00 in Beijing
	rows := [][]any{{"101", 18.5, 0.0, 2}, {"102", 12.25, 30.0, int64(1)}, {"103", 0.0, nil, 0}}
	if err := WriteLayout(&buf, "房间台账", now, []string{"房间号", "使用面积（㎡）", "建筑面积（㎡）", "人数"}, rows,
		Layout{Unit: "示范县教育局", Sum: []string{"使用面积（㎡）", "建筑面积（㎡）"}, Blank: []string{"建筑面积（㎡）"}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows("房间台账")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"房间台账"},
		{"单位：示范县教育局", "", "", "导出日期：2027-01-01"},
		{"房间号", "使用面积（㎡）", "建筑面积（㎡）", "人数"},
		{"101", "18.5", "", "2"},
		{"102", "12.25", "30", "1"},
		{"103", "0", "", "0"},
		{"合计", "30.75", "30"},
	}
	if len(got) != len(want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	for i := range want {
		g := got[i]
		for len(g) > len(want[i]) && g[len(g)-1] == "" {
			g = g[:len(g)-1]
		}
		if len(g) != len(want[i]) {
			t.Errorf("row %d = %q, want %q", i+1, g, want[i])
			continue
		}
		for j := range want[i] {
			if g[j] != want[i][j] {
				t.Errorf("row %d = %q, want %q", i+1, g, want[i])
				break
			}
		}
	}
	if cells, _ := f.GetMergeCells("房间台账"); len(cells) != 1 || cells[0].GetStartAxis() != "A1" || cells[0].GetEndAxis() != "D1" {
		t.Errorf("the title is not merged over the columns: %v", cells)
	}
	defer func() {
		if recover() == nil {
			t.Error("a layout naming a column not exported does not panic")
		}
	}()
	_ = WriteLayout(&buf, "x", now, []string{"a"}, nil, Layout{Sum: []string{"b"}})
}

// TestTable: a titled export reads back as its header and data rows (no title, unit/date or 合计 row); a plain
// sheet reads as it is, also when its last row starts with 合计 (a table's own total is data).
func TestTable(t *testing.T) {
	var buf bytes.Buffer
	rows := [][]any{{"101", 18.5}, {"102", 12.25}}
	if err := WriteLayout(&buf, "房间台账", time.Unix(0, 0), []string{"房间号", "使用面积（㎡）"}, rows,
		Layout{Unit: "示范县教育局", Sum: []string{"使用面积（㎡）"}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := f.GetRows(f.GetSheetList()[0])
	h, data := Table(raw)
	if len(h) != 2 || h[0] != "房间号" || len(data) != 2 || data[1][0] != "102" {
		t.Errorf("titled: header %v, data %v (raw %v)", h, data, raw)
	}
	plain := [][]string{{"单位", "面积"}, {"甲", "1"}, {"合计", "1"}}
	if h, data := Table(plain); h[0] != "单位" || len(data) != 2 {
		t.Errorf("plain: header %v, data %v", h, data)
	}
	if h, data := Table(nil); h != nil || data != nil {
		t.Errorf("empty: %v %v", h, data)
	}
}
