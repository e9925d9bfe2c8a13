package space

import (
	"context"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/num"
)

// The compliance scan keeps space_violations in step with the register. Three paths feed it:
//
//   - every write of the module (rooms, occupants, 兼职 records, agreements) re-evaluates the rooms, people and units
//     it touched, in its own transaction (refresh);
//   - a list of violations for a unit re-evaluates that unit's rooms first (RefreshUnit), so changes made in the
//     spine (a person retired or promoted, a unit's level changed) and the passage of time (a retirement becoming
//     more than a month old) show at once;
//   - the hourly job, and the "检查" button, scan everything (Scan, fullscan.go) in big sorted passes.
//
// Each violation has a stable key (Finding.Key); syncing inserts new ones, updates changed ones, resolves the ones
// no longer found and reopens the ones found again, so rectification tasks keep pointing at the same row.

// storedViolation is a row of space_violations as the sync sees it.
type storedViolation struct {
	ID      int64
	Key     string
	OrgID   int64
	Actual  float64
	Allowed float64
	Detail  string
	Status  string
}

func round2(v float64) float64 { return num.Round(v, 2) }

// syncStats counts what a sync changed.
type syncStats struct{ Opened, Resolved, Changed int }

// syncFindings makes the stored violations of a domain equal to findings. stored holds every row of the domain (open
// and resolved); findings must lie in the same domain.
func syncFindings(ctx context.Context, q db.Q, now time.Time, findings []Finding, stored []storedViolation) (syncStats, error) {
	var st syncStats
	byKey := make(map[string]*storedViolation, len(stored))
	for i := range stored {
		byKey[stored[i].Key] = &stored[i]
	}
	seen := make(map[string]bool, len(findings))
	var inserts []Finding
	for _, f := range findings {
		k := f.Key()
		if seen[k] {
			continue
		}
		seen[k] = true
		old := byKey[k]
		if old == nil {
			inserts = append(inserts, f)
			continue
		}
		if old.Status == "open" && old.OrgID == f.OrgID && round2(old.Actual) == round2(f.ActualM2) && round2(old.Allowed) == round2(f.AllowedM2) && old.Detail == f.Detail {
			continue
		}
		if old.Status == "resolved" {
			st.Opened++
		} else {
			st.Changed++
		}
		if _, err := q.Exec(ctx, `UPDATE space_violations SET org_id = ?, actual_m2 = ?, allowed_m2 = ?, detail = ?, status = 'open', resolved_at = 0,
			changed_at = ? WHERE id = ?`, f.OrgID, round2(f.ActualM2), round2(f.AllowedM2), f.Detail, now.Unix(), old.ID); err != nil {
			return st, err
		}
	}
	var resolve []int64
	for _, old := range stored {
		if old.Status == "open" && !seen[old.Key] {
			resolve = append(resolve, old.ID)
		}
	}
	for start := 0; start < len(resolve); start += 500 {
		chunk := resolve[start:min(start+500, len(resolve))]
		if _, err := q.Exec(ctx, "UPDATE space_violations SET status = 'resolved', resolved_at = ?, changed_at = ? WHERE id IN ("+db.In(len(chunk))+")",
			append([]any{now.Unix(), now.Unix()}, db.Args(chunk)...)...); err != nil {
			return st, err
		}
	}
	st.Resolved = len(resolve)
	const per = 300
	for start := 0; start < len(inserts); start += per {
		chunk := inserts[start:min(start+per, len(inserts))]
		var sb strings.Builder
		args := make([]any, 0, len(chunk)*11)
		for i, f := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, 0)")
			args = append(args, f.Key(), f.Kind, f.OrgID, f.RoomID, f.PersonID, round2(f.ActualM2), round2(f.AllowedM2), f.Detail, now.Unix(), now.Unix())
		}
		if _, err := q.Exec(ctx, `INSERT INTO space_violations (vkey, kind, org_id, room_id, person_id, actual_m2, allowed_m2, detail, status,
			first_seen_at, changed_at, resolved_at) VALUES `+sb.String()+" ON CONFLICT (vkey) DO NOTHING", args...); err != nil {
			return st, err
		}
	}
	st.Opened += len(inserts)
	return st, nil
}

