package telematics

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/telematics/jt808"
)

const fixACC = jt808.StatusFix | jt808.StatusACC

// path makes points every 30 s from `at`, moving north by dlat degrees per point at speed kmh.
func path(at time.Time, n int, lat, lon, dlat, kmh float64, status uint32) []Point {
	out := make([]Point, n)
	for i := range out {
		out[i] = Point{T: at.Add(time.Duration(i) * 30 * time.Second).Unix(), Lat: lat + float64(i)*dlat, Lon: lon, Speed: kmh, Status: status}
	}
	return out
}

func bj(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestHaversine(t *testing.T) {
	// One degree of latitude is about 111.2 km; Beijing–Shanghai about 1,067 km.
	if d := Haversine(30, 114, 31, 114); math.Abs(d-111.19) > 0.05 {
		t.Errorf("1° latitude = %.3f km", d)
	}
	if d := Haversine(39.9042, 116.4074, 31.2304, 121.4737); math.Abs(d-1067) > 3 {
		t.Errorf("Beijing–Shanghai = %.1f km", d)
	}
}

// TestDeriveTrips: a trip's distance is the haversine sum along its track; a pause longer than the stop gap or the
// ignition turning off ends a trip; drift and jitter are not trips; the covering order is linked.
func TestDeriveTrips(t *testing.T) {
	r := DefaultRules()
	start := bj("2026-11-16 09:00")
	drive1 := path(start, 41, 27.80, 114.40, 0.0025, 50, fixACC) // 20 min, 40 steps of ~278 m
	var want1 float64
	for i := 1; i < len(drive1); i++ {
		want1 += Haversine(drive1[i-1].Lat, drive1[i-1].Lon, drive1[i].Lat, drive1[i].Lon)
	}
	parked := path(start.Add(21*time.Minute), 30, drive1[40].Lat, 114.40, 0, 0, jt808.StatusFix) // ignition off, 15 min
	drive2 := path(start.Add(40*time.Minute), 21, drive1[40].Lat, 114.40, -0.0025, 60, fixACC)
	drift := path(start.Add(2*time.Hour), 5, 27.70, 114.40, 0.00001, 6, fixACC) // 5 m: drift
	jitter := Point{T: drive2[10].T + 1, Lat: 28.9, Lon: 114.4, Speed: 50, Status: fixACC}
	var ps []Point
	ps = append(ps, drive1...)
	ps = append(ps, parked...)
	ps = append(ps, drive2[:11]...)
	ps = append(ps, jitter)
	ps = append(ps, drive2[11:]...)
	ps = append(ps, drift...)
	orders := []org.VehicleOrder{{ID: 7, From: start.Add(-10 * time.Minute).Unix(), To: start.Add(30 * time.Minute).Unix()}}
	trips := DeriveTrips(ps, orders, r)
	if len(trips) != 2 {
		t.Fatalf("%d trips: %+v", len(trips), trips)
	}
	if a := trips[0]; a.Start != drive1[0].T || a.End < drive1[40].T || math.Abs(a.DistanceKm-want1) > 0.01 || a.OrderID != 7 || a.MaxSpeedKmh != 50 {
		t.Errorf("first trip %+v, want %.3f km from %d, order 7", a, want1, drive1[0].T)
	}
	if b := trips[1]; b.OrderID != 0 || math.Abs(b.DistanceKm-20*0.0025*111.195) > 0.05 {
		t.Errorf("second trip %+v (jitter point must be skipped, no order)", b)
	}
	// The whole track's distance equals the trips' distances plus the parked (zero) part.
	total := trips[0].DistanceKm + trips[1].DistanceKm
	if math.Abs(total-(want1+20*0.0025*111.195)) > 0.06 {
		t.Errorf("total %.3f km", total)
	}
	// Not fixed: nothing.
	if got := DeriveTrips(path(start, 20, 27.8, 114.4, 0.003, 50, jt808.StatusACC), nil, r); len(got) != 0 {
		t.Errorf("trips from unfixed points: %+v", got)
	}
}

// TestAlarmsFollowTheOfficialCalendar: off_hours on a holiday, at night, on a weekend, but not on an adjusted
// working Sunday during working hours, nor when a dispatched trip covers the drive.
func TestAlarmsFollowTheOfficialCalendar(t *testing.T) {
	r := DefaultRules()
	sch, err := calendar.NewSchedule(calendar.MustEmbedded(), calendar.Hours{Periods: []calendar.Period{{Start: r.WorkStart, End: r.WorkEnd}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		at      string
		order   bool
		offHour bool
	}{
		{"Monday 10:00", "2026-11-16 10:00", false, false},
		{"Monday 12:30 (lunch is working time for vehicles)", "2026-11-16 12:30", false, false},
		{"Monday 19:00", "2026-11-16 19:00", false, true},
		{"Monday 07:00", "2026-11-16 07:00", false, true},
		{"Sunday", "2026-11-15 10:00", false, true},
		{"National Day holiday, a Thursday", "2026-10-01 10:00", false, true},
		{"adjusted working Sunday 2026-09-20", "2026-09-20 10:00", false, false},
		{"adjusted working Saturday 2026-10-10", "2026-10-10 15:00", false, false},
		{"Sunday with a dispatched trip", "2026-11-15 10:00", true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			at := bj(c.at)
			ps := path(at, 11, 27.8, 114.4, 0.002, 40, fixACC)
			var orders []org.VehicleOrder
			if c.order {
				orders = []org.VehicleOrder{{ID: 1, From: at.Add(-time.Hour).Unix(), To: at.Add(time.Hour).Unix()}}
			}
			as := DeriveAlarms(ps, AlarmInput{Orders: orders, Working: sch.WorkingTime, Rules: r})
			kinds := map[string]Alarm{}
			for _, a := range as {
				kinds[a.Kind] = a
			}
			if _, got := kinds[KindOffHours]; got != c.offHour {
				t.Errorf("off_hours = %v, want %v (%+v)", got, c.offHour, as)
			}
			if _, got := kinds[KindNoOrder]; got == c.order {
				t.Errorf("no_order = %v with order %v", got, c.order)
			}
			if a, ok := kinds[KindOffHours]; ok && (a.Start != ps[0].T || a.End != ps[10].T) {
				t.Errorf("off_hours %d–%d, want %d–%d", a.Start, a.End, ps[0].T, ps[10].T)
			}
		})
	}
}

func TestParkingSpeedAndDeviceAlarms(t *testing.T) {
	r := DefaultRules()
	at := bj("2026-11-16 10:00")
	home := [2]float64{27.8, 114.4}
	// 40 m north of home: inside the 50 m radius; then 100 m north: outside.
	ps := []Point{
		{T: at.Unix(), Lat: 27.8 + 40.0/111195, Lon: 114.4, Status: jt808.StatusFix},
		{T: at.Unix() + 30, Lat: 27.8 + 100.0/111195, Lon: 114.4, Status: jt808.StatusFix, Speed: 130, Alarm: 1},
		{T: at.Unix() + 60, Lat: 27.8 + 200.0/111195, Lon: 114.4, Status: jt808.StatusFix, Speed: 125, Alarm: 1},
		{T: at.Unix() + 90, Lat: 27.8 + 300.0/111195, Lon: 114.4, Status: jt808.StatusFix, Speed: 90, Alarm: 1 | 1<<8},
	}
	as := DeriveAlarms(ps, AlarmInput{Home: &home, RadiusM: 50, Rules: r})
	got := map[string][]Alarm{}
	for _, a := range as {
		got[a.Kind] = append(got[a.Kind], a)
	}
	if lp := got[KindLeftParking]; len(lp) != 1 || lp[0].Start != ps[1].T || lp[0].End != ps[3].T || !strings.Contains(lp[0].Detail, "300 米") {
		t.Errorf("left_parking %+v", lp)
	}
	if os := got[KindOverspeed]; len(os) != 1 || os[0].Start != ps[1].T || os[0].End != ps[2].T || !strings.Contains(os[0].Detail, "130") {
		t.Errorf("overspeed %+v", os)
	}
	if da := got[KindDevice]; len(da) != 2 || !strings.Contains(da[0].Detail, "紧急报警") || !strings.Contains(da[1].Detail, "主电源掉电") {
		t.Errorf("device_alarm %+v", da)
	}
	// With a dispatched trip covering it, leaving the spot is no alarm; overspeed still is.
	as = DeriveAlarms(ps, AlarmInput{Home: &home, RadiusM: 50, Rules: r, Orders: []org.VehicleOrder{{ID: 1, From: at.Unix(), To: at.Unix() + 3600}}})
	for _, a := range as {
		if a.Kind == KindLeftParking || a.Kind == KindNoOrder {
			t.Errorf("covered drive raised %+v", a)
		}
	}
}

func TestParseHome(t *testing.T) {
	for s, want := range map[string]bool{
		"地下车库 B1-12 @ 27.8134,114.4167": true, "（27.8134，114.4167）": true, "27.8134, 114.4167": true,
		"示范省机关事务管理局停车场": false, "3 号楼 1,2 层": false, "95.1,114.2": false,
	} {
		h, ok := ParseHome(s)
		if ok != want || (ok && (h[0] != 27.8134 || h[1] != 114.4167)) {
			t.Errorf("%q → %v %v", s, h, ok)
		}
	}
}
