package sim

import (
	"math"
	"testing"
)

func TestNewBodyMass(t *testing.T) {
	tests := []struct {
		name     string
		fixtures []FixtureDef
		mass     float64
	}{
		{"box", []FixtureDef{{Geometry: Box{W: 0.4, H: 0.25}, Density: 3}}, 3 * 0.4 * 0.25},
		{"rotated offset box", []FixtureDef{{Geometry: Box{W: 2, H: 0.5, Center: V(1, 2), Angle: 0.7}, Density: 1.5}}, 1.5},
		{"disc", []FixtureDef{{Geometry: Disc{Radius: 0.3, Center: V(0.1, 0)}, Density: 2}}, 2 * math.Pi * 0.09},
		{"triangle", []FixtureDef{{Geometry: Poly{Vertices: []Vec2{{0, 0}, {1, 0}, {0, 1}}}, Density: 4}}, 2},
		{"clockwise octagon", []FixtureDef{{Geometry: Poly{Vertices: octagon(1, -1)}, Density: 1}}, 2 * math.Sqrt2},
		{"box and disc", []FixtureDef{
			{Geometry: Box{W: 1, H: 1}, Density: 1},
			{Geometry: Disc{Radius: 1, Center: V(3, 0)}, Density: 1},
		}, 1 + math.Pi},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestWorld(t, testConfig)
			b := mustBody(t, w, BodyDef{Type: Dynamic, Fixtures: tt.fixtures})
			if math.Abs(b.Mass()-tt.mass) > 1e-9*tt.mass {
				t.Errorf("mass %v kg, want %v", b.Mass(), tt.mass)
			}
			if !(b.Inertia() > 0) {
				t.Errorf("inertia %v, want positive", b.Inertia())
			}
		})
	}
}

// octagon returns the vertices of a regular octagon of circumradius r, counter-clockwise
// when dir is 1 and clockwise when it is −1.
func octagon(r, dir float64) []Vec2 {
	vs := make([]Vec2, 8)
	for i := range vs {
		vs[i] = Polar(r, dir*float64(i)*math.Pi/4)
	}
	return vs
}

func TestNewBodyStaticSegment(t *testing.T) {
	w := newTestWorld(t, testConfig)
	ground := mustBody(t, w, BodyDef{Type: Static, Fixtures: []FixtureDef{{Geometry: Segment{A: V(-5, 0), B: V(5, 0)}}}})
	ball := mustBody(t, w, BodyDef{Type: Dynamic, Position: V(0, 1), Fixtures: []FixtureDef{{Geometry: Disc{Radius: 0.25}, Density: 1}}})
	for range 120 {
		w.Step()
	}
	if ground.Mass() != 0 || ground.Position() != (Vec2{}) {
		t.Errorf("ground moved or has mass: %v at %v", ground.Mass(), ground.Position())
	}
	if y := ball.Position().Y; math.Abs(y-0.25) > 0.01 {
		t.Errorf("ball resting at y = %v, want 0.25 on the segment", y)
	}
}

func TestNewBodyRejectsDegenerate(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name string
		def  BodyDef
	}{
		{"zero-width box", dynamic(Box{W: 0, H: 1})},
		{"negative box", dynamic(Box{W: 1, H: -1})},
		{"NaN box", dynamic(Box{W: nan, H: 1})},
		{"infinite box", dynamic(Box{W: 1, H: inf})},
		{"box at NaN centre", dynamic(Box{W: 1, H: 1, Center: V(nan, 0)})},
		{"box at NaN angle", dynamic(Box{W: 1, H: 1, Angle: nan})},
		{"zero disc", dynamic(Disc{})},
		{"negative disc", dynamic(Disc{Radius: -1})},
		{"NaN disc", dynamic(Disc{Radius: nan})},
		{"disc at infinity", dynamic(Disc{Radius: 1, Center: V(0, inf)})},
		{"no vertices", dynamic(Poly{})},
		{"two vertices", dynamic(Poly{Vertices: []Vec2{{0, 0}, {1, 0}}})},
		{"nine vertices", dynamic(Poly{Vertices: append(octagon(1, 1), V(0.5, 0.5))})},
		{"collinear vertices", dynamic(Poly{Vertices: []Vec2{{0, 0}, {1, 1}, {2, 2}}})},
		{"coincident vertices", dynamic(Poly{Vertices: []Vec2{{0, 0}, {0, 0}, {0, 0}, {0, 0}}})},
		{"NaN vertex", dynamic(Poly{Vertices: []Vec2{{0, 0}, {1, 0}, {nan, 1}}})},
		{"tiny triangle", dynamic(Poly{Vertices: []Vec2{{0, 0}, {0.002, 0}, {0, 0.002}}})},
		{"tiny cluster and a far vertex", dynamic(Poly{Vertices: []Vec2{{0, 0}, {0.001, 0}, {0, 0.001}, {1, 1}}})},
		{"coincident segment ends", static(Segment{A: V(1, 2), B: V(1, 2)})},
		{"NaN segment end", static(Segment{A: V(0, 0), B: V(nan, 1)})},
		{"missing geometry", dynamic(nil)},
		{"NaN position", BodyDef{Type: Dynamic, Position: V(nan, 0)}},
		{"infinite angle", BodyDef{Type: Dynamic, Angle: inf}},
		{"NaN damping", BodyDef{Type: Dynamic, LinearDamping: nan}},
		{"unknown body type", BodyDef{Type: Kinematic + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestWorld(t, testConfig)
			b, err := w.NewBody(tt.def)
			if err == nil || b != nil {
				t.Fatalf("NewBody = %v, %v; want nil and an error", b, err)
			}
			if len(w.Bodies()) != 0 {
				t.Fatalf("a failed NewBody left %d bodies", len(w.Bodies()))
			}
		})
	}
}

