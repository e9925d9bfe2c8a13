package quota

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/num"
	"github.com/govops/govops/internal/platform/web"
)

// Quota is a unit's annual quota, covering the unit and everything below it.
type Quota struct {
	ID         int64   `json:"id"`
	OrgID      int64   `json:"org_id"`
	Year       int     `json:"year"`
	TotalKgce  float64 `json:"total_kgce" doc:"综合能耗定额 kgce（含下级单位）"`
	WaterM3    float64 `json:"water_m3" doc:"用水定额 m³（含下级单位）"`
	Method     string  `json:"method" doc:"set 直接核定 · share 按上年占比 · area 按建筑面积 · headcount 按用能人数 · manual 手工分配"`
	MethodName string  `json:"method_name"`
	SetByOrgID int64   `json:"set_by_org_id,omitempty" doc:"分解定额的上级单位"`
	Note       string  `json:"note"`
	UpdatedBy  string  `json:"updated_by"`
	UpdatedAt  int64   `json:"updated_at"`
}

func scanQuota(sc db.Scanner) (Quota, error) {
	var q Quota
	err := sc.Scan(&q.ID, &q.OrgID, &q.Year, &q.TotalKgce, &q.WaterM3, &q.Method, &q.SetByOrgID, &q.Note, &q.UpdatedBy, &q.UpdatedAt)
	q.MethodName = MethodName(q.Method)
	return q, err
}

const quotaCols = "id, org_id, year, total_kgce, water_m3, method, COALESCE(set_by_org_id, 0), note, updated_by, updated_at"

// getQuota loads a unit's quota of a year (ok false when none).
func getQuota(ctx context.Context, q db.Q, orgID int64, year int) (Quota, bool, error) {
	qt, err := scanQuota(q.QueryRow(ctx, "SELECT "+quotaCols+" FROM energy_quotas WHERE org_id = ? AND year = ?", orgID, year))
	if db.IsNoRows(err) {
		return qt, false, nil
	}
	return qt, err == nil, err
}

// Level is a standard applying to a unit, as shown beside its quota.
type Level struct {
	Indicator       string  `json:"indicator"`
	Name            string  `json:"name"`
	Unit            string  `json:"unit"`
	ConstraintValue float64 `json:"constraint_value"`
	BaselineValue   float64 `json:"baseline_value"`
	GuideValue      float64 `json:"guide_value"`
	FactorSet       string  `json:"factor_set"`
	StandardID      int64   `json:"standard_id"`
	Source          string  `json:"source"`
	Example         bool    `json:"example"`
}

func levelsOf(stds []Standard) []Level {
	out := []Level{}
	for _, s := range stds {
		out = append(out, Level{Indicator: s.Indicator, Name: s.IndicatorName(), Unit: s.IndicatorUnit(), ConstraintValue: s.ConstraintValue,
			BaselineValue: s.BaselineValue, GuideValue: s.GuideValue, FactorSet: s.FactorSet, StandardID: s.ID, Source: s.SourceDoc, Example: s.Example})
	}
	return out
}

// Node is one unit of the quota tree view: its quota, last year's actual (its subtree) and the levels that apply.
type Node struct {
	OrgID         int64    `json:"org_id"`
	OrgName       string   `json:"org_name"`
	Category      string   `json:"category"`
	RegionCode    string   `json:"region_code"`
	Path          string   `json:"-"`
	Children      int64    `json:"children" doc:"下级单位数"`
	Headcount     int64    `json:"headcount" doc:"用能人数（含下级）"`
	FloorAreaM2   float64  `json:"floor_area_m2" doc:"建筑面积（含下级）"`
	Quota         *Quota   `json:"quota" doc:"本年定额；null 为尚未核定"`
	LastYearKgce  float64  `json:"last_year_kgce" doc:"上年实际综合能耗（含下级）"`
	LastYearWater float64  `json:"last_year_water_m3"`
	Status        string   `json:"status,omitempty" doc:"最近一次预警计算的状态 normal|warning|over"`
	Levels        []Level  `json:"levels" doc:"适用的定额标准（约束值/基准值/引导值）"`
	Warning       *Warning `json:"warning,omitempty"`
}

