package report

import (
	"context"
	"fmt"
	"net/http"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

// Cell is one figure of a unit's 基层表 in the detail table, by the form's row code.
type Cell struct {
	Code  string  `json:"code"`
	Value float64 `json:"value"`
	Has   bool    `json:"has"`
}

// DetailRow is one unit's 基层表 on one row: its identity and status, then every figure of the form by row code
// (公共机构基本信息 numbers, 能源资源消费状况, and the hand-filled tables) — the layout a bureau hands upward or loads
// into another system.
type DetailRow struct {
	OrgID      int64  `json:"org_id"`
	OrgName    string `json:"org_name"`
	CreditCode string `json:"credit_code,omitempty"`
	Category   string `json:"category"`
	RegionCode string `json:"region_code,omitempty"`
	Status     string `json:"status"`
	StatusName string `json:"status_name"`
	Cells      []Cell `json:"cells" doc:"按表式代码的各栏目（顺序同 columns）"`
}

// Column is a figure column of the detail table.
type Column struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Unit string `json:"unit,omitempty"`
}

// Details is the detail table (基层表明细) of the units under a bureau for a year.
type Details struct {
	OrgID    int64       `json:"org_id"`
	OrgName  string      `json:"org_name"`
	Year     int         `json:"year"`
	Revision string      `json:"revision"`
	Columns  []Column    `json:"columns"`
	Rows     []DetailRow `json:"rows"`
}

// detailInfo are the numeric 公共机构基本信息 fields a detail row carries (the others are its first columns).
var detailInfo = map[string]bool{"headcount": true, "floor_area_m2": true, "land_area_m2": true, "new_energy_vehicles": true, "charging_piles": true}

