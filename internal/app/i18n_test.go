package app_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/web"
)

// keyRe finds "key|中文默认" strings in templates and Go code.
var keyRe = regexp.MustCompile(`"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)\|([^"]*)"`)

// quotedKeyRe finds any quoted key-shaped string, for the unused-key check.
var quotedKeyRe = regexp.MustCompile(`"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"`)

// bareKeyRe finds {{t "key"}} without an inline default (which shows [[key]] when the catalogue lacks it).
var bareKeyRe = regexp.MustCompile(`\{\{-?\s*t\s+"([^"|]+)"\s*-?\}\}`)

func repoRoot(t *testing.T) string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// TestTranslations checks every UI string key: one Chinese default per key, no bare keys, and an English text in
// the catalogue the running program loads.
func TestTranslations(t *testing.T) {
	root := repoRoot(t)
	defaults := map[string]string{}
	usedBare := map[string]bool{} // keys quoted without a default (e.g. "|"+key built in Go)
	where := map[string]string{}
	var problems []string
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !strings.HasSuffix(path, ".html") && !(strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			k, v := m[1], m[2]
			if prev, ok := defaults[k]; ok && prev != v {
				problems = append(problems, "key "+k+" has two Chinese defaults: "+prev+" ("+where[k]+") and "+v+" ("+rel+")")
				continue
			}
			defaults[k], where[k] = v, rel
		}
		if strings.HasSuffix(path, ".html") {
			for _, m := range bareKeyRe.FindAllStringSubmatch(string(b), -1) {
				problems = append(problems, rel+": {{t \""+m[1]+"\"}} has no inline Chinese default")
			}
		}
		for _, m := range quotedKeyRe.FindAllStringSubmatch(string(b), -1) {
			usedBare[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	env := apptest.New(t)
	var missing []string
	for k := range defaults {
		if !env.App.UI.Catalog.Has(web.LangEN, k) {
			missing = append(missing, k+"|"+defaults[k]+"  ("+where[k]+")")
		}
	}
	sort.Strings(missing)
	for _, p := range problems {
		t.Error(p)
	}
	if len(missing) > 0 {
		t.Errorf("%d keys have no English text (add them to the owning package's i18n/en.json):\n%s", len(missing), strings.Join(missing, "\n"))
	}
	// Every English text belongs to a key that something uses (a catalogue entry nobody uses hides a typo).
	catalogues, _ := filepath.Glob(filepath.Join(root, "internal", "*", "i18n", "en.json"))
	more, _ := filepath.Glob(filepath.Join(root, "internal", "*", "*", "i18n", "en.json"))
	more2, _ := filepath.Glob(filepath.Join(root, "internal", "*", "*", "*", "i18n", "en.json"))
	for _, c := range append(append(catalogues, more...), more2...) {
		b, err := os.ReadFile(c)
		if err != nil {
			t.Fatal(err)
		}
		var en map[string]string
		if err := json.Unmarshal(b, &en); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		rel, _ := filepath.Rel(root, c)
		for k := range en {
			if _, used := defaults[k]; !used && !usedBare[k] {
				t.Errorf("%s: key %s is used nowhere", rel, k)
			}
		}
	}
	if len(defaults) < 50 {
		t.Fatalf("found only %d keys; the extractor is broken", len(defaults))
	}
}
