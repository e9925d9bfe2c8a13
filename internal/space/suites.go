package space

import (
	"context"
	"fmt"
	"sort"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/num"
)

// Suites, leases and the room mix (issue 11 items 2–4): the pure rules, and extraFindings, which loads their facts
// for both the partial re-evaluation (scan.go) and the full scan (fullscan.go).
//
//   - a 休息室 or 卫生间 belongs to an office (space_rooms.suite_of): the office is judged with its suite's area, and a
//     卫生间 above the limit or in the office of a rank not entitled to one is a finding (docs/domain/office-space.md
//     §Table 1 · 办公室使用面积, dataset space.suite);
//   - an active lease of office space is a finding until the space is recovered (§Management measures 2017);
//   - per unit, 设备用房 above its share of 办公室 + 服务用房 and 服务用房 above the per-person standard are findings
//     (§Service, equipment and auxiliary rooms, dataset space.room_mix).

// Suite room subtypes: a room with suite_of must be one of them.
const (
	SubRestRoom = "rest_room"
	SubToilet   = "toilet"
)

// toiletEntitled reports whether a rank at a level (the level whose rows apply) may have a 卫生间 in the office.
func (st *Standards) toiletEntitled(level, rank, region string) bool {
	v, ok := st.Num(KindSuite, "toilet/"+level+"/"+rank, region)
	return ok && v >= 1
}

// SuiteToilet judges the 卫生间 of an office's suite: above maxM2, or in an office none of whose occupants is
// entitled to one. A toilet of a vacant office is judged by its area only.
func SuiteToilet(t Room, officeNumber string, occupants []Person, maxM2 float64, rankName func(string) string) (Finding, bool) {
	if t.Status == RoomDisposed {
		return Finding{}, false
	}
	var why []string
	allowed := maxM2
	if t.UsableM2 > maxM2+epsilon {
		why = append(why, fmt.Sprintf("卫生间使用面积 %s，超过 %s", m2(t.UsableM2), m2(maxM2)))
	}
	if len(occupants) > 0 {
		entitled := false
		var ranks []string
		for _, p := range occupants {
			entitled = entitled || p.Toilet
			ranks = append(ranks, rankName(p.Rank))
		}
		if !entitled {
			allowed = 0
			why = append(why, fmt.Sprintf("办公室 %s 的使用人（%s）不属可设卫生间的职级", officeNumber, joinCN(ranks)))
		}
	}
	if len(why) == 0 {
		return Finding{}, false
	}
	return Finding{Kind: KindSuiteToilet, OrgID: t.OrgID, RoomID: t.ID, ActualM2: t.UsableM2, AllowedM2: allowed, Detail: joinSemi(why)}, true
}

// Lease is what the rules need of an active lease.
type Lease struct {
	ID      int64
	RoomID  int64
	OrgID   int64
	Kind    string // let | lent
	Lessee  string
	AreaM2  float64
	StartOn string
	EndsOn  string
}

// LeaseActive flags an active lease of office space: it stays a finding until the space is recovered (收回).
func LeaseActive(l Lease, today string) Finding {
	d := fmt.Sprintf("%s给%s %s，自 %s 起", LeaseKinds.Name(l.Kind), l.Lessee, m2(l.AreaM2), l.StartOn)
	if l.EndsOn != "" && l.EndsOn < today {
		d += fmt.Sprintf("，约定期限 %s 已满", l.EndsOn)
	}
	return Finding{Kind: KindLeaseActive, OrgID: l.OrgID, RoomID: l.RoomID, ActualM2: l.AreaM2, Detail: d + "，尚未收回"}
}

