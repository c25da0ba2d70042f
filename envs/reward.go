package envs

import "math"

// tolerance is a smooth reward shaping in [0, 1], as the DeepMind Control Suite uses: 1 when
// lo ≤ x ≤ hi, falling off with the distance d outside the bounds so that it equals
// atMargin at d = margin. With margin 0 it is the indicator of the bounds. The fall-off is
// Gaussian, which never reaches zero.
func tolerance(x, lo, hi, margin, atMargin float64) float64 {
	d := 0.0
	switch {
	case x < lo:
		d = lo - x
	case x > hi:
		d = x - hi
	default:
		return 1
	}
	if margin <= 0 {
		return 0
	}
	scale := math.Sqrt(-2 * math.Log(atMargin))
	z := d / margin * scale
	return math.Exp(-z * z / 2)
}

// quadraticTolerance is like tolerance but falls off as 1 − (d/margin)², reaching zero at
// the margin and staying there.
func quadraticTolerance(x, margin float64) float64 {
	z := math.Abs(x) / margin
	return math.Max(0, 1-z*z)
}

// smallControl rewards small actions: 1 for a zero action, down to 0.8 at the limits, so the
// penalty for effort never dominates the task reward.
func smallControl(a []float64) float64 {
	sum := 0.0
	for _, v := range a {
		sum += (4 + quadraticTolerance(v, 1)) / 5
	}
	return sum / float64(len(a))
}

// wrapAngle returns a in (−π, π].
func wrapAngle(a float64) float64 {
	a = math.Mod(a+math.Pi, 2*math.Pi)
	if a <= 0 {
		a += 2 * math.Pi
	}
	return a - math.Pi
}
