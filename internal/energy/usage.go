package energy

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/govops/govops/internal/platform/db"
)

// Usage is one row of energy_usage: a unit's effective monthly figures for a year and type. M[i] is month i+1;
// Has[i] whether the month has a figure, Entry[i] whether it is an authoritative entry (else main meters).
type Usage struct {
	OrgID      int64
	Year       int
	EnergyType string
	M          [12]float64
	Has        [12]bool
	Entry      [12]bool
}

// Total is the sum of the months with a figure.
func (u Usage) Total() float64 {
	t := 0.0
	for i, v := range u.M {
		if u.Has[i] {
			t += v
		}
	}
	return t
}

func (u Usage) masks() (data, entry int64) {
	for i := range u.M {
		if u.Has[i] {
			data |= 1 << i
		}
		if u.Entry[i] {
			entry |= 1 << i
		}
	}
	return
}

// monthCols is "m01, m02, …, m12".
var monthCols = func() string {
	var parts []string
	for m := 1; m <= 12; m++ {
		parts = append(parts, fmt.Sprintf("m%02d", m))
	}
	return strings.Join(parts, ", ")
}()

// orgLockKey serialises the recomputation of one unit's figures on PostgreSQL (an entry and a meter roll-up for
// the same month must not interleave); SQLite write transactions are exclusive already.
func orgLockKey(orgID int64) int64 { return 0x656e6572<<32 | (orgID & 0xffffffff) }

// lockUsage prepares a transaction that recomputes several unit figures (a roll-up of many meters, an import):
// it takes the units' locks in ascending order, then marks the years changed in ascending order, and returns the
// keys sorted. A transaction that recomputes a figure thus waits for a unit's lock while holding no version row,
// and two of them never wait for each other in a circle (on PostgreSQL, two instances rolling up meters of the
// same units at once deadlocked: one held unit 1 and year 2025's version row and wanted unit 2, the other held
// unit 2 and wanted the version row). recomputeUsage takes the same lock again, which is then free.
func lockUsage(ctx context.Context, q db.Q, keys map[usageKey]bool) ([]usageKey, error) {
	ks := make([]usageKey, 0, len(keys))
	for k := range keys {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		a, b := ks[i], ks[j]
		if a.OrgID != b.OrgID {
			return a.OrgID < b.OrgID
		}
		if a.Year != b.Year {
			return a.Year < b.Year
		}
		return a.Type < b.Type
	})
	years := make([]int, 0, 2)
	for i, k := range ks {
		if i == 0 || k.OrgID != ks[i-1].OrgID {
			if err := db.Lock(ctx, q, orgLockKey(k.OrgID)); err != nil {
				return nil, err
			}
		}
		years = append(years, k.Year)
	}
	sort.Ints(years)
	return ks, bumpVersion(ctx, q, years...)
}

