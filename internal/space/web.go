package space

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/attach"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// Shared helpers of the module's pages.

const crumbSpace = "menu.space|办公用房"

// g builds the globals of a page under 办公用房.
func (s *Service) g(r *http.Request, title string, crumbs ...web.Crumb) web.Globals {
	return s.UI.G(r, title, append([]web.Crumb{{Label: crumbSpace, Path: "/space/overview"}}, crumbs...)...)
}

func path(parts ...any) string {
	var b strings.Builder
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			b.WriteString(v)
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		case int:
			b.WriteString(strconv.Itoa(v))
		}
	}
	return b.String()
}

// done answers an action form (see web.UI.Done), naming fields in Chinese.
func (s *Service) done(w http.ResponseWriter, r *http.Request, err error, to, ok string) error {
	return s.UI.Done(w, r, err, to, ok, fieldNames)
}

// fieldNames name the fields of action forms in error flashes.
var fieldNames = map[string]string{"report": "整改情况", "note": "意见", "deadline": "整改期限", "contractor": "施工单位", "room_ids": "房间", "person_id": "使用人",
	"reason": "原因", "result": "盘点结果", "approved_yuan": "批准金额", "cost_yuan": "实际费用", "accepted_on": "验收日期", "started_on": "开工日期"}

func fstr(r *http.Request, name string) string { return strings.TrimSpace(r.PostFormValue(name)) }

func fint(r *http.Request, name string, f errs.Fields) int {
	return int(web.FormInt(r, name, f))
}

func subtypeOptions() []web.Option {
	var out []web.Option
	for _, u := range UseTypes {
		for _, e := range Subtypes[u.Code] {
			out = append(out, web.Option{Value: e.Code, Label: u.Name + " · " + e.Name})
		}
	}
	return out
}

// panel loads the attachments panel of a record when the attachment kit is wired.
func (s *Service) panel(r *http.Request, objType string, id int64) *attach.Panel {
	return s.Attach.PagePanel(r, objType, id)
}

func (s *Service) hist(r *http.Request, objType string, id int64) ([]history.Entry, error) {
	return history.List(r.Context(), s.DB, objType, id, 200)
}

func orgLabel(r *http.Request, s *Service, id int64) string {
	if id == 0 {
		return ""
	}
	return org.Tree{}.OrgLabel(r.Context(), s.DB, id)
}

// orgParam reads ?org_id= and checks it is in scope.
func (s *Service) orgParam(r *http.Request) (int64, string, error) {
	id, err := web.QueryInt(r, "org_id")
	if err != nil || id == 0 {
		return 0, "", err
	}
	if err := checkOrg(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id, "org_id"); err != nil {
		return 0, "", err
	}
	return id, orgLabel(r, s, id), nil
}

// defaultOrg is the unit a page starts from: the scope's unit, or none for the whole register.
func defaultOrg(r *http.Request) int64 {
	sc := auth.ScopeFrom(r.Context())
	if sc.All() {
		return 0
	}
	return sc.OrgID
}

func (s *Service) registerPages() {
	s.pagesRectifyBatch()
	s.pagesVoid()
	s.pagesOverview()
	s.pagesRegister()
	s.pagesRooms()
	s.pagesCompliance()
	s.pagesProcess()
	s.pagesStocktake()
	s.pagesPeople()
	s.pagesLeases()
}
