package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// SubmitInput is what a module sends for approval.
type SubmitInput struct {
	Type        string // a registered request type code
	ObjectID    int64  // the module's object (e.g. the trip request id)
	RequesterID int64  // the user who asks
	OrgID       int64  // the requesting unit, whose place in the tree picks the chain and the approvers
	Title       string // one line for inboxes, e.g. "张三 11月20日 用车（青山市→松岭县）"
	Summary     string // optional detail
}

const maxComment = 1000

const instCols = `i.id, i.type_code, i.object_id, i.requester_id, ru.display_name, i.org_id, o.name, COALESCE(i.chain_id, 0), i.chain_name,
	i.steps, i.step_count, i.step_no, i.title, i.summary, i.status, i.created_at, i.updated_at, i.finished_at`
const instFrom = ` FROM wf_instances i JOIN users ru ON ru.id = i.requester_id JOIN orgs o ON o.id = i.org_id`

func (s *Service) scanInstance(sc db.Scanner) (Instance, error) {
	var i Instance
	var steps string
	var created, updated, finished int64
	err := sc.Scan(&i.ID, &i.Type, &i.ObjectID, &i.RequesterID, &i.RequesterName, &i.OrgID, &i.OrgName, &i.ChainID, &i.ChainName,
		&steps, &i.StepCount, &i.StepNo, &i.Title, &i.Summary, &i.Status, &created, &updated, &finished)
	if err != nil {
		return i, err
	}
	if err := json.Unmarshal([]byte(steps), &i.Steps); err != nil {
		return i, fmt.Errorf("workflow instance %d steps: %w", i.ID, err)
	}
	if i.StepNo >= 1 && i.StepNo <= len(i.Steps) {
		i.StepName = i.Steps[i.StepNo-1].Name
	}
	i.TypeName, i.Link = s.typeName(i.Type), s.link(i.Type, i.ObjectID)
	i.StatusName = StatusNames[i.Status]
	i.CreatedAt, i.UpdatedAt, i.FinishedAt = fromUnix(created), fromUnix(updated), fromUnix(finished)
	return i, nil
}

// delegators is the subquery of users whose approvals the user (first ?) may give today (?, ?).
const delegators = `SELECT d.from_user_id FROM wf_delegations d WHERE d.to_user_id = ? AND d.status = 'active' AND d.start_date <= ? AND d.end_date >= ?`

// waitingCond is the condition on wf_instances i that a run waits for user's decision, directly or as a delegate.
// It is driven by the (user_id, status) index of the tasks, never by a scan of the runs.
func (s *Service) waitingCond(user int64) (string, []any) {
	today := clock.Today(s.Clock.Now())
	return `i.id IN (SELECT t.instance_id FROM wf_tasks t WHERE t.user_id = ? AND t.status = 'pending'
		UNION SELECT t.instance_id FROM wf_delegations d JOIN wf_tasks t ON t.user_id = d.from_user_id AND t.status = 'pending'
		WHERE d.to_user_id = ? AND d.status = 'active' AND d.start_date <= ? AND d.end_date >= ?)
		AND i.status = 'pending' AND i.requester_id <> ?`, []any{user, user, today, today, user}
}

// visibleCond is the condition on wf_instances i that u may see a run: as its requester, as an approver of any
// step (or the delegate of one waiting now), or as a workflow administrator whose data scope covers the unit.
func (s *Service) visibleCond(ctx context.Context, u *auth.User) (string, []any) {
	today := clock.Today(s.Clock.Now())
	cond := `(i.requester_id = ? OR EXISTS (SELECT 1 FROM wf_tasks t WHERE t.instance_id = i.id AND (t.user_id = ? OR t.decided_by = ?
		OR (t.status = 'pending' AND t.user_id IN (` + delegators + `))))`
	args := []any{u.ID, u.ID, u.ID, u.ID, today, today}
	if u.Can(PermConfig) {
		sc, sargs := auth.ScopeFrom(ctx).OrgCond("i.org_id")
		cond += " OR " + sc
		args = append(args, sargs...)
	}
	return cond + ")", args
}

