package web

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/errs"
)

// MaxPageSize bounds page_size on every list (docs/api.md §Lists and paging).
const MaxPageSize = 500

// CountCap is the most rows a long list counts (docs/api.md §Lists and paging). A list longer than that answers
// total = CountCap with total_capped, and its pages further on are reached with the after= cursor of the previous
// answer (next), so that neither the count nor the page costs more in a larger scope.
const CountCap = 10000

// List holds the common parameters of every list: page, page_size, q, sort.
type List struct {
	Page     int
	PageSize int
	Q        string
	Sort     string // column key, validated by the store against its own allow-list
	Desc     bool
	URL      *url.URL // the request URL, to build links that keep the other parameters
	// After is the cursor of after= (nil without one): the page starts after that row. Page is then the page that
	// row number falls on, for the pager.
	After *Cursor
}

// Offset is the row offset of the page (with a cursor: the rows before it, for row numbers; a list that cannot
// seek to the cursor pages by this offset instead).
func (l List) Offset() int {
	if l.After != nil {
		return int(min(l.After.Rows, 1<<31-1))
	}
	return (l.Page - 1) * l.PageSize
}

// Cursor is a position in a list in keyset order: the sort key and id of the last row of the previous page, and
// the number of rows up to it (for row numbers only: rows added meanwhile make it approximate).
type Cursor struct {
	Key  string
	ID   int64
	Rows int64
}

// String is the cursor as the opaque after= value.
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.Rows, 10) + "." + strconv.FormatInt(c.ID, 10) + "." + c.Key))
}

// ParseCursor reads an after= value made by Cursor.String.
func ParseCursor(s string) (Cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, false
	}
	parts := strings.SplitN(string(b), ".", 3)
	if len(parts) != 3 {
		return Cursor{}, false
	}
	rows, err1 := strconv.ParseInt(parts[0], 10, 64)
	id, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || rows < 0 || id < 0 || textProblem(parts[2], true) != "" {
		return Cursor{}, false
	}
	return Cursor{Key: parts[2], ID: id, Rows: rows}, true
}

// Page is one page of a list that counts up to CountCap and pages by cursor: its rows, the total (CountCap when
// Capped: the list is longer), and the cursor of the next page (nil on the last one).
type Page[T any] struct {
	Items  []T
	Total  int64
	Capped bool
	Next   *Cursor
}

// ParseList reads page/page_size/q/sort from the query. Bad numbers → 422 naming the parameter.
func ParseList(r *http.Request) (List, error) {
	qv := r.URL.Query()
	l := List{Page: 1, PageSize: 20, Q: strings.TrimSpace(qv.Get("q")), URL: r.URL}
	f := errs.Fields{}
	if s := qv.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			f.Add("page", "页码应为正整数")
		} else {
			l.Page = n
		}
	}
	if s := qv.Get("page_size"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPageSize {
			f.Add("page_size", "每页条数应为 1–500 的整数")
		} else {
			l.PageSize = n
		}
	}
	if s := qv.Get("sort"); s != "" {
		l.Sort = strings.TrimPrefix(s, "-")
		l.Desc = strings.HasPrefix(s, "-")
		if len(l.Sort) > 40 {
			f.Add("sort", "排序字段无效")
		}
	}
	if len([]rune(l.Q)) > 100 {
		f.Add("q", "搜索词过长（不超过 100 字）")
	}
	if s := qv.Get("after"); s != "" {
		c, ok := ParseCursor(s)
		switch {
		case len(s) > 400 || !ok:
			f.Add("after", "after 无效，应为上一页答复中的 next")
		case qv.Get("page") != "":
			f.Add("after", "after 与 page 不能同时使用")
		default:
			l.After = &c
			l.Page = int(min(c.Rows/int64(l.PageSize), 1<<30)) + 1
		}
	}
	return l, f.Err()
}

// OrderBy returns the SQL ORDER BY expression for l.Sort from an allow-list (key → SQL expression), falling back
// to def. An unknown sort key is ignored rather than trusted.
func (l List) OrderBy(allowed map[string]string, def string) string {
	expr, ok := allowed[l.Sort]
	if !ok {
		return def
	}
	if l.Desc {
		return expr + " DESC"
	}
	return expr + " ASC"
}

// Pager is what the pagination partial draws.
type Pager struct {
	Page, PageSize, Pages int
	Total                 int64
	First, Last           int64 // 1-based row numbers shown
	// Capped: the list has more than Total (= CountCap) rows; Next is the cursor of the next page, if any.
	Capped bool
	Next   *Cursor
	list   List
}

// NewPager builds the pager for a list result.
func NewPager(l List, total int64) Pager {
	pages := int((total + int64(l.PageSize) - 1) / int64(l.PageSize))
	if pages < 1 {
		pages = 1
	}
	p := Pager{Page: l.Page, PageSize: l.PageSize, Pages: pages, Total: total, list: l}
	if total > 0 {
		p.First = int64(l.Offset()) + 1
		p.Last = min(int64(l.Offset()+l.PageSize), total)
	}
	return p
}

