package report

import (
	"fmt"
	"net/http"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/web"
)

func (s *Service) api() {
	u := s.UI
	yearQ := web.Param{Name: "year", Type: "integer", Help: "统计年度，默认上一年"}
	orgQ := web.Param{Name: "org_id", Type: "integer", Help: "单位（含下级），默认本人数据范围的单位"}
	xlsxQ := web.Param{Name: "format", Help: "xlsx 导出 Excel"}
	u.API("GET /api/v1/fleet/reports", PermRead, web.Doc{Summary: "数据范围内各单位某年度公务用车统计报表的上报状态（含逾期标记）", Response: Report{}, List: true,
		Query: []web.Param{yearQ, {Name: "status", Help: "draft|submitted|returned|approved"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			f, err := s.parseFilter(r)
			if err != nil {
				return err
			}
			items, err := ListReports(r.Context(), s.DB, auth.ScopeFrom(r.Context()), f)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
		})
	u.API("GET /api/v1/fleet/reports/summary", PermRead, web.Doc{Summary: "公务用车统计报表汇总：单位及其下级各单位的报表与合计（format=xlsx 导出 Excel）",
		Response: Summary{}, Query: []web.Param{yearQ, orgQ, xlsxQ}},
		func(w http.ResponseWriter, r *http.Request) error {
			sm, err := s.summaryFor(r)
			if err != nil {
				return err
			}
			if web.WantsExport(r) {
				return s.summaryExport(w, r, sm)
			}
			return web.JSON(w, http.StatusOK, sm)
		})
	u.API("GET /api/v1/fleet/reports/{org_id}/{year}", PermRead, web.Doc{Summary: "单位某年度公务用车配备更新和使用情况统计报表：数据、填报信息与上报状态（GovOps layout）",
		Response: Detail{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, y, err := pathKey(r)
			if err != nil {
				return err
			}
			d, err := s.detail(r.Context(), auth.ScopeFrom(r.Context()), id, y)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, d)
		})
	u.API("GET /api/v1/fleet/reports/{org_id}/{year}/export", PermRead, web.Doc{Summary: "导出统计报表（Excel，GovOps layout）",
		Binary: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, s.formExport)
	u.API("PUT /api/v1/fleet/reports/{org_id}/{year}/info", PermReport, web.Doc{Summary: "填报统计报表中台账以外的栏目（其中更新车辆数、预算数）与签署栏；已上报、已审核 409",
		Body: Info{}, Response: Info{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, y, err := pathKey(r)
			if err != nil {
				return err
			}
			var in Info
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			out, err := s.SaveInfo(r.Context(), auth.ScopeFrom(r.Context()), id, y, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, out)
		})
	for _, action := range actionOrder {
		tr := Transitions[action]
		who := "填报单位本身，审核单位不能代为上报；须已填写单位负责人、填表人和联系电话，否则 422 逐项列出；上报后数据锁定为快照"
		if tr.Reviewer {
			who = "上级审核单位"
		}
		u.API("POST /api/v1/fleet/reports/{org_id}/{year}/"+action, PermReport, web.Doc{
			Summary: fmt.Sprintf("%s公务用车统计报表（%s；不允许的状态 409，非审核层级 403，数据范围外 404）", tr.Name, who), Body: ActInput{}, Response: Report{}},
			func(w http.ResponseWriter, r *http.Request) error {
				id, y, err := pathKey(r)
				if err != nil {
					return err
				}
				var in ActInput
				if r.ContentLength != 0 {
					if err := web.DecodeJSON(r, &in); err != nil {
						return err
					}
				}
				rep, err := s.Act(r.Context(), auth.ScopeFrom(r.Context()), id, y, action, in)
				if err != nil {
					return err
				}
				return web.JSON(w, http.StatusOK, rep)
			})
	}
	u.API("GET /api/v1/fleet/usage", PermRead, web.Doc{Summary: "公务用车使用情况：各车与各单位的出车次数、出车天数/工作日、里程、每公里费用（format=xlsx 导出 Excel）",
		Response: Usage{}, Query: []web.Param{{Name: "year", Type: "integer", Help: "年度，默认今年（截至今天）"}, orgQ, xlsxQ}},
		func(w http.ResponseWriter, r *http.Request) error {
			us, err := s.usageFor(r)
			if err != nil {
				return err
			}
			if web.WantsExport(r) {
				return s.usageExport(w, r, us)
			}
			return web.JSON(w, http.StatusOK, us)
		})
	u.API("GET /api/v1/fleet/exchange", PermRead, web.Doc{Summary: "省级公务用车平台数据交换数据集（按 DB32/T 3826-2020 接口分组，GovOps layout；format=xlsx 每组一个工作表）",
		Response: Exchange{}, Query: []web.Param{{Name: "year", Type: "integer", Help: "派车、费用的年度，默认今年"}, orgQ, xlsxQ}},
		func(w http.ResponseWriter, r *http.Request) error {
			ex, err := s.exchangeFor(r)
			if err != nil {
				return err
			}
			if web.WantsExport(r) {
				return s.exchangeExport(w, r, ex)
			}
			return web.JSON(w, http.StatusOK, ex)
		})
}
