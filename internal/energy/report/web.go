package report

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

var funcs = template.FuncMap{"reportStatus": StatusName, "reportNum": func(v float64) string { return groupNum(fmtNum(v, 4)) },
	"reportBadge": func(st string) string {
		switch st {
		case StatusApproved:
			return "badge badge-ok"
		case StatusReturned:
			return "badge badge-danger"
		case StatusSubmitted:
			return "badge badge-warn"
		}
		return "badge"
	}}

const menuGroup = "menu.energy|节能管理"

var menu = []web.MenuItem{
	{Group: menuGroup, Label: "energy.report.menu.list|统计报表", Path: "/energy/reports", Perm: "energy:read", Order: 110},
	{Group: menuGroup, Label: "energy.report.menu.review|报表审核", Path: "/energy/reports/review", Perm: "energy:enter", Order: 112},
	{Group: menuGroup, Label: "energy.report.menu.summary|报表汇总", Path: "/energy/reports/summary", Perm: "energy:read", Order: 114},
}

func (s *Service) pages() {
	u := s.UI
	u.Page("GET /energy/reports", "energy:read", s.listPage)
	u.Page("GET /energy/reports/export", "energy:read", s.listExport)
	u.Page("GET /energy/reports/review", "energy:enter", s.reviewPage)
	u.Page("GET /energy/reports/summary", "energy:read", s.summaryPage)
	u.Page("GET /energy/reports/details", "energy:read", func(w http.ResponseWriter, r *http.Request) error { return s.details(w, r, true) })
	u.Page("GET /energy/reports/{org_id}/{year}", "energy:read", s.formPage)
	u.Page("GET /energy/reports/{org_id}/{year}/export", "energy:read", s.formExport)
	u.Page("GET /energy/reports/{org_id}/{year}/print", "energy:read", s.printForm)
	u.Page("POST /energy/reports/{org_id}/{year}/info", "energy:enter", s.infoPost)
	u.Page("POST /energy/reports/{org_id}/{year}/{action}", "energy:enter", s.actPost)
}

// defaultYear is the report year by default: last year (the report is due by 31 March of this year).
func (s *Service) defaultYear() int { return energy.PeriodOf(s.Clock.Now().Unix()).Year - 1 }

// queryYear is the report year asked for: by default last year's.
func (s *Service) queryYear(r *http.Request) (int, error) {
	return web.QueryYear(r, s.defaultYear(), 2000, energy.PeriodOf(s.Clock.Now().Unix()).Year)
}

func pathKey(r *http.Request) (int64, int, error) {
	id, err := web.PathID(r, "org_id")
	if err != nil {
		return 0, 0, err
	}
	y, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || y < 2000 || y > 9999 {
		return 0, 0, errs.Invalid("year", "年度应为 4 位数字")
	}
	return id, y, nil
}

func (s *Service) years() []int {
	now := energy.PeriodOf(s.Clock.Now().Unix()).Year
	var ys []int
	for y := now; y >= now-6; y-- {
		ys = append(ys, y)
	}
	return ys
}

// Item is a report in a list with its completeness.
type Item struct {
	Report
	Completeness Completeness `json:"completeness"`
}

// listItems is the report list of the caller's scope with completeness badges.
func (s *Service) listItems(r *http.Request, f Filter) ([]Item, error) {
	ctx := r.Context()
	list, err := ListReports(ctx, s.DB, auth.ScopeFrom(ctx), f)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(list))
	for i, it := range list {
		ids[i] = it.OrgID
	}
	cs, err := s.checkUnits(ctx, s.DB, ids, f.Year)
	if err != nil {
		return nil, err
	}
	items := make([]Item, len(list))
	for i, it := range list {
		items[i] = Item{Report: it, Completeness: cs[it.OrgID]}
	}
	return items, nil
}

func (s *Service) parseFilter(r *http.Request) (Filter, error) {
	y, err := s.queryYear(r)
	if err != nil {
		return Filter{}, err
	}
	f := Filter{Year: y, Kind: r.URL.Query().Get("kind"), Status: r.URL.Query().Get("status")}
	if f.Kind != "" && !Kinds.Has(f.Kind) {
		return f, errs.Invalid("kind", "报表类型应为 basic 或 summary")
	}
	if f.Status != "" && !Statuses.Has(f.Status) {
		return f, errs.Invalid("status", "状态应为 draft、submitted、returned 或 approved")
	}
	return f, nil
}

