package space

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/workflow"
)

// 调剂 (reallocation) requests go through the workflow kit (request type space.allocation); once approved the
// bureau completes them by moving vacant rooms to the unit. 腾退 (vacating) orders name a person's office or a
// whole room and a date; completing one ends the occupancy (and returns a whole room to the building's manager).

// Allocation statuses.
var AllocationStatuses = enum.Of("submitted", "审批中", "approved", "已批准", "rejected", "已驳回", "withdrawn", "已撤回", "completed", "已办理")

// Allocation is a reallocation request.
type Allocation struct {
	ID           int64     `json:"id"`
	OrgID        int64     `json:"org_id"`
	OrgName      string    `json:"org_name"`
	Title        string    `json:"title"`
	Reason       string    `json:"reason"`
	AreaM2       float64   `json:"area_m2" doc:"申请调剂的使用面积"`
	Headcount    int       `json:"headcount" doc:"涉及人数"`
	Status       string    `json:"status" doc:"submitted 审批中 · approved 已批准 · rejected 已驳回 · withdrawn 已撤回 · completed 已办理"`
	Requester    string    `json:"requester"`
	RequesterID  int64     `json:"requester_id"`
	Rooms        string    `json:"rooms" doc:"办理时调剂的房间（编号）"`
	DecisionNote string    `json:"decision_note"`
	CreatedAt    time.Time `json:"created_at"`
	DecidedAt    time.Time `json:"decided_at,omitzero"`
	CompletedAt  time.Time `json:"completed_at,omitzero"`
}

// StatusName is the Chinese status.
func (a Allocation) StatusName() string { return AllocationStatuses.Name(a.Status) }

const allocCols = `a.id, a.org_id, o.name, a.title, a.reason, a.area_m2, a.headcount, a.status, a.requester, a.requester_id, a.rooms, a.decision_note,
	a.created_at, a.decided_at, a.completed_at`

func scanAlloc(s db.Scanner) (Allocation, error) {
	var a Allocation
	var c, d, k int64
	err := s.Scan(&a.ID, &a.OrgID, &a.OrgName, &a.Title, &a.Reason, &a.AreaM2, &a.Headcount, &a.Status, &a.Requester, &a.RequesterID, &a.Rooms,
		&a.DecisionNote, &c, &d, &k)
	a.CreatedAt, a.DecidedAt, a.CompletedAt = db.FromUnix(c), db.FromUnix(d), db.FromUnix(k)
	return a, err
}

