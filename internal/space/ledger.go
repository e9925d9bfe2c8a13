package space

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// Excel: the import of existing room ledgers, and the exports a bureau hands on — 总台账 (every room of a subtree),
// 分台账 (one unit's rooms), the annual internal disclosure list (年度内部公示) and the leaders' office filing
// (领导干部办公用房备案).

// RoomColumns are the columns of the room ledger import (and the template).
var RoomColumns = []xlsx.Column{
	{Header: "楼栋", Key: "building", Required: true, Help: "楼栋名称；数据范围内没有同名楼栋时按本行使用单位新建", Example: "示范县行政中心 1 号楼"},
	{Header: "楼层", Key: "floor", Required: true, Help: "整数；地下层写负数", Example: "3"},
	{Header: "房间号", Key: "number", Required: true, Help: "同一楼栋内唯一；已存在则更新该房间", Example: "301"},
	{Header: "用途", Key: "use_type", Required: true, Help: "办公室、服务用房、设备用房、附属用房", Example: "办公室"},
	{Header: "具体用途", Key: "subtype", Help: "如 会议室、接待室、档案室", Example: ""},
	{Header: "使用面积", Key: "usable_area_m2", Required: true, Help: "平方米，保留两位小数", Example: "18"},
	{Header: "建筑面积", Key: "building_area_m2", Help: "平方米", Example: "24.5"},
	{Header: "使用单位", Key: "org", Required: true, Help: "单位全称（须在您的数据范围内）", Example: "示范县财政局"},
	{Header: "容纳人数", Key: "capacity", Help: "整数，可空", Example: "1"},
	{Header: "使用人", Key: "occupants", Help: "人员编号或姓名，多人用“、”分隔；已有的使用人保留", Example: "P000123"},
}

type importRow struct {
	line       int
	building   string
	buildingID int64
	roomID     int64
	in         RoomInput
	people     []int64
}

