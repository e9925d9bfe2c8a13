package calendar

import (
	"fmt"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/errs"
)

// Period is one block of working time within a day, "HH:MM" to "HH:MM" in Asia/Shanghai (end exclusive).
type Period struct {
	Start string `json:"start" doc:"HH:MM"`
	End   string `json:"end" doc:"HH:MM，须晚于 start"`
}

// Seasonal is an alternative timetable for part of the year (e.g. 夏季作息时间 from 05-01 to 09-30). From and To are
// "MM-DD", both inclusive; From after To wraps over the new year (e.g. a winter timetable 10-01 to 04-30).
type Seasonal struct {
	From    string   `json:"from" doc:"MM-DD（含）"`
	To      string   `json:"to" doc:"MM-DD（含）"`
	Periods []Period `json:"periods"`
}

// Hours is the working-hours setting of the organisation: the daily periods of working time on working days, and
// optionally a seasonal timetable. It is stored under SettingsKey and edited by holders of settings:write.
type Hours struct {
	Periods  []Period  `json:"periods"`
	Seasonal *Seasonal `json:"seasonal,omitempty"`
}

// SettingsKey is the settings key the working hours are stored under.
const SettingsKey = "calendar.hours"

// MaxPeriods bounds the periods of one day.
const MaxPeriods = 6

// DefaultHours is the usual 机关 timetable: 08:30–12:00 and 14:00–17:30 Beijing time.
func DefaultHours() Hours {
	return Hours{Periods: []Period{{"08:30", "12:00"}, {"14:00", "17:30"}}}
}

type span struct{ from, to int } // seconds after midnight

func parseClock(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, m := 0, 0
	for _, c := range s[:2] {
		if c < '0' || c > '9' {
			return 0, false
		}
		h = h*10 + int(c-'0')
	}
	for _, c := range s[3:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		m = m*10 + int(c-'0')
	}
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return (h*60 + m) * 60, true
}

func parseMonthDay(s string) (int, bool) {
	t, err := time.Parse("01-02", strings.TrimSpace(s))
	if err != nil || len(strings.TrimSpace(s)) != 5 {
		return 0, false
	}
	return int(t.Month())*100 + t.Day(), true
}

func compile(ps []Period, field string, f errs.Fields) []span {
	if len(ps) == 0 {
		f.Add(field, "至少设置一个工作时段")
		return nil
	}
	if len(ps) > MaxPeriods {
		f.Add(field, fmt.Sprintf("工作时段不能超过 %d 个", MaxPeriods))
		return nil
	}
	out := make([]span, 0, len(ps))
	for i, p := range ps {
		a, ok1 := parseClock(p.Start)
		b, ok2 := parseClock(p.End)
		switch {
		case !ok1 || !ok2:
			f.Add(field, fmt.Sprintf("第 %d 个时段的时间格式应为 HH:MM（00:00–24:00）", i+1))
			return nil
		case b <= a:
			f.Add(field, fmt.Sprintf("第 %d 个时段的结束时间应晚于开始时间", i+1))
			return nil
		case i > 0 && a < out[i-1].to:
			f.Add(field, fmt.Sprintf("第 %d 个时段应在前一时段结束之后开始（按时间顺序且不重叠）", i+1))
			return nil
		}
		out = append(out, span{a, b})
	}
	return out
}

// Validate checks the setting: 1–6 ordered, non-overlapping periods of "HH:MM" each, and a well-formed seasonal
// timetable when one is set. Errors name the fields "periods", "seasonal.from", "seasonal.to", "seasonal.periods".
func (h Hours) Validate() error {
	_, err := h.schedule(nil)
	return err
}

// Normalize trims the values (a form may send spaces) and drops periods left entirely empty.
func (h Hours) Normalize() Hours {
	clean := func(ps []Period) []Period {
		var out []Period
		for _, p := range ps {
			p.Start, p.End = strings.TrimSpace(p.Start), strings.TrimSpace(p.End)
			if p.Start == "" && p.End == "" {
				continue
			}
			out = append(out, p)
		}
		return out
	}
	out := Hours{Periods: clean(h.Periods)}
	if h.Seasonal != nil {
		s := *h.Seasonal
		s.From, s.To, s.Periods = strings.TrimSpace(s.From), strings.TrimSpace(s.To), clean(s.Periods)
		out.Seasonal = &s
	}
	return out
}

