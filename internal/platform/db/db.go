// Package db is the database kit: one API over SQLite (pure Go, modernc.org/sqlite) and PostgreSQL (pgx), with
// placeholders written once (`?`), transactions that compose, embedded forward-only migrations per module, and the
// few dialect helpers the rest of the code may use. Nothing outside this package asks which dialect it runs on.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the SQL engine behind a DB. Only the kit branches on it.
type Dialect int

// The supported engines.
const (
	SQLite Dialect = iota + 1
	Postgres
)

func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return "unknown"
}

// Q is what store functions take: a database or a transaction. Both rewrite `?` placeholders for the engine.
type Q interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	// Tx runs fn in a transaction; called on a transaction it joins it, so transactions compose.
	Tx(ctx context.Context, fn func(Q) error) error
	// Dialect is for the kit's own helpers; modules must not branch on it.
	Dialect() Dialect
}

// DB is an open database.
type DB struct {
	SQL     *sql.DB
	dialect Dialect
	rebind  sync.Map // query string → rewritten query (PostgreSQL only)
	DSN     string   // the connection string as given, secrets included; never log it

	stmts     sync.Map // query → *sql.Stmt, prepared once and reused on every connection
	nstmts    atomic.Int32
	preparing sync.Map // query → struct{}: a statement being prepared in the background for a transaction
}

// maxStmts bounds the statement cache; queries beyond it run unprepared.
const maxStmts = 2000

// stmt returns a cached prepared statement for a parameterised query, or nil when it should run unprepared:
// queries without arguments are never prepared (a migration is several statements in one string, and preparing
// would run only the first).
func (db *DB) stmt(ctx context.Context, query string, nargs int) *sql.Stmt {
	if nargs == 0 {
		return nil
	}
	if v, ok := db.stmts.Load(query); ok {
		return v.(*sql.Stmt)
	}
	if db.nstmts.Load() >= maxStmts {
		return nil
	}
	st, err := db.SQL.PrepareContext(ctx, query)
	if err != nil {
		return nil // let the plain call report the error
	}
	if actual, loaded := db.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return actual.(*sql.Stmt)
	}
	db.nstmts.Add(1)
	return st
}

// txStmt is stmt for a statement inside a transaction: a statement not prepared yet runs unprepared this time and
// is prepared in the background for the next. Preparing needs a connection of its own from the pool; a
// transaction that waited for one while holding its own could wait forever when every connection is held by such
// transactions (50 concurrent dispatches of one vehicle on PostgreSQL did).
func (db *DB) txStmt(query string, nargs int) *sql.Stmt {
	if nargs == 0 {
		return nil
	}
	if v, ok := db.stmts.Load(query); ok {
		return v.(*sql.Stmt)
	}
	if db.nstmts.Load() < maxStmts {
		if _, busy := db.preparing.LoadOrStore(query, struct{}{}); !busy {
			go func() {
				defer db.preparing.Delete(query)
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				db.stmt(ctx, query, nargs)
			}()
		}
	}
	return nil
}

// Options tune Open.
type Options struct {
	MaxOpenConns int
	// SearchPath selects a PostgreSQL schema (used by tests to isolate each test in its own schema).
	SearchPath string
}

// Open connects to "sqlite:<path>", a bare file path, or a "postgres://" / "postgresql://" URL, and checks that
// the database answers. A SQLite file is created (with its directory) when missing.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	dsn = strings.TrimSpace(dsn)
	if dsn == "" {
		return nil, errors.New("数据库连接串为空 (--db / GOVOPS_DB)")
	}
	var (
		driver, conn string
		d            Dialect
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		driver, d = "pgx", Postgres
		conn = dsn
		if opt.SearchPath != "" {
			u, err := url.Parse(dsn)
			if err != nil {
				return nil, fmt.Errorf("PostgreSQL 连接串无法解析: %w", err)
			}
			qv := u.Query()
			qv.Set("search_path", opt.SearchPath)
			u.RawQuery = qv.Encode()
			conn = u.String()
		}
	default:
		driver, d = "sqlite", SQLite
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "sqlite:")
		if path == "" {
			return nil, errors.New("SQLite 数据库文件路径为空")
		}
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("无法创建数据库目录 %s: %w", dir, err)
			}
		}
		conn = "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(15000)" +
			"&_pragma=synchronous(FULL)&_txlock=immediate&_time_format=sqlite"
	}
	sdb, err := sql.Open(driver, conn)
	if err != nil {
		return nil, err
	}
	n := opt.MaxOpenConns
	if n <= 0 {
		n = 4 * runtime.GOMAXPROCS(0)
		if n < 8 {
			n = 8
		}
	}
	sdb.SetMaxOpenConns(n)
	sdb.SetMaxIdleConns(n)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sdb.PingContext(pctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("无法连接数据库: %w", err)
	}
	db := &DB{SQL: sdb, dialect: d, DSN: dsn}
	if d == SQLite {
		// A file that is not a database fails here rather than on first use.
		var mode string
		if err := sdb.QueryRowContext(pctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			sdb.Close()
			return nil, fmt.Errorf("无法打开 SQLite 数据库: %w", err)
		}
	}
	return db, nil
}

