package envs

import (
	"math"
	"testing"

	"github.com/foresight-sim/foresight/sim"
)

// pushAt returns a Push-v0 environment reset with seed 0, its goal moved to the origin at
// angle 0, the block's origin placed at block with angle angle and the pusher at pusher,
// all at rest.
func pushAt(t *testing.T, block sim.Vec2, angle float64, pusher sim.Vec2, opts ...Option) (*physicsEnv, *push) {
	t.Helper()
	env := mustMakeEnv(t, pushID, opts...)
	env.Reset(0)
	e := env.(*TimeLimit).Env.(*physicsEnv)
	p := e.t.(*push)
	p.setGoal(pose2{})
	if err := p.block.SetPose(block, angle, sim.Vec2{}, 0); err != nil {
		t.Fatal(err)
	}
	if err := p.pusher.SetPose(pusher, 0, sim.Vec2{}, 0); err != nil {
		t.Fatal(err)
	}
	p.observe(e.obs)
	return e, p
}

// TestPushCoverage checks the coverage against areas worked out by hand for the T of a bar
// 0.48 by 0.12 m over a stem 0.12 by 0.36 m (area 0.1008 m²), with the goal at the origin.
func TestPushCoverage(t *testing.T) {
	const area = 0.48*0.12 + 0.12*0.36
	far := sim.V(0.8, 0.8)
	for _, tc := range []struct {
		name  string
		at    sim.Vec2
		angle float64
		want  float64
	}{
		{"on the goal", sim.Vec2{}, 0, 1},
		// Along the bar: it keeps 0.42 of its 0.48 m; the stem keeps 0.06 of its 0.12 m.
		{"0.06 m along x", sim.V(0.06, 0), 0, (0.42*0.12 + 0.06*0.36) / area},
		// Down the stem: the stem keeps 0.30 of its 0.36 m and takes 0.06 m of the bar's
		// place, where the bar keeps 0.06 of its 0.12 m.
		{"0.06 m down", sim.V(0, -0.06), 0, (0.48*0.06 + 0.12*0.30 + 0.12*0.06) / area},
		// Upside down about the origin: the bar lies over the goal's stem, and the stem
		// under the goal's bar, each crossing in a square of 0.12 m.
		{"turned half a turn", sim.Vec2{}, math.Pi, 2 * 0.12 * 0.12 / area},
		{"far away", sim.V(0.6, 0.6), 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, p := pushAt(t, tc.at, tc.angle, far)
			if got := p.coverage(); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("coverage %.6f, want %.6f", got, tc.want)
			}
		})
	}
}

// TestPushSucceedsAndEnds checks that a block on its goal succeeds and ends the episode at
// once, and that a block 0.06 m off (coverage 0.71) does neither.
func TestPushSucceedsAndEnds(t *testing.T) {
	e, _ := pushAt(t, sim.Vec2{}, 0, sim.V(0.8, 0.8))
	_, r, terminated, _, info, err := e.Step([]float64{0, 0})
	if err != nil || !terminated || !info.Success || r < 0.5 {
		t.Errorf("on the goal: reward %.3g, terminated %v, success %v, err %v; want success and the end", r, terminated, info.Success, err)
	}
	e, _ = pushAt(t, sim.V(0.06, 0), 0, sim.V(0.8, 0.8))
	if _, _, terminated, _, info, _ := e.Step([]float64{0, 0}); terminated || info.Success {
		t.Errorf("0.06 m off: terminated %v, success %v", terminated, info.Success)
	}
}

