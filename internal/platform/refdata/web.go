package refdata

import (
	"net/http"
	"strconv"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

type datasetsPage struct {
	web.Globals
	Datasets []DatasetInfo
}

type datasetPage struct {
	web.Globals
	DS    DatasetInfo
	Tab   string // rows | history
	V     view
	Rows  []Row
	Pager web.Pager
	Today string
	// Superseded marks active rows that a newer edition of the same key and region replaces.
	Superseded map[int64]bool
	Keys       []string
	History    []history.Entry
	// The lookup tester.
	LKey, LRegion, LDate string
	Looked               bool
	Found                *Row
	LookErr              string
}

type rowPage struct {
	web.Globals
	DS        DatasetInfo
	Row       Row
	Today     string
	Successor int64
	Editable  bool
	EndTo     string
	Errors    map[string]string
	Reason    string
}

type formPage struct {
	web.Globals
	DS     DatasetInfo
	Action string
	Revise *Row
	Form   OverrideInput
	Value  string
	Keys   []string
	Errors map[string]string
}

func (s *Store) crumbs(ds *DatasetInfo, last string) []web.Crumb {
	c := []web.Crumb{{Label: "menu.system|系统管理"}, {Label: "refdata.title|标准参数", Path: "/admin/refdata"}}
	if ds != nil {
		c = append(c, web.Crumb{Label: plain(ds.Title), Path: "/admin/refdata/" + ds.Kind})
	}
	if last != "" {
		c = append(c, web.Crumb{Label: last})
	}
	return c
}

func exportRows(rows []Row, today string) [][]any {
	out := make([][]any, 0, len(rows))
	for _, r := range rows {
		out = append(out, []any{r.Key, r.ValueText(), r.Unit, r.RegionCode, r.ValidFrom, r.ValidTo, r.SourceDoc, r.Issuer, r.Confidence,
			r.Origin, r.Status(today), r.Note})
	}
	return out
}

func (s *Store) pages() {
	u := s.UI
	u.Page("GET /admin/refdata", "refdata:read", func(w http.ResponseWriter, r *http.Request) error {
		list, err := Datasets(r.Context(), s.DB)
		if err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "refdata/datasets.html", &datasetsPage{Globals: u.G(r, "refdata.title|标准参数", web.Crumb{Label: "menu.system|系统管理"}, web.Crumb{Label: "refdata.title|标准参数"}), Datasets: list})
	})
	u.Page("GET /admin/refdata/{kind}", "refdata:read", func(w http.ResponseWriter, r *http.Request) error {
		ds, err := s.kindOf(r)
		if err != nil {
			return err
		}
		today := s.today()
		v, err := parseView(r, ds.Kind, today)
		if err != nil {
			return err
		}
		if web.WantsExport(r) {
			rows, _, err := s.rows(r, v, true)
			if err != nil {
				return err
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), ds.Title, []string{"键", "取值", "单位", "行政区划", "生效日期", "有效期至", "依据文件", "发文机关",
				"可信度", "来源", "状态", "备注"}, exportRows(rows, today))
		}
		p := &datasetPage{Globals: u.G(r, plain(ds.Title), s.crumbs(&ds, "")...), DS: ds, Tab: r.URL.Query().Get("tab"), V: v, Today: today}
		p.Crumbs[len(p.Crumbs)-1].Path = ""
		if p.Tab == "history" {
			if p.History, err = history.List(r.Context(), s.DB, historyType, ds.ID, 500); err != nil {
				return err
			}
			return u.Render(w, r, http.StatusOK, "refdata/dataset.html", p)
		}
		p.Tab = "rows"
		rows, total, err := s.rows(r, v, false)
		if err != nil {
			return err
		}
		p.Rows, p.Pager = rows, web.NewPager(v.List, total)
		if p.Superseded, err = s.superseded(r, ds.Kind, today, rows); err != nil {
			return err
		}
		if p.Keys, err = s.keys(r, ds.Kind); err != nil {
			return err
		}
		qv := r.URL.Query()
		p.LKey, p.LRegion, p.LDate = qv.Get("lookup_key"), qv.Get("lookup_region"), qv.Get("lookup_date")
		if p.LKey != "" {
			p.Looked = true
			if p.LDate == "" {
				p.LDate = today
			}
			row, err := Lookup(r.Context(), s.DB, ds.Kind, p.LKey, p.LRegion, p.LDate)
			switch e := errs.As(err); {
			case err == nil:
				p.Found = &row
			case e != nil && (e.Code == errs.CodeNotFound || e.Code == errs.CodeValidation):
				p.LookErr = e.Message
			default:
				return err
			}
		}
		return u.Render(w, r, http.StatusOK, "refdata/dataset.html", p)
	})
	u.Page("GET /admin/refdata/{kind}/rows/{id}", "refdata:read", func(w http.ResponseWriter, r *http.Request) error {
		return s.renderRow(w, r, http.StatusOK, "", nil, "")
	})
	u.Page("GET /admin/refdata/{kind}/overrides/new", "refdata:write", func(w http.ResponseWriter, r *http.Request) error {
		ds, err := s.kindOf(r)
		if err != nil {
			return err
		}
		qv := r.URL.Query()
		in := OverrideInput{Key: qv.Get("key"), RegionCode: qv.Get("region_code"), ValidFrom: s.today(), Unit: ds.Unit, Confidence: Verified}
		return s.renderForm(w, r, http.StatusOK, ds, nil, in, "", nil)
	})
	u.Page("POST /admin/refdata/{kind}/overrides", "refdata:write", func(w http.ResponseWriter, r *http.Request) error {
		ds, err := s.kindOf(r)
		if err != nil {
			return err
		}
		in, text := formInput(r, ds)
		row, err := s.AddOverride(r.Context(), ds.Kind, in)
		if e := errs.As(err); e != nil && (e.Fields != nil || e.Code == errs.CodeConflict) {
			return s.renderForm(w, r, errs.Status(e.Code), ds, nil, in, text, formErrors(e))
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, rowPath(row), "已新增覆盖值")
	})
	u.Page("GET /admin/refdata/{kind}/overrides/{id}/revise", "refdata:write", func(w http.ResponseWriter, r *http.Request) error {
		ds, old, err := s.pathRow(r)
		if err != nil {
			return err
		}
		if err := editable(old); err != nil {
			return err
		}
		in := OverrideInput{Key: old.Key, RegionCode: old.RegionCode, ValidFrom: s.today(), Unit: old.Unit, Issuer: old.Issuer, Confidence: Verified}
		return s.renderForm(w, r, http.StatusOK, ds, &old, in, old.ValueText(), nil)
	})
	u.Page("POST /admin/refdata/{kind}/overrides/{id}/revise", "refdata:write", func(w http.ResponseWriter, r *http.Request) error {
		ds, old, err := s.pathRow(r)
		if err != nil {
			return err
		}
		in, text := formInput(r, ds)
		in.Key, in.RegionCode = old.Key, old.RegionCode
		row, err := s.ReviseOverride(r.Context(), ds.Kind, old.ID, in)
		if e := errs.As(err); e != nil && e.Fields != nil {
			return s.renderForm(w, r, errs.Status(e.Code), ds, &old, in, text, formErrors(e))
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, rowPath(row), "已修订覆盖值")
	})
	u.Page("POST /admin/refdata/{kind}/overrides/{id}/end", "refdata:write", func(w http.ResponseWriter, r *http.Request) error {
		in := EndInput{ValidTo: r.PostFormValue("valid_to"), Reason: r.PostFormValue("reason")}
		ds, old, err := s.pathRow(r)
		if err != nil {
			return err
		}
		row, err := s.EndOverride(r.Context(), ds.Kind, old.ID, in)
		if e := errs.As(err); e != nil && e.Fields != nil {
			return s.renderRow(w, r, http.StatusUnprocessableEntity, in.ValidTo, e.Fields, in.Reason)
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, rowPath(row), "已终止覆盖值")
	})
}

