package report

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
)

// The figures of the annual 公务用车配备更新和使用情况 statistics (docs/domain/vehicles.md §Annual statistics):
// computed from the fleet ledger, quotas, completed trips and costs of the year; a submitted report shows the
// snapshot taken at submission instead.

// Line is a row of the 配备更新 table: a category (or the total).
type Line struct {
	Category string `json:"category"`
	Name     string `json:"name"`
	Quota    int    `json:"quota" doc:"编制数（辆）"`
	Start    int    `json:"start" doc:"年初实有车辆数"`
	New      int    `json:"new" doc:"本年新增（含更新）车辆数"`
	NewNEV   int    `json:"new_nev" doc:"其中新能源汽车"`
	Disposed int    `json:"disposed" doc:"本年处置车辆数"`
	End      int    `json:"end" doc:"年末实有车辆数"`
	EndNEV   int    `json:"end_nev" doc:"年末实有新能源汽车"`
}

// Over reports whether the year-end holding exceeds the quota.
func (l Line) Over() bool { return l.End > l.Quota }

// Figures are the report's figures for a unit (or a subtree) and year. Money is in yuan.
type Figures struct {
	Year  int    `json:"year"`
	Lines []Line `json:"lines"`
	Total Line   `json:"total"`
	// Replaced is how many of the new vehicles replaced a disposed one (the report's own field; summed for a subtree).
	Replaced int `json:"replaced" doc:"其中更新车辆数（填报）"`
	// NEVShare is NewNEV ÷ New of the total (0 when nothing was bought); Target its minimum with its source.
	NEVShare     float64 `json:"nev_share" doc:"新增及更新车辆中新能源汽车比例（0–1）"`
	Target       float64 `json:"nev_target" doc:"新能源比例目标（参考数据 fleet.rules nev_share_min）"`
	TargetSource string  `json:"nev_target_source"`
	TargetMet    bool    `json:"nev_target_met" doc:"本年无新增时为 true"`
	// Use of the year: completed trips that started in it (by the vehicles of the unit).
	Trips       int64   `json:"trips"`
	DistanceKM  float64 `json:"distance_km"`
	VehicleDays int     `json:"vehicle_days" doc:"车辆出车天数之和（车·日）"`
	// Costs dated in the year, by the report's kinds.
	FuelYuan        float64 `json:"fuel_yuan" doc:"燃油费和充电费"`
	MaintenanceYuan float64 `json:"maintenance_yuan" doc:"维修保养费"`
	InsuranceYuan   float64 `json:"insurance_yuan" doc:"保险费"`
	OtherYuan       float64 `json:"other_yuan" doc:"通行费、停车费和其他"`
	CostYuan        float64 `json:"cost_yuan" doc:"运行费用合计"`
	CostPerKMYuan   float64 `json:"cost_per_km_yuan"`
	// 三公经费 (vehicle part): 公务用车购置费 = the prices (excl. purchase tax) of the year's new vehicles;
	// 公务用车运行维护费 = the year's costs; the ledger does not know the funding source, so these are the ledger's
	// figures, not the 财政拨款 figures of the 决算 (docs/domain/vehicles.md §Annual statistics).
	PurchaseYuan  float64 `json:"purchase_yuan" doc:"公务用车购置费（本年新增车辆价格之和，不含购置税）"`
	OperationYuan float64 `json:"operation_yuan" doc:"公务用车运行维护费"`
	SangongYuan   float64 `json:"sangong_yuan" doc:"公务用车购置及运行费（三公经费口径，台账数）"`
	BudgetYuan    float64 `json:"budget_yuan" doc:"公务用车购置及运行费年初预算数（填报）"`
	// ComputedAt is when the figures were taken from the ledger (the snapshot's time for a submitted report).
	ComputedAt int64 `json:"computed_at"`
}

// yearBounds are the first and last day of year y and its instants [from, to).
func yearBounds(y int) (first, last string, from, to int64) {
	ys := strconv.Itoa(y)
	return ys + "-01-01", ys + "-12-31", time.Date(y, 1, 1, 0, 0, 0, 0, clock.Shanghai).Unix(), time.Date(y+1, 1, 1, 0, 0, 0, 0, clock.Shanghai).Unix()
}

// data is what the figures are computed from: the rows of a subtree.
type data struct {
	vehicles []VehicleRow
	quotas   []QuotaRow
	trips    []TripRow
	costs    []CostRow
	target   Target
	cats     enum.List
}

// load reads the rows of the subtree under path for year y.
func (s *Service) load(ctx context.Context, q db.Q, sc auth.Scope, path, region string, y int) (data, error) {
	var d data
	var err error
	first, last, from, to := yearBounds(y)
	if d.vehicles, err = s.Fleet.ReportVehicles(ctx, q, sc, path); err != nil {
		return d, err
	}
	if d.quotas, err = s.Fleet.ReportQuotas(ctx, q, sc, path); err != nil {
		return d, err
	}
	if d.trips, err = s.Fleet.ReportTrips(ctx, q, sc, path, from, to); err != nil {
		return d, err
	}
	if d.costs, err = s.Fleet.ReportCosts(ctx, q, sc, path, first, last); err != nil {
		return d, err
	}
	d.cats = s.Fleet.VehicleCategories()
	d.target, err = s.Fleet.NEVShareTarget(ctx, q, last, region)
	return d, err
}