// BuildDetails lays out the 基层表 of every active unit under orgID (in the caller's scope; 404 outside) for year y,
// a unit a row, optionally only those in one report status: the figures from energy's (one pass over the
// subtree), the report's fields and the hand-filled tables.
func BuildDetails(ctx context.Context, q db.Q, sc auth.Scope, orgID int64, y int, status string) (Details, error) {
	if status != "" && !Statuses.Has(status) {
		return Details{}, errs.Invalid("status", "状态应为 draft、submitted、returned 或 approved")
	}
	o, err := org.GetOrg(ctx, q, sc, orgID)
	if err != nil {
		return Details{}, err
	}
	def, err := LoadDefinition(ctx, q, y)
	if err != nil {
		return Details{}, err
	}
	f, err := energy.LoadFactors(ctx, q, y)
	if err != nil {
		return Details{}, err
	}
	d := Details{OrgID: orgID, OrgName: o.Name, Year: y, Revision: def.Name}
	for _, r := range def.InfoRows {
		if detailInfo[r.Field] {
			d.Columns = append(d.Columns, Column{Code: r.Code, Name: r.Name, Unit: r.Unit})
		}
	}
	for _, r := range def.Rows {
		d.Columns = append(d.Columns, Column{Code: r.Code, Name: r.Name, Unit: r.Unit})
	}
	for _, s := range def.Sections {
		for _, r := range s.Rows {
			d.Columns = append(d.Columns, Column{Code: r.Code, Name: r.Name, Unit: r.Unit})
		}
	}

	type unit struct {
		DetailRow
		headcount       int64
		area, land      float64
		vehicles, piles int64
	}
	cond, args := sc.PathCond("o.id", "o.path")
	where := "o.path >= ? AND o.path < ? AND o.status = 'active' AND " + cond
	qargs := append([]any{y, y, y, o.Path, pathUpper(o.Path)}, args...)
	if status != "" {
		where += " AND COALESCE(r.status, 'draft') = ?"
		qargs = append(qargs, status)
	}
	units, err := db.Select(ctx, q, func(sc db.Scanner) (unit, error) {
		var u unit
		err := sc.Scan(&u.OrgID, &u.OrgName, &u.CreditCode, &u.Category, &u.RegionCode, &u.Status, &u.headcount, &u.area,
			&u.land, &u.vehicles, &u.piles)
		return u, err
	}, `SELECT o.id, o.name, COALESCE(o.credit_code, ''), o.category, COALESCE(o.region_code, ''), COALESCE(r.status, 'draft'),
		COALESCE(y.headcount, o.headcount), COALESCE(y.floor_area_m2, o.floor_area_m2), COALESCE(i.land_area_m2, 0),
		COALESCE(i.new_energy_vehicles, 0), COALESCE(i.charging_piles, 0)
		FROM orgs o LEFT JOIN energy_reports r ON r.org_id = o.id AND r.year = ? AND r.kind = 'basic'
		LEFT JOIN energy_org_years y ON y.org_id = o.id AND y.year = ?
		LEFT JOIN energy_report_info i ON i.org_id = o.id AND i.year = ?
		WHERE `+where+` ORDER BY o.path`, qargs...)
	if err != nil {
		return d, err
	}
	figs, err := energy.UnitFigures(ctx, q, sc, energy.Selection{OrgID: orgID, Subtree: true}, energy.Span{Year: y}, f)
	if err != nil {
		return d, err
	}
	byOrg := make(map[int64]energy.UnitFigure, len(figs))
	for _, u := range figs {
		byOrg[u.OrgID] = u
	}
	values := map[int64]map[string]float64{}
	if err := unitValues(ctx, q, values, `SELECT v.org_id, v.key, v.value FROM energy_report_values v JOIN orgs o ON o.id = v.org_id
		WHERE v.year = ? AND o.path >= ? AND o.path < ? AND `+cond, append([]any{y, o.Path, pathUpper(o.Path)}, args...)...); err != nil {
		return d, err
	}

	d.Rows = make([]DetailRow, 0, len(units))
	for _, u := range units {
		row := u.DetailRow
		row.Category, row.StatusName = org.Categories.Name(u.Category), StatusName(u.Status)
		for _, r := range def.InfoRows {
			switch r.Field {
			case "headcount":
				row.Cells = append(row.Cells, Cell{r.Code, float64(u.headcount), true})
			case "floor_area_m2":
				row.Cells = append(row.Cells, Cell{r.Code, u.area, true})
			case "land_area_m2":
				row.Cells = append(row.Cells, Cell{r.Code, u.land, true})
			case "new_energy_vehicles":
				row.Cells = append(row.Cells, Cell{r.Code, float64(u.vehicles), true})
			case "charging_piles":
				row.Cells = append(row.Cells, Cell{r.Code, float64(u.piles), true})
			}
		}
		var in energy.Indicators
		if fig, ok := byOrg[u.OrgID]; ok {
			addUnit(&in, fig, f)
			finishIndicators(&in)
		}
		for _, l := range FillLines(def.Rows, in, energy.Indicators{}) {
			row.Cells = append(row.Cells, Cell{l.Code, l.This, l.HasThis})
		}
		for _, s := range fillSections(def.Sections, values[u.OrgID], f, u.RegionCode) {
			for _, l := range s.Lines {
				row.Cells = append(row.Cells, Cell{l.Code, l.Value, l.Has})
			}
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}

// DetailsWorkbook writes the detail table: a header row of row codes with names and units, a unit a row.
func DetailsWorkbook(d Details) ([]byte, error) {
	name := "基层表明细"
	f, s, st, err := newBook(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fixed := []string{"单位名称", "统一社会信用代码", "单位类别", "行政区划代码", "报表状态"}
	cols := len(fixed) + len(d.Columns)
	s.row = 1
	s.merge(1, cols, fmt.Sprintf("%s %d 年度公共机构能源资源消费状况基层表明细（%s）", d.OrgName, d.Year, d.Revision), st.title)
	s.row = 3
	for i, h := range fixed {
		s.set(i+1, h, st.head)
	}
	for i, c := range d.Columns {
		h := c.Code + " " + c.Name
		if c.Unit != "" {
			h += "\n（" + c.Unit + "）"
		}
		s.set(len(fixed)+i+1, h, st.head)
	}
	if s.err == nil {
		s.err = f.SetRowHeight(name, s.row, 48)
	}
	for _, r := range d.Rows {
		s.row++
		for i, v := range []string{r.OrgName, r.CreditCode, r.Category, r.RegionCode, r.StatusName} {
			s.set(i+1, v, st.cell)
		}
		for i, c := range r.Cells {
			s.set(len(fixed)+i+1, lineValue(c.Value, c.Has), st.num)
		}
	}
	ws := []float64{28, 22, 12, 12, 10}
	for range d.Columns {
		ws = append(ws, 14)
	}
	s.widths(ws...)
	if s.err == nil {
		s.err = f.SetPanes(name, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: 3, TopLeftCell: "B4", ActivePane: "bottomRight"})
	}
	return bookBytes(f, s)
}

// details answers GET /api/v1/energy/reports/details and /energy/reports/details (always a workbook for the page).
func (s *Service) details(w http.ResponseWriter, r *http.Request, page bool) error {
	y, err := s.queryYear(r)
	if err != nil {
		return err
	}
	id, err := s.summaryOrg(r)
	if err != nil {
		return err
	}
	if id == 0 {
		return errs.NotFound("单位")
	}
	d, err := BuildDetails(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id, y, r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	if !page && !web.WantsExport(r) {
		return web.JSON(w, http.StatusOK, d)
	}
	data, err := DetailsWorkbook(d)
	if err != nil {
		return errs.Internal(err)
	}
	return s.sendWorkbook(w, r, fmt.Sprintf("%s-%d年度基层表明细", d.OrgName, y), data, id)
}