// plain marks text that is data, not a catalogue key, for the kit's translator ("|text": no key, default text).
func plain(s string) string { return "|" + s }

func rowPath(r Row) string {
	return "/admin/refdata/" + r.Kind + "/rows/" + strconv.FormatInt(r.ID, 10)
}

func formErrors(e *errs.Error) map[string]string {
	if e.Fields != nil {
		return e.Fields
	}
	return map[string]string{"_": e.Message}
}

func (s *Store) pathRow(r *http.Request) (DatasetInfo, Row, error) {
	ds, err := s.kindOf(r)
	if err != nil {
		return ds, Row{}, err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return ds, Row{}, err
	}
	row, err := GetRow(r.Context(), s.DB, ds.Kind, id)
	return ds, row, err
}

func formInput(r *http.Request, ds DatasetInfo) (OverrideInput, string) {
	text := r.PostFormValue("value")
	return OverrideInput{Key: r.PostFormValue("key"), Value: ParseValue(ds.ValueType, text), Unit: r.PostFormValue("unit"),
		RegionCode: r.PostFormValue("region_code"), ValidFrom: r.PostFormValue("valid_from"), ValidTo: r.PostFormValue("valid_to"),
		SourceDoc: r.PostFormValue("source_doc"), Issuer: r.PostFormValue("issuer"), Confidence: r.PostFormValue("confidence"),
		Note: r.PostFormValue("note")}, text
}

