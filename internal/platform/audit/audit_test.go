package audit_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/db/dbtest"
)

func TestChainAndTamper(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t, audit.Migrations)
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	actx := audit.WithActor(ctx, audit.Actor{UserID: 7, Username: "alice", IP: "10.0.0.1"})
	for i := 0; i < 5; i++ {
		err := d.Tx(ctx, func(q db.Q) error {
			return audit.Record(actx, q, now.Add(time.Duration(i)*time.Minute), audit.Entry{
				Action: "org.update", ObjectType: "org", ObjectID: int64(i + 1), Success: true,
				Before: map[string]any{"name": "旧"}, After: map[string]any{"name": "新"}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Tx(ctx, func(q db.Q) error {
		return audit.Record(ctx, q, now, audit.Entry{Action: "auth.login", ObjectKey: "mallory", Success: false, Message: "密码错误"})
	}); err != nil {
		t.Fatal(err)
	}
	n, problems, err := audit.Verify(ctx, d)
	if err != nil || n != 6 || len(problems) != 0 {
		t.Fatalf("Verify on an intact chain = %d, %v, %v", n, problems, err)
	}

	// A rolled-back write leaves no entry and no gap.
	_ = d.Tx(ctx, func(q db.Q) error {
		_ = audit.Record(actx, q, now, audit.Entry{Action: "org.delete", Success: true})
		return context.Canceled
	})
	if _, problems, _ := audit.Verify(ctx, d); len(problems) != 0 {
		t.Fatalf("rollback broke the chain: %v", problems)
	}

	items, total, err := audit.List(ctx, d, audit.Filter{Actor: "alice", Action: "org"})
	if err != nil || total != 5 || items[0].ObjectID != "5" || items[0].Detail["after"] == nil {
		t.Fatalf("List = %+v, %d, %v", items, total, err)
	}
	fail := false
	items, total, _ = audit.List(ctx, d, audit.Filter{Success: &fail})
	if total != 1 || items[0].Action != "auth.login" || items[0].ObjectID != "mallory" {
		t.Fatalf("failed logins = %+v", items)
	}

	// The log refuses edits and deletions.
	if _, err := d.Exec(ctx, "UPDATE audit_log SET actor = 'bob' WHERE id = 2"); err == nil {
		t.Fatal("UPDATE of the audit log succeeded")
	}
	if _, err := d.Exec(ctx, "DELETE FROM audit_log WHERE id = 2"); err == nil {
		t.Fatal("DELETE from the audit log succeeded")
	}

	// Someone with DBA rights drops the guard and edits a row: Verify names it.
	dropGuards(t, d)
	if _, err := d.Exec(ctx, "UPDATE audit_log SET detail = '{}' WHERE id = 3"); err != nil {
		t.Fatal(err)
	}
	_, problems, _ = audit.Verify(ctx, d)
	if len(problems) == 0 || problems[0].ID != 3 {
		t.Fatalf("tampered row 3 not reported: %v", problems)
	}
	if _, err := d.Exec(ctx, "DELETE FROM audit_log WHERE id = 6"); err != nil {
		t.Fatal(err)
	}
	_, problems, _ = audit.Verify(ctx, d)
	last := problems[len(problems)-1]
	if !strings.Contains(last.Reason, "链头") {
		t.Fatalf("deleted tail not reported: %v", problems)
	}
}

func dropGuards(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	for _, s := range []string{"DROP TRIGGER IF EXISTS audit_log_no_update", "DROP TRIGGER IF EXISTS audit_log_no_delete"} {
		if _, err := d.Exec(ctx, s); err != nil {
			// PostgreSQL names the table in DROP TRIGGER.
			break
		}
	}
	_, _ = d.Exec(ctx, "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
}
