package space

import (
	"strings"
	"testing"
)

// The table (发改投资〔2014〕2674号 表1 with the ranks-above-the-top-row rule and the default township rows).
var wantStandard = map[string][9]float64{
	//            minister vice  bureau dep_bur division dep_div section dep_sec staff
	"central":    {54, 42, 24, 18, 12, 12, 9, 9, 9},
	"provincial": {54, 42, 30, 24, 18, 12, 9, 9, 9},
	"municipal":  {42, 42, 42, 30, 24, 18, 9, 9, 9},
	"county":     {30, 30, 30, 30, 30, 24, 18, 12, 9},
	"township":   {24, 24, 24, 24, 24, 24, 24, 18, 9},
}

var rankOrder = []string{"minister", "vice_minister", "bureau_director", "deputy_bureau_director", "division_director",
	"deputy_division_director", "section_chief", "deputy_section_chief", "staff"}

func embeddedArea(t *testing.T, level, rank string) float64 {
	t.Helper()
	r, ok := pickEmbedded(embeddedStandard(), StandardKey(level, rank), "", "2026-11-16")
	if !ok {
		t.Fatalf("no standard for %s/%s", level, rank)
	}
	return r.Value
}

// TestStandardTable checks every cell of the table in the shipped dataset, and its source.
func TestStandardTable(t *testing.T) {
	ds := embeddedStandard()
	if len(ds.Rows) != 45 {
		t.Errorf("dataset has %d rows, want 45 (5 levels × 9 ranks)", len(ds.Rows))
	}
	for level, row := range wantStandard {
		for i, rank := range rankOrder {
			r, ok := pickEmbedded(ds, StandardKey(level, rank), "", "2026-11-16")
			if !ok {
				t.Errorf("%s/%s: no row", level, rank)
				continue
			}
			if r.Value != row[i] {
				t.Errorf("%s/%s = %v, want %v", level, rank, r.Value, row[i])
			}
			if r.SourceDoc != "发改投资〔2014〕2674号" || r.ValidFrom != "2014-11-24" {
				t.Errorf("%s/%s: source %q from %s", level, rank, r.SourceDoc, r.ValidFrom)
			}
			// Township rows and the ranks above a level's top row are this system's reading, not the text.
			wantConf := "V"
			if level == "township" || (level == "municipal" && i < 2) || (level == "county" && i < 4) {
				wantConf = "M"
			}
			if r.Confidence != wantConf {
				t.Errorf("%s/%s: confidence %s, want %s", level, rank, r.Confidence, wantConf)
			}
		}
	}
	if _, ok := pickEmbedded(ds, StandardKey("county", "staff"), "", "2014-01-01"); ok {
		t.Errorf("the 2014 standard applied before it was issued")
	}
}

func TestCheckLevelRank(t *testing.T) {
	if err := CheckLevelRank("county", "staff"); err != nil {
		t.Errorf("county/staff: %v", err)
	}
	for _, c := range []struct{ level, rank, field string }{{"village", "staff", "admin_level"}, {"county", "clerk", "rank"}, {"", "", "admin_level"}} {
		err := CheckLevelRank(c.level, c.rank)
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%q/%q: %v, want a validation error naming %s", c.level, c.rank, err, c.field)
		}
	}
}

func person(id int64, level, rank string, t *testing.T) Person {
	return Person{ID: id, OrgID: 1, Rank: rank, Level: level, Status: "active", StatusSince: "2020-01-01", StdM2: embeddedArea(t, level, rank), HasStd: true}
}

// TestOverAreaEveryCell: for every level and rank, an office exactly at the standard passes and one 0.01 m² above
// is flagged with the standard as the allowed area.
func TestOverAreaEveryCell(t *testing.T) {
	for level, row := range wantStandard {
		for i, rank := range rankOrder {
			p := person(7, level, rank, t)
			at := Room{ID: 1, OrgID: 1, Use: UseOffice, ApprovedUse: UseOffice, Status: RoomInUse, UsableM2: row[i]}
			if f, bad := OverArea(at, []Person{p}, rankName); bad {
				t.Errorf("%s/%s: an office of exactly %v m² was flagged: %+v", level, rank, row[i], f)
			}
			above := at
			above.UsableM2 = row[i] + 0.01
			f, bad := OverArea(above, []Person{p}, rankName)
			if !bad {
				t.Errorf("%s/%s: an office of %v m² was not flagged", level, rank, above.UsableM2)
				continue
			}
			if f.Kind != KindOverArea || f.AllowedM2 != row[i] || f.ActualM2 != above.UsableM2 || f.PersonID != 7 || f.RoomID != 1 {
				t.Errorf("%s/%s: finding %+v", level, rank, f)
			}
		}
	}
}

