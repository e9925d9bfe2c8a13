package pv

import (
	"context"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// Grid connection modes.
const (
	ModeSelfUse    = "self_use"    // 自发自用、余电上网
	ModeFullExport = "full_export" // 全额上网
)

// Modes and Statuses are the codes with their Chinese names.
var (
	Modes    = []web.Option{{Value: ModeSelfUse, Label: "自发自用、余电上网"}, {Value: ModeFullExport, Label: "全额上网"}}
	Statuses = []web.Option{{Value: "planned", Label: "规划建设中"}, {Value: "operating", Label: "运行"}, {Value: "stopped", Label: "停运检修"}, {Value: "retired", Label: "已拆除"}}
)

func optName(opts []web.Option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

// ModeName is the Chinese name of a grid mode.
func ModeName(v string) string { return optName(Modes, v) }

// StatusName is the Chinese name of a system status.
func StatusName(v string) string { return optName(Statuses, v) }

// System is a rooftop PV system.
type System struct {
	ID              int64   `json:"id"`
	OrgID           int64   `json:"org_id"`
	BuildingID      int64   `json:"building_id"`
	Name            string  `json:"name"`
	CapacityKWp     float64 `json:"capacity_kwp"`
	Commissioned    string  `json:"commissioning_date" doc:"并网投运日期 YYYY-MM-DD"`
	Inverter        string  `json:"inverter,omitempty" doc:"逆变器/组件型号"`
	RoofAreaM2      float64 `json:"roof_area_m2" doc:"占用屋顶面积"`
	GridMode        string  `json:"grid_mode" doc:"self_use 自发自用余电上网 · full_export 全额上网"`
	GenMeterID      int64   `json:"generation_meter_id,omitempty" doc:"发电量计量表（品种 pv_generation）"`
	ExportMeterID   int64   `json:"export_meter_id,omitempty" doc:"上网电量计量表（品种 electricity）"`
	Status          string  `json:"status" doc:"planned 规划建设中 · operating 运行 · stopped 停运检修 · retired 已拆除"`
	Note            string  `json:"note,omitempty"`
	OrgName         string  `json:"org_name"`
	BuildingName    string  `json:"building_name"`
	GenMeterName    string  `json:"generation_meter_name,omitempty"`
	ExportMeterName string  `json:"export_meter_name,omitempty"`
	OrgPath         string  `json:"-"`
	RegionCode      string  `json:"-"`
	CreatedAt       int64   `json:"-"`
	UpdatedAt       int64   `json:"-"`
}

func (s System) snapshot() map[string]any {
	return map[string]any{"name": s.Name, "building_id": s.BuildingID, "org_id": s.OrgID, "capacity_kwp": s.CapacityKWp, "commissioning_date": s.Commissioned,
		"inverter": s.Inverter, "roof_area_m2": s.RoofAreaM2, "grid_mode": s.GridMode, "generation_meter_id": s.GenMeterID,
		"export_meter_id": s.ExportMeterID, "status": s.Status, "note": s.Note}
}

var diffLabels = [][2]string{{"name", "名称"}, {"building_id", "楼栋"}, {"org_id", "单位"}, {"capacity_kwp", "装机容量 kWp"}, {"commissioning_date", "投运日期"},
	{"inverter", "型号"}, {"roof_area_m2", "屋顶面积"}, {"grid_mode", "并网方式"}, {"generation_meter_id", "发电量表"}, {"export_meter_id", "上网电量表"},
	{"status", "状态"}, {"note", "备注"}}

// Input is the body of POST/PUT /api/v1/energy/pv/systems.
type Input struct {
	OrgID         int64    `json:"org_id,omitempty" doc:"产权单位；缺省为楼栋所属单位"`
	BuildingID    int64    `json:"building_id"`
	Name          string   `json:"name"`
	CapacityKWp   *float64 `json:"capacity_kwp"`
	Commissioned  string   `json:"commissioning_date"`
	Inverter      string   `json:"inverter,omitempty"`
	RoofAreaM2    float64  `json:"roof_area_m2,omitempty"`
	GridMode      string   `json:"grid_mode"`
	GenMeterID    int64    `json:"generation_meter_id,omitempty"`
	ExportMeterID int64    `json:"export_meter_id,omitempty"`
	Status        string   `json:"status,omitempty" doc:"默认 operating"`
	Note          string   `json:"note,omitempty"`
}

// check validates what needs no database.
func (in Input) check(f errs.Fields) System {
	s := System{OrgID: in.OrgID, BuildingID: in.BuildingID, Name: strings.TrimSpace(in.Name), Commissioned: strings.TrimSpace(in.Commissioned),
		Inverter: strings.TrimSpace(in.Inverter), RoofAreaM2: in.RoofAreaM2, GridMode: in.GridMode, GenMeterID: in.GenMeterID,
		ExportMeterID: in.ExportMeterID, Status: in.Status, Note: strings.TrimSpace(in.Note)}
	if s.Status == "" {
		s.Status = "operating"
	}
	if s.BuildingID <= 0 {
		f.Add("building_id", "请选择楼栋")
	}
	if s.Name == "" {
		f.Add("name", "请填写系统名称")
	} else if utf8.RuneCountInString(s.Name) > 100 {
		f.Add("name", "名称不超过 100 字")
	}
	switch {
	case in.CapacityKWp == nil:
		f.Add("capacity_kwp", "请填写装机容量")
	case math.IsNaN(*in.CapacityKWp) || *in.CapacityKWp <= 0:
		f.Add("capacity_kwp", "装机容量应大于 0")
	case *in.CapacityKWp > 100000:
		f.Add("capacity_kwp", "装机容量不超过 100000 kWp")
	default:
		s.CapacityKWp = *in.CapacityKWp
	}
	if d, err := time.Parse("2006-01-02", s.Commissioned); err != nil || d.Year() < 2000 {
		f.Add("commissioning_date", "投运日期应为 YYYY-MM-DD，不早于 2000 年")
	}
	if math.IsNaN(s.RoofAreaM2) || s.RoofAreaM2 < 0 || s.RoofAreaM2 > 1e6 {
		f.Add("roof_area_m2", "屋顶面积应为 0–1000000 平方米")
	}
	if optName(Modes, s.GridMode) == s.GridMode {
		f.Add("grid_mode", "并网方式应为 self_use（自发自用、余电上网）或 full_export（全额上网）")
	}
	if optName(Statuses, s.Status) == s.Status {
		f.Add("status", "状态应为 planned、operating、stopped 或 retired")
	}
	if s.GenMeterID == 0 && s.Status != "planned" {
		f.Add("generation_meter_id", "投运的系统应关联发电量计量表")
	}
	if s.GenMeterID != 0 && s.GenMeterID == s.ExportMeterID {
		f.Add("export_meter_id", "上网电量表不能与发电量表相同")
	}
	if utf8.RuneCountInString(s.Inverter) > 100 {
		f.Add("inverter", "型号不超过 100 字")
	}
	if utf8.RuneCountInString(s.Note) > 500 {
		f.Add("note", "备注不超过 500 字")
	}
	return s
}

// checkRefs checks the building, unit and meters against the scope.
func checkRefs(ctx context.Context, q db.Q, sc auth.Scope, buildings energy.Buildings, s *System, selfID int64, f errs.Fields) error {
	if s.BuildingID > 0 {
		b, err := buildings.Building(ctx, q, sc, s.BuildingID)
		switch {
		case errs.Is(err, errs.CodeNotFound):
			f.Add("building_id", "楼栋不存在或不在您的数据范围内")
		case err != nil:
			return err
		case s.OrgID == 0:
			s.OrgID = b.OrgID
		}
	}
	if s.OrgID > 0 {
		if err := sc.CheckOrg(ctx, q, org.Tree{}, s.OrgID, "org_id"); err != nil {
			if e := errs.As(err); e != nil && e.Fields != nil {
				for k, v := range e.Fields {
					f.Add(k, v)
				}
			} else {
				return err
			}
		}
	}
	meter := func(id int64, field, typ, typName string) error {
		if id == 0 {
			return nil
		}
		m, err := energy.GetMeter(ctx, q, sc, id)
		switch {
		case errs.Is(err, errs.CodeNotFound):
			f.Add(field, "计量表不存在或不在您的数据范围内")
		case err != nil:
			return err
		case m.EnergyType != typ:
			f.Add(field, "应选择品种为“"+typName+"”的计量表")
		default:
			n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM energy_pv_systems WHERE id <> ? AND (gen_meter_id = ? OR export_meter_id = ?)", selfID, id, id)
			if err != nil {
				return err
			}
			if n > 0 {
				f.Add(field, "该计量表已关联其他光伏系统")
			}
		}
		return nil
	}
	if err := meter(s.GenMeterID, "generation_meter_id", "pv_generation", "光伏发电量"); err != nil {
		return err
	}
	return meter(s.ExportMeterID, "export_meter_id", "electricity", "电力")
}

const sysCols = `s.id, s.org_id, s.building_id, s.name, s.capacity_kwp, s.commissioned, s.inverter, s.roof_area_m2, s.grid_mode,
	COALESCE(s.gen_meter_id, 0), COALESCE(s.export_meter_id, 0), s.status, s.note, s.created_at, s.updated_at, o.name, o.path,
	COALESCE(o.region_code, ''), b.name, COALESCE(g.name, ''), COALESCE(x.name, '')`

const sysFrom = ` FROM energy_pv_systems s JOIN orgs o ON o.id = s.org_id JOIN buildings b ON b.id = s.building_id
	LEFT JOIN energy_meters g ON g.id = s.gen_meter_id LEFT JOIN energy_meters x ON x.id = s.export_meter_id`

func scanSystem(sc db.Scanner) (System, error) {
	var s System
	err := sc.Scan(&s.ID, &s.OrgID, &s.BuildingID, &s.Name, &s.CapacityKWp, &s.Commissioned, &s.Inverter, &s.RoofAreaM2, &s.GridMode,
		&s.GenMeterID, &s.ExportMeterID, &s.Status, &s.Note, &s.CreatedAt, &s.UpdatedAt, &s.OrgName, &s.OrgPath, &s.RegionCode,
		&s.BuildingName, &s.GenMeterName, &s.ExportMeterName)
	return s, err
}

// GetSystem loads a system in scope (404 otherwise).
func GetSystem(ctx context.Context, q db.Q, sc auth.Scope, id int64) (System, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	s, err := scanSystem(q.QueryRow(ctx, "SELECT "+sysCols+sysFrom+" WHERE s.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return System{}, errs.NotFound("光伏系统")
	}
	return s, err
}

// Filter narrows the list of systems.
type Filter struct {
	OrgID      int64
	BuildingID int64
	Status     string
	Q          string
}

// ListSystems lists the systems in scope.
func ListSystems(ctx context.Context, q db.Q, sc auth.Scope, f Filter) ([]System, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	where := []string{cond}
	if f.OrgID != 0 {
		where, args = append(where, "s.org_id = ?"), append(args, f.OrgID)
	}
	if f.BuildingID != 0 {
		where, args = append(where, "s.building_id = ?"), append(args, f.BuildingID)
	}
	if f.Status != "" {
		where, args = append(where, "s.status = ?"), append(args, f.Status)
	}
	if f.Q != "" {
		p := db.LikeContains(f.Q)
		where, args = append(where, `(LOWER(s.name) LIKE ? ESCAPE '\' OR o.name LIKE ? ESCAPE '\' OR b.name LIKE ? ESCAPE '\')`), append(args, p, p, p)
	}
	return db.Select(ctx, q, scanSystem, "SELECT "+sysCols+sysFrom+" WHERE "+strings.Join(where, " AND ")+" ORDER BY o.path, s.id", args...)
}

// CreateSystem registers a system.
func (s *Service) CreateSystem(ctx context.Context, sc auth.Scope, in Input) (System, error) {
	return s.save(ctx, sc, 0, in)
}

// UpdateSystem changes a system in scope.
func (s *Service) UpdateSystem(ctx context.Context, sc auth.Scope, id int64, in Input) (System, error) {
	return s.save(ctx, sc, id, in)
}

func (s *Service) save(ctx context.Context, sc auth.Scope, id int64, in Input) (System, error) {
	now := s.Clock.Now()
	var out System
	err := s.DB.Tx(ctx, func(q db.Q) error {
		var before System
		if id != 0 {
			var err error
			if before, err = GetSystem(ctx, q, sc, id); err != nil {
				return err
			}
		}
		f := errs.Fields{}
		sys := in.check(f)
		if err := checkRefs(ctx, q, sc, s.Energy.Buildings, &sys, id, f); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		action := "energy.pv.update"
		if id == 0 {
			action = "energy.pv.create"
			var err error
			id, err = db.InsertID(ctx, q, `INSERT INTO energy_pv_systems (org_id, building_id, name, capacity_kwp, commissioned, inverter, roof_area_m2,
				grid_mode, gen_meter_id, export_meter_id, status, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				sys.OrgID, sys.BuildingID, sys.Name, sys.CapacityKWp, sys.Commissioned, sys.Inverter, sys.RoofAreaM2, sys.GridMode,
				db.NullInt(sys.GenMeterID), db.NullInt(sys.ExportMeterID), sys.Status, sys.Note, now.Unix(), now.Unix())
			if err != nil {
				return err
			}
		} else if _, err := q.Exec(ctx, `UPDATE energy_pv_systems SET org_id = ?, building_id = ?, name = ?, capacity_kwp = ?, commissioned = ?,
			inverter = ?, roof_area_m2 = ?, grid_mode = ?, gen_meter_id = ?, export_meter_id = ?, status = ?, note = ?, updated_at = ? WHERE id = ?`,
			sys.OrgID, sys.BuildingID, sys.Name, sys.CapacityKWp, sys.Commissioned, sys.Inverter, sys.RoofAreaM2, sys.GridMode,
			db.NullInt(sys.GenMeterID), db.NullInt(sys.ExportMeterID), sys.Status, sys.Note, now.Unix(), id); err != nil {
			return err
		}
		if before.ExportMeterID != sys.ExportMeterID {
			// The export meter measures what leaves the site: it must not count as the unit's consumption.
			if err := s.Energy.SetMeterExport(ctx, q, before.ExportMeterID, false); err != nil {
				return err
			}
		}
		if err := s.Energy.SetMeterExport(ctx, q, sys.ExportMeterID, true); err != nil {
			return err
		}
		var err error
		if out, err = GetSystem(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		e := audit.Entry{Action: action, ObjectType: "energy_pv_system", ObjectID: id, OrgID: out.OrgID, Success: true, After: out.snapshot()}
		summary := "登记光伏系统：" + out.Name
		if action == "energy.pv.update" {
			e.Before = before.snapshot()
			summary = history.Diff(diffLabels, before.snapshot(), out.snapshot())
			if summary == "" {
				summary = "保存（无变化）"
			}
		}
		if err := history.Record(ctx, q, now, "energy_pv_system", id, action[len("energy.pv."):], summary); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, e)
	})
	return out, err
}

// ---- Roof assessment and coverage.

// Eligibility is a building's roof assessment (with the building's facts).
type Eligibility struct {
	BuildingID   int64   `json:"building_id"`
	BuildingName string  `json:"building_name"`
	OrgID        int64   `json:"org_id"`
	OrgName      string  `json:"org_name"`
	BuiltYear    int     `json:"built_year"`
	Assessed     bool    `json:"assessed"`
	Eligible     bool    `json:"eligible"`
	RoofAreaM2   float64 `json:"roof_area_m2"`
	NewBuilding  bool    `json:"new_building"`
	Reason       string  `json:"reason,omitempty"`
	Systems      int     `json:"operating_systems"`
	CapacityKWp  float64 `json:"capacity_kwp"`
	PVAreaM2     float64 `json:"pv_area_m2" doc:"运行中光伏组件占用的屋顶面积"`
	UpdatedAt    int64   `json:"-"`
}

// EligibilityInput is the body of PUT /api/v1/energy/pv/eligibility/{building_id}.
type EligibilityInput struct {
	Eligible    *bool   `json:"eligible"`
	RoofAreaM2  float64 `json:"roof_area_m2"`
	NewBuilding *bool   `json:"new_building,omitempty" doc:"缺省按建成年份判断"`
	Reason      string  `json:"reason,omitempty" doc:"不具备条件时必填"`
}

// ListEligibility lists the active buildings in scope with their assessment and operating systems.
func ListEligibility(ctx context.Context, q db.Q, sc auth.Scope, orgID int64) ([]Eligibility, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	w := " WHERE b.status = 'active' AND " + cond
	if orgID != 0 {
		w, args = w+" AND b.org_id = ?", append(args, orgID)
	}
	return db.Select(ctx, q, func(r db.Scanner) (Eligibility, error) {
		var e Eligibility
		var elig, nb *bool
		err := r.Scan(&e.BuildingID, &e.BuildingName, &e.OrgID, &e.OrgName, &e.BuiltYear, &elig, &e.RoofAreaM2, &nb, &e.Reason, &e.UpdatedAt,
			&e.Systems, &e.CapacityKWp, &e.PVAreaM2)
		if elig != nil {
			e.Assessed, e.Eligible = true, *elig
		}
		if nb != nil {
			e.NewBuilding = *nb
		}
		return e, err
	}, `SELECT b.id, b.name, b.org_id, o.name, b.built_year, e.eligible, COALESCE(e.roof_area_m2, 0), e.new_building, COALESCE(e.reason, ''),
		COALESCE(e.updated_at, 0),
		(SELECT COUNT(*) FROM energy_pv_systems s WHERE s.building_id = b.id AND s.status = 'operating'),
		(SELECT COALESCE(SUM(s.capacity_kwp), 0) FROM energy_pv_systems s WHERE s.building_id = b.id AND s.status = 'operating'),
		(SELECT COALESCE(SUM(s.roof_area_m2), 0) FROM energy_pv_systems s WHERE s.building_id = b.id AND s.status = 'operating')
		FROM buildings b JOIN orgs o ON o.id = b.org_id LEFT JOIN energy_pv_eligibility e ON e.building_id = b.id`+w+" ORDER BY o.path, b.id", args...)
}

// SetEligibility records a building's roof assessment.
func (s *Service) SetEligibility(ctx context.Context, sc auth.Scope, buildingID int64, in EligibilityInput) (Eligibility, error) {
	now := s.Clock.Now()
	var out Eligibility
	err := s.DB.Tx(ctx, func(q db.Q) error {
		b, err := s.Energy.Buildings.Building(ctx, q, sc, buildingID)
		if err != nil {
			return err
		}
		t, err := loadTarget(ctx, q, now.Format("2006-01-02"))
		if err != nil {
			return err
		}
		f := errs.Fields{}
		reason := strings.TrimSpace(in.Reason)
		if in.Eligible == nil {
			f.Add("eligible", "请选择是否具备安装光伏条件")
		} else if !*in.Eligible && reason == "" {
			f.Add("reason", "不具备条件时请说明原因")
		}
		if math.IsNaN(in.RoofAreaM2) || in.RoofAreaM2 < 0 || in.RoofAreaM2 > 1e6 {
			f.Add("roof_area_m2", "屋顶面积应为 0–1000000 平方米")
		}
		if utf8.RuneCountInString(reason) > 200 {
			f.Add("reason", "原因不超过 200 字")
		}
		if err := f.Err(); err != nil {
			return err
		}
		nb := b.BuiltYear > t.NewAfter
		if in.NewBuilding != nil {
			nb = *in.NewBuilding
		}
		var before any
		if n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM energy_pv_eligibility WHERE building_id = ?", buildingID); err != nil {
			return err
		} else if n > 0 {
			var e, bnb bool
			var area float64
			var r string
			if err := q.QueryRow(ctx, "SELECT eligible, roof_area_m2, new_building, reason FROM energy_pv_eligibility WHERE building_id = ?", buildingID).
				Scan(&e, &area, &bnb, &r); err != nil {
				return err
			}
			before = map[string]any{"eligible": e, "roof_area_m2": area, "new_building": bnb, "reason": r}
			if _, err := q.Exec(ctx, "DELETE FROM energy_pv_eligibility WHERE building_id = ?", buildingID); err != nil {
				return err
			}
		}
		if _, err := q.Exec(ctx, `INSERT INTO energy_pv_eligibility (building_id, eligible, roof_area_m2, new_building, reason, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, buildingID, *in.Eligible, in.RoofAreaM2, nb, reason, now.Unix(), audit.ActorFrom(ctx).Username); err != nil {
			return err
		}
		after := map[string]any{"eligible": *in.Eligible, "roof_area_m2": in.RoofAreaM2, "new_building": nb, "reason": reason}
		out = Eligibility{BuildingID: b.ID, BuildingName: b.Name, OrgID: b.OrgID, BuiltYear: b.BuiltYear, Assessed: true, Eligible: *in.Eligible,
			RoofAreaM2: in.RoofAreaM2, NewBuilding: nb, Reason: reason, UpdatedAt: now.Unix()}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.pv.eligibility", ObjectType: "energy_pv_eligibility", ObjectID: buildingID,
			OrgID: b.OrgID, Success: true, Before: before, After: after})
	})
	return out, err
}

// Coverage is the roof coverage of eligible buildings (docs/domain/energy.md §Targets): the target is an area
// ratio — roof area with operating PV over installable roof area — and the building count is kept as a second
// figure.
type Coverage struct {
	Eligible    int            `json:"eligible_buildings"`
	WithPV      int            `json:"eligible_with_pv"`
	Ratio       float64        `json:"coverage" doc:"面积覆盖率：已安装光伏的屋顶面积 ÷ 可安装光伏的屋顶面积"`
	Buildings   float64        `json:"building_coverage" doc:"楼栋覆盖率：已安装楼栋 ÷ 具备条件楼栋（第二口径）"`
	RoofAreaM2  float64        `json:"installable_area_m2" doc:"具备条件楼栋的可安装光伏屋顶面积"`
	PVAreaM2    float64        `json:"pv_area_m2" doc:"其中已安装光伏的面积（每栋不超过其可安装面积）"`
	NewEligible int            `json:"new_eligible_buildings"`
	NewWithPV   int            `json:"new_eligible_with_pv"`
	NewRatio    float64        `json:"new_coverage" doc:"新建建筑面积覆盖率（对照目标）"`
	NewBuilds   float64        `json:"new_building_coverage" doc:"新建建筑楼栋覆盖率（第二口径）"`
	NewRoofM2   float64        `json:"new_installable_area_m2"`
	NewPVAreaM2 float64        `json:"new_pv_area_m2"`
	Target      Target         `json:"target"`
	NewMet      bool           `json:"new_target_met" doc:"新建建筑面积覆盖率达到目标"`
	ByUnit      []UnitCoverage `json:"by_unit"`
}

// UnitCoverage is the coverage of one unit's buildings.
type UnitCoverage struct {
	OrgID      int64   `json:"org_id"`
	OrgName    string  `json:"org_name"`
	Eligible   int     `json:"eligible_buildings"`
	WithPV     int     `json:"eligible_with_pv"`
	Ratio      float64 `json:"coverage" doc:"面积覆盖率"`
	Buildings  float64 `json:"building_coverage" doc:"楼栋覆盖率"`
	RoofAreaM2 float64 `json:"installable_area_m2"`
	PVAreaM2   float64 `json:"pv_area_m2"`
}

// ComputeCoverage sums, over eligible buildings, the installable roof area and the roof area with operating PV
// (each building's PV area counted up to its installable area), overall, for new buildings (against the target)
// and by unit, and counts the buildings as the second figure. Buildings not assessed or not eligible do not count.
func ComputeCoverage(rows []Eligibility, t Target) Coverage {
	c := Coverage{Target: t}
	idx := map[int64]int{}
	for _, e := range rows {
		if !e.Assessed || !e.Eligible {
			continue
		}
		has := e.Systems > 0
		area := 0.0
		if has {
			area = math.Min(e.PVAreaM2, e.RoofAreaM2)
		}
		c.Eligible++
		c.RoofAreaM2 += e.RoofAreaM2
		c.PVAreaM2 += area
		i, ok := idx[e.OrgID]
		if !ok {
			i = len(c.ByUnit)
			idx[e.OrgID] = i
			c.ByUnit = append(c.ByUnit, UnitCoverage{OrgID: e.OrgID, OrgName: e.OrgName})
		}
		u := &c.ByUnit[i]
		u.Eligible++
		u.RoofAreaM2 += e.RoofAreaM2
		u.PVAreaM2 += area
		if has {
			c.WithPV++
			u.WithPV++
		}
		if e.NewBuilding {
			c.NewEligible++
			c.NewRoofM2 += e.RoofAreaM2
			c.NewPVAreaM2 += area
			if has {
				c.NewWithPV++
			}
		}
	}
	share := func(a, b float64) float64 {
		if b <= 0 {
			return 0
		}
		return a / b
	}
	c.Ratio, c.Buildings = share(c.PVAreaM2, c.RoofAreaM2), share(float64(c.WithPV), float64(c.Eligible))
	c.NewRatio, c.NewBuilds = share(c.NewPVAreaM2, c.NewRoofM2), share(float64(c.NewWithPV), float64(c.NewEligible))
	c.NewMet = t.Found && c.NewRoofM2 > 0 && c.NewRatio >= t.Coverage
	for i := range c.ByUnit {
		u := &c.ByUnit[i]
		u.Ratio, u.Buildings = share(u.PVAreaM2, u.RoofAreaM2), share(float64(u.WithPV), float64(u.Eligible))
	}
	return c
}
