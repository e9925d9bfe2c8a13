package services

import (
	"context"
	"fmt"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
)

// The services part of the demo province: a month of repair work orders in every state (new ones waiting for the
// desk, one of them past its response time; assigned, under way, resolved and waiting for the reporter's rating —
// one of them the demo employee's — and closed with ratings), and this week's meeting-room bookings (past ones
// checked in or released as no-shows, coming ones confirmed, one cancelled). Everything goes through the same
// functions as user input, dated relative to the clock's today, so the same states exist on any date.

type demoOrder struct {
	daysAgo  int
	hour     int
	category string
	text     string
	status   string
	rating   int
}

var demoOrders = []demoOrder{
	{0, 9, "network", "办公室网口无信号，电脑无法上网", OrderSubmitted, 0},
	{3, 10, "water_electric", "卫生间水龙头持续漏水", OrderSubmitted, 0},
	{1, 15, "hvac", "空调不制热，室内温度过低", OrderAssigned, 0},
	{2, 11, "doors_windows", "会议室窗户把手松动，无法关严", OrderAssigned, 0},
	{1, 9, "furniture", "文件柜锁芯损坏，钥匙无法转动", OrderInProgress, 0},
	{4, 14, "water_electric", "走廊照明灯不亮", OrderInProgress, 0},
	{2, 16, "cleaning", "楼梯间地面污渍需清理", OrderResolved, 0},
	{5, 10, "hvac", "空调漏水滴到办公桌", OrderResolved, 0},
	{8, 9, "network", "无线网络信号弱", OrderClosed, 5},
	{12, 14, "doors_windows", "办公室门锁损坏", OrderClosed, 4},
	{17, 10, "water_electric", "插座松动有火花", OrderClosed, 5},
	{22, 11, "furniture", "办公椅气压杆失灵", OrderClosed, 3},
	{27, 15, "other", "门牌脱落", OrderClosed, 4},
}

// LoadDemo loads the services part of the demo province (nothing when work orders exist already).
func (s *Service) LoadDemo(ctx context.Context) error {
	n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM services_work_orders")
	if err != nil || n > 0 {
		return err
	}
	user := func(name string) (*auth.User, error) {
		var id int64
		if err := s.DB.QueryRow(ctx, "SELECT id FROM users WHERE username = ?", name).Scan(&id); err != nil {
			return nil, err
		}
		return s.Auth.VisibleUser(ctx, s.DB, auth.Everything(), id)
	}
	emp, err := user("employee")
	if db.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	desk, err := user("service")
	if db.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	esc := auth.Scope{Kind: auth.ScopeSelf, OrgID: emp.ScopeOrgID, PersonID: emp.PersonID}
	ectx := auth.WithUser(audit.WithActor(ctx, audit.Actor{UserID: emp.ID, Username: emp.Login}), emp, esc)
	dsc, err := s.Auth.SubtreeScope(ctx, s.DB, desk.ScopeOrgID)
	if err != nil {
		return err
	}
	dsc.PersonID = desk.PersonID
	dctx := auth.WithUser(audit.WithActor(ctx, audit.Actor{UserID: desk.ID, Username: desk.Login}), desk, dsc)
	if err := s.demoOrders(ectx, esc, dctx, dsc, emp, desk); err != nil {
		return fmt.Errorf("demo work orders: %w", err)
	}
	if err := s.demoBookings(ectx, esc, dctx, dsc); err != nil {
		return fmt.Errorf("demo bookings: %w", err)
	}
	return nil
}

// workAt is a working instant about d working days before now at hour (the demo's reports come in office hours).
func (s *Service) workAt(ctx context.Context, now time.Time, d, hour int) (time.Time, error) {
	sch, err := s.Calendar.Schedule(ctx, s.DB)
	if err != nil {
		return time.Time{}, err
	}
	day := calendar.Midnight(now.In(clock.Shanghai))
	for i := 0; i < d; {
		day = day.AddDate(0, 0, -1)
		if sch.Days().IsWorkday(day) {
			i++
		}
	}
	t := day.Add(time.Duration(hour) * time.Hour)
	if t.After(now) {
		t = now.Add(-30 * time.Minute)
	}
	return t, nil
}

