package quota

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/notify"
	"github.com/govops/govops/internal/platform/num"
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/platform/web"
)

// Warning is a unit's quota execution for a year: the year to date, the projection and the status.
type Warning struct {
	OrgID          int64   `json:"org_id"`
	OrgName        string  `json:"org_name"`
	Year           int     `json:"year"`
	Status         string  `json:"status" doc:"normal 正常 · warning 预警 · over 超定额"`
	StatusName     string  `json:"status_name"`
	Through        int     `json:"through_month" doc:"已有数据的截止月份（12 为全年）"`
	YTDKgce        float64 `json:"ytd_kgce" doc:"年初至今综合能耗"`
	ProjectedKgce  float64 `json:"projected_kgce" doc:"预测全年综合能耗"`
	QuotaKgce      float64 `json:"quota_kgce"`
	YTDWater       float64 `json:"ytd_water_m3"`
	ProjectedWater float64 `json:"projected_water_m3"`
	QuotaWater     float64 `json:"quota_water_m3"`
	Ratio          float64 `json:"ratio" doc:"预测全年综合能耗 / 定额"`
	Method         string  `json:"method" doc:"seasonal 按上年逐月分布 · linear 线性外推 · actual 全年实际"`
	Reasons        string  `json:"reasons" doc:"状态说明（超定额、超约束值的指标）"`
	// Limits are the limits the unit breaks or approaches: total_kgce, total_water (the annual quotas) and the
	// indicators of quota standards whose constraint value is exceeded (per_area_kgce, per_capita_kgce, …).
	Limits      []string `json:"limits" doc:"突破或接近的限值：total_kgce 能耗总量定额 · total_water 用水定额 · per_area_kgce 等定额标准指标的约束值"`
	Explanation string   `json:"explanation,omitempty" doc:"超定额说明状态 submitted|approved|returned"`
	ComputedAt  int64    `json:"computed_at"`
}

// MethodLabel names the projection method.
func (w Warning) MethodLabel() string {
	return map[string]string{"seasonal": "按上年逐月分布", "linear": "线性外推", "actual": "全年实际"}[w.Method]
}

// LimitNames names the limits in Chinese ("能耗总量定额、单位建筑面积能耗约束值").
func (w Warning) LimitNames() string {
	var out []string
	for _, l := range w.Limits {
		switch l {
		case LimitTotalKgce:
			out = append(out, "能耗总量定额")
		case LimitTotalWater:
			out = append(out, "用水定额")
		default:
			out = append(out, indicatorName(l)+"约束值")
		}
	}
	return strings.Join(out, "、")
}

// Limit codes of the annual quotas (the standards' limits are their indicator codes).
const (
	LimitTotalKgce  = "total_kgce"
	LimitTotalWater = "total_water"
)

// statusName says which limit a status is about: 超定额 only when an annual quota (total) is exceeded; a unit that
// breaks only a standard's per-m² or per-person constraint value is 超约束值, not 超定额.
func statusName(status string, limits []string) string {
	if status != StatusOver {
		return Statuses.Name(status)
	}
	for _, l := range limits {
		if l == LimitTotalKgce || l == LimitTotalWater {
			return Statuses.Name(status)
		}
	}
	if len(limits) > 0 {
		return "超约束值"
	}
	return Statuses.Name(status)
}

// ExplanationName names the explanation status.
func (w Warning) ExplanationName() string { return ExplainStatuses.Name(w.Explanation) }

// Eval is the pure part of a warning: figures in, status out (tested by hand).
type Eval struct {
	YTDKgce, YTDWater     float64
	PrevKgce, PrevWater   [12]float64
	PrevComplete          bool
	Through               int
	QuotaKgce, QuotaWater float64
	WarnRatio             float64
}

