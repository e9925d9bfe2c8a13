package space

import (
	"net/http"

	"github.com/govops/govops/internal/platform/xlsx"
)

// The printed layout of the office-space exports (docs/printing.md §Excel exports): title, unit and export date
// above the table, a 合计 row of the areas, and blank cells where an area was never entered.

// exportUnit names the unit an export concerns (the web kit's rule: the unit filtered on, else the caller's
// current or own unit).
func (s *Service) exportUnit(r *http.Request, orgID int64) string { return s.UI.ExportUnit(r, orgID) }

// ledgerLayout is the layout of 总台账 and 分台账: usable and building areas, capacity and the standards summed;
// a building area nobody entered is blank.
func ledgerLayout(unit string) xlsx.Layout {
	return xlsx.Layout{Unit: unit, Sum: []string{"使用面积（㎡）", "建筑面积（㎡）", "容纳人数", "标准面积合计（㎡）"}, Blank: []string{"建筑面积（㎡）"}}
}

// roomListLayout is the layout of the room register list's export.
func roomListLayout(unit string) xlsx.Layout {
	return xlsx.Layout{Unit: unit, Sum: []string{"使用面积（㎡）", "建筑面积（㎡）", "容纳人数", "使用人数"}, Blank: []string{"建筑面积（㎡）"}}
}
