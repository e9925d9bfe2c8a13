package space

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/enum"
)

// The compliance rules of 《党政机关办公用房管理办法》 as pure functions over plain facts: no SQL, no clock. The scan
// (scan.go) loads the facts in bulk and calls Evaluate; the tests call the rules one by one.

// Use types of rooms (docs/api.md §Office space): 办公室 · 服务用房 · 设备用房 · 附属用房.
const (
	UseOffice    = "office"
	UseService   = "service"
	UseEquipment = "equipment"
	UseAuxiliary = "auxiliary"
)

// Room statuses. A room let or lent (出租、出借) is a violation in itself; a disposed room has left the register.
const (
	RoomInUse    = "in_use"
	RoomLet      = "let"
	RoomLent     = "lent"
	RoomDisposed = "disposed"
)

// Violation kinds: the three of docs/api.md §Office space and the other checks of the 办法
// (docs/domain/office-space.md §Over-standard checks).
const (
	KindOverArea         = "over_area"          // office above the sum of its occupants' standards
	KindMultipleOffices  = "multiple_offices"   // a person holds more than one office (兼职 exception aside)
	KindStaleOccupant    = "stale_occupant"     // retired or transferred more than the vacating period ago, still assigned
	KindUseChanged       = "use_changed"        // use differs from the approved use without an approved change
	KindOverApprovedArea = "over_approved_area" // a unit uses more than its approved (核定) area
	KindLetOrLent        = "let_or_lent"        // a room let or lent (出租、出借)
	KindSuiteToilet      = "suite_toilet"       // a suite's 卫生间 above the limit or for a rank not entitled to one
	KindLeaseActive      = "lease_active"       // a lease of office space not yet recovered
	KindEquipmentShare   = "equipment_share"    // a unit's 设备用房 above the share of 办公室 + 服务用房
	KindServicePerPerson = "service_per_person" // a unit's 服务用房 above the per-person standard
)

// Kinds lists the violation kinds with their Chinese names, in the order screens show them.
var Kinds = enum.Of(
	KindOverArea, "超标准使用面积", KindMultipleOffices, "一人多处办公室", KindStaleOccupant, "退休调离未腾退",
	KindUseChanged, "擅自改变使用功能", KindOverApprovedArea, "超核定面积", KindLetOrLent, "出租出借",
	KindSuiteToilet, "套间卫生间不合规", KindLeaseActive, "出租出借未收回", KindEquipmentShare, "设备用房超比例",
	KindServicePerPerson, "服务用房超人均标准",
)

// epsilon is how much above the allowed area still counts as "at the standard": areas are measured to the
// centimetre square at best, and sums of float64 must not flag an office that is exactly at its standard.
const epsilon = 0.005

// Person is what the rules need of a person: rank facts from the spine and the area standard that applies
// (looked up by the unit's administrative level, rank and region before the rules run).
type Person struct {
	ID          int64
	OrgID       int64
	Rank        string
	Level       string // administrative level of the person's unit
	Status      string // active | retired | transferred
	StatusSince string // YYYY-MM-DD
	StdM2       float64
	HasStd      bool
	Toilet      bool // the rank may have a 卫生间 in the office (dataset space.suite)
}

// Room is what the rules need of a room.
type Room struct {
	ID          int64
	OrgID       int64
	Use         string
	ApprovedUse string
	Status      string
	UsableM2    float64
	SuiteM2     float64 // an office: the usable area of its suite (休息室, 卫生间), which counts towards the limit
}

// Held is one office a person holds, with the date they were assigned to it.
type Held struct {
	Room  Room
	Since string
}

// ConcurrentPost is an approved 兼职 record: the person may keep one more office, in unit OrgID (or exactly RoomID
// when the approval names the room), below the standard, until VacateMonths after EndsOn.
type ConcurrentPost struct {
	ID       int64
	PersonID int64
	OrgID    int64
	RoomID   int64
	EndsOn   string // "" while the post lasts
}

// Periods are the vacating periods (reference data space.rules).
type Periods struct {
	AfterLeaveMonths      int // retired or transferred: vacate within this many months
	AfterConcurrentMonths int // 兼职 ended: vacate the extra office within this many months
}

// Finding is one violation as the rules see it.
type Finding struct {
	Kind      string
	OrgID     int64
	RoomID    int64
	PersonID  int64
	ActualM2  float64
	AllowedM2 float64
	Detail    string
}

// Key is the finding's stable identity: the same violation found again by a later scan has the same key.
func (f Finding) Key() string {
	switch f.Kind {
	case KindOverApprovedArea, KindEquipmentShare, KindServicePerPerson:
		return f.Kind + ":org:" + strconv.FormatInt(f.OrgID, 10)
	}
	return f.Kind + ":" + strconv.FormatInt(f.RoomID, 10) + ":" + strconv.FormatInt(f.PersonID, 10)
}

