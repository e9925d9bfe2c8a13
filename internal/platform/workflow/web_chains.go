package workflow

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

type chainsPage struct {
	web.Globals
	Chains      []Chain
	Pager       web.Pager
	F           ChainFilter
	Types       []TypeInfo
	NoDefault   []TypeInfo
	PType       string
	POrg        int64
	POrgLabel   string
	Preview     *Preview
	PreviewErrs map[string]string
}

type chainFormPage struct {
	web.Globals
	Chain    *Chain
	Form     chainForm
	Errors   map[string]string
	Types    []TypeInfo
	Roles    []web.Option
	Ups      []web.Option
	OrgLabel string
}

type chainForm struct {
	Type  string
	OrgID int64
	Name  string
	Note  string
	Rows  []stepRow
}

// stepRow is one row of the steps table of the chain form (blank rows are ignored on save).
type stepRow struct {
	Index                         int
	Name, Mode, Kind, Role, Users string
	Up                            string
}

func chainCrumbs(extra ...web.Crumb) []web.Crumb {
	return append([]web.Crumb{{Label: "menu.system|系统管理"}, {Label: "workflow.chains|审批流程", Path: "/admin/workflows"}}, extra...)
}

func upOptions() []web.Option {
	out := make([]web.Option, 0, len(upChoices))
	for _, v := range upChoices {
		out = append(out, web.Option{Value: strconv.Itoa(v), Label: upKeys[v]})
	}
	return out
}

// padRows adds blank rows so an administrator can add steps without script.
func padRows(rows []stepRow) []stepRow {
	want := len(rows) + 2
	if want < 3 {
		want = 3
	}
	if want > maxSteps {
		want = maxSteps
	}
	for len(rows) < want {
		rows = append(rows, stepRow{Mode: ModeAny, Kind: KindRole, Up: "0"})
	}
	for i := range rows {
		rows[i].Index = i
	}
	return rows
}

