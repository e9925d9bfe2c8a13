package space

import (
	"context"
	"fmt"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// Leases (出租出借, issue 11 item 4): office space may not be let or lent (《机关事务管理条例》 and the 办法,
// docs/domain/office-space.md §Management measures 2017). Where it has been, the bureau records the lease — lessee,
// term, area, rent and the income handed to the treasury as 非税收入 — and the lease stays a finding (lease_active)
// until the space is recovered. Recording a lease marks the room let or lent; recovering it puts the room back in
// use, so the register and the leases agree.

// LeaseKinds are 出租 and 出借.
var LeaseKinds = enum.Of(RoomLet, "出租", RoomLent, "出借")

// LeaseStatuses are the lease states.
var LeaseStatuses = enum.Of("active", "未收回", "recovered", "已收回")

// LeaseRecord is a lease of a room.
type LeaseRecord struct {
	ID           int64   `json:"id"`
	RoomID       int64   `json:"room_id"`
	RoomNumber   string  `json:"room_number"`
	BuildingName string  `json:"building_name"`
	UseType      string  `json:"use_type"`
	OrgID        int64   `json:"org_id"`
	OrgName      string  `json:"org_name"`
	Kind         string  `json:"kind" doc:"let 出租 · lent 出借"`
	Lessee       string  `json:"lessee" doc:"承租（借用）方"`
	StartsOn     string  `json:"starts_on"`
	EndsOn       string  `json:"ends_on" doc:"约定到期日；空为未约定"`
	AreaM2       float64 `json:"area_m2"`
	RentYuan     float64 `json:"rent_yuan" doc:"合同租金总额（元）"`
	HandedYuan   float64 `json:"handed_yuan" doc:"已上缴国库的租金收入（非税收入，元）"`
	Status       string  `json:"status" doc:"active 未收回 · recovered 已收回"`
	RecoveredOn  string  `json:"recovered_on"`
	RecoveryNote string  `json:"recovery_note"`
	Note         string  `json:"note"`
	CreatedAt    int64   `json:"-"`
}

// KindName etc. give Chinese names for templates.
func (l LeaseRecord) KindName() string { return LeaseKinds.Name(l.Kind) }

// StatusName is the Chinese status.
func (l LeaseRecord) StatusName() string { return LeaseStatuses.Name(l.Status) }

// UnhandedYuan is the rent not yet handed to the treasury.
func (l LeaseRecord) UnhandedYuan() float64 {
	if l.HandedYuan >= l.RentYuan {
		return 0
	}
	return round2(l.RentYuan - l.HandedYuan)
}

// Overdue reports whether the agreed term has ended without recovery.
func (l LeaseRecord) Overdue(today string) bool {
	return l.Status == "active" && l.EndsOn != "" && l.EndsOn < today
}

func (l LeaseRecord) snapshot() map[string]any {
	return map[string]any{"room_id": l.RoomID, "kind": l.Kind, "lessee": l.Lessee, "starts_on": l.StartsOn, "ends_on": l.EndsOn, "area_m2": l.AreaM2,
		"rent_yuan": l.RentYuan, "handed_yuan": l.HandedYuan, "status": l.Status, "recovered_on": l.RecoveredOn, "note": l.Note}
}

const leaseCols = `l.id, l.room_id, r.number, b.name, r.use_type, l.org_id, o.name, l.kind, l.lessee, l.starts_on, l.ends_on, l.area_m2, l.rent_fen,
	l.handed_fen, l.status, l.recovered_on, l.recovery_note, l.note, l.created_at`

const leaseFrom = ` FROM space_leases l JOIN space_rooms r ON r.id = l.room_id JOIN buildings b ON b.id = r.building_id JOIN orgs o ON o.id = l.org_id`

func scanLease(s db.Scanner) (LeaseRecord, error) {
	var l LeaseRecord
	var rent, handed int64
	err := s.Scan(&l.ID, &l.RoomID, &l.RoomNumber, &l.BuildingName, &l.UseType, &l.OrgID, &l.OrgName, &l.Kind, &l.Lessee, &l.StartsOn, &l.EndsOn,
		&l.AreaM2, &rent, &handed, &l.Status, &l.RecoveredOn, &l.RecoveryNote, &l.Note, &l.CreatedAt)
	l.RentYuan, l.HandedYuan = float64(rent)/100, float64(handed)/100
	return l, err
}

// GetLease loads a lease in scope (404 otherwise).
func GetLease(ctx context.Context, q db.Q, sc auth.Scope, id int64) (LeaseRecord, error) {
	cond, args := sc.OrgCond("l.org_id")
	l, err := scanLease(q.QueryRow(ctx, "SELECT "+leaseCols+leaseFrom+" WHERE l.id = ? AND "+cond, append([]any{id}, args...)...))
	if db.IsNoRows(err) {
		return l, errs.NotFound("出租出借记录")
	}
	return l, err
}

// LeaseFilter narrows the lease list.
type LeaseFilter struct {
	List   web.List
	OrgID  int64
	Status string
}

// ListLeases lists leases in scope, newest first.
func ListLeases(ctx context.Context, q db.Q, sc auth.Scope, f LeaseFilter) ([]LeaseRecord, int64, error) {
	cond, args := sc.OrgCond("l.org_id")
	w := " WHERE " + cond
	if f.OrgID != 0 {
		uc, ua, err := unitCond(ctx, q, "l.org_id", f.OrgID, true)
		if err != nil {
			return nil, 0, err
		}
		w, args = w+" AND "+uc, append(args, ua...)
	}
	if f.Status != "" {
		w, args = w+" AND l.status = ?", append(args, f.Status)
	}
	if f.List.Q != "" {
		like := db.LikeContains(f.List.Q)
		w, args = w+` AND (l.lessee LIKE ? ESCAPE '\' OR r.number LIKE ? ESCAPE '\')`, append(args, like, like)
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*)"+leaseFrom+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanLease, "SELECT "+leaseCols+leaseFrom+w+" ORDER BY l.status, l.id DESC LIMIT ? OFFSET ?", append(args, f.List.PageSize, f.List.Offset())...)
	return rows, total, err
}

// LeaseInput is the body of POST /api/v1/space/leases and PATCH /api/v1/space/leases/{id} (room_id only on create).
type LeaseInput struct {
	RoomID     int64   `json:"room_id"`
	Kind       string  `json:"kind" doc:"let 出租 · lent 出借"`
	Lessee     string  `json:"lessee"`
	StartsOn   string  `json:"starts_on"`
	EndsOn     string  `json:"ends_on,omitempty"`
	AreaM2     float64 `json:"area_m2,omitempty" doc:"省略时为房间使用面积"`
	RentYuan   float64 `json:"rent_yuan,omitempty"`
	HandedYuan float64 `json:"handed_yuan,omitempty"`
	Note       string  `json:"note,omitempty"`
}

func (in *LeaseInput) check(f errs.Fields, today string) (rent, handed int64) {
	checkEnum(f, "kind", &in.Kind, LeaseKinds, true, "方式")
	text(f, "lessee", &in.Lessee, 100, true, "承租（借用）方")
	date(f, "starts_on", &in.StartsOn, true, "起始日期")
	date(f, "ends_on", &in.EndsOn, false, "到期日期")
	if !f.Has("starts_on") && in.StartsOn > today {
		f.Add("starts_on", "起始日期不能晚于今天（登记已发生的出租出借）")
	}
	if !f.Has("ends_on") && in.EndsOn != "" && in.EndsOn < in.StartsOn {
		f.Add("ends_on", "到期日期不能早于起始日期")
	}
	area(f, "area_m2", in.AreaM2, false, "面积")
	in.AreaM2 = round2(in.AreaM2)
	rent = yuan(f, "rent_yuan", in.RentYuan, "租金")
	handed = yuan(f, "handed_yuan", in.HandedYuan, "已上缴金额")
	if in.Kind == RoomLent && rent > 0 {
		f.Add("rent_yuan", "出借不收租金；收取租金的请选择出租")
	}
	if handed > rent && !f.Has("rent_yuan") && !f.Has("handed_yuan") {
		f.Add("handed_yuan", "已上缴金额不能超过租金")
	}
	text(f, "note", &in.Note, 500, false, "备注")
	return rent, handed
}

// CreateLease records a lease of a room in scope and marks the room let or lent (409 when the room is not in use).
func (s *Service) CreateLease(ctx context.Context, sc auth.Scope, in LeaseInput) (LeaseRecord, error) {
	now := s.Clock.Now()
	today := s.today()
	var out LeaseRecord
	err := s.DB.Tx(ctx, func(q db.Q) error {
		f := errs.Fields{}
		rent, handed := in.check(f, today)
		if in.RoomID <= 0 {
			f.Add("room_id", "请选择房间")
		}
		if err := f.Err(); err != nil {
			return err
		}
		room, err := GetRoom(ctx, q, sc, in.RoomID)
		if err != nil {
			return fieldErr(err, "room_id", "房间不存在或不在您的数据范围内")
		}
		if room.Status != RoomInUse {
			return &errs.Error{Code: errs.CodeConflict, Message: "房间当前为“" + room.StatusName() + "”，不能再登记出租出借", Fields: map[string]string{"room_id": "房间不是在用状态"}}
		}
		if in.AreaM2 == 0 {
			in.AreaM2 = room.UsableAreaM2
		}
		if in.AreaM2 > room.UsableAreaM2+epsilon {
			return errs.Invalid("area_m2", fmt.Sprintf("面积不能超过房间使用面积 %s", m2(room.UsableAreaM2)))
		}
		id, err := db.InsertID(ctx, q, `INSERT INTO space_leases (room_id, org_id, kind, lessee, starts_on, ends_on, area_m2, rent_fen, handed_fen, status, note,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?) RETURNING id`,
			room.ID, room.OrgID, in.Kind, in.Lessee, in.StartsOn, in.EndsOn, in.AreaM2, rent, handed, in.Note, now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "UPDATE space_rooms SET status = ?, updated_at = ? WHERE id = ? AND status = 'in_use'", in.Kind, now.Unix(), room.ID); err != nil {
			return err
		}
		if err := s.refresh(ctx, q, []int64{room.ID}, nil, ids(room.OrgID)); err != nil {
			return err
		}
		if out, err = GetLease(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objRoom, room.ID, "lease", fmt.Sprintf("%s给%s，%s，自 %s 起", out.KindName(), in.Lessee, m2(in.AreaM2), in.StartsOn)); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objLease, id, "create", "登记"+out.KindName()+"："+in.Lessee); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.lease.create", ObjectType: objLease, ObjectID: id, OrgID: room.OrgID, Success: true,
			After: out.snapshot()})
	})
	return out, err
}

