package emc

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
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
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/platform/xlsx"
)

// Degree days per region and month (table energy_emc_degree_days) as maintained by managers: a 12-month grid per
// region and year, the PUT API, and an Excel import. Who may touch which region follows the data scope: the regions
// of the units in the caller's scope are editable; their city, province and national rows (which apply to those
// units through the region chain) are readable; anything else is 404. History is kept per region and year.

// KindBases is the reference dataset of the base temperatures of HDD and CDD ([M], per region).
const KindBases = "energy.degree_day_base"

// Plausibility bounds of a month's degree days (a month of 31 days at −30 °C mean is 1 488 HDD18).
const (
	maxHDD = 2000
	maxCDD = 1000
)

// Bases are the base temperatures of the degree days in force for a region.
type Bases struct {
	HDD    float64 `json:"hdd_base_c"`
	CDD    float64 `json:"cdd_base_c"`
	Source string  `json:"source"`
}

func loadBases(ctx context.Context, q db.Q, region, date string) (Bases, error) {
	var b Bases
	t, err := refdata.LoadTable(ctx, q, KindBases, date)
	if err != nil {
		return b, err
	}
	h, ok1 := t.Lookup("hdd_base", region)
	c, ok2 := t.Lookup("cdd_base", region)
	if !ok1 || !ok2 {
		return b, errs.Internal(fmt.Errorf("reference data %s has no base temperatures in force on %s", KindBases, date))
	}
	return Bases{HDD: h.Value, CDD: c.Value, Source: h.SourceDoc}, nil
}

// Region is a region code the caller may see, with a name and whether the caller may edit it.
type Region struct {
	Code     string `json:"region_code"`
	Name     string `json:"name"`
	Editable bool   `json:"editable"`
}

// editableRegions are the region codes of the units in scope.
func editableRegions(ctx context.Context, q db.Q, sc auth.Scope) ([]string, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	return db.Strings(ctx, q, "SELECT DISTINCT o.region_code FROM orgs o WHERE o.region_code IS NOT NULL AND o.region_code <> '' AND "+cond+
		" ORDER BY o.region_code", args...)
}

