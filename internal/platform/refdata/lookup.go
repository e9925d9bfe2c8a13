package refdata

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
)

const rowCols = `id, kind, origin, key, region_code, valid_from, valid_to, value_num, value_json, unit, source_doc, issuer, confidence, note,
	replaces_id, created_at, created_by, ended_at, ended_by, end_reason`

func scanRow(s db.Scanner) (Row, error) {
	var r Row
	var num sql.NullFloat64
	var js string
	var replaces sql.NullInt64
	var created, ended int64
	err := s.Scan(&r.ID, &r.Kind, &r.Origin, &r.Key, &r.RegionCode, &r.ValidFrom, &r.ValidTo, &num, &js, &r.Unit, &r.SourceDoc, &r.Issuer,
		&r.Confidence, &r.Note, &replaces, &created, &r.CreatedBy, &ended, &r.EndedBy, &r.EndReason)
	r.Value = num.Float64
	if js != "" {
		r.JSON = []byte(js)
	}
	r.ReplacesID = replaces.Int64
	r.CreatedAt, r.EndedAt = db.FromUnix(created), db.FromUnix(ended)
	return r, err
}

// RegionChain lists the regions whose rows apply to code, most specific first: the code itself, its city (first
// four digits + "00"), its province (first two digits + "0000"), then national (""). A province code gives
// itself and national; "" gives national only.
func RegionChain(code string) []string {
	if len(code) != 6 {
		return []string{""}
	}
	out := []string{code}
	for _, c := range []string{code[:4] + "00", code[:2] + "0000"} {
		if c != out[len(out)-1] {
			out = append(out, c)
		}
	}
	return append(out, "")
}

// Pick chooses, among rows of one key, the row that applies to the region whose RegionChain is chain: the most
// specific region that has a row wins; within it, the latest valid_from (the newest edition), then an override
// over a built-in row, then the newest row. Rows of regions outside the chain are ignored. Callers pass rows that
// are valid on the date in question.
func Pick(rows []Row, chain []string) (Row, bool) {
	rank := map[string]int{}
	for i, c := range chain {
		rank[c] = i
	}
	best, found := Row{}, false
	bestRank := 0
	for _, r := range rows {
		rk, ok := rank[r.RegionCode]
		if !ok {
			continue
		}
		if !found || better(r, rk, best, bestRank) {
			best, bestRank, found = r, rk, true
		}
	}
	return best, found
}

func better(a Row, ar int, b Row, br int) bool {
	if ar != br {
		return ar < br
	}
	if a.ValidFrom != b.ValidFrom {
		return a.ValidFrom > b.ValidFrom
	}
	if a.Origin != b.Origin {
		return a.Origin == OriginOverride
	}
	return a.ID > b.ID
}

func checkQuery(kind, region, date string) error {
	f := errs.Fields{}
	if !kindRe.MatchString(kind) {
		f.Add("kind", "数据集标识无效")
	}
	if !ValidRegion(region) {
		f.Add("region_code", "行政区划代码应为 6 位数字（空为全国）")
	}
	if !ValidDate(date) {
		f.Add("date", "日期格式应为 YYYY-MM-DD")
	}
	return f.Err()
}

func notFound(kind, key, region, date string) error {
	where := "全国"
	if region != "" {
		where = "区划 " + region
	}
	return errs.New(errs.CodeNotFound, fmt.Sprintf("标准参数 %s / %s：%s在 %s 没有有效的取值", kind, key, where, date))
}

// Lookup returns the row of kind and key in force on date (YYYY-MM-DD) for region (a 6-digit division code, or ""
// for national): the exact region's row, else its city's, its province's, then the national row (see Pick). No
// such row is a not_found error; a malformed argument a validation error. Because the newest edition in force
// wins, Lookup(date) is also "the latest published on or before date" when editions are stored open-ended from
// their publication date.
func Lookup(ctx context.Context, q db.Q, kind, key, region, date string) (Row, error) {
	if err := checkQuery(kind, region, date); err != nil {
		return Row{}, err
	}
	chain := RegionChain(region)
	args := []any{kind, key}
	args = append(args, db.Args(chain)...)
	args = append(args, date, date)
	rows, err := db.Select(ctx, q, scanRow, "SELECT "+rowCols+` FROM refdata_rows WHERE kind = ? AND key = ? AND region_code IN (`+db.In(len(chain))+`)
		AND valid_from <= ? AND (valid_to = '' OR valid_to >= ?)`, args...)
	if err != nil {
		return Row{}, err
	}
	r, ok := Pick(rows, chain)
	if !ok {
		return Row{}, notFound(kind, key, region, date)
	}
	return r, nil
}