func (s *Service) visible(ctx context.Context, q db.Q, u *auth.User, id int64) (Instance, error) {
	if u == nil {
		return Instance{}, errs.NotFound("审批")
	}
	cond, args := s.visibleCond(ctx, u)
	inst, err := s.scanInstance(q.QueryRow(ctx, "SELECT "+instCols+instFrom+" WHERE i.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return Instance{}, errs.NotFound("审批")
	}
	return inst, err
}

// actTask is a pending task of the current step that a user may decide, as its approver or their delegate.
type actTask struct {
	id, userID int64
	userName   string
}

func (s *Service) actionable(ctx context.Context, q db.Q, user int64, inst Instance) ([]actTask, error) {
	if inst.Status != StatusPending || user == inst.RequesterID {
		return nil, nil
	}
	today := clock.Today(s.Clock.Now())
	return db.Select(ctx, q, func(sc db.Scanner) (actTask, error) {
		var t actTask
		return t, sc.Scan(&t.id, &t.userID, &t.userName)
	}, `SELECT t.id, t.user_id, u.display_name FROM wf_tasks t JOIN users u ON u.id = t.user_id
		WHERE t.instance_id = ? AND t.step_no = ? AND t.status = 'pending' AND (t.user_id = ? OR t.user_id IN (`+delegators+`))
		ORDER BY t.id`, inst.ID, inst.StepNo, user, user, today, today)
}

// Get returns a run with its steps, tasks and history, if u may see it (404 otherwise).
func (s *Service) Get(ctx context.Context, q db.Q, u *auth.User, id int64) (Instance, error) {
	inst, err := s.visible(ctx, q, u, id)
	if err != nil {
		return inst, err
	}
	return inst, s.fill(ctx, q, u, &inst)
}

func (s *Service) fill(ctx context.Context, q db.Q, u *auth.User, inst *Instance) error {
	var err error
	inst.Tasks, err = db.Select(ctx, q, func(sc db.Scanner) (Task, error) {
		var t Task
		var at int64
		err := sc.Scan(&t.ID, &t.StepNo, &t.UserID, &t.UserName, &t.Status, &t.DecidedByID, &t.DecidedBy, &at)
		t.DecidedAt = fromUnix(at)
		return t, err
	}, `SELECT t.id, t.step_no, t.user_id, u.display_name, t.status, COALESCE(t.decided_by, 0), COALESCE(d.display_name, ''), t.decided_at
		FROM wf_tasks t JOIN users u ON u.id = t.user_id LEFT JOIN users d ON d.id = t.decided_by WHERE t.instance_id = ? ORDER BY t.step_no, t.id`, inst.ID)
	if err != nil {
		return err
	}
	if inst.History, err = s.events(ctx, q, inst.ID); err != nil {
		return err
	}
	if u != nil {
		acts, err := s.actionable(ctx, q, u.ID, *inst)
		if err != nil {
			return err
		}
		inst.CanDecide = len(acts) > 0
		inst.CanWithdraw = inst.Status == StatusPending && u.ID == inst.RequesterID
	}
	return nil
}

func (s *Service) events(ctx context.Context, q db.Q, id int64) ([]Event, error) {
	return db.Select(ctx, q, func(sc db.Scanner) (Event, error) {
		var e Event
		var at int64
		err := sc.Scan(&e.ID, &at, &e.ActorID, &e.Actor, &e.OnBehalf, &e.Action, &e.StepNo, &e.StepName, &e.Comment)
		e.At = fromUnix(at)
		return e, err
	}, "SELECT id, at, COALESCE(actor_id, 0), actor, on_behalf, action, step_no, step_name, comment FROM wf_events WHERE instance_id = ? ORDER BY id", id)
}

// History returns a run's timeline, oldest first, if u may see the run (404 otherwise).
func (s *Service) History(ctx context.Context, q db.Q, u *auth.User, id int64) ([]Event, error) {
	if _, err := s.visible(ctx, q, u, id); err != nil {
		return nil, err
	}
	return s.events(ctx, q, id)
}

// ForObject returns the latest run of a module's object (for the module's own detail page; the module checks
// that the caller may see its object). No run → 404.
func (s *Service) ForObject(ctx context.Context, q db.Q, code string, objectID int64) (Instance, error) {
	inst, err := s.scanInstance(q.QueryRow(ctx, "SELECT "+instCols+instFrom+" WHERE i.type_code = ? AND i.object_id = ? ORDER BY i.id DESC LIMIT 1", code, objectID))
	if db.IsNoRows(err) {
		return Instance{}, errs.NotFound("审批")
	}
	if err != nil {
		return inst, err
	}
	return inst, s.fill(ctx, q, nil, &inst)
}

func (s *Service) load(ctx context.Context, q db.Q, id int64) (Instance, error) {
	return s.scanInstance(q.QueryRow(ctx, "SELECT "+instCols+instFrom+" WHERE i.id = ?", id))
}

func (s *Service) addEvent(ctx context.Context, q db.Q, now time.Time, inst int64, actorID int64, actor, onBehalf, action string, step int, stepName, comment string) error {
	_, err := q.Exec(ctx, `INSERT INTO wf_events (instance_id, at, actor_id, actor, on_behalf, action, step_no, step_name, comment)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, inst, now.Unix(), db.NullInt(actorID), actor, onBehalf, action, step, stepName, comment)
	return err
}

// Submit starts the approval of a module's object inside the module's transaction q: it picks the chain for the
// requester's unit, checks that every step has an approver (a configuration problem is a 422 before anyone
// waits), and puts the run in the first step's approvers' inboxes.
func (s *Service) Submit(ctx context.Context, q db.Q, in SubmitInput) (Instance, error) {
	now := s.Clock.Now()
	in.Title, in.Summary = strings.TrimSpace(in.Title), strings.TrimSpace(in.Summary)
	f := errs.Fields{}
	if _, ok := s.Type(in.Type); !ok {
		f.Add("type", "未知的申请类型："+in.Type)
	}
	if in.ObjectID <= 0 {
		f.Add("object_id", "业务单据无效")
	}
	if in.Title == "" || len([]rune(in.Title)) > 200 {
		f.Add("title", "审批标题为 1–200 字")
	}
	if len([]rune(in.Summary)) > 2000 {
		f.Add("summary", "摘要不超过 2000 字")
	}
	if in.OrgID <= 0 {
		f.Add("org_id", "请指定申请单位")
	}
	var out Instance
	err := q.Tx(ctx, func(q db.Q) error {
		var name, status string
		err := q.QueryRow(ctx, "SELECT display_name, status FROM users WHERE id = ?", in.RequesterID).Scan(&name, &status)
		switch {
		case db.IsNoRows(err):
			f.Add("requester_id", "申请人不存在")
		case err != nil:
			return err
		case status != "active":
			f.Add("requester_id", "申请人账户已停用")
		}
		var path string
		if in.OrgID > 0 {
			if path, err = s.Auth.Tree.OrgPath(ctx, q, in.OrgID); errs.Is(err, errs.CodeNotFound) {
				f.Add("org_id", "申请单位不存在")
			} else if err != nil {
				return err
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		chain, err := s.ChainFor(ctx, q, in.Type, path)
		if err != nil {
			return err
		}
		if len(chain.Steps) == 0 {
			msg := "审批流程“" + chain.Name + "”没有审批步骤，请联系系统管理员检查审批流程配置"
			return &errs.Error{Code: errs.CodeValidation, Message: msg, Fields: map[string]string{"chain": msg}}
		}
		ancestors := pathIDs(path)
		var first []int64
		for i, st := range chain.Steps {
			ids, err := s.resolveStep(ctx, q, chain.Name, st, ancestors, in.RequesterID)
			if err != nil {
				return err
			}
			if i == 0 {
				first = ids
			}
		}
		snap, err := json.Marshal(chain.Steps)
		if err != nil {
			return err
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO wf_instances (type_code, object_id, requester_id, org_id, chain_id, chain_name, steps, step_count,
			step_no, title, summary, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, 'pending', ?, ?) RETURNING id`,
			in.Type, in.ObjectID, in.RequesterID, in.OrgID, chain.ID, chain.Name, string(snap), len(chain.Steps), in.Title, in.Summary, now.Unix(), now.Unix())
		if db.IsUnique(err) {
			return errs.Conflict("该业务单据已在审批中，不能重复提交")
		}
		if err != nil {
			return err
		}
		if err := s.addEvent(ctx, q, now, id, in.RequesterID, name, "", "submit", 0, "", in.Summary); err != nil {
			return err
		}
		if err := s.openStep(ctx, q, now, id, chain.Steps[0], first); err != nil {
			return err
		}
		if out, err = s.load(ctx, q, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "workflow.submit", ObjectType: "workflow_instance", ObjectID: id, OrgID: in.OrgID,
			Success: true, After: out})
	})
	return out, err
}