// ImportRooms validates every row and, unless dry or any row is wrong, writes them all in one transaction:
// rooms found by (building, number) are updated, others created, listed occupants added. Re-importing the same
// file changes nothing.
func (s *Service) ImportRooms(ctx context.Context, sc auth.Scope, rows []xlsx.Row, dry bool) (xlsx.Report, error) {
	rep := xlsx.Report{DryRun: dry, Rows: len(rows)}
	var parsed []importRow
	orgCache := map[string]int64{}
	seen := map[string]int{}
	for _, r := range rows {
		v := r.Values
		ir := importRow{line: r.Line, building: strings.TrimSpace(v["building"])}
		bad := func(col, msg string) {
			rep.Errors = append(rep.Errors, xlsx.RowError{Line: r.Line, Column: col, Message: msg})
		}
		before := len(rep.Errors)
		if ir.building == "" {
			bad("楼栋", "请填写楼栋名称")
		}
		fl, err := strconv.Atoi(strings.TrimSpace(v["floor"]))
		if err != nil {
			bad("楼层", "应为整数")
		}
		ir.in = RoomInput{Floor: fl, Number: v["number"], Subtype: v["subtype"]}
		if c, ok := codeOf(UseTypes, v["use_type"]); ok {
			ir.in.UseType = c
		} else {
			bad("用途", "应为 办公室、服务用房、设备用房 或 附属用房")
		}
		for _, list := range Subtypes {
			if c, ok := codeOf(list, ir.in.Subtype); ok {
				ir.in.Subtype = c
			}
		}
		for _, n := range []struct {
			key, col string
			dst      *float64
		}{{"usable_area_m2", "使用面积", &ir.in.UsableAreaM2}, {"building_area_m2", "建筑面积", &ir.in.BuildingAreaM2}} {
			if t := strings.TrimSpace(v[n.key]); t != "" {
				if *n.dst, err = strconv.ParseFloat(t, 64); err != nil {
					bad(n.col, "应为数字（平方米）")
				}
			}
		}
		if t := strings.TrimSpace(v["capacity"]); t != "" {
			if ir.in.Capacity, err = strconv.Atoi(t); err != nil {
				bad("容纳人数", "应为整数")
			}
		}
		orgName := strings.TrimSpace(v["org"])
		if id, ok := orgCache[orgName]; ok {
			ir.in.OrgID = id
		} else if orgName != "" {
			id, err := s.orgByName(ctx, sc, orgName)
			if err != nil {
				bad("使用单位", errs.As(err).Message)
			}
			orgCache[orgName], ir.in.OrgID = id, id
		} else {
			bad("使用单位", "请填写使用单位")
		}
		ir.in.BuildingID = 1 // checked below against the register
		f := errs.Fields{}
		in := ir.in
		in.check(f)
		for k, msg := range f {
			if k != "org_id" {
				bad(columnOf(k), msg)
			}
		}
		ir.in.Number, ir.in.UsableAreaM2, ir.in.BuildingAreaM2, ir.in.ApprovedUse = in.Number, in.UsableAreaM2, in.BuildingAreaM2, in.ApprovedUse
		key := ir.building + "\x00" + ir.in.Number
		if prev, dup := seen[key]; dup {
			bad("房间号", fmt.Sprintf("与第 %d 行重复", prev))
		}
		seen[key] = r.Line
		if len(rep.Errors) == before {
			if err := s.resolveImportRow(ctx, sc, &ir, v["occupants"], bad); err != nil {
				return rep, err
			}
		}
		parsed = append(parsed, ir)
	}
	if !rep.OK() {
		return rep, nil
	}
	now := s.Clock.Now()
	err := s.DB.Tx(ctx, func(q db.Q) error {
		newBuildings := map[string]int64{}
		for _, ir := range parsed {
			if ir.buildingID == 0 {
				if id, ok := newBuildings[ir.building]; ok {
					ir.buildingID = id
				} else {
					b, err := s.createBuildingTx(ctx, q, sc, BuildingInput{Name: ir.building, OrgID: ir.in.OrgID})
					if err != nil {
						return err
					}
					ir.buildingID, newBuildings[ir.building] = b.ID, b.ID
				}
			}
			ir.in.BuildingID = ir.buildingID
			// The file is the confirmation of a large room (a hall, a garage); floors and areas beyond the building's
			// are still refused, naming the row.
			ir.in.Confirm, ir.in.Reason = true, "按导入文件登记"
			if ir.roomID == 0 {
				r, err := s.createRoom(ctx, q, sc, ir.in)
				if err != nil {
					return fmt.Errorf("第 %d 行：%w", ir.line, err)
				}
				ir.roomID = r.ID
				rep.Created++
			} else {
				cur, err := GetRoom(ctx, q, sc, ir.roomID)
				if err != nil {
					return err
				}
				if cur.Floor != ir.in.Floor || cur.UseType != ir.in.UseType || cur.Subtype != ir.in.Subtype || cur.UsableAreaM2 != ir.in.UsableAreaM2 ||
					cur.BuildingAreaM2 != ir.in.BuildingAreaM2 || cur.OrgID != ir.in.OrgID || cur.Capacity != ir.in.Capacity {
					if _, err := s.updateRoom(ctx, q, sc, ir.roomID, RoomPatch{Floor: &ir.in.Floor, UseType: &ir.in.UseType, Subtype: &ir.in.Subtype,
						UsableAreaM2: &ir.in.UsableAreaM2, BuildingAreaM2: &ir.in.BuildingAreaM2, OrgID: &ir.in.OrgID, Capacity: &ir.in.Capacity,
						Confirm: true, Reason: ir.in.Reason}); err != nil {
						return fmt.Errorf("第 %d 行：%w", ir.line, err)
					}
					rep.Updated++
				}
			}
			for _, pid := range ir.people {
				n, err := db.Count(ctx, q, "SELECT COUNT(*) FROM space_occupants WHERE room_id = ? AND person_id = ?", ir.roomID, pid)
				if err != nil {
					return err
				}
				if n == 0 {
					if _, err := s.addOccupant(ctx, q, sc, ir.roomID, OccupantInput{PersonID: pid, bulk: true}); err != nil {
						return fmt.Errorf("第 %d 行：%w", ir.line, err)
					}
				}
			}
		}
		if err := xlsx.AuditImport(ctx, q, now, "space_rooms", rep); err != nil {
			return err
		}
		if dry {
			return errDryRun
		}
		return nil
	})
	if err == errDryRun {
		return rep, nil
	}
	if e := errs.As(err); e != nil && e.Code != errs.CodeInternal {
		// A rule only the write could check (a full room, a changed state): report it on the file.
		rep.Errors = append(rep.Errors, xlsx.RowError{Message: err.Error()})
		rep.Created, rep.Updated = 0, 0
		return rep, nil
	}
	return rep, err
}

