package energy

import (
	"math/rand/v2"
	"testing"
)

// TestRollingMedian: the rolling window's median equals the median of a sorted copy of the last Window values, for
// random sequences with repeats, every window size from 0 to 9.
func TestRollingMedian(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for max := 0; max < 10; max++ {
		w := newRolling(max)
		var last []float64
		for i := 0; i < 500; i++ {
			x := float64(r.IntN(20)) / 4 // small range: many equal values
			w.push(x)
			if max > 0 {
				last = append(last, x)
				if len(last) > max {
					last = last[1:]
				}
			}
			if w.len() != len(last) || w.median() != median(last) {
				t.Fatalf("window %d after %d pushes: len %d median %v, want len %d median %v", max, i+1, w.len(), w.median(), len(last), median(last))
			}
		}
	}
}
