package energy

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/num"
	"github.com/govops/govops/internal/platform/web"
)

// LTTB downsamples a series to at most n points with Largest-Triangle-Three-Buckets (Steinarsson 2013): the first
// and last points stay, and each bucket keeps the point that makes the largest triangle with its neighbours, so
// peaks and troughs survive. Input must be in ascending x.
func LTTB(xs []int64, ys []float64, n int) ([]int64, []float64) {
	if n >= len(xs) || n < 3 {
		return xs, ys
	}
	ox, oy := make([]int64, 0, n), make([]float64, 0, n)
	ox, oy = append(ox, xs[0]), append(oy, ys[0])
	every := float64(len(xs)-2) / float64(n-2)
	a := 0
	for i := 0; i < n-2; i++ {
		// Average of the next bucket.
		ns := int(math.Floor(float64(i+1)*every)) + 1
		ne := min(int(math.Floor(float64(i+2)*every))+1, len(xs))
		var avgX, avgY float64
		for j := ns; j < ne; j++ {
			avgX += float64(xs[j])
			avgY += ys[j]
		}
		if cnt := float64(ne - ns); cnt > 0 {
			avgX /= cnt
			avgY /= cnt
		}
		// This bucket.
		s := int(math.Floor(float64(i)*every)) + 1
		e := int(math.Floor(float64(i+1)*every)) + 1
		ax, ay := float64(xs[a]), ys[a]
		best, bestArea := s, -1.0
		for j := s; j < e && j < len(xs); j++ {
			area := math.Abs((ax-avgX)*(ys[j]-ay) - (ax-float64(xs[j]))*(avgY-ay))
			if area > bestArea {
				best, bestArea = j, area
			}
		}
		ox, oy = append(ox, xs[best]), append(oy, ys[best])
		a = best
	}
	ox, oy = append(ox, xs[len(xs)-1]), append(oy, ys[len(ys)-1])
	return ox, oy
}

// Series is a meter's consumption over time, ready for a chart.
type Series struct {
	MeterID    int64        `json:"meter_id"`
	From, To   string       `json:"-"`
	Resolution string       `json:"resolution" doc:"interval 原始区间 · hour 小时 · day 日"`
	Unit       string       `json:"unit"`
	Points     [][2]float64 `json:"points" doc:"[毫秒时间戳, 用量]"`
	Source     int          `json:"source_points" doc:"降采样前的点数"`
	Total      float64      `json:"total"`
}

// MaxChartPoints is how many points a chart gets at most.
const MaxChartPoints = 1200

