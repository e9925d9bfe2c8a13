package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
)

// Header names of generic webhooks. The signature is HMAC-SHA256 over the raw body with the webhook's secret;
// the body carries the event time, so a receiver can reject replays by checking it (or the timestamp header).
const (
	HeaderSignature = "X-GovOps-Signature"
	HeaderTimestamp = "X-GovOps-Timestamp"
	HeaderEvent     = "X-GovOps-Event"
	HeaderDelivery  = "X-GovOps-Delivery"
)

const (
	batchSize   = 50
	maxBatches  = 20
	parallelism = 4
)

// claimed is an outbox row this process has claimed, with what sending it needs.
type claimed struct {
	id, hookID            int64
	event                 string
	msg                   Message
	attempts, maxAttempts int
	url, kind, secret     string
}

func (s *Service) deliverJob(ctx context.Context) (string, error) {
	sent, failed, err := s.DeliverDue(ctx)
	if err != nil {
		return "", err
	}
	if sent == 0 && failed == 0 {
		return "没有待发送的消息", nil
	}
	return fmt.Sprintf("送达 %d 条，失败 %d 条", sent, failed), nil
}

// DeliverDue sends every due delivery once (the delivery job calls it). Rows are claimed one by one with a guarded
// update, so replicas never send the same row; rows claimed by a process that died are released when their claim
// expires. It returns how many were delivered and how many attempts failed.
func (s *Service) DeliverDue(ctx context.Context) (sent, failed int, err error) {
	now := s.Clock.Now()
	if _, err := s.DB.Exec(ctx, "UPDATE webhook_deliveries SET status = ?, updated_at = ? WHERE status = ? AND claimed_until < ?",
		DeliveryPending, now.Unix(), DeliverySending, now.Unix()); err != nil {
		return 0, 0, err
	}
	site, err := s.Site(ctx, s.DB)
	if err != nil {
		return 0, 0, err
	}
	var mu sync.Mutex
	for batch := 0; batch < maxBatches && ctx.Err() == nil; batch++ {
		ids, err := db.Int64s(ctx, s.DB, `SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
			WHERE d.status = ? AND d.next_attempt_at <= ? AND w.enabled = TRUE ORDER BY d.next_attempt_at, d.id LIMIT ?`,
			DeliveryPending, now.Unix(), batchSize)
		if err != nil {
			return sent, failed, err
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, parallelism)
		for _, id := range ids {
			c, ok, err := s.claim(ctx, id, now)
			if err != nil {
				wg.Wait()
				return sent, failed, err
			}
			if !ok {
				continue
			}
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				ok := s.attempt(ctx, c, site.SiteURL)
				mu.Lock()
				if ok {
					sent++
				} else {
					failed++
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		if len(ids) < batchSize {
			break
		}
		now = s.Clock.Now()
	}
	return sent, failed, ctx.Err()
}

// claim takes a due pending row for sending: exactly one claimant's guarded update succeeds.
func (s *Service) claim(ctx context.Context, id int64, now time.Time) (claimed, bool, error) {
	until := now.Add(s.Timeout + time.Minute).Unix()
	res, err := s.DB.Exec(ctx, "UPDATE webhook_deliveries SET status = ?, claimed_until = ?, updated_at = ? WHERE id = ? AND status = ? AND next_attempt_at <= ?",
		DeliverySending, until, now.Unix(), id, DeliveryPending, now.Unix())
	if err != nil {
		return claimed{}, false, err
	}
	if db.RowsAffected(res) != 1 {
		return claimed{}, false, nil
	}
	var c claimed
	var msg string
	err = s.DB.QueryRow(ctx, `SELECT d.id, d.webhook_id, d.event, d.message, d.attempts, d.max_attempts, w.url, w.kind, w.secret
		FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ?`, id).
		Scan(&c.id, &c.hookID, &c.event, &msg, &c.attempts, &c.maxAttempts, &c.url, &c.kind, &c.secret)
	if err != nil {
		return claimed{}, false, err
	}
	if err := json.Unmarshal([]byte(msg), &c.msg); err != nil {
		return claimed{}, false, fmt.Errorf("delivery %d: message: %w", id, err)
	}
	return c, true, nil
}

// attempt sends a claimed row once and records the outcome: delivered, or another try after the backoff, or
// failed for good after the last attempt. It reports whether the row was delivered.
func (s *Service) attempt(ctx context.Context, c claimed, site string) bool {
	status, sendErr := s.send(ctx, c, site)
	// Record even when the job is being cancelled.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	now := s.Clock.Now()
	if sendErr != nil && ctx.Err() != nil {
		// Shutting down: put the row back untouched rather than count an attempt that was cut short.
		if _, err := s.DB.Exec(rctx, "UPDATE webhook_deliveries SET status = ?, claimed_until = 0, updated_at = ? WHERE id = ? AND status = ?",
			DeliveryPending, now.Unix(), c.id, DeliverySending); err != nil {
			s.Log.Error("webhook delivery not released", "delivery", c.id, "err", err)
		}
		return false
	}
	attempts := c.attempts + 1
	var err error
	switch {
	case sendErr == nil:
		_, err = s.DB.Exec(rctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = '', delivered_at = ?,
			claimed_until = 0, updated_at = ? WHERE id = ? AND status = ?`, DeliveryDelivered, attempts, status, now.Unix(), now.Unix(), c.id, DeliverySending)
	case attempts >= c.maxAttempts:
		s.Log.Warn("webhook delivery given up", "delivery", c.id, "webhook", c.hookID, "attempts", attempts, "err", sendErr)
		_, err = s.DB.Exec(rctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?, claimed_until = 0,
			updated_at = ? WHERE id = ? AND status = ?`, DeliveryFailed, attempts, status, cut(sendErr.Error(), 500), now.Unix(), c.id, DeliverySending)
	default:
		next := now.Add(s.backoff(attempts))
		s.Log.Info("webhook delivery failed, will retry", "delivery", c.id, "webhook", c.hookID, "attempts", attempts, "next", next, "err", sendErr)
		_, err = s.DB.Exec(rctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?, next_attempt_at = ?,
			claimed_until = 0, updated_at = ? WHERE id = ? AND status = ?`, DeliveryPending, attempts, status, cut(sendErr.Error(), 500),
			next.Unix(), now.Unix(), c.id, DeliverySending)
	}
	if err != nil {
		s.Log.Error("webhook delivery result not recorded", "delivery", c.id, "err", err)
	}
	return sendErr == nil
}

// backoff is the wait after the n-th failed attempt (n ≥ 1).
func (s *Service) backoff(n int) time.Duration {
	b := s.Backoff
	if len(b) == 0 {
		return time.Minute
	}
	return b[min(n-1, len(b)-1)]
}

// send POSTs one delivery and judges the answer: 2xx is success, except a DingTalk/WeCom answer whose errcode is
// not 0 (those robots answer 200 to a rejected message). It returns the HTTP status (0 when none came).
func (s *Service) send(ctx context.Context, c claimed, site string) (int, error) {
	body, target, hdr, err := Build(c.kind, c.url, c.secret, c.id, c.msg, site, s.Clock.Now())
	if err != nil {
		return 0, err
	}
	rctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, errors.New("地址无效")
	}
	req.Header = hdr
	resp, err := s.HTTP.Do(req)
	if err != nil {
		return 0, s.cleanErr(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("HTTP %d：%s", resp.StatusCode, cut(strings.TrimSpace(string(answer)), 200))
	}
	if c.kind == KindDingTalk || c.kind == KindWeCom {
		var r struct {
			ErrCode *int   `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
		}
		if json.Unmarshal(answer, &r) == nil && r.ErrCode != nil && *r.ErrCode != 0 {
			return resp.StatusCode, fmt.Errorf("机器人拒收：errcode=%d %s", *r.ErrCode, cut(r.ErrMsg, 200))
		}
	}
	return resp.StatusCode, nil
}

// cleanErr drops the URL (which may hold an access token) from a transport error and names timeouts plainly.
func (s *Service) cleanErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err) {
		return fmt.Errorf("请求超时（%s 内无响应）", s.Timeout)
	}
	return errors.New(err.Error())
}

