package main

import (
	"fmt"
	"log/slog"

	"github.com/govops/govops/internal/platform/clock"
)

// appClock is the real clock, or, when GOVOPS_TEST_NOW names an instant, a clock that starts there and runs on
// (clock.StartingAt). It exists for tests of the whole program — the browser tests and the CI runs at fixed dates —
// and is never meant for production: the server says so in its log.
func appClock(env func(string) (string, bool), log *slog.Logger) (clock.Clock, error) {
	v, ok := env("GOVOPS_TEST_NOW")
	if !ok || v == "" {
		return clock.System{}, nil
	}
	t, err := clock.Parse(v)
	if err != nil {
		return nil, fmt.Errorf("GOVOPS_TEST_NOW=%q 不是时间（应为 2027-01-04、2027-01-04T17:30 或 RFC 3339）", v)
	}
	log.Info("test clock: GOVOPS_TEST_NOW is set, the server's time starts at it", "now", t.Format("2006-01-02T15:04:05Z07:00"))
	return clock.StartingAt(t), nil
}
