package calendar

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

// Bounds of the API's date ranges: the day list is for screens (a few years at most); the count may span a
// working life.
const (
	maxRangeDays = 1100
	maxCountDays = 36600
)

// monthKeys are the month names of the calendar page ("key|中文").
var monthKeys = [12]string{"calendar.m1|一月", "calendar.m2|二月", "calendar.m3|三月", "calendar.m4|四月", "calendar.m5|五月",
	"calendar.m6|六月", "calendar.m7|七月", "calendar.m8|八月", "calendar.m9|九月", "calendar.m10|十月", "calendar.m11|十一月",
	"calendar.m12|十二月"}

type cell struct {
	Day
	N     int // day of month; 0 = padding before the 1st or after the last
	Today bool
}

type monthGrid struct {
	Month int
	Label string // "key|中文"
	Weeks [][]cell
}

type holidayRow struct {
	Name     string
	Off      []string // runs of consecutive days off, "MM-DD" or "MM-DD–MM-DD"
	OffDays  int
	Adjusted []string // "MM-DD"
}

type calendarPage struct {
	web.Globals
	Year, Month int // Month 0 = the whole year
	Prev, Next  int
	Official    bool
	Papers      []string
	Months      []monthGrid
	Holidays    []holidayRow
	Workdays    int
	OffDays     int
	HolidayDays int
	Adjusted    int
	MonthKeys   [12]string
	Years       []int // choices of the year selector
}

type hoursPage struct {
	web.Globals
	Hours    Hours
	Form     Hours
	Seasonal bool
	Rows     []Period // form rows of the normal timetable (with blanks to add)
	SRows    []Period // form rows of the seasonal timetable
	Errors   map[string]string
}

// DaysResponse is the answer of GET /api/v1/calendar/days.
type DaysResponse struct {
	Items []Day `json:"items"`
	Total int   `json:"total"`
	// Official is false when any day of the range lies in a year without a published arrangement.
	Official bool `json:"official" doc:"范围内各年度是否均有国务院公布的放假安排"`
}

// WorkdaysResponse is the answer of GET /api/v1/calendar/workdays.
type WorkdaysResponse struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Count    int    `json:"count" doc:"工作日天数（含首尾）"`
	Days     int    `json:"days" doc:"日历天数（含首尾）"`
	Official bool   `json:"official" doc:"范围内各年度是否均有国务院公布的放假安排"`
}

// DurationResponse is the answer of GET /api/v1/calendar/working-duration.
type DurationResponse struct {
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Minutes float64   `json:"minutes" doc:"工作时间（分钟）"`
	Seconds int64     `json:"seconds"`
}

// Routes registers the calendar page, the working-hours page and the API.
func (c *Calendar) Routes() {
	u := c.UI
	u.AddTemplates("calendar", web.Sub(templatesFS, "templates"))
	if err := u.Catalog.Add(web.LangEN, catalogEN); err != nil {
		panic(err)
	}
	u.AddMenu(web.MenuItem{Group: "menu.work|工作台", Label: "calendar.title|工作日历", Path: "/calendar", Perm: web.SignedIn, Order: 60})

	u.Page("GET /calendar", web.SignedIn, c.page)
	u.Page("GET /calendar/hours", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		h, err := c.Hours(r.Context(), c.DB)
		if err != nil {
			return err
		}
		return c.renderHours(w, r, http.StatusOK, h, h, nil)
	})
	u.Page("POST /calendar/hours", "settings:write", func(w http.ResponseWriter, r *http.Request) error {
		form := hoursFromForm(r)
		if _, err := c.SaveHours(r.Context(), form); err != nil {
			e := errs.As(err)
			if e == nil || e.Fields == nil {
				return err
			}
			cur, herr := c.Hours(r.Context(), c.DB)
			if herr != nil {
				return herr
			}
			return c.renderHours(w, r, http.StatusUnprocessableEntity, cur, form, e.Fields)
		}
		return u.Redirect(w, r, "/calendar/hours", "作息时间已保存")
	})
	c.api()
}

