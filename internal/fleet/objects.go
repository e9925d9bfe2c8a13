package fleet

import "github.com/govops/govops/internal/platform/module"

// objects name fleet records in the activity feed and link them to their pages (module.Object).
func objects() []module.Object {
	named := func(typ, sel, idCol, orgCol, page string) module.Object {
		o := module.Object{Type: typ, Names: module.NamesQuery(sel, idCol, orgCol)}
		if page != "" {
			o.Link = module.LinkTo(page)
		}
		return o
	}
	return []module.Object{
		named(objVehicle, "SELECT x.id, x.plate FROM fleet_vehicles x", "x.id", "x.org_id", "/fleet/vehicles/"),
		named(objDriver, "SELECT x.id, p.name FROM fleet_drivers x JOIN people p ON p.id = x.person_id", "x.id", "x.org_id", ""),
		named(objTrip, "SELECT x.id, p.name || ' ' || x.destination FROM fleet_trips x JOIN people p ON p.id = x.requester_id", "x.id", "x.org_id", "/fleet/trips/"),
		named(objCost, "SELECT x.id, v.plate FROM fleet_costs x JOIN fleet_vehicles v ON v.id = x.vehicle_id", "x.id", "x.org_id", ""),
		named(objQuota, "SELECT x.id, x.name FROM orgs x", "x.id", "x.id", "/fleet/compliance?org_id="),
	}
}
