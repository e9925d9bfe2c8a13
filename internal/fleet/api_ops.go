package fleet

import (
	"context"
	"net/http"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// The JSON API of designated suppliers, fuel-card statements and the hire pool (docs/api.md §Official vehicles).

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func parseSupplierFilter(r *http.Request) (SupplierFilter, error) {
	orgID, err := web.QueryInt(r, "org_id")
	qv := r.URL.Query()
	return SupplierFilter{OrgID: orgID, Kind: strings.TrimSpace(qv.Get("kind")), Q: strings.TrimSpace(qv.Get("q"))}, err
}

func (s *Service) registerOpsAPI() {
	d, u := s.Deps, s.UI
	scope := func(r *http.Request) auth.Scope { return auth.ScopeFrom(r.Context()) }

	// Designated suppliers.
	u.API("GET /api/v1/fleet/suppliers", PermRead, web.Doc{Summary: "定点供应商（定点保险、定点维修、定点加油（充电）），按单位；定点对下级单位同样适用", Response: Supplier{}, List: true,
		Query: []web.Param{{Name: "org_id", Type: "integer", Help: "单位（含下级）"}, {Name: "kind", Help: SupplierKinds.Described()}, {Name: "q", Help: "供应商或单位名称"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			f, err := parseSupplierFilter(r)
			if err != nil {
				return err
			}
			items, err := ListSuppliers(r.Context(), s.DB, scope(r), f)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
		})
	module.Create(d, "POST /api/v1/fleet/suppliers", PermManage, web.Doc{Summary: "定点供应商（同一单位、类型、名称重复 → 409）"}, s.CreateSupplier)
	module.Get(d, "GET /api/v1/fleet/suppliers/{id}", PermRead, web.Doc{Summary: "定点供应商"}, GetSupplier)
	u.API("PATCH /api/v1/fleet/suppliers/{id}", PermManage, web.Doc{Summary: "修改定点供应商（只改给出的字段；结束定点填 valid_to）", Body: SupplierInput{}, Response: Supplier{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			x, err := GetSupplier(r.Context(), s.DB, scope(r), id)
			if err != nil {
				return err
			}
			in := inputOfSupplier(x)
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			out, err := s.UpdateSupplier(r.Context(), scope(r), id, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, out)
		})
	s.historyAPI("/api/v1/fleet/suppliers/{id}", objSupplier, "定点供应商", func(r *http.Request, id int64) error {
		_, err := GetSupplier(r.Context(), s.DB, scope(r), id)
		return err
	})

	// Fuel-card statements.
	u.API("GET /api/v1/fleet/fuel-cards/template", PermRegister, web.Doc{Summary: "加油卡对账单导入模板", Binary: xlsxType}, s.fuelTemplate)
	u.API("POST /api/v1/fleet/fuel-cards/import", PermRegister, web.Doc{Summary: "导入加油卡对账单（multipart 字段 file；dry_run=true 只校验并列出将新增的费用；有错误行时整体不写入并返回 422；已导入的交易跳过）",
		Response: FuelImportReport{}, Query: []web.Param{{Name: "dry_run", Type: "boolean"}}}, func(w http.ResponseWriter, r *http.Request) error {
		rows, err := xlsx.ReadUpload(r, FuelCardColumns)
		if err != nil {
			return err
		}
		rep, err := s.ImportFuelCards(r.Context(), scope(r), rows, dryRun(r))
		if err != nil {
			return err
		}
		return importAnswer(w, rep, rep.OK(), "对账单有错误行，未写入任何数据")
	})

	// The vehicle ledger import.
	u.API("GET /api/v1/vehicles/import/template", PermRegister, web.Doc{Summary: "车辆台账导入模板", Binary: xlsxType}, s.vehicleTemplate)
	u.API("POST /api/v1/vehicles/import", PermRegister, web.Doc{Summary: "Excel 导入车辆台账（multipart 字段 file；dry_run=true 只校验并列出将新登记、更新的车辆；有错误行时整体不写入并返回 422）",
		Response: VehicleImportReport{}, Query: []web.Param{{Name: "dry_run", Type: "boolean"}}}, func(w http.ResponseWriter, r *http.Request) error {
		rows, err := xlsx.ReadUpload(r, VehicleColumns)
		if err != nil {
			return err
		}
		rep, err := s.ImportVehicles(r.Context(), scope(r), rows, dryRun(r))
		if err != nil {
			return err
		}
		return importAnswer(w, rep, rep.OK(), "导入文件有错误行，未写入任何数据")
	})

	// 社会化保障.
	u.API("GET /api/v1/fleet/hire-contracts", PermRead, web.Doc{Summary: "社会化保障合同（汽车租赁公司）", Response: HireContract{}, List: true},
		func(w http.ResponseWriter, r *http.Request) error {
			items, err := ListHireContracts(r.Context(), s.DB, scope(r))
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
		})
	module.Create(d, "POST /api/v1/fleet/hire-contracts", PermManage, web.Doc{Summary: "登记社会化保障合同（公司、合同编号、期限、每公里/每小时/每天价格；合同编号重复 → 409）"}, s.CreateHireContract)
	module.Get(d, "GET /api/v1/fleet/hire-contracts/{id}", PermRead, web.Doc{Summary: "社会化保障合同及其车辆、驾驶员"}, GetHireContract)
	module.Action(d, "POST /api/v1/fleet/hire-contracts/{id}/vehicles", PermManage, web.Doc{Summary: "登记合同车辆"},
		func(ctx context.Context, sc auth.Scope, id int64, in HireVehicleInput) (HireVehicle, error) {
			return s.AddHireVehicle(ctx, sc, id, in)
		})
	module.Action(d, "POST /api/v1/fleet/hire-contracts/{id}/drivers", PermManage, web.Doc{Summary: "登记合同驾驶员"},
		func(ctx context.Context, sc auth.Scope, id int64, in HireDriverInput) (HireDriver, error) {
			return s.AddHireDriver(ctx, sc, id, in)
		})
	u.API("GET /api/v1/fleet/hire-contracts/{id}/settlement", PermRead, web.Doc{Summary: "社会化保障月度结算：当月开始的已完成用车，按合同价格计费（里程 × 每公里价格 + 时长费，时长费取按小时与按天中较低者）",
		Response: Settlement{}, Query: []web.Param{{Name: "month", Help: "YYYY-MM，默认本月"}}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		st, err := HireSettlement(r.Context(), s.DB, scope(r), id, s.month(r))
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, st)
	})
	s.historyAPI("/api/v1/fleet/hire-contracts/{id}", objHire, "社会化保障合同", func(r *http.Request, id int64) error {
		_, err := GetHireContract(r.Context(), s.DB, scope(r), id)
		return err
	})
}

// month is the month a request asks for (month=YYYY-MM), this month by default.
func (s *Service) month(r *http.Request) string {
	if m := strings.TrimSpace(r.URL.Query().Get("month")); m != "" {
		return m
	}
	return s.today()[:7]
}

func (s *Service) fuelTemplate(w http.ResponseWriter, r *http.Request) error {
	b, err := xlsx.Template(FuelCardColumns, "加油卡对账单")
	if err != nil {
		return err
	}
	xlsx.Send(w, "加油卡对账单导入模板", b)
	return nil
}

func (s *Service) vehicleTemplate(w http.ResponseWriter, r *http.Request) error {
	b, err := xlsx.Template(VehicleColumns, "公务用车台账")
	if err != nil {
		return err
	}
	xlsx.Send(w, "公务用车台账导入模板", b)
	return nil
}

func dryRun(r *http.Request) bool {
	v := r.URL.Query().Get("dry_run")
	return v == "true" || v == "1"
}

// importAnswer answers an import: the report, or a 422 carrying it when a row is wrong (nothing was written).
func importAnswer(w http.ResponseWriter, rep any, ok bool, msg string) error {
	if ok {
		return web.JSON(w, http.StatusOK, rep)
	}
	return web.JSON(w, http.StatusUnprocessableEntity, struct {
		Error  map[string]string `json:"error"`
		Report any               `json:"report"`
	}{map[string]string{"code": string(errs.CodeValidation), "message": msg}, rep})
}
