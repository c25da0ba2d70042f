package envs

import (
	"math"
	"testing"
)

func TestCartPoleCommon(t *testing.T) {
	checkCommon(t, commonCase{id: cartpoleID, unitPairs: [][2]int{{1, 2}}})
}

// newTestCartPole returns an unwrapped cart-pole with default parameters, reset, and its task.
// substeps, when positive, replaces the number of physics steps per control step.
func newTestCartPole(t *testing.T, substeps int) (*physicsEnv, *cartpole) {
	t.Helper()
	e := makePhysics(t, cartpoleID)
	if substeps > 0 {
		e.def.world.Substeps = substeps
		e.Reset(0)
	}
	return e, e.t.(*cartpole)
}

// cartPoleModel is the textbook frictionless cart-pole: a cart of mass M on a horizontal line
// and a rigid pole of mass m hinged at the cart, its centre of mass l from the hinge and its
// moment of inertia about that centre I. Its state is [x, θ, ẋ, θ̇] with θ measured
// counter-clockwise from upright.
type cartPoleModel struct{ M, m, l, I, g float64 }

func newCartPoleModel(p Params) cartPoleModel {
	m, length := p.Get("pole_mass"), p.Get("pole_length")
	return cartPoleModel{M: p.Get("cart_mass"), m: m, l: length / 2, I: linkInertia(m, length), g: p.Get("gravity")}
}

// deriv returns the time derivative of state s under a horizontal force f on the cart, from
// Lagrange's equations
//
//	(M + m)·ẍ − m·l·cos θ·θ̈ = f − m·l·sin θ·θ̇²
//	−m·l·cos θ·ẍ + (I + m·l²)·θ̈ = m·g·l·sin θ
func (c cartPoleModel) deriv(s [4]float64, f float64) [4]float64 {
	sin, cos := math.Sincos(s[1])
	a, b, d := c.M+c.m, -c.m*c.l*cos, c.I+c.m*c.l*c.l
	r1, r2 := f-c.m*c.l*sin*s[3]*s[3], c.m*c.g*c.l*sin
	det := a*d - b*b
	return [4]float64{s[2], s[3], (d*r1 - b*r2) / det, (a*r2 - b*r1) / det}
}

// rk4 advances s by h seconds with the classic fourth-order Runge–Kutta method.
func (c cartPoleModel) rk4(s [4]float64, f, h float64) [4]float64 {
	shift := func(k [4]float64, by float64) [4]float64 {
		out := s
		for i := range out {
			out[i] += by * k[i]
		}
		return out
	}
	k1 := c.deriv(s, f)
	k2 := c.deriv(shift(k1, h/2), f)
	k3 := c.deriv(shift(k2, h/2), f)
	k4 := c.deriv(shift(k3, h), f)
	for i := range s {
		s[i] += h / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
	}
	return s
}

// trackingCases are the starting states [x, θ, ẋ, θ̇] the simulation is compared from: swings
// of the size a swing-up goes through, well clear of the separatrix, where any small loss of
// energy changes whether the pole goes over the top and the comparison says little.
var trackingCases = []struct {
	name  string
	start [4]float64
}{
	{"hanging, kicked", [4]float64{0.1, math.Pi - 0.2, -0.3, 2}},
	{"released 45° below horizontal", [4]float64{0, 0.75 * math.Pi, 0.3, -1}},
}

// trackingForce is the action at control step k: a 0.8 Hz cosine of 0.6·max_force, so the
// cart oscillates well inside the end stops.
func trackingForce(k int, dt float64) float64 {
	return 0.6 * math.Cos(2*math.Pi*0.8*float64(k)*dt)
}

// trackingError steps the cart-pole through 2 s of trackingForce from start and returns the
// largest absolute difference in x, θ, ẋ and θ̇ from an RK4 integration of cartPoleModel at
// 1 ms, compared at the end of every control step.
func trackingError(t *testing.T, substeps int, start [4]float64) [4]float64 {
	e, cp := newTestCartPole(t, substeps)
	if err := cp.setState(start[0], start[1], start[2], start[3]); err != nil {
		t.Fatal(err)
	}
	model := newCartPoleModel(cp.p)
	dt, h := e.def.spec.ControlDT, 0.001
	ref, worst := start, [4]float64{}
	for k := range int(math.Round(2 / dt)) {
		a := trackingForce(k, dt)
		if _, _, _, _, _, err := e.Step([]float64{a}); err != nil {
			t.Fatal(err)
		}
		for range int(math.Round(dt / h)) {
			ref = model.rk4(ref, a*cp.p.Get("max_force"), h)
		}
		x, theta, v, omega := cp.state()
		for i, got := range [4]float64{x, theta, v, omega} {
			worst[i] = math.Max(worst[i], math.Abs(got-ref[i]))
		}
	}
	return worst
}

