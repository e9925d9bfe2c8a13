package emc

import (
	"bytes"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/attach"
	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/history"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/num"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

func (s *Service) through(r *http.Request) (energy.Period, error) {
	last := LastComplete(s.Clock.Now())
	v := strings.TrimSpace(r.URL.Query().Get("through"))
	if v == "" {
		return last, nil
	}
	p, ok := energy.ParsePeriod(v)
	if !ok || last.Before(p) {
		return p, errs.Invalid("through", "截止月份应为 YYYY-MM，且不晚于最近一个完整月")
	}
	return p, nil
}

func (s *Service) report(r *http.Request) (Report, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return Report{}, err
	}
	th, err := s.through(r)
	if err != nil {
		return Report{}, err
	}
	c, err := Get(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
	if err != nil {
		return Report{}, err
	}
	return s.Report(r.Context(), c, th)
}

type paidBody struct {
	Paid bool   `json:"paid"`
	Note string `json:"note,omitempty"`
}

type overrideBody struct {
	Reason string `json:"reason"`
}

func (s *Service) api() {
	u := s.UI
	u.API("GET /api/v1/energy/contracts", "energy:read", web.Doc{Summary: "合同能源管理项目", Response: Contract{}, List: true,
		Query: []web.Param{{Name: "org_id", Type: "integer"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			orgID, err := web.QueryInt(r, "org_id")
			if err != nil {
				return err
			}
			cs, err := List(r.Context(), s.DB, auth.ScopeFrom(r.Context()), orgID)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(cs, int64(len(cs))))
		})
	u.API("POST /api/v1/energy/contracts", "energy:contract", web.Doc{Summary: "登记合同能源管理项目", Body: Input{}, Response: Contract{}, Status: 201},
		func(w http.ResponseWriter, r *http.Request) error {
			var in Input
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			c, err := s.Save(r.Context(), auth.ScopeFrom(r.Context()), 0, in)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusCreated, c)
		})
	module.Get(s.Deps, "GET /api/v1/energy/contracts/{id}", "energy:read", web.Doc{Summary: "合同能源管理项目详情"}, Get)
	module.Update(s.Deps, "PUT /api/v1/energy/contracts/{id}", "energy:contract", web.Doc{Summary: "修改合同能源管理项目"}, s.Save)
	module.Delete(s.Deps, "DELETE /api/v1/energy/contracts/{id}", "energy:contract", web.Doc{Summary: "删除合同能源管理项目"}, s.Delete)
	u.API("GET /api/v1/energy/contracts/{id}/mv", "energy:read", web.Doc{Summary: "节能量测量与验证报告（IPMVP 方案 C，月度回归）", Response: Report{},
		Query: []web.Param{{Name: "through", Help: "报告截止月 YYYY-MM，默认最近一个完整月"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			rep, err := s.report(r)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, rep)
		})
	u.API("GET /api/v1/energy/contracts/{id}/settlements", "energy:read", web.Doc{Summary: "节能效益分享结算计划（模型未通过验收且未放行时 409）", Response: Settlement{}, List: true,
		Query: []web.Param{{Name: "through", Help: "截止月 YYYY-MM"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			rep, err := s.report(r)
			if err != nil {
				return err
			}
			if !rep.Settleable {
				return &errs.Error{Code: errs.CodeConflict, Message: "基准模型未通过验收（CV(RMSE) 或 NMBE 超限），管理人员记录放行理由前不能生成结算"}
			}
			return web.JSON(w, http.StatusOK, web.NewItems(rep.Settlements, int64(len(rep.Settlements))))
		})
	u.API("POST /api/v1/energy/contracts/{id}/override", "energy:contract", web.Doc{Summary: "记录基准模型未通过验收时的放行理由", Body: overrideBody{}, Response: Contract{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			var b overrideBody
			if err := web.DecodeJSON(r, &b); err != nil {
				return err
			}
			c, err := s.Override(r.Context(), auth.ScopeFrom(r.Context()), id, b.Reason)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, c)
		})
	u.API("PUT /api/v1/energy/contracts/{id}/settlements/{n}", "energy:contract", web.Doc{Summary: "记录结算期是否已支付", Body: paidBody{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			n, err := web.PathID(r, "n")
			if err != nil {
				return err
			}
			var b paidBody
			if err := web.DecodeJSON(r, &b); err != nil {
				return err
			}
			if err := s.SetPaid(r.Context(), auth.ScopeFrom(r.Context()), id, int(n), b.Paid, b.Note); err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, map[string]any{"period": n, "paid": b.Paid})
		})
	u.API("PUT /api/v1/energy/degree-days", "energy:contract", web.Doc{Summary: "维护各区划逐月采暖度日数和空调度日数（区划须为数据范围内单位所在区划；全部校验通过后在一个事务中写入）", Body: []DegreeDay{}},
		func(w http.ResponseWriter, r *http.Request) error {
			var ds []DegreeDay
			if err := web.DecodeJSON(r, &ds); err != nil {
				return err
			}
			if err := s.SetDegreeDays(r.Context(), auth.ScopeFrom(r.Context()), ds); err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, map[string]any{"saved": len(ds)})
		})
}

// ---- Pages.

type chartOpt = map[string]any

// mvChart draws one type's actual consumption against the model: fitted in the baseline months, the adjusted
// baseline in the reporting months.
func mvChart(t TypeMV) chartOpt {
	var x []string
	var actual, base []any
	for _, r := range t.Baseline {
		x, actual, base = append(x, r.Period), append(actual, math.Round(r.Actual)), append(base, math.Round(r.Baseline))
	}
	split := len(x)
	for _, r := range t.Reporting {
		x, actual, base = append(x, r.Period), append(actual, math.Round(r.Actual)), append(base, math.Round(r.Baseline))
	}
	var marks []any
	if split > 0 && split < len(x) {
		marks = []any{chartOpt{"xAxis": x[split]}}
	}
	return chartOpt{
		"tooltip": chartOpt{"trigger": "axis"},
		"legend":  chartOpt{"data": []string{"实际能耗", "基准能耗（拟合 / 校准）"}, "top": 0, "left": 0},
		"grid":    chartOpt{"left": 64, "right": 16, "top": 48, "bottom": 36},
		"xAxis":   chartOpt{"type": "category", "data": x},
		"yAxis":   chartOpt{"type": "value", "name": energy.UnitLabel(t.Unit), "axisLabel": chartOpt{"formatter": "fmt:thousands"}},
		"series": []any{
			chartOpt{"name": "实际能耗", "type": "line", "data": actual, "symbolSize": 4, "itemStyle": chartOpt{"color": "#1d4f91"},
				"markLine": chartOpt{"symbol": "none", "data": marks, "lineStyle": chartOpt{"color": "#999", "type": "dashed"}}},
			chartOpt{"name": "基准能耗（拟合 / 校准）", "type": "line", "data": base, "symbolSize": 4, "itemStyle": chartOpt{"color": "#e08e0b"},
				"lineStyle": chartOpt{"type": "dashed"}},
		},
	}
}

type listPage struct {
	web.Globals
	Items []Contract
}

type reportPage struct {
	web.Globals
	Report
	Charts      []chartOpt
	History     []history.Entry
	Errors      map[string]string
	Attachments *attach.Panel // the contract, M&V and acceptance documents
}

type formPage struct {
	web.Globals
	C        *Contract
	Form     Input
	Errors   map[string]string
	OrgLabel string
	Types    []web.Option
	Energy   []energy.Type
	Statuses []web.Option
	Shares   string
	Prices   map[string]string
	Bldgs    string
}

func (s *Service) pages() {
	u := s.UI
	crumb := web.Crumb{Label: "menu.energy|节能管理"}
	u.Page("GET /energy/contracts", "energy:read", func(w http.ResponseWriter, r *http.Request) error {
		cs, err := List(r.Context(), s.DB, auth.ScopeFrom(r.Context()), 0)
		if err != nil {
			return err
		}
		if web.WantsExport(r) {
			rows := make([][]any, 0, len(cs))
			for _, c := range cs {
				rows = append(rows, []any{c.Name, c.OrgName, TypeName(c.Type), c.ESCOName, c.ESCOCreditCode, c.SignDate, c.TermStart, c.TermEnd,
					c.BaselineFrom + " — " + c.BaselineTo, strings.Join(energy.TypeNames(c.EnergyTypes), "、"), c.InvestmentYuan, StatusName(c.Status), c.Note})
			}
			return xlsx.Export(w, r, s.DB, s.Clock.Now(), "合同能源管理项目", []string{"项目名称", "用能单位", "合同类型", "节能服务公司",
				"统一社会信用代码", "签订日期", "合同期起", "合同期止", "基期", "能源品种", "投资（元）", "状态", "备注"}, rows, xlsx.Layout{Unit: s.UI.ExportUnit(r, 0), Sum: []string{"投资（元）"}, Blank: []string{"投资（元）"}})
		}
		return u.Render(w, r, http.StatusOK, "emc/list.html", &listPage{Globals: u.G(r, "emc.title|合同能源管理", crumb, web.Crumb{Label: "emc.title|合同能源管理"}), Items: cs})
	})
	u.Page("GET /energy/contracts/new", "energy:contract", func(w http.ResponseWriter, r *http.Request) error {
		return s.renderForm(w, r, http.StatusOK, nil, Input{Type: "shared_savings", Status: "active", EnergyTypes: []string{"electricity"}}, nil)
	})
	u.Page("POST /energy/contracts", "energy:contract", func(w http.ResponseWriter, r *http.Request) error {
		in, f := formInput(r)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderForm(w, r, status, nil, in, fields)
		}, func() (string, string, error) {
			c, err := s.Save(r.Context(), auth.ScopeFrom(r.Context()), 0, in)
			return "/energy/contracts/" + strconv.FormatInt(c.ID, 10), "已登记“" + c.Name + "”", err
		})
	})
	u.Page("GET /energy/contracts/{id}", "energy:read", func(w http.ResponseWriter, r *http.Request) error {
		rep, err := s.report(r)
		if err != nil {
			return err
		}
		return s.renderReport(w, r, http.StatusOK, rep, nil)
	})
	u.Page("GET /energy/contracts/{id}/edit", "energy:contract", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		c, err := Get(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		in := Input{OrgID: c.OrgID, Name: c.Name, ESCOName: c.ESCOName, ESCOCreditCode: c.ESCOCreditCode, Type: c.Type, SignDate: c.SignDate,
			TermStart: c.TermStart, TermEnd: c.TermEnd, BaselineFrom: c.BaselineFrom, BaselineTo: c.BaselineTo, EnergyTypes: c.EnergyTypes,
			BuildingIDs: c.BuildingIDs, InvestmentYuan: c.InvestmentYuan, GuaranteedKgce: c.GuaranteedKgce, Prices: c.Prices, Shares: c.Shares,
			Status: c.Status, Note: c.Note}
		return s.renderForm(w, r, http.StatusOK, &c, in, nil)
	})
	u.Page("POST /energy/contracts/{id}", "energy:contract", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		c, err := Get(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id)
		if err != nil {
			return err
		}
		in, f := formInput(r)
		return u.Submit(w, r, f, func(status int, fields map[string]string) error {
			return s.renderForm(w, r, status, &c, in, fields)
		}, func() (string, string, error) {
			_, err := s.Save(r.Context(), auth.ScopeFrom(r.Context()), id, in)
			return "/energy/contracts/" + strconv.FormatInt(id, 10), "已保存", err
		})
	})
	u.Page("POST /energy/contracts/{id}/override", "energy:contract", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		if _, err := s.Override(r.Context(), auth.ScopeFrom(r.Context()), id, r.PostFormValue("reason")); err != nil {
			return s.failOnPage(w, r, err)
		}
		return u.Redirect(w, r, "/energy/contracts/"+strconv.FormatInt(id, 10), "已记录放行理由")
	})
	u.Page("POST /energy/contracts/{id}/settlements/{n}", "energy:contract", func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		n, err := web.PathID(r, "n")
		if err != nil {
			return err
		}
		if err := s.SetPaid(r.Context(), auth.ScopeFrom(r.Context()), id, int(n), r.PostFormValue("paid") == "true", r.PostFormValue("note")); err != nil {
			return s.failOnPage(w, r, err)
		}
		return u.Redirect(w, r, "/energy/contracts/"+strconv.FormatInt(id, 10), "已记录结算支付")
	})
	u.Page("GET /energy/contracts/{id}/mv.xlsx", "energy:read", func(w http.ResponseWriter, r *http.Request) error {
		rep, err := s.report(r)
		if err != nil {
			return err
		}
		return s.exportReport(w, r, rep, false)
	})
	u.Page("GET /energy/contracts/{id}/settlements.xlsx", "energy:read", func(w http.ResponseWriter, r *http.Request) error {
		rep, err := s.report(r)
		if err != nil {
			return err
		}
		if !rep.Settleable {
			return &errs.Error{Code: errs.CodeConflict, Message: "基准模型未通过验收，记录放行理由前不能生成结算"}
		}
		return s.exportReport(w, r, rep, true)
	})
}