// YearEnd is the last day of year y, the date LookupYear asks about.
func YearEnd(y int) string { return fmt.Sprintf("%04d-12-31", y) }

// LookupYear returns the row in force at the end of year y — the rule "accounting year Y uses the latest factor
// published by the end of Y" (docs/domain/energy.md §CO₂ emission factors: emission factors are published about two
// years after their data year). Store each edition from its publication date, open-ended, and the newest one
// published by 31 December wins.
func LookupYear(ctx context.Context, q db.Q, kind, key, region string, y int) (Row, error) {
	if y < 1900 || y > 9999 {
		return Row{}, errs.Invalid("year", "年份无效")
	}
	return Lookup(ctx, q, kind, key, region, YearEnd(y))
}

// Table is every row of one kind in force on one date, resolved in memory: rules that look up thousands of
// keys (a compliance run over every room) load it once.
type Table struct {
	Kind string
	Date string
	rows map[string][]Row
}

// LoadTable loads the rows of kind in force on date (all regions).
func LoadTable(ctx context.Context, q db.Q, kind, date string) (*Table, error) {
	if err := checkQuery(kind, "", date); err != nil {
		return nil, err
	}
	rows, err := db.Select(ctx, q, scanRow, "SELECT "+rowCols+` FROM refdata_rows WHERE kind = ? AND valid_from <= ? AND (valid_to = '' OR valid_to >= ?)`,
		kind, date, date)
	if err != nil {
		return nil, err
	}
	t := &Table{Kind: kind, Date: date, rows: map[string][]Row{}}
	for _, r := range rows {
		t.rows[r.Key] = append(t.rows[r.Key], r)
	}
	return t, nil
}

// Lookup resolves key for region from the table, as the package Lookup does.
func (t *Table) Lookup(key, region string) (Row, bool) {
	return Pick(t.rows[key], RegionChain(region))
}

