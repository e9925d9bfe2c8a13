package quota

import (
	"context"
	"fmt"
	"slices"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/num"
	"github.com/govops/govops/internal/platform/workflow"
)

// Demo: the example standards; quotas for last year and this year set at the top of the demo province (112 % of the
// year before's actual) and decomposed down the whole tree by last year's share; a few units of 松岭县 and the
// provincial hospital given tighter quotas (so warnings and over-quota units exist); the approval chain of
// explanations; and two explanations of 松岭县, one approved (last year) and one in approval (this year).

var demoTight = map[string]float64{"松岭县教育局": 0.82, "松岭县人民医院": 0.8, "示范省人民医院": 0.84, "松岭县实验小学": 0.78}

// LoadDemo loads the demo on top of energy's demo; it does nothing when quotas exist.
func (s *Service) LoadDemo(ctx context.Context) error {
	n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM energy_quotas")
	if err != nil || n > 0 {
		return err
	}
	var root int64
	if err := s.DB.QueryRow(ctx, "SELECT id FROM orgs WHERE parent_id IS NULL AND region_code = '990000' ORDER BY id LIMIT 1").Scan(&root); err != nil {
		if db.IsNoRows(err) {
			return nil // no demo province
		}
		return err
	}
	ctx = audit.WithActor(ctx, audit.Actor{Username: "demo"})
	sc := auth.Everything()
	now := s.Clock.Now()
	cur := energy.PeriodOf(now.Unix()).Year
	stds, err := exampleStandards()
	if err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(q db.Q) error {
		for _, in := range stds {
			if m, err := db.Count(ctx, q, "SELECT COUNT(*) FROM energy_quota_standards WHERE region_code = ? AND category = ? AND indicator = ?", in.RegionCode, in.Category, in.Indicator); err != nil {
				return err
			} else if m > 0 {
				continue
			}
			if _, err := s.insertStandard(ctx, q, in, now); err != nil {
				return err
			}
		}
		for _, y := range []int{cur - 1, cur} {
			base, err := energy.Compute(ctx, q, sc, energy.Selection{OrgID: root, Subtree: true}, energy.Span{Year: y - 1}, nil)
			if err != nil {
				return err
			}
			if !base.HasData() {
				continue
			}
			if _, err := upsertQuota(ctx, q, now, root, y, base.TotalKgce*1.12, base.WaterM3*1.12, MethodSet, 0, "演示：上年实际的 112%"); err != nil {
				return err
			}
			parents, err := db.Int64s(ctx, q, `SELECT p.id FROM orgs p WHERE p.status = 'active' AND p.path >= (SELECT path FROM orgs WHERE id = ?)
				AND EXISTS (SELECT 1 FROM orgs c WHERE c.parent_id = p.id AND c.status = 'active') ORDER BY p.depth, p.path`, root)
			if err != nil {
				return err
			}
			for _, p := range parents {
				if _, err := s.decomposeTx(ctx, q, sc, DecomposeInput{OrgID: p, Year: y, Method: MethodShare, Note: "演示数据"}); err != nil {
					return fmt.Errorf("demo decompose %d/%d: %w", p, y, err)
				}
			}
			for unit, k := range demoTight {
				var id int64
				var kgce float64
				err := q.QueryRow(ctx, `SELECT x.id, x.total_kgce FROM energy_quotas x JOIN orgs o ON o.id = x.org_id WHERE x.year = ? AND o.name = ?`, y, unit).Scan(&id, &kgce)
				if db.IsNoRows(err) {
					continue
				}
				if err != nil {
					return err
				}
				if _, err := q.Exec(ctx, "UPDATE energy_quotas SET total_kgce = ?, method = 'manual', note = '演示：定额从紧' WHERE id = ?", num.Round(kgce*k, 2), id); err != nil {
					return err
				}
			}
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "energy.quota.demo", ObjectType: "demo", ObjectKey: "能耗定额", Success: true})
	})
	if err != nil {
		return err
	}
	_, err = s.Workflow.CreateChain(ctx, sc, workflow.ChainInput{Type: wfExplanation, Name: "超定额用能说明审核",
		Note:  "用能单位提交，上级机关事务管理部门节能管理员审核（条例第十七条）",
		Steps: []workflow.StepInput{{Name: "节能管理员审核", Mode: workflow.ModeAny, Kind: workflow.KindRole, Role: "energy_manager", Up: -1}}})
	if err != nil && !errs.Is(err, errs.CodeConflict) {
		return err
	}
	for _, y := range []int{cur - 1, cur} {
		if _, _, err := s.Refresh(ctx, y, nil, y == cur); err != nil {
			return err
		}
	}
	return s.demoExplanations(ctx, energy.PeriodOf(now.AddDate(0, -1, 0).Unix()).Year)
}

