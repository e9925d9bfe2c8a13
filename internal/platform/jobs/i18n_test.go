package jobs

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every "jobs.…|默认" key used in this package's Go code and templates has an English text, and the catalogue holds
// no key that nothing uses.
func TestEnglishCatalogueIsComplete(t *testing.T) {
	var en map[string]string
	b, err := os.ReadFile("i18n/en.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &en); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	re := regexp.MustCompile(`"(jobs\.[a-z0-9_.]+)\|`)
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("templates/*.html")
	for _, f := range append(files, more...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(src, -1) {
			used[string(m[1])] = true
		}
	}
	for k := range used {
		if en[k] == "" {
			t.Errorf("no English text for %s", k)
		}
	}
	for k := range en {
		if !used[k] {
			t.Errorf("unused catalogue key %s", k)
		}
	}
}
