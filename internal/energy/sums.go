package energy

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
)

// Sums kept at write time (migrations/0007_usage_sums.sql, docs/benchmarks.md §Energy). Every write of
// energy_usage or energy_org_years takes the contribution of each (unit, year) it touches out of the sums before
// the write and puts it back after, through sumDelta: the units' figures summed for every strict ancestor of the
// unit (and node 0, every unit), per region, category, type and data mask, and the denominators likewise. A
// province's annual figure then reads the few rows of its root node instead of 160,000 rows of energy_usage.
// Changes of the spine (a unit moved, its region, category, headcount or area edited) are counted by triggers on
// orgs; reconcileSums moves the changed units' contributions before the sums are read again, and until then the
// readers fall back to energy_usage.

type sumKey struct {
	Node        int64
	Year        int
	Region, Cat string
	Type        string
	Mask        int64
	heads       bool // a row of energy_sum_heads (Type empty)
}

type sumVal struct {
	Units     int64
	M         [12]float64
	Total     float64
	Headcount int64
	Area      float64
}

// sumUnit is a unit as the sums know it.
type sumUnit struct {
	Path, Region, Cat string
	Headcount         int64
	Area              float64
}

// nodes are the strict ancestors of the unit (from its path) and node 0.
func (u sumUnit) nodes(orgID int64) []int64 {
	out := []int64{0}
	for _, part := range strings.Split(strings.Trim(u.Path, "/"), "/") {
		id, err := strconv.ParseInt(part, 10, 64)
		if err == nil && id != orgID {
			out = append(out, id)
		}
	}
	return out
}

// sumDelta collects changes of the sums and applies them once.
type sumDelta struct {
	vals  map[sumKey]*sumVal
	units map[int64]sumUnit
	packs map[[2]int64]bool // (unit, year) whose pack is rewritten
}

func newSumDelta() *sumDelta {
	return &sumDelta{vals: map[sumKey]*sumVal{}, units: map[int64]sumUnit{}, packs: map[[2]int64]bool{}}
}

// sumsBuilt reports whether the sums are maintained (false on a database with figures from before the sums,
// until RebuildSums has run).
func sumsBuilt(ctx context.Context, q db.Q) (bool, error) {
	var built int64
	err := q.QueryRow(ctx, "SELECT built FROM energy_sum_state WHERE id = 1").Scan(&built)
	return built == 1, err
}

// sumsFresh reports whether the sums may be read: built and reconciled with every change of orgs.
func sumsFresh(ctx context.Context, q db.Q) bool {
	var ok int64
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM energy_sum_state WHERE id = 1 AND built = 1 AND org_changes = reconciled").Scan(&ok)
	return err == nil && ok == 1
}

// unit returns the unit as recorded in energy_sum_units, recording it from orgs when it is not yet.
func (d *sumDelta) unit(ctx context.Context, q db.Q, orgID int64) (sumUnit, error) {
	if u, ok := d.units[orgID]; ok {
		return u, nil
	}
	var u sumUnit
	err := q.QueryRow(ctx, "SELECT path, region_code, category, headcount, floor_area_m2 FROM energy_sum_units WHERE org_id = ?", orgID).
		Scan(&u.Path, &u.Region, &u.Cat, &u.Headcount, &u.Area)
	if db.IsNoRows(err) {
		if err = q.QueryRow(ctx, "SELECT path, COALESCE(region_code, ''), category, headcount, floor_area_m2 FROM orgs WHERE id = ?", orgID).
			Scan(&u.Path, &u.Region, &u.Cat, &u.Headcount, &u.Area); err != nil {
			return u, err
		}
		_, err = q.Exec(ctx, "INSERT INTO energy_sum_units (org_id, path, region_code, category, headcount, floor_area_m2) VALUES (?, ?, ?, ?, ?, ?)",
			orgID, u.Path, u.Region, u.Cat, u.Headcount, u.Area)
	}
	if err != nil {
		return u, err
	}
	d.units[orgID] = u
	return u, nil
}

func (d *sumDelta) add(k sumKey, sign float64, units int64, m *[12]float64, total float64, head int64, area float64) {
	v := d.vals[k]
	if v == nil {
		v = &sumVal{}
		d.vals[k] = v
	}
	v.Units += int64(sign) * units
	if m != nil {
		for i := range v.M {
			v.M[i] += sign * m[i]
		}
	}
	v.Total += sign * total
	v.Headcount += int64(sign) * head
	v.Area += sign * area
}

