package jt808

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Register is the body of 0x0100 (docs/domain/protocols.md §Key messages: the 2011, 2013 and 2019 layouts).
type Register struct {
	Province   uint16 // first 2 digits of the GB/T 2260 code
	City       uint16 // last 4 digits
	Maker      string
	Model      string
	TerminalID string
	PlateColor byte   // 0: no plate, the Plate field holds the VIN (2013)
	Plate      string // GBK decoded
}

// DecodeRegister reads a 0x0100 body. The 2019 layout follows the 2019 header; 2011 and 2013 are told apart by the
// body length (2011's fixed part is 25 bytes, 2013's 37).
func DecodeRegister(h Header, b []byte) (Register, error) {
	var r Register
	maker, model, term := 5, 20, 7
	switch {
	case h.Version2019:
		maker, model, term = 11, 30, 30
	case len(b) < 37:
		model = 8 // 2011
	}
	fixed := 4 + maker + model + term + 1
	if len(b) < fixed {
		return r, fmt.Errorf("%w: register body %d bytes", ErrBody, len(b))
	}
	r.Province, r.City = be16(b), be16(b[2:])
	o := 4
	r.Maker = cstr(b[o : o+maker])
	o += maker
	r.Model = cstr(b[o : o+model])
	o += model
	r.TerminalID = cstr(b[o : o+term])
	o += term
	r.PlateColor = b[o]
	r.Plate = gbk(b[o+1:])
	return r, nil
}

// DecodeAuth reads the authentication code of a 0x0102 body (2019: length-prefixed, then IMEI and version).
func DecodeAuth(h Header, b []byte) (string, error) {
	if !h.Version2019 {
		return cstr(b), nil
	}
	if len(b) < 1 || len(b) < 1+int(b[0]) {
		return "", fmt.Errorf("%w: auth body", ErrBody)
	}
	return cstr(b[1 : 1+int(b[0])]), nil
}

// Status bits of a location (docs/domain/protocols.md §Key messages).
const (
	StatusACC   uint32 = 1 << 0
	StatusFix   uint32 = 1 << 1
	StatusSouth uint32 = 1 << 2
	StatusWest  uint32 = 1 << 3
)

// Location is a decoded 0x0200 body.
type Location struct {
	Alarm, Status uint32
	Lat, Lon      float64 // degrees, WGS-84, signed by the status bits
	AltitudeM     int
	SpeedKmh      float64
	Direction     int
	Time          time.Time // the device's BCD time read in the given zone (GMT+8 by the standard)
	RawTime       string    // YYMMDDhhmmss as sent
	HasOdometer   bool
	OdometerKm    float64 // additional item 0x01
	HasFuel       bool
	FuelL         float64 // additional item 0x02
	Items         []byte  // ids of the additional items present, unknown ones included
}

// ACC reports the ignition bit; Fixed the positioning bit.
func (l Location) ACC() bool   { return l.Status&StatusACC != 0 }
func (l Location) Fixed() bool { return l.Status&StatusFix != 0 }

// Valid checks the ranges a real position must lie in (the synthetic vectors that put 116.3 in the latitude field
// fail here, docs/domain/protocols.md §Pitfalls seen in real traffic).
func (l Location) Valid() error {
	if l.Lat < -90 || l.Lat > 90 || l.Lon < -180 || l.Lon > 180 {
		return fmt.Errorf("%w: latitude %.6f / longitude %.6f out of range", ErrBody, l.Lat, l.Lon)
	}
	if l.SpeedKmh > 400 {
		return fmt.Errorf("%w: speed %.1f km/h", ErrBody, l.SpeedKmh)
	}
	return nil
}

// GMT8 is the standard's time zone of the terminal clock.
var GMT8 = time.FixedZone("GMT+8", 8*3600)

