package report

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/notify"
)

// Report states (草稿/已上报/已退回/已审核) and kinds (基层表, 综合表).
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
	StatusReturned  = "returned"
	StatusApproved  = "approved"

	KindBasic   = "basic"
	KindSummary = "summary"
)

// Statuses with their Chinese names, in workflow order.
var Statuses = enum.List{{Code: StatusDraft, Name: "草稿"}, {Code: StatusSubmitted, Name: "已上报"}, {Code: StatusReturned, Name: "已退回"},
	{Code: StatusApproved, Name: "已审核"}}

// Kinds of report.
var Kinds = enum.List{{Code: KindBasic, Name: "基层表"}, {Code: KindSummary, Name: "综合表"}}

// StatusName is the Chinese name of a state.
func StatusName(code string) string { return Statuses.Name(code) }

// Actions of the review workflow.
const (
	ActSubmit  = "submit"
	ActApprove = "approve"
	ActReturn  = "return"
	ActReopen  = "reopen"
)

// transition is one allowed move: from any of From to To, by the unit itself (submit) or by its reviewer.
type transition struct {
	From     []string
	To       string
	Reviewer bool
	Name     string
}

// Transitions is the workflow's one table of allowed moves.
var Transitions = map[string]transition{
	ActSubmit:  {From: []string{StatusDraft, StatusReturned}, To: StatusSubmitted, Name: "上报"},
	ActApprove: {From: []string{StatusSubmitted}, To: StatusApproved, Reviewer: true, Name: "审核通过"},
	ActReturn:  {From: []string{StatusSubmitted}, To: StatusReturned, Reviewer: true, Name: "退回"},
	ActReopen:  {From: []string{StatusApproved}, To: StatusReturned, Reviewer: true, Name: "重新打开"},
}

// Report is the state of one report.
type Report struct {
	ID          int64  `json:"id,omitempty"`
	OrgID       int64  `json:"org_id"`
	OrgName     string `json:"org_name"`
	ParentID    int64  `json:"parent_id,omitempty" doc:"审核单位（上级机关事务管理部门）"`
	ParentName  string `json:"parent_name,omitempty"`
	Year        int    `json:"year"`
	Kind        string `json:"kind" doc:"basic 基层表 · summary 综合表"`
	Status      string `json:"status" doc:"draft 草稿 · submitted 已上报 · returned 已退回 · approved 已审核"`
	StatusName  string `json:"status_name"`
	Revision    string `json:"revision,omitempty"`
	SubmittedAt int64  `json:"submitted_at,omitempty"`
	SubmittedBy string `json:"submitted_by,omitempty"`
	ReviewedAt  int64  `json:"reviewed_at,omitempty"`
	ReviewedBy  string `json:"reviewed_by,omitempty"`
	Reason      string `json:"reason,omitempty" doc:"退回或重新打开的原因"`
	Category    string `json:"category,omitempty"`
	Kind2       string `json:"org_kind,omitempty"`
	Children    int64  `json:"children,omitempty" doc:"下级单位数（综合表）"`
	Path        string `json:"-"`
	Region      string `json:"-"`
	// Deadline is the submission deadline in force for the unit's region and the year (reference data
	// energy.report_rule); Late is set when the report was submitted after it.
	Deadline string `json:"deadline,omitempty" doc:"报送期限 YYYY-MM-DD"`
	Late     bool   `json:"late" doc:"逾期上报（上报时间晚于报送期限）"`
	// Actions are the workflow actions the caller may take now (the same rule Act applies; pages draw their
	// buttons from it). Filled by the handlers that answer a caller.
	Actions []string `json:"actions,omitempty" doc:"当前用户现在可以执行的操作：submit · approve · return · reopen"`
}

// Can reports whether action is among the caller's actions (for templates).
func (r Report) Can(action string) bool { return slices.Contains(r.Actions, action) }

