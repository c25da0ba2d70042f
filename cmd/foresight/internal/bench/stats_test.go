package bench

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMedianIQM(t *testing.T) {
	cases := []struct {
		name        string
		xs          []float64
		median, iqm float64
	}{
		{"one", []float64{7}, 7, 7},
		{"two", []float64{3, 1}, 2, 2},
		{"three", []float64{5, 1, 3}, 3, 3},
		{"four", []float64{4, 1, 3, 100}, 3.5, 3.5},                  // drops 1 and 100
		{"five", []float64{10, 1, 2, 3, 4}, 3, 3},                    // drops 1 and 10
		{"six", []float64{6, 5, 4, 3, 2, 100}, 4.5, 4.5},             // drops 2 and 100
		{"seven", []float64{1, 2, 3, 4, 5, 6, 70}, 4, 4},             // drops 1 and 70
		{"eight", []float64{1, 2, 3, 4, 5, 6, 7, 80}, 4.5, 4.5},      // drops 1, 2, 7, 80
		{"ten", []float64{0, 0, 1, 2, 3, 4, 5, 6, 90, 90}, 3.5, 3.5}, // drops 0, 0, 90, 90
		{"skewed", []float64{1, 1, 1, 1, 2, 10, 50, 1000}, 1.5, (1 + 1 + 2 + 10) / 4.0},
		{"ties", []float64{2, 2, 2, 2, 2}, 2, 2},
		{"ties at the cut", []float64{5, 1, 9, 5, 1, 5, 1, 5}, 5, (1 + 5 + 5 + 5) / 4.0}, // 1 1 [1 5 5 5] 5 9
		{"ties in the middle", []float64{3, 3, 1, 8}, 3, 3},
		{"nine", []float64{9, -2, 4, 4, 0, 7, 1, 3, 100}, 4, (1 + 3 + 4 + 4 + 7) / 5.0}, // -2 0 [1 3 4 4 7] 9 100
		{"twelve", []float64{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 6.5, 6.5},          // drops 1-3 and 10-12
		{"negative", []float64{-4, -1, -10}, -4, -5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			xs := slices.Clone(c.xs)
			if got := Median(xs); got != c.median {
				t.Errorf("Median(%v) = %v, want %v", c.xs, got, c.median)
			}
			if got := IQM(xs); !(math.Abs(got-c.iqm) <= 1e-12) {
				t.Errorf("IQM(%v) = %v, want %v", c.xs, got, c.iqm)
			}
			if !slices.Equal(xs, c.xs) {
				t.Errorf("input modified: %v, was %v", xs, c.xs)
			}
		})
	}
}

// TestQuantile pins the type 7 interpolation against values worked by hand:
// h = p·(n−1), then s[⌊h⌋] + (h−⌊h⌋)·(s[⌊h⌋+1] − s[⌊h⌋]).
func TestQuantile(t *testing.T) {
	cases := []struct {
		s       []float64
		p, want float64
	}{
		{[]float64{7}, 0, 7},
		{[]float64{7}, 0.5, 7},
		{[]float64{7}, 1, 7},
		{[]float64{1, 2, 4, 8}, 0, 1},
		{[]float64{1, 2, 4, 8}, 1, 8},
		{[]float64{1, 2, 4, 8}, 0.25, 1.75},       // h = 0.75
		{[]float64{1, 2, 4, 8}, 0.5, 3},           // h = 1.5
		{[]float64{1, 2, 4, 8}, 0.9, 6.8},         // h = 2.7
		{[]float64{1, 2, 4, 8}, 1.0 / 3, 2},       // h = 1, an order statistic
		{[]float64{2, 2, 5, 5}, 0.5, 3.5},         // ties either side
		{[]float64{2, 2, 5, 5}, 0.2, 2},           // h = 0.6 between equal values
		{[]float64{0, 10}, 0.025, 0.25},           // h = 0.025
		{[]float64{0, 10, 20, 30, 40}, 0.975, 39}, // h = 3.9
	}
	for _, c := range cases {
		if got := quantile(c.s, c.p); !(math.Abs(got-c.want) <= 1e-12) {
			t.Errorf("quantile(%v, %v) = %v, want %v", c.s, c.p, got, c.want)
		}
	}
}

// TestMedianIQMMonotone checks what TTCs' doc relies on to call a statistic of censored
// values a lower bound: raising any one value never lowers the median or the IQM.
func TestMedianIQMMonotone(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for range 2000 {
		xs := make([]float64, 1+rng.IntN(12))
		for i := range xs {
			xs[i] = float64(rng.IntN(6)) // small integers, so that ties are common
		}
		raised := slices.Clone(xs)
		raised[rng.IntN(len(xs))] += float64(1 + rng.IntN(10))
		for name, f := range map[string]func([]float64) float64{"Median": Median, "IQM": IQM} {
			if a, b := f(xs), f(raised); b < a {
				t.Fatalf("%s(%v) = %v, but %s(%v) = %v with one value raised", name, xs, a, name, raised, b)
			}
		}
	}
}

