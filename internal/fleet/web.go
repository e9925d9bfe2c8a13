package fleet

import (
	"net/http"
	"strings"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
)

// Shared helpers of the module's pages.

const crumbFleet = "menu.fleet|公务用车"

// g builds the globals of a page under 公务用车.
func (s *Service) g(r *http.Request, title string, crumbs ...web.Crumb) web.Globals {
	return s.UI.G(r, title, append([]web.Crumb{{Label: crumbFleet, Path: "/fleet/trips"}}, crumbs...)...)
}

// done answers an action form (see web.UI.Done), naming fields in Chinese.
func (s *Service) done(w http.ResponseWriter, r *http.Request, err error, to, ok string) error {
	return s.UI.Done(w, r, err, to, ok, fieldNames)
}

var fieldNames = map[string]string{"vehicle_id": "车辆", "driver_id": "驾驶员", "odometer_km": "里程", "toll_yuan": "通行费", "parking_yuan": "停车费",
	"fuel_yuan": "燃油费", "comment": "意见", "kind": "费用类型", "amount_yuan": "金额", "date": "日期", "quota": "编制数", "category": "类别",
	"org_id": "单位", "person_id": "人员", "license_class": "准驾车型", "license_expiry": "驾驶证有效期"}

func fstr(r *http.Request, name string) string { return strings.TrimSpace(r.PostFormValue(name)) }

func (s *Service) hist(r *http.Request, objType string, id int64) ([]history.Entry, error) {
	return history.List(r.Context(), s.DB, objType, id, 200)
}

func orgLabel(r *http.Request, s *Service, id int64) string {
	if id == 0 {
		return ""
	}
	return org.Tree{}.OrgLabel(r.Context(), s.DB, id)
}

// defaultOrg is the unit a form starts from: the scope's unit, or none for the whole register.
func defaultOrg(r *http.Request) int64 {
	sc := auth.ScopeFrom(r.Context())
	if sc.All() {
		return 0
	}
	return sc.OrgID
}

// asset serves the module's print stylesheet and script.
func (s *Service) asset(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil || strings.Contains(name, "/") {
		return errs.NotFound("文件")
	}
	ct := "text/css; charset=utf-8"
	if strings.HasSuffix(name, ".js") {
		ct = "text/javascript; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err = w.Write(b)
	return err
}

func (s *Service) registerPages() {
	s.UI.Public("GET /fleet/assets/{name}", s.asset)
	s.pagesVehicles()
	s.pagesDrivers()
	s.pagesCompliance()
	s.pagesTrips()
	s.pagesOps()
}