// Evaluate projects both quantities and classifies them against their quotas.
func Evaluate(e Eval) Warning {
	w := Warning{Through: e.Through, YTDKgce: num.Round(e.YTDKgce, 2), YTDWater: num.Round(e.YTDWater, 2), QuotaKgce: e.QuotaKgce, QuotaWater: e.QuotaWater}
	var sk, sw bool
	w.ProjectedKgce, sk = Project(e.YTDKgce, e.Through, e.PrevKgce, e.PrevComplete)
	w.ProjectedWater, sw = Project(e.YTDWater, e.Through, e.PrevWater, e.PrevComplete)
	switch {
	case e.Through >= 12:
		w.Method = "actual"
	case sk || sw:
		w.Method = "seasonal"
	default:
		w.Method = "linear"
	}
	if e.QuotaKgce > 0 {
		w.Ratio = num.Round(w.ProjectedKgce/e.QuotaKgce, 4)
	}
	ks := Classify(e.YTDKgce, w.ProjectedKgce, e.QuotaKgce, e.WarnRatio)
	ws := Classify(e.YTDWater, w.ProjectedWater, e.QuotaWater, e.WarnRatio)
	var why []string
	what := "预测全年"
	if e.Through >= 12 {
		what = "全年实际"
	}
	w.Limits = []string{}
	if ks != StatusNormal {
		why = append(why, fmt.Sprintf("能耗总量定额：综合能耗%s %s kgce，为定额的 %s%%", what, figure(w.ProjectedKgce), figure(w.ProjectedKgce/e.QuotaKgce*100)))
		w.Limits = append(w.Limits, LimitTotalKgce)
	}
	if ws != StatusNormal {
		why = append(why, fmt.Sprintf("用水定额：用水%s %s m³，为定额的 %s%%", what, figure(w.ProjectedWater), figure(w.ProjectedWater/e.QuotaWater*100)))
		w.Limits = append(w.Limits, LimitTotalWater)
	}
	w.Status, w.Reasons = Worse(ks, ws), strings.Join(why, "；")
	w.StatusName = statusName(w.Status, w.Limits)
	return w
}

// throughMonth is the last month with data of year: 12 for a closed year, the last complete month this year.
func (s *Service) throughMonth(year int) int {
	now := energy.PeriodOf(s.Clock.Now().Unix())
	switch {
	case year < now.Year:
		return 12
	case year > now.Year:
		return 0
	}
	return now.Month - 1
}

// factorCache loads each year's factors once for a run over many units (nil: each computation loads its own).
type factorCache map[int]*energy.Factors

func (c factorCache) get(ctx context.Context, q db.Q, y int) (*energy.Factors, error) {
	if c == nil {
		return nil, nil
	}
	if f, ok := c[y]; ok {
		return f, nil
	}
	f, err := energy.LoadFactors(ctx, q, y)
	if err != nil {
		return nil, err
	}
	c[y] = f
	return f, nil
}

// evaluate computes a unit's warning for a year from its quota and its figures (nil when it has no quota). fc may
// hold the factors already loaded by a refresh of many units.
func (s *Service) evaluate(ctx context.Context, q db.Q, orgID int64, year int, fc factorCache) (*Warning, error) {
	qt, ok, err := getQuota(ctx, q, orgID, year)
	if err != nil || !ok {
		return nil, err
	}
	var o org.Org
	if o, err = org.GetOrg(ctx, q, auth.Everything(), orgID); err != nil {
		return nil, err
	}
	e := Eval{Through: s.throughMonth(year), QuotaKgce: qt.TotalKgce, QuotaWater: qt.WaterM3, WarnRatio: warnRatio(ctx, q, o.RegionCode, year)}
	sel := energy.Selection{OrgID: orgID, Subtree: true}
	var in energy.Indicators
	if e.Through > 0 {
		span := energy.Span{Year: year}
		if e.Through < 12 {
			span.Through = e.Through
		}
		f, err := fc.get(ctx, q, year)
		if err != nil {
			return nil, err
		}
		if in, err = energy.Compute(ctx, q, auth.Everything(), sel, span, f); err != nil {
			return nil, err
		}
		e.YTDKgce, e.YTDWater = in.TotalKgce, in.WaterM3
		if e.Through < 12 {
			fp, err := fc.get(ctx, q, year-1)
			if err != nil {
				return nil, err
			}
			tr, err := energy.MonthlyTrend(ctx, q, auth.Everything(), sel, year-1, fp)
			if err != nil {
				return nil, err
			}
			e.PrevComplete = true
			for i := range 12 {
				if !tr.Has[i] {
					e.PrevComplete = false
				}
			}
			for typ, m := range tr.Kgce {
				if t, ok := energy.TypeByCode(typ); ok && t.Counted {
					for i, v := range m {
						e.PrevKgce[i] += v
					}
				}
			}
			e.PrevWater = tr.Amount["water"]
		}
	}
	w := Evaluate(e)
	w.OrgID, w.OrgName, w.Year = orgID, o.Name, year
	// The category's quota levels apply to a unit's own use (a unit without sub-units).
	if o.Children == 0 && e.Through > 0 && in.HasData() {
		stds, err := Applicable(ctx, q, o.RegionCode, o.Category, year)
		if err != nil {
			return nil, err
		}
		var eq map[string]float64
		for _, st := range stds {
			if st.FactorSet == FactorEquivalent && eq == nil {
				if eq, err = equivalentFactors(ctx, q, o.RegionCode, year); err != nil {
					return nil, err
				}
			}
			v := projectedIndicator(in, w, st, eq)
			if LevelOf(v, st.ConstraintValue, st.BaselineValue, st.GuideValue) == LevelOver {
				w.Status = StatusOver
				w.Limits = append(w.Limits, st.Indicator)
				msg := fmt.Sprintf("%s约束值：预测 %s %s，超过约束值 %s", st.IndicatorName(), figure(v), st.IndicatorUnit(), figure(st.ConstraintValue))
				if w.QuotaKgce > 0 && w.Ratio <= 1 {
					msg += fmt.Sprintf("（能耗总量为定额的 %s%%，未超总量定额）", figure(w.Ratio*100))
				}
				if w.Reasons != "" {
					msg = "；" + msg
				}
				w.Reasons += msg
			}
		}
		w.StatusName = statusName(w.Status, w.Limits)
	}
	return &w, nil
}

