package quota_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
)

const demoPW = "Demo@2026"

type view struct {
	Unit struct {
		OrgID int64 `json:"org_id"`
		Quota *struct {
			TotalKgce float64 `json:"total_kgce"`
			WaterM3   float64 `json:"water_m3"`
		} `json:"quota"`
	} `json:"unit"`
	Children []struct {
		OrgID       int64   `json:"org_id"`
		OrgName     string  `json:"org_name"`
		FloorAreaM2 float64 `json:"floor_area_m2"`
		Quota       *struct {
			TotalKgce float64 `json:"total_kgce"`
			WaterM3   float64 `json:"water_m3"`
			Method    string  `json:"method"`
		} `json:"quota"`
	} `json:"children"`
	AllocatedKgce float64 `json:"allocated_kgce"`
	RemainingKgce float64 `json:"remaining_kgce"`
}

func errBody(t *testing.T, c *apptest.Client, method, path string, body any) (int, apptest.ErrorBody) {
	t.Helper()
	var e apptest.ErrorBody
	st := c.JSON(method, path, body, &e)
	return st, e
}

// TestDecomposition: a bureau's quota split by hand (a split above the parent is refused with the field), by floor
// area (checked against the areas), and the checks on setting one unit's quota.
func TestDecomposition(t *testing.T) {
	e := newEnv(t, true)
	c := e.API("energy", demoPW)
	root := e.orgID(t, "示范省机关事务管理局")
	city := e.orgID(t, "青山市机关事务管理局")
	hosp := e.orgID(t, "示范省人民医院")
	const y = 2030
	if st, b := errBody(t, c, "POST", "/api/v1/energy/quotas/decompose", map[string]any{"org_id": root, "year": y, "method": "share"}); st != 422 || b.Error.Fields["org_id"] == "" {
		t.Fatalf("decompose without a quota: %d %+v", st, b)
	}
	if st := c.JSON("PUT", "/api/v1/energy/quotas", map[string]any{"org_id": root, "year": y, "total_kgce": 10000, "water_m3": 500}, nil); st != 200 {
		t.Fatalf("set root: %d", st)
	}
	// Over the parent: 422 naming items.
	st, b := errBody(t, c, "POST", "/api/v1/energy/quotas/decompose", map[string]any{"org_id": root, "year": y, "method": "manual",
		"items": []map[string]any{{"org_id": city, "total_kgce": 7000, "water_m3": 300}, {"org_id": hosp, "total_kgce": 3500, "water_m3": 100}}})
	if st != 422 || !strings.Contains(b.Error.Fields["items"], "超过本单位定额") {
		t.Fatalf("sum above parent: %d %+v", st, b)
	}
	// Not a child, duplicate, negative.
	st, b = errBody(t, c, "POST", "/api/v1/energy/quotas/decompose", map[string]any{"org_id": root, "year": y, "method": "manual",
		"items": []map[string]any{{"org_id": e.orgID(t, "松岭县教育局"), "total_kgce": 1, "water_m3": 1}, {"org_id": hosp, "total_kgce": -1, "water_m3": 1}}})
	if st != 422 || b.Error.Fields["items.1.total_kgce"] == "" {
		t.Fatalf("bad items: %d %+v", st, b)
	}
	st, b = errBody(t, c, "POST", "/api/v1/energy/quotas/decompose", map[string]any{"org_id": root, "year": y, "method": "manual",
		"items": []map[string]any{{"org_id": e.orgID(t, "松岭县教育局"), "total_kgce": 1, "water_m3": 1}}})
	if st != 422 || b.Error.Fields["items.0.org_id"] == "" {
		t.Fatalf("not a child: %d %+v", st, b)
	}
	if st, b := errBody(t, c, "POST", "/api/v1/energy/quotas/decompose", map[string]any{"org_id": root, "year": y, "method": "lottery"}); st != 422 || b.Error.Fields["method"] == "" {
		t.Fatalf("bad method: %d %+v", st, b)
	}
	// A valid manual split: the rest stays with the bureau.
	var v view
	if st := c.JSON("POST", "/api/v1/energy/quotas/decompose", map[string]any{"org_id": root, "year": y, "method": "manual",
		"items": []map[string]any{{"org_id": city, "total_kgce": 6000, "water_m3": 300}, {"org_id": hosp, "total_kgce": 3000, "water_m3": 100}}}, &v); st != 200 {
		t.Fatalf("manual: %d", st)
	}
	if v.AllocatedKgce != 9000 || v.RemainingKgce != 1000 {
		t.Fatalf("allocated %v remaining %v", v.AllocatedKgce, v.RemainingKgce)
	}
	// The city cannot go below what it gives its own children, nor above what the province leaves.
	if st := c.JSON("POST", "/api/v1/energy/quotas/decompose", map[string]any{"org_id": city, "year": y, "method": "manual",
		"items": []map[string]any{{"org_id": e.orgID(t, "松岭县机关事务服务中心"), "total_kgce": 2500, "water_m3": 100}}}, nil); st != 200 {
		t.Fatalf("city split: %d", st)
	}
	st, b = errBody(t, c, "PUT", "/api/v1/energy/quotas", map[string]any{"org_id": city, "year": y, "total_kgce": 2000, "water_m3": 300})
	if st != 422 || !strings.Contains(b.Error.Fields["total_kgce"], "少于已分解给下级") {
		t.Fatalf("below children: %d %+v", st, b)
	}
	st, b = errBody(t, c, "PUT", "/api/v1/energy/quotas", map[string]any{"org_id": city, "year": y, "total_kgce": 7500, "water_m3": 300})
	if st != 422 || !strings.Contains(b.Error.Fields["total_kgce"], "超过上级定额") {
		t.Fatalf("above parent's rest: %d %+v", st, b)
	}
	// By floor area: each child gets floor(10000 × its subtree's area / the province's area, to the cent).
	if _, err := e.App.DB.Exec(context.Background(), "DELETE FROM energy_quotas WHERE year = ? AND org_id IN (SELECT id FROM orgs WHERE parent_id = ?)", y, city); err != nil {
		t.Fatal(err)
	}
	if st := c.JSON("POST", "/api/v1/energy/quotas/decompose", map[string]any{"org_id": root, "year": y, "method": "area"}, &v); st != 200 {
		t.Fatalf("area: %d", st)
	}
	var rootPath string
	var whole float64
	_ = e.App.DB.QueryRow(context.Background(), "SELECT path FROM orgs WHERE id = ?", root).Scan(&rootPath)
	_ = e.App.DB.QueryRow(context.Background(), "SELECT SUM(floor_area_m2) FROM orgs WHERE status = 'active' AND path LIKE ?", rootPath+"%").Scan(&whole)
	sum := 0.0
	for _, ch := range v.Children {
		var area float64
		var p string
		_ = e.App.DB.QueryRow(context.Background(), "SELECT path FROM orgs WHERE id = ?", ch.OrgID).Scan(&p)
		_ = e.App.DB.QueryRow(context.Background(), "SELECT SUM(floor_area_m2) FROM orgs WHERE status = 'active' AND path LIKE ?", p+"%").Scan(&area)
		want := math.Floor(10000*area/whole*100) / 100
		if ch.Quota == nil || math.Abs(ch.Quota.TotalKgce-want) > 1e-6 || ch.Quota.Method != "area" {
			t.Fatalf("%s: quota %+v, want %v", ch.OrgName, ch.Quota, want)
		}
		sum += ch.Quota.TotalKgce
	}
	if sum > 10000 || sum < 10000*0.5 {
		t.Fatalf("area split sums to %v", sum)
	}
	// The change is audited.
	var n int
	_ = e.App.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE action = 'energy.quota.decompose'").Scan(&n)
	if n < 3 {
		t.Fatalf("audit entries: %d", n)
	}
}

