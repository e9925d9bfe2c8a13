package services

import (
	"context"
	"fmt"
	"io"
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

// Repair work orders (报修): docs/api.md §Logistics services, docs/domain/services.md §Work orders.

// Order is a repair work order.
type Order struct {
	ID             int64     `json:"id"`
	OrgID          int64     `json:"org_id"`
	OrgName        string    `json:"org_name"`
	RoomID         int64     `json:"room_id"`
	RoomLabel      string    `json:"room_label"`
	Category       string    `json:"category" doc:"water_electric 水电 · hvac 空调 · doors_windows 门窗 · network 网络 · furniture 家具 · cleaning 保洁 · other 其他"`
	Description    string    `json:"description"`
	ContactPhone   string    `json:"contact_phone,omitempty"`
	ReporterID     int64     `json:"reporter_id" doc:"报修人（人员）"`
	ReporterName   string    `json:"reporter_name"`
	ReporterUserID int64     `json:"-"`
	Status         string    `json:"status" doc:"submitted · assigned · in_progress · resolved · closed"`
	AssigneeID     int64     `json:"assignee_id,omitempty" doc:"维修人（人员）"`
	AssigneeName   string    `json:"assignee_name,omitempty"`
	Resolution     string    `json:"resolution,omitempty" doc:"维修说明（resolve 的 note）"`
	Rating         int       `json:"rating,omitempty" doc:"满意度 1–5（close 时填写）"`
	RatingComment  string    `json:"comment,omitempty"`
	ResponseDueAt  time.Time `json:"response_due_at" doc:"响应时限（开始维修），按工作时间计"`
	ResolveDueAt   time.Time `json:"resolve_due_at" doc:"解决时限（维修完成），按工作时间计"`
	Overdue        bool      `json:"overdue" doc:"已超过响应或解决时限而未完成"`
	AssignedAt     time.Time `json:"assigned_at,omitzero"`
	StartedAt      time.Time `json:"started_at,omitzero"`
	ResolvedAt     time.Time `json:"resolved_at,omitzero"`
	ClosedAt       time.Time `json:"closed_at,omitzero"`
	CreatedAt      time.Time `json:"created_at"`
}

// StatusName is the Chinese status.
func (o Order) StatusName() string { return OrderStatuses.Name(o.Status) }

// CategoryName is the Chinese category.
func (o Order) CategoryName() string { return Categories.Name(o.Category) }

// Can reports whether action applies to the order's status.
func (o Order) Can(action string) bool { return CanOrder(o.Status, action) }

// overdueAt: not started past the response deadline, or not resolved past the resolution deadline.
func (o *Order) overdueAt(now time.Time) bool {
	switch o.Status {
	case OrderSubmitted, OrderAssigned:
		return now.After(o.ResponseDueAt) || now.After(o.ResolveDueAt)
	case OrderInProgress:
		return now.After(o.ResolveDueAt)
	}
	return false
}

// ResponseLate and ResolveLate say whether a deadline was (or is being) missed, for the detail page.
func (o Order) ResponseLate(now time.Time) bool {
	if !o.StartedAt.IsZero() {
		return o.StartedAt.After(o.ResponseDueAt)
	}
	return now.After(o.ResponseDueAt)
}

// ResolveLate: see ResponseLate.
func (o Order) ResolveLate(now time.Time) bool {
	if !o.ResolvedAt.IsZero() {
		return o.ResolvedAt.After(o.ResolveDueAt)
	}
	return now.After(o.ResolveDueAt)
}

const orderCols = `w.id, w.org_id, o.name, w.room_id, w.room_label, w.category, w.description, w.contact_phone, w.reporter_id, p.name, w.reporter_user_id,
	w.status, COALESCE(w.assignee_id, 0), COALESCE(ap.name, ''), w.resolution, w.rating, w.rating_comment, w.response_due_at, w.resolve_due_at,
	w.assigned_at, w.started_at, w.resolved_at, w.closed_at, w.created_at`

const orderFrom = ` FROM services_work_orders w JOIN orgs o ON o.id = w.org_id JOIN people p ON p.id = w.reporter_id LEFT JOIN people ap ON ap.id = w.assignee_id`

func scanOrder(now time.Time) func(db.Scanner) (Order, error) {
	return func(s db.Scanner) (Order, error) {
		var o Order
		var resp, res, asg, st, rsd, cls, created int64
		err := s.Scan(&o.ID, &o.OrgID, &o.OrgName, &o.RoomID, &o.RoomLabel, &o.Category, &o.Description, &o.ContactPhone, &o.ReporterID, &o.ReporterName,
			&o.ReporterUserID, &o.Status, &o.AssigneeID, &o.AssigneeName, &o.Resolution, &o.Rating, &o.RatingComment, &resp, &res, &asg, &st, &rsd, &cls, &created)
		o.ResponseDueAt, o.ResolveDueAt, o.CreatedAt = time.Unix(resp, 0).UTC(), time.Unix(res, 0).UTC(), db.FromUnix(created)
		o.AssignedAt, o.StartedAt, o.ResolvedAt, o.ClosedAt = db.FromUnix(asg), db.FromUnix(st), db.FromUnix(rsd), db.FromUnix(cls)
		o.Overdue = o.overdueAt(now)
		return o, err
	}
}

// orderScope: the units in scope (employees: their own reports), and always the orders assigned to the caller.
func orderScope(sc auth.Scope) (string, []any) {
	cond, args := sc.PersonCond("w.reporter_id", "w.org_id")
	if sc.PersonID > 0 {
		return "(" + cond + " OR w.assignee_id = ?)", append(args, sc.PersonID)
	}
	return cond, args
}

// GetOrder loads a work order in scope (404 otherwise); overdue is judged at the clock's now.
func (s *Service) GetOrder(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Order, error) {
	return getOrder(ctx, q, sc, id, s.Clock.Now())
}

func getOrder(ctx context.Context, q db.Q, sc auth.Scope, id int64, now time.Time) (Order, error) {
	cond, args := orderScope(sc)
	o, err := scanOrder(now)(q.QueryRow(ctx, "SELECT "+orderCols+orderFrom+" WHERE w.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return o, errs.NotFound("报修工单")
	}
	return o, err
}

// OrderFilter narrows the list of work orders.
type OrderFilter struct {
	List       web.List
	OrgID      int64
	Status     string
	Category   string
	Overdue    bool
	Mine       bool // reported by the signed-in user
	AssignedMe bool // assigned to the signed-in user
}

// ListOrders lists work orders in scope, newest first (waiting ones: oldest first).
func (s *Service) ListOrders(ctx context.Context, q db.Q, sc auth.Scope, f OrderFilter) ([]Order, int64, error) {
	now := s.Clock.Now()
	cond, args := orderScope(sc)
	w := " WHERE " + cond
	if f.OrgID > 0 {
		c, a, err := subtreeCond(ctx, q, sc, f.OrgID, "w.org_id")
		if err != nil {
			return nil, 0, err
		}
		w, args = w+" AND "+c, append(args, a...)
	}
	if f.Status != "" {
		if !OrderStatuses.Has(f.Status) {
			return nil, 0, errs.Invalid("status", "状态应为 "+OrderStatuses.Described())
		}
		w, args = w+" AND w.status = ?", append(args, f.Status)
	}
	if f.Category != "" {
		if !Categories.Has(f.Category) {
			return nil, 0, errs.Invalid("category", "类别应为 "+Categories.Described())
		}
		w, args = w+" AND w.category = ?", append(args, f.Category)
	}
	if f.Overdue {
		w += ` AND ((w.status IN ('submitted', 'assigned') AND (w.response_due_at < ? OR w.resolve_due_at < ?)) OR (w.status = 'in_progress' AND w.resolve_due_at < ?))`
		args = append(args, now.Unix(), now.Unix(), now.Unix())
	}
	if f.Mine {
		w, args = w+" AND w.reporter_id = ?", append(args, sc.PersonID)
	}
	if f.AssignedMe {
		w, args = w+" AND w.assignee_id = ?", append(args, sc.PersonID)
	}
	if f.List.Q != "" {
		w += ` AND (LOWER(w.description) LIKE ? ESCAPE '\' OR LOWER(w.room_label) LIKE ? ESCAPE '\' OR LOWER(p.name) LIKE ? ESCAPE '\')`
		like := db.LikeContains(f.List.Q)
		args = append(args, like, like, like)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+orderFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	order := "w.created_at DESC, w.id DESC"
	if f.Status == OrderSubmitted || f.Status == OrderAssigned || f.Overdue {
		order = "w.resolve_due_at, w.id"
	}
	rows, err := db.Select(ctx, q, scanOrder(now), "SELECT "+orderCols+orderFrom+w+" ORDER BY "+order+" LIMIT ? OFFSET ?", append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// OrderInput is the body of POST /api/v1/work-orders. The reporter defaults to the signed-in user's person and the
// unit to the room's.
type OrderInput struct {
	OrgID        int64  `json:"org_id,omitempty" doc:"报修单位；默认为房间所属单位"`
	RoomID       int64  `json:"room_id" doc:"房间（办公用房登记的房间）"`
	Category     string `json:"category"`
	Description  string `json:"description"`
	ReporterID   int64  `json:"reporter_id,omitempty" doc:"报修人（人员）；默认为本人"`
	ContactPhone string `json:"contact_phone,omitempty"`
}

// Photo is a file sent with a report (the phone form's photo).
type Photo struct {
	Name string
	Body io.Reader
}

// CreateOrder records a report with its SLA deadlines; a photo, when given, is attached in the same transaction.
func (s *Service) CreateOrder(ctx context.Context, sc auth.Scope, in OrderInput) (Order, error) {
	return s.createOrder(ctx, sc, in, nil, s.Clock.Now())
}

func (s *Service) createOrder(ctx context.Context, sc auth.Scope, in OrderInput, photo *Photo, now time.Time) (Order, error) {
	u := auth.UserFrom(ctx)
	if u == nil {
		return Order{}, errs.Forbidden("需要登录用户报修")
	}
	if in.ReporterID == 0 {
		in.ReporterID = u.PersonID
	}
	f := errs.Fields{}
	checkEnum(f, "category", &in.Category, Categories, true, "报修类别")
	text(f, "description", &in.Description, 1000, true, "问题描述")
	phone(f, "contact_phone", &in.ContactPhone, "联系电话")
	if in.RoomID <= 0 {
		f.Add("room_id", "请选择房间")
	}
	if err := f.Err(); err != nil {
		return Order{}, err
	}
	var out Order
	err := s.DB.Tx(ctx, func(q db.Q) error {
		room, err := s.rooms.Room(ctx, q, sc, in.RoomID)
		if err != nil {
			return fieldErr(err, "room_id", "房间不存在或不在您的数据范围内")
		}
		if in.OrgID == 0 {
			in.OrgID = room.OrgID
		}
		if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
			return err
		}
		if in.ReporterID <= 0 {
			return errs.Invalid("reporter_id", "请选择报修人（您的账号未关联人员）")
		}
		p, err := org.GetPerson(ctx, q, sc, in.ReporterID)
		if err != nil {
			return fieldErr(err, "reporter_id", "报修人不存在或不在您的数据范围内")
		}
		if p.Status != "active" {
			return errs.Invalid("reporter_id", "报修人已"+p.StatusName())
		}
		region, err := orgRegion(ctx, q, in.OrgID)
		if err != nil {
			return err
		}
		sla, err := LoadSLA(ctx, q, in.Category, clock.Today(now), region)
		if err != nil {
			return err
		}
		resp, res, err := s.dueTimes(ctx, q, sla, now)
		if err != nil {
			return err
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO services_work_orders (org_id, room_id, room_label, category, description, contact_phone, reporter_id, reporter_user_id,
			status, response_due_at, resolve_due_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?, ?, ?) RETURNING id`,
			in.OrgID, room.ID, roomLabel(room.BuildingName, room.Number), in.Category, in.Description, in.ContactPhone, p.ID, reporterUser(u, p.ID),
			resp.Unix(), res.Unix(), now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if photo != nil {
			if _, err := s.Attach.Save(ctx, q, attachOrder, id, photo.Name, photo.Body); err != nil {
				return err
			}
		}
		if out, err = getOrder(ctx, q, auth.Everything(), id, now); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objOrder, id, "create", fmt.Sprintf("%s报修：%s（%s）", p.Name, out.CategoryName(), out.RoomLabel)); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "services.order.create", ObjectType: objOrder, ObjectID: id, OrgID: in.OrgID, Success: true, After: out})
	})
	return out, err
}

// reporterUser is the account that hears of the order: the signed-in user when they report for themselves.
func reporterUser(u *auth.User, personID int64) int64 {
	if u.PersonID == personID {
		return u.ID
	}
	return 0
}

func roomLabel(building, number string) string { return strings.TrimSpace(building + " " + number) }

func orgRegion(ctx context.Context, q db.Q, orgID int64) (string, error) {
	var region string
	err := q.QueryRow(ctx, "SELECT region_code FROM orgs WHERE id = ?", orgID).Scan(&region)
	return region, err
}

// AssignInput is the body of POST /api/v1/work-orders/{id}/assign.
type AssignInput struct {
	AssigneeID int64 `json:"assignee_id" doc:"维修人（人员）"`
}

// ResolveInput is the body of POST /api/v1/work-orders/{id}/resolve.
type ResolveInput struct {
	Note string `json:"note" doc:"维修说明"`
}

// CloseInput is the body of POST /api/v1/work-orders/{id}/close.
type CloseInput struct {
	Rating  int    `json:"rating" doc:"满意度 1–5"`
	Comment string `json:"comment,omitempty" doc:"评价"`
}

// Assign gives a work order to a person (the desk; also re-assigns an order not yet started).
func (s *Service) Assign(ctx context.Context, sc auth.Scope, id int64, in AssignInput) (Order, error) {
	return s.assignAt(ctx, sc, id, in, s.Clock.Now())
}

func (s *Service) assignAt(ctx context.Context, sc auth.Scope, id int64, in AssignInput, now time.Time) (Order, error) {
	var pre error
	if in.AssigneeID <= 0 {
		pre = errs.Invalid("assignee_id", "请选择维修人")
	}
	return s.move(ctx, sc, id, "assign", now, pre, func(q db.Q, o Order, now time.Time) (string, []any, string, error) {
		p, err := org.GetPerson(ctx, q, sc, in.AssigneeID)
		if err != nil {
			return "", nil, "", fieldErr(err, "assignee_id", "维修人不存在或不在您的数据范围内")
		}
		if p.Status != "active" {
			return "", nil, "", errs.Invalid("assignee_id", "维修人已"+p.StatusName())
		}
		return "assignee_id = ?, assigned_at = ?", []any{p.ID, now.Unix()}, "派单给 " + p.Name, nil
	})
}

// Start records that the assignee began the work (the response).
func (s *Service) Start(ctx context.Context, sc auth.Scope, id int64, _ struct{}) (Order, error) {
	return s.startAt(ctx, sc, id, s.Clock.Now())
}

func (s *Service) startAt(ctx context.Context, sc auth.Scope, id int64, now time.Time) (Order, error) {
	return s.move(ctx, sc, id, "start", now, nil, func(q db.Q, o Order, now time.Time) (string, []any, string, error) {
		return "started_at = ?", []any{now.Unix()}, "开始维修", nil
	})
}

// Resolve records that the work is done, with a note for the reporter.
func (s *Service) Resolve(ctx context.Context, sc auth.Scope, id int64, in ResolveInput) (Order, error) {
	return s.resolveAt(ctx, sc, id, in, s.Clock.Now())
}

func (s *Service) resolveAt(ctx context.Context, sc auth.Scope, id int64, in ResolveInput, now time.Time) (Order, error) {
	f := errs.Fields{}
	text(f, "note", &in.Note, 1000, true, "维修说明")
	return s.move(ctx, sc, id, "resolve", now, f.Err(), func(q db.Q, o Order, now time.Time) (string, []any, string, error) {
		return "resolution = ?, resolved_at = ?", []any{in.Note, now.Unix()}, "维修完成：" + in.Note, nil
	})
}

// Close is the reporter's confirmation with the rating (1–5, otherwise 422).
func (s *Service) Close(ctx context.Context, sc auth.Scope, id int64, in CloseInput) (Order, error) {
	return s.closeAt(ctx, sc, id, in, s.Clock.Now())
}

func (s *Service) closeAt(ctx context.Context, sc auth.Scope, id int64, in CloseInput, now time.Time) (Order, error) {
	f := errs.Fields{}
	if in.Rating < 1 || in.Rating > 5 {
		f.Add("rating", "满意度应为 1–5")
	}
	text(f, "comment", &in.Comment, 500, false, "评价")
	return s.move(ctx, sc, id, "close", now, f.Err(), func(q db.Q, o Order, now time.Time) (string, []any, string, error) {
		msg := fmt.Sprintf("确认完成，满意度 %d 分", in.Rating)
		if in.Comment != "" {
			msg += "：" + in.Comment
		}
		return "rating = ?, rating_comment = ?, closed_at = ?", []any{in.Rating, in.Comment, now.Unix()}, msg, nil
	})
}

// mayAct decides who may take action on o: assign needs the desk; start and resolve the assignee or the desk;
// close the reporter or the desk.
func mayAct(u *auth.User, o Order, action string) error {
	desk := u.Can(PermDesk)
	switch action {
	case "assign":
		if !desk {
			return errs.Forbidden("只有后勤服务台可以派单")
		}
	case "start", "resolve":
		if !desk && (u.PersonID == 0 || u.PersonID != o.AssigneeID) {
			return errs.Forbidden("只有维修人或后勤服务台可以处理该工单")
		}
	case "close":
		if !desk && (u.PersonID == 0 || u.PersonID != o.ReporterID) {
			return errs.Forbidden("只有报修人可以确认和评价")
		}
	}
	return nil
}

// move runs one guarded step of the state table: load in scope, check the state (409) and the actor (403), update
// WHERE status = the old one (zero rows → 409), history, audit and the reporter's notification, in one transaction.
func (s *Service) move(ctx context.Context, sc auth.Scope, id int64, action string, now time.Time, pre error,
	set func(q db.Q, o Order, now time.Time) (cols string, args []any, msg string, err error)) (Order, error) {
	u := auth.UserFrom(ctx)
	if u == nil {
		return Order{}, errs.Forbidden("需要登录用户")
	}
	var out Order
	err := s.DB.Tx(ctx, func(q db.Q) error {
		o, err := getOrder(ctx, q, sc, id, now)
		if err != nil {
			return err
		}
		if pre != nil { // the input's problems, told only to whoever may see the order
			return pre
		}
		to, err := OrderMove(o.Status, action)
		if err != nil {
			return err
		}
		if err := mayAct(u, o, action); err != nil {
			return err
		}
		cols, args, msg, err := set(q, o, now)
		if err != nil {
			return err
		}
		res, err := q.Exec(ctx, "UPDATE services_work_orders SET status = ?, "+cols+", updated_at = ? WHERE id = ? AND status = ?",
			append(append([]any{to}, args...), now.Unix(), id, o.Status)...)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("工单状态已变化，请刷新后重试")
		}
		if out, err = getOrder(ctx, q, auth.Everything(), id, now); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objOrder, id, action, msg); err != nil {
			return err
		}
		if err := audit.Record(ctx, q, now, audit.Entry{Action: "services.order." + action, ObjectType: objOrder, ObjectID: id, OrgID: o.OrgID, Success: true,
			Before: orderSnap(o), After: orderSnap(out)}); err != nil {
			return err
		}
		if out.ReporterUserID != 0 && out.ReporterUserID != u.ID && action != "close" {
			return s.Notify.Notify(ctx, q, notify.Notification{Recipients: []int64{out.ReporterUserID}, Event: eventOrder,
				Title: "报修" + out.StatusName() + "：" + out.CategoryName() + " " + out.RoomLabel, Body: msg, Link: "/services/work-orders/" + itoa(id)})
		}
		return nil
	})
	return out, err
}

func orderSnap(o Order) map[string]any {
	return map[string]any{"status": o.Status, "assignee_id": o.AssigneeID, "resolution": o.Resolution, "rating": o.Rating, "comment": o.RatingComment}
}

// orderVisible and orderEditable are the attachment checks: anyone who sees the order sees its photos, and adds
// photos (with service:request, which the kit checks) until it is closed.
func (s *Service) orderVisible(ctx context.Context, q db.Q, id int64) error {
	_, err := s.GetOrder(ctx, q, auth.ScopeFrom(ctx), id)
	return err
}

func (s *Service) orderEditable(ctx context.Context, q db.Q, id int64) error {
	o, err := s.GetOrder(ctx, q, auth.ScopeFrom(ctx), id)
	if err != nil {
		return err
	}
	if o.Status == OrderClosed {
		return errs.Conflict("工单已完成，不能再添加附件")
	}
	return nil
}
