package main

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLessonErrors checks that a lesson that cannot be shown is refused in one line naming
// what is wrong, and where a file is at fault, its line.
func TestLessonErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const head = "title: T\nenv: Pendulum-v0\nstep: s\ncaption: c\n"
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown lesson", []string{"nope"}, exitUsage, `no lesson "nope" (known: world-models`},
		{"missing file", []string{filepath.Join(dir, "missing.lesson")}, exitFailure, "missing.lesson"},
		{"broken file", []string{write("broken.lesson", head+"agents: random\ncolour: red\n")}, exitFailure, `lesson broken line 6: unknown key "colour"`},
		{"unknown env", []string{write("env.lesson", strings.Replace(head, "Pendulum-v0", "Nope-v0", 1)+"agents: random\n")}, exitFailure, `lesson env line 2: envs: unknown environment "Nope-v0"`},
		{"unknown agent", []string{write("agent.lesson", head+"agents: smart\n")}, exitFailure, `lesson agent line 5: agent: unknown agent "smart"`},
		{"racer twice", []string{write("twice.lesson", head+"agents: zero, zero\n")}, exitFailure, "lesson twice line 5: agents names zero twice"},
		{"bad speed", []string{write("speed.lesson", head+"agents: zero\nspeed: 0\n")}, exitFailure, "lesson speed line 6: speed 0"},
		{"bad observation", []string{write("obs.lesson", head+"agents: zero\nobs: camera\n")}, exitFailure, "lesson obs line 6:"},
		{"pixels for pets", []string{write("pets.lesson", head+"agents: pets\nobs: pixels 64x64\n")}, exitFailure, "lesson pets line 5:"},
		{"step out of range", []string{"world-models", "--step", "6"}, exitUsage, "--step 6: lesson world-models has steps 1 to 5"},
		{"gif and screenshot", []string{"world-models", "--gif", "a.gif", "--screenshot", "b.png", "--frames", "2"}, exitUsage, "do not go together"},
		{"frames alone", []string{"world-models", "--frames", "2"}, exitUsage, "go together"},
		{"two lessons", []string{"world-models", "world-models"}, exitUsage, `unexpected argument "world-models"`},
		{"bad every", []string{"world-models", "--gif", "a.gif", "--every", "0"}, exitUsage, "--every must be at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			invoke(append([]string{"lesson"}, tt.args...)...).check(t, tt.code, tt.msg)
		})
	}
}

// TestLessonList checks that foresight lesson lists the shipped lessons.
func TestLessonList(t *testing.T) {
	r := invoke("lesson")
	if r.code != exitOK || !strings.Contains(r.stdout, "world-models  5      Why a world model learns fast") {
		t.Errorf("exit %d, stdout %q: want the world-models lesson listed with its 5 steps", r.code, r.stdout)
	}
}

// TestLessonGIF renders a small lesson headless: a frame every 3 control steps of each step
// (4 of the first's 12, 3 of the second's 9), each with the pale caption band at the bottom
// and the scene above it.
func TestLessonGIF(t *testing.T) {
	out := filepath.Join(t.TempDir(), "lesson.gif")
	r := invoke("lesson", "testdata/race.lesson", "--gif", out, "--size", "320x180")
	if r.code != exitOK || !strings.Contains(r.stderr, "step 2 of 2: A race (0:00:02 of experience)") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	g := readGIF(t, out)
	if len(g.Image) != 7 || g.Config.Width != 320 || g.Config.Height != 180 || g.Delay[0] != 15 {
		t.Fatalf("%d frames of %dx%d, delay %d: want 7 of 320x180, delay 15", len(g.Image), g.Config.Width, g.Config.Height, g.Delay[0])
	}
	for i, img := range g.Image {
		if mean := rowMean(img, 179); mean.R < 240 || mean.G < 240 || mean.B < 240 {
			t.Errorf("frame %d: the bottom row averages %v, want the caption band's pale colour", i, mean)
		}
		if n := darkPixels(img, image.Rect(0, 120, 320, 180)); n < 100 {
			t.Errorf("frame %d: %d dark pixels in the caption band, want its text", i, n)
		}
	}
}

// rowMean returns the mean colour of row y of img.
func rowMean(img image.Image, y int) color.RGBA {
	var sum [3]int
	b := img.Bounds()
	for x := b.Min.X; x < b.Max.X; x++ {
		r, g, bl, _ := img.At(x, y).RGBA()
		sum[0], sum[1], sum[2] = sum[0]+int(r>>8), sum[1]+int(g>>8), sum[2]+int(bl>>8)
	}
	n := b.Dx()
	return color.RGBA{uint8(sum[0] / n), uint8(sum[1] / n), uint8(sum[2] / n), 255}
}

// darkPixels returns the number of pixels of img within r darker than a third of white.
func darkPixels(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if (cr+cg+cb)>>8 < 3*85 {
				n++
			}
		}
	}
	return n
}
