package assets_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/clock"
)

type stocktake struct {
	ID      int64  `json:"id"`
	Status  string `json:"status"`
	Items   int64  `json:"items"`
	Found   int64  `json:"found"`
	Missing int64  `json:"missing"`
	Surplus int64  `json:"surplus"`
}

type item struct {
	ID      int64   `json:"id"`
	AssetID int64   `json:"asset_id"`
	Code    string  `json:"code"`
	Result  string  `json:"result"`
	Value   float64 `json:"value_yuan"`
}

type itemList struct {
	Items []item `json:"items"`
	Total int64  `json:"total"`
}

// store registers n cards of the unit in a store of their own and returns their codes.
func store(t *testing.T, c *apptest.Client, org int64, location string, n int) []string {
	t.Helper()
	var codes []string
	for i := 0; i < n; i++ {
		var a asset
		if st := c.JSON("POST", "/api/v1/assets", map[string]any{"org_id": org, "name": fmt.Sprintf("文件柜 %d", i+1), "class_code": "A05010502",
			"value_yuan": 1280, "acquired_on": "2023-05-10", "location": location}, &a); st != 201 {
			t.Fatalf("asset: %d", st)
		}
		codes = append(codes, a.Code)
	}
	return codes
}

// TestStocktakeFlow is issue 9's stocktake through the API: a task over one store of a unit lists its cards; codes
// typed (in any case, full-width or not) are found, unknown ones are a 422; a surplus asset is recorded; closing
// makes the unfound missing and files an adjustment that only the bureau approves; approval puts the missing cards
// to 待处置 with a pending 损失核销 and registers the surplus as a new card (盘盈, 重置值); a rejected adjustment
// opens the task again. The report exports to Excel and the labels carry QR codes (the three cards and the surplus
// card registered by the approval).
func TestStocktakeFlow(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	edu := env.OrgID(t, "松岭县教育局")
	other := env.OrgID(t, "示范省财政厅")
	unit := env.API("edu", demoPassword)
	bureau := env.API("asset", demoPassword)
	codes := store(t, unit, edu, "测试库房", 3)

	var st stocktake
	if code := unit.JSON("POST", "/api/v1/asset-stocktakes", map[string]any{"org_id": edu, "name": "测试库房盘点", "location": "测试库房"}, &st); code != 201 ||
		st.Items != 3 || st.Status != "open" {
		t.Fatalf("create: %d %+v", code, st)
	}
	var e apptest.ErrorBody
	if code := unit.JSON("POST", "/api/v1/asset-stocktakes", map[string]any{"org_id": edu, "name": "空", "location": "不存在的库房"}, &e); code != 422 || e.Error.Fields["location"] == "" {
		t.Errorf("an empty store: %d %+v", code, e)
	}
	if code := unit.JSON("POST", "/api/v1/asset-stocktakes", map[string]any{"org_id": other, "name": "越权"}, nil); code != 404 {
		t.Errorf("another unit's stocktake: %d", code)
	}
	scan := fmt.Sprintf("/api/v1/asset-stocktakes/%d/scans", st.ID)
	var res struct {
		Item  item `json:"item"`
		Again bool `json:"again"`
	}
	if code := unit.JSON("POST", scan, map[string]any{"code": " " + strings.ToLower(codes[0]) + " "}, &res); code != 200 || res.Item.Result != "found" || res.Again {
		t.Fatalf("scan: %d %+v", code, res)
	}
	full := strings.NewReplacer("Z", "Ｚ", "C", "Ｃ", "0", "０", "-", "－").Replace(codes[1])
	if code := unit.JSON("POST", scan, map[string]any{"code": full}, &res); code != 200 || res.Item.Code != codes[1] {
		t.Errorf("a full-width code: %d %+v", code, res)
	}
	if code := unit.JSON("POST", scan, map[string]any{"code": codes[0]}, &res); code != 200 || !res.Again {
		t.Errorf("scanned twice: %d %+v", code, res)
	}
	if code := unit.JSON("POST", scan, map[string]any{"code": "ZC999999-999999"}, &e); code != 422 || e.Error.Fields["code"] == "" {
		t.Errorf("an unknown code: %d %+v", code, e)
	}
	surplus := fmt.Sprintf("/api/v1/asset-stocktakes/%d/surplus", st.ID)
	if code := unit.JSON("POST", surplus, map[string]any{"name": "投影仪", "class_code": "A99999999", "value_yuan": 3000}, &e); code != 422 || e.Error.Fields["class_code"] == "" {
		t.Errorf("surplus of an unknown class: %d %+v", code, e)
	}
	var sp item
	if code := unit.JSON("POST", surplus, map[string]any{"name": "投影仪", "class_code": "A02020000", "value_yuan": 3000, "code": "旧-0012"}, &sp); code != 200 || sp.Result != "surplus" {
		t.Fatalf("surplus: %d %+v", code, sp)
	}
	if code := env.API("songling", demoPassword).JSON("GET", fmt.Sprintf("/api/v1/asset-stocktakes/%d", st.ID), nil, nil); code != 200 {
		t.Errorf("the county reading its school bureau's stocktake: %d", code)
	}
	demoTask := id64(t, env, "SELECT id FROM asset_stocktakes WHERE name = '年度资产清查盘点'")
	if code := unit.JSON("GET", fmt.Sprintf("/api/v1/asset-stocktakes/%d", demoTask), nil, nil); code != 404 {
		t.Errorf("the service centre's stocktake read by the school bureau: %d", code)
	}
	if code := unit.JSON("POST", fmt.Sprintf("/api/v1/asset-stocktakes/%d/scans", demoTask), map[string]any{"code": "x"}, nil); code != 404 {
		t.Errorf("the service centre's stocktake scanned by the school bureau: %d", code)
	}

	// Close: the third card is missing.
	close := fmt.Sprintf("/api/v1/asset-stocktakes/%d/close", st.ID)
	if code := unit.JSON("POST", close, nil, &st); code != 200 || st.Status != "closed" || st.Missing != 1 || st.Surplus != 1 || st.Found != 2 {
		t.Fatalf("close: %d %+v", code, st)
	}
	if code := unit.JSON("POST", scan, map[string]any{"code": codes[2]}, nil); code != 409 {
		t.Errorf("scan after closing: %d", code)
	}
	var adjs struct {
		Items []struct {
			ID      int64  `json:"id"`
			Status  string `json:"status"`
			Missing int64  `json:"missing"`
		} `json:"items"`
	}
	if code := unit.JSON("GET", fmt.Sprintf("/api/v1/asset-adjustments?stocktake_id=%d", st.ID), nil, &adjs); code != 200 || len(adjs.Items) != 1 || adjs.Items[0].Missing != 1 {
		t.Fatalf("adjustments: %d %+v", code, adjs)
	}
	adj := adjs.Items[0].ID
	if code := unit.JSON("POST", fmt.Sprintf("/api/v1/asset-adjustments/%d/approve", adj), nil, nil); code != 403 {
		t.Errorf("the unit approving its own adjustment: %d", code)
	}
	var todo struct {
		Items []struct {
			Kind string `json:"kind"`
			Link string `json:"link"`
		} `json:"items"`
	}
	if code := bureau.JSON("GET", "/api/v1/todo", nil, &todo); code != 200 || !hasTodo(todo.Items, "assets.adjustment.approve", fmt.Sprintf("/assets/stocktakes/tasks/%d", st.ID)) {
		t.Errorf("the bureau's to-do list lacks the adjustment: %d %+v", code, todo)
	}
	if code := bureau.JSON("POST", fmt.Sprintf("/api/v1/asset-adjustments/%d/approve", adj), map[string]any{"comment": "同意"}, nil); code != 200 {
		t.Fatalf("approve: %d", code)
	}
	if code := bureau.JSON("POST", fmt.Sprintf("/api/v1/asset-adjustments/%d/approve", adj), nil, nil); code != 409 {
		t.Errorf("approved twice: %d", code)
	}
	if unit.JSON("GET", fmt.Sprintf("/api/v1/asset-stocktakes/%d", st.ID), nil, &st); st.Status != "reconciled" {
		t.Errorf("after approval: %+v", st)
	}
	missingID := id64(t, env, "SELECT id FROM assets WHERE code = ?", codes[2])
	var a asset
	unit.JSON("GET", fmt.Sprintf("/api/v1/assets/%d", missingID), nil, &a)
	if a.Status != "disposing" || !historyHas(a, "盘点盘亏") {
		t.Errorf("the missing card: %+v", a)
	}
	if n := env.Count(t, "SELECT COUNT(*) FROM asset_disposals WHERE asset_id = ? AND method = 'write_off' AND status = 'pending'", missingID); n != 1 {
		t.Errorf("write-off requests of the missing card: %d", n)
	}
	var items itemList
	unit.JSON("GET", fmt.Sprintf("/api/v1/asset-stocktakes/%d/items?result=surplus", st.ID), nil, &items)
	if len(items.Items) != 1 || items.Items[0].AssetID == 0 {
		t.Fatalf("surplus items: %+v", items)
	}
	var found struct {
		asset
		Acquisition string `json:"acquisition"`
		ValueType   string `json:"value_type"`
	}
	unit.JSON("GET", fmt.Sprintf("/api/v1/assets/%d", items.Items[0].AssetID), nil, &found)
	if found.Acquisition != "surplus" || found.ValueType != "replacement" || found.ValueYuan != 3000 || found.OrgID != edu || found.Status != "in_use" {
		t.Errorf("the surplus card: %+v", found)
	}
	if n := env.Count(t, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'asset_stocktake' AND object_id = ?", fmt.Sprint(st.ID)); n != 5 {
		t.Errorf("audit entries of the stocktake: %d", n)
	}

	// A rejected adjustment opens the task again.
	var st2 stocktake
	codes2 := store(t, unit, edu, "二号库房", 2)
	unit.JSON("POST", "/api/v1/asset-stocktakes", map[string]any{"org_id": edu, "name": "二号库房盘点", "location": "二号库房"}, &st2)
	unit.JSON("POST", fmt.Sprintf("/api/v1/asset-stocktakes/%d/scans", st2.ID), map[string]any{"code": codes2[0]}, nil)
	unit.JSON("POST", fmt.Sprintf("/api/v1/asset-stocktakes/%d/close", st2.ID), nil, &st2)
	adj2 := id64(t, env, "SELECT id FROM asset_adjustments WHERE stocktake_id = ?", st2.ID)
	if code := bureau.JSON("POST", fmt.Sprintf("/api/v1/asset-adjustments/%d/reject", adj2), map[string]any{"comment": "请复盘"}, nil); code != 200 {
		t.Fatalf("reject: %d", code)
	}
	if unit.JSON("GET", fmt.Sprintf("/api/v1/asset-stocktakes/%d", st2.ID), nil, &st2); st2.Status != "open" || st2.Missing != 0 || st2.Found != 1 {
		t.Errorf("after rejection: %+v", st2)
	}
	if code := unit.JSON("POST", fmt.Sprintf("/api/v1/asset-stocktakes/%d/scans", st2.ID), map[string]any{"code": codes2[1]}, nil); code != 200 {
		t.Errorf("recount: %d", code)
	}
	if unit.JSON("POST", fmt.Sprintf("/api/v1/asset-stocktakes/%d/close", st2.ID), nil, &st2); st2.Status != "reconciled" {
		t.Errorf("a stocktake without differences: %+v", st2)
	}

	// The report in Excel and the labels.
	b := env.Browser("edu", demoPassword)
	rows := b.SheetTable(fmt.Sprintf("/assets/stocktakes/tasks/%d?format=xlsx", st.ID))
	if len(rows) < 5 || !strings.Contains(strings.Join(rows[0], " "), "盘点结果") || !sheetHas(rows, "盘亏") || !sheetHas(rows, "盘盈") {
		t.Errorf("the report workbook: %v", rows)
	}
	r := b.Get(fmt.Sprintf("/assets/labels?stocktake_id=%d", st.ID))
	if r.StatusCode != 200 || strings.Count(r.Body, "data:image/png;base64,") != 4 || !strings.Contains(r.Body, codes[0]) {
		t.Errorf("labels: %d %d QR codes", r.StatusCode, strings.Count(r.Body, "data:image/png;base64,"))
	}
}

