package assets

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// 资产盘点 (docs/domain/assets.md §Stocktake; 条例 第34条): a unit (or the bureau) opens a task over one unit's cards,
// optionally narrowed to a location or a class; the cards on the ledger are copied into its items; counters record
// what they find by scanning the QR label or typing the 资产编号 (found), and assets without a card (surplus 盘盈);
// closing the task marks what was not found as missing (盘亏) and, when anything differs, files one adjustment
// (盘点调整) for the bureau. Approval reconciles the ledger (adjust.go); rejection opens the task again.

// Stocktake statuses.
const (
	StocktakeOpen       = "open"
	StocktakeClosed     = "closed"
	StocktakeReconciled = "reconciled"
)

// StocktakeStatuses name the states of a task.
var StocktakeStatuses = enum.Of(StocktakeOpen, "盘点中", StocktakeClosed, "待审核调整", StocktakeReconciled, "已完成")

// ItemResults name the results of an item.
var ItemResults = enum.Of("pending", "待盘点", "found", "已盘到", "missing", "盘亏", "surplus", "盘盈")

// Stocktake is a stocktake task with its counts.
type Stocktake struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"org_id" doc:"盘点的单位"`
	OrgName   string    `json:"org_name"`
	Name      string    `json:"name"`
	Location  string    `json:"location" doc:"限定的存放地点（楼栋、房间或库房；空为全部）"`
	ClassCode string    `json:"class_code" doc:"限定的资产分类（空为全部）"`
	DueOn     string    `json:"due_on"`
	Status    string    `json:"status" doc:"open 盘点中 · closed 待审核调整 · reconciled 已完成"`
	Items     int64     `json:"items" doc:"账面资产数"`
	Found     int64     `json:"found"`
	Pending   int64     `json:"pending"`
	Missing   int64     `json:"missing" doc:"盘亏"`
	Surplus   int64     `json:"surplus" doc:"盘盈"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// StatusName is the status in Chinese.
func (s Stocktake) StatusName() string { return StocktakeStatuses.Name(s.Status) }

const stocktakeCols = `s.id, s.org_id, o.name, s.name, s.location, s.class_code, s.due_on, s.status, s.created_by, s.created_at,
	(SELECT COUNT(*) FROM asset_stocktake_items i WHERE i.stocktake_id = s.id AND i.result <> 'surplus'),
	(SELECT COUNT(*) FROM asset_stocktake_items i WHERE i.stocktake_id = s.id AND i.result = 'found'),
	(SELECT COUNT(*) FROM asset_stocktake_items i WHERE i.stocktake_id = s.id AND i.result = 'pending'),
	(SELECT COUNT(*) FROM asset_stocktake_items i WHERE i.stocktake_id = s.id AND i.result = 'missing'),
	(SELECT COUNT(*) FROM asset_stocktake_items i WHERE i.stocktake_id = s.id AND i.result = 'surplus')`

const stocktakeFrom = " FROM asset_stocktakes s JOIN orgs o ON o.id = s.org_id"

func scanStocktake(sc db.Scanner) (Stocktake, error) {
	var s Stocktake
	var c int64
	err := sc.Scan(&s.ID, &s.OrgID, &s.OrgName, &s.Name, &s.Location, &s.ClassCode, &s.DueOn, &s.Status, &s.CreatedBy, &c,
		&s.Items, &s.Found, &s.Pending, &s.Missing, &s.Surplus)
	s.CreatedAt = db.FromUnix(c)
	return s, err
}

