package energy

import (
	"context"
	"errors"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// The telemetry path (docs/architecture.md §Telemetry path): decoder (readings.go, mqtt.go) → a batch handed to the
// single writer → the writer groups the batches waiting, writes them with multi-row INSERT … ON CONFLICT DO NOTHING
// in one transaction together with the roll-up queue marks and one audit entry per batch, commits, and only then
// answers the HTTP request or acknowledges the MQTT message. Between batches it works off the roll-up queue.

// maxFlush bounds the readings written in one transaction.
const maxFlush = 100_000

// insertChunk is the rows per INSERT statement (3 parameters each; SQLite allows 32,766).
const insertChunk = 5000

// batch is one unit of work for the writer: validated readings and whom to tell when they are durable.
type batch struct {
	readings []Reading
	actor    audit.Actor
	source   string // api | mqtt | demo
	orgID    int64  // the unit of the audit entry when all readings belong to one unit
	done     chan batchResult
	acks     []func() // MQTT acknowledgements, called after commit
}

type batchResult struct {
	inserted int
	err      error
}

type syncReq struct {
	deadline time.Time
	upTo     int64 // roll up at least the queue marks with seq ≤ upTo (0: everything)
	done     chan error
}

// writer is the single goroutine that writes readings and roll-ups.
type writer struct {
	s       *Service
	in      chan *batch
	syncs   chan syncReq
	kick    chan struct{}
	quit    chan struct{}
	stopped chan struct{}
	mu      sync.Mutex
	closed  bool
}

// writer returns the running writer, starting it on first use (tests and tools that never call Start still
// ingest).
func (s *Service) writer() *writer {
	s.writerOnce.Do(func() {
		s.w = &writer{s: s, in: make(chan *batch, 256), syncs: make(chan syncReq, 16), kick: make(chan struct{}, 1),
			quit: make(chan struct{}), stopped: make(chan struct{})}
		go s.w.loop()
		s.w.nudge()
	})
	return s.w
}

func (s *Service) kickRollups() {
	if s.w != nil {
		s.w.nudge()
	}
}

func (w *writer) nudge() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

var errStopping = errs.New(errs.CodeInternal, "能耗数据写入服务正在停止，请稍后重试")

// submit hands a batch to the writer without waiting.
func (w *writer) submit(b *batch) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errStopping
	}
	w.in <- b
	return nil
}

