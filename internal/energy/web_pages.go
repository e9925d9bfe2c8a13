package energy

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/num"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

func (s *Service) pages() {
	u := s.UI
	u.Page("GET /energy/overview", "energy:read", s.dashboard)
	u.Page("GET /energy", "energy:read", func(w http.ResponseWriter, r *http.Request) error {
		to := "/energy/overview"
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return nil
	})
	u.Page("GET /energy/orgs/{id}", "energy:read", s.unitPage)
	u.Page("GET /energy/summary", "energy:read", s.summary)
	u.Page("GET /energy/rankings", "energy:read", s.rankings)
	u.Page("GET /energy/entry", "energy:enter", s.entryPage)
	u.Page("POST /energy/entry", "energy:enter", s.entrySave)
	u.Page("POST /energy/entry/org-year", "energy:enter", s.orgYearSave)
	u.Page("GET /energy/import", "energy:enter", func(w http.ResponseWriter, r *http.Request) error {
		return u.Render(w, r, http.StatusOK, "energy/import.html", s.importPage(r))
	})
	u.Page("GET /energy/import/template", "energy:enter", func(w http.ResponseWriter, r *http.Request) error {
		b, err := xlsx.Template(ImportColumns, "月度能耗")
		if err != nil {
			return err
		}
		xlsx.Send(w, "月度能耗导入模板", b)
		return nil
	})
	u.Page("POST /energy/import", "energy:enter", s.importPost)
	s.meterPages()
	u.Page("GET /energy/anomalies", "energy:read", s.anomaliesPage)
	u.Page("POST /energy/anomalies/{id}/resolve", "energy:write", s.resolvePost)
	u.Page("GET /energy/buildings/{id}", "energy:read", s.buildingPage)
	u.Page("GET /energy/factors", "energy:read", s.factorsPage)
	u.Page("POST /energy/settings", "energy:write", s.settingsPost)
}

// ---- Monthly entry: a month × type grid for one unit and year.

type entryPage struct {
	web.Globals
	Org      *org.Org
	OrgLabel string
	Year     int
	Years    []int
	Types    []Type
	Months   []int
	Cells    map[string]entryCell
	OrgYear  OrgYear
	Errors   map[string]string
	Message  string
	MaxMonth int // months after it (this year) are in the future
	// Warnings are the cells the plausibility check questions (cell → comparison); the form then asks for the
	// confirmation and Reason.
	Warnings map[string]string
	Confirm  bool
	Reason   string
	// Changes are the newest changes of the year's entries with their reasons (the entries' history).
	Changes []Change
}

type entryCell struct {
	Value  string
	Meter  string // the meter-derived figure shown as a hint where there is no entry
	Source string
}

func (s *Service) entryData(r *http.Request, orgID int64, year int) (*entryPage, error) {
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	now := PeriodOf(s.Clock.Now().Unix())
	p := &entryPage{Globals: s.UI.G(r, "energy.entry|月度能耗填报", web.Crumb{Label: "menu.energy|节能管理"}, web.Crumb{Label: "energy.entry|月度能耗填报"}),
		Year: year, Types: Types, Cells: map[string]entryCell{}, MaxMonth: 12}
	for y := now.Year; y >= now.Year-6; y-- {
		p.Years = append(p.Years, y)
	}
	for m := 1; m <= 12; m++ {
		p.Months = append(p.Months, m)
	}
	if year == now.Year {
		p.MaxMonth = now.Month
	}
	if orgID == 0 {
		if sc.Kind == auth.ScopeUnit || sc.Kind == auth.ScopeSelf || (!sc.All() && sc.OrgID != 0) {
			orgID = sc.OrgID
		}
	}
	if orgID == 0 {
		return p, nil
	}
	o, err := org.GetOrg(ctx, s.DB, sc, orgID)
	if err != nil {
		return nil, err
	}
	p.Org, p.OrgLabel = &o, o.Name
	entries, err := ListEntries(ctx, s.DB, sc, orgID, year)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		pp, _ := ParsePeriod(e.Period)
		c := p.Cells[gridField(e.EnergyType, pp.Month)]
		c.Value, c.Source = strconv.FormatFloat(e.Amount, 'f', -1, 64), e.Source
		p.Cells[gridField(e.EnergyType, pp.Month)] = c
	}
	us, err := GetUsage(ctx, s.DB, orgID, year)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		for i := range u.M {
			if u.Has[i] && !u.Entry[i] {
				k := gridField(u.EnergyType, i+1)
				c := p.Cells[k]
				c.Meter = strconv.FormatFloat(num.Round(u.M[i], 2), 'f', -1, 64)
				p.Cells[k] = c
			}
		}
	}
	if p.OrgYear, err = GetOrgYear(ctx, s.DB, orgID, year); err != nil {
		return nil, err
	}
	if p.Changes, err = ListChanges(ctx, s.DB, sc, orgID, year, 30); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Service) entryPage(w http.ResponseWriter, r *http.Request) error {
	orgID, err := web.QueryInt(r, "org_id")
	if err != nil {
		return err
	}
	y, err := queryYear(r, PeriodOf(s.Clock.Now().Unix()).Year)
	if err != nil {
		return err
	}
	p, err := s.entryData(r, orgID, y)
	if err != nil {
		return err
	}
	return s.UI.Render(w, r, http.StatusOK, "energy/entry.html", p)
}

