package quota

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/attach"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/num"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/workflow"
	"github.com/govops/govops/internal/platform/xlsx"
)

func (s *Service) pages() {
	u := s.UI
	u.Page("GET /energy/quotas", "energy:read", func(w http.ResponseWriter, r *http.Request) error {
		return s.renderOverview(w, r, http.StatusOK, nil, nil)
	})
	u.Page("POST /energy/quotas/decompose", "energy:enter", s.decomposePost)
	u.Page("POST /energy/quotas/set", "energy:enter", s.setPost)
	u.Page("GET /energy/quota-warnings", "energy:read", s.warningsPage)
	u.Page("GET /energy/quota-standards", "energy:read", s.standardsPage)
	u.Page("GET /energy/quota-standards/new", PermQuota, func(w http.ResponseWriter, r *http.Request) error {
		return s.renderStandard(w, r, http.StatusOK, nil, StandardInput{RegionCode: "990000", ValidFrom: energy.PeriodOf(s.Clock.Now().Unix()).Year, FactorSet: FactorStatistics}, nil)
	})
	u.Page("POST /energy/quota-standards", PermQuota, func(w http.ResponseWriter, r *http.Request) error { return s.standardPost(w, r, 0) })
	u.Page("GET /energy/quota-standards/{id}", "energy:read", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		st, err := GetStandard(r.Context(), s.DB, id)
		if err != nil {
			return err
		}
		return s.renderStandard(w, r, http.StatusOK, &st, inputOf(st), nil)
	})
	u.Page("POST /energy/quota-standards/{id}", PermQuota, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		return s.standardPost(w, r, id)
	})
	u.Page("GET /energy/quota-explanations", "energy:read", s.explanationsPage)
	u.Page("GET /energy/quota-explanations/new", "energy:enter", func(w http.ResponseWriter, r *http.Request) error {
		in := ExplanationInput{Year: energy.PeriodOf(s.Clock.Now().Unix()).Year}
		if v := r.URL.Query().Get("year"); v != "" {
			in.Year, _ = strconv.Atoi(v)
		}
		if id, err := web.QueryInt(r, "org_id"); err == nil {
			in.OrgID = id
		}
		return s.renderExplainForm(w, r, http.StatusOK, nil, in, nil)
	})
	u.Page("POST /energy/quota-explanations", "energy:enter", func(w http.ResponseWriter, r *http.Request) error { return s.explainPost(w, r, 0) })
	u.Page("GET /energy/quota-explanations/{id}", "energy:read", s.explanationPage)
	u.Page("POST /energy/quota-explanations/{id}/resubmit", "energy:enter", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		return s.explainPost(w, r, id)
	})
}

func crumbs(label string) []web.Crumb {
	return []web.Crumb{{Label: "menu.energy|节能管理"}, {Label: "quota.menu.overview|能耗定额", Path: "/energy/quotas"}, {Label: label}}
}

func (s *Service) years() []int {
	now := energy.PeriodOf(s.Clock.Now().Unix()).Year
	var out []int
	for y := now + 1; y >= now-5; y-- {
		out = append(out, y)
	}
	return out
}

// ---- Overview and decomposition.

type overviewPage struct {
	web.Globals
	Year     int
	Years    []int
	V        View
	Counts   map[string]int64
	Methods  enum.List
	Method   string
	Values   map[string]string // form values by input name (k_<id>, w_<id>, total_kgce, water_m3)
	Errors   map[string]string
	Through  int
	Chart    map[string]any
	HasChart bool
}

// UnitValue is the form value of the unit's own quota field: what was typed, else the current quota in plain
// decimals (never 2.1e+07), else empty.
func (p *overviewPage) UnitValue(name string) string {
	if v, ok := p.Values[name]; ok {
		return v
	}
	q := p.V.Unit.Quota
	if q == nil {
		return ""
	}
	if name == "water_m3" {
		return strconv.FormatFloat(q.WaterM3, 'f', -1, 64)
	}
	return strconv.FormatFloat(q.TotalKgce, 'f', -1, 64)
}

