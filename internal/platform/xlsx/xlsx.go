// Package xlsx is the Excel kit: every register exports to .xlsx (with the export audited), and every bulk import
// offers a downloadable template, reads rows into strings, and lets the module validate all rows (a dry run with
// row-level Chinese errors) before it writes all-or-nothing.
package xlsx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// MaxUpload bounds an uploaded workbook.
const MaxUpload = 20 << 20

// MaxRows bounds the data rows of one import.
const MaxRows = 100000

// maxUnzipped bounds the decompressed size of an uploaded workbook.
const maxUnzipped = 200 << 20

// maxLines bounds the rows (blank or not) the reader walks, so a sheet that declares a far-away row cannot keep it
// busy.
const maxLines = 4 * MaxRows

// Write renders a one-sheet workbook with a bold, frozen header row.
func Write(out io.Writer, sheet string, headers []string, rows [][]any) error {
	f := excelize.NewFile()
	defer f.Close()
	name := sheetName(sheet)
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DCE6F2"}, Pattern: 1}})
	if err != nil {
		return err
	}
	for i, h := range headers {
		w := float64(len([]rune(h)))*2 + 4
		if w < 10 {
			w = 10
		}
		if w > 50 {
			w = 50
		}
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	hdr := make([]any, len(headers))
	for i, h := range headers {
		hdr[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", hdr); err != nil {
		return err
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, r); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(out)
}

func sheetName(s string) string {
	r := []rune(strings.NewReplacer("/", "-", "\\", "-", "?", "", "*", "", "[", "(", "]", ")", ":", "-").Replace(s))
	if len(r) > 31 {
		r = r[:31]
	}
	if len(r) == 0 {
		return "Sheet1"
	}
	return string(r)
}

// Export writes rows as an attachment named "<title>-<date>.xlsx" and records the export in the audit log. With a
// Layout the sheet carries the title, the unit and the export date above the header and a 合计 row below
// (WriteLayout); without one it is the bare table.
func Export(w http.ResponseWriter, r *http.Request, d *db.DB, now time.Time, title string, headers []string, rows [][]any, layout ...Layout) error {
	var buf bytes.Buffer
	var err error
	if len(layout) > 0 {
		err = WriteLayout(&buf, title, now, headers, rows, layout[0])
	} else {
		err = Write(&buf, title, headers, rows)
	}
	if err != nil {
		return errs.Internal(err)
	}
	if err := d.Tx(r.Context(), func(q db.Q) error {
		return audit.Record(r.Context(), q, now, audit.Entry{Action: "export.xlsx", ObjectType: "export", ObjectKey: title, Success: true,
			Extra: map[string]any{"rows": len(rows), "path": r.URL.Path, "query": r.URL.RawQuery}})
	}); err != nil {
		return err
	}
	Send(w, title+"-"+now.In(time.FixedZone("CST", 8*3600)).Format("20060102"), buf.Bytes())
	return nil
}

// Send writes a workbook as a download.
func Send(w http.ResponseWriter, name string, data []byte) {
	fn := name + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"export.xlsx\"; filename*=UTF-8''"+url.PathEscape(fn))
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	_, _ = w.Write(data)
}

// Column describes one column of an import template.
type Column struct {
	Header   string // Chinese header, matched exactly (trimmed) when reading
	Key      string // the field name used in errors
	Required bool
	Help     string // shown in the template's second sheet
	Example  string
}

// Template builds the downloadable import template: the header row, one example row, and a 说明 sheet.
func Template(cols []Column, sheet string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	name := sheetName(sheet)
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return nil, err
	}
	req, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "C0392B"}, Fill: excelize.Fill{Type: "pattern", Color: []string{"FDECEA"}, Pattern: 1}})
	opt, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DCE6F2"}, Pattern: 1}})
	text, _ := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": keep codes such as credit codes as text
	for i, c := range cols {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		_ = f.SetCellValue(name, cell, c.Header)
		st := opt
		if c.Required {
			st = req
		}
		_ = f.SetCellStyle(name, cell, cell, st)
		col, _ := excelize.ColumnNumberToName(i + 1)
		_ = f.SetColWidth(name, col, col, max(12, float64(len([]rune(c.Header)))*2+4))
		_ = f.SetColStyle(name, col, text)
		_ = f.SetCellStyle(name, cell, cell, st)
		ex, _ := excelize.CoordinatesToCellName(i+1, 2)
		_ = f.SetCellValue(name, ex, c.Example)
	}
	_, _ = f.NewSheet("填写说明")
	_ = f.SetCellValue("填写说明", "A1", "列名")
	_ = f.SetCellValue("填写说明", "B1", "是否必填")
	_ = f.SetCellValue("填写说明", "C1", "说明")
	_ = f.SetColWidth("填写说明", "A", "A", 20)
	_ = f.SetColWidth("填写说明", "C", "C", 80)
	for i, c := range cols {
		r := i + 2
		_ = f.SetCellValue("填写说明", fmt.Sprintf("A%d", r), c.Header)
		need := "选填"
		if c.Required {
			need = "必填"
		}
		_ = f.SetCellValue("填写说明", fmt.Sprintf("B%d", r), need)
		_ = f.SetCellValue("填写说明", fmt.Sprintf("C%d", r), c.Help)
	}
	_ = f.SetCellValue("填写说明", fmt.Sprintf("A%d", len(cols)+3), "第 2 行为示例，导入前请删除或覆盖；红色列为必填。")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Row is one data row, keyed by column key, with its 1-based spreadsheet row number.
