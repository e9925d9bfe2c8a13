package report

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
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
	"github.com/govops/govops/internal/platform/refdata"
)

// Report states (草稿/已上报/已退回/已审核).
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
	StatusReturned  = "returned"
	StatusApproved  = "approved"
)

// Statuses with their Chinese names, in workflow order.
var Statuses = enum.Of(StatusDraft, "草稿", StatusSubmitted, "已上报", StatusReturned, "已退回", StatusApproved, "已审核")

// Actions of the review workflow.
const (
	ActSubmit  = "submit"
	ActApprove = "approve"
	ActReturn  = "return"
	ActReopen  = "reopen"
)

type transition struct {
	From     []string
	To       string
	Reviewer bool
	Name     string
}

// Transitions is the workflow's one table of allowed moves (the energy annual report's, docs/domain/vehicles.md
// §Annual statistics).
var Transitions = map[string]transition{
	ActSubmit:  {From: []string{StatusDraft, StatusReturned}, To: StatusSubmitted, Name: "上报"},
	ActApprove: {From: []string{StatusSubmitted}, To: StatusApproved, Reviewer: true, Name: "审核通过"},
	ActReturn:  {From: []string{StatusSubmitted}, To: StatusReturned, Reviewer: true, Name: "退回"},
	ActReopen:  {From: []string{StatusApproved}, To: StatusReturned, Reviewer: true, Name: "重新打开"},
}

var actionOrder = []string{ActSubmit, ActApprove, ActReturn, ActReopen}

// Report is the state of one unit's report of a year.
type Report struct {
	ID          int64    `json:"id,omitempty"`
	OrgID       int64    `json:"org_id"`
	OrgName     string   `json:"org_name"`
	ParentID    int64    `json:"parent_id,omitempty" doc:"审核单位（上级机关事务管理部门）"`
	ParentName  string   `json:"parent_name,omitempty"`
	Year        int      `json:"year"`
	Status      string   `json:"status" doc:"draft 草稿 · submitted 已上报 · returned 已退回 · approved 已审核"`
	StatusName  string   `json:"status_name"`
	SubmittedAt int64    `json:"submitted_at,omitempty"`
	SubmittedBy string   `json:"submitted_by,omitempty"`
	ReviewedAt  int64    `json:"reviewed_at,omitempty"`
	ReviewedBy  string   `json:"reviewed_by,omitempty"`
	Reason      string   `json:"reason,omitempty" doc:"退回或重新打开的原因"`
	Deadline    string   `json:"deadline" doc:"报送期限 YYYY-MM-DD（参考数据 fleet.report_rule）"`
	Late        bool     `json:"late" doc:"逾期上报（上报时间晚于报送期限）"`
	Locked      bool     `json:"locked" doc:"已上报或已审核：报表数据为上报时的快照，不再随台账变化"`
	Actions     []string `json:"actions,omitempty" doc:"当前用户现在可以执行的操作：submit · approve · return · reopen"`
	Path        string   `json:"-"`
	Region      string   `json:"-"`
	snapshot    string
}

// Can reports whether action is among the caller's actions (for templates).
func (r Report) Can(action string) bool { return slices.Contains(r.Actions, action) }

const reportCols = `COALESCE(r.id, 0), o.id, o.name, COALESCE(o.parent_id, 0), COALESCE(p.name, ''), COALESCE(r.status, 'draft'),
	COALESCE(r.submitted_at, 0), COALESCE(r.submitted_by, ''), COALESCE(r.reviewed_at, 0), COALESCE(r.reviewed_by, ''),
	COALESCE(r.reason, ''), COALESCE(r.figures, ''), o.path, COALESCE(o.region_code, '')`

const reportFrom = ` FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id LEFT JOIN fleet_reports r ON r.org_id = o.id AND r.year = ?`

func scanReport(sc db.Scanner) (Report, error) {
	var r Report
	err := sc.Scan(&r.ID, &r.OrgID, &r.OrgName, &r.ParentID, &r.ParentName, &r.Status, &r.SubmittedAt, &r.SubmittedBy, &r.ReviewedAt,
		&r.ReviewedBy, &r.Reason, &r.snapshot, &r.Path, &r.Region)
	r.StatusName = Statuses.Name(r.Status)
	r.Locked = r.Status == StatusSubmitted || r.Status == StatusApproved
	return r, err
}

