package emc

import (
	"errors"
	"math"
)

// Measurement and verification by IPMVP option C on monthly whole-facility data
// (docs/domain/energy.md §Energy performance contracting; GB/T 28750-2012): a baseline model fitted by ordinary least
// squares on the baseline months, consumption ~ a + b·HDD + c·CDD (+ d·occupancy when provided), with backward
// elimination of regressors whose two-sided t-test p-value exceeds α; acceptance per ASHRAE Guideline 14 for monthly
// models; avoided energy = adjusted baseline − actual.
//
// Fit statistics (ASHRAE Guideline 14-2014, n observations, p model parameters including the intercept, ŷ the model,
// ȳ the mean of the observations):
//
//	CV(RMSE) = sqrt( Σ(y − ŷ)² / (n − p) ) / ȳ
//	NMBE     = Σ(y − ŷ) / ((n − p) · ȳ)
//
// Both use n − p degrees of freedom. With an intercept, OLS residuals sum to zero, so a model's NMBE on its own
// baseline is zero up to rounding; it is still computed and checked, as Guideline 14 asks.

// Term names of the regressors.
const (
	TermIntercept = "intercept"
	TermHDD       = "hdd"
	TermCDD       = "cdd"
	TermOcc       = "occupancy"
)

// Obs is one baseline or reporting month: the consumption and the regressor values by term.
type Obs struct {
	Period string
	Y      float64
	X      map[string]float64
}

// Model is a fitted baseline model.
type Model struct {
	Terms  []string  `json:"terms"`
	Coef   []float64 `json:"coefficients"`
	SE     []float64 `json:"std_errors"`
	T      []float64 `json:"t_stats"`
	P      []float64 `json:"p_values"`
	N      int       `json:"n"`
	K      int       `json:"p" doc:"模型参数个数（含截距）"`
	SSE    float64   `json:"sse"`
	MeanY  float64   `json:"mean_y"`
	R2     float64   `json:"r2"`
	CVRMSE float64   `json:"cv_rmse"`
	NMBE   float64   `json:"nmbe"`
	Fitted []float64 `json:"fitted"`
	// Dropped are the candidate regressors removed by model selection (insignificant, or constant in the baseline).
	Dropped []string `json:"dropped"`
}

// Predict is the model's value for the regressor values x.
func (m Model) Predict(x map[string]float64) float64 {
	v := 0.0
	for i, t := range m.Terms {
		if t == TermIntercept {
			v += m.Coef[i]
		} else {
			v += m.Coef[i] * x[t]
		}
	}
	return v
}

// ErrTooFew is returned when there are not more observations than parameters.
var ErrTooFew = errors.New("观测月份数不足以拟合模型")

// ErrSingular is returned when the regressors are collinear.
var ErrSingular = errors.New("自变量线性相关，无法拟合")

// Fit fits y ~ intercept + terms by OLS and computes the statistics.
func Fit(obs []Obs, terms []string) (Model, error) {
	m := Model{Terms: append([]string{TermIntercept}, terms...), N: len(obs)}
	m.K = len(m.Terms)
	if m.N <= m.K {
		return m, ErrTooFew
	}
	k := m.K
	// Normal equations X'X b = X'y.
	xtx := make([][]float64, k)
	for i := range xtx {
		xtx[i] = make([]float64, k)
	}
	xty := make([]float64, k)
	row := make([]float64, k)
	for _, o := range obs {
		for i, t := range m.Terms {
			if t == TermIntercept {
				row[i] = 1
			} else {
				row[i] = o.X[t]
			}
		}
		for i := 0; i < k; i++ {
			xty[i] += row[i] * o.Y
			for j := 0; j < k; j++ {
				xtx[i][j] += row[i] * row[j]
			}
		}
		m.MeanY += o.Y
	}
	m.MeanY /= float64(m.N)
	inv, err := invert(xtx)
	if err != nil {
		return m, err
	}
	m.Coef = make([]float64, k)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			m.Coef[i] += inv[i][j] * xty[j]
		}
	}
	sst, sum := 0.0, 0.0
	m.Fitted = make([]float64, m.N)
	for i, o := range obs {
		m.Fitted[i] = m.Predict(o.X)
		r := o.Y - m.Fitted[i]
		m.SSE += r * r
		sum += r
		sst += (o.Y - m.MeanY) * (o.Y - m.MeanY)
	}
	df := float64(m.N - m.K)
	s2 := m.SSE / df
	if sst > 0 {
		m.R2 = 1 - m.SSE/sst
	}
	if m.MeanY != 0 {
		m.CVRMSE = math.Sqrt(s2) / m.MeanY
		m.NMBE = sum / (df * m.MeanY)
	}
	m.SE, m.T, m.P = make([]float64, k), make([]float64, k), make([]float64, k)
	for i := 0; i < k; i++ {
		m.SE[i] = math.Sqrt(s2 * inv[i][i])
		if m.SE[i] > 0 {
			m.T[i] = m.Coef[i] / m.SE[i]
			m.P[i] = TwoSidedP(m.T[i], df)
		} else {
			m.P[i] = 0
		}
	}
	return m, nil
}

