package space

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

// Assignment that knows people (issue 14 item 5): assigning a person who already holds an office, or who belongs to
// another unit than the room's, needs a confirmation with a reason — or, for the office, "迁入并收回原办公室": the
// old offices are released in the same transaction, each with its occupancy log, history and audit entry.

// assignCheck is what assigning a person to a room would need confirmed.
type assignCheck struct {
	Others    []Occupant // the person's other offices (when the room is an office)
	OtherUnit string     // the person's unit, when it is not the room's
	office    string     // the warning about the other offices
	unit      string     // the warning about the unit
}

func (c assignCheck) warnings(release bool) []string {
	var out []string
	if c.office != "" && !release {
		out = append(out, c.office)
	}
	if c.unit != "" {
		out = append(out, c.unit)
	}
	return out
}

func (s *Service) checkAssign(ctx context.Context, q db.Q, room RoomRecord, person personBrief) (assignCheck, error) {
	var c assignCheck
	if room.UseType == UseOffice {
		held, err := s.PersonRooms(ctx, q, person.ID)
		if err != nil {
			return c, err
		}
		for _, h := range held {
			if h.UseType == UseOffice && h.RoomID != room.ID {
				c.Others = append(c.Others, h)
			}
		}
		if len(c.Others) > 0 {
			c.office = person.Name + "已有办公室：" + roomLabelsOf(c.Others)
		}
	}
	if person.OrgID != room.OrgID {
		if err := q.QueryRow(ctx, "SELECT name FROM orgs WHERE id = ?", person.OrgID).Scan(&c.OtherUnit); err != nil {
			return c, err
		}
		c.unit = person.Name + "属于" + c.OtherUnit + "，房间属于" + room.OrgName
	}
	return c, nil
}

// guardAssign refuses an assignment that needs a confirmation (409 with fields.confirm), checks the reason of a
// confirmed one, and releases the person's other offices when asked; it returns the released offices.
func (s *Service) guardAssign(ctx context.Context, q db.Q, sc auth.Scope, room RoomRecord, person personBrief, in *OccupantInput) ([]Occupant, error) {
	c, err := s.checkAssign(ctx, q, room, person)
	if err != nil {
		return nil, err
	}
	if in.Release && len(c.Others) == 0 {
		return nil, &errs.Error{Code: errs.CodeConflict, Message: person.Name + "没有其他办公室可收回",
			Fields: map[string]string{"release_others": "没有其他办公室可收回"}}
	}
	need := c.warnings(in.Release)
	if len(need) > 0 && !in.Confirm {
		msg := strings.Join(need, "；")
		return nil, &errs.Error{Code: errs.CodeConflict, Message: "请确认：" + msg + "。确认安排须写明理由" + map[bool]string{true: "，或选择迁入并收回原办公室", false: ""}[c.office != "" && !in.Release],
			Fields: map[string]string{"confirm": msg}}
	}
	f := errs.Fields{}
	text(f, "reason", &in.Reason, 200, in.Confirm && len(need) > 0, "确认理由")
	if err := f.Err(); err != nil {
		return nil, err
	}
	if !in.Release {
		return nil, nil
	}
	why := "迁入 " + room.BuildingName + " " + room.Number + "，收回原办公室"
	for _, o := range c.Others {
		if err := s.removeOccupant(ctx, q, sc, o.RoomID, person.ID, why); err != nil {
			if errs.Is(err, errs.CodeNotFound) {
				return nil, &errs.Error{Code: errs.CodeConflict, Message: "原办公室 " + o.Building + " " + o.Number + " 不在您的数据范围内，请由其所属单位收回",
					Fields: map[string]string{"release_others": "原办公室不在您的数据范围内"}}
			}
			return nil, err
		}
	}
	return c.Others, nil
}

// roomLabelsOf names rooms as 楼栋 房间号, joined with 、.
func roomLabelsOf(list []Occupant) string {
	parts := make([]string, len(list))
	for i, o := range list {
		parts[i] = o.Building + " " + o.Number
	}
	return strings.Join(parts, "、")
}

