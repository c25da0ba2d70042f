package live

import "math"

// Axis is the range of a plot axis and its tick marks.
type Axis struct {
	Min, Max float64
	Ticks    []float64
}

// NiceAxis returns an axis covering [lo, hi] whose ends and ticks are round numbers (1, 2 or
// 5 times a power of ten apart), with about n ticks. An empty or degenerate range is widened
// to a unit around its value.
func NiceAxis(lo, hi float64, n int) Axis {
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		lo, hi = 0, 1
	}
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi-lo < 1e-12 {
		lo, hi = lo-0.5, hi+0.5
	}
	step := niceStep((hi - lo) / float64(max(n-1, 1)))
	a := Axis{Min: math.Floor(lo/step) * step, Max: math.Ceil(hi/step) * step}
	for v := a.Min; v <= a.Max+step/2; v += step {
		a.Ticks = append(a.Ticks, math.Round(v/step)*step)
	}
	return a
}

// niceStep returns the smallest of 1, 2 and 5 times a power of ten that is at least raw.
func niceStep(raw float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// Map returns where v falls on the axis as a fraction from Min (0) to Max (1).
func (a Axis) Map(v float64) float64 {
	if a.Max == a.Min {
		return 0.5
	}
	return (v - a.Min) / (a.Max - a.Min)
}
