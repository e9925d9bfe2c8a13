package space

import (
	"net/http"
	"strconv"

	"github.com/govops/govops/internal/platform/attach"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// Pages of rooms and occupants, agreements and 兼职 records.

type roomsPage struct {
	web.Globals
	F        RoomFilter
	OrgName  string
	Building string
	Rooms    []RoomRecord
	Pager    web.Pager
	Uses     enum.List
}

type roomPage struct {
	web.Globals
	R          RoomRecord
	Tab        string
	Occupants  []Occupant
	StdSum     float64
	Violations []Violation
	Log        []OccupancyLog
	History    []history.Entry
	Vacates    []Vacate
	Errors     map[string]string
	Since      string
	Pending    *pendingAssign
	Uses       enum.List
}

type roomFormPage struct {
	web.Globals
	R         *RoomRecord
	Form      RoomInput
	Errors    map[string]string
	OrgName   string
	Buildings []BuildingRecord
	Uses      []web.Option
	Subtypes  []web.Option
	Statuses  []web.Option
	Manage    bool
	Suite     string // the number of the office the room belongs to (suite_of)
}

type agreementsPage struct {
	web.Globals
	Tab        string
	Agreements []Agreement
	Posts      []Post
	Pager      web.Pager
	Today      string
}

type agreementPage struct {
	web.Globals
	A           Agreement
	History     []history.Entry
	Attachments *attach.Panel
	Today       string
}

type agreementFormPage struct {
	web.Globals
	A       *Agreement
	Form    AgreementInput
	Errors  map[string]string
	OrgName string
}

type postFormPage struct {
	web.Globals
	P       *Post
	Form    PostInput
	Errors  map[string]string
	OrgName string
	Person  string
}

func (s *Service) pagesRooms() {
	u := s.UI
	u.Page("GET /space/rooms", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		f, err := parseRoomFilter(r)
		if err != nil {
			return err
		}
		if r.URL.Query().Get("subtree") == "" && f.OrgID != 0 {
			f.Subtree = true
		}
		sc := auth.ScopeFrom(r.Context())
		if web.WantsExport(r) {
			f.List.Page, f.List.PageSize = 1, 200000
		}
		rooms, total, err := ListRooms(r.Context(), s.DB, sc, f)
		if err != nil {
			return err
		}
		if web.WantsExport(r) {
			var out [][]any
			for _, x := range rooms {
				out = append(out, []any{x.BuildingName, x.Floor, x.Number, x.UseName(), x.SubtypeName(), UseTypes.Name(x.ApprovedUse), x.UsableAreaM2, x.BuildingAreaM2,
					x.OrgName, x.Capacity, x.OccupantCount, x.OccupantNames, x.StatusName(), x.Violations})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "房间台账", []string{"楼栋", "楼层", "房间号", "用途", "具体用途", "核定用途", "使用面积（㎡）", "建筑面积（㎡）", "使用单位",
				"容纳人数", "使用人数", "使用人", "状态", "现存违规"}, out, roomListLayout(s.exportUnit(r, f.OrgID)))
		}
		p := &roomsPage{Globals: s.g(r, "space.rooms|房间台账", web.Crumb{Label: "space.rooms|房间台账"}), F: f, Rooms: rooms, Pager: web.NewPager(f.List, total),
			Uses: UseTypes, OrgName: orgLabel(r, s, f.OrgID)}
		if f.BuildingID != 0 {
			if b, err := BuildingInfo(r.Context(), s.DB, sc, f.BuildingID); err == nil {
				p.Building = b.Name
			}
		}
		return u.Render(w, r, http.StatusOK, "space/rooms.html", p)
	})
	u.Page("GET /space/rooms/new", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		in := RoomInput{UseType: UseOffice, Floor: 1, OrgID: defaultOrg(r)}
		in.BuildingID, _ = strconv.ParseInt(r.URL.Query().Get("building_id"), 10, 64)
		if fl, err := strconv.Atoi(r.URL.Query().Get("floor")); err == nil {
			in.Floor = fl
		}
		if in.BuildingID != 0 {
			if b, err := BuildingInfo(r.Context(), s.DB, auth.ScopeFrom(r.Context()), in.BuildingID); err == nil {
				in.OrgID = b.OrgID // a room usually belongs to the unit that manages its building
			}
		}
		return s.renderRoomForm(w, r, http.StatusOK, nil, in, nil)
	})
	u.Page("POST /space/rooms", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		in, f := roomForm(r)
		if len(f) > 0 {
			cp := in
			cp.check(f) // every problem of the form at once
			return s.renderRoomForm(w, r, http.StatusUnprocessableEntity, nil, in, f)
		}
		err := s.suiteFromForm(r, &in)
		var room RoomRecord
		if err == nil {
			room, err = s.CreateRoom(r.Context(), auth.ScopeFrom(r.Context()), in)
		}
		if status, fields, ok := web.Refusal(err); ok {
			return s.renderRoomForm(w, r, status, nil, in, fields)
		} else if err != nil {
			return err
		}
		return u.Redirect(w, r, path("/space/rooms/", room.ID), "已登记房间 "+room.Number)
	})
	u.Page("GET /space/rooms/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		return s.renderRoom(w, r, http.StatusOK, nil)
	})
	u.Page("GET /space/rooms/{id}/edit", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		x, err := GetRoom(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		in := RoomInput{BuildingID: x.BuildingID, Floor: x.Floor, Number: x.Number, UseType: x.UseType, Subtype: x.Subtype, UsableAreaM2: x.UsableAreaM2,
			OrgID: x.OrgID, Capacity: x.Capacity, BuildingAreaM2: x.BuildingAreaM2, ApprovedUse: x.ApprovedUse, Status: x.Status, Note: x.Note, SuiteOf: x.SuiteOf}
		return s.renderRoomForm(w, r, http.StatusOK, &x, in, nil)
	})
	u.Page("POST /space/rooms/{id}", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		x, err := GetRoom(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		in, f := roomForm(r)
		in.BuildingID = x.BuildingID
		if !canManage(r.Context()) {
			in.ApprovedUse, in.OrgID, in.Status = x.ApprovedUse, x.OrgID, x.Status
		}
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderRoomForm(w, r, status, &x, in, fields)
		}, func() (string, string, error) {
			if err := s.suiteFromForm(r, &in); err != nil {
				return "", "", err
			}
			_, err := s.UpdateRoom(r.Context(), sc, id, RoomPatch{SuiteOf: &in.SuiteOf, Floor: &in.Floor, Number: &in.Number, UseType: &in.UseType, Subtype: &in.Subtype, UsableAreaM2: &in.UsableAreaM2,
				OrgID: &in.OrgID, Capacity: &in.Capacity, BuildingAreaM2: &in.BuildingAreaM2, ApprovedUse: &in.ApprovedUse, Status: &in.Status, Note: &in.Note,
				Confirm: in.Confirm, Reason: in.Reason})
			return path("/space/rooms/", id), "已保存", err
		})
	})
	u.Page("POST /space/rooms/{id}/approve-use", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		x, err := GetRoom(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		_, err = s.UpdateRoom(r.Context(), sc, id, RoomPatch{ApprovedUse: &x.UseType})
		return s.done(w, r, err, path("/space/rooms/", id), "已批准用途调整为"+x.UseName())
	})
	u.Page("GET /space/rooms/{id}/people-options", PermRegister, s.peopleOptions)
	u.Page("POST /space/rooms/{id}/occupants", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		f := errs.Fields{}
		in := OccupantInput{PersonID: web.FormInt(r, "person_id", f), Since: fstr(r, "since"), Confirm: fstr(r, "confirm") != "",
			Reason: fstr(r, "reason"), Release: fstr(r, "release_others") != ""}
		if in.PersonID == 0 && !f.Has("person_id") {
			f.Add("person_id", "请选择使用人")
		}
		if err := f.Err(); err != nil {
			return s.renderRoom(w, r, http.StatusUnprocessableEntity, f)
		}
		sc := auth.ScopeFrom(r.Context())
		o, err := s.AddOccupant(r.Context(), sc, id, in)
		if e := errs.As(err); e != nil && (e.Fields["confirm"] != "" || in.Confirm && e.Fields["reason"] != "") {
			// Ask again, with the person kept and the warnings spelled out.
			pending, perr := s.pendingFor(r.Context(), sc, id, in)
			if perr != nil {
				return perr
			}
			return s.renderRoomPending(w, r, errs.Status(e.Code), e.Fields, pending)
		}
		if e := errs.As(err); e != nil && e.Code != errs.CodeInternal && len(e.Fields) > 0 {
			return s.renderRoom(w, r, errs.Status(e.Code), e.Fields)
		}
		if err != nil {
			return s.done(w, r, err, path("/space/rooms/", id), "")
		}
		msg := "已安排 " + o.Name + " 使用"
		if in.Release {
			msg += "，并收回其原办公室"
		}
		return u.Redirect(w, r, path("/space/rooms/", id), msg)
	})
	u.Page("POST /space/rooms/{id}/occupants/{person_id}/remove", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		pid, err := web.PathID(r, "person_id")
		if err != nil {
			return err
		}
		err = s.RemoveOccupant(r.Context(), auth.ScopeFrom(r.Context()), id, pid, fstr(r, "reason"))
		return s.done(w, r, err, path("/space/rooms/", id), "已收回")
	})
	s.pagesAgreements()
}

