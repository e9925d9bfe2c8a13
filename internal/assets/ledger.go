package assets

import (
	"context"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// The ledger at scale (docs/benchmarks.md §Assets): the filter is one condition written over an alias, so the same
// filter counts from asset_tallies (the card counts per unit, class and status the triggers of
// migrations/0003_standards_report.sql keep) and pages through the covering index assets_ledger (unit, status,
// class, number): the page's ids first, then only those rows with their joins.

// ledgerCond is the filter's condition over the columns of alias (assets or asset_tallies; a text search needs the
// assets table, text reports whether it has one).
func ledgerCond(ctx context.Context, q db.Q, sc auth.Scope, f Filter, alias string) (w string, args []any, text bool, err error) {
	col := func(c string) string { return alias + "." + c }
	if alias == "walk" {
		col = func(c string) string {
			if c == "org_id" {
				return "(a.org_id + 0)"
			}
			return "(a." + c + " || '')"
		}
	}
	cond, args := sc.OrgCond(col("org_id"))
	w = " WHERE " + cond
	if f.OrgID > 0 {
		c, a, err := subtreeCond(ctx, q, sc, f.OrgID, col("org_id"))
		if err != nil {
			return "", nil, false, err
		}
		w, args = w+" AND "+c, append(args, a...)
	}
	switch f.Status {
	case "":
		w += " AND " + col("status") + " <> 'disposed'"
	case "all":
	default:
		if !Statuses.Has(f.Status) {
			return "", nil, false, errs.Invalid("status", "状态应为 "+Statuses.Described()+" 或 all")
		}
		w, args = w+" AND "+col("status")+" = ?", append(args, f.Status)
	}
	if f.Class != "" {
		if Ancestors(f.Class) == nil {
			return "", nil, false, errs.Invalid("class_code", "资产分类代码应为 1 个大写字母加 8 位数字")
		}
		// The class and everything below it: a prefix range on the code without its trailing zero levels.
		prefix := f.Class
		for len(prefix) > 3 && prefix[len(prefix)-2:] == "00" {
			prefix = prefix[:len(prefix)-2]
		}
		w, args = w+" AND "+col("class_code")+" >= ? AND "+col("class_code")+" < ?", append(args, prefix, db.PrefixUpper(prefix))
	}
	if f.List.Q != "" {
		like := db.LikeContains(f.List.Q)
		w += ` AND (` + col("code") + ` LIKE ? ESCAPE '\' OR ` + col("name") + ` LIKE ? ESCAPE '\' OR ` + col("brand") + ` LIKE ? ESCAPE '\' OR ` +
			col("model") + ` LIKE ? ESCAPE '\')`
		args = append(args, like, like, like, like)
		text = true
	}
	return w, args, text, nil
}

// ledgerCount is the number of cards the filter matches — a sum over asset_tallies, or a count of the cards when
// the filter searches text — and the number of cards in the scope.
func ledgerCount(ctx context.Context, q db.Q, sc auth.Scope, f Filter) (total, all int64, err error) {
	cond, args := sc.OrgCond("t.org_id")
	if all, err = db.Count(ctx, q, "SELECT COALESCE(SUM(t.n), 0) FROM asset_tallies t WHERE "+cond, args...); err != nil {
		return 0, 0, err
	}
	if f.List.Q == "" {
		w, args, _, err := ledgerCond(ctx, q, sc, f, "t")
		if err != nil {
			return 0, 0, err
		}
		total, err = db.Count(ctx, q, "SELECT COALESCE(SUM(t.n), 0) FROM asset_tallies t"+w, args...)
		return total, all, err
	}
	w, args, _, err := ledgerCond(ctx, q, sc, f, "a")
	if err != nil {
		return 0, 0, err
	}
	total, err = db.Count(ctx, q, "SELECT COUNT(*) FROM assets a"+w, args...)
	return total, all, err
}

// ledgerRows loads one page of the filter in order: the ids from an index, then the rows. total is the filter's
// count and all the count of the scope's cards: when the filter keeps at least one card in fifty and the page is
// near the start, walking the number index in order finds the page after a few thousand entries, so the
// conditions are written to keep the planner off the unit index (col+0, col||”: the same meaning, no index);
// otherwise the unit index gives exactly the matching entries, sorted for the page.
func ledgerRows(ctx context.Context, q db.Q, sc auth.Scope, f Filter, total, all int64) ([]Asset, error) {
	order := f.List.OrderBy(map[string]string{"code": "a.code", "name": "a.name", "acquired": "a.acquired_on", "value": "a.value_fen", "org": "a.org_id, a.code"}, "a.code")
	alias := "a"
	if order == "a.code" && f.List.Q == "" && total*50 >= all && int64(f.List.Offset()+f.List.PageSize)*50 <= 20000 {
		alias = "walk"
	}
	w, args, _, err := ledgerCond(ctx, q, sc, f, alias)
	if err != nil {
		return nil, err
	}
	ids, err := db.Int64s(ctx, q, "SELECT a.id FROM assets a"+w+" ORDER BY "+order+", a.id LIMIT ? OFFSET ?", append(args, f.List.PageSize, f.List.Offset())...)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	in := make([]any, len(ids))
	for i, id := range ids {
		in[i] = id
	}
	rows, err := db.Select(ctx, q, scanAsset, "SELECT "+assetCols+assetFrom+" WHERE a.id IN ("+strings.Repeat("?, ", len(ids)-1)+"?)", in...)
	if err != nil {
		return nil, err
	}
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	out := make([]Asset, len(ids))
	n := 0
	for _, r := range rows {
		out[at[r.ID]] = r
		n++
	}
	return out[:n], nil
}
