package energy

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

// Meter is a meter on a building (or on a unit, when the building register does not have it yet).
type Meter struct {
	ID           int64   `json:"id"`
	OrgID        int64   `json:"org_id"`
	BuildingID   int64   `json:"building_id,omitempty"`
	ParentID     int64   `json:"parent_id,omitempty"`
	Code         string  `json:"code,omitempty" doc:"采集器上报的设备或测点名（MQTT 主题段或网关 JSON 的键）"`
	Name         string  `json:"name"`
	EnergyType   string  `json:"energy_type"`
	SubItem      string  `json:"sub_item" doc:"空为总表；分项代码 a 照明插座、a1–a3、b 空调、b1–b2、c 动力、c1–c3、d 特殊、d1–d6"`
	Multiplier   float64 `json:"multiplier" doc:"倍率（互感器变比等）"`
	Cumulative   bool    `json:"cumulative" doc:"true 累计读数（表码），false 区间用量"`
	IntervalS    int64   `json:"interval_s" doc:"预期上报间隔（秒），用于发现断档；0 按近期读数间隔的中位数推断"`
	ValueKey     string  `json:"value_key,omitempty" doc:"MQTT 数据中读数的键；空则取 value 或唯一的数值"`
	Status       string  `json:"status" doc:"active 在用 · retired 停用"`
	Note         string  `json:"note,omitempty"`
	Role         string  `json:"role,omitempty" doc:"空为计量用能；export 上网关口表（不计入用能）；virtual 虚拟表"`
	Terms        []Term  `json:"terms,omitempty" doc:"虚拟表的公式：各计量表及加减"`
	Formula      string  `json:"formula,omitempty" doc:"虚拟表的公式，如 “M-01 - M-02”"`
	LastTS       int64   `json:"-"`
	LastReading  string  `json:"last_reading_at,omitempty" doc:"最近读数时间 RFC 3339"`
	OrgName      string  `json:"org_name,omitempty"`
	OrgPath      string  `json:"-"`
	RegionCode   string  `json:"-"`
	BuildingName string  `json:"building_name,omitempty"`
	ParentName   string  `json:"parent_name,omitempty"`
	OpenIssues   int64   `json:"open_anomalies"`
	CreatedAt    int64   `json:"-"`
	ReadingCount int64   `json:"-"`
}

// Main reports a main meter: no sub-item and no parent meter — the meters whose sum is a unit's consumption
// where it has no statistics entry.
func (m Meter) Main() bool { return m.SubItem == "" && m.ParentID == 0 }

// Virtual reports a meter computed from others (no readings of its own).
func (m Meter) Virtual() bool { return m.Role == RoleVirtual }

// TypeName is the Chinese name of the meter's energy type (for templates).
func (m Meter) TypeName() string { return TypeName(m.EnergyType) }

// SubItemName is the Chinese name of the meter's sub-item ("总表" for a main meter).
func (m Meter) SubItemName() string { return SubItemName(m.SubItem) }

// UnitLabel is the unit of the meter's consumption as people write it ("kWh", "m³").
func (m Meter) UnitLabel() string {
	if t, ok := TypeByCode(m.EnergyType); ok {
		return UnitLabel(t.Unit)
	}
	return ""
}

func (m Meter) snapshot() map[string]any {
	return map[string]any{"org_id": m.OrgID, "building_id": m.BuildingID, "parent_id": m.ParentID, "code": m.Code, "name": m.Name,
		"energy_type": m.EnergyType, "sub_item": m.SubItem, "multiplier": m.Multiplier, "cumulative": m.Cumulative,
		"interval_s": m.IntervalS, "value_key": m.ValueKey, "status": m.Status, "note": m.Note, "formula": m.Formula}
}

