package fleet

import (
	"net/http"

	"github.com/govops/govops/internal/platform/attach"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// Pages of the vehicle ledger and the drivers.

type vehiclesPage struct {
	web.Globals
	F          VehicleFilter
	OrgName    string
	Vehicles   []Vehicle
	Pager      web.Pager
	Categories enum.List
	Statuses   enum.List
}

type vehiclePage struct {
	web.Globals
	V        Vehicle
	Tab      string
	Year     int
	Years    []int
	Ledger   Ledger
	Costs    []Cost
	Trips    []Trip
	History  []history.Entry
	Kinds    enum.List
	Today    string
	CostForm CostInput
	// Attachments are the vehicle's documents (行驶证, 保单), on the info tab.
	Attachments *attach.Panel
}

type vehicleFormPage struct {
	web.Globals
	V          *Vehicle
	Form       VehicleInput
	Errors     map[string]string
	Categories []web.Option
	Fuels      []web.Option
	Bodies     []web.Option
	Statuses   []web.Option
	Colors     []web.Option
	Domestic   bool
	Radius     int
}

type driversPage struct {
	web.Globals
	Drivers []Driver
	Pager   web.Pager
	Q       string
	Form    DriverInput
	Errors  map[string]string
	Classes []web.Option
	Today   string
}

func vehicleForm(r *http.Request) (VehicleInput, errs.Fields) {
	f := errs.Fields{}
	dom := r.PostFormValue("domestic") == "1"
	radius := int(web.FormInt(r, "parking_radius_m", f))
	if fstr(r, "parking_radius_m") == "" {
		radius = 50
	}
	in := VehicleInput{OrgID: web.FormInt(r, "org_id", f), Plate: fstr(r, "plate"), Category: fstr(r, "category"), FuelType: fstr(r, "fuel_type"),
		BodyType: fstr(r, "body_type"), DisplacementL: web.FormFloat(r, "displacement_l", f), PriceYuan: web.FormFloat(r, "price_yuan", f),
		PurchaseDate: fstr(r, "purchase_date"), Seats: int(web.FormInt(r, "seats", f)), TerminalPhone: fstr(r, "terminal_phone"), Brand: fstr(r, "brand"),
		Model: fstr(r, "model"), VIN: fstr(r, "vin"), Domestic: &dom, OdometerKM: web.FormFloat(r, "odometer_km", f), Status: fstr(r, "status"),
		FixedLeader: r.PostFormValue("fixed_leader") == "1", MarkColor: fstr(r, "mark_color"), MarkCode: fstr(r, "mark_code"),
		SupervisionPhone: fstr(r, "supervision_phone"), ParkingSpot: fstr(r, "parking_spot"), ParkingRadiusM: &radius, InsuranceDue: fstr(r, "insurance_due"),
		InspectionDue: fstr(r, "inspection_due"), MaintenanceDue: fstr(r, "maintenance_due"), Note: fstr(r, "note"),
		HolidaySeal: r.PostFormValue("holiday_seal") == "1", RegisteredName: fstr(r, "registered_name"), FuelCardNo: fstr(r, "fuel_card_no")}
	if v := fstr(r, "registered_org_id"); v != "" {
		in.RegisteredOrgID = web.FormInt(r, "registered_org_id", f)
	}
	return in, f
}

func (s *Service) renderVehicleForm(w http.ResponseWriter, r *http.Request, status int, v *Vehicle, in VehicleInput, fields map[string]string) error {
	title := "fleet.vehicle.new|登记车辆"
	crumbs := []web.Crumb{{Label: "fleet.menu.vehicles|车辆台账", Path: "/fleet/vehicles"}}
	if v != nil {
		title = "fleet.vehicle.edit|修改车辆"
		crumbs = append(crumbs, web.Crumb{Label: v.Plate, Path: "/fleet/vehicles/" + itoa(v.ID)})
	}
	crumbs = append(crumbs, web.Crumb{Label: title})
	p := &vehicleFormPage{Globals: s.g(r, title, crumbs...), V: v, Form: in, Errors: fields,
		Categories: Categories.Options(), Fuels: FuelTypes.Options(), Bodies: BodyTypes.Options(), Statuses: VehicleStatuses.Options(), Colors: MarkColors.Options(),
		Domestic: in.Domestic == nil || *in.Domestic, Radius: 50}
	if in.ParkingRadiusM != nil {
		p.Radius = *in.ParkingRadiusM
	}
	return s.UI.Render(w, r, status, "fleet/vehicle_form.html", p)
}

func (s *Service) pagesVehicles() {
	u := s.UI
	u.Page("GET /fleet/vehicles", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		f, err := parseVehicleFilter(r)
		if err != nil {
			return err
		}
		if web.WantsExport(r) {
			f.List.Page, f.List.PageSize = 1, 200000
		}
		p := &vehiclesPage{Globals: s.g(r, "fleet.menu.vehicles|车辆台账", web.Crumb{Label: "fleet.menu.vehicles|车辆台账"}), F: f,
			OrgName: orgLabel(r, s, f.OrgID), Categories: Categories, Statuses: VehicleStatuses}
		var total int64
		if p.Vehicles, total, err = ListVehicles(r.Context(), s.DB, auth.ScopeFrom(r.Context()), f); err != nil {
			return err
		}
		if web.WantsExport(r) {
			var out [][]any
			for _, v := range p.Vehicles {
				out = append(out, []any{v.Plate, v.OrgName, v.CategoryName(), v.FuelName(), v.BodyName(), v.Brand, v.Model, v.VIN, v.DisplacementL, v.PriceYuan,
					yesNo(v.Domestic), v.Seats, v.PurchaseDate, v.OdometerKM, v.StatusName(), v.MarkColorName(), v.MarkCode, v.ParkingSpot, v.TerminalPhone,
					v.InsuranceDue, v.InspectionDue, v.MaintenanceDue})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "公务用车台账", []string{"车牌号", "产权单位", "类别", "能源类型", "车身类型", "品牌", "型号", "车辆识别代号",
				"排气量（L）", "价格（元，不含购置税）", "国产", "座位数", "购置日期", "里程（公里）", "状态", "标识颜色", "标识编码", "定点停放", "终端手机号",
				"保险到期", "年检到期", "保养到期"}, out,
				xlsx.Layout{Unit: s.UI.ExportUnit(r, 0), Sum: []string{"价格（元，不含购置税）"}, Blank: []string{"排气量（L）", "价格（元，不含购置税）"}})
		}
		p.Pager = web.NewPager(f.List, total)
		return u.Render(w, r, http.StatusOK, "fleet/vehicles.html", p)
	})
	u.Page("GET /fleet/vehicles/new", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		t := true
		radius := 50
		return s.renderVehicleForm(w, r, http.StatusOK, nil, VehicleInput{OrgID: defaultOrg(r), Seats: 5, Domestic: &t, ParkingRadiusM: &radius, Status: "in_use"}, nil)
	})
	u.Page("POST /fleet/vehicles", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		in, f := vehicleForm(r)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderVehicleForm(w, r, status, nil, in, fields)
		}, func() (string, string, error) {
			v, err := s.CreateVehicle(r.Context(), auth.ScopeFrom(r.Context()), in)
			return "/fleet/vehicles/" + itoa(v.ID), "已登记车辆 " + v.Plate, formErr(err)
		})
	})
	u.Page("GET /fleet/vehicles/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		v, err := GetVehicle(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		p := &vehiclePage{Globals: s.g(r, v.Plate, web.Crumb{Label: "fleet.menu.vehicles|车辆台账", Path: "/fleet/vehicles"}, web.Crumb{Label: v.Plate}),
			V: v, Tab: r.URL.Query().Get("tab"), Kinds: CostKinds, Today: s.today(), CostForm: CostInput{Date: s.today()}}
		if p.Year, err = s.year(r); err != nil {
			return err
		}
		for y := s.Clock.Now().Year(); y >= s.Clock.Now().Year()-4; y-- {
			p.Years = append(p.Years, y)
		}
		switch p.Tab {
		case "trips":
			if p.Trips, _, err = ListTrips(r.Context(), s.DB, sc, TripFilter{List: web.List{Page: 1, PageSize: 100}, VehicleID: id}); err != nil {
				return err
			}
		case "costs":
			if p.Ledger, err = VehicleLedger(r.Context(), s.DB, sc, id, p.Year); err != nil {
				return err
			}
			if p.Costs, _, err = ListCosts(r.Context(), s.DB, sc, id, p.Year, web.List{Page: 1, PageSize: 500}); err != nil {
				return err
			}
		case "history":
			if p.History, err = s.hist(r, objVehicle, id); err != nil {
				return err
			}
		default:
			p.Tab = "info"
			p.Attachments = s.Attach.PagePanel(r, objVehicle, id)
		}
		return u.Render(w, r, http.StatusOK, "fleet/vehicle.html", p)
	})
	u.Page("GET /fleet/vehicles/{id}/edit", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		v, err := GetVehicle(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		return s.renderVehicleForm(w, r, http.StatusOK, &v, inputOf(v), nil)
	})
	u.Page("POST /fleet/vehicles/{id}", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		v, err := GetVehicle(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		in, f := vehicleForm(r)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderVehicleForm(w, r, status, &v, in, fields)
		}, func() (string, string, error) {
			_, err := s.UpdateVehicle(r.Context(), sc, id, in)
			return "/fleet/vehicles/" + itoa(id), "已保存", formErr(err)
		})
	})
	u.Page("POST /fleet/vehicles/{id}/costs", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		if _, err := GetVehicle(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id); err != nil {
			return err
		}
		f := errs.Fields{}
		in := CostInput{VehicleID: id, Kind: fstr(r, "kind"), AmountYuan: web.FormFloat(r, "amount_yuan", f), Date: fstr(r, "date"),
			OdometerKM: web.FormFloat(r, "odometer_km", f), Note: fstr(r, "note"), Supplier: fstr(r, "supplier"), Quantity: web.FormFloat(r, "quantity", f)}
		back := "/fleet/vehicles/" + itoa(id) + "?tab=costs"
		if err := f.Err(); err != nil {
			return s.done(w, r, err, back, "")
		}
		_, err = s.CreateCost(r.Context(), auth.ScopeFrom(r.Context()), in)
		if e := errs.As(err); e != nil && e.Code == errs.CodeNotFound {
			return err
		}
		if y := in.Date; len(y) == 10 {
			back += "&year=" + y[:4]
		}
		return s.done(w, r, err, back, "已登记费用")
	})
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

