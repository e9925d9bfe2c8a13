// Package audit is the append-only, hash-chained log of every write, sign-in (success and failure), permission
// change, export and sensitive read (等保 2.0 安全审计 a–c). Each entry's hash covers the previous entry's hash, so
// an edited, deleted or reordered row breaks the chain and `govops verify-audit` names it. Entries are written in
// the same transaction as the change they describe.
package audit

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/db"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations creates the audit tables.
var Migrations = db.Migrations{Module: "audit", FS: must(fs.Sub(migrationsFS, "migrations"))}

func must(f fs.FS, err error) fs.FS {
	if err != nil {
		panic(err)
	}
	return f
}

// Actor is who does something: a user, or the system itself (jobs, the demo loader).
type Actor struct {
	UserID   int64
	Username string
	Name     string // the display name, for the business history (empty for system actors: the username is shown)
	IP       string
}

// System is the actor of work no user started.
var System = Actor{Username: "system"}

type ctxKey struct{}

// WithActor attaches the acting user to ctx; Record reads it.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// ActorFrom returns the actor of ctx (System when none).
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(ctxKey{}).(Actor); ok {
		return a
	}
	return System
}

// Entry is one thing to record. Before/After are snapshots of the object (any JSON-able value).
type Entry struct {
	Action     string // e.g. "org.create", "auth.login", "person.export"
	ObjectType string
	ObjectID   int64
	ObjectKey  string // used when the object has no integer id
	OrgID      int64  // the unit the object belongs to, when known
	Success    bool
	Before     any
	After      any
	Message    string
	Extra      map[string]any
}

