// Package jobs runs in-process periodic tasks (roll-ups, scans, reminders, retention) and records each run so
// administrators can see their status at /admin/jobs.
//
// Each registered job runs in its own goroutine on its interval and never overlaps itself. With several replicas on
// one database, a lease row per job (taken with a guarded UPDATE) lets only one replica run a job at a time, and the
// next due time is shared, so a job runs about once per interval across the whole cluster. Scheduling uses the real
// clock; the times recorded for each run come from the injected clock. Every run — scheduled or started with
// "run now" — is stored with its start, end, duration, result and message; a panic becomes a failed run; only the
// last Keep runs per job are kept. Tests trigger runs deterministically with RunNow.
package jobs

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"regexp"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations creates the job tables.
var Migrations = db.Embedded("jobs", migrationsFS)

// Job is a periodic task. Run returns a short result message for the status page; an error marks the run failed.
// Run receives a context that ends at the job's timeout, when the caller of RunNow gives up, or when Stop's
// deadline passes — long jobs should watch it. The context carries the system as the audit actor.
type Job struct {
	// Name is the stable identifier ("notify.deliver"): lower-case letters, digits, '.', '_' and '-'.
	Name string
	// Title is what the status page shows, "key|中文默认" (translated) or plain text.
	Title string
	// Every is the interval between the end of one run and the start of the next.
	Every time.Duration
	// Run does the work.
	Run func(ctx context.Context) (string, error)
	// Timeout bounds one run; zero means DefaultTimeout.
	Timeout time.Duration
}

// DefaultTimeout bounds a run of a job that sets no Timeout.
const DefaultTimeout = time.Hour

// Run statuses, mirrored by the CHECK constraint on job_runs.status.
const (
	StatusRunning = "running"
	StatusOK      = "ok"
	StatusFailed  = "failed"
)

// Triggers of a run, mirrored by the CHECK constraint on job_runs.trigger_kind.
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
)

func init() {
	audit.RegisterActions(map[string]string{"job.run": "运行定时任务"}, map[string]string{"job": "定时任务"})
}

// MaintenanceJob is the name of the built-in job that prunes run records.
const MaintenanceJob = "jobs.maintenance"

var nameRe = regexp.MustCompile(`^[a-z][a-z0-9_.-]{1,62}$`)

// errNotClaimed means another replica holds the job's lease (or, for a scheduled run, the job is not yet due).
var errNotClaimed = errors.New("jobs: lease not acquired")

type entry struct {
	Job
	running atomic.Bool
	ensured atomic.Bool
	wake    chan struct{}
}

// Runner schedules jobs, runs them and records their runs. One per process; see New.
type Runner struct {
	DB    *db.DB
	Clock clock.Clock
	Log   *slog.Logger
	UI    *web.UI

	// Keep is how many runs are kept per job (default 100).
	Keep int
	// LeaseTTL is how long a lease lasts without renewal; a running job renews it every LeaseTTL/3 (default 1 min).
	// A replica that dies while running a job blocks that job for at most this long.
	LeaseTTL time.Duration
	// Wait is how long "run now" over HTTP waits for the run to finish before answering 202 (default 10 s).
	Wait time.Duration
	// MaxAge is how long the maintenance job keeps run records at all (default 90 days).
	MaxAge time.Duration

	holder string
	now    func() time.Time // the real clock: scheduling and leases

	mu       sync.Mutex
	jobs     []*entry
	byName   map[string]*entry
	started  bool
	stopping bool
	stop     chan struct{}
	base     context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// New makes a runner and registers the built-in maintenance job.
func New(d *db.DB, clk clock.Clock, log *slog.Logger, ui *web.UI) *Runner {
	host, _ := os.Hostname()
	if host == "" {
		host = "host"
	}
	base, cancel := context.WithCancel(context.Background())
	r := &Runner{DB: d, Clock: clk, Log: log, UI: ui, Keep: 100, LeaseTTL: time.Minute, Wait: 10 * time.Second,
		MaxAge: 90 * 24 * time.Hour, now: time.Now, byName: map[string]*entry{}, stop: make(chan struct{}),
		base: base, cancel: cancel,
		holder: host + ":" + strconv.Itoa(os.Getpid()) + ":" + strconv.FormatUint(rand.Uint64()&0xffffff, 16)}
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
	r.Add(Job{Name: MaintenanceJob, Title: "jobs.maintenance|清理定时任务运行记录", Every: 24 * time.Hour, Run: r.maintain})
	return r
}

// Add registers a job. It panics on a programming error (bad or duplicate name, no interval, no function). A job
// added after Start starts at once.
func (r *Runner) Add(j Job) {
	if !nameRe.MatchString(j.Name) {
		panic("jobs: invalid job name " + strconv.Quote(j.Name))
	}
	if j.Every <= 0 || j.Run == nil {
		panic("jobs: job " + j.Name + " needs Every > 0 and Run")
	}
	if j.Title == "" {
		j.Title = j.Name
	}
	if j.Timeout <= 0 {
		j.Timeout = DefaultTimeout
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.byName[j.Name]; dup {
		panic("jobs: job " + j.Name + " registered twice")
	}
	e := &entry{Job: j, wake: make(chan struct{}, 1)}
	r.jobs = append(r.jobs, e)
	r.byName[j.Name] = e
	if r.started && !r.stopping {
		r.wg.Add(1)
		go r.loop(r.base, e)
	}
}

// Jobs lists the registered jobs in registration order.
func (r *Runner) Jobs() []Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Job, len(r.jobs))
	for i, e := range r.jobs {
		out[i] = e.Job
	}
	return out
}