// Close closes the pool.
func (db *DB) Close() error {
	db.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	return db.SQL.Close()
}

// Dialect reports the engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// Ping checks that the database answers (used by /readyz).
func (db *DB) Ping(ctx context.Context) error { return db.SQL.PingContext(ctx) }

func (db *DB) q(query string) string {
	if db.dialect != Postgres {
		return query
	}
	if v, ok := db.rebind.Load(query); ok {
		return v.(string)
	}
	r := Rebind(query)
	db.rebind.Store(query, r)
	return r
}

// Exec runs a statement.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = db.q(query)
	if st := db.stmt(ctx, query, len(args)); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return db.SQL.ExecContext(ctx, query, args...)
}

// Query runs a query.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = db.q(query)
	if st := db.stmt(ctx, query, len(args)); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.SQL.QueryContext(ctx, query, args...)
}

// QueryRow runs a query expected to return at most one row.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = db.q(query)
	if st := db.stmt(ctx, query, len(args)); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.SQL.QueryRowContext(ctx, query, args...)
}

// Tx runs fn in a new transaction, committing when fn returns nil and rolling back otherwise (also on panic).
func (db *DB) Tx(ctx context.Context, fn func(Q) error) (err error) {
	stx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t := &Tx{tx: stx, db: db}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = stx.Rollback()
			return
		}
		if cerr := stx.Commit(); cerr != nil {
			err = fmt.Errorf("commit: %w", cerr)
			return
		}
		for _, f := range t.after {
			f()
		}
	}()
	return fn(t)
}

// Tx is an open transaction.
type Tx struct {
	tx    *sql.Tx
	db    *DB
	after []func()
}

// Exec runs a statement in the transaction.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = t.db.q(query)
	if st := t.db.txStmt(query, len(args)); st != nil {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

// Query runs a query in the transaction.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = t.db.q(query)
	if st := t.db.txStmt(query, len(args)); st != nil {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

// QueryRow runs a single-row query in the transaction.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = t.db.q(query)
	if st := t.db.txStmt(query, len(args)); st != nil {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// Tx joins the running transaction.
func (t *Tx) Tx(ctx context.Context, fn func(Q) error) error { return fn(t) }

// Dialect reports the engine.
func (t *Tx) Dialect() Dialect { return t.db.dialect }

// AfterCommit registers f to run once the outermost transaction has committed (e.g. to wake a worker). Outside a
// transaction f runs at once.
func AfterCommit(q Q, f func()) {
	if t, ok := q.(*Tx); ok {
		t.after = append(t.after, f)
		return
	}
	f()
}

// Rebind rewrites `?` placeholders to `$1, $2, …`, leaving quoted strings, quoted identifiers and comments alone.
func Rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch c {
		case '\'', '"':
			j := i + 1
			for j < len(query) {
				if query[j] == c {
					if j+1 < len(query) && query[j+1] == c { // doubled quote escapes itself
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j >= len(query) {
				j = len(query) - 1
			}
			b.WriteString(query[i : j+1])
			i = j
		case '-':
			if i+1 < len(query) && query[i+1] == '-' {
				j := strings.IndexByte(query[i:], '\n')
				if j < 0 {
					b.WriteString(query[i:])
					return b.String()
				}
				b.WriteString(query[i : i+j])
				i += j - 1
				continue
			}
			b.WriteByte(c)
		case '?':
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
