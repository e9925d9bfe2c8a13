package emc

import (
	"math"
	"testing"

	"github.com/govops/govops/internal/energy"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// TestFitByHand checks OLS and the fit statistics against a computation by hand:
// y = 3, 5, 7, 10 at HDD = 1, 2, 3, 4: x̄ = 2.5, ȳ = 6.25, Sxx = 5, Sxy = 11.5 → b = 2.3, a = 0.5; fitted 2.8, 5.1,
// 7.4, 9.7; residuals 0.2, −0.1, −0.4, 0.3; SSE = 0.30; n − p = 2 → s² = 0.15, CV(RMSE) = √0.15 / 6.25 = 0.0619677;
// NMBE = 0; SE(b) = √(0.15/5) = 0.173205, t = 13.27906, p (df 2) = 1 − t/√(t² + 2) = 0.005631;
// SE(a) = √(0.15 · (1/4 + 2.5²/5)) = 0.474342; SST = 26.75 → R² = 0.988785.
func TestFitByHand(t *testing.T) {
	obs := []Obs{{Y: 3, X: map[string]float64{TermHDD: 1}}, {Y: 5, X: map[string]float64{TermHDD: 2}}, {Y: 7, X: map[string]float64{TermHDD: 3}},
		{Y: 10, X: map[string]float64{TermHDD: 4}}}
	m, err := Fit(obs, []string{TermHDD})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"a", m.Coef[0], 0.5}, {"b", m.Coef[1], 2.3}, {"SSE", m.SSE, 0.30}, {"CV(RMSE)", m.CVRMSE, 0.0619677}, {"NMBE", m.NMBE, 0},
		{"SE(b)", m.SE[1], 0.173205}, {"t(b)", m.T[1], 13.27906}, {"p(b)", m.P[1], 0.005631}, {"SE(a)", m.SE[0], 0.474342}, {"R²", m.R2, 0.988785},
		{"fitted 3", m.Fitted[2], 7.4},
	}
	for _, c := range checks {
		if !near(c.got, c.want, 1e-5) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if m.N != 4 || m.K != 2 {
		t.Errorf("n %d p %d", m.N, m.K)
	}
	if !Accepted(m, 0.15, 0.05) || Accepted(m, 0.05, 0.05) {
		t.Errorf("acceptance: CV(RMSE) 6.2 %% passes 15 %% and fails 5 %%")
	}
	if _, err := Fit(obs[:2], []string{TermHDD}); err != ErrTooFew {
		t.Errorf("two observations for two parameters: %v", err)
	}
}

func TestTwoSidedP(t *testing.T) {
	for _, c := range []struct{ t, df, p float64 }{{2.228, 10, 0.05}, {1.96, 1e6, 0.05}, {12.706, 1, 0.05}, {0, 5, 1}, {2.0, 2, 1 - 2/math.Sqrt(6)}} {
		if got := TwoSidedP(c.t, c.df); !near(got, c.p, 2e-4) {
			t.Errorf("p(t=%v, df=%v) = %v, want %v", c.t, c.df, got, c.p)
		}
	}
}

// TestSelect: consumption driven by HDD only; CDD unrelated noise is dropped, a constant occupancy too.
func TestSelect(t *testing.T) {
	hdd := []float64{400, 320, 200, 60, 0, 0, 0, 0, 0, 80, 220, 380, 410, 300, 210, 50, 0, 0}
	cdd := []float64{0, 3, 0, 10, 40, 120, 200, 190, 70, 1, 0, 0, 2, 0, 5, 15, 30, 110}
	noise := []float64{3, -2, 1, -4, 2, 0, -1, 3, -2, 1, 0, -3, 2, -1, 4, -2, 1, 0}
	var obs []Obs
	for i := range hdd {
		obs = append(obs, Obs{Y: 1000 + 2*hdd[i] + noise[i], X: map[string]float64{TermHDD: hdd[i], TermCDD: cdd[i], TermOcc: 50}})
	}
	m, err := Select(obs, []string{TermHDD, TermCDD, TermOcc}, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Terms) != 2 || m.Terms[1] != TermHDD || len(m.Dropped) != 2 || !near(m.Coef[1], 2, 0.02) {
		t.Errorf("selected %v (dropped %v) coef %v", m.Terms, m.Dropped, m.Coef)
	}
	if !Accepted(m, 0.15, 0.05) {
		t.Errorf("a near-exact model is not accepted: %v", m.CVRMSE)
	}
	// A noisy model fails: CV(RMSE) far above 15 %.
	for i := range obs {
		obs[i].Y = 100 + float64((i*37)%11)*40
	}
	m, err = Select(obs, []string{TermHDD}, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if Accepted(m, 0.15, 0.05) {
		t.Errorf("a noisy model is accepted: CV(RMSE) %v", m.CVRMSE)
	}
}

// TestSchedule: contract years from January 2023 to June 2024, ESCO 80 % in year 1 and 60 % in year 2, 100 yuan and
// 10 kgce saved each month, through March 2024.
func TestSchedule(t *testing.T) {
	c := Contract{Type: "shared_savings", TermStart: "2023-01-01", TermEnd: "2024-06-30", Shares: []Share{{1, 1, 80}, {2, 2, 60}}}
	months := map[energy.Period]monthSaving{}
	for p := (energy.Period{Year: 2023, Month: 1}); p.Before(energy.Period{Year: 2024, Month: 7}); p = p.Next() {
		months[p] = monthSaving{Kgce: 10, Yuan: 100}
	}
	through := energy.Period{Year: 2024, Month: 3}
	st := Schedule(c, months, through, 30)
	if len(st) != 2 {
		t.Fatalf("periods %+v", st)
	}
	a, b := st[0], st[1]
	if a.From != "2023-01" || a.To != "2023-12" || !a.Complete || a.Months != 12 || a.Yuan != 1200 || a.ESCOYuan != 960 || a.UnitYuan != 240 || a.Due != "2024-01-30" {
		t.Errorf("period 1 %+v", a)
	}
	if b.From != "2024-01" || b.To != "2024-06" || b.Complete || b.Months != 3 || b.Yuan != 300 || b.ESCOYuan != 180 || b.UnitYuan != 120 || b.Due != "2024-07-30" {
		t.Errorf("period 2 %+v", b)
	}
	// Guaranteed savings: 150 kgce a year guaranteed, 120 achieved in year 1 → 30 short; negative savings give the ESCO nothing.
	c.Type, c.GuaranteedKgce = "guaranteed_savings", 150
	months[energy.Period{Year: 2024, Month: 1}] = monthSaving{Kgce: -50, Yuan: -500}
	st = Schedule(c, months, energy.Period{Year: 2024, Month: 6}, 30)
	if st[0].Shortfall != 30 || st[1].Yuan != 0 || st[1].ESCOYuan != 0 || st[1].Shortfall != 75 {
		t.Errorf("guaranteed %+v", st)
	}
	months[energy.Period{Year: 2024, Month: 2}] = monthSaving{Kgce: -50, Yuan: -500}
	if st := Schedule(c, months, energy.Period{Year: 2024, Month: 6}, 30); st[1].Yuan != -600 || st[1].ESCOYuan != 0 || st[1].UnitYuan != -600 {
		t.Errorf("negative savings %+v", st[1])
	}
}
