package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/errs"
)

// MaxJSONBody bounds a JSON request body unless a route asks for more.
const MaxJSONBody = 1 << 20

// DecodeJSON reads one JSON value from the body into v. Malformed JSON → 400 bad_request; a value of the wrong
// type → 422 validation naming the field; a body over limit bytes → 413.
func DecodeJSON(r *http.Request, v any) error { return DecodeJSONLimit(r, v, MaxJSONBody) }

// DecodeJSONLimit is DecodeJSON with an explicit size limit.
func DecodeJSONLimit(r *http.Request, v any, limit int64) error {
	if r.Body == nil {
		return errs.BadRequest("请求体为空，应为 JSON")
	}
	body := http.MaxBytesReader(nil, r.Body, limit)
	dec := json.NewDecoder(body)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return jsonError(err)
		}
		return errs.BadRequest("JSON 之后还有多余内容")
	}
	return nil
}

func jsonError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.Is(err, io.EOF):
		return errs.BadRequest("请求体为空，应为 JSON")
	case errors.As(err, &mbe):
		return &errs.Error{Code: errs.CodeTooLarge, Message: "请求体过大（上限 " + strconv.FormatInt(mbe.Limit, 10) + " 字节）"}
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return &errs.Error{Code: errs.CodeBadRequest, Message: "JSON 格式错误，无法解析", Err: err}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return &errs.Error{Code: errs.CodeBadRequest, Message: "JSON 结构不符合要求（应为 " + jsonKind(typ.Type.Kind().String()) + "）", Err: err}
		}
		msg := "类型错误，应为" + jsonKind(typ.Type.Kind().String())
		return &errs.Error{Code: errs.CodeValidation, Message: field + "：" + msg, Fields: map[string]string{field: msg}, Err: err}
	}
	return &errs.Error{Code: errs.CodeBadRequest, Message: "JSON 无法解析：" + strings.TrimPrefix(err.Error(), "json: "), Err: err}
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "字符串"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "整数"
	case "float32", "float64":
		return "数字"
	case "bool":
		return "布尔值"
	case "slice", "array":
		return "数组"
	case "struct", "map":
		return "对象"
	}
	return k
}

// PathID parses the {name} path value as a positive integer id; anything else is a 404.
func PathID(r *http.Request, name string) (int64, error) {
	v, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, errs.NotFound("")
	}
	return v, nil
}

// QueryInt reads an optional integer query parameter; a malformed value is a 422 naming it.
func QueryInt(r *http.Request, name string) (int64, error) {
	s := strings.TrimSpace(r.URL.Query().Get(name))
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errs.Invalid(name, "应为整数")
	}
	return v, nil
}

// FormInt reads an optional integer form field; a malformed value is recorded in f.
func FormInt(r *http.Request, name string, f errs.Fields) int64 {
	s := strings.TrimSpace(r.FormValue(name))
	if s == "" {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f.Add(name, "应为整数")
	}
	return v
}

// FormFloat reads an optional decimal form field; a malformed value is recorded in f.
func FormFloat(r *http.Request, name string, f errs.Fields) float64 {
	s := strings.TrimSpace(r.FormValue(name))
	if s == "" {
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		f.Add(name, "应为数字")
	}
	return v
}

// QueryYear reads the year parameter of a list or report: def when it is absent, else a whole year between min and
// max (422 naming "year" otherwise). Modules pass their own bounds: the first statistics year and this year, or the
// last complete year, or a planning horizon.
func QueryYear(r *http.Request, def, min, max int) (int, error) {
	v := strings.TrimSpace(r.URL.Query().Get("year"))
	if v == "" {
		return def, nil
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < min || y > max {
		return 0, errs.Invalid("year", "年份应为 "+strconv.Itoa(min)+"–"+strconv.Itoa(max)+" 的 4 位数字")
	}
	return y, nil
}
