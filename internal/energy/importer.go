package energy

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/xlsx"
)

// ImportColumns are the columns of the monthly entry import template: one row per unit, month and type.
var ImportColumns = []xlsx.Column{
	{Header: "单位", Key: "org", Required: true, Help: "单位的统一社会信用代码或全称（全称须唯一）", Example: "示范省机关事务管理局"},
	{Header: "统计月份", Key: "period", Required: true, Help: "YYYY-MM，如 2025-03（也可写 2025年3月、2025/3）", Example: "2025-03"},
	{Header: "能源品种", Key: "energy_type", Required: true, Help: "电力、水、天然气、煤炭、汽油、柴油、液化石油气、热力、光伏发电量（或英文代码）", Example: "电力"},
	{Header: "数量", Key: "amount", Required: true, Help: "不小于 0 的数；单位见“计量单位”列", Example: "125000"},
	{Header: "计量单位", Key: "unit", Help: "默认该品种的计量单位：电力 kWh、水 m3、天然气 m3、煤炭/汽油/柴油/液化石油气 kg、热力 GJ；也可填 万kWh、t、万m3、MJ；汽油、柴油可填 L（按换算密度折算）", Example: "kWh"},
	{Header: "备注", Key: "note", Help: "选填，不超过 200 字", Example: ""},
}

func columnHeader(key string) string {
	for _, c := range ImportColumns {
		if c.Key == key {
			return c.Header
		}
	}
	return key
}

var periodCN = regexp.MustCompile(`^(\d{4})\s*(?:年|/|-|\.)\s*(\d{1,2})\s*(?:月|(?:[/.-]\d{1,2}(?:\s.*)?))?$`)

// normalizePeriod accepts 2025-03, 2025-3, 2025/3, 2025.3, 2025年3月 and 2025-03-01 (a date typed in Excel).
func normalizePeriod(s string) string {
	s = strings.TrimSpace(s)
	m := periodCN.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	mo, _ := strconv.Atoi(m[2])
	return fmt.Sprintf("%s-%02d", m[1], mo)
}

var errDryRun = errors.New("dry run")

// orgFinder resolves a unit named by credit code or full name within scope (cached per import).
type orgFinder struct {
	sc    auth.Scope
	cache map[string]int64
}

func (r *orgFinder) find(ctx context.Context, q db.Q, s string) (int64, string, error) {
	if id, ok := r.cache[s]; ok {
		return id, "", nil
	}
	cond, args := r.sc.PathCond("o.id", "o.path")
	var ids []int64
	var err error
	if org.CheckCreditCode(strings.ToUpper(s)) == "" {
		ids, err = db.Int64s(ctx, q, "SELECT o.id FROM orgs o WHERE o.credit_code = ? AND "+cond, append([]any{strings.ToUpper(s)}, args...)...)
	} else {
		ids, err = db.Int64s(ctx, q, "SELECT o.id FROM orgs o WHERE o.name = ? AND "+cond+" LIMIT 2", append([]any{s}, args...)...)
	}
	switch {
	case err != nil:
		return 0, "", err
	case len(ids) == 0:
		return 0, "找不到单位“" + s + "”（或不在您的数据范围内）", nil
	case len(ids) > 1:
		return 0, "有多个名为“" + s + "”的单位，请改用统一社会信用代码", nil
	}
	r.cache[s] = ids[0]
	return ids[0], "", nil
}

