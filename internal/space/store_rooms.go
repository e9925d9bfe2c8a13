package space

import (
	"context"
	"fmt"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// RoomRecord is a room of the register with its occupants' summary.
type RoomRecord struct {
	ID             int64   `json:"id"`
	BuildingID     int64   `json:"building_id"`
	BuildingName   string  `json:"building_name"`
	Floor          int     `json:"floor"`
	Number         string  `json:"number"`
	UseType        string  `json:"use_type" doc:"office 办公室 · service 服务用房 · equipment 设备用房 · auxiliary 附属用房"`
	Subtype        string  `json:"subtype" doc:"如 meeting_room 会议室、reception 接待室、archive 档案室"`
	ApprovedUse    string  `json:"approved_use" doc:"核定用途；与 use_type 不同即为未经批准改变使用功能"`
	UsableAreaM2   float64 `json:"usable_area_m2"`
	BuildingAreaM2 float64 `json:"building_area_m2"`
	OrgID          int64   `json:"org_id"`
	OrgName        string  `json:"org_name"`
	Capacity       int     `json:"capacity"`
	Status         string  `json:"status" doc:"in_use 在用 · let 出租 · lent 出借 · disposed 已处置"`
	Note           string  `json:"note"`
	SuiteOf        int64   `json:"suite_of,omitempty" doc:"套间：此休息室或卫生间所属办公室的房间 id"`
	SuiteNumber    string  `json:"suite_of_number,omitempty" doc:"所属办公室的房间号"`
	OccupantCount  int64   `json:"occupant_count"`
	OccupantNames  string  `json:"occupant_names"`
	Violations     int64   `json:"open_violations"`
	Voided         bool    `json:"voided,omitempty" doc:"已作废（登记错误）：status 为 disposed，不计入台账和合规检查"`
	VoidReason     string  `json:"void_reason,omitempty" doc:"作废原因"`
	VoidedAt       int64   `json:"-"`
	CreatedAt      int64   `json:"-"`
	UpdatedAt      int64   `json:"-"`
}

// UseName etc. give Chinese names for templates.
func (r RoomRecord) UseName() string { return UseTypes.Name(r.UseType) }

// SubtypeName is the Chinese subtype.
func (r RoomRecord) SubtypeName() string { return SubtypeName(r.Subtype) }

// StatusName is the Chinese status.
func (r RoomRecord) StatusName() string {
	if r.Voided {
		return "已作废"
	}
	return RoomStatuses.Name(r.Status)
}

// FloorLabel names the room's floor.
func (r RoomRecord) FloorLabel() string { return FloorLabel(r.Floor) }

func (r RoomRecord) snapshot() map[string]any {
	return map[string]any{"building_id": r.BuildingID, "floor": r.Floor, "number": r.Number, "use_type": r.UseName(), "subtype": r.SubtypeName(),
		"approved_use": UseTypes.Name(r.ApprovedUse), "usable_area_m2": r.UsableAreaM2, "building_area_m2": r.BuildingAreaM2, "org_id": r.OrgID,
		"capacity": r.Capacity, "status": r.StatusName(), "note": r.Note, "suite_of": r.SuiteNumber}
}

var roomLabels = [][2]string{{"number", "房间号"}, {"floor", "楼层"}, {"use_type", "用途"}, {"subtype", "具体用途"}, {"approved_use", "核定用途"},
	{"usable_area_m2", "使用面积"}, {"building_area_m2", "建筑面积"}, {"org_id", "使用单位"}, {"capacity", "容纳人数"}, {"status", "状态"}, {"note", "备注"}, {"suite_of", "所属办公室（套间）"}}

// maxRoomArea bounds one room's usable area (m²).
const maxRoomArea = 100000

// RoomInput is the body of POST /api/v1/rooms (docs/api.md §Office space) and the room form.
type RoomInput struct {
	BuildingID     int64   `json:"building_id"`
	Floor          int     `json:"floor"`
	Number         string  `json:"number"`
	UseType        string  `json:"use_type"`
	Subtype        string  `json:"subtype,omitempty"`
	UsableAreaM2   float64 `json:"usable_area_m2"`
	OrgID          int64   `json:"org_id"`
	Capacity       int     `json:"capacity,omitempty"`
	BuildingAreaM2 float64 `json:"building_area_m2,omitempty"`
	ApprovedUse    string  `json:"approved_use,omitempty" doc:"省略时为 use_type（新登记的房间以登记用途为核定用途）"`
	Status         string  `json:"status,omitempty"`
	Note           string  `json:"note,omitempty"`
	SuiteOf        int64   `json:"suite_of,omitempty" doc:"套间：休息室（subtype rest_room）或卫生间（toilet）所属办公室的房间 id，同楼栋、同单位"`
	Confirm        bool    `json:"confirm,omitempty" doc:"面积超过通常值（409 的 fields.confirm）时确认，并写明 reason"`
	Reason         string  `json:"reason,omitempty" doc:"确认理由"`
}

// RoomPatch is the body of PATCH /api/v1/rooms/{id}. Changing use_type leaves approved_use as it was (a use changed
// without approval until the bureau approves it); approved_use, org_id and status let/lent need space:manage.
type RoomPatch struct {
	Floor          *int     `json:"floor,omitempty"`
	Number         *string  `json:"number,omitempty"`
	UseType        *string  `json:"use_type,omitempty"`
	Subtype        *string  `json:"subtype,omitempty"`
	UsableAreaM2   *float64 `json:"usable_area_m2,omitempty"`
	OrgID          *int64   `json:"org_id,omitempty"`
	Capacity       *int     `json:"capacity,omitempty"`
	BuildingAreaM2 *float64 `json:"building_area_m2,omitempty"`
	ApprovedUse    *string  `json:"approved_use,omitempty"`
	Status         *string  `json:"status,omitempty"`
	Note           *string  `json:"note,omitempty"`
	SuiteOf        *int64   `json:"suite_of,omitempty" doc:"所属办公室的房间 id；0 取消"`
	Confirm        bool     `json:"confirm,omitempty" doc:"面积超过通常值时确认，并写明 reason"`
	Reason         string   `json:"reason,omitempty" doc:"确认理由"`
}

func (in *RoomInput) check(f errs.Fields) {
	if in.BuildingID <= 0 {
		f.Add("building_id", "请选择楼栋")
	}
	if in.OrgID <= 0 {
		f.Add("org_id", "请选择使用单位")
	}
	if in.Floor < -20 || in.Floor > 200 || in.Floor == 0 {
		f.Add("floor", "楼层应为 1–200（地下层为 -1 至 -20）")
	}
	text(f, "number", &in.Number, 20, true, "房间号")
	checkEnum(f, "use_type", &in.UseType, UseTypes, true, "用途")
	if in.ApprovedUse == "" {
		in.ApprovedUse = in.UseType
	}
	checkEnum(f, "approved_use", &in.ApprovedUse, UseTypes, true, "核定用途")
	text(f, "subtype", &in.Subtype, 40, false, "具体用途")
	area(f, "usable_area_m2", in.UsableAreaM2, true, "使用面积")
	area(f, "building_area_m2", in.BuildingAreaM2, false, "建筑面积")
	// The register keeps areas to 0.01 m² (the precision of a survey), and the bulk scan relies on it.
	in.UsableAreaM2, in.BuildingAreaM2 = round2(in.UsableAreaM2), round2(in.BuildingAreaM2)
	if in.UsableAreaM2 > maxRoomArea && !f.Has("usable_area_m2") {
		f.Add("usable_area_m2", "单个房间使用面积不超过 100000 平方米")
	}
	if !f.Has("usable_area_m2") && !f.Has("building_area_m2") && in.BuildingAreaM2 > 0 && in.BuildingAreaM2 < in.UsableAreaM2 {
		f.Add("building_area_m2", "建筑面积不应小于使用面积")
	}
	if in.Capacity < 0 || in.Capacity > 10000 {
		f.Add("capacity", "容纳人数应为 0–10000")
	}
	if in.Status == "" {
		in.Status = RoomInUse
	}
	checkEnum(f, "status", &in.Status, RoomStatuses[:3], true, "状态")
	text(f, "note", &in.Note, 500, false, "备注")
}

const roomCols = `r.id, r.building_id, b.name, r.floor, r.number, r.use_type, r.subtype, r.approved_use, r.usable_area_m2, r.building_area_m2,
	r.org_id, o.name, r.capacity, r.status, r.note, COALESCE(r.suite_of, 0),
	COALESCE((SELECT s.number FROM space_rooms s WHERE s.id = r.suite_of), ''), r.created_at, r.updated_at,
	(SELECT COUNT(*) FROM space_occupants x WHERE x.room_id = r.id),
	(SELECT COUNT(*) FROM space_violations v WHERE v.room_id = r.id AND v.status = 'open'), r.voided_at, r.void_reason`

const roomFrom = " FROM space_rooms r JOIN buildings b ON b.id = r.building_id JOIN orgs o ON o.id = r.org_id"

func scanRoom(s db.Scanner) (RoomRecord, error) {
	var r RoomRecord
	err := s.Scan(&r.ID, &r.BuildingID, &r.BuildingName, &r.Floor, &r.Number, &r.UseType, &r.Subtype, &r.ApprovedUse, &r.UsableAreaM2, &r.BuildingAreaM2,
		&r.OrgID, &r.OrgName, &r.Capacity, &r.Status, &r.Note, &r.SuiteOf, &r.SuiteNumber, &r.CreatedAt, &r.UpdatedAt, &r.OccupantCount, &r.Violations,
		&r.VoidedAt, &r.VoidReason)
	r.Voided = r.VoidedAt != 0
	return r, err
}

// GetRoom loads a room in scope (404 otherwise).
func GetRoom(ctx context.Context, q db.Q, sc auth.Scope, id int64) (RoomRecord, error) {
	cond, args := sc.OrgCond("r.org_id")
	r, err := scanRoom(q.QueryRow(ctx, "SELECT "+roomCols+roomFrom+" WHERE r.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return r, errs.NotFound("房间")
	}
	if err != nil {
		return r, err
	}
	list := []RoomRecord{r}
	err = fillOccupantNames(ctx, q, list)
	return list[0], err
}

// RoomFilter narrows the room list.
type RoomFilter struct {
	List       web.List
	BuildingID int64
	Floor      int
	HasFloor   bool
	OrgID      int64
	Subtree    bool // include the units below OrgID
	UseType    string
	Status     string
	Vacant     bool // offices without occupants
	Flagged    bool // rooms with open violations
}

func roomWhere(ctx context.Context, q db.Q, sc auth.Scope, f RoomFilter) (string, []any, error) {
	cond, args := sc.OrgCond("r.org_id")
	w := " WHERE " + cond
	if f.BuildingID != 0 {
		w, args = w+" AND r.building_id = ?", append(args, f.BuildingID)
	}
	if f.HasFloor {
		w, args = w+" AND r.floor = ?", append(args, f.Floor)
	}
	if f.OrgID != 0 {
		c, a, err := unitCond(ctx, q, "r.org_id", f.OrgID, f.Subtree)
		if err != nil {
			return "", nil, err
		}
		w, args = w+" AND "+c, append(args, a...)
	}
	if f.UseType != "" {
		w, args = w+" AND r.use_type = ?", append(args, f.UseType)
	}
	if f.Status != "" {
		w, args = w+" AND r.status = ?", append(args, f.Status)
	} else {
		w += " AND r.status <> 'disposed'"
	}
	if f.Vacant {
		w += " AND r.use_type = 'office' AND NOT EXISTS (SELECT 1 FROM space_occupants x WHERE x.room_id = r.id)"
	}
	if f.Flagged {
		w += " AND EXISTS (SELECT 1 FROM space_violations v WHERE v.room_id = r.id AND v.status = 'open')"
	}
	if f.List.Q != "" {
		like := db.LikeContains(f.List.Q)
		w += ` AND (LOWER(r.number) LIKE ? ESCAPE '\' OR LOWER(r.note) LIKE ? ESCAPE '\' OR r.id IN (SELECT x.room_id FROM space_occupants x JOIN people pp ON pp.id = x.person_id WHERE pp.name LIKE ? ESCAPE '\'))`
		args = append(args, like, like, db.LikePrefix(f.List.Q))
	}
	return w, args, nil
}

// unitCond selects rows of one unit, or of its subtree.
func unitCond(ctx context.Context, q db.Q, col string, orgID int64, subtree bool) (string, []any, error) {
	if !subtree {
		return col + " = ?", []any{orgID}, nil
	}
	var path string
	if err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", orgID).Scan(&path); err != nil {
		if db.IsNoRows(err) {
			return "", nil, errs.NotFound("单位")
		}
		return "", nil, err
	}
	return col + " IN (SELECT id FROM orgs WHERE path >= ? AND path < ?)", []any{path, db.PrefixUpper(path)}, nil
}

// ListRooms lists the rooms in scope.
func ListRooms(ctx context.Context, q db.Q, sc auth.Scope, f RoomFilter) ([]RoomRecord, int64, error) {
	w, args, err := roomWhere(ctx, q, sc, f)
	if err != nil {
		return nil, 0, err
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_rooms r"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	order := f.List.OrderBy(map[string]string{"number": "r.number", "area": "r.usable_area_m2", "org": "o.name", "use": "r.use_type", "floor": "r.floor"},
		"b.name, r.floor, r.number, r.id")
	rows, err := db.Select(ctx, q, scanRoom, "SELECT "+roomCols+roomFrom+w+" ORDER BY "+order+" LIMIT ? OFFSET ?", append(args, f.List.PageSize, f.List.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	return rows, total, fillOccupantNames(ctx, q, rows)
}

func fillOccupantNames(ctx context.Context, q db.Q, rooms []RoomRecord) error {
	if len(rooms) == 0 {
		return nil
	}
	idx := map[int64]int{}
	var list []int64
	for i, r := range rooms {
		idx[r.ID] = i
		list = append(list, r.ID)
	}
	for start := 0; start < len(list); start += 500 {
		chunk := list[start:min(start+500, len(list))]
		rows, err := q.Query(ctx, "SELECT x.room_id, p.name FROM space_occupants x JOIN people p ON p.id = x.person_id WHERE x.room_id IN ("+db.In(len(chunk))+
			") ORDER BY x.room_id, x.since, p.id", db.Args(chunk)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return err
			}
			r := &rooms[idx[id]]
			if r.OccupantNames != "" {
				r.OccupantNames += "、"
			}
			r.OccupantNames += name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// CreateRoom registers a room in a building the caller may see, for a unit in scope.
func (s *Service) CreateRoom(ctx context.Context, sc auth.Scope, in RoomInput) (RoomRecord, error) {
	var out RoomRecord
	err := s.DB.Tx(ctx, func(q db.Q) error {
		var err error
		out, err = s.createRoom(ctx, q, sc, in)
		return err
	})
	return out, err
}

func (s *Service) createRoom(ctx context.Context, q db.Q, sc auth.Scope, in RoomInput) (RoomRecord, error) {
	now := s.Clock.Now()
	f := errs.Fields{}
	in.check(f)
	if err := f.Err(); err != nil {
		return RoomRecord{}, err
	}
	if (in.Status == RoomLet || in.Status == RoomLent || in.ApprovedUse != in.UseType) && !canManage(ctx) {
		return RoomRecord{}, errs.Forbidden("只有办公用房管理员可以登记出租出借的房间或与用途不同的核定用途")
	}
	if err := s.checkRoomRefs(ctx, q, sc, in.BuildingID, in.OrgID); err != nil {
		return RoomRecord{}, err
	}
	if err := checkSuite(ctx, q, &in, 0); err != nil {
		return RoomRecord{}, err
	}
	if err := s.plausible(ctx, q, &in, true, true); err != nil {
		return RoomRecord{}, err
	}
	if err := ensureFloor(ctx, q, in.BuildingID, in.Floor); err != nil {
		return RoomRecord{}, err
	}
	id, err := db.InsertID(ctx, q, `INSERT INTO space_rooms (building_id, floor, number, use_type, subtype, approved_use, usable_area_m2, building_area_m2,
		org_id, capacity, status, note, suite_of, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.BuildingID, in.Floor, in.Number, in.UseType, in.Subtype, in.ApprovedUse, in.UsableAreaM2, in.BuildingAreaM2, in.OrgID, in.Capacity, in.Status,
		in.Note, db.NullInt(in.SuiteOf), now.Unix(), now.Unix())
	if db.IsUnique(err) {
		return RoomRecord{}, &errs.Error{Code: errs.CodeConflict, Message: "该楼栋已有房间号 " + in.Number, Fields: map[string]string{"number": "房间号已存在"}}
	}
	if err != nil {
		return RoomRecord{}, err
	}
	if err := s.refresh(ctx, q, []int64{id}, nil, []int64{in.OrgID}); err != nil {
		return RoomRecord{}, err
	}
	out, err := GetRoom(ctx, q, auth.Everything(), id)
	if err != nil {
		return out, err
	}
	msg := fmt.Sprintf("登记房间 %s（%s，%s，使用面积 %s）", out.Number, out.UseName(), out.OrgName, m2(out.UsableAreaM2))
	if in.Confirm {
		msg += "；面积经确认：" + in.Reason
	}
	if err := history.Record(ctx, q, now, objRoom, id, "create", msg); err != nil {
		return out, err
	}
	return out, audit.Record(ctx, q, now, audit.Entry{Action: "space.room.create", ObjectType: objRoom, ObjectID: id, OrgID: out.OrgID, Success: true, After: out.snapshot(),
		Message: in.Reason})
}

// checkSuite validates a room's suite_of: a 休息室 or 卫生间 belongs to an office of the same building and unit
// that is not itself part of a suite (docs/domain/office-space.md §Table 1 · 办公室使用面积).
func checkSuite(ctx context.Context, q db.Q, in *RoomInput, selfID int64) error {
	if in.SuiteOf == 0 {
		return nil
	}
	if in.SuiteOf < 0 || in.SuiteOf == selfID {
		return errs.Invalid("suite_of", "所属办公室无效")
	}
	if in.Subtype != SubRestRoom && in.Subtype != SubToilet {
		return errs.Invalid("subtype", "套间房间的具体用途应为休息室（rest_room）或卫生间（toilet）")
	}
	var building, orgID, parent int64
	var use, status string
	err := q.QueryRow(ctx, "SELECT building_id, org_id, use_type, status, COALESCE(suite_of, 0) FROM space_rooms WHERE id = ?", in.SuiteOf).
		Scan(&building, &orgID, &use, &status, &parent)
	switch {
	case db.IsNoRows(err):
		return errs.Invalid("suite_of", "所属办公室不存在")
	case err != nil:
		return err
	case building != in.BuildingID || orgID != in.OrgID:
		return errs.Invalid("suite_of", "所属办公室应在同一楼栋、属同一使用单位")
	case use != UseOffice || status == RoomDisposed || parent != 0:
		return errs.Invalid("suite_of", "所属房间应为在册的办公室（且本身不是套间房间）")
	}
	if selfID != 0 {
		n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_rooms WHERE suite_of = ?", selfID)
		if err != nil {
			return err
		}
		if n > 0 {
			return errs.Invalid("suite_of", "该房间已是其他房间所属的办公室，不能再设为套间房间")
		}
	}
	return nil
}

func (s *Service) checkRoomRefs(ctx context.Context, q db.Q, sc auth.Scope, buildingID, orgID int64) error {
	b, err := BuildingInfo(ctx, q, sc, buildingID)
	if err != nil {
		return fieldErr(err, "building_id", "楼栋不存在或不在您的数据范围内")
	}
	if b.Status == "disposed" {
		return &errs.Error{Code: errs.CodeConflict, Message: "楼栋已处置，不能登记房间", Fields: map[string]string{"building_id": "楼栋已处置"}}
	}
	return checkOrg(ctx, q, sc, orgID, "org_id")
}

// UpdateRoom changes a room in scope; the compliance of the room and its unit is re-evaluated at once.
func (s *Service) UpdateRoom(ctx context.Context, sc auth.Scope, id int64, p RoomPatch) (RoomRecord, error) {
	return s.updateRoom(ctx, s.DB, sc, id, p)
}

func (s *Service) updateRoom(ctx context.Context, q0 db.Q, sc auth.Scope, id int64, p RoomPatch) (RoomRecord, error) {
	now := s.Clock.Now()
	var out RoomRecord
	err := q0.Tx(ctx, func(q db.Q) error {
		before, err := GetRoom(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if before.Status == RoomDisposed {
			return errs.Conflict("房间已处置，不能修改")
		}
		in := RoomInput{BuildingID: before.BuildingID, Floor: before.Floor, Number: before.Number, UseType: before.UseType, Subtype: before.Subtype,
			UsableAreaM2: before.UsableAreaM2, OrgID: before.OrgID, Capacity: before.Capacity, BuildingAreaM2: before.BuildingAreaM2,
			ApprovedUse: before.ApprovedUse, Status: before.Status, Note: before.Note, SuiteOf: before.SuiteOf}
		for _, c := range []struct {
			dst *string
			v   *string
		}{{&in.Number, p.Number}, {&in.UseType, p.UseType}, {&in.Subtype, p.Subtype}, {&in.ApprovedUse, p.ApprovedUse}, {&in.Status, p.Status}, {&in.Note, p.Note}} {
			if c.v != nil {
				*c.dst = *c.v
			}
		}
		if p.Floor != nil {
			in.Floor = *p.Floor
		}
		if p.UsableAreaM2 != nil {
			in.UsableAreaM2 = *p.UsableAreaM2
		}
		if p.BuildingAreaM2 != nil {
			in.BuildingAreaM2 = *p.BuildingAreaM2
		}
		if p.OrgID != nil {
			in.OrgID = *p.OrgID
		}
		if p.Capacity != nil {
			in.Capacity = *p.Capacity
		}
		if p.SuiteOf != nil {
			in.SuiteOf = *p.SuiteOf
		}
		f := errs.Fields{}
		in.check(f)
		if err := f.Err(); err != nil {
			return err
		}
		if err := checkSuite(ctx, q, &in, id); err != nil {
			return err
		}
		if (in.ApprovedUse != before.ApprovedUse || in.OrgID != before.OrgID || in.Status != before.Status) && !canManage(ctx) {
			return errs.Forbidden("核定用途、使用单位和出租出借状态只能由办公用房管理员调整（调剂须经审批）")
		}
		if in.OrgID != before.OrgID {
			if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
				return err
			}
		}
		in.Confirm, in.Reason = p.Confirm, p.Reason
		if err := s.plausible(ctx, q, &in, in.Floor != before.Floor, in.UsableAreaM2 != before.UsableAreaM2); err != nil {
			return err
		}
		if in.Floor != before.Floor {
			if err := ensureFloor(ctx, q, in.BuildingID, in.Floor); err != nil {
				return err
			}
		}
		_, err = q.Exec(ctx, `UPDATE space_rooms SET floor = ?, number = ?, use_type = ?, subtype = ?, approved_use = ?, usable_area_m2 = ?,
			building_area_m2 = ?, org_id = ?, capacity = ?, status = ?, note = ?, suite_of = ?, updated_at = ? WHERE id = ?`, in.Floor, in.Number, in.UseType,
			in.Subtype, in.ApprovedUse, in.UsableAreaM2, in.BuildingAreaM2, in.OrgID, in.Capacity, in.Status, in.Note, db.NullInt(in.SuiteOf), now.Unix(), id)
		if db.IsUnique(err) {
			return &errs.Error{Code: errs.CodeConflict, Message: "该楼栋已有房间号 " + in.Number, Fields: map[string]string{"number": "房间号已存在"}}
		}
		if err != nil {
			return err
		}
		if err := s.refresh(ctx, q, []int64{id}, nil, ids(before.OrgID, in.OrgID)); err != nil {
			return err
		}
		if out, err = GetRoom(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		bs, as := before.snapshot(), out.snapshot()
		bs["org_id"], as["org_id"] = before.OrgName, out.OrgName
		delete(bs, "building_id")
		if d := history.Diff(roomLabels, bs, as); d != "" {
			if in.Confirm {
				d += "；面积经确认：" + in.Reason
			}
			if err := history.Record(ctx, q, now, objRoom, id, "update", d); err != nil {
				return err
			}
		}
		action := "space.room.update"
		if in.ApprovedUse != before.ApprovedUse && in.ApprovedUse == in.UseType {
			action = "space.room.approve_use"
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: action, ObjectType: objRoom, ObjectID: id, OrgID: out.OrgID, Success: true,
			Before: before.snapshot(), After: out.snapshot(), Message: in.Reason})
	})
	return out, err
}

// Occupant is a person assigned to a room, with the standard that applies to them.
type Occupant struct {
	RoomID      int64   `json:"room_id"`
	PersonID    int64   `json:"person_id"`
	Name        string  `json:"name"`
	OrgID       int64   `json:"org_id"`
	OrgName     string  `json:"org_name"`
	Rank        string  `json:"rank"`
	Position    string  `json:"position"`
	Status      string  `json:"status"`
	StatusSince string  `json:"status_since"`
	Since       string  `json:"since" doc:"安排使用日期"`
	AdminLevel  string  `json:"admin_level"`
	RegionCode  string  `json:"region_code"`
	StdM2       float64 `json:"standard_m2" doc:"该人适用的办公室面积标准"`
	HasStd      bool    `json:"has_standard"`
	Number      string  `json:"room_number,omitempty"`
	Building    string  `json:"building_name,omitempty"`
	UseType     string  `json:"use_type,omitempty"`
	AreaM2      float64 `json:"usable_area_m2,omitempty"`
}

// RankName and StatusName give Chinese names for templates.
func (o Occupant) RankName() string { return rankName(o.Rank) }

// StatusName is the Chinese status of the person.
func (o Occupant) StatusName() string {
	return map[string]string{"active": "在职", "retired": "退休", "transferred": "调离"}[o.Status]
}

const occCols = `x.room_id, x.person_id, p.name, p.org_id, o.name, p.rank, p.position, p.status, p.status_since, x.since, ` + unitLevelSQL + `,
	COALESCE(o.region_code, ''), r.number, b.name, r.use_type, r.usable_area_m2`

const occFrom = ` FROM space_occupants x JOIN people p ON p.id = x.person_id JOIN orgs o ON o.id = p.org_id
	JOIN space_rooms r ON r.id = x.room_id JOIN buildings b ON b.id = r.building_id`

func scanOcc(s db.Scanner) (Occupant, error) {
	var o Occupant
	err := s.Scan(&o.RoomID, &o.PersonID, &o.Name, &o.OrgID, &o.OrgName, &o.Rank, &o.Position, &o.Status, &o.StatusSince, &o.Since, &o.AdminLevel,
		&o.RegionCode, &o.Number, &o.Building, &o.UseType, &o.AreaM2)
	return o, err
}

func (s *Service) withStandards(ctx context.Context, q db.Q, list []Occupant) ([]Occupant, error) {
	if len(list) == 0 {
		return list, nil
	}
	st, err := LoadStandards(ctx, q, s.today())
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].StdM2, list[i].HasStd = st.Area(list[i].AdminLevel, list[i].Rank, list[i].RegionCode)
		list[i].AdminLevel = plainLevel(list[i].AdminLevel)
	}
	return list, nil
}

// RoomOccupants lists a room's occupants (the room must be visible).
func (s *Service) RoomOccupants(ctx context.Context, q db.Q, roomID int64) ([]Occupant, error) {
	list, err := db.Select(ctx, q, scanOcc, "SELECT "+occCols+occFrom+" WHERE x.room_id = ? ORDER BY x.since, p.id", roomID)
	if err != nil {
		return nil, err
	}
	return s.withStandards(ctx, q, list)
}

// PersonRooms lists every room a person holds (for the person's offices and the 一人一处 check).
func (s *Service) PersonRooms(ctx context.Context, q db.Q, personID int64) ([]Occupant, error) {
	list, err := db.Select(ctx, q, scanOcc, "SELECT "+occCols+occFrom+" WHERE x.person_id = ? ORDER BY x.since, r.id", personID)
	if err != nil {
		return nil, err
	}
	return s.withStandards(ctx, q, list)
}

// OccupantInput is the body of POST /api/v1/rooms/{id}/occupants.
type OccupantInput struct {
	PersonID int64  `json:"person_id"`
	Since    string `json:"since,omitempty" doc:"安排日期，默认今天"`
	Confirm  bool   `json:"confirm,omitempty" doc:"该人已有办公室或属于其他单位时须确认（409 的 fields.confirm 说明原因），并写明 reason"`
	Reason   string `json:"reason,omitempty" doc:"确认安排的理由（confirm 时必填）"`
	Release  bool   `json:"release_others,omitempty" doc:"迁入并收回原办公室：在同一事务中收回该人的其他办公室（留有使用记录）"`
	bulk     bool   // the import records what is: no confirmation
}

// AddOccupant assigns a person to a room. The person must be visible to the caller; the room must be in use and
// have space (capacity, when registered). A retired or transferred person can be recorded too — the register
// records what is, and the compliance check flags it — and the room's and the person's compliance is re-evaluated
// at once.
func (s *Service) AddOccupant(ctx context.Context, sc auth.Scope, roomID int64, in OccupantInput) (Occupant, error) {
	return s.addOccupant(ctx, s.DB, sc, roomID, in)
}

func (s *Service) addOccupant(ctx context.Context, q0 db.Q, sc auth.Scope, roomID int64, in OccupantInput) (Occupant, error) {
	now := s.Clock.Now()
	var out Occupant
	err := q0.Tx(ctx, func(q db.Q) error {
		room, err := GetRoom(ctx, q, sc, roomID)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		if in.PersonID <= 0 {
			f.Add("person_id", "请选择使用人")
		}
		if in.Since == "" {
			in.Since = s.today()
		}
		date(f, "since", &in.Since, true, "安排日期")
		if !f.Has("since") && in.Since > s.today() {
			f.Add("since", "安排日期不能晚于今天")
		}
		if err := f.Err(); err != nil {
			return err
		}
		if room.Status != RoomInUse {
			return errs.Conflict("房间" + room.StatusName() + "，不能安排使用人")
		}
		person, err := getPersonBrief(ctx, q, sc, in.PersonID)
		if err != nil {
			return err
		}
		if room.Capacity > 0 && room.OccupantCount >= int64(room.Capacity) {
			return errs.Conflict(fmt.Sprintf("房间已满（容纳 %d 人）", room.Capacity))
		}
		var released []Occupant
		if !in.bulk {
			if released, err = s.guardAssign(ctx, q, sc, room, person, &in); err != nil {
				return err
			}
		}
		if _, err := q.Exec(ctx, "INSERT INTO space_occupants (room_id, person_id, since, created_at) VALUES (?, ?, ?, ?)", roomID, in.PersonID, in.Since, now.Unix()); err != nil {
			if db.IsUnique(err) {
				return errs.Conflict(person.Name + "已在该房间")
			}
			return err
		}
		if err := s.refresh(ctx, q, []int64{roomID}, []int64{in.PersonID}, nil); err != nil {
			return err
		}
		list, err := db.Select(ctx, q, scanOcc, "SELECT "+occCols+occFrom+" WHERE x.room_id = ? AND x.person_id = ?", roomID, in.PersonID)
		if err != nil {
			return err
		}
		if list, err = s.withStandards(ctx, q, list); err != nil {
			return err
		}
		out = list[0]
		msg := "安排 " + out.Name + "（" + out.RankName() + "，" + out.OrgName + "）使用，自 " + in.Since
		after := map[string]any{"name": out.Name, "person_id": out.PersonID, "room": room.Number, "since": in.Since}
		if len(released) > 0 {
			msg += "；迁入并收回原办公室 " + roomLabelsOf(released)
			after["released"] = roomLabelsOf(released)
		}
		if in.Confirm {
			msg += "；经确认：" + in.Reason
			after["confirm_reason"] = in.Reason
		}
		if err := history.Record(ctx, q, now, objRoom, roomID, "occupant.add", msg); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.occupant.add", ObjectType: objRoom, ObjectID: roomID, OrgID: room.OrgID, Success: true,
			After: after, Message: in.Reason})
	})
	return out, err
}

// RemoveOccupant ends a person's use of a room (收回, 腾退), keeping the period in the occupancy log.
func (s *Service) RemoveOccupant(ctx context.Context, sc auth.Scope, roomID, personID int64, reason string) error {
	return s.DB.Tx(ctx, func(q db.Q) error { return s.removeOccupant(ctx, q, sc, roomID, personID, reason) })
}

func (s *Service) removeOccupant(ctx context.Context, q db.Q, sc auth.Scope, roomID, personID int64, reason string) error {
	now := s.Clock.Now()
	room, err := GetRoom(ctx, q, sc, roomID)
	if err != nil {
		return err
	}
	f := errs.Fields{}
	text(f, "reason", &reason, 200, false, "原因")
	if err := f.Err(); err != nil {
		return err
	}
	var since, name string
	err = q.QueryRow(ctx, "SELECT x.since, p.name FROM space_occupants x JOIN people p ON p.id = x.person_id WHERE x.room_id = ? AND x.person_id = ?", roomID, personID).Scan(&since, &name)
	if db.IsNoRows(err) {
		return errs.NotFound("使用人")
	}
	if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, "DELETE FROM space_occupants WHERE room_id = ? AND person_id = ?", roomID, personID); err != nil {
		return err
	}
	if _, err := q.Exec(ctx, "INSERT INTO space_occupancy_log (room_id, person_id, since, until, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		roomID, personID, since, s.today(), reason, now.Unix()); err != nil {
		return err
	}
	if err := s.refresh(ctx, q, []int64{roomID}, []int64{personID}, nil); err != nil {
		return err
	}
	msg := "收回 " + name + " 的使用（" + since + " 至 " + s.today() + "）"
	if reason != "" {
		msg += "：" + reason
	}
	if err := history.Record(ctx, q, now, objRoom, roomID, "occupant.remove", msg); err != nil {
		return err
	}
	return audit.Record(ctx, q, now, audit.Entry{Action: "space.occupant.remove", ObjectType: objRoom, ObjectID: roomID, OrgID: room.OrgID, Success: true,
		Before: map[string]any{"name": name, "person_id": personID, "room": room.Number, "since": since}, Message: reason})
}

// personBrief is what the module reads of a person in the caller's scope.
type personBrief struct {
	ID     int64
	OrgID  int64
	Name   string
	Status string
}

func getPersonBrief(ctx context.Context, q db.Q, sc auth.Scope, id int64) (personBrief, error) {
	cond, args := sc.PathCond("p.org_id", "p.org_path")
	var p personBrief
	err := q.QueryRow(ctx, "SELECT p.id, p.org_id, p.name, p.status FROM people p WHERE p.id = ? AND "+cond, append([]any{id}, args...)...).
		Scan(&p.ID, &p.OrgID, &p.Name, &p.Status)
	if db.IsNoRows(err) {
		return p, fieldErr(errs.NotFound(""), "person_id", "人员不存在或不在您的数据范围内")
	}
	return p, err
}

// OccupancyLog is one past period of use of a room.
type OccupancyLog struct {
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	Since    string `json:"since"`
	Until    string `json:"until"`
	Reason   string `json:"reason"`
}

// RoomLog lists a room's past occupants, newest first.
func RoomLog(ctx context.Context, q db.Q, roomID int64) ([]OccupancyLog, error) {
	return db.Select(ctx, q, func(s db.Scanner) (OccupancyLog, error) {
		var l OccupancyLog
		return l, s.Scan(&l.PersonID, &l.Name, &l.Since, &l.Until, &l.Reason)
	}, "SELECT l.person_id, p.name, l.since, l.until, l.reason FROM space_occupancy_log l JOIN people p ON p.id = l.person_id WHERE l.room_id = ? ORDER BY l.id DESC LIMIT 200", roomID)
}