// equivalentFactors are the 等价值 factors by energy type in force for a region and year.
func equivalentFactors(ctx context.Context, q db.Q, region string, year int) (map[string]float64, error) {
	t, err := refdata.LoadTable(ctx, q, KindFactor, refdata.YearEnd(year))
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, k := range t.Keys() {
		if r, ok := t.Lookup(k, region); ok {
			out[k] = r.Value
		}
	}
	return out, nil
}

// KgceWith recomputes the standard coal of figures with some types' factors replaced (the 等价值 set); other
// counted types keep their statistics kgce.
func KgceWith(in energy.Indicators, override map[string]float64) float64 {
	total := 0.0
	for _, tf := range in.ByType {
		if !tf.Counted {
			continue
		}
		if f, ok := override[tf.EnergyType]; ok {
			total += tf.Amount * f
		} else {
			total += tf.Kgce
		}
	}
	return total
}

// projectedIndicator is a standard's indicator of the unit over the projected full year: the year to date scaled
// by the projection of its quantity, kgce recomputed with the standard's factor set.
func projectedIndicator(in energy.Indicators, w Warning, st Standard, eq map[string]float64) float64 {
	scaleK, scaleW := 1.0, 1.0
	if w.YTDKgce > 0 {
		scaleK = w.ProjectedKgce / w.YTDKgce
	}
	if w.YTDWater > 0 {
		scaleW = w.ProjectedWater / w.YTDWater
	}
	kgce := in.TotalKgce
	if st.FactorSet == FactorEquivalent {
		kgce = KgceWith(in, eq)
	}
	div := func(a, b float64) float64 {
		if b <= 0 {
			return 0
		}
		return num.Round(a/b, 4)
	}
	switch st.Indicator {
	case energy.IndPerAreaKgce:
		return div(kgce*scaleK, in.FloorAreaM2)
	case energy.IndPerCapitaKgce:
		return div(kgce*scaleK, float64(in.Headcount))
	case energy.IndPerCapitaWater:
		return div(in.WaterM3*scaleW, float64(in.Headcount))
	case energy.IndPerAreaCO2:
		return div(in.CO2Kg*scaleK, in.FloorAreaM2)
	case energy.IndTotalKgce:
		return num.Round(kgce*scaleK, 2)
	}
	return 0
}

// store writes a warning, keeping what the unit was last told; it returns that previous notified status.
func storeWarning(ctx context.Context, q db.Q, w Warning, now int64) (string, error) {
	var notified string
	err := q.QueryRow(ctx, "SELECT notified FROM energy_quota_warnings WHERE org_id = ? AND year = ?", w.OrgID, w.Year).Scan(&notified)
	if db.IsNoRows(err) {
		notified, err = StatusNormal, nil
		_, err = q.Exec(ctx, `INSERT INTO energy_quota_warnings (org_id, year, status, through_month, ytd_kgce, projected_kgce, quota_kgce, ytd_water,
			projected_water, quota_water, ratio, method, reasons, notified, computed_at, limits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'normal', ?, ?)`,
			w.OrgID, w.Year, w.Status, w.Through, w.YTDKgce, w.ProjectedKgce, w.QuotaKgce, w.YTDWater, w.ProjectedWater, w.QuotaWater, w.Ratio, w.Method,
			w.Reasons, now, strings.Join(w.Limits, ","))
		return notified, err
	}
	if err != nil {
		return "", err
	}
	_, err = q.Exec(ctx, `UPDATE energy_quota_warnings SET status = ?, through_month = ?, ytd_kgce = ?, projected_kgce = ?, quota_kgce = ?, ytd_water = ?,
		projected_water = ?, quota_water = ?, ratio = ?, method = ?, reasons = ?, computed_at = ?, limits = ? WHERE org_id = ? AND year = ?`,
		w.Status, w.Through, w.YTDKgce, w.ProjectedKgce, w.QuotaKgce, w.YTDWater, w.ProjectedWater, w.QuotaWater, w.Ratio, w.Method, w.Reasons, now,
		strings.Join(w.Limits, ","), w.OrgID, w.Year)
	return notified, err
}

