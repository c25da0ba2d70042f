package agent

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/parts"
	"github.com/foresight-sim/foresight/internal/slowtest"
	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// smallSAC returns a SAC configuration small enough for tests: two hidden layers of 16,
// batches of 8, 40 random steps, a buffer of 4000.
func smallSAC() SACConfig {
	c := DefaultSACConfig()
	c.Hidden, c.Batch, c.StartSteps, c.ReplayCapacity = []int{16, 16}, 8, 40, 4000
	return c
}

func newSAC(t testing.TB, env envs.Env, seed uint64, c SACConfig) *SAC {
	t.Helper()
	a, err := NewSAC(env, seed, c)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// sacAfter returns a small SAC agent on Reacher-v0 (two action components) that has taken
// steps training steps, episode after episode, with the updates they bring.
func sacAfter(t testing.TB, steps int) *SAC {
	t.Helper()
	env := makeEnv(t, "Reacher-v0")
	a := newSAC(t, env, 5, smallSAC())
	episode := uint64(1)
	obs := slices.Clone(first(env, a, episode))
	for range steps {
		act, err := a.Act(obs)
		if err != nil {
			t.Fatal(err)
		}
		act = slices.Clone(act)
		next, r, term, trunc, _, err := env.Step(act)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Observe(Transition{Obs: obs, Action: act, Next: next, Reward: r, Terminated: term}); err != nil {
			t.Fatal(err)
		}
		obs = slices.Clone(next)
		if term || trunc {
			a.EndEpisode()
			episode++
			obs = slices.Clone(first(env, a, episode))
		}
	}
	return a
}

// TestSACActorGradient checks the actor's hand-derived gradient, through the squashed
// Gaussian's reparameterisation, its log-probability and the smaller Q-network, against
// central differences of its loss with the same noise, over every 7th actor parameter: at a
// temperature where the entropy term dominates and at one where the Q-networks do.
func TestSACActorGradient(t *testing.T) {
	a := sacAfter(t, 120)
	if err := a.replay.SampleSequences(rand.New(rand.NewPCG(1, 2)), 8, 1, &a.batch); err != nil {
		t.Fatal(err)
	}
	a.loadBatch()
	noise := func() *rand.Rand { return rand.New(rand.NewPCG(7, 7)) }
	params := a.pi.net.Params()
	for _, logAlpha := range []float32{0, -8} {
		a.pi.logAlpha.p[0] = logAlpha
		a.actorGradient(noise())
		grads := slices.Clone(a.pi.net.Grads())
		const h = 1e-3
		var dot, nfd, ng float64
		for i := 0; i < len(params); i += 7 {
			p := params[i]
			params[i] = p + h
			plus, _ := a.actorGradient(noise())
			params[i] = p - h
			minus, _ := a.actorGradient(noise())
			params[i] = p
			fd, g := (plus-minus)/(2*h), float64(grads[i])
			dot, nfd, ng = dot+fd*g, nfd+fd*fd, ng+g*g
		}
		cos, ratio := dot/math.Sqrt(nfd*ng), math.Sqrt(ng/nfd)
		if !(cos > 0.99 && math.Abs(ratio-1) < 0.05) {
			t.Errorf("log temperature %v: actor gradient against finite differences: cosine %.4f (want > 0.99), norm ratio %.4f (want within 5%% of 1)", logAlpha, cos, ratio)
		}
	}
}

// TestSACPolicyDensity checks the log-probabilities the actor's draws carry against a
// histogram of the draws: a tanh-squashed Gaussian of mean 0.4 and standard deviation 0.7.
func TestSACPolicyDensity(t *testing.T) {
	const n, bins = 200_000, 20
	out := nn.NewMatrix[float32](n, 2)
	// logStd(raw) = ln 0.7 solves tanh(raw) = 2(ln 0.7 − min)/(max − min) − 1.
	raw := math.Atanh(2*(math.Log(0.7)-sacLogStdMin)/(sacLogStdMax-sacLogStdMin) - 1)
	for i := range n {
		out.Data[2*i], out.Data[2*i+1] = 0.4, float32(raw)
	}
	var p policyDraw
	p.sample(out, 1, rand.New(rand.NewPCG(3, 3)))
	var count, density [bins]float64
	for i, x := range p.act.Data {
		b := min(int((float64(x)+1)/2*bins), bins-1)
		count[b]++
		density[b] += math.Exp(float64(p.logp.Data[i]))
	}
	for b := 2; b < bins-2; b++ { // the edges' density changes too fast within a bin
		empirical := count[b] / n / (2.0 / bins)
		mean := density[b] / count[b]
		if math.Abs(mean-empirical) > 0.05*empirical {
			t.Errorf("bin %d: the draws' density is %.3f, their log-probabilities say %.3f", b, empirical, mean)
		}
	}
}

// TestSACLearnsInOrder checks the phases of training: uniform random actions and no updates
// for StartSteps steps, then one update per step, the targets following the Q-networks, the
// actor trained every ActorEvery-th update, and nothing learnt in evaluation mode.
func TestSACLearnsInOrder(t *testing.T) {
	a := sacAfter(t, 39)
	actor := slices.Clone(a.pi.net.Params())
	if a.updates != 0 || a.replay.Len() != 39 {
		t.Fatalf("after 39 steps: %d updates, %d stored; want none before step 40", a.updates, a.replay.Len())
	}
	a = sacAfter(t, 43)
	if a.updates != 4 {
		t.Errorf("after 43 steps: %d updates, want 4", a.updates)
	}
	if slices.Equal(actor, a.pi.net.Params()) || slices.Equal(a.q[0].Params(), a.target[0].Params()) {
		t.Error("the updates left the actor as it was, or the target equal to its Q-network")
	}
	before, _ := a.MarshalBinary()
	a.SetEval(true)
	obs := make([]float64, a.obsDim)
	act, err := a.Act(obs)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := a.Act(obs)
	if !slices.Equal(act, again) {
		t.Errorf("evaluation actions %v and %v for one observation: want the mean action", act, again)
	}
	if err := a.Observe(Transition{Obs: obs, Action: act, Next: obs}); err != nil {
		t.Fatal(err)
	}
	if after, _ := a.MarshalBinary(); !bytes.Equal(before, after) {
		t.Error("acting and observing in evaluation mode changed the agent")
	}
}

// TestSACCheckpointResume checks that a SAC run stopped after its first episode and resumed
// by a fresh agent ends, bit for bit, as a run that was never stopped.
func TestSACCheckpointResume(t *testing.T) {
	run := func(budget time.Duration, dir string) (TrainResult, []byte) {
		env := makeEnv(t, "Pendulum-v0")
		a := newSAC(t, env, 3, smallSAC())
		res := trainResuming(t, env, a, "sac", 3, budget, dir)
		state, _ := a.MarshalBinary()
		return res, state
	}
	whole, wholeState := run(12*time.Second, t.TempDir())
	dir := t.TempDir()
	if first, _ := run(10*time.Second, dir); first.Episodes != 1 {
		t.Fatalf("the first part played %d episodes, want 1", first.Episodes)
	}
	resumed, resumedState := run(12*time.Second, dir)
	if !reflect.DeepEqual(resumed.Curve, whole.Curve) {
		t.Errorf("resumed curve %+v, want %+v", resumed.Curve, whole.Curve)
	}
	if !bytes.Equal(resumedState, wholeState) {
		t.Error("the resumed agent ends in another state than the uninterrupted one")
	}
}

// TestSACErrors checks that NewSAC refuses bad configurations and image observations, and
// that Act and Observe refuse observations of the wrong size or not finite.
func TestSACErrors(t *testing.T) {
	env := makeEnv(t, "Pendulum-v0")
	for _, change := range []func(*SACConfig){
		func(c *SACConfig) { c.Hidden = nil },
		func(c *SACConfig) { c.Batch = 0 },
		func(c *SACConfig) { c.Discount = 1 },
		func(c *SACConfig) { c.TargetRate = 0 },
		func(c *SACConfig) { c.ActorLR = math.NaN() },
		func(c *SACConfig) { c.StartSteps = -1 },
	} {
		c := smallSAC()
		change(&c)
		if _, err := NewSAC(env, 1, c); err == nil {
			t.Errorf("NewSAC accepted %+v", c)
		}
	}
	if _, err := NewSAC(makePixelEnv(t, "Pendulum-v0"), 1, smallSAC()); err == nil {
		t.Error("NewSAC accepted image observations")
	}
	a := sacAfter(t, 45)
	if _, err := a.Act(make([]float64, 3)); err == nil {
		t.Error("Act accepted an observation of the wrong size")
	}
	bad := make([]float64, a.obsDim)
	bad[1] = math.Inf(1)
	if _, err := a.Act(bad); err == nil {
		t.Error("Act accepted an infinite observation")
	}
	if err := a.Observe(Transition{Obs: []float64{1}, Action: []float64{0, 0}, Next: []float64{1}}); err == nil {
		t.Error("Observe accepted a transition of the wrong size")
	}
}

// FuzzSACState feeds a small SAC agent's UnmarshalBinary states made of arbitrary parts
// behind a matching checksum. It must not panic, and a state it accepts must be what the
// agent then marshals. The seeds are the parts of a real state.
func FuzzSACState(f *testing.F) {
	state, _ := sacAfter(f, 50).MarshalBinary()
	p, err := parts.Decode(sacKind, state, 7)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p[0], p[1], p[2], p[3], p[4], p[5], p[6])
	f.Fuzz(func(t *testing.T, counts, src, alpha, replay, q, actor, temp []byte) {
		data := parts.Encode(sacKind, counts, src, alpha, replay, q, actor, temp)
		a := newSAC(t, makeEnv(t, "Reacher-v0"), 5, smallSAC())
		if err := a.UnmarshalBinary(data); err != nil {
			return
		}
		if again, _ := a.MarshalBinary(); !bytes.Equal(again, data) {
			t.Error("an accepted state marshals differently")
		}
	})
}

