package refdata

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
)

// OverrideInput is an administrator's row: a value for a key in a region from a date, with the document that
// decides it. The body of POST /api/v1/refdata/{kind}/overrides and of …/{id}/revise.
type OverrideInput struct {
	Key        string `json:"key"`
	Value      any    `json:"value" doc:"数值型数据集为数字；JSON 型数据集为任意 JSON 值"`
	Unit       string `json:"unit,omitempty" doc:"空则取数据集的单位"`
	RegionCode string `json:"region_code" doc:"6 位行政区划代码（省 990000、市 990100、县 990121）；空为全国"`
	ValidFrom  string `json:"valid_from" doc:"生效日期 YYYY-MM-DD"`
	ValidTo    string `json:"valid_to,omitempty" doc:"有效期最后一天；空为长期有效"`
	SourceDoc  string `json:"source_doc" doc:"依据文件文号（必填）"`
	Issuer     string `json:"issuer,omitempty" doc:"发文机关"`
	Confidence string `json:"confidence,omitempty" doc:"V 原文核实（默认）· S 二手来源 · M 待核实"`
	Note       string `json:"note,omitempty"`
}

// EndInput ends an override: its last day of validity and why. The body of …/overrides/{id}/end.
type EndInput struct {
	ValidTo string `json:"valid_to" doc:"有效期最后一天 YYYY-MM-DD；为生效日前一天则视为撤销"`
	Reason  string `json:"reason" doc:"终止原因或依据文件（必填）"`
}

// Item is a row in the API shape: the value as a JSON number or JSON value, and the status on today's date.
type Item struct {
	Row
	Value   any        `json:"value" doc:"数值，或 JSON 型数据集的 JSON 值"`
	Status  string     `json:"status" doc:"active 现行 · superseded 已被新版本取代（仅列表）· pending 未生效 · ended 已失效 · withdrawn 已撤销"`
	EndedAt *time.Time `json:"ended_at,omitempty"`
}

// ItemOf converts a row for the API as of today (YYYY-MM-DD).
func ItemOf(r Row, today string) Item {
	it := Item{Row: r, Status: r.Status(today)}
	if len(r.JSON) > 0 {
		it.Value = json.RawMessage(r.JSON)
	} else {
		it.Value = r.Value
	}
	if !r.EndedAt.IsZero() {
		t := r.EndedAt
		it.EndedAt = &t
	}
	return it
}

// ParseValue turns a value as typed in a form into the input's value: a number for number datasets, the JSON
// text's value for json datasets (kept as raw JSON).
func ParseValue(valueType, text string) any {
	text = strings.TrimSpace(text)
	if valueType == ValueJSON {
		if text == "" {
			return nil
		}
		return json.RawMessage(text)
	}
	return text
}

// value checks and converts the input's value for a dataset of valueType.
func (in OverrideInput) value(valueType string, f errs.Fields) (float64, json.RawMessage) {
	if in.Value == nil {
		f.Add("value", "必填")
		return 0, nil
	}
	if valueType == ValueJSON {
		var raw []byte
		switch v := in.Value.(type) {
		case json.RawMessage:
			raw = v
		default:
			b, err := json.Marshal(v)
			if err != nil {
				f.Add("value", "应为合法的 JSON 值")
				return 0, nil
			}
			raw = b
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil || buf.String() == "null" {
			f.Add("value", "应为合法的 JSON 值")
			return 0, nil
		}
		if buf.Len() > 64<<10 {
			f.Add("value", "JSON 值过大（不超过 64 KB）")
			return 0, nil
		}
		return 0, buf.Bytes()
	}
	var n float64
	var err error
	switch v := in.Value.(type) {
	case json.Number:
		n, err = v.Float64()
	case float64:
		n = v
	case int:
		n = float64(v)
	case int64:
		n = float64(v)
	case string:
		n, err = strconv.ParseFloat(strings.TrimSpace(v), 64)
	default:
		err = fmt.Errorf("not a number")
	}
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		f.Add("value", "应为数字")
	}
	return n, nil
}

