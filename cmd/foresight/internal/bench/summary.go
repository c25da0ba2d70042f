package bench

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/foresight-sim/foresight/cmd/internal/show"
)

// SummaryReps and SummaryLevel are the number of bootstrap replicates and the confidence
// level of the intervals that Summary reports.
const (
	SummaryReps  = 2000
	SummaryLevel = 0.95
)

// SortRecords sorts recs, stably, into the order of cfg.Trials(): by environment, then
// agent, then seed, each in the order cfg lists them. Records of trials outside the sweep
// go last, by environment, agent and seed.
func SortRecords(cfg Config, recs []Record) {
	pos := trialIndex(cfg)
	slices.SortStableFunc(recs, func(a, b Record) int {
		i, aIn := pos[a.Trial]
		j, bIn := pos[b.Trial]
		switch {
		case aIn && bIn:
			return cmp.Compare(i, j)
		case aIn:
			return -1
		case bIn:
			return 1
		}
		return cmp.Or(strings.Compare(a.Env, b.Env), strings.Compare(a.Agent, b.Agent), cmp.Compare(a.Seed, b.Seed))
	})
}

// trialIndex maps each trial of the sweep to its place in cfg.Trials().
func trialIndex(cfg Config) map[Trial]int {
	pos := map[Trial]int{}
	for i, t := range cfg.Trials() {
		if _, ok := pos[t]; !ok {
			pos[t] = i
		}
	}
	return pos
}

// Summary renders the sweep's results as Markdown: a line describing the sweep, then a
// table with a row for every environment and agent, in the order of cfg, and, when the
// sweep has more than one environment, a row for every agent over all of them. A row gives
// the trials done of those planned, those competent of those done, the median and the
// interquartile mean (IQM) of the time to competence with their confidence intervals, and
// the median real-time factor; a note explains them.
//
// A trial that never became competent is right-censored at its budget (see TTCs): a
// statistic of a row with such trials is a lower bound, written "≥ x", or "> budget" where
// it reaches the budget. The intervals are stratified percentile bootstraps (see
// Bootstrap) of SummaryReps replicates at level SummaryLevel, over seeds, stratified by
// environment in the rows over all environments. Each row's replicates are drawn from a
// generator seeded with seed and the row's names alone, so the output depends only on its
// arguments, and a row's intervals do not change as other rows' trials finish.
//
// Summary ignores records of trials outside the sweep, saying how many, and counts a trial
// recorded more than once by its first record. It does not modify recs.
func Summary(cfg Config, recs []Record, seed uint64) string {
	cells, outside := group(cfg, recs)
	var b strings.Builder
	writeHeader(&b, cfg, cells, outside)
	b.WriteString("| Environment | Agent | Trials | Competent | Median TTC [95% CI] | IQM TTC [95% CI] | Real time |\n")
	b.WriteString("|---|---|--:|--:|---|---|--:|\n")
	for _, e := range cfg.Envs {
		for _, a := range cfg.Agents {
			writeRow(&b, e, a, cfg.Seeds, [][]Record{cells[cell{e, a}]}, seed)
		}
	}
	if len(cfg.Envs) > 1 {
		for _, a := range cfg.Agents {
			var strata [][]Record
			for _, e := range cfg.Envs {
				strata = append(strata, cells[cell{e, a}])
			}
			writeRow(&b, "", a, cfg.Seeds*len(cfg.Envs), strata, seed)
		}
	}
	writeNote(&b, len(cfg.Envs) > 1)
	return b.String()
}

// cell names an environment and agent pair of a sweep.
type cell struct{ env, agent string }

// group sorts a copy of recs into the sweep's cells, each in seed order with one record a
// trial, and counts the records of trials outside the sweep.
func group(cfg Config, recs []Record) (cells map[cell][]Record, outside int) {
	pos := trialIndex(cfg)
	recs = slices.Clone(recs)
	SortRecords(cfg, recs)
	cells = map[cell][]Record{}
	seen := map[Trial]bool{}
	for _, r := range recs {
		if _, ok := pos[r.Trial]; !ok {
			outside++
			continue
		}
		if !seen[r.Trial] {
			seen[r.Trial] = true
			c := cell{r.Env, r.Agent}
			cells[c] = append(cells[c], r)
		}
	}
	return cells, outside
}

// writeHeader writes the title and the line describing the sweep.
func writeHeader(b *strings.Builder, cfg Config, cells map[cell][]Record, outside int) {
	done := 0
	for _, rs := range cells {
		done += len(rs)
	}
	fmt.Fprintf(b, "# Hours to competence\n\n%s × %s × %s, each with a budget of %s of simulated experience: %d of %d trials done.",
		count(len(cfg.Envs), "environment", cfg.Envs), count(len(cfg.Agents), "agent", cfg.Agents),
		count(cfg.Seeds, "seed", nil), show.Clock(cfg.Budget.Seconds()), done, len(cfg.Trials()))
	if outside > 0 {
		fmt.Fprintf(b, " %s of trials outside the sweep left out.", count(outside, "record", nil))
	}
	b.WriteString("\n\n")
}

