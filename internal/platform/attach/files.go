package attach

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/jobs"
)

// fileType is an allowed kind of file: the content type it is served with and how its content is confirmed.
type fileType struct {
	contentType string
	// ok confirms the content: head is the first 512 bytes, sniff what http.DetectContentType says of them, f the
	// complete file (for zip-based formats).
	ok func(head []byte, sniff string, f io.ReaderAt, size int64) bool
}

var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

func sniffIs(want string) func([]byte, string, io.ReaderAt, int64) bool {
	return func(_ []byte, sniff string, _ io.ReaderAt, _ int64) bool { return sniff == want }
}

// plainText accepts text that does not sniff as HTML, XML or binary.
func plainText(_ []byte, sniff string, _ io.ReaderAt, _ int64) bool {
	return strings.HasPrefix(sniff, "text/plain")
}

// ole accepts the OLE2 compound files of legacy Office (.doc, .xls); DetectContentType calls them octet-stream.
func ole(head []byte, _ string, _ io.ReaderAt, _ int64) bool { return bytes.HasPrefix(head, oleMagic) }

// ooxml accepts a zip (DetectContentType's answer for every Office Open XML file) holding [Content_Types].xml and
// the part folder of the expected application ("xl/" for .xlsx, "word/" for .docx).
func ooxml(folder string) func([]byte, string, io.ReaderAt, int64) bool {
	return func(_ []byte, sniff string, f io.ReaderAt, size int64) bool {
		if sniff != "application/zip" {
			return false
		}
		zr, err := zip.NewReader(f, size)
		if err != nil {
			return false
		}
		var types, part bool
		for _, zf := range zr.File {
			types = types || zf.Name == "[Content_Types].xml"
			part = part || strings.HasPrefix(zf.Name, folder)
		}
		return types && part
	}
}

// fileTypes is the allow-list, by lower-case extension.
var fileTypes = map[string]fileType{
	".pdf":  {"application/pdf", sniffIs("application/pdf")},
	".jpg":  {"image/jpeg", sniffIs("image/jpeg")},
	".jpeg": {"image/jpeg", sniffIs("image/jpeg")},
	".png":  {"image/png", sniffIs("image/png")},
	".gif":  {"image/gif", sniffIs("image/gif")},
	".webp": {"image/webp", sniffIs("image/webp")},
	".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ooxml("xl/")},
	".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ooxml("word/")},
	".xls":  {"application/vnd.ms-excel", ole},
	".doc":  {"application/msword", ole},
	".txt":  {"text/plain", plainText},
	".csv":  {"text/csv", plainText},
	".zip":  {"application/zip", sniffIs("application/zip")},
}

// AllowedExts lists the extensions that may be uploaded, sorted.
func AllowedExts() []string {
	out := make([]string, 0, len(fileTypes))
	for e := range fileTypes {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

func (s *Store) exts(o Owner) []string {
	if len(o.Exts) > 0 {
		return o.Exts
	}
	return AllowedExts()
}

func allows(exts []string, ext string) bool {
	for _, e := range exts {
		if e == ext {
			return true
		}
	}
	return false
}

// CleanFilename makes an uploaded name safe to store and show, keeping Chinese and other letters: the last path
// segment only, without control, format (e.g. right-to-left override) or reserved characters, without leading and
// trailing dots and spaces, at most 120 characters with the extension kept.
func CleanFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	space := false
	for _, r := range strings.ToValidUTF8(name, "") {
		switch {
		case unicode.IsSpace(r):
			if !space {
				b.WriteRune(' ')
			}
			space = true
			continue
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), strings.ContainsRune(`<>:"|?*`, r):
			continue
		}
		space = false
		b.WriteRune(r)
	}
	name = strings.Trim(b.String(), " .")
	ext := filepath.Ext(name)
	if utf8.RuneCountInString(ext) > 10 {
		ext = ""
	}
	base := strings.TrimRight(strings.TrimSuffix(name, ext), " .")
	if r := []rune(base); len(r) > 120-len([]rune(ext)) {
		base = strings.TrimRight(string(r[:120-len([]rune(ext))]), " .")
	}
	if base == "" {
		base = "附件"
	}
	return base + ext
}

// ContentDisposition is the header value that makes browsers save the file under its original (Chinese) name:
// an ASCII fallback for old clients and the exact name as RFC 5987 filename*.
func ContentDisposition(name string) string {
	var fb strings.Builder
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' || r == ';' {
			fb.WriteByte('_')
			continue
		}
		fb.WriteRune(r)
	}
	fallback := fb.String()
	ext := filepath.Ext(fallback)
	if strings.Trim(strings.TrimSuffix(fallback, ext), "_ ") == "" {
		fallback = "attachment" + ext
	}
	const attrChar = "!#$&+-.^_`|~"
	var enc strings.Builder
	for _, c := range []byte(name) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attrChar, c) >= 0) {
			enc.WriteByte(c)
			continue
		}
		fmt.Fprintf(&enc, "%%%02X", c)
	}
	return `attachment; filename="` + fallback + `"; filename*=UTF-8''` + enc.String()
}

// staged is a file written durably under its content address, not yet recorded.
type staged struct {
	name, contentType, sum string
	size                   int64
}

// headWriter keeps the first 512 bytes written (what DetectContentType reads).
type headWriter struct{ b []byte }

