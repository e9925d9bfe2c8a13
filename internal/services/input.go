package services

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
)

// Small validation helpers of the module's inputs.

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

func checkEnum(f errs.Fields, field string, v *string, list enum.List, required bool, label string) {
	*v = strings.TrimSpace(*v)
	switch {
	case *v == "" && required:
		f.Add(field, "请选择"+label)
	case *v != "" && !list.Has(*v):
		f.Add(field, label+"应为 "+list.Described())
	}
}

func phone(f errs.Fields, field string, v *string, label string) {
	*v = strings.TrimSpace(*v)
	if *v == "" {
		return
	}
	if len(*v) < 5 || len(*v) > 20 || strings.Trim(*v, "0123456789-") != "" {
		f.Add(field, label+"应为 5–20 位数字（可含“-”）")
	}
}

func checkOrg(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, field string) error {
	return sc.CheckOrg(ctx, q, org.Tree{}, orgID, field)
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

// fieldErr marks a not-found reference as the field's problem (a 404 that a form shows beside the field).
func fieldErr(err error, field, msg string) error {
	if e := errs.As(err); e != nil && e.Code == errs.CodeNotFound {
		out := errs.NotFound("")
		out.Message, out.Fields = msg, map[string]string{field: msg}
		return out
	}
	return err
}

// formErr turns a reference a form named that is not found into a refusal shown beside the field; the API answers
// it as the 404 it is.
func formErr(err error) error {
	if e := errs.As(err); e != nil && e.Code == errs.CodeNotFound && len(e.Fields) > 0 {
		return &errs.Error{Code: errs.CodeValidation, Message: e.Message, Fields: e.Fields}
	}
	return err
}
