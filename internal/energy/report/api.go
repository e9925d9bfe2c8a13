package report

import (
	"fmt"
	"net/http"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

// Detail is a unit's report as the API returns it.
type Detail struct {
	Report       Report       `json:"report"`
	Form         Form         `json:"form"`
	Completeness Completeness `json:"completeness"`
	Locked       bool         `json:"locked" doc:"已审核：该单位该年度的能耗数据已锁定"`
	Held         []string     `json:"held_types,omitempty" doc:"锁定后计量数据有变化、尚未计入年度数据的能源品种（重新打开后计入）"`
}

func (s *Service) api() {
	u := s.UI
	yearQ := web.Param{Name: "year", Type: "integer", Help: "统计年度，默认上一年"}
	u.API("GET /api/v1/energy/reports", "energy:read", web.Doc{Summary: "数据范围内各单位某年度统计报表的状态与完整性检查", Response: Item{}, List: true,
		Query: []web.Param{yearQ, {Name: "status", Help: "draft|submitted|returned|approved"}, {Name: "kind", Help: "basic 基层表（默认）|summary 综合表"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			f, err := s.parseFilter(r)
			if err != nil {
				return err
			}
			items, err := s.listItems(r, f)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
		})
	u.API("GET /api/v1/energy/reports/details", "energy:read", web.Doc{Summary: "基层表明细：机关事务管理部门所辖各单位的基层表，每单位一行、按表式代码分列（format=xlsx 导出 Excel）",
		Response: Details{}, Query: []web.Param{{Name: "org_id", Type: "integer", Help: "汇总单位，默认本人所在单位"}, yearQ,
			{Name: "status", Help: "只列该状态的报表：draft、submitted、returned、approved"}, {Name: "format", Help: "xlsx 导出 Excel"}}},
		func(w http.ResponseWriter, r *http.Request) error { return s.details(w, r, false) })
	u.API("GET /api/v1/energy/reports/summary", "energy:read", web.Doc{Summary: "综合表：机关事务管理部门所辖单位按行政区域或单位类别汇总（format=xlsx 导出 Excel）",
		Response: Summary{}, Query: []web.Param{yearQ, {Name: "org_id", Type: "integer", Help: "汇总单位，默认本人数据范围的单位"},
			{Name: "by", Help: "region（默认）|category"}, {Name: "format", Help: "xlsx 导出"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, y, by, err := s.parseSummary(r)
			if err != nil {
				return err
			}
			sm, err := BuildSummary(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id, y, by)
			if err != nil {
				return err
			}
			if web.WantsExport(r) {
				data, err := SummaryWorkbook(sm)
				if err != nil {
					return errs.Internal(err)
				}
				return s.sendWorkbook(w, r, fmt.Sprintf("%s-%d年度综合表", sm.OrgName, y), data, id)
			}
			return web.JSON(w, http.StatusOK, sm)
		})
	u.API("GET /api/v1/energy/reports/{org_id}/{year}", "energy:read", web.Doc{Summary: "单位某年度的基层表：基本信息、能源资源消费状况、完整性检查与上报状态", Response: Detail{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, y, err := pathKey(r)
			if err != nil {
				return err
			}
			d, err := s.detail(r.Context(), auth.ScopeFrom(r.Context()), id, y)
			if err != nil {
				return err
			}
			if u := auth.UserFrom(r.Context()); u != nil && u.Can("energy:enter") {
				d.Report.Actions = Actions(auth.ScopeFrom(r.Context()), d.Report)
			}
			return web.JSON(w, http.StatusOK, d)
		})
	u.API("GET /api/v1/energy/reports/{org_id}/{year}/export", "energy:read", web.Doc{Summary: "导出基层表（Excel，按统计报表表式）"},
		s.formExport)
	u.API("PUT /api/v1/energy/reports/{org_id}/{year}/info", "energy:enter", web.Doc{Summary: "填报基层表中能耗数据以外的栏目（新能源汽车数量等）与签字栏",
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
	for _, action := range []string{ActSubmit, ActApprove, ActReturn, ActReopen} {
		tr := Transitions[action]
		who := "填报单位本身，审核单位不能代为上报；基层表须已填写单位负责人、统计负责人、填表人和联系电话，否则 422 逐项列出"
		if tr.Reviewer {
			who = "上级审核单位"
		}
		u.API("POST /api/v1/energy/reports/{org_id}/{year}/"+action, "energy:enter", web.Doc{
			Summary: fmt.Sprintf("%s统计报表（%s；不允许的状态 409，非审核层级 403，数据范围外 404）", tr.Name, who), Body: ActInput{}, Response: Report{}},
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
}
