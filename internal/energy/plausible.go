package energy

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/platform/web"
)

// Guarded monthly entry (docs/api.md §Energy): a monthly figure far from the unit's earlier figures of the same
// type is not an error but a plausibility warning — the save answers 422 `plausibility` naming the field and the
// comparison, and is accepted when sent again with a confirmation and a reason, which are kept with the entry,
// in its change history and in the audit log. The threshold is reference data (energy.entry_rule), not a constant.

// KindEntryRule is the reference dataset of the entry checks (data/entry_rule.csv): key plausibility_ratio.
const KindEntryRule = "energy.entry_rule"

// Baseline is an earlier figure a month is compared with.
type Baseline struct {
	Against string  `json:"against" doc:"prev_month 上月 · last_year 去年同月"`
	Period  string  `json:"period"`
	Amount  float64 `json:"amount"`
	// Change is the relative change of the new figure against Amount (9.08 = 高 908 %).
	Change float64 `json:"change"`
}

// Label is the Chinese name of the comparison.
func (b Baseline) Label() string {
	if b.Against == "last_year" {
		return "去年同月"
	}
	return "上月"
}

// Text says the comparison in Chinese: "比上月 6,300 高 908 %".
func (b Baseline) Text() string {
	dir := "高"
	if b.Change < 0 {
		dir = "低"
	}
	return fmt.Sprintf("比%s %s %s %s %%", b.Label(), web.FormatNum(b.Amount), dir, web.FormatNum(math.Round(math.Abs(b.Change)*100)))
}

// Judge is the plausibility rule, pure: the baselines with a figure above zero count; with none there is no
// warning (a first month, a new unit). A figure is implausible when it differs from every counted baseline by more
// than ratio (0.5 = ±50 %): when both the previous month and the same month last year are known both must differ —
// a heating month far above October but close to last November is plausible — and when only one is known, that
// one decides. It returns the differing baselines with their change filled in.
func Judge(amount, ratio float64, baselines []Baseline) ([]Baseline, bool) {
	var out []Baseline
	counted := 0
	for _, b := range baselines {
		if b.Amount <= 0 || math.IsNaN(b.Amount) {
			continue
		}
		counted++
		b.Change = (amount - b.Amount) / b.Amount
		if math.Abs(b.Change) > ratio+1e-9 {
			out = append(out, b)
		}
	}
	if counted == 0 || len(out) < counted {
		return nil, false
	}
	return out, true
}

// WarningText joins the comparisons of a warning: "比上月 6,300 高 908 %；比去年同月 6,100 高 941 %".
func WarningText(bs []Baseline) string {
	parts := make([]string, len(bs))
	for i, b := range bs {
		parts[i] = b.Text()
	}
	return strings.Join(parts, "；")
}

// guard evaluates entries of one operation, caching the threshold per region and year.
type guard struct {
	ratios  map[string]float64
	regions map[int64]string
}

func newGuard() *guard { return &guard{ratios: map[string]float64{}, regions: map[int64]string{}} }

// ratio is the threshold in force for the unit's region in year y.
func (g *guard) ratio(ctx context.Context, q db.Q, orgID int64, y int) (float64, error) {
	region, ok := g.regions[orgID]
	if !ok {
		var err error
		if region, err = orgRegion(ctx, q, orgID); err != nil {
			return 0, err
		}
		g.regions[orgID] = region
	}
	k := fmt.Sprintf("%s/%d", region, y)
	if r, ok := g.ratios[k]; ok {
		return r, nil
	}
	row, err := refdata.LookupYear(ctx, q, KindEntryRule, "plausibility_ratio", region, y)
	if err != nil {
		return 0, err
	}
	g.ratios[k] = row.Value
	return row.Value, nil
}

// check compares amount for (unit, period, type) with the unit's previous month and the same month last year, as
// they stand in q's transaction (earlier cells of the same save count). It returns the differing baselines, or nil.
func (g *guard) check(ctx context.Context, q db.Q, orgID int64, p Period, typ string, amount float64) ([]Baseline, error) {
	prev := p.Prev()
	last := Period{p.Year - 1, p.Month}
	var bs []Baseline
	for _, c := range []struct {
		against string
		p       Period
	}{{"prev_month", prev}, {"last_year", last}} {
		v, ok, err := monthFigure(ctx, q, orgID, c.p, typ)
		if err != nil {
			return nil, err
		}
		if ok {
			bs = append(bs, Baseline{Against: c.against, Period: c.p.String(), Amount: v})
		}
	}
	if len(bs) == 0 {
		return nil, nil
	}
	ratio, err := g.ratio(ctx, q, orgID, p.Year)
	if err != nil {
		return nil, err
	}
	out, bad := Judge(amount, ratio, bs)
	if !bad {
		return nil, nil
	}
	return out, nil
}

// monthFigure is a unit's effective figure of a month and type: its statistics entry, else its main meters'
// consumption (energy_usage).
func monthFigure(ctx context.Context, q db.Q, orgID int64, p Period, typ string) (float64, bool, error) {
	var v float64
	err := q.QueryRow(ctx, "SELECT amount FROM energy_consumption WHERE org_id = ? AND period = ? AND energy_type = ?", orgID, p.String(), typ).Scan(&v)
	if err == nil {
		return v, true, nil
	}
	if !db.IsNoRows(err) {
		return 0, false, err
	}
	var n sql.NullFloat64
	var mask int64
	err = q.QueryRow(ctx, fmt.Sprintf("SELECT m%02d, entry_mask FROM energy_usage WHERE org_id = ? AND year = ? AND energy_type = ?", p.Month),
		orgID, p.Year, typ).Scan(&n, &mask)
	if db.IsNoRows(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if mask&(1<<(p.Month-1)) != 0 { // an entry deleted in this transaction: not a figure any more
		return 0, false, nil
	}
	return n.Float64, n.Valid, nil
}

// plausibilityError is the 422 answer of an implausible figure: fields names the offending field with the
// comparison.
func plausibilityError(field string, bs []Baseline) *errs.Error {
	text := WarningText(bs)
	return &errs.Error{Code: errs.CodePlausibility, Message: "数值与往期差异较大（" + text + "），请核对；确认无误请勾选确认并填写说明后再保存",
		Fields: map[string]string{field: text}}
}

// checkReason validates the reason of a confirmed warning.
func checkReason(reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return errs.Invalid("reason", "请填写说明：为什么该数值与往期差异较大")
	}
	if len([]rune(reason)) > 200 {
		return errs.Invalid("reason", "说明不超过 200 字")
	}
	return nil
}
