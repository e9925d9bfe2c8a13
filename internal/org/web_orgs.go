package org

import (
	"context"
	"net/http"
	"strconv"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

type orgsPage struct {
	web.Globals
	Roots    []Org
	RootKids []Org // when there is a single root, its children are shown open
	Orgs     []Org
	Pager    web.Pager
	Filtered bool
	F        OrgFilter
	Kinds    enum.List
	Levels   enum.List
	Cats     enum.List
}

type orgPage struct {
	web.Globals
	Org       Org
	Ancestors []Org
	Tab       string
	Children  []Org
	People    []Person
	Pager     web.Pager
	History   []history.Entry
}

type orgFormPage struct {
	web.Globals
	AllScope             bool // may create top-level units
	Root                 bool
	Org                  *Org
	Form                 OrgInput
	Errors               map[string]string
	Parent               string
	Kinds, Levels, Cats  []web.Option
	Grades, Affiliations []web.Option
}

type movePage struct {
	web.Globals
	AllScope bool
	Org      Org
	Errors   map[string]string
}

type importPage struct {
	web.Globals
	What    string // orgs | people
	Noun    string
	Report  *xlsx.Report
	Columns []xlsx.Column
	Err     string
}

func (s *Service) crumbsFor(r *http.Request, path string) []web.Crumb {
	cr := []web.Crumb{{Label: "menu.org|组织机构"}, {Label: "org.orgs|单位管理", Path: "/orgs"}}
	anc, err := Ancestors(r.Context(), s.DB, path)
	if err != nil {
		return cr
	}
	sc := auth.ScopeFrom(r.Context())
	for _, a := range anc {
		if sc.ContainsPath(a.ID, a.Path) {
			cr = append(cr, web.Crumb{Label: a.Name, Path: "/orgs/" + strconv.FormatInt(a.ID, 10)})
		}
	}
	if len(cr) > 2 {
		cr[len(cr)-1].Path = ""
	}
	return cr
}

func parseOrgFilter(r *http.Request) (OrgFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return OrgFilter{}, err
	}
	qv := r.URL.Query()
	f := OrgFilter{List: l, Kind: qv.Get("kind"), AdminLevel: qv.Get("admin_level"), Category: qv.Get("category"), Status: qv.Get("status"),
		RegionCode: qv.Get("region_code")}
	if v := qv.Get("parent_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 0 {
			return f, errs.Invalid("parent_id", "应为整数")
		}
		f.ParentID, f.HasParent = id, true
	}
	if f.UnderID, err = web.QueryInt(r, "under_id"); err != nil {
		return f, err
	}
	return f, nil
}

func orgRows(orgs []Org) [][]any {
	rows := make([][]any, 0, len(orgs))
	for _, o := range orgs {
		rows = append(rows, []any{o.Name, o.ShortName, o.ParentName, o.KindName(), o.LevelName(), o.GradeName(), o.AffiliationName(), o.RegionCode, o.CreditCode,
			o.CategoryName(), o.Headcount, o.FloorAreaM2, o.Address, o.Contact, o.Phone, o.StatusName()})
	}
	return rows
}

func columnHeaders(cols []xlsx.Column) []string {
	h := make([]string, len(cols))
	for i, c := range cols {
		h[i] = c.Header
	}
	return h
}

