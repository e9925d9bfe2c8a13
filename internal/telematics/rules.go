package telematics

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/telematics/jt808"
)

// The pure rules (docs/domain/vehicles.md §Telematics alarms): trips from positions, alarms from positions, the
// covering dispatched trips and the working calendar. Table tests in rules_test.go.

// Rules are the thresholds of trip derivation and alarms. They are a setting (key SettingsKey) because the figures
// are the bureau's own choice ([M] in docs/domain/vehicles.md), except the 50 m parking radius, which is each
// vehicle's own in the ledger.
type Rules struct {
	WorkStart      string  `json:"work_start"`       // "08:30", Asia/Shanghai, on official working days
	WorkEnd        string  `json:"work_end"`         // "17:30"
	MovingKmh      float64 `json:"moving_kmh"`       // at or above: the vehicle is moving
	OverspeedKmh   float64 `json:"overspeed_kmh"`    // above: overspeed
	StopGapSec     int64   `json:"stop_gap_sec"`     // a pause longer than this ends a trip (and an alarm)
	MinTripKm      float64 `json:"min_trip_km"`      // shorter movements are GNSS drift, not trips
	MaxJumpKmh     float64 `json:"max_jump_kmh"`     // a point implying a faster jump from the previous one is jitter
	DefaultRadiusM int     `json:"default_radius_m"` // parking radius when the ledger has none
}

// SettingsKey is the settings key of the rules.
const SettingsKey = "telematics.rules"

// DefaultRules are the rules until the bureau sets its own (docs/domain/vehicles.md §Telematics alarms).
func DefaultRules() Rules {
	return Rules{WorkStart: "08:30", WorkEnd: "17:30", MovingKmh: 5, OverspeedKmh: 120, StopGapSec: 300, MinTripKm: 0.2, MaxJumpKmh: 250,
		DefaultRadiusM: 50}
}

// Point is a stored position as the rules read it.
type Point struct {
	T        int64
	Lat, Lon float64
	Speed    float64
	Alarm    uint32
	Status   uint32
}

func (p Point) fixed() bool { return p.Status&jt808.StatusFix != 0 }
func (p Point) acc() bool   { return p.Status&jt808.StatusACC != 0 }

