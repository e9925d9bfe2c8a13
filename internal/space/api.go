package space

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// The JSON API of docs/api.md §Office space and what users need around it, in the same style.

type historyDoc struct {
	Items []history.Entry `json:"items"`
	Total int64           `json:"total"`
}

func queryBool(r *http.Request, name string) (bool, error) {
	switch strings.TrimSpace(r.URL.Query().Get(name)) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, errs.Invalid(name, "应为 true 或 false")
}

func queryInts(r *http.Request, names ...string) ([]int64, error) {
	out := make([]int64, len(names))
	for i, n := range names {
		v, err := web.QueryInt(r, n)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// historyAPI registers GET <path>/history for an object type whose visibility get checks.
func (s *Service) historyAPI(path, objType, what string, get func(r *http.Request, id int64) error) {
	s.UI.API("GET "+path+"/history", PermRead, web.Doc{Summary: what + "变更历史", Response: historyDoc{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		if err := get(r, id); err != nil {
			return err
		}
		h, err := history.List(r.Context(), s.DB, objType, id, 500)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(h, int64(len(h))))
	})
}

func (s *Service) registerAPI() {
	u := s.UI
	scope := func(r *http.Request) auth.Scope { return auth.ScopeFrom(r.Context()) }

	// Standards and violations (docs/api.md §Office space).
	u.API("GET /api/v1/space/standards", PermRead, web.Doc{Summary: "办公室使用面积标准（按机关层级和职级，省级覆盖按 region_code 生效）", Response: StandardAnswer{},
		Query: []web.Param{{Name: "admin_level", Help: "central|provincial|municipal|county|township", Required: true}, {Name: "rank", Help: "职级", Required: true},
			{Name: "region_code", Help: "单位所在行政区划（6 位），省略为全国标准"}, {Name: "date", Help: "YYYY-MM-DD，默认今天"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			qv := r.URL.Query()
			d := qv.Get("date")
			if d == "" {
				d = s.today()
			}
			a, err := LookupStandard(r.Context(), s.DB, strings.TrimSpace(qv.Get("admin_level")), strings.TrimSpace(qv.Get("rank")), strings.TrimSpace(qv.Get("region_code")), d)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, a)
		})
	u.API("GET /api/v1/space/violations", PermRead, web.Doc{Summary: "办公用房违规清单：org_id 单位及其下级单位（subtree=false 仅本单位），查询前按当前台账、人员和日期重新判定",
		Response: Violation{}, List: true, Query: []web.Param{{Name: "org_id", Type: "integer", Help: "单位（须在数据范围内，否则 404）；省略为全部数据范围"},
			{Name: "subtree", Type: "boolean", Help: "默认 true：含下级单位"}, {Name: "kind", Help: "违规类型"}, {Name: "status", Help: "open（默认）|resolved|all"},
			{Name: "room_id", Type: "integer"}, {Name: "person_id", Type: "integer"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			f, err := parseViolationFilter(r)
			if err != nil {
				return err
			}
			items, total, err := s.UnitViolations(r.Context(), scope(r), f)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, total))
		})
	u.API("POST /api/v1/space/scan", PermManage, web.Doc{Summary: "立即对全部台账进行合规检查", Response: ScanResult{}}, func(w http.ResponseWriter, r *http.Request) error {
		res, err := s.Scan(r.Context(), "manual")
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, res)
	})
	u.API("GET /api/v1/space/utilisation", PermRead, web.Doc{Summary: "使用情况统计：房间、面积、空置、人均面积、按用途面积", Response: Utilisation{},
		Query: []web.Param{{Name: "org_id", Type: "integer", Help: "单位（含下级）；省略为全部数据范围"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			orgID, err := web.QueryInt(r, "org_id")
			if err != nil {
				return err
			}
			st, err := s.Utilisation(r.Context(), scope(r), orgID)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, st)
		})

	s.registerAPIRegister()
	s.registerAPIProcess()
	s.registerAPILeases()
}

func parseViolationFilter(r *http.Request) (ViolationFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return ViolationFilter{}, err
	}
	n, err := queryInts(r, "org_id", "room_id", "person_id")
	if err != nil {
		return ViolationFilter{}, err
	}
	f := ViolationFilter{List: l, OrgID: n[0], RoomID: n[1], PersonID: n[2], Kind: r.URL.Query().Get("kind"), Status: r.URL.Query().Get("status"), Subtree: true}
	if v := r.URL.Query().Get("subtree"); v != "" {
		if f.Subtree, err = queryBool(r, "subtree"); err != nil {
			return f, err
		}
	}
	if f.NoTask, err = queryBool(r, "no_task"); err != nil {
		return f, err
	}
	return f, nil
}

func parseRoomFilter(r *http.Request) (RoomFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return RoomFilter{}, err
	}
	n, err := queryInts(r, "building_id", "org_id")
	if err != nil {
		return RoomFilter{}, err
	}
	qv := r.URL.Query()
	f := RoomFilter{List: l, BuildingID: n[0], OrgID: n[1], UseType: qv.Get("use_type"), Status: qv.Get("status")}
	if f.UseType != "" && !UseTypes.Has(f.UseType) {
		return f, errs.Invalid("use_type", "用途应为 office、service、equipment 或 auxiliary")
	}
	if f.Status != "" && !RoomStatuses.Has(f.Status) {
		return f, errs.Invalid("status", "状态应为 in_use、let、lent 或 disposed")
	}
	if v := strings.TrimSpace(qv.Get("floor")); v != "" {
		fl, err := strconv.Atoi(v)
		if err != nil {
			return f, errs.Invalid("floor", "楼层应为整数")
		}
		f.Floor, f.HasFloor = fl, true
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"subtree", &f.Subtree}, {"vacant", &f.Vacant}, {"flagged", &f.Flagged}} {
		if *b.dst, err = queryBool(r, b.name); err != nil {
			return f, err
		}
	}
	return f, nil
}