// DecodeLocation reads a 0x0200 body: the 28-byte basic block, then the additional items (id, length, value), of
// which unknown ones are skipped by their length; a truncated last item ends the list.
func DecodeLocation(b []byte, zone *time.Location) (Location, error) {
	var l Location
	if len(b) < 28 {
		return l, fmt.Errorf("%w: location body %d bytes", ErrBody, len(b))
	}
	l.Alarm, l.Status = be32(b), be32(b[4:])
	l.Lat = float64(be32(b[8:])) / 1e6
	l.Lon = float64(be32(b[12:])) / 1e6
	if l.Status&StatusSouth != 0 {
		l.Lat = -l.Lat
	}
	if l.Status&StatusWest != 0 {
		l.Lon = -l.Lon
	}
	l.AltitudeM = int(int16(be16(b[16:])))
	l.SpeedKmh = float64(be16(b[18:])) / 10
	l.Direction = int(be16(b[20:]))
	l.RawTime = bcd(b[22:28])
	if zone == nil {
		zone = GMT8
	}
	t, err := time.ParseInLocation("060102150405", l.RawTime, zone)
	if err != nil {
		return l, fmt.Errorf("%w: time %q", ErrBody, l.RawTime)
	}
	l.Time = t
	for o := 28; o+2 <= len(b); {
		id, n := b[o], int(b[o+1])
		o += 2
		if o+n > len(b) {
			break
		}
		v := b[o : o+n]
		o += n
		l.Items = append(l.Items, id)
		switch {
		case id == 0x01 && n == 4:
			l.HasOdometer, l.OdometerKm = true, float64(be32(v))/10
		case id == 0x02 && n == 2:
			l.HasFuel, l.FuelL = true, float64(be16(v))/10
		}
	}
	return l, nil
}

// Batch is a decoded 0x0704 body: Backfill marks blind-area back-fill (盲区补报, type 1).
type Batch struct {
	Backfill  bool
	Locations []Location
}

// DecodeBatch reads a 0x0704 body; a malformed item fails the whole batch.
func DecodeBatch(b []byte, zone *time.Location) (Batch, error) {
	var out Batch
	if len(b) < 3 {
		return out, fmt.Errorf("%w: batch body", ErrBody)
	}
	n := int(be16(b))
	out.Backfill = b[2] == 1
	o := 3
	for i := 0; i < n; i++ {
		if o+2 > len(b) {
			return out, fmt.Errorf("%w: batch item %d missing", ErrBody, i+1)
		}
		l := int(be16(b[o:]))
		o += 2
		if o+l > len(b) {
			return out, fmt.Errorf("%w: batch item %d truncated", ErrBody, i+1)
		}
		loc, err := DecodeLocation(b[o:o+l], zone)
		if err != nil {
			return out, err
		}
		out.Locations = append(out.Locations, loc)
		o += l
	}
	return out, nil
}

// AckBody is the body of 0x8001 (and 0x0001): the answered serial and message id and the result.
func AckBody(serial, id uint16, result byte) []byte {
	b := put16(nil, serial)
	b = put16(b, id)
	return append(b, result)
}

// RegisterAckBody is the body of 0x8100: the answered serial, the result and, on success, the auth code.
func RegisterAckBody(serial uint16, result byte, code string) []byte {
	b := append(put16(nil, serial), result)
	if result == RegOK {
		b = append(b, code...)
	}
	return b
}

// RetransmitBody is the body of 0x8003 asking for the missing packets of a split message (2019: a WORD count).
func RetransmitBody(v2019 bool, firstSerial uint16, missing []uint16) []byte {
	b := put16(nil, firstSerial)
	if v2019 {
		b = put16(b, uint16(len(missing)))
	} else {
		b = append(b, byte(len(missing)))
	}
	for _, m := range missing {
		b = put16(b, m)
	}
	return b
}

// LocationBody encodes a 0x0200 body (for simulators and tests): the basic block and the odometer item.
func LocationBody(l Location) []byte {
	st := l.Status
	lat, lon := l.Lat, l.Lon
	if lat < 0 {
		st, lat = st|StatusSouth, -lat
	}
	if lon < 0 {
		st, lon = st|StatusWest, -lon
	}
	b := put32(nil, l.Alarm)
	b = put32(b, st)
	b = put32(b, uint32(lat*1e6+0.5))
	b = put32(b, uint32(lon*1e6+0.5))
	b = put16(b, uint16(int16(l.AltitudeM)))
	b = put16(b, uint16(l.SpeedKmh*10+0.5))
	b = put16(b, uint16(l.Direction))
	b = append(b, toBCD(l.Time.In(GMT8).Format("060102150405"), 6)...)
	if l.HasOdometer {
		b = append(b, 0x01, 4)
		b = put32(b, uint32(l.OdometerKm*10+0.5))
	}
	return b
}