const storedCols = "id, vkey, org_id, actual_m2, allowed_m2, detail, status"

func scanStored(s db.Scanner) (storedViolation, error) {
	var v storedViolation
	return v, s.Scan(&v.ID, &v.Key, &v.OrgID, &v.Actual, &v.Allowed, &v.Detail, &v.Status)
}

// chunked runs fn over ids in chunks that fit an IN list.
func chunked(list []int64, fn func([]int64) error) error {
	for start := 0; start < len(list); start += 500 {
		if err := fn(list[start:min(start+500, len(list))]); err != nil {
			return err
		}
	}
	return nil
}

// refresh re-evaluates, inside the caller's transaction, the given rooms, every office held by the given people
// (so 一人一处 sees all their rooms) and the approved area of the given units, and syncs the violations of exactly
// those rooms and units.
func (s *Service) refresh(ctx context.Context, q db.Q, roomIDs, personIDs, orgIDs []int64) error {
	_, err := s.evaluate(ctx, q, s.Clock.Now(), roomIDs, personIDs, orgIDs)
	return err
}

// lockKey serialises the syncs of space_violations on PostgreSQL (SQLite serialises every write transaction), so
// two overlapping re-evaluations never interleave their updates.
const lockKey = 0x73706163 // "spac"

func (s *Service) evaluate(ctx context.Context, q db.Q, now time.Time, roomIDs, personIDs, orgIDs []int64) (syncStats, error) {
	if err := db.Lock(ctx, q, lockKey); err != nil {
		return syncStats{}, err
	}
	today := s.today()
	rooms := map[int64]bool{}
	for _, id := range roomIDs {
		rooms[id] = true
	}
	if err := chunked(ids(personIDs...), func(c []int64) error {
		more, err := db.Int64s(ctx, q, "SELECT room_id FROM space_occupants WHERE person_id IN ("+db.In(len(c))+")", db.Args(c)...)
		for _, id := range more {
			rooms[id] = true
		}
		return err
	}); err != nil {
		return syncStats{}, err
	}
	if err := suiteDomain(ctx, q, rooms); err != nil {
		return syncStats{}, err
	}
	domain := make([]int64, 0, len(rooms))
	for id := range rooms {
		domain = append(domain, id)
	}
	facts, err := loadFacts(ctx, q, domain, ids(orgIDs...), today)
	if err != nil {
		return syncStats{}, err
	}
	st, err := LoadStandards(ctx, q, today)
	if err != nil {
		return syncStats{}, err
	}
	facts.applyStandards(st)
	var findings []Finding
	// Periods can differ by province: evaluate the rooms of each region with its own.
	for region, f := range facts.byRegion() {
		findings = append(findings, Evaluate(f, st.Periods(region), today, rankName)...)
	}
	extra, leased, err := s.extraFindings(ctx, q, st, today, false, domain, ids(orgIDs...))
	if err != nil {
		return syncStats{}, err
	}
	findings = append(withoutLeased(findings, leased), extra...)
	var stored []storedViolation
	if err := chunked(domain, func(c []int64) error {
		rows, err := db.Select(ctx, q, scanStored, "SELECT "+storedCols+" FROM space_violations WHERE room_id IN ("+db.In(len(c))+")", db.Args(c)...)
		stored = append(stored, rows...)
		return err
	}); err != nil {
		return syncStats{}, err
	}
	if err := chunked(ids(orgIDs...), func(c []int64) error {
		rows, err := db.Select(ctx, q, scanStored, "SELECT "+storedCols+" FROM space_violations WHERE kind IN ('over_approved_area', 'equipment_share', 'service_per_person') AND org_id IN ("+db.In(len(c))+")", db.Args(c)...)
		stored = append(stored, rows...)
		return err
	}); err != nil {
		return syncStats{}, err
	}
	return syncFindings(ctx, q, now, findings, stored)
}

