package services

import (
	"net/http"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

// The JSON API of docs/api.md §Logistics services and what users need around it, in the same style.

type historyDoc struct {
	Items []history.Entry `json:"items"`
	Total int64           `json:"total"`
}

const permRequestOrDesk = PermRequest + "|" + PermDesk

func parseOrderFilter(r *http.Request) (OrderFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return OrderFilter{}, err
	}
	orgID, err := web.QueryInt(r, "org_id")
	if err != nil {
		return OrderFilter{}, err
	}
	qv := r.URL.Query()
	return OrderFilter{List: l, OrgID: orgID, Status: strings.TrimSpace(qv.Get("status")), Category: strings.TrimSpace(qv.Get("category")),
		Overdue: qv.Get("overdue") == "true" || qv.Get("overdue") == "1", Mine: qv.Get("mine") == "1", AssignedMe: qv.Get("assigned") == "me"}, nil
}

func parseBookingFilter(r *http.Request) (BookingFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return BookingFilter{}, err
	}
	f := BookingFilter{List: l, Status: strings.TrimSpace(r.URL.Query().Get("status")), Mine: r.URL.Query().Get("mine") == "1"}
	if f.RoomID, err = web.QueryInt(r, "room_id"); err != nil {
		return f, err
	}
	if f.OrgID, err = web.QueryInt(r, "org_id"); err != nil {
		return f, err
	}
	for _, k := range []struct {
		name string
		v    *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := r.URL.Query().Get(k.name); v != "" {
			t, ok := ParseInstant(v)
			if !ok {
				d, err := calendar.ParseDate(k.name, v)
				if err != nil {
					return f, err
				}
				t = d
			}
			*k.v = t
		}
	}
	return f, nil
}

// gridDay reads ?date= (default today) of the grid.
func (s *Service) gridDay(r *http.Request) (time.Time, error) {
	if v := r.URL.Query().Get("date"); v != "" {
		return calendar.ParseDate("date", v)
	}
	return calendar.Midnight(s.Clock.Now().In(clock.Shanghai)), nil
}

