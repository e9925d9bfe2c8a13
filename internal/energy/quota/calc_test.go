package quota

import (
	"math"
	"strings"
	"testing"

	"github.com/govops/govops/internal/platform/num"
)

func TestWeighted(t *testing.T) {
	for _, tc := range []struct {
		name    string
		total   float64
		weights []float64
		whole   float64
		want    []float64
	}{
		{"parent keeps its own part", 1000, []float64{200, 300}, 1000, []float64{200, 300}},
		{"whole below the sum is raised", 900, []float64{1, 2}, 0, []float64{300, 600}},
		{"floors to the cent, never above total", 100, []float64{1, 1, 1}, 3, []float64{33.33, 33.33, 33.33}},
		{"zero weights split nothing", 100, []float64{0, 0}, 0, []float64{0, 0}},
		{"negative weight ignored", 100, []float64{-5, 5}, 10, []float64{0, 50}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Weighted(tc.total, tc.weights, tc.whole)
			sum := 0.0
			for i := range got {
				if math.Abs(got[i]-tc.want[i]) > 1e-9 {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
				sum += got[i]
			}
			if sum > tc.total+1e-9 {
				t.Fatalf("shares %v sum above total %v", got, tc.total)
			}
		})
	}
}

func TestProjectSeasonal(t *testing.T) {
	// Last year: a winter-heavy profile, 200 in each of Jan–Mar and Oct–Dec, 100 in Apr–Sep: total 1800, Jan–Apr 700.
	prev := [12]float64{200, 200, 200, 100, 100, 100, 100, 100, 100, 200, 200, 200}
	// This year to April: 770 (10 % more than last year's 700) → 770 × 1800 / 700 = 1980.
	got, seasonal := Project(770, 4, prev, true)
	if !seasonal || got != 1980 {
		t.Fatalf("seasonal projection = %v (%v), want 1980", got, seasonal)
	}
	// The linear run-rate would say 770 × 12 / 4 = 2310: what a winter-heavy unit would be over-projected to.
	if got, seasonal := Project(770, 4, prev, false); seasonal || got != 2310 {
		t.Fatalf("linear projection = %v (%v), want 2310", got, seasonal)
	}
	// An incomplete or empty history falls back to linear; a closed year is the actual.
	if got, _ := Project(770, 4, [12]float64{}, true); got != 2310 {
		t.Fatalf("empty history: %v", got)
	}
	if got, _ := Project(1234.5, 12, prev, true); got != 1234.5 {
		t.Fatalf("closed year: %v", got)
	}
	if got, _ := Project(50, 0, prev, true); got != 0 {
		t.Fatalf("no month elapsed: %v", got)
	}
	// October with a summer-heavy electricity profile (hand computed): Jan–Oct share 10/12.5 → 1000 × 12.5 / 10 = 1250.
	summer := [12]float64{1, 1, 1, 1, 1, 1.5, 1.5, 1, 0.5, 0.5, 1, 1.5}
	if got, _ := Project(1000, 10, summer, true); got != 1250 {
		t.Fatalf("summer profile: %v", got)
	}
}

func TestClassifyThresholds(t *testing.T) {
	for _, tc := range []struct {
		actual, projected, quota, ratio float64
		want                            string
	}{
		{500, 899, 1000, 0.9, StatusNormal},
		{500, 900, 1000, 0.9, StatusNormal}, // exactly 90 %: not above
		{500, 900.01, 1000, 0.9, StatusWarning},
		{500, 1000, 1000, 0.9, StatusWarning}, // exactly the quota: not above
		{500, 1000.01, 1000, 0.9, StatusOver},
		{1001, 0, 1000, 0.9, StatusOver}, // actual already above
		{500, 850, 1000, 0.8, StatusWarning},
		{500, 5000, 0, 0.9, StatusNormal}, // no quota
	} {
		if got := Classify(tc.actual, tc.projected, tc.quota, tc.ratio); got != tc.want {
			t.Errorf("Classify(%v, %v, %v, %v) = %s, want %s", tc.actual, tc.projected, tc.quota, tc.ratio, got, tc.want)
		}
	}
	if Worse(StatusWarning, StatusOver) != StatusOver || Worse(StatusOver, StatusNormal) != StatusOver || Worse(StatusNormal, StatusWarning) != StatusWarning {
		t.Fatal("Worse")
	}
}

func TestLevelOf(t *testing.T) {
	for v, want := range map[float64]string{14: LevelOver, 13.22: LevelConstraint, 12: LevelConstraint, 11.02: LevelBaseline, 9: LevelBaseline, 8.82: LevelGuide, 5: LevelGuide} {
		if got := LevelOf(v, 13.22, 11.02, 8.82); got != want {
			t.Errorf("LevelOf(%v) = %s, want %s", v, got, want)
		}
	}
}

