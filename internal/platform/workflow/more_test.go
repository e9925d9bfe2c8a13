package workflow_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/workflow"
)

// TestDelegation checks that a current delegation puts the delegator's waiting runs in the delegate's inbox and
// lets them decide on the delegator's behalf, and that future, past or revoked ones do not.
func TestDelegation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.chain(t, workflow.ChainInput{Type: typeTrip, Steps: []workflow.StepInput{
		userStep("局长审批", workflow.ModeAll, f.users["edu"], f.users["edu2"]),
		userStep("复核", workflow.ModeAny, f.users["songling"]),
	}})
	today := f.env.Clock.Now().In(time.FixedZone("CST", 8*3600))
	day := func(n int) string { return today.AddDate(0, 0, n).Format(time.DateOnly) }

	inst := f.mustSubmit(t, typeTrip, "employee", "松岭县教育局")
	if has(f.inbox(t, "caizheng", "pending"), inst.ID) {
		t.Fatal("caizheng sees the run before any delegation")
	}
	var d workflow.Delegation
	if st := f.client(t, "edu").JSON("POST", "/api/v1/workflow/delegations",
		workflow.DelegationInput{ToUsername: "caizheng", StartDate: day(0), EndDate: day(3), Note: "出差"}, &d); st != 201 || !d.Current {
		t.Fatalf("delegate: %d %+v", st, d)
	}
	// Bad delegations.
	for _, tc := range []struct {
		in     workflow.DelegationInput
		status int
		field  string
	}{
		{workflow.DelegationInput{ToUsername: "edu", StartDate: day(0), EndDate: day(1)}, 422, "to_user_id"},
		{workflow.DelegationInput{ToUsername: "nobody", StartDate: day(0), EndDate: day(1)}, 422, "to_username"},
		{workflow.DelegationInput{ToUsername: "yunxi", StartDate: day(2), EndDate: day(1)}, 422, "end_date"},
		{workflow.DelegationInput{ToUsername: "yunxi", StartDate: "2026/11/16", EndDate: day(1)}, 422, "start_date"},
		{workflow.DelegationInput{ToUsername: "yunxi", StartDate: day(2), EndDate: day(5)}, 409, "start_date"}, // overlaps
	} {
		var eb apptest.ErrorBody
		if st := f.client(t, "edu").JSON("POST", "/api/v1/workflow/delegations", tc.in, &eb); st != tc.status || eb.Error.Fields[tc.field] == "" {
			t.Errorf("delegation %+v: %d %v, want %d naming %s", tc.in, st, eb.Error.Fields, tc.status, tc.field)
		}
	}
	// edu2 delegates from tomorrow: not yet.
	var later workflow.Delegation
	if st := f.client(t, "edu2").JSON("POST", "/api/v1/workflow/delegations",
		workflow.DelegationInput{ToUsername: "yunxi", StartDate: day(1), EndDate: day(1)}, &later); st != 201 || later.Current {
		t.Fatalf("future delegation: %d %+v", st, later)
	}

	if !has(f.inbox(t, "caizheng", "pending"), inst.ID) {
		t.Fatal("the delegate does not see the delegator's waiting run")
	}
	if has(f.inbox(t, "yunxi", "pending"), inst.ID) {
		t.Error("a delegation starting tomorrow already counts")
	}
	if st, _, _ := f.act(t, "yunxi", inst.ID, "approve", ""); st != 404 {
		t.Errorf("future delegate approving: %d, want 404", st)
	}
	st, got, _ := f.act(t, "caizheng", inst.ID, "approve", "代为同意")
	if st != 200 || got.StepNo != 1 {
		t.Fatalf("delegate approves: %d step %d (all-of must still wait for edu2)", st, got.StepNo)
	}
	if has(f.inbox(t, "edu", "pending"), inst.ID) || has(f.inbox(t, "caizheng", "pending"), inst.ID) {
		t.Error("edu's share is still waiting after the delegate decided")
	}
	var ev workflow.Event
	for _, e := range got.History {
		if e.Action == "approve" {
			ev = e
		}
	}
	if ev.Actor != "松岭县财政局管理员" || !strings.Contains(ev.OnBehalf, "松岭县教育局单位管理员") {
		t.Errorf("history does not say on whose behalf: %+v", ev)
	}
	for _, tk := range got.Tasks {
		if tk.UserID == f.users["edu"] && (tk.DecidedByID != f.users["caizheng"] || !tk.Delegated()) {
			t.Errorf("edu's task: %+v", tk)
		}
	}
	if !has(f.inbox(t, "caizheng", "handled"), inst.ID) {
		t.Error("the delegate does not find the run under 我已处理")
	}

	// Tomorrow the second delegation is current.
	f.advance(24 * time.Hour)
	if !has(f.inbox(t, "yunxi", "pending"), inst.ID) {
		t.Fatal("the delegation that starts today does not count")
	}
	// Revoked: gone again.
	if st := f.client(t, "edu2").JSON("POST", fmt.Sprintf("/api/v1/workflow/delegations/%d/revoke", later.ID), nil, nil); st != 200 {
		t.Fatalf("revoke: %d", st)
	}
	if st := f.client(t, "edu2").JSON("POST", fmt.Sprintf("/api/v1/workflow/delegations/%d/revoke", later.ID), nil, nil); st != 409 {
		t.Errorf("revoke twice: %d, want 409", st)
	}
	if st := f.client(t, "yunxi").JSON("POST", fmt.Sprintf("/api/v1/workflow/delegations/%d/revoke", d.ID), nil, nil); st != 404 {
		t.Errorf("revoking someone else's delegation: %d, want 404", st)
	}
	if has(f.inbox(t, "yunxi", "pending"), inst.ID) {
		t.Error("a revoked delegation still counts")
	}
	var list struct{ Items []workflow.Delegation }
	f.client(t, "caizheng").JSON("GET", "/api/v1/workflow/delegations", nil, &list)
	if len(list.Items) != 1 || list.Items[0].FromUserID != f.users["edu"] {
		t.Errorf("caizheng's delegations: %+v", list.Items)
	}
	// After the period the delegate is out.
	f.advance(5 * 24 * time.Hour)
	if st, _ := f.get(t, "caizheng", inst.ID); st != 200 {
		t.Errorf("a past delegate who decided still sees the run: %d", st)
	}
	if st, _, _ := f.act(t, "edu2", inst.ID, "approve", ""); st != 200 {
		t.Fatalf("edu2 approves: %d", st)
	}
}

