package sim

import (
	"fmt"
	"math"
	"sync"
	"testing"
)

// testConfig is the timing of the test scenes: 60 Hz control with 4 physics sub-steps.
var testConfig = WorldConfig{Gravity: V(0, -9.81), ControlDT: 1.0 / 60, Substeps: 4}

// testScene is a world layout and the actions that drive it. drive is called before each
// control step with the index of that step, and finds its bodies and joints by their
// creation order, so it works on any world the same build made.
type testScene struct {
	name  string
	build func(tb testing.TB, w *World)
	drive func(w *World, step int)
}

// cartPole is a cart on a limited horizontal slider, pushed back and forth hard enough to
// hit its limits, with a free pole hinged on top. Nothing touches anything else.
var cartPole = testScene{name: "cart-pole", build: buildCartPole, drive: func(w *World, step int) {
	w.Bodies()[1].ApplyForce(V(5*math.Sin(0.05*float64(step)), 0))
}}

// twoLinkArm is a vertical two-link arm whose limited, motorised hinges are driven with
// changing target speeds. Nothing touches anything else.
var twoLinkArm = testScene{name: "two-link arm", build: buildArm, drive: func(w *World, step int) {
	t := float64(step)
	w.Joints()[0].(*Revolute).SetMotor(3*math.Sin(0.04*t), 40)
	w.Joints()[1].(*Revolute).SetMotor(4*math.Cos(0.07*t), 20)
}}

// boxPyramid is a ten-box pyramid on the ground whose top box is pushed sideways: a scene
// full of resting contacts.
var boxPyramid = testScene{name: "box pyramid", build: buildPyramid, drive: func(w *World, step int) {
	top := w.Bodies()[len(w.Bodies())-1]
	top.ApplyForce(V(2*math.Sin(0.1*float64(step)), 0))
}}

