package assets_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/govops/govops/internal/apptest"
)

const demoPassword = "Demo@2026"

type asset struct {
	ID         int64   `json:"id"`
	OrgID      int64   `json:"org_id"`
	Code       string  `json:"code"`
	Status     string  `json:"status"`
	LifeMonths int     `json:"life_months"`
	ValueYuan  float64 `json:"value_yuan"`
	History    []struct {
		Summary string `json:"summary"`
	} `json:"history"`
}

type depreciation struct {
	LifeMonths      int     `json:"life_months"`
	MonthlyYuan     float64 `json:"monthly_yuan"`
	AccumulatedYuan float64 `json:"accumulated_yuan"`
	NetYuan         float64 `json:"net_yuan"`
}

func id64(t *testing.T, env *apptest.Env, query string, args ...any) int64 {
	t.Helper()
	var v int64
	if err := env.App.DB.QueryRow(context.Background(), query, args...).Scan(&v); err != nil {
		t.Fatalf("%s %v: %v", query, args, err)
	}
	return v
}

// TestAssetsAPI follows docs/api.md §Assets and the idle-asset pool: a card with its number, 422 for unknown classes
// and negative values, depreciation to the fen, the pool flow with 409s, history and depreciation continuous across
// the transfer, disposal, and 404 outside the scope.
func TestAssetsAPI(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	edu := env.OrgID(t, "松岭县教育局")
	other := env.OrgID(t, "示范省财政厅")
	center := env.OrgID(t, "松岭县机关事务服务中心")
	unit := env.API("edu", demoPassword)
	county := env.API("songling", demoPassword)
	bureau := env.API("asset", demoPassword)

	body := map[string]any{"org_id": edu, "name": "台式计算机", "class_code": "A02010105", "value_yuan": 5200, "acquired_on": "2024-03-15", "acquisition": "purchase"}
	var a asset
	if st := unit.JSON("POST", "/api/v1/assets", body, &a); st != 201 || a.Code == "" || a.LifeMonths != 72 || a.Status != "in_use" || a.OrgID != edu {
		t.Fatalf("create: %d %+v", st, a)
	}
	for _, c := range []struct {
		name, field string
		v           any
	}{{"unknown class", "class_code", "A99999999"}, {"bad class", "class_code", "PC"}, {"negative value", "value_yuan", -1}, {"fen", "value_yuan", 1.005},
		{"future", "acquired_on", "2999-01-01"}, {"short life", "life_months", 60}, {"acquisition", "acquisition", "stolen"}} {
		b := map[string]any{}
		for k, v := range body {
			b[k] = v
		}
		b[c.field] = c.v
		var e apptest.ErrorBody
		if st := unit.JSON("POST", "/api/v1/assets", b, &e); st != 422 || e.Error.Fields[c.field] == "" {
			t.Errorf("%s: %d %+v", c.name, st, e)
		}
	}
	if st := unit.JSON("POST", "/api/v1/assets", map[string]any{"org_id": other, "name": "x", "class_code": "A02010105", "value_yuan": 1, "acquired_on": "2024-01-01"}, nil); st != 404 {
		t.Errorf("another unit: %d", st)
	}
	// The ledger finds it by its code in any case (LIKE is case-sensitive on PostgreSQL).
	var found struct {
		Total int64 `json:"total"`
	}
	for _, q := range []string{a.Code, strings.ToLower(a.Code)} {
		if st := unit.JSON("GET", "/api/v1/assets?q="+url.QueryEscape(q), nil, &found); st != 200 || found.Total != 1 {
			t.Errorf("search %q: %d %+v", q, st, found)
		}
	}
	// Depreciation: 520000 fen / 72 = 7222 fen a month; 2025-03-15 is 12 months on.
	var d depreciation
	if st := unit.JSON("GET", fmt.Sprintf("/api/v1/assets/%d/depreciation?as_of=2025-03-15", a.ID), nil, &d); st != 200 || d.LifeMonths != 72 ||
		d.MonthlyYuan != 72.22 || d.AccumulatedYuan != 866.64 || d.NetYuan != 4333.36 {
		t.Errorf("depreciation: %d %+v", st, d)
	}
	if st := unit.JSON("GET", fmt.Sprintf("/api/v1/assets/%d/depreciation?as_of=2031-01-01", a.ID), nil, &d); st != 200 || d.AccumulatedYuan != 5200 || d.NetYuan != 0 {
		t.Errorf("fully depreciated: %d %+v", st, d)
	}
	if st := unit.JSON("GET", fmt.Sprintf("/api/v1/assets/%d/depreciation?as_of=2025-13-01", a.ID), nil, nil); st != 422 {
		t.Errorf("bad date: %d", st)
	}
	fin := id64(t, env, "SELECT id FROM assets WHERE org_id = ? ORDER BY id LIMIT 1", other)
	if st := unit.JSON("GET", fmt.Sprintf("/api/v1/assets/%d", fin), nil, nil); st != 404 {
		t.Errorf("the finance department's asset: %d", st)
	}

	// The pool.
	var l struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	if st := unit.JSON("POST", "/api/v1/pool/listings", map[string]any{"asset_id": a.ID, "reason": "人员减少闲置"}, &l); st != 201 || l.Status != "pending" {
		t.Fatalf("offer: %d %+v", st, l)
	}
	if st := unit.JSON("POST", "/api/v1/pool/listings", map[string]any{"asset_id": a.ID, "reason": "again"}, nil); st != 409 {
		t.Errorf("offered twice: %d", st)
	}
	claimURL := fmt.Sprintf("/api/v1/pool/listings/%d/claims", l.ID)
	if st := county.JSON("POST", claimURL, map[string]any{"org_id": center, "reason": "办公"}, nil); st != 409 {
		t.Errorf("claim of a pending listing: %d", st)
	}
	if st := unit.JSON("POST", fmt.Sprintf("/api/v1/pool/listings/%d/approve", l.ID), nil, nil); st != 403 {
		t.Errorf("a unit approving: %d", st)
	}
	if st := bureau.JSON("POST", fmt.Sprintf("/api/v1/pool/listings/%d/approve", l.ID), nil, &l); st != 200 || l.Status != "available" {
		t.Fatalf("approve: %d %+v", st, l)
	}
	var items struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
		Total int64 `json:"total"`
	}
	if st := county.JSON("GET", "/api/v1/pool/listings?status=available", nil, &items); st != 200 || items.Total == 0 {
		t.Errorf("catalogue: %d %+v", st, items)
	}
	if st := unit.JSON("POST", claimURL, map[string]any{"org_id": edu, "reason": "自用"}, nil); st != 409 {
		t.Errorf("claiming one's own asset: %d", st)
	}
	var c struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	if st := county.JSON("POST", claimURL, map[string]any{"org_id": center, "reason": "新设科室办公"}, &c); st != 201 || c.Status != "pending" {
		t.Fatalf("claim: %d %+v", st, c)
	}
	if st := county.JSON("POST", claimURL, map[string]any{"org_id": center, "reason": "再次申领"}, nil); st != 409 {
		t.Errorf("claim of a claimed listing: %d", st)
	}
	if st := bureau.JSON("POST", fmt.Sprintf("/api/v1/pool/claims/%d/approve", c.ID), nil, &c); st != 200 || c.Status != "approved" {
		t.Fatalf("approve claim: %d %+v", st, c)
	}
	if st := bureau.JSON("POST", fmt.Sprintf("/api/v1/pool/claims/%d/approve", c.ID), nil, nil); st != 409 {
		t.Errorf("approved twice: %d", st)
	}
	var moved asset
	if st := county.JSON("GET", fmt.Sprintf("/api/v1/assets/%d", a.ID), nil, &moved); st != 200 || moved.OrgID != center || moved.Status != "in_use" ||
		moved.Code != a.Code || len(moved.History) < 4 {
		t.Errorf("after transfer: %d %+v", st, moved)
	}
	if st := county.JSON("GET", fmt.Sprintf("/api/v1/assets/%d/depreciation?as_of=2025-03-15", a.ID), nil, &d); st != 200 || d.AccumulatedYuan != 866.64 {
		t.Errorf("depreciation after transfer: %d %+v", st, d)
	}
	if st := unit.JSON("GET", fmt.Sprintf("/api/v1/assets/%d", a.ID), nil, nil); st != 404 {
		t.Errorf("the former holder still sees the card: %d", st)
	}
	var stats struct {
		Reused    int64   `json:"reused"`
		SavedYuan float64 `json:"saved_yuan"`
	}
	if st := bureau.JSON("GET", "/api/v1/pool/stats", nil, &stats); st != 200 || stats.Reused < 1 || stats.SavedYuan < 5200 {
		t.Errorf("stats: %d %+v", st, stats)
	}

	// Disposal: the asset leaves the active ledger but stays readable.
	var disp struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	if st := county.JSON("POST", fmt.Sprintf("/api/v1/assets/%d/disposals", a.ID), map[string]any{"method": "melt", "reason": "坏了"}, nil); st != 422 {
		t.Errorf("bad method: %d", st)
	}
	if st := county.JSON("POST", fmt.Sprintf("/api/v1/assets/%d/disposals", a.ID), map[string]any{"method": "scrap", "reason": "主板损坏无维修价值"}, &disp); st != 200 || disp.Status != "pending" {
		t.Fatalf("dispose: %d %+v", st, disp)
	}
	if st := county.JSON("POST", fmt.Sprintf("/api/v1/assets/%d/disposals", a.ID), map[string]any{"method": "scrap", "reason": "again"}, nil); st != 409 {
		t.Errorf("disposal twice: %d", st)
	}
	if st := bureau.JSON("POST", fmt.Sprintf("/api/v1/asset-disposals/%d/approve", disp.ID), nil, &disp); st != 200 || disp.Status != "approved" {
		t.Fatalf("approve disposal: %d %+v", st, disp)
	}
	var list struct {
		Items []asset `json:"items"`
		Total int64   `json:"total"`
	}
	county.JSON("GET", fmt.Sprintf("/api/v1/assets?org_id=%d&page_size=500", center), nil, &list)
	for _, x := range list.Items {
		if x.ID == a.ID {
			t.Errorf("a disposed asset on the active ledger")
		}
	}
	if st := county.JSON("GET", fmt.Sprintf("/api/v1/assets/%d", a.ID), nil, &moved); st != 200 || moved.Status != "disposed" {
		t.Errorf("disposed card: %d %+v", st, moved)
	}
	var rep struct {
		Total struct {
			Count int64 `json:"count"`
		} `json:"total"`
	}
	if st := bureau.JSON("GET", "/api/v1/assets/depreciation-report", nil, &rep); st != 200 || rep.Total.Count < 100 {
		t.Errorf("report: %d %+v", st, rep)
	}
}
