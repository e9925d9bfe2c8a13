package db

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// Scanner is a row (or rows positioned on a row).
type Scanner interface{ Scan(dest ...any) error }

// Select runs query and scans every row with scan.
func Select[T any](ctx context.Context, q Q, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Int64s runs a query returning one integer column.
func Int64s(ctx context.Context, q Q, query string, args ...any) ([]int64, error) {
	return Select(ctx, q, func(s Scanner) (int64, error) { var v int64; return v, s.Scan(&v) }, query, args...)
}

// Strings runs a query returning one text column.
func Strings(ctx context.Context, q Q, query string, args ...any) ([]string, error) {
	return Select(ctx, q, func(s Scanner) (string, error) { var v string; return v, s.Scan(&v) }, query, args...)
}

// Count runs a query returning one integer.
func Count(ctx context.Context, q Q, query string, args ...any) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, query, args...).Scan(&n)
	return n, err
}

// CountUpTo counts the rows of "SELECT 1 "+from (a FROM … WHERE … clause) but stops at limit: (limit, true) when
// there are more. A long list counts this way so that its count costs the same in any scope.
func CountUpTo(ctx context.Context, q Q, limit int64, from string, args ...any) (n int64, capped bool, err error) {
	n, err = Count(ctx, q, "SELECT COUNT(*) FROM (SELECT 1 "+from+" LIMIT ?) capped", append(append([]any(nil), args...), limit+1)...)
	if n > limit {
		return limit, true, err
	}
	return n, false, err
}

// InsertID runs an INSERT … RETURNING id and returns the id.
func InsertID(ctx context.Context, q Q, query string, args ...any) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, query, args...).Scan(&id)
	return id, err
}

// In returns "?, ?, …" with n placeholders (n ≥ 1) for an IN list.
func In(n int) string {
	if n <= 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// Args converts a slice to []any for an IN list.
func Args[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// LikeContains returns a LIKE pattern matching s anywhere, with LIKE metacharacters escaped (use ESCAPE '\').
func LikeContains(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// Contains is the condition "any of cols contains s, ignoring case" with its arguments, for a list's search box:
// (LOWER(c1) LIKE ? ESCAPE '\' OR …). LIKE ignores ASCII case on SQLite but not on PostgreSQL, so the columns are
// lower-cased as LikeContains lower-cases the text.
func Contains(s string, cols ...string) (string, []any) {
	like := LikeContains(s)
	parts := make([]string, len(cols))
	args := make([]any, len(cols))
	for i, c := range cols {
		parts[i], args[i] = "LOWER("+c+`) LIKE ? ESCAPE '\'`, like
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// LikePrefix returns a LIKE pattern matching values starting with s (use ESCAPE '\').
func LikePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

// PrefixUpper returns the exclusive upper bound of the range of strings that start with prefix, so that
// `col >= prefix AND col < PrefixUpper(prefix)` selects them with an index on both engines (binary collation).
// The prefix must end in a byte below 0xFF (paths end in '/').
func PrefixUpper(prefix string) string {
	if prefix == "" {
		return "\xff"
	}
	b := []byte(prefix)
	b[len(b)-1]++
	return string(b)
}

// Unix converts an instant to the stored form (Unix seconds). Zero time → 0.
func Unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// FromUnix converts stored seconds to a UTC time; 0 → zero time.
func FromUnix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// NullInt converts an optional id (0 = none) to a value that stores NULL.
func NullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// NullStr converts "" to NULL.
func NullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// IsUnique reports a unique or primary-key violation.
func IsUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == 2067 || c == 1555 // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// IsForeignKey reports a foreign-key violation.
func IsForeignKey(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == 787 // SQLITE_CONSTRAINT_FOREIGNKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	return false
}

// IsCheck reports a CHECK constraint violation.
func IsCheck(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == 275 // SQLITE_CONSTRAINT_CHECK
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23514"
	}
	return false
}

// IsDeadlock reports that PostgreSQL aborted the transaction to break a deadlock (40P01): nothing was written and
// the whole transaction may be run again.
func IsDeadlock(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "40P01"
}

// IsNoRows reports sql.ErrNoRows.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// RowsAffected returns the count of a result, treating a driver error as zero.
func RowsAffected(r sql.Result) int64 {
	n, err := r.RowsAffected()
	if err != nil {
		return 0
	}
	return n
}

// Lock serialises writers that must not interleave (e.g. the audit chain) for the rest of the transaction.
// On SQLite every write transaction is already exclusive; on PostgreSQL it takes a transaction advisory lock.
func Lock(ctx context.Context, q Q, key int64) error {
	if q.Dialect() == Postgres {
		_, err := q.Exec(ctx, "SELECT pg_advisory_xact_lock(?)", key)
		return err
	}
	return nil
}

// Backup writes a consistent copy of a SQLite database to target (VACUUM INTO, safe while the server runs).
// PostgreSQL deployments back up with pg_dump or their platform's tools.
func Backup(ctx context.Context, d *DB, target string) error {
	if d.dialect != SQLite {
		return errors.New("PostgreSQL 请使用 pg_dump 备份")
	}
	_, err := d.SQL.ExecContext(ctx, "VACUUM INTO ?", target)
	return err
}

// SyncIdentity moves a table's id generator past rows inserted with explicit ids (PostgreSQL identity columns do
// not advance by themselves; SQLite's rowid always does).
func SyncIdentity(ctx context.Context, q Q, table string) error {
	if q.Dialect() != Postgres {
		return nil
	}
	_, err := q.Exec(ctx, "SELECT setval(pg_get_serial_sequence('"+table+"', 'id'), (SELECT MAX(id) FROM "+table+"))")
	return err
}
