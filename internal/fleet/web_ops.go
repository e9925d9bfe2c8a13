package fleet

import (
	"net/http"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// Pages of designated suppliers, fuel-card statements and the hire pool.

type suppliersPage struct {
	web.Globals
	F       SupplierFilter
	OrgName string
	Items   []Supplier
	Kinds   []web.Option
	Form    SupplierInput
	Errors  map[string]string
}

type fuelCardsPage struct {
	web.Globals
	Columns []xlsx.Column
	Report  *FuelImportReport
	Err     string
	Errors  map[string]string
}

type vehicleImportPage struct {
	web.Globals
	Columns []xlsx.Column
	Report  *VehicleImportReport
	Err     string
}

type hireListPage struct {
	web.Globals
	Items  []HireContract
	Form   HireContractInput
	Errors map[string]string
}

type hirePage struct {
	web.Globals
	C       HireContract
	Month   string
	S       Settlement
	Fuels   []web.Option
	Classes []web.Option
	History []history.Entry
}

func (s *Service) pagesOps() {
	u := s.UI
	// 定点供应商.
	renderSuppliers := func(w http.ResponseWriter, r *http.Request, status int, in SupplierInput, fields map[string]string) error {
		f, err := parseSupplierFilter(r)
		if err != nil {
			return err
		}
		p := &suppliersPage{Globals: s.g(r, "fleet.menu.suppliers|定点供应商", web.Crumb{Label: "fleet.menu.suppliers|定点供应商"}), F: f,
			OrgName: orgLabel(r, s, f.OrgID), Kinds: SupplierKinds.Options(), Form: in, Errors: fields}
		if p.Items, err = ListSuppliers(r.Context(), s.DB, auth.ScopeFrom(r.Context()), f); err != nil {
			return err
		}
		if web.WantsExport(r) && status == http.StatusOK {
			var out [][]any
			for _, x := range p.Items {
				out = append(out, []any{x.OrgName, x.KindName(), x.Name, x.ContractNo, x.ValidFrom, x.ValidTo, x.Address, x.Phone, x.Note})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "公务用车定点供应商", []string{"单位", "定点类型", "供应商", "合同编号", "定点期限起", "定点期限止", "地址", "联系电话", "备注"},
				out, xlsx.Layout{Unit: s.UI.ExportUnit(r, f.OrgID)})
		}
		return u.Render(w, r, status, "fleet/suppliers.html", p)
	}
	u.Page("GET /fleet/suppliers", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		return renderSuppliers(w, r, http.StatusOK, SupplierInput{OrgID: defaultOrg(r), Kind: "fuel"}, nil)
	})
	u.Page("POST /fleet/suppliers", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		f := errs.Fields{}
		in := SupplierInput{OrgID: web.FormInt(r, "org_id", f), Kind: fstr(r, "kind"), Name: fstr(r, "name"), ContractNo: fstr(r, "contract_no"),
			ValidFrom: fstr(r, "valid_from"), ValidTo: fstr(r, "valid_to"), Address: fstr(r, "address"), Phone: fstr(r, "phone"), Note: fstr(r, "note")}
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return renderSuppliers(w, r, status, in, fields)
		}, func() (string, string, error) {
			x, err := s.CreateSupplier(r.Context(), auth.ScopeFrom(r.Context()), in)
			return "/fleet/suppliers", "已定点 " + x.Name, formErr(err)
		})
	})

	// 加油卡对账单.
	fuelPage := func(r *http.Request) *fuelCardsPage {
		return &fuelCardsPage{Globals: s.g(r, "fleet.menu.fuelcards|加油卡对账单", web.Crumb{Label: "fleet.menu.fuelcards|加油卡对账单"}), Columns: FuelCardColumns}
	}
	u.Page("GET /fleet/fuel-cards", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		return u.Render(w, r, http.StatusOK, "fleet/fuelcards.html", fuelPage(r))
	})
	u.Page("GET /fleet/fuel-cards/template", PermRegister, s.fuelTemplate)
	u.Page("POST /fleet/fuel-cards", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		p := fuelPage(r)
		return s.importUpload(w, r, FuelCardColumns, "fleet/fuelcards.html", p, &p.Err, func(rows []xlsx.Row, dry bool) (bool, error) {
			rep, err := s.ImportFuelCards(r.Context(), auth.ScopeFrom(r.Context()), rows, dry)
			p.Report = &rep
			return rep.OK(), err
		})
	})

	// 车辆台账导入.
	vPage := func(r *http.Request) *vehicleImportPage {
		return &vehicleImportPage{Globals: s.g(r, "fleet.vimport.title|导入车辆台账", web.Crumb{Label: "fleet.menu.vehicles|车辆台账", Path: "/fleet/vehicles"},
			web.Crumb{Label: "fleet.vimport.title|导入车辆台账"}), Columns: VehicleColumns}
	}
	u.Page("GET /fleet/vehicles/import", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		return u.Render(w, r, http.StatusOK, "fleet/vehicles_import.html", vPage(r))
	})
	u.Page("GET /fleet/vehicles/import/template", PermRegister, s.vehicleTemplate)
	u.Page("POST /fleet/vehicles/import", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		p := vPage(r)
		return s.importUpload(w, r, VehicleColumns, "fleet/vehicles_import.html", p, &p.Err, func(rows []xlsx.Row, dry bool) (bool, error) {
			rep, err := s.ImportVehicles(r.Context(), auth.ScopeFrom(r.Context()), rows, dry)
			p.Report = &rep
			return rep.OK(), err
		})
	})

	// 社会化保障.
	renderHire := func(w http.ResponseWriter, r *http.Request, status int, in HireContractInput, fields map[string]string) error {
		p := &hireListPage{Globals: s.g(r, "fleet.menu.hire|社会化保障", web.Crumb{Label: "fleet.menu.hire|社会化保障"}), Form: in, Errors: fields}
		var err error
		if p.Items, err = ListHireContracts(r.Context(), s.DB, auth.ScopeFrom(r.Context())); err != nil {
			return err
		}
		return u.Render(w, r, status, "fleet/hire_list.html", p)
	}
	u.Page("GET /fleet/hire", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		return renderHire(w, r, http.StatusOK, HireContractInput{OrgID: defaultOrg(r)}, nil)
	})
	u.Page("POST /fleet/hire", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		f := errs.Fields{}
		in := HireContractInput{OrgID: web.FormInt(r, "org_id", f), Company: fstr(r, "company"), ContractNo: fstr(r, "contract_no"), ValidFrom: fstr(r, "valid_from"),
			ValidTo: fstr(r, "valid_to"), PriceKMYuan: web.FormFloat(r, "price_km_yuan", f), PriceHourYuan: web.FormFloat(r, "price_hour_yuan", f),
			PriceDayYuan: web.FormFloat(r, "price_day_yuan", f), Phone: fstr(r, "phone"), Note: fstr(r, "note")}
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return renderHire(w, r, status, in, fields)
		}, func() (string, string, error) {
			c, err := s.CreateHireContract(r.Context(), auth.ScopeFrom(r.Context()), in)
			return "/fleet/hire/" + itoa(c.ID), "已登记合同 " + c.ContractNo, formErr(err)
		})
	})
	u.Page("GET /fleet/hire/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		c, err := GetHireContract(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		p := &hirePage{Globals: s.g(r, c.Company, web.Crumb{Label: "fleet.menu.hire|社会化保障", Path: "/fleet/hire"}, web.Crumb{Label: c.Company}), C: c,
			Month: s.month(r), Fuels: FuelTypes.Options(), Classes: LicenseClasses.Options()}
		if p.S, err = HireSettlement(r.Context(), s.DB, sc, id, p.Month); err != nil {
			return err
		}
		if web.WantsExport(r) {
			var out [][]any
			for _, l := range p.S.Lines {
				out = append(out, []any{l.Date, l.Plate, l.Driver, l.OrgName, l.Requester, l.Destination, l.DistanceKM, l.Hours, l.Days, l.KMYuan, l.TimeYuan, l.AmountYuan})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "社会化保障月度结算单-"+c.Company+"-"+p.Month+"（GovOps 版式）",
				[]string{"日期", "车牌号", "驾驶员", "用车单位", "用车人", "目的地", "里程（公里）", "时长（小时）", "天数", "里程费（元）", "时长费（元）", "金额（元）"}, out,
				xlsx.Layout{Unit: c.OrgName + " · 合同 " + c.ContractNo, Sum: []string{"里程（公里）", "时长（小时）", "天数", "里程费（元）", "时长费（元）", "金额（元）"}})
		}
		if p.History, err = s.hist(r, objHire, id); err != nil {
			return err
		}
		return u.Render(w, r, http.StatusOK, "fleet/hire.html", p)
	})
	hireAction := func(path string, run func(r *http.Request, sc auth.Scope, id int64, f errs.Fields) (string, error)) {
		u.Page("POST /fleet/hire/{id}/"+path, PermManage, func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			sc := auth.ScopeFrom(r.Context())
			if _, err := GetHireContract(r.Context(), s.DB, sc, id); err != nil {
				return err
			}
			f := errs.Fields{}
			ok, err := run(r, sc, id, f)
			if err == nil && len(f) > 0 {
				err = f.Err()
			}
			return s.done(w, r, err, "/fleet/hire/"+itoa(id), ok)
		})
	}
	hireAction("vehicles", func(r *http.Request, sc auth.Scope, id int64, f errs.Fields) (string, error) {
		in := HireVehicleInput{Plate: fstr(r, "plate"), Model: fstr(r, "model"), FuelType: fstr(r, "fuel_type"), Seats: int(web.FormInt(r, "seats", f))}
		if len(f) > 0 {
			return "", nil
		}
		v, err := s.AddHireVehicle(r.Context(), sc, id, in)
		return "已登记车辆 " + v.Plate, err
	})
	hireAction("drivers", func(r *http.Request, sc auth.Scope, id int64, f errs.Fields) (string, error) {
		d, err := s.AddHireDriver(r.Context(), sc, id, HireDriverInput{Name: fstr(r, "name"), Phone: fstr(r, "phone"), LicenseClass: fstr(r, "license_class")})
		return "已登记驾驶员 " + d.Name, err
	})
}

// importUpload runs an import page's upload: an unreadable file is shown on the page (*msg), otherwise run checks
// (and, unless the trial-run button was used, writes) the rows and the page shows its report (422 when a row is wrong).
func (s *Service) importUpload(w http.ResponseWriter, r *http.Request, cols []xlsx.Column, tmpl string, page any, msg *string,
	run func(rows []xlsx.Row, dry bool) (bool, error)) error {
	rows, err := xlsx.ReadUpload(r, cols)
	if err != nil {
		e := errs.As(err)
		if e == nil || e.Code == errs.CodeInternal {
			return err
		}
		*msg = e.Message
		return s.UI.Render(w, r, errs.Status(e.Code), tmpl, page)
	}
	ok, err := run(rows, r.FormValue("dry_run") != "")
	if err != nil {
		return err
	}
	status := http.StatusOK
	if !ok {
		status = http.StatusUnprocessableEntity
	}
	return s.UI.Render(w, r, status, tmpl, page)
}