// TestScope: a county administrator sees and splits its own county only.
func TestScope(t *testing.T) {
	e := newEnv(t, true)
	s := e.API("songling", demoPW)
	songling := e.orgID(t, "松岭县机关事务服务中心")
	yunxi := e.orgID(t, "云溪县机关事务服务中心")
	yunxiEdu := e.orgID(t, "云溪县教育局")
	for _, p := range []string{fmt.Sprintf("/api/v1/energy/quotas?org_id=%d&year=2026", yunxi), fmt.Sprintf("/api/v1/energy/quotas?org_id=%d&year=2026", yunxiEdu)} {
		if st := s.JSON("GET", p, nil, nil); st != 404 {
			t.Errorf("GET %s: %d", p, st)
		}
	}
	if st := s.JSON("POST", "/api/v1/energy/quotas/decompose", map[string]any{"org_id": yunxi, "year": 2026, "method": "share"}, nil); st != 404 {
		t.Errorf("decompose another county: %d", st)
	}
	if st := s.JSON("PUT", "/api/v1/energy/quotas", map[string]any{"org_id": yunxiEdu, "year": 2026, "total_kgce": 1, "water_m3": 1}, nil); st != 404 {
		t.Errorf("set another county's unit: %d", st)
	}
	// Its own county's total is set by the city: 403; its units' quotas are its to split.
	if st := s.JSON("PUT", "/api/v1/energy/quotas", map[string]any{"org_id": songling, "year": 2026, "total_kgce": 1e9, "water_m3": 1}, nil); st != 403 {
		t.Errorf("set own total: %d", st)
	}
	var v view
	if st := s.JSON("GET", "/api/v1/energy/quotas?year=2026", nil, &v); st != 200 || v.Unit.OrgID != songling || len(v.Children) == 0 {
		t.Fatalf("own view: %d %+v", st, v.Unit)
	}
	if st := s.JSON("POST", "/api/v1/energy/quotas/decompose", map[string]any{"org_id": songling, "year": 2026, "method": "headcount"}, &v); st != 200 {
		t.Fatalf("own decomposition: %d", st)
	}
	// The warnings list is scoped too.
	var w struct {
		Items []struct {
			OrgID int64 `json:"org_id"`
		}
	}
	s.JSON("GET", "/api/v1/energy/quota-warnings?year=2026&page_size=500", nil, &w)
	var songPath string
	_ = e.App.DB.QueryRow(context.Background(), "SELECT path FROM orgs WHERE id = ?", songling).Scan(&songPath)
	if len(w.Items) == 0 {
		t.Fatal("no warnings for songling")
	}
	for _, it := range w.Items {
		var p string
		_ = e.App.DB.QueryRow(context.Background(), "SELECT path FROM orgs WHERE id = ?", it.OrgID).Scan(&p)
		if !strings.HasPrefix(p, songPath) {
			t.Fatalf("warning of unit %d outside scope", it.OrgID)
		}
	}
	// Unit admins cannot edit standards.
	if st := s.JSON("POST", "/api/v1/energy/quota-standards", map[string]any{}, nil); st != 403 {
		t.Errorf("standard as unit admin: %d", st)
	}
}