// Schedule combines the holiday table with working hours; its methods answer working-time questions as pure
// functions of their instants. Build one with NewSchedule (or Calendar.Schedule, which reads the setting).
type Schedule struct {
	days     *Days
	hours    Hours
	normal   []span
	seasonal []span
	from, to int // MMDD of the seasonal timetable; 0 when none
}

// NewSchedule validates hours and combines them with days.
func NewSchedule(days *Days, h Hours) (*Schedule, error) { return h.schedule(days) }

func (h Hours) schedule(days *Days) (*Schedule, error) {
	f := errs.Fields{}
	s := &Schedule{days: days, hours: h}
	s.normal = compile(h.Periods, "periods", f)
	if h.Seasonal != nil {
		var ok bool
		if s.from, ok = parseMonthDay(h.Seasonal.From); !ok {
			f.Add("seasonal.from", "起始日期格式应为 MM-DD")
		}
		if s.to, ok = parseMonthDay(h.Seasonal.To); !ok {
			f.Add("seasonal.to", "截止日期格式应为 MM-DD")
		}
		s.seasonal = compile(h.Seasonal.Periods, "seasonal.periods", f)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// Days returns the holiday table of the schedule.
func (s *Schedule) Days() *Days { return s.days }

// Hours returns the working-hours setting of the schedule.
func (s *Schedule) Hours() Hours { return s.hours }

// spans returns the working periods of a date (midnight in Shanghai), none on a day off.
func (s *Schedule) spans(day time.Time) []span {
	if !s.days.IsWorkday(day) {
		return nil
	}
	if s.seasonal != nil {
		md := int(day.Month())*100 + day.Day()
		in := md >= s.from && md <= s.to
		if s.from > s.to {
			in = md >= s.from || md <= s.to
		}
		if in {
			return s.seasonal
		}
	}
	return s.normal
}

// WorkingTime reports whether instant t falls in working hours of a working day (Asia/Shanghai). Modules use it
// for off-hours alarms: a vehicle moving when WorkingTime is false is moving outside working time.
func (s *Schedule) WorkingTime(t time.Time) bool {
	day := Midnight(t)
	sec := int(t.In(clock.Shanghai).Sub(day) / time.Second)
	for _, sp := range s.spans(day) {
		if sec >= sp.from && sec < sp.to {
			return true
		}
	}
	return false
}

// WorkingDuration is the working time between two instants: the part of [from, to) that falls in working periods
// of working days. It is zero when to is not after from. Modules use it for SLAs ("resolved within 4 working
// hours") and for the share of a trip outside working time; Minutes() gives working minutes.
func (s *Schedule) WorkingDuration(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	var total time.Duration
	for day, last := Midnight(from), Midnight(to); !day.After(last); day = day.AddDate(0, 0, 1) {
		for _, sp := range s.spans(day) {
			a := day.Add(time.Duration(sp.from) * time.Second)
			b := day.Add(time.Duration(sp.to) * time.Second)
			if a.Before(from) {
				a = from
			}
			if b.After(to) {
				b = to
			}
			if b.After(a) {
				total += b.Sub(a)
			}
		}
	}
	return total
}

// maxSearchDays bounds AddWorkingTime's walk so that a pathological input cannot loop for ever.
const maxSearchDays = 366 * 100

// AddWorkingTime returns the instant at which d of working time has passed after from: the SLA deadline of a task
// received at from with d to complete it. Time outside working periods does not count; d ≤ 0 returns from.
func (s *Schedule) AddWorkingTime(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return from
	}
	day := Midnight(from)
	for i := 0; i < maxSearchDays; i, day = i+1, day.AddDate(0, 0, 1) {
		for _, sp := range s.spans(day) {
			a := day.Add(time.Duration(sp.from) * time.Second)
			b := day.Add(time.Duration(sp.to) * time.Second)
			if a.Before(from) {
				a = from
			}
			if !b.After(a) {
				continue
			}
			avail := b.Sub(a)
			if avail >= d {
				return a.Add(d)
			}
			d -= avail
		}
	}
	return from.Add(d)
}

// NextWorkingTime returns t when it is working time, else the start of the next working period.
func (s *Schedule) NextWorkingTime(t time.Time) time.Time {
	if s.WorkingTime(t) {
		return t
	}
	day := Midnight(t)
	for i := 0; i < maxSearchDays; i, day = i+1, day.AddDate(0, 0, 1) {
		for _, sp := range s.spans(day) {
			if a := day.Add(time.Duration(sp.from) * time.Second); !a.Before(t) {
				return a
			}
		}
	}
	return t
}
