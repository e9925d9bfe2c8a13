package energy

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/govops/govops/internal/platform/errs"
)

func at(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.Unix()
}

func TestAttributionToTheClosingInterval(t *testing.T) {
	// A reading at 2025-02-01T00:00+08:00 closes January; one a second later is February's.
	if p := PeriodOf(HourOf(at("2025-02-01T00:00:00+08:00"))); p.String() != "2025-01" {
		t.Errorf("reading at Feb 1 00:00 closes %s", p)
	}
	if p := PeriodOf(HourOf(at("2025-02-01T00:00:01+08:00"))); p.String() != "2025-02" {
		t.Errorf("reading at Feb 1 00:00:01 closes %s", p)
	}
	if h := HourOf(at("2025-03-05T10:00:00+08:00")); h != at("2025-03-05T09:00:00+08:00") {
		t.Errorf("10:00 closes the hour starting %v", time.Unix(h, 0))
	}
	if d := DayOf(at("2025-03-05T23:00:00+08:00")); d != at("2025-03-05T00:00:00+08:00") {
		t.Errorf("day = %v", time.Unix(d, 0))
	}
}

func TestIntervalsRules(t *testing.T) {
	d := DefaultDetection
	q := int64(900)
	pts := func(base int64, step int64, vals ...float64) []Point {
		out := make([]Point, len(vals))
		for i, v := range vals {
			out[i] = Point{base + int64(i)*step, v}
		}
		return out
	}
	base := at("2025-06-01T00:00:00+08:00")
	cum := MeterSpec{Cumulative: true, Multiplier: 10, IntervalS: q}

	// Normal counting with a multiplier; the first reading is only the base.
	ivs := Intervals(cum, nil, pts(base, q, 100, 101, 102.5), d, nil)
	if len(ivs) != 2 || ivs[0].Amount != 10 || ivs[1].Amount != 15 {
		t.Fatalf("intervals = %+v", ivs)
	}
	// A decrease counts nothing until resolved; the new value becomes the base.
	ivs = Intervals(cum, []Point{{base, 99990}}, pts(base+q, q, 99995, 3, 8), d, nil)
	if ivs[1].Amount != 0 || !ivs[1].flagged(KindDecrease) || ivs[2].Amount != 50 {
		t.Fatalf("decrease = %+v", ivs)
	}
	res := map[AnomalyKey]Resolution{{KindDecrease, base + 2*q}: {Status: "resolved", Resolution: ResRollover, Amount: 80}}
	if ivs = Intervals(cum, []Point{{base, 99990}}, pts(base+q, q, 99995, 3, 8), d, res); ivs[1].Amount != 80 {
		t.Errorf("resolved rollover counts %v, want 80", ivs[1].Amount)
	}
	// A gap (more than 4 × 15 min) is counted and flagged.
	ivs = Intervals(cum, nil, []Point{{base, 0}, {base + q, 1}, {base + 6*q, 5}}, d, nil)
	if !ivs[1].flagged(KindGap) || ivs[1].Amount != 40 || ivs[0].flagged(KindGap) {
		t.Errorf("gap = %+v", ivs)
	}
	// A spike: ten intervals of 1, then one of 50 → held out; accepted → counted.
	vals := []float64{0}
	for i := 1; i <= 10; i++ {
		vals = append(vals, float64(i))
	}
	vals = append(vals, 60, 61)
	ivs = Intervals(cum, nil, pts(base, q, vals...), d, nil)
	spike := ivs[10]
	if !spike.flagged(KindSpike) || spike.Amount != 0 || spike.Raw != 500 || ivs[11].Amount != 10 {
		t.Fatalf("spike = %+v / next %+v", spike, ivs[11])
	}
	res = map[AnomalyKey]Resolution{{KindSpike, spike.To}: {Status: "resolved", Resolution: ResAccept}}
	if ivs = Intervals(cum, nil, pts(base, q, vals...), d, res); ivs[10].Amount != 500 {
		t.Errorf("accepted spike counts %v", ivs[10].Amount)
	}
	// Too little history: no spike.
	if ivs = Intervals(cum, nil, pts(base, q, 0, 1, 100), d, nil); ivs[1].flagged(KindSpike) {
		t.Errorf("spike flagged without history")
	}
	// Interval meters: each value is the interval's consumption; a negative one is a decrease.
	iv := MeterSpec{Cumulative: false, Multiplier: 1, IntervalS: q}
	ivs = Intervals(iv, nil, pts(base, q, 5, -1, 7), d, nil)
	if len(ivs) != 3 || ivs[0].Amount != 5 || ivs[1].Amount != 0 || !ivs[1].flagged(KindDecrease) || ivs[2].Amount != 7 {
		t.Errorf("interval meter = %+v", ivs)
	}
	// Inferred interval: monthly readings are no gaps; a missing half year is.
	monthly := MeterSpec{Cumulative: true, Multiplier: 1}
	var mp []Point
	for i := 0; i < 12; i++ {
		mp = append(mp, Point{time.Date(2024, time.Month(i+1), 1, 0, 0, 0, 0, Shanghai).Unix(), float64(i * 100)})
	}
	mp = append(mp, Point{time.Date(2025, 7, 1, 0, 0, 0, 0, Shanghai).Unix(), 1900})
	ivs = Intervals(monthly, nil, mp, d, nil)
	for i, x := range ivs[:len(ivs)-1] {
		if len(x.Kinds) > 0 {
			t.Errorf("monthly interval %d flagged %v", i, x.Kinds)
		}
	}
	if last := ivs[len(ivs)-1]; !last.flagged(KindGap) || last.Amount != 800 {
		t.Errorf("half-year gap = %+v", last)
	}
	// Buckets.
	hs := Hourly(Intervals(cum, nil, pts(base, q, 0, 1, 2, 3, 4, 5), d, nil))
	if len(hs) != 2 || hs[0].Amount != 40 || hs[0].Readings != 4 || hs[1].Amount != 10 {
		t.Errorf("hourly = %+v", hs)
	}
}