// UpdateLease corrects an active lease's terms and records the income handed over (409 once recovered).
func (s *Service) UpdateLease(ctx context.Context, sc auth.Scope, id int64, in LeaseInput) (LeaseRecord, error) {
	now := s.Clock.Now()
	today := s.today()
	var out LeaseRecord
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := GetLease(ctx, q, sc, id)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		rent, handed := in.check(f, today)
		if err := f.Err(); err != nil {
			return err
		}
		if in.AreaM2 == 0 {
			in.AreaM2 = before.AreaM2
		}
		if in.Kind != before.Kind {
			return errs.Invalid("kind", "出租、出借方式登记后不能修改；如有误请收回后重新登记")
		}
		if _, err := q.Exec(ctx, `UPDATE space_leases SET lessee = ?, starts_on = ?, ends_on = ?, area_m2 = ?, rent_fen = ?, handed_fen = ?, note = ?, updated_at = ?
			WHERE id = ?`, in.Lessee, in.StartsOn, in.EndsOn, in.AreaM2, rent, handed, in.Note, now.Unix(), id); err != nil {
			return err
		}
		if err := s.refresh(ctx, q, []int64{before.RoomID}, nil, nil); err != nil {
			return err
		}
		if out, err = GetLease(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if handed != int64(before.HandedYuan*100+0.5) {
			if err := history.Record(ctx, q, now, objLease, id, "income", fmt.Sprintf("已上缴租金收入：%.2f → %.2f 元", before.HandedYuan, out.HandedYuan)); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.lease.update", ObjectType: objLease, ObjectID: id, OrgID: out.OrgID, Success: true,
			Before: before.snapshot(), After: out.snapshot()})
	})
	return out, err
}

