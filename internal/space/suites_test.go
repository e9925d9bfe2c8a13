package space

import (
	"testing"

	"github.com/govops/govops/internal/platform/refdata"
)

// The issue 11 rules with hand-computed figures (docs/domain/office-space.md §Table 1 · 办公室使用面积 and §Service,
// equipment and auxiliary rooms); the datasets are the embedded editions.
func embeddedStandards() *Standards {
	return &Standards{Date: "2026-11-16", cache: map[[3]string]stdHit{}, per: map[string]Periods{}, more: map[string]*refdata.Table{}, nums: map[[3]string]stdHit{}}
}

func TestGradeRule(t *testing.T) {
	st := embeddedStandards()
	for _, c := range []struct {
		level, grade, affil, want string
		head                      float64 // the 正处级 (division_director) or 正司局级 head's standard
		rank                      string
	}{
		{"provincial", "division", "affiliated_institution", "municipal", 24, "division_director"}, // the case: 24, not 18
		{"provincial", "division", "", "provincial", 18, "division_director"},                      // not such a body: its own level
		{"provincial", "division", "dispatched", "municipal", 24, "division_director"},
		{"central", "bureau", "dispatched", "provincial", 30, "bureau_director"}, // a central 司局级 body: the provincial 厅局 rows
		{"central", "", "dispatched", "central", 24, "bureau_director"},          // no grade: its own level
		{"municipal", "section", "affiliated_institution", "county", 18, "section_chief"},
	} {
		got := st.Level(c.level, c.grade, c.affil, "990000")
		a, _ := st.Area(c.level+":"+c.grade+":"+c.affil, c.rank, "990000")
		if got != c.want || a != c.head {
			t.Errorf("%s %s %s: rows of %s (%v m²), want %s (%v m²)", c.level, c.grade, c.affil, got, a, c.want, c.head)
		}
	}
}

func TestSuites(t *testing.T) {
	// An office of 20 m² with a 休息室 of 6 m² for a provincial 正处级 (18 m²): 26 m² > 18.
	f, ok := OverArea(Room{ID: 1, Use: UseOffice, Status: RoomInUse, UsableM2: 20, SuiteM2: 6}, []Person{{ID: 7, Rank: "division_director", StdM2: 18, HasStd: true}}, rankName)
	if !ok || f.ActualM2 != 26 || f.AllowedM2 != 18 {
		t.Errorf("office with its suite: %+v %v", f, ok)
	}
	st := embeddedStandards()
	max, _ := st.Num(KindSuite, "toilet_max_m2", "")
	if max != 6 {
		t.Fatalf("toilet limit %v", max)
	}
	director := Person{Rank: "bureau_director", Toilet: st.toiletEntitled("provincial", "bureau_director", "")}             // 省属厅局正职: entitled
	deputy := Person{Rank: "deputy_bureau_director", Toilet: st.toiletEntitled("provincial", "deputy_bureau_director", "")} // not
	toilet := Room{ID: 2, OrgID: 3, Status: RoomInUse, UsableM2: 5.5}
	if _, bad := SuiteToilet(toilet, "301", []Person{director}, max, rankName); bad {
		t.Error("a 5.5 m² toilet of an entitled director is fine")
	}
	if f, bad := SuiteToilet(toilet, "301", []Person{deputy}, max, rankName); !bad || f.AllowedM2 != 0 {
		t.Errorf("a deputy is not entitled: %+v %v", f, bad)
	}
	toilet.UsableM2 = 6.5
	if f, bad := SuiteToilet(toilet, "301", []Person{director}, max, rankName); !bad || f.AllowedM2 != 6 || f.ActualM2 != 6.5 {
		t.Errorf("a 6.5 m² toilet: %+v %v", f, bad)
	}
	if !st.toiletEntitled("county", "division_director", "") || st.toiletEntitled("county", "deputy_division_director", "") {
		t.Error("县级正职 may have one, 县级副职 may not")
	}
}

func TestMixAndFormula(t *testing.T) {
	st := embeddedStandards()
	m := Mix{OfficeM2: 300, ServiceM2: 120, EquipmentM2: 40, People: 15}
	st.mixParams(&m, "provincial", "")
	// 9 % × (300 + 120) = 37.8 < 40; 120 / 15 = 8 ≤ 9 (the provisional provincial standard).
	if m.EquipmentAllowed() != 37.8 || !m.EquipmentOver() || m.ServiceOver() {
		t.Errorf("mix: allowed %v over %v service over %v", m.EquipmentAllowed(), m.EquipmentOver(), m.ServiceOver())
	}
	fs := MixFindings(5, m)
	if len(fs) != 1 || fs[0].Kind != KindEquipmentShare || fs[0].Key() != "equipment_share:org:5" {
		t.Errorf("findings %+v", fs)
	}
	m.ServiceM2 = 150 // 150 / 15 = 10 > 9: allowed 135
	if !m.ServiceOver() || m.ServiceAllowed() != 135 {
		t.Errorf("service: %v %v", m.ServiceOver(), m.ServiceAllowed())
	}
	// S = [A + B + (A+B)×9%] / K + C: A 300, B 120, C 200, multi-storey K 0.65: (420 + 37.8) / 0.65 + 200 = 904.31
	k, high := st.K(6, "")
	if k != 0.65 || high {
		t.Fatalf("6 floors: K %v high-rise %v", k, high)
	}
	if s := FormulaArea(300, 120, 200, 0.09, k); s != 904.31 {
		t.Errorf("S = %v, want 904.31", s)
	}
	k, high = st.K(12, "") // high-rise: (420 + 37.8) / 0.60 + 200 = 963
	if k != 0.60 || !high || FormulaArea(300, 120, 200, 0.09, k) != 963 {
		t.Errorf("12 floors: K %v high %v S %v", k, high, FormulaArea(300, 120, 200, 0.09, k))
	}
}

func TestLeaseFinding(t *testing.T) {
	f := LeaseActive(Lease{ID: 1, RoomID: 9, OrgID: 4, Kind: RoomLet, Lessee: "示范便民超市", AreaM2: 36, StartOn: "2024-03-01", EndsOn: "2026-09-16"}, "2026-11-16")
	if f.Kind != KindLeaseActive || f.Key() != "lease_active:9:0" || f.ActualM2 != 36 {
		t.Errorf("lease finding %+v", f)
	}
	withLease := withoutLeased([]Finding{{Kind: KindLetOrLent, RoomID: 9}, {Kind: KindLetOrLent, RoomID: 10}}, map[int64]bool{9: true})
	if len(withLease) != 1 || withLease[0].RoomID != 10 {
		t.Errorf("the lease replaces the room's let_or_lent finding: %+v", withLease)
	}
}
