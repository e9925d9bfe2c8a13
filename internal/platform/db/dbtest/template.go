package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/govops/govops/internal/platform/db"
)

// Templates: whatever is expensive to set up (the migrations, the whole program's first start, the demo province)
// is built once per test binary and key, and every test gets a copy of its own — a copied file on SQLite, a
// `CREATE DATABASE … TEMPLATE` on PostgreSQL — so no test sees another's writes and none rebuilds the template.

// template is one built template; ref is the SQLite file or the PostgreSQL database name.
type template struct {
	once sync.Once
	ref  string
	err  error
}

var (
	templatesMu sync.Mutex
	templates   = map[string]*template{}
)

// Clone returns the connection string of a database of the test's own that starts as a copy of the template named
// key. The first call for a key in this test binary creates the template and calls build to fill it (build gets
// the template's connection string and must close every connection it opens before it returns); later calls, from
// any test of the binary, only copy it. The key must name everything that decides the template's content (the
// migrations, the clock, the options). The copy is removed (dropped) at the test's cleanup.
func Clone(tb testing.TB, key string, build func(ctx context.Context, dsn string) error) string {
	tb.Helper()
	templatesMu.Lock()
	tp := templates[key]
	if tp == nil {
		tp = &template{}
		templates[key] = tp
	}
	templatesMu.Unlock()
	pg := os.Getenv(Env)
	tp.once.Do(func() {
		start := time.Now()
		tp.err = errors.New("building the template panicked") // until build returns
		if pg == "" {
			tp.ref, tp.err = buildSQLite(key, build)
		} else {
			tp.ref, tp.err = buildPostgres(pg, key, build)
		}
		if tp.err == nil && os.Getenv("GOVOPS_TEST_LOG") != "" {
			fmt.Fprintf(os.Stderr, "dbtest: template %.60q built in %v\n", key, time.Since(start).Round(time.Millisecond))
		}
	})
	if tp.err != nil {
		tb.Fatalf("test database template %.60q: %v", key, tp.err)
	}
	if pg == "" {
		path := testFile(tb)
		if err := copyFile(tp.ref, path); err != nil {
			tb.Fatalf("copy the test database template: %v", err)
		}
		return "sqlite:" + path
	}
	return clonePostgres(tb, pg, tp.ref)
}

// MigrationsKey names a list of migration sets by their modules and the content of every file, for Clone keys.
func MigrationsKey(sets ...db.Migrations) string {
	h := sha256.New()
	for _, s := range sets {
		fmt.Fprintf(h, "module %s\n", s.Module)
		_ = fs.WalkDir(s.FS, ".", func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, err := fs.ReadFile(s.FS, p)
			fmt.Fprintf(h, "file %s %d\n", p, len(b))
			h.Write(b)
			return err
		})
	}
	return "migrations:" + hex.EncodeToString(h.Sum(nil))
}

func keyHash(key string) string {
	s := sha256.Sum256([]byte(key))
	return hex.EncodeToString(s[:6])
}

// --- SQLite: a file in a directory of this process ---

var (
	sqliteDirOnce sync.Once
	sqliteDir     string
	sqliteDirErr  error
	sqliteSeq     atomic.Int64
)

const sqliteDirPrefix = "govops-dbtest-"

// DirEnv names the variable that chooses where SQLite test databases live (default: see processDir).
const DirEnv = "GOVOPS_TEST_DBDIR"

// processDir is this process's directory of SQLite databases — templates and every test's copy —, named with the
// process id. It lies in $GOVOPS_TEST_DBDIR, else in a memory file system when there is a roomy one (/dev/shm: the
// databases sync on every commit, which on a busy disk costs more than the tests' work), else in os.TempDir. Test
// binaries have no hook at exit, so each new process removes the directories of processes that are gone.
func processDir() (string, error) {
	sqliteDirOnce.Do(func() {
		base := os.Getenv(DirEnv)
		if base == "" {
			base = memoryDir()
		}
		if base == "" {
			base = os.TempDir()
		}
		for _, dir := range []string{base, memoryDir(), os.TempDir()} {
			sweepSQLite(dir)
		}
		sqliteDir, sqliteDirErr = os.MkdirTemp(base, fmt.Sprintf("%s%d-", sqliteDirPrefix, os.Getpid()))
	})
	return sqliteDir, sqliteDirErr
}

