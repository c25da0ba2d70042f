package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestTrainJSON(t *testing.T) {
	r := invoke("train", "--env", "Pendulum-v0", "--agent", "random", "--budget", "25s", "--seed", "4", "--json")
	if r.code != exitOK {
		t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("stdout is not one JSON object: %q (%v)", r.stdout, err)
	}
	for _, f := range []string{"env", "agent", "seed", "competent", "ttc_seconds", "experience_seconds", "wall_seconds", "episodes", "curve"} {
		if _, ok := m[f]; !ok {
			t.Errorf("summary lacks %q", f)
		}
	}
	if m["experience_seconds"] != 25.0 || m["episodes"] != 3.0 || m["ttc_seconds"] != nil || m["competent"] != false {
		t.Errorf("summary %v: want 25 s over 3 episodes, never competent", m)
	}
	if got := strings.Count(r.stderr, "\nepisode "); got != 3 {
		t.Errorf("%d progress lines on stderr, want 3:\n%s", got, r.stderr)
	}
}

func TestTrainErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"no budget", []string{"--env", "Pendulum-v0", "--agent", "random"}, "--budget must be a duration between 0 and"},
		{"negative budget", []string{"--env", "Pendulum-v0", "--agent", "random", "--budget", "-5s"}, "--budget must be"},
		{"bad budget", []string{"--env", "Pendulum-v0", "--agent", "random", "--budget", "ten"}, `invalid value "ten" for flag -budget`},
		{"no agent", []string{"--env", "Pendulum-v0", "--budget", "1m"}, "--agent is required"},
		{"unknown agent", []string{"--env", "Pendulum-v0", "--agent", "smart", "--budget", "1m"}, `unknown agent "smart"`},
		{"unknown env", []string{"--env", "Nope-v0", "--agent", "random", "--budget", "1m"}, `unknown environment "Nope-v0"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			invoke(append([]string{"train"}, tt.args...)...).check(t, exitUsage, tt.msg)
		})
	}
}
