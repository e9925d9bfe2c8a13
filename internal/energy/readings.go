package energy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

// MaxReadings bounds the readings of one POST /api/v1/energy/readings.
const MaxReadings = 100_000

// ReadingInput is one element of the bulk readings body (docs/api.md §Energy): {"meter_id","ts","value"}.
type ReadingInput struct {
	MeterID int64           `json:"meter_id"`
	TS      json.RawMessage `json:"ts" doc:"RFC 3339 带时区（如 2025-02-01T00:00:00+08:00），或 Unix 秒/毫秒数"`
	Value   *float64        `json:"value" doc:"累计表为表码，区间表为区间用量（倍率之前）"`
}

// maxFieldErrors bounds how many bad elements a 422 names.
const maxFieldErrors = 20

// DecodeReadings parses the bulk body: a JSON array of readings. It is pure (fuzzed): malformed JSON is a 400,
// a bad element a 422 naming it ("[3].ts"); it never panics.
func DecodeReadings(body []byte) ([]Reading, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, errs.BadRequest("请求体为空，应为读数数组")
	}
	if body[0] != '[' {
		return nil, errs.BadRequest("请求体应为 JSON 数组：[{\"meter_id\":…,\"ts\":…,\"value\":…}, …]")
	}
	if rs, ok := fastReadings(body); ok {
		switch {
		case len(rs) == 0:
			return nil, errs.Invalid("readings", "读数数组为空")
		case len(rs) > MaxReadings:
			return nil, errs.Invalid("readings", fmt.Sprintf("一次最多上传 %d 条读数，请分批", MaxReadings))
		}
		return rs, nil
	}
	var in []ReadingInput
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&in); err != nil {
		var typ *json.UnmarshalTypeError
		if asType(err, &typ) {
			return nil, errs.Invalid(typ.Field, "类型错误")
		}
		return nil, &errs.Error{Code: errs.CodeBadRequest, Message: "JSON 格式错误，无法解析", Err: err}
	}
	if dec.More() {
		return nil, errs.BadRequest("JSON 之后还有多余内容")
	}
	if len(in) == 0 {
		return nil, errs.Invalid("readings", "读数数组为空")
	}
	if len(in) > MaxReadings {
		return nil, errs.Invalid("readings", fmt.Sprintf("一次最多上传 %d 条读数，请分批", MaxReadings))
	}
	out := make([]Reading, len(in))
	f := errs.Fields{}
	for i, r := range in {
		if len(f) >= maxFieldErrors {
			break
		}
		key := "[" + strconv.Itoa(i) + "]."
		if r.MeterID <= 0 {
			f.Add(key+"meter_id", "请给出计量表 id")
		}
		ts, ok := ParseInstant(r.TS)
		if !ok {
			f.Add(key+"ts", "时间应为带时区的 RFC 3339（如 2025-02-01T00:00:00+08:00）或 Unix 秒/毫秒")
		}
		if r.Value == nil {
			f.Add(key+"value", "缺少读数")
		} else if math.IsNaN(*r.Value) || math.IsInf(*r.Value, 0) || math.Abs(*r.Value) > 1e15 {
			f.Add(key+"value", "读数应为有限的数")
		} else {
			out[i].Value = *r.Value
		}
		out[i].MeterID, out[i].TS = r.MeterID, ts
	}
	if err := f.Err(); err != nil {
		e := errs.As(err)
		e.Message = "读数有误，整批未写入"
		return nil, e
	}
	return out, nil
}

func asType(err error, t **json.UnmarshalTypeError) bool {
	e, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*t = e
	}
	return ok
}

// ParseInstant reads an instant: an RFC 3339 string with an offset, or a Unix time in seconds (or milliseconds
// when above 10^11, as ThingsBoard sends). Fractions of a second are dropped.
func ParseInstant(raw json.RawMessage) (int64, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, false
	}
	if raw[0] == '"' {
		var s string
		if len(raw) >= 2 && raw[len(raw)-1] == '"' && bytes.IndexByte(raw[1:len(raw)-1], '\\') < 0 && bytes.IndexByte(raw[1:len(raw)-1], '"') < 0 {
			s = string(raw[1 : len(raw)-1])
		} else if err := json.Unmarshal(raw, &s); err != nil {
			return 0, false
		}
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
		if err != nil {
			return 0, false
		}
		return t.Unix(), true
	}
	n, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) || n < 0 || n > 1e16 {
		return 0, false
	}
	if n > 1e11 {
		n /= 1000
	}
	return int64(n), true
}

