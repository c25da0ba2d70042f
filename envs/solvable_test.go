package envs

import (
	"math"
	"math/rand/v2"
	"testing"
)

// policy chooses the action for observation obs of env. A policy that looks ahead on env
// must leave it in the state it found it.
type policy func(env Env, obs []float64) []float64

// episode is how an episode ended: its last observation and Info, and the time of the first
// step at which Info.Success was on (NaN: none).
type episode struct {
	obs   []float64
	info  Info
	first float64
}

// runEpisode runs env from seed under pi until the episode ends.
func runEpisode(t *testing.T, env Env, seed uint64, pi policy) episode {
	t.Helper()
	obs, _ := env.Reset(seed)
	first := math.NaN()
	for {
		o, _, term, trunc, info, err := env.Step(pi(env, obs))
		if err != nil {
			t.Fatal(err)
		}
		if info.Success && math.IsNaN(first) {
			first = info.Time
		}
		if term || trunc {
			return episode{append([]float64(nil), o...), info, first}
		}
		obs = o
	}
}

// randomPolicy returns a policy of uniformly random actions drawn from rng.
func randomPolicy(rng *rand.Rand) policy {
	var a []float64
	return func(env Env, _ []float64) []float64 {
		if a == nil {
			a = make([]float64, env.ActionSpace().Dim())
		}
		return fillRandomAction(rng, a)
	}
}

// checkSolvable checks that controller succeeds from each of seeds starts of the task id
// and that uniformly random actions succeed from none of them.
func checkSolvable(t *testing.T, id string, seeds int, controller policy) {
	env := mustMakeEnv(t, id)
	rng := rand.New(rand.NewPCG(7, 8))
	for seed := range uint64(seeds) {
		ep := runEpisode(t, env, seed, controller)
		t.Logf("seed %d: controller first succeeds at %.2f s, success at the end %v", seed, ep.first, ep.info.Success)
		if !ep.info.Success {
			t.Errorf("seed %d: controller failed; last observation %.3g", seed, ep.obs)
		}
		if ep := runEpisode(t, env, seed, randomPolicy(rng)); ep.info.Success {
			t.Errorf("seed %d: random actions succeeded", seed)
		}
	}
}

// clip1 clips v to [−1, 1].
func clip1(v float64) float64 { return math.Max(-1, math.Min(1, v)) }

// pendulumController swings the default pendulum up by pumping energy, torque in the
// direction it turns (dE/dt = τ·ω) until its energy reaches that of resting upright, and
// within 0.5 rad of upright catches and balances it with the PD law τ = −12·θ − 2.5·ω N·m:
// linearised, I·θ̈ = −(12 − m·g·l)·θ − 2.5·θ̇, which rings at 4.6 rad/s, damped at 0.8 of
// critical.
func pendulumController(_ Env, obs []float64) []float64 {
	theta, omega := math.Atan2(obs[1], obs[0]), obs[2]
	const inertia, mgl = 1.0 / 3, 9.81 / 2 // default rod about its end; its centre's m·g·l
	if math.Abs(theta) < 0.5 {
		return []float64{clip1(-(12*theta + 2.5*omega) / 2)}
	}
	energy := 0.5*inertia*omega*omega + mgl*(obs[0]-1)
	if omega == 0 {
		omega = 1
	}
	return []float64{clip1(-10 * energy * omega)}
}

// TestPendulumSolvable shows that the pendulum can be swung up and balanced in time.
func TestPendulumSolvable(t *testing.T) {
	checkSolvable(t, pendulumID, 6, pendulumController)
}

// cartPoleController swings the default pole up by pumping its energy with the cart, whose
// acceleration a changes it at dE/dt = m·l·cos θ·θ̇·a, while drawing the cart back to the
// centre; within 0.35 rad of upright it balances the pole with the linear feedback of the
// discrete LQR (Q = diag(1, 10, 0.1, 0.1) on [x, θ, ẋ, θ̇], R = 1 on the action) for the
// textbook model linearised upright at the 0.05 s control step.
func cartPoleController(_ Env, obs []float64) []float64 {
	x, theta, v, omega := obs[0], math.Atan2(obs[2], obs[1]), obs[3], obs[4]
	if math.Abs(theta) < 0.35 {
		return []float64{clip1(0.68*x - 5.9*theta + 0.84*v - 1.43*omega)}
	}
	const inertia, mgl = 0.0334, 0.1 * 9.81 / 2 // pole about its hinge; its centre's m·g·l
	energy := 0.5*inertia*omega*omega + mgl*(obs[1]-1)
	return []float64{clip1(-20*energy*omega*obs[1] - 0.5*x - 0.5*v)}
}

// TestCartPoleSolvable shows that the pole can be swung up and balanced in time.
func TestCartPoleSolvable(t *testing.T) {
	checkSolvable(t, cartpoleID, 6, cartPoleController)
}

// driveController drives the default car round the track: it steers to cancel the heading
// error and the offset from the centreline, plus what the curvature a metre ahead needs
// (the wheelbase of 0.7 m times it), and holds the speed at which the tightest curvature
// of those it sees 1–7 m ahead asks for 0.4·g of sideways acceleration, at most 5 m/s.
func driveController(_ Env, obs []float64) []float64 {
	v, psi, d := obs[0], obs[4], obs[5]
	const maxSteer, wheelbase = 0.5, 0.7
	steer := (wheelbase*obs[6] - 1.2*psi - 0.8*d) / maxSteer
	kappa := 0.0
	for _, k := range obs[6:10] {
		kappa = math.Max(kappa, math.Abs(k))
	}
	target := math.Min(5, math.Sqrt(0.4*9.81/math.Max(kappa, 1e-3)))
	return []float64{clip1(-steer), clip1(2 * (target - v))} // the action steers right
}

// TestDriveSolvable shows that a lap of the training track can be driven in time, from
// starts all round it.
func TestDriveSolvable(t *testing.T) {
	checkSolvable(t, driveID, 6, driveController)
}
