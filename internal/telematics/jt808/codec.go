// Package jt808 is a pure codec for JT/T 808 (2011, 2013 and 2019), the protocol of Chinese vehicle terminals
// (docs/domain/protocols.md §JT/T 808): framing with 0x7e, escaping, the XOR checksum, the 2011/2013 and 2019
// headers, split packets and their reassembly, the terminal messages the gateway handles (0x0100 register, 0x0102
// authenticate, 0x0002 heartbeat, 0x0200 location, 0x0704 batch, 0x0003 logout) and the platform replies (0x8001,
// 0x8100). It knows nothing of vehicles, databases or sockets; the gateway (internal/telematics) uses it.
//
// Receive: Reader.Next (frame between 0x7e) → Unescape → Parse (checksum, header) → a message decoder of the body.
// Send: Encode (header, body → checksum → escape → 0x7e … 0x7e).
package jt808

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Flag is the frame delimiter; Escape is the escape byte (docs/domain/protocols.md §Framing).
const (
	Flag   = 0x7e
	Escape = 0x7d
)

// Message ids handled by the gateway.
const (
	MsgTerminalAck   uint16 = 0x0001
	MsgHeartbeat     uint16 = 0x0002
	MsgLogout        uint16 = 0x0003
	MsgRegister      uint16 = 0x0100
	MsgAuthenticate  uint16 = 0x0102
	MsgLocation      uint16 = 0x0200
	MsgBatchLocation uint16 = 0x0704
	MsgPlatformAck   uint16 = 0x8001
	MsgRetransmit    uint16 = 0x8003
	MsgRegisterAck   uint16 = 0x8100
)

// Results of the platform general response 0x8001 (docs/domain/protocols.md §Key messages).
const (
	ResultOK          byte = 0
	ResultFail        byte = 1
	ResultBadMessage  byte = 2
	ResultUnsupported byte = 3
	ResultAlarmAck    byte = 4
)

// Results of the register response 0x8100.
const (
	RegOK                 byte = 0
	RegVehicleRegistered  byte = 1
	RegNoSuchVehicle      byte = 2
	RegTerminalRegistered byte = 3
	RegNoSuchTerminal     byte = 4
)

// Errors of the codec. A caller counts them and goes on with the next frame.
var (
	ErrShort     = errors.New("jt808: frame too short")
	ErrChecksum  = errors.New("jt808: bad checksum")
	ErrEscape    = errors.New("jt808: bad escape sequence")
	ErrLength    = errors.New("jt808: body length differs from the header")
	ErrTooLong   = errors.New("jt808: frame too long")
	ErrBody      = errors.New("jt808: malformed body")
	ErrEncrypted = errors.New("jt808: encrypted body not supported")
)

// Header is a message header. Version2019 marks the 2019 header (version flag bit 14, a protocol-version byte and a
// BCD[10] phone); 2011 and 2013 headers cannot be told apart (docs/domain/protocols.md §Header).
type Header struct {
	ID          uint16
	Props       uint16 // body properties as received (length, encryption, split and version bits)
	Version2019 bool
	ProtoVer    byte   // protocol version byte of a 2019 header
	Phone       string // terminal phone as its BCD digits (12 or 20; hex nibbles a–f kept as letters)
	Serial      uint16
	Split       bool
	Total       uint16 // packets of a split message
	Index       uint16 // this packet's number, from 1
}

// Message is a parsed frame: the header and the body (of this packet only, for a split message).
type Message struct {
	Header
	Body []byte
}

// BodyLen is the body length the header declares.
func (h Header) BodyLen() int { return int(h.Props & 0x03ff) }

// Encrypted reports whether the header marks the body as encrypted (bits 10–12).
func (h Header) Encrypted() bool { return h.Props&0x1c00 != 0 }

// NormPhone is the terminal phone with leading zeros removed: BCD[6] "013912345678" and BCD[10]
// "00000000013912345678" and the ledger's "13912345678" are the same terminal.
func NormPhone(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	t := strings.TrimLeft(s, "0")
	if t == "" && s != "" {
		return "0"
	}
	return t
}

// Checksum is the XOR of b (every byte from the header's first to the byte before the checksum).
func Checksum(b []byte) byte {
	var c byte
	for _, x := range b {
		c ^= x
	}
	return c
}

// Unescape reverses the escaping of the bytes between two flags (7d 02 → 7e, 7d 01 → 7d), appending to dst.
func Unescape(dst, src []byte) ([]byte, error) {
	for i := 0; i < len(src); i++ {
		b := src[i]
		if b == Flag {
			return dst, ErrEscape
		}
		if b != Escape {
			dst = append(dst, b)
			continue
		}
		if i+1 >= len(src) {
			return dst, ErrEscape
		}
		i++
		switch src[i] {
		case 0x02:
			dst = append(dst, Flag)
		case 0x01:
			dst = append(dst, Escape)
		default:
			return dst, ErrEscape
		}
	}
	return dst, nil
}

// EscapeBytes escapes src (7e → 7d 02, 7d → 7d 01), appending to dst.
func EscapeBytes(dst, src []byte) []byte {
	for _, b := range src {
		switch b {
		case Flag:
			dst = append(dst, Escape, 0x02)
		case Escape:
			dst = append(dst, Escape, 0x01)
		default:
			dst = append(dst, b)
		}
	}
	return dst
}