func newTestWorld(tb testing.TB, cfg WorldConfig) *World {
	tb.Helper()
	w, err := NewWorld(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

func mustBody(tb testing.TB, w *World, def BodyDef) *Body {
	tb.Helper()
	b, err := w.NewBody(def)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustRevolute(tb testing.TB, w *World, def RevoluteDef) *Revolute {
	tb.Helper()
	j, err := w.NewRevolute(def)
	if err != nil {
		tb.Fatal(err)
	}
	return j
}

func mustPrismatic(tb testing.TB, w *World, def PrismaticDef) *Prismatic {
	tb.Helper()
	j, err := w.NewPrismatic(def)
	if err != nil {
		tb.Fatal(err)
	}
	return j
}

// boxBody describes a dynamic box of density 1 and friction 0.6 centred at pos.
func boxBody(pos Vec2, width, height float64) BodyDef {
	return BodyDef{Type: Dynamic, Position: pos, Fixtures: []FixtureDef{
		{Geometry: Box{W: width, H: height}, Density: 1, Friction: 0.6},
	}}
}

func buildCartPole(tb testing.TB, w *World) {
	rail := mustBody(tb, w, BodyDef{Type: Static})
	cart := mustBody(tb, w, boxBody(V(0, 0), 0.4, 0.2))
	pole := mustBody(tb, w, boxBody(V(0, 0.5), 0.05, 1))
	mustPrismatic(tb, w, PrismaticDef{A: rail, B: cart, Axis: V(1, 0), Limit: true, Lower: -1, Upper: 1})
	mustRevolute(tb, w, RevoluteDef{A: cart, B: pole, Anchor: V(0, 0)})
}

func buildArm(tb testing.TB, w *World) {
	base := mustBody(tb, w, BodyDef{Type: Static})
	upper := mustBody(tb, w, boxBody(V(0, 0.5), 0.1, 1))
	fore := mustBody(tb, w, boxBody(V(0, 1.4), 0.08, 0.8))
	mustRevolute(tb, w, RevoluteDef{A: base, B: upper, Limit: true, Lower: -1, Upper: 1, Motor: true, MaxTorque: 40})
	mustRevolute(tb, w, RevoluteDef{A: upper, B: fore, Anchor: V(0, 1), Limit: true, Lower: -0.8, Upper: 0.8, Motor: true, MaxTorque: 20})
}

func buildPyramid(tb testing.TB, w *World) {
	mustBody(tb, w, BodyDef{Type: Static, Fixtures: []FixtureDef{{Geometry: Box{W: 20, H: 1, Center: V(0, -0.5)}, Friction: 0.6}}})
	const size, rows = 0.5, 4
	for row := range rows {
		for i := range rows - row {
			x := (float64(i) - float64(rows-row-1)/2) * size * 1.05
			mustBody(tb, w, boxBody(V(x, size/2+float64(row)*size), size, size))
		}
	}
}

// slidingBox is a box lying on a table seen from above, held by friction against the
// ground and pushed with a force and a torque that swing above and below what friction
// holds, so that it slides, turns and sticks by turns. Nothing touches anything else.
var slidingBox = testScene{name: "sliding box", build: buildSlidingBox, drive: func(w *World, step int) {
	t := float64(step)
	box := w.Bodies()[1]
	box.ApplyForce(V(0.8*math.Sin(0.05*t), 0.5*math.Cos(0.03*t)))
	box.ApplyTorque(0.15 * math.Sin(0.08*t))
}}

func buildSlidingBox(tb testing.TB, w *World) {
	ground := mustBody(tb, w, BodyDef{Type: Static})
	def := boxBody(V(0.2, 0.1), 0.4, 0.3)
	def.NoGravity = true
	box := mustBody(tb, w, def)
	if _, err := w.NewFriction(FrictionDef{A: ground, B: box, MaxForce: 0.5, MaxTorque: 0.1}); err != nil {
		tb.Fatal(err)
	}
}

// shapePile drops discs, triangles and boxes onto a segment floor through a sensor region:
// every kind of contact the port makes, and a sensor overlapping moving bodies.
var shapePile = testScene{name: "shape pile", build: buildPile, drive: func(*World, int) {}}

func buildPile(tb testing.TB, w *World) {
	mustBody(tb, w, BodyDef{Type: Static, Fixtures: []FixtureDef{
		{Geometry: Segment{A: V(-3, 0), B: V(3, 0)}, Friction: 0.5},
		{Geometry: Box{W: 6, H: 2, Center: V(0, 1)}, Sensor: true},
	}})
	shapes := []Geometry{
		Disc{Radius: 0.2},
		Poly{Vertices: []Vec2{{-0.2, -0.15}, {0.2, -0.15}, {0, 0.25}}},
		Box{W: 0.3, H: 0.3, Angle: 0.3},
	}
	for i := range 9 {
		def := BodyDef{Type: Dynamic, Position: V(0.35*float64(i%3)-0.35+0.05*float64(i/3), 0.5+0.5*float64(i))}
		def.Fixtures = []FixtureDef{{Geometry: shapes[i%3], Density: 1, Friction: 0.5}}
		mustBody(tb, w, def)
	}
}

// newScene returns a fresh world holding s.
func newScene(tb testing.TB, s testScene) *World {
	tb.Helper()
	w := newTestWorld(tb, testConfig)
	s.build(tb, w)
	return w
}

// appendState appends every body's position, angle and velocities to dst.
func appendState(dst []float64, w *World) []float64 {
	for _, b := range w.Bodies() {
		p, v := b.Position(), b.LinearVelocity()
		dst = append(dst, p.X, p.Y, b.Angle(), v.X, v.Y, b.AngularVelocity())
	}
	return dst
}

// runScene drives and steps w for n control steps numbered from first on, and returns the
// state of every body after every step.
func runScene(w *World, s testScene, first, n int) []float64 {
	var trace []float64
	for step := first; step < first+n; step++ {
		s.drive(w, step)
		w.Step()
		trace = appendState(trace, w)
	}
	return trace
}

// firstDifference returns the index of the first element where a and b differ bit for bit,
// or −1 when they are identical.
func firstDifference(a, b []float64) int {
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return i
		}
	}
	return -1
}

func TestNewWorldRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  WorldConfig
	}{
		{"zero control step", WorldConfig{ControlDT: 0, Substeps: 1}},
		{"negative control step", WorldConfig{ControlDT: -0.01, Substeps: 1}},
		{"NaN control step", WorldConfig{ControlDT: math.NaN(), Substeps: 1}},
		{"infinite control step", WorldConfig{ControlDT: math.Inf(1), Substeps: 1}},
		{"zero substeps", WorldConfig{ControlDT: 0.01, Substeps: 0}},
		{"negative substeps", WorldConfig{ControlDT: 0.01, Substeps: -2}},
		{"zero value", WorldConfig{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if w, err := NewWorld(tt.cfg); err == nil || w != nil {
				t.Fatalf("NewWorld(%+v) = %v, %v; want nil and an error", tt.cfg, w, err)
			}
		})
	}
}

