package services

import (
	"context"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

// The day and week grid of meeting rooms (docs/domain/services.md §Meeting rooms).

// The day grid shows half hours from gridFrom to gridTo o'clock (a display range; bookings outside it still count).
const (
	gridFrom = 8
	gridTo   = 20
	slot     = 30 * time.Minute
)

// Cell is a stretch of a room's day: a booking (Span half hours) or one free half hour.
type Cell struct {
	Span    int
	Booking *Booking
	Start   string // a free slot's start, for the booking form ("2026-11-16T09:00")
	Past    bool
}

// GridRow is one room of the grid: its day cells (day view) or its bookings per day (week view).
type GridRow struct {
	Room  MeetingRoom
	Cells []Cell
	Days  [][]Booking
}

// Grid is the meeting rooms of a unit over a day or a week.
type Grid struct {
	Week     bool
	Day      string // the day shown (day view) or the week's Monday
	Days     []calendar.Day
	Slots    []string // the day view's half-hour labels
	Rows     []GridRow
	Prev     string
	Next     string
	Today    string
	Bookings int
}

// BuildGrid builds the grid of the rooms in scope (of unit orgID when not 0) for day (its week when week).
func (s *Service) BuildGrid(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, day time.Time, week bool) (Grid, error) {
	now := s.Clock.Now()
	day = calendar.Midnight(day.In(clock.Shanghai))
	g := Grid{Week: week, Today: clock.Today(now)}
	from, n := day, 1
	if week {
		from = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
		n = 7
	}
	to := from.AddDate(0, 0, n)
	g.Day = from.Format(time.DateOnly)
	g.Prev, g.Next = from.AddDate(0, 0, -n).Format(time.DateOnly), to.Format(time.DateOnly)
	sch, err := s.Calendar.Schedule(ctx, q)
	if err != nil {
		return g, err
	}
	g.Days = sch.Days().Range(from, to.AddDate(0, 0, -1))
	rooms, err := s.MeetingRooms(ctx, q, sc, orgID)
	if err != nil {
		return g, err
	}
	bookings, _, err := ListBookings(ctx, q, sc, BookingFilter{List: web.List{Page: 1, PageSize: 100000}, OrgID: 0, Active: true, From: from, To: to})
	if err != nil {
		return g, err
	}
	byRoom := map[int64][]Booking{}
	for _, b := range bookings {
		byRoom[b.RoomID] = append(byRoom[b.RoomID], b)
	}
	if !week {
		for t := from.Add(gridFrom * time.Hour); t.Before(from.Add(gridTo * time.Hour)); t = t.Add(slot) {
			g.Slots = append(g.Slots, t.Format("15:04"))
		}
	}
	for _, r := range rooms {
		row := GridRow{Room: r}
		bs := byRoom[r.ID]
		g.Bookings += len(bs)
		if week {
			row.Days = make([][]Booking, n)
			for _, b := range bs {
				for i := range n {
					d0 := from.AddDate(0, 0, i)
					if overlaps(b.StartAt, b.EndAt, d0, d0.AddDate(0, 0, 1)) {
						row.Days[i] = append(row.Days[i], b)
					}
				}
			}
		} else {
			row.Cells = dayCells(from, bs, now)
		}
		g.Rows = append(g.Rows, row)
	}
	return g, nil
}

// dayCells lays a room's bookings over the half hours of the day grid.
func dayCells(day time.Time, bs []Booking, now time.Time) []Cell {
	var out []Cell
	t, end := day.Add(gridFrom*time.Hour), day.Add(gridTo*time.Hour)
	for t.Before(end) {
		var hit *Booking
		for i := range bs {
			if overlaps(bs[i].StartAt, bs[i].EndAt, t, t.Add(slot)) {
				hit = &bs[i]
				break
			}
		}
		if hit == nil {
			out = append(out, Cell{Span: 1, Start: t.In(clock.Shanghai).Format("2006-01-02T15:04"), Past: !t.Add(slot).After(now)})
			t = t.Add(slot)
			continue
		}
		span := 0
		for t.Before(end) && overlaps(hit.StartAt, hit.EndAt, t, t.Add(slot)) {
			span++
			t = t.Add(slot)
		}
		out = append(out, Cell{Span: span, Booking: hit})
	}
	return out
}
