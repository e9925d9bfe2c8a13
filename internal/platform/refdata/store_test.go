package refdata_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/db/dbtest"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/refdata"
)

type fixture struct {
	ctx   context.Context
	d     *db.DB
	clk   *clock.Fixed
	store *refdata.Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := dbtest.New(t, audit.Migrations, history.Migrations, refdata.Migrations)
	clk := clock.NewFixed(time.Date(2026, 11, 16, 2, 0, 0, 0, time.UTC))
	s := refdata.New(d, clk, nil)
	s.Register(refdata.MustLoad(testdata, "area.csv"))
	s.Register(refdata.MustLoad(testdata, "factors.json"))
	ctx := audit.WithActor(context.Background(), audit.Actor{UserID: 1, Username: "admin"})
	if err := s.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &fixture{ctx: ctx, d: d, clk: clk, store: s}
}

func (f *fixture) count(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	n, err := db.Count(context.Background(), f.d, query, args...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSeedIsIdempotentAndKeepsOverrides(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if n := f.count(t, "SELECT COUNT(*) FROM refdata_rows WHERE origin = 'builtin'"); n != 9 {
		t.Fatalf("built-in rows = %d, want 9", n)
	}
	list, err := refdata.Datasets(ctx, f.d)
	if err != nil || len(list) != 2 || list[0].Kind != "test.area_standard" || list[0].BuiltinRows != 5 || list[0].Title != "测试办公室面积标准" {
		t.Fatalf("Datasets = %+v, %v", list, err)
	}
	// A second start changes nothing and writes nothing.
	if err := f.store.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'refdata.seed'"); n != 2 {
		t.Errorf("seed audit entries after two starts = %d, want 2", n)
	}
	head, err := refdata.Lookup(ctx, f.d, "test.area_standard", "county/head", "", "2026-01-01")
	if err != nil {
		t.Fatal(err)
	}
	// An administrator's override survives a new version of the file.
	over, err := f.store.AddOverride(f.ctx, "test.area_standard", refdata.OverrideInput{Key: "township/head", Value: 20, RegionCode: "990000",
		ValidFrom: "2020-01-01", SourceDoc: "示政办发〔2019〕8号"})
	if err != nil {
		t.Fatal(err)
	}

	// The next release changes one value, drops a row and adds one.
	b, _ := os.ReadFile("testdata/area.csv")
	body := strings.Replace(string(b), "county/deputy,24,,,,,县级副职", "county/deputy,25,,,,,县级副职（修订）", 1)
	body = strings.Replace(body, "township/head,24,,,,M,乡级由省规定\n", "", 1)
	body += "county/staff,9,,,,,科级以下\n"
	next, err := refdata.Parse("area.csv", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	s2 := refdata.New(f.d, f.clk, nil)
	s2.Register(next)
	s2.Register(refdata.MustLoad(testdata, "factors.json"))
	if err := s2.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := refdata.Lookup(ctx, f.d, "test.area_standard", "county/head", "", "2026-01-01")
	if after.ID != head.ID {
		t.Errorf("an unchanged row changed id: %d → %d", head.ID, after.ID)
	}
	if r, err := refdata.Lookup(ctx, f.d, "test.area_standard", "county/deputy", "", "2026-01-01"); err != nil || r.Value != 25 || r.Note != "县级副职（修订）" {
		t.Errorf("changed row = %+v, %v", r, err)
	}
	if r, err := refdata.Lookup(ctx, f.d, "test.area_standard", "county/staff", "990121", "2026-01-01"); err != nil || r.Value != 9 {
		t.Errorf("added row = %+v, %v", r, err)
	}
	if _, err := refdata.Lookup(ctx, f.d, "test.area_standard", "township/head", "", "2026-01-01"); !errs.Is(err, errs.CodeNotFound) {
		t.Errorf("dropped built-in row still found: %v", err)
	}
	if r, err := refdata.Lookup(ctx, f.d, "test.area_standard", "township/head", "990121", "2026-01-01"); err != nil || r.ID != over.ID {
		t.Errorf("the override did not survive: %+v, %v", r, err)
	}
	if n := f.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'refdata.seed'"); n != 3 {
		t.Errorf("seed audit entries = %d, want 3 (only the changed dataset reloads)", n)
	}
	ds, _ := refdata.GetDataset(ctx, f.d, "test.area_standard")
	h, _ := history.List(ctx, f.d, "refdata_dataset", ds.ID, 10)
	if len(h) != 3 || !strings.Contains(h[0].Summary, "新增 1 条，修改 1 条，删除 1 条") {
		t.Errorf("history = %+v", h)
	}
	if ds.Version != next.Version() {
		t.Errorf("stored version %s, want %s", ds.Version, next.Version())
	}
}

func TestRegisterPanics(t *testing.T) {
	s := refdata.New(nil, clock.System{}, nil)
	s.Register(refdata.MustLoad(testdata, "area.csv"))
	s.Register(refdata.MustLoad(testdata, "area.csv")) // the same content twice is harmless
	for name, ds := range map[string]refdata.Dataset{
		"invalid": {Kind: "Bad Kind", Title: "x"},
		"twice":   {Kind: "test.area_standard", Title: "另一个"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Register did not panic", name)
				}
			}()
			s.Register(ds)
		}()
	}
	if got := s.Registered(); len(got) != 1 || got[0] != "test.area_standard" {
		t.Errorf("Registered = %v", got)
	}
}

