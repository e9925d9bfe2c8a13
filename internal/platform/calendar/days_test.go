package calendar_test

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
)

func d(s string) time.Time {
	t, err := calendar.ParseDate("date", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDayInfo(t *testing.T) {
	days := calendar.MustEmbedded()
	for _, tc := range []struct {
		date     string
		workday  bool
		name     string
		holiday  bool
		adjusted bool
		official bool
	}{
		{"2026-01-01", false, "元旦", true, false, true},      // Thursday, New Year
		{"2026-01-03", false, "元旦", true, false, true},      // Saturday listed as a holiday
		{"2026-01-04", true, "元旦", false, true, true},       // Sunday worked (调休)
		{"2026-02-14", true, "春节", false, true, true},       // Saturday worked before the Spring Festival
		{"2026-02-16", false, "春节", true, false, true},      // Monday off
		{"2026-02-28", true, "春节", false, true, true},       // Saturday worked after it
		{"2026-03-07", false, "", false, false, true},       // a plain Saturday
		{"2026-03-08", false, "", false, false, true},       // a plain Sunday
		{"2026-03-09", true, "", false, false, true},        // a plain Monday
		{"2026-09-20", true, "国庆节", false, true, true},      // Sunday worked before National Day
		{"2026-09-25", false, "中秋节", true, false, true},     // Friday off
		{"2026-10-10", true, "国庆节", false, true, true},      // Saturday worked after National Day
		{"2025-10-01", false, "国庆节、中秋节", true, false, true}, // 2025: eight days off
		{"2025-10-08", false, "国庆节、中秋节", true, false, true},
		{"2025-10-09", true, "", false, false, true},
		{"2025-10-11", true, "国庆节、中秋节", false, true, true},
		{"2020-02-03", true, "春节", false, false, true}, // a listed working Monday is not "adjusted"
		{"2027-01-01", true, "", false, false, false},  // 2027 not announced: a Friday is a working day
		{"2027-02-06", false, "", false, false, false}, // and a Saturday is not
		{"2030-05-01", true, "", false, false, false},  // beyond the data: Monday–Friday
		{"2006-12-30", true, "元旦", false, true, false}, // 2006 has no file, but the 2007 notice made this Saturday a working day
		{"2005-10-03", true, "", false, false, false},  // before the data: a plain Monday
		{"2007-12-31", false, "元旦", true, false, true}, // listed in 2008.json
		{"2024-02-29", true, "", false, false, true},   // leap day, a Thursday
	} {
		got := days.DayInfo(d(tc.date))
		if got.Date != tc.date || got.Workday != tc.workday || got.Name != tc.name || got.Holiday != tc.holiday ||
			got.Adjusted != tc.adjusted || got.Official != tc.official {
			t.Errorf("DayInfo(%s) = %+v; want workday=%v name=%q holiday=%v adjusted=%v official=%v",
				tc.date, got, tc.workday, tc.name, tc.holiday, tc.adjusted, tc.official)
		}
		if days.IsWorkday(d(tc.date)) != tc.workday {
			t.Errorf("IsWorkday(%s) != %v", tc.date, tc.workday)
		}
	}
	if !days.DayInfo(d("2025-10-02")).Holiday {
		t.Error("2025-10-02 should be off")
	}
	for day := d("2025-10-01"); !day.After(d("2025-10-08")); day = day.AddDate(0, 0, 1) {
		if days.IsWorkday(day) {
			t.Errorf("%s should be a day off (2025 National Day and Mid-Autumn)", day.Format(time.DateOnly))
		}
	}
}

func TestDatesAreReadInShanghai(t *testing.T) {
	days := calendar.MustEmbedded()
	// 2025-12-31T17:00Z is 2026-01-01 01:00 in Beijing: New Year's Day, not a working Wednesday.
	if days.IsWorkday(time.Date(2025, 12, 31, 17, 0, 0, 0, time.UTC)) {
		t.Error("an instant after midnight in Beijing must count as the next day")
	}
	// A date parsed the usual Go way (midnight UTC) is the same calendar day.
	p, _ := time.Parse(time.DateOnly, "2026-02-14")
	if got := days.DayInfo(p); got.Date != "2026-02-14" || !got.Adjusted {
		t.Errorf("DayInfo(midnight UTC) = %+v", got)
	}
	if got := days.NextWorkday(p); got.Location() != clock.Shanghai || got.Hour() != 0 || got.Format(time.DateOnly) != "2026-02-24" {
		t.Errorf("NextWorkday(2026-02-14) = %v, want midnight of 2026-02-24 in Shanghai", got)
	}
}

func TestOfficial(t *testing.T) {
	days := calendar.MustEmbedded()
	for y, want := range map[int]bool{2006: false, 2007: true, 2020: true, 2025: true, 2026: true, 2027: false, 2028: false} {
		if days.Official(y) != want {
			t.Errorf("Official(%d) = %v, want %v", y, !want, want)
		}
	}
	if first, last := days.Years(); first != 2007 || last != 2026 {
		t.Errorf("Years() = %d, %d", first, last)
	}
	if p := days.Papers(2026); len(p) != 1 || p[0] == "" {
		t.Errorf("Papers(2026) = %v", p)
	}
}

func TestAddWorkdays(t *testing.T) {
	days := calendar.MustEmbedded()
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-03-06", 1, "2026-03-09"},  // Friday + 1 = Monday
		{"2026-03-07", 1, "2026-03-09"},  // Saturday + 1 = Monday
		{"2026-03-09", 0, "2026-03-09"},  // 0 = the date itself
		{"2026-03-07", 0, "2026-03-07"},  // even on a day off
		{"2026-03-09", 5, "2026-03-16"},  // one plain week
		{"2026-09-18", 1, "2026-09-20"},  // Friday + 1 = the Sunday worked before National Day
		{"2026-09-30", 1, "2026-10-08"},  // across the National Day break
		{"2026-09-30", 2, "2026-10-09"},  // Friday 10-09
		{"2026-09-30", 3, "2026-10-10"},  // then the Saturday worked
		{"2026-10-08", -1, "2026-09-30"}, // backwards across the break
		{"2026-01-05", -1, "2026-01-04"}, // Monday - 1 = the Sunday worked
		{"2026-02-13", 1, "2026-02-14"},  // Friday + 1 = the Saturday worked
		{"2026-02-14", 1, "2026-02-24"},  // then the Spring Festival
		{"2026-12-31", 1, "2027-01-01"},  // into the unannounced year: plain Friday
		{"2026-03-09", -5, "2026-03-02"},
	} {
		if got := days.AddWorkdays(d(tc.from), tc.n).Format(time.DateOnly); got != tc.want {
			t.Errorf("AddWorkdays(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
	if got := days.PrevWorkday(d("2026-02-24")).Format(time.DateOnly); got != "2026-02-14" {
		t.Errorf("PrevWorkday(2026-02-24) = %s", got)
	}
}

func TestWorkdaysBetween(t *testing.T) {
	days := calendar.MustEmbedded()
	// Reference counts computed independently from the holiday-cn files.
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"2024-01-01", "2024-12-31", 251},
		{"2025-01-01", "2025-12-31", 248},
		{"2026-01-01", "2026-12-31", 248},
		{"2027-01-01", "2027-12-31", 261}, // not announced: plain weekdays
		{"2026-10-01", "2026-10-31", 18},
		{"2026-02-01", "2026-02-28", 16},
		{"2025-10-01", "2025-10-31", 18},
		{"2026-03-09", "2026-03-09", 1},
		{"2026-03-07", "2026-03-08", 0},
		{"2026-03-10", "2026-03-09", 0}, // reversed
	} {
		if got := days.WorkdaysBetween(d(tc.a), d(tc.b)); got != tc.want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	// AddWorkdays and WorkdaysBetween agree everywhere in the data.
	for a := d("2025-12-20"); a.Before(d("2026-03-10")); a = a.AddDate(0, 0, 3) {
		for _, n := range []int{0, 1, 2, 7, 15} {
			b := days.AddWorkdays(a, n)
			if got := days.WorkdaysBetween(a.AddDate(0, 0, 1), b); got != n {
				t.Fatalf("WorkdaysBetween(%s+1, AddWorkdays(%s, %d) = %s) = %d", a.Format(time.DateOnly), a.Format(time.DateOnly), n, b.Format(time.DateOnly), got)
			}
			if n > 0 && !days.IsWorkday(b) {
				t.Fatalf("AddWorkdays(%s, %d) = %s is not a working day", a.Format(time.DateOnly), n, b.Format(time.DateOnly))
			}
			if back := days.AddWorkdays(b, -n); n > 0 && days.IsWorkday(a) && !back.Equal(a) {
				t.Fatalf("AddWorkdays(AddWorkdays(%s, %d), -%d) = %s", a.Format(time.DateOnly), n, n, back.Format(time.DateOnly))
			}
		}
	}
}

func TestHolidays(t *testing.T) {
	days := calendar.MustEmbedded()
	hs := days.Holidays(2026)
	var names []string
	for _, h := range hs {
		names = append(names, h.Name)
	}
	want := []string{"元旦", "春节", "清明节", "劳动节", "端午节", "国庆节", "中秋节"}
	if len(names) != len(want) {
		t.Fatalf("Holidays(2026) = %v", names)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("Holidays(2026) = %v, want %v", names, want)
		}
	}
	if sf := hs[1]; len(sf.Off) != 9 || len(sf.Adjusted) != 2 || sf.Adjusted[0] != "2026-02-14" {
		t.Errorf("春节 2026 = %+v", sf)
	}
	if len(days.Holidays(2027)) != 0 {
		t.Error("2027 should list nothing")
	}
	if r := days.Range(d("2026-02-13"), d("2026-02-16")); len(r) != 4 || r[1].Weekday != 6 || !r[1].Workday || r[2].Workday {
		t.Errorf("Range = %+v", r)
	}
}

func TestParseRejectsBadData(t *testing.T) {
	for name, files := range map[string]fstest.MapFS{
		"no data":       {"README.md": {Data: []byte("x")}},
		"bad json":      {"2026.json": {Data: []byte("{")}},
		"year mismatch": {"2026.json": {Data: []byte(`{"year":2025,"papers":[],"days":[{"name":"元旦","date":"2025-01-01","isOffDay":true}]}`)}},
		"bad date":      {"2026.json": {Data: []byte(`{"year":2026,"papers":[],"days":[{"name":"元旦","date":"2026-13-01","isOffDay":true}]}`)}},
		"missing flag":  {"2026.json": {Data: []byte(`{"year":2026,"papers":[],"days":[{"name":"元旦","date":"2026-01-01"}]}`)}},
		"contradiction": {
			"2026.json": {Data: []byte(`{"year":2026,"papers":[],"days":[{"name":"元旦","date":"2026-01-01","isOffDay":true}]}`)},
			"2027.json": {Data: []byte(`{"year":2027,"papers":[],"days":[{"name":"元旦","date":"2026-01-01","isOffDay":false}]}`)},
		},
	} {
		if _, err := calendar.Parse(files); err == nil {
			t.Errorf("%s: Parse accepted it", name)
		}
	}
	ok := fstest.MapFS{
		"2026.json":   {Data: []byte(`{"year":2026,"papers":["u"],"days":[{"name":"元旦","date":"2026-01-01","isOffDay":true}]}`)},
		"2027.json":   {Data: []byte(`{"year":2027,"papers":[],"days":[]}`)},
		"schema.json": {Data: []byte(`{}`)},
	}
	days, err := calendar.Parse(ok)
	if err != nil || !days.Official(2026) || days.Official(2027) || days.IsWorkday(d("2026-01-01")) {
		t.Fatalf("Parse(ok) = %v, %v", days, err)
	}
}
