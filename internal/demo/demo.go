// Package demo loads the deterministic, clearly fictional demo province 示范省 (region codes 99xxxx, which no real
// province uses): a bureau tree province → cities → counties → townships of 150+ units of every kind, 2,000+
// people with ranks that fit their units, and one demo user per built-in role. Modules add their demo data here.
// `Scale` generates a much larger synthetic set for benchmarks.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/module"
)

// Password is the password of every demo user except admin (the demo is for trying GovOps out, never production).
const Password = "Demo@2026"

// Deps is what the loader needs from the assembled program.
type Deps struct {
	DB    *db.DB
	Clock clock.Clock
	Org   *org.Service
	Auth  *auth.Service
	// Modules load their own demo data after the spine, in list order (office space, energy, …); each does nothing
	// when its data is already there.
	Modules []module.Manifest
}

// UserInfo describes a demo account for the start-up message.
type UserInfo struct {
	Username, Role, Scope string
}

// Result is what Load did.
type Result struct {
	Loaded bool // false when the database already had units
	Units  int
	People int
	Users  []UserInfo
}

// Regions are the fictional divisions of 示范省.
var Regions = []org.Region{
	{Code: "990000", Name: "示范省", Level: 1, FullName: "示范省"},
	{Code: "990100", Name: "青山市", Level: 2, ParentCode: "990000", FullName: "示范省青山市"},
	{Code: "990200", Name: "绿水市", Level: 2, ParentCode: "990000", FullName: "示范省绿水市"},
	{Code: "990300", Name: "金沙市", Level: 2, ParentCode: "990000", FullName: "示范省金沙市"},
	{Code: "990102", Name: "东城区", Level: 3, ParentCode: "990100", FullName: "示范省青山市东城区"},
	{Code: "990121", Name: "松岭县", Level: 3, ParentCode: "990100", FullName: "示范省青山市松岭县"},
	{Code: "990122", Name: "云溪县", Level: 3, ParentCode: "990100", FullName: "示范省青山市云溪县"},
	{Code: "990202", Name: "河西区", Level: 3, ParentCode: "990200", FullName: "示范省绿水市河西区"},
	{Code: "990221", Name: "柳塘县", Level: 3, ParentCode: "990200", FullName: "示范省绿水市柳塘县"},
	{Code: "990222", Name: "桃源县", Level: 3, ParentCode: "990200", FullName: "示范省绿水市桃源县"},
	{Code: "990302", Name: "沙湾区", Level: 3, ParentCode: "990300", FullName: "示范省金沙市沙湾区"},
	{Code: "990321", Name: "石门县", Level: 3, ParentCode: "990300", FullName: "示范省金沙市石门县"},
	{Code: "990322", Name: "北川县", Level: 3, ParentCode: "990300", FullName: "示范省金沙市北川县"},
}

type unitSpec struct {
	name     string
	kind     string
	category string
	staff    int // registered people
	leaders  []string
}

// rng is deterministic: the same demo every time.
type gen struct {
	r   *rand.Rand
	seq int
}

func newGen() *gen { return &gen{r: rand.New(rand.NewPCG(20261129, 4242))} }

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
var given = []rune("伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红梅鑫波斌宇浩凯健俊帆帅旭宁龙林欣琳晨辉建国志永海峰亮瑞婷雪慧颖佳文博思雨佩涵梓轩子豪一鸣晓东立新春燕丹阳")

func (g *gen) name() string {
	s := string(surnames[g.r.IntN(len(surnames))])
	n := 1 + g.r.IntN(2)
	for i := 0; i < n; i++ {
		s += string(given[g.r.IntN(len(given))])
	}
	return s
}

func (g *gen) creditCode(kind byte, region string) string {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	b := []byte{'1', kind}
	b = append(b, region...)
	for i := 0; i < 9; i++ {
		b = append(b, chars[g.r.IntN(len(chars))])
	}
	c, _ := org.CreditCheckChar(string(b))
	return string(append(b, c))
}