func (s *Service) renderRoom(w http.ResponseWriter, r *http.Request, status int, fields map[string]string) error {
	return s.renderRoomPending(w, r, status, fields, nil)
}

func (s *Service) renderRoomPending(w http.ResponseWriter, r *http.Request, status int, fields map[string]string, pending *pendingAssign) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	sc := auth.ScopeFrom(r.Context())
	x, err := GetRoom(r.Context(), s.DB, sc, id)
	if err != nil {
		return err
	}
	p := &roomPage{R: x, Tab: r.URL.Query().Get("tab"), Errors: fields, Since: s.today(), Pending: pending, Uses: UseTypes}
	crumbs := []web.Crumb{{Label: "space.rooms|房间台账", Path: "/space/rooms"}}
	if _, err := BuildingInfo(r.Context(), s.DB, sc, x.BuildingID); err == nil {
		crumbs = append(crumbs, web.Crumb{Label: x.BuildingName, Path: path("/space/buildings/", x.BuildingID)},
			web.Crumb{Label: x.FloorLabel(), Path: path("/space/buildings/", x.BuildingID, "/floors/", x.Floor)})
	}
	p.Globals = s.g(r, x.BuildingName+" "+x.Number, append(crumbs, web.Crumb{Label: x.Number})...)
	if p.Occupants, err = s.RoomOccupants(r.Context(), s.DB, id); err != nil {
		return err
	}
	for _, o := range p.Occupants {
		p.StdSum += o.StdM2
	}
	if p.Violations, _, err = ListViolations(r.Context(), s.DB, auth.Everything(), ViolationFilter{List: web.List{Page: 1, PageSize: 100}, RoomID: id, Status: "all"}); err != nil {
		return err
	}
	switch p.Tab {
	case "log":
		if p.Log, err = RoomLog(r.Context(), s.DB, id); err != nil {
			return err
		}
	case "history":
		if p.History, err = s.hist(r, objRoom, id); err != nil {
			return err
		}
	default:
		p.Tab = "info"
		all, _, err := s.ListVacates(r.Context(), s.DB, sc, web.List{Page: 1, PageSize: 50}, "pending")
		if err != nil {
			return err
		}
		for _, v := range all {
			if v.RoomID == id {
				p.Vacates = append(p.Vacates, v)
			}
		}
	}
	return s.UI.Render(w, r, status, "space/room.html", p)
}

