package assets

import (
	"context"
	"sort"
	"strings"

	"github.com/govops/govops/internal/platform/db"
)

// depreciationGroups is the set-based half of the depreciation report (docs/benchmarks.md §Assets): the database
// depreciates every card of w as Compute does — m months since the month of acquisition, m × (value / life) in
// integer fen (division rounded down), the whole value once m reaches the life — and sums per unit, walking the
// covering index assets_depreciation in unit order (no sort); the month's amount is the accumulated amount less
// the one a month earlier. Integer fen throughout, so the report matches Compute card by card to the fen.
func depreciationGroups(ctx context.Context, q db.Q, w string, args []any, asOf string) (Report, error) {
	rep := Report{AsOf: asOf}
	now, _ := monthIndex(asOf)
	var prevAcc int64
	// m: the months from the month of acquisition to asOf's (never negative: the cards are acquired by asOf).
	m := "CAST(? AS BIGINT) - (CAST(substr(a.acquired_on, 1, 4) AS BIGINT) * 12 + CAST(substr(a.acquired_on, 6, 2) AS BIGINT) - 1)"
	rows, err := q.Query(ctx, `SELECT x.org_id, COUNT(*), CAST(SUM(x.v) AS BIGINT),
		CAST(SUM(CASE WHEN x.m >= x.l THEN x.v ELSE x.m * (x.v / x.l) END) AS BIGINT),
		CAST(SUM(CASE WHEN x.m - 1 >= x.l THEN x.v WHEN x.m <= 1 THEN 0 ELSE (x.m - 1) * (x.v / x.l) END) AS BIGINT),
		SUM(CASE WHEN x.m >= x.l THEN 1 ELSE 0 END)
		FROM (SELECT a.org_id, a.value_fen AS v, a.life_months AS l, `+m+` AS m FROM assets a`+w+`) x GROUP BY x.org_id`, append([]any{int64(now)}, args...)...)
	if err != nil {
		return rep, err
	}
	defer rows.Close()
	at := map[int64]int{}
	for rows.Next() {
		var l ReportLine
		if err := rows.Scan(&l.OrgID, &l.Count, &l.valueFen, &l.accFen, &prevAcc, &l.Fully); err != nil {
			return rep, err
		}
		l.monthFen = l.accFen - prevAcc
		at[l.OrgID] = len(rep.Lines)
		rep.Lines = append(rep.Lines, l)
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	rows.Close()
	if len(rep.Lines) == 0 {
		return rep, nil
	}
	// The units' names and their order in the tree.
	ids := make([]any, 0, len(rep.Lines))
	for _, l := range rep.Lines {
		ids = append(ids, l.OrgID)
	}
	paths := map[int64]string{}
	orgs, err := q.Query(ctx, "SELECT id, name, path FROM orgs WHERE id IN ("+strings.Repeat("?, ", len(ids)-1)+"?)", ids...)
	if err != nil {
		return rep, err
	}
	defer orgs.Close()
	for orgs.Next() {
		var id int64
		var name, path string
		if err := orgs.Scan(&id, &name, &path); err != nil {
			return rep, err
		}
		rep.Lines[at[id]].OrgName, paths[id] = name, path
	}
	if err := orgs.Err(); err != nil {
		return rep, err
	}
	sort.SliceStable(rep.Lines, func(i, j int) bool {
		a, b := rep.Lines[i], rep.Lines[j]
		if paths[a.OrgID] != paths[b.OrgID] {
			return paths[a.OrgID] < paths[b.OrgID]
		}
		return a.OrgID < b.OrgID
	})
	return rep, nil
}
