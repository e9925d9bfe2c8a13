package energy

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/num"
	"github.com/govops/govops/internal/platform/refdata"
)

// Entry is a monthly statistics entry as stored and answered by the API.
type Entry struct {
	OrgID       int64   `json:"org_id"`
	Period      string  `json:"period"`
	EnergyType  string  `json:"energy_type"`
	Amount      float64 `json:"amount" doc:"按该品种计量单位（kWh、m3、kg、GJ）"`
	Unit        string  `json:"unit"`
	InputAmount float64 `json:"input_amount" doc:"填报的原始数量"`
	InputUnit   string  `json:"input_unit" doc:"填报的原始单位"`
	Density     float64 `json:"density,omitempty" doc:"以升填报时采用的换算密度 kg/L"`
	Note        string  `json:"note"`
	Source      string  `json:"source" doc:"form 页面 · api 接口 · import 导入 · demo 演示"`
	Warning     string  `json:"warning,omitempty" doc:"保存时的合理性提示（与上月、去年同月的比较）"`
	Reason      string  `json:"reason,omitempty" doc:"确认合理性提示时填写的说明"`
	UpdatedAt   int64   `json:"-"`
	UpdatedBy   string  `json:"updated_by"`
	Updated     string  `json:"updated_at" doc:"RFC 3339"`
	// Created is true when the entry did not exist before (the API answers 201), Changed when anything changed.
	Created bool `json:"-"`
	Changed bool `json:"changed"`
}

func (e Entry) snapshot() map[string]any {
	return map[string]any{"org_id": e.OrgID, "period": e.Period, "energy_type": e.EnergyType, "amount": e.Amount,
		"input_amount": e.InputAmount, "input_unit": e.InputUnit, "density": e.Density, "note": e.Note, "reason": e.Reason, "warning": e.Warning}
}

const entryCols = "org_id, period, energy_type, amount, input_amount, input_unit, density, note, source, updated_at, updated_by, reason, warning"

func scanEntry(s db.Scanner) (Entry, error) {
	var e Entry
	err := s.Scan(&e.OrgID, &e.Period, &e.EnergyType, &e.Amount, &e.InputAmount, &e.InputUnit, &e.Density, &e.Note, &e.Source, &e.UpdatedAt, &e.UpdatedBy, &e.Reason, &e.Warning)
	if t, ok := TypeByCode(e.EnergyType); ok {
		e.Unit = t.Unit
	}
	if e.UpdatedAt != 0 {
		e.Updated = time.Unix(e.UpdatedAt, 0).In(Shanghai).Format(time.RFC3339)
	}
	return e, err
}

func getEntry(ctx context.Context, q db.Q, orgID int64, period, typ string) (Entry, bool, error) {
	e, err := scanEntry(q.QueryRow(ctx, "SELECT "+entryCols+" FROM energy_consumption WHERE org_id = ? AND period = ? AND energy_type = ?", orgID, period, typ))
	if db.IsNoRows(err) {
		return Entry{}, false, nil
	}
	return e, err == nil, err
}

// orgRegion returns a unit's region code (for the factors that apply to it).
func orgRegion(ctx context.Context, q db.Q, orgID int64) (string, error) {
	var r string
	err := q.QueryRow(ctx, "SELECT COALESCE(region_code, '') FROM orgs WHERE id = ?", orgID).Scan(&r)
	if db.IsNoRows(err) {
		return "", errs.NotFound("单位")
	}
	return r, err
}

// SetConsumption records the monthly statistics entry of (unit, period, type), replacing an earlier one: the same
// entry again changes nothing. Entries are the authoritative figures; the change is audited. A figure far from the
// unit's earlier ones is refused with 422 plausibility unless in confirms it with a reason (plausible.go); the demo
// loader's entries are not checked.
func (s *Service) SetConsumption(ctx context.Context, sc auth.Scope, in ConsumptionInput, source string) (Entry, error) {
	var out Entry
	var g *guard
	if source != "demo" {
		g = newGuard()
	}
	err := s.DB.Tx(ctx, func(q db.Q) error {
		var err error
		out, err = s.setConsumption(ctx, q, sc, in, source, s.Clock.Now(), nil, g)
		return err
	})
	return out, err
}