func (r *Runner) entry(name string) *entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byName[name]
}

// Start begins running jobs in the background until ctx ends or Stop is called. A second call does nothing.
func (r *Runner) Start(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started || r.stopping {
		return
	}
	r.started = true
	for _, e := range r.jobs {
		r.wg.Add(1)
		go r.loop(ctx, e)
	}
}

// Stop stops scheduling and waits for running jobs to finish. When ctx ends first, running jobs are cancelled and
// Stop waits briefly for them to record their end. It is safe without Start and safe to call more than once; after
// Stop, RunNow refuses.
func (r *Runner) Stop(ctx context.Context) {
	r.mu.Lock()
	if !r.stopping {
		r.stopping = true
		close(r.stop)
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		r.Log.Warn("jobs: stop deadline reached, cancelling running jobs")
		r.cancel()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			r.Log.Error("jobs: running jobs did not end after cancellation")
		}
	}
	r.cancel()
}

// Wake asks a started runner to run the job soon, without waiting for its interval (e.g. after a commit that gave
// it work). It never blocks; wakes coalesce; the job still never overlaps itself or another replica's run.
func (r *Runner) Wake(name string) {
	if e := r.entry(name); e != nil {
		select {
		case e.wake <- struct{}{}:
		default:
		}
	}
}

// RunNow runs a job at once in the caller's goroutine, records the run (audited as a manual run by the actor in ctx)
// and returns it. A failing job is not an error of RunNow: the returned run says so. Errors: not_found for an
// unknown job, conflict when it is already running here or on another replica, or when the runner is stopping.
func (r *Runner) RunNow(ctx context.Context, name string) (JobRun, error) {
	e := r.entry(name)
	if e == nil {
		return JobRun{}, errs.NotFound("定时任务")
	}
	r.mu.Lock()
	if r.stopping {
		r.mu.Unlock()
		return JobRun{}, errs.Conflict("定时任务服务正在停止")
	}
	r.wg.Add(1)
	r.mu.Unlock()
	defer r.wg.Done()
	run, err := r.execute(ctx, e, TriggerManual, false)
	if errors.Is(err, errNotClaimed) {
		return JobRun{}, errs.Conflict("任务正在其他节点上运行，请稍后再试")
	}
	return run, err
}

func (r *Runner) loop(ctx context.Context, e *entry) {
	defer r.wg.Done()
	t := time.NewTimer(r.untilDue(ctx, e))
	defer t.Stop()
	for {
		requireDue := true
		select {
		case <-ctx.Done():
			return
		case <-r.stop:
			return
		case <-t.C:
		case <-e.wake:
			requireDue = false
		}
		if _, err := r.execute(r.base, e, TriggerSchedule, requireDue); err != nil && !errors.Is(err, errNotClaimed) &&
			!errs.Is(err, errs.CodeConflict) && r.base.Err() == nil {
			r.Log.Error("job not run", "job", e.Name, "err", err)
		}
		t.Reset(r.untilDue(ctx, e))
	}
}

