package workflow_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/workflow"
)

// TestApprovalUpTheTree drives a three-step chain — the requester's unit, its parent, then any ancestor's fleet
// manager — from submit to approval, checking at each step who has it in their inbox and who does not.
func TestApprovalUpTheTree(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.chain(t, workflow.ChainInput{Type: typeTrip, Name: "用车三级审批", Steps: []workflow.StepInput{
		roleStep("单位审核", "unit_admin", 0, workflow.ModeAny),
		roleStep("县局审核", "unit_admin", 1, workflow.ModeAny),
		roleStep("省局审批", "fleet_manager", workflow.UpAny, workflow.ModeAny),
	}})
	var notices []string
	f.wf.Notify = func(ctx context.Context, q dbQ, n workflow.Notice) error {
		var who []string
		for _, id := range n.UserIDs {
			for login, uid := range f.users {
				if uid == id {
					who = append(who, login)
				}
			}
		}
		sort.Strings(who)
		notices = append(notices, n.Kind+":"+strings.Join(who, ","))
		return nil
	}
	inst := f.mustSubmit(t, typeTrip, "employee", "松岭县教育局")
	if inst.Status != workflow.StatusPending || inst.StepNo != 1 || inst.StepCount != 3 || inst.Link != "/test/trips/"+itoa(inst.ObjectID) {
		t.Fatalf("submitted: %+v", inst)
	}

	// Step 1: both unit admins of 松岭县教育局 (any-of); not the same role in a sibling unit or another county.
	for login, want := range map[string]bool{"edu": true, "edu2": true, "caizheng": false, "yunxi": false, "songling": false, "qingshan": false, "fleet": false, "employee": false} {
		if got := has(f.inbox(t, login, "pending"), inst.ID); got != want {
			t.Errorf("step 1: %s has it waiting = %v, want %v", login, got, want)
		}
	}
	if n, err := f.wf.PendingCount(context.Background(), &auth.User{ID: f.users["edu"]}); err != nil || n != 1 {
		t.Errorf("PendingCount(edu) = %d, %v", n, err)
	}
	if !has(f.inbox(t, "employee", "mine"), inst.ID) {
		t.Error("the requester does not find the request under 我发起的")
	}

	// Outsiders do not even see it; the requester sees it but may not decide it.
	for _, login := range []string{"yunxi", "caizheng", "songling"} {
		if st, _ := f.get(t, login, inst.ID); st != 404 {
			t.Errorf("GET by %s: %d, want 404", login, st)
		}
		if st, _, _ := f.act(t, login, inst.ID, "approve", ""); st != 404 {
			t.Errorf("approve by %s: %d, want 404", login, st)
		}
	}
	if st, got := f.get(t, "employee", inst.ID); st != 200 || got.CanDecide || !got.CanWithdraw {
		t.Errorf("requester's view: %d can_decide=%v can_withdraw=%v", st, got.CanDecide, got.CanWithdraw)
	}
	// A workflow administrator whose scope covers the unit may look, not decide.
	if st, got := f.get(t, "admin", inst.ID); st != 200 || got.CanDecide {
		t.Errorf("admin's view: %d can_decide=%v", st, got.CanDecide)
	}
	if st, _, _ := f.act(t, "admin", inst.ID, "approve", ""); st != 403 {
		t.Errorf("admin approving: %d, want 403", st)
	}
	if st, _, eb := f.act(t, "employee", inst.ID, "approve", ""); st != 403 {
		t.Errorf("requester approving own request: %d %s, want 403", st, eb.Error.Message)
	}

	st, got, _ := f.act(t, "edu", inst.ID, "approve", "同意用车")
	if st != 200 || got.StepNo != 2 || got.Status != workflow.StatusPending {
		t.Fatalf("edu approves: %d step %d %s", st, got.StepNo, got.Status)
	}
	// Any-of: edu2's share is no longer needed.
	if has(f.inbox(t, "edu2", "pending"), inst.ID) || has(f.inbox(t, "edu", "pending"), inst.ID) {
		t.Error("step 1 is still waiting at 松岭县教育局 after one approval")
	}
	if st, _, _ := f.act(t, "edu2", inst.ID, "approve", ""); st != 403 {
		t.Errorf("edu2 approving a finished step: %d, want 403", st)
	}

	// Step 2: the parent unit's admin only.
	for login, want := range map[string]bool{"songling": true, "qingshan": false, "yunxi": false, "edu": false} {
		if got := has(f.inbox(t, login, "pending"), inst.ID); got != want {
			t.Errorf("step 2: %s has it waiting = %v, want %v", login, got, want)
		}
	}
	if st, _, _ := f.act(t, "songling", inst.ID, "approve", ""); st != 200 {
		t.Fatalf("songling approves: %d", st)
	}
	// Step 3: the fleet manager at the province (an ancestor).
	if !has(f.inbox(t, "fleet", "pending"), inst.ID) {
		t.Fatal("the provincial fleet manager does not have step 3")
	}
	if status, _ := f.objectStatus(t, inst.ObjectID); status != "submitted" {
		t.Errorf("the module heard of an outcome too early: %s", status)
	}
	st, got, _ = f.act(t, "fleet", inst.ID, "approve", "")
	if st != 200 || got.Status != workflow.StatusApproved || got.FinishedAt.IsZero() {
		t.Fatalf("fleet approves: %d %s", st, got.Status)
	}
	if status, n := f.objectStatus(t, inst.ObjectID); status != workflow.StatusApproved || n != 1 {
		t.Errorf("hook: object status %q after %d calls, want approved once", status, n)
	}

	if got := strings.Join(notices, " "); got != "waiting:edu,edu2 waiting:songling waiting:fleet finished:employee" {
		t.Errorf("notices %q", got)
	}

	// Wrong state: nothing more to decide or withdraw.
	for _, a := range []string{"approve", "reject", "withdraw"} {
		login := "fleet"
		if a == "withdraw" {
			login = "employee"
		}
		st, _, eb := f.act(t, login, inst.ID, a, "再来一次")
		if st != 409 || eb.Error.Code != "conflict" {
			t.Errorf("%s after approval: %d %s, want 409", a, st, eb.Error.Code)
		}
	}
	// Comments stay open to participants.
	if st, _, _ := f.act(t, "employee", inst.ID, "comment", "谢谢"); st != 200 {
		t.Errorf("comment after approval: %d", st)
	}

	for _, login := range []string{"edu", "songling", "fleet"} {
		if !has(f.inbox(t, login, "handled"), inst.ID) {
			t.Errorf("%s does not find it under 我已处理", login)
		}
	}
	if has(f.inbox(t, "edu2", "handled"), inst.ID) {
		t.Error("edu2 never decided but finds it under 我已处理")
	}

	_, full := f.get(t, "employee", inst.ID)
	var actions []string
	for _, e := range full.History {
		actions = append(actions, e.Action)
	}
	want := "submit advance approve advance approve advance approve complete comment"
	if strings.Join(actions, " ") != want {
		t.Errorf("history %q, want %q", strings.Join(actions, " "), want)
	}
	if full.History[2].Comment != "同意用车" || full.History[2].StepNo != 1 {
		t.Errorf("approval event: %+v", full.History[2])
	}
	var tasks []string
	for _, tk := range full.Tasks {
		tasks = append(tasks, itoa(int64(tk.StepNo))+":"+tk.Status)
	}
	if strings.Join(tasks, " ") != "1:approved 1:skipped 2:approved 3:approved" {
		t.Errorf("tasks %v", tasks)
	}

	var n int64
	if err := f.env.App.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE object_type = 'workflow_instance' AND object_id = ?", itoa(inst.ID)).Scan(&n); err != nil || n != 5 {
		t.Errorf("audit entries for the run: %d, %v (want submit + 3 approvals + comment)", n, err)
	}
}

