package bench

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/agent"
)

var summaryConfig = Config{Envs: []string{"A", "B"}, Agents: []string{"x", "y"}, Seeds: 4, Budget: 10 * time.Minute}

// summaryRec returns the record of env/agent/seed, competent at ttc seconds, or never
// when ttc is negative.
func summaryRec(env, agent string, seed uint64, ttc, realTime float64) Record {
	r := Record{Trial: Trial{Env: env, Agent: agent, Seed: seed}, Budget: 600, RealTime: realTime}
	if ttc >= 0 {
		r.Competent, r.TTC = true, &ttc
	}
	return r
}

// summaryRecords returns the records of a partly done sweep of summaryConfig: A/x all
// competent, A/y none, B/x three of four done with one not competent, B/y none done.
func summaryRecords() []Record {
	return []Record{
		summaryRec("A", "x", 0, 60, 400), summaryRec("A", "x", 1, 120, 410), summaryRec("A", "x", 2, 180, 420), summaryRec("A", "x", 3, 240, 430),
		summaryRec("A", "y", 0, -1, 9.5), summaryRec("A", "y", 1, -1, 10.5), summaryRec("A", "y", 2, -1, 11.5), summaryRec("A", "y", 3, -1, 12.5),
		summaryRec("B", "x", 0, 30, 0.5), summaryRec("B", "x", 2, 90, 0.7), summaryRec("B", "x", 3, -1, 0.9),
	}
}

