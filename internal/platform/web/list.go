package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/errs"
)

// MaxPageSize bounds page_size on every list (docs/api.md §Lists and paging).
const MaxPageSize = 500

// List holds the common parameters of every list: page, page_size, q, sort.
type List struct {
	Page     int
	PageSize int
	Q        string
	Sort     string // column key, validated by the store against its own allow-list
	Desc     bool
	URL      *url.URL // the request URL, to build links that keep the other parameters
}

// Offset is the row offset of the page.
func (l List) Offset() int { return (l.Page - 1) * l.PageSize }

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
	list                  List
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

// URL returns the current list URL with key set to value (page reset unless key is page).
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
	qv.Set("format", "xlsx")
	return p.list.URL.Path + "?" + qv.Encode()
}

// Window returns page numbers to show around the current page (0 = ellipsis).
func (p Pager) Window() []int {
	var out []int
	last := 0
	for n := 1; n <= p.Pages; n++ {
		if n == 1 || n == p.Pages || (n >= p.Page-2 && n <= p.Page+2) {
			if last != 0 && n-last > 1 {
				out = append(out, 0)
			}
			out = append(out, n)
			last = n
		}
	}
	return out
}

// Q is the current search text.
func (p Pager) Q() string { return p.list.Q }

// Items is a JSON list answer: {"items":[…],"total":N}.
type Items[T any] struct {
	Items []T   `json:"items"`
	Total int64 `json:"total"`
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