// Load fills an empty database with the demo province. It is idempotent: with units present it does nothing.
func Load(ctx context.Context, d Deps) (Result, error) {
	n, err := db.Count(ctx, d.DB, "SELECT COUNT(*) FROM orgs")
	if err != nil {
		return Result{}, err
	}
	if n > 0 {
		return Result{}, nil
	}
	ctx = audit.WithActor(ctx, audit.Actor{Username: "demo"})
	res := Result{Loaded: true}
	g := newGen()
	sc := auth.Everything()
	now := d.Clock.Now()
	var ids struct {
		province, qingshan, songling, songlingEdu int64
		provinceStaff                             []int64
		songlingEduStaff                          []int64
	}
	err = d.DB.Tx(ctx, func(q db.Q) error {
		if err := org.InsertRegions(ctx, q, Regions); err != nil {
			return err
		}
		mk := func(parent int64, in org.OrgInput) (int64, error) {
			in.ParentID = parent
			o, err := d.Org.CreateOrgTx(ctx, q, sc, in)
			if err != nil {
				return 0, fmt.Errorf("demo unit %s: %w", in.Name, err)
			}
			res.Units++
			return o.ID, nil
		}
		// People are written in one bulk insert at the end (one audit entry for the whole demo, no per-person
		// history), which keeps a demo start under a second; staff returns their staff numbers.
		var pending []org.BulkPerson
		staff := func(orgID int64, level string, spec unitSpec) ([]string, error) {
			var out []string
			ranks := rankPlan(level, spec, g)
			for _, rk := range ranks {
				g.seq++
				status, since := "active", date(now, -g.r.IntN(3000)-30)
				switch x := g.r.IntN(100); {
				case x < 3:
					status, since = "retired", date(now, -g.r.IntN(120)-1)
				case x < 5:
					status, since = "transferred", date(now, -g.r.IntN(90)-1)
				}
				gender := "male"
				if g.r.IntN(100) < 42 {
					gender = "female"
				}
				code := fmt.Sprintf("P%06d", g.seq)
				pending = append(pending, org.BulkPerson{OrgID: orgID, In: org.PersonInput{OrgID: orgID, Code: code, Name: g.name(),
					Gender: gender, Rank: rk.rank, Position: rk.position, Status: status, StatusSince: since,
					Phone: fmt.Sprintf("139%08d", g.r.IntN(100000000))}})
				res.People++
				out = append(out, code)
			}
			return out, nil
		}
		var err error
		var eduCodes []string
		ids.province, err = mk(0, org.OrgInput{Name: "示范省机关事务管理局", ShortName: "省机关事务局", Kind: "bureau", AdminLevel: "provincial",
			RegionCode: "990000", CreditCode: g.creditCode('1', "990000"), Category: "organ", Headcount: 186, FloorAreaM2: 14800,
			Address: "示范省青山市东城区政务大道 1 号", Contact: "综合处", Phone: "0990-6600001"})
		if err != nil {
			return err
		}
		provinceCodes, err := staff(ids.province, "provincial", unitSpec{staff: 40, kind: "bureau"})
		if err != nil {
			return err
		}
		for _, u := range provincialUnits {
			id, err := mk(ids.province, org.OrgInput{Name: u.name, Kind: u.kind, AdminLevel: "provincial", RegionCode: "990000",
				CreditCode: g.creditCode(creditKind(u.kind), "990000"), Category: u.category, Headcount: headcount(u, g),
				FloorAreaM2: area(u, g), Address: "示范省青山市东城区" + street(g)})
			if err != nil {
				return err
			}
			if _, err := staff(id, "provincial", u); err != nil {
				return err
			}
		}
		for ci, city := range cities {
			cityID, err := mk(ids.province, org.OrgInput{Name: city.name + "机关事务管理局", Kind: "bureau", AdminLevel: "municipal",
				RegionCode: city.code, CreditCode: g.creditCode('1', city.code), Category: "organ", Headcount: int64(60 + g.r.IntN(30)),
				FloorAreaM2: 5200 + float64(g.r.IntN(2000)), Address: city.name + street(g)})
			if err != nil {
				return err
			}
			if ci == 0 {
				ids.qingshan = cityID
			}
			if _, err := staff(cityID, "municipal", unitSpec{staff: 22, kind: "bureau"}); err != nil {
				return err
			}
			for _, u := range municipalUnits {
				u.name = city.name + u.name
				id, err := mk(cityID, org.OrgInput{Name: u.name, Kind: u.kind, AdminLevel: "municipal", RegionCode: city.code,
					CreditCode: g.creditCode(creditKind(u.kind), city.code), Category: u.category, Headcount: headcount(u, g),
					FloorAreaM2: area(u, g), Address: city.name + street(g)})
				if err != nil {
					return err
				}
				if _, err := staff(id, "municipal", u); err != nil {
					return err
				}
			}
			for ki, county := range city.counties {
				bureau := county.name + "机关事务服务中心"
				cid, err := mk(cityID, org.OrgInput{Name: bureau, Kind: "bureau", AdminLevel: "county", RegionCode: county.code,
					CreditCode: g.creditCode('1', county.code), Category: "organ", Headcount: int64(24 + g.r.IntN(10)),
					FloorAreaM2: 1800 + float64(g.r.IntN(800)), Address: city.name + county.name + street(g)})
				if err != nil {
					return err
				}
				if ci == 0 && ki == 1 {
					ids.songling = cid
				}
				if _, err := staff(cid, "county", unitSpec{staff: 10, kind: "bureau"}); err != nil {
					return err
				}
				for _, u := range countyUnits {
					u.name = county.name + u.name
					id, err := mk(cid, org.OrgInput{Name: u.name, Kind: u.kind, AdminLevel: "county", RegionCode: county.code,
						CreditCode: g.creditCode(creditKind(u.kind), county.code), Category: u.category, Headcount: headcount(u, g),
						FloorAreaM2: area(u, g), Address: city.name + county.name + street(g)})
					if err != nil {
						return err
					}
					p, err := staff(id, "county", u)
					if err != nil {
						return err
					}
					if ci == 0 && ki == 1 && u.name == county.name+"教育局" {
						ids.songlingEdu, eduCodes = id, p
					}
				}
				for _, town := range county.towns {
					u := unitSpec{name: town + "人民政府", kind: "organ", category: "organ", staff: 12}
					id, err := mk(cid, org.OrgInput{Name: u.name, Kind: "organ", AdminLevel: "township", RegionCode: county.code,
						CreditCode: g.creditCode('1', county.code), Category: "organ", Headcount: int64(30 + g.r.IntN(20)),
						FloorAreaM2: 1200 + float64(g.r.IntN(600)), Address: city.name + county.name + town})
					if err != nil {
						return err
					}
					if _, err := staff(id, "township", u); err != nil {
						return err
					}
				}
			}
		}
		if err := org.BulkInsert(ctx, q, now, nil, pending); err != nil {
			return fmt.Errorf("demo people: %w", err)
		}
		for _, c := range []struct {
			codes []string
			into  *[]int64
		}{{provinceCodes, &ids.provinceStaff}, {eduCodes, &ids.songlingEduStaff}} {
			for _, code := range c.codes {
				var id int64
				if err := q.QueryRow(ctx, "SELECT id FROM people WHERE code = ?", code).Scan(&id); err != nil {
					return err
				}
				*c.into = append(*c.into, id)
			}
		}
		return audit.Record(ctx, q, now, audit.Entry{Action: "demo.load", ObjectType: "demo", ObjectKey: "示范省", Success: true,
			Extra: map[string]any{"units": res.Units, "people": res.People}})
	})
	if err != nil {
		return res, err
	}
	users := []struct {
		username, name, role, scope string
		org                         int64
		person                      int64
	}{
		{"secadmin", "安全保密管理员", auth.RoleSecurityAdmin, auth.ScopeAll, 0, 0},
		{"auditor", "安全审计员", auth.RoleAuditAdmin, auth.ScopeAll, 0, 0},
		{"space", "办公用房管理员", "space_manager", auth.ScopeSubtree, ids.province, ids.provinceStaff[5]},
		{"fleet", "公务用车管理员", "fleet_manager", auth.ScopeSubtree, ids.province, ids.provinceStaff[6]},
		{"energy", "节能管理员", "energy_manager", auth.ScopeSubtree, ids.province, ids.provinceStaff[7]},
		{"asset", "资产管理员", "asset_manager", auth.ScopeSubtree, ids.province, ids.provinceStaff[8]},
		{"service", "后勤服务管理员", "service_manager", auth.ScopeSubtree, ids.province, ids.provinceStaff[9]},
		{"qingshan", "青山市机关事务管理局", "unit_admin", auth.ScopeSubtree, ids.qingshan, 0},
		{"songling", "松岭县机关事务服务中心", "unit_admin", auth.ScopeSubtree, ids.songling, 0},
		{"edu", "松岭县教育局单位管理员", "unit_admin", auth.ScopeUnit, ids.songlingEdu, ids.songlingEduStaff[1]},
		{"employee", "", "employee", auth.ScopeSelf, ids.songlingEdu, ids.songlingEduStaff[5]},
		{"supervisor", "纪检监督", "supervisor", auth.ScopeAll, 0, 0},
	}
	for _, u := range users {
		name := u.name
		if u.person != 0 {
			p, err := org.GetPerson(ctx, d.DB, sc, u.person)
			if err != nil {
				return res, err
			}
			if name == "" {
				name = p.Name
			} else {
				name = p.Name + "（" + u.name + "）"
			}
		}
		created, err := d.Auth.CreateUser(ctx, nil, sc, auth.UserInput{Username: u.username, Password: Password, DisplayName: name,
			Roles: []string{u.role}, DataScope: u.scope, ScopeOrgID: u.org, PersonID: u.person})
		if err != nil {
			if errs.Is(err, errs.CodeConflict) {
				continue
			}
			return res, fmt.Errorf("demo user %s: %w", u.username, err)
		}
		res.Users = append(res.Users, UserInfo{Username: created.Login, Role: u.role, Scope: auth.ScopeNames[u.scope]})
	}
	if err := module.LoadDemo(ctx, d.Modules); err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	return res, nil
}

