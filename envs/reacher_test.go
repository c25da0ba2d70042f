package envs

import (
	"math"
	"slices"
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

// TestReacherSolvable shows that a simple controller succeeds from several starts.
func TestReacherSolvable(t *testing.T) {
	env := mustMakeEnv(t, reacherID)
	p := Params(env.Spec().Params)
	for seed := range uint64(8) {
		obs, _ := env.Reset(seed)
		for {
			a := ikController(obs, p.Get("upper_length"), p.Get("lower_length"), p.Get("max_speed"))
			o, _, term, trunc, info, err := env.Step(a)
			if err != nil {
				t.Fatal(err)
			}
			obs = o
			if term || trunc {
				miss := math.Hypot(obs[5], obs[6])
				t.Logf("seed %d: fingertip %.2g m from the target at the end, success %v", seed, miss, info.Success)
				if !info.Success {
					t.Errorf("seed %d: no success; fingertip %.3g m from the target at the end", seed, miss)
				}
				break
			}
		}
	}
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
			if math.Abs(obs[i]-first[i]) > 1e-12 {
				t.Fatalf("arm moved under zero action: %v, started at %v", obs, first)
			}
		}
	}
}

// TestReacherTargetsReachable draws many targets, for the default arm and for lopsided ones,
// and checks that each lies in the annulus, where the fingertip can get to with the elbow
// within its limit.
func TestReacherTargetsReachable(t *testing.T) {
	arms := [][2]float64{{0.5, 0.5}, {1, 0.2}, {0.2, 1}}
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
	if math.Abs(omega-a[0]*speed) > 1e-4 || math.Abs(elbowRate-a[1]*speed) > 1e-4 {
		t.Errorf("joint speeds %.6g, %.6g rad/s; want %.6g, %.6g", omega, elbowRate, a[0]*speed, a[1]*speed)
	}
	for range 60 {
		if _, _, _, _, _, err := e.Step([]float64{0, 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, elbow, _, _ := rc.arm.joints(); math.Abs(elbow-elbowLimit) > 2*math.Pi/180 {
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
			if math.Abs(obs[5]-d.X) > 1e-9 || math.Abs(obs[6]-d.Y) > 1e-9 {
				t.Fatalf("heading 0: observed target at (%.6g, %.6g), want the world's (%.6g, %.6g)", obs[5], obs[6], d.X, d.Y)
			}
			first = obs
			continue
		}
		for i := 2; i < len(obs); i++ {
			if math.Abs(obs[i]-first[i]) > 1e-9 {
				t.Errorf("heading %v: observation %v, want %v after the heading", q1, obs, first)
				break
			}
		}
	}
}