func dynamic(g Geometry) BodyDef {
	return BodyDef{Type: Dynamic, Fixtures: []FixtureDef{{Geometry: g, Density: 1}}}
}

func static(g Geometry) BodyDef {
	return BodyDef{Type: Static, Fixtures: []FixtureDef{{Geometry: g}}}
}

func TestSetPoseAndMass(t *testing.T) {
	w := newTestWorld(t, testConfig)
	b := mustBody(t, w, boxBody(V(0, 0), 1, 1))
	if err := b.SetPose(V(1, 2), 0.5, V(3, 4), 5); err != nil {
		t.Fatal(err)
	}
	if b.Position() != V(1, 2) || b.Angle() != 0.5 || b.LinearVelocity() != V(3, 4) || b.AngularVelocity() != 5 {
		t.Errorf("SetPose gave %v %v %v %v", b.Position(), b.Angle(), b.LinearVelocity(), b.AngularVelocity())
	}
	if err := b.SetPose(V(0, 0), math.NaN(), Vec2{}, 0); err == nil || b.Angle() != 0.5 {
		t.Errorf("SetPose with NaN: error %v, angle %v; want an error and no change", err, b.Angle())
	}
	if err := b.SetMass(2, V(0, 0), 0.5); err != nil || b.Mass() != 2 || b.Inertia() != 0.5 {
		t.Errorf("SetMass: %v, mass %v, inertia %v", err, b.Mass(), b.Inertia())
	}
	for _, bad := range [][2]float64{{0, 1}, {1, -1}, {math.NaN(), 1}} {
		if err := b.SetMass(bad[0], Vec2{}, bad[1]); err == nil || b.Mass() != 2 {
			t.Errorf("SetMass(%v, %v): error %v, mass %v; want an error and no change", bad[0], bad[1], err, b.Mass())
		}
	}
}

// jointPair returns a world with a static anchor body and a dynamic box below it, plus a
// body in another world.
func jointPair(t *testing.T) (w *World, a, b, foreign *Body) {
	w = newTestWorld(t, testConfig)
	a = mustBody(t, w, BodyDef{Type: Static})
	b = mustBody(t, w, boxBody(V(0, -0.5), 0.1, 1))
	foreign = mustBody(t, newTestWorld(t, testConfig), boxBody(Vec2{}, 1, 1))
	return w, a, b, foreign
}

