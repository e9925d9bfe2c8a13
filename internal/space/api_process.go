package space

import (
	"net/http"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

// The API of the processes: rectification, reallocation and vacating, repairs and disposal, stocktakes.

type allocationDetail struct {
	Allocation
	Workflow any `json:"workflow,omitempty" doc:"审批流程（kit 的审批实例）"`
}

type withdrawBody struct {
	Comment string `json:"comment,omitempty"`
}

type stocktakeDetail struct {
	Stocktake
	Units []UnitCheck `json:"units"`
}

func (s *Service) registerAPIProcess() {
	u := s.UI
	sc := func(r *http.Request) auth.Scope { return auth.ScopeFrom(r.Context()) }
	id := func(r *http.Request) (int64, error) { return web.PathID(r, "id") }

	u.API("GET /api/v1/space/rectifications", PermRead, web.Doc{Summary: "整改任务", Response: Rectification{}, List: true, Query: []web.Param{
		{Name: "org_id", Type: "integer", Help: "单位（含下级）"}, {Name: "status", Help: "open|submitted|closed|cancelled"}, {Name: "overdue", Type: "boolean"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			orgID, err := web.QueryInt(r, "org_id")
			if err != nil {
				return err
			}
			overdue, err := queryBool(r, "overdue")
			if err != nil {
				return err
			}
			items, total, err := s.ListRectifications(r.Context(), s.DB, sc(r), RectifyFilter{List: l, OrgID: orgID, Status: r.URL.Query().Get("status"), Overdue: overdue})
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, total))
		})
	module.Create(s.Deps, "POST /api/v1/space/rectifications", PermManage, web.Doc{Summary: "对违规下达整改任务（一项违规同时只有一个进行中的任务）"}, s.CreateRectification)
	module.Create(s.Deps, "POST /api/v1/space/rectifications/batch", PermManage,
		web.Doc{Summary: "批量下达整改：多项违规一次下达，同一整改要求和期限；全部成功或全部不下达（409/422 说明哪一项）"}, s.CreateRectifications)
	module.Get(s.Deps, "GET /api/v1/space/rectifications/{id}", PermRead, web.Doc{Summary: "整改任务详情"}, s.GetRectification)
	for _, a := range []struct{ verb, perm, summary string }{
		{"submit", PermRegister, "单位报送整改情况（report），待整改 → 待核验"},
		{"return", PermManage, "退回整改（note，可给新期限 deadline），待核验 → 待整改"},
		{"verify", PermManage, "核验销号：违规已消除时 待核验 → 已销号，否则 409"},
		{"cancel", PermManage, "撤销任务（note）"},
	} {
		a := a
		u.API("POST /api/v1/space/rectifications/{id}/"+a.verb, a.perm, web.Doc{Summary: a.summary, Body: RectifyAction{}, Response: Rectification{}},
			func(w http.ResponseWriter, r *http.Request) error {
				n, err := id(r)
				if err != nil {
					return err
				}
				var in RectifyAction
				if r.ContentLength != 0 {
					if err := web.DecodeJSON(r, &in); err != nil {
						return err
					}
				}
				t, err := s.ActRectification(r.Context(), sc(r), n, a.verb, in)
				if err != nil {
					return err
				}
				return web.JSON(w, http.StatusOK, t)
			})
	}
	s.historyAPI("/api/v1/space/rectifications/{id}", objRectify, "整改任务", func(r *http.Request, n int64) error {
		_, err := s.GetRectification(r.Context(), s.DB, sc(r), n)
		return err
	})

	u.API("GET /api/v1/space/allocations", PermRead, web.Doc{Summary: "调剂申请", Response: Allocation{}, List: true, Query: []web.Param{{Name: "status"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			items, total, err := ListAllocations(r.Context(), s.DB, sc(r), l, r.URL.Query().Get("status"))
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, total))
		})
	module.Create(s.Deps, "POST /api/v1/space/allocations", PermRegister, web.Doc{Summary: "提交调剂申请（进入审批流程）"}, s.CreateAllocation)
	u.API("GET /api/v1/space/allocations/{id}", PermRead, web.Doc{Summary: "调剂申请详情", Response: allocationDetail{}}, func(w http.ResponseWriter, r *http.Request) error {
		n, err := id(r)
		if err != nil {
			return err
		}
		a, err := GetAllocation(r.Context(), s.DB, sc(r), n)
		if err != nil {
			return err
		}
		d := allocationDetail{Allocation: a}
		if inst, err := s.Workflow.ForObject(r.Context(), s.DB, wfAllocation, n); err == nil {
			d.Workflow = inst
		}
		return web.JSON(w, http.StatusOK, d)
	})
	u.API("POST /api/v1/space/allocations/{id}/withdraw", PermRegister, web.Doc{Summary: "申请人撤回审批中的调剂申请", Body: withdrawBody{}, Response: Allocation{}},
		func(w http.ResponseWriter, r *http.Request) error {
			n, err := id(r)
			if err != nil {
				return err
			}
			var b withdrawBody
			if r.ContentLength != 0 {
				if err := web.DecodeJSON(r, &b); err != nil {
					return err
				}
			}
			a, err := s.WithdrawAllocation(r.Context(), sc(r), n, b.Comment)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, a)
		})
	module.Update(s.Deps, "POST /api/v1/space/allocations/{id}/complete", PermManage, web.Doc{Summary: "办理已批准的调剂：空置房间划给申请单位"}, s.CompleteAllocation)

	u.API("GET /api/v1/space/vacates", PermRead, web.Doc{Summary: "腾退通知", Response: Vacate{}, List: true, Query: []web.Param{{Name: "status", Help: "pending|done|cancelled"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			items, total, err := s.ListVacates(r.Context(), s.DB, sc(r), l, r.URL.Query().Get("status"))
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, total))
		})
	module.Create(s.Deps, "POST /api/v1/space/vacates", PermManage, web.Doc{Summary: "下达腾退通知（person_id 省略为整间收回）"}, s.CreateVacate)
	for _, a := range []struct{ verb, perm, summary string }{{"complete", PermRegister, "完成腾退（收回使用）"}, {"cancel", PermManage, "撤销腾退通知"}} {
		a := a
		u.API("POST /api/v1/space/vacates/{id}/"+a.verb, a.perm, web.Doc{Summary: a.summary, Response: Vacate{}}, func(w http.ResponseWriter, r *http.Request) error {
			n, err := id(r)
			if err != nil {
				return err
			}
			v, err := s.ActVacate(r.Context(), sc(r), n, a.verb)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, v)
		})
	}

	u.API("GET /api/v1/space/repairs", PermRead, web.Doc{Summary: "维修项目", Response: Repair{}, List: true, Query: []web.Param{{Name: "building_id", Type: "integer"},
		{Name: "kind", Help: "major|medium|routine"}, {Name: "status"}}}, func(w http.ResponseWriter, r *http.Request) error {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		b, err := web.QueryInt(r, "building_id")
		if err != nil {
			return err
		}
		items, total, err := ListRepairs(r.Context(), s.DB, sc(r), RepairFilter{List: l, BuildingID: b, Kind: r.URL.Query().Get("kind"), Status: r.URL.Query().Get("status")})
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(items, total))
	})
	module.Create(s.Deps, "POST /api/v1/space/repairs", PermRegister, web.Doc{Summary: "申请维修（大修、中修、日常维修）"}, s.CreateRepair)
	module.Get(s.Deps, "GET /api/v1/space/repairs/{id}", PermRead, web.Doc{Summary: "维修项目详情"}, GetRepair)
	for _, a := range []struct{ verb, perm, summary string }{
		{"approve", PermManage, "批准（approved_yuan，默认为预算）"}, {"reject", PermManage, "驳回（note）"},
		{"start", PermManage, "开工（contractor, started_on）"}, {"accept", PermManage, "竣工验收（accepted_on, cost_yuan, note）"},
		{"cancel", PermRegister, "撤销（待审批或已批准未开工）"},
	} {
		a := a
		u.API("POST /api/v1/space/repairs/{id}/"+a.verb, a.perm, web.Doc{Summary: a.summary, Body: RepairAction{}, Response: Repair{}}, func(w http.ResponseWriter, r *http.Request) error {
			n, err := id(r)
			if err != nil {
				return err
			}
			var in RepairAction
			if r.ContentLength != 0 {
				if err := web.DecodeJSON(r, &in); err != nil {
					return err
				}
			}
			x, err := s.ActRepair(r.Context(), sc(r), n, a.verb, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, x)
		})
	}
	s.historyAPI("/api/v1/space/repairs/{id}", objRepair, "维修项目", func(r *http.Request, n int64) error {
		_, err := GetRepair(r.Context(), s.DB, sc(r), n)
		return err
	})

	module.List(s.Deps, "GET /api/v1/space/disposals", PermRead, web.Doc{Summary: "处置记录"}, web.ParseList, ListDisposals)
	module.Create(s.Deps, "POST /api/v1/space/disposals", PermManage, web.Doc{Summary: "处置楼栋或房间（须已腾空）"}, s.CreateDisposal)

	module.List(s.Deps, "GET /api/v1/space/stocktakes", PermRead, web.Doc{Summary: "清查盘点"}, web.ParseList, ListStocktakes)
	module.Create(s.Deps, "POST /api/v1/space/stocktakes", PermManage, web.Doc{Summary: "发起清查盘点（复制台账为清单）"}, s.CreateStocktake)
	u.API("GET /api/v1/space/stocktakes/{id}", PermRead, web.Doc{Summary: "清查盘点进度与单位核对（账账、账证）", Response: stocktakeDetail{}}, func(w http.ResponseWriter, r *http.Request) error {
		n, err := id(r)
		if err != nil {
			return err
		}
		st, err := GetStocktake(r.Context(), s.DB, sc(r), n)
		if err != nil {
			return err
		}
		d := stocktakeDetail{Stocktake: st}
		if d.Units, err = StocktakeUnits(r.Context(), s.DB, sc(r), n); err != nil {
			return err
		}
		if d.Units == nil {
			d.Units = []UnitCheck{}
		}
		return web.JSON(w, http.StatusOK, d)
	})
	u.API("GET /api/v1/space/stocktakes/{id}/rooms", PermRead, web.Doc{Summary: "清查盘点的房间清单（账实）", Response: CheckItem{}, List: true,
		Query: []web.Param{{Name: "problems", Type: "boolean", Help: "只列账实不符"}}}, func(w http.ResponseWriter, r *http.Request) error {
		n, err := id(r)
		if err != nil {
			return err
		}
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		only, err := queryBool(r, "problems")
		if err != nil {
			return err
		}
		if _, err := GetStocktake(r.Context(), s.DB, sc(r), n); err != nil {
			return err
		}
		items, total, err := StocktakeItems(r.Context(), s.DB, sc(r), n, l, only)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(items, total))
	})
	u.API("POST /api/v1/space/stocktakes/{id}/rooms/{room_id}", PermRegister, web.Doc{Summary: "登记房间盘点结果", Body: CheckInput{}, Status: 204},
		func(w http.ResponseWriter, r *http.Request) error {
			n, err := id(r)
			if err != nil {
				return err
			}
			room, err := web.PathID(r, "room_id")
			if err != nil {
				return err
			}
			var in CheckInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			if err := s.CheckRoom(r.Context(), sc(r), n, room, in); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		})
	u.API("POST /api/v1/space/stocktakes/{id}/units/{org_id}", PermRegister, web.Doc{Summary: "单位确认分台账合计与凭证原件", Body: UnitInput{}, Status: 204},
		func(w http.ResponseWriter, r *http.Request) error {
			n, err := id(r)
			if err != nil {
				return err
			}
			orgID, err := web.PathID(r, "org_id")
			if err != nil {
				return err
			}
			var in UnitInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			if err := s.ConfirmUnit(r.Context(), sc(r), n, orgID, in); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		})
	u.API("POST /api/v1/space/stocktakes/{id}/close", PermManage, web.Doc{Summary: "结束清查盘点", Response: Stocktake{}}, func(w http.ResponseWriter, r *http.Request) error {
		n, err := id(r)
		if err != nil {
			return err
		}
		st, err := s.CloseStocktake(r.Context(), sc(r), n)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, st)
	})
	s.importAPI()
}
