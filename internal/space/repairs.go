package space

import (
	"context"
	"fmt"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// Repairs (维修): 大修 / 中修 / 日常维修 projects that a unit asks for and the bureau approves (with the budget),
// starts (with the contractor), and accepts (with the final cost). Disposal (处置) takes a building or a room off
// the register once it is empty.

// RepairKinds are the repair classes of 国管局 practice.
var RepairKinds = enum.Of("major", "大修", "medium", "中修", "routine", "日常维修")

// RepairStatuses are the project statuses.
var RepairStatuses = enum.Of("requested", "待审批", "approved", "已批准", "in_progress", "施工中", "accepted", "已验收", "rejected", "已驳回", "cancelled", "已撤销")

// repairMoves is the transition table: action → (from statuses, to status, needs space:manage).
var repairMoves = map[string]struct {
	from   []string
	to     string
	manage bool
}{
	"approve": {[]string{"requested"}, "approved", true},
	"reject":  {[]string{"requested"}, "rejected", true},
	"start":   {[]string{"approved"}, "in_progress", true},
	"accept":  {[]string{"in_progress"}, "accepted", true},
	"cancel":  {[]string{"requested", "approved"}, "cancelled", false},
}

// Repair is a repair project.
type Repair struct {
	ID             int64     `json:"id"`
	BuildingID     int64     `json:"building_id"`
	BuildingName   string    `json:"building_name"`
	RoomID         int64     `json:"room_id,omitempty"`
	RoomNumber     string    `json:"room_number,omitempty"`
	OrgID          int64     `json:"org_id"`
	OrgName        string    `json:"org_name"`
	Kind           string    `json:"kind" doc:"major 大修 · medium 中修 · routine 日常维修"`
	Title          string    `json:"title"`
	Reason         string    `json:"reason"`
	BudgetYuan     float64   `json:"budget_yuan"`
	ApprovedYuan   float64   `json:"approved_yuan"`
	Contractor     string    `json:"contractor"`
	StartedOn      string    `json:"started_on"`
	AcceptedOn     string    `json:"accepted_on"`
	CostYuan       float64   `json:"cost_yuan"`
	AcceptanceNote string    `json:"acceptance_note"`
	Status         string    `json:"status" doc:"requested 待审批 · approved 已批准 · in_progress 施工中 · accepted 已验收 · rejected 已驳回 · cancelled 已撤销"`
	BuiltYear      int       `json:"built_year"`
	CreatedAt      time.Time `json:"created_at"`
}

// KindName etc. give Chinese names for templates.
func (r Repair) KindName() string { return RepairKinds.Name(r.Kind) }

// StatusName is the Chinese status.
func (r Repair) StatusName() string { return RepairStatuses.Name(r.Status) }

const repairCols = `x.id, x.building_id, b.name, COALESCE(x.room_id, 0), COALESCE(r.number, ''), x.org_id, o.name, x.kind, x.title, x.reason, x.budget_fen,
	x.approved_fen, x.contractor, x.started_on, x.accepted_on, x.cost_fen, x.acceptance_note, x.status, b.built_year, x.created_at`
const repairFrom = ` FROM space_repairs x JOIN buildings b ON b.id = x.building_id JOIN orgs o ON o.id = x.org_id LEFT JOIN space_rooms r ON r.id = x.room_id`

func scanRepair(s db.Scanner) (Repair, error) {
	var x Repair
	var budget, approved, cost, created int64
	err := s.Scan(&x.ID, &x.BuildingID, &x.BuildingName, &x.RoomID, &x.RoomNumber, &x.OrgID, &x.OrgName, &x.Kind, &x.Title, &x.Reason, &budget, &approved,
		&x.Contractor, &x.StartedOn, &x.AcceptedOn, &cost, &x.AcceptanceNote, &x.Status, &x.BuiltYear, &created)
	x.BudgetYuan, x.ApprovedYuan, x.CostYuan = float64(budget)/100, float64(approved)/100, float64(cost)/100
	x.CreatedAt = db.FromUnix(created)
	return x, err
}

// GetRepair loads a project in scope.
func GetRepair(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Repair, error) {
	cond, args := sc.OrgCond("x.org_id")
	x, err := scanRepair(q.QueryRow(ctx, "SELECT "+repairCols+repairFrom+" WHERE x.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return x, errs.NotFound("维修项目")
	}
	return x, err
}

func (s *Service) canSeeRepair(ctx context.Context, q db.Q, sc auth.Scope, id int64) error {
	_, err := GetRepair(ctx, q, sc, id)
	return err
}

func (s *Service) canEditRepair(ctx context.Context, q db.Q, sc auth.Scope, id int64) error {
	x, err := GetRepair(ctx, q, sc, id)
	if err != nil {
		return err
	}
	if x.Status == "rejected" || x.Status == "cancelled" {
		return errs.Conflict("维修项目已结束")
	}
	return nil
}

// RepairFilter narrows the project list.
type RepairFilter struct {
	List       web.List
	BuildingID int64
	Kind       string
	Status     string
}

// ListRepairs lists projects in scope.
func ListRepairs(ctx context.Context, q db.Q, sc auth.Scope, f RepairFilter) ([]Repair, int64, error) {
	cond, args := sc.OrgCond("x.org_id")
	w := " WHERE " + cond
	if f.BuildingID != 0 {
		w, args = w+" AND x.building_id = ?", append(args, f.BuildingID)
	}
	if f.Kind != "" {
		w, args = w+" AND x.kind = ?", append(args, f.Kind)
	}
	if f.Status != "" {
		w, args = w+" AND x.status = ?", append(args, f.Status)
	}
	if f.List.Q != "" {
		like := db.LikeContains(f.List.Q)
		w, args = w+` AND (LOWER(x.title) LIKE ? ESCAPE '\' OR LOWER(x.contractor) LIKE ? ESCAPE '\')`, append(args, like, like)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_repairs x"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanRepair, "SELECT "+repairCols+repairFrom+w+" ORDER BY x.id DESC LIMIT ? OFFSET ?", append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// RepairInput is the body of POST /api/v1/space/repairs.
type RepairInput struct {
	BuildingID int64   `json:"building_id"`
	RoomID     int64   `json:"room_id,omitempty"`
	Kind       string  `json:"kind"`
	Title      string  `json:"title"`
	Reason     string  `json:"reason,omitempty"`
	BudgetYuan float64 `json:"budget_yuan,omitempty"`
}

// CreateRepair asks for a repair of a building (or one of its rooms) the caller may see.
func (s *Service) CreateRepair(ctx context.Context, sc auth.Scope, in RepairInput) (Repair, error) {
	now := s.Clock.Now()
	var out Repair
	err := s.DB.Tx(ctx, func(q db.Q) error {
		f := errs.Fields{}
		checkEnum(f, "kind", &in.Kind, RepairKinds, true, "维修类别")
		text(f, "title", &in.Title, 100, true, "项目名称")
		text(f, "reason", &in.Reason, 2000, false, "维修理由")
		budget := yuan(f, "budget_yuan", in.BudgetYuan, "预算")
		if in.BuildingID <= 0 {
			f.Add("building_id", "请选择楼栋")
		}
		if err := f.Err(); err != nil {
			return err
		}
		// A unit may ask for repairs of its own rooms in a building another unit manages.
		var orgID int64
		if in.RoomID != 0 {
			r, err := GetRoom(ctx, q, sc, in.RoomID)
			if err != nil {
				return fieldErr(err, "room_id", "房间不存在或不在您的数据范围内")
			}
			if r.BuildingID != in.BuildingID {
				return errs.Invalid("room_id", "房间不在该楼栋")
			}
			orgID = r.OrgID
		} else {
			b, err := BuildingInfo(ctx, q, sc, in.BuildingID)
			if err != nil {
				return fieldErr(err, "building_id", "楼栋不存在或不在您的数据范围内")
			}
			orgID = b.OrgID
		}
		var status string
		if err := q.QueryRow(ctx, "SELECT status FROM buildings WHERE id = ?", in.BuildingID).Scan(&status); err != nil {
			return err
		}
		if status == "disposed" {
			return errs.Conflict("楼栋已处置")
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO space_repairs (building_id, room_id, org_id, kind, title, reason, budget_fen, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'requested', ?, ?) RETURNING id`, in.BuildingID, db.NullInt(in.RoomID), orgID, in.Kind, in.Title, in.Reason, budget, now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if out, err = GetRepair(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objRepair, id, "create", fmt.Sprintf("申请%s：%s，预算 %.2f 元", out.KindName(), in.Title, in.BudgetYuan)); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objBuilding, in.BuildingID, "repair", "申请"+out.KindName()+"："+in.Title); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.repair.create", ObjectType: objRepair, ObjectID: id, OrgID: orgID, Success: true,
			After: map[string]any{"title": in.Title, "kind": in.Kind, "budget_yuan": in.BudgetYuan, "building_id": in.BuildingID}})
	})
	return out, err
}

// RepairAction is the body of the project actions: approve (approved_yuan, note), reject (note), start
// (contractor, started_on), accept (accepted_on, cost_yuan, note), cancel (note).
type RepairAction struct {
	ApprovedYuan float64 `json:"approved_yuan,omitempty"`
	Contractor   string  `json:"contractor,omitempty"`
	StartedOn    string  `json:"started_on,omitempty"`
	AcceptedOn   string  `json:"accepted_on,omitempty"`
	CostYuan     float64 `json:"cost_yuan,omitempty"`
	Note         string  `json:"note,omitempty"`
}

// ActRepair moves a project along (409 in the wrong state).
func (s *Service) ActRepair(ctx context.Context, sc auth.Scope, id int64, action string, in RepairAction) (Repair, error) {
	move, ok := repairMoves[action]
	if !ok {
		return Repair{}, errs.NotFound("操作")
	}
	now := s.Clock.Now()
	var out Repair
	err := s.DB.Tx(ctx, func(q db.Q) error {
		x, err := GetRepair(ctx, q, sc, id)
		if err != nil {
			return err
		}
		if move.manage {
			if err := needManage(ctx, "审批、开工和验收维修项目"); err != nil {
				return err
			}
		}
		f := errs.Fields{}
		text(f, "note", &in.Note, 1000, action == "reject", "意见")
		set, args := "status = ?, updated_at = ?", []any{move.to, now.Unix()}
		summary := repairVerbs.Name(action)
		switch action {
		case "approve":
			fen := yuan(f, "approved_yuan", in.ApprovedYuan, "批准金额")
			if fen == 0 && !f.Has("approved_yuan") {
				fen = int64(x.BudgetYuan*100 + 0.5)
			}
			set, args = set+", approved_fen = ?", append(args, fen)
			summary += fmt.Sprintf("，批准金额 %.2f 元", float64(fen)/100)
		case "start":
			text(f, "contractor", &in.Contractor, 100, true, "施工单位")
			if in.StartedOn == "" {
				in.StartedOn = s.today()
			}
			date(f, "started_on", &in.StartedOn, true, "开工日期")
			set, args = set+", contractor = ?, started_on = ?", append(args, in.Contractor, in.StartedOn)
			summary += "，施工单位 " + in.Contractor + "，" + in.StartedOn + " 开工"
		case "accept":
			if in.AcceptedOn == "" {
				in.AcceptedOn = s.today()
			}
			date(f, "accepted_on", &in.AcceptedOn, true, "验收日期")
			if !f.Has("accepted_on") && in.AcceptedOn < x.StartedOn {
				f.Add("accepted_on", "验收日期不能早于开工日期")
			}
			cost := yuan(f, "cost_yuan", in.CostYuan, "实际费用")
			set, args = set+", accepted_on = ?, cost_fen = ?, acceptance_note = ?", append(args, in.AcceptedOn, cost, in.Note)
			summary += fmt.Sprintf("，%s 验收，实际费用 %.2f 元", in.AcceptedOn, in.CostYuan)
		}
		if err := f.Err(); err != nil {
			return err
		}
		okFrom := false
		for _, st := range move.from {
			okFrom = okFrom || x.Status == st
		}
		if !okFrom {
			return errs.Conflict("维修项目当前为“" + x.StatusName() + "”，不能" + repairVerbs.Name(action))
		}
		res, err := q.Exec(ctx, "UPDATE space_repairs SET "+set+" WHERE id = ? AND status = ?", append(args, id, x.Status)...)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("维修项目已被他人处理，请刷新后重试")
		}
		if in.Note != "" && action != "accept" {
			summary += "：" + in.Note
		}
		if err := history.Record(ctx, q, now, objRepair, id, action, summary); err != nil {
			return err
		}
		if action == "accept" {
			if err := history.Record(ctx, q, now, objBuilding, x.BuildingID, "repair", x.KindName()+"“"+x.Title+"”验收"); err != nil {
				return err
			}
		}
		if out, err = GetRepair(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.repair." + action, ObjectType: objRepair, ObjectID: id, OrgID: x.OrgID, Success: true,
			Before: map[string]any{"status": x.Status}, After: map[string]any{"status": out.Status, "title": x.Title, "cost_yuan": out.CostYuan, "approved_yuan": out.ApprovedYuan}})
	})
	return out, err
}

var repairVerbs = enum.Of("approve", "批准", "reject", "驳回", "start", "开工", "accept", "验收", "cancel", "撤销")

// DisposalMethods are how office space leaves the register.
var DisposalMethods = enum.Of("transfer", "划转", "auction", "拍卖", "exchange", "置换", "demolish", "拆除", "other", "其他")

// Disposal is a disposal record.
type Disposal struct {
	ID           int64   `json:"id"`
	BuildingID   int64   `json:"building_id"`
	BuildingName string  `json:"building_name"`
	RoomID       int64   `json:"room_id,omitempty"`
	RoomNumber   string  `json:"room_number,omitempty"`
	OrgID        int64   `json:"org_id"`
	OrgName      string  `json:"org_name"`
	Method       string  `json:"method" doc:"transfer 划转 · auction 拍卖 · exchange 置换 · demolish 拆除 · other 其他"`
	Reason       string  `json:"reason"`
	ApprovalDoc  string  `json:"approval_doc"`
	DisposedOn   string  `json:"disposed_on"`
	ProceedsYuan float64 `json:"proceeds_yuan"`
}

// MethodName is the Chinese method.
func (d Disposal) MethodName() string { return DisposalMethods.Name(d.Method) }

const disposalCols = `d.id, d.building_id, b.name, COALESCE(d.room_id, 0), COALESCE(r.number, ''), d.org_id, o.name, d.method, d.reason, d.approval_doc, d.disposed_on, d.proceeds_fen`
const disposalFrom = ` FROM space_disposals d JOIN buildings b ON b.id = d.building_id JOIN orgs o ON o.id = d.org_id LEFT JOIN space_rooms r ON r.id = d.room_id`

func scanDisposal(s db.Scanner) (Disposal, error) {
	var d Disposal
	var fen int64
	err := s.Scan(&d.ID, &d.BuildingID, &d.BuildingName, &d.RoomID, &d.RoomNumber, &d.OrgID, &d.OrgName, &d.Method, &d.Reason, &d.ApprovalDoc, &d.DisposedOn, &fen)
	d.ProceedsYuan = float64(fen) / 100
	return d, err
}

// ListDisposals lists disposal records in scope.
func ListDisposals(ctx context.Context, q db.Q, sc auth.Scope, l web.List) ([]Disposal, int64, error) {
	cond, args := sc.OrgCond("d.org_id")
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_disposals d WHERE "+cond, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanDisposal, "SELECT "+disposalCols+disposalFrom+" WHERE "+cond+" ORDER BY d.id DESC LIMIT ? OFFSET ?", append(args, l.PageSize, l.Offset())...)
	return rows, total, err
}

// DisposalInput is the body of POST /api/v1/space/disposals.
type DisposalInput struct {
	BuildingID   int64   `json:"building_id"`
	RoomID       int64   `json:"room_id,omitempty" doc:"省略：处置整栋楼"`
	Method       string  `json:"method"`
	Reason       string  `json:"reason"`
	ApprovalDoc  string  `json:"approval_doc,omitempty"`
	DisposedOn   string  `json:"disposed_on,omitempty"`
	ProceedsYuan float64 `json:"proceeds_yuan,omitempty"`
}

// CreateDisposal disposes of an empty building or room (space:manage); the rooms leave the register and every
// violation on them is resolved.
func (s *Service) CreateDisposal(ctx context.Context, sc auth.Scope, in DisposalInput) (Disposal, error) {
	now := s.Clock.Now()
	var out Disposal
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := needManage(ctx, "处置办公用房"); err != nil {
			return err
		}
		f := errs.Fields{}
		checkEnum(f, "method", &in.Method, DisposalMethods, true, "处置方式")
		text(f, "reason", &in.Reason, 1000, true, "处置理由")
		text(f, "approval_doc", &in.ApprovalDoc, 100, false, "批准文件")
		if in.DisposedOn == "" {
			in.DisposedOn = s.today()
		}
		date(f, "disposed_on", &in.DisposedOn, true, "处置日期")
		proceeds := yuan(f, "proceeds_yuan", in.ProceedsYuan, "处置收入")
		if err := f.Err(); err != nil {
			return err
		}
		b, err := GetBuilding(ctx, q, sc, in.BuildingID)
		if err != nil {
			return fieldErr(err, "building_id", "楼栋不存在或不在您的数据范围内")
		}
		if b.Status == "disposed" {
			return errs.Conflict("楼栋已处置")
		}
		orgID := b.OrgID
		roomCond, roomArgs := "building_id = ?", []any{in.BuildingID}
		if in.RoomID != 0 {
			r, err := GetRoom(ctx, q, sc, in.RoomID)
			if err != nil || r.BuildingID != in.BuildingID {
				return fieldErr(errs.NotFound(""), "room_id", "房间不存在或不在该楼栋")
			}
			if r.Status == RoomDisposed {
				return errs.Conflict("房间已处置")
			}
			orgID, roomCond, roomArgs = r.OrgID, "id = ?", []any{in.RoomID}
		}
		n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_occupants x JOIN space_rooms r ON r.id = x.room_id WHERE r."+roomCond, roomArgs...)
		if err != nil {
			return err
		}
		if n > 0 {
			return errs.Conflict(fmt.Sprintf("还有 %d 名使用人未腾退，不能处置", n))
		}
		rooms, err := db.Int64s(ctx, q, "SELECT id FROM space_rooms WHERE "+roomCond+" AND status <> 'disposed'", roomArgs...)
		if err != nil {
			return err
		}
		units, err := db.Int64s(ctx, q, "SELECT DISTINCT org_id FROM space_rooms WHERE "+roomCond, roomArgs...)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "UPDATE space_rooms SET status = 'disposed', updated_at = ? WHERE "+roomCond, append([]any{now.Unix()}, roomArgs...)...); err != nil {
			return err
		}
		if in.RoomID == 0 {
			if _, err := q.Exec(ctx, "UPDATE buildings SET status = 'disposed', updated_at = ? WHERE id = ?", now.Unix(), in.BuildingID); err != nil {
				return err
			}
		}
		if err := s.refresh(ctx, q, rooms, nil, units); err != nil {
			return err
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO space_disposals (building_id, room_id, org_id, method, reason, approval_doc, disposed_on, proceeds_fen, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.BuildingID, db.NullInt(in.RoomID), orgID, in.Method, in.Reason, in.ApprovalDoc, in.DisposedOn, proceeds, now.Unix())
		if err != nil {
			return err
		}
		if out, err = scanDisposal(q.QueryRow(ctx, "SELECT "+disposalCols+disposalFrom+" WHERE d.id = ?", id)); err != nil {
			return err
		}
		what := "整栋处置（" + out.MethodName() + "）：" + in.Reason
		if in.RoomID != 0 {
			what = "房间 " + out.RoomNumber + " 处置（" + out.MethodName() + "）：" + in.Reason
			if err := history.Record(ctx, q, now, objRoom, in.RoomID, "dispose", what); err != nil {
				return err
			}
		}
		if err := history.Record(ctx, q, now, objBuilding, in.BuildingID, "dispose", what); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.disposal.create", ObjectType: objDisposal, ObjectID: id, OrgID: orgID, Success: true,
			After: map[string]any{"building_id": in.BuildingID, "room_id": in.RoomID, "method": in.Method, "reason": in.Reason, "rooms": len(rooms)}})
	})
	return out, err
}