// failOnPage answers a refused form post of the contract page: field errors show on the page, others go up.
func (s *Service) failOnPage(w http.ResponseWriter, r *http.Request, err error) error {
	e := errs.As(err)
	if e == nil || e.Fields == nil {
		return err
	}
	rep, err := s.report(r)
	if err != nil {
		return err
	}
	return s.renderReport(w, r, errs.Status(e.Code), rep, e.Fields)
}

func (s *Service) renderReport(w http.ResponseWriter, r *http.Request, status int, rep Report, fields map[string]string) error {
	c := rep.Contract
	p := &reportPage{Globals: s.UI.G(r, c.Name, web.Crumb{Label: "menu.energy|节能管理"}, web.Crumb{Label: "emc.title|合同能源管理", Path: "/energy/contracts"},
		web.Crumb{Label: c.Name}), Report: rep, Errors: fields}
	for _, t := range rep.Types {
		p.Charts = append(p.Charts, mvChart(t))
	}
	var err error
	if p.History, err = history.List(r.Context(), s.DB, objContract, c.ID, 50); err != nil {
		return err
	}
	p.Attachments = s.Attach.PagePanel(r, objContract, c.ID)
	return s.UI.Render(w, r, status, "emc/report.html", p)
}

// exportReport writes the M&V report (model, months, settlements) or only the settlement schedule.
func (s *Service) exportReport(w http.ResponseWriter, r *http.Request, rep Report, settlementsOnly bool) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	sheet := func(name string, rows [][]any) error {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		for i, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				return err
			}
		}
		if len(rows) > 0 {
			end, _ := excelize.CoordinatesToCellName(len(rows[0]), 1)
			_ = f.SetCellStyle(name, "A1", end, bold)
		}
		return f.SetColWidth(name, "A", "M", 14)
	}
	c := rep.Contract
	set := [][]any{{"期次", "首月", "末月", "有数据月数", "已结束", "节能量(kgce)", "节约费用(元)", "节能服务公司比例", "节能服务公司分享(元)", "用能单位分享(元)", "保证节能量缺口(kgce)", "付款期限", "已支付"}}
	for _, st := range rep.Settlements {
		set = append(set, []any{st.No, st.From, st.To, st.Months, yesNo(st.Complete), st.Kgce, st.Yuan, st.ESCOShare, st.ESCOYuan, st.UnitYuan, st.Shortfall, st.Due, yesNo(st.Paid)})
	}
	title := c.Name + "-结算计划"
	if settlementsOnly {
		if err := sheet("结算计划", set); err != nil {
			return err
		}
	} else {
		title = c.Name + "-节能量测量与验证报告"
		verdict := "通过"
		if !rep.Accepted {
			verdict = "未通过"
		}
		sum := [][]any{{"项目", c.Name}, {"用能单位", c.OrgName}, {"节能服务公司", c.ESCOName + "（" + c.ESCOCreditCode + "）"}, {"合同类型", c.TypeName()},
			{"合同期", c.TermStart + " 至 " + c.TermEnd}, {"基期", c.BaselineFrom + " 至 " + c.BaselineTo}, {"报告截止月", rep.Through},
			{"方法", "IPMVP 方案 C（整体设施、月度数据），OLS 回归：能耗 ~ 截距 + HDD + CDD（+ 用能人数），剔除不显著自变量"},
			{"验收标准", "CV(RMSE) ≤ " + pctS(rep.Criteria.CVRMSEMax) + "，|NMBE| ≤ " + pctS(rep.Criteria.NMBEMax) + "（" + rep.Criteria.Source + "，自由度 n−p）"},
			{"验收结论", verdict}, {"放行理由", c.OverrideReason}, {"累计节能量(kgce)", num.Round(rep.Kgce, 1)}, {"累计减排CO₂(kg)", num.Round(rep.CO2Kg, 1)},
			{"累计节约费用(元)", num.Round(rep.Yuan, 2)}}
		for _, t := range rep.Types {
			sum = append(sum, []any{""}, []any{"品种", energy.TypeName(t.EnergyType), "单位", t.Unit}, []any{"项", "系数", "标准误", "t", "p"})
			for i, term := range t.Model.Terms {
				sum = append(sum, []any{term, t.Model.Coef[i], t.Model.SE[i], t.Model.T[i], t.Model.P[i]})
			}
			sum = append(sum, []any{"n", t.Model.N, "p", t.Model.K, "R²", t.Model.R2}, []any{"CV(RMSE)", t.Model.CVRMSE, "NMBE", t.Model.NMBE, "通过", yesNo(t.Accepted)})
		}
		if err := sheet("报告", sum); err != nil {
			return err
		}
		months := [][]any{{"品种", "月份", "阶段", "HDD", "CDD", "实际能耗", "基准能耗", "节能量", "节能量(kgce)", "减排CO₂(kg)", "节约费用(元)"}}
		for _, t := range rep.Types {
			for _, m := range t.Baseline {
				months = append(months, []any{energy.TypeName(t.EnergyType), m.Period, "基期", m.HDD, m.CDD, m.Actual, num.Round(m.Baseline, 2), "", "", "", ""})
			}
			for _, m := range t.Reporting {
				months = append(months, []any{energy.TypeName(t.EnergyType), m.Period, "报告期", m.HDD, m.CDD, m.Actual, num.Round(m.Baseline, 2), num.Round(m.Saved, 2),
					num.Round(m.Kgce, 2), num.Round(m.CO2Kg, 2), num.Round(m.Yuan, 2)})
			}
		}
		if err := sheet("逐月", months); err != nil {
			return err
		}
		if rep.Settleable {
			if err := sheet("结算计划", set); err != nil {
				return err
			}
		}
	}
	_ = f.DeleteSheet("Sheet1")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return errs.Internal(err)
	}
	now := s.Clock.Now()
	if err := s.DB.Tx(r.Context(), func(q db.Q) error {
		return audit.Record(r.Context(), q, now, audit.Entry{Action: "export.xlsx", ObjectType: "energy_contract", ObjectID: c.ID, OrgID: c.OrgID, Success: true,
			Extra: map[string]any{"path": r.URL.Path, "query": r.URL.RawQuery}})
	}); err != nil {
		return err
	}
	xlsx.Send(w, title+"-"+rep.Through, buf.Bytes())
	return nil
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

