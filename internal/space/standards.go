package space

import (
	"context"
	"strings"
	"sync"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/refdata"
)

// Reference data kinds of the module.
const (
	KindStandard = "space.area_standard" // m²/person by "<admin level>/<rank>" (发改投资〔2014〕2674号 表1)
	KindRules    = "space.rules"         // vacating periods in months (《党政机关办公用房管理办法》第十九条)
	KindGrade    = "space.grade_rows"    // grade of a dispatched or affiliated body → level of its rows (表1 注2)
	KindSuite    = "space.suite"         // 卫生间 limit and the ranks entitled to one (表1 注)
	KindMix      = "space.room_mix"      // 设备用房 share, 服务用房 per person, K and the high-rise floors
)

// Datasets are the module's reference data files, registered with the reference-data kit at wiring.
func Datasets() []refdata.Dataset {
	return []refdata.Dataset{embeddedStandard(), embeddedRules(), embeddedGrade(), embeddedSuite(), embeddedMix()}
}

var (
	embeddedStandard = sync.OnceValue(func() refdata.Dataset { return refdata.MustLoad(dataFS, "data/area_standard.csv") })
	embeddedRules    = sync.OnceValue(func() refdata.Dataset { return refdata.MustLoad(dataFS, "data/rules.csv") })
	embeddedGrade    = sync.OnceValue(func() refdata.Dataset { return refdata.MustLoad(dataFS, "data/grade_rows.csv") })
	embeddedSuite    = sync.OnceValue(func() refdata.Dataset { return refdata.MustLoad(dataFS, "data/suite.csv") })
	embeddedMix      = sync.OnceValue(func() refdata.Dataset { return refdata.MustLoad(dataFS, "data/room_mix.csv") })
)

// StandardKey is the reference-data key of an administrative level and a rank.
func StandardKey(level, rank string) string { return level + "/" + rank }

// CheckLevelRank validates an administrative level and a rank (422 naming the field).
func CheckLevelRank(level, rank string) error {
	f := errs.Fields{}
	if !org.AdminLevels.Has(level) {
		f.Add("admin_level", "机构层级应为 central、provincial、municipal、county 或 township")
	}
	if !org.Ranks.Has(rank) {
		f.Add("rank", "职级无效，应为 minister、vice_minister、bureau_director、deputy_bureau_director、division_director、deputy_division_director、section_chief、deputy_section_chief 或 staff")
	}
	return f.Err()
}

// Standards resolves the area standards and vacating periods in force on one date, for any region: from the
// reference-data store (with the provinces' overrides), or — when the store has not loaded the module's datasets,
// e.g. in a program wired without it — from the embedded edition of the same files. Lookups are cached, so a scan
// over a million rooms asks each (region, level, rank) once.
type Standards struct {
	Date  string
	std   *refdata.Table
	rules *refdata.Table
	mu    sync.Mutex
	cache map[[3]string]stdHit
	per   map[string]Periods
	more  map[string]*refdata.Table // the other datasets of the module, by kind (nil: the embedded edition)
	nums  map[[3]string]stdHit
}

type stdHit struct {
	row refdata.Row
	ok  bool
}

// LoadStandards loads the standards in force on date.
func LoadStandards(ctx context.Context, q db.Q, date string) (*Standards, error) {
	std, err := refdata.LoadTable(ctx, q, KindStandard, date)
	if err != nil {
		return nil, err
	}
	rules, err := refdata.LoadTable(ctx, q, KindRules, date)
	if err != nil {
		return nil, err
	}
	st := &Standards{Date: date, cache: map[[3]string]stdHit{}, per: map[string]Periods{}, more: map[string]*refdata.Table{}, nums: map[[3]string]stdHit{}}
	for _, kind := range []string{KindGrade, KindSuite, KindMix} {
		t, err := refdata.LoadTable(ctx, q, kind, date)
		if err != nil {
			return nil, err
		}
		if len(t.Keys()) > 0 {
			st.more[kind] = t
		}
	}
	if len(std.Keys()) > 0 {
		st.std = std
	}
	if len(rules.Keys()) > 0 {
		st.rules = rules
	}
	return st, nil
}

