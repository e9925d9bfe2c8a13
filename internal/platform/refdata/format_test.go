package refdata_test

import (
	"os"
	"strings"
	"testing"

	"github.com/govops/govops/internal/platform/refdata"
)

var testdata = os.DirFS("testdata")

func TestParseCSV(t *testing.T) {
	ds, err := refdata.Load(testdata, "area.csv")
	if err != nil {
		t.Fatal(err)
	}
	if ds.Kind != "test.area_standard" || ds.Title != "测试办公室面积标准" || ds.ValueType != refdata.ValueNumber || ds.Unit != "m²/人" || len(ds.Rows) != 5 {
		t.Fatalf("dataset = %+v", ds)
	}
	r := ds.Rows[2]
	if r.Key != "county/section_chief" || r.Value != 18 || r.Unit != "m²/人" || r.ValidFrom != "2014-11-24" || r.ValidTo != "" ||
		r.SourceDoc != "测试文件〔2014〕1号" || r.Issuer != "测试发文机关" || r.Confidence != "V" || r.Note != "正科级" || r.Kind != ds.Kind {
		t.Errorf("row with header defaults = %+v", r)
	}
	old := ds.Rows[3]
	if old.Value != 16 || old.ValidFrom != "1999-01-01" || old.ValidTo != "2014-11-23" || old.SourceDoc != "测试文件〔1999〕9号" || old.Confidence != "S" {
		t.Errorf("row with its own cells = %+v", old)
	}
	// The version ignores comments and formatting, not content.
	b, _ := os.ReadFile("testdata/area.csv")
	again, err := refdata.Parse("x.csv", []byte("\xef\xbb\xbf# a new comment\n"+strings.ReplaceAll(string(b), ",", ", ")))
	if err != nil || again.Version() != ds.Version() {
		t.Errorf("reformatted file: %v, version %s vs %s", err, again.Version(), ds.Version())
	}
	changed, _ := refdata.Parse("x.csv", []byte(strings.Replace(string(b), "county/head,30", "county/head,31", 1)))
	if changed.Version() == ds.Version() {
		t.Error("a changed value keeps the version")
	}
}

func TestParseJSON(t *testing.T) {
	ds, err := refdata.Load(testdata, "factors.json")
	if err != nil {
		t.Fatal(err)
	}
	if ds.ValueType != refdata.ValueJSON || len(ds.Rows) != 4 || ds.Rows[3].RegionCode != "130000" {
		t.Fatalf("dataset = %+v", ds)
	}
	var v struct {
		Factor   float64 `json:"factor"`
		DataYear int     `json:"data_year"`
	}
	if err := ds.Rows[1].Decode(&v); err != nil || v.Factor != 0.5366 || v.DataYear != 2022 {
		t.Errorf("Decode = %+v, %v", v, err)
	}
	if ds.Rows[0].Issuer != "测试部门" || ds.Rows[0].Unit != "kgCO2/kWh" {
		t.Errorf("defaults not applied: %+v", ds.Rows[0])
	}
}

func TestParseRejects(t *testing.T) {
	head := "# kind: test.x\n# title: 测试\n# source_doc: 文件1号\n# valid_from: 2020-01-01\n# confidence: V\n"
	for name, tc := range map[string]struct{ file, body string }{
		"extension":        {"a.txt", head + "key,value\na,1\n"},
		"no kind":          {"a.csv", "# title: 测试\n# source_doc: x\n# valid_from: 2020-01-01\n# confidence: V\nkey,value\na,1\n"},
		"bad kind":         {"a.csv", strings.Replace(head, "test.x", "Test", 1) + "key,value\na,1\n"},
		"no title":         {"a.csv", strings.Replace(head, "# title: 测试\n", "", 1) + "key,value\na,1\n"},
		"value type":       {"a.csv", head + "# value_type: text\nkey,value\na,1\n"},
		"header field":     {"a.csv", head + "# colour: red\nkey,value\na,1\n"},
		"unknown column":   {"a.csv", head + "key,value,colour\na,1,red\n"},
		"no value column":  {"a.csv", head + "key,note\na,x\n"},
		"twice":            {"a.csv", head + "key,value,value\na,1,2\n"},
		"empty value":      {"a.csv", head + "key,value\na,\n"},
		"not a number":     {"a.csv", head + "key,value\na,18平方米\n"},
		"infinite":         {"a.csv", head + "key,value\na,Inf\n"},
		"empty key":        {"a.csv", head + "key,value\n,1\n"},
		"space in key":     {"a.csv", head + "key,value\na b,1\n"},
		"region":           {"a.csv", head + "key,value,region_code\na,1,99\n"},
		"date":             {"a.csv", head + "key,value,valid_from\na,1,2020-02-30\n"},
		"no source":        {"a.csv", strings.Replace(head, "# source_doc: 文件1号\n", "", 1) + "key,value\na,1\n"},
		"confidence":       {"a.csv", head + "key,value,confidence\na,1,X\n"},
		"period":           {"a.csv", head + "key,value,valid_to\na,1,2019-12-31\n"},
		"duplicate":        {"a.csv", head + "key,value\na,1\na,2\n"},
		"ragged":           {"a.csv", head + "key,value\na,1,2\n"},
		"json syntax":      {"a.json", `{"kind":"test.x","title":"测试","rows":[`},
		"json field":       {"a.json", `{"kind":"test.x","title":"测试","colour":"red","rows":[]}`},
		"json value":       {"a.json", `{"kind":"test.x","title":"测试","defaults":{"source_doc":"x","valid_from":"2020-01-01","confidence":"V"},"rows":[{"key":"a","value":"abc"}]}`},
		"json null":        {"a.json", `{"kind":"test.x","title":"测试","value_type":"json","defaults":{"source_doc":"x","valid_from":"2020-01-01","confidence":"V"},"rows":[{"key":"a","value":null}]}`},
		"json bad in csv":  {"a.csv", head + "# value_type: json\nkey,value\na,{x}\n"},
		"no column header": {"a.csv", head},
	} {
		if _, err := refdata.Parse(tc.file, []byte(tc.body)); err == nil {
			t.Errorf("%s: Parse accepted it", name)
		}
	}
	ok := head + "# value_type: json\nkey,value,region_code\n# a comment line\na,\"{\"\"price_yuan\"\":180000}\",990000\n"
	ds, err := refdata.Parse("a.csv", []byte(ok))
	if err != nil || string(ds.Rows[0].JSON) != `{"price_yuan":180000}` || ds.Rows[0].RegionCode != "990000" {
		t.Errorf("JSON in CSV = %+v, %v", ds, err)
	}
}

