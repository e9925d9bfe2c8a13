package calendar_test

import (
	"testing"
	"time"

	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/errs"
)

// at is a Beijing wall-clock instant.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func schedule(t *testing.T, h calendar.Hours) *calendar.Schedule {
	t.Helper()
	s, err := calendar.NewSchedule(calendar.MustEmbedded(), h)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestWorkingTime(t *testing.T) {
	s := schedule(t, calendar.DefaultHours())
	for _, tc := range []struct {
		when string
		want bool
	}{
		{"2026-11-16 10:00", true},  // Monday morning
		{"2026-11-16 08:29", false}, // before work
		{"2026-11-16 08:30", true},  // start is inclusive
		{"2026-11-16 11:59", true},
		{"2026-11-16 12:00", false}, // end is exclusive
		{"2026-11-16 13:30", false}, // lunch break
		{"2026-11-16 14:00", true},
		{"2026-11-16 17:29", true},
		{"2026-11-16 17:30", false},
		{"2026-11-16 22:00", false},
		{"2026-11-14 10:00", false}, // Saturday
		{"2026-10-01 10:00", false}, // National Day
		{"2026-10-10 10:00", true},  // Saturday worked after National Day
		{"2026-02-14 15:00", true},  // Saturday worked before the Spring Festival
		{"2027-01-01 10:00", true},  // unannounced year: plain Friday
	} {
		if got := s.WorkingTime(at(tc.when)); got != tc.want {
			t.Errorf("WorkingTime(%s) = %v, want %v", tc.when, got, tc.want)
		}
	}
	// Instants in UTC are converted: 02:00Z is 10:00 in Beijing.
	if !s.WorkingTime(time.Date(2026, 11, 16, 2, 0, 0, 0, time.UTC)) {
		t.Error("10:00 Beijing given in UTC should be working time")
	}
	if !s.WorkingTime(time.Date(2026, 11, 16, 8, 0, 0, 0, time.UTC)) {
		t.Error("16:00 Beijing (08:00Z) should be working time")
	}
	if s.WorkingTime(time.Date(2026, 11, 16, 10, 0, 0, 0, time.UTC)) {
		t.Error("18:00 Beijing (10:00Z) is after work")
	}
}

