package envs

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/foresight-sim/foresight/sim"
)

func TestAcrobotCommon(t *testing.T) {
	checkCommon(t, commonCase{id: acrobotID, unitPairs: [][2]int{{0, 1}, {2, 3}}})
}

// newTestAcrobot returns an unwrapped acrobot made with opts, reset, and its task.
func newTestAcrobot(t *testing.T, opts ...Option) (*physicsEnv, *acrobot) {
	t.Helper()
	e := makePhysics(t, acrobotID, opts...)
	return e, e.t.(*acrobot)
}

// acrobotTip returns the tip's height above the shoulder from an observation of an acrobot
// with default link lengths (1 m each): −cos θ1 − cos(θ1 + θ2).
func acrobotTip(obs []float64) float64 {
	return -obs[0] - (obs[0]*obs[2] - obs[1]*obs[3])
}

// TestAcrobotRandomRarelySucceeds makes sure the task is not trivial: uniformly random
// torques must almost never raise the tip above the line.
func TestAcrobotRandomRarelySucceeds(t *testing.T) {
	env := mustMakeEnv(t, acrobotID)
	random := randomPolicy(rand.New(rand.NewPCG(5, 6)))
	const episodes = 100
	wins := 0
	for seed := range uint64(episodes) {
		if runEpisode(t, env, seed, random).info.Success {
			wins++
		}
	}
	t.Logf("random torques succeeded in %d of %d episodes", wins, episodes)
	if wins > episodes/10 {
		t.Errorf("random torques succeeded in %d of %d episodes, want at most 10%%", wins, episodes)
	}
}

// pumpAction is a bang-bang energy pump: full torque in the direction the lower link turns
// (θ̇1 + θ̇2). On its own it succeeds in about three episodes out of four.
func pumpAction(obs []float64) float64 { return math.Copysign(1, obs[4]+obs[5]) }

// lookahead chooses the next action by trying full torque both ways, each followed by
// pumpAction for horizon steps, and keeping the one whose tip rose highest. It leaves env in
// the state it found it.
func lookahead(t *testing.T, env Env, horizon int, snap *Snapshot) float64 {
	env.Snapshot(snap)
	best, bestA := math.Inf(-1), 0.0
	for _, first := range []float64{-1, 1} {
		top, a := math.Inf(-1), first
		for range horizon {
			obs, _, term, trunc, _, err := env.Step([]float64{a})
			if err != nil {
				t.Fatal(err)
			}
			top, a = math.Max(top, acrobotTip(obs)), pumpAction(obs)
			if term || trunc {
				break
			}
		}
		if err := env.Restore(snap); err != nil {
			t.Fatal(err)
		}
		if top > best {
			best, bestA = top, first
		}
	}
	return bestA
}

// TestAcrobotSolvable shows the task can be done in time with the default parameters: a
// short search, looking 2 s ahead along the energy pump, succeeds from every start tried,
// where random torques do not.
func TestAcrobotSolvable(t *testing.T) {
	var snap Snapshot
	checkSolvable(t, acrobotID, 4, func(env Env, _ []float64) []float64 {
		return []float64{lookahead(t, env, 40, &snap)}
	})
}

