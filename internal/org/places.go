package org

// The spine's places. Buildings and rooms are registered once, by the office-space module, and referenced
// everywhere (meters hang on buildings, assets sit in rooms, meeting rooms are rooms, work orders name a room). A
// module that reads them declares a small interface returning these types, and the wiring passes the office-space
// module (docs/architecture.md, "What may import what"); the types live here, in the spine, so that neither side
// imports the other.

// Building is what other modules read of a building.
type Building struct {
	ID          int64
	OrgID       int64
	Name        string
	GrossAreaM2 float64
	BuiltYear   int
	Status      string
}

// Room is what other modules read of a room (meeting-room bookings, assets in rooms, work orders).
type Room struct {
	ID           int64
	BuildingID   int64
	BuildingName string
	OrgID        int64
	Floor        int
	Number       string
	UseType      string
	Subtype      string
	UsableAreaM2 float64
	Capacity     int
	Status       string
}