// Mix is the room mix of a unit or a building: usable areas by use, the auxiliary building area, the people and
// the parameters of dataset space.room_mix that apply.
type Mix struct {
	OfficeM2       float64 `json:"office_m2" doc:"A：办公室使用面积（含套间）"`
	ServiceM2      float64 `json:"service_m2" doc:"B：服务用房使用面积"`
	EquipmentM2    float64 `json:"equipment_m2" doc:"设备用房使用面积"`
	AuxiliaryM2    float64 `json:"auxiliary_m2" doc:"C：附属用房建筑面积（未登记建筑面积的按使用面积）"`
	People         int64   `json:"people" doc:"在职人员数"`
	EquipmentShare float64 `json:"equipment_share" doc:"设备用房比例（9%）"`
	ServiceStd     float64 `json:"service_per_person_std" doc:"服务用房人均使用面积标准（m²/人，待核实，可覆盖）"`
	HasServiceStd  bool    `json:"has_service_std"`
}

// EquipmentAllowed is the 设备用房 the share allows: (A + B) × share.
func (m Mix) EquipmentAllowed() float64 {
	return num.Round((m.OfficeM2+m.ServiceM2)*m.EquipmentShare, 2)
}

// ServiceAllowed is the 服务用房 the per-person standard allows.
func (m Mix) ServiceAllowed() float64 { return num.Round(m.ServiceStd*float64(m.People), 2) }

// ServicePerPerson is the 服务用房 per person (0 without people).
func (m Mix) ServicePerPerson() float64 {
	if m.People == 0 {
		return 0
	}
	return num.Round(m.ServiceM2/float64(m.People), 2)
}

// EquipmentOver reports whether the 设备用房 exceed their share.
func (m Mix) EquipmentOver() bool {
	return m.OfficeM2+m.ServiceM2 > 0 && m.EquipmentM2 > m.EquipmentAllowed()+epsilon
}

// ServiceOver reports whether the 服务用房 exceed the per-person standard.
func (m Mix) ServiceOver() bool {
	return m.HasServiceStd && m.People > 0 && m.ServiceM2 > m.ServiceAllowed()+epsilon
}

// MixFindings judges a unit's room mix.
func MixFindings(orgID int64, m Mix) []Finding {
	var out []Finding
	if m.EquipmentOver() {
		out = append(out, Finding{Kind: KindEquipmentShare, OrgID: orgID, ActualM2: m.EquipmentM2, AllowedM2: m.EquipmentAllowed(),
			Detail: fmt.Sprintf("设备用房 %s，超过（办公室 %s + 服务用房 %s）× %s = %s", m2(m.EquipmentM2), m2(m.OfficeM2), m2(m.ServiceM2),
				pct(m.EquipmentShare), m2(m.EquipmentAllowed()))})
	}
	if m.ServiceOver() {
		out = append(out, Finding{Kind: KindServicePerPerson, OrgID: orgID, ActualM2: m.ServiceM2, AllowedM2: m.ServiceAllowed(),
			Detail: fmt.Sprintf("服务用房 %s，人均 %s，超过 %d 人 × %s/人 = %s（人均标准待核实，可按本省规定覆盖）", m2(m.ServiceM2),
				m2(m.ServicePerPerson()), m.People, m2(m.ServiceStd), m2(m.ServiceAllowed()))})
	}
	return out
}

// FormulaArea is the building area of the 2014 standard: S = [A + B + (A+B)×share] / K + C
// (docs/domain/office-space.md §Service, equipment and auxiliary rooms).
func FormulaArea(a, b, c, share, k float64) float64 {
	if k <= 0 {
		return 0
	}
	return num.Round((a+b+(a+b)*share)/k+c, 2)
}

// K is the usable-area coefficient for a building of the given floors above ground, and whether it counts as
// high-rise (dataset space.room_mix).
func (st *Standards) K(floors int, region string) (float64, bool) {
	min, ok := st.Num(KindMix, "high_rise_min_floors", region)
	high := ok && min > 0 && float64(floors) >= min
	key := "k_multi_storey"
	if high {
		key = "k_high_rise"
	}
	k, _ := st.Num(KindMix, key, region)
	return k, high
}

// mixParams fills the parameters of a mix for a unit's level and region.
func (st *Standards) mixParams(m *Mix, level, region string) {
	m.EquipmentShare, _ = st.Num(KindMix, "equipment_share", region)
	m.ServiceStd, m.HasServiceStd = st.Num(KindMix, "service_per_person/"+level, region)
}

