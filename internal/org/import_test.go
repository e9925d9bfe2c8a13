package org_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/xlsx"
)

func workbook(t testing.TB, header []string, rows [][]string) []byte {
	f := excelize.NewFile()
	all := append([][]string{header}, rows...)
	for i, r := range all {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			_ = f.SetCellStr("Sheet1", cell, v)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var orgHeader = []string{"单位名称", "上级单位", "单位类型", "机构层级", "行政区划代码", "统一社会信用代码", "统计类别", "用能人数", "建筑面积(m²)"}

func TestImportOrgsAndPeople(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	admin := env.Browser("admin", apptest.AdminPassword)
	count := func() int64 {
		n, err := db.Count(context.Background(), env.App.DB, "SELECT COUNT(*) FROM orgs")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	good := [][]string{
		{"导入测试局", "示范省机关事务管理局", "党政机关", "省级", "990000", "91350100M000100Y43", "机关", "40", "1200.5"},
		{"导入测试局办公室", "导入测试局", "organ", "provincial", "", "", "", "8", ""},
	}
	bad := append(append([][]string{}, good...),
		[]string{"坏行", "不存在的单位", "部委", "省级", "99", "91350100M000100Y44", "机关", "x", "-"})
	r := admin.Upload("/orgs/import", "units.xlsx", workbook(t, orgHeader, bad), map[string]string{"dry_run": "1"})
	if r.StatusCode != 422 {
		t.Fatalf("dry run with a bad row = %d", r.StatusCode)
	}
	for _, want := range []string{"找不到单位", "单位类型", "统一社会信用代码校验位错误", "用能人数应为整数", "行政区划代码应为 6 位数字"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// The real import of the same file writes nothing either.
	if r := admin.Upload("/orgs/import", "units.xlsx", workbook(t, orgHeader, bad), nil); r.StatusCode != 422 || count() != before {
		t.Fatalf("import with a bad row = %d, units %d → %d", r.StatusCode, before, count())
	}
	// The good rows: a dry run writes nothing, the import writes both (the second refers to the first).
	api := env.Admin()
	r = api.Upload("/api/v1/orgs/import?dry_run=true", "units.xlsx", workbook(t, orgHeader, good), nil)
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"created":2`) || count() != before {
		t.Fatalf("API dry run = %d %s", r.StatusCode, r.Body)
	}
	r = api.Upload("/api/v1/orgs/import", "units.xlsx", workbook(t, orgHeader, good), nil)
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"created":2`) || count() != before+2 {
		t.Fatalf("import = %d %s", r.StatusCode, r.Body)
	}
	// Importing the same file again changes nothing.
	r = api.Upload("/api/v1/orgs/import", "units.xlsx", workbook(t, orgHeader, good), nil)
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"created":0,"updated":0`) || count() != before+2 {
		t.Fatalf("re-import = %d %s", r.StatusCode, r.Body)
	}
	// A changed value updates by credit code.
	changed := [][]string{{"导入测试局（更名）", "示范省机关事务管理局", "党政机关", "省级", "990000", "91350100M000100Y43", "机关", "45", "1200.5"}}
	r = api.Upload("/api/v1/orgs/import", "units.xlsx", workbook(t, orgHeader, changed), nil)
	if !strings.Contains(r.Body, `"updated":1`) || count() != before+2 {
		t.Fatalf("update by credit code = %s", r.Body)
	}

	people := [][]string{
		{"T0001", "测试甲", "91350100M000100Y43", "正处级", "处长", "男", "", "在职", ""},
		{"T0002", "测试乙", "导入测试局办公室", "科员及以下", "", "女", "", "退休", "2026-10-01"},
	}
	ph := []string{"人员编号", "姓名", "所在单位", "职级", "职务", "性别", "电话", "状态", "状态起始日期"}
	r = api.Upload("/api/v1/people/import", "p.xlsx", workbook(t, ph, append(append([][]string{}, people...), []string{"T0001", "重复", "导入测试局办公室", "处级", "", "", "", "", "2026-13-01"})), nil)
	if r.StatusCode != 422 || !strings.Contains(r.Body, "与第 2 行重复") || !strings.Contains(r.Body, "职级") {
		t.Fatalf("people with bad rows = %d %s", r.StatusCode, r.Body)
	}
	r = api.Upload("/api/v1/people/import", "p.xlsx", workbook(t, ph, people), nil)
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"created":2`) {
		t.Fatalf("people import = %d %s", r.StatusCode, r.Body)
	}
	r = api.Upload("/api/v1/people/import", "p.xlsx", workbook(t, ph, people), nil)
	if !strings.Contains(r.Body, `"created":0,"updated":0`) {
		t.Fatalf("people re-import = %s", r.Body)
	}
	// The template downloads as a workbook with the required headers.
	tpl := admin.Get("/people/import/template")
	f, err := excelize.OpenReader(strings.NewReader(tpl.Body))
	if err != nil {
		t.Fatalf("template: %v", err)
	}
	hdr, _ := f.GetRows(f.GetSheetList()[0])
	if len(hdr) == 0 || hdr[0][0] != "人员编号" {
		t.Fatalf("template header = %v", hdr)
	}
	// Exports are audited.
	if r := admin.Get("/people?format=xlsx&q=" + "测试"); r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/vnd.openxmlformats") {
		t.Fatalf("export = %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	n, _ := db.Count(context.Background(), env.App.DB, "SELECT COUNT(*) FROM audit_log WHERE action = 'export.xlsx'")
	if n != 1 {
		t.Fatalf("export audit entries = %d", n)
	}
}

// FuzzImportOrgRow: whatever a row holds, a dry run reports row errors or success — never an internal error — and
// writes nothing.
func FuzzImportOrgRow(f *testing.F) {
	f.Add("测试单位", "示范省机关事务管理局", "党政机关", "省级", "990000", "91350100M000100Y43", "机关", "10", "100")
	f.Add("", "", "", "", "", "", "", "", "")
	f.Add("x", "x", "bureau", "county", "12345", "ABC", "other", "-1", "1e400")
	f.Add(strings.Repeat("长", 200), "示范省机关事务管理局", "organ", "township", "990121", "", "场馆", "3.0", "NaN")
	env := apptest.New(f, apptest.Options{Demo: true})
	ctx := audit.WithActor(context.Background(), audit.Actor{Username: "fuzz"})
	before, _ := db.Count(ctx, env.App.DB, "SELECT COUNT(*) FROM orgs")
	f.Fuzz(func(t *testing.T, name, parent, kind, level, region, credit, cat, head, area string) {
		keys := []string{"name", "parent", "kind", "admin_level", "region_code", "credit_code", "category", "headcount", "floor_area_m2"}
		vals := []string{name, parent, kind, level, region, credit, cat, head, area}
		row := xlsx.Row{Line: 2, Values: map[string]string{}}
		for i, k := range keys {
			row.Values[k] = strings.TrimSpace(vals[i])
		}
		rep, err := env.App.Org.ImportOrgs(ctx, auth.Everything(), []xlsx.Row{row}, true)
		if err != nil {
			t.Fatalf("row %v: internal error %v", row.Values, err)
		}
		if rep.Rows != 1 || (rep.OK() && rep.Created != 1) || (!rep.OK() && rep.Created != 0) {
			t.Fatalf("report %+v", rep)
		}
		if n, _ := db.Count(ctx, env.App.DB, "SELECT COUNT(*) FROM orgs"); n != before {
			t.Fatalf("dry run wrote %d units", n-before)
		}
	})
}
