package fleet

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/notify"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/workflow"
)

// Trip requests (用车申请): submitted by an employee or a unit, approved through the workflow kit (request type
// fleet.trip), dispatched by the fleet centre with a vehicle and a driver, started and completed with the odometer
// and the trip's costs. docs/api.md §Official vehicles.

// Trip is a trip request and, once dispatched, the trip.
type Trip struct {
	ID              int64     `json:"id"`
	OrgID           int64     `json:"org_id"`
	OrgName         string    `json:"org_name"`
	RequesterID     int64     `json:"requester_id" doc:"用车人（人员）"`
	RequesterName   string    `json:"requester_name"`
	RequesterUserID int64     `json:"-"`
	Purpose         string    `json:"purpose"`
	Passengers      int       `json:"passengers"`
	Origin          string    `json:"origin"`
	Destination     string    `json:"destination"`
	StartAt         time.Time `json:"start_at"`
	EndAt           time.Time `json:"end_at"`
	Status          string    `json:"status" doc:"submitted · approved · dispatched · in_progress · completed · rejected · cancelled"`
	VehicleID       int64     `json:"vehicle_id,omitempty"`
	Plate           string    `json:"plate,omitempty"`
	DriverID        int64     `json:"driver_id,omitempty"`
	DriverName      string    `json:"driver_name,omitempty"`
	HireVehicleID   int64     `json:"hire_vehicle_id,omitempty" doc:"社会化保障车辆（派给租赁公司车辆时）"`
	HireDriverID    int64     `json:"hire_driver_id,omitempty"`
	HireCompany     string    `json:"hire_company,omitempty" doc:"社会化保障公司"`
	Rating          int       `json:"rating" doc:"用车人评价 1–5，0 为未评价"`
	RatingComment   string    `json:"rating_comment,omitempty"`
	OdometerStartKM float64   `json:"odometer_start_km"`
	OdometerEndKM   float64   `json:"odometer_end_km"`
	DistanceKM      float64   `json:"distance_km"`
	TollYuan        float64   `json:"toll_yuan"`
	ParkingYuan     float64   `json:"parking_yuan"`
	FuelYuan        float64   `json:"fuel_yuan"`
	DecisionNote    string    `json:"decision_note,omitempty"`
	CancelReason    string    `json:"cancel_reason,omitempty"`
	Emergency       bool      `json:"emergency" doc:"紧急用车：节假日封存的车辆也可派出"`
	EmergencyReason string    `json:"emergency_reason,omitempty" doc:"紧急用车的原因"`
	DispatchedAt    time.Time `json:"dispatched_at,omitzero"`
	StartedAt       time.Time `json:"started_at,omitzero"`
	CompletedAt     time.Time `json:"completed_at,omitzero"`
	CreatedAt       time.Time `json:"created_at"`
}

// StatusName is the Chinese status.
func (t Trip) StatusName() string { return TripStatuses.Name(t.Status) }

// Can reports whether action applies to the trip's status (templates show only those).
func (t Trip) Can(action string) bool { return CanMove(t.Status, action) }

// CostYuan is the trip's costs together.
func (t Trip) CostYuan() float64 { return yuan(fen(t.TollYuan) + fen(t.ParkingYuan) + fen(t.FuelYuan)) }

// Window is the trip's time as one line ("2026-11-16 09:00 – 17:30").
func (t Trip) Window() string {
	a, b := t.StartAt.In(clock.Shanghai), t.EndAt.In(clock.Shanghai)
	if a.Format(time.DateOnly) == b.Format(time.DateOnly) {
		return a.Format("2006-01-02 15:04") + " – " + b.Format("15:04")
	}
	return a.Format("2006-01-02 15:04") + " – " + b.Format("2006-01-02 15:04")
}

const tripCols = `t.id, t.org_id, o.name, t.requester_id, p.name, t.requester_user_id, t.purpose, t.passengers, t.origin, t.destination, t.start_at, t.end_at,
	t.status, COALESCE(t.vehicle_id, 0), COALESCE(v.plate, hv.plate, ''), COALESCE(t.driver_id, 0), COALESCE(dp.name, hd.name, ''), t.odometer_start_km, t.odometer_end_km,
	t.distance_km, t.toll_fen, t.parking_fen, t.fuel_fen, t.decision_note, t.cancel_reason, t.dispatched_at, t.started_at, t.completed_at, t.created_at,
	t.emergency, t.emergency_reason, COALESCE(t.hire_vehicle_id, 0), COALESCE(t.hire_driver_id, 0), COALESCE(hc.company, ''), t.rating, t.rating_comment`