// setConsumption writes one entry in q's transaction. With deferred set, the unit figures to recompute are added
// to it instead of recomputed at once (imports recompute each unit, year and type once at the end). With g set, a
// changed figure is checked for plausibility: an implausible one answers errs.CodePlausibility naming the field
// "amount" unless in.Confirm, and then needs in.Reason.
func (s *Service) setConsumption(ctx context.Context, q db.Q, sc auth.Scope, in ConsumptionInput, source string, now time.Time, deferred map[usageKey]bool, g *guard) (Entry, error) {
	f := errs.Fields{}
	t, unit := checkConsumption(&in, now, f)
	if err := f.Err(); err != nil {
		return Entry{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if err := sc.CheckOrg(ctx, q, org.Tree{}, in.OrgID, "org_id"); err != nil {
		return Entry{}, err
	}
	p, _ := ParsePeriod(in.Period)
	if err := s.checkLock(ctx, q, in.OrgID, p.Year); err != nil {
		return Entry{}, err
	}
	e := Entry{OrgID: in.OrgID, Period: in.Period, EnergyType: t.Code, Unit: t.Unit, InputAmount: in.Amount, InputUnit: unit.Code,
		Note: in.Note, Source: source, UpdatedAt: now.Unix(), UpdatedBy: audit.ActorFrom(ctx).Username, Changed: true}
	if unit.Litres {
		region, err := orgRegion(ctx, q, in.OrgID)
		if err != nil {
			return Entry{}, err
		}
		row, err := refdata.LookupYear(ctx, q, KindDensity, t.Code, region, p.Year)
		if err != nil {
			if errs.Is(err, errs.CodeNotFound) {
				return Entry{}, errs.Invalid("unit", fmt.Sprintf("没有 %d 年有效的%s换算密度（标准参数 %s），请改以千克填报或配置密度", p.Year, t.Name, KindDensity))
			}
			return Entry{}, err
		}
		e.Density = row.Value
		e.Amount = num.Round(in.Amount*row.Value, 6)
	} else {
		e.Amount = num.Round(in.Amount*unit.Factor, 6)
	}
	before, had, err := getEntry(ctx, q, in.OrgID, in.Period, t.Code)
	if err != nil {
		return Entry{}, err
	}
	if had && before.Amount == e.Amount && before.InputAmount == e.InputAmount && before.InputUnit == e.InputUnit && before.Note == e.Note {
		before.Changed = false
		return before, nil
	}
	if had && before.Amount == e.Amount {
		e.Warning, e.Reason = before.Warning, before.Reason // the figure stands: so do its warning and reason
	} else if g != nil {
		bs, err := g.check(ctx, q, e.OrgID, p, e.EnergyType, e.Amount)
		if err != nil {
			return Entry{}, err
		}
		if bs != nil {
			if !in.Confirm {
				return e, plausibilityError("amount", bs) // e: the entry it would write (an import's trial counts it)
			}
			if err := checkReason(in.Reason); err != nil {
				return Entry{}, err
			}
			e.Warning, e.Reason = WarningText(bs), in.Reason
		}
	}
	e.Created = !had
	if _, err := q.Exec(ctx, `INSERT INTO energy_consumption (org_id, period, energy_type, amount, input_amount, input_unit, density, note, source, created_at, updated_at, updated_by, reason, warning)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id, period, energy_type) DO UPDATE SET amount = excluded.amount, input_amount = excluded.input_amount,
		input_unit = excluded.input_unit, density = excluded.density, note = excluded.note, source = excluded.source,
		updated_at = excluded.updated_at, updated_by = excluded.updated_by, reason = excluded.reason, warning = excluded.warning`,
		e.OrgID, e.Period, e.EnergyType, e.Amount, e.InputAmount, e.InputUnit, e.Density, e.Note, e.Source, now.Unix(), now.Unix(), e.UpdatedBy,
		e.Reason, e.Warning); err != nil {
		return Entry{}, err
	}
	var old *float64
	if had {
		old = &before.Amount
	}
	if err := logChange(ctx, q, now, e.OrgID, e.Period, e.EnergyType, source, old, &e.Amount, e.Warning, e.Reason); err != nil {
		return Entry{}, err
	}
	if deferred != nil {
		deferred[usageKey{e.OrgID, p.Year, e.EnergyType}] = true
	} else if err := recomputeUsage(ctx, q, e.OrgID, p.Year, e.EnergyType); err != nil {
		return Entry{}, err
	}
	ae := audit.Entry{Action: "energy.consumption.set", ObjectType: "energy_consumption", ObjectKey: entryKey(e.OrgID, e.Period, e.EnergyType),
		OrgID: e.OrgID, Success: true, After: e.snapshot(), Extra: map[string]any{"source": source}}
	if e.Warning != "" && e.Reason != "" && (!had || before.Amount != e.Amount) {
		ae.Message = "确认合理性提示（" + e.Warning + "）：" + e.Reason
	}
	if had {
		ae.Before = before.snapshot()
	}
	if err := audit.Record(ctx, q, now, ae); err != nil {
		return Entry{}, err
	}
	e.Updated = now.In(Shanghai).Format(time.RFC3339)
	return e, nil
}

func entryKey(orgID int64, period, typ string) string {
	return strconv.FormatInt(orgID, 10) + "/" + period + "/" + typ
}

// DeleteConsumption removes an entry; the month then counts the unit's main meters, if any.
func (s *Service) DeleteConsumption(ctx context.Context, sc auth.Scope, orgID int64, period, typ string) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error { return s.deleteConsumption(ctx, q, sc, orgID, period, typ, now, "api") })
}

