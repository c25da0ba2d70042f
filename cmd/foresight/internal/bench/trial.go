package bench

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/envs"
)

// Config describes a sweep: every agent on every environment, with the parameters Params
// sets, observing it in each of the ways Observations lists, with seeds 0 to Seeds−1, each trained for at most Budget of
// simulated experience.
type Config struct {
	Envs   []string `json:"envs"`
	Agents []string `json:"agents"`
	// Observations lists what the agents observe, each envs.StateObservation or a canonical
	// pixel description (envs.PixelConfig.String, such as "pixels 64x64 shapes"). Empty
	// means the state alone, as in sweeps made before agents learned from pixels.
	Observations []string      `json:"observations,omitempty"`
	Seeds        int           `json:"seeds"`
	Budget       time.Duration `json:"budget"`
	// Concurrent has the agents that learn a world model (agent.LearnsModel) train on a second
	// goroutine while they act.
	Concurrent bool `json:"concurrent,omitempty"`
	// Settings changes settings of the agents that learn a world model (agent.Set).
	Settings map[string]string `json:"settings,omitempty"`
	// Params sets physical parameters of every environment by name (envs.WithParams), such
	// as which maze Maze-v0 runs.
	Params map[string]float64 `json:"params,omitempty"`
}

// Trial is one training run of a sweep.
type Trial struct {
	Env   string `json:"env"`
	Agent string `json:"agent"`
	// Observation is what the agent observes: a canonical pixel description, or empty for
	// the state, so that records made before agents learned from pixels mean the state.
	Observation string `json:"observation,omitempty"`
	Seed        uint64 `json:"seed"`
}

// String names the trial, as env/agent/seed, followed by the observation in parentheses
// unless it is the state, such as "Pendulum-v0/jepa/3 (pixels 64x64 shapes)".
func (t Trial) String() string {
	s := fmt.Sprintf("%s/%s/%d", t.Env, t.Agent, t.Seed)
	if o := t.Observed(); o != envs.StateObservation {
		s += " (" + o + ")"
	}
	return s
}

// Observed returns the description of what the trial's agent observes, as
// envs.ParseObservation reads it: Observation, or envs.StateObservation where it is empty.
func (t Trial) Observed() string {
	if t.Observation == "" {
		return envs.StateObservation
	}
	return t.Observation
}

// key returns t as the sweep's trials and a store's index hold it, with the state written
// as an empty Observation.
func (t Trial) key() Trial {
	if t.Observation == envs.StateObservation {
		t.Observation = ""
	}
	return t
}

// learnsConcurrently reports whether the sweep's agent called name learns concurrently.
func (c Config) learnsConcurrently(name string) bool {
	return c.Concurrent && agent.LearnsModel(name)
}

// settingsOf returns the settings the sweep changes for the agent called name.
func (c Config) settingsOf(name string) map[string]string {
	if len(c.Settings) == 0 || !agent.LearnsModel(name) {
		return nil
	}
	return c.Settings
}

// observations returns the sweep's observations, [envs.StateObservation] where the
// configuration lists none.
func (c Config) observations() []string {
	if len(c.Observations) == 0 {
		return []string{envs.StateObservation}
	}
	return c.Observations
}

// Trials returns the sweep's trials in a fixed order: by environment, then agent, then
// observation, then seed, each in the order the configuration lists them. A trial of the
// state has an empty Observation, so a sweep of the state alone has the trials, in the
// order, that it had before sweeps had observations.
func (c Config) Trials() []Trial {
	var out []Trial
	for _, e := range c.Envs {
		for _, a := range c.Agents {
			for _, o := range c.observations() {
				for s := range c.Seeds {
					out = append(out, Trial{Env: e, Agent: a, Observation: o, Seed: uint64(s)}.key())
				}
			}
		}
	}
	return out
}

// Shard selects the part of a sweep one machine runs: trial k of the sweep's fixed order
// belongs to shard k mod N. Shard 0 of 1 is the whole sweep.
type Shard struct {
	I, N int
}

// Select returns the trials of the shard, in order.
func (s Shard) Select(trials []Trial) []Trial {
	var out []Trial
	for k, t := range trials {
		if k%s.N == s.I {
			out = append(out, t)
		}
	}
	return out
}

// ParseShard reads a shard as I/N, or as /N with I taken from the job-array index of
// Kubernetes (JOB_COMPLETION_INDEX) or Slurm (SLURM_ARRAY_TASK_ID), read with getenv. It
// returns an error unless 0 ≤ I < N.
func ParseShard(s string, getenv func(string) string) (Shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("bench: shard %q: want I/N, such as 0/4, or /N with the index from the job array", s)
	}
	n, err := strconv.Atoi(ns)
	if err != nil || n < 1 {
		return Shard{}, fmt.Errorf("bench: shard %q: N must be a positive whole number", s)
	}
	if is == "" {
		for _, v := range []string{"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"} {
			if is = getenv(v); is != "" {
				break
			}
		}
		if is == "" {
			return Shard{}, fmt.Errorf("bench: shard %q names no index, and neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set", s)
		}
	}
	i, err := strconv.Atoi(is)
	if err != nil || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("bench: shard index %q: want a whole number from 0 to %d", is, n-1)
	}
	return Shard{I: i, N: n}, nil
}
