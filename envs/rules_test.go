package envs

import (
	"math"
	"testing"

	"github.com/foresight-sim/foresight/sim"
)

// checkJudgement reports a reward or success flag that differs from the hand-worked one.
func checkJudgement(t *testing.T, name string, reward float64, ok bool, wantReward float64, wantOK bool) {
	t.Helper()
	if ok != wantOK || !(math.Abs(reward-wantReward) <= 1e-12) {
		t.Errorf("%s: reward %.15g, success %v; want %.15g, %v", name, reward, ok, wantReward, wantOK)
	}
}

// holdCase is a hold task, the steps its success must hold for (hold/dt from its doc
// comment), and how to put it through its own setters into a state that meets the success
// condition and stays put under a zero action, with reward 1, and into one that does not.
type holdCase struct {
	id        string
	steps     int
	good, bad func(e *physicsEnv) error
}

var holdCases = []holdCase{
	{pendulumID, 40,
		func(e *physicsEnv) error { return e.t.(*pendulum).rod.SetPose(sim.Vec2{}, 0, sim.Vec2{}, 0) },
		func(e *physicsEnv) error { return e.t.(*pendulum).rod.SetPose(sim.Vec2{}, 0.5, sim.Vec2{}, 0) }},
	{cartpoleID, 40,
		func(e *physicsEnv) error { return e.t.(*cartpole).setState(0, 0, 0, 0) },
		func(e *physicsEnv) error { return e.t.(*cartpole).setState(0, math.Pi, 0, 0) }},
	{reacherID, 20,
		func(e *physicsEnv) error { return reacherAt(e, 0) },
		func(e *physicsEnv) error { return reacherAt(e, 0.2) }},
}

// reacherAt puts the reacher's arm at rest, straight along the x axis, and the target miss
// metres to the side of its fingertip.
func reacherAt(e *physicsEnv, miss float64) error {
	rc := e.t.(*reacher)
	if err := rc.arm.place(0, 0, 0, 0); err != nil {
		return err
	}
	return rc.setVars([]float64{rc.reach(), miss})
}

// TestSuccessHeldToTheEnd checks each hold task on its own physics: success comes on the
// step that completes hold/dt steps in the good state, not one before; a step in a bad state
// ends it and the count starts again; and a snapshot carries the count.
func TestSuccessHeldToTheEnd(t *testing.T) {
	for _, c := range holdCases {
		t.Run(c.id, func(t *testing.T) {
			e := makePhysics(t, c.id)
			var snap Snapshot
			holdFor(t, e, c, c.steps-1, 0)
			e.Snapshot(&snap)
			holdFor(t, e, c, 2, 1)
			if err := c.bad(e); err != nil {
				t.Fatal(err)
			}
			if _, _, _, _, info, err := e.Step(make([]float64, e.def.act.Dim())); err != nil || info.Success {
				t.Errorf("step in the bad state: success %v, error %v; want false, none", info.Success, err)
			}
			holdFor(t, e, c, c.steps+1, c.steps)
			e.Reset(1)
			if err := e.Restore(&snap); err != nil {
				t.Fatal(err)
			}
			holdFor(t, e, c, 1, 1)
		})
	}
}

// holdFor puts e in c's good state and steps it n times with a zero action, checking each
// step's reward and that Info.Success is on from the step numbered from (counting from 1;
// 0: never) and off before it.
func holdFor(t *testing.T, e *physicsEnv, c holdCase, n, from int) {
	t.Helper()
	if err := c.good(e); err != nil {
		t.Fatal(err)
	}
	zero := make([]float64, e.def.act.Dim())
	for i := range n {
		_, r, term, _, info, err := e.Step(zero)
		if err != nil {
			t.Fatal(err)
		}
		if want := from > 0 && i+1 >= from; info.Success != want || term || !(math.Abs(r-1) <= 1e-9) {
			t.Fatalf("step %d in the good state: reward %.12g, success %v, terminated %v; want 1, %v, false",
				info.Steps, r, info.Success, term, want)
		}
	}
}