// TestWarningsAndNotifications: the job notifies the unit's administrators once per change of status.
func TestWarningsAndNotifications(t *testing.T) {
	e := newEnv(t, true)
	c := e.API("energy", demoPW)
	fin := e.orgID(t, "松岭县财政局")
	var w struct {
		Items []struct {
			OrgID         int64   `json:"org_id"`
			Status        string  `json:"status"`
			ProjectedKgce float64 `json:"projected_kgce"`
			QuotaKgce     float64 `json:"quota_kgce"`
			Method        string  `json:"method"`
		}
		Total int64
	}
	c.JSON("GET", "/api/v1/energy/quota-warnings?year=2026&status=over&sort=-ratio", nil, &w)
	if w.Total == 0 {
		t.Fatal("the demo has no unit over quota")
	}
	for _, it := range w.Items {
		if it.Status != "over" || it.Method != "seasonal" {
			t.Fatalf("item %+v", it)
		}
	}
	count := func() int {
		var n int
		_ = e.App.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM notifications WHERE event = 'energy.quota.warning'").Scan(&n)
		return n
	}
	before := count()
	// Tighten 松岭县财政局 below its projection: over on the next run, one notification; a second run sends none.
	var cur struct {
		Items []struct {
			ProjectedKgce float64 `json:"projected_kgce"`
			QuotaWater    float64 `json:"quota_water_m3"`
		}
	}
	c.JSON("GET", "/api/v1/energy/quota-warnings?year=2026&q="+url.QueryEscape("松岭县财政局"), nil, &cur)
	if len(cur.Items) != 1 {
		t.Fatalf("finance bureau warnings: %+v", cur)
	}
	if _, err := e.App.DB.Exec(context.Background(), "UPDATE energy_quotas SET total_kgce = ? WHERE org_id = ? AND year = 2026", cur.Items[0].ProjectedKgce*0.95, fin); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, _, err := e.svc.Refresh(context.Background(), 2026, nil, true); err != nil {
			t.Fatal(err)
		}
	}
	if got := count(); got != before+1 {
		t.Fatalf("notifications %d → %d, want one more", before, got)
	}
	var to int64
	_ = e.App.DB.QueryRow(context.Background(), "SELECT n.user_id FROM notifications n WHERE event = 'energy.quota.warning' ORDER BY n.id DESC LIMIT 1").Scan(&to)
	var who string
	_ = e.App.DB.QueryRow(context.Background(), "SELECT username FROM users WHERE id = ?", to).Scan(&who)
	if who != "songling" {
		t.Fatalf("notified %q, want songling (the county's unit admin)", who)
	}
	// Excel export.
	r := e.Browser("energy", demoPW).Get("/energy/quota-warnings?year=2026&format=xlsx")
	if r.StatusCode != 200 || !strings.HasPrefix(r.Body, "PK") {
		t.Fatalf("export: %d", r.StatusCode)
	}
}

