package space

import (
	"html/template"
	"net/http"
	"strconv"

	"github.com/govops/govops/internal/platform/attach"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// Pages of properties, buildings and floors.

type buildingsPage struct {
	web.Globals
	Tab        string
	Buildings  []BuildingRecord
	Properties []Property
	Pager      web.Pager
	Q          string
	Year       int
}

type buildingPage struct {
	web.Globals
	B       BuildingRecord
	Tab     string
	Year    int
	Floors  []Floor
	Rooms   []RoomRecord
	Repairs []Repair
	Pager   web.Pager
	History []history.Entry
}

type buildingFormPage struct {
	web.Globals
	B          *BuildingRecord
	Form       BuildingInput
	Errors     map[string]string
	OrgName    string
	Properties []Property
	Structures []web.Option
}

type propertyPage struct {
	web.Globals
	P           Property
	Buildings   []BuildingRecord
	History     []history.Entry
	Attachments *attach.Panel
}

type propertyFormPage struct {
	web.Globals
	P            *Property
	Form         PropertyInput
	Errors       map[string]string
	OrgName      string
	Ownerships   []web.Option
	Acquisitions []web.Option
}

type floorPage struct {
	web.Globals
	B      BuildingRecord
	Floor  Floor
	Floors []Floor
	Plan   template.HTML
	Rooms  []RoomRecord
	Legend []legendItem
}

func (s *Service) buildingCrumbs(b BuildingRecord, more ...web.Crumb) []web.Crumb {
	return append([]web.Crumb{{Label: "space.buildings|房产楼栋", Path: "/space/buildings"}, {Label: b.Name, Path: path("/space/buildings/", b.ID)}}, more...)
}

func (s *Service) pagesRegister() {
	u := s.UI
	u.Page("GET /space/buildings", PermBuildings, func(w http.ResponseWriter, r *http.Request) error {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		p := &buildingsPage{Globals: s.g(r, "space.buildings|房产楼栋", web.Crumb{Label: "space.buildings|房产楼栋"}), Tab: r.URL.Query().Get("tab"), Q: l.Q, Year: s.Clock.Now().Year()}
		if web.WantsExport(r) {
			l.Page, l.PageSize = 1, 200000
		}
		var total int64
		if p.Tab == "properties" {
			if err := needRead(r.Context()); err != nil {
				return err
			}
			if p.Properties, total, err = ListProperties(r.Context(), s.DB, sc, l); err != nil {
				return err
			}
			if web.WantsExport(r) {
				var out [][]any
				for _, x := range p.Properties {
					out = append(out, []any{x.Name, x.OrgName, x.Address, x.PropertyCertNo, x.LandCertNo, x.Holder, x.OwnershipName(), x.AcquisitionName(), x.AcquiredOn,
						x.LandAreaM2, x.Buildings, x.GrossAreaM2, x.AssetCardNo})
				}
				return xlsx.Export(w, r, s.DB, s.Clock.Now(), "房产权属台账", []string{"房产", "管理单位", "坐落", "不动产权证号", "土地使用权证号", "权属登记主体", "权属状态",
					"取得方式", "取得日期", "土地面积（㎡）", "楼栋数", "建筑面积（㎡）", "资产卡片号"}, out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0), Sum: []string{"土地面积（㎡）", "楼栋数", "建筑面积（㎡）"}, Blank: []string{"土地面积（㎡）", "建筑面积（㎡）"}})
			}
		} else {
			p.Tab = "buildings"
			orgID, err := web.QueryInt(r, "org_id")
			if err != nil {
				return err
			}
			if p.Buildings, total, err = ListBuildings(r.Context(), s.DB, sc, BuildingFilter{List: l, OrgID: orgID, Status: r.URL.Query().Get("status")}); err != nil {
				return err
			}
			if web.WantsExport(r) {
				var out [][]any
				for _, x := range p.Buildings {
					out = append(out, []any{x.Name, x.OrgName, x.PropertyName, x.Address, x.BuiltYear, x.Age(p.Year), x.StructureName(), x.Floors, x.BasementFloors,
						x.GrossAreaM2, x.Rooms, x.UsableAreaM2, x.LastMajorRepair, x.StatusName()})
				}
				return xlsx.Export(w, r, s.DB, s.Clock.Now(), "楼栋台账", []string{"楼栋", "管理单位", "房产", "地址", "建成年份", "楼龄", "结构", "地上层数", "地下层数",
					"建筑面积（㎡）", "房间数", "使用面积（㎡）", "最近大修", "状态"}, out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0), Sum: []string{"建筑面积（㎡）", "房间数", "使用面积（㎡）"}, Blank: []string{"建筑面积（㎡）"}})
			}
		}
		p.Pager = web.NewPager(l, total)
		return u.Render(w, r, http.StatusOK, "space/buildings.html", p)
	})
	u.Page("GET /space/buildings/new", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		in := BuildingInput{OrgID: defaultOrg(r)}
		in.PropertyID, _ = strconv.ParseInt(r.URL.Query().Get("property_id"), 10, 64)
		return s.renderBuildingForm(w, r, http.StatusOK, nil, in, nil)
	})
	u.Page("POST /space/buildings", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		in, f := buildingForm(r)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderBuildingForm(w, r, status, nil, in, fields)
		}, func() (string, string, error) {
			b, err := s.CreateBuilding(r.Context(), auth.ScopeFrom(r.Context()), in)
			return path("/space/buildings/", b.ID), "已登记楼栋“" + b.Name + "”", err
		})
	})
	u.Page("GET /space/buildings/{id}", PermBuildings, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		b, err := GetBuilding(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		p := &buildingPage{Globals: s.g(r, b.Name, s.buildingCrumbs(b)...), B: b, Tab: r.URL.Query().Get("tab"), Year: s.Clock.Now().Year()}
		p.Crumbs[len(p.Crumbs)-1].Path = ""
		if p.Tab != "" && p.Tab != "floors" {
			if err := needRead(r.Context()); err != nil {
				return err
			}
		}
		switch p.Tab {
		case "rooms":
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			var total int64
			if p.Rooms, total, err = ListRooms(r.Context(), s.DB, sc, RoomFilter{List: l, BuildingID: id}); err != nil {
				return err
			}
			p.Pager = web.NewPager(l, total)
		case "repairs":
			if p.Repairs, _, err = ListRepairs(r.Context(), s.DB, sc, RepairFilter{List: web.List{Page: 1, PageSize: 100}, BuildingID: id}); err != nil {
				return err
			}
		case "history":
			if p.History, err = s.hist(r, objBuilding, id); err != nil {
				return err
			}
		default:
			p.Tab = "floors"
			if p.Floors, err = ListFloors(r.Context(), s.DB, sc, id); err != nil {
				return err
			}
		}
		return u.Render(w, r, http.StatusOK, "space/building.html", p)
	})
	u.Page("GET /space/buildings/{id}/edit", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		b, err := GetBuilding(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		in := BuildingInput{Name: b.Name, OrgID: b.OrgID, Address: b.Address, BuiltYear: b.BuiltYear, Floors: b.Floors, GrossAreaM2: b.GrossAreaM2,
			PropertyID: b.PropertyID, BasementFloors: b.BasementFloors, Structure: b.Structure, Note: b.Note}
		return s.renderBuildingForm(w, r, http.StatusOK, &b, in, nil)
	})
	u.Page("POST /space/buildings/{id}", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		b, err := GetBuilding(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		in, f := buildingForm(r)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderBuildingForm(w, r, status, &b, in, fields)
		}, func() (string, string, error) {
			_, err := s.UpdateBuilding(r.Context(), sc, id, BuildingPatch{Name: &in.Name, OrgID: &in.OrgID, Address: &in.Address, BuiltYear: &in.BuiltYear, Floors: &in.Floors,
				GrossAreaM2: &in.GrossAreaM2, PropertyID: &in.PropertyID, BasementFloors: &in.BasementFloors, Structure: &in.Structure, Note: &in.Note})
			return path("/space/buildings/", id), "已保存", err
		})
	})
	u.Page("GET /space/buildings/{id}/floors/{floor}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		fl, err := strconv.Atoi(r.PathValue("floor"))
		if err != nil {
			return errs.NotFound("楼层")
		}
		sc := auth.ScopeFrom(r.Context())
		b, err := GetBuilding(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		p := &floorPage{B: b, Legend: legend()}
		if p.Floors, err = ListFloors(r.Context(), s.DB, sc, id); err != nil {
			return err
		}
		found := false
		for _, f := range p.Floors {
			if f.Floor == fl {
				p.Floor, found = f, true
			}
		}
		if !found {
			return errs.NotFound("楼层")
		}
		p.Globals = s.g(r, b.Name+" "+p.Floor.Label(), s.buildingCrumbs(b, web.Crumb{Label: p.Floor.Label()})...)
		if p.Rooms, _, err = ListRooms(r.Context(), s.DB, sc, RoomFilter{List: web.List{Page: 1, PageSize: 500}, BuildingID: id, Floor: fl, HasFloor: true}); err != nil {
			return err
		}
		p.Plan = FloorPlan(p.Rooms)
		return u.Render(w, r, http.StatusOK, "space/floor.html", p)
	})
	u.Page("POST /space/buildings/{id}/floors/{floor}", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		fl, err := strconv.Atoi(r.PathValue("floor"))
		if err != nil {
			return errs.NotFound("楼层")
		}
		err = s.RenameFloor(r.Context(), auth.ScopeFrom(r.Context()), id, fl, fstr(r, "name"))
		return s.done(w, r, err, path("/space/buildings/", id, "/floors/", fl), "已保存楼层名称")
	})

	u.Page("GET /space/properties/new", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		return s.renderPropertyForm(w, r, http.StatusOK, nil, PropertyInput{OrgID: defaultOrg(r), Ownership: "registered"}, nil)
	})
	u.Page("POST /space/properties", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		in, f := propertyForm(r)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderPropertyForm(w, r, status, nil, in, fields)
		}, func() (string, string, error) {
			p, err := s.SaveProperty(r.Context(), auth.ScopeFrom(r.Context()), 0, in)
			return path("/space/properties/", p.ID), "已登记房产“" + p.Name + "”", err
		})
	})
	u.Page("GET /space/properties/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		x, err := GetProperty(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		p := &propertyPage{Globals: s.g(r, x.Name, web.Crumb{Label: "space.buildings|房产楼栋", Path: "/space/buildings?tab=properties"}, web.Crumb{Label: x.Name}), P: x}
		if p.Buildings, _, err = ListBuildings(r.Context(), s.DB, sc, BuildingFilter{List: web.List{Page: 1, PageSize: 200}, PropertyID: id}); err != nil {
			return err
		}
		if p.History, err = s.hist(r, objProperty, id); err != nil {
			return err
		}
		p.Attachments = s.panel(r, objProperty, id)
		return u.Render(w, r, http.StatusOK, "space/property.html", p)
	})
	u.Page("GET /space/properties/{id}/edit", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		x, err := GetProperty(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		in := PropertyInput{OrgID: x.OrgID, Name: x.Name, Address: x.Address, PropertyCertNo: x.PropertyCertNo, LandCertNo: x.LandCertNo, Holder: x.Holder,
			Ownership: x.Ownership, Acquisition: x.Acquisition, AcquiredOn: x.AcquiredOn, LandAreaM2: x.LandAreaM2, AssetCardNo: x.AssetCardNo, Note: x.Note}
		return s.renderPropertyForm(w, r, http.StatusOK, &x, in, nil)
	})
	u.Page("POST /space/properties/{id}", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		x, err := GetProperty(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		in, f := propertyForm(r)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderPropertyForm(w, r, status, &x, in, fields)
		}, func() (string, string, error) {
			_, err := s.SaveProperty(r.Context(), auth.ScopeFrom(r.Context()), id, in)
			return path("/space/properties/", id), "已保存", err
		})
	})
}