// sweepSQLite removes the directories that ended processes left in dir.
func sweepSQLite(dir string) {
	if dir == "" {
		return
	}
	old, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range old {
		rest, ok := strings.CutPrefix(e.Name(), sqliteDirPrefix)
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if ok && e.IsDir() && err == nil && pid != os.Getpid() && !processAlive(pid) {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// testFile returns the path of a SQLite database for the test, in a directory removed at its cleanup (registered
// first, so it runs after the cleanups that close the database).
func testFile(tb testing.TB) string {
	tb.Helper()
	base, err := processDir()
	if err != nil {
		tb.Fatalf("test database directory: %v", err)
	}
	dir := filepath.Join(base, "t"+strconv.FormatInt(sqliteSeq.Add(1), 10))
	if err := os.Mkdir(dir, 0o700); err != nil {
		tb.Fatalf("test database directory: %v", err)
	}
	tb.Cleanup(func() { _ = os.RemoveAll(dir) })
	return filepath.Join(dir, "test.db")
}

func buildSQLite(key string, build func(context.Context, string) error) (string, error) {
	dir, err := processDir()
	if err != nil {
		return "", err
	}
	ctx := context.Background()
	name := keyHash(key)
	work := filepath.Join(dir, name+"-build.db")
	if err := build(ctx, "sqlite:"+work); err != nil {
		return "", err
	}
	// VACUUM INTO gives one self-contained, compact file (no WAL beside it) that a plain copy reproduces.
	d, err := db.Open(ctx, "sqlite:"+work, db.Options{MaxOpenConns: 1})
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, name+".db")
	err = db.Backup(ctx, d, out)
	d.Close()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(work + suffix)
	}
	return out, err
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// --- PostgreSQL: a template database per key, a database per test ---

// Every database this package creates is named govops_tpl_<token>_… or govops_t_<token>_…, where token is
// random per process. While the process runs, one of its connections holds a session advisory lock derived from
// the token; a process that finds a token whose lock it can take knows the owner is gone (ended, crashed, killed
// by a timeout) and drops that token's databases. So templates left at exit are removed by the next run.
const (
	pgPrefix         = "govops_t"
	pgTemplatePrefix = "govops_tpl_"
	pgTestPrefix     = "govops_t_"
)

var (
	pgOnce  sync.Once
	pgErr   error
	pgAdmin *db.DB // to the database named by GOVOPS_TEST_POSTGRES, for CREATE and DROP DATABASE
	pgToken string // this process's part of every name
	pgSeq   atomic.Int64
)

// pgKeep holds the process's advisory lock until the process ends. It is only ever written: the reference keeps
// the connection from being collected (and closed, which would free the lock).
//
//lint:ignore U1000 see above
var pgKeep *sqlConn

func pgSetup(pg string) error {
	pgOnce.Do(func() {
		ctx := context.Background()
		var b [5]byte
		_, _ = rand.Read(b[:])
		pgToken = hex.EncodeToString(b[:])
		pgAdmin, pgErr = db.Open(ctx, pg, db.Options{MaxOpenConns: 6})
		if pgErr != nil {
			return
		}
		pgKeep, pgErr = lockConn(ctx, pgAdmin, pgToken)
		if pgErr != nil {
			return
		}
		sweepPostgres(ctx)
	})
	return pgErr
}

// tokenLock is the advisory lock key of a process token.
func tokenLock(token string) int64 {
	s := sha256.Sum256([]byte("govops-dbtest:" + token))
	return int64(binary.BigEndian.Uint64(s[:8]))
}

// sweepPostgres drops the databases of processes that are gone.
func sweepPostgres(ctx context.Context) {
	names, err := db.Strings(ctx, pgAdmin, "SELECT datname FROM pg_database WHERE datname LIKE ?", pgPrefix+"%")
	if err != nil {
		return
	}
	byToken := map[string][]string{}
	for _, n := range names {
		rest, ok := strings.CutPrefix(n, pgTemplatePrefix)
		if !ok {
			rest, ok = strings.CutPrefix(n, pgTestPrefix)
		}
		token, _, _ := strings.Cut(rest, "_")
		if ok && token != "" && token != pgToken {
			byToken[token] = append(byToken[token], n)
		}
	}
	for token, dbs := range byToken {
		c, err := tryLockConn(ctx, pgAdmin, token)
		if err != nil || c == nil {
			continue // its process still runs
		}
		for _, n := range dbs {
			_, _ = pgAdmin.Exec(ctx, "DROP DATABASE IF EXISTS "+n+" WITH (FORCE)")
		}
		c.close(ctx, token)
	}
}

func pgDSN(pg, database string) (string, error) {
	u, err := url.Parse(pg)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", Env, err)
	}
	u.Path = "/" + database
	q := u.Query()
	q.Del("search_path")
	noSync(q)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// noSync sets a connection parameter that lets commits return before their WAL reaches the disk: a test database
// need not survive a crash of the server, and waiting for the disk of a busy machine is most of a test's time.
func noSync(q url.Values) { q.Set("synchronous_commit", "off") }

func buildPostgres(pg, key string, build func(context.Context, string) error) (string, error) {
	if err := pgSetup(pg); err != nil {
		return "", err
	}
	ctx := context.Background()
	name := pgTemplatePrefix + pgToken + "_" + keyHash(key)
	if _, err := pgAdmin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create template database: %w", err)
	}
	dsn, err := pgDSN(pg, name)
	if err != nil {
		return "", err
	}
	if err := build(ctx, dsn); err != nil {
		return "", err
	}
	// CREATE DATABASE … TEMPLATE refuses a template with sessions: forbid new ones, end any left behind.
	if _, err := pgAdmin.Exec(ctx, "ALTER DATABASE "+name+" WITH ALLOW_CONNECTIONS false"); err != nil {
		return "", err
	}
	if _, err := pgAdmin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?", name); err != nil {
		return "", err
	}
	return name, nil
}

