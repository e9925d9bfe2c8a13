package app_test

// The records the matrix names in paths: found in the demo province by SQL, or made for the purpose where the demo
// has none at a position (or where a check destroys its record).

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/demo"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/notify"
)

// pos is where a record lies in the demo's organisation tree, relative to the scoped accounts:
//
//	posA  松岭县教育局 (edu's unit)                          inside every account's scope
//	posB  another unit of 松岭县                            outside edu's and employee's
//	posC  a unit of 青山市 outside 松岭县                    outside songling's
//	posD  a unit outside 青山市                              outside qingshan's
type pos int

const (
	posA pos = iota
	posB
	posC
	posD
	noPos
)

func (p pos) String() string { return [...]string{"A", "B", "C", "D", "-"}[p] }

// scoping says how a kind of record is scoped.
type scoping int

const (
	byOrg  scoping = iota // belongs to a unit: in scope at posA, out of scope at the account's out position
	global                // a system object (users, roles, settings): one record, no data scope
	own                   // belongs to the signed-in user: another user's is out of scope
	party                 // an approval run: its requester, approvers and workflow administrators in scope see it
)

// kind is a kind of record the matrix names.
type kind struct {
	name  string
	scope scoping
	cols  []string // the path (or query) parameters the record fills, in the order sql selects them
	// sql selects one record: byOrg — with %s, the position's condition on o.path; own — with ? the user id and %s
	// "=" or "<>"; global — plain; party — with %s the condition that the user is (or is not) a party.
	sql string
	// make creates a record at a position where the demo has none (byOrg) or the one record (global, own).
	make func(m *matrix, t *testing.T, p pos)
	// fresh creates a record for one destructive check.
	fresh func(m *matrix, t *testing.T, p pos) []string
	// freshOwn creates a record of owner's for one destructive check (kinds scoped own).
	freshOwn func(m *matrix, t *testing.T, owner *account) []string
	// freshBelow: fresh records are made below the position's unit, so an account whose scope is that one unit
	// has none in scope to destroy.
	freshBelow bool
}

// account is a demo account as the matrix uses it.
type account struct {
	name    string
	oneUnit bool // the data scope is a single unit
	out     pos
	userID  int64
	perms   map[string]bool
	api     *apptest.Client // bearer token
	browser *apptest.Client // browser session with CSRF token
}

// can reports whether the account holds perm; "a|b" (a route open to either of two rights) needs one of them.
func (a *account) can(perm string) bool {
	for _, p := range strings.Split(perm, "|") {
		if a.perms[p] {
			return true
		}
	}
	return false
}

// matrix is the running matrix: the program, the signed-in accounts, the positions and the records found.
type matrix struct {
	e        *apptest.Env
	accounts []*account
	anon     *apptest.Client
	admin    *apptest.Client
	paths    [4]string // materialised path prefixes: A (edu's unit), 松岭县, 青山市 (posB/C/D are "inside the next, outside this")
	orgs     [4]int64  // a unit at each position, for records made for the matrix
	found    map[string][]string
	attach   map[string]int64 // owner type|pos → attachment id
	seq      atomic.Int64
}

// newMatrix signs every account in once through the API and once through the sign-in form: 26 of the 30 sign-ins
// the login throttle allows one address before its clock moves (the matrix's own two anonymous login checks take
// two more).
func newMatrix(t *testing.T, e *apptest.Env) *matrix {
	t.Helper()
	m := &matrix{e: e, anon: e.Anonymous(), found: map[string][]string{}, attach: map[string]int64{}}
	for _, a := range accountTable {
		pw := demo.Password
		if a.name == "admin" {
			pw = apptest.AdminPassword
		}
		acc := &account{name: a.name, out: a.out, oneUnit: strings.HasPrefix(a.scope, "unit ") || strings.HasPrefix(a.scope, "self "), api: e.API(a.name, pw), browser: e.Browser(a.name, pw)}
		acc.userID = m.int(t, "SELECT id FROM users WHERE username = ?", a.name)
		acc.perms = rights(e.App.Auth.Permissions(), a.rights)
		m.accounts = append(m.accounts, acc)
	}
	m.admin = m.accounts[0].api
	pathOf := func(name string) string {
		var p string
		m.scan(t, []any{&p}, "SELECT path FROM orgs WHERE name = ?", name)
		return p
	}
	m.paths = [4]string{pathOf("松岭县教育局"), pathOf("松岭县机关事务服务中心"), pathOf("青山市机关事务管理局"), ""}
	for p := posA; p <= posD; p++ {
		cond, args := m.cond(p)
		m.orgs[p] = m.int(t, "SELECT o.id FROM orgs o WHERE "+cond+" AND o.parent_id IS NOT NULL AND o.path NOT IN (?, ?) ORDER BY o.id LIMIT 1",
			append(args, m.paths[1], m.paths[2])...)
	}
	return m
}

// cond is the SQL condition (on o.path) that a unit lies at position p.
func (m *matrix) cond(p pos) (string, []any) {
	a, s, q := m.paths[0], m.paths[1], m.paths[2]
	switch p {
	case posA:
		return "o.path LIKE ?", []any{a + "%"}
	case posB:
		return "o.path LIKE ? AND o.path NOT LIKE ?", []any{s + "%", a + "%"}
	case posC:
		return "o.path LIKE ? AND o.path NOT LIKE ?", []any{q + "%", s + "%"}
	}
	return "o.path NOT LIKE ?", []any{q + "%"}
}

func (m *matrix) scan(t *testing.T, dest []any, query string, args ...any) {
	t.Helper()
	if err := m.e.App.DB.QueryRow(ctxBG(), query, args...).Scan(dest...); err != nil {
		t.Fatalf("%s %v: %v", query, args, err)
	}
}

func (m *matrix) int(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var n int64
	m.scan(t, []any{&n}, query, args...)
	return n
}

// lookup runs a kind's query and returns the selected values, or nil when there is no such record.
func (m *matrix) lookup(t *testing.T, query string, args ...any) []string {
	t.Helper()
	rows, err := m.e.App.DB.Query(ctxBG(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil
	}
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	for i := range vals {
		vals[i] = new(any)
	}
	if err := rows.Scan(vals...); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(cols))
	for i, v := range vals {
		switch x := (*v.(*any)).(type) {
		case []byte:
			out[i] = string(x)
		default:
			out[i] = fmt.Sprint(x)
		}
	}
	return out
}