// TestHookFailureUndoesDecision: when the owning module refuses the outcome, the decision does not happen.
func TestHookFailureUndoesDecision(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.chain(t, workflow.ChainInput{Type: typeFail, Steps: []workflow.StepInput{userStep("审批", workflow.ModeAny, f.users["edu"])}})
	inst := f.mustSubmit(t, typeFail, "employee", "松岭县教育局")
	st, _, eb := f.act(t, "edu", inst.ID, "approve", "")
	if st != 409 || !strings.Contains(eb.Error.Message, "业务单据已被修改") {
		t.Fatalf("approve with a failing hook: %d %s", st, eb.Error.Message)
	}
	_, got := f.get(t, "edu", inst.ID)
	if got.Status != workflow.StatusPending || !got.CanDecide || len(got.History) != 2 {
		t.Errorf("after the failed decision: %s can_decide=%v history=%d", got.Status, got.CanDecide, len(got.History))
	}
	if status, _ := f.objectStatus(t, inst.ObjectID); status != "submitted" {
		t.Errorf("the hook's own write survived: %s", status)
	}
}

// TestChainConfigAPI covers validation, duplicates, editing (runs keep their snapshot) and deletion.
func TestChainConfigAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.client(t, "admin")
	for _, tc := range []struct {
		name  string
		in    workflow.ChainInput
		field string
	}{
		{"unknown type", workflow.ChainInput{Type: "nope", Steps: []workflow.StepInput{roleStep("a", "unit_admin", 0, "any")}}, "type"},
		{"no steps", workflow.ChainInput{Type: typeTrip}, "steps"},
		{"unknown role", workflow.ChainInput{Type: typeTrip, Steps: []workflow.StepInput{roleStep("a", "no_such_role", 0, "any")}}, "steps.0.role"},
		{"bad level", workflow.ChainInput{Type: typeTrip, Steps: []workflow.StepInput{roleStep("a", "unit_admin", -5, "any")}}, "steps.0.up"},
		{"bad mode", workflow.ChainInput{Type: typeTrip, Steps: []workflow.StepInput{roleStep("a", "unit_admin", 0, "most")}}, "steps.0.mode"},
		{"no users", workflow.ChainInput{Type: typeTrip, Steps: []workflow.StepInput{roleStep("a", "unit_admin", 0, "any"), userStep("b", "any")}}, "steps.1.user_ids"},
		{"unknown user", workflow.ChainInput{Type: typeTrip, Steps: []workflow.StepInput{userStep("b", "any", 999999)}}, "steps.0.user_ids"},
		{"bad kind", workflow.ChainInput{Type: typeTrip, Steps: []workflow.StepInput{{Name: "c", Kind: "robot"}}}, "steps.0.kind"},
		{"unknown unit", workflow.ChainInput{Type: typeTrip, OrgID: 999999, Steps: []workflow.StepInput{roleStep("a", "unit_admin", 0, "any")}}, "org_id"},
	} {
		var eb apptest.ErrorBody
		if st := admin.JSON("POST", "/api/v1/workflow/chains", tc.in, &eb); st != 422 || eb.Error.Fields[tc.field] == "" {
			t.Errorf("%s: %d %v, want 422 naming %s", tc.name, st, eb.Error.Fields, tc.field)
		}
	}
	if st := admin.Do("POST", "/api/v1/workflow/chains", "application/json", []byte(`{"type":1}`)).StatusCode; st != 422 {
		t.Errorf("wrong JSON type: %d, want 422", st)
	}
	if st := admin.Do("POST", "/api/v1/workflow/chains", "application/json", []byte(`{"type":`)).StatusCode; st != 400 {
		t.Errorf("malformed JSON: %d, want 400", st)
	}

	id := f.chain(t, workflow.ChainInput{Type: typeTrip, Steps: []workflow.StepInput{roleStep("单位审核", "unit_admin", 0, "any")}})
	var eb apptest.ErrorBody
	if st := admin.JSON("POST", "/api/v1/workflow/chains", workflow.ChainInput{Type: typeTrip, Steps: []workflow.StepInput{roleStep("x", "unit_admin", 0, "any")}}, &eb); st != 409 {
		t.Errorf("second default chain: %d, want 409", st)
	}
	var c workflow.Chain
	admin.JSON("GET", fmt.Sprintf("/api/v1/workflow/chains/%d", id), nil, &c)
	if c.Name != "测试用车申请审批流程" || len(c.Steps) != 1 || c.Steps[0].RoleName != "单位管理员" || c.OrgID != 0 {
		t.Errorf("stored chain: %+v", c)
	}
	inst := f.mustSubmit(t, typeTrip, "employee", "松岭县教育局")

	steps := []workflow.StepInput{userStep("指定审批", "all", f.users["qingshan"]), roleStep("省局", "fleet_manager", -1, "any")}
	if st := admin.JSON("PATCH", fmt.Sprintf("/api/v1/workflow/chains/%d", id), workflow.ChainPatch{Steps: &steps}, &c); st != 200 || len(c.Steps) != 2 || c.Steps[0].Users[0].Username != "qingshan" {
		t.Fatalf("patch: %d %+v", st, c)
	}
	// The run in flight keeps its one step: edu's approval finishes it.
	if st, got, _ := f.act(t, "edu", inst.ID, "approve", ""); st != 200 || got.Status != workflow.StatusApproved || got.StepCount != 1 {
		t.Errorf("run after the chain changed: %d %s %d steps", st, got.Status, got.StepCount)
	}
	next := f.mustSubmit(t, typeTrip, "employee", "松岭县教育局")
	if next.StepCount != 2 || !has(f.inbox(t, "qingshan", "pending"), next.ID) {
		t.Errorf("new run does not use the edited chain: %d steps", next.StepCount)
	}

	var list struct {
		Items []workflow.Chain
		Total int64
	}
	if st := admin.JSON("GET", "/api/v1/workflow/chains?type="+typeTrip, nil, &list); st != 200 || list.Total != 1 {
		t.Errorf("list: %d %d", st, list.Total)
	}
	var types struct{ Items []workflow.TypeInfo }
	seen := map[string]bool{}
	st := f.client(t, "employee").JSON("GET", "/api/v1/workflow/types", nil, &types)
	for _, ty := range types.Items {
		seen[ty.Code] = true
	}
	if st != 200 || !seen[typeTrip] || !seen["test.other"] || !seen["test.fail"] {
		t.Errorf("types (modules add their own; the test's three must be there): %d %+v", st, types.Items)
	}
	for _, path := range []string{"/api/v1/workflow/chains", fmt.Sprintf("/api/v1/workflow/chains/%d", id)} {
		if st := f.client(t, "edu").JSON("GET", path, nil, nil); st != 403 {
			t.Errorf("GET %s as a unit admin: %d, want 403", path, st)
		}
	}
	if st := admin.JSON("DELETE", fmt.Sprintf("/api/v1/workflow/chains/%d", id), nil, nil); st != 204 {
		t.Fatalf("delete: %d", st)
	}
	if st := admin.JSON("GET", fmt.Sprintf("/api/v1/workflow/chains/%d", id), nil, nil); st != 404 {
		t.Errorf("deleted chain: %d, want 404", st)
	}
	// The run in flight goes on without its chain.
	if st, got, _ := f.act(t, "qingshan", next.ID, "approve", ""); st != 200 || got.StepNo != 2 {
		t.Errorf("run after its chain was deleted: %d step %d", st, got.StepNo)
	}
	if _, err := f.submit(t, typeTrip, "employee", "松岭县教育局"); err == nil {
		t.Error("submit after the only chain was deleted succeeded")
	}
}