// Regions lists the regions the caller may see: those of the units in scope (editable) and the regions above them
// whose rows apply to those units (read only; for an unrestricted scope every region is editable).
func Regions(ctx context.Context, q db.Q, sc auth.Scope) ([]Region, error) {
	codes, err := editableRegions(ctx, q, sc)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, c := range codes {
		seen[c] = true
	}
	var out []Region
	for _, c := range codes {
		out = append(out, Region{Code: c, Editable: true})
	}
	for _, c := range codes {
		for _, a := range refdata.RegionChain(c) {
			if a != "" && !seen[a] {
				seen[a] = true
				out = append(out, Region{Code: a, Editable: sc.All()})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	for i := range out {
		out[i].Name = regionName(ctx, q, out[i].Code)
	}
	return out, nil
}

// regionName is the administrative division's name, else that of the top unit with the code.
func regionName(ctx context.Context, q db.Q, code string) string {
	if code == "" {
		return "全国"
	}
	if n := org.RegionName(ctx, q, code); n != "" {
		return n
	}
	var n string
	if err := q.QueryRow(ctx, "SELECT name FROM orgs WHERE region_code = ? ORDER BY length(path), id LIMIT 1", code).Scan(&n); err == nil {
		return n + "所在地区"
	}
	return code
}

// checkRegion answers 404 when the caller may not see region code and, for a write, 403 when it may see but not
// edit it (a county's manager reading the province's degree days).
func checkRegion(ctx context.Context, q db.Q, sc auth.Scope, code string, write bool) error {
	if code != "" && !validRegionCode(code) {
		return errs.Invalid("region_code", "行政区划代码应为 6 位数字")
	}
	if sc.All() {
		return nil
	}
	rs, err := Regions(ctx, q, sc)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if r.Code == code {
			if write && !r.Editable {
				return errs.Forbidden("只能维护本人数据范围内单位所在区划的度日数；" + r.Name + "（" + code + "）的度日数由上级机关维护")
			}
			return nil
		}
	}
	e := errs.NotFound("行政区划")
	e.Fields = map[string]string{"region_code": "行政区划“" + code + "”不存在或不在您的数据范围内"}
	return e
}

func validRegionCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ddKey is the history object id of a region's degree days of a year (region code · 10⁴ + year; national is 0).
func ddKey(region string, year int) int64 {
	n, _ := strconv.ParseInt(region, 10, 64)
	return n*10000 + int64(year)
}

// DDMonth is one month of a region's degree day grid.
type DDMonth struct {
	Month  int      `json:"month"`
	Period string   `json:"period"`
	HDD    *float64 `json:"hdd"`
	CDD    *float64 `json:"cdd"`
	Source string   `json:"source,omitempty"`
	// Inherited are the degree days the M&V uses for the month when the region has none of its own (from the
	// city, province or national row).
	InheritedFrom string   `json:"inherited_from,omitempty"`
	InheritedHDD  *float64 `json:"inherited_hdd,omitempty"`
	InheritedCDD  *float64 `json:"inherited_cdd,omitempty"`
}

// DDGrid is a region's degree days of one year (GET /api/v1/energy/degree-days).
type DDGrid struct {
	RegionCode string    `json:"region_code"`
	RegionName string    `json:"region_name"`
	Year       int       `json:"year"`
	Editable   bool      `json:"editable" doc:"调用者有 energy:contract 权限且区划在其数据范围内"`
	Bases      Bases     `json:"bases"`
	Months     []DDMonth `json:"months"`
	Entered    int       `json:"months_entered"`
}

func fp(v float64) *float64 { return &v }

// Grid loads a region's degree days of a year in the caller's scope.
func Grid(ctx context.Context, q db.Q, sc auth.Scope, region string, year int, today string) (DDGrid, error) {
	g := DDGrid{RegionCode: region, Year: year}
	if year < 2000 || year > 2100 {
		return g, errs.Invalid("year", "年份应在 2000–2100 之间")
	}
	if err := checkRegion(ctx, q, sc, region, false); err != nil {
		return g, err
	}
	u := auth.UserFrom(ctx)
	g.Editable = u != nil && u.Can("energy:contract") && checkRegion(ctx, q, sc, region, true) == nil
	g.RegionName = regionName(ctx, q, region)
	var err error
	if g.Bases, err = loadBases(ctx, q, region, today); err != nil {
		return g, err
	}
	own, err := db.Select(ctx, q, scanDD, "SELECT region_code, period, hdd, cdd, source FROM energy_emc_degree_days WHERE region_code = ? AND period >= ? AND period <= ?",
		region, fmt.Sprintf("%04d-01", year), fmt.Sprintf("%04d-12", year))
	if err != nil {
		return g, err
	}
	byP := map[string]DegreeDay{}
	for _, d := range own {
		byP[d.Period] = d
	}
	eff, err := degreeDays(ctx, q, region)
	if err != nil {
		return g, err
	}
	for m := 1; m <= 12; m++ {
		p := fmt.Sprintf("%04d-%02d", year, m)
		row := DDMonth{Month: m, Period: p}
		if d, ok := byP[p]; ok {
			row.HDD, row.CDD, row.Source = fp(d.HDD), fp(d.CDD), d.Source
			g.Entered++
		} else if d, ok := eff[p]; ok {
			row.InheritedFrom, row.InheritedHDD, row.InheritedCDD = d.RegionCode, fp(d.HDD), fp(d.CDD)
		}
		g.Months = append(g.Months, row)
	}
	return g, nil
}

func scanDD(r db.Scanner) (DegreeDay, error) {
	var d DegreeDay
	return d, r.Scan(&d.RegionCode, &d.Period, &d.HDD, &d.CDD, &d.Source)
}

// DDCell is one month of a grid save: the cells as typed (blank both: the month's row is removed).
type DDCell struct {
	Month int
	HDD   string
	CDD   string
}

// GridField is the form field (and 422 field) of a cell: hdd-03, cdd-11.
func GridField(term string, month int) string { return fmt.Sprintf("%s-%02d", term, month) }

// parseDD checks a typed degree day value; "" is no value.
func parseDD(s string, maxV float64) (float64, bool, string) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0, false, ""
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
		return 0, false, "“" + s + "”不是数字"
	case v < 0:
		return 0, false, "度日数不能为负数"
	case v > maxV:
		return 0, false, fmt.Sprintf("度日数不应超过 %g（每月）", maxV)
	}
	return v, true, ""
}

