package energy

import (
	"context"
	"sort"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/num"
)

// Region rankings (issue 14): besides ranking the units inside a county, a city or province compares its counties
// (or cities) with each other — each division's units of the selection summed (consumption over the sum of their
// 用能人数 or 建筑面积), ranked lowest first like the units.

// Region levels a ranking can group by.
const (
	ByUnit   = "unit"
	ByCounty = "county"
	ByCity   = "city"
)

// RegionRankItem is one division of a region ranking.
type RegionRankItem struct {
	Rank        int     `json:"rank"`
	RegionCode  string  `json:"region_code"`
	RegionName  string  `json:"region_name"`
	Units       int     `json:"units" doc:"参与汇总的有数据单位数"`
	TotalKgce   float64 `json:"total_kgce"`
	WaterM3     float64 `json:"water_m3"`
	CO2Kg       float64 `json:"co2_kg"`
	Headcount   int64   `json:"headcount"`
	FloorAreaM2 float64 `json:"floor_area_m2"`
	Value       float64 `json:"value"`
	VsMedian    float64 `json:"vs_median"`
}

// regionOf is the division a unit's region code falls in at a level: the county itself (6 digits, not ending in
// 00) or its city (the first 4 digits + 00); "" when the unit sits above that level.
func regionOf(code, by string) string {
	if len(code) != 6 {
		return ""
	}
	switch by {
	case ByCounty:
		if code[4:] == "00" {
			return ""
		}
		return code
	case ByCity:
		if code[2:] == "0000" {
			return ""
		}
		return code[:4] + "00"
	}
	return ""
}

// RegionRankings ranks the counties (or cities) of a selection by an indicator over a span, lowest first. Units
// above the level (a city's own units in a county ranking) and units without data are left out.
func RegionRankings(ctx context.Context, q db.Q, sc auth.Scope, sel Selection, span Span, indicator, by string) ([]RegionRankItem, error) {
	units, err := UnitFigures(ctx, q, sc, sel, span, nil)
	if err != nil {
		return nil, err
	}
	groups := map[string]*RegionRankItem{}
	for _, u := range units {
		code := regionOf(u.RegionCode, by)
		if code == "" || (u.TotalKgce == 0 && u.WaterM3 == 0) {
			continue
		}
		g := groups[code]
		if g == nil {
			g = &RegionRankItem{RegionCode: code}
			groups[code] = g
		}
		g.Units++
		g.TotalKgce += u.TotalKgce
		g.WaterM3 += u.WaterM3
		g.CO2Kg += u.CO2Kg
		g.Headcount += u.Headcount
		g.FloorAreaM2 += u.FloorAreaM2
	}
	out := make([]RegionRankItem, 0, len(groups))
	for _, g := range groups {
		u := UnitFigure{TotalKgce: g.TotalKgce, WaterM3: g.WaterM3, CO2Kg: g.CO2Kg, Headcount: g.Headcount, FloorAreaM2: g.FloorAreaM2}
		if g.Value = num.Round(u.Value(indicator), 4); g.Value <= 0 {
			continue
		}
		g.RegionName = org.RegionName(ctx, q, g.RegionCode)
		if g.RegionName == "" {
			g.RegionName = g.RegionCode
		}
		g.TotalKgce, g.WaterM3, g.CO2Kg = num.Round(g.TotalKgce, 2), num.Round(g.WaterM3, 2), num.Round(g.CO2Kg, 2)
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Value != out[j].Value {
			return out[i].Value < out[j].Value
		}
		return out[i].RegionCode < out[j].RegionCode
	})
	vals := make([]float64, len(out))
	for i := range out {
		vals[i] = out[i].Value
	}
	med := median(vals)
	for i := range out {
		out[i].Rank = i + 1
		if med > 0 {
			out[i].VsMedian = num.Round(out[i].Value/med-1, 4)
		}
	}
	return out, nil
}
