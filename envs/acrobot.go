package envs

import (
	"math"
	"math/rand/v2"

	"github.com/foresight-sim/foresight/sim"
)

// Acrobot-v0: swing the tip of a two-link arm, actuated only at the elbow, above a goal line.
//
// Two uniform links (default 1 m and 1 kg each) hang in a chain from a fixed, frictionless
// shoulder. A motor at the elbow applies equal and opposite torques to the two links; the
// shoulder is passive. The motor cannot lift the arm directly, so the arm must be pumped:
// swung back and forth, in step with its own motion, until the tip rises at least one upper
// link's length above the shoulder, as in Gymnasium's Acrobot.
//
// Box2D's joint solver takes energy out of a free swing at a rate that grows with its speed:
// about 4% per second released from horizontal, 7% per second released 2.5 rad up. It acts
// like friction in the hinges that the pump has to make up for. The bodies touch only
// through joints, so replays from a snapshot are exact.
//
//	Observation  Box(6): [cos θ1, sin θ1, cos θ2, sin θ2, θ̇1, θ̇2]; θ1 is the upper link's
//	             angle from hanging straight down, θ2 the lower link's angle relative to the
//	             upper one, both counter-clockwise; angular velocities in rad/s, unbounded.
//	Action       Box([-1, 1], 1): elbow torque as a fraction of max_torque.
//	Reward       height · small control, in [0, 1]: height is 1 once the tip is upper_length
//	             above the shoulder, falling smoothly to 0.1 with the tip at its lowest
//	             (tolerance with a margin of 2·upper_length + lower_length); small control
//	             falls from 1 at zero torque to 0.8 at the limit.
//	Start        θ1, θ2, θ̇1 and θ̇2 each uniformly at random within ±0.1.
//	Termination  when the tip is upper_length or more above the shoulder (success); truncated
//	             after 200 steps (10 s). Rewards are never negative, so an agent that counts
//	             nothing after a terminal step would rather hover below the line than finish:
//	             learners and planners should value the success state as earning the top
//	             reward, 1, for each step the episode had left.
//	Success      the tip reaches upper_length above the shoulder.
//	Timing       control step 0.05 s, 10 physics sub-steps.
//	Parameters   upper_length, lower_length, upper_mass, lower_mass, max_torque, gravity.
//	Tunings      the learners plan 2.25 s ahead (acrobotTunings says why).
type acrobot struct {
	noVars
	p   Params
	arm arm
}

const acrobotID = "Acrobot-v0"

// acrobotSummary describes the task in one line.
const acrobotSummary = "swing the tip of a two-link arm, actuated at the elbow only, above a line"

// acrobotRest is the direction of the hanging upper link, from which θ1 is measured.
const acrobotRest = -math.Pi / 2

func init() {
	mustRegister(Registration{
		ID:              acrobotID,
		Summary:         acrobotSummary,
		MaxEpisodeSteps: 200,
		Params: Params{
			{Name: "upper_length", Value: 1, Min: 0.2, Max: 3, Unit: "m", Doc: "length of the link hinged at the shoulder"},
			{Name: "lower_length", Value: 1, Min: 0.2, Max: 3, Unit: "m", Doc: "length of the link hinged at the elbow"},
			{Name: "upper_mass", Value: 1, Min: 0.1, Max: 10, Unit: "kg", Doc: "mass of the upper link"},
			{Name: "lower_mass", Value: 1, Min: 0.1, Max: 10, Unit: "kg", Doc: "mass of the lower link"},
			{Name: "max_torque", Value: 2, Min: 0.1, Max: 50, Unit: "N·m", Doc: "elbow torque at action ±1"},
			{Name: "gravity", Value: 9.81, Min: 0, Max: 30, Unit: "m/s²", Doc: "gravitational acceleration"},
		},
		New: newAcrobot,
	})
}

