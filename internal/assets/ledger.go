package assets

import (
	"context"
	"sort"
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
		c, a := db.Contains(f.List.Q, col("code"), col("name"), col("brand"), col("model"))
		w, args = w+" AND "+c, append(args, a...)
		text = true
	}
	return w, args, text, nil
}

// ledgerCount is the number of cards the filter matches: a sum over asset_tallies, or a count of the cards when the
// filter searches text.
func ledgerCount(ctx context.Context, q db.Q, sc auth.Scope, f Filter) (total int64, err error) {
	if f.List.Q == "" {
		w, args, _, err := ledgerCond(ctx, q, sc, f, "t")
		if err != nil {
			return 0, err
		}
		return db.Count(ctx, q, "SELECT COALESCE(SUM(t.n), 0) FROM asset_tallies t"+w, args...)
	}
	w, args, _, err := ledgerCond(ctx, q, sc, f, "a")
	if err != nil {
		return 0, err
	}
	return db.Count(ctx, q, "SELECT COUNT(*) FROM assets a"+w, args...)
}

// ledgerRows loads one page of the filter in order: the ids from the index, then the rows. In the default order
// (by number) near the start of the list, each unit that holds matching cards (asset_tallies says which) gives its
// first offset+size matching ids from the covering index assets_ledger (unit, number, status, class) — a short
// walk in number order — and the units' lists are merged; otherwise one query sorts every matching entry.
func ledgerRows(ctx context.Context, q db.Q, sc auth.Scope, f Filter) ([]Asset, error) {
	order := f.List.OrderBy(map[string]string{"code": "a.code", "name": "a.name", "acquired": "a.acquired_on", "value": "a.value_fen", "org": "a.org_id, a.code"}, "a.code")
	w, args, _, err := ledgerCond(ctx, q, sc, f, "a")
	if err != nil {
		return nil, err
	}
	if order == "a.code" && f.List.Q == "" && f.List.Offset()+f.List.PageSize <= 1000 {
		ids, err := ledgerMerge(ctx, q, sc, f)
		if err != nil {
			return nil, err
		}
		return ledgerLoad(ctx, q, ids)
	}
	ids, err := db.Int64s(ctx, q, "SELECT a.id FROM assets a"+w+" ORDER BY "+order+", a.id LIMIT ? OFFSET ?", append(args, f.List.PageSize, f.List.Offset())...)
	if err != nil {
		return nil, err
	}
	return ledgerLoad(ctx, q, ids)
}

// ledgerMerge is the page's ids in number order, unit by unit (see ledgerRows).
func ledgerMerge(ctx context.Context, q db.Q, sc auth.Scope, f Filter) ([]int64, error) {
	tw, targs, _, err := ledgerCond(ctx, q, sc, f, "t")
	if err != nil {
		return nil, err
	}
	units, err := db.Int64s(ctx, q, "SELECT DISTINCT t.org_id FROM asset_tallies t"+tw+" AND t.n > 0", targs...)
	if err != nil {
		return nil, err
	}
	type entry struct {
		code string
		id   int64
	}
	var all []entry
	need := f.List.Offset() + f.List.PageSize
	one := f
	one.OrgID = 0
	w, args, _, err := ledgerCond(ctx, q, auth.Everything(), one, "a")
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		es, err := db.Select(ctx, q, func(s db.Scanner) (entry, error) {
			var e entry
			err := s.Scan(&e.code, &e.id)
			return e, err
		}, "SELECT a.code, a.id FROM assets a"+w+" AND a.org_id = ? ORDER BY a.code, a.id LIMIT ?", append(append([]any{}, args...), u, need)...)
		if err != nil {
			return nil, err
		}
		all = append(all, es...)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].code != all[j].code {
			return all[i].code < all[j].code
		}
		return all[i].id < all[j].id
	})
	var ids []int64
	for i := f.List.Offset(); i < min(need, len(all)); i++ {
		ids = append(ids, all[i].id)
	}
	return ids, nil
}

// ledgerLoad loads the cards of ids with their joins, in the order of ids.
func ledgerLoad(ctx context.Context, q db.Q, ids []int64) ([]Asset, error) {
	if len(ids) == 0 {
		return nil, nil
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
