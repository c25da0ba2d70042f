package sim

import (
	"math"

	"github.com/ByteArena/box2d"
)

// Contains reports whether world point p lies inside one of the body's fixtures.
func (b *Body) Contains(p Vec2) bool {
	for f := b.b.GetFixtureList(); f != nil; f = f.GetNext() {
		if f.TestPoint(toB2(p)) {
			return true
		}
	}
	return false
}

// BodyAt returns the dynamic body whose fixture contains world point p, the one added last
// where bodies overlap (it is drawn on top), or nil if there is none.
func (w *World) BodyAt(p Vec2) *Body {
	for i := len(w.bodies) - 1; i >= 0; i-- {
		b := w.bodies[i]
		if b.b.M_type == box2d.B2BodyType.B2_dynamicBody && b.Contains(p) {
			return b
		}
	}
	return nil
}

// Pull applies, for the next control step, the force of a critically damped spring between
// the body's point at local (in its own frame) and the world point target, as a hand
// dragging it would: stiff enough to move the body within about a quarter of a second, and
// at most maxAccel times its mass in newtons.
func (b *Body) Pull(local, target Vec2, maxAccel float64) {
	const omega = 2 * math.Pi * 4 // the spring's natural frequency, rad/s
	p := b.WorldPoint(local)
	m := b.Mass()
	f := target.Sub(p).Scale(m * omega * omega).Sub(b.VelocityAt(p).Scale(2 * m * omega))
	if n := f.Len(); n > maxAccel*m {
		f = f.Scale(maxAccel * m / n)
	}
	b.ApplyForceAt(f, p)
}

// LocalPoint returns world point p in the body's own frame.
func (b *Body) LocalPoint(p Vec2) Vec2 { return fromB2(b.b.GetLocalPoint(toB2(p))) }
