package workflow

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

type inboxPage struct {
	web.Globals
	Tab      string
	Items    []Instance
	Pager    web.Pager
	F        InboxFilter
	Types    []TypeInfo
	Pending  int64
	Statuses []web.Option
	// Approver: the user approves in some chain, has approved before or holds a delegation; otherwise the page
	// offers only their own requests (no delegation, no approval tabs).
	Approver bool
}

type instancePage struct {
	web.Globals
	Inst    Instance
	Errors  map[string]string
	Comment string
}

type delegationsPage struct {
	web.Globals
	Items  []Delegation
	Form   DelegationInput
	Errors map[string]string
	Me     int64
}

func inboxCrumbs(extra ...web.Crumb) []web.Crumb {
	return append([]web.Crumb{{Label: "menu.work|工作台"}, {Label: "workflow.inbox|待办审批", Path: "/inbox"}}, extra...)
}

func statusOptions() []web.Option {
	var out []web.Option
	for _, st := range []string{StatusPending, StatusApproved, StatusRejected, StatusWithdrawn} {
		out = append(out, web.Option{Value: st, Label: statusKeys[st]})
	}
	return out
}

func (s *Service) inboxPages() {
	u := s.UI
	u.Page("GET /inbox", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		me := auth.UserFrom(r.Context())
		approver, err := s.MayApprove(r.Context(), s.DB, me)
		if err != nil {
			return err
		}
		qv := r.URL.Query()
		f := InboxFilter{Box: qv.Get("tab"), Type: qv.Get("type"), Status: qv.Get("status"), List: l}
		if f.Box == "" {
			f.Box = BoxPending
			if !approver {
				f.Box = BoxMine
			}
		}
		if f.Box == BoxPending {
			f.Status = ""
		}
		if web.WantsExport(r) {
			f.List.Page, f.List.PageSize = 1, 100000
			items, _, err := s.Inbox(r.Context(), s.DB, me, f)
			if err != nil {
				return err
			}
			title := map[string]string{BoxPending: "待我审批", BoxMine: "我发起的审批", BoxHandled: "我已处理的审批"}[f.Box]
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), title, []string{"编号", "标题", "申请类型", "申请人", "申请单位", "审批流程",
				"当前步骤", "状态", "提交时间", "结束时间"}, inboxRows(items))
		}
		p := &inboxPage{Globals: u.G(r, "workflow.inbox|待办审批", inboxCrumbs()...), Tab: f.Box, F: f, Types: s.Types(), Statuses: statusOptions(), Approver: approver}
		if !approver {
			if p.Types, err = s.requestedTypes(r.Context(), s.DB, me); err != nil {
				return err
			}
		}
		var total int64
		if p.Items, total, err = s.Inbox(r.Context(), s.DB, me, f); err != nil {
			return err
		}
		p.Pager = web.NewPager(l, total)
		if p.Pending, err = s.PendingCount(r.Context(), me); err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "workflow/inbox.html", p)
	})
	u.Page("GET /inbox/{id}", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		return s.renderInstance(w, r, http.StatusOK, id, nil, "")
	})
	u.Page("POST /inbox/{id}/decide", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		a, comment := Action(r.PostFormValue("action")), r.PostFormValue("comment")
		_, err = s.Decide(r.Context(), auth.UserFrom(r.Context()), id, a, comment)
		if done, err := s.formError(w, r, id, err, comment); done || err != nil {
			return err
		}
		lang := web.Lang(r)
		switch a {
		case ActComment:
			return u.Redirect(w, r, "/inbox/"+strconv.FormatInt(id, 10), u.Catalog.T(lang, "workflow.flash.comment|已发表评论"))
		case ActApprove:
			return u.Redirect(w, r, "/inbox", u.Catalog.T(lang, "workflow.flash.approve|已同意"))
		case ActReject:
			return u.Redirect(w, r, "/inbox", u.Catalog.T(lang, "workflow.flash.reject|已驳回"))
		}
		return u.Redirect(w, r, "/inbox", u.Catalog.T(lang, "workflow.flash.return|已退回上一步"))
	})
	u.Page("POST /inbox/{id}/withdraw", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		comment := r.PostFormValue("comment")
		_, err = s.Withdraw(r.Context(), auth.UserFrom(r.Context()), id, comment)
		if done, err := s.formError(w, r, id, err, comment); done || err != nil {
			return err
		}
		return u.Redirect(w, r, "/inbox/"+strconv.FormatInt(id, 10), u.Catalog.T(web.Lang(r), "workflow.flash.withdraw|已撤回申请"))
	})

	u.Page("GET /inbox/delegations", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		return s.renderDelegations(w, r, http.StatusOK, DelegationInput{StartDate: clock.Today(s.Clock.Now())}, nil)
	})
	u.Page("POST /inbox/delegations", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		in := DelegationInput{ToUsername: r.PostFormValue("to_username"), StartDate: r.PostFormValue("start_date"),
			EndDate: r.PostFormValue("end_date"), Note: r.PostFormValue("note")}
		_, err := s.CreateDelegation(r.Context(), auth.UserFrom(r.Context()), in)
		if e := errs.As(err); e != nil && e.Fields != nil {
			fields := e.Fields
			if v, ok := fields["to_user_id"]; ok {
				fields["to_username"] = v
			}
			return s.renderDelegations(w, r, errs.Status(e.Code), in, fields)
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, "/inbox/delegations", u.Catalog.T(web.Lang(r), "workflow.flash.delegated|已设置委托"))
	})
	u.Page("POST /inbox/delegations/{id}/revoke", web.SignedIn, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		_, err = s.RevokeDelegation(r.Context(), auth.UserFrom(r.Context()), id)
		if e := errs.As(err); e != nil && e.Code == errs.CodeConflict {
			u.SetFlash(w, "error", e.Message)
			http.Redirect(w, r, "/inbox/delegations", http.StatusSeeOther)
			return nil
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, "/inbox/delegations", u.Catalog.T(web.Lang(r), "workflow.flash.revoked|已撤销委托"))
	})
}

