package energy

import (
	"context"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/num"
	"github.com/govops/govops/internal/platform/web"
)

// Anomaly is a flagged interval of a meter, waiting for (or carrying) a person's decision.
type Anomaly struct {
	ID             int64   `json:"id"`
	MeterID        int64   `json:"meter_id"`
	OrgID          int64   `json:"org_id"`
	Kind           string  `json:"kind" doc:"decrease 读数减少（翻转或换表）· gap 断档 · spike 突增"`
	TS             int64   `json:"-"`
	PrevTS         int64   `json:"-"`
	Time           string  `json:"time" doc:"结束该区间的读数时间"`
	PrevTime       string  `json:"prev_time,omitempty"`
	PrevValue      float64 `json:"prev_value"`
	Value          float64 `json:"value"`
	Amount         float64 `json:"amount" doc:"按读数算出的区间用量（乘倍率后）"`
	Expected       float64 `json:"expected,omitempty" doc:"突增：按滚动中位数估计的正常用量"`
	Status         string  `json:"status" doc:"open 待处理 · resolved 已处理"`
	Resolution     string  `json:"resolution,omitempty" doc:"rollover 翻转 · replacement 换表 · exclude 剔除读数 · accept 确认计入 · ignore 不计"`
	ResolvedAmount float64 `json:"resolved_amount,omitempty"`
	Note           string  `json:"note,omitempty"`
	ResolvedBy     string  `json:"resolved_by,omitempty"`
	ResolvedAt     int64   `json:"-"`
	MeterName      string  `json:"meter_name"`
	OrgName        string  `json:"org_name"`
	Multiplier     float64 `json:"-"`
	Unit           string  `json:"unit"`
}

// KindName etc. are for templates.
func (a Anomaly) KindName() string {
	return map[string]string{KindDecrease: "读数减少", KindGap: "断档", KindSpike: "突增"}[a.Kind]
}

// ResolutionName is the Chinese name of the decision.
func (a Anomaly) ResolutionName() string { return ResolutionName(a.Resolution) }

// ResolutionName names a resolution code.
func ResolutionName(r string) string {
	return map[string]string{ResRollover: "表码翻转", ResReplacement: "换表", ResExclude: "剔除读数", ResAccept: "确认计入", ResIgnore: "不计用量"}[r]
}

// Open reports an undecided anomaly.
func (a Anomaly) Open() bool { return a.Status == "open" }

// Resolutions lists the decisions that fit the anomaly's kind.
func (a Anomaly) Resolutions() []string {
	switch a.Kind {
	case KindDecrease:
		return []string{ResRollover, ResReplacement, ResExclude, ResIgnore}
	case KindSpike:
		return []string{ResAccept, ResExclude}
	}
	return []string{ResAccept}
}

// Held reports an anomaly whose interval counts nothing until decided.
func (a Anomaly) Held() bool { return a.Open() && a.Kind != KindGap }

const anomalyCols = `a.id, a.meter_id, a.org_id, a.kind, a.ts, a.prev_ts, a.prev_value, a.value, a.amount, a.expected, a.status, a.resolution,
	a.resolved_amount, a.note, a.resolved_by, a.resolved_at, m.name, o.name, m.multiplier, m.energy_type`

const anomalyFrom = " FROM energy_anomalies a JOIN energy_meters m ON m.id = a.meter_id JOIN orgs o ON o.id = a.org_id"

func scanAnomaly(s db.Scanner) (Anomaly, error) {
	var a Anomaly
	var typ string
	err := s.Scan(&a.ID, &a.MeterID, &a.OrgID, &a.Kind, &a.TS, &a.PrevTS, &a.PrevValue, &a.Value, &a.Amount, &a.Expected, &a.Status, &a.Resolution,
		&a.ResolvedAmount, &a.Note, &a.ResolvedBy, &a.ResolvedAt, &a.MeterName, &a.OrgName, &a.Multiplier, &typ)
	a.Time = time.Unix(a.TS, 0).In(Shanghai).Format(time.RFC3339)
	if a.PrevTS != 0 {
		a.PrevTime = time.Unix(a.PrevTS, 0).In(Shanghai).Format(time.RFC3339)
	}
	if t, ok := TypeByCode(typ); ok {
		a.Unit = t.Unit
	}
	return a, err
}

// AnomalyFilter narrows the review list.
type AnomalyFilter struct {
	List    web.List
	Status  string
	Kind    string
	MeterID int64
	OrgID   int64
}

// ListAnomalies lists anomalies in scope, newest first.
func ListAnomalies(ctx context.Context, q db.Q, sc auth.Scope, f AnomalyFilter) ([]Anomaly, int64, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	where := []string{cond}
	if f.Status != "" {
		where, args = append(where, "a.status = ?"), append(args, f.Status)
	}
	if f.Kind != "" {
		where, args = append(where, "a.kind = ?"), append(args, f.Kind)
	}
	if f.MeterID != 0 {
		where, args = append(where, "a.meter_id = ?"), append(args, f.MeterID)
	}
	if f.OrgID != 0 {
		var p string
		if err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", f.OrgID).Scan(&p); err != nil {
			if db.IsNoRows(err) {
				return nil, 0, errs.NotFound("单位")
			}
			return nil, 0, err
		}
		where, args = append(where, "o.path >= ? AND o.path < ?"), append(args, p, db.PrefixUpper(p))
	}
	w := " WHERE " + strings.Join(where, " AND ")
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+anomalyFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	if f.List.PageSize == 0 {
		f.List.Page, f.List.PageSize = 1, 20
	}
	list, err := db.Select(ctx, q, scanAnomaly, "SELECT "+anomalyCols+anomalyFrom+w+" ORDER BY a.status, a.ts DESC, a.id DESC LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	return list, total, err
}

