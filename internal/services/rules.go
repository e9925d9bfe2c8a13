package services

import (
	"time"

	"github.com/govops/govops/internal/platform/errs"
)

// The pure rules of the module: the work-order state table and the checks of a booking's time window.

// orderMoves is the work-order state table (docs/api.md §Logistics services): action → from → to. assign also
// re-assigns an order not yet started.
var orderMoves = map[string]map[string]string{
	"assign":  {OrderSubmitted: OrderAssigned, OrderAssigned: OrderAssigned},
	"start":   {OrderAssigned: OrderInProgress},
	"resolve": {OrderInProgress: OrderResolved},
	"close":   {OrderResolved: OrderClosed},
}

var actionNames = map[string]string{"assign": "派单", "start": "开始维修", "resolve": "维修完成", "close": "确认完成"}

// OrderMove returns the status action leads to from status; a wrong-state action is a 409.
func OrderMove(status, action string) (string, error) {
	to, ok := orderMoves[action][status]
	if !ok {
		return "", errs.Conflict("工单" + OrderStatuses.Name(status) + "，不能" + actionNames[action])
	}
	return to, nil
}

// CanOrder reports whether action applies to status (pages show only those).
func CanOrder(status, action string) bool { _, err := OrderMove(status, action); return err == nil }

// bookingMoves is the booking state table: action → the statuses it applies to and where it leads.
var bookingMoves = map[string]map[string]string{
	"cancel":  {BookingConfirmed: BookingCancelled},
	"checkin": {BookingConfirmed: BookingCheckedIn},
	"release": {BookingConfirmed: BookingReleased},
}

// BookingMove returns the status action leads to from status; a wrong-state action is a 409.
func BookingMove(status, action string) (string, error) {
	to, ok := bookingMoves[action][status]
	if !ok {
		return "", errs.Conflict("预订" + BookingStatuses.Name(status) + "，不能" + map[string]string{"cancel": "取消", "checkin": "签到", "release": "释放"}[action])
	}
	return to, nil
}

// BookingRules are the numbers of services.rules in force (docs/domain/services.md §Meeting rooms).
type BookingRules struct {
	NoShow     time.Duration // a confirmed booking without check-in is released this long after its start
	MaxLength  time.Duration // the longest booking
	AdvanceMax time.Duration // how far ahead one may book
}

// checkWindow validates a booking's window at now: the end after the start (reversed or empty → 422), not longer
// than the rules allow, not ended already, not beyond the advance limit.
func checkWindow(f errs.Fields, start, end, now time.Time, r BookingRules) {
	switch {
	case !end.After(start):
		f.Add("end_at", "结束时间应晚于开始时间")
	case end.Sub(start) > r.MaxLength:
		f.Add("end_at", "一次预订不超过 "+itoa(int64(r.MaxLength/time.Hour))+" 小时")
	case !end.After(now):
		f.Add("start_at", "不能预订已经过去的时间")
	case start.After(now.Add(r.AdvanceMax)):
		f.Add("start_at", "最多提前 "+itoa(int64(r.AdvanceMax/(24*time.Hour)))+" 天预订")
	}
}

// overlaps reports whether [a1, a2) and [b1, b2) share time; adjacent windows (one ends when the other starts) do
// not.
func overlaps(a1, a2, b1, b2 time.Time) bool { return a1.Before(b2) && b1.Before(a2) }