// unitYear adds (sign +1) or removes (−1) the contribution of (unit, year) as the database holds it now.
func (d *sumDelta) unitYear(ctx context.Context, q db.Q, orgID int64, year int, sign float64) error {
	u, err := d.unit(ctx, q, orgID)
	if err != nil {
		return err
	}
	us, err := GetUsage(ctx, q, orgID, year)
	if err != nil {
		return err
	}
	d.packs[[2]int64{orgID, int64(year)}] = true
	if len(us) == 0 {
		return nil
	}
	head, area := u.Headcount, u.Area
	var h int64
	var a float64
	err = q.QueryRow(ctx, "SELECT headcount, floor_area_m2 FROM energy_org_years WHERE org_id = ? AND year = ?", orgID, year).Scan(&h, &a)
	if err == nil {
		head, area = h, a
	} else if !db.IsNoRows(err) {
		return err
	}
	var mask int64
	for _, x := range us {
		dm, _ := x.masks()
		mask |= dm
		m := x.M
		for i := range m {
			if !x.Has[i] {
				m[i] = 0
			}
		}
		for _, n := range u.nodes(orgID) {
			d.add(sumKey{Node: n, Year: year, Region: u.Region, Cat: u.Cat, Type: x.EnergyType, Mask: dm}, sign, 1, &m, x.Total(), 0, 0)
		}
	}
	for _, n := range u.nodes(orgID) {
		d.add(sumKey{Node: n, Year: year, Region: u.Region, Cat: u.Cat, Mask: mask, heads: true}, sign, 1, nil, 0, head, area)
	}
	return nil
}

// apply writes the collected changes (in key order: writers of the same year meet the rows in the same order).
func (d *sumDelta) apply(ctx context.Context, q db.Q) error {
	keys := make([]sumKey, 0, len(d.vals))
	for k, v := range d.vals {
		if v.Units == 0 && v.Total == 0 && v.Headcount == 0 && v.Area == 0 && v.M == ([12]float64{}) {
			continue
		}
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.heads != b.heads {
			return !a.heads
		}
		if a.Node != b.Node {
			return a.Node < b.Node
		}
		if a.Year != b.Year {
			return a.Year < b.Year
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.Cat != b.Cat {
			return a.Cat < b.Cat
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.Mask < b.Mask
	})
	const batch = 200
	var sums, heads []sumKey
	for _, k := range keys {
		if k.heads {
			heads = append(heads, k)
		} else {
			sums = append(sums, k)
		}
	}
	for start := 0; start < len(sums); start += batch {
		part := sums[start:min(start+batch, len(sums))]
		var sb strings.Builder
		args := make([]any, 0, len(part)*20)
		for i, k := range part {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			v := d.vals[k]
			args = append(args, k.Node, k.Year, k.Region, k.Cat, k.Type, k.Mask, v.Units)
			for _, m := range v.M {
				args = append(args, m)
			}
			args = append(args, v.Total)
		}
		var set strings.Builder
		set.WriteString("units = energy_sums.units + excluded.units, total = energy_sums.total + excluded.total")
		for m := 1; m <= 12; m++ {
			fmt.Fprintf(&set, ", m%02d = energy_sums.m%02d + excluded.m%02d", m, m, m)
		}
		if _, err := q.Exec(ctx, `INSERT INTO energy_sums (node_id, year, region_code, category, energy_type, data_mask, units, `+monthCols+`, total)
			VALUES `+sb.String()+` ON CONFLICT (node_id, year, region_code, category, energy_type, data_mask) DO UPDATE SET `+set.String(), args...); err != nil {
			return err
		}
	}
	for start := 0; start < len(heads); start += batch {
		part := heads[start:min(start+batch, len(heads))]
		var sb strings.Builder
		args := make([]any, 0, len(part)*8)
		for i, k := range part {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
			v := d.vals[k]
			args = append(args, k.Node, k.Year, k.Region, k.Cat, k.Mask, v.Units, v.Headcount, v.Area)
		}
		if _, err := q.Exec(ctx, `INSERT INTO energy_sum_heads (node_id, year, region_code, category, data_mask, units, headcount, floor_area_m2)
			VALUES `+sb.String()+` ON CONFLICT (node_id, year, region_code, category, data_mask) DO UPDATE SET units = energy_sum_heads.units + excluded.units,
			headcount = energy_sum_heads.headcount + excluded.headcount, floor_area_m2 = energy_sum_heads.floor_area_m2 + excluded.floor_area_m2`, args...); err != nil {
			return err
		}
	}
	// Groups left without units are dropped (only a removal can empty one).
	for _, k := range keys {
		if d.vals[k].Units >= 0 {
			continue
		}
		var err error
		if k.heads {
			_, err = q.Exec(ctx, "DELETE FROM energy_sum_heads WHERE node_id = ? AND year = ? AND region_code = ? AND category = ? AND data_mask = ? AND units <= 0",
				k.Node, k.Year, k.Region, k.Cat, k.Mask)
		} else {
			_, err = q.Exec(ctx, "DELETE FROM energy_sums WHERE node_id = ? AND year = ? AND region_code = ? AND category = ? AND energy_type = ? AND data_mask = ? AND units <= 0",
				k.Node, k.Year, k.Region, k.Cat, k.Type, k.Mask)
		}
		if err != nil {
			return err
		}
	}
	return d.writePacks(ctx, q)
}

// writePacks rewrites the packed row of each (unit, year) touched.
func (d *sumDelta) writePacks(ctx context.Context, q db.Q) error {
	keys := make([][2]int64, 0, len(d.packs))
	for k := range d.packs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	for _, k := range keys {
		us, err := GetUsage(ctx, q, k[0], int(k[1]))
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "DELETE FROM energy_unit_packs WHERE org_id = ? AND year = ?", k[0], k[1]); err != nil {
			return err
		}
		if len(us) == 0 {
			continue
		}
		mask, pack := packUsage(us)
		if _, err := q.Exec(ctx, "INSERT INTO energy_unit_packs (org_id, year, data_mask, pack) VALUES (?, ?, ?, ?)", k[0], k[1], mask, pack); err != nil {
			return err
		}
	}
	return nil
}

