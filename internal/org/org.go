// Package org is the organisation spine every module stands on: administrative regions (national division
// codes), units (单位) as a tree with their kind, administrative level, region, 统一社会信用代码, energy-statistics
// category, headcount and floor area, and people with rank and status. It implements auth.Tree, so data scope
// (all / subtree / unit / self) is a range over the units' materialised paths.
package org

import (
	"embed"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed data/admin-divisions-cn/*.csv
var regionsFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

// Migrations creates the spine's tables.
var Migrations = db.Embedded("org", migrationsFS)

// OrgID identifies a unit.
type OrgID = int64

// Kinds of unit (docs/api.md §Organisation spine).
var Kinds = enum.Of("bureau", "机关事务管理部门", "organ", "党政机关", "institution", "事业单位", "association", "团体组织", "other", "其他")

// AdminLevels of a unit (docs/api.md §Organisation spine); they select the row of the office-space standard.
var AdminLevels = enum.Of("central", "中央", "provincial", "省级", "municipal", "市级", "county", "县级", "township", "乡级")

// Grades (机构规格) of a unit, highest first (docs/api.md §Organisation spine). A unit's grade may differ from its
// administrative level: a 处级 institution of a province is a provincial unit of division grade.
var Grades = enum.Of("ministry", "部级", "bureau", "厅局级", "division", "县处级", "section", "乡科级")

// Affiliations mark the bodies that note 2 of the 2014 office-space standard sends to the rows of their own grade:
// 派出机构 and 直属事业单位 (docs/domain/office-space.md §Table 1 · 办公室使用面积). Empty for every other unit.
var Affiliations = enum.Of("dispatched", "派出机构", "affiliated_institution", "直属事业单位")

// Categories of the energy statistics (公共机构能源资源消费统计调查制度).
var Categories = enum.Of("organ", "机关", "higher_education", "高等学校", "school", "中小学校", "hospital", "医院", "venue", "场馆", "other", "其他")

// Ranks (职级) of people, highest first (docs/api.md §Organisation spine).
var Ranks = enum.Of(
	"minister", "正部级", "vice_minister", "副部级", "bureau_director", "正厅局级", "deputy_bureau_director", "副厅局级",
	"division_director", "正处级", "deputy_division_director", "副处级", "section_chief", "正科级",
	"deputy_section_chief", "副科级", "staff", "科员及以下",
)

// Statuses of people.
var Statuses = enum.Of("active", "在职", "retired", "退休", "transferred", "调离")

// Genders of people.
var Genders = enum.Of("male", "男", "female", "女")

// Org is a unit.
type Org struct {
	ID          int64   `json:"id"`
	ParentID    int64   `json:"parent_id,omitempty"`
	Path        string  `json:"path"`
	Depth       int     `json:"depth"`
	Name        string  `json:"name"`
	ShortName   string  `json:"short_name"`
	Kind        string  `json:"kind"`
	AdminLevel  string  `json:"admin_level"`
	Grade       string  `json:"grade" doc:"机构规格：ministry 部级 · bureau 厅局级 · division 县处级 · section 乡科级；空为未填"`
	Affiliation string  `json:"affiliation" doc:"dispatched 派出机构 · affiliated_institution 直属事业单位；空为其他单位"`
	RegionCode  string  `json:"region_code"`
	CreditCode  string  `json:"credit_code"`
	Category    string  `json:"category"`
	Headcount   int64   `json:"headcount"`
	FloorAreaM2 float64 `json:"floor_area_m2"`
	Address     string  `json:"address"`
	Contact     string  `json:"contact"`
	Phone       string  `json:"phone"`
	Status      string  `json:"status"`
	Sort        int64   `json:"sort"`
	CreatedAt   int64   `json:"-"`
	UpdatedAt   int64   `json:"-"`

	// Filled by reads for display.
	ParentName string `json:"parent_name,omitempty"`
	RegionName string `json:"region_name,omitempty"`
	Children   int64  `json:"children"`
	People     int64  `json:"people"`
}

// KindName etc. give the Chinese names for templates.
func (o Org) KindName() string     { return Kinds.Name(o.Kind) }
func (o Org) LevelName() string    { return AdminLevels.Name(o.AdminLevel) }
func (o Org) CategoryName() string { return Categories.Name(o.Category) }
func (o Org) GradeName() string    { return Grades.Name(o.Grade) }
func (o Org) AffiliationName() string {
	return Affiliations.Name(o.Affiliation)
}
func (o Org) Active() bool       { return o.Status == "active" }
func (o Org) Created() time.Time { return time.Unix(o.CreatedAt, 0) }
func (o Org) StatusName() string {
	return map[string]string{"active": "正常", "inactive": "已停用"}[o.Status]
}
func (o Org) snapshot() map[string]any {
	return map[string]any{"name": o.Name, "short_name": o.ShortName, "parent_id": o.ParentID, "kind": o.Kind, "admin_level": o.AdminLevel,
		"grade": o.Grade, "affiliation": o.Affiliation, "region_code": o.RegionCode, "credit_code": o.CreditCode, "category": o.Category, "headcount": o.Headcount,
		"floor_area_m2": o.FloorAreaM2, "address": o.Address, "contact": o.Contact, "phone": o.Phone, "status": o.Status, "sort": o.Sort}
}

var orgLabels = [][2]string{{"name", "名称"}, {"short_name", "简称"}, {"parent_id", "上级单位"}, {"kind", "单位类型"}, {"admin_level", "机构层级"},
	{"grade", "机构规格"}, {"affiliation", "派出或直属"}, {"region_code", "行政区划"}, {"credit_code", "统一社会信用代码"}, {"category", "统计类别"}, {"headcount", "用能人数"},
	{"floor_area_m2", "建筑面积"}, {"address", "地址"}, {"contact", "联系人"}, {"phone", "电话"}, {"status", "状态"}, {"sort", "排序"}}

// OrgInput is the body of POST /api/v1/orgs (docs/api.md §Organisation spine) and the unit form.
type OrgInput struct {
	Name        string  `json:"name"`
	ShortName   string  `json:"short_name,omitempty"`
	ParentID    int64   `json:"parent_id,omitempty"`
	Kind        string  `json:"kind"`
	AdminLevel  string  `json:"admin_level"`
	Grade       string  `json:"grade,omitempty" doc:"机构规格 ministry|bureau|division|section；派出机构、直属事业单位必填"`
	Affiliation string  `json:"affiliation,omitempty" doc:"dispatched 派出机构 · affiliated_institution 直属事业单位；空为其他单位"`
	RegionCode  string  `json:"region_code,omitempty"`
	CreditCode  string  `json:"credit_code,omitempty"`
	Category    string  `json:"category,omitempty"`
	Headcount   int64   `json:"headcount,omitempty"`
	FloorAreaM2 float64 `json:"floor_area_m2,omitempty"`
	Address     string  `json:"address,omitempty"`
	Contact     string  `json:"contact,omitempty"`
	Phone       string  `json:"phone,omitempty"`
	Sort        int64   `json:"sort,omitempty"`
}

// OrgPatch is the body of PATCH /api/v1/orgs/{id}: only the fields present change. A new parent_id moves the unit.
type OrgPatch struct {
	Name        *string  `json:"name,omitempty"`
	ShortName   *string  `json:"short_name,omitempty"`
	ParentID    *int64   `json:"parent_id,omitempty"`
	Kind        *string  `json:"kind,omitempty"`
	AdminLevel  *string  `json:"admin_level,omitempty"`
	Grade       *string  `json:"grade,omitempty"`
	Affiliation *string  `json:"affiliation,omitempty"`
	RegionCode  *string  `json:"region_code,omitempty"`
	CreditCode  *string  `json:"credit_code,omitempty"`
	Category    *string  `json:"category,omitempty"`
	Headcount   *int64   `json:"headcount,omitempty"`
	FloorAreaM2 *float64 `json:"floor_area_m2,omitempty"`
	Address     *string  `json:"address,omitempty"`
	Contact     *string  `json:"contact,omitempty"`
	Phone       *string  `json:"phone,omitempty"`
	Sort        *int64   `json:"sort,omitempty"`
}

func (in *OrgInput) normalise() {
	in.Name = strings.TrimSpace(in.Name)
	in.ShortName = strings.TrimSpace(in.ShortName)
	in.Kind = strings.TrimSpace(in.Kind)
	in.AdminLevel = strings.TrimSpace(in.AdminLevel)
	in.Grade = strings.TrimSpace(in.Grade)
	in.Affiliation = strings.TrimSpace(in.Affiliation)
	in.RegionCode = strings.TrimSpace(in.RegionCode)
	in.CreditCode = strings.ToUpper(strings.TrimSpace(in.CreditCode))
	in.Category = strings.TrimSpace(in.Category)
	in.Address = strings.TrimSpace(in.Address)
	in.Contact = strings.TrimSpace(in.Contact)
	in.Phone = strings.TrimSpace(in.Phone)
	if in.Category == "" {
		in.Category = "organ"
	}
}

// check validates the fields that need no database.
func (in *OrgInput) check(f errs.Fields) {
	in.normalise()
	if in.Name == "" {
		f.Add("name", "请填写单位名称")
	} else if utf8.RuneCountInString(in.Name) > 100 {
		f.Add("name", "单位名称不超过 100 字")
	}
	if utf8.RuneCountInString(in.ShortName) > 40 {
		f.Add("short_name", "简称不超过 40 字")
	}
	if !Kinds.Has(in.Kind) {
		f.Add("kind", "单位类型应为 "+Kinds.Described())
	}
	if !AdminLevels.Has(in.AdminLevel) {
		f.Add("admin_level", "机构层级应为 "+AdminLevels.Described())
	}
	if in.Grade != "" && !Grades.Has(in.Grade) {
		f.Add("grade", "机构规格应为 "+Grades.Described())
	}
	if in.Affiliation != "" && !Affiliations.Has(in.Affiliation) {
		f.Add("affiliation", "派出或直属应为 "+Affiliations.Described()+"，其他单位留空")
	} else if in.Affiliation != "" && in.Grade == "" {
		f.Add("grade", "派出机构、直属事业单位请填写机构规格（按本级规格确定办公用房标准）")
	}
	if !Categories.Has(in.Category) {
		f.Add("category", "统计类别应为 "+Categories.Described())
	}
	if in.CreditCode != "" {
		if msg := CheckCreditCode(in.CreditCode); msg != "" {
			f.Add("credit_code", msg)
		}
	}
	if in.RegionCode != "" && !isDigits(in.RegionCode, 6) {
		f.Add("region_code", "行政区划代码应为 6 位数字")
	}
	if in.Headcount < 0 || in.Headcount > 10_000_000 {
		f.Add("headcount", "用能人数应为不小于 0 的整数")
	}
	if in.FloorAreaM2 < 0 || in.FloorAreaM2 > 1e8 || in.FloorAreaM2 != in.FloorAreaM2 {
		f.Add("floor_area_m2", "建筑面积应为不小于 0 的数（平方米）")
	}
	if utf8.RuneCountInString(in.Address) > 200 {
		f.Add("address", "地址不超过 200 字")
	}
	if utf8.RuneCountInString(in.Contact) > 40 {
		f.Add("contact", "联系人不超过 40 字")
	}
	if utf8.RuneCountInString(in.Phone) > 40 {
		f.Add("phone", "电话不超过 40 字")
	}
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// creditChars are the 31 characters of GB 32100-2015 (no I, O, S, V, Z), each worth its index.
const creditChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCheckChar computes the 18th (check) character of a 统一社会信用代码 from its first 17 characters.
func CreditCheckChar(first17 string) (byte, bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditChars, first17[i])
		if v < 0 {
			return 0, false
		}
		sum += v * creditWeights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return creditChars[c], true
}

// CheckCreditCode validates a 统一社会信用代码 (GB 32100-2015): 18 characters from the permitted set, the
// administrative division code in positions 3–8, and the check character. It returns "" when valid, otherwise
// a Chinese message.
func CheckCreditCode(code string) string {
	if utf8.RuneCountInString(code) != 18 {
		return fmt.Sprintf("统一社会信用代码应为 18 位（现为 %d 位）", utf8.RuneCountInString(code))
	}
	for i := 0; i < 18; i++ {
		if strings.IndexByte(creditChars, code[i]) < 0 {
			return fmt.Sprintf("统一社会信用代码第 %d 位“%c”不是允许的字符（不使用 I、O、S、V、Z）", i+1, code[i])
		}
	}
	if !isDigits(code[2:8], 6) {
		return "统一社会信用代码第 3–8 位应为行政区划代码（数字）"
	}
	want, _ := CreditCheckChar(code[:17])
	if code[17] != want {
		return fmt.Sprintf("统一社会信用代码校验位错误（第 18 位应为 %c）", want)
	}
	return ""
}

// Person is someone who works in a unit.
type Person struct {
	ID          int64  `json:"id"`
	OrgID       int64  `json:"org_id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Gender      string `json:"gender"`
	Rank        string `json:"rank"`
	Position    string `json:"position"`
	Phone       string `json:"phone"`
	Status      string `json:"status"`
	StatusSince string `json:"status_since"`
	CreatedAt   int64  `json:"-"`
	UpdatedAt   int64  `json:"-"`

	OrgName    string `json:"org_name,omitempty"`
	AdminLevel string `json:"admin_level,omitempty"` // of the unit
}

// RankName etc. give the Chinese names for templates.
func (p Person) RankName() string   { return Ranks.Name(p.Rank) }
func (p Person) StatusName() string { return Statuses.Name(p.Status) }
func (p Person) GenderName() string { return Genders.Name(p.Gender) }
func (p Person) snapshot() map[string]any {
	return map[string]any{"org_id": p.OrgID, "code": p.Code, "name": p.Name, "gender": p.Gender, "rank": p.Rank,
		"position": p.Position, "phone": p.Phone, "status": p.Status, "status_since": p.StatusSince}
}

var personLabels = [][2]string{{"org_id", "所在单位"}, {"code", "人员编号"}, {"name", "姓名"}, {"gender", "性别"}, {"rank", "职级"},
	{"position", "职务"}, {"phone", "电话"}, {"status", "状态"}, {"status_since", "状态起始日期"}}

// PersonInput is the body of POST /api/v1/people (docs/api.md §Organisation spine) and the person form.
type PersonInput struct {
	OrgID       int64  `json:"org_id"`
	Code        string `json:"code,omitempty"`
	Name        string `json:"name"`
	Gender      string `json:"gender,omitempty"`
	Rank        string `json:"rank"`
	Position    string `json:"position,omitempty"`
	Phone       string `json:"phone,omitempty"`
	Status      string `json:"status,omitempty"`
	StatusSince string `json:"status_since,omitempty"`
}

// PersonPatch is the body of PATCH /api/v1/people/{id}.
type PersonPatch struct {
	OrgID       *int64  `json:"org_id,omitempty"`
	Code        *string `json:"code,omitempty"`
	Name        *string `json:"name,omitempty"`
	Gender      *string `json:"gender,omitempty"`
	Rank        *string `json:"rank,omitempty"`
	Position    *string `json:"position,omitempty"`
	Phone       *string `json:"phone,omitempty"`
	Status      *string `json:"status,omitempty"`
	StatusSince *string `json:"status_since,omitempty"`
}

func (in *PersonInput) check(f errs.Fields, today string) {
	in.Name = strings.TrimSpace(in.Name)
	in.Code = strings.TrimSpace(in.Code)
	in.Position = strings.TrimSpace(in.Position)
	in.Phone = strings.TrimSpace(in.Phone)
	in.StatusSince = strings.TrimSpace(in.StatusSince)
	if in.Status == "" {
		in.Status = "active"
	}
	if in.StatusSince == "" {
		in.StatusSince = today
	}
	if in.OrgID <= 0 {
		f.Add("org_id", "请选择所在单位")
	}
	if in.Name == "" {
		f.Add("name", "请填写姓名")
	} else if utf8.RuneCountInString(in.Name) > 40 {
		f.Add("name", "姓名不超过 40 字")
	}
	if utf8.RuneCountInString(in.Code) > 40 {
		f.Add("code", "人员编号不超过 40 个字符")
	}
	if in.Gender != "" && !Genders.Has(in.Gender) {
		f.Add("gender", "性别应为 male（男）或 female（女）")
	}
	if !Ranks.Has(in.Rank) {
		f.Add("rank", "职级应为 "+Ranks.Described())
	}
	if !Statuses.Has(in.Status) {
		f.Add("status", "状态应为 active（在职）、retired（退休）或 transferred（调离）")
	}
	if d, err := time.Parse(time.DateOnly, in.StatusSince); err != nil {
		f.Add("status_since", "日期格式应为 YYYY-MM-DD")
	} else if d.Year() < 1950 || in.StatusSince > today {
		f.Add("status_since", "状态起始日期应在 1950-01-01 至今天之间")
	}
	if utf8.RuneCountInString(in.Position) > 60 {
		f.Add("position", "职务不超过 60 字")
	}
	if utf8.RuneCountInString(in.Phone) > 40 {
		f.Add("phone", "电话不超过 40 字")
	}
}