// Haversine is the great-circle distance in km between two WGS-84 points (mean Earth radius 6,371.0088 km).
func Haversine(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0088
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

// clean keeps the fixed points in time order and drops jitter: a point that would mean a jump faster than
// MaxJumpKmh from the last kept one.
func clean(ps []Point, r Rules) []Point {
	out := make([]Point, 0, len(ps))
	for _, p := range ps {
		if !p.fixed() {
			continue
		}
		if n := len(out); n > 0 {
			prev := out[n-1]
			dt := float64(p.T - prev.T)
			if dt <= 0 {
				continue
			}
			if Haversine(prev.Lat, prev.Lon, p.Lat, p.Lon)/(dt/3600) > r.MaxJumpKmh {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// Trip is a derived trip.
type Trip struct {
	Start, End  int64
	DistanceKm  float64
	MaxSpeedKmh float64
	Points      int
	OrderID     int64 // the dispatched trip covering most of it (0: none)
}

// DeriveTrips cuts the points (one vehicle, time order) into trips: a trip runs from the first moving point
// (speed ≥ MovingKmh) while the vehicle moves again within StopGapSec and the ignition stays on; its distance is the
// haversine sum along its points. Trips shorter than MinTripKm are drift. Each is linked to the order covering most
// of it.
func DeriveTrips(ps []Point, orders []org.VehicleOrder, r Rules) []Trip {
	ps = clean(ps, r)
	var out []Trip
	var cur *Trip
	lastMove, lastIdx := int64(0), -1
	finish := func() {
		if cur != nil && cur.DistanceKm >= r.MinTripKm && cur.End > cur.Start {
			cur.DistanceKm = math.Round(cur.DistanceKm*1000) / 1000
			cur.OrderID = bestOrder(orders, cur.Start, cur.End)
			out = append(out, *cur)
		}
		cur = nil
	}
	for i, p := range ps {
		moving := p.Speed >= r.MovingKmh
		if cur != nil {
			ignitionOff := !p.acc() && !moving && ps[lastIdx].acc() // the key turned off after driving
			if p.T-lastMove > r.StopGapSec || ignitionOff {
				if ignitionOff {
					cur.DistanceKm += Haversine(ps[lastIdx].Lat, ps[lastIdx].Lon, p.Lat, p.Lon)
					cur.End, cur.Points = p.T, cur.Points+1
				}
				finish()
			}
		}
		if !moving {
			continue
		}
		if cur == nil {
			cur = &Trip{Start: p.T, End: p.T, Points: 1, MaxSpeedKmh: p.Speed}
			if i > 0 && p.T-ps[i-1].T <= r.StopGapSec { // the trip starts where the vehicle stood
				cur.Start, cur.Points = ps[i-1].T, 2
				cur.DistanceKm = Haversine(ps[i-1].Lat, ps[i-1].Lon, p.Lat, p.Lon)
			}
		} else {
			for j := lastIdx + 1; j <= i; j++ { // the slow points between count for the distance
				cur.DistanceKm += Haversine(ps[j-1].Lat, ps[j-1].Lon, ps[j].Lat, ps[j].Lon)
				cur.Points++
			}
			cur.End = p.T
			cur.MaxSpeedKmh = math.Max(cur.MaxSpeedKmh, p.Speed)
		}
		lastMove, lastIdx = p.T, i
	}
	finish()
	return out
}

// bestOrder is the order overlapping [from, to] the longest (0 when none does).
func bestOrder(orders []org.VehicleOrder, from, to int64) int64 {
	var best, bestLen int64 = 0, -1
	for _, o := range orders {
		l := min(o.To, to) - max(o.From, from)
		if l >= 0 && l > bestLen {
			best, bestLen = o.ID, l
		}
	}
	return best
}

func covered(orders []org.VehicleOrder, t int64) bool {
	for _, o := range orders {
		if o.From <= t && t <= o.To {
			return true
		}
	}
	return false
}

// Alarm kinds (docs/api.md §Vehicle telemetry).
const (
	KindOffHours    = "off_hours"
	KindNoOrder     = "no_order"
	KindLeftParking = "left_parking"
	KindOverspeed   = "overspeed"
	KindDevice      = "device_alarm"
)

// KindNames are the kinds' Chinese names.
var KindNames = map[string]string{KindOffHours: "非工作时间用车", KindNoOrder: "无派车单行驶", KindLeftParking: "离开定点停放位置",
	KindOverspeed: "超速", KindDevice: "终端报警"}

// Kinds in display order.
var Kinds = []string{KindOffHours, KindNoOrder, KindLeftParking, KindOverspeed, KindDevice}

// Alarm is a derived alarm.
type Alarm struct {
	Kind       string
	Start, End int64
	Detail     string
}

// AlarmInput is what the alarm rules need beside the points.
type AlarmInput struct {
	Orders  []org.VehicleOrder
	Working func(time.Time) bool // official working time (calendar and the rules' hours)
	Home    *[2]float64          // home parking spot (lat, lon), nil when unknown
	RadiusM int
	Rules   Rules
}

// DeriveAlarms finds the alarms of one vehicle's points (time order). Each kind is a run of points meeting its
// condition, points closer than StopGapSec apart joined:
//   - off_hours: moving outside official working time with no dispatched trip covering that time;
//   - no_order: moving with no dispatched trip covering that time;
//   - left_parking: farther than the radius from the home spot with no dispatched trip covering that time;
//   - overspeed: faster than OverspeedKmh;
//   - device_alarm: the terminal's alarm bits set (a change of bits starts a new alarm).
func DeriveAlarms(ps []Point, in AlarmInput) []Alarm {
	r := in.Rules
	ps = clean(ps, r)
	radius := in.RadiusM
	if radius <= 0 {
		radius = r.DefaultRadiusM
	}
	type run struct {
		on         bool
		start, end int64
		max        float64
		flags      uint32
		km         float64
		lat, lon   float64
	}
	runs := map[string]*run{}
	var out []Alarm
	emit := func(kind string, x *run) {
		var d string
		switch kind {
		case KindOffHours:
			d = fmt.Sprintf("非工作时间行驶且无派车单，约 %.1f 公里，最高 %.0f 公里/小时", x.km, x.max)
		case KindNoOrder:
			d = fmt.Sprintf("无派车单行驶约 %.1f 公里，最高 %.0f 公里/小时", x.km, x.max)
		case KindLeftParking:
			d = fmt.Sprintf("无派车单离开定点停放位置，最远 %.0f 米（半径 %d 米）", x.max, radius)
		case KindOverspeed:
			d = fmt.Sprintf("最高 %.0f 公里/小时，超过 %.0f 公里/小时", x.max, r.OverspeedKmh)
		case KindDevice:
			d = "终端报警：" + AlarmBitNames(x.flags)
		}
		out = append(out, Alarm{Kind: kind, Start: x.start, End: x.end, Detail: d})
		x.on = false
	}
	step := func(kind string, cond bool, p Point, val float64, flags uint32) {
		x := runs[kind]
		if x == nil {
			x = &run{}
			runs[kind] = x
		}
		if x.on && (p.T-x.end > r.StopGapSec || (kind == KindDevice && cond && flags != x.flags)) {
			emit(kind, x)
		}
		if !cond {
			if x.on && p.T-x.end > r.StopGapSec {
				emit(kind, x)
			}
			return
		}
		if !x.on {
			*x = run{on: true, start: p.T, end: p.T, max: val, flags: flags, lat: p.Lat, lon: p.Lon}
			return
		}
		x.km += Haversine(x.lat, x.lon, p.Lat, p.Lon)
		x.end, x.max, x.lat, x.lon = p.T, math.Max(x.max, val), p.Lat, p.Lon
	}
	for _, p := range ps {
		moving := p.Speed >= r.MovingKmh
		cov := covered(in.Orders, p.T)
		working := in.Working == nil || in.Working(time.Unix(p.T, 0))
		step(KindOffHours, moving && !cov && !working, p, p.Speed, 0)
		step(KindNoOrder, moving && !cov, p, p.Speed, 0)
		away := 0.0
		if in.Home != nil {
			away = Haversine(in.Home[0], in.Home[1], p.Lat, p.Lon) * 1000
		}
		step(KindLeftParking, in.Home != nil && away > float64(radius) && !cov, p, away, 0)
		step(KindOverspeed, p.Speed > r.OverspeedKmh, p, p.Speed, 0)
		step(KindDevice, p.Alarm != 0, p, 0, p.Alarm)
	}
	for _, k := range Kinds {
		if x := runs[k]; x != nil && x.on {
			emit(k, x)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Start != out[j].Start {
			return out[i].Start < out[j].Start
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// alarmBits names the terminal alarm bits of JT/T 808-2013 Table 24 (docs/domain/protocols.md §Key messages).
var alarmBits = map[int]string{0: "紧急报警(SOS)", 1: "超速报警", 2: "疲劳驾驶", 3: "危险预警", 4: "GNSS 模块故障", 5: "GNSS 天线未接或被剪断",
	6: "GNSS 天线短路", 7: "主电源欠压", 8: "主电源掉电", 9: "显示屏故障", 10: "TTS 模块故障", 11: "摄像头故障", 12: "IC 卡模块故障",
	13: "超速预警", 14: "疲劳驾驶预警", 18: "当天累计驾驶超时", 19: "超时停车", 20: "进出区域", 21: "进出路线", 22: "路段行驶时间不足/过长",
	23: "路线偏离", 24: "车辆 VSS 故障", 25: "车辆油量异常", 26: "车辆被盗", 27: "车辆非法点火", 28: "车辆非法位移", 29: "碰撞预警",
	30: "侧翻预警", 31: "非法开门"}

// AlarmBitNames lists the names of the bits set in flags.
func AlarmBitNames(flags uint32) string {
	var names []string
	for i := 0; i < 32; i++ {
		if flags&(1<<i) != 0 {
			if n, ok := alarmBits[i]; ok {
				names = append(names, n)
			} else {
				names = append(names, fmt.Sprintf("第 %d 位", i))
			}
		}
	}
	return strings.Join(names, "、")
}

// ParseHome reads "lat,lon" coordinates written into a parking spot's text (e.g. "1 号楼地下车库 B1-12 @ 27.8134,
// 114.4167"); false when the text holds none.
func ParseHome(s string) ([2]float64, bool) {
	var out [2]float64
	s = strings.NewReplacer("，", ",", "@", " ", "(", " ", ")", " ", "（", " ", "）", " ").Replace(s)
	fields := strings.Fields(strings.ReplaceAll(s, ",", " , "))
	for i := 0; i+2 < len(fields); i++ {
		if fields[i+1] != "," {
			continue
		}
		var lat, lon float64
		if _, err := fmt.Sscanf(fields[i]+" "+fields[i+2], "%g %g", &lat, &lon); err == nil && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 &&
			strings.Contains(fields[i], ".") && strings.Contains(fields[i+2], ".") {
			out[0], out[1] = lat, lon
			return out, true
		}
	}
	return out, false
}