// GetAllocation loads a request in scope.
func GetAllocation(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Allocation, error) {
	cond, args := sc.OrgCond("a.org_id")
	a, err := scanAlloc(q.QueryRow(ctx, "SELECT "+allocCols+" FROM space_allocations a JOIN orgs o ON o.id = a.org_id WHERE a.id = ? AND "+cond,
		append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return a, errs.NotFound("调剂申请")
	}
	return a, err
}

// ListAllocations lists requests in scope.
func ListAllocations(ctx context.Context, q db.Q, sc auth.Scope, l web.List, status string) ([]Allocation, int64, error) {
	cond, args := sc.OrgCond("a.org_id")
	w := " WHERE " + cond
	if status != "" {
		if !AllocationStatuses.Has(status) {
			return nil, 0, errs.Invalid("status", "状态无效")
		}
		w, args = w+" AND a.status = ?", append(args, status)
	}
	if l.Q != "" {
		w, args = w+` AND LOWER(a.title) LIKE ? ESCAPE '\'`, append(args, db.LikeContains(l.Q))
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_allocations a"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanAlloc, "SELECT "+allocCols+" FROM space_allocations a JOIN orgs o ON o.id = a.org_id"+w+" ORDER BY a.id DESC LIMIT ? OFFSET ?",
		append(args, l.PageSize, l.Offset())...)
	return rows, total, err
}

// AllocationInput is the body of POST /api/v1/space/allocations.
type AllocationInput struct {
	OrgID     int64   `json:"org_id"`
	Title     string  `json:"title"`
	Reason    string  `json:"reason"`
	AreaM2    float64 `json:"area_m2,omitempty"`
	Headcount int     `json:"headcount,omitempty"`
}

// CreateAllocation records a request and submits it for approval in the same transaction.
func (s *Service) CreateAllocation(ctx context.Context, sc auth.Scope, in AllocationInput) (Allocation, error) {
	now := s.Clock.Now()
	var out Allocation
	err := s.DB.Tx(ctx, func(q db.Q) error {
		f := errs.Fields{}
		text(f, "title", &in.Title, 100, true, "申请事项")
		text(f, "reason", &in.Reason, 2000, true, "申请理由")
		area(f, "area_m2", in.AreaM2, false, "申请面积")
		if in.Headcount < 0 || in.Headcount > 100000 {
			f.Add("headcount", "涉及人数应为不小于 0 的整数")
		}
		if in.OrgID <= 0 {
			f.Add("org_id", "请选择申请单位")
		}
		if err := f.Err(); err != nil {
			return err
		}
		if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
			return err
		}
		u := auth.UserFrom(ctx)
		if u == nil {
			return errs.Forbidden("需要登录用户提交申请")
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO space_allocations (org_id, title, reason, area_m2, headcount, status, requester_id, requester, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'submitted', ?, ?, ?, ?) RETURNING id`, in.OrgID, in.Title, in.Reason, round2(in.AreaM2), in.Headcount, u.ID, u.DisplayName(), now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		summary := in.Reason
		if in.AreaM2 > 0 {
			summary = fmt.Sprintf("申请面积 %s，涉及 %d 人。%s", m2(in.AreaM2), in.Headcount, in.Reason)
		}
		if _, err := s.Workflow.Submit(ctx, q, workflow.SubmitInput{Type: wfAllocation, ObjectID: id, RequesterID: u.ID, OrgID: in.OrgID,
			Title: "办公用房调剂：" + in.Title, Summary: summary}); err != nil {
			return err
		}
		if out, err = GetAllocation(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objAllocation, id, "create", "提交调剂申请，进入审批"); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.allocation.create", ObjectType: objAllocation, ObjectID: id, OrgID: in.OrgID, Success: true,
			After: map[string]any{"title": in.Title, "area_m2": in.AreaM2, "headcount": in.Headcount}})
	})
	return out, err
}

// allocationDecided is the workflow hook: it runs in the deciding transaction.
func (s *Service) allocationDecided(ctx context.Context, q db.Q, inst workflow.Instance) error {
	now := s.Clock.Now()
	to := map[string]string{workflow.StatusApproved: "approved", workflow.StatusRejected: "rejected", workflow.StatusWithdrawn: "withdrawn"}[inst.Status]
	if to == "" {
		return nil
	}
	res, err := q.Exec(ctx, "UPDATE space_allocations SET status = ?, decided_at = ?, updated_at = ? WHERE id = ? AND status = 'submitted'", to, now.Unix(), now.Unix(), inst.ObjectID)
	if err != nil {
		return err
	}
	if db.RowsAffected(res) == 0 {
		return errs.Conflict("调剂申请已不在审批中")
	}
	if err := history.Record(ctx, q, now, objAllocation, inst.ObjectID, "decide", "审批结果："+AllocationStatuses.Name(to)); err != nil {
		return err
	}
	return audit.Record(ctx, q, now, audit.Entry{Action: "space.allocation.decide", ObjectType: objAllocation, ObjectID: inst.ObjectID, OrgID: inst.OrgID,
		Success: true, After: map[string]any{"status": to, "workflow_instance": inst.ID}})
}

// WithdrawAllocation withdraws a request still in approval (through the workflow, whose hook updates the request).
func (s *Service) WithdrawAllocation(ctx context.Context, sc auth.Scope, id int64, comment string) (Allocation, error) {
	var out Allocation
	err := s.DB.Tx(ctx, func(q db.Q) error {
		a, err := GetAllocation(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if a.Status != "submitted" {
			return errs.Conflict("调剂申请当前为“" + a.StatusName() + "”，不能撤回")
		}
		inst, err := s.Workflow.ForObject(ctx, q, wfAllocation, id)
		if err != nil {
			return err
		}
		if _, err := s.Workflow.WithdrawTx(ctx, q, auth.UserFrom(ctx), inst.ID, comment); err != nil {
			return err
		}
		out, err = GetAllocation(ctx, q, auth.Everything(), id)
		return err
	})
	return out, err
}

// CompleteInput is the body of POST /api/v1/space/allocations/{id}/complete: the vacant rooms given to the unit.
type CompleteInput struct {
	RoomIDs []int64 `json:"room_ids"`
	Note    string  `json:"note,omitempty"`
}

// CompleteAllocation carries out an approved request (space:manage): the rooms, which must be vacant and visible,
// move to the requesting unit; the compliance of both units is re-evaluated.
func (s *Service) CompleteAllocation(ctx context.Context, sc auth.Scope, id int64, in CompleteInput) (Allocation, error) {
	now := s.Clock.Now()
	var out Allocation
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := needManage(ctx, "办理调剂"); err != nil {
			return err
		}
		a, err := GetAllocation(ctx, q, sc, id)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		list := ids(in.RoomIDs...)
		if len(list) == 0 || len(list) > 200 {
			f.Add("room_ids", "请选择 1–200 个调剂的房间")
		}
		text(f, "note", &in.Note, 500, false, "办理说明")
		if err := f.Err(); err != nil {
			return err
		}
		if a.Status != "approved" {
			return errs.Conflict("调剂申请当前为“" + a.StatusName() + "”，批准后才能办理")
		}
		var numbers []string
		touched := []int64{a.OrgID}
		for _, rid := range list {
			r, err := GetRoom(ctx, q, sc, rid)
			if err != nil {
				return fieldErr(err, "room_ids", "房间 "+strconv.FormatInt(rid, 10)+" 不存在或不在您的数据范围内")
			}
			if r.OccupantCount > 0 || r.Status != RoomInUse {
				return &errs.Error{Code: errs.CodeConflict, Message: "房间 " + r.Number + " 不是空置在用房间，不能调剂", Fields: map[string]string{"room_ids": "房间 " + r.Number + " 不空置"}}
			}
			if _, err := q.Exec(ctx, "UPDATE space_rooms SET org_id = ?, updated_at = ? WHERE id = ?", a.OrgID, now.Unix(), rid); err != nil {
				return err
			}
			if err := history.Record(ctx, q, now, objRoom, rid, "update", "调剂：使用单位 "+r.OrgName+" → "+a.OrgName+"（调剂申请 #"+strconv.FormatInt(id, 10)+"）"); err != nil {
				return err
			}
			numbers = append(numbers, r.BuildingName+" "+r.Number)
			touched = append(touched, r.OrgID)
		}
		if err := s.refresh(ctx, q, list, nil, ids(touched...)); err != nil {
			return err
		}
		res, err := q.Exec(ctx, "UPDATE space_allocations SET status = 'completed', rooms = ?, decision_note = ?, completed_at = ?, updated_at = ? WHERE id = ? AND status = 'approved'",
			strings.Join(numbers, "、"), in.Note, now.Unix(), now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("调剂申请已被他人处理")
		}
		if err := history.Record(ctx, q, now, objAllocation, id, "complete", "办理调剂："+strings.Join(numbers, "、")); err != nil {
			return err
		}
		if out, err = GetAllocation(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.allocation.complete", ObjectType: objAllocation, ObjectID: id, OrgID: a.OrgID, Success: true,
			After: map[string]any{"rooms": list, "note": in.Note}})
	})
	return out, err
}

// VacateReasons are why an office is vacated.
var VacateReasons = enum.Of(
	"retired", "退休", "transferred", "调离", "over_standard", "超标准整改", "concurrent_ended", "兼职免去",
	"reallocation", "统一调剂", "other", "其他",
)

// VacateStatuses are the statuses of a vacating order.
var VacateStatuses = enum.Of("pending", "待腾退", "done", "已腾退", "cancelled", "已撤销")

// Vacate is a vacating order.
type Vacate struct {
	ID         int64  `json:"id"`
	RoomID     int64  `json:"room_id"`
	RoomNumber string `json:"room_number"`
	Building   string `json:"building_name"`
	PersonID   int64  `json:"person_id,omitempty" doc:"省略：整间收回"`
	PersonName string `json:"person_name,omitempty"`
	OrgID      int64  `json:"org_id"`
	OrgName    string `json:"org_name"`
	Reason     string `json:"reason"`
	DueOn      string `json:"due_on"`
	Status     string `json:"status" doc:"pending 待腾退 · done 已腾退 · cancelled 已撤销"`
	Note       string `json:"note"`
	DoneOn     string `json:"done_on"`
	Overdue    bool   `json:"overdue"`
}

// ReasonName and StatusName give Chinese names for templates.
func (v Vacate) ReasonName() string { return VacateReasons.Name(v.Reason) }

// StatusName is the Chinese status.
func (v Vacate) StatusName() string { return VacateStatuses.Name(v.Status) }

const vacateCols = `x.id, x.room_id, r.number, b.name, COALESCE(x.person_id, 0), COALESCE(p.name, ''), x.org_id, o.name, x.reason, x.due_on, x.status, x.note, x.done_on`
const vacateFrom = ` FROM space_vacates x JOIN space_rooms r ON r.id = x.room_id JOIN buildings b ON b.id = r.building_id JOIN orgs o ON o.id = x.org_id
	LEFT JOIN people p ON p.id = x.person_id`

func (s *Service) scanVacate(sc db.Scanner) (Vacate, error) {
	var v Vacate
	err := sc.Scan(&v.ID, &v.RoomID, &v.RoomNumber, &v.Building, &v.PersonID, &v.PersonName, &v.OrgID, &v.OrgName, &v.Reason, &v.DueOn, &v.Status, &v.Note, &v.DoneOn)
	v.Overdue = v.Status == "pending" && v.DueOn < s.today()
	return v, err
}

// ListVacates lists vacating orders in scope.
func (s *Service) ListVacates(ctx context.Context, q db.Q, sc auth.Scope, l web.List, status string) ([]Vacate, int64, error) {
	cond, args := sc.OrgCond("x.org_id")
	w := " WHERE " + cond
	if status != "" {
		if !VacateStatuses.Has(status) {
			return nil, 0, errs.Invalid("status", "状态无效")
		}
		w, args = w+" AND x.status = ?", append(args, status)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_vacates x"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, s.scanVacate, "SELECT "+vacateCols+vacateFrom+w+" ORDER BY x.status DESC, x.due_on, x.id LIMIT ? OFFSET ?", append(args, l.PageSize, l.Offset())...)
	return rows, total, err
}

// VacateInput is the body of POST /api/v1/space/vacates.
type VacateInput struct {
	RoomID   int64  `json:"room_id"`
	PersonID int64  `json:"person_id,omitempty"`
	Reason   string `json:"reason"`
	DueOn    string `json:"due_on,omitempty" doc:"默认一个月后"`
	Note     string `json:"note,omitempty"`
}

// CreateVacate orders a person's office (or a whole room) vacated by a date (space:manage).
func (s *Service) CreateVacate(ctx context.Context, sc auth.Scope, in VacateInput) (Vacate, error) {
	now := s.Clock.Now()
	var out Vacate
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := needManage(ctx, "下达腾退通知"); err != nil {
			return err
		}
		f := errs.Fields{}
		checkEnum(f, "reason", &in.Reason, VacateReasons, true, "腾退原因")
		if in.DueOn == "" {
			in.DueOn = AddMonths(s.today(), 1)
		}
		date(f, "due_on", &in.DueOn, true, "腾退期限")
		text(f, "note", &in.Note, 500, false, "备注")
		if err := f.Err(); err != nil {
			return err
		}
		r, err := GetRoom(ctx, q, sc, in.RoomID)
		if err != nil {
			return fieldErr(err, "room_id", "房间不存在或不在您的数据范围内")
		}
		if in.PersonID != 0 {
			n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_occupants WHERE room_id = ? AND person_id = ?", in.RoomID, in.PersonID)
			if err != nil {
				return err
			}
			if n == 0 {
				return errs.Invalid("person_id", "该人员不在此房间")
			}
		}
		n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_vacates WHERE room_id = ? AND COALESCE(person_id, 0) = ? AND status = 'pending'", in.RoomID, in.PersonID)
		if err != nil {
			return err
		}
		if n > 0 {
			return errs.Conflict("已有待腾退的通知")
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO space_vacates (room_id, person_id, org_id, reason, due_on, status, note, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING id`, in.RoomID, db.NullInt(in.PersonID), r.OrgID, in.Reason, in.DueOn, in.Note, now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if out, err = s.scanVacate(q.QueryRow(ctx, "SELECT "+vacateCols+vacateFrom+" WHERE x.id = ?", id)); err != nil {
			return err
		}
		who := "整间收回"
		if out.PersonName != "" {
			who = out.PersonName
		}
		if err := history.Record(ctx, q, now, objRoom, in.RoomID, "vacate", "下达腾退通知（"+who+"，"+out.ReasonName()+"），期限 "+in.DueOn); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.vacate.create", ObjectType: objVacate, ObjectID: id, OrgID: r.OrgID, Success: true,
			After: map[string]any{"room_id": in.RoomID, "person_id": in.PersonID, "reason": in.Reason, "due_on": in.DueOn}})
	})
	return out, err
}