func buildingForm(r *http.Request) (BuildingInput, errs.Fields) {
	f := errs.Fields{}
	in := BuildingInput{Name: fstr(r, "name"), Address: fstr(r, "address"), Structure: fstr(r, "structure"), Note: fstr(r, "note")}
	in.OrgID = web.FormInt(r, "org_id", f)
	in.PropertyID = web.FormInt(r, "property_id", f)
	in.BuiltYear = fint(r, "built_year", f)
	in.Floors = fint(r, "floors", f)
	in.BasementFloors = fint(r, "basement_floors", f)
	in.GrossAreaM2 = web.FormFloat(r, "gross_area_m2", f)
	return in, f
}

func (s *Service) renderBuildingForm(w http.ResponseWriter, r *http.Request, status int, b *BuildingRecord, in BuildingInput, fields map[string]string) error {
	title := "space.building.new|登记楼栋"
	crumbs := []web.Crumb{{Label: "space.buildings|房产楼栋", Path: "/space/buildings"}, {Label: title}}
	if b != nil {
		title = "space.building.edit|编辑楼栋"
		crumbs = s.buildingCrumbs(*b, web.Crumb{Label: title})
	}
	p := &buildingFormPage{Globals: s.g(r, title, crumbs...), B: b, Form: in, Errors: fields, OrgName: orgLabel(r, s, in.OrgID), Structures: Structures.Options()}
	var err error
	if p.Properties, _, err = ListProperties(r.Context(), s.DB, auth.ScopeFrom(r.Context()), web.List{Page: 1, PageSize: 200}); err != nil {
		return err
	}
	return s.UI.Render(w, r, status, "space/building_form.html", p)
}

