package fleet

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
)

// The pure rules of the module: plates, VINs, the trip state table, the configuration standards and the ranking of
// vehicles for a trip. No SQL and no HTTP here (docs/architecture.md §Modules and the module kit).

// provinces are the one-character abbreviations that open a civil plate (GA 36), plus 使 and 领 are not handled:
// embassy plates are never official vehicles of a Chinese organ.
const provinces = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

// NormalizePlate puts a plate in its stored form: upper case, without spaces or the middle dot.
func NormalizePlate(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	return strings.NewReplacer(" ", "", "·", "", "•", "", "-", "", "　", "").Replace(s)
}

func plateLetter(r rune) bool { return r >= 'A' && r <= 'Z' && r != 'I' && r != 'O' }
func plateDigit(r rune) bool  { return r >= '0' && r <= '9' }
func plateAlnum(r rune) bool  { return plateLetter(r) || plateDigit(r) }

// PlateKind says what a valid plate is: "ordinary" (blue or yellow, 7 characters), "new_energy" (green, 8
// characters), "police" (…警), "emergency" (…应急); "" with a Chinese reason when it is not a valid plate.
//
// New-energy plates (docs/domain/vehicles.md §Plates): the province, the issuing letter, then six characters —
// small vehicles D (pure electric) or F (other new energy) followed by a letter or digit and four digits (粤BD12345,
// 京AF0236), large vehicles five digits followed by D or F (沪A12345D).
func PlateKind(plate string) (string, string) {
	rs := []rune(plate)
	if len(rs) < 7 {
		return "", "车牌号应为 7 位（新能源车 8 位），如 京A12345、粤BD12345"
	}
	if !strings.ContainsRune(provinces, rs[0]) {
		return "", "车牌号第 1 位应为省、自治区、直辖市简称"
	}
	if !plateLetter(rs[1]) {
		return "", "车牌号第 2 位应为发牌机关代号（字母，不含 I、O）"
	}
	tail := rs[2:]
	all := func(rs []rune, ok func(rune) bool) bool {
		for _, r := range rs {
			if !ok(r) {
				return false
			}
		}
		return true
	}
	switch {
	case len(tail) == 5 && all(tail, plateAlnum):
		return "ordinary", ""
	case len(tail) == 5 && tail[4] == '警' && all(tail[:4], plateAlnum):
		return "police", ""
	case len(tail) == 6 && string(tail[4:]) == "应急" && all(tail[:4], plateAlnum):
		return "emergency", ""
	case len(tail) == 6:
		small := (tail[0] == 'D' || tail[0] == 'F') && plateAlnum(tail[1]) && all(tail[2:], plateDigit)
		large := all(tail[:5], plateDigit) && (tail[5] == 'D' || tail[5] == 'F')
		if small || large {
			return "new_energy", ""
		}
		return "", "新能源车牌号应为 D 或 F 开头加 5 位（如 粤BD12345），或 5 位数字加 D 或 F（如 沪A12345D）"
	}
	return "", "车牌号格式不正确，应如 京A12345（新能源车如 粤BD12345）"
}

// vinValues are the transliteration values of ISO 3779 / GB 16735 (I, O and Q never appear in a VIN).
var vinValues = map[rune]int{'A': 1, 'B': 2, 'C': 3, 'D': 4, 'E': 5, 'F': 6, 'G': 7, 'H': 8, 'J': 1, 'K': 2, 'L': 3, 'M': 4,
	'N': 5, 'P': 7, 'R': 9, 'S': 2, 'T': 3, 'U': 4, 'V': 5, 'W': 6, 'X': 7, 'Y': 8, 'Z': 9}

var vinWeights = [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}

