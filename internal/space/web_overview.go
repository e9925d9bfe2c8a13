package space

import (
	"net/http"
	"strconv"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// The dashboard (utilisation and compliance at a glance), the standards table and the ledger exports.

type dashPage struct {
	web.Globals
	OrgID     int64
	OrgName   string
	U         Utilisation
	Counts    map[string]int64
	Kinds     enum.List
	OpenTasks int64
	Overdue   int64
	LastScan  LastScan
	UseChart  map[string]any
	KindChart map[string]any
	UnitChart map[string]any
	AgeChart  map[string]any
	TopUnits  []UnitStat
}

type standardsPage struct {
	web.Globals
	Region string
	Rows   []StandardAnswer
	Levels enum.List
	Ranks  []string
	Table  map[string]map[string]StandardAnswer
}

type ledgerPage struct {
	web.Globals
	OrgID   int64
	OrgName string
	Year    int
	Columns []xlsx.Column
	Report  *xlsx.Report
	Err     string
}

func chartPie(name string, data []map[string]any) map[string]any {
	return map[string]any{"tooltip": map[string]any{"trigger": "item"}, "legend": map[string]any{"bottom": 0},
		"series": []any{map[string]any{"name": name, "type": "pie", "radius": []string{"35%", "70%"}, "data": data,
			"label": map[string]any{"position": "inside", "formatter": "{d}%", "color": "#fff"}}}}
}

func chartBar(names []string, values []any, horizontal bool, color string) map[string]any {
	cat := map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"interval": 0}}
	val := map[string]any{"type": "value"}
	val["minInterval"] = 1
	o := map[string]any{"tooltip": map[string]any{"trigger": "axis"}, "grid": map[string]any{"left": 10, "right": 20, "top": 20, "bottom": 10, "containLabel": true},
		"series": []any{map[string]any{"type": "bar", "data": values, "itemStyle": map[string]any{"color": color}, "barMaxWidth": 28}}}
	if horizontal {
		o["xAxis"], o["yAxis"] = val, cat
	} else {
		o["xAxis"], o["yAxis"] = cat, val
	}
	return o
}

