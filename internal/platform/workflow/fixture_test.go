package workflow_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/demo"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/workflow"
)

// The request type the tests register, as a module would: its objects live in test_requests, whose status the
// hook sets in the deciding transaction.
const (
	typeTrip  = "test.trip"
	typeOther = "test.other"
	typeFail  = "test.fail"
)

// fixture is the demo province with a few more users, the test request types and API clients.
//
// The tree used (demo units): 示范省机关事务管理局 (province, root) → 青山市机关事务管理局 (city) →
// 松岭县机关事务服务中心 (county) → 松岭县教育局 / 松岭县财政局; and 青山市 → 云溪县机关事务服务中心 → 云溪县教育局.
// unit_admin holders: edu and edu2 (松岭县教育局), caizheng (松岭县财政局), songling (松岭 county), qingshan (city),
// yunxi (云溪县教育局 — same role, another branch). fleet_manager: fleet (province). Requesters: employee (松岭县教育局),
// yunxiemp (云溪县教育局).
type fixture struct {
	env   *apptest.Env
	wf    *workflow.Service
	orgs  map[string]int64
	users map[string]int64

	mu      sync.Mutex
	clients map[string]*apptest.Client
	nextObj int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := apptest.New(t, apptest.Options{Demo: true})
	f := &fixture{env: env, wf: env.App.Workflow, orgs: map[string]int64{}, users: map[string]int64{}, clients: map[string]*apptest.Client{}, nextObj: 1000}
	ctx := context.Background()
	d := env.App.DB
	for _, name := range []string{"示范省机关事务管理局", "青山市机关事务管理局", "松岭县机关事务服务中心", "松岭县教育局", "松岭县财政局",
		"松岭县人民医院", "云溪县机关事务服务中心", "云溪县教育局", "绿水市财政局"} {
		var id int64
		if err := d.QueryRow(ctx, "SELECT id FROM orgs WHERE name = ?", name).Scan(&id); err != nil {
			t.Fatalf("demo unit %s: %v", name, err)
		}
		f.orgs[name] = id
	}
	for _, u := range []struct{ login, name, role, org string }{
		{"edu2", "教育局副职管理员", "unit_admin", "松岭县教育局"},
		{"caizheng", "松岭县财政局管理员", "unit_admin", "松岭县财政局"},
		{"yunxi", "云溪县教育局管理员", "unit_admin", "云溪县教育局"},
		{"yunxiemp", "云溪县教育局职工", "employee", "云溪县教育局"},
	} {
		if _, err := env.App.Auth.CreateUser(ctx, nil, auth.Everything(), auth.UserInput{Username: u.login, Password: demo.Password,
			DisplayName: u.name, Roles: []string{u.role}, DataScope: auth.ScopeUnit, ScopeOrgID: f.orgs[u.org]}); err != nil {
			t.Fatalf("user %s: %v", u.login, err)
		}
	}
	rows, err := d.Query(ctx, "SELECT id, username FROM users")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		f.users[name] = id
	}
	rows.Close()
	if _, err := d.Exec(ctx, "CREATE TABLE test_requests (id BIGINT PRIMARY KEY, status TEXT NOT NULL, decided INTEGER NOT NULL DEFAULT 0)"); err != nil {
		t.Fatal(err)
	}
	hook := func(ctx context.Context, q db.Q, inst workflow.Instance) error {
		_, err := q.Exec(ctx, "UPDATE test_requests SET status = ?, decided = decided + 1 WHERE id = ?", inst.Status, inst.ObjectID)
		return err
	}
	f.wf.RegisterType(workflow.Type{Code: typeTrip, Name: "测试用车申请", Link: "/test/trips/{id}", OnDecided: hook})
	f.wf.RegisterType(workflow.Type{Code: typeOther, Name: "测试其他申请", Link: "/test/other/{id}", OnDecided: hook})
	f.wf.RegisterType(workflow.Type{Code: typeFail, Name: "测试失败回调", OnDecided: func(ctx context.Context, q db.Q, inst workflow.Instance) error {
		if _, err := q.Exec(ctx, "UPDATE test_requests SET status = ? WHERE id = ?", inst.Status, inst.ObjectID); err != nil {
			return err
		}
		return errs.Conflict("业务单据已被修改，不能完成审批")
	}})
	return f
}

// client returns a signed-in API client for a user (admin signs in with the test admin password).
func (f *fixture) client(t *testing.T, login string) *apptest.Client {
	t.Helper()
	f.mu.Lock()
	c, ok := f.clients[login]
	f.mu.Unlock()
	if ok {
		return c
	}
	if login == "admin" {
		c = f.env.Admin()
	} else {
		c = f.env.API(login, demo.Password)
	}
	f.mu.Lock()
	f.clients[login] = c
	f.mu.Unlock()
	return c
}

