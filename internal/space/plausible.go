package space

import (
	"context"
	"fmt"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/settings"
)

// Plausibility of a room against its building (issue 14 item 3): a floor beyond the building's floors and a room
// larger than the whole building are refused with a field error; a single room above a plausible size (the setting
// space.plausibility, large_room_m2, 500 m² when unset) needs a confirmation with a reason, recorded in the history
// and the audit log.

// PlausibilityKey is the settings key of Plausibility.
const PlausibilityKey = "space.plausibility"

// Plausibility holds the thresholds of the room checks.
type Plausibility struct {
	LargeRoomM2 float64 `json:"large_room_m2" doc:"单个房间使用面积超过此值须确认（默认 500）"`
}

func loadPlausibility(ctx context.Context, q db.Q) (Plausibility, error) {
	p := Plausibility{}
	if _, err := settings.Get(ctx, q, PlausibilityKey, &p); err != nil {
		return p, err
	}
	if p.LargeRoomM2 <= 0 {
		p.LargeRoomM2 = 500
	}
	return p, nil
}

// plausible checks a room's floor and area against its building; floorChanged and areaChanged limit the checks of
// an edit to what it changes (a room registered before the checks stays editable).
func (s *Service) plausible(ctx context.Context, q db.Q, in *RoomInput, floorChanged, areaChanged bool) error {
	if !floorChanged && !areaChanged {
		return nil
	}
	var floors, basement int
	var gross float64
	if err := q.QueryRow(ctx, "SELECT floors, basement_floors, gross_area_m2 FROM buildings WHERE id = ?", in.BuildingID).Scan(&floors, &basement, &gross); err != nil {
		return err
	}
	f := errs.Fields{}
	if floorChanged {
		switch {
		case in.Floor > 0 && floors > 0 && in.Floor > floors:
			f.Add("floor", fmt.Sprintf("楼栋地上共 %d 层，房间不能在第 %d 层（如楼层有误，请先修改楼栋）", floors, in.Floor))
		case in.Floor < 0 && (floors > 0 || basement > 0) && -in.Floor > basement:
			if basement == 0 {
				f.Add("floor", "楼栋没有登记地下层，房间不能在地下层（如有误，请先修改楼栋）")
			} else {
				f.Add("floor", fmt.Sprintf("楼栋地下共 %d 层，房间不能在地下第 %d 层", basement, -in.Floor))
			}
		}
	}
	if areaChanged && gross > 0 && in.UsableAreaM2 > gross {
		f.Add("usable_area_m2", "使用面积 "+m2(in.UsableAreaM2)+" 超过整栋楼的建筑面积 "+m2(gross))
	}
	if err := f.Err(); err != nil {
		return err
	}
	if !areaChanged {
		return nil
	}
	p, err := loadPlausibility(ctx, q)
	if err != nil {
		return err
	}
	if in.UsableAreaM2 > p.LargeRoomM2 {
		if !in.Confirm {
			msg := "单个房间使用面积 " + m2(in.UsableAreaM2) + "，超过通常的 " + m2(p.LargeRoomM2) + "，请核对；确认无误须写明理由"
			return &errs.Error{Code: errs.CodeConflict, Message: msg, Fields: map[string]string{"confirm": msg}}
		}
		text(f, "reason", &in.Reason, 200, true, "确认理由")
		return f.Err()
	}
	in.Confirm, in.Reason = false, ""
	return nil
}