func TestNewRevoluteRejects(t *testing.T) {
	w, a, b, foreign := jointPair(t)
	tests := []struct {
		name string
		def  RevoluteDef
	}{
		{"missing A", RevoluteDef{B: b}},
		{"missing B", RevoluteDef{A: a}},
		{"same body", RevoluteDef{A: b, B: b}},
		{"bodies in different worlds", RevoluteDef{A: a, B: foreign}},
		{"inverted limits", RevoluteDef{A: a, B: b, Limit: true, Lower: 1, Upper: -1}},
		{"NaN limit", RevoluteDef{A: a, B: b, Limit: true, Lower: math.NaN(), Upper: 1}},
		{"NaN anchor", RevoluteDef{A: a, B: b, Anchor: V(math.NaN(), 0)}},
		{"infinite motor speed", RevoluteDef{A: a, B: b, Motor: true, MotorSpeed: math.Inf(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if j, err := w.NewRevolute(tt.def); err == nil || j != nil {
				t.Fatalf("NewRevolute = %v, %v; want nil and an error", j, err)
			}
			if len(w.Joints()) != 0 {
				t.Fatalf("a failed NewRevolute left %d joints", len(w.Joints()))
			}
		})
	}
}

func TestNewPrismaticRejects(t *testing.T) {
	w, a, b, foreign := jointPair(t)
	tests := []struct {
		name string
		def  PrismaticDef
	}{
		{"missing A", PrismaticDef{B: b, Axis: V(1, 0)}},
		{"missing B", PrismaticDef{A: a, Axis: V(1, 0)}},
		{"same body", PrismaticDef{A: a, B: a, Axis: V(1, 0)}},
		{"bodies in different worlds", PrismaticDef{A: foreign, B: b, Axis: V(1, 0)}},
		{"zero axis", PrismaticDef{A: a, B: b}},
		{"NaN axis", PrismaticDef{A: a, B: b, Axis: V(math.NaN(), 1)}},
		{"inverted limits", PrismaticDef{A: a, B: b, Axis: V(1, 0), Limit: true, Lower: 0.5, Upper: 0.4}},
		{"infinite motor force", PrismaticDef{A: a, B: b, Axis: V(1, 0), Motor: true, MaxForce: math.Inf(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if j, err := w.NewPrismatic(tt.def); err == nil || j != nil {
				t.Fatalf("NewPrismatic = %v, %v; want nil and an error", j, err)
			}
			if len(w.Joints()) != 0 {
				t.Fatalf("a failed NewPrismatic left %d joints", len(w.Joints()))
			}
		})
	}
}

// limitTol is how far past a limit the solver may let a joint go under gravity and motors:
// Box2D allows some slop, and the rods here overshoot by less than 0.01 rad.
const limitTol = 0.02

func TestRevoluteLimitsHold(t *testing.T) {
	tests := []struct {
		name string
		// rodX is the centre of a horizontal 1 m rod hinged at the origin: at 0.5 gravity
		// turns it clockwise (towards Lower), at −0.5 counter-clockwise.
		rodX         float64
		lower, upper float64
		motorSpeed   float64 // zero: no motor
		wantEnd      float64 // the limit the rod ends at
	}{
		{"gravity against the lower limit", 0.5, -0.4, 0.3, 0, -0.4},
		{"gravity against the upper limit", -0.5, -0.3, 0.4, 0, 0.4},
		{"motor against the upper limit", 0.5, -0.2, 0.2, 5, 0.2},
		{"motor against the lower limit", -0.5, -0.2, 0.2, -5, -0.2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestWorld(t, testConfig)
			pivot := mustBody(t, w, BodyDef{Type: Static})
			rod := mustBody(t, w, boxBody(V(tt.rodX, 0), 1, 0.05))
			j := mustRevolute(t, w, RevoluteDef{A: pivot, B: rod, Limit: true, Lower: tt.lower, Upper: tt.upper,
				Motor: tt.motorSpeed != 0, MotorSpeed: tt.motorSpeed, MaxTorque: 100})
			lo, hi := tt.upper, tt.lower
			for range 240 {
				w.Step()
				lo, hi = math.Min(lo, j.Angle()), math.Max(hi, j.Angle())
			}
			t.Logf("angle ranged over [%.5f, %.5f]", lo, hi)
			if lo < tt.lower-limitTol || hi > tt.upper+limitTol {
				t.Errorf("angle ranged over [%.4f, %.4f], limits [%v, %v]", lo, hi, tt.lower, tt.upper)
			}
			if end := j.Angle(); math.Abs(end-tt.wantEnd) > limitTol {
				t.Errorf("angle %.4f at the end, want the limit %v", end, tt.wantEnd)
			}
		})
	}
}

func TestPrismaticLimitsHold(t *testing.T) {
	w := newTestWorld(t, testConfig)
	frame := mustBody(t, w, BodyDef{Type: Static})
	slider := mustBody(t, w, boxBody(V(0, 0), 0.2, 0.2))
	j := mustPrismatic(t, w, PrismaticDef{A: frame, B: slider, Axis: V(0, 2), Limit: true, Lower: -0.5, Upper: 0.5})
	lowest := 0.0
	for range 240 {
		w.Step()
		lowest = math.Min(lowest, j.Translation())
	}
	if lowest < -0.5-limitTol || math.Abs(j.Translation()+0.5) > limitTol {
		t.Errorf("slider fell to %.4f and ended at %.4f; lower limit -0.5", lowest, j.Translation())
	}
	if x := slider.Position().X; math.Abs(x) > 1e-9 {
		t.Errorf("slider left its vertical axis: x = %v", x)
	}
}

// TestFrictionStopsSlidingBody slides a 1 kg box at 1 m/s on a friction joint of 2 N, in a
// top-down world: Coulomb friction slows it by 2 m/s² to rest after 0.5 s and 0.25 m, where
// it stays; its spin, braked by 0.5 N·m on a moment of inertia of 1/6 kg·m², stops in
// 1/3 s.
func TestFrictionStopsSlidingBody(t *testing.T) {
	cfg := testConfig
	cfg.Gravity = Vec2{}
	w := newTestWorld(t, cfg)
	ground := mustBody(t, w, BodyDef{Type: Static})
	box := mustBody(t, w, boxBody(V(0, 0), 1, 1))
	if _, err := w.NewFriction(FrictionDef{A: ground, B: box, MaxForce: 2, MaxTorque: 0.5}); err != nil {
		t.Fatal(err)
	}
	if err := box.SetPose(V(0, 0), 0, V(1, 0), 1); err != nil {
		t.Fatal(err)
	}
	h := cfg.ControlDT / float64(cfg.Substeps)
	for range 15 { // 0.25 s
		w.Step()
	}
	if v := box.LinearVelocity().X; math.Abs(v-0.5) > 2*h*2 {
		t.Errorf("speed %v after 0.25 s, want 0.5 m/s", v)
	}
	for range 45 { // 1 s in all
		w.Step()
	}
	if v, om := box.LinearVelocity().Len(), box.AngularVelocity(); v > 1e-12 || math.Abs(om) > 1e-12 {
		t.Errorf("after 1 s the box moves at %v m/s and turns at %v rad/s, want it at rest", v, om)
	}
	if x := box.Position().X; math.Abs(x-0.25) > h {
		t.Errorf("the box stopped after %v m, want 0.25", x)
	}
}

func TestMotorsReachTargetSpeed(t *testing.T) {
	tests := []struct {
		name   string
		target float64
		// join makes a motorised joint between a and b driving at target and returns its
		// speed function.
		join func(tb testing.TB, w *World, a, b *Body, target float64) func() float64
	}{
		{"revolute set at creation", -1, func(tb testing.TB, w *World, a, b *Body, target float64) func() float64 {
			return mustRevolute(tb, w, RevoluteDef{A: a, B: b, Motor: true, MotorSpeed: target, MaxTorque: 50}).Speed
		}},
		{"revolute set later", 2.5, func(tb testing.TB, w *World, a, b *Body, target float64) func() float64 {
			j := mustRevolute(tb, w, RevoluteDef{A: a, B: b, Motor: true, MaxTorque: 1})
			j.SetMotor(target, 50)
			return j.Speed
		}},
		{"prismatic set at creation", -0.3, func(tb testing.TB, w *World, a, b *Body, target float64) func() float64 {
			return mustPrismatic(tb, w, PrismaticDef{A: a, B: b, Axis: V(1, 1), Motor: true, MotorSpeed: target, MaxForce: 100}).Speed
		}},
		{"prismatic set later", 0.8, func(tb testing.TB, w *World, a, b *Body, target float64) func() float64 {
			j := mustPrismatic(tb, w, PrismaticDef{A: a, B: b, Axis: V(1, 1), Motor: true, MaxForce: 1})
			j.SetMotor(target, 100)
			return j.Speed
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestWorld(t, testConfig)
			a := mustBody(t, w, BodyDef{Type: Static})
			b := mustBody(t, w, boxBody(V(0.3, 0), 0.6, 0.1))
			speed := tt.join(t, w, a, b, tt.target)
			for range 30 {
				w.Step()
			}
			// The motor holds the rod against gravity through an iterative solver, which
			// leaves the speed a few parts in a hundred thousand off.
			if got := speed(); math.Abs(got-tt.target) > 1e-3 {
				t.Errorf("joint speed %v after 0.5 s, want %v", got, tt.target)
			}
		})
	}
}
