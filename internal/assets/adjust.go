package assets

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// 盘点调整 (docs/domain/assets.md §Stocktake; 条例 第38–39条: differences found by a stocktake are approved before
// the ledger is adjusted). The bureau approves the adjustment of a closed task: each missing card becomes 待处置
// with a pending 损失核销 (write_off) disposal request, which the disposal approval then writes off; each surplus
// item becomes a new card (取得方式 盘盈, 价值类型 重置值, acquired on the day it was found). Rejecting it opens
// the task again for a recount.

// Adjustment is a stocktake's adjustment.
type Adjustment struct {
	ID            int64     `json:"id"`
	StocktakeID   int64     `json:"stocktake_id"`
	StocktakeName string    `json:"stocktake_name"`
	OrgID         int64     `json:"org_id"`
	OrgName       string    `json:"org_name"`
	Missing       int64     `json:"missing" doc:"盘亏项数"`
	Surplus       int64     `json:"surplus" doc:"盘盈项数"`
	MissingYuan   float64   `json:"missing_yuan" doc:"盘亏资产原值合计"`
	SurplusYuan   float64   `json:"surplus_yuan" doc:"盘盈资产估值合计"`
	Status        string    `json:"status" doc:"pending 待审批 · approved 已批准 · rejected 已驳回"`
	DecisionNote  string    `json:"decision_note,omitempty"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
}

// StatusName is the status in Chinese.
func (a Adjustment) StatusName() string { return ClaimStatuses.Name(a.Status) }

const adjustmentCols = `x.id, x.stocktake_id, s.name, x.org_id, o.name, x.missing, x.surplus, x.missing_fen, x.surplus_fen, x.status, x.decision_note, x.created_by, x.created_at`
const adjustmentFrom = ` FROM asset_adjustments x JOIN asset_stocktakes s ON s.id = x.stocktake_id JOIN orgs o ON o.id = x.org_id`

func scanAdjustment(sc db.Scanner) (Adjustment, error) {
	var a Adjustment
	var m, p, c int64
	err := sc.Scan(&a.ID, &a.StocktakeID, &a.StocktakeName, &a.OrgID, &a.OrgName, &a.Missing, &a.Surplus, &m, &p, &a.Status, &a.DecisionNote, &a.CreatedBy, &c)
	a.MissingYuan, a.SurplusYuan, a.CreatedAt = yuan(m), yuan(p), db.FromUnix(c)
	return a, err
}

// GetAdjustment loads an adjustment of a unit in scope (404 otherwise).
func GetAdjustment(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Adjustment, error) {
	cond, args := sc.OrgCond("x.org_id")
	a, err := scanAdjustment(q.QueryRow(ctx, "SELECT "+adjustmentCols+adjustmentFrom+" WHERE x.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return a, errs.NotFound("盘点调整")
	}
	return a, err
}

// AdjustmentFilter narrows the adjustments.
type AdjustmentFilter struct {
	List        web.List
	Status      string
	StocktakeID int64
}

// ListAdjustments lists the adjustments in scope, newest first.
func ListAdjustments(ctx context.Context, q db.Q, sc auth.Scope, f AdjustmentFilter) ([]Adjustment, int64, error) {
	cond, args := sc.OrgCond("x.org_id")
	w := " WHERE " + cond
	if f.Status != "" {
		if !ClaimStatuses.Has(f.Status) {
			return nil, 0, errs.Invalid("status", "状态应为 "+ClaimStatuses.Described())
		}
		w, args = w+" AND x.status = ?", append(args, f.Status)
	}
	if f.StocktakeID > 0 {
		w, args = w+" AND x.stocktake_id = ?", append(args, f.StocktakeID)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+adjustmentFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanAdjustment, "SELECT "+adjustmentCols+adjustmentFrom+w+" ORDER BY x.id DESC LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// DecideAdjustment approves (the ledger is reconciled) or rejects (the task opens again, its missing items pending
// again) a pending adjustment; any other state is a 409, and so is a missing card that a pool claim holds.
func (s *Service) DecideAdjustment(ctx context.Context, sc auth.Scope, id int64, approve bool, comment string) (Adjustment, error) {
	now := s.Clock.Now()
	comment = strings.TrimSpace(comment)
	var out Adjustment
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := GetAdjustment(ctx, q, sc, id)
		if err != nil {
			return err
		}
		to, action := "rejected", "asset.adjustment.reject"
		if approve {
			to, action = "approved", "asset.adjustment.approve"
		}
		res, err := q.Exec(ctx, "UPDATE asset_adjustments SET status = ?, decision_note = ?, decided_at = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
			to, comment, now.Unix(), now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("该盘点调整" + before.StatusName() + "，不在待审批状态")
		}
		line := "盘点调整被驳回，任务重新开放盘点"
		if approve {
			if err := s.reconcile(ctx, q, now, before); err != nil {
				return err
			}
			line = fmt.Sprintf("盘点调整已批准：盘亏 %d 项转待处置（损失核销），盘盈 %d 项登记入账", before.Missing, before.Surplus)
			_, err = q.Exec(ctx, "UPDATE asset_stocktakes SET status = 'reconciled', updated_at = ? WHERE id = ? AND status = 'closed'", now.Unix(), before.StocktakeID)
		} else {
			if _, err := q.Exec(ctx, "UPDATE asset_stocktake_items SET result = 'pending' WHERE stocktake_id = ? AND result = 'missing'", before.StocktakeID); err != nil {
				return err
			}
			_, err = q.Exec(ctx, "UPDATE asset_stocktakes SET status = 'open', closed_at = 0, updated_at = ? WHERE id = ? AND status = 'closed'", now.Unix(), before.StocktakeID)
		}
		if err != nil {
			return err
		}
		if comment != "" {
			line += "；意见：" + comment
		}
		if err := history.Record(ctx, q, now, objStocktake, before.StocktakeID, "adjustment", line); err != nil {
			return err
		}
		if out, err = GetAdjustment(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: action, ObjectType: objAdjustment, ObjectID: id, OrgID: before.OrgID, Success: true, Before: before, After: out})
	})
	return out, err
}

// reconcile applies an approved adjustment to the ledger.
func (s *Service) reconcile(ctx context.Context, q db.Q, now time.Time, adj Adjustment) error {
	items, err := db.Select(ctx, q, scanItem, "SELECT "+itemCols+" FROM asset_stocktake_items i WHERE i.stocktake_id = ? AND i.result IN ('missing', 'surplus') ORDER BY i.id",
		adj.StocktakeID)
	if err != nil {
		return err
	}
	today := s.today()
	var cat *Catalog
	for _, it := range items {
		if it.Result == "missing" {
			if err := s.writeOffMissing(ctx, q, now, adj, it); err != nil {
				return err
			}
			continue
		}
		if cat == nil {
			if cat, err = LoadCatalog(ctx, q, today); err != nil {
				return err
			}
		}
		reg, err := region(ctx, q, adj.OrgID)
		if err != nil {
			return err
		}
		in := Input{OrgID: adj.OrgID, Name: it.Name, ClassCode: it.ClassCode, ValueYuan: it.ValueYuan, AcquiredOn: dateOf(it.CheckedAt), Acquisition: "surplus",
			ValueType: "replacement", Location: it.Location, Status: StatusInUse, Note: "盘盈入账（" + adj.StocktakeName + "）"}
		if it.Code != "" {
			in.Note += "；原标签 " + it.Code
		}
		f := errs.Fields{}
		in.check(f, today, cat, reg)
		if err := f.Err(); err != nil {
			return errs.Invalid("items", "盘盈资产 "+it.Name+" 的信息不完整，不能入账："+err.Error())
		}
		assetID, err := s.insert(ctx, q, now, in)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "UPDATE asset_stocktake_items SET asset_id = ? WHERE id = ?", assetID, it.ID); err != nil {
			return err
		}
		if err := audit.Record(ctx, q, now, audit.Entry{Action: "asset.create", ObjectType: objAsset, ObjectID: assetID, OrgID: adj.OrgID, Success: true,
			Extra: map[string]any{"stocktake_id": adj.StocktakeID, "acquisition": "surplus"}}); err != nil {
			return err
		}
	}
	return nil
}

// writeOffMissing puts a missing card to 待处置 with a pending 损失核销 request (an open pool listing is withdrawn
// first; a claimed one is a 409). A card that has left the ledger meanwhile is left alone.
func (s *Service) writeOffMissing(ctx context.Context, q db.Q, now time.Time, adj Adjustment, it Item) error {
	a, err := GetAsset(ctx, q, auth.Everything(), it.AssetID)
	if err != nil {
		return err
	}
	prior := a.Status
	switch a.Status {
	case StatusInUse, StatusIdle:
	case StatusPooled:
		if n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM asset_pool_listings WHERE asset_id = ? AND status = 'claimed'", a.ID); err != nil || n > 0 {
			if err != nil {
				return err
			}
			return errs.Conflict("盘亏资产 " + a.Code + " 正在公物仓申领中，请先处理申领")
		}
		if _, err := q.Exec(ctx, "UPDATE asset_pool_listings SET status = 'withdrawn', decision_note = '盘点盘亏，撤出公物仓', updated_at = ? WHERE asset_id = ? AND status IN ('pending', 'available')",
			now.Unix(), a.ID); err != nil {
			return err
		}
		prior = StatusIdle
	default:
		return history.Record(ctx, q, now, objAsset, a.ID, "stocktake.missing", "盘点盘亏（"+adj.StocktakeName+"），资产已"+a.StatusName()+"，未再调整")
	}
	if _, err := q.Exec(ctx, "UPDATE assets SET status = 'disposing', updated_at = ? WHERE id = ?", now.Unix(), a.ID); err != nil {
		return err
	}
	net := a.depreciationAsOf(s.today())
	reason := "盘点盘亏（" + adj.StocktakeName + "），盘点调整已批准，待损失核销"
	d, err := db.InsertID(ctx, q, `INSERT INTO asset_disposals (asset_id, org_id, method, reason, status, prior_status, value_fen, net_fen, created_by, created_at, updated_at)
		VALUES (?, ?, 'write_off', ?, 'pending', ?, ?, ?, ?, ?, ?) RETURNING id`, a.ID, a.OrgID, reason, prior, a.valueFen, toFen(net.NetYuan), actor(ctx), now.Unix(), now.Unix())
	if err != nil {
		return err
	}
	if err := history.Record(ctx, q, now, objAsset, a.ID, "stocktake.missing", reason); err != nil {
		return err
	}
	return audit.Record(ctx, q, now, audit.Entry{Action: "asset.disposal.create", ObjectType: objDisposal, ObjectID: d, OrgID: a.OrgID, Success: true,
		Extra: map[string]any{"method": "write_off", "stocktake_id": adj.StocktakeID, "asset_id": a.ID}})
}
