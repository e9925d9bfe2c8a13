// Package num holds the number helpers every module needs once: rounding to a number of decimals for figures that
// are stored or shown (areas to 0.01 m², standard coal to 0.01 kgce, ratios to 0.0001).
package num

import "math"

// Round rounds v to d decimals, halves away from zero (math.Round), the way statistical forms round.
func Round(v float64, d int) float64 {
	p := math.Pow10(d)
	return math.Round(v*p) / p
}
