package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
)

// JobRun is one recorded run of a job.
type JobRun struct {
	ID         int64      `json:"id"`
	Job        string     `json:"job"`
	Trigger    string     `json:"trigger" doc:"schedule | manual"`
	Actor      string     `json:"actor,omitempty" doc:"who pressed “run now” (manual runs)"`
	Status     string     `json:"status" doc:"running | ok | failed"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	DurationMS int64      `json:"duration_ms"`
	Message    string     `json:"message"`
}

// Duration renders the run's duration compactly ("850 ms", "12.3 s", "4 min").
func (r JobRun) Duration() string {
	switch ms := r.DurationMS; {
	case ms < 1000:
		return fmt.Sprintf("%d ms", ms)
	case ms < 60_000:
		return fmt.Sprintf("%.1f s", float64(ms)/1000)
	default:
		return fmt.Sprintf("%d min", (ms+30_000)/60_000)
	}
}

// JobStatus is a job as the status page and GET /api/v1/jobs show it.
type JobStatus struct {
	Name         string     `json:"name"`
	Title        string     `json:"title"`
	EverySeconds float64    `json:"every_seconds"`
	Running      bool       `json:"running" doc:"running now on this or another replica"`
	LastRun      *JobRun    `json:"last_run,omitempty"`
	NextRunAt    *time.Time `json:"next_run_at,omitempty" doc:"absent until the job has been scheduled once"`

	every time.Duration
}

// EveryN and EveryUnit split the interval for display: 15 "s", 10 "m", 6 "h", 1 "d", or milliseconds "ms".
func (s JobStatus) EveryN() int64 { n, _ := splitEvery(s.every); return n }

// EveryUnit is the unit of EveryN.
func (s JobStatus) EveryUnit() string { _, u := splitEvery(s.every); return u }

func splitEvery(d time.Duration) (int64, string) {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return int64(d / (24 * time.Hour)), "d"
	case d >= time.Hour && d%time.Hour == 0:
		return int64(d / time.Hour), "h"
	case d >= time.Minute && d%time.Minute == 0:
		return int64(d / time.Minute), "m"
	case d >= time.Second && d%time.Second == 0:
		return int64(d / time.Second), "s"
	}
	return d.Milliseconds(), "ms"
}

const runCols = "id, job, trigger_kind, actor, status, started_at, finished_at, duration_ms, message"

func scanRun(s db.Scanner) (JobRun, error) {
	var r JobRun
	var started, finished int64
	err := s.Scan(&r.ID, &r.Job, &r.Trigger, &r.Actor, &r.Status, &started, &finished, &r.DurationMS, &r.Message)
	r.StartedAt = db.FromUnix(started)
	if finished != 0 {
		t := db.FromUnix(finished)
		r.FinishedAt = &t
	}
	return r, err
}

// ensure creates the job's lease row once per process.
func (r *Runner) ensure(ctx context.Context, e *entry) error {
	if e.ensured.Load() {
		return nil
	}
	if _, err := r.DB.Exec(ctx, "INSERT INTO job_leases (name, holder, lease_until_ms, next_run_ms) VALUES (?, '', 0, 0) ON CONFLICT (name) DO NOTHING", e.Name); err != nil {
		return fmt.Errorf("job lease row: %w", err)
	}
	e.ensured.Store(true)
	return nil
}

// claim takes the job's lease with a guarded update: it succeeds only when no live lease exists (and, for
// scheduled runs, the shared next run time has come). Exactly one of several racing replicas wins.
func (r *Runner) claim(ctx context.Context, name string, requireDue bool) (bool, error) {
	now := r.now().UnixMilli()
	q := "UPDATE job_leases SET holder = ?, lease_until_ms = ? WHERE name = ? AND lease_until_ms < ?"
	args := []any{r.holder, now + r.LeaseTTL.Milliseconds(), name, now}
	if requireDue {
		q += " AND next_run_ms <= ?"
		args = append(args, now)
	}
	res, err := r.DB.Exec(ctx, q, args...)
	if err != nil {
		return false, fmt.Errorf("job lease: %w", err)
	}
	return db.RowsAffected(res) == 1, nil
}

// renew extends a lease this runner holds; lost reports that it no longer holds it.
func (r *Runner) renew(ctx context.Context, name string) (lost bool, err error) {
	res, err := r.DB.Exec(ctx, "UPDATE job_leases SET lease_until_ms = ? WHERE name = ? AND holder = ?",
		r.now().UnixMilli()+r.LeaseTTL.Milliseconds(), name, r.holder)
	if err != nil {
		return false, err
	}
	return db.RowsAffected(res) == 0, nil
}

// releaseAfterRun gives the lease back and sets the shared next run time one interval from now.
func (r *Runner) releaseAfterRun(ctx context.Context, e *entry) {
	next := r.now().Add(e.Every).UnixMilli()
	if _, err := r.DB.Exec(ctx, "UPDATE job_leases SET holder = '', lease_until_ms = 0, next_run_ms = ? WHERE name = ? AND holder = ?",
		next, e.Name, r.holder); err != nil {
		r.Log.Error("job lease not released", "job", e.Name, "err", err)
	}
}

// release gives the lease back without touching the schedule (the run never started).
func (r *Runner) release(ctx context.Context, e *entry) {
	if _, err := r.DB.Exec(ctx, "UPDATE job_leases SET holder = '', lease_until_ms = 0 WHERE name = ? AND holder = ?", e.Name, r.holder); err != nil {
		r.Log.Error("job lease not released", "job", e.Name, "err", err)
	}
}

// leaseTimes reads the shared next run time and the current lease's end (milliseconds).
func (r *Runner) leaseTimes(ctx context.Context, name string) (next, until int64, err error) {
	err = r.DB.QueryRow(ctx, "SELECT next_run_ms, lease_until_ms FROM job_leases WHERE name = ?", name).Scan(&next, &until)
	if db.IsNoRows(err) {
		return 0, 0, nil
	}
	return next, until, err
}

// begin records the start of a run. The caller holds the lease, so a run of this job still marked running was cut
// short (process killed, lease lost): it is closed as failed first. Manual runs are audited.
func (r *Runner) begin(ctx context.Context, run JobRun) (int64, error) {
	var id int64
	err := r.DB.Tx(ctx, func(q db.Q) error {
		if _, err := q.Exec(ctx, "UPDATE job_runs SET status = ?, finished_at = ?, message = ? WHERE job = ? AND status = ?",
			StatusFailed, run.StartedAt.Unix(), "运行中断（进程退出或失去租约）", run.Job, StatusRunning); err != nil {
			return err
		}
		var err error
		id, err = db.InsertID(ctx, q, `INSERT INTO job_runs (job, trigger_kind, actor, holder, status, started_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, run.Job, run.Trigger, run.Actor, r.holder, StatusRunning, run.StartedAt.Unix())
		if err != nil {
			return err
		}
		if run.Trigger == TriggerManual {
			return audit.Record(ctx, q, run.StartedAt, audit.Entry{Action: "job.run", ObjectType: "job", ObjectKey: run.Job, Success: true,
				Extra: map[string]any{"run_id": id}})
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("record job start: %w", err)
	}
	return id, nil
}

