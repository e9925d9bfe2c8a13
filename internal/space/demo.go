package space

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/workflow"
)

// LoadDemo adds the office space of the demo province: a 行政中心 property per region and level registered to its
// bureau, a building per unit, offices for every serving person (leaders alone, at or just under their standard;
// staff two to four to a room), meeting rooms, archives and plant rooms, an agreement with an approved area per
// unit, a few repairs, and a realistic handful of violations — an oversized leader's office, a person retired two
// months ago still in their office, a deputy holding a second office, a unit above its approved area, a meeting
// room turned into an office without approval and a room lent out — with rectification tasks for two of them. The
// three most junior staff of each county organ have just arrived and wait for an office.
// It reads the demo's units and people from the database, is deterministic, and does nothing when buildings exist.
func (s *Service) LoadDemo(ctx context.Context) error {
	n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM buildings")
	if err != nil || n > 0 {
		return err
	}
	ctx = audit.WithActor(ctx, audit.Actor{Username: "demo"})
	now := s.Clock.Now()
	today := s.today()
	r := rand.New(rand.NewPCG(20261116, 99))
	type unit struct {
		id                        int64
		name, kind, level, region string
		parent                    int64
		path                      string
	}
	units, err := db.Select(ctx, s.DB, func(x db.Scanner) (unit, error) {
		var u unit
		return u, x.Scan(&u.id, &u.name, &u.kind, &u.level, &u.region, &u.parent, &u.path)
	}, "SELECT id, name, kind, admin_level, COALESCE(region_code, ''), COALESCE(parent_id, 0), path FROM orgs WHERE status = 'active' ORDER BY path")
	if err != nil || len(units) == 0 {
		return err
	}
	type person struct {
		id                        int64
		org                       int64
		name, rank, status, since string
	}
	people, err := db.Select(ctx, s.DB, func(x db.Scanner) (person, error) {
		var p person
		return p, x.Scan(&p.id, &p.org, &p.name, &p.rank, &p.status, &p.since)
	}, "SELECT id, org_id, name, rank, status, status_since FROM people ORDER BY org_id, id")
	if err != nil {
		return err
	}
	byUnit := map[int64][]person{}
	for _, p := range people {
		byUnit[p.org] = append(byUnit[p.org], p)
	}
	st, err := LoadStandards(ctx, s.DB, today)
	if err != nil {
		return err
	}
	unitByName := map[string]unit{}
	for _, u := range units {
		unitByName[u.name] = u
	}
	// The planted cases, by demo unit name (internal/demo).
	const (
		bigOffice  = "示范省发展和改革委员会"
		staleUnit  = "松岭县教育局"
		secondA    = "青山市财政局"
		secondB    = "青山市发展和改革委员会"
		overUnit   = "松岭县财政局"
		lentUnit   = "绿水市教育局"
		postUnit   = "青山市人民政府办公室"
		postHolder = "青山市机关事务管理局"
	)
	// The retiree (or transferee) whose departure is closest to two months ago — more than one month in any case —
	// preferring 松岭县教育局.
	var stale person
	best := ""
	for _, p := range people {
		if p.status == "active" || p.since >= AddMonths(today, -1) {
			continue
		}
		d := dayDistance(p.since, AddMonths(today, -2))
		key := fmt.Sprintf("%d|%06d|%012d", boolInt(p.org != unitByName[staleUnit].id), d, p.id)
		if best == "" || key < best {
			best, stale = key, p
		}
	}
	type planted struct{ room, person int64 }
	var bigRoom, staleRoom, lentRoom, extraRoom, postRoom planted
	var secondPerson int64
	var buildings []int64
	err = s.DB.Tx(ctx, func(q db.Q) error {
		props := map[string]int64{}
		for _, u := range units {
			if u.kind != "bureau" {
				continue
			}
			name := strings.TrimSuffix(strings.TrimSuffix(u.name, "机关事务管理局"), "机关事务服务中心") + "行政中心"
			id, err := db.InsertID(ctx, q, `INSERT INTO space_properties (org_id, name, address, property_cert_no, land_cert_no, holder, ownership, acquisition,
				acquired_on, land_area_m2, asset_card_no, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'registered', 'build', ?, ?, ?, '', ?, ?) RETURNING id`,
				u.id, name, name+"（示范地址）", fmt.Sprintf("示不动产权第%07d号", 1000+u.id), fmt.Sprintf("示国用（%d）第%05d号", 2000+r.IntN(20), u.id),
				u.name, fmt.Sprintf("%d-06-30", 1995+r.IntN(20)), float64(20000+r.IntN(40000)), fmt.Sprintf("ZC%08d", u.id), now.Unix(), now.Unix())
			if err != nil {
				return err
			}
			props[u.region+"/"+u.level] = id
		}
		bw := newBulk(ctx, q, "space_rooms", "building_id, floor, number, use_type, subtype, approved_use, usable_area_m2, building_area_m2, org_id, capacity, status, note, created_at, updated_at", 14, 400)
		var roomSeq []struct {
			building int64
			number   string
		}
		type occ struct {
			building int64
			number   string
			person   int64
			since    string
		}
		var occs []occ
		for _, u := range units {
			prop := props[u.region+"/"+u.level]
			built := 1985 + r.IntN(34)
			b, err := s.createBuildingTx(ctx, q, auth.Everything(), BuildingInput{Name: u.name + "办公楼", OrgID: u.id, Address: "示范地址", BuiltYear: built,
				Floors: 0, PropertyID: prop, Structure: []string{"frame", "brick_concrete", "shear_wall"}[r.IntN(3)]})
			if err != nil {
				return fmt.Errorf("demo building %s: %w", u.name, err)
			}
			buildings = append(buildings, b.ID)
			made := 0
			floors := 1
			// last is the 1-based position in roomSeq of the room just added (0 means "none").
			last := func() int64 { return int64(len(roomSeq)) }
			add := func(use, sub string, area float64, cap int, approved string) (string, error) {
				made++
				floor := 1 + (made-1)/20
				floors = max(floors, floor)
				number := fmt.Sprintf("%d%02d", floor, (made-1)%20+1)
				if approved == "" {
					approved = use
				}
				roomSeq = append(roomSeq, struct {
					building int64
					number   string
				}{b.ID, number})
				return number, bw.add(b.ID, floor, number, use, sub, approved, round2(area), round2(area*1.35), u.id, cap, RoomInUse, "", now.Unix(), now.Unix())
			}
			// Service and plant rooms first: the ground floor.
			for _, sv := range []struct {
				use, sub string
				area     float64
			}{{UseService, "reception", 30}, {UseService, "meeting_room", 60}, {UseService, "archive", 24}, {UseService, "toilet", 18}, {UseEquipment, "power", 20}} {
				if _, err := add(sv.use, sv.sub, sv.area+float64(r.IntN(8)), 0, ""); err != nil {
					return err
				}
			}
			var leaders, staff []person
			for _, p := range byUnit[u.id] {
				if p.status != "active" {
					continue
				}
				if isLeader(st, u.level, p.rank, u.region) {
					leaders = append(leaders, p)
				} else {
					staff = append(staff, p)
				}
			}
			for i, p := range leaders {
				std, _ := st.Area(u.level, p.rank, u.region)
				area := std - []float64{0, 0, 0.5, 1, 2}[r.IntN(5)]
				if u.name == bigOffice && i == 1 {
					area = std + 12 // an oversized leader's office
				}
				num, err := add(UseOffice, "leader_office", area, 1, "")
				if err != nil {
					return err
				}
				occs = append(occs, occ{b.ID, num, p.id, "2021-03-01"})
				if u.name == bigOffice && i == 1 {
					bigRoom = planted{room: last(), person: p.id}
				}
				if u.name == secondA && i == 1 {
					secondPerson = p.id
				}
			}
			// Newly arrived staff of county organs still wait for an office (see /space/people?unassigned=true).
			if u.level == "county" && u.kind == "organ" && len(staff) > 8 {
				staff = staff[:len(staff)-3]
			}
			if u.name == staleUnit && len(staff) > 3 {
				// A meeting room turned into an office for three staff, without approval.
				sum := 0.0
				for _, p := range staff[:3] {
					a, _ := st.Area(u.level, p.rank, u.region)
					sum += a
				}
				num, err := add(UseOffice, "office", sum-1, 3, UseService)
				if err != nil {
					return err
				}
				for _, p := range staff[:3] {
					occs = append(occs, occ{b.ID, num, p.id, "2026-06-01"})
				}
				staff = staff[3:]
			}
			for i := 0; i < len(staff); {
				k := min(2+r.IntN(3), len(staff)-i)
				sum := 0.0
				for _, p := range staff[i : i+k] {
					a, _ := st.Area(u.level, p.rank, u.region)
					sum += a
				}
				num, err := add(UseOffice, "office", sum-float64(r.IntN(3)), k, "")
				if err != nil {
					return err
				}
				for _, p := range staff[i : i+k] {
					occs = append(occs, occ{b.ID, num, p.id, "2022-09-01"})
				}
				i += k
			}
			// One vacant office, and what the planted cases need.
			if _, err := add(UseOffice, "office", 18, 2, ""); err != nil {
				return err
			}
			if stale.id != 0 && u.id == stale.org {
				std, _ := st.Area(u.level, stale.rank, u.region)
				num, err := add(UseOffice, "office", std, 1, "")
				if err != nil {
					return err
				}
				occs = append(occs, occ{b.ID, num, stale.id, AddMonths(stale.since, -30)})
				staleRoom = planted{room: last(), person: stale.id}
			}
			if u.name == secondB {
				if _, err := add(UseOffice, "office", 16, 1, ""); err != nil {
					return err
				}
				extraRoom = planted{room: last()}
			}
			if u.name == postUnit {
				if _, err := add(UseOffice, "office", 16, 1, ""); err != nil {
					return err
				}
				postRoom = planted{room: last()}
			}
			if u.name == lentUnit {
				if _, err := add(UseService, "storage", 45, 0, ""); err != nil {
					return err
				}
				lentRoom = planted{room: last()}
			}
			if _, err := q.Exec(ctx, "UPDATE buildings SET floors = ?, gross_area_m2 = ? WHERE id = ?", floors, float64(made)*40, b.ID); err != nil {
				return err
			}
			for f := 1; f <= floors; f++ {
				if _, err := q.Exec(ctx, "INSERT INTO space_floors (building_id, floor, name) VALUES (?, ?, '')", b.ID, f); err != nil {
					return err
				}
			}
		}
		if err := bw.flush(); err != nil {
			return err
		}
		roomID := map[string]int64{}
		rows, err := q.Query(ctx, "SELECT id, building_id, number FROM space_rooms")
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, b int64
			var num string
			if err := rows.Scan(&id, &b, &num); err != nil {
				rows.Close()
				return err
			}
			roomID[fmt.Sprint(b, "/", num)] = id
		}
		rows.Close()
		idOf := func(i int64) int64 { return roomID[fmt.Sprint(roomSeq[i-1].building, "/", roomSeq[i-1].number)] }
		ow := newBulk(ctx, q, "space_occupants", "room_id, person_id, since, created_at", 4, 500)
		for _, o := range occs {
			if err := ow.add(roomID[fmt.Sprint(o.building, "/", o.number)], o.person, o.since, now.Unix()); err != nil {
				return err
			}
		}
		if secondPerson != 0 && extraRoom.room != 0 {
			if err := ow.add(idOf(extraRoom.room), secondPerson, "2024-04-01", now.Unix()); err != nil {
				return err
			}
		}
		if err := ow.flush(); err != nil {
			return err
		}
		// A deputy of the city government office with an approved concurrent post and a small office: not a violation.
		if pu, ok := unitByName[postHolder]; ok && postRoom.room != 0 {
			for _, p := range byUnit[pu.id] {
				if p.status == "active" && isLeader(st, pu.level, p.rank, pu.region) && p.id != secondPerson {
					if _, err := q.Exec(ctx, "INSERT INTO space_occupants (room_id, person_id, since, created_at) VALUES (?, ?, ?, ?)", idOf(postRoom.room), p.id, "2025-02-01", now.Unix()); err != nil {
						return err
					}
					if _, err := q.Exec(ctx, `INSERT INTO space_concurrent_posts (person_id, org_id, post, approval_doc, approved_on, ends_on, room_id, created_at, updated_at)
						VALUES (?, ?, '兼任副主任', '青组干〔2025〕8号', '2025-01-20', '', ?, ?, ?)`, p.id, unitByName[postUnit].id, idOf(postRoom.room), now.Unix(), now.Unix()); err != nil {
						return err
					}
					break
				}
			}
		}
		if lentRoom.room != 0 {
			if _, err := q.Exec(ctx, "UPDATE space_rooms SET status = 'lent', note = '出借给示范物业公司作仓库' WHERE id = ?", idOf(lentRoom.room)); err != nil {
				return err
			}
		}
		// Issue 11 (docs/domain/office-space.md): equipment rooms at most 9 % of offices and service rooms, except in
		// one unit; a unit with an oversized meeting hall (服务用房 per person); the oversized leader's office with a
		// 8 m² 卫生间 in its suite (above 6 m², and a 副厅局级 is not entitled to one); a room let to a shop.
		if _, err := q.Exec(ctx, `UPDATE space_rooms SET usable_area_m2 = ROUND(0.09 * (SELECT SUM(x.usable_area_m2) FROM space_rooms x
			WHERE x.org_id = space_rooms.org_id AND x.use_type IN ('office', 'service')) - 0.5)
			WHERE use_type = 'equipment' AND usable_area_m2 > 0.09 * (SELECT SUM(x.usable_area_m2) FROM space_rooms x
			WHERE x.org_id = space_rooms.org_id AND x.use_type IN ('office', 'service'))`); err != nil {
			return err
		}
		plant := func(unitName, number, use, sub string, area float64, suiteOf int64, status string) (int64, error) {
			u, ok := unitByName[unitName]
			if !ok {
				return 0, nil
			}
			var b int64
			if err := q.QueryRow(ctx, "SELECT MIN(id) FROM buildings WHERE org_id = ?", u.id).Scan(&b); err != nil {
				return 0, err
			}
			if err := ensureFloor(ctx, q, b, 1); err != nil {
				return 0, err
			}
			return db.InsertID(ctx, q, `INSERT INTO space_rooms (building_id, floor, number, use_type, subtype, approved_use, usable_area_m2, building_area_m2,
				org_id, capacity, status, note, suite_of, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, 0, ?, '', ?, ?, ?) RETURNING id`,
				b, number, use, sub, use, area, round2(area*1.35), u.id, status, db.NullInt(suiteOf), now.Unix(), now.Unix())
		}
		if _, err := plant(lentUnit, "B01", UseEquipment, "hvac", 60, 0, RoomInUse); err != nil {
			return err
		}
		if _, err := plant(staleUnit, "D01", UseService, "meeting_room", 420, 0, RoomInUse); err != nil {
			return err
		}
		if bigRoom.room != 0 {
			if _, err := plant(bigOffice, "T01", UseOffice, SubToilet, 8, idOf(bigRoom.room), RoomInUse); err != nil {
				return err
			}
		}
		if shop, err := plant(secondB, "S01", UseService, "storage", 36, 0, RoomLet); err != nil {
			return err
		} else if shop != 0 {
			if _, err := q.Exec(ctx, `INSERT INTO space_leases (room_id, org_id, kind, lessee, starts_on, ends_on, area_m2, rent_fen, handed_fen, status, note, created_at, updated_at)
				VALUES (?, ?, 'let', '示范便民超市', '2024-03-01', ?, 36, 4800000, 3000000, 'active', '原储藏室出租作便民超市', ?, ?)`,
				shop, unitByName[secondB].id, AddMonths(today, -2), now.Unix(), now.Unix()); err != nil {
				return err
			}
		}
		// Agreements: every unit's approved area a little above what it uses; one unit below it.
		if _, err := q.Exec(ctx, `INSERT INTO space_agreements (org_id, building_id, agreement_no, certificate_no, approved_area_m2, signed_on, valid_until, note, created_at, updated_at)
			SELECT r.org_id, MIN(r.building_id), 'SY-2023-' || CAST(r.org_id AS TEXT), 'PZ-2023-' || CAST(r.org_id AS TEXT), ROUND(SUM(r.usable_area_m2) * 1.1), '2023-03-01', '', '', ?, ?
			FROM space_rooms r GROUP BY r.org_id`, now.Unix(), now.Unix()); err != nil {
			return err
		}
		if ou, ok := unitByName[overUnit]; ok {
			if _, err := q.Exec(ctx, `UPDATE space_agreements SET approved_area_m2 = ROUND((SELECT SUM(r.usable_area_m2) FROM space_rooms r WHERE r.org_id = ?) * 0.85),
				note = '2025 年机构改革后核减' WHERE org_id = ?`, ou.id, ou.id); err != nil {
				return err
			}
		}
		// Repairs: a major repair long ago, one in progress, one asked for.
		for i, b := range buildings[:min(3, len(buildings))] {
			kind, status, title := []string{"major", "medium", "routine"}[i], []string{"accepted", "in_progress", "requested"}[i], []string{"外立面及屋面防水大修", "空调系统改造", "卫生间管道维修"}[i]
			if _, err := q.Exec(ctx, `INSERT INTO space_repairs (building_id, org_id, kind, title, reason, budget_fen, approved_fen, contractor, started_on, accepted_on, cost_fen,
				status, created_at, updated_at) SELECT id, org_id, ?, ?, '使用年限较长，设施老化', ?, ?, ?, ?, ?, ?, ?, ?, ? FROM buildings WHERE id = ?`,
				kind, title, []int64{380000000, 86000000, 1200000}[i], []int64{360000000, 86000000, 0}[i], []string{"示范建工集团", "示范机电安装公司", ""}[i],
				[]string{"2019-04-01", "2026-09-20", ""}[i], []string{"2019-11-28", "", ""}[i], []int64{352600000, 0, 0}[i], status, now.Unix(), now.Unix(), b); err != nil {
				return err
			}
		}
		if err := history.Record(ctx, q, now, objBuilding, buildings[0], "repair", "外立面及屋面防水大修 2019-11-28 验收"); err != nil {
			return err
		}
		repairs, err := db.Int64s(ctx, q, "SELECT id FROM space_repairs ORDER BY id")
		if err != nil {
			return err
		}
		for i, id := range repairs {
			lines := [][]string{{"申请大修：外立面及屋面防水大修，预算 3800000.00 元", "批准，批准金额 3600000.00 元", "开工，施工单位 示范建工集团，2019-04-01 开工",
				"验收，2019-11-28 验收，实际费用 3526000.00 元"}, {"申请中修：空调系统改造，预算 860000.00 元", "批准，批准金额 860000.00 元",
				"开工，施工单位 示范机电安装公司，2026-09-20 开工"}, {"申请日常维修：卫生间管道维修，预算 12000.00 元"}}[min(i, 2)]
			for _, l := range lines {
				if err := history.Record(ctx, q, now, objRepair, id, "demo", l); err != nil {
					return err
				}
			}
		}
		if err := db.SyncIdentity(ctx, q, "space_rooms"); err != nil {
			return err
		}
		res, err := s.fullScan(ctx, q, now)
		if err != nil {
			return err
		}
		// Rectification tasks: the oversized office (open, due in 20 working days) and the stale occupant (overdue).
		for _, t := range []struct {
			p        planted
			kind     string
			deadline string
		}{{bigRoom, KindOverArea, s.days().AddWorkdays(now.In(clock.Shanghai), 20).Format("2006-01-02")}, {staleRoom, KindStaleOccupant, s.days().AddWorkdays(now.In(clock.Shanghai), -3).Format("2006-01-02")}} {
			if t.p.room == 0 {
				continue
			}
			var vid, org int64
			err := q.QueryRow(ctx, "SELECT id, org_id FROM space_violations WHERE kind = ? AND room_id = ? AND status = 'open'", t.kind, idOf(t.p.room)).Scan(&vid, &org)
			if db.IsNoRows(err) {
				continue
			}
			if err != nil {
				return err
			}
			deadline := t.deadline
			id, err := db.InsertID(ctx, q, `INSERT INTO space_rectifications (violation_id, org_id, status, deadline, requirement, created_by, created_at, updated_at)
				VALUES (?, ?, 'open', ?, ?, 'demo', ?, ?) RETURNING id`, vid, org, deadline, defaultRequirement(t.kind), now.Unix(), now.Unix())
			if err != nil {
				return err
			}
			if err := history.Record(ctx, q, now, objRectify, id, "create", "下达整改任务："+Kinds.Name(t.kind)+"，期限 "+deadline); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "demo.load", ObjectType: "demo", ObjectKey: "办公用房", Success: true,
			Extra: map[string]any{"buildings": len(buildings), "rooms": res.Rooms, "occupants": res.Occupants, "violations": res.OpenViolations}})
	})
	if err != nil {
		return err
	}
	_, err = s.Workflow.CreateChain(ctx, auth.Everything(), workflow.ChainInput{Type: wfAllocation, Name: "办公用房调剂审批",
		Note:  "申请单位提交，上级机关事务管理部门办公用房管理员审批",
		Steps: []workflow.StepInput{{Name: "机关事务管理部门审核", Mode: workflow.ModeAny, Kind: workflow.KindRole, Role: "space_manager", Up: -1}}})
	if err != nil && !errs.Is(err, errs.CodeConflict) {
		return err
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// dayDistance is |a − b| in days for two dates (a large number when either is malformed).
func dayDistance(a, b string) int {
	ta, err1 := time.Parse(time.DateOnly, a)
	tb, err2 := time.Parse(time.DateOnly, b)
	if err1 != nil || err2 != nil {
		return 999999
	}
	d := int(ta.Sub(tb).Hours() / 24)
	if d < 0 {
		d = -d
	}
	return d
}