func (c *Calendar) api() {
	u := c.UI
	rangeQuery := []web.Param{{Name: "from", Help: "起始日期 YYYY-MM-DD（含）", Required: true}, {Name: "to", Help: "截止日期 YYYY-MM-DD（含）", Required: true}}
	u.API("GET /api/v1/calendar/days", web.SignedIn, web.Doc{Summary: "逐日工作日历（工作日、节假日、调休上班）", Response: DaysResponse{}, Query: rangeQuery},
		func(w http.ResponseWriter, r *http.Request) error {
			from, to, err := parseRange(r, maxRangeDays)
			if err != nil {
				return err
			}
			days := c.Range(from, to)
			return web.JSON(w, http.StatusOK, DaysResponse{Items: days, Total: len(days), Official: c.allOfficial(from, to)})
		})
	u.API("GET /api/v1/calendar/workdays", web.SignedIn, web.Doc{Summary: "统计区间内工作日天数", Response: WorkdaysResponse{}, Query: rangeQuery},
		func(w http.ResponseWriter, r *http.Request) error {
			from, to, err := parseRange(r, maxCountDays)
			if err != nil {
				return err
			}
			days := int(to.Sub(from).Hours()/24) + 1
			return web.JSON(w, http.StatusOK, WorkdaysResponse{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly),
				Count: c.WorkdaysBetween(from, to), Days: days, Official: c.allOfficial(from, to)})
		})
	u.API("GET /api/v1/calendar/working-duration", web.SignedIn, web.Doc{Summary: "两个时刻之间的工作时间（按工作日与作息时间）", Response: DurationResponse{},
		Query: []web.Param{{Name: "from", Help: "起始时刻（RFC 3339）", Required: true}, {Name: "to", Help: "截止时刻（RFC 3339）", Required: true}}},
		func(w http.ResponseWriter, r *http.Request) error {
			f := errs.Fields{}
			from := parseInstant(r.URL.Query().Get("from"), "from", f)
			to := parseInstant(r.URL.Query().Get("to"), "to", f)
			if err := f.Err(); err != nil {
				return err
			}
			if to.Before(from) {
				return errs.Invalid("to", "截止时刻不能早于起始时刻")
			}
			if to.Sub(from) > maxCountDays*24*time.Hour {
				return errs.Invalid("to", "时间范围过长")
			}
			sch, err := c.Schedule(r.Context(), c.DB)
			if err != nil {
				return err
			}
			d := sch.WorkingDuration(from, to)
			return web.JSON(w, http.StatusOK, DurationResponse{From: from, To: to, Minutes: d.Minutes(), Seconds: int64(d / time.Second)})
		})
	u.API("GET /api/v1/calendar/hours", web.SignedIn, web.Doc{Summary: "作息时间（工作时段）", Response: Hours{}},
		func(w http.ResponseWriter, r *http.Request) error {
			h, err := c.Hours(r.Context(), c.DB)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, h)
		})
	u.API("PUT /api/v1/calendar/hours", "settings:write", web.Doc{Summary: "修改作息时间", Body: Hours{}, Response: Hours{}},
		func(w http.ResponseWriter, r *http.Request) error {
			var h Hours
			if err := web.DecodeJSON(r, &h); err != nil {
				return err
			}
			h, err := c.SaveHours(r.Context(), h)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, h)
		})
}

func parseInstant(s, field string, f errs.Fields) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		f.Add(field, "必填")
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		f.Add(field, "时刻格式应为 RFC 3339，如 2026-01-05T09:00:00+08:00")
	}
	return t
}

func parseRange(r *http.Request, maxDays int) (from, to time.Time, err error) {
	f := errs.Fields{}
	get := func(name string) time.Time {
		s := strings.TrimSpace(r.URL.Query().Get(name))
		if s == "" {
			f.Add(name, "必填，格式 YYYY-MM-DD")
			return time.Time{}
		}
		t, err := ParseDate(name, s)
		if err != nil {
			f.Add(name, "日期格式应为 YYYY-MM-DD")
		}
		return t
	}
	from, to = get("from"), get("to")
	if err := f.Err(); err != nil {
		return from, to, err
	}
	if to.Before(from) {
		return from, to, errs.Invalid("to", "截止日期不能早于起始日期")
	}
	if int(to.Sub(from).Hours()/24)+1 > maxDays {
		return from, to, errs.Invalid("to", fmt.Sprintf("查询范围不能超过 %d 天", maxDays))
	}
	return from, to, nil
}

func (c *Calendar) allOfficial(from, to time.Time) bool {
	for y := from.Year(); y <= to.Year(); y++ {
		if !c.Official(y) {
			return false
		}
	}
	return true
}