// TestPushReward checks the reward's terms where they are known: the block on its goal with
// the pusher touching it earns 1; the near term does not change while the pusher goes round
// the block within touching range, and halves 0.1 m beyond it; turning the block towards
// the goal's angle pays at every step of the turn, even where its coverage drops.
func TestPushReward(t *testing.T) {
	reward := func(block sim.Vec2, angle float64, pusher sim.Vec2) float64 {
		_, p := pushAt(t, block, angle, pusher)
		r, _ := p.evaluate(nil)
		return r
	}
	_, p := pushAt(t, sim.Vec2{}, 0, sim.V(0.8, 0.8))
	com := p.centre
	if r := reward(sim.Vec2{}, 0, com.Add(sim.V(0, p.touch))); math.Abs(r-1) > 1e-12 {
		t.Errorf("on the goal, the pusher touching: reward %.6f, want 1", r)
	}
	far := sim.V(0.6, -0.7) // the block's pose away from the goal, where only near varies
	mass := far.Add(com.Rotate(1))
	touching := reward(far, 1, mass.Add(sim.V(p.touch, 0)))
	for _, a := range []float64{1, 2, 3, 4, 5} {
		if r := reward(far, 1, mass.Add(sim.Polar(p.touch, a))); math.Abs(r-touching) > 1e-12 {
			t.Errorf("pusher touching the block %.0f rad round it: reward %.6f, want %.6f as at 0 rad", a, r, touching)
		}
	}
	// Against the stem's side, 0.12 m from the centre of mass: as near as at the corners.
	if r := reward(far, 1, far.Add(sim.V(pusherRadius+0.06, com.Y).Rotate(1))); math.Abs(r-touching) > 1e-12 {
		t.Errorf("pusher against the stem: reward %.6f, want %.6f as anywhere it touches", r, touching)
	}
	away := reward(far, 1, mass.Add(sim.V(5, 5))) // near is all but 0
	beyond := reward(far, 1, mass.Add(sim.V(p.touch+0.1, 0)))
	if got, want := touching-beyond, (touching-away)/2; math.Abs(got-want) > 0.01 {
		t.Errorf("0.1 m beyond touching the near term lost %.4f, want about half of %.4f", got, 2*want)
	}
	prev := math.Inf(-1)
	for deg := 180; deg >= 0; deg -= 15 {
		angle := float64(deg) * math.Pi / 180
		// Turn about the centre of mass, which stays on the goal's.
		at := com.Sub(com.Rotate(angle))
		r := reward(at, angle, sim.V(0.8, 0.8))
		if r <= prev {
			t.Errorf("turned %d° from the goal: reward %.4f, not more than %.4f at %d°", deg, r, prev, deg+15)
		}
		prev = r
	}
}

// TestPushTableFriction checks that the block slides to rest as on a table: launched at
// 1 m/s and left alone, friction μg = 0.3·9.81 m/s² stops it within 1/(μg) = 0.34 s,
// after 1/(2μg) = 0.17 m.
func TestPushTableFriction(t *testing.T) {
	e, p := pushAt(t, sim.V(-0.5, 0), 0, sim.V(0.8, 0.8))
	start := p.block.WorldCenter()
	if err := p.block.SetPose(p.block.Position(), 0, sim.V(1, 0), 0); err != nil {
		t.Fatal(err)
	}
	for range 10 { // 0.5 s
		e.Step([]float64{0, 0})
	}
	moved := p.block.WorldCenter().Sub(start).Len()
	if v := p.block.LinearVelocity().Len(); v > 1e-6 || math.Abs(moved-0.17) > 0.01 {
		t.Errorf("after 0.5 s: speed %.3g m/s, slid %.3g m; want at rest after 0.17 m", v, moved)
	}
}

// TestPushPusher checks that the pusher moves at the target velocity, stops at a zero
// action, and stays on the table when driven into a wall.
func TestPushPusher(t *testing.T) {
	e, p := pushAt(t, sim.V(0.5, 0.5), 0, sim.V(-0.5, -0.5))
	for range 10 {
		e.Step([]float64{1, -0.5})
	}
	if v := p.pusher.LinearVelocity(); math.Abs(v.X-0.6) > 1e-3 || math.Abs(v.Y+0.3) > 1e-3 {
		t.Errorf("velocity %v at action (1, −0.5), want (0.6, −0.3)", v)
	}
	e.Step([]float64{0, 0})
	if v := p.pusher.LinearVelocity().Len(); v > 1e-3 {
		t.Errorf("speed %.3g m/s after a zero action, want rest", v)
	}
	for range 100 {
		e.Step([]float64{-1, -1})
	}
	if at := p.pusher.Position(); at.X < -tableHalf || at.Y < -tableHalf {
		t.Errorf("pusher at %v after 5 s into the corner: off the table", at)
	}
}