type listPage struct {
	web.Globals
	F        Filter
	Years    []int
	Statuses enum.List
	Items    []Item
	Counts   map[string]int
	Deadline string
	// PastDeadline marks the drafts and returned reports of the list as overdue.
	PastDeadline bool
}

func (s *Service) listPage(w http.ResponseWriter, r *http.Request) error {
	f, err := s.parseFilter(r)
	if err != nil {
		return err
	}
	all := f
	all.Status = ""
	items, err := s.listItems(r, all)
	if err != nil {
		return err
	}
	p := &listPage{Globals: s.UI.G(r, "energy.report.list|能源资源消费统计报表", web.Crumb{Label: "menu.energy|节能管理"},
		web.Crumb{Label: "energy.report.menu.list|统计报表"}), F: f, Years: s.years(), Statuses: Statuses, Counts: map[string]int{}}
	for _, it := range items {
		p.Counts[it.Status]++
		if f.Status == "" || it.Status == f.Status {
			p.Items = append(p.Items, it)
		}
	}
	if rules, err := LoadRules(r.Context(), s.DB, f.Year, ""); err == nil {
		d := Deadline(f.Year, rules)
		p.Deadline, p.PastDeadline = d.Format("2006-01-02"), s.Clock.Now().After(d)
	}
	return s.UI.Render(w, r, http.StatusOK, "energyreport/list.html", p)
}

func (s *Service) listExport(w http.ResponseWriter, r *http.Request) error {
	f, err := s.parseFilter(r)
	if err != nil {
		return err
	}
	items, err := s.listItems(r, f)
	if err != nil {
		return err
	}
	rows := make([][]any, 0, len(items))
	for _, it := range items {
		var issues []string
		for _, is := range it.Completeness.Issues {
			issues = append(issues, is.Message)
		}
		rows = append(rows, []any{it.OrgName, it.ParentName, org.Categories.Name(it.Category), it.StatusName, it.Completeness.Blocking,
			it.Completeness.Warnings, strings.Join(issues, "；"), web.FormatTime(it.SubmittedAt), it.SubmittedBy, web.FormatTime(it.ReviewedAt), it.ReviewedBy, it.Reason})
	}
	return xlsx.Export(w, r, s.DB, s.Clock.Now(), fmt.Sprintf("%d年度统计报表上报情况", f.Year),
		[]string{"单位", "审核单位", "单位类别", "状态", "必须处理", "提示", "完整性检查", "上报时间", "上报人", "审核时间", "审核人", "退回原因"}, rows, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0)})
}

type formPage struct {
	web.Globals
	Form         Form
	Report       Report
	Completeness Completeness
	History      []history.Entry
	CanEdit      bool
	// Confirming shows the submission's confirmation step (?confirm=submit): the figures and sign-off to check,
	// and the "我已核对" box the submission requires.
	Confirming    bool
	Info          Info
	SignoffErrors map[string]string
	Locked        bool
	Held          []string          // names of the energy types whose meter data changed after the lock
	Typed         map[string]string // the hand-filled tables' fields as typed, when the form comes back with errors
	Years         []int
	Errors        map[string]string
	Message       string
}

// detail loads a unit's 基层表 of year y with its state, completeness and the meter data held by the lock.
func (s *Service) detail(ctx context.Context, sc auth.Scope, orgID int64, y int) (Detail, error) {
	var d Detail
	var err error
	if d.Form, err = BuildForm(ctx, s.DB, sc, orgID, y); err != nil {
		return d, err
	}
	if d.Report, err = GetReport(ctx, s.DB, sc, orgID, y, KindBasic); err != nil {
		return d, err
	}
	cs, err := s.checkUnits(ctx, s.DB, []int64{orgID}, y)
	if err != nil {
		return d, err
	}
	d.Completeness, d.Locked = cs[orgID], d.Report.Status == StatusApproved
	d.Held, err = energy.Held(ctx, s.DB, orgID, y)
	return d, err
}

