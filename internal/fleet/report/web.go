package report

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

const menuGroup = "menu.fleet|公务用车"

var menu = []web.MenuItem{
	{Group: menuGroup, Label: "fleet.report.menu.usage|使用情况", Path: "/fleet/usage", Perm: PermRead, Order: 60},
	{Group: menuGroup, Label: "fleet.report.menu.list|统计报表", Path: "/fleet/reports", Perm: PermRead, Order: 62},
	{Group: menuGroup, Label: "fleet.report.menu.review|报表审核", Path: "/fleet/reports/review", Perm: PermReport, Order: 64},
	{Group: menuGroup, Label: "fleet.report.menu.summary|报表汇总", Path: "/fleet/reports/summary", Perm: PermRead, Order: 66},
	{Group: menuGroup, Label: "fleet.report.menu.exchange|省平台数据交换", Path: "/fleet/exchange", Perm: PermRead, Order: 68},
}

func badge(st string) string {
	switch st {
	case StatusApproved:
		return "badge badge-ok"
	case StatusReturned:
		return "badge badge-danger"
	case StatusSubmitted:
		return "badge badge-warn"
	}
	return "badge"
}

func fmtNum(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

func fmtPct(v float64) string { return fmtNum(round(v*100, 1)) + "%" }

func (s *Service) pages() {
	u := s.UI
	u.Page("GET /fleet/reports", PermRead, s.listPage)
	u.Page("GET /fleet/reports/review", PermReport, s.reviewPage)
	u.Page("GET /fleet/reports/summary", PermRead, s.summaryPage)
	u.Page("GET /fleet/reports/{org_id}/{year}", PermRead, s.formPage)
	u.Page("GET /fleet/reports/{org_id}/{year}/export", PermRead, s.formExport)
	u.Page("GET /fleet/reports/{org_id}/{year}/print", PermRead, s.printPage)
	u.Page("POST /fleet/reports/{org_id}/{year}/info", PermReport, s.infoPost)
	u.Page("POST /fleet/reports/{org_id}/{year}/{action}", PermReport, s.actPost)
	u.Page("GET /fleet/usage", PermRead, s.usagePage)
	u.Page("GET /fleet/exchange", PermRead, s.exchangePage)
}

func (s *Service) thisYear() int { return s.Clock.Now().In(clock.Shanghai).Year() }

// defaultYear is the annual report's year by default: last year (the report of a year is due the next spring).
func (s *Service) defaultYear() int { return s.thisYear() - 1 }

func (s *Service) queryYear(r *http.Request, def int) (int, error) {
	return web.QueryYear(r, def, 2000, s.thisYear())
}

func (s *Service) years() []int {
	var ys []int
	for y := s.thisYear(); y >= s.thisYear()-5; y-- {
		ys = append(ys, y)
	}
	return ys
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

// queryOrg is the unit a summary, usage or exchange is for: org_id, else the caller's scope unit, else the top unit.
func (s *Service) queryOrg(r *http.Request) (int64, error) {
	id, err := web.QueryInt(r, "org_id")
	if err != nil || id != 0 {
		return id, err
	}
	sc := auth.ScopeFrom(r.Context())
	if !sc.All() && sc.OrgID != 0 {
		return sc.OrgID, nil
	}
	return s.topUnit(r.Context())
}

func (s *Service) topUnit(ctx context.Context) (int64, error) {
	ids, err := db.Int64s(ctx, s.DB, "SELECT id FROM orgs WHERE parent_id IS NULL AND status = 'active' ORDER BY path LIMIT 1")
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// reviewerUnit is the unit whose children's reports the caller reviews: the scope unit of a subtree user, the top
// unit for a user who sees everything, none for a user of one unit.
func (s *Service) reviewerUnit(ctx context.Context, sc auth.Scope) (int64, error) {
	switch {
	case sc.All():
		return s.topUnit(ctx)
	case sc.Kind == auth.ScopeSubtree:
		return sc.OrgID, nil
	}
	return 0, nil
}

func (s *Service) parseFilter(r *http.Request) (Filter, error) {
	y, err := s.queryYear(r, s.defaultYear())
	if err != nil {
		return Filter{}, err
	}
	f := Filter{Year: y, Status: r.URL.Query().Get("status")}
	if f.Status != "" && !Statuses.Has(f.Status) {
		return f, errs.Invalid("status", "状态应为 draft、submitted、returned 或 approved")
	}
	return f, nil
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

type listPage struct {
	web.Globals
	F            Filter
	Years        []int
	Statuses     enum.List
	Items        []Report
	Counts       map[string]int
	Deadline     string
	PastDeadline bool
	Layout       string
}

func (s *Service) listPage(w http.ResponseWriter, r *http.Request) error {
	f, err := s.parseFilter(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	all := f
	all.Status = ""
	items, err := ListReports(ctx, s.DB, auth.ScopeFrom(ctx), all)
	if err != nil {
		return err
	}
	if web.WantsExport(r) {
		rows := make([][]any, 0, len(items))
		for _, it := range items {
			if f.Status != "" && it.Status != f.Status {
				continue
			}
			rows = append(rows, []any{it.OrgName, it.ParentName, it.StatusName, web.FormatTime(it.SubmittedAt), it.SubmittedBy, yesNo(it.Late),
				web.FormatTime(it.ReviewedAt), it.ReviewedBy, it.Reason})
		}
		return xlsx.Export(w, r, s.DB, s.Clock.Now(), fmt.Sprintf("%d年度公务用车统计报表上报情况", f.Year),
			[]string{"单位", "审核单位", "状态", "上报时间", "上报人", "逾期", "审核时间", "审核人", "退回原因"}, rows, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0)})
	}
	p := &listPage{Globals: s.UI.G(r, "fleet.report.list|公务用车配备更新和使用情况统计报表", web.Crumb{Label: menuGroup},
		web.Crumb{Label: "fleet.report.menu.list|统计报表"}), F: f, Years: s.years(), Statuses: Statuses, Counts: map[string]int{}, Layout: LayoutMark}
	for _, it := range items {
		p.Counts[it.Status]++
		if f.Status == "" || it.Status == f.Status {
			p.Items = append(p.Items, it)
		}
	}
	if rules, err := LoadRules(ctx, s.DB, f.Year, ""); err == nil {
		d := Deadline(f.Year, rules)
		p.Deadline, p.PastDeadline = d.Format("2006-01-02"), s.Clock.Now().After(d)
	}
	return s.UI.Render(w, r, http.StatusOK, "fleetreport/list.html", p)
}

// Detail is a unit's report as the API returns it.
type Detail struct {
	Report  Report  `json:"report"`
	Figures Figures `json:"figures"`
	Info    Info    `json:"info"`
	Layout  string  `json:"layout" doc:"GovOps layout：官方表式未取得"`
}

func (s *Service) detail(ctx context.Context, sc auth.Scope, orgID int64, y int) (Detail, error) {
	rep, err := GetReport(ctx, s.DB, sc, orgID, y)
	if err != nil {
		return Detail{}, err
	}
	fg, err := s.FiguresOf(ctx, s.DB, sc, rep)
	if err != nil {
		return Detail{}, err
	}
	info, err := LoadInfo(ctx, s.DB, orgID, y)
	if err != nil {
		return Detail{}, err
	}
	if u := auth.UserFrom(ctx); u != nil && u.Can(PermReport) {
		rep.Actions = Actions(sc, rep)
	}
	return Detail{Report: rep, Figures: fg, Info: info, Layout: LayoutMark}, nil
}

type formPage struct {
	web.Globals
	Detail
	History    []history.Entry
	CanEdit    bool
	Confirming bool
	Missing    map[string]string
	Errors     map[string]string
	Message    string
	Years      []int
}

func (s *Service) formData(r *http.Request, orgID int64, y int) (*formPage, error) {
	ctx := r.Context()
	d, err := s.detail(ctx, auth.ScopeFrom(ctx), orgID, y)
	if err != nil {
		return nil, err
	}
	h, err := History(ctx, s.DB, d.Report)
	if err != nil {
		return nil, err
	}
	p := &formPage{Globals: s.UI.G(r, "fleet.report.form|公务用车统计报表", web.Crumb{Label: menuGroup},
		web.Crumb{Label: "fleet.report.menu.list|统计报表", Path: fmt.Sprintf("/fleet/reports?year=%d", y)}, web.Crumb{Label: d.Report.OrgName}),
		Detail: d, History: h, Years: s.years()}
	p.CanEdit = p.Can(PermReport) && !d.Report.Locked && (isFiller(auth.ScopeFrom(ctx), d.Report) || auth.ScopeFrom(ctx).All())
	p.Confirming = d.Report.Can(ActSubmit) && r.URL.Query().Get("confirm") == ActSubmit
	if p.Confirming {
		p.Missing = map[string]string{}
		if e := errs.As(checkSignoff(d.Info)); e != nil {
			p.Missing = e.Fields
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
	return s.UI.Render(w, r, http.StatusOK, "fleetreport/form.html", p)
}

func (s *Service) formExport(w http.ResponseWriter, r *http.Request) error {
	id, y, err := pathKey(r)
	if err != nil {
		return err
	}
	d, err := s.detail(r.Context(), auth.ScopeFrom(r.Context()), id, y)
	if err != nil {
		return err
	}
	data, err := ReportWorkbook(d, s.Clock.Now())
	if err != nil {
		return errs.Internal(err)
	}
	return s.sendWorkbook(w, r, fmt.Sprintf("%s-%d年度公务用车统计报表", d.Report.OrgName, y), data, id)
}

type printPage struct {
	web.Globals
	Detail
	Reported string
}

func (s *Service) printPage(w http.ResponseWriter, r *http.Request) error {
	id, y, err := pathKey(r)
	if err != nil {
		return err
	}
	d, err := s.detail(r.Context(), auth.ScopeFrom(r.Context()), id, y)
	if err != nil {
		return err
	}
	p := &printPage{Detail: d, Reported: "　　年　　月　　日"}
	if d.Report.SubmittedAt > 0 {
		p.Reported = time.Unix(d.Report.SubmittedAt, 0).In(clock.Shanghai).Format("2006 年 01 月 02 日")
	}
	p.Globals = s.UI.G(r, "fleet.report.print|打印统计报表", web.Crumb{Label: menuGroup},
		web.Crumb{Label: "fleet.report.menu.list|统计报表", Path: fmt.Sprintf("/fleet/reports?year=%d", y)},
		web.Crumb{Label: d.Report.OrgName, Path: fmt.Sprintf("/fleet/reports/%d/%d", id, y)}, web.Crumb{Label: "fleet.report.print|打印统计报表"})
	p.PrintUnit = d.Report.OrgName
	return s.UI.Render(w, r, http.StatusOK, "fleetreport/print.html", p)
}

func (s *Service) infoPost(w http.ResponseWriter, r *http.Request) error {
	id, y, err := pathKey(r)
	if err != nil {
		return err
	}
	f := errs.Fields{}
	in := Info{Note: r.PostFormValue("note"), Principal: r.PostFormValue("principal"), Preparer: r.PostFormValue("preparer"), Phone: r.PostFormValue("phone")}
	if strings.TrimSpace(r.PostFormValue("replaced")) != "" {
		in.Replaced = int(web.FormInt(r, "replaced", f))
	}
	if strings.TrimSpace(r.PostFormValue("budget_yuan")) != "" {
		in.BudgetYuan = web.FormFloat(r, "budget_yuan", f)
	}
	err = f.Err()
	if err == nil {
		_, err = s.SaveInfo(r.Context(), auth.ScopeFrom(r.Context()), id, y, in)
	}
	back := fmt.Sprintf("/fleet/reports/%d/%d", id, y)
	if e := errs.As(err); e != nil && e.Code == errs.CodeValidation {
		p, perr := s.formData(r, id, y)
		if perr != nil {
			return perr
		}
		p.Info, p.Errors, p.Message = in, e.Fields, e.Message
		return s.UI.Render(w, r, http.StatusUnprocessableEntity, "fleetreport/form.html", p)
	} else if e != nil && e.Code == errs.CodeConflict {
		s.UI.SetFlash(w, "error", e.Message)
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	} else if err != nil {
		return err
	}
	return s.UI.Redirect(w, r, back, "已保存报表信息")
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
	in := ActInput{Reason: r.PostFormValue("reason")}
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/fleet/reports") || strings.HasPrefix(back, "//") {
		back = fmt.Sprintf("/fleet/reports/%d/%d", id, y)
	}
	if action == ActSubmit && r.PostFormValue("checked") == "" {
		if _, err := GetReport(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id, y); err != nil {
			return err // outside the scope: 404 before anything else
		}
		// The page submits only from its confirmation step, with "我已核对" ticked.
		s.UI.SetFlash(w, "error", "上报前请核对报表数据和签署信息，并勾选“我已核对”")
		http.Redirect(w, r, fmt.Sprintf("/fleet/reports/%d/%d?confirm=submit#submit-confirm", id, y), http.StatusSeeOther)
		return nil
	}
	_, err = s.Act(r.Context(), auth.ScopeFrom(r.Context()), id, y, action, in)
	if e := errs.As(err); e != nil && (e.Code == errs.CodeConflict || e.Code == errs.CodeValidation) {
		msg := e.Message
		for _, v := range e.Fields {
			msg += "（" + v + "）"
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
	Year     int
	Years    []int
	Reviewer string
	Units    []Report
	Back     string
	Pending  int
}

func (s *Service) reviewPage(w http.ResponseWriter, r *http.Request) error {
	y, err := s.queryYear(r, s.defaultYear())
	if err != nil {
		return err
	}
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	p := &reviewPage{Globals: s.UI.G(r, "fleet.report.review|公务用车统计报表审核", web.Crumb{Label: menuGroup},
		web.Crumb{Label: "fleet.report.menu.review|报表审核"}), Year: y, Years: s.years(), Back: fmt.Sprintf("/fleet/reports/review?year=%d", y)}
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
		if p.Units, err = ListReports(ctx, s.DB, sc, Filter{Year: y, ParentID: parent}); err != nil {
			return err
		}
		for i, it := range p.Units {
			p.Units[i].Actions = Actions(sc, it)
			if it.Status == StatusSubmitted {
				p.Pending++
			}
		}
	}
	return s.UI.Render(w, r, http.StatusOK, "fleetreport/review.html", p)
}

type summaryPage struct {
	web.Globals
	Year    int
	Years   []int
	Summary Summary
}

func (s *Service) summaryFor(r *http.Request) (Summary, error) {
	y, err := s.queryYear(r, s.defaultYear())
	if err != nil {
		return Summary{}, err
	}
	id, err := s.queryOrg(r)
	if err != nil {
		return Summary{}, err
	}
	if id == 0 {
		return Summary{}, errs.NotFound("单位")
	}
	return s.BuildSummary(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id, y)
}

func (s *Service) summaryExport(w http.ResponseWriter, r *http.Request, sm Summary) error {
	data, err := SummaryWorkbook(sm, s.Clock.Now())
	if err != nil {
		return errs.Internal(err)
	}
	return s.sendWorkbook(w, r, fmt.Sprintf("%s-%d年度公务用车统计汇总", sm.OrgName, sm.Year), data, sm.OrgID)
}

func (s *Service) summaryPage(w http.ResponseWriter, r *http.Request) error {
	sm, err := s.summaryFor(r)
	if err != nil {
		return err
	}
	if web.WantsExport(r) {
		return s.summaryExport(w, r, sm)
	}
	p := &summaryPage{Globals: s.UI.G(r, "fleet.report.summary|公务用车统计报表汇总", web.Crumb{Label: menuGroup},
		web.Crumb{Label: "fleet.report.menu.summary|报表汇总"}), Year: sm.Year, Years: s.years(), Summary: sm}
	return s.UI.Render(w, r, http.StatusOK, "fleetreport/summary.html", p)
}

func (s *Service) usageFor(r *http.Request) (Usage, error) {
	y, err := s.queryYear(r, s.thisYear())
	if err != nil {
		return Usage{}, err
	}
	id, err := s.queryOrg(r)
	if err != nil {
		return Usage{}, err
	}
	if id == 0 {
		return Usage{}, errs.NotFound("单位")
	}
	return s.BuildUsage(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id, y)
}

// usageExport sends the usage as a workbook in the kit's titled layout: the vehicles, with the 合计 row.
func (s *Service) usageExport(w http.ResponseWriter, r *http.Request, u Usage) error {
	rows := make([][]any, 0, len(u.Vehicles))
	for _, v := range u.Vehicles {
		rows = append(rows, []any{v.Plate, v.OrgName, v.CategoryName, yesNo(v.NEV), v.Trips, v.DaysUsed, v.WorkingDays, round(v.Utilisation*100, 1),
			v.DistanceKM, v.CostYuan, v.CostPerKMYuan})
	}
	return xlsx.Export(w, r, s.DB, s.Clock.Now(), fmt.Sprintf("%s %d年公务用车使用情况（%s至%s）", u.OrgName, u.Year, u.From, u.To),
		UsageHeaders, rows, xlsx.Layout{Unit: u.OrgName, Sum: []string{"出车次数", "出车天数", "在册工作日", "行驶里程（公里）", "费用（元）"}})
}

// UsageHeaders are the columns of the usage export.
var UsageHeaders = []string{"车牌号码", "所属单位", "车辆类别", "新能源", "出车次数", "出车天数", "在册工作日", "使用率（%）", "行驶里程（公里）", "费用（元）", "每公里费用（元）"}

type usagePage struct {
	web.Globals
	Years []int
	Usage Usage
	// Supervisor marks the read-only view (a viewer who may change nothing in the fleet: 纪检、财政、审计).
	Supervisor bool
}

func (s *Service) usagePage(w http.ResponseWriter, r *http.Request) error {
	u, err := s.usageFor(r)
	if err != nil {
		return err
	}
	if web.WantsExport(r) {
		return s.usageExport(w, r, u)
	}
	p := &usagePage{Globals: s.UI.G(r, "fleet.report.usage|公务用车使用情况", web.Crumb{Label: menuGroup},
		web.Crumb{Label: "fleet.report.menu.usage|使用情况"}), Years: s.years(), Usage: u}
	p.Supervisor = !p.Can("fleet:register") && !p.Can("fleet:dispatch") && !p.Can(PermReport)
	return s.UI.Render(w, r, http.StatusOK, "fleetreport/usage.html", p)
}

type exchangePage struct {
	web.Globals
	Years    []int
	Exchange Exchange
}

func (s *Service) exchangeFor(r *http.Request) (Exchange, error) {
	y, err := s.queryYear(r, s.thisYear())
	if err != nil {
		return Exchange{}, err
	}
	id, err := s.queryOrg(r)
	if err != nil {
		return Exchange{}, err
	}
	if id == 0 {
		return Exchange{}, errs.NotFound("单位")
	}
	return s.BuildExchange(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id, y)
}

func (s *Service) exchangeExport(w http.ResponseWriter, r *http.Request, ex Exchange) error {
	data, err := ExchangeWorkbook(ex, s.Clock.Now())
	if err != nil {
		return errs.Internal(err)
	}
	return s.sendWorkbook(w, r, fmt.Sprintf("%s-%d年度公务用车数据交换", ex.OrgName, ex.Year), data, ex.OrgID)
}

func (s *Service) exchangePage(w http.ResponseWriter, r *http.Request) error {
	ex, err := s.exchangeFor(r)
	if err != nil {
		return err
	}
	if web.WantsExport(r) {
		return s.exchangeExport(w, r, ex)
	}
	p := &exchangePage{Globals: s.UI.G(r, "fleet.report.exchange|省平台数据交换", web.Crumb{Label: menuGroup},
		web.Crumb{Label: "fleet.report.menu.exchange|省平台数据交换"}), Years: s.years(), Exchange: ex}
	return s.UI.Render(w, r, http.StatusOK, "fleetreport/exchange.html", p)
}
