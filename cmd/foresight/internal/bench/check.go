package bench

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/envs"
)

// Bounds of a sweep, which a sweep file must keep to as the command line does.
const (
	// MaxSeeds is the most seeds per environment and agent.
	MaxSeeds = 1000
	// MaxBudget is the largest budget of simulated experience per trial.
	MaxBudget = 1000 * time.Hour
	// MaxObservations is the most observations a sweep lists.
	MaxObservations = 16
	// MaxSettings is the most settings a sweep changes.
	MaxSettings = 16
	// maxSettingText bounds the length of a setting's name and of its value.
	maxSettingText = 64
)

// validate checks that the configuration describes a sweep: at least one environment and
// agent, each registered and named once, at most MaxObservations observations, each the
// state or a valid pixel observation written canonically and named once, from 1 to MaxSeeds
// seeds, a budget from 0 to MaxBudget, at most MaxSettings settings of short names and
// values, and at most MaxSettings parameters that every environment accepts.
func (c Config) validate() error {
	for _, names := range []struct {
		what  string
		list  []string
		known []string
	}{{"environment", c.Envs, envs.IDs()}, {"agent", c.Agents, agent.Names()}} {
		if len(names.list) == 0 {
			return fmt.Errorf("the sweep names no %s", names.what)
		}
		for i, n := range names.list {
			if !slices.Contains(names.known, n) {
				return fmt.Errorf("the sweep names the unknown %s %.40q", names.what, n)
			}
			if slices.Contains(names.list[:i], n) {
				return fmt.Errorf("the sweep names the %s %s twice", names.what, n)
			}
		}
	}
	if len(c.Observations) > MaxObservations {
		return fmt.Errorf("the sweep names %d observations, more than %d", len(c.Observations), MaxObservations)
	}
	for i, o := range c.Observations {
		if o != envs.StateObservation {
			p, err := envs.ParseObservation(o)
			if err != nil {
				return fmt.Errorf("the sweep names an invalid observation: %w", err)
			}
			if p.String() != o {
				return fmt.Errorf("the sweep names the observation %.60q, which is written %q", o, p.String())
			}
		}
		if slices.Contains(c.Observations[:i], o) {
			return fmt.Errorf("the sweep names the observation %s twice", o)
		}
	}
	if len(c.Settings) > MaxSettings {
		return fmt.Errorf("the sweep changes %d settings, more than %d", len(c.Settings), MaxSettings)
	}
	for k, v := range c.Settings {
		if k == "" || v == "" || len(k) > maxSettingText || len(v) > maxSettingText {
			return fmt.Errorf("the sweep sets %.40q to %.40q: want a name and a value of 1 to %d bytes", k, v, maxSettingText)
		}
	}
	if len(c.Params) > MaxSettings {
		return fmt.Errorf("the sweep sets %d parameters, more than %d", len(c.Params), MaxSettings)
	}
	if len(c.Params) > 0 {
		for _, id := range c.Envs {
			if _, err := envs.Make(id, envs.WithParams(c.Params)); err != nil {
				return fmt.Errorf("the sweep's parameters do not fit %s: %w", id, err)
			}
		}
	}
	if c.Seeds < 1 || c.Seeds > MaxSeeds || c.Budget <= 0 || c.Budget > MaxBudget {
		return fmt.Errorf("the sweep needs 1 to %d seeds and a budget from 0 to %v, not %d and %v", MaxSeeds, MaxBudget, c.Seeds, c.Budget)
	}
	return nil
}

// limits are what an environment's rewards and time limit allow an episode.
type limits struct {
	steps                 int
	dt                    float64
	rewardLow, rewardHigh float64
}

// envLimits returns the limits of the environment id with the given parameters.
func envLimits(id string, params map[string]float64) (limits, error) {
	env, err := envs.Make(id, envs.WithParams(params))
	if err != nil {
		return limits{}, err
	}
	s := env.Spec()
	return limits{steps: s.MaxEpisodeSteps, dt: s.ControlDT, rewardLow: s.RewardRange[0], rewardHigh: s.RewardRange[1]}, nil
}

// check returns an error describing the first value of r that its trial could not have
// produced in the sweep cfg on an environment of limits lim: whatever agent.TrainResult's
// Check finds under the benchmark's competence rule, a budget other than the sweep's,
// experience beyond it, a wall time or real-time factor that is negative or not finite, or
// an episode longer than the time limit or with a return its rewards cannot sum to, or an
// agent learning concurrently where the sweep's learns inline or the other way round, or
// with other settings than the sweep's.
func (r *Record) check(cfg Config, lim limits) error {
	res := agent.TrainResult{Env: r.Env, Agent: r.Agent, Observation: r.Observed(), Seed: r.Seed, Competent: r.Competent, TTC: r.TTC,
		Experience: r.Experience, Wall: r.Wall, Episodes: r.Episodes, Curve: r.Curve}
	if err := res.Check(agent.DefaultCompetence); err != nil {
		return err
	}
	budget := cfg.Budget.Seconds()
	switch {
	case r.Budget != budget:
		return fmt.Errorf("a budget of %v s, the sweep's is %v s", r.Budget, budget)
	case agent.PastBudget(r.Experience, cfg.Budget, lim.dt):
		return fmt.Errorf("%v s of experience, more than the budget", r.Experience)
	case math.IsNaN(r.RealTime) || math.IsInf(r.RealTime, 0) || r.RealTime < 0:
		return fmt.Errorf("a real-time factor of %v", r.RealTime)
	case r.Concurrent != cfg.learnsConcurrently(r.Agent):
		return fmt.Errorf("an agent learning %s, in a sweep whose %s learn %s", learning(r.Concurrent), r.Agent, learning(!r.Concurrent))
	case !maps.Equal(r.Settings, cfg.settingsOf(r.Agent)):
		return fmt.Errorf("settings %v, the sweep's for %s are %v", r.Settings, r.Agent, cfg.settingsOf(r.Agent))
	}
	for _, p := range r.Curve {
		lo, hi := float64(p.Length)*lim.rewardLow, float64(p.Length)*lim.rewardHigh
		slack := 1e-9 * max(1, math.Abs(lo), math.Abs(hi))
		if p.Length > lim.steps || p.Return < lo-slack || p.Return > hi+slack {
			return fmt.Errorf("episode %d: a return of %v in %d steps, outside what %s allows (%d steps, rewards in [%v, %v])",
				p.Episode, p.Return, p.Length, r.Env, lim.steps, lim.rewardLow, lim.rewardHigh)
		}
	}
	return nil
}