// VINCheckChar computes the check character (position 9) of a 17-character VIN; ok is false when the VIN holds a
// character a VIN may not.
func VINCheckChar(vin string) (byte, bool) {
	if len(vin) != 17 {
		return 0, false
	}
	sum := 0
	for i, r := range vin {
		v := 0
		switch {
		case r >= '0' && r <= '9':
			v = int(r - '0')
		default:
			x, ok := vinValues[r]
			if !ok {
				return 0, false
			}
			v = x
		}
		sum += v * vinWeights[i]
	}
	if c := sum % 11; c < 10 {
		return byte('0' + c), true
	}
	return 'X', true
}

// CheckVIN validates a VIN (GB 16735: 17 characters, no I, O or Q, position 9 the check digit); "" is a valid
// empty VIN. It returns a Chinese reason or "".
func CheckVIN(vin string) string {
	if vin == "" {
		return ""
	}
	if utf8.RuneCountInString(vin) != 17 {
		return "车辆识别代号（VIN）应为 17 位"
	}
	c, ok := VINCheckChar(vin)
	if !ok {
		return "车辆识别代号只能包含数字和字母（不含 I、O、Q）"
	}
	if vin[8] != c {
		return fmt.Sprintf("车辆识别代号校验位（第 9 位）应为 %c，请核对", c)
	}
	return ""
}

// NewEnergy reports whether a fuel type counts as a new-energy vehicle (pure electric and plug-in hybrid; an
// ordinary hybrid does not).
func NewEnergy(fuel string) bool { return fuel == "electric" || fuel == "plug_in_hybrid" }

// Trip statuses (docs/api.md §Official vehicles).
const (
	TripSubmitted  = "submitted"
	TripApproved   = "approved"
	TripDispatched = "dispatched"
	TripInProgress = "in_progress"
	TripCompleted  = "completed"
	TripRejected   = "rejected"
	TripCancelled  = "cancelled"
)

// tripMoves is the state table of trip requests: action → the statuses it may start from, and where it goes.
var tripMoves = map[string]struct {
	from []string
	to   string
}{
	"approve":  {[]string{TripSubmitted}, TripApproved},
	"reject":   {[]string{TripSubmitted}, TripRejected},
	"dispatch": {[]string{TripApproved}, TripDispatched},
	"start":    {[]string{TripDispatched}, TripInProgress},
	"complete": {[]string{TripInProgress}, TripCompleted},
	"cancel":   {[]string{TripSubmitted, TripApproved, TripDispatched}, TripCancelled},
}

// TripMove returns the status an action leads to from status, or a 409 naming the state.
func TripMove(status, action string) (string, error) {
	m, ok := tripMoves[action]
	if !ok {
		return "", errs.Invalid("action", "未知的操作")
	}
	for _, f := range m.from {
		if f == status {
			return m.to, nil
		}
	}
	return "", errs.Conflict("用车申请当前为“" + TripStatuses.Name(status) + "”，不能" + actionNames[action])
}

// CanMove reports whether an action is possible from status (for showing only the actions that apply).
func CanMove(status, action string) bool { _, err := TripMove(status, action); return err == nil }

var actionNames = map[string]string{"approve": "审批同意", "reject": "驳回", "dispatch": "派车", "start": "出车", "complete": "收车", "cancel": "取消"}

// Rules are the compliance rules with their Chinese names (docs/api.md §Official vehicles; docs/domain/vehicles.md).
var Rules = enum.Of(RulePriceCap, "超价格标准", RuleDisplacementCap, "超排气量标准", RuleOverQuota, "超编制",
	RuleRenewal, "可更新（使用超过 8 年）", RuleSUVLeader, "越野车作为领导干部固定用车", RuleNEVShare, "新能源汽车比例不足",
	RuleNonDomestic, "非国产汽车", RuleRegisteredElsewhere, "登记在产权单位以外", RuleCostWithoutTrip, "无出车记录的燃油（充电）费",
	RuleNonDesignated, "非定点供应商")

