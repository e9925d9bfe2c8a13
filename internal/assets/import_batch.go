package assets

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/history"
)

// insertMany writes checked cards as insert does, for an import (docs/benchmarks.md §Assets): each unit's numbers
// are reserved at once, the cards go in multi-row inserts that return their ids by number, then each card gets its
// first history line.
func (s *Service) insertMany(ctx context.Context, q db.Q, now time.Time, ins []Input) error {
	per := map[int64]int{}
	for _, in := range ins {
		per[in.OrgID]++
	}
	next := map[int64]int64{}
	for org, n := range per {
		first, err := nextCodes(ctx, q, org, n)
		if err != nil {
			return err
		}
		next[org] = first
	}
	const batch = 200
	codes := make([]string, len(ins))
	for start := 0; start < len(ins); start += batch {
		end := min(start+batch, len(ins))
		var sb strings.Builder
		sb.WriteString(strings.TrimSuffix(strings.SplitAfter(insertAsset, "VALUES ")[0], " "))
		var args []any
		idx := map[string]int{}
		for i := start; i < end; i++ {
			in := ins[i]
			codes[i] = AssetCode(in.OrgID, next[in.OrgID])
			next[in.OrgID]++
			idx[codes[i]] = i
			if i > start {
				sb.WriteString(",")
			}
			sb.WriteString(" (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(append(append(args, in.OrgID, codes[i]), in.args()...), now.Unix(), now.Unix())
		}
		sb.WriteString(" RETURNING id, code")
		rows, err := q.Query(ctx, sb.String(), args...)
		if err != nil {
			return err
		}
		ids := make([]int64, end-start)
		for rows.Next() {
			var id int64
			var code string
			if err := rows.Scan(&id, &code); err != nil {
				rows.Close()
				return err
			}
			ids[idx[code]-start] = id
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
		for i := start; i < end; i++ {
			in := ins[i]
			line := fmt.Sprintf("登记资产 %s %s（%s，价值 %.2f 元）", codes[i], in.Name, Acquisitions.Name(in.Acquisition), in.ValueYuan)
			if err := history.Record(ctx, q, now, objAsset, ids[i-start], "create", line); err != nil {
				return err
			}
		}
	}
	return nil
}
