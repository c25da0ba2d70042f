package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/envs"
)

// maxEpisodes bounds --episodes.
const maxEpisodes = 100000

var runCommand = command{
	name:    "run",
	args:    "--env ID [--agent NAME] [--episodes N] [--seed S] [--json] [--checkpoint DIR] [--obs pixels [--pixels WxH] [--distract KIND]] [--param name=value ...]",
	summary: "roll out an agent headless and report returns and success",
	setup: func(fs *flag.FlagSet) action {
		var c runConfig
		c.env.define(fs, "`seed` of the run: episode k resets with seed S+k")
		fs.StringVar(&c.agent, "agent", "random", "agent `name`: "+strings.Join(agent.Names(), ", "))
		fs.IntVar(&c.episodes, "episodes", 10, "number of episodes")
		fs.BoolVar(&c.json, "json", false, "print one JSON object per episode and a summary object, one per line")
		c.checkpoint.define(fs)
		return c.run
	},
}

// runConfig holds the flags of foresight run.
type runConfig struct {
	env        envFlags
	agent      string
	episodes   int
	json       bool
	checkpoint trainedFlag
}

// episodeRecord is one line of foresight run --json.
type episodeRecord struct {
	Kind        string  `json:"kind"` // "episode"
	Env         string  `json:"env"`
	Agent       string  `json:"agent"`
	Seed        uint64  `json:"seed"`
	Episode     int     `json:"episode"`
	EpisodeSeed uint64  `json:"episode_seed"`
	Return      float64 `json:"return"`
	Length      int     `json:"length"`
	Seconds     float64 `json:"seconds"`
	Success     bool    `json:"success"`
	Terminated  bool    `json:"terminated"`
	Truncated   bool    `json:"truncated"`
	BlowUp      bool    `json:"blow_up"`
}

// summaryRecord is the last line of foresight run --json.
type summaryRecord struct {
	Kind        string  `json:"kind"` // "summary"
	Env         string  `json:"env"`
	Agent       string  `json:"agent"`
	Seed        uint64  `json:"seed"`
	Episodes    int     `json:"episodes"`
	Successes   int     `json:"successes"`
	SuccessRate float64 `json:"success_rate"`
	MeanReturn  float64 `json:"mean_return"`
	StdReturn   float64 `json:"std_return"`
	MeanLength  float64 `json:"mean_length"`
	BlowUps     int     `json:"blow_ups"`
	// Restored says what --checkpoint restored, when given.
	Restored string `json:"restored,omitempty"`
}

func (c *runConfig) run(stdout, _ io.Writer) error {
	if err := checkEpisodes(c.env.seed, c.episodes, maxEpisodes); err != nil {
		return err
	}
	env, err := c.env.make()
	if err != nil {
		return err
	}
	ag, err := agent.New(c.agent, env, c.env.seed)
	if err != nil {
		return usageError{err}
	}
	restored, err := c.checkpoint.restore(env, ag, c.agent)
	if err != nil {
		return err
	}
	if l, ok := ag.(agent.Learner); ok && restored != "" {
		l.SetEval(true) // what the agent learnt, without exploring
	}
	if c.json {
		return c.printJSON(stdout, env, ag, restored)
	}
	return c.printTable(stdout, env, ag, restored)
}

// printJSON prints a line per episode as it ends, then a summary line that includes
// restored, what --checkpoint restored ("" without it).
func (c *runConfig) printJSON(stdout io.Writer, env envs.Env, ag agent.Agent, restored string) error {
	enc := newJSONEncoder(stdout)
	id := env.Spec().ID
	t, err := rollouts(env, ag, c.env.seed, c.episodes, func(k int, seed uint64, r agent.EpisodeResult) error {
		return enc.Encode(episodeRecord{"episode", id, c.agent, c.env.seed, k, seed,
			r.Return, r.Length, r.Seconds, r.Success, r.Terminated, r.Truncated, r.BlowUp})
	})
	if err != nil {
		return err
	}
	return enc.Encode(summaryRecord{"summary", id, c.agent, c.env.seed, t.episodes, t.successes,
		t.successRate(), t.meanReturn(), t.stdReturn(), t.meanLength(), t.blowUps, restored})
}

