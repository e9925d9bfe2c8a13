package emc

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
)

// Occupancy of a contract's unit per month (用能人数, occupancy rate …): the optional regressor of the baseline model.
// Once every baseline month with data has a value it becomes a candidate term of the model (report.go).

// OccMonth is one month of a contract's occupancy grid.
type OccMonth struct {
	Period   string   `json:"period"`
	Baseline bool     `json:"baseline" doc:"基期月份（否则为报告期）"`
	Value    *float64 `json:"value"`
}

// Occupancy is a contract's occupancy series (GET/PUT /api/v1/energy/contracts/{id}/occupancy).
type Occupancy struct {
	ContractID int64      `json:"contract_id"`
	Label      string     `json:"label" doc:"自变量名称，如 用能人数、入住率"`
	Unit       string     `json:"unit" doc:"计量单位，如 人、%"`
	Months     []OccMonth `json:"months"`
	Baseline   int        `json:"baseline_months_entered"`
	Complete   bool       `json:"baseline_complete" doc:"基期每个月都有数值：该自变量参与基准模型的候选项"`
}

// OccInput is the body of PUT /api/v1/energy/contracts/{id}/occupancy: the whole series (months not listed, or
// with a null value, have none).
type OccInput struct {
	Label  string         `json:"label"`
	Unit   string         `json:"unit"`
	Values []OccInputItem `json:"values"`
}

// OccInputItem is one month's value.
type OccInputItem struct {
	Period string   `json:"period"`
	Value  *float64 `json:"value"`
}

// occMonths are the months of a contract's occupancy grid: the baseline, then the term from its first month up to
// its last or the last complete month.
func occMonths(c Contract, now time.Time) []OccMonth {
	var out []OccMonth
	bf, ok1 := energy.ParsePeriod(c.BaselineFrom)
	bt, ok2 := energy.ParsePeriod(c.BaselineTo)
	if ok1 && ok2 {
		for p := bf; !bt.Before(p); p = p.Next() {
			out = append(out, OccMonth{Period: p.String(), Baseline: true})
		}
	}
	ts, e1 := time.Parse("2006-01-02", c.TermStart)
	te, e2 := time.Parse("2006-01-02", c.TermEnd)
	if e1 == nil && e2 == nil {
		end := energy.Period{Year: te.Year(), Month: int(te.Month())}
		if last := LastComplete(now); last.Before(end) {
			end = last
		}
		for p := (energy.Period{Year: ts.Year(), Month: int(ts.Month())}); !end.Before(p); p = p.Next() {
			if ok2 && !bt.Before(p) {
				continue
			}
			out = append(out, OccMonth{Period: p.String()})
		}
	}
	return out
}

// GetOccupancy loads a contract's occupancy grid in scope.
func (s *Service) GetOccupancy(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Contract, Occupancy, error) {
	c, err := Get(ctx, q, sc, id)
	if err != nil {
		return c, Occupancy{}, err
	}
	o := Occupancy{ContractID: id, Label: "用能人数", Unit: "人", Months: occMonths(c, s.Clock.Now())}
	if err := q.QueryRow(ctx, "SELECT label, unit FROM energy_emc_occupancy_meta WHERE contract_id = ?", id).Scan(&o.Label, &o.Unit); err != nil && !db.IsNoRows(err) {
		return c, o, err
	}
	vals, err := occValues(ctx, q, id)
	if err != nil {
		return c, o, err
	}
	o.Complete = true
	for i := range o.Months {
		if v, ok := vals[o.Months[i].Period]; ok {
			o.Months[i].Value = fp(v)
			if o.Months[i].Baseline {
				o.Baseline++
			}
		} else if o.Months[i].Baseline {
			o.Complete = false
		}
	}
	return c, o, nil
}

func occValues(ctx context.Context, q db.Q, id int64) (map[string]float64, error) {
	out := map[string]float64{}
	rows, err := db.Select(ctx, q, func(r db.Scanner) (OccInputItem, error) {
		var it OccInputItem
		var v float64
		err := r.Scan(&it.Period, &v)
		it.Value = &v
		return it, err
	}, "SELECT period, value FROM energy_emc_occupancy WHERE contract_id = ?", id)
	for _, r := range rows {
		out[r.Period] = *r.Value
	}
	return out, err
}

