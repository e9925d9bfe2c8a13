package assets

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

// Purchase requests (新增资产配置申请, docs/domain/assets.md §Purchase requests): a unit asks for items of a class
// (pending); the request shows the matching pool items available (same class or below, offered by another unit,
// in the caller's scope) and its departure from the configuration standards; the bureau approves the purchase —
// while a matching pool item is available only with a reason (条例第十一条 优先调剂: 409 without one) — or rejects
// it; or the unit claims a pool item instead, which files a pool claim and closes the request as met from the pool.

const objRequest = "asset_request"

func init() {
	for k, v := range map[string]string{"asset.request.create": "提交新增资产配置申请", "asset.request.approve": "批准新增资产配置申请",
		"asset.request.reject": "驳回新增资产配置申请", "asset.request.pool": "以公物仓资产满足配置申请"} {
		auditActions[k] = v
	}
	auditObjects[objRequest] = "新增资产配置申请"
}

// RequestStatuses are the states of a purchase request.
var RequestStatuses = enum.Of("pending", "待审批", "approved", "已批准购置", "rejected", "已驳回", "pooled", "已由公物仓调剂")

// Request is a purchase request with its pool matches.
type Request struct {
	ID           int64     `json:"id"`
	OrgID        int64     `json:"org_id" doc:"申请单位"`
	OrgName      string    `json:"org_name"`
	ClassCode    string    `json:"class_code"`
	Name         string    `json:"name" doc:"资产名称"`
	Quantity     int       `json:"quantity"`
	PriceYuan    float64   `json:"price_yuan" doc:"拟购单价（元）"`
	Reason       string    `json:"reason" doc:"配置理由"`
	Status       string    `json:"status" doc:"pending 待审批 · approved 已批准购置 · rejected 已驳回 · pooled 已由公物仓调剂"`
	OverStandard string    `json:"over_standard,omitempty" doc:"超出配置标准的说明（空为符合标准）"`
	PoolOverride string    `json:"pool_override,omitempty" doc:"公物仓有可申领资产时仍批准购置的理由"`
	ClaimID      int64     `json:"claim_id,omitempty" doc:"改为申领的公物仓申领"`
	DecisionNote string    `json:"decision_note,omitempty"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	PoolMatches  []Listing `json:"pool_matches" doc:"可申领的同类公物仓资产（先用公物仓）"`
}

// StatusName is the status in Chinese.
func (r Request) StatusName() string { return RequestStatuses.Name(r.Status) }

const requestCols = `r.id, r.org_id, o.name, r.class_code, r.name, r.quantity, r.price_fen, r.reason, r.status, r.over_standard, r.pool_override,
	COALESCE(r.claim_id, 0), r.decision_note, r.created_by, r.created_at`

const requestFrom = " FROM asset_requests r JOIN orgs o ON o.id = r.org_id"

func scanRequest(s db.Scanner) (Request, error) {
	var r Request
	var p, c int64
	err := s.Scan(&r.ID, &r.OrgID, &r.OrgName, &r.ClassCode, &r.Name, &r.Quantity, &p, &r.Reason, &r.Status, &r.OverStandard, &r.PoolOverride,
		&r.ClaimID, &r.DecisionNote, &r.CreatedBy, &c)
	r.PriceYuan, r.CreatedAt = yuan(p), db.FromUnix(c)
	return r, err
}

// poolMatches lists the available pool items of the request's class (or below) offered by other units, in scope.
func poolMatches(ctx context.Context, q db.Q, sc auth.Scope, r Request) ([]Listing, error) {
	cond, args := either(sc, "l.org_id", "l.to_org_id")
	p := classPrefix(r.ClassCode)
	out, err := db.Select(ctx, q, scanListing, "SELECT "+listingCols+listingFrom+" WHERE "+cond+
		" AND l.status = 'available' AND a.class_code >= ? AND a.class_code < ? AND a.org_id <> ? ORDER BY l.created_at, l.id LIMIT 50",
		append(args, p, db.PrefixUpper(p), r.OrgID)...)
	if out == nil {
		out = []Listing{}
	}
	return out, err
}

// GetRequest loads a request in the caller's scope (404 otherwise) with its pool matches.
func GetRequest(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Request, error) {
	cond, args := sc.OrgCond("r.org_id")
	r, err := scanRequest(q.QueryRow(ctx, "SELECT "+requestCols+requestFrom+" WHERE r.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return r, errs.NotFound("配置申请")
	}
	if err != nil {
		return r, err
	}
	r.PoolMatches, err = poolMatches(ctx, q, sc, r)
	return r, err
}

// RequestFilter narrows the requests.
type RequestFilter struct {
	List   web.List
	Status string
}

// ListRequests lists the requests in scope, newest first (without their matches).
func ListRequests(ctx context.Context, q db.Q, sc auth.Scope, f RequestFilter) ([]Request, int64, error) {
	cond, args := sc.OrgCond("r.org_id")
	w := " WHERE " + cond
	if f.Status != "" {
		if !RequestStatuses.Has(f.Status) {
			return nil, 0, errs.Invalid("status", "状态应为 "+RequestStatuses.Described())
		}
		w, args = w+" AND r.status = ?", append(args, f.Status)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+requestFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanRequest, "SELECT "+requestCols+requestFrom+w+" ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// RequestInput is the body of POST /api/v1/asset-requests.
type RequestInput struct {
	OrgID     int64   `json:"org_id"`
	ClassCode string  `json:"class_code"`
	Name      string  `json:"name"`
	Quantity  int     `json:"quantity,omitempty" doc:"默认 1"`
	PriceYuan float64 `json:"price_yuan" doc:"拟购单价（元）"`
	Reason    string  `json:"reason" doc:"配置理由"`
}

// CreateRequest files a purchase request for a unit in scope; the answer lists the matching pool items and the
// departure from the standards (a price above the cap is recorded, not refused: the bureau decides).
func (s *Service) CreateRequest(ctx context.Context, sc auth.Scope, in RequestInput) (Request, error) {
	now := s.Clock.Now()
	var out Request
	err := s.DB.Tx(ctx, func(q db.Q) error {
		cat, err := LoadCatalog(ctx, q, s.today())
		if err != nil {
			return err
		}
		reg, err := region(ctx, q, in.OrgID)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		in.ClassCode = strings.ToUpper(strings.TrimSpace(in.ClassCode))
		cat.checkClass(f, "class_code", in.ClassCode, reg)
		textField(f, "name", &in.Name, 100, true, "资产名称")
		textField(f, "reason", &in.Reason, 500, true, "配置理由")
		positiveMoney(f, "price_yuan", in.PriceYuan, "拟购单价")
		if in.Quantity == 0 {
			in.Quantity = 1
		}
		if in.Quantity < 1 || in.Quantity > 10000 {
			f.Add("quantity", "数量应为 1–10000")
		}
		if in.OrgID <= 0 {
			f.Add("org_id", "请选择单位")
		}
		if err := f.Err(); err != nil {
			return err
		}
		if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
			return err
		}
		over := ""
		std, err := LoadStandards(ctx, q, s.today())
		if err != nil {
			return err
		}
		if st, ok := std.For(in.ClassCode, reg); ok && st.PriceCapYuan > 0 && toFen(in.PriceYuan) > toFen(st.PriceCapYuan) {
			over = fmt.Sprintf("拟购单价 %.2f 元高于%s价格上限 %.0f 元（%s）", in.PriceYuan, st.Name, st.PriceCapYuan, st.SourceDoc)
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO asset_requests (org_id, class_code, name, quantity, price_fen, reason, status, over_standard, created_by,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?) RETURNING id`, in.OrgID, in.ClassCode, in.Name, in.Quantity,
			toFen(in.PriceYuan), in.Reason, over, actor(ctx), now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if out, err = GetRequest(ctx, q, sc, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "asset.request.create", ObjectType: objRequest, ObjectID: id, OrgID: in.OrgID, Success: true, After: out})
	})
	return out, err
}

