package workflow_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/workflow"
)

// TestChainResolution checks which chain a request uses: the one configured nearest to the requester's unit,
// else the type's default, else a 422 that says so — and that nothing is created when submit fails.
func TestChainResolution(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	step := []workflow.StepInput{roleStep("省局审批", "fleet_manager", workflow.UpAny, workflow.ModeAny)}
	def := f.chain(t, workflow.ChainInput{Type: typeTrip, Name: "默认", Steps: step})
	city := f.chain(t, workflow.ChainInput{Type: typeTrip, OrgID: f.orgs["青山市机关事务管理局"], Name: "青山市", Steps: step})
	unit := f.chain(t, workflow.ChainInput{Type: typeTrip, OrgID: f.orgs["松岭县教育局"], Name: "松岭县教育局", Steps: step})
	other := f.chain(t, workflow.ChainInput{Type: typeOther, OrgID: f.orgs["松岭县教育局"], Name: "其他类型", Steps: step})

	for _, tc := range []struct {
		typ, org string
		want     int64
	}{
		{typeTrip, "松岭县教育局", unit},
		{typeTrip, "松岭县财政局", city},     // county unit → nearest configured ancestor is the city
		{typeTrip, "云溪县教育局", city},     // another county of the same city
		{typeTrip, "青山市机关事务管理局", city}, // the unit itself
		{typeTrip, "绿水市财政局", def},      // another city → the default
		{typeTrip, "示范省机关事务管理局", def},  // the root
		{typeOther, "松岭县教育局", other},   // chains are per type
		{typeOther, "松岭县财政局", 0},       // no default for that type
	} {
		t.Run(tc.typ+"/"+tc.org, func(t *testing.T) {
			inst, err := f.submit(t, tc.typ, "edu", tc.org)
			if tc.want == 0 {
				if !errs.Is(err, errs.CodeValidation) || !strings.Contains(errs.As(err).Message, "尚未配置审批流程") {
					t.Fatalf("want a 422 about the missing chain, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if inst.ChainID != tc.want {
				t.Errorf("chain %d (%s), want %d", inst.ChainID, inst.ChainName, tc.want)
			}
		})
	}
	var before int64
	_ = f.env.App.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM test_requests").Scan(&before)
	if _, err := f.submit(t, typeOther, "edu", "松岭县财政局"); err == nil {
		t.Fatal("submit without a chain succeeded")
	}
	var after, runs int64
	_ = f.env.App.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM test_requests").Scan(&after)
	_ = f.env.App.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM wf_instances WHERE type_code = ?", typeOther).Scan(&runs)
	if after != before || runs != 1 {
		t.Errorf("a failed submit left rows behind: objects %d→%d, runs %d", before, after, runs)
	}

	// Bad input from a module is a 422 naming the field, never a 500.
	for _, in := range []workflow.SubmitInput{
		{Type: "nope", ObjectID: 1, RequesterID: f.users["edu"], OrgID: f.orgs["松岭县教育局"], Title: "x"},
		{Type: typeTrip, ObjectID: 0, RequesterID: f.users["edu"], OrgID: f.orgs["松岭县教育局"], Title: "x"},
		{Type: typeTrip, ObjectID: 1, RequesterID: 999999, OrgID: f.orgs["松岭县教育局"], Title: "x"},
		{Type: typeTrip, ObjectID: 1, RequesterID: f.users["edu"], OrgID: 999999, Title: "x"},
		{Type: typeTrip, ObjectID: 1, RequesterID: f.users["edu"], OrgID: f.orgs["松岭县教育局"], Title: " "},
	} {
		_, err := f.wf.Submit(context.Background(), f.env.App.DB, in)
		if e := errs.As(err); e == nil || e.Code != errs.CodeValidation || len(e.Fields) == 0 {
			t.Errorf("Submit(%+v): %v, want 422 with fields", in, err)
		}
	}
}

// TestStepResolution checks whom each kind of step resolves to, through the administrators' preview.
func TestStepResolution(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.chain(t, workflow.ChainInput{Type: typeTrip, Name: "解析", Steps: []workflow.StepInput{
		roleStep("本单位", "unit_admin", 0, workflow.ModeAny),
		roleStep("上一级", "unit_admin", 1, workflow.ModeAny),
		roleStep("上两级", "unit_admin", 2, workflow.ModeAny),
		roleStep("任一上级", "unit_admin", workflow.UpAny, workflow.ModeAll),
		roleStep("最近的用车管理员", "fleet_manager", workflow.UpNearest, workflow.ModeAny),
		roleStep("最近的单位管理员", "unit_admin", workflow.UpNearest, workflow.ModeAny),
		userStep("指定", workflow.ModeAny, f.users["supervisor"], f.users["yunxi"]),
		roleStep("上五级", "unit_admin", 5, workflow.ModeAny),
	}})
	for _, tc := range []struct {
		org       string
		requester string
		want      []string // per step: logins, or "!" for no approver
	}{
		{"松岭县教育局", "", []string{"edu edu2", "songling", "qingshan", "edu edu2 songling qingshan", "fleet", "edu edu2", "supervisor yunxi", "!"}},
		{"松岭县教育局", "edu", []string{"edu2", "songling", "qingshan", "edu2 songling qingshan", "fleet", "edu2", "supervisor yunxi", "!"}},
		{"云溪县教育局", "", []string{"yunxi", "!", "qingshan", "yunxi qingshan", "fleet", "yunxi", "supervisor yunxi", "!"}},
		{"云溪县教育局", "yunxi", []string{"!", "!", "qingshan", "qingshan", "fleet", "qingshan", "supervisor", "!"}},
		{"松岭县人民医院", "", []string{"!", "songling", "qingshan", "songling qingshan", "fleet", "songling", "supervisor yunxi", "!"}},
	} {
		t.Run(tc.org+"/"+tc.requester, func(t *testing.T) {
			var p workflow.Preview
			url := fmt.Sprintf("/api/v1/workflow/preview?type=%s&org_id=%d&requester_id=%d", typeTrip, f.orgs[tc.org], f.users[tc.requester])
			if st := f.client(t, "admin").JSON("GET", url, nil, &p); st != 200 {
				t.Fatalf("preview: %d", st)
			}
			if len(p.Steps) != len(tc.want) {
				t.Fatalf("%d steps, want %d", len(p.Steps), len(tc.want))
			}
			for i, ps := range p.Steps {
				var got []string
				for _, a := range ps.Approvers {
					got = append(got, a.Username)
				}
				sort.Strings(got)
				g := strings.Join(got, " ")
				if ps.Problem != "" {
					g = "!"
				}
				want := strings.Fields(tc.want[i])
				sort.Strings(want)
				if g != strings.Join(want, " ") {
					t.Errorf("step %d %s: %q, want %q (%s)", i+1, ps.Step.Name, g, tc.want[i], ps.Problem)
				}
			}
			if p.Problem == "" {
				t.Error("the preview hides that the chain cannot be completed")
			}
		})
	}

	// The same gap at submit is a clear 422, before anyone waits.
	_, err := f.submit(t, typeTrip, "employee", "松岭县教育局")
	e := errs.As(err)
	if e == nil || e.Code != errs.CodeValidation || !strings.Contains(e.Message, "第 8 步") || !strings.Contains(e.Message, "找不到审批人") {
		t.Fatalf("submit with an unresolvable step: %v", err)
	}
	if ids := f.inbox(t, "edu", "pending"); len(ids) != 0 {
		t.Errorf("a failed submit left items waiting: %v", ids)
	}
	// A disabled user is no approver.
	if _, err := f.env.App.DB.Exec(context.Background(), "UPDATE users SET status = 'disabled' WHERE username = 'supervisor'"); err != nil {
		t.Fatal(err)
	}
	var p workflow.Preview
	f.client(t, "admin").JSON("GET", fmt.Sprintf("/api/v1/workflow/preview?type=%s&org_id=%d", typeTrip, f.orgs["松岭县教育局"]), nil, &p)
	if len(p.Steps[6].Approvers) != 1 || p.Steps[6].Approvers[0].Username != "yunxi" {
		t.Errorf("named users after disabling supervisor: %+v", p.Steps[6].Approvers)
	}
}
