package assets

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/refdata"
)

// Configuration standards (配置标准, docs/domain/assets.md §Configuration standards): per class of office equipment
// and furniture a price cap per item, a quantity per person and a minimum service life, as the versioned reference
// data asset.standards (data/standards.json; provinces and cities add override rows). A card bought above the cap
// is 超标准配置, one disposed before its minimum life 提前更新; a unit holding more items of a class than its people
// times the quantity is over its quantity. The flags show on the card and in the findings list.

// KindStandards is the reference data kind of the standards: class code → Standard.
const KindStandards = "asset.standards"

var embeddedStandards = sync.OnceValue(func() refdata.Dataset { return refdata.MustLoad(dataFS, "data/standards.json") })

// Standard is one item of the standards table in force.
type Standard struct {
	ClassCode    string  `json:"class_code" doc:"适用的分类代码（含其下级分类）"`
	Name         string  `json:"name"`
	PriceCapYuan float64 `json:"price_cap_yuan" doc:"价格上限（元/台、件）"`
	PerPerson    float64 `json:"per_person,omitempty" doc:"数量上限：每名在编人员的台件数（0 为不按人数限定）"`
	MinYears     int     `json:"min_years" doc:"最低使用年限（年）"`
	SourceDoc    string  `json:"source_doc"`
	Confidence   string  `json:"confidence" doc:"V 原文核实 · S 二手来源 · M 待核实"`
	Region       string  `json:"region_code"`
	ValidFrom    string  `json:"valid_from"`
	Note         string  `json:"note"`
}

// Standards is the standards table in force on one date.
type Standards struct{ t *refdata.Table }

// LoadStandards loads the standards in force on date.
func LoadStandards(ctx context.Context, q db.Q, date string) (Standards, error) {
	t, err := refdata.LoadTable(ctx, q, KindStandards, date)
	return Standards{t}, err
}

func standardOf(r refdata.Row) Standard {
	var v struct {
		Name      string  `json:"name"`
		PriceCap  float64 `json:"price_cap_yuan"`
		PerPerson float64 `json:"per_person"`
		MinYears  int     `json:"min_years"`
	}
	_ = r.Decode(&v)
	return Standard{ClassCode: r.Key, Name: v.Name, PriceCapYuan: v.PriceCap, PerPerson: v.PerPerson, MinYears: v.MinYears, SourceDoc: r.SourceDoc,
		Confidence: r.Confidence, Region: r.RegionCode, ValidFrom: r.ValidFrom, Note: r.Note}
}

// For is the standard of a class for a unit of region: the row of its most specific level that has one.
func (s Standards) For(class, region string) (Standard, bool) {
	for _, a := range Ancestors(class) {
		if r, ok := s.t.Lookup(a, region); ok {
			return standardOf(r), true
		}
	}
	return Standard{}, false
}

// All lists the standards for region by class code.
func (s Standards) All(region string) []Standard {
	var out []Standard
	for _, r := range s.t.All(region) {
		out = append(out, standardOf(r))
	}
	return out
}

// Flag kinds.
const (
	FlagOverPrice     = "over_price"
	FlagEarlyDisposal = "early_disposal"
	FlagOverQuantity  = "over_quantity"
)

// Flag is one departure from the standards.
type Flag struct {
	Kind     string `json:"kind" doc:"over_price 超标准配置（单价高于上限）· early_disposal 提前更新（未满最低使用年限处置）· over_quantity 数量超标准"`
	Standard string `json:"standard" doc:"标准项目"`
	Message  string `json:"message"`
}

// FlagKindName is a flag kind in Chinese.
func FlagKindName(k string) string {
	return map[string]string{FlagOverPrice: "超标准配置", FlagEarlyDisposal: "提前更新", FlagOverQuantity: "数量超标准"}[k]
}

// unitPriceFen is a card's price per item.
func (a Asset) unitPriceFen() int64 { return a.valueFen / int64(max(a.Quantity, 1)) }

// addYears is date plus n years (YYYY-MM-DD; 29 February becomes 1 March).
func addYears(date string, n int) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return t.AddDate(n, 0, 0).Format(time.DateOnly)
}

// cardFlags are the flags of one card against the standards: bought (新购) above the cap in force when it was
// bought, or disposed before the minimum life.
func (s *Service) cardFlags(ctx context.Context, q db.Q, a Asset) ([]Flag, error) {
	reg, err := region(ctx, q, a.OrgID)
	if err != nil {
		return nil, err
	}
	var out []Flag
	if a.Acquisition == "purchase" {
		then, err := LoadStandards(ctx, q, a.AcquiredOn)
		if err != nil {
			return nil, err
		}
		if st, ok := then.For(a.ClassCode, reg); ok && st.PriceCapYuan > 0 && a.unitPriceFen() > toFen(st.PriceCapYuan) {
			out = append(out, Flag{Kind: FlagOverPrice, Standard: st.Name, Message: fmt.Sprintf("单价 %.2f 元，高于%s价格上限 %.0f 元（%s）",
				yuan(a.unitPriceFen()), st.Name, st.PriceCapYuan, st.SourceDoc)})
		}
	}
	if a.DisposedOn != "" {
		std, err := LoadStandards(ctx, q, a.DisposedOn)
		if err != nil {
			return nil, err
		}
		if st, ok := std.For(a.ClassCode, reg); ok && st.MinYears > 0 && a.DisposedOn < addYears(a.AcquiredOn, st.MinYears) {
			out = append(out, Flag{Kind: FlagEarlyDisposal, Standard: st.Name, Message: fmt.Sprintf("%s 取得、%s 处置，未满%s最低使用年限 %d 年（%s）",
				a.AcquiredOn, a.DisposedOn, st.Name, st.MinYears, st.SourceDoc)})
		}
	}
	return out, nil
}

