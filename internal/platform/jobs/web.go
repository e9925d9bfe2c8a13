package jobs

import (
	"context"
	"embed"
	"net/http"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

type listPage struct {
	web.Globals
	Jobs []JobStatus
}

type detailPage struct {
	web.Globals
	Job   JobStatus
	Runs  []JobRun
	Pager web.Pager
}

// Routes registers the status page and API.
func (r *Runner) Routes() {
	u := r.UI
	u.AddTemplates("jobs", web.Sub(templatesFS, "templates"))
	if err := u.Catalog.Add(web.LangEN, catalogEN); err != nil {
		panic(err)
	}
	u.AddMenu(web.MenuItem{Group: "menu.system|系统管理", Label: "jobs.title|定时任务", Path: "/admin/jobs", Perm: "job:read", Order: 80})

	u.Page("GET /admin/jobs", "job:read", func(w http.ResponseWriter, req *http.Request) error {
		list, err := r.Status(req.Context())
		if err != nil {
			return err
		}
		r.translate(req, list)
		return u.Render(w, req, http.StatusOK, "jobs/jobs.html", &listPage{
			Globals: u.G(req, "jobs.title|定时任务", web.Crumb{Label: "menu.system|系统管理"}, web.Crumb{Label: "jobs.title|定时任务"}),
			Jobs:    list})
	})
	u.Page("GET /admin/jobs/{name}", "job:read", func(w http.ResponseWriter, req *http.Request) error {
		st, err := r.statusOf(req)
		if err != nil {
			return err
		}
		l, err := web.ParseList(req)
		if err != nil {
			return err
		}
		runs, total, err := r.Runs(req.Context(), st.Name, l.Offset(), l.PageSize)
		if err != nil {
			return err
		}
		return u.Render(w, req, http.StatusOK, "jobs/job.html", &detailPage{
			Globals: u.G(req, "|"+st.Title, web.Crumb{Label: "menu.system|系统管理"}, web.Crumb{Label: "jobs.title|定时任务", Path: "/admin/jobs"},
				web.Crumb{Label: "|" + st.Title}), // already translated: "|" marks literal text
			Job: st, Runs: runs, Pager: web.NewPager(l, total)})
	})
	u.Page("POST /admin/jobs/{name}/run", "job:run", func(w http.ResponseWriter, req *http.Request) error {
		name := req.PathValue("name")
		back := "/admin/jobs"
		if req.PostFormValue("back") == "detail" {
			back = "/admin/jobs/" + name
		}
		run, done, err := r.runAndWait(req, name)
		switch {
		case errs.Is(err, errs.CodeNotFound):
			return err
		case err != nil:
			if e := errs.As(err); e != nil && e.Code != errs.CodeInternal {
				u.SetFlash(w, "error", e.Message)
				http.Redirect(w, req, back, http.StatusSeeOther)
				return nil
			}
			return err
		case !done:
			u.SetFlash(w, "info", "任务已开始运行，请稍后刷新查看结果")
		case run.Status == StatusOK:
			u.SetFlash(w, "success", "运行成功："+orDash(run.Message))
		default:
			u.SetFlash(w, "error", "运行失败："+run.Message)
		}
		http.Redirect(w, req, back, http.StatusSeeOther)
		return nil
	})

	u.API("GET /api/v1/jobs", "job:read", web.Doc{Summary: "定时任务及其最近运行情况", Response: JobStatus{}, List: true},
		func(w http.ResponseWriter, req *http.Request) error {
			list, err := r.Status(req.Context())
			if err != nil {
				return err
			}
			for i := range list {
				list[i].Title = r.title(web.LangZH, list[i].Title)
			}
			return web.JSON(w, http.StatusOK, web.NewItems(list, int64(len(list))))
		})
	u.API("GET /api/v1/jobs/{name}/runs", "job:read", web.Doc{Summary: "定时任务的运行记录（新的在前）", Response: JobRun{}, List: true},
		func(w http.ResponseWriter, req *http.Request) error {
			if r.entry(req.PathValue("name")) == nil {
				return errs.NotFound("定时任务")
			}
			l, err := web.ParseList(req)
			if err != nil {
				return err
			}
			runs, total, err := r.Runs(req.Context(), req.PathValue("name"), l.Offset(), l.PageSize)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(runs, total))
		})
	u.API("POST /api/v1/jobs/{name}/run", "job:run", web.Doc{Summary: "立即运行定时任务：完成则 200 返回本次运行，仍在运行则 202", Response: JobRun{}},
		func(w http.ResponseWriter, req *http.Request) error {
			run, done, err := r.runAndWait(req, req.PathValue("name"))
			if err != nil {
				return err
			}
			if !done {
				return web.JSON(w, http.StatusAccepted, JobRun{Job: req.PathValue("name"), Trigger: TriggerManual, Status: StatusRunning})
			}
			return web.JSON(w, http.StatusOK, run)
		})
}

// runAndWait starts a manual run detached from the request (so a closed browser tab does not cancel it) and waits
// up to r.Wait for its result; done is false when it is still running.
func (r *Runner) runAndWait(req *http.Request, name string) (JobRun, bool, error) {
	if r.entry(name) == nil {
		return JobRun{}, false, errs.NotFound("定时任务")
	}
	type result struct {
		run JobRun
		err error
	}
	ch := make(chan result, 1)
	ctx := context.WithoutCancel(req.Context())
	go func() {
		run, err := r.RunNow(ctx, name)
		ch <- result{run, err}
	}()
	t := time.NewTimer(r.Wait)
	defer t.Stop()
	select {
	case res := <-ch:
		return res.run, true, res.err
	case <-t.C:
		return JobRun{}, false, nil
	}
}

func (r *Runner) statusOf(req *http.Request) (JobStatus, error) {
	list, err := r.Status(req.Context())
	if err != nil {
		return JobStatus{}, err
	}
	for _, st := range list {
		if st.Name == req.PathValue("name") {
			one := []JobStatus{st}
			r.translate(req, one)
			return one[0], nil
		}
	}
	return JobStatus{}, errs.NotFound("定时任务")
}

// translate renders "key|默认" titles in the request's language; plain titles stay as they are.
func (r *Runner) translate(req *http.Request, list []JobStatus) {
	lang := web.Lang(req)
	for i := range list {
		list[i].Title = r.title(lang, list[i].Title)
	}
}

func (r *Runner) title(lang, t string) string {
	if strings.Contains(t, "|") {
		return r.UI.Catalog.T(lang, t)
	}
	return t
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
