package energy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/govops/govops/internal/org"
	"github.com/govops/govops/internal/platform/auth"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/module"
	"github.com/govops/govops/internal/platform/refdata"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

// MaxReadingsBody bounds the body of POST /api/v1/energy/readings.
const MaxReadingsBody = 16 << 20

// queryYear is the year asked for (def when absent), from the first statistics year on.
func queryYear(r *http.Request, def int) (int, error) { return web.QueryYear(r, def, minYear, 9999) }

func queryRegion(r *http.Request) (string, error) {
	s := strings.TrimSpace(r.URL.Query().Get("region_code"))
	if !refdata.ValidRegion(s) {
		return "", errs.Invalid("region_code", "行政区划代码应为 6 位数字（空为全国）")
	}
	return s, nil
}

func queryBool(r *http.Request, name string) bool {
	v := r.URL.Query().Get(name)
	return v == "true" || v == "1"
}

// formBool reads a boolean field of a posted (multipart) form: "true", "1" or "on".
func formBool(r *http.Request, name string) bool {
	v := r.PostFormValue(name)
	return v == "true" || v == "1" || v == "on"
}

// parseSelection reads org_id, subtree, region_code and category, checking the unit is in scope (404).
func (s *Service) parseSelection(r *http.Request) (Selection, error) {
	var sel Selection
	var err error
	if sel.OrgID, err = web.QueryInt(r, "org_id"); err != nil {
		return sel, err
	}
	sel.Subtree = queryBool(r, "subtree")
	if sel.RegionCode, err = queryRegion(r); err != nil {
		return sel, err
	}
	sel.Category = strings.TrimSpace(r.URL.Query().Get("category"))
	if sel.Category != "" && !org.Categories.Has(sel.Category) {
		return sel, errs.Invalid("category", "统计类别应为 organ、higher_education、school、hospital、venue 或 other")
	}
	if sel.OrgID != 0 {
		if _, err := org.GetOrg(r.Context(), s.DB, auth.ScopeFrom(r.Context()), sel.OrgID); err != nil {
			return sel, err
		}
	} else if sel.Subtree {
		return sel, errs.Invalid("org_id", "subtree=true 需要给出 org_id")
	}
	return sel, nil
}

func (s *Service) parseSpan(r *http.Request) (Span, error) {
	y, err := queryYear(r, PeriodOf(s.Clock.Now().Unix()).Year)
	if err != nil {
		return Span{}, err
	}
	sp := Span{Year: y}
	if v := r.URL.Query().Get("quarter"); v != "" {
		if sp.Quarter, err = strconv.Atoi(v); err != nil {
			return sp, errs.Invalid("quarter", "季度应为 1–4")
		}
	}
	if v := r.URL.Query().Get("month"); v != "" {
		if sp.Month, err = strconv.Atoi(v); err != nil {
			return sp, errs.Invalid("month", "月份应为 1–12")
		}
	}
	if v := r.URL.Query().Get("through"); v != "" {
		if sp.Through, err = strconv.Atoi(v); err != nil {
			return sp, errs.Invalid("through", "截止月份应为 1–12")
		}
	}
	return sp, sp.check()
}

var (
	selQuery = []web.Param{{Name: "org_id", Type: "integer", Help: "单位；缺省为整个数据范围"}, {Name: "subtree", Type: "boolean", Help: "含下级单位"},
		{Name: "region_code", Help: "只统计该行政区划内的单位"}, {Name: "category", Help: "统计类别 organ|higher_education|school|hospital|venue|other"}}
	spanQuery = []web.Param{{Name: "year", Type: "integer", Help: "核算年度，默认今年"}, {Name: "quarter", Type: "integer", Help: "1–4"},
		{Name: "month", Type: "integer", Help: "1–12"}, {Name: "through", Type: "integer", Help: "年初至该月累计（1–12）"}}
)

type orgYearBody struct {
	OrgID       int64   `json:"org_id"`
	Year        int     `json:"year"`
	Headcount   int64   `json:"headcount"`
	FloorAreaM2 float64 `json:"floor_area_m2"`
}

