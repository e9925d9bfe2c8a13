package telematics

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/telematics/jt808"
)

// The JT/T 808 gateway (docs/api.md §Vehicle telemetry, docs/domain/protocols.md §JT/T 808): one goroutine per
// terminal connection reads frames, survives junk, bad checksums and malformed frames (counted and logged, the
// connection kept), reassembles split messages, and answers each message per the standard. A location is
// acknowledged (0x8001 result 0) only after the writer has committed it (writer.go).

// GatewayConfig are the gateway's limits; zero values take the defaults.
type GatewayConfig struct {
	Addr         string
	Lenient      bool          // reports of a terminal bound to a vehicle count without registration or authentication
	MaxConns     int           // concurrent connections (default 20,000); more are closed on accept
	MaxFrame     int           // bytes of one frame on the wire (default 4,096: a 1,023-byte body fully escaped)
	MaxSplit     int           // bytes of one reassembled split message (default 256 KiB)
	IdleTimeout  time.Duration // a connection silent this long is closed (default 5 min; terminals send heartbeats)
	WriteTimeout time.Duration // to send one reply (default 10 s)
	SplitWait    time.Duration // missing packets of a split message are asked for again after this (default 30 s)
}

// Stats are the gateway's counters.
type Stats struct {
	Connections, Refused, Frames, BadChecksum, BadFrames, TooLong, Junk, Positions, Rejected, Unsupported atomic.Int64
}

// Gateway is a running JT/T 808 listener.
type Gateway struct {
	s     *Service
	cfg   GatewayConfig
	ln    net.Listener
	sem   chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	done  chan struct{}
	Stats Stats
}

// NewGateway makes a gateway with cfg's limits (not yet listening).
func (s *Service) NewGateway(cfg GatewayConfig) *Gateway {
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 20_000
	}
	if cfg.MaxFrame <= 0 {
		cfg.MaxFrame = 4096
	}
	if cfg.MaxSplit <= 0 {
		cfg.MaxSplit = 256 << 10
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 5 * time.Minute
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.SplitWait <= 0 {
		cfg.SplitWait = 30 * time.Second
	}
	return &Gateway{s: s, cfg: cfg, sem: make(chan struct{}, cfg.MaxConns), conns: map[net.Conn]struct{}{}, done: make(chan struct{})}
}

// Listen opens the listening socket.
func (g *Gateway) Listen() error {
	ln, err := net.Listen("tcp", g.cfg.Addr)
	if err != nil {
		return err
	}
	g.ln = ln
	return nil
}

// Addr is the address listened on (with the port chosen for ":0").
func (g *Gateway) Addr() net.Addr { return g.ln.Addr() }

