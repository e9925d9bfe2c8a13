package report

import (
	"fmt"
	"net/http"
	"time"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/web"
)

// The printable 基层表 (docs/printing.md): the form of a unit and year on the web kit's print layout, in the layout
// of its Excel export (FormWorkbook) — title, header block, 公共机构基本信息, 能源资源消费状况, the hand-filled tables
// the unit filled and the signature line. The official 表式 of the printed form is not known: the page says it is
// a GovOps layout (docs/domain/energy.md §Statistics system).

// printPage is the data of the printable 基层表.
type printPage struct {
	web.Globals
	Form     Form
	Report   Report
	Reported string // 报出日期: the date it was submitted, blank lines before
	Sections []FilledSection
}

func (s *Service) printForm(w http.ResponseWriter, r *http.Request) error {
	fm, rep, err := s.basicForm(r)
	if err != nil {
		return err
	}
	p := &printPage{Form: fm, Report: rep, Reported: "　　年　　月　　日"}
	if rep.SubmittedAt > 0 {
		p.Reported = time.Unix(rep.SubmittedAt, 0).In(energy.Shanghai).Format("2006 年 01 月 02 日")
	}
	for _, sec := range fm.Sections {
		if sec.Filled {
			p.Sections = append(p.Sections, sec)
		}
	}
	p.Globals = s.UI.G(r, "energy.report.print|打印基层表", web.Crumb{Label: "menu.energy|节能管理"},
		web.Crumb{Label: "energy.report.menu.list|统计报表", Path: fmt.Sprintf("/energy/reports?year=%d", fm.Year)},
		web.Crumb{Label: fm.OrgName, Path: fmt.Sprintf("/energy/reports/%d/%d", fm.OrgID, fm.Year)}, web.Crumb{Label: "energy.report.print|打印基层表"})
	p.PrintUnit = fm.OrgName
	return s.UI.Render(w, r, http.StatusOK, "energyreport/print_form.html", p)
}
