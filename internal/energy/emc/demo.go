package emc

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// demoTemp is a synthetic monthly mean outdoor temperature (°C) of the demo province, January to December.
var demoTemp = [12]float64{4, 6, 11, 17, 22, 26, 29, 28.5, 24, 18, 12, 6}

// demoSpread is the half-range (°C) of the synthetic daily mean temperatures around the month's mean.
const demoSpread = 5.0

// demoDegreeDays makes synthetic degree days for a month at the base temperatures in force for the region (the
// page states them): daily means spread evenly ±demoSpread around the month's mean, which varies a little from
// year to year (deterministic), summed day by day and rounded to whole degree days.
func demoDegreeDays(p energy.Period, rng *rand.Rand, b Bases) (hdd, cdd float64) {
	t := demoTemp[p.Month-1] + (rng.Float64()-0.5)*1.5
	days := daysIn(p)
	for d := range days {
		td := t + demoSpread*(2*(float64(d)+0.5)/float64(days)-1)
		hdd += math.Max(0, b.HDD-td)
		cdd += math.Max(0, td-b.CDD)
	}
	return math.Round(hdd), math.Round(cdd)
}

func daysIn(p energy.Period) int {
	return int(p.Next().Start().Sub(p.Start()).Hours()/24 + 0.5)
}

type demoContract struct {
	unit     string
	in       Input
	savings  map[string]float64 // share saved after the retrofit, by type
	paidUpTo int
}