func date(now time.Time, days int) string { return clock.Today(now.AddDate(0, 0, days)) }

func creditKind(kind string) byte {
	if kind == "institution" {
		return '2'
	}
	return '1'
}

func headcount(u unitSpec, g *gen) int64 {
	switch u.category {
	case "hospital":
		return int64(800 + g.r.IntN(1200))
	case "higher_education":
		return int64(12000 + g.r.IntN(8000))
	case "school":
		return int64(900 + g.r.IntN(1500))
	case "venue":
		return int64(60 + g.r.IntN(80))
	}
	return int64(u.staff + 10 + g.r.IntN(u.staff+10))
}

func area(u unitSpec, g *gen) float64 {
	switch u.category {
	case "hospital":
		return float64(42000 + g.r.IntN(30000))
	case "higher_education":
		return float64(260000 + g.r.IntN(120000))
	case "school":
		return float64(18000 + g.r.IntN(12000))
	case "venue":
		return float64(36000 + g.r.IntN(20000))
	}
	return float64(u.staff*30 + g.r.IntN(u.staff*20+1))
}

var streets = []string{"人民路", "解放路", "建设路", "中山路", "文化路", "新华路", "和平路", "胜利路", "光明路", "朝阳路"}

func street(g *gen) string {
	return fmt.Sprintf("%s %d 号", streets[g.r.IntN(len(streets))], 1+g.r.IntN(300))
}
