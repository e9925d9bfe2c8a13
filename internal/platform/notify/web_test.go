package notify_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/notify"
)

type inboxList struct {
	Items []notify.InboxItem `json:"items"`
	Total int64              `json:"total"`
}

func TestInboxAPIShowsOnlyMine(t *testing.T) {
	env, _ := newEnv(t)
	admin, viewer := uid(t, env, "admin"), uid(t, env, "viewer")
	send(t, env, notify.Notification{Recipients: []int64{admin}, Event: "workflow.pending", Title: "第一条", Link: "/orgs"})
	send(t, env, notify.Notification{Recipients: []int64{admin, viewer}, Event: "workflow.done", Title: "第二条", Body: "已办结"})
	a, v := env.Admin(), env.API("viewer", viewerPassword)

	var list inboxList
	if st := a.JSON("GET", "/api/v1/notifications?unread=true", nil, &list); st != 200 || list.Total != 2 || list.Items[0].Title != "第二条" ||
		list.Items[0].Read || list.Items[0].CreatedAt.IsZero() {
		t.Fatalf("admin inbox: %d %+v", st, list)
	}
	var cnt notify.Unread
	if st := a.JSON("GET", "/api/v1/notifications/unread-count", nil, &cnt); st != 200 || cnt.Count != 2 {
		t.Fatalf("unread count: %d %+v", st, cnt)
	}
	first := list.Items[1].ID
	var it notify.InboxItem
	if st := a.JSON("POST", "/api/v1/notifications/"+strconv.FormatInt(first, 10)+"/read", nil, &it); st != 200 || !it.Read || it.ReadAt == nil {
		t.Fatalf("mark read: %d %+v", st, it)
	}
	if st := a.JSON("POST", "/api/v1/notifications/"+strconv.FormatInt(first, 10)+"/read", nil, &it); st != 200 || !it.Read {
		t.Fatalf("mark read again: %d %+v", st, it)
	}
	if a.JSON("GET", "/api/v1/notifications/unread-count", nil, &cnt); cnt.Count != 1 {
		t.Fatalf("unread after one read: %d", cnt.Count)
	}
	// Someone else's notification does not exist for me.
	if st := v.JSON("POST", "/api/v1/notifications/"+strconv.FormatInt(first, 10)+"/read", nil, nil); st != 404 {
		t.Fatalf("viewer reads admin's notification: %d, want 404", st)
	}
	if st := v.JSON("GET", "/api/v1/notifications", nil, &list); st != 200 || list.Total != 1 || list.Items[0].Title != "第二条" {
		t.Fatalf("viewer inbox: %d %+v", st, list)
	}
	var ra notify.ReadAll
	if st := a.JSON("POST", "/api/v1/notifications/read-all", nil, &ra); st != 200 || ra.Updated != 1 {
		t.Fatalf("read all: %d %+v", st, ra)
	}
	if a.JSON("GET", "/api/v1/notifications?unread=true", nil, &list); list.Total != 0 {
		t.Fatalf("unread after read-all: %d", list.Total)
	}
	if a.JSON("GET", "/api/v1/notifications", nil, &list); list.Total != 2 {
		t.Fatalf("all after read-all: %d", list.Total)
	}
	if v.JSON("GET", "/api/v1/notifications/unread-count", nil, &cnt); cnt.Count != 1 {
		t.Fatalf("viewer's unread changed: %d", cnt.Count)
	}
	var e apptest.ErrorBody
	if st := a.JSON("GET", "/api/v1/notifications?unread=maybe", nil, &e); st != 422 || e.Error.Fields["unread"] == "" {
		t.Fatalf("bad unread: %d %+v", st, e)
	}
	if st := a.JSON("GET", "/api/v1/notifications?page_size=501", nil, nil); st != 422 {
		t.Fatalf("page_size 501: %d", st)
	}
	if st := env.Anonymous().JSON("GET", "/api/v1/notifications", nil, nil); st != 401 {
		t.Fatalf("anonymous: %d", st)
	}
}

