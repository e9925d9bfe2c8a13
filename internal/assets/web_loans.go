package assets

import (
	"github.com/govops/govops/internal/platform/db"
	"net/http"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// The loans page: the loans in scope (overdue ones flagged), the form that lends an asset by its 资产编号, and the
// return of a loan.

type loansPage struct {
	web.Globals
	F        LoanFilter
	Loans    []Loan
	Pager    web.Pager
	Overdue  int64
	Today    string
	Statuses []web.Option
	// Lenders holds the lending units the viewer may see: a borrower sees the loan but not the lender's card, so
	// only these rows link to it.
	Lenders map[int64]bool
}

func parseLoanFilter(r *http.Request) (LoanFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return LoanFilter{}, err
	}
	id, err := web.QueryInt(r, "asset_id")
	return LoanFilter{List: l, AssetID: id, Status: strings.TrimSpace(r.URL.Query().Get("status"))}, err
}

func (s *Service) loanPages() {
	u := s.UI
	u.Page("GET /assets/loans", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		f, err := parseLoanFilter(r)
		if err != nil {
			return err
		}
		if web.WantsExport(r) {
			f.List.Page, f.List.PageSize = 1, 200000
		}
		sc := auth.ScopeFrom(r.Context())
		p := &loansPage{Globals: s.g(r, "assets.menu.loans|资产出借", web.Crumb{Label: "assets.menu.loans|资产出借"}), F: f, Today: s.today(),
			Statuses: []web.Option{{Value: "out", Label: "出借中"}, {Value: "overdue", Label: "逾期未归还"}, {Value: "returned", Label: "已归还"}}}
		var total int64
		if p.Loans, total, err = s.ListLoans(r.Context(), s.DB, sc, f); err != nil {
			return err
		}
		if web.WantsExport(r) {
			var out [][]any
			for _, l := range p.Loans {
				state := l.StatusName()
				if l.Overdue {
					state = "逾期未归还"
				}
				out = append(out, []any{l.AssetCode, l.AssetName, l.OrgName, l.Borrower, l.Contact, l.Purpose, l.StartOn, l.DueOn, l.ReturnedOn, state})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "资产出借登记簿（GovOps 格式）", []string{"资产编号", "资产名称", "出借单位", "借用单位", "联系人", "用途",
				"出借日期", "应归还日期", "归还日期", "状态"}, out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0)})
		}
		_, over, err := s.ListLoans(r.Context(), s.DB, sc, LoanFilter{List: web.List{Page: 1, PageSize: 1}, Status: "overdue"})
		if err != nil {
			return err
		}
		p.Overdue = over
		p.Pager = web.NewPager(f.List, total)
		p.Lenders = map[int64]bool{}
		if len(p.Loans) > 0 {
			ids, ph := []any{}, []string{}
			for _, l := range p.Loans {
				ids, ph = append(ids, l.OrgID), append(ph, "?")
			}
			cond, args := sc.OrgCond("o.id")
			visible, err := db.Int64s(r.Context(), s.DB, "SELECT o.id FROM orgs o WHERE o.id IN ("+strings.Join(ph, ",")+") AND "+cond, append(ids, args...)...)
			if err != nil {
				return err
			}
			for _, id := range visible {
				p.Lenders[id] = true
			}
		}
		return u.Render(w, r, http.StatusOK, "assets/loans.html", p)
	})
	u.Page("POST /assets/loans", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		f := errs.Fields{}
		in := LoanInput{AssetCode: fstr(r, "asset_code"), BorrowerOrgID: web.FormInt(r, "borrower_org_id", f), Borrower: fstr(r, "borrower"),
			Contact: fstr(r, "contact"), Purpose: fstr(r, "purpose"), StartOn: fstr(r, "start_on"), DueOn: fstr(r, "due_on")}
		if err := f.Err(); err != nil {
			return s.done(w, r, err, "/assets/loans", "")
		}
		l, err := s.Lend(r.Context(), auth.ScopeFrom(r.Context()), in)
		return s.done(w, r, formErr(err), "/assets/loans", "已登记出借 "+l.AssetCode+"，应于 "+l.DueOn+" 归还")
	})
	u.Page("POST /assets/loans/{id}/return", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		_, err = s.ReturnLoan(r.Context(), auth.ScopeFrom(r.Context()), id, ReturnInput{ReturnedOn: fstr(r, "returned_on"), Note: fstr(r, "note")})
		return s.done(w, r, err, "/assets/loans", "已登记归还")
	})
}
