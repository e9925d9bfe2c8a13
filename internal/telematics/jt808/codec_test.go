package jt808

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The shared vectors (testdata/README.md): every frame parses, round-trips byte for byte through Encode, and the
// fields an independent decode recorded come out the same.

type vector struct {
	source, hex, id string
	want            map[string]string
}

func readTSV(t testing.TB, name string, hexCol, idCol, wantCol int) []vector {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []vector
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) <= wantCol {
			continue
		}
		v := vector{source: cols[0], hex: cols[hexCol], want: map[string]string{}}
		if idCol >= 0 {
			v.id = cols[idCol]
		}
		for _, kv := range strings.Split(cols[wantCol], ";") {
			if k, val, ok := strings.Cut(strings.TrimSpace(kv), "="); ok {
				v.want[strings.TrimPrefix(k, "0x0200 ")] = val
				if f := strings.Fields(k); len(f) == 2 { // "0x0200 checksum_ok"
					v.want[f[1]] = val
				}
			}
		}
		out = append(out, v)
	}
	return out
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("hex %q: %v", s, err)
	}
	return b
}

func near(a float64, s string) bool {
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "km/h"), 64)
	return err == nil && math.Abs(a-f) < 1e-6
}

// checkHeader compares the header with the recorded decode.
func checkHeader(t *testing.T, m Message, w map[string]string) {
	t.Helper()
	if w["checksum_ok"] != "1" {
		t.Fatalf("vector not marked checksum_ok")
	}
	if got := strings.HasPrefix(w["version"], "2019"); got != m.Version2019 {
		t.Errorf("version2019 = %v, recorded %s", m.Version2019, w["version"])
	}
	if m.Phone != w["phone_bcd"] {
		t.Errorf("phone = %s, recorded %s", m.Phone, w["phone_bcd"])
	}
	if strconv.Itoa(int(m.Serial)) != w["seq"] {
		t.Errorf("serial = %d, recorded %s", m.Serial, w["seq"])
	}
	if strconv.Itoa(m.BodyLen()) != w["body_len_hdr"] {
		t.Errorf("body length = %d, recorded %s", m.BodyLen(), w["body_len_hdr"])
	}
}

func checkLocation(t *testing.T, l Location, w map[string]string) {
	t.Helper()
	if a, err := strconv.ParseUint(strings.TrimPrefix(w["alarm"], "0x"), 16, 32); err != nil || uint32(a) != l.Alarm {
		t.Errorf("alarm = %#x, recorded %s", l.Alarm, w["alarm"])
	}
	if s, err := strconv.ParseUint(strings.TrimPrefix(w["status"], "0x"), 16, 32); err != nil || uint32(s) != l.Status {
		t.Errorf("status = %#x, recorded %s", l.Status, w["status"])
	}
	if !near(l.Lat, w["lat"]) || !near(l.Lon, w["lon"]) || !near(l.SpeedKmh, w["speed_kmh"]) {
		t.Errorf("lat/lon/speed = %v/%v/%v, recorded %s/%s/%s", l.Lat, l.Lon, l.SpeedKmh, w["lat"], w["lon"], w["speed_kmh"])
	}
	if strconv.Itoa(l.AltitudeM) != w["alt_m"] || strconv.Itoa(l.Direction) != w["dir"] {
		t.Errorf("altitude/direction = %d/%d, recorded %s/%s", l.AltitudeM, l.Direction, w["alt_m"], w["dir"])
	}
	if l.Time.Format(time.RFC3339) != w["time_gmt8"] {
		t.Errorf("time = %s, recorded %s", l.Time.Format(time.RFC3339), w["time_gmt8"])
	}
	if v, ok := w["x01_mileage_km"]; ok && (!l.HasOdometer || !near(l.OdometerKm, v)) {
		t.Errorf("odometer = %v, recorded %s", l.OdometerKm, v)
	}
	if v, ok := w["x02_fuel_L"]; ok && (!l.HasFuel || !near(l.FuelL, v)) {
		t.Errorf("fuel = %v, recorded %s", l.FuelL, v)
	}
	if v := w["tlv_ids"]; v != "" {
		var ids []string
		for _, id := range l.Items {
			ids = append(ids, hex.EncodeToString([]byte{id}))
		}
		if strings.Join(ids, ",") != v {
			t.Errorf("additional items = %v, recorded %s", ids, v)
		}
	}
	if strings.Contains(w["lat"], "116.3") && l.Valid() == nil {
		t.Errorf("swapped latitude %v passed the range check", l.Lat)
	}
}

