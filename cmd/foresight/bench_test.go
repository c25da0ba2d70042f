package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestBenchSweep checks that a small sweep finishes, writes its summary and results, and
// that report and merge render the same summary from the results alone.
func TestBenchSweep(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "sweep")
	args := []string{"bench", "--envs", "Pendulum-v0", "--agents", "random,zero", "--seeds", "2", "--budget", "20s", "--out", dir, "--workers", "2"}
	r := invoke(args...)
	if r.code != exitOK {
		t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
	}
	summary, err := os.ReadFile(filepath.Join(dir, summaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if string(summary) != r.stdout || !strings.Contains(r.stdout, "| Pendulum-v0 | zero | 2/2 | 0/2 |") ||
		!strings.Contains(r.stdout, "| Pendulum-v0 | zero | 1 | > 0:00:20 |") {
		t.Errorf("summary on stdout and in %s differ or lack the zero agent's row or its seed 1's:\n%s", summaryFile, r.stdout)
	}
	if rep := invoke("bench", "report", dir); rep.code != exitOK || rep.stdout != r.stdout {
		t.Errorf("bench report: exit %d, stderr %q, stdout differs from the sweep's summary", rep.code, rep.stderr)
	}
	merged := filepath.Join(base, "merged")
	if m := invoke("bench", "merge", "--out", merged, dir); m.code != exitOK || m.stdout != r.stdout {
		t.Errorf("bench merge: exit %d, stderr %q, stdout differs from the sweep's summary", m.code, m.stderr)
	}
	again := invoke(args...)
	if again.code != exitOK || again.stdout != r.stdout {
		t.Errorf("running the finished sweep again: exit %d, stderr %q", again.code, again.stderr)
	}
}

// TestBenchErrors checks that bad bench command lines and directories are refused in one
// line and leave the directory as it was.
func TestBenchErrors(t *testing.T) {
	foreign := t.TempDir()
	note := filepath.Join(foreign, "notes.txt")
	if err := os.WriteFile(note, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "sweep")
	ok := []string{"--envs", "Pendulum-v0", "--agents", "random", "--seeds", "1", "--budget", "10s"}
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown env", []string{"bench", "--envs", "Nope-v0", "--agents", "random", "--seeds", "1", "--budget", "10s", "--out", out}, exitUsage, `unknown environment "Nope-v0"`},
		{"unknown agent", []string{"bench", "--agents", "smart", "--seeds", "1", "--budget", "10s", "--out", out}, exitUsage, `unknown agent "smart"`},
		{"no agents", []string{"bench", "--seeds", "1", "--budget", "10s", "--out", out}, exitUsage, "--agents is required"},
		{"zero seeds", []string{"bench", "--agents", "random", "--seeds", "0", "--budget", "10s", "--out", out}, exitUsage, "--seeds must be from 1"},
		{"no budget", []string{"bench", "--agents", "random", "--seeds", "1", "--out", out}, exitUsage, "--budget must be"},
		{"no out", append([]string{"bench"}, ok...), exitUsage, "--out DIR is required"},
		{"bad shard", append(append([]string{"bench"}, ok...), "--out", out, "--shard", "5/4"), exitUsage, "from 0 to 3"},
		{"shard without index", append(append([]string{"bench"}, ok...), "--out", out, "--shard", "/4"), exitUsage, "JOB_COMPLETION_INDEX"},
		{"foreign dir", append(append([]string{"bench"}, ok...), "--out", foreign), exitFailure, "not a foresight bench directory"},
		{"report of a foreign dir", []string{"bench", "report", foreign}, exitFailure, "not a foresight bench directory"},
		{"merge without out", []string{"bench", "merge", foreign}, exitUsage, "want --out DIR"},
		{"unknown observation", append(append([]string{"bench"}, ok...), "--out", out, "--obs", "nope"), exitUsage, `--obs "nope": want state, pixels or both`},
		{"no observation", append(append([]string{"bench"}, ok...), "--out", out, "--obs", ","), exitUsage, "--obs names no observation"},
		{"observation twice", append(append([]string{"bench"}, ok...), "--out", out, "--obs", "pixels,state,pixels"), exitUsage, "--obs names pixels twice"},
		{"distractor without pixels", append(append([]string{"bench"}, ok...), "--out", out, "--distract", "shapes"), exitUsage, "--distract shapes needs pixels in --obs"},
		{"distractors with state", append(append([]string{"bench"}, ok...), "--out", out, "--obs", "state", "--distract", "none,noise"), exitUsage, "--distract noise needs pixels in --obs"},
		{"unknown distractor", append(append([]string{"bench"}, ok...), "--out", out, "--obs", "state,pixels", "--distract", "nope"), exitUsage, `--distract "nope": want none, shapes, noise, jitter`},
		{"distractor twice", append(append([]string{"bench"}, ok...), "--out", out, "--obs", "pixels", "--distract", "none,shapes,none"), exitUsage, "--distract names none twice"},
		{"no distractor", append(append([]string{"bench"}, ok...), "--out", out, "--obs", "pixels", "--distract", ""), exitUsage, "--distract names no distractor"},
		{"zero pixels", append(append([]string{"bench"}, ok...), "--out", out, "--obs", "pixels", "--pixels", "0x0"), exitUsage, `invalid value "0x0" for flag -pixels`},
		{"pixels not WxH", append(append([]string{"bench"}, ok...), "--out", out, "--obs", "pixels", "--pixels", "64"), exitUsage, "want WxH"},
		{"pixels too large", append(append([]string{"bench"}, ok...), "--out", out, "--obs", "pixels", "--pixels", "2048x64"), exitUsage, "--pixels 2048x64: want sides of at most 1024"},
		{"pixels without pixels", append(append([]string{"bench"}, ok...), "--out", out, "--pixels", "32x32"), exitUsage, "--pixels needs pixels in --obs"},
		{"concurrent without learners", append(append([]string{"bench"}, ok...), "--out", out, "--concurrent"), exitUsage, "--concurrent: none of the agents learns concurrently"},
		{"settings without learners", append(append([]string{"bench"}, ok...), "--out", out, "--set", "updates=1"), exitUsage, "--set: none of the agents takes settings"},
		{"unknown parameter", []string{"bench", "--envs", "Pendulum-v0", "--agents", "random", "--seeds", "1", "--budget", "10s", "--out", out, "--param", "maze=1"}, exitUsage, `--param: envs: Pendulum-v0: unknown parameter "maze"`},
		{"unknown setting", []string{"bench", "--envs", "Pendulum-v0", "--agents", "random,pets", "--seeds", "1", "--budget", "10s", "--out", out, "--set", "plan.horizn=3"}, exitUsage, `--set: agent: unknown setting "plan.horizn" (known: critic, critic.members, critic.min, explore, explore.members, plan.correlation`},
		{"bad setting", append(append([]string{"bench"}, ok...), "--out", out, "--set", "updates"), exitUsage, `invalid value "updates" for flag -set: want name=value`},
		{"agent of states on pixels", []string{"bench", "--envs", "Pendulum-v0", "--agents", "random,pets", "--seeds", "1", "--budget", "10s", "--out", out, "--obs", "state,pixels"}, exitUsage, "agent pets cannot learn from pixels 64x64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("JOB_COMPLETION_INDEX", "")
			t.Setenv("SLURM_ARRAY_TASK_ID", "")
			invoke(tt.args...).check(t, tt.code, tt.msg)
			if b, err := os.ReadFile(note); err != nil || !bytes.Equal(b, []byte("mine")) {
				t.Error("the foreign directory was changed")
			}
			if entries, _ := os.ReadDir(foreign); len(entries) != 1 {
				t.Errorf("the foreign directory holds %d entries, want its 1", len(entries))
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a refused command created the sweep directory")
			}
		})
	}
}