// genericBody is the JSON a generic webhook receives.
type genericBody struct {
	ID         int64    `json:"id"`
	Event      string   `json:"event"`
	Title      string   `json:"title"`
	Body       string   `json:"body"`
	Link       string   `json:"link"`
	URL        string   `json:"url,omitempty"`
	Recipients []string `json:"recipients"`
	Time       string   `json:"time"`
}

type robotText struct {
	MsgType string `json:"msgtype"`
	Text    struct {
		Content string `json:"content"`
	} `json:"text"`
}

// Build shapes one message for a webhook kind and signs it: the body, the URL to POST to (DingTalk signing adds
// &timestamp=&sign=) and the headers. id is the delivery id (receivers may use it to drop duplicates); site, when
// set, makes the relative link absolute; now is the signing time.
//
//   - generic: {"id","event","title","body","link","url","recipients","time"}; with a secret, header
//     X-GovOps-Signature: sha256=<hex HMAC-SHA256(secret, body)> beside X-GovOps-Timestamp (Unix seconds).
//   - dingtalk: {"msgtype":"text","text":{"content":…}}; with a secret, DingTalk's signing: timestamp in ms,
//     sign = base64(HMAC-SHA256(secret, timestamp+"\n"+secret)), appended as query parameters.
//   - wecom: {"msgtype":"text","text":{"content":…}} (WeCom robots authenticate by the key in the URL).
func Build(kind, rawURL, secret string, id int64, m Message, site string, now time.Time) ([]byte, string, http.Header, error) {
	event, title, body, link, recipients, at := m.Event, m.Title, m.Body, m.Link, m.Recipients, m.Time
	abs := ""
	if link != "" && site != "" {
		abs = strings.TrimRight(site, "/") + link
	}
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/json; charset=utf-8")
	hdr.Set("User-Agent", "GovOps-Webhook/1")
	target := rawURL
	var (
		b   []byte
		err error
	)
	switch kind {
	case KindDingTalk, KindWeCom:
		var rt robotText
		rt.MsgType = "text"
		parts := []string{title}
		if body != "" {
			parts = append(parts, body)
		}
		if abs != "" {
			parts = append(parts, abs)
		} else if link != "" {
			parts = append(parts, link)
		}
		rt.Text.Content = strings.Join(parts, "\n")
		if b, err = json.Marshal(rt); err != nil {
			return nil, "", nil, err
		}
		if kind == KindDingTalk && secret != "" {
			ts := strconv.FormatInt(now.UnixMilli(), 10)
			mac := hmac.New(sha256.New, []byte(secret))
			mac.Write([]byte(ts + "\n" + secret))
			sign := base64.StdEncoding.EncodeToString(mac.Sum(nil))
			sep := "?"
			if strings.Contains(target, "?") {
				sep = "&"
			}
			target += sep + "timestamp=" + ts + "&sign=" + url.QueryEscape(sign)
		}
	default:
		if recipients == nil {
			recipients = []string{}
		}
		g := genericBody{ID: id, Event: event, Title: title, Body: body, Link: link, URL: abs, Recipients: recipients,
			Time: at.In(clock.Shanghai).Format(time.RFC3339)}
		if b, err = json.Marshal(g); err != nil {
			return nil, "", nil, err
		}
		hdr.Set(HeaderEvent, event)
		hdr.Set(HeaderDelivery, strconv.FormatInt(id, 10))
		hdr.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
		if secret != "" {
			hdr.Set(HeaderSignature, "sha256="+Sign(secret, b))
		}
	}
	return b, target, hdr, nil
}

