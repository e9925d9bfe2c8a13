package db_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/db/dbtest"
)

func testMigrations(t *testing.T) db.Migrations {
	sub, err := fs.Sub(os.DirFS("testdata"), "migrations")
	if err != nil {
		t.Fatal(err)
	}
	return db.Migrations{Module: "test", FS: sub}
}

func TestRebind(t *testing.T) {
	cases := map[string]string{
		"SELECT * FROM t WHERE a = ? AND b = ?":         "SELECT * FROM t WHERE a = $1 AND b = $2",
		"SELECT '?' , \"a?\" FROM t WHERE x = ?":        "SELECT '?' , \"a?\" FROM t WHERE x = $1",
		"SELECT 'it''s ?' WHERE y = ? -- what?\n AND ?": "SELECT 'it''s ?' WHERE y = $1 -- what?\n AND $2",
		"no params": "no params",
	}
	for in, want := range cases {
		if got := db.Rebind(in); got != want {
			t.Errorf("Rebind(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMigrateTxAndHelpers(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Empty(t)
	m := testMigrations(t)
	n, err := db.Migrate(ctx, d, m)
	if err != nil || n != 2 {
		t.Fatalf("first migrate = %d, %v; want 2 applied", n, err)
	}
	if n, err := db.Migrate(ctx, d, m); err != nil || n != 0 {
		t.Fatalf("second migrate = %d, %v; want 0 applied", n, err)
	}
	if p, err := db.Pending(ctx, d, m); err != nil || len(p) != 0 {
		t.Fatalf("pending = %v, %v", p, err)
	}

	// Nested transactions join the outer one: an error at the end rolls back the inner write too.
	boom := errors.New("boom")
	err = d.Tx(ctx, func(q db.Q) error {
		if err := q.Tx(ctx, func(q db.Q) error {
			_, err := q.Exec(ctx, "INSERT INTO things (name, path) VALUES (?, ?)", "inner", "/1/")
			return err
		}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("tx err = %v", err)
	}
	if c, _ := db.Count(ctx, d, "SELECT COUNT(*) FROM things"); c != 0 {
		t.Fatalf("rolled-back insert is visible: %d rows", c)
	}

	for _, p := range []string{"/1/", "/1/5/", "/1/5/23/", "/1/50/", "/1/5a/", "/1/6/", "/2/"} {
		if _, err := d.Exec(ctx, "INSERT INTO things (name, path) VALUES (?, ?)", "n"+p, p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Strings(ctx, d, "SELECT path FROM things WHERE path >= ? AND path < ? ORDER BY path", "/1/5/", db.PrefixUpper("/1/5/"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "/1/5/" || got[1] != "/1/5/23/" {
		t.Fatalf("subtree range = %v, want [/1/5/ /1/5/23/]", got)
	}

	_, err = d.Exec(ctx, "INSERT INTO things (name) VALUES (?)", "n/2/")
	if !db.IsUnique(err) {
		t.Fatalf("duplicate insert: IsUnique(%v) = false", err)
	}
	id, err := db.InsertID(ctx, d, "INSERT INTO things (name, data) VALUES (?, ?) RETURNING id", "blob", []byte{0, 1, 2})
	if err != nil || id == 0 {
		t.Fatalf("InsertID = %d, %v", id, err)
	}
	var data []byte
	if err := d.QueryRow(ctx, "SELECT data FROM things WHERE id = ?", id).Scan(&data); err != nil || len(data) != 3 {
		t.Fatalf("blob round trip = %v, %v", data, err)
	}
	pat := db.LikeContains("50%_x")
	if pat != `%50\%\_x%` {
		t.Fatalf("LikeContains = %q", pat)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := db.Open(ctx, "", db.Options{}); err == nil {
		t.Fatal("empty dsn accepted")
	}
	f := t.TempDir() + "/notadb"
	if err := os.WriteFile(f, []byte("this is not a database file at all, just some text padding padding padding"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Open(ctx, f, db.Options{}); err == nil {
		t.Fatal("a text file opened as a database")
	}
}
