package services

import "github.com/govops/govops/internal/platform/module"

// objects name services records in the activity feed and link them to their pages (module.Object).
func objects() []module.Object {
	return []module.Object{
		{Type: objOrder, Names: module.NamesQuery("SELECT x.id, x.room_label || ' ' || x.description FROM services_work_orders x", "x.id", "x.org_id"),
			Link: module.LinkTo("/services/work-orders/")},
		{Type: objBooking, Names: module.NamesQuery("SELECT x.id, x.room_label || ' ' || x.title FROM services_bookings x", "x.id", "x.org_id"),
			Link: module.LinkTo("/services/bookings/")},
	}
}
