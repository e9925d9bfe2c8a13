package space

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// 清查盘点: the bureau opens a stocktake over a unit's subtree; the register is copied into a checklist (one row per
// room, one per unit); the units record what they find in each room (账实), their own ledger's totals (分台账,
// 账账) and what their certificate says (账证); the discrepancy report compares them; the bureau closes it.

// Stocktake is a stocktake campaign with its progress.
type Stocktake struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"org_id"`
	OrgName   string    `json:"org_name"`
	Name      string    `json:"name"`
	DueOn     string    `json:"due_on"`
	Status    string    `json:"status" doc:"open 进行中 · closed 已结束"`
	Rooms     int64     `json:"rooms"`
	Checked   int64     `json:"checked"`
	Problems  int64     `json:"problems" doc:"账实不符的房间"`
	CreatedAt time.Time `json:"created_at"`
}

// StatusName is the Chinese status.
func (s Stocktake) StatusName() string {
	return map[string]string{"open": "进行中", "closed": "已结束"}[s.Status]
}

const stocktakeCols = `s.id, s.org_id, o.name, s.name, s.due_on, s.status, s.created_at,
	(SELECT COUNT(*) FROM space_stocktake_rooms i WHERE i.stocktake_id = s.id),
	(SELECT COUNT(*) FROM space_stocktake_rooms i WHERE i.stocktake_id = s.id AND i.result <> ''),
	(SELECT COUNT(*) FROM space_stocktake_rooms i WHERE i.stocktake_id = s.id AND i.result IN ('mismatch', 'missing'))`

func scanStocktake(sc db.Scanner) (Stocktake, error) {
	var s Stocktake
	var created int64
	err := sc.Scan(&s.ID, &s.OrgID, &s.OrgName, &s.Name, &s.DueOn, &s.Status, &created, &s.Rooms, &s.Checked, &s.Problems)
	s.CreatedAt = db.FromUnix(created)
	return s, err
}

// GetStocktake loads a stocktake whose unit is in scope, or one that covers a unit in scope (a unit sees the
// campaigns it takes part in).
func GetStocktake(ctx context.Context, q db.Q, sc auth.Scope, id int64) (Stocktake, error) {
	cond, args := sc.OrgCond("s.org_id")
	cond2, args2 := sc.OrgCond("u.org_id")
	s, err := scanStocktake(q.QueryRow(ctx, "SELECT "+stocktakeCols+" FROM space_stocktakes s JOIN orgs o ON o.id = s.org_id WHERE s.id = ? AND ("+cond+
		" OR EXISTS (SELECT 1 FROM space_stocktake_units u WHERE u.stocktake_id = s.id AND "+cond2+"))", append(append([]any{id}, args...), args2...)...))
	if db.IsNoRows(err) {
		return s, errs.NotFound("清查盘点")
	}
	return s, err
}

// ListStocktakes lists the campaigns in scope (or covering a unit in scope).
func ListStocktakes(ctx context.Context, q db.Q, sc auth.Scope, l web.List) ([]Stocktake, int64, error) {
	cond, args := sc.OrgCond("s.org_id")
	cond2, args2 := sc.OrgCond("u.org_id")
	w := " WHERE (" + cond + " OR EXISTS (SELECT 1 FROM space_stocktake_units u WHERE u.stocktake_id = s.id AND " + cond2 + "))"
	args = append(args, args2...)
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_stocktakes s"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, scanStocktake, "SELECT "+stocktakeCols+" FROM space_stocktakes s JOIN orgs o ON o.id = s.org_id"+w+" ORDER BY s.id DESC LIMIT ? OFFSET ?",
		append(args, l.PageSize, l.Offset())...)
	return rows, total, err
}

// StocktakeInput is the body of POST /api/v1/space/stocktakes.
type StocktakeInput struct {
	OrgID int64  `json:"org_id" doc:"清查范围：该单位及其下级单位"`
	Name  string `json:"name"`
	DueOn string `json:"due_on"`
}

// CreateStocktake opens a campaign over a unit's subtree (space:manage) and copies the register into its checklist.
func (s *Service) CreateStocktake(ctx context.Context, sc auth.Scope, in StocktakeInput) (Stocktake, error) {
	now := s.Clock.Now()
	var out Stocktake
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := needManage(ctx, "发起清查盘点"); err != nil {
			return err
		}
		f := errs.Fields{}
		if in.OrgID <= 0 {
			f.Add("org_id", "请选择清查范围")
		}
		text(f, "name", &in.Name, 100, true, "清查名称")
		date(f, "due_on", &in.DueOn, true, "完成期限")
		if err := f.Err(); err != nil {
			return err
		}
		if err := checkOrg(ctx, q, sc, in.OrgID, "org_id"); err != nil {
			return err
		}
		cond, args, err := unitCond(ctx, q, "r.org_id", in.OrgID, true)
		if err != nil {
			return err
		}
		id, err := db.InsertID(ctx, q, "INSERT INTO space_stocktakes (org_id, name, due_on, status, created_at, updated_at) VALUES (?, ?, ?, 'open', ?, ?) RETURNING id",
			in.OrgID, in.Name, in.DueOn, now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO space_stocktake_rooms (stocktake_id, room_id, org_id, ledger_use, ledger_area_m2, ledger_occupants)
			SELECT ?, r.id, r.org_id, r.use_type, r.usable_area_m2, (SELECT COUNT(*) FROM space_occupants x WHERE x.room_id = r.id)
			FROM space_rooms r WHERE r.status <> 'disposed' AND `+cond, append([]any{id}, args...)...); err != nil {
			return err
		}
		today := s.today()
		if _, err := q.Exec(ctx, `INSERT INTO space_stocktake_units (stocktake_id, org_id, ledger_rooms, ledger_area_m2, ledger_cert_no, ledger_approved_m2)
			SELECT ?, o.id,
				(SELECT COUNT(*) FROM space_rooms r WHERE r.org_id = o.id AND r.status <> 'disposed'),
				(SELECT COALESCE(SUM(r.usable_area_m2), 0) FROM space_rooms r WHERE r.org_id = o.id AND r.status <> 'disposed'),
				COALESCE((SELECT MAX(a.certificate_no) FROM space_agreements a WHERE a.org_id = o.id AND a.signed_on <= ? AND (a.valid_until = '' OR a.valid_until >= ?)), ''),
				(SELECT COALESCE(SUM(a.approved_area_m2), 0) FROM space_agreements a WHERE a.org_id = o.id AND a.signed_on <= ? AND (a.valid_until = '' OR a.valid_until >= ?))
			FROM orgs o WHERE `+strings.Replace(cond, "r.org_id", "o.id", 1)+` AND (EXISTS (SELECT 1 FROM space_rooms r WHERE r.org_id = o.id AND r.status <> 'disposed')
				OR EXISTS (SELECT 1 FROM space_agreements a WHERE a.org_id = o.id))`, append([]any{id, today, today, today, today}, args...)...); err != nil {
			return err
		}
		if out, err = GetStocktake(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objStocktake, id, "create", fmt.Sprintf("发起清查盘点“%s”，范围 %s，房间 %d 间，期限 %s", in.Name, out.OrgName, out.Rooms, in.DueOn)); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.stocktake.create", ObjectType: objStocktake, ObjectID: id, OrgID: in.OrgID, Success: true,
			After: map[string]any{"name": in.Name, "rooms": out.Rooms, "due_on": in.DueOn}})
	})
	return out, err
}

