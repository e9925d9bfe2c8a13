// Package refdata stores versioned, sourced reference data — office-area standards, coal and emission factors,
// depreciation lives, vehicle price caps and whatever else a rule needs as a number from a document — so that no
// standard is a bare constant in code (docs/architecture.md §Data;
// docs/domain/README.md §How GovOps keeps reference data).
//
// A dataset is a kind ("space.area_standard"), a Chinese title and description, a value type (a number, or JSON for
// structured values) and rows. Each row has a key ("county/section_chief"), a value and unit, a region ("" national;
// a 6-digit division code: "990000" a province, "990100" a city, "990121" a county), a validity period (valid_from,
// valid_to; dates, to inclusive, empty = open), its source document ("发改投资〔2014〕2674号"), issuer, a confidence tag (V
// verified against the text, S secondary source, M unverified — docs/domain/README.md §Confidence tags) and a note.
//
// Modules ship their datasets as embedded files (see Parse for the CSV and JSON formats) and call
// Store.Register before Seed; Seed loads every registered dataset at start, reloading only those whose content
// changed (a hash per dataset), and replaces built-in rows without touching the override rows administrators
// added. Overrides (province or narrower, or national when a new document supersedes the shipped one) are added,
// revised and ended by holders of refdata:write, audited with before/after; rows are never overwritten: ending
// sets the last day of validity, revising ends the old row and adds a new one that points to it.
//
// Queries (package functions taking a db.Q, so they join a caller's transaction):
//
//	Lookup(ctx, q, kind, key, region, date)  the row in force on date for region: the most specific region with a
//	                                          valid row wins (county → city → province → national); within a region
//	                                          the latest valid_from, then an override over a built-in row
//	LookupYear(ctx, q, kind, key, region, y) the row in force at the end of year y: "accounting year Y uses the
//	                                          latest factor published by the end of Y"
//	LookupAll, LoadTable                      every key at once (for bulk rules)
//	List                                      rows for screens and exports
package refdata

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

// Migrations creates the reference-data tables.
var Migrations = db.Embedded("refdata", migrationsFS)

// Value types of a dataset.
const (
	ValueNumber = "number" // rows carry Row.Value
	ValueJSON   = "json"   // rows carry Row.JSON (any JSON value; decode with Row.Decode)
)

// Origins of a row.
const (
	OriginBuiltin  = "builtin"  // loaded from a module's embedded file; read-only
	OriginOverride = "override" // added by an administrator
)

// Confidence tags (docs/domain/README.md §Confidence tags): how the value was checked.
const (
	Verified   = "V" // verified against the text of the rule itself
	Secondary  = "S" // a secondary source
	Unverified = "M" // from memory or inference; must stay configurable
)

// Row statuses, derived from the validity period and today's date.
const (
	StatusActive    = "active"    // in force today
	StatusPending   = "pending"   // starts after today
	StatusEnded     = "ended"     // validity ended before today
	StatusWithdrawn = "withdrawn" // ended before it started: never applied
	// StatusSuperseded is shown in lists for an active row that a newer edition of the same key and region
	// replaces (see Table.Superseded); Row.Status never returns it.
	StatusSuperseded = "superseded"
)

// historyType is the object type of dataset lines in the business history.
const historyType = "refdata_dataset"

// lockKey serialises reference-data writers (seeding replicas, overrides) on PostgreSQL.
const lockKey = 0x72656664 // "refd"

