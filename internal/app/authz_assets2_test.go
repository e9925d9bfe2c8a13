package app_test

import (
	"fmt"
	"testing"
)

// The records of the asset stocktake, its adjustments and the loans that the matrix names (issue 9): the matrix's
// own, each over one fresh card kept in a store of its own (矩阵测试库房), so checks never touch the demo's cards.
var (
	kAssetStocktake = &kind{name: "asset stocktake", scope: byOrg, cols: []string{"id"},
		sql:   "SELECT s.id FROM asset_stocktakes s JOIN orgs o ON o.id = s.org_id WHERE s.name = '矩阵测试盘点' AND s.status = 'open' AND %s ORDER BY s.id LIMIT 1",
		make:  func(m *matrix, t *testing.T, p pos) { m.freshAssetStocktake(t, p) },
		fresh: func(m *matrix, t *testing.T, p pos) []string { return ids(m.freshAssetStocktake(t, p)) }}
	kAdjustment = &kind{name: "stocktake adjustment", scope: byOrg, cols: []string{"id"},
		sql: "SELECT x.id FROM asset_adjustments x JOIN asset_stocktakes s ON s.id = x.stocktake_id JOIN orgs o ON o.id = x.org_id " +
			"WHERE s.name = '矩阵测试盘点' AND %s ORDER BY x.id LIMIT 1",
		make:  func(m *matrix, t *testing.T, p pos) { m.freshAdjustment(t, p) },
		fresh: func(m *matrix, t *testing.T, p pos) []string { return ids(m.freshAdjustment(t, p)) }}
	kLoan = &kind{name: "asset loan", scope: byOrg, cols: []string{"id"},
		sql:   "SELECT x.id FROM asset_loans x JOIN orgs o ON o.id = x.org_id WHERE x.purpose = '矩阵测试出借' AND %s ORDER BY x.id LIMIT 1",
		make:  func(m *matrix, t *testing.T, p pos) { m.freshLoan(t, p) },
		fresh: func(m *matrix, t *testing.T, p pos) []string { return ids(m.freshLoan(t, p)) }}
)

// freshAssetStocktake opens a stocktake at p over a fresh card in the matrix's store.
func (m *matrix) freshAssetStocktake(t *testing.T, p pos) int64 {
	t.Helper()
	store := fmt.Sprintf("矩阵测试库房 %d", m.n())
	m.post(t, m.admin, "POST", "/api/v1/assets", map[string]any{"org_id": m.orgs[p], "name": "矩阵测试资产", "class_code": "A02010105",
		"value_yuan": 5000, "acquired_on": "2024-01-01", "location": store})
	return m.post(t, m.admin, "POST", "/api/v1/asset-stocktakes", map[string]any{"org_id": m.orgs[p], "name": "矩阵测试盘点", "location": store})
}

// freshAdjustment closes a fresh stocktake at p with its card missing: its adjustment waits for the bureau.
func (m *matrix) freshAdjustment(t *testing.T, p pos) int64 {
	t.Helper()
	st := m.freshAssetStocktake(t, p)
	m.post(t, m.admin, "POST", fmt.Sprintf("/api/v1/asset-stocktakes/%d/close", st), map[string]any{})
	return m.int(t, "SELECT id FROM asset_adjustments WHERE stocktake_id = ?", st)
}

// freshLoan lends a fresh card at p to a temporary body (no unit of the tree, so only p decides who sees it).
func (m *matrix) freshLoan(t *testing.T, p pos) int64 {
	t.Helper()
	return m.post(t, m.admin, "POST", "/api/v1/asset-loans", map[string]any{"asset_id": m.freshAsset(t, p), "borrower": "矩阵测试活动组委会",
		"purpose": "矩阵测试出借", "due_on": "2099-12-31"})
}

// assetStocktakeRoutes are the rows of the stocktake, adjustment and loan routes (merged into routeTable).
var assetStocktakeRoutes = map[string]row{
	"GET /assets/stocktakes":                           read("asset:read"),
	"POST /assets/stocktakes":                          write("asset:register"),
	"GET /assets/stocktakes/tasks/{id}":                read("asset:read", kAssetStocktake).xlsx(),
	"GET /assets/stocktakes/tasks/{id}/scan":           read("asset:register", kAssetStocktake),
	"POST /assets/stocktakes/tasks/{id}/scan":          write("asset:register", kAssetStocktake),
	"POST /assets/stocktakes/tasks/{id}/surplus":       write("asset:register", kAssetStocktake),
	"POST /assets/stocktakes/tasks/{id}/close":         write("asset:register", kAssetStocktake).destroys(),
	"POST /assets/stocktakes/adjustments/{id}/approve": write("asset:approve", kAdjustment).destroys(),
	"POST /assets/stocktakes/adjustments/{id}/reject":  write("asset:approve", kAdjustment).destroys(),
	"GET /assets/stocktakes/static/{name}":             open().with("name", "scan.js"),
	"GET /assets/labels":                               read("asset:read"),
	"GET /assets/loans":                                read("asset:read").xlsx(),
	"POST /assets/loans":                               write("asset:register"),
	"POST /assets/loans/{id}/return":                   write("asset:register", kLoan).destroys(),
	"GET /api/v1/asset-stocktakes":                     read("asset:read"),
	"POST /api/v1/asset-stocktakes":                    write("asset:register", kOrg).send(`{"org_id":{id},"name":"矩阵测试盘点（范围）"}`),
	"GET /api/v1/asset-stocktakes/{id}":                read("asset:read", kAssetStocktake),
	"GET /api/v1/asset-stocktakes/{id}/items":          read("asset:read", kAssetStocktake),
	"POST /api/v1/asset-stocktakes/{id}/scans":         write("asset:register", kAssetStocktake),
	"POST /api/v1/asset-stocktakes/{id}/surplus":       write("asset:register", kAssetStocktake),
	"POST /api/v1/asset-stocktakes/{id}/close":         write("asset:register", kAssetStocktake).destroys(),
	"GET /api/v1/asset-adjustments":                    read("asset:read"),
	"GET /api/v1/asset-adjustments/{id}":               read("asset:read", kAdjustment),
	"POST /api/v1/asset-adjustments/{id}/approve":      write("asset:approve", kAdjustment).destroys(),
	"POST /api/v1/asset-adjustments/{id}/reject":       write("asset:approve", kAdjustment).destroys(),
	"GET /api/v1/asset-loans":                          read("asset:read"),
	"POST /api/v1/asset-loans":                         write("asset:register"),
	"GET /api/v1/asset-loans/{id}":                     read("asset:read", kLoan),
	"POST /api/v1/asset-loans/{id}/return":             write("asset:register", kLoan).destroys(),
}

func init() {
	for k, v := range assetStocktakeRoutes {
		if _, dup := authzTable[k]; dup {
			panic("authz table: two rows for " + k)
		}
		authzTable[k] = v
	}
}
