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
	{Header: "示例行", Key: "example", Help: "模板自带的示例行在此列标有“示例”，导入时会被拒绝；请删除示例行，填写的数据行此列留空", Example: "示例"},
}

// exampleRowMessage is the refusal of the template's example row (marked in the 示例行 column, never recognised
// by its values).
func exampleRowMessage(line int) string {
	return fmt.Sprintf("第 %d 行是模板示例行，请删除后再导入", line)
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

// ImportOptions say how an import runs: DryRun only checks (the trial); Confirm with Reason accepts every row the
// plausibility check questions (one confirmation for all of them).
type ImportOptions struct {
	DryRun  bool
	Confirm bool
	Reason  string
}

// Replacement is a row that replaces a stored figure: the old and the new amount in the type's unit.
type Replacement struct {
	Line       int     `json:"line"`
	OrgID      int64   `json:"org_id"`
	OrgName    string  `json:"org_name"`
	Period     string  `json:"period"`
	EnergyType string  `json:"energy_type"`
	TypeName   string  `json:"type_name"`
	Unit       string  `json:"unit"`
	Before     float64 `json:"before"`
	After      float64 `json:"after"`
}

// ImportReport is the answer of an import of monthly entries: the kit's report (rows, created, updated, errors),
// the rows that replace stored figures (old → new), and the rows the plausibility check questions, which need one
// confirmation with a reason (Confirmed says it was given).
type ImportReport struct {
	xlsx.Report
	Replaced  []Replacement   `json:"replaced"`
	Warnings  []xlsx.RowError `json:"warnings" doc:"与往期差异较大、须确认并填写说明的行"`
	Confirmed bool            `json:"confirmed,omitempty"`
	// Token names the workbook the API kept for the confirmation (asked with keep=true): the import is sent again
	// with token= instead of the file, by the same user, until TokenExpiresAt.
	Token          string `json:"token,omitempty" doc:"保留的导入文件（keep=true 时）：确认导入时以 token 代替文件再次提交"`
	TokenExpiresAt string `json:"token_expires_at,omitempty" doc:"保留文件的失效时间（RFC 3339）"`
}

// NeedsConfirm reports whether the import waits only for the confirmation of its warned rows.
func (r ImportReport) NeedsConfirm() bool { return r.OK() && len(r.Warnings) > 0 && !r.Confirmed }

// ImportConsumption validates every row and, unless o.DryRun or a row is bad, writes them all in one transaction,
// each as a statistics entry (replacing the same unit, month and type). Importing the same file again changes
// nothing. Rows naming the same unit, month and type twice are an error, and so is the template's example row.
// Rows the plausibility check questions are listed as warnings; the import then writes only with o.Confirm and a
// reason, kept with each of those rows.
func (s *Service) ImportConsumption(ctx context.Context, sc auth.Scope, rows []xlsx.Row, o ImportOptions) (ImportReport, error) {
	now := s.Clock.Now()
	rep := ImportReport{Report: xlsx.Report{DryRun: o.DryRun, Rows: len(rows)}, Replaced: []Replacement{}, Warnings: []xlsx.RowError{}}
	o.Reason = strings.TrimSpace(o.Reason)
	if o.Confirm {
		if err := checkReason(o.Reason); err != nil {
			return rep, err
		}
		rep.Confirmed = true
	}
	g := newGuard()
	err := s.DB.Tx(ctx, func(q db.Q) error {
		finder := &orgFinder{sc: sc, cache: map[string]int64{}}
		seen := map[string]int{}
		deferred := map[usageKey]bool{}
		for _, row := range rows {
			if strings.TrimSpace(row.Values["example"]) != "" {
				rep.Errors = append(rep.Errors, xlsx.RowError{Line: row.Line, Column: columnHeader("example"), Message: exampleRowMessage(row.Line)})
				continue
			}
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
			before, had, err := getEntry(ctx, q, in.OrgID, in.Period, in.EnergyType)
			if err != nil {
				return err
			}
			in.Confirm, in.Reason = o.Confirm, o.Reason
			e, err := s.setConsumption(ctx, q, sc, in, "import", now, deferred, g)
			if ee := errs.As(err); ee != nil && ee.Code == errs.CodePlausibility {
				rep.Warnings = append(rep.Warnings, xlsx.RowError{Line: row.Line, Column: columnHeader("amount"), Message: ee.Fields["amount"]})
				err = nil
				e.Changed = true
			}
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
				if before.Amount != e.Amount {
					rep.Replaced = append(rep.Replaced, Replacement{Line: row.Line, OrgID: in.OrgID, OrgName: strings.TrimSpace(row.Values["org"]),
						Period: in.Period, EnergyType: in.EnergyType, TypeName: typeName(in.EnergyType), Unit: e.Unit, Before: before.Amount, After: e.Amount})
				}
			default:
				rep.Created++
			}
		}
		if o.DryRun || !rep.OK() || rep.NeedsConfirm() {
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
		return xlsx.AuditImport(ctx, q, now, "energy", rep.Report)
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return rep, err
	}
	if !rep.OK() {
		rep.Created, rep.Updated = 0, 0
	}
	return rep, nil
}

func typeName(code string) string {
	if t, ok := TypeByCode(code); ok {
		return t.Name
	}
	return code
}