func (s *Service) chainPages() {
	u := s.UI
	u.Page("GET /admin/workflows", PermConfig, func(w http.ResponseWriter, r *http.Request) error {
		f, err := parseChainFilter(r)
		if err != nil {
			return err
		}
		ctx := r.Context()
		sc := auth.ScopeFrom(ctx)
		if web.WantsExport(r) {
			f.List.Page, f.List.PageSize = 1, 100000
			chains, _, err := s.ListChains(ctx, s.DB, sc, f)
			if err != nil {
				return err
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "审批流程", []string{"申请类型", "类型代码", "适用单位", "流程名称", "审批步骤", "说明", "更新时间"}, chainRows(chains))
		}
		p := &chainsPage{Globals: u.G(r, "workflow.chains|审批流程", chainCrumbs()...), F: f, Types: s.Types()}
		var total int64
		if p.Chains, total, err = s.ListChains(ctx, s.DB, sc, f); err != nil {
			return err
		}
		p.Pager = web.NewPager(f.List, total)
		if p.NoDefault, err = s.TypesWithoutDefault(ctx, s.DB); err != nil {
			return err
		}
		qv := r.URL.Query()
		p.PType = qv.Get("ptype")
		if p.PType != "" || qv.Get("porg") != "" {
			fe := errs.Fields{}
			if p.POrg, err = strconv.ParseInt(qv.Get("porg"), 10, 64); err != nil {
				fe.Add("org_id", "请选择申请单位")
			}
			p.POrgLabel = s.Auth.Tree.OrgLabel(ctx, s.DB, p.POrg)
			if err := fe.Err(); err != nil {
				p.PreviewErrs = fe
			} else if pv, err := s.Preview(ctx, s.DB, sc, p.PType, p.POrg, 0); err != nil {
				e := errs.As(err)
				if e == nil || e.Fields == nil {
					return err
				}
				p.PreviewErrs = e.Fields
			} else {
				p.Preview = &pv
			}
		}
		return u.Render(w, r, http.StatusOK, "workflow/chains.html", p)
	})
	u.Page("GET /admin/workflows/new", PermConfig, func(w http.ResponseWriter, r *http.Request) error {
		f := chainForm{Type: r.URL.Query().Get("type")}
		f.OrgID, _ = strconv.ParseInt(r.URL.Query().Get("org_id"), 10, 64)
		f.Rows = padRows(nil)
		return s.renderChainForm(w, r, http.StatusOK, nil, f, nil)
	})
	u.Page("POST /admin/workflows", PermConfig, func(w http.ResponseWriter, r *http.Request) error {
		f, in, fields, err := s.parseChainForm(r.Context(), r)
		if err != nil {
			return err
		}
		in.Type, in.OrgID = f.Type, f.OrgID
		var c Chain
		if len(fields) == 0 {
			c, err = s.CreateChain(r.Context(), auth.ScopeFrom(r.Context()), in)
		}
		if status, fe, ok := chainFormErrors(err, fields); ok {
			return s.renderChainForm(w, r, status, nil, f, remapStepErrors(fe, f))
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, "/admin/workflows?type="+c.Type, u.Catalog.T(web.Lang(r), "workflow.flash.chain.created|已创建审批流程"))
	})
	u.Page("GET /admin/workflows/{id}", PermConfig, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		c, err := s.GetChain(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		f := chainForm{Type: c.Type, OrgID: c.OrgID, Name: c.Name, Note: c.Note}
		for _, st := range c.Steps {
			names := make([]string, 0, len(st.Users))
			for _, u := range st.Users {
				names = append(names, u.Username)
			}
			f.Rows = append(f.Rows, stepRow{Name: st.Name, Mode: st.Mode, Kind: st.Kind, Role: st.Role, Up: strconv.Itoa(st.Up), Users: strings.Join(names, ", ")})
		}
		f.Rows = padRows(f.Rows)
		return s.renderChainForm(w, r, http.StatusOK, &c, f, nil)
	})
	u.Page("POST /admin/workflows/{id}", PermConfig, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		c, err := s.GetChain(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		f, in, fields, err := s.parseChainForm(r.Context(), r)
		if err != nil {
			return err
		}
		f.Type = c.Type
		if len(fields) == 0 {
			_, err = s.UpdateChain(r.Context(), sc, id, ChainPatch{OrgID: &f.OrgID, Name: &in.Name, Note: &in.Note, Steps: &in.Steps})
		}
		if status, fe, ok := chainFormErrors(err, fields); ok {
			return s.renderChainForm(w, r, status, &c, f, remapStepErrors(fe, f))
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, "/admin/workflows?type="+c.Type, u.Catalog.T(web.Lang(r), "workflow.flash.saved|已保存"))
	})
	u.Page("POST /admin/workflows/{id}/delete", PermConfig, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		err = s.DeleteChain(r.Context(), auth.ScopeFrom(r.Context()), id)
		if e := errs.As(err); e != nil && e.Code == errs.CodeForbidden {
			u.SetFlash(w, "error", e.Message)
			http.Redirect(w, r, "/admin/workflows", http.StatusSeeOther)
			return nil
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, "/admin/workflows", u.Catalog.T(web.Lang(r), "workflow.flash.chain.deleted|已删除审批流程"))
	})
}

// chainFormErrors decides whether a save failure is shown on the form: the form's own field errors, or the
// service's validation and duplicate errors with their fields.
func chainFormErrors(err error, fields errs.Fields) (int, map[string]string, bool) {
	if len(fields) > 0 {
		return http.StatusUnprocessableEntity, fields, true
	}
	e := errs.As(err)
	if e == nil || (e.Code != errs.CodeValidation && e.Code != errs.CodeConflict && e.Code != errs.CodeForbidden) {
		return 0, nil, false
	}
	out := map[string]string{}
	for k, v := range e.Fields {
		out[k] = v
	}
	if len(out) == 0 {
		out["form"] = e.Message
	}
	return errs.Status(e.Code), out, true
}

// remapStepErrors turns the service's "steps.<i>.<field>" (i counting only the filled rows) into the form's row
// numbers.
func remapStepErrors(fields map[string]string, f chainForm) map[string]string {
	var filled []int
	for _, r := range f.Rows {
		if !r.blank() {
			filled = append(filled, r.Index)
		}
	}
	out := map[string]string{}
	for k, v := range fields {
		var i int
		var rest string
		if n, _ := fmt.Sscanf(k, "steps.%d.%s", &i, &rest); n == 2 && i < len(filled) && !strings.HasPrefix(k, "row.") {
			out[fmt.Sprintf("row.%d.%s", filled[i], rest)] = v
			continue
		}
		out[k] = v
	}
	return out
}

