package space

import (
	"context"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

// Small validation helpers shared by the inputs of the module.

func text(f errs.Fields, field string, v *string, max int, required bool, label string) {
	*v = strings.TrimSpace(*v)
	switch {
	case required && *v == "":
		f.Add(field, "请填写"+label)
	case utf8.RuneCountInString(*v) > max:
		f.Add(field, label+"不超过 "+itoa(int64(max))+" 字")
	}
}

func area(f errs.Fields, field string, v float64, positive bool, label string) {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1e7:
		f.Add(field, label+"应为不小于 0 的数（平方米）")
	case positive && v <= 0:
		f.Add(field, label+"应大于 0（平方米）")
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
	if err != nil || len(*v) != 10 || t.Year() < 1900 || t.Year() > 2200 {
		f.Add(field, label+"格式应为 YYYY-MM-DD")
	}
}

func checkEnum(f errs.Fields, field string, v *string, list enum.List, required bool, label string) {
	*v = strings.TrimSpace(*v)
	if *v == "" && !required {
		return
	}
	if !list.Has(*v) {
		f.Add(field, label+"应为 "+list.Described())
	}
}

// yuan converts a decimal amount in yuan to fen, exactly for two decimals.
func yuan(f errs.Fields, field string, v float64, label string) int64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1e12 {
		f.Add(field, label+"应为不小于 0 的金额（元）")
		return 0
	}
	return int64(math.Round(v * 100))
}

// checkOrg answers 404 naming field unless the unit exists and lies in the scope.
func checkOrg(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, field string) error {
	return sc.CheckOrg(ctx, q, org.Tree{}, orgID, field)
}

// fieldErr marks a not-found reference as the field's problem (a 404 that a form can show beside the field).
func fieldErr(err error, field, msg string) error {
	if e := errs.As(err); e != nil && e.Code == errs.CodeNotFound {
		out := errs.NotFound("")
		out.Message = msg
		out.Fields = map[string]string{field: msg}
		return out
	}
	return err
}

// canManage reports whether the caller holds the bureau's right.
func canManage(ctx context.Context) bool {
	p := web.PrincipalFrom(ctx)
	return p != nil && p.Can(PermManage)
}

// canRead reports whether the caller holds the full read of office space (not only the buildings).
func canRead(ctx context.Context) bool {
	p := web.PrincipalFrom(ctx)
	return p != nil && p.Can(PermRead)
}

// needRead refuses a part of a building page that PermBuildings does not reach.
func needRead(ctx context.Context) error {
	if !canRead(ctx) {
		return errs.Forbidden("您没有查看办公用房使用情况的权限（只可查看楼栋面积与楼层）")
	}
	return nil
}

func needManage(ctx context.Context, what string) error {
	if !canManage(ctx) {
		return errs.Forbidden("只有机关事务管理部门（办公用房管理员）可以" + what)
	}
	return nil
}

func itoa(v int64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// ids collects distinct positive ids.
func ids(vs ...int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, v := range vs {
		if v > 0 && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