// DecideInput is the body of approving or rejecting a request.
type DecideInput struct {
	Comment      string `json:"comment,omitempty" doc:"审批意见"`
	PoolOverride string `json:"pool_override,omitempty" doc:"公物仓有同类可申领资产时仍批准购置的理由（此时必填）"`
}

// DecideRequest approves or rejects a pending request; approving while a matching pool item is available needs
// pool_override (409 without it), and a request no longer pending is a 409.
func (s *Service) DecideRequest(ctx context.Context, sc auth.Scope, id int64, approve bool, in DecideInput) (Request, error) {
	now := s.Clock.Now()
	in.Comment, in.PoolOverride = strings.TrimSpace(in.Comment), strings.TrimSpace(in.PoolOverride)
	var out Request
	err := s.DB.Tx(ctx, func(q db.Q) error {
		r, err := GetRequest(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if r.Status != "pending" {
			return errs.Conflict("该申请" + r.StatusName() + "，不在待审批状态")
		}
		f := errs.Fields{}
		textField(f, "comment", &in.Comment, 500, false, "审批意见")
		textField(f, "pool_override", &in.PoolOverride, 500, false, "理由")
		if err := f.Err(); err != nil {
			return err
		}
		to, action := "rejected", "asset.request.reject"
		if approve {
			to, action = "approved", "asset.request.approve"
			if len(r.PoolMatches) > 0 && in.PoolOverride == "" {
				return &errs.Error{Code: errs.CodeConflict, Message: fmt.Sprintf("公物仓中有 %d 件同类资产可申领，应优先调剂；确需购置请填写理由", len(r.PoolMatches)),
					Fields: map[string]string{"pool_override": "请填写不使用公物仓资产的理由"}}
			}
			if len(r.PoolMatches) == 0 {
				in.PoolOverride = ""
			}
		} else {
			in.PoolOverride = ""
		}
		res, err := q.Exec(ctx, `UPDATE asset_requests SET status = ?, decision_note = ?, pool_override = ?, decided_at = ?, updated_at = ?
			WHERE id = ? AND status = 'pending'`, to, in.Comment, in.PoolOverride, now.Unix(), now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("该申请已被处理")
		}
		if out, err = GetRequest(ctx, q, sc, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: action, ObjectType: objRequest, ObjectID: id, OrgID: r.OrgID, Success: true, Before: r, After: out})
	})
	return out, err
}

