package live

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/sim"
	"github.com/foresight-sim/foresight/worldmodel"
)

// TestSpeedLabel checks the labels of the speeds on the ladder and of as fast as possible.
func TestSpeedLabel(t *testing.T) {
	for _, c := range []struct {
		x    float64
		want string
	}{
		{0.25, "×¼"},
		{0.5, "×½"},
		{1, "×1"},
		{2, "×2"},
		{64, "×64"},
		{math.Inf(1), "max"},
	} {
		t.Run(c.want, func(t *testing.T) {
			if got := SpeedLabel(c.x); got != c.want {
				t.Errorf("SpeedLabel(%v) = %q, want %q", c.x, got, c.want)
			}
		})
	}
	for _, x := range Speeds {
		if SpeedLabel(x) == "" {
			t.Errorf("SpeedLabel(%v) is empty", x)
		}
	}
}

// TestHUD checks that the heads-up display says what the frame holds, and only that: the
// model's loss only when there is a model, "paused" instead of the speed when paused, the
// error only when the session stopped.
func TestHUD(t *testing.T) {
	sixty := 60.0
	base := Frame{Env: "Pendulum-v0", Agent: "jepa", Seed: 7, Experience: 3725.5, Episodes: 4, Speed: 2}
	for _, c := range []struct {
		name     string
		edit     func(f *Frame)
		want     []string
		dontWant []string
	}{
		{
			name:     "running",
			edit:     func(*Frame) {},
			want:     []string{"Pendulum-v0", "jepa", "seed 7", "1:02:05", "episode 5", "×2", "not yet competent", "last –"},
			dontWant: []string{"paused", "you have control", "model loss", "stopped", "evaluating", "competent after"},
		},
		{
			name:     "paused",
			edit:     func(f *Frame) { f.Paused = true },
			want:     []string{"paused"},
			dontWant: []string{"×2"},
		},
		{
			name:     "max speed",
			edit:     func(f *Frame) { f.Speed = math.Inf(1) },
			want:     []string{"max"},
			dontWant: []string{"paused"},
		},
		{
			name: "human",
			edit: func(f *Frame) { f.Human = true },
			want: []string{"you have control"},
		},
		{
			name:     "competent",
			edit:     func(f *Frame) { f.Competent = &sixty },
			want:     []string{"competent after 0:01:00"},
			dontWant: []string{"not yet competent", "evaluating"},
		},
		{
			name:     "evaluating",
			edit:     func(f *Frame) { f.Evaluating, f.EvalLeft = true, 3 },
			want:     []string{"evaluating: at most 3 of 5"},
			dontWant: []string{"not yet competent"},
		},
		{
			name: "last return",
			edit: func(f *Frame) { f.LastReturn, f.HasLast, f.Streak = -123.45, true, 2 },
			want: []string{"last -123.5", "streak 2"},
		},
		{
			name: "model",
			edit: func(f *Frame) {
				f.HasModel, f.Model = true, worldmodel.Stats{Loss: 0.12345, LatentStd: 0.5}
			},
			want: []string{"model loss 0.1235", "latent std 0.50"},
		},
		{
			name:     "a loss other than a model's",
			edit:     func(f *Frame) { f.LossName, f.Loss, f.Losses = "critic loss", 2.5, []LossPoint{{1, 2.5}} },
			want:     []string{"critic loss 2.5000"},
			dontWant: []string{"model loss"},
		},
		{
			name:     "model stats without updates",
			edit:     func(f *Frame) { f.Model = worldmodel.Stats{Loss: 0.5} },
			dontWant: []string{"model loss"},
		},
		{
			name: "error",
			edit: func(f *Frame) { f.Err = errors.New("boom") },
			want: []string{"stopped: boom"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := base
			c.edit(&f)
			lines := HUD(&f)
			text := strings.Join(lines, "\n")
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("HUD lacks %q:\n%s", w, text)
				}
			}
			for _, w := range c.dontWant {
				if strings.Contains(text, w) {
					t.Errorf("HUD has %q:\n%s", w, text)
				}
			}
			for i, l := range lines {
				if l == "" || strings.Contains(l, "\n") {
					t.Errorf("line %d is %q: want one non-empty line", i, l)
				}
			}
			if f.Err != nil && lines[len(lines)-1] != "stopped: "+f.Err.Error() {
				t.Errorf("last line %q: want the error", lines[len(lines)-1])
			}
		})
	}
}

