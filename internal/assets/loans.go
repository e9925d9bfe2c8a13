package assets

import (
	"context"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// 出借 (docs/domain/assets.md §Lending): a unit lends one of its assets, or a pool asset, to another unit or to a
// temporary body (an event's organising committee, a working group) for a purpose until a return date; the return
// closes the loan. A loan still out after its date is overdue: the page flags it, the unit's to-do list shows it and
// the reminder job tells the unit (remind.go). The card keeps its 使用状况 while lent; the loan is its own record.

// LoanStatuses name the states of a loan.
var LoanStatuses = enum.Of("out", "出借中", "returned", "已归还")

// Loan is a loan of an asset.
type Loan struct {
	ID            int64     `json:"id"`
	AssetID       int64     `json:"asset_id"`
	AssetCode     string    `json:"asset_code"`
	AssetName     string    `json:"asset_name"`
	OrgID         int64     `json:"org_id" doc:"出借单位"`
	OrgName       string    `json:"org_name"`
	BorrowerOrgID int64     `json:"borrower_org_id,omitempty" doc:"借用单位（平台内单位）"`
	Borrower      string    `json:"borrower" doc:"借用单位或临时机构名称"`
	Contact       string    `json:"contact,omitempty" doc:"借用联系人及电话"`
	Purpose       string    `json:"purpose" doc:"用途（活动、会议、临时机构）"`
	StartOn       string    `json:"start_on"`
	DueOn         string    `json:"due_on" doc:"应归还日期"`
	ReturnedOn    string    `json:"returned_on,omitempty"`
	ReturnNote    string    `json:"return_note,omitempty"`
	Status        string    `json:"status" doc:"out 出借中 · returned 已归还"`
	Overdue       bool      `json:"overdue" doc:"逾期未归还（按今天计）"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
}

// StatusName is the status in Chinese.
func (l Loan) StatusName() string { return LoanStatuses.Name(l.Status) }

const loanCols = `x.id, x.asset_id, a.code, a.name, x.org_id, o.name, COALESCE(x.borrower_org_id, 0), x.borrower, x.contact, x.purpose, x.start_on, x.due_on,
	x.returned_on, x.return_note, x.status, x.created_by, x.created_at`
const loanFrom = ` FROM asset_loans x JOIN assets a ON a.id = x.asset_id JOIN orgs o ON o.id = x.org_id`

// loanScanner scans loans and flags the overdue ones as of today.
func loanScanner(today string) func(db.Scanner) (Loan, error) {
	return func(sc db.Scanner) (Loan, error) {
		var l Loan
		var c int64
		err := sc.Scan(&l.ID, &l.AssetID, &l.AssetCode, &l.AssetName, &l.OrgID, &l.OrgName, &l.BorrowerOrgID, &l.Borrower, &l.Contact, &l.Purpose, &l.StartOn,
			&l.DueOn, &l.ReturnedOn, &l.ReturnNote, &l.Status, &l.CreatedBy, &c)
		l.CreatedAt = db.FromUnix(c)
		l.Overdue = l.Status == "out" && l.DueOn < today
		return l, err
	}
}

// GetLoan loads a loan the caller may see: the lending or the borrowing unit in scope (404 otherwise).
func (s *Service) GetLoan(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Loan, error) {
	cond, args := either(sc, "x.org_id", "x.borrower_org_id")
	l, err := loanScanner(s.today())(q.QueryRow(ctx, "SELECT "+loanCols+loanFrom+" WHERE x.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return l, errs.NotFound("出借记录")
	}
	return l, err
}

// LoanFilter narrows the loans.
type LoanFilter struct {
	List    web.List
	Status  string // out, returned, or overdue (out and past the return date)
	AssetID int64
}

// ListLoans lists the loans in scope: the ones out first, by return date.
func (s *Service) ListLoans(ctx context.Context, q db.Q, sc auth.Scope, f LoanFilter) ([]Loan, int64, error) {
	today := s.today()
	cond, args := either(sc, "x.org_id", "x.borrower_org_id")
	w := " WHERE " + cond
	switch f.Status {
	case "":
	case "overdue":
		w, args = w+" AND x.status = 'out' AND x.due_on < ?", append(args, today)
	default:
		if !LoanStatuses.Has(f.Status) {
			return nil, 0, errs.Invalid("status", "状态应为 "+LoanStatuses.Described()+" 或 overdue（逾期）")
		}
		w, args = w+" AND x.status = ?", append(args, f.Status)
	}
	if f.AssetID > 0 {
		w, args = w+" AND x.asset_id = ?", append(args, f.AssetID)
	}
	if f.List.Q != "" {
		c, a := db.Contains(f.List.Q, "a.code", "a.name", "x.borrower", "x.purpose")
		w, args = w+" AND "+c, append(args, a...)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+loanFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, loanScanner(today), "SELECT "+loanCols+loanFrom+w+" ORDER BY CASE x.status WHEN 'out' THEN 0 ELSE 1 END, x.due_on, x.id LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// LoanInput is the body of POST /api/v1/asset-loans.
type LoanInput struct {
	AssetID       int64  `json:"asset_id,omitempty"`
	AssetCode     string `json:"asset_code,omitempty" doc:"资产编号（不给 asset_id 时）"`
	BorrowerOrgID int64  `json:"borrower_org_id,omitempty" doc:"借用单位（平台内单位；临时机构可只填 borrower）"`
	Borrower      string `json:"borrower,omitempty" doc:"借用单位或临时机构名称（给出 borrower_org_id 时取单位名称）"`
	Contact       string `json:"contact,omitempty"`
	Purpose       string `json:"purpose"`
	StartOn       string `json:"start_on,omitempty" doc:"出借日期，默认今天"`
	DueOn         string `json:"due_on" doc:"应归还日期"`
}

// Lend records a loan of an asset in the caller's scope (in use, idle or in the pool). An asset already lent,
// leaving the ledger, or claimed in the pool is a 409.
func (s *Service) Lend(ctx context.Context, sc auth.Scope, in LoanInput) (Loan, error) {
	now := s.Clock.Now()
	today := s.today()
	f := errs.Fields{}
	textField(f, "purpose", &in.Purpose, 200, true, "用途")
	textField(f, "contact", &in.Contact, 100, false, "联系人")
	textField(f, "borrower", &in.Borrower, 100, in.BorrowerOrgID == 0, "借用单位或临时机构")
	if in.StartOn = strings.TrimSpace(in.StartOn); in.StartOn == "" {
		in.StartOn = today
	}
	in.DueOn = strings.TrimSpace(in.DueOn)
	switch {
	case !validDate(in.StartOn):
		f.Add("start_on", "出借日期格式应为 YYYY-MM-DD")
	case in.DueOn == "":
		f.Add("due_on", "请填写应归还日期")
	case !validDate(in.DueOn):
		f.Add("due_on", "应归还日期格式应为 YYYY-MM-DD")
	case in.DueOn < in.StartOn:
		f.Add("due_on", "应归还日期不能早于出借日期")
	}
	in.AssetCode = normCode(in.AssetCode)
	if in.AssetID <= 0 && in.AssetCode == "" {
		f.Add("asset_id", "请选择资产或填写资产编号")
		return Loan{}, f.Err()
	}
	var out Loan
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if in.AssetID <= 0 {
			cond, args := sc.OrgCond("a.org_id")
			err := q.QueryRow(ctx, "SELECT a.id FROM assets a WHERE a.code = ? AND "+cond, append([]any{in.AssetCode}, args...)...).Scan(&in.AssetID)
			if db.IsNoRows(err) {
				return errs.Invalid("asset_code", "资产编号 "+in.AssetCode+" 不存在或不在您的数据范围内")
			} else if err != nil {
				return err
			}
		}
		a, err := GetAsset(ctx, q, sc, in.AssetID)
		if err != nil {
			return notFoundField(err, "asset_id", "资产不存在或不在您的数据范围内")
		}
		if in.BorrowerOrgID < 0 {
			f.Add("borrower_org_id", "借用单位无效")
		} else if in.BorrowerOrgID > 0 {
			var name string
			err := q.QueryRow(ctx, "SELECT name FROM orgs WHERE id = ? AND status = 'active'", in.BorrowerOrgID).Scan(&name)
			switch {
			case db.IsNoRows(err):
				f.Add("borrower_org_id", "借用单位不存在")
			case err != nil:
				return err
			case in.BorrowerOrgID == a.OrgID:
				f.Add("borrower_org_id", "借用单位不能是资产所属单位")
			default:
				in.Borrower = name
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if a.Status != StatusInUse && a.Status != StatusIdle && a.Status != StatusPooled {
			return errs.Conflict("资产" + a.StatusName() + "，不能出借")
		}
		if n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM asset_loans WHERE asset_id = ? AND status = 'out'", a.ID); err != nil || n > 0 {
			if err != nil {
				return err
			}
			return errs.Conflict("该资产已出借，尚未归还")
		}
		if n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM asset_pool_listings WHERE asset_id = ? AND status = 'claimed'", a.ID); err != nil || n > 0 {
			if err != nil {
				return err
			}
			return errs.Conflict("该资产正在公物仓申领中，不能出借")
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO asset_loans (asset_id, org_id, borrower_org_id, borrower, contact, purpose, start_on, due_on, status, created_by,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'out', ?, ?, ?) RETURNING id`, a.ID, a.OrgID, db.NullInt(in.BorrowerOrgID), in.Borrower, in.Contact,
			in.Purpose, in.StartOn, in.DueOn, actor(ctx), now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objAsset, a.ID, "loan.out", "出借给 "+in.Borrower+"（"+in.Purpose+"），"+in.StartOn+" 至 "+in.DueOn); err != nil {
			return err
		}
		if out, err = s.GetLoan(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "asset.loan.create", ObjectType: objLoan, ObjectID: id, OrgID: a.OrgID, Success: true, After: out})
	})
	return out, err
}