// GetReport returns the state of (unit, year), a draft when nothing happened yet; 404 outside the scope.
func GetReport(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, year int) (Report, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	r, err := scanReport(q.QueryRow(ctx, "SELECT "+reportCols+reportFrom+" WHERE o.id = ? AND "+cond, append([]any{year, orgID}, args...)...))
	if db.IsNoRows(err) {
		return r, errs.NotFound("单位")
	}
	if err != nil {
		return r, err
	}
	r.Year = year
	rs := []Report{r}
	err = markLate(ctx, q, rs)
	return rs[0], err
}

// Filter selects reports for lists.
type Filter struct {
	Year     int
	Status   string // "" all
	ParentID int64  // only the children of this unit (the review page)
	Path     string // only this subtree
}

// ListReports lists the reports of the active units in the caller's scope (a unit without a row is a draft), in
// tree order.
func ListReports(ctx context.Context, q db.Q, sc auth.Scope, f Filter) ([]Report, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	where := []string{cond, "o.status = 'active'"}
	if f.Status != "" {
		where, args = append(where, "COALESCE(r.status, 'draft') = ?"), append(args, f.Status)
	}
	if f.ParentID != 0 {
		where, args = append(where, "o.parent_id = ?"), append(args, f.ParentID)
	}
	if f.Path != "" {
		where, args = append(where, "o.path >= ? AND o.path < ?"), append(args, f.Path, db.PrefixUpper(f.Path))
	}
	list, err := db.Select(ctx, q, scanReport, "SELECT "+reportCols+reportFrom+" WHERE "+strings.Join(where, " AND ")+" ORDER BY o.path",
		append([]any{f.Year}, args...)...)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].Year = f.Year
	}
	return list, markLate(ctx, q, list)
}

// Rules are the report's rules in force for a year and region.
type Rules struct{ DeadlineMonth, DeadlineDay int }

// LoadRules reads the rules in force at the end of year y for a region (reference data fleet.report_rule).
func LoadRules(ctx context.Context, q db.Q, y int, region string) (Rules, error) {
	var r Rules
	for key, dst := range map[string]*int{"deadline_month": &r.DeadlineMonth, "deadline_day": &r.DeadlineDay} {
		row, err := refdata.LookupYear(ctx, q, KindRule, key, region, y)
		if err != nil {
			return r, err
		}
		*dst = int(row.Value)
	}
	return r, nil
}

// Deadline is the submission deadline of the report of year y: the rule's day of the next year, end of day.
func Deadline(y int, r Rules) time.Time {
	return time.Date(y+1, time.Month(r.DeadlineMonth), r.DeadlineDay, 23, 59, 59, 0, clock.Shanghai)
}

// markLate fills the deadline and the late flag from the rules in force for each unit's region and year.
func markLate(ctx context.Context, q db.Q, rs []Report) error {
	cache := map[string]time.Time{}
	for i := range rs {
		r := &rs[i]
		k := fmt.Sprintf("%s/%d", r.Region, r.Year)
		d, ok := cache[k]
		if !ok {
			rules, err := LoadRules(ctx, q, r.Year, r.Region)
			if err != nil {
				return err
			}
			d = Deadline(r.Year, rules)
			cache[k] = d
		}
		r.Deadline = d.Format("2006-01-02")
		r.Late = r.Status != StatusDraft && r.SubmittedAt > d.Unix()
	}
	return nil
}

// canReview: the caller acts for the reviewer of r — its parent bureau, or the whole system.
func canReview(sc auth.Scope, r Report) bool {
	return sc.All() || (r.ParentID != 0 && sc.OrgID == r.ParentID && sc.Kind == auth.ScopeSubtree)
}

// isFiller: the caller acts for the unit of r itself. A reviewer never submits the reports it reviews.
func isFiller(sc auth.Scope, r Report) bool {
	return !sc.All() && sc.OrgID == r.OrgID && (sc.Kind == auth.ScopeUnit || sc.Kind == auth.ScopeSubtree)
}

