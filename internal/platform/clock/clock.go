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

// Shifted is the real clock moved to another starting instant: Now is the start plus the real time elapsed since the
// clock was made. The binary runs on it when GOVOPS_TEST_NOW is set, so that tests of the whole program (browser
// tests, a CI run at fixed dates) see a chosen date while timeouts and sessions still advance.
type Shifted struct {
	start  time.Time
	origin time.Time
}

// StartingAt returns a clock that reads t now and runs on from there.
func StartingAt(t time.Time) *Shifted { return &Shifted{start: t.UTC(), origin: time.Now()} }

// Now returns the start plus the time elapsed since the clock was made (monotonic, so wall-clock steps do not move it).
func (s *Shifted) Now() time.Time { return s.start.Add(time.Since(s.origin)).UTC() }

// Parse reads an instant as RFC 3339 ("2027-01-04T09:00:00+08:00"), or as a business date or date and minute in
// Asia/Shanghai ("2027-01-04" is 09:00 that day, "2027-01-04T17:30" that minute).
func Parse(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", s, Shanghai); err == nil {
		return t.UTC(), nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, Shanghai)
	if err != nil {
		return time.Time{}, err
	}
	return t.Add(9 * time.Hour).UTC(), nil
}