// PoolInput is the body of meeting a request from the pool.
type PoolInput struct {
	ListingID int64 `json:"listing_id" doc:"可申领的公物仓资产"`
}

// MeetFromPool claims a matching available pool item for the request's unit instead of buying: the pool claim
// goes to the bureau as any claim does, and the request closes as met from the pool. The claim is filed first
// (its own transaction, with its 409s); a request that stopped being pending meanwhile is a 409 and the claim
// stands as an ordinary claim.
func (s *Service) MeetFromPool(ctx context.Context, sc auth.Scope, id int64, in PoolInput) (Request, error) {
	r, err := GetRequest(ctx, s.DB, sc, id)
	if err != nil {
		return r, err
	}
	if r.Status != "pending" {
		return r, errs.Conflict("该申请" + r.StatusName() + "，不在待审批状态")
	}
	match := false
	for _, l := range r.PoolMatches {
		match = match || l.ID == in.ListingID
	}
	if !match {
		return r, errs.Invalid("listing_id", "请选择与申请同类、可申领的公物仓资产")
	}
	c, err := s.ClaimListing(ctx, sc, in.ListingID, ClaimInput{OrgID: r.OrgID, Reason: fmt.Sprintf("新增资产配置申请 #%d：%s", r.ID, r.Reason)})
	if err != nil {
		return r, err
	}
	now := s.Clock.Now()
	var out Request
	err = s.DB.Tx(ctx, func(q db.Q) error {
		res, err := q.Exec(ctx, "UPDATE asset_requests SET status = 'pooled', claim_id = ?, updated_at = ? WHERE id = ? AND status = 'pending'", c.ID, now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("该申请已被处理；公物仓申领已提交")
		}
		if out, err = GetRequest(ctx, q, sc, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "asset.request.pool", ObjectType: objRequest, ObjectID: id, OrgID: r.OrgID, Success: true, Before: r, After: out})
	})
	return out, err
}

