package sim

import "math"

// ConvexOverlap returns the area of the intersection of the convex polygons a and b, given
// by their vertices in either winding. It returns 0 when they do not overlap, only touch, or
// either has fewer than three vertices.
func ConvexOverlap(a, b []Vec2) float64 {
	if len(a) < 3 || len(b) < 3 {
		return 0
	}
	var bufA, bufB [16]Vec2
	in, out := append(bufA[:0], a...), bufB[:0]
	ccw := PolygonArea(b) > 0
	for i, p := range b {
		q := b[(i+1)%len(b)]
		if !ccw {
			p, q = q, p
		}
		out = clipLeft(out[:0], in, p, q)
		if len(out) < 3 {
			return 0
		}
		in, out = out, in
	}
	area := PolygonArea(in)
	if area < 0 {
		area = -area
	}
	return area
}

// clipLeft appends to dst the closed polygon poly cut to the left of the line through p and
// q, and returns dst.
func clipLeft(dst, poly []Vec2, p, q Vec2) []Vec2 {
	d := q.Sub(p)
	side := func(v Vec2) float64 { return d.X*(v.Y-p.Y) - d.Y*(v.X-p.X) }
	return clipPolygon(dst, poly,
		func(v Vec2) bool { return side(v) >= 0 },
		func(a, b Vec2) Vec2 { sa, sb := side(a), side(b); return a.Add(b.Sub(a).Scale(sa / (sa - sb))) })
}

// Bounds returns the corners of the smallest axis-aligned box that holds every point of
// pts; lo has +Inf and hi −Inf coordinates when pts is empty.
func Bounds(pts ...Vec2) (lo, hi Vec2) {
	lo, hi = V(math.Inf(1), math.Inf(1)), V(math.Inf(-1), math.Inf(-1))
	for _, p := range pts {
		lo = V(math.Min(lo.X, p.X), math.Min(lo.Y, p.Y))
		hi = V(math.Max(hi.X, p.X), math.Max(hi.Y, p.Y))
	}
	return lo, hi
}
