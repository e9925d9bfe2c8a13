package notify

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/settings"
)

// Webhook is a configured endpoint as administrators see it: the URL's tokens and the secret are masked.
type Webhook struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	URL        string    `json:"url" doc:"query values (access tokens) and passwords masked"`
	Kind       string    `json:"kind" doc:"generic | dingtalk | wecom"`
	Events     []string  `json:"events" doc:"event codes, prefixes ending in .* , or * for every event"`
	HasSecret  bool      `json:"has_secret"`
	SecretHint string    `json:"secret_hint,omitempty" doc:"the first characters of the secret, never the whole"`
	Enabled    bool      `json:"enabled"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Pending    int64     `json:"pending" doc:"deliveries waiting to be sent"`
	Failed     int64     `json:"failed" doc:"deliveries given up on"`

	rawURL, secret string
}

// AllEvents reports whether the webhook takes every event.
func (w Webhook) AllEvents() bool { return len(w.Events) == 1 && w.Events[0] == "*" }

// WebhookInput is the body of POST /api/v1/webhooks.
type WebhookInput struct {
	Name    string   `json:"name"`
	URL     string   `json:"url"`
	Kind    string   `json:"kind"`
	Events  []string `json:"events"`
	Secret  string   `json:"secret,omitempty"`
	Enabled *bool    `json:"enabled,omitempty" doc:"default true"`
}

// WebhookPatch is the body of PATCH /api/v1/webhooks/{id}: absent fields stay. A url equal to the masked URL
// keeps the stored one; secret "" clears it.
type WebhookPatch struct {
	Name    *string   `json:"name,omitempty"`
	URL     *string   `json:"url,omitempty"`
	Kind    *string   `json:"kind,omitempty"`
	Events  *[]string `json:"events,omitempty"`
	Secret  *string   `json:"secret,omitempty"`
	Enabled *bool     `json:"enabled,omitempty"`
}

// Kinds lists the webhook kinds with their labels ("key|中文").
var Kinds = []EventName{{KindGeneric, "notify.kind.generic|通用 JSON"}, {KindDingTalk, "notify.kind.dingtalk|钉钉群机器人"},
	{KindWeCom, "notify.kind.wecom|企业微信群机器人"}}

const hookCols = `w.id, w.name, w.url, w.kind, w.events, w.secret, w.enabled, w.created_at, w.updated_at,
	(SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.status IN ('pending', 'sending')),
	(SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.status = 'failed')`

func scanHook(s db.Scanner) (Webhook, error) {
	var w Webhook
	var events string
	var created, updated int64
	err := s.Scan(&w.ID, &w.Name, &w.rawURL, &w.Kind, &events, &w.secret, &w.Enabled, &created, &updated, &w.Pending, &w.Failed)
	w.Events = strings.Fields(events)
	w.CreatedAt, w.UpdatedAt = db.FromUnix(created), db.FromUnix(updated)
	w.URL = MaskURL(w.rawURL)
	w.HasSecret = w.secret != ""
	w.SecretHint = maskSecret(w.secret)
	return w, err
}

// Webhooks lists every webhook.
func (s *Service) Webhooks(ctx context.Context, q db.Q) ([]Webhook, error) {
	return db.Select(ctx, q, scanHook, "SELECT "+hookCols+" FROM webhooks w ORDER BY w.name")
}

// GetWebhook loads one webhook.
func (s *Service) GetWebhook(ctx context.Context, q db.Q, id int64) (Webhook, error) {
	w, err := scanHook(q.QueryRow(ctx, "SELECT "+hookCols+" FROM webhooks w WHERE w.id = ?", id))
	if db.IsNoRows(err) {
		return Webhook{}, errs.NotFound("Webhook")
	}
	return w, err
}

// snapshot is the audited form of a webhook: secrets never appear.
func (w Webhook) snapshot() map[string]any {
	return map[string]any{"name": w.Name, "url": w.URL, "kind": w.Kind, "events": strings.Join(w.Events, " "),
		"secret": w.SecretHint, "enabled": w.Enabled}
}

// MaskURL hides what authenticates a webhook URL: every query value keeps at most its first 4 characters
// (DingTalk access_token, WeCom key) and a password in the URL is replaced.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "****"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxx")
		}
	}
	query := u.RawQuery
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	out := u.String()
	if query == "" {
		return out
	}
	var parts []string
	for _, kv := range strings.Split(query, "&") {
		k, v, has := strings.Cut(kv, "=")
		if has {
			if dv, err := url.QueryUnescape(v); err == nil {
				v = dv
			}
			if utf8.RuneCountInString(v) > 4 {
				v = string([]rune(v)[:4]) + "****"
			} else if v != "" {
				v = "****"
			}
			kv = k + "=" + v
		}
		parts = append(parts, kv)
	}
	return out + "?" + strings.Join(parts, "&")
}

func maskSecret(s string) string {
	if s == "" {
		return ""
	}
	if utf8.RuneCountInString(s) >= 12 {
		return string([]rune(s)[:3]) + "********"
	}
	return "********"
}

// normalize validates a webhook's fields, collecting problems in f.
func normalize(w *Webhook, f errs.Fields) {
	w.Name = strings.TrimSpace(w.Name)
	if w.Name == "" || utf8.RuneCountInString(w.Name) > 60 {
		f.Add("name", "名称为 1–60 字")
	}
	w.rawURL = strings.TrimSpace(w.rawURL)
	if msg := checkURL(w.rawURL); msg != "" {
		f.Add("url", msg)
	}
	switch w.Kind {
	case KindGeneric, KindDingTalk, KindWeCom:
	default:
		f.Add("kind", "类型应为 generic（通用 JSON）、dingtalk（钉钉）或 wecom（企业微信）")
	}
	var events []string
	seen := map[string]bool{}
	for _, e := range w.Events {
		for _, p := range strings.FieldsFunc(e, func(r rune) bool {
			return r == ',' || r == '，' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
		}) {
			if seen[p] {
				continue
			}
			seen[p] = true
			if !patternRe.MatchString(p) || len(p) > 80 {
				f.Add("events", "事件代码“"+p+"”无效：应如 workflow.pending、workflow.* 或 *")
				continue
			}
			events = append(events, p)
		}
	}
	if seen["*"] {
		events = []string{"*"}
	}
	if len(events) == 0 && !f.Has("events") {
		f.Add("events", "请至少填写一个事件代码，或选择全部事件")
	}
	w.Events = events
	if utf8.RuneCountInString(w.secret) > 200 {
		f.Add("secret", "密钥不超过 200 个字符")
	}
	if w.secret != "" && w.Kind == KindWeCom {
		f.Add("secret", "企业微信群机器人不支持签名密钥，请留空")
	}
}

func checkURL(raw string) string {
	if raw == "" {
		return "请填写地址"
	}
	if len(raw) > 2000 || strings.ContainsAny(raw, " \t\r\n") {
		return "地址过长或含空白字符"
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return "地址应为 http:// 或 https:// 开头的完整网址"
	}
	return ""
}

// CreateWebhook adds a webhook (audited, secret redacted).
func (s *Service) CreateWebhook(ctx context.Context, in WebhookInput) (Webhook, error) {
	w := Webhook{Name: in.Name, rawURL: in.URL, Kind: in.Kind, Events: in.Events, secret: strings.TrimSpace(in.Secret), Enabled: true}
	if in.Enabled != nil {
		w.Enabled = *in.Enabled
	}
	f := errs.Fields{}
	normalize(&w, f)
	if err := f.Err(); err != nil {
		return Webhook{}, err
	}
	now := s.Clock.Now()
	var out Webhook
	err := s.DB.Tx(ctx, func(q db.Q) error {
		id, err := db.InsertID(ctx, q, `INSERT INTO webhooks (name, url, kind, events, secret, enabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, w.Name, w.rawURL, w.Kind, strings.Join(w.Events, " "), w.secret, w.Enabled, now.Unix(), now.Unix())
		if db.IsUnique(err) {
			return &errs.Error{Code: errs.CodeConflict, Message: "已有同名 Webhook", Fields: map[string]string{"name": "已有同名 Webhook"}}
		}
		if err != nil {
			return err
		}
		if out, err = s.GetWebhook(ctx, q, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "webhook.create", ObjectType: "webhook", ObjectID: id, Success: true, After: out.snapshot()})
	})
	return out, err
}

