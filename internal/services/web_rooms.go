package services

import (
	"net/http"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// Pages of meeting rooms: the grid (day or week), the booking form (phone-friendly) and the booking page.

type roomsPage struct {
	web.Globals
	G        Grid
	Mine     []Booking
	Weekdays []string
}

type bookingFormPage struct {
	web.Globals
	Form   BookingInput
	Rooms  []MeetingRoom
	Errors map[string]string
}

type bookingPage struct {
	web.Globals
	B          Booking
	History    []history.Entry
	MayCancel  bool
	MayCheckIn bool
	MayRelease bool
}

var weekdays = []string{"", "周一", "周二", "周三", "周四", "周五", "周六", "周日"}

func (s *Service) pagesRooms() {
	u := s.UI
	u.Page("GET /services/rooms", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		day, err := s.gridDay(r)
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		p := &roomsPage{Globals: s.g(r, "services.menu.rooms|会议室预订", web.Crumb{Label: "services.menu.rooms|会议室预订"}), Weekdays: weekdays}
		if p.G, err = s.BuildGrid(r.Context(), s.DB, sc, 0, day, r.URL.Query().Get("view") == "week"); err != nil {
			return err
		}
		if usr := auth.UserFrom(r.Context()); usr.PersonID != 0 {
			now := s.Clock.Now()
			if p.Mine, _, err = ListBookings(r.Context(), s.DB, sc, BookingFilter{List: web.List{Page: 1, PageSize: 20}, Mine: true, Active: true, From: now}); err != nil {
				return err
			}
		}
		return u.Render(w, r, http.StatusOK, "services/rooms.html", p)
	})
	renderForm := func(w http.ResponseWriter, r *http.Request, status int, in BookingInput, fields map[string]string) error {
		p := &bookingFormPage{Globals: s.g(r, "services.booking.new|预订会议室", web.Crumb{Label: "services.menu.rooms|会议室预订", Path: "/services/rooms"},
			web.Crumb{Label: "services.booking.new|预订会议室"}), Form: in, Errors: fields}
		var err error
		if p.Rooms, err = s.MeetingRooms(r.Context(), s.DB, auth.ScopeFrom(r.Context()), 0); err != nil {
			return err
		}
		return u.Render(w, r, status, "services/booking_form.html", p)
	}
	u.Page("GET /services/bookings/new", PermRequest, func(w http.ResponseWriter, r *http.Request) error {
		roomID, err := web.QueryInt(r, "room_id")
		if err != nil {
			return err
		}
		start, ok := ParseInstant(r.URL.Query().Get("start"))
		if !ok {
			now := s.Clock.Now().In(clock.Shanghai)
			start = time.Date(now.Year(), now.Month(), now.Day(), now.Hour()+1, 0, 0, 0, clock.Shanghai)
		}
		in := BookingInput{RoomID: roomID, Attendees: 1, StartAt: localInput(start), EndAt: localInput(start.Add(time.Hour))}
		return renderForm(w, r, http.StatusOK, in, nil)
	})
	u.Page("POST /services/bookings", PermRequest, func(w http.ResponseWriter, r *http.Request) error {
		f := errs.Fields{}
		in := BookingInput{RoomID: web.FormInt(r, "room_id", f), Title: fstr(r, "title"), Attendees: int(web.FormInt(r, "attendees", f)),
			StartAt: fstr(r, "start_at"), EndAt: fstr(r, "end_at")}
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return renderForm(w, r, status, in, fields)
		}, func() (string, string, error) {
			b, err := s.CreateBooking(r.Context(), auth.ScopeFrom(r.Context()), in)
			return "/services/bookings/" + itoa(b.ID), "已预订 " + b.RoomLabel + " " + b.Window(), formErr(err)
		})
	})
	u.Page("GET /services/bookings/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		b, err := GetBooking(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		usr := auth.UserFrom(r.Context())
		p := &bookingPage{Globals: s.g(r, "services.booking.title|会议室预订", web.Crumb{Label: "services.menu.rooms|会议室预订", Path: "/services/rooms"},
			web.Crumb{Label: b.RoomLabel + " " + b.Title}), B: b}
		if p.History, err = history.List(r.Context(), s.DB, objBooking, id, 200); err != nil {
			return err
		}
		now := s.Clock.Now()
		mine := usr.PersonID != 0 && usr.PersonID == b.OrganizerID
		may := (mine && usr.Can(PermRequest)) || usr.Can(PermDesk)
		p.MayCancel = may && b.Status == BookingConfirmed && b.EndAt.After(now)
		p.MayCheckIn = may && b.Status == BookingConfirmed && b.EndAt.After(now) && !now.Before(b.StartAt.Add(-time.Hour))
		p.MayRelease = usr.Can(PermDesk) && b.Status == BookingConfirmed && now.After(b.StartAt)
		return u.Render(w, r, http.StatusOK, "services/booking.html", p)
	})
	u.Page("POST /services/bookings/{id}/{action}", permRequestOrDesk, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		if _, err := GetBooking(r.Context(), s.DB, sc, id); err != nil {
			return err
		}
		var ok string
		switch r.PathValue("action") {
		case "cancel":
			_, err = s.CancelBooking(r.Context(), sc, id, ReasonInput{Reason: fstr(r, "reason")})
			ok = "已取消预订"
		case "checkin":
			_, err = s.CheckIn(r.Context(), sc, id, struct{}{})
			ok = "已签到"
		case "release":
			if !auth.UserFrom(r.Context()).Can(PermDesk) {
				return errs.Forbidden("只有后勤服务台可以释放预订")
			}
			_, err = s.ReleaseBooking(r.Context(), sc, id, struct{}{})
			ok = "已释放会议室"
		default:
			return errs.NotFound("操作")
		}
		return s.done(w, r, err, "/services/bookings/"+itoa(id), ok)
	})
}

// localInput is an instant as a form's datetime-local value.
func localInput(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02T15:04") }
