package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// Sign-in throttling and lockout. The counters live in the database (table auth_throttle), so that several server
// processes on one database count together:
//
//   - per source address: more than sourceLimit failed attempts within a minute refuse the address's further
//     attempts for the rest of that minute (429), whatever name they try;
//   - per account name and source: Policy.LockoutThreshold consecutive failures lock that source out of that name for
//     Policy.LockoutMinutes (423); someone guessing from one address cannot lock the holder out everywhere;
//   - per account name: accountLockFactor × LockoutThreshold failures from all sources lock the name for everyone
//     for Policy.LockoutMinutes (423), which bounds a guesser who spreads over many addresses.
//
// Failures older than the lockout period are forgotten; a successful sign-in clears the name's counters. Names that
// are no user are counted and locked the same way, and every attempt runs the password hash, so neither the status,
// the message nor the time of an answer tells whether an account exists or is disabled.
const (
	sourceLimit       = 30
	sourceWindow      = 60 // seconds
	accountLockFactor = 4
	maxKeyName        = 64 // runes of a user name kept in a key (real names have at most 32)
)

// throttleKeys are the counters of one attempt.
type throttleKeys struct{ user, pair, source string }

func keysFor(username, ip string) throttleKeys {
	n := []rune(strings.ToLower(strings.TrimSpace(username)))
	if len(n) > maxKeyName {
		n = n[:maxKeyName]
	}
	// '|' ends the name in a pair key; no user name holds one, so a name that does is kept apart.
	name := strings.ReplaceAll(string(n), "|", "/")
	return throttleKeys{user: "u:" + name, pair: "p:" + name + "|" + ip, source: "s:" + ip}
}

// userKeyCond selects every counter of a user name (all sources and each source).
func userKeyCond(username string) (string, []any) {
	k := keysFor(username, "")
	prefix := strings.TrimSuffix(k.pair, "|") + "|"
	return "(key = ? OR (key >= ? AND key < ?))", []any{k.user, prefix, db.PrefixUpper(prefix)}
}

// sourceBlocked reports whether the source has used up its failed attempts of the current minute.
func sourceBlocked(ctx context.Context, q db.Q, k throttleKeys, now time.Time) (bool, error) {
	var failures, first int64
	err := q.QueryRow(ctx, "SELECT failures, first_at FROM auth_throttle WHERE key = ?", k.source).Scan(&failures, &first)
	if db.IsNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return failures >= sourceLimit && first > now.Unix()-sourceWindow, nil
}

// lockedUntil returns when the lock on the name (for everyone, or for this source) ends; 0 when it is not locked.
func lockedUntil(ctx context.Context, q db.Q, k throttleKeys, now time.Time) (int64, error) {
	var until int64
	if err := q.QueryRow(ctx, "SELECT COALESCE(MAX(locked_until), 0) FROM auth_throttle WHERE key IN (?, ?)", k.user, k.pair).Scan(&until); err != nil {
		return 0, err
	}
	if until <= now.Unix() {
		return 0, nil
	}
	return until, nil
}

// bump counts one failure on key and returns the count. A count restarts after a quiet period of forget seconds
// (since the last failure) or once an earlier lock has run out. One statement, so that concurrent processes add up.
func bump(ctx context.Context, q db.Q, key string, now, forget int64) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `INSERT INTO auth_throttle (key, failures, first_at, last_at, locked_until) VALUES (?, 1, ?, ?, 0)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN auth_throttle.last_at < ? OR (auth_throttle.locked_until > 0 AND auth_throttle.locked_until <= ?) THEN 1 ELSE auth_throttle.failures + 1 END,
			first_at = CASE WHEN auth_throttle.last_at < ? OR (auth_throttle.locked_until > 0 AND auth_throttle.locked_until <= ?) THEN excluded.first_at ELSE auth_throttle.first_at END,
			locked_until = CASE WHEN auth_throttle.locked_until <= ? THEN 0 ELSE auth_throttle.locked_until END,
			last_at = excluded.last_at
		RETURNING failures`, key, now, now, now-forget, now, now-forget, now, now).Scan(&n)
	return n, err
}

// bumpSource counts a failure of the source in its current one-minute window.
func bumpSource(ctx context.Context, q db.Q, key string, now int64) error {
	_, err := q.Exec(ctx, `INSERT INTO auth_throttle (key, failures, first_at, last_at, locked_until) VALUES (?, 1, ?, ?, 0)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN auth_throttle.first_at <= ? THEN 1 ELSE auth_throttle.failures + 1 END,
			first_at = CASE WHEN auth_throttle.first_at <= ? THEN excluded.first_at ELSE auth_throttle.first_at END,
			last_at = excluded.last_at`, key, now, now, now-sourceWindow, now-sourceWindow)
	return err
}

// recordFailure counts a failed attempt on every counter and locks the name when a threshold is reached; it
// reports whether this failure locked it.
func recordFailure(ctx context.Context, q db.Q, pol Policy, k throttleKeys, now time.Time) (bool, error) {
	t := now.Unix()
	forget := int64(pol.LockoutMinutes) * 60
	until := now.Add(time.Duration(pol.LockoutMinutes) * time.Minute).Unix()
	if err := bumpSource(ctx, q, k.source, t); err != nil {
		return false, err
	}
	locked := false
	for _, c := range []struct {
		key   string
		limit int64
	}{{k.pair, int64(pol.LockoutThreshold)}, {k.user, int64(accountLockFactor * pol.LockoutThreshold)}} {
		n, err := bump(ctx, q, c.key, t, forget)
		if err != nil {
			return false, err
		}
		if n >= c.limit {
			if _, err := q.Exec(ctx, "UPDATE auth_throttle SET locked_until = ?, failures = 0 WHERE key = ?", until, c.key); err != nil {
				return false, err
			}
			locked = true
		}
	}
	return locked, nil
}

// clearFailures forgets the name's counters from this source and from all sources after a success.
func clearFailures(ctx context.Context, q db.Q, k throttleKeys) error {
	_, err := q.Exec(ctx, "DELETE FROM auth_throttle WHERE key IN (?, ?)", k.user, k.pair)
	return err
}

// UserLockedUntil returns when a lock on the user name ends (for everyone or for some source); 0 when none.
func UserLockedUntil(ctx context.Context, q db.Q, username string, now time.Time) (int64, error) {
	cond, args := userKeyCond(username)
	var until int64
	if err := q.QueryRow(ctx, "SELECT COALESCE(MAX(locked_until), 0) FROM auth_throttle WHERE "+cond, args...).Scan(&until); err != nil {
		return 0, err
	}
	if until <= now.Unix() {
		return 0, nil
	}
	return until, nil
}

func lockedError(until int64, now time.Time) error {
	mins := (until - now.Unix() + 59) / 60
	return &errs.Error{Code: errs.CodeLocked, Message: fmt.Sprintf("登录失败次数过多，该账户已暂时锁定，请 %d 分钟后再试或联系管理员解锁", mins)}
}

func rateLimitedError() error {
	return &errs.Error{Code: errs.CodeRateLimited, Message: "登录尝试过于频繁，请一分钟后再试"}
}

// purgeThrottle drops counters nobody has touched for a day (longer than any lockout period) and that lock nothing.
func purgeThrottle(ctx context.Context, q db.Q, now time.Time) (int64, error) {
	r, err := q.Exec(ctx, "DELETE FROM auth_throttle WHERE last_at < ? AND locked_until < ?", now.Add(-25*time.Hour).Unix(), now.Unix())
	if err != nil {
		return 0, err
	}
	return db.RowsAffected(r), nil
}
