package workflow

import (
	"net/http"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/web"
)

// CommentBody is the optional body of the instance actions.
type CommentBody struct {
	Comment string `json:"comment,omitempty" doc:"审批意见；驳回、退回与评论时必填"`
}

// decodeOptional decodes a JSON body when there is one.
func decodeOptional(r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return web.DecodeJSON(r, v)
}

func (s *Service) api() {
	u := s.UI
	u.API("GET /api/v1/workflow/types", web.SignedIn, web.Doc{Summary: "已注册的审批申请类型", Response: TypeInfo{}, List: true},
		func(w http.ResponseWriter, r *http.Request) error {
			ts := s.Types()
			return web.JSON(w, http.StatusOK, web.NewItems(ts, int64(len(ts))))
		})
	u.API("GET /api/v1/workflow/inbox", web.SignedIn, web.Doc{Summary: "我的审批：待我审批（含受托）、我发起的、我已处理", Response: Instance{}, List: true,
		Query: []web.Param{{Name: "box", Help: "pending（默认）· mine · handled"}, {Name: "type", Help: "申请类型"},
			{Name: "status", Help: "pending · approved · rejected · withdrawn"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			qv := r.URL.Query()
			items, total, err := s.Inbox(r.Context(), s.DB, auth.UserFrom(r.Context()),
				InboxFilter{Box: qv.Get("box"), Type: qv.Get("type"), Status: qv.Get("status"), List: l})
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, total))
		})
	u.API("GET /api/v1/workflow/instances/{id}", web.SignedIn, web.Doc{Summary: "审批详情（步骤、审批人、历史）；无权查看时 404", Response: Instance{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			inst, err := s.Get(r.Context(), s.DB, auth.UserFrom(r.Context()), id)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, inst)
		})
	u.API("GET /api/v1/workflow/instances/{id}/history", web.SignedIn, web.Doc{Summary: "审批历史（时间正序）", Response: Event{}, List: true},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			h, err := s.History(r.Context(), s.DB, auth.UserFrom(r.Context()), id)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(h, int64(len(h))))
		})
	for _, act := range []struct {
		a       Action
		summary string
	}{
		{ActApprove, "同意（当前步骤的审批人或其受托人；或签时推进到下一步，会签时全部同意后推进）"},
		{ActReject, "驳回（须填写意见；审批结束）"},
		{ActReturn, "退回上一步（须填写意见）"},
		{ActComment, "评论（可查看该审批的人均可；不改变状态）"},
		{ActWithdraw, "撤回（仅申请人，审批中时）"},
	} {
		act := act
		u.API("POST /api/v1/workflow/instances/{id}/"+string(act.a), web.SignedIn,
			web.Doc{Summary: act.summary + "；状态不允许时 409，非审批人 403", Body: CommentBody{}, Response: Instance{}},
			func(w http.ResponseWriter, r *http.Request) error {
				id, err := web.PathID(r, "id")
				if err != nil {
					return err
				}
				var b CommentBody
				if err := decodeOptional(r, &b); err != nil {
					return err
				}
				inst, err := s.Decide(r.Context(), auth.UserFrom(r.Context()), id, act.a, b.Comment)
				if err != nil {
					return err
				}
				return web.JSON(w, http.StatusOK, inst)
			})
	}

	u.API("GET /api/v1/workflow/delegations", web.SignedIn, web.Doc{Summary: "我委托出去的和委托给我的审批", Response: Delegation{}, List: true},
		func(w http.ResponseWriter, r *http.Request) error {
			ds, err := s.Delegations(r.Context(), s.DB, auth.UserFrom(r.Context()).ID)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(ds, int64(len(ds))))
		})
	u.API("POST /api/v1/workflow/delegations", web.SignedIn, web.Doc{Summary: "把我的审批委托给他人（按日期区间）", Body: DelegationInput{}, Response: Delegation{}, Status: 201},
		func(w http.ResponseWriter, r *http.Request) error {
			var in DelegationInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			d, err := s.CreateDelegation(r.Context(), auth.UserFrom(r.Context()), in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusCreated, d)
		})
	u.API("POST /api/v1/workflow/delegations/{id}/revoke", web.SignedIn, web.Doc{Summary: "撤销我的委托", Response: Delegation{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			d, err := s.RevokeDelegation(r.Context(), auth.UserFrom(r.Context()), id)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, d)
		})

	u.API("GET /api/v1/workflow/chains", PermConfig, web.Doc{Summary: "审批流程配置列表", Response: Chain{}, List: true,
		Query: []web.Param{{Name: "type", Help: "申请类型"}, {Name: "org_id", Type: "integer", Help: "适用单位"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			f, err := parseChainFilter(r)
			if err != nil {
				return err
			}
			cs, total, err := s.ListChains(r.Context(), s.DB, auth.ScopeFrom(r.Context()), f)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(cs, total))
		})
	u.API("POST /api/v1/workflow/chains", PermConfig, web.Doc{Summary: "新建审批流程（同一申请类型、同一单位仅一条；不指定单位为默认流程）", Body: ChainInput{}, Response: Chain{}, Status: 201},
		func(w http.ResponseWriter, r *http.Request) error {
			var in ChainInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			c, err := s.CreateChain(r.Context(), auth.ScopeFrom(r.Context()), in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusCreated, c)
		})
	u.API("GET /api/v1/workflow/chains/{id}", PermConfig, web.Doc{Summary: "审批流程详情", Response: Chain{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			c, err := s.GetChain(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, c)
		})
	u.API("PATCH /api/v1/workflow/chains/{id}", PermConfig, web.Doc{Summary: "修改审批流程（已提交的审批沿用提交时的步骤）", Body: ChainPatch{}, Response: Chain{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			var p ChainPatch
			if err := web.DecodeJSON(r, &p); err != nil {
				return err
			}
			c, err := s.UpdateChain(r.Context(), auth.ScopeFrom(r.Context()), id, p)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, c)
		})
	u.API("DELETE /api/v1/workflow/chains/{id}", PermConfig, web.Doc{Summary: "删除审批流程（进行中的审批不受影响）", Status: 204},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			if err := s.DeleteChain(r.Context(), auth.ScopeFrom(r.Context()), id); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		})
	u.API("GET /api/v1/workflow/preview", PermConfig, web.Doc{Summary: "试算：某单位提交某类申请时适用的流程与各步审批人", Response: Preview{},
		Query: []web.Param{{Name: "type", Help: "申请类型", Required: true}, {Name: "org_id", Type: "integer", Help: "申请单位", Required: true},
			{Name: "requester_id", Type: "integer", Help: "申请人（用户 id，可选；其本人不作为审批人）"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			org, err := web.QueryInt(r, "org_id")
			if err != nil {
				return err
			}
			req, err := web.QueryInt(r, "requester_id")
			if err != nil {
				return err
			}
			p, err := s.Preview(r.Context(), s.DB, auth.ScopeFrom(r.Context()), r.URL.Query().Get("type"), org, req)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, p)
		})
}

func parseChainFilter(r *http.Request) (ChainFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return ChainFilter{}, err
	}
	f := ChainFilter{List: l, Type: r.URL.Query().Get("type")}
	f.OrgID, err = web.QueryInt(r, "org_id")
	return f, err
}
