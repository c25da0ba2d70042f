package plan

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// testBounds has a symmetric and an offset component.
var testBounds = Bounds{Low: []float64{-1, 0.5}, High: []float64{1, 2}}

// quadratic scores a sequence by minus its squared distance from target, a sequence of the
// same length: the best sequence is target clipped to the bounds.
type quadratic struct{ target []float64 }

func (q quadratic) Evaluate(seqs []float64, n, _ int, returns []float64) error {
	size := len(seqs) / n
	for i := range n {
		r := 0.0
		for k, a := range seqs[i*size : (i+1)*size] {
			d := a - q.target[k]
			r -= d * d
		}
		returns[i] = r
	}
	return nil
}

// testConfig returns a configuration for testBounds that converges within one Plan call.
func testConfig(horizon int) Config {
	return Config{Bounds: testBounds, Horizon: horizon, Samples: 64, Elites: 16, Iterations: 40,
		Temperature: 0.5, Momentum: 0.3, InitStd: 1, MinStd: 0.005, Seed: 1}
}

func newPlanner(t testing.TB, name string, c Config) Planner {
	t.Helper()
	p, err := New(name, c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func plan(t testing.TB, p Planner, ev Evaluator) []float64 {
	t.Helper()
	a, err := p.Plan(ev)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestQuadraticOptimum checks that both planners find the minimum of a quadratic cost to
// within 0.01 in every component: inside the bounds, and on them when the unconstrained
// minimum lies outside.
func TestQuadraticOptimum(t *testing.T) {
	const tol = 0.01
	for _, tc := range []struct {
		name         string
		target, want []float64 // per step: the two components
	}{
		{"inside", []float64{-0.3, 1.5, 0, 1.3, 0.8, 0.9}, []float64{-0.3, 1.5, 0, 1.3, 0.8, 0.9}},
		{"outside", []float64{1.4, 0.2, -1.3, 0.7, 0.3, 2.4}, []float64{1, 0.5, -1, 0.7, 0.3, 2}},
	} {
		for _, name := range Names() {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				p := newPlanner(t, name, testConfig(3))
				first := plan(t, p, quadratic{tc.target})
				best := p.Best()
				for k, v := range best {
					if math.Abs(v-tc.want[k]) > tol {
						t.Fatalf("best sequence %.4f, want %v within %v", best, tc.want, tol)
					}
				}
				if !slices.Equal(first, best[:2]) {
					t.Errorf("Plan returned %v, want the best sequence's first action %v", first, best[:2])
				}
			})
		}
	}
}

// recorder remembers the fixed candidates of the first batch it scores and the extremes of
// every action it sees.
type recorder struct {
	quadratic
	calls        int
	mean, best   []float64
	zero         []float64
	lo, hi       []float64
	sizes, horiz int
}

func (r *recorder) Evaluate(seqs []float64, n, horizon int, returns []float64) error {
	size := len(seqs) / n
	if r.calls == 0 {
		r.mean, r.best, r.zero = slices.Clone(seqs[:size]), slices.Clone(seqs[size:2*size]), slices.Clone(seqs[2*size:3*size])
	}
	r.calls++
	r.sizes, r.horiz = size, horizon
	d := len(r.lo)
	for k, a := range seqs {
		r.lo[k%d], r.hi[k%d] = min(r.lo[k%d], a), max(r.hi[k%d], a)
	}
	return r.quadratic.Evaluate(seqs, n, horizon, returns)
}

func newRecorder(target []float64) *recorder {
	inf := math.Inf(1)
	return &recorder{quadratic: quadratic{target}, lo: []float64{inf, inf}, hi: []float64{-inf, -inf}}
}

func TestWarmStartShiftsThePlan(t *testing.T) {
	target := []float64{-0.3, 1.5, 0, 1.3, 0.4, 1.1}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			p := newPlanner(t, name, testConfig(3))
			rec := newRecorder(target)
			plan(t, p, rec)
			if want := []float64{0, 0.5, 0, 0.5, 0, 0.5}; !slices.Equal(rec.best, want) || !slices.Equal(rec.mean, want) || !slices.Equal(rec.zero, want) {
				t.Errorf("first call's fixed candidates: mean %v, best %v, zero %v; want the zero sequence %v",
					rec.mean, rec.best, rec.zero, want)
			}
			prev := slices.Clone(p.Best())
			rec = newRecorder(target)
			plan(t, p, rec)
			shifted := append(slices.Clone(prev[2:]), prev[4:]...)
			if !slices.Equal(rec.best, shifted) {
				t.Errorf("second call started from %v, want the previous best %v shifted one step: %v", rec.best, prev, shifted)
			}
			p.Reset(1)
			rec = newRecorder(target)
			plan(t, p, rec)
			if !slices.Equal(rec.best, rec.zero) || !slices.Equal(rec.mean, rec.zero) {
				t.Errorf("after Reset the plan started from mean %v, best %v; want the zero sequence %v", rec.mean, rec.best, rec.zero)
			}
		})
	}
}