// mayAct is the one rule of who may take action on r in its state (the caller holds PermReport and sees r); Act
// applies it and the pages draw their buttons from it.
func mayAct(sc auth.Scope, r Report, action string) error {
	tr, ok := Transitions[action]
	if !ok {
		return errs.NotFound("操作")
	}
	if tr.Reviewer {
		if !canReview(sc, r) {
			return errs.Forbidden("只有上级审核单位（" + orDash(r.ParentName) + "）可以" + tr.Name + "该报表")
		}
	} else {
		if r.ParentID == 0 {
			return errs.Conflict("本单位是最高一级，没有上级审核单位，无需上报")
		}
		if !isFiller(sc, r) {
			return errs.Forbidden("报表由填报单位（" + r.OrgName + "）自行上报，审核单位不能代为上报")
		}
	}
	if !slices.Contains(tr.From, r.Status) {
		return errs.Conflict(fmt.Sprintf("报表当前为“%s”，不能%s", r.StatusName, tr.Name))
	}
	return nil
}

// Actions are the actions the caller may take on r now, in workflow order.
func Actions(sc auth.Scope, r Report) []string {
	var out []string
	for _, a := range actionOrder {
		if mayAct(sc, r, a) == nil {
			out = append(out, a)
		}
	}
	return out
}

// ActInput is a workflow action on a report.
type ActInput struct {
	Reason string `json:"reason,omitempty" doc:"退回、重新打开时必填"`
}

