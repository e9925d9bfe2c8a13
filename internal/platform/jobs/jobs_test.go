package jobs

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/db/dbtest"
	"github.com/govops/govops/internal/platform/errs"
)

var t0 = time.Date(2026, 11, 16, 2, 0, 0, 0, time.UTC)

func newRunner(t *testing.T, d *db.DB) *Runner {
	t.Helper()
	r := New(d, clock.NewFixed(t0), slog.New(slog.DiscardHandler), nil)
	t.Cleanup(func() { r.Stop(context.Background()) })
	return r
}

func runs(t *testing.T, r *Runner, job string) []JobRun {
	t.Helper()
	out, _, err := r.Runs(context.Background(), job, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// gate returns a channel a test job blocks on and a release function, also run at cleanup, so a failing test never
// leaves a job blocked (which would make the runner's Stop wait forever).
func gate(t *testing.T) (<-chan struct{}, func()) {
	ch := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(ch) }) }
	t.Cleanup(release)
	return ch, release
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRunNowRecordsResultErrorAndPanic(t *testing.T) {
	d := dbtest.New(t, audit.Migrations, Migrations)
	r := newRunner(t, d)
	r.Add(Job{Name: "t.ok", Title: "成功的任务", Every: time.Hour, Run: func(ctx context.Context) (string, error) { return "处理 3 条", nil }})
	r.Add(Job{Name: "t.fail", Every: time.Hour, Run: func(ctx context.Context) (string, error) { return "", errors.New("网关不可用") }})
	r.Add(Job{Name: "t.panic", Every: time.Hour, Run: func(ctx context.Context) (string, error) { panic("boom") }})
	ctx := audit.WithActor(context.Background(), audit.Actor{UserID: 1, Username: "admin"})

	ok, err := r.RunNow(ctx, "t.ok")
	if err != nil {
		t.Fatal(err)
	}
	if ok.Status != StatusOK || ok.Message != "处理 3 条" || ok.Trigger != TriggerManual || ok.Actor != "admin" || !ok.StartedAt.Equal(t0) || ok.FinishedAt == nil {
		t.Fatalf("ok run = %+v", ok)
	}
	fail, err := r.RunNow(ctx, "t.fail")
	if err != nil {
		t.Fatal(err)
	}
	if fail.Status != StatusFailed || fail.Message != "网关不可用" {
		t.Fatalf("failed run = %+v", fail)
	}
	p, err := r.RunNow(ctx, "t.panic")
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != StatusFailed || !strings.Contains(p.Message, "panic: boom") {
		t.Fatalf("panicking run = %+v", p)
	}
	if _, err := r.RunNow(ctx, "t.nope"); !errs.Is(err, errs.CodeNotFound) {
		t.Fatalf("unknown job: %v", err)
	}

	stored := runs(t, r, "t.fail")
	if len(stored) != 1 || stored[0].Status != StatusFailed || stored[0].Message != "网关不可用" || stored[0].FinishedAt == nil {
		t.Fatalf("stored = %+v", stored)
	}
	list, err := r.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]JobStatus{}
	for _, s := range list {
		byName[s.Name] = s
	}
	if s := byName["t.ok"]; s.LastRun == nil || s.LastRun.Status != StatusOK || s.Running || s.NextRunAt == nil || s.EverySeconds != 3600 {
		t.Fatalf("status t.ok = %+v", s)
	}
	if s := byName[MaintenanceJob]; s.LastRun != nil || s.NextRunAt != nil {
		t.Fatalf("maintenance job should be listed, never run: %+v", s)
	}
	// Manual runs are audited with who pressed the button.
	n, err := db.Count(context.Background(), d, "SELECT COUNT(*) FROM audit_log WHERE action = 'job.run' AND actor = 'admin'")
	if err != nil || n != 3 {
		t.Fatalf("audited manual runs = %d, %v", n, err)
	}
}

func TestKeepsOnlyLastRuns(t *testing.T) {
	d := dbtest.New(t, audit.Migrations, Migrations)
	r := newRunner(t, d)
	r.Keep = 3
	var n atomic.Int64
	r.Add(Job{Name: "t.count", Every: time.Hour, Run: func(ctx context.Context) (string, error) {
		return "第 " + string(rune('0'+n.Add(1))) + " 次", nil
	}})
	for i := 0; i < 5; i++ {
		if _, err := r.RunNow(context.Background(), "t.count"); err != nil {
			t.Fatal(err)
		}
	}
	got := runs(t, r, "t.count")
	if len(got) != 3 || got[0].Message != "第 5 次" || got[2].Message != "第 3 次" {
		t.Fatalf("kept runs = %+v", got)
	}
}

