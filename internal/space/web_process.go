package space

import (
	"net/http"
	"strconv"

	"github.com/govops/govops/internal/platform/attach"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/workflow"
	"github.com/govops/govops/internal/platform/xlsx"
)

// Pages of reallocation and vacating, repairs and disposal.

type allocationsPage struct {
	web.Globals
	Tab         string
	Allocations []Allocation
	Vacates     []Vacate
	Pager       web.Pager
}

type allocationPage struct {
	web.Globals
	A        Allocation
	Workflow *workflow.Instance
	History  []history.Entry
	Vacant   []RoomRecord
	Mine     bool
}

type allocationFormPage struct {
	web.Globals
	Form    AllocationInput
	Errors  map[string]string
	OrgName string
}

type vacateFormPage struct {
	web.Globals
	Form    VacateInput
	Errors  map[string]string
	Room    RoomRecord
	People  []Occupant
	Reasons []web.Option
}

type repairsPage struct {
	web.Globals
	Tab       string
	Repairs   []Repair
	Disposals []Disposal
	Pager     web.Pager
	F         RepairFilter
	Kinds     enum.List
	Statuses  enum.List
}

type repairPage struct {
	web.Globals
	X           Repair
	History     []history.Entry
	Attachments *attach.Panel
	Errors      map[string]string
	Today       string
}

type repairFormPage struct {
	web.Globals
	Form      RepairInput
	Errors    map[string]string
	Buildings []BuildingRecord
	Kinds     []web.Option
	Room      string
}

type disposalFormPage struct {
	web.Globals
	Form      DisposalInput
	Errors    map[string]string
	Buildings []BuildingRecord
	Methods   []web.Option
}