// pendingAssign is the confirmation panel of the room page: the person chosen, the warnings and whether the old
// offices can be released.
type pendingAssign struct {
	PersonID   int64
	Label      string
	Since      string
	Reason     string
	Warning    string
	CanRelease bool
	Others     string
}

func (s *Service) pendingFor(ctx context.Context, sc auth.Scope, roomID int64, in OccupantInput) (*pendingAssign, error) {
	room, err := GetRoom(ctx, s.DB, sc, roomID)
	if err != nil {
		return nil, err
	}
	person, err := getPersonBrief(ctx, s.DB, sc, in.PersonID)
	if err != nil {
		return nil, err
	}
	c, err := s.checkAssign(ctx, s.DB, room, person)
	if err != nil {
		return nil, err
	}
	p := &pendingAssign{PersonID: person.ID, Label: person.Name, Since: in.Since, Reason: in.Reason, Warning: strings.Join(c.warnings(false), "；"),
		CanRelease: len(c.Others) > 0, Others: roomLabelsOf(c.Others)}
	if c.OtherUnit != "" {
		p.Label += "（" + c.OtherUnit + "）"
	}
	return p, nil
}

// peopleOptions answers the person search of a room's assignment form: the room's own unit first, then the units
// below it, then the rest of the caller's scope; without a search text, the room's unit's serving people (those
// without an office first). Each option says whether the person already has an office.
func (s *Service) peopleOptions(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	room, err := GetRoom(ctx, s.DB, sc, id)
	if err != nil {
		return err
	}
	var unitPath string
	if err := s.DB.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", room.OrgID).Scan(&unitPath); err != nil {
		return err
	}
	qtext := strings.TrimSpace(r.URL.Query().Get("person_q"))
	sel, _ := web.QueryInt(r, "selected")
	if sel == 0 {
		sel, _ = web.QueryInt(r, "person_id")
	}
	cond, args := sc.PathCond("p.org_id", "p.org_path")
	where := " WHERE p.status = 'active' AND " + cond
	if qtext != "" {
		where, args = where+` AND p.name LIKE ? ESCAPE '\'`, append(args, db.LikePrefix(qtext))
	} else {
		where, args = where+" AND p.org_id = ?", append(args, room.OrgID)
	}
	const offices = "(SELECT COUNT(*) FROM space_occupants x JOIN space_rooms rr ON rr.id = x.room_id WHERE x.person_id = p.id AND rr.use_type = 'office')"
	type opt struct {
		ID               int64
		Name, Unit, Rank string
		Offices          int64
	}
	order := ` ORDER BY CASE WHEN p.org_id = ? THEN 0 WHEN p.org_path LIKE ? ESCAPE '\' THEN 1 ELSE 2 END, ` + offices + ` > 0, p.name, p.id LIMIT 30`
	list, err := db.Select(ctx, s.DB, func(x db.Scanner) (opt, error) {
		var o opt
		return o, x.Scan(&o.ID, &o.Name, &o.Unit, &o.Rank, &o.Offices)
	}, "SELECT p.id, p.name, o.name, p.rank, "+offices+" FROM people p JOIN orgs o ON o.id = p.org_id"+where+order,
		append(args, room.OrgID, db.LikePrefix(unitPath))...)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(`<option value="">（未选择）</option>`)
	label := func(o opt) string {
		l := o.Name + "（" + o.Unit + "，" + rankName(o.Rank)
		if o.Offices > 0 {
			l += "，已有办公室"
		}
		return template.HTMLEscapeString(l + "）")
	}
	if sel != 0 {
		if p, err := getPersonBrief(ctx, s.DB, sc, sel); err == nil {
			var unit string
			_ = s.DB.QueryRow(ctx, "SELECT name FROM orgs WHERE id = ?", p.OrgID).Scan(&unit)
			fmt.Fprintf(&b, `<option value="%d" selected>%s</option>`, p.ID, template.HTMLEscapeString(p.Name+"（"+unit+"）"))
		}
	}
	for _, o := range list {
		if o.ID != sel {
			fmt.Fprintf(&b, `<option value="%d">%s</option>`, o.ID, label(o))
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write([]byte(b.String()))
	return err
}
