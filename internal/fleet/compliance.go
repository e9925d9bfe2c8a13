package fleet

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/calendar"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/refdata"
)

// 编制 (quotas) and the compliance of the vehicles with the configuration standards
// (docs/api.md §Official vehicles; docs/domain/vehicles.md §Standards). Findings are computed from the ledger, the
// quotas and the standards in force on the day of the query; nothing is stored.

// Quota is a unit's 编制 for a category, with the vehicles it holds in that category (in use or sealed).
type Quota struct {
	OrgID        int64  `json:"org_id"`
	OrgName      string `json:"org_name"`
	Category     string `json:"category"`
	CategoryName string `json:"category_name"`
	Quota        int    `json:"quota"`
	Actual       int    `json:"actual" doc:"在用和封存的车辆数"`
}

// Over reports whether the unit holds more vehicles than its quota.
func (q Quota) Over() bool { return q.Actual > q.Quota }

// QuotaInput is the body of PUT /api/v1/fleet/quotas.
type QuotaInput struct {
	OrgID    int64  `json:"org_id"`
	Category string `json:"category"`
	Quota    int    `json:"quota"`
}

// SetQuota sets (or replaces) a unit's quota for a category.
func (s *Service) SetQuota(ctx context.Context, sc auth.Scope, in QuotaInput) (Quota, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	if in.OrgID <= 0 {
		f.Add("org_id", "请选择单位")
	}
	checkEnum(f, "category", &in.Category, Categories, true, "车辆类别")
	if in.Quota < 0 || in.Quota > 10000 {
		f.Add("quota", "编制数应为 0–10000 的整数")
	}
	if err := f.Err(); err != nil {
		return Quota{}, err
	}
	var out Quota
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
			return err
		}
		before := -1
		if err := q.QueryRow(ctx, "SELECT quota FROM fleet_quotas WHERE org_id = ? AND category = ?", in.OrgID, in.Category).Scan(&before); err != nil && !db.IsNoRows(err) {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO fleet_quotas (org_id, category, quota, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (org_id, category) DO UPDATE SET quota = excluded.quota, updated_at = excluded.updated_at`, in.OrgID, in.Category, in.Quota, now.Unix()); err != nil {
			return err
		}
		qs, err := ListQuotas(ctx, q, auth.Everything(), in.OrgID)
		if err != nil {
			return err
		}
		for _, x := range qs {
			if x.Category == in.Category {
				out = x
			}
		}
		msg := fmt.Sprintf("核定%s编制 %d 辆", Categories.Name(in.Category), in.Quota)
		if before >= 0 {
			msg = fmt.Sprintf("%s编制：%d → %d 辆", Categories.Name(in.Category), before, in.Quota)
		}
		if err := history.Record(ctx, q, now, objQuota, in.OrgID, "set", msg); err != nil {
			return err
		}
		var b any
		if before >= 0 {
			b = map[string]any{"quota": before}
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "fleet.quota.set", ObjectType: objQuota, ObjectID: in.OrgID, OrgID: in.OrgID, Success: true,
			Before: b, After: out})
	})
	return out, err
}

// ListQuotas lists the quotas in scope (orgID > 0: of that unit only), with the vehicles held.
func ListQuotas(ctx context.Context, q db.Q, sc auth.Scope, orgID int64) ([]Quota, error) {
	cond, args := sc.OrgCond("x.org_id")
	w := " WHERE " + cond
	if orgID > 0 {
		w, args = w+" AND x.org_id = ?", append(args, orgID)
	}
	return db.Select(ctx, q, func(s db.Scanner) (Quota, error) {
		var x Quota
		err := s.Scan(&x.OrgID, &x.OrgName, &x.Category, &x.Quota, &x.Actual)
		x.CategoryName = Categories.Name(x.Category)
		return x, err
	}, `SELECT x.org_id, o.name, x.category, x.quota, (SELECT COUNT(*) FROM fleet_vehicles v WHERE v.org_id = x.org_id AND v.category = x.category
		AND v.status IN ('in_use', 'sealed')) FROM fleet_quotas x JOIN orgs o ON o.id = x.org_id`+w+" ORDER BY o.path, x.category", args...)
}

// ComplianceItem is one finding (docs/api.md §Official vehicles): the vehicle (0 for a finding about the unit), the
// unit, the rule, what was found, and the rule's text and source.
type ComplianceItem struct {
	VehicleID int64  `json:"vehicle_id" doc:"0 表示针对单位的结论（超编制、新能源比例）"`
	Plate     string `json:"plate,omitempty"`
	OrgID     int64  `json:"org_id"`
	OrgName   string `json:"org_name"`
	Rule      string `json:"rule" doc:"price_cap · displacement_cap · over_quota · renewal_eligible · suv_fixed_leader · nev_share · non_domestic · registered_elsewhere · cost_without_trip · non_designated_supplier"`
	RuleName  string `json:"rule_name"`
	Detail    string `json:"detail"`
	RuleText  string `json:"rule_text" doc:"依据条文"`
	Source    string `json:"source" doc:"依据文件"`
	Violation bool   `json:"violation" doc:"false：提示性结论（如可更新）"`
}

// Compliance evaluates the vehicles of orgID's subtree (0: every unit in scope) on today's standards.
func (s *Service) Compliance(ctx context.Context, q db.Q, sc auth.Scope, orgID int64) ([]ComplianceItem, error) {
	today := s.today()
	st, err := LoadStandards(ctx, q, today)
	if err != nil {
		return nil, err
	}
	cond, args := sc.OrgCond("v.org_id")
	w := " WHERE v.status <> 'disposed' AND " + cond
	if orgID > 0 {
		c, a, err := subtreeCond(ctx, q, sc, orgID, "v.org_id")
		if err != nil {
			return nil, err
		}
		w, args = w+" AND "+c, append(args, a...)
	}
	type row struct {
		v      Vehicle
		region string
	}
	rows, err := db.Select(ctx, q, func(s db.Scanner) (row, error) {
		var r row
		var price int64
		var dom, lead int
		err := s.Scan(&r.v.ID, &r.v.OrgID, &r.v.OrgName, &r.region, &r.v.Plate, &r.v.Category, &r.v.FuelType, &r.v.BodyType, &r.v.DisplacementL, &price,
			&dom, &lead, &r.v.PurchaseDate, &r.v.Status, &r.v.RegisteredOrgID, &r.v.RegisteredOrg, &r.v.RegisteredName)
		r.v.PriceYuan, r.v.Domestic, r.v.FixedLeader = yuan(price), dom == 1, lead == 1
		return r, err
	}, `SELECT v.id, v.org_id, o.name, o.region_code, v.plate, v.category, v.fuel_type, v.body_type, v.displacement_l, v.price_fen, v.domestic, v.fixed_leader,
		v.purchase_date, v.status, COALESCE(v.registered_org_id, 0), COALESCE(ro.name, ''), v.registered_name
		FROM fleet_vehicles v JOIN orgs o ON o.id = v.org_id LEFT JOIN orgs ro ON ro.id = v.registered_org_id`+w+" ORDER BY o.path, v.plate", args...)
	if err != nil {
		return nil, err
	}
	var out []ComplianceItem
	src := func(r refdata.Row) string { return r.SourceDoc }
	type unitYear struct{ bought, nev int }
	years := map[int64]*unitYear{}
	orgNames, orgRegions := map[int64]string{}, map[int64]string{}
	year := today[:4]
	for _, r := range rows {
		v := r.v
		orgNames[v.OrgID], orgRegions[v.OrgID] = v.OrgName, r.region
		add := func(rule, detail, text, source string, violation bool) {
			out = append(out, ComplianceItem{VehicleID: v.ID, Plate: v.Plate, OrgID: v.OrgID, OrgName: v.OrgName, Rule: rule, RuleName: Rules.Name(rule),
				Detail: detail, RuleText: text, Source: source, Violation: violation})
		}
		facts := VehicleFacts{Category: v.Category, Body: v.BodyType, Fuel: v.FuelType, PriceYuan: v.PriceYuan, DisplacementL: v.DisplacementL,
			Domestic: v.Domestic, FixedLeader: v.FixedLeader}
		rowsUsed := map[string]refdata.Row{}
		lookup := func(key string) (Cap, bool) {
			c, rr, ok := st.CapRow(key, r.region)
			if ok {
				rowsUsed[key] = rr
			}
			return c, ok
		}
		price, disp, pc, dc := CheckCaps(facts, lookup)
		if price != nil {
			add(price.Rule, price.Detail, pc.Text, capSource(rowsUsed, pc), true)
		}
		if disp != nil {
			add(disp.Rule, disp.Detail, dc.Text, capSource(rowsUsed, dc), true)
		}
		if n, rr, ok := st.Rule("renewal_years", r.region); ok && v.Status == "in_use" && RenewalEligible(v.PurchaseDate, today, int(n)) {
			add(RuleRenewal, fmt.Sprintf("%s 购置，使用已超过 %d 年，可以更新（仍能继续使用的应当继续使用）", v.PurchaseDate, int(n)), rr.Note, src(rr), false)
		}
		if v.BodyType == "suv" && v.FixedLeader {
			add(RuleSUVLeader, "越野车登记为领导干部固定用车", "越野车不得作为领导干部固定用车", "《党政机关公务用车管理办法》（中办发〔2017〕71号）", true)
		}
		if reg := v.Registered(); reg != "" {
			add(RuleRegisteredElsewhere, "行驶证登记在“"+reg+"”名下，产权单位为"+v.OrgName, ruleTexts[RuleRegisteredElsewhere], ruleSource, true)
		}
		if !v.Domestic {
			add(RuleNonDomestic, "非国产汽车", "公务用车应当配备使用国产汽车", "《党政机关公务用车管理办法》（中办发〔2017〕71号）", true)
		}
		if len(v.PurchaseDate) == 10 && v.PurchaseDate[:4] == year {
			y := years[v.OrgID]
			if y == nil {
				y = &unitYear{}
				years[v.OrgID] = y
			}
			y.bought++
			if NewEnergy(v.FuelType) {
				y.nev++
			}
		}
	}
	flagged, err := costsWithoutTrip(ctx, q, rows2vehicles(rows, func(r row) Vehicle { return r.v }), today)
	if err != nil {
		return nil, err
	}
	out = append(out, flagged...)
	atOthers, err := costsAtNonDesignated(ctx, q, rows2vehicles(rows, func(r row) Vehicle { return r.v }), today)
	if err != nil {
		return nil, err
	}
	out = append(out, atOthers...)
	// 编制: units whose vehicles of a category exceed the quota set for it.
	qs, err := ListQuotas(ctx, q, sc, 0)
	if err != nil {
		return nil, err
	}
	inSubtree := map[int64]bool{}
	for _, r := range rows {
		inSubtree[r.v.OrgID] = true
	}
	for _, x := range qs {
		if !x.Over() || (orgID > 0 && !inSubtree[x.OrgID]) {
			continue
		}
		out = append(out, ComplianceItem{OrgID: x.OrgID, OrgName: x.OrgName, Rule: RuleOverQuota, RuleName: Rules.Name(RuleOverQuota),
			Detail:   fmt.Sprintf("%s编制 %d 辆，实有 %d 辆，超编 %d 辆", x.CategoryName, x.Quota, x.Actual, x.Actual-x.Quota),
			RuleText: "公务用车实行编制管理，不得超编制配备", Source: "《党政机关公务用车管理办法》（中办发〔2017〕71号）第六、七条", Violation: true})
	}
	// New-energy share of the vehicles bought this year, per unit.
	ids := make([]int64, 0, len(years))
	for id := range years {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		y := years[id]
		min, rr, ok := st.Rule("nev_share_min", orgRegions[id])
		if !ok || float64(y.nev) >= min*float64(y.bought)-1e-9 {
			continue
		}
		out = append(out, ComplianceItem{OrgID: id, OrgName: orgNames[id], Rule: RuleNEVShare, RuleName: Rules.Name(RuleNEVShare),
			Detail:   fmt.Sprintf("%s 年新增及更新车辆 %d 辆，其中新能源汽车 %d 辆（%.0f%%），低于 %.0f%%", year, y.bought, y.nev, 100*float64(y.nev)/float64(y.bought), 100*min),
			RuleText: rr.Note, Source: rr.SourceDoc, Violation: true})
	}
	return out, nil
}

// ruleSource is the source of the rules of the measures themselves.
const ruleSource = "《党政机关公务用车管理办法》（中办发〔2017〕71号）"

// ruleTexts are the texts of the rules checked outside the standards' reference data.
var ruleTexts = map[string]string{
	RuleRegisteredElsewhere: "不得违规将公务用车登记在下属单位、企业或个人名下；公务用车登记在产权单位名下",
	RuleCostWithoutTrip:     "严禁私车公养；燃油（充电）费应与公务出车对应，当日无出车记录的加油（充电）须核实",
	RuleNonDesignated:       "公务用车实行定点保险、定点维修、定点加油制度；保险、维修、加油（充电）应在本单位的定点供应商",
}

func rows2vehicles[T any](rows []T, v func(T) Vehicle) []Vehicle {
	out := make([]Vehicle, len(rows))
	for i, r := range rows {
		out[i] = v(r)
	}
	return out
}

// costWindow is how far back the fuel and charging costs are matched with trips.
const costWindow = 365

// costsWithoutTrip flags the fuel and charging costs of the past year, not recorded with a trip, on a day when the
// vehicle had no trip started or completed (a 私车公养 signal): the cost_without_trip finding.
func costsWithoutTrip(ctx context.Context, q db.Q, vs []Vehicle, today string) ([]ComplianceItem, error) {
	if len(vs) == 0 {
		return nil, nil
	}
	byID := make(map[int64]Vehicle, len(vs))
	ids := make([]any, 0, len(vs))
	for _, v := range vs {
		byID[v.ID] = v
		ids = append(ids, v.ID)
	}
	t0, err := time.ParseInLocation(time.DateOnly, today, clock.Shanghai)
	if err != nil {
		return nil, err
	}
	from := t0.AddDate(0, 0, -costWindow)
	type cost struct {
		id, vehicle, fen int64
		kind, date       string
	}
	var costs []cost
	for chunk := range slices.Chunk(ids, 500) {
		cs, err := db.Select(ctx, q, func(s db.Scanner) (cost, error) {
			var c cost
			return c, s.Scan(&c.id, &c.vehicle, &c.fen, &c.kind, &c.date)
		}, `SELECT id, vehicle_id, amount_fen, kind, cost_date FROM fleet_costs WHERE kind IN ('fuel', 'charging') AND trip_id IS NULL
			AND cost_date >= ? AND cost_date <= ? AND vehicle_id IN (`+db.In(len(chunk))+") ORDER BY cost_date, id",
			append([]any{clock.Today(from), today}, chunk...)...)
		if err != nil {
			return nil, err
		}
		costs = append(costs, cs...)
	}
	if len(costs) == 0 {
		return nil, nil
	}
	// The days each of those vehicles was out (trips in progress or completed touching the window).
	out := map[int64]map[string]bool{}
	var cids []any
	for _, c := range costs {
		if out[c.vehicle] == nil {
			out[c.vehicle] = map[string]bool{}
			cids = append(cids, c.vehicle)
		}
	}
	for chunk := range slices.Chunk(cids, 500) {
		rows, err := q.Query(ctx, `SELECT vehicle_id, start_at, end_at FROM fleet_trips WHERE status IN ('in_progress', 'completed') AND end_at >= ?
			AND vehicle_id IN (`+db.In(len(chunk))+")", append([]any{from.Unix()}, chunk...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var vid, a, b int64
			if err := rows.Scan(&vid, &a, &b); err != nil {
				rows.Close()
				return nil, err
			}
			for d := calendar.Midnight(time.Unix(a, 0)); !d.After(time.Unix(b, 0)); d = d.AddDate(0, 0, 1) {
				out[vid][clock.Today(d)] = true
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	var items []ComplianceItem
	for _, c := range costs {
		if out[c.vehicle][c.date] {
			continue
		}
		v := byID[c.vehicle]
		items = append(items, ComplianceItem{VehicleID: v.ID, Plate: v.Plate, OrgID: v.OrgID, OrgName: v.OrgName, Rule: RuleCostWithoutTrip,
			RuleName: Rules.Name(RuleCostWithoutTrip), Detail: fmt.Sprintf("%s %s %.2f 元，当日该车没有出车记录", c.date, CostKinds.Name(c.kind), yuan(c.fen)),
			RuleText: ruleTexts[RuleCostWithoutTrip], Source: ruleSource, Violation: false})
	}
	return items, nil
}

func capSource(used map[string]refdata.Row, c Cap) string {
	for _, r := range used {
		var x Cap
		if r.Decode(&x) == nil && x == c {
			return r.SourceDoc
		}
	}
	return "《党政机关公务用车管理办法》（中办发〔2017〕71号）"
}
