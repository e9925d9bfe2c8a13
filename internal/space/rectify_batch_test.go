package space_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
)

// TestBatchRectifyAndNotice: the bureau ticks several open findings on /space/violations and issues their tasks at
// once with one 整改要求 and deadline (all or none); the task shows the issuer's name, and prints as a 整改通知书.
func TestBatchRectifyAndNotice(t *testing.T) {
	env := newEnv(t)
	sp := env.Browser("space", demoPassword)
	free := func() []int64 {
		var out []int64
		rows, err := env.App.DB.Query(t.Context(), `SELECT v.id FROM space_violations v WHERE v.status = 'open' AND v.room_id <> 0
			AND NOT EXISTS (SELECT 1 FROM space_rectifications t WHERE t.violation_id = v.id AND t.status IN ('open', 'submitted')) ORDER BY v.id LIMIT 2`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out = append(out, id)
		}
		return out
	}
	wantPage(t, sp.Get("/space/violations"), 200, "批量下达整改", `form="batch-rectify"`)
	wantPage(t, env.Browser("supervisor", demoPassword).Get("/space/violations"), 200)
	if r := env.Browser("supervisor", demoPassword).Get("/space/violations"); strings.Contains(r.Body, "下达所选整改") || strings.Contains(r.Body, `form="batch-rectify"`) {
		t.Errorf("the read-only supervisor is offered batch rectification")
	}
	pick := free()
	if len(pick) < 2 {
		t.Fatalf("the demo has %d open findings without a task, want 2", len(pick))
	}
	before := count(t, env, "SELECT COUNT(*) FROM space_rectifications")
	r := sp.Form("POST", "/space/rectifications/batch", url.Values{"violation_id": {itoa(pick[0]), itoa(pick[1])}, "requirement": {"立即按标准调整，十日内报送"}})
	if r.StatusCode != 303 {
		t.Fatalf("batch: %d %s", r.StatusCode, snippet(r.Body))
	}
	if n := count(t, env, "SELECT COUNT(*) FROM space_rectifications WHERE requirement = '立即按标准调整，十日内报送' AND created_by = 'space'"); n != 2 {
		t.Errorf("batch created %d tasks with the requirement, want 2", n)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM audit_log WHERE action = 'space.rectification.create'"); n < 2 {
		t.Errorf("batch audited %d times", n)
	}
	// All or none: one of them already has a task, so nothing is issued.
	rest := free()
	if len(rest) > 0 {
		sp.Form("POST", "/space/rectifications/batch", url.Values{"violation_id": {itoa(rest[0]), itoa(pick[0])}})
		if n := count(t, env, "SELECT COUNT(*) FROM space_rectifications"); n != before+2 {
			t.Errorf("a refused batch issued tasks: %d, want %d", n, before+2)
		}
	}
	admin := env.Admin()
	var e apptest.ErrorBody
	if st := admin.JSON("POST", "/api/v1/space/rectifications/batch", map[string]any{"violation_ids": []int64{}}, &e); st != 422 || e.Error.Fields["violation_ids"] == "" {
		t.Errorf("empty batch: %d %+v", st, e)
	}
	if st := env.Browser("edu", demoPassword).Form("POST", "/space/rectifications/batch", url.Values{"violation_id": {itoa(pick[0])}}); st.StatusCode != 403 {
		t.Errorf("a unit administrator issued rectification: %d", st.StatusCode)
	}

	// The task shows the issuer's display name; the notice quotes the finding, the rule, the requirement.
	task := id64(t, env, "SELECT id FROM space_rectifications WHERE violation_id = ? AND status = 'open'", pick[0])
	var display string
	if err := env.App.DB.QueryRow(t.Context(), "SELECT display_name FROM users WHERE username = 'space'").Scan(&display); err != nil {
		t.Fatal(err)
	}
	wantPage(t, sp.Get("/space/rectifications/"+itoa(task)), 200, display, "整改通知书", "立即按标准调整")
	wantPage(t, sp.Get("/space/rectifications/"+itoa(task)+"/notice"), 200, "办公用房整改通知书", "立即按标准调整，十日内报送", "《党政机关办公用房管理办法》",
		display, "签收人", "盖章", "GovOps 版式", `data-print`)
	// The print script is the web kit's, on every page (docs/printing.md).
	if js := sp.Get("/static/print.js"); js.StatusCode != 200 || !strings.Contains(js.Body, "window.print()") {
		t.Errorf("print.js: %d", js.StatusCode)
	}
}