func (s *Store) renderForm(w http.ResponseWriter, r *http.Request, status int, ds DatasetInfo, old *Row, in OverrideInput, text string, fields map[string]string) error {
	title, action := "refdata.override.new|新增覆盖值", "/admin/refdata/"+ds.Kind+"/overrides"
	if old != nil {
		title, action = "refdata.override.revise|修订覆盖值", "/admin/refdata/"+ds.Kind+"/overrides/"+strconv.FormatInt(old.ID, 10)+"/revise"
	}
	keys, err := s.keys(r, ds.Kind)
	if err != nil {
		return err
	}
	p := &formPage{Globals: s.UI.G(r, title, s.crumbs(&ds, title)...), DS: ds, Action: action, Revise: old, Form: in, Value: text, Keys: keys, Errors: fields}
	return s.UI.Render(w, r, status, "refdata/override_form.html", p)
}

// superseded marks the rows that a newer edition replaces today.
func (s *Store) superseded(r *http.Request, kind, today string, rows []Row) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(rows) == 0 {
		return out, nil
	}
	t, err := LoadTable(r.Context(), s.DB, kind, today)
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		if t.Superseded(row) {
			out[row.ID] = true
		}
	}
	return out, nil
}

func (s *Store) keys(r *http.Request, kind string) ([]string, error) {
	return db.Strings(r.Context(), s.DB, "SELECT DISTINCT key FROM refdata_rows WHERE kind = ? ORDER BY key LIMIT 2000", kind)
}

func (s *Store) renderRow(w http.ResponseWriter, r *http.Request, status int, endTo string, fields map[string]string, reason string) error {
	ds, row, err := s.pathRow(r)
	if err != nil {
		return err
	}
	next, err := Successor(r.Context(), s.DB, row.ID)
	if err != nil {
		return err
	}
	today := s.today()
	if endTo == "" {
		endTo = today
		if endTo < dayBefore(row.ValidFrom) {
			endTo = dayBefore(row.ValidFrom)
		}
	}
	p := &rowPage{Globals: s.UI.G(r, plain(row.Key), s.crumbs(&ds, plain(row.Key))...), DS: ds, Row: row, Today: today, Successor: next,
		Editable: editable(row) == nil, EndTo: endTo, Errors: fields, Reason: reason}
	return s.UI.Render(w, r, status, "refdata/row.html", p)
}
