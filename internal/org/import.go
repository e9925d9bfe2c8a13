package org

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/xlsx"
)

// OrgColumns are the columns of the unit import template and export.
var OrgColumns = []xlsx.Column{
	{Header: "单位名称", Key: "name", Required: true, Help: "全称，不超过 100 字", Example: "示范县教育局"},
	{Header: "简称", Key: "short_name", Help: "选填", Example: "县教育局"},
	{Header: "上级单位", Key: "parent", Help: "上级单位的统一社会信用代码或全称（须已存在或在本表之前的行中）；省级根单位可留空", Example: "示范县人民政府"},
	{Header: "单位类型", Key: "kind", Required: true, Help: Kinds.Names(), Example: "党政机关"},
	{Header: "机构层级", Key: "admin_level", Required: true, Help: AdminLevels.Names(), Example: "县级"},
	{Header: "行政区划代码", Key: "region_code", Help: "6 位国家统计用区划代码", Example: "990121"},
	{Header: "统一社会信用代码", Key: "credit_code", Help: "18 位，校验位按 GB 32100-2015 检查；用于重复导入时识别同一单位", Example: ""},
	{Header: "统计类别", Key: "category", Help: Categories.Names() + "；默认机关", Example: "机关"},
	{Header: "用能人数", Key: "headcount", Help: "整数", Example: "56"},
	{Header: "建筑面积(m²)", Key: "floor_area_m2", Help: "平方米", Example: "3200"},
	{Header: "地址", Key: "address", Example: "示范县人民路 1 号"},
	{Header: "联系人", Key: "contact", Example: ""},
	{Header: "电话", Key: "phone", Example: ""},
	// Added with the grade rule (docs/domain/office-space.md): last, so files made from the earlier template still
	// read column by column.
	{Header: "机构规格", Key: "grade", Help: Grades.Names() + "；派出机构、直属事业单位必填", Example: ""},
	{Header: "派出或直属", Key: "affiliation", Help: Affiliations.Names() + "；其他单位留空", Example: ""},
}

// PersonColumns are the columns of the people import template and export.
var PersonColumns = []xlsx.Column{
	{Header: "人员编号", Key: "code", Required: true, Help: "单位内部或组织人事系统的编号，全局唯一；重复导入时按此识别同一人", Example: "P000123"},
	{Header: "姓名", Key: "name", Required: true, Example: "张三"},
	{Header: "所在单位", Key: "org", Required: true, Help: "单位的统一社会信用代码或全称（须唯一）", Example: "示范县教育局"},
	{Header: "职级", Key: "rank", Required: true, Help: Ranks.Names(), Example: "正科级"},
	{Header: "职务", Key: "position", Example: "办公室主任"},
	{Header: "性别", Key: "gender", Help: "男 / 女", Example: "男"},
	{Header: "电话", Key: "phone", Example: ""},
	{Header: "状态", Key: "status", Help: "在职 / 退休 / 调离；默认在职", Example: "在职"},
	{Header: "状态起始日期", Key: "status_since", Help: "YYYY-MM-DD；默认导入当天", Example: ""},
}

func header(cols []xlsx.Column, key string) string {
	for _, c := range cols {
		if c.Key == key {
			return c.Header
		}
	}
	return key
}

var errDryRun = errors.New("dry run")

// orgRef resolves a unit named by credit code or full name within scope (cached per import).
type orgRef struct {
	cache map[string]int64
	sc    auth.Scope
}

func (r *orgRef) find(ctx context.Context, q db.Q, s string) (int64, string) {
	if id, ok := r.cache[s]; ok {
		return id, ""
	}
	cond, args := r.sc.PathCond("o.id", "o.path")
	var ids []int64
	var err error
	if CheckCreditCode(strings.ToUpper(s)) == "" {
		ids, err = db.Int64s(ctx, q, "SELECT o.id FROM orgs o WHERE o.credit_code = ? AND "+cond, append([]any{strings.ToUpper(s)}, args...)...)
	} else {
		ids, err = db.Int64s(ctx, q, "SELECT o.id FROM orgs o WHERE o.name = ? AND "+cond+" LIMIT 2", append([]any{s}, args...)...)
	}
	switch {
	case err != nil:
		return 0, "查找单位失败"
	case len(ids) == 0:
		return 0, "找不到单位“" + s + "”（或不在您的数据范围内）"
	case len(ids) > 1:
		return 0, "有多个名为“" + s + "”的单位，请改用统一社会信用代码"
	}
	r.cache[s] = ids[0]
	return ids[0], ""
}

