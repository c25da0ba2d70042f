package worldmodel

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// criticTestConfig is a small critic that learns the values of a chain of a few states in a
// few thousand steps, well under a second.
func criticTestConfig(discount float64) CriticConfig {
	opt := nn.DefaultAdamW(3e-3)
	opt.WeightDecay, opt.MaxGradNorm = 0, 20
	return CriticConfig{Hidden: []int{32, 32}, Discount: discount, Batch: 32, TargetRate: 0.05, Optimiser: opt}
}

// newTestCritic returns a critic of c for latents of size latent.
func newTestCritic(t testing.TB, latent int, c CriticConfig, seed uint64) *Critic {
	t.Helper()
	critic, err := NewCritic(latent, c, seed)
	if err != nil {
		t.Fatal(err)
	}
	return critic
}

// chainStep is the one transition from state from of a deterministic Markov chain whose
// states are observed one-hot: to the state to, with the given reward, ending the episode if
// terminated.
type chainStep struct {
	from, to   int
	reward     float32
	terminated bool
}

// chainValues returns the exact discounted values of the n states of a chain of steps, one
// from each state: V(s) = r + γ·V(s′), or r/(1 − γ) for a step that terminates, by value
// iteration run until it no longer changes.
func chainValues(steps []chainStep, n int, discount float64) []float64 {
	v := make([]float64, n)
	for range 100000 {
		next := make([]float64, n)
		for _, s := range steps {
			if s.terminated {
				next[s.from] = float64(s.reward) / (1 - discount)
			} else {
				next[s.from] = float64(s.reward) + discount*v[s.to]
			}
		}
		if slices.Equal(next, v) {
			break
		}
		v = next
	}
	return v
}

// chainBatch fills b with batch one-step sequences of the chain's steps, drawn uniformly by
// rng, with one-hot observations of n states and zero actions of size n, fakeModel's shape.
func chainBatch(rng *rand.Rand, b *Batch, steps []chainStep, n, batch int) {
	b.Resize(batch, 1, n, n)
	clear(b.Obs)
	clear(b.Action)
	for i := range batch {
		s := steps[rng.IntN(len(steps))]
		b.ObsAt(i, 0)[s.from], b.ObsAt(i, 1)[s.to] = 1, 1
		b.Reward[i], b.Terminated[i] = s.reward, s.terminated
	}
}

// trainCritic trains c for steps steps on batches of the chain of n states, drawn from seed,
// and returns the loss of the last step.
func trainCritic(t testing.TB, c *Critic, model Model, steps []chainStep, n, count int, seed uint64) float64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 2))
	var b Batch
	var loss float64
	for i := range count {
		chainBatch(rng, &b, steps, n, c.Batch())
		var err error
		if loss, err = c.Train(model, &b); err != nil {
			t.Fatalf("training step %d: %v", i, err)
		}
	}
	return loss
}

// identity returns the n×n identity matrix: the one-hot latents of n states, one per row.
func identity(n int) nn.Matrix[float32] {
	m := nn.NewMatrix[float32](n, n)
	for i := range n {
		m.Row(i)[i] = 1
	}
	return m
}

// valueRange returns the largest value less the smallest.
func valueRange(v []float64) float64 { return slices.Max(v) - slices.Min(v) }

// ring returns the chain of n states in a ring, s → s+1 mod n, with the given rewards.
func ring(rewards ...float32) []chainStep {
	steps := make([]chainStep, len(rewards))
	for s, r := range rewards {
		steps[s] = chainStep{from: s, to: (s + 1) % len(rewards), reward: r}
	}
	return steps
}

// TestCriticLearnsChainValues trains critics by temporal differences on deterministic chains
// whose discounted values are known exactly, from latents that are the one-hot observations
// themselves, and checks the learned value of every state to within 5% of the range of the
// values (of their magnitude where they are all equal).
func TestCriticLearnsChainValues(t *testing.T) {
	for _, members := range []struct{ n, min int }{{1, 1}, {3, 2}} {
		name := "one network"
		if members.n > 1 {
			name = fmt.Sprintf("%d members, minimum of %d", members.n, members.min)
		}
		t.Run(name, func(t *testing.T) { testCriticLearnsChainValues(t, members.n, members.min) })
	}
}