func TestLookup(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	add := func(key, region, from, to string, v float64) refdata.Row {
		t.Helper()
		r, err := f.store.AddOverride(f.ctx, "test.area_standard", refdata.OverrideInput{Key: key, Value: v, RegionCode: region, ValidFrom: from,
			ValidTo: to, SourceDoc: "测试地方文件"})
		if err != nil {
			t.Fatalf("add %s %s: %v", key, region, err)
		}
		return r
	}
	prov := add("county/section_chief", "990000", "2018-01-01", "", 20)
	city := add("county/section_chief", "990100", "2019-01-01", "2025-12-31", 21)
	for _, tc := range []struct {
		region, date string
		want         float64
	}{
		{"", "2026-01-01", 18},       // national
		{"", "2010-06-30", 16},       // the older national edition
		{"110101", "2026-01-01", 18}, // another province
		{"990000", "2026-01-01", 20}, // the province itself
		{"990221", "2026-01-01", 20}, // a county of another city: the province
		{"990121", "2020-01-01", 21}, // a county of the city: the city
		{"990121", "2026-01-01", 20}, // after the city's rule ended: the province again
		{"990121", "2017-06-30", 18}, // before the province's rule: national
		{"990100", "2025-12-31", 21}, // the last day is included
	} {
		r, err := refdata.Lookup(ctx, f.d, "test.area_standard", "county/section_chief", tc.region, tc.date)
		if err != nil || r.Value != tc.want {
			t.Errorf("Lookup(%q, %s) = %v (%s #%d), %v; want %v", tc.region, tc.date, r.Value, r.RegionCode, r.ID, err, tc.want)
		}
	}
	if _, err := refdata.Lookup(ctx, f.d, "test.area_standard", "county/section_chief", "", "1990-01-01"); !errs.Is(err, errs.CodeNotFound) {
		t.Errorf("before every row: %v", err)
	}
	for _, bad := range [][3]string{{"test.area_standard", "99", "2026-01-01"}, {"test.area_standard", "", "2026-13-01"}, {"Bad", "", "2026-01-01"}} {
		if _, err := refdata.Lookup(ctx, f.d, bad[0], "k", bad[1], bad[2]); !errs.Is(err, errs.CodeValidation) {
			t.Errorf("Lookup(%v) = %v, want validation", bad, err)
		}
	}

	// Accounting year Y uses the latest factor published by the end of Y.
	var fac struct {
		Factor   float64 `json:"factor"`
		DataYear int     `json:"data_year"`
	}
	for _, tc := range []struct {
		region   string
		year     int
		dataYear int
	}{
		{"", 2024, 2022}, {"", 2025, 2022}, {"", 2026, 2023}, {"", 2023, 0},
		{"130102", 2025, 2022}, {"130102", 2026, 2022}, // the province's own factor wins over a newer national one
	} {
		r, err := refdata.LookupYear(ctx, f.d, "test.emission_factor", "electricity", tc.region, tc.year)
		if tc.dataYear == 0 {
			if !errs.Is(err, errs.CodeNotFound) {
				t.Errorf("LookupYear(%d) = %+v, %v; want not found", tc.year, r, err)
			}
			continue
		}
		if err != nil || r.Decode(&fac) != nil || fac.DataYear != tc.dataYear {
			t.Errorf("LookupYear(%q, %d) = data year %d (%v); want %d", tc.region, tc.year, fac.DataYear, err, tc.dataYear)
		}
	}

	all, err := refdata.LookupAll(ctx, f.d, "test.area_standard", "990121", "2020-01-01")
	if err != nil || len(all) != 4 {
		t.Fatalf("LookupAll = %+v, %v", all, err)
	}
	got := map[string]float64{}
	for _, r := range all {
		got[r.Key] = r.Value
	}
	if got["county/section_chief"] != 21 || got["county/head"] != 30 || got["township/head"] != 24 {
		t.Errorf("LookupAll = %v", got)
	}
	table, err := refdata.LoadTable(ctx, f.d, "test.area_standard", "2020-01-01")
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := table.Lookup("county/section_chief", "990122"); !ok || r.ID != city.ID {
		t.Errorf("Table.Lookup = %+v", r)
	}
	if r, ok := table.Lookup("county/section_chief", "990300"); !ok || r.ID != prov.ID {
		t.Errorf("Table.Lookup other city = %+v", r)
	}

	rows, total, err := refdata.List(ctx, f.d, refdata.Filter{Kind: "test.area_standard", Key: "county/section_chief"})
	if err != nil || total != 4 || len(rows) != 4 || rows[0].RegionCode != "" || rows[0].ValidFrom != "1999-01-01" {
		t.Errorf("List by key = %d %+v, %v", total, rows, err)
	}
	_, total, _ = refdata.List(ctx, f.d, refdata.Filter{Kind: "test.area_standard", Region: "990221"})
	if total != 6 { // five national rows + the province override
		t.Errorf("List applying to 990221 = %d, want 6", total)
	}
	_, total, _ = refdata.List(ctx, f.d, refdata.Filter{Kind: "test.area_standard", Region: "990100", RegionExact: true})
	if total != 1 {
		t.Errorf("List of the city's own rows = %d, want 1", total)
	}
	_, total, _ = refdata.List(ctx, f.d, refdata.Filter{Kind: "test.area_standard", Current: true, Today: "2026-11-16"})
	if total != 5 { // four current national rows + the province; the old edition and the ended city rule are left out
		t.Errorf("List current = %d, want 5", total)
	}
	rows, total, _ = refdata.List(ctx, f.d, refdata.Filter{Kind: "test.area_standard", Q: "乡级", Limit: 10})
	if total != 1 || rows[0].Key != "township/head" {
		t.Errorf("List q = %d %+v", total, rows)
	}
	rows, total, _ = refdata.List(ctx, f.d, refdata.Filter{Kind: "test.area_standard", Date: "2010-01-01", Origin: refdata.OriginBuiltin})
	if total != 1 || rows[0].Value != 16 {
		t.Errorf("List valid on 2010-01-01 = %d %+v", total, rows)
	}
}