// find returns the values of a record of kind k for account a in slot sl.
func (m *matrix) find(t *testing.T, k *kind, a *account, sl slot) ([]string, bool) {
	t.Helper()
	switch k.scope {
	case byOrg:
		p := posA
		if sl == outScope {
			p = a.out
		}
		return m.at(t, k, p), true
	case global:
		key := k.name
		if v, ok := m.found[key]; ok {
			return v, true
		}
		v := m.lookup(t, k.sql)
		if v == nil && k.make != nil {
			k.make(m, t, noPos)
			v = m.lookup(t, k.sql)
		}
		if v == nil {
			t.Fatalf("no %s record", k.name)
		}
		m.found[key] = v
		return v, true
	case own:
		op := "="
		if sl == outScope {
			op = "<>"
		}
		v := m.lookup(t, fmt.Sprintf(k.sql, op), a.userID)
		return v, v != nil
	case party:
		cond := "i.requester_id = ? OR EXISTS (SELECT 1 FROM wf_tasks t WHERE t.instance_id = i.id AND (t.user_id = ? OR t.decided_by = ?))"
		args := []any{a.userID, a.userID, a.userID}
		if a.can("workflow:config") {
			cond = "1 = 1" // the demo's workflow administrator sees every unit
			args = nil
		}
		if sl == outScope {
			cond = "NOT (" + cond + ")"
		}
		v := m.lookup(t, fmt.Sprintf(k.sql, cond), args...)
		return v, v != nil
	}
	return nil, false
}

// at returns the record of kind k at position p (made when the demo has none).
// roomInUse is a room in use at p now, looked up afresh: the write checks may have lent or let the room kRoom found.
func (m *matrix) roomInUse(t *testing.T, p pos) string {
	t.Helper()
	cond, args := m.cond(p)
	v := m.lookup(t, fmt.Sprintf(kRoom.sql, cond), args...)
	if v == nil {
		t.Fatalf("no room in use at position %s", p)
	}
	return v[0]
}

func (m *matrix) at(t *testing.T, k *kind, p pos) []string {
	t.Helper()
	key := k.name + "|" + p.String()
	if v, ok := m.found[key]; ok {
		return v
	}
	cond, args := m.cond(p)
	q := fmt.Sprintf(k.sql, cond)
	v := m.lookup(t, q, args...)
	if v == nil && k.make != nil {
		k.make(m, t, p)
		v = m.lookup(t, q, args...)
	}
	if v == nil {
		t.Fatalf("no %s record at position %s", k.name, p)
	}
	m.found[key] = v
	return v
}

// hasIn reports whether account a has a record of kind k in its scope to be checked with: always but for
// approval runs, which only their parties see.
func (m *matrix) hasIn(t *testing.T, k *kind, a *account) bool {
	if k.scope == party {
		_, ok := m.find(t, k, a, inScope)
		return ok
	}
	return true
}

// hasOut reports whether account a has an out-of-scope record of kind k to be checked with.
func (m *matrix) hasOut(t *testing.T, k *kind, a *account) bool {
	switch k.scope {
	case byOrg:
		return a.out != noPos
	case own:
		return true
	case party:
		_, ok := m.find(t, k, a, outScope)
		return ok
	}
	return false
}

// object returns the path and query values of a check's record.
func (m *matrix) object(t *testing.T, r row, owner string, a *account, sl slot) (map[string]string, bool) {
	t.Helper()
	k := r.obj
	if r.attach != "" {
		k = attachOwners[owner].record
	}
	if k == nil {
		return nil, true
	}
	var v []string
	switch {
	case r.fresh && r.attach == "" && k.freshOwn != nil:
		owner := a
		if sl == outScope {
			owner = m.other(a)
		}
		v = k.freshOwn(m, t, owner)
	case r.fresh && r.attach == "" && k.fresh != nil:
		p := posA
		if sl == outScope {
			p = a.out
		}
		v = k.fresh(m, t, p)
	case r.fresh && r.attach == "":
		t.Fatalf("kind %s cannot make a record for a destructive check", k.name)
	default:
		var ok bool
		if v, ok = m.find(t, k, a, sl); !ok {
			return nil, false
		}
	}
	out := map[string]string{}
	for i, c := range k.cols {
		out[c] = v[i]
	}
	if r.attach != "" {
		recID, _ := strconv.ParseInt(v[0], 10, 64)
		out = map[string]string{"object_type": owner, "object_id": v[0]}
		p := posA
		if sl == outScope {
			p = a.out
		}
		key := owner + "|" + p.String()
		id, ok := m.attach[key]
		if !ok || r.fresh {
			id = m.attachment(t, owner, recID)
			if !r.fresh {
				m.attach[key] = id
			}
		}
		out["id"] = strconv.FormatInt(id, 10)
	}
	return out, true
}

// attachment stores a small file on a record (as the system would for an upload).
func (m *matrix) attachment(t *testing.T, owner string, recordID int64) int64 {
	t.Helper()
	ctx := audit.WithActor(ctxBG(), audit.Actor{Username: "matrix"})
	a, err := m.e.App.Attach.Save(ctx, m.e.App.DB, owner, recordID, "证明材料.txt", strings.NewReader("矩阵测试附件\n"))
	if err != nil {
		t.Fatalf("attachment on %s %d: %v", owner, recordID, err)
	}
	return a.ID
}

// post sends a JSON request as the system administrator and returns the new record's id (the test fails unless
// the answer is 2xx).
func (m *matrix) post(t *testing.T, c *apptest.Client, method, path string, body any) int64 {
	t.Helper()
	b, _ := json.Marshal(body)
	r := c.Do(method, path, "application/json", b)
	if r.StatusCode/100 != 2 {
		t.Fatalf("fixture %s %s %s: %d %s", method, path, b, r.StatusCode, r.Body)
	}
	return apptest.ID(r.Body)
}

