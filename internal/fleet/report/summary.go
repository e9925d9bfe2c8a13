package report

import (
	"context"
	"encoding/json"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
)

// The summary of a bureau's subtree (汇总): every unit's report of the year — the snapshot of those submitted or
// approved, the ledger's figures of the others — one row per unit, and their sum.

// UnitRow is a unit's line of the summary.
type UnitRow struct {
	Report  Report  `json:"report"`
	Figures Figures `json:"figures"`
}

// Summary is the summary of the subtree of a unit for a year.
type Summary struct {
	OrgID    int64     `json:"org_id"`
	OrgName  string    `json:"org_name"`
	Year     int       `json:"year"`
	Units    int       `json:"units" doc:"单位数"`
	Reported int       `json:"reported" doc:"已上报（含已审核）的单位数"`
	Approved int       `json:"approved" doc:"已审核的单位数"`
	Late     int       `json:"late" doc:"逾期上报的单位数"`
	Rows     []UnitRow `json:"rows" doc:"有车辆、编制或报表的单位"`
	Total    Figures   `json:"total"`
	Layout   string    `json:"layout" doc:"GovOps layout：官方表式未取得"`
}

// BuildSummary sums the reports of the units under orgID (in the caller's scope) for year y.
func (s *Service) BuildSummary(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, y int) (Summary, error) {
	o, err := org.GetOrg(ctx, q, sc, orgID)
	if err != nil {
		return Summary{}, err
	}
	sm := Summary{OrgID: orgID, OrgName: o.Name, Year: y, Layout: LayoutMark}
	reps, err := ListReports(ctx, q, sc, Filter{Year: y, Path: o.Path})
	if err != nil {
		return sm, err
	}
	d, err := s.load(ctx, q, sc, o.Path, o.RegionCode, y)
	if err != nil {
		return sm, err
	}
	infos, err := loadInfos(ctx, q, o.Path, y)
	if err != nil {
		return sm, err
	}
	has := map[int64]bool{}
	for _, v := range d.vehicles {
		has[v.OrgID] = true
	}
	for _, x := range d.quotas {
		has[x.OrgID] = true
	}
	now := s.Clock.Now()
	var all []Figures
	for _, r := range reps {
		sm.Units++
		if r.Status == StatusSubmitted || r.Status == StatusApproved {
			sm.Reported++
		}
		if r.Status == StatusApproved {
			sm.Approved++
		}
		if r.Late {
			sm.Late++
		}
		var f Figures
		if r.Locked && r.snapshot != "" && json.Unmarshal([]byte(r.snapshot), &f) == nil {
			// the submitted figures
		} else {
			id := r.OrgID
			f = compute(y, d, func(x int64) bool { return x == id }, now)
			f.Replaced, f.BudgetYuan = infos[id].Replaced, infos[id].BudgetYuan
		}
		all = append(all, f)
		if has[r.OrgID] || r.ID != 0 {
			sm.Rows = append(sm.Rows, UnitRow{Report: r, Figures: f})
		}
	}
	sm.Total = sumFigures(y, all, d.target, d.cats)
	return sm, nil
}

// loadInfos reads the report fields of the units under path for year y.
func loadInfos(ctx context.Context, q db.Q, path string, y int) (map[int64]Info, error) {
	out := map[int64]Info{}
	rows, err := q.Query(ctx, `SELECT i.org_id, i.replaced, i.budget_fen FROM fleet_report_info i JOIN orgs o ON o.id = i.org_id
		WHERE i.year = ? AND o.path >= ? AND o.path < ?`, y, path, db.PrefixUpper(path))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, budget int64
		var in Info
		if err := rows.Scan(&id, &in.Replaced, &budget); err != nil {
			return nil, err
		}
		in.BudgetYuan = yuan(budget)
		out[id] = in
	}
	return out, rows.Err()
}

// sumFigures adds up units' figures; the shares and the cost per km are recomputed from the sums.
func sumFigures(y int, fs []Figures, target Target, cats enum.List) Figures {
	t := Figures{Year: y, Target: target.Value, TargetSource: target.Source, TargetMet: true}
	for i, c := range cats {
		t.Lines = append(t.Lines, Line{Category: c.Code, Name: c.Name})
		for _, f := range fs {
			if i < len(f.Lines) {
				addLine(&t.Lines[i], f.Lines[i])
			}
		}
		addLine(&t.Total, t.Lines[i])
	}
	t.Total.Name = "合计"
	var fuel, maint, ins, other, purchase, budget int64
	for _, f := range fs {
		t.Replaced += f.Replaced
		t.Trips += f.Trips
		t.DistanceKM += f.DistanceKM
		t.VehicleDays += f.VehicleDays
		fuel, maint, ins, other = fuel+fen(f.FuelYuan), maint+fen(f.MaintenanceYuan), ins+fen(f.InsuranceYuan), other+fen(f.OtherYuan)
		purchase, budget = purchase+fen(f.PurchaseYuan), budget+fen(f.BudgetYuan)
		if f.ComputedAt > t.ComputedAt {
			t.ComputedAt = f.ComputedAt
		}
	}
	op := fuel + maint + ins + other
	t.DistanceKM = round(t.DistanceKM, 1)
	t.FuelYuan, t.MaintenanceYuan, t.InsuranceYuan, t.OtherYuan, t.CostYuan = yuan(fuel), yuan(maint), yuan(ins), yuan(other), yuan(op)
	t.PurchaseYuan, t.OperationYuan, t.SangongYuan, t.BudgetYuan = yuan(purchase), yuan(op), yuan(purchase+op), yuan(budget)
	if t.DistanceKM > 0 {
		t.CostPerKMYuan = round(float64(op)/100/t.DistanceKM, 2)
	}
	if t.Total.New > 0 {
		t.NEVShare = round(float64(t.Total.NewNEV)/float64(t.Total.New), 4)
		t.TargetMet = !target.Found || t.NEVShare+1e-9 >= target.Value
	}
	return t
}

func addLine(dst *Line, l Line) {
	dst.Quota += l.Quota
	dst.Start += l.Start
	dst.New += l.New
	dst.NewNEV += l.NewNEV
	dst.Disposed += l.Disposed
	dst.End += l.End
	dst.EndNEV += l.EndNEV
}

func fen(y float64) int64 { return int64(y*100 + 0.5) }
