package energy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/settings"
)

// Telemetry is one decoded sample of a collector: a device (meter code or collector name), an instant (0 = the
// receive time) and its numeric values by key.
type Telemetry struct {
	Device string
	TS     int64
	Values map[string]float64
}

// MaxPayload bounds an MQTT message the decoder accepts.
const MaxPayload = 1 << 20

// DecodeTelemetry decodes a collector's MQTT message (pure; fuzzed). It accepts the ThingsBoard shapes that
// docs/domain/protocols.md §MQTT from energy collectors recommends: {"ts":ms,"values":{…}}, an array of those, plain
// {"key":value,…} (no instant), and the gateway form {"Device A":[{"ts":…,"values":{…}}],…}. device is the device
// named by the topic ("" when the topic names none; the gateway form names its own). Numbers and numeric strings are
// values, nested objects are flattened ("ENERGY.Total", as Tasmota reports); anything else is ignored.
func DecodeTelemetry(device string, payload []byte) ([]Telemetry, error) {
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 {
		return nil, errors.New("empty payload")
	}
	if len(payload) > MaxPayload {
		return nil, errors.New("payload too large")
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	switch x := v.(type) {
	case []any:
		var out []Telemetry
		for _, e := range x {
			o, ok := e.(map[string]any)
			if !ok {
				return nil, errors.New("array element is not an object")
			}
			t, err := sample(device, o)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
		return out, nil
	case map[string]any:
		if _, ok := x["values"]; ok {
			t, err := sample(device, x)
			if err != nil {
				return nil, err
			}
			return []Telemetry{t}, nil
		}
		if gateway(x) {
			var out []Telemetry
			for name, e := range x {
				for _, s := range e.([]any) {
					o, ok := s.(map[string]any)
					if !ok {
						return nil, errors.New("gateway sample is not an object")
					}
					t, err := sample(name, o)
					if err != nil {
						return nil, err
					}
					out = append(out, t)
				}
			}
			return out, nil
		}
		return []Telemetry{{Device: device, Values: numbers(x)}}, nil
	}
	return nil, errors.New("payload is neither an object nor an array")
}

// gateway reports the ThingsBoard gateway form: every value an array of objects.
func gateway(m map[string]any) bool {
	if len(m) == 0 {
		return false
	}
	for _, v := range m {
		arr, ok := v.([]any)
		if !ok {
			return false
		}
		for _, e := range arr {
			if _, ok := e.(map[string]any); !ok {
				return false
			}
		}
	}
	return true
}

func sample(device string, o map[string]any) (Telemetry, error) {
	t := Telemetry{Device: device}
	if raw, ok := o["ts"]; ok {
		n, ok := number(raw)
		if !ok || n < 0 || n > 1e16 {
			return t, errors.New("ts is not a time in milliseconds")
		}
		t.TS = int64(n / 1000) // ThingsBoard sends milliseconds
	}
	vals, ok := o["values"].(map[string]any)
	if !ok {
		vals = map[string]any{}
		for k, v := range o {
			if k != "ts" {
				vals[k] = v
			}
		}
	}
	t.Values = numbers(vals)
	return t, nil
}

// numbers keeps the numeric values of a sample; nested objects are flattened with dotted keys, so Tasmota's
// {"ENERGY":{"Total":12.5}} offers "ENERGY.Total".
func numbers(m map[string]any) map[string]float64 {
	out := make(map[string]float64, len(m))
	var walk func(prefix string, m map[string]any, depth int)
	walk = func(prefix string, m map[string]any, depth int) {
		for k, v := range m {
			if sub, ok := v.(map[string]any); ok && depth < 4 {
				walk(prefix+k+".", sub, depth+1)
			} else if n, ok := number(v); ok {
				out[prefix+k] = n
			}
		}
	}
	walk("", m, 0)
	return out
}

func number(v any) (float64, bool) {
	var n float64
	var err error
	switch x := v.(type) {
	case json.Number:
		n, err = x.Float64()
	case float64:
		n = x
	case string:
		n, err = strconv.ParseFloat(strings.TrimSpace(x), 64)
	default:
		return 0, false
	}
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) || math.Abs(n) > 1e15 {
		return 0, false
	}
	return n, true
}

// TopicDevice returns the device a topic names under filter: the segment matched by the filter's first '+'
// ("govops/meters/+/telemetry" and "govops/meters/M-001/telemetry" → "M-001"); "" when the filter has none or
// the topic does not match.
func TopicDevice(filter, topic string) (string, bool) {
	fs, ts := strings.Split(filter, "/"), strings.Split(topic, "/")
	device := ""
	for i, f := range fs {
		if f == "#" {
			return device, true
		}
		if i >= len(ts) {
			return "", false
		}
		switch f {
		case "+":
			if device == "" {
				device = ts[i]
			}
		default:
			if f != ts[i] {
				return "", false
			}
		}
	}
	if len(fs) != len(ts) {
		return "", false
	}
	return device, true
}

// MQTTSettings are the subscriber's settings (settings key energy.mqtt).
type MQTTSettings struct {
	Topics   []string `json:"topics"`
	ClientID string   `json:"client_id"`
	QoS      byte     `json:"qos"`
}

// MQTTKey is the settings key of MQTTSettings.
const MQTTKey = "energy.mqtt"

// DefaultMQTT subscribes the per-meter topic and the ThingsBoard gateway topic.
func DefaultMQTT() MQTTSettings {
	host, _ := os.Hostname()
	return MQTTSettings{Topics: []string{"govops/meters/+/telemetry", "v1/gateway/telemetry"}, ClientID: "govops-energy-" + host, QoS: 1}
}

// meterCode is what the subscriber needs of a meter with a code.
type meterCode struct {
	ID       int64
	ValueKey string
}

// codeCache maps meter codes to meters, reloaded at most every reload interval when a code is unknown.
type codeCache struct {
	mu     sync.Mutex
	codes  map[string]meterCode
	loaded time.Time
}

func (c *codeCache) lookup(ctx context.Context, q db.Q, code string) (meterCode, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.codes[code]
	if ok && time.Since(c.loaded) < time.Minute {
		return m, true
	}
	if !ok && time.Since(c.loaded) < 10*time.Second {
		return m, false
	}
	type row struct {
		Code, Key string
		ID        int64
	}
	rows, err := db.Select(ctx, q, func(s db.Scanner) (row, error) {
		var r row
		return r, s.Scan(&r.Code, &r.ID, &r.Key)
	}, "SELECT code, id, value_key FROM energy_meters WHERE code IS NOT NULL AND status = 'active' AND role <> 'virtual'")
	if err != nil {
		return meterCode{}, false
	}
	c.codes = make(map[string]meterCode, len(rows))
	for _, r := range rows {
		c.codes[r.Code] = meterCode{ID: r.ID, ValueKey: r.Key}
	}
	c.loaded = time.Now()
	m, ok = c.codes[code]
	return m, ok
}

// Readings maps decoded samples to meter readings: a meter whose code is the device takes its value_key (else
// "value", else the only number); a meter whose code is "device/key" takes that key. now stands in for samples
// without an instant. Samples no meter claims are counted in unknown.
func (c *codeCache) readings(ctx context.Context, q db.Q, ts []Telemetry, now time.Time) (out []Reading, unknown int) {
	for _, t := range ts {
		at := t.TS
		if at == 0 {
			at = now.Unix()
		}
		claimed := false
		if t.Device != "" {
			if m, ok := c.lookup(ctx, q, t.Device); ok {
				key := m.ValueKey
				v, has := t.Values[key]
				if key == "" {
					if v, has = t.Values["value"]; !has && len(t.Values) == 1 {
						for _, only := range t.Values {
							v, has = only, true
						}
					}
				}
				if has {
					out, claimed = append(out, Reading{MeterID: m.ID, TS: at, Value: v}), true
				}
			}
		}
		for k, v := range t.Values {
			if m, ok := c.lookup(ctx, q, t.Device+"/"+k); ok {
				out, claimed = append(out, Reading{MeterID: m.ID, TS: at, Value: v}), true
			}
		}
		if !claimed {
			unknown++
		}
	}
	return out, unknown
}

// subscriber receives collectors' MQTT messages and hands them, grouped every 50 ms, to the writer; each
// message is acknowledged (QoS 1) only after its readings are committed.
type subscriber struct {
	s        *Service
	client   mqtt.Client
	cfg      MQTTSettings
	codes    codeCache
	mu       sync.Mutex
	pending  []Reading
	acks     []func()
	quit     chan struct{}
	done     chan struct{}
	received atomic.Int64
	unknown  atomic.Int64
	bad      atomic.Int64
}

func (s *Service) newSubscriber(ctx context.Context, url string) (*subscriber, error) {
	cfg := DefaultMQTT()
	if _, err := settings.Get(ctx, s.DB, MQTTKey, &cfg); err != nil {
		return nil, err
	}
	if len(cfg.Topics) == 0 {
		cfg.Topics = DefaultMQTT().Topics
	}
	if cfg.QoS > 1 {
		cfg.QoS = 1
	}
	sub := &subscriber{s: s, cfg: cfg, quit: make(chan struct{}), done: make(chan struct{})}
	opts := mqtt.NewClientOptions().AddBroker(url).SetClientID(cfg.ClientID).SetCleanSession(false).SetAutoReconnect(true).
		SetConnectRetry(true).SetConnectRetryInterval(5 * time.Second).SetOrderMatters(false).SetAutoAckDisabled(true).
		SetKeepAlive(30 * time.Second).SetMaxReconnectInterval(time.Minute)
	// With a persistent session the broker sends what it kept for us right after CONNACK, before the subscription
	// below has registered its handler: without a default handler those messages would be dropped unacknowledged
	// (and only redelivered at the next connection).
	opts.SetDefaultPublishHandler(sub.handle)
	opts.SetOnConnectHandler(func(c mqtt.Client) {
		filters := map[string]byte{}
		for _, t := range cfg.Topics {
			filters[t] = cfg.QoS
		}
		if tok := c.SubscribeMultiple(filters, sub.handle); tok.WaitTimeout(10*time.Second) && tok.Error() != nil {
			s.Log.Error("mqtt subscribe failed", "err", tok.Error(), "topics", cfg.Topics)
			return
		}
		s.Log.Info("mqtt subscribed", "broker", redact(url), "topics", cfg.Topics)
	})
	opts.SetConnectionLostHandler(func(_ mqtt.Client, err error) { s.Log.Warn("mqtt connection lost", "err", err) })
	sub.client = mqtt.NewClient(opts)
	sub.client.Connect() // with ConnectRetry this keeps trying in the background
	go sub.loop()
	return sub, nil
}

func redact(u string) string {
	if i := strings.Index(u, "@"); i > 0 {
		if j := strings.Index(u, "://"); j >= 0 && j < i {
			return u[:j+3] + "***" + u[i:]
		}
	}
	return u
}

// handle decodes a message and buffers its readings with its acknowledgement.
func (sub *subscriber) handle(_ mqtt.Client, msg mqtt.Message) {
	sub.received.Add(1)
	device := ""
	for _, f := range sub.cfg.Topics {
		if d, ok := TopicDevice(f, msg.Topic()); ok {
			device = d
			break
		}
	}
	ts, err := DecodeTelemetry(device, msg.Payload())
	if err != nil {
		sub.bad.Add(1)
		sub.s.Log.Debug("mqtt message not decoded", "topic", msg.Topic(), "err", err)
		msg.Ack() // a malformed message never becomes valid: do not have it redelivered
		return
	}
	ctx := context.Background()
	rs, unknown := sub.codes.readings(ctx, sub.s.DB, ts, sub.s.Clock.Now())
	sub.unknown.Add(int64(unknown))
	now := sub.s.Clock.Now()
	kept := rs[:0]
	for _, r := range rs {
		if validTS(r.TS, now) {
			kept = append(kept, r)
		}
	}
	if len(kept) == 0 {
		msg.Ack()
		return
	}
	sub.mu.Lock()
	sub.pending = append(sub.pending, kept...)
	sub.acks = append(sub.acks, msg.Ack)
	sub.mu.Unlock()
}

// loop hands the buffered readings to the writer every 50 ms.
func (sub *subscriber) loop() {
	defer close(sub.done)
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			sub.flush()
		case <-sub.quit:
			sub.flush()
			return
		}
	}
}