// TestBenchObservations checks that a sweep of the state and pixels records each trial's
// observation, summarises the observations apart, resumes without training again, and is
// refused by a run that asks for other observations.
func TestBenchObservations(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	args := []string{"bench", "--envs", "Pendulum-v0", "--agents", "random", "--seeds", "2", "--budget", "10s", "--out", dir,
		"--workers", "2", "--obs", "state,pixels", "--pixels", "32x32", "--distract", "none,shapes"}
	r := invoke(args...)
	if r.code != exitOK {
		t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
	}
	results, recs := sweepRecords(t, dir)
	count := map[string]int{}
	for _, rec := range recs {
		obs := "(none)"
		if o, ok := rec["observation"].(string); ok {
			obs = o
		}
		count[obs]++
	}
	if want := map[string]int{"(none)": 2, "pixels 32x32": 2, "pixels 32x32 shapes": 2}; !reflect.DeepEqual(count, want) {
		t.Errorf("records by observation %v, want %v", count, want)
	}
	sweep, err := os.ReadFile(filepath.Join(dir, "sweep.json"))
	if err != nil || !strings.Contains(string(sweep), `"observations": [`) || !strings.Contains(string(sweep), `"pixels 32x32 shapes"`) {
		t.Errorf("sweep file lacks the observations (%v):\n%s", err, sweep)
	}
	for _, want := range []string{
		"× 3 observations (state, pixels 32x32, pixels 32x32 shapes) × 2 seeds",
		"| Environment | Agent | Observation | Trials |",
		"| Pendulum-v0 | random | state | 2/2 | 0/2 |",
		"| Pendulum-v0 | random | pixels 32x32 | 2/2 | 0/2 |",
		"| Pendulum-v0 | random | pixels 32x32 shapes | 2/2 | 0/2 |",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
	if rep := invoke("bench", "report", dir); rep.code != exitOK || rep.stdout != r.stdout {
		t.Errorf("bench report: exit %d, stderr %q, stdout differs from the sweep's summary", rep.code, rep.stderr)
	}
	// The same sweep with its observations listed in another order resumes with nothing to do.
	again := invoke(append(args[:len(args)-6:len(args)-6], "--obs", "pixels,state", "--pixels", "32x32", "--distract", "shapes,none")...)
	if again.code != exitOK || again.stdout != r.stdout {
		t.Errorf("running the finished sweep again: exit %d, stderr %q", again.code, again.stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "results.jsonl")); !bytes.Equal(b, results) {
		t.Error("running the finished sweep again changed its results")
	}
	for _, other := range [][]string{{"--obs", "state"}, {"--obs", "state,pixels", "--pixels", "64x64"}} {
		invoke(append(args[:len(args)-6:len(args)-6], other...)...).check(t, exitFailure, "holds another sweep: it has observations")
	}
}

// TestBenchConcurrent checks that a sweep run with --concurrent and --set has the agents
// that learn a world model learn concurrently with the settings changed and the others not,
// records and reports it, and is refused by a run that asks for inline learning or other
// settings.
func TestBenchConcurrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	args := []string{"bench", "--envs", "Pendulum-v0", "--agents", "random,jepa", "--seeds", "1", "--budget", "6s", "--out", dir, "--workers", "2"}
	r := invoke(append(args, "--concurrent", "--set", "updates=1", "--set", "plan.iterations=2")...)
	if r.code != exitOK {
		t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
	}
	_, recs := sweepRecords(t, dir)
	concurrent, settings := map[string]bool{}, map[string]any{}
	for _, rec := range recs {
		concurrent[rec["agent"].(string)] = rec["concurrent"] == true
		settings[rec["agent"].(string)] = rec["settings"]
	}
	if want := map[string]bool{"random": false, "jepa": true}; !reflect.DeepEqual(concurrent, want) {
		t.Errorf("learning concurrently by agent %v, want %v", concurrent, want)
	}
	if want := map[string]any{"random": nil, "jepa": map[string]any{"updates": "1", "plan.iterations": "2"}}; !reflect.DeepEqual(settings, want) {
		t.Errorf("settings by agent %v, want %v", settings, want)
	}
	for _, want := range []string{"trained on a second goroutine while they acted (--concurrent)", "settings changed from the defaults: plan.iterations=2, updates=1 (--set)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
	invoke(append(args, "--set", "updates=1", "--set", "plan.iterations=2")...).check(t, exitFailure, "it has agents learning concurrently, not inline")
	invoke(append(args, "--concurrent", "--set", "updates=1")...).check(t, exitFailure, "it has settings map[plan.iterations:2 updates:1], not map[updates:1]")
}

// sweepRecords returns the results file of the sweep in dir and its records, decoded.
func sweepRecords(t *testing.T, dir string) ([]byte, []map[string]any) {
	t.Helper()
	results, err := os.ReadFile(filepath.Join(dir, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	for line := range strings.Lines(string(results)) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return results, recs
}