// Keys lists the keys that have a row in force on the table's date (in any region), sorted.
func (t *Table) Keys() []string {
	out := make([]string, 0, len(t.rows))
	for k := range t.rows {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// All resolves every key for region, sorted by key; keys with no row applying to region are left out.
func (t *Table) All(region string) []Row {
	chain := RegionChain(region)
	var out []Row
	for _, k := range t.Keys() {
		if r, ok := Pick(t.rows[k], chain); ok {
			out = append(out, r)
		}
	}
	return out
}

// Superseded reports whether r is in force on the table's date but loses to another row of its own key and
// region (a newer edition, or an override of the same date): the row stands, but no lookup returns it.
func (t *Table) Superseded(r Row) bool {
	if !r.ValidOn(t.Date) {
		return false
	}
	for _, o := range t.rows[r.Key] {
		if o.ID != r.ID && o.RegionCode == r.RegionCode && better(o, 0, r, 0) {
			return true
		}
	}
	return false
}

// LookupAll returns, for every key of kind, the row in force on date for region (see Lookup), sorted by key.
func LookupAll(ctx context.Context, q db.Q, kind, region, date string) ([]Row, error) {
	if err := checkQuery(kind, region, date); err != nil {
		return nil, err
	}
	t, err := LoadTable(ctx, q, kind, date)
	if err != nil {
		return nil, err
	}
	return t.All(region), nil
}

// Filter selects rows for List.
type Filter struct {
	Kind   string
	Key    string // exact key
	Q      string // text in the key, note or source document
	Region string // rows that apply to this region (its RegionChain); "" = all regions
	// RegionExact limits Region to the region itself (a province's own overrides).
	RegionExact bool
	Date        string // rows in force on this date; "" = any
	Origin      string // OriginBuiltin, OriginOverride or "" for both
	Current     bool   // leave out withdrawn rows and rows whose validity ended before Today
	Today       string // for Current
	Offset      int
	Limit       int // 0 = all
}

// List returns the rows of a kind matching f, ordered by key, region and valid_from, and the total matching.
func List(ctx context.Context, q db.Q, f Filter) ([]Row, int64, error) {
	where := []string{"kind = ?"}
	args := []any{f.Kind}
	if f.Key != "" {
		where, args = append(where, "key = ?"), append(args, f.Key)
	}
	if f.Q != "" {
		like := db.LikeContains(f.Q)
		where = append(where, `(LOWER(key) LIKE ? ESCAPE '\' OR LOWER(note) LIKE ? ESCAPE '\' OR LOWER(source_doc) LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like)
	}
	if f.Region != "" || f.RegionExact {
		chain := RegionChain(f.Region)
		if f.RegionExact {
			chain = []string{f.Region}
		}
		where = append(where, "region_code IN ("+db.In(len(chain))+")")
		args = append(args, db.Args(chain)...)
	}
	if f.Date != "" {
		where = append(where, "valid_from <= ? AND (valid_to = '' OR valid_to >= ?)")
		args = append(args, f.Date, f.Date)
	}
	if f.Origin != "" {
		where, args = append(where, "origin = ?"), append(args, f.Origin)
	}
	if f.Current {
		where = append(where, "(valid_to = '' OR (valid_to >= valid_from AND valid_to >= ?))")
		args = append(args, f.Today)
	}
	w := strings.Join(where, " AND ")
	total, err := db.Count(ctx, q, "SELECT COUNT(*) FROM refdata_rows WHERE "+w, args...)
	if err != nil {
		return nil, 0, err
	}
	query := "SELECT " + rowCols + " FROM refdata_rows WHERE " + w + " ORDER BY key, region_code, valid_from, id"
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit) + " OFFSET " + strconv.Itoa(f.Offset)
	}
	rows, err := db.Select(ctx, q, scanRow, query, args...)
	return rows, total, err
}

// GetRow returns one row of kind by id (not_found when it belongs to another kind).
func GetRow(ctx context.Context, q db.Q, kind string, id int64) (Row, error) {
	r, err := scanRow(q.QueryRow(ctx, "SELECT "+rowCols+" FROM refdata_rows WHERE id = ? AND kind = ?", id, kind))
	if db.IsNoRows(err) {
		return Row{}, errs.NotFound("标准参数记录")
	}
	return r, err
}

// Successor returns the row that revised r (0 when none).
func Successor(ctx context.Context, q db.Q, id int64) (int64, error) {
	ids, err := db.Int64s(ctx, q, "SELECT id FROM refdata_rows WHERE replaces_id = ? ORDER BY id LIMIT 1", id)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

const datasetCols = `d.id, d.kind, d.title, d.description, d.value_type, d.unit, d.version, d.loaded_at,
	(SELECT COUNT(*) FROM refdata_rows r WHERE r.kind = d.kind AND r.origin = 'builtin'),
	(SELECT COUNT(*) FROM refdata_rows r WHERE r.kind = d.kind AND r.origin = 'override')`

func scanDataset(s db.Scanner) (DatasetInfo, error) {
	var d DatasetInfo
	var loaded int64
	err := s.Scan(&d.ID, &d.Kind, &d.Title, &d.Description, &d.ValueType, &d.Unit, &d.Version, &loaded, &d.BuiltinRows, &d.OverrideRows)
	d.LoadedAt = db.FromUnix(loaded)
	return d, err
}

// Datasets lists every stored dataset by kind.
func Datasets(ctx context.Context, q db.Q) ([]DatasetInfo, error) {
	return db.Select(ctx, q, scanDataset, "SELECT "+datasetCols+" FROM refdata_datasets d ORDER BY d.kind")
}

// GetDataset returns one dataset (not_found when no module registered it).
func GetDataset(ctx context.Context, q db.Q, kind string) (DatasetInfo, error) {
	d, err := scanDataset(q.QueryRow(ctx, "SELECT "+datasetCols+" FROM refdata_datasets d WHERE d.kind = ?", kind))
	if db.IsNoRows(err) {
		return d, errs.NotFound("标准参数数据集")
	}
	return d, err
}

// dayBefore returns the date before d (YYYY-MM-DD).
func dayBefore(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.AddDate(0, 0, -1).Format(time.DateOnly)
}
