package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/govops/govops/internal/platform/errs"
)

type sample struct {
	Name   string   `json:"name"`
	Count  int64    `json:"count"`
	Area   float64  `json:"area_m2"`
	Tags   []string `json:"tags"`
	Nested struct {
		On bool `json:"on"`
	} `json:"nested"`
}

func TestDecodeJSONErrors(t *testing.T) {
	cases := []struct {
		body  string
		code  errs.Code
		field string
	}{
		{`{"name":"x","count":3}`, "", ""},
		{``, errs.CodeBadRequest, ""},
		{`{"name":`, errs.CodeBadRequest, ""},
		{`{"name":"x"} {"name":"y"}`, errs.CodeBadRequest, ""},
		{`{"count":"three"}`, errs.CodeValidation, "count"},
		{`{"nested":{"on":1}}`, errs.CodeValidation, "nested.on"},
		{`[1,2]`, errs.CodeBadRequest, ""},
		{`{"area_m2":1e999}`, errs.CodeValidation, "area_m2"},
		{`{"name":"` + strings.Repeat("x", MaxJSONBody) + `"}`, errs.CodeTooLarge, ""},
	}
	for _, c := range cases {
		var v sample
		err := DecodeJSON(httptest.NewRequest("POST", "/", strings.NewReader(c.body)), &v)
		if errs.CodeOf(err) != c.code {
			t.Errorf("%.40q: code %q (%v), want %q", c.body, errs.CodeOf(err), err, c.code)
			continue
		}
		if c.field != "" && errs.As(err).Fields[c.field] == "" {
			t.Errorf("%.40q: fields %v lack %q", c.body, errs.As(err).Fields, c.field)
		}
	}
}

// FuzzDecodeJSON: whatever the body, decoding yields nil or a client error (400/413/422), never a panic or an
// internal error.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"name":"单位","count":1}`, `{"count":"x"}`, `{`, `null`, `[]`, `{"tags":[1]}`, "\xff\xfe", `{"nested":{"on":"yes"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v sample
		err := DecodeJSON(httptest.NewRequest("POST", "/", strings.NewReader(string(body))), &v)
		if err == nil {
			return
		}
		switch errs.CodeOf(err) {
		case errs.CodeBadRequest, errs.CodeValidation, errs.CodeTooLarge:
		default:
			t.Fatalf("body %q: unexpected error %v", body, err)
		}
		if errs.As(err).Message == "" {
			t.Fatal("error without a message")
		}
	})
}

func TestCatalogT(t *testing.T) {
	c := NewCatalog()
	if err := c.Add(LangEN, []byte(`{"a.b":"Hello"}`)); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ lang, in, want string }{
		{LangZH, "a.b|你好", "你好"}, {LangEN, "a.b|你好", "Hello"}, {LangEN, "a.c|再见", "再见"},
		{LangZH, "a.missing", "[[a.missing]]"}, {LangZH, "示范省机关事务管理局", "示范省机关事务管理局"},
		{LangEN, "Room 101", "Room 101"},
	}
	for _, c2 := range cases {
		if got := c.T(c2.lang, c2.in); got != c2.want {
			t.Errorf("T(%s, %q) = %q, want %q", c2.lang, c2.in, got, c2.want)
		}
	}
}

// TestInputHygiene (issue 8, item 7): control characters, direction overrides and negative zero are refused once,
// centrally, for JSON bodies and forms, with a 422 naming the field.
func TestInputHygiene(t *testing.T) {
	type doc struct {
		Name  string             `json:"name"`
		Note  string             `json:"note"`
		Area  float64            `json:"area_m2"`
		Count int64              `json:"count"`
		Lines []map[string]any   `json:"lines"`
		Extra map[string]float64 `json:"extra"`
	}
	cases := []struct {
		body, field string
	}{
		{`{"name":"示范局\u202e"}`, "name"},
		{`{"name":"a\u0000b"}`, "name"},
		{`{"name":"a\u001b[31m"}`, "name"},
		{`{"name":"a\u007f"}`, "name"},
		{`{"name":"a\u0085"}`, "name"},
		{`{"name":"a\u2066b\u2069"}`, "name"},
		{`{"name":"two\nlines"}`, "name"},
		{`{"name":"tab\there"}`, "name"},
		{`{"note":"x\u0007"}`, "note"},
		{`{"lines":[{"unit_name":"ok"},{"unit_name":"bad\u202d"}]}`, "lines.1.unit_name"},
		{`{"area_m2":-0}`, "area_m2"},
		{`{"area_m2":-0.0}`, "area_m2"},
		{`{"count":-0}`, "count"},
		{`{"extra":{"amount_yuan":-0e3}}`, "extra.amount_yuan"},
	}
	for _, c := range cases {
		var v doc
		err := DecodeJSON(httptest.NewRequest("POST", "/", strings.NewReader(c.body)), &v)
		e := errs.As(err)
		if e == nil || e.Code != errs.CodeValidation || e.Fields[c.field] == "" {
			t.Errorf("%s: %v, want a 422 naming %s", c.body, err, c.field)
		}
	}
	for _, ok := range []string{`{"name":"示范省机关事务管理局（本级）","note":"第一行\r\n第二行\t缩进","area_m2":0,"count":-1}`,
		`{"area_m2":0.0,"extra":{"x":-0.5}}`, `{"name":"O'Brien \"quoted\" \\ 😀"}`} {
		var v doc
		if err := DecodeJSON(httptest.NewRequest("POST", "/", strings.NewReader(ok)), &v); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}

	form := func(body string) error {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return CheckForm(r)
	}
	for body, field := range map[string]string{"name=a%E2%80%AEb": "name", "display_name=x%00": "display_name", "note=%1B": "note",
		"title=a%0Ab": "title"} {
		if e := errs.As(form(body)); e == nil || e.Code != errs.CodeValidation || e.Fields[field] == "" {
			t.Errorf("form %s: %v, want a 422 naming %s", body, e, field)
		}
	}
	if err := form("name=%E7%A4%BA%E8%8C%83&note=a%0D%0Ab&amount_yuan=12.5"); err != nil {
		t.Errorf("clean form refused: %v", err)
	}
	r := httptest.NewRequest("POST", "/", strings.NewReader("amount_yuan=-0&ratio=-0.00&ok=-1.5&nan=NaN"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	f := errs.Fields{}
	for _, k := range []string{"amount_yuan", "ratio", "ok", "nan"} {
		FormFloat(r, k, f)
	}
	if f["amount_yuan"] == "" || f["ratio"] == "" || f["ok"] != "" || f["nan"] == "" {
		t.Errorf("FormFloat fields %v", f)
	}
	if err := CheckText("unit_name", "x\u202e"); errs.As(err) == nil || errs.As(err).Fields["unit_name"] == "" {
		t.Errorf("CheckText: %v", err)
	}
}