// Act moves a report along the workflow: scope (404), level (403), the allowed transition (409), and for a
// submission the sign-off (422) and the figures' consistency (409); submitting stores the figures' snapshot (the
// lock), reopening drops it. History, audit and notification in one transaction.
func (s *Service) Act(ctx context.Context, sc auth.Scope, orgID int64, year int, action string, in ActInput) (Report, error) {
	tr, ok := Transitions[action]
	if !ok {
		return Report{}, errs.NotFound("操作")
	}
	now := s.Clock.Now()
	if err := s.checkYear(year); err != nil {
		return Report{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if (action == ActReturn || action == ActReopen) && in.Reason == "" {
		return Report{}, errs.Invalid("reason", "请填写"+tr.Name+"的原因")
	}
	if len([]rune(in.Reason)) > 500 {
		return Report{}, errs.Invalid("reason", "原因不超过 500 字")
	}
	var out Report
	err := s.DB.Tx(ctx, func(q db.Q) error {
		r, err := GetReport(ctx, q, sc, orgID, year)
		if err != nil {
			return err
		}
		if err := mayAct(sc, r, action); err != nil {
			return err
		}
		snapshot := r.snapshot
		switch action {
		case ActSubmit:
			info, err := LoadInfo(ctx, q, orgID, year)
			if err != nil {
				return err
			}
			if err := checkSignoff(info); err != nil {
				return err
			}
			fg, err := s.liveFigures(ctx, q, auth.Everything(), r, info)
			if err != nil {
				return err
			}
			if info.Replaced > fg.Total.New {
				return errs.Conflict(fmt.Sprintf("“其中更新车辆”填报 %d 辆，多于本年新增车辆 %d 辆，请先更正", info.Replaced, fg.Total.New))
			}
			b, err := json.Marshal(fg)
			if err != nil {
				return err
			}
			snapshot = string(b)
		case ActReopen:
			snapshot = ""
		}
		if _, err := q.Exec(ctx, `INSERT INTO fleet_reports (org_id, year, status, created_at, updated_at) VALUES (?, ?, 'draft', ?, ?)
			ON CONFLICT (org_id, year) DO NOTHING`, orgID, year, now.Unix(), now.Unix()); err != nil {
			return err
		}
		actor := audit.ActorFrom(ctx).Username
		set, args := "status = ?, updated_at = ?, reason = ?, figures = ?", []any{tr.To, now.Unix(), in.Reason, snapshot}
		if action == ActSubmit {
			set += ", submitted_at = ?, submitted_by = ?, reviewed_at = 0, reviewed_by = ''"
			args = append(args, now.Unix(), actor)
		} else {
			set += ", reviewed_at = ?, reviewed_by = ?"
			args = append(args, now.Unix(), actor)
		}
		res, err := q.Exec(ctx, "UPDATE fleet_reports SET "+set+" WHERE org_id = ? AND year = ? AND status IN ("+db.In(len(tr.From))+")",
			append(append(args, orgID, year), db.Args(tr.From)...)...)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("报表状态已被他人改变，请刷新后重试")
		}
		after, err := GetReport(ctx, q, auth.Everything(), orgID, year)
		if err != nil {
			return err
		}
		summary := fmt.Sprintf("%d 年度公务用车统计报表：%s → %s", year, r.StatusName, after.StatusName)
		if after.Late && action == ActSubmit {
			summary += "（逾期上报，期限 " + after.Deadline + "）"
		}
		if in.Reason != "" {
			summary += "；原因：" + in.Reason
		}
		if err := history.Record(ctx, q, now, objReport, after.ID, action, summary); err != nil {
			return err
		}
		if err := audit.Record(ctx, q, now, audit.Entry{Action: "fleet.report." + action, ObjectType: objReport, ObjectID: after.ID, OrgID: orgID,
			Success: true, Before: map[string]any{"status": r.Status}, After: map[string]any{"status": after.Status, "late": after.Late},
			Message: in.Reason, Extra: map[string]any{"year": year}}); err != nil {
			return err
		}
		if err := s.notifyAct(ctx, q, after, action, in.Reason); err != nil {
			return err
		}
		out = after
		return nil
	})
	return out, err
}

// notifyAct tells the other side: a submission goes to the reviewer's users, a decision to the unit's users.
func (s *Service) notifyAct(ctx context.Context, q db.Q, r Report, action, reason string) error {
	to, event, link := r.OrgID, EventDecided, fmt.Sprintf("/fleet/reports/%d/%d", r.OrgID, r.Year)
	title := fmt.Sprintf("%d 年度公务用车统计报表%s", r.Year, r.StatusName)
	if action == ActSubmit {
		to, event, link = r.ParentID, EventSubmitted, fmt.Sprintf("/fleet/reports/review?year=%d", r.Year)
		title = fmt.Sprintf("%s 上报了 %d 年度公务用车统计报表，请审核", r.OrgName, r.Year)
	} else if reason != "" {
		title += "：" + reason
	}
	users, err := db.Int64s(ctx, q, "SELECT id FROM users WHERE scope_org_id = ? AND status = 'active' ORDER BY id", to)
	if err != nil {
		return err
	}
	return s.Notify.Notify(ctx, q, notify.Notification{Recipients: users, Event: event, Title: title, Body: r.OrgName, Link: link})
}

// Info is what the report keeps beside the fleet's figures.
type Info struct {
	Replaced   int     `json:"replaced" doc:"本年新增车辆中更新（替换已处置车辆）的数量"`
	BudgetYuan float64 `json:"budget_yuan" doc:"公务用车购置及运行费年初预算数（元，三公经费口径，可不填）"`
	Note       string  `json:"note" doc:"填报说明"`
	Principal  string  `json:"principal" doc:"单位负责人"`
	Preparer   string  `json:"preparer" doc:"填表人"`
	Phone      string  `json:"phone" doc:"联系电话"`
}

// LoadInfo reads the report's own fields of (unit, year); empty when none were saved.
func LoadInfo(ctx context.Context, q db.Q, orgID int64, year int) (Info, error) {
	var in Info
	var budget int64
	err := q.QueryRow(ctx, "SELECT replaced, budget_fen, note, principal, preparer, phone FROM fleet_report_info WHERE org_id = ? AND year = ?",
		orgID, year).Scan(&in.Replaced, &budget, &in.Note, &in.Principal, &in.Preparer, &in.Phone)
	if db.IsNoRows(err) {
		return Info{}, nil
	}
	in.BudgetYuan = float64(budget) / 100
	return in, err
}

var phoneDigits = regexp.MustCompile(`^[0-9０-９+()（）\-－ ]{7,20}$`)

// checkInfo validates the report's fields (422 naming each bad one).
func checkInfo(in *Info) error {
	f := errs.Fields{}
	if in.Replaced < 0 || in.Replaced > 100000 {
		f.Add("replaced", "更新车辆数应为不小于 0 的整数")
	}
	if math.IsNaN(in.BudgetYuan) || in.BudgetYuan < 0 || in.BudgetYuan > 1e10 {
		f.Add("budget_yuan", "预算数应为不小于 0 的金额（元）")
	} else if math.Abs(in.BudgetYuan*100-math.Round(in.BudgetYuan*100)) > 1e-6 {
		f.Add("budget_yuan", "预算数最多两位小数（分）")
	}
	for field, v := range map[string]*string{"principal": &in.Principal, "preparer": &in.Preparer, "phone": &in.Phone} {
		*v = strings.TrimSpace(*v)
		if len([]rune(*v)) > 50 {
			f.Add(field, "不超过 50 字")
		}
	}
	in.Note = strings.TrimSpace(in.Note)
	if len([]rune(in.Note)) > 500 {
		f.Add("note", "填报说明不超过 500 字")
	}
	if in.Phone != "" && !phoneDigits.MatchString(in.Phone) {
		f.Add("phone", "联系电话格式不正确：请填写手机号或带区号的固定电话")
	}
	return f.Err()
}

// checkSignoff refuses a submission without the sign-off block: 422 naming each empty field.
func checkSignoff(in Info) error {
	f := errs.Fields{}
	for _, c := range []struct{ field, name, v string }{{"principal", "单位负责人", in.Principal}, {"preparer", "填表人", in.Preparer}, {"phone", "联系电话", in.Phone}} {
		if strings.TrimSpace(c.v) == "" {
			f.Add(c.field, "上报前请填写"+c.name)
		}
	}
	if err := f.Err(); err != nil {
		e := errs.As(err)
		e.Message = "上报前请填写报表签署信息（单位负责人、填表人、联系电话）"
		return e
	}
	return nil
}

// SaveInfo records the report's own fields of (unit, year); refused once the report is submitted or approved.
func (s *Service) SaveInfo(ctx context.Context, sc auth.Scope, orgID int64, year int, in Info) (Info, error) {
	if err := s.checkYear(year); err != nil {
		return Info{}, err
	}
	if err := checkInfo(&in); err != nil {
		return Info{}, err
	}
	now := s.Clock.Now()
	err := s.DB.Tx(ctx, func(q db.Q) error {
		r, err := GetReport(ctx, q, sc, orgID, year)
		if err != nil {
			return err
		}
		if r.Locked {
			return errs.Conflict("报表" + r.StatusName + "，不能再修改；如需修改请由审核单位退回或重新打开")
		}
		before, err := LoadInfo(ctx, q, orgID, year)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO fleet_report_info (org_id, year, replaced, budget_fen, note, principal, preparer, phone, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, year) DO UPDATE SET replaced = excluded.replaced, budget_fen = excluded.budget_fen,
			note = excluded.note, principal = excluded.principal, preparer = excluded.preparer, phone = excluded.phone,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			orgID, year, in.Replaced, int64(math.Round(in.BudgetYuan*100)), in.Note, in.Principal, in.Preparer, in.Phone, now.Unix(),
			audit.ActorFrom(ctx).Username); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "fleet.report.info", ObjectType: objReport, ObjectKey: fmt.Sprintf("%d/%d", orgID, year),
			OrgID: orgID, Success: true, Before: before, After: in})
	})
	return in, err
}

// checkYear refuses a year before 2000 or after this one (422).
func (s *Service) checkYear(year int) error {
	if year < 2000 || year > s.Clock.Now().In(clock.Shanghai).Year() {
		return errs.Invalid("year", "年度应为 2000 年至今年")
	}
	return nil
}

// History returns the history lines of a report (newest first); none for a report never acted on.
func History(ctx context.Context, q db.Q, r Report) ([]history.Entry, error) {
	if r.ID == 0 {
		return nil, nil
	}
	return history.List(ctx, q, objReport, r.ID, 50)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