func TestJobNeverOverlapsItself(t *testing.T) {
	d := dbtest.New(t, audit.Migrations, Migrations)
	r := newRunner(t, d)
	started := make(chan struct{})
	release, open := gate(t)
	r.Add(Job{Name: "t.slow", Every: time.Hour, Run: func(ctx context.Context) (string, error) {
		close(started)
		<-release
		return "done", nil
	}})
	errc := make(chan error, 1)
	go func() { _, err := r.RunNow(context.Background(), "t.slow"); errc <- err }()
	<-started
	if _, err := r.RunNow(context.Background(), "t.slow"); !errs.Is(err, errs.CodeConflict) {
		t.Fatalf("second run while running: %v, want conflict", err)
	}
	list, _ := r.Status(context.Background())
	for _, s := range list {
		if s.Name == "t.slow" && !s.Running {
			t.Fatal("status should show the job running")
		}
	}
	open()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if got := runs(t, r, "t.slow"); len(got) != 1 {
		t.Fatalf("runs = %d, want 1", len(got))
	}
}

// Two runners on one database stand for two replicas: the lease lets only one run the job at a time.
func TestLeaseAcrossReplicas(t *testing.T) {
	d := dbtest.New(t, audit.Migrations, Migrations)
	a, b := newRunner(t, d), newRunner(t, d)
	started := make(chan struct{})
	release, open := gate(t)
	var calls atomic.Int64
	job := func(block bool) Job {
		return Job{Name: "t.shared", Every: time.Hour, Run: func(ctx context.Context) (string, error) {
			calls.Add(1)
			if block {
				close(started)
				<-release
			}
			return "", nil
		}}
	}
	a.Add(job(true))
	b.Add(job(false))
	errc := make(chan error, 1)
	go func() { _, err := a.RunNow(context.Background(), "t.shared"); errc <- err }()
	<-started
	if _, err := b.RunNow(context.Background(), "t.shared"); !errs.Is(err, errs.CodeConflict) {
		t.Fatalf("replica b while a runs: %v, want conflict", err)
	}
	open()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	// A scheduled attempt on b now finds the job not due: a ran it, and the next run is an hour away.
	if _, err := b.execute(context.Background(), b.entry("t.shared"), TriggerSchedule, true); !errors.Is(err, errNotClaimed) {
		t.Fatalf("scheduled run on b right after a ran: %v, want not claimed", err)
	}
	// "Run now" ignores the schedule but still takes the lease.
	if run, err := b.RunNow(context.Background(), "t.shared"); err != nil || run.Status != StatusOK {
		t.Fatalf("manual run on b: %+v %v", run, err)
	}
	if calls.Load() != 2 {
		t.Fatalf("calls = %d, want 2", calls.Load())
	}
}

// A run longer than the lease keeps it by renewing: another replica cannot start the job meanwhile.
func TestLongRunKeepsItsLease(t *testing.T) {
	d := dbtest.New(t, audit.Migrations, Migrations)
	a, b := newRunner(t, d), newRunner(t, d)
	a.LeaseTTL, b.LeaseTTL = 60*time.Millisecond, 60*time.Millisecond
	started := make(chan struct{})
	release, open := gate(t)
	a.Add(Job{Name: "t.long", Every: time.Hour, Run: func(ctx context.Context) (string, error) { close(started); <-release; return "", nil }})
	b.Add(Job{Name: "t.long", Every: time.Hour, Run: func(ctx context.Context) (string, error) { return "", nil }})
	errc := make(chan error, 1)
	go func() { _, err := a.RunNow(context.Background(), "t.long"); errc <- err }()
	<-started
	time.Sleep(250 * time.Millisecond) // four lease lengths
	if _, err := b.RunNow(context.Background(), "t.long"); !errs.Is(err, errs.CodeConflict) {
		t.Fatalf("replica b during a's long run: %v, want conflict", err)
	}
	open()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if run, err := b.RunNow(context.Background(), "t.long"); err != nil || run.Status != StatusOK {
		t.Fatalf("replica b after a finished: %+v %v", run, err)
	}
}

