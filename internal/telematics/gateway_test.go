package telematics_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/telematics"
)

const demoPassword = "Demo@2026"

// terminal is a small JT/T 808 terminal written from the standard (docs/domain/protocols.md §JT/T 808), not from
// the server's codec: it frames, escapes and checksums its own messages and reads the platform's answers.
type terminal struct {
	t      *testing.T
	c      net.Conn
	r      *bufio.Reader
	phone  string // digits
	v2019  bool
	serial uint16
}

func dial(t *testing.T, addr, phone string, v2019 bool) *terminal {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &terminal{t: t, c: c, r: bufio.NewReader(c), phone: phone, v2019: v2019}
}

func bcdDigits(s string, n int) []byte {
	s = strings.Repeat("0", 2*n-len(s)) + s
	out := make([]byte, n)
	for i := range out {
		out[i] = (s[2*i]-'0')<<4 | (s[2*i+1] - '0')
	}
	return out
}

// frame builds a message: header (2013: 12 bytes with BCD[6]; 2019: version flag, version 1, BCD[10]), body, XOR
// checksum, then 0x7e→0x7d02 and 0x7d→0x7d01 between two 0x7e.
func (tm *terminal) frame(id uint16, body []byte) ([]byte, uint16) {
	tm.serial++
	props := uint16(len(body))
	var h []byte
	h = binary.BigEndian.AppendUint16(h, id)
	if tm.v2019 {
		h = binary.BigEndian.AppendUint16(h, props|1<<14)
		h = append(h, 1)
		h = append(h, bcdDigits(tm.phone, 10)...)
	} else {
		h = binary.BigEndian.AppendUint16(h, props)
		h = append(h, bcdDigits(tm.phone, 6)...)
	}
	h = binary.BigEndian.AppendUint16(h, tm.serial)
	raw := append(h, body...)
	var x byte
	for _, b := range raw {
		x ^= b
	}
	raw = append(raw, x)
	out := []byte{0x7e}
	for _, b := range raw {
		switch b {
		case 0x7e:
			out = append(out, 0x7d, 0x02)
		case 0x7d:
			out = append(out, 0x7d, 0x01)
		default:
			out = append(out, b)
		}
	}
	return append(out, 0x7e), tm.serial
}

func (tm *terminal) send(id uint16, body []byte) uint16 {
	f, serial := tm.frame(id, body)
	tm.write(f)
	return serial
}

func (tm *terminal) write(b []byte) {
	if _, err := tm.c.Write(b); err != nil {
		tm.t.Fatal(err)
	}
}

// reply reads the platform's next message: its id and body.
func (tm *terminal) reply() (uint16, []byte) {
	tm.t.Helper()
	_ = tm.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := tm.r.ReadBytes(0x7e); err != nil {
		tm.t.Fatalf("no reply: %v", err)
	}
	wire, err := tm.r.ReadBytes(0x7e)
	if err != nil {
		tm.t.Fatalf("no reply: %v", err)
	}
	var raw []byte
	for i := 0; i < len(wire)-1; i++ {
		if wire[i] == 0x7d {
			i++
			raw = append(raw, 0x7c+wire[i]) // 01 → 7d, 02 → 7e
			continue
		}
		raw = append(raw, wire[i])
	}
	var x byte
	for _, b := range raw[:len(raw)-1] {
		x ^= b
	}
	if x != raw[len(raw)-1] {
		tm.t.Fatalf("reply checksum %x", raw)
	}
	props := binary.BigEndian.Uint16(raw[2:])
	hl := 12
	if props&(1<<14) != 0 {
		hl = 17
	}
	return binary.BigEndian.Uint16(raw), raw[hl : len(raw)-1]
}

// ack expects a 0x8001 answering serial/id and returns its result.
func (tm *terminal) ack(serial, id uint16) byte {
	tm.t.Helper()
	rid, body := tm.reply()
	if rid != 0x8001 || binary.BigEndian.Uint16(body) != serial || binary.BigEndian.Uint16(body[2:]) != id {
		tm.t.Fatalf("reply %#04x %x, want 0x8001 for serial %d id %#04x", rid, body, serial, id)
	}
	return body[4]
}

func gbk(s string) []byte {
	if s == "青A10086" { // 青 = C7E0 in GBK
		return append([]byte{0xC7, 0xE0}, "A10086"...)
	}
	return []byte(s)
}

