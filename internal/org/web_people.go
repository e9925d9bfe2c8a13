package org

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

type peoplePage struct {
	web.Globals
	People   []Person
	Pager    web.Pager
	F        PersonFilter
	OrgName  string
	Ranks    enum.List
	Statuses enum.List
}

type personPage struct {
	web.Globals
	Person  Person
	History []history.Entry
}

type personFormPage struct {
	web.Globals
	Person   *Person
	Form     PersonInput
	Errors   map[string]string
	OrgName  string
	Ranks    []web.Option
	Statuses []web.Option
	Genders  []web.Option
}

func parsePersonFilter(r *http.Request) (PersonFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return PersonFilter{}, err
	}
	qv := r.URL.Query()
	f := PersonFilter{List: l, Rank: qv.Get("rank"), Status: qv.Get("status"), Subtree: qv.Get("subtree") == "true" || qv.Get("subtree") == "on" || qv.Get("subtree") == "1"}
	if f.OrgID, err = web.QueryInt(r, "org_id"); err != nil {
		return f, err
	}
	if f.Rank != "" && !Ranks.Has(f.Rank) {
		return f, errs.Invalid("rank", "职级无效")
	}
	if f.Status != "" && !Statuses.Has(f.Status) {
		return f, errs.Invalid("status", "状态无效")
	}
	return f, nil
}

func (s *Service) peoplePages() {
	u := s.UI
	u.Page("GET /people", "person:read", func(w http.ResponseWriter, r *http.Request) error {
		f, err := parsePersonFilter(r)
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		if f.OrgID != 0 {
			if _, err := GetOrg(r.Context(), s.DB, sc, f.OrgID); err != nil {
				return err
			}
		}
		if web.WantsExport(r) {
			f.List.Page, f.List.PageSize = 1, 500000
			people, _, err := ListPeople(r.Context(), s.DB, sc, f)
			if err != nil {
				return err
			}
			rows := make([][]any, 0, len(people))
			for _, p := range people {
				rows = append(rows, []any{p.Code, p.Name, p.OrgName, p.RankName(), p.Position, p.GenderName(), p.Phone, p.StatusName(), p.StatusSince})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "人员", columnHeaders(PersonColumns), rows)
		}
		pg, err := PeoplePage(r.Context(), s.DB, sc, f)
		if err != nil {
			return err
		}
		p := &peoplePage{Globals: u.G(r, "org.people|人员管理", web.Crumb{Label: "menu.org|组织机构"}, web.Crumb{Label: "org.people|人员管理"}),
			People: pg.Items, Pager: web.NewPagerOf(f.List, pg), F: f, Ranks: Ranks, Statuses: Statuses}
		if f.OrgID != 0 {
			p.OrgName = Tree{}.OrgLabel(r.Context(), s.DB, f.OrgID)
		}
		return u.Render(w, r, http.StatusOK, "org/people.html", p)
	})
	u.Page("GET /people/options", "person:read", func(w http.ResponseWriter, r *http.Request) error {
		sel, _ := strconv.ParseInt(r.URL.Query().Get("selected"), 10, 64)
		if sel == 0 {
			sel, _ = strconv.ParseInt(r.URL.Query().Get("person_id"), 10, 64)
		}
		qtext := strings.TrimSpace(r.URL.Query().Get("person_q"))
		sc := auth.ScopeFrom(r.Context())
		var b strings.Builder
		b.WriteString(`<option value="">（未选择）</option>`)
		if sel != 0 {
			if p, err := GetPerson(r.Context(), s.DB, sc, sel); err == nil {
				b.Reset()
				b.WriteString(`<option value="">（未选择）</option>`)
				fmt.Fprintf(&b, `<option value="%d" selected>%s（%s）</option>`, p.ID, template.HTMLEscapeString(p.Name), template.HTMLEscapeString(p.OrgName))
			}
		}
		if qtext != "" {
			people, _, err := ListPeople(r.Context(), s.DB, sc, PersonFilter{List: web.List{Page: 1, PageSize: 30, Q: qtext}, Status: "active"})
			if err != nil {
				return err
			}
			for _, p := range people {
				if p.ID == sel {
					continue
				}
				fmt.Fprintf(&b, `<option value="%d">%s（%s，%s）</option>`, p.ID, template.HTMLEscapeString(p.Name), template.HTMLEscapeString(p.OrgName), p.RankName())
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(b.String()))
		return nil
	})
	u.Page("GET /people/new", "person:write", func(w http.ResponseWriter, r *http.Request) error {
		in := PersonInput{Rank: "staff", Status: "active", StatusSince: clock.Today(s.Clock.Now())}
		in.OrgID, _ = strconv.ParseInt(r.URL.Query().Get("org_id"), 10, 64)
		return s.renderPersonForm(w, r, http.StatusOK, nil, in, nil)
	})
	u.Page("POST /people", "person:write", func(w http.ResponseWriter, r *http.Request) error {
		in, f := personForm(r)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderPersonForm(w, r, status, nil, in, fields)
		}, func() (string, string, error) {
			p, err := s.CreatePerson(r.Context(), auth.ScopeFrom(r.Context()), in)
			return "/people/" + strconv.FormatInt(p.ID, 10), "已登记人员“" + p.Name + "”", err
		})
	})
	u.Page("GET /people/{id}", "person:read", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		p, err := GetPerson(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		h, err := history.List(r.Context(), s.DB, "person", id, 200)
		if err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "org/person.html", &personPage{Globals: u.G(r, p.Name, web.Crumb{Label: "menu.org|组织机构"},
			web.Crumb{Label: "org.people|人员管理", Path: "/people"}, web.Crumb{Label: p.Name}), Person: p, History: h})
	})
	u.Page("GET /people/{id}/edit", "person:write", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		p, err := GetPerson(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		return s.renderPersonForm(w, r, http.StatusOK, &p, PersonInput{OrgID: p.OrgID, Code: p.Code, Name: p.Name, Gender: p.Gender, Rank: p.Rank,
			Position: p.Position, Phone: p.Phone, Status: p.Status, StatusSince: p.StatusSince}, nil)
	})
	u.Page("POST /people/{id}", "person:write", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		p, err := GetPerson(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		in, f := personForm(r)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderPersonForm(w, r, status, &p, in, fields)
		}, func() (string, string, error) {
			_, err := s.UpdatePerson(r.Context(), sc, id, PersonPatch{OrgID: &in.OrgID, Code: &in.Code, Name: &in.Name, Gender: &in.Gender, Rank: &in.Rank,
				Position: &in.Position, Phone: &in.Phone, Status: &in.Status, StatusSince: &in.StatusSince})
			return "/people/" + strconv.FormatInt(id, 10), "已保存", err
		})
	})
	u.Page("POST /people/{id}/delete", "person:write", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		err = s.DeletePerson(r.Context(), auth.ScopeFrom(r.Context()), id)
		if e := errs.As(err); e != nil && e.Code == errs.CodeConflict {
			u.SetFlash(w, "error", e.Message)
			http.Redirect(w, r, "/people/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
			return nil
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, "/people", "已删除")
	})
	s.importPages("people", "人员", "person:write", PersonColumns, s.ImportPeople)
}