// openStep creates the pending tasks of a step and records who it waits for.
func (s *Service) openStep(ctx context.Context, q db.Q, now time.Time, inst int64, st Step, approvers []int64) error {
	for _, u := range approvers {
		if _, err := q.Exec(ctx, "INSERT INTO wf_tasks (instance_id, step_no, user_id, status, created_at) VALUES (?, ?, ?, 'pending', ?)",
			inst, st.No, u, now.Unix()); err != nil {
			return err
		}
	}
	names, err := db.Strings(ctx, q, "SELECT display_name FROM users WHERE id IN ("+db.In(len(approvers))+") ORDER BY id", db.Args(approvers)...)
	if err != nil {
		return err
	}
	if err := s.addEvent(ctx, q, now, inst, 0, "系统", "", "advance", st.No, st.Name,
		"审批人："+strings.Join(names, "、")+"；"+ModeNames[st.Mode]); err != nil {
		return err
	}
	return s.notify(ctx, q, inst, NoticeWaiting, approvers)
}

// notify hands a notice to the Notify hook, if one is wired.
func (s *Service) notify(ctx context.Context, q db.Q, id int64, kind string, users []int64) error {
	if s.Notify == nil || len(users) == 0 {
		return nil
	}
	inst, err := s.load(ctx, q, id)
	if err != nil {
		return err
	}
	inst.Steps = nil
	return s.Notify(ctx, q, Notice{Kind: kind, Instance: inst, UserIDs: users})
}

