package space

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/db"
)

// The full scan reads the whole register in a few big sorted passes (units, people, rooms by id, occupants by room),
// keeps compact arrays in memory, runs the same rules as the partial path and syncs every violation. It is what makes
// a million rooms and 300,000 people fit in a few seconds on SQLite: no per-room query, no per-row allocation beyond
// the strings the driver returns.

var useCodes = []string{"", UseOffice, UseService, UseEquipment, UseAuxiliary}
var statusCodes = []string{"", RoomInUse, RoomLet, RoomLent, RoomDisposed}
var personStatus = []string{"", "active", "retired", "transferred"}
var levelCodes = []string{"", "central", "provincial", "municipal", "county", "township"}

func code(list []string, s string) uint8 {
	for i := 1; i < len(list); i++ {
		if list[i] == s {
			return uint8(i)
		}
	}
	return 0
}

// intern returns the constant copy of s from list (so millions of equal strings share one).
func intern(list []string, s string) string { return list[code(list, s)] }

type unitFact struct {
	level, region string
}

type personFact struct {
	orgID   int64
	rank    string
	status  uint8
	since   string
	std     float64
	hasStd  bool
	present bool
}

// personTable indexes people by id: a slice when ids are dense (the usual case), a map otherwise.
type personTable struct {
	dense  []personFact
	sparse map[int64]*personFact
}

func (t *personTable) get(id int64) *personFact {
	if t.sparse != nil {
		return t.sparse[id]
	}
	if id < 0 || id >= int64(len(t.dense)) || !t.dense[id].present {
		return nil
	}
	return &t.dense[id]
}

func (s *Service) loadPeopleTable(ctx context.Context, q db.Q, units map[int64]unitFact, st *Standards) (*personTable, int, error) {
	var n, maxID int64
	if err := q.QueryRow(ctx, "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM people").Scan(&n, &maxID); err != nil {
		return nil, 0, err
	}
	t := &personTable{}
	if maxID <= 4*n+4096 {
		t.dense = make([]personFact, maxID+1)
	} else {
		t.sparse = make(map[int64]*personFact, n)
	}
	ranks := rankCodes()
	rows, err := q.Query(ctx, "SELECT id, org_id * 64 + "+caseCode("rank", ranks)+" + 16 * ("+caseCode("status", personStatus)+
		"), CASE WHEN status = 'active' THEN '' ELSE status_since END FROM people")
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	count := 0
	for rows.Next() {
		var id, c int64
		var p personFact
		if err := rows.Scan(&id, &c, &p.since); err != nil {
			return nil, 0, err
		}
		p.orgID, c = c>>6, c&63
		p.rank = ranks[c&15]
		p.status = uint8(c >> 4 & 3)
		p.present = true
		u := units[p.orgID]
		p.std, p.hasStd = st.Area(u.level, p.rank, u.region)
		if t.sparse != nil {
			pp := p
			t.sparse[id] = &pp
		} else if id >= 0 && id < int64(len(t.dense)) {
			t.dense[id] = p
		}
		count++
	}
	return t, count, rows.Err()
}

func rankCodes() []string {
	return []string{"", "minister", "vice_minister", "bureau_director", "deputy_bureau_director", "division_director",
		"deputy_division_director", "section_chief", "deputy_section_chief", "staff"}
}

// roomArrays is the register's rooms as parallel arrays, sorted by id.
type roomArrays struct {
	id       []int64
	org      []int64
	use      []uint8
	approved []uint8
	status   []uint8
	area     []float64
}

func (a *roomArrays) room(i int) Room {
	return Room{ID: a.id[i], OrgID: a.org[i], Use: useCodes[a.use[i]], ApprovedUse: useCodes[a.approved[i]], Status: statusCodes[a.status[i]], UsableM2: a.area[i]}
}

// caseCode is SQL that turns a text column into the index of its value in list (0 when none), so the bulk reads
// return small integers: with the pure-Go SQLite driver every column read costs, and text costs most.
func caseCode(col string, list []string) string {
	var b strings.Builder
	b.WriteString("CASE " + col)
	for i := 1; i < len(list); i++ {
		b.WriteString(" WHEN '" + list[i] + "' THEN " + strconv.Itoa(i))
	}
	b.WriteString(" ELSE 0 END")
	return b.String()
}

var roomCodeSQL = caseCode("use_type", useCodes) + " + 8 * (" + caseCode("approved_use", useCodes) + ") + 64 * (" + caseCode("status", statusCodes) + ")"

