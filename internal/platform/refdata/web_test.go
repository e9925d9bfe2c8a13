package refdata_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/refdata"
)

// withTestData starts the program and registers the test datasets the way a module does at wiring.
func withTestData(t *testing.T, opt ...apptest.Options) *apptest.Env {
	t.Helper()
	env := apptest.New(t, opt...)
	env.App.Refdata.Register(refdata.MustLoad(testdata, "area.csv"))
	env.App.Refdata.Register(refdata.MustLoad(testdata, "factors.json"))
	if err := env.App.Refdata.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	return env
}

type item struct {
	ID         int64           `json:"id"`
	Key        string          `json:"key"`
	Value      json.RawMessage `json:"value"`
	RegionCode string          `json:"region_code"`
	ValidFrom  string          `json:"valid_from"`
	ValidTo    string          `json:"valid_to"`
	SourceDoc  string          `json:"source_doc"`
	Origin     string          `json:"origin"`
	Status     string          `json:"status"`
	ReplacesID int64           `json:"replaces_id"`
	CreatedBy  string          `json:"created_by"`
}

func TestRefdataAPI(t *testing.T) {
	env := withTestData(t)
	api := env.Admin()

	var sets struct {
		Items []refdata.DatasetInfo `json:"items"`
		Total int64                 `json:"total"`
	}
	// Modules ship datasets of their own; the test's two are among them.
	found := map[string]refdata.DatasetInfo{}
	if st := api.JSON("GET", "/api/v1/refdata", nil, &sets); st == 200 {
		for _, d := range sets.Items {
			found[d.Kind] = d
		}
	}
	if found["test.area_standard"].BuiltinRows != 5 || found["test.emission_factor"].Kind == "" || sets.Total != int64(len(sets.Items)) {
		t.Fatalf("datasets = %+v", sets)
	}

	var rows struct {
		Items []item `json:"items"`
		Total int64  `json:"total"`
	}
	if st := api.JSON("GET", "/api/v1/refdata/test.area_standard?key=county/section_chief", nil, &rows); st != 200 || rows.Total != 2 {
		t.Fatalf("rows by key = %d %+v", st, rows)
	}
	if st := api.JSON("GET", "/api/v1/refdata/test.area_standard?date=2010-01-01", nil, &rows); st != 200 || rows.Total != 1 || string(rows.Items[0].Value) != "16" ||
		rows.Items[0].Status != "ended" {
		t.Errorf("rows valid on 2010-01-01 = %d %+v", st, rows)
	}
	if st := api.JSON("GET", "/api/v1/refdata/test.emission_factor", nil, &rows); st != 200 || rows.Total != 4 || rows.Items[0].Status != "superseded" ||
		!strings.Contains(string(rows.Items[0].Value), `"data_year":2021`) {
		t.Errorf("factor rows = %d %+v", st, rows)
	}

	// Add a province override; it wins for the province's counties.
	var over item
	body := map[string]any{"key": "county/section_chief", "value": 20, "region_code": "990000", "valid_from": "2020-01-01", "source_doc": "示政办发〔2019〕8号"}
	if st := api.JSON("POST", "/api/v1/refdata/test.area_standard/overrides", body, &over); st != 201 || over.Origin != "override" || over.CreatedBy != "admin" || over.Status != "active" {
		t.Fatalf("create override = %d %+v", st, over)
	}
	var got item
	if st := api.JSON("GET", "/api/v1/refdata/test.area_standard/lookup?key=county/section_chief&region_code=990121&date=2026-01-01", nil, &got); st != 200 || got.ID != over.ID {
		t.Errorf("lookup for a county of the province = %d %+v", st, got)
	}
	if st := api.JSON("GET", "/api/v1/refdata/test.area_standard/lookup?key=county/section_chief&region_code=110101", nil, &got); st != 200 || string(got.Value) != "18" {
		t.Errorf("lookup for another province = %d %+v", st, got)
	}
	if st := api.JSON("GET", "/api/v1/refdata/test.emission_factor/lookup?key=electricity&year=2025", nil, &got); st != 200 || !strings.Contains(string(got.Value), `"data_year":2022`) {
		t.Errorf("lookup for accounting year 2025 = %d %+v", st, got)
	}
	if st := api.JSON("GET", "/api/v1/refdata/test.area_standard?region_code=990121&effective=true&date=2026-01-01", nil, &rows); st != 200 || rows.Total != 4 {
		t.Errorf("effective rows = %d %+v", st, rows)
	}
	if st := api.JSON("GET", "/api/v1/refdata/test.area_standard?region_code=990000&exact=true", nil, &rows); st != 200 || rows.Total != 1 || rows.Items[0].ID != over.ID {
		t.Errorf("the province's own rows = %d %+v", st, rows)
	}

	// Revise and end, through the API.
	var rev item
	if st := api.JSON("POST", "/api/v1/refdata/test.area_standard/overrides/"+itoa(over.ID)+"/revise",
		map[string]any{"value": 21, "valid_from": "2026-07-01", "source_doc": "示政办发〔2026〕3号"}, &rev); st != 201 || rev.ReplacesID != over.ID || rev.RegionCode != "990000" {
		t.Fatalf("revise = %d %+v", st, rev)
	}
	if st := api.JSON("GET", "/api/v1/refdata/test.area_standard/rows/"+itoa(over.ID), nil, &got); st != 200 || got.ValidTo != "2026-06-30" {
		t.Errorf("the revised row = %d %+v", st, got)
	}
	if st := api.JSON("POST", "/api/v1/refdata/test.area_standard/overrides/"+itoa(rev.ID)+"/end", map[string]any{"valid_to": "2026-12-31", "reason": "废止"}, &got); st != 200 || got.ValidTo != "2026-12-31" {
		t.Errorf("end = %d %+v", st, got)
	}

	// Bad input: 422 with fields, 400 for malformed JSON, 404 for unknown kinds and rows, 409 for built-in rows and overlaps.
	var e apptest.ErrorBody
	for _, tc := range []struct {
		method, path string
		body         any
		status       int
		field        string
	}{
		{"POST", "/api/v1/refdata/test.area_standard/overrides", map[string]any{"key": "x", "value": 1, "valid_from": "2026-01-01"}, 422, "source_doc"},
		{"POST", "/api/v1/refdata/test.area_standard/overrides", map[string]any{"key": "x", "value": "abc", "valid_from": "2026-01-01", "source_doc": "d"}, 422, "value"},
		{"POST", "/api/v1/refdata/test.area_standard/overrides", map[string]any{"key": "x", "value": 1, "valid_from": "2026-01-01", "source_doc": "d", "region_code": "9"}, 422, "region_code"},
		{"POST", "/api/v1/refdata/test.area_standard/overrides", map[string]any{"key": 5}, 422, "key"},
		{"POST", "/api/v1/refdata/test.none/overrides", map[string]any{"key": "x", "value": 1, "valid_from": "2026-01-01", "source_doc": "d"}, 404, ""},
		{"POST", "/api/v1/refdata/test.area_standard/overrides/" + itoa(firstRow(t, api)) + "/end", map[string]any{"valid_to": "2026-01-01", "reason": "x"}, 409, ""},
		{"POST", "/api/v1/refdata/test.area_standard/overrides/999999/end", map[string]any{"valid_to": "2026-01-01", "reason": "x"}, 404, ""},
		{"POST", "/api/v1/refdata/test.area_standard/overrides/" + itoa(rev.ID) + "/end", map[string]any{"valid_to": "2026-11-30", "reason": "x"}, 409, ""},
		{"POST", "/api/v1/refdata/test.area_standard/overrides", map[string]any{"key": "county/section_chief", "value": 1, "region_code": "990000", "valid_from": "2026-03-01", "source_doc": "d"}, 409, ""},
		{"GET", "/api/v1/refdata/test.area_standard/lookup?region_code=990121", nil, 422, "key"},
		{"GET", "/api/v1/refdata/test.area_standard/lookup?key=county/head&date=2026-02-30", nil, 422, "date"},
		{"GET", "/api/v1/refdata/test.area_standard/lookup?key=county/head&year=20x6", nil, 422, "year"},
		{"GET", "/api/v1/refdata/test.area_standard/lookup?key=nothing", nil, 404, ""},
		{"GET", "/api/v1/refdata/test.area_standard?date=yesterday", nil, 422, "date"},
		{"GET", "/api/v1/refdata/test.area_standard?page_size=9999", nil, 422, "page_size"},
		{"GET", "/api/v1/refdata/test.none", nil, 404, ""},
	} {
		e = apptest.ErrorBody{}
		if st := api.JSON(tc.method, tc.path, tc.body, &e); st != tc.status || (tc.field != "" && e.Error.Fields[tc.field] == "") {
			t.Errorf("%s %s = %d %+v; want %d on %q", tc.method, tc.path, st, e, tc.status, tc.field)
		}
	}
	if r := api.Do("POST", "/api/v1/refdata/test.area_standard/overrides", "application/json", []byte(`{"key":`)); r.StatusCode != 400 {
		t.Errorf("malformed JSON = %d", r.StatusCode)
	}
	n, _ := db.Count(context.Background(), env.App.DB, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'refdata.override.%' AND actor = 'admin'")
	if n != 3 {
		t.Errorf("audited override changes = %d, want 3", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestRefdataPages(t *testing.T) {
	env := withTestData(t, apptest.Options{Demo: true})
	admin := env.Browser("admin", apptest.AdminPassword)
	for path, want := range map[string]string{
		"/admin/refdata":                                                      "测试办公室面积标准",
		"/admin/refdata/test.area_standard":                                   "county/section_chief",
		"/admin/refdata/test.area_standard?tab=history":                       "载入内置数据",
		"/admin/refdata/test.area_standard?effective=true&region_code=990121": "生效的取值",
		"/admin/refdata/test.area_standard?lookup_key=county/head&lookup_region=990121&lookup_date=2026-01-01": "<strong>30</strong>",
		"/admin/refdata/test.area_standard?lookup_key=nothing":                                                 "没有",
		"/admin/refdata/test.emission_factor":                                                                  "已被新版本取代",
		"/admin/refdata/test.area_standard/overrides/new?key=county/head":                                      `value="county/head"`,
		fmt.Sprintf("/admin/refdata/test.area_standard/rows/%d", firstRow(t, admin)):                           "内置数据只读",
	} {
		p := admin.Get(path)
		if p.StatusCode != 200 || !strings.Contains(p.Body, want) {
			t.Errorf("GET %s = %d, lacks %q", path, p.StatusCode, want)
		}
	}
	if p := admin.Get("/admin/refdata/test.area_standard?format=xlsx"); p.StatusCode != 200 || !strings.Contains(p.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("export = %d %s", p.StatusCode, p.Header.Get("Content-Type"))
	}
	if p := admin.Get("/admin/refdata/test.none"); p.StatusCode != 404 {
		t.Errorf("unknown kind page = %d", p.StatusCode)
	}
	if p := admin.Get("/admin/refdata/test.area_standard?region_code=abc"); p.StatusCode != 422 {
		t.Errorf("bad filter = %d", p.StatusCode)
	}

	// The override form: errors keep the input; a valid post redirects to the new row.
	form := url.Values{"key": {"county/head"}, "value": {"三十二"}, "region_code": {"990000"}, "valid_from": {"2020-01-01"}, "source_doc": {""}, "confidence": {"V"}}
	bad := admin.Form("POST", "/admin/refdata/test.area_standard/overrides", form)
	if bad.StatusCode != 422 || !strings.Contains(bad.Body, "应为数字") || !strings.Contains(bad.Body, "请填写依据文件文号") || !strings.Contains(bad.Body, "三十二") {
		t.Errorf("bad override form = %d", bad.StatusCode)
	}
	form.Set("value", "32")
	form.Set("source_doc", "示政办发〔2019〕8号")
	ok := admin.Form("POST", "/admin/refdata/test.area_standard/overrides", form)
	loc := ok.Header.Get("Location")
	if ok.StatusCode != 303 || !strings.HasPrefix(loc, "/admin/refdata/test.area_standard/rows/") {
		t.Fatalf("create override = %d %s", ok.StatusCode, loc)
	}
	row := admin.Get(loc)
	if row.StatusCode != 200 || !strings.Contains(row.Body, "示政办发〔2019〕8号") || !strings.Contains(row.Body, "/revise") || !strings.Contains(row.Body, "/end") {
		t.Errorf("new row page = %d", row.StatusCode)
	}
	// An overlapping second override is refused with the reason on the form.
	if dup := admin.Form("POST", "/admin/refdata/test.area_standard/overrides", form); dup.StatusCode != 409 || !strings.Contains(dup.Body, "有效期重叠") {
		t.Errorf("overlapping override = %d", dup.StatusCode)
	}
	// Revise through the form, then end the new version.
	id := strings.TrimPrefix(loc, "/admin/refdata/test.area_standard/rows/")
	if p := admin.Get("/admin/refdata/test.area_standard/overrides/" + id + "/revise"); p.StatusCode != 200 || !strings.Contains(p.Body, "<strong>32</strong>") {
		t.Errorf("revise form = %d", p.StatusCode)
	}
	rev := admin.Form("POST", "/admin/refdata/test.area_standard/overrides/"+id+"/revise", url.Values{"value": {"34"}, "valid_from": {"2026-07-01"},
		"source_doc": {"示政办发〔2026〕3号"}, "confidence": {"V"}})
	if rev.StatusCode != 303 {
		t.Fatalf("revise = %d %s", rev.StatusCode, rev.Body)
	}
	newLoc := rev.Header.Get("Location")
	if p := admin.Get(newLoc); !strings.Contains(p.Body, "#"+id) {
		t.Error("the revision does not link to the row it replaces")
	}
	if p := admin.Get(loc); !strings.Contains(p.Body, "已被修订为") {
		t.Error("the old row does not link to its revision")
	}
	if bad := admin.Form("POST", "/admin/refdata/test.area_standard/overrides/"+strings.TrimPrefix(newLoc, "/admin/refdata/test.area_standard/rows/")+"/end",
		url.Values{"valid_to": {"2026-12-31"}}); bad.StatusCode != 422 || !strings.Contains(bad.Body, "终止原因") {
		t.Errorf("end without reason = %d", bad.StatusCode)
	}

	// A space manager reads but cannot write; an employee cannot read.
	space := env.Browser("space", "Demo@2026")
	if p := space.Get("/admin/refdata/test.area_standard"); p.StatusCode != 200 || strings.Contains(p.Body, "/overrides/new") {
		t.Errorf("space manager page = %d (write links shown?)", p.StatusCode)
	}
	if p := space.Get("/admin/refdata/test.area_standard/overrides/new"); p.StatusCode != 403 {
		t.Errorf("space manager form = %d", p.StatusCode)
	}
	if st := env.API("space", "Demo@2026").JSON("POST", "/api/v1/refdata/test.area_standard/overrides", map[string]any{"key": "x"}, nil); st != 403 {
		t.Errorf("space manager POST = %d", st)
	}
	emp := env.Browser("employee", "Demo@2026")
	if p := emp.Get("/admin/refdata"); p.StatusCode != 403 || strings.Contains(emp.Get("/").Body, `href="/admin/refdata"`) {
		t.Errorf("employee /admin/refdata = %d (or menu shown)", p.StatusCode)
	}

	// English pages have no untranslated keys.
	en := env.Browser("admin", apptest.AdminPassword)
	en.Form("POST", "/lang", url.Values{"lang": {"en"}, "next": {"/"}})
	for _, path := range []string{"/admin/refdata", "/admin/refdata/test.area_standard", "/admin/refdata/test.area_standard?tab=history", loc,
		"/admin/refdata/test.area_standard/overrides/new", newLoc} {
		p := en.Get(path)
		if p.StatusCode != 200 || strings.Contains(p.Body, "[[") {
			t.Errorf("English %s = %d", path, p.StatusCode)
		}
		if strings.Contains(path, "history") {
			continue // the history lines are data, written in Chinese
		}
		for _, zh := range []string{"标准参数", "覆盖值", "有效期", "依据文件"} {
			if strings.Contains(p.Body, zh) {
				t.Errorf("English %s still shows %q", path, zh)
			}
		}
	}
}

// firstRow is the id of a built-in row of the test dataset.
func firstRow(t *testing.T, c *apptest.Client) int64 {
	t.Helper()
	var rows struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if st := c.JSON("GET", "/api/v1/refdata/test.area_standard", nil, &rows); st != 200 || len(rows.Items) == 0 {
		t.Fatalf("rows of test.area_standard: %d", st)
	}
	return rows.Items[0].ID
}