// trackingTolerance bounds the differences in x (m), θ (rad), ẋ (m/s) and θ̇ (rad/s) between
// the simulation and the textbook model over 2 s. The residual comes from Box2D's first-order
// time stepping (semi-implicit Euler with the joints solved as velocity constraints and
// positions projected back onto them), which lags in phase and takes a little energy from the
// swing; it halves when the physics step is halved (checked below), so it is discretisation
// error, not a modelling mismatch. Measured at 10 sub-steps: worst over the cases 5.8e-3 m,
// 0.062 rad, 9.1e-3 m/s and 0.23 rad/s; the tolerance leaves about 2× headroom.
var trackingTolerance = [4]float64{0.012, 0.12, 0.018, 0.45}

func TestCartPoleTracksRK4(t *testing.T) {
	names := [4]string{"x", "θ", "ẋ", "θ̇"}
	for _, c := range trackingCases {
		t.Run(c.name, func(t *testing.T) {
			coarse := trackingError(t, 0, c.start)
			fine := trackingError(t, 20, c.start)
			t.Logf("max errors over 2 s [x θ ẋ θ̇]: %.3g at 10 sub-steps, %.3g at 20", coarse, fine)
			for i, tol := range trackingTolerance {
				if coarse[i] > tol {
					t.Errorf("%s differs by up to %.3g, tolerance %.3g", names[i], coarse[i], tol)
				}
				if fine[i] > 0.6*coarse[i] {
					t.Errorf("%s error %.3g at half the step, %.3g at the full step: not first-order convergence", names[i], fine[i], coarse[i])
				}
			}
		})
	}
}

// TestCartPoleEndStops drives the cart into each end stop at full force for 5 s: the joint
// limit must hold it there.
func TestCartPoleEndStops(t *testing.T) {
	for _, dir := range []float64{-1, 1} {
		e, cp := newTestCartPole(t, 0)
		railHalf, worst := cp.p.Get("rail_half"), 0.0
		for range 100 {
			if _, _, _, _, _, err := e.Step([]float64{dir}); err != nil {
				t.Fatal(err)
			}
			x, _, _, _ := cp.state()
			worst = math.Max(worst, math.Abs(x)-railHalf)
		}
		x, _, v, _ := cp.state()
		t.Logf("pushing %+g: cart ends at x = %.4f m, v = %.2g m/s; largest overshoot %.2g m", dir, x, v, worst)
		if !(math.Abs(x-dir*railHalf) <= 0.01) || worst > 0.02 {
			t.Errorf("pushing %+g: cart at %.4f m, largest overshoot %.3g m; end stop at %g m", dir, x, worst, dir*railHalf)
		}
	}
}

// TestCartPoleEnergy lets the pole swing freely on the free cart for 10 s, from horizontal
// and from just off upright. The solver must never add energy; it takes some away, and the
// test logs how much.
func TestCartPoleEnergy(t *testing.T) {
	for _, theta := range []float64{math.Pi / 2, 0.01} {
		e, cp := newTestCartPole(t, 0)
		if err := cp.setState(0, theta, 0, 0); err != nil {
			t.Fatal(err)
		}
		rest := -cp.p.Get("gravity") * cp.p.Get("pole_mass") * cp.p.Get("pole_length") / 2
		left, rise := freeSwing(e, rest, cp.cart, cp.pole.body)
		t.Logf("released %.2f rad from upright: %.0f%% of the swing's energy left after 10 s (%.1f%%/s)",
			theta, 100*left, 100*(1-math.Pow(left, 0.1)))
		if rise > 1e-3 || left < 0.5 {
			t.Errorf("released %.2f rad from upright: energy rose by up to %.2g of its start, %.0f%% left after 10 s", theta, rise, 100*left)
		}
	}
}