func clonePostgres(tb testing.TB, pg, tmpl string) string {
	tb.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("%s%s_%d", pgTestPrefix, pgToken, pgSeq.Add(1))
	var err error
	for try := 0; try < 20; try++ {
		if _, err = pgAdmin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl); err == nil || !inUse(err) {
			break
		}
		time.Sleep(250 * time.Millisecond) // a session of the template is still going away
	}
	if err != nil {
		tb.Fatalf("create test database from template %s: %v", tmpl, err)
	}
	tb.Cleanup(func() { dropLater(name) })
	dsn, err := pgDSN(pg, name)
	if err != nil {
		tb.Fatal(err)
	}
	return dsn
}

// pgDropping bounds the drops running at once.
var pgDropping = make(chan struct{}, 2)

// dropLater drops a test's database in the background: DROP DATABASE waits for a checkpoint (a second or more),
// which the test need not wait for. A drop the process does not live to finish is left to the next run's sweep.
func dropLater(name string) {
	go func() {
		pgDropping <- struct{}{}
		defer func() { <-pgDropping }()
		_, _ = pgAdmin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}()
}

// inUse reports PostgreSQL's object_in_use (55006): "source database … is being accessed by other users".
func inUse(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "55006") || strings.Contains(err.Error(), "being accessed by other users"))
}

// sqlConn is one connection of the admin pool kept aside for a session advisory lock.
type sqlConn struct{ c *sql.Conn }

// lockConn takes the lock of token on a connection of its own and keeps it.
func lockConn(ctx context.Context, d *db.DB, token string) (*sqlConn, error) {
	c, err := d.SQL.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := c.ExecContext(ctx, "SELECT pg_advisory_lock($1)", tokenLock(token)); err != nil {
		c.Close()
		return nil, err
	}
	return &sqlConn{c}, nil
}

// tryLockConn takes the lock of token when it is free, or returns nil.
func tryLockConn(ctx context.Context, d *db.DB, token string) (*sqlConn, error) {
	c, err := d.SQL.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var ok bool
	if err := c.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", tokenLock(token)).Scan(&ok); err != nil || !ok {
		c.Close()
		return nil, err
	}
	return &sqlConn{c}, nil
}

func (s *sqlConn) close(ctx context.Context, token string) {
	_, _ = s.c.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", tokenLock(token))
	s.c.Close()
}

// processAlive reports whether a process of this machine still runs (a process of another user counts).
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return !errors.Is(p.Signal(syscall.Signal(0)), os.ErrProcessDone)
}