// CheckItem is one room of a stocktake's checklist.
type CheckItem struct {
	RoomID          int64   `json:"room_id"`
	RoomNumber      string  `json:"room_number"`
	BuildingName    string  `json:"building_name"`
	OrgID           int64   `json:"org_id"`
	OrgName         string  `json:"org_name"`
	LedgerUse       string  `json:"ledger_use"`
	LedgerAreaM2    float64 `json:"ledger_area_m2"`
	LedgerOccupants int     `json:"ledger_occupants"`
	Result          string  `json:"result" doc:"空：未盘点 · match 相符 · mismatch 不符 · missing 查无此房"`
	FoundUse        string  `json:"found_use"`
	FoundAreaM2     float64 `json:"found_area_m2"`
	FoundOccupants  int     `json:"found_occupants"`
	Note            string  `json:"note"`
	CheckedBy       string  `json:"checked_by"`
}

// ResultName is the Chinese result.
func (c CheckItem) ResultName() string {
	return map[string]string{"": "未盘点", "match": "相符", "mismatch": "不符", "missing": "查无此房"}[c.Result]
}

// Differences describes how what was found differs from the register (账实不符).
func (c CheckItem) Differences() string {
	switch c.Result {
	case "missing":
		return "台账有、实地无"
	case "mismatch":
		var d string
		if c.FoundUse != "" && c.FoundUse != c.LedgerUse {
			d += "用途：台账" + UseTypes.Name(c.LedgerUse) + "，实际" + UseTypes.Name(c.FoundUse) + "；"
		}
		if c.FoundAreaM2 > 0 && math.Abs(c.FoundAreaM2-c.LedgerAreaM2) > epsilon {
			d += "面积：台账 " + m2(c.LedgerAreaM2) + "，实测 " + m2(c.FoundAreaM2) + "；"
		}
		if c.FoundOccupants != c.LedgerOccupants {
			d += fmt.Sprintf("使用人：台账 %d 人，实际 %d 人；", c.LedgerOccupants, c.FoundOccupants)
		}
		return d + c.Note
	}
	return ""
}

