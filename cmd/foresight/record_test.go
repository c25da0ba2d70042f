package main

import (
	"image/gif"
	"os"
	"path/filepath"
	"testing"
)

// TestRecordGIF checks that a recorded episode is a GIF of the requested size with one frame
// per --every steps plus the first, timed at the control step.
func TestRecordGIF(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ep.gif")
	r := invoke("record", "--env", "Reacher-v0", "--agent", "random", "--out", out, "--size", "64x48", "--every", "4", "--imagine")
	if r.code != exitOK {
		t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
	}
	g := readGIF(t, out)
	// Reacher-v0 episodes last 100 steps: the first frame and one every 4 steps.
	if len(g.Image) != 26 || g.Config.Width != 64 || g.Config.Height != 48 || g.Delay[1] != 20 {
		t.Errorf("%d frames of %dx%d, delay %d: want 26 of 64x48, delay 20 (4 steps of 0.05 s)",
			len(g.Image), g.Config.Width, g.Config.Height, g.Delay[1])
	}
}

// TestRecordErrors checks that bad record command lines are refused in one line and write
// nothing.
func TestRecordErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.gif")
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no out", []string{"--env", "Pendulum-v0", "--agent", "random"}, exitUsage, "--out is required"},
		{"no agent", []string{"--env", "Pendulum-v0", "--out", out}, exitUsage, "--agent is required"},
		{"zero episodes", []string{"--env", "Pendulum-v0", "--agent", "random", "--out", out, "--episodes", "0"}, exitUsage, "--episodes must be between 1 and 100"},
		{"bad every", []string{"--env", "Pendulum-v0", "--agent", "random", "--out", out, "--every", "0"}, exitUsage, "--every must be from 1 to 200"},
		{"too many frames", []string{"--env", "Pendulum-v0", "--agent", "random", "--out", out, "--episodes", "30", "--every", "1", "--size", "8x8"}, exitFailure, "more than 5000 frames"},
		{"empty checkpoint", []string{"--env", "Pendulum-v0", "--agent", "jepa", "--out", out, "--checkpoint", dir}, exitFailure, "no checkpoint in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			invoke(append([]string{"record"}, tt.args...)...).check(t, tt.code, tt.msg)
			if _, err := os.Stat(out); err == nil {
				t.Error("a GIF was written")
			}
		})
	}
}

// readGIF returns the animation in the GIF file at path, failing t if there is none.
func readGIF(t *testing.T, path string) *gif.GIF {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := gif.DecodeAll(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return g
}
