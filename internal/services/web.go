package services

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/attach"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// Pages of the module: the employee's phone forms (report a repair, book a room), the work-order list and detail
// with the desk's and the assignee's actions, the meeting-room grid and the booking page.

const crumbServices = "menu.services|后勤服务"

func (s *Service) g(r *http.Request, title string, crumbs ...web.Crumb) web.Globals {
	return s.UI.G(r, title, append([]web.Crumb{{Label: crumbServices, Path: "/services/work-orders"}}, crumbs...)...)
}

var fieldNames = map[string]string{"room_id": "房间", "category": "报修类别", "description": "问题描述", "contact_phone": "联系电话", "file": "照片",
	"assignee_id": "维修人", "note": "维修说明", "rating": "满意度", "comment": "评价", "title": "会议名称", "attendees": "参会人数",
	"start_at": "开始时间", "end_at": "结束时间", "reason": "取消原因"}

func (s *Service) done(w http.ResponseWriter, r *http.Request, err error, to, ok string) error {
	return s.UI.Done(w, r, err, to, ok, fieldNames)
}

func fstr(r *http.Request, name string) string { return strings.TrimSpace(r.PostFormValue(name)) }

type ordersPage struct {
	web.Globals
	F          OrderFilter
	Orders     []Order
	Pager      web.Pager
	Statuses   []web.Option
	Categories []web.Option
}

type orderFormPage struct {
	web.Globals
	Form       OrderInput
	Rooms      []web.Option
	Categories []web.Option
	Errors     map[string]string
}

type orderPage struct {
	web.Globals
	O           Order
	Now         time.Time
	History     []history.Entry
	Attachments *attach.Panel
	People      []web.Option
	MayAssign   bool
	MayWork     bool
	MayClose    bool
	Stars       []int
}

func (s *Service) registerPages() {
	s.UI.Public("GET /services/assets/{name}", s.asset)
	s.pagesOrders()
	s.pagesRooms()
}