// count writes n things, with their names in parentheses when there are any.
func count(n int, thing string, names []string) string {
	s := fmt.Sprintf("%d %s", n, thing)
	if n != 1 {
		s += "s"
	}
	if len(names) > 0 {
		s += " (" + cellText(strings.Join(names, ", ")) + ")"
	}
	return s
}

// writeRow writes the table row of agent on env, or on all environments when env is "",
// with the records of each environment a stratum.
func writeRow(b *strings.Builder, env, agent string, planned int, strata [][]Record, seed uint64) {
	all := slices.Concat(strata...)
	competent := 0
	for _, r := range all {
		if r.TTC != nil {
			competent++
		}
	}
	name := cellText(env)
	if env == "" {
		name = "**all**"
	}
	median, iqm, rt := "—", "—", "—"
	if len(all) > 0 {
		rng := rand.New(rand.NewPCG(seed, rowKey(env, agent)))
		values, censored := TTCs(all)
		strataValues := make([][]float64, len(strata))
		for i, s := range strata {
			strataValues[i], _ = TTCs(s)
		}
		bound := censorBudget(all)
		median = statText(values, strataValues, Median, censored, bound, rng)
		iqm = statText(values, strataValues, IQM, censored, bound, rng)
		rt = factorText(Median(realTimes(all)))
	}
	fmt.Fprintf(b, "| %s | %s | %d/%d | %d/%d | %s | %s | %s |\n",
		name, cellText(agent), len(all), planned, competent, len(all), median, iqm, rt)
}

// rowKey returns the generator stream of a row, a hash of its names.
func rowKey(env, agent string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(env + "\x00" + agent))
	return h.Sum64()
}

// censorBudget returns the smallest budget of the censored records, +Inf if none is: a
// statistic at or above it is above the budget.
func censorBudget(recs []Record) float64 {
	bound := math.Inf(1)
	for _, r := range recs {
		if r.TTC == nil {
			bound = min(bound, r.Budget)
		}
	}
	return bound
}

// realTimes returns the real-time factors of recs.
func realTimes(recs []Record) []float64 {
	out := make([]float64, len(recs))
	for i, r := range recs {
		out[i] = r.RealTime
	}
	return out
}

// statText writes the statistic stat of values, with its bootstrap interval over strata
// unless the interval is a single point. With censored values, the statistic is marked as a
// lower bound, and it and the interval's ends are written "> budget" at or above bound.
func statText(values []float64, strata [][]float64, stat func([]float64) float64, censored int, bound float64, rng *rand.Rand) string {
	x := stat(values)
	lo, hi := Bootstrap(strata, stat, SummaryReps, SummaryLevel, rng)
	clock := func(v float64) string {
		if censored > 0 && v >= bound {
			return "> " + show.Clock(bound)
		}
		return show.Clock(v)
	}
	s := clock(x)
	if censored > 0 && x < bound {
		s = "≥ " + s
	}
	if lo != hi {
		s += " [" + clock(lo) + ", " + clock(hi) + "]"
	}
	return s
}

// factorText writes a real-time factor with two or three significant figures, as "412×",
// "41.2×" or "0.85×".
func factorText(x float64) string {
	prec := 2
	switch {
	case x >= 100:
		prec = 0
	case x >= 10:
		prec = 1
	}
	return strconv.FormatFloat(x, 'f', prec, 64) + "×"
}

// cellText escapes the vertical bars of s for a Markdown table cell.
func cellText(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// writeNote writes the note explaining the table.
func writeNote(b *strings.Builder, pooled bool) {
	fmt.Fprintf(b, "\nTTC is the time to competence: the simulated experience a trial took to first show competence, as h:mm:ss. "+
		"A trial not competent within its budget is censored at the budget and counted as taking the budget, "+
		"so a statistic of a row with such trials is a lower bound on the true one, marked ≥, or > the budget where it reaches it. "+
		"IQM is the interquartile mean, the mean of the middle half of the trials; it and the median are the aggregates rliable recommends (Agarwal et al., 2021). "+
		"Intervals are %.0f%% percentile bootstrap confidence intervals over seeds, of %d replicates", 100*SummaryLevel, SummaryReps)
	if pooled {
		b.WriteString(", stratified by environment in the rows over all environments")
	}
	b.WriteString(". Real time is the median over trials of simulated seconds per wall second.\n")
}
