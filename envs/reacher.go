package envs

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/foresight-sim/foresight/sim"
)

// Reacher-v0: move the fingertip of a two-link arm onto a random target and hold it there.
//
// Two uniform links (default 0.5 m and 0.5 kg each) lie in a horizontal plane, without
// gravity, hinged at a fixed shoulder and at an elbow whose joint limit keeps it within ±160°.
// Each joint has a velocity-controlled motor, as in a servo: the action sets the speed it
// drives the joint at, which it reaches as fast as its torque limit allows and holds against
// the other link's pull. A zero action brakes the arm and holds it still. The target lies at
// random, uniformly by area, in an annulus from a quarter of the arm's reach R (or further
// out, if the elbow limit keeps the fingertip from folding that close) to 0.9·R.
//
// The bodies touch only through joints, so replays from a snapshot are exact.
//
//	Observation  Box(7): [cos q1, sin q1, q2, q̇1, q̇2, dx, dy]; q1 is the upper link's
//	             direction from the x axis, q2 the elbow angle (the lower link's direction
//	             relative to the upper) in radians, within ±π (the limit may yield a degree
//	             or two under load), both counter-clockwise; q̇1 and q̇2 in rad/s, unbounded;
//	             (dx, dy) is the target minus the fingertip in the upper link's frame (x
//	             along the link from the shoulder, y a quarter turn counter-clockwise from
//	             it), in m, within ±2R.
//	Action       Box([-1, 1], 2): target speeds of the shoulder and elbow motors as fractions
//	             of max_speed.
//	Reward       (far + sharp · slow)/2 · small control, in [0, 1]. far falls linearly from
//	             1 at the target to 0 at 2R. sharp is a tolerance that is 1 within half the
//	             success distance of the target and falls smoothly to 0.1 a further 0.1R
//	             away. slow is 1 when the fingertip moves slower than half the success
//	             speed, falling towards 0.5 at speed R per second; it discounts only the
//	             sharp term. Small control falls from 1 at zero speed to 0.8 at full speed
//	             on both joints.
//	Start        q1 uniformly at random, q2 uniformly within ±144°, at rest; the target as
//	             above.
//	Termination  none; truncated after 100 steps (5 s).
//	Success      fingertip within 0.05·R of the target and slower than 0.1·R per second for
//	             the final 1 s of the episode.
//	Timing       control step 0.05 s, 10 physics sub-steps.
//	Parameters   upper_length, lower_length, upper_mass, lower_mass, max_speed, max_torque.
//	Tunings      the learners plan without a critic (reacherTunings says why).
//
// Why these values: docs/decisions.md#reacher-v0-observation-and-reward.
type reacher struct {
	p      Params
	arm    arm
	target sim.Vec2
}

const reacherID = "Reacher-v0"

// reacherSummary describes the task in one line.
const reacherSummary = "bring the fingertip of a two-link arm to a random target and hold it there"

// elbowLimit is the largest bend of the elbow either way, in radians.
const elbowLimit = 160 * math.Pi / 180

// The fingertip must come within reacherNear·R of the target and move slower than
// reacherSlow·R per second, R being the arm's reach.
const (
	reacherNear = 0.05
	reacherSlow = 0.1
)

func init() {
	mustRegister(Registration{
		ID:              reacherID,
		Summary:         reacherSummary,
		MaxEpisodeSteps: 100,
		Params: Params{
			{Name: "upper_length", Value: 0.5, Min: 0.2, Max: 1, Unit: "m", Doc: "length of the link hinged at the shoulder"},
			{Name: "lower_length", Value: 0.5, Min: 0.2, Max: 1, Unit: "m", Doc: "length of the link hinged at the elbow"},
			{Name: "upper_mass", Value: 0.5, Min: 0.05, Max: 5, Unit: "kg", Doc: "mass of the upper link"},
			{Name: "lower_mass", Value: 0.5, Min: 0.05, Max: 5, Unit: "kg", Doc: "mass of the lower link"},
			{Name: "max_speed", Value: math.Pi, Min: 0.5, Max: 4 * math.Pi, Unit: "rad/s", Doc: "motor target speed at action ±1"},
			{Name: "max_torque", Value: 5, Min: 0.1, Max: 50, Unit: "N·m", Doc: "largest torque each motor exerts"},
		},
		New: newReacher,
	})
}

// reacherTunings make the learners plan without a critic, with the imagined rewards alone.
var reacherTunings = []Tuning{{
	Agents:   []string{"jepa", "pets", "recon"},
	Settings: map[string]string{"critic": "false"},
	Reason: "The critic learns the value of the agent's past behaviour, which here turns on where each " +
		"episode's random target lies, and in 10 minutes it had learnt nothing useful: from one state, " +
		"the values it gave the latents that 25 candidate plans ended in ranged over 12-23 with no " +
		"relation to how near the target they ended, while the plans' imagined rewards differed by less " +
		"than 1. It chose the plans, and the arm stayed put far from the target. In two 10-minute jepa " +
		"runs, 1 training episode succeeded with the critic and 38 without it. The default 0.5 s plan " +
		"needs no value beyond it: with the true simulator, it succeeded in 10 of 10 episodes.",
}}