// ddChange is a write of the degree days: a row to put, or (Delete) a row to remove.
type ddChange struct {
	DegreeDay
	Delete bool
}

// ddLabel names a month's cells in history and messages.
func ddLabel(p string) string {
	pp, _ := energy.ParsePeriod(p)
	return fmt.Sprintf("%d 年 %d 月", pp.Year, pp.Month)
}

func fmtDD(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// applyDD writes changes (already checked) and records one history line per region and year with what changed.
// It returns the number of months changed.
func applyDD(ctx context.Context, q db.Q, now time.Time, chs []ddChange) (int, []map[string]any, error) {
	type ry struct {
		region string
		year   int
	}
	lines := map[ry][]string{}
	var order []ry
	var diffs []map[string]any
	n := 0
	for _, c := range chs {
		old, err := scanDD(q.QueryRow(ctx, "SELECT region_code, period, hdd, cdd, source FROM energy_emc_degree_days WHERE region_code = ? AND period = ?",
			c.RegionCode, c.Period))
		had := err == nil
		if err != nil && !db.IsNoRows(err) {
			return 0, nil, err
		}
		var line string
		switch {
		case c.Delete && !had:
			continue
		case c.Delete:
			line = fmt.Sprintf("%s 清除（原 HDD %s、CDD %s）", ddLabel(c.Period), fmtDD(old.HDD), fmtDD(old.CDD))
			if _, err := q.Exec(ctx, "DELETE FROM energy_emc_degree_days WHERE region_code = ? AND period = ?", c.RegionCode, c.Period); err != nil {
				return 0, nil, err
			}
		case had && old.HDD == c.HDD && old.CDD == c.CDD && old.Source == c.Source:
			continue
		default:
			if had {
				line = fmt.Sprintf("%s HDD %s → %s、CDD %s → %s", ddLabel(c.Period), fmtDD(old.HDD), fmtDD(c.HDD), fmtDD(old.CDD), fmtDD(c.CDD))
				if _, err := q.Exec(ctx, "UPDATE energy_emc_degree_days SET hdd = ?, cdd = ?, source = ?, updated_at = ? WHERE region_code = ? AND period = ?",
					c.HDD, c.CDD, c.Source, now.Unix(), c.RegionCode, c.Period); err != nil {
					return 0, nil, err
				}
			} else {
				line = fmt.Sprintf("%s 录入 HDD %s、CDD %s", ddLabel(c.Period), fmtDD(c.HDD), fmtDD(c.CDD))
				if _, err := q.Exec(ctx, "INSERT INTO energy_emc_degree_days (region_code, period, hdd, cdd, source, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
					c.RegionCode, c.Period, c.HDD, c.CDD, c.Source, now.Unix()); err != nil {
					return 0, nil, err
				}
			}
		}
		n++
		d := map[string]any{"region_code": c.RegionCode, "period": c.Period, "hdd": c.HDD, "cdd": c.CDD, "deleted": c.Delete}
		if had {
			d["old_hdd"], d["old_cdd"] = old.HDD, old.CDD
		}
		diffs = append(diffs, d)
		pp, _ := energy.ParsePeriod(c.Period)
		k := ry{c.RegionCode, pp.Year}
		if _, ok := lines[k]; !ok {
			order = append(order, k)
		}
		lines[k] = append(lines[k], line)
	}
	for _, k := range order {
		ls := lines[k]
		summary := strings.Join(ls, "；")
		if len(ls) > 12 {
			summary = strings.Join(ls[:12], "；") + fmt.Sprintf("；等 %d 个月", len(ls))
		}
		if err := history.Record(ctx, q, now, "energy_degree_days", ddKey(k.region, k.year), "update", summary); err != nil {
			return 0, nil, err
		}
	}
	return n, diffs, nil
}

// SaveGrid saves a region's 12-month grid of a year in one transaction: every cell is checked first (422 naming
// each bad cell, e.g. hdd-03); a month with both cells blank is removed; source applies to the months saved.
func (s *Service) SaveGrid(ctx context.Context, sc auth.Scope, region string, year int, cells []DDCell, source string) (int, error) {
	now := s.Clock.Now()
	source = strings.TrimSpace(source)
	f := errs.Fields{}
	if year < 2000 || year > 2100 {
		f.Add("year", "年份应在 2000–2100 之间")
	}
	if len([]rune(source)) > 200 {
		f.Add("source", "数据来源不超过 200 字")
	}
	var chs []ddChange
	for _, c := range cells {
		if c.Month < 1 || c.Month > 12 {
			continue
		}
		h, okh, eh := parseDD(c.HDD, maxHDD)
		k, okc, ec := parseDD(c.CDD, maxCDD)
		if eh != "" {
			f.Add(GridField(TermHDD, c.Month), fmt.Sprintf("%d 月采暖度日数：%s", c.Month, eh))
		}
		if ec != "" {
			f.Add(GridField(TermCDD, c.Month), fmt.Sprintf("%d 月空调度日数：%s", c.Month, ec))
		}
		if eh != "" || ec != "" {
			continue
		}
		switch {
		case okh && okc:
			chs = append(chs, ddChange{DegreeDay: DegreeDay{RegionCode: region, Period: fmt.Sprintf("%04d-%02d", year, c.Month), HDD: h, CDD: k, Source: source}})
		case !okh && !okc:
			chs = append(chs, ddChange{DegreeDay: DegreeDay{RegionCode: region, Period: fmt.Sprintf("%04d-%02d", year, c.Month)}, Delete: true})
		case !okh:
			f.Add(GridField(TermHDD, c.Month), fmt.Sprintf("%d 月已填空调度日数，请同时填写采暖度日数（无采暖填 0）", c.Month))
		default:
			f.Add(GridField(TermCDD, c.Month), fmt.Sprintf("%d 月已填采暖度日数，请同时填写空调度日数（无空调填 0）", c.Month))
		}
	}
	if err := f.Err(); err != nil {
		e := errs.As(err)
		e.Message = fmt.Sprintf("有 %d 处填写有误，未保存任何数据", len(f))
		return 0, e
	}
	var n int
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := checkRegion(ctx, q, sc, region, true); err != nil {
			return err
		}
		var diffs []map[string]any
		var err error
		if n, diffs, err = applyDD(ctx, q, now, chs); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.degree_days", ObjectType: "energy_degree_days", ObjectID: ddKey(region, year),
			ObjectKey: region + "/" + strconv.Itoa(year), Success: true, Extra: map[string]any{"months": n, "changes": diffs}})
	})
	return n, err
}