// CategoryName is the Chinese category.
func (n Node) CategoryName() string { return org.Categories.Name(n.Category) }

// View is GET /api/v1/energy/quotas: a unit, its children and what of the unit's quota they hold.
type View struct {
	Year            int     `json:"year"`
	Unit            Node    `json:"unit"`
	Children        []Node  `json:"children"`
	AllocatedKgce   float64 `json:"allocated_kgce" doc:"已分解给下级的综合能耗定额合计"`
	AllocatedWater  float64 `json:"allocated_water_m3"`
	RemainingKgce   float64 `json:"remaining_kgce" doc:"本级保留（含未分配）"`
	RemainingWater  float64 `json:"remaining_water_m3"`
	CanDecompose    bool    `json:"can_decompose" doc:"调用者可分解本单位定额"`
	CanSet          bool    `json:"can_set" doc:"调用者可直接核定本单位定额"`
	ParentQuotaKgce float64 `json:"parent_quota_kgce,omitempty"`
}

type orgRow struct {
	id, parent  int64
	name, cat   string
	region, pth string
	head        int64
	area        float64
}

// subtreeOrgs lists the active units of a subtree (path order).
func subtreeOrgs(ctx context.Context, q db.Q, path string) ([]orgRow, error) {
	return db.Select(ctx, q, func(sc db.Scanner) (orgRow, error) {
		var o orgRow
		return o, sc.Scan(&o.id, &o.parent, &o.name, &o.cat, &o.region, &o.pth, &o.head, &o.area)
	}, `SELECT id, COALESCE(parent_id, 0), name, category, COALESCE(region_code, ''), path, headcount, floor_area_m2 FROM orgs
		WHERE path >= ? AND path < ? AND status = 'active' ORDER BY path`, path, db.PrefixUpper(path))
}

// rootOf is the unit a caller's pages start from: the scope's unit, else the first top-level unit.
func rootOf(ctx context.Context, q db.Q, sc auth.Scope) (int64, error) {
	if !sc.All() && sc.OrgID != 0 {
		return sc.OrgID, nil
	}
	var id int64
	err := q.QueryRow(ctx, "SELECT id FROM orgs WHERE parent_id IS NULL AND status = 'active' ORDER BY sort, id LIMIT 1").Scan(&id)
	if db.IsNoRows(err) {
		return 0, errs.NotFound("单位")
	}
	return id, err
}

// canSet tells whether the caller may set a unit's quota directly: a unit in scope whose parent is also in scope
// (one sets the quotas of the units below), or the top of the caller's scope with energy:quota.
func canSet(ctx context.Context, q db.Q, sc auth.Scope, o org.Org) bool {
	u := auth.UserFrom(ctx)
	if u == nil || !(u.Can("energy:enter") || u.Can(PermQuota)) {
		return false
	}
	if u.Can(PermQuota) {
		return true
	}
	if o.ParentID == 0 {
		return false
	}
	p, err := org.Tree{}.OrgPath(ctx, q, o.ParentID)
	return err == nil && sc.ContainsPath(o.ParentID, p)
}

func canDecompose(ctx context.Context) bool {
	u := auth.UserFrom(ctx)
	return u != nil && (u.Can("energy:enter") || u.Can(PermQuota))
}

