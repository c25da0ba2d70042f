package envs

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/sim"
)

func TestReacherCommon(t *testing.T) {
	checkCommon(t, commonCase{id: reacherID, unitPairs: [][2]int{{0, 1}}})
}

// newTestReacher returns an unwrapped reacher made with opts, reset, and its task.
func newTestReacher(t *testing.T, opts ...Option) (*physicsEnv, *reacher) {
	t.Helper()
	e := makePhysics(t, reacherID, opts...)
	return e, e.t.(*reacher)
}

// ikController steers the joints of an arm with links l1 and l2 towards the pose that puts
// the fingertip on the target, found by inverse kinematics from an observation, at a speed
// proportional to the remaining angle, as a fraction of maxSpeed. The elbow keeps the side it
// is bent to, so it never has to pass straight.
func ikController(obs []float64, l1, l2, maxSpeed float64) []float64 {
	q1, q2 := math.Atan2(obs[1], obs[0]), obs[2]
	tip := sim.Polar(l1, q1).Add(sim.Polar(l2, q1+q2))
	target := tip.Add(sim.V(obs[5], obs[6]).Rotate(q1))
	d := target.Len()
	want2 := math.Copysign(math.Acos((d*d-l1*l1-l2*l2)/(2*l1*l2)), q2)
	want1 := math.Atan2(target.Y, target.X) - math.Atan2(l2*math.Sin(want2), l1+l2*math.Cos(want2))
	const gain = 4 // 1/s
	clip := func(v float64) float64 { return math.Max(-1, math.Min(1, v)) }
	return []float64{clip(gain * wrapAngle(want1-q1) / maxSpeed), clip(gain * (want2 - q2) / maxSpeed)}
}

// TestReacherSolvable shows that a simple controller succeeds from several starts, where
// random actions do not.
func TestReacherSolvable(t *testing.T) {
	p := Params(mustMakeEnv(t, reacherID).Spec().Params)
	checkSolvable(t, reacherID, 8, func(_ Env, obs []float64) []float64 {
		return ikController(obs, p.Get("upper_length"), p.Get("lower_length"), p.Get("max_speed"))
	})
}

// TestReacherZeroActionHoldsStill checks that the motors hold the arm where it starts. The
// joint solver's position correction may move it by rounding error, no more.
func TestReacherZeroActionHoldsStill(t *testing.T) {
	env := mustMakeEnv(t, reacherID)
	first, _ := env.Reset(3)
	first = slices.Clone(first)
	for range 20 {
		obs, _, _, _, _, err := env.Step([]float64{0, 0})
		if err != nil {
			t.Fatal(err)
		}
		for i := range obs {
			if !(math.Abs(obs[i]-first[i]) <= 1e-12) {
				t.Fatalf("arm moved under zero action: %v, started at %v", obs, first)
			}
		}
	}
}

// TestReacherTargetsReachable draws many targets, for the default arm and for lopsided ones,
// and checks that each lies in the annulus, where the fingertip can get to with the elbow
// within its limit.
func TestReacherTargetsReachable(t *testing.T) {
	arms := [][2]float64{{0.5, 0.5}, {1, 0.2}, {0.2, 1}, {0.2, 0.2}}
	for _, lengths := range arms {
		e, rc := newTestReacher(t, WithParam("upper_length", lengths[0]), WithParam("lower_length", lengths[1]))
		l1, l2 := lengths[0], lengths[1]
		closest := math.Sqrt(l1*l1 + l2*l2 + 2*l1*l2*math.Cos(elbowLimit))
		inner, outer := rc.annulus()
		if inner <= closest || outer >= l1+l2 {
			t.Errorf("arm %v: annulus [%.3f, %.3f] m, but the fingertip reaches only [%.3f, %.3f] m", lengths, inner, outer, closest, l1+l2)
		}
		lo, hi := math.Inf(1), 0.0
		for seed := range uint64(2000) {
			e.Reset(seed)
			d := rc.target.Len()
			lo, hi = math.Min(lo, d), math.Max(hi, d)
		}
		t.Logf("arm %v: targets from %.3f to %.3f m out, annulus [%.3f, %.3f] m", lengths, lo, hi, inner, outer)
		if lo < inner || hi > outer || hi-lo < 0.9*(outer-inner) {
			t.Errorf("arm %v: targets from %.3f to %.3f m out, want them to fill [%.3f, %.3f] m", lengths, lo, hi, inner, outer)
		}
	}
}

