package bench

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Config describes a sweep: every agent on every environment, with seeds 0 to Seeds−1, each
// trained for at most Budget of simulated experience.
type Config struct {
	Envs   []string      `json:"envs"`
	Agents []string      `json:"agents"`
	Seeds  int           `json:"seeds"`
	Budget time.Duration `json:"budget"`
}

// Trial is one training run of a sweep.
type Trial struct {
	Env   string `json:"env"`
	Agent string `json:"agent"`
	Seed  uint64 `json:"seed"`
}

// String names the trial, as env/agent/seed.
func (t Trial) String() string { return fmt.Sprintf("%s/%s/%d", t.Env, t.Agent, t.Seed) }

// Trials returns the sweep's trials in a fixed order: by environment, then agent, then seed,
// each in the order the configuration lists them.
func (c Config) Trials() []Trial {
	var out []Trial
	for _, e := range c.Envs {
		for _, a := range c.Agents {
			for s := range c.Seeds {
				out = append(out, Trial{Env: e, Agent: a, Seed: uint64(s)})
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