func TestMedianIQMEmptyPanics(t *testing.T) {
	for name, f := range map[string]func([]float64) float64{"Median": Median, "IQM": IQM} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s(nil) did not panic", name)
				}
			}()
			f(nil)
		})
	}
}

// expIQM is the interquartile mean of the exponential distribution of rate 1: twice the
// integral of x e^−x from its first quartile ln(4/3) to its third ln 4.
var expIQM = 1 + 1.5*math.Log(4.0/3) - 0.5*math.Log(4)

func TestExpIQM(t *testing.T) {
	// Check the closed form against the IQM of a large sample.
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 200_000)
	for i := range xs {
		xs[i] = rng.ExpFloat64()
	}
	if got := IQM(xs); !(math.Abs(got-expIQM) <= 0.005) {
		t.Errorf("IQM of %d exponential draws = %v, want about %v", len(xs), got, expIQM)
	}
}

// TestBootstrapCoverage measures how often the 95% percentile bootstrap interval of the IQM
// of 10 exponential draws holds the distribution's IQM. With so few values the percentile
// bootstrap undercovers somewhat: 20000 samples of 1000 replicates each measured 0.933
// (0.900 for 5 draws, 0.940 for 20). The band, about 6 standard errors of the measured
// coverage below it, catches gross errors, such as a wrong quantile or a resample drawn
// without replacement.
func TestBootstrapCoverage(t *testing.T) {
	const samples, n, reps, level = 1000, 10, 300, 0.95
	rng := rand.New(rand.NewPCG(3, 4))
	xs := make([]float64, n)
	hits := 0
	for range samples {
		for i := range xs {
			xs[i] = rng.ExpFloat64()
		}
		lo, hi := Bootstrap([][]float64{xs}, IQM, reps, level, rng)
		if lo > hi {
			t.Fatalf("interval [%v, %v] upside down", lo, hi)
		}
		if lo <= expIQM && expIQM <= hi {
			hits++
		}
	}
	cover := float64(hits) / samples
	t.Logf("coverage of the %.0f%% interval of the IQM of %d exponential draws: %.3f (%d samples, %d replicates)", 100*level, n, cover, samples, reps)
	if cover < 0.88 || cover > 0.98 {
		t.Errorf("coverage %.3f, want 0.88 to 0.98", cover)
	}
}

// TestBootstrapEnds checks that the interval's ends are the documented quantiles of the
// replicates, with a statistic that ignores its resample and returns the values of seq in
// turn, so that the replicates are known: the ends are quantile(sorted seq, (1∓level)/2).
func TestBootstrapEnds(t *testing.T) {
	squares := []float64{49, 0, 100, 9, 64, 1, 81, 16, 36, 4, 25} // 0², 1², …, 10² in a scrambled order
	cases := []struct {
		name   string
		seq    []float64
		level  float64
		lo, hi float64
	}{
		// 11 replicates: h = p·10. Level 0.9: p = 0.05 and 0.95, h = 0.5 and 9.5, so the
		// ends lie halfway from 0 to 1 and from 81 to 100.
		{"squares 0.9", squares, 0.9, 0.5, 90.5},
		// Level 0.5: p = 0.25 and 0.75, h = 2.5 and 7.5: halfway from 4 to 9, 49 to 64.
		{"squares 0.5", squares, 0.5, 6.5, 56.5},
		// Level 0.8: p = 0.1 and 0.9, h = 1 and 9: the order statistics 1 and 81.
		{"squares 0.8", squares, 0.8, 1, 81},
		// Level 0.95 with 21 replicates 0, 1, …, 20 (reversed): h = 0.5 and 19.5.
		{"ramp 0.95", ramp(21), 0.95, 0.5, 19.5},
		// Level 0.95 with 5 replicates: h = 0.1 and 3.9, a tenth of the way from 3 to 5 and
		// nine tenths from 10 to 20.
		{"five 0.95", []float64{10, 3, 20, 5, 7}, 0.95, 3.2, 19},
		{"one replicate", []float64{42}, 0.95, 42, 42},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			calls := 0
			stat := func(xs []float64) float64 {
				if len(xs) != 3 {
					t.Fatalf("replicate of %d values, want 3", len(xs))
				}
				v := c.seq[calls]
				calls++
				return v
			}
			rng := rand.New(rand.NewPCG(1, 2))
			lo, hi := Bootstrap([][]float64{{1, 2}, {3}}, stat, len(c.seq), c.level, rng)
			if !(math.Abs(lo-c.lo) <= 1e-9) || !(math.Abs(hi-c.hi) <= 1e-9) {
				t.Errorf("interval [%v, %v], want [%v, %v]", lo, hi, c.lo, c.hi)
			}
			if calls != len(c.seq) {
				t.Errorf("stat called %d times, want %d", calls, len(c.seq))
			}
		})
	}
}

