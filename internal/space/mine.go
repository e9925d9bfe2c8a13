package space

import (
	"context"
	"fmt"
	"strconv"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/module"
)

// mine is the office of the signed-in user's person (the rooms they occupy), for the home page's "我的".
func (s *Service) mine(ctx context.Context, u *auth.User) ([]module.Mine, error) {
	if u.PersonID == 0 {
		return nil, nil
	}
	type room struct {
		ID       int64
		Building string
		Floor    int
		Number   string
		Area     float64
		Sharers  int64
	}
	rooms, err := db.Select(ctx, s.DB, func(sc db.Scanner) (room, error) {
		var r room
		err := sc.Scan(&r.ID, &r.Building, &r.Floor, &r.Number, &r.Area, &r.Sharers)
		return r, err
	}, `SELECT r.id, b.name, r.floor, r.number, r.usable_area_m2, (SELECT COUNT(*) FROM space_occupants x WHERE x.room_id = r.id)
		FROM space_occupants o JOIN space_rooms r ON r.id = o.room_id JOIN buildings b ON b.id = r.building_id
		WHERE o.person_id = ? ORDER BY r.id`, u.PersonID)
	if err != nil {
		return nil, err
	}
	out := make([]module.Mine, 0, len(rooms))
	for _, r := range rooms {
		m := module.Mine{Label: "space.mine.office|我的办公室", Title: fmt.Sprintf("%s %d 层 %s", r.Building, r.Floor, r.Number),
			Detail: "使用面积 " + strconv.FormatFloat(r.Area, 'f', -1, 64) + " m²"}
		if r.Sharers > 1 {
			m.Detail += fmt.Sprintf("，%d 人合用", r.Sharers)
		}
		if u.Can(PermRead) {
			m.Link = "/space/rooms/" + strconv.FormatInt(r.ID, 10)
		}
		out = append(out, m)
	}
	return out, nil
}
