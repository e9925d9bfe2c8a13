package energy

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govops/govops/internal/platform/errs"
)

// Type is an energy or resource type of the statistics (《公共机构能源资源消费统计调查制度》). Amounts are stored
// in Unit; the factors that convert them live in reference data, never here.
type Type struct {
	Code string
	Name string
	Unit string // canonical unit of stored amounts (docs/api.md §Energy: kWh, m3, kg, GJ)
	// Counted types make up 综合能耗 (total_kgce). Water is a resource, not energy; PV generation consumed on site
	// is reported but not counted (the purchased electricity is what is counted).
	Counted bool
	// Inputs are the units an entry may be typed in, the canonical one first.
	Inputs []InputUnit
	Color  string // chart colour
}

// InputUnit is a unit an amount may be given in: Factor canonical units per input unit, or a litre of liquid fuel
// converted with the density in force (reference data energy.fuel_density).
type InputUnit struct {
	Code   string
	Name   string
	Factor float64
	Litres bool
}

// Types are the energy types, in the order of the statistics forms. The codes are those of docs/api.md §Energy.
var Types = []Type{
	{Code: "electricity", Name: "电力", Unit: "kWh", Counted: true, Color: "#1d4f91",
		Inputs: []InputUnit{{"kWh", "千瓦时", 1, false}, {"万kWh", "万千瓦时", 1e4, false}, {"MWh", "兆瓦时", 1e3, false}}},
	{Code: "water", Name: "水", Unit: "m3", Counted: false, Color: "#3a9ad9",
		Inputs: []InputUnit{{"m3", "立方米", 1, false}, {"t", "吨", 1, false}, {"万m3", "万立方米", 1e4, false}}},
	{Code: "natural_gas", Name: "天然气", Unit: "m3", Counted: true, Color: "#e08e0b",
		Inputs: []InputUnit{{"m3", "立方米", 1, false}, {"万m3", "万立方米", 1e4, false}}},
	{Code: "coal", Name: "煤炭", Unit: "kg", Counted: true, Color: "#4d4d4d",
		Inputs: []InputUnit{{"kg", "千克", 1, false}, {"t", "吨", 1e3, false}}},
	{Code: "gasoline", Name: "汽油", Unit: "kg", Counted: true, Color: "#c0392b",
		Inputs: []InputUnit{{"kg", "千克", 1, false}, {"t", "吨", 1e3, false}, {"L", "升", 0, true}}},
	{Code: "diesel", Name: "柴油", Unit: "kg", Counted: true, Color: "#8e44ad",
		Inputs: []InputUnit{{"kg", "千克", 1, false}, {"t", "吨", 1e3, false}, {"L", "升", 0, true}}},
	{Code: "lpg", Name: "液化石油气", Unit: "kg", Counted: true, Color: "#16a085",
		Inputs: []InputUnit{{"kg", "千克", 1, false}, {"t", "吨", 1e3, false}}},
	{Code: "heat", Name: "热力", Unit: "GJ", Counted: true, Color: "#d35400",
		Inputs: []InputUnit{{"GJ", "吉焦", 1, false}, {"MJ", "兆焦", 1e-3, false}, {"百万千焦", "百万千焦", 1, false}}},
	{Code: "pv_generation", Name: "光伏发电量", Unit: "kWh", Counted: false, Color: "#f1c40f",
		Inputs: []InputUnit{{"kWh", "千瓦时", 1, false}, {"万kWh", "万千瓦时", 1e4, false}, {"MWh", "兆瓦时", 1e3, false}}},
}

// TypeByCode returns the type with code, or false.
func TypeByCode(code string) (Type, bool) {
	for _, t := range Types {
		if t.Code == code {
			return t, true
		}
	}
	return Type{}, false
}

// TypeName is the Chinese name of a type code (the code itself when unknown).
func TypeName(code string) string {
	if t, ok := TypeByCode(code); ok {
		return t.Name
	}
	return code
}

// TypeNames is TypeName of each code.
func TypeNames(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = TypeName(c)
	}
	return out
}

// UnitLabel renders a unit code for people ("m3" → "m³").
func UnitLabel(u string) string {
	return strings.NewReplacer("m3", "m³").Replace(u)
}