// MeterSeries returns a meter's consumption between from and to (Unix seconds): raw intervals for up to two days,
// hourly roll-ups up to 400 days, daily beyond — downsampled with LTTB to at most max points. It reads roll-ups,
// never scans raw readings over long ranges.
func MeterSeries(ctx context.Context, q db.Q, sc auth.Scope, meterID, from, to int64, max int) (Series, error) {
	m, err := GetMeter(ctx, q, sc, meterID)
	if err != nil {
		return Series{}, err
	}
	if to <= from {
		return Series{}, errs.Invalid("to", "结束时间应晚于开始时间")
	}
	if max < 3 || max > 10000 {
		max = MaxChartPoints
	}
	sr := Series{MeterID: meterID, Unit: m.UnitLabel(), Points: [][2]float64{}}
	var xs []int64
	var ys []float64
	span := to - from
	switch {
	case span <= 2*86400 && !m.Virtual(): // a virtual meter has no readings: its hours
		sr.Resolution = "interval"
		det, err := LoadDetection(ctx, q)
		if err != nil {
			return sr, err
		}
		scanPt := func(s db.Scanner) (Point, error) { var p Point; return p, s.Scan(&p.TS, &p.Value) }
		hist, err := db.Select(ctx, q, scanPt, "SELECT ts, value FROM energy_readings WHERE meter_id = ? AND ts <= ? ORDER BY ts DESC LIMIT 1", meterID, from)
		if err != nil {
			return sr, err
		}
		pts, err := db.Select(ctx, q, scanPt, "SELECT ts, value FROM energy_readings WHERE meter_id = ? AND ts > ? AND ts <= ? ORDER BY ts LIMIT 20000", meterID, from, to)
		if err != nil {
			return sr, err
		}
		ex, err := db.Int64s(ctx, q, "SELECT ts FROM energy_excluded_readings WHERE meter_id = ? AND ts > ? AND ts <= ?", meterID, from, to)
		if err != nil {
			return sr, err
		}
		skip := map[int64]bool{}
		for _, t := range ex {
			skip[t] = true
		}
		kept := pts[:0]
		for _, p := range pts {
			if !skip[p.TS] {
				kept = append(kept, p)
			}
		}
		det.MinHistory = math.MaxInt32 // a chart shows amounts; anomalies are judged by the roll-ups
		for _, iv := range Intervals(MeterSpec{m.Cumulative, m.Multiplier, m.IntervalS}, hist, kept, det, nil) {
			xs, ys = append(xs, iv.To), append(ys, iv.Amount)
		}
	case span <= 400*86400:
		sr.Resolution = "hour"
		bs, err := selectBuckets(ctx, q, "SELECT hour, amount, readings FROM energy_meter_hourly WHERE meter_id = ? AND hour >= ? AND hour < ? ORDER BY hour", meterID, from, to)
		if err != nil {
			return sr, err
		}
		for _, b := range bs {
			xs, ys = append(xs, b.Start), append(ys, b.Amount)
		}
	default:
		sr.Resolution = "day"
		bs, err := selectBuckets(ctx, q, "SELECT day, amount, readings FROM energy_meter_daily WHERE meter_id = ? AND day >= ? AND day < ? ORDER BY day", meterID, from, to)
		if err != nil {
			return sr, err
		}
		for _, b := range bs {
			xs, ys = append(xs, b.Start), append(ys, b.Amount)
		}
	}
	sr.Source = len(xs)
	for _, y := range ys {
		sr.Total += y
	}
	sr.Total = num.Round(sr.Total, 4)
	xs, ys = LTTB(xs, ys, max)
	sr.Points = make([][2]float64, len(xs))
	for i := range xs {
		sr.Points[i] = [2]float64{float64(xs[i] * 1000), num.Round(ys[i], 4)}
	}
	return sr, nil
}

// MonthAmount is one month of a meter-derived figure.
type MonthAmount struct {
	Period string  `json:"period"`
	Amount float64 `json:"amount"`
}

// MeterMonths returns a meter's monthly roll-ups of a year. The caller has checked the meter is in scope (GetMeter).
func MeterMonths(ctx context.Context, q db.Q, meterID int64, year int) ([12]float64, [12]bool, error) {
	var out [12]float64
	var has [12]bool
	rows, err := q.Query(ctx, "SELECT period, amount FROM energy_meter_monthly WHERE meter_id = ? AND period >= ? AND period <= ?",
		meterID, fmt.Sprintf("%04d-01", year), fmt.Sprintf("%04d-12", year))
	if err != nil {
		return out, has, err
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var v float64
		if err := rows.Scan(&p, &v); err != nil {
			return out, has, err
		}
		if pp, ok := ParsePeriod(p); ok {
			out[pp.Month-1], has[pp.Month-1] = v, true
		}
	}
	return out, has, rows.Err()
}

// BalanceMonth compares a main meter with the sum of its sub-meters for one month.
type BalanceMonth struct {
	Period string  `json:"period"`
	Main   float64 `json:"main"`
	Sub    float64 `json:"sub"`
	Diff   float64 `json:"difference" doc:"总表 − 分表合计"`
	Ratio  float64 `json:"ratio" doc:"差额占总表的比例"`
	Flag   bool    `json:"flag" doc:"差额超出允许范围"`
}