// MeterInput is the body of POST /api/v1/energy/meters (docs/api.md §Energy) and PATCH (all fields).
type MeterInput struct {
	OrgID      int64    `json:"org_id"`
	BuildingID int64    `json:"building_id,omitempty"`
	ParentID   int64    `json:"parent_id,omitempty" doc:"上级计量表（分表挂在总表下，用于分项平衡校核）"`
	Code       string   `json:"code,omitempty"`
	Name       string   `json:"name"`
	EnergyType string   `json:"energy_type"`
	SubItem    string   `json:"sub_item,omitempty"`
	Multiplier *float64 `json:"multiplier,omitempty" doc:"默认 1"`
	Cumulative *bool    `json:"cumulative,omitempty" doc:"默认 true"`
	IntervalS  *int64   `json:"interval_s,omitempty" doc:"默认 0：按近期读数间隔的中位数推断（15 分钟表即 900）"`
	ValueKey   string   `json:"value_key,omitempty"`
	Status     string   `json:"status,omitempty"`
	Note       string   `json:"note,omitempty"`
	Formula    string   `json:"formula,omitempty" doc:"虚拟表：本单位计量表的编码或 #编号，以空格隔开的 + − 连接，如 “M-01 - M-02 - M-03”。虚拟表不接收读数、不计入用能，其数据由公式中的表计算；实体表与虚拟表不能互相转换"`
}

var codeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$`)

func (in *MeterInput) check(f errs.Fields) Meter {
	m := Meter{OrgID: in.OrgID, BuildingID: in.BuildingID, ParentID: in.ParentID, Code: strings.TrimSpace(in.Code), Name: strings.TrimSpace(in.Name),
		EnergyType: strings.TrimSpace(in.EnergyType), SubItem: strings.ToLower(strings.TrimSpace(in.SubItem)), Multiplier: 1, Cumulative: true,
		IntervalS: 0, ValueKey: strings.TrimSpace(in.ValueKey), Status: strings.TrimSpace(in.Status), Note: strings.TrimSpace(in.Note)}
	if in.Multiplier != nil {
		m.Multiplier = *in.Multiplier
	}
	if in.Cumulative != nil {
		m.Cumulative = *in.Cumulative
	}
	if in.IntervalS != nil {
		m.IntervalS = *in.IntervalS
	}
	if m.Status == "" {
		m.Status = "active"
	}
	if m.OrgID <= 0 {
		f.Add("org_id", "请选择单位")
	}
	if m.Name == "" {
		f.Add("name", "请填写计量表名称")
	} else if utf8.RuneCountInString(m.Name) > 80 {
		f.Add("name", "名称不超过 80 字")
	}
	if m.Code != "" && !codeRe.MatchString(m.Code) {
		f.Add("code", "编码为 1–80 位字母、数字或 . _ : / -，以字母或数字开头")
	}
	if _, ok := TypeByCode(m.EnergyType); !ok {
		f.Add("energy_type", "能源品种应为 "+typeCodes())
	}
	if m.SubItem != "" {
		if !validSubItem(m.SubItem) {
			f.Add("sub_item", "分项应为空（总表）或 a、a1–a3、b、b1–b2、c、c1–c3、d、d1–d6")
		} else if m.EnergyType != "electricity" {
			f.Add("sub_item", "分项计量只适用于电力")
		}
	}
	if m.Multiplier <= 0 || m.Multiplier > 1e6 || math.IsNaN(m.Multiplier) {
		f.Add("multiplier", "倍率应为大于 0 的数")
	}
	if m.IntervalS < 0 || m.IntervalS > 366*86400 {
		f.Add("interval_s", "上报间隔应为 0（自动推断）至 366 天之间的秒数")
	}
	if utf8.RuneCountInString(m.ValueKey) > 60 {
		f.Add("value_key", "读数键不超过 60 个字符")
	}
	if m.Status != "active" && m.Status != "retired" {
		f.Add("status", "状态应为 active（在用）或 retired（停用）")
	}
	if utf8.RuneCountInString(m.Note) > 200 {
		f.Add("note", "备注不超过 200 字")
	}
	m.Formula = strings.TrimSpace(in.Formula)
	if m.Formula != "" {
		m.Role = RoleVirtual
		if _, err := parseFormula(m.Formula); err != nil {
			f.Add("formula", err.Error())
		}
	}
	return m
}

const meterCols = `m.id, m.org_id, COALESCE(m.building_id, 0), COALESCE(m.parent_id, 0), COALESCE(m.code, ''), m.name, m.energy_type, m.sub_item,
	m.multiplier, m.cumulative, m.interval_s, m.value_key, m.status, m.note, m.role, m.last_ts, m.created_at, o.name, o.path, COALESCE(o.region_code, ''),
	COALESCE(b.name, ''), COALESCE(p.name, ''), (SELECT COUNT(*) FROM energy_anomalies a WHERE a.meter_id = m.id AND a.status = 'open')`

const meterFrom = ` FROM energy_meters m JOIN orgs o ON o.id = m.org_id LEFT JOIN buildings b ON b.id = m.building_id
	LEFT JOIN energy_meters p ON p.id = m.parent_id`

func scanMeter(s db.Scanner) (Meter, error) {
	var m Meter
	err := s.Scan(&m.ID, &m.OrgID, &m.BuildingID, &m.ParentID, &m.Code, &m.Name, &m.EnergyType, &m.SubItem, &m.Multiplier, &m.Cumulative,
		&m.IntervalS, &m.ValueKey, &m.Status, &m.Note, &m.Role, &m.LastTS, &m.CreatedAt, &m.OrgName, &m.OrgPath, &m.RegionCode, &m.BuildingName,
		&m.ParentName, &m.OpenIssues)
	if m.LastTS != 0 {
		m.LastReading = time.Unix(m.LastTS, 0).In(Shanghai).Format(time.RFC3339)
	}
	return m, err
}

// GetMeter loads a meter in scope (404 otherwise).
func GetMeter(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Meter, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	m, err := scanMeter(q.QueryRow(ctx, "SELECT "+meterCols+meterFrom+" WHERE m.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return Meter{}, errs.NotFound("计量表")
	}
	if err == nil && m.Virtual() {
		if m.Terms, err = loadTerms(ctx, q, id); err == nil {
			m.Formula = Formula(m.Terms)
		}
	}
	return m, err
}

// MeterFilter narrows a meter list.
type MeterFilter struct {
	List       web.List
	OrgID      int64
	Subtree    bool
	BuildingID int64
	ParentID   int64
	EnergyType string
	Status     string
}

// ListMeters lists meters in scope.
func ListMeters(ctx context.Context, q db.Q, sc auth.Scope, f MeterFilter) ([]Meter, int64, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	where := []string{cond}
	if f.OrgID != 0 {
		if f.Subtree {
			var p string
			if err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", f.OrgID).Scan(&p); err != nil {
				if db.IsNoRows(err) {
					return nil, 0, errs.NotFound("单位")
				}
				return nil, 0, err
			}
			where, args = append(where, "o.path >= ? AND o.path < ?"), append(args, p, db.PrefixUpper(p))
		} else {
			where, args = append(where, "m.org_id = ?"), append(args, f.OrgID)
		}
	}
	if f.BuildingID != 0 {
		where, args = append(where, "m.building_id = ?"), append(args, f.BuildingID)
	}
	if f.ParentID != 0 {
		where, args = append(where, "m.parent_id = ?"), append(args, f.ParentID)
	}
	if f.EnergyType != "" {
		where, args = append(where, "m.energy_type = ?"), append(args, f.EnergyType)
	}
	if f.Status != "" {
		where, args = append(where, "m.status = ?"), append(args, f.Status)
	}
	if f.List.Q != "" {
		p := db.LikeContains(f.List.Q)
		where, args = append(where, `(LOWER(m.name) LIKE ? ESCAPE '\' OR LOWER(m.code) LIKE ? ESCAPE '\' OR o.name LIKE ? ESCAPE '\')`), append(args, p, p, p)
	}
	w := " WHERE " + strings.Join(where, " AND ")
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+meterFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	order := f.List.OrderBy(map[string]string{"name": "m.name", "org": "o.name", "type": "m.energy_type", "last": "m.last_ts"}, "o.path, m.building_id, m.sub_item, m.id")
	if f.List.PageSize == 0 {
		f.List.PageSize, f.List.Page = 20, 1
	}
	ms, err := db.Select(ctx, q, scanMeter, "SELECT "+meterCols+meterFrom+w+" ORDER BY "+order+" LIMIT ? OFFSET ?", append(args, f.List.PageSize, f.List.Offset())...)
	return ms, total, err
}

