package workflow

import (
	"context"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// Delegation hands a user's approvals to another user for a range of business dates (both inclusive). While it
// is current, the delegate sees the delegator's waiting runs in their inbox and may decide them; the history
// says on whose behalf.
type Delegation struct {
	ID         int64     `json:"id"`
	FromUserID int64     `json:"from_user_id"`
	FromName   string    `json:"from_name"`
	ToUserID   int64     `json:"to_user_id"`
	ToName     string    `json:"to_name"`
	StartDate  string    `json:"start_date"`
	EndDate    string    `json:"end_date"`
	Note       string    `json:"note"`
	Status     string    `json:"status" doc:"active · revoked"`
	Current    bool      `json:"current" doc:"今天有效"`
	CreatedAt  time.Time `json:"created_at"`
}

// DelegationInput is the body of POST /api/v1/workflow/delegations: the delegate by id or username.
type DelegationInput struct {
	ToUserID   int64  `json:"to_user_id,omitempty"`
	ToUsername string `json:"to_username,omitempty"`
	StartDate  string `json:"start_date" doc:"YYYY-MM-DD"`
	EndDate    string `json:"end_date" doc:"YYYY-MM-DD（含）"`
	Note       string `json:"note,omitempty"`
}

const delegCols = `d.id, d.from_user_id, fu.display_name, d.to_user_id, tu.display_name, d.start_date, d.end_date, d.note, d.status, d.created_at`
const delegFrom = ` FROM wf_delegations d JOIN users fu ON fu.id = d.from_user_id JOIN users tu ON tu.id = d.to_user_id`

func (s *Service) scanDelegation(today string) func(db.Scanner) (Delegation, error) {
	return func(sc db.Scanner) (Delegation, error) {
		var d Delegation
		var created int64
		err := sc.Scan(&d.ID, &d.FromUserID, &d.FromName, &d.ToUserID, &d.ToName, &d.StartDate, &d.EndDate, &d.Note, &d.Status, &created)
		d.CreatedAt = fromUnix(created)
		d.Current = d.Status == "active" && d.StartDate <= today && d.EndDate >= today
		return d, err
	}
}

// Delegations lists the delegations a user gave or received, newest first.
func (s *Service) Delegations(ctx context.Context, q db.Q, user int64) ([]Delegation, error) {
	today := clock.Today(s.Clock.Now())
	return db.Select(ctx, q, s.scanDelegation(today), "SELECT "+delegCols+delegFrom+
		" WHERE d.from_user_id = ? OR d.to_user_id = ? ORDER BY d.id DESC LIMIT 200", user, user)
}

func validDate(v string) bool {
	_, err := time.Parse(time.DateOnly, v)
	return err == nil
}

// CreateDelegation lets u hand their approvals to another user. Periods of one user's delegations may not overlap.
func (s *Service) CreateDelegation(ctx context.Context, u *auth.User, in DelegationInput) (Delegation, error) {
	now := s.Clock.Now()
	today := clock.Today(now)
	in.StartDate, in.EndDate, in.Note = strings.TrimSpace(in.StartDate), strings.TrimSpace(in.EndDate), strings.TrimSpace(in.Note)
	in.ToUsername = strings.TrimSpace(in.ToUsername)
	var out Delegation
	err := s.DB.Tx(ctx, func(q db.Q) error {
		f := errs.Fields{}
		if in.ToUserID == 0 && in.ToUsername != "" {
			err := q.QueryRow(ctx, "SELECT id FROM users WHERE lower(username) = lower(?)", in.ToUsername).Scan(&in.ToUserID)
			if db.IsNoRows(err) {
				f.Add("to_username", "用户不存在")
			} else if err != nil {
				return err
			}
		}
		switch {
		case f.Has("to_username"):
		case in.ToUserID <= 0:
			f.Add("to_user_id", "请指定被委托人")
		case in.ToUserID == u.ID:
			f.Add("to_user_id", "不能委托给自己")
		default:
			var status string
			err := q.QueryRow(ctx, "SELECT status FROM users WHERE id = ?", in.ToUserID).Scan(&status)
			if db.IsNoRows(err) || status != "active" {
				f.Add("to_user_id", "被委托人不存在或已停用")
			} else if err != nil {
				return err
			}
		}
		if !validDate(in.StartDate) {
			f.Add("start_date", "开始日期格式应为 YYYY-MM-DD")
		}
		if !validDate(in.EndDate) {
			f.Add("end_date", "结束日期格式应为 YYYY-MM-DD")
		} else if in.EndDate < today {
			f.Add("end_date", "结束日期不能早于今天")
		}
		if validDate(in.StartDate) && validDate(in.EndDate) {
			if in.EndDate < in.StartDate {
				f.Add("end_date", "结束日期不能早于开始日期")
			} else if a, b := mustDate(in.StartDate), mustDate(in.EndDate); b.Sub(a) > 366*24*time.Hour {
				f.Add("end_date", "委托期限不超过一年")
			}
		}
		if len([]rune(in.Note)) > 200 {
			f.Add("note", "说明不超过 200 字")
		}
		if err := f.Err(); err != nil {
			return err
		}
		n, err := db.Count(ctx, q, `SELECT COUNT(*) FROM wf_delegations WHERE from_user_id = ? AND status = 'active' AND start_date <= ? AND end_date >= ?`,
			u.ID, in.EndDate, in.StartDate)
		if err != nil {
			return err
		}
		if n > 0 {
			e := errs.Conflict("该时段已有生效的委托，请先撤销原委托")
			e.Fields = map[string]string{"start_date": e.Message}
			return e
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO wf_delegations (from_user_id, to_user_id, start_date, end_date, note, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'active', ?, ?) RETURNING id`, u.ID, in.ToUserID, in.StartDate, in.EndDate, in.Note, now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if out, err = s.scanDelegation(today)(q.QueryRow(ctx, "SELECT "+delegCols+delegFrom+" WHERE d.id = ?", id)); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "workflow.delegation.create", ObjectType: "workflow_delegation", ObjectID: id,
			Success: true, After: out})
	})
	return out, err
}

func mustDate(v string) time.Time {
	t, _ := time.Parse(time.DateOnly, v)
	return t
}

// RevokeDelegation ends a delegation u gave. Someone else's → 404; already revoked → 409.
func (s *Service) RevokeDelegation(ctx context.Context, u *auth.User, id int64) (Delegation, error) {
	now := s.Clock.Now()
	today := clock.Today(now)
	var out Delegation
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := s.scanDelegation(today)(q.QueryRow(ctx, "SELECT "+delegCols+delegFrom+" WHERE d.id = ? AND d.from_user_id = ?", id, u.ID))
		if db.IsNoRows(err) {
			return errs.NotFound("委托")
		}
		if err != nil {
			return err
		}
		res, err := q.Exec(ctx, "UPDATE wf_delegations SET status = 'revoked', updated_at = ? WHERE id = ? AND status = 'active'", now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("该委托已撤销")
		}
		out = before
		out.Status, out.Current = "revoked", false
		return audit.Record(ctx, q, now, audit.Entry{Action: "workflow.delegation.revoke", ObjectType: "workflow_delegation", ObjectID: id,
			Success: true, Before: before, After: out})
	})
	return out, err
}