// TestViewport checks the mapping between the world and the window: the camera's centre at
// the area's centre, the camera's width across the area's width, y up in the world drawn up
// on the screen, and ToWorld undoing ToScreen.
func TestViewport(t *testing.T) {
	v := Viewport{Camera: sim.Camera{Center: sim.V(1, 2), Width: 4}, Area: Rect{X: 10, Y: 20, W: 400, H: 300}}
	const k = 100 // pixels per metre
	for _, c := range []struct {
		name   string
		world  sim.Vec2
		sx, sy float64
	}{
		{"centre", sim.V(1, 2), 210, 170},
		{"right", sim.V(2, 2), 310, 170},
		{"left edge", sim.V(-1, 2), 10, 170},
		{"right edge", sim.V(3, 2), 410, 170},
		{"up", sim.V(1, 3), 210, 70},
		{"down", sim.V(1, 1), 210, 270},
		{"origin", sim.V(0, 0), 110, 370},
	} {
		t.Run(c.name, func(t *testing.T) {
			x, y := v.ToScreen(c.world)
			if !near(x, c.sx) || !near(y, c.sy) {
				t.Errorf("ToScreen(%v) = (%v, %v), want (%v, %v)", c.world, x, y, c.sx, c.sy)
			}
			if p := v.ToWorld(c.sx, c.sy); !near(p.X, c.world.X) || !near(p.Y, c.world.Y) {
				t.Errorf("ToWorld(%v, %v) = %v, want %v", c.sx, c.sy, p, c.world)
			}
		})
	}
	t.Run("round trip", func(t *testing.T) {
		for _, p := range []sim.Vec2{sim.V(0.3, -7.1), sim.V(-123.4, 56.7), sim.V(1e-3, 1e3)} {
			x, y := v.ToScreen(p)
			if q := v.ToWorld(x, y); math.Abs(q.X-p.X) > 1e-9*(1+math.Abs(p.X)) || math.Abs(q.Y-p.Y) > 1e-9*(1+math.Abs(p.Y)) {
				t.Errorf("ToWorld(ToScreen(%v)) = %v", p, q)
			}
		}
	})
	t.Run("length", func(t *testing.T) {
		for _, m := range []float64{0, 0.5, 1, 4, -2} {
			if got := v.Length(m); !near(got, m*k) {
				t.Errorf("Length(%v) = %v, want %v", m, got, m*k)
			}
		}
	})
	t.Run("no width", func(t *testing.T) {
		v := Viewport{Camera: sim.Camera{Center: sim.V(1, 2)}, Area: Rect{W: 400, H: 300}}
		if x, y := v.ToScreen(sim.V(5, 5)); !near(x, 200) || !near(y, 150) {
			t.Errorf("ToScreen with no camera width = (%v, %v), want the area's centre", x, y)
		}
		if p := v.ToWorld(0, 0); p != v.Camera.Center {
			t.Errorf("ToWorld with no camera width = %v, want the camera's centre", p)
		}
		if l := v.Length(3); l != 0 {
			t.Errorf("Length with no camera width = %v, want 0", l)
		}
		if b := v.ScaleBar(100); b != 0 {
			t.Errorf("ScaleBar with no camera width = %v, want 0", b)
		}
	})
}