// Balance is the sub-meter balance check of a main meter (MyEMS's 总分表平衡).
type Balance struct {
	MeterID   int64          `json:"meter_id"`
	Children  []Meter        `json:"children"`
	Basis     string         `json:"basis" doc:"children 下级表 · sub_items 同楼栋分项表"`
	Tolerance float64        `json:"tolerance"`
	Months    []BalanceMonth `json:"months"`
}

// BalanceTolerance is the share of the main meter a difference may reach before it is flagged (line losses,
// unmetered loads).
const BalanceTolerance = 0.05

// MeterBalance compares a meter with its sub-meters month by month: its child meters when it has any, else (for a
// main meter on a building) the sub-item meters of the same type in that building.
func MeterBalance(ctx context.Context, q db.Q, sc auth.Scope, meterID int64, year int) (Balance, error) {
	m, err := GetMeter(ctx, q, sc, meterID)
	if err != nil {
		return Balance{}, err
	}
	b := Balance{MeterID: meterID, Basis: "children", Tolerance: BalanceTolerance, Children: []Meter{}, Months: []BalanceMonth{}}
	if m.Virtual() {
		return b, nil // computed from other meters: nothing to balance
	}
	kids, _, err := ListMeters(ctx, q, sc, MeterFilter{List: pageAll(), ParentID: meterID})
	if err != nil {
		return b, err
	}
	if len(kids) == 0 && m.Main() && m.BuildingID != 0 {
		all, _, err := ListMeters(ctx, q, sc, MeterFilter{List: pageAll(), BuildingID: m.BuildingID, EnergyType: m.EnergyType})
		if err != nil {
			return b, err
		}
		for _, k := range all {
			// Items of a group that has its own group meter would count twice; a virtual sub-item meter is computed
			// from the others (often as the main meter's remainder) and would make any balance look perfect.
			if k.SubItem != "" && k.ParentID == 0 && !k.Virtual() && (len(k.SubItem) == 1 || !hasGroupMeter(all, k)) {
				kids = append(kids, k)
			}
		}
		b.Basis = "sub_items"
	}
	b.Children = kids
	if len(kids) == 0 {
		return b, nil
	}
	main, hasMain, err := MeterMonths(ctx, q, meterID, year)
	if err != nil {
		return b, err
	}
	var sub [12]float64
	var hasSub [12]bool
	for _, k := range kids {
		v, h, err := MeterMonths(ctx, q, k.ID, year)
		if err != nil {
			return b, err
		}
		for i := range v {
			sub[i] += v[i]
			hasSub[i] = hasSub[i] || h[i]
		}
	}
	for i := 0; i < 12; i++ {
		if !hasMain[i] && !hasSub[i] {
			continue
		}
		bm := BalanceMonth{Period: Period{year, i + 1}.String(), Main: num.Round(main[i], 4), Sub: num.Round(sub[i], 4)}
		bm.Diff = num.Round(main[i]-sub[i], 4)
		if main[i] > 0 {
			bm.Ratio = num.Round(bm.Diff/main[i], 4)
		}
		bm.Flag = !hasMain[i] || !hasSub[i] || math.Abs(bm.Ratio) > BalanceTolerance || (main[i] == 0 && sub[i] > 0)
		b.Months = append(b.Months, bm)
	}
	return b, nil
}

func hasGroupMeter(all []Meter, item Meter) bool {
	for _, m := range all {
		if m.SubItem == subItemGroup(item.SubItem) && m.ParentID == 0 && m.OrgID == item.OrgID {
			return true
		}
	}
	return false
}

func pageAll() web.List { return web.List{Page: 1, PageSize: 500} }

// SubItemFigure is one sub-item group's electricity over a year.
type SubItemFigure struct {
	Code   string      `json:"code"`
	Name   string      `json:"name"`
	Months [12]float64 `json:"months"`
	Total  float64     `json:"total"`
}

