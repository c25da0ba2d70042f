package nn

import (
	"math"
	"testing"
)

// TestExp32 compares exp32 with math.Exp across its whole range, at the edges and at the
// special values.
func TestExp32(t *testing.T) {
	worst := 0.0
	for x := float32(expMin); x <= expMax; x += 0.00731 {
		want := math.Exp(float64(x))
		got := float64(exp32(x))
		if rel := math.Abs(got-want) / want; rel > worst {
			worst = rel
		}
	}
	if worst > 2.5e-7 {
		t.Errorf("exp32: largest relative error %.3g over [expMin, expMax], want ≤ 2.5e-7", worst)
	}
	t.Logf("exp32: largest relative error %.3g", worst)
	for _, c := range []struct{ x, want float32 }{
		{0, 1}, {-100, 0}, {100, float32(math.Inf(1))}, {float32(math.Inf(-1)), 0},
	} {
		if got := exp32(c.x); got != c.want {
			t.Errorf("exp32(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	if got := exp32(float32(math.NaN())); got == got {
		t.Errorf("exp32(NaN) = %v, want NaN", got)
	}
}