func personForm(r *http.Request) (PersonInput, errs.Fields) {
	f := errs.Fields{}
	in := PersonInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Gender: r.PostFormValue("gender"), Rank: r.PostFormValue("rank"),
		Position: r.PostFormValue("position"), Phone: r.PostFormValue("phone"), Status: r.PostFormValue("status"), StatusSince: r.PostFormValue("status_since")}
	in.OrgID = web.FormInt(r, "org_id", f)
	return in, f
}

func (s *Service) renderPersonForm(w http.ResponseWriter, r *http.Request, status int, p *Person, in PersonInput, fields map[string]string) error {
	title := "org.person.new|登记人员"
	crumbs := []web.Crumb{{Label: "menu.org|组织机构"}, {Label: "org.people|人员管理", Path: "/people"}}
	if p != nil {
		title = "org.person.edit|编辑人员"
		crumbs = append(crumbs, web.Crumb{Label: p.Name, Path: "/people/" + strconv.FormatInt(p.ID, 10)})
	}
	crumbs = append(crumbs, web.Crumb{Label: title})
	return s.UI.Render(w, r, status, "org/person_form.html", &personFormPage{Globals: s.UI.G(r, title, crumbs...), Person: p, Form: in, Errors: fields,
		OrgName: Tree{}.OrgLabel(r.Context(), s.DB, in.OrgID), Ranks: Ranks.Options(), Statuses: Statuses.Options(), Genders: Genders.Options()})
}