// parseImportRow turns a row into an entry input, adding every problem of the row to f (pure apart from the unit
// lookup, which the caller does).
func parseImportRow(v map[string]string, now time.Time, f errs.Fields) ConsumptionInput {
	in := ConsumptionInput{Period: normalizePeriod(v["period"]), Unit: strings.TrimSpace(v["unit"]), Note: v["note"]}
	if t, ok := typeByName(v["energy_type"]); ok {
		in.EnergyType = t.Code
	} else if strings.TrimSpace(v["energy_type"]) == "" {
		f.Add("energy_type", "请填写能源品种")
	} else {
		f.Add("energy_type", "能源品种“"+v["energy_type"]+"”无效，应为 电力、水、天然气、煤炭、汽油、柴油、液化石油气、热力、光伏发电量")
	}
	a := strings.ReplaceAll(strings.TrimSpace(v["amount"]), ",", "")
	if a == "" {
		f.Add("amount", "请填写数量")
	} else if n, err := strconv.ParseFloat(a, 64); err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		f.Add("amount", "数量“"+v["amount"]+"”不是数字")
	} else {
		in.Amount = n
	}
	cf := errs.Fields{}
	chk := in
	chk.OrgID = 1 // the unit column is checked separately
	if in.EnergyType != "" {
		checkConsumption(&chk, now, cf)
	} else {
		if _, ok := ParsePeriod(chk.Period); !ok {
			cf.Add("period", "统计月份应为 YYYY-MM，如 2025-03")
		}
	}
	for k, msg := range cf {
		if !f.Has(k) && k != "energy_type" {
			f.Add(k, msg)
		}
	}
	return in
}

// ImportConsumption validates every row and, unless dryRun or a row is bad, writes them all in one transaction,
// each as a statistics entry (replacing the same unit, month and type). Importing the same file again changes
// nothing. Rows naming the same unit, month and type twice are an error.
func (s *Service) ImportConsumption(ctx context.Context, sc auth.Scope, rows []xlsx.Row, dryRun bool) (xlsx.Report, error) {
	now := s.Clock.Now()
	rep := xlsx.Report{DryRun: dryRun, Rows: len(rows)}
	err := s.DB.Tx(ctx, func(q db.Q) error {
		finder := &orgFinder{sc: sc, cache: map[string]int64{}}
		seen := map[string]int{}
		deferred := map[usageKey]bool{}
		for _, row := range rows {
			f := errs.Fields{}
			in := parseImportRow(row.Values, now, f)
			if name := strings.TrimSpace(row.Values["org"]); name == "" {
				f.Add("org", "请填写单位")
			} else {
				id, msg, err := finder.find(ctx, q, name)
				if err != nil {
					return err
				}
				if msg != "" {
					f.Add("org", msg)
				}
				in.OrgID = id
			}
			if len(f) == 0 {
				key := entryKey(in.OrgID, in.Period, in.EnergyType)
				if prev, dup := seen[key]; dup {
					f.Add("period", fmt.Sprintf("与第 %d 行的单位、月份、品种相同", prev))
				}
				seen[key] = row.Line
			}
			if len(f) > 0 {
				for _, c := range ImportColumns {
					if msg, ok := f[c.Key]; ok {
						rep.Errors = append(rep.Errors, xlsx.RowError{Line: row.Line, Column: c.Header, Message: msg})
					}
				}
				continue
			}
			_, had, err := getEntry(ctx, q, in.OrgID, in.Period, in.EnergyType)
			if err != nil {
				return err
			}
			e, err := s.setConsumption(ctx, q, sc, in, "import", now, deferred)
			if ee := errs.As(err); ee != nil && ee.Code != errs.CodeInternal {
				msg := ee.Message
				col := ""
				for k, v := range ee.Fields {
					msg, col = v, columnHeader(k)
					if k == "org_id" {
						col = columnHeader("org")
					}
				}
				rep.Errors = append(rep.Errors, xlsx.RowError{Line: row.Line, Column: col, Message: msg})
				continue
			} else if err != nil {
				return err
			}
			switch {
			case !e.Changed:
			case had:
				rep.Updated++
			default:
				rep.Created++
			}
		}
		if dryRun || !rep.OK() {
			return errDryRun
		}
		ks, err := lockUsage(ctx, q, deferred)
		if err != nil {
			return err
		}
		for _, k := range ks {
			if err := recomputeUsage(ctx, q, k.OrgID, k.Year, k.Type); err != nil {
				return err
			}
		}
		return xlsx.AuditImport(ctx, q, now, "energy", rep)
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return rep, err
	}
	if !rep.OK() {
		rep.Created, rep.Updated = 0, 0
	}
	return rep, nil
}