// TestExplanationFlow: songling explains an over-quota unit; the approver the chain names (energy) approves; the
// explanation is recorded and shown on the warnings. A returned one is resubmitted.
func TestExplanationFlow(t *testing.T) {
	e := newEnv(t, true)
	s := e.API("songling", demoPW)
	en := e.API("energy", demoPW)
	school := e.orgID(t, "松岭县实验小学")
	if st, b := errBody(t, s, "POST", "/api/v1/energy/quota-explanations", map[string]any{"org_id": school, "year": 2026, "reasons": []string{"aliens"}, "text": ""}); st != 422 ||
		b.Error.Fields["reasons"] == "" || b.Error.Fields["text"] == "" {
		t.Fatalf("bad input: %d %+v", st, b)
	}
	if st := s.JSON("POST", "/api/v1/energy/quota-explanations", map[string]any{"org_id": e.orgID(t, "云溪县实验小学"), "year": 2026, "reasons": []string{"climate"}, "text": "x"}, nil); st != 404 {
		t.Fatalf("other county: %d", st)
	}
	var x struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	if st := s.JSON("POST", "/api/v1/energy/quota-explanations", map[string]any{"org_id": school, "year": 2026, "reasons": []string{"staff", "equipment"}, "text": "新增两个教学班"}, &x); st != 201 || x.Status != "submitted" {
		t.Fatalf("submit: %d %+v", st, x)
	}
	if st := s.JSON("POST", "/api/v1/energy/quota-explanations", map[string]any{"org_id": school, "year": 2026, "reasons": []string{"staff"}, "text": "again"}, nil); st != 409 {
		t.Fatalf("duplicate: %d", st)
	}
	// Supporting documents: the county adds them while the explanation is in approval; whoever sees it sees them.
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	att := map[string]string{"object_type": "energy_quota_explanation", "object_id": fmt.Sprint(x.ID)}
	if r := s.Upload("/api/v1/attachments", "新增教学班用电清单.pdf", pdf, att); r.StatusCode != 201 {
		t.Fatalf("attach a document: %d %s", r.StatusCode, r.Body)
	}
	list := fmt.Sprintf("/api/v1/attachments?object_type=energy_quota_explanation&object_id=%d", x.ID)
	var files struct {
		Items []struct {
			Filename string `json:"filename"`
		}
	}
	if st := en.JSON("GET", list, nil, &files); st != 200 || len(files.Items) != 1 || files.Items[0].Filename != "新增教学班用电清单.pdf" {
		t.Fatalf("the approver's view of the documents: %d %+v", st, files)
	}
	if r := e.Browser("energy", demoPW).Get(fmt.Sprintf("/energy/quota-explanations/%d", x.ID)); !strings.Contains(r.Body, "新增教学班用电清单.pdf") {
		t.Errorf("the explanation page does not list the document")
	}
	if st := e.API("edu", demoPW).JSON("GET", list, nil, nil); st != 404 {
		t.Errorf("another unit reads the documents: %d, want 404", st)
	}
	if r := e.API("edu", demoPW).Upload("/api/v1/attachments", "x.pdf", pdf, att); r.StatusCode != 404 {
		t.Errorf("another unit attaches: %d, want 404", r.StatusCode)
	}
	var inst int64
	var approver string
	if err := e.App.DB.QueryRow(context.Background(), `SELECT i.id, u.username FROM wf_instances i JOIN wf_tasks k ON k.instance_id = i.id JOIN users u ON u.id = k.user_id
		WHERE i.type_code = 'energy.quota_explanation' AND i.object_id = ? AND i.status = 'pending'`, x.ID).Scan(&inst, &approver); err != nil {
		t.Fatal(err)
	}
	if approver != "energy" {
		t.Fatalf("approver %q, want energy (节能管理员 above the unit)", approver)
	}
	if st := s.JSON("POST", fmt.Sprintf("/api/v1/workflow/instances/%d/approve", inst), map[string]any{}, nil); st != 403 {
		t.Fatalf("requester approving: %d", st)
	}
	if st := en.JSON("POST", fmt.Sprintf("/api/v1/workflow/instances/%d/approve", inst), map[string]any{"comment": "同意"}, nil); st != 200 {
		t.Fatalf("approve: %d", st)
	}
	s.JSON("GET", fmt.Sprintf("/api/v1/energy/quota-explanations/%d", x.ID), nil, &x)
	if x.Status != "approved" {
		t.Fatalf("after approval: %+v", x)
	}
	if r := s.Upload("/api/v1/attachments", "补充.pdf", pdf, att); r.StatusCode != 409 {
		t.Errorf("attach to an approved explanation: %d, want 409", r.StatusCode)
	}
	var w struct {
		Items []struct {
			Explanation string `json:"explanation"`
		}
	}
	s.JSON("GET", "/api/v1/energy/quota-warnings?year=2026&q="+url.QueryEscape("松岭县实验小学"), nil, &w)
	if len(w.Items) != 1 || w.Items[0].Explanation != "approved" {
		t.Fatalf("warnings show %+v", w.Items)
	}
	// The demo's explanation in approval: rejected → returned → resubmitted.
	var pending struct {
		Items []struct {
			ID int64 `json:"id"`
		}
	}
	s.JSON("GET", "/api/v1/energy/quota-explanations?status=submitted", nil, &pending)
	if len(pending.Items) != 1 {
		t.Fatalf("demo explanation in approval: %+v", pending)
	}
	id := pending.Items[0].ID
	_ = e.App.DB.QueryRow(context.Background(), "SELECT id FROM wf_instances WHERE type_code = 'energy.quota_explanation' AND object_id = ? AND status = 'pending'", id).Scan(&inst)
	if st := en.JSON("POST", fmt.Sprintf("/api/v1/workflow/instances/%d/reject", inst), map[string]any{"comment": "请补充用能数据"}, nil); st != 200 {
		t.Fatalf("reject: %d", st)
	}
	s.JSON("GET", fmt.Sprintf("/api/v1/energy/quota-explanations/%d", id), nil, &x)
	if x.Status != "returned" {
		t.Fatalf("after reject: %+v", x)
	}
	if st := s.JSON("POST", fmt.Sprintf("/api/v1/energy/quota-explanations/%d/resubmit", id), map[string]any{"reasons": []string{"event"}, "text": "补充：活动期间日均用电增加 30%"}, &x); st != 200 || x.Status != "submitted" {
		t.Fatalf("resubmit: %d %+v", st, x)
	}
	// Not over quota → 422 on year.
	var normal int64
	_ = e.App.DB.QueryRow(context.Background(), `SELECT w.org_id FROM energy_quota_warnings w JOIN orgs o ON o.id = w.org_id WHERE w.year = 2026 AND w.status = 'normal'
		AND o.region_code = '990121' ORDER BY w.org_id LIMIT 1`).Scan(&normal)
	if st, b := errBody(t, s, "POST", "/api/v1/energy/quota-explanations", map[string]any{"org_id": normal, "year": 2026, "reasons": []string{"other"}, "text": "x"}); st != 422 || b.Error.Fields["year"] == "" {
		t.Fatalf("not over: %d %+v", st, b)
	}
}