func TestReacherSnapshotKeepsTarget(t *testing.T) {
	env := mustMakeEnv(t, reacherID)
	env.Reset(1)
	var snap Snapshot
	env.Snapshot(&snap)
	want, _, _, _, _, err := env.Step([]float64{0.3, -0.2})
	if err != nil {
		t.Fatal(err)
	}
	want = slices.Clone(want)
	other, _ := env.Reset(2)
	if slices.Equal(other[6:], want[6:]) {
		t.Fatal("seeds 1 and 2 gave the same target offset")
	}
	if err := env.Restore(&snap); err != nil {
		t.Fatal(err)
	}
	got, _, _, _, _, err := env.Step([]float64{0.3, -0.2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("after restoring: %v, want %v", got, want)
	}
}

// TestReacherMotors checks that an action sets the joints' speeds: held for 1 s, it brings
// each joint to its fraction of max_speed, up to what the solver leaves when it settles the
// motors and hinges in turn (measured 4e-5 rad/s). Driven into its limit, the elbow stops there, give
// or take Box2D's angular slop of 2°, by which a limit may yield.
func TestReacherMotors(t *testing.T) {
	e, rc := newTestReacher(t)
	if err := rc.arm.place(0, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	a := []float64{0.5, -0.25}
	for range 20 {
		if _, _, _, _, _, err := e.Step(a); err != nil {
			t.Fatal(err)
		}
	}
	_, _, omega, elbowRate := rc.arm.joints()
	speed := rc.p.Get("max_speed")
	if !(math.Abs(omega-a[0]*speed) <= 1e-4) || !(math.Abs(elbowRate-a[1]*speed) <= 1e-4) {
		t.Errorf("joint speeds %.6g, %.6g rad/s; want %.6g, %.6g", omega, elbowRate, a[0]*speed, a[1]*speed)
	}
	for range 60 {
		if _, _, _, _, _, err := e.Step([]float64{0, 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, elbow, _, _ := rc.arm.joints(); !(math.Abs(elbow-elbowLimit) <= 2*math.Pi/180) {
		t.Errorf("elbow driven into its limit for 3 s stands at %.4f rad, limit %.4f", elbow, elbowLimit)
	}
}

// TestReacherRewardGuidesFromAfar checks that, with the arm at rest and straight along the
// x axis, the reward falls by at least 0.01 with every 5 cm the target lies further from
// the fingertip, out to the furthest a target can be, so that no stretch of the task is
// flat to a planner.
func TestReacherRewardGuidesFromAfar(t *testing.T) {
	_, rc := newTestReacher(t)
	if err := rc.arm.place(0, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	r := rc.reach()
	_, outer := rc.annulus()
	prev := math.Inf(1)
	for d := 0.0; d <= r+outer; d += 0.05 {
		if err := rc.setVars([]float64{r - d, 0}); err != nil {
			t.Fatal(err)
		}
		reward, _ := rc.evaluate([]float64{0, 0})
		if prev-reward < 0.01 {
			t.Fatalf("reward %.4f with the target %.2f m away, against %.4f 5 cm nearer", reward, d, prev)
		}
		prev = reward
	}
}

// TestReacherSeesTargetFromArm checks that the target is observed in the upper link's frame:
// turning the arm and the target together about the shoulder changes only the heading, and
// with the upper link along the x axis the frame is the world's.
func TestReacherSeesTargetFromArm(t *testing.T) {
	_, r := newTestReacher(t)
	const q2, bearing, dist = 0.8, 0.3, 0.6
	var first []float64
	for _, q1 := range []float64{0, 1, -2.5} {
		r.target = sim.Polar(dist, q1+bearing)
		if err := r.arm.place(q1, q2, 0, 0); err != nil {
			t.Fatal(err)
		}
		obs := make([]float64, 7)
		r.observe(obs)
		if first == nil {
			d := r.target.Sub(r.arm.lower.tip())
			if !(math.Abs(obs[5]-d.X) <= 1e-9) || !(math.Abs(obs[6]-d.Y) <= 1e-9) {
				t.Fatalf("heading 0: observed target at (%.6g, %.6g), want the world's (%.6g, %.6g)", obs[5], obs[6], d.X, d.Y)
			}
			first = obs
			continue
		}
		for i := 2; i < len(obs); i++ {
			if !(math.Abs(obs[i]-first[i]) <= 1e-9) {
				t.Errorf("heading %v: observation %v, want %v after the heading", q1, obs, first)
				break
			}
		}
	}
}

// TestReacherRewardAndSuccess pins the reward and success rule to values worked by hand
// from the doc comment. With reach R, the fingertip d from the target and moving at s:
// far = max(1 − d/(2R), 0); sharp = 1 for d ≤ 0.025·R, else 0.1^(((d − 0.025·R)/(0.1·R))²);
// slow = 1 for s ≤ 0.05·R, else (1 + 0.1^(((s − 0.05·R)/(0.1·R))²))/2; the reward is
// (far + sharp·slow)/2 times the mean over the joints of (4 + 1 − a²)/5, and success is
// d ≤ 0.05·R with s < 0.1·R. The arm lies straight along the x axis, its fingertip at (R, 0),
// unless bent; turning it about the shoulder at ω moves the fingertip at ω·R.
func TestReacherRewardAndSuccess(t *testing.T) {
	sharp := func(over float64) float64 { return math.Pow(0.1, over*over) } // over: (d − 0.025R)/(0.1R)
	cases := []struct {
		name                 string
		link                 float64 // both links' length; R = 2·link
		q1, q2, omega, elbow float64 // joint angles and rates
		target               [2]float64
		action               [2]float64
		reward               float64
		ok                   bool
	}{
		{"on the target at rest", 0.5, 0, 0, 0, 0, [2]float64{1, 0}, [2]float64{}, 1, true},
		{"on the target, full speed", 0.5, 0, 0, 0, 0, [2]float64{1, 0}, [2]float64{1, -1}, 0.8, true},
		{"on the target, one joint at full speed", 0.5, 0, 0, 0, 0, [2]float64{1, 0}, [2]float64{0, 1}, 0.9, true},
		{"on the target, half speed", 0.5, 0, 0, 0, 0, [2]float64{1, 0}, [2]float64{-0.5, 0.5}, 0.95, true},
		{"at the edge of the sharp plateau", 0.5, 0, 0, 0, 0, [2]float64{1, 0.025}, [2]float64{}, (1 - 0.0125 + 1) / 2, true},
		{"at the success radius", 0.5, 0, 0, 0, 0, [2]float64{1, -0.05}, [2]float64{}, (1 - 0.025 + sharp(0.25)) / 2, true},
		{"just outside the success radius", 0.5, 0, 0, 0, 0, [2]float64{1, 0.05 + 1e-9}, [2]float64{},
			(1 - (0.05+1e-9)/2 + sharp((0.05+1e-9-0.025)/0.1)) / 2, false},
		{"at the sharp margin", 0.5, 0, 0, 0, 0, [2]float64{1, 0.125}, [2]float64{}, (1 - 0.0625 + 0.1) / 2, false},
		{"half a reach away", 0.5, 0, 0, 0, 0, [2]float64{1, 0.5}, [2]float64{}, (1 - 0.25 + sharp(4.75)) / 2, false},
		{"two reaches away", 0.5, 0, 0, 0, 0, [2]float64{1, -2.5}, [2]float64{}, 0, false},
		{"elbow bent, on the target", 0.5, math.Pi / 2, -math.Pi / 2, 0, 0, [2]float64{0.5, 0.54}, [2]float64{}, (1 - 0.02 + sharp(0.15)) / 2, true},
		{"on the target, tip at the slow plateau's edge", 0.5, 0, 0, 0.05, 0, [2]float64{1, 0}, [2]float64{}, 1, true},
		{"on the target, tip just under the success speed", 0.5, 0, 0, 0.0999, 0, [2]float64{1, 0},
			[2]float64{}, (1 + (1+math.Pow(0.1, 0.499*0.499))/2) / 2, true},
		{"on the target, tip at the success speed", 0.5, 0, 0, -0.1, 0, [2]float64{1, 0},
			[2]float64{}, (1 + (1+math.Pow(0.1, 0.25))/2) / 2, false},
		{"on the target, tip at the slow margin", 0.5, 0, 0, 0.15, 0, [2]float64{1, 0}, [2]float64{}, (1 + 0.55) / 2, false},
		{"on the target, elbow turning", 0.5, 0, 0, 0, 0.3, [2]float64{1, 0}, [2]float64{}, (1 + 0.55) / 2, false},
		{"near the target, moving", 0.5, 0, 0, 0.15, 0, [2]float64{1, 0.125}, [2]float64{1, 0}, (1 - 0.0625 + 0.1*0.55) / 2 * 0.9, false},
		{"long arm, within the success radius", 1, 0, 0, 0, 0, [2]float64{2, 0.09}, [2]float64{}, (1 - 0.09/4 + sharp(0.2)) / 2, true},
		{"long arm, outside the success radius", 1, 0, 0, 0, 0, [2]float64{2, 0.11}, [2]float64{}, (1 - 0.11/4 + sharp(0.3)) / 2, false},
		{"long arm, tip under the success speed", 1, 0, 0, 0.09, 0, [2]float64{2, 0}, [2]float64{},
			(1 + (1+math.Pow(0.1, 0.4*0.4))/2) / 2, true},
	}
	for _, c := range cases {
		_, rc := newTestReacher(t, WithParam("upper_length", c.link), WithParam("lower_length", c.link))
		if err := rc.arm.place(c.q1, c.q2, c.omega, c.elbow); err != nil {
			t.Fatal(err)
		}
		if err := rc.setVars(c.target[:]); err != nil {
			t.Fatal(err)
		}
		r, ok := rc.evaluate(c.action[:])
		checkJudgement(t, c.name, r, ok, c.reward, c.ok)
	}
}

// TestReacherScalesWithReach checks that what the reacher states in lengths scales with its
// reach, here 1.8 m: the success rule's radius and speed, 5% and 10% of the reach, and
// the bounds of the target's offset from the fingertip, twice the reach.
func TestReacherScalesWithReach(t *testing.T) {
	env := mustMakeEnv(t, reacherID, WithParams(map[string]float64{"upper_length": 1, "lower_length": 0.8}))
	if rule, want := env.Spec().SuccessRule, "within 0.09 m of the target and slower than 0.18 m/s"; !strings.Contains(rule, want) {
		t.Errorf("success rule %q, want it to say %q", rule, want)
	}
	obs := env.ObservationSpace()
	for _, i := range []int{5, 6} {
		if obs.Low[i] != -3.6 || obs.High[i] != 3.6 {
			t.Errorf("observation %d bounds [%v, %v], want [−3.6, 3.6]", i, obs.Low[i], obs.High[i])
		}
	}
}