func (s *Service) deleteConsumption(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, period, typ string, now time.Time, source string) error {
	if err := sc.CheckOrg(ctx, q, org.Tree{}, orgID, "org_id"); err != nil {
		return err
	}
	p, ok := ParsePeriod(period)
	if !ok {
		return errs.Invalid("period", "统计月份应为 YYYY-MM")
	}
	if err := s.checkLock(ctx, q, orgID, p.Year); err != nil {
		return err
	}
	before, had, err := getEntry(ctx, q, orgID, period, typ)
	if err != nil {
		return err
	}
	if !had {
		return errs.NotFound("月度能耗记录")
	}
	if _, err := q.Exec(ctx, "DELETE FROM energy_consumption WHERE org_id = ? AND period = ? AND energy_type = ?", orgID, period, typ); err != nil {
		return err
	}
	if err := recomputeUsage(ctx, q, orgID, p.Year, typ); err != nil {
		return err
	}
	if err := logChange(ctx, q, now, orgID, period, typ, source, &before.Amount, nil, "", ""); err != nil {
		return err
	}
	return audit.Record(ctx, q, now, audit.Entry{Action: "energy.consumption.delete", ObjectType: "energy_consumption",
		ObjectKey: entryKey(orgID, period, typ), OrgID: orgID, Success: true, Before: before.snapshot()})
}

// ListEntries returns a unit's entries of a year (for the grid and the API).
func ListEntries(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, year int) ([]Entry, error) {
	if err := sc.CheckOrg(ctx, q, org.Tree{}, orgID, "org_id"); err != nil {
		return nil, err
	}
	return db.Select(ctx, q, scanEntry, "SELECT "+entryCols+" FROM energy_consumption WHERE org_id = ? AND period >= ? AND period <= ? ORDER BY period, energy_type",
		orgID, fmt.Sprintf("%04d-01", year), fmt.Sprintf("%04d-12", year))
}

// GridCell is one month × type cell of the entry form: Value as typed ("" clears the entry).
type GridCell struct {
	Month int
	Type  string
	Value string
}

// GridResult says what a grid save did.
type GridResult struct {
	Set, Cleared int
}

// gridField names a cell in error fields ("electricity-03").
func gridField(typ string, month int) string { return fmt.Sprintf("%s-%02d", typ, month) }