// ItemValue is the form value of a child's input (what was typed, else its current quota).
func (p *overviewPage) ItemValue(prefix string, n Node) string {
	if v, ok := p.Values[prefix+strconv.FormatInt(n.OrgID, 10)]; ok {
		return v
	}
	if n.Quota == nil {
		return ""
	}
	if prefix == "k_" {
		return strconv.FormatFloat(n.Quota.TotalKgce, 'f', -1, 64)
	}
	return strconv.FormatFloat(n.Quota.WaterM3, 'f', -1, 64)
}

func (s *Service) renderOverview(w http.ResponseWriter, r *http.Request, status int, values, fields map[string]string) error {
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	y, err := s.year(r)
	if err != nil {
		return err
	}
	id, err := web.QueryInt(r, "org_id")
	if err != nil {
		return err
	}
	if r.Method == http.MethodPost {
		y, _ = strconv.Atoi(r.PostFormValue("year"))
		id, _ = strconv.ParseInt(r.PostFormValue("org_id"), 10, 64)
	}
	v, err := GetView(ctx, s.DB, sc, id, y)
	if err != nil {
		return err
	}
	counts, err := Counts(ctx, s.DB, sc, y)
	if err != nil {
		return err
	}
	p := &overviewPage{Globals: s.UI.G(r, "quota.overview|能耗定额", web.Crumb{Label: "menu.energy|节能管理"}, web.Crumb{Label: "quota.overview|能耗定额"}),
		Year: y, Years: s.years(), V: v, Counts: counts, Methods: Methods, Method: MethodShare, Values: values, Errors: fields, Through: s.throughMonth(y)}
	if values != nil && values["method"] != "" {
		p.Method = values["method"]
	}
	// Chart: each child's quota against its projection (or last year's actual when nothing is computed yet).
	var names []string
	var quota, proj []float64
	for _, c := range v.Children {
		if c.Quota == nil {
			continue
		}
		names = append(names, c.OrgName)
		quota = append(quota, num.Round(c.Quota.TotalKgce/1000, 2))
		if c.Warning != nil {
			proj = append(proj, num.Round(c.Warning.ProjectedKgce/1000, 2))
		} else {
			proj = append(proj, 0)
		}
	}
	if len(names) > 0 {
		p.HasChart = true
		p.Chart = map[string]any{
			"tooltip": map[string]any{"trigger": "axis"}, "legend": map[string]any{"top": 0},
			"grid":  map[string]any{"left": 56, "right": 16, "top": 40, "bottom": 90},
			"xAxis": map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"rotate": 40, "interval": 0}},
			"yAxis": map[string]any{"type": "value", "name": "tce"},
			"series": []map[string]any{{"name": "定额", "type": "bar", "data": quota, "itemStyle": map[string]any{"color": "#1d4f91"}},
				{"name": "预测全年", "type": "bar", "data": proj, "itemStyle": map[string]any{"color": "#e08e0b"}}},
		}
	}
	return s.UI.Render(w, r, status, "quota/overview.html", p)
}

func formFloat(r *http.Request, name string, f errs.Fields, label string) float64 {
	v := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(name), ",", ""))
	if v == "" {
		return 0
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		f.Add(name, label+"应为数字")
	}
	return x
}

