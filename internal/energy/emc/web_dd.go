package emc

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// Pages and API of the degree days (/energy/degree-days) and of a contract's occupancy.

func (s *Service) today() string { return s.Clock.Now().Format("2006-01-02") }

// ddQuery reads region_code and year of a request, defaulting to the caller's first editable region and the year of
// the last complete month.
func (s *Service) ddQuery(r *http.Request, regions []Region) (string, int, error) {
	region := strings.TrimSpace(r.URL.Query().Get("region_code"))
	if _, ok := r.URL.Query()["region_code"]; !ok {
		for _, rg := range regions {
			if rg.Editable {
				region = rg.Code
				break
			}
		}
		if region == "" && len(regions) > 0 {
			region = regions[0].Code
		}
	}
	year := LastComplete(s.Clock.Now()).Year
	if v := strings.TrimSpace(r.URL.Query().Get("year")); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 2000 || y > 2100 {
			return region, year, errs.Invalid("year", "年份应在 2000–2100 之间")
		}
		year = y
	}
	return region, year, nil
}

type ddPage struct {
	web.Globals
	Regions []Region
	Region  string
	Year    int
	Years   []int
	Grid    *DDGrid
	Cells   map[string]string
	Inherit map[string]string // placeholders: the values the M&V uses from a region above
	Source  string
	Errors  map[string]string
	Message string
	History []history.Entry
}

func (s *Service) ddData(r *http.Request, region string, year int) (*ddPage, error) {
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	p := &ddPage{Globals: s.UI.G(r, "emc.dd.title|度日数维护", web.Crumb{Label: "menu.energy|节能管理"}, web.Crumb{Label: "emc.dd.title|度日数维护"}),
		Region: region, Year: year, Cells: map[string]string{}, Inherit: map[string]string{}}
	now := LastComplete(s.Clock.Now()).Year
	for y := now; y >= now-10; y-- {
		p.Years = append(p.Years, y)
	}
	var err error
	if p.Regions, err = Regions(ctx, s.DB, sc); err != nil {
		return nil, err
	}
	if len(p.Regions) == 0 {
		return p, nil
	}
	g, err := Grid(ctx, s.DB, sc, region, year, s.today())
	if err != nil {
		return nil, err
	}
	p.Grid = &g
	for _, m := range g.Months {
		if m.HDD != nil {
			p.Cells[GridField(TermHDD, m.Month)] = fmtDD(*m.HDD)
			p.Cells[GridField(TermCDD, m.Month)] = fmtDD(*m.CDD)
			if p.Source == "" {
				p.Source = m.Source
			}
		} else if m.InheritedHDD != nil {
			p.Inherit[GridField(TermHDD, m.Month)] = fmtDD(*m.InheritedHDD)
			p.Inherit[GridField(TermCDD, m.Month)] = fmtDD(*m.InheritedCDD)
		}
	}
	if p.History, err = history.List(ctx, s.DB, "energy_degree_days", ddKey(region, year), 30); err != nil {
		return nil, err
	}
	return p, nil
}

type ddImportPage struct {
	web.Globals
	Report  *xlsx.Report
	Columns []xlsx.Column
	Err     string
}

func (s *Service) ddImportPage(r *http.Request) *ddImportPage {
	return &ddImportPage{Globals: s.UI.G(r, "emc.dd.import|导入度日数", web.Crumb{Label: "menu.energy|节能管理"},
		web.Crumb{Label: "emc.dd.title|度日数维护", Path: "/energy/degree-days"}, web.Crumb{Label: "emc.dd.import|导入度日数"}), Columns: DDColumns}
}

type occPage struct {
	web.Globals
	C       Contract
	Occ     Occupancy
	Cells   map[string]string
	Errors  map[string]string
	Message string
}

func (s *Service) renderOcc(w http.ResponseWriter, r *http.Request, status int, c Contract, o Occupancy, cells map[string]string, fields map[string]string, msg string) error {
	p := &occPage{Globals: s.UI.G(r, "emc.occ.title|用能人数等自变量", web.Crumb{Label: "menu.energy|节能管理"},
		web.Crumb{Label: "emc.title|合同能源管理", Path: "/energy/contracts"}, web.Crumb{Label: c.Name, Path: "/energy/contracts/" + strconv.FormatInt(c.ID, 10)},
		web.Crumb{Label: "emc.occ.title|用能人数等自变量"}), C: c, Occ: o, Cells: cells, Errors: fields, Message: msg}
	if p.Cells == nil {
		p.Cells = map[string]string{}
		for _, m := range o.Months {
			if m.Value != nil {
				p.Cells[OccField(m.Period)] = fmtDD(*m.Value)
			}
		}
	}
	return s.UI.Render(w, r, status, "emc/occupancy.html", p)
}