func (s *Service) formData(r *http.Request, orgID int64, y int) (*formPage, error) {
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	d, err := s.detail(ctx, sc, orgID, y)
	if err != nil {
		return nil, err
	}
	rep := d.Report
	h, err := History(ctx, s.DB, rep)
	if err != nil {
		return nil, err
	}
	p := &formPage{Globals: s.UI.G(r, "energy.report.form|基层表", web.Crumb{Label: "menu.energy|节能管理"},
		web.Crumb{Label: "energy.report.menu.list|统计报表", Path: fmt.Sprintf("/energy/reports?year=%d", y)}, web.Crumb{Label: d.Form.OrgName}),
		Form: d.Form, Report: rep, Completeness: d.Completeness, History: h, Years: s.years(), Locked: d.Locked, Held: energy.TypeNames(d.Held)}
	enter := p.Can("energy:enter")
	if enter {
		p.Report.Actions = Actions(sc, rep)
	}
	p.CanEdit = enter && rep.Status != StatusSubmitted && rep.Status != StatusApproved
	p.Confirming = p.Report.Can(ActSubmit) && r.URL.Query().Get("confirm") == ActSubmit
	if p.Confirming {
		if p.Info, err = LoadInfo(ctx, s.DB, orgID, y); err != nil {
			return nil, err
		}
		p.SignoffErrors = map[string]string{}
		if e := errs.As(checkSignoff(p.Info)); e != nil {
			p.SignoffErrors = e.Fields
		}
	}
	return p, nil
}

func (s *Service) formPage(w http.ResponseWriter, r *http.Request) error {
	id, y, err := pathKey(r)
	if err != nil {
		return err
	}
	p, err := s.formData(r, id, y)
	if err != nil {
		return err
	}
	return s.UI.Render(w, r, http.StatusOK, "energyreport/form.html", p)
}

// sendWorkbook audits an export and sends it.
func (s *Service) sendWorkbook(w http.ResponseWriter, r *http.Request, name string, data []byte, orgID int64) error {
	now := s.Clock.Now()
	if err := s.DB.Tx(r.Context(), func(q db.Q) error {
		return audit.Record(r.Context(), q, now, audit.Entry{Action: "export.xlsx", ObjectType: "export", ObjectKey: name, OrgID: orgID, Success: true,
			Extra: map[string]any{"path": r.URL.Path, "query": r.URL.RawQuery}})
	}); err != nil {
		return err
	}
	xlsx.Send(w, name, data)
	return nil
}

// basicForm loads the 基层表 the request's path names (/{org_id}/{year}), with its report, in the caller's scope: the
// export and the print page show the same form.
func (s *Service) basicForm(r *http.Request) (Form, Report, error) {
	id, y, err := pathKey(r)
	if err != nil {
		return Form{}, Report{}, err
	}
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	fm, err := BuildForm(ctx, s.DB, sc, id, y)
	if err != nil {
		return Form{}, Report{}, err
	}
	rep, err := GetReport(ctx, s.DB, sc, id, y, KindBasic)
	return fm, rep, err
}

func (s *Service) formExport(w http.ResponseWriter, r *http.Request) error {
	fm, rep, err := s.basicForm(r)
	if err != nil {
		return err
	}
	data, err := FormWorkbook(fm, rep)
	if err != nil {
		return errs.Internal(err)
	}
	return s.sendWorkbook(w, r, fmt.Sprintf("%s-%d年度基层表", fm.OrgName, fm.Year), data, fm.OrgID)
}

// SectionValue is what an input of a hand-filled table shows: what was typed (a form back with errors), else the
// saved figure, else nothing.
func (p *formPage) SectionValue(l SectionLine) string {
	if p.Typed != nil {
		return p.Typed[l.Key]
	}
	if l.Has {
		return fmtNum(l.Value, 4)
	}
	return ""
}