func (s *Service) pagesProcess() {
	u := s.UI
	u.Page("GET /space/allocations", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		if web.WantsExport(r) {
			l.Page, l.PageSize = 1, 200000
		}
		p := &allocationsPage{Globals: s.g(r, "space.allocations|调剂腾退", web.Crumb{Label: "space.allocations|调剂腾退"}), Tab: r.URL.Query().Get("tab")}
		var total int64
		if p.Tab == "vacates" {
			if p.Vacates, total, err = s.ListVacates(r.Context(), s.DB, sc, l, r.URL.Query().Get("status")); err != nil {
				return err
			}
			if web.WantsExport(r) {
				var out [][]any
				for _, v := range p.Vacates {
					out = append(out, []any{v.OrgName, v.Building, v.RoomNumber, v.PersonName, v.ReasonName(), v.DueOn, v.StatusName(), v.DoneOn, v.Note})
				}
				return xlsx.Export(w, r, s.DB, s.Clock.Now(), "腾退通知", []string{"单位", "楼栋", "房间", "人员", "原因", "期限", "状态", "完成日期", "备注"}, out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0)})
			}
		} else {
			p.Tab = "requests"
			if p.Allocations, total, err = ListAllocations(r.Context(), s.DB, sc, l, r.URL.Query().Get("status")); err != nil {
				return err
			}
			if web.WantsExport(r) {
				var out [][]any
				for _, a := range p.Allocations {
					out = append(out, []any{a.ID, a.OrgName, a.Title, a.AreaM2, a.Headcount, a.Requester, a.StatusName(), a.Rooms, web.FormatTime(a.CreatedAt.Unix())})
				}
				return xlsx.Export(w, r, s.DB, s.Clock.Now(), "办公用房调剂申请", []string{"编号", "申请单位", "事项", "申请面积（㎡）", "人数", "申请人", "状态", "调剂房间", "提交时间"}, out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0), Sum: []string{"申请面积（㎡）", "人数"}})
			}
		}
		p.Pager = web.NewPager(l, total)
		return u.Render(w, r, http.StatusOK, "space/allocations.html", p)
	})
	u.Page("GET /space/allocations/new", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		return s.renderAllocationForm(w, r, http.StatusOK, AllocationInput{OrgID: defaultOrg(r)}, nil)
	})
	u.Page("POST /space/allocations", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		f := errs.Fields{}
		in := AllocationInput{Title: fstr(r, "title"), Reason: fstr(r, "reason")}
		in.OrgID = web.FormInt(r, "org_id", f)
		in.AreaM2 = web.FormFloat(r, "area_m2", f)
		in.Headcount = fint(r, "headcount", f)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderAllocationForm(w, r, status, in, fields)
		}, func() (string, string, error) {
			a, err := s.CreateAllocation(r.Context(), auth.ScopeFrom(r.Context()), in)
			return path("/space/allocations/", a.ID), "已提交调剂申请，等待审批", err
		})
	})
	u.Page("GET /space/allocations/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		a, err := GetAllocation(r.Context(), s.DB, sc, id)
		if err != nil {
			return err
		}
		p := &allocationPage{Globals: s.g(r, a.Title, web.Crumb{Label: "space.allocations|调剂腾退", Path: "/space/allocations"}, web.Crumb{Label: a.Title}), A: a}
		if usr := auth.UserFrom(r.Context()); usr != nil {
			p.Mine = usr.ID == a.RequesterID
		}
		if inst, err := s.Workflow.ForObject(r.Context(), s.DB, wfAllocation, id); err == nil {
			p.Workflow = &inst
		}
		if p.History, err = s.hist(r, objAllocation, id); err != nil {
			return err
		}
		if a.Status == "approved" && canManage(r.Context()) {
			if p.Vacant, _, err = ListRooms(r.Context(), s.DB, sc, RoomFilter{List: web.List{Page: 1, PageSize: 200}, Vacant: true}); err != nil {
				return err
			}
		}
		return u.Render(w, r, http.StatusOK, "space/allocation.html", p)
	})
	u.Page("POST /space/allocations/{id}/withdraw", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		_, err = s.WithdrawAllocation(r.Context(), auth.ScopeFrom(r.Context()), id, fstr(r, "comment"))
		return s.done(w, r, err, path("/space/allocations/", id), "已撤回")
	})
	u.Page("POST /space/allocations/{id}/complete", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return errs.BadRequest("表单无法读取")
		}
		in := CompleteInput{Note: fstr(r, "note")}
		for _, v := range r.PostForm["room_ids"] {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return s.done(w, r, errs.Invalid("room_ids", "房间无效"), path("/space/allocations/", id), "")
			}
			in.RoomIDs = append(in.RoomIDs, n)
		}
		_, err = s.CompleteAllocation(r.Context(), auth.ScopeFrom(r.Context()), id, in)
		return s.done(w, r, err, path("/space/allocations/", id), "已办理调剂")
	})
	u.Page("GET /space/vacates/new", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		in := VacateInput{Reason: "retired", DueOn: AddMonths(s.today(), 1)}
		in.RoomID, _ = strconv.ParseInt(r.URL.Query().Get("room_id"), 10, 64)
		in.PersonID, _ = strconv.ParseInt(r.URL.Query().Get("person_id"), 10, 64)
		return s.renderVacateForm(w, r, http.StatusOK, in, nil)
	})
	u.Page("POST /space/vacates", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		f := errs.Fields{}
		in := VacateInput{Reason: fstr(r, "reason"), DueOn: fstr(r, "due_on"), Note: fstr(r, "note")}
		in.RoomID = web.FormInt(r, "room_id", f)
		in.PersonID = web.FormInt(r, "person_id", f)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderVacateForm(w, r, status, in, fields)
		}, func() (string, string, error) {
			_, err := s.CreateVacate(r.Context(), auth.ScopeFrom(r.Context()), in)
			return path("/space/rooms/", in.RoomID), "已下达腾退通知", err
		})
	})
	for _, a := range []struct{ verb, perm, ok string }{{"complete", PermRegister, "已完成腾退"}, {"cancel", PermManage, "已撤销腾退通知"}} {
		a := a
		u.Page("POST /space/vacates/{id}/"+a.verb, a.perm, func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			_, err = s.ActVacate(r.Context(), auth.ScopeFrom(r.Context()), id, a.verb)
			return s.done(w, r, err, "/space/allocations?tab=vacates", a.ok)
		})
	}
	s.pagesRepairs()
}

func (s *Service) renderAllocationForm(w http.ResponseWriter, r *http.Request, status int, in AllocationInput, fields map[string]string) error {
	p := &allocationFormPage{Globals: s.g(r, "space.allocation.new|申请调剂", web.Crumb{Label: "space.allocations|调剂腾退", Path: "/space/allocations"},
		web.Crumb{Label: "space.allocation.new|申请调剂"}), Form: in, Errors: fields, OrgName: orgLabel(r, s, in.OrgID)}
	return s.UI.Render(w, r, status, "space/allocation_form.html", p)
}

func (s *Service) renderVacateForm(w http.ResponseWriter, r *http.Request, status int, in VacateInput, fields map[string]string) error {
	room, err := GetRoom(r.Context(), s.DB, auth.ScopeFrom(r.Context()), in.RoomID)
	if err != nil {
		return err
	}
	p := &vacateFormPage{Globals: s.g(r, "space.vacate.new|下达腾退通知", web.Crumb{Label: "space.rooms|房间台账", Path: "/space/rooms"},
		web.Crumb{Label: room.BuildingName + " " + room.Number, Path: path("/space/rooms/", room.ID)}, web.Crumb{Label: "space.vacate.new|下达腾退通知"}),
		Form: in, Errors: fields, Room: room, Reasons: VacateReasons.Options()}
	if p.People, err = s.RoomOccupants(r.Context(), s.DB, room.ID); err != nil {
		return err
	}
	return s.UI.Render(w, r, status, "space/vacate_form.html", p)
}

