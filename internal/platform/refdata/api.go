package refdata

import (
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
)

// datasetKey is a dataset's or a row's identifier written in a description ("energy.kgce_factor").
var datasetKey = regexp.MustCompile(`\b[a-z]+(?:_[a-z0-9]+)*\.[a-z0-9]+(?:_[a-z0-9]+)*\b`)

// keysAsCode escapes a description and marks the identifiers in it as code, so they read as names of data, not words.
func keysAsCode(s string) template.HTML {
	return template.HTML(datasetKey.ReplaceAllString(template.HTMLEscapeString(s), "<code>$0</code>"))
}

// Routes registers the viewer pages, the override forms, the API and the menu entry.
func (s *Store) Routes() {
	u := s.UI
	u.AddTemplates("refdata", web.Sub(templatesFS, "templates"))
	u.AddFuncs(template.FuncMap{"keysAsCode": keysAsCode})
	if err := u.Catalog.Add(web.LangEN, catalogEN); err != nil {
		panic(err)
	}
	u.AddMenu(web.MenuItem{Group: "menu.system|系统管理", Label: "refdata.title|标准参数", Path: "/admin/refdata", Perm: "refdata:read", Order: 50})
	s.pages()
	s.api()
}

// view selects rows for the dataset page and the row API.
type view struct {
	Filter
	Effective bool // one winning row per key for Region on Date
	List      web.List
}

func parseView(r *http.Request, kind, today string) (view, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return view{}, err
	}
	qv := r.URL.Query()
	v := view{List: l, Filter: Filter{Kind: kind, Q: l.Q, Key: strings.TrimSpace(qv.Get("key")), Region: strings.TrimSpace(qv.Get("region_code")),
		Date: strings.TrimSpace(qv.Get("date")), Origin: qv.Get("origin"), Today: today}}
	f := errs.Fields{}
	if !ValidRegion(v.Region) {
		f.Add("region_code", "行政区划代码应为 6 位数字（空为全国）")
	}
	if v.Date != "" && !ValidDate(v.Date) {
		f.Add("date", "日期格式应为 YYYY-MM-DD")
	}
	if v.Origin != "" && v.Origin != OriginBuiltin && v.Origin != OriginOverride {
		f.Add("origin", "应为 builtin 或 override")
	}
	for _, name := range []string{"current", "effective", "exact"} {
		if s := qv.Get(name); s != "" && s != "true" && s != "false" && s != "on" && s != "1" && s != "0" {
			f.Add(name, "应为 true 或 false")
		}
	}
	on := func(name string) bool { s := qv.Get(name); return s == "true" || s == "on" || s == "1" }
	v.Current, v.Effective, v.RegionExact = on("current"), on("effective"), on("exact")
	if v.Effective && v.Date == "" {
		v.Date = today
	}
	if v.RegionExact && v.Effective {
		f.Add("exact", "按生效值查看时不能只看本级")
	}
	return v, f.Err()
}

// rows runs a view: a page of rows and the total.
func (s *Store) rows(r *http.Request, v view, all bool) ([]Row, int64, error) {
	ctx := r.Context()
	if v.Effective {
		t, err := LoadTable(ctx, s.DB, v.Kind, v.Date)
		if err != nil {
			return nil, 0, err
		}
		var out []Row
		q := strings.ToLower(v.Q)
		for _, row := range t.All(v.Region) {
			if (v.Key != "" && row.Key != v.Key) || (v.Origin != "" && row.Origin != v.Origin) ||
				(q != "" && !strings.Contains(strings.ToLower(row.Key+" "+row.Note+" "+row.SourceDoc), q)) {
				continue
			}
			out = append(out, row)
		}
		total := int64(len(out))
		if !all {
			lo := min(v.List.Offset(), len(out))
			out = out[lo:min(lo+v.List.PageSize, len(out))]
		}
		return out, total, nil
	}
	f := v.Filter
	if !all {
		f.Offset, f.Limit = v.List.Offset(), v.List.PageSize
	}
	return List(ctx, s.DB, f)
}

func (s *Store) kindOf(r *http.Request) (DatasetInfo, error) {
	return GetDataset(r.Context(), s.DB, r.PathValue("kind"))
}