func pctS(v float64) string { return strconv.FormatFloat(v*100, 'f', -1, 64) + "%" }

func formInput(r *http.Request) (Input, errs.Fields) {
	f := errs.Fields{}
	in := Input{Name: r.PostFormValue("name"), ESCOName: r.PostFormValue("esco_name"), ESCOCreditCode: r.PostFormValue("esco_credit_code"),
		Type: r.PostFormValue("contract_type"), SignDate: r.PostFormValue("sign_date"), TermStart: r.PostFormValue("term_start"),
		TermEnd: r.PostFormValue("term_end"), BaselineFrom: r.PostFormValue("baseline_from"), BaselineTo: r.PostFormValue("baseline_to"),
		Status: r.PostFormValue("status"), Note: r.PostFormValue("note"), Prices: map[string]float64{}}
	in.OrgID = web.FormInt(r, "org_id", f)
	_ = r.ParseForm()
	in.EnergyTypes = r.PostForm["energy_types"]
	if r.PostFormValue("investment_yuan") != "" {
		in.InvestmentYuan = web.FormFloat(r, "investment_yuan", f)
	}
	if r.PostFormValue("guaranteed_kgce") != "" {
		in.GuaranteedKgce = web.FormFloat(r, "guaranteed_kgce", f)
	}
	for _, t := range energy.Types {
		if v := strings.TrimSpace(r.PostFormValue("price_" + t.Code)); v != "" {
			in.Prices[t.Code] = web.FormFloat(r, "price_"+t.Code, f)
		}
	}
	for _, b := range strings.FieldsFunc(r.PostFormValue("building_ids"), func(c rune) bool { return c == ',' || c == '，' || c == ' ' }) {
		id, err := strconv.ParseInt(b, 10, 64)
		if err != nil {
			f.Add("building_ids", "楼栋编号应为数字，用逗号分隔")
			continue
		}
		in.BuildingIDs = append(in.BuildingIDs, id)
	}
	// Shares: one line per range, "1-3:80" (years 1–3, ESCO 80 %).
	for _, line := range strings.FieldsFunc(r.PostFormValue("shares"), func(c rune) bool { return c == '\n' || c == ';' || c == '；' }) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		yrs, pct, ok := strings.Cut(strings.ReplaceAll(line, "：", ":"), ":")
		a, b, _ := strings.Cut(strings.ReplaceAll(yrs, "–", "-"), "-")
		from, e1 := strconv.Atoi(strings.TrimSpace(a))
		to := from
		var e2 error
		if strings.TrimSpace(b) != "" {
			to, e2 = strconv.Atoi(strings.TrimSpace(b))
		}
		p, e3 := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(pct), "%")), 64)
		if !ok || e1 != nil || e2 != nil || e3 != nil {
			f.Add("shares", "分享比例每行写作“起始年-截止年:节能服务公司比例%”，如 1-3:80")
			continue
		}
		in.Shares = append(in.Shares, Share{From: from, To: to, ESCOPct: p})
	}
	return in, f
}