// demoExplained are the over-quota units songling has explained in the demo, in order of preference; the other
// over-quota units of 松岭县 (松岭县实验小学 among them) are left for the user to explain, on any date.
var demoExplained = []string{"松岭县教育局", "松岭县人民医院"}

// demoExplanations has songling explain an over-quota unit of the year before the reporting year (approved by
// energy) and one of the reporting year (left in approval). The reporting year ry is the latest with a closed month
// (the year before in January), so both states exist whatever the date.
func (s *Service) demoExplanations(ctx context.Context, ry int) error {
	user := func(name string) (*auth.User, error) {
		var id int64
		if err := s.DB.QueryRow(ctx, "SELECT id FROM users WHERE username = ?", name).Scan(&id); err != nil {
			return nil, err
		}
		return s.Auth.VisibleUser(ctx, s.DB, auth.Everything(), id)
	}
	songling, err := user("songling")
	if err != nil {
		if db.IsNoRows(err) {
			return nil
		}
		return err
	}
	energyUser, err := user("energy")
	if err != nil {
		if db.IsNoRows(err) {
			return nil
		}
		return err
	}
	var path string
	if err := s.DB.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", songling.ScopeOrgID).Scan(&path); err != nil {
		return err
	}
	sc, err := s.Auth.SubtreeScope(ctx, s.DB, songling.ScopeOrgID)
	if err != nil {
		return err
	}
	sctx := auth.WithUser(audit.WithActor(ctx, audit.Actor{Username: "songling"}), songling, sc)
	for i, y := range []int{ry - 1, ry} {
		over, _, err := ListWarnings(ctx, s.DB, sc, WarningFilter{Year: y, Status: StatusOver})
		if err != nil {
			return err
		}
		k := -1
		for _, name := range demoExplained {
			if k = slices.IndexFunc(over, func(w Warning) bool { return w.OrgName == name }); k >= 0 {
				break
			}
		}
		if k < 0 {
			continue
		}
		in := ExplanationInput{OrgID: over[k].OrgID, Year: y, Reasons: []string{"climate", "equipment"},
			Text: "当年夏季持续高温，空调负荷明显增加；新增教学用房 1,200 平方米投入使用。已制定节能整改措施。"}
		if i == 1 {
			in.Reasons, in.Text = []string{"event"}, "承办全县重大活动，会场及保障用能集中增加；活动结束后用能已回落。"
		}
		e, err := s.SubmitExplanation(sctx, sc, in)
		if err != nil {
			return fmt.Errorf("demo explanation %d: %w", y, err)
		}
		if i == 0 {
			inst, err := s.Workflow.ForObject(ctx, s.DB, wfExplanation, e.ID)
			if err != nil {
				return err
			}
			ectx := audit.WithActor(ctx, audit.Actor{Username: "energy"})
			if _, err := s.Workflow.Decide(ectx, energyUser, inst.ID, workflow.ActApprove, "情况属实，予以认可"); err != nil {
				return err
			}
		}
	}
	return nil
}
