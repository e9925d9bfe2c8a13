package pv

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
)

// demoSeason is the monthly share of a year's PV generation (the same shape as energy's demo).
var demoSeason = [12]float64{0.55, 0.65, 0.85, 1.0, 1.15, 1.2, 1.3, 1.3, 1.1, 0.9, 0.65, 0.5}

type demoSite struct {
	building, org int64
	name, bname   string
	hasStats      bool
}

// LoadDemo registers demo PV systems on top of energy's demo: the units whose statistics already report PV
// generation (from 2023) get a system on their building whose generation meter's daily readings add up to those
// monthly figures (so nothing is counted twice), plus systems commissioned in 2024 and 2026 on other buildings;
// some have an export meter. It assesses the roofs of the demo buildings. It does nothing when systems exist.
func (s *Service) LoadDemo(ctx context.Context) error {
	if n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM energy_pv_systems"); err != nil || n > 0 {
		return err
	}
	ctx = audit.WithActor(ctx, audit.Actor{Username: "demo"})
	now := s.Clock.Now()
	last := LastComplete(now)
	sites, err := db.Select(ctx, s.DB, func(r db.Scanner) (demoSite, error) {
		var d demoSite
		var n int64
		err := r.Scan(&d.building, &d.org, &d.name, &d.bname, &n)
		d.hasStats = n > 0
		return d, err
	}, `SELECT b.id, b.org_id, o.name, b.name, (SELECT COUNT(*) FROM energy_usage u WHERE u.org_id = b.org_id AND u.energy_type = 'pv_generation')
		FROM buildings b JOIN orgs o ON o.id = b.org_id WHERE b.status = 'active' AND b.id = (SELECT MIN(b2.id) FROM buildings b2 WHERE b2.org_id = b.org_id)
		ORDER BY o.path`)
	if err != nil || len(sites) == 0 {
		return err
	}
	metered := map[int64]bool{}
	if ids, err := db.Int64s(ctx, s.DB, "SELECT DISTINCT org_id FROM energy_meters WHERE energy_type = 'electricity'"); err == nil {
		for _, id := range ids {
			metered[id] = true
		}
	}
	var chosen []demoSite
	for _, d := range sites {
		if d.hasStats && len(chosen) < 5 {
			chosen = append(chosen, d)
		}
	}
	extra := 0
	for _, d := range sites {
		if !d.hasStats && !metered[d.org] && extra < 2 && len(sites) > 20 && d.building%7 == 3 {
			chosen, extra = append(chosen, d), extra+1
		}
	}
	sc := auth.Everything()
	var readings []energy.Reading
	withPV := map[int64]bool{}
	for i, d := range chosen {
		// Monthly generation: the unit's statistics when it reports PV, else 1 100 kWh/kWp a year with the season.
		monthly := map[energy.Period]float64{}
		kwp := 0.0
		commission := time.Date(2023, 1, 1, 0, 0, 0, 0, energy.Shanghai)
		if d.hasStats {
			for y := 2023; y <= last.Year; y++ {
				us, err := energy.GetUsage(ctx, s.DB, d.org, y)
				if err != nil {
					return err
				}
				for _, u := range us {
					if u.EnergyType != "pv_generation" {
						continue
					}
					for m := range u.M {
						if u.Has[m] {
							monthly[energy.Period{Year: y, Month: m + 1}] = u.M[m]
						}
					}
					if y == 2023 {
						kwp = math.Round(u.Total() / 1100)
					}
				}
			}
		} else {
			kwp = float64(60 + 40*i)
			commission = time.Date(2024, 6, 18, 0, 0, 0, 0, energy.Shanghai)
			if extra > 1 && i == len(chosen)-1 {
				commission = time.Date(last.Year, 3, 10, 0, 0, 0, 0, energy.Shanghai)
			}
			sum := 0.0
			for _, w := range demoSeason {
				sum += w
			}
			for p := (energy.Period{Year: commission.Year(), Month: int(commission.Month())}); !last.Before(p); p = next(p) {
				v := kwp * 1100 * demoSeason[p.Month-1] / sum
				if p.Year == commission.Year() && p.Month == int(commission.Month()) {
					days := daysIn(p)
					v *= float64(days-commission.Day()+1) / float64(days)
				}
				monthly[p] = math.Round(v*100) / 100
			}
		}
		if kwp <= 0 {
			kwp = 50
		}
		mode := ModeSelfUse
		if i%3 == 2 {
			mode = ModeFullExport
		}
		yes, iv := true, int64(86400)
		gen, err := s.Energy.CreateMeter(ctx, sc, energy.MeterInput{OrgID: d.org, BuildingID: d.building, Code: fmt.Sprintf("PV-%d-G", d.building),
			Name: d.bname + "光伏发电量表", EnergyType: "pv_generation", Cumulative: &yes, IntervalS: &iv, Note: "演示数据"})
		if err != nil {
			return err
		}
		var exportID int64
		exportShare := 0.0
		if mode == ModeSelfUse && !metered[d.org] && i%2 == 0 {
			ex, err := s.Energy.CreateMeter(ctx, sc, energy.MeterInput{OrgID: d.org, BuildingID: d.building, Code: fmt.Sprintf("PV-%d-X", d.building),
				Name: d.bname + "光伏上网关口表", EnergyType: "electricity", Cumulative: &yes, IntervalS: &iv, Note: "演示数据：光伏余电上网"})
			if err != nil {
				return err
			}
			exportID, exportShare = ex.ID, 0.22+0.04*float64(i)
		}
		kw := kwp
		in := Input{BuildingID: d.building, Name: d.bname + "屋顶光伏", CapacityKWp: &kw, Commissioned: commission.Format("2006-01-02"),
			Inverter: "组串式逆变器 " + fmt.Sprintf("%.0f", math.Max(kwp/50, 1)) + " 台", RoofAreaM2: math.Round(kwp * 5.5), GridMode: mode,
			GenMeterID: gen.ID, ExportMeterID: exportID, Status: "operating", Note: "演示数据"}
		if _, err := s.CreateSystem(ctx, sc, in); err != nil {
			return err
		}
		withPV[d.building] = true
		// Daily cumulative readings at 00:00 (a reading at midnight closes the previous day).
		g, x := 10000.0, 5000.0
		day := commission
		readings = append(readings, energy.Reading{MeterID: gen.ID, TS: day.Unix(), Value: g})
		if exportID != 0 {
			readings = append(readings, energy.Reading{MeterID: exportID, TS: day.Unix(), Value: x})
		}
		end := time.Date(last.Year, time.Month(last.Month)+1, 1, 0, 0, 0, 0, energy.Shanghai)
		for day.Before(end) {
			p := energy.Period{Year: day.Year(), Month: int(day.Month())}
			dd := float64(daysIn(p))
			if p.Year == commission.Year() && p.Month == int(commission.Month()) && !d.hasStats {
				dd = float64(daysIn(p) - commission.Day() + 1)
			}
			v := monthly[p] / dd
			day = day.AddDate(0, 0, 1)
			g += v
			readings = append(readings, energy.Reading{MeterID: gen.ID, TS: day.Unix(), Value: math.Round(g*1000) / 1000})
			if exportID != 0 {
				x += v * exportShare
				readings = append(readings, energy.Reading{MeterID: exportID, TS: day.Unix(), Value: math.Round(x*1000) / 1000})
			}
		}
	}
	for start := 0; start < len(readings); start += 20000 {
		if _, err := s.Energy.IngestReadings(ctx, sc, readings[start:min(start+20000, len(readings))], "demo"); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		s.Energy.WaitRollups(ctx)
		n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM energy_rollup_queue")
		if err != nil || n == 0 {
			break
		}
	}
	// Roof assessments: every building with a system is eligible; of the others, most are, some are not.
	newMarked := 0
	for i, d := range sites {
		el := withPV[d.building] || i%4 != 1
		in := EligibilityInput{Eligible: &el, RoofAreaM2: 300 + float64(i%5)*80}
		if !el {
			in.Reason, in.RoofAreaM2 = []string{"坡屋面且有遮挡", "屋面荷载不足", "文物保护建筑"}[i%3], 0
		}
		if el && newMarked < 4 && (withPV[d.building] || i%9 == 0) {
			nb := true // demo: count a few buildings as new (none of the demo buildings is built after 2021)
			in.NewBuilding, newMarked = &nb, newMarked+1
		}
		if _, err := s.SetEligibility(ctx, sc, d.building, in); err != nil {
			return err
		}
	}
	return s.DB.Tx(ctx, func(q db.Q) error {
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.pv.demo", ObjectType: "demo", ObjectKey: "energy_pv", Success: true,
			Extra: map[string]any{"systems": len(chosen), "readings": len(readings)}})
	})
}

func next(p energy.Period) energy.Period {
	if p.Month == 12 {
		return energy.Period{Year: p.Year + 1, Month: 1}
	}
	return energy.Period{Year: p.Year, Month: p.Month + 1}
}

func daysIn(p energy.Period) int {
	return time.Date(p.Year, time.Month(p.Month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
