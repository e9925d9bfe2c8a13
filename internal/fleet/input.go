package fleet

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
)

// Small validation helpers shared by the inputs of the module.

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func text(f errs.Fields, field string, v *string, max int, required bool, label string) {
	*v = strings.TrimSpace(*v)
	switch {
	case required && *v == "":
		f.Add(field, "请填写"+label)
	case utf8.RuneCountInString(*v) > max:
		f.Add(field, label+"不超过 "+itoa(int64(max))+" 字")
	}
}

func date(f errs.Fields, field string, v *string, required bool, label string) {
	*v = strings.TrimSpace(*v)
	if *v == "" {
		if required {
			f.Add(field, "请填写"+label)
		}
		return
	}
	t, err := time.Parse(time.DateOnly, *v)
	if err != nil || len(*v) != 10 || t.Year() < 1950 || t.Year() > 2200 {
		f.Add(field, label+"格式应为 YYYY-MM-DD")
	}
}

func checkEnum(f errs.Fields, field string, v *string, list enum.List, required bool, label string) {
	*v = strings.TrimSpace(*v)
	if *v == "" && !required {
		return
	}
	if *v == "" {
		f.Add(field, "请选择"+label)
		return
	}
	if !list.Has(*v) {
		f.Add(field, label+"应为 "+list.Described())
	}
}

func number(f errs.Fields, field string, v float64, max float64, label, unit string) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > max {
		f.Add(field, label+"应为 0 到 "+strconv.FormatFloat(max, 'f', -1, 64)+" 之间的数（"+unit+"）")
	}
}

func phone(f errs.Fields, field string, v *string, label string) {
	*v = strings.TrimSpace(*v)
	if *v == "" {
		return
	}
	if len(*v) < 5 || len(*v) > 20 {
		f.Add(field, label+"应为 5–20 位数字")
		return
	}
	for _, r := range *v {
		if (r < '0' || r > '9') && r != '-' {
			f.Add(field, label+"只能包含数字和“-”")
			return
		}
	}
}

// fen converts yuan to integer fen (money is stored exactly in fen).
func fen(yuan float64) int64 { return int64(math.Round(yuan * 100)) }

// yuan converts fen to yuan.
func yuan(f int64) float64 { return float64(f) / 100 }

func money(f errs.Fields, field string, v float64, label string) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1e10 {
		f.Add(field, label+"应为不小于 0 的金额（元）")
	} else if math.Abs(v*100-math.Round(v*100)) > 1e-6 {
		f.Add(field, label+"最多两位小数（分）")
	}
}

func checkOrg(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, field string) error {
	if orgID <= 0 {
		return errs.Invalid(field, "请选择单位")
	}
	return sc.CheckOrg(ctx, q, org.Tree{}, orgID, field)
}

// fieldErr marks a not-found reference as the field's problem (a 404 that a form can show beside the field).
func fieldErr(err error, field, msg string) error {
	if e := errs.As(err); e != nil && e.Code == errs.CodeNotFound {
		out := errs.NotFound("")
		out.Message, out.Fields = msg, map[string]string{field: msg}
		return out
	}
	return err
}

// formErr turns a reference a form named that is not found (or out of scope) into a refusal shown beside the
// field; the API answers it as the 404 it is.
func formErr(err error) error {
	if e := errs.As(err); e != nil && e.Code == errs.CodeNotFound && len(e.Fields) > 0 {
		return &errs.Error{Code: errs.CodeValidation, Message: e.Message, Fields: e.Fields}
	}
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// subtreeCond is the condition that the unit in col is orgID or below it; orgID must be in scope (404 naming
// org_id otherwise).
func subtreeCond(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, col string) (string, []any, error) {
	if err := checkOrg(ctx, q, sc, orgID, "org_id"); err != nil {
		return "", nil, err
	}
	p, err := org.Tree{}.OrgPath(ctx, q, orgID)
	if err != nil {
		return "", nil, err
	}
	return col + " IN (SELECT id FROM orgs WHERE path >= ? AND path < ?)", []any{p, db.PrefixUpper(p)}, nil
}

// dateOf is the business date of an instant.
func dateOf(t time.Time) string { return clock.Today(t) }
