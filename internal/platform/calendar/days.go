package calendar

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/errs"
)

//go:embed data/holiday-cn/*.json
var holidayFS embed.FS

// Day is what the calendar knows about one date.
type Day struct {
	Date string `json:"date" doc:"YYYY-MM-DD"`
	// Weekday is 1 (Monday) … 7 (Sunday), the Chinese convention.
	Weekday int  `json:"weekday" doc:"1 = 星期一 … 7 = 星期日"`
	Workday bool `json:"workday" doc:"是否工作日"`
	// Name is the holiday the State Council notice lists this day under ("" for ordinary days).
	Name string `json:"name" doc:"节假日名称（普通日为空）"`
	// Holiday marks a statutory day off (listed with isOffDay:true).
	Holiday bool `json:"holiday" doc:"法定节假日放假"`
	// Adjusted marks a weekend day that is a working day by the arrangement (调休上班).
	Adjusted bool `json:"adjusted" doc:"调休上班（周末上班）"`
	// Official is false when the year has no published arrangement and plain Monday–Friday was assumed.
	Official bool `json:"official" doc:"该年度是否有国务院公布的放假安排；false 表示按周一至周五推算"`
}

type listed struct {
	name string
	off  bool
}

// Days is the official holiday table: the State Council arrangements of the embedded holiday-cn files. Its
// methods are pure functions of the date; every date argument is read as a calendar day in Asia/Shanghai (an
// instant is first converted, so both now and a midnight-UTC date work), and every date returned is midnight in
// clock.Shanghai. Years without an official arrangement fall back to plain Monday–Friday (Official reports them).
type Days struct {
	listed map[int]listed // yyyymmdd → listing
	years  map[int]bool   // years with a published arrangement
	papers map[int][]string
	first  int
	last   int
}

var embedded = sync.OnceValues(func() (*Days, error) {
	sub, err := fs.Sub(holidayFS, "data/holiday-cn")
	if err != nil {
		return nil, err
	}
	return Parse(sub)
})

// Embedded returns the holiday table shipped in the binary (parsed once; the value is immutable). Modules use it in
// pure rules and tests that need no database.
func Embedded() (*Days, error) { return embedded() }

// MustEmbedded is Embedded for tests and package initialisation; it panics when the embedded data is broken.
func MustEmbedded() *Days {
	d, err := embedded()
	if err != nil {
		panic(err)
	}
	return d
}

type holidayFile struct {
	Year   int      `json:"year"`
	Papers []string `json:"papers"`
	Days   []struct {
		Name     string `json:"name"`
		Date     string `json:"date"`
		IsOffDay *bool  `json:"isOffDay"`
	} `json:"days"`
}

// Parse reads every YYYY.json file at the root of fsys in the holiday-cn format (other files are ignored). A year
// counts as official when its file lists at least one day. The same date listed twice with different meanings is
// an error.
func Parse(fsys fs.FS) (*Days, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	d := &Days{listed: map[int]listed{}, years: map[int]bool{}, papers: map[int][]string{}}
	for _, e := range entries {
		name := e.Name()
		base := strings.TrimSuffix(name, ".json")
		y, err := strconv.Atoi(base)
		if e.IsDir() || path.Ext(name) != ".json" || err != nil || len(base) != 4 {
			continue
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var f holidayFile
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("holiday-cn %s: %w", name, err)
		}
		if f.Year != y {
			return nil, fmt.Errorf("holiday-cn %s: year %d does not match the file name", name, f.Year)
		}
		for _, day := range f.Days {
			t, err := time.ParseInLocation(time.DateOnly, day.Date, clock.Shanghai)
			if err != nil {
				return nil, fmt.Errorf("holiday-cn %s: date %q: %w", name, day.Date, err)
			}
			if day.IsOffDay == nil || strings.TrimSpace(day.Name) == "" {
				return nil, fmt.Errorf("holiday-cn %s: %s lacks name or isOffDay", name, day.Date)
			}
			k := key(t)
			l := listed{name: day.Name, off: *day.IsOffDay}
			if prev, ok := d.listed[k]; ok && prev != l {
				return nil, fmt.Errorf("holiday-cn %s: %s listed twice with different meanings", name, day.Date)
			}
			d.listed[k] = l
		}
		if len(f.Days) > 0 {
			d.years[y] = true
			d.papers[y] = append([]string(nil), f.Papers...)
			if d.first == 0 || y < d.first {
				d.first = y
			}
			if y > d.last {
				d.last = y
			}
		}
	}
	if len(d.years) == 0 {
		return nil, fmt.Errorf("holiday-cn: no year with data")
	}
	return d, nil
}

func key(t time.Time) int {
	y, m, dd := t.In(clock.Shanghai).Date()
	return y*10000 + int(m)*100 + dd
}

// Date returns midnight of a calendar day in Asia/Shanghai.
func Date(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, clock.Shanghai)
}