func TestOverAreaShared(t *testing.T) {
	// County: 正科 18 + 副科 12 + 科员 9 = 39.
	people := []Person{person(1, "county", "section_chief", t), person(2, "county", "deputy_section_chief", t), person(3, "county", "staff", t)}
	room := Room{ID: 5, Use: UseOffice, ApprovedUse: UseOffice, Status: RoomInUse, UsableM2: 39}
	if _, bad := OverArea(room, people, rankName); bad {
		t.Errorf("a shared office at the sum of its occupants' standards was flagged")
	}
	room.UsableM2 = 39.5
	f, bad := OverArea(room, people, rankName)
	if !bad || f.AllowedM2 != 39 || f.PersonID != 0 {
		t.Fatalf("shared office above the sum: %+v %v", f, bad)
	}
	if !strings.Contains(f.Detail, "3 名使用人") || !strings.Contains(f.Detail, "正科级 18") {
		t.Errorf("detail %q should name the occupants' standards", f.Detail)
	}
	// Judged against the sum, not per person: two staff (9 + 9) in 17 m² is fine although 17 > 9.
	if _, bad := OverArea(Room{Use: UseOffice, UsableM2: 17}, []Person{person(1, "central", "staff", t), person(2, "central", "staff", t)}, rankName); bad {
		t.Errorf("17 m² for two staff was flagged")
	}
	// Floating point: 12.1 + 12.2 is not exactly 24.3.
	a, b := person(1, "county", "staff", t), person(2, "county", "staff", t)
	a.StdM2, b.StdM2 = 12.1, 12.2
	if _, bad := OverArea(Room{Use: UseOffice, UsableM2: 24.3}, []Person{a, b}, rankName); bad {
		t.Errorf("an office at a float sum was flagged")
	}
}

func TestOverAreaNotJudged(t *testing.T) {
	p := person(1, "county", "staff", t)
	for _, use := range []string{UseService, UseEquipment, UseAuxiliary} {
		if _, bad := OverArea(Room{Use: use, UsableM2: 500}, []Person{p}, rankName); bad {
			t.Errorf("a %s room of 500 m² with one occupant was flagged", use)
		}
	}
	if _, bad := OverArea(Room{Use: UseOffice, UsableM2: 500}, nil, rankName); bad {
		t.Errorf("a vacant office was flagged")
	}
	unknown := p
	unknown.HasStd = false
	if _, bad := OverArea(Room{Use: UseOffice, UsableM2: 500}, []Person{unknown}, rankName); bad {
		t.Errorf("an office with an occupant of unknown standard was flagged")
	}
	if _, bad := OverArea(Room{Use: UseOffice, Status: RoomDisposed, UsableM2: 500}, []Person{p}, rankName); bad {
		t.Errorf("a disposed room was flagged")
	}
}

func TestAddMonths(t *testing.T) {
	for _, c := range [][3]string{{"2026-10-15", "1", "2026-11-15"}, {"2026-01-31", "1", "2026-02-28"}, {"2024-01-31", "1", "2024-02-29"},
		{"2026-12-20", "1", "2027-01-20"}, {"2026-08-31", "2", "2026-10-31"}, {"2026-11-16", "-3", "2026-08-16"}, {"bad", "1", ""}} {
		n := map[string]int{"1": 1, "2": 2, "-3": -3}[c[1]]
		if got := AddMonths(c[0], n); got != c[2] {
			t.Errorf("AddMonths(%s, %d) = %q, want %q", c[0], n, got, c[2])
		}
	}
}