// Serve accepts connections until Close.
func (g *Gateway) Serve() {
	for {
		c, err := g.ln.Accept()
		if err != nil {
			select {
			case <-g.done:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			g.s.Log.Error("jt808: accept", "err", err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		select {
		case g.sem <- struct{}{}:
		default:
			g.Stats.Refused.Add(1)
			_ = c.Close()
			continue
		}
		g.mu.Lock()
		g.conns[c] = struct{}{}
		g.mu.Unlock()
		g.wg.Add(1)
		g.Stats.Connections.Add(1)
		go func() {
			defer func() {
				g.mu.Lock()
				delete(g.conns, c)
				g.mu.Unlock()
				_ = c.Close()
				<-g.sem
				g.wg.Done()
			}()
			g.serveConn(c)
		}()
	}
}

// Close stops accepting, ends the connections (a reply waiting for the writer is still sent first) and waits for
// them.
func (g *Gateway) Close() {
	select {
	case <-g.done:
		return
	default:
	}
	close(g.done)
	_ = g.ln.Close()
	g.mu.Lock()
	for c := range g.conns {
		_ = c.SetReadDeadline(time.Now())
	}
	g.mu.Unlock()
	g.wg.Wait()
	g.s.Log.Info("jt808 gateway stopped", "connections", g.Stats.Connections.Load(), "frames", g.Stats.Frames.Load(),
		"positions", g.Stats.Positions.Load(), "bad_checksum", g.Stats.BadChecksum.Load(), "bad_frames", g.Stats.BadFrames.Load(),
		"junk_bytes", g.Stats.Junk.Load())
}

// session is one terminal connection's state.
type session struct {
	c        net.Conn
	remote   string
	vehicle  *org.Vehicle
	authed   bool
	zone     *time.Location
	serial   uint16
	reasm    jt808.Reassembler
	lastJunk int64
}

func (g *Gateway) serveConn(c net.Conn) {
	ss := &session{c: c, remote: c.RemoteAddr().String(), zone: jt808.GMT8}
	ss.reasm.MaxPending, ss.reasm.MaxBytes = 8, g.cfg.MaxSplit
	fr := jt808.NewReader(c, g.cfg.MaxFrame)
	var buf []byte
	for {
		_ = c.SetReadDeadline(time.Now().Add(g.cfg.IdleTimeout))
		raw, err := fr.Next()
		if d := fr.Junk - ss.lastJunk; d > 0 {
			g.Stats.Junk.Add(d)
			ss.lastJunk = fr.Junk
			g.s.Log.Debug("jt808: junk between frames", "remote", ss.remote, "bytes", d)
		}
		if errors.Is(err, jt808.ErrTooLong) {
			g.Stats.TooLong.Add(1)
			g.s.Log.Warn("jt808: frame too long, skipped", "remote", ss.remote)
			continue
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, net.ErrClosed) {
				g.s.Log.Debug("jt808: connection ends", "remote", ss.remote, "err", err)
			}
			return
		}
		g.Stats.Frames.Add(1)
		buf, err = jt808.Unescape(buf[:0], raw)
		var m jt808.Message
		if err == nil {
			m, err = jt808.Parse(buf)
		}
		if err != nil {
			if errors.Is(err, jt808.ErrChecksum) {
				g.Stats.BadChecksum.Add(1)
			} else {
				g.Stats.BadFrames.Add(1)
			}
			g.s.Log.Warn("jt808: frame dropped", "remote", ss.remote, "err", err)
			continue
		}
		if m.Split {
			whole, ok, err := ss.reasm.Add(m, time.Now())
			if err != nil {
				g.Stats.BadFrames.Add(1)
				g.s.Log.Warn("jt808: split packet dropped", "remote", ss.remote, "err", err)
				continue
			}
			if !ok {
				if !g.reply(ss, m.Header, jt808.MsgPlatformAck, jt808.AckBody(m.Serial, m.ID, jt808.ResultOK)) {
					return
				}
				for _, ms := range ss.reasm.Missing(time.Now(), g.cfg.SplitWait) {
					if !g.reply(ss, ms.Header, jt808.MsgRetransmit, jt808.RetransmitBody(ms.Header.Version2019, ms.FirstSerial, ms.Packets)) {
						return
					}
				}
				continue
			}
			m = whole
		}
		id, body := g.handle(ss, m)
		if id != 0 && !g.reply(ss, m.Header, id, body) {
			return
		}
	}
}

// reply sends a platform message to the terminal in the version of the header it answers.
func (g *Gateway) reply(ss *session, to jt808.Header, id uint16, body []byte) bool {
	h := jt808.Header{ID: id, Phone: to.Phone, Version2019: to.Version2019, ProtoVer: to.ProtoVer, Serial: ss.serial}
	ss.serial++
	_ = ss.c.SetWriteDeadline(time.Now().Add(g.cfg.WriteTimeout))
	if _, err := ss.c.Write(jt808.Encode(h, body)); err != nil {
		g.s.Log.Debug("jt808: reply not sent", "remote", ss.remote, "err", err)
		return false
	}
	return true
}

func ack(m jt808.Message, result byte) (uint16, []byte) {
	return jt808.MsgPlatformAck, jt808.AckBody(m.Serial, m.ID, result)
}

// handle answers one whole message: the reply's id and body (id 0: no reply).
func (g *Gateway) handle(ss *session, m jt808.Message) (uint16, []byte) {
	ctx := context.Background()
	if m.Encrypted() {
		g.Stats.Unsupported.Add(1)
		return ack(m, jt808.ResultUnsupported)
	}
	switch m.ID {
	case jt808.MsgHeartbeat:
		return ack(m, jt808.ResultOK)
	case jt808.MsgTerminalAck:
		return 0, nil
	case jt808.MsgLogout:
		ss.authed, ss.vehicle = false, nil
		return ack(m, jt808.ResultOK)
	case jt808.MsgRegister:
		return g.register(ctx, ss, m)
	case jt808.MsgAuthenticate:
		code, err := jt808.DecodeAuth(m.Header, m.Body)
		if err != nil {
			g.Stats.BadFrames.Add(1)
			return ack(m, jt808.ResultBadMessage)
		}
		v, err := g.authenticate(ctx, m.Phone, code)
		if err != nil {
			g.s.Log.Warn("jt808: authentication refused", "remote", ss.remote, "phone", m.Phone, "err", err)
			return ack(m, jt808.ResultFail)
		}
		g.bind(ctx, ss, v)
		ss.authed = true
		return ack(m, jt808.ResultOK)
	case jt808.MsgLocation, jt808.MsgBatchLocation:
		return g.locations(ctx, ss, m)
	}
	g.Stats.Unsupported.Add(1)
	return ack(m, jt808.ResultUnsupported)
}

// register matches the terminal to a vehicle by its phone, or else by the plate it sends, and issues an auth code
// (0x8100). Unknown terminals are refused with the standard's results: 2 no such vehicle (a plate no vehicle has),
// 4 no such terminal (a phone no vehicle has, no plate), 1 vehicle already registered (the plate's vehicle has
// another terminal).
func (g *Gateway) register(ctx context.Context, ss *session, m jt808.Message) (uint16, []byte) {
	r, err := jt808.DecodeRegister(m.Header, m.Body)
	if err != nil {
		g.Stats.BadFrames.Add(1)
		return ack(m, jt808.ResultBadMessage)
	}
	refuse := func(res byte, why string) (uint16, []byte) {
		g.Stats.Rejected.Add(1)
		g.s.Log.Warn("jt808: registration refused", "remote", ss.remote, "phone", m.Phone, "plate", r.Plate, "why", why)
		return jt808.MsgRegisterAck, jt808.RegisterAckBody(m.Serial, res, "")
	}
	plate := r.Plate
	if r.PlateColor == 0 {
		plate = "" // the field holds a VIN
	}
	v, err := g.s.Fleet.TerminalVehicle(ctx, g.s.DB, m.Phone, plate)
	if err != nil {
		if plate != "" {
			return refuse(jt808.RegNoSuchVehicle, "no vehicle with this phone or plate")
		}
		return refuse(jt808.RegNoSuchTerminal, "no vehicle with this phone")
	}
	if v.TerminalPhone != "" && jt808.NormPhone(v.TerminalPhone) != jt808.NormPhone(m.Phone) {
		return refuse(jt808.RegVehicleRegistered, "the vehicle has another terminal")
	}
	code := newCode()
	now := g.s.Clock.Now()
	err = g.s.DB.Tx(ctx, func(q db.Q) error {
		if _, err := q.Exec(ctx, `INSERT INTO telematics_terminals (vehicle_id, org_id, phone, auth_code, maker, model, terminal_code, registered_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (vehicle_id) DO UPDATE SET org_id = excluded.org_id, phone = excluded.phone,
			auth_code = excluded.auth_code, maker = excluded.maker, model = excluded.model, terminal_code = excluded.terminal_code,
			registered_at = excluded.registered_at, updated_at = excluded.updated_at`,
			v.ID, v.OrgID, jt808.NormPhone(m.Phone), code, r.Maker, r.Model, r.TerminalID, now.Unix(), now.Unix()); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, audit.Actor{Username: "jt808", IP: ss.remote}), q, now, audit.Entry{Action: "telematics.register",
			ObjectType: objTerminal, ObjectID: v.ID, OrgID: v.OrgID, Success: true, Message: "车载终端注册 " + v.Plate,
			After: map[string]any{"phone": jt808.NormPhone(m.Phone), "maker": r.Maker, "model": r.Model, "terminal_id": r.TerminalID}})
	})
	if err != nil {
		g.s.Log.Error("jt808: registration not stored", "err", err)
		return ack(m, jt808.ResultFail)
	}
	g.bind(ctx, ss, v)
	ss.authed = true
	return jt808.MsgRegisterAck, jt808.RegisterAckBody(m.Serial, jt808.RegOK, code)
}

