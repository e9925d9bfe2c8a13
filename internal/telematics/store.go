package telematics

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

// The reads of docs/api.md §Vehicle telemetry, each scoped: a vehicle's positions and trips after the vehicle is
// found in the caller's scope (404 otherwise), the latest positions and the alarms by their unit in SQL.

// Position is a stored position.
type Position struct {
	Time        string   `json:"time" doc:"设备时间（RFC 3339，北京时间）"`
	Lat         float64  `json:"lat" doc:"纬度（WGS-84）"`
	Lon         float64  `json:"lon" doc:"经度（WGS-84）"`
	SpeedKmh    float64  `json:"speed_kmh"`
	Direction   int      `json:"direction" doc:"方向 0–359，正北为 0"`
	AltitudeM   int      `json:"altitude_m"`
	AlarmFlags  int64    `json:"alarm_flags" doc:"JT/T 808 报警标志位"`
	StatusFlags int64    `json:"status_flags" doc:"JT/T 808 状态位（bit0 ACC，bit1 定位）"`
	OdometerKm  *float64 `json:"odometer_km" doc:"里程表读数（附加信息 0x01），无则为 null"`
	t           int64
}

// Latest is the newest position of a vehicle.
type Latest struct {
	VehicleID   int64   `json:"vehicle_id"`
	Plate       string  `json:"plate"`
	OrgID       int64   `json:"org_id"`
	Time        string  `json:"time"`
	Lat         float64 `json:"lat"`
	Lon         float64 `json:"lon"`
	SpeedKmh    float64 `json:"speed_kmh"`
	Direction   int     `json:"direction"`
	AlarmFlags  int64   `json:"alarm_flags"`
	StatusFlags int64   `json:"status_flags"`
	ReceivedAt  string  `json:"received_at" doc:"平台收到时间"`
	Moving      bool    `json:"moving" doc:"速度不低于行驶阈值"`
}

// TripItem is a trip derived from positions.
type TripItem struct {
	ID            int64   `json:"id"`
	VehicleID     int64   `json:"vehicle_id"`
	StartTime     string  `json:"start_time"`
	EndTime       string  `json:"end_time"`
	DistanceKm    float64 `json:"distance_km" doc:"轨迹里程（逐点球面距离之和）"`
	MaxSpeedKmh   float64 `json:"max_speed_kmh"`
	TripRequestID *int64  `json:"trip_request_id" doc:"覆盖本行程的派车单（用车申请）编号，无则为 null"`
	Points        int     `json:"points"`
}

// AlarmItem is an alarm.
type AlarmItem struct {
	ID        int64  `json:"id"`
	VehicleID int64  `json:"vehicle_id"`
	Plate     string `json:"plate"`
	OrgID     int64  `json:"org_id"`
	Kind      string `json:"kind" doc:"off_hours · no_order · left_parking · overspeed · device_alarm"`
	KindName  string `json:"kind_name"`
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
	Detail    string `json:"detail"`
}

func ts(t int64) string { return time.Unix(t, 0).In(clock.Shanghai).Format(time.RFC3339) }

// Window is a time range of a query: from and to as Unix seconds.
type Window struct {
	From, To int64
	List     web.List
}

