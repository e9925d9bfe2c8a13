package quota

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/platform/web"
)

// year is the quota year asked for: by default this year.
func (s *Service) year(r *http.Request) (int, error) {
	return web.QueryYear(r, energy.PeriodOf(s.Clock.Now().Unix()).Year, 2000, 2100)
}

func standardFilter(r *http.Request) (StandardFilter, error) {
	qv := r.URL.Query()
	f := StandardFilter{RegionCode: strings.TrimSpace(qv.Get("region_code")), Category: qv.Get("category"), Indicator: qv.Get("indicator"),
		All: qv.Get("all") == "true" || qv.Get("all") == "1"}
	if f.RegionCode != "" && !refdata.ValidRegion(f.RegionCode) {
		return f, errs.Invalid("region_code", "行政区划代码应为 6 位数字")
	}
	if f.Category != "" && !org.Categories.Has(f.Category) {
		return f, errs.Invalid("category", "统计类别无效")
	}
	if f.Indicator != "" && indicatorName(f.Indicator) == "" {
		return f, errs.Invalid("indicator", "指标无效")
	}
	if v := qv.Get("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || checkYear(y) != nil {
			return f, errs.Invalid("year", "年度应为 2000–2100")
		}
		f.Year = y
	}
	return f, nil
}

func (s *Service) api() {
	u := s.UI
	u.API("GET /api/v1/energy/quota-standards", "energy:read", web.Doc{Summary: "能耗定额标准（约束值/基准值/引导值，按区划、类别、指标，含有效期与依据）",
		Response: Standard{}, List: true, Query: []web.Param{{Name: "region_code"}, {Name: "category"}, {Name: "indicator"},
			{Name: "year", Type: "integer", Help: "只列该年度有效的标准"}, {Name: "all", Type: "boolean", Help: "含已废止"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			f, err := standardFilter(r)
			if err != nil {
				return err
			}
			items, err := ListStandards(r.Context(), s.DB, f)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
		})
	u.API("GET /api/v1/energy/quota-standards/{id}", "energy:read", web.Doc{Summary: "一条能耗定额标准", Response: Standard{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			st, err := GetStandard(r.Context(), s.DB, id)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, st)
		})
	u.API("POST /api/v1/energy/quota-standards", PermQuota, web.Doc{Summary: "新增能耗定额标准（约束值 ≥ 基准值 ≥ 引导值，同一区划、类别、指标的有效期不得重叠）",
		Body: StandardInput{}, Response: Standard{}, Status: 201},
		func(w http.ResponseWriter, r *http.Request) error {
			var in StandardInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			st, err := s.CreateStandard(r.Context(), in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusCreated, st)
		})
	u.API("PUT /api/v1/energy/quota-standards/{id}", PermQuota, web.Doc{Summary: "修改能耗定额标准（留存变更历史）", Body: StandardInput{}, Response: Standard{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			var in StandardInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			st, err := s.UpdateStandard(r.Context(), id, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, st)
		})

	u.API("GET /api/v1/energy/quotas", "energy:read", web.Doc{Summary: "单位年度能耗定额及其直属下级的定额、上年实际与分解方式", Response: View{},
		Query: []web.Param{{Name: "year", Type: "integer", Help: "默认今年"}, {Name: "org_id", Type: "integer", Help: "默认数据范围的单位"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			y, err := s.year(r)
			if err != nil {
				return err
			}
			id, err := web.QueryInt(r, "org_id")
			if err != nil {
				return err
			}
			v, err := GetView(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id, y)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, v)
		})
	u.API("PUT /api/v1/energy/quotas", "energy:enter", web.Doc{Summary: "直接核定单位的年度定额（不超过上级定额的剩余部分，不少于已分解给下级的合计）",
		Body: SetInput{}, Response: Quota{}},
		func(w http.ResponseWriter, r *http.Request) error {
			var in SetInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			qt, err := s.SetQuota(r.Context(), auth.ScopeFrom(r.Context()), in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, qt)
		})
	u.API("POST /api/v1/energy/quotas/decompose", "energy:enter", web.Doc{Summary: "把单位的年度定额分解给直属下级（按上年占比、建筑面积、用能人数或手工；合计不得超过本单位定额）",
		Body: DecomposeInput{}, Response: View{}},
		func(w http.ResponseWriter, r *http.Request) error {
			var in DecomposeInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			v, err := s.Decompose(r.Context(), auth.ScopeFrom(r.Context()), in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, v)
		})
	u.API("GET /api/v1/energy/quota-warnings", "energy:read", web.Doc{Summary: "能耗定额执行预警：年初至今、按上年逐月分布预测全年，与定额及约束值比较", Response: Warning{}, List: true,
		Query: []web.Param{{Name: "year", Type: "integer"}, {Name: "status", Help: "normal|warning|over|alert（预警和超定额）"}, {Name: "sort", Help: "ratio|org|projected|quota|status，前缀 - 为降序"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			y, err := s.year(r)
			if err != nil {
				return err
			}
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			items, total, err := ListWarnings(r.Context(), s.DB, auth.ScopeFrom(r.Context()), WarningFilter{Year: y, Status: r.URL.Query().Get("status"), List: l})
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, total))
		})
	u.API("POST /api/v1/energy/quota-warnings/refresh", PermQuota, web.Doc{Summary: "立即重算某年度的定额预警（定时任务每 6 小时执行）",
		Query: []web.Param{{Name: "year", Type: "integer"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			y, err := s.year(r)
			if err != nil {
				return err
			}
			n, _, err := s.Refresh(r.Context(), y, nil, false)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, map[string]any{"year": y, "units": n})
		})

	u.API("GET /api/v1/energy/quota-explanations", "energy:read", web.Doc{Summary: "超定额说明", Response: Explanation{}, List: true,
		Query: []web.Param{{Name: "year", Type: "integer", Help: "缺省为全部年度"}, {Name: "status", Help: "submitted|approved|returned|withdrawn"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			y := 0
			if r.URL.Query().Get("year") != "" {
				var err error
				if y, err = s.year(r); err != nil {
					return err
				}
			}
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			items, total, err := ListExplanations(r.Context(), s.DB, auth.ScopeFrom(r.Context()), y, r.URL.Query().Get("status"), l)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, total))
		})
	module.Get(s.Deps, "GET /api/v1/energy/quota-explanations/{id}", "energy:read", web.Doc{Summary: "一份超定额说明"}, GetExplanation)
	module.Create(s.Deps, "POST /api/v1/energy/quota-explanations", "energy:enter", web.Doc{Summary: "提交超定额说明（已结束年度实际超定额，或本年预测超定额），进入审批"}, s.SubmitExplanation)
	module.Update(s.Deps, "POST /api/v1/energy/quota-explanations/{id}/resubmit", "energy:enter", web.Doc{Summary: "修改被退回的超定额说明并重新提交"}, s.ResubmitExplanation)
}