func (s *Service) registerAPI() {
	d, u := s.Deps, s.UI
	scope := func(r *http.Request) auth.Scope { return auth.ScopeFrom(r.Context()) }

	// Work orders.
	module.Create(d, "POST /api/v1/work-orders", PermRequest, web.Doc{Summary: "报修（status: submitted），响应和解决时限按类别和工作日历计算"}, s.CreateOrder)
	module.List(d, "GET /api/v1/work-orders", PermRead, web.Doc{Summary: "报修工单（干部职工看到本人报修的和派给本人的）", Query: []web.Param{{Name: "org_id", Type: "integer", Help: "单位（含下级）"},
		{Name: "status", Help: OrderStatuses.Described()}, {Name: "category", Help: Categories.Described()}, {Name: "overdue", Help: "true：只看超时的"},
		{Name: "assigned", Help: "me：派给本人的"}, {Name: "q", Help: "描述、房间或报修人"}}}, parseOrderFilter, s.ListOrders)
	module.Get(d, "GET /api/v1/work-orders/{id}", PermRead, web.Doc{Summary: "报修工单"}, s.GetOrder)
	s.historyAPI("/api/v1/work-orders/{id}", objOrder, "报修工单", func(r *http.Request, id int64) error {
		_, err := s.GetOrder(r.Context(), s.DB, scope(r), id)
		return err
	})
	module.Action(d, "POST /api/v1/work-orders/{id}/assign", PermDesk, web.Doc{Summary: "派单给维修人（人员）；状态不对 → 409"}, s.Assign)
	module.Action(d, "POST /api/v1/work-orders/{id}/start", permRequestOrDesk, web.Doc{Summary: "开始维修（维修人或服务台）；状态不对 → 409"}, s.Start)
	module.Action(d, "POST /api/v1/work-orders/{id}/resolve", permRequestOrDesk, web.Doc{Summary: "维修完成，note 为维修说明（维修人或服务台）；状态不对 → 409"}, s.Resolve)
	module.Action(d, "POST /api/v1/work-orders/{id}/close", permRequestOrDesk, web.Doc{Summary: "报修人确认完成并评价，rating 1–5（否则 422）；状态不对 → 409"}, s.Close)
	u.API("GET /api/v1/work-orders/sla", PermRead, web.Doc{Summary: "各类报修的响应和解决时限（工作小时，参考数据，可由省级覆盖）", Response: SLA{}, List: true},
		func(w http.ResponseWriter, r *http.Request) error {
			var out []SLA
			for _, c := range Categories.Codes() {
				x, err := LoadSLA(r.Context(), s.DB, c, s.today(), "")
				if err != nil {
					return err
				}
				out = append(out, x)
			}
			return web.JSON(w, http.StatusOK, web.NewItems(out, int64(len(out))))
		})

	// Meeting rooms and bookings.
	u.API("GET /api/v1/meeting-rooms", PermRead, web.Doc{Summary: "可预订的会议室（办公用房中用途为服务用房、类型为会议室的房间）", Response: MeetingRoom{}, List: true,
		Query: []web.Param{{Name: "org_id", Type: "integer", Help: "仅该单位"}}}, func(w http.ResponseWriter, r *http.Request) error {
		orgID, err := web.QueryInt(r, "org_id")
		if err != nil {
			return err
		}
		items, err := s.MeetingRooms(r.Context(), s.DB, scope(r), orgID)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
	})
	u.API("GET /api/v1/meeting-rooms/grid", PermRead, web.Doc{Summary: "会议室日历：一天（按半小时）或一周的预订", Response: Grid{},
		Query: []web.Param{{Name: "date", Help: "YYYY-MM-DD，默认今天"}, {Name: "view", Help: "day|week"}, {Name: "org_id", Type: "integer"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			day, err := s.gridDay(r)
			if err != nil {
				return err
			}
			orgID, err := web.QueryInt(r, "org_id")
			if err != nil {
				return err
			}
			g, err := s.BuildGrid(r.Context(), s.DB, scope(r), orgID, day, r.URL.Query().Get("view") == "week")
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, g)
		})
	module.Create(d, "POST /api/v1/room-bookings", PermRequest, web.Doc{Summary: "预订会议室：与已有预订重叠 → 409（并发请求中只有一个成功），超过容纳人数 → 422，首尾相接允许"}, s.CreateBooking)
	module.List(d, "GET /api/v1/room-bookings", PermRead, web.Doc{Summary: "会议室预订（数据范围内单位的会议室）", Query: []web.Param{{Name: "room_id", Type: "integer"},
		{Name: "org_id", Type: "integer"}, {Name: "status", Help: BookingStatuses.Described()}, {Name: "from", Help: "YYYY-MM-DD 或 RFC 3339"}, {Name: "to"},
		{Name: "mine", Help: "1：本人预订的"}, {Name: "q", Help: "会议名称、会议室或预订人"}}}, parseBookingFilter, ListBookings)
	module.Get(d, "GET /api/v1/room-bookings/{id}", PermRead, web.Doc{Summary: "会议室预订"}, GetBooking)
	s.historyAPI("/api/v1/room-bookings/{id}", objBooking, "会议室预订", func(r *http.Request, id int64) error {
		_, err := GetBooking(r.Context(), s.DB, scope(r), id)
		return err
	})
	module.Action(d, "POST /api/v1/room-bookings/{id}/cancel", permRequestOrDesk, web.Doc{Summary: "取消预订（预订人或服务台）"}, s.CancelBooking)
	module.Action(d, "POST /api/v1/room-bookings/{id}/checkin", permRequestOrDesk, web.Doc{Summary: "签到（开始前宽限时间内至结束）"}, s.CheckIn)
	module.Action(d, "POST /api/v1/room-bookings/{id}/release", PermDesk, web.Doc{Summary: "释放未签到的预订（开始后宽限时间已过）"}, s.ReleaseBooking)
}

// historyAPI registers GET <path>/history (service:read) for an object type whose visibility get checks.
func (s *Service) historyAPI(path, objType, what string, get func(r *http.Request, id int64) error) {
	s.UI.API("GET "+path+"/history", PermRead, web.Doc{Summary: what + "变更历史", Response: historyDoc{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		if err := get(r, id); err != nil {
			return err
		}
		h, err := history.List(r.Context(), s.DB, objType, id, 500)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(h, int64(len(h))))
	})
}