func pct(v float64) string { return fmt.Sprintf("%g%%", num.Round(v*100, 2)) }

func joinCN(list []string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += "、"
		}
		out += s
	}
	return out
}

func joinSemi(list []string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += "；"
		}
		out += s
	}
	return out
}

// suiteDomain widens a set of rooms by their suites and the offices they belong to, so a change to either side
// re-evaluates both.
func suiteDomain(ctx context.Context, q db.Q, rooms map[int64]bool) error {
	list := make([]int64, 0, len(rooms))
	for id := range rooms {
		list = append(list, id)
	}
	return chunked(list, func(c []int64) error {
		more, err := db.Int64s(ctx, q, "SELECT id FROM space_rooms WHERE suite_of IN ("+db.In(len(c))+")", db.Args(c)...)
		if err != nil {
			return err
		}
		up, err := db.Int64s(ctx, q, "SELECT suite_of FROM space_rooms WHERE suite_of IS NOT NULL AND id IN ("+db.In(len(c))+")", db.Args(c)...)
		for _, id := range append(more, up...) {
			rooms[id] = true
		}
		return err
	})
}

// extraFindings runs the suite, lease and mix rules over the given rooms and units (all of them when all is set).
// It returns the findings and the rooms with an active lease (whose let_or_lent finding the lease replaces).
func (s *Service) extraFindings(ctx context.Context, q db.Q, st *Standards, today string, all bool, roomIDs, orgIDs []int64) ([]Finding, map[int64]bool, error) {
	var out []Finding
	leased := map[int64]bool{}
	in := func(col string, c []int64) (string, []any) {
		if all {
			return "", nil
		}
		return " AND " + col + " IN (" + db.In(len(c)) + ")", db.Args(c)
	}
	each := func(list []int64, fn func(c []int64) error) error {
		if all {
			return fn(nil)
		}
		return chunked(list, fn)
	}
	// Toilets of suites, with their offices' occupants.
	type toilet struct {
		room   Room
		office int64
		number string
		region string
	}
	var toilets []toilet
	if err := each(roomIDs, func(c []int64) error {
		w, args := in("t.id", c)
		rows, err := db.Select(ctx, q, func(sc db.Scanner) (toilet, error) {
			var t toilet
			return t, sc.Scan(&t.room.ID, &t.room.OrgID, &t.room.UsableM2, &t.room.Status, &t.office, &t.number, &t.region)
		}, `SELECT t.id, t.org_id, t.usable_area_m2, t.status, f.id, f.number, COALESCE(o.region_code, '') FROM space_rooms t
			JOIN space_rooms f ON f.id = t.suite_of JOIN orgs o ON o.id = t.org_id WHERE t.subtype = 'toilet' AND t.status <> 'disposed'`+w+" ORDER BY t.id", args...)
		toilets = append(toilets, rows...)
		return err
	}); err != nil {
		return nil, nil, err
	}
	if len(toilets) > 0 {
		offices := make([]int64, 0, len(toilets))
		for _, t := range toilets {
			offices = append(offices, t.office)
		}
		occ := map[int64][]Person{}
		if err := chunked(offices, func(c []int64) error {
			rows, err := q.Query(ctx, `SELECT x.room_id, p.id, p.rank, `+unitLevelSQL+`, COALESCE(o.region_code, '') FROM space_occupants x
				JOIN people p ON p.id = x.person_id JOIN orgs o ON o.id = p.org_id WHERE x.room_id IN (`+db.In(len(c))+") ORDER BY x.room_id, p.id", db.Args(c)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var room int64
				var p Person
				var region string
				if err := rows.Scan(&room, &p.ID, &p.Rank, &p.Level, &region); err != nil {
					return err
				}
				p.Level = st.resolveLevel(p.Level, region)
				p.Toilet = st.toiletEntitled(p.Level, p.Rank, region)
				occ[room] = append(occ[room], p)
			}
			return rows.Err()
		}); err != nil {
			return nil, nil, err
		}
		for _, t := range toilets {
			max, ok := st.Num(KindSuite, "toilet_max_m2", t.region)
			if !ok {
				continue
			}
			if f, ok := SuiteToilet(t.room, t.number, occ[t.office], max, rankName); ok {
				out = append(out, f)
			}
		}
	}
	// Active leases.
	if err := each(roomIDs, func(c []int64) error {
		w, args := in("l.room_id", c)
		rows, err := db.Select(ctx, q, func(sc db.Scanner) (Lease, error) {
			var l Lease
			return l, sc.Scan(&l.ID, &l.RoomID, &l.OrgID, &l.Kind, &l.Lessee, &l.AreaM2, &l.StartOn, &l.EndsOn)
		}, "SELECT l.id, l.room_id, l.org_id, l.kind, l.lessee, l.area_m2, l.starts_on, l.ends_on FROM space_leases l WHERE l.status = 'active'"+w+" ORDER BY l.id", args...)
		for _, l := range rows {
			leased[l.RoomID] = true
			out = append(out, LeaseActive(l, today))
		}
		return err
	}); err != nil {
		return nil, nil, err
	}
	// The room mix of the units.
	mixes, err := unitMixes(ctx, q, st, all, orgIDs)
	if err != nil {
		return nil, nil, err
	}
	units := make([]int64, 0, len(mixes))
	for id := range mixes {
		units = append(units, id)
	}
	sort.Slice(units, func(i, j int) bool { return units[i] < units[j] })
	for _, id := range units {
		out = append(out, MixFindings(id, mixes[id])...)
	}
	return out, leased, nil
}

