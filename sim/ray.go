package sim

import (
	"math"

	"github.com/ByteArena/box2d"
)

// RayHit is where a ray first meets a fixture.
type RayHit struct {
	Point    Vec2    // world position of the hit
	Normal   Vec2    // surface normal at the hit, pointing back along the ray
	Fraction float64 // position along the ray in [0, 1]
	Body     *Body
}

type rayQuery struct {
	mask uint16
	hit  RayHit
	any  bool
	fix  *box2d.B2Fixture
}

// report is the box2d ray-cast callback: it keeps the closest non-sensor hit whose category
// is in the query mask.
func (q *rayQuery) report(f *box2d.B2Fixture, p, n box2d.B2Vec2, frac float64) float64 {
	if f.IsSensor() || f.GetFilterData().CategoryBits&q.mask == 0 {
		return -1
	}
	q.hit = RayHit{Point: fromB2(p), Normal: fromB2(n), Fraction: frac}
	q.fix = f
	q.any = true
	return frac
}

// RayCast returns the first fixture hit on the segment from→to whose collision category is in
// mask (zero means every category), ignoring sensors. ok is false when nothing is hit.
func (w *World) RayCast(from, to Vec2, mask uint16) (hit RayHit, ok bool) {
	if mask == 0 {
		mask = 0xFFFF
	}
	// The port asserts that the ray's squared length is positive, which also fails for rays
	// so short that squaring underflows.
	if d := to.Sub(from); !finite(from.X, from.Y, to.X, to.Y) || d.Dot(d) == 0 {
		return RayHit{}, false
	}
	q := &w.rayState
	*q = rayQuery{mask: mask}
	w.b2.RayCast(w.rayFn, toB2(from), toB2(to))
	if !q.any {
		return RayHit{}, false
	}
	q.hit.Body, _ = q.fix.M_body.M_userData.(*Body)
	return q.hit, true
}

// Lidar is a fan of Rays distance sensors spread evenly over FOV radians, centred on a
// heading, each reaching Range metres. Mask selects the collision categories the rays see
// (zero: all).
type Lidar struct {
	Rays  int
	FOV   float64
	Range float64
	Mask  uint16
}

// Angle returns the direction of ray i relative to the heading in radians; rays run from
// right to left (clockwise-most first), and a single ray points straight ahead.
func (l Lidar) Angle(i int) float64 {
	if l.Rays < 2 {
		return 0
	}
	return -l.FOV/2 + l.FOV*float64(i)/float64(l.Rays-1)
}

// Read casts the rays from origin around heading (radians) in w and appends to dst[:0] the
// distance in metres to the first hit along each ray, or Range where a ray hits nothing.
// When dst has room for Rays values, the only allocations are the port's own: a few per ray
// for its callback and its tree walk.
func (l Lidar) Read(w *World, origin Vec2, heading float64, dst []float64) []float64 {
	dst = dst[:0]
	for i := range l.Rays {
		a := heading + l.Angle(i)
		d := l.Range
		if hit, ok := w.RayCast(origin, origin.Add(Polar(l.Range, a)), l.Mask); ok {
			d = hit.Fraction * l.Range
		}
		dst = append(dst, math.Min(d, l.Range))
	}
	return dst
}
