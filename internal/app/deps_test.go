package app_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyDirection keeps the layering of docs/architecture.md §What may import what: cmd → app → modules → org
// → platform. The kit never imports a module, modules never import the wiring, and nothing but cmd and tests imports
// the wiring.
func TestDependencyDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}|{{join .Deps ","}}`, "github.com/govops/govops/...").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	const mod = "github.com/govops/govops/"
	wiring := []string{mod + "internal/app", mod + "internal/demo", mod + "internal/apptest", mod + "cmd/"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, depList, _ := strings.Cut(line, "|")
		deps := strings.Split(depList, ",")
		has := func(prefix string) string {
			for _, d := range deps {
				if strings.HasPrefix(d, prefix) {
					return d
				}
			}
			return ""
		}
		rel := strings.TrimPrefix(pkg, mod)
		switch {
		case strings.HasPrefix(rel, "internal/platform/"):
			for _, forbidden := range []string{"internal/org", "internal/space", "internal/fleet", "internal/telematics", "internal/energy",
				"internal/assets", "internal/services", "internal/reports", "internal/app", "internal/demo", "cmd/"} {
				if d := has(mod + forbidden); d != "" {
					t.Errorf("kit package %s imports %s", rel, strings.TrimPrefix(d, mod))
				}
			}
		case rel == "internal/app" || rel == "internal/demo" || rel == "internal/apptest" || strings.HasPrefix(rel, "cmd/") || rel == "internal/browsertest":
		default:
			for _, w := range wiring {
				if d := has(w); d != "" {
					t.Errorf("module %s imports the wiring package %s", rel, strings.TrimPrefix(d, mod))
				}
			}
		}
	}
}