// UpdateWebhook changes a webhook (audited with before and after, secrets redacted). Disabling it gives up its
// pending deliveries, so re-enabling it later does not flood the endpoint with stale messages.
func (s *Service) UpdateWebhook(ctx context.Context, id int64, p WebhookPatch) (Webhook, error) {
	now := s.Clock.Now()
	var out Webhook
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := s.GetWebhook(ctx, q, id)
		if err != nil {
			return err
		}
		w := before
		if p.Name != nil {
			w.Name = *p.Name
		}
		if p.URL != nil && strings.TrimSpace(*p.URL) != before.URL {
			w.rawURL = *p.URL
		}
		if p.Kind != nil {
			w.Kind = *p.Kind
		}
		if p.Events != nil {
			w.Events = *p.Events
		}
		if p.Secret != nil {
			w.secret = strings.TrimSpace(*p.Secret)
		}
		if p.Enabled != nil {
			w.Enabled = *p.Enabled
		}
		f := errs.Fields{}
		if w.rawURL != before.rawURL && strings.Contains(w.rawURL, "****") {
			f.Add("url", "地址中的令牌已隐藏显示，修改地址时请完整填写新地址")
		}
		normalize(&w, f)
		if err := f.Err(); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "UPDATE webhooks SET name = ?, url = ?, kind = ?, events = ?, secret = ?, enabled = ?, updated_at = ? WHERE id = ?",
			w.Name, w.rawURL, w.Kind, strings.Join(w.Events, " "), w.secret, w.Enabled, now.Unix(), id); err != nil {
			if db.IsUnique(err) {
				return &errs.Error{Code: errs.CodeConflict, Message: "已有同名 Webhook", Fields: map[string]string{"name": "已有同名 Webhook"}}
			}
			return err
		}
		if before.Enabled && !w.Enabled {
			if _, err := q.Exec(ctx, "UPDATE webhook_deliveries SET status = ?, last_error = ?, updated_at = ? WHERE webhook_id = ? AND status = ?",
				DeliveryFailed, "Webhook 已停用，未发送", now.Unix(), id, DeliveryPending); err != nil {
				return err
			}
		}
		if out, err = s.GetWebhook(ctx, q, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "webhook.update", ObjectType: "webhook", ObjectID: id, Success: true,
			Before: before.snapshot(), After: out.snapshot()})
	})
	return out, err
}