// ramp returns n−1, n−2, …, 0.
func ramp(n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(n - 1 - i)
	}
	return xs
}

// TestBootstrapResamples checks each replicate's resample: every stratum in its own place,
// in the order of strata, drawn from that stratum alone, with replacement, and able to
// reach each of its values.
func TestBootstrapResamples(t *testing.T) {
	strata := [][]float64{{1, 2, 3}, nil, {10, 20, 30, 40, 50}, {}, {7}}
	places := []struct{ from, to, stratum int }{{0, 3, 0}, {3, 8, 2}, {8, 9, 4}}
	seen := map[float64]bool{}
	repeats := 0
	stat := func(xs []float64) float64 {
		if len(xs) != 9 {
			t.Fatalf("replicate of %d values, want 9", len(xs))
		}
		for _, p := range places {
			part := xs[p.from:p.to]
			for _, x := range part {
				if !slices.Contains(strata[p.stratum], x) {
					t.Fatalf("resample %v: value %v in the place of stratum %v", xs, x, strata[p.stratum])
				}
				seen[x] = true
			}
			if len(slices.Compact(slices.Sorted(slices.Values(part)))) < len(part) {
				repeats++
			}
		}
		return 0
	}
	Bootstrap(strata, stat, 200, 0.95, rand.New(rand.NewPCG(7, 8)))
	for _, s := range strata {
		for _, x := range s {
			if !seen[x] {
				t.Errorf("value %v of stratum %v never drawn in 200 replicates", x, s)
			}
		}
	}
	// Drawn without replacement, no stratum would ever repeat a value; with it, the first
	// stratum repeats one with probability 1 − 3!/3³ = 7/9 per replicate.
	if repeats < 100 {
		t.Errorf("a stratum repeated a value in %d of 200 replicates, want most", repeats)
	}
}

// TestBootstrapCoverageNormal measures how often the stratified 95% interval of the mean of
// two strata of normal data holds the true mean, tightly enough to reject a 90% interval
// posing as 95% and an unstratified one.
//
// The data: 40 draws from N(0, 1) and 40 from N(10, 1), whose pooled mean has expectation
// 5; 300 replicates. The percentile bootstrap undercovers slightly here (it estimates the
// variance with divisor n, and its ends carry Monte Carlo noise): over 40000 trials the 95%
// interval covered 0.9356 ± 0.0012 and a 90% interval 0.8848 ± 0.0016 (standard errors).
// Resampling the 80 values as one stratum mixes in the spread between the strata, which
// makes the interval several times wider and the coverage 1.
//
// Binomial arithmetic for T = 4000 trials: the number of hits is Binomial(T, p), so the
// coverage has standard error √(p(1−p)/T): 0.0039 at p = 0.9356 and 0.0050 at 0.8848. The
// band [0.914, 0.960] (3656 to 3840 hits) lies 5.6 standard errors below 0.9356 and 6.3
// above it: a correct Bootstrap leaves it with probability 4e-8 (summing the binomial
// probabilities; 1e-6 if its coverage were two standard errors lower, 0.9332). It lies 5.8
// standard errors above 0.8848: a 90% interval enters it with probability 1e-9, and an
// unstratified one, covering 1, not at all. The seed is fixed, so the outcome is
// deterministic (0.9317 here); the band makes it robust to any change of the random
// stream. About half a second.
func TestBootstrapCoverageNormal(t *testing.T) {
	const trials, m, reps, level, mu = 4000, 40, 300, 0.95, 5.0
	rng := rand.New(rand.NewPCG(21, 22))
	a, b := make([]float64, m), make([]float64, m)
	hits := 0
	for range trials {
		for i := range m {
			a[i] = rng.NormFloat64()
			b[i] = 10 + rng.NormFloat64()
		}
		lo, hi := Bootstrap([][]float64{a, b}, mean, reps, level, rng)
		if lo <= mu && mu <= hi {
			hits++
		}
	}
	cover := float64(hits) / trials
	if cover < 0.914 || cover > 0.960 {
		t.Errorf("the 95%% interval covered the mean in %d of %d trials (%.4f), want 0.914 to 0.960 (0.9356 expected)", hits, trials, cover)
	}
}

