package history_test

import (
	"context"
	"testing"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db/dbtest"
	"github.com/govops/govops/internal/platform/history"
)

// TestWho: a history line names the person by the display name they had when they made the change; the system's
// own work (no display name) by its username.
func TestWho(t *testing.T) {
	d := dbtest.New(t, history.Migrations)
	ctx := context.Background()
	now := time.Date(2026, 11, 16, 2, 0, 0, 0, time.UTC)
	person := audit.WithActor(ctx, audit.Actor{UserID: 7, Username: "employee", Name: "吴超"})
	system := audit.WithActor(ctx, audit.Actor{Username: "system"})
	if err := history.Record(person, d, now, "fleet_trip", 1, "submit", "提交用车申请"); err != nil {
		t.Fatal(err)
	}
	if err := history.Record(system, d, now.Add(time.Minute), "fleet_trip", 1, "remind", "到期提醒"); err != nil {
		t.Fatal(err)
	}
	l, err := history.List(ctx, d, "fleet_trip", 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 2 || l[0].Who() != "system" || l[1].Who() != "吴超" || l[1].Actor != "employee" {
		t.Fatalf("history %+v", l)
	}
}
