package energy

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
)

// The demo's energy data: monthly statistics for every active unit from January 2020 (the baseline year) to the
// last complete month, with seasonal patterns by type and category, a slow decline for most units and growth for
// a few (so some are behind their targets), yearly headcount and floor area, rooftop PV for a few units from 2023;
// and, for three units, metered buildings with 15-minute readings of a main meter and its sub-items since
// 1 September of the current year (their electricity for those months comes from the meters), including a meter
// replacement, a gap and a spike for review. Deterministic: the same data every time.

// demoProfile is a category's annual intensity and the types it uses.
type demoProfile struct {
	// kgcePerM2 is the annual standard coal per m² (the Guangdong 2021 averages of
	// docs/domain/energy.md §National and provincial figures).
	kgcePerM2  float64
	waterPerHC float64            // annual water per person, m³
	shares     map[string]float64 // share of kgce by type (electricity the rest)
}

var demoProfiles = map[string]demoProfile{
	"organ":            {11.5, 45, map[string]float64{"natural_gas": 0.10, "gasoline": 0.12, "diesel": 0.03, "heat": 0.08}},
	"higher_education": {4.8, 50, map[string]float64{"natural_gas": 0.18, "heat": 0.12, "coal": 0.04, "gasoline": 0.02, "lpg": 0.03}},
	"school":           {3.3, 43, map[string]float64{"natural_gas": 0.15, "lpg": 0.05}},
	"hospital":         {15.9, 56, map[string]float64{"natural_gas": 0.22, "heat": 0.10, "diesel": 0.02, "lpg": 0.02}},
	"venue":            {9.9, 11, map[string]float64{"natural_gas": 0.12, "heat": 0.08}},
	"other":            {8.0, 30, map[string]float64{"natural_gas": 0.05}},
}

