package fleet

import (
	"net/http"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// Pages of trip requests: the employee's phone form, the list, the trip with its actions and the printable 派车单,
// and the dispatch page of the fleet centre.

type tripsPage struct {
	web.Globals
	F        TripFilter
	Trips    []Trip
	Pager    web.Pager
	Statuses []web.Option
}

type tripFormPage struct {
	web.Globals
	Form   TripInput
	Errors map[string]string
}

type tripPage struct {
	web.Globals
	T        Trip
	History  []history.Entry
	Vehicles []Suggestion
	Drivers  []FreeDriver
	// HireVehicles and HireDrivers: the hire pool, offered when no own vehicle or driver fits.
	HireVehicles []HireSuggestion
	HireDrivers  []HireFreeDriver
	MayApprove   bool
	MayCancel    bool
	MayRate      bool
	SlipNo       string
	Today        string
	// Odometer is the vehicle's current reading, the start form's starting value.
	Odometer float64
}

type dispatchItem struct {
	T            Trip
	Vehicles     []Suggestion
	Drivers      []FreeDriver
	HireVehicles []HireSuggestion
	HireDrivers  []HireFreeDriver
}

type dispatchPage struct {
	web.Globals
	Items    []dispatchItem
	Waiting  int
	Board    Board
	Hire     []BoardRow // the hire pool's vehicles and their trips of the week
	OrgID    int64
	Pager    web.Pager
	Weekdays []string
}

// weekdays are the board's day names, 1 = Monday.
var weekdays = []string{"", "周一", "周二", "周三", "周四", "周五", "周六", "周日"}

// localInput is an instant as a form's datetime-local value.
func localInput(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02T15:04") }

func (s *Service) pagesTrips() {
	u := s.UI
	u.Page("GET /fleet/trips", permTrips, func(w http.ResponseWriter, r *http.Request) error {
		f, err := parseTripFilter(r)
		if err != nil {
			return err
		}
		p := &tripsPage{Globals: s.g(r, "fleet.menu.trips|用车申请", web.Crumb{Label: "fleet.menu.trips|用车申请"}), F: f, Statuses: TripStatuses.Options()}
		var total int64
		if p.Trips, total, err = ListTrips(r.Context(), s.DB, auth.ScopeFrom(r.Context()), f); err != nil {
			return err
		}
		p.Pager = web.NewPager(f.List, total)
		return u.Render(w, r, http.StatusOK, "fleet/trips.html", p)
	})
	renderForm := func(w http.ResponseWriter, r *http.Request, status int, in TripInput, fields map[string]string) error {
		p := &tripFormPage{Globals: s.g(r, "fleet.trip.new|申请用车", web.Crumb{Label: "fleet.menu.trips|用车申请", Path: "/fleet/trips"},
			web.Crumb{Label: "fleet.trip.new|申请用车"}), Form: in, Errors: fields}
		return u.Render(w, r, status, "fleet/trip_form.html", p)
	}
	u.Page("GET /fleet/trips/new", PermRequest, func(w http.ResponseWriter, r *http.Request) error {
		now := s.Clock.Now().In(clock.Shanghai)
		start := time.Date(now.Year(), now.Month(), now.Day(), now.Hour()+1, 0, 0, 0, clock.Shanghai)
		return renderForm(w, r, http.StatusOK, TripInput{Passengers: 1, StartAt: localInput(start), EndAt: localInput(start.Add(3 * time.Hour))}, nil)
	})
	u.Page("POST /fleet/trips", PermRequest, func(w http.ResponseWriter, r *http.Request) error {
		f := errs.Fields{}
		in := TripInput{Purpose: fstr(r, "purpose"), Passengers: int(web.FormInt(r, "passengers", f)), Origin: fstr(r, "origin"),
			Destination: fstr(r, "destination"), StartAt: fstr(r, "start_at"), EndAt: fstr(r, "end_at"),
			Emergency: r.PostFormValue("emergency") == "1", EmergencyReason: fstr(r, "emergency_reason")}
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return renderForm(w, r, status, in, fields)
		}, func() (string, string, error) {
			t, err := s.CreateTrip(r.Context(), auth.ScopeFrom(r.Context()), in)
			return "/fleet/trips/" + itoa(t.ID), "已提交用车申请，等待审批", formErr(err)
		})
	})
	u.Page("GET /fleet/trips/{id}", permTrips, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		t, err := GetTrip(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		usr := auth.UserFrom(r.Context())
		p := &tripPage{Globals: s.g(r, "fleet.trip.title|用车申请", web.Crumb{Label: "fleet.menu.trips|用车申请", Path: "/fleet/trips"}, web.Crumb{Label: t.RequesterName + " " + t.Destination}),
			T: t, SlipNo: "派车单 " + t.CreatedAt.In(clock.Shanghai).Format("2006") + "-" + itoa(t.ID), Today: s.today()}
		if p.History, err = s.hist(r, objTrip, id); err != nil {
			return err
		}
		if t.Status == TripSubmitted && usr.Can(PermApprove) {
			if inst, err := s.Workflow.ForObject(r.Context(), s.DB, wfTrip, id); err == nil {
				if full, err := s.Workflow.Get(r.Context(), s.DB, usr, inst.ID); err == nil {
					p.MayApprove = full.CanDecide
				}
			}
		}
		mine := usr.ID == t.RequesterUserID || (usr.PersonID != 0 && usr.PersonID == t.RequesterID)
		p.MayRate = t.Status == TripCompleted && t.Rating == 0 && mine && usr.Can(PermRequest)
		p.MayCancel = t.Can("cancel") && ((t.Status == TripSubmitted && usr.ID == t.RequesterUserID) ||
			(t.Status != TripSubmitted && (mine || usr.Can(PermDispatch) || usr.Can(PermRegister))))
		if t.Status == TripApproved && usr.Can(PermDispatch) {
			if p.Vehicles, p.Drivers, err = s.Suggest(r.Context(), s.DB, sc, t, 10); err != nil {
				return err
			}
			if len(p.Vehicles) == 0 || len(p.Drivers) == 0 {
				if p.HireVehicles, p.HireDrivers, err = SuggestHire(r.Context(), s.DB, sc, t, 10); err != nil {
					return err
				}
			}
		}
		if t.Status == TripDispatched && usr.Can(PermDispatch) && t.VehicleID > 0 {
			if err := s.DB.QueryRow(r.Context(), "SELECT odometer_km FROM fleet_vehicles WHERE id = ?", t.VehicleID).Scan(&p.Odometer); err != nil {
				return err
			}
		}
		return u.Render(w, r, http.StatusOK, "fleet/trip.html", p)
	})
	action := func(verb, perm string, run func(r *http.Request, sc auth.Scope, id int64, f errs.Fields) (string, error)) {
		u.Page("POST /fleet/trips/{id}/"+verb, perm, func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			sc := auth.ScopeFrom(r.Context())
			if _, err := GetTrip(r.Context(), s.DB, sc, id); err != nil {
				return err
			}
			f := errs.Fields{}
			ok, err := run(r, sc, id, f)
			if err == nil && len(f) > 0 {
				err = f.Err()
			}
			to := "/fleet/trips/" + itoa(id)
			if verb == "dispatch" && err == nil && fstr(r, "back") == "dispatch" {
				to = "/fleet/dispatch"
			}
			return s.done(w, r, err, to, ok)
		})
	}
	action("approve", PermApprove, func(r *http.Request, sc auth.Scope, id int64, f errs.Fields) (string, error) {
		_, err := s.DecideTrip(r.Context(), sc, id, true, fstr(r, "comment"))
		return "已同意", err
	})
	action("reject", PermApprove, func(r *http.Request, sc auth.Scope, id int64, f errs.Fields) (string, error) {
		_, err := s.DecideTrip(r.Context(), sc, id, false, fstr(r, "comment"))
		return "已驳回", err
	})
	action("dispatch", PermDispatch, func(r *http.Request, sc auth.Scope, id int64, f errs.Fields) (string, error) {
		in := DispatchInput{VehicleID: web.FormInt(r, "vehicle_id", f), DriverID: web.FormInt(r, "driver_id", f),
			HireVehicleID: web.FormInt(r, "hire_vehicle_id", f), HireDriverID: web.FormInt(r, "hire_driver_id", f)}
		if len(f) > 0 {
			return "", nil
		}
		t, err := s.Dispatch(r.Context(), sc, id, in)
		return "已派车 " + t.Plate, formErr(err)
	})
	action("start", PermDispatch, func(r *http.Request, sc auth.Scope, id int64, f errs.Fields) (string, error) {
		if fstr(r, "odometer_km") == "" {
			f.Add("odometer_km", "请填写出车里程")
			return "", nil
		}
		_, err := s.StartTrip(r.Context(), sc, id, StartInput{OdometerKM: web.FormFloat(r, "odometer_km", f)})
		return "已出车", err
	})
	action("complete", PermDispatch, func(r *http.Request, sc auth.Scope, id int64, f errs.Fields) (string, error) {
		if fstr(r, "odometer_km") == "" {
			f.Add("odometer_km", "请填写收车里程")
			return "", nil
		}
		in := CompleteInput{OdometerKM: web.FormFloat(r, "odometer_km", f), TollYuan: web.FormFloat(r, "toll_yuan", f), ParkingYuan: web.FormFloat(r, "parking_yuan", f),
			FuelYuan: web.FormFloat(r, "fuel_yuan", f)}
		if len(f) > 0 {
			return "", nil
		}
		_, err := s.CompleteTrip(r.Context(), sc, id, in)
		return "已收车", err
	})
	action("rate", PermRequest, func(r *http.Request, sc auth.Scope, id int64, f errs.Fields) (string, error) {
		in := RateInput{Rating: int(web.FormInt(r, "rating", f)), Comment: fstr(r, "comment")}
		if len(f) > 0 {
			return "", nil
		}
		_, err := s.RateTrip(r.Context(), sc, id, in)
		return "感谢您的评价", err
	})
	action("cancel", PermRequest+"|"+PermDispatch, func(r *http.Request, sc auth.Scope, id int64, f errs.Fields) (string, error) {
		_, err := s.CancelTrip(r.Context(), sc, id, fstr(r, "comment"))
		return "已取消用车", err
	})
	u.Page("GET /fleet/dispatch", PermDispatch, func(w http.ResponseWriter, r *http.Request) error {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		p := &dispatchPage{Globals: s.g(r, "fleet.menu.dispatch|派车调度", web.Crumb{Label: "fleet.menu.dispatch|派车调度"})}
		trips, total, err := ListTrips(r.Context(), s.DB, sc, TripFilter{List: web.List{Page: 1, PageSize: 50, URL: r.URL}, Status: TripApproved})
		if err != nil {
			return err
		}
		p.Waiting, p.Weekdays = int(total), weekdays
		for _, t := range trips {
			vs, ds, err := s.Suggest(r.Context(), s.DB, sc, t, 5)
			if err != nil {
				return err
			}
			it := dispatchItem{T: t, Vehicles: vs, Drivers: ds}
			if len(vs) == 0 || len(ds) == 0 {
				if it.HireVehicles, it.HireDrivers, err = SuggestHire(r.Context(), s.DB, sc, t, 5); err != nil {
					return err
				}
			}
			p.Items = append(p.Items, it)
		}
		if p.Board, p.OrgID, err = s.board(r, l); err != nil {
			return err
		}
		p.Pager = web.NewPager(l, p.Board.Total)
		if !p.Board.Drivers {
			if p.Hire, err = BuildHireBoard(r.Context(), s.DB, sc, p.Board); err != nil {
				return err
			}
		}
		return u.Render(w, r, http.StatusOK, "fleet/dispatch.html", p)
	})
}

// board reads the board a request asks for: week (any day of it, default this week), rows=drivers, org_id.
func (s *Service) board(r *http.Request, l web.List) (Board, int64, error) {
	week := s.Clock.Now()
	if v := r.URL.Query().Get("week"); v != "" {
		d, err := calendar.ParseDate("week", v)
		if err != nil {
			return Board{}, 0, err
		}
		week = d
	}
	orgID, err := web.QueryInt(r, "org_id")
	if err != nil {
		return Board{}, 0, err
	}
	if l.PageSize == 20 && r.URL.Query().Get("page_size") == "" {
		l.PageSize = 50
	}
	b, err := BuildBoard(r.Context(), s.DB, auth.ScopeFrom(r.Context()), s.days(), week, r.URL.Query().Get("rows") == "drivers", orgID, l, s.today())
	return b, orgID, err
}