func parseRequestFilter(r *http.Request) (RequestFilter, error) {
	l, err := web.ParseList(r)
	return RequestFilter{List: l, Status: strings.TrimSpace(r.URL.Query().Get("status"))}, err
}

// registerStandardsAPI adds the routes of the standards, findings and purchase requests
// (docs/api.md §Assets and the idle-asset pool).
func (s *Service) registerStandardsAPI() {
	d, u := s.Deps, s.UI
	u.API("GET /api/v1/asset-standards", PermRead, web.Doc{Summary: "通用办公设备家具配置标准（今日有效；价格上限、数量上限、最低使用年限）", Response: Standard{}, List: true},
		func(w http.ResponseWriter, r *http.Request) error {
			st, err := LoadStandards(r.Context(), s.DB, s.today())
			if err != nil {
				return err
			}
			all := st.All("")
			return web.JSON(w, http.StatusOK, web.NewItems(all, int64(len(all))))
		})
	u.API("GET /api/v1/asset-standards/findings", PermRead, web.Doc{Summary: "超标准配置、提前更新与数量超标准的问题清单", Response: Finding{}, List: true,
		Query: []web.Param{{Name: "org_id", Type: "integer", Help: "该单位及下级"}}}, func(w http.ResponseWriter, r *http.Request) error {
		orgID, err := web.QueryInt(r, "org_id")
		if err != nil {
			return err
		}
		fs, err := s.Findings(r.Context(), s.DB, scope(r), orgID)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(fs, int64(len(fs))))
	})
	u.API("GET /api/v1/assets/{id}/standard-flags", PermRead, web.Doc{Summary: "资产卡片对照配置标准的标记（超标准配置、提前更新）", Response: Flag{}, List: true},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			a, err := GetAsset(r.Context(), s.DB, scope(r), id)
			if err != nil {
				return err
			}
			fl, err := s.cardFlags(r.Context(), s.DB, a)
			if err != nil {
				return err
			}
			if fl == nil {
				fl = []Flag{}
			}
			return web.JSON(w, http.StatusOK, web.NewItems(fl, int64(len(fl))))
		})
	module.List(d, "GET /api/v1/asset-requests", PermRead, web.Doc{Summary: "新增资产配置申请",
		Query: []web.Param{{Name: "status", Help: "pending · approved · rejected · pooled"}}}, parseRequestFilter, ListRequests)
	module.Create(d, "POST /api/v1/asset-requests", PermRegister, web.Doc{Summary: "提交新增资产配置申请（答复列出可申领的同类公物仓资产与超标准说明）"}, s.CreateRequest)
	module.Get(d, "GET /api/v1/asset-requests/{id}", PermRead, web.Doc{Summary: "配置申请（含可申领的同类公物仓资产）"}, GetRequest)
	module.Action(d, "POST /api/v1/asset-requests/{id}/approve", PermApprove, web.Doc{Summary: "批准购置（公物仓有同类可申领资产而未填理由 → 409；不在待审批 → 409）"},
		func(ctx context.Context, sc auth.Scope, id int64, in DecideInput) (Request, error) {
			return s.DecideRequest(ctx, sc, id, true, in)
		})
	module.Action(d, "POST /api/v1/asset-requests/{id}/reject", PermApprove, web.Doc{Summary: "驳回配置申请（不在待审批 → 409）"},
		func(ctx context.Context, sc auth.Scope, id int64, in DecideInput) (Request, error) {
			return s.DecideRequest(ctx, sc, id, false, in)
		})
	module.Action(d, "POST /api/v1/asset-requests/{id}/claim", PermRegister, web.Doc{Summary: "改为申领公物仓资产：提交申领，申请以公物仓调剂办结（资产不可申领 → 409）"},
		s.MeetFromPool)
}