func (s *Service) infoPost(w http.ResponseWriter, r *http.Request) error {
	id, y, err := pathKey(r)
	if err != nil {
		return err
	}
	f := errs.Fields{}
	in := Info{NewEnergyVehicles: formInt(r, "new_energy_vehicles", f), ChargingPiles: formInt(r, "charging_piles", f),
		LandAreaM2: formFloat(r, "land_area_m2", f), Principal: r.PostFormValue("principal"), StatsLead: r.PostFormValue("stats_lead"),
		Preparer: r.PostFormValue("preparer"), Phone: r.PostFormValue("phone")}
	// The hand-filled tables' fields (v_<key>) of the year's revision; blank = not filled.
	typed := map[string]string{}
	if def, derr := LoadDefinition(r.Context(), s.DB, y); derr == nil {
		for _, sec := range def.Sections {
			for _, row := range sec.Rows {
				name := "v_" + row.Key
				raw := strings.TrimSpace(r.PostFormValue(name))
				if !row.Input() || raw == "" {
					continue
				}
				typed[row.Key] = raw
				if in.Values == nil {
					in.Values = map[string]float64{}
				}
				if v := web.FormFloat(r, name, f); !f.Has(name) {
					in.Values[row.Key] = v
				}
			}
		}
		def.checkValues(in.Values, f) // every error at once, with those of the fields that are not numbers
	}
	err = f.Err()
	if err == nil {
		_, err = s.SaveInfo(r.Context(), auth.ScopeFrom(r.Context()), id, y, in)
	}
	back := fmt.Sprintf("/energy/reports/%d/%d", id, y)
	if e := errs.As(err); e != nil && e.Code == errs.CodeValidation {
		p, perr := s.formData(r, id, y)
		if perr != nil {
			return perr
		}
		p.Form.Extra, p.Typed = in, typed
		p.Errors, p.Message = e.Fields, e.Message
		return s.UI.Render(w, r, http.StatusUnprocessableEntity, "energyreport/form.html", p)
	} else if e != nil && e.Code == errs.CodeConflict {
		s.UI.SetFlash(w, "error", e.Message)
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	} else if err != nil {
		return err
	}
	return s.UI.Redirect(w, r, back, "已保存报表基本信息")
}

// formInt and formFloat read optional numbers (empty = 0).
func formInt(r *http.Request, name string, f errs.Fields) int64 {
	if strings.TrimSpace(r.PostFormValue(name)) == "" {
		return 0
	}
	return web.FormInt(r, name, f)
}

func formFloat(r *http.Request, name string, f errs.Fields) float64 {
	if strings.TrimSpace(r.PostFormValue(name)) == "" {
		return 0
	}
	return web.FormFloat(r, name, f)
}

var actDone = map[string]string{ActSubmit: "已上报，等待上级审核", ActApprove: "已审核通过", ActReturn: "已退回", ActReopen: "已重新打开，报表退回填报单位"}

func (s *Service) actPost(w http.ResponseWriter, r *http.Request) error {
	id, y, err := pathKey(r)
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	if _, ok := Transitions[action]; !ok {
		return errs.NotFound("操作")
	}
	in := ActInput{Kind: r.PostFormValue("kind"), Reason: r.PostFormValue("reason")}
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/energy/reports") || strings.HasPrefix(back, "//") {
		back = fmt.Sprintf("/energy/reports/%d/%d", id, y)
	}
	if action == ActSubmit && r.PostFormValue("checked") == "" {
		kind := in.Kind
		if kind == "" {
			kind = KindBasic
		}
		if _, err := GetReport(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id, y, kind); err != nil {
			return err // outside the scope: 404 before anything else
		}
		// The page submits only from its confirmation step, with "我已核对" ticked.
		s.UI.SetFlash(w, "error", "上报前请核对报表数据和签署信息，并勾选“我已核对”")
		to := fmt.Sprintf("/energy/reports/%d/%d?confirm=submit#submit-confirm", id, y)
		if in.Kind == KindSummary {
			to = back
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return nil
	}
	_, err = s.Act(r.Context(), auth.ScopeFrom(r.Context()), id, y, action, in)
	if e := errs.As(err); e != nil && (e.Code == errs.CodeConflict || e.Code == errs.CodeValidation) {
		msg := e.Message
		for _, v := range e.Fields {
			msg = v
		}
		s.UI.SetFlash(w, "error", msg)
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	} else if err != nil {
		return err
	}
	return s.UI.Redirect(w, r, back, actDone[action])
}

type reviewPage struct {
	web.Globals
	Year      int
	Years     []int
	Reviewer  string
	Units     []Item
	Summaries []Report
	Back      string
	Pending   int
}

