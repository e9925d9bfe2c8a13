package jt808

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// FuzzDecode feeds arbitrary streams through everything the gateway does with bytes from a terminal: frame
// splitting, unescaping, parsing, reassembly and the message decoders. Nothing may panic, and a frame that parses
// re-encodes to a frame that parses the same. The seed corpus (every shared vector, and broken variants of them)
// runs as an ordinary test with `go test`.
func FuzzDecode(f *testing.F) {
	for _, s := range seedFrames(f) {
		f.Add(s)
		if len(s) > 4 {
			f.Add(s[:len(s)/2])                             // truncated
			f.Add(append([]byte("##"), append(s, s...)...)) // junk, two frames
			c := append([]byte(nil), s...)
			c[len(c)/2] ^= 0x5a // a flipped byte
			f.Add(c)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := NewReader(bytes.NewReader(data), 4096)
		var r Reassembler
		r.MaxPending, r.MaxBytes = 4, 64<<10
		now := time.Unix(1_790_000_000, 0)
		for {
			raw, err := fr.Next()
			if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
				return
			}
			if err != nil {
				continue
			}
			frame, err := Unescape(nil, raw)
			if err != nil {
				continue
			}
			m, err := Parse(frame)
			if err != nil {
				continue
			}
			if !m.Split && !m.Encrypted() {
				again, err := DecodeWire(Encode(m.Header, m.Body))
				if err != nil || again.ID != m.ID || again.Serial != m.Serial || !bytes.Equal(again.Body, m.Body) ||
					NormPhone(again.Phone) != NormPhone(m.Phone) {
					t.Fatalf("round trip: %+v → %+v (%v)", m.Header, again.Header, err)
				}
			}
			m, ok, err := r.Add(m, now)
			if err != nil || !ok {
				continue
			}
			switch m.ID {
			case MsgRegister:
				_, _ = DecodeRegister(m.Header, m.Body)
			case MsgAuthenticate:
				_, _ = DecodeAuth(m.Header, m.Body)
			case MsgLocation:
				if l, err := DecodeLocation(m.Body, nil); err == nil {
					_ = l.Valid()
				}
			case MsgBatchLocation:
				_, _ = DecodeBatch(m.Body, nil)
			}
			r.Missing(now, time.Second)
		}
	})
}

func seedFrames(f *testing.F) [][]byte {
	var out [][]byte
	add := func(s string) {
		if b, err := hex.DecodeString(strings.TrimSpace(s)); err == nil && len(b) > 0 {
			out = append(out, b)
		}
	}
	for _, name := range []string{"jt808-yezhihao-JT808.txt", "jt808-gojt808-split-0x1205-frames.txt"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range strings.Fields(string(data)) {
			add(line)
		}
	}
	for _, v := range readTSV(f, "jt808-gojt808-vectors.tsv", 2, 3, 5) {
		add(v.hex)
	}
	for _, v := range readTSV(f, "jt808-misc-vectors.tsv", 1, -1, 4) {
		add(v.hex)
	}
	return out
}