// requestFactors reads ?year= (default this year) and ?region_code= and loads the factors of that accounting year.
func (s *Service) requestFactors(r *http.Request) (*Factors, string, error) {
	y, err := queryYear(r, PeriodOf(s.Clock.Now().Unix()).Year)
	if err != nil {
		return nil, "", err
	}
	region, err := queryRegion(r)
	if err != nil {
		return nil, "", err
	}
	f, err := LoadFactors(r.Context(), s.DB, y)
	return f, region, err
}

func (s *Service) api() {
	u := s.UI
	u.API("GET /api/v1/energy/types", "energy:read", web.Doc{Summary: "能源品种、计量单位与折标准煤系数（含来源）", Response: TypeFactor{}, List: true,
		Query: []web.Param{{Name: "year", Type: "integer", Help: "核算年度，默认今年"}, {Name: "region_code", Help: "按该区划选用系数"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			f, region, err := s.requestFactors(r)
			if err != nil {
				return err
			}
			items := TypeFactors(f, region)
			return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
		})
	u.API("GET /api/v1/energy/emission-factors", "energy:read", web.Doc{Summary: "二氧化碳排放因子：核算年度 Y 采用数据年份不晚于 Y 的最新已发布因子",
		Response: EmissionFactor{}, List: true,
		Query: []web.Param{{Name: "year", Type: "integer", Help: "核算年度，默认今年"}, {Name: "region_code", Help: "按该区划选用因子（区域电网、省级因子）"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			f, region, err := s.requestFactors(r)
			if err != nil {
				return err
			}
			items := EmissionFactors(f, region)
			return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
		})

	u.API("GET /api/v1/energy/consumption", "energy:read", web.Doc{Summary: "单位某年的月度能耗填报记录", Response: Entry{}, List: true,
		Query: []web.Param{{Name: "org_id", Type: "integer", Required: true}, {Name: "year", Type: "integer"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.QueryInt(r, "org_id")
			if err != nil {
				return err
			}
			y, err := queryYear(r, PeriodOf(s.Clock.Now().Unix()).Year)
			if err != nil {
				return err
			}
			items, err := ListEntries(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id, y)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
		})
	u.API("POST /api/v1/energy/consumption", "energy:enter", web.Doc{Summary: "填报月度能耗（同一单位、月份、品种再次填报即替换，留痕审计）；新建 201，替换或无变化 200",
		Body: ConsumptionInput{}, Response: Entry{}, Status: 201},
		func(w http.ResponseWriter, r *http.Request) error {
			var in ConsumptionInput
			if err := web.DecodeJSON(r, &in); err != nil {
				return err
			}
			e, err := s.SetConsumption(r.Context(), auth.ScopeFrom(r.Context()), in, "api")
			if err != nil {
				return err
			}
			st := http.StatusOK
			if e.Created {
				st = http.StatusCreated
			}
			return web.JSON(w, st, e)
		})
	u.API("DELETE /api/v1/energy/consumption/{org_id}/{period}/{energy_type}", "energy:enter", web.Doc{Summary: "删除月度能耗填报（该月改按总表计量）", Status: 204},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "org_id")
			if err != nil {
				return err
			}
			if err := s.DeleteConsumption(r.Context(), auth.ScopeFrom(r.Context()), id, r.PathValue("period"), r.PathValue("energy_type")); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		})
	s.importAPI()
	u.API("GET /api/v1/energy/consumption/changes", "energy:read", web.Doc{Summary: "月度能耗填报的修改记录（新到旧：修改前后数量、来源、核对提示及确认说明）", Response: Change{}, List: true,
		Query: []web.Param{{Name: "org_id", Type: "integer", Required: true}, {Name: "year", Type: "integer", Help: "年度，默认今年"},
			{Name: "period", Help: "YYYY-MM：只看该月（优先于 year）"}, {Name: "energy_type", Help: "只看该品种"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			l, err := web.ParseList(r)
			if err != nil {
				return err
			}
			f := ChangeFilter{Period: strings.TrimSpace(r.URL.Query().Get("period")), EnergyType: strings.TrimSpace(r.URL.Query().Get("energy_type")),
				Limit: l.PageSize, Offset: l.Offset()}
			if f.OrgID, err = web.QueryInt(r, "org_id"); err != nil {
				return err
			}
			if f.OrgID == 0 {
				return errs.Invalid("org_id", "请指定单位")
			}
			if f.Year, err = queryYear(r, PeriodOf(s.Clock.Now().Unix()).Year); err != nil {
				return err
			}
			items, total, err := ListEntryChanges(r.Context(), s.DB, auth.ScopeFrom(r.Context()), f)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, total))
		})
	u.API("GET /api/v1/energy/org-years", "energy:read", web.Doc{Summary: "单位某年的用能人数与建筑面积（未填报时为单位当前值）", Response: OrgYear{},
		Query: []web.Param{{Name: "org_id", Type: "integer", Required: true}, {Name: "year", Type: "integer"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.QueryInt(r, "org_id")
			if err != nil {
				return err
			}
			y, err := queryYear(r, PeriodOf(s.Clock.Now().Unix()).Year)
			if err != nil {
				return err
			}
			if _, err := org.GetOrg(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id); err != nil {
				return err
			}
			oy, err := GetOrgYear(r.Context(), s.DB, id, y)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, oy)
		})
	u.API("PUT /api/v1/energy/org-years", "energy:enter", web.Doc{Summary: "填报单位某年的用能人数与建筑面积", Body: orgYearBody{}, Response: OrgYear{}},
		func(w http.ResponseWriter, r *http.Request) error {
			var b orgYearBody
			if err := web.DecodeJSON(r, &b); err != nil {
				return err
			}
			oy, err := s.SetOrgYear(r.Context(), auth.ScopeFrom(r.Context()), OrgYear{OrgID: b.OrgID, Year: b.Year, Headcount: b.Headcount, FloorAreaM2: b.FloorAreaM2})
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, oy)
		})

	module.List(s.Deps, "GET /api/v1/energy/meters", "energy:read", web.Doc{Summary: "计量表列表", Query: []web.Param{
		{Name: "org_id", Type: "integer"}, {Name: "subtree", Type: "boolean"}, {Name: "building_id", Type: "integer"}, {Name: "parent_id", Type: "integer"},
		{Name: "energy_type"}, {Name: "status", Help: "active|retired"}}}, parseMeterFilter, ListMeters)
	module.Create(s.Deps, "POST /api/v1/energy/meters", "energy:write", web.Doc{Summary: "新增计量表"}, s.CreateMeter)
	module.Get(s.Deps, "GET /api/v1/energy/meters/{id}", "energy:read", web.Doc{Summary: "计量表详情"}, GetMeter)
	module.Update(s.Deps, "PATCH /api/v1/energy/meters/{id}", "energy:write", web.Doc{Summary: "修改计量表（给出全部字段；倍率等变化后重算汇总）"}, s.UpdateMeter)
	u.API("POST /api/v1/energy/readings", "energy:ingest", web.Doc{Summary: "批量上传读数 [{meter_id, ts, value}…]（上限 10 万条；同一表同一时刻重复为无操作；落盘后应答）",
		Body: []ReadingInput{}, Response: IngestResult{}},
		func(w http.ResponseWriter, r *http.Request) error {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxReadingsBody))
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return &errs.Error{Code: errs.CodeTooLarge, Message: "请求体过大（上限 16 MB），请分批上传"}
				}
				return errs.BadRequest("请求体读取失败")
			}
			rs, err := DecodeReadings(body)
			if err != nil {
				return err
			}
			res, err := s.IngestReadings(r.Context(), auth.ScopeFrom(r.Context()), rs, "api")
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, res)
		})
	u.API("GET /api/v1/energy/meters/{id}/series", "energy:read", web.Doc{Summary: "计量表用量曲线（原始区间、小时或日汇总，LTTB 降采样）", Response: Series{},
		Query: []web.Param{{Name: "from", Help: "开始日期 YYYY-MM-DD"}, {Name: "to", Help: "结束日期 YYYY-MM-DD（含）"}, {Name: "max_points", Type: "integer"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			from, to, err := chartRange(r.URL.Query().Get("from"), r.URL.Query().Get("to"), s.Clock.Now())
			if err != nil {
				return err
			}
			max, err := web.QueryInt(r, "max_points")
			if err != nil {
				return err
			}
			s.WaitRollups(r.Context())
			sr, err := MeterSeries(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id, from, to, int(max))
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, sr)
		})
	u.API("GET /api/v1/energy/meters/{id}/balance", "energy:read", web.Doc{Summary: "总分表平衡校核（下级表或同楼栋分项表合计与总表逐月比较）", Response: Balance{},
		Query: []web.Param{{Name: "year", Type: "integer"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := web.PathID(r, "id")
			if err != nil {
				return err
			}
			y, err := queryYear(r, PeriodOf(s.Clock.Now().Unix()).Year)
			if err != nil {
				return err
			}
			s.WaitRollups(r.Context())
			b, err := MeterBalance(r.Context(), s.DB, auth.ScopeFrom(r.Context()), id, y)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, b)
		})
	u.API("GET /api/v1/energy/anomalies", "energy:read", web.Doc{Summary: "读数异常（读数减少、断档、突增）", Response: Anomaly{}, List: true, Query: []web.Param{
		{Name: "status", Help: "open|resolved"}, {Name: "kind", Help: "decrease|gap|spike"}, {Name: "meter_id", Type: "integer"}, {Name: "org_id", Type: "integer", Help: "含下级"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			f, err := parseAnomalyFilter(r)
			if err != nil {
				return err
			}
			s.WaitRollups(r.Context())
			list, total, err := ListAnomalies(r.Context(), s.DB, auth.ScopeFrom(r.Context()), f)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(list, total))
		})
	module.Update(s.Deps, "POST /api/v1/energy/anomalies/{id}/resolve", "energy:write", web.Doc{Summary: "处理读数异常（已处理的再次处理 409）"}, s.ResolveAnomaly)

	u.API("GET /api/v1/energy/indicators", "energy:read", web.Doc{Summary: "能耗指标：综合能耗、人均、单位面积、用水、碳排放及分品种（单位、下级合计、区划、类别；年、季、月）",
		Response: Indicators{}, Query: append(append([]web.Param{}, selQuery...), spanQuery...)},
		func(w http.ResponseWriter, r *http.Request) error {
			sel, err := s.parseSelection(r)
			if err != nil {
				return err
			}
			sp, err := s.parseSpan(r)
			if err != nil {
				return err
			}
			s.WaitRollups(r.Context())
			in, err := s.computeCached(r.Context(), auth.ScopeFrom(r.Context()), sel, sp)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, in)
		})
	u.API("GET /api/v1/energy/progress", "energy:read", web.Doc{Summary: "同比、较所在规划期基准年的变化与该期目标完成进度（十四五 2021–2025 以 2020 为基准，十五五 2026–2030 以 2025 为基准；未配置目标的规划期只给变化）", Response: Progress{},
		Query: append(append([]web.Param{}, selQuery...), spanQuery...)},
		func(w http.ResponseWriter, r *http.Request) error {
			sel, err := s.parseSelection(r)
			if err != nil {
				return err
			}
			sp, err := s.parseSpan(r)
			if err != nil {
				return err
			}
			sp = s.yearToDate(sp)
			s.WaitRollups(r.Context())
			p, err := s.progressCached(r.Context(), auth.ScopeFrom(r.Context()), sel, sp, false)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, p.P)
		})
	u.API("GET /api/v1/energy/rankings", "energy:read", web.Doc{Summary: "单位排名（同一统计类别内，按指标由低到高；附较所在规划期基准年的变化）", Response: RankItem{}, List: true,
		Query: append(append([]web.Param{{Name: "indicator", Help: "per_area_kgce|per_capita_kgce|per_capita_water|per_area_co2|total_kgce"}}, selQuery...), spanQuery...)},
		func(w http.ResponseWriter, r *http.Request) error {
			sel, err := s.parseSelection(r)
			if err != nil {
				return err
			}
			if sel.OrgID != 0 {
				sel.Subtree = true
			}
			sp, err := s.parseSpan(r)
			if err != nil {
				return err
			}
			ind := r.URL.Query().Get("indicator")
			if ind == "" {
				ind = IndPerAreaKgce
			}
			items, err := s.rankingsCached(r.Context(), auth.ScopeFrom(r.Context()), sel, sp, ind)
			if err != nil {
				return err
			}
			if items, _, err = s.withBaseline(r.Context(), auth.ScopeFrom(r.Context()), sel, sp, ind, items); err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
		})
	u.API("GET /api/v1/energy/rankings/regions", "energy:read", web.Doc{Summary: "区域排名：各县（区）或各市之间比较（区域内有数据单位合计后按指标由低到高）",
		Response: RegionRankItem{}, List: true,
		Query: append(append([]web.Param{{Name: "by", Help: "county 县（区）之间（默认）|city 市之间"},
			{Name: "indicator", Help: "per_area_kgce|per_capita_kgce|per_capita_water|per_area_co2|total_kgce"}}, selQuery...), spanQuery...)},
		func(w http.ResponseWriter, r *http.Request) error {
			sel, err := s.parseSelection(r)
			if err != nil {
				return err
			}
			if sel.OrgID != 0 {
				sel.Subtree = true
			}
			sp, err := s.parseSpan(r)
			if err != nil {
				return err
			}
			by := r.URL.Query().Get("by")
			switch by {
			case "":
				by = ByCounty
			case ByCounty, ByCity:
			default:
				return errs.Invalid("by", "分组应为 county（县区）或 city（市）")
			}
			ind := r.URL.Query().Get("indicator")
			if ind == "" {
				ind = IndPerAreaKgce
			} else if _, ok := indicatorDef(ind); !ok {
				return errs.Invalid("indicator", "指标应为 per_area_kgce、per_capita_kgce、per_capita_water、per_area_co2 或 total_kgce")
			}
			s.WaitRollups(r.Context())
			items, err := RegionRankings(r.Context(), s.DB, auth.ScopeFrom(r.Context()), sel, sp, ind, by)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
		})
	u.API("GET /api/v1/energy/trend", "energy:read", web.Doc{Summary: "逐月分品种用量、折标煤与碳排放", Response: Trend{},
		Query: append(append([]web.Param{}, selQuery...), web.Param{Name: "year", Type: "integer"})},
		func(w http.ResponseWriter, r *http.Request) error {
			sel, err := s.parseSelection(r)
			if err != nil {
				return err
			}
			y, err := queryYear(r, PeriodOf(s.Clock.Now().Unix()).Year)
			if err != nil {
				return err
			}
			s.WaitRollups(r.Context())
			tr, err := MonthlyTrend(r.Context(), s.DB, auth.ScopeFrom(r.Context()), sel, y, nil)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, tr)
		})
	u.API("GET /api/v1/energy/sub-items", "energy:read", web.Doc{Summary: "分项用电（照明插座、空调、动力、特殊）逐月合计", Response: SubItemFigure{}, List: true,
		Query: append(append([]web.Param{}, selQuery...), web.Param{Name: "building_id", Type: "integer"}, web.Param{Name: "year", Type: "integer"})},
		func(w http.ResponseWriter, r *http.Request) error {
			sel, err := s.parseSelection(r)
			if err != nil {
				return err
			}
			bid, err := web.QueryInt(r, "building_id")
			if err != nil {
				return err
			}
			y, err := queryYear(r, PeriodOf(s.Clock.Now().Unix()).Year)
			if err != nil {
				return err
			}
			s.WaitRollups(r.Context())
			items, err := SubItemBreakdown(r.Context(), s.DB, auth.ScopeFrom(r.Context()), sel, bid, y)
			if err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, int64(len(items))))
		})
}

