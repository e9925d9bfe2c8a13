package app_test

import "testing"

// kRequest is a purchase request (新增资产配置申请) of the position's unit.
var kRequest = &kind{name: "asset purchase request", scope: byOrg, cols: []string{"id"},
	sql:   "SELECT r.id FROM asset_requests r JOIN orgs o ON o.id = r.org_id WHERE r.reason = '矩阵测试配置' AND %s ORDER BY r.id LIMIT 1",
	make:  func(m *matrix, t *testing.T, p pos) { m.freshRequest(t, p) },
	fresh: func(m *matrix, t *testing.T, p pos) []string { return ids(m.freshRequest(t, p)) }}

func (m *matrix) freshRequest(t *testing.T, p pos) int64 {
	t.Helper()
	return m.post(t, m.admin, "POST", "/api/v1/asset-requests", map[string]any{"org_id": m.orgs[p], "class_code": "A02010105", "name": "台式计算机",
		"price_yuan": 4800, "reason": "矩阵测试配置"})
}
