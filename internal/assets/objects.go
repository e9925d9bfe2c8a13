package assets

import "github.com/govops/govops/internal/platform/module"

// objects name asset records in the activity feed and link them to their pages (module.Object).
func objects() []module.Object {
	named := func(typ, sel, idCol, orgCol, page string) module.Object {
		o := module.Object{Type: typ, Names: module.NamesQuery(sel, idCol, orgCol)}
		if page != "" {
			o.Link = module.LinkTo(page)
		}
		return o
	}
	return []module.Object{
		named(objAsset, "SELECT x.id, x.code || ' ' || x.name FROM assets x", "x.id", "x.org_id", "/assets/"),
		named(objListing, "SELECT x.id, a.code || ' ' || a.name FROM asset_pool_listings x JOIN assets a ON a.id = x.asset_id", "x.id", "x.org_id", "/assets/pool/items/"),
		named(objClaim, "SELECT x.id, a.code || ' ' || a.name FROM asset_pool_claims x JOIN asset_pool_listings l ON l.id = x.listing_id JOIN assets a ON a.id = l.asset_id", "x.id", "x.org_id", ""),
		named(objRequest, "SELECT x.id, x.name FROM asset_requests x", "x.id", "x.org_id", "/assets/requests/"),
		named(objDisposal, "SELECT x.id, a.code || ' ' || a.name FROM asset_disposals x JOIN assets a ON a.id = x.asset_id", "x.id", "x.org_id", ""),
	}
}