func parseMeterFilter(r *http.Request) (MeterFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return MeterFilter{}, err
	}
	f := MeterFilter{List: l, Subtree: queryBool(r, "subtree"), EnergyType: r.URL.Query().Get("energy_type"), Status: r.URL.Query().Get("status")}
	if f.OrgID, err = web.QueryInt(r, "org_id"); err != nil {
		return f, err
	}
	if f.BuildingID, err = web.QueryInt(r, "building_id"); err != nil {
		return f, err
	}
	if f.ParentID, err = web.QueryInt(r, "parent_id"); err != nil {
		return f, err
	}
	return f, nil
}

func parseAnomalyFilter(r *http.Request) (AnomalyFilter, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return AnomalyFilter{}, err
	}
	f := AnomalyFilter{List: l, Status: r.URL.Query().Get("status"), Kind: r.URL.Query().Get("kind")}
	if f.MeterID, err = web.QueryInt(r, "meter_id"); err != nil {
		return f, err
	}
	if f.OrgID, err = web.QueryInt(r, "org_id"); err != nil {
		return f, err
	}
	if f.Status != "" && f.Status != "open" && f.Status != "resolved" {
		return f, errs.Invalid("status", "状态应为 open 或 resolved")
	}
	if f.Kind != "" && f.Kind != KindDecrease && f.Kind != KindGap && f.Kind != KindSpike {
		return f, errs.Invalid("kind", "类型应为 decrease、gap 或 spike")
	}
	return f, nil
}