func (m *matrix) n() int64 { return m.seq.Add(1) }

func ids(v ...int64) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = strconv.FormatInt(x, 10)
	}
	return out
}

// atOrg selects a record of a table with an org_id column, at the position.
func atOrg(table, alias, cols string) string {
	return "SELECT " + cols + " FROM " + table + " " + alias + " JOIN orgs o ON o.id = " + alias + ".org_id WHERE %s ORDER BY " +
		strings.Split(cols, ",")[0] + " LIMIT 1"
}

// The kinds of records.
var (
	kUser = &kind{name: "user", scope: global, cols: []string{"id"}, sql: "SELECT id FROM users WHERE username = 'mx_target'",
		make: func(m *matrix, t *testing.T, _ pos) {
			m.post(t, m.admin, "POST", "/api/v1/users", map[string]any{"username": "mx_target", "password": "Matrix#Target-2026",
				"display_name": "矩阵测试用户", "roles": []string{"unit_admin"}, "data_scope": "unit", "scope_org_id": m.orgs[posA]})
		}}
	kRole = &kind{name: "role", scope: global, cols: []string{"code"}, sql: "SELECT code FROM roles WHERE code = 'mx_role'",
		make: func(m *matrix, t *testing.T, _ pos) { m.role(t, "mx_role") },
		fresh: func(m *matrix, t *testing.T, _ pos) []string {
			code := fmt.Sprintf("mx_role_%d", m.n())
			m.role(t, code)
			return []string{code}
		}}
	kJob         = &kind{name: "job", scope: global, cols: []string{"name"}, sql: "SELECT 'auth.purge_sessions'"}
	kRefRow      = &kind{name: "refdata row", scope: global, cols: []string{"kind", "id"}, sql: "SELECT kind, id FROM refdata_rows WHERE kind = '" + refKind + "' AND origin = 'builtin' ORDER BY id LIMIT 1"}
	kRefOverride = &kind{name: "refdata override", scope: global, cols: []string{"kind", "id"},
		sql: "SELECT kind, id FROM refdata_rows WHERE kind = '" + refKind + "' AND origin = 'override' ORDER BY id LIMIT 1",
		make: func(m *matrix, t *testing.T, _ pos) {
			m.post(t, m.admin, "POST", "/api/v1/refdata/"+refKind+"/overrides", map[string]any{"key": "electricity", "region_code": "990000",
				"source_doc": "矩阵测试文件", "valid_from": "2026-01-01", "value": 0.1229, "confidence": "V"})
		}}
	kWebhook = &kind{name: "webhook", scope: global, cols: []string{"id"}, sql: "SELECT id FROM webhooks WHERE name = '矩阵测试'",
		make: func(m *matrix, t *testing.T, _ pos) { m.webhook(t, "矩阵测试") },
		fresh: func(m *matrix, t *testing.T, _ pos) []string {
			return ids(m.webhook(t, fmt.Sprintf("矩阵测试 %d", m.n())))
		}}
	kDelivery = &kind{name: "webhook delivery", scope: global, cols: []string{"id", "delivery_id"},
		sql: "SELECT webhook_id, id FROM webhook_deliveries ORDER BY id LIMIT 1",
		make: func(m *matrix, t *testing.T, _ pos) {
			id, _ := m.find(t, kWebhook, nil, inScope)
			r := m.admin.Do("POST", "/api/v1/webhooks/"+id[0]+"/test", "application/json", []byte("{}"))
			if r.StatusCode >= 500 {
				t.Fatalf("webhook test: %d %s", r.StatusCode, r.Body)
			}
		}}
	kChain = &kind{name: "approval chain", scope: global, cols: []string{"id"}, sql: "SELECT id FROM wf_chains ORDER BY id LIMIT 1",
		fresh: func(m *matrix, t *testing.T, _ pos) []string {
			return ids(m.post(t, m.admin, "POST", "/api/v1/workflow/chains", map[string]any{"type": "space.allocation", "org_id": m.freshOrg(t, posD),
				"name": "矩阵测试流程", "steps": []map[string]any{{"name": "审批", "mode": "any", "kind": "role", "role": "space_manager", "up": 1}}}))
		}}
	kStandard = &kind{name: "quota standard", scope: global, cols: []string{"id"}, sql: "SELECT id FROM energy_quota_standards ORDER BY id LIMIT 1"}

	kNotification = &kind{name: "notification", scope: own, cols: []string{"id"},
		sql: "SELECT id FROM notifications WHERE user_id %s ? ORDER BY id LIMIT 1"}
	kDelegation = &kind{name: "delegation", scope: own, cols: []string{"id"},
		sql:      "SELECT id FROM wf_delegations WHERE from_user_id %s ? AND status = 'active' ORDER BY id LIMIT 1",
		freshOwn: func(m *matrix, t *testing.T, owner *account) []string { return ids(m.delegation(t, owner)) }}
	kInstance = &kind{name: "approval run", scope: party, cols: []string{"id"},
		sql: "SELECT i.id FROM wf_instances i WHERE i.status <> 'pending' AND (%s) ORDER BY i.id LIMIT 1"}

	kOrg = &kind{name: "unit", scope: byOrg, cols: []string{"id"}, sql: "SELECT o.id FROM orgs o WHERE %s ORDER BY o.id LIMIT 1",
		fresh: func(m *matrix, t *testing.T, p pos) []string { return ids(m.freshOrg(t, p)) }, freshBelow: true}
	kPerson = &kind{name: "person", scope: byOrg, cols: []string{"id"},
		sql:   "SELECT p.id FROM people p JOIN orgs o ON o.id = p.org_id WHERE %s AND NOT EXISTS (SELECT 1 FROM users u WHERE u.person_id = p.id) ORDER BY p.id LIMIT 1",
		fresh: func(m *matrix, t *testing.T, p pos) []string { return ids(m.freshPerson(t, p)) }}
	kBuilding    = &kind{name: "building", scope: byOrg, cols: []string{"id"}, sql: atOrg("buildings", "b", "b.id")}
	kBuildingOrg = &kind{name: "building and its unit", scope: byOrg, cols: []string{"building_id", "org_id"}, sql: atOrg("buildings", "b", "b.id, b.org_id")}
	kEligibility = &kind{name: "building (PV eligibility)", scope: byOrg, cols: []string{"building_id"}, sql: atOrg("buildings", "b", "b.id")}
	kFloor       = &kind{name: "floor", scope: byOrg, cols: []string{"id", "floor"},
		sql: "SELECT b.id, f.floor FROM space_floors f JOIN buildings b ON b.id = f.building_id JOIN orgs o ON o.id = b.org_id WHERE %s ORDER BY b.id, f.floor LIMIT 1"}
	kProperty = &kind{name: "property", scope: byOrg, cols: []string{"id"}, sql: atOrg("space_properties", "p", "p.id"),
		make: func(m *matrix, t *testing.T, p pos) {
			m.post(t, m.admin, "POST", "/api/v1/space/properties", map[string]any{"name": "矩阵测试房产", "org_id": m.orgs[p], "ownership": "filed"})
		}}
	kViolation = &kind{name: "violation", scope: byOrg, cols: []string{"id"}, sql: atOrg("space_violations", "v", "v.id")}
	kRoom      = &kind{name: "room", scope: byOrg, cols: []string{"id"}, // a room in use: a let or lent one takes no occupant
		sql: "SELECT r.id FROM space_rooms r JOIN orgs o ON o.id = r.org_id WHERE r.status = 'in_use' AND %s ORDER BY r.id LIMIT 1"}
	kOccupant = &kind{name: "occupant", scope: byOrg, cols: []string{"id", "person_id"},
		sql: "SELECT r.id, oc.person_id FROM space_occupants oc JOIN space_rooms r ON r.id = oc.room_id JOIN orgs o ON o.id = r.org_id WHERE %s ORDER BY r.id, oc.person_id LIMIT 1",
		fresh: func(m *matrix, t *testing.T, p pos) []string {
			room := m.roomInUse(t, p)
			person := m.freshPerson(t, p)
			m.post(t, m.admin, "POST", "/api/v1/rooms/"+room+"/occupants", map[string]any{"person_id": person, "confirm": true, "reason": "矩阵测试"})
			return []string{room, strconv.FormatInt(person, 10)}
		}}
	kAgreement = &kind{name: "use agreement", scope: byOrg, cols: []string{"id"}, sql: atOrg("space_agreements", "a", "a.id")}
	kPost      = &kind{name: "concurrent post", scope: byOrg, cols: []string{"id"}, sql: atOrg("space_concurrent_posts", "c", "c.id"),
		make: func(m *matrix, t *testing.T, p pos) {
			m.post(t, m.admin, "POST", "/api/v1/space/posts", map[string]any{"org_id": m.orgs[p], "person_id": m.freshPerson(t, p),
				"post": "兼任矩阵测试职务", "approved_on": "2026-01-05"})
		}}
	kRectify = &kind{name: "rectification", scope: byOrg, cols: []string{"id"}, sql: atOrg("space_rectifications", "t", "t.id"),
		make: func(m *matrix, t *testing.T, p pos) {
			cond, args := m.cond(p)
			v := m.lookup(t, "SELECT v.id FROM space_violations v JOIN orgs o ON o.id = v.org_id WHERE "+cond+" ORDER BY v.id LIMIT 1", args...)
			if v == nil {
				t.Fatalf("no violation at %s to rectify", p)
			}
			m.post(t, m.admin, "POST", "/api/v1/space/rectifications", map[string]any{"violation_id": json.Number(v[0]), "requirement": "矩阵测试整改"})
		}}
	kAllocation = &kind{name: "allocation", scope: byOrg, cols: []string{"id"}, sql: atOrg("space_allocations", "a", "a.id"),
		make: func(m *matrix, t *testing.T, p pos) {
			m.post(t, m.admin, "POST", "/api/v1/space/allocations", map[string]any{"org_id": m.orgs[p], "title": "矩阵测试调剂",
				"reason": "矩阵测试", "area_m2": 20, "headcount": 1})
		}}
	kVacate = &kind{name: "vacate notice", scope: byOrg, cols: []string{"id"}, sql: atOrg("space_vacates", "x", "x.id"),
		make: func(m *matrix, t *testing.T, p pos) {
			m.post(t, m.admin, "POST", "/api/v1/space/vacates", map[string]any{"room_id": json.Number(m.roomInUse(t, p)), "reason": "other", "note": "矩阵测试"})
		}}
	kRepair = &kind{name: "repair", scope: byOrg, cols: []string{"id"}, sql: atOrg("space_repairs", "x", "x.id"),
		make: func(m *matrix, t *testing.T, p pos) {
			m.post(t, m.admin, "POST", "/api/v1/space/repairs", map[string]any{"building_id": json.Number(m.at(t, kBuilding, p)[0]),
				"kind": "routine", "title": "矩阵测试维修", "reason": "矩阵测试", "budget_yuan": 1000})
		}}
	kLease = &kind{name: "lease", scope: byOrg, cols: []string{"id"}, sql: atOrg("space_leases", "l", "l.id"),
		make: func(m *matrix, t *testing.T, p pos) {
			cond, args := m.cond(p)
			r := m.lookup(t, "SELECT r.id FROM space_rooms r JOIN orgs o ON o.id = r.org_id WHERE r.status = 'in_use' AND "+cond+" ORDER BY r.id LIMIT 1", args...)
			if r == nil {
				t.Fatalf("no room in use at %s to let", p)
			}
			m.post(t, m.admin, "POST", "/api/v1/space/leases", map[string]any{"room_id": json.Number(r[0]), "kind": "lent", "lessee": "矩阵测试借用方",
				"starts_on": "2026-01-05"})
		}}
	kStocktake = &kind{name: "stocktake", scope: byOrg, cols: []string{"id"}, sql: atOrg("space_stocktakes", "s", "s.id"),
		make: func(m *matrix, t *testing.T, p pos) {
			m.post(t, m.admin, "POST", "/api/v1/space/stocktakes", map[string]any{"org_id": m.orgs[p], "name": "矩阵测试清查", "due_on": "2026-12-31"})
		}}
	kStocktakeRoom = &kind{name: "stocktake room", scope: byOrg, cols: []string{"id", "room_id"},
		sql:  "SELECT x.stocktake_id, x.room_id FROM space_stocktake_rooms x JOIN orgs o ON o.id = x.org_id WHERE %s ORDER BY x.stocktake_id, x.room_id LIMIT 1",
		make: func(m *matrix, t *testing.T, p pos) { m.at(t, kStocktake, p) }}
	kStocktakeUnit = &kind{name: "stocktake unit", scope: byOrg, cols: []string{"id", "org_id"},
		sql:  "SELECT x.stocktake_id, x.org_id FROM space_stocktake_units x JOIN orgs o ON o.id = x.org_id WHERE %s ORDER BY x.stocktake_id, x.org_id LIMIT 1",
		make: func(m *matrix, t *testing.T, p pos) { m.at(t, kStocktake, p) }}

	kVehicle = &kind{name: "vehicle", scope: byOrg, cols: []string{"id"}, sql: atOrg("fleet_vehicles", "v", "v.id"),
		make: func(m *matrix, t *testing.T, p pos) {
			m.post(t, m.admin, "POST", "/api/v1/vehicles", map[string]any{"org_id": m.orgs[p], "plate": fmt.Sprintf("青C%05d", m.n()), "category": "other",
				"fuel_type": "gasoline", "body_type": "sedan", "displacement_l": 1.5, "price_yuan": 100000, "purchase_date": "2024-01-01", "seats": 5})
		}}
	kDriver = &kind{name: "driver", scope: byOrg, cols: []string{"id"}, sql: atOrg("fleet_drivers", "d", "d.id"),
		make: func(m *matrix, t *testing.T, p pos) {
			m.post(t, m.admin, "POST", "/api/v1/drivers", map[string]any{"person_id": m.freshPerson(t, p), "license_class": "C1"})
		}}
	kSupplier = &kind{name: "designated supplier", scope: byOrg, cols: []string{"id"}, sql: atOrg("fleet_suppliers", "x", "x.id"),
		make: func(m *matrix, t *testing.T, p pos) {
			m.post(t, m.admin, "POST", "/api/v1/fleet/suppliers", map[string]any{"org_id": m.orgs[p], "kind": "maintenance", "name": fmt.Sprintf("矩阵测试维修厂%d", m.n())})
		}}
	kHire = &kind{name: "hire contract", scope: byOrg, cols: []string{"id"}, sql: atOrg("fleet_hire_contracts", "x", "x.id"),
		make: func(m *matrix, t *testing.T, p pos) {
			m.post(t, m.admin, "POST", "/api/v1/fleet/hire-contracts", map[string]any{"org_id": m.orgs[p], "company": "矩阵测试租车公司",
				"contract_no": fmt.Sprintf("MXH-%d", m.n()), "valid_from": "2026-01-01", "valid_to": "2027-12-31", "price_day_yuan": 300})
		}}
	// Trip requests: employees see only their own, so the one checked at posA is the demo employee's.
	kTrip = &kind{name: "trip request", scope: byOrg, cols: []string{"id"},
		sql:   "SELECT t.id FROM fleet_trips t JOIN orgs o ON o.id = t.org_id WHERE %s ORDER BY CASE WHEN t.requester_id = (SELECT person_id FROM users WHERE username = 'employee') THEN 0 ELSE 1 END, t.id LIMIT 1",
		make:  func(m *matrix, t *testing.T, p pos) { m.freshTrip(t, p) },
		fresh: func(m *matrix, t *testing.T, p pos) []string { return ids(m.freshTrip(t, p)) }}

	kConsumption = &kind{name: "monthly consumption", scope: byOrg, cols: []string{"org_id", "period", "energy_type"},
		sql: "SELECT c.org_id, c.period, c.energy_type FROM energy_consumption c JOIN orgs o ON o.id = c.org_id WHERE %s ORDER BY c.org_id, c.period DESC LIMIT 1",
		fresh: func(m *matrix, t *testing.T, p pos) []string {
			period := fmt.Sprintf("2026-%02d", 1+m.n()%9)
			m.post(t, m.admin, "POST", "/api/v1/energy/consumption", map[string]any{"org_id": m.orgs[p], "period": period, "energy_type": "water", "amount": 1, "confirm": true, "reason": "授权矩阵测试数据"})
			return []string{strconv.FormatInt(m.orgs[p], 10), period, "water"}
		}}
	kMeter = &kind{name: "meter", scope: byOrg, cols: []string{"id"}, sql: atOrg("energy_meters", "x", "x.id"),
		make: func(m *matrix, t *testing.T, p pos) {
			m.post(t, m.admin, "POST", "/api/v1/energy/meters", map[string]any{"org_id": m.orgs[p], "name": "矩阵测试电表", "energy_type": "electricity",
				"code": fmt.Sprintf("MX-%d", m.n())})
		}}
	kAnomaly = &kind{name: "reading anomaly", scope: byOrg, cols: []string{"id"}, sql: atOrg("energy_anomalies", "x", "x.id"),
		make: func(m *matrix, t *testing.T, p pos) {
			meter := m.at(t, kMeter, p)[0]
			now := m.e.Clock.Now().Unix()
			if _, err := m.e.App.DB.Exec(ctxBG(), `INSERT INTO energy_anomalies (meter_id, org_id, kind, ts, prev_ts, prev_value, value, amount, created_at)
				SELECT id, org_id, 'spike', ?, ?, 100, 9100, 9000, ? FROM energy_meters WHERE id = ?`, now-3600, now-7200, now, meter); err != nil {
				t.Fatal(err)
			}
		}}
	kReport = &kind{name: "annual report", scope: byOrg, cols: []string{"org_id", "year"},
		sql: "SELECT o.id, 2025 FROM orgs o WHERE %s ORDER BY o.id LIMIT 1"} // a unit's report of 2025 (a draft when not started)
	kExplanation = &kind{name: "over-quota explanation", scope: byOrg, cols: []string{"id"}, sql: atOrg("energy_quota_explanations", "x", "x.id"),
		make: func(m *matrix, t *testing.T, p pos) {
			now := m.e.Clock.Now().Unix()
			if _, err := m.e.App.DB.Exec(ctxBG(), `INSERT INTO energy_quota_explanations (org_id, year, reasons, text, status, actual_kgce, projected_kgce,
				quota_kgce, requester_id, requester, created_at, updated_at) VALUES (?, 2026, 'other', '矩阵测试说明', 'submitted', 0, 120, 100, 1, 'admin', ?, ?)`,
				m.orgs[p], now, now); err != nil {
				t.Fatal(err)
			}
		}}
	kPV = &kind{name: "PV system", scope: byOrg, cols: []string{"id"}, sql: atOrg("energy_pv_systems", "x", "x.id"),
		make: func(m *matrix, t *testing.T, p pos) {
			m.post(t, m.admin, "POST", "/api/v1/energy/pv/systems", map[string]any{"building_id": json.Number(m.at(t, kBuilding, p)[0]),
				"name": "矩阵测试光伏", "commissioning_date": "2025-06-01", "grid_mode": "self_use", "capacity_kwp": 50, "status": "planned"})
		}}
	kContract = &kind{name: "energy performance contract", scope: byOrg, cols: []string{"id"}, sql: atOrg("energy_emc_contracts", "x", "x.id"),
		make:  func(m *matrix, t *testing.T, p pos) { m.contract(t, p) },
		fresh: func(m *matrix, t *testing.T, p pos) []string { return ids(m.contract(t, p)) }}

	// Assets: the pool's listings and claims and the disposals checked are the matrix's own (reason 矩阵测试…), so
	// the demo's do not decide where a record lies.
	kAsset = &kind{name: "asset", scope: byOrg, cols: []string{"id"}, sql: atOrg("assets", "a", "a.id"),
		make: func(m *matrix, t *testing.T, p pos) { m.freshAsset(t, p) }}
	kListing = &kind{name: "pool listing", scope: byOrg, cols: []string{"id"},
		sql:   "SELECT l.id FROM asset_pool_listings l JOIN orgs o ON o.id = l.org_id WHERE l.reason = '矩阵测试闲置' AND %s ORDER BY l.id LIMIT 1",
		make:  func(m *matrix, t *testing.T, p pos) { m.freshListing(t, p, false) },
		fresh: func(m *matrix, t *testing.T, p pos) []string { return ids(m.freshListing(t, p, false)) }}
	kClaim = &kind{name: "pool claim", scope: byOrg, cols: []string{"id"},
		sql: "SELECT c.id FROM asset_pool_claims c JOIN asset_pool_listings l ON l.id = c.listing_id JOIN orgs o ON o.id = l.org_id " +
			"WHERE c.reason = '矩阵测试申领' AND %s ORDER BY c.id LIMIT 1",
		make:  func(m *matrix, t *testing.T, p pos) { m.freshClaim(t, p) },
		fresh: func(m *matrix, t *testing.T, p pos) []string { return ids(m.freshClaim(t, p)) }}
	kDisposal = &kind{name: "asset disposal", scope: byOrg, cols: []string{"id"},
		sql:   "SELECT d.id FROM asset_disposals d JOIN orgs o ON o.id = d.org_id WHERE d.reason = '矩阵测试处置' AND %s ORDER BY d.id LIMIT 1",
		make:  func(m *matrix, t *testing.T, p pos) { m.freshDisposal(t, p) },
		fresh: func(m *matrix, t *testing.T, p pos) []string { return ids(m.freshDisposal(t, p)) }}

	// Services: employees see only the work orders they reported, so the one checked at posA is the demo
	// employee's; the bookings checked are the matrix's own (tomorrow, confirmed) in meeting rooms it registers.
	kWorkOrder = &kind{name: "work order", scope: byOrg, cols: []string{"id"},
		sql: "SELECT w.id FROM services_work_orders w JOIN orgs o ON o.id = w.org_id WHERE w.status = 'submitted' AND %s " +
			"ORDER BY CASE WHEN w.reporter_id = (SELECT person_id FROM users WHERE username = 'employee') THEN 0 ELSE 1 END, w.id LIMIT 1",
		make: func(m *matrix, t *testing.T, p pos) { m.freshWorkOrder(t, p) }}
	kBooking = &kind{name: "room booking", scope: byOrg, cols: []string{"id"},
		sql:   "SELECT b.id FROM services_bookings b JOIN orgs o ON o.id = b.org_id WHERE b.title = '矩阵测试会议' AND b.status = 'confirmed' AND %s ORDER BY b.id LIMIT 1",
		make:  func(m *matrix, t *testing.T, p pos) { m.freshBooking(t, p) },
		fresh: func(m *matrix, t *testing.T, p pos) []string { return ids(m.freshBooking(t, p)) }}
)

