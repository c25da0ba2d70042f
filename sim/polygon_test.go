package sim

import (
	"math"
	"slices"
	"testing"
)

// square returns the corners of a side×side square centred at c, turned by angle,
// counter-clockwise.
func square(c Vec2, side, angle float64) []Vec2 {
	var pts []Vec2
	for _, v := range []Vec2{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		pts = append(pts, c.Add(v.Scale(side/2).Rotate(angle)))
	}
	return pts
}

func TestConvexOverlap(t *testing.T) {
	unit := square(Vec2{}, 1, 0)
	tri := []Vec2{{0, 0}, {2, 0}, {0, 2}} // area 2
	for _, tc := range []struct {
		name string
		a, b []Vec2
		want float64
	}{
		{"itself", unit, unit, 1},
		{"shifted by half a side each way", unit, square(V(0.5, 0.5), 1, 0), 0.25},
		{"inside", square(Vec2{}, 0.5, 0.3), unit, 0.25},
		{"contains", unit, square(Vec2{}, 3, 0.7), 1},
		{"apart", unit, square(V(3, 0), 1, 0), 0},
		{"touching along an edge", unit, square(V(1, 0), 1, 0), 0},
		// A unit square turned 45° about the same centre cuts a corner triangle of legs
		// 1 − 1/√2 from each of the other's four corners.
		{"turned 45°", unit, square(Vec2{}, 1, math.Pi/4), 1 - 2*(1-1/math.Sqrt2)*(1-1/math.Sqrt2)},
		// The triangle x, y ≥ 0, x + y ≤ 2 over the square [0, 1]²: the whole square.
		{"triangle over a corner square", tri, square(V(0.5, 0.5), 1, 0), 1},
		// ... over [1, 2] × [0, 1]: the part below x + y ≤ 2, half the square.
		{"triangle cut by the hypotenuse", tri, square(V(1.5, 0.5), 1, 0), 0.5},
		{"too few vertices", unit[:2], unit, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cw := slices.Clone(tc.b)
			slices.Reverse(cw)
			for _, got := range []float64{ConvexOverlap(tc.a, tc.b), ConvexOverlap(tc.b, tc.a), ConvexOverlap(tc.a, cw)} {
				if math.Abs(got-tc.want) > 1e-12 {
					t.Errorf("overlap %v, want %v (either order, either winding)", got, tc.want)
				}
			}
		})
	}
}

func TestConvexOverlapAllocations(t *testing.T) {
	a, b := square(Vec2{}, 1, 0.2), square(V(0.3, 0.1), 1, 1)
	if n := testing.AllocsPerRun(100, func() { ConvexOverlap(a, b) }); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
}

func TestBounds(t *testing.T) {
	for _, tc := range []struct {
		name   string
		pts    []Vec2
		lo, hi Vec2
	}{
		{"one point", []Vec2{{1, -2}}, V(1, -2), V(1, -2)},
		{"a turned square", square(V(1, 1), 2, math.Pi/4), V(1-math.Sqrt2, 1-math.Sqrt2), V(1+math.Sqrt2, 1+math.Sqrt2)},
		{"extremes on different points", []Vec2{{0, 5}, {-3, 1}, {2, -1}}, V(-3, -1), V(2, 5)},
		{"none", nil, V(math.Inf(1), math.Inf(1)), V(math.Inf(-1), math.Inf(-1))},
	} {
		lo, hi := Bounds(tc.pts...)
		if !closeTo(lo, tc.lo) || !closeTo(hi, tc.hi) {
			t.Errorf("%s: Bounds = %v, %v, want %v, %v", tc.name, lo, hi, tc.lo, tc.hi)
		}
	}
}

// closeTo reports whether a and b are equal or within 1e-12 of each other in x and y.
func closeTo(a, b Vec2) bool {
	const tol = 1e-12
	return a == b || math.Abs(a.X-b.X) <= tol && math.Abs(a.Y-b.Y) <= tol
}