// untilDue is how long the loop sleeps: until the shared next run time (or the end of another replica's lease),
// never longer than the interval, plus a little jitter so replicas do not all try at the same instant.
func (r *Runner) untilDue(ctx context.Context, e *entry) time.Duration {
	jitter := min(e.Every/20, 500*time.Millisecond)
	if jitter > 0 {
		jitter = rand.N(jitter) + 1
	}
	next, until, err := r.leaseTimes(ctx, e.Name)
	if err != nil {
		return e.Every + jitter
	}
	d := time.Duration(max(next, until)-r.now().UnixMilli()) * time.Millisecond
	d = min(max(d, 0), e.Every)
	return d + jitter
}

// execute claims the job's lease, records the run, runs it and records the result. requireDue makes the claim fail
// when the shared schedule says the job is not due yet (scheduled runs only).
func (r *Runner) execute(ctx context.Context, e *entry, trigger string, requireDue bool) (JobRun, error) {
	if !e.running.CompareAndSwap(false, true) {
		return JobRun{}, errs.Conflict("任务“" + e.Name + "”正在运行，请稍后再试")
	}
	defer e.running.Store(false)
	if err := r.ensure(ctx, e); err != nil {
		return JobRun{}, err
	}
	ok, err := r.claim(ctx, e.Name, requireDue)
	if err != nil {
		return JobRun{}, err
	}
	if !ok {
		return JobRun{}, errNotClaimed
	}
	wallStart := time.Now()
	run := JobRun{Job: e.Name, Trigger: trigger, Status: StatusRunning, StartedAt: r.Clock.Now().Truncate(time.Second)}
	if trigger == TriggerManual {
		run.Actor = audit.ActorFrom(ctx).Username
	}
	bctx, bcancel := r.bookkeeping(ctx)
	run.ID, err = r.begin(bctx, run)
	if err != nil {
		r.release(bctx, e)
		bcancel()
		return JobRun{}, err
	}
	bcancel()

	// Keep the lease while the job runs.
	hbStop, hbDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(hbDone)
		t := time.NewTicker(max(r.LeaseTTL/3, 10*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-hbStop:
				return
			case <-t.C:
				hctx, hcancel := r.bookkeeping(ctx)
				if lost, err := r.renew(hctx, e.Name); err != nil {
					r.Log.Warn("job lease renewal failed", "job", e.Name, "err", err)
				} else if lost {
					r.Log.Warn("job lease lost while running", "job", e.Name)
				}
				hcancel()
			}
		}
	}()

	jctx, cancel := context.WithTimeout(audit.WithActor(context.Background(), audit.System), e.Timeout)
	stopCaller := context.AfterFunc(ctx, cancel)
	stopBase := context.AfterFunc(r.base, cancel)
	msg, runErr := r.call(jctx, e)
	stopCaller()
	stopBase()
	cancel()
	close(hbStop)
	<-hbDone

	run.DurationMS = time.Since(wallStart).Milliseconds()
	fin := r.Clock.Now().Truncate(time.Second)
	run.FinishedAt = &fin
	run.Status, run.Message = StatusOK, msg
	if runErr != nil {
		run.Status = StatusFailed
		run.Message = runErr.Error()
		if msg != "" {
			run.Message = msg + "：" + run.Message
		}
		if r.base.Err() != nil || ctx.Err() != nil {
			run.Message = "已取消（服务停止或调用方放弃）：" + run.Message
		}
		r.Log.Warn("job failed", "job", e.Name, "err", runErr, "ms", run.DurationMS)
	} else {
		r.Log.Debug("job done", "job", e.Name, "msg", msg, "ms", run.DurationMS)
	}
	run.Message = truncate(run.Message, 2000)
	fctx, fcancel := r.bookkeeping(ctx)
	defer fcancel()
	if err := r.finish(fctx, run); err != nil {
		r.Log.Error("job result not recorded", "job", e.Name, "err", err)
	}
	if err := r.prune(fctx, e.Name, r.Keep); err != nil {
		r.Log.Warn("job runs not pruned", "job", e.Name, "err", err)
	}
	r.releaseAfterRun(fctx, e)
	return run, nil
}

// bookkeeping is the context of one write about a run (start, lease renewal, result): it keeps ctx's values (the
// audit actor) but not its cancellation, so a stopping server still records how its runs ended, and it is bounded
// on its own so a hung database cannot hold a job forever.
func (r *Runner) bookkeeping(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
}

