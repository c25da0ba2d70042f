package envs

import (
	"errors"
	"image/color"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/sim"
)

func TestPixelConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  PixelConfig
		want string
	}{
		{"zero width", PixelConfig{Width: 0, Height: 8, Stack: 1}, "width and height"},
		{"negative height", PixelConfig{Width: 8, Height: -1, Stack: 1}, "width and height"},
		{"too wide", PixelConfig{Width: MaxPixelSize + 1, Height: 8, Stack: 1}, "width and height"},
		{"no stack", PixelConfig{Width: 8, Height: 8}, "stack of 0"},
		{"deep stack", PixelConfig{Width: 8, Height: 8, Stack: MaxPixelStack + 1}, "stack of 17"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewPixelObservation(newFake(faultNone), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	// The limits themselves are allowed.
	for _, cfg := range []PixelConfig{{Width: 1, Height: 1, Stack: 1}, {Width: MaxPixelSize, Height: MaxPixelSize, Stack: MaxPixelStack, Gray: true}} {
		if err := cfg.validate(); err != nil {
			t.Errorf("%+v: %v, want it accepted", cfg, err)
		}
	}
}

// fakeFrame returns the values PixelObservation should give for every pixel of the fake
// environment's flat-coloured scene.
func fakeFrame(e *fakeEnv, gray bool) []float64 {
	c := e.Scene().Background
	if gray {
		return []float64{float64(color.GrayModel.Convert(c).(color.Gray).Y) / 255}
	}
	return []float64{float64(c.R) / 255, float64(c.G) / 255, float64(c.B) / 255}
}

func TestPixelObservationStack(t *testing.T) {
	for _, gray := range []bool{false, true} {
		t.Run(map[bool]string{false: "RGB", true: "gray"}[gray], func(t *testing.T) {
			fake := newFake(faultNone)
			cfg := PixelConfig{Width: 4, Height: 2, Gray: gray, Stack: 3}
			p, err := NewPixelObservation(fake, cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := len(fakeFrame(fake, gray))
			if shape := p.ObservationSpace().Shape; !slices.Equal(shape, []int{3, 2, 4, c}) {
				t.Fatalf("observation shape %v", shape)
			}
			obs, _ := p.Reset(5)
			frames := [][]float64{fakeFrame(fake, gray), fakeFrame(fake, gray), fakeFrame(fake, gray)}
			checkFrames(t, "after Reset", obs, frames)
			for step := range 2 {
				obs, _, _, _, _, err = p.Step([]float64{1})
				if err != nil {
					t.Fatal(err)
				}
				frames = append(frames[1:], fakeFrame(fake, gray))
				checkFrames(t, "after Step", obs, frames)
				if slices.Equal(frames[1], frames[2]) {
					t.Fatalf("step %d did not change the scene: the test proves nothing", step)
				}
			}
		})
	}
}

// checkFrames checks that obs holds the given flat-coloured frames in order, every pixel of
// frame i holding the channel values frames[i].
func checkFrames(t *testing.T, when string, obs []float64, frames [][]float64) {
	t.Helper()
	size := len(obs) / len(frames)
	for i, px := range frames {
		for j, v := range obs[i*size : (i+1)*size] {
			if want := px[j%len(px)]; v != want {
				t.Fatalf("%s: frame %d value %d is %v, want %v", when, i, j, v, want)
			}
		}
	}
}

// TestPixelObservationMatchesRenderer checks that observations are the renderer's frames of
// the scene through the agent's camera: the overview for Pendulum-v0, the cameras that follow
// the cart of CartPoleSwingup-v0 and the car of Drive-v0, which 20 steps at full action have
// moved.
func TestPixelObservationMatchesRenderer(t *testing.T) {
	for _, id := range []string{pendulumID, cartpoleID, driveID} {
		t.Run(id, func(t *testing.T) {
			env, err := Make(id)
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewPixelObservation(env, PixelConfig{Width: 40, Height: 30, Stack: 1})
			if err != nil {
				t.Fatal(err)
			}
			p.Reset(3)
			var obs []float64
			full := make([]float64, p.ActionSpace().Dim())
			for i := range full {
				full[i] = 1
			}
			for range 20 {
				if obs, _, _, _, _, err = p.Step(full); err != nil {
					t.Fatal(err)
				}
			}
			s := env.Scene()
			s.Camera = s.AgentCamera()
			img := sim.RenderImage(s, 40, 30)
			for y := range 30 {
				for x := range 40 {
					c := img.RGBAAt(x, y)
					i := (y*40 + x) * 3
					if got, want := obs[i:i+3], []float64{float64(c.R) / 255, float64(c.G) / 255, float64(c.B) / 255}; !slices.Equal(got, want) {
						t.Fatalf("pixel (%d, %d): %v, want %v", x, y, got, want)
					}
				}
			}
		})
	}
}

func TestPixelObservationAllocations(t *testing.T) {
	for _, gray := range []bool{false, true} {
		p, err := NewPixelObservation(newFake(faultNone), PixelConfig{Width: 32, Height: 32, Gray: gray, Stack: 4})
		if err != nil {
			t.Fatal(err)
		}
		p.Reset(1)
		a := []float64{0.3}
		allocs := testing.AllocsPerRun(100, func() {
			if _, _, term, trunc, _, _ := p.Step(a); term || trunc {
				p.Reset(2)
			}
		})
		if allocs != 0 {
			t.Errorf("gray %v: %v allocations per step, want 0", gray, allocs)
		}
	}
}

func TestPixelObservationCheck(t *testing.T) {
	for _, gray := range []bool{false, true} {
		newEnv := func() (Env, error) {
			env, err := Make(pendulumID)
			if err != nil {
				return nil, err
			}
			return NewPixelObservation(env, PixelConfig{Width: 24, Height: 16, Gray: gray, Stack: 3})
		}
		if err := Check(newEnv, CheckSteps(2000)); err != nil {
			t.Errorf("gray %v: %v", gray, err)
		}
	}
}

func BenchmarkPixelObservation64(b *testing.B) {
	for _, gray := range []bool{false, true} {
		b.Run(map[bool]string{false: "RGB", true: "Gray"}[gray], func(b *testing.B) {
			env, err := Make(pendulumID)
			if err != nil {
				b.Fatal(err)
			}
			p, err := NewPixelObservation(env, PixelConfig{Width: 64, Height: 64, Gray: gray, Stack: 1})
			if err != nil {
				b.Fatal(err)
			}
			p.Reset(1)
			a := []float64{0.7}
			for b.Loop() {
				if _, _, term, trunc, _, _ := p.Step(a); term || trunc {
					p.Reset(1)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}

func TestParseObservation(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want *PixelConfig
	}{
		{"state", nil},
		{"pixels 64x64", &PixelConfig{Width: 64, Height: 64, Stack: 3}},
		{"pixels 48x40 shapes", &PixelConfig{Width: 48, Height: 40, Stack: 3, Distract: ShapesDistractor}},
		{"pixels 8x8 gray stack 4 noise", &PixelConfig{Width: 8, Height: 8, Gray: true, Stack: 4, Distract: NoiseDistractor}},
		{"pixels 8x8 stack 1", &PixelConfig{Width: 8, Height: 8, Stack: 1}},
	} {
		got, err := ParseObservation(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseObservation(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			continue
		}
		if got != nil && got.String() != tc.in {
			t.Errorf("%+v writes as %q, want %q", got, got.String(), tc.in)
		}
	}
	for _, in := range []string{"", "State", "pixels", "pixels 0x0", "pixels 64", "pixels 64x64x3", "pixels 064x64",
		"pixels 64x64 stack 3", "pixels 64x64 stack x", "pixels 64x64 nope", "pixels 64x64 shapes noise",
		"pixels  64x64", " pixels 64x64", "pixels 64x64 none", "pixels 2000x2000", "pixels 64x64 stack 99"} {
		if c, err := ParseObservation(in); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseObservation(%q) = %+v, %v; want a one-line error", in, c, err)
		}
	}
}

// FuzzParseObservation checks that ParseObservation never panics, and that what it
// accepts is a valid configuration that writes back as the same text.
func FuzzParseObservation(f *testing.F) {
	for _, s := range []string{"state", "pixels 64x64", "pixels 48x40 shapes", "pixels 8x8 gray stack 4 noise", "pixels 1x1 stack 16"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseObservation(s)
		if err != nil || c == nil {
			return
		}
		if err := c.validate(); err != nil {
			t.Fatalf("%q: accepted an invalid configuration: %v", s, err)
		}
		if c.String() != s {
			t.Fatalf("%q writes back as %q", s, c.String())
		}
	})
}

func TestObserve(t *testing.T) {
	env := newFake(faultNone)
	if got, err := Observe(env, nil); got != Env(env) || err != nil || ObservationOf(got) != StateObservation || PixelsOf(got) != nil {
		t.Fatalf("Observe(nil) = %v, %v", got, err)
	}
	c := &PixelConfig{Width: 8, Height: 6, Stack: 2, Distract: NoiseDistractor}
	got, err := Observe(env, c)
	if err != nil || ObservationOf(got) != "pixels 8x6 stack 2 noise" || PixelsOf(got) == nil {
		t.Fatalf("Observe(%+v) = %v, %v, observed as %q", c, got, err, ObservationOf(got))
	}
	if err := Pose(got, make([]float64, 8*6*3)); !errors.Is(err, ErrNoPose) {
		t.Errorf("posing a pixel observation: %v, want ErrNoPose", err)
	}
	if _, err := Observe(env, &PixelConfig{Width: 0, Height: 6, Stack: 2}); err == nil {
		t.Error("Observe accepted a 0-pixel-wide image")
	}
	none, err := Observe(env, &PixelConfig{Width: 8, Height: 6, Stack: 3, Distract: "none"})
	if err != nil {
		t.Fatal(err)
	}
	if obs := ObservationOf(none); obs != "pixels 8x6" {
		t.Errorf("with the distractor none: observed as %q, want %q, which ParseObservation reads", obs, "pixels 8x6")
	}
}