// StocktakeItems lists a campaign's rooms visible to the caller (problems only with onlyProblems).
func StocktakeItems(ctx context.Context, q db.Q, sc auth.Scope, id int64, l web.List, onlyProblems bool) ([]CheckItem, int64, error) {
	cond, args := sc.OrgCond("i.org_id")
	w := " WHERE i.stocktake_id = ? AND " + cond
	args = append([]any{id}, args...)
	if onlyProblems {
		w += " AND i.result IN ('mismatch', 'missing')"
	}
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_stocktake_rooms i"+w, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.Select(ctx, q, func(s db.Scanner) (CheckItem, error) {
		var c CheckItem
		return c, s.Scan(&c.RoomID, &c.RoomNumber, &c.BuildingName, &c.OrgID, &c.OrgName, &c.LedgerUse, &c.LedgerAreaM2, &c.LedgerOccupants, &c.Result,
			&c.FoundUse, &c.FoundAreaM2, &c.FoundOccupants, &c.Note, &c.CheckedBy)
	}, `SELECT i.room_id, r.number, b.name, i.org_id, o.name, i.ledger_use, i.ledger_area_m2, i.ledger_occupants, i.result, i.found_use, i.found_area_m2,
		i.found_occupants, i.note, i.checked_by FROM space_stocktake_rooms i JOIN space_rooms r ON r.id = i.room_id JOIN buildings b ON b.id = r.building_id
		JOIN orgs o ON o.id = i.org_id`+w+" ORDER BY o.name, b.name, r.number LIMIT ? OFFSET ?", append(args, l.PageSize, l.Offset())...)
	return rows, total, err
}

// CheckInput is the body of POST /api/v1/space/stocktakes/{id}/rooms/{room_id}.
type CheckInput struct {
	Result         string  `json:"result" doc:"match · mismatch · missing"`
	FoundUse       string  `json:"found_use,omitempty"`
	FoundAreaM2    float64 `json:"found_area_m2,omitempty"`
	FoundOccupants int     `json:"found_occupants,omitempty"`
	Note           string  `json:"note,omitempty"`
}

