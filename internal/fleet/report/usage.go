package report

import (
	"context"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
)

// Usage and utilisation of the vehicles (docs/domain/vehicles.md §Usage): per vehicle and per unit, the completed
// trips of the year up to today, the days a vehicle was out (a trip counts every day from its start to its end),
// the working days of the official calendar while the vehicle was in the ledger, the distance and the costs.

// VehicleUsage is one vehicle's use in the period.
type VehicleUsage struct {
	VehicleID     int64   `json:"vehicle_id"`
	Plate         string  `json:"plate"`
	OrgID         int64   `json:"org_id"`
	OrgName       string  `json:"org_name"`
	Category      string  `json:"category"`
	CategoryName  string  `json:"category_name"`
	NEV           bool    `json:"nev"`
	Status        string  `json:"status"`
	Trips         int64   `json:"trips"`
	DaysUsed      int     `json:"days_used" doc:"出车天数（含节假日出车）"`
	WorkingDays   int     `json:"working_days" doc:"统计期内在册期间的工作日数（工作日历）"`
	Utilisation   float64 `json:"utilisation" doc:"出车天数 ÷ 工作日数（0–1，节假日出车多时可能超过 1）"`
	DistanceKM    float64 `json:"distance_km"`
	CostYuan      float64 `json:"cost_yuan"`
	CostPerKMYuan float64 `json:"cost_per_km_yuan"`
}

// UnitUsage is a unit's vehicles together (or the total).
type UnitUsage struct {
	OrgID         int64   `json:"org_id"`
	OrgName       string  `json:"org_name"`
	Vehicles      int     `json:"vehicles"`
	Trips         int64   `json:"trips"`
	DaysUsed      int     `json:"days_used" doc:"各车出车天数之和（车·日）"`
	WorkingDays   int     `json:"working_days" doc:"各车在册工作日数之和（车·日）"`
	Utilisation   float64 `json:"utilisation"`
	DistanceKM    float64 `json:"distance_km"`
	CostYuan      float64 `json:"cost_yuan"`
	CostPerKMYuan float64 `json:"cost_per_km_yuan"`
}

// Usage is the usage report of a unit's subtree for a period of a year.
type Usage struct {
	OrgID       int64          `json:"org_id"`
	OrgName     string         `json:"org_name"`
	Year        int            `json:"year"`
	From        string         `json:"from"`
	To          string         `json:"to" doc:"本年为今天"`
	WorkingDays int            `json:"working_days" doc:"统计期内的工作日数"`
	Vehicles    []VehicleUsage `json:"vehicles"`
	Units       []UnitUsage    `json:"units"`
	Total       UnitUsage      `json:"total"`
}

// BuildUsage computes the usage of the vehicles under orgID (in scope) in year y, up to today.
func (s *Service) BuildUsage(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, y int) (Usage, error) {
	o, err := org.GetOrg(ctx, q, sc, orgID)
	if err != nil {
		return Usage{}, err
	}
	first, last, from, to := yearBounds(y)
	today := clock.Today(s.Clock.Now())
	if last > today {
		last = today
		to = s.Clock.Now().Unix()
	}
	u := Usage{OrgID: o.ID, OrgName: o.Name, Year: y, From: first, To: last}
	sched, err := s.Calendar.Schedule(ctx, q)
	if err != nil {
		return u, err
	}
	days := sched.Days()
	workdays := func(a, b string) int {
		if a > b {
			return 0
		}
		ta, err1 := time.ParseInLocation("2006-01-02", a, clock.Shanghai)
		tb, err2 := time.ParseInLocation("2006-01-02", b, clock.Shanghai)
		if err1 != nil || err2 != nil {
			return 0
		}
		return days.WorkdaysBetween(calendar.Midnight(ta), calendar.Midnight(tb))
	}
	u.WorkingDays = workdays(first, last)
	vs, err := s.Fleet.ReportVehicles(ctx, q, sc, o.Path)
	if err != nil {
		return u, err
	}
	trips, err := s.Fleet.ReportTrips(ctx, q, sc, o.Path, from, to)
	if err != nil {
		return u, err
	}
	costs, err := s.Fleet.ReportCosts(ctx, q, sc, o.Path, first, last)
	if err != nil {
		return u, err
	}
	at := map[int64]int{}
	for _, v := range vs {
		disposed := v.Status == "disposed"
		if v.PurchaseDate > last || (disposed && v.DisposedOn < first) {
			continue
		}
		a, b := first, last
		if v.PurchaseDate > a {
			a = v.PurchaseDate
		}
		if disposed && v.DisposedOn < b {
			b = v.DisposedOn
		}
		at[v.ID] = len(u.Vehicles)
		u.Vehicles = append(u.Vehicles, VehicleUsage{VehicleID: v.ID, Plate: v.Plate, OrgID: v.OrgID, OrgName: v.OrgName, Category: v.Category,
			CategoryName: v.CategoryName, NEV: v.NEV, Status: v.Status, WorkingDays: workdays(a, b)})
	}
	used := map[int64]map[string]bool{}
	km := map[int64]float64{}
	for _, t := range trips {
		i, ok := at[t.VehicleID]
		if !ok {
			continue
		}
		u.Vehicles[i].Trips++
		km[t.VehicleID] += t.DistanceKM
		if used[t.VehicleID] == nil {
			used[t.VehicleID] = map[string]bool{}
		}
		for _, d := range tripDays(t, first, last) {
			used[t.VehicleID][d] = true
		}
	}
	cost := map[int64]int64{}
	for _, c := range costs {
		cost[c.VehicleID] += c.AmountFen
	}
	units := map[int64]*UnitUsage{}
	var order []int64
	unitKM, unitCost := map[int64]float64{}, map[int64]int64{}
	var totalKM float64
	var totalCost int64
	for i := range u.Vehicles {
		v := &u.Vehicles[i]
		v.DaysUsed = len(used[v.VehicleID])
		v.DistanceKM = round(km[v.VehicleID], 1)
		v.CostYuan = yuan(cost[v.VehicleID])
		v.Utilisation = ratio(float64(v.DaysUsed), float64(v.WorkingDays))
		v.CostPerKMYuan = perKM(cost[v.VehicleID], km[v.VehicleID])
		x := units[v.OrgID]
		if x == nil {
			x = &UnitUsage{OrgID: v.OrgID, OrgName: v.OrgName}
			units[v.OrgID] = x
			order = append(order, v.OrgID)
		}
		for _, g := range []*UnitUsage{x, &u.Total} {
			g.Vehicles++
			g.Trips += v.Trips
			g.DaysUsed += v.DaysUsed
			g.WorkingDays += v.WorkingDays
		}
		unitKM[v.OrgID] += km[v.VehicleID]
		unitCost[v.OrgID] += cost[v.VehicleID]
		totalKM += km[v.VehicleID]
		totalCost += cost[v.VehicleID]
	}
	finish := func(g *UnitUsage, k float64, c int64) {
		g.DistanceKM, g.CostYuan = round(k, 1), yuan(c)
		g.Utilisation = ratio(float64(g.DaysUsed), float64(g.WorkingDays))
		g.CostPerKMYuan = perKM(c, k)
	}
	for _, id := range order {
		finish(units[id], unitKM[id], unitCost[id])
		u.Units = append(u.Units, *units[id])
	}
	u.Total.OrgID, u.Total.OrgName = o.ID, "合计"
	finish(&u.Total, totalKM, totalCost)
	return u, nil
}

func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return round(a/b, 4)
}

func perKM(costFen int64, km float64) float64 {
	if km <= 0 {
		return 0
	}
	return round(float64(costFen)/100/km, 2)
}
