package space

import (
	"context"
	"sort"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
)

// The room-mix report (用房结构核查, issue 11 item 3): per unit and per building, the areas by use, the 设备用房 share
// and the 服务用房 per person against dataset space.room_mix, and the building area of the 2014 formula
// S = [A + B + (A+B)×9 %] / K + C with K by building height beside the approved figure. Source:
// docs/domain/office-space.md §Service, equipment and auxiliary rooms

// MixRow is one line of the report.
type MixRow struct {
	ID   int64  `json:"id" doc:"单位或楼栋 id"`
	Name string `json:"name"`
	Mix
	EquipmentAllowedM2 float64 `json:"equipment_allowed_m2" doc:"（A+B）× 设备用房比例"`
	ServiceAllowedM2   float64 `json:"service_allowed_m2" doc:"人均标准 × 在职人数"`
	ServicePerPersonM2 float64 `json:"service_per_person_m2"`
	EquipmentOver      bool    `json:"equipment_over"`
	ServiceOver        bool    `json:"service_over"`
	Floors             int     `json:"floors" doc:"地上层数（单位：其主要楼栋）"`
	HighRise           bool    `json:"high_rise"`
	K                  float64 `json:"k" doc:"基本办公用房使用面积系数"`
	StdOfficeM2        float64 `json:"standard_office_m2,omitempty" doc:"单位：在职人员面积标准之和（公式中的 A）"`
	StdServiceM2       float64 `json:"standard_service_m2,omitempty" doc:"单位：服务用房人均标准 × 人数（公式中的 B）"`
	FormulaM2          float64 `json:"formula_m2" doc:"按公式计算的建筑面积 S"`
	ApprovedM2         float64 `json:"approved_m2" doc:"单位：使用协议核定面积；楼栋：登记的总建筑面积"`
}

func (m *MixRow) finish() {
	m.EquipmentAllowedM2, m.ServiceAllowedM2, m.ServicePerPersonM2 = m.EquipmentAllowed(), m.ServiceAllowed(), m.ServicePerPerson()
	m.EquipmentOver, m.ServiceOver = m.Mix.EquipmentOver(), m.Mix.ServiceOver()
}

// MixReport is the body of GET /api/v1/space/mix.
type MixReport struct {
	Units     []MixRow `json:"units"`
	Buildings []MixRow `json:"buildings"`
}

// maxMixRows bounds each table of the report.
const maxMixRows = 2000