// TestAllOf checks that an all-of step waits for every approver and an any-of role step over all ancestors
// takes the first one.
func TestAllOf(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.chain(t, workflow.ChainInput{Type: typeTrip, OrgID: f.orgs["松岭县教育局"], Name: "会签", Steps: []workflow.StepInput{
		userStep("两位管理员会签", workflow.ModeAll, f.users["edu"], f.users["edu2"]),
		roleStep("任一上级管理员", "unit_admin", workflow.UpAny, workflow.ModeAny),
	}})
	inst := f.mustSubmit(t, typeTrip, "employee", "松岭县教育局")
	if st, got, _ := f.act(t, "edu", inst.ID, "approve", ""); st != 200 || got.StepNo != 1 {
		t.Fatalf("first of two approvals: %d step %d, want to stay on step 1", st, got.StepNo)
	}
	if has(f.inbox(t, "edu", "pending"), inst.ID) || !has(f.inbox(t, "edu2", "pending"), inst.ID) {
		t.Error("after edu's approval it should wait for edu2 only")
	}
	if st, _, _ := f.act(t, "edu", inst.ID, "approve", ""); st != 403 {
		t.Errorf("edu approving twice: %d, want 403", st)
	}
	if st, got, _ := f.act(t, "edu2", inst.ID, "approve", ""); st != 200 || got.StepNo != 2 {
		t.Fatalf("second approval: %d step %d", st, got.StepNo)
	}
	// Step 2: unit admins of the unit and every ancestor — but not of siblings or other branches.
	for login, want := range map[string]bool{"edu": true, "edu2": true, "songling": true, "qingshan": true, "caizheng": false, "yunxi": false} {
		if got := has(f.inbox(t, login, "pending"), inst.ID); got != want {
			t.Errorf("step 2: %s has it = %v, want %v", login, got, want)
		}
	}
	if st, got, _ := f.act(t, "qingshan", inst.ID, "approve", ""); st != 200 || got.Status != workflow.StatusApproved {
		t.Fatalf("qingshan approves: %d %s", st, got.Status)
	}
	for _, login := range []string{"edu", "edu2", "songling"} {
		if has(f.inbox(t, login, "pending"), inst.ID) {
			t.Errorf("%s still has the approved run waiting", login)
		}
	}
}