func (s *Service) entrySave(w http.ResponseWriter, r *http.Request) error {
	f := errs.Fields{}
	orgID := web.FormInt(r, "org_id", f)
	year := int(web.FormInt(r, "year", f))
	if err := f.Err(); err != nil {
		return err
	}
	if year < minYear || year > PeriodOf(s.Clock.Now().Unix()).Year {
		return errs.Invalid("year", "年份无效")
	}
	var cells []GridCell
	for _, t := range Types {
		for m := 1; m <= 12; m++ {
			key := gridField(t.Code, m)
			if _, ok := r.PostForm[key]; ok {
				cells = append(cells, GridCell{Month: m, Type: t.Code, Value: r.PostFormValue(key)})
			}
		}
	}
	confirm, reason := r.PostFormValue("confirm") != "", r.PostFormValue("reason")
	res, err := s.SaveGrid(r.Context(), auth.ScopeFrom(r.Context()), orgID, year, cells, confirm, reason)
	if e := errs.As(err); e != nil && (e.Code == errs.CodeValidation || e.Code == errs.CodePlausibility) {
		p, perr := s.entryData(r, orgID, year)
		if perr != nil {
			return perr
		}
		for _, c := range cells {
			cell := p.Cells[gridField(c.Type, c.Month)]
			cell.Value = c.Value
			p.Cells[gridField(c.Type, c.Month)] = cell
		}
		p.Errors, p.Message, p.Confirm, p.Reason = e.Fields, e.Message, confirm, reason
		if e.Code == errs.CodePlausibility {
			p.Warnings, p.Errors = e.Fields, nil
		} else if e.Fields["reason"] != "" {
			// Confirmed without a reason: the questioned cells are asked again with the reason's message.
			if _, werr := s.SaveGrid(r.Context(), auth.ScopeFrom(r.Context()), orgID, year, cells, false, ""); werr != nil {
				if we := errs.As(werr); we != nil && we.Code == errs.CodePlausibility {
					p.Warnings = we.Fields
				}
			}
		}
		return s.UI.Render(w, r, http.StatusUnprocessableEntity, "energy/entry.html", p)
	} else if err != nil {
		return err
	}
	msg := fmt.Sprintf("已保存：更新 %d 项，清除 %d 项", res.Set, res.Cleared)
	if confirm && strings.TrimSpace(reason) != "" {
		msg += "（已确认与往期差异较大的数值并记录说明）"
	}
	if res.Set == 0 && res.Cleared == 0 {
		msg = "没有变化"
	}
	return s.UI.Redirect(w, r, fmt.Sprintf("/energy/entry?org_id=%d&year=%d", orgID, year), msg)
}

func (s *Service) orgYearSave(w http.ResponseWriter, r *http.Request) error {
	f := errs.Fields{}
	in := OrgYear{OrgID: web.FormInt(r, "org_id", f), Year: int(web.FormInt(r, "year", f)), Headcount: web.FormInt(r, "headcount", f),
		FloorAreaM2: web.FormFloat(r, "floor_area_m2", f)}
	if err := f.Err(); err != nil {
		return err
	}
	if _, err := s.SetOrgYear(r.Context(), auth.ScopeFrom(r.Context()), in); err != nil {
		if e := errs.As(err); e != nil && e.Code == errs.CodeValidation {
			p, perr := s.entryData(r, in.OrgID, in.Year)
			if perr != nil {
				return perr
			}
			p.Errors, p.Message = e.Fields, e.Message
			return s.UI.Render(w, r, http.StatusUnprocessableEntity, "energy/entry.html", p)
		}
		return err
	}
	return s.UI.Redirect(w, r, fmt.Sprintf("/energy/entry?org_id=%d&year=%d", in.OrgID, in.Year), "已保存用能人数和建筑面积")
}

