package app_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/govops/govops/internal/apptest"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/module"
)

// TestDemoAnyDate loads the demo province at dates across the year (early January, when the year has no closed
// month yet; the middle of the year; the last minute of 31 December), on the real date, and on GOVOPS_TEST_NOW when
// it is set, and checks that the states the demo plants for people to try hold on each: an over-quota unit of
// 松岭县 left to explain and one explanation in approval, a report to review, reading anomalies, a repair to
// approve, a rectification overdue and one still running.
func TestDemoAnyDate(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo province several times")
	}
	dates := map[string]time.Time{
		"early-january": must(clock.Parse("2027-01-04T09:00")),
		"mid-year":      must(clock.Parse("2026-06-30T15:00")),
		"new-years-eve": must(clock.Parse("2026-12-31T23:30")),
		"today":         time.Now().UTC().Truncate(time.Minute),
	}
	if v := os.Getenv("GOVOPS_TEST_NOW"); v != "" {
		now, err := clock.Parse(v)
		if err != nil {
			t.Fatalf("GOVOPS_TEST_NOW=%q: %v", v, err)
		}
		dates["GOVOPS_TEST_NOW"] = now
	}
	for name, now := range dates {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := apptest.New(t, apptest.Options{Demo: true, Now: now})
			t.Logf("demo at %s", now.In(clock.Shanghai).Format("2006-01-02 15:04"))
			todo := func(user string) map[string]int {
				t.Helper()
				var l struct {
					Items []module.Todo `json:"items"`
				}
				if st := env.API(user, "Demo@2026").JSON("GET", "/api/v1/todo", nil, &l); st != 200 {
					t.Fatalf("%s: /api/v1/todo = %d", user, st)
				}
				k := map[string]int{}
				for _, it := range l.Items {
					k[it.Kind]++
				}
				return k
			}
			if k := todo("songling"); k["energy.report.review"] == 0 || k["energy.quota.explain"] == 0 {
				t.Errorf("songling should review a report and explain an over-quota unit: %v", k)
			}
			if k := todo("energy"); k["workflow.approve"] == 0 || k["energy.anomaly"] == 0 {
				t.Errorf("energy should approve an over-quota explanation and check anomalies: %v", k)
			}
			if k := todo("space"); k["space.repair.approve"] == 0 {
				t.Errorf("space should approve a repair: %v", k)
			}

			// The browser test of quotas explains 松岭县实验小学 in the reporting year: over quota and unexplained.
			ry := now.In(clock.Shanghai).AddDate(0, -1, 0).Year()
			var ws struct {
				Items []struct {
					OrgName     string `json:"org_name"`
					Status      string `json:"status"`
					Explanation string `json:"explanation"`
				} `json:"items"`
			}
			if st := env.API("songling", "Demo@2026").JSON("GET", fmt.Sprintf("/api/v1/energy/quota-warnings?year=%d&status=over&page_size=100", ry), nil, &ws); st != 200 {
				t.Fatalf("quota warnings %d: %d", ry, st)
			}
			school, explained := false, 0
			for _, w := range ws.Items {
				if w.OrgName == "松岭县实验小学" && w.Explanation == "" {
					school = true
				}
				if w.Explanation != "" {
					explained++
				}
			}
			if !school || explained == 0 {
				t.Errorf("%d: 松岭县实验小学 over quota and unexplained: %v; explained units: %d (%+v)", ry, school, explained, ws.Items)
			}

			var rs struct {
				Items []struct {
					Status  string `json:"status"`
					Overdue bool   `json:"overdue"`
				} `json:"items"`
			}
			if st := env.API("space", "Demo@2026").JSON("GET", "/api/v1/space/rectifications?page_size=100", nil, &rs); st != 200 {
				t.Fatalf("rectifications: %d", st)
			}
			overdue, running := 0, 0
			for _, r := range rs.Items {
				if r.Status == "open" && r.Overdue {
					overdue++
				} else if r.Status == "open" {
					running++
				}
			}
			if overdue == 0 || running == 0 {
				t.Errorf("rectifications: %d overdue and %d running, want one of each", overdue, running)
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
