// Package clock is the injected time source: every operation captures "now" once from a Clock so tests can fix it.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface{ Now() time.Time }

// System is the real clock.
type System struct{}

// Now returns the current time in UTC.
func (System) Now() time.Time { return time.Now().UTC() }

// Fixed is a settable clock for tests.
type Fixed struct {
	mu sync.Mutex
	t  time.Time
}

// NewFixed returns a clock stopped at t.
func NewFixed(t time.Time) *Fixed { return &Fixed{t: t.UTC()} }

// Now returns the fixed time.
func (f *Fixed) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }

// Set moves the clock to t.
func (f *Fixed) Set(t time.Time) { f.mu.Lock(); f.t = t.UTC(); f.mu.Unlock() }

// Advance moves the clock forward by d.
func (f *Fixed) Advance(d time.Duration) { f.mu.Lock(); f.t = f.t.Add(d); f.mu.Unlock() }

// Shanghai is the business time zone (Asia/Shanghai, UTC+8 without DST), built without tzdata so it always works.
var Shanghai = time.FixedZone("CST", 8*3600)

// Today returns the business date (YYYY-MM-DD) of t in Asia/Shanghai.
func Today(t time.Time) string { return t.In(Shanghai).Format(time.DateOnly) }