// write hands a batch to the writer and waits until it is durable (or ctx ends: the batch is still written).
func (w *writer) write(ctx context.Context, b *batch) (int, error) {
	b.done = make(chan batchResult, 1)
	if err := w.submit(b); err != nil {
		return 0, err
	}
	select {
	case r := <-b.done:
		return r.inserted, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// sync waits until the roll-up queue holds no mark with seq ≤ upTo (0: until it is empty) or max has passed.
func (w *writer) sync(ctx context.Context, upTo int64, max time.Duration) error {
	req := syncReq{deadline: time.Now().Add(max), upTo: upTo, done: make(chan error, 1)}
	select {
	case w.syncs <- req:
	case <-w.stopped:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-w.stopped:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stop writes what is waiting and ends the writer.
func (w *writer) stop(ctx context.Context) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	close(w.quit)
	w.mu.Unlock()
	select {
	case <-w.stopped:
	case <-ctx.Done():
	}
}

func (w *writer) loop() {
	defer close(w.stopped)
	ctx := audit.WithActor(context.Background(), audit.Actor{Username: "system"})
	rollupsPending := true
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		// Batches first: they have someone waiting.
		select {
		case b := <-w.in:
			w.flush(ctx, w.collect(b))
			rollupsPending = true
			continue
		default:
		}
		select {
		case req := <-w.syncs:
			req.done <- w.drain(ctx, req)
			continue
		default:
		}
		if rollupsPending {
			t0 := time.Now()
			n, err := w.s.rollupQueued(ctx, 50)
			if n > 0 {
				w.s.Log.Debug("energy roll-up", "meters", n, "ms", time.Since(t0).Milliseconds())
			}
			if err != nil {
				w.s.Log.Error("energy roll-up failed", "err", err)
				rollupsPending = false // retried on the next tick
			} else {
				rollupsPending = n == 50
			}
			continue
		}
		select {
		case b := <-w.in:
			w.flush(ctx, w.collect(b))
			rollupsPending = true
		case req := <-w.syncs:
			req.done <- w.drain(ctx, req)
		case <-w.kick:
			rollupsPending = true
		case <-tick.C:
			rollupsPending = true
		case <-w.quit:
			// Write whatever was handed over before the stop; roll-ups resume from the durable queue next start.
			for {
				select {
				case b := <-w.in:
					w.flush(ctx, w.collect(b))
				default:
					return
				}
			}
		}
	}
}

// drain works off the roll-up queue until what the request waits for is done or its deadline passes, still
// writing batches first.
func (w *writer) drain(ctx context.Context, req syncReq) error {
	for time.Now().Before(req.deadline) {
		select {
		case b := <-w.in:
			w.flush(ctx, w.collect(b))
			continue
		default:
		}
		if req.upTo > 0 {
			n, err := db.Count(ctx, w.s.DB, "SELECT COUNT(*) FROM energy_rollup_queue WHERE seq <= ?", req.upTo)
			if err != nil || n == 0 {
				return err
			}
		}
		n, err := w.s.rollupQueued(ctx, 200)
		if err != nil || n == 0 {
			return err
		}
	}
	return nil
}

// collect takes more waiting batches, up to maxFlush readings.
func (w *writer) collect(first *batch) []*batch {
	bs := []*batch{first}
	n := len(first.readings)
	for n < maxFlush {
		select {
		case b := <-w.in:
			bs = append(bs, b)
			n += len(b.readings)
		default:
			return bs
		}
	}
	return bs
}

// flush writes batches in one transaction, then answers each.
func (w *writer) flush(ctx context.Context, bs []*batch) {
	now := w.s.Clock.Now()
	t0 := time.Now()
	defer func() {
		n := 0
		for _, b := range bs {
			n += len(b.readings)
		}
		w.s.Log.Debug("energy readings written", "batches", len(bs), "readings", n, "ms", time.Since(t0).Milliseconds())
	}()
	inserted := make([]int, len(bs))
	// The same reading sent to two instances (a collector retrying through the load balancer) can make their
	// writers' transactions wait for each other's rows; PostgreSQL then aborts one, which is simply run again.
	var err error
	for attempt := 1; ; attempt++ {
		err = w.writeTx(ctx, bs, inserted, now)
		if !db.IsDeadlock(err) || attempt == 3 {
			break
		}
		w.s.Log.Warn("energy readings write deadlocked, retrying", "attempt", attempt)
	}
	if err != nil {
		w.s.Log.Error("energy readings write failed", "err", err, "batches", len(bs))
	}
	took := time.Since(t0)
	defer yieldLock(took, 0.25) // after answering: others may write too
	for i, b := range bs {
		if b.done != nil {
			b.done <- batchResult{inserted: inserted[i], err: err}
		}
		if err == nil {
			for _, ack := range b.acks {
				ack()
			}
		}
	}
}

// writeTx is flush's transaction: the readings of every batch, one audit entry per batch (one for all MQTT
// batches), the roll-up queue marks; inserted receives each batch's count of new rows.
func (w *writer) writeTx(ctx context.Context, bs []*batch, inserted []int, now time.Time) error {
	return w.s.DB.Tx(ctx, func(q db.Q) error {
		dirty := map[int64]int64{}
		var mqttCount, mqttNew int
		for i, b := range bs {
			n, err := insertReadings(ctx, q, b.readings)
			if err != nil {
				return err
			}
			inserted[i] = n
			for _, r := range b.readings {
				if f, ok := dirty[r.MeterID]; !ok || r.TS < f {
					dirty[r.MeterID] = r.TS
				}
			}
			if b.source == "mqtt" {
				mqttCount += len(b.readings)
				mqttNew += n
				continue
			}
			if err := audit.Record(audit.WithActor(ctx, b.actor), q, now, audit.Entry{Action: "energy.readings", ObjectType: "energy_readings",
				ObjectKey: b.source, OrgID: b.orgID, Success: true,
				Extra: map[string]any{"source": b.source, "received": len(b.readings), "inserted": n, "meters": meterCount(b.readings)}}); err != nil {
				return err
			}
		}
		if mqttCount > 0 {
			if err := audit.Record(audit.WithActor(ctx, audit.Actor{Username: "mqtt"}), q, now, audit.Entry{Action: "energy.readings",
				ObjectType: "energy_readings", ObjectKey: "mqtt", Success: true,
				Extra: map[string]any{"source": "mqtt", "received": mqttCount, "inserted": mqttNew}}); err != nil {
				return err
			}
		}
		return markDirty(ctx, q, dirty)
	})
}

func meterCount(rs []Reading) int {
	seen := map[int64]bool{}
	for _, r := range rs {
		seen[r.MeterID] = true
	}
	return len(seen)
}

// insertReadings writes readings (sorted by meter and instant for B-tree locality) with multi-row inserts; the
// same (meter, ts) again is a no-op. It returns the count of new rows.
func insertReadings(ctx context.Context, q db.Q, rs []Reading) (int, error) {
	if len(rs) == 0 {
		return 0, nil
	}
	sorted := append([]Reading(nil), rs...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].MeterID != sorted[j].MeterID {
			return sorted[i].MeterID < sorted[j].MeterID
		}
		return sorted[i].TS < sorted[j].TS
	})
	// The values are numbers this program formatted (ids, Unix seconds, finite floats), so they are written as
	// SQL literals: binding 15,000 parameters through database/sql costs more than SQLite parsing the text.
	total := 0
	buf := make([]byte, 0, insertChunk*40)
	for start := 0; start < len(sorted); start += insertChunk {
		part := sorted[start:min(start+insertChunk, len(sorted))]
		buf = append(buf[:0], "INSERT INTO energy_readings (meter_id, ts, value) VALUES "...)
		for i, r := range part {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, '(')
			buf = strconv.AppendInt(buf, r.MeterID, 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, r.TS, 10)
			buf = append(buf, ',')
			buf = appendReal(buf, r.Value)
			buf = append(buf, ')')
		}
		buf = append(buf, " ON CONFLICT (meter_id, ts) DO NOTHING"...)
		res, err := q.Exec(ctx, string(buf))
		if err != nil {
			return total, err
		}
		total += int(db.RowsAffected(res))
	}
	return total, nil
}

