package browsertest

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// A small reader of the text of the PDFs Chromium prints (Skia's writer: plain objects, Flate streams, one
// ToUnicode map per font, ActualText spans for glyphs standing for other characters) — enough to check what a
// printed page says (its page number) without a PDF library. Not a general PDF parser.

var (
	pdfObjRe     = regexp.MustCompile(`(?m)^(\d+) 0 obj\b`)
	pdfRefRe     = regexp.MustCompile(`/(\S+?) (\d+) 0 R`)
	pdfLengthRe  = regexp.MustCompile(`/Length (\d+)`)
	pdfKidsRe    = regexp.MustCompile(`/Kids \[([^\]]*)\]`)
	pdfNumRefRe  = regexp.MustCompile(`(\d+) 0 R`)
	pdfFontsRe   = regexp.MustCompile(`(?s)/Font <<(.*?)>>`)
	pdfToUniRe   = regexp.MustCompile(`/ToUnicode (\d+) 0 R`)
	pdfContentRe = regexp.MustCompile(`/Contents (?:(\d+) 0 R|\[([^\]]*)\])`)
	pdfCharRe    = regexp.MustCompile(`(?s)beginbfchar(.*?)endbfchar`)
	pdfRangeRe   = regexp.MustCompile(`(?s)beginbfrange(.*?)endbfrange`)
	pdfPairRe    = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`)
	pdfTripleRe  = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`)
	pdfOpRe      = regexp.MustCompile(`/(\S+) [\d.]+ Tf|/ActualText <([0-9A-Fa-f]*)>|<([0-9A-Fa-f]*)>|\b(BDC|EMC|ET)\b`)
)

type pdfFont struct {
	uni   map[int]string
	width int // bytes per character code: 2 for Type0 fonts, 1 otherwise
}