// packUsage packs a unit's usage rows of a year: per type its code, data mask and the months with a figure.
func packUsage(us []Usage) (int64, []byte) {
	var mask int64
	buf := make([]byte, 0, len(us)*(1+16+2+96))
	for _, u := range us {
		dm, _ := u.masks()
		mask |= dm
		buf = append(buf, byte(len(u.EnergyType)))
		buf = append(buf, u.EnergyType...)
		buf = binary.LittleEndian.AppendUint16(buf, uint16(dm))
		for i, v := range u.M {
			if u.Has[i] {
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
			}
		}
	}
	return mask, buf
}

// packedType is one type of a pack: its months (0 without a figure) and their total, summed as Usage.Total does.
type packedType struct {
	Type  *Type
	Mask  int64
	Total float64
	M     [12]float64
}

// typeIndex finds a type by its code without allocating (unpack).
var typeIndex = func() map[string]*Type {
	m := make(map[string]*Type, len(Types))
	for i := range Types {
		m[Types[i].Code] = &Types[i]
	}
	return m
}()

// unpack decodes a pack, skipping types no longer known (false when it is malformed).
func unpack(b []byte, f func(packedType)) bool {
	for len(b) > 0 {
		n := int(b[0])
		if len(b) < 1+n+2 {
			return false
		}
		var p packedType
		p.Type = typeIndex[string(b[1:1+n])]
		b = b[1+n:]
		p.Mask = int64(binary.LittleEndian.Uint16(b))
		b = b[2:]
		for i := range p.M {
			if p.Mask&(1<<i) == 0 {
				continue
			}
			if len(b) < 8 {
				return false
			}
			p.M[i] = math.Float64frombits(binary.LittleEndian.Uint64(b))
			p.Total += p.M[i]
			b = b[8:]
		}
		if p.Type != nil {
			f(p)
		}
	}
	return true
}

// sumUsageChange wraps a write of the figures of the given (unit, year) pairs: their contributions are taken out
// of the sums before write runs and put back after, in the caller's transaction. Nothing is done while the sums
// are not built (RebuildSums will count everything).
func sumUsageChange(ctx context.Context, q db.Q, pairs map[[2]int64]bool, write func() error) error {
	built, err := sumsBuilt(ctx, q)
	if err != nil {
		return err
	}
	if !built || len(pairs) == 0 {
		return write()
	}
	ks := make([][2]int64, 0, len(pairs))
	for k := range pairs {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		if ks[i][0] != ks[j][0] {
			return ks[i][0] < ks[j][0]
		}
		return ks[i][1] < ks[j][1]
	})
	d := newSumDelta()
	for _, k := range ks {
		if err := d.unitYear(ctx, q, k[0], int(k[1]), -1); err != nil {
			return err
		}
	}
	if err := write(); err != nil {
		return err
	}
	for _, k := range ks {
		if err := d.unitYear(ctx, q, k[0], int(k[1]), 1); err != nil {
			return err
		}
	}
	return d.apply(ctx, q)
}

