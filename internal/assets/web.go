package assets

import (
	"net/http"
	"strings"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// The module's pages: the ledger with its export and import, the card, the pool, disposals and the depreciation
// report.

const crumbAssets = "menu.assets|资产管理"

func (s *Service) g(r *http.Request, title string, crumbs ...web.Crumb) web.Globals {
	return s.UI.G(r, title, append([]web.Crumb{{Label: crumbAssets, Path: "/assets"}}, crumbs...)...)
}

var fieldNames = map[string]string{"org_id": "单位", "name": "资产名称", "class_code": "分类代码", "value_yuan": "价值", "acquired_on": "取得日期",
	"acquisition": "取得方式", "life_months": "折旧年限", "reason": "理由", "method": "处置方式", "asset_id": "资产", "custodian_id": "使用人",
	"room_id": "房间", "comment": "意见", "status": "状态", "quantity": "数量"}

func (s *Service) done(w http.ResponseWriter, r *http.Request, err error, to, ok string) error {
	return s.UI.Done(w, r, err, to, ok, fieldNames)
}

func fstr(r *http.Request, name string) string { return strings.TrimSpace(r.PostFormValue(name)) }

func orgLabel(r *http.Request, s *Service, id int64) string {
	if id == 0 {
		return ""
	}
	return org.Tree{}.OrgLabel(r.Context(), s.DB, id)
}

func defaultOrg(r *http.Request) int64 {
	sc := auth.ScopeFrom(r.Context())
	if sc.All() {
		return 0
	}
	return sc.OrgID
}

type ledgerPage struct {
	web.Globals
	F        Filter
	OrgName  string
	Assets   []Asset
	Pager    web.Pager
	Statuses enum.List
	Classes  []Class
	Columns  []xlsx.Column
	Report   *xlsx.Report
	Err      string
}

type assetPage struct {
	web.Globals
	A         Asset
	Tab       string
	AsOf      string
	Dep       Depreciation
	History   []history.Entry
	Listings  []Listing
	Disposals []Disposal
	Methods   []web.Option
	CanOffer  bool
}

type formPage struct {
	web.Globals
	A            *Asset
	Form         Input
	Errors       map[string]string
	Classes      []web.Option
	Acquisitions []web.Option
	ValueTypes   []web.Option
	Statuses     []web.Option
}

func (s *Service) classOptions(r *http.Request) ([]Class, []web.Option, error) {
	cat, err := LoadCatalog(r.Context(), s.DB, s.today())
	if err != nil {
		return nil, nil, err
	}
	cs := cat.Classes("")
	var opts []web.Option
	for _, c := range cs {
		opts = append(opts, web.Option{Value: c.Code, Label: c.Code + " " + c.Name})
	}
	return cs, opts, nil
}

func (s *Service) renderForm(w http.ResponseWriter, r *http.Request, status int, a *Asset, in Input, fields map[string]string) error {
	title := "assets.new|登记资产"
	crumbs := []web.Crumb{{Label: "assets.menu.ledger|资产台账", Path: "/assets"}}
	if a != nil {
		title = "assets.edit|修改资产"
		crumbs = append(crumbs, web.Crumb{Label: a.Code, Path: "/assets/" + itoa(a.ID)})
	}
	_, opts, err := s.classOptions(r)
	if err != nil {
		return err
	}
	p := &formPage{Globals: s.g(r, title, append(crumbs, web.Crumb{Label: title})...), A: a, Form: in, Errors: fields, Classes: opts,
		Acquisitions: Acquisitions.Options(), ValueTypes: ValueTypes.Options(),
		Statuses: []web.Option{{Value: StatusInUse, Label: "在用"}, {Value: StatusIdle, Label: "闲置"}}}
	return s.UI.Render(w, r, status, "assets/asset_form.html", p)
}

func assetForm(r *http.Request) (Input, errs.Fields) {
	f := errs.Fields{}
	in := Input{OrgID: web.FormInt(r, "org_id", f), Name: fstr(r, "name"), ClassCode: strings.ToUpper(fstr(r, "class_code")), ValueYuan: web.FormFloat(r, "value_yuan", f),
		AcquiredOn: fstr(r, "acquired_on"), Acquisition: fstr(r, "acquisition"), Brand: fstr(r, "brand"), Model: fstr(r, "model"),
		Quantity: int(web.FormInt(r, "quantity", f)), MeasureUnit: fstr(r, "measure_unit"), ValueType: fstr(r, "value_type"), Funding: fstr(r, "funding"),
		VoucherNo: fstr(r, "voucher_no"), LifeMonths: int(web.FormInt(r, "life_months", f)), Dept: fstr(r, "dept"), Location: fstr(r, "location"),
		Status: fstr(r, "status"), Note: fstr(r, "note"), RoomID: web.FormInt(r, "room_id", f), CustodianID: web.FormInt(r, "custodian_id", f)}
	return in, f
}

func (s *Service) ledger(r *http.Request) (*ledgerPage, error) {
	f, err := parseFilter(r)
	if err != nil {
		return nil, err
	}
	if web.WantsExport(r) {
		f.List.Page, f.List.PageSize = 1, 200000
	}
	p := &ledgerPage{Globals: s.g(r, "assets.menu.ledger|资产台账", web.Crumb{Label: "assets.menu.ledger|资产台账"}), F: f, OrgName: orgLabel(r, s, f.OrgID),
		Statuses: Statuses, Columns: ImportColumns}
	if p.Classes, _, err = s.classOptions(r); err != nil {
		return nil, err
	}
	var total int64
	if p.Assets, total, err = ListAssets(r.Context(), s.DB, auth.ScopeFrom(r.Context()), f); err != nil {
		return nil, err
	}
	ptrs := make([]*Asset, len(p.Assets))
	for i := range p.Assets {
		ptrs[i] = &p.Assets[i]
	}
	if err := s.named(r.Context(), s.DB, ptrs); err != nil {
		return nil, err
	}
	p.Pager = web.NewPager(f.List, total)
	return p, nil
}

func (s *Service) registerPages() {
	u := s.UI
	u.Page("GET /assets", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.ledger(r)
		if err != nil {
			return err
		}
		if web.WantsExport(r) {
			today := s.today()
			var out [][]any
			for _, a := range p.Assets {
				d := a.depreciationAsOf(today)
				out = append(out, []any{a.Code, a.Name, a.ClassCode, a.ClassName, a.OrgName, a.Brand, a.Model, a.Quantity, a.AcquisitionName(), a.AcquiredOn,
					a.ValueYuan, d.AccumulatedYuan, d.NetYuan, a.LifeMonths, a.Dept, a.CustodianName, a.Location, a.StatusName()})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "资产台账", []string{"资产编号", "资产名称", "分类代码", "分类名称", "单位", "品牌", "规格型号", "数量",
				"取得方式", "取得日期", "价值（元）", "累计折旧（元）", "账面净值（元）", "折旧年限（月）", "使用部门", "使用人", "存放地点", "状态"}, out,
				xlsx.Layout{Unit: s.UI.ExportUnit(r, p.F.OrgID), Sum: []string{"价值（元）", "累计折旧（元）", "账面净值（元）"}})
		}
		return u.Render(w, r, http.StatusOK, "assets/assets.html", p)
	})
	u.Page("GET /assets/import/template", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		b, err := xlsx.Template(ImportColumns, "资产卡片")
		if err != nil {
			return err
		}
		xlsx.Send(w, "资产卡片导入模板", b)
		return nil
	})
	u.Page("GET /assets/import", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		p := &ledgerPage{Globals: s.g(r, "assets.import|导入资产卡片", web.Crumb{Label: "assets.menu.ledger|资产台账", Path: "/assets"}, web.Crumb{Label: "assets.import|导入资产卡片"}),
			Columns: ImportColumns}
		return u.Render(w, r, http.StatusOK, "assets/import.html", p)
	})
	u.Page("POST /assets/import", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		p := &ledgerPage{Globals: s.g(r, "assets.import|导入资产卡片", web.Crumb{Label: "assets.menu.ledger|资产台账", Path: "/assets"}, web.Crumb{Label: "assets.import|导入资产卡片"}),
			Columns: ImportColumns}
		rows, err := xlsx.ReadUpload(r, ImportColumns)
		if err != nil {
			e := errs.As(err)
			if e == nil || e.Code == errs.CodeInternal {
				return err
			}
			p.Err = e.Message
			return u.Render(w, r, errs.Status(e.Code), "assets/import.html", p)
		}
		rep, err := s.ImportAssets(r.Context(), auth.ScopeFrom(r.Context()), rows, r.FormValue("dry_run") != "")
		if err != nil {
			return err
		}
		p.Report = &rep
		status := http.StatusOK
		if !rep.OK() {
			status = http.StatusUnprocessableEntity
		}
		return u.Render(w, r, status, "assets/import.html", p)
	})
	u.Page("GET /assets/new", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		return s.renderForm(w, r, http.StatusOK, nil, Input{OrgID: defaultOrg(r), Quantity: 1, MeasureUnit: "台", Acquisition: "purchase", ValueType: "original",
			Status: StatusInUse, AcquiredOn: s.today()}, nil)
	})
	u.Page("POST /assets", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		in, f := assetForm(r)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderForm(w, r, status, nil, in, fields)
		}, func() (string, string, error) {
			a, err := s.CreateAsset(r.Context(), auth.ScopeFrom(r.Context()), in)
			return "/assets/" + itoa(a.ID), "已登记资产 " + a.Code, formErr(err)
		})
	})
	u.Page("GET /assets/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		a, err := s.AssetDetail(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		p := &assetPage{Globals: s.g(r, a.Code+" "+a.Name, web.Crumb{Label: "assets.menu.ledger|资产台账", Path: "/assets"}, web.Crumb{Label: a.Code}),
			A: a, Tab: r.URL.Query().Get("tab"), History: a.History, Methods: Methods.Options()}
		if p.Tab == "" {
			p.Tab = "info"
		}
		p.AsOf = strings.TrimSpace(r.URL.Query().Get("as_of"))
		if !validDate(p.AsOf) {
			p.AsOf = s.today()
		}
		p.Dep = a.depreciationAsOf(p.AsOf)
		if p.Listings, _, err = ListListings(r.Context(), s.DB, sc, ListingFilter{List: web.List{Page: 1, PageSize: 50}}); err != nil {
			return err
		}
		var mine []Listing
		for _, l := range p.Listings {
			if l.AssetID == a.ID {
				mine = append(mine, l)
			}
		}
		p.Listings = mine
		p.CanOffer = a.Status == StatusInUse || a.Status == StatusIdle
		for _, l := range mine {
			if l.Status == ListingPending || l.Status == ListingAvailable || l.Status == ListingClaimed {
				p.CanOffer = false
			}
		}
		if p.Disposals, _, err = ListDisposals(r.Context(), s.DB, sc, DisposalFilter{List: web.List{Page: 1, PageSize: 50}, AssetID: a.ID}); err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "assets/asset.html", p)
	})
	u.Page("GET /assets/{id}/edit", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		a, err := GetAsset(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		return s.renderForm(w, r, http.StatusOK, &a, inputOf(a), nil)
	})
	u.Page("POST /assets/{id}", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		a, err := GetAsset(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		in, f := assetForm(r)
		in.OrgID = a.OrgID
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderForm(w, r, status, &a, in, fields)
		}, func() (string, string, error) {
			_, err := s.UpdateAsset(r.Context(), auth.ScopeFrom(r.Context()), id, in)
			return "/assets/" + itoa(id), "已保存", formErr(err)
		})
	})
	u.Page("POST /assets/{id}/offer", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		_, err = s.Offer(r.Context(), auth.ScopeFrom(r.Context()), OfferInput{AssetID: id, Reason: fstr(r, "reason"), Condition: fstr(r, "condition")})
		return s.done(w, r, err, "/assets/"+itoa(id), "已申报公物仓，等待审核")
	})
	u.Page("POST /assets/{id}/dispose", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		_, err = s.RequestDisposal(r.Context(), auth.ScopeFrom(r.Context()), id, DisposalInput{Method: fstr(r, "method"), Reason: fstr(r, "reason")})
		return s.done(w, r, err, "/assets/"+itoa(id), "已提交处置申请")
	})
	s.poolPages()
}
