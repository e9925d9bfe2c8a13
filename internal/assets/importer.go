package assets

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/xlsx"
)

// ImportColumns are the columns of the asset card import template (one card per row).
var ImportColumns = []xlsx.Column{
	{Header: "单位", Key: "org", Required: true, Help: "占有使用单位的全称（须在您的数据范围内）", Example: "松岭县教育局"},
	{Header: "资产名称", Key: "name", Required: true, Help: "不超过 100 字", Example: "台式计算机"},
	{Header: "分类代码", Key: "class_code", Required: true, Help: "GB/T 14885-2022 分类代码（字母加 8 位数字），须在资产分类表中", Example: "A02010105"},
	{Header: "价值（元）", Key: "value_yuan", Required: true, Help: "大于 0，最多两位小数", Example: "5200"},
	{Header: "取得日期", Key: "acquired_on", Required: true, Help: "YYYY-MM-DD，不晚于今天；折旧从次月起算", Example: "2024-03-15"},
	{Header: "取得方式", Key: "acquisition", Help: "新购、调拨、接受捐赠、置换、自建、盘盈、其他（默认新购）", Example: "新购"},
	{Header: "品牌", Key: "brand", Help: "选填", Example: "联想"},
	{Header: "规格型号", Key: "model", Help: "选填", Example: "启天 M437"},
	{Header: "数量", Key: "quantity", Help: "整数，默认 1", Example: "1"},
	{Header: "折旧年限（月）", Key: "life_months", Help: "默认该分类的最低年限（财会〔2017〕4号），不得更短", Example: ""},
	{Header: "使用部门", Key: "dept", Help: "选填", Example: "办公室"},
	{Header: "存放地点", Key: "location", Help: "选填", Example: "2 号楼 301"},
	{Header: "备注", Key: "note", Help: "选填，不超过 500 字", Example: ""},
	{Header: "示例行", Key: "example", Help: "模板自带的示例行在此列标有“示例”，导入时会被拒绝；请删除示例行，填写的数据行此列留空", Example: "示例"},
}

func header(key string) string {
	for _, c := range ImportColumns {
		if c.Key == key {
			return c.Header
		}
	}
	return key
}

var errTrialRun = errors.New("trial run")

// ImportAssets validates every row (a trial run writes nothing) and, unless dry or any row is wrong, registers
// all cards in one transaction, numbered per unit. The template's example row is refused, never imported.
func (s *Service) ImportAssets(ctx context.Context, sc auth.Scope, rows []xlsx.Row, dry bool) (xlsx.Report, error) {
	now := s.Clock.Now()
	today := s.today()
	rep := xlsx.Report{DryRun: dry, Rows: len(rows)}
	err := s.DB.Tx(ctx, func(q db.Q) error {
		cat, err := LoadCatalog(ctx, q, today)
		if err != nil {
			return err
		}
		type unit struct {
			id     int64
			region string
			err    string
		}
		units := map[string]unit{}
		var good []Input
		for _, r := range rows {
			v := r.Values
			bad := func(col, msg string) {
				rep.Errors = append(rep.Errors, xlsx.RowError{Line: r.Line, Column: col, Message: msg})
			}
			if strings.TrimSpace(v["example"]) != "" {
				bad(header("example"), fmt.Sprintf("第 %d 行是模板示例行，请删除后再导入", r.Line))
				continue
			}
			name := strings.TrimSpace(v["org"])
			u, ok := units[name]
			if !ok {
				ids, err := db.Int64s(ctx, q, "SELECT id FROM orgs WHERE name = ? ORDER BY id LIMIT 2", name)
				if err != nil {
					return err
				}
				switch {
				case name == "":
					u.err = "请填写单位"
				case len(ids) == 0:
					u.err = "单位“" + name + "”不存在"
				case len(ids) > 1:
					u.err = "有多个单位名为“" + name + "”"
				default:
					u.id = ids[0]
					if err := checkOrg(ctx, q, sc, u.id, "org"); err != nil {
						if !errs.Is(err, errs.CodeNotFound) {
							return err
						}
						u.err = "单位“" + name + "”不在您的数据范围内"
					} else if u.region, err = region(ctx, q, u.id); err != nil {
						return err
					}
				}
				units[name] = u
			}
			if u.err != "" {
				bad(header("org"), u.err)
				continue
			}
			in := Input{OrgID: u.id, Name: v["name"], ClassCode: strings.ToUpper(strings.TrimSpace(v["class_code"])), AcquiredOn: strings.TrimSpace(v["acquired_on"]),
				Brand: v["brand"], Model: v["model"], Dept: v["dept"], Location: v["location"], Note: v["note"]}
			f := errs.Fields{}
			if x := strings.TrimSpace(v["acquisition"]); x != "" {
				if c, ok := Acquisitions.Code(x); ok {
					in.Acquisition = c
				} else {
					f.Add("acquisition", "取得方式应为 "+Acquisitions.Names())
				}
			}
			if y, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(v["value_yuan"]), ",", ""), 64); err == nil {
				in.ValueYuan = y
			} else {
				f.Add("value_yuan", "应为金额（元）")
			}
			for _, n := range []struct {
				key string
				to  *int
			}{{"quantity", &in.Quantity}, {"life_months", &in.LifeMonths}} {
				if x := strings.TrimSpace(v[n.key]); x != "" {
					if i, err := strconv.Atoi(x); err == nil {
						*n.to = i
					} else {
						f.Add(n.key, "应为整数")
					}
				}
			}
			in.check(f, today, cat, u.region)
			if len(f) > 0 {
				for k, msg := range f {
					bad(header(k), msg)
				}
				continue
			}
			good = append(good, in)
		}
		if !rep.OK() || dry {
			if rep.OK() {
				rep.Created = len(good)
			}
			return errTrialRun
		}
		if err := s.insertMany(ctx, q, now, good); err != nil {
			return err
		}
		rep.Created = len(good)
		return xlsx.AuditImport(ctx, q, now, "assets", rep)
	})
	if errors.Is(err, errTrialRun) {
		err = nil
		if !dry || !rep.OK() {
			// Record the refused or trial run outside the rolled-back transaction.
			err = s.DB.Tx(ctx, func(q db.Q) error { return xlsx.AuditImport(ctx, q, now, "assets", rep) })
		}
	}
	return rep, err
}
