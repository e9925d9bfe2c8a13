package space

import (
	"context"
	"sort"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
)

// Utilisation is the occupancy and area picture of a scope (the dashboard and GET /api/v1/space/utilisation).
type Utilisation struct {
	Buildings       int64      `json:"buildings"`
	Rooms           int64      `json:"rooms"`
	UsableAreaM2    float64    `json:"usable_area_m2"`
	Offices         int64      `json:"offices"`
	OccupiedOffices int64      `json:"occupied_offices"`
	VacantOffices   int64      `json:"vacant_offices" doc:"空置办公室"`
	VacantAreaM2    float64    `json:"vacant_office_area_m2"`
	OccupancyRate   float64    `json:"occupancy_rate" doc:"有人使用的办公室占比"`
	Occupants       int64      `json:"occupants" doc:"安排了办公室的人数"`
	OfficeAreaM2    float64    `json:"office_area_m2"`
	PerPersonM2     float64    `json:"office_area_per_person_m2" doc:"在用办公室人均使用面积"`
	ByUse           []UseStat  `json:"by_use"`
	ByUnit          []UnitStat `json:"by_unit" doc:"人均办公室面积最高的单位在前"`
	Ages            []AgeStat  `json:"building_ages"`
	Violations      int64      `json:"open_violations"`
	Waiting         int64      `json:"waiting" doc:"尚未安排办公室的在职人员"`
}

// UseStat is the area of one use type.
type UseStat struct {
	Use    string  `json:"use_type"`
	Name   string  `json:"name"`
	Rooms  int64   `json:"rooms"`
	AreaM2 float64 `json:"area_m2"`
}

// UnitStat is one unit's office use.
type UnitStat struct {
	OrgID         int64   `json:"org_id"`
	OrgName       string  `json:"org_name"`
	Rooms         int64   `json:"rooms"`
	Offices       int64   `json:"offices"`
	VacantOffices int64   `json:"vacant_offices"`
	People        int64   `json:"people"`
	OfficeAreaM2  float64 `json:"office_area_m2"`
	PerPersonM2   float64 `json:"per_person_m2"`
	Violations    int64   `json:"open_violations"`
}

// AgeStat counts buildings by age.
type AgeStat struct {
	Label     string `json:"label"`
	Buildings int64  `json:"buildings"`
}