// printTable prints restored, what --checkpoint restored (if anything), a row per episode
// as it ends, then a summary line.
func (c *runConfig) printTable(stdout io.Writer, env envs.Env, ag agent.Agent, restored string) error {
	fmt.Fprintf(stdout, "%s, %s agent, seed %d, %d episodes\n", env.Spec().ID, c.agent, c.env.seed, c.episodes)
	if restored != "" {
		fmt.Fprintln(stdout, restored)
	}
	fmt.Fprintf(stdout, "%7s  %6s  %9s  %6s  %7s  %7s  %s\n", "episode", "seed", "return", "length", "seconds", "success", "end")
	t, err := rollouts(env, ag, c.env.seed, c.episodes, func(k int, seed uint64, r agent.EpisodeResult) error {
		_, err := fmt.Fprintf(stdout, "%7d  %6d  %9.3f  %6d  %7.2f  %7s  %s\n", k, seed, r.Return, r.Length, r.Seconds, yesNo(r.Success), ending(r))
		return err
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "success rate %s, return %.3f ± %.3f (mean ± sd), mean length %.1f\n",
		t.successText(), t.meanReturn(), t.stdReturn(), t.meanLength())
	return err
}

// episodeSeed returns the seed episode k of a run with seed s resets with.
func episodeSeed(s uint64, k int) uint64 { return s + uint64(k) }

// checkEpisodes returns a usage error unless n, the --episodes of a command whose episode k
// resets with seed S+k, is from 1 to most, and those seeds do not wrap past 2⁶⁴−1 to 0.
func checkEpisodes(seed uint64, n, most int) error {
	if n < 1 || n > most {
		return usagef("--episodes must be between 1 and %d, not %d", most, n)
	}
	if seed > math.MaxUint64-uint64(n-1) {
		return usagef("--seed %d with %d episodes: episode k uses seed S+k, which would wrap past %d; use a seed of at most %d",
			seed, n, uint64(math.MaxUint64), uint64(math.MaxUint64)-uint64(n-1))
	}
	return nil
}

// rollouts runs n episodes of ag on env, the k-th from episodeSeed(seed, k), calling each (if
// not nil) after every episode, and returns their tally.
func rollouts(env envs.Env, ag agent.Agent, seed uint64, n int, each func(k int, seed uint64, r agent.EpisodeResult) error) (tally, error) {
	var t tally
	for k := range n {
		s := episodeSeed(seed, k)
		r, err := agent.Rollout(env, ag, s)
		if err != nil {
			return t, err
		}
		t.add(r)
		if each == nil {
			continue
		}
		if err := each(k, s, r); err != nil {
			return t, err
		}
	}
	return t, nil
}

// tally accumulates the results of episodes.
type tally struct {
	episodes, successes, blowUps int
	returns, lengths             []float64
}

func (t *tally) add(r agent.EpisodeResult) {
	t.episodes++
	t.returns = append(t.returns, r.Return)
	t.lengths = append(t.lengths, float64(r.Length))
	if r.Success {
		t.successes++
	}
	if r.BlowUp {
		t.blowUps++
	}
}

func (t tally) successRate() float64 { return float64(t.successes) / float64(t.episodes) }
func (t tally) meanReturn() float64  { return stat.Mean(t.returns, nil) }
func (t tally) meanLength() float64  { return stat.Mean(t.lengths, nil) }

// stdReturn returns the sample standard deviation of the returns (zero for one episode).
func (t tally) stdReturn() float64 {
	if len(t.returns) < 2 {
		return 0
	}
	return stat.StdDev(t.returns, nil)
}

// successText gives the success rate as "3/10 (30%)".
func (t tally) successText() string {
	return fmt.Sprintf("%d/%d (%.0f%%)", t.successes, t.episodes, 100*t.successRate())
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// ending says how an episode ended.
func ending(r agent.EpisodeResult) string {
	switch {
	case r.BlowUp:
		return "blow-up"
	case r.Terminated:
		return "terminated"
	default:
		return "time limit"
	}
}