// errDryRun rolls back a dry run that did everything else.
var errDryRun = errs.New(errs.CodeConflict, "dry run")

func codeOf(list enum.List, s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, e := range list {
		if e.Code == s || e.Name == s {
			return e.Code, true
		}
	}
	return "", false
}

func columnOf(key string) string {
	for _, c := range RoomColumns {
		if c.Key == key {
			return c.Header
		}
	}
	return key
}

func (s *Service) orgByName(ctx context.Context, sc auth.Scope, name string) (int64, error) {
	cond, args := sc.OrgCond("id")
	list, err := db.Int64s(ctx, s.DB, "SELECT id FROM orgs WHERE name = ? AND "+cond, append([]any{name}, args...)...)
	if err != nil {
		return 0, err
	}
	switch len(list) {
	case 0:
		return 0, errs.NotFound("单位“" + name + "”在您的数据范围内不存在")
	case 1:
		return list[0], nil
	}
	return 0, errs.Invalid("org", "单位名称“"+name+"”不唯一")
}

func (s *Service) resolveImportRow(ctx context.Context, sc auth.Scope, ir *importRow, occupants string, bad func(col, msg string)) error {
	cond, args := sc.OrgCond("org_id")
	bids, err := db.Int64s(ctx, s.DB, "SELECT id FROM buildings WHERE name = ? AND status = 'active' AND "+cond, append([]any{ir.building}, args...)...)
	if err != nil {
		return err
	}
	switch {
	case len(bids) > 1:
		bad("楼栋", "数据范围内有多个同名楼栋")
	case len(bids) == 1:
		ir.buildingID = bids[0]
		rids, err := db.Int64s(ctx, s.DB, "SELECT id FROM space_rooms WHERE building_id = ? AND number = ?", ir.buildingID, ir.in.Number)
		if err != nil {
			return err
		}
		if len(rids) == 1 {
			ir.roomID = rids[0]
			if _, err := GetRoom(ctx, s.DB, sc, ir.roomID); err != nil {
				bad("房间号", "该房间属于您数据范围以外的单位")
			}
		}
	}
	pcond, pargs := sc.PathCond("p.org_id", "p.org_path")
	for _, tok := range strings.FieldsFunc(occupants, func(r rune) bool { return r == '、' || r == ',' || r == '，' || r == ';' || r == '；' }) {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		type hit struct {
			id     int64
			status string
		}
		hits, err := db.Select(ctx, s.DB, func(sc db.Scanner) (hit, error) {
			var h hit
			return h, sc.Scan(&h.id, &h.status)
		}, "SELECT p.id, p.status FROM people p WHERE (p.code = ? OR (p.name = ? AND p.org_id = ?)) AND "+pcond, append([]any{tok, tok, ir.in.OrgID}, pargs...)...)
		if err != nil {
			return err
		}
		switch {
		case len(hits) == 0:
			bad("使用人", "“"+tok+"”不是本单位人员的编号或姓名（或不在您的数据范围内）")
		case len(hits) > 1:
			bad("使用人", "“"+tok+"”重名，请改用人员编号")
		default:
			ir.people = append(ir.people, hits[0].id)
		}
	}
	if ir.in.Capacity > 0 && len(ir.people) > ir.in.Capacity {
		bad("使用人", fmt.Sprintf("使用人多于容纳人数 %d", ir.in.Capacity))
	}
	return nil
}