// TestSACLearnsPendulumSlow trains a SAC agent with narrower networks (64, 64), batches of
// 64 and 1000 random steps for 240 s of Pendulum-v0, and checks that in evaluation, on
// episode seeds 1000 to 1002, its mean return is more than twice a random agent's and the
// untrained agent's.
func TestSACLearnsPendulumSlow(t *testing.T) {
	slowtest.SkipUnderRace(t)
	env := makeEnv(t, "Pendulum-v0")
	c := DefaultSACConfig()
	c.Hidden, c.Batch, c.StartSteps = []int{64, 64}, 64, 1000
	a, untrained := newSAC(t, env, 1, c), newSAC(t, env, 1, c)
	if _, err := Train(env, a, "sac", TrainConfig{Seed: 1, Budget: 240 * time.Second}); err != nil {
		t.Fatal(err)
	}
	a.SetEval(true)
	untrained.SetEval(true)
	var trained, random, before float64
	const episodes = 3
	for seed := uint64(1000); seed < 1000+episodes; seed++ {
		ret, _ := playLogged(t, env, a, seed)
		trained += ret / episodes
		ret, _ = playLogged(t, env, NewRandom(env.ActionSpace(), seed), seed)
		random += ret / episodes
		ret, _ = playLogged(t, env, untrained, seed)
		before += ret / episodes
	}
	if trained <= 2*max(random, before) {
		t.Errorf("mean evaluation return %.1f, want more than twice %.1f of a random agent and %.1f of the agent untrained", trained, random, before)
	}
	t.Logf("mean evaluation return %.1f; random %.1f; untrained %.1f", trained, random, before)
}