// SetDegreeDays puts degree days (PUT /api/v1/energy/degree-days): every row is checked (422 naming the row and
// cell, e.g. [3].cdd) and its region must be editable in the caller's scope, then all are written in one transaction.
func (s *Service) SetDegreeDays(ctx context.Context, sc auth.Scope, ds []DegreeDay) error {
	f := errs.Fields{}
	seen := map[string]int{}
	for i, d := range ds {
		k := "[" + strconv.Itoa(i) + "]"
		if _, ok := energy.ParsePeriod(d.Period); !ok {
			f.Add(k+".period", "月份应为 YYYY-MM")
		}
		if d.RegionCode != "" && !validRegionCode(d.RegionCode) {
			f.Add(k+".region_code", "行政区划代码应为 6 位数字（空为全国）")
		}
		if math.IsNaN(d.HDD) || d.HDD < 0 || d.HDD > maxHDD {
			f.Add(k+".hdd", fmt.Sprintf("%s 采暖度日数应为 0–%d 的数", d.Period, maxHDD))
		}
		if math.IsNaN(d.CDD) || d.CDD < 0 || d.CDD > maxCDD {
			f.Add(k+".cdd", fmt.Sprintf("%s 空调度日数应为 0–%d 的数", d.Period, maxCDD))
		}
		if len([]rune(d.Source)) > 200 {
			f.Add(k+".source", "数据来源不超过 200 字")
		}
		if j, dup := seen[d.RegionCode+"/"+d.Period]; dup {
			f.Add(k+".period", fmt.Sprintf("与第 %d 行的区划和月份相同", j))
		}
		seen[d.RegionCode+"/"+d.Period] = i
	}
	if err := f.Err(); err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		checked := map[string]bool{}
		chs := make([]ddChange, 0, len(ds))
		for i, d := range ds {
			if !checked[d.RegionCode] {
				if err := checkRegion(ctx, q, sc, d.RegionCode, true); err != nil {
					if e := errs.As(err); e != nil && e.Fields != nil {
						e.Fields = map[string]string{"[" + strconv.Itoa(i) + "].region_code": e.Fields["region_code"]}
					}
					return err
				}
				checked[d.RegionCode] = true
			}
			d.Source = strings.TrimSpace(d.Source)
			chs = append(chs, ddChange{DegreeDay: d})
		}
		n, diffs, err := applyDD(ctx, q, now, chs)
		if err != nil {
			return err
		}
		if len(diffs) > 200 {
			diffs = diffs[:200]
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.degree_days", ObjectType: "energy_degree_days", ObjectKey: "degree_days", Success: true,
			Extra: map[string]any{"rows": len(ds), "changed": n, "changes": diffs}})
	})
}