// ---- Excel import.

type importPage struct {
	web.Globals
	Report  *ImportReport
	Columns []xlsx.Column
	Err     string
	// Kept is the workbook kept for 确认导入 (nil: none); Errors holds the reason's message.
	Kept   *KeptFile
	Errors map[string]string
	Reason string
}

func (s *Service) importPage(r *http.Request) *importPage {
	return &importPage{Globals: s.UI.G(r, "energy.import|导入月度能耗", web.Crumb{Label: "menu.energy|节能管理"}, web.Crumb{Label: "energy.entry|月度能耗填报", Path: "/energy/entry"},
		web.Crumb{Label: "energy.import|导入月度能耗"}), Columns: ImportColumns}
}

// importFile is the workbook of an import post: a newly chosen file (kept for the confirmation when keep), else the
// one kept under the posted token.
func (s *Service) importFile(r *http.Request, now time.Time, keep bool) (KeptFile, error) {
	ctx := r.Context()
	u := auth.UserFrom(ctx)
	if u == nil {
		return KeptFile{}, errs.New(errs.CodeUnauthenticated, "请先登录")
	}
	csrf := web.CSRFFrom(ctx)
	if file, hdr, err := r.FormFile("file"); err == nil {
		defer file.Close()
		data, err := io.ReadAll(io.LimitReader(file, xlsx.MaxUpload+1))
		if err != nil {
			return KeptFile{}, errs.BadRequest("文件读取失败")
		}
		if len(data) > xlsx.MaxUpload {
			return KeptFile{}, &errs.Error{Code: errs.CodeTooLarge, Message: "文件过大（上限 20 MB）"}
		}
		if len(data) > 0 {
			if _, err := xlsx.Read(bytes.NewReader(data), ImportColumns); err != nil {
				return KeptFile{}, err // a file that does not read is not kept
			}
			if !keep {
				return KeptFile{Filename: filepath.Base(hdr.Filename), Data: data}, nil
			}
			var k KeptFile
			err := s.DB.Tx(ctx, func(q db.Q) error {
				var err error
				k, err = keepImportFile(ctx, q, now, u.ID, csrf, filepath.Base(hdr.Filename), data)
				return err
			})
			return k, err
		}
	}
	if tok := r.FormValue("token"); tok != "" {
		return keptImportFile(ctx, s.DB, now, u.ID, csrf, tok)
	}
	return KeptFile{}, errs.Invalid("file", "请选择要上传的 Excel 文件")
}

func (s *Service) importPost(w http.ResponseWriter, r *http.Request) error {
	p := s.importPage(r)
	now := s.Clock.Now()
	r.Body = http.MaxBytesReader(w, r.Body, xlsx.MaxUpload+1<<20)
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		p.Err = "请选择要上传的 Excel 文件"
		return s.UI.Render(w, r, http.StatusUnprocessableEntity, "energy/import.html", p)
	}
	refuse := func(err error) error {
		e := errs.As(err)
		if e == nil || e.Code == errs.CodeInternal {
			return err
		}
		p.Err = e.Message
		for _, v := range e.Fields {
			p.Err = v
		}
		return s.UI.Render(w, r, errs.Status(e.Code), "energy/import.html", p)
	}
	k, err := s.importFile(r, now, true)
	if err != nil {
		return refuse(err)
	}
	p.Kept = &k
	rows, err := xlsx.Read(bytes.NewReader(k.Data), ImportColumns)
	if err != nil {
		return refuse(err)
	}
	o := ImportOptions{DryRun: r.PostFormValue("dry_run") != "", Confirm: r.PostFormValue("confirm") != "", Reason: r.PostFormValue("reason")}
	p.Reason = o.Reason
	rep, err := s.ImportConsumption(r.Context(), auth.ScopeFrom(r.Context()), rows, o)
	if e := errs.As(err); e != nil && e.Code == errs.CodeValidation && e.Fields["reason"] != "" {
		// A confirmation without a reason: show the trial again with the reason's message.
		o.DryRun, o.Confirm = true, false
		if rep, err = s.ImportConsumption(r.Context(), auth.ScopeFrom(r.Context()), rows, o); err != nil {
			return err
		}
		p.Report, p.Errors = &rep, e.Fields
		return s.UI.Render(w, r, http.StatusUnprocessableEntity, "energy/import.html", p)
	} else if err != nil {
		return err
	}
	p.Report = &rep
	st := http.StatusOK
	if !rep.OK() || (!o.DryRun && rep.NeedsConfirm()) {
		st = http.StatusUnprocessableEntity
	}
	if !o.DryRun && st == http.StatusOK {
		if err := dropImportFile(r.Context(), s.DB, k.Token); err != nil {
			return err
		}
		p.Kept = nil
	}
	return s.UI.Render(w, r, st, "energy/import.html", p)
}