// CheckRoom records what was found in a room (the unit, space:register) while the campaign is open.
func (s *Service) CheckRoom(ctx context.Context, sc auth.Scope, id, roomID int64, in CheckInput) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		st, err := GetStocktake(ctx, q, sc, id)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		checkEnum(f, "result", &in.Result, enum.Of("match", "相符", "mismatch", "不符", "missing", "查无此房"), true, "盘点结果")
		checkEnum(f, "found_use", &in.FoundUse, UseTypes, false, "实际用途")
		area(f, "found_area_m2", in.FoundAreaM2, false, "实测面积")
		if in.FoundOccupants < 0 || in.FoundOccupants > 10000 {
			f.Add("found_occupants", "实际使用人数应为不小于 0 的整数")
		}
		text(f, "note", &in.Note, 500, in.Result == "mismatch" && in.FoundUse == "" && in.FoundAreaM2 == 0, "情况说明")
		if err := f.Err(); err != nil {
			return err
		}
		if st.Status != "open" {
			return errs.Conflict("清查盘点已结束")
		}
		cond, args := sc.OrgCond("org_id")
		var orgID, ledgerOcc int64
		var ledgerUse string
		var ledgerArea float64
		err = q.QueryRow(ctx, "SELECT org_id, ledger_use, ledger_area_m2, ledger_occupants FROM space_stocktake_rooms WHERE stocktake_id = ? AND room_id = ? AND "+cond,
			append([]any{id, roomID}, args...)...).Scan(&orgID, &ledgerUse, &ledgerArea, &ledgerOcc)
		if db.IsNoRows(err) {
			return errs.NotFound("盘点房间")
		}
		if err != nil {
			return err
		}
		if in.Result == "match" {
			in.FoundUse, in.FoundAreaM2, in.FoundOccupants = ledgerUse, ledgerArea, int(ledgerOcc)
		}
		actor := audit.ActorFrom(ctx).Username
		if _, err := q.Exec(ctx, `UPDATE space_stocktake_rooms SET result = ?, found_use = ?, found_area_m2 = ?, found_occupants = ?, note = ?, checked_at = ?,
			checked_by = ? WHERE stocktake_id = ? AND room_id = ?`, in.Result, in.FoundUse, round2(in.FoundAreaM2), in.FoundOccupants, in.Note, now.Unix(), actor, id, roomID); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.stocktake.check", ObjectType: objStocktake, ObjectID: id, OrgID: orgID, Success: true,
			After: map[string]any{"room_id": roomID, "result": in.Result, "found_use": in.FoundUse, "found_area_m2": in.FoundAreaM2, "found_occupants": in.FoundOccupants}})
	})
}

// UnitCheck is one unit's line of a stocktake: register totals against the unit's own ledger and certificate.
type UnitCheck struct {
	OrgID            int64   `json:"org_id"`
	OrgName          string  `json:"org_name"`
	LedgerRooms      int64   `json:"ledger_rooms" doc:"总台账房间数"`
	LedgerAreaM2     float64 `json:"ledger_area_m2" doc:"总台账使用面积"`
	LedgerCertNo     string  `json:"ledger_cert_no" doc:"台账登记的凭证编号"`
	LedgerApprovedM2 float64 `json:"ledger_approved_m2" doc:"台账登记的核定面积"`
	SubRooms         int64   `json:"sub_rooms" doc:"单位分台账房间数"`
	SubAreaM2        float64 `json:"sub_area_m2" doc:"单位分台账使用面积"`
	CertNo           string  `json:"cert_no" doc:"凭证原件编号"`
	CertAreaM2       float64 `json:"cert_area_m2" doc:"凭证原件核定面积"`
	Confirmed        bool    `json:"confirmed"`
	ConfirmedBy      string  `json:"confirmed_by"`
}

// LedgerMismatch describes 账账不符 (the unit's 分台账 against the 总台账), "" when they agree.
func (u UnitCheck) LedgerMismatch() string {
	if !u.Confirmed {
		return ""
	}
	var d string
	if u.SubRooms != u.LedgerRooms {
		d += fmt.Sprintf("房间数：总台账 %d，分台账 %d；", u.LedgerRooms, u.SubRooms)
	}
	if math.Abs(u.SubAreaM2-u.LedgerAreaM2) > 0.01 {
		d += "面积：总台账 " + m2(u.LedgerAreaM2) + "，分台账 " + m2(u.SubAreaM2) + "；"
	}
	return d
}

// CertMismatch describes 账证不符 (the register's certificate against the paper one), "" when they agree.
func (u UnitCheck) CertMismatch() string {
	if !u.Confirmed {
		return ""
	}
	var d string
	if u.CertNo != u.LedgerCertNo {
		d += "凭证编号：台账“" + u.LedgerCertNo + "”，原件“" + u.CertNo + "”；"
	}
	if math.Abs(u.CertAreaM2-u.LedgerApprovedM2) > 0.01 {
		d += "核定面积：台账 " + m2(u.LedgerApprovedM2) + "，凭证 " + m2(u.CertAreaM2) + "；"
	}
	return d
}

