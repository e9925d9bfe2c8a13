// Package history keeps the business change history shown on detail pages ("历史" tabs) to everyone who may see
// the object — unlike the audit log, which only the audit administrator reads.
package history

import (
	"context"
	"embed"
	"fmt"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations creates the history table.
var Migrations = db.Embedded("history", migrationsFS)

// Entry is one line of an object's history.
type Entry struct {
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`                // the username
	ActorName string    `json:"actor_name,omitempty"` // the display name when the change was made
	Action    string    `json:"action"`
	Summary   string    `json:"summary"`
}

// Record appends a history line for an object, by the actor in ctx.
func Record(ctx context.Context, q db.Q, now time.Time, objectType string, objectID int64, action, summary string) error {
	a := audit.ActorFrom(ctx)
	_, err := q.Exec(ctx, "INSERT INTO object_history (object_type, object_id, at, actor, actor_name, action, summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
		objectType, objectID, now.Unix(), a.Username, a.Name, action, summary)
	return err
}

// Who names the person behind an entry: the display name, else the username.
func (e Entry) Who() string {
	if e.ActorName != "" {
		return e.ActorName
	}
	return e.Actor
}

// List returns an object's history, newest first.
func List(ctx context.Context, q db.Q, objectType string, objectID int64, limit int) ([]Entry, error) {
	return db.Select(ctx, q, func(s db.Scanner) (Entry, error) {
		var e Entry
		var at int64
		err := s.Scan(&at, &e.Actor, &e.ActorName, &e.Action, &e.Summary)
		e.At = time.Unix(at, 0).UTC()
		return e, err
	}, "SELECT at, actor, actor_name, action, summary FROM object_history WHERE object_type = ? AND object_id = ? ORDER BY id DESC LIMIT ?", objectType, objectID, limit)
}

// Diff describes the changed fields between two snapshots as "字段：旧 → 新；…", using labels for field names.
// Fields are compared by their printed value; labels fixes the order.
func Diff(labels [][2]string, before, after map[string]any) string {
	var parts []string
	for _, l := range labels {
		b, a := fmt.Sprint(before[l[0]]), fmt.Sprint(after[l[0]])
		if b == a {
			continue
		}
		if b == "" || b == "<nil>" {
			b = "（空）"
		}
		if a == "" || a == "<nil>" {
			a = "（空）"
		}
		parts = append(parts, l[1]+"："+b+" → "+a)
	}
	return strings.Join(parts, "；")
}