func pickEmbedded(ds refdata.Dataset, key, region, date string) (refdata.Row, bool) {
	var rows []refdata.Row
	for _, r := range ds.Rows {
		if r.Key == key && r.ValidOn(date) {
			rows = append(rows, r)
		}
	}
	return refdata.Pick(rows, refdata.RegionChain(region))
}

// unitLevelSQL selects a unit's level spec for Standards.Row: its administrative level, grade and affiliation, so
// the lookup applies note 2 (Standards.Level). The SQL must name the unit "o".
const unitLevelSQL = "o.admin_level || ':' || o.grade || ':' || o.affiliation"

// plainLevel is the administrative level of a level spec (the spec itself when it is a plain level).
func plainLevel(spec string) string {
	if i := strings.IndexByte(spec, ':'); i >= 0 {
		return spec[:i]
	}
	return spec
}

// resolveLevel turns a level spec ("provincial:division:affiliated_institution") into the level whose rows apply.
func (st *Standards) resolveLevel(spec, region string) string {
	parts := strings.SplitN(spec, ":", 3)
	if len(parts) != 3 {
		return spec
	}
	return st.Level(parts[0], parts[1], parts[2], region)
}

// Row returns the standard row for a unit of the given level and region and a person of the given rank. level is
// an administrative level or a level spec read with unitLevelSQL.
func (st *Standards) Row(level, rank, region string) (refdata.Row, bool) {
	if strings.IndexByte(level, ':') >= 0 {
		level = st.resolveLevel(level, region)
	}
	k := [3]string{region, level, rank}
	st.mu.Lock()
	defer st.mu.Unlock()
	if h, ok := st.cache[k]; ok {
		return h.row, h.ok
	}
	var h stdHit
	if st.std != nil {
		h.row, h.ok = st.std.Lookup(StandardKey(level, rank), region)
	} else {
		h.row, h.ok = pickEmbedded(embeddedStandard(), StandardKey(level, rank), region, st.Date)
	}
	st.cache[k] = h
	return h.row, h.ok
}

// Num looks a number up in one of the module's other datasets (space.grade_rows, space.suite, space.room_mix) for a
// region, with the provinces' overrides; ok is false when no row is in force.
func (st *Standards) Num(kind, key, region string) (float64, bool) {
	k := [3]string{kind, key, region}
	st.mu.Lock()
	defer st.mu.Unlock()
	if h, ok := st.nums[k]; ok {
		return h.row.Value, h.ok
	}
	var h stdHit
	if t := st.more[kind]; t != nil {
		h.row, h.ok = t.Lookup(key, region)
	} else {
		ds := map[string]func() refdata.Dataset{KindGrade: embeddedGrade, KindSuite: embeddedSuite, KindMix: embeddedMix}[kind]
		if ds != nil {
			h.row, h.ok = pickEmbedded(ds(), key, region, st.Date)
		}
	}
	st.nums[k] = h
	return h.row.Value, h.ok
}

// Level is the administrative level whose rows of table 1 apply to a unit. A dispatched body (派出机构) or a directly
// affiliated institution (直属事业单位) with a grade uses the rows of its own grade (note 2, dataset
// space.grade_rows: a provincial division-grade institution uses the municipal rows); every other unit its own
// level (docs/domain/office-space.md §Table 1 · 办公室使用面积).
func (st *Standards) Level(level, grade, affiliation, region string) string {
	if affiliation == "" || grade == "" {
		return level
	}
	v, ok := st.Num(KindGrade, grade, region)
	if i := int(v); ok && float64(i) == v && i >= 1 && i < len(levelCodes) {
		return levelCodes[i]
	}
	return level
}

// Area returns the maximum office area (m²/person), and whether the standard is known.
func (st *Standards) Area(level, rank, region string) (float64, bool) {
	r, ok := st.Row(level, rank, region)
	return r.Value, ok
}