// RecoverInput is the body of POST /api/v1/space/leases/{id}/recover.
type RecoverInput struct {
	RecoveredOn string `json:"recovered_on" doc:"收回日期 YYYY-MM-DD"`
	Note        string `json:"note,omitempty"`
}

// RecoverLease records that the space is back (收回): the lease ends, the room is in use again and the finding
// resolves (409 when already recovered).
func (s *Service) RecoverLease(ctx context.Context, sc auth.Scope, id int64, in RecoverInput) (LeaseRecord, error) {
	now := s.Clock.Now()
	today := s.today()
	var out LeaseRecord
	err := s.DB.Tx(ctx, func(q db.Q) error {
		before, err := GetLease(ctx, q, sc, id)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		date(f, "recovered_on", &in.RecoveredOn, true, "收回日期")
		if !f.Has("recovered_on") && (in.RecoveredOn > today || in.RecoveredOn < before.StartsOn) {
			f.Add("recovered_on", "收回日期应在起始日期至今天之间")
		}
		text(f, "note", &in.Note, 500, false, "说明")
		if err := f.Err(); err != nil {
			return err
		}
		res, err := q.Exec(ctx, "UPDATE space_leases SET status = 'recovered', recovered_on = ?, recovery_note = ?, updated_at = ? WHERE id = ? AND status = 'active'",
			in.RecoveredOn, in.Note, now.Unix(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Conflict("该记录已收回")
		}
		if _, err := q.Exec(ctx, "UPDATE space_rooms SET status = 'in_use', updated_at = ? WHERE id = ? AND status IN ('let', 'lent')", now.Unix(), before.RoomID); err != nil {
			return err
		}
		if err := s.refresh(ctx, q, []int64{before.RoomID}, nil, ids(before.OrgID)); err != nil {
			return err
		}
		if out, err = GetLease(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objRoom, before.RoomID, "recover", "收回（"+before.KindName()+"给"+before.Lessee+"），"+in.RecoveredOn); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objLease, id, "recover", "收回："+in.RecoveredOn); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.lease.recover", ObjectType: objLease, ObjectID: id, OrgID: out.OrgID, Success: true,
			Before: before.snapshot(), After: out.snapshot()})
	})
	return out, err
}