// withoutLeased drops the let_or_lent findings of rooms with an active lease: the lease's own finding replaces them.
func withoutLeased(findings []Finding, leased map[int64]bool) []Finding {
	if len(leased) == 0 {
		return findings
	}
	out := findings[:0]
	for _, f := range findings {
		if f.Kind == KindLetOrLent && leased[f.RoomID] {
			continue
		}
		out = append(out, f)
	}
	return out
}

// factSet is Facts with what applyStandards and byRegion need.
type factSet struct {
	Facts
	region     map[int64]string // person id → region of the person's unit
	roomRegion map[int64]string // room id → region of the room's unit
	unitRegion map[int64]string
}

// loadFacts reads the facts of a set of rooms (and units) with IN lists: the partial path.
func loadFacts(ctx context.Context, q db.Q, roomIDs, orgIDs []int64, today string) (*factSet, error) {
	fs := &factSet{Facts: Facts{Occupants: map[int64][]int64{}, People: map[int64]*Person{}, Held: map[int64][]Held{}, Posts: map[int64][]ConcurrentPost{},
		UnitUsed: map[int64]float64{}, Approved: map[int64]float64{}}, region: map[int64]string{}, roomRegion: map[int64]string{}, unitRegion: map[int64]string{}}
	scanRoomFact := func(sc db.Scanner) (Room, error) {
		var r Room
		var region string
		err := sc.Scan(&r.ID, &r.OrgID, &r.Use, &r.ApprovedUse, &r.Status, &r.UsableM2, &region, &r.SuiteM2)
		fs.roomRegion[r.ID] = region
		return r, err
	}
	const roomFactSQL = `SELECT r.id, r.org_id, r.use_type, r.approved_use, r.status, r.usable_area_m2, COALESCE(o.region_code, ''),
		(SELECT COALESCE(SUM(x.usable_area_m2), 0) FROM space_rooms x WHERE x.suite_of = r.id AND x.status <> 'disposed')
		FROM space_rooms r JOIN orgs o ON o.id = r.org_id WHERE r.id IN (`
	if err := chunked(roomIDs, func(c []int64) error {
		rows, err := db.Select(ctx, q, scanRoomFact, roomFactSQL+db.In(len(c))+") ORDER BY r.id", db.Args(c)...)
		fs.Rooms = append(fs.Rooms, rows...)
		return err
	}); err != nil {
		return nil, err
	}
	people := map[int64]bool{}
	if err := chunked(roomIDs, func(c []int64) error {
		rows, err := q.Query(ctx, "SELECT room_id, person_id FROM space_occupants WHERE room_id IN ("+db.In(len(c))+") ORDER BY room_id, since, person_id", db.Args(c)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r, p int64
			if err := rows.Scan(&r, &p); err != nil {
				return err
			}
			fs.Occupants[r] = append(fs.Occupants[r], p)
			people[p] = true
		}
		return rows.Err()
	}); err != nil {
		return nil, err
	}
	plist := make([]int64, 0, len(people))
	for id := range people {
		plist = append(plist, id)
	}
	if err := chunked(plist, func(c []int64) error {
		rows, err := q.Query(ctx, `SELECT p.id, p.org_id, p.rank, p.status, p.status_since, `+unitLevelSQL+`, COALESCE(o.region_code, '')
			FROM people p JOIN orgs o ON o.id = p.org_id WHERE p.id IN (`+db.In(len(c))+")", db.Args(c)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p := &Person{}
			var region string
			if err := rows.Scan(&p.ID, &p.OrgID, &p.Rank, &p.Status, &p.StatusSince, &p.Level, &region); err != nil {
				return err
			}
			fs.People[p.ID], fs.region[p.ID] = p, region
		}
		return rows.Err()
	}); err != nil {
		return nil, err
	}
	// Every room each of these people holds, for 一人一处.
	if err := chunked(plist, func(c []int64) error {
		rows, err := q.Query(ctx, `SELECT x.person_id, x.since, r.id, r.org_id, r.use_type, r.approved_use, r.status, r.usable_area_m2
			FROM space_occupants x JOIN space_rooms r ON r.id = x.room_id WHERE x.person_id IN (`+db.In(len(c))+")", db.Args(c)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var pid int64
			var h Held
			if err := rows.Scan(&pid, &h.Since, &h.Room.ID, &h.Room.OrgID, &h.Room.Use, &h.Room.ApprovedUse, &h.Room.Status, &h.Room.UsableM2); err != nil {
				return err
			}
			fs.Held[pid] = append(fs.Held[pid], h)
		}
		return rows.Err()
	}); err != nil {
		return nil, err
	}
	if err := chunked(plist, func(c []int64) error {
		rows, err := db.Select(ctx, q, scanPost, "SELECT "+postFactCols+" FROM space_concurrent_posts WHERE person_id IN ("+db.In(len(c))+")", db.Args(c)...)
		for _, p := range rows {
			fs.Posts[p.PersonID] = append(fs.Posts[p.PersonID], p)
		}
		return err
	}); err != nil {
		return nil, err
	}
	if err := chunked(orgIDs, func(c []int64) error {
		rows, err := q.Query(ctx, `SELECT o.id, COALESCE(o.region_code, ''),
			(SELECT COALESCE(SUM(r.usable_area_m2), 0) FROM space_rooms r WHERE r.org_id = o.id AND r.status <> 'disposed'),
			(SELECT COALESCE(SUM(a.approved_area_m2), 0) FROM space_agreements a WHERE a.org_id = o.id AND a.signed_on <= ? AND (a.valid_until = '' OR a.valid_until >= ?))
			FROM orgs o WHERE o.id IN (`+db.In(len(c))+")", append([]any{today, today}, db.Args(c)...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var region string
			var used, approved float64
			if err := rows.Scan(&id, &region, &used, &approved); err != nil {
				return err
			}
			fs.unitRegion[id] = region
			fs.UnitUsed[id] = used
			if approved > 0 {
				fs.Approved[id] = approved
			}
		}
		return rows.Err()
	}); err != nil {
		return nil, err
	}
	return fs, nil
}

const postFactCols = "id, person_id, org_id, COALESCE(room_id, 0), ends_on"

func scanPost(s db.Scanner) (ConcurrentPost, error) {
	var p ConcurrentPost
	return p, s.Scan(&p.ID, &p.PersonID, &p.OrgID, &p.RoomID, &p.EndsOn)
}

func (fs *factSet) applyStandards(st *Standards) {
	for id, p := range fs.People {
		p.Level = st.resolveLevel(p.Level, fs.region[id])
		p.StdM2, p.HasStd = st.Area(p.Level, p.Rank, fs.region[id])
		p.Toilet = st.toiletEntitled(p.Level, p.Rank, fs.region[id])
	}
}

// byRegion splits the facts by the region of each room's unit (units for the approved-area check), sharing people.
func (fs *factSet) byRegion() map[string]*Facts {
	out := map[string]*Facts{}
	get := func(region string) *Facts {
		f := out[region]
		if f == nil {
			f = &Facts{Occupants: fs.Occupants, People: fs.People, Held: fs.Held, Posts: fs.Posts, UnitUsed: fs.UnitUsed, Approved: map[int64]float64{}}
			out[region] = f
		}
		return f
	}
	for _, r := range fs.Rooms {
		f := get(fs.roomRegion[r.ID])
		f.Rooms = append(f.Rooms, r)
	}
	for id, a := range fs.Approved {
		get(fs.unitRegion[id]).Approved[id] = a
	}
	if len(out) == 0 {
		get("")
	}
	return out
}

// maxLiveRooms bounds the re-evaluation a read does before listing a unit's violations; larger subtrees rely on
// the write-time re-evaluation and the periodic scan.
const maxLiveRooms = 50000

// RefreshUnit re-evaluates the rooms of a unit (and its subtree) and the units' approved areas, so a list shows the
// current state. It returns false, doing nothing, when the subtree holds more than maxLiveRooms rooms.
func (s *Service) RefreshUnit(ctx context.Context, orgID int64, subtree bool) (bool, error) {
	cond, args, err := unitCond(ctx, s.DB, "org_id", orgID, subtree)
	if err != nil {
		return false, err
	}
	n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM space_rooms WHERE "+cond, args...)
	if err != nil || n > maxLiveRooms {
		return false, err
	}
	err = s.DB.Tx(ctx, func(q db.Q) error {
		rooms, err := db.Int64s(ctx, q, "SELECT id FROM space_rooms WHERE "+cond, args...)
		if err != nil {
			return err
		}
		units, err := db.Int64s(ctx, q, "SELECT id FROM orgs WHERE "+strings.Replace(cond, "org_id", "id", 1), args...)
		if err != nil {
			return err
		}
		_, err = s.evaluate(ctx, q, s.Clock.Now(), rooms, nil, units)
		return err
	})
	return err == nil, err
}

// ScanResult is what a full scan did.
type ScanResult struct {
	Rooms          int   `json:"rooms"`
	Occupants      int   `json:"occupants"`
	People         int   `json:"people"`
	OpenViolations int   `json:"open_violations"`
	Opened         int   `json:"opened"`
	Resolved       int   `json:"resolved"`
	Changed        int   `json:"changed"`
	Millis         int64 `json:"ms"`
}

// Scan runs the full compliance scan and records it (audited as trigger by the actor in ctx).
func (s *Service) Scan(ctx context.Context, trigger string) (ScanResult, error) {
	start := time.Now()
	now := s.Clock.Now()
	var res ScanResult
	err := s.DB.Tx(ctx, func(q db.Q) error {
		var err error
		if res, err = s.fullScan(ctx, q, now); err != nil {
			return err
		}
		res.Millis = time.Since(start).Milliseconds()
		if _, err := q.Exec(ctx, `INSERT INTO space_scans (trigger_kind, started_at, ms, rooms, occupants, people, open_violations, opened, resolved)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, trigger, now.Unix(), res.Millis, res.Rooms, res.Occupants, res.People, res.OpenViolations, res.Opened, res.Resolved); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.scan", ObjectType: objViolation, ObjectKey: trigger, Success: true,
			Extra: map[string]any{"rooms": res.Rooms, "open": res.OpenViolations, "opened": res.Opened, "resolved": res.Resolved, "ms": res.Millis}})
	})
	return res, err
}

func (s *Service) scanJob(ctx context.Context) (string, error) {
	res, err := s.Scan(ctx, "schedule")
	if err != nil {
		return "", err
	}
	return "检查房间 " + itoa(int64(res.Rooms)) + " 间，现有违规 " + itoa(int64(res.OpenViolations)) + " 项（新增 " + itoa(int64(res.Opened)) + "，消除 " + itoa(int64(res.Resolved)) + "）", nil
}

// LastScan is the latest full scan.
type LastScan struct {
	At     time.Time `json:"at"`
	Millis int64     `json:"ms"`
	Rooms  int64     `json:"rooms"`
	Open   int64     `json:"open_violations"`
}

// GetLastScan returns the latest full scan (zero when none ran).
func GetLastScan(ctx context.Context, q db.Q) (LastScan, error) {
	var l LastScan
	var at int64
	err := q.QueryRow(ctx, "SELECT started_at, ms, rooms, open_violations FROM space_scans ORDER BY id DESC LIMIT 1").Scan(&at, &l.Millis, &l.Rooms, &l.Open)
	if db.IsNoRows(err) {
		return l, nil
	}
	l.At = db.FromUnix(at)
	return l, err
}