func (c *Calendar) page(w http.ResponseWriter, r *http.Request) error {
	today := Midnight(c.Clock.Now())
	year, month := today.Year(), 0
	qv := r.URL.Query()
	f := errs.Fields{}
	if s := strings.TrimSpace(qv.Get("year")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1950 || n > 2100 {
			f.Add("year", "年份应为 1950–2100 的整数")
		}
		year = n
	}
	if s := strings.TrimSpace(qv.Get("month")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 12 {
			f.Add("month", "月份应为 1–12")
		}
		month = n
	}
	if err := f.Err(); err != nil {
		return err
	}
	p := &calendarPage{Globals: c.UI.G(r, "calendar.title|工作日历", web.Crumb{Label: "menu.work|工作台"}, web.Crumb{Label: "calendar.title|工作日历"}),
		Year: year, Month: month, Prev: year - 1, Next: year + 1, Official: c.Official(year), Papers: c.Papers(year), MonthKeys: monthKeys}
	lo, hi := c.Years()
	for y := min(lo, year); y <= max(hi+2, year); y++ {
		p.Years = append(p.Years, y)
	}
	first, last := 1, 12
	if month > 0 {
		first, last = month, month
	}
	for m := first; m <= last; m++ {
		g := monthGrid{Month: m, Label: monthKeys[m-1]}
		start := Date(year, time.Month(m), 1)
		var week []cell
		for i := 1; i < c.DayInfo(start).Weekday; i++ {
			week = append(week, cell{})
		}
		for t := start; t.Month() == time.Month(m); t = t.AddDate(0, 0, 1) {
			d := c.DayInfo(t)
			week = append(week, cell{Day: d, N: t.Day(), Today: t.Equal(today)})
			switch {
			case d.Workday:
				p.Workdays++
			default:
				p.OffDays++
			}
			if d.Holiday {
				p.HolidayDays++
			}
			if d.Adjusted {
				p.Adjusted++
			}
			if len(week) == 7 {
				g.Weeks = append(g.Weeks, week)
				week = nil
			}
		}
		if len(week) > 0 {
			for len(week) < 7 {
				week = append(week, cell{})
			}
			g.Weeks = append(g.Weeks, week)
		}
		p.Months = append(p.Months, g)
	}
	for _, h := range c.Holidays(year) {
		row := holidayRow{Name: h.Name, OffDays: len(h.Off)}
		row.Off = runs(h.Off)
		for _, a := range h.Adjusted {
			row.Adjusted = append(row.Adjusted, shortDate(a, year))
		}
		if month > 0 && !touchesMonth(h, year, month) {
			continue
		}
		p.Holidays = append(p.Holidays, row)
	}
	return c.UI.Render(w, r, http.StatusOK, "calendar/calendar.html", p)
}

func touchesMonth(h Holiday, year, month int) bool {
	prefix := fmt.Sprintf("%04d-%02d-", year, month)
	for _, d := range append(append([]string(nil), h.Off...), h.Adjusted...) {
		if strings.HasPrefix(d, prefix) {
			return true
		}
	}
	return false
}

// shortDate drops the year of a date in year ("2026-10-01" → "10-01").
func shortDate(d string, year int) string {
	if strings.HasPrefix(d, strconv.Itoa(year)+"-") {
		return d[5:]
	}
	return d
}

// runs compresses sorted dates into runs of consecutive days ("10-01–10-08").
func runs(dates []string) []string {
	var out []string
	for i := 0; i < len(dates); {
		j := i
		for j+1 < len(dates) {
			a, _ := time.Parse(time.DateOnly, dates[j])
			b, _ := time.Parse(time.DateOnly, dates[j+1])
			if b.Sub(a) != 24*time.Hour {
				break
			}
			j++
		}
		y, _ := strconv.Atoi(dates[i][:4])
		if i == j {
			out = append(out, shortDate(dates[i], y))
		} else {
			out = append(out, shortDate(dates[i], y)+"–"+shortDate(dates[j], y))
		}
		i = j + 1
	}
	return out
}

func hoursFromForm(r *http.Request) Hours {
	_ = r.ParseForm()
	pairs := func(a, b string) []Period {
		starts, ends := r.PostForm[a], r.PostForm[b]
		var out []Period
		for i := 0; i < len(starts) || i < len(ends); i++ {
			var p Period
			if i < len(starts) {
				p.Start = starts[i]
			}
			if i < len(ends) {
				p.End = ends[i]
			}
			out = append(out, p)
		}
		return out
	}
	h := Hours{Periods: pairs("start", "end")}
	if r.PostForm.Get("seasonal") == "on" {
		h.Seasonal = &Seasonal{From: r.PostForm.Get("seasonal_from"), To: r.PostForm.Get("seasonal_to"), Periods: pairs("s_start", "s_end")}
	}
	return h.Normalize()
}

func formRows(ps []Period) []Period {
	out := append([]Period(nil), ps...)
	for len(out) < MaxPeriods && len(out) < len(ps)+2 {
		out = append(out, Period{})
	}
	return out
}

func (c *Calendar) renderHours(w http.ResponseWriter, r *http.Request, status int, cur, form Hours, fields map[string]string) error {
	p := &hoursPage{Globals: c.UI.G(r, "calendar.hours.title|作息时间", web.Crumb{Label: "menu.system|系统管理"},
		web.Crumb{Label: "calendar.title|工作日历", Path: "/calendar"}, web.Crumb{Label: "calendar.hours.title|作息时间"}),
		Hours: cur, Form: form, Seasonal: form.Seasonal != nil, Rows: formRows(form.Periods), Errors: fields}
	var sp []Period
	if form.Seasonal != nil {
		sp = form.Seasonal.Periods
	} else {
		p.Form.Seasonal = &Seasonal{From: "05-01", To: "09-30"}
	}
	p.SRows = formRows(sp)
	return c.UI.Render(w, r, status, "calendar/hours.html", p)
}

// Today returns the current business date in Asia/Shanghai by the calendar's clock.
func (c *Calendar) Today() time.Time { return Midnight(c.Clock.Now().In(clock.Shanghai)) }