// typeCodes lists the codes for error messages.
func typeCodes() string {
	parts := make([]string, len(Types))
	for i, t := range Types {
		parts[i] = t.Code + "（" + t.Name + "）"
	}
	return strings.Join(parts, "、")
}

// typeByName finds a type by code or Chinese name (imports, where people type Chinese).
func typeByName(s string) (Type, bool) {
	s = strings.TrimSpace(s)
	for _, t := range Types {
		if t.Code == s || t.Name == s {
			return t, true
		}
	}
	switch s {
	case "电", "用电", "电量":
		return TypeByCode("electricity")
	case "用水", "自来水", "水量":
		return TypeByCode("water")
	case "燃气", "管道天然气":
		return TypeByCode("natural_gas")
	case "原煤", "煤":
		return TypeByCode("coal")
	case "液化气", "LPG":
		return TypeByCode("lpg")
	case "热", "集中供热", "热力消费量":
		return TypeByCode("heat")
	case "光伏", "太阳能光电发电量", "光伏发电":
		return TypeByCode("pv_generation")
	}
	return Type{}, false
}

// Input returns the input unit code of t ("" = canonical), accepting "m³" for "m3" and Chinese names.
func (t Type) Input(code string) (InputUnit, bool) {
	code = strings.TrimSpace(strings.ReplaceAll(code, "³", "3"))
	if code == "" {
		return t.Inputs[0], true
	}
	for _, u := range t.Inputs {
		if strings.EqualFold(u.Code, code) || u.Name == code {
			return u, true
		}
	}
	if code == "升" || code == "l" {
		for _, u := range t.Inputs {
			if u.Litres {
				return u, true
			}
		}
	}
	return InputUnit{}, false
}

func (t Type) inputCodes() string {
	parts := make([]string, len(t.Inputs))
	for i, u := range t.Inputs {
		parts[i] = u.Code
	}
	return strings.Join(parts, "、")
}

// SubItem is a sub-item of electricity consumption in the building energy monitoring guideline (住建部《国家机关办公
// 建筑和大型公共建筑能耗监测系统分项能耗数据采集技术导则》): four groups and their items. Codes are lower case.
type SubItem struct {
	Code, Name string
	Group      string // "" for a group, else the group code
}

// SubItems lists the groups and items in the guideline's order.
var SubItems = []SubItem{
	{"a", "照明插座用电", ""}, {"a1", "室内照明与插座", "a"}, {"a2", "走廊与应急照明", "a"}, {"a3", "室外景观照明", "a"},
	{"b", "空调用电", ""}, {"b1", "冷热站", "b"}, {"b2", "空调末端", "b"},
	{"c", "动力用电", ""}, {"c1", "电梯", "c"}, {"c2", "水泵", "c"}, {"c3", "通风机", "c"},
	{"d", "特殊用电", ""}, {"d1", "信息中心", "d"}, {"d2", "厨房餐厅", "d"}, {"d3", "洗衣房", "d"}, {"d4", "游泳池", "d"},
	{"d5", "健身房", "d"}, {"d6", "其他特殊用电", "d"},
}

// SubItemName is the Chinese name of a sub-item code ("总表" for the main meter's "").
func SubItemName(code string) string {
	if code == "" {
		return "总表"
	}
	for _, s := range SubItems {
		if s.Code == code {
			return s.Name
		}
	}
	return code
}

// subItemGroup returns the group code of a sub-item ("a1" → "a", "a" → "a").
func subItemGroup(code string) string {
	if code == "" {
		return ""
	}
	return code[:1]
}

func validSubItem(code string) bool {
	for _, s := range SubItems {
		if s.Code == code {
			return true
		}
	}
	return false
}

// Period is a statistics month.
type Period struct{ Year, Month int }

// ParsePeriod reads "YYYY-MM".
func ParsePeriod(s string) (Period, bool) {
	if len(s) != 7 || s[4] != '-' {
		return Period{}, false
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:])
	if err1 != nil || err2 != nil || m < 1 || m > 12 || y < 1900 {
		return Period{}, false
	}
	return Period{y, m}, true
}

