package agent

import (
	"bytes"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/worldmodel"
)

// withExplore returns c with a small disagreement ensemble weighed by weight.
func withExplore(c ModelConfig, weight float64) ModelConfig {
	d := worldmodel.DefaultDisagreementConfig()
	d.Members, d.Hidden, d.Batch = 3, []int{16}, 32
	c.Explore, c.Disagreement = weight, &d
	return c
}

// withCoarse returns c with a small coarse level planned over 3 macro-actions.
func withCoarse(c ModelConfig) ModelConfig {
	k := worldmodel.DefaultCoarseConfig()
	k.Steps, k.Horizon, k.Latent, k.Group, k.Macro, k.Batch = 4, 2, 8, 4, 2, 16
	k.Encoder, k.Actions, k.Predictor, k.Probe = []int{16}, []int{16}, []int{16}, []int{16}
	c.Coarse, c.CoarsePlan, c.Subgoal = &k, c.Plan, 1
	c.CoarsePlan.Horizon = 3
	return c
}

// TestExtrasResume checks that a run with each optional part of a learner, a policy prior,
// a disagreement ensemble or a coarse level, learning inline or concurrently,
// resumes from its checkpoint bit for bit, and that its state differs from a run's without
// it.
func TestExtrasResume(t *testing.T) {
	for _, extra := range []struct {
		name string
		add  func(ModelConfig) ModelConfig
	}{
		{"policy prior", func(c ModelConfig) ModelConfig { return withPolicy(c, 4) }},
		{"disagreement", func(c ModelConfig) ModelConfig { return withExplore(c, 0.5) }},
		{"coarse level", withCoarse},
	} {
		for _, concurrent := range []bool{false, true} {
			t.Run(extra.name+"/"+layout(concurrent), func(t *testing.T) {
				run := func(budget time.Duration, dir string) (TrainResult, []byte) {
					env := makeEnv(t, "Pendulum-v0")
					c := extra.add(mbConfig())
					c.Concurrent = concurrent
					a := newMB(t, env, "jepa", 3, c)
					res := trainResuming(t, env, a, "jepa", 3, budget, dir)
					state, _ := a.MarshalBinary()
					return res, state
				}
				whole, wholeState := run(12*time.Second, t.TempDir())
				dir := t.TempDir()
				run(10*time.Second, dir)
				resumed, resumedState := run(12*time.Second, dir)
				if !reflect.DeepEqual(resumed.Curve, whole.Curve) || !bytes.Equal(resumedState, wholeState) {
					t.Errorf("the resumed run with a %s ends otherwise than the uninterrupted one", extra.name)
				}
				if _, plain := trainSmall(t, 12*time.Second, t.TempDir(), concurrent); bytes.Equal(plain, wholeState) {
					t.Errorf("the %s changed nothing", extra.name)
				}
			})
		}
	}
}

// TestExploreOnlyInTraining checks that a positive exploration weight changes the actions
// planned in training and not those planned in evaluation, and that a negative one changes
// both.
func TestExploreOnlyInTraining(t *testing.T) {
	env := makeEnv(t, "Pendulum-v0")
	a := newMB(t, env, "jepa", 5, withExplore(mbConfig(), 1))
	if _, err := Train(env, a, "jepa", TrainConfig{Seed: 5, Budget: 3 * time.Second}); err != nil {
		t.Fatal(err)
	}
	obs, _ := env.Reset(9)
	act := func(eval bool, weight float64) []float64 {
		a.cfg.Explore = weight
		a.Reset(4)
		a.SetEval(eval)
		out, err := a.Act(obs)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Clone(out)
	}
	plain, explore := act(false, 0), act(false, 50)
	if slices.Equal(plain, explore) {
		t.Error("a weight of 50 changed nothing in training")
	}
	if got := act(true, 50); !slices.Equal(got, act(true, 0)) {
		t.Errorf("evaluation with a positive weight acts %v, without %v: want the same", got, act(true, 0))
	}
	if slices.Equal(act(true, -50), act(true, 0)) {
		t.Error("a negative weight changed nothing in evaluation")
	}
}

// TestSubgoalSteers checks that the coarse planner's subgoal changes what a two-level
// learner plans, and that it shows where its coarse plan leads.
func TestSubgoalSteers(t *testing.T) {
	env := makeEnv(t, "Pendulum-v0")
	a := newMB(t, env, "jepa", 6, withCoarse(mbConfig()))
	if _, err := Train(env, a, "jepa", TrainConfig{Seed: 6, Budget: 3 * time.Second}); err != nil {
		t.Fatal(err)
	}
	obs, _ := env.Reset(8)
	plan := func(weight float64) []float64 { // the whole plan: its first action may be at a bound either way
		a.cfg.Subgoal = weight
		a.Reset(2)
		if _, err := a.Act(obs); err != nil {
			t.Fatal(err)
		}
		return slices.Clone(a.planner.Best())
	}
	// Here the plan without a subgoal already heads for it (pushing one way throughout), so
	// a subgoal that repels (a negative weight) shows the steering.
	if slices.Equal(plan(0), plan(-1000)) {
		t.Error("a subgoal weighed −1000 changed nothing")
	}
	if future, err := a.Subgoals(); err != nil || len(future) != 3 || len(future[0]) != len(obs) {
		t.Errorf("Subgoals = %d observations (%v), want the coarse plan's 3 of %d components", len(future), err, len(obs))
	}
}