func formValues(r *http.Request) map[string]string {
	out := map[string]string{}
	for k, v := range r.PostForm {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out
}

func (s *Service) decomposePost(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid("form", "表单无效")
	}
	f := errs.Fields{}
	in := DecomposeInput{Method: r.PostFormValue("method"), Note: r.PostFormValue("note")}
	in.OrgID = web.FormInt(r, "org_id", f)
	in.Year = int(web.FormInt(r, "year", f))
	if in.Method == MethodManual {
		for _, c := range r.PostForm["child"] {
			id, err := strconv.ParseInt(c, 10, 64)
			if err != nil {
				continue
			}
			in.Items = append(in.Items, DecomposeItem{OrgID: id, TotalKgce: formFloat(r, "k_"+c, f, "综合能耗定额"), WaterM3: formFloat(r, "w_"+c, f, "用水定额")})
		}
	}
	values := formValues(r)
	if err := f.Err(); err != nil {
		return s.renderOverview(w, r, http.StatusUnprocessableEntity, values, errs.As(err).Fields)
	}
	_, err := s.Decompose(r.Context(), auth.ScopeFrom(r.Context()), in)
	if e := errs.As(err); e != nil && e.Code == errs.CodeValidation {
		fields := e.Fields
		if fields == nil {
			fields = map[string]string{"items": e.Message}
		}
		// Item errors name the row: show them beside the child's inputs.
		for k, msg := range e.Fields {
			var i int
			var rest string
			if n, _ := fmt.Sscanf(k, "items.%d.%s", &i, &rest); n == 2 && i < len(in.Items) {
				fields["row_"+strconv.FormatInt(in.Items[i].OrgID, 10)] = msg
			}
		}
		return s.renderOverview(w, r, http.StatusUnprocessableEntity, values, fields)
	} else if err != nil {
		return err
	}
	return s.UI.Redirect(w, r, fmt.Sprintf("/energy/quotas?org_id=%d&year=%d", in.OrgID, in.Year), "已分解定额（"+MethodName(in.Method)+"）")
}

func (s *Service) setPost(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid("form", "表单无效")
	}
	f := errs.Fields{}
	in := SetInput{Note: r.PostFormValue("note")}
	in.OrgID = web.FormInt(r, "org_id", f)
	in.Year = int(web.FormInt(r, "year", f))
	in.TotalKgce = formFloat(r, "total_kgce", f, "综合能耗定额")
	in.WaterM3 = formFloat(r, "water_m3", f, "用水定额")
	values := formValues(r)
	if err := f.Err(); err != nil {
		return s.renderOverview(w, r, http.StatusUnprocessableEntity, values, errs.As(err).Fields)
	}
	_, err := s.SetQuota(r.Context(), auth.ScopeFrom(r.Context()), in)
	if e := errs.As(err); e != nil && e.Fields != nil && e.Code == errs.CodeValidation {
		return s.renderOverview(w, r, http.StatusUnprocessableEntity, values, e.Fields)
	} else if err != nil {
		return err
	}
	return s.UI.Redirect(w, r, fmt.Sprintf("/energy/quotas?org_id=%d&year=%d", in.OrgID, in.Year), "已核定定额")
}

// ---- Warnings.

type warningsPage struct {
	web.Globals
	Year     int
	Years    []int
	Status   string
	Statuses enum.List
	Items    []Warning
	Pager    web.Pager
	Counts   map[string]int64
}

func warnHeaders() []string {
	return []string{"单位", "年度", "状态", "数据截止月", "年初至今综合能耗(kgce)", "预测全年综合能耗(kgce)", "综合能耗定额(kgce)", "预测/定额",
		"年初至今用水(m³)", "预测全年用水(m³)", "用水定额(m³)", "预测方法", "说明", "超定额说明"}
}

func (s *Service) warningsPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	y, err := s.year(r)
	if err != nil {
		return err
	}
	l, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f := WarningFilter{Year: y, Status: r.URL.Query().Get("status"), List: l}
	if web.WantsExport(r) {
		f.List.PageSize, f.List.Page = 0, 1
		items, _, err := ListWarnings(ctx, s.DB, sc, f)
		if err != nil {
			return err
		}
		rows := make([][]any, 0, len(items))
		for _, it := range items {
			rows = append(rows, []any{it.OrgName, it.Year, it.StatusName, it.Through, it.YTDKgce, it.ProjectedKgce, it.QuotaKgce, it.Ratio,
				it.YTDWater, it.ProjectedWater, it.QuotaWater, it.MethodLabel(), it.Reasons, it.ExplanationName()})
		}
		return xlsx.Export(w, r, s.DB, s.Clock.Now(), fmt.Sprintf("能耗定额预警%d", y), warnHeaders(), rows, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0)})
	}
	items, total, err := ListWarnings(ctx, s.DB, sc, f)
	if err != nil {
		return err
	}
	counts, err := Counts(ctx, s.DB, sc, y)
	if err != nil {
		return err
	}
	p := &warningsPage{Globals: s.UI.G(r, "quota.warnings|能耗定额预警", crumbs("quota.warnings|能耗定额预警")...), Year: y, Years: s.years(),
		Status: f.Status, Statuses: Statuses, Items: items, Pager: web.NewPager(l, total), Counts: counts}
	return s.UI.Render(w, r, http.StatusOK, "quota/warnings.html", p)
}