func (s *Service) checkMeterRefs(ctx context.Context, q db.Q, sc auth.Scope, m *Meter, selfID int64, f errs.Fields) error {
	if m.OrgID > 0 {
		if err := sc.CheckOrg(ctx, q, org.Tree{}, m.OrgID, "org_id"); err != nil {
			return err
		}
	}
	if m.BuildingID != 0 {
		if _, err := s.Buildings.Building(ctx, q, sc, m.BuildingID); err != nil {
			if errs.Is(err, errs.CodeNotFound) {
				f.Add("building_id", "楼栋不存在或不在您的数据范围内")
			} else {
				return err
			}
		}
	}
	if m.ParentID != 0 {
		p, err := GetMeter(ctx, q, sc, m.ParentID)
		switch {
		case errs.Is(err, errs.CodeNotFound):
			f.Add("parent_id", "上级计量表不存在或不在您的数据范围内")
		case err != nil:
			return err
		case p.EnergyType != m.EnergyType:
			f.Add("parent_id", "上级计量表的能源品种不同")
		case selfID != 0:
			// No cycles: walk up from the new parent.
			for id, n := p.ID, 0; id != 0 && n < 100; n++ {
				if id == selfID {
					f.Add("parent_id", "不能把计量表挂在它自身或其下级表之下")
					break
				}
				var next sql.NullInt64
				if err := q.QueryRow(ctx, "SELECT parent_id FROM energy_meters WHERE id = ?", id).Scan(&next); err != nil {
					return err
				}
				id = next.Int64
			}
		}
	}
	if m.Virtual() && !f.Has("formula") && m.OrgID > 0 {
		refs, _ := parseFormula(m.Formula) // the syntax was checked by check
		ts, err := resolveTerms(ctx, q, *m, selfID, refs, f)
		if err != nil {
			return err
		}
		m.Terms = ts
	}
	if m.Code != "" && !f.Has("code") {
		n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM energy_meters WHERE code = ? AND id <> ?", m.Code, selfID)
		if err != nil {
			return err
		}
		if n > 0 {
			f.Add("code", "该编码已被其他计量表使用")
		}
	}
	return nil
}

// CreateMeter registers a meter.
func (s *Service) CreateMeter(ctx context.Context, sc auth.Scope, in MeterInput) (Meter, error) {
	now := s.Clock.Now()
	var out Meter
	err := s.DB.Tx(ctx, func(q db.Q) error {
		f := errs.Fields{}
		m := in.check(f)
		if err := s.checkMeterRefs(ctx, q, sc, &m, 0, f); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO energy_meters (org_id, building_id, parent_id, code, name, energy_type, sub_item, multiplier, cumulative,
			interval_s, value_key, status, note, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			m.OrgID, db.NullInt(m.BuildingID), db.NullInt(m.ParentID), db.NullStr(m.Code), m.Name, m.EnergyType, m.SubItem, m.Multiplier, m.Cumulative,
			m.IntervalS, m.ValueKey, m.Status, m.Note, m.Role, now.Unix(), now.Unix())
		if err != nil {
			if db.IsUnique(err) {
				return &errs.Error{Code: errs.CodeConflict, Message: "该编码已被其他计量表使用", Fields: map[string]string{"code": "已被使用"}}
			}
			return err
		}
		if m.Virtual() {
			if err := saveTerms(ctx, q, id, m.Terms); err != nil {
				return err
			}
			if err := rollupVirtual(ctx, q, id, 0); err != nil {
				return err
			}
		}
		if out, err = GetMeter(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.meter.create", ObjectType: "energy_meter", ObjectID: id, OrgID: m.OrgID,
			Success: true, After: out.snapshot()})
	})
	return out, err
}

