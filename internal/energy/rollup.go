package energy

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/settings"
)

// DetectionKey is the settings key of the anomaly rules.
const DetectionKey = "energy.detection"

// LoadDetection reads the anomaly rules from settings (defaults when never saved).
func LoadDetection(ctx context.Context, q db.Q) (Detection, error) {
	d := DefaultDetection
	if _, err := settings.Get(ctx, q, DetectionKey, &d); err != nil {
		return DefaultDetection, err
	}
	if d.GapFactor < 1 || d.SpikeFactor < 1 || d.Window < 1 || d.MinHistory < 1 {
		return DefaultDetection, nil
	}
	return d, nil
}

// SaveDetection stores the anomaly rules (audited). They apply to roll-ups computed afterwards.
func (s *Service) SaveDetection(ctx context.Context, d Detection) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		before, err := LoadDetection(ctx, q)
		if err != nil {
			return err
		}
		if err := settings.Put(ctx, q, DetectionKey, d, now, audit.ActorFrom(ctx).Username); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.settings", ObjectType: "setting", ObjectKey: DetectionKey, Success: true, Before: before, After: d})
	})
}

// markDirty queues meters for roll-up from the given instants (meter → earliest new reading), in the caller's
// transaction: an existing mark keeps the earlier instant and gets a new sequence number.
func markDirty(ctx context.Context, q db.Q, from map[int64]int64) error {
	if len(from) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(from))
	for id := range from {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	seq := time.Now().UnixNano()
	const batch = 500
	for start := 0; start < len(ids); start += batch {
		part := ids[start:min(start+batch, len(ids))]
		var sb strings.Builder
		args := make([]any, 0, len(part)*3)
		for i, id := range part {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?, ?, ?)")
			args = append(args, id, from[id], seq)
		}
		if _, err := q.Exec(ctx, "INSERT INTO energy_rollup_queue (meter_id, from_ts, seq) VALUES "+sb.String()+
			` ON CONFLICT (meter_id) DO UPDATE SET from_ts = CASE WHEN excluded.from_ts < energy_rollup_queue.from_ts
			THEN excluded.from_ts ELSE energy_rollup_queue.from_ts END, seq = excluded.seq`, args...); err != nil {
			return err
		}
	}
	return nil
}

type queued struct {
	MeterID, From, Seq int64
}

// meterLockKey serialises roll-ups of one meter across replicas on PostgreSQL.
func meterLockKey(id int64) int64 { return 0x656e6d74<<32 | (id & 0xffffffff) }

// usageKey is a unit figure to recompute.
type usageKey struct {
	OrgID int64
	Year  int
	Type  string
}

// rollupQueued processes up to limit queued meters, each in its own transaction, and reports how many it did.
func (s *Service) rollupQueued(ctx context.Context, limit int) (int, error) {
	items, err := db.Select(ctx, s.DB, func(sc db.Scanner) (queued, error) {
		var x queued
		return x, sc.Scan(&x.MeterID, &x.From, &x.Seq)
	}, "SELECT meter_id, from_ts, seq FROM energy_rollup_queue ORDER BY meter_id LIMIT ?", limit)
	if err != nil || len(items) == 0 {
		return 0, err
	}
	det, err := LoadDetection(ctx, s.DB)
	if err != nil {
		return 0, err
	}
	// Meters are rolled up in chunks, one transaction each, and the unit figures they touch are recomputed once
	// per chunk (a thousand main meters of one unit recompute that unit's month once, not a thousand times).
	const chunk = 25
	done := 0
	for start := 0; start < len(items); start += chunk {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		part := items[start:min(start+chunk, len(items))]
		t0 := time.Now()
		err := s.DB.Tx(ctx, func(q db.Q) error {
			keys := map[usageKey]bool{}
			from := make(map[int64]int64, len(part))
			for _, it := range part {
				if err := db.Lock(ctx, q, meterLockKey(it.MeterID)); err != nil {
					return err
				}
				// Read the mark again under the meter's lock: another instance may have rolled the meter up
				// since the list was read (the mark is gone: nothing to do), or new readings moved it.
				err := q.QueryRow(ctx, "SELECT from_ts, seq FROM energy_rollup_queue WHERE meter_id = ?", it.MeterID).Scan(&it.From, &it.Seq)
				if db.IsNoRows(err) {
					continue
				}
				if err != nil {
					return err
				}
				from[it.MeterID] = it.From
				ks, err := rollupMeter(ctx, q, it.MeterID, it.From, det, s.Clock.Now())
				if err != nil {
					return fmt.Errorf("meter %d: %w", it.MeterID, err)
				}
				for k := range ks {
					keys[k] = true
				}
				if _, err := q.Exec(ctx, "DELETE FROM energy_rollup_queue WHERE meter_id = ? AND seq = ?", it.MeterID, it.Seq); err != nil {
					return err
				}
			}
			ks, err := lockUsage(ctx, q, keys)
			if err != nil {
				return err
			}
			for _, k := range ks {
				if err := s.recomputeOrHold(ctx, q, k); err != nil {
					return err
				}
			}
			return rollupDependents(ctx, q, from)
		})
		if err != nil {
			return done, fmt.Errorf("roll-up: %w", err)
		}
		done += len(part)
		// Roll-ups are background work: leave the database free as long as they held it, so other writers (a
		// person saving a form, a session touch) are not starved — SQLite has one writer and no queue for it.
		yieldLock(time.Since(t0), 1)
	}
	return done, nil
}