func TestLTTB(t *testing.T) {
	var xs []int64
	var ys []float64
	for i := 0; i < 35040; i++ {
		xs = append(xs, int64(i*900))
		ys = append(ys, math.Sin(float64(i)/96)*10+10)
	}
	ys[20000] = 500 // a spike survives downsampling
	ox, oy := LTTB(xs, ys, 1000)
	if len(ox) != 1000 || ox[0] != xs[0] || ox[999] != xs[len(xs)-1] {
		t.Fatalf("len %d first %d last %d", len(ox), ox[0], ox[999])
	}
	found := false
	for i := range oy {
		if oy[i] == 500 {
			found = true
		}
		if i > 0 && ox[i] <= ox[i-1] {
			t.Fatalf("not ascending at %d", i)
		}
	}
	if !found {
		t.Error("the spike was lost")
	}
	if ax, _ := LTTB(xs[:10], ys[:10], 1000); len(ax) != 10 {
		t.Error("short series changed")
	}
}

func TestNormalizePeriodAndTypes(t *testing.T) {
	for in, want := range map[string]string{"2025-03": "2025-03", "2025-3": "2025-03", "2025/3": "2025-03", "2025年3月": "2025-03", "2025-03-01": "2025-03",
		"2025.12": "2025-12", "2025/03/01 00:00": "2025-03", "三月": "三月"} {
		if got := normalizePeriod(in); got != want {
			t.Errorf("normalizePeriod(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"电力": "electricity", "电": "electricity", "water": "water", "液化石油气": "lpg", "光伏发电量": "pv_generation"} {
		if ty, ok := typeByName(in); !ok || ty.Code != want {
			t.Errorf("typeByName(%q) = %v", in, ty.Code)
		}
	}
	if _, ok := typeByName("蒸汽"); ok {
		t.Error("蒸汽 is not a type")
	}
}

func TestDecodeReadings(t *testing.T) {
	rs, err := DecodeReadings([]byte(`[{"meter_id":1,"ts":"2025-02-01T00:00:00+08:00","value":12.5},{"meter_id":2,"ts":1738339200000,"value":0},{"meter_id":3,"ts":1738339200,"value":-1}]`))
	if err != nil || len(rs) != 3 || rs[0].TS != 1738339200 || rs[1].TS != 1738339200 || rs[2].TS != 1738339200 || rs[0].Value != 12.5 {
		t.Fatalf("rs = %+v, %v", rs, err)
	}
	for body, code := range map[string]errs.Code{
		``: errs.CodeBadRequest, `{}`: errs.CodeBadRequest, `[`: errs.CodeBadRequest, `[]`: errs.CodeValidation,
		`[{"meter_id":1,"ts":"yesterday","value":1}]`: errs.CodeValidation, `[{"meter_id":0,"ts":1,"value":1}]`: errs.CodeValidation,
		`[{"meter_id":"a","ts":1,"value":1}]`: errs.CodeValidation, `[{"meter_id":1,"ts":1,"value":1}] x`: errs.CodeBadRequest, `[1]`: errs.CodeValidation,
	} {
		if _, err := DecodeReadings([]byte(body)); errs.CodeOf(err) != code {
			t.Errorf("%q: %v, want %s", body, err, code)
		}
	}
}

func TestDecodeTelemetry(t *testing.T) {
	ts, err := DecodeTelemetry("M-1", []byte(`{"ts":1738339200512,"values":{"energy_kwh":1234.5,"power_kw":3.2,"state":"on"}}`))
	if err != nil || len(ts) != 1 || ts[0].Device != "M-1" || ts[0].TS != 1738339200 || ts[0].Values["energy_kwh"] != 1234.5 || len(ts[0].Values) != 2 {
		t.Fatalf("single = %+v, %v", ts, err)
	}
	ts, err = DecodeTelemetry("M-1", []byte(`[{"ts":1000,"values":{"v":1}},{"ts":2000,"values":{"v":"2.5"}}]`))
	if err != nil || len(ts) != 2 || ts[1].Values["v"] != 2.5 {
		t.Fatalf("array = %+v, %v", ts, err)
	}
	ts, err = DecodeTelemetry("", []byte(`{"Meter A":[{"ts":1738339200000,"values":{"Total":10}}],"Meter B":[{"ts":1738339200000,"values":{"Total":20}}]}`))
	if err != nil || len(ts) != 2 {
		t.Fatalf("gateway = %+v, %v", ts, err)
	}
	ts, err = DecodeTelemetry("plug-1", []byte(`{"Time":"2025-02-01T00:00:00","ENERGY":{"Total":12.5,"Power":3}}`))
	if err != nil || len(ts) != 1 || ts[0].Values["ENERGY.Total"] != 12.5 {
		t.Fatalf("tasmota = %+v, %v", ts, err)
	}
	ts, err = DecodeTelemetry("M-2", []byte(`{"value":5}`))
	if err != nil || len(ts) != 1 || ts[0].TS != 0 || ts[0].Values["value"] != 5 {
		t.Fatalf("plain = %+v, %v", ts, err)
	}
	for _, bad := range []string{``, `nope`, `5`, `[1]`, `{"ts":"x","values":{}}`} {
		if _, err := DecodeTelemetry("x", []byte(bad)); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
	for _, c := range []struct {
		filter, topic, dev string
		ok                 bool
	}{{"govops/meters/+/telemetry", "govops/meters/M-001/telemetry", "M-001", true}, {"govops/meters/+/telemetry", "govops/meters/x", "", false},
		{"v1/gateway/telemetry", "v1/gateway/telemetry", "", true}, {"site/+/+/data", "site/a/b/data", "a", true}, {"a/#", "a/b/c", "", true}} {
		if d, ok := TopicDevice(c.filter, c.topic); d != c.dev || ok != c.ok {
			t.Errorf("TopicDevice(%q, %q) = %q %v", c.filter, c.topic, d, ok)
		}
	}
}

func FuzzDecodeReadings(f *testing.F) {
	f.Add([]byte(`[{"meter_id":1,"ts":"2025-02-01T00:00:00+08:00","value":12.5}]`))
	f.Add([]byte(`[{"meter_id":1,"ts":1738339200000,"value":1e308}]`))
	f.Add([]byte(`[{"meter_id":-1,"ts":null,"value":null}]`))
	f.Add([]byte(`{"a":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		rs, err := DecodeReadings(body)
		if err != nil {
			if e := errs.As(err); e == nil || (e.Code != errs.CodeBadRequest && e.Code != errs.CodeValidation) {
				t.Fatalf("error %v is not a 400/422", err)
			}
			return
		}
		for _, r := range rs {
			if r.MeterID <= 0 || math.IsNaN(r.Value) || math.IsInf(r.Value, 0) {
				t.Fatalf("accepted %+v", r)
			}
		}
	})
}

func FuzzDecodeTelemetry(f *testing.F) {
	f.Add("M-1", []byte(`{"ts":1738339200512,"values":{"energy_kwh":1234.5}}`))
	f.Add("", []byte(`{"Meter A":[{"ts":1,"values":{"Total":10}}]}`))
	f.Add("x", []byte(`[{"ts":1,"values":{"v":"2.5"}}]`))
	f.Add("x", []byte(`{"ENERGY":{"Total":1.5}}`))
	f.Fuzz(func(t *testing.T, device string, payload []byte) {
		ts, err := DecodeTelemetry(device, payload)
		if err != nil {
			return
		}
		for _, s := range ts {
			if s.TS < 0 {
				t.Fatalf("negative instant %+v", s)
			}
			for _, v := range s.Values {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("non-finite value in %+v", s)
				}
			}
		}
		_, _ = json.Marshal(ts)
	})
}

// FuzzFastReadings: whenever the fast path accepts a body, encoding/json accepts it too and reads the same readings.
func FuzzFastReadings(f *testing.F) {
	f.Add([]byte(`[{"meter_id":1,"ts":"2025-02-01T00:00:00+08:00","value":12.5},{"value":-1e3,"ts":1738339200000,"meter_id":2}]`))
	f.Add([]byte(` [ { "meter_id" : 7 , "ts" : 1738339200 , "value" : 0 } ] `))
	f.Add([]byte(`[{"meter_id":01,"ts":1,"value":1}]`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, ok := fastReadings(body)
		if !ok {
			return
		}
		var slow []ReadingInput
		if err := json.Unmarshal(body, &slow); err != nil {
			t.Fatalf("fast path accepted what encoding/json refuses (%v): %q", err, body)
		}
		if len(slow) != len(fast) {
			t.Fatalf("%d vs %d readings", len(fast), len(slow))
		}
		for i, s := range slow {
			ts, ok := ParseInstant(s.TS)
			if !ok || s.Value == nil || s.MeterID != fast[i].MeterID || ts != fast[i].TS || *s.Value != fast[i].Value {
				t.Fatalf("reading %d: fast %+v, slow %+v", i, fast[i], s)
			}
		}
	})
}