func TestGoJT808Vectors(t *testing.T) {
	vs := readTSV(t, "jt808-gojt808-vectors.tsv", 2, 3, 5)
	if len(vs) < 40 {
		t.Fatalf("%d vectors", len(vs))
	}
	for _, v := range vs {
		t.Run(v.source+"/"+v.id, func(t *testing.T) {
			wire := unhex(t, v.hex)
			m, err := DecodeWire(wire)
			if err != nil {
				t.Fatal(err)
			}
			if "0x"+hex.EncodeToString([]byte{byte(m.ID >> 8), byte(m.ID)}) != v.id {
				t.Fatalf("id %#04x, recorded %s", m.ID, v.id)
			}
			checkHeader(t, m, v.want)
			if got := Encode(m.Header, m.Body); !bytes.Equal(got, wire) {
				t.Errorf("re-encoded\n%x\nwant\n%x", got, wire)
			}
			w := v.want
			switch m.ID {
			case MsgRegister:
				r, err := DecodeRegister(m.Header, m.Body)
				if err != nil {
					t.Fatal(err)
				}
				if strconv.Itoa(int(r.Province)) != w["province"] || strconv.Itoa(int(r.City)) != w["city"] {
					t.Errorf("province/city = %d/%d", r.Province, r.City)
				}
				if r.Plate == "" {
					t.Errorf("no plate: %+v", r)
				}
			case MsgAuthenticate:
				code, err := DecodeAuth(m.Header, m.Body)
				if err != nil || code == "" {
					t.Fatalf("auth code %q: %v", code, err)
				}
				if a := w["auth_body_ascii"]; a != "" && a != code {
					t.Errorf("auth code %q, recorded %q", code, a)
				}
			case MsgLocation:
				l, err := DecodeLocation(m.Body, nil)
				if err != nil {
					t.Fatal(err)
				}
				checkLocation(t, l, w)
			case MsgBatchLocation:
				b, err := DecodeBatch(m.Body, nil)
				if err != nil {
					t.Fatal(err)
				}
				if strconv.Itoa(len(b.Locations)) != w["batch_count"] || b.Backfill != (w["batch_type"] == "1") {
					t.Errorf("batch of %d (backfill %v), recorded %s/%s", len(b.Locations), b.Backfill, w["batch_count"], w["batch_type"])
				}
				for i, item := range strings.Split(w["batch_items"], ";") {
					f := strings.Split(strings.TrimSpace(item), "|")
					if l := b.Locations[i]; len(f) != 4 || l.Time.Format(time.RFC3339) != f[0] || !near(l.Lat, f[1]) || !near(l.Lon, f[2]) || !near(l.SpeedKmh, f[3]) {
						t.Errorf("item %d = %+v, recorded %s", i, l, item)
					}
				}
			case MsgPlatformAck:
				if m.BodyLen() == 0 {
					return
				}
				rs, _ := strconv.Atoi(w["resp_seq"])
				rid, _ := strconv.ParseUint(strings.TrimPrefix(w["resp_id"], "0x"), 16, 16)
				res, _ := strconv.Atoi(w["result"])
				if got := AckBody(uint16(rs), uint16(rid), byte(res)); !bytes.Equal(got, m.Body) {
					t.Errorf("ack body %x, want %x", got, m.Body)
				}
			case MsgRegisterAck:
				if m.BodyLen() == 0 {
					return
				}
				rs, _ := strconv.Atoi(w["resp_seq"])
				res, _ := strconv.Atoi(w["result"])
				if got := RegisterAckBody(uint16(rs), byte(res), w["auth_code"]); !bytes.Equal(got, m.Body) {
					t.Errorf("register ack body %x, want %x", got, m.Body)
				}
			}
		})
	}
}

