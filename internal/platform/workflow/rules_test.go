package workflow

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"testing"

	"github.com/govops/govops/internal/platform/errs"
)

func TestPathIDs(t *testing.T) {
	for _, tc := range []struct {
		path string
		want []int64
	}{
		{"/1/5/23/", []int64{1, 5, 23}},
		{"/7/", []int64{7}},
		{"", nil},
		{"/", nil},
	} {
		if got := pathIDs(tc.path); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("pathIDs(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

func TestTargetUnits(t *testing.T) {
	anc := []int64{1, 5, 23} // province → city → county
	for _, tc := range []struct {
		up   int
		want []int64
	}{
		{0, []int64{23}},
		{1, []int64{5}},
		{2, []int64{1}},
		{3, nil}, // above the root: nobody
		{UpAny, []int64{23, 5, 1}},
		{UpNearest, []int64{23, 5, 1}},
		{-7, nil},
	} {
		if got := targetUnits(anc, tc.up); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("targetUnits(up=%d) = %v, want %v", tc.up, got, tc.want)
		}
	}
}

func TestPickHolders(t *testing.T) {
	units := []int64{23, 5, 1} // nearest first
	hs := []holder{{userID: 100, orgID: 1}, {userID: 101, orgID: 5}, {userID: 102, orgID: 5}, {userID: 103, orgID: 23}}
	for _, tc := range []struct {
		name      string
		units     []int64
		hs        []holder
		up        int
		requester int64
		want      []int64
	}{
		{"any ancestor takes everyone, nearest first", units, hs, UpAny, 0, []int64{103, 101, 102, 100}},
		{"nearest takes the requester's own unit", units, hs, UpNearest, 0, []int64{103}},
		{"nearest skips a unit whose only holder is the requester", units, hs, UpNearest, 103, []int64{101, 102}},
		{"nearest skips units without holders", units, hs[:3], UpNearest, 0, []int64{101, 102}},
		{"fixed level", []int64{5}, hs, 1, 0, []int64{101, 102}},
		{"requester never approves", []int64{23}, hs, 0, 103, nil},
		{"no holders", []int64{23}, nil, 0, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pickHolders(tc.units, tc.hs, tc.up, tc.requester); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPickChain(t *testing.T) {
	anc := []int64{1, 5, 23}
	for _, tc := range []struct {
		name  string
		cands []chainCand
		want  int64
		ok    bool
	}{
		{"own unit beats ancestor and default", []chainCand{{10, 0}, {11, 5}, {12, 23}}, 12, true},
		{"nearest ancestor beats farther one", []chainCand{{10, 0}, {11, 1}, {12, 5}}, 12, true},
		{"default when no unit chain applies", []chainCand{{10, 0}, {13, 99}}, 10, true},
		{"a chain of another branch never applies", []chainCand{{13, 99}}, 0, false},
		{"nothing configured", nil, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := pickChain(tc.cands, anc)
			if got != tc.want || ok != tc.ok {
				t.Errorf("got %d,%v want %d,%v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestStepDone(t *testing.T) {
	for _, tc := range []struct {
		mode              string
		approved, pending int
		want              bool
	}{
		{ModeAny, 1, 2, true},
		{ModeAny, 0, 2, false},
		{ModeAll, 1, 1, false},
		{ModeAll, 2, 0, true},
		{ModeAll, 0, 0, false},
	} {
		if got := stepDone(tc.mode, tc.approved, tc.pending); got != tc.want {
			t.Errorf("stepDone(%s, %d, %d) = %v, want %v", tc.mode, tc.approved, tc.pending, got, tc.want)
		}
	}
}

func TestTransitions(t *testing.T) {
	all := []string{StatusPending, StatusApproved, StatusRejected, StatusWithdrawn}
	for _, tc := range []struct {
		action  Action
		allowed []string
	}{
		{ActApprove, []string{StatusPending}},
		{ActReject, []string{StatusPending}},
		{ActReturn, []string{StatusPending}},
		{ActWithdraw, []string{StatusPending}},
		{ActComment, all},
	} {
		for _, st := range all {
			err := checkTransition(st, tc.action)
			want := slices.Contains(tc.allowed, st)
			if (err == nil) != want {
				t.Errorf("%s from %s: err %v, want allowed=%v", tc.action, st, err, want)
			}
			if err != nil && !errs.Is(err, errs.CodeConflict) {
				t.Errorf("%s from %s: %v, want a conflict", tc.action, st, err)
			}
		}
	}
	if err := checkTransition(StatusPending, "sign"); !errs.Is(err, errs.CodeValidation) {
		t.Errorf("unknown action: %v", err)
	}
}

// TestCatalogueComplete fails when a "workflow.…|中文" key used in Go or a template has no English text, or the
// English catalogue carries keys nobody uses.
func TestCatalogueComplete(t *testing.T) {
	var en map[string]string
	if err := json.Unmarshal(catalogEN, &en); err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`"(workflow\.[a-zA-Z0-9_.]+)\|`)
	used := map[string]bool{}
	files, _ := filepath.Glob("*.go")
	tmpl, _ := filepath.Glob("templates/*.html")
	for _, f := range append(files, tmpl...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys; the scan is broken", len(used))
	}
	for k := range used {
		if en[k] == "" {
			t.Errorf("key %s has no English text in i18n/en.json", k)
		}
	}
	for k := range en {
		if !used[k] {
			t.Errorf("i18n/en.json has unused key %s", k)
		}
	}
}
