package envs

import (
	"math"
	"testing"

	"github.com/foresight-sim/foresight/sim"
)

// newTestPendulum returns an unwrapped pendulum with default parameters and its task.
func newTestPendulum(t *testing.T) (*physicsEnv, *pendulum) {
	t.Helper()
	r, err := Lookup(pendulumID)
	if err != nil {
		t.Fatal(err)
	}
	env, err := newPendulum(r.Params)
	if err != nil {
		t.Fatal(err)
	}
	e := env.(*physicsEnv)
	e.Reset(0)
	return e, e.t.(*pendulum)
}

// rodPhysics returns the textbook quantities of a uniform rod of the pendulum's mass, length
// and thickness swinging about one end: inertia about the hinge and m·g·l for its centre.
func rodPhysics(p *pendulum) (iHinge, mgl float64) {
	m, l, g := p.p.Get("mass"), p.p.Get("length"), p.p.Get("gravity")
	w := rodWidth * l
	return m*(l*l+w*w)/12 + m*(l/2)*(l/2), m * g * l / 2
}

// pendulumEnergy returns the rod's kinetic plus potential energy, zero when it rests hanging
// down. The centre of mass is found from the drawn geometry, not the simulated mass data.
func pendulumEnergy(p *pendulum) float64 {
	iHinge, mgl := rodPhysics(p)
	tip := p.rod.WorldPoint(sim.V(0, 1))
	cosFromUp := tip.Y / tip.Len()
	return 0.5*iHinge*math.Pow(p.rod.AngularVelocity(), 2) + mgl*(1+cosFromUp)
}

func TestPendulumSmallAnglePeriod(t *testing.T) {
	e, p := newTestPendulum(t)
	if err := p.rod.SetPose(sim.Vec2{}, math.Pi+0.05, sim.Vec2{}, 0); err != nil {
		t.Fatal(err)
	}
	iHinge, mgl := rodPhysics(p)
	want := 2 * math.Pi * math.Sqrt(iHinge/mgl)

	// Time upward zero crossings of the deflection, interpolating within a physics step.
	w := e.world
	h := w.PhysicsDT()
	var crossings []float64
	prev := wrapAngle(p.rod.Angle() - math.Pi)
	for i := range int(10 / h) {
		w.PhysicsStep()
		cur := wrapAngle(p.rod.Angle() - math.Pi)
		if prev < 0 && cur >= 0 {
			crossings = append(crossings, h*(float64(i)+(-prev)/(cur-prev)))
		}
		prev = cur
	}
	if len(crossings) < 3 {
		t.Fatalf("only %d oscillations in 10 s", len(crossings))
	}
	got := (crossings[len(crossings)-1] - crossings[0]) / float64(len(crossings)-1)
	if rel := math.Abs(got-want) / want; rel > 0.01 {
		t.Errorf("period %.4f s, want 2π√(I/mgl) = %.4f s (%.2f%% off, limit 1%%)", got, want, 100*rel)
	}
	t.Logf("period %.5f s, theory %.5f s", got, want)
}

func TestPendulumEnergyDrift(t *testing.T) {
	e, p := newTestPendulum(t)
	if err := p.rod.SetPose(sim.Vec2{}, math.Pi/2, sim.Vec2{}, 0); err != nil {
		t.Fatal(err)
	}
	e0 := pendulumEnergy(p)
	worst := 0.0
	for range int(10 / e.def.spec.ControlDT) {
		e.world.Step()
		worst = math.Max(worst, math.Abs(pendulumEnergy(p)-e0)/e0)
	}
	if worst > 0.01 {
		t.Errorf("energy drifted by %.3f%% over 10 s, limit 1%%", 100*worst)
	}
	t.Logf("largest energy drift over 10 s: %.4f%%", 100*worst)
}
