// Package notify delivers notifications: an in-app inbox per user, and outgoing webhooks (with retries) for SMS,
// DingTalk and WeCom gateways.
//
// A module calls Notify inside the transaction of the business write that causes it: the inbox rows and the
// webhook outbox rows commit or roll back with that write, so a rolled-back change notifies nobody, and no network
// I/O ever happens inside a business transaction. The delivery job (registered on the job runner, every 15 s and
// woken after each commit that queued something) claims due outbox rows with guarded updates, POSTs them with a
// timeout, and retries failures with exponential backoff until it gives up.
//
// Administrators (settings:write) configure webhooks at /admin/webhooks; users read their inbox at /notifications.
package notify

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/jobs"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations creates the notification tables.
var Migrations = db.Embedded("notify", migrationsFS)

// Names of the jobs this package registers.
const (
	DeliverJob = "notify.deliver"
	PruneJob   = "notify.prune"
)

// TestEvent is the event code of the messages sent by a webhook's "send test" button.
const TestEvent = "notify.test"

// Delivery statuses, mirrored by the CHECK constraint on webhook_deliveries.status.
const (
	DeliveryPending   = "pending"
	DeliverySending   = "sending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Webhook kinds, mirrored by the CHECK constraint on webhooks.kind.
const (
	KindGeneric  = "generic"
	KindDingTalk = "dingtalk"
	KindWeCom    = "wecom"
)

// DefaultBackoff is the wait after the 1st, 2nd, … failed attempt; the last value repeats.
var DefaultBackoff = []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour}

func init() {
	audit.RegisterActions(map[string]string{"webhook.create": "新建 Webhook", "webhook.update": "修改 Webhook", "webhook.delete": "删除 Webhook",
		"webhook.test": "测试 Webhook", "webhook.retry": "重发 Webhook 消息", "notify.settings": "修改消息推送设置"},
		map[string]string{"webhook": "Webhook"})
}

// Service is the notification kit instance.
type Service struct {
	DB     *db.DB
	Clock  clock.Clock
	Log    *slog.Logger
	UI     *web.UI
	Runner *jobs.Runner

	// HTTP sends webhooks; redirects are not followed (a gateway that redirects is misconfigured).
	HTTP *http.Client
	// Timeout bounds one webhook request (default 10 s).
	Timeout time.Duration
	// Backoff and MaxAttempts shape retries (defaults DefaultBackoff and 8).
	Backoff     []time.Duration
	MaxAttempts int
	// Every is the delivery job's interval (default 15 s); read when New registers the job.
	Every time.Duration
	// KeepRead and KeepDeliveries bound what the prune job keeps: read notifications and finished deliveries older
	// than these go (defaults 180 and 30 days). Unread notifications are never pruned.
	KeepRead, KeepDeliveries time.Duration

	mu     sync.RWMutex
	events map[string]string
}

// New makes the service and registers its delivery and prune jobs on the runner.
func New(d *db.DB, clk clock.Clock, log *slog.Logger, ui *web.UI, runner *jobs.Runner) *Service {
	s := &Service{DB: d, Clock: clk, Log: log, UI: ui, Runner: runner, Timeout: 10 * time.Second,
		Backoff: DefaultBackoff, MaxAttempts: 8, Every: 15 * time.Second,
		KeepRead: 180 * 24 * time.Hour, KeepDeliveries: 30 * 24 * time.Hour, events: map[string]string{}}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	s.HTTP = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	s.AddEvent(TestEvent, "notify.event.test|Webhook 测试消息")
	if runner != nil {
		runner.Add(jobs.Job{Name: DeliverJob, Title: "notify.job.deliver|发送 Webhook 消息", Every: s.Every, Run: s.deliverJob, Timeout: 10 * time.Minute})
		runner.Add(jobs.Job{Name: PruneJob, Title: "notify.job.prune|清理已读消息和发送记录", Every: 24 * time.Hour, Run: s.pruneJob})
	}
	return s
}

// AddEvent names an event code ("workflow.pending", label "key|中文") so the webhook form can offer it and the
// inbox can label it. Modules call it at wiring; unnamed codes still work.
func (s *Service) AddEvent(code, label string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events[code] = label
}

// EventName is one registered event code with its label.
type EventName struct{ Code, Label string }

// Events lists the registered event codes, sorted.
func (s *Service) Events() []EventName {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]EventName, 0, len(s.events))
	for c, l := range s.events {
		out = append(out, EventName{c, l})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

func (s *Service) eventLabel(lang, code string) string {
	s.mu.RLock()
	l, ok := s.events[code]
	s.mu.RUnlock()
	if !ok {
		return code
	}
	if strings.Contains(l, "|") && s.UI != nil {
		return s.UI.Catalog.T(lang, l)
	}
	return l
}

// Notification is what a module sends.
type Notification struct {
	// Recipients are user ids; unknown ids are skipped, duplicates collapse. May be empty for webhook-only events.
	Recipients []int64
	// Event is the category code, "module.event" (e.g. "workflow.pending"); webhooks subscribe to it.
	Event string
	// Title is required (cut at 200 characters); Body is optional (cut at 4000).
	Title, Body string
	// Link is a relative URL inside GovOps ("/fleet/trips/12"), or empty.
	Link string
}

var (
	eventRe   = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)
	patternRe = regexp.MustCompile(`^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?)$`)
)

// ValidLink reports whether link is a safe relative URL for a notification ("" counts).
func ValidLink(link string) bool {
	if link == "" {
		return true
	}
	if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") || strings.HasPrefix(link, "/\\") || len(link) > 1000 {
		return false
	}
	return !strings.ContainsAny(link, "\r\n\t ")
}