// recomputeOrHold recomputes a unit figure from its meters, unless the unit's year is locked: then the figure
// stays as approved and the change is held (energy_usage_held) until ReleaseHeld, which the report calls when it
// is reopened.
func (s *Service) recomputeOrHold(ctx context.Context, q db.Q, k usageKey) error {
	if err := s.checkLock(ctx, q, k.OrgID, k.Year); err != nil {
		if !errs.Is(err, errs.CodeConflict) {
			return err
		}
		_, err := q.Exec(ctx, `INSERT INTO energy_usage_held (org_id, year, energy_type, since) VALUES (?, ?, ?, ?)
			ON CONFLICT (org_id, year, energy_type) DO NOTHING`, k.OrgID, k.Year, k.Type, s.Clock.Now().Unix())
		return err
	}
	return recomputeUsage(ctx, q, k.OrgID, k.Year, k.Type)
}

// Held lists the energy types of (unit, year) whose meter data changed after the year was locked and is not in
// the unit's figures yet.
func Held(ctx context.Context, q db.Q, orgID int64, year int) ([]string, error) {
	return db.Strings(ctx, q, "SELECT energy_type FROM energy_usage_held WHERE org_id = ? AND year = ? ORDER BY energy_type", orgID, year)
}

// ReleaseHeld recomputes the figures of (unit, year) held while the year was locked, in the caller's transaction
// (the report's reopen), and reports the energy types it recomputed.
func (s *Service) ReleaseHeld(ctx context.Context, q db.Q, orgID int64, year int) ([]string, error) {
	types, err := Held(ctx, q, orgID, year)
	if err != nil || len(types) == 0 {
		return nil, err
	}
	for _, t := range types {
		if err := recomputeUsage(ctx, q, orgID, year, t); err != nil {
			return nil, err
		}
	}
	_, err = q.Exec(ctx, "DELETE FROM energy_usage_held WHERE org_id = ? AND year = ?", orgID, year)
	return types, err
}

// yieldLock pauses the single writer after a transaction that took d, for share × d (at most 100 ms): long enough
// for another connection's busy handler, which retries every few to 100 ms, to take its turn.
func yieldLock(d time.Duration, share float64) {
	p := time.Duration(float64(d) * share)
	if p > 100*time.Millisecond {
		p = 100 * time.Millisecond
	}
	if p > 0 {
		time.Sleep(p)
	}
}