// Midnight returns the start of t's calendar day in Asia/Shanghai.
func Midnight(t time.Time) time.Time {
	y, m, d := t.In(clock.Shanghai).Date()
	return Date(y, m, d)
}

// ParseDate reads a YYYY-MM-DD business date; a malformed one is a 422 naming field.
func ParseDate(field, s string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), clock.Shanghai)
	if err != nil {
		return time.Time{}, errs.Invalid(field, "日期格式应为 YYYY-MM-DD")
	}
	return t, nil
}

// Official reports whether year has a published State Council arrangement in the data. For other years the
// calendar assumes plain Monday–Friday working weeks and says so.
func (d *Days) Official(year int) bool { return d.years[year] }

// Years returns the first and last years that have official data.
func (d *Days) Years() (first, last int) { return d.first, d.last }

// Papers lists the State Council notices a year's arrangement was taken from.
func (d *Days) Papers(year int) []string { return append([]string(nil), d.papers[year]...) }

// IsWorkday reports whether date is a working day: Monday–Friday unless listed as a day off, or any day listed as
// an adjusted working day.
func (d *Days) IsWorkday(date time.Time) bool {
	if l, ok := d.listed[key(date)]; ok {
		return !l.off
	}
	wd := date.In(clock.Shanghai).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// DayInfo describes date: working day or not, the holiday it belongs to, whether it is an adjusted working day,
// and whether its year has official data.
func (d *Days) DayInfo(date time.Time) Day {
	t := Midnight(date)
	wd := int(t.Weekday())
	if wd == 0 {
		wd = 7
	}
	out := Day{Date: t.Format(time.DateOnly), Weekday: wd, Official: d.years[t.Year()]}
	l, ok := d.listed[key(t)]
	switch {
	case ok && l.off:
		out.Name, out.Holiday = l.name, true
	case ok:
		out.Name, out.Workday, out.Adjusted = l.name, true, wd >= 6
	default:
		out.Workday = wd <= 5
	}
	return out
}

// Range describes every day from one date to another, both inclusive (empty when to is before from).
func (d *Days) Range(from, to time.Time) []Day {
	var out []Day
	for t, end := Midnight(from), Midnight(to); !t.After(end); t = t.AddDate(0, 0, 1) {
		out = append(out, d.DayInfo(t))
	}
	return out
}

// NextWorkday returns the first working day strictly after date.
func (d *Days) NextWorkday(date time.Time) time.Time {
	t := Midnight(date).AddDate(0, 0, 1)
	for !d.IsWorkday(t) {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// PrevWorkday returns the last working day strictly before date.
func (d *Days) PrevWorkday(date time.Time) time.Time {
	t := Midnight(date).AddDate(0, 0, -1)
	for !d.IsWorkday(t) {
		t = t.AddDate(0, 0, -1)
	}
	return t
}

// AddWorkdays moves n working days from date: n > 0 gives the n-th working day after date (Friday + 1 = Monday,
// Saturday + 1 = Monday), n < 0 the n-th working day before it, and n = 0 the date itself. It is the deadline rule
// "within n working days": the count starts the day after date.
func (d *Days) AddWorkdays(date time.Time, n int) time.Time {
	t := Midnight(date)
	for ; n > 0; n-- {
		t = d.NextWorkday(t)
	}
	for ; n < 0; n++ {
		t = d.PrevWorkday(t)
	}
	return t
}

// WorkdaysBetween counts the working days from a to b, both inclusive; 0 when b is before a. For any date a and
// n ≥ 0, WorkdaysBetween(a+1 day, AddWorkdays(a, n)) == n.
func (d *Days) WorkdaysBetween(a, b time.Time) int {
	n := 0
	for t, end := Midnight(a), Midnight(b); !t.After(end); t = t.AddDate(0, 0, 1) {
		if d.IsWorkday(t) {
			n++
		}
	}
	return n
}

// Holiday is one named holiday of a year's arrangement: its days off and its adjusted working days.
type Holiday struct {
	Name     string   `json:"name"`
	Off      []string `json:"off"`
	Adjusted []string `json:"adjusted"`
}

// Holidays lists the listed days that fall in year, grouped by holiday name in date order of first appearance
// (the notice's own order). A late-December day of next year's 元旦 arrangement appears under that name too.
func (d *Days) Holidays(year int) []Holiday {
	var keys []int
	for k := range d.listed {
		if k/10000 == year {
			keys = append(keys, k)
		}
	}
	sort.Ints(keys)
	var out []Holiday
	idx := map[string]int{}
	for _, k := range keys {
		l := d.listed[k]
		i, ok := idx[l.name]
		if !ok {
			i = len(out)
			idx[l.name] = i
			out = append(out, Holiday{Name: l.name})
		}
		date := fmt.Sprintf("%04d-%02d-%02d", k/10000, k/100%100, k%100)
		if l.off {
			out[i].Off = append(out[i].Off, date)
		} else {
			out[i].Adjusted = append(out[i].Adjusted, date)
		}
	}
	return out
}
