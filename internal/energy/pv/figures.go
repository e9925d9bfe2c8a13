package pv

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/db"
)

// Month is one month of a system's figures (kWh).
type Month struct {
	Period     string  `json:"period"`
	Generation float64 `json:"generation_kwh"`
	Exported   float64 `json:"exported_kwh"`
	SelfUsed   float64 `json:"self_consumed_kwh"`
	Has        bool    `json:"has_data"`
}

// Figures are a system's figures for one year.
type Figures struct {
	SystemID      int64   `json:"system_id"`
	Year          int     `json:"year"`
	Months        []Month `json:"months"`
	Generation    float64 `json:"generation_kwh"`
	Exported      float64 `json:"exported_kwh"`
	SelfUsed      float64 `json:"self_consumed_kwh"`
	SelfShare     float64 `json:"self_consumption_ratio" doc:"自用电量占发电量的比例"`
	Yield         float64 `json:"specific_yield" doc:"kWh/kWp，本年实际"`
	YieldAnnual   float64 `json:"specific_yield_annualised" doc:"kWh/kWp，按运行天数折算为全年"`
	OperatingDays int     `json:"operating_days" doc:"本年计入的运行天数（投运日起至最近一个完整月末）"`
	PeriodDays    int     `json:"year_days"`
	CO2Kg         float64 `json:"co2_avoided_kg"`
	Kgce          float64 `json:"kgce"`
	CO2Factor     float64 `json:"co2_factor" doc:"kgCO₂/kWh，电网排放因子"`
	CO2Source     string  `json:"co2_source"`
	KgceFactor    float64 `json:"kgce_factor"`
	ExportMetered bool    `json:"export_metered" doc:"有上网电量表；没有时自发自用模式按全部自用、全额上网模式按全部上网计"`
}

// Compute turns a year of meter figures into a system's figures. last is the last complete month (figures after it
// are ignored); co2 and kgce are the factors per kWh. Operating days run from the commissioning date (or 1 January)
// to the end of the year or of the last complete month, whichever is earlier; the annualised yield scales the yield
// by the days of the year over the operating days.
func Compute(sys System, year int, gen, exp [12]float64, genHas, expHas [12]bool, exportMetered bool, last energy.Period, co2, kgce float64) Figures {
	f := Figures{SystemID: sys.ID, Year: year, ExportMetered: exportMetered, CO2Factor: co2, KgceFactor: kgce}
	start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	yearEnd := time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)
	f.PeriodDays = int(yearEnd.Sub(start).Hours() / 24)
	if c, err := time.Parse("2006-01-02", sys.Commissioned); err == nil && c.After(start) {
		start = c
	}
	end := yearEnd
	if last.Year == year {
		end = time.Date(year, time.Month(last.Month)+1, 1, 0, 0, 0, 0, time.UTC)
	} else if last.Year < year {
		end = start
	}
	if end.After(start) {
		f.OperatingDays = int(math.Round(end.Sub(start).Hours() / 24))
	}
	for m := 1; m <= 12; m++ {
		mo := Month{Period: fmt.Sprintf("%04d-%02d", year, m)}
		if last.Before(energy.Period{Year: year, Month: m}) || !genHas[m-1] {
			f.Months = append(f.Months, mo)
			continue
		}
		mo.Has, mo.Generation = true, gen[m-1]
		switch {
		case exportMetered && expHas[m-1]:
			mo.Exported = math.Min(exp[m-1], mo.Generation)
		case !exportMetered && sys.GridMode == ModeFullExport:
			mo.Exported = mo.Generation
		}
		mo.SelfUsed = mo.Generation - mo.Exported
		f.Generation += mo.Generation
		f.Exported += mo.Exported
		f.SelfUsed += mo.SelfUsed
		f.Months = append(f.Months, mo)
	}
	if f.Generation > 0 {
		f.SelfShare = f.SelfUsed / f.Generation
	}
	if sys.CapacityKWp > 0 {
		f.Yield = f.Generation / sys.CapacityKWp
		if f.OperatingDays > 0 {
			f.YieldAnnual = f.Yield * float64(f.PeriodDays) / float64(f.OperatingDays)
		}
	}
	f.CO2Kg = f.Generation * co2
	f.Kgce = f.Generation * kgce
	return f
}

// LastComplete is the last complete month at now (statistics end the month before the current one).
func LastComplete(now time.Time) energy.Period {
	p := energy.PeriodOf(now.Unix())
	if p.Month == 1 {
		return energy.Period{Year: p.Year - 1, Month: 12}
	}
	return energy.Period{Year: p.Year, Month: p.Month - 1}
}

// SystemFigures loads a system's meter figures for year and computes them with the factors of that year. The
// caller has checked the system is in scope.
func (s *Service) SystemFigures(ctx context.Context, q db.Q, sys System, year int, fs *energy.Factors) (Figures, error) {
	var gen, exp [12]float64
	var genHas, expHas [12]bool
	var err error
	if sys.GenMeterID != 0 {
		if gen, genHas, err = energy.MeterMonths(ctx, q, sys.GenMeterID, year); err != nil {
			return Figures{}, err
		}
	}
	if sys.ExportMeterID != 0 {
		if exp, expHas, err = energy.MeterMonths(ctx, q, sys.ExportMeterID, year); err != nil {
			return Figures{}, err
		}
	}
	co2 := fs.CO2("electricity", sys.RegionCode)
	kg := fs.Kgce("pv_generation", sys.RegionCode)
	f := Compute(sys, year, gen, exp, genHas, expHas, sys.ExportMeterID != 0, LastComplete(s.Clock.Now()), co2.Value, kg.Value)
	f.CO2Source = co2.Source
	return f, nil
}