func TestMiscVectors(t *testing.T) {
	for _, v := range readTSV(t, "jt808-misc-vectors.tsv", 1, -1, 4) {
		t.Run(v.source, func(t *testing.T) {
			wire := unhex(t, v.hex)
			if strings.HasPrefix(v.want["unescaped"], "7e") { // the escape example of JT/T 808-2013 §4.4.2
				raw, err := Unescape(nil, wire[1:len(wire)-1])
				if err != nil || hex.EncodeToString(raw) != strings.Trim(v.want["unescaped"], "7e") {
					t.Fatalf("unescaped %x (%v), want %s", raw, err, v.want["unescaped"])
				}
				if back := append(append([]byte{Flag}, EscapeBytes(nil, raw)...), Flag); !bytes.Equal(back, wire) {
					t.Fatalf("escaped %x, want %x", back, wire)
				}
				return
			}
			m, err := DecodeWire(wire)
			if err != nil {
				t.Fatal(err)
			}
			checkHeader(t, m, v.want)
			if got := Encode(m.Header, m.Body); !bytes.Equal(got, wire) {
				t.Errorf("re-encoded %x, want %x", got, wire)
			}
			switch m.ID {
			case MsgLocation:
				l, err := DecodeLocation(m.Body, nil)
				if err != nil {
					t.Fatal(err)
				}
				checkLocation(t, l, v.want)
			case MsgRegister:
				r, err := DecodeRegister(m.Header, m.Body)
				if err != nil || strconv.Itoa(int(r.Province)) != v.want["province"] || strconv.Itoa(int(r.City)) != v.want["city"] {
					t.Fatalf("%+v %v", r, err)
				}
				if strings.Contains(v.source, "yezhihao") && (r.Plate != "测A888888" || r.Model != "BSJ-GF-06" || r.TerminalID != "test123") {
					t.Errorf("register = %+v", r)
				}
			}
		})
	}
}

func TestYezhihaoFrames(t *testing.T) {
	data, err := os.ReadFile("testdata/jt808-yezhihao-JT808.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		n++
		wire := unhex(t, line)
		m, err := DecodeWire(wire)
		if err != nil {
			t.Errorf("%s…: %v", line[:min(len(line), 30)], err)
			continue
		}
		if got := Encode(m.Header, m.Body); !m.Split && !bytes.Equal(got, wire) {
			t.Errorf("%#04x re-encoded %x, want %x", m.ID, got, wire)
		}
		var derr error
		switch m.ID {
		case MsgRegister:
			_, derr = DecodeRegister(m.Header, m.Body)
		case MsgAuthenticate:
			_, derr = DecodeAuth(m.Header, m.Body)
		case MsgLocation:
			var l Location
			l, derr = DecodeLocation(m.Body, nil)
			if derr == nil && (l.Valid() == nil || !l.HasOdometer || l.OdometerKm != 1.1) {
				t.Errorf("0x0200 %+v: the synthetic swapped latitude must fail the range check", l)
			}
		case MsgBatchLocation:
			var b Batch
			b, derr = DecodeBatch(m.Body, nil)
			if derr == nil && len(b.Locations) != 3 {
				t.Errorf("0x0704 with %d items", len(b.Locations))
			}
		}
		if derr != nil {
			t.Errorf("%#04x: %v", m.ID, derr)
		}
	}
	if n < 90 {
		t.Fatalf("%d frames", n)
	}
}

// TestSplitReassembly: the six packets of go-jt808's 0x1205 give back its 5,046-byte body byte for byte, in any
// order, duplicates ignored; a missing packet is asked for again.
func TestSplitReassembly(t *testing.T) {
	data, err := os.ReadFile("testdata/jt808-gojt808-split-0x1205-frames.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, string(mustRead(t, "testdata/jt808-gojt808-split-0x1205-body.hex")))
	var parts []Message
	for _, line := range strings.Fields(string(data)) {
		m, err := DecodeWire(unhex(t, line))
		if err != nil {
			t.Fatal(err)
		}
		if !m.Split || m.Total != 6 || !m.Version2019 {
			t.Fatalf("packet %+v", m.Header)
		}
		parts = append(parts, m)
	}
	now := time.Date(2026, 11, 16, 10, 0, 0, 0, time.UTC)
	for _, order := range [][]int{{0, 1, 2, 3, 4, 5}, {5, 3, 1, 0, 0, 2, 4}} {
		var r Reassembler
		var got Message
		done := false
		for _, i := range order {
			m, ok, err := r.Add(parts[i], now)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				got, done = m, true
			}
		}
		if !done || !bytes.Equal(got.Body, want) || got.ID != 0x1205 || len(got.Body) != 5046 {
			t.Fatalf("order %v: reassembled %d bytes (done %v), want %d", order, len(got.Body), done, len(want))
		}
		if got.Serial != parts[0].Serial || r.Pending() != 0 {
			t.Errorf("serial %d pending %d", got.Serial, r.Pending())
		}
	}
	var r Reassembler
	for _, i := range []int{0, 1, 3, 4, 5} {
		if _, ok, _ := r.Add(parts[i], now); ok {
			t.Fatal("complete without packet 3")
		}
	}
	if ms := r.Missing(now.Add(time.Second), 5*time.Second); len(ms) != 0 {
		t.Fatalf("asked too early: %+v", ms)
	}
	ms := r.Missing(now.Add(6*time.Second), 5*time.Second)
	if len(ms) != 1 || len(ms[0].Packets) != 1 || ms[0].Packets[0] != 3 || ms[0].FirstSerial != parts[0].Serial {
		t.Fatalf("missing = %+v", ms)
	}
	body := RetransmitBody(true, ms[0].FirstSerial, ms[0].Packets)
	if !bytes.Equal(body, []byte{byte(parts[0].Serial >> 8), byte(parts[0].Serial), 0, 1, 0, 3}) {
		t.Errorf("0x8003 body %x", body)
	}
	if r.Missing(now.Add(11*time.Second), 5*time.Second); r.Pending() != 0 {
		t.Error("a stale split message is kept")
	}
}