// RebuildSums recomputes every sum from energy_usage, energy_org_years and orgs (at start on a database with
// figures from before the sums, and after bulk loads that write energy_usage directly, like the benchmarks).
func RebuildSums(ctx context.Context, d *db.DB) error {
	return d.Tx(ctx, func(q db.Q) error { return rebuildSums(ctx, q) })
}

func rebuildSums(ctx context.Context, q db.Q) error {
	years, err := db.Int64s(ctx, q, "SELECT DISTINCT year FROM energy_usage UNION SELECT DISTINCT year FROM energy_org_years ORDER BY 1")
	if err != nil {
		return err
	}
	ys := make([]int, len(years))
	for i, y := range years {
		ys[i] = int(y)
	}
	if err := bumpVersion(ctx, q, ys...); err != nil {
		return err
	}
	var changes int64
	if err := q.QueryRow(ctx, "SELECT org_changes FROM energy_sum_state WHERE id = 1").Scan(&changes); err != nil {
		return err
	}
	for _, t := range []string{"energy_sums", "energy_sum_heads", "energy_sum_units", "energy_unit_packs"} {
		if _, err := q.Exec(ctx, "DELETE FROM "+t); err != nil {
			return err
		}
	}
	if _, err := q.Exec(ctx, `INSERT INTO energy_sum_units (org_id, path, region_code, category, headcount, floor_area_m2)
		SELECT id, path, COALESCE(region_code, ''), category, headcount, floor_area_m2 FROM orgs`); err != nil {
		return err
	}
	d := newSumDelta()
	units, err := db.Select(ctx, q, func(sc db.Scanner) (struct {
		ID int64
		U  sumUnit
	}, error) {
		var x struct {
			ID int64
			U  sumUnit
		}
		return x, sc.Scan(&x.ID, &x.U.Path, &x.U.Region, &x.U.Cat, &x.U.Headcount, &x.U.Area)
	}, "SELECT org_id, path, region_code, category, headcount, floor_area_m2 FROM energy_sum_units")
	if err != nil {
		return err
	}
	for _, u := range units {
		d.units[u.ID] = u.U
	}
	type oy struct {
		H int64
		A float64
	}
	overrides := map[[2]int64]oy{}
	rows, err := q.Query(ctx, "SELECT org_id, year, headcount, floor_area_m2 FROM energy_org_years")
	if err != nil {
		return err
	}
	for rows.Next() {
		var k [2]int64
		var v oy
		if err := rows.Scan(&k[0], &k[1], &v.H, &v.A); err != nil {
			rows.Close()
			return err
		}
		overrides[k] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// One pass over energy_usage in (unit, year) order: each unit-year's rows are added and packed together.
	var cur [2]int64
	var group []Usage
	flush := func() error {
		if len(group) == 0 {
			return nil
		}
		u, ok := d.units[cur[0]]
		if !ok {
			group = group[:0]
			return nil
		}
		var mask int64
		for _, x := range group {
			dm, _ := x.masks()
			mask |= dm
			m := x.M
			for i := range m {
				if !x.Has[i] {
					m[i] = 0
				}
			}
			for _, n := range u.nodes(cur[0]) {
				d.add(sumKey{Node: n, Year: int(cur[1]), Region: u.Region, Cat: u.Cat, Type: x.EnergyType, Mask: dm}, 1, 1, &m, x.Total(), 0, 0)
			}
		}
		head, area := u.Headcount, u.Area
		if o, ok := overrides[cur]; ok {
			head, area = o.H, o.A
		}
		for _, n := range u.nodes(cur[0]) {
			d.add(sumKey{Node: n, Year: int(cur[1]), Region: u.Region, Cat: u.Cat, Mask: mask, heads: true}, 1, 1, nil, 0, head, area)
		}
		_, pack := packUsage(group)
		if _, err := q.Exec(ctx, "INSERT INTO energy_unit_packs (org_id, year, data_mask, pack) VALUES (?, ?, ?, ?)", cur[0], cur[1], mask, pack); err != nil {
			return err
		}
		group = group[:0]
		return nil
	}
	all, err := db.Select(ctx, q, scanUsage, "SELECT org_id, year, energy_type, "+monthCols+", data_mask, entry_mask FROM energy_usage ORDER BY org_id, year, energy_type")
	if err != nil {
		return err
	}
	for _, x := range all {
		k := [2]int64{x.OrgID, int64(x.Year)}
		if k != cur {
			if err := flush(); err != nil {
				return err
			}
			cur = k
		}
		group = append(group, x)
	}
	if err := flush(); err != nil {
		return err
	}
	if err := d.apply(ctx, q); err != nil {
		return err
	}
	_, err = q.Exec(ctx, "UPDATE energy_sum_state SET built = 1, reconciled = ? WHERE id = 1", changes)
	return err
}

// reconcileSums moves the contributions of units whose path, region, category, headcount or area changed in orgs
// since the sums were built, and marks the sums fresh. It is cheap when nothing changed (one row read).
func (s *Service) reconcileSums(ctx context.Context) error {
	var built, changes, reconciled int64
	if err := s.DB.QueryRow(ctx, "SELECT built, org_changes, reconciled FROM energy_sum_state WHERE id = 1").Scan(&built, &changes, &reconciled); err != nil {
		return err
	}
	if built == 1 && changes == reconciled {
		return nil
	}
	return s.DB.Tx(ctx, func(q db.Q) error {
		if err := q.QueryRow(ctx, "SELECT built, org_changes, reconciled FROM energy_sum_state WHERE id = 1").Scan(&built, &changes, &reconciled); err != nil {
			return err
		}
		if built != 1 {
			return rebuildSums(ctx, q)
		}
		if changes == reconciled {
			return nil
		}
		ids, err := db.Int64s(ctx, q, `SELECT x.org_id FROM energy_sum_units x LEFT JOIN orgs o ON o.id = x.org_id
			WHERE o.id IS NULL OR o.path <> x.path OR COALESCE(o.region_code, '') <> x.region_code OR o.category <> x.category
			OR o.headcount <> x.headcount OR o.floor_area_m2 <> x.floor_area_m2 ORDER BY x.org_id`)
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			type pair struct {
				Org  int64
				Year int64
			}
			var pairs []pair
			for _, id := range ids {
				ys, err := db.Int64s(ctx, q, "SELECT year FROM energy_usage WHERE org_id = ? UNION SELECT year FROM energy_org_years WHERE org_id = ? ORDER BY 1", id, id)
				if err != nil {
					return err
				}
				for _, y := range ys {
					pairs = append(pairs, pair{id, y})
				}
			}
			for _, id := range ids { // the units' locks before the years' versions, as lockUsage takes them
				if err := db.Lock(ctx, q, orgLockKey(id)); err != nil {
					return err
				}
			}
			years := map[int]bool{}
			for _, p := range pairs {
				years[int(p.Year)] = true
			}
			yl := make([]int, 0, len(years))
			for y := range years {
				yl = append(yl, y)
			}
			sort.Ints(yl)
			if err := bumpVersion(ctx, q, yl...); err != nil {
				return err
			}
			d := newSumDelta()
			for _, p := range pairs {
				if err := d.unitYear(ctx, q, p.Org, int(p.Year), -1); err != nil {
					return err
				}
			}
			for _, id := range ids {
				if _, err := q.Exec(ctx, "DELETE FROM energy_sum_units WHERE org_id = ?", id); err != nil {
					return err
				}
				delete(d.units, id)
			}
			for _, p := range pairs {
				if err := d.unitYear(ctx, q, p.Org, int(p.Year), 1); err != nil {
					return err
				}
			}
			d.packs = map[[2]int64]bool{} // the packs hold figures only: unchanged
			if err := d.apply(ctx, q); err != nil {
				return err
			}
		}
		_, err = q.Exec(ctx, "UPDATE energy_sum_state SET reconciled = ? WHERE id = 1", changes)
		return err
	})
}

// sumNode picks the node whose sums answer a selection in a scope: the node and the unit whose own figures are
// added (0: none). ok is false when the sums cannot answer (a single unit, a unit-scoped user, a selection outside
// the scope); the caller then reads energy_usage.
func sumNode(sc auth.Scope, sel Selection, selPath string) (node, own int64, ok bool) {
	switch {
	case sel.OrgID == 0:
		switch sc.Kind {
		case auth.ScopeAll:
			return 0, 0, true
		case auth.ScopeSubtree:
			return sc.OrgID, sc.OrgID, true
		}
	case sel.Subtree:
		switch {
		case sc.Kind == auth.ScopeAll || (sc.Kind == auth.ScopeSubtree && sc.ContainsPath(sel.OrgID, selPath)):
			return sel.OrgID, sel.OrgID, true
		case sc.Kind == auth.ScopeSubtree && strings.HasPrefix(sc.Path, selPath):
			return sc.OrgID, sc.OrgID, true
		}
	}
	return 0, 0, false
}
