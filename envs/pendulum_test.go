package envs

import (
	"math"
	"testing"

	"github.com/foresight-sim/foresight/sim"
)

// newTestPendulum returns an unwrapped pendulum with default parameters and its task.
func newTestPendulum(t *testing.T, opts ...Option) (*physicsEnv, *pendulum) {
	t.Helper()
	e := makePhysics(t, pendulumID, opts...)
	return e, e.t.(*pendulum)
}

// pendulumBuilds are the pendulums the physics checks run on: the default, and one whose
// mass, length and gravity all differ from 1 and from each other, so that a product
// written as a quotient shows.
var pendulumBuilds = []struct {
	name string
	opts []Option
}{
	{"default", nil},
	{"3 kg, 0.5 m, 4 m/s²", []Option{WithParams(map[string]float64{"mass": 3, "length": 0.5, "gravity": 4})}},
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
	for _, b := range pendulumBuilds {
		t.Run(b.name, func(t *testing.T) { checkPendulumPeriod(t, b.opts...) })
	}
}

// checkPendulumPeriod times the small oscillations of a pendulum built with opts against
// 2π√(I/mgl).
func checkPendulumPeriod(t *testing.T, opts ...Option) {
	e, p := newTestPendulum(t, opts...)
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
	for _, b := range pendulumBuilds {
		t.Run(b.name, func(t *testing.T) { checkPendulumEnergy(t, b.opts...) })
	}
}

// checkPendulumEnergy checks that a pendulum built with opts keeps its energy, swinging
// freely from horizontal for 10 s.
func checkPendulumEnergy(t *testing.T, opts ...Option) {
	e, p := newTestPendulum(t, opts...)
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

// TestPendulumRewardAndSuccess pins the reward and success rule to values worked by hand
// from the doc comment: (1 + cos θ)/2 · (1 + 0.1^((ω/5)²))/2 · (4 + 1 − a²)/5, with success
// for |θ| ≤ 0.2 and |ω| < 1. The tolerance's Gaussian falls to 0.1 at its margin, so at a
// distance d past the bounds it is 0.1^((d/margin)²). The angle is tested a nanoradian
// either side of 0.2, since wrapping it into (−π, π] moves it by rounding error.
func TestPendulumRewardAndSuccess(t *testing.T) {
	_, p := newTestPendulum(t)
	cases := []struct {
		name                string
		theta, omega, force float64
		reward              float64
		ok                  bool
	}{
		{"upright at rest", 0, 0, 0, 1, true},
		{"upright, full torque", 0, 0, 1, 0.8, true},
		{"upright, half torque back", 0, 0, -0.5, (4 + 0.75) / 5, true},
		{"hanging at rest", math.Pi, 0, 0, 0, false},
		{"horizontal", math.Pi / 2, 0, 0, 0.5, false},
		{"tilted just under 0.2 rad", 0.2 - 1e-9, 0, 0, (1 + math.Cos(0.2-1e-9)) / 2, true},
		{"tilted just under 0.2 rad the other way", -0.2 + 1e-9, 0, 0, (1 + math.Cos(0.2-1e-9)) / 2, true},
		{"tilted just past 0.2 rad", 0.2 + 1e-9, 0, 0, (1 + math.Cos(0.2+1e-9)) / 2, false},
		{"tilted 0.25 rad", -0.25, 0, 0, (1 + math.Cos(0.25)) / 2, false},
		{"tilted 0.1 rad, one turn on", 2*math.Pi + 0.1, 0, 0, (1 + math.Cos(0.1)) / 2, true},
		{"tilted 0.25 rad, one turn back", -2*math.Pi - 0.25, 0, 0, (1 + math.Cos(0.25)) / 2, false},
		{"turning just under 1 rad/s", 0, math.Nextafter(1, 0), 0, (1 + math.Pow(0.1, 1.0/25)) / 2, true},
		{"turning at 1 rad/s", 0, 1, 0, (1 + math.Pow(0.1, 1.0/25)) / 2, false},
		{"turning at −1 rad/s", 0, -1, 0, (1 + math.Pow(0.1, 1.0/25)) / 2, false},
		{"turning at −0.9 rad/s", 0.15, -0.9, 0, (1 + math.Cos(0.15)) / 2 * (1 + math.Pow(0.1, 0.81/25)) / 2, true},
		{"turning at the margin, 5 rad/s", 0, 5, 0, (1 + 0.1) / 2, false},
		{"turning at half the margin", 0, -2.5, 0, (1 + math.Pow(0.1, 0.25)) / 2, false},
		{"turning fast", 0, 50, 0, 0.5, false},
		{"60° off, turning, half torque", math.Pi / 3, 2.5, 0.5, 0.75 * (1 + math.Pow(0.1, 0.25)) / 2 * 0.95, false},
	}
	for _, c := range cases {
		if err := p.rod.SetPose(sim.Vec2{}, c.theta, sim.Vec2{}, c.omega); err != nil {
			t.Fatal(err)
		}
		r, ok := p.evaluate([]float64{c.force})
		checkJudgement(t, c.name, r, ok, c.reward, c.ok)
	}
}