func (s *Service) orgPages() {
	u := s.UI
	u.Page("GET /orgs", "org:read", func(w http.ResponseWriter, r *http.Request) error {
		f, err := parseOrgFilter(r)
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		if web.WantsExport(r) {
			f.List.Page, f.List.PageSize = 1, 200000
			orgs, _, err := ListOrgs(r.Context(), s.DB, sc, f)
			if err != nil {
				return err
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "单位", append(columnHeaders(OrgColumns), "状态"), orgRows(orgs))
		}
		p := &orgsPage{Globals: u.G(r, "org.orgs|单位管理", web.Crumb{Label: "menu.org|组织机构"}, web.Crumb{Label: "org.orgs|单位管理"}),
			F: f, Kinds: Kinds, Levels: AdminLevels, Cats: Categories}
		p.Filtered = f.List.Q != "" || f.Kind != "" || f.AdminLevel != "" || f.Category != "" || f.Status != "" || f.HasParent || f.UnderID != 0 || f.RegionCode != ""
		if p.Filtered {
			p.Orgs, p.Pager.Total, err = ListOrgs(r.Context(), s.DB, sc, f)
			if err != nil {
				return err
			}
			p.Pager = web.NewPager(f.List, p.Pager.Total)
		} else {
			if !sc.All() {
				// A scoped user's tree starts at the root of their scope.
				if o, err := GetOrg(r.Context(), s.DB, sc, sc.OrgID); err == nil {
					p.Roots = []Org{o}
					if err := fillCounts(r.Context(), s.DB, p.Roots); err != nil {
						return err
					}
				}
			} else {
				roots := OrgFilter{List: web.List{Page: 1, PageSize: 200}, HasParent: true}
				if p.Roots, _, err = ListOrgs(r.Context(), s.DB, sc, roots); err != nil {
					return err
				}
			}
			if len(p.Roots) == 1 && p.Roots[0].Children > 0 {
				kids := OrgFilter{List: web.List{Page: 1, PageSize: 500}, ParentID: p.Roots[0].ID, HasParent: true}
				if p.RootKids, _, err = ListOrgs(r.Context(), s.DB, sc, kids); err != nil {
					return err
				}
			}
			p.Pager = web.NewPager(f.List, 0)
		}
		return u.Render(w, r, http.StatusOK, "org/orgs.html", p)
	})
	u.Page("GET /orgs/{id}/children", "org:read", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		if _, err := GetOrg(r.Context(), s.DB, sc, id); err != nil {
			return err
		}
		kids, _, err := ListOrgs(r.Context(), s.DB, sc, OrgFilter{List: web.List{Page: 1, PageSize: 500}, ParentID: id, HasParent: true})
		if err != nil {
			return err
		}
		return u.Fragment(w, r, "org/orgs.html", "tree-nodes", kids)
	})
	// The unit picker's search (web.UnitOptions): the units of the caller's scope matching org_q.
	u.Page("GET /orgs/options", "org:read", u.UnitOptions)
	u.Page("GET /orgs/new", "org:write", func(w http.ResponseWriter, r *http.Request) error {
		in := OrgInput{Kind: "organ", AdminLevel: "county", Category: "organ"}
		in.ParentID, _ = strconv.ParseInt(r.URL.Query().Get("parent_id"), 10, 64)
		if in.ParentID != 0 {
			if par, err := GetOrg(r.Context(), s.DB, auth.ScopeFrom(r.Context()), in.ParentID); err == nil {
				in.AdminLevel, in.RegionCode = par.AdminLevel, par.RegionCode
			}
		}
		return s.renderOrgForm(w, r, http.StatusOK, nil, in, nil)
	})
	u.Page("POST /orgs", "org:write", func(w http.ResponseWriter, r *http.Request) error {
		in, f := orgForm(r)
		if in.ParentID == 0 && r.PostFormValue("root") != "1" {
			f.Add("parent_id", "请选择上级单位（新建顶级单位须勾选“创建为顶级单位”）")
		}
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderOrgForm(w, r, status, nil, in, fields)
		}, func() (string, string, error) {
			o, err := s.CreateOrg(r.Context(), auth.ScopeFrom(r.Context()), in)
			return "/orgs/" + strconv.FormatInt(o.ID, 10), "已创建单位“" + o.Name + "”", err
		})
	})
	u.Page("GET /orgs/{id}", "org:read", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		o, err := GetOrg(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		p := &orgPage{Globals: u.G(r, o.Name, s.crumbsFor(r, o.Path)...), Org: o, Tab: r.URL.Query().Get("tab")}
		switch p.Tab {
		case "children":
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			var total int64
			p.Children, total, err = ListOrgs(r.Context(), s.DB, sc, OrgFilter{List: l, ParentID: id, HasParent: true})
			if err != nil {
				return err
			}
			p.Pager = web.NewPager(l, total)
		case "people":
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			var total int64
			p.People, total, err = ListPeople(r.Context(), s.DB, sc, PersonFilter{List: l, OrgID: id})
			if err != nil {
				return err
			}
			p.Pager = web.NewPager(l, total)
		case "history":
			if p.History, err = history.List(r.Context(), s.DB, "org", id, 200); err != nil {
				return err
			}
		default:
			p.Tab = "info"
		}
		return u.Render(w, r, http.StatusOK, "org/org.html", p)
	})
	u.Page("GET /orgs/{id}/edit", "org:write", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		o, err := GetOrg(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		in := OrgInput{Name: o.Name, ShortName: o.ShortName, ParentID: o.ParentID, Kind: o.Kind, AdminLevel: o.AdminLevel, RegionCode: o.RegionCode,
			Grade: o.Grade, Affiliation: o.Affiliation, CreditCode: o.CreditCode, Category: o.Category, Headcount: o.Headcount, FloorAreaM2: o.FloorAreaM2, Address: o.Address,
			Contact: o.Contact, Phone: o.Phone, Sort: o.Sort}
		return s.renderOrgForm(w, r, http.StatusOK, &o, in, nil)
	})
	u.Page("POST /orgs/{id}", "org:write", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		o, err := GetOrg(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		in, f := orgForm(r)
		in.ParentID = o.ParentID
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderOrgForm(w, r, status, &o, in, fields)
		}, func() (string, string, error) {
			_, err := s.UpdateOrg(r.Context(), sc, id, OrgPatch{Name: &in.Name, ShortName: &in.ShortName, Kind: &in.Kind, AdminLevel: &in.AdminLevel,
				Grade: &in.Grade, Affiliation: &in.Affiliation, RegionCode: &in.RegionCode, CreditCode: &in.CreditCode, Category: &in.Category, Headcount: &in.Headcount, FloorAreaM2: &in.FloorAreaM2,
				Address: &in.Address, Contact: &in.Contact, Phone: &in.Phone, Sort: &in.Sort})
			return "/orgs/" + strconv.FormatInt(id, 10), "已保存", err
		})
	})
	u.Page("GET /orgs/{id}/move", "org:write", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		o, err := GetOrg(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "org/move.html", &movePage{Globals: u.G(r, "org.move|移动单位", s.crumbsFor(r, o.Path)...), Org: o,
			AllScope: auth.ScopeFrom(r.Context()).All()})
	})
	u.Page("POST /orgs/{id}/move", "org:write", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		o, err := GetOrg(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		f := errs.Fields{}
		parent := web.FormInt(r, "parent_id", f)
		if parent == 0 && r.PostFormValue("root") != "1" {
			f.Add("parent_id", "请选择新的上级单位")
		}
		if err = f.Err(); err == nil {
			_, err = s.MoveOrg(r.Context(), sc, id, parent)
		}
		if e := errs.As(err); e != nil && (e.Fields != nil || e.Code == errs.CodeConflict) {
			fields := e.Fields
			if fields == nil {
				fields = map[string]string{"parent_id": e.Message}
			}
			return u.Render(w, r, errs.Status(e.Code), "org/move.html", &movePage{Globals: u.G(r, "org.move|移动单位", s.crumbsFor(r, o.Path)...), Org: o, Errors: fields, AllScope: sc.All()})
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, "/orgs/"+strconv.FormatInt(id, 10), "已移动")
	})
	for _, act := range []string{"deactivate", "activate", "delete"} {
		act := act
		u.Page("POST /orgs/{id}/"+act, "org:write", func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			sc := auth.ScopeFrom(r.Context())
			switch act {
			case "deactivate":
				_, err = s.SetOrgStatus(r.Context(), sc, id, "inactive")
			case "activate":
				_, err = s.SetOrgStatus(r.Context(), sc, id, "active")
			case "delete":
				o, gerr := GetOrg(r.Context(), s.DB, sc, id)
				if gerr != nil {
					return gerr
				}
				if err = s.DeleteOrg(r.Context(), sc, id); err == nil {
					to := "/orgs"
					if o.ParentID != 0 {
						to = "/orgs/" + strconv.FormatInt(o.ParentID, 10) + "?tab=children"
					}
					return u.Redirect(w, r, to, "已删除单位“"+o.Name+"”")
				}
			}
			if e := errs.As(err); e != nil && e.Code == errs.CodeConflict {
				u.SetFlash(w, "error", e.Message)
				http.Redirect(w, r, "/orgs/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
				return nil
			} else if err != nil {
				return err
			}
			return u.Redirect(w, r, "/orgs/"+strconv.FormatInt(id, 10), "操作已完成")
		})
	}
	s.importPages("orgs", "单位", "org:write", OrgColumns, s.ImportOrgs)
}