// CleanupTask is one line of the clean-up list of let and lent space (出租出借清理): what remains to be done.
type CleanupTask struct {
	Kind       string  `json:"kind" doc:"recover 收回 · overdue 到期未收回 · hand_over 租金未上缴 · record 房间标为出租出借但无登记记录"`
	KindName   string  `json:"kind_name"`
	LeaseID    int64   `json:"lease_id,omitempty"`
	RoomID     int64   `json:"room_id"`
	RoomNumber string  `json:"room_number"`
	Building   string  `json:"building_name"`
	OrgID      int64   `json:"org_id"`
	OrgName    string  `json:"org_name"`
	Detail     string  `json:"detail"`
	AmountYuan float64 `json:"amount_yuan,omitempty" doc:"hand_over：未上缴金额（元）"`
}

var cleanupKinds = enum.Of("overdue", "到期未收回", "recover", "收回", "hand_over", "租金未上缴", "record", "补录出租出借记录")

// Cleanup lists the clean-up tasks in scope (of a unit's subtree when orgID is set): every active lease is to be
// recovered (overdue when its term has ended), rent not handed over is to be handed over, and a room marked let or
// lent without an active lease is to be recorded.
func Cleanup(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, today string) ([]CleanupTask, error) {
	leases, _, err := ListLeases(ctx, q, sc, LeaseFilter{List: web.List{Page: 1, PageSize: 100000}, OrgID: orgID, Status: "active"})
	if err != nil {
		return nil, err
	}
	var out []CleanupTask
	add := func(kind string, l LeaseRecord, detail string, amount float64) {
		out = append(out, CleanupTask{Kind: kind, KindName: cleanupKinds.Name(kind), LeaseID: l.ID, RoomID: l.RoomID, RoomNumber: l.RoomNumber,
			Building: l.BuildingName, OrgID: l.OrgID, OrgName: l.OrgName, Detail: detail, AmountYuan: amount})
	}
	for _, l := range leases {
		what := fmt.Sprintf("%s给%s %s，自 %s 起", l.KindName(), l.Lessee, m2(l.AreaM2), l.StartsOn)
		if l.Overdue(today) {
			add("overdue", l, what+"，约定 "+l.EndsOn+" 到期", 0)
		} else {
			add("recover", l, what, 0)
		}
		if u := l.UnhandedYuan(); u > 0 {
			add("hand_over", l, fmt.Sprintf("租金 %.2f 元，已上缴 %.2f 元", l.RentYuan, l.HandedYuan), u)
		}
	}
	cond, args := sc.OrgCond("r.org_id")
	w := " WHERE r.status IN ('let', 'lent') AND " + cond + " AND NOT EXISTS (SELECT 1 FROM space_leases l WHERE l.room_id = r.id AND l.status = 'active')"
	if orgID != 0 {
		uc, ua, err := unitCond(ctx, q, "r.org_id", orgID, true)
		if err != nil {
			return nil, err
		}
		w, args = w+" AND "+uc, append(args, ua...)
	}
	rooms, err := db.Select(ctx, q, scanRoom, "SELECT "+roomCols+roomFrom+w+" ORDER BY r.id LIMIT 10000", args...)
	if err != nil {
		return nil, err
	}
	for _, r := range rooms {
		out = append(out, CleanupTask{Kind: "record", KindName: cleanupKinds.Name("record"), RoomID: r.ID, RoomNumber: r.Number, Building: r.BuildingName,
			OrgID: r.OrgID, OrgName: r.OrgName, Detail: "房间标为" + r.StatusName() + "，没有出租出借登记：请补录承租方、期限和租金，或更正房间状态"})
	}
	return out, nil
}