func (s *Service) pagesRepairs() {
	u := s.UI
	u.Page("GET /space/repairs", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		l, err := web.ParseList(r)
		if err != nil {
			return err
		}
		sc := auth.ScopeFrom(r.Context())
		if web.WantsExport(r) {
			l.Page, l.PageSize = 1, 200000
		}
		p := &repairsPage{Globals: s.g(r, "space.repairs|维修处置", web.Crumb{Label: "space.repairs|维修处置"}), Tab: r.URL.Query().Get("tab"), Kinds: RepairKinds, Statuses: RepairStatuses}
		var total int64
		if p.Tab == "disposals" {
			if p.Disposals, total, err = ListDisposals(r.Context(), s.DB, sc, l); err != nil {
				return err
			}
			if web.WantsExport(r) {
				var out [][]any
				for _, d := range p.Disposals {
					out = append(out, []any{d.BuildingName, d.RoomNumber, d.OrgName, d.MethodName(), d.Reason, d.ApprovalDoc, d.DisposedOn, d.ProceedsYuan})
				}
				return xlsx.Export(w, r, s.DB, s.Clock.Now(), "办公用房处置记录", []string{"楼栋", "房间", "单位", "处置方式", "理由", "批准文件", "处置日期", "处置收入（元）"}, out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0), Sum: []string{"处置收入（元）"}, Blank: []string{"处置收入（元）"}})
			}
		} else {
			p.Tab = "repairs"
			b, err := web.QueryInt(r, "building_id")
			if err != nil {
				return err
			}
			p.F = RepairFilter{List: l, BuildingID: b, Kind: r.URL.Query().Get("kind"), Status: r.URL.Query().Get("status")}
			if p.Repairs, total, err = ListRepairs(r.Context(), s.DB, sc, p.F); err != nil {
				return err
			}
			if web.WantsExport(r) {
				var out [][]any
				for _, x := range p.Repairs {
					out = append(out, []any{x.ID, x.BuildingName, x.RoomNumber, x.OrgName, x.KindName(), x.Title, x.BudgetYuan, x.ApprovedYuan, x.Contractor, x.StartedOn, x.AcceptedOn, x.CostYuan, x.StatusName()})
				}
				return xlsx.Export(w, r, s.DB, s.Clock.Now(), "办公用房维修项目", []string{"编号", "楼栋", "房间", "单位", "类别", "项目", "预算（元）", "批准（元）", "施工单位", "开工", "验收", "实际费用（元）", "状态"}, out, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0), Sum: []string{"预算（元）", "批准（元）", "实际费用（元）"}, Blank: []string{"批准（元）", "实际费用（元）"}})
			}
		}
		p.Pager = web.NewPager(l, total)
		return u.Render(w, r, http.StatusOK, "space/repairs.html", p)
	})
	u.Page("GET /space/repairs/new", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		in := RepairInput{Kind: "routine"}
		in.BuildingID, _ = strconv.ParseInt(r.URL.Query().Get("building_id"), 10, 64)
		in.RoomID, _ = strconv.ParseInt(r.URL.Query().Get("room_id"), 10, 64)
		return s.renderRepairForm(w, r, http.StatusOK, in, nil)
	})
	u.Page("POST /space/repairs", PermRegister, func(w http.ResponseWriter, r *http.Request) error {
		f := errs.Fields{}
		in := RepairInput{Kind: fstr(r, "kind"), Title: fstr(r, "title"), Reason: fstr(r, "reason")}
		in.BuildingID = web.FormInt(r, "building_id", f)
		in.RoomID = web.FormInt(r, "room_id", f)
		in.BudgetYuan = web.FormFloat(r, "budget_yuan", f)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderRepairForm(w, r, status, in, fields)
		}, func() (string, string, error) {
			x, err := s.CreateRepair(r.Context(), auth.ScopeFrom(r.Context()), in)
			return path("/space/repairs/", x.ID), "已提交维修申请", err
		})
	})
	u.Page("GET /space/repairs/{id}", PermRead, func(w http.ResponseWriter, r *http.Request) error {
		return s.renderRepair(w, r, http.StatusOK, nil)
	})
	for _, a := range []struct{ verb, perm, ok string }{{"approve", PermManage, "已批准"}, {"reject", PermManage, "已驳回"}, {"start", PermManage, "已开工"},
		{"accept", PermManage, "已验收"}, {"cancel", PermRegister, "已撤销"}} {
		a := a
		u.Page("POST /space/repairs/{id}/"+a.verb, a.perm, func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			f := errs.Fields{}
			in := RepairAction{Contractor: fstr(r, "contractor"), StartedOn: fstr(r, "started_on"), AcceptedOn: fstr(r, "accepted_on"), Note: fstr(r, "note")}
			in.ApprovedYuan = web.FormFloat(r, "approved_yuan", f)
			in.CostYuan = web.FormFloat(r, "cost_yuan", f)
			if err := f.Err(); err != nil {
				return s.renderRepair(w, r, http.StatusUnprocessableEntity, f)
			}
			_, err = s.ActRepair(r.Context(), auth.ScopeFrom(r.Context()), id, a.verb, in)
			if e := errs.As(err); e != nil && e.Code == errs.CodeValidation {
				return s.renderRepair(w, r, http.StatusUnprocessableEntity, e.Fields)
			}
			return s.done(w, r, err, path("/space/repairs/", id), a.ok)
		})
	}
	u.Page("GET /space/disposals/new", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		in := DisposalInput{Method: "transfer", DisposedOn: s.today()}
		in.BuildingID, _ = strconv.ParseInt(r.URL.Query().Get("building_id"), 10, 64)
		in.RoomID, _ = strconv.ParseInt(r.URL.Query().Get("room_id"), 10, 64)
		return s.renderDisposalForm(w, r, http.StatusOK, in, nil)
	})
	u.Page("POST /space/disposals", PermManage, func(w http.ResponseWriter, r *http.Request) error {
		f := errs.Fields{}
		in := DisposalInput{Method: fstr(r, "method"), Reason: fstr(r, "reason"), ApprovalDoc: fstr(r, "approval_doc"), DisposedOn: fstr(r, "disposed_on")}
		in.BuildingID = web.FormInt(r, "building_id", f)
		in.RoomID = web.FormInt(r, "room_id", f)
		in.ProceedsYuan = web.FormFloat(r, "proceeds_yuan", f)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderDisposalForm(w, r, status, in, fields)
		}, func() (string, string, error) {
			_, err := s.CreateDisposal(r.Context(), auth.ScopeFrom(r.Context()), in)
			return "/space/repairs?tab=disposals", "已登记处置", err
		})
	})
}

