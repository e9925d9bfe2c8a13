package energy

import (
	"fmt"
	"math"
)

// Chart options for ECharts, built here and drawn by app.js from <div class="chart" data-chart='…'>. JSON cannot
// carry functions, so axis labels use app.js's named formatters ("fmt:thousands", "fmt:percent").

// chartOpt is an ECharts option object.
type chartOpt = map[string]any

var monthLabels = func() []string {
	out := make([]string, 12)
	for i := range out {
		out[i] = fmt.Sprintf("%d月", i+1)
	}
	return out
}()

func baseGrid() chartOpt {
	return chartOpt{"left": 56, "right": 16, "top": 64, "bottom": 36, "containLabel": false}
}

func valueAxis(name string) chartOpt {
	return chartOpt{"type": "value", "name": name, "nameTextStyle": chartOpt{"align": "left"},
		"axisLabel": chartOpt{"formatter": "fmt:thousands"}, "splitLine": chartOpt{"lineStyle": chartOpt{"color": "#edf0f4"}}}
}

// trendChart stacks a year's monthly standard coal by type, with the previous year's total as a line.
func trendChart(cur, prev Trend, months int) chartOpt {
	var series []any
	var legend []string
	for _, t := range Types {
		if !t.Counted {
			continue
		}
		kg, ok := cur.Kgce[t.Code]
		if !ok {
			continue
		}
		data := make([]any, 12)
		for i := range data {
			if i < months {
				data[i] = math.Round(kg[i]) / 1000
			}
		}
		legend = append(legend, t.Name)
		series = append(series, chartOpt{"name": t.Name, "type": "bar", "stack": "kgce", "data": data, "itemStyle": chartOpt{"color": t.Color},
			"emphasis": chartOpt{"focus": "series"}})
	}
	if len(prev.Kgce) > 0 {
		data := make([]any, 12)
		for i := range data {
			sum := 0.0
			for _, t := range Types {
				if t.Counted {
					sum += prev.Kgce[t.Code][i]
				}
			}
			data[i] = math.Round(sum) / 1000
		}
		name := fmt.Sprintf("%d 年合计", prev.Year)
		legend = append(legend, name)
		series = append(series, chartOpt{"name": name, "type": "line", "data": data, "symbol": "circle", "symbolSize": 5,
			"lineStyle": chartOpt{"type": "dashed", "color": "#66788a"}, "itemStyle": chartOpt{"color": "#66788a"}})
	}
	return chartOpt{
		"tooltip": chartOpt{"trigger": "axis"},
		"legend":  chartOpt{"data": legend, "type": "scroll", "top": 0, "left": 0},
		"grid":    baseGrid(),
		"xAxis":   chartOpt{"type": "category", "data": monthLabels},
		"yAxis":   valueAxis("吨标准煤"),
		"series":  series,
	}
}

// mixChart is the structure of standard coal by type.
func mixChart(in Indicators) chartOpt {
	var data []any
	for _, t := range Types {
		f := in.Type(t.Code)
		if !t.Counted || f.Kgce <= 0 {
			continue
		}
		data = append(data, chartOpt{"name": t.Name, "value": math.Round(f.Kgce/10) / 100, "itemStyle": chartOpt{"color": t.Color}})
	}
	return chartOpt{
		"tooltip": chartOpt{"trigger": "item"},
		"legend":  chartOpt{"bottom": 0, "type": "scroll"},
		"series": []any{chartOpt{"type": "pie", "radius": []string{"40%", "68%"}, "center": []string{"50%", "45%"}, "data": data,
			"label": chartOpt{"show": false}}},
	}
}

// monthlyBarChart shows one type's twelve months (amounts) of the year and the previous year.
func monthlyBarChart(unit string, cur, prev [12]float64, curYear int, hasPrev bool) chartOpt {
	c := make([]any, 12)
	p := make([]any, 12)
	for i := range c {
		c[i] = math.Round(cur[i]*100) / 100
		p[i] = math.Round(prev[i]*100) / 100
	}
	series := []any{chartOpt{"name": fmt.Sprintf("%d", curYear), "type": "bar", "data": c, "itemStyle": chartOpt{"color": "#1d4f91"}}}
	if hasPrev {
		series = append(series, chartOpt{"name": fmt.Sprintf("%d", curYear-1), "type": "bar", "data": p, "itemStyle": chartOpt{"color": "#b7c8e3"}})
	}
	return chartOpt{"tooltip": chartOpt{"trigger": "axis"}, "legend": chartOpt{"top": 0}, "grid": baseGrid(),
		"xAxis": chartOpt{"type": "category", "data": monthLabels}, "yAxis": valueAxis(unit), "series": series}
}

// subItemChart stacks the sub-item groups month by month.
func subItemChart(items []SubItemFigure) chartOpt {
	colors := map[string]string{"a": "#f1c40f", "b": "#3a9ad9", "c": "#16a085", "d": "#c0392b"}
	var series []any
	for _, it := range items {
		data := make([]any, 12)
		for i, v := range it.Months {
			data[i] = math.Round(v)
		}
		series = append(series, chartOpt{"name": it.Name, "type": "bar", "stack": "sub", "data": data, "itemStyle": chartOpt{"color": colors[it.Code]}})
	}
	return chartOpt{"tooltip": chartOpt{"trigger": "axis"}, "legend": chartOpt{"top": 0}, "grid": baseGrid(),
		"xAxis": chartOpt{"type": "category", "data": monthLabels}, "yAxis": valueAxis("kWh"), "series": series}
}

// seriesChart draws a meter's consumption over time.
func seriesChart(sr Series) chartOpt {
	name := map[string]string{"interval": "区间用量", "hour": "小时用量", "day": "日用量"}[sr.Resolution]
	return chartOpt{
		"tooltip": chartOpt{"trigger": "axis"},
		// The zoom slider sits below the date labels: the grid leaves room for both (labels ≈ 8 + 14 px under
		// the axis, the slider 20 px at the bottom).
		"grid":     chartOpt{"left": 56, "right": 16, "top": 64, "bottom": 68, "containLabel": false},
		"xAxis":    chartOpt{"type": "time", "axisLabel": chartOpt{"hideOverlap": true}},
		"yAxis":    valueAxis(sr.Unit),
		"dataZoom": []any{chartOpt{"type": "inside"}, chartOpt{"type": "slider", "height": 20, "bottom": 8}},
		"series": []any{chartOpt{"name": name, "type": "line", "data": sr.Points, "showSymbol": false, "sampling": "lttb",
			"lineStyle": chartOpt{"width": 1, "color": "#1d4f91"}, "areaStyle": chartOpt{"color": "#e8f0fb"}}},
	}
}