// UnitMix reports the room mix of the units in scope (of a unit's subtree when orgID is set) and their buildings.
func (s *Service) UnitMix(ctx context.Context, q db.Q, sc auth.Scope, orgID int64) (MixReport, error) {
	var rep MixReport
	if orgID != 0 {
		if err := checkOrg(ctx, q, sc, orgID, "org_id"); err != nil {
			return rep, err
		}
	}
	today := s.today()
	st, err := LoadStandards(ctx, q, today)
	if err != nil {
		return rep, err
	}
	cond, args := sc.OrgCond("r.org_id")
	if orgID != 0 {
		uc, ua, err := unitCond(ctx, q, "r.org_id", orgID, true)
		if err != nil {
			return rep, err
		}
		cond, args = cond+" AND "+uc, append(args, ua...)
	}
	units, err := db.Int64s(ctx, q, "SELECT DISTINCT r.org_id FROM space_rooms r WHERE r.status <> 'disposed' AND "+cond+" ORDER BY r.org_id LIMIT ?", append(args, maxMixRows)...)
	if err != nil {
		return rep, err
	}
	mixes, err := unitMixes(ctx, q, st, false, units)
	if err != nil {
		return rep, err
	}
	type unitInfo struct {
		name, level, region string
		floors              int
		best                float64
		std, approved       float64
	}
	info := map[int64]*unitInfo{}
	if err := chunked(units, func(c []int64) error {
		rows, err := q.Query(ctx, `SELECT o.id, o.name, `+unitLevelSQL+`, COALESCE(o.region_code, ''),
			(SELECT COALESCE(SUM(a.approved_area_m2), 0) FROM space_agreements a WHERE a.org_id = o.id AND a.signed_on <= ? AND (a.valid_until = '' OR a.valid_until >= ?))
			FROM orgs o WHERE o.id IN (`+db.In(len(c))+")", append([]any{today, today}, db.Args(c)...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			u := &unitInfo{}
			if err := rows.Scan(&id, &u.name, &u.level, &u.region, &u.approved); err != nil {
				return err
			}
			info[id] = u
		}
		return rows.Err()
	}); err != nil {
		return rep, err
	}
	if err := chunked(units, func(c []int64) error {
		rows, err := q.Query(ctx, `SELECT r.org_id, b.floors, SUM(r.usable_area_m2) FROM space_rooms r JOIN buildings b ON b.id = r.building_id
			WHERE r.status <> 'disposed' AND r.org_id IN (`+db.In(len(c))+") GROUP BY r.org_id, b.id, b.floors ORDER BY r.org_id, b.id", db.Args(c)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var floors int
			var a float64
			if err := rows.Scan(&id, &floors, &a); err != nil {
				return err
			}
			if u := info[id]; u != nil && a > u.best {
				u.best, u.floors = a, floors
			}
		}
		return rows.Err()
	}); err != nil {
		return rep, err
	}
	if err := chunked(units, func(c []int64) error {
		rows, err := q.Query(ctx, "SELECT p.org_id, p.rank FROM people p WHERE p.status = 'active' AND p.org_id IN ("+db.In(len(c))+")", db.Args(c)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var rank string
			if err := rows.Scan(&id, &rank); err != nil {
				return err
			}
			if u := info[id]; u != nil {
				a, _ := st.Area(u.level, rank, u.region)
				u.std += a
			}
		}
		return rows.Err()
	}); err != nil {
		return rep, err
	}
	for _, id := range units {
		u := info[id]
		if u == nil {
			continue
		}
		row := MixRow{ID: id, Name: u.name, Mix: mixes[id], Floors: u.floors, ApprovedM2: round2(u.approved), StdOfficeM2: round2(u.std)}
		row.K, row.HighRise = st.K(u.floors, u.region)
		row.StdServiceM2 = row.ServiceAllowed()
		row.FormulaM2 = FormulaArea(row.StdOfficeM2, row.StdServiceM2, row.AuxiliaryM2, row.EquipmentShare, row.K)
		row.finish()
		rep.Units = append(rep.Units, row)
	}
	sort.SliceStable(rep.Units, func(i, j int) bool { return rep.Units[i].Name < rep.Units[j].Name })
	rep.Buildings, err = buildingMixes(ctx, q, st, sc, orgID, 0)
	return rep, err
}

// buildingMixes reports the room mix of the buildings in scope (of a unit's subtree, or one building).
func buildingMixes(ctx context.Context, q db.Q, st *Standards, sc auth.Scope, orgID, buildingID int64) ([]MixRow, error) {
	cond, args := sc.OrgCond("b.org_id")
	if orgID != 0 {
		uc, ua, err := unitCond(ctx, q, "b.org_id", orgID, true)
		if err != nil {
			return nil, err
		}
		cond, args = cond+" AND "+uc, append(args, ua...)
	}
	if buildingID != 0 {
		cond, args = cond+" AND b.id = ?", append(args, buildingID)
	}
	rows, err := q.Query(ctx, `SELECT b.id, b.name, b.floors, b.gross_area_m2, `+unitLevelSQL+`, COALESCE(o.region_code, ''), `+mixAreaSQL+`
		FROM buildings b JOIN orgs o ON o.id = b.org_id JOIN space_rooms r ON r.building_id = b.id AND r.status <> 'disposed'
		WHERE b.status = 'active' AND `+cond+` GROUP BY b.id, b.name, b.floors, b.gross_area_m2, o.admin_level, o.grade, o.affiliation, o.region_code
		ORDER BY b.name, b.id LIMIT ?`, append(args, maxMixRows)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MixRow
	for rows.Next() {
		var m MixRow
		var level, region string
		if err := rows.Scan(&m.ID, &m.Name, &m.Floors, &m.ApprovedM2, &level, &region, &m.OfficeM2, &m.ServiceM2, &m.EquipmentM2, &m.AuxiliaryM2); err != nil {
			return nil, err
		}
		m.OfficeM2, m.ServiceM2, m.EquipmentM2, m.AuxiliaryM2 = round2(m.OfficeM2), round2(m.ServiceM2), round2(m.EquipmentM2), round2(m.AuxiliaryM2)
		st.mixParams(&m.Mix, st.resolveLevel(level, region), region)
		m.K, m.HighRise = st.K(m.Floors, region)
		m.FormulaM2 = FormulaArea(m.OfficeM2, m.ServiceM2, m.AuxiliaryM2, m.EquipmentShare, m.K)
		m.finish()
		m.ServiceOver = false // a building has no people of its own: the per-person check is the unit's
		out = append(out, m)
	}
	return out, rows.Err()
}

// BuildingMix reports the room mix of one building in scope (404 otherwise).
func (s *Service) BuildingMix(ctx context.Context, q db.Q, sc auth.Scope, id int64) (MixRow, error) {
	b, err := BuildingInfo(ctx, q, sc, id)
	if err != nil {
		return MixRow{}, err
	}
	st, err := LoadStandards(ctx, q, s.today())
	if err != nil {
		return MixRow{}, err
	}
	rows, err := buildingMixes(ctx, q, st, sc, 0, id)
	if err != nil || len(rows) == 0 {
		return MixRow{ID: b.ID, Name: b.Name}, err
	}
	return rows[0], nil
}
