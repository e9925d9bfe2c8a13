package app_test

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
)

// The project documents itself in docs/. These tests keep it that way: the API route index is generated from the
// OpenAPI document, citations in the code point into docs/ (never to documents outside the repository), and every
// cited section exists.

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/api-routes.md from the OpenAPI document")

// repoDir is the repository root, two levels above this package.
const repoDir = "../.."

// TestAPIRouteIndex renders the route index docs/api-routes.md from GET /api/v1/openapi.json and fails when the
// committed file differs. After adding or changing an API route run
//
//	go test ./internal/app -run TestAPIRouteIndex -update-docs
func TestAPIRouteIndex(t *testing.T) {
	env := apptest.New(t)
	r := env.Anonymous().Get("/api/v1/openapi.json")
	if r.StatusCode != 200 {
		t.Fatalf("openapi.json: %d", r.StatusCode)
	}
	got, err := renderRouteIndex([]byte(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(repoDir, "docs", "api-routes.md")
	if *updateDocs {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (generate it with: go test ./internal/app -run TestAPIRouteIndex -update-docs)", err)
	}
	if string(want) != got {
		t.Errorf("docs/api-routes.md is stale: the API routes changed. Regenerate it with\n\tgo test ./internal/app -run TestAPIRouteIndex -update-docs\nfirst difference: %s",
			firstDiff(string(want), got))
	}
}

// openapiDoc is the part of the OpenAPI document the index shows.
type openapiDoc struct {
	Paths map[string]map[string]struct {
		Summary     string   `json:"summary"`
		Tags        []string `json:"tags"`
		Permission  string   `json:"x-permission"`
		Security    []any    `json:"security"`
		RequestBody *struct {
			Content map[string]struct {
				Schema schemaRef `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
		Responses map[string]struct {
			Content map[string]struct {
				Schema schemaRef `json:"schema"`
			} `json:"content"`
		} `json:"responses"`
	} `json:"paths"`
}

type schemaRef struct {
	Ref        string `json:"$ref"`
	Type       string `json:"type"`
	Properties struct {
		Items struct {
			Items *schemaRef `json:"items"`
		} `json:"items"`
	} `json:"properties"`
	Items *schemaRef `json:"items"`
}

// name is how the index shows a schema: a component name, "[Name]" for a {"items","total"} list, "[]Name" for an
// array.
func (s schemaRef) name() string {
	switch {
	case s.Ref != "":
		return strings.TrimPrefix(s.Ref, "#/components/schemas/")
	case s.Properties.Items.Items != nil:
		return "{items: [" + s.Properties.Items.Items.name() + "], total}"
	case s.Type == "array" && s.Items != nil:
		return "[" + s.Items.name() + "]"
	case s.Type != "":
		return s.Type
	}
	return "JSON"
}

var methodOrder = map[string]int{"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}

func renderRouteIndex(raw []byte) (string, error) {
	var doc openapiDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return "", err
	}
	type row struct{ tag, path, method, line string }
	var rows []row
	for path, ops := range doc.Paths {
		for method, op := range ops {
			perm := op.Permission
			switch {
			case op.Security == nil:
				perm = "public"
			case perm == "*":
				perm = "signed in"
			}
			body := ""
			if op.RequestBody != nil {
				var cts []string
				for ct, c := range op.RequestBody.Content {
					cts = append(cts, c.Schema.name()+map[bool]string{true: "", false: " (" + ct + ")"}[ct == "application/json"])
				}
				sort.Strings(cts)
				body = strings.Join(cts, ", ")
			}
			var answers []string
			for status, resp := range op.Responses {
				if status == "default" {
					continue
				}
				var cts []string
				for ct, c := range resp.Content {
					if ct == "application/json" {
						cts = append(cts, c.Schema.name())
					} else {
						cts = append(cts, ct)
					}
				}
				sort.Strings(cts)
				answers = append(answers, strings.TrimSpace(status+" "+strings.Join(cts, " / ")))
			}
			sort.Strings(answers)
			tag := "other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			cell := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }
			rows = append(rows, row{tag, path, method, fmt.Sprintf("| %s | `%s` | %s | `%s` | %s | %s |",
				strings.ToUpper(method), path, cell(op.Summary), perm, cell(body), cell(strings.Join(answers, ", ")))})
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.tag != b.tag {
			return a.tag < b.tag
		}
		if a.path != b.path {
			return a.path < b.path
		}
		return methodOrder[a.method] < methodOrder[b.method]
	})
	var b strings.Builder
	b.WriteString("# API route index · 接口索引\n\n")
	b.WriteString("<!-- Generated from GET /api/v1/openapi.json by TestAPIRouteIndex (internal/app/docs_test.go). Do not edit:\n")
	b.WriteString("     go test ./internal/app -run TestAPIRouteIndex -update-docs -->\n\n")
	fmt.Fprintf(&b, "Every JSON route of this version (%d), grouped by the first path segment after `/api/v1/` (the OpenAPI tag). ", len(rows))
	b.WriteString("Conventions (sign-in, errors, lists, dates, money, data scope) and the stable contract are in [api.md](api.md); ")
	b.WriteString("field-level schemas are in the OpenAPI document itself (`GET /api/v1/openapi.json`).\n\n")
	b.WriteString("Permission: the `resource:action` right the route checks (`public`: no sign-in; `signed in`: any user). ")
	b.WriteString("Body and answer name the schema in `components.schemas`; `{items: [X], total}` is a list answer.\n")
	tag := ""
	for _, r := range rows {
		if r.tag != tag {
			tag = r.tag
			fmt.Fprintf(&b, "\n## %s\n\n| Method | Path | Summary | Permission | Body | Answer |\n|---|---|---|---|---|---|\n", tag)
		}
		b.WriteString(r.line + "\n")
	}
	return b.String(), nil
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d\n\thave: %s\n\twant: %s", i+1, x, y)
		}
	}
	return "(none)"
}

// trackedFiles lists the repository's files: git's index when git is there, else a walk of the tree.
func trackedFiles(t *testing.T) []string {
	t.Helper()
	if out, err := exec.Command("git", "-C", repoDir, "ls-files", "-z").Output(); err == nil && len(out) > 0 {
		var files []string
		for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
			if _, err := os.Stat(filepath.Join(repoDir, f)); err == nil { // skip deletions not yet committed
				files = append(files, f)
			}
		}
		return files
	}
	var files []string
	err := filepath.WalkDir(repoDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(repoDir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// textFile reports whether a tracked file is text worth scanning (not vendored, not data tables, not binary).
func textFile(name string) bool {
	switch filepath.Ext(name) {
	case ".go", ".md", ".html", ".sql", ".csv", ".json", ".js", ".css", ".txt", ".sh", ".yml", ".yaml", "":
	default:
		return false
	}
	return !strings.Contains(name, "/vendor/") && !strings.Contains(name, "/holiday-cn/") && !strings.Contains(name, "/admin-divisions-cn/")
}

// outsideRef matches a reference to a document that lives beside the repository rather than in it. The names are
// assembled so that this file does not match itself.
var outsideRef = regexp.MustCompile(`\.\./shared|/work` + `/shared|\bshared/(design|domain|data)\b|\b(` + strings.Join([]string{
	"API", "FACTS", "FACTS-OPERATIONS", "ARCHITECTURE", "CONVENTIONS", "PROTOCOLS", "PEERS", "SOURCES"}, "|") + `)\.md\b`)

// TestNoCitationsOutsideRepository: someone who clones GovOps has only the repository, so code, templates, SQL,
// data files and the top-level pages cite docs/ and nothing beside it.
func TestNoCitationsOutsideRepository(t *testing.T) {
	n := 0
	for _, f := range trackedFiles(t) {
		if strings.HasPrefix(f, "docs/") || !textFile(f) {
			continue
		}
		n++
		forEachLine(t, f, func(no int, line string) {
			if m := outsideRef.FindString(line); m != "" {
				t.Errorf("%s:%d cites %q, which is not in the repository: cite the page under docs/ instead", f, no, m)
			}
		})
	}
	if n < 100 {
		t.Fatalf("only %d files scanned", n)
	}
}

// docCite matches "docs/<page>.md" and, when present, the "§Section" after it.
var docCite = regexp.MustCompile(`(?:^|[^A-Za-z0-9_/.-])docs/([A-Za-z0-9_/.-]+\.md)(?:\s*§\s*([^\n]*))?`)

// TestDocCitationsResolve: every citation of a page under docs/ (with or without a "§Section") names a page that
// exists and, with a section, a heading that page has. A section is cited by the start of its heading: the text before " · " (the Chinese name) when
// there is one, else the whole heading.
func TestDocCitationsResolve(t *testing.T) {
	headings := map[string][]string{} // page → heading keys
	load := func(page string) ([]string, bool) {
		if h, ok := headings[page]; ok {
			return h, true
		}
		if _, err := os.Stat(filepath.Join(repoDir, "docs", page)); err != nil {
			return nil, false
		}
		var keys []string
		forEachLine(t, "docs/"+page, func(_ int, line string) {
			if !strings.HasPrefix(line, "#") {
				return
			}
			h := strings.TrimSpace(strings.TrimLeft(line, "#"))
			key, _, _ := strings.Cut(h, " · ")
			keys = append(keys, key, h)
		})
		headings[page] = keys
		return keys, true
	}
	cites := 0
	for _, f := range trackedFiles(t) {
		if !textFile(f) {
			continue
		}
		forEachLine(t, f, func(no int, line string) {
			for _, m := range docCite.FindAllStringSubmatch(line, -1) {
				page, section := m[1], strings.TrimSpace(m[2])
				keys, ok := load(page)
				if !ok {
					t.Errorf("%s:%d cites docs/%s, which does not exist", f, no, page)
					continue
				}
				cites++
				if section == "" {
					continue
				}
				found := false
				for _, k := range keys {
					if strings.HasPrefix(section, k) {
						found = true
						break
					}
				}
				if !found {
					t.Errorf("%s:%d cites docs/%s §%s, but that page has no such heading", f, no, page, section)
				}
			}
		})
	}
	if cites < 40 {
		t.Errorf("only %d citations of docs/ found; the code is expected to cite its documents", cites)
	}
}

func forEachLine(t *testing.T, name string, fn func(no int, line string)) {
	t.Helper()
	f, err := os.Open(filepath.Join(repoDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 4<<20)
	no := 0
	for sc.Scan() {
		no++
		fn(no, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
