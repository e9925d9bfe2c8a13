package xlsx

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/platform/errs"
)

var cols = []Column{{Header: "名称", Key: "name", Required: true}, {Header: "数量", Key: "n"}, {Header: "备注", Key: "note"}}

func book(t testing.TB, rows [][]any) []byte {
	f := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadTemplateRoundTrip(t *testing.T) {
	withExample := append([]Column(nil), cols...)
	withExample[0].Example = "示例单位"
	tpl, err := Template(withExample, "测试")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := Read(bytes.NewReader(tpl), cols)
	if err != nil || len(rows) != 1 || rows[0].Line != 2 || rows[0].Values["name"] != "示例单位" {
		t.Fatalf("template example row = %+v, %v", rows, err)
	}
	data := book(t, [][]any{{"备注", "名称*", "数量"}, {"a", " 甲 ", 3}, {nil, nil, nil}, {"", "乙", ""}})
	rows, err = Read(bytes.NewReader(data), cols)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Values["name"] != "甲" || rows[0].Values["n"] != "3" || rows[1].Line != 4 || rows[1].Values["name"] != "乙" {
		t.Fatalf("rows = %+v", rows)
	}
	_, err = Read(bytes.NewReader(book(t, [][]any{{"数量"}, {"1"}})), cols)
	if errs.CodeOf(err) != errs.CodeValidation || errs.As(err).Fields["file"] == "" {
		t.Fatalf("missing required column: %v", err)
	}
	if _, err := Read(bytes.NewReader([]byte("not a workbook")), cols); errs.CodeOf(err) != errs.CodeValidation {
		t.Fatalf("garbage: %v", err)
	}
	var out bytes.Buffer
	if err := Write(&out, "导出/测试:1", []string{"名称", "数量"}, [][]any{{"甲", 1}, {"乙", 2.5}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.GetRows(f.GetSheetList()[0])
	if len(got) != 3 || got[2][1] != "2.5" {
		t.Fatalf("written rows = %v", got)
	}
}

// FuzzRead: any uploaded bytes produce rows or a client error, never a panic or an internal error.
func FuzzRead(f *testing.F) {
	tpl, _ := Template(cols, "测试")
	f.Add(tpl)
	f.Add(book(f, [][]any{{"名称", "数量"}, {"甲", 1}}))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := Read(bytes.NewReader(data), cols)
		if err != nil {
			if c := errs.CodeOf(err); c != errs.CodeValidation && c != errs.CodeBadRequest && c != errs.CodeTooLarge {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		for _, r := range rows {
			if r.Line < 2 {
				t.Fatalf("data row on line %d", r.Line)
			}
		}
	})
}

// TestReadRefusesZipBomb: a small upload that decompresses to hundreds of megabytes is refused before it is
// inflated (found by FuzzRead: a mutated workbook made the reader allocate 8 GB).
func TestReadRefusesZipBomb(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	good := book(t, [][]any{{"名称"}, {"甲"}})
	zr, err := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		w, _ := zw.Create(f.Name)
		rc, _ := f.Open()
		_, _ = io.Copy(w, rc)
		rc.Close()
	}
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "xl/media/padding.bin", Method: zip.Deflate})
	chunk := bytes.Repeat([]byte{' '}, 1<<20)
	for i := 0; i < 260; i++ {
		_, _ = w.Write(chunk)
	}
	_ = zw.Close()
	if buf.Len() > 2<<20 {
		t.Fatalf("bomb is %d bytes; expected a small file", buf.Len())
	}
	if _, err := Read(bytes.NewReader(buf.Bytes()), cols); errs.CodeOf(err) != errs.CodeValidation {
		t.Fatalf("zip bomb: %v", err)
	}
}
