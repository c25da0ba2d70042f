package envs

import (
	"image"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/internal/golden"
	"github.com/foresight-sim/foresight/sim"
)

// distractedPendulum returns Pendulum-v0 observed in one w×h RGB frame with distractor d.
func distractedPendulum(t *testing.T, d Distractor, w, h int) *PixelObservation {
	t.Helper()
	env, err := Make(pendulumID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPixelObservation(env, PixelConfig{Width: w, Height: h, Stack: 1, Distract: d})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// frameImage returns a frame of values in [0, 1] as an RGBA image.
func frameImage(frame []float64, w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range w * h {
		for c := range 3 {
			img.Pix[4*i+c] = uint8(frame[3*i+c]*255 + 0.5)
		}
		img.Pix[4*i+3] = 255
	}
	return img
}

// TestDistractorGolden draws Pendulum-v0 with each distractor, 20 steps after Reset(3), at
// 128×128 and compares the frame, pixel for pixel, with testdata/distract-<kind>.png (-update
// rewrites them): the pendulum must stay visible above the distraction.
func TestDistractorGolden(t *testing.T) {
	for _, d := range Distractors() {
		t.Run(string(d), func(t *testing.T) {
			p := distractedPendulum(t, d, 128, 128)
			p.Reset(3)
			var obs []float64
			for range 20 {
				obs, _, _, _, _, _ = p.Step([]float64{1})
			}
			golden.Check(t, "distract-"+string(d)+".png", frameImage(obs, 128, 128))
		})
	}
}

// TestDistractorsOnlyDraw checks that a distractor changes the frames and nothing else: the
// rewards, ends and the wrapped environment's state are those of the plain scene, the same
// seed gives the same frames, and another seed other frames.
func TestDistractorsOnlyDraw(t *testing.T) {
	const w, h = 48, 48
	for _, d := range Distractors() {
		t.Run(string(d), func(t *testing.T) {
			plain, a, b := distractedPendulum(t, NoDistractor, w, h), distractedPendulum(t, d, w, h), distractedPendulum(t, d, w, h)
			o0, _ := plain.Reset(5)
			o1, _ := a.Reset(5)
			o2, _ := b.Reset(5)
			if slices.Equal(o0, o1) {
				t.Fatal("the distractor left the first frame unchanged")
			}
			if !slices.Equal(o1, o2) {
				t.Fatal("one seed gave two first frames")
			}
			for k := range 30 {
				act := []float64{float64(k%5)/2 - 1}
				o0, r0, t0, u0, _, _ := plain.Step(act)
				o1, r1, t1, u1, _, _ := a.Step(act)
				o2, _, _, _, _, _ := b.Step(act)
				if r0 != r1 || t0 != t1 || u0 != u1 {
					t.Fatalf("step %d: the distractor changed the reward or the end", k)
				}
				if !slices.Equal(o1, o2) || slices.Equal(o0, o1) {
					t.Fatalf("step %d: frames not reproducible, or not distracted", k)
				}
				var s0, s1 Snapshot
				plain.Env.Snapshot(&s0)
				a.Env.Snapshot(&s1)
				if !slices.Equal(s0.vars, s1.vars) {
					t.Fatalf("step %d: the wrapped environment's state differs", k)
				}
			}
			o3, _ := b.Reset(6)
			a.Reset(5)
			if o4, _ := a.Reset(6); !slices.Equal(o3, o4) {
				t.Error("the frames of a seed depend on the seeds before it")
			}
			o5, _ := a.Reset(5)
			if slices.Equal(o3, o5) {
				t.Error("seeds 5 and 6 gave the same distraction")
			}
		})
	}
}

// TestDistractorMoves checks that the distraction changes from step to step while the scene
// holds still.
func TestDistractorMoves(t *testing.T) {
	for _, d := range Distractors() {
		p := distractedPendulum(t, d, 48, 48)
		p.Reset(1)
		first := slices.Clone(p.frames)
		p.Step([]float64{0})
		if slices.Equal(first, p.frames) {
			t.Errorf("%s: the frame did not change in a step", d)
		}
	}
}

// TestDistractorSnapshot checks that restoring a snapshot restores the distraction: the
// frames after it are those that followed the snapshot the first time.
func TestDistractorSnapshot(t *testing.T) {
	for _, d := range Distractors() {
		for _, seed := range []uint64{0, 2} {
			checkDistractorSnapshot(t, d, seed)
		}
	}
}

// checkDistractorSnapshot restores a snapshot of an episode of the given seed into the
// wrapper that took it, after another episode, and into a fresh one: both must show the
// frame of the snapshot and step on to the frames that followed it the first time.
func checkDistractorSnapshot(t *testing.T, d Distractor, seed uint64) {
	t.Helper()
	p := distractedPendulum(t, d, 32, 32)
	p.Reset(seed)
	p.Step([]float64{1})
	var s Snapshot
	p.Snapshot(&s)
	then := frameImage(p.frames, 32, 32)
	want, _, _, _, _, _ := p.Step([]float64{-1})
	want = slices.Clone(want)
	p.Reset(9)
	p.Step([]float64{0})
	for name, w := range map[string]*PixelObservation{"the same wrapper": p, "a fresh wrapper": distractedPendulum(t, d, 32, 32)} {
		if err := w.Restore(&s); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(w.Newest().(*image.RGBA).Pix, then.Pix) {
			t.Errorf("%s, seed %d, %s: Newest after a restore is not the frame of the snapshot", d, seed, name)
		}
		if got, _, _, _, _, _ := w.Step([]float64{-1}); !slices.Equal(got, want) {
			t.Errorf("%s, seed %d, %s: the frame after a restored snapshot differs", d, seed, name)
		}
	}
}

func TestParseDistractor(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Distractor
		ok   bool
	}{{"", NoDistractor, true}, {"none", NoDistractor, true}, {"shapes", ShapesDistractor, true}, {"noise", NoiseDistractor, true}, {"nope", "", false}, {"Shapes", "", false}} {
		d, err := ParseDistractor(tc.in)
		if d != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseDistractor(%q) = %q, %v", tc.in, d, err)
		}
		if err != nil && (!strings.Contains(err.Error(), "shapes, noise") || strings.Contains(err.Error(), "\n")) {
			t.Errorf("ParseDistractor(%q): error %q does not name the known ones on one line", tc.in, err)
		}
	}
	if _, err := NewPixelObservation(nil, PixelConfig{Width: 8, Height: 8, Stack: 1, Distract: "nope"}); err == nil {
		t.Error("NewPixelObservation accepted an unknown distractor")
	}
}