func (s *Service) renderRepair(w http.ResponseWriter, r *http.Request, status int, fields map[string]string) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	x, err := GetRepair(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
	if err != nil {
		return err
	}
	p := &repairPage{Globals: s.g(r, x.Title, web.Crumb{Label: "space.repairs|维修处置", Path: "/space/repairs"}, web.Crumb{Label: x.Title}), X: x, Errors: fields, Today: s.today()}
	if p.History, err = s.hist(r, objRepair, id); err != nil {
		return err
	}
	p.Attachments = s.panel(r, objRepair, id)
	return s.UI.Render(w, r, status, "space/repair.html", p)
}

func (s *Service) renderRepairForm(w http.ResponseWriter, r *http.Request, status int, in RepairInput, fields map[string]string) error {
	p := &repairFormPage{Globals: s.g(r, "space.repair.new|申请维修", web.Crumb{Label: "space.repairs|维修处置", Path: "/space/repairs"}, web.Crumb{Label: "space.repair.new|申请维修"}),
		Form: in, Errors: fields, Kinds: RepairKinds.Options()}
	var err error
	if p.Buildings, _, err = ListBuildings(r.Context(), s.DB, auth.ScopeFrom(r.Context()), BuildingFilter{List: web.List{Page: 1, PageSize: 500}, Status: "active"}); err != nil {
		return err
	}
	if in.RoomID != 0 {
		if room, err := GetRoom(r.Context(), s.DB, auth.ScopeFrom(r.Context()), in.RoomID); err == nil {
			p.Room = room.BuildingName + " " + room.Number
			p.Form.BuildingID = room.BuildingID
		}
	}
	return s.UI.Render(w, r, status, "space/repair_form.html", p)
}

func (s *Service) renderDisposalForm(w http.ResponseWriter, r *http.Request, status int, in DisposalInput, fields map[string]string) error {
	p := &disposalFormPage{Globals: s.g(r, "space.disposal.new|处置办公用房", web.Crumb{Label: "space.repairs|维修处置", Path: "/space/repairs?tab=disposals"},
		web.Crumb{Label: "space.disposal.new|处置办公用房"}), Form: in, Errors: fields, Methods: DisposalMethods.Options()}
	var err error
	if p.Buildings, _, err = ListBuildings(r.Context(), s.DB, auth.ScopeFrom(r.Context()), BuildingFilter{List: web.List{Page: 1, PageSize: 500}, Status: "active"}); err != nil {
		return err
	}
	return s.UI.Render(w, r, status, "space/disposal_form.html", p)
}