func parseNum(v string, integer bool) (float64, bool) {
	v = strings.ReplaceAll(strings.TrimSpace(v), ",", "")
	if v == "" {
		return 0, true
	}
	if integer {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(v, 64)
			if ferr != nil || f != float64(int64(f)) {
				return 0, false
			}
			return f, true
		}
		return float64(n), true
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil
}

func rowErrors(rep *xlsx.Report, line int, cols []xlsx.Column, err error) error {
	e := errs.As(err)
	if e == nil || e.Code == errs.CodeInternal {
		return err
	}
	if len(e.Fields) == 0 {
		rep.Errors = append(rep.Errors, xlsx.RowError{Line: line, Message: e.Message})
		return nil
	}
	for k, v := range e.Fields {
		col := header(cols, k)
		if k == "org_id" {
			col = header(cols, "org")
		}
		if k == "parent_id" {
			col = header(cols, "parent")
		}
		rep.Errors = append(rep.Errors, xlsx.RowError{Line: line, Column: col, Message: v})
	}
	return nil
}

// ImportOrgs validates every row and, unless dryRun or a row is bad, writes them all in one transaction. A row
// whose credit code (or, without one, whose name under the same parent) matches an existing unit updates it, so
// importing the same file twice changes nothing the second time.
func (s *Service) ImportOrgs(ctx context.Context, sc auth.Scope, rows []xlsx.Row, dryRun bool) (xlsx.Report, error) {
	now := s.Clock.Now()
	rep := xlsx.Report{DryRun: dryRun, Rows: len(rows)}
	err := s.DB.Tx(ctx, func(q db.Q) error {
		ref := &orgRef{cache: map[string]int64{}, sc: sc}
		for _, row := range rows {
			v := row.Values
			in := OrgInput{Name: v["name"], ShortName: v["short_name"], RegionCode: v["region_code"], CreditCode: v["credit_code"],
				Address: v["address"], Contact: v["contact"], Phone: v["phone"]}
			f := errs.Fields{}
			var ok bool
			if in.Kind, ok = Kinds.Code(v["kind"]); !ok {
				f.Add("kind", "单位类型“"+v["kind"]+"”无效，应为 "+Kinds.Names())
			}
			if in.AdminLevel, ok = AdminLevels.Code(v["admin_level"]); !ok {
				f.Add("admin_level", "机构层级“"+v["admin_level"]+"”无效，应为 "+AdminLevels.Names())
			}
			if v["grade"] != "" {
				if in.Grade, ok = Grades.Code(v["grade"]); !ok {
					f.Add("grade", "机构规格“"+v["grade"]+"”无效，应为 "+Grades.Names())
				}
			}
			if v["affiliation"] != "" {
				if in.Affiliation, ok = Affiliations.Code(v["affiliation"]); !ok {
					f.Add("affiliation", "派出或直属“"+v["affiliation"]+"”无效，应为 "+Affiliations.Names()+"，或留空")
				}
			}
			if v["category"] != "" {
				if in.Category, ok = Categories.Code(v["category"]); !ok {
					f.Add("category", "统计类别“"+v["category"]+"”无效，应为 "+Categories.Names())
				}
			}
			if n, ok := parseNum(v["headcount"], true); ok {
				in.Headcount = int64(n)
			} else {
				f.Add("headcount", "用能人数应为整数")
			}
			if n, ok := parseNum(v["floor_area_m2"], false); ok {
				in.FloorAreaM2 = n
			} else {
				f.Add("floor_area_m2", "建筑面积应为数字")
			}
			if p := strings.TrimSpace(v["parent"]); p != "" {
				id, msg := ref.find(ctx, q, p)
				if msg != "" {
					f.Add("parent", msg)
				}
				in.ParentID = id
			}
			// The field checks of the form run too, so one pass reports every problem of the row.
			in.check(f)
			if len(f) > 0 {
				_ = rowErrors(&rep, row.Line, OrgColumns, f.Err())
				continue
			}
			existing, err := s.matchOrg(ctx, q, sc, in)
			if err != nil {
				return err
			}
			if existing != 0 {
				patch := OrgPatch{Name: &in.Name, ShortName: &in.ShortName, Kind: &in.Kind, AdminLevel: &in.AdminLevel, Grade: &in.Grade, Affiliation: &in.Affiliation, RegionCode: &in.RegionCode,
					CreditCode: &in.CreditCode, Category: &in.Category, Headcount: &in.Headcount, FloorAreaM2: &in.FloorAreaM2,
					Address: &in.Address, Contact: &in.Contact, Phone: &in.Phone}
				if in.ParentID != 0 {
					patch.ParentID = &in.ParentID
				}
				changed, err := s.updateIfChanged(ctx, q, sc, existing, patch, now)
				if err := rowErrors(&rep, row.Line, OrgColumns, err); err != nil {
					return err
				}
				if changed {
					rep.Updated++
				}
				ref.cache[in.Name] = existing
				continue
			}
			o, err := s.createOrg(ctx, q, sc, in, now)
			if err := rowErrors(&rep, row.Line, OrgColumns, err); err != nil {
				return err
			}
			if o.ID != 0 {
				rep.Created++
				ref.cache[o.Name] = o.ID
				if o.CreditCode != "" {
					ref.cache[o.CreditCode] = o.ID
				}
			}
		}
		if dryRun || !rep.OK() {
			return errDryRun
		}
		return xlsx.AuditImport(ctx, q, now, "orgs", rep)
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return rep, err
	}
	if !rep.OK() {
		rep.Created, rep.Updated = 0, 0
	}
	return rep, nil
}

func (s *Service) matchOrg(ctx context.Context, q db.Q, sc auth.Scope, in OrgInput) (int64, error) {
	cond, args := sc.PathCond("o.id", "o.path")
	var ids []int64
	var err error
	if cc := strings.ToUpper(strings.TrimSpace(in.CreditCode)); cc != "" {
		ids, err = db.Int64s(ctx, q, "SELECT o.id FROM orgs o WHERE o.credit_code = ? AND "+cond, append([]any{cc}, args...)...)
	} else if in.ParentID != 0 {
		ids, err = db.Int64s(ctx, q, "SELECT o.id FROM orgs o WHERE o.parent_id = ? AND o.name = ? AND "+cond, append([]any{in.ParentID, strings.TrimSpace(in.Name)}, args...)...)
	} else {
		ids, err = db.Int64s(ctx, q, "SELECT o.id FROM orgs o WHERE o.parent_id IS NULL AND o.name = ? AND "+cond, append([]any{strings.TrimSpace(in.Name)}, args...)...)
	}
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// updateIfChanged applies patch only when it changes something, so a re-import writes nothing.
func (s *Service) updateIfChanged(ctx context.Context, q db.Q, sc auth.Scope, id int64, p OrgPatch, now time.Time) (bool, error) {
	before, err := GetOrg(ctx, q, sc, id)
	if err != nil {
		return false, err
	}
	in := OrgInput{Name: *p.Name, ShortName: *p.ShortName, Kind: *p.Kind, AdminLevel: *p.AdminLevel, RegionCode: *p.RegionCode,
		CreditCode: *p.CreditCode, Category: *p.Category, Headcount: *p.Headcount, FloorAreaM2: *p.FloorAreaM2, Address: *p.Address,
		Contact: *p.Contact, Phone: *p.Phone}
	in.normalise()
	same := in.Name == before.Name && in.ShortName == before.ShortName && in.Kind == before.Kind && in.AdminLevel == before.AdminLevel &&
		in.RegionCode == before.RegionCode && in.CreditCode == before.CreditCode && in.Category == before.Category &&
		in.Headcount == before.Headcount && in.FloorAreaM2 == before.FloorAreaM2 && in.Address == before.Address &&
		in.Contact == before.Contact && in.Phone == before.Phone && (p.ParentID == nil || *p.ParentID == before.ParentID)
	if same {
		return false, nil
	}
	_, err = s.updateOrg(ctx, q, sc, id, p, now)
	return err == nil, err
}

// ImportPeople validates every row and, unless dryRun or a row is bad, writes them all in one transaction. The
// 人员编号 identifies a person across imports.
func (s *Service) ImportPeople(ctx context.Context, sc auth.Scope, rows []xlsx.Row, dryRun bool) (xlsx.Report, error) {
	now := s.Clock.Now()
	today := clock.Today(now)
	rep := xlsx.Report{DryRun: dryRun, Rows: len(rows)}
	err := s.DB.Tx(ctx, func(q db.Q) error {
		ref := &orgRef{cache: map[string]int64{}, sc: sc}
		seen := map[string]int{}
		for _, row := range rows {
			v := row.Values
			in := PersonInput{Code: v["code"], Name: v["name"], Position: v["position"], Phone: v["phone"], StatusSince: v["status_since"]}
			f := errs.Fields{}
			if in.Code == "" {
				f.Add("code", "请填写人员编号")
			} else if prev, dup := seen[in.Code]; dup {
				f.Add("code", fmt.Sprintf("人员编号与第 %d 行重复", prev))
			}
			seen[in.Code] = row.Line
			var ok bool
			if in.Rank, ok = Ranks.Code(v["rank"]); !ok {
				f.Add("rank", "职级“"+v["rank"]+"”无效，应为 "+Ranks.Names())
			}
			if v["gender"] != "" {
				if in.Gender, ok = Genders.Code(v["gender"]); !ok {
					f.Add("gender", "性别应为 男 或 女")
				}
			}
			if v["status"] != "" {
				if in.Status, ok = Statuses.Code(v["status"]); !ok {
					f.Add("status", "状态应为 在职、退休 或 调离")
				}
			}
			if o := strings.TrimSpace(v["org"]); o == "" {
				f.Add("org", "请填写所在单位")
			} else {
				id, msg := ref.find(ctx, q, o)
				if msg != "" {
					f.Add("org", msg)
				}
				in.OrgID = id
			}
			chk := in
			chk.check(f, today)
			if f.Has("org") {
				delete(f, "org_id") // the unit column already says what is wrong
			}
			if len(f) > 0 {
				_ = rowErrors(&rep, row.Line, PersonColumns, f.Err())
				continue
			}
			var existing int64
			if err := q.QueryRow(ctx, "SELECT id FROM people WHERE code = ?", in.Code).Scan(&existing); err != nil && !db.IsNoRows(err) {
				return err
			}
			if existing != 0 {
				before, err := GetPerson(ctx, q, sc, existing)
				if err != nil {
					if errs.Is(err, errs.CodeNotFound) {
						rep.Errors = append(rep.Errors, xlsx.RowError{Line: row.Line, Column: header(PersonColumns, "code"), Message: "人员编号已被您数据范围以外的人员使用"})
						continue
					}
					return err
				}
				chk := in
				chk.check(errs.Fields{}, today)
				if before.OrgID == chk.OrgID && before.Name == chk.Name && before.Rank == chk.Rank && before.Position == chk.Position &&
					before.Gender == chk.Gender && before.Phone == chk.Phone && before.Status == chk.Status && (v["status_since"] == "" || before.StatusSince == chk.StatusSince) {
					continue
				}
				p := PersonPatch{OrgID: &in.OrgID, Name: &in.Name, Rank: &in.Rank, Position: &in.Position, Gender: &in.Gender, Phone: &in.Phone}
				if in.Status != "" {
					p.Status = &in.Status
				}
				if in.StatusSince != "" {
					p.StatusSince = &in.StatusSince
				}
				_, err = s.updatePerson(ctx, q, sc, existing, p, now)
				if err := rowErrors(&rep, row.Line, PersonColumns, err); err != nil {
					return err
				}
				rep.Updated++
				continue
			}
			p, err := s.createPerson(ctx, q, sc, in, now)
			if err := rowErrors(&rep, row.Line, PersonColumns, err); err != nil {
				return err
			}
			if p.ID != 0 {
				rep.Created++
			}
		}
		if dryRun || !rep.OK() {
			return errDryRun
		}
		return xlsx.AuditImport(ctx, q, now, "people", rep)
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return rep, err
	}
	if !rep.OK() {
		rep.Created, rep.Updated = 0, 0
	}
	return rep, nil
}