func hasTodo(items []struct {
	Kind string `json:"kind"`
	Link string `json:"link"`
}, kind, link string) bool {
	for _, it := range items {
		if it.Kind == kind && (link == "" || it.Link == link) {
			return true
		}
	}
	return false
}

func historyHas(a asset, s string) bool {
	for _, h := range a.History {
		if strings.Contains(h.Summary, s) {
			return true
		}
	}
	return false
}

func sheetHas(rows [][]string, s string) bool {
	for _, r := range rows {
		for _, c := range r {
			if c == s {
				return true
			}
		}
	}
	return false
}

// runReminders runs the module's reminder job as the scheduler would.
func runReminders(t *testing.T, env *apptest.Env) string {
	t.Helper()
	for _, mf := range env.App.Manifests {
		for _, j := range mf.Jobs {
			if j.Name == "assets.reminders" {
				out, err := j.Run(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
		}
	}
	t.Fatal("no assets.reminders job")
	return ""
}

// TestLoansAndReminders: a loan to a temporary body with its return date; a second loan of the same asset is a 409;
// once past the date the loan is overdue, on the unit's to-do list and reminded once; the return closes it. An
// asset idle more than six months (asset.idle) is reminded once to its unit and shows on its to-do list until it is
// offered to the pool.
func TestLoansAndReminders(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	edu := env.OrgID(t, "松岭县教育局")
	unit := env.API("edu", demoPassword)
	eduUser := id64(t, env, "SELECT id FROM users WHERE username = 'edu'")
	today := clock.Today(env.Clock.Now())
	due := clock.Today(env.Clock.Now().AddDate(0, 0, 5))
	codes := store(t, unit, edu, "出借测试", 1)
	assetID := id64(t, env, "SELECT id FROM assets WHERE code = ?", codes[0])

	type loan struct {
		ID      int64  `json:"id"`
		Status  string `json:"status"`
		Overdue bool   `json:"overdue"`
		DueOn   string `json:"due_on"`
	}
	var l loan
	body := map[string]any{"asset_code": codes[0], "borrower": "松岭县运动会组委会", "purpose": "县运会器材保障", "due_on": due}
	if code := unit.JSON("POST", "/api/v1/asset-loans", body, &l); code != 201 || l.Status != "out" || l.Overdue {
		t.Fatalf("lend: %d %+v", code, l)
	}
	if code := unit.JSON("POST", "/api/v1/asset-loans", body, nil); code != 409 {
		t.Errorf("lent twice: %d", code)
	}
	var e apptest.ErrorBody
	if code := unit.JSON("POST", "/api/v1/asset-loans", map[string]any{"asset_id": assetID, "borrower": "x", "purpose": "y", "start_on": due, "due_on": today}, &e); code != 422 ||
		e.Error.Fields["due_on"] == "" {
		t.Errorf("returned before lent: %d %+v", code, e)
	}
	runReminders(t, env)
	if n := env.Count(t, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND event = 'asset.loan_overdue'", eduUser); n != 0 {
		t.Errorf("reminded before the date: %d", n)
	}

	// Ten days on the loan is overdue.
	env.Clock.Advance(10 * 24 * time.Hour)
	unit = env.API("edu", demoPassword) // a new session: the old one has expired
	if unit.JSON("GET", fmt.Sprintf("/api/v1/asset-loans/%d", l.ID), nil, &l); !l.Overdue {
		t.Errorf("not overdue after the date: %+v", l)
	}
	var list itemListLoans
	if code := unit.JSON("GET", "/api/v1/asset-loans?status=overdue", nil, &list); code != 200 || !containsLoan(list, l.ID) {
		t.Errorf("overdue list: %d %+v", code, list)
	}
	runReminders(t, env)
	runReminders(t, env)
	if n := env.Count(t, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND event = 'asset.loan_overdue' AND title LIKE ?", eduUser, codes[0]+"%"); n != 1 {
		t.Errorf("overdue reminders of the loan: %d (want one)", n)
	}
	var todo struct {
		Items []struct {
			Kind string `json:"kind"`
			Link string `json:"link"`
		} `json:"items"`
	}
	if unit.JSON("GET", "/api/v1/todo", nil, &todo); !hasTodo(todo.Items, "assets.loan.overdue", "") {
		t.Errorf("the unit's to-do list lacks the overdue loan: %+v", todo)
	}
	if code := unit.JSON("POST", "/api/v1/pool/listings", map[string]any{"asset_id": assetID, "reason": "闲置"}, nil); code != 409 {
		t.Errorf("a lent asset offered to the pool: %d", code)
	}
	if code := unit.JSON("POST", fmt.Sprintf("/api/v1/assets/%d/disposals", assetID), map[string]any{"method": "scrap", "reason": "报废"}, nil); code != 409 {
		t.Errorf("a lent asset disposed of: %d", code)
	}
	if code := unit.JSON("POST", fmt.Sprintf("/api/v1/asset-loans/%d/return", l.ID), map[string]any{"note": "完好"}, &l); code != 200 || l.Status != "returned" || l.Overdue {
		t.Errorf("return: %d %+v", code, l)
	}
	if code := unit.JSON("POST", fmt.Sprintf("/api/v1/asset-loans/%d/return", l.ID), nil, nil); code != 409 {
		t.Errorf("returned twice: %d", code)
	}
	var a asset
	if unit.JSON("GET", fmt.Sprintf("/api/v1/assets/%d", assetID), nil, &a); !historyHas(a, "逾期归还") || !historyHas(a, "出借给 松岭县运动会组委会") {
		t.Errorf("the card's history: %+v", a.History)
	}

	// An idle card: first seen idle today, reminded seven months on, once.
	var idle asset
	if code := unit.JSON("POST", "/api/v1/assets", map[string]any{"org_id": edu, "name": "闲置投影仪", "class_code": "A02020000", "value_yuan": 4000,
		"acquired_on": "2022-01-10", "status": "idle"}, &idle); code != 201 {
		t.Fatalf("idle asset: %d", code)
	}
	runReminders(t, env)
	env.Clock.Advance(5 * 30 * 24 * time.Hour)
	runReminders(t, env)
	if n := env.Count(t, "SELECT COUNT(*) FROM notifications WHERE event = 'asset.idle' AND link = ?", fmt.Sprintf("/assets/%d", idle.ID)); n != 0 {
		t.Errorf("reminded after five months: %d", n)
	}
	env.Clock.Advance(2 * 30 * 24 * time.Hour)
	runReminders(t, env)
	runReminders(t, env)
	unit = env.API("edu", demoPassword)
	if n := env.Count(t, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND event = 'asset.idle' AND link = ?", eduUser, fmt.Sprintf("/assets/%d", idle.ID)); n != 1 {
		t.Errorf("idle reminders to the unit: %d (want one)", n)
	}
	if unit.JSON("GET", "/api/v1/todo", nil, &todo); !hasTodo(todo.Items, "assets.idle.offer", fmt.Sprintf("/assets/%d", idle.ID)) {
		t.Errorf("the unit's to-do list lacks the idle asset: %+v", todo)
	}
	if code := unit.JSON("POST", "/api/v1/pool/listings", map[string]any{"asset_id": idle.ID, "reason": "闲置"}, nil); code != 201 {
		t.Fatalf("offer: %d", code)
	}
	if unit.JSON("GET", "/api/v1/todo", nil, &todo); hasTodo(todo.Items, "assets.idle.offer", fmt.Sprintf("/assets/%d", idle.ID)) {
		t.Errorf("the offered asset is still on the to-do list")
	}
}

type itemListLoans struct {
	Items []struct {
		ID int64 `json:"id"`
	} `json:"items"`
}

func containsLoan(l itemListLoans, id int64) bool {
	for _, x := range l.Items {
		if x.ID == id {
			return true
		}
	}
	return false
}

// TestDemoStocktakeAndLoans: the demo holds an open stocktake with items found and an event loan overdue, whatever
// the date.
func TestDemoStocktakeAndLoans(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	if n := env.Count(t, `SELECT COUNT(*) FROM asset_stocktakes s WHERE s.status = 'open'
		AND EXISTS (SELECT 1 FROM asset_stocktake_items i WHERE i.stocktake_id = s.id AND i.result = 'found')
		AND EXISTS (SELECT 1 FROM asset_stocktake_items i WHERE i.stocktake_id = s.id AND i.result = 'pending')`); n != 1 {
		t.Errorf("open demo stocktakes partly counted: %d", n)
	}
	var list itemListLoans
	if code := env.API("asset", demoPassword).JSON("GET", "/api/v1/asset-loans?status=overdue", nil, &list); code != 200 || len(list.Items) != 1 {
		t.Errorf("overdue demo loans: %d %+v", code, list)
	}
}