func TestOverrides(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	kind := "test.area_standard"
	in := refdata.OverrideInput{Key: "county/head", Value: "32", RegionCode: "990000", ValidFrom: "2020-01-01", SourceDoc: "示政办发〔2019〕8号",
		Issuer: "示范省人民政府办公厅", Note: "本省标准"}
	first, err := f.store.AddOverride(f.ctx, kind, in)
	if err != nil {
		t.Fatal(err)
	}
	if first.Value != 32 || first.Origin != refdata.OriginOverride || first.Confidence != refdata.Verified || first.Unit != "m²/人" || first.CreatedBy != "admin" {
		t.Errorf("override = %+v", first)
	}

	// Bad input is a validation error naming the field; an unknown kind is not found.
	for field, bad := range map[string]refdata.OverrideInput{
		"source_doc":  {Key: "a", Value: 1, ValidFrom: "2020-01-01"},
		"value":       {Key: "a", Value: "十八", ValidFrom: "2020-01-01", SourceDoc: "x"},
		"key":         {Key: "a b", Value: 1, ValidFrom: "2020-01-01", SourceDoc: "x"},
		"region_code": {Key: "a", Value: 1, RegionCode: "99", ValidFrom: "2020-01-01", SourceDoc: "x"},
		"valid_from":  {Key: "a", Value: 1, SourceDoc: "x"},
		"valid_to":    {Key: "a", Value: 1, ValidFrom: "2020-01-01", ValidTo: "2019-01-01", SourceDoc: "x"},
		"confidence":  {Key: "a", Value: 1, ValidFrom: "2020-01-01", SourceDoc: "x", Confidence: "Q"},
	} {
		_, err := f.store.AddOverride(f.ctx, kind, bad)
		if e := errs.As(err); e == nil || e.Code != errs.CodeValidation || e.Fields[field] == "" {
			t.Errorf("%s: AddOverride = %v", field, err)
		}
	}
	if _, err := f.store.AddOverride(f.ctx, "test.none", in); !errs.Is(err, errs.CodeNotFound) {
		t.Errorf("unknown kind: %v", err)
	}
	// In a JSON dataset a Go string is a JSON string value; text from a form goes through ParseValue and must be JSON.
	if r, err := f.store.AddOverride(f.ctx, "test.emission_factor", refdata.OverrideInput{Key: "electricity", Value: "{", ValidFrom: "2026-01-01", SourceDoc: "x"}); err != nil || string(r.JSON) != `"{"` {
		t.Errorf("a JSON string value: %s, %v", r.JSON, err)
	}
	if _, err := f.store.AddOverride(f.ctx, "test.emission_factor", refdata.OverrideInput{Key: "electricity", Value: refdata.ParseValue(refdata.ValueJSON, "{"),
		RegionCode: "990000", ValidFrom: "2026-01-01", SourceDoc: "x"}); errs.As(err) == nil || errs.As(err).Fields["value"] == "" {
		t.Errorf("invalid JSON text from a form: %v", err)
	}
	// Overlapping overrides of the same key and region conflict.
	if _, err := f.store.AddOverride(f.ctx, kind, refdata.OverrideInput{Key: "county/head", Value: 33, RegionCode: "990000", ValidFrom: "2025-01-01", SourceDoc: "x"}); !errs.Is(err, errs.CodeConflict) {
		t.Errorf("overlap: %v", err)
	}
	// Built-in rows are read-only.
	builtin, _ := refdata.Lookup(ctx, f.d, kind, "county/head", "", "2026-01-01")
	if _, err := f.store.EndOverride(f.ctx, kind, builtin.ID, refdata.EndInput{ValidTo: "2026-01-01", Reason: "x"}); !errs.Is(err, errs.CodeConflict) {
		t.Errorf("ending a built-in row: %v", err)
	}
	if _, err := f.store.ReviseOverride(f.ctx, kind, builtin.ID, in); !errs.Is(err, errs.CodeConflict) {
		t.Errorf("revising a built-in row: %v", err)
	}

	// Revise: the old row ends the day before, the new one points to it.
	rev := in
	rev.Value, rev.ValidFrom, rev.SourceDoc = 34, "2026-07-01", "示政办发〔2026〕3号"
	second, err := f.store.ReviseOverride(f.ctx, kind, first.ID, rev)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := refdata.GetRow(ctx, f.d, kind, first.ID)
	if old.ValidTo != "2026-06-30" || old.EndedBy != "admin" || !strings.Contains(old.EndReason, "2026-07-01") || second.ReplacesID != first.ID || second.Value != 34 {
		t.Errorf("after revise: old %+v, new %+v", old, second)
	}
	if next, _ := refdata.Successor(ctx, f.d, first.ID); next != second.ID {
		t.Errorf("Successor = %d", next)
	}
	for date, want := range map[string]float64{"2026-06-30": 32, "2026-07-01": 34, "2019-12-31": 30} {
		if r, _ := refdata.Lookup(ctx, f.d, kind, "county/head", "990121", date); r.Value != want {
			t.Errorf("after revise, %s = %v, want %v", date, r.Value, want)
		}
	}
	// The ended row cannot be changed again; a revision must not start before the old one.
	if _, err := f.store.ReviseOverride(f.ctx, kind, first.ID, rev); !errs.Is(err, errs.CodeConflict) {
		t.Errorf("revising an ended row: %v", err)
	}
	early := rev
	early.ValidFrom = "2026-01-01"
	if _, err := f.store.ReviseOverride(f.ctx, kind, second.ID, early); !errs.Is(err, errs.CodeValidation) {
		t.Errorf("revision before the row's start: %v", err)
	}
	moved := rev
	moved.RegionCode = "990100"
	if _, err := f.store.ReviseOverride(f.ctx, kind, second.ID, moved); !errs.Is(err, errs.CodeValidation) {
		t.Errorf("revision to another region: %v", err)
	}

	// End: validation, then the row keeps its history.
	for field, bad := range map[string]refdata.EndInput{
		"valid_to": {ValidTo: "2026-05-01", Reason: "x"}, // before the day before its start
		"reason":   {ValidTo: "2026-12-31"},
	} {
		if _, err := f.store.EndOverride(f.ctx, kind, second.ID, bad); errs.As(err) == nil || errs.As(err).Fields[field] == "" {
			t.Errorf("end %s: %v", field, err)
		}
	}
	ended, err := f.store.EndOverride(f.ctx, kind, second.ID, refdata.EndInput{ValidTo: "2026-12-31", Reason: "示政办发〔2026〕9号废止"})
	if err != nil || ended.ValidTo != "2026-12-31" || ended.EndedAt.IsZero() {
		t.Fatalf("end = %+v, %v", ended, err)
	}
	if r, _ := refdata.Lookup(ctx, f.d, kind, "county/head", "990121", "2027-01-01"); r.Value != 30 {
		t.Errorf("after the end, national applies again: %v", r.Value)
	}
	if _, err := f.store.EndOverride(f.ctx, kind, second.ID, refdata.EndInput{ValidTo: "2026-12-30", Reason: "again"}); !errs.Is(err, errs.CodeConflict) {
		t.Errorf("ending twice: %v", err)
	}
	// Withdrawing: the day before the start; the row never applied.
	wrong, _ := f.store.AddOverride(f.ctx, kind, refdata.OverrideInput{Key: "county/deputy", Value: 99, RegionCode: "990100", ValidFrom: "2026-01-01", SourceDoc: "录入错误"})
	w, err := f.store.EndOverride(f.ctx, kind, wrong.ID, refdata.EndInput{ValidTo: "2025-12-31", Reason: "录入错误，撤销"})
	if err != nil || !w.Withdrawn() || w.Status("2026-11-16") != refdata.StatusWithdrawn {
		t.Fatalf("withdraw = %+v, %v", w, err)
	}
	if r, _ := refdata.Lookup(ctx, f.d, kind, "county/deputy", "990121", "2026-06-01"); r.Value != 24 {
		t.Errorf("a withdrawn row applied: %v", r.Value)
	}
	// Once withdrawn, a new override for that key and region no longer conflicts with it.
	if _, err := f.store.AddOverride(f.ctx, kind, refdata.OverrideInput{Key: "county/deputy", Value: 26, RegionCode: "990100", ValidFrom: "2026-01-01", SourceDoc: "正确文件"}); err != nil {
		t.Errorf("re-adding after a withdrawal: %v", err)
	}

	// Every change is audited with before and after, and shows in the dataset's history.
	items, _, err := audit.List(ctx, f.d, audit.Filter{Action: "refdata.override."})
	if err != nil || len(items) != 7 {
		t.Fatalf("audit = %d items, %v", len(items), err)
	}
	var sawRevise bool
	for _, it := range items {
		if it.Actor != "admin" || it.Detail["after"] == nil {
			t.Errorf("audit entry %+v", it)
		}
		if it.Action == "refdata.override.revise" {
			sawRevise = it.Detail["before"] != nil
		}
	}
	if !sawRevise {
		t.Error("the revision's audit entry lacks before")
	}
	ds, _ := refdata.GetDataset(ctx, f.d, kind)
	h, _ := history.List(ctx, f.d, "refdata_dataset", ds.ID, 50)
	if len(h) != 7 || !strings.Contains(h[0].Summary, "新增覆盖值") || h[0].Actor != "admin" {
		t.Errorf("history = %d %+v", len(h), h)
	}
}