func (s *Service) pagesOrders() {
	u := s.UI
	u.Page("GET /services/work-orders", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		f, err := parseOrderFilter(r)
		if err != nil {
			return err
		}
		if web.WantsExport(r) {
			f.List.Page, f.List.PageSize = 1, 200000
		}
		p := &ordersPage{Globals: s.g(r, "services.menu.orders|报修工单", web.Crumb{Label: "services.menu.orders|报修工单"}), F: f,
			Statuses: OrderStatuses.Options(), Categories: Categories.Options()}
		var total int64
		if p.Orders, total, err = s.ListOrders(r.Context(), s.DB, auth.ScopeFrom(r.Context()), f); err != nil {
			return err
		}
		if web.WantsExport(r) {
			var rows [][]any
			for _, o := range p.Orders {
				rating := any("")
				if o.Rating > 0 {
					rating = o.Rating
				}
				rows = append(rows, []any{o.ID, o.OrgName, o.RoomLabel, o.CategoryName(), o.Description, o.ReporterName, web.FormatTime(o.CreatedAt.Unix()),
					o.StatusName(), o.AssigneeName, web.FormatTime(o.ResponseDueAt.Unix()), web.FormatTime(o.ResolveDueAt.Unix()), timeOrEmpty(o.ResolvedAt),
					yesNo(o.Overdue || (!o.ResolvedAt.IsZero() && o.ResolvedAt.After(o.ResolveDueAt))), rating, o.RatingComment})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "报修工单", []string{"工单号", "单位", "房间", "类别", "问题描述", "报修人", "报修时间", "状态", "维修人",
				"响应时限", "解决时限", "完成时间", "超时", "满意度", "评价"}, rows, xlsx.Layout{Unit: s.UI.ExportUnit(r, f.OrgID)})
		}
		p.Pager = web.NewPager(f.List, total)
		return u.Render(w, r, http.StatusOK, "services/orders.html", p)
	})
	renderForm := func(w http.ResponseWriter, r *http.Request, status int, in OrderInput, fields map[string]string) error {
		p := &orderFormPage{Globals: s.g(r, "services.menu.report|我要报修", web.Crumb{Label: "services.menu.report|我要报修"}), Form: in, Errors: fields,
			Categories: Categories.Options()}
		usr := auth.UserFrom(r.Context())
		var unit int64
		if usr.PersonID != 0 {
			if pr, err := org.GetPerson(r.Context(), s.DB, auth.Everything(), usr.PersonID); err == nil {
				unit = pr.OrgID
			}
		}
		rooms, err := s.rooms.RoomsOf(r.Context(), s.DB, auth.ScopeFrom(r.Context()), unit, "", "", roomListLimit)
		if err != nil {
			return err
		}
		for _, rm := range rooms {
			p.Rooms = append(p.Rooms, web.Option{Value: itoa(rm.ID), Label: roomLabel(rm.BuildingName, rm.Number)})
		}
		return u.Render(w, r, status, "services/order_form.html", p)
	}
	u.Page("GET /services/work-orders/new", PermRequest, func(w http.ResponseWriter, r *http.Request) error {
		return renderForm(w, r, http.StatusOK, OrderInput{}, nil)
	})
	u.Page("POST /services/work-orders", PermRequest, func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseMultipartForm(12 << 20); err != nil && err != http.ErrNotMultipart {
			return errs.Invalid("file", "照片过大或上传不完整")
		}
		f := errs.Fields{}
		in := OrderInput{RoomID: web.FormInt(r, "room_id", f), Category: fstr(r, "category"), Description: fstr(r, "description"), ContactPhone: fstr(r, "contact_phone")}
		var photo *Photo
		if file, hdr, err := r.FormFile("file"); err == nil {
			defer file.Close()
			if hdr.Size > 0 {
				photo = &Photo{Name: hdr.Filename, Body: file}
			}
		}
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return renderForm(w, r, status, in, fields)
		}, func() (string, string, error) {
			o, err := s.createOrder(r.Context(), auth.ScopeFrom(r.Context()), in, photo, s.Clock.Now())
			return "/services/work-orders/" + itoa(o.ID), "已报修，服务台将尽快派单", formErr(err)
		})
	})
	u.Page("GET /services/work-orders/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		o, err := s.GetOrder(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		usr := auth.UserFrom(r.Context())
		p := &orderPage{Globals: s.g(r, "services.order.title|报修工单", web.Crumb{Label: "services.menu.orders|报修工单", Path: "/services/work-orders"},
			web.Crumb{Label: "#" + itoa(o.ID) + " " + o.RoomLabel}), O: o, Now: s.Clock.Now(), Stars: []int{5, 4, 3, 2, 1}}
		if p.History, err = history.List(r.Context(), s.DB, objOrder, id, 200); err != nil {
			return err
		}
		p.Attachments = s.Attach.PagePanel(r, attachOrder, id)
		p.MayAssign = o.Can("assign") && mayAct(usr, o, "assign") == nil
		p.MayWork = (o.Can("start") || o.Can("resolve")) && mayAct(usr, o, "start") == nil
		p.MayClose = o.Can("close") && mayAct(usr, o, "close") == nil
		if p.MayAssign {
			if p.People, err = s.staff(r, usr); err != nil {
				return err
			}
		}
		return u.Render(w, r, http.StatusOK, "services/order.html", p)
	})
	u.Page("POST /services/work-orders/{id}/{action}", permRequestOrDesk, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		if _, err := s.GetOrder(r.Context(), s.DB, sc, id); err != nil {
			return err
		}
		f := errs.Fields{}
		var ok string
		switch r.PathValue("action") {
		case "assign":
			if !auth.UserFrom(r.Context()).Can(PermDesk) {
				return errs.Forbidden("只有后勤服务台可以派单")
			}
			in := AssignInput{AssigneeID: web.FormInt(r, "assignee_id", f)}
			if len(f) == 0 {
				_, err = s.Assign(r.Context(), sc, id, in)
			}
			ok = "已派单"
		case "start":
			err, ok = s.startOrder(r, sc, id), "已开始维修"
		case "resolve":
			_, err = s.Resolve(r.Context(), sc, id, ResolveInput{Note: fstr(r, "note")})
			ok = "已完成维修，等待报修人确认"
		case "close":
			rating, _ := strconv.Atoi(fstr(r, "rating"))
			_, err = s.Close(r.Context(), sc, id, CloseInput{Rating: rating, Comment: fstr(r, "comment")})
			ok = "已确认完成，感谢评价"
		default:
			return errs.NotFound("操作")
		}
		if err == nil && len(f) > 0 {
			err = f.Err()
		}
		return s.done(w, r, formErr(err), "/services/work-orders/"+itoa(id), ok)
	})
}

func (s *Service) startOrder(r *http.Request, sc auth.Scope, id int64) error {
	_, err := s.Start(r.Context(), sc, id, struct{}{})
	return err
}

// staff are the people the desk assigns work to: the people of the desk user's own unit (the service centre and
// its maintenance staff) in scope.
func (s *Service) staff(r *http.Request, usr *auth.User) ([]web.Option, error) {
	sc := auth.ScopeFrom(r.Context())
	unit := sc.OrgID
	if usr.PersonID != 0 {
		if p, err := org.GetPerson(r.Context(), s.DB, auth.Everything(), usr.PersonID); err == nil {
			unit = p.OrgID
		}
	}
	if unit == 0 {
		return nil, nil
	}
	people, _, err := org.ListPeople(r.Context(), s.DB, sc, org.PersonFilter{List: web.List{Page: 1, PageSize: 200}, OrgID: unit, Status: "active"})
	if err != nil {
		return nil, err
	}
	var out []web.Option
	for _, p := range people {
		out = append(out, web.Option{Value: itoa(p.ID), Label: p.Name + "（" + p.OrgName + "）"})
	}
	return out, nil
}

// asset serves the module's stylesheet (the grid and the phone forms).
func (s *Service) asset(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil || strings.Contains(name, "/") {
		return errs.NotFound("文件")
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err = w.Write(b)
	return err
}

func timeOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(clock.Shanghai).Format("2006-01-02 15:04")
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}