func orgForm(r *http.Request) (OrgInput, errs.Fields) {
	f := errs.Fields{}
	in := OrgInput{Name: r.PostFormValue("name"), ShortName: r.PostFormValue("short_name"), Kind: r.PostFormValue("kind"),
		AdminLevel: r.PostFormValue("admin_level"), Grade: r.PostFormValue("grade"), Affiliation: r.PostFormValue("affiliation"), RegionCode: r.PostFormValue("region_code"), CreditCode: r.PostFormValue("credit_code"),
		Category: r.PostFormValue("category"), Address: r.PostFormValue("address"), Contact: r.PostFormValue("contact"), Phone: r.PostFormValue("phone")}
	in.ParentID = web.FormInt(r, "parent_id", f)
	in.Headcount = web.FormInt(r, "headcount", f)
	in.FloorAreaM2 = web.FormFloat(r, "floor_area_m2", f)
	in.Sort = web.FormInt(r, "sort", f)
	return in, f
}

func (s *Service) renderOrgForm(w http.ResponseWriter, r *http.Request, status int, o *Org, in OrgInput, fields map[string]string) error {
	title := "org.new|新建单位"
	crumbs := []web.Crumb{{Label: "menu.org|组织机构"}, {Label: "org.orgs|单位管理", Path: "/orgs"}, {Label: title}}
	if o != nil {
		title = "org.edit|编辑单位"
		crumbs = append(s.crumbsFor(r, o.Path), web.Crumb{Label: title})
		crumbs[len(crumbs)-2].Path = "/orgs/" + strconv.FormatInt(o.ID, 10)
	}
	p := &orgFormPage{Globals: s.UI.G(r, title, crumbs...), Org: o, Form: in, Errors: fields, AllScope: auth.ScopeFrom(r.Context()).All(),
		Root:  r.PostFormValue("root") == "1",
		Kinds: Kinds.Options(), Levels: AdminLevels.Options(), Cats: Categories.Options(),
		Grades: Grades.Options(), Affiliations: Affiliations.Options()}
	if in.ParentID != 0 {
		p.Parent = Tree{}.OrgLabel(r.Context(), s.DB, in.ParentID)
	}
	return s.UI.Render(w, r, status, "org/org_form.html", p)
}