// mixAreaSQL sums a unit's (or building's) rooms by use: the usable area of offices (suites included, as they are
// rooms of the unit), service and equipment rooms, and the building area of auxiliary rooms.
const mixAreaSQL = `COALESCE(SUM(CASE WHEN r.use_type = 'office' THEN r.usable_area_m2 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN r.use_type = 'service' THEN r.usable_area_m2 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN r.use_type = 'equipment' THEN r.usable_area_m2 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN r.use_type = 'auxiliary' THEN (CASE WHEN r.building_area_m2 > 0 THEN r.building_area_m2 ELSE r.usable_area_m2 END) ELSE 0 END), 0)`

// unitMixes reads the room mix of the given units (every unit with rooms when all is set).
func unitMixes(ctx context.Context, q db.Q, st *Standards, all bool, orgIDs []int64) (map[int64]Mix, error) {
	out := map[int64]Mix{}
	read := func(w string, args []any) error {
		rows, err := q.Query(ctx, `SELECT o.id, `+unitLevelSQL+`, COALESCE(o.region_code, ''), `+mixAreaSQL+`,
			(SELECT COUNT(*) FROM people p WHERE p.org_id = o.id AND p.status = 'active'), o.headcount
			FROM orgs o JOIN space_rooms r ON r.org_id = o.id AND r.status <> 'disposed'`+w+`
			GROUP BY o.id, o.admin_level, o.grade, o.affiliation, o.region_code, o.headcount`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var level, region string
			var m Mix
			var headcount int64
			if err := rows.Scan(&id, &level, &region, &m.OfficeM2, &m.ServiceM2, &m.EquipmentM2, &m.AuxiliaryM2, &m.People, &headcount); err != nil {
				return err
			}
			// The people a unit's service rooms serve: its registered staff, or its headcount (用能人数) when larger.
			m.People = max(m.People, headcount)
			m.OfficeM2, m.ServiceM2, m.EquipmentM2, m.AuxiliaryM2 = round2(m.OfficeM2), round2(m.ServiceM2), round2(m.EquipmentM2), round2(m.AuxiliaryM2)
			st.mixParams(&m, st.resolveLevel(level, region), region)
			out[id] = m
		}
		return rows.Err()
	}
	if all {
		return out, read("", nil)
	}
	return out, chunked(orgIDs, func(c []int64) error { return read(" WHERE o.id IN ("+db.In(len(c))+")", db.Args(c)) })
}