// closeTasks ends the still-pending tasks of a run (of one step, or all steps with step 0).
func closeTasks(ctx context.Context, q db.Q, inst int64, step int, status string) error {
	if step == 0 {
		_, err := q.Exec(ctx, "UPDATE wf_tasks SET status = ? WHERE instance_id = ? AND status = 'pending'", status, inst)
		return err
	}
	_, err := q.Exec(ctx, "UPDATE wf_tasks SET status = ? WHERE instance_id = ? AND step_no = ? AND status = 'pending'", status, inst, step)
	return err
}

// lock takes the run for this transaction with a guarded update, so that concurrent deciders of the same run go
// one after the other and see each other's tasks; a run that moved on meanwhile is a 409.
func lock(ctx context.Context, q db.Q, now time.Time, inst Instance) error {
	res, err := q.Exec(ctx, "UPDATE wf_instances SET updated_at = ? WHERE id = ? AND status = 'pending' AND step_no = ?", now.Unix(), inst.ID, inst.StepNo)
	if err != nil {
		return err
	}
	if db.RowsAffected(res) == 0 {
		return errs.Conflict("审批状态已发生变化，请刷新后重试")
	}
	return nil
}

// Decide applies approve, reject, return, comment or withdraw by u to run id in its own transaction.
func (s *Service) Decide(ctx context.Context, u *auth.User, id int64, a Action, comment string) (Instance, error) {
	return s.DecideTx(ctx, s.DB, u, id, a, comment)
}