// testCriticLearnsChainValues is TestCriticLearnsChainValues for a critic of the given
// members whose target takes the minimum of targetMin.
func testCriticLearnsChainValues(t *testing.T, members, targetMin int) {
	for _, tc := range []struct {
		name     string
		states   int
		discount float64
		steps    []chainStep
		train    int
	}{
		{"ring", 5, 0.9, ring(1, 0, -0.5, 0, 0.25), 3000},
		{"ring of constant reward", 4, 0.8, ring(0.5, 0.5, 0.5, 0.5), 2000},
		{"line into a terminal state", 5, 0.8, []chainStep{
			{0, 1, 0, false}, {1, 2, -1, false}, {2, 3, 0, false}, {3, 4, 0, false},
			{4, 0, 0.5, true}, // the next observation, state 0, must not count
		}, 2000},
		{"line into a rewarding loop", 4, 0.75, []chainStep{
			{0, 1, -1, false}, {1, 2, 0, false}, {2, 3, 0, false}, {3, 3, 1, false},
		}, 3000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := chainValues(tc.steps, tc.states, tc.discount)
			cfg := criticTestConfig(tc.discount)
			cfg.Members, cfg.TargetMin = members, targetMin
			c := newTestCritic(t, tc.states, cfg, 1)
			model := newFakeModel(tc.states)
			loss := trainCritic(t, c, model, tc.steps, tc.states, tc.train, 1)
			got := c.Value(identity(tc.states))
			tol := 0.05 * valueRange(want)
			if tol == 0 {
				tol = 0.05 * math.Abs(want[0])
			}
			var worst float64
			for s := range tc.states {
				worst = max(worst, math.Abs(float64(got[s])-want[s]))
			}
			t.Logf("after %d steps (last loss %.2g): values %.4f, want %.4f; worst error %.4f, tolerance %.4f",
				tc.train, loss, got, want, worst, tol)
			if worst > tol {
				t.Errorf("the learned values %.4f are off the true %.4f by up to %.4f, want at most %.4f",
					got, want, worst, tol)
			}
		})
	}
}

// TestCriticTerminalIsAbsorbing checks that a transition that ends the episode with reward r
// trains the value of its state towards r/(1 − γ), as though the reward came forever, and
// not towards r + γ·V(next), by making the next observation a state of value 0.
func TestCriticTerminalIsAbsorbing(t *testing.T) {
	for _, tc := range []struct {
		reward   float32
		discount float64
	}{
		{1, 0.9},
		{-0.5, 0.8},
		{0.25, 0.95},
	} {
		// State 0 terminates towards state 1, which loops with no reward.
		steps := []chainStep{{0, 1, tc.reward, true}, {1, 1, 0, false}}
		c := newTestCritic(t, 2, criticTestConfig(tc.discount), 2)
		trainCritic(t, c, newFakeModel(2), steps, 2, 1500, 2)
		got := c.Value(identity(2))
		absorbing := float64(tc.reward) / (1 - tc.discount)
		tol := 0.05 * math.Abs(absorbing)
		t.Logf("reward %v, discount %v: V(terminal) = %.4f, V(next) = %.4f; want %.4f and 0 (not absorbing: %v)",
			tc.reward, tc.discount, got[0], got[1], absorbing, tc.reward)
		if math.Abs(float64(got[0])-absorbing) > tol {
			t.Errorf("reward %v, discount %v: the terminal state's value is %.4f, want r/(1 − γ) = %.4f ± %.4f",
				tc.reward, tc.discount, got[0], absorbing, tol)
		}
		if math.Abs(float64(got[1])) > tol {
			t.Errorf("reward %v, discount %v: the state after it is worth %.4f, want 0 ± %.4f",
				tc.reward, tc.discount, got[1], tol)
		}
	}
}

