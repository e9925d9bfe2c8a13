package telematics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

// The JSON API of docs/api.md §Vehicle telemetry.

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.NotFound("车辆")
	}
	return id, nil
}

func (s *Service) registerAPI() {
	u := s.UI
	u.API("GET /api/v1/vehicles/{id}/positions", PermRead, web.Doc{Summary: "车辆定位点（按时间顺序；from/to 默认最近 24 小时，跨度不超过 31 天）",
		Response: Position{}, List: true}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		win, err := s.parseWindow(r, 24*time.Hour, 31*24*time.Hour)
		if err != nil {
			return err
		}
		items, total, err := s.Positions(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id, win)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(items, total))
	})
	module.List(s.Deps, "GET /api/v1/positions/latest", PermRead, web.Doc{Summary: "各车辆最新位置"}, web.ParseList, s.LatestPositions)
	u.API("GET /api/v1/vehicles/{id}/trips", PermRead, web.Doc{Summary: "由定位数据生成的行程（from/to 默认最近 30 天），关联覆盖它的派车单",
		Response: TripItem{}, List: true}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		win, err := s.parseWindow(r, 30*24*time.Hour, 366*24*time.Hour)
		if err != nil {
			return err
		}
		items, total, err := s.Trips(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id, win)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(items, total))
	})
	module.List(s.Deps, "GET /api/v1/alarms", PermRead, web.Doc{Summary: "用车报警（vehicle_id、kind、from、to 筛选；默认最近 30 天）"},
		s.parseAlarmFilter, s.Alarms)
}