// GetStocktake loads a task of a unit in the caller's scope (404 otherwise).
func GetStocktake(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Stocktake, error) {
	cond, args := sc.OrgCond("s.org_id")
	s, err := scanStocktake(q.QueryRow(ctx, "SELECT "+stocktakeCols+stocktakeFrom+" WHERE s.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return s, errs.NotFound("盘点任务")
	}
	return s, err
}

// StocktakeFilter narrows the tasks.
type StocktakeFilter struct {
	List   web.List
	Status string
	OrgID  int64
}

// ListStocktakes lists the tasks in scope, newest first.
func ListStocktakes(ctx context.Context, q db.Q, sc auth.Scope, f StocktakeFilter) ([]Stocktake, int64, error) {
	cond, args := sc.OrgCond("s.org_id")
	w := " WHERE " + cond
	if f.Status != "" {
		if !StocktakeStatuses.Has(f.Status) {
			return nil, 0, errs.Invalid("status", "状态应为 "+StocktakeStatuses.Described())
		}
		w, args = w+" AND s.status = ?", append(args, f.Status)
	}
	if f.OrgID > 0 {
		c, a, err := subtreeCond(ctx, q, sc, f.OrgID, "s.org_id")
		if err != nil {
			return nil, 0, err
		}
		w, args = w+" AND "+c, append(args, a...)
	}
	if f.List.Q != "" {
		c, a := db.Contains(f.List.Q, "s.name", "o.name", "s.location")
		w, args = w+" AND "+c, append(args, a...)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+stocktakeFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanStocktake, "SELECT "+stocktakeCols+stocktakeFrom+w+" ORDER BY s.id DESC LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// Item is one line of a task.
type Item struct {
	ID        int64     `json:"id"`
	AssetID   int64     `json:"asset_id,omitempty" doc:"资产卡片（盘盈项在调整批准后才有）"`
	Code      string    `json:"code" doc:"资产编号（盘盈项为标签上的编号，可空）"`
	Name      string    `json:"name"`
	ClassCode string    `json:"class_code"`
	Location  string    `json:"location"`
	ValueYuan float64   `json:"value_yuan" doc:"账面原值；盘盈项为估计的重置价值"`
	Result    string    `json:"result" doc:"pending 待盘点 · found 已盘到 · missing 盘亏 · surplus 盘盈"`
	Note      string    `json:"note,omitempty"`
	CheckedBy string    `json:"checked_by,omitempty"`
	CheckedAt time.Time `json:"checked_at,omitzero"`
}

// ResultName is the result in Chinese.
func (i Item) ResultName() string { return ItemResults.Name(i.Result) }

const itemCols = `i.id, COALESCE(i.asset_id, 0), i.code, i.name, i.class_code, i.location, i.value_fen, i.result, i.note, i.checked_by, i.checked_at`

func scanItem(sc db.Scanner) (Item, error) {
	var i Item
	var v, at int64
	err := sc.Scan(&i.ID, &i.AssetID, &i.Code, &i.Name, &i.ClassCode, &i.Location, &v, &i.Result, &i.Note, &i.CheckedBy, &at)
	i.ValueYuan = yuan(v)
	if at > 0 {
		i.CheckedAt = db.FromUnix(at)
	}
	return i, err
}

// ItemFilter narrows a task's items.
type ItemFilter struct {
	List   web.List
	Result string
}

// ListItems lists the items of a task in scope (404 otherwise), by result then code.
func ListItems(ctx context.Context, q db.Q, sc auth.Scope, id int64, f ItemFilter) ([]Item, int64, error) {
	if _, err := GetStocktake(ctx, q, sc, id); err != nil {
		return nil, 0, err
	}
	w, args := " WHERE i.stocktake_id = ?", []any{id}
	if f.Result != "" {
		if !ItemResults.Has(f.Result) {
			return nil, 0, errs.Invalid("result", "盘点结果应为 "+ItemResults.Described())
		}
		w, args = w+" AND i.result = ?", append(args, f.Result)
	}
	if f.List.Q != "" {
		c, a := db.Contains(f.List.Q, "i.code", "i.name")
		w, args = w+" AND "+c, append(args, a...)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM asset_stocktake_items i"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	order := " ORDER BY CASE i.result WHEN 'missing' THEN 0 WHEN 'surplus' THEN 1 WHEN 'pending' THEN 2 ELSE 3 END, i.code, i.id"
	rows, err := db.Select(ctx, q, scanItem, "SELECT "+itemCols+" FROM asset_stocktake_items i"+w+order+" LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// StocktakeInput is the body of POST /api/v1/asset-stocktakes.
type StocktakeInput struct {
	OrgID     int64  `json:"org_id" doc:"盘点的单位（其在账资产）"`
	Name      string `json:"name"`
	Location  string `json:"location,omitempty" doc:"只盘点存放地点以此开头的资产（楼栋名、“楼栋 房间号”或库房）"`
	RoomID    int64  `json:"room_id,omitempty" doc:"只盘点该房间的资产（取房间的存放地点）"`
	ClassCode string `json:"class_code,omitempty" doc:"只盘点该分类及其下级分类"`
	DueOn     string `json:"due_on,omitempty" doc:"完成期限 YYYY-MM-DD"`
}

// countable is the condition of a card that a stocktake counts: on the ledger and not leaving it.
const countable = "a.status IN ('in_use', 'idle', 'pooled')"

// CreateStocktake opens a task over a unit in the caller's scope and copies the cards it covers into its items; a
// scope with no card is a 422.
func (s *Service) CreateStocktake(ctx context.Context, sc auth.Scope, in StocktakeInput) (Stocktake, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	textField(f, "name", &in.Name, 100, true, "盘点任务名称")
	textField(f, "location", &in.Location, 100, false, "存放地点")
	in.ClassCode = strings.ToUpper(strings.TrimSpace(in.ClassCode))
	if in.ClassCode != "" && Ancestors(in.ClassCode) == nil {
		f.Add("class_code", "资产分类代码应为 1 个大写字母加 8 位数字")
	}
	in.DueOn = strings.TrimSpace(in.DueOn)
	if in.DueOn != "" && !validDate(in.DueOn) {
		f.Add("due_on", "完成期限格式应为 YYYY-MM-DD")
	}
	if in.RoomID < 0 {
		f.Add("room_id", "房间无效")
	}
	var out Stocktake
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if in.RoomID > 0 {
			r, err := s.rooms.Room(ctx, q, sc, in.RoomID)
			if err != nil {
				return notFoundField(err, "room_id", "房间不存在或不在您的数据范围内")
			}
			in.Location = r.BuildingName + " " + r.Number
		}
		w, args := " WHERE a.org_id = ? AND "+countable, []any{in.OrgID}
		if in.Location != "" {
			w, args = w+` AND a.location LIKE ? ESCAPE '\'`, append(args, db.LikePrefix(in.Location))
		}
		if in.ClassCode != "" {
			prefix := in.ClassCode
			for len(prefix) > 3 && prefix[len(prefix)-2:] == "00" {
				prefix = prefix[:len(prefix)-2]
			}
			w, args = w+" AND a.class_code >= ? AND a.class_code < ?", append(args, prefix, db.PrefixUpper(prefix))
		}
		n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM assets a"+w, args...)
		if err != nil {
			return err
		}
		if n == 0 {
			field := "org_id"
			if in.Location != "" {
				field = "location"
			}
			return errs.Invalid(field, "该范围内没有在账资产，无需盘点")
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO asset_stocktakes (org_id, name, location, class_code, due_on, status, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id`, in.OrgID, in.Name, in.Location, in.ClassCode, in.DueOn, actor(ctx), now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO asset_stocktake_items (stocktake_id, asset_id, code, name, class_code, location, value_fen, result)
			SELECT ?, a.id, a.code, a.name, a.class_code, a.location, a.value_fen, 'pending' FROM assets a`+w, append([]any{id}, args...)...); err != nil {
			return err
		}
		if out, err = GetStocktake(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objStocktake, id, "create", fmt.Sprintf("创建盘点任务，账面资产 %d 项", out.Items)); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "asset.stocktake.create", ObjectType: objStocktake, ObjectID: id, OrgID: in.OrgID, Success: true, After: out})
	})
	return out, err
}

// openTask loads a task for a write and refuses one that is no longer open (409).
func openTask(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Stocktake, error) {
	st, err := GetStocktake(ctx, q, sc, id)
	if err != nil {
		return st, err
	}
	if st.Status != StocktakeOpen {
		return st, errs.Conflict("盘点任务" + st.StatusName() + "，不能再登记")
	}
	return st, nil
}

// ScanInput is the body of POST /api/v1/asset-stocktakes/{id}/scans.
type ScanInput struct {
	Code string `json:"code" doc:"扫描或输入的资产编号"`
	Note string `json:"note,omitempty"`
}

// ScanResult is a recorded scan: the item and whether it had been found already.
type ScanResult struct {
	Item  Item `json:"item"`
	Again bool `json:"again" doc:"此前已盘到"`
}

// normCode is a 资产编号 as typed or scanned: trimmed, upper case, full-width characters folded.
func normCode(s string) string {
	s = strings.TrimSpace(s)
	s = strings.Map(func(r rune) rune {
		if r >= '！' && r <= '～' {
			return r - '！' + '!'
		}
		return r
	}, s)
	return strings.ToUpper(s)
}

// Scan records a card of the task as found by its 资产编号. A code that is not on the task's list is a 422 naming
// the field (the counter may record the asset as surplus); a card found already answers again = true.
func (s *Service) Scan(ctx context.Context, sc auth.Scope, id int64, in ScanInput) (ScanResult, error) {
	now := s.Clock.Now()
	code := normCode(in.Code)
	f := errs.Fields{}
	if code == "" {
		f.Add("code", "请扫描或输入资产编号")
	}
	textField(f, "note", &in.Note, 200, false, "说明")
	var out ScanResult
	err := s.DB.Tx(ctx, func(q db.Q) error {
		st, err := openTask(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		it, err := scanItem(q.QueryRow(ctx, "SELECT "+itemCols+" FROM asset_stocktake_items i WHERE i.stocktake_id = ? AND i.code = ? AND i.asset_id IS NOT NULL", id, code))
		if db.IsNoRows(err) {
			return errs.Invalid("code", "资产编号 "+code+" 不在本次盘点清单中；如该资产在此，请登记为盘盈")
		}
		if err != nil {
			return err
		}
		if it.Result == "found" {
			out = ScanResult{Item: it, Again: true}
			return nil
		}
		if _, err := q.Exec(ctx, "UPDATE asset_stocktake_items SET result = 'found', note = ?, checked_by = ?, checked_at = ? WHERE id = ?",
			in.Note, actor(ctx), now.Unix(), it.ID); err != nil {
			return err
		}
		if out.Item, err = scanItem(q.QueryRow(ctx, "SELECT "+itemCols+" FROM asset_stocktake_items i WHERE i.id = ?", it.ID)); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "asset.stocktake.scan", ObjectType: objStocktake, ObjectID: id, OrgID: st.OrgID, Success: true,
			Extra: map[string]any{"code": code, "asset_id": it.AssetID}})
	})
	return out, err
}

// SurplusInput is the body of POST /api/v1/asset-stocktakes/{id}/surplus: an asset found with no card.
type SurplusInput struct {
	Name      string  `json:"name"`
	ClassCode string  `json:"class_code"`
	ValueYuan float64 `json:"value_yuan" doc:"估计的重置价值（元），入账时作为重置值"`
	Location  string  `json:"location,omitempty"`
	Code      string  `json:"code,omitempty" doc:"实物上的旧标签编号（如有）"`
	Note      string  `json:"note,omitempty"`
}

// AddSurplus records an asset found with no card (盘盈) on an open task.
func (s *Service) AddSurplus(ctx context.Context, sc auth.Scope, id int64, in SurplusInput) (Item, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	textField(f, "name", &in.Name, 100, true, "资产名称")
	textField(f, "location", &in.Location, 100, false, "存放地点")
	textField(f, "note", &in.Note, 200, false, "说明")
	in.Code = normCode(in.Code)
	textField(f, "code", &in.Code, 40, false, "标签编号")
	in.ClassCode = strings.ToUpper(strings.TrimSpace(in.ClassCode))
	positiveMoney(f, "value_yuan", in.ValueYuan, "估计价值")
	var out Item
	err := s.DB.Tx(ctx, func(q db.Q) error {
		st, err := openTask(ctx, q, sc, id)
		if err != nil {
			return err
		}
		cat, err := LoadCatalog(ctx, q, s.today())
		if err != nil {
			return err
		}
		reg, err := region(ctx, q, st.OrgID)
		if err != nil {
			return err
		}
		cat.checkClass(f, "class_code", in.ClassCode, reg)
		if err := f.Err(); err != nil {
			return err
		}
		if in.Code != "" {
			if n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM asset_stocktake_items WHERE stocktake_id = ? AND code = ?", id, in.Code); err != nil || n > 0 {
				if err != nil {
					return err
				}
				return errs.Invalid("code", "编号 "+in.Code+" 已在本次盘点清单中，请直接登记盘到")
			}
		}
		if in.Location == "" {
			in.Location = st.Location
		}
		itemID, err := db.InsertID(ctx, q, `INSERT INTO asset_stocktake_items (stocktake_id, code, name, class_code, location, value_fen, result, note, checked_by, checked_at)
			VALUES (?, ?, ?, ?, ?, ?, 'surplus', ?, ?, ?) RETURNING id`, id, in.Code, in.Name, in.ClassCode, in.Location, toFen(in.ValueYuan), in.Note, actor(ctx), now.Unix())
		if err != nil {
			return err
		}
		if out, err = scanItem(q.QueryRow(ctx, "SELECT "+itemCols+" FROM asset_stocktake_items i WHERE i.id = ?", itemID)); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "asset.stocktake.surplus", ObjectType: objStocktake, ObjectID: id, OrgID: st.OrgID, Success: true, After: out})
	})
	return out, err
}

