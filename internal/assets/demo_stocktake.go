package assets

import (
	"context"
	"fmt"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
)

// The stocktake and loans part of the demo province (docs/domain/assets.md §Stocktake, §Lending): three file
// cabinets and chairs in 松岭县教育局's 三楼档案室 (a location a stocktake can be narrowed to); an open stocktake of
// 松岭县机关事务服务中心 with about half its cards found and one surplus item recorded; two event loans of the
// service centre — one for the provincial games overdue by three days, one due in ten days — whatever today is.

const (
	demoArchive  = "三楼档案室"
	demoEduUnit  = "松岭县教育局"
	demoStUnit   = "松岭县机关事务服务中心"
	demoBorrower = "示范省第十届运动会组委会"
)

func (s *Service) demoStocktake(ctx context.Context) error {
	all := auth.Everything()
	now := s.Clock.Now()
	today := s.today()
	unitID := func(name string) (int64, error) {
		ids, err := db.Int64s(ctx, s.DB, "SELECT id FROM orgs WHERE name = ? ORDER BY id LIMIT 1", name)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return ids[0], nil
	}
	edu, err := unitID(demoEduUnit)
	if err != nil {
		return err
	}
	centre, err := unitID(demoStUnit)
	if err != nil || edu == 0 || centre == 0 {
		return err
	}
	// The archive room's cards.
	err = s.DB.Tx(ctx, func(q db.Q) error {
		cat, err := LoadCatalog(ctx, q, today)
		if err != nil {
			return err
		}
		reg, err := region(ctx, q, edu)
		if err != nil {
			return err
		}
		for i, it := range []struct {
			name, class, model string
			fen                int64
		}{{"文件柜", "A05010502", "钢制五节", 128000}, {"文件柜", "A05010502", "钢制五节", 128000}, {"办公椅", "A05010301", "网布转椅", 59900}} {
			in := Input{OrgID: edu, Name: it.name, ClassCode: it.class, Model: it.model, ValueYuan: yuan(it.fen), Acquisition: "purchase", Funding: "财政拨款",
				AcquiredOn: clock.Today(now.AddDate(-3, -i, 0)), Location: demoArchive, Status: StatusInUse}
			f := map[string]string{}
			in.check(f, today, cat, reg)
			if len(f) > 0 {
				return fmt.Errorf("demo archive asset: %v", f)
			}
			if _, err := s.insert(ctx, q, now, in); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The open stocktake, half counted.
	st, err := s.CreateStocktake(ctx, all, StocktakeInput{OrgID: centre, Name: "年度资产清查盘点", DueOn: clock.Today(now.AddDate(0, 0, 20))})
	if err != nil {
		return fmt.Errorf("demo stocktake: %w", err)
	}
	codes, err := db.Strings(ctx, s.DB, "SELECT code FROM asset_stocktake_items WHERE stocktake_id = ? ORDER BY code", st.ID)
	if err != nil {
		return err
	}
	for i, c := range codes {
		if i%2 == 0 {
			if _, err := s.Scan(ctx, all, st.ID, ScanInput{Code: c}); err != nil {
				return fmt.Errorf("demo scan: %w", err)
			}
		}
	}
	if _, err := s.AddSurplus(ctx, all, st.ID, SurplusInput{Name: "移动白板", ClassCode: "A05010000", ValueYuan: 800, Location: "会议室", Note: "无标签，原采购记录待查"}); err != nil {
		return fmt.Errorf("demo surplus: %w", err)
	}
	// Two event loans of the centre: one overdue, one out.
	ids, err := db.Int64s(ctx, s.DB, "SELECT id FROM assets WHERE org_id = ? AND status = 'in_use' ORDER BY id DESC LIMIT 2", centre)
	if err != nil || len(ids) < 2 {
		return err
	}
	if _, err := s.Lend(ctx, all, LoanInput{AssetID: ids[0], Borrower: demoBorrower, Contact: "王主任 0990-1234567", Purpose: "省运会赛事保障借用",
		StartOn: clock.Today(now.AddDate(0, 0, -30)), DueOn: clock.Today(now.AddDate(0, 0, -3))}); err != nil {
		return fmt.Errorf("demo loan: %w", err)
	}
	if _, err := s.Lend(ctx, all, LoanInput{AssetID: ids[1], BorrowerOrgID: edu, Purpose: "全县教育工作会议借用",
		StartOn: today, DueOn: clock.Today(now.AddDate(0, 0, 10))}); err != nil {
		return fmt.Errorf("demo loan: %w", err)
	}
	return nil
}