// acrobotTunings make the learners plan 2.25 s ahead, as the oracle does, at 1.5 times the
// default plan's model steps per action.
var acrobotTunings = []Tuning{{
	Agents: []string{"jepa", "pets", "recon"},
	Settings: map[string]string{
		"plan.horizon": "45", "plan.samples": "64", "plan.elites": "8", "plan.iterations": "2", "plan.correlation": "0.8",
	},
	Reason: "Pumping the arm up pays off only after more than a second. With the true simulator in place " +
		"of a model, a planner that looked 1.5 s ahead succeeded in none of 4 episodes (returns 133-135, " +
		"where the learners also stopped with the default 0.5 s plan), and the oracle's, which looks " +
		"2.25 s ahead, in 19 of 20. The default serves the other tasks better: on CartPoleSwingup-v0, " +
		"one jepa seed needed over 180 s of experience with the longer plan, against 50 s with the default.",
}}

func newAcrobot(p Params) (Env, error) {
	inf := math.Inf(1)
	def := taskDef{
		spec: Spec{
			ID:          acrobotID,
			Summary:     acrobotSummary,
			SuccessRule: "the tip rises upper_length above the shoulder; the episode ends there",
			Params:      p,
			Tunings:     acrobotTunings,
		},
		world:   standardWorld(p.Get("gravity")),
		obs:     NewBox([]float64{-1, -1, -1, -1, -inf, -inf}, []float64{1, 1, 1, 1, inf, inf}),
		act:     UniformBox(-1, 1, 1),
		stopped: true,
		pin:     pinRadius(p.Get("upper_length")),
	}
	return newPhysicsEnv(def, &acrobot{p: p})
}

func (t *acrobot) build(w *sim.World) error {
	l1, l2 := t.p.Get("upper_length"), t.p.Get("lower_length")
	upper := linkDef{length: l1, mass: t.p.Get("upper_mass"), style: linkStyle(colorPassive, l1)}
	lower := linkDef{length: l2, mass: t.p.Get("lower_mass"), style: linkStyle(colorActor, l2)}
	var err error
	t.arm, err = buildArm(w, sim.Vec2{}, acrobotRest, upper, lower, sim.RevoluteDef{}, sim.RevoluteDef{})
	return err
}

func (t *acrobot) reset(rng *rand.Rand) error {
	return t.arm.place(acrobotRest+uniform(rng, 0.1), uniform(rng, 0.1), uniform(rng, 0.1), uniform(rng, 0.1))
}

func (t *acrobot) act(a []float64) {
	torque := a[0] * t.p.Get("max_torque")
	t.arm.lower.body.ApplyTorque(torque)
	t.arm.upper.body.ApplyTorque(-torque)
}

func (t *acrobot) observe(dst []float64) {
	dir, elbow, omega, elbowRate := t.arm.joints()
	dst[1], dst[0] = math.Sincos(dir - acrobotRest)
	dst[3], dst[2] = math.Sincos(elbow)
	dst[4], dst[5] = omega, elbowRate
}

func (t *acrobot) pose(obs []float64) error {
	return t.arm.place(acrobotRest+math.Atan2(obs[1], obs[0]), math.Atan2(obs[3], obs[2]), 0, 0)
}

// height returns how far the tip is above the shoulder, which sits at the origin.
func (t *acrobot) height() float64 { return t.arm.lower.tip().Y }

func (t *acrobot) evaluate(a []float64) (float64, bool) {
	l1, l2 := t.p.Get("upper_length"), t.p.Get("lower_length")
	h := t.height()
	return tolerance(h, l1, math.Inf(1), 2*l1+l2, 0.1) * smallControl(a), h >= l1
}

func (t *acrobot) camera() sim.Camera {
	return sim.Camera{Width: 3 * (t.p.Get("upper_length") + t.p.Get("lower_length"))}
}

// draw adds the circle the tip can reach and the goal line it must rise above.
func (t *acrobot) draw(s *sim.Scene) {
	l1, reach := t.p.Get("upper_length"), t.p.Get("upper_length")+t.p.Get("lower_length")
	addRing(s, sim.LayerBackground, colorGuide, sim.Vec2{}, reach, 0.02*reach)
	s.AddLine(sim.LayerTarget, colorTarget, 0.02*reach, sim.V(-reach, l1), sim.V(reach, l1))
}