const tripFrom = ` FROM fleet_trips t JOIN orgs o ON o.id = t.org_id JOIN people p ON p.id = t.requester_id
	LEFT JOIN fleet_vehicles v ON v.id = t.vehicle_id LEFT JOIN fleet_drivers d ON d.id = t.driver_id LEFT JOIN people dp ON dp.id = d.person_id
	LEFT JOIN fleet_hire_vehicles hv ON hv.id = t.hire_vehicle_id LEFT JOIN fleet_hire_drivers hd ON hd.id = t.hire_driver_id
	LEFT JOIN fleet_hire_contracts hc ON hc.id = hv.contract_id`

func scanTrip(s db.Scanner) (Trip, error) {
	var t Trip
	var start, end, disp, st, done, created, toll, park, fuel, emergency int64
	err := s.Scan(&t.ID, &t.OrgID, &t.OrgName, &t.RequesterID, &t.RequesterName, &t.RequesterUserID, &t.Purpose, &t.Passengers, &t.Origin, &t.Destination,
		&start, &end, &t.Status, &t.VehicleID, &t.Plate, &t.DriverID, &t.DriverName, &t.OdometerStartKM, &t.OdometerEndKM, &t.DistanceKM, &toll, &park, &fuel,
		&t.DecisionNote, &t.CancelReason, &disp, &st, &done, &created, &emergency, &t.EmergencyReason, &t.HireVehicleID, &t.HireDriverID, &t.HireCompany, &t.Rating, &t.RatingComment)
	t.Emergency = emergency != 0
	t.StartAt, t.EndAt, t.CreatedAt = time.Unix(start, 0).UTC(), time.Unix(end, 0).UTC(), db.FromUnix(created)
	t.DispatchedAt, t.StartedAt, t.CompletedAt = db.FromUnix(disp), db.FromUnix(st), db.FromUnix(done)
	t.TollYuan, t.ParkingYuan, t.FuelYuan = yuan(toll), yuan(park), yuan(fuel)
	return t, err
}

// tripScope: employees (self scope) see their own trips, everyone else the trips of the units in scope.
func tripScope(sc auth.Scope) (string, []any) { return sc.PersonCond("t.requester_id", "t.org_id") }