func TestSummary(t *testing.T) {
	recs := summaryRecords()
	recs = append(recs, summaryRec("A", "x", 0, 590, 1), summaryRec("C", "x", 0, 1, 1)) // a duplicate, and a trial outside the sweep
	slices.Reverse(recs[:11])                                                           // keep the duplicate after its first record
	before := slices.Clone(recs)
	out := Summary(summaryConfig, recs, 1)
	t.Logf("\n%s", out)
	if !slices.EqualFunc(recs, before, func(a, b Record) bool { return a.Trial == b.Trial && a.TTC == b.TTC }) {
		t.Errorf("Summary modified its records")
	}
	for _, want := range []string{
		"2 environments (A, B) × 2 agents (x, y) × 4 seeds, each with a budget of 0:10:00 of simulated experience: 11 of 16 trials done. 1 record of trials outside the sweep left out.",
		"| A | x | 4/4 | 4/4 | 0:02:30 [",
		"| A | y | 4/4 | 0/4 | > 0:10:00 | > 0:10:00 | 11.0× |",
		"| B | x | 3/4 | 2/3 | ≥ 0:01:30 [0:00:30, > 0:10:00] | ≥ 0:04:00 [0:00:30, > 0:10:00] | 0.70× |",
		"| B | y | 0/4 | 0/0 | — | — | — |",
		"| **all** | x | 7/8 | 6/7 | ≥ 0:02:00 [",
		"| **all** | y | 4/8 | 0/4 | > 0:10:00 | > 0:10:00 | 11.0× |",
		"95% percentile bootstrap confidence intervals over seeds, of 2000 replicates, stratified by environment",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	rows := []string{"| A | x |", "| A | y |", "| B | x |", "| B | y |", "| **all** | x |", "| **all** | y |"}
	last := -1
	for _, r := range rows {
		i := strings.Index(out, r)
		if i < last {
			t.Errorf("row %q out of order", r)
		}
		last = i
	}
	// A/x: the median and IQM are both 150 s, with an interval within the range of the TTCs.
	ax := rowLine(out, "| A | x |")
	if want := "| A | x | 4/4 | 4/4 | 0:02:30 [0:01:"; !strings.HasPrefix(ax, want) || strings.Count(ax, "0:02:30 [") != 2 || !strings.HasSuffix(ax, "| 415× |") {
		t.Errorf("row A/x = %q, want median and IQM 0:02:30 with intervals, real time 415×", ax)
	}
}

// withRuns fills in what the records' runs did, consistently with their verdicts: the
// experience they trained (to competence or the budget), the wall time that took at their
// real-time factors, an episode per 10 s, and a curve of two episodes.
func withRuns(recs []Record) []Record {
	for i := range recs {
		r := &recs[i]
		r.Experience = r.Budget
		if r.TTC != nil {
			r.Experience = *r.TTC
		}
		r.Wall, r.Episodes = r.Experience/r.RealTime, int(r.Experience/10)
		r.Curve = []agent.EpisodePoint{{Return: float64(10 * r.Seed)}, {Episode: 1, Return: 5.25 + float64(r.Seed)}}
	}
	return recs
}

// TestTrials checks the table of trials: a row per trial with a record, in the sweep's
// order, the first record of a trial recorded twice, none for trials outside the sweep, and
// nothing at all for a sweep without records.
func TestTrials(t *testing.T) {
	recs := withRuns(summaryRecords())
	recs = append(recs, withRuns([]Record{summaryRec("A", "x", 0, 590, 1), summaryRec("C", "x", 0, 1, 1)})...)
	slices.Reverse(recs[:11])
	out := Trials(summaryConfig, recs)
	t.Logf("\n%s", out)
	rows := []string{
		"| A | x | 0 | 0:01:00 | 5.2 | 6 | 0:01:00 | 0:00:00 | 400× |",
		"| A | x | 3 | 0:04:00 | 30.0 | 24 | 0:04:00 | 0:00:00 | 430× |",
		"| A | y | 1 | > 0:10:00 | 10.0 | 60 | 0:10:00 | 0:00:57 | 10.5× |",
		"| B | x | 0 | 0:00:30 | 5.2 | 3 | 0:00:30 | 0:01:00 | 0.50× |",
		"| B | x | 3 | > 0:10:00 | 30.0 | 60 | 0:10:00 | 0:11:06 | 0.90× |",
	}
	last := -1
	for _, r := range rows {
		i := strings.Index(out, r)
		if i < 0 || i < last {
			t.Errorf("the table lacks %q, or has it out of order", r)
		}
		last = i
	}
	if n := strings.Count(out, "\n| ") - 1; n != 11 { // less the header
		t.Errorf("the table has %d rows, want 11: one per trial of the sweep with a record", n)
	}
	if got := Trials(summaryConfig, nil); got != "" {
		t.Errorf("Trials without records = %q, want nothing", got)
	}
}

// rowLine returns the line of s that begins with prefix.
func rowLine(s, prefix string) string {
	for l := range strings.Lines(s) {
		if strings.HasPrefix(l, prefix) {
			return strings.TrimSuffix(l, "\n")
		}
	}
	return ""
}

func TestSummaryDeterministic(t *testing.T) {
	recs := summaryRecords()
	want := Summary(summaryConfig, recs, 7)
	shuffled := slices.Clone(recs)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if got := Summary(summaryConfig, shuffled, 7); got != want {
		t.Errorf("summary of shuffled records differs:\n%s\nwant\n%s", got, want)
	}
	// A row's intervals depend on its own records alone.
	fewer := slices.DeleteFunc(slices.Clone(recs), func(r Record) bool { return r.Env == "B" })
	got := Summary(summaryConfig, fewer, 7)
	if a, b := rowLine(got, "| A | x |"), rowLine(want, "| A | x |"); a != b {
		t.Errorf("row A/x changed with other rows' records: %q, was %q", a, b)
	}
	if Summary(summaryConfig, recs, 8) == want {
		t.Errorf("seeds 7 and 8 give the same summary: the seed is not used")
	}
}

func TestSummaryEmpty(t *testing.T) {
	out := Summary(summaryConfig, nil, 1)
	for _, want := range []string{
		"0 of 16 trials done.",
		"| A | x | 0/4 | 0/0 | — | — | — |",
		"| B | y | 0/4 | 0/0 | — | — | — |",
		"| **all** | y | 0/8 | 0/0 | — | — | — |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary of no records lacks %q:\n%s", want, out)
		}
	}
	one := Config{Envs: []string{"A"}, Agents: []string{"x"}, Seeds: 1, Budget: time.Hour}
	out = Summary(one, nil, 1)
	if strings.Contains(out, "**all**") || strings.Contains(out, "stratified") {
		t.Errorf("summary of one environment has rows or notes over all environments:\n%s", out)
	}
	if !strings.Contains(out, "1 environment (A) × 1 agent (x) × 1 seed, each with a budget of 1:00:00") {
		t.Errorf("summary of one trial lacks its sweep line:\n%s", out)
	}
}

func TestSortRecords(t *testing.T) {
	recs := []Record{
		summaryRec("Z", "x", 0, 1, 1), summaryRec("B", "y", 1, 1, 1), summaryRec("A", "y", 0, 1, 1),
		summaryRec("B", "x", 3, 1, 1), summaryRec("A", "x", 2, 1, 1), summaryRec("A", "x", 9, 1, 1), summaryRec("A", "x", 0, 1, 1),
	}
	SortRecords(summaryConfig, recs)
	var got []string
	for _, r := range recs {
		got = append(got, r.Trial.String())
	}
	want := []string{"A/x/0", "A/x/2", "A/y/0", "B/x/3", "B/y/1", "A/x/9", "Z/x/0"}
	if !slices.Equal(got, want) {
		t.Errorf("SortRecords order = %v, want %v", got, want)
	}
}

func TestFactorText(t *testing.T) {
	cases := []struct {
		x    float64
		want string
	}{{412.3, "412×"}, {41.23, "41.2×"}, {4.123, "4.12×"}, {0.853, "0.85×"}, {0, "0.00×"}}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			if got := factorText(c.x); got != c.want {
				t.Errorf("factorText(%v) = %q, want %q", c.x, got, c.want)
			}
		})
	}
}