// Write keeps what still fits in the first 512 bytes and reports everything written.
func (h *headWriter) Write(p []byte) (int, error) {
	if n := 512 - len(h.b); n > 0 {
		h.b = append(h.b, p[:min(n, len(p))]...)
	}
	return len(p), nil
}

func tooLarge(limit int64) error {
	msg := fmt.Sprintf("文件过大，单个文件不超过 %s", sizeText(limit))
	return &errs.Error{Code: errs.CodeTooLarge, Message: msg, Fields: map[string]string{"file": msg}}
}

func typeNames(exts []string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.Join(exts, "、"), ".", ""))
}

// stage checks a file against the owner's limits while writing it to a temporary file, then syncs it and moves it
// to its content address (or, when that content is already stored, touches the existing file so the sweep spares
// it). Nothing is recorded in the database.
func (s *Store) stage(o Owner, filename string, r io.Reader) (staged, error) {
	name := CleanFilename(filename)
	ext := strings.ToLower(filepath.Ext(name))
	exts := s.exts(o)
	ft, known := fileTypes[ext]
	if !known || !allows(exts, ext) {
		return staged{}, errs.Invalid("file", "不支持的文件类型，允许："+typeNames(exts))
	}
	limit := s.maxBytes(o)
	tmpDir := filepath.Join(s.Dir, "tmp")
	if err := os.MkdirAll(tmpDir, 0o750); err != nil {
		return staged{}, fmt.Errorf("attachment dir: %w", err)
	}
	f, err := os.CreateTemp(tmpDir, "upload-*")
	if err != nil {
		return staged{}, fmt.Errorf("attachment temp file: %w", err)
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	h := sha256.New()
	head := &headWriter{}
	n, err := io.Copy(io.MultiWriter(f, h, head), io.LimitReader(r, limit+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return staged{}, tooLarge(limit)
		}
		return staged{}, fmt.Errorf("attachment write: %w", err)
	}
	if n > limit {
		return staged{}, tooLarge(limit)
	}
	if n == 0 {
		return staged{}, errs.Invalid("file", "文件为空")
	}
	if !ft.ok(head.b, http.DetectContentType(head.b), f, n) {
		return staged{}, errs.Invalid("file", "文件内容与扩展名“"+ext+"”不符，请上传真实的 "+typeNames([]string{ext})+" 文件")
	}
	if err := f.Chmod(0o640); err != nil {
		return staged{}, err
	}
	if err := f.Sync(); err != nil {
		return staged{}, fmt.Errorf("attachment sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return staged{}, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dir := filepath.Join(s.Dir, sum[:2])
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return staged{}, fmt.Errorf("attachment dir: %w", err)
	}
	final := s.path(sum)
	if fi, err := os.Stat(final); err == nil && fi.Size() == n {
		now := time.Now()
		_ = os.Chtimes(final, now, now)
		os.Remove(tmp)
	} else {
		if err := os.Rename(tmp, final); err != nil {
			return staged{}, fmt.Errorf("attachment store: %w", err)
		}
		if err := syncDir(dir); err != nil {
			return staged{}, err
		}
	}
	done = true
	return staged{name: name, contentType: ft.contentType, sum: sum, size: n}, nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("attachment dir sync: %w", err)
	}
	return nil
}

// Sweep removes stored files that no attachment refers to and that were not touched for SweepAfter (deleted
// attachments, uploads whose transaction rolled back), and temporary files older than a day. It returns how many
// files it removed.
func (s *Store) Sweep(ctx context.Context) (int, error) {
	entries, err := os.ReadDir(s.Dir)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	cutoff := time.Now().Add(-s.SweepAfter)
	removed := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(s.Dir, e.Name())
		files, err := os.ReadDir(dir)
		if err != nil {
			return removed, err
		}
		for _, f := range files {
			if ctx.Err() != nil {
				return removed, ctx.Err()
			}
			p := filepath.Join(dir, f.Name())
			if e.Name() == "tmp" {
				if fi, err := f.Info(); err == nil && fi.ModTime().Before(time.Now().Add(-24*time.Hour)) && os.Remove(p) == nil {
					removed++
				}
				continue
			}
			sum := e.Name() + f.Name()
			if len(e.Name()) != 2 || !isHex(sum) || len(sum) != 64 {
				continue
			}
			fi, err := f.Info()
			if err != nil || !fi.ModTime().Before(cutoff) {
				continue
			}
			n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM attachments WHERE sha256 = ?", sum)
			if err != nil {
				return removed, err
			}
			if n > 0 {
				continue
			}
			// Look again: an upload of the same content may have touched it meanwhile.
			if fi, err := os.Stat(p); err != nil || !fi.ModTime().Before(cutoff) {
				continue
			}
			if err := os.Remove(p); err == nil {
				removed++
			}
		}
	}
	return removed, nil
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// SweepJob is the periodic job that runs Sweep; register it on the job runner at wiring:
// runner.Add(store.SweepJob()).
func (s *Store) SweepJob() jobs.Job {
	return jobs.Job{Name: "attach.sweep", Title: "attach.job.sweep|清理不再使用的附件文件", Every: 6 * time.Hour,
		Run: func(ctx context.Context) (string, error) {
			n, err := s.Sweep(ctx)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("删除 %d 个文件", n), nil
		}}
}
