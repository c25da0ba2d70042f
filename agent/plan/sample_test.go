package plan

import (
	"math"
	"slices"
	"testing"
)

// TestSampleDistribution checks the draws around the mean against their definition: each
// component centred on the mean with standard deviation InitStd × its half-range, and the
// noise of consecutive steps an AR(1) process with the configured correlation, independent
// across components. Bounds far wider than the draws keep clipping out of the way.
func TestSampleDistribution(t *testing.T) {
	const samples, rho, initStd = 4000, 0.6, 0.1
	c := Config{Bounds: Bounds{Low: []float64{-1, -6}, High: []float64{3, 2}}, Horizon: 3,
		Samples: samples, Elites: 4, Iterations: 1, Momentum: 0, InitStd: initStd, MinStd: 0,
		Correlation: rho, Seed: 5}
	s, err := newSearch(c, weighEqually)
	if err != nil {
		t.Fatal(err)
	}
	s.start()
	s.sample()
	// The mean is the zero sequence; the half-ranges are 2 and 4.
	draws := func(k int) []float64 {
		v := make([]float64, 0, samples-fixed)
		for i := fixed; i < samples; i++ {
			v = append(v, s.candidate(i)[k])
		}
		return v
	}
	n := float64(samples - fixed)
	for k := range c.Horizon * 2 {
		x := draws(k)
		mean, sd := meanStd(x)
		wantSD := initStd * []float64{2, 4}[k%2]
		// Standard errors: sd/√n for the mean, about sd/√(2n) for the deviation.
		if !(math.Abs(mean) <= 5*wantSD/math.Sqrt(n)) || !(math.Abs(sd/wantSD-1) <= 5/math.Sqrt(2*n)) {
			t.Errorf("step %d component %d: mean %.4f, sd %.4f; want 0, %.4f", k/2, k%2, mean, sd, wantSD)
		}
	}
	// The correlation's standard error is about (1 − ρ²)/√n, or 1/√n at ρ = 0.
	for _, p := range []struct {
		a, b int
		want float64
	}{{0, 2, rho}, {2, 4, rho}, {1, 3, rho}, {0, 4, rho * rho}, {0, 1, 0}, {2, 5, 0}} {
		if got := correlation(draws(p.a), draws(p.b)); !(math.Abs(got-p.want) <= 5/math.Sqrt(n)) {
			t.Errorf("correlation of draws %d and %d = %.3f, want %.3f", p.a, p.b, got, p.want)
		}
	}
}

// meanStd returns the mean and the standard deviation of x.
func meanStd(x []float64) (mean, sd float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(x)))
}

// correlation returns Pearson's correlation of x and y.
func correlation(x, y []float64) float64 {
	mx, sx := meanStd(x)
	my, sy := meanStd(y)
	cov := 0.0
	for i := range x {
		cov += (x[i] - mx) * (y[i] - my)
	}
	return cov / float64(len(x)) / (sx * sy)
}

// constant scores every candidate alike and keeps the batch of its latest call.
type constant struct {
	r    float64
	seqs []float64
}

func (c *constant) Evaluate(seqs []float64, n, _ int, returns []float64) error {
	c.seqs = slices.Clone(seqs)
	for i := range returns[:n] {
		returns[i] = c.r
	}
	return nil
}

// TestRefitFloorAndTies checks the refit's floor and the best candidate's bookkeeping on
// ties: elites that agree exactly leave the deviation at MinStd × the half-range; a later
// candidate that only equals the best return does not replace the best; and a new Plan
// call's first iteration takes its own best even when an earlier call scored higher.
func TestRefitFloorAndTies(t *testing.T) {
	c := Config{Bounds: testBounds, Horizon: 3, Samples: 8, Elites: 3, Iterations: 1,
		InitStd: 0.5, MinStd: 0.1, Seed: 2}
	s, err := newSearch(c, weighEqually)
	if err != nil {
		t.Fatal(err)
	}
	// Ranked by index on a tie, the elites are the mean, the best and the zero sequence:
	// all the zero sequence before the first call.
	if _, err := s.Plan(&constant{r: 1}); err != nil {
		t.Fatal(err)
	}
	for k, sd := range s.std {
		if want := 0.1 * []float64{1, 0.75}[k%2]; sd != want {
			t.Fatalf("std[%d] = %v after refitting to identical elites, want MinStd × half-range = %v", k, sd, want)
		}
	}
	// Four elites take in a random draw, so the mean moves off the best; equal returns
	// must leave the best where the first iteration put it.
	c.Elites, c.Iterations = 4, 3
	if s, err = newSearch(c, weighEqually); err != nil {
		t.Fatal(err)
	}
	high := &constant{r: 10}
	if _, err := s.Plan(high); err != nil {
		t.Fatal(err)
	}
	if got := s.Best(); !slices.Equal(got, s.zero) {
		t.Errorf("best after equal returns = %v, want the first iteration's top, the zero sequence %v", got, s.zero)
	}
	low := &constant{r: 0}
	c.Iterations = 1
	s.c.Iterations = 1
	if _, err := s.Plan(low); err != nil {
		t.Fatal(err)
	}
	if got, want := s.Best(), low.seqs[:s.size]; !slices.Equal(got, want) {
		t.Errorf("best of a second call scoring lower than the first = %v, want its own top candidate %v", got, want)
	}
}