func TestEvaluate(t *testing.T) {
	prev := [12]float64{200, 200, 200, 100, 100, 100, 100, 100, 100, 200, 200, 200}
	// kgce projected 1980 against 2100 (94 % > 90 %): warning; water projected 1980 against 1900: over → over.
	w := Evaluate(Eval{YTDKgce: 770, YTDWater: 770, PrevKgce: prev, PrevWater: prev, PrevComplete: true, Through: 4, QuotaKgce: 2100, QuotaWater: 1900, WarnRatio: 0.9})
	if w.Status != StatusOver || w.ProjectedKgce != 1980 || w.Method != "seasonal" || w.Ratio != num.Round(1980.0/2100, 4) {
		t.Fatalf("evaluate: %+v", w)
	}
	w = Evaluate(Eval{YTDKgce: 770, PrevKgce: prev, PrevComplete: true, Through: 4, QuotaKgce: 2100, WarnRatio: 0.9})
	if w.Status != StatusWarning || w.StatusName != "预警" {
		t.Fatalf("warning: %+v", w)
	}
	w = Evaluate(Eval{YTDKgce: 2000, Through: 12, QuotaKgce: 2100, WarnRatio: 0.9})
	if w.Status != StatusWarning || w.Method != "actual" {
		t.Fatalf("closed year: %+v", w)
	}
}

func TestStandardValidation(t *testing.T) {
	ok := StandardInput{RegionCode: "990000", Category: "organ", Indicator: "per_area_kgce", ConstraintValue: 13, BaselineValue: 11, GuideValue: 9, ValidFrom: 2025, SourceDoc: "x"}
	if err := ok.Check(); err != nil {
		t.Fatal(err)
	}
	for field, mut := range map[string]func(*StandardInput){
		"baseline_value":   func(in *StandardInput) { in.BaselineValue = 14 },
		"guide_value":      func(in *StandardInput) { in.GuideValue = 12 },
		"constraint_value": func(in *StandardInput) { in.ConstraintValue = -1 },
		"indicator":        func(in *StandardInput) { in.Indicator = "per_desk" },
		"category":         func(in *StandardInput) { in.Category = "zoo" },
		"factor_set":       func(in *StandardInput) { in.FactorSet = "magic" },
		"valid_to":         func(in *StandardInput) { in.ValidTo = 2020 },
		"region_code":      func(in *StandardInput) { in.RegionCode = "99" },
		"source_doc":       func(in *StandardInput) { in.SourceDoc = "" },
	} {
		in := ok
		mut(&in)
		err := in.Check()
		if err == nil {
			t.Fatalf("%s: no error", field)
		}
		if e := errsAs(err); e[field] == "" {
			t.Errorf("%s: fields %v", field, e)
		}
	}
}

// TestLimitNames: a warning names the limit it is about; 超定额 only for an annual quota, 超约束值 when only a
// standard's per-m² or per-person constraint value is exceeded (the total being, say, 85 % of the quota).
func TestLimitNames(t *testing.T) {
	prev := [12]float64{200, 200, 200, 100, 100, 100, 100, 100, 100, 200, 200, 200}
	w := Evaluate(Eval{YTDKgce: 770, YTDWater: 770, PrevKgce: prev, PrevWater: prev, PrevComplete: true, Through: 4, QuotaKgce: 2100, QuotaWater: 1900, WarnRatio: 0.9})
	if w.StatusName != "超定额" || w.LimitNames() != "能耗总量定额、用水定额" || !strings.HasPrefix(w.Reasons, "能耗总量定额：") {
		t.Errorf("total quotas: %q %q %q", w.StatusName, w.LimitNames(), w.Reasons)
	}
	for _, c := range []struct {
		status string
		limits []string
		want   string
	}{
		{StatusOver, []string{"per_area_kgce"}, "超约束值"},
		{StatusOver, []string{LimitTotalKgce, "per_area_kgce"}, "超定额"},
		{StatusOver, nil, "超定额"},
		{StatusWarning, []string{LimitTotalKgce}, "预警"},
		{StatusNormal, nil, "正常"},
	} {
		if got := statusName(c.status, c.limits); got != c.want {
			t.Errorf("%s %v: %q, want %q", c.status, c.limits, got, c.want)
		}
	}
	if n := (Warning{Limits: []string{"per_area_kgce"}}).LimitNames(); !strings.HasSuffix(n, "约束值") || n == "约束值" {
		t.Errorf("indicator limit name %q", n)
	}
}