// compute fills the figures of the units for which keep is true.
func compute(y int, d data, keep func(orgID int64) bool, now time.Time) Figures {
	first, last, _, _ := yearBounds(y)
	f := Figures{Year: y, Target: d.target.Value, TargetSource: d.target.Source, ComputedAt: now.Unix()}
	at := map[string]int{}
	for i, c := range d.cats {
		f.Lines = append(f.Lines, Line{Category: c.Code, Name: c.Name})
		at[c.Code] = i
	}
	line := func(cat string) *Line {
		i, ok := at[cat]
		if !ok {
			i = at["other"]
		}
		return &f.Lines[i]
	}
	for _, x := range d.quotas {
		if keep(x.OrgID) {
			line(x.Category).Quota += x.Quota
		}
	}
	var purchase, fuel, maint, ins, other int64
	for _, v := range d.vehicles {
		if !keep(v.OrgID) {
			continue
		}
		l := line(v.Category)
		disposed := v.Status == "disposed"
		if v.PurchaseDate < first && (!disposed || v.DisposedOn >= first) {
			l.Start++
		}
		if v.PurchaseDate >= first && v.PurchaseDate <= last {
			l.New++
			purchase += v.PriceFen
			if v.NEV {
				l.NewNEV++
			}
		}
		if disposed && v.DisposedOn >= first && v.DisposedOn <= last {
			l.Disposed++
		}
		if v.PurchaseDate <= last && (!disposed || v.DisposedOn > last) {
			l.End++
			if v.NEV {
				l.EndNEV++
			}
		}
	}
	f.Total = Line{Category: "", Name: "合计"}
	for _, l := range f.Lines {
		f.Total.Quota += l.Quota
		f.Total.Start += l.Start
		f.Total.New += l.New
		f.Total.NewNEV += l.NewNEV
		f.Total.Disposed += l.Disposed
		f.Total.End += l.End
		f.Total.EndNEV += l.EndNEV
	}
	f.TargetMet = true
	if f.Total.New > 0 {
		f.NEVShare = round(float64(f.Total.NewNEV)/float64(f.Total.New), 4)
		f.TargetMet = !d.target.Found || f.NEVShare+1e-9 >= d.target.Value
	}
	var km float64
	days := map[int64]map[string]bool{}
	for _, t := range d.trips {
		if !keep(t.VehicleOrg) {
			continue
		}
		f.Trips++
		km += t.DistanceKM
		if days[t.VehicleID] == nil {
			days[t.VehicleID] = map[string]bool{}
		}
		for _, day := range tripDays(t, first, last) {
			days[t.VehicleID][day] = true
		}
	}
	for _, ds := range days {
		f.VehicleDays += len(ds)
	}
	f.DistanceKM = round(km, 1)
	for _, c := range d.costs {
		if !keep(c.OrgID) {
			continue
		}
		switch c.Kind {
		case "fuel", "charging":
			fuel += c.AmountFen
		case "maintenance":
			maint += c.AmountFen
		case "insurance":
			ins += c.AmountFen
		default:
			other += c.AmountFen
		}
	}
	op := fuel + maint + ins + other
	f.FuelYuan, f.MaintenanceYuan, f.InsuranceYuan, f.OtherYuan, f.CostYuan = yuan(fuel), yuan(maint), yuan(ins), yuan(other), yuan(op)
	f.PurchaseYuan, f.OperationYuan, f.SangongYuan = yuan(purchase), yuan(op), yuan(purchase+op)
	if f.DistanceKM > 0 {
		f.CostPerKMYuan = round(float64(op)/100/f.DistanceKM, 2)
	}
	return f
}

// tripDays are the days (YYYY-MM-DD, within [first, last]) a trip covers, from its start to its end.
func tripDays(t TripRow, first, last string) []string {
	var out []string
	end := time.Unix(t.EndAt, 0).In(clock.Shanghai)
	for d := time.Unix(t.StartAt, 0).In(clock.Shanghai); ; d = d.AddDate(0, 0, 1) {
		day := d.Format("2006-01-02")
		if day > end.Format("2006-01-02") || len(out) > 366 {
			break
		}
		if day >= first && day <= last {
			out = append(out, day)
		}
	}
	return out
}

// liveFigures computes a unit's figures from the ledger, with the report's own fields.
func (s *Service) liveFigures(ctx context.Context, q db.Q, sc auth.Scope, r Report, info Info) (Figures, error) {
	d, err := s.load(ctx, q, sc, r.Path, r.Region, r.Year)
	if err != nil {
		return Figures{}, err
	}
	f := compute(r.Year, d, func(id int64) bool { return id == r.OrgID }, s.Clock.Now())
	f.Replaced, f.BudgetYuan = info.Replaced, info.BudgetYuan
	return f, nil
}

// FiguresOf returns the figures a report shows: the snapshot of a submitted or approved report, else the ledger's.
func (s *Service) FiguresOf(ctx context.Context, q db.Q, sc auth.Scope, r Report) (Figures, error) {
	if r.Locked && r.snapshot != "" {
		var f Figures
		if err := json.Unmarshal([]byte(r.snapshot), &f); err == nil {
			return f, nil
		}
	}
	info, err := LoadInfo(ctx, q, r.OrgID, r.Year)
	if err != nil {
		return Figures{}, err
	}
	return s.liveFigures(ctx, q, sc, r, info)
}

func yuan(fen int64) float64 { return float64(fen) / 100 }

func round(v float64, places int) float64 {
	p := math.Pow10(places)
	return math.Round(v*p) / p
}