// ---- Anomalies.

type anomaliesPage struct {
	web.Globals
	Items  []Anomaly
	Pager  web.Pager
	F      AnomalyFilter
	Meter  *Meter
	Errors map[string]string
	ErrID  int64
}

func (s *Service) anomaliesPage(w http.ResponseWriter, r *http.Request) error {
	f, err := parseAnomalyFilter(r)
	if err != nil {
		return err
	}
	if web.WantsExport(r) {
		s.WaitRollups(r.Context())
		f.List.Page, f.List.PageSize = 1, 200000
		items, _, err := ListAnomalies(r.Context(), s.DB, auth.ScopeFrom(r.Context()), f)
		if err != nil {
			return err
		}
		rows := make([][]any, 0, len(items))
		for _, a := range items {
			status := "待处理"
			if !a.Open() {
				status = "已处理：" + a.ResolutionName()
			}
			rows = append(rows, []any{a.OrgName, a.MeterName, a.KindName(), a.PrevTime, a.Time, a.PrevValue, a.Value, a.Amount, a.Expected, a.Unit,
				status, a.ResolvedAmount, a.Note, a.ResolvedBy})
		}
		return xlsx.Export(w, r, s.DB, s.Clock.Now(), "读数异常", []string{"单位", "计量表", "类型", "上次读数时间", "读数时间", "上次读数", "读数",
			"区间用量", "预期用量", "单位", "状态", "处理后计入", "说明", "处理人"}, rows, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0)})
	}
	return s.renderAnomalies(w, r, http.StatusOK, f, nil, 0)
}

func (s *Service) renderAnomalies(w http.ResponseWriter, r *http.Request, status int, f AnomalyFilter, fields map[string]string, errID int64) error {
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	s.WaitRollups(ctx)
	p := &anomaliesPage{Globals: s.UI.G(r, "energy.anomalies|读数异常审核", web.Crumb{Label: "menu.energy|节能管理"}, web.Crumb{Label: "energy.anomalies|读数异常审核"}),
		F: f, Errors: fields, ErrID: errID}
	if f.MeterID != 0 {
		m, err := GetMeter(ctx, s.DB, sc, f.MeterID)
		if err != nil {
			return err
		}
		p.Meter = &m
	}
	var total int64
	var err error
	if p.Items, total, err = ListAnomalies(ctx, s.DB, sc, f); err != nil {
		return err
	}
	p.Pager = web.NewPager(f.List, total)
	return s.UI.Render(w, r, status, "energy/anomalies.html", p)
}

func (s *Service) resolvePost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	f := errs.Fields{}
	in := ResolveInput{Resolution: r.PostFormValue("resolution"), Note: r.PostFormValue("note"), RolloverAt: web.FormFloat(r, "rollover_at", f),
		OldFinal: web.FormFloat(r, "old_final", f), NewStart: web.FormFloat(r, "new_start", f)}
	if err = f.Err(); err == nil {
		_, err = s.ResolveAnomaly(r.Context(), auth.ScopeFrom(r.Context()), id, in)
	}
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/energy/") {
		back = "/energy/anomalies?status=open"
	}
	if e := errs.As(err); e != nil && (e.Code == errs.CodeValidation || e.Code == errs.CodeConflict) {
		if e.Code == errs.CodeConflict {
			s.UI.SetFlash(w, "error", e.Message)
			http.Redirect(w, r, back, http.StatusSeeOther)
			return nil
		}
		af := AnomalyFilter{List: web.List{Page: 1, PageSize: 20, URL: r.URL}, Status: "open"}
		if a, gerr := GetAnomaly(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id); gerr == nil {
			af.MeterID = a.MeterID
		}
		return s.renderAnomalies(w, r, http.StatusUnprocessableEntity, af, e.Fields, id)
	} else if err != nil {
		return err
	}
	return s.UI.Redirect(w, r, back, "已处理，相关汇总已重算")
}
