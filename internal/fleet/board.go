package fleet

import (
	"context"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/web"
)

// The dispatch board (派车调度) of the fleet centre: the vehicles (or the drivers) of the caller's scope as rows, the
// seven days of a week as columns, each dispatched, running or completed trip a block in the days it covers. The
// approved requests waiting for a vehicle stand beside it (web_trips.go).

// BoardDay is a column of the board.
type BoardDay struct {
	Date    string
	Weekday int // 1 = Monday … 7 = Sunday
	Off     bool
	Holiday string // the statutory holiday the day belongs to, "" for other days
	Today   bool
}

// BoardBlock is a trip in one day of a row.
type BoardBlock struct {
	TripID int64
	Status string
	Time   string // "08:30–12:00" on the day (from or until midnight for trips over several days)
	Where  string
}

// StatusName is the trip status in Chinese.
func (b BoardBlock) StatusName() string { return TripStatuses.Name(b.Status) }

// BoardCell is a day of a row.
type BoardCell struct {
	Off    bool // not a working day
	Blocks []BoardBlock
}

// BoardRow is a vehicle or a driver with its trips by day of the week.
type BoardRow struct {
	ID     int64
	Label  string
	Sub    string
	Sealed bool // the vehicle is sealed over statutory holidays
	Days   [7]BoardCell
}

// Board is a week of the board.
type Board struct {
	Week     string // the Monday
	Prev     string
	Next     string
	Days     []BoardDay
	Drivers  bool // rows are drivers rather than vehicles
	Rows     []BoardRow
	Total    int64
	Blocks   int
	Holidays []string
}

// weekStart is the Monday of the week of day in Asia/Shanghai.
func weekStart(day time.Time) time.Time {
	d := calendar.Midnight(day)
	wd := int(d.Weekday()+6) % 7 // Monday 0
	return d.AddDate(0, 0, -wd)
}

// BuildBoard reads a page of the board for the week starting on Monday week: the vehicles in use or sealed (or the
// active drivers) of the caller's scope, of orgID and its subtree when given, and their trips of the week.
func BuildBoard(ctx context.Context, q db.Q, sc auth.Scope, days *calendar.Days, week time.Time, drivers bool, orgID int64, l web.List, today string) (Board, error) {
	week = weekStart(week)
	end := week.AddDate(0, 0, 7)
	b := Board{Week: clock.Today(week), Prev: clock.Today(week.AddDate(0, 0, -7)), Next: clock.Today(end), Drivers: drivers}
	seen := map[string]bool{}
	for i := 0; i < 7; i++ {
		d := week.AddDate(0, 0, i)
		info := days.DayInfo(d)
		bd := BoardDay{Date: info.Date, Weekday: info.Weekday, Off: !info.Workday, Today: info.Date == today}
		if info.Holiday {
			bd.Holiday = info.Name
			if !seen[info.Name] {
				seen[info.Name] = true
				b.Holidays = append(b.Holidays, info.Name)
			}
		}
		b.Days = append(b.Days, bd)
	}
	tbl, col, name := "fleet_vehicles v", "v", "v.plate"
	where := "v.status IN ('in_use', 'sealed')"
	sub := "o.name || ' · ' || v.brand || v.model"
	sealed := "v.holiday_seal"
	if drivers {
		tbl, col, name = "fleet_drivers v JOIN people p ON p.id = v.person_id", "v", "p.name"
		where = "v.status = 'active'"
		sub = "o.name || ' · ' || v.license_class"
		sealed = "0"
	}
	cond, args := sc.OrgCond(col + ".org_id")
	where += " AND " + cond
	if orgID != 0 {
		var path string
		if err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", orgID).Scan(&path); err != nil {
			return b, err
		}
		where += " AND o.path LIKE ?"
		args = append(args, path+"%")
	}
	if l.Q != "" {
		where += " AND (" + name + " LIKE ? OR o.name LIKE ?)"
		args = append(args, "%"+l.Q+"%", "%"+l.Q+"%")
	}
	from := " FROM " + tbl + " JOIN orgs o ON o.id = " + col + ".org_id WHERE " + where
	var err error
	if b.Total, err = db.Count(ctx, q, "SELECT COUNT(*)"+from, args...); err != nil {
		return b, err
	}
	rows, err := db.Select(ctx, q, func(s db.Scanner) (BoardRow, error) {
		var r BoardRow
		var seal int
		err := s.Scan(&r.ID, &r.Label, &r.Sub, &seal)
		r.Sealed = seal != 0
		r.Sub = strings.TrimSuffix(r.Sub, " · ")
		for i := range r.Days {
			r.Days[i].Off = b.Days[i].Off
		}
		return r, err
	}, "SELECT "+col+".id, "+name+", "+sub+", "+sealed+from+" ORDER BY o.path, "+name+", "+col+".id LIMIT ? OFFSET ?", append(args, l.PageSize, l.Offset())...)
	if err != nil || len(rows) == 0 {
		b.Rows = rows
		return b, err
	}
	idx := make(map[int64]int, len(rows))
	ids := make([]any, 0, len(rows)+2)
	for i, r := range rows {
		idx[r.ID] = i
		ids = append(ids, r.ID)
	}
	ref := "t.vehicle_id"
	if drivers {
		ref = "t.driver_id"
	}
	type tr struct {
		id, ref      int64
		status, dest string
		start, end   int64
	}
	trips, err := db.Select(ctx, q, func(s db.Scanner) (tr, error) {
		var x tr
		return x, s.Scan(&x.id, &x.ref, &x.status, &x.dest, &x.start, &x.end)
	}, "SELECT t.id, "+ref+", t.status, t.destination, t.start_at, t.end_at FROM fleet_trips t WHERE t.status IN ('dispatched', 'in_progress', 'completed') AND "+
		ref+" IN ("+db.In(len(ids))+") AND t.start_at < ? AND t.end_at > ? ORDER BY t.start_at, t.id", append(ids, end.Unix(), week.Unix())...)
	if err != nil {
		return b, err
	}
	for _, x := range trips {
		i, ok := idx[x.ref]
		if !ok {
			continue
		}
		b.Blocks += place(&rows[i], week, x.id, x.status, x.dest, x.start, x.end)
	}
	b.Rows = rows
	return b, nil
}