// NewPagerOf builds the pager of a page of a capped, cursor-paged list.
func NewPagerOf[T any](l List, pg Page[T]) Pager {
	p := NewPager(l, pg.Total)
	p.Capped, p.Next = pg.Capped, pg.Next
	if p.Capped && len(pg.Items) > 0 {
		p.First = int64(l.Offset()) + 1
		p.Last = int64(l.Offset() + len(pg.Items))
	}
	return p
}

// PrevURL links to the previous page ("" on the first, and beyond the counted pages of a capped list, where only
// the cursor leads on).
func (p Pager) PrevURL() string {
	if p.Page <= 1 || (p.Capped && p.Page-1 > p.Pages) {
		return ""
	}
	return p.PageURL(p.Page - 1)
}

// NextURL links to the next page ("" on the last): by cursor in a capped list, by page number otherwise.
func (p Pager) NextURL() string {
	switch {
	case p.Capped && p.Next != nil:
		return p.URL("after", p.Next.String())
	case p.Page < p.Pages:
		return p.PageURL(p.Page + 1)
	}
	return ""
}

// URL returns the current list URL with key set to value (page and cursor reset unless key is one of them).
func (p Pager) URL(key, value string) string {
	if p.list.URL == nil {
		return "?" + key + "=" + url.QueryEscape(value)
	}
	qv := p.list.URL.Query()
	if value == "" {
		qv.Del(key)
	} else {
		qv.Set(key, value)
	}
	if key != "page" {
		qv.Del("page")
	}
	if key != "after" {
		qv.Del("after")
	}
	qv.Del("format")
	return p.list.URL.Path + "?" + qv.Encode()
}

// PageURL links to page n.
func (p Pager) PageURL(n int) string { return p.URL("page", strconv.Itoa(n)) }

// SortURL links to the list sorted by col, toggling direction when it is already the sort column.
func (p Pager) SortURL(col string) string {
	if p.list.Sort == col && !p.list.Desc {
		return p.URL("sort", "-"+col)
	}
	return p.URL("sort", col)
}

// SortMark is "▲", "▼" or "" for a column header.
func (p Pager) SortMark(col string) string {
	if p.list.Sort != col {
		return ""
	}
	if p.list.Desc {
		return "▼"
	}
	return "▲"
}

// ExportURL links to the same list as an Excel file.
func (p Pager) ExportURL() string {
	if p.list.URL == nil {
		return "?format=xlsx"
	}
	qv := p.list.URL.Query()
	qv.Del("page")
	qv.Del("after")
	qv.Set("format", "xlsx")
	return p.list.URL.Path + "?" + qv.Encode()
}

// Window returns page numbers to show around the current page (0 = ellipsis).
func (p Pager) Window() []int {
	var out []int
	last := 0
	for n := 1; n <= p.Pages; n++ {
		if n == 1 || (n == p.Pages && !p.Capped) || (n >= p.Page-2 && n <= p.Page+2) {
			if last != 0 && n-last > 1 {
				out = append(out, 0)
			}
			out = append(out, n)
			last = n
		}
	}
	if p.Capped {
		// The counted pages are not all: a cursor page beyond them shows its number, and a gap says more follow.
		if p.Page > p.Pages {
			if p.Page-last > 1 {
				out = append(out, 0)
			}
			out = append(out, p.Page)
		}
		if p.Next != nil || p.Page < p.Pages {
			out = append(out, 0)
		}
	}
	return out
}

// Q is the current search text.
func (p Pager) Q() string { return p.list.Q }

// Items is a JSON list answer: {"items":[…],"total":N}; a capped, cursor-paged list adds "total_capped": true when
// it has more than total rows and "next", the after= cursor of the next page.
type Items[T any] struct {
	Items       []T    `json:"items"`
	Total       int64  `json:"total"`
	TotalCapped bool   `json:"total_capped,omitempty"`
	Next        string `json:"next,omitempty"`
}

// PageItems makes the JSON answer of a page of a capped, cursor-paged list.
func PageItems[T any](p Page[T]) Items[T] {
	out := NewItems(p.Items, p.Total)
	out.TotalCapped = p.Capped
	if p.Next != nil {
		out.Next = p.Next.String()
	}
	return out
}

// NewItems makes a JSON list answer, never with a null items array.
func NewItems[T any](items []T, total int64) Items[T] {
	if items == nil {
		items = []T{}
	}
	return Items[T]{Items: items, Total: total}
}

// WantsExport reports whether a list request asks for Excel.
func WantsExport(r *http.Request) bool { return r.URL.Query().Get("format") == "xlsx" }
