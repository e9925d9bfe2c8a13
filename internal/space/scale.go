package space

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
)

// ScaleResult is what LoadScale generated.
type ScaleResult struct {
	Units, People, Buildings, Rooms, Occupants int
}

// LoadScale generates a synthetic province for load tests and benchmarks: about people/100 units (a root, 10 cities,
// 10 counties each, units below) with 100 people each, one building per unit, and rooms rooms in all — offices for
// everyone (leaders alone, staff two or three to a room) sized at or below the standard, the rest service,
// equipment and auxiliary rooms and vacant offices — with about 1 % oversized offices, 0.3 % people holding two
// offices and the retired among them still assigned. Everything goes in with batched multi-row inserts in one
// transaction; it is not idempotent (each call adds a new province). Deterministic for given sizes.
func (s *Service) LoadScale(ctx context.Context, rooms, people int) (ScaleResult, error) {
	if people < 1000 || rooms < people/2 || rooms > 20_000_000 || people > 5_000_000 {
		return ScaleResult{}, fmt.Errorf("规模无效：人员不少于 1000，房间不少于人员数的一半")
	}
	ctx = audit.WithActor(ctx, audit.Actor{Username: "demo"})
	r := rand.New(rand.NewPCG(uint64(rooms), uint64(people)))
	now := s.Clock.Now()
	today := s.today()
	perUnit := 100
	nUnits := (people + perUnit - 1) / perUnit
	var res ScaleResult
	err := s.DB.Tx(ctx, func(q db.Q) error {
		var seq int64
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM orgs").Scan(&seq); err != nil {
			return err
		}
		tag := strconv.FormatInt(seq, 10)
		orgs := []org.BulkOrg{{Parent: -1, In: org.OrgInput{Name: "办公用房压测省 " + tag, Kind: "bureau", AdminLevel: "provincial", Category: "organ"}}}
		var ppl []org.BulkPerson
		unitIdx := []int{}
		levels := []string{}
		for c := 0; len(unitIdx) < nUnits; c++ {
			city := len(orgs)
			orgs = append(orgs, org.BulkOrg{Parent: 0, In: org.OrgInput{Name: fmt.Sprintf("压测市 %s-%d", tag, c+1), Kind: "bureau", AdminLevel: "municipal", Category: "organ"}})
			unitIdx, levels = append(unitIdx, city), append(levels, "municipal")
			for k := 0; k < 10 && len(unitIdx) < nUnits; k++ {
				county := len(orgs)
				orgs = append(orgs, org.BulkOrg{Parent: city, In: org.OrgInput{Name: fmt.Sprintf("压测县 %s-%d-%d", tag, c+1, k+1), Kind: "bureau", AdminLevel: "county", Category: "organ"}})
				unitIdx, levels = append(unitIdx, county), append(levels, "county")
				for u := 0; u < 28 && len(unitIdx) < nUnits; u++ {
					orgs = append(orgs, org.BulkOrg{Parent: county, In: org.OrgInput{Name: fmt.Sprintf("压测单位 %s-%d-%d-%d", tag, c+1, k+1, u+1), Kind: "organ", AdminLevel: "county", Category: "organ"}})
					unitIdx, levels = append(unitIdx, len(orgs)-1), append(levels, "county")
				}
			}
		}
		type slot struct{ rank, status, since string }
		plan := make([][]slot, len(unitIdx))
		for ui, oi := range unitIdx {
			ranks := scaleRanks(levels[ui])
			for i := 0; i < perUnit && len(ppl) < people; i++ {
				sl := slot{rank: ranks[min(i, len(ranks)-1)], status: "active", since: "2015-03-01"}
				if x := r.IntN(1000); x < 5 {
					sl.status, sl.since = "retired", AddMonths(today, -2-r.IntN(6))
				} else if x < 8 {
					sl.status, sl.since = "transferred", AddMonths(today, -2-r.IntN(6))
				}
				plan[ui] = append(plan[ui], sl)
				ppl = append(ppl, org.BulkPerson{Org: oi, In: org.PersonInput{Name: "压测" + strconv.Itoa(len(ppl)), Rank: sl.rank, Status: sl.status, StatusSince: sl.since}})
			}
		}
		var firstPerson int64
		if err := q.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM people").Scan(&firstPerson); err != nil {
			return err
		}
		if err := org.BulkInsert(ctx, q, now, orgs, ppl); err != nil {
			return err
		}
		res.Units, res.People = len(orgs), len(ppl)
		var firstOrg int64
		if err := q.QueryRow(ctx, "SELECT MIN(id) FROM orgs WHERE name = ?", orgs[0].In.Name).Scan(&firstOrg); err != nil {
			return err
		}
		personIDs, err := db.Int64s(ctx, q, "SELECT id FROM people WHERE id >= ? ORDER BY id", firstPerson)
		if err != nil {
			return err
		}
		st, err := LoadStandards(ctx, q, today)
		if err != nil {
			return err
		}
		var nextB, nextR int64
		if err := q.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM buildings").Scan(&nextB); err != nil {
			return err
		}
		if err := q.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM space_rooms").Scan(&nextR); err != nil {
			return err
		}
		bw := newBulk(ctx, q, "buildings", "id, org_id, name, address, built_year, floors, gross_area_m2, status, created_at, updated_at", 10, 400)
		rw := newBulk(ctx, q, "space_rooms", "id, building_id, floor, number, use_type, subtype, approved_use, usable_area_m2, building_area_m2, org_id, capacity, status, note, created_at, updated_at", 15, 500)
		ow := newBulk(ctx, q, "space_occupants", "room_id, person_id, since, created_at", 4, 800)
		fw := newBulk(ctx, q, "space_floors", "building_id, floor, name", 3, 800)
		fw.deps = []*bulk{bw}
		rw.deps = []*bulk{bw}
		ow.deps = []*bulk{rw}
		roomsPerUnit := rooms / len(unitIdx)
		extra := rooms - roomsPerUnit*len(unitIdx)
		pi := 0
		var prevOffice int64
		for ui, oi := range unitIdx {
			orgID := firstOrg + int64(oi)
			bid := nextB
			nextB++
			want := roomsPerUnit
			if ui < extra {
				want++
			}
			floors := max(1, want/40+1)
			if err := bw.add(bid, orgID, "压测楼 "+strconv.FormatInt(bid, 10), "", 1990+r.IntN(30), floors, float64(want)*30, "active", now.Unix(), now.Unix()); err != nil {
				return err
			}
			for f := 1; f <= floors; f++ {
				if err := fw.add(bid, f, ""); err != nil {
					return err
				}
			}
			made := 0
			room := func(use, sub string, area float64, cap int) (int64, error) {
				id := nextR
				nextR++
				made++
				floor := 1 + (made-1)/40
				approved := use
				if use == UseOffice && r.IntN(2000) == 0 {
					approved = UseService // a meeting room turned into an office
				}
				return id, rw.add(id, bid, floor, fmt.Sprintf("%d%02d", floor, (made-1)%40+1), use, sub, approved, area, area*1.3, orgID, cap, RoomInUse, "", now.Unix(), now.Unix())
			}
			// Offices: leaders alone, others two or three to a room.
			unitPeople := plan[ui]
			for i := 0; i < len(unitPeople); {
				n := 1
				if i >= 5 {
					n = 2 + r.IntN(2)
				}
				n = min(n, len(unitPeople)-i)
				sum := 0.0
				for k := 0; k < n; k++ {
					a, _ := st.Area(levels[ui], unitPeople[i+k].rank, "")
					sum += a
				}
				area := sum - float64(r.IntN(3))
				if r.IntN(100) == 0 {
					area = sum + 6 // oversized
				}
				id, err := room(UseOffice, "office", area, n)
				if err != nil {
					return err
				}
				for k := 0; k < n; k++ {
					pid := personIDs[pi+k]
					if err := ow.add(id, pid, "2020-01-01", now.Unix()); err != nil {
						return err
					}
					res.Occupants++
					if r.IntN(1000) < 3 && prevOffice != 0 && prevOffice != id {
						if err := ow.add(prevOffice, pid, "2021-06-01", now.Unix()); err != nil {
							return err
						}
						res.Occupants++
					}
				}
				prevOffice = id
				i += n
				pi += n
			}
			for made < want {
				var err error
				switch x := r.IntN(10); {
				case x < 5:
					_, err = room(UseService, []string{"meeting_room", "archive", "reception", "storage", "toilet"}[r.IntN(5)], float64(12+r.IntN(60)), 0)
				case x < 7:
					_, err = room(UseEquipment, "hvac", float64(8+r.IntN(30)), 0)
				case x < 8:
					_, err = room(UseAuxiliary, "garage", float64(30+r.IntN(200)), 0)
				default:
					_, err = room(UseOffice, "office", float64(12+r.IntN(12)), 2) // vacant office
				}
				if err != nil {
					return err
				}
			}
			res.Buildings++
			res.Rooms += made
		}
		for _, w := range []*bulk{bw, fw, rw, ow} {
			if err := w.flush(); err != nil {
				return err
			}
		}
		if err := db.SyncIdentity(ctx, q, "buildings"); err != nil {
			return err
		}
		if err := db.SyncIdentity(ctx, q, "space_rooms"); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "demo.scale", ObjectType: "demo", ObjectKey: "space", Success: true,
			Extra: map[string]any{"units": res.Units, "people": res.People, "rooms": res.Rooms, "occupants": res.Occupants}})
	})
	if err != nil {
		return res, err
	}
	// Fresh statistics for the planner after a bulk load (PostgreSQL's autovacuum would get there later; until
	// then a unit's list could be planned as a scan of the whole table).
	for _, t := range []string{"orgs", "people", "buildings", "space_rooms", "space_occupants", "space_floors"} {
		if _, err := s.DB.Exec(ctx, "ANALYZE "+t); err != nil {
			return res, err
		}
	}
	return res, nil
}