// row validates the input into an override row of ds.
func (in OverrideInput) row(ds DatasetInfo) (Row, error) {
	f := errs.Fields{}
	r := Row{Kind: ds.Kind, Origin: OriginOverride, Key: strings.TrimSpace(in.Key), Unit: strings.TrimSpace(in.Unit),
		RegionCode: strings.TrimSpace(in.RegionCode), ValidFrom: strings.TrimSpace(in.ValidFrom), ValidTo: strings.TrimSpace(in.ValidTo),
		SourceDoc: strings.TrimSpace(in.SourceDoc), Issuer: strings.TrimSpace(in.Issuer), Confidence: strings.ToUpper(strings.TrimSpace(in.Confidence)),
		Note: strings.TrimSpace(in.Note)}
	if r.Unit == "" {
		r.Unit = ds.Unit
	}
	if r.Confidence == "" {
		r.Confidence = Verified
	}
	if !ValidKey(r.Key) {
		f.Add("key", "必填，1–120 个字符，不含空格")
	}
	r.Value, r.JSON = in.value(ds.ValueType, f)
	if !ValidRegion(r.RegionCode) {
		f.Add("region_code", "应为 6 位行政区划代码（空为全国）")
	}
	if !ValidDate(r.ValidFrom) {
		f.Add("valid_from", "必填，格式 YYYY-MM-DD")
	}
	if r.ValidTo != "" && !ValidDate(r.ValidTo) {
		f.Add("valid_to", "格式应为 YYYY-MM-DD（空为长期有效）")
	} else if r.ValidTo != "" && r.ValidTo < r.ValidFrom {
		f.Add("valid_to", "不能早于生效日期")
	}
	if r.SourceDoc == "" {
		f.Add("source_doc", "必填：请填写依据文件文号")
	}
	if r.Confidence != Verified && r.Confidence != Secondary && r.Confidence != Unverified {
		f.Add("confidence", "应为 V、S 或 M")
	}
	for name, v := range map[string]string{"unit": r.Unit, "source_doc": r.SourceDoc, "issuer": r.Issuer} {
		if utf8.RuneCountInString(v) > 200 {
			f.Add(name, "不超过 200 字")
		}
	}
	if utf8.RuneCountInString(r.Note) > 1000 {
		f.Add("note", "不超过 1000 字")
	}
	return r, f.Err()
}

// today is the business date of the store's clock.
func (s *Store) today() string { return clock.Today(s.Clock.Now()) }

// overlapping finds a live override of the same key and region whose validity overlaps r's (except id skip).
func overlapping(ctx context.Context, q db.Q, r Row, skip int64) (Row, bool, error) {
	to := r.ValidTo
	if to == "" {
		to = "9999-12-31"
	}
	rows, err := db.Select(ctx, q, scanRow, "SELECT "+rowCols+` FROM refdata_rows WHERE kind = ? AND key = ? AND region_code = ? AND origin = 'override'
		AND id <> ? AND (valid_to = '' OR valid_to >= valid_from) AND valid_from <= ? AND (valid_to = '' OR valid_to >= ?) ORDER BY valid_from LIMIT 1`,
		r.Kind, r.Key, r.RegionCode, skip, to, r.ValidFrom)
	if err != nil || len(rows) == 0 {
		return Row{}, false, err
	}
	return rows[0], true, nil
}

func period(r Row) string {
	if r.ValidTo == "" {
		return r.ValidFrom + " 起"
	}
	return r.ValidFrom + " 至 " + r.ValidTo
}

func regionLabel(code string) string {
	if code == "" {
		return "全国"
	}
	return code
}

