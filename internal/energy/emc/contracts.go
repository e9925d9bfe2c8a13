package emc

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// ContractTypes are the contract types of GB/T 24915-2020 practice
// (docs/domain/energy.md §Energy performance contracting).
var ContractTypes = []web.Option{
	{Value: "shared_savings", Label: "节能效益分享型"}, {Value: "guaranteed_savings", Label: "节能量保证型"},
	{Value: "energy_outsourcing", Label: "能源费用托管型"}, {Value: "finance_lease", Label: "融资租赁型"}, {Value: "hybrid", Label: "混合型"},
}

// Statuses of a contract.
var Statuses = []web.Option{{Value: "draft", Label: "拟签"}, {Value: "active", Label: "履行中"}, {Value: "completed", Label: "已到期"}, {Value: "terminated", Label: "已终止"}}

func optName(opts []web.Option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

// TypeName and StatusName are the Chinese names of the codes.
func TypeName(v string) string   { return optName(ContractTypes, v) }
func StatusName(v string) string { return optName(Statuses, v) }

// Share is the ESCO's share of the savings for contract years From–To (1-based, inclusive).
type Share struct {
	From    int     `json:"from_year"`
	To      int     `json:"to_year"`
	ESCOPct float64 `json:"esco_pct" doc:"节能服务公司分享比例 0–100"`
}

// Contract is an energy performance contract.
type Contract struct {
	ID             int64              `json:"id"`
	OrgID          int64              `json:"org_id"`
	Name           string             `json:"name"`
	ESCOName       string             `json:"esco_name"`
	ESCOCreditCode string             `json:"esco_credit_code" doc:"统一社会信用代码（18 位）"`
	Type           string             `json:"contract_type" doc:"shared_savings 节能效益分享型 · guaranteed_savings 节能量保证型 · energy_outsourcing 能源费用托管型 · finance_lease 融资租赁型 · hybrid 混合型"`
	SignDate       string             `json:"sign_date"`
	TermStart      string             `json:"term_start"`
	TermEnd        string             `json:"term_end"`
	BaselineFrom   string             `json:"baseline_from" doc:"基期起始月 YYYY-MM"`
	BaselineTo     string             `json:"baseline_to" doc:"基期截止月 YYYY-MM"`
	EnergyTypes    []string           `json:"energy_types"`
	BuildingIDs    []int64            `json:"building_ids"`
	InvestmentYuan float64            `json:"investment_yuan"`
	GuaranteedKgce float64            `json:"guaranteed_kgce" doc:"每合同年保证节能量（kgce），节能量保证型"`
	Prices         map[string]float64 `json:"prices" doc:"各品种单价（元/计量单位），用于计算节约费用"`
	Shares         []Share            `json:"shares"`
	Status         string             `json:"status"`
	Note           string             `json:"note,omitempty"`
	OverrideReason string             `json:"override_reason,omitempty" doc:"模型未通过验收时管理人员记录的放行理由"`
	OverrideBy     string             `json:"override_by,omitempty"`
	OverrideAt     int64              `json:"-"`
	OrgName        string             `json:"org_name"`
	OrgPath        string             `json:"-"`
	RegionCode     string             `json:"region_code"`
	CreatedAt      int64              `json:"-"`
}

// TypeName is the contract type's Chinese name.
func (c Contract) TypeName() string { return TypeName(c.Type) }

// StatusName is the status's Chinese name.
func (c Contract) StatusName() string { return StatusName(c.Status) }

// ShareFor is the ESCO's share (0–1) in contract year y.
func (c Contract) ShareFor(y int) float64 {
	for _, s := range c.Shares {
		if y >= s.From && y <= s.To {
			return s.ESCOPct / 100
		}
	}
	return 0
}

func (c Contract) snapshot() map[string]any {
	return map[string]any{"name": c.Name, "org_id": c.OrgID, "esco_name": c.ESCOName, "esco_credit_code": c.ESCOCreditCode, "contract_type": c.Type,
		"sign_date": c.SignDate, "term": c.TermStart + "—" + c.TermEnd, "baseline": c.BaselineFrom + "—" + c.BaselineTo,
		"energy_types": strings.Join(c.EnergyTypes, ","), "investment_yuan": c.InvestmentYuan, "guaranteed_kgce": c.GuaranteedKgce,
		"prices": fmt.Sprint(c.Prices), "shares": fmt.Sprint(c.Shares), "status": c.Status, "note": c.Note}
}

var diffLabels = [][2]string{{"name", "名称"}, {"org_id", "单位"}, {"esco_name", "节能服务公司"}, {"esco_credit_code", "信用代码"}, {"contract_type", "类型"},
	{"sign_date", "签订日期"}, {"term", "合同期"}, {"baseline", "基期"}, {"energy_types", "品种"}, {"investment_yuan", "投资额"},
	{"guaranteed_kgce", "保证节能量"}, {"prices", "单价"}, {"shares", "分享比例"}, {"status", "状态"}, {"note", "备注"}}

// Input is the body of POST/PUT /api/v1/energy/contracts.
type Input struct {
	OrgID          int64              `json:"org_id"`
	Name           string             `json:"name"`
	ESCOName       string             `json:"esco_name"`
	ESCOCreditCode string             `json:"esco_credit_code"`
	Type           string             `json:"contract_type"`
	SignDate       string             `json:"sign_date"`
	TermStart      string             `json:"term_start"`
	TermEnd        string             `json:"term_end"`
	BaselineFrom   string             `json:"baseline_from"`
	BaselineTo     string             `json:"baseline_to"`
	EnergyTypes    []string           `json:"energy_types"`
	BuildingIDs    []int64            `json:"building_ids,omitempty"`
	InvestmentYuan float64            `json:"investment_yuan"`
	GuaranteedKgce float64            `json:"guaranteed_kgce,omitempty"`
	Prices         map[string]float64 `json:"prices"`
	Shares         []Share            `json:"shares,omitempty"`
	Status         string             `json:"status,omitempty" doc:"默认 active"`
	Note           string             `json:"note,omitempty"`
}

var creditCode = regexp.MustCompile(`^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$`)

func validDate(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01-02", s)
	return t, err == nil && t.Year() >= 2000 && t.Year() <= 2100
}

func (in Input) check(f errs.Fields) Contract {
	c := Contract{OrgID: in.OrgID, Name: strings.TrimSpace(in.Name), ESCOName: strings.TrimSpace(in.ESCOName),
		ESCOCreditCode: strings.ToUpper(strings.TrimSpace(in.ESCOCreditCode)), Type: in.Type, SignDate: strings.TrimSpace(in.SignDate),
		TermStart: strings.TrimSpace(in.TermStart), TermEnd: strings.TrimSpace(in.TermEnd), BaselineFrom: strings.TrimSpace(in.BaselineFrom),
		BaselineTo: strings.TrimSpace(in.BaselineTo), BuildingIDs: in.BuildingIDs, InvestmentYuan: in.InvestmentYuan, GuaranteedKgce: in.GuaranteedKgce,
		Prices: map[string]float64{}, Shares: in.Shares, Status: in.Status, Note: strings.TrimSpace(in.Note)}
	if c.Status == "" {
		c.Status = "active"
	}
	if c.Name == "" || utf8.RuneCountInString(c.Name) > 100 {
		f.Add("name", "请填写项目名称（不超过 100 字）")
	}
	if c.ESCOName == "" || utf8.RuneCountInString(c.ESCOName) > 100 {
		f.Add("esco_name", "请填写节能服务公司名称（不超过 100 字）")
	}
	if !creditCode.MatchString(c.ESCOCreditCode) {
		f.Add("esco_credit_code", "统一社会信用代码应为 18 位数字或大写字母")
	}
	if optName(ContractTypes, c.Type) == c.Type {
		f.Add("contract_type", "合同类型应为 shared_savings（节能效益分享型）、guaranteed_savings（节能量保证型）、energy_outsourcing（能源费用托管型）、finance_lease（融资租赁型）或 hybrid（混合型）")
	}
	if optName(Statuses, c.Status) == c.Status {
		f.Add("status", "状态应为 draft、active、completed 或 terminated")
	}
	if _, ok := validDate(c.SignDate); !ok {
		f.Add("sign_date", "签订日期应为 YYYY-MM-DD")
	}
	ts, ok1 := validDate(c.TermStart)
	te, ok2 := validDate(c.TermEnd)
	if !ok1 {
		f.Add("term_start", "合同期起始日期应为 YYYY-MM-DD")
	}
	if !ok2 {
		f.Add("term_end", "合同期截止日期应为 YYYY-MM-DD")
	}
	if ok1 && ok2 && !te.After(ts) {
		f.Add("term_end", "合同期截止日期应晚于起始日期")
	}
	bf, okf := energy.ParsePeriod(c.BaselineFrom)
	bt, okt := energy.ParsePeriod(c.BaselineTo)
	if !okf {
		f.Add("baseline_from", "基期起始月应为 YYYY-MM")
	}
	if !okt {
		f.Add("baseline_to", "基期截止月应为 YYYY-MM")
	}
	if okf && okt {
		n := (bt.Year-bf.Year)*12 + bt.Month - bf.Month + 1
		switch {
		case n < 12:
			f.Add("baseline_to", "基期应至少 12 个月")
		case n > 60:
			f.Add("baseline_to", "基期不超过 60 个月")
		case ok1 && !bt.Before(energy.Period{Year: ts.Year(), Month: int(ts.Month())}):
			f.Add("baseline_to", "基期应在合同期开始之前结束")
		}
	}
	seen := map[string]bool{}
	for _, t := range in.EnergyTypes {
		tp, ok := energy.TypeByCode(t)
		if !ok || !tp.Counted {
			f.Add("energy_types", "能源品种“"+t+"”不是可计入综合能耗的品种（electricity、natural_gas、coal、gasoline、diesel、lpg、heat）")
			continue
		}
		if !seen[t] {
			seen[t] = true
			c.EnergyTypes = append(c.EnergyTypes, t)
		}
	}
	if len(in.EnergyTypes) == 0 {
		f.Add("energy_types", "请选择合同涉及的能源品种")
	}
	for t, p := range in.Prices {
		switch {
		case !seen[t]:
			if _, ok := energy.TypeByCode(t); !ok {
				f.Add("prices", "单价中的品种“"+t+"”未知")
			}
		case math.IsNaN(p) || p < 0 || p > 10000:
			f.Add("prices", "单价应为 0–10000 元")
		default:
			c.Prices[t] = p
		}
	}
	if math.IsNaN(c.InvestmentYuan) || c.InvestmentYuan < 0 || c.InvestmentYuan > 1e11 {
		f.Add("investment_yuan", "投资额应为非负数")
	}
	if math.IsNaN(c.GuaranteedKgce) || c.GuaranteedKgce < 0 {
		f.Add("guaranteed_kgce", "保证节能量应为非负数")
	}
	years := 0
	if ok1 && ok2 {
		years = int(math.Ceil(te.Sub(ts).Hours() / 24 / 365.25))
	}
	sort.Slice(c.Shares, func(i, j int) bool { return c.Shares[i].From < c.Shares[j].From })
	for i, s := range c.Shares {
		switch {
		case math.IsNaN(s.ESCOPct) || s.ESCOPct < 0 || s.ESCOPct > 100:
			f.Add("shares", "分享比例应在 0–100% 之间")
		case s.From < 1 || s.To < s.From || (years > 0 && s.To > years):
			f.Add("shares", fmt.Sprintf("分享年度应在合同期的第 1–%d 年内，且起始年不晚于截止年", max(years, 1)))
		case i > 0 && s.From <= c.Shares[i-1].To:
			f.Add("shares", "分享年度不能重叠")
		}
	}
	if (c.Type == "shared_savings" || c.Type == "hybrid") && len(c.Shares) == 0 {
		f.Add("shares", "节能效益分享型和混合型合同应约定分享比例")
	}
	if utf8.RuneCountInString(c.Note) > 1000 {
		f.Add("note", "备注不超过 1000 字")
	}
	return c
}

const cols = `c.id, c.org_id, c.name, c.esco_name, c.esco_credit_code, c.contract_type, c.sign_date, c.term_start, c.term_end, c.baseline_from,
	c.baseline_to, c.energy_types, c.building_ids, c.investment_yuan, c.guaranteed_kgce, c.prices, c.shares, c.status, c.note, c.override_reason,
	c.override_by, c.override_at, c.created_at, o.name, o.path, COALESCE(o.region_code, '')`

const from = ` FROM energy_emc_contracts c JOIN orgs o ON o.id = c.org_id`

func scan(s db.Scanner) (Contract, error) {
	var c Contract
	var types, bids, prices, shares string
	err := s.Scan(&c.ID, &c.OrgID, &c.Name, &c.ESCOName, &c.ESCOCreditCode, &c.Type, &c.SignDate, &c.TermStart, &c.TermEnd, &c.BaselineFrom,
		&c.BaselineTo, &types, &bids, &c.InvestmentYuan, &c.GuaranteedKgce, &prices, &shares, &c.Status, &c.Note, &c.OverrideReason,
		&c.OverrideBy, &c.OverrideAt, &c.CreatedAt, &c.OrgName, &c.OrgPath, &c.RegionCode)
	if err != nil {
		return c, err
	}
	c.EnergyTypes = strings.Split(types, ",")
	for _, b := range strings.Split(bids, ",") {
		if id, err := strconv.ParseInt(b, 10, 64); err == nil {
			c.BuildingIDs = append(c.BuildingIDs, id)
		}
	}
	c.Prices = map[string]float64{}
	_ = json.Unmarshal([]byte(prices), &c.Prices)
	_ = json.Unmarshal([]byte(shares), &c.Shares)
	return c, nil
}

// Get loads a contract in scope (404 otherwise).
func Get(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Contract, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	c, err := scan(q.QueryRow(ctx, "SELECT "+cols+from+" WHERE c.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return Contract{}, errs.NotFound("合同能源管理项目")
	}
	return c, err
}

// List lists the contracts in scope.
func List(ctx context.Context, q db.Q, sc auth.Scope, orgID int64) ([]Contract, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	w := " WHERE " + cond
	if orgID != 0 {
		w, args = w+" AND c.org_id = ?", append(args, orgID)
	}
	return db.Select(ctx, q, scan, "SELECT "+cols+from+w+" ORDER BY o.path, c.id", args...)
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// Save creates (id 0) or changes a contract in scope.
func (s *Service) Save(ctx context.Context, sc auth.Scope, id int64, in Input) (Contract, error) {
	now := s.Clock.Now()
	var out Contract
	err := s.DB.Tx(ctx, func(q db.Q) error {
		var before Contract
		if id != 0 {
			var err error
			if before, err = Get(ctx, q, sc, id); err != nil {
				return err
			}
		}
		f := errs.Fields{}
		c := in.check(f)
		if c.OrgID > 0 {
			if err := sc.CheckOrg(ctx, q, org.Tree{}, c.OrgID, "org_id"); err != nil {
				if e := errs.As(err); e != nil && e.Fields != nil {
					for k, v := range e.Fields {
						f.Add(k, v)
					}
				} else {
					return err
				}
			}
		} else {
			f.Add("org_id", "请选择用能单位")
		}
		for _, b := range c.BuildingIDs {
			bi, err := s.Energy.Buildings.Building(ctx, q, sc, b)
			if errs.Is(err, errs.CodeNotFound) || (err == nil && bi.OrgID != c.OrgID) {
				f.Add("building_ids", "楼栋 "+strconv.FormatInt(b, 10)+" 不存在或不属于该单位")
			} else if err != nil {
				return err
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		prices, _ := json.Marshal(c.Prices)
		shares, _ := json.Marshal(c.Shares)
		if c.Shares == nil {
			shares = []byte("[]")
		}
		action := "energy.contract.update"
		if id == 0 {
			action = "energy.contract.create"
			var err error
			id, err = db.InsertID(ctx, q, `INSERT INTO energy_emc_contracts (org_id, name, esco_name, esco_credit_code, contract_type, sign_date, term_start,
				term_end, baseline_from, baseline_to, energy_types, building_ids, investment_yuan, guaranteed_kgce, prices, shares, status, note, created_at,
				updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				c.OrgID, c.Name, c.ESCOName, c.ESCOCreditCode, c.Type, c.SignDate, c.TermStart, c.TermEnd, c.BaselineFrom, c.BaselineTo,
				strings.Join(c.EnergyTypes, ","), joinIDs(c.BuildingIDs), c.InvestmentYuan, c.GuaranteedKgce, string(prices), string(shares), c.Status, c.Note,
				now.Unix(), now.Unix())
			if err != nil {
				return err
			}
		} else if _, err := q.Exec(ctx, `UPDATE energy_emc_contracts SET org_id = ?, name = ?, esco_name = ?, esco_credit_code = ?, contract_type = ?,
			sign_date = ?, term_start = ?, term_end = ?, baseline_from = ?, baseline_to = ?, energy_types = ?, building_ids = ?, investment_yuan = ?,
			guaranteed_kgce = ?, prices = ?, shares = ?, status = ?, note = ?, updated_at = ? WHERE id = ?`,
			c.OrgID, c.Name, c.ESCOName, c.ESCOCreditCode, c.Type, c.SignDate, c.TermStart, c.TermEnd, c.BaselineFrom, c.BaselineTo,
			strings.Join(c.EnergyTypes, ","), joinIDs(c.BuildingIDs), c.InvestmentYuan, c.GuaranteedKgce, string(prices), string(shares), c.Status, c.Note,
			now.Unix(), id); err != nil {
			return err
		}
		var err error
		if out, err = Get(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		e := audit.Entry{Action: action, ObjectType: "energy_contract", ObjectID: id, OrgID: out.OrgID, Success: true, After: out.snapshot()}
		summary := "登记合同能源管理项目：" + out.Name
		if id != 0 && before.ID != 0 {
			e.Before = before.snapshot()
			if summary = history.Diff(diffLabels, before.snapshot(), out.snapshot()); summary == "" {
				summary = "保存（无变化）"
			}
		}
		if err := history.Record(ctx, q, now, "energy_contract", id, action[len("energy.contract."):], summary); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, e)
	})
	return out, err
}

// Delete removes a contract in scope with its payments.
func (s *Service) Delete(ctx context.Context, sc auth.Scope, id int64) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		c, err := Get(ctx, q, sc, id)
		if err != nil {
			return err
		}
		for _, t := range []string{"energy_emc_payments", "energy_emc_occupancy", "energy_emc_occupancy_meta"} {
			if _, err := q.Exec(ctx, "DELETE FROM "+t+" WHERE contract_id = ?", id); err != nil {
				return err
			}
		}
		if _, err := q.Exec(ctx, "DELETE FROM energy_emc_contracts WHERE id = ?", id); err != nil {
			return err
		}
		if _, err := s.Attach.DeleteAll(ctx, q, objContract, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.contract.delete", ObjectType: "energy_contract", ObjectID: id, OrgID: c.OrgID,
			Success: true, Before: c.snapshot()})
	})
}

// Override records a manager's reason to settle a contract whose baseline model fails acceptance.
func (s *Service) Override(ctx context.Context, sc auth.Scope, id int64, reason string) (Contract, error) {
	now := s.Clock.Now()
	reason = strings.TrimSpace(reason)
	var out Contract
	err := s.DB.Tx(ctx, func(q db.Q) error {
		c, err := Get(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if reason == "" || utf8.RuneCountInString(reason) > 500 {
			return errs.Invalid("reason", "请填写放行理由（不超过 500 字）")
		}
		by := audit.ActorFrom(ctx).Username
		if _, err := q.Exec(ctx, "UPDATE energy_emc_contracts SET override_reason = ?, override_by = ?, override_at = ?, updated_at = ? WHERE id = ?",
			reason, by, now.Unix(), now.Unix(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, "energy_contract", id, "override", "基准模型未通过验收，记录放行理由："+reason); err != nil {
			return err
		}
		if out, err = Get(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.contract.override", ObjectType: "energy_contract", ObjectID: id, OrgID: c.OrgID,
			Success: true, Before: map[string]any{"override_reason": c.OverrideReason}, After: map[string]any{"override_reason": reason}})
	})
	return out, err
}

// SetPaid records whether settlement period n of a contract is paid. The period must be settleable.
func (s *Service) SetPaid(ctx context.Context, sc auth.Scope, id int64, n int, paid bool, note string) error {
	now := s.Clock.Now()
	c, err := Get(ctx, s.DB, sc, id)
	if err != nil {
		return err
	}
	rep, err := s.Report(ctx, c, LastComplete(now))
	if err != nil {
		return err
	}
	var per *Settlement
	for i := range rep.Settlements {
		if rep.Settlements[i].No == n {
			per = &rep.Settlements[i]
		}
	}
	switch {
	case per == nil:
		return errs.NotFound("结算期")
	case !rep.Settleable:
		return &errs.Error{Code: errs.CodeConflict, Message: "基准模型未通过验收，记录放行理由前不能结算", Fields: map[string]string{"paid": "基准模型未通过验收"}}
	case !per.Complete:
		return errs.Invalid("paid", "结算期尚未结束")
	}
	return s.DB.Tx(ctx, func(q db.Q) error {
		if _, err := q.Exec(ctx, "DELETE FROM energy_emc_payments WHERE contract_id = ? AND period_no = ?", id, n); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO energy_emc_payments (contract_id, period_no, paid, amount_yuan, note, recorded_at, recorded_by)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, n, paid, per.ESCOYuan, strings.TrimSpace(note), now.Unix(), audit.ActorFrom(ctx).Username); err != nil {
			return err
		}
		label := map[bool]string{true: "已支付", false: "未支付"}[paid]
		if err := history.Record(ctx, q, now, "energy_contract", id, "payment", fmt.Sprintf("第 %d 期结算标记为%s（节能服务公司分享 %.2f 元）", n, label, per.ESCOYuan)); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.contract.payment", ObjectType: "energy_contract", ObjectID: id, OrgID: c.OrgID,
			Success: true, After: map[string]any{"period": n, "paid": paid, "esco_yuan": per.ESCOYuan}})
	})
}

// DegreeDay is a month's heating and cooling degree days in a region.
type DegreeDay struct {
	RegionCode string  `json:"region_code"`
	Period     string  `json:"period"`
	HDD        float64 `json:"hdd"`
	CDD        float64 `json:"cdd"`
	Source     string  `json:"source,omitempty"`
}