// TestScaleBar checks that the scale bar is 1, 2 or 5 times a power of ten, no longer than
// allowed, and the longest such.
func TestScaleBar(t *testing.T) {
	v := Viewport{Camera: sim.Camera{Width: 4}, Area: Rect{W: 400, H: 300}} // 100 px/m
	for _, c := range []struct {
		maxPixels, want float64
	}{
		{100, 1},
		{150, 1},
		{199, 1},
		{200, 2},
		{250, 2},
		{499, 2},
		{500, 5},
		{999, 5},
		{1000, 10},
		{7, 0.05},
		{30, 0.2},
		{0, 0},
		{-5, 0},
	} {
		t.Run(fmt.Sprint(c.maxPixels), func(t *testing.T) {
			if got := v.ScaleBar(c.maxPixels); !near(got, c.want) {
				t.Errorf("ScaleBar(%v) = %v, want %v", c.maxPixels, got, c.want)
			}
		})
	}
	t.Run("sweep", func(t *testing.T) {
		for _, width := range []float64{0.37, 1, 3, 12.5, 640} {
			v := Viewport{Camera: sim.Camera{Width: width}, Area: Rect{W: 800, H: 600}}
			for maxPixels := 1.0; maxPixels <= 800; maxPixels *= 1.07 {
				bar := v.ScaleBar(maxPixels)
				if !isNice(bar) {
					t.Fatalf("width %v: ScaleBar(%v) = %v: not 1, 2 or 5 times a power of ten", width, maxPixels, bar)
				}
				if px := v.Length(bar); px > maxPixels*(1+1e-9) {
					t.Fatalf("width %v: ScaleBar(%v) = %v is %v px long", width, maxPixels, bar, px)
				}
				if px := v.Length(nextNice(bar)); px <= maxPixels*(1-1e-9) {
					t.Fatalf("width %v: ScaleBar(%v) = %v, but %v (%v px) fits too", width, maxPixels, bar, nextNice(bar), px)
				}
			}
		}
	})
}

// TestNiceAxis checks that axes cover their range with round ends and evenly spaced round
// ticks, for ordinary, reversed, degenerate and invalid ranges.
func TestNiceAxis(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name   string
		lo, hi float64
		n      int
		want   Axis // zero: only the properties are checked
	}{
		{"unit", 0, 10, 6, Axis{0, 10, []float64{0, 2, 4, 6, 8, 10}}},
		{"widened", -3.2, 7.9, 5, Axis{-5, 10, []float64{-5, 0, 5, 10}}},
		{"returns", -1234.5, -3.2, 5, Axis{-1500, 0, []float64{-1500, -1000, -500, 0}}},
		{"fractions", 0.013, 0.087, 5, Axis{0, 0.1, []float64{0, 0.02, 0.04, 0.06, 0.08, 0.1}}},
		{"reversed", 10, 0, 6, Axis{0, 10, []float64{0, 2, 4, 6, 8, 10}}},
		{"degenerate", 3, 3, 5, Axis{2.5, 3.5, []float64{2.5, 3, 3.5}}},
		{"zero", 0, 0, 5, Axis{-0.5, 0.5, []float64{-0.5, 0, 0.5}}},
		{"NaN", nan, 1, 5, Axis{0, 1, []float64{0, 0.5, 1}}},
		{"NaN high", 0, nan, 5, Axis{0, 1, []float64{0, 0.5, 1}}},
		{"infinite", -inf, inf, 5, Axis{0, 1, []float64{0, 0.5, 1}}},
		{"one tick", 0, 7, 1, Axis{0, 10, []float64{0, 10}}},
		{"no ticks", 0, 7, 0, Axis{0, 10, []float64{0, 10}}},
		{"large", 1e6, 3.7e6, 4, Axis{}},
		{"tiny", 1e-7, 3e-7, 4, Axis{}},
		{"negative", -17, -2, 8, Axis{}},
		{"many", 0, 1, 50, Axis{}},
		{"time", 0, 7321, 6, Axis{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := NiceAxis(c.lo, c.hi, c.n)
			if c.want.Ticks != nil {
				if !near(a.Min, c.want.Min) || !near(a.Max, c.want.Max) || !nearAll(a.Ticks, c.want.Ticks) {
					t.Errorf("NiceAxis(%v, %v, %d) = %v, want %v", c.lo, c.hi, c.n, a, c.want)
				}
			}
			checkAxis(t, a, c.lo, c.hi, c.n)
		})
	}
}