func TestSamplesStayInBounds(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			c := testConfig(5)
			c.InitStd = 3 // most draws fall outside the bounds before clipping
			rec := newRecorder(make([]float64, 10))
			plan(t, newPlanner(t, name, c), rec)
			for j := range 2 {
				if rec.lo[j] != testBounds.Low[j] || rec.hi[j] != testBounds.High[j] {
					t.Errorf("component %d ranged over [%v, %v], want exactly the bounds [%v, %v]",
						j, rec.lo[j], rec.hi[j], testBounds.Low[j], testBounds.High[j])
				}
			}
			if rec.calls != c.Iterations || rec.horiz != c.Horizon || rec.sizes != 2*c.Horizon {
				t.Errorf("%d calls with horizon %d and sequences of %d; want %d, %d, %d",
					rec.calls, rec.horiz, rec.sizes, c.Iterations, c.Horizon, 2*c.Horizon)
			}
		})
	}
}

// run plans steps times against a target that moves with the step, and returns the best
// sequences in order.
func run(t *testing.T, p Planner, steps int) [][]float64 {
	t.Helper()
	var out [][]float64
	for s := range steps {
		target := []float64{math.Sin(float64(s)), 1, 0.2, 1.2, -0.4, 0.8}
		plan(t, p, quadratic{target})
		out = append(out, slices.Clone(p.Best()))
	}
	return out
}

func TestDeterminism(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			c := testConfig(3)
			c.Iterations = 3
			a := run(t, newPlanner(t, name, c), 5)
			if b := run(t, newPlanner(t, name, c), 5); !slices.EqualFunc(a, b, slices.Equal) {
				t.Fatal("two planners with the same seed planned differently")
			}
			p := newPlanner(t, name, c)
			run(t, p, 2)
			p.Reset(c.Seed)
			if again := run(t, p, 5); !slices.EqualFunc(a, again, slices.Equal) {
				t.Error("Reset with the same seed did not replay the plans")
			}
			c.Seed = 2
			if other := run(t, newPlanner(t, name, c), 5); slices.EqualFunc(a, other, slices.Equal) {
				t.Error("different seeds gave the same plans")
			}
		})
	}
}

// TestMPPIWeighsByReturn checks MPPI's weights: the best elite weighs 1, one Temperature ×
// spread below it 1/e, and all alike when the returns tie.
func TestMPPIWeighsByReturn(t *testing.T) {
	w := make([]float64, 3)
	weighExp(0.5, []float64{-2, 0, -1}, []int{1, 2, 0}, w)
	want := []float64{1, math.Exp(-1), math.Exp(-2)}
	for i := range w {
		if math.Abs(w[i]-want[i]) > 1e-12 {
			t.Errorf("weights %v, want %v", w, want)
		}
	}
	weighExp(0.5, []float64{3, 3, 3}, []int{0, 1, 2}, w)
	if !slices.Equal(w, []float64{1, 1, 1}) {
		t.Errorf("weights of tied returns %v, want all 1", w)
	}
}