// DeleteWebhook removes a webhook and its delivery log (audited).
func (s *Service) DeleteWebhook(ctx context.Context, id int64) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		before, err := s.GetWebhook(ctx, q, id)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "DELETE FROM webhook_deliveries WHERE webhook_id = ?", id); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "DELETE FROM webhooks WHERE id = ?", id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "webhook.delete", ObjectType: "webhook", ObjectID: id, Success: true, Before: before.snapshot()})
	})
}

// Delivery is one outbox row as the webhook's delivery log shows it.
type Delivery struct {
	ID            int64      `json:"id"`
	WebhookID     int64      `json:"webhook_id"`
	Event         string     `json:"event"`
	Title         string     `json:"title"`
	Status        string     `json:"status" doc:"pending | sending | delivered | failed"`
	Attempts      int        `json:"attempts"`
	MaxAttempts   int        `json:"max_attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	LastStatus    int        `json:"last_status,omitempty" doc:"HTTP status of the last attempt (0: no answer)"`
	LastError     string     `json:"last_error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	DeliveredAt   *time.Time `json:"delivered_at,omitempty"`
}

const deliveryCols = "id, webhook_id, event, message, status, attempts, max_attempts, next_attempt_at, last_status, last_error, created_at, delivered_at"

func scanDelivery(s db.Scanner) (Delivery, error) {
	var d Delivery
	var msg string
	var next, created, delivered int64
	err := s.Scan(&d.ID, &d.WebhookID, &d.Event, &msg, &d.Status, &d.Attempts, &d.MaxAttempts, &next, &d.LastStatus, &d.LastError, &created, &delivered)
	var m Message
	_ = json.Unmarshal([]byte(msg), &m)
	d.Title = m.Title
	d.CreatedAt = db.FromUnix(created)
	if d.Status == DeliveryPending && next != 0 {
		t := db.FromUnix(next)
		d.NextAttemptAt = &t
	}
	if delivered != 0 {
		t := db.FromUnix(delivered)
		d.DeliveredAt = &t
	}
	return d, err
}