func (sub *subscriber) flush() {
	sub.mu.Lock()
	rs, acks := sub.pending, sub.acks
	sub.pending, sub.acks = nil, nil
	sub.mu.Unlock()
	if len(rs) == 0 {
		return
	}
	b := &batch{readings: rs, actor: audit.Actor{Username: "mqtt"}, source: "mqtt", acks: acks}
	if err := sub.s.writer().submit(b); err != nil {
		sub.s.Log.Warn("mqtt readings not written (not acknowledged; the broker redelivers)", "err", err, "readings", len(rs))
	}
}

// stop disconnects (no more messages), then hands over what is buffered.
func (sub *subscriber) stop() {
	sub.client.Disconnect(250)
	close(sub.quit)
	<-sub.done
}

// MQTTStatus is what the settings page shows of the subscriber.
type MQTTStatus struct {
	Enabled bool
	// Elsewhere: a broker is configured but another instance holds the subscription (energy.mqtt lease).
	Elsewhere bool
	Connected bool
	Topics    []string
	Received  int64
	Unknown   int64
	Bad       int64
}

// MQTT reports the subscriber's state.
func (s *Service) MQTT() MQTTStatus {
	s.mu.Lock()
	sub, leased := s.mqtt, s.stopLease != nil
	s.mu.Unlock()
	if sub == nil {
		return MQTTStatus{Elsewhere: leased}
	}
	return MQTTStatus{Enabled: true, Connected: sub.client.IsConnectionOpen(), Topics: sub.cfg.Topics, Received: sub.received.Load(),
		Unknown: sub.unknown.Load(), Bad: sub.bad.Load()}
}
