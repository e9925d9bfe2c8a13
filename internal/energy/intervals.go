package energy

import (
	"slices"
	"sort"
	"time"
)

// Reading is one value of a meter at an instant (Unix seconds).
type Reading struct {
	MeterID int64
	TS      int64
	Value   float64
}

// Point is a reading of one meter.
type Point struct {
	TS    int64
	Value float64
}

// Detection tunes the anomaly rules (settings key energy.detection; defaults in DefaultDetection).
type Detection struct {
	// GapFactor: an interval longer than GapFactor × the meter's expected interval is a gap.
	GapFactor float64 `json:"gap_factor"`
	// SpikeFactor: an interval whose consumption rate exceeds SpikeFactor × the rolling median rate is a spike.
	SpikeFactor float64 `json:"spike_factor"`
	// Window is how many preceding normal intervals the rolling median covers; MinHistory how many it needs.
	Window     int `json:"window"`
	MinHistory int `json:"min_history"`
}

// DefaultDetection: a 15-minute meter silent for more than an hour is a gap; ten times the median of the last day
// of 15-minute intervals is a spike.
var DefaultDetection = Detection{GapFactor: 4, SpikeFactor: 10, Window: 96, MinHistory: 8}

// Anomaly kinds.
const (
	KindDecrease = "decrease"
	KindGap      = "gap"
	KindSpike    = "spike"
)

// Resolutions of anomalies.
const (
	ResRollover    = "rollover"    // decrease: the counter wrapped; amount = (max − previous + current) × multiplier
	ResReplacement = "replacement" // decrease: the meter was replaced; amount = old meter's last stretch + new meter's first
	ResExclude     = "exclude"     // the reading is wrong: roll-ups skip it
	ResAccept      = "accept"      // spike: real consumption, count it; gap: acknowledged (it is counted anyway)
	ResIgnore      = "ignore"      // decrease: count nothing for the interval (e.g. a recalibration)
)

// Resolution is a person's decision on an anomaly, as the interval computation needs it.
type Resolution struct {
	Status     string // open | resolved
	Resolution string
	Amount     float64 // rollover and replacement: the consumption to count
}

// MeterSpec is what the interval computation needs of a meter.
type MeterSpec struct {
	Cumulative bool
	Multiplier float64
	IntervalS  int64
}

// Interval is the consumption between two readings, attributed to the instant that closes it.
type Interval struct {
	From, To  int64   // the readings' instants (From = 0 for the first reading of an interval meter)
	PrevValue float64 // the reading that opens it (cumulative meters)
	Value     float64 // the reading that closes it
	Raw       float64 // the difference (or the interval reading) × multiplier
	Amount    float64 // what is counted
	Expected  float64 // for spikes: the median rate × duration
	Kinds     []string
}