// Record appends e, as done by the actor in ctx at now, inside q's transaction.
func Record(ctx context.Context, q db.Q, now time.Time, e Entry) error {
	actor := ActorFrom(ctx)
	detail := map[string]any{}
	if e.Before != nil {
		detail["before"] = e.Before
	}
	if e.After != nil {
		detail["after"] = e.After
	}
	if e.Message != "" {
		detail["message"] = e.Message
	}
	for k, v := range e.Extra {
		detail[k] = v
	}
	dj, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit detail: %w", err)
	}
	objID := e.ObjectKey
	if e.ObjectID != 0 {
		objID = strconv.FormatInt(e.ObjectID, 10)
	}
	return q.Tx(ctx, func(q db.Q) error {
		var seq int64
		var prev string
		if err := q.QueryRow(ctx, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash").Scan(&seq, &prev); err != nil {
			return fmt.Errorf("audit head: %w", err)
		}
		row := Row{ID: seq, At: now.Unix(), ActorID: actor.UserID, Actor: actor.Username, IP: actor.IP, Action: e.Action,
			ObjectType: e.ObjectType, ObjectID: objID, OrgID: e.OrgID, Success: e.Success, Detail: string(dj), PrevHash: prev}
		row.Hash = row.computeHash()
		if _, err := q.Exec(ctx, `INSERT INTO audit_log (id, at, actor_id, actor, ip, action, object_type, object_id, org_id, success, detail, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			row.ID, row.At, db.NullInt(row.ActorID), row.Actor, row.IP, row.Action, row.ObjectType, row.ObjectID, db.NullInt(row.OrgID),
			row.Success, row.Detail, row.PrevHash, row.Hash); err != nil {
			return fmt.Errorf("audit insert: %w", err)
		}
		_, err := q.Exec(ctx, "UPDATE audit_head SET last_hash = ? WHERE id = 1", row.Hash)
		return err
	})
}

// Row is a stored entry.
type Row struct {
	ID         int64
	At         int64
	ActorID    int64
	Actor      string
	IP         string
	Action     string
	ObjectType string
	ObjectID   string
	OrgID      int64
	Success    bool
	Detail     string
	PrevHash   string
	Hash       string
}

func (r Row) computeHash() string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x1f%d\x1f%d\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%d\x1f%t\x1f%s\x1f%s",
		r.ID, r.At, r.ActorID, r.Actor, r.IP, r.Action, r.ObjectType, r.ObjectID, r.OrgID, r.Success, r.Detail, r.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

func scanRow(s db.Scanner) (Row, error) {
	var r Row
	var actorID, orgID *int64
	err := s.Scan(&r.ID, &r.At, &actorID, &r.Actor, &r.IP, &r.Action, &r.ObjectType, &r.ObjectID, &orgID, &r.Success, &r.Detail, &r.PrevHash, &r.Hash)
	if actorID != nil {
		r.ActorID = *actorID
	}
	if orgID != nil {
		r.OrgID = *orgID
	}
	return r, err
}

const rowCols = "id, at, actor_id, actor, ip, action, object_type, object_id, org_id, success, detail, prev_hash, hash"

// Problem is a broken link found by Verify.
type Problem struct {
	ID     int64
	Reason string
}

// Verify walks the whole chain and reports every entry whose hash, link or sequence is wrong, and whether the head
// matches the last entry. It reads in batches so it runs in constant memory.
func Verify(ctx context.Context, q db.Q) (checked int64, problems []Problem, err error) {
	var prev string
	var lastID int64
	for {
		rows, err := db.Select(ctx, q, scanRow, "SELECT "+rowCols+" FROM audit_log WHERE id > ? ORDER BY id LIMIT 5000", lastID)
		if err != nil {
			return checked, problems, err
		}
		if len(rows) == 0 {
			break
		}
		for _, r := range rows {
			if r.ID != lastID+1 {
				problems = append(problems, Problem{r.ID, fmt.Sprintf("序号不连续：%d 之后是 %d（有记录被删除）", lastID, r.ID)})
			}
			if r.PrevHash != prev {
				problems = append(problems, Problem{r.ID, "与前一条记录的哈希链接不符"})
			}
			if r.computeHash() != r.Hash {
				problems = append(problems, Problem{r.ID, "记录内容与其哈希不符（内容被篡改）"})
			}
			prev, lastID = r.Hash, r.ID
			checked++
		}
	}
	var seq int64
	var head string
	if err := q.QueryRow(ctx, "SELECT seq, last_hash FROM audit_head WHERE id = 1").Scan(&seq, &head); err != nil {
		return checked, problems, err
	}
	if seq != lastID || head != prev {
		problems = append(problems, Problem{lastID, fmt.Sprintf("链头记录为第 %d 条，实际最后一条为第 %d 条（末尾记录被删除或篡改）", seq, lastID)})
	}
	return checked, problems, nil
}

// Filter selects entries for the audit administrator's list.
type Filter struct {
	Actor, Action string
	From, To      time.Time // To is exclusive
	Success       *bool
	Offset, Limit int
}

// Item is an entry in the API shape (docs/api.md §Organisation spine: GET /api/v1/audit).
type Item struct {
	ID         int64          `json:"id"`
	Time       time.Time      `json:"time"`
	Actor      string         `json:"actor"`
	ActorID    int64          `json:"actor_id,omitempty"`
	IP         string         `json:"ip,omitempty"`
	Action     string         `json:"action"`
	ObjectType string         `json:"object_type"`
	ObjectID   string         `json:"object_id"`
	Success    bool           `json:"success"`
	Detail     map[string]any `json:"detail"`
}

// List returns entries, newest first, and the total matching.
func List(ctx context.Context, q db.Q, f Filter) ([]Item, int64, error) {
	var where []string
	var args []any
	if f.Actor != "" {
		where = append(where, "actor = ?")
		args = append(args, f.Actor)
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") || !strings.Contains(f.Action, ".") {
			where = append(where, "action LIKE ? ESCAPE '\\'")
			args = append(args, db.LikePrefix(strings.TrimSuffix(f.Action, ".")+"."))
		} else {
			where = append(where, "action = ?")
			args = append(args, f.Action)
		}
	}
	if !f.From.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, f.From.Unix())
	}
	if !f.To.IsZero() {
		where = append(where, "at < ?")
		args = append(args, f.To.Unix())
	}
	if f.Success != nil {
		where = append(where, "success = ?")
		args = append(args, *f.Success)
	}
	w := ""
	if len(where) > 0 {
		w = " WHERE " + strings.Join(where, " AND ")
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM audit_log"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	rows, err := db.Select(ctx, q, scanRow, "SELECT "+rowCols+" FROM audit_log"+w+" ORDER BY id DESC LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	items := make([]Item, 0, len(rows))
	for _, r := range rows {
		it := Item{ID: r.ID, Time: time.Unix(r.At, 0).UTC(), Actor: r.Actor, ActorID: r.ActorID, IP: r.IP, Action: r.Action,
			ObjectType: r.ObjectType, ObjectID: r.ObjectID, Success: r.Success, Detail: map[string]any{}}
		_ = json.Unmarshal([]byte(r.Detail), &it.Detail)
		items = append(items, it)
	}
	return items, total, nil
}

// Recent returns the latest successful business entries: everyone's when all is true (wide-scope users),
// otherwise those done by actorID (the home page's "recent activity").
func Recent(ctx context.Context, q db.Q, limit int, all bool, actorID int64) ([]Item, error) {
	where := "success = TRUE AND action NOT LIKE 'auth.%'"
	var args []any
	if !all {
		where += " AND actor_id = ?"
		args = append(args, actorID)
	}
	rows, err := db.Select(ctx, q, scanRow, "SELECT "+rowCols+" FROM audit_log WHERE "+where+" ORDER BY id DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, err
	}
	items := make([]Item, 0, len(rows))
	for _, r := range rows {
		it := Item{ID: r.ID, Time: time.Unix(r.At, 0).UTC(), Actor: r.Actor, Action: r.Action, ObjectType: r.ObjectType, ObjectID: r.ObjectID, Success: r.Success}
		_ = json.Unmarshal([]byte(r.Detail), &it.Detail)
		items = append(items, it)
	}
	return items, nil
}