// freshWorkOrder reports a repair in a room at p (at posA, for the demo employee, who sees only their own).
func (m *matrix) freshWorkOrder(t *testing.T, p pos) int64 {
	t.Helper()
	var person int64
	if p == posA {
		person = m.int(t, "SELECT person_id FROM users WHERE username = 'employee'")
	} else {
		person = m.freshPerson(t, p)
	}
	room := m.int(t, "SELECT id FROM space_rooms WHERE org_id = (SELECT org_id FROM people WHERE id = ?) ORDER BY id LIMIT 1", person)
	return m.post(t, m.admin, "POST", "/api/v1/work-orders", map[string]any{"room_id": room, "category": "other", "description": "矩阵测试报修", "reporter_id": person})
}

// freshBooking registers a meeting room at p (once) and books a fresh slot in it tomorrow.
func (m *matrix) freshBooking(t *testing.T, p pos) int64 {
	t.Helper()
	key := "meeting room|" + p.String()
	room, ok := m.found[key]
	if !ok {
		b, _ := strconv.ParseInt(m.at(t, kBuilding, p)[0], 10, 64)
		org := m.int(t, "SELECT org_id FROM buildings WHERE id = ?", b)
		room = ids(m.post(t, m.admin, "POST", "/api/v1/rooms", map[string]any{"building_id": b, "floor": 1, "number": fmt.Sprintf("M%d", m.n()),
			"use_type": "service", "subtype": "meeting_room", "usable_area_m2": 40, "org_id": org, "capacity": 20}))
		m.found[key] = room
	}
	person := m.freshPerson(t, p)
	start := m.e.Clock.Now().Add(24*time.Hour + time.Duration(m.n()%200)*time.Hour)
	return m.post(t, m.admin, "POST", "/api/v1/room-bookings", map[string]any{"room_id": json.Number(room[0]), "title": "矩阵测试会议", "attendees": 2,
		"organizer_id": person, "start_at": start.Format(time.RFC3339), "end_at": start.Add(30 * time.Minute).Format(time.RFC3339)})
}

