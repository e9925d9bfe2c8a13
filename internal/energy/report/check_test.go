package report

import (
	"strings"
	"testing"

	"github.com/govops/govops/internal/energy"
)

func TestCheck(t *testing.T) {
	rules := Rules{YoYThreshold: 0.3}
	full := func(total float64) TypeYear { return TypeYear{Mask: 0xfff, Total: total} }
	base := func() CheckInput {
		return CheckInput{Months: 12, This: map[string]TypeYear{"electricity": full(1000), "water": full(50)},
			Last: map[string]TypeYear{"electricity": full(1000), "water": full(50)}, ThisKgce: 122.9, LastKgce: 122.9,
			Headcount: 10, FloorArea: 100, OrgYearSet: true, HasCredit: true, NeedsCredit: true}
	}
	cases := []struct {
		name     string
		mod      func(*CheckInput)
		codes    []string // expected issue codes in order
		blocking int
	}{
		{"complete", func(*CheckInput) {}, nil, 0},
		{"missing months of water", func(in *CheckInput) { in.This["water"] = TypeYear{Mask: 0xfff &^ (1<<2 | 1<<10), Total: 45} }, []string{"missing_months"}, 1},
		{"no electricity at all", func(in *CheckInput) { delete(in.This, "electricity"); in.ThisKgce = 0 }, []string{"no_electricity", "type_dropped"}, 1},
		{"zero electricity", func(in *CheckInput) { in.This["electricity"] = full(0); in.ThisKgce = 0 }, []string{"no_electricity", "yoy_change"}, 1},
		{"missing headcount and area", func(in *CheckInput) { in.Headcount, in.FloorArea = 0, 0 }, []string{"missing_headcount", "missing_area"}, 2},
		{"org year not recorded", func(in *CheckInput) { in.OrgYearSet = false }, []string{"org_year_default"}, 0},
		{"no credit code", func(in *CheckInput) { in.HasCredit = false }, []string{"missing_credit_code"}, 0},
		{"credit code not asked by the revision", func(in *CheckInput) { in.HasCredit, in.NeedsCredit = false, false }, nil, 0},
		{"up 31 %", func(in *CheckInput) { in.This["water"] = full(65.5) }, []string{"yoy_change"}, 0},
		{"up exactly 30 % is not flagged", func(in *CheckInput) { in.This["water"] = full(65) }, nil, 0},
		{"down 40 % of standard coal", func(in *CheckInput) { in.ThisKgce = 70 }, []string{"yoy_change"}, 0},
		{"no last year: no comparison", func(in *CheckInput) { in.Last = nil; in.LastKgce = 0 }, nil, 0},
		{"year in progress expects fewer months", func(in *CheckInput) {
			in.Months = 10
			in.This["electricity"] = TypeYear{Mask: 0x3ff, Total: 1000}
			in.This["water"] = TypeYear{Mask: 0x3ff, Total: 50}
		}, nil, 0},
		{"blocking before warnings", func(in *CheckInput) { in.OrgYearSet = false; in.Headcount = 0 }, []string{"missing_headcount"}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.mod(&in)
			got := Check(in, rules)
			var codes []string
			for _, is := range got.Issues {
				codes = append(codes, is.Code)
			}
			if strings.Join(codes, ",") != strings.Join(c.codes, ",") || got.Blocking != c.blocking {
				t.Errorf("codes %v blocking %d, want %v blocking %d (%+v)", codes, got.Blocking, c.codes, c.blocking, got.Issues)
			}
			if got.OK() != (c.blocking == 0) {
				t.Errorf("OK() = %v", got.OK())
			}
		})
	}
	in := base()
	in.This["water"] = TypeYear{Mask: 0xfff &^ (1<<2 | 1<<10), Total: 45}
	if got := Check(in, rules); got.Issues[0].Message != "水缺少 3、11 月的数据" || got.Issues[0].Months[1] != 11 {
		t.Errorf("missing months message %q %v", got.Issues[0].Message, got.Issues[0].Months)
	}
	in = base()
	in.This["water"] = full(65.5)
	if got := Check(in, rules); !strings.Contains(got.Issues[0].Message, "水同比上升 31.0%") {
		t.Errorf("yoy message %q", got.Issues[0].Message)
	}
}

func TestExpectedMonths(t *testing.T) {
	for _, c := range []struct{ y, nowY, nowM, want int }{{2025, 2026, 11, 12}, {2026, 2026, 11, 10}, {2026, 2026, 1, 0}, {2027, 2026, 11, 0}} {
		if got := expectedMonths(c.y, energyPeriod(c.nowY, c.nowM)); got != c.want {
			t.Errorf("expectedMonths(%d, %d-%d) = %d, want %d", c.y, c.nowY, c.nowM, got, c.want)
		}
	}
}

func energyPeriod(y, m int) energy.Period { return energy.Period{Year: y, Month: m} }

func TestGroupNum(t *testing.T) {
	for in, want := range map[string]string{"0": "0", "999": "999", "1000": "1,000", "18823880.83": "18,823,880.83", "-1234567.5": "-1,234,567.5", "0.587": "0.587", "-12": "-12"} {
		if got := groupNum(in); got != want {
			t.Errorf("groupNum(%q) = %q, want %q", in, got, want)
		}
	}
}