// DDColumns are the columns of the degree day import template (and of the export, which reads back).
var DDColumns = []xlsx.Column{
	{Header: "行政区划代码", Key: "region_code", Required: true, Help: "6 位行政区划代码，须为您数据范围内单位所在的区划", Example: "990000"},
	{Header: "月份", Key: "period", Required: true, Help: "YYYY-MM，如 2025-01", Example: "2025-01"},
	{Header: "采暖度日数", Key: "hdd", Required: true, Help: "当月采暖度日数（HDD，基准温度见页面说明，通常 18 ℃），不小于 0", Example: "520"},
	{Header: "空调度日数", Key: "cdd", Required: true, Help: "当月空调度日数（CDD，基准温度见页面说明，通常 26 ℃），不小于 0", Example: "0"},
	{Header: "数据来源", Key: "source", Help: "选填，如 省气象局逐日气温统计，不超过 200 字", Example: "省气象局"},
}

func ddHeader(key string) string {
	for _, c := range DDColumns {
		if c.Key == key {
			return c.Header
		}
	}
	return key
}

var errDryRun = errors.New("dry run")

// ImportDegreeDays validates every row (region in scope and editable, month, numbers, no duplicates) and, unless
// dryRun or any row is bad, writes them all in one transaction (replacing the same region and month).
func (s *Service) ImportDegreeDays(ctx context.Context, sc auth.Scope, rows []xlsx.Row, dryRun bool) (xlsx.Report, error) {
	now := s.Clock.Now()
	rep := xlsx.Report{DryRun: dryRun, Rows: len(rows)}
	err := s.DB.Tx(ctx, func(q db.Q) error {
		regionOK := map[string]string{}
		seen := map[string]int{}
		var chs []ddChange
		for _, row := range rows {
			v := row.Values
			bad := func(key, msg string) {
				rep.Errors = append(rep.Errors, xlsx.RowError{Line: row.Line, Column: ddHeader(key), Message: msg})
			}
			n0 := len(rep.Errors)
			region := strings.TrimSpace(v["region_code"])
			if msg, ok := regionOK[region]; ok {
				if msg != "" {
					bad("region_code", msg)
				}
			} else {
				msg := ""
				if err := checkRegion(ctx, q, sc, region, true); err != nil {
					e := errs.As(err)
					if e == nil || e.Code == errs.CodeInternal {
						return err
					}
					msg = e.Message
					if m := e.Fields["region_code"]; m != "" {
						msg = m
					}
				}
				regionOK[region] = msg
				if msg != "" {
					bad("region_code", msg)
				}
			}
			period := normalizePeriod(v["period"])
			if _, ok := energy.ParsePeriod(period); !ok {
				bad("period", "月份“"+v["period"]+"”应为 YYYY-MM，如 2025-01")
			}
			h, okh, eh := parseDD(v["hdd"], maxHDD)
			c, okc, ec := parseDD(v["cdd"], maxCDD)
			switch {
			case eh != "":
				bad("hdd", eh)
			case !okh:
				bad("hdd", "请填写采暖度日数（无采暖填 0）")
			}
			switch {
			case ec != "":
				bad("cdd", ec)
			case !okc:
				bad("cdd", "请填写空调度日数（无空调填 0）")
			}
			if len([]rune(v["source"])) > 200 {
				bad("source", "数据来源不超过 200 字")
			}
			if len(rep.Errors) > n0 {
				continue
			}
			key := region + "/" + period
			if prev, dup := seen[key]; dup {
				bad("period", fmt.Sprintf("与第 %d 行的区划和月份相同", prev))
				continue
			}
			seen[key] = row.Line
			var had bool
			if err := q.QueryRow(ctx, "SELECT 1 FROM energy_emc_degree_days WHERE region_code = ? AND period = ?", region, period).Scan(new(int)); err == nil {
				had = true
			} else if !db.IsNoRows(err) {
				return err
			}
			if had {
				rep.Updated++
			} else {
				rep.Created++
			}
			chs = append(chs, ddChange{DegreeDay: DegreeDay{RegionCode: region, Period: period, HDD: h, CDD: c, Source: strings.TrimSpace(v["source"])}})
		}
		if dryRun || !rep.OK() {
			return errDryRun
		}
		if _, _, err := applyDD(ctx, q, now, chs); err != nil {
			return err
		}
		return xlsx.AuditImport(ctx, q, now, "energy_degree_days", rep)
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return rep, err
	}
	if !rep.OK() {
		rep.Created, rep.Updated = 0, 0
	}
	return rep, nil
}

// normalizePeriod accepts 2025-01, 2025-1, 2025/1, 2025年1月 and a date typed in Excel (2025-01-01).
func normalizePeriod(s string) string {
	s = strings.TrimSpace(s)
	s = strings.NewReplacer("年", "-", "月", "", "/", "-", ".", "-").Replace(s)
	parts := strings.Split(s, "-")
	if len(parts) < 2 || len(parts[0]) != 4 {
		return s
	}
	m, err := strconv.Atoi(strings.TrimSpace(parts[1]))
	if err != nil {
		return s
	}
	return fmt.Sprintf("%s-%02d", parts[0], m)
}

// ExportRows are a region's degree days from year from to year to, in the import columns.
func ExportRows(ctx context.Context, q db.Q, region string, from, to int) ([][]any, error) {
	ds, err := db.Select(ctx, q, scanDD, "SELECT region_code, period, hdd, cdd, source FROM energy_emc_degree_days WHERE region_code = ? AND period >= ? AND period <= ? ORDER BY period",
		region, fmt.Sprintf("%04d-01", from), fmt.Sprintf("%04d-12", to))
	if err != nil {
		return nil, err
	}
	out := make([][]any, 0, len(ds))
	for _, d := range ds {
		out = append(out, []any{d.RegionCode, d.Period, d.HDD, d.CDD, d.Source})
	}
	return out, nil
}