// register sends 0x0100 (2013 layout) and returns the result and auth code of 0x8100.
func (tm *terminal) register(plate string) (byte, string) {
	tm.t.Helper()
	var b []byte
	b = binary.BigEndian.AppendUint16(b, 36)
	b = binary.BigEndian.AppendUint16(b, 100)
	b = append(b, "SIMUL"...)
	b = append(b, make([]byte, 20)...)
	copy(b[9:], "SIM-1")
	b = append(b, "T000001"...)
	if plate == "" {
		b = append(b, 0)
	} else {
		b = append(b, 2)
		b = append(b, gbk(plate)...)
	}
	serial := tm.send(0x0100, b)
	id, body := tm.reply()
	if id != 0x8100 || binary.BigEndian.Uint16(body) != serial {
		tm.t.Fatalf("register reply %#04x %x", id, body)
	}
	return body[2], string(body[3:])
}

// location is a 0x0200 body: alarm, status (ACC, fixed), lat/lon ×10⁶, altitude, speed ×10, direction, BCD time
// (GMT+8), an odometer item (0x01) and a vendor item (0xE3) to be skipped.
func location(at time.Time, lat, lon, kmh float64, odo uint32) []byte {
	var b []byte
	b = binary.BigEndian.AppendUint32(b, 0)
	b = binary.BigEndian.AppendUint32(b, 3)
	b = binary.BigEndian.AppendUint32(b, uint32(lat*1e6+0.5))
	b = binary.BigEndian.AppendUint32(b, uint32(lon*1e6+0.5))
	b = binary.BigEndian.AppendUint16(b, 42)
	b = binary.BigEndian.AppendUint16(b, uint16(kmh*10+0.5))
	b = binary.BigEndian.AppendUint16(b, 90)
	b = append(b, bcdDigits(at.In(time.FixedZone("GMT+8", 8*3600)).Format("060102150405"), 6)...)
	b = append(b, 0x01, 4)
	b = binary.BigEndian.AppendUint32(b, odo)
	b = append(b, 0xE3, 3, 0x7e, 0x7d, 0x00)
	return b
}

func startGateway(t *testing.T, env *apptest.Env, lenient bool) (*telematics.Service, string) {
	t.Helper()
	svc := apptest.Module[*telematics.Service](env)
	gw := svc.NewGateway(telematics.GatewayConfig{Addr: "127.0.0.1:0", Lenient: lenient})
	if err := gw.Listen(); err != nil {
		t.Fatal(err)
	}
	go gw.Serve()
	t.Cleanup(gw.Close)
	return svc, gw.Addr().String()
}

type vehicleRow struct {
	id           int64
	plate, phone string
}