// IngestResult is the answer of POST /api/v1/energy/readings.
type IngestResult struct {
	Received   int `json:"received"`
	Inserted   int `json:"inserted"`
	Duplicates int `json:"duplicates" doc:"同一计量表同一时刻已有读数（不重复写入）"`
}

type meterRef struct {
	ID, OrgID int64
	Path      string
	Status    string
	Role      string
}

// IngestReadings checks that every meter exists, is active and lies in scope (404 naming the elements otherwise)
// and that every instant is plausible, then hands the batch to the writer and returns once it is durable.
func (s *Service) IngestReadings(ctx context.Context, sc auth.Scope, rs []Reading, source string) (IngestResult, error) {
	now := s.Clock.Now()
	ids := map[int64]bool{}
	f := errs.Fields{}
	for i, r := range rs {
		ids[r.MeterID] = true
		if !validTS(r.TS, now) && len(f) < maxFieldErrors {
			f.Add("["+strconv.Itoa(i)+"].ts", "时间应在 2000 年之后、且不晚于当前时间一天")
		}
	}
	if err := f.Err(); err != nil {
		e := errs.As(err)
		e.Message = "读数有误，整批未写入"
		return IngestResult{}, e
	}
	meters, err := loadMeterRefs(ctx, s.DB, ids)
	if err != nil {
		return IngestResult{}, err
	}
	var org int64 = -1
	notFound := errs.Fields{}
	for i, r := range rs {
		m, ok := meters[r.MeterID]
		key := "[" + strconv.Itoa(i) + "].meter_id"
		switch {
		case !ok || !sc.ContainsPath(m.OrgID, m.Path):
			if len(notFound) < maxFieldErrors {
				notFound.Add(key, "计量表 "+strconv.FormatInt(r.MeterID, 10)+" 不存在或不在您的数据范围内")
			}
		case m.Status != "active":
			if len(f) < maxFieldErrors {
				f.Add(key, "计量表 "+strconv.FormatInt(r.MeterID, 10)+" 已停用")
			}
		case m.Role == RoleVirtual:
			if len(f) < maxFieldErrors {
				f.Add(key, "计量表 "+strconv.FormatInt(r.MeterID, 10)+" 是虚拟表，由其公式中的计量表计算，不接收读数")
			}
		}
		if ok {
			if org == -1 {
				org = m.OrgID
			} else if org != m.OrgID {
				org = 0
			}
		}
	}
	if len(notFound) > 0 {
		return IngestResult{}, &errs.Error{Code: errs.CodeNotFound, Message: "计量表不存在或不在您的数据范围内，整批未写入", Fields: notFound}
	}
	if err := f.Err(); err != nil {
		e := errs.As(err)
		e.Message = "读数有误，整批未写入"
		return IngestResult{}, e
	}
	if org < 0 {
		org = 0
	}
	n, err := s.writer().write(ctx, &batch{readings: rs, actor: audit.ActorFrom(ctx), source: source, orgID: org})
	if err != nil {
		return IngestResult{}, err
	}
	return IngestResult{Received: len(rs), Inserted: n, Duplicates: len(rs) - n}, nil
}

func loadMeterRefs(ctx context.Context, q db.Q, ids map[int64]bool) (map[int64]meterRef, error) {
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	out := make(map[int64]meterRef, len(list))
	const chunk = 500
	for start := 0; start < len(list); start += chunk {
		part := list[start:min(start+chunk, len(list))]
		rows, err := db.Select(ctx, q, func(sc db.Scanner) (meterRef, error) {
			var m meterRef
			return m, sc.Scan(&m.ID, &m.OrgID, &m.Path, &m.Status, &m.Role)
		}, "SELECT m.id, m.org_id, o.path, m.status, m.role FROM energy_meters m JOIN orgs o ON o.id = m.org_id WHERE m.id IN ("+db.In(len(part))+")", db.Args(part)...)
		if err != nil {
			return nil, err
		}
		for _, m := range rows {
			out[m.ID] = m
		}
	}
	return out, nil
}
