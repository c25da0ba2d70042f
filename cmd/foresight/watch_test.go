package main

import (
	"fmt"
	"image"
	"image/color"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/sim"
)

// TestWatchErrors checks that bad watch command lines and a missing display are refused in
// one line before any window opens.
func TestWatchErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		code    int
		msg     string
		display string
	}{
		{"unknown env", []string{"--env", "Nope-v0"}, exitUsage, `unknown environment "Nope-v0"`, ""},
		{"unknown agent", []string{"--agent", "smart"}, exitUsage, `unknown agent "smart"`, ""},
		{"bad speed", []string{"--speed", "-1"}, exitUsage, "want a number from 0 (paused) to 1e6, or max", ""},
		{"frames without screenshot", []string{"--frames", "3"}, exitUsage, "go together", ""},
		{"screenshot without frames", []string{"--screenshot", "x.png"}, exitUsage, "go together", ""},
		{"bad size", []string{"--size", "0x10"}, exitUsage, "want WxH", ""},
		{"no display", nil, exitFailure, "no display to open a window on", ""},
		{"unreachable display", nil, exitFailure, `cannot reach the display ":4999"`, ":4999"},
		{"stale forwarding", nil, exitFailure, "nothing answers at localhost:10999", "localhost:4999.0"},
		{"bad display name", nil, exitFailure, `DISPLAY "what" is not a display name`, "what"},
		{"empty screenshot path", []string{"--screenshot", "", "--frames", "2"}, exitUsage, "want a path, not an empty string", ""},
		{"race of one", []string{"--agents", "jepa"}, exitUsage, "must name 2 to 3 agents to race, not 1", ""},
		{"race of four", []string{"--agents", "jepa,pets,recon,sac"}, exitUsage, "must name 2 to 3 agents to race, not 4", ""},
		{"racer twice", []string{"--agents", "jepa,jepa"}, exitUsage, "--agents names jepa twice", ""},
		{"unknown racer", []string{"--agents", "jepa,smart"}, exitUsage, `unknown agent "smart"`, ""},
		{"agent and agents", []string{"--agent", "pets", "--agents", "jepa,pets"}, exitUsage, "--agent and --agents do not go together", ""},
		{"racer without pixels", []string{"--agents", "jepa,pets", "--obs", "pixels"}, exitUsage, "pets", ""},
		{"settings for the learners of a race", []string{"--agents", "jepa,sac", "--set", "updates=1", "--concurrent"}, exitFailure, "no display to open a window on", ""},
		{"settings for a race of none", []string{"--agents", "random,zero", "--concurrent"}, exitUsage, "none of the racers learns a world model", ""},
		{"settings for a lone agent that takes none", []string{"--agent", "sac", "--set", "updates=1"}, exitUsage, "sac takes no settings", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DISPLAY", tt.display)
			invoke(append([]string{"watch"}, tt.args...)...).check(t, tt.code, tt.msg)
		})
	}
}

// TestWatchWindow runs the real viewer under Xvfb, as CI does: foresight watch with a
// screenshot after 20 frames must exit 0 and leave a PNG of the window's size showing the
// scene in its colours (checkShot). It needs cgo, the X11 headers and xvfb-run; without
// them it is skipped.
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
		if !viewerUnbuildable(string(out)) {
			t.Fatalf("building the viewer: %v\n%s", err, out)
		}
		t.Skipf("cannot build the viewer here (needs cgo and the X11 headers): %s", out)
	}
	if _, err := os.Stat(viewer); err != nil {
		t.Skip("the viewer is not built in this configuration (-tags noviewer)")
	}
	// Run directly on a display that is not there, the viewer program says so in one line.
	direct := exec.Command(viewer, `{"env":"Pendulum-v0","agents":["random"],"speed":"1","width":64,"height":64}`)
	direct.Env = append(os.Environ(), "DISPLAY=:4999")
	out, err := direct.CombinedOutput()
	if code := direct.ProcessState.ExitCode(); code != exitFailure || strings.Count(string(out), "\n") != 1 || !strings.Contains(string(out), "cannot reach the display") {
		t.Errorf("the viewer program without a display: exit %d (%v), output %q; want 1 and one line", code, err, out)
	}
	shot := filepath.Join(dir, "shot.png")
	cmd := exec.Command(xvfb, "-a", "-s", "-screen 0 1280x1024x24", os.Args[0], "-test.run=^TestWatchWindow$")
	cmd.Env = append(os.Environ(), "FORESIGHT_WATCH_CHILD=1", watchProgramEnv+"="+viewer, "FORESIGHT_WATCH_SHOT="+shot)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("foresight watch under Xvfb: %v\n%s", err, out)
	}
	img := checkPNG(t, shot, 640, 360)
	checkShot(t, img)
	checkRace(t, shot+".race.png")
	for k := 1; k <= 5; k++ {
		checkLesson(t, fmt.Sprintf("%s.lesson%d.png", shot, k))
	}
}