// Deliveries lists a webhook's delivery log, newest first, and how many there are.
func (s *Service) Deliveries(ctx context.Context, q db.Q, hookID int64, offset, limit int) ([]Delivery, int64, error) {
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?", hookID)
	if err != nil {
		return nil, 0, err
	}
	ds, err := db.Select(ctx, q, scanDelivery, "SELECT "+deliveryCols+" FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
		hookID, limit, offset)
	return ds, total, err
}

// GetDelivery loads one delivery of a webhook.
func (s *Service) GetDelivery(ctx context.Context, q db.Q, hookID, id int64) (Delivery, error) {
	d, err := scanDelivery(q.QueryRow(ctx, "SELECT "+deliveryCols+" FROM webhook_deliveries WHERE id = ? AND webhook_id = ?", id, hookID))
	if db.IsNoRows(err) {
		return Delivery{}, errs.NotFound("发送记录")
	}
	return d, err
}

// Retry queues a failed delivery again with a fresh series of attempts (audited); other states → conflict.
func (s *Service) Retry(ctx context.Context, hookID, id int64) (Delivery, error) {
	now := s.Clock.Now()
	var out Delivery
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if _, err := s.GetDelivery(ctx, q, hookID, id); err != nil {
			return err
		}
		res, err := q.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, max_attempts = attempts + ?, updated_at = ?
			WHERE id = ? AND webhook_id = ? AND status = ?`, DeliveryPending, now.Unix(), s.maxAttempts(), now.Unix(), id, hookID, DeliveryFailed)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("只有发送失败的消息可以重新发送")
		}
		if out, err = s.GetDelivery(ctx, q, hookID, id); err != nil {
			return err
		}
		if s.Runner != nil {
			db.AfterCommit(q, func() { s.Runner.Wake(DeliverJob) })
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "webhook.retry", ObjectType: "webhook", ObjectID: hookID, Success: true,
			Extra: map[string]any{"delivery_id": id}})
	})
	return out, err
}

// SiteSettings are the notification settings: the address users open GovOps at, which turns notification links
// into absolute URLs in webhook messages (a DingTalk group cannot follow "/fleet/trips/12").
type SiteSettings struct {
	SiteURL string `json:"site_url"`
}

const siteKey = "notify.site"

// Site loads the notification settings.
func (s *Service) Site(ctx context.Context, q db.Q) (SiteSettings, error) {
	var v SiteSettings
	_, err := settings.Get(ctx, q, siteKey, &v)
	return v, err
}

// SaveSite validates and stores the notification settings (audited).
func (s *Service) SaveSite(ctx context.Context, v SiteSettings) error {
	v.SiteURL = strings.TrimRight(strings.TrimSpace(v.SiteURL), "/")
	if v.SiteURL != "" {
		if msg := checkURL(v.SiteURL); msg != "" {
			return errs.Invalid("site_url", msg)
		}
		if u, _ := url.Parse(v.SiteURL); u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return errs.Invalid("site_url", "平台地址不应含查询参数、片段或用户名")
		}
	}
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		before, err := s.Site(ctx, q)
		if err != nil {
			return err
		}
		if err := settings.Put(ctx, q, siteKey, v, now, audit.ActorFrom(ctx).Username); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "notify.settings", ObjectType: "setting", ObjectKey: siteKey, Success: true, Before: before, After: v})
	})
}