func (s *Store) insertOverride(ctx context.Context, q db.Q, r Row, now time.Time) (Row, error) {
	var num any
	if len(r.JSON) == 0 {
		num = r.Value
	}
	id, err := db.InsertID(ctx, q, `INSERT INTO refdata_rows (kind, origin, key, region_code, valid_from, valid_to, value_num, value_json, unit,
		source_doc, issuer, confidence, note, replaces_id, created_at, created_by) VALUES (?, 'override', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.Kind, r.Key, r.RegionCode, r.ValidFrom, r.ValidTo, num, string(r.JSON), r.Unit, r.SourceDoc, r.Issuer, r.Confidence, r.Note,
		db.NullInt(r.ReplacesID), now.Unix(), audit.ActorFrom(ctx).Username)
	if err != nil {
		return Row{}, err
	}
	return GetRow(ctx, q, r.Kind, id)
}

// AddOverride adds an administrator's row to kind. An override of the same key and region whose validity
// overlaps is a conflict: revise or end it first, so that each region's history is a clean sequence.
func (s *Store) AddOverride(ctx context.Context, kind string, in OverrideInput) (Row, error) {
	now := s.Clock.Now()
	var out Row
	err := s.DB.Tx(ctx, func(q db.Q) error {
		ds, err := GetDataset(ctx, q, kind)
		if err != nil {
			return err
		}
		r, err := in.row(ds)
		if err != nil {
			return err
		}
		if err := db.Lock(ctx, q, lockKey); err != nil {
			return err
		}
		if prev, ok, err := overlapping(ctx, q, r, 0); err != nil {
			return err
		} else if ok {
			return errs.Conflict(fmt.Sprintf("%s 在%s已有覆盖值 #%d（%s），有效期重叠：请修订或终止该条", r.Key, regionLabel(r.RegionCode), prev.ID, period(prev)))
		}
		if out, err = s.insertOverride(ctx, q, r, now); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, historyType, ds.ID, "override.create",
			fmt.Sprintf("新增覆盖值 #%d：%s（%s）= %s %s，%s，依据 %s", out.ID, out.Key, regionLabel(out.RegionCode), out.ValueText(), out.Unit, period(out), out.SourceDoc)); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "refdata.override.create", ObjectType: "refdata_row", ObjectID: out.ID, Success: true,
			After: ItemOf(out, clock.Today(now)), Extra: map[string]any{"kind": kind}})
	})
	return out, err
}

// ReviseOverride replaces override id with a new edition from in.ValidFrom: the old row's validity ends the day
// before, and the new row records which row it replaces. A new edition starting on the old one's first day
// withdraws the old row (a correction). The key and region stay the old row's (empty input fields keep them).
// Built-in rows are read-only; add an override instead.
func (s *Store) ReviseOverride(ctx context.Context, kind string, id int64, in OverrideInput) (Row, error) {
	now := s.Clock.Now()
	var out Row
	err := s.DB.Tx(ctx, func(q db.Q) error {
		ds, err := GetDataset(ctx, q, kind)
		if err != nil {
			return err
		}
		if err := db.Lock(ctx, q, lockKey); err != nil {
			return err
		}
		old, err := GetRow(ctx, q, kind, id)
		if err != nil {
			return err
		}
		if err := editable(old); err != nil {
			return err
		}
		if in.Key = strings.TrimSpace(in.Key); in.Key == "" {
			in.Key = old.Key
		}
		if in.RegionCode = strings.TrimSpace(in.RegionCode); in.RegionCode == "" {
			in.RegionCode = old.RegionCode
		}
		if in.Key != old.Key {
			return errs.Invalid("key", "修订不能改变键；请新增覆盖值")
		}
		if in.RegionCode != old.RegionCode {
			return errs.Invalid("region_code", "修订不能改变行政区划；请新增覆盖值")
		}
		r, err := in.row(ds)
		if err != nil {
			return err
		}
		switch {
		case r.ValidFrom < old.ValidFrom:
			return errs.Invalid("valid_from", "新版本的生效日期不能早于原记录的生效日期 "+old.ValidFrom)
		case old.ValidTo != "" && r.ValidFrom > old.ValidTo:
			return errs.Invalid("valid_from", "原记录已于 "+old.ValidTo+" 到期，请新增覆盖值")
		}
		oldTo := dayBefore(r.ValidFrom)
		if err := endRow(ctx, q, old, oldTo, fmt.Sprintf("修订：%s 起按新版本执行（依据 %s）", r.ValidFrom, r.SourceDoc), now); err != nil {
			return err
		}
		old.ValidTo = oldTo
		if prev, ok, err := overlapping(ctx, q, r, old.ID); err != nil {
			return err
		} else if ok {
			return errs.Conflict(fmt.Sprintf("新版本与覆盖值 #%d（%s）有效期重叠", prev.ID, period(prev)))
		}
		r.ReplacesID = old.ID
		if out, err = s.insertOverride(ctx, q, r, now); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, historyType, ds.ID, "override.revise",
			fmt.Sprintf("修订覆盖值 #%d → #%d：%s（%s）%s → %s %s，%s 起，依据 %s", old.ID, out.ID, out.Key, regionLabel(out.RegionCode),
				old.ValueText(), out.ValueText(), out.Unit, out.ValidFrom, out.SourceDoc)); err != nil {
			return err
		}
		today := clock.Today(now)
		return audit.Record(ctx, q, now, audit.Entry{Action: "refdata.override.revise", ObjectType: "refdata_row", ObjectID: out.ID, Success: true,
			Before: ItemOf(old, today), After: ItemOf(out, today), Extra: map[string]any{"kind": kind, "replaces_id": old.ID}})
	})
	return out, err
}

func editable(r Row) error {
	switch {
	case r.Origin != OriginOverride:
		return errs.Conflict("内置数据只读：如需调整请新增覆盖值")
	case !r.EndedAt.IsZero() || r.Withdrawn():
		return errs.Conflict("该覆盖值已终止或已修订，不能再修改")
	}
	return nil
}

// endRow sets an override's last day of validity with a guarded update (a concurrent end is a conflict).
func endRow(ctx context.Context, q db.Q, r Row, validTo, reason string, now time.Time) error {
	res, err := q.Exec(ctx, `UPDATE refdata_rows SET valid_to = ?, ended_at = ?, ended_by = ?, end_reason = ?
		WHERE id = ? AND origin = 'override' AND ended_at = 0 AND valid_to = ?`,
		validTo, now.Unix(), audit.ActorFrom(ctx).Username, reason, r.ID, r.ValidTo)
	if err != nil {
		return err
	}
	if db.RowsAffected(res) == 0 {
		return errs.Conflict("该覆盖值已被他人修改，请刷新后重试")
	}
	return nil
}

// EndOverride ends override id: in.ValidTo becomes its last day of validity (the day before its start withdraws
// it). The row stays, with who ended it, when and why.
func (s *Store) EndOverride(ctx context.Context, kind string, id int64, in EndInput) (Row, error) {
	now := s.Clock.Now()
	var out Row
	err := s.DB.Tx(ctx, func(q db.Q) error {
		ds, err := GetDataset(ctx, q, kind)
		if err != nil {
			return err
		}
		if err := db.Lock(ctx, q, lockKey); err != nil {
			return err
		}
		old, err := GetRow(ctx, q, kind, id)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		to, reason := strings.TrimSpace(in.ValidTo), strings.TrimSpace(in.Reason)
		switch {
		case !ValidDate(to):
			f.Add("valid_to", "必填，格式 YYYY-MM-DD")
		case to < dayBefore(old.ValidFrom):
			f.Add("valid_to", "不能早于生效日期的前一天 "+dayBefore(old.ValidFrom))
		case old.ValidTo != "" && to > old.ValidTo:
			f.Add("valid_to", "不能晚于原定的有效期截止日 "+old.ValidTo)
		}
		if reason == "" {
			f.Add("reason", "必填：请说明终止原因或依据文件")
		} else if utf8.RuneCountInString(reason) > 500 {
			f.Add("reason", "不超过 500 字")
		}
		if err := editable(old); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if err := endRow(ctx, q, old, to, reason, now); err != nil {
			return err
		}
		if out, err = GetRow(ctx, q, kind, id); err != nil {
			return err
		}
		what := "终止"
		if out.Withdrawn() {
			what = "撤销"
		}
		if err := history.Record(ctx, q, now, historyType, ds.ID, "override.end",
			fmt.Sprintf("%s覆盖值 #%d：%s（%s），有效期至 %s；%s", what, out.ID, out.Key, regionLabel(out.RegionCode), to, reason)); err != nil {
			return err
		}
		today := clock.Today(now)
		return audit.Record(ctx, q, now, audit.Entry{Action: "refdata.override.end", ObjectType: "refdata_row", ObjectID: out.ID, Success: true,
			Before: ItemOf(old, today), After: ItemOf(out, today), Extra: map[string]any{"kind": kind}})
	})
	return out, err
}
