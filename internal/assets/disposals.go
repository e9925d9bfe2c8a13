package assets

import (
	"context"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// Disposal requests (处置, docs/domain/assets.md §Disposal approval): a unit asks to dispose of an asset by one of the
// methods of 财资〔2021〕127号; the asset is 待处置 until the bureau decides. Approved, it leaves the active ledger
// (status disposed, with its disposal date; depreciation stops there) but stays readable with its history;
// rejected, it returns to the state it had.

// Disposal is a disposal request.
type Disposal struct {
	ID           int64     `json:"id"`
	AssetID      int64     `json:"asset_id"`
	AssetCode    string    `json:"asset_code"`
	AssetName    string    `json:"asset_name"`
	OrgID        int64     `json:"org_id"`
	OrgName      string    `json:"org_name"`
	Method       string    `json:"method" doc:"transfer 无偿划转 · donation 对外捐赠 · sale 转让 · exchange 置换 · scrap 报废 · write_off 损失核销"`
	Reason       string    `json:"reason"`
	Status       string    `json:"status" doc:"pending 待审批 · approved 已批准 · rejected 已驳回"`
	ValueYuan    float64   `json:"value_yuan" doc:"账面原值"`
	NetYuan      float64   `json:"net_yuan" doc:"申请时的账面净值"`
	DecisionNote string    `json:"decision_note,omitempty"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// MethodName is the method in Chinese.
func (d Disposal) MethodName() string { return Methods.Name(d.Method) }

// StatusName is the status in Chinese.
func (d Disposal) StatusName() string { return ClaimStatuses.Name(d.Status) }

const disposalCols = `d.id, d.asset_id, a.code, a.name, d.org_id, o.name, d.method, d.reason, d.status, d.value_fen, d.net_fen, d.decision_note, d.created_by, d.created_at`
const disposalFrom = ` FROM asset_disposals d JOIN assets a ON a.id = d.asset_id JOIN orgs o ON o.id = d.org_id`

func scanDisposal(s db.Scanner) (Disposal, error) {
	var d Disposal
	var v, n, c int64
	err := s.Scan(&d.ID, &d.AssetID, &d.AssetCode, &d.AssetName, &d.OrgID, &d.OrgName, &d.Method, &d.Reason, &d.Status, &v, &n, &d.DecisionNote, &d.CreatedBy, &c)
	d.ValueYuan, d.NetYuan, d.CreatedAt = yuan(v), yuan(n), db.FromUnix(c)
	return d, err
}

// GetDisposal loads a disposal request in the caller's scope (404 otherwise).
func GetDisposal(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Disposal, error) {
	cond, args := sc.OrgCond("d.org_id")
	d, err := scanDisposal(q.QueryRow(ctx, "SELECT "+disposalCols+disposalFrom+" WHERE d.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return d, errs.NotFound("处置申请")
	}
	return d, err
}

// DisposalFilter narrows the disposal requests.
type DisposalFilter struct {
	List    web.List
	Status  string
	AssetID int64
}

// ListDisposals lists the disposal requests in scope.
func ListDisposals(ctx context.Context, q db.Q, sc auth.Scope, f DisposalFilter) ([]Disposal, int64, error) {
	cond, args := sc.OrgCond("d.org_id")
	w := " WHERE " + cond
	if f.Status != "" {
		if !ClaimStatuses.Has(f.Status) {
			return nil, 0, errs.Invalid("status", "状态应为 "+ClaimStatuses.Described())
		}
		w, args = w+" AND d.status = ?", append(args, f.Status)
	}
	if f.AssetID > 0 {
		w, args = w+" AND d.asset_id = ?", append(args, f.AssetID)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+disposalFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanDisposal, "SELECT "+disposalCols+disposalFrom+w+" ORDER BY d.created_at DESC, d.id DESC LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// DisposalInput is the body of POST /api/v1/assets/{id}/disposals.
type DisposalInput struct {
	Method string `json:"method" doc:"transfer · donation · sale · exchange · scrap · write_off"`
	Reason string `json:"reason"`
}

// RequestDisposal asks to dispose of an asset in use or idle (409 in any other state, or with a request pending).
func (s *Service) RequestDisposal(ctx context.Context, sc auth.Scope, assetID int64, in DisposalInput) (Disposal, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	in.Method = strings.TrimSpace(in.Method)
	if in.Method == "" {
		f.Add("method", "请选择处置方式")
	} else if !Methods.Has(in.Method) {
		f.Add("method", "处置方式应为 "+Methods.Described())
	}
	textField(f, "reason", &in.Reason, 500, true, "处置理由")
	var out Disposal
	err := s.DB.Tx(ctx, func(q db.Q) error {
		a, err := GetAsset(ctx, q, sc, assetID)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if a.Status != StatusInUse && a.Status != StatusIdle {
			return errs.Conflict("资产" + a.StatusName() + "，不能申请处置")
		}
		if err := refuseOnLoan(ctx, q, a.ID); err != nil {
			return err
		}
		res, err := q.Exec(ctx, "UPDATE assets SET status = 'disposing', updated_at = ? WHERE id = ? AND status = ?", now.Unix(), a.ID, a.Status)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("资产状态已变化，请刷新后重试")
		}
		net := a.depreciationAsOf(s.today())
		id, err := db.InsertID(ctx, q, `INSERT INTO asset_disposals (asset_id, org_id, method, reason, status, prior_status, value_fen, net_fen, created_by,
			created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?) RETURNING id`, a.ID, a.OrgID, in.Method, in.Reason, a.Status, a.valueFen,
			toFen(net.NetYuan), actor(ctx), now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objAsset, a.ID, "disposal.request", "申请处置（"+Methods.Name(in.Method)+"）："+in.Reason); err != nil {
			return err
		}
		if out, err = GetDisposal(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "asset.disposal.create", ObjectType: objDisposal, ObjectID: id, OrgID: a.OrgID, Success: true, After: out})
	})
	return out, err
}

// DecideDisposal approves (the asset is disposed today) or rejects (it returns to its prior state) a pending
// request; any other state is a 409.
func (s *Service) DecideDisposal(ctx context.Context, sc auth.Scope, id int64, approve bool, comment string) (Disposal, error) {
	now := s.Clock.Now()
	comment = strings.TrimSpace(comment)
	var out Disposal
	err := s.DB.Tx(ctx, func(q db.Q) error {
		d, err := GetDisposal(ctx, q, sc, id)
		if err != nil {
			return err
		}
		to, action, line := "rejected", "asset.disposal.reject", "处置申请被驳回"
		if approve {
			to, action, line = "approved", "asset.disposal.approve", "处置申请已批准（"+d.MethodName()+"），资产核销出账"
		}
		var prior string
		if err := q.QueryRow(ctx, "SELECT prior_status FROM asset_disposals WHERE id = ?", id).Scan(&prior); err != nil {
			return err
		}
		res, err := q.Exec(ctx, "UPDATE asset_disposals SET status = ?, decision_note = ?, decided_at = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
			to, comment, now.Unix(), now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("该处置申请" + d.StatusName() + "，不在待审批状态")
		}
		if approve {
			_, err = q.Exec(ctx, "UPDATE assets SET status = 'disposed', disposed_on = ?, updated_at = ? WHERE id = ?", s.today(), now.Unix(), d.AssetID)
		} else {
			_, err = q.Exec(ctx, "UPDATE assets SET status = ?, updated_at = ? WHERE id = ?", prior, now.Unix(), d.AssetID)
		}
		if err != nil {
			return err
		}
		if comment != "" {
			line += "；意见：" + comment
		}
		if err := history.Record(ctx, q, now, objAsset, d.AssetID, "disposal.decide", line); err != nil {
			return err
		}
		if out, err = GetDisposal(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: action, ObjectType: objDisposal, ObjectID: id, OrgID: d.OrgID, Success: true, Before: d, After: out})
	})
	return out, err
}
