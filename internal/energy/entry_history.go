package energy

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// Change is one change of a monthly entry as its history shows it: old and new amount in the type's unit (nil: no
// entry), where it came from, and the plausibility warning with the reason that confirmed it.
type Change struct {
	ID         int64    `json:"id"`
	OrgID      int64    `json:"org_id"`
	Period     string   `json:"period"`
	EnergyType string   `json:"energy_type"`
	TypeName   string   `json:"type_name"`
	Unit       string   `json:"unit"`
	At         int64    `json:"-"`
	Time       string   `json:"time" doc:"RFC 3339"`
	Actor      string   `json:"actor"`
	Source     string   `json:"source" doc:"form 页面 · api 接口 · import 导入 · demo 演示"`
	Before     *float64 `json:"before" doc:"修改前数量，新填报时为 null"`
	After      *float64 `json:"after" doc:"修改后数量，删除时为 null"`
	Warning    string   `json:"warning,omitempty"`
	Reason     string   `json:"reason,omitempty"`
}

// SourceName is the Chinese name of where a change came from.
func (c Change) SourceName() string {
	return map[string]string{"form": "页面填报", "api": "接口", "import": "Excel 导入", "demo": "演示数据"}[c.Source]
}

// logChange appends one change of an entry to its history (in the writing transaction).
func logChange(ctx context.Context, q db.Q, now time.Time, orgID int64, period, typ, source string, before, after *float64, warning, reason string) error {
	_, err := q.Exec(ctx, `INSERT INTO energy_consumption_changes (org_id, period, energy_type, at, actor, source, before_amount, after_amount, warning, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, orgID, period, typ, now.Unix(), audit.ActorFrom(ctx).Username, source, before, after, warning, reason)
	return err
}

// ListChanges returns the newest changes of a unit's entries of a year (at most limit), for the entry page; 404
// outside the scope.
func ListChanges(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, year, limit int) ([]Change, error) {
	items, _, err := ListEntryChanges(ctx, q, sc, ChangeFilter{OrgID: orgID, Year: year, Limit: limit})
	return items, err
}

// ChangeFilter selects changes: a unit's entries of a year, or of one month, or one entry (period and type).
type ChangeFilter struct {
	OrgID      int64
	Year       int    // used when Period is empty
	Period     string // YYYY-MM: that month only
	EnergyType string // one type only
	Limit      int
	Offset     int
}

// Check validates the period and the type (422 naming the parameter).
func (f ChangeFilter) Check() error {
	if f.Period != "" {
		if _, ok := ParsePeriod(f.Period); !ok {
			return errs.Invalid("period", "月份应为 YYYY-MM")
		}
	}
	if f.EnergyType != "" {
		if _, ok := TypeByCode(f.EnergyType); !ok {
			return errs.Invalid("energy_type", "未知的能源品种")
		}
	}
	return nil
}

// ListEntryChanges returns the newest changes the filter selects (at most f.Limit from f.Offset) and how many it
// selects in all, for the entry page and the API (docs/api.md §Energy); 404 outside the scope.
func ListEntryChanges(ctx context.Context, q db.Q, sc auth.Scope, f ChangeFilter) ([]Change, int64, error) {
	if err := f.Check(); err != nil {
		return nil, 0, err
	}
	if err := sc.CheckOrg(ctx, q, org.Tree{}, f.OrgID, "org_id"); err != nil {
		return nil, 0, err
	}
	from, to := fmt.Sprintf("%04d-01", f.Year), fmt.Sprintf("%04d-12", f.Year)
	if f.Period != "" {
		from, to = f.Period, f.Period
	}
	where, args := "org_id = ? AND period >= ? AND period <= ?", []any{f.OrgID, from, to}
	if f.EnergyType != "" {
		where += " AND energy_type = ?"
		args = append(args, f.EnergyType)
	}
	var total int64
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM energy_consumption_changes WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	items, err := db.Select(ctx, q, func(s db.Scanner) (Change, error) {
		var c Change
		var b, a sql.NullFloat64
		err := s.Scan(&c.ID, &c.OrgID, &c.Period, &c.EnergyType, &c.At, &c.Actor, &c.Source, &b, &a, &c.Warning, &c.Reason)
		if b.Valid {
			c.Before = &b.Float64
		}
		if a.Valid {
			c.After = &a.Float64
		}
		if t, ok := TypeByCode(c.EnergyType); ok {
			c.TypeName, c.Unit = t.Name, t.Unit
		}
		c.Time = time.Unix(c.At, 0).In(Shanghai).Format(time.RFC3339)
		return c, err
	}, `SELECT id, org_id, period, energy_type, at, actor, source, before_amount, after_amount, warning, reason FROM energy_consumption_changes
		WHERE `+where+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	return items, total, err
}
