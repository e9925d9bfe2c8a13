package web

import (
	"net/http"
	"strconv"

	"github.com/govops/govops/internal/platform/clock"
)

// The print layout (docs/printing.md): every page prints with its title, the unit it concerns and the time it was
// printed (Globals.PrintUnit, Globals.Printed, the "print-head" partial of templates/_print.html), page numbers
// (static/print.css), list totals and signature lines. A list's 打印 opens the list whole and prints it.

// PrintPageSize is how many rows a list's 打印 asks for: the most one page may hold (MaxPageSize).
const PrintPageSize = MaxPageSize

// PrintURL is the current list with all its rows (up to PrintPageSize) on one page, printing as it opens.
func (p Pager) PrintURL() string {
	if p.list.URL == nil {
		return "?page_size=" + strconv.Itoa(PrintPageSize) + "&print=1"
	}
	u := *p.list.URL
	q := u.Query()
	q.Del("page")
	q.Del("after")
	q.Set("page_size", strconv.Itoa(PrintPageSize))
	q.Set("print", "1")
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// printed is the time a page is printed, from the injected clock (u.Now; nothing without one).
func (u *UI) printed() string {
	if u.Now == nil {
		return ""
	}
	return u.Now().In(clock.Shanghai).Format("2006-01-02 15:04")
}

// fillPrint sets the print heading's fields of a page's globals: the time, and the unit — the one the page
// concerns when the handler set it, else the unit switcher's current unit (filled by Decorate), else what the
// wiring's PrintUnit says (the user's own unit).
func (u *UI) fillPrint(r *http.Request, g *Globals) {
	g.Printed = u.printed()
	if g.PrintUnit != "" || g.User == nil {
		return
	}
	if g.Focus != nil && g.Focus.CurrentID != 0 {
		for _, o := range g.Focus.Options {
			if o.ID == g.Focus.CurrentID {
				g.PrintUnit = o.Label
				return
			}
		}
	}
	if u.PrintUnit != nil {
		g.PrintUnit = u.PrintUnit(r)
	}
}

// ExportUnit names the unit an export concerns, for the 单位 row above an exported table (xlsx.Layout.Unit): the
// unit the list is filtered on (orgID, or else the request's org_id, the lists' filter) when the caller may see it,
// else the unit of the print heading (the caller's current unit, else its own; the wiring's PrintUnit), else
// nothing.
func (u *UI) ExportUnit(r *http.Request, orgID int64) string {
	if orgID == 0 {
		orgID, _ = strconv.ParseInt(r.URL.Query().Get("org_id"), 10, 64)
	}
	if orgID != 0 && u.Units != nil {
		if c, err := u.Units(r.Context(), "", orgID, 1); err == nil && c.Selected != nil {
			return c.Selected.Label
		}
	}
	if u.PrintUnit != nil {
		return u.PrintUnit(r)
	}
	return ""
}