// SaveGrid applies the month × type form of one unit and year in one transaction: changed numbers replace their
// entries, cleared cells delete them, untouched cells change nothing. Any bad cell refuses the whole form (422
// with every bad cell in fields). Implausible figures refuse it too (422 plausibility naming every such cell with
// its comparison) unless confirm is set, and then reason is required and kept with each of them.
func (s *Service) SaveGrid(ctx context.Context, sc auth.Scope, orgID int64, year int, cells []GridCell, confirm bool, reason string) (GridResult, error) {
	now := s.Clock.Now()
	var res GridResult
	g := newGuard()
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := sc.CheckOrg(ctx, q, org.Tree{}, orgID, "org_id"); err != nil {
			return err
		}
		if err := s.checkLock(ctx, q, orgID, year); err != nil {
			return err
		}
		existing, err := ListEntries(ctx, q, sc, orgID, year)
		if err != nil {
			return err
		}
		have := map[string]Entry{}
		for _, e := range existing {
			p, _ := ParsePeriod(e.Period)
			have[gridField(e.EnergyType, p.Month)] = e
		}
		f := errs.Fields{}
		type op struct {
			in    ConsumptionInput
			clear bool
		}
		var ops []op
		for _, c := range cells {
			key := gridField(c.Type, c.Month)
			v := strings.TrimSpace(strings.ReplaceAll(c.Value, ",", ""))
			period := Period{year, c.Month}.String()
			if v == "" {
				if _, ok := have[key]; ok {
					ops = append(ops, op{in: ConsumptionInput{OrgID: orgID, Period: period, EnergyType: c.Type}, clear: true})
				}
				continue
			}
			n, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
				f.Add(key, "应为数字")
				continue
			}
			in := ConsumptionInput{OrgID: orgID, Period: period, EnergyType: c.Type, Amount: n}
			if e, ok := have[key]; ok {
				if e.Amount == n {
					continue
				}
				in.Note = e.Note
			}
			cf := errs.Fields{}
			checkConsumption(&in, now, cf)
			for _, msg := range cf {
				f.Add(key, msg)
			}
			ops = append(ops, op{in: in})
		}
		if err := f.Err(); err != nil {
			e := errs.As(err)
			e.Message = "有 " + strconv.Itoa(len(f)) + " 个格子填写有误，未保存任何数据"
			return e
		}
		warned := map[string]string{}
		for _, o := range ops {
			if o.clear {
				if err := s.deleteConsumption(ctx, q, sc, orgID, o.in.Period, o.in.EnergyType, now, "form"); err != nil {
					return err
				}
				res.Cleared++
				continue
			}
			o.in.Confirm, o.in.Reason = confirm, reason
			e, err := s.setConsumption(ctx, q, sc, o.in, "form", now, nil, g)
			if ee := errs.As(err); ee != nil && ee.Code == errs.CodePlausibility {
				p, _ := ParsePeriod(o.in.Period)
				warned[gridField(o.in.EnergyType, p.Month)] = ee.Fields["amount"]
				continue
			}
			if err != nil {
				return err
			}
			if e.Changed {
				res.Set++
			}
		}
		if len(warned) > 0 {
			return gridWarnings(warned)
		}
		return nil
	})
	return res, err
}

// gridWarnings is the 422 plausibility answer of a grid: every questioned cell with its comparison.
func gridWarnings(warned map[string]string) error {
	keys := make([]string, 0, len(warned))
	for k := range warned {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		typ, month, _ := strings.Cut(k, "-")
		name := typ
		if t, ok := TypeByCode(typ); ok {
			name = t.Name
		}
		m, _ := strconv.Atoi(month)
		parts = append(parts, fmt.Sprintf("%d 月%s：%s", m, name, warned[k]))
	}
	return &errs.Error{Code: errs.CodePlausibility, Fields: warned,
		Message: fmt.Sprintf("有 %d 个数值与往期差异较大，未保存任何数据；请核对，确认无误请勾选确认并填写说明后再保存。%s", len(keys), strings.Join(parts, "；"))}
}