// Rule codes.
const (
	RulePriceCap        = "price_cap"
	RuleDisplacementCap = "displacement_cap"
	RuleOverQuota       = "over_quota"
	RuleRenewal         = "renewal_eligible"
	RuleSUVLeader       = "suv_fixed_leader"
	RuleNEVShare        = "nev_share"
	RuleNonDomestic     = "non_domestic"
	// RuleRegisteredElsewhere: the registration names a unit, an enterprise or a person other than the owner.
	RuleRegisteredElsewhere = "registered_elsewhere"
	// RuleCostWithoutTrip: a fuel or charging cost on a day the vehicle had no trip (私车公养 signal).
	RuleCostWithoutTrip = "cost_without_trip"
	// RuleNonDesignated: a cost at an insurer, garage or fuel station not designated for the unit (定点).
	RuleNonDesignated = "non_designated_supplier"
)

// Cap is a configuration standard: the price (excluding purchase tax) and displacement a vehicle may not exceed;
// zero means no limit of that kind. SameAsFuel marks the new-energy non-sedan rule (the fuel vehicle's standard of
// the same type applies).
type Cap struct {
	PriceYuan     float64 `json:"price_yuan"`
	DisplacementL float64 `json:"displacement_l"`
	SameAsFuel    bool    `json:"same_as_fuel,omitempty"`
	Text          string  `json:"text"`
}

// CapKeys are the reference-data keys that may hold the standard of a vehicle, most specific first:
// "<category>/<body>", "<category>/*"; for new-energy vehicles "nev/<body>" and "nev/*" come first.
func CapKeys(category, body, fuel string) []string {
	keys := []string{category + "/" + body, category + "/*"}
	if NewEnergy(fuel) {
		keys = append([]string{"nev/" + body, "nev/*"}, keys...)
	}
	return keys
}

// VehicleFacts are what the standards checks read of a vehicle.
type VehicleFacts struct {
	Category, Body, Fuel string
	PriceYuan            float64
	DisplacementL        float64
	Domestic             bool
	FixedLeader          bool
}

// Finding is one rule a vehicle or a unit breaks (or, for renewal, a fact the bureau acts on).
type Finding struct {
	Rule   string
	Detail string
}

// CheckCaps applies the price and displacement standards: lookup returns the Cap stored under a key (false when
// there is none). A new-energy vehicle under "same as fuel" is held to the fuel standard of its category and body;
// displacement limits never apply to a pure electric vehicle.
func CheckCaps(v VehicleFacts, lookup func(key string) (Cap, bool)) (price, disp *Finding, priceCap, dispCap Cap) {
	find := func(keys []string) (Cap, bool) {
		for _, k := range keys {
			if c, ok := lookup(k); ok {
				return c, true
			}
		}
		return Cap{}, false
	}
	fuelCap, hasFuel := find([]string{v.Category + "/" + v.Body, v.Category + "/*"})
	c, ok := find(CapKeys(v.Category, v.Body, v.Fuel))
	if ok && c.SameAsFuel {
		c, ok = fuelCap, hasFuel
	}
	if ok && c.PriceYuan > 0 && v.PriceYuan > c.PriceYuan {
		price = &Finding{Rule: RulePriceCap, Detail: fmt.Sprintf("价格 %s 元（不含车辆购置税），超过标准 %s 元", yuanText(v.PriceYuan), yuanText(c.PriceYuan))}
		priceCap = c
	}
	// Displacement: the fuel vehicle's standard of the same category and body (electric vehicles have none).
	if v.Fuel != "electric" && hasFuel && fuelCap.DisplacementL > 0 && v.DisplacementL > fuelCap.DisplacementL+1e-9 {
		disp = &Finding{Rule: RuleDisplacementCap, Detail: fmt.Sprintf("排气量 %.1f L，超过标准 %.1f L", v.DisplacementL, fuelCap.DisplacementL)}
		dispCap = fuelCap
	}
	return price, disp, priceCap, dispCap
}

func yuanText(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.2f", v)
}