// checkAxis checks the properties every axis has: it covers [lo, hi] (when finite), its
// ticks run from Min to Max evenly spaced by a round step, its ends are multiples of the
// step, and there are about n of them.
func checkAxis(t *testing.T, a Axis, lo, hi float64, n int) {
	t.Helper()
	if len(a.Ticks) < 2 {
		t.Fatalf("axis %v: want at least 2 ticks", a)
	}
	if !(a.Min < a.Max) {
		t.Fatalf("axis %v: want Min < Max", a)
	}
	if !math.IsNaN(lo) && !math.IsNaN(hi) && !math.IsInf(lo, 0) && !math.IsInf(hi, 0) {
		if a.Min > min(lo, hi) || a.Max < max(lo, hi) {
			t.Errorf("axis %v does not cover [%v, %v]", a, lo, hi)
		}
	}
	step := a.Ticks[1] - a.Ticks[0]
	tol := 1e-9 * step
	if !isNice(step) {
		t.Errorf("axis %v: step %v is not 1, 2 or 5 times a power of ten", a, step)
	}
	if math.Abs(a.Ticks[0]-a.Min) > tol || math.Abs(a.Ticks[len(a.Ticks)-1]-a.Max) > tol {
		t.Errorf("axis %v: ticks do not run from Min to Max", a)
	}
	for i := 1; i < len(a.Ticks); i++ {
		if d := a.Ticks[i] - a.Ticks[i-1]; math.Abs(d-step) > tol {
			t.Errorf("axis %v: ticks %d and %d are %v apart, want %v", a, i-1, i, d, step)
		}
	}
	for _, end := range []float64{a.Min, a.Max} {
		if q := end / step; math.Abs(q-math.Round(q)) > 1e-9 {
			t.Errorf("axis %v: end %v is not a multiple of the step %v", a, end, step)
		}
	}
	if len(a.Ticks) > max(n, 2)+1 {
		t.Errorf("axis %v: %d ticks for about %d", a, len(a.Ticks), n)
	}
	if m := a.Map(a.Min); m != 0 {
		t.Errorf("Map(Min) = %v, want 0", m)
	}
	if m := a.Map(a.Max); m != 1 {
		t.Errorf("Map(Max) = %v, want 1", m)
	}
	if m := a.Map((a.Min + a.Max) / 2); !near(m, 0.5) {
		t.Errorf("Map of the middle = %v, want 0.5", m)
	}
	for i := 1; i < len(a.Ticks); i++ {
		if !(a.Map(a.Ticks[i]) > a.Map(a.Ticks[i-1])) {
			t.Errorf("Map does not increase along the ticks: %v", a)
		}
	}
}

// TestAxisMap checks Map on a hand-made axis, and that a zero-width axis maps everything to
// its middle rather than dividing by zero.
func TestAxisMap(t *testing.T) {
	a := Axis{Min: -10, Max: 30}
	for _, c := range []struct{ v, want float64 }{{-10, 0}, {30, 1}, {10, 0.5}, {0, 0.25}, {-50, -1}, {70, 2}} {
		if got := a.Map(c.v); !near(got, c.want) {
			t.Errorf("Map(%v) = %v, want %v", c.v, got, c.want)
		}
	}
	if got := (Axis{Min: 3, Max: 3}).Map(100); got != 0.5 {
		t.Errorf("Map on a zero-width axis = %v, want 0.5", got)
	}
}

