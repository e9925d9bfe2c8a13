package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/platform/errs"
)

func TestMatches(t *testing.T) {
	for _, c := range []struct {
		patterns []string
		event    string
		want     bool
	}{
		{[]string{"*"}, "workflow.pending", true},
		{[]string{"workflow.*"}, "workflow.pending", true},
		{[]string{"workflow.*"}, "workflows.pending", false},
		{[]string{"workflow.*"}, "workflow", false},
		{[]string{"fleet.trip.approved"}, "fleet.trip.approved", true},
		{[]string{"fleet.trip.approved"}, "fleet.trip.rejected", false},
		{[]string{"fleet.trip.*", "energy.alarm"}, "energy.alarm", true},
		{nil, "energy.alarm", false},
	} {
		if got := Matches(c.patterns, c.event); got != c.want {
			t.Errorf("Matches(%v, %q) = %v, want %v", c.patterns, c.event, got, c.want)
		}
	}
}

func TestMaskURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef", "https://oapi.dingtalk.com/robot/send?access_token=0123****"},
		{"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a****"},
		{"http://sms.gw.local:8080/api/send", "http://sms.gw.local:8080/api/send"},
		{"http://user:hunter2@sms.gw.local/send?a=1&b=", "http://user:xxxx@sms.gw.local/send?a=****&b="},
	} {
		if got := MaskURL(c.in); got != c.want {
			t.Errorf("MaskURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestValidLink(t *testing.T) {
	for link, want := range map[string]bool{"": true, "/fleet/trips/12": true, "/a?b=1#c": true, "https://evil.example/": false,
		"//evil.example/": false, "/\\evil": false, "javascript:alert(1)": false, "fleet/trips": false, "/a b": false} {
		if got := ValidLink(link); got != want {
			t.Errorf("ValidLink(%q) = %v, want %v", link, got, want)
		}
	}
}

var msg = Message{Event: "workflow.pending", Title: "待审批：用车申请", Body: "张三 申请 11 月 20 日用车", Link: "/fleet/trips/12",
	Recipients: []string{"admin", "zhangsan"}, Time: time.Date(2026, 11, 16, 2, 0, 0, 0, time.UTC)}

func TestBuildGenericSignsTheBody(t *testing.T) {
	now := time.Date(2026, 11, 16, 2, 0, 5, 0, time.UTC)
	body, target, hdr, err := Build(KindGeneric, "https://gw.example/hook", "s3cret", 42, msg, "https://jgsw.example.gov.cn/", now)
	if err != nil {
		t.Fatal(err)
	}
	if target != "https://gw.example/hook" {
		t.Fatalf("target = %q", target)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": float64(42), "event": "workflow.pending", "title": "待审批：用车申请", "body": "张三 申请 11 月 20 日用车",
		"link": "/fleet/trips/12", "url": "https://jgsw.example.gov.cn/fleet/trips/12", "recipients": []any{"admin", "zhangsan"},
		"time": "2026-11-16T10:00:00+08:00"}
	for k, v := range want {
		if g, _ := json.Marshal(got[k]); string(g) != mustJSON(v) {
			t.Errorf("body %s = %s, want %s", k, g, mustJSON(v))
		}
	}
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write(body)
	if sig := hdr.Get(HeaderSignature); sig != "sha256="+Sign("s3cret", body) || !strings.HasSuffix(sig, hexOf(mac.Sum(nil))) {
		t.Fatalf("signature %q", sig)
	}
	if hdr.Get(HeaderTimestamp) != "1794794405" || hdr.Get(HeaderEvent) != "workflow.pending" || hdr.Get(HeaderDelivery) != "42" {
		t.Fatalf("headers %v", hdr)
	}
	// Without a secret there is no signature header.
	_, _, hdr, _ = Build(KindGeneric, "https://gw.example/hook", "", 42, msg, "", now)
	if hdr.Get(HeaderSignature) != "" {
		t.Fatal("unsigned webhook sent a signature")
	}
}

func TestBuildDingTalkSignsTheURL(t *testing.T) {
	now := time.UnixMilli(1794794405123).UTC()
	body, target, _, err := Build(KindDingTalk, "https://oapi.dingtalk.com/robot/send?access_token=abc", "SECxyz", 7, msg, "", now)
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `{"msgtype":"text","text":{"content":"待审批：用车申请\n张三 申请 11 月 20 日用车\n/fleet/trips/12"}}` {
		t.Fatalf("body %s", body)
	}
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	mac := hmac.New(sha256.New, []byte("SECxyz"))
	mac.Write([]byte("1794794405123\nSECxyz"))
	if q.Get("access_token") != "abc" || q.Get("timestamp") != "1794794405123" || q.Get("sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
		t.Fatalf("target %s", target)
	}
}

func TestBuildWeComText(t *testing.T) {
	body, target, _, err := Build(KindWeCom, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "", 7, msg, "https://jgsw.example.gov.cn", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `{"msgtype":"text","text":{"content":"待审批：用车申请\n张三 申请 11 月 20 日用车\nhttps://jgsw.example.gov.cn/fleet/trips/12"}}` ||
		target != "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k" {
		t.Fatalf("body %s target %s", body, target)
	}
}

func TestNormalizeWebhook(t *testing.T) {
	for _, c := range []struct {
		name  string
		w     Webhook
		field string
	}{
		{"ok", Webhook{Name: "短信网关", rawURL: "http://10.1.2.3:8080/sms", Kind: KindGeneric, Events: []string{"workflow.*, fleet.trip.approved"}}, ""},
		{"ftp", Webhook{Name: "x", rawURL: "ftp://10.1.2.3/", Kind: KindGeneric, Events: []string{"*"}}, "url"},
		{"relative", Webhook{Name: "x", rawURL: "/hook", Kind: KindGeneric, Events: []string{"*"}}, "url"},
		{"kind", Webhook{Name: "x", rawURL: "http://gw/", Kind: "sms", Events: []string{"*"}}, "kind"},
		{"no events", Webhook{Name: "x", rawURL: "http://gw/", Kind: KindGeneric, Events: []string{" "}}, "events"},
		{"bad event", Webhook{Name: "x", rawURL: "http://gw/", Kind: KindGeneric, Events: []string{"Workflow.Pending"}}, "events"},
		{"wecom secret", Webhook{Name: "x", rawURL: "http://gw/", Kind: KindWeCom, Events: []string{"*"}, secret: "abc"}, "secret"},
		{"no name", Webhook{rawURL: "http://gw/", Kind: KindGeneric, Events: []string{"*"}}, "name"},
	} {
		f := errs.Fields{}
		normalize(&c.w, f)
		if c.field == "" && len(f) > 0 || c.field != "" && !f.Has(c.field) {
			t.Errorf("%s: fields %v, want %q", c.name, f, c.field)
		}
	}
	w := Webhook{Name: "x", rawURL: "http://gw/", Kind: KindGeneric, Events: []string{"a.b c.*", "*", "a.b"}}
	normalize(&w, errs.Fields{})
	if len(w.Events) != 1 || w.Events[0] != "*" {
		t.Fatalf("events with * = %v", w.Events)
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, len(b)*2)
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