// CloseStocktake finishes counting: what was not found is missing (盘亏); with any missing or surplus item the task
// waits for the bureau's approval of its adjustment (closed), otherwise it is done (reconciled). A task that is not
// open is a 409.
func (s *Service) CloseStocktake(ctx context.Context, sc auth.Scope, id int64) (Stocktake, error) {
	now := s.Clock.Now()
	var out Stocktake
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := openTask(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "UPDATE asset_stocktake_items SET result = 'missing' WHERE stocktake_id = ? AND result = 'pending'", id); err != nil {
			return err
		}
		var missing, surplus, missingFen, surplusFen int64
		if err := q.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN result = 'missing' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN result = 'surplus' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN result = 'missing' THEN value_fen ELSE 0 END), 0), COALESCE(SUM(CASE WHEN result = 'surplus' THEN value_fen ELSE 0 END), 0)
			FROM asset_stocktake_items WHERE stocktake_id = ?`, id).Scan(&missing, &surplus, &missingFen, &surplusFen); err != nil {
			return err
		}
		to, line := StocktakeReconciled, "结束盘点：账实相符"
		if missing+surplus > 0 {
			to = StocktakeClosed
			line = fmt.Sprintf("结束盘点：盘亏 %d 项（原值 %.2f 元），盘盈 %d 项（估值 %.2f 元），提交盘点调整待审核", missing, yuan(missingFen), surplus, yuan(surplusFen))
		}
		res, err := q.Exec(ctx, "UPDATE asset_stocktakes SET status = ?, closed_at = ?, updated_at = ? WHERE id = ? AND status = 'open'", to, now.Unix(), now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("盘点任务状态已变化，请刷新后重试")
		}
		if to == StocktakeClosed {
			adj, err := db.InsertID(ctx, q, `INSERT INTO asset_adjustments (stocktake_id, org_id, missing, surplus, missing_fen, surplus_fen, status, created_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING id`, id, before.OrgID, missing, surplus, missingFen, surplusFen, actor(ctx), now.Unix(), now.Unix())
			if err != nil {
				return err
			}
			if err := audit.Record(ctx, q, now, audit.Entry{Action: "asset.adjustment.create", ObjectType: objAdjustment, ObjectID: adj, OrgID: before.OrgID, Success: true,
				Extra: map[string]any{"stocktake_id": id, "missing": missing, "surplus": surplus}}); err != nil {
				return err
			}
		}
		if err := history.Record(ctx, q, now, objStocktake, id, "close", line); err != nil {
			return err
		}
		if out, err = GetStocktake(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "asset.stocktake.close", ObjectType: objStocktake, ObjectID: id, OrgID: before.OrgID, Success: true,
			Before: before, After: out})
	})
	return out, err
}

// dateOf is the business date (Beijing) of an instant.
func dateOf(t time.Time) string { return clock.Today(t) }
