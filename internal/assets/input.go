package assets

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// Validation helpers of the module's inputs.

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func validDate(s string) bool {
	t, err := time.Parse(time.DateOnly, s)
	return err == nil && len(s) == 10 && t.Year() >= 1900 && t.Year() <= 2200
}

// textField trims v and checks it is given (when required) and at most max characters.
func textField(f errs.Fields, field string, v *string, max int, required bool, label string) {
	*v = strings.TrimSpace(*v)
	switch {
	case required && *v == "":
		f.Add(field, "请填写"+label)
	case utf8.RuneCountInString(*v) > max:
		f.Add(field, label+"不超过 "+itoa(int64(max))+" 字")
	}
}

// toFen converts yuan to integer fen (money is stored exactly in fen); yuan converts back.
func toFen(y float64) int64 { return int64(math.Round(y * 100)) }
func yuan(f int64) float64  { return float64(f) / 100 }

// positiveMoney checks an amount in yuan: more than zero, at most two decimals.
func positiveMoney(f errs.Fields, field string, v float64, label string) {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 || v > 1e11:
		f.Add(field, label+"应为大于 0 的金额（元）")
	case math.Abs(v*100-math.Round(v*100)) > 1e-6:
		f.Add(field, label+"最多两位小数（分）")
	}
}

func checkOrg(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, field string) error {
	if orgID <= 0 {
		return errs.Invalid(field, "请选择单位")
	}
	return sc.CheckOrg(ctx, q, org.Tree{}, orgID, field)
}

// subtreeCond is the condition that the unit in col is orgID or below it; orgID must be in scope (404 otherwise).
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

// formErr turns a reference a form named that is not found (or out of scope) into a refusal shown beside the
// field; the API answers it as the 404 it is.
func formErr(err error) error {
	if e := errs.As(err); e != nil && e.Code == errs.CodeNotFound && len(e.Fields) > 0 {
		return &errs.Error{Code: errs.CodeValidation, Message: e.Message, Fields: e.Fields}
	}
	return err
}

// notFoundField marks a not-found reference as the field's problem.
func notFoundField(err error, field, msg string) error {
	if e := errs.As(err); e != nil && e.Code == errs.CodeNotFound {
		out := errs.NotFound("")
		out.Message, out.Fields = msg, map[string]string{field: msg}
		return out
	}
	return err
}
