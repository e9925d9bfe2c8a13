package quota

import (
	"context"
	"fmt"
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

// Reasons a unit may give for exceeding its quota.
var Reasons = enum.Of("climate", "气候异常", "equipment", "新增用能设备/面积", "staff", "人员增加", "event", "重大活动", "other", "其他")

// ExplainStatuses are the statuses of an explanation.
var ExplainStatuses = enum.Of("submitted", "审批中", "approved", "已认可", "returned", "已退回", "withdrawn", "已撤回")

// Explanation is an over-quota explanation (超定额说明) of a unit for a year.
type Explanation struct {
	ID            int64     `json:"id"`
	OrgID         int64     `json:"org_id"`
	OrgName       string    `json:"org_name"`
	Year          int       `json:"year"`
	Reasons       []string  `json:"reasons" doc:"climate 气候异常 · equipment 新增用能设备/面积 · staff 人员增加 · event 重大活动 · other 其他"`
	Text          string    `json:"text"`
	Status        string    `json:"status" doc:"submitted 审批中 · approved 已认可 · returned 已退回（可修改后重新提交） · withdrawn 已撤回"`
	StatusName    string    `json:"status_name"`
	ActualKgce    float64   `json:"actual_kgce" doc:"提交时年初至今（或全年）综合能耗"`
	ProjectedKgce float64   `json:"projected_kgce"`
	QuotaKgce     float64   `json:"quota_kgce"`
	Requester     string    `json:"requester"`
	RequesterID   int64     `json:"requester_id"`
	Submissions   int       `json:"submissions" doc:"提交次数"`
	CreatedAt     time.Time `json:"created_at"`
	DecidedAt     time.Time `json:"decided_at,omitzero"`
}

// ReasonNames renders the reasons in Chinese.
func (e Explanation) ReasonNames() string {
	var out []string
	for _, r := range e.Reasons {
		out = append(out, Reasons.Name(r))
	}
	return strings.Join(out, "、")
}

// HasReason tells whether a reason was given (forms).
func (e Explanation) HasReason(code string) bool {
	for _, r := range e.Reasons {
		if r == code {
			return true
		}
	}
	return false
}

const explCols = `x.id, x.org_id, o.name, x.year, x.reasons, x.text, x.status, x.actual_kgce, x.projected_kgce, x.quota_kgce, x.requester, x.requester_id,
	x.submissions, x.created_at, x.decided_at`
const explFrom = ` FROM energy_quota_explanations x JOIN orgs o ON o.id = x.org_id`

func scanExplanation(sc db.Scanner) (Explanation, error) {
	var e Explanation
	var reasons string
	var c, d int64
	err := sc.Scan(&e.ID, &e.OrgID, &e.OrgName, &e.Year, &reasons, &e.Text, &e.Status, &e.ActualKgce, &e.ProjectedKgce, &e.QuotaKgce, &e.Requester,
		&e.RequesterID, &e.Submissions, &c, &d)
	e.Reasons = strings.Split(reasons, ",")
	e.StatusName = ExplainStatuses.Name(e.Status)
	e.CreatedAt, e.DecidedAt = db.FromUnix(c), db.FromUnix(d)
	return e, err
}

// GetExplanation loads an explanation in scope (404 outside).
func GetExplanation(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Explanation, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	e, err := scanExplanation(q.QueryRow(ctx, "SELECT "+explCols+explFrom+" WHERE x.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return e, errs.NotFound("超定额说明")
	}
	return e, err
}

// ListExplanations lists explanations in scope, newest first.
func ListExplanations(ctx context.Context, q db.Q, sc auth.Scope, year int, status string, l web.List) ([]Explanation, int64, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	w := " WHERE " + cond
	if year != 0 {
		w, args = w+" AND x.year = ?", append(args, year)
	}
	if status != "" {
		if !ExplainStatuses.Has(status) {
			return nil, 0, errs.Invalid("status", "状态应为 submitted、approved、returned 或 withdrawn")
		}
		w, args = w+" AND x.status = ?", append(args, status)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+explFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanExplanation, "SELECT "+explCols+explFrom+w+" ORDER BY x.id DESC LIMIT ? OFFSET ?", append(args, l.PageSize, l.Offset())...)
	return rows, total, err
}

// ExplanationInput is the body of POST /api/v1/energy/quota-explanations (and of a resubmission).
type ExplanationInput struct {
	OrgID   int64    `json:"org_id"`
	Year    int      `json:"year"`
	Reasons []string `json:"reasons" doc:"至少一项：climate|equipment|staff|event|other"`
	Text    string   `json:"text" doc:"说明（1–2000 字）"`
}

func (in *ExplanationInput) check() error {
	f := errs.Fields{}
	if checkYear(in.Year) != nil {
		f.Add("year", "年度应为 2000–2100")
	}
	seen := map[string]bool{}
	var rs []string
	for _, r := range in.Reasons {
		r = strings.TrimSpace(r)
		if !Reasons.Has(r) {
			f.Add("reasons", "超定额原因应为 climate（气候异常）、equipment（新增用能设备/面积）、staff（人员增加）、event（重大活动）或 other（其他）")
			break
		}
		if !seen[r] {
			seen[r] = true
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 && !f.Has("reasons") {
		f.Add("reasons", "请至少选择一项超定额原因")
	}
	in.Reasons = rs
	in.Text = strings.TrimSpace(in.Text)
	if in.Text == "" || len([]rune(in.Text)) > 2000 {
		f.Add("text", "请填写说明（不超过 2000 字）")
	}
	return f.Err()
}

// SubmitExplanation records a unit's explanation for a year in which it exceeded its quota (a closed year) or is
// projected to (this year), and starts its approval up the chain.
func (s *Service) SubmitExplanation(ctx context.Context, sc auth.Scope, in ExplanationInput) (Explanation, error) {
	if err := in.check(); err != nil {
		return Explanation{}, err
	}
	now := s.Clock.Now()
	var out Explanation
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := sc.CheckOrg(ctx, q, s.Auth.Tree, in.OrgID, "org_id"); err != nil {
			return err
		}
		u := auth.UserFrom(ctx)
		if u == nil {
			return errs.Forbidden("需要登录用户提交说明")
		}
		w, err := s.evaluate(ctx, q, in.OrgID, in.Year, nil)
		if err != nil {
			return err
		}
		if w == nil {
			return errs.Invalid("year", fmt.Sprintf("该单位 %d 年没有核定能耗定额", in.Year))
		}
		if w.Status != StatusOver {
			return errs.Invalid("year", fmt.Sprintf("该单位 %d 年未超定额（%s），无需提交超定额说明", in.Year, w.StatusName))
		}
		n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM energy_quota_explanations WHERE org_id = ? AND year = ? AND status IN ('submitted', 'approved', 'returned')", in.OrgID, in.Year)
		if err != nil {
			return err
		}
		if n > 0 {
			return errs.Conflict("该单位该年度已有超定额说明；被退回的说明请修改后重新提交")
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO energy_quota_explanations (org_id, year, reasons, text, status, actual_kgce, projected_kgce, quota_kgce,
			requester_id, requester, submissions, created_at, updated_at) VALUES (?, ?, ?, ?, 'submitted', ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			in.OrgID, in.Year, strings.Join(in.Reasons, ","), in.Text, w.YTDKgce, w.ProjectedKgce, w.QuotaKgce, u.ID, u.DisplayName(), now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if err := s.submitFlow(ctx, q, id, in, *w, u.ID); err != nil {
			return err
		}
		if out, err = GetExplanation(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objExplain, id, "create", "提交超定额说明（"+out.ReasonNames()+"），进入审批"); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.quota_explanation.create", ObjectType: objExplain, ObjectID: id, OrgID: in.OrgID,
			Success: true, After: map[string]any{"year": in.Year, "reasons": in.Reasons, "text": in.Text}})
	})
	return out, err
}

func (s *Service) submitFlow(ctx context.Context, q db.Q, id int64, in ExplanationInput, w Warning, requester int64) error {
	var reasons []string
	for _, r := range in.Reasons {
		reasons = append(reasons, Reasons.Name(r))
	}
	summary := fmt.Sprintf("定额 %s kgce，%s %s kgce。原因：%s。%s", figure(w.QuotaKgce), map[bool]string{true: "全年实际", false: "预测全年"}[w.Through >= 12],
		figure(w.ProjectedKgce), strings.Join(reasons, "、"), in.Text)
	_, err := s.Workflow.Submit(ctx, q, workflow.SubmitInput{Type: wfExplanation, ObjectID: id, RequesterID: requester, OrgID: in.OrgID,
		Title: fmt.Sprintf("%s %d 年超定额用能说明", w.OrgName, in.Year), Summary: summary})
	return err
}

// ResubmitExplanation changes a returned explanation and sends it for approval again.
func (s *Service) ResubmitExplanation(ctx context.Context, sc auth.Scope, id int64, in ExplanationInput) (Explanation, error) {
	now := s.Clock.Now()
	var out Explanation
	err := s.DB.Tx(ctx, func(q db.Q) error {
		e, err := GetExplanation(ctx, q, sc, id)
		if err != nil {
			return err
		}
		in.OrgID, in.Year = e.OrgID, e.Year
		if err := in.check(); err != nil {
			return err
		}
		if e.Status != "returned" {
			return errs.Conflict("超定额说明当前为“" + e.StatusName + "”，只有被退回的说明可以重新提交")
		}
		u := auth.UserFrom(ctx)
		if u == nil {
			return errs.Forbidden("需要登录用户提交说明")
		}
		w, err := s.evaluate(ctx, q, e.OrgID, e.Year, nil)
		if err != nil {
			return err
		}
		if w == nil {
			return errs.Invalid("year", "该单位该年度没有核定能耗定额")
		}
		res, err := q.Exec(ctx, `UPDATE energy_quota_explanations SET reasons = ?, text = ?, status = 'submitted', actual_kgce = ?, projected_kgce = ?,
			quota_kgce = ?, requester_id = ?, requester = ?, submissions = submissions + 1, decided_at = 0, updated_at = ? WHERE id = ? AND status = 'returned'`,
			strings.Join(in.Reasons, ","), in.Text, w.YTDKgce, w.ProjectedKgce, w.QuotaKgce, u.ID, u.DisplayName(), now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("超定额说明已被他人处理")
		}
		if err := s.submitFlow(ctx, q, id, in, *w, u.ID); err != nil {
			return err
		}
		if out, err = GetExplanation(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objExplain, id, "resubmit", "修改后重新提交超定额说明"); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.quota_explanation.resubmit", ObjectType: objExplain, ObjectID: id, OrgID: e.OrgID,
			Success: true, Before: map[string]any{"reasons": e.Reasons, "text": e.Text}, After: map[string]any{"reasons": in.Reasons, "text": in.Text}})
	})
	return out, err
}

