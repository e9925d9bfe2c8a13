// Package calendar is the official working calendar: the statutory holidays and adjusted working days (调休上班) of
// the State Council's yearly arrangements (NateScarlet/holiday-cn data, MIT, embedded under data/holiday-cn), the
// organisation's working hours (a setting), and the working-day and working-time questions modules ask — deadlines
// in working days, SLAs in working hours, vehicle movements outside working time.
//
// The rules are pure: Days answers date questions from the embedded table, Schedule adds the working hours for
// instant questions. Years with no published arrangement (before the data, after it, or announced but still
// empty such as 2027 until November 2026) fall back to plain Monday–Friday and are reported as not official.
//
//	cal := app.Calendar                       // or calendar.MustEmbedded() in a pure rule's test
//	cal.IsWorkday(calendar.Date(2026, 10, 1)) // false (国庆节)
//	due := cal.AddWorkdays(received, 5)       // 5 working days later
//	sch, _ := cal.Schedule(ctx, q)            // working hours from the settings
//	late := sch.WorkingDuration(opened, closed) > 4*time.Hour
package calendar

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/settings"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

// Calendar is the kit instance: the embedded holiday table (its methods are promoted: IsWorkday, DayInfo,
// NextWorkday, AddWorkdays, WorkdaysBetween, Official, …), the working-hours setting, and the pages and API.
type Calendar struct {
	*Days
	DB *db.DB
	UI *web.UI
	// Clock stamps changes of the working hours and picks the current year of the calendar page; New sets the
	// system clock, the wiring may replace it with the program's clock.
	Clock clock.Clock
}

// New loads the embedded holiday data.
func New(d *db.DB, ui *web.UI) (*Calendar, error) {
	days, err := Embedded()
	if err != nil {
		return nil, err
	}
	return &Calendar{Days: days, DB: d, UI: ui, Clock: clock.System{}}, nil
}

// Hours returns the working-hours setting, or DefaultHours when none was saved (or a saved value no longer
// validates, so that a damaged setting never stops alarms and SLAs from working).
func (c *Calendar) Hours(ctx context.Context, q db.Q) (Hours, error) {
	var h Hours
	found, err := settings.Get(ctx, q, SettingsKey, &h)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &syn) && !errors.As(err, &typ) {
		return DefaultHours(), err
	}
	if err != nil || !found || h.Validate() != nil {
		return DefaultHours(), nil
	}
	return h, nil
}

// Schedule returns the holiday table combined with the current working hours. Load it once per batch of work
// (an alarm scan, a report) and ask it as often as needed.
func (c *Calendar) Schedule(ctx context.Context, q db.Q) (*Schedule, error) {
	h, err := c.Hours(ctx, q)
	if err != nil {
		return nil, err
	}
	return NewSchedule(c.Days, h)
}

// WorkingTime reports whether instant t is working time under the current setting (one settings read; use
// Schedule for many questions).
func (c *Calendar) WorkingTime(ctx context.Context, q db.Q, t time.Time) (bool, error) {
	s, err := c.Schedule(ctx, q)
	if err != nil {
		return false, err
	}
	return s.WorkingTime(t), nil
}

// WorkingDuration is the working time between two instants under the current setting (see
// Schedule.WorkingDuration).
func (c *Calendar) WorkingDuration(ctx context.Context, q db.Q, from, to time.Time) (time.Duration, error) {
	s, err := c.Schedule(ctx, q)
	if err != nil {
		return 0, err
	}
	return s.WorkingDuration(from, to), nil
}

// SaveHours validates and stores the working hours, audited with before and after in the same transaction.
func (c *Calendar) SaveHours(ctx context.Context, h Hours) (Hours, error) {
	h = h.Normalize()
	if err := h.Validate(); err != nil {
		return h, err
	}
	now := c.Clock.Now()
	err := c.DB.Tx(ctx, func(q db.Q) error {
		before, err := c.Hours(ctx, q)
		if err != nil {
			return err
		}
		if err := settings.Put(ctx, q, SettingsKey, h, now, audit.ActorFrom(ctx).Username); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "calendar.hours", ObjectType: "setting", ObjectKey: SettingsKey,
			Success: true, Before: before, After: h})
	})
	return h, err
}
