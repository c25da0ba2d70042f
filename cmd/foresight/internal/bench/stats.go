package bench

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Median returns the median of xs: the middle value of the sorted values, or the mean of
// the two middle values when there is an even number of them. It does not modify xs and
// panics if xs is empty.
func Median(xs []float64) float64 {
	return quantile(sorted(xs, "Median"), 0.5)
}

// IQM returns the interquartile mean of xs, the mean of its middle half, as rliable
// computes it (scipy.stats.trim_mean with proportiontocut 0.25): the ⌊n/4⌋ smallest and the
// ⌊n/4⌋ largest of its n values are dropped and the rest averaged, with no fractional
// weights. So for n ≤ 3 it is the mean, for n = 4 the mean of the middle two, for n = 10
// the mean of the middle six. It does not modify xs and panics if xs is empty.
func IQM(xs []float64) float64 {
	s := sorted(xs, "IQM")
	cut := len(s) / 4
	sum := 0.0
	for _, x := range s[cut : len(s)-cut] {
		sum += x
	}
	return sum / float64(len(s)-2*cut)
}

// sorted returns a sorted copy of xs, panicking in the name of fn if it is empty.
func sorted(xs []float64, fn string) []float64 {
	if len(xs) == 0 {
		panic("bench: " + fn + " of no values")
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s
}

// quantile returns the p-quantile of the sorted values s by linear interpolation between
// order statistics (type 7 of Hyndman and Fan, NumPy's default percentile).
func quantile(s []float64, p float64) float64 {
	h := p * float64(len(s)-1)
	i := int(math.Floor(h))
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[i] + (h-float64(i))*(s[i+1]-s[i])
}

// Bootstrap returns the stratified percentile bootstrap confidence interval, at confidence
// level (such as 0.95), of the statistic stat of the values of strata taken together, as
// rliable computes it. Each of reps replicates resamples every stratum independently with
// replacement, keeping its size, and applies stat to the resamples concatenated in the
// order of strata; lo and hi are the (1−level)/2 and (1+level)/2 quantiles of the reps
// statistics, interpolated linearly as quantile does. stat may reorder its argument, which
// is reused between replicates, but must not keep it.
//
// The result depends only on the arguments and the state of rng, which it advances. Empty
// strata contribute nothing. Bootstrap panics if the strata hold no values at all, reps is
// less than 1, or level is not strictly between 0 and 1: these are programming errors.
func Bootstrap(strata [][]float64, stat func([]float64) float64, reps int, level float64, rng *rand.Rand) (lo, hi float64) {
	n := 0
	for _, s := range strata {
		n += len(s)
	}
	switch {
	case n == 0:
		panic("bench: Bootstrap of no values")
	case reps < 1:
		panic("bench: Bootstrap with fewer than 1 replicate")
	case !(level > 0 && level < 1):
		panic("bench: Bootstrap confidence level not between 0 and 1")
	}
	buf := make([]float64, n)
	stats := make([]float64, reps)
	for r := range stats {
		resample(buf, strata, rng)
		stats[r] = stat(buf)
	}
	slices.Sort(stats)
	return quantile(stats, (1-level)/2), quantile(stats, (1+level)/2)
}

// resample fills buf with a resample of each stratum in turn, drawn with replacement.
func resample(buf []float64, strata [][]float64, rng *rand.Rand) {
	k := 0
	for _, s := range strata {
		for range s {
			buf[k] = s[rng.IntN(len(s))]
			k++
		}
	}
}

// TTCs returns the time to competence of each record, in simulated seconds, with a trial
// that never became competent (TTC nil) right-censored at its budget, and the number of
// such censored trials. The censored values are lower bounds on the true times, so a
// statistic that never decreases when a value grows, such as the median or the IQM, is a
// lower bound too when any of its values is censored.
func TTCs(recs []Record) (values []float64, censored int) {
	values = make([]float64, len(recs))
	for i, r := range recs {
		if r.TTC != nil {
			values[i] = *r.TTC
		} else {
			values[i] = r.Budget
			censored++
		}
	}
	return values, censored
}
