package emc

import (
	"context"
	"math"
	"time"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/num"
)

// MonthRow is one month of an M&V report for one energy type (amounts in the type's unit).
type MonthRow struct {
	Period   string  `json:"period"`
	HDD      float64 `json:"hdd"`
	CDD      float64 `json:"cdd"`
	Occ      float64 `json:"occupancy,omitempty"`
	Actual   float64 `json:"actual"`
	Baseline float64 `json:"baseline" doc:"基期为模型拟合值；报告期为校准后的基准能耗"`
	Saved    float64 `json:"avoided" doc:"报告期节能量 = 校准基准能耗 − 实际能耗"`
	Kgce     float64 `json:"avoided_kgce"`
	CO2Kg    float64 `json:"avoided_co2_kg"`
	Yuan     float64 `json:"saved_yuan"`
}

// TypeMV is the M&V of one energy type of a contract.
type TypeMV struct {
	EnergyType string     `json:"energy_type"`
	Unit       string     `json:"unit"`
	Model      Model      `json:"model"`
	ModelError string     `json:"model_error,omitempty"`
	Accepted   bool       `json:"accepted"`
	Price      float64    `json:"price"`
	Baseline   []MonthRow `json:"baseline_months"`
	Reporting  []MonthRow `json:"reporting_months"`
	Saved      float64    `json:"avoided"`
	Kgce       float64    `json:"avoided_kgce"`
	CO2Kg      float64    `json:"avoided_co2_kg"`
	Yuan       float64    `json:"saved_yuan"`
}

// Settlement is one period (contract year) of the shared-savings settlement schedule.
type Settlement struct {
	No        int     `json:"period"`
	From      string  `json:"from" doc:"首月 YYYY-MM"`
	To        string  `json:"to" doc:"末月 YYYY-MM"`
	Months    int     `json:"months_with_data"`
	Complete  bool    `json:"complete" doc:"结算期已结束（截至报告月）"`
	Kgce      float64 `json:"avoided_kgce"`
	Yuan      float64 `json:"saved_yuan"`
	ESCOShare float64 `json:"esco_share"`
	ESCOYuan  float64 `json:"esco_yuan"`
	UnitYuan  float64 `json:"unit_yuan"`
	Shortfall float64 `json:"guarantee_shortfall_kgce,omitempty" doc:"节能量保证型：保证节能量未达部分"`
	Due       string  `json:"due_date"`
	Paid      bool    `json:"paid"`
	PaidBy    string  `json:"paid_by,omitempty"`
}

// Report is the M&V report of a contract through a month.
type Report struct {
	Contract    Contract     `json:"contract"`
	Through     string       `json:"through"`
	Criteria    Criteria     `json:"criteria"`
	Types       []TypeMV     `json:"types"`
	Accepted    bool         `json:"accepted" doc:"全部品种的基准模型通过验收"`
	Settleable  bool         `json:"settleable" doc:"通过验收，或已记录放行理由"`
	Kgce        float64      `json:"avoided_kgce"`
	CO2Kg       float64      `json:"avoided_co2_kg"`
	Yuan        float64      `json:"saved_yuan"`
	Settlements []Settlement `json:"settlements"`
}

// monthSaving is what the schedule needs of a reporting month.
type monthSaving struct {
	Kgce, Yuan float64
}

// Schedule splits the reporting months' savings into contract years: period k holds the months k·12−11…k·12 counted
// from the month of the term start, up to the month of the term end. Each period's money savings go to the ESCO by
// its share for that year (nothing when the savings are negative) and the rest to the unit; a period is complete
// when its last month is not after through; it is due dueDays after the end of its last month. For 节能量保证型
// the shortfall is the guaranteed annual kgce, pro rata for a short final period, less the period's avoided kgce.
func Schedule(c Contract, months map[energy.Period]monthSaving, through energy.Period, dueDays int) []Settlement {
	ts, _ := time.Parse("2006-01-02", c.TermStart)
	te, _ := time.Parse("2006-01-02", c.TermEnd)
	start := energy.Period{Year: ts.Year(), Month: int(ts.Month())}
	end := energy.Period{Year: te.Year(), Month: int(te.Month())}
	var out []Settlement
	for k, first := 1, start; !end.Before(first); k++ {
		last := first
		n := 1
		for n < 12 && last.Before(end) {
			last, n = last.Next(), n+1
		}
		st := Settlement{No: k, From: first.String(), To: last.String(), Complete: !through.Before(last), ESCOShare: c.ShareFor(k)}
		for p := first; !last.Before(p); p = p.Next() {
			if through.Before(p) {
				break
			}
			if m, ok := months[p]; ok {
				st.Months++
				st.Kgce += m.Kgce
				st.Yuan += m.Yuan
			}
		}
		if st.Yuan > 0 {
			st.ESCOYuan = num.Round(st.Yuan*st.ESCOShare, 2)
		}
		st.Yuan = num.Round(st.Yuan, 2)
		st.UnitYuan = num.Round(st.Yuan-st.ESCOYuan, 2)
		if c.Type == "guaranteed_savings" && c.GuaranteedKgce > 0 && st.Complete {
			st.Shortfall = num.Round(math.Max(0, c.GuaranteedKgce*float64(n)/12-st.Kgce), 1)
		}
		st.Kgce = num.Round(st.Kgce, 1)
		lastDay := time.Date(last.Year, time.Month(last.Month)+1, 0, 0, 0, 0, 0, time.UTC)
		st.Due = lastDay.AddDate(0, 0, dueDays).Format("2006-01-02")
		out = append(out, st)
		first = last.Next()
	}
	return out
}