func TestBootstrapStratified(t *testing.T) {
	// Two strata far apart: every replicate must keep 3 values from the low one and 5 from
	// the high one, so a statistic counting the high values is always 5.
	low := []float64{1, 2, 3}
	high := []float64{100, 200, 300, 400, 500}
	rng := rand.New(rand.NewPCG(5, 6))
	calls := 0
	countHigh := func(xs []float64) float64 {
		calls++
		if len(xs) != len(low)+len(high) {
			t.Fatalf("replicate of %d values, want %d", len(xs), len(low)+len(high))
		}
		k := 0
		for _, x := range xs {
			if x >= 100 {
				k++
			}
		}
		return float64(k)
	}
	lo, hi := Bootstrap([][]float64{low, nil, high}, countHigh, 500, 0.95, rng)
	if lo != 5 || hi != 5 {
		t.Errorf("interval of the count of high values = [%v, %v], want [5, 5]", lo, hi)
	}
	if calls != 500 {
		t.Errorf("stat called %d times, want 500", calls)
	}
	// Unstratified, the count varies.
	all := slices.Concat(low, high)
	lo, hi = Bootstrap([][]float64{all}, countHigh, 500, 0.95, rng)
	if lo == hi {
		t.Errorf("unstratified interval of the count of high values = [%v, %v], want it to vary", lo, hi)
	}
}

func TestBootstrapDeterministic(t *testing.T) {
	strata := [][]float64{{1, 5, 2, 8, 3}, {40, 10, 70}}
	run := func(seed uint64) [2]float64 {
		lo, hi := Bootstrap(strata, Median, 200, 0.9, rand.New(rand.NewPCG(seed, 0)))
		return [2]float64{lo, hi}
	}
	a, b := run(7), run(7)
	if a != b {
		t.Errorf("same seed, intervals %v and %v", a, b)
	}
	if c := run(8); c == a {
		t.Errorf("seeds 7 and 8 give the same interval %v: the seed is not used", c)
	}
	if !slices.Equal(strata[0], []float64{1, 5, 2, 8, 3}) || !slices.Equal(strata[1], []float64{40, 10, 70}) {
		t.Errorf("strata modified: %v", strata)
	}
}

// TestBootstrapOneReplicate checks the smallest valid call: one replicate of one value gives
// an interval of that value alone, at any level.
func TestBootstrapOneReplicate(t *testing.T) {
	for _, level := range []float64{0.01, 0.5, 0.99} {
		if lo, hi := Bootstrap([][]float64{{3}}, Median, 1, level, rand.New(rand.NewPCG(1, 1))); lo != 3 || hi != 3 {
			t.Errorf("Bootstrap of {3}, 1 replicate, level %v = [%v, %v], want [3, 3]", level, lo, hi)
		}
	}
}

func TestBootstrapPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	cases := []struct {
		name   string
		strata [][]float64
		reps   int
		level  float64
	}{
		{"no strata", nil, 10, 0.95},
		{"empty strata", [][]float64{{}, nil}, 10, 0.95},
		{"no replicates", [][]float64{{1}}, 0, 0.95},
		{"level 0", [][]float64{{1}}, 10, 0},
		{"level 1", [][]float64{{1}}, 10, 1},
		{"level NaN", [][]float64{{1}}, 10, math.NaN()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Bootstrap did not panic")
				}
			}()
			Bootstrap(c.strata, Median, c.reps, c.level, rng)
		})
	}
}

// TestTTCs checks that a trial without a time to competence counts at its own budget, as a
// censored value, and one competent at time 0 does not.
func TestTTCs(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	cases := []struct {
		name     string
		recs     []Record
		values   []float64
		censored int
	}{
		{"none", nil, []float64{}, 0},
		{"mixed", []Record{
			{Budget: 600, Competent: true, TTC: f(120)},
			{Budget: 600},
			{Budget: 600, Competent: true, TTC: f(30.5)},
			{Budget: 900},
		}, []float64{120, 600, 30.5, 900}, 2},
		{"all censored", []Record{{Budget: 300}, {Budget: 600}, {Budget: 300}}, []float64{300, 600, 300}, 3},
		{"competent at once", []Record{{Budget: 600, Competent: true, TTC: f(0)}}, []float64{0}, 0},
		{"at the budget", []Record{{Budget: 600, Competent: true, TTC: f(600)}, {Budget: 600}}, []float64{600, 600}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			values, censored := TTCs(c.recs)
			if !slices.Equal(values, c.values) || censored != c.censored {
				t.Errorf("TTCs = %v, %d censored; want %v, %d", values, censored, c.values, c.censored)
			}
		})
	}
	// The median of the mixed case's values is a lower bound: 120 and 600 average to 360.
	if got := Median(valuesOf(TTCs(cases[1].recs))); got != 360 {
		t.Errorf("median of the mixed TTCs = %v, want 360", got)
	}
}

// valuesOf returns the values of TTCs' results.
func valuesOf(values []float64, _ int) []float64 { return values }