// BenchmarkSACUpdate measures one update of the default SAC agent on CartPoleSwingup-v0 (a
// critic step, on average one actor and temperature step, the targets' step) on batches
// from a replay buffer of a minute of random experience, and one action drawn from its
// actor. A step lasts 50 ms of experience.
func BenchmarkSACUpdate(b *testing.B) {
	env := makeEnv(b, "CartPoleSwingup-v0")
	a := newSAC(b, env, 0, DefaultSACConfig())
	if _, err := Train(env, a, "sac", TrainConfig{Budget: 60 * time.Second}); err != nil {
		b.Fatal(err)
	}
	b.Run("update", func(b *testing.B) {
		for b.Loop() {
			if err := a.update(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("act", func(b *testing.B) {
		a.steps = a.cfg.StartSteps
		obs, _ := env.Reset(0)
		for b.Loop() {
			if _, err := a.Act(obs); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestTrainingLoss checks what the learners report for display: SAC its critics' loss once
// it updates, a model-based learner its world model's, as Stats.
func TestTrainingLoss(t *testing.T) {
	s := newSAC(t, makeEnv(t, "Reacher-v0"), 5, smallSAC())
	if name, _, n := s.TrainingLoss(); name != "critic loss" || n != 0 {
		t.Errorf("a new sac agent reports %q after %d updates", name, n)
	}
	s = sacAfter(t, 120)
	if _, loss, n := s.TrainingLoss(); n != s.updates || n == 0 || !(loss > 0) || loss != s.loss {
		t.Errorf("after %d updates sac reports a loss of %v after %d", s.updates, loss, n)
	}
	env := makeEnv(t, "Pendulum-v0")
	m := newMB(t, env, "jepa", 1, mbConfig())
	if _, err := Train(env, m, "jepa", TrainConfig{Seed: 1, Budget: 2 * time.Second}); err != nil {
		t.Fatal(err)
	}
	st, updates := m.Stats()
	if name, loss, n := m.TrainingLoss(); name != "world-model loss" || loss != st.Loss || n != updates || n == 0 {
		t.Errorf("the jepa agent reports %q %v after %d updates, want its model's %v after %d", name, loss, n, st.Loss, updates)
	}
}
