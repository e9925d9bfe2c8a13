package telematics

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/telematics/jt808"
)

// The durability path (docs/architecture.md §Telemetry path, README §车载终端接入): the gateway decodes a location
// and hands it to the one writer goroutine with a channel to wait on; the writer takes every batch waiting (group
// commit), writes them with multi-row INSERT … ON CONFLICT DO NOTHING in one transaction together with the latest
// positions, the vehicle-days to derive again and one audit entry, commits, and only then answers each waiting
// connection, which only then sends the terminal its 0x8001. A position acknowledged is therefore committed; one
// never acknowledged may be lost, and the terminal sends it again (a report sent twice is stored once: the key is
// vehicle and device time). Waiting batches are committed within one transaction's time of arriving (at most
// maxFlush positions per transaction); Stop commits everything handed over before it returns.

// maxFlush bounds the positions written in one transaction; insertChunk the rows per INSERT (12 parameters each).
const (
	maxFlush    = 20_000
	insertChunk = 2_000
)

// Pos is a decoded position of a vehicle.
type Pos struct {
	VehicleID, OrgID int64
	L                jt808.Location
}

type wbatch struct {
	rows []Pos
	done chan error
}

type writer struct {
	s       *Service
	in      chan *wbatch
	kick    chan chan error
	quit    chan struct{}
	stopped chan struct{}
	mu      sync.Mutex
	closed  bool
	// Committed counts the positions committed (duplicates included), Flushes the transactions.
	committed, flushes atomic.Int64
}

// deriveEvery is how often the writer works off the vehicle-days to derive when no batch is waiting.
const deriveEvery = 2 * time.Second

var errStopping = errs.New(errs.CodeInternal, "车辆定位写入服务正在停止")

func (s *Service) writer() *writer {
	s.writerOnce.Do(func() {
		s.w = &writer{s: s, in: make(chan *wbatch, 1024), kick: make(chan chan error), quit: make(chan struct{}), stopped: make(chan struct{})}
		go s.w.loop()
	})
	return s.w
}