// scaleRanks is a unit's rank ladder (head, deputies, middle managers, staff) for generated data.
func scaleRanks(level string) []string {
	if level == "municipal" {
		return []string{"division_director", "deputy_division_director", "deputy_division_director", "section_chief", "section_chief",
			"deputy_section_chief", "deputy_section_chief", "staff"}
	}
	return []string{"section_chief", "deputy_section_chief", "deputy_section_chief", "staff"}
}

// bulk batches rows into multi-row inserts.
type bulk struct {
	ctx   context.Context
	q     db.Q
	head  string
	cols  int
	per   int
	rows  int
	args  []any
	place string
	deps  []*bulk // flushed first (rows this table refers to)
}

func newBulk(ctx context.Context, q db.Q, table, cols string, n, per int) *bulk {
	return &bulk{ctx: ctx, q: q, head: "INSERT INTO " + table + " (" + cols + ") VALUES ", cols: n, per: per,
		place: "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"}
}

func (b *bulk) add(vals ...any) error {
	b.args = append(b.args, vals...)
	b.rows++
	if b.rows >= b.per {
		return b.flush()
	}
	return nil
}

func (b *bulk) flush() error {
	if b.rows == 0 {
		return nil
	}
	for _, d := range b.deps {
		if err := d.flush(); err != nil {
			return err
		}
	}
	var sb strings.Builder
	sb.WriteString(b.head)
	for i := 0; i < b.rows; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(b.place)
	}
	_, err := b.q.Exec(b.ctx, sb.String(), b.args...)
	b.rows, b.args = 0, b.args[:0]
	return err
}