func (m *matrix) freshAsset(t *testing.T, p pos) int64 {
	t.Helper()
	return m.post(t, m.admin, "POST", "/api/v1/assets", map[string]any{"org_id": m.orgs[p], "name": "矩阵测试资产", "class_code": "A02010105",
		"value_yuan": 5000, "acquired_on": "2024-01-01"})
}

// freshListing offers a fresh asset at p; approved, the listing is available.
func (m *matrix) freshListing(t *testing.T, p pos, approved bool) int64 {
	t.Helper()
	id := m.post(t, m.admin, "POST", "/api/v1/pool/listings", map[string]any{"asset_id": m.freshAsset(t, p), "reason": "矩阵测试闲置"})
	if approved {
		m.post(t, m.admin, "POST", fmt.Sprintf("/api/v1/pool/listings/%d/approve", id), map[string]any{})
	}
	return id
}

// freshClaim claims a fresh listing at p for a unit that lies as far out as p does (the next position out, or
// another unit outside 青山市 for posD), so an account sees the claim exactly when it sees position p.
func (m *matrix) freshClaim(t *testing.T, p pos) int64 {
	t.Helper()
	l := m.freshListing(t, p, true)
	var claimer int64
	if p < posD {
		claimer = m.orgs[p+1]
	} else {
		claimer = m.int(t, "SELECT id FROM orgs WHERE path NOT LIKE ? AND id <> ? AND parent_id IS NOT NULL ORDER BY id DESC LIMIT 1", m.paths[2]+"%", m.orgs[posD])
	}
	return m.post(t, m.admin, "POST", fmt.Sprintf("/api/v1/pool/listings/%d/claims", l), map[string]any{"org_id": claimer, "reason": "矩阵测试申领"})
}

