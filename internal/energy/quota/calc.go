package quota

import (
	"math"

	"github.com/govops/govops/internal/platform/enum"
	"github.com/govops/govops/internal/platform/num"
)

// The pure computations of the module: splitting a parent's quota among its children, projecting a year in
// progress to the full year, and classifying the result. They take numbers, not the database, so the tests check
// them by hand.

// Split methods of a decomposition.
const (
	MethodShare     = "share"     // by each child's share of last year's actual use
	MethodArea      = "area"      // by floor area
	MethodHeadcount = "headcount" // by 用能人数
	MethodManual    = "manual"    // amounts typed per child
	MethodSet       = "set"       // set directly (the top of a tree, or a single unit)
)

// Methods are the split methods offered to people, with their Chinese names.
var Methods = enum.Of(MethodShare, "按上年实际用量占比", MethodArea, "按建筑面积", MethodHeadcount, "按用能人数", MethodManual, "手工分配")

// MethodName is the Chinese name of a method (set included).
func MethodName(code string) string {
	if code == MethodSet {
		return "直接核定"
	}
	return Methods.Name(code)
}

// Weighted splits total in proportion to weights, to 2 decimals; what rounding leaves over stays with the parent
// (the shares never sum above total). whole is the denominator: the weight of the parent's whole subtree, so the
// parent keeps its own part (its own use, area or staff); whole below the sum of the weights is raised to it.
// All-zero weights split nothing.
func Weighted(total float64, weights []float64, whole float64) []float64 {
	out := make([]float64, len(weights))
	sum := 0.0
	for _, w := range weights {
		if w > 0 {
			sum += w
		}
	}
	if whole < sum {
		whole = sum
	}
	if whole <= 0 || total <= 0 {
		return out
	}
	for i, w := range weights {
		if w > 0 {
			out[i] = math.Floor(total*w/whole*100) / 100
		}
	}
	return out
}

// Project projects a year-to-date figure (months 1..through of this year) to the full year. With last year's
// monthly profile (all twelve months known and a positive share in the months elapsed) it divides by that share,
// so a winter-heavy unit is not over-projected in spring; otherwise it extrapolates linearly. through ≥ 12 is the
// actual figure. seasonal tells which was used.
func Project(ytd float64, through int, prev [12]float64, prevComplete bool) (projected float64, seasonal bool) {
	if through >= 12 {
		return ytd, false
	}
	if through <= 0 {
		return 0, false
	}
	if prevComplete {
		var total, elapsed float64
		for i, v := range prev {
			total += v
			if i < through {
				elapsed += v
			}
		}
		if total > 0 && elapsed > 0 {
			return num.Round(ytd*total/elapsed, 2), true
		}
	}
	return num.Round(ytd*12/float64(through), 2), false
}

// Warning statuses.
const (
	StatusNormal  = "normal"
	StatusWarning = "warning"
	StatusOver    = "over"
)

// Statuses with their Chinese names.
var Statuses = enum.Of(StatusNormal, "正常", StatusWarning, "预警", StatusOver, "超定额")

// Classify is the status of one quantity against its quota: over when the actual or the projection exceeds the
// quota, warning when the projection exceeds warnRatio of it, normal otherwise (and with no quota).
func Classify(actual, projected, quota, warnRatio float64) string {
	if quota <= 0 {
		return StatusNormal
	}
	switch {
	case actual > quota || projected > quota:
		return StatusOver
	case projected > warnRatio*quota:
		return StatusWarning
	}
	return StatusNormal
}

// Worse returns the more severe of two statuses.
func Worse(a, b string) string {
	rank := map[string]int{StatusNormal: 0, StatusWarning: 1, StatusOver: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// Level positions an indicator value among a standard's three levels.
const (
	LevelGuide      = "guide"      // at or below 引导值 (advanced)
	LevelBaseline   = "baseline"   // at or below 基准值
	LevelConstraint = "constraint" // at or below 约束值
	LevelOver       = "over"       // above 约束值: non-compliant, must be explained
)

// Levels names the level positions.
var Levels = enum.Of(LevelGuide, "达到引导值", LevelBaseline, "优于基准值", LevelConstraint, "未超约束值", LevelOver, "超约束值")

// LevelOf positions value among the levels (约束值 ≥ 基准值 ≥ 引导值).
func LevelOf(value, constraint, baseline, guide float64) string {
	switch {
	case value > constraint:
		return LevelOver
	case value > baseline:
		return LevelConstraint
	case value > guide:
		return LevelBaseline
	}
	return LevelGuide
}
