package assets

import (
	"context"
	"fmt"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
)

// The assets part of the demo province: a few hundred cards over the demo units with realistic ages (computers a
// few years old, some past their six-year life, furniture of every age, printers, a car or two), numbered per unit;
// in the pool two listings available, one pending the bureau's approval and one claimed by another unit with its
// claim pending; one disposal request pending. Everything is generated from fixed tables and the clock's today, so
// the same states exist on any date (TestDemoAnyDate).

type demoItem struct {
	name, class, brand, model string
	valueFen                  int64
	maxAgeMonths              int
	per                       int // cards per unit (before the unit's own variation)
}

var demoItems = []demoItem{
	{"台式计算机", "A02010105", "联想", "启天 M437", 520000, 96, 4},
	{"便携式计算机", "A02010108", "华为", "MateBook 14", 689900, 84, 2},
	{"激光打印机", "A02021000", "奔图", "P3305DN", 189900, 110, 1},
	{"多功能一体机", "A02020400", "京瓷", "M4125idn", 1299900, 90, 1},
	{"办公桌", "A05010201", "", "1.6 米钢木", 168000, 240, 3},
	{"办公椅", "A05010301", "", "网布转椅", 59900, 200, 3},
	{"文件柜", "A05010502", "", "钢制五节", 128000, 260, 2},
	{"服务器", "A02010104", "浪潮", "NF5280M6", 4580000, 80, 0},
}

// LoadDemo loads the assets part of the demo province (nothing when cards exist already).
func (s *Service) LoadDemo(ctx context.Context) error {
	n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM assets")
	if err != nil || n > 0 {
		return err
	}
	units, err := db.Int64s(ctx, s.DB, "SELECT id FROM orgs WHERE status = 'active' ORDER BY id")
	if err != nil || len(units) == 0 {
		return err
	}
	now := s.Clock.Now()
	today := s.today()
	monthsAgo := func(m, day int) string {
		t := now.AddDate(0, -m, 0)
		return fmt.Sprintf("%04d-%02d-%02d", t.Year(), int(t.Month()), min(day, 28))
	}
	err = s.DB.Tx(ctx, func(q db.Q) error {
		cat, err := LoadCatalog(ctx, q, today)
		if err != nil {
			return err
		}
		for ui, org := range units {
			people, err := db.Int64s(ctx, q, "SELECT id FROM people WHERE org_id = ? AND status = 'active' ORDER BY id LIMIT 4", org)
			if err != nil {
				return err
			}
			reg, err := region(ctx, q, org)
			if err != nil {
				return err
			}
			k := 0
			for ii, it := range demoItems {
				count := it.per + (ui+ii)%2
				if it.per == 0 && ui%7 != 0 {
					count = 0
				}
				for j := 0; j < count; j++ {
					k++
					age := 2 + (ui*37+ii*11+j*17)%it.maxAgeMonths
					in := Input{OrgID: org, Name: it.name, ClassCode: it.class, Brand: it.brand, Model: it.model, ValueYuan: yuan(it.valueFen + int64((ui+j)%5)*1000),
						AcquiredOn: monthsAgo(age, 1+(ui+j*3)%28), Acquisition: "purchase", Funding: "财政拨款", Status: StatusInUse}
					if len(people) > 0 && it.class < "A05" {
						in.CustodianID = people[(j+ii)%len(people)]
					}
					if (ui+j+ii)%9 == 0 {
						in.Status = StatusIdle
					}
					f := map[string]string{}
					in.check(f, today, cat, reg)
					if len(f) > 0 {
						return fmt.Errorf("demo asset %s at unit %d: %v", it.name, org, f)
					}
					if _, err := s.insert(ctx, q, now, in); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.demoPool(ctx, units); err != nil {
		return err
	}
	return s.demoStocktake(ctx)
}

// demoPool plants the pool and disposal states through the same functions users call.
func (s *Service) demoPool(ctx context.Context, units []int64) error {
	all := auth.Everything()
	idle, err := db.Int64s(ctx, s.DB, "SELECT id FROM assets WHERE status = 'idle' ORDER BY org_id, id LIMIT 6")
	if err != nil || len(idle) < 5 {
		return err
	}
	var listings []int64
	for i, id := range idle[:4] {
		l, err := s.Offer(ctx, all, OfferInput{AssetID: id, Reason: "机构职能调整后闲置", Condition: []string{"九成新", "八成新", "可正常使用", "外观有划痕"}[i]})
		if err != nil {
			return fmt.Errorf("demo listing: %w", err)
		}
		listings = append(listings, l.ID)
	}
	for _, id := range listings[:3] {
		if _, err := s.DecideListing(ctx, all, id, true, "同意入仓"); err != nil {
			return err
		}
	}
	// One available listing claimed by another unit, waiting for the bureau.
	var holder int64
	if err := s.DB.QueryRow(ctx, "SELECT a.org_id FROM asset_pool_listings l JOIN assets a ON a.id = l.asset_id WHERE l.id = ?", listings[2]).Scan(&holder); err != nil {
		return err
	}
	claimer := units[0]
	for _, u := range units {
		if u != holder {
			claimer = u
			break
		}
	}
	if _, err := s.ClaimListing(ctx, all, listings[2], ClaimInput{OrgID: claimer, Reason: "新设科室办公需要"}); err != nil {
		return fmt.Errorf("demo claim: %w", err)
	}
	if _, err := s.RequestDisposal(ctx, all, idle[4], DisposalInput{Method: "scrap", Reason: "超过使用年限且无法满足工作需要"}); err != nil {
		return fmt.Errorf("demo disposal: %w", err)
	}
	return nil
}