func newCode() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// authenticate checks an auth code issued to the terminal's phone.
func (g *Gateway) authenticate(ctx context.Context, phone, code string) (org.Vehicle, error) {
	if code == "" {
		return org.Vehicle{}, errNoVehicle
	}
	var id int64
	if err := g.s.DB.QueryRow(ctx, "SELECT vehicle_id FROM telematics_terminals WHERE phone = ? AND auth_code = ?", jt808.NormPhone(phone), code).Scan(&id); err != nil {
		return org.Vehicle{}, err
	}
	return g.s.Fleet.TelematicsVehicle(ctx, g.s.DB, auth.Everything(), id)
}

// bind attaches the vehicle to the session, with its terminal's clock zone.
func (g *Gateway) bind(ctx context.Context, ss *session, v org.Vehicle) {
	ss.vehicle = &v
	var off int
	if err := g.s.DB.QueryRow(ctx, "SELECT utc_offset_min FROM telematics_terminals WHERE vehicle_id = ?", v.ID).Scan(&off); err == nil && off != 480 {
		ss.zone = time.FixedZone("terminal", off*60)
	} else {
		ss.zone = jt808.GMT8
	}
}

// locations stores a 0x0200 or 0x0704 and acknowledges it once committed. Strict mode refuses (result 1) a terminal
// that has not registered or authenticated on this connection; lenient mode takes a terminal whose phone a vehicle
// carries. An out-of-range position is answered 2 (bad message) and not stored; in a batch, the valid ones are.
func (g *Gateway) locations(ctx context.Context, ss *session, m jt808.Message) (uint16, []byte) {
	if !ss.authed || ss.vehicle == nil || jt808.NormPhone(m.Phone) != jt808.NormPhone(ss.vehiclePhone(m.Phone)) {
		if !g.cfg.Lenient {
			g.Stats.Rejected.Add(1)
			return ack(m, jt808.ResultFail)
		}
		if ss.vehicle == nil || !ss.lenientFor(m.Phone) {
			v, err := g.s.Fleet.TerminalVehicle(ctx, g.s.DB, m.Phone, "")
			if err != nil || v.TerminalPhone == "" {
				g.Stats.Rejected.Add(1)
				return ack(m, jt808.ResultFail)
			}
			g.bind(ctx, ss, v)
		}
	}
	var locs []jt808.Location
	if m.ID == jt808.MsgLocation {
		l, err := jt808.DecodeLocation(m.Body, ss.zone)
		if err == nil {
			err = l.Valid()
		}
		if err != nil {
			g.Stats.BadFrames.Add(1)
			g.s.Log.Warn("jt808: location refused", "remote", ss.remote, "err", err)
			return ack(m, jt808.ResultBadMessage)
		}
		locs = []jt808.Location{l}
	} else {
		b, err := jt808.DecodeBatch(m.Body, ss.zone)
		if err != nil {
			g.Stats.BadFrames.Add(1)
			return ack(m, jt808.ResultBadMessage)
		}
		for _, l := range b.Locations {
			if l.Valid() == nil {
				locs = append(locs, l)
			}
		}
		if len(locs) == 0 {
			return ack(m, jt808.ResultBadMessage)
		}
	}
	rows := make([]Pos, len(locs))
	for i, l := range locs {
		rows[i] = Pos{VehicleID: ss.vehicle.ID, OrgID: ss.vehicle.OrgID, L: l}
	}
	if err := g.s.Write(ctx, rows); err != nil {
		return ack(m, jt808.ResultFail)
	}
	g.Stats.Positions.Add(int64(len(rows)))
	return ack(m, jt808.ResultOK)
}

// vehiclePhone is the phone the session's vehicle was bound with (the message's own when registered by plate).
func (ss *session) vehiclePhone(msgPhone string) string {
	if ss.vehicle == nil {
		return ""
	}
	if ss.vehicle.TerminalPhone == "" {
		return msgPhone
	}
	return ss.vehicle.TerminalPhone
}

// lenientFor reports whether the session's vehicle is the one of phone.
func (ss *session) lenientFor(phone string) bool {
	return ss.vehicle != nil && jt808.NormPhone(ss.vehicle.TerminalPhone) == jt808.NormPhone(phone)
}
