package bench

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/foresight-sim/foresight/cmd/internal/show"
	"github.com/foresight-sim/foresight/envs"
)

// SummaryReps and SummaryLevel are the number of bootstrap replicates and the confidence
// level of the intervals that Summary reports.
const (
	SummaryReps  = 2000
	SummaryLevel = 0.95
)

// SortRecords sorts recs, stably, into the order of cfg.Trials(): by environment, then
// agent, then observation, then seed, each in the order cfg lists them. Records of trials
// outside the sweep go last, by environment, agent, observation and seed.
func SortRecords(cfg Config, recs []Record) {
	pos := trialIndex(cfg)
	slices.SortStableFunc(recs, func(a, b Record) int {
		i, aIn := pos[a.Trial.key()]
		j, bIn := pos[b.Trial.key()]
		switch {
		case aIn && bIn:
			return cmp.Compare(i, j)
		case aIn:
			return -1
		case bIn:
			return 1
		}
		return cmp.Or(strings.Compare(a.Env, b.Env), strings.Compare(a.Agent, b.Agent),
			strings.Compare(a.Observed(), b.Observed()), cmp.Compare(a.Seed, b.Seed))
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
// table with a row for every environment, agent and observation, in the order of cfg, and,
// when the sweep has more than one environment, a row for every agent and observation over
// all of them. A row gives the trials done of those planned, those competent of those done,
// the median and the interquartile mean (IQM) of the time to competence with their
// confidence intervals, and the median real-time factor; a note explains them. The table
// has an Observation column unless the sweep observes the state alone, whose summary is
// as it was before sweeps had observations.
//
// A trial that never became competent is right-censored at its budget (see TTCs): a
// statistic of a row with such trials is a lower bound, written "≥ x", or "> budget" where
// it reaches the budget. The intervals are stratified percentile bootstraps (see
// Bootstrap) of SummaryReps replicates at level SummaryLevel, over seeds, stratified by
// environment in the rows over all environments. Each row's replicates are drawn from a
// generator seeded with seed and the row's names alone, so the output depends only on its
// arguments, and a row's intervals do not change as other rows' trials finish (nor those of
// a row of the state as observations are added to the sweep).
//
// Summary ignores records of trials outside the sweep, saying how many, and counts a trial
// recorded more than once by its first record. It does not modify recs.
func Summary(cfg Config, recs []Record, seed uint64) string {
	cells, outside := group(cfg, recs)
	obs := cfg.observations()
	withObs := observesPixels(cfg)
	var b strings.Builder
	writeHeader(&b, cfg, cells, outside)
	if withObs {
		b.WriteString("| Environment | Agent | Observation | Trials | Competent | Median TTC [95% CI] | IQM TTC [95% CI] | Real time |\n")
		b.WriteString("|---|---|---|--:|--:|---|---|--:|\n")
	} else {
		b.WriteString("| Environment | Agent | Trials | Competent | Median TTC [95% CI] | IQM TTC [95% CI] | Real time |\n")
		b.WriteString("|---|---|--:|--:|---|---|--:|\n")
	}
	for _, e := range cfg.Envs {
		for _, a := range cfg.Agents {
			for _, o := range obs {
				writeRow(&b, cell{e, a, o}, withObs, cfg.Seeds, [][]Record{cells[cell{e, a, o}]}, seed)
			}
		}
	}
	if len(cfg.Envs) > 1 {
		for _, a := range cfg.Agents {
			for _, o := range obs {
				var strata [][]Record
				for _, e := range cfg.Envs {
					strata = append(strata, cells[cell{e, a, o}])
				}
				writeRow(&b, cell{"", a, o}, withObs, cfg.Seeds*len(cfg.Envs), strata, seed)
			}
		}
	}
	writeNote(&b, len(cfg.Envs) > 1, withObs)
	return b.String()
}

// observesPixels reports whether the sweep observes anything but the state, so that its
// summary and plots name the observation of each row and line.
func observesPixels(cfg Config) bool {
	obs := cfg.observations()
	return len(obs) > 1 || obs[0] != envs.StateObservation
}

// cell names an environment, agent and observation of a sweep; the observation is written
// as Trial.Observed returns it.
type cell struct{ env, agent, obs string }

// group sorts a copy of recs into the sweep's cells, each in seed order with one record a
// trial, and counts the records of trials outside the sweep.
func group(cfg Config, recs []Record) (cells map[cell][]Record, outside int) {
	pos := trialIndex(cfg)
	recs = slices.Clone(recs)
	SortRecords(cfg, recs)
	cells = map[cell][]Record{}
	seen := map[Trial]bool{}
	for _, r := range recs {
		t := r.Trial.key()
		if _, ok := pos[t]; !ok {
			outside++
			continue
		}
		if !seen[t] {
			seen[t] = true
			c := cell{r.Env, r.Agent, r.Observed()}
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
	sweep := []string{count(len(cfg.Envs), "environment", cfg.Envs), count(len(cfg.Agents), "agent", cfg.Agents)}
	if observesPixels(cfg) {
		sweep = append(sweep, count(len(cfg.observations()), "observation", cfg.observations()))
	}
	sweep = append(sweep, count(cfg.Seeds, "seed", nil))
	fmt.Fprintf(b, "# Hours to competence\n\n%s, each with a budget of %s of simulated experience: %d of %d trials done.",
		strings.Join(sweep, " × "), show.Clock(cfg.Budget.Seconds()), done, len(cfg.Trials()))
	if outside > 0 {
		fmt.Fprintf(b, " %s of trials outside the sweep left out.", count(outside, "record", nil))
	}
	if cfg.Concurrent {
		b.WriteString(" The agents with world models trained on a second goroutine while they acted (--concurrent).")
	}
	if len(cfg.Settings) > 0 {
		fmt.Fprintf(b, " Their settings changed from the defaults: %s (--set).", pairs(cfg.Settings, func(v string) string { return v }))
	}
	if len(cfg.Params) > 0 {
		fmt.Fprintf(b, " The environments' parameters: %s (--param).", pairs(cfg.Params, func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }))
	}
	b.WriteString("\n\n")
}

// pairs writes m as name=value pairs in name order, separated by commas.
func pairs[V any](m map[string]V, format func(V) string) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+"="+format(m[k]))
	}
	return strings.Join(out, ", ")
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

// writeRow writes the table row of c's agent and observation on its environment, or on all
// environments when c.env is "", with the records of each environment a stratum, and with
// an Observation cell if withObs.
func writeRow(b *strings.Builder, c cell, withObs bool, planned int, strata [][]Record, seed uint64) {
	all := slices.Concat(strata...)
	competent := 0
	for _, r := range all {
		if r.TTC != nil {
			competent++
		}
	}
	name := cellText(c.env)
	if c.env == "" {
		name = "**all**"
	}
	agent := cellText(c.agent)
	if withObs {
		agent += " | " + cellText(c.obs)
	}
	median, iqm, rt := "—", "—", "—"
	if len(all) > 0 {
		rng := rand.New(rand.NewPCG(seed, rowKey(c)))
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
		name, agent, len(all), planned, competent, len(all), median, iqm, rt)
}

// rowKey returns the generator stream of a row, a hash of its names: of its environment and
// agent alone for a row of the state, as before sweeps had observations.
func rowKey(c cell) uint64 {
	h := fnv.New64a()
	h.Write([]byte(c.env + "\x00" + c.agent))
	if c.obs != envs.StateObservation {
		h.Write([]byte("\x00" + c.obs))
	}
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

// Trials renders, as a Markdown section, a table with a row for every trial of the sweep
// that has a record, in the order of cfg: its seed, time to competence (or "> budget"), best
// training return, training episodes, simulated experience, wall time and real-time factor
// (simulated seconds per wall second), so that the speed of every trial can be read, not
// only the median. It ignores records of trials outside the sweep and counts a trial
// recorded more than once by its first record, as Summary does, and returns "" when no
// trial has a record.
func Trials(cfg Config, recs []Record) string {
	cells, _ := group(cfg, recs)
	withObs := observesPixels(cfg)
	var b strings.Builder
	for _, e := range cfg.Envs {
		for _, a := range cfg.Agents {
			for _, o := range cfg.observations() {
				for _, r := range cells[cell{e, a, o}] {
					writeTrial(&b, r, withObs)
				}
			}
		}
	}
	if b.Len() == 0 {
		return ""
	}
	head := "\n## Trials\n\n| Environment | Agent | Seed | TTC | Best return | Episodes | Experience | Wall | Real time |\n|---|---|--:|--:|--:|--:|--:|--:|--:|\n"
	if withObs {
		head = "\n## Trials\n\n| Environment | Agent | Observation | Seed | TTC | Best return | Episodes | Experience | Wall | Real time |\n|---|---|---|--:|--:|--:|--:|--:|--:|--:|\n"
	}
	return head + b.String() + "\nBest return is the highest return of a training episode; experience and wall time are as h:mm:ss.\n"
}

// writeTrial writes the table row of one trial's record, with an Observation cell if
// withObs.
func writeTrial(b *strings.Builder, r Record, withObs bool) {
	agent := cellText(r.Agent)
	if withObs {
		agent += " | " + cellText(r.Observed())
	}
	ttc := "> " + show.Clock(r.Budget)
	if r.TTC != nil {
		ttc = show.Clock(*r.TTC)
	}
	best := "—"
	if len(r.Curve) > 0 {
		top := math.Inf(-1)
		for _, p := range r.Curve {
			top = max(top, p.Return)
		}
		best = strconv.FormatFloat(top, 'f', 1, 64)
	}
	fmt.Fprintf(b, "| %s | %s | %d | %s | %s | %d | %s | %s | %s |\n", cellText(r.Env), agent, r.Seed, ttc, best,
		r.Episodes, show.Clock(r.Experience), show.Clock(r.Wall), factorText(r.RealTime))
}

// cellText escapes the vertical bars of s for a Markdown table cell.
func cellText(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// writeNote writes the note explaining the table, with its rows over all environments if
// pooled and its Observation column if withObs.
func writeNote(b *strings.Builder, pooled, withObs bool) {
	fmt.Fprintf(b, "\nTTC is the time to competence: the simulated experience a trial took to first show competence, as h:mm:ss. "+
		"A trial not competent within its budget is censored at the budget and counted as taking the budget, "+
		"so a statistic of a row with such trials is a lower bound on the true one, marked ≥, or > the budget where it reaches it. "+
		"IQM is the interquartile mean, the mean of the middle half of the trials; it and the median are the aggregates rliable recommends (Agarwal et al., 2021). "+
		"Intervals are %.0f%% percentile bootstrap confidence intervals over seeds, of %d replicates", 100*SummaryLevel, SummaryReps)
	if pooled {
		b.WriteString(", stratified by environment in the rows over all environments")
	}
	b.WriteString(". Real time is the median over trials of simulated seconds per wall second.")
	if withObs {
		fmt.Fprintf(b, " Observation is what the agent learned from: the environment's state, or pixels WxH, camera images of that size, "+
			"RGB in stacks of %d frames unless it says gray or stack N, with the distractor it names (shapes or noise) drawn in.", envs.DefaultPixelStack)
	}
	b.WriteString("\n")
}
