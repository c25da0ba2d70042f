package agent

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/worldmodel"
	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// withPolicy returns c with a small policy prior proposing n candidates per iteration.
func withPolicy(c ModelConfig, n int) ModelConfig {
	p := DefaultPolicyConfig()
	p.Hidden, p.Batch, p.LR = []int{16}, 32, 1e-3
	c.Policy, c.Plan.Proposals = &p, n
	return c
}

// meanActionValue returns the mean action value, under a's model and critic, of actions
// drawn from a's policy prior for the latents z with a fixed noise.
func meanActionValue(t *testing.T, a *ModelBased, z nn.Matrix[float32]) float64 {
	t.Helper()
	act := nn.NewMatrix[float32](z.Rows, a.space.Dim())
	a.policy.propose(z, act, rand.New(rand.NewPCG(3, 3)))
	q, err := worldmodel.ActionValue(a.model, a.critic, z, act, nn.NewMatrix[float32](act.Rows, act.Cols))
	if err != nil {
		t.Fatal(err)
	}
	var mean float64
	for _, v := range q {
		mean += float64(v) / float64(len(q))
	}
	return mean
}

// TestPolicyPriorClimbsActionValue checks that the policy prior learns what it is trained
// for: a new one, on the model and critic of a jepa agent trained on 15 s of Pendulum held
// fixed, raises the mean action value of the actions it proposes over 300 training steps,
// most of the way to that of the best constant action.
func TestPolicyPriorClimbsActionValue(t *testing.T) {
	env := makeEnv(t, "Pendulum-v0")
	a := newMB(t, env, "jepa", 1, mbConfig())
	if _, err := Train(env, a, "jepa", TrainConfig{Seed: 1, Budget: 15 * time.Second}); err != nil {
		t.Fatal(err)
	}
	c := withPolicy(mbConfig(), 4)
	var err error
	if a.policy, err = newPolicy(env, a.model, *c.Policy, 1, false); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	if err := a.replay.SampleSequences(rng, 64, 1, &a.policy.batch); err != nil {
		t.Fatal(err)
	}
	z := a.policy.encode(a.model)
	z = nn.MatrixOf(z.Rows, z.Cols, slices.Clone(z.Data))
	before := meanActionValue(t, a, z)
	for range 300 {
		if err := a.policy.train(a.replay, rng, a.model, a.critic); err != nil {
			t.Fatal(err)
		}
	}
	after := meanActionValue(t, a, z)
	best := math.Inf(-1)
	for _, v := range []float32{-2, -1, 0, 1, 2} {
		act := nn.NewMatrix[float32](z.Rows, 1)
		for i := range act.Data {
			act.Data[i] = v
		}
		q, err := worldmodel.ActionValue(a.model, a.critic, z, act, nn.NewMatrix[float32](z.Rows, 1))
		if err != nil {
			t.Fatal(err)
		}
		var mean float64
		for _, x := range q {
			mean += float64(x) / float64(len(q))
		}
		best = max(best, mean)
	}
	t.Logf("mean action value of the proposals: %.4f before, %.4f after; of the best constant action %.4f", before, after, best)
	if !(after-before > 0.5*(best-before)) {
		t.Errorf("training the policy prior took the mean action value of its proposals from %.4f to %.4f, want over half way to the best constant action's %.4f", before, after, best)
	}
}

// TestPolicyPriorProposes checks that a learner with a policy prior has its planner score
// the prior's proposals: after a step of planning the imagination proposes, and the
// proposals differ once the prior has trained.
func TestPolicyPriorProposes(t *testing.T) {
	env := makeEnv(t, "Pendulum-v0")
	a := newMB(t, env, "jepa", 2, withPolicy(mbConfig(), 4))
	seqs := make([]float64, 4*a.cfg.Plan.Horizon)
	if ok, _ := a.im.Propose(seqs, 4, a.cfg.Plan.Horizon); ok {
		t.Fatal("the imagination proposed before any observation")
	}
	obs := slices.Clone(first(env, a, 1))
	a.SetEval(true)
	if _, err := a.Act(obs); err != nil {
		t.Fatal(err)
	}
	if ok, err := a.im.Propose(seqs, 4, a.cfg.Plan.Horizon); !ok || err != nil {
		t.Fatalf("after planning the imagination proposes %v, error %v", ok, err)
	}
	for _, v := range seqs {
		if lo, hi := env.ActionSpace().Low[0], env.ActionSpace().High[0]; v < lo || v > hi {
			t.Fatalf("proposed action %v outside [%v, %v]", v, lo, hi)
		}
	}
}

// TestPolicyPriorErrors checks that a policy prior is refused where it cannot work.
func TestPolicyPriorErrors(t *testing.T) {
	env := makeEnv(t, "Pendulum-v0")
	for _, tc := range []struct {
		name, kind string
		c          ModelConfig
		want       string
	}{
		{"pets", "pets", withPolicy(mbConfig(), 4), "which a *worldmodel.PETS cannot differentiate"},
		{"proposals without a policy", "jepa", func() ModelConfig { c := mbConfig(); c.Plan.Proposals = 2; return c }(), "2 proposals per planner iteration without a policy prior"},
		{"more proposals than candidates", "jepa", withPolicy(mbConfig(), 14), "14 proposals: want 0 to 13"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := mbModels[tc.kind](dimsOf(env), 1)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := NewModelBased(env, m, 1, tc.c); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
