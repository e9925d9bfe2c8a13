package report

import (
	"bytes"
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/energy"
)

// sheetStyles are the styles of the official-form workbooks.
type sheetStyles struct {
	title, head, label, cell, num, section, sign int
}

func newStyles(f *excelize.File) (sheetStyles, error) {
	var st sheetStyles
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	defs := []struct {
		dst *int
		s   excelize.Style
	}{
		{&st.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&st.head, excelize.Style{Font: &excelize.Font{Bold: true}, Border: border, Fill: excelize.Fill{Type: "pattern", Color: []string{"DCE6F2"}, Pattern: 1},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&st.label, excelize.Style{Font: &excelize.Font{Size: 10}, Alignment: &excelize.Alignment{Vertical: "center"}}},
		{&st.cell, excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}},
		{&st.num, excelize.Style{Border: border, NumFmt: 4, Alignment: &excelize.Alignment{Horizontal: "right"}}},
		{&st.section, excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "center"}}},
		{&st.sign, excelize.Style{Font: &excelize.Font{Size: 10}, Alignment: &excelize.Alignment{Vertical: "center"}}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(&d.s)
		if err != nil {
			return st, err
		}
		*d.dst = id
	}
	return st, nil
}

// sheet is a small writer over one worksheet.
type sheet struct {
	f    *excelize.File
	name string
	row  int
	err  error
}

// newBook makes a workbook whose first sheet is named name, with the forms' styles. Close the file when done.
func newBook(name string) (*excelize.File, *sheet, sheetStyles, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", name); err != nil {
		f.Close()
		return nil, nil, sheetStyles{}, err
	}
	st, err := newStyles(f)
	if err != nil {
		f.Close()
		return nil, nil, sheetStyles{}, err
	}
	return f, &sheet{f: f, name: name}, st, nil
}