func TestNewWorldConfig(t *testing.T) {
	tests := []struct {
		name         string
		cfg          WorldConfig
		velIt, posIt int
		physicsDT    float64
	}{
		{"default iterations", WorldConfig{ControlDT: 0.05, Substeps: 10}, 8, 3, 0.005},
		{"negative iterations mean default", WorldConfig{ControlDT: 0.02, Substeps: 1, VelocityIterations: -1, PositionIterations: -1}, 8, 3, 0.02},
		{"explicit iterations", WorldConfig{ControlDT: 0.1, Substeps: 4, VelocityIterations: 12, PositionIterations: 5}, 12, 5, 0.025},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestWorld(t, tt.cfg)
			got := w.Config()
			if got.VelocityIterations != tt.velIt || got.PositionIterations != tt.posIt {
				t.Errorf("iterations %d/%d, want %d/%d", got.VelocityIterations, got.PositionIterations, tt.velIt, tt.posIt)
			}
			if got.ControlDT != tt.cfg.ControlDT || got.Substeps != tt.cfg.Substeps {
				t.Errorf("config %+v changed the timing of %+v", got, tt.cfg)
			}
			if math.Abs(w.PhysicsDT()-tt.physicsDT) > 1e-15 {
				t.Errorf("PhysicsDT = %v, want %v", w.PhysicsDT(), tt.physicsDT)
			}
			if w.Time() != 0 || len(w.Bodies()) != 0 || len(w.Joints()) != 0 {
				t.Errorf("new world not empty: time %v, %d bodies, %d joints", w.Time(), len(w.Bodies()), len(w.Joints()))
			}
		})
	}
}

func TestStepAdvancesTime(t *testing.T) {
	w := newTestWorld(t, testConfig)
	for range 60 {
		w.Step()
	}
	if math.Abs(w.Time()-1) > 1e-12 {
		t.Fatalf("after 60 steps of 1/60 s, Time = %v, want 1", w.Time())
	}
}

func TestCollisionFiltering(t *testing.T) {
	tests := []struct {
		name          string
		lower, upper  Filter
		sensor        bool // the lower box is a sensor
		wantCollision bool
	}{
		{"default filters collide", Filter{}, Filter{}, false, true},
		{"matching category and mask", Filter{Category: 2, Mask: 4}, Filter{Category: 4, Mask: 2}, false, true},
		{"disjoint categories and masks", Filter{Category: 2, Mask: 2}, Filter{Category: 4, Mask: 4}, false, false},
		{"mask on one side only", Filter{Category: 2, Mask: 0xFFFF}, Filter{Category: 4, Mask: 4}, false, false},
		{"shared negative group", Filter{Group: -3}, Filter{Group: -3}, false, false},
		{"shared positive group beats masks", Filter{Category: 2, Mask: 2, Group: 5}, Filter{Category: 4, Mask: 4, Group: 5}, false, true},
		{"sensor", Filter{}, Filter{}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestWorld(t, testConfig)
			mustBody(t, w, BodyDef{Type: Static, Fixtures: []FixtureDef{{Geometry: Box{W: 4, H: 1}, Filter: tt.lower, Sensor: tt.sensor}}})
			def := boxBody(V(0, 1.5), 0.5, 0.5)
			def.Fixtures[0].Filter = tt.upper
			top := mustBody(t, w, def)
			for range 120 {
				w.Step()
			}
			y := top.Position().Y
			// Resting on the lower box puts the centre 0.75 m up, less Box2D's few
			// millimetres of allowed penetration.
			if rests := math.Abs(y-0.75) < 0.02; rests != tt.wantCollision {
				t.Fatalf("upper box at y = %.4f m after 2 s; collision expected: %v", y, tt.wantCollision)
			}
		})
	}
}

func TestForcesLastOneControlStep(t *testing.T) {
	const dt = 1.0 / 60
	tests := []struct {
		name  string
		apply func(b *Body)
		// wantV and wantW are the velocity and angular velocity one step after the push,
		// ignoring gravity.
		wantV Vec2
		wantW float64
	}{
		{"force at centre", func(b *Body) { b.ApplyForce(V(6, 0)) }, V(6*dt/2, 0), 0},
		{"torque", func(b *Body) { b.ApplyTorque(3) }, Vec2{}, 3 * dt / (2.0 / 12 * 2)},
		{"force off centre", func(b *Body) { b.ApplyForceAt(V(0, 6), V(1, 0)) }, V(0, 6*dt/2), 6 * dt / (2.0 / 12 * 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestWorld(t, testConfig)
			// A 1 m square of density 2: mass 2 kg, inertia 2·(1+1)/12 kg·m².
			b := mustBody(t, w, BodyDef{Type: Dynamic, Fixtures: []FixtureDef{{Geometry: Box{W: 1, H: 1}, Density: 2}}})
			tt.apply(b)
			w.Step()
			checkVelocity(t, "after the pushed step", b, tt.wantV.Add(V(0, -9.81*dt)), tt.wantW)
			w.Step()
			checkVelocity(t, "one step later", b, tt.wantV.Add(V(0, -2*9.81*dt)), tt.wantW)
		})
	}
}

