package attach

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govops/govops/internal/platform/errs"
)

func TestCleanFilename(t *testing.T) {
	for in, want := range map[string]string{
		"会议纪要（2026年第3次）.pdf":               "会议纪要（2026年第3次）.pdf",
		`C:\Users\张三\Desktop\报告.docx`:      "报告.docx",
		"../../etc/passwd":                 "passwd",
		"  .hidden.txt  ":                  "hidden.txt",
		"a\x00b\x1f<c>:d\"e|f?g*.png":      "abcdefg.png",
		"发票\u202Efdp.exe":                  "发票fdp.exe", // the right-to-left override that disguises extensions is dropped
		"多个   空格\t和\n换行.txt":               "多个 空格 和 换行.txt",
		"":                                 "附件",
		".pdf":                             "pdf",
		"...":                              "附件",
		strings.Repeat("长", 200) + ".xlsx": strings.Repeat("长", 115) + ".xlsx",
	} {
		if got := CleanFilename(in); got != want {
			t.Errorf("CleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContentDisposition(t *testing.T) {
	for in, want := range map[string]string{
		"会议纪要.pdf":         `attachment; filename="attachment.pdf"; filename*=UTF-8''%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81.pdf`,
		"report 2026.xlsx": `attachment; filename="report 2026.xlsx"; filename*=UTF-8''report%202026.xlsx`,
		`a"b;c%.txt`:       `attachment; filename="a_b_c_.txt"; filename*=UTF-8''a%22b%3Bc%25.txt`,
		"2026年报告.docx":     `attachment; filename="2026___.docx"; filename*=UTF-8''2026%E5%B9%B4%E6%8A%A5%E5%91%8A.docx`,
	} {
		if got := ContentDisposition(in); got != want {
			t.Errorf("ContentDisposition(%q) =\n %s\nwant\n %s", in, got, want)
		}
	}
}

func zipWith(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte("<x/>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Samples of real formats, as their first bytes (what the checks read) plus padding.
var (
	pdf  = []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
	png  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 40)...)
	jpeg = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 40)...)
	gif  = []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	webp = []byte("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00")
	ole2 = append(append([]byte{}, oleMagic...), make([]byte, 504)...)
	exe  = append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 60)...)
)

func TestStageChecksTypeByExtensionAndContent(t *testing.T) {
	xlsx := zipWith(t, "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml")
	docx := zipWith(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml")
	plainZip := zipWith(t, "照片/1.jpg", "说明.txt")
	s := &Store{Dir: t.TempDir(), MaxBytes: 1 << 20}
	o := Owner{Type: "t"}
	for _, c := range []struct {
		name  string
		data  []byte
		ctype string // "" = refused
	}{
		{"报告.pdf", pdf, "application/pdf"},
		{"照片.JPG", jpeg, "image/jpeg"},
		{"照片.jpeg", jpeg, "image/jpeg"},
		{"截图.png", png, "image/png"},
		{"动图.gif", gif, "image/gif"},
		{"图.webp", webp, "image/webp"},
		{"台账.xlsx", xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"通知.docx", docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"旧台账.xls", ole2, "application/vnd.ms-excel"},
		{"旧通知.doc", ole2, "application/msword"},
		{"说明.txt", []byte("会议于 11 月 20 日召开。\n"), "text/plain"},
		{"明细.csv", []byte("单位,金额\n示范局,100\n"), "text/csv"},
		{"材料.zip", plainZip, "application/zip"},
		{"伪装.pdf", exe, ""},
		{"伪装.png", pdf, ""},
		{"伪装.docx", xlsx, ""},     // a spreadsheet is not a Word file
		{"伪装.xlsx", plainZip, ""}, // a zip without workbook parts
		{"伪装.doc", docx, ""},      // OOXML is not OLE2
		{"页面.txt", []byte("<!DOCTYPE html><script>alert(1)</script>"), ""},
		{"数据.csv", []byte("<?xml version=\"1.0\"?><a/>"), ""},
		{"页面.html", []byte("<html></html>"), ""},
		{"图.svg", []byte("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), ""},
		{"程序.exe", exe, ""},
		{"无扩展名", pdf, ""},
		{"空.pdf", nil, ""},
	} {
		st, err := s.stage(o, c.name, bytes.NewReader(c.data))
		if c.ctype == "" {
			if e := errs.As(err); e == nil || e.Code != errs.CodeValidation || e.Fields["file"] == "" {
				t.Errorf("%s: accepted or wrong error: %v", c.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if st.contentType != c.ctype || st.size != int64(len(c.data)) {
			t.Errorf("%s: %+v", c.name, st)
		}
		b, err := os.ReadFile(filepath.Join(s.Dir, st.sum[:2], st.sum[2:]))
		if err != nil || !bytes.Equal(b, c.data) {
			t.Errorf("%s: stored content differs (%v)", c.name, err)
		}
	}
	// Nothing is left in the temporary directory, refused or not.
	if left, _ := os.ReadDir(filepath.Join(s.Dir, "tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %d", len(left))
	}
}

func TestStageLimits(t *testing.T) {
	s := &Store{Dir: t.TempDir(), MaxBytes: 1 << 20}
	small := Owner{Type: "t", MaxBytes: 100, Exts: []string{".txt"}}
	if _, err := s.stage(small, "a.txt", bytes.NewReader(bytes.Repeat([]byte("a"), 100))); err != nil {
		t.Fatalf("exactly at the limit: %v", err)
	}
	_, err := s.stage(small, "a.txt", bytes.NewReader(bytes.Repeat([]byte("a"), 101)))
	if e := errs.As(err); e == nil || e.Code != errs.CodeTooLarge || e.Fields["file"] == "" {
		t.Fatalf("over the limit: %v", err)
	}
	_, err = s.stage(small, "a.pdf", bytes.NewReader(pdf))
	if e := errs.As(err); e == nil || !strings.Contains(e.Message, "TXT") {
		t.Fatalf("extension outside the owner's list: %v", err)
	}
	// The same content twice is stored once.
	a, err := s.stage(Owner{Type: "t"}, "一.pdf", bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.stage(Owner{Type: "t"}, "二.pdf", bytes.NewReader(pdf))
	if err != nil || a.sum != b.sum || a.name == b.name {
		t.Fatalf("dedupe: %+v %+v %v", a, b, err)
	}
	files, _ := os.ReadDir(filepath.Join(s.Dir, a.sum[:2]))
	if len(files) != 1 {
		t.Fatalf("files for one content: %d", len(files))
	}
	if fi, _ := os.Stat(filepath.Join(s.Dir, a.sum[:2])); fi.Mode().Perm() != 0o750 {
		t.Fatalf("directory mode %v", fi.Mode().Perm())
	}
}

func TestSizeText(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1 KB", 900 * 1024: "900 KB", 1 << 20: "1.0 MB", 20 << 20: "20.0 MB"} {
		if got := sizeText(n); got != want {
			t.Errorf("sizeText(%d) = %q, want %q", n, got, want)
		}
	}
}