func TestAcrobotSuccessEndsEpisode(t *testing.T) {
	e, ac := newTestAcrobot(t)
	if err := ac.arm.place(acrobotRest+math.Pi, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	_, r, term, _, info, err := e.Step([]float64{0})
	if err != nil {
		t.Fatal(err)
	}
	if !term || !info.Success || !(math.Abs(r-1) <= 1e-9) {
		t.Errorf("arm upright: reward %v, terminated %v, success %v; want 1, true, true", r, term, info.Success)
	}
	if _, _, _, _, _, err := e.Step([]float64{0}); err == nil {
		t.Error("step after success did not fail")
	}
}

// TestAcrobotEnergy lets the arm swing freely from two starts for 10 s. The solver must never
// add energy; it takes some away, and the test logs how much.
func TestAcrobotEnergy(t *testing.T) {
	for _, start := range []float64{math.Pi / 2, 2.5} {
		e, ac := newTestAcrobot(t)
		if err := ac.arm.place(acrobotRest+start, 0, 0, 0); err != nil {
			t.Fatal(err)
		}
		up, low := ac.arm.upper.body, ac.arm.lower.body
		l1, l2 := ac.p.Get("upper_length"), ac.p.Get("lower_length")
		rest := -ac.p.Get("gravity") * (up.Mass()*l1/2 + low.Mass()*(l1+l2/2))
		left, rise := freeSwing(e, rest, up, low)
		t.Logf("released %.2f rad from hanging: %.0f%% of the swing's energy left after 10 s (%.1f%%/s)",
			start, 100*left, 100*(1-math.Pow(left, 0.1)))
		if rise > 1e-3 || left < 0.3 {
			t.Errorf("released %.2f rad from hanging: energy rose by up to %.2g of its start, %.0f%% left after 10 s", start, rise, 100*left)
		}
	}
}

// TestAcrobotTorqueIsInternal checks that the elbow motor acts between the links only: without
// gravity, the arm's angular momentum about the shoulder stays zero while the motor swings
// the links. Box2D projects positions back onto the joints without changing velocities, which
// shifts the links' lever arms a little each physics step, so the total is zero only to
// within a fraction of a percent of a link's own angular momentum (measured 0.2%; it halves
// with the step). A torque on one link only would make the two comparable.
func TestAcrobotTorqueIsInternal(t *testing.T) {
	e, ac := newTestAcrobot(t, WithParam("gravity", 0))
	if err := ac.arm.place(acrobotRest+1, 0.5, 0, 0); err != nil {
		t.Fatal(err)
	}
	total, each := 0.0, 0.0
	for k := range 40 {
		if _, _, _, _, _, err := e.Step([]float64{math.Cos(0.3 * float64(k))}); err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for _, b := range []*sim.Body{ac.arm.upper.body, ac.arm.lower.body} {
			c, v := b.WorldCenter(), b.LinearVelocity()
			l := b.Mass()*(c.X*v.Y-c.Y*v.X) + b.Inertia()*b.AngularVelocity()
			sum, each = sum+l, math.Max(each, math.Abs(l))
		}
		total = math.Max(total, math.Abs(sum))
	}
	t.Logf("angular momentum about the shoulder: total up to %.2g, each link up to %.2g kg·m²/s (ratio %.2g)", total, each, total/each)
	if each < 0.1 || total > 5e-3*each {
		t.Errorf("angular momentum about the shoulder: total up to %.3g, each link up to %.3g kg·m²/s", total, each)
	}
}

// TestAcrobotRewardAndSuccess pins the reward and success rule to values worked by hand
// from the doc comment. The tip is h = −l1·cos θ1 − l2·cos(θ1 + θ2) above the shoulder; the
// reward is 1 for h ≥ l1 and 0.1^(((l1 − h)/(2·l1 + l2))²) below, times (4 + 1 − a²)/5, and
// success is h ≥ l1 whatever the speeds. The arm with a 0.5 m upper link tells the two
// lengths apart.
func TestAcrobotRewardAndSuccess(t *testing.T) {
	cases := []struct {
		name                  string
		upper                 float64 // upper_length; the lower link is 1 m
		theta1, theta2, omega float64
		torque                float64
		reward                float64
		ok                    bool
	}{
		{"hanging straight", 1, 0, 0, 0, 0, 0.1, false},
		{"hanging, full torque", 1, 0, 0, 0, -1, 0.1 * 0.8, false},
		{"straight up", 1, math.Pi, 0, 0, 0, 1, true},
		{"straight up, half torque", 1, math.Pi, 0, 0, 0.5, 0.95, true},
		{"straight up, swinging fast", 1, math.Pi, 0, 8, 0, 1, true},
		{"straight out sideways", 1, math.Pi / 2, 0, 0, 0, math.Pow(0.1, 1.0/9), false},
		{"upper link up, lower hanging", 1, math.Pi, math.Pi, 0, 0, math.Pow(0.1, 1.0/9), false},
		{"upper link out, lower up: tip on the line", 1, math.Pi / 2, math.Pi / 2, 0, 0, 1, true},
		{"upper link out, lower just off up", 1, math.Pi / 2, math.Pi/2 + 1e-3, 0, 0,
			math.Pow(0.1, math.Pow((1-math.Cos(1e-3))/3, 2)), false},
		{"upper link up, lower bent above the line", 1, math.Pi, math.Acos(0.1), 0, 0, 1, true},
		{"upper link up, lower bent below the line", 1, math.Pi, math.Acos(-0.1), 0, 0, math.Pow(0.1, 0.01/9), false},
		{"upper link out, lower down", 1, -math.Pi / 2, math.Pi / 2, 0, 0, math.Pow(0.1, 4.0/9), false},
		{"short upper link, hanging", 0.5, 0, 0, 0, 0, 0.1, false},
		{"short upper link, straight out", 0.5, math.Pi / 2, 0, 0, 0, math.Pow(0.1, 1.0/16), false},
		{"short upper link down, lower up: tip on the line", 0.5, 0, math.Pi, 0, 0, 1, true},
		{"short upper link down, lower just off up", 0.5, 0, math.Pi - 0.1, 0, 0,
			math.Pow(0.1, math.Pow((0.5-(math.Cos(0.1)-0.5))/2, 2)), false},
	}
	for _, c := range cases {
		_, ac := newTestAcrobot(t, WithParam("upper_length", c.upper))
		if err := ac.arm.place(acrobotRest+c.theta1, c.theta2, c.omega, 0); err != nil {
			t.Fatal(err)
		}
		r, ok := ac.evaluate([]float64{c.torque})
		checkJudgement(t, c.name, r, ok, c.reward, c.ok)
	}
}