// Locked reports whether the figures of (unit, year) are locked: its 基层表 is approved. Energy's writes of
// entries, the grid, 用能人数/建筑面积 and imports call it inside their transaction and refuse with 409.
func (s *Service) Locked(ctx context.Context, q db.Q, orgID int64, year int) (bool, error) {
	n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM energy_reports WHERE org_id = ? AND year = ? AND kind = ? AND status = ?",
		orgID, year, KindBasic, StatusApproved)
	return n > 0, err
}

// CheckLock is Locked as the error energy's writes return: 409 with a Chinese message when the year is locked.
func (s *Service) CheckLock(ctx context.Context, q db.Q, orgID int64, year int) error {
	locked, err := s.Locked(ctx, q, orgID, year)
	if err != nil {
		return err
	}
	if locked {
		return errs.Conflict(fmt.Sprintf("%d 年度统计报表已审核，该单位该年度的能耗数据已锁定；如需修改，请上级审核单位重新打开报表", year))
	}
	return nil
}

const reportCols = `COALESCE(r.id, 0), o.id, o.name, COALESCE(o.parent_id, 0), COALESCE(p.name, ''), COALESCE(r.status, 'draft'),
	COALESCE(r.revision, ''), COALESCE(r.submitted_at, 0), COALESCE(r.submitted_by, ''), COALESCE(r.reviewed_at, 0),
	COALESCE(r.reviewed_by, ''), COALESCE(r.reason, ''), o.category, o.kind, o.path,
	(SELECT COUNT(*) FROM orgs c WHERE c.parent_id = o.id AND c.status = 'active'), COALESCE(o.region_code, '')`

func scanReport(sc db.Scanner) (Report, error) {
	var r Report
	err := sc.Scan(&r.ID, &r.OrgID, &r.OrgName, &r.ParentID, &r.ParentName, &r.Status, &r.Revision, &r.SubmittedAt, &r.SubmittedBy,
		&r.ReviewedAt, &r.ReviewedBy, &r.Reason, &r.Category, &r.Kind2, &r.Path, &r.Children, &r.Region)
	r.StatusName = StatusName(r.Status)
	return r, err
}

// GetReport returns the state of (unit, year, kind), a draft when nothing happened yet; 404 outside the scope.
func GetReport(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, year int, kind string) (Report, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	r, err := scanReport(q.QueryRow(ctx, "SELECT "+reportCols+` FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id
		LEFT JOIN energy_reports r ON r.org_id = o.id AND r.year = ? AND r.kind = ? WHERE o.id = ? AND `+cond,
		append([]any{year, kind, orgID}, args...)...))
	if db.IsNoRows(err) {
		return r, errs.NotFound("单位")
	}
	if err != nil {
		return r, err
	}
	r.Year, r.Kind = year, kind
	rs := []Report{r}
	err = markLate(ctx, q, rs)
	return rs[0], err
}

// markLate fills the deadline and the late flag of reports from the rules in force for each unit's region and
// year (a province may set its own deadline; the default is 31 March of the next year).
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

// Filter selects reports for lists.
type Filter struct {
	Year     int
	Kind     string // basic (default) or summary
	Status   string // "" all
	ParentID int64  // only the children of this unit (the review page)
	OrgID    int64  // only this unit's subtree
}