// TestStale: counted from status_since; more than one month ago is stale, exactly one month is not.
func TestStale(t *testing.T) {
	per := Periods{AfterLeaveMonths: 1, AfterConcurrentMonths: 2}
	room := Room{ID: 3, OrgID: 9, Use: UseOffice, UsableM2: 12}
	const today = "2026-11-16"
	for _, c := range []struct {
		status, since string
		stale         bool
	}{
		{"retired", "2026-10-15", true},      // due 2026-11-15, today is later
		{"retired", "2026-10-16", false},     // due today: still within the month
		{"transferred", "2026-09-16", true},  // two months
		{"transferred", "2026-11-01", false}, // two weeks
		{"active", "2000-01-01", false},
		{"retired", "", false}, // no date: cannot count
	} {
		p := Person{ID: 4, Status: c.status, StatusSince: c.since}
		f, got := Stale(room, p, per, today)
		if got != c.stale {
			t.Errorf("%s since %q: stale=%v, want %v", c.status, c.since, got, c.stale)
		}
		if got && (f.Kind != KindStaleOccupant || f.RoomID != 3 || f.PersonID != 4 || f.OrgID != 9 || !strings.Contains(f.Detail, c.since)) {
			t.Errorf("finding %+v", f)
		}
	}
	// A province that allows two months.
	if _, got := Stale(room, Person{Status: "retired", StatusSince: "2026-10-01"}, Periods{AfterLeaveMonths: 2}, today); got {
		t.Errorf("a two-month period was not applied")
	}
}

func TestMultipleOffices(t *testing.T) {
	per := Periods{AfterLeaveMonths: 1, AfterConcurrentMonths: 2}
	const today = "2026-11-16"
	p := person(1, "county", "division_director", t) // 30 m²
	main := Held{Room: Room{ID: 10, OrgID: 100, Use: UseOffice, UsableM2: 30}, Since: "2020-01-01"}
	second := Held{Room: Room{ID: 20, OrgID: 200, Use: UseOffice, UsableM2: 20}, Since: "2024-05-01"}
	meeting := Held{Room: Room{ID: 30, OrgID: 100, Use: UseService, UsableM2: 60}, Since: "2019-01-01"}

	if got := MultipleOffices(p, []Held{main, meeting}, nil, per, today); len(got) != 0 {
		t.Errorf("an office and a meeting room count as two offices: %+v", got)
	}
	got := MultipleOffices(p, []Held{second, main}, nil, per, today)
	if len(got) != 1 || got[0].RoomID != 20 || got[0].PersonID != 1 || got[0].OrgID != 200 || got[0].Kind != KindMultipleOffices {
		t.Fatalf("two offices: %+v (want the later one, room 20, flagged)", got)
	}

	post := ConcurrentPost{ID: 1, PersonID: 1, OrgID: 200}
	cases := []struct {
		name   string
		post   ConcurrentPost
		area   float64
		flag   bool
		detail string
	}{
		{"approved concurrent post, office below the standard", post, 20, false, ""},
		{"concurrent office at the standard", post, 30, true, "应小于标准"},
		{"post in another unit", ConcurrentPost{ID: 1, PersonID: 1, OrgID: 300}, 20, true, ""},
		{"approval naming this room", ConcurrentPost{ID: 1, PersonID: 1, OrgID: 999, RoomID: 20}, 20, false, ""},
		{"post ended six weeks ago: within two months", ConcurrentPost{ID: 1, PersonID: 1, OrgID: 200, EndsOn: "2026-10-01"}, 20, false, ""},
		{"post ended more than two months ago", ConcurrentPost{ID: 1, PersonID: 1, OrgID: 200, EndsOn: "2026-09-15"}, 20, true, "应于 2026-11-15 前腾退"},
		{"someone else's post", ConcurrentPost{ID: 1, PersonID: 2, OrgID: 200}, 20, true, ""},
	}
	for _, c := range cases {
		h := second
		h.Room.UsableM2 = c.area
		got := MultipleOffices(p, []Held{main, h}, []ConcurrentPost{c.post}, per, today)
		if (len(got) > 0) != c.flag {
			t.Errorf("%s: flagged=%v, want %v (%+v)", c.name, len(got) > 0, c.flag, got)
			continue
		}
		if c.detail != "" && !strings.Contains(got[0].Detail, c.detail) {
			t.Errorf("%s: detail %q lacks %q", c.name, got[0].Detail, c.detail)
		}
	}
	// One approval covers one extra office only.
	third := Held{Room: Room{ID: 40, OrgID: 200, Use: UseOffice, UsableM2: 15}, Since: "2025-01-01"}
	got = MultipleOffices(p, []Held{main, second, third}, []ConcurrentPost{post}, per, today)
	if len(got) != 1 || got[0].RoomID != 40 {
		t.Errorf("three offices with one approval: %+v (want room 40 flagged)", got)
	}
}