func (s *Service) reviewPage(w http.ResponseWriter, r *http.Request) error {
	y, err := s.queryYear(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	p := &reviewPage{Globals: s.UI.G(r, "energy.report.review|统计报表审核", web.Crumb{Label: "menu.energy|节能管理"},
		web.Crumb{Label: "energy.report.menu.review|报表审核"}), Year: y, Years: s.years(), Back: fmt.Sprintf("/energy/reports/review?year=%d", y)}
	// The reviewer is the caller's scope unit; a system-wide user reviews the top units' children.
	parent, err := s.reviewerUnit(ctx, sc)
	if err != nil {
		return err
	}
	if parent != 0 {
		o, err := org.GetOrg(ctx, s.DB, sc, parent)
		if err != nil {
			return err
		}
		p.Reviewer = o.Name
		if p.Units, err = s.listItems(r, Filter{Year: y, ParentID: parent}); err != nil {
			return err
		}
		if p.Summaries, err = ListReports(ctx, s.DB, sc, Filter{Year: y, Kind: KindSummary, ParentID: parent}); err != nil {
			return err
		}
		for i, it := range p.Units {
			p.Units[i].Actions = Actions(sc, it.Report)
			if it.Status == StatusSubmitted {
				p.Pending++
			}
		}
		for i, it := range p.Summaries {
			p.Summaries[i].Actions = Actions(sc, it)
			if it.Status == StatusSubmitted {
				p.Pending++
			}
		}
	}
	return s.UI.Render(w, r, http.StatusOK, "energyreport/review.html", p)
}

type summaryPage struct {
	web.Globals
	Year    int
	Years   []int
	By      string
	Org     org.Org
	Summary Summary
	Pending []string
	Back    string
	History []history.Entry
}

// summaryOrg is the bureau a summary is for: org_id, else the caller's scope unit, else the top unit.
func (s *Service) summaryOrg(r *http.Request) (int64, error) {
	id, err := web.QueryInt(r, "org_id")
	if err != nil || id != 0 {
		return id, err
	}
	sc := auth.ScopeFrom(r.Context())
	if !sc.All() && sc.OrgID != 0 {
		return sc.OrgID, nil
	}
	ids, err := db.Int64s(r.Context(), s.DB, "SELECT id FROM orgs WHERE parent_id IS NULL AND status = 'active' ORDER BY path LIMIT 1")
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

func (s *Service) parseSummary(r *http.Request) (int64, int, string, error) {
	y, err := s.queryYear(r)
	if err != nil {
		return 0, 0, "", err
	}
	by := r.URL.Query().Get("by")
	if by == "" {
		by = ByRegion
	}
	if by != ByRegion && by != ByCategory {
		return 0, 0, "", errs.Invalid("by", "汇总方式应为 region（行政区域）或 category（单位类别）")
	}
	id, err := s.summaryOrg(r)
	if err != nil {
		return 0, 0, "", err
	}
	if id == 0 {
		return 0, 0, "", errs.NotFound("单位")
	}
	return id, y, by, nil
}

func (s *Service) summaryPage(w http.ResponseWriter, r *http.Request) error {
	id, y, by, err := s.parseSummary(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	sm, err := BuildSummary(ctx, s.DB, sc, id, y, by)
	if err != nil {
		return err
	}
	if web.WantsExport(r) {
		data, err := SummaryWorkbook(sm)
		if err != nil {
			return errs.Internal(err)
		}
		return s.sendWorkbook(w, r, fmt.Sprintf("%s-%d年度%s", sm.OrgName, y, map[string]string{ByRegion: "行政区域汇总", ByCategory: "分类汇总"}[by]), data, id)
	}
	o, err := org.GetOrg(ctx, s.DB, sc, id)
	if err != nil {
		return err
	}
	p := &summaryPage{Globals: s.UI.G(r, "energy.report.summary|统计报表汇总", web.Crumb{Label: "menu.energy|节能管理"},
		web.Crumb{Label: "energy.report.menu.summary|报表汇总"}), Year: y, Years: s.years(), By: by, Org: o, Summary: sm,
		Back: fmt.Sprintf("/energy/reports/summary?org_id=%d&year=%d&by=%s", id, y, by)}
	enter := p.Can("energy:enter")
	if sm.Report.Children > 0 {
		if p.Pending, err = s.pendingChildren(ctx, s.DB, id, y); err != nil {
			return err
		}
		if enter {
			p.Summary.Report.Actions = Actions(sc, sm.Report)
		}
		if p.History, err = History(ctx, s.DB, sm.Report); err != nil {
			return err
		}
	}
	return s.UI.Render(w, r, http.StatusOK, "energyreport/summary.html", p)
}