// SubItemBreakdown sums the sub-item meters of a selection (or of one building when buildingID is set) by group
// (照明插座, 空调, 动力, 特殊) for a year. Where a group has a group-level meter its item meters are not added again.
func SubItemBreakdown(ctx context.Context, q db.Q, sc auth.Scope, sel Selection, buildingID int64, year int) ([]SubItemFigure, error) {
	w, args, err := sel.where(ctx, q, sc)
	if err != nil {
		return nil, err
	}
	if buildingID != 0 {
		w += " AND m.building_id = ?"
		args = append(args, buildingID)
	}
	type row struct {
		MeterID, OrgID, BuildingID int64
		SubItem, Period            string
		Amount                     float64
	}
	rows, err := db.Select(ctx, q, func(s db.Scanner) (row, error) {
		var r row
		return r, s.Scan(&r.MeterID, &r.OrgID, &r.BuildingID, &r.SubItem, &r.Period, &r.Amount)
	}, `SELECT m.id, m.org_id, COALESCE(m.building_id, 0), m.sub_item, mm.period, mm.amount
		FROM energy_meter_monthly mm JOIN energy_meters m ON m.id = mm.meter_id JOIN orgs o ON o.id = m.org_id
		WHERE `+w+` AND m.sub_item <> '' AND m.energy_type = 'electricity' AND mm.period >= ? AND mm.period <= ?`,
		append(args, fmt.Sprintf("%04d-01", year), fmt.Sprintf("%04d-12", year))...)
	if err != nil {
		return nil, err
	}
	groupMeter := map[string]bool{} // org/building/group with a group-level meter
	for _, r := range rows {
		if len(r.SubItem) == 1 {
			groupMeter[fmt.Sprintf("%d/%d/%s", r.OrgID, r.BuildingID, r.SubItem)] = true
		}
	}
	byGroup := map[string]*SubItemFigure{}
	for _, r := range rows {
		g := subItemGroup(r.SubItem)
		if len(r.SubItem) > 1 && groupMeter[fmt.Sprintf("%d/%d/%s", r.OrgID, r.BuildingID, g)] {
			continue
		}
		p, ok := ParsePeriod(r.Period)
		if !ok {
			continue
		}
		f := byGroup[g]
		if f == nil {
			f = &SubItemFigure{Code: g, Name: SubItemName(g)}
			byGroup[g] = f
		}
		f.Months[p.Month-1] += r.Amount
		f.Total += r.Amount
	}
	var out []SubItemFigure
	for _, s := range SubItems {
		if f, ok := byGroup[s.Code]; ok && s.Group == "" {
			f.Total = num.Round(f.Total, 4)
			out = append(out, *f)
		}
	}
	return out, nil
}

// chartRange parses the chart's from/to (dates YYYY-MM-DD, Beijing) with defaults: the last 7 days up to now.
func chartRange(fromS, toS string, now time.Time) (int64, int64, error) {
	f := errs.Fields{}
	to := now
	if toS != "" {
		t, err := time.ParseInLocation(time.DateOnly, toS, Shanghai)
		if err != nil {
			f.Add("to", "日期应为 YYYY-MM-DD")
		}
		to = t.AddDate(0, 0, 1)
	}
	from := to.AddDate(0, 0, -7)
	if fromS != "" {
		t, err := time.ParseInLocation(time.DateOnly, fromS, Shanghai)
		if err != nil {
			f.Add("from", "日期应为 YYYY-MM-DD")
		}
		from = t
	}
	if err := f.Err(); err != nil {
		return 0, 0, err
	}
	if !from.Before(to) {
		return 0, 0, errs.Invalid("to", "结束日期应不早于开始日期")
	}
	if to.Sub(from) > 20*366*24*time.Hour {
		return 0, 0, errs.Invalid("from", "时间范围不超过 20 年")
	}
	return from.Unix(), to.Unix(), nil
}