// Reassembler joins the packets of split messages (docs/domain/protocols.md §Header): packets of one message
// have consecutive serials, so the first packet's serial (serial − index + 1) names the message. It keeps at most
// MaxPending messages of at most MaxBytes each; older ones are dropped.
type Reassembler struct {
	MaxPending int
	MaxBytes   int
	pending    map[partKey]*partial
}

type partKey struct {
	id     uint16
	total  uint16
	serial uint16 // of the first packet
}

type partial struct {
	h     Header
	parts map[uint16][]byte
	size  int
	since time.Time
}

// Add records a packet; when it completes its message, Add returns the whole message (header of the first packet,
// split fields cleared) and true.
func (r *Reassembler) Add(m Message, now time.Time) (Message, bool, error) {
	if !m.Split {
		return m, true, nil
	}
	if m.Total == 0 || m.Index == 0 || m.Index > m.Total {
		return m, false, fmt.Errorf("%w: packet %d of %d", ErrBody, m.Index, m.Total)
	}
	if r.pending == nil {
		r.pending = map[partKey]*partial{}
	}
	k := partKey{m.ID, m.Total, m.Serial - (m.Index - 1)}
	p := r.pending[k]
	if p == nil {
		if r.MaxPending > 0 && len(r.pending) >= r.MaxPending {
			r.dropOldest()
		}
		p = &partial{h: m.Header, parts: map[uint16][]byte{}, since: now}
		r.pending[k] = p
	}
	if _, dup := p.parts[m.Index]; !dup {
		p.parts[m.Index] = append([]byte(nil), m.Body...)
		p.size += len(m.Body)
	}
	if r.MaxBytes > 0 && p.size > r.MaxBytes {
		delete(r.pending, k)
		return m, false, fmt.Errorf("%w: split message over %d bytes", ErrTooLong, r.MaxBytes)
	}
	if len(p.parts) < int(m.Total) {
		return m, false, nil
	}
	delete(r.pending, k)
	out := Message{Header: p.h}
	out.Serial, out.Split, out.Total, out.Index = k.serial, false, 0, 0
	body := make([]byte, 0, p.size)
	for i := 1; i <= int(m.Total); i++ {
		body = append(body, p.parts[uint16(i)]...)
	}
	out.Body = body
	return out, true, nil
}

// Missing lists the messages waiting longer than wait, with the packet numbers still missing, and forgets them
// when they have waited more than twice as long.
func (r *Reassembler) Missing(now time.Time, wait time.Duration) []Missing {
	var out []Missing
	for k, p := range r.pending {
		age := now.Sub(p.since)
		if age > 2*wait {
			delete(r.pending, k)
			continue
		}
		if age < wait {
			continue
		}
		ms := Missing{Header: p.h, FirstSerial: k.serial}
		for i := 1; i <= int(k.total); i++ {
			if _, ok := p.parts[uint16(i)]; !ok {
				ms.Packets = append(ms.Packets, uint16(i))
			}
		}
		out = append(out, ms)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FirstSerial < out[j].FirstSerial })
	return out
}

// Missing is a split message still incomplete: its first serial and the packets to ask for again (0x8003).
type Missing struct {
	Header      Header
	FirstSerial uint16
	Packets     []uint16
}

// Pending is the number of incomplete split messages.
func (r *Reassembler) Pending() int { return len(r.pending) }

func (r *Reassembler) dropOldest() {
	var oldest partKey
	var t time.Time
	first := true
	for k, p := range r.pending {
		if first || p.since.Before(t) {
			oldest, t, first = k, p.since, false
		}
	}
	delete(r.pending, oldest)
}

// cstr reads a fixed-width text field: zero and space padding removed on either side (devices pad both ways), GBK
// decoded.
func cstr(b []byte) string {
	return strings.Trim(gbk(b), "\x00 ")
}

func gbk(b []byte) string {
	for _, c := range b {
		if c >= 0x80 {
			if s, err := simplifiedchinese.GBK.NewDecoder().Bytes(b); err == nil {
				return strings.TrimRight(string(s), "\x00")
			}
			break
		}
	}
	return strings.TrimRight(string(b), "\x00")
}

// GBK encodes s for a STRING field (plates in simulators and tests).
func GBK(s string) []byte {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		return []byte(s)
	}
	return b
}
