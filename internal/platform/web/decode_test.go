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