func propertyForm(r *http.Request) (PropertyInput, errs.Fields) {
	f := errs.Fields{}
	in := PropertyInput{Name: fstr(r, "name"), Address: fstr(r, "address"), PropertyCertNo: fstr(r, "property_cert_no"), LandCertNo: fstr(r, "land_cert_no"),
		Holder: fstr(r, "holder"), Ownership: fstr(r, "ownership"), Acquisition: fstr(r, "acquisition"), AcquiredOn: fstr(r, "acquired_on"),
		AssetCardNo: fstr(r, "asset_card_no"), Note: fstr(r, "note")}
	in.OrgID = web.FormInt(r, "org_id", f)
	in.LandAreaM2 = web.FormFloat(r, "land_area_m2", f)
	return in, f
}

func (s *Service) renderPropertyForm(w http.ResponseWriter, r *http.Request, status int, x *Property, in PropertyInput, fields map[string]string) error {
	title := "space.property.new|登记房产"
	crumbs := []web.Crumb{{Label: "space.buildings|房产楼栋", Path: "/space/buildings?tab=properties"}, {Label: title}}
	if x != nil {
		title = "space.property.edit|编辑房产"
		crumbs = []web.Crumb{{Label: "space.buildings|房产楼栋", Path: "/space/buildings?tab=properties"}, {Label: x.Name, Path: path("/space/properties/", x.ID)}, {Label: title}}
	}
	p := &propertyFormPage{Globals: s.g(r, title, crumbs...), P: x, Form: in, Errors: fields, OrgName: orgLabel(r, s, in.OrgID),
		Ownerships: Ownerships.Options(), Acquisitions: Acquisitions.Options()}
	return s.UI.Render(w, r, status, "space/property_form.html", p)
}
