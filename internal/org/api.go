package org

import (
	"context"
	"net/http"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

type moveBody struct {
	ParentID int64 `json:"parent_id"`
}

type historyDoc struct {
	Items []history.Entry `json:"items"`
}

func (s *Service) api() {
	u := s.UI
	module.List(s.Deps, "GET /api/v1/orgs", "org:read", web.Doc{Summary: "单位列表（按数据范围）", Query: []web.Param{
		{Name: "parent_id", Type: "integer", Help: "只列直属下级；0 为顶级"}, {Name: "under_id", Type: "integer", Help: "该单位以下的全部单位"},
		{Name: "kind", Help: "单位类型"}, {Name: "admin_level", Help: "机构层级"}, {Name: "category", Help: "统计类别"},
		{Name: "status", Help: "active|inactive"}, {Name: "region_code", Help: "行政区划代码（前缀）"}}}, parseOrgFilter, ListOrgs)
	module.Create(s.Deps, "POST /api/v1/orgs", "org:write", web.Doc{Summary: "创建单位"}, s.CreateOrg)
	module.Get(s.Deps, "GET /api/v1/orgs/{id}", "org:read", web.Doc{Summary: "单位详情"}, GetOrg)
	module.Update(s.Deps, "PATCH /api/v1/orgs/{id}", "org:write", web.Doc{Summary: "修改单位（含 parent_id 则移动）"}, s.UpdateOrg)
	u.API("POST /api/v1/orgs/{id}/move", "org:write", web.Doc{Summary: "移动单位到新的上级（不得形成循环）", Body: moveBody{}, Response: Org{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		var b moveBody
		if err := web.DecodeJSON(r, &b); err != nil {
			return err
		}
		o, err := s.MoveOrg(r.Context(), auth.ScopeFrom(r.Context()), id, b.ParentID)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, o)
	})
	for _, act := range []struct{ verb, status, summary string }{{"deactivate", "inactive", "停用单位"}, {"activate", "active", "启用单位"}} {
		act := act
		u.API("POST /api/v1/orgs/{id}/"+act.verb, "org:write", web.Doc{Summary: act.summary, Response: Org{}}, func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			o, err := s.SetOrgStatus(r.Context(), auth.ScopeFrom(r.Context()), id, act.status)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, o)
		})
	}
	module.Delete(s.Deps, "DELETE /api/v1/orgs/{id}", "org:write", web.Doc{Summary: "删除无下级、无人员、无引用的单位（否则 409）"}, s.DeleteOrg)
	u.API("GET /api/v1/orgs/{id}/history", "org:read", web.Doc{Summary: "单位变更历史", Response: historyDoc{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		if _, err := GetOrg(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id); err != nil {
			return err
		}
		h, err := history.List(r.Context(), s.DB, "org", id, 500)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(h, int64(len(h))))
	})
	s.importAPI("orgs", "单位", "org:write", OrgColumns, s.ImportOrgs)

	u.API("GET /api/v1/people", "person:read", web.Doc{Summary: "人员列表（按数据范围）", Response: Person{}, List: true, Cursor: true, Query: []web.Param{
		{Name: "org_id", Type: "integer", Help: "所在单位"}, {Name: "subtree", Type: "boolean", Help: "包含下级单位的人员"},
		{Name: "rank", Help: "职级"}, {Name: "status", Help: "active|retired|transferred"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			f, err := parsePersonFilter(r)
			if err != nil {
				return err
			}
			sc := auth.ScopeFrom(r.Context())
			if f.OrgID != 0 {
				if _, err := GetOrg(r.Context(), s.DB, sc, f.OrgID); err != nil {
					return err
				}
			}
			pg, err := PeoplePage(r.Context(), s.DB, sc, f)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.PageItems(pg))
		})
	module.Create(s.Deps, "POST /api/v1/people", "person:write", web.Doc{Summary: "登记人员"}, s.CreatePerson)
	module.Get(s.Deps, "GET /api/v1/people/{id}", "person:read", web.Doc{Summary: "人员详情"}, GetPerson)
	module.Update(s.Deps, "PATCH /api/v1/people/{id}", "person:write", web.Doc{Summary: "修改人员（职级、状态、调动等）"}, s.UpdatePerson)
	module.Delete(s.Deps, "DELETE /api/v1/people/{id}", "person:write", web.Doc{Summary: "删除误录的人员（有账户或业务引用时 409）"}, s.DeletePerson)
	s.importAPI("people", "人员", "person:write", PersonColumns, s.ImportPeople)

	u.API("GET /api/v1/regions", web.SignedIn, web.Doc{Summary: "行政区划（按上级代码列出或按名称、代码搜索）", Response: Region{}, List: true,
		Query: []web.Param{{Name: "parent", Help: "上级区划代码"}}}, func(w http.ResponseWriter, r *http.Request) error {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		rs, err := SearchRegions(r.Context(), s.DB, r.URL.Query().Get("parent"), l.Q, l.PageSize)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(rs, int64(len(rs))))
	})
}

// importAPI registers POST /api/v1/<what>/import (multipart "file"; ?dry_run=true validates only).
func (s *Service) importAPI(what, noun, perm string, cols []xlsx.Column, run func(ctx context.Context, sc auth.Scope, rows []xlsx.Row, dry bool) (xlsx.Report, error)) {
	s.UI.API("POST /api/v1/"+what+"/import", perm, web.Doc{Summary: "Excel 批量导入" + noun + "（multipart 字段 file；dry_run=true 只校验不写入；有错误行时整体不写入并返回 422）",
		Response: xlsx.Report{}, Query: []web.Param{{Name: "dry_run", Type: "boolean", Help: "只校验"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			rows, err := xlsx.ReadUpload(r, cols)
			if err != nil {
				return err
			}
			dry := r.URL.Query().Get("dry_run") == "true" || r.URL.Query().Get("dry_run") == "1"
			rep, err := run(r.Context(), auth.ScopeFrom(r.Context()), rows, dry)
			if err != nil {
				return err
			}
			if !rep.OK() {
				return web.JSON(w, http.StatusUnprocessableEntity, struct {
					Error  errBody     `json:"error"`
					Report xlsx.Report `json:"report"`
				}{errBody{Code: string(errs.CodeValidation), Message: "导入文件有错误行，未写入任何数据"}, rep})
			}
			return web.JSON(w, http.StatusOK, rep)
		})
	s.UI.API("GET /api/v1/"+what+"/import/template", perm, web.Doc{Summary: noun + "导入模板", Binary: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		func(w http.ResponseWriter, r *http.Request) error {
			b, err := xlsx.Template(cols, noun)
			if err != nil {
				return err
			}
			xlsx.Send(w, noun+"导入模板", b)
			return nil
		})
}

type errBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}
