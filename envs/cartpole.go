package envs

import (
	"math"
	"math/rand/v2"

	"github.com/foresight-sim/foresight/sim"
)

// CartPoleSwingup-v0: push a cart along a rail to swing up the pole hinged on it and balance
// the pole upright.
//
// A cart (default 1 kg) slides without friction on a horizontal rail, held by a prismatic
// joint whose limits at ±rail_half act as end stops. A uniform pole (default 0.1 kg, 1 m) is
// hinged at the cart's centre. The only actuator is a horizontal force on the cart. The pole
// starts hanging down, so it has to be swung up by moving the cart back and forth, then caught
// and held upright without running into the end stops.
//
// Box2D's joint solver takes energy out of a free swing, about 3% per second from horizontal
// and 4.5% per second swinging over from upright (more the faster the pole turns); it acts
// like light friction in the hinge. The bodies touch only through joints, so replays from a
// snapshot are exact.
//
//	Observation  Box(5): [x, cos θ, sin θ, ẋ, θ̇]; x is the cart's position on the rail in m
//	             (within ±rail_half, up to the end stops' slight give), θ the pole's angle
//	             from upright (counter-clockwise, θ = π hanging down); velocities in m/s and
//	             rad/s, unbounded.
//	Action       Box([-1, 1], 1): force on the cart as a fraction of max_force.
//	Reward       upright · centred · small control · small velocity, in [0, 1], as in the
//	             DeepMind Control Suite: upright is (1 + cos θ)/2, centred is
//	             (1 + tolerance(x, margin 2 m))/2, small control falls from 1 at zero force to
//	             0.8 at the limit, small velocity is (1 + tolerance(θ̇, margin 5 rad/s))/2.
//	Start        θ = π ± 0.1 rad, x = ±0.1 m, ẋ = ±0.1 m/s, θ̇ = ±0.1 rad/s, uniformly at
//	             random.
//	Termination  none; truncated after 200 steps (10 s).
//	Success      pole within 0.2 rad of upright with the cart clear of the end stops
//	             (|x| < rail_half − 0.1 m) for the final 2 s of the episode.
//	Timing       control step 0.05 s, 10 physics sub-steps.
//	Camera       with pixel observations, follows the cart: a window 3·pole_length + 0.5 m
//	             wide centred on it, where the pole is as large as Pendulum-v0's rod; marks
//	             along the rail every 0.5 m, a longer one at its centre and the end stops'
//	             posts show where the cart is. The overview shows the whole rail.
//	Parameters   cart_mass, pole_mass, pole_length, max_force, rail_half, gravity.
//	Tunings      the oracle plans with 128 candidates (cartpoleTunings says why).
type cartpole struct {
	noVars
	p    Params
	cart *sim.Body
	pole link
	rail *sim.Prismatic
}

const cartpoleID = "CartPoleSwingup-v0"

// cartpoleSummary describes the task in one line.
const cartpoleSummary = "swing up the pole on a cart and balance it"

// The cart is a box cartW by cartH metres; the success rule keeps it stopClear metres away
// from the end stops.
const (
	cartW, cartH = 0.5, 0.25
	stopClear    = 0.1
)

func init() {
	mustRegister(Registration{
		ID:              cartpoleID,
		Summary:         cartpoleSummary,
		MaxEpisodeSteps: 200,
		Params: Params{
			{Name: "cart_mass", Value: 1, Min: 0.1, Max: 10, Unit: "kg", Doc: "mass of the cart"},
			{Name: "pole_mass", Value: 0.1, Min: 0.01, Max: 2, Unit: "kg", Doc: "mass of the pole"},
			{Name: "pole_length", Value: 1, Min: 0.2, Max: 3, Unit: "m", Doc: "length of the pole"},
			{Name: "max_force", Value: 10, Min: 0.5, Max: 100, Unit: "N", Doc: "force on the cart at action ±1"},
			{Name: "rail_half", Value: 2.4, Min: 0.5, Max: 10, Unit: "m", Doc: "distance from the rail's centre to each end stop"},
			{Name: "gravity", Value: 9.81, Min: 0, Max: 30, Unit: "m/s²", Doc: "gravitational acceleration"},
		},
		New: newCartPole,
	})
}

// cartpoleTunings give the oracle twice its default candidates, for a steadier balance.
var cartpoleTunings = []Tuning{{
	Agents:   []string{"oracle"},
	Settings: map[string]string{"plan.samples": "128", "plan.elites": "16"},
	Reason: "The reward hardly changes near upright ((1 + cos θ)/2 is 0.99 at 0.2 rad) while force costs " +
		"up to a fifth of it, so 64 candidates balanced the pole loosely: on episode seeds 5-24 the oracle " +
		"swung up by 2.8 s every time but let the pole lean 0.207 and 0.213 rad in the final 2 s of seeds 5 " +
		"and 10, past the success rule's 0.2, succeeding in 18 of 20. With 128 candidates and 16 elites it " +
		"held those two within 0.054 and 0.092 rad, with higher returns (166.1 against 156.7 on seed 5).",
}}

