package fleet

import (
	"context"
	"net/http"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

// The JSON API of docs/api.md §Official vehicles and what users need around it, in the same style.

type historyDoc struct {
	Items []history.Entry `json:"items"`
	Total int64           `json:"total"`
}

// SuggestAnswer is the answer of GET /api/v1/trip-requests/{id}/suggestions.
type SuggestAnswer struct {
	Vehicles []Suggestion `json:"vehicles"`
	Drivers  []FreeDriver `json:"drivers"`
	// HireVehicles and HireDrivers are the hire pool's (社会化保障), listed when no own vehicle or driver fits.
	HireVehicles []HireSuggestion `json:"hire_vehicles" doc:"没有合适的本单位车辆或驾驶员时：社会化保障合同的空闲车辆"`
	HireDrivers  []HireFreeDriver `json:"hire_drivers"`
}

const permTrips = PermRead + "|" + PermRequest

func parseVehicleFilter(r *http.Request) (VehicleFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return VehicleFilter{}, err
	}
	orgID, err := web.QueryInt(r, "org_id")
	if err != nil {
		return VehicleFilter{}, err
	}
	qv := r.URL.Query()
	return VehicleFilter{List: l, OrgID: orgID, Category: strings.TrimSpace(qv.Get("category")), Status: strings.TrimSpace(qv.Get("status")),
		Fuel: strings.TrimSpace(qv.Get("fuel_type"))}, nil
}

func parseDriverFilter(r *http.Request) (DriverFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return DriverFilter{}, err
	}
	orgID, err := web.QueryInt(r, "org_id")
	return DriverFilter{List: l, OrgID: orgID, Status: strings.TrimSpace(r.URL.Query().Get("status"))}, err
}

func parseTripFilter(r *http.Request) (TripFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return TripFilter{}, err
	}
	orgID, err := web.QueryInt(r, "org_id")
	if err != nil {
		return TripFilter{}, err
	}
	vid, err := web.QueryInt(r, "vehicle_id")
	if err != nil {
		return TripFilter{}, err
	}
	return TripFilter{List: l, OrgID: orgID, VehicleID: vid, Status: strings.TrimSpace(r.URL.Query().Get("status"))}, nil
}

func (s *Service) year(r *http.Request) (int, error) {
	y := s.Clock.Now().Year()
	return web.QueryYear(r, y, 2000, y+1)
}

