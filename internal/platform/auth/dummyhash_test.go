package auth

import (
	"strings"
	"testing"
)

// TestDummyHash: the hash an unknown user's sign-in is checked against costs what a real one costs (same
// algorithm and parameters as HashPassword), so the answer's time does not tell whether the name exists.
func TestDummyHash(t *testing.T) {
	made, err := HashPassword("x")
	if err != nil {
		t.Fatal(err)
	}
	params := func(h string) string { p := strings.Split(h, "$"); return strings.Join(p[:4], "$") }
	if params(dummyHash) != params(made) {
		t.Fatalf("dummy hash parameters %q, HashPassword makes %q", params(dummyHash), params(made))
	}
	if !CheckPassword(dummyHash, "govops-dummy-password") || CheckPassword(dummyHash, "x") {
		t.Fatal("the dummy hash is not a valid argon2id hash of its password")
	}
}
