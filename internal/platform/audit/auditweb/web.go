// Package auditweb is the audit administrator's page and API over the audit log.
package auditweb

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"time"

	"github.com/govops/govops/internal/platform/audit"
	"github.com/govops/govops/internal/platform/clock"
	"github.com/govops/govops/internal/platform/db"
	"github.com/govops/govops/internal/platform/errs"
	"github.com/govops/govops/internal/platform/web"
	"github.com/govops/govops/internal/platform/xlsx"
)

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed i18n/en.json
var catalogEN []byte

type auditPage struct {
	web.Globals
	Items             []audit.Item
	Pager             web.Pager
	F                 audit.Filter
	From, To, Success string
	Verify            *verifyResult
}

type verifyResult struct {
	OK   bool
	Text string
}

func parseFilter(r *http.Request) (audit.Filter, web.List, error) {
	l, err := web.ParseList(r)
	if err != nil {
		return audit.Filter{}, l, err
	}
	qv := r.URL.Query()
	f := audit.Filter{Actor: qv.Get("actor"), Action: qv.Get("action"), Offset: l.Offset(), Limit: l.PageSize}
	fe := errs.Fields{}
	for _, p := range []struct {
		name string
		dst  *time.Time
		add  int
	}{{"from", &f.From, 0}, {"to", &f.To, 1}} {
		v := qv.Get(p.name)
		if v == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, v, clock.Shanghai)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, v); err != nil {
				fe.Add(p.name, "日期格式应为 YYYY-MM-DD 或 RFC 3339")
				continue
			}
			*p.dst = t
			continue
		}
		*p.dst = t.AddDate(0, 0, p.add)
	}
	switch qv.Get("success") {
	case "true":
		b := true
		f.Success = &b
	case "false":
		b := false
		f.Success = &b
	case "":
	default:
		fe.Add("success", "应为 true 或 false")
	}
	return f, l, fe.Err()
}

// recordRead audits a read of the audit log (等保: the audit administrator's own actions are audited too), with the
// filter used; reads are recorded after they succeed.
func recordRead(r *http.Request, d *db.DB, clk clock.Clock, action string, f audit.Filter) error {
	filter := map[string]any{"actor": f.Actor, "action": f.Action, "offset": f.Offset, "limit": f.Limit}
	if !f.From.IsZero() {
		filter["from"] = f.From.Format(time.RFC3339)
	}
	if !f.To.IsZero() {
		filter["to"] = f.To.Format(time.RFC3339)
	}
	if f.Success != nil {
		filter["success"] = *f.Success
	}
	return d.Tx(r.Context(), func(q db.Q) error {
		return audit.Record(r.Context(), q, clk.Now(), audit.Entry{Action: action, ObjectType: "audit", Success: true, Extra: map[string]any{"filter": filter}})
	})
}