func loadRoomArrays(ctx context.Context, q db.Q) (*roomArrays, error) {
	var n int64
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM space_rooms").Scan(&n); err != nil {
		return nil, err
	}
	a := &roomArrays{id: make([]int64, 0, n), org: make([]int64, 0, n), use: make([]uint8, 0, n), approved: make([]uint8, 0, n),
		status: make([]uint8, 0, n), area: make([]float64, 0, n)}
	// One packed integer per room: unit id, the three codes (9 bits) and the area in 0.01 m² (24 bits; areas are
	// stored rounded to 0.01 m² and a room is at most 100,000 m²).
	rows, err := q.Query(ctx, "SELECT id, (org_id * 512 + "+roomCodeSQL+") * 16777216 + CAST(ROUND(usable_area_m2 * 100) AS BIGINT) FROM space_rooms ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, v int64
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		c := v >> 24 & 511
		a.id = append(a.id, id)
		a.org = append(a.org, v>>33)
		a.use = append(a.use, uint8(c&7))
		a.approved = append(a.approved, uint8(c>>3&7))
		a.status = append(a.status, uint8(c>>6&7))
		a.area = append(a.area, float64(v&(1<<24-1))/100)
	}
	return a, rows.Err()
}

// occArrays is the occupants sorted by room id. The dates of assignment are read later, only for the few people
// holding more than one office.
type occArrays struct {
	room   []int64
	person []int64
}

func loadOccArrays(ctx context.Context, q db.Q) (*occArrays, error) {
	var n int64
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM space_occupants").Scan(&n); err != nil {
		return nil, err
	}
	o := &occArrays{room: make([]int64, 0, n), person: make([]int64, 0, n)}
	// One packed integer per row: room id × 2³¹ + person id (sorted the same way as the two columns).
	rows, err := q.Query(ctx, "SELECT room_id * 2147483648 + person_id FROM space_occupants ORDER BY room_id, person_id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		o.room = append(o.room, v>>31)
		o.person = append(o.person, v&(1<<31-1))
	}
	return o, rows.Err()
}

func (s *Service) fullScan(ctx context.Context, q db.Q, now time.Time) (ScanResult, error) {
	if err := db.Lock(ctx, q, lockKey); err != nil {
		return ScanResult{}, err
	}
	today := s.today()
	st, err := LoadStandards(ctx, q, today)
	if err != nil {
		return ScanResult{}, err
	}
	units := map[int64]unitFact{}
	rows, err := q.Query(ctx, "SELECT o.id, "+unitLevelSQL+", COALESCE(o.region_code, '') FROM orgs o")
	if err != nil {
		return ScanResult{}, err
	}
	regions := map[string]string{}
	for rows.Next() {
		var id int64
		var level, region string
		if err := rows.Scan(&id, &level, &region); err != nil {
			rows.Close()
			return ScanResult{}, err
		}
		if r, ok := regions[region]; ok {
			region = r
		} else {
			regions[region] = region
		}
		units[id] = unitFact{level: intern(levelCodes, st.resolveLevel(level, region)), region: region}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ScanResult{}, err
	}

	// The three big reads run one after another on the transaction's connection.
	people, nPeople, err := s.loadPeopleTable(ctx, q, units, st)
	if err != nil {
		return ScanResult{}, err
	}
	rooms, err := loadRoomArrays(ctx, q)
	if err != nil {
		return ScanResult{}, err
	}
	occ, err := loadOccArrays(ctx, q)
	if err != nil {
		return ScanResult{}, err
	}
	posts := map[int64][]ConcurrentPost{}
	plist, err := db.Select(ctx, q, scanPost, "SELECT "+postFactCols+" FROM space_concurrent_posts")
	if err != nil {
		return ScanResult{}, err
	}
	for _, p := range plist {
		posts[p.PersonID] = append(posts[p.PersonID], p)
	}
	approved := map[int64]float64{}
	arows, err := q.Query(ctx, "SELECT org_id, SUM(approved_area_m2) FROM space_agreements WHERE signed_on <= ? AND (valid_until = '' OR valid_until >= ?) GROUP BY org_id", today, today)
	if err != nil {
		return ScanResult{}, err
	}
	for arows.Next() {
		var id int64
		var a float64
		if err := arows.Scan(&id, &a); err != nil {
			arows.Close()
			return ScanResult{}, err
		}
		approved[id] = a
	}
	arows.Close()

	suites := map[int64]float64{}
	srows, err := q.Query(ctx, "SELECT suite_of, SUM(usable_area_m2) FROM space_rooms WHERE suite_of IS NOT NULL AND status <> 'disposed' GROUP BY suite_of")
	if err != nil {
		return ScanResult{}, err
	}
	for srows.Next() {
		var id int64
		var a float64
		if err := srows.Scan(&id, &a); err != nil {
			srows.Close()
			return ScanResult{}, err
		}
		suites[id] = a
	}
	srows.Close()

	findings, multi := evaluateArrays(rooms, occ, people, units, approved, suites, st, today)
	more, err := multipleOffices(ctx, q, multi, rooms, people, units, posts, st, today)
	if err != nil {
		return ScanResult{}, err
	}
	findings = append(findings, more...)
	extra, leased, err := s.extraFindings(ctx, q, st, today, true, nil, nil)
	if err != nil {
		return ScanResult{}, err
	}
	findings = append(withoutLeased(findings, leased), extra...)

	stored, err := db.Select(ctx, q, scanStored, "SELECT "+storedCols+" FROM space_violations")
	if err != nil {
		return ScanResult{}, err
	}
	ss, err := syncFindings(ctx, q, now, findings, stored)
	if err != nil {
		return ScanResult{}, err
	}
	open := 0
	seen := map[string]bool{}
	for _, f := range findings {
		if k := f.Key(); !seen[k] {
			seen[k] = true
			open++
		}
	}
	return ScanResult{Rooms: len(rooms.id), Occupants: len(occ.room), People: nPeople, OpenViolations: open, Opened: ss.Opened, Resolved: ss.Resolved, Changed: ss.Changed}, nil
}