// ListReports lists the reports of the units in the caller's scope (every active unit: one without a report row
// is a draft), in tree order. For summaries, only units with children are listed.
func ListReports(ctx context.Context, q db.Q, sc auth.Scope, f Filter) ([]Report, error) {
	if f.Kind == "" {
		f.Kind = KindBasic
	}
	cond, args := sc.PathCond("o.id", "o.path")
	where := []string{cond, "o.status = 'active'"}
	if f.Status != "" {
		where, args = append(where, "COALESCE(r.status, 'draft') = ?"), append(args, f.Status)
	}
	if f.ParentID != 0 {
		where, args = append(where, "o.parent_id = ?"), append(args, f.ParentID)
	}
	if f.OrgID != 0 {
		var p string
		if err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", f.OrgID).Scan(&p); err != nil {
			if db.IsNoRows(err) {
				return nil, errs.NotFound("单位")
			}
			return nil, err
		}
		where, args = append(where, "o.path >= ? AND o.path < ?"), append(args, p, db.PrefixUpper(p))
	}
	if f.Kind == KindSummary {
		where = append(where, "EXISTS (SELECT 1 FROM orgs c WHERE c.parent_id = o.id AND c.status = 'active')")
	}
	list, err := db.Select(ctx, q, scanReport, "SELECT "+reportCols+` FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id
		LEFT JOIN energy_reports r ON r.org_id = o.id AND r.year = ? AND r.kind = ? WHERE `+strings.Join(where, " AND ")+` ORDER BY o.path`,
		append([]any{f.Year, f.Kind}, args...)...)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].Year, list[i].Kind = f.Year, f.Kind
	}
	return list, markLate(ctx, q, list)
}

// ActInput is a workflow action on a report.
type ActInput struct {
	Kind   string `json:"kind,omitempty" doc:"basic 基层表（默认）· summary 综合表"`
	Reason string `json:"reason,omitempty" doc:"退回、重新打开时必填"`
}

// canReview reports whether the caller acts for the reviewer of unit o: its parent bureau (the caller's scope
// unit is o's parent), or the whole system.
func canReview(sc auth.Scope, r Report) bool {
	return sc.All() || (r.ParentID != 0 && sc.OrgID == r.ParentID && sc.Kind == auth.ScopeSubtree)
}

// isFiller reports whether the caller acts for the unit of r itself — its own administrators (scope unit or
// subtree rooted at it). Only they submit: a reviewer never submits the reports it reviews, and a system-wide
// account acts as a reviewer.
func isFiller(sc auth.Scope, r Report) bool {
	return !sc.All() && sc.OrgID == r.OrgID && (sc.Kind == auth.ScopeUnit || sc.Kind == auth.ScopeSubtree)
}

// mayAct is the rule of who may take action on r in its state (the caller holds energy:enter and sees r): the
// reviewer approves, returns and reopens; the unit itself submits; the transition table says from which states.
// Act applies it, and Actions draws the pages' buttons from it, so a page never offers what the server refuses.
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
			if r.Kind == KindSummary {
				return errs.Forbidden("综合表由本级机关事务管理部门上报")
			}
			return errs.Forbidden("报表由填报单位（" + r.OrgName + "）自行上报，审核单位不能代为上报")
		}
	}
	if !slices.Contains(tr.From, r.Status) {
		return errs.Conflict(fmt.Sprintf("报表当前为“%s”，不能%s", r.StatusName, tr.Name))
	}
	return nil
}

// Actions are the actions the caller may take on r now, in workflow order (see mayAct).
func Actions(sc auth.Scope, r Report) []string {
	var out []string
	for _, a := range []string{ActSubmit, ActApprove, ActReturn, ActReopen} {
		if mayAct(sc, r, a) == nil {
			out = append(out, a)
		}
	}
	return out
}