// Utilisation computes the picture of the caller's scope, or of a unit's subtree in it.
func (s *Service) Utilisation(ctx context.Context, sc auth.Scope, orgID int64) (Utilisation, error) {
	var u Utilisation
	q := s.DB
	cond, args := sc.OrgCond("r.org_id")
	if orgID != 0 {
		if err := checkOrg(ctx, q, sc, orgID, "org_id"); err != nil {
			return u, err
		}
		c, a, err := unitCond(ctx, q, "r.org_id", orgID, true)
		if err != nil {
			return u, err
		}
		cond, args = cond+" AND "+c, append(args, a...)
	}
	w := " WHERE r.status <> 'disposed' AND " + cond
	occupied := "EXISTS (SELECT 1 FROM space_occupants x WHERE x.room_id = r.id)"
	err := q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(r.usable_area_m2), 0),
		COALESCE(SUM(CASE WHEN r.use_type = 'office' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.use_type = 'office' AND `+occupied+` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.use_type = 'office' AND NOT `+occupied+` THEN r.usable_area_m2 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.use_type = 'office' AND `+occupied+` THEN r.usable_area_m2 ELSE 0 END), 0),
		COUNT(DISTINCT r.building_id)
		FROM space_rooms r`+w, args...).Scan(&u.Rooms, &u.UsableAreaM2, &u.Offices, &u.OccupiedOffices, &u.VacantAreaM2, &u.OfficeAreaM2, &u.Buildings)
	if err != nil {
		return u, err
	}
	u.VacantOffices = u.Offices - u.OccupiedOffices
	if u.Offices > 0 {
		u.OccupancyRate = float64(u.OccupiedOffices) / float64(u.Offices)
	}
	if err := q.QueryRow(ctx, "SELECT COUNT(DISTINCT x.person_id) FROM space_occupants x JOIN space_rooms r ON r.id = x.room_id"+w+" AND r.use_type = 'office'", args...).Scan(&u.Occupants); err != nil {
		return u, err
	}
	if u.Occupants > 0 {
		u.PerPersonM2 = round2(u.OfficeAreaM2 / float64(u.Occupants))
	}
	if u.ByUse, err = db.Select(ctx, q, func(s db.Scanner) (UseStat, error) {
		var x UseStat
		err := s.Scan(&x.Use, &x.Rooms, &x.AreaM2)
		x.Name = UseTypes.Name(x.Use)
		return x, err
	}, "SELECT r.use_type, COUNT(*), COALESCE(SUM(r.usable_area_m2), 0) FROM space_rooms r"+w+" GROUP BY r.use_type ORDER BY r.use_type", args...); err != nil {
		return u, err
	}
	if u.ByUnit, err = db.Select(ctx, q, func(s db.Scanner) (UnitStat, error) {
		var x UnitStat
		err := s.Scan(&x.OrgID, &x.OrgName, &x.Rooms, &x.Offices, &x.VacantOffices, &x.OfficeAreaM2, &x.People, &x.Violations)
		if x.People > 0 {
			x.PerPersonM2 = round2(x.OfficeAreaM2 / float64(x.People))
		}
		return x, err
	}, `SELECT r.org_id, o.name, COUNT(*),
		COALESCE(SUM(CASE WHEN r.use_type = 'office' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.use_type = 'office' AND NOT `+occupied+` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.use_type = 'office' AND `+occupied+` THEN r.usable_area_m2 ELSE 0 END), 0),
		(SELECT COUNT(DISTINCT x.person_id) FROM space_occupants x JOIN space_rooms r2 ON r2.id = x.room_id WHERE r2.org_id = r.org_id AND r2.use_type = 'office'),
		(SELECT COUNT(*) FROM space_violations v WHERE v.org_id = r.org_id AND v.status = 'open')
		FROM space_rooms r JOIN orgs o ON o.id = r.org_id`+w+` GROUP BY r.org_id, o.name ORDER BY 6 DESC LIMIT 500`, args...); err != nil {
		return u, err
	}
	sortUnits(u.ByUnit)
	bcond, bargs := sc.OrgCond("b.org_id")
	if orgID != 0 {
		c, a, err := unitCond(ctx, q, "b.org_id", orgID, true)
		if err != nil {
			return u, err
		}
		bcond, bargs = bcond+" AND "+c, append(bargs, a...)
	}
	year := time.Now().Year()
	if s.Clock != nil {
		year = s.Clock.Now().Year()
	}
	for _, a := range []struct {
		label    string
		from, to int
	}{{"10 年以内", 0, 9}, {"10–19 年", 10, 19}, {"20–29 年", 20, 29}, {"30 年及以上", 30, 1000}} {
		var n int64
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM buildings b WHERE b.status = 'active' AND b.built_year > 0 AND b.built_year <= ? AND b.built_year >= ? AND "+bcond,
			append([]any{year - a.from, year - a.to}, bargs...)...).Scan(&n); err != nil {
			return u, err
		}
		u.Ages = append(u.Ages, AgeStat{Label: a.label, Buildings: n})
	}
	vcond, vargs := sc.OrgCond("v.org_id")
	if orgID != 0 {
		c, a, err := unitCond(ctx, q, "v.org_id", orgID, true)
		if err != nil {
			return u, err
		}
		vcond, vargs = vcond+" AND "+c, append(vargs, a...)
	}
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM space_violations v WHERE v.status = 'open' AND "+vcond, vargs...).Scan(&u.Violations); err != nil {
		return u, err
	}
	pcond, pargs := sc.PathCond("p.org_id", "p.org_path")
	if orgID != 0 {
		c, a, err := unitCond(ctx, q, "p.org_id", orgID, true)
		if err != nil {
			return u, err
		}
		pcond, pargs = pcond+" AND "+c, append(pargs, a...)
	}
	err = q.QueryRow(ctx, `SELECT COUNT(*) FROM people p WHERE p.status = 'active' AND `+pcond+` AND NOT EXISTS (SELECT 1 FROM space_occupants x
		JOIN space_rooms r ON r.id = x.room_id WHERE x.person_id = p.id AND r.use_type = 'office')`, pargs...).Scan(&u.Waiting)
	return u, err
}

// sortUnits orders units by office area per person, highest first.
func sortUnits(list []UnitStat) {
	sort.SliceStable(list, func(i, j int) bool { return list[i].PerPersonM2 > list[j].PerPersonM2 })
}