// DecideTx is Decide inside the caller's transaction q.
func (s *Service) DecideTx(ctx context.Context, q db.Q, u *auth.User, id int64, a Action, comment string) (Instance, error) {
	comment = strings.TrimSpace(comment)
	if len([]rune(comment)) > maxComment {
		return Instance{}, errs.Invalid("comment", fmt.Sprintf("意见不超过 %d 字", maxComment))
	}
	switch a {
	case ActApprove:
	case ActReject, ActReturn, ActComment:
		if comment == "" {
			return Instance{}, errs.Invalid("comment", map[Action]string{ActReject: "驳回时请填写意见", ActReturn: "退回时请填写意见", ActComment: "请填写评论内容"}[a])
		}
	case ActWithdraw:
		return s.WithdrawTx(ctx, q, u, id, comment)
	default:
		return Instance{}, errs.Invalid("action", "未知的审批操作")
	}
	now := s.Clock.Now()
	var out Instance
	err := q.Tx(ctx, func(q db.Q) error {
		inst, err := s.visible(ctx, q, u, id)
		if err != nil {
			return err
		}
		if err := checkTransition(inst.Status, a); err != nil {
			return err
		}
		if a == ActComment {
			if err := s.addEvent(ctx, q, now, id, u.ID, u.DisplayName(), "", "comment", inst.StepNo, inst.StepName, comment); err != nil {
				return err
			}
		} else if err := s.decide(ctx, q, now, u, inst, a, comment); err != nil {
			return err
		}
		if out, err = s.load(ctx, q, id); err != nil {
			return err
		}
		if err := s.fill(ctx, q, u, &out); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "workflow." + string(a), ObjectType: "workflow_instance", ObjectID: id, OrgID: inst.OrgID,
			Success: true, Extra: map[string]any{"type": inst.Type, "object_id": inst.ObjectID, "step_no": inst.StepNo, "comment": comment,
				"status": out.Status}})
	})
	return out, err
}

func (s *Service) decide(ctx context.Context, q db.Q, now time.Time, u *auth.User, inst Instance, a Action, comment string) error {
	if u.ID == inst.RequesterID {
		return errs.Forbidden("不能审批本人提交的申请")
	}
	if a == ActReturn && inst.StepNo <= 1 {
		return errs.Conflict("已是第一步，无法退回；如需申请人修改，请驳回")
	}
	if err := lock(ctx, q, now, inst); err != nil {
		return err
	}
	tasks, err := s.actionable(ctx, q, u.ID, inst)
	if err != nil {
		return err
	}
	if len(tasks) == 0 {
		return errs.Forbidden("您不是当前步骤（" + inst.StepName + "）的审批人，或已经处理过")
	}
	status := map[Action]string{ActApprove: taskApproved, ActReject: taskRejected, ActReturn: taskReturned}[a]
	var behalf []string
	for _, t := range tasks {
		res, err := q.Exec(ctx, "UPDATE wf_tasks SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? AND status = 'pending'", status, u.ID, now.Unix(), t.id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("审批状态已发生变化，请刷新后重试")
		}
		if t.userID != u.ID {
			behalf = append(behalf, t.userName)
		}
	}
	st := inst.Steps[inst.StepNo-1]
	if err := s.addEvent(ctx, q, now, inst.ID, u.ID, u.DisplayName(), strings.Join(behalf, "、"), string(a), st.No, st.Name, comment); err != nil {
		return err
	}
	switch a {
	case ActReject:
		if err := closeTasks(ctx, q, inst.ID, 0, taskCancelled); err != nil {
			return err
		}
		return s.finish(ctx, q, now, inst, StatusRejected)
	case ActReturn:
		if err := closeTasks(ctx, q, inst.ID, inst.StepNo, taskCancelled); err != nil {
			return err
		}
		return s.moveTo(ctx, q, now, inst, inst.StepNo-1)
	}
	// Only the current round of the current step has pending tasks: earlier rounds were closed when they ended.
	pending, err := db.Count(ctx, q, "SELECT COUNT(*) FROM wf_tasks WHERE instance_id = ? AND step_no = ? AND status = 'pending'", inst.ID, inst.StepNo)
	if err != nil {
		return err
	}
	if !stepDone(st.Mode, len(tasks), int(pending)) {
		return nil
	}
	if err := closeTasks(ctx, q, inst.ID, inst.StepNo, taskSkipped); err != nil {
		return err
	}
	if inst.StepNo < inst.StepCount {
		return s.moveTo(ctx, q, now, inst, inst.StepNo+1)
	}
	if err := s.addEvent(ctx, q, now, inst.ID, 0, "系统", "", "complete", st.No, st.Name, ""); err != nil {
		return err
	}
	return s.finish(ctx, q, now, inst, StatusApproved)
}