// Row is one dated, sourced value.
type Row struct {
	ID         int64           `json:"id"`
	Kind       string          `json:"kind"`
	Key        string          `json:"key"`
	Value      float64         `json:"-"` // the value of a number dataset
	JSON       json.RawMessage `json:"-"` // the value of a json dataset (compact)
	Unit       string          `json:"unit"`
	RegionCode string          `json:"region_code" doc:"空为全国；6 位行政区划代码"`
	ValidFrom  string          `json:"valid_from" doc:"YYYY-MM-DD"`
	ValidTo    string          `json:"valid_to" doc:"有效期最后一天 YYYY-MM-DD；空为长期有效"`
	SourceDoc  string          `json:"source_doc" doc:"依据文件，如 发改投资〔2014〕2674号"`
	Issuer     string          `json:"issuer"`
	Confidence string          `json:"confidence" doc:"V 原文核实 · S 二手来源 · M 待核实"`
	Note       string          `json:"note"`
	Origin     string          `json:"origin" doc:"builtin 内置 · override 覆盖"`
	ReplacesID int64           `json:"replaces_id,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	CreatedBy  string          `json:"created_by"`
	EndedAt    time.Time       `json:"-"`
	EndedBy    string          `json:"ended_by,omitempty"`
	EndReason  string          `json:"end_reason,omitempty"`
}

// Decode unmarshals the row's value (JSON datasets; a number dataset's value decodes as a number).
func (r Row) Decode(v any) error {
	if len(r.JSON) == 0 {
		return json.Unmarshal([]byte(formatNumber(r.Value)), v)
	}
	return json.Unmarshal(r.JSON, v)
}

// Withdrawn reports a row that ended before it started (a correction): it never applies.
func (r Row) Withdrawn() bool { return r.ValidTo != "" && r.ValidTo < r.ValidFrom }

// ValidOn reports whether the row is in force on date (YYYY-MM-DD).
func (r Row) ValidOn(date string) bool {
	return r.ValidFrom <= date && (r.ValidTo == "" || date <= r.ValidTo)
}

// Status is the row's state on today (YYYY-MM-DD).
func (r Row) Status(today string) string {
	switch {
	case r.Withdrawn():
		return StatusWithdrawn
	case r.ValidTo != "" && r.ValidTo < today:
		return StatusEnded
	case r.ValidFrom > today:
		return StatusPending
	}
	return StatusActive
}

// ValueText renders the value for screens and exports.
func (r Row) ValueText() string {
	if len(r.JSON) > 0 {
		return string(r.JSON)
	}
	return formatNumber(r.Value)
}

// Dataset is a module's reference table as registered: metadata and its built-in rows.
type Dataset struct {
	Kind        string
	Title       string
	Description string
	ValueType   string // ValueNumber or ValueJSON
	Unit        string // default unit of the rows
	Rows        []Row
}

// Version is a hash of the dataset's content; Seed reloads a dataset when it changes. Formatting and comments of
// the source file do not count.
func (ds Dataset) Version() string { return version(ds) }

// DatasetInfo is a dataset as stored, with its row counts.
type DatasetInfo struct {
	ID           int64     `json:"id"`
	Kind         string    `json:"kind"`
	Title        string    `json:"title"`
	Description  string    `json:"description"`
	ValueType    string    `json:"value_type" doc:"number | json"`
	Unit         string    `json:"unit"`
	Version      string    `json:"version" doc:"内置数据内容的哈希"`
	LoadedAt     time.Time `json:"loaded_at" doc:"内置数据最近载入时间"`
	BuiltinRows  int64     `json:"builtin_rows"`
	OverrideRows int64     `json:"override_rows"`
}

// Store is the reference-data kit instance: the registered datasets, the pages and the API.
type Store struct {
	DB    *db.DB
	Clock clock.Clock
	UI    *web.UI

	mu       sync.Mutex
	datasets map[string]registered
}

type registered struct {
	ds      Dataset
	version string
}

// New makes the store.
func New(d *db.DB, clk clock.Clock, ui *web.UI) *Store {
	return &Store{DB: d, Clock: clk, UI: ui, datasets: map[string]registered{}}
}

// Register adds a module's dataset (from Load or MustLoad, or built in code) to be loaded by Seed. A dataset that
// does not validate, or a kind registered twice with different content, is a programming error and panics.
func (s *Store) Register(ds Dataset) {
	if err := normalize(&ds); err != nil {
		panic(fmt.Sprintf("refdata: register %s: %v", ds.Kind, err))
	}
	v := ds.Version()
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.datasets[ds.Kind]; ok && prev.version != v {
		panic("refdata: dataset " + ds.Kind + " registered twice")
	}
	s.datasets[ds.Kind] = registered{ds, v}
}

// Registered lists the kinds registered in this program, sorted.
func (s *Store) Registered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.datasets))
	for k := range s.datasets {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Seed loads every registered dataset whose content differs from what the database holds (idempotent; one query
// when nothing changed). It runs at every start after the migrations; concurrent starters wait for each other.
// Datasets no longer registered (a module removed) are left as they are.
func (s *Store) Seed(ctx context.Context) error {
	s.mu.Lock()
	list := make([]registered, 0, len(s.datasets))
	for _, r := range s.datasets {
		list = append(list, r)
	}
	s.mu.Unlock()
	if len(list) == 0 {
		return nil
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ds.Kind < list[j].ds.Kind })
	have := map[string]string{}
	rows, err := s.DB.Query(ctx, "SELECT kind, version FROM refdata_datasets")
	if err != nil {
		return err
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return err
		}
		have[k] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range list {
		if have[r.ds.Kind] == r.version {
			continue
		}
		if err := s.load(ctx, r.ds, r.version); err != nil {
			return fmt.Errorf("refdata %s: %w", r.ds.Kind, err)
		}
	}
	return nil
}

// naturalKey identifies a built-in row across versions of its file.
func naturalKey(r Row) string { return r.Key + "\x1f" + r.RegionCode + "\x1f" + r.ValidFrom }

func sameBuiltin(a, b Row) bool {
	return a.Value == b.Value && string(a.JSON) == string(b.JSON) && a.Unit == b.Unit && a.ValidTo == b.ValidTo &&
		a.SourceDoc == b.SourceDoc && a.Issuer == b.Issuer && a.Confidence == b.Confidence && a.Note == b.Note
}

// load replaces one dataset's built-in rows in a transaction: unchanged rows keep their ids, changed rows are
// updated, new rows inserted and rows no longer in the file deleted. Override rows are not touched.
func (s *Store) load(ctx context.Context, ds Dataset, ver string) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(q db.Q) error {
		if err := db.Lock(ctx, q, lockKey); err != nil {
			return err
		}
		var id int64
		var old string
		err := q.QueryRow(ctx, "SELECT id, version FROM refdata_datasets WHERE kind = ?", ds.Kind).Scan(&id, &old)
		switch {
		case db.IsNoRows(err):
			id, err = db.InsertID(ctx, q, `INSERT INTO refdata_datasets (kind, title, description, value_type, unit, version, loaded_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, ds.Kind, ds.Title, ds.Description, ds.ValueType, ds.Unit, ver, now.Unix())
			if err != nil {
				return err
			}
		case err != nil:
			return err
		case old == ver:
			return nil // another starter loaded it meanwhile
		default:
			if _, err := q.Exec(ctx, `UPDATE refdata_datasets SET title = ?, description = ?, value_type = ?, unit = ?, version = ?, loaded_at = ?
				WHERE id = ?`, ds.Title, ds.Description, ds.ValueType, ds.Unit, ver, now.Unix(), id); err != nil {
				return err
			}
		}
		existing, err := db.Select(ctx, q, scanRow, "SELECT "+rowCols+" FROM refdata_rows WHERE kind = ? AND origin = 'builtin'", ds.Kind)
		if err != nil {
			return err
		}
		byKey := make(map[string]Row, len(existing))
		for _, r := range existing {
			byKey[naturalKey(r)] = r
		}
		var inserts []Row
		updated := 0
		for _, r := range ds.Rows {
			prev, ok := byKey[naturalKey(r)]
			if !ok {
				inserts = append(inserts, r)
				continue
			}
			delete(byKey, naturalKey(r))
			if sameBuiltin(prev, r) {
				continue
			}
			if _, err := q.Exec(ctx, `UPDATE refdata_rows SET value_num = ?, value_json = ?, unit = ?, valid_to = ?, source_doc = ?, issuer = ?,
				confidence = ?, note = ?, created_at = ? WHERE id = ?`, numArg(ds.ValueType, r), string(r.JSON), r.Unit, r.ValidTo, r.SourceDoc,
				r.Issuer, r.Confidence, r.Note, now.Unix(), prev.ID); err != nil {
				return err
			}
			updated++
		}
		if err := insertBuiltin(ctx, q, ds.ValueType, inserts, now, "system"); err != nil {
			return err
		}
		for _, r := range byKey {
			if _, err := q.Exec(ctx, "DELETE FROM refdata_rows WHERE id = ?", r.ID); err != nil {
				return err
			}
		}
		summary := fmt.Sprintf("载入内置数据（版本 %s）：新增 %d 条，修改 %d 条，删除 %d 条", shortVersion(ver), len(inserts), updated, len(byKey))
		if err := history.Record(ctx, q, now, historyType, id, "seed", summary); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "refdata.seed", ObjectType: historyType, ObjectID: id, Success: true,
			Before: map[string]any{"version": old}, After: map[string]any{"version": ver},
			Extra: map[string]any{"kind": ds.Kind, "inserted": len(inserts), "updated": updated, "deleted": len(byKey)}})
	})
}