// UpdateMeter changes a meter. A change of multiplier, type, kind of reading, parent or sub-item recomputes its
// roll-ups and the figures of its unit.
func (s *Service) UpdateMeter(ctx context.Context, sc auth.Scope, id int64, in MeterInput) (Meter, error) {
	now := s.Clock.Now()
	var out Meter
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := GetMeter(ctx, q, sc, id)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		m := in.check(f)
		if before.Virtual() != m.Virtual() {
			f.Add("formula", "实体表与虚拟表不能互相转换，请新建计量表")
		}
		if err := s.checkMeterRefs(ctx, q, sc, &m, id, f); err != nil {
			return err
		}
		if !before.Virtual() && (before.OrgID != m.OrgID || before.EnergyType != m.EnergyType) {
			n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM energy_meter_terms WHERE term_id = ?", id)
			if err != nil {
				return err
			}
			if n > 0 {
				f.Add("energy_type", fmt.Sprintf("该表在 %d 个虚拟表的公式中，不能改变单位或能源品种", n))
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `UPDATE energy_meters SET org_id = ?, building_id = ?, parent_id = ?, code = ?, name = ?, energy_type = ?, sub_item = ?,
			multiplier = ?, cumulative = ?, interval_s = ?, value_key = ?, status = ?, note = ?, updated_at = ? WHERE id = ?`,
			m.OrgID, db.NullInt(m.BuildingID), db.NullInt(m.ParentID), db.NullStr(m.Code), m.Name, m.EnergyType, m.SubItem, m.Multiplier, m.Cumulative,
			m.IntervalS, m.ValueKey, m.Status, m.Note, now.Unix(), id); err != nil {
			if db.IsUnique(err) {
				return &errs.Error{Code: errs.CodeConflict, Message: "该编码已被其他计量表使用", Fields: map[string]string{"code": "已被使用"}}
			}
			return err
		}
		if m.Virtual() {
			if err := saveTerms(ctx, q, id, m.Terms); err != nil {
				return err
			}
			if err := rollupVirtual(ctx, q, id, 0); err != nil {
				return err
			}
		}
		if out, err = GetMeter(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if before.Multiplier != out.Multiplier || before.Cumulative != out.Cumulative || before.IntervalS != out.IntervalS {
			if err := markDirty(ctx, q, map[int64]int64{id: 1}); err != nil { // everything from the first reading on
				return err
			}
		}
		if before.OrgID != out.OrgID {
			if _, err := q.Exec(ctx, "UPDATE energy_anomalies SET org_id = ? WHERE meter_id = ?", out.OrgID, id); err != nil {
				return err
			}
		}
		if before.OrgID != out.OrgID || before.EnergyType != out.EnergyType || before.Main() != out.Main() {
			if err := s.recomputeMeterYears(ctx, q, before); err != nil {
				return err
			}
			if err := s.recomputeMeterYears(ctx, q, out); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.meter.update", ObjectType: "energy_meter", ObjectID: id, OrgID: out.OrgID,
			Success: true, Before: before.snapshot(), After: out.snapshot()})
	})
	if err == nil {
		s.kickRollups()
	}
	return out, err
}

// SetMeterExport marks (or unmarks) a meter as a grid-export point (上网关口表, such as a PV system's export meter):
// its readings are kept and charted but never count as the unit's consumption. It runs in the caller's transaction
// and recomputes the unit's figures of every year the meter has data in. Unknown meters are ignored.
func (s *Service) SetMeterExport(ctx context.Context, q db.Q, meterID int64, export bool) error {
	if meterID == 0 {
		return nil
	}
	m, err := GetMeter(ctx, q, auth.Everything(), meterID)
	if errs.Is(err, errs.CodeNotFound) || (err == nil && m.Virtual()) {
		return nil // a virtual meter keeps its role
	} else if err != nil {
		return err
	}
	role := ""
	if export {
		role = RoleExport
	}
	res, err := q.Exec(ctx, "UPDATE energy_meters SET role = ? WHERE id = ? AND role <> ?", role, meterID, role)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return s.recomputeMeterYears(ctx, q, m)
}

// recomputeMeterYears recomputes the unit figures of every year a meter has monthly roll-ups in (held for locked
// years, see recomputeOrHold), in ascending years: one unit's lock, then the years' version rows in order (see
// lockUsage).
func (s *Service) recomputeMeterYears(ctx context.Context, q db.Q, m Meter) error {
	periods, err := db.Strings(ctx, q, "SELECT DISTINCT substr(period, 1, 4) FROM energy_meter_monthly WHERE meter_id = ? ORDER BY 1", m.ID)
	if err != nil {
		return err
	}
	for _, y := range periods {
		if err := s.recomputeOrHold(ctx, q, usageKey{OrgID: m.OrgID, Year: atoi(y), Type: m.EnergyType}); err != nil {
			return err
		}
	}
	return nil
}