// importAPI registers the Excel import of monthly entries and its template.
func (s *Service) importAPI() {
	s.UI.API("POST /api/v1/energy/consumption/import", "energy:enter", web.Doc{Summary: "Excel 批量导入月度能耗（multipart 字段 file；dry_run=true 只校验；有错误行时整体不写入并返回 422 validation；" +
		"有与往期差异较大的行时须 confirm=true 并填写 reason（表单字段或查询参数），否则返回 422 plausibility；模板示例行被拒绝；keep=true 保留文件并应答 token，确认时以 token 代替文件）",
		Response: ImportReport{}, Query: []web.Param{{Name: "dry_run", Type: "boolean", Help: "只校验"},
			{Name: "confirm", Type: "boolean", Help: "确认全部与往期差异较大的行"}, {Name: "reason", Help: "确认时必填的说明"},
			{Name: "keep", Type: "boolean", Help: "保留上传的文件（1 小时），应答的 token 可代替文件再次提交"},
			{Name: "token", Help: "以保留的文件代替 file（同一用户；导入成功后失效）"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			r.Body = http.MaxBytesReader(w, r.Body, xlsx.MaxUpload+1<<20)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
				if err := r.ParseMultipartForm(32 << 20); err != nil {
					return errs.Invalid("file", "请选择要上传的 Excel 文件")
				}
			}
			k, err := s.importFile(r, s.Clock.Now(), queryBool(r, "keep") || formBool(r, "keep"))
			if err != nil {
				return err
			}
			rows, err := xlsx.Read(bytes.NewReader(k.Data), ImportColumns)
			if err != nil {
				return err
			}
			o := ImportOptions{DryRun: queryBool(r, "dry_run") || formBool(r, "dry_run"), Confirm: queryBool(r, "confirm") || formBool(r, "confirm"),
				Reason: r.FormValue("reason")}
			rep, err := s.ImportConsumption(r.Context(), auth.ScopeFrom(r.Context()), rows, o)
			if err != nil {
				return err
			}
			if k.Token != "" {
				// A file with errors must be corrected and sent again, and an imported one has served: neither is kept.
				if !rep.OK() || (!o.DryRun && !rep.NeedsConfirm()) {
					if err := dropImportFile(r.Context(), s.DB, k.Token); err != nil {
						return err
					}
				} else {
					rep.Token, rep.TokenExpiresAt = k.Token, k.Expires.In(Shanghai).Format(time.RFC3339)
				}
			}
			type answer struct {
				Error  errBody      `json:"error"`
				Report ImportReport `json:"report"`
			}
			if !rep.OK() {
				return web.JSON(w, http.StatusUnprocessableEntity, answer{errBody{Code: string(errs.CodeValidation), Message: "导入文件有错误行，未写入任何数据"}, rep})
			}
			if !o.DryRun && rep.NeedsConfirm() {
				return web.JSON(w, http.StatusUnprocessableEntity, answer{errBody{Code: string(errs.CodePlausibility),
					Message: fmt.Sprintf("有 %d 行与往期差异较大，未写入任何数据；确认无误请以 confirm=true 并填写 reason 重新提交", len(rep.Warnings))}, rep})
			}
			return web.JSON(w, http.StatusOK, rep)
		})
	s.UI.API("GET /api/v1/energy/consumption/import/template", "energy:enter", web.Doc{Summary: "月度能耗导入模板", Binary: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		func(w http.ResponseWriter, r *http.Request) error {
			b, err := xlsx.Template(ImportColumns, "月度能耗")
			if err != nil {
				return err
			}
			xlsx.Send(w, "月度能耗导入模板", b)
			return nil
		})
}

type errBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// yearToDate narrows a whole-year span of the current year to the months completed so far, so that it is compared
// with the same months of the previous and baseline years.
func (s *Service) yearToDate(sp Span) Span {
	cur := PeriodOf(s.Clock.Now().Unix())
	if sp.Year == cur.Year && sp.Quarter == 0 && sp.Month == 0 && sp.Through == 0 && cur.Month > 1 {
		sp.Through = cur.Month - 1
	}
	return sp
}