func (m *matrix) freshDisposal(t *testing.T, p pos) int64 {
	t.Helper()
	return m.post(t, m.admin, "POST", fmt.Sprintf("/api/v1/assets/%d/disposals", m.freshAsset(t, p)), map[string]any{"method": "scrap", "reason": "矩阵测试处置"})
}

func (m *matrix) role(t *testing.T, code string) {
	t.Helper()
	m.post(t, m.accounts[1].api, "POST", "/api/v1/roles", map[string]any{"code": code, "name": "矩阵测试角色 " + code, "description": "矩阵测试",
		"permissions": []string{"space:read"}})
}

func (m *matrix) webhook(t *testing.T, name string) int64 {
	t.Helper()
	return m.post(t, m.admin, "POST", "/api/v1/webhooks", map[string]any{"name": name, "url": "https://hooks.example.invalid/govops",
		"kind": "generic", "events": []string{"workflow.pending"}})
}

// freshOrg makes a unit under the position's unit.
func (m *matrix) freshOrg(t *testing.T, p pos) int64 {
	t.Helper()
	return m.post(t, m.admin, "POST", "/api/v1/orgs", map[string]any{"name": fmt.Sprintf("矩阵测试单位 %d", m.n()), "parent_id": m.orgs[p],
		"kind": "other", "admin_level": "county"})
}