// Select fits the full model of the candidate terms that vary in the baseline and removes, one at a time, the
// regressor with the largest p-value above alpha, until every remaining regressor is significant.
func Select(obs []Obs, candidates []string, alpha float64) (Model, error) {
	var terms, dropped []string
	for _, t := range candidates {
		first, varies := 0.0, false
		for i, o := range obs {
			if i == 0 {
				first = o.X[t]
			} else if o.X[t] != first {
				varies = true
			}
		}
		if varies {
			terms = append(terms, t)
		} else {
			dropped = append(dropped, t)
		}
	}
	for {
		m, err := Fit(obs, terms)
		if err == ErrSingular && len(terms) > 0 {
			dropped, terms = append(dropped, terms[len(terms)-1]), terms[:len(terms)-1]
			continue
		}
		if err != nil {
			m.Dropped = dropped
			return m, err
		}
		worst, wp := -1, alpha
		for i := 1; i < len(m.Terms); i++ {
			if m.P[i] > wp {
				worst, wp = i, m.P[i]
			}
		}
		if worst < 0 {
			m.Dropped = dropped
			return m, nil
		}
		name := m.Terms[worst]
		dropped = append(dropped, name)
		var keep []string
		for _, t := range terms {
			if t != name {
				keep = append(keep, t)
			}
		}
		terms = keep
	}
}

// Accepted reports whether a model meets the calibration criteria.
func Accepted(m Model, cvMax, nmbeMax float64) bool {
	return m.N > m.K && m.CVRMSE <= cvMax && math.Abs(m.NMBE) <= nmbeMax
}

// invert inverts a small symmetric positive definite matrix by Gauss–Jordan elimination with partial pivoting.
func invert(a [][]float64) ([][]float64, error) {
	n := len(a)
	m := make([][]float64, n)
	scale := 0.0
	for i := range a {
		m[i] = make([]float64, 2*n)
		copy(m[i], a[i])
		m[i][n+i] = 1
		scale = math.Max(scale, math.Abs(a[i][i]))
	}
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if math.Abs(m[p][c]) <= 1e-12*math.Max(scale, 1) {
			return nil, ErrSingular
		}
		m[c], m[p] = m[p], m[c]
		d := m[c][c]
		for j := range m[c] {
			m[c][j] /= d
		}
		for r := 0; r < n; r++ {
			if r != c && m[r][c] != 0 {
				f := m[r][c]
				for j := range m[r] {
					m[r][j] -= f * m[c][j]
				}
			}
		}
	}
	out := make([][]float64, n)
	for i := range m {
		out[i] = m[i][n:]
	}
	return out, nil
}

// TwoSidedP is the two-sided p-value of Student's t with df degrees of freedom: I_{df/(df+t²)}(df/2, 1/2).
func TwoSidedP(t, df float64) float64 {
	if df <= 0 {
		return 1
	}
	return regIncBeta(df/2, 0.5, df/(df+t*t))
}

// regIncBeta is the regularised incomplete beta function I_x(a, b) (continued fraction, Lentz's method).
func regIncBeta(a, b, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	la, _ := math.Lgamma(a + b)
	lb, _ := math.Lgamma(a)
	lc, _ := math.Lgamma(b)
	front := math.Exp(la - lb - lc + a*math.Log(x) + b*math.Log(1-x))
	if x < (a+1)/(a+b+2) {
		return front * betacf(a, b, x) / a
	}
	return 1 - front*betacf(b, a, 1-x)/b
}

func betacf(a, b, x float64) float64 {
	const tiny = 1e-300
	qab, qap, qam := a+b, a+1, a-1
	c, d := 1.0, 1-qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= 300; m++ {
		fm := float64(m)
		aa := fm * (b - fm) * x / ((qam + 2*fm) * (a + 2*fm))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		aa = -(a + fm) * (qab + fm) * x / ((a + 2*fm) * (qap + 2*fm))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-14 {
			break
		}
	}
	return h
}
