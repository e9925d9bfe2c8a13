package space

import (
	"net/http"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/web"
)

// The register's API: buildings and rooms (docs/api.md §Office space), occupants, properties, agreements, 兼职 records.

type roomDetail struct {
	RoomRecord
	Occupants  []Occupant  `json:"occupants"`
	Violations []Violation `json:"violations"`
}

// patchOnto decodes a PATCH body onto v, so fields absent from the body keep their values.
func patchOnto(r *http.Request, v any) error { return web.DecodeJSON(r, v) }

func (s *Service) registerAPIRegister() {
	u := s.UI
	sc := func(r *http.Request) auth.Scope { return auth.ScopeFrom(r.Context()) }
	s.apiVoid()

	u.API("GET /api/v1/buildings", PermBuildings, web.Doc{Summary: "楼栋列表（按数据范围）", Response: BuildingRecord{}, List: true,
		Query: []web.Param{{Name: "org_id", Type: "integer", Help: "管理单位"}, {Name: "property_id", Type: "integer"}, {Name: "status", Help: "active|disposed"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			n, err := queryInts(r, "org_id", "property_id")
			if err != nil {
				return err
			}
			items, total, err := ListBuildings(r.Context(), s.DB, sc(r), BuildingFilter{List: l, OrgID: n[0], PropertyID: n[1], Status: r.URL.Query().Get("status")})
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, total))
		})
	module.Create(s.Deps, "POST /api/v1/buildings", PermRegister, web.Doc{Summary: "登记楼栋"}, s.CreateBuilding)
	module.Get(s.Deps, "GET /api/v1/buildings/{id}", PermBuildings, web.Doc{Summary: "楼栋详情（含楼龄所需的建成年份和最近大修）"}, GetBuilding)
	module.Update(s.Deps, "PATCH /api/v1/buildings/{id}", PermRegister, web.Doc{Summary: "修改楼栋"}, s.UpdateBuilding)
	u.API("GET /api/v1/buildings/{id}/floors", PermBuildings, web.Doc{Summary: "楼栋的楼层", Response: Floor{}, List: true}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		if _, err := GetBuilding(r.Context(), s.DB, sc(r), id); err != nil {
			return err
		}
		fl, err := ListFloors(r.Context(), s.DB, sc(r), id)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(fl, int64(len(fl))))
	})
	s.historyAPI("/api/v1/buildings/{id}", objBuilding, "楼栋", func(r *http.Request, id int64) error {
		_, err := GetBuilding(r.Context(), s.DB, sc(r), id)
		return err
	})

	module.List(s.Deps, "GET /api/v1/rooms", PermRead, web.Doc{Summary: "房间列表（按数据范围）", Query: []web.Param{
		{Name: "building_id", Type: "integer"}, {Name: "floor", Type: "integer"}, {Name: "org_id", Type: "integer", Help: "使用单位"},
		{Name: "subtree", Type: "boolean", Help: "含 org_id 的下级单位"}, {Name: "use_type"}, {Name: "status", Help: "省略为未处置的房间"},
		{Name: "vacant", Type: "boolean", Help: "空置办公室"}, {Name: "flagged", Type: "boolean", Help: "有违规的房间"}}}, parseRoomFilter, ListRooms)
	module.Create(s.Deps, "POST /api/v1/rooms", PermRegister, web.Doc{Summary: "登记房间（新房间以登记用途为核定用途）"}, s.CreateRoom)
	u.API("GET /api/v1/rooms/{id}", PermRead, web.Doc{Summary: "房间详情，含使用人及其标准、现存违规", Response: roomDetail{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		room, err := GetRoom(r.Context(), s.DB, sc(r), id)
		if err != nil {
			return err
		}
		d := roomDetail{RoomRecord: room}
		if d.Occupants, err = s.RoomOccupants(r.Context(), s.DB, id); err != nil {
			return err
		}
		if d.Violations, _, err = ListViolations(r.Context(), s.DB, auth.Everything(), ViolationFilter{List: web.List{Page: 1, PageSize: 100}, RoomID: id}); err != nil {
			return err
		}
		if d.Occupants == nil {
			d.Occupants = []Occupant{}
		}
		if d.Violations == nil {
			d.Violations = []Violation{}
		}
		return web.JSON(w, http.StatusOK, d)
	})
	module.Update(s.Deps, "PATCH /api/v1/rooms/{id}", PermRegister, web.Doc{Summary: "修改房间；改变用途不改变核定用途（未经批准即违规）；核定用途、使用单位、出租出借状态须办公用房管理员"}, s.UpdateRoom)
	s.historyAPI("/api/v1/rooms/{id}", objRoom, "房间", func(r *http.Request, id int64) error {
		_, err := GetRoom(r.Context(), s.DB, sc(r), id)
		return err
	})
	u.API("GET /api/v1/rooms/{id}/occupants", PermRead, web.Doc{Summary: "房间的使用人及其适用标准", Response: Occupant{}, List: true}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		if _, err := GetRoom(r.Context(), s.DB, sc(r), id); err != nil {
			return err
		}
		list, err := s.RoomOccupants(r.Context(), s.DB, id)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(list, int64(len(list))))
	})
	u.API("POST /api/v1/rooms/{id}/occupants", PermRegister, web.Doc{Summary: "安排使用人（立即重新判定合规）", Body: OccupantInput{}, Response: Occupant{}, Status: 201},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			var in OccupantInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			o, err := s.AddOccupant(r.Context(), sc(r), id, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusCreated, o)
		})
	u.API("DELETE /api/v1/rooms/{id}/occupants/{person_id}", PermRegister, web.Doc{Summary: "收回使用（腾退），保留使用记录", Status: 204,
		Query: []web.Param{{Name: "reason", Help: "原因"}}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		pid, err := web.PathID(r, "person_id")
		if err != nil {
			return err
		}
		if err := s.RemoveOccupant(r.Context(), sc(r), id, pid, r.URL.Query().Get("reason")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})

	module.List(s.Deps, "GET /api/v1/space/properties", PermRead, web.Doc{Summary: "房产（权属）列表"}, web.ParseList, ListProperties)
	u.API("POST /api/v1/space/properties", PermManage, web.Doc{Summary: "登记房产（不动产权证、土地使用权证、权属状态）", Body: PropertyInput{}, Response: Property{}, Status: 201},
		func(w http.ResponseWriter, r *http.Request) error {
			var in PropertyInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			p, err := s.SaveProperty(r.Context(), sc(r), 0, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusCreated, p)
		})
	module.Get(s.Deps, "GET /api/v1/space/properties/{id}", PermRead, web.Doc{Summary: "房产详情"}, GetProperty)
	u.API("PATCH /api/v1/space/properties/{id}", PermManage, web.Doc{Summary: "修改房产", Body: PropertyInput{}, Response: Property{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		p, err := GetProperty(r.Context(), s.DB, sc(r), id)
		if err != nil {
			return err
		}
		in := PropertyInput{OrgID: p.OrgID, Name: p.Name, Address: p.Address, PropertyCertNo: p.PropertyCertNo, LandCertNo: p.LandCertNo, Holder: p.Holder,
			Ownership: p.Ownership, Acquisition: p.Acquisition, AcquiredOn: p.AcquiredOn, LandAreaM2: p.LandAreaM2, AssetCardNo: p.AssetCardNo, Note: p.Note}
		if err := patchOnto(r, &in); err != nil {
			return err
		}
		out, err := s.SaveProperty(r.Context(), sc(r), id, in)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, out)
	})
	s.historyAPI("/api/v1/space/properties/{id}", objProperty, "房产", func(r *http.Request, id int64) error {
		_, err := GetProperty(r.Context(), s.DB, sc(r), id)
		return err
	})

	u.API("GET /api/v1/space/agreements", PermRead, web.Doc{Summary: "使用协议与分配使用凭证", Response: Agreement{}, List: true,
		Query: []web.Param{{Name: "org_id", Type: "integer", Help: "使用单位"}}}, func(w http.ResponseWriter, r *http.Request) error {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		orgID, err := web.QueryInt(r, "org_id")
		if err != nil {
			return err
		}
		items, total, err := ListAgreements(r.Context(), s.DB, sc(r), l, orgID)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(items, total))
	})
	u.API("POST /api/v1/space/agreements", PermManage, web.Doc{Summary: "登记使用协议及核定面积", Body: AgreementInput{}, Response: Agreement{}, Status: 201},
		func(w http.ResponseWriter, r *http.Request) error {
			var in AgreementInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			a, err := s.SaveAgreement(r.Context(), sc(r), 0, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusCreated, a)
		})
	u.API("PATCH /api/v1/space/agreements/{id}", PermManage, web.Doc{Summary: "修改使用协议（如终止：valid_until）", Body: AgreementInput{}, Response: Agreement{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			a, err := GetAgreement(r.Context(), s.DB, sc(r), id)
			if err != nil {
				return err
			}
			in := AgreementInput{OrgID: a.OrgID, BuildingID: a.BuildingID, AgreementNo: a.AgreementNo, CertificateNo: a.CertificateNo, ApprovedAreaM2: a.ApprovedAreaM2,
				SignedOn: a.SignedOn, ValidUntil: a.ValidUntil, Note: a.Note}
			if err := patchOnto(r, &in); err != nil {
				return err
			}
			out, err := s.SaveAgreement(r.Context(), sc(r), id, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, out)
		})

	u.API("GET /api/v1/space/posts", PermRead, web.Doc{Summary: "兼职记录（兼职单位在数据范围内）", Response: Post{}, List: true,
		Query: []web.Param{{Name: "person_id", Type: "integer"}}}, func(w http.ResponseWriter, r *http.Request) error {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		pid, err := web.QueryInt(r, "person_id")
		if err != nil {
			return err
		}
		items, total, err := ListPosts(r.Context(), s.DB, sc(r), l, pid)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, web.NewItems(items, total))
	})
	u.API("POST /api/v1/space/posts", PermManage, web.Doc{Summary: "登记经批准的兼职（可在兼职单位另安排一处小于标准的办公室）", Body: PostInput{}, Response: Post{}, Status: 201},
		func(w http.ResponseWriter, r *http.Request) error {
			var in PostInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			p, err := s.SavePost(r.Context(), sc(r), 0, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusCreated, p)
		})
	u.API("PATCH /api/v1/space/posts/{id}", PermManage, web.Doc{Summary: "修改兼职记录（如免去兼职：ends_on）", Body: PostInput{}, Response: Post{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			cur, err := GetPost(r.Context(), s.DB, sc(r), id)
			if err != nil {
				return err
			}
			in := PostInput{PersonID: cur.PersonID, OrgID: cur.OrgID, Post: cur.Post, ApprovalDoc: cur.ApprovalDoc, ApprovedOn: cur.ApprovedOn, EndsOn: cur.EndsOn, RoomID: cur.RoomID}
			if err := patchOnto(r, &in); err != nil {
				return err
			}
			out, err := s.SavePost(r.Context(), sc(r), id, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, out)
		})
}
