package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/govops/govops/internal/platform/clock"
)

// TestPrintLayout prints, as a browser would (print media emulated, then a PDF), a ledger (房间台账 of a unit) and
// the 基层表 of a unit and year: the printed page carries its title, the unit and the time printed, and none of the
// screen's chrome; the ledger has its 合计 row; the PDF is made and every page of it is numbered "第 i 页，共 n 页"
// (docs/printing.md).
func TestPrintLayout(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	b := s.NewTab(t, "print-edu")
	b.SignIn("edu", DemoPassword)

	// The rooms of edu's unit, whole, as the list's 打印 opens them (without print=1, which would open the dialog).
	b.Open("/space/rooms")
	link := Eval[string](b, `(document.querySelector('a[data-print]') || {}).getAttribute ? document.querySelector('a[data-print]').getAttribute('href') : ""`)
	if !strings.Contains(link, "page_size=500") || !strings.Contains(link, "print=1") {
		t.Fatalf("the room list's 打印 links to %q", link)
	}
	b.Open(strings.Replace(link, "print=1", "print=0", 1))
	b.printMedia(true)
	want := map[string]string{"main .print-head .print-title": "房间台账", "main .print-head .print-meta": "松岭县教育局"}
	for sel, text := range want {
		if got := b.Text(sel); !strings.Contains(got, text) {
			t.Errorf("printed room list: %s shows %q, want %q", sel, got, text)
		}
	}
	if got := b.Text("main .print-head .print-meta"); !strings.Contains(got, "打印时间："+s.Now.In(clock.Shanghai).Format("2006-01-02")) {
		t.Errorf("printed room list: the heading %q lacks the date printed", got)
	}
	b.expectPrintedChrome()
	if got := b.Text("main table tfoot tr.print-total"); !strings.HasPrefix(got, "合计") {
		t.Errorf("printed room list: no 合计 row (%q)", got)
	}
	b.pdf("rooms")
	b.printMedia(false)

	// edu's 基层表 of last year (the demo's reports are last year's).
	y := s.Year() - 1
	b.Open("/energy/reports")
	form := ""
	for _, l := range b.Links("main a[href^='/energy/reports/']") {
		if strings.HasSuffix(l, fmt.Sprintf("/%d", y)) {
			form = l
			break
		}
	}
	if form == "" {
		t.Fatalf("edu's report list links no %d form", y)
	}
	b.Open(form)
	b.ClickAndWait(fmt.Sprintf("a[href='%s/print']", form))
	b.printMedia(true)
	if got := b.Text("main article.doc"); !strings.Contains(got, "填报单位：松岭县教育局") || !strings.Contains(got, fmt.Sprintf("统计年度：%d", y)) ||
		!strings.Contains(got, "能源资源消费状况") || !strings.Contains(got, "GovOps 版式") || !strings.Contains(got, "打印时间") {
		t.Errorf("printed 基层表 lacks its unit, year, table or layout note: %q", short(got))
	}
	b.expectPrintedChrome()
	if n := b.pdf("basic-form"); n < 2 {
		t.Errorf("the printed 基层表 has %d pages: its page count is not checked beyond one", n)
	}
	b.printMedia(false)
}

// printMedia switches the tab's CSS media to print (or back to screen).
func (b *Tab) printMedia(on bool) {
	b.t.Helper()
	media := ""
	if on {
		media = "print"
	}
	if _, err := run(b, chromedp.Action[cdp.Empty](func(ctx context.Context, t *chromedp.Target) (cdp.Empty, error) {
		return cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
	})); err != nil {
		b.t.Fatalf("%s: emulate %q media: %v", b.Location(), media, err)
	}
}

// expectPrintedChrome checks that the printed page hides the menu, the top bar, the breadcrumb and the buttons.
func (b *Tab) expectPrintedChrome() {
	b.t.Helper()
	shown := Eval[[]string](b, `[".topbar", ".sidebar", ".crumbs", "main button", "main .btn"].filter(sel =>
		[...document.querySelectorAll(sel)].some(e => getComputedStyle(e).display !== "none" && e.getClientRects().length > 0))`)
	if len(shown) > 0 {
		b.t.Errorf("%s printed shows %v", b.Path(), shown)
	}
}

var pageNoRe = regexp.MustCompile(`第(\d+)页，共(\d+)页`)

// pdf prints the page to PDF as Chromium does (the page's own CSS @page size and margins, no header or footer of the
// browser's) and checks a document came out whose every page carries its number, "第 i 页，共 n 页", from
// print.css's @page margin box; it returns the number of pages.
func (b *Tab) pdf(name string) int {
	b.t.Helper()
	data, err := run(b, chromedp.Action[[]byte](func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		css := true
		r, err := cdp.Call(ctx, t, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &css})
		return r.Data, err
	}))
	if err != nil {
		b.t.Fatalf("%s: print to PDF: %v", b.Location(), err)
	}
	if len(data) < 1000 || !bytes.HasPrefix(data, []byte("%PDF-")) || !bytes.Contains(data, []byte("/Type /Page")) {
		b.t.Errorf("%s: the PDF of %s is %d bytes and no document", b.Location(), name, len(data))
		return 0
	}
	pages, err := pdfPageTexts(data)
	if err != nil {
		b.t.Errorf("%s: reading the PDF of %s: %v", b.Location(), name, err)
		return 0
	}
	for i, text := range pages {
		m := pageNoRe.FindStringSubmatch(strings.Join(strings.Fields(text), ""))
		if m == nil || m[1] != strconv.Itoa(i+1) || m[2] != strconv.Itoa(len(pages)) {
			b.t.Errorf("%s: page %d of %d of the printed %s does not say 第 %d 页，共 %d 页 (found %v): %q", b.Location(), i+1, len(pages), name, i+1, len(pages), m, short(text))
		}
	}
	b.t.Logf("%s printed to a PDF of %d bytes, %d pages", name, len(data), len(pages))
	return len(pages)
}