// parseWindow reads from= and to= (RFC 3339, or YYYY-MM-DD: from that day's start, to the end of that day, Beijing
// time); without them the window is the last def up to now. Windows longer than maxSpan are refused.
func (s *Service) parseWindow(r *http.Request, def, maxSpan time.Duration) (Window, error) {
	f := errs.Fields{}
	l, err := web.ParseList(r)
	if err != nil {
		return Window{}, err
	}
	now := s.Clock.Now()
	w := Window{From: now.Add(-def).Unix(), To: now.Unix(), List: l}
	parse := func(name string, end bool) (int64, bool) {
		v := strings.TrimSpace(r.URL.Query().Get(name))
		if v == "" {
			return 0, false
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t.Unix(), true
		}
		if d, err := time.ParseInLocation(time.DateOnly, v, clock.Shanghai); err == nil {
			if end {
				return d.AddDate(0, 0, 1).Unix() - 1, true
			}
			return d.Unix(), true
		}
		f.Add(name, "时间格式应为 RFC 3339（如 2026-11-16T08:00:00+08:00）或 YYYY-MM-DD")
		return 0, false
	}
	from, hasFrom := parse("from", false)
	to, hasTo := parse("to", true)
	switch {
	case hasFrom && hasTo:
		w.From, w.To = from, to
	case hasFrom:
		w.From, w.To = from, min(from+int64(def/time.Second), now.Unix())
		if w.To < w.From {
			w.To = from + int64(def/time.Second)
		}
	case hasTo:
		w.From, w.To = to-int64(def/time.Second), to
	}
	if len(f) == 0 && w.To < w.From {
		f.Add("to", "结束时间不能早于开始时间")
	}
	if len(f) == 0 && w.To-w.From > int64(maxSpan/time.Second) {
		f.Add("to", "查询时间跨度过长（不超过 "+strconv.Itoa(int(maxSpan.Hours()/24))+" 天）")
	}
	return w, f.Err()
}

// Positions lists a vehicle's positions in the window, in time order, a page at a time.
func (s *Service) Positions(ctx context.Context, q db.Q, sc auth.Scope, vehicleID int64, w Window) ([]Position, int64, error) {
	if _, err := s.Fleet.TelematicsVehicle(ctx, q, sc, vehicleID); err != nil {
		return nil, 0, err
	}
	var total int64
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM telematics_positions WHERE vehicle_id = ? AND t >= ? AND t <= ?", vehicleID, w.From, w.To).Scan(&total); err != nil {
		return nil, 0, err
	}
	items, err := db.Select(ctx, q, func(r db.Scanner) (Position, error) {
		var p Position
		err := r.Scan(&p.t, &p.Lat, &p.Lon, &p.SpeedKmh, &p.Direction, &p.AltitudeM, &p.AlarmFlags, &p.StatusFlags, &p.OdometerKm)
		p.Time = ts(p.t)
		return p, err
	}, `SELECT t, lat, lon, speed_kmh, direction, altitude_m, alarm_flags, status_flags, odometer_km FROM telematics_positions
		WHERE vehicle_id = ? AND t >= ? AND t <= ? ORDER BY t LIMIT ? OFFSET ?`, vehicleID, w.From, w.To, w.List.PageSize, w.List.Offset())
	return items, total, err
}

// LatestPositions lists the newest position of every vehicle in scope.
func (s *Service) LatestPositions(ctx context.Context, q db.Q, sc auth.Scope, l web.List) ([]Latest, int64, error) {
	plates, err := s.plates(ctx, q, sc)
	if err != nil {
		return nil, 0, err
	}
	r := s.LoadRules(ctx, q)
	cond, args := sc.OrgCond("l.org_id")
	var total int64
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM telematics_latest l WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	items, err := db.Select(ctx, q, func(rs db.Scanner) (Latest, error) {
		var x Latest
		var t, rec int64
		err := rs.Scan(&x.VehicleID, &x.OrgID, &t, &x.Lat, &x.Lon, &x.SpeedKmh, &x.Direction, &x.AlarmFlags, &x.StatusFlags, &rec)
		x.Time, x.ReceivedAt, x.Plate, x.Moving = ts(t), ts(rec), plates[x.VehicleID].Plate, x.SpeedKmh >= r.MovingKmh
		return x, err
	}, `SELECT l.vehicle_id, l.org_id, l.t, l.lat, l.lon, l.speed_kmh, l.direction, l.alarm_flags, l.status_flags, l.received_at
		FROM telematics_latest l WHERE `+cond+` ORDER BY l.vehicle_id LIMIT ? OFFSET ?`, append(args, l.PageSize, l.Offset())...)
	return items, total, err
}

// plates maps the vehicles in scope by id.
func (s *Service) plates(ctx context.Context, q db.Q, sc auth.Scope) (map[int64]org.Vehicle, error) {
	vs, err := s.Fleet.TelematicsVehicles(ctx, q, sc)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]org.Vehicle, len(vs))
	for _, v := range vs {
		m[v.ID] = v
	}
	return m, nil
}