// OrgYear is a unit's 用能人数 and 建筑面积 for a year, as the indicators use them.
type OrgYear struct {
	OrgID       int64   `json:"org_id"`
	Year        int     `json:"year"`
	Headcount   int64   `json:"headcount"`
	FloorAreaM2 float64 `json:"floor_area_m2"`
	// Recorded is false when the year has no record and the unit's current values are shown.
	Recorded bool `json:"recorded"`
}

// GetOrgYear returns the recorded values of a year, else the unit's current ones. The caller has checked the unit
// is in scope.
func GetOrgYear(ctx context.Context, q db.Q, orgID int64, year int) (OrgYear, error) {
	oy := OrgYear{OrgID: orgID, Year: year}
	err := q.QueryRow(ctx, "SELECT headcount, floor_area_m2 FROM energy_org_years WHERE org_id = ? AND year = ?", orgID, year).Scan(&oy.Headcount, &oy.FloorAreaM2)
	if err == nil {
		oy.Recorded = true
		return oy, nil
	}
	if !db.IsNoRows(err) {
		return oy, err
	}
	err = q.QueryRow(ctx, "SELECT headcount, floor_area_m2 FROM orgs WHERE id = ?", orgID).Scan(&oy.Headcount, &oy.FloorAreaM2)
	if db.IsNoRows(err) {
		return oy, errs.NotFound("单位")
	}
	return oy, err
}

// SetOrgYear records a unit's 用能人数 and 建筑面积 for a statistics year (audited).
func (s *Service) SetOrgYear(ctx context.Context, sc auth.Scope, in OrgYear) (OrgYear, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	if in.Year < minYear || in.Year > PeriodOf(now.Unix()).Year {
		f.Add("year", fmt.Sprintf("年份应在 %d 至今年之间", minYear))
	}
	if in.Headcount < 0 || in.Headcount > 10_000_000 {
		f.Add("headcount", "用能人数应为不小于 0 的整数")
	}
	if in.FloorAreaM2 < 0 || in.FloorAreaM2 > 1e8 || math.IsNaN(in.FloorAreaM2) {
		f.Add("floor_area_m2", "建筑面积应为不小于 0 的数（平方米）")
	}
	if err := f.Err(); err != nil {
		return OrgYear{}, err
	}
	var out OrgYear
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := sc.CheckOrg(ctx, q, org.Tree{}, in.OrgID, "org_id"); err != nil {
			return err
		}
		if err := s.checkLock(ctx, q, in.OrgID, in.Year); err != nil {
			return err
		}
		before, err := GetOrgYear(ctx, q, in.OrgID, in.Year)
		if err != nil {
			return err
		}
		// The unit's lock before the year's version, in the order of lockUsage: the sums of (unit, year) are read
		// and written by one transaction at a time on PostgreSQL too.
		if err := db.Lock(ctx, q, orgLockKey(in.OrgID)); err != nil {
			return err
		}
		if err := bumpVersion(ctx, q, in.Year); err != nil {
			return err
		}
		if err := sumUsageChange(ctx, q, map[[2]int64]bool{{in.OrgID, int64(in.Year)}: true}, func() error {
			_, err := q.Exec(ctx, `INSERT INTO energy_org_years (org_id, year, headcount, floor_area_m2, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id, year) DO UPDATE SET headcount = excluded.headcount, floor_area_m2 = excluded.floor_area_m2,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
				in.OrgID, in.Year, in.Headcount, in.FloorAreaM2, now.Unix(), audit.ActorFrom(ctx).Username)
			return err
		}); err != nil {
			return err
		}
		out = OrgYear{OrgID: in.OrgID, Year: in.Year, Headcount: in.Headcount, FloorAreaM2: in.FloorAreaM2, Recorded: true}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.org_year.set", ObjectType: "org", ObjectID: in.OrgID, OrgID: in.OrgID,
			Success: true, Before: before, After: out})
	})
	return out, err
}

// round rounds v to d decimals (float noise from unit conversions is not a difference).