// finish records the end of a run (guarded: only a run still marked running changes).
func (r *Runner) finish(ctx context.Context, run JobRun) error {
	var fin int64
	if run.FinishedAt != nil {
		fin = run.FinishedAt.Unix()
	}
	_, err := r.DB.Exec(ctx, "UPDATE job_runs SET status = ?, finished_at = ?, duration_ms = ?, message = ? WHERE id = ? AND status = ?",
		run.Status, fin, run.DurationMS, run.Message, run.ID, StatusRunning)
	return err
}

// prune keeps the newest keep runs of a job.
func (r *Runner) prune(ctx context.Context, job string, keep int) error {
	if keep <= 0 {
		return nil
	}
	var edge int64
	err := r.DB.QueryRow(ctx, "SELECT id FROM job_runs WHERE job = ? ORDER BY id DESC LIMIT 1 OFFSET ?", job, keep-1).Scan(&edge)
	if db.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = r.DB.Exec(ctx, "DELETE FROM job_runs WHERE job = ? AND id < ?", job, edge)
	return err
}

// Status lists every registered job with its last run and next run time.
func (r *Runner) Status(ctx context.Context) ([]JobStatus, error) {
	type lease struct{ next, until int64 }
	leases := map[string]lease{}
	rows, err := r.DB.Query(ctx, "SELECT name, next_run_ms, lease_until_ms FROM job_leases")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var n string
		var l lease
		if err := rows.Scan(&n, &l.next, &l.until); err != nil {
			rows.Close()
			return nil, err
		}
		leases[n] = l
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	last, err := db.Select(ctx, r.DB, scanRun, "SELECT "+runCols+" FROM job_runs WHERE id IN (SELECT MAX(id) FROM job_runs GROUP BY job)")
	if err != nil {
		return nil, err
	}
	byJob := map[string]JobRun{}
	for _, l := range last {
		byJob[l.Job] = l
	}
	now := r.now().UnixMilli()
	r.mu.Lock()
	entries := append([]*entry(nil), r.jobs...)
	r.mu.Unlock()
	out := make([]JobStatus, 0, len(entries))
	for _, e := range entries {
		st := JobStatus{Name: e.Name, Title: e.Title, EverySeconds: e.Every.Seconds(), every: e.Every}
		l := leases[e.Name]
		st.Running = e.running.Load() || l.until > now
		if l.next > 0 {
			t := time.UnixMilli(l.next).UTC()
			st.NextRunAt = &t
		}
		if run, ok := byJob[e.Name]; ok {
			st.LastRun = &run
		}
		out = append(out, st)
	}
	return out, nil
}