// ActVacate completes (the unit or the bureau) or cancels (the bureau) a pending vacating order.
func (s *Service) ActVacate(ctx context.Context, sc auth.Scope, id int64, action string) (Vacate, error) {
	now := s.Clock.Now()
	var out Vacate
	err := s.DB.Tx(ctx, func(q db.Q) error {
		cond, args := sc.OrgCond("x.org_id")
		v, err := s.scanVacate(q.QueryRow(ctx, "SELECT "+vacateCols+vacateFrom+" WHERE x.id = ? AND "+cond, append([]any{id}, args...)...))
		if db.IsNoRows(err) {
			return errs.NotFound("腾退通知")
		}
		if err != nil {
			return err
		}
		to := map[string]string{"complete": "done", "cancel": "cancelled"}[action]
		if to == "" {
			return errs.NotFound("操作")
		}
		if action == "cancel" {
			if err := needManage(ctx, "撤销腾退通知"); err != nil {
				return err
			}
		}
		if v.Status != "pending" {
			return errs.Conflict("腾退通知当前为“" + v.StatusName() + "”")
		}
		if action == "complete" {
			var people []int64
			if v.PersonID != 0 {
				people = []int64{v.PersonID}
			} else if people, err = db.Int64s(ctx, q, "SELECT person_id FROM space_occupants WHERE room_id = ?", v.RoomID); err != nil {
				return err
			}
			for _, p := range people {
				err := s.removeOccupant(ctx, q, auth.Everything(), v.RoomID, p, "腾退："+v.ReasonName())
				if err != nil && !errs.Is(err, errs.CodeNotFound) {
					return err
				}
			}
			if v.PersonID == 0 {
				var bOrg int64
				if err := q.QueryRow(ctx, "SELECT b.org_id FROM space_rooms r JOIN buildings b ON b.id = r.building_id WHERE r.id = ?", v.RoomID).Scan(&bOrg); err != nil {
					return err
				}
				if bOrg != v.OrgID {
					if _, err := q.Exec(ctx, "UPDATE space_rooms SET org_id = ?, updated_at = ? WHERE id = ?", bOrg, now.Unix(), v.RoomID); err != nil {
						return err
					}
					if err := s.refresh(ctx, q, []int64{v.RoomID}, nil, []int64{bOrg, v.OrgID}); err != nil {
						return err
					}
				}
				if err := history.Record(ctx, q, now, objRoom, v.RoomID, "vacate", "整间腾退，交回楼栋管理单位"); err != nil {
					return err
				}
			}
		}
		res, err := q.Exec(ctx, "UPDATE space_vacates SET status = ?, done_on = ?, updated_at = ? WHERE id = ? AND status = 'pending'", to, s.today(), now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("腾退通知已被他人处理")
		}
		if out, err = s.scanVacate(q.QueryRow(ctx, "SELECT "+vacateCols+vacateFrom+" WHERE x.id = ?", id)); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.vacate." + action, ObjectType: objVacate, ObjectID: id, OrgID: v.OrgID, Success: true,
			Before: map[string]any{"status": v.Status}, After: map[string]any{"status": to}})
	})
	return out, err
}