// evaluateArrays runs the rules over the arrays (rooms and occupants both sorted by room id).
// It returns the findings and the people who hold more than one office, for multipleOffices.
func evaluateArrays(rooms *roomArrays, occ *occArrays, people *personTable, units map[int64]unitFact,
	approved, suites map[int64]float64, st *Standards, today string) (out []Finding, multi []int64) {
	used := map[int64]float64{}
	offices := map[int64]int{} // person → offices held
	buf := make([]Person, 0, 8)
	j := 0
	for i, rid := range rooms.id {
		for j < len(occ.room) && occ.room[j] < rid {
			j++
		}
		k := j
		for k < len(occ.room) && occ.room[k] == rid {
			k++
		}
		r := rooms.room(i)
		r.SuiteM2 = suites[r.ID]
		if r.Status != RoomDisposed {
			used[r.OrgID] += r.UsableM2
		}
		per := st.Periods(units[r.OrgID].region)
		buf = buf[:0]
		for x := j; x < k; x++ {
			p := people.get(occ.person[x])
			if p == nil {
				continue
			}
			pid := occ.person[x]
			buf = append(buf, Person{ID: pid, OrgID: p.orgID, Rank: p.rank, Status: personStatus[p.status], StatusSince: p.since, StdM2: p.std, HasStd: p.hasStd})
			if r.Use == UseOffice && r.Status != RoomDisposed {
				offices[pid]++
			}
		}
		if v, ok := OverArea(r, buf, rankName); ok {
			out = append(out, v)
		}
		for _, p := range buf {
			if p.Status != "active" {
				if v, ok := Stale(r, p, per, today); ok {
					out = append(out, v)
				}
			}
		}
		if v, ok := UseChanged(r); ok {
			out = append(out, v)
		}
		if v, ok := LetOrLent(r); ok {
			out = append(out, v)
		}
		j = k
	}
	// 一人一处: only the few people holding two or more offices need their rooms and dates gathered.
	for pid, n := range offices {
		if n > 1 {
			multi = append(multi, pid)
		}
	}
	sort.Slice(multi, func(a, b int) bool { return multi[a] < multi[b] })
	ids := make([]int64, 0, len(approved))
	for id := range approved {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	for _, id := range ids {
		if v, ok := OverApproved(id, used[id], approved[id]); ok {
			out = append(out, v)
		}
	}
	return out, multi
}

// multipleOffices judges the people who hold more than one office, reading their assignments (with dates).
func multipleOffices(ctx context.Context, q db.Q, multi []int64, rooms *roomArrays, people *personTable, units map[int64]unitFact,
	posts map[int64][]ConcurrentPost, st *Standards, today string) ([]Finding, error) {
	held := map[int64][]Held{}
	err := chunked(multi, func(c []int64) error {
		rows, err := q.Query(ctx, "SELECT person_id, room_id, since FROM space_occupants WHERE person_id IN ("+db.In(len(c))+")", db.Args(c)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var pid, rid int64
			var since string
			if err := rows.Scan(&pid, &rid, &since); err != nil {
				return err
			}
			i := sort.Search(len(rooms.id), func(k int) bool { return rooms.id[k] >= rid })
			if i < len(rooms.id) && rooms.id[i] == rid {
				held[pid] = append(held[pid], Held{Room: rooms.room(i), Since: since})
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, pid := range multi {
		p := people.get(pid)
		if p == nil {
			continue
		}
		pp := Person{ID: pid, OrgID: p.orgID, Rank: p.rank, Status: personStatus[p.status], StatusSince: p.since, StdM2: p.std, HasStd: p.hasStd}
		// As in the partial path, the vacating period is the one of the region of each extra office's unit.
		done := map[string]bool{}
		for _, h := range held[pid] {
			region := units[h.Room.OrgID].region
			if done[region] {
				continue
			}
			done[region] = true
			for _, v := range MultipleOffices(pp, held[pid], posts[pid], st.Periods(region), today) {
				if units[v.OrgID].region == region {
					out = append(out, v)
				}
			}
		}
	}
	return out, nil
}