// TestNewCritic checks NewCritic's accessors and that it refuses an invalid configuration.
func TestNewCritic(t *testing.T) {
	c := newTestCritic(t, 3, criticTestConfig(0.9), 0)
	if c.Discount() != 0.9 || c.Batch() != 32 {
		t.Errorf("Discount() = %v, Batch() = %d, want 0.9 and 32", c.Discount(), c.Batch())
	}
	if got := c.Value(identity(3)); len(got) != 3 || !finite(float64(got[0]), float64(got[1]), float64(got[2])) {
		t.Errorf("an untrained critic values three latents as %v, want three finite values", got)
	}
	for _, tc := range []struct {
		name   string
		latent int
		edit   func(*CriticConfig)
		want   string
	}{
		{"discount 0", 3, func(c *CriticConfig) { c.Discount = 0 }, "discount"},
		{"discount 1", 3, func(c *CriticConfig) { c.Discount = 1 }, "discount"},
		{"negative discount", 3, func(c *CriticConfig) { c.Discount = -0.5 }, "discount"},
		{"NaN discount", 3, func(c *CriticConfig) { c.Discount = math.NaN() }, "discount"},
		{"batch 0", 3, func(c *CriticConfig) { c.Batch = 0 }, "batch"},
		{"negative batch", 3, func(c *CriticConfig) { c.Batch = -1 }, "batch"},
		{"target rate 0", 3, func(c *CriticConfig) { c.TargetRate = 0 }, "target rate"},
		{"target rate above 1", 3, func(c *CriticConfig) { c.TargetRate = 1.5 }, "target rate"},
		{"NaN target rate", 3, func(c *CriticConfig) { c.TargetRate = math.NaN() }, "target rate"},
		{"hidden width 0", 3, func(c *CriticConfig) { c.Hidden = []int{32, 0} }, "size"},
		{"negative hidden width", 3, func(c *CriticConfig) { c.Hidden = []int{-4} }, "size"},
		{"latent size 0", 0, func(*CriticConfig) {}, "size"},
		{"learning rate 0", 3, func(c *CriticConfig) { c.Optimiser.LR = 0 }, "LR"},
		{"negative members", 3, func(c *CriticConfig) { c.Members = -1 }, "members"},
		{"too many members", 3, func(c *CriticConfig) { c.Members = MaxCriticMembers + 1 }, "members"},
		{"minimum of more than the members", 3, func(c *CriticConfig) { c.Members, c.TargetMin = 2, 3 }, "minimum"},
		{"minimum of two of one", 3, func(c *CriticConfig) { c.TargetMin = 2 }, "minimum"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := criticTestConfig(0.9)
			tc.edit(&cfg)
			c, err := NewCritic(tc.latent, cfg, 0)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewCritic: %v, %v, want an error about %q", c, err, tc.want)
			}
		})
	}
	// A target rate of 1 (the target is the network itself) and no hidden layers are valid.
	cfg := criticTestConfig(0.5)
	cfg.TargetRate, cfg.Hidden = 1, nil
	if _, err := NewCritic(3, cfg, 0); err != nil {
		t.Errorf("NewCritic with target rate 1 and no hidden layers: %v", err)
	}
}

// TestCriticEnsemble checks how a critic of several members values and learns: Value is the
// mean of the members' values, and a training step's target is the minimum of TargetMin
// members' target values, from the member the step count picks on, rotating.
func TestCriticEnsemble(t *testing.T) {
	cfg := criticTestConfig(0.9)
	cfg.Members, cfg.TargetMin = 3, 2
	c := newTestCritic(t, 4, cfg, 5)
	z := identity(4)
	var mean [4]float64
	for _, v := range c.v {
		for i, x := range v.Infer(z).Data {
			mean[i] += float64(x) / 3
		}
	}
	for i, got := range c.Value(z) {
		if math.Abs(float64(got)-mean[i]) > 1e-6 {
			t.Fatalf("Value %v, want the members' mean %v", c.Value(z), mean)
		}
	}
	if slices.Equal(c.v[0].Params(), c.v[1].Params()) {
		t.Fatal("two members start with the same parameters")
	}
	for step := range 4 {
		copy(c.next.Data, z.Data)
		first := step % 3
		a := slices.Clone(c.target[first].Infer(c.next).Data)
		b := c.target[(first+1)%3].Infer(c.next).Data
		got := c.targetValues()
		for i := range got {
			if want := min(a[i], b[i]); got[i] != want {
				t.Fatalf("step %d: target values %v, want the minimum of members %d and %d: %v and %v", step, got, first, (first+1)%3, a, b)
			}
		}
		trainCritic(t, c, newFakeModel(4), ring(1, 0, -1, 0.5), 4, 1, uint64(step))
	}
}