// TestShift checks moving along the speed ladder: one rung at a time, stopping at both ends,
// from off-ladder speeds via the nearest rung in log scale.
func TestShift(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		x     float64
		steps int
		want  float64
	}{
		{1, 1, 2},
		{1, -1, 0.5},
		{1, 0, 1},
		{2, 3, 16},
		{32, 1, 64},
		{64, 1, inf},
		{inf, 1, inf},
		{inf, -1, 64},
		{inf, -2, 32},
		{0.5, -1, 0.5},
		{0.5, 1, 1},
		{1, 100, inf},
		{1, -100, 0.5},
		{3, 0, 4}, // log 3 is nearer log 4 than log 2
		{3, 1, 8},
		{3, -1, 2},
		{1.4, 0, 1}, // below √2
		{1.5, 0, 2}, // above √2
		{1000, 0, 64},
		{1000, -1, 32},
		{0.01, 0, 0.5},
		{0.01, 1, 1},
		{0, 1, 1},
	} {
		t.Run(fmt.Sprintf("%v%+d", c.x, c.steps), func(t *testing.T) {
			if got := Shift(c.x, c.steps); got != c.want {
				t.Errorf("Shift(%v, %d) = %v, want %v", c.x, c.steps, got, c.want)
			}
		})
	}
	t.Run("ladder", func(t *testing.T) {
		if !slices.IsSorted(Speeds) || !math.IsInf(Speeds[len(Speeds)-1], 1) {
			t.Fatalf("Speeds %v: want increasing up to +Inf", Speeds)
		}
		for i, x := range Speeds {
			if i+1 < len(Speeds) {
				if got := Shift(x, 1); got != Speeds[i+1] {
					t.Errorf("Shift(%v, 1) = %v, want %v", x, got, Speeds[i+1])
				}
			}
			if i > 0 {
				if got := Shift(x, -1); got != Speeds[i-1] {
					t.Errorf("Shift(%v, -1) = %v, want %v", x, got, Speeds[i-1])
				}
			}
		}
	})
}

// TestKeyAction checks that every bound key does what its binding says, that no key is bound
// twice (the second binding could never fire) and that other keys do nothing.
func TestKeyAction(t *testing.T) {
	want := map[string]Action{
		"Space": TogglePause, "Period": StepOnce, "Minus": Slower, "Equal": Faster,
		"R": ResetEpisode, "I": ToggleImagination, "P": TogglePlots, "H": ToggleTakeOver,
		"S": Screenshot, "F12": Screenshot, "Slash": ToggleHelp, "F1": ToggleHelp,
		"Escape": Quit, "Q": Quit,
	}
	seen := map[string]bool{}
	for _, b := range Bindings {
		t.Run(b.Key, func(t *testing.T) {
			if seen[b.Key] {
				t.Errorf("key %q is bound twice", b.Key)
			}
			seen[b.Key] = true
			if got := KeyAction(b.Key); got != b.Action {
				t.Errorf("KeyAction(%q) = %v, want %v", b.Key, got, b.Action)
			}
			if w, ok := want[b.Key]; ok && w != b.Action {
				t.Errorf("%q is bound to %v, want %v", b.Key, b.Action, w)
			}
			if b.Action == NoAction {
				t.Errorf("%q is bound to NoAction", b.Key)
			}
		})
	}
	for k, a := range want {
		if got := KeyAction(k); got != a {
			t.Errorf("KeyAction(%q) = %v, want %v", k, got, a)
		}
	}
	for _, k := range []string{"", "X", "space", "ArrowLeft", "Enter", "q"} {
		t.Run("unbound "+k, func(t *testing.T) {
			if got := KeyAction(k); got != NoAction {
				t.Errorf("KeyAction(%q) = %v, want NoAction", k, got)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		// Every action has a help line, on the first key bound to it.
		helped := map[Action]bool{}
		for _, b := range Bindings {
			if b.Help != "" {
				helped[b.Action] = true
			} else if !helped[b.Action] {
				t.Errorf("%q: the first binding of action %v has no help", b.Key, b.Action)
			}
		}
		for a := TogglePause; a <= Quit; a++ {
			if !helped[a] {
				t.Errorf("action %v has no key with help", a)
			}
		}
	})
}

// TestArrows checks the mapping of held arrow keys onto action components: Left and Right
// on the first, Down and Up on the second, opposite keys cancelling.
func TestArrows(t *testing.T) {
	for _, c := range []struct {
		name                  string
		d                     int
		left, right, up, down bool
		want                  []float64
	}{
		{"none d=0", 0, false, false, false, false, []float64{}},
		{"all d=0", 0, true, true, true, true, []float64{}},
		{"nothing d=1", 1, false, false, false, false, []float64{0}},
		{"left d=1", 1, true, false, false, false, []float64{-1}},
		{"right d=1", 1, false, true, false, false, []float64{1}},
		{"left and right d=1", 1, true, true, false, false, []float64{0}},
		{"up ignored d=1", 1, false, false, true, false, []float64{0}},
		{"up d=2", 2, false, false, true, false, []float64{0, 1}},
		{"down d=2", 2, false, false, false, true, []float64{0, -1}},
		{"up and down d=2", 2, false, false, true, true, []float64{0, 0}},
		{"right and down d=2", 2, false, true, false, true, []float64{1, -1}},
		{"left and up d=3", 3, true, false, true, false, []float64{-1, 1, 0}},
		{"all d=3", 3, true, true, true, true, []float64{0, 0, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Arrows(c.d, c.left, c.right, c.up, c.down)
			if !slices.Equal(got, c.want) {
				t.Errorf("Arrows(%d, left %v, right %v, up %v, down %v) = %v, want %v",
					c.d, c.left, c.right, c.up, c.down, got, c.want)
			}
		})
	}
}

// near reports whether a and b are equal but for rounding.
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*max(1, math.Abs(a), math.Abs(b))
}

// nearAll reports whether a and b are equal element by element but for rounding.
func nearAll(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Abs(x-y) <= 1e-9*max(1e-3, math.Abs(x), math.Abs(y)) })
}