// StocktakeUnits lists the units of a campaign visible to the caller.
func StocktakeUnits(ctx context.Context, q db.Q, sc auth.Scope, id int64) ([]UnitCheck, error) {
	cond, args := sc.OrgCond("u.org_id")
	return db.Select(ctx, q, func(s db.Scanner) (UnitCheck, error) {
		var u UnitCheck
		var confirmed int64
		err := s.Scan(&u.OrgID, &u.OrgName, &u.LedgerRooms, &u.LedgerAreaM2, &u.LedgerCertNo, &u.LedgerApprovedM2, &u.SubRooms, &u.SubAreaM2, &u.CertNo,
			&u.CertAreaM2, &confirmed, &u.ConfirmedBy)
		u.Confirmed = confirmed != 0
		return u, err
	}, `SELECT u.org_id, o.name, u.ledger_rooms, u.ledger_area_m2, u.ledger_cert_no, u.ledger_approved_m2, u.sub_rooms, u.sub_area_m2, u.cert_no,
		u.cert_area_m2, u.confirmed_at, u.confirmed_by FROM space_stocktake_units u JOIN orgs o ON o.id = u.org_id WHERE u.stocktake_id = ? AND `+cond+" ORDER BY o.path",
		append([]any{id}, args...)...)
}

// UnitInput is the body of POST /api/v1/space/stocktakes/{id}/units/{org_id}: the unit's own ledger totals and its
// certificate as on paper.
type UnitInput struct {
	SubRooms   int64   `json:"sub_rooms"`
	SubAreaM2  float64 `json:"sub_area_m2"`
	CertNo     string  `json:"cert_no,omitempty"`
	CertAreaM2 float64 `json:"cert_area_m2,omitempty"`
}

// ConfirmUnit records a unit's ledger totals and certificate (space:register) while the campaign is open.
func (s *Service) ConfirmUnit(ctx context.Context, sc auth.Scope, id, orgID int64, in UnitInput) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		st, err := GetStocktake(ctx, q, sc, id)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		if in.SubRooms < 0 || in.SubRooms > 1000000 {
			f.Add("sub_rooms", "房间数应为不小于 0 的整数")
		}
		area(f, "sub_area_m2", in.SubAreaM2, false, "分台账面积")
		area(f, "cert_area_m2", in.CertAreaM2, false, "凭证核定面积")
		text(f, "cert_no", &in.CertNo, 60, false, "凭证编号")
		if err := f.Err(); err != nil {
			return err
		}
		if st.Status != "open" {
			return errs.Conflict("清查盘点已结束")
		}
		if err := checkOrg(ctx, q, sc, orgID, "org_id"); err != nil {
			return err
		}
		res, err := q.Exec(ctx, `UPDATE space_stocktake_units SET sub_rooms = ?, sub_area_m2 = ?, cert_no = ?, cert_area_m2 = ?, confirmed_at = ?, confirmed_by = ?
			WHERE stocktake_id = ? AND org_id = ?`, in.SubRooms, round2(in.SubAreaM2), in.CertNo, round2(in.CertAreaM2), now.Unix(), audit.ActorFrom(ctx).Username, id, orgID)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.NotFound("盘点单位")
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.stocktake.unit", ObjectType: objStocktake, ObjectID: id, OrgID: orgID, Success: true,
			After: map[string]any{"sub_rooms": in.SubRooms, "sub_area_m2": in.SubAreaM2, "cert_no": in.CertNo, "cert_area_m2": in.CertAreaM2}})
	})
}

// CloseStocktake ends a campaign (space:manage); its results stay readable.
func (s *Service) CloseStocktake(ctx context.Context, sc auth.Scope, id int64) (Stocktake, error) {
	now := s.Clock.Now()
	var out Stocktake
	err := s.DB.Tx(ctx, func(q db.Q) error {
		if err := needManage(ctx, "结束清查盘点"); err != nil {
			return err
		}
		st, err := GetStocktake(ctx, q, sc, id)
		if err != nil {
			return err
		}
		res, err := q.Exec(ctx, "UPDATE space_stocktakes SET status = 'closed', closed_at = ?, updated_at = ? WHERE id = ? AND status = 'open'", now.Unix(), now.Unix(), id)
		if err != nil {
			return err
		}
		if db.RowsAffected(res) == 0 {
			return errs.Conflict("清查盘点已结束")
		}
		if err := history.Record(ctx, q, now, objStocktake, id, "close", fmt.Sprintf("结束清查：已盘点 %d/%d 间，账实不符 %d 间", st.Checked, st.Rooms, st.Problems)); err != nil {
			return err
		}
		if out, err = GetStocktake(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "space.stocktake.close", ObjectType: objStocktake, ObjectID: id, OrgID: st.OrgID, Success: true,
			After: map[string]any{"checked": st.Checked, "rooms": st.Rooms, "problems": st.Problems}})
	})
	return out, err
}
