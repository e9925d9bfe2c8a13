package app_test

import (
	"testing"

	"github.com/govops/govops/internal/apptest"
)

// TestTemplatesParse parses every page of every module in both languages. Pages are parsed on their first render
// (a process holds only the sets it uses), so a broken template would otherwise surface only when someone opens it.
func TestTemplatesParse(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	if n := len(env.App.UI.Pages()); n < 50 {
		t.Fatalf("only %d pages registered", n)
	}
	if err := env.App.UI.ParseAll(); err != nil {
		t.Fatal(err)
	}
}