// Write hands positions to the writer and waits until they are committed (the gateway acknowledges after this).
func (s *Service) Write(ctx context.Context, rows []Pos) error {
	if len(rows) == 0 {
		return nil
	}
	w := s.writer()
	b := &wbatch{rows: rows, done: make(chan error, 1)}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return errStopping
	}
	w.in <- b
	w.mu.Unlock()
	select {
	case err := <-b.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Sync waits until everything handed over is committed and every vehicle-day waiting is derived (tests, the demo).
func (s *Service) Sync(ctx context.Context) error {
	w := s.writer()
	done := make(chan error, 1)
	select {
	case w.kick <- done:
	case <-w.stopped:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *writer) loop() {
	defer close(w.stopped)
	ctx := audit.WithActor(context.Background(), audit.Actor{Username: "jt808"})
	tick := time.NewTicker(deriveEvery)
	defer tick.Stop()
	for {
		select {
		case b := <-w.in:
			w.flushFrom(ctx, b)
		case done := <-w.kick:
			w.drain(ctx)
			done <- w.s.deriveAll(ctx)
		case <-tick.C:
			if err := w.s.derivePending(ctx, 200); err != nil {
				w.s.Log.Error("telematics: derive", "err", err)
			}
		case <-w.quit:
			w.drain(ctx)
			if err := w.s.derivePending(ctx, 1000); err != nil {
				w.s.Log.Error("telematics: derive", "err", err)
			}
			return
		}
	}
}

// drain commits every batch waiting.
func (w *writer) drain(ctx context.Context) {
	for {
		select {
		case b := <-w.in:
			w.flushFrom(ctx, b)
		default:
			return
		}
	}
}

// flushFrom commits b and whatever else is waiting, up to maxFlush positions, and answers them.
func (w *writer) flushFrom(ctx context.Context, first *wbatch) {
	bs := []*wbatch{first}
	n := len(first.rows)
more:
	for n < maxFlush {
		select {
		case b := <-w.in:
			bs = append(bs, b)
			n += len(b.rows)
		default:
			break more
		}
	}
	err := w.flush(ctx, bs, n)
	if err != nil {
		w.s.Log.Error("telematics: position batch not written", "positions", n, "err", err)
	} else {
		w.committed.Add(int64(n))
		w.flushes.Add(1)
	}
	for _, b := range bs {
		b.done <- err
	}
}

func (w *writer) flush(ctx context.Context, bs []*wbatch, n int) error {
	now := w.s.Clock.Now()
	rows := make([]Pos, 0, n)
	for _, b := range bs {
		rows = append(rows, b.rows...)
	}
	latest := map[int64]Pos{}
	type vd struct{ v, d int64 }
	days := map[vd]bool{}
	for _, p := range rows {
		if l, ok := latest[p.VehicleID]; !ok || p.L.Time.After(l.L.Time) {
			latest[p.VehicleID] = p
		}
		days[vd{p.VehicleID, dayOf(p.L.Time.Unix())}] = true
	}
	return w.s.DB.Tx(ctx, func(q db.Q) error {
		for i := 0; i < len(rows); i += insertChunk {
			chunk := rows[i:min(i+insertChunk, len(rows))]
			var sb strings.Builder
			sb.WriteString(`INSERT INTO telematics_positions (vehicle_id, t, lat, lon, speed_kmh, direction, altitude_m, alarm_flags, status_flags,
				odometer_km, received_at) VALUES `)
			args := make([]any, 0, len(chunk)*11)
			for j, p := range chunk {
				if j > 0 {
					sb.WriteString(",")
				}
				sb.WriteString("(?,?,?,?,?,?,?,?,?,?,?)")
				var odo any
				if p.L.HasOdometer {
					odo = p.L.OdometerKm
				}
				args = append(args, p.VehicleID, p.L.Time.Unix(), p.L.Lat, p.L.Lon, p.L.SpeedKmh, p.L.Direction, p.L.AltitudeM,
					int64(p.L.Alarm), int64(p.L.Status), odo, now.Unix())
			}
			sb.WriteString(" ON CONFLICT (vehicle_id, t) DO NOTHING")
			if _, err := q.Exec(ctx, sb.String(), args...); err != nil {
				return err
			}
		}
		for _, p := range latest {
			if _, err := q.Exec(ctx, `INSERT INTO telematics_latest (vehicle_id, org_id, t, lat, lon, speed_kmh, direction, alarm_flags, status_flags, received_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (vehicle_id) DO UPDATE SET org_id = excluded.org_id, t = excluded.t, lat = excluded.lat,
				lon = excluded.lon, speed_kmh = excluded.speed_kmh, direction = excluded.direction, alarm_flags = excluded.alarm_flags,
				status_flags = excluded.status_flags, received_at = excluded.received_at WHERE excluded.t >= telematics_latest.t`,
				p.VehicleID, p.OrgID, p.L.Time.Unix(), p.L.Lat, p.L.Lon, p.L.SpeedKmh, p.L.Direction, int64(p.L.Alarm), int64(p.L.Status), now.Unix()); err != nil {
				return err
			}
		}
		for k := range days {
			if _, err := q.Exec(ctx, "INSERT INTO telematics_dirty (vehicle_id, day_at) VALUES (?, ?) ON CONFLICT DO NOTHING", k.v, k.d); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "telematics.positions", ObjectType: objPosition, ObjectKey: "jt808", Success: true,
			Message: "写入车辆定位", Extra: map[string]any{"positions": len(rows), "vehicles": len(latest)}})
	})
}

// stop commits everything handed over and ends the writer.
func (w *writer) stop(ctx context.Context) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	w.mu.Unlock()
	close(w.quit)
	select {
	case <-w.stopped:
	case <-ctx.Done():
	}
}

// dayOf is the Unix second of the Beijing midnight starting t's day.
func dayOf(t int64) int64 {
	x := time.Unix(t, 0).In(clock.Shanghai)
	return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, clock.Shanghai).Unix()
}

// Start begins the writer and, when --jt808-addr is set, the gateway.
func (s *Service) Start(ctx context.Context) error {
	s.writer()
	if s.Options.JT808Addr == "" {
		return nil
	}
	gw := s.NewGateway(GatewayConfig{Addr: s.Options.JT808Addr, Lenient: s.Options.JT808Auth == "lenient"})
	if err := gw.Listen(); err != nil {
		return err
	}
	s.gw = gw
	s.Log.Info("JT/T 808 gateway listening", "addr", gw.Addr().String())
	go gw.Serve()
	return nil
}

// Stop closes the gateway (no new positions), then commits what the writer holds.
func (s *Service) Stop(ctx context.Context) {
	if s.gw != nil {
		s.gw.Close()
	}
	if s.w != nil {
		s.w.stop(ctx)
	}
}

var errNoVehicle = errors.New("telematics: no vehicle")