// flagged reports whether the interval carries anomaly kind k.
func (iv Interval) flagged(k string) bool {
	for _, x := range iv.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// AnomalyKey identifies an anomaly of a meter: its kind and the instant of the reading that closes the interval.
type AnomalyKey struct {
	Kind string
	TS   int64
}

// Intervals turns readings into consumption. history holds the readings before pts (ascending; the last one opens
// the first interval of a cumulative meter, and the intervals between them feed the rolling median); pts the
// readings to compute (ascending, no duplicates). resolved holds people's decisions on earlier anomalies.
//
// Rules: a cumulative meter's interval is (value − previous value) × multiplier; an interval meter's is its value
// × multiplier. A decrease (or a negative interval reading) is never summed: it counts 0 until a person resolves it
// as a rollover or replacement (the amount they confirm) — after it, the new value is the counter's base. A spike
// is held out (counts 0) until accepted. A gap is counted — the consumption really happened — and flagged.
func Intervals(m MeterSpec, history, pts []Point, d Detection, resolved map[AnomalyKey]Resolution) []Interval {
	mult := m.Multiplier
	if mult <= 0 {
		mult = 1
	}
	// Rates (per second) and durations of the last d.Window normal intervals, each kept sorted as well, so that the
	// rolling medians read in O(1) instead of sorting a copy at every reading (it was most of a roll-up's time).
	window, dts := newRolling(d.Window), newRolling(d.Window)
	push := func(r, dt float64) {
		window.push(r)
		dts.push(dt)
	}
	// expected is the interval a gap is measured against: the meter's configured one, else the median of its
	// recent intervals (a monthly-read meter has gaps of months, a 15-minute one of hours).
	expected := func() float64 {
		if m.IntervalS > 0 {
			return float64(m.IntervalS)
		}
		if dts.len() >= d.MinHistory {
			return dts.median()
		}
		return 0
	}
	var prev *Point
	for i := range history {
		p := history[i]
		if prev != nil && p.TS > prev.TS {
			dt := float64(p.TS - prev.TS)
			var raw float64
			if m.Cumulative {
				raw = (p.Value - prev.Value) * mult
			} else {
				raw = p.Value * mult
			}
			if exp := expected(); raw >= 0 && (exp == 0 || dt <= d.GapFactor*exp) {
				push(raw/dt, dt)
			}
		}
		prev = &history[i]
	}
	out := make([]Interval, 0, len(pts))
	for i := range pts {
		p := pts[i]
		if m.Cumulative && prev == nil {
			prev = &pts[i] // the first reading ever is the counter's base
			continue
		}
		iv := Interval{To: p.TS, Value: p.Value}
		var dt float64
		if prev != nil {
			iv.From, iv.PrevValue = prev.TS, prev.Value
			dt = float64(p.TS - prev.TS)
		}
		if m.Cumulative {
			iv.Raw = (p.Value - prev.Value) * mult
		} else {
			iv.Raw = p.Value * mult
		}
		iv.Amount = iv.Raw
		normal := true
		if iv.Raw < 0 {
			iv.Kinds = append(iv.Kinds, KindDecrease)
			iv.Amount, normal = 0, false
			if r, ok := resolved[AnomalyKey{KindDecrease, p.TS}]; ok && r.Status == "resolved" && (r.Resolution == ResRollover || r.Resolution == ResReplacement) {
				iv.Amount = r.Amount
			}
		} else if dt > 0 {
			if exp := expected(); exp > 0 && dt > d.GapFactor*exp {
				iv.Kinds = append(iv.Kinds, KindGap)
				normal = false
			}
			rate := iv.Raw / dt
			if window.len() >= d.MinHistory {
				if med := window.median(); med > 0 && rate > d.SpikeFactor*med {
					iv.Kinds = append(iv.Kinds, KindSpike)
					iv.Expected = med * dt
					normal = false
					if r, ok := resolved[AnomalyKey{KindSpike, p.TS}]; !ok || r.Status != "resolved" || r.Resolution != ResAccept {
						iv.Amount = 0
					}
				}
			}
			if normal {
				push(rate, dt)
			}
		}
		out = append(out, iv)
		prev = &pts[i]
	}
	return out
}

// rolling holds the last max values pushed, in arrival order (a ring) and sorted.
type rolling struct {
	max, head    int
	ring, sorted []float64
}

func newRolling(max int) *rolling { return &rolling{max: max} }

func (w *rolling) len() int { return len(w.sorted) }

func (w *rolling) push(x float64) {
	if w.max <= 0 {
		return
	}
	if len(w.ring) < w.max {
		w.ring = append(w.ring, x)
	} else {
		old := w.ring[w.head]
		w.ring[w.head] = x
		w.head = (w.head + 1) % w.max
		i := sort.SearchFloat64s(w.sorted, old) // the first of equal values: any of them will do
		w.sorted = slices.Delete(w.sorted, i, i+1)
	}
	w.sorted = slices.Insert(w.sorted, sort.SearchFloat64s(w.sorted, x), x)
}

// median is the median of the values held, as median of them would compute it.
func (w *rolling) median() float64 {
	n := len(w.sorted)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return w.sorted[n/2]
	}
	return (w.sorted[n/2-1] + w.sorted[n/2]) / 2
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// HourOf is the hour an interval closing at ts belongs to (Unix seconds of the hour's start): the interval that a
// reading at 10:00:00 closes is the 09:00 hour's, as a reading at 2025-02-01T00:00+08:00 closes January.
func HourOf(ts int64) int64 { return floorDiv(ts-1, 3600) * 3600 }

// DayOf is the local (Beijing) midnight, in Unix seconds, of the day an hour (or instant) belongs to.
func DayOf(ts int64) int64 { return floorDiv(ts+8*3600, 86400)*86400 - 8*3600 }

// PeriodOfDay is the month of a local midnight.
func PeriodOfDay(day int64) Period { return PeriodOf(day) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// Bucket sums intervals by hour.
type Bucket struct {
	Start    int64
	Amount   float64
	Readings int
}

// Hourly sums intervals into hours (ascending).
func Hourly(ivs []Interval) []Bucket {
	var out []Bucket
	for _, iv := range ivs {
		h := HourOf(iv.To)
		if n := len(out); n > 0 && out[n-1].Start == h {
			out[n-1].Amount += iv.Amount
			out[n-1].Readings++
			continue
		}
		out = append(out, Bucket{Start: h, Amount: iv.Amount, Readings: 1})
	}
	return out
}

// regroup sums buckets by a coarser key (ascending input gives ascending output).
func regroup(in []Bucket, key func(int64) int64) []Bucket {
	var out []Bucket
	for _, b := range in {
		k := key(b.Start)
		if n := len(out); n > 0 && out[n-1].Start == k {
			out[n-1].Amount += b.Amount
			out[n-1].Readings += b.Readings
			continue
		}
		out = append(out, Bucket{Start: k, Amount: b.Amount, Readings: b.Readings})
	}
	return out
}

// monthKey maps a local midnight to its month's first local midnight.
func monthKey(day int64) int64 { return PeriodOf(day).Start().Unix() }

// validTS bounds accepted reading instants: from 2000 to one day after now (clock skew of collectors).
func validTS(ts int64, now time.Time) bool {
	return ts >= 946684800 && ts <= now.Add(24*time.Hour).Unix()
}