// TestJitterShake checks the jitter distractor's shake: within jitterShift of the view's
// width each way, different from step to step, the same for the same seed and step, and
// none for the other distractors.
func TestJitterShake(t *testing.T) {
	cam := sim.Camera{Center: sim.V(1, 2), Width: 4}
	d, again := newDistraction(JitterDistractor), newDistraction(JitterDistractor)
	d.reset(5)
	again.reset(5)
	seen := map[sim.Vec2]bool{}
	for step := range 50 {
		d.step, again.step = step, step
		c := d.shake(cam)
		if off := c.Center.Sub(cam.Center); math.Abs(off.X) > jitterShift*cam.Width || math.Abs(off.Y) > jitterShift*cam.Width || c.Width != cam.Width {
			t.Fatalf("step %d: camera %+v, more than %g of the width from %+v", step, c, jitterShift, cam)
		}
		if again.shake(cam) != c {
			t.Fatalf("step %d: two shakes of one seed differ", step)
		}
		seen[c.Center] = true
	}
	if len(seen) < 50 {
		t.Errorf("%d different views in 50 steps, want 50", len(seen))
	}
	if c := newDistraction(ShapesDistractor).shake(cam); c != cam {
		t.Errorf("the shapes distractor shook the camera to %+v", c)
	}
}
