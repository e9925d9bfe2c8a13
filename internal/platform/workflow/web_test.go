package workflow_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/demo"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/workflow"
)

func wantPage(t *testing.T, r apptest.Response, status int, contains ...string) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status %d, want %d: %.600s", r.StatusCode, status, r.Body)
	}
	for _, s := range contains {
		if !strings.Contains(r.Body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	if strings.Contains(r.Body, "[[") {
		t.Errorf("page shows an untranslated key: %.300s", r.Body[strings.Index(r.Body, "[["):])
	}
}

// TestPages walks the configuration, inbox, detail and delegation pages as a browser does (forms with the CSRF
// token), in Chinese and in English, and checks that every workflow template was rendered.
func TestPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.env.Browser("admin", apptest.AdminPassword)

	wantPage(t, admin.Get("/admin/workflows"), 200, "审批流程", "测试用车申请", "尚未配置默认流程")
	wantPage(t, admin.Get("/admin/workflows/new?type="+typeTrip), 200, "新建审批流程", "step_name_0", "单位管理员")
	form := url.Values{"type": {typeTrip}, "org_id": {""}, "name": {"页面配置的流程"},
		"step_name_0": {"单位审核"}, "step_kind_0": {"role"}, "step_role_0": {"unit_admin"}, "step_up_0": {"0"}, "step_mode_0": {"any"},
		"step_name_1": {""}, "step_kind_1": {"role"}, "step_role_1": {""}, "step_up_1": {"0"}, "step_mode_1": {"any"},
		"step_name_2": {"复核"}, "step_kind_2": {"users"}, "step_users_2": {"songling, qingshan"}, "step_up_2": {"0"}, "step_mode_2": {"all"}}
	r := admin.Form("POST", "/admin/workflows", form)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create chain by form: %d %.800s", r.StatusCode, r.Body)
	}
	var list struct{ Items []workflow.Chain }
	f.client(t, "admin").JSON("GET", "/api/v1/workflow/chains?type="+typeTrip, nil, &list)
	if len(list.Items) != 1 || len(list.Items[0].Steps) != 2 || list.Items[0].Steps[1].Mode != "all" || len(list.Items[0].Steps[1].Users) != 2 {
		t.Fatalf("chain from the form: %+v", list.Items)
	}
	id := list.Items[0].ID
	wantPage(t, admin.Get(fmt.Sprintf("/admin/workflows/%d", id)), 200, "编辑审批流程", "qingshan, songling")
	// Form errors come back on the form, on the right row.
	bad := url.Values{"org_id": {""}, "name": {"页面配置的流程"}, "step_name_0": {"单位审核"}, "step_kind_0": {"role"}, "step_role_0": {"unit_admin"},
		"step_up_0": {"0"}, "step_mode_0": {"any"}, "step_name_1": {""}, "step_kind_1": {"role"}, "step_up_1": {"0"}, "step_mode_1": {"any"},
		"step_name_2": {"复核"}, "step_kind_2": {"users"}, "step_users_2": {"ghost"}, "step_up_2": {"0"}, "step_mode_2": {"any"}}
	wantPage(t, admin.Form("POST", fmt.Sprintf("/admin/workflows/%d", id), bad), 422, "用户不存在：ghost")
	bad.Set("step_users_2", "")
	wantPage(t, admin.Form("POST", fmt.Sprintf("/admin/workflows/%d", id), bad), 422, "请指定至少一名审批人")
	wantPage(t, admin.Get(fmt.Sprintf("/admin/workflows?ptype=%s&porg=%d", typeTrip, f.orgs["松岭县教育局"])), 200, "采用流程", "页面配置的流程", "qingshan")

	// The requester and the approver in the browser.
	inst := f.mustSubmit(t, typeTrip, "employee", "松岭县教育局")
	edu := f.env.Browser("edu", demo.Password)
	wantPage(t, edu.Get("/inbox"), 200, inst.Title, "待我审批 (1)")
	wantPage(t, edu.Get("/inbox?tab=mine"), 200, "您还没有发起过审批")
	wantPage(t, edu.Get(fmt.Sprintf("/inbox/%d", inst.ID)), 200, inst.Title, "审批进度", `value="approve"`, "/test/trips/", "提交申请")
	wantPage(t, edu.Form("POST", fmt.Sprintf("/inbox/%d/decide", inst.ID), url.Values{"action": {"reject"}}), 422, "驳回时请填写意见")
	r = edu.Form("POST", fmt.Sprintf("/inbox/%d/decide", inst.ID), url.Values{"action": {"approve"}, "comment": {"同意"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/inbox" {
		t.Fatalf("approve by form: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	// Deciding again: back to the page with the reason, not an error page.
	r = edu.Form("POST", fmt.Sprintf("/inbox/%d/decide", inst.ID), url.Values{"action": {"approve"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Errorf("second approval by form: %d", r.StatusCode)
	}
	wantPage(t, edu.Get(fmt.Sprintf("/inbox/%d", inst.ID)), 200, "您不是当前步骤", "发表评论")
	wantPage(t, edu.Get("/inbox?tab=handled"), 200, inst.Title)
	for _, c := range []struct {
		cl   *apptest.Client
		path string
	}{{edu, "/inbox?tab=handled&format=xlsx"}, {admin, "/admin/workflows?format=xlsx"}} {
		if r := c.cl.Get(c.path); r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") || !strings.HasPrefix(r.Body, "PK") {
			t.Errorf("export %s: %d %s", c.path, r.StatusCode, r.Header.Get("Content-Type"))
		}
	}
	// Without the CSRF token the form is refused.
	edu.CSRF = ""
	if r := edu.Form("POST", fmt.Sprintf("/inbox/%d/decide", inst.ID), url.Values{"action": {"comment"}, "comment": {"x"}}); r.StatusCode != 403 {
		t.Errorf("form without CSRF token: %d, want 403", r.StatusCode)
	}

	emp := f.env.Browser("employee", demo.Password)
	wantPage(t, emp.Get("/inbox?tab=mine&status=pending"), 200, inst.Title)
	wantPage(t, emp.Get(fmt.Sprintf("/inbox/%d", inst.ID)), 200, "撤回申请", "第 2 步（共 2 步）")
	r = emp.Form("POST", fmt.Sprintf("/inbox/%d/withdraw", inst.ID), url.Values{"comment": {"不去了"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw by form: %d", r.StatusCode)
	}
	wantPage(t, emp.Get(fmt.Sprintf("/inbox/%d", inst.ID)), 200, "已撤回", "不去了")
	yunxi := f.env.Browser("yunxi", demo.Password)
	if r := yunxi.Get(fmt.Sprintf("/inbox/%d", inst.ID)); r.StatusCode != 404 {
		t.Errorf("outsider opening the run: %d, want 404", r.StatusCode)
	}

	// Delegations page.
	wantPage(t, yunxi.Get("/inbox/delegations"), 200, "新建委托", "暂无委托")
	day := f.env.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	wantPage(t, yunxi.Form("POST", "/inbox/delegations", url.Values{"to_username": {"nobody"}, "start_date": {day}, "end_date": {day}}), 422, "用户不存在")
	r = yunxi.Form("POST", "/inbox/delegations", url.Values{"to_username": {"qingshan"}, "start_date": {day}, "end_date": {day}, "note": {"休假"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delegate by form: %d %.500s", r.StatusCode, r.Body)
	}
	page := yunxi.Get("/inbox/delegations")
	wantPage(t, page, 200, "休假", "生效中", "/revoke")

	// Home page counter and menu.
	wantPage(t, f.env.Browser("songling", demo.Password).Get("/"), 200, "待办审批")
	if r := admin.Form("POST", fmt.Sprintf("/admin/workflows/%d/delete", id), url.Values{}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("delete by form: %d", r.StatusCode)
	}

	// English.
	for _, c := range []*apptest.Client{admin, emp} {
		u, _ := url.Parse(f.env.Server.URL)
		c.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: web.LangEN, Path: "/"}})
	}
	wantPage(t, admin.Get("/admin/workflows/new"), 200, "New approval chain", "Named users")
	wantPage(t, emp.Get(fmt.Sprintf("/inbox/%d", inst.ID)), 200, "Withdrawn", "Progress")
	wantPage(t, emp.Get("/inbox?tab=mine"), 200, "My requests")

	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if st := f.client(t, "admin").JSON("GET", "/api/v1/openapi.json", nil, &doc); st != 200 {
		t.Fatalf("openapi: %d", st)
	}
	for _, p := range []string{"/api/v1/workflow/inbox", "/api/v1/workflow/instances/{id}/approve", "/api/v1/workflow/chains/{id}", "/api/v1/workflow/types"} {
		if doc.Paths[p] == nil {
			t.Errorf("OpenAPI document lacks %s", p)
		}
	}

	ex := f.env.App.UI.Executed()
	for _, p := range f.env.App.UI.Pages() {
		if strings.HasPrefix(p, "workflow/") && ex[p] == 0 {
			t.Errorf("template %s never rendered", p)
		}
	}
}