// call runs the job, turning a panic into an error.
func (r *Runner) call(ctx context.Context, e *entry) (msg string, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.Log.Error("job panicked", "job", e.Name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return e.Run(ctx)
}

func truncate(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}

// Exclusive keeps run going on exactly one replica at a time — background work that must not run twice, such as
// the one MQTT subscriber. The replica holding the lease named name (a row of job_leases, beside the jobs') runs
// run(ctx) and renews the lease every LeaseTTL/3; run must return when ctx ends, which happens when the lease is
// lost, when the returned stop function is called, or when the runner stops. The others try to take the lease
// every LeaseTTL/3, so when the holder stops (its lease is released) or dies (its lease runs out) another one
// takes over within about LeaseTTL. When run returns early, the lease is released and tried again later. A holder
// that cannot renew its lease for LeaseTTL (the database is unreachable) ends run, since another replica may take
// the lease by then. stop
// ends run and waits for it; calling it more than once is safe.
func (r *Runner) Exclusive(name string, run func(ctx context.Context)) (stop func()) {
	if !nameRe.MatchString(name) {
		panic("jobs: invalid lease name " + strconv.Quote(name))
	}
	ctx, cancel := context.WithCancel(r.base)
	r.mu.Lock()
	if r.stopping {
		r.mu.Unlock()
		cancel()
		return func() {}
	}
	r.wg.Add(1)
	r.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer r.wg.Done()
		defer close(done)
		every := max(r.LeaseTTL/3, 10*time.Millisecond)
		for {
			r.holdOnce(ctx, name, run)
			select {
			case <-ctx.Done():
				return
			case <-r.stop:
				return
			case <-time.After(every):
			}
		}
	}()
	return func() { cancel(); <-done }
}

// holdOnce takes the lease if it is free and runs run until ctx ends, the runner stops or the lease is lost.
func (r *Runner) holdOnce(ctx context.Context, name string, run func(ctx context.Context)) {
	if ctx.Err() != nil {
		return
	}
	if _, err := r.DB.Exec(ctx, "INSERT INTO job_leases (name, holder, lease_until_ms, next_run_ms) VALUES (?, '', 0, 0) ON CONFLICT (name) DO NOTHING", name); err != nil {
		if ctx.Err() == nil {
			r.Log.Warn("lease row", "lease", name, "err", err)
		}
		return
	}
	ok, err := r.claim(ctx, name, false)
	if err != nil || !ok {
		if err != nil && ctx.Err() == nil {
			r.Log.Warn("lease not taken", "lease", name, "err", err)
		}
		return
	}
	r.Log.Info("lease taken", "lease", name, "holder", r.holder)
	renewed := r.now()
	hctx, hcancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-r.stop:
			hcancel()
		case <-hctx.Done():
		}
	}()
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		defer func() {
			if p := recover(); p != nil {
				r.Log.Error("exclusive work panicked", "lease", name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			}
		}()
		run(hctx)
	}()
	t := time.NewTicker(max(r.LeaseTTL/3, 10*time.Millisecond))
	defer t.Stop()
loop:
	for {
		select {
		case <-ran:
			break loop
		case <-hctx.Done():
			<-ran
			break loop
		case <-t.C:
			bctx, bcancel := r.bookkeeping(ctx)
			lost, err := r.renew(bctx, name)
			bcancel()
			switch {
			case err != nil && r.now().Sub(renewed) >= r.LeaseTTL:
				r.Log.Warn("lease not renewed in time: stopping the work it guards", "lease", name, "err", err)
				hcancel()
			case err != nil:
				r.Log.Warn("lease renewal failed", "lease", name, "err", err)
			case lost:
				r.Log.Warn("lease lost: stopping the work it guards", "lease", name)
				hcancel()
			default:
				renewed = r.now()
			}
		}
	}
	hcancel()
	bctx, bcancel := r.bookkeeping(ctx)
	defer bcancel()
	if _, err := r.DB.Exec(bctx, "UPDATE job_leases SET holder = '', lease_until_ms = 0 WHERE name = ? AND holder = ?", name, r.holder); err != nil {
		r.Log.Error("lease not released", "lease", name, "err", err)
	}
	r.Log.Info("lease released", "lease", name)
}