// TestCriticTrainRejects checks that Train refuses a batch of the wrong shape for the
// critic or the model, and reports a non-finite loss, leaving the critic as it was.
func TestCriticTrainRejects(t *testing.T) {
	steps := ring(1, 0, 0)
	for _, tc := range []struct {
		name    string
		batch   func(b *Batch)
		wantErr error
	}{
		{"too few sequences", func(b *Batch) { b.Resize(31, 1, 3, 3) }, nil},
		{"too many sequences", func(b *Batch) { b.Resize(33, 1, 3, 3) }, nil},
		{"two steps", func(b *Batch) { b.Resize(32, 2, 3, 3) }, nil},
		{"no steps", func(b *Batch) { b.Resize(32, 0, 3, 3) }, nil},
		{"wrong observation size", func(b *Batch) { b.Resize(32, 1, 4, 3) }, nil},
		{"wrong action size", func(b *Batch) { b.Resize(32, 1, 3, 1) }, nil},
		{"infinite reward", func(b *Batch) {
			chainBatch(rand.New(rand.NewPCG(3, 3)), b, steps, 3, 32)
			b.Reward[4] = float32(math.Inf(1))
		}, ErrNotFinite},
		{"NaN observation", func(b *Batch) {
			chainBatch(rand.New(rand.NewPCG(3, 3)), b, steps, 3, 32)
			b.Obs[2] = float32(math.NaN())
		}, ErrNotFinite},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCritic(t, 3, criticTestConfig(0.9), 3)
			trainCritic(t, c, newFakeModel(3), steps, 3, 2, 3)
			before, _ := c.MarshalBinary()
			var b Batch
			tc.batch(&b)
			_, err := c.Train(newFakeModel(3), &b)
			if err == nil || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
				t.Fatalf("Train: %v, want an error (%v)", err, tc.wantErr)
			}
			if after, _ := c.MarshalBinary(); !bytes.Equal(after, before) {
				t.Error("a failed Train changed the critic")
			}
		})
	}
}

// TestCriticUnmarshalRejects checks that UnmarshalBinary refuses what is not the state of a
// critic of the same configuration and leaves the critic as it was.
func TestCriticUnmarshalRejects(t *testing.T) {
	steps := ring(1, 0, -1)
	p := newTestCritic(t, 3, criticTestConfig(0.9), 6)
	trainCritic(t, p, newFakeModel(3), steps, 3, 2, 6)
	good, _ := p.MarshalBinary()
	parts, err := unmarshalParts(criticKind, good, 1)
	if err != nil {
		t.Fatal(err)
	}
	otherState := func(latent int, edit func(*CriticConfig)) []byte {
		cfg := criticTestConfig(0.9)
		edit(&cfg)
		data, _ := newTestCritic(t, latent, cfg, 6).MarshalBinary()
		return data
	}
	jepaState, _ := newTestJEPA(t, 6).MarshalBinary()
	corrupt := slices.Clone(good)
	corrupt[len(corrupt)-40] ^= 1 // inside the checkpoint
	checkUnmarshalRejects(t, good, func(t *testing.T) stateful {
		q := newTestCritic(t, 3, criticTestConfig(0.9), 16)
		trainCritic(t, q, newFakeModel(3), steps, 3, 2, 16)
		return q
	},
		rejectCase{"JEPA state", jepaState, "jepa"},
		rejectCase{"bare checkpoint", parts[0], "not a Foresight state"},
		rejectCase{"two parts", marshalParts(criticKind, parts[0], parts[0]), "parts"},
		rejectCase{"other hidden layers", otherState(3, func(c *CriticConfig) { c.Hidden = []int{16} }), "match"},
		rejectCase{"other latent size", otherState(4, func(*CriticConfig) {}), "match"},
		rejectCase{"corrupt", corrupt, "corrupt"},
	)
}