// ---- Standards.

type standardsPage struct {
	web.Globals
	Items   []Standard
	All     bool
	CanEdit bool
}

func canEdit(r *http.Request) bool {
	u := auth.UserFrom(r.Context())
	return u != nil && u.Can(PermQuota)
}

func (s *Service) standardsPage(w http.ResponseWriter, r *http.Request) error {
	f, err := standardFilter(r)
	if err != nil {
		return err
	}
	items, err := ListStandards(r.Context(), s.DB, f)
	if err != nil {
		return err
	}
	if web.WantsExport(r) {
		rows := make([][]any, 0, len(items))
		for _, st := range items {
			rows = append(rows, []any{st.RegionCode, st.CategoryName(), st.IndicatorName(), st.IndicatorUnit(), st.ConstraintValue, st.BaselineValue, st.GuideValue,
				st.FactorSetName(), st.Validity(), st.SourceDoc, st.Issuer, map[bool]string{true: "示例", false: ""}[st.Example], st.Note})
		}
		return xlsx.Export(w, r, s.DB, s.Clock.Now(), "能耗定额标准", []string{"区划", "类别", "指标", "单位", "约束值", "基准值", "引导值", "折标系数",
			"有效期", "依据文件", "发布机关", "示例", "备注"}, rows, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0)})
	}
	p := &standardsPage{Globals: s.UI.G(r, "quota.standards|能耗定额标准", crumbs("quota.standards|能耗定额标准")...), Items: items, All: f.All, CanEdit: canEdit(r)}
	return s.UI.Render(w, r, http.StatusOK, "quota/standards.html", p)
}

type standardPage struct {
	web.Globals
	S          *Standard
	Form       StandardInput
	Errors     map[string]string
	CanEdit    bool
	History    []history.Entry
	Regions    string
	Cats       []web.Option
	Indicators []web.Option
	FactorSets []web.Option
}

func inputOf(st Standard) StandardInput {
	return StandardInput{RegionCode: st.RegionCode, Category: st.Category, Indicator: st.Indicator, FactorSet: st.FactorSet, ConstraintValue: st.ConstraintValue,
		BaselineValue: st.BaselineValue, GuideValue: st.GuideValue, ValidFrom: st.ValidFrom, ValidTo: st.ValidTo, SourceDoc: st.SourceDoc, Issuer: st.Issuer,
		Example: st.Example, Note: st.Note, Status: st.Status}
}

// Val renders a number of the form ("" for zero).
func (p *standardPage) Val(v float64) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func (s *Service) renderStandard(w http.ResponseWriter, r *http.Request, status int, st *Standard, in StandardInput, fields map[string]string) error {
	title := "quota.standard.new|新增定额标准"
	if st != nil {
		title = "quota.standard|定额标准"
	}
	p := &standardPage{Globals: s.UI.G(r, title, crumbs(title)...), S: st, Form: in, Errors: fields, CanEdit: canEdit(r)}
	for _, c := range org.Categories {
		p.Cats = append(p.Cats, web.Option{Value: c.Code, Label: c.Name})
	}
	for _, d := range energy.IndicatorDefs {
		p.Indicators = append(p.Indicators, web.Option{Value: d.Code, Label: d.Name + "（" + d.Unit + "）"})
	}
	for _, f := range FactorSets {
		p.FactorSets = append(p.FactorSets, web.Option{Value: f.Code, Label: f.Name})
	}
	if st != nil {
		h, err := history.List(r.Context(), s.DB, objStandard, st.ID, 50)
		if err != nil {
			return err
		}
		p.History = h
	}
	return s.UI.Render(w, r, status, "quota/standard.html", p)
}