// Periods returns the vacating periods that apply in region.
func (st *Standards) Periods(region string) Periods {
	st.mu.Lock()
	defer st.mu.Unlock()
	if p, ok := st.per[region]; ok {
		return p
	}
	get := func(key string) int {
		var r refdata.Row
		var ok bool
		if st.rules != nil {
			r, ok = st.rules.Lookup(key, region)
		} else {
			r, ok = pickEmbedded(embeddedRules(), key, region, st.Date)
		}
		if !ok || r.Value < 0 {
			r, _ = pickEmbedded(embeddedRules(), key, "", st.Date)
		}
		return int(r.Value)
	}
	p := Periods{AfterLeaveMonths: get("vacate_after_leave_months"), AfterConcurrentMonths: get("vacate_after_concurrent_months")}
	st.per[region] = p
	return p
}

// StandardAnswer is the body of GET /api/v1/space/standards.
type StandardAnswer struct {
	AdminLevel string  `json:"admin_level"`
	LevelName  string  `json:"level_name"`
	Rank       string  `json:"rank"`
	RankName   string  `json:"rank_name"`
	RegionCode string  `json:"region_code" doc:"查询的行政区划（空为全国）"`
	MaxAreaM2  float64 `json:"max_area_m2" doc:"办公室使用面积上限（平方米/人）"`
	Unit       string  `json:"unit"`
	Source     string  `json:"source" doc:"依据文件"`
	Issuer     string  `json:"issuer"`
	RowRegion  string  `json:"row_region_code" doc:"生效数据所属区划：空为全国标准，否则为省（市）覆盖"`
	ValidFrom  string  `json:"valid_from"`
	ValidTo    string  `json:"valid_to"`
	Confidence string  `json:"confidence" doc:"V 原文核实 · S 二手来源 · M 待核实（应按本省规定覆盖）"`
	Note       string  `json:"note"`
	Origin     string  `json:"origin" doc:"builtin 内置 · override 覆盖"`
}

// Answer builds the API answer for a row.
func answer(level, rank, region string, r refdata.Row) StandardAnswer {
	origin := r.Origin
	if origin == "" {
		origin = refdata.OriginBuiltin
	}
	return StandardAnswer{AdminLevel: level, LevelName: org.AdminLevels.Name(level), Rank: rank, RankName: rankName(rank), RegionCode: region,
		MaxAreaM2: r.Value, Unit: r.Unit, Source: r.SourceDoc, Issuer: r.Issuer, RowRegion: r.RegionCode, ValidFrom: r.ValidFrom, ValidTo: r.ValidTo,
		Confidence: r.Confidence, Note: r.Note, Origin: origin}
}

// LookupStandard answers one standard for a level, rank, region and date (422 for an unknown level or rank, 404
// when no row is in force).
func LookupStandard(ctx context.Context, q db.Q, level, rank, region, date string) (StandardAnswer, error) {
	if err := CheckLevelRank(level, rank); err != nil {
		return StandardAnswer{}, err
	}
	f := errs.Fields{}
	if !refdata.ValidRegion(region) {
		f.Add("region_code", "行政区划代码应为 6 位数字（空为全国）")
	}
	if !refdata.ValidDate(date) {
		f.Add("date", "日期格式应为 YYYY-MM-DD")
	}
	if err := f.Err(); err != nil {
		return StandardAnswer{}, err
	}
	st, err := LoadStandards(ctx, q, date)
	if err != nil {
		return StandardAnswer{}, err
	}
	r, ok := st.Row(level, rank, region)
	if !ok {
		return StandardAnswer{}, errs.New(errs.CodeNotFound, "该机构层级和职级在 "+date+" 没有有效的办公室面积标准")
	}
	return answer(level, rank, region, r), nil
}

// StandardTable answers every level × rank for a region (the standards page and its export).
func StandardTable(ctx context.Context, q db.Q, region, date string) ([]StandardAnswer, error) {
	st, err := LoadStandards(ctx, q, date)
	if err != nil {
		return nil, err
	}
	var out []StandardAnswer
	for _, l := range org.AdminLevels {
		for _, rk := range org.Ranks {
			r, ok := st.Row(l.Code, rk.Code, region)
			if !ok {
				continue
			}
			out = append(out, answer(l.Code, rk.Code, region, r))
		}
	}
	return out, nil
}