func (s *Service) pagesDrivers() {
	u := s.UI
	render := func(w http.ResponseWriter, r *http.Request, status int, in DriverInput, fields map[string]string) error {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		p := &driversPage{Globals: s.g(r, "fleet.menu.drivers|驾驶员", web.Crumb{Label: "fleet.menu.drivers|驾驶员"}), Q: l.Q, Form: in, Errors: fields,
			Classes: LicenseClasses.Options(), Today: s.today()}
		var total int64
		if p.Drivers, total, err = ListDrivers(r.Context(), s.DB, auth.ScopeFrom(r.Context()), DriverFilter{List: l}); err != nil {
			return err
		}
		p.Pager = web.NewPager(l, total)
		return u.Render(w, r, status, "fleet/drivers.html", p)
	}
	u.Page("GET /fleet/drivers", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		return render(w, r, http.StatusOK, DriverInput{LicenseClass: "C1"}, nil)
	})
	u.Page("POST /fleet/drivers", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		f := errs.Fields{}
		in := DriverInput{PersonID: web.FormInt(r, "person_id", f), LicenseClass: fstr(r, "license_class"), LicenseExpiry: fstr(r, "license_expiry"), Phone: fstr(r, "phone")}
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return render(w, r, status, in, fields)
		}, func() (string, string, error) {
			d, err := s.CreateDriver(r.Context(), auth.ScopeFrom(r.Context()), in)
			return "/fleet/drivers", "已登记驾驶员 " + d.Name, formErr(err)
		})
	})
	u.Page("POST /fleet/drivers/{id}/status", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		st := fstr(r, "status")
		_, err = s.UpdateDriver(r.Context(), auth.ScopeFrom(r.Context()), id, DriverPatch{Status: &st})
		if errs.Is(err, errs.CodeNotFound) {
			return err
		}
		return s.done(w, r, err, "/fleet/drivers", "已保存")
	})
}