func shortVersion(v string) string {
	if len(v) > 12 {
		return v[:12]
	}
	return v
}

// numArg is the value_num column of a row: the number, or NULL for JSON datasets.
func numArg(valueType string, r Row) any {
	if valueType == ValueJSON {
		return nil
	}
	return r.Value
}

// insertBuiltin writes built-in rows of one kind with batched multi-row inserts.
func insertBuiltin(ctx context.Context, q db.Q, valueType string, rows []Row, now time.Time, by string) error {
	const cols = "(kind, origin, key, region_code, valid_from, valid_to, value_num, value_json, unit, source_doc, issuer, confidence, note, created_at, created_by)"
	const batch = 200
	for start := 0; start < len(rows); start += batch {
		part := rows[start:min(start+batch, len(rows))]
		var sb []byte
		args := make([]any, 0, len(part)*15)
		for i, r := range part {
			if i > 0 {
				sb = append(sb, ',')
			}
			sb = append(sb, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"...)
			args = append(args, r.Kind, OriginBuiltin, r.Key, r.RegionCode, r.ValidFrom, r.ValidTo, numArg(valueType, r), string(r.JSON),
				r.Unit, r.SourceDoc, r.Issuer, r.Confidence, r.Note, now.Unix(), by)
		}
		if _, err := q.Exec(ctx, "INSERT INTO refdata_rows "+cols+" VALUES "+string(sb), args...); err != nil {
			return err
		}
	}
	return nil
}