// Routes registers the audit administrator's page and API. Only holders of audit:read (the audit administrator)
// reach them; everyone else gets 403. Every read of the log and every verification is itself recorded.
func Routes(u *web.UI, d *db.DB, clk clock.Clock) {
	audit.RegisterActions(map[string]string{"audit.read": "查看审计日志", "audit.verify": "校验审计日志"}, map[string]string{"audit": "审计日志"})
	sub, err := fs.Sub(templatesFS, "templates")
	if err != nil {
		panic(err)
	}
	u.AddTemplates("audit", sub)
	u.AddFuncs(template.FuncMap{"actionName": audit.ActionName, "objectName": audit.ObjectName})
	if err := u.Catalog.Add(web.LangEN, catalogEN); err != nil {
		panic(err)
	}
	u.AddMenu(web.MenuItem{Group: "menu.audit|安全审计", Label: "menu.auditlog|审计日志", Path: "/audit", Perm: "audit:read", Order: 10})
	u.API("GET /api/v1/audit", "audit:read", web.Doc{Summary: "审计日志（仅安全审计员）", Response: audit.Item{}, List: true, Query: []web.Param{
		{Name: "actor", Help: "操作人用户名"}, {Name: "action", Help: "操作（如 auth.login；不含点时按前缀）"},
		{Name: "from", Help: "起始（YYYY-MM-DD 或 RFC 3339）"}, {Name: "to", Help: "截止（不含）"}, {Name: "success", Type: "boolean"}}},
		func(w http.ResponseWriter, r *http.Request) error {
			f, _, err := parseFilter(r)
			if err != nil {
				return err
			}
			items, total, err := audit.List(r.Context(), d, f)
			if err != nil {
				return err
			}
			if err := recordRead(r, d, clk, "audit.read", f); err != nil {
				return err
			}
			return web.JSON(w, http.StatusOK, web.NewItems(items, total))
		})
	u.API("GET /api/v1/audit/verify", "audit:read", web.Doc{Summary: "校验审计日志哈希链", Response: VerifyReport{}}, func(w http.ResponseWriter, r *http.Request) error {
		n, problems, err := audit.Verify(r.Context(), d)
		if err != nil {
			return err
		}
		if err := recordRead(r, d, clk, "audit.verify", audit.Filter{}); err != nil {
			return err
		}
		if problems == nil {
			problems = []audit.Problem{}
		}
		return web.JSON(w, http.StatusOK, VerifyReport{Checked: n, OK: len(problems) == 0, Problems: problems})
	})
	render := func(w http.ResponseWriter, r *http.Request, v *verifyResult) error {
		f, l, err := parseFilter(r)
		if err != nil {
			return err
		}
		if web.WantsExport(r) {
			f.Offset, f.Limit = 0, 100000
			items, _, err := audit.List(r.Context(), d, f)
			if err != nil {
				return err
			}
			rows := make([][]any, 0, len(items))
			for _, it := range items {
				rows = append(rows, []any{it.ID, it.Time.In(clock.Shanghai).Format("2006-01-02 15:04:05"), it.Actor, it.IP, it.Action,
					it.ObjectType, it.ObjectID, map[bool]string{true: "成功", false: "失败"}[it.Success], fmt.Sprint(it.Detail)})
			}
			return xlsx.Export(w, r, d, clk.Now(), "审计日志", []string{"序号", "时间", "操作人", "IP", "操作", "对象类型", "对象", "结果", "详情"}, rows)
		}
		items, total, err := audit.List(r.Context(), d, f)
		if err != nil {
			return err
		}
		if err := recordRead(r, d, clk, "audit.read", f); err != nil {
			return err
		}
		qv := r.URL.Query()
		return u.Render(w, r, http.StatusOK, "audit/audit.html", &auditPage{
			Globals: u.G(r, "audit.title|审计日志", web.Crumb{Label: "menu.audit|安全审计"}, web.Crumb{Label: "audit.title|审计日志"}),
			Items:   items, Pager: web.NewPager(l, total), F: f, From: qv.Get("from"), To: qv.Get("to"), Success: qv.Get("success"), Verify: v,
		})
	}
	u.Page("GET /audit", "audit:read", func(w http.ResponseWriter, r *http.Request) error { return render(w, r, nil) })
	u.Page("POST /audit/verify", "audit:read", func(w http.ResponseWriter, r *http.Request) error {
		n, problems, err := audit.Verify(r.Context(), d)
		if err != nil {
			return err
		}
		if err := recordRead(r, d, clk, "audit.verify", audit.Filter{}); err != nil {
			return err
		}
		v := &verifyResult{OK: len(problems) == 0, Text: fmt.Sprintf("已校验 %d 条，哈希链完整", n)}
		if !v.OK {
			v.Text = fmt.Sprintf("已校验 %d 条，发现 %d 处异常，首处：第 %d 条 %s", n, len(problems), problems[0].ID, problems[0].Reason)
		}
		return render(w, r, v)
	})
}

// VerifyReport is the answer of GET /api/v1/audit/verify.
type VerifyReport struct {
	Checked  int64           `json:"checked"`
	OK       bool            `json:"ok"`
	Problems []audit.Problem `json:"problems"`
}
