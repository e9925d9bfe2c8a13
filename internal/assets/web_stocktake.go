package assets

import (
	"embed"
	"net/http"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// Pages of the stocktake: the tasks, a task's report with its adjustment, the phone page that records what is found,
// the printable QR labels, and the loans.

//go:embed static/*
var staticFS embed.FS

type stocktakesPage struct {
	web.Globals
	F        StocktakeFilter
	Tasks    []Stocktake
	Pager    web.Pager
	Statuses enum.List
	Classes  []web.Option
	Form     StocktakeInput
}

type stocktakePage struct {
	web.Globals
	S          Stocktake
	Tab        string
	Result     string
	Items      []Item
	Pager      web.Pager
	Adjustment *Adjustment
	History    []history.Entry
	Classes    []web.Option
}

type labelsPage struct {
	web.Globals
	Labels []Label
	More   int64
	Back   string
}

func parseStocktakeFilter(r *http.Request) (StocktakeFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return StocktakeFilter{}, err
	}
	orgID, err := web.QueryInt(r, "org_id")
	return StocktakeFilter{List: l, OrgID: orgID, Status: strings.TrimSpace(r.URL.Query().Get("status"))}, err
}

func parseItemFilter(r *http.Request) (ItemFilter, error) {
	l, err := web.ParseList(r)
	return ItemFilter{List: l, Result: strings.TrimSpace(r.URL.Query().Get("result"))}, err
}

func taskPath(id int64) string { return "/assets/stocktakes/tasks/" + itoa(id) }

// static serves the module's script and stylesheet of the scan and label pages.
func static(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil || strings.Contains(name, "/") {
		return errs.NotFound("文件")
	}
	ct := "text/css; charset=utf-8"
	if strings.HasSuffix(name, ".js") {
		ct = "text/javascript; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err = w.Write(b)
	return err
}

func (s *Service) stocktakePages() {
	u := s.UI
	u.Public("GET /assets/stocktakes/static/{name}", static)
	u.Page("GET /assets/stocktakes", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		f, err := parseStocktakeFilter(r)
		if err != nil {
			return err
		}
		p := &stocktakesPage{Globals: s.g(r, "assets.menu.stocktakes|资产盘点", web.Crumb{Label: "assets.menu.stocktakes|资产盘点"}), F: f, Statuses: StocktakeStatuses,
			Form: StocktakeInput{OrgID: defaultOrg(r), Name: "资产盘点 " + s.today()}}
		var total int64
		if p.Tasks, total, err = ListStocktakes(r.Context(), s.DB, auth.ScopeFrom(r.Context()), f); err != nil {
			return err
		}
		if _, p.Classes, err = s.classOptions(r); err != nil {
			return err
		}
		p.Pager = web.NewPager(f.List, total)
		return u.Render(w, r, http.StatusOK, "assets/stocktakes.html", p)
	})
	u.Page("POST /assets/stocktakes", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		f := errs.Fields{}
		in := StocktakeInput{OrgID: web.FormInt(r, "org_id", f), Name: fstr(r, "name"), Location: fstr(r, "location"), ClassCode: fstr(r, "class_code"),
			DueOn: fstr(r, "due_on"), RoomID: web.FormInt(r, "room_id", f)}
		if err := f.Err(); err != nil {
			return s.done(w, r, err, "/assets/stocktakes", "")
		}
		st, err := s.CreateStocktake(r.Context(), auth.ScopeFrom(r.Context()), in)
		to := "/assets/stocktakes"
		if err == nil {
			to = taskPath(st.ID)
		}
		return s.done(w, r, formErr(err), to, "已创建盘点任务")
	})
	u.Page("GET /assets/stocktakes/tasks/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		st, err := GetStocktake(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		f, err := parseItemFilter(r)
		if err != nil {
			return err
		}
		if web.WantsExport(r) {
			f.List.Page, f.List.PageSize = 1, 200000
		}
		p := &stocktakePage{Globals: s.g(r, st.Name, web.Crumb{Label: "assets.menu.stocktakes|资产盘点", Path: "/assets/stocktakes"}, web.Crumb{Label: st.Name}),
			S: st, Tab: r.URL.Query().Get("tab"), Result: f.Result}
		p.PrintUnit = st.OrgName
		var total int64
		if p.Items, total, err = ListItems(r.Context(), s.DB, sc, id, f); err != nil {
			return err
		}
		if web.WantsExport(r) {
			return s.exportStocktake(w, r, st, p.Items)
		}
		p.Pager = web.NewPager(f.List, total)
		adjs, _, err := ListAdjustments(r.Context(), s.DB, sc, AdjustmentFilter{List: web.List{Page: 1, PageSize: 1}, StocktakeID: id})
		if err != nil {
			return err
		}
		if len(adjs) > 0 {
			p.Adjustment = &adjs[0]
		}
		if p.Tab == "history" {
			if p.History, err = history.List(r.Context(), s.DB, objStocktake, id, 200); err != nil {
				return err
			}
		}
		return u.Render(w, r, http.StatusOK, "assets/stocktake.html", p)
	})
	u.Page("GET /assets/stocktakes/tasks/{id}/scan", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		st, err := GetStocktake(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		p := &stocktakePage{Globals: s.g(r, st.Name, web.Crumb{Label: "assets.menu.stocktakes|资产盘点", Path: "/assets/stocktakes"},
			web.Crumb{Label: st.Name, Path: taskPath(id)}, web.Crumb{Label: "assets.st.scan|扫码盘点"}), S: st}
		if p.Items, _, err = ListItems(r.Context(), s.DB, sc, id, ItemFilter{List: web.List{Page: 1, PageSize: 300}, Result: "pending"}); err != nil {
			return err
		}
		if _, p.Classes, err = s.classOptions(r); err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "assets/stocktake_scan.html", p)
	})
	u.Page("POST /assets/stocktakes/tasks/{id}/scan", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		res, err := s.Scan(r.Context(), auth.ScopeFrom(r.Context()), id, ScanInput{Code: fstr(r, "code"), Note: fstr(r, "note")})
		ok := "已盘到 " + res.Item.Code + " " + res.Item.Name
		if res.Again {
			ok = res.Item.Code + " " + res.Item.Name + " 此前已盘到"
		}
		return s.done(w, r, err, taskPath(id)+"/scan", ok)
	})
	u.Page("POST /assets/stocktakes/tasks/{id}/surplus", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		f := errs.Fields{}
		in := SurplusInput{Name: fstr(r, "name"), ClassCode: fstr(r, "class_code"), ValueYuan: web.FormFloat(r, "value_yuan", f), Location: fstr(r, "location"),
			Code: fstr(r, "code"), Note: fstr(r, "note")}
		if err := f.Err(); err != nil {
			return s.done(w, r, err, taskPath(id)+"/scan", "")
		}
		_, err = s.AddSurplus(r.Context(), auth.ScopeFrom(r.Context()), id, in)
		return s.done(w, r, err, taskPath(id)+"/scan", "已登记盘盈资产 "+in.Name)
	})
	u.Page("POST /assets/stocktakes/tasks/{id}/close", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		st, err := s.CloseStocktake(r.Context(), auth.ScopeFrom(r.Context()), id)
		ok := "盘点已结束，账实相符"
		if st.Missing+st.Surplus > 0 {
			ok = "盘点已结束，盘点调整已提交机关事务管理局审核"
		}
		return s.done(w, r, err, taskPath(id), ok)
	})
	adjust := func(approve bool, ok string) func(w http.ResponseWriter, r *http.Request) error {
		return func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			sc := auth.ScopeFrom(r.Context())
			to := "/assets/stocktakes"
			if a, err := GetAdjustment(r.Context(), s.DB, sc, id); err == nil {
				to = taskPath(a.StocktakeID)
			}
			_, err = s.DecideAdjustment(r.Context(), sc, id, approve, fstr(r, "comment"))
			return s.done(w, r, err, to, ok)
		}
	}
	u.Page("POST /assets/stocktakes/adjustments/{id}/approve", PermApprove, adjust(true, "已批准盘点调整，台账已调整"))
	u.Page("POST /assets/stocktakes/adjustments/{id}/reject", PermApprove, adjust(false, "已驳回盘点调整，任务重新开放盘点"))
	u.Page("GET /assets/labels", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.labels(r)
		if err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "assets/labels.html", p)
	})
	s.loanPages()
}