// Monthly weights (Jan…Dec), normalised when used.
var (
	seasonElec  = [12]float64{1.15, 0.95, 0.9, 0.85, 0.95, 1.12, 1.3, 1.3, 1.05, 0.9, 0.95, 1.1}
	seasonHeat  = [12]float64{1.9, 1.6, 1.1, 0.45, 0.15, 0.1, 0.1, 0.1, 0.15, 0.55, 1.3, 1.9}
	seasonWater = [12]float64{0.85, 0.8, 0.9, 0.95, 1.05, 1.15, 1.25, 1.2, 1.05, 0.95, 0.9, 0.85}
	seasonFlat  = [12]float64{1, 0.9, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	seasonPV    = [12]float64{0.55, 0.65, 0.85, 1.0, 1.15, 1.2, 1.3, 1.3, 1.1, 0.9, 0.65, 0.5}
	schoolBreak = [12]float64{0.9, 0.55, 1, 1, 1, 1, 0.75, 0.5, 1, 1, 1, 1.05}
)

func season(typ, category string) [12]float64 {
	var w [12]float64
	switch typ {
	case "electricity":
		w = seasonElec
	case "natural_gas", "heat", "coal":
		w = seasonHeat
	case "water":
		w = seasonWater
	case "pv_generation":
		w = seasonPV
	default:
		w = seasonFlat
	}
	if category == "school" || category == "higher_education" {
		for i := range w {
			w[i] *= schoolBreak[i]
		}
	}
	sum := 0.0
	for _, v := range w {
		sum += v
	}
	for i := range w {
		w[i] /= sum
	}
	return w
}

type demoUnit struct {
	ID                int64
	Name, Category    string
	Region            string
	Headcount         int64
	Area              float64
	trend, scale, pvK float64
	types             []string
}

// LoadDemo adds the demo energy data (see above). It does nothing when the database already holds energy figures.
func (s *Service) LoadDemo(ctx context.Context) error {
	if n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM energy_usage"); err != nil || n > 0 {
		return err
	}
	ctx = audit.WithActor(ctx, audit.Actor{Username: "demo"})
	now := s.Clock.Now()
	last := PeriodOf(now.Unix()) // the current month is not complete: statistics end the month before
	if last.Month == 1 {
		last = Period{last.Year - 1, 12}
	} else {
		last.Month--
	}
	rng := rand.New(rand.NewPCG(20260301, 77))
	units, err := db.Select(ctx, s.DB, func(sc db.Scanner) (demoUnit, error) {
		var u demoUnit
		return u, sc.Scan(&u.ID, &u.Name, &u.Category, &u.Region, &u.Headcount, &u.Area)
	}, "SELECT id, name, category, COALESCE(region_code, ''), headcount, floor_area_m2 FROM orgs WHERE status = 'active' ORDER BY path")
	if err != nil || len(units) == 0 {
		return err
	}
	metered := s.demoMeteredUnits(units)
	elecYear := map[int64]float64{} // last year's electricity of each unit, to size its meters
	var entries []Entry
	var usage []Usage
	var orgYears [][4]any
	for i := range units {
		u := &units[i]
		prof, ok := demoProfiles[u.Category]
		if !ok {
			prof = demoProfiles["other"]
		}
		if u.Area <= 0 {
			u.Area = float64(20*u.Headcount + 300)
		}
		u.scale = 0.75 + rng.Float64()*0.5
		u.trend = -0.025 + rng.Float64()*0.02 // most units save 0.5–2.5 % a year
		if rng.IntN(8) == 0 {
			u.trend = 0.01 + rng.Float64()*0.02 // a few grow
		}
		u.types = []string{"electricity", "water"}
		for _, t := range slices.Sorted(maps.Keys(prof.shares)) { // sorted: the demo must not depend on map order
			if rng.Float64() < 0.75 {
				u.types = append(u.types, t)
			}
		}
		if rng.IntN(6) == 0 {
			u.pvK = 20 + float64(rng.IntN(180)) // kWp of rooftop PV (from 2023)
			u.types = append(u.types, "pv_generation")
		}
		for y := 2020; y <= last.Year; y++ {
			growth := math.Pow(1+u.trend, float64(y-2020))
			hc := float64(u.Headcount) * (0.97 + 0.06*rng.Float64())
			area := u.Area
			if y >= 2023 && rng.IntN(10) == 0 {
				area *= 1.05
			}
			orgYears = append(orgYears, [4]any{u.ID, y, int64(math.Round(hc)), math.Round(area)})
			kgce := prof.kgcePerM2 * area * u.scale * growth
			for _, t := range u.types {
				var annual float64
				switch t {
				case "water":
					annual = prof.waterPerHC * hc * u.scale * growth
				case "pv_generation":
					if y < 2023 {
						continue
					}
					annual = u.pvK * 1100 // kWh per kWp per year
				case "electricity":
					rest := 1.0
					for _, sh := range prof.shares {
						rest -= sh
					}
					annual = kgce * rest / 0.1229
				default:
					factor := map[string]float64{"natural_gas": 1.33, "gasoline": 1.4714, "diesel": 1.4571, "lpg": 1.7143, "coal": 0.7143, "heat": 34.12}[t]
					annual = kgce * prof.shares[t] / factor
				}
				if t == "electricity" && y == last.Year-1 {
					elecYear[u.ID] = annual
				}
				w := season(t, u.Category)
				us := Usage{OrgID: u.ID, Year: y, EnergyType: t}
				for m := 1; m <= 12; m++ {
					p := Period{y, m}
					if last.Before(p) {
						break
					}
					v := annual * w[m-1] * (0.94 + 0.12*rng.Float64())
					v = math.Round(v*100) / 100
					if metered[u.ID] && t == "electricity" && y == last.Year && m >= 9 {
						continue // these months come from the meters
					}
					us.M[m-1], us.Has[m-1], us.Entry[m-1] = v, true, true
					entries = append(entries, Entry{OrgID: u.ID, Period: p.String(), EnergyType: t, Amount: v, InputAmount: v, InputUnit: mustType(t).Unit})
				}
				usage = append(usage, us)
			}
		}
	}
	err = s.DB.Tx(ctx, func(q db.Q) error {
		if err := insertDemoEntries(ctx, q, entries, now); err != nil {
			return err
		}
		if err := writeUsage(ctx, q, usage); err != nil {
			return err
		}
		oyPairs := map[[2]int64]bool{}
		oyYears := []int{}
		for _, r := range orgYears {
			oyPairs[[2]int64{r[0].(int64), int64(r[1].(int))}] = true
			oyYears = append(oyYears, r[1].(int))
		}
		if err := bumpVersion(ctx, q, oyYears...); err != nil {
			return err
		}
		if err := sumUsageChange(ctx, q, oyPairs, func() error { return insertDemoOrgYears(ctx, q, orgYears, now) }); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.demo", ObjectType: "demo", ObjectKey: "energy", Success: true,
			Extra: map[string]any{"entries": len(entries), "units": len(units)}})
	})
	if err != nil {
		return err
	}
	return s.demoMeters(ctx, units, metered, elecYear, now)
}