func TestUseLetApproved(t *testing.T) {
	if _, bad := UseChanged(Room{Use: UseOffice, ApprovedUse: UseOffice}); bad {
		t.Errorf("same use flagged")
	}
	f, bad := UseChanged(Room{ID: 2, Use: UseOffice, ApprovedUse: UseService})
	if !bad || !strings.Contains(f.Detail, "核定用途为服务用房") {
		t.Errorf("a service room used as an office: %+v %v", f, bad)
	}
	for _, st := range []string{RoomLet, RoomLent} {
		if _, bad := LetOrLent(Room{Status: st}); !bad {
			t.Errorf("%s not flagged", st)
		}
	}
	if _, bad := LetOrLent(Room{Status: RoomInUse}); bad {
		t.Errorf("in use flagged")
	}
	if _, bad := OverApproved(1, 1000, 1000); bad {
		t.Errorf("a unit exactly at its approved area was flagged")
	}
	if _, bad := OverApproved(1, 1000, 0); bad {
		t.Errorf("a unit without an approved area was flagged")
	}
	f, bad = OverApproved(1, 1000.5, 1000)
	if !bad || f.Key() != "over_approved_area:org:1" || f.ActualM2 != 1000.5 || f.AllowedM2 != 1000 {
		t.Errorf("a unit above its approved area: %+v %v", f, bad)
	}
}

// TestEvaluate runs all rules over facts, and checks that a partial evaluation reports only its rooms.
func TestEvaluate(t *testing.T) {
	per := Periods{AfterLeaveMonths: 1, AfterConcurrentMonths: 2}
	boss := person(1, "county", "division_director", t)
	gone := person(2, "county", "staff", t)
	gone.Status, gone.StatusSince = "retired", "2026-09-01"
	big := Room{ID: 10, OrgID: 100, Use: UseOffice, ApprovedUse: UseOffice, Status: RoomInUse, UsableM2: 40}
	other := Room{ID: 20, OrgID: 100, Use: UseOffice, ApprovedUse: UseService, Status: RoomInUse, UsableM2: 9}
	f := &Facts{
		Rooms:     []Room{big, other},
		Occupants: map[int64][]int64{10: {1}, 20: {1, 2}},
		People:    map[int64]*Person{1: &boss, 2: &gone},
		Held:      map[int64][]Held{1: {{big, "2020-01-01"}, {other, "2021-01-01"}}, 2: {{other, "2019-01-01"}}},
		UnitUsed:  map[int64]float64{100: 49},
		Approved:  map[int64]float64{100: 45},
	}
	got := map[string]bool{}
	for _, v := range Evaluate(f, per, "2026-11-16", rankName) {
		got[v.Key()] = true
	}
	for _, k := range []string{"over_area:10:1", "multiple_offices:20:1", "stale_occupant:20:2", "use_changed:20:0", "over_approved_area:org:100"} {
		if !got[k] {
			t.Errorf("missing %s (got %v)", k, got)
		}
	}
	if got["over_area:20:0"] {
		t.Errorf("room 20 (9 m² for 30 + 9) flagged as over area")
	}
	if len(got) != 5 {
		t.Errorf("findings %v, want 5", got)
	}
	f.Rooms = []Room{big}
	f.Approved = map[int64]float64{}
	for _, v := range Evaluate(f, per, "2026-11-16", rankName) {
		if v.RoomID != 10 {
			t.Errorf("a partial evaluation of room 10 reported %s", v.Key())
		}
	}
}