func (s *Service) demoOrders(ectx context.Context, esc auth.Scope, dctx context.Context, dsc auth.Scope, emp, desk *auth.User) error {
	now := s.Clock.Now()
	empRooms, err := s.rooms.RoomsOf(ectx, s.DB, esc, 0, "", "", 20)
	if err != nil {
		return err
	}
	others, err := s.rooms.RoomsOf(dctx, s.DB, dsc, 0, "office", "", 400)
	if err != nil {
		return err
	}
	if len(empRooms)+len(others) == 0 || desk.PersonID == 0 {
		return nil
	}
	for i, d := range demoOrders {
		at, err := s.workAt(ectx, now, d.daysAgo, d.hour)
		if err != nil {
			return err
		}
		// Every third order is the demo employee's (among them a resolved one to rate); the others are reported by
		// the desk for people of other units.
		ctx, sc, in := dctx, dsc, OrderInput{Category: d.category, Description: d.text}
		if i%3 == 1 && len(empRooms) > 0 && emp.PersonID != 0 {
			ctx, sc, in.RoomID = ectx, esc, empRooms[i%len(empRooms)].ID
		} else {
			if len(others) == 0 {
				continue
			}
			r := others[(i*37)%len(others)]
			var reporter int64
			if err := s.DB.QueryRow(ctx, "SELECT id FROM people WHERE org_id = ? AND status = 'active' ORDER BY id LIMIT 1", r.OrgID).Scan(&reporter); err != nil {
				if db.IsNoRows(err) {
					continue
				}
				return err
			}
			in.RoomID, in.ReporterID = r.ID, reporter
		}
		o, err := s.createOrder(ctx, sc, in, nil, at)
		if err != nil {
			return err
		}
		step := func(after time.Duration) time.Time {
			at = at.Add(after)
			if at.After(now) {
				at = now.Add(-time.Minute)
			}
			return at
		}
		if d.status == OrderSubmitted {
			continue
		}
		if _, err := s.assignAt(dctx, dsc, o.ID, AssignInput{AssigneeID: desk.PersonID}, step(40*time.Minute)); err != nil {
			return err
		}
		if d.status == OrderAssigned {
			continue
		}
		if _, err := s.startAt(dctx, dsc, o.ID, step(90*time.Minute)); err != nil {
			return err
		}
		if d.status == OrderInProgress {
			continue
		}
		if _, err := s.resolveAt(dctx, dsc, o.ID, ResolveInput{Note: "已现场维修，恢复正常"}, step(2*time.Hour)); err != nil {
			return err
		}
		if d.status == OrderResolved {
			continue
		}
		if _, err := s.closeAt(dctx, dsc, o.ID, CloseInput{Rating: d.rating, Comment: []string{"", "", "", "响应偏慢", "满意", "非常及时"}[d.rating]}, step(3*time.Hour)); err != nil {
			return err
		}
	}
	return nil
}

// demoBookings books this week's meetings in the first meeting rooms in scope: the employee's unit's rooms by the
// employee, the others by the desk.
func (s *Service) demoBookings(ectx context.Context, esc auth.Scope, dctx context.Context, dsc auth.Scope) error {
	now := s.Clock.Now()
	rooms, err := s.MeetingRooms(dctx, s.DB, dsc, 0)
	if err != nil || len(rooms) == 0 {
		return err
	}
	empRooms, err := s.MeetingRooms(ectx, s.DB, esc, 0)
	if err != nil {
		return err
	}
	if len(empRooms) > 0 {
		rooms = append(empRooms, rooms...)
	}
	if len(rooms) > 4 {
		rooms = rooms[:4]
	}
	today := calendar.Midnight(now.In(clock.Shanghai))
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	titles := []string{"党组会", "工作例会", "专题协调会", "业务培训", "项目评审会", "安全生产调度会", "节能工作推进会"}
	k := 0
	for ri, room := range rooms {
		ctx, sc := dctx, dsc
		if len(empRooms) > 0 && room.OrgID == empRooms[0].OrgID {
			ctx, sc = ectx, esc
		}
		for day := 0; day < 7; day++ {
			for _, slot := range [][2]int{{9*60 + ri*30, 90}, {14*60 + 30*(day%2), 120}} {
				if (day+ri)%3 == 2 && slot[0] > 12*60 {
					continue
				}
				start := monday.AddDate(0, 0, day).Add(time.Duration(slot[0]) * time.Minute)
				end := start.Add(time.Duration(slot[1]) * time.Minute)
				if day >= 5 && ri > 0 {
					continue // weekends: only the first room
				}
				k++
				att := 8 + k%7
				if room.Capacity > 0 {
					att = min(att, room.Capacity)
				}
				b, err := s.book(ctx, sc, BookingInput{RoomID: room.ID, Title: titles[k%len(titles)], Attendees: att,
					StartAt: start.Format(time.RFC3339), EndAt: end.Format(time.RFC3339)}, start.Add(-48*time.Hour))
				if err != nil {
					return err
				}
				err = s.DB.Tx(ctx, func(q db.Q) error {
					switch {
					case k%11 == 5 && start.After(now):
						_, err := s.stepBooking(ctx, q, b, BookingCancelled, "cancel_reason = ?", []any{"会议改期"}, "cancel", "取消预订：会议改期", start.Add(-24*time.Hour))
						return err
					case !start.After(now.Add(-20*time.Minute)) && k%5 == 3:
						_, err := s.stepBooking(ctx, q, b, BookingReleased, "", nil, "release", "开始 15 分钟后未签到，自动释放会议室", start.Add(15*time.Minute))
						return err
					case !start.After(now):
						_, err := s.stepBooking(ctx, q, b, BookingCheckedIn, "checked_in_at = ?", []any{start.Add(-5 * time.Minute).Unix()}, "checkin", "签到", start.Add(-5*time.Minute))
						return err
					}
					return nil
				})
				if err != nil {
					return err
				}
			}
		}
	}
	return nil
}
