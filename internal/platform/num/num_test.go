package num

import "testing"

func TestRound(t *testing.T) {
	for _, c := range []struct {
		v    float64
		d    int
		want float64
	}{{2.345, 2, 2.35}, {-2.5, 0, -3}, {12345.5, 0, 12346}, {0.12345, 4, 0.1235}, {7, 2, 7}, {1234.5678, -2, 1200}} {
		if got := Round(c.v, c.d); got != c.want {
			t.Errorf("Round(%v, %d) = %v, want %v", c.v, c.d, got, c.want)
		}
	}
}
