package space

import "github.com/govops/govops/internal/platform/module"

// objects name office-space records in the activity feed and link them to their pages (module.Object).
func objects() []module.Object {
	named := func(typ, sel, idCol, orgCol, page string) module.Object {
		o := module.Object{Type: typ, Names: module.NamesQuery(sel, idCol, orgCol)}
		if page != "" {
			o.Link = module.LinkTo(page)
		}
		return o
	}
	return []module.Object{
		named(objProperty, "SELECT x.id, x.name FROM space_properties x", "x.id", "x.org_id", "/space/properties/"),
		named(objBuilding, "SELECT x.id, x.name FROM buildings x", "x.id", "x.org_id", "/space/buildings/"),
		named(objRoom, "SELECT x.id, b.name || ' ' || x.number FROM space_rooms x JOIN buildings b ON b.id = x.building_id", "x.id", "x.org_id", "/space/rooms/"),
		named(objAgreement, "SELECT x.id, o.name || ' ' || x.agreement_no FROM space_agreements x JOIN orgs o ON o.id = x.org_id", "x.id", "x.org_id", "/space/agreements/"),
		named(objViolation, "SELECT x.id, o.name FROM space_violations x JOIN orgs o ON o.id = x.org_id", "x.id", "x.org_id", ""),
		named(objRectify, "SELECT x.id, o.name FROM space_rectifications x JOIN orgs o ON o.id = x.org_id", "x.id", "x.org_id", "/space/rectifications/"),
		named(objAllocation, "SELECT x.id, x.title FROM space_allocations x", "x.id", "x.org_id", "/space/allocations/"),
		named(objVacate, "SELECT x.id, o.name || ' ' || r.number FROM space_vacates x JOIN orgs o ON o.id = x.org_id JOIN space_rooms r ON r.id = x.room_id", "x.id", "x.org_id", ""),
		named(objRepair, "SELECT x.id, x.title FROM space_repairs x", "x.id", "x.org_id", "/space/repairs/"),
		named(objDisposal, "SELECT x.id, b.name FROM space_disposals x JOIN buildings b ON b.id = x.building_id", "x.id", "x.org_id", ""),
		named(objStocktake, "SELECT x.id, x.name FROM space_stocktakes x", "x.id", "x.org_id", "/space/stocktakes/"),
	}
}
