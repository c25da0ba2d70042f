package worldmodel

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/agent/plan"
	"github.com/foresight-sim/foresight/worldmodel/nn"
)

var (
	_ plan.Evaluator = (*Imagination)(nil)
	_ Model          = (*JEPA)(nil)
	_ Model          = (*fakeModel)(nil)
)

// fakeModel is a world model whose predictions are known exactly: the latent is the
// observation, an action moves it by itself (z' = z + a), the reward is −|z'|², and the
// readout is 10·z + 1. From Predict call nanFrom on (counting from 0; never if negative), the
// reward of row 0 is NaN. Like a real model, it returns its own storage.
type fakeModel struct {
	dims     Dims
	nanFrom  int
	predicts int
	enc      nn.Matrix[float32]
	next     nn.Matrix[float32]
	reward   []float32
	readout  nn.Matrix[float32]
}

// newFakeModel returns a fakeModel of n-d observations, actions and latents.
func newFakeModel(n int) *fakeModel {
	return &fakeModel{dims: Dims{Obs: n, Action: n, Latent: n}, nanFrom: -1}
}

func (f *fakeModel) Dims() Dims { return f.dims }

func (f *fakeModel) Encode(obs nn.Matrix[float32]) nn.Matrix[float32] {
	shape(&f.enc, obs.Rows, obs.Cols)
	copy(f.enc.Data, obs.Data[:obs.Rows*obs.Cols])
	return f.enc
}

func (f *fakeModel) Predict(z, a nn.Matrix[float32]) (nn.Matrix[float32], []float32) {
	shape(&f.next, z.Rows, z.Cols)
	f.reward = grow(f.reward, z.Rows)
	for r := range z.Rows {
		var sq float32
		for j, v := range z.Row(r) {
			f.next.Row(r)[j] = v + a.Row(r)[j]
			sq += f.next.Row(r)[j] * f.next.Row(r)[j]
		}
		f.reward[r] = -sq
	}
	if f.nanFrom >= 0 && f.predicts >= f.nanFrom {
		f.reward[0] = float32(math.NaN())
	}
	f.predicts++
	return f.next, f.reward
}

func (f *fakeModel) Readout(z nn.Matrix[float32]) nn.Matrix[float32] {
	shape(&f.readout, z.Rows, z.Cols)
	for i, v := range z.Data[:z.Rows*z.Cols] {
		f.readout.Data[i] = 10*v + 1
	}
	return f.readout
}

func (f *fakeModel) SampleShape() (int, int)        { return 1, 1 }
func (f *fakeModel) Train(*Batch) (Stats, error)    { return Stats{}, nil }
func (f *fakeModel) MarshalBinary() ([]byte, error) { return nil, nil }
func (f *fakeModel) UnmarshalBinary([]byte) error   { return nil }

// fakeReturns returns what Imagination.Evaluate should give for fakeModel: the discounted
// sums of −|x_t|² along x_{t+1} = x_t + a_t from obs, for n sequences laid out as
// plan.Evaluator documents.
func fakeReturns(obs, seqs []float64, n, horizon int, discount float64) []float64 {
	d := len(obs)
	returns := make([]float64, n)
	for i := range n {
		x := slices.Clone(obs)
		for t := range horizon {
			var sq float64
			for j := range x {
				x[j] += seqs[(i*horizon+t)*d+j]
				sq += x[j] * x[j]
			}
			returns[i] -= math.Pow(discount, float64(t)) * sq
		}
	}
	return returns
}

// halves returns n values from −2 to 2 in steps of 0.5, starting at index k, exact in
// float32 with exact sums and squares, so that fakeModel's results can be compared exactly.
func halves(n, k int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = float64((i*7+k)%9-4) / 2
	}
	return s
}