func TestInboxPage(t *testing.T) {
	env, _ := newEnv(t)
	admin := uid(t, env, "admin")
	send(t, env, notify.Notification{Recipients: []int64{admin}, Event: "workflow.pending", Title: "请审批单位调整", Link: "/orgs?q=x"})
	send(t, env, notify.Notification{Recipients: []int64{admin}, Event: "workflow.done", Title: "已办结的申请"})
	send(t, env, notify.Notification{Recipients: []int64{uid(t, env, "viewer")}, Event: "workflow.done", Title: "别人的消息"})
	env.App.Notify.AddEvent("workflow.pending", "notify.test.pending|待办审批")
	b := env.Browser("admin", apptest.AdminPassword)

	page := b.Get("/notifications")
	if page.StatusCode != 200 || !strings.Contains(page.Body, "请审批单位调整") || !strings.Contains(page.Body, "已办结的申请") ||
		strings.Contains(page.Body, "别人的消息") || !strings.Contains(page.Body, "待办审批") || !strings.Contains(page.Body, "未读 (2)") {
		t.Fatalf("inbox page: %d\n%s", page.StatusCode, page.Body)
	}
	var ids []int64
	for _, title := range []string{"请审批单位调整", "已办结的申请"} {
		var id int64
		if err := env.App.DB.QueryRow(context.Background(), "SELECT id FROM notifications WHERE title = ?", title).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	r := b.Form("POST", "/notifications/"+strconv.FormatInt(ids[0], 10)+"/open", url.Values{})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/orgs?q=x" {
		t.Fatalf("open: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	r = b.Form("POST", "/notifications/"+strconv.FormatInt(ids[1], 10)+"/read", url.Values{"tab": {"all"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/notifications?tab=all" {
		t.Fatalf("read: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if page = b.Get("/notifications"); !strings.Contains(page.Body, "没有未读消息") {
		t.Fatalf("unread tab after reading both:\n%s", page.Body)
	}
	if page = b.Get("/notifications?tab=all"); !strings.Contains(page.Body, "请审批单位调整") {
		t.Fatalf("all tab:\n%s", page.Body)
	}
	// Without the CSRF token a form post is refused.
	b2 := env.Browser("admin", apptest.AdminPassword)
	b2.CSRF = ""
	if r := b2.Form("POST", "/notifications/read-all", url.Values{}); r.StatusCode != 403 {
		t.Fatalf("post without csrf: %d", r.StatusCode)
	}
	if r := b.Form("POST", "/notifications/read-all", url.Values{}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("read-all: %d", r.StatusCode)
	}
	// Someone else's notification: 404.
	var other int64
	_ = env.App.DB.QueryRow(context.Background(), "SELECT id FROM notifications WHERE title = '别人的消息'").Scan(&other)
	if r := b.Form("POST", "/notifications/"+strconv.FormatInt(other, 10)+"/open", url.Values{}); r.StatusCode != 404 {
		t.Fatalf("open someone else's: %d", r.StatusCode)
	}
	checkEnglish(t, env, "/notifications?tab=all", "Notifications")
}

// checkEnglish renders a page in English and fails on untranslated keys.
func checkEnglish(t *testing.T, env *apptest.Env, path, want string) {
	t.Helper()
	b := env.Browser("admin", apptest.AdminPassword)
	if r := b.Form("POST", "/lang", url.Values{"lang": {"en"}, "next": {"/"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch language: %d", r.StatusCode)
	}
	page := b.Get(path)
	if page.StatusCode != 200 || !strings.Contains(page.Body, want) || strings.Contains(page.Body, "[[") {
		t.Fatalf("English %s: %d\n%s", path, page.StatusCode, page.Body)
	}
}

func TestWebhookAdminPagesRedactSecrets(t *testing.T) {
	env, _ := newEnv(t)
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	})
	b := env.Browser("admin", apptest.AdminPassword)
	if p := b.Get("/admin/webhooks"); p.StatusCode != 200 || !strings.Contains(p.Body, "还没有配置 Webhook") {
		t.Fatalf("list: %d", p.StatusCode)
	}
	if p := b.Get("/admin/webhooks/new"); p.StatusCode != 200 {
		t.Fatalf("new: %d", p.StatusCode)
	}
	// Bad input re-renders the form with the problems.
	bad := b.Form("POST", "/admin/webhooks", url.Values{"name": {"钉钉群"}, "url": {"ftp://example/"}, "kind": {"dingtalk"}})
	if bad.StatusCode != 422 || !strings.Contains(bad.Body, "http:// 或 https://") || !strings.Contains(bad.Body, "请至少填写一个事件代码") {
		t.Fatalf("bad form: %d\n%s", bad.StatusCode, bad.Body)
	}
	const token, secret = "tok0123456789abcdef", "SECsuper-secret-value-42"
	r := b.Form("POST", "/admin/webhooks", url.Values{"name": {"钉钉群"}, "url": {rc.URL + "/robot/send?access_token=" + token},
		"kind": {"dingtalk"}, "events": {"workflow.*, energy.alarm"}, "secret": {secret}, "enabled": {"1"}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/admin/webhooks/") {
		t.Fatalf("create: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	detail := r.Header.Get("Location")
	id, _ := strconv.ParseInt(strings.TrimPrefix(detail, "/admin/webhooks/"), 10, 64)
	p := b.Get(detail)
	if p.StatusCode != 200 || strings.Contains(p.Body, token) || strings.Contains(p.Body, secret) || !strings.Contains(p.Body, "access_token=tok0****") ||
		!strings.Contains(p.Body, "SEC********") || !strings.Contains(p.Body, "workflow.* energy.alarm") {
		t.Fatalf("detail page leaks or misses data:\n%s", p.Body)
	}
	// Saving the form unchanged keeps the real URL and secret.
	r = b.Form("POST", detail, url.Values{"name": {"钉钉群（改）"}, "url": {rc.URL + "/robot/send?access_token=tok0****"}, "kind": {"dingtalk"},
		"events": {"workflow.* energy.alarm"}, "enabled": {"1"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", r.StatusCode, r.Body)
	}
	var rawURL, rawSecret string
	if err := env.App.DB.QueryRow(context.Background(), "SELECT url, secret FROM webhooks WHERE id = ?", id).Scan(&rawURL, &rawSecret); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(rawURL, token) || rawSecret != secret {
		t.Fatalf("stored url %q secret %q", rawURL, rawSecret)
	}
	// "Send test" reaches the robot, signed with the kept secret.
	r = b.Form("POST", detail+"/test", url.Values{})
	if r.StatusCode != http.StatusSeeOther || len(rc.requests()) != 1 || rc.requests()[0].url.Query().Get("sign") == "" ||
		rc.requests()[0].url.Query().Get("access_token") != token {
		t.Fatalf("test: %d, requests %+v", r.StatusCode, rc.requests())
	}
	if p := b.Get(detail); !strings.Contains(p.Body, "测试消息已送达") || !strings.Contains(p.Body, "GovOps 测试消息") {
		t.Fatalf("detail after test:\n%s", p.Body)
	}
	// Site address: validated, saved.
	if r := b.Form("POST", "/admin/webhooks/site", url.Values{"site_url": {"jgsw.example"}}); r.StatusCode != 422 || !strings.Contains(r.Body, "http://") {
		t.Fatalf("bad site url: %d", r.StatusCode)
	}
	if r := b.Form("POST", "/admin/webhooks/site", url.Values{"site_url": {"https://jgsw.example.gov.cn"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("site url: %d", r.StatusCode)
	}
	checkEnglish(t, env, detail, "Delivery log")
	checkEnglish(t, env, "/admin/webhooks", "Webhooks")

	// Every change is audited, and no audit entry holds the token or the secret.
	for _, action := range []string{"webhook.create", "webhook.update", "webhook.test", "notify.settings"} {
		if n := count(t, env, "SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor = 'admin'", action); n != 1 {
			t.Errorf("audit %s: %d entries", action, n)
		}
	}
	if n := count(t, env, "SELECT COUNT(*) FROM audit_log WHERE detail LIKE ? OR detail LIKE ?", "%"+token+"%", "%"+secret+"%"); n != 0 {
		t.Fatalf("%d audit entries hold a secret", n)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM audit_log WHERE action = 'webhook.update' AND detail LIKE ?", "%钉钉群（改）%"); n != 1 {
		t.Fatal("the update's after-image is missing")
	}

	r = b.Form("POST", detail+"/delete", url.Values{})
	if r.StatusCode != http.StatusSeeOther || b.Get(detail).StatusCode != 404 || count(t, env, "SELECT COUNT(*) FROM webhook_deliveries") != 0 {
		t.Fatalf("delete: %d", r.StatusCode)
	}
}

func TestWebhookAPI(t *testing.T) {
	env, _ := newEnv(t)
	a := env.Admin()
	var e apptest.ErrorBody
	if r := a.Do("POST", "/api/v1/webhooks", "application/json", []byte(`{"name":`)); r.StatusCode != 400 {
		t.Fatalf("malformed JSON: %d", r.StatusCode)
	}
	if st := a.JSON("POST", "/api/v1/webhooks", map[string]any{"kind": "sms"}, &e); st != 422 ||
		e.Error.Fields["name"] == "" || e.Error.Fields["url"] == "" || e.Error.Fields["kind"] == "" || e.Error.Fields["events"] == "" {
		t.Fatalf("empty body: %d %+v", st, e)
	}
	if st := a.JSON("POST", "/api/v1/webhooks", map[string]any{"name": "企微", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
		"kind": "wecom", "events": []string{"*"}, "secret": "x"}, &e); st != 422 || e.Error.Fields["secret"] == "" {
		t.Fatalf("wecom secret: %d %+v", st, e)
	}
	var h notify.Webhook
	if st := a.JSON("POST", "/api/v1/webhooks", map[string]any{"name": "网关", "url": "http://10.0.0.8:8080/notify", "kind": "generic",
		"events": []string{"workflow.pending", "fleet.*"}, "secret": "abcdefghijklmnop"}, &h); st != 201 || !h.HasSecret || h.SecretHint != "abc********" ||
		!h.Enabled || len(h.Events) != 2 {
		t.Fatalf("create: %d %+v", st, h)
	}
	if st := a.JSON("POST", "/api/v1/webhooks", map[string]any{"name": "网关", "url": "http://10.0.0.8/", "kind": "generic", "events": []string{"*"}}, &e); st != 409 {
		t.Fatalf("duplicate name: %d", st)
	}
	path := "/api/v1/webhooks/" + strconv.FormatInt(h.ID, 10)
	if r := a.Get(path); r.StatusCode != 200 || strings.Contains(r.Body, "abcdefghijklmnop") {
		t.Fatalf("get: %d %s", r.StatusCode, r.Body)
	}
	if st := a.JSON("PATCH", path, map[string]any{"secret": "", "events": []string{"*"}}, &h); st != 200 || h.HasSecret || !h.AllEvents() {
		t.Fatalf("patch: %d %+v", st, h)
	}
	if st := a.JSON("PATCH", path, map[string]any{"url": "http://10.0.0.9/****"}, &e); st != 422 {
		t.Fatalf("patch with a masked url: %d", st)
	}
	var list struct {
		Items []notify.Webhook `json:"items"`
		Total int64            `json:"total"`
	}
	if st := a.JSON("GET", "/api/v1/webhooks", nil, &list); st != 200 || list.Total != 1 {
		t.Fatalf("list: %d %+v", st, list)
	}
	if st := a.JSON("GET", path+"/deliveries", nil, &list); st != 200 {
		t.Fatalf("deliveries: %d", st)
	}
	v := env.API("viewer", viewerPassword)
	if st := v.JSON("GET", "/api/v1/webhooks", nil, nil); st != 403 {
		t.Fatalf("viewer lists webhooks: %d", st)
	}
	if st := v.JSON("GET", path, nil, nil); st != 403 {
		t.Fatalf("viewer reads a webhook: %d", st)
	}
	vb := env.Browser("viewer", viewerPassword)
	if r := vb.Get("/admin/webhooks"); r.StatusCode != 403 {
		t.Fatalf("viewer opens webhook admin: %d", r.StatusCode)
	}
	if r := a.Do("DELETE", path, "", nil); r.StatusCode != 204 {
		t.Fatalf("delete: %d", r.StatusCode)
	}
	if st := a.JSON("GET", path, nil, nil); st != 404 {
		t.Fatalf("get deleted: %d", st)
	}
	if st := a.JSON("GET", "/api/v1/webhooks/abc", nil, nil); st != 404 {
		t.Fatalf("bad id: %d", st)
	}
	// The OpenAPI document lists the routes.
	var doc struct {
		Paths map[string]any `json:"paths"`
	}
	a.JSON("GET", "/api/v1/openapi.json", nil, &doc)
	for _, p := range []string{"/api/v1/notifications", "/api/v1/notifications/{id}/read", "/api/v1/notifications/read-all",
		"/api/v1/notifications/unread-count", "/api/v1/webhooks/{id}/test"} {
		if doc.Paths[p] == nil {
			t.Errorf("OpenAPI lacks %s", p)
		}
	}
}