func TestBadConfig(t *testing.T) {
	unbounded := Bounds{Low: []float64{-1, math.Inf(-1)}, High: []float64{1, 0}}
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"no bounds", func(c *Config) { c.Bounds = Bounds{} }, "no components"},
		{"unbounded", func(c *Config) { c.Bounds = unbounded }, "unbounded"},
		{"horizon", func(c *Config) { c.Horizon = 0 }, "horizon"},
		{"samples", func(c *Config) { c.Samples = 3 }, "samples"},
		{"no elites", func(c *Config) { c.Elites = 0 }, "elites"},
		{"too many elites", func(c *Config) { c.Elites = 65 }, "elites"},
		{"iterations", func(c *Config) { c.Iterations = 0 }, "iterations"},
		{"momentum", func(c *Config) { c.Momentum = 1 }, "momentum"},
		{"init std", func(c *Config) { c.InitStd = 0 }, "initial std"},
		{"infinite std", func(c *Config) { c.InitStd = math.Inf(1) }, "initial std"},
		{"min std", func(c *Config) { c.MinStd = 1.5 }, "min std"},
		{"NaN min std", func(c *Config) { c.MinStd = math.NaN() }, "min std"},
		{"correlation", func(c *Config) { c.Correlation = -0.1 }, "correlation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testConfig(3)
			tc.change(&c)
			for _, name := range Names() {
				if _, err := New(name, c); err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("New(%q): error %v, want one about %s", name, err, tc.want)
				}
			}
		})
	}
	for _, temp := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		c := testConfig(3)
		c.Temperature = temp
		if _, err := NewMPPI(c); err == nil || !strings.Contains(err.Error(), "temperature") {
			t.Errorf("NewMPPI with temperature %v: error %v, want one about the temperature", temp, err)
		}
	}
	if _, err := New("random", testConfig(3)); err == nil || !strings.Contains(err.Error(), "cem, mppi") {
		t.Errorf(`New("random"): error %v, want one listing the planners`, err)
	}
}

// failing is an evaluator that fails, or reports a non-finite return, on its second call.
type failing struct {
	calls int
	value float64
	err   error
}

func (f *failing) Evaluate(_ []float64, n, _ int, returns []float64) error {
	f.calls++
	for i := range n {
		returns[i] = -float64(i)
	}
	if f.calls < 2 {
		return nil
	}
	returns[n-1] = f.value
	return f.err
}

func TestEvaluatorFailures(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name string
		ev   *failing
		want string
	}{
		{"error", &failing{err: boom}, "boom"},
		{"NaN", &failing{value: math.NaN()}, "NaN"},
		{"infinity", &failing{value: math.Inf(-1)}, "-Inf"},
	} {
		for _, name := range Names() {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				*tc.ev = failing{value: tc.ev.value, err: tc.ev.err}
				p := newPlanner(t, name, testConfig(3))
				plan(t, p, quadratic{[]float64{0.5, 1, 0.5, 1, 0.5, 1}})
				if _, err := p.Plan(tc.ev); err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Plan: error %v, want %q", err, tc.want)
				}
				rec := newRecorder(make([]float64, 6))
				plan(t, p, rec)
				if !slices.Equal(rec.mean, rec.zero) || !slices.Equal(rec.best, rec.zero) {
					t.Errorf("after a failure the plan started from mean %v, best %v; want the zero sequence", rec.mean, rec.best)
				}
			})
		}
	}
}

// zeroReturns scores every candidate 0: the cheapest evaluator, to measure the planners'
// own work.
type zeroReturns struct{}

func (zeroReturns) Evaluate(_ []float64, n, _ int, returns []float64) error {
	clear(returns[:n])
	return nil
}