func roomForm(r *http.Request) (RoomInput, errs.Fields) {
	f := errs.Fields{}
	in := RoomInput{Number: fstr(r, "number"), UseType: fstr(r, "use_type"), Subtype: fstr(r, "subtype"), ApprovedUse: fstr(r, "approved_use"),
		Status: fstr(r, "status"), Note: fstr(r, "note"), Confirm: fstr(r, "confirm") != "", Reason: fstr(r, "reason")}
	in.BuildingID = web.FormInt(r, "building_id", f)
	in.OrgID = web.FormInt(r, "org_id", f)
	in.Floor = fint(r, "floor", f)
	in.Capacity = fint(r, "capacity", f)
	in.UsableAreaM2 = web.FormFloat(r, "usable_area_m2", f)
	in.BuildingAreaM2 = web.FormFloat(r, "building_area_m2", f)
	return in, f
}

// suiteFromForm resolves the form's suite_number (the number of the office in the same building) to suite_of.
func (s *Service) suiteFromForm(r *http.Request, in *RoomInput) error {
	n := fstr(r, "suite_number")
	in.SuiteOf = 0
	if n == "" {
		return nil
	}
	err := s.DB.QueryRow(r.Context(), "SELECT id FROM space_rooms WHERE building_id = ? AND number = ?", in.BuildingID, n).Scan(&in.SuiteOf)
	if db.IsNoRows(err) {
		return errs.Invalid("suite_of", "本楼栋没有房间号为 "+n+" 的房间")
	}
	return err
}

