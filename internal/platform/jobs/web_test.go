package jobs_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/jobs"
)

func TestStatusPageAndRunNow(t *testing.T) {
	env := apptest.New(t)
	env.App.Jobs.Add(jobs.Job{Name: "test.report", Title: "生成测试报表", Every: 15 * time.Minute,
		Run: func(ctx context.Context) (string, error) { return "生成 12 张报表", nil }})
	env.App.Jobs.Add(jobs.Job{Name: "test.broken", Title: "总是失败", Every: 6 * time.Hour,
		Run: func(ctx context.Context) (string, error) { return "", errors.New("上游接口不可用") }})
	b := env.Browser("admin", apptest.AdminPassword)

	page := b.Get("/admin/jobs")
	if page.StatusCode != 200 || !strings.Contains(page.Body, "生成测试报表") || !strings.Contains(page.Body, "每 15 分钟") ||
		!strings.Contains(page.Body, "jobs.maintenance") || !strings.Contains(page.Body, "notify.deliver") || !strings.Contains(page.Body, "尚未运行") {
		t.Fatalf("status page: %d\n%s", page.StatusCode, page.Body)
	}
	r := b.Form("POST", "/admin/jobs/test.report/run", url.Values{})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin/jobs" {
		t.Fatalf("run now: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	page = b.Get("/admin/jobs")
	if !strings.Contains(page.Body, "运行成功：生成 12 张报表") || !strings.Contains(page.Body, "2026-11-16 10:00") {
		t.Fatalf("after run now:\n%s", page.Body)
	}
	r = b.Form("POST", "/admin/jobs/test.broken/run", url.Values{"back": {"detail"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin/jobs/test.broken" {
		t.Fatalf("run failing job: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	page = b.Get("/admin/jobs/test.broken")
	if page.StatusCode != 200 || !strings.Contains(page.Body, "运行失败：上游接口不可用") || !strings.Contains(page.Body, "手动 · admin") ||
		!strings.Contains(page.Body, "badge-danger") {
		t.Fatalf("detail page:\n%s", page.Body)
	}
	if b.Get("/admin/jobs/nope").StatusCode != 404 {
		t.Fatal("unknown job page should be 404")
	}
	if r := b.Form("POST", "/admin/jobs/nope/run", url.Values{}); r.StatusCode != 404 {
		t.Fatalf("run unknown job: %d", r.StatusCode)
	}

	// English: every key translated, including plain and keyed titles.
	if r := b.Form("POST", "/lang", url.Values{"lang": {"en"}, "next": {"/"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatal("switch language")
	}
	for _, p := range []string{"/admin/jobs", "/admin/jobs/" + jobs.MaintenanceJob, "/admin/jobs/test.broken"} {
		page = b.Get(p)
		if page.StatusCode != 200 || strings.Contains(page.Body, "[[") || !strings.Contains(page.Body, "Scheduled jobs") {
			t.Fatalf("English %s: %d\n%s", p, page.StatusCode, page.Body)
		}
	}
	if !strings.Contains(b.Get("/admin/jobs").Body, "Prune job run records") {
		t.Fatal("keyed job title not translated")
	}
}

func TestJobsAPI(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	if _, err := env.App.Auth.CreateUser(ctx, nil, auth.Everything(), auth.UserInput{Username: "viewer", Password: "Kx7#Pass2026",
		Roles: []string{"supervisor"}, DataScope: auth.ScopeAll}); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var once sync.Once
	open := func() { once.Do(func() { close(release) }) }
	t.Cleanup(open) // a failing test must not leave the job blocking the app's Stop
	env.App.Jobs.Wait = 500 * time.Millisecond
	env.App.Jobs.Add(jobs.Job{Name: "test.slow", Title: "慢任务", Every: time.Hour, Run: func(ctx context.Context) (string, error) {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return "完成", nil
	}})
	a := env.Admin()
	var list struct {
		Items []jobs.JobStatus `json:"items"`
		Total int64            `json:"total"`
	}
	if st := a.JSON("GET", "/api/v1/jobs", nil, &list); st != 200 || list.Total < 4 {
		t.Fatalf("list: %d %+v", st, list)
	}
	titles := map[string]string{}
	for _, j := range list.Items {
		titles[j.Name] = j.Title
	}
	if titles[jobs.MaintenanceJob] != "清理定时任务运行记录" || titles["test.slow"] != "慢任务" || titles["notify.deliver"] == "" {
		t.Fatalf("titles %v", titles)
	}
	var run jobs.JobRun
	if st := a.JSON("POST", "/api/v1/jobs/"+jobs.MaintenanceJob+"/run", nil, &run); st != 200 || run.Status != jobs.StatusOK || run.Actor != "admin" ||
		run.Trigger != jobs.TriggerManual {
		t.Fatalf("run: %d %+v", st, run)
	}
	// A run that outlasts the wait answers 202; a second one meanwhile is a conflict.
	if st := a.JSON("POST", "/api/v1/jobs/test.slow/run", nil, &run); st != 202 || run.Status != jobs.StatusRunning {
		t.Fatalf("slow run: %d %+v", st, run)
	}
	var e apptest.ErrorBody
	if st := a.JSON("POST", "/api/v1/jobs/test.slow/run", nil, &e); st != 409 || e.Error.Code != "conflict" {
		t.Fatalf("overlapping run: %d %+v", st, e)
	}
	if a.JSON("GET", "/api/v1/jobs", nil, &list); !running(list.Items, "test.slow") {
		t.Fatalf("list should show test.slow running: %+v", list.Items)
	}
	open()
	var runs struct {
		Items []jobs.JobRun `json:"items"`
		Total int64         `json:"total"`
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		a.JSON("GET", "/api/v1/jobs/test.slow/runs", nil, &runs)
		if runs.Total == 1 && runs.Items[0].Status == jobs.StatusOK || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if runs.Total != 1 || runs.Items[0].Status != jobs.StatusOK || runs.Items[0].Message != "完成" {
		t.Fatalf("runs: %+v", runs)
	}
	if st := a.JSON("POST", "/api/v1/jobs/nope/run", nil, nil); st != 404 {
		t.Fatalf("unknown job: %d", st)
	}
	if st := a.JSON("GET", "/api/v1/jobs/nope/runs", nil, nil); st != 404 {
		t.Fatalf("unknown job runs: %d", st)
	}
	// The supervisor may read most things, but not jobs.
	v := env.API("viewer", "Kx7#Pass2026")
	if st := v.JSON("GET", "/api/v1/jobs", nil, nil); st != 403 {
		t.Fatalf("viewer lists jobs: %d", st)
	}
	if st := v.JSON("POST", "/api/v1/jobs/"+jobs.MaintenanceJob+"/run", nil, nil); st != 403 {
		t.Fatalf("viewer runs a job: %d", st)
	}
	n, err := db.Count(ctx, env.App.DB, "SELECT COUNT(*) FROM audit_log WHERE action = 'job.run' AND actor = 'admin'")
	if err != nil || n != 2 {
		t.Fatalf("audited runs: %d %v", n, err)
	}
}

func running(list []jobs.JobStatus, name string) bool {
	for _, j := range list {
		if j.Name == name {
			return j.Running
		}
	}
	return false
}
