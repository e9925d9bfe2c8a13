package space

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/notify"
	"github.com/govops/govops/internal/platform/web"
)

// Rectification (整改): the bureau turns a violation into a task for the unit with a deadline; the unit reports what
// it did; the bureau verifies against the register (the violation must be gone) and closes the task, or returns it.
// Tasks past their deadline are escalated by the overdue job. Every step is in the task's history.

// Rectification statuses.
const (
	RectifyOpen      = "open"
	RectifySubmitted = "submitted"
	RectifyClosed    = "closed"
	RectifyCancelled = "cancelled"
)

// RectifyStatuses are the statuses with their Chinese names.
var RectifyStatuses = enum.Of(RectifyOpen, "待整改", RectifySubmitted, "待核验", RectifyClosed, "已销号", RectifyCancelled, "已撤销")

// rectifyMoves is the transition table: action → (from statuses, to status).
var rectifyMoves = map[string]struct {
	from []string
	to   string
}{
	"submit": {[]string{RectifyOpen}, RectifySubmitted},
	"return": {[]string{RectifySubmitted}, RectifyOpen},
	"verify": {[]string{RectifySubmitted}, RectifyClosed},
	"cancel": {[]string{RectifyOpen, RectifySubmitted}, RectifyCancelled},
}

// Rectification is a rectification task.
type Rectification struct {
	ID          int64     `json:"id"`
	ViolationID int64     `json:"violation_id"`
	OrgID       int64     `json:"org_id"`
	OrgName     string    `json:"org_name"`
	Status      string    `json:"status" doc:"open 待整改 · submitted 待核验 · closed 已销号 · cancelled 已撤销"`
	Deadline    string    `json:"deadline"`
	Requirement string    `json:"requirement" doc:"整改要求"`
	Report      string    `json:"report" doc:"单位报送的整改情况"`
	ReviewNote  string    `json:"review_note" doc:"核验意见"`
	Escalation  int       `json:"escalation" doc:"逾期督办次数"`
	CreatedBy   string    `json:"created_by" doc:"下达人（用户名）"`
	IssuerName  string    `json:"issuer_name" doc:"下达人姓名"`
	IssuerOrg   string    `json:"issuer_org" doc:"下达机关（下达人所在单位）"`
	CreatedAt   time.Time `json:"created_at"`
	SubmittedAt time.Time `json:"submitted_at,omitzero"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`
	Kind        string    `json:"kind"`
	KindName    string    `json:"kind_name"`
	Detail      string    `json:"detail"`
	RoomID      int64     `json:"room_id"`
	RoomNumber  string    `json:"room_number"`
	PersonName  string    `json:"person_name"`
	VStatus     string    `json:"violation_status" doc:"open 违规仍存在 · resolved 已消除"`
	Overdue     bool      `json:"overdue"`
}

// StatusName etc. give Chinese names for templates.
func (r Rectification) StatusName() string { return RectifyStatuses.Name(r.Status) }

// Active reports whether the task is still running.
func (r Rectification) Active() bool { return r.Status == RectifyOpen || r.Status == RectifySubmitted }

const rectCols = `t.id, t.violation_id, t.org_id, o.name, t.status, t.deadline, t.requirement, t.report, t.review_note, t.escalation, t.created_by,
	t.created_at, t.submitted_at, t.closed_at, v.kind, v.detail, v.room_id, COALESCE(r.number, ''), COALESCE(p.name, ''), v.status,
	COALESCE(u.display_name, t.created_by), COALESCE((SELECT uo.name FROM orgs uo WHERE uo.id = u.scope_org_id), '')`

const rectFrom = ` FROM space_rectifications t JOIN orgs o ON o.id = t.org_id JOIN space_violations v ON v.id = t.violation_id
	LEFT JOIN space_rooms r ON r.id = v.room_id LEFT JOIN people p ON p.id = v.person_id LEFT JOIN users u ON u.username = t.created_by`

func (s *Service) scanRect(sc db.Scanner) (Rectification, error) {
	var r Rectification
	var created, submitted, closed int64
	err := sc.Scan(&r.ID, &r.ViolationID, &r.OrgID, &r.OrgName, &r.Status, &r.Deadline, &r.Requirement, &r.Report, &r.ReviewNote, &r.Escalation,
		&r.CreatedBy, &created, &submitted, &closed, &r.Kind, &r.Detail, &r.RoomID, &r.RoomNumber, &r.PersonName, &r.VStatus,
		&r.IssuerName, &r.IssuerOrg)
	r.CreatedAt, r.SubmittedAt, r.ClosedAt = db.FromUnix(created), db.FromUnix(submitted), db.FromUnix(closed)
	r.KindName = Kinds.Name(r.Kind)
	r.Overdue = r.Status == RectifyOpen && r.Deadline < s.today()
	return r, err
}

