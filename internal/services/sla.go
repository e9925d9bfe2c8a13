package services

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/refdata"
)

// Reference data kinds of the module (docs/domain/README.md §Reference datasets in the code).
const (
	KindSLA   = "services.sla"   // response and resolution working hours by repair category
	KindRules = "services.rules" // booking rules: no-show grace, longest booking, advance days
)

// Datasets are the module's reference data files, registered with the reference-data kit at wiring.
func Datasets() []refdata.Dataset { return []refdata.Dataset{embeddedSLA(), embeddedRules()} }

var (
	embeddedSLA   = sync.OnceValue(func() refdata.Dataset { return refdata.MustLoad(dataFS, "data/sla.csv") })
	embeddedRules = sync.OnceValue(func() refdata.Dataset { return refdata.MustLoad(dataFS, "data/rules.csv") })
)

// SLA is a category's service times in working hours.
type SLA struct {
	Category      string  `json:"category"`
	ResponseHours float64 `json:"response_hours"`
	ResolveHours  float64 `json:"resolve_hours"`
	Source        string  `json:"source"`
}

// LoadSLA reads the SLA of category in force on date for a unit of region (province overrides win).
func LoadSLA(ctx context.Context, q db.Q, category, date, region string) (SLA, error) {
	t, err := refdata.LoadTable(ctx, q, KindSLA, date)
	if err != nil {
		return SLA{}, err
	}
	out := SLA{Category: category}
	for _, k := range []struct {
		key string
		v   *float64
	}{{category + ".response", &out.ResponseHours}, {category + ".resolve", &out.ResolveHours}} {
		r, ok := t.Lookup(k.key, region)
		if !ok {
			return SLA{}, fmt.Errorf("services.sla: no row %s", k.key)
		}
		*k.v, out.Source = r.Value, r.SourceDoc
	}
	return out, nil
}

// LoadRules reads services.rules in force on date.
func LoadRules(ctx context.Context, q db.Q, date, region string) (BookingRules, error) {
	t, err := refdata.LoadTable(ctx, q, KindRules, date)
	if err != nil {
		return BookingRules{}, err
	}
	get := func(key string) (float64, error) {
		r, ok := t.Lookup(key, region)
		if !ok {
			return 0, fmt.Errorf("services.rules: no row %s", key)
		}
		return r.Value, nil
	}
	var out BookingRules
	for _, k := range []struct {
		key  string
		unit time.Duration
		v    *time.Duration
	}{{"no_show_minutes", time.Minute, &out.NoShow}, {"max_booking_hours", time.Hour, &out.MaxLength}, {"advance_days", 24 * time.Hour, &out.AdvanceMax}} {
		v, err := get(k.key)
		if err != nil {
			return out, err
		}
		*k.v = time.Duration(v * float64(k.unit))
	}
	return out, nil
}

// dueTimes are the response and resolution deadlines of an order reported at 'at': the SLA's working hours added
// on the official working calendar and the organisation's working hours (docs/domain/services.md §SLA).
func (s *Service) dueTimes(ctx context.Context, q db.Q, sla SLA, at time.Time) (response, resolve time.Time, err error) {
	sch, err := s.Calendar.Schedule(ctx, q)
	if err != nil {
		return
	}
	hours := func(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }
	return sch.AddWorkingTime(at, hours(sla.ResponseHours)), sch.AddWorkingTime(at, hours(sla.ResolveHours)), nil
}