// submit files a request as a module would: the module's own row and the run in one transaction.
func (f *fixture) submit(t *testing.T, typ, requester, org string) (workflow.Instance, error) {
	t.Helper()
	f.mu.Lock()
	f.nextObj++
	obj := f.nextObj
	f.mu.Unlock()
	ctx := audit.WithActor(context.Background(), audit.Actor{UserID: f.users[requester], Username: requester})
	var inst workflow.Instance
	err := f.env.App.DB.Tx(ctx, func(q db.Q) error {
		if _, err := q.Exec(ctx, "INSERT INTO test_requests (id, status) VALUES (?, 'submitted')", obj); err != nil {
			return err
		}
		var err error
		inst, err = f.wf.Submit(ctx, q, workflow.SubmitInput{Type: typ, ObjectID: obj, RequesterID: f.users[requester], OrgID: f.orgs[org],
			Title: fmt.Sprintf("%s 的申请 #%d", requester, obj), Summary: "测试摘要"})
		return err
	})
	return inst, err
}

// mustSubmit is submit that fails the test on error.
func (f *fixture) mustSubmit(t *testing.T, typ, requester, org string) workflow.Instance {
	t.Helper()
	inst, err := f.submit(t, typ, requester, org)
	if err != nil {
		t.Fatalf("submit by %s from %s: %v", requester, org, err)
	}
	return inst
}

// objectStatus is what the hook wrote to the module's row.
func (f *fixture) objectStatus(t *testing.T, obj int64) (string, int) {
	t.Helper()
	var st string
	var n int
	if err := f.env.App.DB.QueryRow(context.Background(), "SELECT status, decided FROM test_requests WHERE id = ?", obj).Scan(&st, &n); err != nil {
		t.Fatal(err)
	}
	return st, n
}

// chain creates a chain through the API as admin and returns its id.
func (f *fixture) chain(t *testing.T, in workflow.ChainInput) int64 {
	t.Helper()
	var out workflow.Chain
	if st := f.client(t, "admin").JSON("POST", "/api/v1/workflow/chains", in, &out); st != 201 {
		t.Fatalf("create chain %q: status %d", in.Name, st)
	}
	return out.ID
}

// inbox lists the ids in one tab of a user's inbox.
func (f *fixture) inbox(t *testing.T, login, box string) []int64 {
	t.Helper()
	var out struct {
		Items []workflow.Instance `json:"items"`
		Total int64               `json:"total"`
	}
	if st := f.client(t, login).JSON("GET", "/api/v1/workflow/inbox?box="+url.QueryEscape(box), nil, &out); st != 200 {
		t.Fatalf("inbox of %s: status %d", login, st)
	}
	ids := []int64{}
	for _, it := range out.Items {
		ids = append(ids, it.ID)
	}
	if int64(len(ids)) != out.Total {
		t.Fatalf("inbox of %s: %d items, total %d", login, len(ids), out.Total)
	}
	return ids
}

// act posts an action; it returns the status and the instance (or the error body).
func (f *fixture) act(t *testing.T, login string, id int64, action, comment string) (int, workflow.Instance, apptest.ErrorBody) {
	t.Helper()
	c := f.client(t, login)
	path := fmt.Sprintf("/api/v1/workflow/instances/%d/%s", id, action)
	var body any
	if comment != "" {
		body = map[string]string{"comment": comment}
	}
	resp := c.Do("POST", path, "application/json", mustJSON(t, body))
	var inst workflow.Instance
	var eb apptest.ErrorBody
	if resp.StatusCode == 200 {
		decode(t, resp.Body, &inst)
	} else {
		decode(t, resp.Body, &eb)
	}
	return resp.StatusCode, inst, eb
}

// get loads an instance as a user.
func (f *fixture) get(t *testing.T, login string, id int64) (int, workflow.Instance) {
	t.Helper()
	var inst workflow.Instance
	st := f.client(t, login).JSON("GET", fmt.Sprintf("/api/v1/workflow/instances/%d", id), nil, &inst)
	return st, inst
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
}

func has(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// roleStep and userStep build chain steps.
func roleStep(name, role string, up int, mode string) workflow.StepInput {
	return workflow.StepInput{Name: name, Kind: workflow.KindRole, Role: role, Up: up, Mode: mode}
}

func userStep(name string, mode string, ids ...int64) workflow.StepInput {
	return workflow.StepInput{Name: name, Kind: workflow.KindUsers, UserIDs: ids, Mode: mode}
}

type dbQ = db.Q

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// advance moves the clock; sessions idle that long have expired, so clients sign in again.
func (f *fixture) advance(d time.Duration) {
	f.env.Clock.Advance(d)
	f.mu.Lock()
	f.clients = map[string]*apptest.Client{}
	f.mu.Unlock()
}