// appendReal writes a finite float as a SQL literal that reads back as the same float64.
func appendReal(b []byte, v float64) []byte {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		b = strconv.AppendFloat(b, v, 'f', -1, 64)
		return append(b, ".0"...) // a REAL literal, not an INTEGER
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// MQTTLease names the lease (jobs.Runner.Exclusive) that the one subscribing instance holds.
const MQTTLease = "energy.mqtt"

// Start begins background work: the writer (also started on first use) and, when MQTTURL is set, the MQTT
// subscriber. App.Start calls it. With several instances on one database only the holder of the lease
// MQTTLease subscribes, so each message is taken once (readings are idempotent anyway, but twice the work and the
// brokers' fight over one client id are not); when it stops or dies, another instance takes the lease and
// reconnects with the same client id, so the broker hands it what the persistent session kept meanwhile.
func (s *Service) Start(ctx context.Context) error {
	s.writer()
	// A database with figures from before the kept sums (sums.go) gets them now; later changes keep them.
	if err := s.reconcileSums(ctx); err != nil {
		s.Log.Error("energy sums not rebuilt", "err", err)
	}
	if s.Options.MQTTURL == "" {
		return nil
	}
	stop := s.Jobs.Exclusive(MQTTLease, func(ctx context.Context) {
		if err := s.StartMQTT(ctx, s.Options.MQTTURL); err != nil {
			s.Log.Error("mqtt subscriber not started", "err", err)
			return
		}
		<-ctx.Done()
		s.StopMQTT()
	})
	s.mu.Lock()
	s.stopLease = stop
	s.mu.Unlock()
	return nil
}

// StartMQTT starts the subscriber on the broker at url with the settings in energy.mqtt (topics, client id, QoS);
// it keeps reconnecting in the background. A running subscriber is replaced.
func (s *Service) StartMQTT(ctx context.Context, url string) error {
	s.StopMQTT()
	sub, err := s.newSubscriber(ctx, url)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.mqtt = sub
	s.mu.Unlock()
	return nil
}

// StopMQTT disconnects the subscriber after handing what it buffered to the writer (messages not yet committed
// are not acknowledged: the broker redelivers them to the persistent session).
func (s *Service) StopMQTT() {
	s.mu.Lock()
	sub := s.mqtt
	s.mqtt = nil
	s.mu.Unlock()
	if sub != nil {
		sub.stop()
	}
}

// Stop stops receiving (MQTT), writes the readings already handed over and stops the writer. Roll-ups still queued
// are durable and resume at the next start.
func (s *Service) Stop(ctx context.Context) {
	s.mu.Lock()
	stop := s.stopLease
	s.stopLease = nil
	s.mu.Unlock()
	if stop != nil {
		stop() // stops the subscriber and releases the lease
	}
	s.StopMQTT()
	if s.w != nil {
		s.w.stop(ctx)
	}
}

// WaitRollups waits (up to RollupWait) for the roll-ups queued before the call, so figures read right after
// readings were posted include them; marks queued later (a collector still sending) do not hold the reader up.
func (s *Service) WaitRollups(ctx context.Context) {
	upTo, err := db.Count(ctx, s.DB, "SELECT COALESCE(MAX(seq), 0) FROM energy_rollup_queue")
	if err != nil || upTo == 0 {
		return
	}
	if err := s.writer().sync(ctx, upTo, s.RollupWait); err != nil && !errors.Is(err, context.Canceled) {
		s.Log.Warn("energy roll-up wait", "err", err)
	}
}
