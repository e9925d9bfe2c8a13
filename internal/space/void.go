package space

import (
	"context"
	"net/http"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// Voiding a room entered by mistake (issue 14 item 3): instead of a violation, the register takes back its own
// error, audited and kept in the history. Either the room never existed (作废: its occupants are released, it is
// kept as a disposed room marked voided, out of the ledgers and the compliance checks), or its use was registered
// wrongly (更正登记用途: use and approved use change together — a correction, not a change of function, so no
// "擅自改变使用功能" finding). A room with open findings is the bureau's to void or correct (space:manage), so a unit
// cannot void its way out of a finding.

// VoidInput is the body of POST /api/v1/rooms/{id}/void.
type VoidInput struct {
	Reason     string `json:"reason" doc:"作废或更正的原因（必填）"`
	CorrectUse string `json:"correct_use,omitempty" doc:"只更正登记用途（office、service、equipment、auxiliary）：用途和核定用途一并更正，房间保留"`
}

// VoidRoom voids a room or corrects its registered use.
func (s *Service) VoidRoom(ctx context.Context, sc auth.Scope, id int64, in VoidInput) (RoomRecord, error) {
	now := s.Clock.Now()
	var out RoomRecord
	err := s.DB.Tx(ctx, func(q db.Q) error {
		room, err := GetRoom(ctx, q, sc, id)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		text(f, "reason", &in.Reason, 200, true, "原因")
		checkEnum(f, "correct_use", &in.CorrectUse, UseTypes, false, "更正后的用途")
		if err := f.Err(); err != nil {
			return err
		}
		if room.Status == RoomDisposed {
			return errs.Conflict("房间已" + room.StatusName() + "，不能作废或更正")
		}
		if room.Violations > 0 && !canManage(ctx) {
			return errs.Forbidden("房间存在违规情形，只有机关事务管理部门（办公用房管理员）可以作废或更正登记")
		}
		action, msg := "space.room.void", "作废（登记错误）："+in.Reason
		if in.CorrectUse != "" {
			if in.CorrectUse == room.UseType && room.ApprovedUse == room.UseType {
				return errs.Invalid("correct_use", "更正后的用途与登记用途相同")
			}
			action = "space.room.correct"
			msg = "更正登记用途：" + room.UseName() + " → " + UseTypes.Name(in.CorrectUse) + "（登记错误，不属于改变使用功能）：" + in.Reason
			subtype := room.Subtype
			if in.CorrectUse != room.UseType {
				subtype = ""
			}
			if _, err := q.Exec(ctx, "UPDATE space_rooms SET use_type = ?, approved_use = ?, subtype = ?, updated_at = ? WHERE id = ?",
				in.CorrectUse, in.CorrectUse, subtype, now.Unix(), id); err != nil {
				return err
			}
		} else {
			occ, err := s.RoomOccupants(ctx, q, id)
			if err != nil {
				return err
			}
			for _, o := range occ {
				if err := s.removeOccupant(ctx, q, sc, id, o.PersonID, "房间作废："+in.Reason); err != nil {
					return err
				}
			}
			res, err := q.Exec(ctx, "UPDATE space_rooms SET status = 'disposed', voided_at = ?, void_reason = ?, updated_at = ? WHERE id = ? AND status <> 'disposed'",
				now.Unix(), in.Reason, now.Unix(), id)
			if err != nil {
				return err
			}
			if db.RowsAffected(res) == 0 {
				return errs.Conflict("房间已被他人处理，请刷新后重试")
			}
		}
		if err := s.refresh(ctx, q, []int64{id}, nil, []int64{room.OrgID}); err != nil {
			return err
		}
		if out, err = GetRoom(ctx, q, auth.Everything(), id); err != nil {
			return err
		}
		if err := history.Record(ctx, q, now, objRoom, id, map[string]string{"space.room.void": "void", "space.room.correct": "correct"}[action], msg); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: action, ObjectType: objRoom, ObjectID: id, OrgID: room.OrgID, Success: true,
			Before: room.snapshot(), After: out.snapshot(), Message: in.Reason})
	})
	return out, err
}

func (s *Service) pagesVoid() {
	s.UI.Page("POST /space/rooms/{id}/void", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		in := VoidInput{Reason: fstr(r, "reason"), CorrectUse: fstr(r, "correct_use")}
		x, err := s.VoidRoom(r.Context(), auth.ScopeFrom(r.Context()), id, in)
		if e := errs.As(err); e != nil && e.Code == errs.CodeValidation {
			return s.renderRoom(w, r, http.StatusUnprocessableEntity, e.Fields)
		}
		ok := "已作废房间 " + x.Number
		if in.CorrectUse != "" {
			ok = "已更正登记用途为" + x.UseName()
		}
		return s.done(w, r, err, path("/space/rooms/", id), ok)
	})
}

func (s *Service) apiVoid() {
	s.UI.API("POST /api/v1/rooms/{id}/void", PermRegister, web.Doc{Summary: "作废登记错误的房间（或以 correct_use 只更正登记用途）；存在违规的房间须 space:manage",
		Body: VoidInput{}, Response: RoomRecord{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		var in VoidInput
		if err := web.DecodeJSON(r, &in); err != nil {
			return err
		}
		x, err := s.VoidRoom(r.Context(), auth.ScopeFrom(r.Context()), id, in)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, x)
	})
}