// GetRectification loads a task in scope (404 otherwise).
func (s *Service) GetRectification(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Rectification, error) {
	cond, args := sc.OrgCond("t.org_id")
	r, err := s.scanRect(q.QueryRow(ctx, "SELECT "+rectCols+rectFrom+" WHERE t.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return r, errs.NotFound("整改任务")
	}
	return r, err
}

func (s *Service) canSeeRectification(ctx context.Context, q db.Q, sc auth.Scope, id int64) error {
	_, err := s.GetRectification(ctx, q, sc, id)
	return err
}

func (s *Service) canEditRectification(ctx context.Context, q db.Q, sc auth.Scope, id int64) error {
	r, err := s.GetRectification(ctx, q, sc, id)
	if err != nil {
		return err
	}
	if !r.Active() {
		return errs.Conflict("整改任务已结束")
	}
	return nil
}

// RectifyFilter narrows the task list.
type RectifyFilter struct {
	List    web.List
	OrgID   int64
	Status  string
	Overdue bool
}

// ListRectifications lists tasks in scope.
func (s *Service) ListRectifications(ctx context.Context, q db.Q, sc auth.Scope, f RectifyFilter) ([]Rectification, int64, error) {
	cond, args := sc.OrgCond("t.org_id")
	w := " WHERE " + cond
	if f.OrgID != 0 {
		c, a, err := unitCond(ctx, q, "t.org_id", f.OrgID, true)
		if err != nil {
			return nil, 0, err
		}
		w, args = w+" AND "+c, append(args, a...)
	}
	if f.Status != "" {
		if !RectifyStatuses.Has(f.Status) {
			return nil, 0, errs.Invalid("status", "状态应为 open、submitted、closed 或 cancelled")
		}
		w, args = w+" AND t.status = ?", append(args, f.Status)
	}
	if f.Overdue {
		w, args = w+" AND t.status = 'open' AND t.deadline < ?", append(args, s.today())
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_rectifications t"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	order := f.List.OrderBy(map[string]string{"deadline": "t.deadline", "org": "o.name", "status": "t.status"}, "t.id DESC")
	rows, err := db.Select(ctx, q, s.scanRect, "SELECT "+rectCols+rectFrom+w+" ORDER BY "+order+" LIMIT ? OFFSET ?", append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// RectifyInput is the body of POST /api/v1/space/rectifications.
type RectifyInput struct {
	ViolationID int64  `json:"violation_id"`
	Deadline    string `json:"deadline,omitempty" doc:"整改期限，默认 20 个工作日后"`
	Requirement string `json:"requirement,omitempty"`
}

// CreateRectification turns an open violation into a task for its unit (space:manage). One active task per
// violation (409 otherwise).
func (s *Service) CreateRectification(ctx context.Context, sc auth.Scope, in RectifyInput) (Rectification, error) {
	var out Rectification
	err := s.DB.Tx(ctx, func(q db.Q) error {
		var err error
		out, err = s.createRectification(ctx, q, sc, in)
		return err
	})
	return out, err
}

func (s *Service) createRectification(ctx context.Context, q db.Q, sc auth.Scope, in RectifyInput) (Rectification, error) {
	now := s.Clock.Now()
	var out Rectification
	err := func() error {
		if err := needManage(ctx, "下达整改任务"); err != nil {
			return err
		}
		v, err := GetViolation(ctx, q, sc, in.ViolationID)
		if err != nil {
			return fieldErr(err, "violation_id", "违规记录不存在或不在您的数据范围内")
		}
		f := errs.Fields{}
		if in.Deadline == "" {
			in.Deadline = s.days().AddWorkdays(now.In(clock.Shanghai), 20).Format(time.DateOnly)
		}
		date(f, "deadline", &in.Deadline, true, "整改期限")
		if !f.Has("deadline") && in.Deadline < s.today() {
			f.Add("deadline", "整改期限不能早于今天")
		}
		text(f, "requirement", &in.Requirement, 1000, false, "整改要求")
		if err := f.Err(); err != nil {
			return err
		}
		if !v.Open() {
			return errs.Conflict("该违规情形已消除，无需整改")
		}
		n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_rectifications WHERE violation_id = ? AND status IN ('open', 'submitted')", v.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return errs.Conflict("该违规已有进行中的整改任务")
		}
		if in.Requirement == "" {
			in.Requirement = defaultRequirement(v.Kind)
		}
		actor := audit.ActorFrom(ctx).Username
		id, err := db.InsertID(ctx, q, `INSERT INTO space_rectifications (violation_id, org_id, status, deadline, requirement, created_by, created_at, updated_at)
			VALUES (?, ?, 'open', ?, ?, ?, ?, ?) RETURNING id`, v.ID, v.OrgID, in.Deadline, in.Requirement, actor, now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if out, err = s.GetRectification(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objRectify, id, "create", "下达整改任务："+v.KindName+"（"+v.Detail+"），期限 "+in.Deadline); err != nil {
			return err
		}
		if err := s.notifyUnit(ctx, q, v.OrgID, eventAssigned, "办公用房整改任务："+out.OrgName+" "+v.KindName,
			v.Detail+"。整改期限："+in.Deadline, "/space/rectifications/"+strconv.FormatInt(id, 10), false); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.rectification.create", ObjectType: objRectify, ObjectID: id, OrgID: v.OrgID, Success: true,
			After: map[string]any{"violation_id": v.ID, "kind": v.Kind, "deadline": in.Deadline, "requirement": in.Requirement}})
	}()
	return out, err
}

func defaultRequirement(kind string) string {
	return map[string]string{
		KindOverArea:         "按标准调整办公室使用面积（调整使用人、隔断或调换房间），整改后报送",
		KindMultipleOffices:  "腾退多占的办公室，一人只保留一处办公室",
		KindStaleOccupant:    "收回退休、调离人员的办公用房",
		KindUseChanged:       "恢复核定用途，或按程序报批用途调整",
		KindOverApprovedArea: "腾退超出核定面积的房间，交机关事务管理部门统一调剂",
		KindLetOrLent:        "终止出租、出借，收回房屋",
	}[kind]
}

// RectifyAction is the body of the task actions (submit: report; return, verify, cancel: note; return may set a new
// deadline).
type RectifyAction struct {
	Report   string `json:"report,omitempty"`
	Note     string `json:"note,omitempty"`
	Deadline string `json:"deadline,omitempty"`
}

// ActRectification applies an action: submit (the unit, space:register), return, verify and cancel (the bureau,
// space:manage). A wrong state is a 409; verify also answers 409 while the violation still stands.
func (s *Service) ActRectification(ctx context.Context, sc auth.Scope, id int64, action string, in RectifyAction) (Rectification, error) {
	move, ok := rectifyMoves[action]
	if !ok {
		return Rectification{}, errs.NotFound("操作")
	}
	now := s.Clock.Now()
	var out Rectification
	err := s.DB.Tx(ctx, func(q db.Q) error {
		t, err := s.GetRectification(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if action != "submit" {
			if err := needManage(ctx, "核验、退回或撤销整改任务"); err != nil {
				return err
			}
		}
		f := errs.Fields{}
		text(f, "report", &in.Report, 2000, action == "submit", "整改情况")
		text(f, "note", &in.Note, 1000, action == "cancel", "意见")
		if in.Deadline != "" {
			date(f, "deadline", &in.Deadline, false, "整改期限")
			if !f.Has("deadline") && in.Deadline < s.today() {
				f.Add("deadline", "整改期限不能早于今天")
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		okFrom := false
		for _, st := range move.from {
			okFrom = okFrom || t.Status == st
		}
		if !okFrom {
			return errs.Conflict("整改任务当前为“" + t.StatusName() + "”，不能" + rectifyVerb[action])
		}
		if action == "verify" {
			// Verify against the register as it is now, not as the last scan saw it.
			var roomID int64
			if err := q.QueryRow(ctx, "SELECT room_id FROM space_violations WHERE id = ?", t.ViolationID).Scan(&roomID); err != nil {
				return err
			}
			if err := s.refresh(ctx, q, ids(roomID), nil, []int64{t.OrgID}); err != nil {
				return err
			}
			var vs string
			if err := q.QueryRow(ctx, "SELECT status FROM space_violations WHERE id = ?", t.ViolationID).Scan(&vs); err != nil {
				return err
			}
			if vs == "open" {
				return errs.Conflict("台账显示违规情形仍然存在，不能核验销号；请退回单位继续整改")
			}
		}
		set, args := "status = ?, updated_at = ?", []any{move.to, now.Unix()}
		switch action {
		case "submit":
			set, args = set+", report = ?, submitted_at = ?", append(args, in.Report, now.Unix())
		case "return":
			set, args = set+", review_note = ?", append(args, in.Note)
			if in.Deadline != "" {
				set, args = set+", deadline = ?, escalation = 0, escalated_at = 0", append(args, in.Deadline)
			}
		case "verify", "cancel":
			set, args = set+", review_note = ?, closed_at = ?", append(args, in.Note, now.Unix())
		}
		res, err := q.Exec(ctx, "UPDATE space_rectifications SET "+set+" WHERE id = ? AND status = ?", append(args, id, t.Status)...)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("整改任务已被他人处理，请刷新后重试")
		}
		if out, err = s.GetRectification(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		msg := rectifyVerb[action]
		for _, part := range []string{in.Report, in.Note} {
			if part != "" {
				msg += "：" + part
			}
		}
		if in.Deadline != "" && action == "return" {
			msg += "（新期限 " + in.Deadline + "）"
		}
		if err := history.Record(ctx, q, now, objRectify, id, action, msg); err != nil {
			return err
		}
		if action == "return" {
			if err := s.notifyUnit(ctx, q, t.OrgID, eventAssigned, "整改被退回："+t.OrgName+" "+t.KindName, in.Note, "/space/rectifications/"+strconv.FormatInt(id, 10), false); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.rectification." + action, ObjectType: objRectify, ObjectID: id, OrgID: t.OrgID, Success: true,
			Before: map[string]any{"status": t.Status}, After: map[string]any{"status": out.Status, "report": in.Report, "note": in.Note}})
	})
	return out, err
}

var rectifyVerb = map[string]string{"submit": "报送整改情况", "return": "退回整改", "verify": "核验销号", "cancel": "撤销任务"}

// notifyUnit tells the unit's administrators (the nearest unit up the tree that has any) and, when alsoBureau, the
// office-space managers above it.
func (s *Service) notifyUnit(ctx context.Context, q db.Q, orgID int64, event, title, body, link string, alsoBureau bool) error {
	var path string
	if err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", orgID).Scan(&path); err != nil {
		return err
	}
	var chain []int64 // the unit first, then its ancestors
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if v, err := strconv.ParseInt(parts[i], 10, 64); err == nil {
			chain = append(chain, v)
		}
	}
	holders := func(role string, nearestOnly bool) ([]int64, error) {
		var out []int64
		for _, unit := range chain {
			users, err := db.Int64s(ctx, q, `SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id
				WHERE ur.role_code = ? AND u.status = 'active' AND u.scope_org_id = ? ORDER BY u.id`, role, unit)
			if err != nil {
				return nil, err
			}
			out = append(out, users...)
			if nearestOnly && len(out) > 0 {
				break
			}
		}
		return out, nil
	}
	to, err := holders("unit_admin", true)
	if err != nil {
		return err
	}
	if alsoBureau {
		more, err := holders("space_manager", false)
		if err != nil {
			return err
		}
		to = append(to, more...)
	}
	return s.Notify.Notify(ctx, q, notify.Notification{Recipients: to, Event: event, Title: title, Body: body, Link: link})
}

// Escalate sends reminders for overdue tasks: a task still open after its deadline is escalated at once, then again
// every five working days, up to three times, each time telling the unit and the office-space managers above it.
func (s *Service) Escalate(ctx context.Context) (int, error) {
	now := s.Clock.Now()
	today := s.today()
	local := now.In(clock.Shanghai)
	n := 0
	err := s.DB.Tx(ctx, func(q db.Q) error {
		due, err := db.Select(ctx, q, s.scanRect, "SELECT "+rectCols+rectFrom+" WHERE t.status = 'open' AND t.deadline < ? AND t.escalation < 3 ORDER BY t.id", today)
		if err != nil {
			return err
		}
		for _, t := range due {
			var last int64
			if err := q.QueryRow(ctx, "SELECT escalated_at FROM space_rectifications WHERE id = ?", t.ID).Scan(&last); err != nil {
				return err
			}
			if last != 0 && s.days().WorkdaysBetween(time.Unix(last, 0).In(local.Location()).AddDate(0, 0, 1), local) < 5 {
				continue
			}
			dl, _ := time.Parse(time.DateOnly, t.Deadline)
			late := int(local.Sub(dl).Hours() / 24)
			res, err := q.Exec(ctx, "UPDATE space_rectifications SET escalation = escalation + 1, escalated_at = ?, updated_at = ? WHERE id = ? AND status = 'open' AND escalation = ?",
				now.Unix(), now.Unix(), t.ID, t.Escalation)
			if err != nil {
				return err
			}
			if db.RowsAffected(res) == 0 {
				continue
			}
			msg := fmt.Sprintf("逾期 %d 天，第 %d 次督办", late, t.Escalation+1)
			if err := history.Record(ctx, q, now, objRectify, t.ID, "escalate", msg); err != nil {
				return err
			}
			if err := s.notifyUnit(ctx, q, t.OrgID, eventEscalated, "整改逾期："+t.OrgName+" "+t.KindName, msg+"。期限 "+t.Deadline+"，"+t.Detail,
				"/space/rectifications/"+strconv.FormatInt(t.ID, 10), true); err != nil {
				return err
			}
			if err := audit.Record(ctx, q, now, audit.Entry{Action: "space.rectification.escalate", ObjectType: objRectify, ObjectID: t.ID, OrgID: t.OrgID,
				Success: true, Extra: map[string]any{"days_late": late, "level": t.Escalation + 1}}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

func (s *Service) overdueJob(ctx context.Context) (string, error) {
	n, err := s.Escalate(ctx)
	if err != nil {
		return "", err
	}
	return "督办逾期整改任务 " + itoa(int64(n)) + " 项", nil
}