func TestImaginationEvaluate(t *testing.T) {
	for _, tc := range []struct {
		name            string
		dim, n, horizon int
		discount        float64
	}{
		{"one sequence of one step", 2, 1, 1, 0.5},
		{"several sequences", 2, 3, 4, 0.5},
		{"undiscounted", 2, 5, 3, 1},
		{"one-component actions", 1, 4, 6, 0.75},
		{"no steps", 2, 3, 0, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im := NewImagination(newFakeModel(tc.dim), tc.discount)
			obs := halves(tc.dim, 3)
			if err := im.Observe(obs); err != nil {
				t.Fatal(err)
			}
			seqs := halves(tc.n*tc.horizon*tc.dim, 1)
			want := fakeReturns(obs, seqs, tc.n, tc.horizon, tc.discount)
			// Two spare entries past n, which Evaluate must leave alone.
			returns := slices.Repeat([]float64{42}, tc.n+2)
			for range 2 { // the second time checks that nothing carried over
				if err := im.Evaluate(slices.Clone(seqs), tc.n, tc.horizon, returns); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(returns[:tc.n], want) {
					t.Errorf("Evaluate gives %v, want %v", returns[:tc.n], want)
				}
				if returns[tc.n] != 42 || returns[tc.n+1] != 42 {
					t.Errorf("Evaluate wrote past the %d returns: %v", tc.n, returns[tc.n:])
				}
			}
		})
	}
}

// TestImaginationTermination checks that with a termination model, Evaluate weighs each
// imagined step by the probability that the episode is still going, and counts the part
// that has ended as earning the reward of its last step at every later step, the critic's
// value at the horizon standing for what follows only the part still going.
func TestImaginationTermination(t *testing.T) {
	const discount, horizon = 0.9, 3
	ends := newTestTermination(t, 2, 1)
	trainTermination(t, ends, 600, 1)
	critic := newTestCritic(t, 2, criticTestConfig(discount), 1)
	// From the origin: one sequence jumps to (0.75, 0.75), where episodes end, and stays;
	// the other moves away from there.
	seqs := []float64{0.75, 0.75, 0, 0, 0, 0, -0.5, 0, -0.5, 0, 0, 0.25}
	path := [][]float32{{0.75, 0.75}, {0.75, 0.75}, {0.75, 0.75}, {-0.5, 0}, {-1, 0}, {-1, 0.25}}
	if p := ends.Prob(nn.MatrixOf(1, 2, path[0]))[0]; p < 0.9 {
		t.Fatalf("the termination model gives %v for the ending state, want > 0.9", p)
	}
	want := make([]float64, 2)
	for i := range 2 {
		alive, absorbed := 1.0, 0.0
		for k := range horizon {
			z := path[i*horizon+k]
			r := -float64(z[0]*z[0] + z[1]*z[1])
			want[i] += math.Pow(discount, float64(k)) * (alive*r + absorbed)
			p := alive * float64(ends.Prob(nn.MatrixOf(1, 2, z))[0])
			absorbed += p * r
			alive -= p
		}
		v := float64(critic.Value(nn.MatrixOf(1, 2, path[i*horizon+horizon-1]))[0])
		want[i] += math.Pow(discount, horizon) * (alive*v + absorbed/(1-discount))
	}
	im := NewImagination(newFakeModel(2), discount)
	im.SetCritic(critic)
	im.SetTermination(ends)
	if err := im.Observe([]float64{0, 0}); err != nil {
		t.Fatal(err)
	}
	got := make([]float64, 2)
	if err := im.Evaluate(seqs, 2, horizon, got); err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-6*math.Abs(want[i]) { // float32 networks, batched or not
			t.Errorf("sequence %d: return %v, want %v", i, got[i], want[i])
		}
	}
	// The ending sequence is worth about its reward forever, as if absorbed at once.
	if forever := -1.125 / (1 - discount); math.Abs(got[0]-forever) > 0.1*math.Abs(forever) {
		t.Errorf("the sequence that ends returns %v, want about %v", got[0], forever)
	}
}

