package main

import (
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// TestWatchErrors checks that bad watch command lines and a missing display are refused in
// one line before any window opens.
func TestWatchErrors(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown env", []string{"--env", "Nope-v0"}, exitUsage, `unknown environment "Nope-v0"`},
		{"unknown agent", []string{"--agent", "smart"}, exitUsage, `unknown agent "smart"`},
		{"bad speed", []string{"--speed", "-1"}, exitUsage, "want a number from 0 (paused) to 1e6, or max"},
		{"frames without screenshot", []string{"--frames", "3"}, exitUsage, "go together"},
		{"screenshot without frames", []string{"--screenshot", "x.png"}, exitUsage, "go together"},
		{"bad size", []string{"--size", "0x10"}, exitUsage, "want WxH"},
		{"no display", nil, exitFailure, "no display to open a window on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			invoke(append([]string{"watch"}, tt.args...)...).check(t, tt.code, tt.msg)
		})
	}
}

// TestWatchWindow runs the real viewer under Xvfb, as CI does: foresight watch with a
// screenshot after 20 frames must exit 0 and leave a PNG of the window's size. It needs cgo,
// the X11 headers and xvfb-run; without them it is skipped.
func TestWatchWindow(t *testing.T) {
	if os.Getenv("FORESIGHT_WATCH_CHILD") == "1" {
		watchChild(t)
		return
	}
	if testing.Short() {
		t.Skip("builds and opens the viewer")
	}
	xvfb, err := exec.LookPath("xvfb-run")
	if err != nil || runtime.GOOS != "linux" {
		t.Skip("xvfb-run is not installed (scripts/setup.sh installs it)")
	}
	dir := t.TempDir()
	viewer := filepath.Join(dir, watchProgram)
	if out, err := exec.Command("go", "build", "-o", viewer, "../foresight-watch").CombinedOutput(); err != nil {
		t.Skipf("cannot build the viewer here (needs cgo and the X11 headers): %s", out)
	}
	if _, err := os.Stat(viewer); err != nil {
		t.Skip("the viewer is not built in this configuration (-tags noviewer)")
	}
	shot := filepath.Join(dir, "shot.png")
	cmd := exec.Command(xvfb, "-a", "-s", "-screen 0 1280x1024x24", os.Args[0], "-test.run=^TestWatchWindow$")
	cmd.Env = append(os.Environ(), "FORESIGHT_WATCH_CHILD=1", watchProgramEnv+"="+viewer, "FORESIGHT_WATCH_SHOT="+shot)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("foresight watch under Xvfb: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds(); got != image.Rect(0, 0, 640, 360) {
		t.Errorf("screenshot is %v, want 640x360", got)
	}
}

// watchChild is the part of TestWatchWindow that runs under Xvfb.
func watchChild(t *testing.T) {
	r := invoke("watch", "--env", "Pendulum-v0", "--agent", "random", "--speed", "max", "--size", "640x360",
		"--screenshot", os.Getenv("FORESIGHT_WATCH_SHOT"), "--frames", "20")
	if r.code != exitOK {
		t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
	}
}
