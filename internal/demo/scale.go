package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/db"
)

// Scale adds n × 10,000 units and n × 100,000 people for benchmarks: under a root "压测数据 k" per k, 10 cities
// × 10 counties × 99 units, each unit with 10 people of mixed ranks. It is not idempotent: each call adds more.
func Scale(ctx context.Context, d Deps, n int) (units, people int, err error) {
	if n < 1 || n > 100 {
		return 0, 0, fmt.Errorf("--scale 应在 1–100 之间")
	}
	ctx = audit.WithActor(ctx, audit.Actor{Username: "demo"})
	g := newGen()
	g.r = rand.New(rand.NewPCG(uint64(n)*7919, 99))
	now := d.Clock.Now()
	var seq int
	if err := d.DB.QueryRow(ctx, "SELECT COUNT(*) FROM people").Scan(&seq); err != nil {
		return 0, 0, err
	}
	ranks := []string{"division_director", "deputy_division_director", "section_chief", "deputy_section_chief", "staff", "staff", "staff", "staff", "staff", "staff"}
	for k := 0; k < n; k++ {
		var orgs []org.BulkOrg
		var ppl []org.BulkPerson
		root := len(orgs)
		orgs = append(orgs, org.BulkOrg{Parent: -1, ParentID: 0, In: org.OrgInput{Name: fmt.Sprintf("压测数据 %d", k+1), Kind: "bureau", AdminLevel: "provincial", Category: "organ"}})
		for c := 0; c < 10; c++ {
			city := len(orgs)
			orgs = append(orgs, org.BulkOrg{Parent: root, In: org.OrgInput{Name: fmt.Sprintf("压测市 %d-%d", k+1, c+1), Kind: "bureau", AdminLevel: "municipal", Category: "organ"}})
			for x := 0; x < 10; x++ {
				county := len(orgs)
				orgs = append(orgs, org.BulkOrg{Parent: city, In: org.OrgInput{Name: fmt.Sprintf("压测县 %d-%d-%d", k+1, c+1, x+1), Kind: "bureau", AdminLevel: "county", Category: "organ"}})
				for u := 0; u < 99; u++ {
					kind, cat := "organ", "organ"
					switch u % 11 {
					case 7:
						kind, cat = "institution", "school"
					case 9:
						kind, cat = "institution", "hospital"
					}
					orgs = append(orgs, org.BulkOrg{Parent: county, In: org.OrgInput{Name: fmt.Sprintf("压测单位 %d-%d-%d-%d", k+1, c+1, x+1, u+1),
						Kind: kind, AdminLevel: "county", Category: cat, Headcount: int64(20 + g.r.IntN(80)), FloorAreaM2: float64(800 + g.r.IntN(4000))}})
				}
			}
		}
		// Keep the per-load total at 10,000 units: the root and structure count towards it.
		orgs = orgs[:min(len(orgs), 10000)]
		for i := 1; i < len(orgs); i++ {
			if len(ppl) >= 100000 {
				break
			}
			for j := 0; j < 10 && len(ppl) < 100000; j++ {
				seq++
				ppl = append(ppl, org.BulkPerson{Org: i, In: org.PersonInput{Code: fmt.Sprintf("S%08d", seq), Name: g.name(), Gender: "male",
					Rank: ranks[j], Position: "工作人员", Status: "active", StatusSince: "2020-01-01"}})
			}
		}
		if err := d.DB.Tx(ctx, func(q db.Q) error {
			if err := org.BulkInsert(ctx, q, now, orgs, ppl); err != nil {
				return err
			}
			return audit.Record(ctx, q, now, audit.Entry{Action: "demo.scale", ObjectType: "demo", ObjectKey: orgs[0].In.Name, Success: true,
				Extra: map[string]any{"units": len(orgs), "people": len(ppl)}})
		}); err != nil {
			return units, people, err
		}
		units += len(orgs)
		people += len(ppl)
	}
	return units, people, nil
}