func (s *Service) standardPost(w http.ResponseWriter, r *http.Request, id int64) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid("form", "表单无效")
	}
	f := errs.Fields{}
	in := StandardInput{RegionCode: r.PostFormValue("region_code"), Category: r.PostFormValue("category"), Indicator: r.PostFormValue("indicator"),
		FactorSet: r.PostFormValue("factor_set"), SourceDoc: r.PostFormValue("source_doc"), Issuer: r.PostFormValue("issuer"), Note: r.PostFormValue("note"),
		Status: r.PostFormValue("status"), Example: r.PostFormValue("example") == "true"}
	in.ConstraintValue = formFloat(r, "constraint_value", f, "约束值")
	in.BaselineValue = formFloat(r, "baseline_value", f, "基准值")
	in.GuideValue = formFloat(r, "guide_value", f, "引导值")
	in.ValidFrom = int(web.FormInt(r, "valid_from", f))
	in.ValidTo = int(web.FormInt(r, "valid_to", f))
	var cur *Standard
	if id != 0 {
		st, err := GetStandard(r.Context(), s.DB, id)
		if err != nil {
			return err
		}
		cur = &st
	}
	if err := f.Err(); err != nil {
		return s.renderStandard(w, r, http.StatusUnprocessableEntity, cur, in, errs.As(err).Fields)
	}
	var st Standard
	var err error
	if id == 0 {
		st, err = s.CreateStandard(r.Context(), in)
	} else {
		st, err = s.UpdateStandard(r.Context(), id, in)
	}
	if status, fields, ok := web.Refusal(err); ok {
		return s.renderStandard(w, r, status, cur, in, fields)
	} else if err != nil {
		return err
	}
	return s.UI.Redirect(w, r, "/energy/quota-standards/"+strconv.FormatInt(st.ID, 10), "已保存定额标准")
}

// ---- Explanations.

type explanationsPage struct {
	web.Globals
	Items    []Explanation
	Pager    web.Pager
	Status   string
	Statuses enum.List
	CanEnter bool
}

func (s *Service) explanationsPage(w http.ResponseWriter, r *http.Request) error {
	l, err := web.ParseList(r)
	if err != nil {
		return err
	}
	st := r.URL.Query().Get("status")
	if web.WantsExport(r) {
		l.Page, l.PageSize = 1, 200000
	}
	items, total, err := ListExplanations(r.Context(), s.DB, auth.ScopeFrom(r.Context()), 0, st, l)
	if err != nil {
		return err
	}
	if web.WantsExport(r) {
		rows := make([][]any, 0, len(items))
		for _, e := range items {
			rows = append(rows, []any{e.OrgName, e.Year, e.ReasonNames(), e.Text, e.StatusName, e.QuotaKgce, e.ActualKgce, e.ProjectedKgce, e.Requester})
		}
		return xlsx.Export(w, r, s.DB, s.Clock.Now(), "超定额说明", []string{"单位", "年度", "原因", "说明", "状态", "定额（kgce）",
			"已用（kgce）", "全年预计（kgce）", "申请人"}, rows, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0), Sum: []string{"定额（kgce）", "已用（kgce）", "全年预计（kgce）"}})
	}
	u := auth.UserFrom(r.Context())
	p := &explanationsPage{Globals: s.UI.G(r, "quota.explanations|超定额说明", crumbs("quota.explanations|超定额说明")...), Items: items,
		Pager: web.NewPager(l, total), Status: st, Statuses: ExplainStatuses, CanEnter: u != nil && u.Can("energy:enter")}
	return s.UI.Render(w, r, http.StatusOK, "quota/explanations.html", p)
}

type explainFormPage struct {
	web.Globals
	E       *Explanation
	Form    ExplanationInput
	Errors  map[string]string
	Units   []web.Option
	Years   []int
	Reasons enum.List
}

// Has tells whether the form has a reason ticked.
func (p *explainFormPage) Has(code string) bool {
	for _, r := range p.Form.Reasons {
		if r == code {
			return true
		}
	}
	return false
}