// freshPerson registers a person at the position's unit.
func (m *matrix) freshPerson(t *testing.T, p pos) int64 {
	t.Helper()
	return m.post(t, m.admin, "POST", "/api/v1/people", map[string]any{"name": fmt.Sprintf("矩阵%d", m.n()), "org_id": m.orgs[p], "rank": "staff"})
}

// freshTrip submits a trip request at position p (at posA, for the demo employee, who sees only their own).
func (m *matrix) freshTrip(t *testing.T, p pos) int64 {
	t.Helper()
	var person int64
	if p == posA {
		person = m.int(t, "SELECT person_id FROM users WHERE username = 'employee'")
	} else {
		person = m.freshPerson(t, p)
	}
	return m.post(t, m.admin, "POST", "/api/v1/trip-requests", map[string]any{"requester_id": person, "purpose": "矩阵测试用车", "passengers": 1,
		"origin": "甲", "destination": "乙", "start_at": "2026-11-20T09:00:00+08:00", "end_at": "2026-11-20T11:00:00+08:00"})
}

func (m *matrix) contract(t *testing.T, p pos) int64 {
	t.Helper()
	b := m.at(t, kBuilding, p)[0]
	bid, _ := strconv.ParseInt(b, 10, 64)
	org := m.int(t, "SELECT org_id FROM buildings WHERE id = ?", bid)
	return m.post(t, m.admin, "POST", "/api/v1/energy/contracts", map[string]any{"org_id": org, "name": fmt.Sprintf("矩阵测试节能改造 %d", m.n()),
		"esco_name": "示范绿能节能服务有限公司", "esco_credit_code": "91990000MA5DEM001X", "contract_type": "shared_savings",
		"sign_date": "2022-11-20", "term_start": "2023-01-01", "term_end": "2027-12-31", "baseline_from": "2021-01", "baseline_to": "2022-12",
		"energy_types": []string{"electricity"}, "building_ids": []int64{bid}, "investment_yuan": 100000, "prices": map[string]float64{"electricity": 0.68},
		"shares": []map[string]any{{"from_year": 1, "to_year": 5, "esco_pct": 80}}, "status": "active"})
}