func TestScheduleRunsRepeatedlyAndStopEndsIt(t *testing.T) {
	d := dbtest.New(t, audit.Migrations, Migrations)
	r := newRunner(t, d)
	var n atomic.Int64
	r.Add(Job{Name: "t.tick", Every: 20 * time.Millisecond, Run: func(ctx context.Context) (string, error) { n.Add(1); return "", nil }})
	r.Start(context.Background())
	r.Start(context.Background()) // a second Start does nothing
	waitFor(t, "three scheduled runs", func() bool { return n.Load() >= 3 })
	r.Stop(context.Background())
	after := n.Load()
	time.Sleep(60 * time.Millisecond)
	if n.Load() != after {
		t.Fatalf("job ran after Stop: %d → %d", after, n.Load())
	}
	for _, run := range runs(t, r, "t.tick") {
		if run.Trigger != TriggerSchedule || run.Status != StatusOK {
			t.Fatalf("scheduled run = %+v", run)
		}
	}
	if _, err := r.RunNow(context.Background(), "t.tick"); !errs.Is(err, errs.CodeConflict) {
		t.Fatalf("RunNow after Stop: %v, want conflict", err)
	}
}

func TestWakeRunsBeforeTheInterval(t *testing.T) {
	d := dbtest.New(t, audit.Migrations, Migrations)
	r := newRunner(t, d)
	var n atomic.Int64
	r.Add(Job{Name: "t.wake", Every: time.Hour, Run: func(ctx context.Context) (string, error) { n.Add(1); return "", nil }})
	r.Start(context.Background())
	waitFor(t, "the first run of a never-run job", func() bool { return n.Load() == 1 })
	waitFor(t, "the first run to be recorded", func() bool {
		got := runs(t, r, "t.wake")
		return len(got) == 1 && got[0].Status == StatusOK
	})
	r.Wake("t.wake")
	waitFor(t, "the woken run", func() bool { return n.Load() == 2 })
}

func TestStopWithoutStartIsSafeAndIdempotent(t *testing.T) {
	d := dbtest.New(t, audit.Migrations, Migrations)
	r := newRunner(t, d)
	r.Stop(context.Background())
	r.Stop(context.Background())
	r.Start(context.Background()) // after Stop: nothing starts
	r.Stop(context.Background())
}

func TestStopWaitsThenCancelsAtDeadline(t *testing.T) {
	d := dbtest.New(t, audit.Migrations, Migrations)
	r := newRunner(t, d)
	started := make(chan struct{})
	r.Add(Job{Name: "t.stuck", Every: time.Hour, Run: func(ctx context.Context) (string, error) {
		close(started)
		<-ctx.Done()
		return "", ctx.Err()
	}})
	done := make(chan JobRun, 1)
	go func() { run, _ := r.RunNow(context.Background(), "t.stuck"); done <- run }()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	begin := time.Now()
	r.Stop(ctx)
	if time.Since(begin) > 3*time.Second {
		t.Fatalf("Stop took %v", time.Since(begin))
	}
	run := <-done
	if run.Status != StatusFailed || !strings.Contains(run.Message, "已取消") {
		t.Fatalf("cancelled run = %+v", run)
	}
	if got := runs(t, r, "t.stuck"); len(got) != 1 || got[0].Status != StatusFailed {
		t.Fatalf("stored = %+v", got)
	}
}

func TestInterruptedRunIsClosed(t *testing.T) {
	d := dbtest.New(t, audit.Migrations, Migrations)
	r := newRunner(t, d)
	r.Add(Job{Name: "t.crash", Every: time.Hour, Run: func(ctx context.Context) (string, error) { return "", nil }})
	ctx := context.Background()
	// A replica died mid-run: its run stays "running" and its lease has expired.
	if _, err := d.Exec(ctx, "INSERT INTO job_runs (job, trigger_kind, status, started_at) VALUES ('t.crash', 'schedule', 'running', ?)", t0.Unix()-60); err != nil {
		t.Fatal(err)
	}
	if _, err := r.RunNow(ctx, "t.crash"); err != nil {
		t.Fatal(err)
	}
	got := runs(t, r, "t.crash")
	if len(got) != 2 || got[1].Status != StatusFailed || !strings.Contains(got[1].Message, "中断") || got[0].Status != StatusOK {
		t.Fatalf("runs = %+v", got)
	}
}