func TestPlanDoesNotAllocate(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			p := newPlanner(t, name, testConfig(5))
			var ev Evaluator = zeroReturns{}
			plan(t, p, ev)
			if n := testing.AllocsPerRun(20, func() { p.Plan(ev) }); n != 0 {
				t.Errorf("Plan allocated %v times per call, want 0", n)
			}
		})
	}
}

// benchConfig is sized like a planner over a learned model: TD-MPC2's samples and elites,
// a 10-step horizon and 4 iterations, one action component.
func benchConfig() Config {
	return Config{Bounds: Bounds{Low: []float64{-1}, High: []float64{1}}, Horizon: 10, Samples: 512, Elites: 64,
		Iterations: 4, Temperature: 0.5, Momentum: 0.1, InitStd: 1, MinStd: 0.05, Correlation: 0.5}
}

// BenchmarkPlan measures a Plan call's own work, without the evaluator's.
func BenchmarkPlan(b *testing.B) {
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) {
			p := newPlanner(b, name, benchConfig())
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Plan(zeroReturns{}); err != nil {
					b.Fatal(err)
				}
			}
			c := benchConfig()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.Samples*c.Iterations), "ns/candidate")
		})
	}
}

// noisy is a quadratic whose every score carries fresh Gaussian noise of standard deviation
// sigma, as a learned model's predictions carry errors.
type noisy struct {
	quadratic
	sigma float64
	rng   *rand.Rand
}

func (q noisy) Evaluate(seqs []float64, n, h int, returns []float64) error {
	q.quadratic.Evaluate(seqs, n, h, returns)
	for i := range returns[:n] {
		returns[i] += q.sigma * q.rng.NormFloat64()
	}
	return nil
}

// TestActOnMean checks that, scored with noise, acting on the final mean lands nearer the
// optimum than acting on the best candidate, whose score is the most flattered by the noise,
// and that Plan and Best then agree on the mean.
func TestActOnMean(t *testing.T) {
	target := []float64{0.4, 1.2, 0.4, 1.2}
	errorOf := func(onMean bool) float64 {
		c := testConfig(2)
		c.Iterations, c.ActOnMean = 4, onMean
		total := 0.0
		for seed := range uint64(20) {
			c.Seed = seed
			p := newPlanner(t, "mppi", c)
			a := plan(t, p, noisy{quadratic{target}, 0.5, rand.New(rand.NewPCG(seed, 9))})
			if onMean && (a[0] != p.Best()[0] || a[1] != p.Best()[1]) {
				t.Fatalf("Plan returned %v, Best starts %v", a, p.Best()[:2])
			}
			total += math.Hypot(a[0]-target[0], a[1]-target[1])
		}
		return total / 20
	}
	best, mean := errorOf(false), errorOf(true)
	t.Logf("mean distance of the first action from the optimum: best candidate %.3f, final mean %.3f", best, mean)
	if mean >= best {
		t.Errorf("acting on the mean (%.3f from the optimum) is no better than on the best candidate (%.3f)", mean, best)
	}
}

// proposer is quadratic with proposals: it proposes its target, and beside it a sequence
// outside the bounds, and records what it was asked and what it was given to evaluate.
type proposer struct {
	quadratic
	has      bool
	err      error
	asked    int
	sawFirst [][]float64 // the first candidates after the fixed ones, per Evaluate
}

func (p *proposer) Propose(seqs []float64, n, horizon int) (bool, error) {
	p.asked++
	if !p.has || p.err != nil {
		return false, p.err
	}
	size := len(seqs) / n
	for i := range n {
		for k := range size {
			seqs[i*size+k] = p.target[k]
			if i > 0 {
				seqs[i*size+k] = 100
			}
		}
	}
	return true, nil
}