// bookBytes writes the workbook out, unless the sheet writer met an error.
func bookBytes(f *excelize.File, s *sheet) ([]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

func (s *sheet) set(col int, v any, style int) {
	if s.err != nil {
		return
	}
	if s.err = s.f.SetCellValue(s.name, cell(col, s.row), v); s.err == nil {
		s.err = s.f.SetCellStyle(s.name, cell(col, s.row), cell(col, s.row), style)
	}
}

func (s *sheet) merge(c1, c2 int, v any, style int) {
	if s.err != nil {
		return
	}
	if c2 > c1 {
		if s.err = s.f.MergeCell(s.name, cell(c1, s.row), cell(c2, s.row)); s.err != nil {
			return
		}
	}
	s.set(c1, v, style)
	if c2 > c1 && s.err == nil {
		s.err = s.f.SetCellStyle(s.name, cell(c1, s.row), cell(c2, s.row), style)
	}
}

// headerBlock writes the title and the header block of a form (rows 1–5) over cols columns.
func (s *sheet) headerBlock(st sheetStyles, cols int, h Header, unitLabel, unit string, year int, revision string) {
	s.row = 1
	s.merge(1, cols, h.Title, st.title)
	if s.err == nil {
		s.err = s.f.SetRowHeight(s.name, 1, 30)
	}
	lines := [][2]string{
		{unitLabel + "：" + unit, "表　　号：" + orDash(h.TableNo)},
		{fmt.Sprintf("统计年度：%d 年", year), "制定机关：" + orDash(h.Authority)},
		{"表式版本：" + revision, "批准机关：" + orDash(h.Approver)},
		{"", "批准文号：" + orDash(h.ApprovalNo)},
	}
	split := cols/2 + 1
	for _, l := range lines {
		s.row++
		s.merge(1, split-1, l[0], st.label)
		s.merge(split, cols, l[1], st.label)
	}
}

// signature writes the signature row: 单位负责人, 统计负责人, 填表人, 联系电话, 报出日期.
func (s *sheet) signature(st sheetStyles, cols int, in Info, reported time.Time) {
	s.row += 2
	date := "    年  月  日"
	if !reported.IsZero() {
		date = reported.In(energy.Shanghai).Format("2006 年 01 月 02 日")
	}
	s.merge(1, cols, fmt.Sprintf("单位负责人：%s　　统计负责人：%s　　填表人：%s　　联系电话：%s　　报出日期：%s",
		pad(in.Principal), pad(in.StatsLead), pad(in.Preparer), pad(in.Phone), date), st.sign)
}

func pad(s string) string {
	if s == "" {
		return "　　　　"
	}
	return s
}

func (s *sheet) widths(ws ...float64) {
	for i, w := range ws {
		if s.err == nil {
			col, _ := excelize.ColumnNumberToName(i + 1)
			s.err = s.f.SetColWidth(s.name, col, col, w)
		}
	}
}

// lineValue is a line's figure for a cell: the number, or "—" when there is none.
func lineValue(v float64, has bool) any {
	if !has {
		return "—"
	}
	return v
}

// FormWorkbook renders the 基层表 in the layout of the official form: title, header block, 公共机构基本信息,
// 能源资源消费状况 with 指标名称/代码/计量单位/本年/上年 (and this year's standard coal), and the signature row.
func FormWorkbook(fm Form, rep Report) ([]byte, error) {
	f, s, st, err := newBook("基层表")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	const cols = 6
	s.headerBlock(st, cols, fm.Header, "填报单位", fm.OrgName, fm.Year, fm.FormName)
	s.row += 2
	s.merge(1, cols, "一、公共机构基本信息", st.section)
	s.row++
	s.set(1, "指标名称", st.head)
	s.set(2, "代码", st.head)
	s.set(3, "计量单位", st.head)
	s.merge(4, cols, "本年", st.head)
	for _, l := range fm.Info {
		s.row++
		s.set(1, l.Name, st.cell)
		s.set(2, l.Code, st.cell)
		s.set(3, orDash(l.Unit), st.cell)
		s.merge(4, cols, l.Value, st.cell)
	}
	s.row += 2
	s.merge(1, cols, "二、能源资源消费状况", st.section)
	s.row++
	for i, h := range []string{"指标名称", "代码", "计量单位", "本年", "上年", "本年折标准煤（千克）"} {
		s.set(i+1, h, st.head)
	}
	for _, l := range fm.Lines {
		s.row++
		s.set(1, l.Name, st.cell)
		s.set(2, l.Code, st.cell)
		s.set(3, l.Unit, st.cell)
		s.set(4, lineValue(l.This, l.HasThis), st.num)
		s.set(5, lineValue(l.Last, l.HasLast), st.num)
		if l.Counted && l.HasThis {
			s.set(6, l.Kgce, st.num)
		} else {
			s.set(6, "", st.cell)
		}
	}
	// The hand-filled tables the unit filled (采暖能耗, 数据中心机房), numbered on from 三.
	n := 2
	for _, sec := range fm.Sections {
		if !sec.Filled {
			continue
		}
		n++
		s.row += 2
		s.merge(1, cols, fmt.Sprintf("%s、%s（表号：%s）", chineseNumeral(n), sec.Title, orDash(sec.TableNo)), st.section)
		s.row++
		for i, h := range []string{"指标名称", "代码", "计量单位"} {
			s.set(i+1, h, st.head)
		}
		s.merge(4, cols, "本年", st.head)
		for _, l := range sec.Lines {
			s.row++
			s.set(1, l.Name, st.cell)
			s.set(2, l.Code, st.cell)
			s.set(3, orDash(l.Unit), st.cell)
			s.merge(4, cols, lineValue(l.Value, l.Has), st.num)
		}
	}
	var reported time.Time
	if rep.SubmittedAt > 0 {
		reported = time.Unix(rep.SubmittedAt, 0)
	}
	s.signature(st, cols, fm.Extra, reported)
	s.widths(30, 8, 18, 18, 18, 20)
	return bookBytes(f, s)
}

// SummaryWorkbook renders a 综合表: the header block, one row per region or category with the counts of units and
// reports and this year's figures of every row of the form, then the total, and the signature row.
func SummaryWorkbook(sm Summary) ([]byte, error) {
	name := "行政区域汇总"
	first := "行政区域"
	if sm.By == ByCategory {
		name, first = "分类汇总", "单位类别"
	}
	f, s, st, err := newBook(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cols := 4 + len(sm.Def.Rows)
	s.headerBlock(st, cols, sm.Header, "汇总单位", sm.OrgName, sm.Year, sm.Def.Name)
	s.row += 2
	heads := []string{first, "单位数", "已上报", "已审核"}
	for _, r := range sm.Def.Rows {
		heads = append(heads, fmt.Sprintf("%s（%s）\n%s", r.Name, r.Unit, r.Code))
	}
	for i, h := range heads {
		s.set(i+1, h, st.head)
	}
	if s.err == nil {
		s.err = f.SetRowHeight(name, s.row, 45)
	}
	write := func(g Group) {
		s.row++
		s.set(1, g.Name, st.cell)
		s.set(2, g.Units, st.num)
		s.set(3, g.Reported, st.num)
		s.set(4, g.Approved, st.num)
		for i, l := range g.Lines {
			s.set(5+i, lineValue(l.This, l.HasThis), st.num)
		}
	}
	for _, g := range sm.Groups {
		write(g)
	}
	write(sm.Total)
	var reported time.Time
	if sm.Report.SubmittedAt > 0 {
		reported = time.Unix(sm.Report.SubmittedAt, 0)
	}
	s.signature(st, cols, Info{}, reported)
	ws := []float64{26, 8, 8, 8}
	for range sm.Def.Rows {
		ws = append(ws, 16)
	}
	s.widths(ws...)
	if s.err == nil {
		s.err = f.SetPanes(name, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: 7, TopLeftCell: "B8", ActivePane: "bottomRight"})
	}
	if s.err != nil {
		return nil, s.err
	}
	// A sheet for each hand-filled table (采暖能耗, 数据中心机房) that some unit filled.
	for i, sec := range sm.Def.Sections {
		if i >= len(sm.Total.Sections) || !sm.Total.Sections[i].Filled {
			continue
		}
		ss := &sheet{f: f, name: sec.Title + "汇总"}
		if _, err := f.NewSheet(ss.name); err != nil {
			return nil, err
		}
		cols := 2 + len(sec.Rows)
		ss.headerBlock(st, cols, sec.Header, "汇总单位", sm.OrgName, sm.Year, sm.Def.Name)
		ss.row += 2
		heads := []string{first, "填报单位数"}
		for _, r := range sec.Rows {
			h := r.Name
			if r.Unit != "" {
				h += "（" + r.Unit + "）"
			}
			heads = append(heads, h+"\n"+r.Code)
		}
		for c, h := range heads {
			ss.set(c+1, h, st.head)
		}
		if ss.err == nil {
			ss.err = f.SetRowHeight(ss.name, ss.row, 45)
		}
		for _, g := range append(append([]Group{}, sm.Groups...), sm.Total) {
			gs := g.Sections[i]
			ss.row++
			ss.set(1, g.Name, st.cell)
			ss.set(2, gs.Units, st.num)
			for c, l := range gs.Lines {
				ss.set(3+c, lineValue(l.Value, l.Has), st.num)
			}
		}
		sw := []float64{26, 10}
		for range sec.Rows {
			sw = append(sw, 16)
		}
		ss.widths(sw...)
		if ss.err != nil {
			return nil, ss.err
		}
	}
	return bookBytes(f, s)
}

// chineseNumeral is the numeral of a form's part: 一 … 十.
func chineseNumeral(n int) string {
	const digits = "一二三四五六七八九十"
	r := []rune(digits)
	if n >= 1 && n <= len(r) {
		return string(r[n-1])
	}
	return fmt.Sprint(n)
}