type Row struct {
	Line   int
	Values map[string]string
}

// Read parses the first sheet of an uploaded workbook against cols: the header row must contain every required
// column (order free, unknown columns ignored); blank rows are skipped; cells are trimmed strings.
func Read(r io.Reader, cols []Column) ([]Row, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxUpload+1))
	if err != nil {
		return nil, errs.BadRequest("文件读取失败")
	}
	if len(data) > MaxUpload {
		return nil, &errs.Error{Code: errs.CodeTooLarge, Message: "文件过大（上限 20 MB）"}
	}
	// Bound decompression: a crafted workbook (a "zip bomb") must not exhaust memory. Sheets larger than the XML
	// limit are streamed through a temporary file by excelize.
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, errs.Invalid("file", "无法读取该文件，请上传 .xlsx 格式的 Excel 文件（可先下载模板）")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errs.Invalid("file", "工作簿中没有工作表")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, errs.Invalid("file", "无法读取第一个工作表")
	}
	defer rows.Close()
	var index map[int]string
	var out []Row
	line := 0
	for rows.Next() {
		line++
		if line > maxLines {
			return nil, errs.Invalid("file", fmt.Sprintf("工作表超过 %d 行，请删除空行或分批导入", maxLines))
		}
		cells, err := rows.Columns()
		if err != nil {
			return nil, errs.Invalid("file", fmt.Sprintf("第 %d 行无法读取", line))
		}
		if index == nil {
			index = map[int]string{}
			have := map[string]bool{}
			for i, h := range cells {
				h = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(h), "*"))
				for _, c := range cols {
					if h == c.Header {
						index[i] = c.Key
						have[c.Key] = true
					}
				}
			}
			var missing []string
			for _, c := range cols {
				if c.Required && !have[c.Key] {
					missing = append(missing, c.Header)
				}
			}
			if len(missing) > 0 {
				return nil, errs.Invalid("file", "表头缺少必填列："+strings.Join(missing, "、")+"（请使用下载的模板）")
			}
			continue
		}
		vals := map[string]string{}
		blank := true
		for i, v := range cells {
			if k, ok := index[i]; ok {
				v = strings.TrimSpace(v)
				vals[k] = v
				if v != "" {
					blank = false
				}
			}
		}
		if blank {
			continue
		}
		if len(out) >= MaxRows {
			return nil, errs.Invalid("file", fmt.Sprintf("数据行超过 %d 行，请分批导入", MaxRows))
		}
		out = append(out, Row{Line: line, Values: vals})
	}
	if index == nil {
		return nil, errs.Invalid("file", "文件为空")
	}
	if len(out) == 0 {
		return nil, errs.Invalid("file", "文件中没有数据行")
	}
	return out, nil
}

// RowError is a problem with one row (and column) of an import.
type RowError struct {
	Line    int    `json:"line"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// Report is the result of an import, dry run or not.
type Report struct {
	DryRun  bool       `json:"dry_run"`
	Rows    int        `json:"rows"`
	Created int        `json:"created"`
	Updated int        `json:"updated"`
	Errors  []RowError `json:"errors"`
}

// OK reports whether no row had an error.
func (r Report) OK() bool { return len(r.Errors) == 0 }

// ErrRows is returned by an importer when rows are invalid: nothing was written.
var ErrRows = errors.New("import rows invalid")

// ReadUpload takes the "file" part of a multipart form.
func ReadUpload(r *http.Request, cols []Column) ([]Row, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, MaxUpload+1<<20)
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		return nil, errs.Invalid("file", "请选择要上传的 Excel 文件")
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		return nil, errs.Invalid("file", "请选择要上传的 Excel 文件")
	}
	defer file.Close()
	return Read(file, cols)
}

// AuditImport records an import run.
func AuditImport(ctx context.Context, q db.Q, now time.Time, what string, rep Report) error {
	return audit.Record(ctx, q, now, audit.Entry{Action: "import." + what, ObjectType: "import", ObjectKey: what, Success: rep.OK(),
		Extra: map[string]any{"rows": rep.Rows, "created": rep.Created, "updated": rep.Updated, "errors": len(rep.Errors)}})
}