func (s *Service) registerAPI() {
	d, u := s.Deps, s.UI
	scope := func(r *http.Request) auth.Scope { return auth.ScopeFrom(r.Context()) }
	vehicleQuery := []web.Param{{Name: "org_id", Type: "integer", Help: "产权单位（含下级）"}, {Name: "category", Help: Categories.Described()},
		{Name: "status", Help: "in_use|sealed|disposed"}, {Name: "fuel_type", Help: "能源类型，或 nev（全部新能源汽车）"}, {Name: "q", Help: "车牌、品牌、型号或单位"}}

	// The ledger.
	module.List(d, "GET /api/v1/vehicles", PermRead, web.Doc{Summary: "车辆台账", Query: vehicleQuery}, parseVehicleFilter, ListVehicles)
	module.Create(d, "POST /api/v1/vehicles", PermRegister, web.Doc{Summary: "登记车辆（车牌号已登记 → 409）"}, s.CreateVehicle)
	module.Get(d, "GET /api/v1/vehicles/{id}", PermRead, web.Doc{Summary: "车辆"}, GetVehicle)
	u.API("PATCH /api/v1/vehicles/{id}", PermRegister, web.Doc{Summary: "修改车辆（只改给出的字段）", Body: VehicleInput{}, Response: Vehicle{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			v, err := GetVehicle(r.Context(), s.DB, scope(r), id)
			if err != nil {
				return err
			}
			in := inputOf(v)
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			out, err := s.UpdateVehicle(r.Context(), scope(r), id, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, out)
		})
	s.historyAPI("/api/v1/vehicles/{id}", objVehicle, "车辆", func(r *http.Request, id int64) error {
		_, err := GetVehicle(r.Context(), s.DB, scope(r), id)
		return err
	})
	u.API("GET /api/v1/vehicles/{id}/ledger", PermRead, web.Doc{Summary: "单车核算：一年的行驶里程、出车次数、费用（按类型）和每公里费用", Response: Ledger{},
		Query: []web.Param{{Name: "year", Type: "integer", Help: "年份，默认今年"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			y, err := s.year(r)
			if err != nil {
				return err
			}
			l, err := VehicleLedger(r.Context(), s.DB, scope(r), id, y)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, l)
		})
	u.API("GET /api/v1/vehicles/{id}/costs", PermRead, web.Doc{Summary: "车辆一年的费用明细", Response: Cost{}, List: true,
		Query: []web.Param{{Name: "year", Type: "integer", Help: "年份，默认今年"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			y, err := s.year(r)
			if err != nil {
				return err
			}
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			items, total, err := ListCosts(r.Context(), s.DB, scope(r), id, y, l)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, total))
		})
	module.Create(d, "POST /api/v1/vehicle-costs", PermRegister, web.Doc{Summary: "登记车辆费用"}, s.CreateCost)

	// Drivers.
	module.List(d, "GET /api/v1/drivers", PermRead, web.Doc{Summary: "驾驶员", Query: []web.Param{{Name: "org_id", Type: "integer"}, {Name: "status", Help: "active|inactive"}, {Name: "q", Help: "姓名"}}},
		parseDriverFilter, ListDrivers)
	module.Create(d, "POST /api/v1/drivers", PermRegister, web.Doc{Summary: "登记驾驶员（人员已登记 → 409）"}, s.CreateDriver)
	module.Get(d, "GET /api/v1/drivers/{id}", PermRead, web.Doc{Summary: "驾驶员"}, GetDriver)
	module.Update(d, "PATCH /api/v1/drivers/{id}", PermRegister, web.Doc{Summary: "修改驾驶员的准驾车型、驾驶证有效期、电话或状态"}, s.UpdateDriver)

	// 编制 and compliance.
	u.API("PUT /api/v1/fleet/quotas", PermManage, web.Doc{Summary: "核定单位某类公务用车的编制数", Body: QuotaInput{}, Response: Quota{}}, func(w http.ResponseWriter, r *http.Request) error {
		var in QuotaInput
		if err := web.DecodeJSON(r, &in); err != nil {
			return err
		}
		x, err := s.SetQuota(r.Context(), scope(r), in)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, x)
	})
	u.API("GET /api/v1/fleet/quotas", PermRead, web.Doc{Summary: "公务用车编制与实有车辆", Response: Quota{}, List: true,
		Query: []web.Param{{Name: "org_id", Type: "integer", Help: "仅该单位"}}}, func(w http.ResponseWriter, r *http.Request) error {
		orgID, err := web.QueryInt(r, "org_id")
		if err != nil {
			return err
		}
		if orgID > 0 {
			if err := checkOrg(r.Context(), s.DB, scope(r), orgID, "org_id"); err != nil {
				return err
			}
		}
		items, err := ListQuotas(r.Context(), s.DB, scope(r), orgID)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
	})
	u.API("GET /api/v1/fleet/compliance", PermRead, web.Doc{Summary: "公务用车合规检查：超价格、超排气量、超编制、可更新、越野车作领导固定用车、新能源比例、非国产、登记在产权单位以外、无出车记录的燃油（充电）费，每条附依据条文和文件",
		Response: ComplianceItem{}, List: true, Query: []web.Param{{Name: "org_id", Type: "integer", Help: "单位（含下级）；省略为全部数据范围"}, {Name: "rule", Help: Rules.Described()}}},
		func(w http.ResponseWriter, r *http.Request) error {
			orgID, err := web.QueryInt(r, "org_id")
			if err != nil {
				return err
			}
			items, err := s.Compliance(r.Context(), s.DB, scope(r), orgID)
			if err != nil {
				return err
			}
			if rule := strings.TrimSpace(r.URL.Query().Get("rule")); rule != "" {
				var keep []ComplianceItem
				for _, it := range items {
					if it.Rule == rule {
						keep = append(keep, it)
					}
				}
				items = keep
			}
			if items == nil {
				items = []ComplianceItem{}
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
		})

	// Trip requests.
	module.Create(d, "POST /api/v1/trip-requests", PermRequest, web.Doc{Summary: "提交用车申请（进入审批，status: submitted）"}, s.CreateTrip)
	module.List(d, "GET /api/v1/trip-requests", permTrips, web.Doc{Summary: "用车申请（干部职工只看到本人的）", Query: []web.Param{{Name: "org_id", Type: "integer"},
		{Name: "status", Help: TripStatuses.Described()}, {Name: "vehicle_id", Type: "integer"}, {Name: "q", Help: "事由、目的地或用车人"}}}, parseTripFilter, ListTrips)
	module.Get(d, "GET /api/v1/trip-requests/{id}", permTrips, web.Doc{Summary: "用车申请"}, GetTrip)
	s.historyAPIPerm("/api/v1/trip-requests/{id}", permTrips, objTrip, "用车申请", func(r *http.Request, id int64) error {
		_, err := GetTrip(r.Context(), s.DB, scope(r), id)
		return err
	})
	module.Action(d, "POST /api/v1/trip-requests/{id}/approve", PermApprove, web.Doc{Summary: "审批同意（须为当前审批步骤的审批人）"},
		func(ctx context.Context, sc auth.Scope, id int64, in CommentInput) (Trip, error) {
			return s.DecideTrip(ctx, sc, id, true, in.Comment)
		})
	module.Action(d, "POST /api/v1/trip-requests/{id}/reject", PermApprove, web.Doc{Summary: "驳回（comment 必填）"},
		func(ctx context.Context, sc auth.Scope, id int64, in CommentInput) (Trip, error) {
			return s.DecideTrip(ctx, sc, id, false, in.Comment)
		})
	module.Action(d, "POST /api/v1/trip-requests/{id}/dispatch", PermDispatch, web.Doc{Summary: "派车：车辆或驾驶员在重叠时段已派 → 409；节假日封存的车辆派给法定节假日的非紧急用车 → 409；派社会化保障车辆时改给 hire_vehicle_id、hire_driver_id"}, s.Dispatch)
	module.Action(d, "POST /api/v1/trip-requests/{id}/start", PermDispatch, web.Doc{Summary: "出车，记录出车里程"}, s.StartTrip)
	module.Action(d, "POST /api/v1/trip-requests/{id}/complete", PermDispatch, web.Doc{Summary: "收车，记录收车里程和通行费、停车费、燃油费"}, s.CompleteTrip)
	module.Action(d, "POST /api/v1/trip-requests/{id}/cancel", PermRequest+"|"+PermDispatch, web.Doc{Summary: "取消用车（申请人或调度员；审批中的由申请人撤回）"},
		func(ctx context.Context, sc auth.Scope, id int64, in CommentInput) (Trip, error) {
			return s.CancelTrip(ctx, sc, id, in.Comment)
		})
	module.Action(d, "POST /api/v1/trip-requests/{id}/rate", PermRequest, web.Doc{Summary: "用车人评价已完成的行程（rating 1–5，comment 选填；非用车人 → 403；未完成或已评价 → 409）"}, s.RateTrip)
	u.API("GET /api/v1/trip-requests/{id}/suggestions", PermDispatch, web.Doc{Summary: "派车建议：该时段空闲、座位够用的车辆（本单位优先、新能源优先、座位最合适）和空闲驾驶员；没有合适的本单位车辆或驾驶员时另列社会化保障车辆和驾驶员",
		Response: SuggestAnswer{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		t, err := GetTrip(r.Context(), s.DB, scope(r), id)
		if err != nil {
			return err
		}
		vs, ds, err := s.Suggest(r.Context(), s.DB, scope(r), t, 20)
		if err != nil {
			return err
		}
		if vs == nil {
			vs = []Suggestion{}
		}
		if ds == nil {
			ds = []FreeDriver{}
		}
		ans := SuggestAnswer{Vehicles: vs, Drivers: ds, HireVehicles: []HireSuggestion{}, HireDrivers: []HireFreeDriver{}}
		if len(vs) == 0 || len(ds) == 0 {
			hv, hd, err := SuggestHire(r.Context(), s.DB, scope(r), t, 20)
			if err != nil {
				return err
			}
			ans.HireVehicles, ans.HireDrivers = append(ans.HireVehicles, hv...), append(ans.HireDrivers, hd...)
		}
		return web.JSON(w, http.StatusOK, ans)
	})
}

// historyAPI registers GET <path>/history (fleet:read) for an object type whose visibility get checks.
func (s *Service) historyAPI(path, objType, what string, get func(r *http.Request, id int64) error) {
	s.historyAPIPerm(path, PermRead, objType, what, get)
}

func (s *Service) historyAPIPerm(path, perm, objType, what string, get func(r *http.Request, id int64) error) {
	s.UI.API("GET "+path+"/history", perm, web.Doc{Summary: what + "变更历史", Response: historyDoc{}}, func(w http.ResponseWriter, r *http.Request) error {
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