func (s *Service) renderExplainForm(w http.ResponseWriter, r *http.Request, status int, e *Explanation, in ExplanationInput, fields map[string]string) error {
	p := &explainFormPage{Globals: s.UI.G(r, "quota.explain.new|提交超定额说明", crumbs("quota.explain.new|提交超定额说明")...), E: e, Form: in, Errors: fields,
		Years: s.years()[1:], Reasons: Reasons}
	if checkYear(in.Year) == nil {
		over, _, err := ListWarnings(r.Context(), s.DB, auth.ScopeFrom(r.Context()), WarningFilter{Year: in.Year, Status: StatusOver, List: web.List{Page: 1, PageSize: 500}})
		if err != nil {
			return err
		}
		for _, o := range over {
			p.Units = append(p.Units, web.Option{Value: strconv.FormatInt(o.OrgID, 10), Label: o.OrgName})
		}
	}
	return s.UI.Render(w, r, status, "quota/explain_form.html", p)
}

func (s *Service) explainPost(w http.ResponseWriter, r *http.Request, id int64) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalid("form", "表单无效")
	}
	f := errs.Fields{}
	in := ExplanationInput{Reasons: r.PostForm["reasons"], Text: r.PostFormValue("text")}
	var cur *Explanation
	if id != 0 {
		e, err := GetExplanation(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		cur, in.OrgID, in.Year = &e, e.OrgID, e.Year
	} else {
		in.OrgID = web.FormInt(r, "org_id", f)
		in.Year = int(web.FormInt(r, "year", f))
		if in.OrgID == 0 && !f.Has("org_id") {
			f.Add("org_id", "请选择超定额的单位")
		}
	}
	render := func(status int, fields map[string]string) error {
		if cur != nil {
			return s.renderExplanation(w, r, status, *cur, in, fields)
		}
		return s.renderExplainForm(w, r, status, nil, in, fields)
	}
	if err := f.Err(); err != nil {
		return render(http.StatusUnprocessableEntity, errs.As(err).Fields)
	}
	var e Explanation
	var err error
	if id == 0 {
		e, err = s.SubmitExplanation(r.Context(), auth.ScopeFrom(r.Context()), in)
	} else {
		e, err = s.ResubmitExplanation(r.Context(), auth.ScopeFrom(r.Context()), id, in)
	}
	if x := errs.As(err); x != nil && (x.Fields != nil || x.Code == errs.CodeConflict) {
		fields := x.Fields
		if fields == nil {
			fields = map[string]string{"form": x.Message}
		}
		return render(errs.Status(x.Code), fields)
	} else if err != nil {
		return err
	}
	return s.UI.Redirect(w, r, "/energy/quota-explanations/"+strconv.FormatInt(e.ID, 10), "已提交超定额说明，进入审批")
}

type explanationPage struct {
	web.Globals
	E        Explanation
	Flow     *workflow.Instance
	History  []history.Entry
	Form     ExplanationInput
	Errors   map[string]string
	Reasons  enum.List
	CanRedo  bool
	Approved bool
	// Attachments are the supporting documents (nil without the attachment kit).
	Attachments *attach.Panel
}

// Has tells whether the resubmission form has a reason ticked.
func (p *explanationPage) Has(code string) bool {
	for _, r := range p.Form.Reasons {
		if r == code {
			return true
		}
	}
	return false
}

func (s *Service) explanationPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	e, err := GetExplanation(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return s.renderExplanation(w, r, http.StatusOK, e, ExplanationInput{Reasons: e.Reasons, Text: e.Text}, nil)
}

func (s *Service) renderExplanation(w http.ResponseWriter, r *http.Request, status int, e Explanation, in ExplanationInput, fields map[string]string) error {
	u := auth.UserFrom(r.Context())
	p := &explanationPage{Globals: s.UI.G(r, "quota.explanation|超定额说明", crumbs("quota.explanation|超定额说明")...), E: e, Form: in, Errors: fields,
		Reasons: Reasons, CanRedo: e.Status == "returned" && u != nil && u.Can("energy:enter")}
	if inst, err := s.Workflow.ForObject(r.Context(), s.DB, wfExplanation, e.ID); err == nil {
		p.Flow = &inst
	}
	h, err := history.List(r.Context(), s.DB, objExplain, e.ID, 50)
	if err != nil {
		return err
	}
	p.History = h
	p.Attachments = s.Attach.PagePanel(r, objExplain, e.ID)
	return s.UI.Render(w, r, status, "quota/explanation.html", p)
}