// Concurrent administrators adding the same override: exactly one wins, the others get a conflict.
func TestConcurrentOverrides(t *testing.T) {
	f := newFixture(t)
	const n = 6
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			_, err := f.store.AddOverride(f.ctx, "test.area_standard", refdata.OverrideInput{Key: "county/head", Value: 30 + i, RegionCode: "990000",
				ValidFrom: "2026-01-01", SourceDoc: "示政办发〔2026〕1号"})
			results <- err
		}(i)
	}
	ok, conflicts := 0, 0
	for i := 0; i < n; i++ {
		switch err := <-results; {
		case err == nil:
			ok++
		case errs.Is(err, errs.CodeConflict):
			conflicts++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 || conflicts != n-1 {
		t.Errorf("%d succeeded, %d conflicts; want 1 and %d", ok, conflicts, n-1)
	}
	if c := f.count(t, "SELECT COUNT(*) FROM refdata_rows WHERE origin = 'override'"); c != 1 {
		t.Errorf("override rows = %d", c)
	}
}

// Replicas starting together load each dataset once.
func TestConcurrentSeed(t *testing.T) {
	d := dbtest.New(t, audit.Migrations, history.Migrations, refdata.Migrations)
	clk := clock.NewFixed(time.Date(2026, 11, 16, 2, 0, 0, 0, time.UTC))
	const n = 4
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			s := refdata.New(d, clk, nil)
			s.Register(refdata.MustLoad(testdata, "area.csv"))
			s.Register(refdata.MustLoad(testdata, "factors.json"))
			results <- s.Seed(context.Background())
		}()
	}
	for i := 0; i < n; i++ {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
	if c, _ := db.Count(context.Background(), d, "SELECT COUNT(*) FROM audit_log WHERE action = 'refdata.seed'"); c != 2 {
		t.Errorf("seed loads = %d, want 2", c)
	}
	if c, _ := db.Count(context.Background(), d, "SELECT COUNT(*) FROM refdata_rows"); c != 9 {
		t.Errorf("rows = %d, want 9", c)
	}
}