func demoVehicle(t *testing.T, env *apptest.Env, plate string) vehicleRow {
	t.Helper()
	v := vehicleRow{plate: plate}
	if err := env.App.DB.QueryRow(context.Background(), "SELECT id, terminal_phone FROM fleet_vehicles WHERE plate = ?", plate).Scan(&v.id, &v.phone); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestGatewayEndToEnd drives the gateway over TCP with the simulated terminal: unknown terminals refused with the
// standard results, strict mode refusing reports before registration, registration by phone (BCD[6], leading
// zero), authentication with the issued code on a 2019 connection (BCD[10]), junk and a bad checksum survived,
// single and batch positions acknowledged, unknown ids answered 3, and every acknowledged position stored exactly
// once (a report sent twice included) with the right time, latitude, longitude and speed.
func TestGatewayEndToEnd(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	svc, addr := startGateway(t, env, false)
	ctx := context.Background()
	v := demoVehicle(t, env, "青A10086")
	if v.phone == "" {
		t.Fatal("demo vehicle without terminal phone")
	}
	// The demo's own positions of this vehicle are removed, so that the track below is the simulator's alone.
	for _, tbl := range []string{"telematics_positions", "telematics_trips", "telematics_alarms", "telematics_terminals"} {
		if _, err := env.App.DB.Exec(ctx, "DELETE FROM "+tbl+" WHERE vehicle_id = ?", v.id); err != nil {
			t.Fatal(err)
		}
	}
	before := env.Count(t, "SELECT COUNT(*) FROM telematics_positions WHERE vehicle_id = ?", v.id)

	stranger := dial(t, addr, "13000000001", false)
	if res, _ := stranger.register(""); res != 4 {
		t.Errorf("unknown phone, no plate: result %d, want 4 (no such terminal)", res)
	}
	if res, _ := stranger.register("青Z99999"); res != 2 {
		t.Errorf("unknown phone and plate: result %d, want 2 (no such vehicle)", res)
	}
	if res, _ := stranger.register(v.plate); res != 1 {
		t.Errorf("another terminal for a vehicle with a terminal: result %d, want 1", res)
	}

	tm := dial(t, addr, "0"+v.phone, false)
	now := env.Clock.Now().Truncate(time.Second)
	at := now.Add(-2 * time.Hour)
	s := tm.send(0x0200, location(at, 27.81, 114.41, 30, 1000))
	if res := tm.ack(s, 0x0200); res != 1 {
		t.Fatalf("location before registration: result %d, want 1 (strict)", res)
	}
	res, code := tm.register("")
	if res != 0 || code == "" {
		t.Fatalf("registration: %d %q", res, code)
	}
	s = tm.send(0x0002, nil)
	if res := tm.ack(s, 0x0002); res != 0 {
		t.Fatalf("heartbeat %d", res)
	}

	// A second connection in the 2019 header authenticates with the code (length-prefixed, IMEI, version).
	tm2 := dial(t, addr, v.phone, true)
	body := append([]byte{byte(len(code))}, code...)
	body = append(body, "860000000000001"...)
	body = append(body, make([]byte, 20)...)
	s = tm2.send(0x0102, body)
	if res := tm2.ack(s, 0x0102); res != 0 {
		t.Fatalf("authentication: %d", res)
	}
	bad := dial(t, addr, v.phone, false)
	s = bad.send(0x0102, []byte("wrong-code"))
	if res := bad.ack(s, 0x0102); res != 1 {
		t.Fatalf("wrong auth code accepted: %d", res)
	}

	type sent struct {
		at       time.Time
		lat, lon float64
		kmh      float64
	}
	var acked []sent
	for i := 0; i < 30; i++ {
		p := sent{at.Add(time.Duration(i) * 30 * time.Second), 27.81 + float64(i)*0.001, 114.41, 36 + float64(i%5)}
		c := tm
		if i%2 == 1 {
			c = tm2
		}
		if i == 10 {
			c.write([]byte("GARBAGE\x00\x01"))                  // junk between frames
			f, _ := c.frame(0x0200, location(p.at, 1, 1, 1, 1)) // a frame with a bad checksum: dropped, no reply
			f[len(f)-2] ^= 0x55
			c.write(f)
		}
		s := c.send(0x0200, location(p.at, p.lat, p.lon, p.kmh, uint32(1000+i)))
		if res := c.ack(s, 0x0200); res != 0 {
			t.Fatalf("position %d: result %d", i, res)
		}
		acked = append(acked, p)
	}
	// A batch (0x0704, blind-area back-fill) of three, one of them a repeat of an acknowledged report.
	var batch []byte
	batch = binary.BigEndian.AppendUint16(batch, 3)
	batch = append(batch, 1)
	for i, p := range []sent{{at.Add(-3 * time.Minute), 27.80, 114.41, 0}, {at.Add(-2 * time.Minute), 27.805, 114.41, 20}, acked[0]} {
		loc := location(p.at, p.lat, p.lon, p.kmh, uint32(900+i))
		batch = binary.BigEndian.AppendUint16(batch, uint16(len(loc)))
		batch = append(batch, loc...)
		if i < 2 {
			acked = append(acked, p)
		}
	}
	s = tm2.send(0x0704, batch)
	if res := tm2.ack(s, 0x0704); res != 0 {
		t.Fatalf("batch: %d", res)
	}
	// The synthetic swapped latitude of the public vectors: refused as a bad message, not stored.
	s = tm.send(0x0200, location(at.Add(time.Hour), 116.307629, 40.058359, 10, 1))
	if res := tm.ack(s, 0x0200); res != 2 {
		t.Errorf("latitude 116: result %d, want 2", res)
	}
	s = tm.send(0x0900, []byte{1, 2, 3})
	if res := tm.ack(s, 0x0900); res != 3 {
		t.Errorf("unknown id: result %d, want 3", res)
	}
	s = tm.send(0x0003, nil)
	if res := tm.ack(s, 0x0003); res != 0 {
		t.Errorf("logout: %d", res)
	}
	s = tm.send(0x0200, location(at.Add(2*time.Hour), 27.9, 114.4, 10, 1))
	if res := tm.ack(s, 0x0200); res != 1 {
		t.Errorf("after logout: result %d, want 1", res)
	}

	// Every acknowledged position is stored, once.
	if got := env.Count(t, "SELECT COUNT(*) FROM telematics_positions WHERE vehicle_id = ?", v.id) - before; got != int64(len(acked)) {
		t.Fatalf("%d positions stored, %d acknowledged", got, len(acked))
	}
	api := env.API("fleet", demoPassword)
	var out struct {
		Items []struct {
			Time       string   `json:"time"`
			Lat        float64  `json:"lat"`
			Lon        float64  `json:"lon"`
			SpeedKmh   float64  `json:"speed_kmh"`
			AltitudeM  int      `json:"altitude_m"`
			Direction  int      `json:"direction"`
			Status     int64    `json:"status_flags"`
			OdometerKm *float64 `json:"odometer_km"`
		} `json:"items"`
		Total int64 `json:"total"`
	}
	from, to := at.Add(-5*time.Minute).In(clock.Shanghai).Format(time.RFC3339), at.Add(20*time.Minute).In(clock.Shanghai).Format(time.RFC3339)
	path := fmt.Sprintf("/api/v1/vehicles/%d/positions?from=%s&to=%s&page_size=500", v.id, strings.ReplaceAll(from, "+", "%2B"), strings.ReplaceAll(to, "+", "%2B"))
	if st := api.JSON("GET", path, nil, &out); st != 200 || out.Total != int64(len(acked)) {
		t.Fatalf("positions API: %d, %d items of %d", st, out.Total, len(acked))
	}
	want := map[string]sent{}
	for _, p := range acked {
		want[p.at.In(clock.Shanghai).Format(time.RFC3339)] = p
	}
	for i, it := range out.Items {
		p, ok := want[it.Time]
		if !ok || math.Abs(it.Lat-p.lat) > 1e-6 || math.Abs(it.Lon-p.lon) > 1e-6 || math.Abs(it.SpeedKmh-p.kmh) > 1e-6 || it.AltitudeM != 42 || it.Direction != 90 || it.Status != 3 || it.OdometerKm == nil {
			t.Errorf("item %d %+v, sent %+v", i, it, p)
		}
		if i > 0 && it.Time < out.Items[i-1].Time {
			t.Errorf("not in time order at %d", i)
		}
	}
	// The trip the positions make, after derivation.
	if err := svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	var trips struct {
		Items []struct {
			StartTime  string  `json:"start_time"`
			EndTime    string  `json:"end_time"`
			DistanceKm float64 `json:"distance_km"`
			MaxSpeed   float64 `json:"max_speed_kmh"`
			Request    *int64  `json:"trip_request_id"`
		} `json:"items"`
	}
	if st := api.JSON("GET", fmt.Sprintf("/api/v1/vehicles/%d/trips?from=%s&to=%s", v.id, at.Add(-time.Hour).In(clock.Shanghai).Format(time.DateOnly),
		at.In(clock.Shanghai).Format(time.DateOnly)), nil, &trips); st != 200 || len(trips.Items) == 0 {
		t.Fatalf("trips: %d %+v", st, trips)
	}
	// From the back-filled 27.800 to 27.839 due north: 0.039° of latitude, 4.337 km.
	if tr := trips.Items[len(trips.Items)-1]; math.Abs(tr.DistanceKm-0.039*111.195) > 0.01 || tr.MaxSpeed != 40 {
		t.Errorf("trip %+v, want %.3f km at up to 40 km/h", tr, 0.039*111.195)
	}
}

// TestLenientMode: a terminal whose phone a vehicle carries reports without registering; an unknown one is refused.
func TestLenientMode(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	_, addr := startGateway(t, env, true)
	v := demoVehicle(t, env, "青A10086")
	tm := dial(t, addr, v.phone, true)
	at := env.Clock.Now().Add(-time.Hour)
	s := tm.send(0x0200, location(at, 27.8, 114.4, 0, 1))
	if res := tm.ack(s, 0x0200); res != 0 {
		t.Fatalf("lenient location: %d", res)
	}
	if n := env.Count(t, "SELECT COUNT(*) FROM telematics_positions WHERE vehicle_id = ? AND t = ?", v.id, at.Unix()); n != 1 {
		t.Fatalf("stored %d", n)
	}
	other := dial(t, addr, "13000000009", false)
	s = other.send(0x0200, location(at, 27.8, 114.4, 0, 1))
	if res := other.ack(s, 0x0200); res != 1 {
		t.Fatalf("unknown terminal in lenient mode: %d", res)
	}
}
