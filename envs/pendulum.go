package envs

import (
	"image/color"
	"math"
	"math/rand/v2"

	"github.com/foresight-sim/foresight/sim"
)

// Pendulum-v0: swing a torque-limited pendulum up from hanging down and balance it upright.
//
// A uniform rod (default 1 kg, 1 m) hangs from a frictionless hinge. The motor's torque limit
// (default 2 N·m) is less than half the 4.9 N·m gravity exerts on the horizontal rod, so the
// pendulum cannot be lifted directly: it must be swung back and forth to gain energy.
//
// The rod is simulated in reduced coordinates: its mass properties are those of the rod about
// the hinge, and gravity's torque m·g·(L/2)·sin θ is applied at every physics sub-step. A
// rod hanging from a Box2D point constraint loses about 3% of its energy per second to the
// solver at this timestep; this way the undamped pendulum keeps its energy (the tests hold
// the drift under 1% over 10 s) and its small-angle period matches 2π√(I/mgl).
//
//	Observation  Box(3): [cos θ, sin θ, ω]; θ is the rod's angle from upright
//	             (counter-clockwise, θ = π hanging down), ω its angular velocity in rad/s.
//	Action       Box([-1, 1], 1): torque as a fraction of max_torque.
//	Reward       upright · small velocity · small control, in [0, 1]: upright is (1 + cos θ)/2,
//	             small velocity is (1 + tolerance(ω, margin 5 rad/s))/2, small control falls
//	             from 1 at zero torque to 0.8 at the limit.
//	Start        θ = π ± 0.1 rad, ω = ±0.1 rad/s, uniformly at random.
//	Termination  none; truncated after 200 steps (10 s).
//	Success      within 0.2 rad of upright with |ω| < 1 rad/s for the final 2 s of the episode.
//	Timing       control step 0.05 s, 10 physics sub-steps.
//	Parameters   mass, length, max_torque, gravity.
type pendulum struct {
	noVars
	p     Params
	pivot *sim.Body
	rod   *sim.Body
}

const pendulumID = "Pendulum-v0"

// pendulumSummary describes the task in one line.
const pendulumSummary = "swing a torque-limited pendulum up and balance it"

func init() {
	mustRegister(Registration{
		ID:              pendulumID,
		Summary:         pendulumSummary,
		MaxEpisodeSteps: 200,
		Params: Params{
			{Name: "mass", Value: 1, Min: 0.05, Max: 20, Unit: "kg", Doc: "mass of the rod"},
			{Name: "length", Value: 1, Min: 0.2, Max: 5, Unit: "m", Doc: "length of the rod"},
			{Name: "max_torque", Value: 2, Min: 0.01, Max: 100, Unit: "N·m", Doc: "torque at action ±1"},
			{Name: "gravity", Value: 9.81, Min: 0, Max: 30, Unit: "m/s²", Doc: "gravitational acceleration"},
		},
		New: newPendulum,
	})
}

func newPendulum(p Params) (Env, error) {
	def := taskDef{
		spec: Spec{
			ID:          pendulumID,
			Summary:     pendulumSummary,
			SuccessRule: "within 0.2 rad of upright with |angular velocity| < 1 rad/s for the final 2 s of the episode",
			Params:      p,
		},
		world: standardWorld(p.Get("gravity")),
		obs:   NewBox([]float64{-1, -1, math.Inf(-1)}, []float64{1, 1, math.Inf(1)}),
		act:   UniformBox(-1, 1, 1),
		hold:  2,
		pin:   0.03 * p.Get("length"),
	}
	return newPhysicsEnv(def, &pendulum{p: p})
}

// rodWidth is the rod's thickness as a fraction of its length.
const rodWidth = 0.06

