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

// TestExtrasResume checks that a run with each optional part of a learner, a policy prior
// or a disagreement ensemble, learning inline or concurrently, resumes from its checkpoint
// bit for bit, and that its state differs from a run's without it.
func TestExtrasResume(t *testing.T) {
	for _, extra := range []struct {
		name string
		add  func(ModelConfig) ModelConfig
	}{
		{"policy prior", func(c ModelConfig) ModelConfig { return withPolicy(c, 4) }},
		{"disagreement", func(c ModelConfig) ModelConfig { return withExplore(c, 0.5) }},
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
