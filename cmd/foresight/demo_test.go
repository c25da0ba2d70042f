package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/envs"
)

func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "frames")
	r := invoke("demo", "--episodes", "1", "--seed", "5", "--out", dir)
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
