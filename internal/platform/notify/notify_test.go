package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/notify"
)

const viewerPassword = "Kx7#Pass2026"

// newEnv starts the app with a second user, "viewer" (supervisor: reads everything, configures nothing).
func newEnv(t *testing.T) (*apptest.Env, *notify.Service) {
	t.Helper()
	env := apptest.New(t)
	if _, err := env.App.Auth.CreateUser(context.Background(), nil, auth.Everything(), auth.UserInput{Username: "viewer", Password: viewerPassword,
		Roles: []string{"supervisor"}, DataScope: auth.ScopeAll}); err != nil {
		t.Fatal(err)
	}
	return env, env.App.Notify
}

func uid(t *testing.T, env *apptest.Env, username string) int64 {
	t.Helper()
	var id int64
	if err := env.App.DB.QueryRow(context.Background(), "SELECT id FROM users WHERE username = ?", username).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func count(t *testing.T, env *apptest.Env, query string, args ...any) int64 {
	t.Helper()
	n, err := db.Count(context.Background(), env.App.DB, query, args...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func send(t *testing.T, env *apptest.Env, n notify.Notification) {
	t.Helper()
	if err := env.App.DB.Tx(context.Background(), func(q db.Q) error { return env.App.Notify.Notify(context.Background(), q, n) }); err != nil {
		t.Fatal(err)
	}
}

func hook(t *testing.T, env *apptest.Env, in notify.WebhookInput) notify.Webhook {
	t.Helper()
	h, err := env.App.Notify.CreateWebhook(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func deliver(t *testing.T, env *apptest.Env) {
	t.Helper()
	run, err := env.App.Jobs.RunNow(context.Background(), notify.DeliverJob)
	if err != nil || run.Status != "ok" {
		t.Fatalf("delivery job: %+v %v", run, err)
	}
}

func deliveries(t *testing.T, env *apptest.Env, hookID int64) []notify.Delivery {
	t.Helper()
	ds, _, err := env.App.Notify.Deliveries(context.Background(), env.App.DB, hookID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// receiver is a real HTTP endpoint that records what it gets and answers with answer(n) for the n-th request.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []got
}

type got struct {
	url    *url.URL
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, got{r.URL, r.Header.Clone(), b})
		n := len(rc.reqs)
		rc.mu.Unlock()
		answer(n, w, r)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []got {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]got(nil), rc.reqs...)
}

func TestRolledBackWriteNotifiesNobody(t *testing.T) {
	env, svc := newEnv(t)
	h := hook(t, env, notify.WebhookInput{Name: "全部", URL: "http://127.0.0.1:9/", Kind: notify.KindGeneric, Events: []string{"*"}})
	admin := uid(t, env, "admin")
	ctx := context.Background()
	err := env.App.DB.Tx(ctx, func(q db.Q) error {
		if err := svc.Notify(ctx, q, notify.Notification{Recipients: []int64{admin}, Event: "workflow.pending", Title: "待审批"}); err != nil {
			return err
		}
		return errors.New("业务写入失败")
	})
	if err == nil {
		t.Fatal("expected the business error")
	}
	if n := count(t, env, "SELECT COUNT(*) FROM notifications"); n != 0 {
		t.Fatalf("inbox rows after rollback = %d", n)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM webhook_deliveries"); n != 0 {
		t.Fatalf("outbox rows after rollback = %d", n)
	}
	send(t, env, notify.Notification{Recipients: []int64{admin, admin, uid(t, env, "viewer"), 999999}, Event: "workflow.pending", Title: "待审批"})
	if n := count(t, env, "SELECT COUNT(*) FROM notifications"); n != 2 {
		t.Fatalf("inbox rows = %d, want one per existing recipient", n)
	}
	if ds := deliveries(t, env, h.ID); len(ds) != 1 || ds[0].Status != notify.DeliveryPending || ds[0].Title != "待审批" {
		t.Fatalf("deliveries = %+v", ds)
	}
	// Programming errors are refused, not stored.
	for _, bad := range []notify.Notification{{Event: "pending", Title: "x"}, {Event: "a.b", Title: "x", Link: "https://evil.example/"}, {Event: "a.b"}} {
		if err := env.App.DB.Tx(ctx, func(q db.Q) error { return svc.Notify(ctx, q, bad) }); err == nil {
			t.Errorf("Notify(%+v) accepted", bad)
		}
	}
}

func TestOnlySubscribedEnabledWebhooksGetTheEvent(t *testing.T) {
	env, _ := newEnv(t)
	all := hook(t, env, notify.WebhookInput{Name: "全部", URL: "http://127.0.0.1:9/a", Kind: notify.KindGeneric, Events: []string{"*"}})
	prefix := hook(t, env, notify.WebhookInput{Name: "审批类", URL: "http://127.0.0.1:9/b", Kind: notify.KindGeneric, Events: []string{"workflow.*"}})
	other := hook(t, env, notify.WebhookInput{Name: "用车", URL: "http://127.0.0.1:9/c", Kind: notify.KindGeneric, Events: []string{"fleet.trip.approved"}})
	off := false
	disabled := hook(t, env, notify.WebhookInput{Name: "停用", URL: "http://127.0.0.1:9/d", Kind: notify.KindGeneric, Events: []string{"*"}, Enabled: &off})
	send(t, env, notify.Notification{Event: "workflow.pending", Title: "待审批"})
	for _, c := range []struct {
		h    notify.Webhook
		want int
	}{{all, 1}, {prefix, 1}, {other, 0}, {disabled, 0}} {
		if got := len(deliveries(t, env, c.h.ID)); got != c.want {
			t.Errorf("webhook %s: %d deliveries, want %d", c.h.Name, got, c.want)
		}
	}
}

func TestGenericWebhookSignedRetriedThenDelivered(t *testing.T) {
	env, svc := newEnv(t)
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			http.Error(w, "gateway busy", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	h := hook(t, env, notify.WebhookInput{Name: "短信网关", URL: rc.URL + "/sms", Kind: notify.KindGeneric, Events: []string{"workflow.*"}, Secret: "s3cret-key"})
	if err := svc.SaveSite(context.Background(), notify.SiteSettings{SiteURL: "https://jgsw.example.gov.cn/"}); err != nil {
		t.Fatal(err)
	}
	send(t, env, notify.Notification{Recipients: []int64{uid(t, env, "admin"), uid(t, env, "viewer")}, Event: "workflow.pending",
		Title: "待审批：用车申请", Body: "张三申请用车", Link: "/fleet/trips/12"})

	deliver(t, env)
	ds := deliveries(t, env, h.ID)
	if len(rc.requests()) != 1 || ds[0].Status != notify.DeliveryPending || ds[0].Attempts != 1 || ds[0].LastStatus != 500 ||
		!strings.Contains(ds[0].LastError, "gateway busy") || ds[0].NextAttemptAt == nil || !ds[0].NextAttemptAt.Equal(env.Clock.Now().Add(30*time.Second)) {
		t.Fatalf("after a 500: requests %d, delivery %+v", len(rc.requests()), ds[0])
	}
	deliver(t, env) // not due yet: nothing is sent
	if len(rc.requests()) != 1 {
		t.Fatalf("retried before the backoff: %d requests", len(rc.requests()))
	}
	env.Clock.Advance(31 * time.Second)
	deliver(t, env)
	ds = deliveries(t, env, h.ID)
	if len(rc.requests()) != 2 || ds[0].Status != notify.DeliveryDelivered || ds[0].Attempts != 2 || ds[0].LastStatus != 204 || ds[0].DeliveredAt == nil {
		t.Fatalf("after success: requests %d, delivery %+v", len(rc.requests()), ds[0])
	}
	deliver(t, env)
	if len(rc.requests()) != 2 {
		t.Fatal("a delivered message was sent again")
	}

	req := rc.requests()[1]
	var body map[string]any
	if err := json.Unmarshal(req.body, &body); err != nil {
		t.Fatal(err)
	}
	if body["event"] != "workflow.pending" || body["title"] != "待审批：用车申请" || body["body"] != "张三申请用车" || body["link"] != "/fleet/trips/12" ||
		body["url"] != "https://jgsw.example.gov.cn/fleet/trips/12" || body["time"] != "2026-11-16T10:00:00+08:00" {
		t.Fatalf("body %s", req.body)
	}
	if rs, _ := json.Marshal(body["recipients"]); string(rs) != `["admin","viewer"]` {
		t.Fatalf("recipients %s", rs)
	}
	mac := hmac.New(sha256.New, []byte("s3cret-key"))
	mac.Write(req.body)
	if req.header.Get("X-GovOps-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
		t.Fatalf("signature %q", req.header.Get("X-GovOps-Signature"))
	}
	if req.header.Get("X-GovOps-Timestamp") == "" || req.header.Get("X-GovOps-Delivery") != strconv.FormatInt(ds[0].ID, 10) ||
		!strings.HasPrefix(req.header.Get("Content-Type"), "application/json") || req.url.Path != "/sms" {
		t.Fatalf("headers %v path %s", req.header, req.url.Path)
	}
}

func TestDingTalkSignedAndWeComRejection(t *testing.T) {
	env, _ := newEnv(t)
	ding := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	})
	wecom := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"errcode":93000,"errmsg":"invalid webhook url"}`)
	})
	hd := hook(t, env, notify.WebhookInput{Name: "钉钉", URL: ding.URL + "/robot/send?access_token=tok123456", Kind: notify.KindDingTalk,
		Events: []string{"*"}, Secret: "SECabcdefghijklmn"})
	hw := hook(t, env, notify.WebhookInput{Name: "企业微信", URL: wecom.URL + "/cgi-bin/webhook/send?key=k-123456", Kind: notify.KindWeCom, Events: []string{"*"}})
	send(t, env, notify.Notification{Event: "energy.alarm", Title: "能耗超限", Body: "综合楼 11 月用电超定额 12%"})
	deliver(t, env)

	if ds := deliveries(t, env, hd.ID); ds[0].Status != notify.DeliveryDelivered {
		t.Fatalf("dingtalk delivery %+v", ds[0])
	}
	req := ding.requests()[0]
	if string(req.body) != `{"msgtype":"text","text":{"content":"能耗超限\n综合楼 11 月用电超定额 12%"}}` {
		t.Fatalf("dingtalk body %s", req.body)
	}
	q := req.url.Query()
	mac := hmac.New(sha256.New, []byte("SECabcdefghijklmn"))
	mac.Write([]byte(q.Get("timestamp") + "\nSECabcdefghijklmn"))
	if q.Get("access_token") != "tok123456" || q.Get("sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
		t.Fatalf("dingtalk query %v", q)
	}
	if ts, _ := strconv.ParseInt(q.Get("timestamp"), 10, 64); ts != env.Clock.Now().UnixMilli() {
		t.Fatalf("dingtalk timestamp %s", q.Get("timestamp"))
	}

	// WeCom answers 200 but refuses the message: that is a failed attempt.
	ds := deliveries(t, env, hw.ID)
	if ds[0].Status != notify.DeliveryPending || ds[0].Attempts != 1 || ds[0].LastStatus != 200 || !strings.Contains(ds[0].LastError, "errcode=93000") {
		t.Fatalf("wecom delivery %+v", ds[0])
	}
	if string(wecom.requests()[0].body) != `{"msgtype":"text","text":{"content":"能耗超限\n综合楼 11 月用电超定额 12%"}}` {
		t.Fatalf("wecom body %s", wecom.requests()[0].body)
	}
}

func TestTimeoutThenGiveUpThenManualRetry(t *testing.T) {
	env, svc := newEnv(t)
	svc.Timeout = 100 * time.Millisecond
	svc.MaxAttempts = 2
	var slow sync.Mutex
	slowMode := true
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		slow.Lock()
		s := slowMode
		slow.Unlock()
		if s {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	h := hook(t, env, notify.WebhookInput{Name: "慢网关", URL: rc.URL, Kind: notify.KindGeneric, Events: []string{"*"}})
	send(t, env, notify.Notification{Event: "service.order.assigned", Title: "新工单"})

	deliver(t, env)
	d := deliveries(t, env, h.ID)[0]
	if d.Status != notify.DeliveryPending || d.Attempts != 1 || d.LastStatus != 0 || !strings.Contains(d.LastError, "超时") {
		t.Fatalf("after a timeout: %+v", d)
	}
	env.Clock.Advance(31 * time.Second)
	deliver(t, env)
	d = deliveries(t, env, h.ID)[0]
	if d.Status != notify.DeliveryFailed || d.Attempts != 2 || d.NextAttemptAt != nil {
		t.Fatalf("after the last attempt: %+v", d)
	}
	env.Clock.Advance(24 * time.Hour)
	deliver(t, env)
	if len(rc.requests()) != 2 {
		t.Fatalf("a failed delivery was sent again: %d requests", len(rc.requests()))
	}

	slow.Lock()
	slowMode = false
	slow.Unlock()
	admin := env.Admin()
	path := "/api/v1/webhooks/" + strconv.FormatInt(h.ID, 10) + "/deliveries/" + strconv.FormatInt(d.ID, 10) + "/retry"
	var out notify.Delivery
	if st := admin.JSON("POST", path, nil, &out); st != 200 || out.Status != notify.DeliveryPending {
		t.Fatalf("retry: %d %+v", st, out)
	}
	if st := admin.JSON("POST", path, nil, nil); st != 409 {
		t.Fatalf("retrying a pending delivery: %d, want 409", st)
	}
	deliver(t, env)
	if d := deliveries(t, env, h.ID)[0]; d.Status != notify.DeliveryDelivered || d.Attempts != 3 {
		t.Fatalf("after manual retry: %+v", d)
	}
}

func TestDisablingAWebhookDropsItsPendingDeliveries(t *testing.T) {
	env, svc := newEnv(t)
	h := hook(t, env, notify.WebhookInput{Name: "网关", URL: "http://127.0.0.1:9/", Kind: notify.KindGeneric, Events: []string{"*"}})
	send(t, env, notify.Notification{Event: "a.b", Title: "x"})
	off := false
	if _, err := svc.UpdateWebhook(context.Background(), h.ID, notify.WebhookPatch{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	if d := deliveries(t, env, h.ID)[0]; d.Status != notify.DeliveryFailed || !strings.Contains(d.LastError, "停用") {
		t.Fatalf("delivery of a disabled webhook: %+v", d)
	}
}

func TestPruneJobKeepsUnread(t *testing.T) {
	env, svc := newEnv(t)
	admin := uid(t, env, "admin")
	send(t, env, notify.Notification{Recipients: []int64{admin}, Event: "a.b", Title: "旧的已读"})
	send(t, env, notify.Notification{Recipients: []int64{admin}, Event: "a.b", Title: "旧的未读"})
	var first int64
	if err := env.App.DB.QueryRow(context.Background(), "SELECT MIN(id) FROM notifications").Scan(&first); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.MarkRead(context.Background(), admin, first); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(181 * 24 * time.Hour)
	run, err := env.App.Jobs.RunNow(context.Background(), notify.PruneJob)
	if err != nil || run.Status != "ok" || !strings.Contains(run.Message, "已读消息 1 条") {
		t.Fatalf("prune: %+v %v", run, err)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM notifications WHERE title = '旧的未读'"); n != 1 {
		t.Fatal("an unread notification was pruned")
	}
}
