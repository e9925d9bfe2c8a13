package org

// The official vehicles as other modules read them. Vehicles are registered once, by the fleet module; the
// telematics module reads a vehicle, its terminal and its dispatched trips through a small interface it declares,
// and the wiring passes the fleet module (docs/architecture.md, "What may import what"). The types live here, in
// the spine, so that neither side imports the other.

// Vehicle is what other modules read of a vehicle: its unit, plate, terminal and home parking spot.
type Vehicle struct {
	ID             int64
	OrgID          int64
	Plate          string
	TerminalPhone  string // the JT/T 808 terminal's phone number as registered in the ledger
	Status         string // in_use | sealed | disposed
	HolidaySeal    bool   // sealed over statutory holidays
	ParkingSpot    string // the home parking spot (text; may carry "lat,lon" coordinates)
	ParkingRadiusM int
}

// VehicleOrder is a dispatched trip of a vehicle (派车单): the window it covers, in Unix seconds, from the approved
// start to the approved end, widened by the actual start and completion when the trip ran longer.
type VehicleOrder struct {
	ID     int64
	From   int64
	To     int64
	Status string // dispatched | in_progress | completed
}