func (s *Service) ddRoutes() {
	u := s.UI
	u.AddMenu(web.MenuItem{Group: "menu.energy|节能管理", Label: "emc.dd.menu|度日数", Path: "/energy/degree-days", Perm: "energy:read", Order: 125})

	// ---- API.
	u.API("GET /api/v1/energy/degree-days/regions", "energy:read", web.Doc{Summary: "可查看和维护度日数的行政区划（数据范围内单位所在区划及其上级）", Response: Region{}, List: true},
		func(w http.ResponseWriter, r *http.Request) error {
			rs, err := Regions(r.Context(), s.DB, auth.ScopeFrom(r.Context()))
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(rs, int64(len(rs))))
		})
	u.API("GET /api/v1/energy/degree-days", "energy:read", web.Doc{Summary: "某区划某年逐月采暖度日数和空调度日数", Response: DDGrid{},
		Query: []web.Param{{Name: "region_code", Help: "6 位行政区划代码"}, {Name: "year", Type: "integer"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			region := strings.TrimSpace(r.URL.Query().Get("region_code"))
			if region == "" {
				return errs.Invalid("region_code", "请指定行政区划代码")
			}
			y, err := web.QueryInt(r, "year")
			if err != nil {
				return err
			}
			if y == 0 {
				y = int64(LastComplete(s.Clock.Now()).Year)
			}
			g, err := Grid(r.Context(), s.DB, auth.ScopeFrom(r.Context()), region, int(y), s.today())
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, g)
		})
	u.API("GET /api/v1/energy/contracts/{id}/occupancy", "energy:read", web.Doc{Summary: "合同的用能人数等自变量（基期和报告期逐月）", Response: Occupancy{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			_, o, err := s.GetOccupancy(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, o)
		})
	module.Update(s.Deps, "PUT /api/v1/energy/contracts/{id}/occupancy", "energy:contract", web.Doc{Summary: "保存合同的用能人数等自变量（整组替换；未列出或为 null 的月份无数值）"}, s.SaveOccupancy)

	// ---- Pages.
	u.Page("GET /energy/degree-days", "energy:read", func(w http.ResponseWriter, r *http.Request) error {
		rs, err := Regions(r.Context(), s.DB, auth.ScopeFrom(r.Context()))
		if err != nil {
			return err
		}
		region, year, err := s.ddQuery(r, rs)
		if err != nil {
			return err
		}
		p, err := s.ddData(r, region, year)
		if err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "emc/degree_days.html", p)
	})
	u.Page("POST /energy/degree-days", "energy:contract", func(w http.ResponseWriter, r *http.Request) error {
		region := strings.TrimSpace(r.PostFormValue("region_code"))
		year, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
		if err != nil {
			return errs.Invalid("year", "年份无效")
		}
		var cells []DDCell
		for m := 1; m <= 12; m++ {
			h, okh := r.PostForm[GridField(TermHDD, m)]
			c, okc := r.PostForm[GridField(TermCDD, m)]
			if okh || okc {
				cell := DDCell{Month: m}
				if okh {
					cell.HDD = h[0]
				}
				if okc {
					cell.CDD = c[0]
				}
				cells = append(cells, cell)
			}
		}
		n, err := s.SaveGrid(r.Context(), auth.ScopeFrom(r.Context()), region, year, cells, r.PostFormValue("source"))
		if e := errs.As(err); e != nil && e.Code == errs.CodeValidation {
			p, perr := s.ddData(r, region, year)
			if perr != nil {
				return perr
			}
			for _, c := range cells {
				p.Cells[GridField(TermHDD, c.Month)], p.Cells[GridField(TermCDD, c.Month)] = c.HDD, c.CDD
			}
			p.Source, p.Errors, p.Message = r.PostFormValue("source"), e.Fields, e.Message
			return u.Render(w, r, http.StatusUnprocessableEntity, "emc/degree_days.html", p)
		} else if err != nil {
			return err
		}
		msg := fmt.Sprintf("已保存：%d 个月有变化", n)
		if n == 0 {
			msg = "没有变化"
		}
		return u.Redirect(w, r, "/energy/degree-days?"+url.Values{"region_code": {region}, "year": {strconv.Itoa(year)}}.Encode(), msg)
	})
	u.Page("GET /energy/degree-days/export.xlsx", "energy:read", func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		region := strings.TrimSpace(r.URL.Query().Get("region_code"))
		if err := checkRegion(ctx, s.DB, auth.ScopeFrom(ctx), region, false); err != nil {
			return err
		}
		from, to := 2000, 2100
		if v := r.URL.Query().Get("year"); v != "" {
			y, err := strconv.Atoi(v)
			if err != nil || y < 2000 || y > 2100 {
				return errs.Invalid("year", "年份应在 2000–2100 之间")
			}
			from, to = y, y
		}
		rows, err := ExportRows(ctx, s.DB, region, from, to)
		if err != nil {
			return err
		}
		headers := make([]string, len(DDColumns))
		for i, c := range DDColumns {
			headers[i] = c.Header
		}
		title := "度日数-" + region
		if from == to {
			title += "-" + strconv.Itoa(from)
		}
		return xlsx.Export(w, r, s.DB, s.Clock.Now(), title, headers, rows)
	})
	u.Page("GET /energy/degree-days/template.xlsx", "energy:contract", func(w http.ResponseWriter, r *http.Request) error {
		b, err := xlsx.Template(DDColumns, "度日数")
		if err != nil {
			return errs.Internal(err)
		}
		xlsx.Send(w, "度日数导入模板", b)
		return nil
	})
	u.Page("GET /energy/degree-days/import", "energy:contract", func(w http.ResponseWriter, r *http.Request) error {
		return u.Render(w, r, http.StatusOK, "emc/dd_import.html", s.ddImportPage(r))
	})
	u.Page("POST /energy/degree-days/import", "energy:contract", func(w http.ResponseWriter, r *http.Request) error {
		p := s.ddImportPage(r)
		rows, err := xlsx.ReadUpload(r, DDColumns)
		if err != nil {
			e := errs.As(err)
			if e == nil || e.Code == errs.CodeInternal {
				return err
			}
			p.Err = e.Message
			for _, v := range e.Fields {
				p.Err = v
			}
			return u.Render(w, r, errs.Status(e.Code), "emc/dd_import.html", p)
		}
		rep, err := s.ImportDegreeDays(r.Context(), auth.ScopeFrom(r.Context()), rows, r.FormValue("dry_run") != "")
		if err != nil {
			return err
		}
		p.Report = &rep
		st := http.StatusOK
		if !rep.OK() {
			st = http.StatusUnprocessableEntity
		}
		return u.Render(w, r, st, "emc/dd_import.html", p)
	})

	u.Page("GET /energy/contracts/{id}/occupancy", "energy:read", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		c, o, err := s.GetOccupancy(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		return s.renderOcc(w, r, http.StatusOK, c, o, nil, nil, "")
	})
	u.Page("POST /energy/contracts/{id}/occupancy", "energy:contract", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		c, o, err := s.GetOccupancy(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		in := OccInput{Label: r.PostFormValue("label"), Unit: r.PostFormValue("unit")}
		cells := map[string]string{}
		f := errs.Fields{}
		for _, m := range o.Months {
			k := OccField(m.Period)
			v := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue(k)), ",", "")
			cells[k] = v
			if v == "" {
				continue
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				f.Add(k, m.Period+" 的数值“"+v+"”不是数字")
				continue
			}
			in.Values = append(in.Values, OccInputItem{Period: m.Period, Value: fp(x)})
		}
		if len(f) == 0 {
			_, err = s.SaveOccupancy(r.Context(), sc, id, in)
		} else {
			err = f.Err()
		}
		if e := errs.As(err); e != nil && e.Code == errs.CodeValidation {
			o.Label, o.Unit = in.Label, in.Unit
			for k, v := range f {
				e.Fields[k] = v
			}
			msg := e.Message
			if len(f) > 0 {
				msg = fmt.Sprintf("有 %d 处填写有误，未保存任何数据", len(e.Fields))
			}
			return s.renderOcc(w, r, http.StatusUnprocessableEntity, c, o, cells, e.Fields, msg)
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, "/energy/contracts/"+strconv.FormatInt(id, 10)+"/occupancy", "已保存")
	})
}