// insertDemoOrgYears writes the demo's 用能人数 and 建筑面积 rows.
func insertDemoOrgYears(ctx context.Context, q db.Q, orgYears [][4]any, now time.Time) error {
	for start := 0; start < len(orgYears); start += 300 {
		part := orgYears[start:min(start+300, len(orgYears))]
		var sb strings.Builder
		var args []any
		for i, r := range part {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?, ?, ?, ?, ?, 'demo')")
			args = append(args, r[0], r[1], r[2], r[3], now.Unix())
		}
		if _, err := q.Exec(ctx, "INSERT INTO energy_org_years (org_id, year, headcount, floor_area_m2, updated_at, updated_by) VALUES "+sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

func mustType(code string) Type {
	t, _ := TypeByCode(code)
	return t
}

func insertDemoEntries(ctx context.Context, q db.Q, es []Entry, now time.Time) error {
	const batch = 400
	for start := 0; start < len(es); start += batch {
		part := es[start:min(start+batch, len(es))]
		var sb strings.Builder
		args := make([]any, 0, len(part)*8)
		for i, e := range part {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, 'demo', ?, ?, 'demo')")
			args = append(args, e.OrgID, e.Period, e.EnergyType, e.Amount, e.InputAmount, e.InputUnit, now.Unix(), now.Unix())
		}
		if _, err := q.Exec(ctx, "INSERT INTO energy_consumption (org_id, period, energy_type, amount, input_amount, input_unit, source, created_at, updated_at, updated_by) VALUES "+
			sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// demoMeteredUnits picks the units with metered buildings: the province's bureau, its hospital and its university.
func (s *Service) demoMeteredUnits(units []demoUnit) map[int64]bool {
	out := map[int64]bool{}
	for _, u := range units {
		if strings.HasSuffix(u.Name, "省机关事务管理局") || strings.HasSuffix(u.Name, "省人民医院") || u.Name == "示范大学" {
			out[u.ID] = true
		}
	}
	if len(out) == 0 && len(units) > 0 {
		out[units[0].ID] = true
	}
	return out
}

// demoMeters registers the metered buildings' meters and writes their 15-minute readings, then rolls them up.
func (s *Service) demoMeters(ctx context.Context, units []demoUnit, metered map[int64]bool, elecYear map[int64]float64, now time.Time) error {
	start := time.Date(PeriodOf(now.Unix()).Year, 9, 1, 0, 0, 0, 0, Shanghai)
	if !start.Before(now) {
		start = start.AddDate(-1, 0, 0)
	}
	end := now.Truncate(15 * time.Minute)
	rng := rand.New(rand.NewPCG(99, 2026))
	var all []Reading
	var virtuals []MeterInput // 线损及未计量 = 总表 − the sub-item meters, created once the readings are rolled up
	for _, u := range units {
		if !metered[u.ID] {
			continue
		}
		var building int64
		if ids, err := db.Int64s(ctx, s.DB, "SELECT id FROM buildings WHERE org_id = ? ORDER BY id LIMIT 1", u.ID); err == nil && len(ids) > 0 {
			building = ids[0]
		}
		short := strings.TrimPrefix(u.Name, "示范省")
		mk := func(name, code, typ, sub string, mult float64, parent int64) (int64, error) {
			var id int64
			err := s.DB.Tx(ctx, func(q db.Q) error {
				var err error
				id, err = db.InsertID(ctx, q, `INSERT INTO energy_meters (org_id, building_id, parent_id, code, name, energy_type, sub_item, multiplier, cumulative,
					interval_s, value_key, status, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, TRUE, 900, '', 'active', '演示数据', ?, ?) RETURNING id`,
					u.ID, db.NullInt(building), db.NullInt(parent), code, name, typ, sub, mult, now.Unix(), now.Unix())
				return err
			})
			return id, err
		}
		prefix := fmt.Sprintf("DEMO-%d", u.ID)
		mainID, err := mk(short+"总表", prefix+"-E0", "electricity", "", 80, 0)
		if err != nil {
			return err
		}
		// Peak kW of the unit, sized so that a month of the weekly load profile below (its mean is about 0.49 of the
		// peak) matches the unit's monthly electricity in the statistics; and the sub-item split of its load.
		baseKW := elecYear[u.ID] / 12 / (0.49 * 730)
		if baseKW <= 0 {
			baseKW = u.Area * 0.011
		}
		subs := []struct {
			code, name string
			share      float64
		}{{"a", "照明插座", 0.34}, {"b", "空调", 0.38}, {"c", "动力", 0.14}, {"d", "特殊用电（信息中心）", 0.10}}
		subIDs := make([]int64, len(subs))
		for i, sb := range subs {
			if subIDs[i], err = mk(short+sb.name+"分表", fmt.Sprintf("%s-E%s", prefix, strings.ToUpper(sb.code)), "electricity", sb.code, 1, 0); err != nil {
				return err
			}
		}
		formula := prefix + "-E0"
		for _, sb := range subs {
			formula += fmt.Sprintf(" - %s-E%s", prefix, strings.ToUpper(sb.code))
		}
		virtuals = append(virtuals, MeterInput{OrgID: u.ID, BuildingID: building, Name: short + "线损及未计量（推算）", EnergyType: "electricity",
			Formula: formula, Note: "演示数据：总表减各分项表，即线路损耗与未分项计量的用电"})
		waterID, err := mk(short+"给水总表", prefix+"-W0", "water", "", 1, 0)
		if err != nil {
			return err
		}
		counters := make([]float64, len(subs))
		mainCounter, water := 52000.0+rng.Float64()*1000, 18000.0
		for i := range counters {
			counters[i] = 10000 + float64(i)*3000
		}
		replaced := false
		for t := start; !t.After(end); t = t.Add(15 * time.Minute) {
			lt := t.In(Shanghai)
			h := float64(lt.Hour()) + float64(lt.Minute())/60
			work := lt.Weekday() != time.Saturday && lt.Weekday() != time.Sunday
			load := 0.25 // night and weekend base load
			if work && h >= 8 && h < 18.5 {
				load = 0.8 + 0.2*math.Sin((h-8)/10.5*math.Pi)
			} else if h >= 7 && h < 22 {
				load = 0.35
			}
			kwh := baseKW * load * 0.25 * (0.92 + 0.16*rng.Float64())
			ts := t.Unix()
			// Gap: the water meter's collector is offline for six hours on 20 October.
			offline := lt.Month() == 10 && lt.Day() == 20 && lt.Hour() >= 9 && lt.Hour() < 15
			if !offline {
				water += kwh * 0.012 * (0.8 + 0.4*rng.Float64())
				all = append(all, Reading{waterID, ts, math.Round(water*100) / 100})
			}
			subSum := 0.0
			for i, sb := range subs {
				part := kwh * sb.share
				// Spike: a test load on the special circuit at 3 November 14:00.
				if sb.code == "d" && lt.Month() == 11 && lt.Day() == 3 && lt.Hour() == 14 && lt.Minute() == 0 {
					part *= 40
				}
				counters[i] += part
				subSum += part
				// Replacement: the power sub-meter is replaced on 12 October at 10:00; the new one starts at 0.
				if sb.code == "c" && !replaced && lt.Month() == 10 && lt.Day() == 12 && lt.Hour() == 10 {
					counters[i], replaced = part, true
				}
				all = append(all, Reading{subIDs[i], ts, math.Round(counters[i]*100) / 100})
			}
			mainCounter += (subSum + kwh*0.03) / 80 // a CT meter: the counter moves 1/80 of the energy
			all = append(all, Reading{mainID, ts, math.Round(mainCounter*1000) / 1000})
		}
	}
	if len(all) == 0 {
		return nil
	}
	for start := 0; start < len(all); start += maxFlush {
		part := all[start:min(start+maxFlush, len(all))]
		if _, err := s.writer().write(ctx, &batch{readings: part, actor: audit.Actor{Username: "demo"}, source: "demo"}); err != nil {
			return err
		}
	}
	if err := s.writer().sync(ctx, 0, 5*time.Minute); err != nil {
		return err
	}
	for _, in := range virtuals {
		if _, err := s.CreateMeter(ctx, auth.Everything(), in); err != nil {
			return fmt.Errorf("demo virtual meter: %w", err)
		}
	}
	return nil
}