// importPages registers GET/POST /<what>/import and the template download.
func (s *Service) importPages(what, noun, perm string, cols []xlsx.Column, run func(ctx context.Context, sc auth.Scope, rows []xlsx.Row, dry bool) (xlsx.Report, error)) {
	u := s.UI
	title := map[string]string{"orgs": "org.import.orgs|导入单位", "people": "org.import.people|导入人员"}[what]
	crumbs := func() []web.Crumb {
		list := map[string]string{"orgs": "org.orgs|单位管理", "people": "org.people|人员管理"}[what]
		return []web.Crumb{{Label: "menu.org|组织机构"}, {Label: list, Path: "/" + what}, {Label: title}}
	}
	u.Page("GET /"+what+"/import", perm, func(w http.ResponseWriter, r *http.Request) error {
		return u.Render(w, r, http.StatusOK, "org/import.html", &importPage{Globals: u.G(r, title, crumbs()...), What: what, Noun: noun, Columns: cols})
	})
	u.Page("GET /"+what+"/import/template", perm, func(w http.ResponseWriter, r *http.Request) error {
		b, err := xlsx.Template(cols, noun)
		if err != nil {
			return err
		}
		xlsx.Send(w, noun+"导入模板", b)
		return nil
	})
	u.Page("POST /"+what+"/import", perm, func(w http.ResponseWriter, r *http.Request) error {
		p := &importPage{Globals: u.G(r, title, crumbs()...), What: what, Noun: noun, Columns: cols}
		rows, err := xlsx.ReadUpload(r, cols)
		if err != nil {
			e := errs.As(err)
			if e == nil || e.Code == errs.CodeInternal {
				return err
			}
			p.Err = e.Message
			return u.Render(w, r, errs.Status(e.Code), "org/import.html", p)
		}
		rep, err := run(r.Context(), auth.ScopeFrom(r.Context()), rows, r.FormValue("dry_run") != "")
		if err != nil {
			return err
		}
		p.Report = &rep
		status := http.StatusOK
		if !rep.OK() {
			status = http.StatusUnprocessableEntity
		}
		return u.Render(w, r, status, "org/import.html", p)
	})
}