func newReacher(p Params) (Env, error) {
	r := p.Get("upper_length") + p.Get("lower_length")
	inf := math.Inf(1)
	def := taskDef{
		spec: Spec{
			ID:          reacherID,
			Summary:     reacherSummary,
			SuccessRule: fmt.Sprintf("fingertip within %.3g m of the target and slower than %.3g m/s for the final 1 s of the episode", reacherNear*r, reacherSlow*r),
			Params:      p,
			Tunings:     reacherTunings,
		},
		world: standardWorld(0),
		obs: NewBox([]float64{-1, -1, -math.Pi, -inf, -inf, -2 * r, -2 * r},
			[]float64{1, 1, math.Pi, inf, inf, 2 * r, 2 * r}),
		act:  UniformBox(-1, 1, 2),
		hold: 1,
		pin:  pinRadius(p.Get("upper_length")),
	}
	return newPhysicsEnv(def, &reacher{p: p})
}

// reach returns the distance from the shoulder to the fingertip with the arm straight.
func (t *reacher) reach() float64 { return t.p.Get("upper_length") + t.p.Get("lower_length") }

// annulus returns the inner and outer radius of the ring targets are drawn from. The inner
// radius keeps the target where the fingertip can get with the elbow bent at most 150°, well
// inside its limit.
func (t *reacher) annulus() (inner, outer float64) {
	l1, l2 := t.p.Get("upper_length"), t.p.Get("lower_length")
	folded := math.Sqrt(l1*l1 + l2*l2 + 2*l1*l2*math.Cos(150*math.Pi/180))
	return math.Max(0.25*t.reach(), folded), 0.9 * t.reach()
}

func (t *reacher) build(w *sim.World) error {
	l1, l2, torque := t.p.Get("upper_length"), t.p.Get("lower_length"), t.p.Get("max_torque")
	upper := linkDef{length: l1, mass: t.p.Get("upper_mass"), style: linkStyle(colorActor, l1)}
	lower := linkDef{length: l2, mass: t.p.Get("lower_mass"), style: linkStyle(colorActor, l2)}
	shoulder := sim.RevoluteDef{Motor: true, MaxTorque: torque}
	elbow := sim.RevoluteDef{Motor: true, MaxTorque: torque, Limit: true, Lower: -elbowLimit, Upper: elbowLimit}
	var err error
	t.arm, err = buildArm(w, sim.Vec2{}, 0, upper, lower, shoulder, elbow)
	return err
}

func (t *reacher) reset(rng *rand.Rand) error {
	inner, outer := t.annulus()
	r := math.Sqrt(inner*inner + (outer*outer-inner*inner)*rng.Float64())
	t.target = sim.Polar(r, 2*math.Pi*rng.Float64())
	return t.arm.place(uniform(rng, math.Pi), uniform(rng, 0.9*elbowLimit), 0, 0)
}

func (t *reacher) act(a []float64) {
	speed, torque := t.p.Get("max_speed"), t.p.Get("max_torque")
	t.arm.shoulder.SetMotor(a[0]*speed, torque)
	t.arm.elbow.SetMotor(a[1]*speed, torque)
}

func (t *reacher) observe(dst []float64) {
	shoulder, elbow, shoulderRate, elbowRate := t.arm.joints()
	dst[1], dst[0] = math.Sincos(shoulder)
	dst[2], dst[3], dst[4] = wrapAngle(elbow), shoulderRate, elbowRate
	d := t.target.Sub(t.arm.lower.tip()).Rotate(-shoulder)
	dst[5], dst[6] = d.X, d.Y
}

func (t *reacher) pose(obs []float64) error {
	return t.arm.place(math.Atan2(obs[1], obs[0]), obs[2], 0, 0)
}

func (t *reacher) evaluate(a []float64) (float64, bool) {
	r, tip := t.reach(), t.arm.lower.tip()
	dist, speed := t.target.Sub(tip).Len(), t.arm.lower.body.VelocityAt(tip).Len()
	inner := 0.5 * reacherNear * r
	far := math.Max(1-dist/(2*r), 0)
	sharp := tolerance(dist, 0, inner, 0.1*r, 0.1)
	slow := (1 + tolerance(speed, 0, 0.5*reacherSlow*r, reacherSlow*r, 0.1)) / 2
	return (far + sharp*slow) / 2 * smallControl(a), dist <= reacherNear*r && speed < reacherSlow*r
}

func (t *reacher) vars(dst []float64) []float64 { return append(dst, t.target.X, t.target.Y) }

func (t *reacher) setVars(v []float64) error {
	if len(v) != 2 {
		return fmt.Errorf("%d task variables, want the target's 2 coordinates", len(v))
	}
	t.target = sim.V(v[0], v[1])
	return nil
}

func (t *reacher) camera() sim.Camera { return sim.Camera{Width: 3 * t.reach()} }

// draw adds the arm's reach, the annulus targets are drawn from, and the target itself as a
// disc of the success distance.
func (t *reacher) draw(s *sim.Scene) {
	r := t.reach()
	inner, outer := t.annulus()
	region := colorGuide
	region.A = 110
	addRing(s, sim.LayerBackground, region, sim.Vec2{}, (inner+outer)/2, outer-inner)
	addRing(s, sim.LayerBackground, colorGuide, sim.Vec2{}, r, 0.01*r)
	s.AddCircle(sim.LayerTarget, colorTarget, t.target, reacherNear*r)
}