// ledgerRow is one line of the exported ledgers.
type ledgerRow struct {
	RoomRecord
	Property, CertNo string
	BuiltYear        int
	Occupants        []Occupant
}

// ledgerRows reads the rooms of a unit (or its subtree) in scope, with occupants and their standards.
func (s *Service) ledgerRows(ctx context.Context, sc auth.Scope, orgID int64, subtree bool, officesOnly bool) ([]ledgerRow, error) {
	f := RoomFilter{List: web.List{Page: 1, PageSize: 200000}, OrgID: orgID, Subtree: subtree}
	if officesOnly {
		f.UseType = UseOffice
	}
	rooms, _, err := ListRooms(ctx, s.DB, sc, f)
	if err != nil {
		return nil, err
	}
	out := make([]ledgerRow, len(rooms))
	idx := map[int64]int{}
	var list []int64
	for i, r := range rooms {
		out[i].RoomRecord = r
		idx[r.ID] = i
		list = append(list, r.ID)
	}
	var occ []Occupant
	if err := chunked(list, func(c []int64) error {
		part, err := db.Select(ctx, s.DB, scanOcc, "SELECT "+occCols+occFrom+" WHERE x.room_id IN ("+db.In(len(c))+") ORDER BY x.room_id, x.since", db.Args(c)...)
		occ = append(occ, part...)
		return err
	}); err != nil {
		return nil, err
	}
	if occ, err = s.withStandards(ctx, s.DB, occ); err != nil {
		return nil, err
	}
	for _, o := range occ {
		out[idx[o.RoomID]].Occupants = append(out[idx[o.RoomID]].Occupants, o)
	}
	extra := map[int64][3]string{}
	rows, err := s.DB.Query(ctx, `SELECT b.id, COALESCE(p.name, ''), COALESCE(p.property_cert_no, ''), b.built_year FROM buildings b LEFT JOIN space_properties p ON p.id = b.property_id`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var name, cert string
		var year int
		if err := rows.Scan(&id, &name, &cert, &year); err != nil {
			rows.Close()
			return nil, err
		}
		extra[id] = [3]string{name, cert, strconv.Itoa(year)}
	}
	rows.Close()
	for i := range out {
		e := extra[out[i].BuildingID]
		out[i].Property, out[i].CertNo = e[0], e[1]
		out[i].BuiltYear, _ = strconv.Atoi(e[2])
	}
	return out, nil
}

func occupantText(list []Occupant) (names, ranks string, std float64) {
	var n, r []string
	for _, o := range list {
		n = append(n, o.Name)
		r = append(r, o.RankName())
		std += o.StdM2
	}
	return strings.Join(n, "、"), strings.Join(r, "、"), std
}

// exportLedger writes 总台账 (subtree) or 分台账 (the unit itself) of orgID.
func (s *Service) exportLedger(w http.ResponseWriter, r *http.Request, orgID int64, subtree bool) error {
	sc := auth.ScopeFrom(r.Context())
	if err := checkOrg(r.Context(), s.DB, sc, orgID, "org_id"); err != nil {
		return err
	}
	unit := org.Tree{}.OrgLabel(r.Context(), s.DB, orgID)
	rows, err := s.ledgerRows(r.Context(), sc, orgID, subtree, false)
	if err != nil {
		return err
	}
	headers := []string{"使用单位", "房产", "不动产权证号", "楼栋", "建成年份", "楼层", "房间号", "用途", "具体用途", "核定用途", "使用面积（㎡）", "建筑面积（㎡）",
		"容纳人数", "使用人", "职级", "标准面积合计（㎡）", "状态", "现存违规"}
	out := make([][]any, 0, len(rows))
	for _, x := range rows {
		names, ranks, std := occupantText(x.Occupants)
		var stdCell any = ""
		if x.UseType == UseOffice && len(x.Occupants) > 0 {
			stdCell = std
		}
		out = append(out, []any{x.OrgName, x.Property, x.CertNo, x.BuildingName, x.BuiltYear, x.Floor, x.Number, x.UseName(), x.SubtypeName(),
			UseTypes.Name(x.ApprovedUse), x.UsableAreaM2, x.BuildingAreaM2, x.Capacity, names, ranks, stdCell, x.StatusName(), x.Violations})
	}
	title := "办公用房分台账-" + unit
	if subtree {
		title = "办公用房总台账-" + unit
	}
	return xlsx.Export(w, r, s.DB, s.Clock.Now(), title, headers, out, ledgerLayout(unit))
}