// TestStandardsAPI: validation, overlap of editions, history of changes.
func TestStandardsAPI(t *testing.T) {
	e := newEnv(t, true)
	c := e.API("energy", demoPW)
	body := map[string]any{"region_code": "990100", "category": "organ", "indicator": "per_area_kgce", "constraint_value": 12, "baseline_value": 13,
		"guide_value": 9, "valid_from": 2026, "source_doc": "青山市公共机构能耗定额（试行）"}
	if st, b := errBody(t, c, "POST", "/api/v1/energy/quota-standards", body); st != 422 || b.Error.Fields["baseline_value"] == "" {
		t.Fatalf("constraint < baseline: %d %+v", st, b)
	}
	body["baseline_value"] = 10.5
	var s struct {
		ID int64 `json:"id"`
	}
	if st := c.JSON("POST", "/api/v1/energy/quota-standards", body, &s); st != 201 {
		t.Fatalf("create: %d", st)
	}
	if st, b := errBody(t, c, "POST", "/api/v1/energy/quota-standards", body); st != 422 || b.Error.Fields["valid_from"] == "" {
		t.Fatalf("overlap: %d %+v", st, b)
	}
	body["valid_to"] = 2026
	if st := c.JSON("PUT", fmt.Sprintf("/api/v1/energy/quota-standards/%d", s.ID), body, nil); st != 200 {
		t.Fatalf("close edition: %d", st)
	}
	body["valid_from"], body["valid_to"], body["constraint_value"] = 2027, 0, 11.5
	if st := c.JSON("POST", "/api/v1/energy/quota-standards", body, nil); st != 201 {
		t.Fatalf("next edition: %d", st)
	}
	// The city's own standard now applies to a city unit in 2026 ahead of the province's example.
	var v struct {
		Unit struct {
			Levels []struct {
				Indicator       string  `json:"indicator"`
				ConstraintValue float64 `json:"constraint_value"`
			} `json:"levels"`
		} `json:"unit"`
	}
	c.JSON("GET", fmt.Sprintf("/api/v1/energy/quotas?year=2026&org_id=%d", e.orgID(t, "青山市委办公室")), nil, &v)
	found := false
	for _, l := range v.Unit.Levels {
		if l.Indicator == "per_area_kgce" {
			found = l.ConstraintValue == 12
		}
	}
	if !found {
		t.Fatalf("levels %+v", v.Unit.Levels)
	}
	r := e.Browser("energy", demoPW).Get(fmt.Sprintf("/energy/quota-standards/%d", s.ID))
	if r.StatusCode != 200 || !strings.Contains(r.Body, "截止年度") || !strings.Contains(r.Body, "2026") {
		t.Fatalf("history page: %d", r.StatusCode)
	}
}