// LastComplete is the last complete month at now.
func LastComplete(now time.Time) energy.Period {
	p := energy.PeriodOf(now.Unix())
	if p.Month == 1 {
		return energy.Period{Year: p.Year - 1, Month: 12}
	}
	return energy.Period{Year: p.Year, Month: p.Month - 1}
}

// degreeDays loads the degree days of a region, the most specific region of the chain (county, city, province,
// national) winning for each month.
func degreeDays(ctx context.Context, q db.Q, region string) (map[string]DegreeDay, error) {
	chain := []string{""}
	if len(region) == 6 {
		chain = []string{region, region[:4] + "00", region[:2] + "0000", ""}
	}
	out := map[string]DegreeDay{}
	for i := len(chain) - 1; i >= 0; i-- {
		ds, err := db.Select(ctx, q, func(r db.Scanner) (DegreeDay, error) {
			var d DegreeDay
			return d, r.Scan(&d.RegionCode, &d.Period, &d.HDD, &d.CDD, &d.Source)
		}, "SELECT region_code, period, hdd, cdd, source FROM energy_emc_degree_days WHERE region_code = ?", chain[i])
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			out[d.Period] = d
		}
	}
	return out, nil
}

// Report computes the M&V of a contract through a month (capped at the term end).
func (s *Service) Report(ctx context.Context, c Contract, through energy.Period) (Report, error) {
	q := s.DB
	rep := Report{Contract: c, Settleable: true, Accepted: true}
	var err error
	if rep.Criteria, err = loadCriteria(ctx, q, s.Clock.Now().Format("2006-01-02")); err != nil {
		return rep, err
	}
	ts, _ := time.Parse("2006-01-02", c.TermStart)
	te, _ := time.Parse("2006-01-02", c.TermEnd)
	start := energy.Period{Year: ts.Year(), Month: int(ts.Month())}
	if end := (energy.Period{Year: te.Year(), Month: int(te.Month())}); end.Before(through) {
		through = end
	}
	rep.Through = through.String()
	bf, _ := energy.ParsePeriod(c.BaselineFrom)
	bt, _ := energy.ParsePeriod(c.BaselineTo)
	dd, err := degreeDays(ctx, q, c.RegionCode)
	if err != nil {
		return rep, err
	}
	occ := map[string]float64{}
	rows, err := q.Query(ctx, "SELECT period, value FROM energy_emc_occupancy WHERE contract_id = ?", c.ID)
	if err != nil {
		return rep, err
	}
	for rows.Next() {
		var p string
		var v float64
		if err := rows.Scan(&p, &v); err != nil {
			rows.Close()
			return rep, err
		}
		occ[p] = v
	}
	rows.Close()
	// Effective monthly figures of the unit, by type and month.
	usage := map[string]map[energy.Period]float64{}
	factors := map[int]*energy.Factors{}
	last := through
	if last.Before(bt) {
		last = bt
	}
	for y := bf.Year; y <= last.Year; y++ {
		us, err := energy.GetUsage(ctx, q, c.OrgID, y)
		if err != nil {
			return rep, err
		}
		for _, u := range us {
			if usage[u.EnergyType] == nil {
				usage[u.EnergyType] = map[energy.Period]float64{}
			}
			for i := range u.M {
				if u.Has[i] {
					usage[u.EnergyType][energy.Period{Year: y, Month: i + 1}] = u.M[i]
				}
			}
		}
	}
	factorsFor := func(y int) (*energy.Factors, error) {
		if f, ok := factors[y]; ok {
			return f, nil
		}
		f, err := energy.LoadFactors(ctx, q, y)
		factors[y] = f
		return f, err
	}
	money := map[energy.Period]monthSaving{}
	for _, typ := range c.EnergyTypes {
		t, _ := energy.TypeByCode(typ)
		mv := TypeMV{EnergyType: typ, Unit: t.Unit, Price: c.Prices[typ]}
		obsOf := func(p energy.Period) (Obs, bool) {
			v, ok := usage[typ][p]
			d, okd := dd[p.String()]
			if !ok || !okd {
				return Obs{}, false
			}
			x := map[string]float64{TermHDD: d.HDD, TermCDD: d.CDD}
			if o, ok := occ[p.String()]; ok {
				x[TermOcc] = o
			}
			return Obs{Period: p.String(), Y: v, X: x}, true
		}
		var base []Obs
		allOcc := true
		for p := bf; !bt.Before(p); p = p.Next() {
			if o, ok := obsOf(p); ok {
				base = append(base, o)
				if _, ok := o.X[TermOcc]; !ok {
					allOcc = false
				}
			}
		}
		cands := []string{TermHDD, TermCDD}
		if allOcc && len(base) > 0 {
			cands = append(cands, TermOcc)
		}
		mv.Model, err = Select(base, cands, rep.Criteria.Alpha)
		if err != nil {
			mv.ModelError = err.Error()
		} else {
			mv.Accepted = Accepted(mv.Model, rep.Criteria.CVRMSEMax, rep.Criteria.NMBEMax)
			for i, o := range base {
				mv.Baseline = append(mv.Baseline, MonthRow{Period: o.Period, HDD: o.X[TermHDD], CDD: o.X[TermCDD], Occ: o.X[TermOcc], Actual: o.Y,
					Baseline: mv.Model.Fitted[i]})
			}
			for p := start; !through.Before(p); p = p.Next() {
				o, ok := obsOf(p)
				if !ok {
					continue
				}
				if _, ok := o.X[TermOcc]; !ok && hasTerm(mv.Model, TermOcc) {
					continue
				}
				f, err := factorsFor(p.Year)
				if err != nil {
					return rep, err
				}
				r := MonthRow{Period: o.Period, HDD: o.X[TermHDD], CDD: o.X[TermCDD], Occ: o.X[TermOcc], Actual: o.Y, Baseline: mv.Model.Predict(o.X)}
				r.Saved = r.Baseline - r.Actual
				r.Kgce = r.Saved * f.Kgce(typ, c.RegionCode).Value
				r.CO2Kg = r.Saved * f.CO2(typ, c.RegionCode).Value
				r.Yuan = r.Saved * mv.Price
				mv.Reporting = append(mv.Reporting, r)
				mv.Saved += r.Saved
				mv.Kgce += r.Kgce
				mv.CO2Kg += r.CO2Kg
				mv.Yuan += r.Yuan
				m := money[p]
				m.Kgce += r.Kgce
				m.Yuan += r.Yuan
				money[p] = m
			}
		}
		if !mv.Accepted {
			rep.Accepted = false
		}
		rep.Kgce += mv.Kgce
		rep.CO2Kg += mv.CO2Kg
		rep.Yuan += mv.Yuan
		rep.Types = append(rep.Types, mv)
	}
	rep.Settleable = rep.Accepted || c.OverrideReason != ""
	rep.Settlements = Schedule(c, money, through, rep.Criteria.DueDays)
	paid, err := db.Select(ctx, q, func(r db.Scanner) ([3]any, error) {
		var n int
		var p bool
		var by string
		err := r.Scan(&n, &p, &by)
		return [3]any{n, p, by}, err
	}, "SELECT period_no, paid, recorded_by FROM energy_emc_payments WHERE contract_id = ?", c.ID)
	if err != nil {
		return rep, err
	}
	for _, p := range paid {
		for i := range rep.Settlements {
			if rep.Settlements[i].No == p[0].(int) {
				rep.Settlements[i].Paid, rep.Settlements[i].PaidBy = p[1].(bool), p[2].(string)
			}
		}
	}
	return rep, nil
}

func hasTerm(m Model, t string) bool {
	for _, x := range m.Terms {
		if x == t {
			return true
		}
	}
	return false
}