func inboxRows(items []Instance) [][]any {
	rows := make([][]any, 0, len(items))
	for _, i := range items {
		step, finished := "", ""
		if i.Pending() {
			step = fmt.Sprintf("%d/%d %s", i.StepNo, i.StepCount, i.StepName)
		}
		if !i.FinishedAt.IsZero() {
			finished = i.FinishedAt.Format("2006-01-02 15:04")
		}
		rows = append(rows, []any{i.ID, i.Title, i.TypeName, i.RequesterName, i.OrgName, i.ChainName, step, i.StatusName,
			i.CreatedAt.Format("2006-01-02 15:04"), finished})
	}
	return rows
}

// formError answers a failed decision from the detail page: a bad comment shows the page again with the message
// (422); a decision the state or the user's role no longer allows goes back to the page with the reason; other
// errors go to the kit. done reports that the response was written.
func (s *Service) formError(w http.ResponseWriter, r *http.Request, id int64, err error, comment string) (done bool, _ error) {
	e := errs.As(err)
	switch {
	case err == nil:
		return false, nil
	case e != nil && e.Code == errs.CodeValidation && e.Fields["comment"] != "":
		return true, s.renderInstance(w, r, http.StatusUnprocessableEntity, id, e.Fields, comment)
	case e != nil && (e.Code == errs.CodeConflict || e.Code == errs.CodeForbidden || e.Code == errs.CodeValidation):
		s.UI.SetFlash(w, "error", e.Message)
		http.Redirect(w, r, "/inbox/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return true, nil
	}
	return true, err
}

func (s *Service) renderInstance(w http.ResponseWriter, r *http.Request, status int, id int64, fields map[string]string, comment string) error {
	inst, err := s.Get(r.Context(), s.DB, auth.UserFrom(r.Context()), id)
	if err != nil {
		return err
	}
	p := &instancePage{Globals: s.UI.G(r, plain(inst.Title), inboxCrumbs(web.Crumb{Label: plain(inst.Title)})...), Inst: inst, Errors: fields, Comment: comment}
	return s.UI.Render(w, r, status, "workflow/instance.html", p)
}

func (s *Service) renderDelegations(w http.ResponseWriter, r *http.Request, status int, in DelegationInput, fields map[string]string) error {
	me := auth.UserFrom(r.Context())
	items, err := s.Delegations(r.Context(), s.DB, me.ID)
	if err != nil {
		return err
	}
	p := &delegationsPage{Globals: s.UI.G(r, "workflow.delegations|审批委托", inboxCrumbs(web.Crumb{Label: "workflow.delegations|审批委托"})...),
		Items: items, Form: in, Errors: fields, Me: me.ID}
	return s.UI.Render(w, r, status, "workflow/delegations.html", p)
}

// plain marks data (a run's title) as text for the kit's translating title and breadcrumb: a key that no
// catalogue holds, with the text as its default.
func plain(s string) string { return "_|" + s }