func (p *proposer) Evaluate(seqs []float64, n, horizon int, returns []float64) error {
	size := len(seqs) / n
	p.sawFirst = append(p.sawFirst, slices.Clone(seqs[fixed*size:(fixed+2)*size]))
	return p.quadratic.Evaluate(seqs, n, horizon, returns)
}

// TestProposals checks that a Proposer's sequences join every iteration's candidates once
// clipped to the bounds, so that one iteration finds a target random draws miss; that an
// evaluator that proposes nothing, or a configuration without proposals, leaves every
// candidate to random draws; and that a proposer's error ends the call.
func TestProposals(t *testing.T) {
	target := []float64{0.9, 1.9, -0.8, 0.6, 0.3, 1.2}
	c := testConfig(3)
	c.Iterations, c.Proposals = 2, 2
	p := &proposer{quadratic: quadratic{target}, has: true}
	mppi := newPlanner(t, "mppi", c)
	plan(t, mppi, p)
	if p.asked != 1 || len(p.sawFirst) != 2 {
		t.Fatalf("asked for proposals %d times, evaluated %d times; want 1 and 2", p.asked, len(p.sawFirst))
	}
	clipped := []float64{1, 2, 1, 2, 1, 2}
	for it, seen := range p.sawFirst {
		if !slices.Equal(seen[:6], target) || !slices.Equal(seen[6:], clipped) {
			t.Errorf("iteration %d evaluated %v after the fixed candidates, want the proposals %v and %v", it, seen, target, clipped)
		}
	}
	if best := mppi.Best(); !slices.Equal(best, target) {
		t.Errorf("best %v, want the proposed target %v", best, target)
	}
	for _, tc := range []struct {
		name      string
		has       bool
		proposals int
		asked     int
	}{{"nothing to propose", false, 2, 1}, {"no proposals wanted", true, 0, 0}} {
		c := testConfig(3)
		c.Iterations, c.Proposals = 2, tc.proposals
		p := &proposer{quadratic: quadratic{target}, has: tc.has}
		plan(t, newPlanner(t, "mppi", c), p)
		if p.asked != tc.asked || slices.Equal(p.sawFirst[0][:6], target) {
			t.Errorf("%s: asked %d times (want %d), first candidates %v", tc.name, p.asked, tc.asked, p.sawFirst[0])
		}
	}
	bad := &proposer{quadratic: quadratic{target}, has: true, err: errors.New("no model")}
	if _, err := newPlanner(t, "cem", c).Plan(bad); err == nil || err.Error() != "no model" {
		t.Errorf("a proposer's error: Plan returned %v", err)
	}
	for _, n := range []int{-1, c.Samples - 2} {
		c.Proposals = n
		if _, err := New("mppi", c); err == nil || !strings.Contains(err.Error(), "proposals") {
			t.Errorf("%d proposals of %d samples: error %v", n, c.Samples, err)
		}
	}
}

// TestConsidered checks that a planner shows what its last iteration scored: nothing before
// it plans, then every candidate with the return the evaluator gave it.
func TestConsidered(t *testing.T) {
	c := testConfig(2)
	c.Iterations = 3
	p := newPlanner(t, "mppi", c)
	if seqs, returns := p.Considered(); seqs != nil || returns != nil {
		t.Fatal("a planner that has not planned shows candidates")
	}
	q := quadratic{[]float64{0.2, 1, -0.3, 1.5}}
	plan(t, p, q)
	seqs, returns := p.Considered()
	if len(seqs) != c.Samples*c.Horizon*2 || len(returns) != c.Samples {
		t.Fatalf("%d values of sequences and %d returns, want %d and %d", len(seqs), len(returns), c.Samples*c.Horizon*2, c.Samples)
	}
	want := make([]float64, c.Samples)
	if err := q.Evaluate(seqs, c.Samples, c.Horizon, want); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(returns, want) {
		t.Errorf("returns %v, the evaluator gives %v for the sequences shown", returns, want)
	}
}
