package app_test

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const mod = "github.com/govops/govops/"

// layer names the place of a package in the house (docs/architecture.md §What may import what).
func layer(rel string) (kind, root string) {
	switch {
	case strings.HasPrefix(rel, "internal/platform/"):
		return "kit", ""
	case rel == "internal/org" || strings.HasPrefix(rel, "internal/org/"):
		return "spine", "internal/org"
	case rel == "internal/app", rel == "internal/demo", rel == "internal/apptest", rel == "internal/browsertest", strings.HasPrefix(rel, "cmd/"):
		return "wiring", ""
	case strings.HasPrefix(rel, "internal/"):
		parts := strings.SplitN(rel, "/", 3)
		return "module", parts[0] + "/" + parts[1]
	}
	return "other", ""
}

// TestDependencyDirection keeps the layering: cmd → app → modules → org → platform.
//   - The kit (internal/platform/...) knows no business: it imports neither org nor any module.
//   - The spine (internal/org) imports only the kit.
//   - A module imports the kit, the spine and its own packages (internal/energy/quota may import internal/energy),
//     never another module: a module that reads another declares a small interface, and the wiring passes the
//     other module in (energy reads office space's buildings through energy.Buildings).
//   - Nothing imports internal/app or cmd but cmd and the test harness (internal/apptest).
func TestDependencyDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}|{{join .Imports ","}}`, mod+"...").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, list, _ := strings.Cut(line, "|")
		rel := strings.TrimPrefix(pkg, mod)
		for _, d := range strings.Split(list, ",") {
			if strings.HasPrefix(d, mod) {
				imports[rel] = append(imports[rel], strings.TrimPrefix(d, mod))
			}
		}
	}
	var bad []string
	for pkg, deps := range imports {
		kind, root := layer(pkg)
		for _, d := range deps {
			dkind, droot := layer(d)
			if (d == "internal/app" || strings.HasPrefix(d, "cmd/")) && !strings.HasPrefix(pkg, "cmd/") && pkg != "internal/apptest" {
				bad = append(bad, pkg+" imports the wiring package "+d)
				continue
			}
			switch kind {
			case "kit":
				if dkind != "kit" {
					bad = append(bad, "kit package "+pkg+" imports "+d+" (the kit knows no business)")
				}
			case "spine":
				if dkind != "kit" && droot != root {
					bad = append(bad, "the spine "+pkg+" imports "+d+" (org stands only on the kit)")
				}
			case "module":
				if dkind == "wiring" || (dkind == "module" && droot != root) {
					bad = append(bad, "module "+pkg+" imports "+d+" (declare a read interface and let the wiring pass the module in)")
				}
			}
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Error(b)
	}
	if len(imports) < 20 {
		t.Fatalf("go list found only %d packages: the test is not looking at the repository", len(imports))
	}
}

// TestLayerRules checks the classification the dependency test relies on, so that a renamed folder cannot make
// it look at nothing.
func TestLayerRules(t *testing.T) {
	for _, c := range []struct{ pkg, kind, root string }{
		{"internal/platform/auth", "kit", ""}, {"internal/platform/module", "kit", ""}, {"internal/org", "spine", "internal/org"},
		{"internal/space", "module", "internal/space"}, {"internal/energy/quota", "module", "internal/energy"},
		{"internal/app", "wiring", ""}, {"internal/apptest", "wiring", ""}, {"cmd/govops", "wiring", ""},
	} {
		if k, r := layer(c.pkg); k != c.kind || r != c.root {
			t.Errorf("layer(%s) = %s %s, want %s %s", c.pkg, k, r, c.kind, c.root)
		}
	}
}
