package browsertest

import (
	"strings"
	"testing"
)

// TestAssetPool is issue 9's pool flow in a browser: the education bureau offers one of its assets to the 公物仓 on
// the asset card; the bureau's asset manager approves the listing; the county's unit administrator claims it for
// the county's service centre; the asset manager approves the claim; the card now shows in the service centre's
// ledger with its number and its history.
func TestAssetPool(t *testing.T) {
	t.Parallel()
	s := StartServer(t)

	// The education bureau offers an asset.
	u := s.NewTab(t, "asset-unit")
	u.SignIn("edu", DemoPassword)
	u.Open("/assets?status=in_use")
	card := u.FirstRowLink()
	if !strings.HasPrefix(card, "/assets/") {
		t.Fatalf("no asset in the education bureau's ledger: %s", short(u.Text("main")))
	}
	u.Open(card)
	code := strings.Fields(u.Text("main h1"))[0]
	u.Type("#offer-form #f-reason", "人员调整后闲置")
	u.Type("#offer-form #f-condition", "九成新")
	if st := u.ClickAndWait("#offer-form button[type=submit]"); st != 200 || u.Path() != card {
		t.Fatalf("offer: status %d on %s: %s", st, u.Path(), short(u.Text("main")))
	}
	u.Check()
	u.ExpectText("main .flash", "已申报公物仓")
	links := u.Links(`main a[href^="/assets/pool/items/"]`)
	if len(links) != 1 {
		t.Fatalf("the card shows no pool record: %s", short(u.Text("main")))
	}
	item := strings.TrimPrefix(links[0], s.URL)
	u.Snap("offered")

	// The bureau approves the listing.
	m := s.NewTab(t, "asset-manager")
	m.SignIn("asset", DemoPassword)
	m.Open(item)
	m.ExpectText("#listing-status", "待审核")
	if st := m.ClickAndWait("#listing-approve button[type=submit]"); st != 200 || m.Path() != item {
		t.Fatalf("approve the listing: status %d on %s: %s", st, m.Path(), short(m.Text("main")))
	}
	m.Check()
	m.ExpectText("#listing-status", "可申领")

	// The county claims it for its service centre.
	c := s.NewTab(t, "asset-claimer")
	c.SignIn("songling", DemoPassword)
	c.Open("/assets/pool?status=available")
	c.ExpectText("#pool-listings", code)
	c.Open(item)
	const centre = "松岭县机关事务服务中心"
	c.WaitFor("the claiming unit's options", `[...document.querySelectorAll('#claim-form select[name=org_id] option')].some(o => o.textContent.includes('`+centre+`'))`)
	Eval[bool](c, `(() => { const s = document.querySelector('#claim-form select[name=org_id]');
		s.value = [...s.options].find(o => o.textContent.includes('`+centre+`')).value; return true })()`)
	c.Type("#claim-form #f-reason", "新设科室办公需要")
	if st := c.ClickAndWait("#claim-form button[type=submit]"); st != 200 || c.Path() != item {
		t.Fatalf("claim: status %d on %s: %s", st, c.Path(), short(c.Text("main")))
	}
	c.Check()
	c.ExpectText("#listing-status", "申领中")
	c.Snap("claimed")

	// The bureau approves the claim; the asset moves.
	m.Open(item)
	if st := m.ClickAndWait(`#listing-claims form[action$="/approve"] button`); st != 200 {
		t.Fatalf("approve the claim: status %d on %s: %s", st, m.Path(), short(m.Text("main")))
	}
	m.Check()
	m.ExpectText("#listing-status", "已调剂")

	// The service centre's ledger shows it.
	c.Open("/assets?q=" + code)
	c.ExpectText("#asset-ledger", centre)
	c.Open(card)
	c.ExpectText("#asset-org", centre)
	c.Open(card + "?tab=history")
	c.ExpectText("main", "经公物仓调剂")
	c.Snap("transferred")
	// The education bureau no longer sees it.
	u.Open(card, 404)
}