// GetAnomaly loads one anomaly in scope.
func GetAnomaly(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Anomaly, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	a, err := scanAnomaly(q.QueryRow(ctx, "SELECT "+anomalyCols+anomalyFrom+" WHERE a.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return a, errs.NotFound("读数异常")
	}
	return a, err
}

// ResolveInput is the body of POST /api/v1/energy/anomalies/{id}/resolve.
type ResolveInput struct {
	Resolution string `json:"resolution" doc:"decrease：rollover | replacement | exclude | ignore；spike：accept | exclude；gap：accept"`
	// RolloverAt is the counter's maximum before it wraps to zero (rollover), e.g. 99999.9.
	RolloverAt float64 `json:"rollover_at,omitempty" doc:"翻转：表码上限（如 99999.9）"`
	// OldFinal is the old meter's last reading and NewStart the new meter's first reading (replacement).
	OldFinal float64 `json:"old_final,omitempty" doc:"换表：旧表拆除时的表码"`
	NewStart float64 `json:"new_start,omitempty" doc:"换表：新表安装时的表码"`
	Note     string  `json:"note" doc:"处理说明（必填）"`
}

// ResolveAnomaly records a person's decision and recomputes the meter's roll-ups from the interval on: a
// rollover or replacement counts the consumption it implies, exclude drops the reading, accept counts a spike,
// ignore counts nothing. An anomaly already decided is a conflict.
func (s *Service) ResolveAnomaly(ctx context.Context, sc auth.Scope, id int64, in ResolveInput) (Anomaly, error) {
	now := s.Clock.Now()
	var out Anomaly
	err := s.DB.Tx(ctx, func(q db.Q) error {
		a, err := GetAnomaly(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if !a.Open() {
			return errs.Conflict("该异常已处理（" + a.ResolutionName() + "）")
		}
		f := errs.Fields{}
		in.Resolution = strings.TrimSpace(in.Resolution)
		in.Note = strings.TrimSpace(in.Note)
		allowed := false
		for _, r := range a.Resolutions() {
			allowed = allowed || r == in.Resolution
		}
		if !allowed {
			var names []string
			for _, r := range a.Resolutions() {
				names = append(names, r+"（"+ResolutionName(r)+"）")
			}
			f.Add("resolution", a.KindName()+"的处理方式应为 "+strings.Join(names, "、"))
		}
		if in.Note == "" {
			f.Add("note", "请填写处理说明")
		} else if utf8.RuneCountInString(in.Note) > 200 {
			f.Add("note", "说明不超过 200 字")
		}
		amount := 0.0
		switch in.Resolution {
		case ResRollover:
			if !(in.RolloverAt > a.PrevValue) || math.IsInf(in.RolloverAt, 0) {
				f.Add("rollover_at", "表码上限应大于翻转前的读数")
			}
			amount = (in.RolloverAt - a.PrevValue + a.Value) * a.Multiplier
		case ResReplacement:
			if in.OldFinal < a.PrevValue {
				f.Add("old_final", "旧表拆除表码不应小于上一次读数")
			}
			if in.NewStart > a.Value || in.NewStart < 0 {
				f.Add("new_start", "新表起始表码应在 0 与本次读数之间")
			}
			amount = ((in.OldFinal - a.PrevValue) + (a.Value - in.NewStart)) * a.Multiplier
		case ResAccept:
			if a.Kind == KindSpike {
				amount = a.Amount
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		res, err := q.Exec(ctx, `UPDATE energy_anomalies SET status = 'resolved', resolution = ?, resolved_amount = ?, note = ?, resolved_by = ?, resolved_at = ?
			WHERE id = ? AND status = 'open'`, in.Resolution, num.Round(amount, 6), in.Note, audit.ActorFrom(ctx).Username, now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("该异常已被他人处理")
		}
		if in.Resolution == ResExclude {
			if _, err := q.Exec(ctx, `INSERT INTO energy_excluded_readings (meter_id, ts, excluded_at, excluded_by) VALUES (?, ?, ?, ?)
				ON CONFLICT (meter_id, ts) DO NOTHING`, a.MeterID, a.TS, now.Unix(), audit.ActorFrom(ctx).Username); err != nil {
				return err
			}
		}
		if err := markDirty(ctx, q, map[int64]int64{a.MeterID: a.TS}); err != nil {
			return err
		}
		if out, err = GetAnomaly(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.anomaly.resolve", ObjectType: "energy_anomaly", ObjectID: id, OrgID: a.OrgID,
			Success: true, Before: map[string]any{"status": "open"},
			After: map[string]any{"status": "resolved", "resolution": in.Resolution, "resolved_amount": out.ResolvedAmount, "note": in.Note, "meter_id": a.MeterID}})
	})
	if err == nil {
		s.kickRollups()
	}
	return out, err
}