// LoadDemo adds degree days for the demo province since 2020 and three contracts of different types, with
// baselines in 2021–2022. Energy's demo figures have no step down after a retrofit, so for each contract the
// reporting months' statistics entries of the unit are rewritten through energy.Service.SetConsumption as the
// figure already there less the contract's savings; the M&V then computes the savings from the data like any other.
// Years whose annual statistics report is already approved are locked and left alone, so this demo should load
// before the report module's.
// It does nothing when contracts exist.
func (s *Service) LoadDemo(ctx context.Context) error {
	if n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM energy_emc_contracts"); err != nil || n > 0 {
		return err
	}
	ctx = audit.WithActor(ctx, audit.Actor{Username: "demo"})
	now := s.Clock.Now()
	last := LastComplete(now)
	// Degree days for each province code of the demo units.
	regions, err := db.Strings(ctx, s.DB, "SELECT DISTINCT substr(region_code, 1, 2) FROM orgs WHERE region_code IS NOT NULL AND region_code <> ''")
	if err != nil {
		return err
	}
	var ds []DegreeDay
	for _, r := range regions {
		b, err := loadBases(ctx, s.DB, r+"0000", now.Format("2006-01-02"))
		if err != nil {
			return err
		}
		rng := rand.New(rand.NewPCG(2020, 11))
		for p := (energy.Period{Year: 2020, Month: 1}); !last.Before(p); p = p.Next() {
			h, c := demoDegreeDays(p, rng, b)
			ds = append(ds, DegreeDay{RegionCode: r + "0000", Period: p.String(), HDD: h, CDD: c, Source: "演示数据（按季节规律合成）"})
		}
	}
	if err := s.SetDegreeDays(ctx, auth.Everything(), ds); err != nil {
		return err
	}
	contracts := []demoContract{
		{unit: "松岭县教育局", savings: map[string]float64{"electricity": 0.16, "natural_gas": 0.12}, paidUpTo: 2, in: Input{
			Name: "松岭县教育局办公楼照明与空调节能改造", ESCOName: "示范绿能节能服务有限公司", ESCOCreditCode: "91990000MA5DEM001X", Type: "shared_savings",
			SignDate: "2022-11-20", TermStart: "2023-01-01", TermEnd: "2027-12-31", BaselineFrom: "2021-01", BaselineTo: "2022-12",
			InvestmentYuan: 1280000, Prices: map[string]float64{"electricity": 0.68, "natural_gas": 3.45},
			Shares: []Share{{1, 3, 80}, {4, 5, 60}}, Status: "active", Note: "演示数据"}},
		{unit: "青山市第一人民医院", savings: map[string]float64{"electricity": 0.11}, in: Input{
			Name: "青山市第一人民医院能源费用托管", ESCOName: "青山智慧能源服务有限公司", ESCOCreditCode: "91990100MA5DEM002Y", Type: "energy_outsourcing",
			SignDate: "2023-05-10", TermStart: "2023-07-01", TermEnd: "2031-06-30", BaselineFrom: "2021-07", BaselineTo: "2023-06",
			InvestmentYuan: 3600000, Prices: map[string]float64{"electricity": 0.72, "natural_gas": 3.6},
			Shares: []Share{{1, 8, 90}}, Status: "active", Note: "演示数据"}},
		{unit: "示范省体育中心", savings: map[string]float64{"electricity": 0.09}, in: Input{
			Name: "示范省体育中心场馆照明节能量保证项目", ESCOName: "示范节能科技股份有限公司", ESCOCreditCode: "91990000MA5DEM003W", Type: "guaranteed_savings",
			SignDate: "2023-10-08", TermStart: "2024-01-01", TermEnd: "2028-12-31", BaselineFrom: "2022-01", BaselineTo: "2022-12",
			InvestmentYuan: 860000, Prices: map[string]float64{"electricity": 0.7}, Status: "active", Note: "演示数据：用能单位投资，节能服务公司保证节能量"}},
	}
	sc := auth.Everything()
	for i, dc := range contracts {
		var orgID int64
		if err := s.DB.QueryRow(ctx, "SELECT id FROM orgs WHERE name = ?", dc.unit).Scan(&orgID); err != nil {
			if db.IsNoRows(err) {
				continue
			}
			return err
		}
		in := dc.in
		in.OrgID = orgID
		// Only the types the unit reports.
		start, _ := energy.ParsePeriod(in.TermStart[:7])
		var types []string
		for _, t := range []string{"electricity", "natural_gas"} {
			if _, ok := dc.savings[t]; !ok {
				continue
			}
			if n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM energy_usage WHERE org_id = ? AND energy_type = ? AND year = 2021", orgID, t); err != nil {
				return err
			} else if n > 0 {
				types = append(types, t)
			}
		}
		if len(types) == 0 {
			continue
		}
		in.EnergyTypes = types
		annual := 0.0
		rng := rand.New(rand.NewPCG(uint64(orgID), 7))
		for _, t := range types {
			for y := start.Year; y <= last.Year; y++ {
				us, err := energy.GetUsage(ctx, s.DB, orgID, y)
				if err != nil {
					return err
				}
				for _, u := range us {
					if u.EnergyType != t {
						continue
					}
					for m := range u.M {
						p := energy.Period{Year: y, Month: m + 1}
						if !u.Has[m] || p.Before(start) || last.Before(p) {
							continue
						}
						v := math.Round(u.M[m]*(1-dc.savings[t]*(0.9+0.2*rng.Float64()))*100) / 100
						if _, err := s.Energy.SetConsumption(ctx, sc, energy.ConsumptionInput{OrgID: orgID, Period: p.String(), EnergyType: t, Amount: v, Note: "演示数据：合同能源管理改造后"}, "demo"); errs.Is(err, errs.CodeConflict) {
							break // the year's statistics report is approved and locked (the report demo ran first): leave the year as it is
						} else if err != nil {
							return fmt.Errorf("demo contract %s %s %s: %w", dc.unit, p, t, err)
						}
					}
				}
			}
		}
		if in.Type == "guaranteed_savings" {
			// Guarantee about 80 % of the expected savings.
			us, _ := energy.GetUsage(ctx, s.DB, orgID, 2022)
			for _, u := range us {
				if u.EnergyType == "electricity" {
					annual = u.Total() * dc.savings["electricity"] * 0.8 * 0.1229
				}
			}
			in.GuaranteedKgce = math.Round(annual)
		}
		c, err := s.Save(ctx, sc, 0, in)
		if err != nil {
			return fmt.Errorf("demo contract %d: %w", i, err)
		}
		rep, err := s.Report(ctx, c, last)
		if err != nil {
			return err
		}
		if !rep.Settleable {
			continue
		}
		for _, st := range rep.Settlements {
			if st.Complete && st.No <= dc.paidUpTo {
				if err := s.SetPaid(ctx, sc, c.ID, st.No, true, "演示数据"); err != nil {
					return err
				}
			}
		}
	}
	return s.DB.Tx(ctx, func(q db.Q) error {
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.contract.demo", ObjectType: "demo", ObjectKey: "energy_emc", Success: true,
			Extra: map[string]any{"contracts": len(contracts), "degree_days": len(ds)}})
	})
}