// TestPushPushes drives the pusher into the stem from below, along its axis, for 0.5 s: the
// block moves up, straight, and the reward grows as it nears the goal above it.
func TestPushPushes(t *testing.T) {
	e, p := pushAt(t, sim.V(0, -0.5), 0, sim.V(0, -0.95))
	start := p.block.WorldCenter()
	_, first, _, _, _, _ := e.Step([]float64{0, 1})
	var r float64
	for range 10 {
		_, r, _, _, _, _ = e.Step([]float64{0, 1})
	}
	moved := p.block.WorldCenter().Sub(start)
	if moved.Y < 0.15 || math.Abs(moved.X) > 0.02 || math.Abs(p.block.Angle()) > 0.05 {
		t.Errorf("pushed for 1 s: block moved %v and turned %.3g rad; want 0.15 m or more up, straight", moved, p.block.Angle())
	}
	if r <= first {
		t.Errorf("reward %.3g after pushing towards the goal, %.3g before", r, first)
	}
}

// TestPushStarts checks the start distribution over 200 seeds: the pusher clear of the block,
// both on the table within their ranges, and the goal fixed at the centre at 45° unless
// random_goal is set.
func TestPushStarts(t *testing.T) {
	for _, random := range []float64{0, 1} {
		env := mustMakeEnv(t, pushID, WithParam("random_goal", random))
		p := env.(*TimeLimit).Env.(*physicsEnv).t.(*push)
		goals := map[pose2]bool{}
		for seed := range uint64(200) {
			env.Reset(seed)
			com := p.block.WorldCenter()
			if p.touches(p.pusher.Position(), p.blockPose()) || math.Abs(com.X) > pushStartSpan+1e-9 || math.Abs(com.Y) > pushStartSpan+1e-9 {
				t.Fatalf("seed %d: block's centre %v, pusher %v", seed, com, p.pusher.Position())
			}
			goals[p.goal] = true
			if g := p.goal.apply(p.centre); random == 0 && (g.Len() > 1e-12 || p.goal.angle != math.Pi/4) {
				t.Fatalf("seed %d: goal's centre %v at %.3g rad, want the origin at π/4", seed, g, p.goal.angle)
			}
		}
		if random == 1 && len(goals) < 200 {
			t.Errorf("random_goal 1: %d distinct goals in 200 episodes", len(goals))
		}
	}
}

// TestPushRestoreDrift pushes the block, snapshots the scene in contact, and replays the
// next 100 steps from the snapshot in a fresh environment: the block's pose may drift,
// because contact impulses are rebuilt from zero, but by less than a millimetre.
func TestPushRestoreDrift(t *testing.T) {
	e, p := pushAt(t, sim.V(0, -0.5), 0.3, sim.V(0, -0.95))
	toward := func() []float64 {
		d := p.block.WorldCenter().Sub(p.pusher.Position())
		return []float64{d.X / d.Len(), d.Y / d.Len()}
	}
	for range 15 {
		e.Step(toward())
	}
	var snap Snapshot
	e.Snapshot(&snap)
	var acts [][]float64
	var want []float64
	for range 100 {
		a := toward()
		acts = append(acts, a)
		obs, _, _, _, _, _ := e.Step(a)
		want = append(want, obs[4:8]...)
	}
	f, _ := pushAt(t, sim.V(0.5, 0.5), 0, sim.V(-0.5, -0.5))
	if err := f.Restore(&snap); err != nil {
		t.Fatal(err)
	}
	drift := 0.0
	for i, a := range acts {
		obs, _, _, _, _, _ := f.Step(a)
		for k, v := range obs[4:8] {
			drift = math.Max(drift, math.Abs(v-want[4*i+k]))
		}
	}
	t.Logf("largest drift of the block's pose over 100 steps after Restore: %.3g", drift)
	if drift > 1e-3 {
		t.Errorf("block's pose drifted by %.3g after Restore, want under 1e-3", drift)
	}
}