// recomputeUsage rebuilds the effective figures of (unit, year, type): for each month the statistics entry if
// there is one, else the sum of the unit's main meters (no sub-item, no parent meter, not an export point) for
// that month, else none.
// It runs in the caller's transaction after any change to entries or meter roll-ups.
func recomputeUsage(ctx context.Context, q db.Q, orgID int64, year int, typ string) error {
	if err := db.Lock(ctx, q, orgLockKey(orgID)); err != nil {
		return err
	}
	u := Usage{OrgID: orgID, Year: year, EnergyType: typ}
	from, to := fmt.Sprintf("%04d-01", year), fmt.Sprintf("%04d-12", year)
	rows, err := q.Query(ctx, `SELECT mm.period, SUM(mm.amount) FROM energy_meter_monthly mm JOIN energy_meters m ON m.id = mm.meter_id
		WHERE m.org_id = ? AND m.energy_type = ? AND m.sub_item = '' AND m.parent_id IS NULL AND m.role = '' AND mm.period >= ? AND mm.period <= ?
		GROUP BY mm.period`, orgID, typ, from, to)
	if err != nil {
		return err
	}
	for rows.Next() {
		var p string
		var v float64
		if err := rows.Scan(&p, &v); err != nil {
			rows.Close()
			return err
		}
		if pp, ok := ParsePeriod(p); ok {
			u.M[pp.Month-1], u.Has[pp.Month-1] = v, true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.Query(ctx, "SELECT period, amount FROM energy_consumption WHERE org_id = ? AND energy_type = ? AND period >= ? AND period <= ?",
		orgID, typ, from, to)
	if err != nil {
		return err
	}
	for rows.Next() {
		var p string
		var v float64
		if err := rows.Scan(&p, &v); err != nil {
			rows.Close()
			return err
		}
		if pp, ok := ParsePeriod(p); ok {
			i := pp.Month - 1
			u.M[i], u.Has[i], u.Entry[i] = v, true, true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return writeUsage(ctx, q, []Usage{u})
}

// bumpVersion marks the figures of the given years changed (see cache.go), in the caller's transaction.
func bumpVersion(ctx context.Context, q db.Q, years ...int) error {
	seen := map[int]bool{}
	for _, y := range years {
		if seen[y] {
			continue
		}
		seen[y] = true
		if _, err := q.Exec(ctx, `INSERT INTO energy_usage_versions (year, version) VALUES (?, 1)
			ON CONFLICT (year) DO UPDATE SET version = energy_usage_versions.version + 1`, y); err != nil {
			return err
		}
	}
	return nil
}

// writeUsage replaces usage rows (deleting those with no month left).
func writeUsage(ctx context.Context, q db.Q, us []Usage) error {
	years := make([]int, 0, 1)
	for _, u := range us {
		years = append(years, u.Year)
	}
	if err := bumpVersion(ctx, q, years...); err != nil {
		return err
	}
	pairs := make(map[[2]int64]bool, len(us))
	for _, u := range us {
		pairs[[2]int64{u.OrgID, int64(u.Year)}] = true
	}
	return sumUsageChange(ctx, q, pairs, func() error { return replaceUsage(ctx, q, us) })
}

// replaceUsage is writeUsage's DELETE and INSERT.
func replaceUsage(ctx context.Context, q db.Q, us []Usage) error {
	const batch = 300
	var keep []Usage
	for _, u := range us {
		if _, err := q.Exec(ctx, "DELETE FROM energy_usage WHERE org_id = ? AND year = ? AND energy_type = ?", u.OrgID, u.Year, u.EnergyType); err != nil {
			return err
		}
		if d, _ := u.masks(); d != 0 {
			keep = append(keep, u)
		}
	}
	for start := 0; start < len(keep); start += batch {
		part := keep[start:min(start+batch, len(keep))]
		var sb strings.Builder
		args := make([]any, 0, len(part)*18)
		for i, u := range part {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, u.OrgID, u.Year, u.EnergyType)
			for m := 0; m < 12; m++ {
				if u.Has[m] {
					args = append(args, u.M[m])
				} else {
					args = append(args, nil)
				}
			}
			d, e := u.masks()
			args = append(args, u.Total(), d, e)
		}
		if _, err := q.Exec(ctx, "INSERT INTO energy_usage (org_id, year, energy_type, "+monthCols+", total, data_mask, entry_mask) VALUES "+sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// GetUsage loads the usage rows of one unit and year, one per type that has any figure. The caller has checked
// that the unit is in scope (org.GetOrg).
func GetUsage(ctx context.Context, q db.Q, orgID int64, year int) ([]Usage, error) {
	return db.Select(ctx, q, scanUsage, "SELECT org_id, year, energy_type, "+monthCols+", data_mask, entry_mask FROM energy_usage WHERE org_id = ? AND year = ?",
		orgID, year)
}

func scanUsage(s db.Scanner) (Usage, error) {
	var u Usage
	var ms [12]sql.NullFloat64
	var d, e int64
	dest := []any{&u.OrgID, &u.Year, &u.EnergyType}
	for i := range ms {
		dest = append(dest, &ms[i])
	}
	dest = append(dest, &d, &e)
	if err := s.Scan(dest...); err != nil {
		return u, err
	}
	for i := range ms {
		u.M[i] = ms[i].Float64
		u.Has[i] = d&(1<<i) != 0
		u.Entry[i] = e&(1<<i) != 0
	}
	return u, nil
}