var keyRe = regexp.MustCompile(`"(quota\.[a-z0-9_.]+)\|`)

// TestPages renders every page for the energy manager, a county and a unit administrator and the supervisor, and
// checks the English catalogue covers exactly the keys used.
func TestPages(t *testing.T) {
	e := newEnv(t, true)
	var std, expl int64
	_ = e.App.DB.QueryRow(context.Background(), "SELECT MIN(id) FROM energy_quota_standards").Scan(&std)
	_ = e.App.DB.QueryRow(context.Background(), "SELECT MIN(x.id) FROM energy_quota_explanations x JOIN orgs o ON o.id = x.org_id WHERE o.name = '松岭县教育局'").Scan(&expl)
	county := e.orgID(t, "松岭县机关事务服务中心")
	common := []string{"/energy/quotas", "/energy/quotas?year=2025", fmt.Sprintf("/energy/quotas?org_id=%d&year=2026", county), "/energy/quota-warnings",
		"/energy/quota-warnings?status=alert&sort=-ratio", "/energy/quota-explanations", "/energy/quota-standards", fmt.Sprintf("/energy/quota-standards/%d", std)}
	for _, u := range []struct {
		user  string
		extra []string
		deny  []string
	}{
		{"energy", []string{"/energy/quota-standards/new", "/energy/quota-explanations/new", fmt.Sprintf("/energy/quota-explanations/%d", expl)}, nil},
		{"songling", []string{"/energy/quota-explanations/new", fmt.Sprintf("/energy/quota-explanations/%d", expl)}, []string{"/energy/quota-standards/new"}},
		{"edu", []string{fmt.Sprintf("/energy/quota-explanations/%d", expl)}, []string{"/energy/quota-standards/new"}},
		{"supervisor", []string{fmt.Sprintf("/energy/quota-explanations/%d", expl)}, []string{"/energy/quota-explanations/new"}},
	} {
		c := e.Browser(u.user, demoPW)
		pages := append(append([]string{}, common...), u.extra...)
		for _, p := range pages {
			if u.user == "edu" && strings.Contains(p, fmt.Sprintf("org_id=%d", county)) {
				continue
			}
			r := c.Get(p)
			if r.StatusCode != 200 {
				t.Errorf("%s %s: %d", u.user, p, r.StatusCode)
				continue
			}
			if m := regexp.MustCompile(`quota\.[a-z_]+\.?[a-z_]*\|`).FindString(r.Body); m != "" {
				t.Errorf("%s %s: untranslated %s", u.user, p, m)
			}
		}
		for _, p := range u.deny {
			if r := c.Get(p); r.StatusCode != 403 {
				t.Errorf("%s %s: %d, want 403", u.user, p, r.StatusCode)
			}
		}
	}
	// edu sees its own unit only: the county's page is 404.
	if r := e.Browser("edu", demoPW).Get(fmt.Sprintf("/energy/quotas?org_id=%d", county)); r.StatusCode != 404 {
		t.Errorf("edu on the county: %d", r.StatusCode)
	}
	// The overview shows the decomposition table with the children and the warning card.
	r := e.Browser("energy", demoPW).Get("/energy/quotas?year=2026")
	for _, want := range []string{`id="quota-table"`, `id="warning-card"`, "青山市机关事务管理局", "按上年实际用量占比", `data-chart=`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	// English catalogue: every key used has a translation and every translation is used.
	var en map[string]string
	b, _ := os.ReadFile("i18n/en.json")
	if err := json.Unmarshal(b, &en); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	files, _ := os.ReadDir("templates")
	var srcs []string
	for _, f := range files {
		srcs = append(srcs, "templates/"+f.Name())
	}
	gos, _ := os.ReadDir(".")
	for _, f := range gos {
		if strings.HasSuffix(f.Name(), ".go") && !strings.HasSuffix(f.Name(), "_test.go") {
			srcs = append(srcs, f.Name())
		}
	}
	for _, p := range srcs {
		b, _ := os.ReadFile(p)
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	for k := range used {
		if en[k] == "" {
			t.Errorf("no English for %s", k)
		}
	}
	for k := range en {
		if !used[k] {
			t.Errorf("unused English key %s", k)
		}
	}
}

// TestExplanationsExport: the over-quota explanations as Excel, filtered like the page.
func TestExplanationsExport(t *testing.T) {
	e := newEnv(t, true)
	b := e.Browser("energy", demoPW)
	all := b.SheetTable("/energy/quota-explanations?format=xlsx")
	want := e.Count(t, "SELECT COUNT(*) FROM energy_quota_explanations")
	if int64(len(all)-1) != want || all[0][0] != "单位" || all[0][4] != "状态" {
		t.Fatalf("export: %d rows for %d explanations, header %v", len(all)-1, want, all[0])
	}
	sub := b.SheetTable("/energy/quota-explanations?format=xlsx&status=submitted")
	for _, r := range sub[1:] {
		if r[4] != "审批中" {
			t.Errorf("status filter: %v", r)
		}
	}
	if len(sub) >= len(all) {
		t.Errorf("the status filter kept %d of %d rows", len(sub), len(all))
	}
}
