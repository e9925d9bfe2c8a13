package assets

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// The idle-asset pool (公物仓, docs/domain/assets.md §Idle-asset pool; docs/api.md §Assets and the idle-asset pool):
// a unit offers an idle asset (pending), the bureau approves the listing (available; the card shows 公物仓), another
// unit claims it (claimed; one claim at a time), the bureau approves the claim and the card moves to the claiming
// unit (transferred) with its number, value, life, history and depreciation unchanged. Every step is a guarded
// update: a step in the wrong state is a 409.

// Listing is a pool listing with its asset.
type Listing struct {
	ID            int64     `json:"id"`
	AssetID       int64     `json:"asset_id"`
	AssetCode     string    `json:"asset_code"`
	AssetName     string    `json:"asset_name"`
	ClassCode     string    `json:"class_code"`
	Brand         string    `json:"brand"`
	Model         string    `json:"model"`
	AcquiredOn    string    `json:"acquired_on"`
	OrgID         int64     `json:"org_id" doc:"申报入仓的单位"`
	OrgName       string    `json:"org_name"`
	Reason        string    `json:"reason"`
	Condition     string    `json:"condition" doc:"成色、状况"`
	Status        string    `json:"status" doc:"pending 待审核 · available 可申领 · claimed 申领中 · transferred 已调剂 · rejected 未通过"`
	ValueYuan     float64   `json:"value_yuan" doc:"原值"`
	NetYuan       float64   `json:"net_yuan" doc:"申报时（调剂后为调剂时）的账面净值"`
	ToOrgID       int64     `json:"to_org_id,omitempty" doc:"调剂至的单位"`
	ToOrgName     string    `json:"to_org_name,omitempty"`
	TransferredOn string    `json:"transferred_on,omitempty"`
	DecisionNote  string    `json:"decision_note,omitempty"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// StatusName is the status in Chinese.
func (l Listing) StatusName() string { return ListingStatuses.Name(l.Status) }

const listingCols = `l.id, l.asset_id, a.code, a.name, a.class_code, a.brand, a.model, a.acquired_on, l.org_id, o.name, l.reason, l.item_condition, l.status,
	l.value_fen, l.net_fen, COALESCE(l.to_org_id, 0), COALESCE(t.name, ''), l.transferred_on, l.decision_note, l.created_by, l.created_at, l.updated_at`

const listingFrom = ` FROM asset_pool_listings l JOIN assets a ON a.id = l.asset_id JOIN orgs o ON o.id = l.org_id LEFT JOIN orgs t ON t.id = l.to_org_id`

func scanListing(s db.Scanner) (Listing, error) {
	var l Listing
	var v, n, c, u int64
	err := s.Scan(&l.ID, &l.AssetID, &l.AssetCode, &l.AssetName, &l.ClassCode, &l.Brand, &l.Model, &l.AcquiredOn, &l.OrgID, &l.OrgName, &l.Reason, &l.Condition,
		&l.Status, &v, &n, &l.ToOrgID, &l.ToOrgName, &l.TransferredOn, &l.DecisionNote, &l.CreatedBy, &c, &u)
	l.ValueYuan, l.NetYuan, l.CreatedAt, l.UpdatedAt = yuan(v), yuan(n), db.FromUnix(c), db.FromUnix(u)
	return l, err
}

// either is the condition that the unit in one of two columns is in scope (a listing is seen by the offering and
// the receiving unit, a claim by the claiming and the offering unit).
func either(sc auth.Scope, a, b string) (string, []any) {
	c1, a1 := sc.OrgCond(a)
	c2, a2 := sc.OrgCond(b)
	return "(" + c1 + " OR " + c2 + ")", append(a1, a2...)
}

// GetListing loads a listing the caller may see (404 otherwise).
func GetListing(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Listing, error) {
	cond, args := either(sc, "l.org_id", "l.to_org_id")
	l, err := scanListing(q.QueryRow(ctx, "SELECT "+listingCols+listingFrom+" WHERE l.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return l, errs.NotFound("公物仓资产")
	}
	return l, err
}

// ListingFilter narrows the catalogue.
type ListingFilter struct {
	List   web.List
	Status string
	OrgID  int64
}

// ListListings lists the catalogue in the caller's scope.
func ListListings(ctx context.Context, q db.Q, sc auth.Scope, f ListingFilter) ([]Listing, int64, error) {
	cond, args := either(sc, "l.org_id", "l.to_org_id")
	w := " WHERE " + cond
	if f.Status != "" {
		if !ListingStatuses.Has(f.Status) {
			return nil, 0, errs.Invalid("status", "状态应为 "+ListingStatuses.Described())
		}
		w, args = w+" AND l.status = ?", append(args, f.Status)
	}
	if f.OrgID > 0 {
		c, a, err := subtreeCond(ctx, q, sc, f.OrgID, "l.org_id")
		if err != nil {
			return nil, 0, err
		}
		w, args = w+" AND "+c, append(args, a...)
	}
	if f.List.Q != "" {
		c, a := db.Contains(f.List.Q, "a.code", "a.name", "o.name")
		w, args = w+" AND "+c, append(args, a...)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+listingFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanListing, "SELECT "+listingCols+listingFrom+w+" ORDER BY l.created_at DESC, l.id DESC LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// OfferInput is the body of POST /api/v1/pool/listings.
type OfferInput struct {
	AssetID   int64  `json:"asset_id"`
	Reason    string `json:"reason" doc:"闲置原因"`
	Condition string `json:"condition,omitempty" doc:"成色、状况"`
}

func actor(ctx context.Context) string {
	if u := auth.UserFrom(ctx); u != nil {
		return u.DisplayName()
	}
	return ""
}

// openListing is the condition of a listing still in the pool.
const openListing = "status IN ('pending', 'available', 'claimed')"

// Offer lists an idle or in-use asset of the caller's scope in the pool (pending the bureau's approval). An asset
// already listed, awaiting disposal or disposed is a 409.
func (s *Service) Offer(ctx context.Context, sc auth.Scope, in OfferInput) (Listing, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	textField(f, "reason", &in.Reason, 500, true, "闲置原因")
	textField(f, "condition", &in.Condition, 200, false, "成色、状况")
	if in.AssetID <= 0 {
		f.Add("asset_id", "请选择资产")
		return Listing{}, f.Err()
	}
	var out Listing
	err := s.DB.Tx(ctx, func(q db.Q) error {
		a, err := GetAsset(ctx, q, sc, in.AssetID)
		if err != nil {
			return notFoundField(err, "asset_id", "资产不存在或不在您的数据范围内")
		}
		if err := f.Err(); err != nil {
			return err
		}
		if a.Status != StatusInUse && a.Status != StatusIdle {
			return errs.Conflict("资产" + a.StatusName() + "，不能申报公物仓")
		}
		if err := refuseOnLoan(ctx, q, a.ID); err != nil {
			return err
		}
		if n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM asset_pool_listings WHERE asset_id = ? AND "+openListing, a.ID); err != nil || n > 0 {
			if err != nil {
				return err
			}
			return errs.Conflict("该资产已在公物仓中")
		}
		net := a.depreciationAsOf(s.today())
		id, err := db.InsertID(ctx, q, `INSERT INTO asset_pool_listings (asset_id, org_id, reason, item_condition, status, value_fen, net_fen, created_by,
			created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) RETURNING id`, a.ID, a.OrgID, in.Reason, in.Condition, a.valueFen,
			toFen(net.NetYuan), actor(ctx), now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objAsset, a.ID, "pool.offer", "申报公物仓："+in.Reason); err != nil {
			return err
		}
		if out, err = GetListing(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "asset.pool.offer", ObjectType: objListing, ObjectID: id, OrgID: a.OrgID, Success: true, After: out})
	})
	return out, err
}

// CommentInput is the body of the approval actions.
type CommentInput struct {
	Comment string `json:"comment,omitempty" doc:"审核意见（驳回时建议填写）"`
}

// DecideListing approves (available; the card shows 公物仓) or rejects a pending listing; any other state is a 409.
func (s *Service) DecideListing(ctx context.Context, sc auth.Scope, id int64, approve bool, comment string) (Listing, error) {
	now := s.Clock.Now()
	comment = strings.TrimSpace(comment)
	var out Listing
	err := s.DB.Tx(ctx, func(q db.Q) error {
		l, err := GetListing(ctx, q, sc, id)
		if err != nil {
			return err
		}
		to, action, line := ListingRejected, "asset.pool.reject", "公物仓入仓审核不通过"
		if approve {
			to, action, line = ListingAvailable, "asset.pool.approve", "公物仓入仓审核通过，可供其他单位申领"
		}
		res, err := q.Exec(ctx, "UPDATE asset_pool_listings SET status = ?, decision_note = ?, approved_at = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
			to, comment, now.Unix(), now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("该资产" + l.StatusName() + "，不在待审核状态")
		}
		if approve {
			res, err := q.Exec(ctx, "UPDATE assets SET status = 'pooled', updated_at = ? WHERE id = ? AND status IN ('in_use', 'idle')", now.Unix(), l.AssetID)
			if err != nil {
				return err
			}
			if db.RowsAffected(res) == 0 {
				return errs.Conflict("资产已不在在用或闲置状态，不能入仓")
			}
		}
		if comment != "" {
			line += "；意见：" + comment
		}
		if err := history.Record(ctx, q, now, objAsset, l.AssetID, "pool.decide", line); err != nil {
			return err
		}
		if out, err = GetListing(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: action, ObjectType: objListing, ObjectID: id, OrgID: l.OrgID, Success: true, Before: l, After: out})
	})
	return out, err
}

// Claim is a unit's claim of a pool listing.
type Claim struct {
	ID           int64     `json:"id"`
	ListingID    int64     `json:"listing_id"`
	AssetID      int64     `json:"asset_id"`
	AssetCode    string    `json:"asset_code"`
	AssetName    string    `json:"asset_name"`
	FromOrgID    int64     `json:"from_org_id"`
	FromOrgName  string    `json:"from_org_name"`
	OrgID        int64     `json:"org_id" doc:"申领单位"`
	OrgName      string    `json:"org_name"`
	Reason       string    `json:"reason"`
	Status       string    `json:"status" doc:"pending 待审批 · approved 已批准 · rejected 已驳回"`
	DecisionNote string    `json:"decision_note,omitempty"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// StatusName is the status in Chinese.
func (c Claim) StatusName() string { return ClaimStatuses.Name(c.Status) }

const claimCols = `c.id, c.listing_id, l.asset_id, a.code, a.name, l.org_id, fo.name, c.org_id, o.name, c.reason, c.status, c.decision_note, c.created_by, c.created_at`
const claimFrom = ` FROM asset_pool_claims c JOIN asset_pool_listings l ON l.id = c.listing_id JOIN assets a ON a.id = l.asset_id
	JOIN orgs o ON o.id = c.org_id JOIN orgs fo ON fo.id = l.org_id`

func scanClaim(s db.Scanner) (Claim, error) {
	var c Claim
	var at int64
	err := s.Scan(&c.ID, &c.ListingID, &c.AssetID, &c.AssetCode, &c.AssetName, &c.FromOrgID, &c.FromOrgName, &c.OrgID, &c.OrgName, &c.Reason, &c.Status,
		&c.DecisionNote, &c.CreatedBy, &at)
	c.CreatedAt = db.FromUnix(at)
	return c, err
}

// GetClaim loads a claim the caller may see: the claiming or the offering unit in scope (404 otherwise).
func GetClaim(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Claim, error) {
	cond, args := either(sc, "c.org_id", "l.org_id")
	c, err := scanClaim(q.QueryRow(ctx, "SELECT "+claimCols+claimFrom+" WHERE c.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return c, errs.NotFound("申领")
	}
	return c, err
}

// ClaimFilter narrows the claims.
type ClaimFilter struct {
	List      web.List
	Status    string
	ListingID int64
}

// ListClaims lists the claims in the caller's scope.
func ListClaims(ctx context.Context, q db.Q, sc auth.Scope, f ClaimFilter) ([]Claim, int64, error) {
	cond, args := either(sc, "c.org_id", "l.org_id")
	w := " WHERE " + cond
	if f.Status != "" {
		if !ClaimStatuses.Has(f.Status) {
			return nil, 0, errs.Invalid("status", "状态应为 "+ClaimStatuses.Described())
		}
		w, args = w+" AND c.status = ?", append(args, f.Status)
	}
	if f.ListingID > 0 {
		w, args = w+" AND c.listing_id = ?", append(args, f.ListingID)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+claimFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanClaim, "SELECT "+claimCols+claimFrom+w+" ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// ClaimInput is the body of POST /api/v1/pool/listings/{id}/claims.
type ClaimInput struct {
	OrgID  int64  `json:"org_id" doc:"申领单位"`
	Reason string `json:"reason" doc:"申领用途"`
}

// ClaimListing files a claim of an available listing for a unit in the caller's scope; the listing becomes
// claimed. A listing that is not available, or one of the claiming unit's own assets, is a 409.
func (s *Service) ClaimListing(ctx context.Context, sc auth.Scope, listingID int64, in ClaimInput) (Claim, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	textField(f, "reason", &in.Reason, 500, true, "申领用途")
	if in.OrgID <= 0 {
		f.Add("org_id", "请选择申领单位")
	}
	var out Claim
	err := s.DB.Tx(ctx, func(q db.Q) error {
		l, err := GetListing(ctx, q, sc, listingID)
		if err != nil {
			return err
		}
		if l.Status != ListingAvailable {
			return errs.Conflict("该资产" + l.StatusName() + "，不能申领")
		}
		if err := refuseOnLoan(ctx, q, l.AssetID); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
			return err
		}
		var holder int64
		if err := q.QueryRow(ctx, "SELECT org_id FROM assets WHERE id = ?", l.AssetID).Scan(&holder); err != nil {
			return err
		}
		if holder == in.OrgID {
			return &errs.Error{Code: errs.CodeConflict, Message: "不能申领本单位申报的资产", Fields: map[string]string{"org_id": "申领单位与申报单位相同"}}
		}
		res, err := q.Exec(ctx, "UPDATE asset_pool_listings SET status = 'claimed', updated_at = ? WHERE id = ? AND status = 'available'", now.Unix(), l.ID)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("该资产已被申领")
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO asset_pool_claims (listing_id, org_id, reason, status, created_by, created_at, updated_at)
			VALUES (?, ?, ?, 'pending', ?, ?, ?) RETURNING id`, l.ID, in.OrgID, in.Reason, actor(ctx), now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		unit := org.Tree{}.OrgLabel(ctx, q, in.OrgID)
		if err := history.Record(ctx, q, now, objAsset, l.AssetID, "pool.claim", unit+" 申领："+in.Reason); err != nil {
			return err
		}
		if out, err = GetClaim(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "asset.pool.claim", ObjectType: objClaim, ObjectID: id, OrgID: in.OrgID, Success: true, After: out})
	})
	return out, err
}

// DecideClaim approves a pending claim — the card moves to the claiming unit (its custodian, room and department
// are cleared; number, value, life and history stay) and the listing is transferred — or rejects it, and the
// listing is available again. A claim no longer pending is a 409.
func (s *Service) DecideClaim(ctx context.Context, sc auth.Scope, id int64, approve bool, comment string) (Claim, error) {
	now := s.Clock.Now()
	today := s.today()
	comment = strings.TrimSpace(comment)
	var out Claim
	err := s.DB.Tx(ctx, func(q db.Q) error {
		c, err := GetClaim(ctx, q, sc, id)
		if err != nil {
			return err
		}
		to := "rejected"
		if approve {
			to = "approved"
		}
		res, err := q.Exec(ctx, "UPDATE asset_pool_claims SET status = ?, decision_note = ?, decided_at = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
			to, comment, now.Unix(), now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("该申领" + c.StatusName() + "，不在待审批状态")
		}
		var line, action string
		if approve {
			a, err := GetAsset(ctx, q, auth.Everything(), c.AssetID)
			if err != nil {
				return err
			}
			net := a.depreciationAsOf(today)
			res, err := q.Exec(ctx, `UPDATE asset_pool_listings SET status = 'transferred', to_org_id = ?, transferred_on = ?, net_fen = ?, updated_at = ?
				WHERE id = ? AND status = 'claimed'`, c.OrgID, today, toFen(net.NetYuan), now.Unix(), c.ListingID)
			if err != nil {
				return err
			}
			if db.RowsAffected(res) == 0 {
				return errs.Conflict("公物仓资产已不在申领中")
			}
			if _, err := q.Exec(ctx, `UPDATE assets SET org_id = ?, status = 'in_use', custodian_id = NULL, room_id = NULL, location = '', dept = '', updated_at = ?
				WHERE id = ?`, c.OrgID, now.Unix(), c.AssetID); err != nil {
				return err
			}
			line = fmt.Sprintf("经公物仓调剂，由 %s 划转至 %s（账面净值 %.2f 元，折旧延续）", c.FromOrgName, c.OrgName, net.NetYuan)
			action = "asset.pool.claim_approve"
		} else {
			if _, err := q.Exec(ctx, "UPDATE asset_pool_listings SET status = 'available', updated_at = ? WHERE id = ? AND status = 'claimed'", now.Unix(), c.ListingID); err != nil {
				return err
			}
			line, action = c.OrgName+" 的申领被驳回，资产仍可申领", "asset.pool.claim_reject"
		}
		if comment != "" {
			line += "；意见：" + comment
		}
		if err := history.Record(ctx, q, now, objAsset, c.AssetID, "pool.transfer", line); err != nil {
			return err
		}
		if out, err = GetClaim(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: action, ObjectType: objClaim, ObjectID: id, OrgID: c.OrgID, Success: true, Before: c, After: out})
	})
	return out, err
}

// PoolStats are the pool's figures in the caller's scope: items reused and the money saved (the original value of
// the reused assets — what buying them new would have cost, docs/domain/assets.md §Idle-asset pool).
type PoolStats struct {
	Pending       int64   `json:"pending"`
	Available     int64   `json:"available"`
	Claimed       int64   `json:"claimed"`
	Reused        int64   `json:"reused" doc:"已调剂件数"`
	SavedYuan     float64 `json:"saved_yuan" doc:"节约资金：调剂资产的原值"`
	NetReusedYuan float64 `json:"net_reused_yuan" doc:"调剂资产调剂时的账面净值"`
}

// Stats computes the pool's figures in scope.
func Stats(ctx context.Context, q db.Q, sc auth.Scope) (PoolStats, error) {
	cond, args := either(sc, "l.org_id", "l.to_org_id")
	var st PoolStats
	var saved, net int64
	err := q.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN l.status = 'pending' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN l.status = 'available' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN l.status = 'claimed' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN l.status = 'transferred' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN l.status = 'transferred' THEN l.value_fen ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN l.status = 'transferred' THEN l.net_fen ELSE 0 END), 0)
		FROM asset_pool_listings l WHERE `+cond, args...).Scan(&st.Pending, &st.Available, &st.Claimed, &st.Reused, &saved, &net)
	st.SavedYuan, st.NetReusedYuan = yuan(saved), yuan(net)
	return st, err
}
