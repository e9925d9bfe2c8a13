package browsertest

import (
	"strings"
	"testing"
)

// TestAssetStocktake is issue 9's stocktake on a phone: the education bureau's administrator opens a stocktake of
// its 三楼档案室 (three cards in the demo), types two of the three 资产编号 on the scan page, finishes, and sees the
// report with one card missing (盘亏); the bureau's asset manager approves the adjustment, and the missing card is
// now awaiting its loss write-off.
func TestAssetStocktake(t *testing.T) {
	t.Parallel()
	s := StartServer(t)

	u := s.NewTab(t, "stocktake-unit")
	u.SignIn("edu", DemoPassword)
	u.Phone()
	u.Open("/assets/stocktakes")
	u.Fill("#stocktake-form #f-name", "档案室盘点")
	u.Fill("#stocktake-form #f-location", "三楼档案室")
	if st := u.ClickAndWait("#stocktake-form button[type=submit]"); st != 200 || !strings.HasPrefix(u.Path(), "/assets/stocktakes/tasks/") {
		t.Fatalf("create: status %d on %s: %s", st, u.Path(), short(u.Text("main")))
	}
	u.Check()
	task := u.Path()
	u.ExpectText("#stocktake-stats", "3")
	if st := u.ClickAndWait("#scan-link"); st != 200 || u.Path() != task+"/scan" {
		t.Fatalf("open the scan page: status %d on %s", st, u.Path())
	}
	u.Check()
	if !Eval[bool](u, `(getComputedStyle(document.getElementById('scan-nocamera')).display !== 'none') !== (getComputedStyle(document.getElementById('scan-camera')).display !== 'none')`) {
		t.Errorf("the scan page should offer either the camera or say to type the code, not both or neither")
	}
	u.ExpectText("#scan-help", "输入")
	codes := strings.Fields(Eval[string](u, `[...document.querySelectorAll('#pending-items li > span.nowrap')].map(e => e.textContent).join(' ')`))
	if len(codes) != 3 {
		t.Fatalf("pending items: %v", codes)
	}
	if o := u.Overflow(); o.Px > 0 {
		t.Errorf("phone: the scan page is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	u.Snap("scan")
	for _, c := range codes[:2] {
		u.Fill("#f-code", c)
		if st := u.ClickAndWait("#scan-form button[type=submit]"); st != 200 || u.Path() != task+"/scan" {
			t.Fatalf("scan %s: status %d on %s: %s", c, st, u.Path(), short(u.Text("main")))
		}
		u.Check()
		u.ExpectText("main .flash", "已盘到 "+c)
	}
	u.ExpectText("#pending-items", codes[2])
	u.Open(task)
	Eval[bool](u, `(() => { window.confirm = () => true; return true })()`)
	if st := u.ClickAndWait("#close-form button[type=submit]"); st != 200 || u.Path() != task {
		t.Fatalf("finish: status %d on %s: %s", st, u.Path(), short(u.Text("main")))
	}
	u.Check()
	u.ExpectText("main .flash", "盘点调整已提交")
	u.ExpectText("#st-missing", "1")
	u.ExpectText("#adjustment-status", "待审批")
	if n := u.Count("#stocktake-items .badge-danger"); n != 1 {
		t.Errorf("the report shows %d missing cards, want 1", n)
	}
	u.ExpectText("#stocktake-items", codes[2])
	if o := u.Overflow(); o.Px > 0 {
		t.Errorf("phone: the report is %d px too wide: %s", o.Px, strings.Join(o.Culprits, "; "))
	}
	if u.Count("#adjustment-form") != 0 {
		t.Errorf("the unit is offered the bureau's approval")
	}
	u.Snap("report")

	// The bureau approves the adjustment.
	m := s.NewTab(t, "stocktake-bureau")
	m.SignIn("asset", DemoPassword)
	m.Open(task)
	if st := m.ClickAndWait("#adjustment-form button[type=submit]"); st != 200 || m.Path() != task {
		t.Fatalf("approve: status %d on %s: %s", st, m.Path(), short(m.Text("main")))
	}
	m.Check()
	m.ExpectText("#adjustment-status", "已批准")
	m.ExpectText("#stocktake-status", "已完成")
	m.Snap("approved")
	m.Open("/assets?status=disposing&q=" + codes[2])
	m.ExpectText("#asset-ledger", codes[2])
}