// rollupMeter recomputes a meter's hourly, daily and monthly roll-ups and anomalies from the hour holding from−1
// on, and returns the unit figures to recompute (for main meters).
func rollupMeter(ctx context.Context, q db.Q, meterID, from int64, det Detection, now time.Time) (map[usageKey]bool, error) {
	var m Meter
	var parent int64
	err := q.QueryRow(ctx, "SELECT org_id, energy_type, sub_item, COALESCE(parent_id, 0), multiplier, cumulative, interval_s FROM energy_meters WHERE id = ?", meterID).
		Scan(&m.OrgID, &m.EnergyType, &m.SubItem, &parent, &m.Multiplier, &m.Cumulative, &m.IntervalS)
	if db.IsNoRows(err) {
		return nil, nil // a reading for a meter that no longer exists: nothing to roll up
	}
	if err != nil {
		return nil, err
	}
	m.ID, m.ParentID = meterID, parent
	spec := MeterSpec{Cumulative: m.Cumulative, Multiplier: m.Multiplier, IntervalS: m.IntervalS}
	h0 := HourOf(from)
	excluded := map[int64]bool{}
	ex, err := db.Int64s(ctx, q, "SELECT ts FROM energy_excluded_readings WHERE meter_id = ?", meterID)
	if err != nil {
		return nil, err
	}
	for _, ts := range ex {
		excluded[ts] = true
	}
	scanPt := func(sc db.Scanner) (Point, error) { var p Point; return p, sc.Scan(&p.TS, &p.Value) }
	hist, err := db.Select(ctx, q, scanPt, "SELECT ts, value FROM energy_readings WHERE meter_id = ? AND ts <= ? ORDER BY ts DESC LIMIT ?",
		meterID, h0, det.Window+1+len(ex))
	if err != nil {
		return nil, err
	}
	history := make([]Point, 0, len(hist))
	for i := len(hist) - 1; i >= 0; i-- {
		if !excluded[hist[i].TS] {
			history = append(history, hist[i])
		}
	}
	all, err := db.Select(ctx, q, scanPt, "SELECT ts, value FROM energy_readings WHERE meter_id = ? AND ts > ? ORDER BY ts", meterID, h0)
	if err != nil {
		return nil, err
	}
	pts := all[:0]
	for _, p := range all {
		if !excluded[p.TS] {
			pts = append(pts, p)
		}
	}
	resolved := map[AnomalyKey]Resolution{}
	type anomRow struct {
		Kind, Status, Resolution string
		TS                       int64
		Amount                   float64
	}
	anoms, err := db.Select(ctx, q, func(sc db.Scanner) (anomRow, error) {
		var a anomRow
		return a, sc.Scan(&a.Kind, &a.TS, &a.Status, &a.Resolution, &a.Amount)
	}, "SELECT kind, ts, status, resolution, resolved_amount FROM energy_anomalies WHERE meter_id = ? AND ts > ?", meterID, h0)
	if err != nil {
		return nil, err
	}
	for _, a := range anoms {
		resolved[AnomalyKey{a.Kind, a.TS}] = Resolution{Status: a.Status, Resolution: a.Resolution, Amount: a.Amount}
	}
	ivs := Intervals(spec, history, pts, det, resolved)

	// Anomalies: record new ones, drop open ones no longer detected (a late reading filled the gap, a reading was
	// excluded); decisions already taken stay as history.
	detected := map[AnomalyKey]bool{}
	for _, iv := range ivs {
		for _, k := range iv.Kinds {
			detected[AnomalyKey{k, iv.To}] = true
			if _, ok := resolved[AnomalyKey{k, iv.To}]; ok {
				continue
			}
			if _, err := q.Exec(ctx, `INSERT INTO energy_anomalies (meter_id, org_id, kind, ts, prev_ts, prev_value, value, amount, expected, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (meter_id, kind, ts) DO NOTHING`,
				meterID, m.OrgID, k, iv.To, iv.From, iv.PrevValue, iv.Value, iv.Raw, iv.Expected, now.Unix()); err != nil {
				return nil, err
			}
		}
	}
	for _, a := range anoms {
		if a.Status == "open" && !detected[AnomalyKey{a.Kind, a.TS}] {
			if _, err := q.Exec(ctx, "DELETE FROM energy_anomalies WHERE meter_id = ? AND kind = ? AND ts = ? AND status = 'open'", meterID, a.Kind, a.TS); err != nil {
				return nil, err
			}
		}
	}

	// Hours from h0 on are fully determined by the readings after h0.
	hours := Hourly(ivs)
	if _, err := q.Exec(ctx, "DELETE FROM energy_meter_hourly WHERE meter_id = ? AND hour >= ?", meterID, h0); err != nil {
		return nil, err
	}
	if err := insertBuckets(ctx, q, "energy_meter_hourly", "hour", meterID, hours); err != nil {
		return nil, err
	}
	// Days from the day of h0: regroup that day's earlier hours with the new ones.
	d0 := DayOf(h0)
	hrs, err := selectBuckets(ctx, q, "SELECT hour, amount, readings FROM energy_meter_hourly WHERE meter_id = ? AND hour >= ? ORDER BY hour", meterID, d0)
	if err != nil {
		return nil, err
	}
	days := regroup(hrs, DayOf)
	if _, err := q.Exec(ctx, "DELETE FROM energy_meter_daily WHERE meter_id = ? AND day >= ?", meterID, d0); err != nil {
		return nil, err
	}
	if err := insertBuckets(ctx, q, "energy_meter_daily", "day", meterID, days); err != nil {
		return nil, err
	}
	// Months from the month of d0.
	p0 := PeriodOf(d0)
	dys, err := selectBuckets(ctx, q, "SELECT day, amount, readings FROM energy_meter_daily WHERE meter_id = ? AND day >= ? ORDER BY day", meterID, p0.Start().Unix())
	if err != nil {
		return nil, err
	}
	months := regroup(dys, monthKey)
	oldPeriods, err := db.Strings(ctx, q, "SELECT period FROM energy_meter_monthly WHERE meter_id = ? AND period >= ?", meterID, p0.String())
	if err != nil {
		return nil, err
	}
	if _, err := q.Exec(ctx, "DELETE FROM energy_meter_monthly WHERE meter_id = ? AND period >= ?", meterID, p0.String()); err != nil {
		return nil, err
	}
	keys := map[usageKey]bool{}
	if len(months) > 0 {
		var sb strings.Builder
		args := make([]any, 0, len(months)*4)
		for i, b := range months {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?, ?, ?, ?)")
			p := PeriodOf(b.Start)
			args = append(args, meterID, p.String(), b.Amount, b.Readings)
			keys[usageKey{m.OrgID, p.Year, m.EnergyType}] = true
		}
		if _, err := q.Exec(ctx, "INSERT INTO energy_meter_monthly (meter_id, period, amount, readings) VALUES "+sb.String(), args...); err != nil {
			return nil, err
		}
	}
	for _, p := range oldPeriods {
		if pp, ok := ParsePeriod(p); ok {
			keys[usageKey{m.OrgID, pp.Year, m.EnergyType}] = true
		}
	}
	if len(all) > 0 {
		last := all[len(all)-1].TS
		if _, err := q.Exec(ctx, "UPDATE energy_meters SET last_ts = ? WHERE id = ? AND last_ts < ?", last, meterID, last); err != nil {
			return nil, err
		}
	}
	if !m.Main() {
		return nil, nil
	}
	return keys, nil
}

