package assets

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/notify"
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/platform/web"
)

// Reminders (docs/domain/assets.md §Lending, §Idle reminder): the reminder job tells a unit of its loans still out
// after their return date (once per loan and date) and of its assets idle longer than the period of the reference
// data asset.idle (6 months by default: offer them to the 公物仓; once per idle period); the to-do list shows the
// same to the unit's asset registrars, and the bureau's approvers the stocktake adjustments waiting for them.

// KindIdle is the reference data of the idle period (months).
const KindIdle = "asset.idle"

var embeddedIdle = sync.OnceValue(func() refdata.Dataset { return refdata.MustLoad(dataFS, "data/idle.csv") })

// Notification events of the module.
const (
	eventLoanOverdue = "asset.loan_overdue"
	eventIdle        = "asset.idle"
)

// idleMonths is the idle period in force for a unit's region (6 when no row applies).
func idleMonths(t *refdata.Table, region string) int {
	if r, ok := t.Lookup("pool_offer", region); ok && r.Value >= 1 {
		return int(r.Value + 0.5)
	}
	return 6
}

// watchIdle keeps asset_idle in step with the ledger: a card seen idle for the first time is idle since its last
// change (the day it was set idle, unless edited since), a card no longer idle leaves the table.
func watchIdle(ctx context.Context, q db.Q) error {
	if _, err := q.Exec(ctx, "DELETE FROM asset_idle WHERE asset_id NOT IN (SELECT id FROM assets WHERE status = 'idle')"); err != nil {
		return err
	}
	type row struct {
		id, at int64
	}
	rows, err := db.Select(ctx, q, func(sc db.Scanner) (row, error) {
		var r row
		return r, sc.Scan(&r.id, &r.at)
	}, "SELECT a.id, a.updated_at FROM assets a WHERE a.status = 'idle' AND NOT EXISTS (SELECT 1 FROM asset_idle i WHERE i.asset_id = a.id) ORDER BY a.id")
	if err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := q.Exec(ctx, "INSERT INTO asset_idle (asset_id, since_on) VALUES (?, ?)", r.id, clock.Today(db.FromUnix(r.at))); err != nil {
			return err
		}
	}
	return nil
}

// idleAsset is an asset idle past its unit's period and not offered to the pool.
type idleAsset struct {
	id, org        int64
	code, name     string
	orgName, since string
	months         int
}

// idleAssets lists the cards in scope idle longer than their unit's period and not in the pool, oldest first.
func (s *Service) idleAssets(ctx context.Context, q db.Q, sc auth.Scope, limit int) ([]idleAsset, error) {
	today := s.today()
	t, err := refdata.LoadTable(ctx, q, KindIdle, today)
	if err != nil {
		return nil, err
	}
	cond, args := sc.OrgCond("a.org_id")
	// The shortest period any region may set is a month: a bound for SQL; the unit's own period is checked below.
	bound := clock.Today(s.Clock.Now().AddDate(0, -1, 0))
	rows, err := db.Select(ctx, q, func(r db.Scanner) (idleAsset, error) {
		var x idleAsset
		var reg string
		err := r.Scan(&x.id, &x.org, &x.code, &x.name, &x.orgName, &reg, &x.since)
		x.months = idleMonths(t, reg)
		return x, err
	}, `SELECT a.id, a.org_id, a.code, a.name, o.name, o.region_code, i.since_on FROM asset_idle i JOIN assets a ON a.id = i.asset_id JOIN orgs o ON o.id = a.org_id
		WHERE a.status = 'idle' AND i.since_on <= ? AND `+cond+` AND NOT EXISTS (SELECT 1 FROM asset_pool_listings l WHERE l.asset_id = a.id AND l.status IN ('pending', 'available', 'claimed'))
		ORDER BY i.since_on, a.id LIMIT ?`, append(append([]any{bound}, args...), limit*4)...)
	if err != nil {
		return nil, err
	}
	var out []idleAsset
	for _, x := range rows {
		if x.since <= clock.Today(s.Clock.Now().AddDate(0, -x.months, 0)) && len(out) < limit {
			out = append(out, x)
		}
	}
	return out, nil
}

