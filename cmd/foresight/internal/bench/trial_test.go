package bench

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// testSweep is a small sweep for the tests.
var testSweep = Config{Envs: []string{"Pendulum-v0", "Acrobot-v0"}, Agents: []string{"random", "zero", "oracle"}, Seeds: 3, Budget: time.Minute}

// TestTrialsOrder checks that a sweep's trials come by environment, agent and seed.
func TestTrialsOrder(t *testing.T) {
	trials := testSweep.Trials()
	if len(trials) != 2*3*3 {
		t.Fatalf("%d trials, want 18", len(trials))
	}
	if trials[0] != (Trial{Env: "Pendulum-v0", Agent: "random", Seed: 0}) || trials[4] != (Trial{Env: "Pendulum-v0", Agent: "zero", Seed: 1}) || trials[17] != (Trial{Env: "Acrobot-v0", Agent: "oracle", Seed: 2}) {
		t.Errorf("trials out of order: %v", trials)
	}
}

// TestShardsPartition checks that the shards of a sweep, for several shard counts, hold
// every trial exactly once between them.
func TestShardsPartition(t *testing.T) {
	all := testSweep.Trials()
	for _, n := range []int{1, 2, 4, 7, 18, 25} {
		seen := map[Trial]int{}
		for i := range n {
			for _, tr := range (Shard{I: i, N: n}).Select(all) {
				seen[tr]++
			}
		}
		for _, tr := range all {
			if seen[tr] != 1 {
				t.Errorf("%d shards: trial %s in %d shards, want 1", n, tr, seen[tr])
			}
		}
		if len(seen) != len(all) {
			t.Errorf("%d shards: %d distinct trials, want %d", n, len(seen), len(all))
		}
	}
}

// TestParseShard checks shards written out and shards whose index comes from a job array.
func TestParseShard(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	tests := []struct {
		in   string
		vars map[string]string
		want Shard
		err  string
	}{
		{"0/4", nil, Shard{0, 4}, ""},
		{"3/4", nil, Shard{3, 4}, ""},
		{"/4", map[string]string{"JOB_COMPLETION_INDEX": "2"}, Shard{2, 4}, ""},
		{"/4", map[string]string{"SLURM_ARRAY_TASK_ID": "1"}, Shard{1, 4}, ""},
		{"/4", map[string]string{"JOB_COMPLETION_INDEX": "0", "SLURM_ARRAY_TASK_ID": "3"}, Shard{0, 4}, ""},
		{"/4", nil, Shard{}, "neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID"},
		{"4/4", nil, Shard{}, "from 0 to 3"},
		{"-1/4", nil, Shard{}, "from 0 to 3"},
		{"1/0", nil, Shard{}, "positive"},
		{"2", nil, Shard{}, "want I/N"},
		{"a/b", nil, Shard{}, "positive"},
		{"/4", map[string]string{"SLURM_ARRAY_TASK_ID": "x"}, Shard{}, "from 0 to 3"},
	}
	for _, tt := range tests {
		t.Run(tt.in+strings.Join(slices.Sorted(maps.Keys(tt.vars)), ","), func(t *testing.T) {
			got, err := ParseShard(tt.in, env(tt.vars))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("ParseShard(%q) = %v, %v; want an error about %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseShard(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

// FuzzParseShard feeds ParseShard arbitrary shards and job-array indices: it must not
// panic, and a shard it accepts must have 0 ≤ I < N.
func FuzzParseShard(f *testing.F) {
	f.Add("0/4", "")
	f.Add("/4", "3")
	f.Add("/4", "-1")
	f.Add("9223372036854775807/9223372036854775807", "")
	f.Fuzz(func(t *testing.T, s, index string) {
		sh, err := ParseShard(s, func(string) string { return index })
		if err == nil && !(0 <= sh.I && sh.I < sh.N) {
			t.Fatalf("ParseShard(%q) = %+v", s, sh)
		}
	})
}