func checkVelocity(t *testing.T, when string, b *Body, v Vec2, w float64) {
	t.Helper()
	const tol = 1e-12
	got := b.LinearVelocity()
	if got.Sub(v).Len() > tol || math.Abs(b.AngularVelocity()-w) > tol {
		t.Errorf("%s: velocity %v, angular %v; want %v, %v", when, got, b.AngularVelocity(), v, w)
	}
}

func TestOnSubstep(t *testing.T) {
	for _, substeps := range []int{1, 3, 10} {
		t.Run(fmt.Sprintf("%d substeps", substeps), func(t *testing.T) {
			w := newTestWorld(t, WorldConfig{ControlDT: 0.03, Substeps: substeps})
			calls := 0
			w.OnSubstep(func(h float64) {
				calls++
				if h != w.PhysicsDT() {
					t.Errorf("hook got h = %v, want %v", h, w.PhysicsDT())
				}
			})
			w.Step()
			w.Step()
			if calls != 2*substeps {
				t.Errorf("%d substeps: hook called %d times in 2 steps, want %d", substeps, calls, 2*substeps)
			}
			w.OnSubstep(nil)
			w.Step()
			if calls != 2*substeps {
				t.Errorf("hook still called after OnSubstep(nil)")
			}
		})
	}
}

func TestFinite(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name  string
		spoil func(b *Body)
	}{
		{"linear velocity", func(b *Body) { b.b.M_linearVelocity.X = nan }},
		{"angular velocity", func(b *Body) { b.b.M_angularVelocity = math.Inf(1) }},
		{"position", func(b *Body) { b.b.M_sweep.C.Y = nan }},
		{"angle", func(b *Body) { b.b.M_sweep.A = math.Inf(-1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newScene(t, twoLinkArm)
			w.Step()
			if !w.Finite() {
				t.Fatal("healthy world reported non-finite")
			}
			tt.spoil(w.Bodies()[2])
			if w.Finite() {
				t.Fatal("Finite() = true with a non-finite body")
			}
		})
	}
}

// TestParallelWorldsWithContacts steps several worlds full of contacts in parallel and
// checks each against a world stepped alone. Run it with -race: it guards the workarounds
// for the port's package-level state.
func TestParallelWorldsWithContacts(t *testing.T) {
	const worlds, steps = 4, 200
	for _, s := range []testScene{boxPyramid, shapePile} {
		t.Run(s.name, func(t *testing.T) {
			want := runScene(newScene(t, s), s, 0, steps)
			got := make([][]float64, worlds)
			var wg sync.WaitGroup
			for i := range worlds {
				w := newScene(t, s)
				wg.Go(func() { got[i] = runScene(w, s, 0, steps) })
			}
			wg.Wait()
			for i, g := range got {
				if d := firstDifference(want, g); d >= 0 {
					t.Errorf("world %d differs from the serial run at value %d", i, d)
				}
			}
		})
	}
}

// TestBodyAt checks that BodyAt finds the dynamic body under a point, prefers the one added
// last, and ignores static bodies and empty space.
func TestBodyAt(t *testing.T) {
	w, err := NewWorld(WorldConfig{ControlDT: 0.05, Substeps: 2})
	if err != nil {
		t.Fatal(err)
	}
	add := func(typ BodyType, x float64) *Body {
		b, err := w.NewBody(BodyDef{Type: typ, Position: V(x, 0), Fixtures: []FixtureDef{{Geometry: Box{W: 1, H: 1}, Density: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ground := add(Static, 5)
	first, second := add(Dynamic, 0), add(Dynamic, 0.5)
	for _, tc := range []struct {
		p    Vec2
		want *Body
	}{{V(-0.4, 0), first}, {V(0.3, 0), second}, {V(5, 0), nil}, {V(0, 3), nil}} {
		if got := w.BodyAt(tc.p); got != tc.want {
			t.Errorf("BodyAt(%v) = %p, want %p (ground %p)", tc.p, got, tc.want, ground)
		}
	}
}