// Remind sends the reminders due now: overdue loans and long-idle assets. It returns how many it sent.
func (s *Service) Remind(ctx context.Context) (loans, idle int, err error) {
	now := s.Clock.Now()
	today := clock.Today(now)
	err = s.DB.Tx(ctx, func(q db.Q) error {
		overdue, err := db.Select(ctx, q, loanScanner(today), "SELECT "+loanCols+loanFrom+` WHERE x.status = 'out' AND x.due_on < ?
			AND NOT EXISTS (SELECT 1 FROM asset_reminders r WHERE r.asset_id = x.asset_id AND r.kind = 'loan' AND r.ref_id = x.id AND r.due_on = x.due_on) ORDER BY x.id`, today)
		if err != nil {
			return err
		}
		for _, l := range overdue {
			if _, err := q.Exec(ctx, "INSERT INTO asset_reminders (asset_id, kind, ref_id, due_on, sent_at) VALUES (?, 'loan', ?, ?, ?)", l.AssetID, l.ID, l.DueOn, now.Unix()); err != nil {
				return err
			}
			to, err := registrars(ctx, q, l.OrgID)
			if err != nil {
				return err
			}
			if err := s.Notify.Notify(ctx, q, notify.Notification{Recipients: to, Event: eventLoanOverdue, Title: l.AssetCode + " " + l.AssetName + " 出借逾期未归还",
				Body: fmt.Sprintf("%s：出借给 %s（%s），应于 %s 归还，请督促归还或登记归还。", l.OrgName, l.Borrower, l.Purpose, l.DueOn),
				Link: "/assets/loans?status=overdue"}); err != nil {
				return err
			}
			if err := audit.Record(ctx, q, now, audit.Entry{Action: "asset.reminder", ObjectType: objLoan, ObjectID: l.ID, OrgID: l.OrgID, Success: true,
				Extra: map[string]any{"kind": "loan_overdue", "due_on": l.DueOn}}); err != nil {
				return err
			}
			loans++
		}
		if err := watchIdle(ctx, q); err != nil {
			return err
		}
		long, err := s.idleAssets(ctx, q, auth.Everything(), 100000)
		if err != nil {
			return err
		}
		for _, x := range long {
			n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM asset_reminders WHERE asset_id = ? AND kind = 'idle' AND due_on = ?", x.id, x.since)
			if err != nil || n > 0 {
				if err != nil {
					return err
				}
				continue
			}
			if _, err := q.Exec(ctx, "INSERT INTO asset_reminders (asset_id, kind, ref_id, due_on, sent_at) VALUES (?, 'idle', 0, ?, ?)", x.id, x.since, now.Unix()); err != nil {
				return err
			}
			to, err := registrars(ctx, q, x.org)
			if err != nil {
				return err
			}
			if err := s.Notify.Notify(ctx, q, notify.Notification{Recipients: to, Event: eventIdle,
				Title: fmt.Sprintf("%s %s 闲置已超过 %d 个月", x.code, x.name, x.months),
				Body:  x.orgName + "：该资产自 " + x.since + " 起闲置，请申报公物仓，供其他单位调剂使用。", Link: "/assets/" + itoa(x.id)}); err != nil {
				return err
			}
			if err := audit.Record(ctx, q, now, audit.Entry{Action: "asset.reminder", ObjectType: objAsset, ObjectID: x.id, OrgID: x.org, Success: true,
				Extra: map[string]any{"kind": "idle", "since": x.since}}); err != nil {
				return err
			}
			idle++
		}
		return nil
	})
	return loans, idle, err
}

func (s *Service) reminderJob(ctx context.Context) (string, error) {
	l, i, err := s.Remind(ctx)
	if err != nil {
		return "", err
	}
	return "出借逾期提醒 " + strconv.Itoa(l) + " 条，闲置资产提醒 " + strconv.Itoa(i) + " 条", nil
}