// BuildHireBoard adds the hire pool to a week of the board: the active vehicles of the contracts in scope in force
// during the week, with their trips.
func BuildHireBoard(ctx context.Context, q db.Q, sc auth.Scope, b Board) ([]BoardRow, error) {
	if len(b.Days) != 7 {
		return nil, nil
	}
	cond, args := sc.OrgCond("c.org_id")
	rows, err := db.Select(ctx, q, func(s db.Scanner) (BoardRow, error) {
		var r BoardRow
		err := s.Scan(&r.ID, &r.Label, &r.Sub)
		for i := range r.Days {
			r.Days[i].Off = b.Days[i].Off
		}
		return r, err
	}, `SELECT v.id, v.plate, c.company || ' · ' || v.seats || '座' FROM fleet_hire_vehicles v JOIN fleet_hire_contracts c ON c.id = v.contract_id
		WHERE v.status = 'active' AND c.valid_from <= ? AND c.valid_to >= ? AND `+cond+" ORDER BY c.company, v.plate LIMIT 200",
		append([]any{b.Days[6].Date, b.Days[0].Date}, args...)...)
	if err != nil || len(rows) == 0 {
		return rows, err
	}
	week, err := time.ParseInLocation(time.DateOnly, b.Week, clock.Shanghai)
	if err != nil {
		return nil, err
	}
	idx := make(map[int64]int, len(rows))
	ids := make([]any, 0, len(rows))
	for i, r := range rows {
		idx[r.ID] = i
		ids = append(ids, r.ID)
	}
	type tr struct {
		id, ref      int64
		status, dest string
		start, end   int64
	}
	trips, err := db.Select(ctx, q, func(s db.Scanner) (tr, error) {
		var x tr
		return x, s.Scan(&x.id, &x.ref, &x.status, &x.dest, &x.start, &x.end)
	}, "SELECT t.id, t.hire_vehicle_id, t.status, t.destination, t.start_at, t.end_at FROM fleet_trips t WHERE t.status IN ('dispatched', 'in_progress', 'completed') AND t.hire_vehicle_id IN ("+
		db.In(len(ids))+") AND t.start_at < ? AND t.end_at > ? ORDER BY t.start_at, t.id", append(ids, week.AddDate(0, 0, 7).Unix(), week.Unix())...)
	if err != nil {
		return nil, err
	}
	for _, x := range trips {
		i := idx[x.ref]
		place(&rows[i], week, x.id, x.status, x.dest, x.start, x.end)
	}
	return rows, nil
}

// place puts a trip into the days of the week (starting at midnight week) it covers; it answers the blocks added.
func place(r *BoardRow, week time.Time, id int64, status, dest string, start, end int64) int {
	s, e := time.Unix(start, 0).In(clock.Shanghai), time.Unix(end, 0).In(clock.Shanghai)
	n := 0
	for d := 0; d < 7; d++ {
		ds, de := week.AddDate(0, 0, d), week.AddDate(0, 0, d+1)
		if !s.Before(de) || !e.After(ds) {
			continue
		}
		from, to := "00:00", "24:00"
		if !s.Before(ds) {
			from = s.Format("15:04")
		}
		if e.Before(de) {
			to = e.Format("15:04")
		}
		r.Days[d].Blocks = append(r.Days[d].Blocks, BoardBlock{TripID: id, Status: status, Time: from + "–" + to, Where: dest})
		n++
	}
	return n
}
