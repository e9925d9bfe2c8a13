package services

import (
	"context"
	"fmt"
	"strconv"
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
)

// Meeting rooms and their bookings: docs/api.md §Logistics services, docs/domain/services.md §Meeting rooms. The
// bookable rooms are the office-space rooms of use_type service and subtype meeting_room; their capacity is the
// room's (0: not recorded, not checked).

// MeetingRoom is a bookable room.
type MeetingRoom struct {
	ID       int64  `json:"id" doc:"房间 id（办公用房）"`
	OrgID    int64  `json:"org_id"`
	Label    string `json:"label"`
	Floor    int    `json:"floor"`
	Capacity int    `json:"capacity" doc:"容纳人数；0 为未登记"`
}

func meetingRoom(r org.Room) MeetingRoom {
	return MeetingRoom{ID: r.ID, OrgID: r.OrgID, Label: roomLabel(r.BuildingName, r.Number), Floor: r.Floor, Capacity: r.Capacity}
}

// MeetingRooms lists the bookable rooms in scope (of unit orgID when not 0).
func (s *Service) MeetingRooms(ctx context.Context, q db.Q, sc auth.Scope, orgID int64) ([]MeetingRoom, error) {
	rs, err := s.rooms.RoomsOf(ctx, q, sc, orgID, meetingUse, meetingSub, roomListLimit)
	if err != nil {
		return nil, err
	}
	out := make([]MeetingRoom, 0, len(rs))
	for _, r := range rs {
		out = append(out, meetingRoom(r))
	}
	return out, nil
}