// niceMantissa returns x's leading digits, x over the power of ten below it, in [1, 10).
func niceMantissa(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	m := x / p
	if m >= 10*(1-1e-9) {
		m /= 10
	}
	return m
}

// isNice reports whether x is 1, 2 or 5 times a power of ten.
func isNice(x float64) bool {
	if !(x > 0) || math.IsInf(x, 0) {
		return false
	}
	m := niceMantissa(x)
	for _, w := range []float64{1, 2, 5} {
		if math.Abs(m-w) < 1e-9*w {
			return true
		}
	}
	return false
}

// nextNice returns the nice number after the nice number x: 1→2→5→10.
func nextNice(x float64) float64 {
	switch m := niceMantissa(x); {
	case math.Abs(m-1) < 1e-9:
		return 2 * x
	case math.Abs(m-2) < 1e-9:
		return 2.5 * x
	}
	return 2 * x
}

// FuzzDecodeLaunch feeds DecodeLaunch and the launch's Config arbitrary arguments, as a
// person running the viewer program by hand might. They must not panic, and a launch they
// accept must describe a window and a speed that are valid.
func FuzzDecodeLaunch(f *testing.F) {
	f.Add(`{"env":"Pendulum-v0","agents":["jepa","pets"],"seed":3,"speed":"max","width":640,"height":360}`)
	f.Add(`{"env":"Pendulum-v0","agents":["jepa"],"speed":"1e7","width":-1,"height":360,"screenshot":"x.png"}`)
	f.Add(`{"params":{"mass":1e308},"frames":3}`)
	f.Fuzz(func(t *testing.T, arg string) {
		l, err := DecodeLaunch([]byte(arg))
		if err != nil {
			return
		}
		if l.Width < 1 || l.Height < 1 || (l.Screenshot == "") != (l.Frames == 0) {
			t.Fatalf("accepted %+v", l)
		}
		cfgs, err := l.Configs()
		if err != nil {
			return
		}
		if len(cfgs) < 1 || len(cfgs) > MaxRacers {
			t.Fatalf("%d sessions from %q", len(cfgs), l.Agents)
		}
		for _, cfg := range cfgs {
			if !(cfg.Speed >= 0) {
				t.Fatalf("speed %q became %v", l.Speed, cfg.Speed)
			}
		}
	})
}