// checkLesson checks a 640x360 screenshot of a lesson's step on Pendulum-v0: the scene
// above, with the pendulum's background, and the caption's band with its text across the
// bottom of the 410 pixels left of the plots.
func checkLesson(t *testing.T, path string) {
	t.Helper()
	img := checkPNG(t, path, 640, 360)
	band := image.Rect(0, 300, 410, 360)
	if n := countNear(img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(band), color.NRGBA{252, 251, 248, 255}); n < band.Dx()*band.Dy()/2 {
		t.Errorf("%s: %d pixels of the caption band's colour at the bottom, want most of %v", path, n, band)
	}
	if n := darkPixels(img, band); n < 200 {
		t.Errorf("%s: %d dark pixels at the bottom, want the caption's text", path, n)
	}
	if n := countNear(img, envs.Background); n < 410*120 {
		t.Errorf("%s: %d pixels of the scene's background, want the scene above the caption", path, n)
	}
}

// checkRace checks a 640x360 screenshot of a race of two agents on Pendulum-v0: each of the
// two panes, which share the 410 pixels left of the plots, shows its own rod (checkShot).
func checkRace(t *testing.T, path string) {
	t.Helper()
	img := checkPNG(t, path, 640, 360)
	type subImager interface {
		SubImage(image.Rectangle) image.Image
	}
	for i, r := range []image.Rectangle{image.Rect(0, 0, 205, 360), image.Rect(205, 0, 410, 360)} {
		t.Run(fmt.Sprintf("pane %d", i), func(t *testing.T) {
			checkShot(t, img.(subImager).SubImage(r))
		})
	}
}

// checkShot checks that a screenshot of the viewer on Pendulum-v0, 640x360 or a pane of it, shows the scene:
// the background over a large share of it and the rod's colour over a rod's worth of
// pixels. The rod, 1 m by 6 cm at about 137 pixels per metre, fills about 800 pixels in its
// own colour; the HUD panel may hide much of it when it points up, so 100 will do. A scene
// not drawn, drawn in other colours or drawn all over fails.
func checkShot(t *testing.T, img image.Image) {
	t.Helper()
	env, err := envs.Make("Pendulum-v0")
	if err != nil {
		t.Fatal(err)
	}
	var rod color.NRGBA
	for _, sh := range env.Scene().Shapes {
		if sh.Layer == sim.LayerBody && sh.Fill.A == 255 {
			rod = sh.Fill
		}
	}
	if rod.A == 0 {
		t.Fatal("no opaque body in the Pendulum-v0 scene")
	}
	total := img.Bounds().Dx() * img.Bounds().Dy()
	tests := []struct {
		what     string
		c        color.NRGBA
		min, max int
	}{
		{"background", envs.Background, total / 5, total},
		{"rod", rod, 100, total / 20},
	}
	for _, tt := range tests {
		if n := countNear(img, tt.c); n < tt.min || n > tt.max {
			t.Errorf("%d of %d pixels within 2 of the %s colour %v, want %d to %d", n, total, tt.what, tt.c, tt.min, tt.max)
		}
	}
}

// countNear returns the number of opaque pixels of img whose red, green and blue are each
// within 2 of c's, allowing for the rounding of the GPU's blending.
func countNear(img image.Image, c color.NRGBA) int {
	near := func(a uint32, b uint8) bool { return max(int(a>>8)-int(b), int(b)-int(a>>8)) <= 2 }
	n := 0
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			pr, pg, pb, pa := img.At(x, y).RGBA()
			if pa == 0xffff && near(pr, c.R) && near(pg, c.G) && near(pb, c.B) {
				n++
			}
		}
	}
	return n
}