// Refresh recomputes the warnings of the given units (all units with a quota when orgIDs is nil) for a year and,
// when notifyChanges, tells each unit's administrators once per change of status to 预警 or 超定额. It returns how
// many were computed and how many notifications went out.
func (s *Service) Refresh(ctx context.Context, year int, orgIDs []int64, notifyChanges bool) (int, int, error) {
	if orgIDs == nil {
		var err error
		if orgIDs, err = db.Int64s(ctx, s.DB, "SELECT org_id FROM energy_quotas WHERE year = ? ORDER BY org_id", year); err != nil {
			return 0, 0, err
		}
	}
	n, sent := 0, 0
	fc := factorCache{}
	for _, id := range orgIDs {
		// The evaluation only reads (a subtree's indicators can take a while on a big tree): it runs outside the
		// write transaction, which on SQLite holds the database's one write lock and would keep every other
		// writer (sessions, readings, forms) waiting for the whole refresh.
		w, err := s.evaluate(ctx, s.DB, id, year, fc)
		if err != nil {
			return n, sent, fmt.Errorf("unit %d: %w", id, err)
		}
		err = s.DB.Tx(ctx, func(q db.Q) error {
			if w == nil {
				_, err := q.Exec(ctx, "DELETE FROM energy_quota_warnings WHERE org_id = ? AND year = ?", id, year)
				return err
			}
			n++
			prev, err := storeWarning(ctx, q, *w, s.Clock.Now().Unix())
			if err != nil || !notifyChanges || prev == w.Status {
				return err
			}
			if w.Status != StatusNormal {
				ok, err := s.notifyUnit(ctx, q, *w)
				if err != nil {
					return err
				}
				if ok {
					sent++
				}
			}
			_, err = q.Exec(ctx, "UPDATE energy_quota_warnings SET notified = ? WHERE org_id = ? AND year = ?", w.Status, id, year)
			return err
		})
		if err != nil {
			return n, sent, fmt.Errorf("unit %d: %w", id, err)
		}
	}
	return n, sent, nil
}

// refreshAfter recomputes the warnings of units whose quota just changed (and their parents' roll-up stays as the
// job left it). Failures are logged: the periodic job catches up.
func (s *Service) refreshAfter(ctx context.Context, orgIDs []int64, year int) {
	if len(orgIDs) == 0 {
		return
	}
	if _, _, err := s.Refresh(ctx, year, orgIDs, false); err != nil {
		s.Log.Warn("quota warnings refresh", "err", err)
	}
}

// warningsJob recomputes this year's warnings (notifying on changes) and last year's closed figures.
func (s *Service) warningsJob(ctx context.Context) (string, error) {
	y := energy.PeriodOf(s.Clock.Now().Unix()).Year
	n, sent, err := s.Refresh(ctx, y, nil, true)
	if err != nil {
		return "", err
	}
	m, _, err := s.Refresh(ctx, y-1, nil, false)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d 年 %d 个单位、%d 年 %d 个单位；发出 %d 条预警通知", y, n, y-1, m, sent), nil
}

// notifyUnit tells the administrators of the unit (the nearest unit up the tree that has any).
func (s *Service) notifyUnit(ctx context.Context, q db.Q, w Warning) (bool, error) {
	var path string
	if err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", w.OrgID).Scan(&path); err != nil {
		return false, err
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var to []int64
	for i := len(parts) - 1; i >= 0 && len(to) == 0; i-- {
		unit, err := strconv.ParseInt(parts[i], 10, 64)
		if err != nil {
			continue
		}
		if to, err = db.Int64s(ctx, q, `SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id
			WHERE ur.role_code = 'unit_admin' AND u.status = 'active' AND u.scope_org_id = ? ORDER BY u.id`, unit); err != nil {
			return false, err
		}
	}
	if len(to) == 0 {
		return false, nil
	}
	title := fmt.Sprintf("%s %d 年能耗定额%s", w.OrgName, w.Year, w.StatusName)
	err := s.Notify.Notify(ctx, q, notify.Notification{Recipients: to, Event: eventWarning, Title: title, Body: w.Reasons,
		Link: fmt.Sprintf("/energy/quota-warnings?year=%d", w.Year)})
	return err == nil, err
}

