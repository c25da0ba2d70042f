package show

import (
	"image"
	"image/color"
	"math"
	"slices"
	"testing"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/sim"
)

// seer is an agent that perceives and imagines fixed frames.
type seer struct {
	dreamer
	now []float64
}

func (s seer) Perceived() ([]float64, error) { return s.now, nil }

// flat returns a w×h RGB frame of one colour, values in [0, 1].
func flat(w, h int, r, g, b float64) []float64 {
	f := make([]float64, 0, 3*w*h)
	for range w * h {
		f = append(f, r, g, b)
	}
	return f
}

func TestSightOf(t *testing.T) {
	plain, err := envs.Make("Pendulum-v0")
	if err != nil {
		t.Fatal(err)
	}
	if s := SightOf(plain, agent.NewZero(plain.ActionSpace()), true); s != nil {
		t.Error("an environment of states has a sight")
	}
	env, err := envs.NewPixelObservation(plain, envs.PixelConfig{Width: 8, Height: 6, Stack: 2})
	if err != nil {
		t.Fatal(err)
	}
	env.Reset(1)
	zero := agent.NewZero(env.ActionSpace())
	s := SightOf(env, zero, true)
	if s == nil || len(s.Frames) != 1 || s.Captions[0] != "sees" {
		t.Fatalf("a plain agent's sight: %+v, want the frame it sees alone", s)
	}
	seen := env.Newest().(*image.RGBA)
	if !slices.Equal(s.Frames[0].Pix, seen.Pix) || &s.Frames[0].Pix[0] == &seen.Pix[0] {
		t.Error("the frame seen is not a copy of the observation's newest frame")
	}
	future := [][]float64{flat(8, 6, 1, 0, 0), flat(8, 6, 0, 1, 0), flat(8, 6, 0, 0, 1)}
	a := seer{dreamer{zero, future, nil}, flat(8, 6, 0.5, 0.5, 0.5)}
	s = SightOf(env, a, true)
	if want := []string{"sees", "reads", "+1", "+3"}; !slices.Equal(s.Captions, want) {
		t.Fatalf("captions %q, want %q", s.Captions, want)
	}
	for i, want := range []color.RGBA{{128, 128, 128, 255}, {255, 0, 0, 255}, {0, 0, 255, 255}} {
		if got := s.Frames[i+1].RGBAAt(3, 2); got != want {
			t.Errorf("frame %q is %v, want %v", s.Captions[i+1], got, want)
		}
	}
	if s := SightOf(env, a, false); len(s.Frames) != 2 {
		t.Errorf("without imagination, %d frames, want what it sees and reads", len(s.Frames))
	}
	a.now = []float64{0.5, 0.5, 0.5} // a read-out of states: not a frame
	if s := SightOf(env, a, false); len(s.Frames) != 1 {
		t.Errorf("a read-out of another size was drawn")
	}
}

func TestSightDraw(t *testing.T) {
	red := image.NewRGBA(image.Rect(0, 0, 4, 3))
	for i := range 12 {
		red.Pix[4*i], red.Pix[4*i+3] = 255, 255
	}
	s := &Sight{Frames: []*image.RGBA{red, red}, Captions: []string{"a", "b"}}
	size := s.Size(2)
	if want := image.Pt(2*(8+insetGap)+insetGap, 6+2*insetGap+insetCaption); size != want {
		t.Fatalf("Size(2) = %v, want %v", size, want)
	}
	dst := image.NewRGBA(image.Rect(0, 0, 100, 60))
	r := s.Draw(dst, image.Pt(5, 7), 2)
	if r != (image.Rectangle{Max: size}).Add(image.Pt(5, 7)) {
		t.Errorf("Draw covered %v", r)
	}
	// The second frame, magnified twice, starts at x = 5 + gap + 8 + gap, y = 7 + gap.
	x0, y0 := 5+insetGap+8+insetGap, 7+insetGap
	for _, p := range []image.Point{{x0, y0}, {x0 + 7, y0 + 5}} {
		if got := dst.RGBAAt(p.X, p.Y); got != (color.RGBA{255, 0, 0, 255}) {
			t.Errorf("pixel %v is %v, want the frame's red", p, got)
		}
	}
	if got := dst.RGBAAt(x0+8, y0); got == (color.RGBA{255, 0, 0, 255}) {
		t.Error("the frame reaches past its magnified size")
	}
	if got := dst.RGBAAt(0, 0); got != (color.RGBA{}) {
		t.Error("Draw painted outside its rectangle")
	}
	if s.InsetScale(120) != 10 || (*Sight)(nil).Size(3) != (image.Point{}) {
		t.Error("InsetScale or the size of no sight")
	}
}

// TestEyeOutline checks that the outline is drawn only for an agent with a camera of its
// own, CartPoleSwingup-v0's in pixels, and frames the window it sees: centred on the cart,
// as wide as the camera and as tall as the images' aspect makes it.
func TestEyeOutline(t *testing.T) {
	pixels := func(id string) envs.Env {
		env, err := envs.Make(id)
		if err != nil {
			t.Fatal(err)
		}
		p, err := envs.NewPixelObservation(env, envs.PixelConfig{Width: 64, Height: 32, Stack: 1})
		if err != nil {
			t.Fatal(err)
		}
		p.Reset(1)
		return p
	}
	cart, err := envs.Make("CartPoleSwingup-v0")
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range []envs.Env{cart, pixels("Pendulum-v0")} {
		if got := EyeOutline(env); got != nil {
			t.Errorf("%s observed in %s: outline %v, want none", env.Spec().ID, envs.ObservationOf(env), got)
		}
	}
	env := pixels("CartPoleSwingup-v0")
	if _, _, _, _, _, err := env.Step([]float64{1}); err != nil {
		t.Fatal(err)
	}
	eye := env.Scene().Eye
	got := EyeOutline(env)
	if len(got) != 1 || len(got[0].Points) != 5 {
		t.Fatalf("outline %v, want one closed rectangle", got)
	}
	var lo, hi sim.Vec2 = got[0].Points[0], got[0].Points[0]
	for _, p := range got[0].Points {
		lo.X, lo.Y, hi.X, hi.Y = min(lo.X, p.X), min(lo.Y, p.Y), max(hi.X, p.X), max(hi.Y, p.Y)
	}
	const eps = 1e-9
	if eye.Center.X == 0 || math.Abs((lo.X+hi.X)/2-eye.Center.X) > eps || math.Abs(hi.X-lo.X-eye.Width) > eps || math.Abs(hi.Y-lo.Y-eye.Width/2) > eps {
		t.Errorf("outline from %v to %v, want the camera %+v's window, half as tall as wide", lo, hi, eye)
	}
}