func TestRegionChain(t *testing.T) {
	for code, want := range map[string]string{
		"990121": "990121 990100 990000 ",
		"990100": "990100 990000 ",
		"990000": "990000 ",
		"110101": "110101 110100 110000 ",
		"":       "",
		"12":     "",
	} {
		if got := strings.Join(refdata.RegionChain(code), " "); got != want {
			t.Errorf("RegionChain(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestPick(t *testing.T) {
	row := func(id int64, region, from, origin string) refdata.Row {
		return refdata.Row{ID: id, RegionCode: region, ValidFrom: from, Origin: origin}
	}
	b, o := refdata.OriginBuiltin, refdata.OriginOverride
	for _, tc := range []struct {
		name   string
		rows   []refdata.Row
		region string
		want   int64 // 0 = none
	}{
		{"national only", []refdata.Row{row(1, "", "2014-11-24", b)}, "990121", 1},
		{"province beats national", []refdata.Row{row(1, "", "2020-01-01", b), row(2, "990000", "2015-01-01", o)}, "990121", 2},
		{"city beats province", []refdata.Row{row(2, "990000", "2015-01-01", o), row(3, "990100", "2015-01-01", o)}, "990121", 3},
		{"county beats city", []refdata.Row{row(3, "990100", "2015-01-01", o), row(4, "990121", "2015-01-01", o)}, "990121", 4},
		{"other county ignored", []refdata.Row{row(1, "", "2014-11-24", b), row(5, "990122", "2015-01-01", o)}, "990121", 1},
		{"other province ignored", []refdata.Row{row(1, "", "2014-11-24", b), row(6, "980000", "2015-01-01", o)}, "990121", 1},
		{"newest edition", []refdata.Row{row(1, "", "2014-11-24", b), row(7, "", "2024-12-20", b)}, "", 7},
		{"override on the same day", []refdata.Row{row(9, "", "2024-12-20", b), row(8, "", "2024-12-20", o)}, "", 8},
		{"newest id", []refdata.Row{row(10, "", "2024-12-20", o), row(11, "", "2024-12-20", o)}, "", 11},
		{"national lookup ignores provinces", []refdata.Row{row(2, "990000", "2015-01-01", o)}, "", 0},
		{"nothing", nil, "990121", 0},
	} {
		got, ok := refdata.Pick(tc.rows, refdata.RegionChain(tc.region))
		if (tc.want == 0 && ok) || (tc.want != 0 && got.ID != tc.want) {
			t.Errorf("%s: Pick = %d (%v), want %d", tc.name, got.ID, ok, tc.want)
		}
	}
}

func TestRowStatus(t *testing.T) {
	for _, tc := range []struct {
		from, to, want string
	}{
		{"2020-01-01", "", refdata.StatusActive},
		{"2020-01-01", "2026-11-16", refdata.StatusActive},
		{"2020-01-01", "2026-11-15", refdata.StatusEnded},
		{"2026-11-17", "", refdata.StatusPending},
		{"2026-11-17", "2026-11-16", refdata.StatusWithdrawn},
	} {
		r := refdata.Row{ValidFrom: tc.from, ValidTo: tc.to}
		if got := r.Status("2026-11-16"); got != tc.want {
			t.Errorf("Status(%s–%s) = %s, want %s", tc.from, tc.to, got, tc.want)
		}
	}
}