func TestImaginationObserve(t *testing.T) {
	im := NewImagination(newFakeModel(2), 0.5)
	seqs := []float64{1, 0, 0.5, -1} // one sequence of two steps
	returns := make([]float64, 1)
	evaluate := func() float64 {
		t.Helper()
		if err := im.Evaluate(seqs, 1, 2, returns); err != nil {
			t.Fatal(err)
		}
		return returns[0]
	}
	for _, obs := range [][]float64{{0, 0}, {1.5, -2}} {
		if err := im.Observe(obs); err != nil {
			t.Fatal(err)
		}
		if got, want := evaluate(), fakeReturns(obs, seqs, 1, 2, 0.5)[0]; got != want {
			t.Errorf("after Observe(%v), the return is %v, want %v", obs, got, want)
		}
	}
	before := evaluate()
	for _, obs := range [][]float64{nil, {1}, {1, 2, 3}} {
		err := im.Observe(obs)
		if err == nil || !strings.Contains(err.Error(), "want 2") {
			t.Errorf("Observe(%v): %v, want an error about the size", obs, err)
		}
	}
	if after := evaluate(); after != before {
		t.Errorf("a refused observation changed the start: return %v, %v before", after, before)
	}
}

func TestImaginationImagine(t *testing.T) {
	im := NewImagination(newFakeModel(2), 0.9)
	obs := []float64{0.5, -1}
	if err := im.Observe(obs); err != nil {
		t.Fatal(err)
	}
	for _, horizon := range []int{3, 1, 5} {
		seq := halves(2*horizon, horizon)
		got, err := im.Imagine(seq, horizon)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != horizon {
			t.Fatalf("Imagine of %d steps returns %d", horizon, len(got))
		}
		x := slices.Clone(obs)
		for step := range horizon {
			want := make([]float64, 2)
			for j := range x {
				x[j] += seq[step*2+j]
				want[j] = 10*x[j] + 1
			}
			if !slices.Equal(got[step], want) {
				t.Errorf("horizon %d, step %d: Imagine gives %v, want the readout %v", horizon, step, got[step], want)
			}
		}
	}
	if _, err := im.Imagine(make([]float64, 5), 3); err == nil {
		t.Error("Imagine of 5 action values for 3 steps of 2-d actions succeeded, want an error")
	}
}

// TestImaginationRejects checks that Evaluate refuses mismatched sequences, a model that
// predicts NaN and a call before any observation, and that NewImagination refuses
// discounts outside (0, 1].
func TestImaginationRejects(t *testing.T) {
	for _, tc := range []struct {
		name       string
		n, horizon int
		values     int
		nanFrom    int
		want       string
	}{
		{"too few action values", 3, 2, 11, -1, "action values"},
		{"too many action values", 3, 2, 13, -1, "action values"},
		{"more sequences than given", 4, 2, 12, -1, "action values"},
		{"NaN at the first step", 3, 2, 12, 0, "not finite"},
		{"NaN at the last step", 3, 4, 24, 3, "not finite"},
		{"no observation yet", 3, 2, 12, -1, "before any observation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeModel(2)
			f.nanFrom = tc.nanFrom
			im := NewImagination(f, 0.5)
			if tc.name != "no observation yet" {
				if err := im.Observe([]float64{1, 1}); err != nil {
					t.Fatal(err)
				}
			}
			returns := make([]float64, tc.n)
			err := im.Evaluate(make([]float64, tc.values), tc.n, tc.horizon, returns)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Evaluate: %v, want an error about %q", err, tc.want)
			}
		})
	}
	for _, discount := range []float64{0, -0.5, 1.5, math.NaN(), math.Inf(1)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewImagination with discount %v did not panic", discount)
				}
			}()
			NewImagination(newFakeModel(1), discount)
		}()
	}
}

func TestImaginationAllocatesNothing(t *testing.T) {
	im := NewImagination(newFakeModel(2), 0.5)
	obs := []float64{1, -1}
	seqs := halves(16*5*2, 0)
	returns := make([]float64, 16)
	for _, tc := range []struct {
		name string
		call func()
	}{
		{"Observe", func() { im.Observe(obs) }},
		{"Evaluate", func() { im.Evaluate(seqs, 16, 5, returns) }},
		{"Imagine", func() { im.Imagine(seqs[:10], 5) }},
	} {
		if allocs := testing.AllocsPerRun(20, tc.call); allocs != 0 {
			t.Errorf("%s allocates %v times per call, want 0", tc.name, allocs)
		}
	}
}