// Act moves a report along the workflow: checks scope (404), level (403), the allowed transition (409) and, for a
// submission, the completeness of a 基层表 or the children of a 综合表 (409). It records history and audit and
// notifies the other side, all in one transaction.
func (s *Service) Act(ctx context.Context, sc auth.Scope, orgID int64, year int, action string, in ActInput) (Report, error) {
	tr, ok := Transitions[action]
	if !ok {
		return Report{}, errs.NotFound("操作")
	}
	if in.Kind == "" {
		in.Kind = KindBasic
	}
	if !Kinds.Has(in.Kind) {
		return Report{}, errs.Invalid("kind", "报表类型应为 basic（基层表）或 summary（综合表）")
	}
	now := s.Clock.Now()
	if year < 2000 || year > energy.PeriodOf(now.Unix()).Year {
		return Report{}, errs.Invalid("year", "年度应为 2000 年至今年")
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
		r, err := GetReport(ctx, q, sc, orgID, year, in.Kind)
		if err != nil {
			return err
		}
		if in.Kind == KindSummary && r.Children == 0 {
			return errs.Invalid("kind", "该单位没有下级单位，没有综合表")
		}
		if err := mayAct(sc, r, action); err != nil {
			return err
		}
		if action == ActSubmit {
			if err := s.readyToSubmit(ctx, q, sc, r); err != nil {
				return err
			}
		}
		if action == ActReopen && in.Kind == KindBasic {
			// A unit's report cannot be reopened under an approved summary: reopen the summary first.
			st, err := statusOf(ctx, q, r.ParentID, year, KindSummary)
			if err != nil {
				return err
			}
			if st == StatusSubmitted || st == StatusApproved {
				return errs.Conflict("上级综合表已" + StatusName(st) + "，请先由其审核单位退回或重新打开综合表")
			}
		}
		def, err := LoadDefinition(ctx, q, year)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO energy_reports (org_id, year, kind, status, created_at, updated_at) VALUES (?, ?, ?, 'draft', ?, ?)
			ON CONFLICT (org_id, year, kind) DO NOTHING`, orgID, year, in.Kind, now.Unix(), now.Unix()); err != nil {
			return err
		}
		actor := audit.ActorFrom(ctx).Username
		set, args := "status = ?, updated_at = ?, reason = ?", []any{tr.To, now.Unix(), in.Reason}
		if action == ActSubmit {
			set += ", submitted_at = ?, submitted_by = ?, revision = ?, reviewed_at = 0, reviewed_by = ''"
			args = append(args, now.Unix(), actor, def.Revision)
		} else {
			set += ", reviewed_at = ?, reviewed_by = ?"
			args = append(args, now.Unix(), actor)
		}
		from := "(" + db.In(len(tr.From)) + ")"
		res, err := q.Exec(ctx, "UPDATE energy_reports SET "+set+" WHERE org_id = ? AND year = ? AND kind = ? AND status IN "+from,
			append(append(args, orgID, year, in.Kind), db.Args(tr.From)...)...)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("报表状态已被他人改变，请刷新后重试")
		}
		after, err := GetReport(ctx, q, auth.Everything(), orgID, year, in.Kind)
		if err != nil {
			return err
		}
		summary := fmt.Sprintf("%d 年度%s：%s → %s", year, Kinds.Name(in.Kind), r.StatusName, after.StatusName)
		if in.Reason != "" {
			summary += "；原因：" + in.Reason
		}
		if action == ActReopen && in.Kind == KindBasic {
			// Meter data that arrived while the year was locked now counts.
			types, err := s.Energy.ReleaseHeld(ctx, q, orgID, year)
			if err != nil {
				return err
			}
			if len(types) > 0 {
				summary += "；计入锁定期间变化的计量数据：" + strings.Join(energy.TypeNames(types), "、")
			}
		}
		if err := history.Record(ctx, q, now, "energy_report", after.ID, action, summary); err != nil {
			return err
		}
		if err := audit.Record(ctx, q, now, audit.Entry{Action: "energy.report." + action, ObjectType: "energy_report", ObjectID: after.ID,
			OrgID: orgID, Success: true, Before: map[string]any{"status": r.Status}, After: map[string]any{"status": after.Status, "revision": after.Revision},
			Message: in.Reason, Extra: map[string]any{"year": year, "kind": in.Kind}}); err != nil {
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

// readyToSubmit refuses a 基层表 with blocking completeness issues and a 综合表 whose children are not all
// approved (409, with what is missing).
func (s *Service) readyToSubmit(ctx context.Context, q db.Q, sc auth.Scope, r Report) error {
	if r.Kind == KindBasic {
		cs, err := s.checkUnits(ctx, q, []int64{r.OrgID}, r.Year)
		if err != nil {
			return err
		}
		c := cs[r.OrgID]
		if !c.OK() {
			var msgs []string
			for _, is := range c.Issues {
				if is.Blocking {
					msgs = append(msgs, is.Message)
				}
			}
			return errs.Conflict("报表还有 " + fmt.Sprint(c.Blocking) + " 项必须处理的问题，不能上报：" + strings.Join(msgs, "；"))
		}
		info, err := LoadInfo(ctx, q, r.OrgID, r.Year)
		if err != nil {
			return err
		}
		return checkSignoff(info)
	}
	pending, err := s.pendingChildren(ctx, q, r.OrgID, r.Year)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		shown := pending
		if len(shown) > 5 {
			shown = shown[:5]
		}
		return errs.Conflict(fmt.Sprintf("还有 %d 个下级单位的报表未审核通过，不能上报综合表：%s", len(pending), strings.Join(shown, "、")))
	}
	return nil
}

// pendingChildren names the direct children of a bureau whose 基层表 — and, for children with units below them,
// 综合表 — is not approved.
func (s *Service) pendingChildren(ctx context.Context, q db.Q, bureauID int64, year int) ([]string, error) {
	return db.Strings(ctx, q, `SELECT c.name FROM orgs c
		LEFT JOIN energy_reports b ON b.org_id = c.id AND b.year = ? AND b.kind = 'basic'
		LEFT JOIN energy_reports m ON m.org_id = c.id AND m.year = ? AND m.kind = 'summary'
		WHERE c.parent_id = ? AND c.status = 'active' AND (COALESCE(b.status, 'draft') <> 'approved'
			OR (EXISTS (SELECT 1 FROM orgs g WHERE g.parent_id = c.id AND g.status = 'active') AND COALESCE(m.status, 'draft') <> 'approved'))
		ORDER BY c.path`, year, year, bureauID)
}

func statusOf(ctx context.Context, q db.Q, orgID int64, year int, kind string) (string, error) {
	var st string
	err := q.QueryRow(ctx, "SELECT status FROM energy_reports WHERE org_id = ? AND year = ? AND kind = ?", orgID, year, kind).Scan(&st)
	if db.IsNoRows(err) {
		return StatusDraft, nil
	}
	return st, err
}

// notifyAct tells the other side: a submission goes to the reviewer's users, a decision to the unit's users.
func (s *Service) notifyAct(ctx context.Context, q db.Q, r Report, action, reason string) error {
	kind := Kinds.Name(r.Kind)
	link := fmt.Sprintf("/energy/reports/%d/%d", r.OrgID, r.Year)
	if r.Kind == KindSummary {
		link = fmt.Sprintf("/energy/reports/summary?org_id=%d&year=%d", r.OrgID, r.Year)
	}
	to, event, title := r.OrgID, "", ""
	switch action {
	case ActSubmit:
		to, event, title = r.ParentID, EventSubmitted, fmt.Sprintf("%s 上报了 %d 年度%s，请审核", r.OrgName, r.Year, kind)
		link = fmt.Sprintf("/energy/reports/review?year=%d", r.Year)
	case ActApprove:
		event, title = EventApproved, fmt.Sprintf("%d 年度%s已审核通过", r.Year, kind)
	case ActReturn:
		event, title = EventReturned, fmt.Sprintf("%d 年度%s被退回：%s", r.Year, kind, reason)
	case ActReopen:
		event, title = EventReopened, fmt.Sprintf("%d 年度%s已被重新打开：%s", r.Year, kind, reason)
	}
	users, err := db.Int64s(ctx, q, "SELECT id FROM users WHERE scope_org_id = ? AND status = 'active' ORDER BY id", to)
	if err != nil {
		return err
	}
	return s.Notify.Notify(ctx, q, notify.Notification{Recipients: users, Event: event, Title: title, Body: r.OrgName, Link: link})
}

// SaveInfo records the report fields of (unit, year); refused once the report is submitted or approved.
func (s *Service) SaveInfo(ctx context.Context, sc auth.Scope, orgID int64, year int, in Info) (Info, error) {
	f := errs.Fields{}
	now := s.Clock.Now()
	if year < 2000 || year > energy.PeriodOf(now.Unix()).Year {
		f.Add("year", "年度应为 2000 年至今年")
	}
	if in.NewEnergyVehicles < 0 || in.NewEnergyVehicles > 1_000_000 {
		f.Add("new_energy_vehicles", "新能源汽车数量应为不小于 0 的整数")
	}
	if in.ChargingPiles < 0 || in.ChargingPiles > 1_000_000 {
		f.Add("charging_piles", "充电桩数量应为不小于 0 的整数")
	}
	if in.LandAreaM2 < 0 || in.LandAreaM2 > 1e9 || math.IsNaN(in.LandAreaM2) {
		f.Add("land_area_m2", "用地面积应为不小于 0 的数（平方米）")
	}
	for field, v := range map[string]*string{"principal": &in.Principal, "stats_lead": &in.StatsLead, "preparer": &in.Preparer, "phone": &in.Phone} {
		*v = strings.TrimSpace(*v)
		if len([]rune(*v)) > 50 {
			f.Add(field, "不超过 50 字")
		}
	}
	if in.Phone != "" && !PlausiblePhone(in.Phone) {
		f.Add("phone", phoneMessage)
	}
	if err := f.Err(); err != nil {
		return Info{}, err
	}
	err := s.DB.Tx(ctx, func(q db.Q) error {
		r, err := GetReport(ctx, q, sc, orgID, year, KindBasic)
		if err != nil {
			return err
		}
		def, err := LoadDefinition(ctx, q, year)
		if err != nil {
			return err
		}
		vf := errs.Fields{}
		def.checkValues(in.Values, vf)
		if err := vf.Err(); err != nil {
			return err
		}
		if r.Status == StatusSubmitted || r.Status == StatusApproved {
			return errs.Conflict("报表" + r.StatusName + "，不能再修改；如需修改请由审核单位退回或重新打开")
		}
		before, err := LoadInfo(ctx, q, orgID, year)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO energy_report_info (org_id, year, new_energy_vehicles, land_area_m2, charging_piles, principal,
			stats_lead, preparer, phone, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id, year) DO UPDATE SET new_energy_vehicles = excluded.new_energy_vehicles, land_area_m2 = excluded.land_area_m2,
			charging_piles = excluded.charging_piles, principal = excluded.principal, stats_lead = excluded.stats_lead,
			preparer = excluded.preparer, phone = excluded.phone, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			orgID, year, in.NewEnergyVehicles, in.LandAreaM2, in.ChargingPiles, in.Principal, in.StatsLead, in.Preparer, in.Phone,
			now.Unix(), audit.ActorFrom(ctx).Username); err != nil {
			return err
		}
		if err := saveValues(ctx, q, orgID, year, in.Values); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.report.info", ObjectType: "energy_report", ObjectKey: fmt.Sprintf("%d/%d", orgID, year),
			OrgID: orgID, Success: true, Before: before, After: in})
	})
	return in, err
}

// History returns the history lines of a report (newest first); none for a report never acted on.
func History(ctx context.Context, q db.Q, r Report) ([]history.Entry, error) {
	if r.ID == 0 {
		return nil, nil
	}
	return history.List(ctx, q, "energy_report", r.ID, 50)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// Deadline is the submission deadline of the report for year y (rules: 31 March of the next year).
func Deadline(y int, r Rules) time.Time {
	return time.Date(y+1, time.Month(r.DeadlineMonth), r.DeadlineDay, 23, 59, 59, 0, energy.Shanghai)
}