// Finding is a line of the findings list: a card, or a unit's quantity of a class.
type Finding struct {
	Flag
	KindName  string `json:"kind_name"`
	OrgID     int64  `json:"org_id"`
	OrgName   string `json:"org_name"`
	AssetID   int64  `json:"asset_id,omitempty"`
	AssetCode string `json:"asset_code,omitempty"`
	AssetName string `json:"asset_name,omitempty"`
}

// Findings lists the departures from the standards in the caller's scope, or in orgID's subtree: cards bought
// above the cap, cards disposed before the minimum life and units over the quantity per person (people: the
// unit's active staff). Each class is one indexed query; the price check is redone per card with its unit's
// region and the table of its purchase date.
func (s *Service) Findings(ctx context.Context, q db.Q, sc auth.Scope, orgID int64) ([]Finding, error) {
	cond, args := sc.OrgCond("a.org_id")
	if orgID > 0 {
		c, a, err := subtreeCond(ctx, q, sc, orgID, "a.org_id")
		if err != nil {
			return nil, err
		}
		cond, args = cond+" AND "+c, append(args, a...)
	}
	today := s.today()
	std, err := LoadStandards(ctx, q, today)
	if err != nil {
		return nil, err
	}
	var out []Finding
	seen := map[string]bool{}
	for _, st := range std.All("") {
		prefix := classPrefix(st.ClassCode)
		w := " WHERE " + cond + " AND a.class_code >= ? AND a.class_code < ?"
		wa := append(append([]any{}, args...), prefix, db.PrefixUpper(prefix))
		cards, err := db.Select(ctx, q, scanAsset, "SELECT "+assetCols+assetFrom+w+
			" AND ((a.acquisition = 'purchase' AND a.value_fen > a.quantity * ?) OR a.status = 'disposed') ORDER BY a.code", append(wa, toFen(st.PriceCapYuan)/2)...)
		if err != nil {
			return nil, err
		}
		for _, a := range cards {
			if seen[a.Code] {
				continue
			}
			fl, err := s.cardFlags(ctx, q, a)
			if err != nil {
				return nil, err
			}
			if len(fl) > 0 {
				seen[a.Code] = true
			}
			for _, f := range fl {
				out = append(out, Finding{Flag: f, KindName: FlagKindName(f.Kind), OrgID: a.OrgID, OrgName: a.OrgName, AssetID: a.ID, AssetCode: a.Code, AssetName: a.Name})
			}
		}
		if st.PerPerson <= 0 {
			continue
		}
		tc, ta := sc.OrgCond("t.org_id")
		if orgID > 0 {
			c, a, _ := subtreeCond(ctx, q, sc, orgID, "t.org_id")
			tc, ta = tc+" AND "+c, append(ta, a...)
		}
		type held struct {
			org        int64
			name       string
			items, ppl int64
		}
		hs, err := db.Select(ctx, q, func(r db.Scanner) (held, error) {
			var h held
			err := r.Scan(&h.org, &h.name, &h.items, &h.ppl)
			return h, err
		}, `SELECT t.org_id, o.name, SUM(t.n), (SELECT COUNT(*) FROM people p WHERE p.org_id = t.org_id AND p.status = 'active')
			FROM asset_tallies t JOIN orgs o ON o.id = t.org_id WHERE `+tc+` AND t.class_code >= ? AND t.class_code < ? AND t.status <> 'disposed'
			GROUP BY t.org_id, o.name, o.path HAVING SUM(t.n) > 0 ORDER BY o.path`, append(ta, prefix, db.PrefixUpper(prefix))...)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			limit := st.PerPerson * float64(h.ppl)
			if float64(h.items) > limit+1e-9 {
				out = append(out, Finding{Flag: Flag{Kind: FlagOverQuantity, Standard: st.Name, Message: fmt.Sprintf("在账%s %d 台件，在编人员 %d 人，上限 %.4g 台件（每人 %.4g，%s）",
					st.Name, h.items, h.ppl, limit, st.PerPerson, st.SourceDoc)}, KindName: FlagKindName(FlagOverQuantity), OrgID: h.org, OrgName: h.name})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].OrgID < out[j].OrgID })
	return out, nil
}

// classPrefix is a class code without its trailing zero levels (the prefix of the class and its subclasses).
func classPrefix(code string) string {
	for len(code) > 3 && code[len(code)-2:] == "00" {
		code = code[:len(code)-2]
	}
	return code
}