// TestCartPoleRewardAndSuccess pins the reward and success rule to values worked by hand
// from the doc comment, for the default 2.4 m half-rail: (1 + cos θ)/2 ·
// (1 + 0.1^((x/2)²))/2 · (4 + 1 − a²)/5 · (1 + 0.1^((θ̇/5)²))/2, the tolerances' Gaussians
// falling to 0.1 at their margins; success for |θ| ≤ 0.2 (wrapped) and |x| < 2.4 − 0.1,
// whatever the velocities. Angles are tested a nanoradian either side of 0.2, since the
// pole's angle comes back from the body with rounding error.
func TestCartPoleRewardAndSuccess(t *testing.T) {
	_, cp := newTestCartPole(t, 0)
	edge := 2.4 - 0.1
	cases := []struct {
		name                      string
		x, theta, v, omega, force float64
		reward                    float64
		ok                        bool
	}{
		{"balanced at the centre", 0, 0, 0, 0, 0, 1, true},
		{"balanced, full force", 0, 0, 0, 0, -1, 0.8, true},
		{"balanced, cart moving fast", 0, 0, 3, 0, 0, 1, true},
		{"hanging", 0, math.Pi, 0, 0, 0, 0, false},
		{"pole horizontal", 0, -math.Pi / 2, 0, 0, 0, 0.5, false},
		{"tilted just under 0.2 rad", 0, 0.2 - 1e-9, 0, 0, 0, (1 + math.Cos(0.2-1e-9)) / 2, true},
		{"tilted just under 0.2 rad the other way", 0, -0.2 + 1e-9, 0, 0, 0, (1 + math.Cos(0.2-1e-9)) / 2, true},
		{"tilted just past 0.2 rad", 0, -0.2 - 1e-9, 0, 0, 0, (1 + math.Cos(0.2+1e-9)) / 2, false},
		{"tilted 0.25 rad", 0, 0.25, 0, 0, 0, (1 + math.Cos(0.25)) / 2, false},
		{"tilted 0.1 rad, one turn back", 0, -2*math.Pi + 0.1, 0, 0, 0, (1 + math.Cos(0.1)) / 2, true},
		{"tilted 0.21 rad, one turn on", 0, 2*math.Pi + 0.21, 0, 0, 0, (1 + math.Cos(0.21)) / 2, false},
		{"balanced, pole turning at the margin", 0, 0, 0, 5, 0, 0.55, true},
		{"balanced, pole turning at half the margin", 0, 0, 0, -2.5, 0, (1 + math.Pow(0.1, 0.25)) / 2, true},
		{"balanced 1 m out", -1, 0, 0, 0, 0, (1 + math.Pow(0.1, 0.25)) / 2, true},
		{"balanced 2 m out, the margin", 2, 0, 0, 0, 0, 0.55, true},
		{"balanced just inside the clear stretch", math.Nextafter(edge, 0), 0, 0, 0, 0, (1 + math.Pow(0.1, edge*edge/4)) / 2, true},
		{"balanced just inside the clear stretch, left", -math.Nextafter(edge, 0), 0, 0, 0, 0, (1 + math.Pow(0.1, edge*edge/4)) / 2, true},
		{"balanced 0.1 m from the right stop", edge, 0, 0, 0, 0, (1 + math.Pow(0.1, edge*edge/4)) / 2, false},
		{"balanced 0.1 m from the left stop", -edge, 0, 0, 0, 0, (1 + math.Pow(0.1, edge*edge/4)) / 2, false},
		{"balanced at the right stop", 2.4, 0, 0, 0, 0, (1 + math.Pow(0.1, 1.44)) / 2, false},
		{"balanced at the left stop", -2.4, 0, 0, 0, 0, (1 + math.Pow(0.1, 1.44)) / 2, false},
		{"60° off, 1 m out, turning, half force", 1, math.Pi / 3, 0, -2.5, 0.5,
			0.75 * (1 + math.Pow(0.1, 0.25)) / 2 * 0.95 * (1 + math.Pow(0.1, 0.25)) / 2, false},
	}
	for _, c := range cases {
		if err := cp.setState(c.x, c.theta, c.v, c.omega); err != nil {
			t.Fatal(err)
		}
		r, ok := cp.evaluate([]float64{c.force})
		checkJudgement(t, c.name, r, ok, c.reward, c.ok)
	}
}