// String renders "YYYY-MM".
func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, p.Month) }

// Shanghai is the time zone of periods, days and hours shown to people.
var Shanghai = time.FixedZone("CST", 8*3600)

// PeriodOf is the month an instant falls in, in Beijing time.
func PeriodOf(unix int64) Period {
	t := time.Unix(unix, 0).In(Shanghai)
	return Period{t.Year(), int(t.Month())}
}

// Start is the first instant of the month (Beijing time).
func (p Period) Start() time.Time {
	return time.Date(p.Year, time.Month(p.Month), 1, 0, 0, 0, 0, Shanghai)
}

// Next is the following month.
func (p Period) Next() Period {
	if p.Month == 12 {
		return Period{p.Year + 1, 1}
	}
	return Period{p.Year, p.Month + 1}
}

// Prev is the month before.
func (p Period) Prev() Period {
	if p.Month == 1 {
		return Period{p.Year - 1, 12}
	}
	return Period{p.Year, p.Month - 1}
}

// Before reports whether p is earlier than o.
func (p Period) Before(o Period) bool {
	return p.Year < o.Year || (p.Year == o.Year && p.Month < o.Month)
}

// minYear is the earliest accounting year accepted (statistics before it are out of scope).
const minYear = 2000

// ConsumptionInput is the body of POST /api/v1/energy/consumption (docs/api.md §Energy) and one cell of the entry grid.
type ConsumptionInput struct {
	OrgID      int64   `json:"org_id"`
	Period     string  `json:"period" doc:"YYYY-MM"`
	EnergyType string  `json:"energy_type" doc:"electricity · water · natural_gas · coal · gasoline · diesel · lpg · heat · pv_generation"`
	Amount     float64 `json:"amount" doc:"不小于 0；单位见 unit"`
	Unit       string  `json:"unit,omitempty" doc:"填报单位，默认该品种的计量单位；汽油、柴油可填 L（按换算密度折算为 kg）；另可 万kWh、t、万m3、MJ 等"`
	Note       string  `json:"note,omitempty"`
	// Confirm and Reason accept a figure the plausibility check questions (422 plausibility): docs/api.md §Energy.
	Confirm bool   `json:"confirm,omitempty" doc:"确认与往期差异较大的数值无误（收到 422 plausibility 后再次提交时）"`
	Reason  string `json:"reason,omitempty" doc:"确认时必填的说明，与该条数据一起保存并留痕"`
}

// checkConsumption validates the fields that need no database; now bounds the period (no future months). It
// returns the type and input unit.
func checkConsumption(in *ConsumptionInput, now time.Time, f errs.Fields) (Type, InputUnit) {
	in.Period = strings.TrimSpace(in.Period)
	in.EnergyType = strings.TrimSpace(in.EnergyType)
	in.Note = strings.TrimSpace(in.Note)
	if in.OrgID <= 0 {
		f.Add("org_id", "请选择单位")
	}
	if p, ok := ParsePeriod(in.Period); !ok {
		f.Add("period", "统计月份应为 YYYY-MM，如 2025-03")
	} else if cur := PeriodOf(now.Unix()); p.Year < minYear || cur.Before(p) {
		f.Add("period", fmt.Sprintf("统计月份应在 %d-01 至 %s 之间（不能填报未来月份）", minYear, cur))
	}
	t, ok := TypeByCode(in.EnergyType)
	if !ok {
		f.Add("energy_type", "能源品种应为 "+typeCodes())
		return t, InputUnit{}
	}
	u, ok := t.Input(in.Unit)
	if !ok {
		f.Add("unit", t.Name+"的填报单位应为 "+t.inputCodes())
	}
	switch {
	case math.IsNaN(in.Amount) || math.IsInf(in.Amount, 0):
		f.Add("amount", "数量应为数字")
	case in.Amount < 0:
		f.Add("amount", "数量不能为负数")
	case in.Amount > 1e12:
		f.Add("amount", "数量过大，请检查单位")
	}
	if utf8.RuneCountInString(in.Note) > 200 {
		f.Add("note", "备注不超过 200 字")
	}
	return t, u
}