// moveTo makes step n current with freshly resolved approvers.
func (s *Service) moveTo(ctx context.Context, q db.Q, now time.Time, inst Instance, n int) error {
	st := inst.Steps[n-1]
	path, err := s.Auth.Tree.OrgPath(ctx, q, inst.OrgID)
	if err != nil {
		return err
	}
	ids, err := s.resolveStep(ctx, q, inst.ChainName, st, pathIDs(path), inst.RequesterID)
	if err != nil {
		return err
	}
	res, err := q.Exec(ctx, "UPDATE wf_instances SET step_no = ?, updated_at = ? WHERE id = ? AND status = 'pending' AND step_no = ?", n, now.Unix(), inst.ID, inst.StepNo)
	if err != nil {
		return err
	}
	if db.RowsAffected(res) == 0 {
		return errs.Conflict("审批状态已发生变化，请刷新后重试")
	}
	return s.openStep(ctx, q, now, inst.ID, st, ids)
}

// finish ends a run with status and tells the owning module in the same transaction.
func (s *Service) finish(ctx context.Context, q db.Q, now time.Time, inst Instance, status string) error {
	res, err := q.Exec(ctx, "UPDATE wf_instances SET status = ?, finished_at = ?, updated_at = ? WHERE id = ? AND status = 'pending'", status, now.Unix(), now.Unix(), inst.ID)
	if err != nil {
		return err
	}
	if db.RowsAffected(res) == 0 {
		return errs.Conflict("审批状态已发生变化，请刷新后重试")
	}
	if t, ok := s.Type(inst.Type); ok && t.OnDecided != nil {
		done, err := s.load(ctx, q, inst.ID)
		if err != nil {
			return err
		}
		if err := t.OnDecided(ctx, q, done); err != nil {
			return err
		}
	}
	return s.notify(ctx, q, inst.ID, NoticeFinished, []int64{inst.RequesterID})
}

// Withdraw lets the requester take back a pending request, in its own transaction.
func (s *Service) Withdraw(ctx context.Context, u *auth.User, id int64, comment string) (Instance, error) {
	return s.WithdrawTx(ctx, s.DB, u, id, comment)
}

// WithdrawTx is Withdraw inside the caller's transaction q (e.g. a module cancelling its object).
func (s *Service) WithdrawTx(ctx context.Context, q db.Q, u *auth.User, id int64, comment string) (Instance, error) {
	comment = strings.TrimSpace(comment)
	if len([]rune(comment)) > maxComment {
		return Instance{}, errs.Invalid("comment", fmt.Sprintf("说明不超过 %d 字", maxComment))
	}
	now := s.Clock.Now()
	var out Instance
	err := q.Tx(ctx, func(q db.Q) error {
		inst, err := s.visible(ctx, q, u, id)
		if err != nil {
			return err
		}
		if err := checkTransition(inst.Status, ActWithdraw); err != nil {
			return err
		}
		if u.ID != inst.RequesterID {
			return errs.Forbidden("只有申请人可以撤回申请")
		}
		if err := lock(ctx, q, now, inst); err != nil {
			return err
		}
		if err := closeTasks(ctx, q, id, 0, taskCancelled); err != nil {
			return err
		}
		if err := s.addEvent(ctx, q, now, id, u.ID, u.DisplayName(), "", "withdraw", inst.StepNo, inst.StepName, comment); err != nil {
			return err
		}
		if err := s.finish(ctx, q, now, inst, StatusWithdrawn); err != nil {
			return err
		}
		if out, err = s.load(ctx, q, id); err != nil {
			return err
		}
		if err := s.fill(ctx, q, u, &out); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "workflow.withdraw", ObjectType: "workflow_instance", ObjectID: id, OrgID: inst.OrgID,
			Success: true, Extra: map[string]any{"type": inst.Type, "object_id": inst.ObjectID, "comment": comment}})
	})
	return out, err
}