// AddMonths adds n calendar months to a date, clamping to the month's last day (01-31 + 1 month = 02-28), which is
// how "within one month" is counted in Chinese administrative practice. A malformed date returns "".
func AddMonths(date string, n int) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return ""
	}
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

func m2(v float64) string {
	s := strconv.FormatFloat(math.Round(v*100)/100, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + " m²"
}

// OverArea judges an office against its occupants: its usable area may not exceed the sum of their standards. An
// office exactly at the standard is fine; rooms of other uses, vacant offices and offices with an occupant whose
// standard is unknown are not judged.
func OverArea(r Room, occupants []Person, rankName func(string) string) (Finding, bool) {
	if r.Use != UseOffice || r.Status == RoomDisposed || len(occupants) == 0 {
		return Finding{}, false
	}
	sum := 0.0
	parts := make([]string, 0, len(occupants))
	for _, p := range occupants {
		if !p.HasStd {
			return Finding{}, false
		}
		sum += p.StdM2
		parts = append(parts, rankName(p.Rank)+" "+strconv.FormatFloat(p.StdM2, 'f', -1, 64))
	}
	total := r.UsableM2 + r.SuiteM2
	if total <= sum+epsilon {
		return Finding{}, false
	}
	area := m2(total)
	if r.SuiteM2 > 0 {
		area += fmt.Sprintf("（含套间休息室、卫生间 %s）", m2(r.SuiteM2))
	}
	detail := fmt.Sprintf("使用面积 %s，超过标准 %s（%s）", area, m2(sum), strings.Join(parts, " + "))
	if len(occupants) > 1 {
		detail = fmt.Sprintf("使用面积 %s，超过 %d 名使用人标准合计 %s（%s）", area, len(occupants), m2(sum), strings.Join(parts, " + "))
	}
	pid := int64(0)
	if len(occupants) == 1 {
		pid = occupants[0].ID
	}
	return Finding{Kind: KindOverArea, OrgID: r.OrgID, RoomID: r.ID, PersonID: pid, ActualM2: total, AllowedM2: sum, Detail: detail}, true
}

// Stale judges one assignment: a person retired or transferred more than the vacating period ago (counted from
// status_since) who is still assigned to a room.
func Stale(r Room, p Person, per Periods, today string) (Finding, bool) {
	if p.Status != "retired" && p.Status != "transferred" || r.Status == RoomDisposed {
		return Finding{}, false
	}
	due := AddMonths(p.StatusSince, per.AfterLeaveMonths)
	if due == "" || today <= due {
		return Finding{}, false
	}
	what := map[string]string{"retired": "退休", "transferred": "调离"}[p.Status]
	return Finding{Kind: KindStaleOccupant, OrgID: r.OrgID, RoomID: r.ID, PersonID: p.ID, ActualM2: r.UsableM2,
		Detail: fmt.Sprintf("已于 %s %s，应于 %s 前腾退，至今仍在使用", p.StatusSince, what, due)}, true
}

// MultipleOffices judges the offices one person holds (一人一处). The office held longest is the main one; every
// other office is a violation unless an approved 兼职 record covers it: one extra office in the concurrent unit
// (or the room the approval names), below the person's standard, and not kept more than the vacating period
// after the post ended.
func MultipleOffices(p Person, held []Held, posts []ConcurrentPost, per Periods, today string) []Finding {
	var offices []Held
	for _, h := range held {
		if h.Room.Use == UseOffice && h.Room.Status != RoomDisposed {
			offices = append(offices, h)
		}
	}
	if len(offices) < 2 {
		return nil
	}
	sort.SliceStable(offices, func(i, j int) bool {
		if offices[i].Since != offices[j].Since {
			return offices[i].Since < offices[j].Since
		}
		return offices[i].Room.ID < offices[j].Room.ID
	})
	used := map[int64]bool{}
	var out []Finding
	total := len(offices)
	for _, h := range offices[1:] {
		why := ""
		covered := false
		for _, c := range posts {
			if c.PersonID != p.ID || used[c.ID] {
				continue
			}
			if c.RoomID != 0 && c.RoomID != h.Room.ID || c.RoomID == 0 && c.OrgID != h.Room.OrgID {
				continue
			}
			switch {
			case c.EndsOn != "" && today > AddMonths(c.EndsOn, per.AfterConcurrentMonths):
				why = fmt.Sprintf("兼职已于 %s 免去，应于 %s 前腾退", c.EndsOn, AddMonths(c.EndsOn, per.AfterConcurrentMonths))
			case !p.HasStd:
				why = "缺少面积标准，无法确认兼职办公室小于标准"
			case h.Room.UsableM2 >= p.StdM2-epsilon:
				why = fmt.Sprintf("兼职单位办公室 %s，应小于标准 %s", m2(h.Room.UsableM2), m2(p.StdM2))
			default:
				covered = true
			}
			used[c.ID] = true
			break
		}
		if covered {
			continue
		}
		detail := fmt.Sprintf("同时占用 %d 处办公室（主办公室之外）", total)
		if why != "" {
			detail += "；" + why
		}
		f := Finding{Kind: KindMultipleOffices, OrgID: h.Room.OrgID, RoomID: h.Room.ID, PersonID: p.ID, ActualM2: h.Room.UsableM2, Detail: detail}
		if p.HasStd {
			f.AllowedM2 = p.StdM2
		}
		out = append(out, f)
	}
	return out
}

// UseChanged flags a room whose use differs from its approved use (擅自改变使用功能).
func UseChanged(r Room) (Finding, bool) {
	if r.Status == RoomDisposed || r.ApprovedUse == "" || r.Use == r.ApprovedUse {
		return Finding{}, false
	}
	return Finding{Kind: KindUseChanged, OrgID: r.OrgID, RoomID: r.ID, ActualM2: r.UsableM2,
		Detail: fmt.Sprintf("核定用途为%s，现用作%s，未经批准", UseTypes.Name(r.ApprovedUse), UseTypes.Name(r.Use))}, true
}

// LetOrLent flags a room let or lent (不得出租、出借).
func LetOrLent(r Room) (Finding, bool) {
	if r.Status != RoomLet && r.Status != RoomLent {
		return Finding{}, false
	}
	return Finding{Kind: KindLetOrLent, OrgID: r.OrgID, RoomID: r.ID, ActualM2: r.UsableM2,
		Detail: "办公用房" + RoomStatuses.Name(r.Status) + "，违反不得出租、出借的规定"}, true
}

// OverApproved flags a unit whose rooms add up to more than its approved area. Units without an approved area are
// not judged.
func OverApproved(orgID int64, used, approved float64) (Finding, bool) {
	if approved <= 0 || used <= approved+epsilon {
		return Finding{}, false
	}
	return Finding{Kind: KindOverApprovedArea, OrgID: orgID, ActualM2: used, AllowedM2: approved,
		Detail: fmt.Sprintf("在用房间使用面积合计 %s，超过核定面积 %s", m2(used), m2(approved))}, true
}

// Facts is everything Evaluate needs: the rooms to judge, their occupants (every person appearing in them, with the
// full list of rooms each holds), the 兼职 records of those people and the units' areas.
type Facts struct {
	Rooms     []Room
	Occupants map[int64][]int64 // room id → person ids
	People    map[int64]*Person
	Held      map[int64][]Held // person id → every room held (all units)
	Posts     map[int64][]ConcurrentPost
	UnitUsed  map[int64]float64 // unit → usable area of its rooms in use
	Approved  map[int64]float64 // unit → approved area
}

// Evaluate runs every rule over the facts. Person-level findings (multiple offices) are reported for the rooms in
// Facts.Rooms only, so a partial evaluation never reports a room it was not asked about.
func Evaluate(f *Facts, per Periods, today string, rankName func(string) string) []Finding {
	var out []Finding
	inSet := make(map[int64]bool, len(f.Rooms))
	for _, r := range f.Rooms {
		inSet[r.ID] = true
	}
	seenPerson := map[int64]bool{}
	occ := make([]Person, 0, 4)
	for _, r := range f.Rooms {
		occ = occ[:0]
		for _, pid := range f.Occupants[r.ID] {
			if p := f.People[pid]; p != nil {
				occ = append(occ, *p)
			}
		}
		if v, ok := OverArea(r, occ, rankName); ok {
			out = append(out, v)
		}
		for _, p := range occ {
			if v, ok := Stale(r, p, per, today); ok {
				out = append(out, v)
			}
			if seenPerson[p.ID] {
				continue
			}
			seenPerson[p.ID] = true
			for _, v := range MultipleOffices(p, f.Held[p.ID], f.Posts[p.ID], per, today) {
				if inSet[v.RoomID] {
					out = append(out, v)
				}
			}
		}
		if v, ok := UseChanged(r); ok {
			out = append(out, v)
		}
		if v, ok := LetOrLent(r); ok {
			out = append(out, v)
		}
	}
	units := make([]int64, 0, len(f.Approved))
	for id := range f.Approved {
		units = append(units, id)
	}
	sort.Slice(units, func(i, j int) bool { return units[i] < units[j] })
	for _, id := range units {
		if v, ok := OverApproved(id, f.UnitUsed[id], f.Approved[id]); ok {
			out = append(out, v)
		}
	}
	return out
}