// Sign is the hex HMAC-SHA256 of body with secret, as sent in X-GovOps-Signature after "sha256=".
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// SendTest queues a test message for a webhook (one attempt, audited) and sends it at once, so the administrator
// sees the outcome on the spot. The request waits at most the webhook timeout.
func (s *Service) SendTest(ctx context.Context, hookID int64) (Delivery, error) {
	now := s.Clock.Now()
	var id int64
	err := s.DB.Tx(ctx, func(q db.Q) error {
		h, err := s.GetWebhook(ctx, q, hookID)
		if err != nil {
			return err
		}
		actor := audit.ActorFrom(ctx).Username
		msg, err := json.Marshal(Message{Event: TestEvent, Title: "GovOps 测试消息", Body: "这是 Webhook“" + h.Name + "”的测试消息，收到即表示配置正确。",
			Link: "/admin/webhooks/" + strconv.FormatInt(hookID, 10), Recipients: []string{actor}, Time: now.UTC().Truncate(time.Second)})
		if err != nil {
			return err
		}
		if id, err = s.enqueue(ctx, q, hookID, TestEvent, string(msg), 1, now); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "webhook.test", ObjectType: "webhook", ObjectID: hookID, Success: true,
			Extra: map[string]any{"delivery_id": id}})
	})
	if err != nil {
		return Delivery{}, err
	}
	site, err := s.Site(ctx, s.DB)
	if err != nil {
		return Delivery{}, err
	}
	c, ok, err := s.claim(ctx, id, now)
	if err != nil {
		return Delivery{}, err
	}
	if ok {
		s.attempt(ctx, c, site.SiteURL)
	}
	return s.GetDelivery(ctx, s.DB, hookID, id)
}

// pruneJob deletes read notifications and finished deliveries past their retention. Unread ones stay.
func (s *Service) pruneJob(ctx context.Context) (string, error) {
	now := s.Clock.Now()
	res, err := s.DB.Exec(ctx, "DELETE FROM notifications WHERE read_at <> 0 AND read_at < ?", now.Add(-s.KeepRead).Unix())
	if err != nil {
		return "", err
	}
	read := db.RowsAffected(res)
	res, err = s.DB.Exec(ctx, "DELETE FROM webhook_deliveries WHERE status IN (?, ?) AND updated_at < ?",
		DeliveryDelivered, DeliveryFailed, now.Add(-s.KeepDeliveries).Unix())
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("删除已读消息 %d 条、发送记录 %d 条", read, db.RowsAffected(res)), nil
}