// RenewalEligible reports whether a vehicle bought on purchase (YYYY-MM-DD) has been in service more than years
// years on today (第二十二条: eligible, never required).
func RenewalEligible(purchase, today string, years int) bool {
	if len(purchase) != 10 || len(today) != 10 || years <= 0 {
		return false
	}
	var y, m, d int
	if _, err := fmt.Sscanf(purchase, "%04d-%02d-%02d", &y, &m, &d); err != nil {
		return false
	}
	return fmt.Sprintf("%04d-%02d-%02d", y+years, m, d) < today
}

// Candidate is a vehicle that might serve a trip, with what the ranking reads.
type Candidate struct {
	VehicleID int64
	Plate     string
	Category  string
	Seats     int
	Fuel      string
	SameUnit  bool // registered to the requesting unit
	Busy      bool // dispatched for an overlapping time
	Sealed    bool // not in use
}

// Rank orders the free vehicles with enough seats for a trip: the requesting unit's own first, then the category
// asked for, new-energy before fuel, then the fewest spare seats (the smallest car that fits), then the plate.
// Busy, sealed and too small vehicles are left out.
func Rank(cs []Candidate, passengers int, category string) []Candidate {
	var out []Candidate
	for _, c := range cs {
		if !c.Busy && !c.Sealed && c.Seats >= passengers+1 {
			out = append(out, c)
		}
	}
	b := func(v bool) int {
		if v {
			return 0
		}
		return 1
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, z := out[i], out[j]
		if x, y := b(a.SameUnit), b(z.SameUnit); x != y {
			return x < y
		}
		if category != "" {
			if x, y := b(a.Category == category), b(z.Category == category); x != y {
				return x < y
			}
		}
		if x, y := b(NewEnergy(a.Fuel)), b(NewEnergy(z.Fuel)); x != y {
			return x < y
		}
		if a.Seats != z.Seats {
			return a.Seats < z.Seats
		}
		return a.Plate < z.Plate
	})
	return out
}

// ConsumptionCheck compares a year's consumption per 100 km with the baseline's (the 12 months before): per100 and
// base100 are litres or kWh per 100 km (0 without distance or quantity), dev the deviation from the baseline in
// percent, and anomaly whether it exceeds threshold (a fraction, e.g. 0.2) either way. Without a baseline there is
// no deviation and no anomaly.
func ConsumptionCheck(qty, km, baseQty, baseKM, threshold float64) (per100, base100, dev float64, anomaly bool) {
	r2 := func(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }
	if km > 0 && qty > 0 {
		per100 = qty / km * 100
	}
	if baseKM > 0 && baseQty > 0 {
		base100 = baseQty / baseKM * 100
	}
	if per100 > 0 && base100 > 0 {
		dev = (per100 - base100) / base100 * 100
		anomaly = threshold > 0 && (dev > threshold*100+1e-9 || dev < -threshold*100-1e-9)
	}
	if dev < 0 {
		return r2(per100), r2(base100), -r2(-dev), anomaly
	}
	return r2(per100), r2(base100), r2(dev), anomaly
}

// HireCharge is what a hire trip costs at a contract's prices (fen): the distance at the price per km, plus the
// time — hours at the price per hour, or days at the price per day, the cheaper when the contract sets both
// (docs/domain/vehicles.md §Hire pool; GovOps's rule where a contract does not say otherwise).
func HireCharge(km, hours float64, days int, perKM, perHour, perDay int64) (kmFen, timeFen int64) {
	kmFen = int64(km*float64(perKM) + 0.5)
	byHour := int64(hours*float64(perHour) + 0.5)
	byDay := int64(days) * perDay
	switch {
	case perHour > 0 && perDay > 0:
		timeFen = min(byHour, byDay)
	case perHour > 0:
		timeFen = byHour
	default:
		timeFen = byDay
	}
	return kmFen, timeFen
}