// TestConcurrentDecisions: approvers deciding the same step at the same moment never lose a decision nor
// advance a run twice — all-of steps complete once everyone approved, any-of steps take exactly one approval.
func TestConcurrentDecisions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.chain(t, workflow.ChainInput{Type: typeTrip, Steps: []workflow.StepInput{
		userStep("会签", workflow.ModeAll, f.users["edu"], f.users["edu2"], f.users["caizheng"]),
		userStep("或签", workflow.ModeAny, f.users["songling"], f.users["qingshan"], f.users["yunxi"]),
		userStep("终审", workflow.ModeAny, f.users["fleet"]),
	}})
	approve := func(logins []string, id int64) []int {
		var wg sync.WaitGroup
		out := make([]int, len(logins))
		for i, l := range logins {
			c := f.client(t, l)
			wg.Add(1)
			go func() {
				defer wg.Done()
				out[i] = c.Do("POST", fmt.Sprintf("/api/v1/workflow/instances/%d/approve", id), "", nil).StatusCode
			}()
		}
		wg.Wait()
		return out
	}
	for round := 0; round < 3; round++ {
		inst := f.mustSubmit(t, typeTrip, "employee", "松岭县教育局")
		if st := approve([]string{"edu", "edu2", "caizheng"}, inst.ID); st[0] != 200 || st[1] != 200 || st[2] != 200 {
			t.Fatalf("round %d all-of: statuses %v, want all 200", round, st)
		}
		_, got := f.get(t, "employee", inst.ID)
		if got.StepNo != 2 {
			t.Fatalf("round %d: after every all-of approval the run is at step %d", round, got.StepNo)
		}
		st := approve([]string{"songling", "qingshan", "yunxi"}, inst.ID)
		ok := 0
		for _, s := range st {
			switch s {
			case 200:
				ok++
			case 403, 409:
			default:
				t.Errorf("round %d any-of: unexpected status %d", round, s)
			}
		}
		_, got = f.get(t, "employee", inst.ID)
		if ok != 1 || got.StepNo != 3 {
			t.Fatalf("round %d any-of: %d approvals went through (%v), run at step %d", round, ok, st, got.StepNo)
		}
		step3 := 0
		for _, tk := range got.Tasks {
			if tk.StepNo == 3 {
				step3++
			}
		}
		if step3 != 1 {
			t.Errorf("round %d: step 3 opened %d times", round, step3)
		}
	}
}