// registrars are who hears of a unit's asset: the holders of asset:register whose scope is the unit itself or the
// nearest ancestor that has any (a unit without its own administrator is looked after from above).
func registrars(ctx context.Context, q db.Q, orgID int64) ([]int64, error) {
	var path string
	if err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", orgID).Scan(&path); err != nil {
		return nil, err
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		unit, err := strconv.ParseInt(parts[i], 10, 64)
		if err != nil {
			continue
		}
		scopes := "('subtree')"
		if unit == orgID {
			scopes = "('subtree', 'unit')"
		}
		ids, err := db.Int64s(ctx, q, `SELECT DISTINCT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN role_permissions rp ON rp.role_code = ur.role_code
			WHERE rp.permission = ? AND u.status = 'active' AND u.scope_org_id = ? AND u.data_scope IN `+scopes+` ORDER BY u.id`, PermRegister, unit)
		if err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			return ids, nil
		}
	}
	return nil, nil
}

const todoLimit = 100

// todos is the asset work waiting for u: the bureau's approvers see the stocktake adjustments to decide; a unit's
// registrars (without the approval right) see their overdue loans, their long-idle assets to offer to the pool and
// their open stocktakes.
func (s *Service) todos(ctx context.Context, u *auth.User) ([]module.Todo, error) {
	sc := auth.ScopeFrom(ctx)
	page := web.List{Page: 1, PageSize: todoLimit}
	var out []module.Todo
	if u.Can(PermApprove) {
		adjs, _, err := ListAdjustments(ctx, s.DB, sc, AdjustmentFilter{List: page, Status: "pending"})
		if err != nil {
			return nil, err
		}
		for _, a := range adjs {
			out = append(out, module.Todo{Kind: "assets.adjustment.approve", Label: "assets.todo.adjustment|待审核盘点调整",
				Title: fmt.Sprintf("%s：%s（盘亏 %d，盘盈 %d）", a.OrgName, a.StocktakeName, a.Missing, a.Surplus), Link: "/assets/stocktakes/tasks/" + itoa(a.StocktakeID)})
		}
		return out, nil
	}
	if !u.Can(PermRegister) {
		return nil, nil
	}
	today := s.today()
	loans, _, err := s.ListLoans(ctx, s.DB, sc, LoanFilter{List: page, Status: "overdue"})
	if err != nil {
		return nil, err
	}
	for _, l := range loans {
		if !sc.All() && !inScope(ctx, s.DB, sc, l.OrgID) {
			continue
		}
		out = append(out, module.Todo{Kind: "assets.loan.overdue", Label: "assets.todo.loan|出借逾期未归还", Title: l.OrgName + "：" + l.AssetCode + " " + l.AssetName + " → " + l.Borrower,
			Link: "/assets/loans?status=overdue", Due: l.DueOn, Overdue: true})
	}
	idle, err := s.idleAssets(ctx, s.DB, sc, todoLimit)
	if err != nil {
		return nil, err
	}
	for _, x := range idle {
		out = append(out, module.Todo{Kind: "assets.idle.offer", Label: "assets.todo.idle|闲置资产待申报公物仓",
			Title: fmt.Sprintf("%s：%s %s（自 %s 闲置，超过 %d 个月）", x.orgName, x.code, x.name, x.since, x.months), Link: "/assets/" + itoa(x.id)})
	}
	tasks, _, err := ListStocktakes(ctx, s.DB, sc, StocktakeFilter{List: page, Status: StocktakeOpen})
	if err != nil {
		return nil, err
	}
	for _, t := range tasks {
		out = append(out, module.Todo{Kind: "assets.stocktake.count", Label: "assets.todo.stocktake|资产盘点进行中",
			Title: fmt.Sprintf("%s：%s（已盘到 %d / %d）", t.OrgName, t.Name, t.Found, t.Items), Link: "/assets/stocktakes/tasks/" + itoa(t.ID),
			Due: t.DueOn, Overdue: t.DueOn != "" && t.DueOn < today})
	}
	return out, nil
}

// inScope reports whether a unit is in the scope (a loan seen as the borrower is not the borrower's to chase).
func inScope(ctx context.Context, q db.Q, sc auth.Scope, orgID int64) bool {
	return checkOrg(ctx, q, sc, orgID, "org_id") == nil
}