func TestWorkingDuration(t *testing.T) {
	s := schedule(t, calendar.DefaultHours())
	for _, tc := range []struct {
		from, to string
		want     time.Duration
	}{
		{"2026-11-16 08:00", "2026-11-16 18:00", 7 * time.Hour},                                 // a whole day
		{"2026-11-16 11:00", "2026-11-16 15:00", 2 * time.Hour},                                 // across lunch
		{"2026-11-16 12:10", "2026-11-16 13:50", 0},                                             // inside lunch
		{"2026-11-20 16:00", "2026-11-23 09:00", 2 * time.Hour},                                 // Friday to Monday
		{"2026-09-30 17:00", "2026-10-08 09:00", time.Hour},                                     // across National Day
		{"2026-11-16 09:00", "2026-11-16 09:00", 0},                                             // empty
		{"2026-11-16 10:00", "2026-11-16 09:00", 0},                                             // reversed
		{"2026-11-16 00:00", "2026-11-23 00:00", 5 * 7 * time.Hour},                             // a plain week
		{"2026-10-01 00:00", "2026-11-01 00:00", 18 * 7 * time.Hour},                            // October 2026: 18 working days
		{"2026-11-16 10:15", "2026-11-16 10:45", 30 * time.Minute},                              // minutes
		{"2026-11-16 17:29", "2026-11-17 08:31", 2 * time.Minute},                               // overnight
		{"2026-10-09 17:00", "2026-10-10 09:00", 30*time.Minute + 30*time.Minute},               // into the Saturday worked
		{"2026-12-31 17:00", "2027-01-01 09:00", 30*time.Minute + 30*time.Minute},               // into the unannounced year
		{"2026-02-13 17:00", "2026-02-24 09:00", 30*time.Minute + 7*time.Hour + 30*time.Minute}, // 2-14 worked, then off
	} {
		if got := s.WorkingDuration(at(tc.from), at(tc.to)); got != tc.want {
			t.Errorf("WorkingDuration(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestAddWorkingTime(t *testing.T) {
	s := schedule(t, calendar.DefaultHours())
	for _, tc := range []struct {
		from string
		d    time.Duration
		want string
	}{
		{"2026-11-16 09:00", time.Hour, "2026-11-16 10:00"},
		{"2026-11-16 11:00", time.Hour, "2026-11-16 12:00"},     // ends exactly at the period end
		{"2026-11-16 11:00", 2 * time.Hour, "2026-11-16 15:00"}, // lunch does not count
		{"2026-11-16 12:30", time.Hour, "2026-11-16 15:00"},     // starts counting at 14:00
		{"2026-11-20 16:00", 4 * time.Hour, "2026-11-23 11:00"}, // Friday afternoon to Monday morning
		{"2026-11-21 10:00", 30 * time.Minute, "2026-11-23 09:00"},
		{"2026-09-30 17:00", time.Hour, "2026-10-08 09:00"}, // across National Day
		{"2026-11-16 09:00", 0, "2026-11-16 09:00"},
		{"2026-11-16 09:00", 3 * 7 * time.Hour, "2026-11-19 09:00"}, // three working days
	} {
		if got := s.AddWorkingTime(at(tc.from), tc.d).In(clock.Shanghai).Format("2006-01-02 15:04"); got != tc.want {
			t.Errorf("AddWorkingTime(%s, %v) = %s, want %s", tc.from, tc.d, got, tc.want)
		}
	}
	// AddWorkingTime and WorkingDuration agree.
	for from := at("2026-09-25 07:45"); from.Before(at("2026-10-15 00:00")); from = from.Add(7*time.Hour + 13*time.Minute) {
		for _, d := range []time.Duration{time.Minute, 95 * time.Minute, 7 * time.Hour, 30 * time.Hour} {
			end := s.AddWorkingTime(from, d)
			if got := s.WorkingDuration(from, end); got != d {
				t.Fatalf("WorkingDuration(%v, AddWorkingTime(+%v) = %v) = %v", from, d, end, got)
			}
		}
	}
	if got := s.NextWorkingTime(at("2026-09-30 18:00")).In(clock.Shanghai).Format("2006-01-02 15:04"); got != "2026-10-08 08:30" {
		t.Errorf("NextWorkingTime = %s", got)
	}
	if got := s.NextWorkingTime(at("2026-09-30 10:00")); !got.Equal(at("2026-09-30 10:00")) {
		t.Errorf("NextWorkingTime in working time = %v", got)
	}
}

func TestSeasonalHours(t *testing.T) {
	summer := calendar.Hours{
		Periods:  []calendar.Period{{Start: "08:30", End: "12:00"}, {Start: "14:00", End: "17:30"}},
		Seasonal: &calendar.Seasonal{From: "05-01", To: "09-30", Periods: []calendar.Period{{Start: "08:00", End: "12:00"}, {Start: "14:30", End: "18:00"}}},
	}
	s := schedule(t, summer)
	for _, tc := range []struct {
		when string
		want bool
	}{
		{"2026-07-01 17:45", true},  // summer afternoon runs to 18:00
		{"2026-07-01 14:15", false}, // and starts at 14:30
		{"2026-07-01 08:10", true},
		{"2026-09-30 17:45", true},  // last day of the season (inclusive)
		{"2026-10-09 17:45", false}, // back to normal hours
		{"2026-04-30 08:10", false},
		{"2026-05-06 08:10", true},
	} {
		if got := s.WorkingTime(at(tc.when)); got != tc.want {
			t.Errorf("summer WorkingTime(%s) = %v, want %v", tc.when, got, tc.want)
		}
	}
	winter := summer
	winter.Seasonal = &calendar.Seasonal{From: "11-01", To: "02-28", Periods: []calendar.Period{{Start: "09:00", End: "12:00"}, {Start: "13:30", End: "17:00"}}}
	w := schedule(t, winter)
	for _, tc := range []struct {
		when string
		want bool
	}{
		{"2026-11-16 08:45", false}, // winter: starts at 09:00
		{"2026-11-16 13:45", true},
		{"2027-01-05 13:45", true}, // the season wraps the new year
		{"2026-03-02 13:45", false},
		{"2026-03-02 08:45", true},
	} {
		if got := w.WorkingTime(at(tc.when)); got != tc.want {
			t.Errorf("winter WorkingTime(%s) = %v, want %v", tc.when, got, tc.want)
		}
	}
}

func TestHoursValidate(t *testing.T) {
	p := func(a, b string) calendar.Period { return calendar.Period{Start: a, End: b} }
	for _, tc := range []struct {
		name  string
		h     calendar.Hours
		field string
	}{
		{"none", calendar.Hours{}, "periods"},
		{"format", calendar.Hours{Periods: []calendar.Period{p("8:30", "12:00")}}, "periods"},
		{"minutes", calendar.Hours{Periods: []calendar.Period{p("08:60", "12:00")}}, "periods"},
		{"hour", calendar.Hours{Periods: []calendar.Period{p("08:00", "25:00")}}, "periods"},
		{"reversed", calendar.Hours{Periods: []calendar.Period{p("12:00", "08:30")}}, "periods"},
		{"empty period", calendar.Hours{Periods: []calendar.Period{p("09:00", "09:00")}}, "periods"},
		{"overlap", calendar.Hours{Periods: []calendar.Period{p("08:30", "12:00"), p("11:00", "17:00")}}, "periods"},
		{"order", calendar.Hours{Periods: []calendar.Period{p("14:00", "17:30"), p("08:30", "12:00")}}, "periods"},
		{"too many", calendar.Hours{Periods: []calendar.Period{p("01:00", "02:00"), p("03:00", "04:00"), p("05:00", "06:00"),
			p("07:00", "08:00"), p("09:00", "10:00"), p("11:00", "12:00"), p("13:00", "14:00")}}, "periods"},
		{"season from", calendar.Hours{Periods: []calendar.Period{p("08:30", "12:00")}, Seasonal: &calendar.Seasonal{From: "5-1", To: "09-30",
			Periods: []calendar.Period{p("08:00", "12:00")}}}, "seasonal.from"},
		{"season to", calendar.Hours{Periods: []calendar.Period{p("08:30", "12:00")}, Seasonal: &calendar.Seasonal{From: "05-01", To: "02-30",
			Periods: []calendar.Period{p("08:00", "12:00")}}}, "seasonal.to"},
		{"season periods", calendar.Hours{Periods: []calendar.Period{p("08:30", "12:00")}, Seasonal: &calendar.Seasonal{From: "05-01", To: "09-30"}}, "seasonal.periods"},
	} {
		err := tc.h.Validate()
		e := errs.As(err)
		if e == nil || e.Code != errs.CodeValidation || e.Fields[tc.field] == "" {
			t.Errorf("%s: Validate() = %v, want a validation error on %s", tc.name, err, tc.field)
		}
	}
	ok := []calendar.Hours{
		calendar.DefaultHours(),
		{Periods: []calendar.Period{p("00:00", "24:00")}}, // round the clock
		{Periods: []calendar.Period{p("08:30", "12:00"), p("12:00", "17:30")}},
		{Periods: []calendar.Period{p("08:30", "17:30")}, Seasonal: &calendar.Seasonal{From: "02-29", To: "03-01", Periods: []calendar.Period{p("09:00", "17:00")}}},
	}
	for _, h := range ok {
		if err := h.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", h, err)
		}
	}
	n := calendar.Hours{Periods: []calendar.Period{p(" 08:30 ", "12:00 "), p("", "")}}.Normalize()
	if len(n.Periods) != 1 || n.Periods[0] != p("08:30", "12:00") {
		t.Errorf("Normalize = %+v", n)
	}
	round := schedule(t, ok[1])
	if got := round.WorkingDuration(at("2026-11-16 00:00"), at("2026-11-17 00:00")); got != 24*time.Hour {
		t.Errorf("00:00–24:00 gives %v a day", got)
	}
}
