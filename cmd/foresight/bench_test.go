package main

import (
	"bytes"
	"os"
	"path/filepath"
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
	if string(summary) != r.stdout || !strings.Contains(r.stdout, "| Pendulum-v0 | zero | 2/2 | 0/2 |") {
		t.Errorf("summary on stdout and in %s differ or lack the zero agent's row:\n%s", summaryFile, r.stdout)
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