// Message is the neutral content of an outbox row; the webhook's kind shapes it at send time (see Build).
type Message struct {
	Event      string    `json:"event"`
	Title      string    `json:"title"`
	Body       string    `json:"body"`
	Link       string    `json:"link"`
	Recipients []string  `json:"recipients"`
	Time       time.Time `json:"time"`
}

// Notify stores an inbox row for every recipient and queues a delivery for every enabled webhook subscribed to the
// event, all inside q's transaction: call it in the same transaction as the business write. It does no network
// I/O; after the commit the delivery job is woken. A malformed event code or link is a programming error.
func (s *Service) Notify(ctx context.Context, q db.Q, n Notification) error {
	if !eventRe.MatchString(n.Event) {
		return fmt.Errorf("notify: invalid event code %q (want module.event)", n.Event)
	}
	if !ValidLink(n.Link) {
		return fmt.Errorf("notify: link %q is not a relative URL", n.Link)
	}
	n.Title = cut(strings.TrimSpace(n.Title), 200)
	n.Body = cut(strings.TrimSpace(n.Body), 4000)
	if n.Title == "" {
		return fmt.Errorf("notify: %s: empty title", n.Event)
	}
	now := s.Clock.Now()
	return q.Tx(ctx, func(q db.Q) error {
		users, err := recipients(ctx, q, n.Recipients)
		if err != nil {
			return err
		}
		const per = 100
		for start := 0; start < len(users); start += per {
			chunk := users[start:min(start+per, len(users))]
			args := make([]any, 0, len(chunk)*6)
			rows := make([]string, 0, len(chunk))
			for _, u := range chunk {
				rows = append(rows, "(?, ?, ?, ?, ?, ?, 0)")
				args = append(args, u.id, n.Event, n.Title, n.Body, n.Link, now.Unix())
			}
			if _, err := q.Exec(ctx, "INSERT INTO notifications (user_id, event, title, body, link, created_at, read_at) VALUES "+
				strings.Join(rows, ", "), args...); err != nil {
				return fmt.Errorf("notify inbox: %w", err)
			}
		}
		hooks, err := subscribers(ctx, q, n.Event)
		if err != nil || len(hooks) == 0 {
			return err
		}
		names := make([]string, len(users))
		for i, u := range users {
			names[i] = u.username
		}
		msg, err := json.Marshal(Message{Event: n.Event, Title: n.Title, Body: n.Body, Link: n.Link, Recipients: names, Time: now.UTC().Truncate(time.Second)})
		if err != nil {
			return err
		}
		for _, h := range hooks {
			if _, err := s.enqueue(ctx, q, h, n.Event, string(msg), s.maxAttempts(), now); err != nil {
				return err
			}
		}
		if s.Runner != nil {
			db.AfterCommit(q, func() { s.Runner.Wake(DeliverJob) })
		}
		return nil
	})
}

func (s *Service) maxAttempts() int {
	if s.MaxAttempts < 1 {
		return 1
	}
	return s.MaxAttempts
}

func (s *Service) enqueue(ctx context.Context, q db.Q, hookID int64, event, msg string, maxAttempts int, now time.Time) (int64, error) {
	id, err := db.InsertID(ctx, q, `INSERT INTO webhook_deliveries (webhook_id, event, message, status, attempts, max_attempts, next_attempt_at,
		created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?) RETURNING id`,
		hookID, event, msg, DeliveryPending, maxAttempts, now.Unix(), now.Unix(), now.Unix())
	if err != nil {
		return 0, fmt.Errorf("notify outbox: %w", err)
	}
	return id, nil
}

type recipient struct {
	id       int64
	username string
}

// recipients resolves user ids to existing users (deduplicated, in id order).
func recipients(ctx context.Context, q db.Q, ids []int64) ([]recipient, error) {
	seen := map[int64]bool{}
	var uniq []int64
	for _, id := range ids {
		if id > 0 && !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	var out []recipient
	const per = 500
	for start := 0; start < len(uniq); start += per {
		chunk := uniq[start:min(start+per, len(uniq))]
		rs, err := db.Select(ctx, q, func(sc db.Scanner) (recipient, error) {
			var r recipient
			return r, sc.Scan(&r.id, &r.username)
		}, "SELECT id, username FROM users WHERE id IN ("+db.In(len(chunk))+") ORDER BY id", db.Args(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("notify recipients: %w", err)
		}
		out = append(out, rs...)
	}
	return out, nil
}

// subscribers returns the enabled webhooks whose event patterns match event.
func subscribers(ctx context.Context, q db.Q, event string) ([]int64, error) {
	type hook struct {
		id     int64
		events string
	}
	hooks, err := db.Select(ctx, q, func(sc db.Scanner) (hook, error) {
		var h hook
		return h, sc.Scan(&h.id, &h.events)
	}, "SELECT id, events FROM webhooks WHERE enabled = TRUE ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("notify webhooks: %w", err)
	}
	var out []int64
	for _, h := range hooks {
		if Matches(strings.Fields(h.events), event) {
			out = append(out, h.id)
		}
	}
	return out, nil
}

// Matches reports whether an event code is selected by a webhook's patterns: "*" selects every event,
// "workflow.*" every event starting with "workflow.", anything else that exact code.
func Matches(patterns []string, event string) bool {
	for _, p := range patterns {
		switch {
		case p == "*":
			return true
		case strings.HasSuffix(p, ".*"):
			if strings.HasPrefix(event, strings.TrimSuffix(p, "*")) {
				return true
			}
		case p == event:
			return true
		}
	}
	return false
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