func selectBuckets(ctx context.Context, q db.Q, query string, args ...any) ([]Bucket, error) {
	return db.Select(ctx, q, func(sc db.Scanner) (Bucket, error) {
		var b Bucket
		return b, sc.Scan(&b.Start, &b.Amount, &b.Readings)
	}, query, args...)
}

func insertBuckets(ctx context.Context, q db.Q, table, col string, meterID int64, bs []Bucket) error {
	const batch = 1000
	for start := 0; start < len(bs); start += batch {
		part := bs[start:min(start+batch, len(bs))]
		var sb strings.Builder
		args := make([]any, 0, len(part)*4)
		for i, b := range part {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?, ?, ?, ?)")
			args = append(args, meterID, b.Start, b.Amount, b.Readings)
		}
		if _, err := q.Exec(ctx, "INSERT INTO "+table+" (meter_id, "+col+", amount, readings) VALUES "+sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// rollupJob is the periodic safety net: it drains the roll-up queue through the writer (which does the work
// after every batch anyway), so a backlog left by a restart is caught up.
func (s *Service) rollupJob(ctx context.Context) (string, error) {
	n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM energy_rollup_queue")
	if err != nil || n == 0 {
		return "没有待汇总的计量表", err
	}
	if err := s.writer().sync(ctx, 0, 9*time.Minute); err != nil {
		return "", err
	}
	left, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM energy_rollup_queue")
	return fmt.Sprintf("已汇总 %d 块计量表的读数，剩余 %d", n-left, left), err
}