// maxLabels is the most labels one page prints.
const maxLabels = 500

// labels makes the labels of a task's cards (stocktake_id) or of the ledger's filter.
func (s *Service) labels(r *http.Request) (*labelsPage, error) {
	sc := auth.ScopeFrom(r.Context())
	p := &labelsPage{Globals: s.g(r, "assets.labels|打印资产标签", web.Crumb{Label: "assets.labels|打印资产标签"}), Back: "/assets"}
	var as []Asset
	taskID, err := web.QueryInt(r, "stocktake_id")
	if err != nil {
		return nil, err
	}
	if taskID > 0 {
		st, err := GetStocktake(r.Context(), s.DB, sc, taskID)
		if err != nil {
			return nil, err
		}
		p.Back, p.PrintUnit = taskPath(taskID), st.OrgName
		if p.More, err = db.Count(r.Context(), s.DB, "SELECT COUNT(*) FROM asset_stocktake_items WHERE stocktake_id = ? AND asset_id IS NOT NULL", taskID); err != nil {
			return nil, err
		}
		if as, err = db.Select(r.Context(), s.DB, scanAsset, "SELECT "+assetCols+assetFrom+` JOIN asset_stocktake_items i ON i.asset_id = a.id
			WHERE i.stocktake_id = ? ORDER BY a.code LIMIT ?`, taskID, maxLabels); err != nil {
			return nil, err
		}
	} else {
		f, err := parseFilter(r)
		if err != nil {
			return nil, err
		}
		f.List.Page, f.List.PageSize = 1, maxLabels
		if as, p.More, err = ListAssets(r.Context(), s.DB, sc, f); err != nil {
			return nil, err
		}
	}
	p.More -= int64(len(as))
	for _, a := range as {
		l, err := labelOf(a)
		if err != nil {
			return nil, err
		}
		p.Labels = append(p.Labels, l)
	}
	return p, nil
}

// exportStocktake writes a task's report: every item with its result, the values totalled (GovOps layout).
func (s *Service) exportStocktake(w http.ResponseWriter, r *http.Request, st Stocktake, items []Item) error {
	var out [][]any
	for _, i := range items {
		at := ""
		if !i.CheckedAt.IsZero() {
			at = i.CheckedAt.In(clock.Shanghai).Format("2006-01-02 15:04")
		}
		out = append(out, []any{i.Code, i.Name, i.ClassCode, i.Location, i.ValueYuan, i.ResultName(), i.CheckedBy, at, i.Note})
	}
	title := "资产盘点报告：" + st.Name + "（" + st.StatusName() + "，GovOps 格式）"
	return xlsx.Export(w, r, s.DB, s.Clock.Now(), title, []string{"资产编号", "资产名称", "分类代码", "存放地点", "价值（元）", "盘点结果", "盘点人", "盘点时间", "说明"}, out,
		xlsx.Layout{Unit: st.OrgName, Sum: []string{"价值（元）"}})
}