func (s *Service) renderRoomForm(w http.ResponseWriter, r *http.Request, status int, x *RoomRecord, in RoomInput, fields map[string]string) error {
	title := "space.room.new|登记房间"
	crumbs := []web.Crumb{{Label: "space.rooms|房间台账", Path: "/space/rooms"}, {Label: title}}
	if x != nil {
		title = "space.room.edit|编辑房间"
		crumbs = []web.Crumb{{Label: "space.rooms|房间台账", Path: "/space/rooms"}, {Label: x.BuildingName + " " + x.Number, Path: path("/space/rooms/", x.ID)}, {Label: title}}
	}
	p := &roomFormPage{Globals: s.g(r, title, crumbs...), R: x, Form: in, Errors: fields, OrgName: orgLabel(r, s, in.OrgID),
		Uses: UseTypes.Options(), Subtypes: subtypeOptions(), Statuses: RoomStatuses[:3].Options(), Manage: canManage(r.Context()), Suite: fstr(r, "suite_number")}
	if p.Suite == "" && in.SuiteOf != 0 {
		_ = s.DB.QueryRow(r.Context(), "SELECT number FROM space_rooms WHERE id = ?", in.SuiteOf).Scan(&p.Suite)
	}
	var err error
	if p.Buildings, _, err = ListBuildings(r.Context(), s.DB, auth.ScopeFrom(r.Context()), BuildingFilter{List: web.List{Page: 1, PageSize: 500}, Status: "active"}); err != nil {
		return err
	}
	return s.UI.Render(w, r, status, "space/room_form.html", p)
}

func (s *Service) pagesAgreements() {
	u := s.UI
	u.Page("GET /space/agreements", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		if web.WantsExport(r) {
			l.Page, l.PageSize = 1, 200000
		}
		p := &agreementsPage{Globals: s.g(r, "space.agreements|使用协议", web.Crumb{Label: "space.agreements|使用协议"}), Tab: r.URL.Query().Get("tab"), Today: s.today()}
		var total int64
		if p.Tab == "posts" {
			if p.Posts, total, err = ListPosts(r.Context(), s.DB, sc, l, 0); err != nil {
				return err
			}
			if web.WantsExport(r) {
				var out [][]any
				for _, x := range p.Posts {
					out = append(out, []any{x.PersonName, x.OrgName, x.Post, x.ApprovalDoc, x.ApprovedOn, x.EndsOn, x.RoomNumber})
				}
				return xlsx.Export(w, r, s.DB, s.Clock.Now(), "兼职记录", []string{"姓名", "兼职单位", "兼任职务", "审批文件", "批准日期", "免去日期", "兼职单位办公室"}, out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0)})
			}
		} else {
			p.Tab = "agreements"
			if p.Agreements, total, err = ListAgreements(r.Context(), s.DB, sc, l, 0); err != nil {
				return err
			}
			if web.WantsExport(r) {
				var out [][]any
				for _, x := range p.Agreements {
					out = append(out, []any{x.OrgName, x.AgreementNo, x.CertificateNo, x.BuildingName, x.ApprovedAreaM2, x.UsedAreaM2, x.SignedOn, x.ValidUntil, x.Note})
				}
				return xlsx.Export(w, r, s.DB, s.Clock.Now(), "使用协议与分配使用凭证", []string{"使用单位", "协议编号", "凭证编号", "楼栋", "核定面积（㎡）", "在用面积（㎡）", "签订日期", "有效期至", "备注"}, out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0), Sum: []string{"核定面积（㎡）", "在用面积（㎡）"}})
			}
		}
		p.Pager = web.NewPager(l, total)
		return u.Render(w, r, http.StatusOK, "space/agreements.html", p)
	})
	u.Page("GET /space/agreements/new", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		return s.renderAgreementForm(w, r, http.StatusOK, nil, AgreementInput{SignedOn: s.today()}, nil)
	})
	save := func(w http.ResponseWriter, r *http.Request, id int64, cur *Agreement) error {
		f := errs.Fields{}
		in := AgreementInput{AgreementNo: fstr(r, "agreement_no"), CertificateNo: fstr(r, "certificate_no"), SignedOn: fstr(r, "signed_on"), ValidUntil: fstr(r, "valid_until"), Note: fstr(r, "note")}
		in.OrgID = web.FormInt(r, "org_id", f)
		in.BuildingID = web.FormInt(r, "building_id", f)
		in.ApprovedAreaM2 = web.FormFloat(r, "approved_area_m2", f)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderAgreementForm(w, r, status, cur, in, fields)
		}, func() (string, string, error) {
			a, err := s.SaveAgreement(r.Context(), auth.ScopeFrom(r.Context()), id, in)
			return path("/space/agreements/", a.ID), "已保存使用协议 " + a.AgreementNo, err
		})
	}
	u.Page("POST /space/agreements", PermManage, func(w http.ResponseWriter, r *http.Request) error { return save(w, r, 0, nil) })
	u.Page("GET /space/agreements/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		a, err := GetAgreement(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		p := &agreementPage{Globals: s.g(r, a.AgreementNo, web.Crumb{Label: "space.agreements|使用协议", Path: "/space/agreements"}, web.Crumb{Label: a.AgreementNo}), A: a, Today: s.today()}
		if p.History, err = s.hist(r, objAgreement, id); err != nil {
			return err
		}
		p.Attachments = s.panel(r, objAgreement, id)
		return u.Render(w, r, http.StatusOK, "space/agreement.html", p)
	})
	u.Page("GET /space/agreements/{id}/edit", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		a, err := GetAgreement(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		return s.renderAgreementForm(w, r, http.StatusOK, &a, AgreementInput{OrgID: a.OrgID, BuildingID: a.BuildingID, AgreementNo: a.AgreementNo, CertificateNo: a.CertificateNo,
			ApprovedAreaM2: a.ApprovedAreaM2, SignedOn: a.SignedOn, ValidUntil: a.ValidUntil, Note: a.Note}, nil)
	})
	u.Page("POST /space/agreements/{id}", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		a, err := GetAgreement(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		return save(w, r, id, &a)
	})
	u.Page("GET /space/posts/new", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		in := PostInput{ApprovedOn: s.today()}
		in.PersonID, _ = strconv.ParseInt(r.URL.Query().Get("person_id"), 10, 64)
		return s.renderPostForm(w, r, http.StatusOK, nil, in, nil)
	})
	savePost := func(w http.ResponseWriter, r *http.Request, id int64, cur *Post) error {
		f := errs.Fields{}
		in := PostInput{Post: fstr(r, "post"), ApprovalDoc: fstr(r, "approval_doc"), ApprovedOn: fstr(r, "approved_on"), EndsOn: fstr(r, "ends_on")}
		in.PersonID = web.FormInt(r, "person_id", f)
		in.OrgID = web.FormInt(r, "org_id", f)
		in.RoomID = web.FormInt(r, "room_id", f)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderPostForm(w, r, status, cur, in, fields)
		}, func() (string, string, error) {
			_, err := s.SavePost(r.Context(), auth.ScopeFrom(r.Context()), id, in)
			return "/space/agreements?tab=posts", "已保存兼职记录", err
		})
	}
	u.Page("POST /space/posts", PermManage, func(w http.ResponseWriter, r *http.Request) error { return savePost(w, r, 0, nil) })
	u.Page("GET /space/posts/{id}/edit", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		x, err := GetPost(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		return s.renderPostForm(w, r, http.StatusOK, &x, PostInput{PersonID: x.PersonID, OrgID: x.OrgID, Post: x.Post, ApprovalDoc: x.ApprovalDoc, ApprovedOn: x.ApprovedOn,
			EndsOn: x.EndsOn, RoomID: x.RoomID}, nil)
	})
	u.Page("POST /space/posts/{id}", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		x, err := GetPost(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		return savePost(w, r, id, &x)
	})
}