// TestImaginationPlansWithJEPA runs the MPPI planner on a JEPA trained on the rotation
// system, from a state where pushing with a = −1 brings the state nearest the origin, where
// the reward is highest, and checks the plan against the true system.
func TestImaginationPlansWithJEPA(t *testing.T) {
	m := newTestJEPA(t, 21)
	trainJEPA(t, m, 300, 21)
	const horizon, discount = 3, 0.9
	p, err := plan.NewMPPI(plan.Config{Bounds: plan.Bounds{Low: []float64{-1}, High: []float64{1}}, Horizon: horizon, Samples: 64,
		Elites: 8, Iterations: 6, Temperature: 0.5, InitStd: 0.5, MinStd: 0.05, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	im := NewImagination(m, discount)
	x := [2]float64{1, 0}
	if err := im.Observe(x[:]); err != nil {
		t.Fatal(err)
	}
	first, err := p.Plan(im)
	if err != nil {
		t.Fatal(err)
	}
	best := slices.Clone(p.Best())
	trueReturn := func(seq []float64) float64 {
		x, total := x, 0.0
		for t, a := range seq {
			var r float64
			x, r = rotate(x, a)
			total += math.Pow(discount, float64(t)) * r
		}
		return total
	}
	imagined := make([]float64, 2)
	zero := make([]float64, horizon)
	if err := im.Evaluate(slices.Concat(best, zero), 2, horizon, imagined); err != nil {
		t.Fatal(err)
	}
	t.Logf("plan %.3f: imagined return %.4f, true %.4f; zero actions: imagined %.4f, true %.4f",
		best, imagined[0], trueReturn(best), imagined[1], trueReturn(zero))
	if len(first) != 1 || !(first[0] >= -1 && first[0] <= 1) {
		t.Fatalf("first action %v, want one component in [−1, 1]", first)
	}
	if first[0] > -0.5 {
		t.Errorf("first action %.3f, want a strong push below −0.5 towards the origin", first[0])
	}
	if trueReturn(best) <= trueReturn(zero) {
		t.Errorf("the plan's true return %.4f is no better than doing nothing, %.4f", trueReturn(best), trueReturn(zero))
	}
}

// halfBack is a Policy that moves a latent half-way back to the origin, more for later rows:
// row i proposes −z·(i+1)/(n+1).
type halfBack struct{}

func (halfBack) Propose(z, a nn.Matrix[float32]) {
	for i := range z.Rows {
		for j, v := range z.Row(i) {
			a.Row(i)[j] = -v * float32(i+1) / float32(z.Rows+1)
		}
	}
}

// TestImaginationPropose checks that Propose rolls the policy out in the model from the
// current latent, each row on its own path, and proposes nothing without a policy or an
// observation.
func TestImaginationPropose(t *testing.T) {
	im := NewImagination(newFakeModel(2), 0.9)
	seqs := make([]float64, 3*2*2)
	if ok, err := im.Propose(seqs, 3, 2); ok || err != nil {
		t.Fatalf("without a policy: proposed %v, error %v", ok, err)
	}
	im.SetPolicy(halfBack{})
	if ok, err := im.Propose(seqs, 3, 2); ok || err != nil {
		t.Fatalf("before an observation: proposed %v, error %v", ok, err)
	}
	if err := im.Observe([]float64{1, -2}); err != nil {
		t.Fatal(err)
	}
	if ok, err := im.Propose(seqs, 3, 2); !ok || err != nil {
		t.Fatalf("proposed %v, error %v", ok, err)
	}
	for i := range 3 {
		f := float64(i+1) / 4
		z := []float64{1, -2}
		for step := range 2 {
			for j := range z {
				want := -z[j] * f
				if got := seqs[(i*2+step)*2+j]; math.Abs(got-want) > 1e-6 {
					t.Fatalf("row %d step %d component %d: proposed %v, want %v", i, step, j, got, want)
				}
				z[j] += want
			}
		}
	}
	if _, err := im.Propose(seqs[:5], 3, 2); err == nil {
		t.Error("a buffer of the wrong size was accepted")
	}
}