const warnCols = `w.org_id, o.name, w.year, w.status, w.through_month, w.ytd_kgce, w.projected_kgce, w.quota_kgce, w.ytd_water, w.projected_water,
	w.quota_water, w.ratio, w.method, w.reasons, w.computed_at, w.limits,
	COALESCE((SELECT MIN(CASE x.status WHEN 'approved' THEN 'a_approved' WHEN 'submitted' THEN 'b_submitted' ELSE 'c_returned' END)
		FROM energy_quota_explanations x WHERE x.org_id = w.org_id AND x.year = w.year AND x.status <> 'withdrawn'), '')`

func scanWarning(sc db.Scanner) (Warning, error) {
	var w Warning
	var limits string
	err := sc.Scan(&w.OrgID, &w.OrgName, &w.Year, &w.Status, &w.Through, &w.YTDKgce, &w.ProjectedKgce, &w.QuotaKgce, &w.YTDWater, &w.ProjectedWater,
		&w.QuotaWater, &w.Ratio, &w.Method, &w.Reasons, &w.ComputedAt, &limits, &w.Explanation)
	if len(w.Explanation) > 2 {
		w.Explanation = w.Explanation[2:]
	}
	w.Limits = []string{}
	if limits != "" {
		w.Limits = strings.Split(limits, ",")
	}
	w.StatusName = statusName(w.Status, w.Limits)
	return w, err
}

func getWarning(ctx context.Context, q db.Q, orgID int64, year int) (Warning, bool, error) {
	w, err := scanWarning(q.QueryRow(ctx, "SELECT "+warnCols+" FROM energy_quota_warnings w JOIN orgs o ON o.id = w.org_id WHERE w.org_id = ? AND w.year = ?", orgID, year))
	if db.IsNoRows(err) {
		return w, false, nil
	}
	return w, err == nil, err
}

// WarningFilter narrows the warnings list.
type WarningFilter struct {
	Year   int
	Status string // "" all; "alert" warning or over
	List   web.List
}

var warnSorts = map[string]string{"ratio": "w.ratio", "org": "o.path", "projected": "w.projected_kgce", "quota": "w.quota_kgce", "status": "w.status"}

// ListWarnings lists the warnings of the units in scope (most severe first by default).
func ListWarnings(ctx context.Context, q db.Q, sc auth.Scope, f WarningFilter) ([]Warning, int64, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	w := " WHERE w.year = ? AND " + cond
	args = append([]any{f.Year}, args...)
	switch f.Status {
	case "":
	case "alert":
		w += " AND w.status <> 'normal'"
	case StatusNormal, StatusWarning, StatusOver:
		w, args = w+" AND w.status = ?", append(args, f.Status)
	default:
		return nil, 0, errs.Invalid("status", "状态应为 normal、warning、over 或 alert")
	}
	if f.List.Q != "" {
		w, args = w+` AND LOWER(o.name) LIKE ? ESCAPE '\'`, append(args, db.LikeContains(f.List.Q))
	}
	order := "CASE w.status WHEN 'over' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, w.ratio DESC, o.path"
	if f.List.Sort != "" {
		col, ok := warnSorts[f.List.Sort]
		if !ok {
			return nil, 0, errs.Invalid("sort", "排序字段应为 ratio、org、projected、quota 或 status")
		}
		dir := " ASC"
		if f.List.Desc {
			dir = " DESC"
		}
		order = col + dir + ", o.path"
	}
	from := " FROM energy_quota_warnings w JOIN orgs o ON o.id = w.org_id"
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+from+w, args...)
	if err != nil {
		return nil, 0, err
	}
	limit := f.List.PageSize
	if limit <= 0 {
		limit = 100000
	}
	rows, err := db.Select(ctx, q, scanWarning, "SELECT "+warnCols+from+w+" ORDER BY "+order+" LIMIT ? OFFSET ?", append(args, limit, f.List.Offset())...)
	return rows, total, err
}

// Counts is the number of units per status in scope for a year (the overview card).
func Counts(ctx context.Context, q db.Q, sc auth.Scope, year int) (map[string]int64, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	out := map[string]int64{StatusNormal: 0, StatusWarning: 0, StatusOver: 0}
	rows, err := db.Select(ctx, q, func(s db.Scanner) (struct {
		st string
		n  int64
	}, error) {
		var r struct {
			st string
			n  int64
		}
		return r, s.Scan(&r.st, &r.n)
	}, "SELECT w.status, COUNT(*) FROM energy_quota_warnings w JOIN orgs o ON o.id = w.org_id WHERE w.year = ? AND "+cond+" GROUP BY w.status",
		append([]any{year}, args...)...)
	for _, r := range rows {
		out[r.st] = r.n
	}
	return out, err
}
