package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/foresight-sim/foresight/cmd/foresight/internal/bench"

	"github.com/foresight-sim/foresight/internal/safefile"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/cmd/internal/show"
	"github.com/foresight-sim/foresight/envs"
)

// maxBudget bounds --budget, for train as for bench.
const maxBudget = bench.MaxBudget

var trainCommand = command{
	name:    "train",
	args:    "--env ID --agent NAME [--concurrent] [--set name=value ...] --budget DURATION [--seed S] [--checkpoint DIR] [--json] [--keep-going] [--obs pixels [--pixels WxH] [--distract KIND]] [--param name=value ...]",
	summary: "train an agent online until competence or a budget of simulated experience",
	setup: func(fs *flag.FlagSet) action {
		var c trainConfig
		c.env.define(fs, "`seed` of the run: it seeds the agent and every episode")
		fs.StringVar(&c.agent, "agent", "", "agent `name`: "+strings.Join(agent.Names(), ", "))
		c.learn.define(fs)
		fs.DurationVar(&c.budget, "budget", 0, "simulated experience to train for, such as 90s or 10m")
		fs.BoolVar(&c.json, "json", false, "print the summary as one JSON object")
		fs.BoolVar(&c.keepGoing, "keep-going", false, "keep training after competence until the budget is spent")
		pathVar(fs, &c.checkpoint, "checkpoint", "", "save the run in `DIR` after every episode, and resume it from there if DIR holds one")
		return c.run
	},
}

// trainConfig holds the flags of foresight train.
type trainConfig struct {
	env        envFlags
	agent      string
	learn      learnFlags
	budget     time.Duration
	json       bool
	keepGoing  bool
	checkpoint string
}

func (c *trainConfig) run(stdout, stderr io.Writer) error {
	if c.budget <= 0 || c.budget > maxBudget {
		return usagef("--budget must be a duration between 0 and %v, such as 10m, not %v", maxBudget, c.budget)
	}
	if c.agent == "" {
		return usagef("--agent is required (known: %s)", strings.Join(agent.Names(), ", "))
	}
	env, err := c.env.make()
	if err != nil {
		return err
	}
	ag, err := agent.New(c.agent, env, c.env.seed, c.learn.options()...)
	if err != nil {
		return usageError{err}
	}
	cfg := agent.TrainConfig{
		Seed: c.env.seed, Budget: c.budget, StopWhenCompetent: !c.keepGoing,
		Progress: func(p agent.EpisodePoint) { fmt.Fprintln(stderr, progressLine(p)) },
	}
	if err := c.resume(&cfg, env, ag, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "training %s on %s, seed %d, for %s of experience\n", c.agent, env.Spec().ID, c.env.seed, show.Clock(c.budget.Seconds()))
	res, err := agent.Train(env, ag, c.agent, cfg)
	if err != nil {
		return err
	}
	if c.json {
		return newJSONEncoder(stdout).Encode(res)
	}
	return printTrainSummary(stdout, res)
}

// resume sets up --checkpoint: it restores the agent and the run from the checkpoint if
// there is one, and has cfg save the run after every episode.
func (c *trainConfig) resume(cfg *agent.TrainConfig, env envs.Env, ag agent.Agent, stderr io.Writer) error {
	if c.checkpoint == "" {
		return nil
	}
	if err := os.MkdirAll(c.checkpoint, 0o777); err != nil {
		return fmt.Errorf("--checkpoint %s: %w", c.checkpoint, safefile.Cause(err))
	}
	ck, err := agent.NewCheckpoint(c.checkpoint, env, ag, c.agent)
	if err != nil {
		return err
	}
	if cfg.Resume, err = ck.Load(); err != nil {
		return checkpointError(err)
	}
	if r := cfg.Resume; r != nil {
		if r.Seed != c.env.seed {
			return usagef("--checkpoint %s holds a run with seed %d, not %d", c.checkpoint, r.Seed, c.env.seed)
		}
		if agent.PastBudget(r.Experience, c.budget, env.Spec().ControlDT) {
			return usagef("--checkpoint %s holds a run with %s of experience, more than --budget %v", c.checkpoint, show.Clock(r.Experience), c.budget)
		}
		fmt.Fprintf(stderr, "resuming from %s: %d episodes, %s of experience\n", ck.Path(), r.Episodes, show.Clock(r.Experience))
	}
	cfg.Checkpoint = ck.Save
	return nil
}

// checkpointError returns err, from loading a checkpoint, as a usage error if the checkpoint
// is of another run: the command line named the wrong directory or the wrong run.
func checkpointError(err error) error {
	if errors.Is(err, agent.ErrOtherRun) {
		return usageError{err}
	}
	return err
}

// progressLine describes a finished training episode.
func progressLine(p agent.EpisodePoint) string {
	line := fmt.Sprintf("episode %4d  experience %s  return %8.3f  success %-3s", p.Episode, show.Clock(p.Experience), p.Return, yesNo(p.Success))
	if p.Evaluated >= 0 {
		line += fmt.Sprintf("  evaluation %d of %d successes needed", p.Evaluated, agent.DefaultCompetence.Needed)
	}
	return line
}

func printTrainSummary(w io.Writer, r agent.TrainResult) error {
	ttc := "never, within the budget"
	if r.TTC != nil {
		ttc = show.Clock(*r.TTC) + " of experience"
	}
	agentName := r.Agent + " agent"
	if r.Concurrent {
		agentName += " learning concurrently"
	}
	_, err := fmt.Fprintf(w, "%s, %s, seed %d\ncompetent: %s (time to competence: %s)\nexperience: %s in %d episodes; wall time %.1f s (%.2g× real time)\n",
		r.Env, agentName, r.Seed, yesNo(r.Competent), ttc, show.Clock(r.Experience), r.Episodes, r.Wall, r.Experience/max(r.Wall, 1e-9))
	return err
}