func (s *Store) api() {
	u := s.UI
	u.API("GET /api/v1/refdata", "refdata:read", web.Doc{Summary: "标准参数数据集列表", Response: DatasetInfo{}, List: true},
		func(w http.ResponseWriter, r *http.Request) error {
			list, err := Datasets(r.Context(), s.DB)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(list, int64(len(list))))
		})
	u.API("GET /api/v1/refdata/{kind}", "refdata:read", web.Doc{Summary: "数据集的取值（可按区划、日期筛选）", Response: Item{}, List: true, Query: []web.Param{
		{Name: "region_code", Help: "适用于该区划的取值（含其所在市、省及全国）"}, {Name: "exact", Type: "boolean", Help: "只看 region_code 本级"},
		{Name: "date", Help: "在该日期有效的取值 YYYY-MM-DD"}, {Name: "key", Help: "键"}, {Name: "origin", Help: "builtin | override"},
		{Name: "current", Type: "boolean", Help: "不含已失效、已撤销的取值"},
		{Name: "effective", Type: "boolean", Help: "每个键只返回对 region_code 在 date（默认今天）生效的一条"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			ds, err := s.kindOf(r)
			if err != nil {
				return err
			}
			today := s.today()
			v, err := parseView(r, ds.Kind, today)
			if err != nil {
				return err
			}
			rows, total, err := s.rows(r, v, false)
			if err != nil {
				return err
			}
			sup, err := s.superseded(r, ds.Kind, today, rows)
			if err != nil {
				return err
			}
			items := make([]Item, len(rows))
			for i, row := range rows {
				items[i] = ItemOf(row, today)
				if sup[row.ID] {
					items[i].Status = StatusSuperseded
				}
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, total))
		})
	u.API("GET /api/v1/refdata/{kind}/lookup", "refdata:read", web.Doc{Summary: "查询某键对某区划在某日生效的取值（本级→市→省→全国）", Response: Item{}, Query: []web.Param{
		{Name: "key", Required: true, Help: "键"}, {Name: "region_code", Help: "6 位行政区划代码；空为全国"},
		{Name: "date", Help: "日期 YYYY-MM-DD，默认今天"}, {Name: "year", Type: "integer", Help: "核算年度：取该年 12 月 31 日生效（即截至当年最新公布）的取值；与 date 二选一"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			ds, err := s.kindOf(r)
			if err != nil {
				return err
			}
			qv := r.URL.Query()
			key, region, date := strings.TrimSpace(qv.Get("key")), strings.TrimSpace(qv.Get("region_code")), strings.TrimSpace(qv.Get("date"))
			if key == "" {
				return errs.Invalid("key", "必填")
			}
			if y := strings.TrimSpace(qv.Get("year")); y != "" {
				n, err := strconv.Atoi(y)
				if err != nil || n < 1900 || n > 9999 {
					return errs.Invalid("year", "应为 4 位年份")
				}
				if date != "" {
					return errs.Invalid("year", "year 与 date 只能给一个")
				}
				date = YearEnd(n)
			}
			if date == "" {
				date = s.today()
			}
			row, err := Lookup(r.Context(), s.DB, ds.Kind, key, region, date)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, ItemOf(row, s.today()))
		})
	u.API("GET /api/v1/refdata/{kind}/rows/{id}", "refdata:read", web.Doc{Summary: "一条取值", Response: Item{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			row, err := GetRow(r.Context(), s.DB, r.PathValue("kind"), id)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, ItemOf(row, s.today()))
		})
	u.API("POST /api/v1/refdata/{kind}/overrides", "refdata:write", web.Doc{Summary: "新增覆盖值（省级或更低层级，或新文件取代的全国值）", Body: OverrideInput{}, Response: Item{}, Status: 201},
		func(w http.ResponseWriter, r *http.Request) error {
			var in OverrideInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			row, err := s.AddOverride(r.Context(), r.PathValue("kind"), in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusCreated, ItemOf(row, s.today()))
		})
	u.API("POST /api/v1/refdata/{kind}/overrides/{id}/end", "refdata:write", web.Doc{Summary: "终止覆盖值（设定有效期最后一天；生效日前一天即撤销）", Body: EndInput{}, Response: Item{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			var in EndInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			row, err := s.EndOverride(r.Context(), r.PathValue("kind"), id, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, ItemOf(row, s.today()))
		})
	u.API("POST /api/v1/refdata/{kind}/overrides/{id}/revise", "refdata:write", web.Doc{Summary: "修订覆盖值：原记录截止于新版本生效前一天，新增一条并指向原记录", Body: OverrideInput{}, Response: Item{}, Status: 201},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			var in OverrideInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			row, err := s.ReviseOverride(r.Context(), r.PathValue("kind"), id, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusCreated, ItemOf(row, s.today()))
		})
}
