package xlsx

import (
	"io"
	"math"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/platform/clock"
)

// Layout is the printed form of an export of a ledger or list (docs/printing.md §Excel exports): a title row, a
// row naming the unit and the export date, the header, the rows, and a 合计 row under the columns where a sum
// makes sense. Numeric columns whose zero means "not recorded" (an area nobody entered) export as blank cells, not
// 0, and count nothing in the total.
type Layout struct {
	// Unit is the unit the export concerns (the ledger's unit, the list's filter, else the caller's own unit).
	Unit string
	// Sum lists the headers of the columns totalled in the 合计 row (none: no 合计 row).
	Sum []string
	// Blank lists the headers of numeric columns whose zero is exported as a blank cell.
	Blank []string
}

// layoutRows is how many rows the layout puts above the header (title, unit and date).
const layoutRows = 2

// WriteLayout renders a one-sheet workbook in the layout: title and unit/date rows above a bold, frozen header row,
// the rows (nil and blank-zero cells left empty), then the 合计 row. now is the export time (the injected clock).
func WriteLayout(out io.Writer, title string, now time.Time, headers []string, rows [][]any, l Layout) error {
	return WriteBook(out, now, []Sheet{{Title: title, Headers: headers, Rows: rows, Layout: l}})
}

// Sheet is one sheet of a workbook in the layout (WriteBook): its title (the sheet is named after Name, else the
// title), header, rows and layout.
type Sheet struct {
	Name    string
	Title   string
	Headers []string
	Rows    [][]any
	Layout  Layout
}

// WriteBook renders a workbook of several sheets, each in the layout of WriteLayout (a data exchange export with a
// sheet per group). Sheet names must differ once shortened to Excel's 31 characters.
func WriteBook(out io.Writer, now time.Time, sheets []Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, sh := range sheets {
		name := sheetName(sh.Name)
		if sh.Name == "" {
			name = sheetName(sh.Title)
		}
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := writeSheet(f, name, sh.Title, now, sh.Headers, sh.Rows, sh.Layout); err != nil {
			return err
		}
	}
	return f.Write(out)
}

// writeSheet writes one sheet of the layout into f.
func writeSheet(f *excelize.File, name, title string, now time.Time, headers []string, rows [][]any, l Layout) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DCE6F2"}, Pattern: 1}})
	if err != nil {
		return err
	}
	big, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}, Alignment: &excelize.Alignment{Horizontal: "center"}})
	if err != nil {
		return err
	}
	totalStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: []excelize.Border{{Type: "top", Color: "000000", Style: 1}}})
	if err != nil {
		return err
	}
	cols := max(len(headers), 2)
	for i, h := range headers {
		w := min(max(float64(len([]rune(h)))*2+4, 10), 50)
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	header := layoutRows + 1
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: header, TopLeftCell: cellName(1, header+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: big, Value: title}}, excelize.RowOpts{Height: 26}); err != nil {
		return err
	}
	if err := sw.MergeCell("A1", cellName(cols, 1)); err != nil {
		return err
	}
	meta := make([]any, cols)
	if l.Unit != "" {
		meta[0] = "单位：" + l.Unit
	}
	meta[cols-1] = "导出日期：" + now.In(clock.Shanghai).Format("2006-01-02")
	if err := sw.SetRow("A2", meta); err != nil {
		return err
	}
	hdr := make([]any, len(headers))
	for i, h := range headers {
		hdr[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow(cellName(1, header), hdr); err != nil {
		return err
	}
	blank := index(headers, l.Blank)
	sum := index(headers, l.Sum)
	totals := make([]float64, len(headers))
	for i, r := range rows {
		out := make([]any, len(r))
		for j, v := range r {
			n, isNum := number(v)
			if isNum && n == 0 && blank[j] {
				continue
			}
			out[j] = v
			if isNum && sum[j] {
				totals[j] += n
			}
		}
		if err := sw.SetRow(cellName(1, header+1+i), out); err != nil {
			return err
		}
	}
	if len(l.Sum) > 0 {
		tr := make([]any, len(headers))
		tr[0] = excelize.Cell{StyleID: totalStyle, Value: "合计"}
		for j := range headers {
			if sum[j] {
				tr[j] = excelize.Cell{StyleID: totalStyle, Value: math.Round(totals[j]*100) / 100}
			} else if j > 0 {
				tr[j] = excelize.Cell{StyleID: totalStyle}
			}
		}
		if err := sw.SetRow(cellName(1, header+1+len(rows)), tr); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func cellName(col, row int) string { c, _ := excelize.CoordinatesToCellName(col, row); return c }

// index marks the columns of headers named in names; a name that is no header is a programming error.
func index(headers, names []string) []bool {
	out := make([]bool, len(headers))
	for _, n := range names {
		found := false
		for i, h := range headers {
			if h == n {
				out[i], found = true, true
			}
		}
		if !found {
			panic("xlsx: layout names a column that is not exported: " + n)
		}
	}
	return out
}

// number reads a numeric cell value.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case *float64:
		if x != nil {
			return *x, true
		}
	}
	return 0, false
}

// Table splits the rows of a sheet read back (excelize GetRows) into its header and data rows: an export in the
// Layout loses its title and 单位/导出日期 rows and its 合计 row; a plain sheet is header and rows as they are.
// Tests and readers of GovOps's own exports use it, so they read either form.
func Table(rows [][]string) (header []string, data [][]string) {
	if len(rows) > layoutRows && isMeta(rows[1]) {
		rows = rows[layoutRows:]
		if n := len(rows); n > 1 && len(rows[n-1]) > 0 && rows[n-1][0] == "合计" {
			rows = rows[:n-1]
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return rows[0], rows[1:]
}

// isMeta reports whether a row is the layout's 单位/导出日期 row.
func isMeta(row []string) bool {
	for _, c := range row {
		if strings.HasPrefix(c, "导出日期：") {
			return true
		}
	}
	return false
}
