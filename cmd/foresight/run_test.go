package main

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
)

func TestRunJSONIsDeterministic(t *testing.T) {
	args := []string{"run", "--env", "Pendulum-v0", "--episodes", "3", "--seed", "42", "--json", "--param", "mass=1.5"}
	first := invoke(args...)
	first.check(t, exitOK, "")
	if second := invoke(args...); second.stdout != first.stdout {
		t.Fatalf("two identical runs printed\n%s\nand\n%s", first.stdout, second.stdout)
	}
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(first.stdout))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q is not JSON: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 3 episodes and a summary", len(lines))
	}
	for k, m := range lines[:3] {
		for _, f := range []string{"env", "agent", "seed", "episode", "episode_seed", "return", "length", "seconds", "success", "terminated", "truncated", "blow_up"} {
			if _, ok := m[f]; !ok {
				t.Errorf("episode line %d lacks %q", k, f)
			}
		}
		if m["kind"] != "episode" || m["episode"] != float64(k) || m["episode_seed"] != float64(42+k) || m["length"] != 200.0 {
			t.Errorf("episode line %d = %v", k, m)
		}
	}
	if s := lines[3]; s["kind"] != "summary" || s["episodes"] != 3.0 || s["mean_length"] != 200.0 {
		t.Errorf("summary = %v", s)
	}
}

// Episode k of a run with seed S is the episode of a one-episode run with seed S+k.
func TestRunEpisodeSeeds(t *testing.T) {
	episodeLine := func(args ...string) string {
		out := invoke(append([]string{"run", "--env", "Pendulum-v0", "--json"}, args...)...).stdout
		lines := strings.Split(out, "\n")
		return lines[len(lines)-3] // the last episode line, before the summary and the final newline
	}
	got := episodeLine("--seed", "7", "--episodes", "3")
	want := episodeLine("--seed", "9", "--episodes", "1")
	field := func(s, name string) any {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		return m[name]
	}
	if field(got, "return") != field(want, "return") || field(got, "episode_seed") != field(want, "episode_seed") {
		t.Errorf("episode 2 of seed 7:\n%s\nepisode 0 of seed 9:\n%s", got, want)
	}
}

func TestRunTable(t *testing.T) {
	args := []string{"run", "--env", "Pendulum-v0", "--agent", "zero", "--episodes", "2"}
	r := invoke(args...)
	r.check(t, exitOK, "")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 5 {
		t.Fatalf("printed %d lines, want a title, a header, 2 episodes and a summary:\n%s", len(lines), r.stdout)
	}
	if !strings.HasPrefix(lines[0], "Pendulum-v0, zero agent, seed 0, 2 episodes") ||
		!strings.HasPrefix(lines[4], "success rate 0/2 (0%), return ") {
		t.Errorf("unexpected output:\n%s", r.stdout)
	}
	if again := invoke(args...); again.stdout != r.stdout {
		t.Error("repeated run printed different output")
	}
}

// TestRunCheckpoint checks that run --checkpoint plays the agent a training run left,
// under the parameters it trained with or others, says what it restored, and refuses a
// checkpoint of another environment or agent.
func TestRunCheckpoint(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	for seed, d := range map[string]string{"3": dir, "4": other} {
		if r := invoke("train", "--env", "Pendulum-v0", "--agent", "jepa", "--seed", seed, "--budget", "10s", "--checkpoint", d); r.code != exitOK {
			t.Fatalf("train: exit code %d, stderr %q", r.code, r.stderr)
		}
	}
	summary := func(r result) map[string]any {
		t.Helper()
		r.check(t, exitOK, "")
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		var m map[string]any
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	play := func(extra ...string) result {
		return invoke(append([]string{"run", "--env", "Pendulum-v0", "--agent", "jepa", "--episodes", "1", "--json"}, extra...)...)
	}
	same := summary(play("--checkpoint", dir))
	if r, _ := same["restored"].(string); !strings.Contains(r, "restored jepa from "+dir+": 0:00:10 of experience") || strings.Contains(r, "trained with") {
		t.Errorf("restored = %q", r)
	}
	// Agents trained on other seeds act differently from the same start: their weights came back.
	if o := summary(play("--checkpoint", other)); o["mean_return"] == same["mean_return"] {
		t.Errorf("two checkpoints gave the same return %v", o["mean_return"])
	}
	heavier := summary(play("--checkpoint", dir, "--param", "mass=1.5"))
	if r, _ := heavier["restored"].(string); !strings.HasSuffix(r, "trained with mass=1") {
		t.Errorf("under another mass, restored = %q, want it to name the mass trained with", r)
	}
	if heavier["mean_return"] == same["mean_return"] {
		t.Error("a heavier pendulum gave the same return")
	}
	play("--checkpoint", t.TempDir()).check(t, exitFailure, "no checkpoint in")
	invoke("run", "--env", "CartPoleSwingup-v0", "--agent", "jepa", "--checkpoint", dir).check(t, exitUsage, "is of jepa on Pendulum-v0")
	invoke("run", "--env", "Pendulum-v0", "--agent", "pets", "--checkpoint", dir).check(t, exitUsage, "is of jepa on Pendulum-v0")
}
