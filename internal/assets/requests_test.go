package assets_test

import (
	"fmt"
	"testing"

	"github.com/govops/govops/internal/apptest"
)

// TestStandardsAndRequests: a card bought above the price cap is flagged on the card and in the findings; a
// purchase request lists the matching pool item, cannot be approved while it is available without a reason (409),
// is approved with one, and another request is met from the pool instead (a pool claim is filed).
func TestStandardsAndRequests(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	edu := env.OrgID(t, "松岭县教育局")
	center := env.OrgID(t, "松岭县机关事务服务中心")
	unit := env.API("edu", demoPassword)
	county := env.API("songling", demoPassword)
	bureau := env.API("asset", demoPassword)

	var a asset
	if st := unit.JSON("POST", "/api/v1/assets", map[string]any{"org_id": edu, "name": "高配台式计算机", "class_code": "A02010105", "value_yuan": 8800,
		"acquired_on": "2025-05-10"}, &a); st != 201 {
		t.Fatalf("create: %d", st)
	}
	var flags struct {
		Items []struct{ Kind, Message string } `json:"items"`
	}
	if st := unit.JSON("GET", fmt.Sprintf("/api/v1/assets/%d/standard-flags", a.ID), nil, &flags); st != 200 || len(flags.Items) != 1 || flags.Items[0].Kind != "over_price" {
		t.Fatalf("flags: %d %+v", st, flags)
	}
	var findings struct {
		Items []struct {
			Kind    string `json:"kind"`
			AssetID int64  `json:"asset_id"`
		} `json:"items"`
	}
	if st := bureau.JSON("GET", "/api/v1/asset-standards/findings", nil, &findings); st != 200 {
		t.Fatalf("findings: %d", st)
	}
	found := false
	for _, f := range findings.Items {
		found = found || (f.AssetID == a.ID && f.Kind == "over_price")
	}
	if !found {
		t.Errorf("the card above the cap is not in the findings: %+v", findings.Items)
	}

	// A laptop of the county centre in the pool.
	var laptop asset
	if st := county.JSON("POST", "/api/v1/assets", map[string]any{"org_id": center, "name": "便携式计算机", "class_code": "A02010108", "value_yuan": 6000,
		"acquired_on": "2023-02-01"}, &laptop); st != 201 {
		t.Fatalf("laptop: %d", st)
	}
	var l struct {
		ID int64 `json:"id"`
	}
	if st := county.JSON("POST", "/api/v1/pool/listings", map[string]any{"asset_id": laptop.ID, "reason": "人员调出闲置"}, &l); st != 201 {
		t.Fatalf("offer: %d", st)
	}
	if st := bureau.JSON("POST", fmt.Sprintf("/api/v1/pool/listings/%d/approve", l.ID), map[string]any{}, nil); st != 200 {
		t.Fatalf("approve listing: %d", st)
	}

	type request struct {
		ID           int64  `json:"id"`
		Status       string `json:"status"`
		OverStandard string `json:"over_standard"`
		ClaimID      int64  `json:"claim_id"`
		PoolMatches  []struct {
			ID int64 `json:"id"`
		} `json:"pool_matches"`
	}
	body := map[string]any{"org_id": edu, "class_code": "A02010108", "name": "便携式计算机", "price_yuan": 7600, "reason": "外勤执法需要"}
	var r request
	if st := county.JSON("POST", "/api/v1/asset-requests", body, &r); st != 201 || r.Status != "pending" || len(r.PoolMatches) != 1 || r.PoolMatches[0].ID != l.ID ||
		r.OverStandard == "" {
		t.Fatalf("request: %d %+v", st, r)
	}
	for _, c := range []struct {
		field string
		v     any
	}{{"class_code", "Z99999999"}, {"price_yuan", -1}, {"reason", ""}} {
		b := map[string]any{}
		for k, v := range body {
			b[k] = v
		}
		b[c.field] = c.v
		if st := county.JSON("POST", "/api/v1/asset-requests", b, nil); st != 422 {
			t.Errorf("%s=%v: %d, want 422", c.field, c.v, st)
		}
	}
	var e struct {
		Error struct {
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	if st := bureau.JSON("POST", fmt.Sprintf("/api/v1/asset-requests/%d/approve", r.ID), map[string]any{}, &e); st != 409 || e.Error.Fields["pool_override"] == "" {
		t.Fatalf("approve with a pool item available and no reason: %d %+v", st, e)
	}
	if st := bureau.JSON("POST", fmt.Sprintf("/api/v1/asset-requests/%d/approve", r.ID), map[string]any{"pool_override": "公物仓资产配置不满足执法终端要求"}, &r); st != 200 ||
		r.Status != "approved" {
		t.Fatalf("approve with a reason: %d %+v", st, r)
	}
	if st := bureau.JSON("POST", fmt.Sprintf("/api/v1/asset-requests/%d/approve", r.ID), map[string]any{"pool_override": "x"}, nil); st != 409 {
		t.Errorf("approve twice: %d, want 409", st)
	}
	// A second request is met from the pool.
	var r2 request
	body["price_yuan"] = 6500
	if st := county.JSON("POST", "/api/v1/asset-requests", body, &r2); st != 201 || r2.OverStandard != "" {
		t.Fatalf("request 2: %d %+v", st, r2)
	}
	if st := county.JSON("POST", fmt.Sprintf("/api/v1/asset-requests/%d/claim", r2.ID), map[string]any{"listing_id": l.ID}, &r2); st != 200 || r2.Status != "pooled" ||
		r2.ClaimID == 0 {
		t.Fatalf("meet from the pool: %d %+v", st, r2)
	}
	var listing struct {
		Status string `json:"status"`
	}
	if st := bureau.JSON("GET", fmt.Sprintf("/api/v1/pool/listings/%d", l.ID), nil, &listing); st != 200 || listing.Status != "claimed" {
		t.Errorf("listing after the claim: %d %+v", st, listing)
	}
	// Out of scope: the education bureau does not see the county centre's request.
	var r3 request
	body["org_id"] = center
	if st := county.JSON("POST", "/api/v1/asset-requests", body, &r3); st != 201 {
		t.Fatalf("request 3: %d", st)
	}
	if st := unit.JSON("GET", fmt.Sprintf("/api/v1/asset-requests/%d", r3.ID), nil, nil); st != 404 {
		t.Errorf("out of scope: %d, want 404", st)
	}
	for _, path := range []string{"/asset-requests", fmt.Sprintf("/asset-requests/%d", r2.ID), "/asset-standards"} {
		if resp := bureau.Get(path); resp.StatusCode != 200 {
			t.Errorf("page %s: %d %.300s", path, resp.StatusCode, resp.Body)
		}
	}
}