// viewerUnbuildable reports whether the output of a failed build of the viewer says that
// it cannot be built here (cgo off, or -tags noviewer in GOFLAGS, or no C compiler, or
// missing C headers) rather than that its code is wrong, which must fail the test.
func viewerUnbuildable(out string) bool {
	for _, s := range []string{"build constraints exclude all Go files", "C compiler", ".h: No such file or directory", ".h' file not found"} {
		if strings.Contains(out, s) {
			return true
		}
	}
	return false
}

// watchChild is the part of TestWatchWindow that runs under Xvfb.
func watchChild(t *testing.T) {
	r := invoke("watch", "--env", "Pendulum-v0", "--agent", "random", "--speed", "max", "--size", "640x360",
		"--screenshot", os.Getenv("FORESIGHT_WATCH_SHOT"), "--frames", "20")
	if r.code != exitOK {
		t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
	}
	// A race: both panes show the scene (checkRace).
	race := os.Getenv("FORESIGHT_WATCH_SHOT") + ".race.png"
	r = invoke("watch", "--env", "Pendulum-v0", "--agents", "random,zero", "--speed", "max", "--size", "640x360",
		"--screenshot", race, "--frames", "20")
	if r.code != exitOK {
		t.Fatalf("race: exit code %d, stderr %q", r.code, r.stderr)
	}
	// Every step of the shipped lesson opens, with its caption below the panes (checkLesson).
	for k := 1; k <= 5; k++ {
		shot := fmt.Sprintf("%s.lesson%d.png", os.Getenv("FORESIGHT_WATCH_SHOT"), k)
		r := invoke("lesson", "world-models", "--step", fmt.Sprint(k), "--size", "640x360", "--screenshot", shot, "--frames", "5")
		if r.code != exitOK {
			t.Fatalf("lesson step %d: exit code %d, stderr %q", k, r.code, r.stderr)
		}
	}
	// A window larger than the 1280x1024 screen is a bad command line, not a hang.
	big := invoke("watch", "--env", "Pendulum-v0", "--agent", "random", "--size", "4000x3000",
		"--screenshot", os.Getenv("FORESIGHT_WATCH_SHOT")+".big.png", "--frames", "2")
	if big.code != exitUsage || !strings.Contains(big.stderr, "a 4000x3000 window on a 1280x1024 screen") {
		t.Errorf("a window larger than the screen: exit code %d, stderr %q", big.code, big.stderr)
	}
}

// TestWatchViewerFailures checks how foresight watch reports a viewer program that fails:
// one that says why keeps its exit status and its message; one that dies without a word,
// by a signal or a bare exit status, is reported in one line with exit status 1.
func TestWatchViewerFailures(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the fake viewers are shell scripts, and the display check is X11's")
	}
	// A display that answers: a TCP listener at 6000+n, named as 127.0.0.1:n.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if port <= 6000 {
		t.Skipf("port %d is below the X11 range", port)
	}
	t.Setenv("DISPLAY", fmt.Sprintf("127.0.0.1:%d", port-6000))
	dir := t.TempDir()
	tests := []struct {
		name, script string
		code         int
		msg          string
	}{
		{"says why", "echo 'foresight watch: the GPU caught fire' >&2; exit 1", exitFailure, "the GPU caught fire"},
		{"killed", "kill -9 $$", exitFailure, "ended without saying why: signal: killed"},
		{"silent exit", "exit 4", exitFailure, "ended without saying why: exit status 4"},
		{"bad command line", "echo 'foresight watch: the window does not fit the screen' >&2; exit 64", exitUsage, "does not fit the screen"},
		{"crash", "printf 'wrote x.png\\npanic: runtime error: index out of range\\n\\ngoroutine 1 [running]:\\nmain.main()\\n' >&2; exit 2",
			exitInternal, "crashed: panic: runtime error: index out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"))
			if err := os.WriteFile(prog, []byte("#!/bin/sh\n"+tt.script+"\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			t.Setenv(watchProgramEnv, prog)
			r := invoke("watch", "--env", "Pendulum-v0", "--agent", "random")
			lines := 1
			if tt.name == "crash" {
				lines = 2 // the viewer's own line, then the crash's
			}
			if r.code != tt.code || strings.Count(r.stderr, "\n") != lines || !strings.Contains(r.stderr, tt.msg) {
				t.Errorf("exit code %d, stderr %q; want %d and one line containing %q", r.code, r.stderr, tt.code, tt.msg)
			}
		})
	}
}