// exportDisclosure writes the annual internal disclosure list (年度内部公示) of a unit's subtree: every office with
// its occupants, their standards and whether it complies.
func (s *Service) exportDisclosure(w http.ResponseWriter, r *http.Request, orgID int64, year int) error {
	sc := auth.ScopeFrom(r.Context())
	if err := checkOrg(r.Context(), s.DB, sc, orgID, "org_id"); err != nil {
		return err
	}
	if _, err := s.RefreshUnit(r.Context(), orgID, true); err != nil {
		return err
	}
	rows, err := s.ledgerRows(r.Context(), sc, orgID, true, true)
	if err != nil {
		return err
	}
	headers := []string{"单位", "楼栋", "房间号", "使用面积（㎡）", "使用人", "职级", "核定标准（㎡）", "是否符合标准", "说明"}
	out := [][]any{}
	for _, x := range rows {
		if len(x.Occupants) == 0 {
			continue
		}
		names, ranks, std := occupantText(x.Occupants)
		ok, note := "符合", ""
		if x.Violations > 0 {
			vs, _, err := ListViolations(r.Context(), s.DB, auth.Everything(), ViolationFilter{List: web.List{Page: 1, PageSize: 20}, RoomID: x.ID})
			if err != nil {
				return err
			}
			var parts []string
			for _, v := range vs {
				parts = append(parts, v.KindName+"："+v.Detail)
			}
			ok, note = "不符合", strings.Join(parts, "；")
		}
		out = append(out, []any{x.OrgName, x.BuildingName, x.Number, x.UsableAreaM2, names, ranks, std, ok, note})
	}
	unit := org.Tree{}.OrgLabel(r.Context(), s.DB, orgID)
	return xlsx.Export(w, r, s.DB, s.Clock.Now(), fmt.Sprintf("%d年度办公用房使用情况内部公示-%s", year, unit), headers, out,
		xlsx.Layout{Unit: unit, Sum: []string{"使用面积（㎡）", "核定标准（㎡）"}})
}

// isLeader reports whether a rank counts as a leading cadre at a level: their standard is above the staff's.
func isLeader(st *Standards, level, rank, region string) bool {
	a, ok := st.Area(level, rank, region)
	b, ok2 := st.Area(level, "staff", region)
	return ok && ok2 && a > b
}