// SaveOccupancy replaces a contract's occupancy series in one transaction: every value is checked first (422 naming
// the month, e.g. values[2021-03] or occ-2021-03 in the form), only months of the baseline and the term are allowed.
func (s *Service) SaveOccupancy(ctx context.Context, sc auth.Scope, id int64, in OccInput) (Occupancy, error) {
	now := s.Clock.Now()
	var out Occupancy
	err := s.DB.Tx(ctx, func(q db.Q) error {
		c, cur, err := s.GetOccupancy(ctx, q, sc, id)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		label, unit := strings.TrimSpace(in.Label), strings.TrimSpace(in.Unit)
		if label == "" || len([]rune(label)) > 30 {
			f.Add("label", "请填写自变量名称（如 用能人数、入住率，不超过 30 字）")
		}
		if len([]rune(unit)) > 10 {
			f.Add("unit", "计量单位不超过 10 字")
		}
		allowed := map[string]bool{}
		for _, m := range cur.Months {
			allowed[m.Period] = true
		}
		vals := map[string]float64{}
		for _, it := range in.Values {
			k := OccField(it.Period)
			switch {
			case !allowed[it.Period]:
				f.Add(k, "月份“"+it.Period+"”不在本合同的基期或合同期（截至最近一个完整月）内")
			case it.Value == nil:
			case math.IsNaN(*it.Value) || *it.Value < 0 || *it.Value > 1e7:
				f.Add(k, it.Period+" 的数值应为不小于 0 的数")
			case unit == "%" && *it.Value > 100:
				f.Add(k, it.Period+" 的比率不应超过 100%")
			default:
				if _, dup := vals[it.Period]; dup {
					f.Add(k, it.Period+" 重复填写")
				}
				vals[it.Period] = *it.Value
			}
		}
		if err := f.Err(); err != nil {
			e := errs.As(err)
			e.Message = fmt.Sprintf("有 %d 处填写有误，未保存任何数据", len(f))
			return e
		}
		old, err := occValues(ctx, q, id)
		if err != nil {
			return err
		}
		var changes []string
		for _, m := range cur.Months {
			o, had := old[m.Period]
			v, has := vals[m.Period]
			switch {
			case had && !has:
				changes = append(changes, fmt.Sprintf("%s 清除（原 %s）", m.Period, fmtDD(o)))
			case has && !had:
				changes = append(changes, fmt.Sprintf("%s %s", m.Period, fmtDD(v)))
			case has && o != v:
				changes = append(changes, fmt.Sprintf("%s %s → %s", m.Period, fmtDD(o), fmtDD(v)))
			}
		}
		metaChanged := label != cur.Label || unit != cur.Unit
		if _, err := q.Exec(ctx, "DELETE FROM energy_emc_occupancy WHERE contract_id = ?", id); err != nil {
			return err
		}
		for p, v := range vals {
			if _, err := q.Exec(ctx, "INSERT INTO energy_emc_occupancy (contract_id, period, value) VALUES (?, ?, ?)", id, p, v); err != nil {
				return err
			}
		}
		if _, err := q.Exec(ctx, "DELETE FROM energy_emc_occupancy_meta WHERE contract_id = ?", id); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "INSERT INTO energy_emc_occupancy_meta (contract_id, label, unit, updated_at) VALUES (?, ?, ?, ?)", id, label, unit, now.Unix()); err != nil {
			return err
		}
		if _, out, err = s.GetOccupancy(ctx, q, sc, id); err != nil {
			return err
		}
		if len(changes) == 0 && !metaChanged {
			return nil
		}
		summary := fmt.Sprintf("%s（%s）：", label, unit)
		if metaChanged {
			summary = fmt.Sprintf("自变量 %s（%s）→ %s（%s）；", cur.Label, cur.Unit, label, unit)
		}
		if len(changes) > 24 {
			summary += strings.Join(changes[:24], "；") + fmt.Sprintf("；等 %d 个月", len(changes))
		} else {
			summary += strings.Join(changes, "；")
		}
		if err := history.Record(ctx, q, now, "energy_contract", id, "occupancy", strings.TrimSuffix(summary, "；")); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.contract.occupancy", ObjectType: "energy_contract", ObjectID: id, OrgID: c.OrgID,
			Success: true, Before: map[string]any{"label": cur.Label, "unit": cur.Unit, "months": len(old)},
			After: map[string]any{"label": label, "unit": unit, "months": len(vals), "changes": len(changes)}})
	})
	return out, err
}

// OccField is the form and 422 field of a month's occupancy value.
func OccField(period string) string { return "occ-" + period }