// Trips lists a vehicle's derived trips starting in the window.
func (s *Service) Trips(ctx context.Context, q db.Q, sc auth.Scope, vehicleID int64, w Window) ([]TripItem, int64, error) {
	if _, err := s.Fleet.TelematicsVehicle(ctx, q, sc, vehicleID); err != nil {
		return nil, 0, err
	}
	var total int64
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM telematics_trips WHERE vehicle_id = ? AND start_at >= ? AND start_at <= ?", vehicleID, w.From, w.To).Scan(&total); err != nil {
		return nil, 0, err
	}
	items, err := db.Select(ctx, q, func(r db.Scanner) (TripItem, error) {
		var x TripItem
		var a, b int64
		err := r.Scan(&x.ID, &x.VehicleID, &a, &b, &x.DistanceKm, &x.MaxSpeedKmh, &x.TripRequestID, &x.Points)
		x.StartTime, x.EndTime = ts(a), ts(b)
		return x, err
	}, `SELECT id, vehicle_id, start_at, end_at, distance_km, max_speed_kmh, trip_request_id, points FROM telematics_trips
		WHERE vehicle_id = ? AND start_at >= ? AND start_at <= ? ORDER BY start_at LIMIT ? OFFSET ?`, vehicleID, w.From, w.To, w.List.PageSize, w.List.Offset())
	return items, total, err
}

// AlarmFilter narrows the alarm list.
type AlarmFilter struct {
	Window
	VehicleID int64
	Kind      string
}

func (s *Service) parseAlarmFilter(r *http.Request) (AlarmFilter, error) {
	w, err := s.parseWindow(r, 30*24*time.Hour, 366*24*time.Hour)
	if err != nil {
		return AlarmFilter{}, err
	}
	af := AlarmFilter{Window: w, Kind: strings.TrimSpace(r.URL.Query().Get("kind"))}
	if af.Kind != "" && KindNames[af.Kind] == "" {
		return af, errs.Invalid("kind", "报警类型无效，应为 off_hours、no_order、left_parking、overspeed 或 device_alarm")
	}
	if v := strings.TrimSpace(r.URL.Query().Get("vehicle_id")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return af, errs.Invalid("vehicle_id", "车辆编号应为正整数")
		}
		af.VehicleID = id
	}
	return af, nil
}

// Alarms lists the alarms in scope starting in the window, newest first.
func (s *Service) Alarms(ctx context.Context, q db.Q, sc auth.Scope, f AlarmFilter) ([]AlarmItem, int64, error) {
	if f.VehicleID > 0 {
		if _, err := s.Fleet.TelematicsVehicle(ctx, q, sc, f.VehicleID); err != nil {
			return nil, 0, err
		}
	}
	plates, err := s.plates(ctx, q, sc)
	if err != nil {
		return nil, 0, err
	}
	cond, args := sc.OrgCond("a.org_id")
	where := " WHERE a.start_at >= ? AND a.start_at <= ? AND " + cond
	args = append([]any{f.From, f.To}, args...)
	if f.VehicleID > 0 {
		where += " AND a.vehicle_id = ?"
		args = append(args, f.VehicleID)
	}
	if f.Kind != "" {
		where += " AND a.kind = ?"
		args = append(args, f.Kind)
	}
	var total int64
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM telematics_alarms a"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	items, err := db.Select(ctx, q, func(r db.Scanner) (AlarmItem, error) {
		var x AlarmItem
		var a, b int64
		err := r.Scan(&x.ID, &x.VehicleID, &x.OrgID, &x.Kind, &a, &b, &x.Detail)
		x.StartTime, x.EndTime, x.KindName, x.Plate = ts(a), ts(b), KindNames[x.Kind], plates[x.VehicleID].Plate
		return x, err
	}, "SELECT a.id, a.vehicle_id, a.org_id, a.kind, a.start_at, a.end_at, a.detail FROM telematics_alarms a"+where+
		" ORDER BY a.start_at DESC, a.id DESC LIMIT ? OFFSET ?", append(args, f.List.PageSize, f.List.Offset())...)
	return items, total, err
}