// GetView builds the quota view of a unit in scope (404 outside) for a year.
func GetView(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, year int) (View, error) {
	v := View{Year: year, Children: []Node{}}
	if err := checkYear(year); err != nil {
		return v, err
	}
	if orgID == 0 {
		var err error
		if orgID, err = rootOf(ctx, q, sc); err != nil {
			return v, err
		}
	}
	o, err := org.GetOrg(ctx, q, sc, orgID)
	if err != nil {
		return v, err
	}
	units, err := subtreeOrgs(ctx, q, o.Path)
	if err != nil {
		return v, err
	}
	// Last year's actual of every unit of the subtree, summed up to the children.
	last := map[int64][2]float64{}
	if year-1 >= 2000 {
		figs, err := energy.UnitFigures(ctx, q, auth.Everything(), energy.Selection{OrgID: o.ID, Subtree: true}, energy.Span{Year: year - 1}, nil)
		if err != nil {
			return v, err
		}
		for _, f := range figs {
			last[f.OrgID] = [2]float64{f.TotalKgce, f.WaterM3}
		}
	}
	mk := func(r orgRow) Node {
		return Node{OrgID: r.id, OrgName: r.name, Category: r.cat, RegionCode: r.region, Path: r.pth, Levels: []Level{}}
	}
	v.Unit = mk(orgRow{id: o.ID, name: o.Name, cat: o.Category, region: o.RegionCode, pth: o.Path})
	idx := map[int64]int{}
	for _, r := range units {
		if r.parent == o.ID {
			idx[r.id] = len(v.Children)
			v.Children = append(v.Children, mk(r))
		}
	}
	for _, r := range units {
		fig := last[r.id]
		add := func(n *Node) {
			n.LastYearKgce += fig[0]
			n.LastYearWater += fig[1]
			n.Headcount += r.head
			n.FloorAreaM2 += r.area
		}
		add(&v.Unit)
		if r.parent == o.ID {
			add(&v.Children[idx[r.id]])
			continue
		}
		for i := range v.Children {
			c := &v.Children[i]
			if r.id != c.OrgID && strings.HasPrefix(r.pth, c.Path) {
				add(c)
				if r.parent == c.OrgID {
					c.Children++
				}
				break
			}
		}
	}
	v.Unit.Children = int64(len(v.Children))
	fill := func(n *Node) error {
		n.LastYearKgce, n.LastYearWater = num.Round(n.LastYearKgce, 2), num.Round(n.LastYearWater, 2)
		qt, ok, err := getQuota(ctx, q, n.OrgID, year)
		if err != nil {
			return err
		}
		if ok {
			n.Quota = &qt
		}
		if w, ok, err := getWarning(ctx, q, n.OrgID, year); err != nil {
			return err
		} else if ok {
			n.Status, n.Warning = w.Status, &w
		}
		stds, err := Applicable(ctx, q, n.RegionCode, n.Category, year)
		if err != nil {
			return err
		}
		n.Levels = levelsOf(stds)
		return nil
	}
	if err := fill(&v.Unit); err != nil {
		return v, err
	}
	for i := range v.Children {
		if err := fill(&v.Children[i]); err != nil {
			return v, err
		}
		if c := v.Children[i].Quota; c != nil {
			v.AllocatedKgce += c.TotalKgce
			v.AllocatedWater += c.WaterM3
		}
	}
	v.AllocatedKgce, v.AllocatedWater = num.Round(v.AllocatedKgce, 2), num.Round(v.AllocatedWater, 2)
	if v.Unit.Quota != nil {
		v.RemainingKgce = num.Round(v.Unit.Quota.TotalKgce-v.AllocatedKgce, 2)
		v.RemainingWater = num.Round(v.Unit.Quota.WaterM3-v.AllocatedWater, 2)
	}
	if o.ParentID != 0 {
		if pq, ok, err := getQuota(ctx, q, o.ParentID, year); err != nil {
			return v, err
		} else if ok {
			v.ParentQuotaKgce = pq.TotalKgce
		}
	}
	v.CanDecompose = canDecompose(ctx) && len(v.Children) > 0
	v.CanSet = canSet(ctx, q, sc, o)
	return v, nil
}

func checkYear(y int) error {
	if y < 2000 || y > 2100 {
		return errs.Invalid("year", "年度应为 2000–2100")
	}
	return nil
}