func (t *pendulum) build(w *sim.World) error {
	l, m := t.p.Get("length"), t.p.Get("mass")
	var err error
	if t.pivot, err = w.NewBody(sim.BodyDef{Type: sim.Static, Style: sim.Style{Hidden: true}}); err != nil {
		return err
	}
	rod := sim.Box{W: rodWidth * l, H: l, Center: sim.V(0, l/2)}
	t.rod, err = w.NewBody(sim.BodyDef{
		Type:      sim.Dynamic,
		NoGravity: true,
		Fixtures:  []sim.FixtureDef{{Geometry: rod, Density: m / (rod.W * rod.H)}},
		Style:     sim.Style{Fill: colorActor, Stroke: colorOutline, Outline: 0.01 * l},
	})
	if err != nil {
		return err
	}
	if err := t.rod.SetMass(m, sim.Vec2{}, rodInertia(m, l)); err != nil {
		return err
	}
	if _, err = w.NewRevolute(sim.RevoluteDef{A: t.pivot, B: t.rod}); err != nil {
		return err
	}
	w.OnSubstep(t.gravity)
	return nil
}

// rodInertia returns the moment of inertia of the rod about the hinge at its end.
func rodInertia(m, l float64) float64 {
	w := rodWidth * l
	return m*(l*l+w*w)/12 + m*l*l/4
}

// gravity applies the torque of gravity about the hinge for one physics sub-step of h seconds.
func (t *pendulum) gravity(h float64) {
	torque := t.p.Get("mass") * t.p.Get("gravity") * t.p.Get("length") / 2 * math.Sin(t.rod.Angle())
	t.rod.ApplyAngularImpulse(torque * h)
}

func (t *pendulum) reset(rng *rand.Rand) error {
	theta := math.Pi + uniform(rng, 0.1)
	return t.rod.SetPose(sim.Vec2{}, theta, sim.Vec2{}, uniform(rng, 0.1))
}

func (t *pendulum) act(a []float64) { t.rod.ApplyTorque(a[0] * t.p.Get("max_torque")) }

func (t *pendulum) observe(dst []float64) {
	s, c := math.Sincos(t.rod.Angle())
	dst[0], dst[1], dst[2] = c, s, t.rod.AngularVelocity()
}

func (t *pendulum) pose(obs []float64) error {
	return t.rod.SetPose(sim.Vec2{}, math.Atan2(obs[1], obs[0]), sim.Vec2{}, 0)
}

func (t *pendulum) evaluate(a []float64) (float64, bool) {
	theta, omega := wrapAngle(t.rod.Angle()), t.rod.AngularVelocity()
	upright := (1 + math.Cos(theta)) / 2
	slow := (1 + tolerance(omega, 0, 0, 5, 0.1)) / 2
	return upright * slow * smallControl(a), math.Abs(theta) <= 0.2 && math.Abs(omega) < 1
}

func (t *pendulum) camera() sim.Camera {
	return sim.Camera{Width: 3 * t.p.Get("length")}
}

func (t *pendulum) draw(s *sim.Scene) {
	l := t.p.Get("length")
	s.AddCircle(sim.LayerBackground, colorGuide, sim.Vec2{}, l*1.02)
	s.AddCircle(sim.LayerBackground, Background, sim.Vec2{}, l*0.98)
	s.AddCircle(sim.LayerTarget, colorTarget, sim.V(0, l), 0.06*l)
}

// uniform returns a number drawn uniformly from [−r, r].
func uniform(rng *rand.Rand, r float64) float64 { return r * (2*rng.Float64() - 1) }

// Colours shared by the built-in scenes.
var (
	colorActor   = color.NRGBA{226, 112, 48, 255}  // the bodies the agent moves
	colorPassive = color.NRGBA{70, 120, 190, 255}  // bodies it moves only through others
	colorOutline = color.NRGBA{60, 50, 45, 255}    // body outlines
	colorGuide   = color.NRGBA{214, 210, 200, 255} // rails, reach circles, ground
	colorMark    = color.NRGBA{150, 144, 132, 255} // scale marks that show where a camera is
	colorTarget  = color.NRGBA{60, 170, 90, 200}   // goals
)