func (s *Service) pagesOverview() {
	u := s.UI
	u.Page("GET /space", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		to := "/space/overview"
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, to, http.StatusFound)
		return nil
	})
	u.Page("GET /space/overview", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		orgID, orgName, err := s.orgParam(r)
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		if err := s.RefreshScope(r.Context(), sc, orgID, true); err != nil {
			return err
		}
		p := &dashPage{Globals: u.G(r, "space.dashboard|办公用房概览", web.Crumb{Label: crumbSpace}), OrgID: orgID, OrgName: orgName, Kinds: Kinds}
		if p.U, err = s.Utilisation(r.Context(), sc, orgID); err != nil {
			return err
		}
		if p.Counts, err = ViolationCounts(r.Context(), s.DB, sc); err != nil {
			return err
		}
		cond, args := sc.OrgCond("t.org_id")
		if p.OpenTasks, err = db.Count(r.Context(), s.DB, "SELECT COUNT(*) FROM space_rectifications t WHERE t.status IN ('open', 'submitted') AND "+cond, args...); err != nil {
			return err
		}
		if p.Overdue, err = db.Count(r.Context(), s.DB, "SELECT COUNT(*) FROM space_rectifications t WHERE t.status = 'open' AND t.deadline < ? AND "+cond,
			append([]any{s.today()}, args...)...); err != nil {
			return err
		}
		if p.LastScan, err = GetLastScan(r.Context(), s.DB); err != nil {
			return err
		}
		var useData []map[string]any
		for _, x := range p.U.ByUse {
			useData = append(useData, map[string]any{"name": x.Name, "value": round2(x.AreaM2)})
		}
		p.UseChart = chartPie("使用面积", useData)
		var kn []string
		var kv []any
		for i := len(Kinds) - 1; i >= 0; i-- {
			kn, kv = append(kn, Kinds[i].Name), append(kv, p.Counts[Kinds[i].Code])
		}
		p.KindChart = chartBar(kn, kv, true, "#c0392b")
		var un []string
		var uv []any
		top := p.U.ByUnit
		if len(top) > 12 {
			top = top[:12]
		}
		p.TopUnits = top
		for i := len(top) - 1; i >= 0; i-- {
			un, uv = append(un, top[i].OrgName), append(uv, top[i].PerPersonM2)
		}
		p.UnitChart = chartBar(un, uv, true, "#1d4f91")
		var an []string
		var av []any
		for _, a := range p.U.Ages {
			an, av = append(an, a.Label), append(av, a.Buildings)
		}
		p.AgeChart = chartBar(an, av, false, "#b7791f")
		return u.Render(w, r, http.StatusOK, "space/dashboard.html", p)
	})

	u.Page("GET /space/standards", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		region := r.URL.Query().Get("region_code")
		if !refdata.ValidRegion(region) {
			return errs.Invalid("region_code", "行政区划代码应为 6 位数字")
		}
		rows, err := StandardTable(r.Context(), s.DB, region, s.today())
		if err != nil {
			return err
		}
		if web.WantsExport(r) {
			var out [][]any
			for _, x := range rows {
				out = append(out, []any{x.LevelName, x.RankName, x.MaxAreaM2, x.Source, x.RowRegion, x.ValidFrom, x.Confidence, x.Note})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "办公室使用面积标准", []string{"机构层级", "职级", "使用面积上限（㎡/人）", "依据", "覆盖区划", "生效日期", "可信度", "说明"}, out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0)})
		}
		p := &standardsPage{Globals: s.g(r, "space.standards|办公室面积标准", web.Crumb{Label: "space.standards|办公室面积标准"}), Region: region, Rows: rows,
			Table: map[string]map[string]StandardAnswer{}}
		for _, x := range rows {
			if p.Table[x.AdminLevel] == nil {
				p.Table[x.AdminLevel] = map[string]StandardAnswer{}
			}
			p.Table[x.AdminLevel][x.Rank] = x
		}
		for _, l := range []string{"central", "provincial", "municipal", "county", "township"} {
			p.Levels = append(p.Levels, enum.Enum{Code: l, Name: levelNames[l]})
		}
		p.Ranks = rankCodes()[1:]
		return u.Render(w, r, http.StatusOK, "space/standards.html", p)
	})

	ledger := func(r *http.Request) (*ledgerPage, error) {
		orgID, orgName, err := s.orgParam(r)
		if err != nil {
			return nil, err
		}
		if orgID == 0 {
			orgID = defaultOrg(r)
			orgName = orgLabel(r, s, orgID)
		}
		return &ledgerPage{Globals: s.g(r, "space.ledger|台账报表", web.Crumb{Label: "space.ledger|台账报表"}), OrgID: orgID, OrgName: orgName,
			Year: s.Clock.Now().Year(), Columns: RoomColumns}, nil
	}
	u.Page("GET /space/ledger", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		p, err := ledger(r)
		if err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "space/ledger.html", p)
	})
	u.Page("GET /space/ledger/{kind}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		orgID, _, err := s.orgParam(r)
		if err != nil {
			return err
		}
		if orgID == 0 {
			return errs.Invalid("org_id", "请选择单位")
		}
		year := s.Clock.Now().Year()
		if v := r.URL.Query().Get("year"); v != "" {
			if year, err = strconv.Atoi(v); err != nil || year < 2000 || year > 2200 {
				return errs.Invalid("year", "年度无效")
			}
		}
		switch r.PathValue("kind") {
		case "total":
			return s.exportLedger(w, r, orgID, true)
		case "unit":
			return s.exportLedger(w, r, orgID, false)
		case "disclosure":
			return s.exportDisclosure(w, r, orgID, year)
		case "filing":
			return s.exportFiling(w, r, orgID, year)
		}
		return errs.NotFound("报表")
	})
	u.Page("GET /space/import/template", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		b, err := xlsx.Template(RoomColumns, "房间台账")
		if err != nil {
			return err
		}
		xlsx.Send(w, "房间台账导入模板", b)
		return nil
	})
	u.Page("POST /space/import", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		p, err := ledger(r)
		if err != nil {
			return err
		}
		rows, err := xlsx.ReadUpload(r, RoomColumns)
		if err != nil {
			e := errs.As(err)
			if e == nil || e.Code == errs.CodeInternal {
				return err
			}
			p.Err = e.Message
			return u.Render(w, r, errs.Status(e.Code), "space/ledger.html", p)
		}
		rep, err := s.ImportRooms(r.Context(), auth.ScopeFrom(r.Context()), rows, r.FormValue("dry_run") != "")
		if err != nil {
			return err
		}
		p.Report = &rep
		status := http.StatusOK
		if !rep.OK() {
			status = http.StatusUnprocessableEntity
		}
		return u.Render(w, r, status, "space/ledger.html", p)
	})
}

var levelNames = map[string]string{"central": "中央机关", "provincial": "省级机关", "municipal": "市级机关", "county": "县级机关", "township": "乡级机关"}