func newCartPole(p Params) (Env, error) {
	inf := math.Inf(1)
	def := taskDef{
		spec: Spec{
			ID:          cartpoleID,
			Summary:     cartpoleSummary,
			SuccessRule: "pole within 0.2 rad of upright with the cart more than 0.1 m from both end stops for the final 2 s of the episode",
			Params:      p,
			Tunings:     cartpoleTunings,
		},
		world: standardWorld(p.Get("gravity")),
		obs:   NewBox([]float64{-inf, -1, -1, -inf, -inf}, []float64{inf, 1, 1, inf, inf}),
		act:   UniformBox(-1, 1, 1),
		hold:  2,
		pin:   pinRadius(p.Get("pole_length")),
	}
	return newPhysicsEnv(def, &cartpole{p: p})
}

func (t *cartpole) build(w *sim.World) error {
	railHalf, m := t.p.Get("rail_half"), t.p.Get("cart_mass")
	rail, err := w.NewBody(sim.BodyDef{Type: sim.Static, Style: sim.Style{Hidden: true}})
	if err != nil {
		return err
	}
	// The slider keeps the cart level; FixedRotation spares the solver that part of its work.
	box := sim.Box{W: cartW, H: cartH}
	t.cart, err = w.NewBody(sim.BodyDef{
		Type:          sim.Dynamic,
		FixedRotation: true,
		Fixtures:      []sim.FixtureDef{{Geometry: box, Density: m / (cartW * cartH), Filter: noContact}},
		Style:         sim.Style{Fill: colorActor, Stroke: colorOutline, Outline: 0.01},
	})
	if err != nil {
		return err
	}
	t.rail, err = w.NewPrismatic(sim.PrismaticDef{A: rail, B: t.cart, Axis: sim.V(1, 0), Limit: true, Lower: -railHalf, Upper: railHalf})
	if err != nil {
		return err
	}
	l := t.p.Get("pole_length")
	pole := linkDef{length: l, mass: t.p.Get("pole_mass"), style: linkStyle(colorPassive, l)}
	t.pole, _, err = addLink(w, t.cart, sim.Vec2{}, math.Pi/2, pole, sim.RevoluteDef{})
	return err
}

func (t *cartpole) reset(rng *rand.Rand) error {
	return t.setState(uniform(rng, 0.1), math.Pi+uniform(rng, 0.1), uniform(rng, 0.1), uniform(rng, 0.1))
}

// setState places the cart at x moving at v and the pole at angle theta from upright turning
// at omega.
func (t *cartpole) setState(x, theta, v, omega float64) error {
	pos, vel := sim.V(x, 0), sim.V(v, 0)
	if err := t.cart.SetPose(pos, 0, vel, 0); err != nil {
		return err
	}
	return t.pole.place(pos, theta+math.Pi/2, vel, omega)
}

// state returns the cart's position and velocity and the pole's angle from upright (not
// wrapped) and angular velocity.
func (t *cartpole) state() (x, theta, v, omega float64) {
	return t.rail.Translation(), t.pole.body.Angle() - math.Pi/2, t.rail.Speed(), t.pole.body.AngularVelocity()
}

func (t *cartpole) act(a []float64) { t.cart.ApplyForce(sim.V(a[0]*t.p.Get("max_force"), 0)) }

func (t *cartpole) observe(dst []float64) {
	x, theta, v, omega := t.state()
	s, c := math.Sincos(theta)
	dst[0], dst[1], dst[2], dst[3], dst[4] = x, c, s, v, omega
}

func (t *cartpole) pose(obs []float64) error {
	return t.setState(obs[0], math.Atan2(obs[2], obs[1]), 0, 0)
}

func (t *cartpole) evaluate(a []float64) (float64, bool) {
	x, theta, _, omega := t.state()
	upright := (1 + math.Cos(theta)) / 2
	centred := (1 + tolerance(x, 0, 0, 2, 0.1)) / 2
	slow := (1 + tolerance(omega, 0, 0, 5, 0.1)) / 2
	ok := math.Abs(wrapAngle(theta)) <= 0.2 && math.Abs(x) < t.p.Get("rail_half")-stopClear
	return upright * centred * smallControl(a) * slow, ok
}

func (t *cartpole) camera() sim.Camera {
	return sim.Camera{Width: 2*(t.p.Get("rail_half")+t.p.Get("pole_length")) + 0.5}
}

// eye follows the cart, so that the pole is large enough to be seen in small images.
func (t *cartpole) eye() sim.Camera {
	return sim.Camera{Center: sim.V(t.rail.Translation(), 0), Width: 3*t.p.Get("pole_length") + cartW}
}

// railMark is the spacing in metres of the marks along the rail.
const railMark = 0.5

// draw adds the rail, with a post at each end stop where the cart's side meets it, a mark
// below the rail every railMark metres short of the end stops and a longer one at its
// centre.
func (t *cartpole) draw(s *sim.Scene) {
	end := t.p.Get("rail_half") + cartW/2
	s.AddLine(sim.LayerBackground, colorGuide, 0.04, sim.V(-end, 0), sim.V(end, 0))
	for _, x := range []float64{-end, end} {
		s.AddLine(sim.LayerBackground, colorGuide, 0.04, sim.V(x, -cartH), sim.V(x, cartH))
	}
	s.AddLine(sim.LayerBackground, colorMark, 0.05, sim.V(0, -1.6*cartH), sim.V(0, 0))
	for x := railMark; x < t.p.Get("rail_half"); x += railMark {
		for _, x := range []float64{-x, x} {
			s.AddLine(sim.LayerBackground, colorMark, 0.05, sim.V(x, -cartH/2), sim.V(x, 0))
		}
	}
}
