package envs

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Box is a space of real vectors with per-component bounds, like Gymnasium's Box. Bounds may
// be infinite. Shape gives the layout of the flat vector (row-major); its product is Dim.
type Box struct {
	Low, High []float64
	Shape     []int
}

// NewBox returns a flat box with the given bounds. It panics if the bounds differ in length
// or a lower bound exceeds its upper bound: spaces are written by programmers, not read from
// input.
func NewBox(low, high []float64) Box {
	if len(low) != len(high) {
		panic(fmt.Sprintf("envs: NewBox: %d lower bounds, %d upper", len(low), len(high)))
	}
	for i := range low {
		if !(low[i] <= high[i]) {
			panic(fmt.Sprintf("envs: NewBox: bound %d: low %v > high %v", i, low[i], high[i]))
		}
	}
	return Box{Low: low, High: high, Shape: []int{len(low)}}
}

// UniformBox returns a box of the given shape whose components all lie in [low, high].
func UniformBox(low, high float64, shape ...int) Box {
	n := 1
	for _, s := range shape {
		n *= s
	}
	lo, hi := make([]float64, n), make([]float64, n)
	for i := range lo {
		lo[i], hi[i] = low, high
	}
	b := NewBox(lo, hi)
	b.Shape = append([]int(nil), shape...)
	return b
}

// Dim returns the number of components.
func (b Box) Dim() int { return len(b.Low) }

// Contains reports whether x has the box's dimension and every component lies within its
// bounds.
func (b Box) Contains(x []float64) bool {
	if len(x) != len(b.Low) {
		return false
	}
	for i, v := range x {
		if !(v >= b.Low[i] && v <= b.High[i]) {
			return false
		}
	}
	return true
}

// Clip writes x clamped to the box into dst and returns dst; dst and x may be the same slice.
func (b Box) Clip(dst, x []float64) []float64 {
	for i, v := range x {
		dst[i] = math.Max(b.Low[i], math.Min(b.High[i], v))
	}
	return dst
}

// Sample writes a random point of the box into dst (which must have length Dim) and returns
// it: uniform on bounded components, standard normal shifted to the bound on half-bounded
// ones, standard normal on unbounded ones.
func (b Box) Sample(rng *rand.Rand, dst []float64) []float64 {
	for i := range dst {
		lo, hi := b.Low[i], b.High[i]
		switch {
		case !math.IsInf(lo, 0) && !math.IsInf(hi, 0):
			dst[i] = lo + (hi-lo)*rng.Float64()
		case !math.IsInf(lo, 0):
			dst[i] = lo + rng.ExpFloat64()
		case !math.IsInf(hi, 0):
			dst[i] = hi - rng.ExpFloat64()
		default:
			dst[i] = rng.NormFloat64()
		}
	}
	return dst
}

// String returns a compact description such as "Box([-1 1], shape 2)" when the bounds are
// uniform, or lists every bound otherwise.
func (b Box) String() string {
	shape := make([]string, len(b.Shape))
	for i, s := range b.Shape {
		shape[i] = fmt.Sprint(s)
	}
	dims := strings.Join(shape, "×")
	if lo, hi, ok := b.uniform(); ok {
		return fmt.Sprintf("Box([%g, %g], shape %s)", lo, hi, dims)
	}
	return fmt.Sprintf("Box(low %v, high %v, shape %s)", b.Low, b.High, dims)
}

func (b Box) uniform() (lo, hi float64, ok bool) {
	if len(b.Low) == 0 {
		return 0, 0, false
	}
	for i := range b.Low {
		if b.Low[i] != b.Low[0] || b.High[i] != b.High[0] {
			return 0, 0, false
		}
	}
	return b.Low[0], b.High[0], true
}

// checkAction returns an error if a has the wrong length or holds NaN or an infinity.
func checkAction(space Box, a []float64) error {
	if len(a) != space.Dim() {
		return fmt.Errorf("envs: action has %d components, want %d", len(a), space.Dim())
	}
	for i, v := range a {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("envs: action component %d is %v: actions must be finite", i, v)
		}
	}
	return nil
}