// SetInput is the body of PUT /api/v1/energy/quotas: one unit's quota set directly.
type SetInput struct {
	OrgID     int64   `json:"org_id"`
	Year      int     `json:"year"`
	TotalKgce float64 `json:"total_kgce"`
	WaterM3   float64 `json:"water_m3"`
	Note      string  `json:"note,omitempty"`
}

func checkAmount(f errs.Fields, field string, v float64, label string) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1e13 {
		f.Add(field, label+"应为不小于 0 的数")
	}
}

// SetQuota sets one unit's quota directly. It must fit in what the parent's quota leaves after the siblings and
// must hold what the unit has already given its own children.
func (s *Service) SetQuota(ctx context.Context, sc auth.Scope, in SetInput) (Quota, error) {
	f := errs.Fields{}
	if err := checkYear(in.Year); err != nil {
		f.Add("year", "年度应为 2000–2100")
	}
	checkAmount(f, "total_kgce", in.TotalKgce, "综合能耗定额")
	checkAmount(f, "water_m3", in.WaterM3, "用水定额")
	in.Note = strings.TrimSpace(in.Note)
	if len([]rune(in.Note)) > 500 {
		f.Add("note", "备注不超过 500 字")
	}
	if err := f.Err(); err != nil {
		return Quota{}, err
	}
	now := s.Clock.Now()
	var out Quota
	err := s.DB.Tx(ctx, func(q db.Q) error {
		o, err := org.GetOrg(ctx, q, sc, in.OrgID)
		if err != nil {
			return err
		}
		if !canSet(ctx, q, sc, o) {
			return errs.Forbidden("本单位的定额由上级单位核定和分解；您可以把本单位定额分解给下级单位")
		}
		if o.ParentID != 0 {
			if pq, ok, err := getQuota(ctx, q, o.ParentID, in.Year); err != nil {
				return err
			} else if ok {
				var sk, sw float64
				if err := q.QueryRow(ctx, `SELECT COALESCE(SUM(x.total_kgce), 0), COALESCE(SUM(x.water_m3), 0) FROM energy_quotas x JOIN orgs o ON o.id = x.org_id
					WHERE o.parent_id = ? AND x.year = ? AND x.org_id <> ?`, o.ParentID, in.Year, o.ID).Scan(&sk, &sw); err != nil {
					return err
				}
				if in.TotalKgce+sk > pq.TotalKgce+0.005 {
					f.Add("total_kgce", fmt.Sprintf("超过上级定额：上级综合能耗定额 %s kgce，其他下级已分 %s kgce，本单位最多 %s kgce", figure(pq.TotalKgce), figure(sk), figure(math.Max(0, pq.TotalKgce-sk))))
				}
				if in.WaterM3+sw > pq.WaterM3+0.005 {
					f.Add("water_m3", fmt.Sprintf("超过上级用水定额：本单位最多 %s m³", figure(math.Max(0, pq.WaterM3-sw))))
				}
			}
		}
		ck, cw, err := childSums(ctx, q, o.ID, in.Year, nil)
		if err != nil {
			return err
		}
		if in.TotalKgce+0.005 < ck {
			f.Add("total_kgce", fmt.Sprintf("少于已分解给下级的合计 %s kgce", figure(ck)))
		}
		if in.WaterM3+0.005 < cw {
			f.Add("water_m3", fmt.Sprintf("少于已分解给下级的用水合计 %s m³", figure(cw)))
		}
		if err := f.Err(); err != nil {
			return err
		}
		before, had, err := getQuota(ctx, q, o.ID, in.Year)
		if err != nil {
			return err
		}
		if out, err = upsertQuota(ctx, q, now, o.ID, in.Year, in.TotalKgce, in.WaterM3, MethodSet, 0, in.Note); err != nil {
			return err
		}
		summary := fmt.Sprintf("核定 %d 年定额：综合能耗 %s kgce，用水 %s m³", in.Year, figure(out.TotalKgce), figure(out.WaterM3))
		if err := history.Record(ctx, q, now, objQuota, out.ID, "set", summary); err != nil {
			return err
		}
		e := audit.Entry{Action: "energy.quota.set", ObjectType: objQuota, ObjectID: out.ID, OrgID: o.ID, Success: true,
			After: map[string]any{"year": in.Year, "total_kgce": out.TotalKgce, "water_m3": out.WaterM3}}
		if had {
			e.Before = map[string]any{"total_kgce": before.TotalKgce, "water_m3": before.WaterM3, "method": before.Method}
		}
		return audit.Record(ctx, q, now, e)
	})
	if err == nil {
		s.refreshAfter(ctx, []int64{in.OrgID}, in.Year)
	}
	return out, err
}

