package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/slowtest"
)

func TestDemoRandom(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "frames")
	r := invoke("demo", "--random", "--episodes", "1", "--seed", "5", "--out", dir)
	r.check(t, exitOK, "")
	for _, id := range envs.IDs() {
		frame := filepath.Join(dir, id+".png")
		if !strings.Contains(r.stdout, id+" ") || !strings.Contains(r.stdout, frame) {
			t.Errorf("output lacks the row of %s:\n%s", id, r.stdout)
		}
		checkPNG(t, frame, defaultFrameSize.w, defaultFrameSize.h)
	}
	if !strings.Contains(r.stdout, "Frames are in "+dir) {
		t.Errorf("output does not say where the frames are:\n%s", r.stdout)
	}
}

// TestDemoLearnsSlow runs the learning demo on a short budget: it reports every episode and
// the outcome, and writes the GIFs before and after and the learning curve.
func TestDemoLearnsSlow(t *testing.T) {
	slowtest.SkipUnderRace(t)
	dir := filepath.Join(t.TempDir(), "out")
	r := invoke("demo", "--envs", "Pendulum-v0", "--budget", "12s", "--seed", "2", "--out", dir)
	r.check(t, exitOK, "")
	for _, want := range []string{
		"jepa learns Pendulum-v0 from scratch, seed 2",
		"episode    0  experience 0:00:10",
		"episode    1  experience 0:00:12",
		"jepa on Pendulum-v0: not competent within 0:00:12 of experience",
		filepath.Join(dir, "Pendulum-v0-after.gif") + ": the same episode after learning",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, name := range []string{"Pendulum-v0-before.gif", "Pendulum-v0-after.gif"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !strings.HasPrefix(string(b), "GIF89a") {
			t.Errorf("%s: not a GIF (%v)", name, err)
		}
	}
	checkPNG(t, filepath.Join(dir, "Pendulum-v0-curve.png"), 576, 336)
}