// pdfPageTexts returns the text of each page of a PDF, in page order.
func pdfPageTexts(data []byte) ([]string, error) {
	objs := map[int][]byte{}
	locs := pdfObjRe.FindAllSubmatchIndex(data, -1)
	for i, l := range locs {
		end := len(data)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		n, _ := strconv.Atoi(string(data[l[2]:l[3]]))
		objs[n] = data[l[1]:end]
	}
	dict := func(body []byte) []byte {
		if i := bytes.Index(body, []byte("stream")); i >= 0 {
			return body[:i]
		}
		return body
	}
	stream := func(n int) ([]byte, error) {
		body, ok := objs[n]
		if !ok {
			return nil, fmt.Errorf("no object %d", n)
		}
		i := bytes.Index(body, []byte("stream"))
		if i < 0 {
			return nil, fmt.Errorf("object %d has no stream", n)
		}
		raw := body[i+len("stream"):]
		raw = bytes.TrimPrefix(bytes.TrimPrefix(raw, []byte("\r")), []byte("\n"))
		if m := pdfLengthRe.FindSubmatch(body[:i]); m != nil {
			if l, _ := strconv.Atoi(string(m[1])); l <= len(raw) {
				raw = raw[:l]
			}
		}
		if !bytes.Contains(body[:i], []byte("/FlateDecode")) {
			return raw, nil
		}
		zr, err := zlib.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("object %d: %v", n, err)
		}
		return io.ReadAll(zr)
	}
	// The pages in order: the page tree from its root (the /Pages node without a parent).
	var pages []int
	var walk func(n int, depth int)
	walk = func(n int, depth int) {
		d := dict(objs[n])
		if bytes.Contains(d, []byte("/Type /Page\n")) || bytes.Contains(d, []byte("/Type /Page/")) || bytes.Contains(d, []byte("/Type /Page ")) {
			pages = append(pages, n)
			return
		}
		if m := pdfKidsRe.FindSubmatch(d); m != nil && depth < 20 {
			for _, k := range pdfNumRefRe.FindAllSubmatch(m[1], -1) {
				kn, _ := strconv.Atoi(string(k[1]))
				walk(kn, depth+1)
			}
		}
	}
	for n, body := range objs {
		if d := dict(body); bytes.Contains(d, []byte("/Type /Pages")) && !bytes.Contains(d, []byte("/Parent")) {
			walk(n, 0)
		}
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("no pages")
	}
	var out []string
	for _, p := range pages {
		d := dict(objs[p])
		fonts := map[string]pdfFont{}
		if m := pdfFontsRe.FindSubmatch(d); m != nil {
			for _, r := range pdfRefRe.FindAllSubmatch(m[1], -1) {
				fn, _ := strconv.Atoi(string(r[2]))
				fd := dict(objs[fn])
				f := pdfFont{uni: map[int]string{}, width: 1}
				if bytes.Contains(fd, []byte("/Type0")) {
					f.width = 2
				}
				if tu := pdfToUniRe.FindSubmatch(fd); tu != nil {
					tn, _ := strconv.Atoi(string(tu[1]))
					cm, err := stream(tn)
					if err != nil {
						return nil, err
					}
					readCMap(cm, f.uni)
				}
				fonts[string(r[1])] = f
			}
		}
		var contents []int
		if m := pdfContentRe.FindSubmatch(d); m != nil {
			if m[1] != nil {
				n, _ := strconv.Atoi(string(m[1]))
				contents = append(contents, n)
			}
			for _, r := range pdfNumRefRe.FindAllSubmatch(m[2], -1) {
				n, _ := strconv.Atoi(string(r[1]))
				contents = append(contents, n)
			}
		}
		var b strings.Builder
		for _, c := range contents {
			cs, err := stream(c)
			if err != nil {
				return nil, err
			}
			var font pdfFont
			var spans []bool // the marked-content stack: true for an ActualText span
			actual := false  // the next BDC opens an ActualText span
			for _, m := range pdfOpRe.FindAllSubmatch(cs, -1) {
				switch {
				case m[1] != nil:
					font = fonts[string(m[1])]
				case m[2] != nil:
					b.WriteString(utf16Hex(string(m[2])))
					actual = true
				case string(m[4]) == "BDC":
					spans, actual = append(spans, actual), false
				case string(m[4]) == "EMC":
					if len(spans) > 0 {
						spans = spans[:len(spans)-1]
					}
				case string(m[4]) == "ET":
					b.WriteString("\n")
				case m[3] != nil:
					if slices.Contains(spans, true) || font.uni == nil {
						continue
					}
					h := string(m[3])
					for i := 0; i+2*font.width <= len(h); i += 2 * font.width {
						code, _ := strconv.ParseInt(h[i:i+2*font.width], 16, 32)
						b.WriteString(font.uni[int(code)])
					}
				}
			}
		}
		out = append(out, b.String())
	}
	return out, nil
}

// readCMap adds the bfchar and bfrange entries of a ToUnicode map to uni.
func readCMap(cm []byte, uni map[int]string) {
	for _, blk := range pdfCharRe.FindAllSubmatch(cm, -1) {
		for _, p := range pdfPairRe.FindAllSubmatch(blk[1], -1) {
			code, _ := strconv.ParseInt(string(p[1]), 16, 32)
			uni[int(code)] = utf16Hex(string(p[2]))
		}
	}
	for _, blk := range pdfRangeRe.FindAllSubmatch(cm, -1) {
		for _, p := range pdfTripleRe.FindAllSubmatch(blk[1], -1) {
			lo, _ := strconv.ParseInt(string(p[1]), 16, 32)
			hi, _ := strconv.ParseInt(string(p[2]), 16, 32)
			base := []rune(utf16Hex(string(p[3])))
			if len(base) == 0 || hi-lo > 0xffff {
				continue
			}
			for c := lo; c <= hi; c++ {
				r := append([]rune{}, base...)
				r[len(r)-1] += rune(c - lo)
				uni[int(c)] = string(r)
			}
		}
	}
}

// utf16Hex decodes a hex string of UTF-16BE (with or without its byte-order mark).
func utf16Hex(h string) string {
	b, err := hex.DecodeString(h)
	if err != nil || len(b)%2 != 0 {
		return ""
	}
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	if len(u) > 0 && u[0] == 0xFEFF {
		u = u[1:]
	}
	return string(utf16.Decode(u))
}
