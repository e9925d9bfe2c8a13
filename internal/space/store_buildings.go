package space

import (
	"context"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// Ownership states of a property (权属状态).
var Ownerships = enum.Of("registered", "已登记", "filed", "权属备案", "unclear", "权属不清")

// Acquisitions are how a property was acquired (取得方式).
var Acquisitions = enum.Of("build", "建设", "purchase", "购置", "allocation", "划拨", "exchange", "置换", "lease", "租用", "other", "其他")

// Structures of buildings.
var Structures = enum.Of("frame", "框架结构", "shear_wall", "剪力墙结构", "brick_concrete", "砖混结构", "steel", "钢结构", "other", "其他")

// Property is a site with its title documents (房产、权属).
type Property struct {
	ID             int64   `json:"id"`
	OrgID          int64   `json:"org_id"`
	OrgName        string  `json:"org_name"`
	Name           string  `json:"name"`
	Address        string  `json:"address"`
	PropertyCertNo string  `json:"property_cert_no" doc:"不动产权证号"`
	LandCertNo     string  `json:"land_cert_no" doc:"土地使用权证号"`
	Holder         string  `json:"holder" doc:"权属登记主体"`
	Ownership      string  `json:"ownership" doc:"registered 已登记 · filed 权属备案 · unclear 权属不清"`
	Acquisition    string  `json:"acquisition" doc:"build 建设 · purchase 购置 · allocation 划拨 · exchange 置换 · lease 租用 · other"`
	AcquiredOn     string  `json:"acquired_on"`
	LandAreaM2     float64 `json:"land_area_m2"`
	AssetCardNo    string  `json:"asset_card_no" doc:"资产卡片号"`
	Note           string  `json:"note"`
	Buildings      int64   `json:"buildings"`
	GrossAreaM2    float64 `json:"gross_area_m2" doc:"其上楼栋建筑面积合计"`
	UpdatedAt      int64   `json:"-"`
}

// OwnershipName etc. give Chinese names for templates.
func (p Property) OwnershipName() string { return Ownerships.Name(p.Ownership) }

// AcquisitionName is the Chinese acquisition.
func (p Property) AcquisitionName() string { return Acquisitions.Name(p.Acquisition) }

// PropertyInput is the body of POST /api/v1/space/properties; PATCH takes the same fields, all optional.
type PropertyInput struct {
	OrgID          int64   `json:"org_id"`
	Name           string  `json:"name"`
	Address        string  `json:"address,omitempty"`
	PropertyCertNo string  `json:"property_cert_no,omitempty"`
	LandCertNo     string  `json:"land_cert_no,omitempty"`
	Holder         string  `json:"holder,omitempty"`
	Ownership      string  `json:"ownership,omitempty"`
	Acquisition    string  `json:"acquisition,omitempty"`
	AcquiredOn     string  `json:"acquired_on,omitempty"`
	LandAreaM2     float64 `json:"land_area_m2,omitempty"`
	AssetCardNo    string  `json:"asset_card_no,omitempty"`
	Note           string  `json:"note,omitempty"`
}

func (in *PropertyInput) check(f errs.Fields) {
	text(f, "name", &in.Name, 100, true, "房产名称")
	text(f, "address", &in.Address, 200, false, "坐落地址")
	text(f, "property_cert_no", &in.PropertyCertNo, 60, false, "不动产权证号")
	text(f, "land_cert_no", &in.LandCertNo, 60, false, "土地使用权证号")
	text(f, "holder", &in.Holder, 100, false, "权属登记主体")
	text(f, "asset_card_no", &in.AssetCardNo, 60, false, "资产卡片号")
	text(f, "note", &in.Note, 500, false, "备注")
	if in.Ownership == "" {
		in.Ownership = "registered"
	}
	checkEnum(f, "ownership", &in.Ownership, Ownerships, true, "权属状态")
	checkEnum(f, "acquisition", &in.Acquisition, Acquisitions, false, "取得方式")
	date(f, "acquired_on", &in.AcquiredOn, false, "取得日期")
	area(f, "land_area_m2", in.LandAreaM2, false, "土地面积")
	if in.Ownership == "registered" && in.PropertyCertNo == "" && !f.Has("property_cert_no") {
		f.Add("property_cert_no", "已登记的房产请填写不动产权证号（无证的选择“权属备案”或“权属不清”）")
	}
}

func (p Property) snapshot() map[string]any {
	return map[string]any{"name": p.Name, "org_id": p.OrgID, "address": p.Address, "property_cert_no": p.PropertyCertNo, "land_cert_no": p.LandCertNo,
		"holder": p.Holder, "ownership": p.OwnershipName(), "acquisition": p.AcquisitionName(), "acquired_on": p.AcquiredOn,
		"land_area_m2": p.LandAreaM2, "asset_card_no": p.AssetCardNo, "note": p.Note}
}

var propertyLabels = [][2]string{{"name", "名称"}, {"org_id", "管理单位"}, {"address", "坐落"}, {"property_cert_no", "不动产权证号"},
	{"land_cert_no", "土地使用权证号"}, {"holder", "权属登记主体"}, {"ownership", "权属状态"}, {"acquisition", "取得方式"},
	{"acquired_on", "取得日期"}, {"land_area_m2", "土地面积"}, {"asset_card_no", "资产卡片号"}, {"note", "备注"}}

const propertyCols = `p.id, p.org_id, o.name, p.name, p.address, p.property_cert_no, p.land_cert_no, p.holder, p.ownership, p.acquisition,
	p.acquired_on, p.land_area_m2, p.asset_card_no, p.note, p.updated_at,
	(SELECT COUNT(*) FROM buildings b WHERE b.property_id = p.id), (SELECT COALESCE(SUM(b.gross_area_m2), 0) FROM buildings b WHERE b.property_id = p.id)`

func scanProperty(s db.Scanner) (Property, error) {
	var p Property
	err := s.Scan(&p.ID, &p.OrgID, &p.OrgName, &p.Name, &p.Address, &p.PropertyCertNo, &p.LandCertNo, &p.Holder, &p.Ownership, &p.Acquisition,
		&p.AcquiredOn, &p.LandAreaM2, &p.AssetCardNo, &p.Note, &p.UpdatedAt, &p.Buildings, &p.GrossAreaM2)
	return p, err
}

// GetProperty loads a property in scope (404 otherwise).
func GetProperty(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Property, error) {
	cond, args := sc.OrgCond("p.org_id")
	p, err := scanProperty(q.QueryRow(ctx, "SELECT "+propertyCols+" FROM space_properties p JOIN orgs o ON o.id = p.org_id WHERE p.id = ? AND "+cond,
		append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return p, errs.NotFound("房产")
	}
	return p, err
}

// ListProperties lists the properties in scope.
func ListProperties(ctx context.Context, q db.Q, sc auth.Scope, l web.List) ([]Property, int64, error) {
	cond, args := sc.OrgCond("p.org_id")
	w := " WHERE " + cond
	if l.Q != "" {
		like := db.LikeContains(l.Q)
		w += ` AND (LOWER(p.name) LIKE ? ESCAPE '\' OR LOWER(p.address) LIKE ? ESCAPE '\' OR LOWER(p.property_cert_no) LIKE ? ESCAPE '\')`
		args = append(args, like, like, like)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_properties p"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	order := l.OrderBy(map[string]string{"name": "p.name", "org": "o.name", "ownership": "p.ownership"}, "p.name, p.id")
	rows, err := db.Select(ctx, q, scanProperty, "SELECT "+propertyCols+" FROM space_properties p JOIN orgs o ON o.id = p.org_id"+w+
		" ORDER BY "+order+" LIMIT ? OFFSET ?", append(args, l.PageSize, l.Offset())...)
	return rows, total, err
}

func (s *Service) canSeeProperty(ctx context.Context, q db.Q, sc auth.Scope, id int64) error {
	_, err := GetProperty(ctx, q, sc, id)
	return err
}

// SaveProperty creates (id 0) or updates a property. Ownership is the bureau's register: space:manage.
func (s *Service) SaveProperty(ctx context.Context, sc auth.Scope, id int64, in PropertyInput) (Property, error) {
	now := s.Clock.Now()
	var out Property
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := needManage(ctx, "维护房产权属"); err != nil {
			return err
		}
		var before Property
		if id != 0 {
			var err error
			if before, err = GetProperty(ctx, q, sc, id); err != nil {
				return err
			}
		}
		f := errs.Fields{}
		in.check(f)
		if err := f.Err(); err != nil {
			return err
		}
		if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
			return err
		}
		args := []any{in.OrgID, in.Name, in.Address, in.PropertyCertNo, in.LandCertNo, in.Holder, in.Ownership, in.Acquisition, in.AcquiredOn,
			in.LandAreaM2, in.AssetCardNo, in.Note, now.Unix()}
		action := "space.property.update"
		if id == 0 {
			action = "space.property.create"
			var err error
			id, err = db.InsertID(ctx, q, `INSERT INTO space_properties (org_id, name, address, property_cert_no, land_cert_no, holder, ownership,
				acquisition, acquired_on, land_area_m2, asset_card_no, note, updated_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				append(args, now.Unix())...)
			if err != nil {
				return err
			}
		} else if _, err := q.Exec(ctx, `UPDATE space_properties SET org_id = ?, name = ?, address = ?, property_cert_no = ?, land_cert_no = ?, holder = ?,
			ownership = ?, acquisition = ?, acquired_on = ?, land_area_m2 = ?, asset_card_no = ?, note = ?, updated_at = ? WHERE id = ?`, append(args, id)...); err != nil {
			return err
		}
		var err error
		if out, err = GetProperty(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		summary := "登记房产“" + out.Name + "”（" + out.OwnershipName() + "）"
		var bs any
		if before.ID != 0 {
			bs = before.snapshot()
			summary = history.Diff(propertyLabels, before.snapshot(), out.snapshot())
		}
		if summary != "" {
			if err := history.Record(ctx, q, now, objProperty, id, strings.TrimPrefix(action, "space.property."), summary); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: action, ObjectType: objProperty, ObjectID: id, OrgID: out.OrgID, Success: true, Before: bs, After: out.snapshot()})
	})
	return out, err
}

// BuildingRecord is a building of the register (楼栋).
type BuildingRecord struct {
	ID              int64   `json:"id"`
	OrgID           int64   `json:"org_id"`
	OrgName         string  `json:"org_name"`
	PropertyID      int64   `json:"property_id,omitempty"`
	PropertyName    string  `json:"property_name,omitempty"`
	Name            string  `json:"name"`
	Address         string  `json:"address"`
	BuiltYear       int     `json:"built_year"`
	Floors          int     `json:"floors" doc:"地上层数"`
	BasementFloors  int     `json:"basement_floors" doc:"地下层数"`
	GrossAreaM2     float64 `json:"gross_area_m2" doc:"建筑面积"`
	Structure       string  `json:"structure"`
	Status          string  `json:"status" doc:"active 在用 · disposed 已处置"`
	Note            string  `json:"note"`
	Rooms           int64   `json:"rooms"`
	UsableAreaM2    float64 `json:"usable_area_m2" doc:"房间使用面积合计"`
	LastMajorRepair string  `json:"last_major_repair" doc:"最近一次大修验收日期"`
	CreatedAt       int64   `json:"-"`
	UpdatedAt       int64   `json:"-"`
}

// Age is the building's age in years in the given year (0 when the year built is unknown).
func (b BuildingRecord) Age(year int) int {
	if b.BuiltYear <= 0 || b.BuiltYear > year {
		return 0
	}
	return year - b.BuiltYear
}

// StructureName etc. give Chinese names for templates.
func (b BuildingRecord) StructureName() string { return Structures.Name(b.Structure) }

// StatusName is the Chinese status.
func (b BuildingRecord) StatusName() string {
	return map[string]string{"active": "在用", "disposed": "已处置"}[b.Status]
}

func (b BuildingRecord) snapshot() map[string]any {
	return map[string]any{"name": b.Name, "org_id": b.OrgID, "property_id": b.PropertyID, "address": b.Address, "built_year": b.BuiltYear,
		"floors": b.Floors, "basement_floors": b.BasementFloors, "gross_area_m2": b.GrossAreaM2, "structure": b.StructureName(), "status": b.Status, "note": b.Note}
}

var buildingLabels = [][2]string{{"name", "名称"}, {"org_id", "管理单位"}, {"property_id", "所属房产"}, {"address", "地址"}, {"built_year", "建成年份"},
	{"floors", "地上层数"}, {"basement_floors", "地下层数"}, {"gross_area_m2", "建筑面积"}, {"structure", "结构"}, {"status", "状态"}, {"note", "备注"}}

// BuildingInput is the body of POST /api/v1/buildings (docs/api.md §Office space) and the building form.
type BuildingInput struct {
	Name           string  `json:"name"`
	OrgID          int64   `json:"org_id"`
	Address        string  `json:"address,omitempty"`
	BuiltYear      int     `json:"built_year,omitempty"`
	Floors         int     `json:"floors,omitempty"`
	GrossAreaM2    float64 `json:"gross_area_m2,omitempty"`
	PropertyID     int64   `json:"property_id,omitempty"`
	BasementFloors int     `json:"basement_floors,omitempty"`
	Structure      string  `json:"structure,omitempty"`
	Note           string  `json:"note,omitempty"`
}

// BuildingPatch is the body of PATCH /api/v1/buildings/{id}: only the fields present change.
type BuildingPatch struct {
	Name           *string  `json:"name,omitempty"`
	OrgID          *int64   `json:"org_id,omitempty"`
	Address        *string  `json:"address,omitempty"`
	BuiltYear      *int     `json:"built_year,omitempty"`
	Floors         *int     `json:"floors,omitempty"`
	GrossAreaM2    *float64 `json:"gross_area_m2,omitempty"`
	PropertyID     *int64   `json:"property_id,omitempty"`
	BasementFloors *int     `json:"basement_floors,omitempty"`
	Structure      *string  `json:"structure,omitempty"`
	Note           *string  `json:"note,omitempty"`
}

func (in *BuildingInput) check(f errs.Fields, year int) {
	text(f, "name", &in.Name, 100, true, "楼栋名称")
	text(f, "address", &in.Address, 200, false, "地址")
	text(f, "note", &in.Note, 500, false, "备注")
	if in.OrgID <= 0 {
		f.Add("org_id", "请选择管理单位")
	}
	if in.BuiltYear != 0 && (in.BuiltYear < 1800 || in.BuiltYear > year) {
		f.Add("built_year", "建成年份应在 1800 至今年之间")
	}
	if in.Floors < 0 || in.Floors > 200 {
		f.Add("floors", "地上层数应为 0–200")
	}
	if in.BasementFloors < 0 || in.BasementFloors > 20 {
		f.Add("basement_floors", "地下层数应为 0–20")
	}
	area(f, "gross_area_m2", in.GrossAreaM2, false, "建筑面积")
	checkEnum(f, "structure", &in.Structure, Structures, false, "结构")
}

const buildingCols = `b.id, b.org_id, o.name, COALESCE(b.property_id, 0), COALESCE(p.name, ''), b.name, b.address, b.built_year, b.floors,
	b.basement_floors, b.gross_area_m2, b.structure, b.status, b.note, b.created_at, b.updated_at,
	(SELECT COUNT(*) FROM space_rooms r WHERE r.building_id = b.id AND r.status <> 'disposed'),
	(SELECT COALESCE(SUM(r.usable_area_m2), 0) FROM space_rooms r WHERE r.building_id = b.id AND r.status <> 'disposed'),
	(SELECT COALESCE(MAX(x.accepted_on), '') FROM space_repairs x WHERE x.building_id = b.id AND x.kind = 'major' AND x.status = 'accepted')`

const buildingFrom = " FROM buildings b JOIN orgs o ON o.id = b.org_id LEFT JOIN space_properties p ON p.id = b.property_id"

func scanBuilding(s db.Scanner) (BuildingRecord, error) {
	var b BuildingRecord
	err := s.Scan(&b.ID, &b.OrgID, &b.OrgName, &b.PropertyID, &b.PropertyName, &b.Name, &b.Address, &b.BuiltYear, &b.Floors, &b.BasementFloors,
		&b.GrossAreaM2, &b.Structure, &b.Status, &b.Note, &b.CreatedAt, &b.UpdatedAt, &b.Rooms, &b.UsableAreaM2, &b.LastMajorRepair)
	return b, err
}

// GetBuilding loads a building in scope (404 otherwise).
func GetBuilding(ctx context.Context, q db.Q, sc auth.Scope, id int64) (BuildingRecord, error) {
	cond, args := sc.OrgCond("b.org_id")
	b, err := scanBuilding(q.QueryRow(ctx, "SELECT "+buildingCols+buildingFrom+" WHERE b.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return b, errs.NotFound("楼栋")
	}
	return b, err
}

// BuildingFilter narrows the building list.
type BuildingFilter struct {
	List       web.List
	OrgID      int64
	PropertyID int64
	Status     string
}

// ListBuildings lists the buildings in scope.
func ListBuildings(ctx context.Context, q db.Q, sc auth.Scope, f BuildingFilter) ([]BuildingRecord, int64, error) {
	cond, args := sc.OrgCond("b.org_id")
	w := " WHERE " + cond
	if f.OrgID != 0 {
		w, args = w+" AND b.org_id = ?", append(args, f.OrgID)
	}
	if f.PropertyID != 0 {
		w, args = w+" AND b.property_id = ?", append(args, f.PropertyID)
	}
	if f.Status != "" {
		w, args = w+" AND b.status = ?", append(args, f.Status)
	}
	if f.List.Q != "" {
		like := db.LikeContains(f.List.Q)
		w += ` AND (LOWER(b.name) LIKE ? ESCAPE '\' OR LOWER(b.address) LIKE ? ESCAPE '\')`
		args = append(args, like, like)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM buildings b"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	order := f.List.OrderBy(map[string]string{"name": "b.name", "org": "o.name", "year": "b.built_year", "area": "b.gross_area_m2"}, "o.name, b.name, b.id")
	rows, err := db.Select(ctx, q, scanBuilding, "SELECT "+buildingCols+buildingFrom+w+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// CreateBuilding registers a building of a unit in scope.
func (s *Service) CreateBuilding(ctx context.Context, sc auth.Scope, in BuildingInput) (BuildingRecord, error) {
	return s.createBuildingTx(ctx, s.DB, sc, in)
}

func (s *Service) createBuildingTx(ctx context.Context, q0 db.Q, sc auth.Scope, in BuildingInput) (BuildingRecord, error) {
	now := s.Clock.Now()
	var out BuildingRecord
	err := q0.Tx(ctx, func(q db.Q) error {
		f := errs.Fields{}
		in.check(f, now.Year())
		if err := f.Err(); err != nil {
			return err
		}
		if err := s.checkBuildingRefs(ctx, q, sc, &in); err != nil {
			return err
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO buildings (org_id, name, address, built_year, floors, gross_area_m2, status, property_id, basement_floors,
			structure, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.OrgID, in.Name, in.Address, in.BuiltYear, in.Floors, in.GrossAreaM2, db.NullInt(in.PropertyID), in.BasementFloors, in.Structure, in.Note,
			now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if out, err = GetBuilding(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objBuilding, id, "create", "登记楼栋“"+out.Name+"”（"+out.OrgName+"）"); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.building.create", ObjectType: objBuilding, ObjectID: id, OrgID: out.OrgID, Success: true, After: out.snapshot()})
	})
	return out, err
}

func (s *Service) checkBuildingRefs(ctx context.Context, q db.Q, sc auth.Scope, in *BuildingInput) error {
	if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
		return err
	}
	if in.PropertyID != 0 {
		if _, err := GetProperty(ctx, q, sc, in.PropertyID); err != nil {
			return fieldErr(err, "property_id", "房产不存在或不在您的数据范围内")
		}
	}
	return nil
}

// UpdateBuilding changes a building in scope. A disposed building is read-only (409).
func (s *Service) UpdateBuilding(ctx context.Context, sc auth.Scope, id int64, p BuildingPatch) (BuildingRecord, error) {
	now := s.Clock.Now()
	var out BuildingRecord
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := GetBuilding(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if before.Status == "disposed" {
			return errs.Conflict("楼栋已处置，不能修改")
		}
		in := BuildingInput{Name: before.Name, OrgID: before.OrgID, Address: before.Address, BuiltYear: before.BuiltYear, Floors: before.Floors,
			GrossAreaM2: before.GrossAreaM2, PropertyID: before.PropertyID, BasementFloors: before.BasementFloors, Structure: before.Structure, Note: before.Note}
		setS := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		setS(&in.Name, p.Name)
		setS(&in.Address, p.Address)
		setS(&in.Structure, p.Structure)
		setS(&in.Note, p.Note)
		if p.OrgID != nil {
			in.OrgID = *p.OrgID
		}
		if p.BuiltYear != nil {
			in.BuiltYear = *p.BuiltYear
		}
		if p.Floors != nil {
			in.Floors = *p.Floors
		}
		if p.BasementFloors != nil {
			in.BasementFloors = *p.BasementFloors
		}
		if p.GrossAreaM2 != nil {
			in.GrossAreaM2 = *p.GrossAreaM2
		}
		if p.PropertyID != nil {
			in.PropertyID = *p.PropertyID
		}
		f := errs.Fields{}
		in.check(f, now.Year())
		if err := f.Err(); err != nil {
			return err
		}
		// Only a reference the change sets must lie in the caller's scope: a unit's building may stand on a property
		// its bureau holds (outside the unit's scope), and the unit still keeps the building's other fields.
		refs := in
		if refs.PropertyID == before.PropertyID {
			refs.PropertyID = 0
		}
		if err := s.checkBuildingRefs(ctx, q, sc, &refs); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `UPDATE buildings SET org_id = ?, name = ?, address = ?, built_year = ?, floors = ?, gross_area_m2 = ?, property_id = ?,
			basement_floors = ?, structure = ?, note = ?, updated_at = ? WHERE id = ?`, in.OrgID, in.Name, in.Address, in.BuiltYear, in.Floors, in.GrossAreaM2,
			db.NullInt(in.PropertyID), in.BasementFloors, in.Structure, in.Note, now.Unix(), id); err != nil {
			return err
		}
		if out, err = GetBuilding(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		bs, as := before.snapshot(), out.snapshot()
		bs["org_id"], as["org_id"] = before.OrgName, out.OrgName
		bs["property_id"], as["property_id"] = before.PropertyName, out.PropertyName
		if d := history.Diff(buildingLabels, bs, as); d != "" {
			if err := history.Record(ctx, q, now, objBuilding, id, "update", d); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.building.update", ObjectType: objBuilding, ObjectID: id, OrgID: out.OrgID, Success: true,
			Before: before.snapshot(), After: out.snapshot()})
	})
	return out, err
}

// Floor is one floor of a building with its rooms' totals.
type Floor struct {
	BuildingID   int64   `json:"building_id"`
	Floor        int     `json:"floor"`
	Name         string  `json:"name"`
	Rooms        int64   `json:"rooms"`
	UsableAreaM2 float64 `json:"usable_area_m2"`
}

// Label is the floor's name, or "N 层" / "地下 N 层".
func (f Floor) Label() string {
	if f.Name != "" {
		return f.Name
	}
	return FloorLabel(f.Floor)
}

// FloorLabel names a floor number: 3 → "3 层", -1 → "地下 1 层".
func FloorLabel(n int) string {
	if n < 0 {
		return "地下 " + strconv.Itoa(-n) + " 层"
	}
	return strconv.Itoa(n) + " 层"
}

// ListFloors lists a building's floors (those holding rooms the caller may see, or named floors), top first.
func ListFloors(ctx context.Context, q db.Q, sc auth.Scope, buildingID int64) ([]Floor, error) {
	cond, args := sc.OrgCond("r.org_id")
	return db.Select(ctx, q, func(s db.Scanner) (Floor, error) {
		var f Floor
		return f, s.Scan(&f.BuildingID, &f.Floor, &f.Name, &f.Rooms, &f.UsableAreaM2)
	}, `SELECT fl.building_id, fl.floor, fl.name,
		(SELECT COUNT(*) FROM space_rooms r WHERE r.building_id = fl.building_id AND r.floor = fl.floor AND r.status <> 'disposed' AND `+cond+`),
		(SELECT COALESCE(SUM(r.usable_area_m2), 0) FROM space_rooms r WHERE r.building_id = fl.building_id AND r.floor = fl.floor AND r.status <> 'disposed' AND `+cond+`)
		FROM space_floors fl WHERE fl.building_id = ? ORDER BY fl.floor DESC`, append(append(args, args...), buildingID)...)
}

// RenameFloor names a floor ("一层大厅", "B1") of a building in scope.
func (s *Service) RenameFloor(ctx context.Context, sc auth.Scope, buildingID int64, floor int, name string) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		b, err := GetBuilding(ctx, q, sc, buildingID)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		text(f, "name", &name, 40, false, "楼层名称")
		if err := f.Err(); err != nil {
			return err
		}
		res, err := q.Exec(ctx, "UPDATE space_floors SET name = ? WHERE building_id = ? AND floor = ?", name, buildingID, floor)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.NotFound("楼层")
		}
		if err := history.Record(ctx, q, now, objBuilding, buildingID, "update", FloorLabel(floor)+"命名为“"+name+"”"); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.building.update", ObjectType: objBuilding, ObjectID: buildingID, OrgID: b.OrgID,
			Success: true, Extra: map[string]any{"floor": floor, "name": name}})
	})
}

// ensureFloor records a floor the first time a room is placed on it.
func ensureFloor(ctx context.Context, q db.Q, buildingID int64, floor int) error {
	n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_floors WHERE building_id = ? AND floor = ?", buildingID, floor)
	if err != nil || n > 0 {
		return err
	}
	_, err = q.Exec(ctx, "INSERT INTO space_floors (building_id, floor, name) VALUES (?, ?, '')", buildingID, floor)
	return err
}