// ReturnInput is the body of POST /api/v1/asset-loans/{id}/return.
type ReturnInput struct {
	ReturnedOn string `json:"returned_on,omitempty" doc:"归还日期，默认今天"`
	Note       string `json:"note,omitempty" doc:"归还时的状况"`
}

// ReturnLoan records the return of a loan that is out (409 otherwise); only the lending unit's side records it.
func (s *Service) ReturnLoan(ctx context.Context, sc auth.Scope, id int64, in ReturnInput) (Loan, error) {
	now := s.Clock.Now()
	today := s.today()
	f := errs.Fields{}
	textField(f, "note", &in.Note, 200, false, "归还状况")
	if in.ReturnedOn = strings.TrimSpace(in.ReturnedOn); in.ReturnedOn == "" {
		in.ReturnedOn = today
	}
	var out Loan
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := s.GetLoan(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if err := checkOrg(ctx, q, sc, before.OrgID, "org_id"); err != nil {
			return errs.Conflict("归还由出借单位 " + before.OrgName + " 登记")
		}
		switch {
		case !validDate(in.ReturnedOn):
			f.Add("returned_on", "归还日期格式应为 YYYY-MM-DD")
		case in.ReturnedOn > today:
			f.Add("returned_on", "归还日期不能晚于今天")
		case in.ReturnedOn < before.StartOn:
			f.Add("returned_on", "归还日期不能早于出借日期")
		}
		if err := f.Err(); err != nil {
			return err
		}
		res, err := q.Exec(ctx, "UPDATE asset_loans SET status = 'returned', returned_on = ?, return_note = ?, updated_at = ? WHERE id = ? AND status = 'out'",
			in.ReturnedOn, in.Note, now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("该出借" + before.StatusName() + "，不能再登记归还")
		}
		line := before.Borrower + " 归还（" + in.ReturnedOn + "）"
		if in.ReturnedOn > before.DueOn {
			line += "，逾期归还"
		}
		if in.Note != "" {
			line += "：" + in.Note
		}
		if err := history.Record(ctx, q, now, objAsset, before.AssetID, "loan.return", line); err != nil {
			return err
		}
		if out, err = s.GetLoan(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "asset.loan.return", ObjectType: objLoan, ObjectID: id, OrgID: before.OrgID, Success: true, Before: before, After: out})
	})
	return out, err
}

// refuseOnLoan is the 409 of a step that cannot happen while the asset is lent out (offering it to the pool,
// claiming it, disposing of it): it must be returned first.
func refuseOnLoan(ctx context.Context, q db.Q, assetID int64) error {
	n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM asset_loans WHERE asset_id = ? AND status = 'out'", assetID)
	if err != nil || n == 0 {
		return err
	}
	return errs.Conflict("资产已出借，尚未归还，请先登记归还")
}