// Parse reads an unescaped frame (header, body, checksum; no flags): it verifies the checksum, reads the header and
// checks the body length against it.
func Parse(frame []byte) (Message, error) {
	var m Message
	if len(frame) < 13 {
		return m, ErrShort
	}
	n := len(frame) - 1
	if Checksum(frame[:n]) != frame[n] {
		return m, ErrChecksum
	}
	b := frame[:n]
	h := &m.Header
	h.ID = be16(b[0:])
	h.Props = be16(b[2:])
	off := 4
	if h.Props&0x4000 != 0 {
		if len(b) < 17 {
			return m, ErrShort
		}
		h.Version2019, h.ProtoVer = true, b[4]
		h.Phone = bcd(b[5:15])
		off = 15
	} else {
		h.Phone = bcd(b[4:10])
		off = 10
	}
	h.Serial = be16(b[off:])
	off += 2
	if h.Props&0x2000 != 0 {
		if len(b) < off+4 {
			return m, ErrShort
		}
		h.Split, h.Total, h.Index = true, be16(b[off:]), be16(b[off+2:])
		off += 4
	}
	if len(b)-off != h.BodyLen() {
		return m, fmt.Errorf("%w: header %d, present %d", ErrLength, h.BodyLen(), len(b)-off)
	}
	m.Body = b[off:]
	return m, nil
}

// DecodeWire parses one frame in wire form (with its flags, escaped).
func DecodeWire(wire []byte) (Message, error) {
	if len(wire) < 2 || wire[0] != Flag || wire[len(wire)-1] != Flag {
		return Message{}, ErrShort
	}
	raw, err := Unescape(nil, wire[1:len(wire)-1])
	if err != nil {
		return Message{}, err
	}
	return Parse(raw)
}

// Encode builds the wire form of a message: header (2019 when h.Version2019) with the body length set, body,
// checksum, escaped, between flags. Bodies longer than 1023 bytes must be split by the caller.
func Encode(h Header, body []byte) []byte {
	raw := make([]byte, 0, 21+len(body)+1)
	props := uint16(len(body)) & 0x03ff
	if h.Version2019 {
		props |= 0x4000
	}
	if h.Split {
		props |= 0x2000
	}
	raw = put16(raw, h.ID)
	raw = put16(raw, props)
	if h.Version2019 {
		v := h.ProtoVer
		if v == 0 {
			v = 1
		}
		raw = append(raw, v)
		raw = append(raw, toBCD(h.Phone, 10)...)
	} else {
		raw = append(raw, toBCD(h.Phone, 6)...)
	}
	raw = put16(raw, h.Serial)
	if h.Split {
		raw = put16(raw, h.Total)
		raw = put16(raw, h.Index)
	}
	raw = append(raw, body...)
	raw = append(raw, Checksum(raw))
	out := make([]byte, 0, len(raw)+8)
	out = append(out, Flag)
	out = EscapeBytes(out, raw)
	return append(out, Flag)
}

// Reader splits a byte stream into frames. Junk before a frame's opening flag is skipped and counted; two adjacent
// flags (7e 7e, the end of one frame and the start of the next) are one boundary; a frame longer than the limit is
// dropped up to the next flag and reported as ErrTooLong, after which reading goes on.
type Reader struct {
	r   *bufio.Reader
	max int
	buf []byte
	// Junk counts the bytes skipped outside frames.
	Junk int64
}

// NewReader reads frames of at most max bytes on the wire (flags excluded) from r.
func NewReader(r io.Reader, max int) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 4096), max: max}
}

// Next returns the escaped bytes between the flags of the next frame (valid until the next call).
func (fr *Reader) Next() ([]byte, error) {
	// Find an opening flag.
	for {
		b, err := fr.r.ReadByte()
		if err != nil {
			return nil, err
		}
		if b == Flag {
			break
		}
		fr.Junk++
	}
	for {
		fr.buf = fr.buf[:0]
		tooLong := false
		for {
			b, err := fr.r.ReadByte()
			if err != nil {
				if len(fr.buf) > 0 {
					fr.Junk += int64(len(fr.buf))
				}
				return nil, err
			}
			if b == Flag {
				break
			}
			if len(fr.buf) >= fr.max {
				tooLong = true
				continue
			}
			fr.buf = append(fr.buf, b)
		}
		if tooLong {
			return nil, ErrTooLong
		}
		if len(fr.buf) == 0 {
			continue // 7e 7e: this flag opens the next frame
		}
		return fr.buf, nil
	}
}

func be16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }
func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
func put16(b []byte, v uint16) []byte { return append(b, byte(v>>8), byte(v)) }
func put32(b []byte, v uint32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

const hexDigits = "0123456789abcdef"

// bcd renders BCD bytes as digits; nibbles a–f (seen in real terminal ids) are kept as letters.
func bcd(b []byte) string {
	out := make([]byte, 0, 2*len(b))
	for _, x := range b {
		out = append(out, hexDigits[x>>4], hexDigits[x&0x0f])
	}
	return string(out)
}

// toBCD packs a digit string into n bytes, left-padded with zeros (and cut on the left when too long).
func toBCD(s string, n int) []byte {
	s = strings.ToLower(s)
	if len(s) > 2*n {
		s = s[len(s)-2*n:]
	}
	s = strings.Repeat("0", 2*n-len(s)) + s
	out := make([]byte, n)
	for i := 0; i < n; i++ {
		out[i] = nib(s[2*i])<<4 | nib(s[2*i+1])
	}
	return out
}

func nib(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return 0
}
