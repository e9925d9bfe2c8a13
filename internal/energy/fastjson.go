package energy

import (
	"math"
	"strconv"
	"time"
)

// fastReadings parses the common shape of a bulk readings body — an array of flat objects with the keys meter_id
// (an integer), ts (an RFC 3339 string or a number) and value (a number), in any order, with any whitespace —
// without reflection or per-element allocations: it is the ingest hot path. Anything else (other keys, escapes,
// nulls, nesting, malformed JSON) makes it give up (ok false) and DecodeReadings falls back to encoding/json,
// which decides and words the error. FuzzFastReadings checks that both agree.
func fastReadings(b []byte) (out []Reading, ok bool) {
	p := &scanner{b: b}
	p.ws()
	if !p.eat('[') {
		return nil, false
	}
	out = make([]Reading, 0, len(b)/60+1)
	p.ws()
	if p.eat(']') {
		p.ws()
		return out, p.i == len(p.b)
	}
	for {
		p.ws()
		r, ok := p.reading()
		if !ok {
			return nil, false
		}
		out = append(out, r)
		p.ws()
		if p.eat(',') {
			continue
		}
		if p.eat(']') {
			break
		}
		return nil, false
	}
	p.ws()
	return out, p.i == len(p.b)
}

type scanner struct {
	b []byte
	i int
}

func (p *scanner) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *scanner) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str returns the bytes of a string without escapes (ok false for escapes, control characters or no string).
func (p *scanner) str() ([]byte, bool) {
	if !p.eat('"') {
		return nil, false
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		}
		p.i++
	}
	return nil, false
}

// num returns the bytes of a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *scanner) num() ([]byte, bool) {
	start := p.i
	p.eat('-')
	digits := func() int {
		n := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.eat('0') {
		if p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			return nil, false
		}
	} else if digits() == 0 {
		return nil, false
	}
	if p.eat('.') && digits() == 0 {
		return nil, false
	}
	if p.eat('e') || p.eat('E') {
		if !p.eat('+') {
			p.eat('-')
		}
		if digits() == 0 {
			return nil, false
		}
	}
	return p.b[start:p.i], true
}

func (p *scanner) reading() (Reading, bool) {
	var r Reading
	if !p.eat('{') {
		return r, false
	}
	var haveID, haveTS, haveValue bool
	for {
		p.ws()
		key, ok := p.str()
		if !ok {
			return r, false
		}
		p.ws()
		if !p.eat(':') {
			return r, false
		}
		p.ws()
		switch string(key) {
		case "meter_id":
			n, ok := p.num()
			if !ok || haveID {
				return r, false
			}
			id, err := strconv.ParseInt(string(n), 10, 64)
			if err != nil || id <= 0 {
				return r, false
			}
			r.MeterID, haveID = id, true
		case "ts":
			if haveTS {
				return r, false
			}
			if p.i < len(p.b) && p.b[p.i] == '"' {
				s, ok := p.str()
				if !ok {
					return r, false
				}
				t, err := time.Parse(time.RFC3339Nano, string(s))
				if err != nil {
					return r, false
				}
				r.TS = t.Unix()
			} else {
				n, ok := p.num()
				if !ok {
					return r, false
				}
				ts, ok := ParseInstant(n)
				if !ok {
					return r, false
				}
				r.TS = ts
			}
			haveTS = true
		case "value":
			n, ok := p.num()
			if !ok || haveValue {
				return r, false
			}
			v, err := strconv.ParseFloat(string(n), 64)
			if err != nil || math.IsInf(v, 0) || math.IsNaN(v) || math.Abs(v) > 1e15 {
				return r, false
			}
			r.Value, haveValue = v, true
		default:
			return r, false
		}
		p.ws()
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			break
		}
		return r, false
	}
	return r, haveID && haveTS && haveValue
}