// TestCriticSteadyStateAllocatesNothing checks that training and valuing allocate nothing
// once the critic's buffers have seen their batches, nor does an Imagination that adds the
// critic's values.
func TestCriticSteadyStateAllocatesNothing(t *testing.T) {
	model := newFakeModel(3)
	c := newTestCritic(t, 3, criticTestConfig(0.9), 7)
	var b Batch
	chainBatch(rand.New(rand.NewPCG(7, 7)), &b, ring(1, 0, -1), 3, c.Batch())
	latents := nn.NewMatrix[float32](50, 3)
	for i := range latents.Data {
		latents.Data[i] = float32(i%7) / 7
	}
	im := NewImagination(model, 0.9)
	im.SetCritic(c)
	if err := im.Observe([]float64{0.5, -1, 0}); err != nil {
		t.Fatal(err)
	}
	seqs := halves(16*4*3, 2)
	returns := make([]float64, 16)
	for _, tc := range []struct {
		name string
		call func()
	}{
		{"Train", func() { c.Train(model, &b) }},
		{"Value", func() { c.Value(latents) }},
		{"Evaluate with a critic", func() { im.Evaluate(seqs, 16, 4, returns) }},
	} {
		if allocs := testing.AllocsPerRun(20, tc.call); allocs != 0 {
			t.Errorf("%s allocates %v times per call, want 0", tc.name, allocs)
		}
	}
}

// TestImaginationWithCritic checks that an Imagination with a critic adds to the discounted
// imagined rewards discount^horizon times the critic's value of the latent each sequence
// ends in, and that SetCritic(nil) takes the term away.
func TestImaginationWithCritic(t *testing.T) {
	const dim = 2
	c := newTestCritic(t, dim, criticTestConfig(0.9), 8)
	// Some training, so that the values are not those of a fresh network.
	trainCritic(t, c, newFakeModel(dim), ring(1, -1), dim, 20, 8)
	for _, tc := range []struct {
		name       string
		n, horizon int
		discount   float64
	}{
		{"one sequence of one step", 1, 1, 0.9},
		{"several sequences", 5, 4, 0.8},
		{"undiscounted", 3, 3, 1},
		{"no steps: the value of the start", 4, 0, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im := NewImagination(newFakeModel(dim), tc.discount)
			obs := halves(dim, 5)
			if err := im.Observe(obs); err != nil {
				t.Fatal(err)
			}
			seqs := halves(tc.n*tc.horizon*dim, 2)
			rewards := fakeReturns(obs, seqs, tc.n, tc.horizon, tc.discount)
			// The latents the sequences end in, exact in float32 for fakeModel.
			final := nn.NewMatrix[float32](tc.n, dim)
			for i := range tc.n {
				for j := range dim {
					x := obs[j]
					for step := range tc.horizon {
						x += seqs[(i*tc.horizon+step)*dim+j]
					}
					final.Row(i)[j] = float32(x)
				}
			}
			values := slices.Clone(c.Value(final))
			weight := math.Pow(tc.discount, float64(tc.horizon))
			want := make([]float64, tc.n)
			for i := range want {
				want[i] = rewards[i] + weight*float64(values[i])
			}
			returns := slices.Repeat([]float64{42}, tc.n+1)
			im.SetCritic(c)
			for range 2 { // the second time checks that nothing carried over
				if err := im.Evaluate(slices.Clone(seqs), tc.n, tc.horizon, returns); err != nil {
					t.Fatal(err)
				}
				for i := range tc.n {
					if math.Abs(returns[i]-want[i]) > 1e-9*max(1, math.Abs(want[i])) {
						t.Errorf("sequence %d: return %v, want the rewards %v plus %v × the value %v = %v",
							i, returns[i], rewards[i], weight, values[i], want[i])
					}
					if values[i] == 0 {
						t.Errorf("sequence %d ends in a latent of value 0: the test would prove nothing", i)
					}
				}
				if returns[tc.n] != 42 {
					t.Errorf("Evaluate wrote past the %d returns: %v", tc.n, returns[tc.n:])
				}
			}
			im.SetCritic(nil)
			if err := im.Evaluate(slices.Clone(seqs), tc.n, tc.horizon, returns); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(returns[:tc.n], rewards) {
				t.Errorf("without the critic, Evaluate gives %v, want the rewards alone, %v", returns[:tc.n], rewards)
			}
		})
	}
}
