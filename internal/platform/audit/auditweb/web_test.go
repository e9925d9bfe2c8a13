package auditweb_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/auth"
)

// TestReadingTheLogIsAudited (issue 8, item 7): every read of the audit log — API, page, verification — is itself an
// entry, with the filter used and the reader as actor; nobody but the audit administrator reads it.
func TestReadingTheLogIsAudited(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	if _, err := env.App.Auth.CreateUser(ctx, nil, auth.Everything(), auth.UserInput{Username: "auditor", Password: "Kx7#Pass2026",
		Roles: []string{auth.RoleAuditAdmin}, DataScope: auth.ScopeAll}); err != nil {
		t.Fatal(err)
	}
	if st := env.Admin().JSON("GET", "/api/v1/audit", nil, nil); st != 403 {
		t.Fatalf("the system administrator reads the log: %d", st)
	}
	reads := func() int64 {
		return env.Count(t, "SELECT COUNT(*) FROM audit_log WHERE action IN ('audit.read', 'audit.verify') AND actor = 'auditor' AND success = TRUE")
	}
	c := env.API("auditor", "Kx7#Pass2026")
	if st := c.JSON("GET", "/api/v1/audit?action=auth.login&success=false", nil, nil); st != 200 {
		t.Fatal(st)
	}
	if n := reads(); n != 1 {
		t.Fatalf("an API read recorded %d times", n)
	}
	if n := env.Count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'audit.read' AND detail LIKE '%auth.login%'"); n != 1 {
		t.Error("the read's filter is not recorded")
	}
	if st := c.JSON("GET", "/api/v1/audit/verify", nil, nil); st != 200 {
		t.Fatal(st)
	}
	b := env.Browser("auditor", "Kx7#Pass2026")
	if r := b.Get("/audit"); r.StatusCode != 200 {
		t.Fatal(r.StatusCode)
	}
	if r := b.Form("POST", "/audit/verify", url.Values{}); r.StatusCode != 200 {
		t.Fatal(r.StatusCode)
	}
	if n := reads(); n != 5 {
		t.Errorf("%d reads recorded, want 5 (API list, API verify, page, page verify and its list)", n)
	}
}
