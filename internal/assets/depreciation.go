package assets

import (
	"context"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// Depreciation per docs/domain/assets.md §Depreciation: straight line (年限平均法), no residual value, monthly from
// the month after acquisition, the month of the as-of date included; a fully depreciated asset stays on the books at
// a net value of zero. Money is integer fen: the monthly amount is the value divided by the life, rounded down, and
// the last month takes the remainder, so the accumulated amount reaches the value exactly.

// monthIndex is the number of months since year 0 of a YYYY-MM-DD date.
func monthIndex(date string) (int, bool) {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return 0, false
	}
	return t.Year()*12 + int(t.Month()) - 1, true
}

// Schedule is the straight-line computation for one card on one date, in fen.
type Schedule struct {
	LifeMonths     int
	Months         int   // months depreciated by the date (0 … LifeMonths)
	MonthlyFen     int64 // the amount of every month but the last
	AccumulatedFen int64
	NetFen         int64
}

// Compute depreciates valueFen over lifeMonths for an asset acquired on acquiredOn, as of asOf (both YYYY-MM-DD).
// Before the month after acquisition nothing is depreciated; after the life the whole value is.
func Compute(valueFen int64, lifeMonths int, acquiredOn, asOf string) Schedule {
	s := Schedule{LifeMonths: lifeMonths}
	if lifeMonths <= 0 || valueFen <= 0 {
		s.NetFen = max(valueFen, 0)
		return s
	}
	s.MonthlyFen = valueFen / int64(lifeMonths)
	a, ok1 := monthIndex(acquiredOn)
	b, ok2 := monthIndex(asOf)
	if ok1 && ok2 {
		s.Months = min(max(b-a, 0), lifeMonths)
	}
	if s.Months == lifeMonths {
		s.AccumulatedFen = valueFen
	} else {
		s.AccumulatedFen = int64(s.Months) * s.MonthlyFen
	}
	s.NetFen = valueFen - s.AccumulatedFen
	return s
}

// Depreciation is the answer of GET /api/v1/assets/{id}/depreciation (docs/api.md §Assets and the idle-asset pool).
type Depreciation struct {
	AssetID          int64   `json:"asset_id"`
	AsOf             string  `json:"as_of"`
	ValueYuan        float64 `json:"value_yuan" doc:"原值（入账价值）"`
	LifeMonths       int     `json:"life_months" doc:"折旧年限（月）"`
	MonthlyYuan      float64 `json:"monthly_yuan" doc:"月折旧额（最后一个月取余额）"`
	Months           int     `json:"months" doc:"截至该日已计提的月数"`
	AccumulatedYuan  float64 `json:"accumulated_yuan" doc:"累计折旧"`
	NetYuan          float64 `json:"net_yuan" doc:"账面净值"`
	FullyDepreciated bool    `json:"fully_depreciated" doc:"已提足折旧（仍在账上）"`
}

// depreciationAsOf is the card's depreciation on asOf; a disposed asset stops at its disposal date.
func (a Asset) depreciationAsOf(asOf string) Depreciation {
	if a.DisposedOn != "" && asOf > a.DisposedOn {
		asOf = a.DisposedOn
	}
	sc := Compute(a.valueFen, a.LifeMonths, a.AcquiredOn, asOf)
	return Depreciation{AssetID: a.ID, AsOf: asOf, ValueYuan: yuan(a.valueFen), LifeMonths: sc.LifeMonths, MonthlyYuan: yuan(sc.MonthlyFen),
		Months: sc.Months, AccumulatedYuan: yuan(sc.AccumulatedFen), NetYuan: yuan(sc.NetFen), FullyDepreciated: sc.Months == sc.LifeMonths}
}

// GetDepreciation answers the depreciation of an asset in the caller's scope as of a date (today when empty).
func (s *Service) GetDepreciation(ctx context.Context, q db.Q, sc auth.Scope, id int64, asOf string) (Depreciation, error) {
	if asOf == "" {
		asOf = s.today()
	} else if !validDate(asOf) {
		return Depreciation{}, errs.Invalid("as_of", "日期格式应为 YYYY-MM-DD")
	}
	a, err := GetAsset(ctx, q, sc, id)
	if err != nil {
		return Depreciation{}, err
	}
	return a.depreciationAsOf(asOf), nil
}

// ReportLine is one unit's line of the depreciation report.
type ReportLine struct {
	OrgID           int64   `json:"org_id"`
	OrgName         string  `json:"org_name"`
	Count           int64   `json:"count"`
	ValueYuan       float64 `json:"value_yuan"`
	MonthlyYuan     float64 `json:"monthly_yuan" doc:"该月计提的折旧额"`
	AccumulatedYuan float64 `json:"accumulated_yuan"`
	NetYuan         float64 `json:"net_yuan"`
	Fully           int64   `json:"fully_depreciated" doc:"已提足折旧的资产数"`
	valueFen        int64
	monthFen        int64
	accFen          int64
}

// Report is the depreciation report as of a date: a line per unit and the total.
type Report struct {
	AsOf  string       `json:"as_of"`
	Lines []ReportLine `json:"items"`
	Total ReportLine   `json:"total"`
}

// DepreciationReport computes the depreciation of every asset on the books on asOf (acquired by then, not disposed
// before it) in the caller's scope, or in orgID's subtree, summed per unit. The amounts are summed in fen.
func DepreciationReport(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, asOf string) (Report, error) {
	if !validDate(asOf) {
		return Report{}, errs.Invalid("as_of", "日期格式应为 YYYY-MM-DD")
	}
	cond, args := sc.OrgCond("a.org_id")
	w := " WHERE " + cond + " AND a.acquired_on <= ? AND (a.disposed_on = '' OR a.disposed_on >= ?)"
	args = append(args, asOf, asOf)
	if orgID > 0 {
		c, a, err := subtreeCond(ctx, q, sc, orgID, "a.org_id")
		if err != nil {
			return Report{}, err
		}
		w, args = w+" AND "+c, append(args, a...)
	}
	rep, err := depreciationGroups(ctx, q, w, args, asOf)
	if err != nil {
		return Report{}, err
	}
	rep.Total.OrgName = "合计"
	for i := range rep.Lines {
		l := &rep.Lines[i]
		l.finish()
		rep.Total.Count += l.Count
		rep.Total.Fully += l.Fully
		rep.Total.valueFen += l.valueFen
		rep.Total.accFen += l.accFen
		rep.Total.monthFen += l.monthFen
	}
	rep.Total.finish()
	return rep, nil
}

func (l *ReportLine) finish() {
	l.ValueYuan, l.AccumulatedYuan, l.NetYuan, l.MonthlyYuan = yuan(l.valueFen), yuan(l.accFen), yuan(l.valueFen-l.accFen), yuan(l.monthFen)
}
