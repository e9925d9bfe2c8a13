package module

import (
	"context"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
)

// Object is a kind of record people meet in the activity feed (最近动态): how to name records of it as they are now
// and where each is shown, so the feed reads "登记房间 示范省行政中心 1 号楼 201" with a link, never "房间 #2660".
type Object struct {
	// Type is the audit object type (audit.Entry.ObjectType).
	Type string
	// Names returns the current names of the records with these audit object ids that the scope reaches; records
	// out of scope or gone are left out.
	Names func(ctx context.Context, q db.Q, sc auth.Scope, ids []string) (map[string]string, error)
	// Link is the page of a record ("" when it has none); nil when the type has no pages.
	Link func(id string) string
}

// NamesQuery makes an Object's Names from a query selecting a record's numeric id and its name: sel is
// "SELECT r.id, b.name || ' ' || r.number FROM space_rooms r JOIN buildings b ON b.id = r.building_id", idCol the
// id column ("r.id") and orgCol the owning unit's column the scope applies to ("r.org_id").
func NamesQuery(sel, idCol, orgCol string) func(ctx context.Context, q db.Q, sc auth.Scope, ids []string) (map[string]string, error) {
	return func(ctx context.Context, q db.Q, sc auth.Scope, ids []string) (map[string]string, error) {
		var args []any
		for _, id := range ids {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil && n > 0 {
				args = append(args, n)
			}
		}
		out := map[string]string{}
		if len(args) == 0 {
			return out, nil
		}
		cond, cargs := sc.OrgCond(orgCol)
		query := sel + " WHERE " + idCol + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ") + ") AND " + cond
		rows, err := q.Query(ctx, query, append(args, cargs...)...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				return nil, err
			}
			out[strconv.FormatInt(id, 10)] = name
		}
		return out, rows.Err()
	}
}

// LinkTo links a numeric id under prefix ("/space/rooms/" → "/space/rooms/12"); other ids have no page.
func LinkTo(prefix string) func(id string) string {
	return func(id string) string {
		if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 {
			return ""
		}
		return prefix + id
	}
}