// childSums sums the quotas of a unit's children for a year, leaving out the units in except.
func childSums(ctx context.Context, q db.Q, parent int64, year int, except map[int64]bool) (float64, float64, error) {
	rows, err := db.Select(ctx, q, func(sc db.Scanner) ([3]float64, error) {
		var id int64
		var k, w float64
		err := sc.Scan(&id, &k, &w)
		return [3]float64{float64(id), k, w}, err
	}, `SELECT x.org_id, x.total_kgce, x.water_m3 FROM energy_quotas x JOIN orgs o ON o.id = x.org_id WHERE o.parent_id = ? AND x.year = ?`, parent, year)
	if err != nil {
		return 0, 0, err
	}
	var k, w float64
	for _, r := range rows {
		if !except[int64(r[0])] {
			k, w = k+r[1], w+r[2]
		}
	}
	return k, w, nil
}

func upsertQuota(ctx context.Context, q db.Q, now time.Time, orgID int64, year int, kgce, water float64, method string, setBy int64, note string) (Quota, error) {
	_, err := q.Exec(ctx, `INSERT INTO energy_quotas (org_id, year, total_kgce, water_m3, method, set_by_org_id, note, updated_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id, year) DO UPDATE SET total_kgce = excluded.total_kgce, water_m3 = excluded.water_m3, method = excluded.method,
		set_by_org_id = excluded.set_by_org_id, note = excluded.note, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		orgID, year, num.Round(kgce, 2), num.Round(water, 2), method, db.NullInt(setBy), note, audit.ActorFrom(ctx).Username, now.Unix(), now.Unix())
	if err != nil {
		return Quota{}, err
	}
	qt, _, err := getQuota(ctx, q, orgID, year)
	return qt, err
}

// DecomposeItem is one child's share in a manual decomposition.
type DecomposeItem struct {
	OrgID     int64   `json:"org_id"`
	TotalKgce float64 `json:"total_kgce"`
	WaterM3   float64 `json:"water_m3"`
}

// DecomposeInput is the body of POST /api/v1/energy/quotas/decompose.
type DecomposeInput struct {
	OrgID  int64           `json:"org_id" doc:"分解定额的单位（上级）"`
	Year   int             `json:"year"`
	Method string          `json:"method" doc:"share 按上年实际用量占比 · area 按建筑面积 · headcount 按用能人数 · manual 手工分配"`
	Items  []DecomposeItem `json:"items,omitempty" doc:"manual：各下级单位的定额；未列出的下级保持原定额"`
	Note   string          `json:"note,omitempty"`
}

// Decompose splits a unit's quota among its children. Computed methods give each child its proportion of the
// unit's whole subtree (so the unit keeps its own part); manual amounts are checked: the children never sum above
// the unit's quota (422 on items), and no child goes below what it has already split among its own children.
func (s *Service) Decompose(ctx context.Context, sc auth.Scope, in DecomposeInput) (View, error) {
	f := errs.Fields{}
	if checkYear(in.Year) != nil {
		f.Add("year", "年度应为 2000–2100")
	}
	if !Methods.Has(in.Method) {
		f.Add("method", "分解方式应为 share（按上年实际用量占比）、area（按建筑面积）、headcount（按用能人数）或 manual（手工分配）")
	}
	if in.Method == MethodManual && len(in.Items) == 0 {
		f.Add("items", "手工分配请填写各下级单位的定额")
	}
	if len(in.Items) > 1000 {
		f.Add("items", "下级单位过多")
	}
	for i, it := range in.Items {
		checkAmount(f, fmt.Sprintf("items.%d.total_kgce", i), it.TotalKgce, "综合能耗定额")
		checkAmount(f, fmt.Sprintf("items.%d.water_m3", i), it.WaterM3, "用水定额")
	}
	in.Note = strings.TrimSpace(in.Note)
	if len([]rune(in.Note)) > 500 {
		f.Add("note", "备注不超过 500 字")
	}
	if err := f.Err(); err != nil {
		return View{}, err
	}
	if !canDecompose(ctx) {
		return View{}, errs.Forbidden("没有分解定额的权限")
	}
	touched, err := s.decompose(ctx, sc, in)
	if err != nil {
		return View{}, err
	}
	s.refreshAfter(ctx, touched, in.Year)
	return GetView(ctx, s.DB, sc, in.OrgID, in.Year)
}

// decompose is Decompose after the input and permission checks; it returns the children whose quota changed.
func (s *Service) decompose(ctx context.Context, sc auth.Scope, in DecomposeInput) ([]int64, error) {
	var touched []int64
	err := s.DB.Tx(ctx, func(q db.Q) error {
		var err error
		touched, err = s.decomposeTx(ctx, q, sc, in)
		return err
	})
	return touched, err
}

// decomposeTx is decompose inside a transaction.
func (s *Service) decomposeTx(ctx context.Context, q db.Q, sc auth.Scope, in DecomposeInput) ([]int64, error) {
	f := errs.Fields{}
	now := s.Clock.Now()
	var touched []int64
	err := func() error {
		v, err := GetView(ctx, q, sc, in.OrgID, in.Year)
		if err != nil {
			return err
		}
		if v.Unit.Quota == nil {
			return errs.Invalid("org_id", "本单位 "+strconv.Itoa(in.Year)+" 年尚未核定定额，请先核定再分解")
		}
		if len(v.Children) == 0 {
			return errs.Invalid("org_id", "本单位没有下级单位，无需分解")
		}
		parent := *v.Unit.Quota
		newK, newW := map[int64]float64{}, map[int64]float64{}
		for _, c := range v.Children {
			if c.Quota != nil {
				newK[c.OrgID], newW[c.OrgID] = c.Quota.TotalKgce, c.Quota.WaterM3
			}
		}
		changed := map[int64]bool{}
		switch in.Method {
		case MethodManual:
			pos := map[int64]int{}
			for i, c := range v.Children {
				pos[c.OrgID] = i
			}
			for i, it := range in.Items {
				if _, ok := pos[it.OrgID]; !ok {
					f.Add(fmt.Sprintf("items.%d.org_id", i), "不是本单位的直属下级单位")
					continue
				}
				if changed[it.OrgID] {
					f.Add(fmt.Sprintf("items.%d.org_id", i), "下级单位重复")
					continue
				}
				changed[it.OrgID] = true
				newK[it.OrgID], newW[it.OrgID] = num.Round(it.TotalKgce, 2), num.Round(it.WaterM3, 2)
			}
		default:
			wk, ww := make([]float64, len(v.Children)), make([]float64, len(v.Children))
			var wholeK, wholeW float64
			for i, c := range v.Children {
				switch in.Method {
				case MethodShare:
					wk[i], ww[i] = c.LastYearKgce, c.LastYearWater
				case MethodArea:
					wk[i], ww[i] = c.FloorAreaM2, c.FloorAreaM2
				case MethodHeadcount:
					wk[i], ww[i] = float64(c.Headcount), float64(c.Headcount)
				}
			}
			switch in.Method {
			case MethodShare:
				wholeK, wholeW = v.Unit.LastYearKgce, v.Unit.LastYearWater
				if wholeK <= 0 {
					return errs.Invalid("method", "下级单位上年没有能耗数据，不能按上年占比分解；请改用建筑面积、用能人数或手工分配")
				}
			case MethodArea:
				wholeK, wholeW = v.Unit.FloorAreaM2, v.Unit.FloorAreaM2
			case MethodHeadcount:
				wholeK, wholeW = float64(v.Unit.Headcount), float64(v.Unit.Headcount)
			}
			sk, sw := Weighted(parent.TotalKgce, wk, wholeK), Weighted(parent.WaterM3, ww, wholeW)
			for i, c := range v.Children {
				newK[c.OrgID], newW[c.OrgID] = sk[i], sw[i]
				changed[c.OrgID] = true
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		var sumK, sumW float64
		for _, c := range v.Children {
			sumK, sumW = sumK+newK[c.OrgID], sumW+newW[c.OrgID]
		}
		if sumK > parent.TotalKgce+0.005 {
			f.Add("items", fmt.Sprintf("下级综合能耗定额合计 %s kgce 超过本单位定额 %s kgce", figure(sumK), figure(parent.TotalKgce)))
		}
		if sumW > parent.WaterM3+0.005 {
			f.Add("items", fmt.Sprintf("下级用水定额合计 %s m³ 超过本单位用水定额 %s m³", figure(sumW), figure(parent.WaterM3)))
		}
		for i, c := range v.Children {
			if !changed[c.OrgID] {
				continue
			}
			ck, cw, err := childSums(ctx, q, c.OrgID, in.Year, nil)
			if err != nil {
				return err
			}
			if newK[c.OrgID]+0.005 < ck || newW[c.OrgID]+0.005 < cw {
				f.Add("items", fmt.Sprintf("%s 的定额少于它已分解给下级的合计（%s kgce、%s m³）", c.OrgName, figure(ck), figure(cw)))
			}
			_ = i
		}
		if err := f.Err(); err != nil {
			return err
		}
		before, after := map[string]any{}, map[string]any{}
		for _, c := range v.Children {
			if !changed[c.OrgID] {
				continue
			}
			key := strconv.FormatInt(c.OrgID, 10)
			if c.Quota != nil {
				if c.Quota.TotalKgce == newK[c.OrgID] && c.Quota.WaterM3 == newW[c.OrgID] && c.Quota.Method == in.Method {
					continue
				}
				before[key] = map[string]any{"total_kgce": c.Quota.TotalKgce, "water_m3": c.Quota.WaterM3, "method": c.Quota.Method}
			}
			qt, err := upsertQuota(ctx, q, now, c.OrgID, in.Year, newK[c.OrgID], newW[c.OrgID], in.Method, v.Unit.OrgID, in.Note)
			if err != nil {
				return err
			}
			after[key] = map[string]any{"total_kgce": qt.TotalKgce, "water_m3": qt.WaterM3, "method": in.Method}
			touched = append(touched, c.OrgID)
			if err := history.Record(ctx, q, now, objQuota, qt.ID, "decompose", fmt.Sprintf("%s 分解（%s）：综合能耗 %s kgce，用水 %s m³",
				v.Unit.OrgName, MethodName(in.Method), figure(qt.TotalKgce), figure(qt.WaterM3))); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.quota.decompose", ObjectType: objQuota, ObjectID: parent.ID, OrgID: v.Unit.OrgID,
			Success: true, Before: before, After: after, Extra: map[string]any{"year": in.Year, "method": in.Method}})
	}()
	return touched, err
}

// figure renders a figure for messages and pages: web.FormatNum (thousands separators, 2 decimals at most), without
// decimals from 10,000 up (there they are noise, and they keep the cards narrow).
func figure(v float64) string {
	if math.Abs(v) >= 10000 {
		v = num.Round(v, 0)
	}
	return web.FormatNum(v)
}
