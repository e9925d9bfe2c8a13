package web

import (
	"net/http"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Doc documents an API route for the OpenAPI document.
type Doc struct {
	Summary  string
	Body     any     // a value of the request body type (nil: none)
	Response any     // a value of the success response type (nil: none)
	List     bool    // the response is {"items":[Response…],"total":N}
	Cursor   bool    // a List that counts up to CountCap and pages by cursor: total_capped, next and after=
	Status   int     // success status (default 200)
	Query    []Param // query parameters
	Binary   string  // response content type for non-JSON answers (e.g. an .xlsx)
}

// Param is a documented query parameter.
type Param struct {
	Name, Type, Help string
	Required         bool
}

var pathParam = regexp.MustCompile(`\{([a-zA-Z_]+)(\.\.\.)?\}`)

// OpenAPI builds the OpenAPI 3.1 document of every API route.
func (u *UI) OpenAPI() map[string]any {
	gen := &schemaGen{types: map[reflect.Type]map[string]any{}, refs: map[reflect.Type][]map[string]any{}}
	paths := map[string]map[string]any{}
	for _, rt := range u.routes {
		if !rt.API {
			continue
		}
		p := pathParam.ReplaceAllString(rt.Path, "{$1}")
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		op := map[string]any{"summary": rt.Doc.Summary, "operationId": strings.ToLower(rt.Method) + opName(p)}
		segs := strings.Split(strings.TrimPrefix(p, "/api/v1/"), "/")
		op["tags"] = []string{segs[0]}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.Doc.Query {
			t := q.Type
			if t == "" {
				t = "string"
			}
			params = append(params, map[string]any{"name": q.Name, "in": "query", "required": q.Required, "description": q.Help, "schema": map[string]any{"type": t}})
		}
		if rt.Doc.List {
			for _, q := range []Param{{"page", "integer", "页码，从 1 开始", false}, {"page_size", "integer", "每页条数，≤ 500", false}, {"q", "string", "搜索词", false}} {
				params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Help, "schema": map[string]any{"type": q.Type}})
			}
			if rt.Doc.Cursor {
				params = append(params, map[string]any{"name": "after", "in": "query", "description": "上一页答复中的 next：从其后一条起（不与 page 同用）", "schema": map[string]any{"type": "string"}})
			}
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.Doc.Body != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": gen.schema(reflect.TypeOf(rt.Doc.Body))}}}
		}
		status := rt.Doc.Status
		if status == 0 {
			status = 200
		}
		resp := map[string]any{"description": http.StatusText(status)}
		switch {
		case rt.Doc.Binary != "":
			resp["content"] = map[string]any{rt.Doc.Binary: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
		case rt.Doc.Response != nil:
			s := gen.schema(reflect.TypeOf(rt.Doc.Response))
			if rt.Doc.List {
				props := map[string]any{"items": map[string]any{"type": "array", "items": s}, "total": map[string]any{"type": "integer"}}
				if rt.Doc.Cursor {
					props["total"] = map[string]any{"type": "integer", "description": "总条数；超过 " + strconv.Itoa(CountCap) + " 条时为 " + strconv.Itoa(CountCap) + "，并有 total_capped"}
					props["total_capped"] = map[string]any{"type": "boolean", "description": "true：条数超过 total"}
					props["next"] = map[string]any{"type": "string", "description": "下一页的 after 参数；最后一页没有"}
				}
				s = map[string]any{"type": "object", "required": []string{"items", "total"}, "properties": props}
			}
			resp["content"] = map[string]any{"application/json": map[string]any{"schema": s}}
		}
		responses := map[string]any{strconv.Itoa(status): resp,
			"default": map[string]any{"description": "错误", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}}
		op["responses"] = responses
		if !rt.Public {
			op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"cookie": []string{}}}
			op["x-permission"] = rt.Perm
		}
		paths[p][strings.ToLower(rt.Method)] = op
	}
	components := gen.components()
	components["Error"] = map[string]any{"type": "object", "properties": map[string]any{"error": map[string]any{
		"type": "object", "required": []string{"code", "message"}, "properties": map[string]any{
			"code":    map[string]any{"type": "string", "enum": []string{"bad_request", "unauthenticated", "forbidden", "password_change_required", "not_found", "conflict", "validation", "locked", "rate_limited", "too_large", "internal"}},
			"message": map[string]any{"type": "string"},
			"fields":  map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
		}}}}
	ps := map[string]any{}
	for k, v := range paths {
		ps[k] = v
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "GovOps 机关事务一体化管理平台 API", "version": u.Version,
			"description": "JSON API；错误格式 {\"error\":{\"code\",\"message\",\"fields\"}}；列表 {\"items\",\"total\"}。"},
		"paths": ps,
		"components": map[string]any{"schemas": components, "securitySchemes": map[string]any{
			"bearer": map[string]any{"type": "http", "scheme": "bearer"},
			"cookie": map[string]any{"type": "apiKey", "in": "cookie", "name": "govops_session"},
		}},
	}
}

func opName(p string) string {
	var b strings.Builder
	for _, s := range strings.Split(strings.TrimPrefix(p, "/api/v1/"), "/") {
		s = strings.Trim(s, "{}")
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' }) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

// schemaGen collects the schema of every named struct type the documented routes use. A type is named by its Go
// name ("Org") when no other documented type has that name, else by its package and name ("emc.Input", "pv.Input"),
// so two modules' types of the same name never share one schema.
type schemaGen struct {
	types map[reflect.Type]map[string]any   // schema of each named struct type
	refs  map[reflect.Type][]map[string]any // the $ref objects that point to it, named when the document is complete
}

// components names the collected types and fills in the references to them.
func (g *schemaGen) components() map[string]any {
	byName := map[string]int{}
	for t := range g.types {
		byName[t.Name()]++
	}
	out := map[string]any{}
	for t, s := range g.types {
		name := t.Name()
		if byName[name] > 1 {
			name = path.Base(t.PkgPath()) + "." + name
		}
		out[name] = s
		for _, ref := range g.refs[t] {
			ref["$ref"] = "#/components/schemas/" + name
		}
	}
	return out
}

var timeType = reflect.TypeOf(time.Time{})

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		if t.Name() != "" {
			if _, ok := g.types[t]; !ok {
				g.types[t] = map[string]any{} // placeholder against recursion
				g.types[t] = g.object(t)
			}
			ref := map[string]any{}
			g.refs[t] = append(g.refs[t], ref)
			return ref
		}
		return g.object(t)
	}
	return map[string]any{}
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" {
				ft := f.Type
				for ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
					continue
				}
			}
			if name == "" {
				name = f.Name
			}
			s := g.schema(f.Type)
			if d := f.Tag.Get("doc"); d != "" {
				s = map[string]any{"allOf": []any{s}, "description": d}
			}
			props[name] = s
			if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer {
				required = append(required, name)
			}
		}
	}
	walk(t)
	sort.Strings(required)
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

// ServeOpenAPI is the handler of GET /api/v1/openapi.json.
func (u *UI) ServeOpenAPI(w http.ResponseWriter, r *http.Request) error {
	return JSON(w, http.StatusOK, u.OpenAPI())
}
