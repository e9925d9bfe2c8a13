package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/errs"
)

// MaxJSONBody bounds a JSON request body unless a route asks for more.
const MaxJSONBody = 1 << 20

// DecodeJSON reads one JSON value from the body into v. Malformed JSON → 400 bad_request; a value of the wrong
// type, a control character in a text or a negative zero → 422 validation naming the field; a body over limit
// bytes → 413.
func DecodeJSON(r *http.Request, v any) error { return DecodeJSONLimit(r, v, MaxJSONBody) }

// DecodeJSONLimit is DecodeJSON with an explicit size limit.
func DecodeJSONLimit(r *http.Request, v any, limit int64) error {
	if r.Body == nil {
		return errs.BadRequest("请求体为空，应为 JSON")
	}
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		return jsonError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return errs.BadRequest("JSON 之后还有多余内容")
	}
	return checkJSONValues(raw)
}

// Input hygiene, applied once here for every JSON body (DecodeJSON) and every submitted form (CheckForm, run by the
// kit before each handler): no text may hold control characters — C0 (U+0000–U+001F) except tab, line feed and
// carriage return, DEL (U+007F) and C1 (U+0080–U+009F) — nor the bidirectional embedding, override and isolate
// characters (U+202A–U+202E, U+2066–U+2069) that make text display as something it is not. Single-line fields (see
// singleLine) refuse tab and line breaks too. No number may be negative zero ("-0", "-0.0"). Each is a 422 naming
// the field.

// textProblem explains what is wrong with s ("" when nothing).
func textProblem(s string, oneLine bool) string {
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			if oneLine {
				return "不能包含制表符或换行"
			}
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return "不能包含控制字符（U+" + strings.ToUpper(strconv.FormatInt(int64(r), 16)) + "）"
		case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			return "不能包含改变文字方向的控制字符（U+" + strings.ToUpper(strconv.FormatInt(int64(r), 16)) + "）"
		}
	}
	return ""
}

// singleLine reports whether a field holds one line of text: names, titles, user names and codes.
func singleLine(field string) bool {
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		field = field[i+1:]
	}
	switch field {
	case "name", "username", "display_name", "title", "code":
		return true
	}
	return strings.HasSuffix(field, "_name") || strings.HasSuffix(field, "_code")
}

// CheckText is the hygiene rule for one text value of field (for handlers reading input by other means).
func CheckText(field, value string) error {
	if msg := textProblem(value, singleLine(field)); msg != "" {
		return errs.Invalid(field, msg)
	}
	return nil
}

// negativeZero reports whether a JSON number or form value is a zero with a minus sign.
func negativeZero(s string) bool {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "-") {
		return false
	}
	v, err := strconv.ParseFloat(s, 64)
	return err == nil && v == 0
}

// checkJSONValues walks a well-formed JSON document and applies the hygiene rules to every string (keys included)
// and number, naming offending values by their path ("name", "lines.2.name").
func checkJSONValues(raw []byte) error {
	type frame struct {
		obj     bool
		key     string
		wantKey bool
		idx     int
	}
	var stack []frame
	path := func() string {
		parts := make([]string, 0, len(stack))
		for _, f := range stack {
			if f.obj {
				parts = append(parts, f.key)
			} else {
				parts = append(parts, strconv.Itoa(f.idx))
			}
		}
		return strings.Join(parts, ".")
	}
	done := func() { // a value ended: the next token is a key or the next element
		if n := len(stack); n > 0 {
			if stack[n-1].obj {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].idx++
			}
		}
	}
	f := errs.Fields{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			break // io.EOF; the document was decoded already, so nothing else
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, frame{obj: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				done()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].wantKey {
				stack[n-1].key, stack[n-1].wantKey = v, false
				if msg := textProblem(v, true); msg != "" {
					f.Add(path(), "字段名"+msg)
				}
				continue
			}
			p := path()
			if msg := textProblem(v, singleLine(p)); msg != "" {
				f.Add(fieldName(p), msg)
			}
			done()
		case json.Number:
			if negativeZero(string(v)) {
				f.Add(fieldName(path()), "不能为 -0")
			}
			done()
		default:
			done()
		}
	}
	return f.Err()
}

func fieldName(p string) string {
	if p == "" {
		return "body"
	}
	return p
}

// CheckForm applies the hygiene rules to a submitted form (URL-encoded, or multipart once parsed); the kit runs it
// before every handler of a state-changing request.
func CheckForm(r *http.Request) error {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	var vals map[string][]string
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		if err := r.ParseForm(); err != nil {
			return errs.BadRequest("表单无法解析")
		}
		vals = r.PostForm
	case strings.HasPrefix(ct, "multipart/form-data") && r.MultipartForm != nil:
		vals = r.MultipartForm.Value
	default:
		return nil
	}
	f := errs.Fields{}
	for k, vs := range vals {
		if msg := textProblem(k, true); msg != "" {
			f.Add("form", "字段名"+msg)
		}
		for _, v := range vs {
			if msg := textProblem(v, singleLine(k)); msg != "" {
				f.Add(k, msg)
			}
		}
	}
	return f.Err()
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
	switch {
	case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
		f.Add(name, "应为数字")
	case v == 0 && math.Signbit(v):
		f.Add(name, "不能为 -0")
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