func TestMaintenancePrunesOnlyItsOwnRecords(t *testing.T) {
	d := dbtest.New(t, audit.Migrations, Migrations)
	r := newRunner(t, d)
	r.Keep = 2
	r.Add(Job{Name: "t.kept", Every: time.Hour, Run: func(ctx context.Context) (string, error) { return "", nil }})
	ctx := context.Background()
	ins := func(job string, at time.Time, status string) {
		t.Helper()
		if _, err := d.Exec(ctx, "INSERT INTO job_runs (job, trigger_kind, status, started_at) VALUES (?, 'schedule', ?, ?)", job, status, at.Unix()); err != nil {
			t.Fatal(err)
		}
	}
	ins("t.kept", t0.Add(-100*24*time.Hour), StatusOK) // older than MaxAge
	ins("t.kept", t0.Add(-3*time.Hour), StatusOK)
	ins("t.kept", t0.Add(-2*time.Hour), StatusOK)
	ins("t.kept", t0.Add(-1*time.Hour), StatusOK)      // only the newest 2 stay
	ins("t.gone", t0.Add(-8*24*time.Hour), StatusOK)   // job no longer registered, over a week old
	ins("t.gone", t0.Add(-1*time.Hour), StatusOK)      // recent: kept for now
	ins("t.dead", t0.Add(-1*time.Hour), StatusRunning) // no lease: interrupted
	run, err := r.RunNow(ctx, MaintenanceJob)
	if err != nil || run.Status != StatusOK {
		t.Fatalf("maintenance: %+v %v", run, err)
	}
	if !strings.Contains(run.Message, "删除 3 条") || !strings.Contains(run.Message, "关闭 1 条") {
		t.Fatalf("message = %q", run.Message)
	}
	count := func(job string) int64 {
		n, err := db.Count(ctx, d, "SELECT COUNT(*) FROM job_runs WHERE job = ?", job)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count("t.kept") != 2 || count("t.gone") != 1 {
		t.Fatalf("kept %d, gone %d", count("t.kept"), count("t.gone"))
	}
	if got := runs(t, r, MaintenanceJob); len(got) != 1 || got[0].Status != StatusOK {
		t.Fatalf("the maintenance run itself must survive: %+v", got)
	}
}

func TestAddRejectsBadJobs(t *testing.T) {
	d := dbtest.New(t, audit.Migrations, Migrations)
	r := newRunner(t, d)
	run := func(ctx context.Context) (string, error) { return "", nil }
	for _, j := range []Job{{Name: "Bad Name", Every: time.Second, Run: run}, {Name: "t.noevery", Run: run}, {Name: "t.norun", Every: time.Second},
		{Name: MaintenanceJob, Every: time.Second, Run: run}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Add(%q) did not panic", j.Name)
				}
			}()
			r.Add(j)
		}()
	}
}

func TestSplitEvery(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		n    int64
		unit string
	}{{15 * time.Second, 15, "s"}, {90 * time.Second, 90, "s"}, {10 * time.Minute, 10, "m"}, {6 * time.Hour, 6, "h"},
		{24 * time.Hour, 1, "d"}, {36 * time.Hour, 36, "h"}, {250 * time.Millisecond, 250, "ms"}} {
		if n, u := splitEvery(c.d); n != c.n || u != c.unit {
			t.Errorf("splitEvery(%v) = %d %s, want %d %s", c.d, n, u, c.n, c.unit)
		}
	}
}

// Exclusive work runs on one replica at a time; when its holder stops, another takes over, and a holder whose
// lease another replica took (it was cut off longer than the lease) stops its work.
func TestExclusiveRunsOnOneReplica(t *testing.T) {
	d := dbtest.New(t, audit.Migrations, Migrations)
	a, b := newRunner(t, d), newRunner(t, d)
	a.LeaseTTL, b.LeaseTTL = 300*time.Millisecond, 300*time.Millisecond
	var running, starts atomic.Int64
	work := func(ctx context.Context) {
		starts.Add(1)
		if running.Add(1) > 1 {
			t.Error("the work runs on two replicas at once")
		}
		<-ctx.Done()
		running.Add(-1)
	}
	stopA := a.Exclusive("t.exclusive", work)
	stopB := b.Exclusive("t.exclusive", work)
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("waited 5 s for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitUntil("the work to start", func() bool { return running.Load() == 1 })
	time.Sleep(time.Second) // several renewals: still one holder, never restarted
	if starts.Load() != 1 {
		t.Fatalf("started %d times, want 1", starts.Load())
	}
	var holder string
	if err := d.QueryRow(context.Background(), "SELECT holder FROM job_leases WHERE name = 't.exclusive'").Scan(&holder); err != nil {
		t.Fatal(err)
	}
	stopFirst, other := stopA, stopB
	if holder == b.holder {
		stopFirst, other = stopB, stopA
	}
	stopFirst()
	waitUntil("the other replica to take over", func() bool { return starts.Load() == 2 && running.Load() == 1 })
	// The holder is cut off: its lease is taken by force; it notices at its next renewal and stops.
	if _, err := d.Exec(context.Background(), "UPDATE job_leases SET holder = 'someone-else' WHERE name = 't.exclusive'"); err != nil {
		t.Fatal(err)
	}
	waitUntil("the work to stop after losing its lease", func() bool { return running.Load() == 0 })
	other()
	other() // twice is safe
}