// exportFiling writes the leaders' office filing (领导干部办公用房备案) of a unit's subtree: each leading cadre (a
// rank whose standard is above the staff's at that level) with every office held and the 兼职 records.
func (s *Service) exportFiling(w http.ResponseWriter, r *http.Request, orgID int64, year int) error {
	ctx := r.Context()
	sc := auth.ScopeFrom(ctx)
	if err := checkOrg(ctx, s.DB, sc, orgID, "org_id"); err != nil {
		return err
	}
	st, err := LoadStandards(ctx, s.DB, s.today())
	if err != nil {
		return err
	}
	cond, args, err := unitCond(ctx, s.DB, "p.org_id", orgID, true)
	if err != nil {
		return err
	}
	pcond, pargs := sc.PathCond("p.org_id", "p.org_path")
	type leader struct {
		id                                               int64
		name, position, rank, org, level, region, status string
	}
	people, err := db.Select(ctx, s.DB, func(x db.Scanner) (leader, error) {
		var l leader
		return l, x.Scan(&l.id, &l.name, &l.position, &l.rank, &l.org, &l.level, &l.region, &l.status)
	}, `SELECT p.id, p.name, p.position, p.rank, o.name, `+unitLevelSQL+`, COALESCE(o.region_code, ''), p.status FROM people p JOIN orgs o ON o.id = p.org_id
		WHERE p.status = 'active' AND `+cond+" AND "+pcond+" ORDER BY o.path, p.rank, p.name", append(args, pargs...)...)
	if err != nil {
		return err
	}
	headers := []string{"单位", "姓名", "职务", "职级", "标准面积（㎡）", "办公室", "使用面积（㎡）", "合用人数", "兼职情况", "是否符合标准"}
	out := [][]any{}
	for _, l := range people {
		if !isLeader(st, l.level, l.rank, l.region) {
			continue
		}
		std, _ := st.Area(l.level, l.rank, l.region)
		rooms, err := s.PersonRooms(ctx, s.DB, l.id)
		if err != nil {
			return err
		}
		posts, _, err := ListPosts(ctx, s.DB, auth.Everything(), web.List{Page: 1, PageSize: 20}, l.id)
		if err != nil {
			return err
		}
		var pt []string
		for _, p := range posts {
			t := p.OrgName + " " + p.Post
			if p.EndsOn != "" {
				t += "（" + p.EndsOn + " 免去）"
			}
			pt = append(pt, t)
		}
		var officeText []string
		var areaSum float64
		shared := 0
		for _, o := range rooms {
			if o.UseType != UseOffice {
				continue
			}
			officeText = append(officeText, o.Building+" "+o.Number)
			areaSum += o.AreaM2
			n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM space_occupants WHERE room_id = ?", o.RoomID)
			if err != nil {
				return err
			}
			shared += int(n)
		}
		v, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM space_violations WHERE person_id = ? AND status = 'open'", l.id)
		if err != nil {
			return err
		}
		ok := "符合"
		if v > 0 {
			ok = "不符合"
		}
		if len(officeText) == 0 {
			ok = "未安排办公室"
		}
		out = append(out, []any{l.org, l.name, l.position, rankName(l.rank), std, strings.Join(officeText, "、"), areaSum, shared, strings.Join(pt, "；"), ok})
	}
	unit := org.Tree{}.OrgLabel(ctx, s.DB, orgID)
	return xlsx.Export(w, r, s.DB, s.Clock.Now(), fmt.Sprintf("%d年度领导干部办公用房备案表-%s", year, unit), headers, out,
		xlsx.Layout{Unit: unit, Blank: []string{"使用面积（㎡）"}})
}

// importAPI registers the room ledger import for integrations.
func (s *Service) importAPI() {
	s.UI.API("POST /api/v1/space/rooms/import", PermRegister, web.Doc{Summary: "Excel 导入房间台账（multipart 字段 file；dry_run=true 只校验；有错误行时整体不写入并返回 422）",
		Response: xlsx.Report{}, Query: []web.Param{{Name: "dry_run", Type: "boolean"}}}, func(w http.ResponseWriter, r *http.Request) error {
		rows, err := xlsx.ReadUpload(r, RoomColumns)
		if err != nil {
			return err
		}
		dry, err := queryBool(r, "dry_run")
		if err != nil {
			return err
		}
		rep, err := s.ImportRooms(r.Context(), auth.ScopeFrom(r.Context()), rows, dry)
		if err != nil {
			return err
		}
		if !rep.OK() {
			return web.JSON(w, http.StatusUnprocessableEntity, struct {
				Error  map[string]string `json:"error"`
				Report xlsx.Report       `json:"report"`
			}{map[string]string{"code": string(errs.CodeValidation), "message": "导入文件有错误行，未写入任何数据"}, rep})
		}
		return web.JSON(w, http.StatusOK, rep)
	})
	s.UI.API("GET /api/v1/space/rooms/import/template", PermRegister, web.Doc{Summary: "房间台账导入模板", Binary: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		func(w http.ResponseWriter, r *http.Request) error {
			b, err := xlsx.Template(RoomColumns, "房间台账")
			if err != nil {
				return err
			}
			xlsx.Send(w, "房间台账导入模板", b)
			return nil
		})
}