// GetTrip loads a trip request in scope (404 otherwise).
func GetTrip(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Trip, error) {
	cond, args := tripScope(sc)
	t, err := scanTrip(q.QueryRow(ctx, "SELECT "+tripCols+tripFrom+" WHERE t.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return t, errs.NotFound("用车申请")
	}
	return t, err
}

// TripFilter narrows the list of trip requests.
type TripFilter struct {
	List      web.List
	OrgID     int64
	Status    string
	VehicleID int64
	Mine      bool // only the signed-in user's requests
	From, To  time.Time
}

// ListTrips lists trip requests in scope, newest start first (approved ones awaiting dispatch: earliest first).
func ListTrips(ctx context.Context, q db.Q, sc auth.Scope, f TripFilter) ([]Trip, int64, error) {
	cond, args := tripScope(sc)
	w := " WHERE " + cond
	if f.OrgID > 0 {
		c, a, err := subtreeCond(ctx, q, sc, f.OrgID, "t.org_id")
		if err != nil {
			return nil, 0, err
		}
		w, args = w+" AND "+c, append(args, a...)
	}
	if f.Status != "" {
		if !TripStatuses.Has(f.Status) {
			return nil, 0, errs.Invalid("status", "状态应为 "+TripStatuses.Described())
		}
		w, args = w+" AND t.status = ?", append(args, f.Status)
	}
	if f.VehicleID > 0 {
		w, args = w+" AND t.vehicle_id = ?", append(args, f.VehicleID)
	}
	if f.Mine {
		w, args = w+" AND t.requester_id = ?", append(args, sc.PersonID)
	}
	if !f.From.IsZero() {
		w, args = w+" AND t.end_at > ?", append(args, f.From.Unix())
	}
	if !f.To.IsZero() {
		w, args = w+" AND t.start_at < ?", append(args, f.To.Unix())
	}
	if f.List.Q != "" {
		w += ` AND (LOWER(t.purpose) LIKE ? ESCAPE '\' OR LOWER(t.destination) LIKE ? ESCAPE '\' OR LOWER(p.name) LIKE ? ESCAPE '\')`
		like := db.LikeContains(f.List.Q)
		args = append(args, like, like, like)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+tripFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	order := "t.start_at DESC, t.id DESC"
	if f.Status == TripApproved || f.Status == TripSubmitted {
		order = "t.start_at, t.id"
	}
	rows, err := db.Select(ctx, q, scanTrip, "SELECT "+tripCols+tripFrom+w+" ORDER BY "+order+" LIMIT ? OFFSET ?", append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// TripInput is the body of POST /api/v1/trip-requests. Instants are RFC 3339 ("2026-11-16T09:00:00+08:00"); the
// forms send "2026-11-16T09:00", read in Asia/Shanghai.
type TripInput struct {
	OrgID       int64  `json:"org_id,omitempty" doc:"用车单位；默认为用车人的单位"`
	RequesterID int64  `json:"requester_id,omitempty" doc:"用车人（人员）；默认为本人"`
	Purpose     string `json:"purpose"`
	Passengers  int    `json:"passengers"`
	Origin      string `json:"origin"`
	Destination string `json:"destination"`
	StartAt     string `json:"start_at"`
	EndAt       string `json:"end_at"`
	// Emergency asks for a vehicle even when it is sealed for a statutory holiday (节假日封存); it needs a reason
	// and goes through the same approval.
	Emergency       bool   `json:"emergency,omitempty" doc:"紧急用车（节假日封存车辆也可派出，须说明原因）"`
	EmergencyReason string `json:"emergency_reason,omitempty" doc:"紧急用车的原因（emergency 为 true 时必填）"`
}

// ParseInstant reads an RFC 3339 instant, or a form's "YYYY-MM-DDTHH:MM" in Asia/Shanghai.
func ParseInstant(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, clock.Shanghai); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func (in *TripInput) check(f errs.Fields, now time.Time) (start, end time.Time) {
	text(f, "purpose", &in.Purpose, 200, true, "用车事由")
	text(f, "origin", &in.Origin, 100, true, "出发地点")
	text(f, "destination", &in.Destination, 200, true, "目的地")
	text(f, "emergency_reason", &in.EmergencyReason, 200, in.Emergency, "紧急用车原因")
	if !in.Emergency {
		in.EmergencyReason = ""
	}
	if in.Passengers < 1 || in.Passengers > 60 {
		f.Add("passengers", "乘车人数应为 1–60")
	}
	var ok1, ok2 bool
	if start, ok1 = ParseInstant(in.StartAt); !ok1 {
		f.Add("start_at", "请填写用车开始时间（如 2026-11-16T09:00:00+08:00）")
	}
	if end, ok2 = ParseInstant(in.EndAt); !ok2 {
		f.Add("end_at", "请填写用车结束时间（如 2026-11-16T17:30:00+08:00）")
	}
	if ok1 && ok2 {
		switch {
		case !end.After(start):
			f.Add("end_at", "结束时间应晚于开始时间")
		case end.Sub(start) > 31*24*time.Hour:
			f.Add("end_at", "一次用车不超过 31 天")
		case start.Before(now.Add(-7 * 24 * time.Hour)):
			f.Add("start_at", "开始时间不能早于 7 天前")
		case start.After(now.AddDate(1, 0, 0)):
			f.Add("start_at", "只能申请一年以内的用车")
		}
	}
	return start, end
}

// CreateTrip records a trip request and submits it for approval in the same transaction. The requester is the
// signed-in user's person unless the caller (a unit) names one of its people.
func (s *Service) CreateTrip(ctx context.Context, sc auth.Scope, in TripInput) (Trip, error) {
	now := s.Clock.Now()
	u := auth.UserFrom(ctx)
	if u == nil {
		return Trip{}, errs.Forbidden("需要登录用户提交申请")
	}
	if in.RequesterID == 0 {
		in.RequesterID = u.PersonID
	}
	f := errs.Fields{}
	start, end := in.check(f, now)
	if err := f.Err(); err != nil {
		return Trip{}, err
	}
	var out Trip
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if in.OrgID != 0 {
			if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
				return err
			}
		}
		if in.RequesterID <= 0 {
			return errs.Invalid("requester_id", "请选择用车人（您的账号未关联人员）")
		}
		p, err := org.GetPerson(ctx, q, sc, in.RequesterID)
		if err != nil {
			return fieldErr(err, "requester_id", "用车人不存在或不在您的数据范围内")
		}
		if in.OrgID == 0 {
			in.OrgID = p.OrgID
		}
		if in.OrgID != p.OrgID {
			return errs.Invalid("org_id", "用车人不属于该单位")
		}
		if p.Status != "active" {
			return errs.Invalid("requester_id", "用车人已"+p.StatusName())
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO fleet_trips (org_id, requester_id, requester_user_id, purpose, passengers, origin, destination, start_at, end_at,
			status, emergency, emergency_reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?, ?, ?) RETURNING id`,
			in.OrgID, p.ID, u.ID, in.Purpose, in.Passengers, in.Origin, in.Destination, start.Unix(), end.Unix(), boolInt(in.Emergency), in.EmergencyReason, now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if out, err = GetTrip(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if _, err := s.Workflow.Submit(ctx, q, workflow.SubmitInput{Type: wfTrip, ObjectID: id, RequesterID: u.ID, OrgID: in.OrgID,
			Title: "用车申请：" + p.Name + " " + in.Destination, Summary: fmt.Sprintf("%s；%s → %s；%d 人；%s%s", out.Window(), in.Origin, in.Destination, in.Passengers, in.Purpose, emergencyNote(out))}); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objTrip, id, "create", "提交用车申请，进入审批"); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "fleet.trip.create", ObjectType: objTrip, ObjectID: id, OrgID: in.OrgID, Success: true, After: out})
	})
	return out, err
}

// tripDecided is the workflow hook: it runs in the deciding transaction.
func (s *Service) tripDecided(ctx context.Context, q db.Q, inst workflow.Instance) error {
	now := s.Clock.Now()
	to := map[string]string{workflow.StatusApproved: TripApproved, workflow.StatusRejected: TripRejected, workflow.StatusWithdrawn: TripCancelled}[inst.Status]
	if to == "" {
		return nil
	}
	res, err := q.Exec(ctx, "UPDATE fleet_trips SET status = ?, updated_at = ? WHERE id = ? AND status = 'submitted'", to, now.Unix(), inst.ObjectID)
	if err != nil {
		return err
	}
	if db.RowsAffected(res) == 0 {
		return errs.Conflict("用车申请已不在审批中")
	}
	if err := history.Record(ctx, q, now, objTrip, inst.ObjectID, "decide", "审批结果："+TripStatuses.Name(to)); err != nil {
		return err
	}
	if err := audit.Record(ctx, q, now, audit.Entry{Action: "fleet.trip.decide", ObjectType: objTrip, ObjectID: inst.ObjectID, OrgID: inst.OrgID,
		Success: true, After: map[string]any{"status": to, "workflow_instance": inst.ID}}); err != nil {
		return err
	}
	if to == TripApproved {
		t, err := GetTrip(ctx, q, auth.Everything(), inst.ObjectID)
		if err != nil {
			return err
		}
		return s.tell(ctx, q, t, "用车申请已批准："+t.Destination, t.Window()+"，等待派车")
	}
	return nil
}

// tell notifies the requester of a trip, linking to it.
func (s *Service) tell(ctx context.Context, q db.Q, t Trip, title, body string) error {
	if t.RequesterUserID == 0 {
		return nil
	}
	return s.Notify.Notify(ctx, q, notify.Notification{Recipients: []int64{t.RequesterUserID}, Event: eventTrip, Title: title, Body: body,
		Link: "/fleet/trips/" + itoa(t.ID)})
}

// CommentInput is the body of approve, reject and cancel.
type CommentInput struct {
	Comment string `json:"comment,omitempty" doc:"审批意见（驳回时必填）或取消原因"`
}

// DecideTrip approves or rejects a submitted request through the workflow kit: the caller must be an approver of
// its current step (403 otherwise); a request no longer in approval is a 409.
func (s *Service) DecideTrip(ctx context.Context, sc auth.Scope, id int64, approve bool, comment string) (Trip, error) {
	u := auth.UserFrom(ctx)
	var out Trip
	err := s.DB.Tx(ctx, func(q db.Q) error {
		t, err := GetTrip(ctx, q, sc, id)
		if err != nil {
			return err
		}
		action, act := "reject", workflow.ActReject
		if approve {
			action, act = "approve", workflow.ActApprove
		}
		if _, err := TripMove(t.Status, action); err != nil {
			return err
		}
		inst, err := s.Workflow.ForObject(ctx, q, wfTrip, id)
		if err != nil {
			return err
		}
		if _, err := s.Workflow.DecideTx(ctx, q, u, inst.ID, act, comment); err != nil {
			return err
		}
		if strings.TrimSpace(comment) != "" {
			if _, err := q.Exec(ctx, "UPDATE fleet_trips SET decision_note = ? WHERE id = ?", strings.TrimSpace(comment), id); err != nil {
				return err
			}
		}
		out, err = GetTrip(ctx, q, auth.Everything(), id)
		return err
	})
	return out, err
}

// DispatchInput is the body of POST /api/v1/trip-requests/{id}/dispatch.
type DispatchInput struct {
	VehicleID int64 `json:"vehicle_id"`
	DriverID  int64 `json:"driver_id"`
	// HireVehicleID and HireDriverID dispatch the trip to the hire pool (社会化保障) instead of an own vehicle.
	HireVehicleID int64 `json:"hire_vehicle_id,omitempty" doc:"社会化保障车辆（代替 vehicle_id、driver_id）"`
	HireDriverID  int64 `json:"hire_driver_id,omitempty" doc:"同一合同的驾驶员"`
}

// Dispatch assigns a vehicle and a driver to an approved request. A vehicle or a driver already dispatched for an
// overlapping time is a 409, also when many dispatches race: the transaction first bumps the vehicle's and then the
// driver's dispatch_seq, which locks their rows until it ends (PostgreSQL; SQLite runs one write transaction at a
// time), and only then looks for overlaps — so the second of two racing dispatches sees the first one's trip.
func (s *Service) Dispatch(ctx context.Context, sc auth.Scope, id int64, in DispatchInput) (Trip, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	if in.HireVehicleID > 0 || in.HireDriverID > 0 {
		if in.VehicleID > 0 || in.DriverID > 0 {
			f.Add("hire_vehicle_id", "本单位车辆和社会化保障车辆只能选一种")
		}
		if in.HireVehicleID <= 0 {
			f.Add("hire_vehicle_id", "请选择社会化保障车辆")
		}
		if in.HireDriverID <= 0 {
			f.Add("hire_driver_id", "请选择社会化保障驾驶员")
		}
		if err := f.Err(); err != nil {
			return Trip{}, err
		}
		return s.dispatchHire(ctx, sc, id, in)
	}
	if in.VehicleID <= 0 {
		f.Add("vehicle_id", "请选择车辆")
	}
	if in.DriverID <= 0 {
		f.Add("driver_id", "请选择驾驶员")
	}
	if err := f.Err(); err != nil {
		return Trip{}, err
	}
	var out Trip
	err := s.DB.Tx(ctx, func(q db.Q) error {
		t, err := GetTrip(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if _, err := TripMove(t.Status, "dispatch"); err != nil {
			return err
		}
		v, err := GetVehicle(ctx, q, sc, in.VehicleID)
		if err != nil {
			return fieldErr(err, "vehicle_id", "车辆不存在或不在您的数据范围内")
		}
		d, err := GetDriver(ctx, q, sc, in.DriverID)
		if err != nil {
			return fieldErr(err, "driver_id", "驾驶员不存在或不在您的数据范围内")
		}
		if v.Status != "in_use" {
			return &errs.Error{Code: errs.CodeConflict, Message: "车辆 " + v.Plate + " 当前" + v.StatusName() + "，不能派车", Fields: map[string]string{"vehicle_id": "车辆" + v.StatusName()}}
		}
		if name, day := holidayIn(s.days(), t.StartAt, t.EndAt); v.HolidaySeal && name != "" && !t.Emergency {
			return &errs.Error{Code: errs.CodeConflict, Message: fmt.Sprintf("车辆 %s 节假日封存（%s %s），非紧急用车不能派出；紧急用车须在申请中注明原因并经审批", v.Plate, name, day),
				Fields: map[string]string{"vehicle_id": "节假日封存"}}
		}
		if v.Seats < t.Passengers+1 {
			return errs.Invalid("vehicle_id", fmt.Sprintf("车辆 %s 核定 %d 座，不够 %d 名乘车人和驾驶员", v.Plate, v.Seats, t.Passengers))
		}
		if d.Status != "active" {
			return &errs.Error{Code: errs.CodeConflict, Message: "驾驶员 " + d.Name + " 已停用", Fields: map[string]string{"driver_id": "驾驶员已停用"}}
		}
		if d.LicenseExpired(clock.Today(t.EndAt)) {
			return errs.Invalid("driver_id", "驾驶员 "+d.Name+" 的驾驶证在用车期间已过期（"+d.LicenseExpiry+"）")
		}
		// Lock the vehicle, then the driver (always in this order, so racing dispatches never wait in a circle).
		if _, err := q.Exec(ctx, "UPDATE fleet_vehicles SET dispatch_seq = dispatch_seq + 1 WHERE id = ?", v.ID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "UPDATE fleet_drivers SET dispatch_seq = dispatch_seq + 1 WHERE id = ?", d.ID); err != nil {
			return err
		}
		busy := func(col string, ref int64) (string, error) {
			rows, err := db.Strings(ctx, q, `SELECT p.name || '（' || t.destination || '）' FROM fleet_trips t JOIN people p ON p.id = t.requester_id
				WHERE t.`+col+` = ? AND t.status IN ('dispatched', 'in_progress') AND t.start_at < ? AND t.end_at > ? AND t.id <> ? ORDER BY t.start_at LIMIT 1`,
				ref, t.EndAt.Unix(), t.StartAt.Unix(), t.ID)
			if err != nil || len(rows) == 0 {
				return "", err
			}
			return rows[0], nil
		}
		if other, err := busy("vehicle_id", v.ID); err != nil {
			return err
		} else if other != "" {
			return &errs.Error{Code: errs.CodeConflict, Message: "车辆 " + v.Plate + " 在该时段已派给 " + other, Fields: map[string]string{"vehicle_id": "该时段已派车"}}
		}
		if other, err := busy("driver_id", d.ID); err != nil {
			return err
		} else if other != "" {
			return &errs.Error{Code: errs.CodeConflict, Message: "驾驶员 " + d.Name + " 在该时段已派给 " + other, Fields: map[string]string{"driver_id": "该时段已有任务"}}
		}
		res, err := q.Exec(ctx, `UPDATE fleet_trips SET status = 'dispatched', vehicle_id = ?, driver_id = ?, dispatched_at = ?, updated_at = ?
			WHERE id = ? AND status = 'approved'`, v.ID, d.ID, now.Unix(), now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("用车申请状态已变化，请刷新后重试")
		}
		if out, err = GetTrip(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objTrip, id, "dispatch", "派车："+v.Plate+"，驾驶员 "+d.Name); err != nil {
			return err
		}
		if err := audit.Record(ctx, q, now, audit.Entry{Action: "fleet.trip.dispatch", ObjectType: objTrip, ObjectID: id, OrgID: t.OrgID, Success: true,
			Before: map[string]any{"status": t.Status}, After: map[string]any{"status": out.Status, "vehicle_id": v.ID, "plate": v.Plate, "driver_id": d.ID}}); err != nil {
			return err
		}
		return s.tell(ctx, q, out, "已派车："+v.Plate, out.Window()+"，驾驶员 "+d.Name+"，"+t.Origin+" → "+t.Destination)
	})
	return out, err
}

// StartInput is the body of POST /api/v1/trip-requests/{id}/start.
type StartInput struct {
	OdometerKM float64 `json:"odometer_km" doc:"出车时里程表读数"`
}

// StartTrip records the departure of a dispatched trip with the odometer reading.
func (s *Service) StartTrip(ctx context.Context, sc auth.Scope, id int64, in StartInput) (Trip, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	number(f, "odometer_km", in.OdometerKM, 5e6, "出车里程", "公里")
	if err := f.Err(); err != nil {
		return Trip{}, err
	}
	var out Trip
	err := s.DB.Tx(ctx, func(q db.Q) error {
		t, err := GetTrip(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if _, err := TripMove(t.Status, "start"); err != nil {
			return err
		}
		var odo float64
		if t.VehicleID > 0 { // a hire vehicle's odometer is not in the ledger
			if err := q.QueryRow(ctx, "SELECT odometer_km FROM fleet_vehicles WHERE id = ?", t.VehicleID).Scan(&odo); err != nil {
				return err
			}
		}
		if in.OdometerKM+0.05 < odo {
			return errs.Invalid("odometer_km", fmt.Sprintf("出车里程不能小于车辆当前里程 %.1f 公里", odo))
		}
		res, err := q.Exec(ctx, "UPDATE fleet_trips SET status = 'in_progress', odometer_start_km = ?, started_at = ?, updated_at = ? WHERE id = ? AND status = 'dispatched'",
			in.OdometerKM, now.Unix(), now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("用车申请状态已变化，请刷新后重试")
		}
		if out, err = GetTrip(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objTrip, id, "start", fmt.Sprintf("出车，里程 %.1f 公里", in.OdometerKM)); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "fleet.trip.start", ObjectType: objTrip, ObjectID: id, OrgID: t.OrgID, Success: true,
			Before: map[string]any{"status": t.Status}, After: map[string]any{"status": out.Status, "odometer_km": in.OdometerKM}})
	})
	return out, err
}

// CompleteInput is the body of POST /api/v1/trip-requests/{id}/complete.
type CompleteInput struct {
	OdometerKM  float64 `json:"odometer_km" doc:"收车时里程表读数"`
	TollYuan    float64 `json:"toll_yuan,omitempty"`
	ParkingYuan float64 `json:"parking_yuan,omitempty"`
	FuelYuan    float64 `json:"fuel_yuan,omitempty"`
}

// CompleteTrip records the return of a trip: the odometer (the distance is the difference), and its tolls,
// parking and fuel, which become costs of the vehicle dated on the trip's start day (单车核算).
func (s *Service) CompleteTrip(ctx context.Context, sc auth.Scope, id int64, in CompleteInput) (Trip, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	number(f, "odometer_km", in.OdometerKM, 5e6, "收车里程", "公里")
	money(f, "toll_yuan", in.TollYuan, "通行费")
	money(f, "parking_yuan", in.ParkingYuan, "停车费")
	money(f, "fuel_yuan", in.FuelYuan, "燃油（充电）费")
	if err := f.Err(); err != nil {
		return Trip{}, err
	}
	var out Trip
	err := s.DB.Tx(ctx, func(q db.Q) error {
		t, err := GetTrip(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if _, err := TripMove(t.Status, "complete"); err != nil {
			return err
		}
		if in.OdometerKM < t.OdometerStartKM {
			return errs.Invalid("odometer_km", fmt.Sprintf("收车里程不能小于出车里程 %.1f 公里", t.OdometerStartKM))
		}
		if in.OdometerKM-t.OdometerStartKM > 20000 {
			return errs.Invalid("odometer_km", "单次行驶超过 20000 公里，请核对里程")
		}
		dist := roundKM(in.OdometerKM - t.OdometerStartKM)
		res, err := q.Exec(ctx, `UPDATE fleet_trips SET status = 'completed', odometer_end_km = ?, distance_km = ?, toll_fen = ?, parking_fen = ?, fuel_fen = ?,
			completed_at = ?, updated_at = ? WHERE id = ? AND status = 'in_progress'`, in.OdometerKM, dist, fen(in.TollYuan), fen(in.ParkingYuan), fen(in.FuelYuan),
			now.Unix(), now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("用车申请状态已变化，请刷新后重试")
		}
		if t.VehicleID == 0 { // a hire trip: settled per contract (hire.go), no costs of an own vehicle
			return s.completed(ctx, q, now, t, in, dist)
		}
		if _, err := q.Exec(ctx, "UPDATE fleet_vehicles SET odometer_km = ?, updated_at = ? WHERE id = ? AND odometer_km < ?", in.OdometerKM, now.Unix(), t.VehicleID, in.OdometerKM); err != nil {
			return err
		}
		var orgID int64
		if err := q.QueryRow(ctx, "SELECT org_id FROM fleet_vehicles WHERE id = ?", t.VehicleID).Scan(&orgID); err != nil {
			return err
		}
		day := clock.Today(t.StartAt)
		fuelKind := "fuel"
		var fuelType string
		if err := q.QueryRow(ctx, "SELECT fuel_type FROM fleet_vehicles WHERE id = ?", t.VehicleID).Scan(&fuelType); err != nil {
			return err
		}
		if fuelType == "electric" {
			fuelKind = "charging"
		}
		for _, c := range []struct {
			kind string
			v    float64
		}{{"toll", in.TollYuan}, {"parking", in.ParkingYuan}, {fuelKind, in.FuelYuan}} {
			if fen(c.v) <= 0 {
				continue
			}
			if _, err := q.Exec(ctx, `INSERT INTO fleet_costs (vehicle_id, org_id, kind, amount_fen, cost_date, odometer_km, note, trip_id, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.VehicleID, orgID, c.kind, fen(c.v), day, in.OdometerKM, "用车申请 #"+itoa(id), id, now.Unix()); err != nil {
				return err
			}
		}
		return s.completed(ctx, q, now, t, in, dist)
	})
	if err == nil {
		out, err = GetTrip(ctx, s.DB, auth.Everything(), id)
	}
	return out, err
}

// completed records the completion of trip t in its history and the audit log.
func (s *Service) completed(ctx context.Context, q db.Q, now time.Time, t Trip, in CompleteInput, dist float64) error {
	out, err := GetTrip(ctx, q, auth.Everything(), t.ID)
	if err != nil {
		return err
	}
	if err := history.Record(ctx, q, now, objTrip, t.ID, "complete", fmt.Sprintf("收车，里程 %.1f 公里，行驶 %.1f 公里，费用 %.2f 元", in.OdometerKM, dist, out.CostYuan())); err != nil {
		return err
	}
	return audit.Record(ctx, q, now, audit.Entry{Action: "fleet.trip.complete", ObjectType: objTrip, ObjectID: t.ID, OrgID: t.OrgID, Success: true,
		Before: map[string]any{"status": t.Status}, After: out})
}

func roundKM(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }

// CancelTrip cancels a request before the trip starts. A request still in approval is withdrawn through the
// workflow kit, which only its submitter may do; an approved or dispatched one is cancelled by the requester, the
// unit's administrator or the fleet centre (its vehicle and driver become free).
func (s *Service) CancelTrip(ctx context.Context, sc auth.Scope, id int64, reason string) (Trip, error) {
	now := s.Clock.Now()
	u := auth.UserFrom(ctx)
	if u == nil {
		return Trip{}, errs.Forbidden("需要登录用户")
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > 200 {
		return Trip{}, errs.Invalid("comment", "取消原因不超过 200 字")
	}
	var out Trip
	err := s.DB.Tx(ctx, func(q db.Q) error {
		t, err := GetTrip(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if _, err := TripMove(t.Status, "cancel"); err != nil {
			return err
		}
		mine := (u.ID == t.RequesterUserID || (u.PersonID != 0 && u.PersonID == t.RequesterID))
		if t.Status == TripSubmitted && u.ID != t.RequesterUserID {
			return errs.Conflict("审批中的申请只能由提交人撤回，或由审批人驳回")
		}
		if !mine && !u.Can(PermDispatch) && !u.Can(PermRegister) {
			return errs.Forbidden("只有申请人、单位管理员或调度员可以取消用车")
		}
		if t.Status == TripSubmitted {
			inst, err := s.Workflow.ForObject(ctx, q, wfTrip, id)
			if err != nil {
				return err
			}
			if _, err := s.Workflow.WithdrawTx(ctx, q, u, inst.ID, reason); err != nil {
				return err
			}
		} else {
			res, err := q.Exec(ctx, "UPDATE fleet_trips SET status = 'cancelled', updated_at = ? WHERE id = ? AND status = ?", now.Unix(), id, t.Status)
			if err != nil {
				return err
			}
			if db.RowsAffected(res) == 0 {
				return errs.Conflict("用车申请状态已变化，请刷新后重试")
			}
		}
		if _, err := q.Exec(ctx, "UPDATE fleet_trips SET cancel_reason = ? WHERE id = ?", reason, id); err != nil {
			return err
		}
		if out, err = GetTrip(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		msg := "取消用车"
		if reason != "" {
			msg += "：" + reason
		}
		if err := history.Record(ctx, q, now, objTrip, id, "cancel", msg); err != nil {
			return err
		}
		if err := audit.Record(ctx, q, now, audit.Entry{Action: "fleet.trip.cancel", ObjectType: objTrip, ObjectID: id, OrgID: t.OrgID, Success: true,
			Before: map[string]any{"status": t.Status}, After: map[string]any{"status": out.Status, "reason": reason}}); err != nil {
			return err
		}
		if !mine {
			return s.tell(ctx, q, out, "用车已取消："+t.Destination, out.Window()+"。"+reason)
		}
		return nil
	})
	return out, err
}