func mustRead(t *testing.T, name string) []byte {
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReaderSurvivesJunk: junk before and between frames, 7e 7e boundaries, a bad checksum and an over-long frame
// are each reported, and the frames around them still come through.
func TestReaderSurvivesJunk(t *testing.T) {
	hb := unhex(t, "7e0002000001234567890100008a7e")
	bad := append([]byte(nil), hb...)
	bad[len(bad)-2] ^= 0xff
	long := append([]byte{Flag}, bytes.Repeat([]byte{0x11}, 3000)...)
	long = append(long, Flag)
	var stream []byte
	stream = append(stream, "$$junk"...)
	stream = append(stream, hb...)
	stream = append(stream, hb...) // 7e…7e7e…7e
	stream = append(stream, 0x00, 0x24)
	stream = append(stream, bad...)
	stream = append(stream, long...)
	stream = append(stream, hb...)
	fr := NewReader(bytes.NewReader(stream), 2048)
	var good, badSum, tooLong int
	for {
		raw, err := fr.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, ErrTooLong) {
			tooLong++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		frame, err := Unescape(nil, raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(frame); errors.Is(err, ErrChecksum) {
			badSum++
		} else if err != nil {
			t.Fatal(err)
		} else {
			good++
		}
	}
	if good != 3 || badSum != 1 || tooLong != 1 || fr.Junk != 8 {
		t.Fatalf("good %d, bad checksum %d, too long %d, junk %d", good, badSum, tooLong, fr.Junk)
	}
}

func TestTruncatedFrame(t *testing.T) {
	// The SmallChi location with its last additional item cut: the header's length no longer matches.
	raw, _ := Unescape(nil, unhex(t, "02000026123456789012007d02000000010000000200ba7f0e07e4f11c0028003c000018101510101001040000006402"))
	raw = append(raw, Checksum(raw))
	if _, err := Parse(raw); !errors.Is(err, ErrLength) {
		t.Fatalf("truncated frame: %v", err)
	}
}

func TestPhonesMatchRegardlessOfLeadingZeros(t *testing.T) {
	h6, _ := DecodeWire(unhex(t, "7e0002000001234567890100008a7e"))
	h19, _ := DecodeWire(unhex(t, "7e0002400001000000000172998417380000027e"))
	if NormPhone(h6.Phone) != "12345678901" || NormPhone(h19.Phone) != "17299841738" || NormPhone("017299841738") != NormPhone(h19.Phone) {
		t.Fatalf("%s %s", NormPhone(h6.Phone), NormPhone(h19.Phone))
	}
	// Hex nibbles (Jimi devices) survive as letters and round-trip.
	h := Header{ID: MsgHeartbeat, Phone: "4eb6fb4af2c1"}
	m, err := DecodeWire(Encode(h, nil))
	if err != nil || m.Phone != "4eb6fb4af2c1" {
		t.Fatalf("%q %v", m.Phone, err)
	}
}

func TestLocationRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 16, 9, 30, 5, 0, GMT8)
	in := Location{Alarm: 1, Status: StatusACC | StatusFix, Lat: -33.868820, Lon: -70.0, AltitudeM: -12, SpeedKmh: 63.4, Direction: 270, Time: at,
		HasOdometer: true, OdometerKm: 12345.6}
	body := LocationBody(in)
	body = append(body, 0xE1, 3, 1, 2, 3) // a vendor item, skipped by its length
	out, err := DecodeLocation(body, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.Lat != in.Lat || out.Lon != in.Lon || out.AltitudeM != -12 || out.SpeedKmh != 63.4 || !out.Time.Equal(at) || out.OdometerKm != 12345.6 ||
		!out.ACC() || !out.Fixed() || len(out.Items) != 2 {
		t.Fatalf("%+v", out)
	}
	// A device set to UTC: the same digits read in its own zone.
	utc, _ := DecodeLocation(body, time.UTC)
	if utc.Time.Sub(out.Time) != 8*time.Hour {
		t.Fatalf("zone: %v vs %v", utc.Time, out.Time)
	}
}