// explanationDecided is the workflow hook, in the deciding transaction: approved explanations are recorded
// against the unit-year, rejected ones go back to the unit to change and resubmit.
func (s *Service) explanationDecided(ctx context.Context, q db.Q, inst workflow.Instance) error {
	now := s.Clock.Now()
	to := map[string]string{workflow.StatusApproved: "approved", workflow.StatusRejected: "returned", workflow.StatusWithdrawn: "withdrawn"}[inst.Status]
	if to == "" {
		return nil
	}
	res, err := q.Exec(ctx, "UPDATE energy_quota_explanations SET status = ?, decided_at = ?, updated_at = ? WHERE id = ? AND status = 'submitted'",
		to, now.Unix(), now.Unix(), inst.ObjectID)
	if err != nil {
		return err
	}
	if db.RowsAffected(res) == 0 {
		return errs.Conflict("超定额说明已不在审批中")
	}
	if err := history.Record(ctx, q, now, objExplain, inst.ObjectID, "decide", "审批结果："+ExplainStatuses.Name(to)); err != nil {
		return err
	}
	return audit.Record(ctx, q, now, audit.Entry{Action: "energy.quota_explanation.decide", ObjectType: objExplain, ObjectID: inst.ObjectID, OrgID: inst.OrgID,
		Success: true, After: map[string]any{"status": to, "workflow_instance": inst.ID}})
}