func (r stepRow) blank() bool {
	return strings.TrimSpace(r.Name) == "" && strings.TrimSpace(r.Role) == "" && strings.TrimSpace(r.Users) == ""
}

var userSplit = strings.NewReplacer("，", ",", "、", ",", ";", ",", "；", ",", " ", ",", "\n", ",", "\r", ",", "\t", ",")

// parseChainForm reads the chain form. Usernames of named-user steps become ids; unknown ones are field errors
// ("row.<i>.user_ids"), as are malformed numbers.
func (s *Service) parseChainForm(ctx context.Context, r *http.Request) (chainForm, ChainInput, errs.Fields, error) {
	fe := errs.Fields{}
	f := chainForm{Type: r.PostFormValue("type"), Name: r.PostFormValue("name"), Note: r.PostFormValue("note")}
	f.OrgID = web.FormInt(r, "org_id", fe)
	in := ChainInput{Name: f.Name, Note: f.Note}
	for i := 0; i < maxSteps; i++ {
		k := func(n string) string { return "step_" + n + "_" + strconv.Itoa(i) }
		if _, ok := r.PostForm[k("kind")]; !ok {
			break
		}
		row := stepRow{Index: i, Name: r.PostFormValue(k("name")), Mode: r.PostFormValue(k("mode")), Kind: r.PostFormValue(k("kind")),
			Role: r.PostFormValue(k("role")), Up: r.PostFormValue(k("up")), Users: r.PostFormValue(k("users"))}
		f.Rows = append(f.Rows, row)
		if row.blank() {
			continue
		}
		st := StepInput{Name: row.Name, Mode: row.Mode, Kind: row.Kind, Role: row.Role}
		if row.Kind == KindRole {
			up, err := strconv.Atoi(row.Up)
			if err != nil {
				fe.Add(fmt.Sprintf("row.%d.up", i), "请选择审批单位")
			}
			st.Up = up
		}
		if row.Kind == KindUsers {
			names := strings.Split(userSplit.Replace(row.Users), ",")
			for _, n := range names {
				if n = strings.TrimSpace(n); n == "" {
					continue
				}
				id, err := s.userID(ctx, s.DB, n)
				if errs.Is(err, errs.CodeNotFound) {
					fe.Add(fmt.Sprintf("row.%d.user_ids", i), "用户不存在："+n)
					continue
				}
				if err != nil {
					return f, in, fe, err
				}
				st.UserIDs = append(st.UserIDs, id)
			}
		}
		in.Steps = append(in.Steps, st)
	}
	f.Rows = padRows(f.Rows)
	return f, in, fe, nil
}

func (s *Service) renderChainForm(w http.ResponseWriter, r *http.Request, status int, c *Chain, f chainForm, fields map[string]string) error {
	title := "workflow.chain.new|新建审批流程"
	if c != nil {
		title = "workflow.chain.edit|编辑审批流程"
	}
	roles, err := s.Auth.ListRoles(r.Context(), s.DB)
	if err != nil {
		return err
	}
	p := &chainFormPage{Globals: s.UI.G(r, title, chainCrumbs(web.Crumb{Label: title})...), Chain: c, Form: f, Errors: fields,
		Types: s.Types(), Ups: upOptions()}
	for _, ro := range roles {
		p.Roles = append(p.Roles, web.Option{Value: ro.Code, Label: ro.Name})
	}
	if f.OrgID != 0 {
		p.OrgLabel = s.Auth.Tree.OrgLabel(r.Context(), s.DB, f.OrgID)
	}
	return s.UI.Render(w, r, status, "workflow/chain_form.html", p)
}

func chainRows(chains []Chain) [][]any {
	rows := make([][]any, 0, len(chains))
	for _, c := range chains {
		org := c.OrgName
		if c.OrgID == 0 {
			org = "默认（全部单位）"
		}
		var steps []string
		for _, st := range c.Steps {
			steps = append(steps, fmt.Sprintf("%d. %s：%s（%s）", st.No, st.Name, st.Describe(), ModeNames[st.Mode]))
		}
		rows = append(rows, []any{c.TypeName, c.Type, org, c.Name, strings.Join(steps, "\n"), c.Note, c.UpdatedAt.Format("2006-01-02 15:04")})
	}
	return rows
}
