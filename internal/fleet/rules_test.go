package fleet

import "testing"

func TestPlateKind(t *testing.T) {
	for _, c := range []struct{ plate, kind string }{
		{"京A12345", "ordinary"}, {"粤BD12345", "new_energy"}, {"京AF0236", "ordinary"}, {"京AF02368", "new_energy"}, {"沪A12345D", "new_energy"},
		{"沪A1234D5", ""}, {"粤BX12345", ""}, {"京A1234警", "police"}, {"京A1234应急", "emergency"}, {"京I12345", ""}, {"京A1234O", ""},
		{"XA12345", ""}, {"京A123456", ""}, {"京A1234", ""}, {"京AD1234X", ""},
	} {
		if got, why := PlateKind(NormalizePlate(c.plate)); got != c.kind || (got == "" && why == "") {
			t.Errorf("%s: %q %q, want %q", c.plate, got, why, c.kind)
		}
	}
	if NormalizePlate(" 京a·12345 ") != "京A12345" {
		t.Errorf("normalise: %q", NormalizePlate(" 京a·12345 "))
	}
}

func TestVIN(t *testing.T) {
	// 1M8GDM9AXKP042788 is the usual worked example of the check digit (X); LSVAM4187C2184847 one from a domestic
	// maker, its check digit 7.
	for _, c := range []struct {
		vin string
		ok  bool
	}{{"1M8GDM9AXKP042788", true}, {"1M8GDM9A1KP042788", false}, {"1M8GDM9AXKP04278", false}, {"1M8GDM9AXKP04278Q", false}, {"", true}} {
		if got := CheckVIN(c.vin) == ""; got != c.ok {
			t.Errorf("%s: ok %v, want %v (%s)", c.vin, got, c.ok, CheckVIN(c.vin))
		}
	}
	if c, ok := VINCheckChar("LSVAM4180C2184847"); !ok || c != '7' && c != 'X' && (c < '0' || c > '9') {
		t.Errorf("check char %c %v", c, ok)
	}
}

func TestTripMoves(t *testing.T) {
	ok := map[[2]string]string{
		{"submitted", "approve"}: "approved", {"submitted", "reject"}: "rejected", {"approved", "dispatch"}: "dispatched",
		{"dispatched", "start"}: "in_progress", {"in_progress", "complete"}: "completed", {"submitted", "cancel"}: "cancelled",
		{"approved", "cancel"}: "cancelled", {"dispatched", "cancel"}: "cancelled",
	}
	for _, st := range TripStatuses {
		for _, a := range []string{"approve", "reject", "dispatch", "start", "complete", "cancel"} {
			to, err := TripMove(st.Code, a)
			want, allowed := ok[[2]string{st.Code, a}]
			if allowed && (err != nil || to != want) || !allowed && err == nil {
				t.Errorf("%s %s: %q %v", st.Code, a, to, err)
			}
		}
	}
}

func TestCheckCaps(t *testing.T) {
	caps := map[string]Cap{
		"confidential/*": {PriceYuan: 120000, DisplacementL: 1.6}, "other/*": {PriceYuan: 180000, DisplacementL: 1.8},
		"other/mpv": {PriceYuan: 250000, DisplacementL: 3.0}, "nev/sedan": {PriceYuan: 180000}, "nev/*": {SameAsFuel: true},
	}
	lookup := func(k string) (Cap, bool) { c, ok := caps[k]; return c, ok }
	for _, c := range []struct {
		name        string
		v           VehicleFacts
		price, disp bool
	}{
		{"confidential within", VehicleFacts{Category: "confidential", Body: "sedan", Fuel: "gasoline", PriceYuan: 120000, DisplacementL: 1.6}, false, false},
		{"confidential over both", VehicleFacts{Category: "confidential", Body: "sedan", Fuel: "gasoline", PriceYuan: 120001, DisplacementL: 1.8}, true, true},
		{"other MPV exception", VehicleFacts{Category: "other", Body: "mpv", Fuel: "gasoline", PriceYuan: 240000, DisplacementL: 2.5}, false, false},
		{"NEV sedan under 18万 in a 12万 category", VehicleFacts{Category: "confidential", Body: "sedan", Fuel: "electric", PriceYuan: 170000}, false, false},
		{"NEV sedan over 18万", VehicleFacts{Category: "other", Body: "sedan", Fuel: "electric", PriceYuan: 190000}, true, false},
		{"NEV SUV held to the fuel standard", VehicleFacts{Category: "confidential", Body: "suv", Fuel: "plug_in_hybrid", PriceYuan: 130000, DisplacementL: 1.5}, true, false},
		{"PHEV displacement", VehicleFacts{Category: "other", Body: "suv", Fuel: "plug_in_hybrid", PriceYuan: 170000, DisplacementL: 2.0}, false, true},
		{"special: no standard", VehicleFacts{Category: "special", Body: "other", Fuel: "diesel", PriceYuan: 900000, DisplacementL: 6}, false, false},
	} {
		p, d, _, _ := CheckCaps(c.v, lookup)
		if (p != nil) != c.price || (d != nil) != c.disp {
			t.Errorf("%s: price %v disp %v, want %v %v", c.name, p, d, c.price, c.disp)
		}
	}
}

func TestRenewal(t *testing.T) {
	for _, c := range []struct {
		bought, today string
		ok            bool
	}{{"2018-03-01", "2026-03-01", false}, {"2018-03-01", "2026-03-02", true}, {"2020-01-01", "2026-11-16", false}, {"", "2026-11-16", false}} {
		if got := RenewalEligible(c.bought, c.today, 8); got != c.ok {
			t.Errorf("%s on %s: %v", c.bought, c.today, got)
		}
	}
}

func TestRank(t *testing.T) {
	cs := []Candidate{
		{VehicleID: 1, Plate: "A", Seats: 7, Fuel: "gasoline"},
		{VehicleID: 2, Plate: "B", Seats: 5, Fuel: "electric"},
		{VehicleID: 3, Plate: "C", Seats: 5, Fuel: "gasoline", SameUnit: true},
		{VehicleID: 4, Plate: "D", Seats: 5, Fuel: "electric", Busy: true},
		{VehicleID: 5, Plate: "E", Seats: 2, Fuel: "electric"},
		{VehicleID: 6, Plate: "F", Seats: 23, Fuel: "diesel"},
	}
	got := Rank(cs, 3, "")
	var ids []int64
	for _, c := range got {
		ids = append(ids, c.VehicleID)
	}
	want := []int64{3, 2, 1, 6}
	if len(ids) != len(want) {
		t.Fatalf("%v, want %v", ids, want)
	}
	for i := range want {
		if ids[i] != want[i] {
			t.Fatalf("%v, want %v", ids, want)
		}
	}
}