// TestRejectReturnWithdraw covers the other ways a run moves or ends, and what each needs.
func TestRejectReturnWithdraw(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.chain(t, workflow.ChainInput{Type: typeTrip, Steps: []workflow.StepInput{
		roleStep("单位审核", "unit_admin", 0, workflow.ModeAny),
		roleStep("县局审核", "unit_admin", 1, workflow.ModeAny),
	}})
	inst := f.mustSubmit(t, typeTrip, "employee", "松岭县教育局")
	if st, _, eb := f.act(t, "edu", inst.ID, "return", "补充材料"); st != 409 {
		t.Errorf("return from step 1: %d %s, want 409", st, eb.Error.Message)
	}
	f.act(t, "edu", inst.ID, "approve", "")
	if st, _, eb := f.act(t, "songling", inst.ID, "return", ""); st != 422 || eb.Error.Fields["comment"] == "" {
		t.Errorf("return without a comment: %d %v, want 422 naming comment", st, eb.Error.Fields)
	}
	st, got, _ := f.act(t, "songling", inst.ID, "return", "请补充用车事由")
	if st != 200 || got.StepNo != 1 || got.Status != workflow.StatusPending {
		t.Fatalf("return: %d step %d %s", st, got.StepNo, got.Status)
	}
	if !has(f.inbox(t, "edu", "pending"), inst.ID) || has(f.inbox(t, "songling", "pending"), inst.ID) {
		t.Error("after a return the run should wait at step 1 again")
	}
	if st, _, eb := f.act(t, "edu", inst.ID, "reject", ""); st != 422 || eb.Error.Fields["comment"] == "" {
		t.Errorf("reject without a comment: %d, want 422", st)
	}
	if st, got, _ = f.act(t, "edu2", inst.ID, "reject", "不符合用车规定"); st != 200 || got.Status != workflow.StatusRejected {
		t.Fatalf("reject: %d %s", st, got.Status)
	}
	if status, _ := f.objectStatus(t, inst.ObjectID); status != workflow.StatusRejected {
		t.Errorf("hook after rejection: %s", status)
	}
	if has(f.inbox(t, "edu", "pending"), inst.ID) {
		t.Error("a rejected run is still waiting for edu")
	}
	if st, _, _ := f.act(t, "edu", inst.ID, "approve", ""); st != 409 {
		t.Errorf("approve a rejected run: %d, want 409", st)
	}

	// Withdraw: only the requester, only while pending.
	w := f.mustSubmit(t, typeTrip, "employee", "松岭县教育局")
	if st, _, _ := f.act(t, "edu", w.ID, "withdraw", ""); st != 403 {
		t.Errorf("an approver withdrawing: %d, want 403", st)
	}
	if st, _, _ := f.act(t, "yunxi", w.ID, "withdraw", ""); st != 404 {
		t.Errorf("an outsider withdrawing: %d, want 404", st)
	}
	if st, got, _ := f.act(t, "employee", w.ID, "withdraw", "行程取消"); st != 200 || got.Status != workflow.StatusWithdrawn {
		t.Fatalf("withdraw: %d %s", st, got.Status)
	}
	if status, _ := f.objectStatus(t, w.ObjectID); status != workflow.StatusWithdrawn {
		t.Errorf("hook after withdrawal: %s", status)
	}
	if has(f.inbox(t, "edu", "pending"), w.ID) {
		t.Error("a withdrawn run is still waiting")
	}
	if st, _, _ := f.act(t, "edu", w.ID, "approve", ""); st != 409 {
		t.Errorf("approve a withdrawn run: %d, want 409", st)
	}
	if st, _, _ := f.act(t, "employee", w.ID, "withdraw", ""); st != 409 {
		t.Errorf("withdraw twice: %d, want 409", st)
	}

	// One pending run per object; a new one after it ended is fine (resubmission).
	ctx := context.Background()
	var dup error
	_ = f.env.App.DB.Tx(ctx, func(q dbQ) error {
		_, dup = f.wf.Submit(ctx, q, workflow.SubmitInput{Type: typeTrip, ObjectID: inst.ObjectID, RequesterID: f.users["employee"],
			OrgID: f.orgs["松岭县教育局"], Title: "再次提交"})
		if dup != nil {
			return dup
		}
		_, dup = f.wf.Submit(ctx, q, workflow.SubmitInput{Type: typeTrip, ObjectID: inst.ObjectID, RequesterID: f.users["employee"],
			OrgID: f.orgs["松岭县教育局"], Title: "重复提交"})
		return dup
	})
	if !errs.Is(dup, errs.CodeConflict) {
		t.Errorf("a second pending run for one object: %v, want conflict", dup)
	}
}