// Booking is a meeting-room booking.
type Booking struct {
	ID              int64     `json:"id"`
	RoomID          int64     `json:"room_id"`
	RoomLabel       string    `json:"room_label"`
	OrgID           int64     `json:"org_id" doc:"房间所属单位"`
	Title           string    `json:"title"`
	OrganizerID     int64     `json:"organizer_id" doc:"预订人（人员）"`
	OrganizerName   string    `json:"organizer_name"`
	OrganizerUserID int64     `json:"-"`
	Attendees       int       `json:"attendees" doc:"参会人数"`
	StartAt         time.Time `json:"start_at"`
	EndAt           time.Time `json:"end_at"`
	Status          string    `json:"status" doc:"confirmed · checked_in · cancelled · released"`
	CheckedInAt     time.Time `json:"checked_in_at,omitzero"`
	CancelReason    string    `json:"cancel_reason,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
}

// StatusName is the Chinese status.
func (b Booking) StatusName() string { return BookingStatuses.Name(b.Status) }

// Holds reports whether the booking holds its room (confirmed or checked in).
func (b Booking) Holds() bool { return b.Status == BookingConfirmed || b.Status == BookingCheckedIn }

// Window is the booking's time as one line.
func (b Booking) Window() string {
	a, e := b.StartAt.In(clock.Shanghai), b.EndAt.In(clock.Shanghai)
	if a.Format(time.DateOnly) == e.Format(time.DateOnly) {
		return a.Format("2006-01-02 15:04") + " – " + e.Format("15:04")
	}
	return a.Format("2006-01-02 15:04") + " – " + e.Format("2006-01-02 15:04")
}

// Hours is the booking's time of day ("09:00–10:30").
func (b Booking) Hours() string {
	return b.StartAt.In(clock.Shanghai).Format("15:04") + "–" + b.EndAt.In(clock.Shanghai).Format("15:04")
}

const bookingCols = `b.id, b.room_id, b.room_label, b.org_id, b.title, b.organizer_id, p.name, b.organizer_user_id, b.attendees, b.start_at, b.end_at,
	b.status, b.checked_in_at, b.cancel_reason, b.created_at`

const bookingFrom = ` FROM services_bookings b JOIN people p ON p.id = b.organizer_id`

func scanBooking(s db.Scanner) (Booking, error) {
	var b Booking
	var start, end, in, created int64
	err := s.Scan(&b.ID, &b.RoomID, &b.RoomLabel, &b.OrgID, &b.Title, &b.OrganizerID, &b.OrganizerName, &b.OrganizerUserID, &b.Attendees, &start, &end,
		&b.Status, &in, &b.CancelReason, &created)
	b.StartAt, b.EndAt, b.CheckedInAt, b.CreatedAt = time.Unix(start, 0).UTC(), time.Unix(end, 0).UTC(), db.FromUnix(in), db.FromUnix(created)
	return b, err
}

// GetBooking loads a booking of a room in scope (404 otherwise): whoever sees a unit's rooms sees their bookings.
func GetBooking(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Booking, error) {
	cond, args := sc.OrgCond("b.org_id")
	b, err := scanBooking(q.QueryRow(ctx, "SELECT "+bookingCols+bookingFrom+" WHERE b.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return b, errs.NotFound("会议室预订")
	}
	return b, err
}

// BookingFilter narrows the list of bookings.
type BookingFilter struct {
	List     web.List
	RoomID   int64
	OrgID    int64
	Status   string
	Mine     bool
	Active   bool // only those holding their room
	From, To time.Time
}

// ListBookings lists the bookings of rooms in scope by start.
func ListBookings(ctx context.Context, q db.Q, sc auth.Scope, f BookingFilter) ([]Booking, int64, error) {
	cond, args := sc.OrgCond("b.org_id")
	w := " WHERE " + cond
	if f.RoomID > 0 {
		w, args = w+" AND b.room_id = ?", append(args, f.RoomID)
	}
	if f.OrgID > 0 {
		c, a, err := subtreeCond(ctx, q, sc, f.OrgID, "b.org_id")
		if err != nil {
			return nil, 0, err
		}
		w, args = w+" AND "+c, append(args, a...)
	}
	if f.Status != "" {
		if !BookingStatuses.Has(f.Status) {
			return nil, 0, errs.Invalid("status", "状态应为 "+BookingStatuses.Described())
		}
		w, args = w+" AND b.status = ?", append(args, f.Status)
	}
	if f.Active {
		w += " AND b.status IN ('confirmed', 'checked_in')"
	}
	if f.Mine {
		w, args = w+" AND b.organizer_id = ?", append(args, sc.PersonID)
	}
	if !f.From.IsZero() {
		w, args = w+" AND b.end_at > ?", append(args, f.From.Unix())
	}
	if !f.To.IsZero() {
		w, args = w+" AND b.start_at < ?", append(args, f.To.Unix())
	}
	if f.List.Q != "" {
		w += ` AND (LOWER(b.title) LIKE ? ESCAPE '\' OR LOWER(b.room_label) LIKE ? ESCAPE '\' OR LOWER(p.name) LIKE ? ESCAPE '\')`
		like := db.LikeContains(f.List.Q)
		args = append(args, like, like, like)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+bookingFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanBooking, "SELECT "+bookingCols+bookingFrom+w+" ORDER BY b.start_at, b.id LIMIT ? OFFSET ?", append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// BookingInput is the body of POST /api/v1/room-bookings. Instants are RFC 3339; the forms send
// "2026-11-16T09:00" in Asia/Shanghai.
type BookingInput struct {
	RoomID      int64  `json:"room_id"`
	StartAt     string `json:"start_at"`
	EndAt       string `json:"end_at"`
	Title       string `json:"title" doc:"会议名称"`
	OrganizerID int64  `json:"organizer_id,omitempty" doc:"预订人（人员）；默认为本人"`
	Attendees   int    `json:"attendees" doc:"参会人数；超过房间容纳人数 → 422"`
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

// CreateBooking books a meeting room. An overlap with a booking holding the room is a 409, also when many requests
// race: the transaction first bumps the room's lock row (which holds it until the end) and only then looks for
// overlaps, so exactly one of many simultaneous requests for a slot wins. Adjacent bookings are allowed.
func (s *Service) CreateBooking(ctx context.Context, sc auth.Scope, in BookingInput) (Booking, error) {
	return s.book(ctx, sc, in, s.Clock.Now())
}

func (s *Service) book(ctx context.Context, sc auth.Scope, in BookingInput, now time.Time) (Booking, error) {
	u := auth.UserFrom(ctx)
	if u == nil {
		return Booking{}, errs.Forbidden("需要登录用户预订")
	}
	if in.OrganizerID == 0 {
		in.OrganizerID = u.PersonID
	}
	rules, err := LoadRules(ctx, s.DB, clock.Today(now), "")
	if err != nil {
		return Booking{}, err
	}
	f := errs.Fields{}
	text(f, "title", &in.Title, 100, true, "会议名称")
	if in.RoomID <= 0 {
		f.Add("room_id", "请选择会议室")
	}
	if in.Attendees < 1 || in.Attendees > 5000 {
		f.Add("attendees", "参会人数应为 1–5000")
	}
	start, ok1 := ParseInstant(in.StartAt)
	if !ok1 {
		f.Add("start_at", "请填写开始时间（如 2026-11-16T09:00:00+08:00）")
	}
	end, ok2 := ParseInstant(in.EndAt)
	if !ok2 {
		f.Add("end_at", "请填写结束时间（如 2026-11-16T10:30:00+08:00）")
	}
	if ok1 && ok2 {
		checkWindow(f, start, end, now, rules)
	}
	if err := f.Err(); err != nil {
		return Booking{}, err
	}
	var out Booking
	err = s.DB.Tx(ctx, func(q db.Q) error {
		room, err := s.rooms.Room(ctx, q, sc, in.RoomID)
		if err != nil {
			return fieldErr(err, "room_id", "会议室不存在或不在您的数据范围内")
		}
		if room.UseType != meetingUse || room.Subtype != meetingSub || room.Status != "in_use" {
			return errs.Invalid("room_id", "该房间不是可预订的会议室")
		}
		if room.Capacity > 0 && in.Attendees > room.Capacity {
			return errs.Invalid("attendees", fmt.Sprintf("参会人数 %d 超过会议室容纳人数 %d", in.Attendees, room.Capacity))
		}
		if in.OrganizerID <= 0 {
			return errs.Invalid("organizer_id", "请选择预订人（您的账号未关联人员）")
		}
		p, err := org.GetPerson(ctx, q, sc, in.OrganizerID)
		if err != nil {
			return fieldErr(err, "organizer_id", "预订人不存在或不在您的数据范围内")
		}
		if p.Status != "active" {
			return errs.Invalid("organizer_id", "预订人已"+p.StatusName())
		}
		// Lock the room, then look for overlaps (see the doc comment).
		if _, err := q.Exec(ctx, `INSERT INTO services_room_locks (room_id, seq) VALUES (?, 1)
			ON CONFLICT (room_id) DO UPDATE SET seq = services_room_locks.seq + 1`, room.ID); err != nil {
			return err
		}
		other, err := db.Strings(ctx, q, `SELECT b.title || '（' || p.name || '）' FROM services_bookings b JOIN people p ON p.id = b.organizer_id
			WHERE b.room_id = ? AND b.status IN ('confirmed', 'checked_in') AND b.start_at < ? AND b.end_at > ? ORDER BY b.start_at LIMIT 1`,
			room.ID, end.Unix(), start.Unix())
		if err != nil {
			return err
		}
		if len(other) > 0 {
			return &errs.Error{Code: errs.CodeConflict, Message: "会议室 " + roomLabel(room.BuildingName, room.Number) + " 在该时段已被预订：" + other[0],
				Fields: map[string]string{"start_at": "该时段已被预订"}}
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO services_bookings (room_id, org_id, room_label, title, organizer_id, organizer_user_id, attendees, start_at, end_at,
			status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'confirmed', ?, ?) RETURNING id`,
			room.ID, room.OrgID, roomLabel(room.BuildingName, room.Number), in.Title, p.ID, reporterUser(u, p.ID), in.Attendees, start.Unix(), end.Unix(), now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if out, err = GetBooking(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objBooking, id, "create", "预订 "+out.RoomLabel+"："+out.Window()+" "+in.Title); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "services.booking.create", ObjectType: objBooking, ObjectID: id, OrgID: room.OrgID, Success: true, After: out})
	})
	return out, err
}

// ReasonInput is the body of cancel.
type ReasonInput struct {
	Reason string `json:"reason,omitempty" doc:"取消原因"`
}

// CancelBooking cancels a booking that has not begun to be used (the organizer or the desk).
func (s *Service) CancelBooking(ctx context.Context, sc auth.Scope, id int64, in ReasonInput) (Booking, error) {
	f := errs.Fields{}
	text(f, "reason", &in.Reason, 200, false, "取消原因")
	return s.bookingStep(ctx, sc, id, "cancel", func(b Booking, now time.Time) (string, []any, string, error) {
		if err := f.Err(); err != nil {
			return "", nil, "", err
		}
		if !b.EndAt.After(now) {
			return "", nil, "", errs.Conflict("会议已结束，不能取消")
		}
		msg := "取消预订"
		if in.Reason != "" {
			msg += "：" + in.Reason
		}
		return "cancel_reason = ?", []any{in.Reason}, msg, nil
	})
}

// CheckIn records that the meeting began (the organizer or the desk), from the grace period before the start to
// the end.
func (s *Service) CheckIn(ctx context.Context, sc auth.Scope, id int64, _ struct{}) (Booking, error) {
	return s.bookingStep(ctx, sc, id, "checkin", func(b Booking, now time.Time) (string, []any, string, error) {
		rules, err := LoadRules(ctx, s.DB, clock.Today(now), "")
		if err != nil {
			return "", nil, "", err
		}
		if now.Before(b.StartAt.Add(-rules.NoShow)) {
			return "", nil, "", errs.Conflict(fmt.Sprintf("会议开始前 %d 分钟内才能签到", int(rules.NoShow/time.Minute)))
		}
		if !b.EndAt.After(now) {
			return "", nil, "", errs.Conflict("会议已结束，不能签到")
		}
		return "checked_in_at = ?", []any{now.Unix()}, "签到", nil
	})
}

// ReleaseBooking frees the room of a confirmed booking nobody checked in to (the desk, once the grace period after
// the start has passed; the release job does the same for every such booking).
func (s *Service) ReleaseBooking(ctx context.Context, sc auth.Scope, id int64, _ struct{}) (Booking, error) {
	return s.bookingStep(ctx, sc, id, "release", func(b Booking, now time.Time) (string, []any, string, error) {
		rules, err := LoadRules(ctx, s.DB, clock.Today(now), "")
		if err != nil {
			return "", nil, "", err
		}
		if now.Before(b.StartAt.Add(rules.NoShow)) {
			return "", nil, "", errs.Conflict(fmt.Sprintf("会议开始 %d 分钟后仍未签到才能释放", int(rules.NoShow/time.Minute)))
		}
		return "", nil, "未签到，释放会议室", nil
	})
}

func (s *Service) bookingStep(ctx context.Context, sc auth.Scope, id int64, action string,
	check func(b Booking, now time.Time) (cols string, args []any, msg string, err error)) (Booking, error) {
	now := s.Clock.Now()
	u := auth.UserFrom(ctx)
	if u == nil {
		return Booking{}, errs.Forbidden("需要登录用户")
	}
	var out Booking
	err := s.DB.Tx(ctx, func(q db.Q) error {
		b, err := GetBooking(ctx, q, sc, id)
		if err != nil {
			return err
		}
		to, err := BookingMove(b.Status, action)
		if err != nil {
			return err
		}
		desk := u.Can(PermDesk)
		if action == "release" && !desk {
			return errs.Forbidden("只有后勤服务台可以释放预订")
		}
		if !desk && (u.PersonID == 0 || u.PersonID != b.OrganizerID) {
			return errs.Forbidden("只有预订人或后勤服务台可以操作该预订")
		}
		cols, args, msg, err := check(b, now)
		if err != nil {
			return err
		}
		out, err = s.stepBooking(ctx, q, b, to, cols, args, action, msg, now)
		if err == nil && b.OrganizerUserID != 0 && b.OrganizerUserID != u.ID {
			err = s.Notify.Notify(ctx, q, notify.Notification{Recipients: []int64{b.OrganizerUserID}, Event: eventBooking,
				Title: "会议室预订" + out.StatusName() + "：" + b.RoomLabel, Body: b.Window() + " " + b.Title + "。" + msg, Link: "/services/bookings/" + itoa(b.ID)})
		}
		return err
	})
	return out, err
}

// stepBooking moves b to status to (guarded by its old status), with history and audit, in q's transaction.
func (s *Service) stepBooking(ctx context.Context, q db.Q, b Booking, to, cols string, args []any, action, msg string, now time.Time) (Booking, error) {
	set := "status = ?, updated_at = ?"
	if cols != "" {
		set += ", " + cols
	}
	res, err := q.Exec(ctx, "UPDATE services_bookings SET "+set+" WHERE id = ? AND status = ?", append(append([]any{to, now.Unix()}, args...), b.ID, b.Status)...)
	if err != nil {
		return Booking{}, err
	}
	if db.RowsAffected(res) == 0 {
		return Booking{}, errs.Conflict("预订状态已变化，请刷新后重试")
	}
	out, err := GetBooking(ctx, q, auth.Everything(), b.ID)
	if err != nil {
		return out, err
	}
	if err := history.Record(ctx, q, now, objBooking, b.ID, action, msg); err != nil {
		return out, err
	}
	return out, audit.Record(ctx, q, now, audit.Entry{Action: "services.booking." + action, ObjectType: objBooking, ObjectID: b.ID, OrgID: b.OrgID, Success: true,
		Before: map[string]any{"status": b.Status}, After: map[string]any{"status": out.Status}})
}

// ReleaseNoShows releases every confirmed booking whose grace period after the start has passed without check-in.
func (s *Service) ReleaseNoShows(ctx context.Context) (int, error) {
	now := s.Clock.Now()
	rules, err := LoadRules(ctx, s.DB, clock.Today(now), "")
	if err != nil {
		return 0, err
	}
	ids, err := db.Int64s(ctx, s.DB, "SELECT id FROM services_bookings WHERE status = 'confirmed' AND start_at <= ? ORDER BY id LIMIT 1000", now.Add(-rules.NoShow).Unix())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := s.DB.Tx(ctx, func(q db.Q) error {
			b, err := GetBooking(ctx, q, auth.Everything(), id)
			if err != nil || b.Status != BookingConfirmed {
				return err
			}
			_, err = s.stepBooking(ctx, q, b, BookingReleased, "", nil, "release", fmt.Sprintf("开始 %d 分钟后未签到，自动释放会议室", int(rules.NoShow/time.Minute)), now)
			if err == nil && b.OrganizerUserID != 0 {
				err = s.Notify.Notify(ctx, q, notify.Notification{Recipients: []int64{b.OrganizerUserID}, Event: eventBooking,
					Title: "会议室预订已释放：" + b.RoomLabel, Body: b.Window() + " " + b.Title + "，未签到", Link: "/services/bookings/" + itoa(b.ID)})
			}
			return err
		})
		if errs.Is(err, errs.CodeConflict) {
			continue
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (s *Service) releaseJob(ctx context.Context) (string, error) {
	n, err := s.ReleaseNoShows(ctx)
	if err != nil {
		return "", err
	}
	return "释放未签到的预订 " + strconv.Itoa(n) + " 个", nil
}