// Runs lists a job's recorded runs, newest first, and how many there are.
func (r *Runner) Runs(ctx context.Context, job string, offset, limit int) ([]JobRun, int64, error) {
	total, err := db.Count(ctx, r.DB, "SELECT COUNT(*) FROM job_runs WHERE job = ?", job)
	if err != nil {
		return nil, 0, err
	}
	runs, err := db.Select(ctx, r.DB, scanRun, "SELECT "+runCols+" FROM job_runs WHERE job = ? ORDER BY id DESC LIMIT ? OFFSET ?", job, limit, offset)
	return runs, total, err
}

// maintain is the built-in maintenance job: it deletes runs older than MaxAge, runs and leases of jobs no longer
// registered (after a week), trims every job to Keep runs, and closes runs left "running" by a replica that died.
// It touches only this package's tables.
func (r *Runner) maintain(ctx context.Context) (string, error) {
	now := r.Clock.Now()
	var deleted, closed int64
	res, err := r.DB.Exec(ctx, "DELETE FROM job_runs WHERE started_at < ? AND status <> ?", now.Add(-r.MaxAge).Unix(), StatusRunning)
	if err != nil {
		return "", err
	}
	deleted += db.RowsAffected(res)
	names := make([]string, 0)
	for _, j := range r.Jobs() {
		names = append(names, j.Name)
	}
	res, err = r.DB.Exec(ctx, "DELETE FROM job_runs WHERE job NOT IN ("+db.In(len(names))+") AND started_at < ?",
		append(db.Args(names), now.Add(-7*24*time.Hour).Unix())...)
	if err != nil {
		return "", err
	}
	deleted += db.RowsAffected(res)
	nowMS := r.now().UnixMilli()
	if _, err := r.DB.Exec(ctx, "DELETE FROM job_leases WHERE name NOT IN ("+db.In(len(names))+") AND lease_until_ms < ? AND next_run_ms < ?",
		append(db.Args(names), nowMS, nowMS-7*24*time.Hour.Milliseconds())...); err != nil {
		return "", err
	}
	res, err = r.DB.Exec(ctx, `UPDATE job_runs SET status = ?, finished_at = ?, message = ? WHERE status = ?
		AND job NOT IN (SELECT name FROM job_leases WHERE lease_until_ms >= ?)`,
		StatusFailed, now.Unix(), "运行中断（进程退出或失去租约）", StatusRunning, nowMS)
	if err != nil {
		return "", err
	}
	closed = db.RowsAffected(res)
	for _, n := range names {
		before, err := db.Count(ctx, r.DB, "SELECT COUNT(*) FROM job_runs WHERE job = ?", n)
		if err != nil {
			return "", err
		}
		if err := r.prune(ctx, n, r.Keep); err != nil {
			return "", err
		}
		after, err := db.Count(ctx, r.DB, "SELECT COUNT(*) FROM job_runs WHERE job = ?", n)
		if err != nil {
			return "", err
		}
		deleted += before - after
	}
	msg := fmt.Sprintf("删除 %d 条运行记录", deleted)
	if closed > 0 {
		msg += fmt.Sprintf("，关闭 %d 条中断的运行", closed)
	}
	return msg, nil
}