func (s *Service) renderAgreementForm(w http.ResponseWriter, r *http.Request, status int, a *Agreement, in AgreementInput, fields map[string]string) error {
	title := "space.agreement.new|登记使用协议"
	if a != nil {
		title = "space.agreement.edit|编辑使用协议"
	}
	p := &agreementFormPage{Globals: s.g(r, title, web.Crumb{Label: "space.agreements|使用协议", Path: "/space/agreements"}, web.Crumb{Label: title}), A: a, Form: in,
		Errors: fields, OrgName: orgLabel(r, s, in.OrgID)}
	return s.UI.Render(w, r, status, "space/agreement_form.html", p)
}

func (s *Service) renderPostForm(w http.ResponseWriter, r *http.Request, status int, x *Post, in PostInput, fields map[string]string) error {
	title := "space.post.new|登记兼职"
	if x != nil {
		title = "space.post.edit|编辑兼职记录"
	}
	p := &postFormPage{Globals: s.g(r, title, web.Crumb{Label: "space.agreements|使用协议", Path: "/space/agreements?tab=posts"}, web.Crumb{Label: title}), P: x, Form: in,
		Errors: fields, OrgName: orgLabel(r, s, in.OrgID)}
	if x != nil {
		p.Person = x.PersonName
	}
	return s.UI.Render(w, r, status, "space/post_form.html", p)
}
