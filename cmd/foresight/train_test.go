package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/agent"
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

// TestTrainCheckpointResume checks that a jepa run stopped after its first episode and
// resumed from --checkpoint ends with the same curve, bit for bit, as a run that was never
// stopped, and that a finished run resumed again trains no further.
func TestTrainCheckpointResume(t *testing.T) {
	dir := t.TempDir()
	args := func(budget string, extra ...string) []string {
		return append([]string{"train", "--env", "Pendulum-v0", "--agent", "jepa", "--seed", "3", "--keep-going", "--json", "--budget", budget}, extra...)
	}
	curve := func(r result) string {
		t.Helper()
		if r.code != exitOK {
			t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
		}
		var res struct {
			Curve json.RawMessage `json:"curve"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatal(err)
		}
		return string(res.Curve)
	}
	whole := curve(invoke(args("12s")...))
	curve(invoke(args("10s", "--checkpoint", dir)...))
	resumed := invoke(args("12s", "--checkpoint", dir)...)
	if got := curve(resumed); got != whole {
		t.Errorf("resumed run's curve differs from the uninterrupted one:\n%s\n%s", got, whole)
	}
	if !strings.Contains(resumed.stderr, "resuming from") {
		t.Errorf("stderr does not say it resumed: %q", resumed.stderr)
	}
	again := invoke(args("12s", "--checkpoint", dir)...)
	if got := curve(again); got != whole || strings.Contains(again.stderr, "\nepisode ") {
		t.Errorf("a finished run resumed again trained further: %q", again.stderr)
	}
}

// TestTrainCheckpointErrors checks that a checkpoint of another run, a corrupt one, or a
// path that is not a regular file is refused in one line with the documented exit status,
// without hanging, and left as it was.
func TestTrainCheckpointErrors(t *testing.T) {
	dir := t.TempDir()
	base := []string{"train", "--env", "Pendulum-v0", "--agent", "random", "--budget", "10s", "--checkpoint", dir}
	if r := invoke(base...); r.code != exitOK {
		t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
	}
	path := filepath.Join(dir, agent.CheckpointFile)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fifo := func(path string) error { return syscall.Mkfifo(path, 0o644) }
	zero := func(path string) error { return os.Symlink("/dev/zero", path) }
	tests := []struct {
		name string
		args []string
		data []byte
		make func(path string) error // makes the checkpoint's path instead of data
		code int
		msg  string
	}{
		{"other env", []string{"train", "--env", "CartPoleSwingup-v0", "--agent", "random", "--budget", "10s", "--checkpoint", dir}, good, nil, exitUsage, "is of random on Pendulum-v0"},
		{"other agent", []string{"train", "--env", "Pendulum-v0", "--agent", "zero", "--budget", "10s", "--checkpoint", dir}, good, nil, exitUsage, "is of random on Pendulum-v0"},
		{"other param", append(slices.Clone(base), "--param", "length=1.5"), good, nil, exitUsage, "is of random on Pendulum-v0"},
		{"other seed", append(slices.Clone(base), "--seed", "9"), good, nil, exitUsage, "holds a run with seed 0, not 9"},
		{"lower budget", []string{"train", "--env", "Pendulum-v0", "--agent", "random", "--budget", "5s", "--checkpoint", dir}, good, nil, exitUsage, "more than --budget 5s"},
		{"truncated", base, good[:len(good)/2], nil, exitFailure, "is corrupt"},
		{"foreign", base, []byte("hello"), nil, exitFailure, "not a Foresight state"},
		{"FIFO", base, nil, fifo, exitFailure, "is a FIFO, not a regular file"},
		{"link to /dev/zero", base, nil, zero, exitFailure, "is a character device, not a regular file"},
		{"link to nothing", base, nil, func(path string) error { return os.Symlink("missing", path) }, exitFailure, "is a symbolic link to a missing file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(path)
			if tt.make != nil {
				if err := tt.make(path); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Lstat(path)
			r := invokeWithin(t, 20*time.Second, tt.args...)
			if r.code != tt.code || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, tt.msg) {
				t.Errorf("exit code %d, stderr %q: want %d and one line containing %q", r.code, r.stderr, tt.code, tt.msg)
			}
			after, _ := os.Lstat(path)
			if after.Mode() != before.Mode() || after.ModTime() != before.ModTime() {
				t.Error("the checkpoint's path was changed")
			}
			if tt.make == nil {
				if got, _ := os.ReadFile(path); !bytes.Equal(got, tt.data) {
					t.Error("the checkpoint was changed")
				}
			}
		})
	}
}

func TestProgressLine(t *testing.T) {
	tests := []struct {
		name     string
		point    agent.EpisodePoint
		want     string
		dontWant string
	}{
		{"no evaluation", agent.EpisodePoint{Episode: 3, Experience: 40, Evaluated: -1}, "episode    3  experience 0:00:40", "evaluation"},
		{"failed evaluation", agent.EpisodePoint{Success: true, Evaluated: 1}, "success yes  evaluation 1 of 4 successes needed", ""},
		{"passed evaluation", agent.EpisodePoint{Success: true, Evaluated: 4}, "evaluation 4 of 4 successes needed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := progressLine(tt.point)
			if !strings.Contains(line, tt.want) || (tt.dontWant != "" && strings.Contains(line, tt.dontWant)) {
				t.Errorf("progress line %q: want %q in it and not %q", line, tt.want, tt.dontWant)
			}
		})
	}
}
