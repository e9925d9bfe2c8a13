package assets

import "testing"

// TestCompute checks the straight-line schedule against hand computation (docs/domain/assets.md §Depreciation).
func TestCompute(t *testing.T) {
	for _, c := range []struct {
		name              string
		value             int64
		life              int
		acquired, asOf    string
		months            int
		monthly, acc, net int64
	}{
		// 5 200.00 yuan over 72 months: 520000 / 72 = 7222 fen a month (remainder 16 fen for the last month).
		{"acquisition month: nothing yet", 520000, 72, "2024-03-15", "2024-03-31", 0, 7222, 0, 520000},
		{"the month after", 520000, 72, "2024-03-15", "2024-04-01", 1, 7222, 7222, 512778},
		{"a year on", 520000, 72, "2024-03-15", "2025-03-15", 12, 7222, 86664, 433336},
		{"the month before the last", 520000, 72, "2024-03-15", "2030-02-28", 71, 7222, 512762, 7238},
		{"the last month takes the remainder", 520000, 72, "2024-03-15", "2030-03-01", 72, 7222, 520000, 0},
		{"fully depreciated stays on the books at zero", 520000, 72, "2024-03-15", "2040-01-01", 72, 7222, 520000, 0},
		{"before acquisition", 520000, 72, "2024-03-15", "2023-12-31", 0, 7222, 0, 520000},
		// A car of 158 000.00 yuan over 8 years: 15800000 / 96 = 164583 fen (remainder 32).
		{"vehicle 26 months", 15800000, 96, "2023-11-30", "2026-01-10", 26, 164583, 4279158, 11520842},
		// A desk of 1 999.99 yuan over 15 years: 199999 / 180 = 1111 fen (remainder 19).
		{"furniture 180 months", 199999, 180, "2010-01-01", "2025-01-01", 180, 1111, 199999, 0},
		{"furniture 179 months", 199999, 180, "2010-01-01", "2024-12-31", 179, 1111, 198869, 1130},
	} {
		s := Compute(c.value, c.life, c.acquired, c.asOf)
		if s.Months != c.months || s.MonthlyFen != c.monthly || s.AccumulatedFen != c.acc || s.NetFen != c.net {
			t.Errorf("%s: got %+v, want months %d monthly %d acc %d net %d", c.name, s, c.months, c.monthly, c.acc, c.net)
		}
	}
}

// TestAncestors checks the class levels of GB/T 14885-2022 codes.
func TestAncestors(t *testing.T) {
	got := Ancestors("A02010105")
	want := []string{"A02010105", "A02010100", "A02010000", "A02000000"}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%v, want %v", got, want)
		}
	}
	if a := Ancestors("A02021000"); len(a) != 3 || a[1] != "A02020000" {
		t.Errorf("printer: %v", a)
	}
	if Ancestors("A0201") != nil || Ancestors("a02010105") != nil {
		t.Error("bad codes must have no levels")
	}
}