func (s *Service) renderForm(w http.ResponseWriter, r *http.Request, status int, c *Contract, in Input, fields map[string]string) error {
	title := "emc.new|登记合同能源管理项目"
	crumbs := []web.Crumb{{Label: "menu.energy|节能管理"}, {Label: "emc.title|合同能源管理", Path: "/energy/contracts"}}
	if c != nil {
		title = "emc.edit|编辑合同能源管理项目"
		crumbs = append(crumbs, web.Crumb{Label: c.Name, Path: "/energy/contracts/" + strconv.FormatInt(c.ID, 10)})
	}
	crumbs = append(crumbs, web.Crumb{Label: title})
	p := &formPage{Globals: s.UI.G(r, title, crumbs...), C: c, Form: in, Errors: fields, Types: ContractTypes, Statuses: Statuses, Prices: map[string]string{}}
	for _, t := range energy.Types {
		if t.Counted {
			p.Energy = append(p.Energy, t)
		}
	}
	var lines []string
	for _, sh := range in.Shares {
		lines = append(lines, strconv.Itoa(sh.From)+"-"+strconv.Itoa(sh.To)+":"+strconv.FormatFloat(sh.ESCOPct, 'f', -1, 64))
	}
	p.Shares = strings.Join(lines, "\n")
	for k, v := range in.Prices {
		p.Prices[k] = strconv.FormatFloat(v, 'f', -1, 64)
	}
	p.Bldgs = joinIDs(in.BuildingIDs)
	if in.OrgID != 0 {
		p.OrgLabel = org.Tree{}.OrgLabel(r.Context(), s.DB, in.OrgID)
	}
	return s.UI.Render(w, r, status, "emc/form.html", p)
}