// fixtures makes, before any check, every record a check will read: the demo's gaps at each position, a
// notification and a delegation of every account, finished approval runs, and the attachments of every owner type
// at every position.
func (m *matrix) fixtures(t *testing.T) {
	t.Helper()
	for _, k := range allKinds() {
		switch k.scope {
		case byOrg:
			for p := posA; p <= posD; p++ {
				m.at(t, k, p)
			}
		case global:
			m.find(t, k, nil, inScope)
		}
	}
	// Every account has a notification and an active delegation of its own.
	var uids []int64
	for _, a := range m.accounts {
		uids = append(uids, a.userID)
	}
	if err := m.e.App.Notify.Notify(ctxBG(), m.e.App.DB, notify.Notification{Recipients: uids, Event: "workflow.pending", Title: "矩阵测试通知"}); err != nil {
		t.Fatal(err)
	}
	for _, a := range m.accounts {
		m.delegation(t, a)
	}
	// A finished approval run requested by edu (withdrawn), besides the demo's approved over-quota explanation.
	edu := m.acct("edu")
	id := m.post(t, edu.api, "POST", "/api/v1/space/allocations", map[string]any{"org_id": m.orgs[posA], "title": "矩阵测试调剂（撤回）", "reason": "矩阵测试",
		"area_m2": 18, "headcount": 1})
	m.post(t, edu.api, "POST", "/api/v1/space/allocations/"+strconv.FormatInt(id, 10)+"/withdraw", map[string]any{"comment": "矩阵测试"})
	if n := m.int(t, "SELECT COUNT(*) FROM wf_instances WHERE type_code = 'space.allocation' AND object_id = ? AND status = 'withdrawn'", id); n != 1 {
		t.Fatalf("allocation %d: %d withdrawn approval runs", id, n)
	}
	for _, owner := range attachOwnerTypes() {
		for p := posA; p <= posD; p++ {
			rec := m.at(t, attachOwners[owner].record, p)
			id, _ := strconv.ParseInt(rec[0], 10, 64)
			m.attach[owner+"|"+p.String()] = m.attachment(t, owner, id)
		}
	}
}

// other is an account other than a (for another user's records).
func (m *matrix) other(a *account) *account {
	for i, x := range m.accounts {
		if x == a {
			return m.accounts[(i+1)%len(m.accounts)]
		}
	}
	return m.accounts[0]
}

// delegation makes a delegation of owner's approvals to another account, for a day of its own (an account may
// not delegate the same days twice).
func (m *matrix) delegation(t *testing.T, owner *account) int64 {
	t.Helper()
	day := m.e.Clock.Now().AddDate(0, 0, int(m.n())).Format("2006-01-02")
	return m.post(t, owner.api, "POST", "/api/v1/workflow/delegations", map[string]any{"to_user_id": m.other(owner).userID,
		"start_date": day, "end_date": day, "note": "矩阵测试"})
}

func (m *matrix) acct(name string) *account {
	for _, a := range m.accounts {
		if a.name == name {
			return a
		}
	}
	panic("no account " + name)
}

// checkAccounts confirms that the demo accounts hold the roles and scopes the table declares.
func (m *matrix) checkAccounts(t *testing.T) {
	t.Helper()
	for _, want := range accountTable {
		a := m.acct(want.name)
		var roles []string
		rows, err := m.e.App.DB.Query(ctxBG(), "SELECT role_code FROM user_roles WHERE user_id = ? ORDER BY role_code", a.userID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var r string
			_ = rows.Scan(&r)
			roles = append(roles, r)
		}
		rows.Close()
		sort.Strings(roles)
		var scope, org string
		m.scan(t, []any{&scope, &org}, "SELECT u.data_scope, COALESCE(o.name, '') FROM users u LEFT JOIN orgs o ON o.id = u.scope_org_id WHERE u.id = ?", a.userID)
		got := strings.TrimSpace(scope + " " + org)
		if strings.Join(roles, " ") != want.roles || got != want.scope {
			t.Errorf("demo account %s holds %q with scope %q; the matrix declares %q, %q", a.name, strings.Join(roles, " "), got, want.roles, want.scope)
		}
		held := map[string]bool{}
		rows, err = m.e.App.DB.Query(ctxBG(), `SELECT DISTINCT rp.permission FROM user_roles ur JOIN role_permissions rp ON rp.role_code = ur.role_code
			WHERE ur.user_id = ?`, a.userID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var p string
			_ = rows.Scan(&p)
			held[p] = true
		}
		rows.Close()
		var extra, missing []string
		for p := range held {
			if !a.perms[p] {
				extra = append(extra, p)
			}
		}
		for p := range a.perms {
			if !held[p] {
				missing = append(missing, p)
			}
		}
		sort.Strings(extra)
		sort.Strings(missing)
		if len(extra)+len(missing) > 0 {
			t.Errorf("demo account %s holds %v beyond and lacks %v of the rights the matrix declares (%s)", a.name, extra, missing, want.rights)
		}
	}
}

// rights expands a rights pattern of accountTable over the registered permissions.
func rights(perms []auth.Permission, spec string) map[string]bool {
	out := map[string]bool{}
	for _, f := range strings.Fields(spec) {
		del := strings.HasPrefix(f, "-")
		f = strings.TrimPrefix(f, "-")
		for _, p := range perms {
			if ok, _ := path.Match(strings.ReplaceAll(f, ":", "/"), strings.ReplaceAll(p.Code, ":", "/")); ok {
				out[p.Code] = !del
			}
		}
	}
	for k, v := range out {
		if !v {
			delete(out, k)
		}
	}
	return out
}

func allKinds() []*kind {
	return []*kind{kViolation, kUser, kRole, kJob, kRefRow, kRefOverride, kWebhook, kDelivery, kChain, kStandard, kOrg, kPerson, kBuilding, kBuildingOrg, kEligibility,
		kFloor, kProperty, kRoom, kOccupant, kAgreement, kPost, kRectify, kAllocation, kVacate, kRepair, kStocktake, kStocktakeRoom,
		kStocktakeUnit, kLease, kVehicle, kDriver, kTrip, kSupplier, kHire, kConsumption, kMeter, kAnomaly, kReport, kExplanation, kPV, kContract, kAsset, kListing, kClaim, kDisposal, kWorkOrder, kBooking,
		kAssetStocktake, kAdjustment, kLoan, kRequest}
}

func attachOwnerTypes() []string {
	var out []string
	for k := range attachOwners {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
