package envs

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/foresight-sim/foresight/sim"
)

// Distractor names the irrelevant, moving detail a PixelObservation adds to what the camera
// sees. Distractors are drawn, never simulated: they change neither the physics nor the
// reward nor the success rule, and the episode seed fixes them.
type Distractor string

const (
	// NoDistractor draws the scene alone.
	NoDistractor Distractor = ""
	// ShapesDistractor draws coloured shapes that drift and spin, each on its own path,
	// over the scene's background and under its bodies and targets.
	ShapesDistractor Distractor = "shapes"
	// NoiseDistractor draws a background of tiles whose colours change all the time, and
	// adds sensor noise to every pixel of every frame.
	NoiseDistractor Distractor = "noise"
	// JitterDistractor shakes the camera: every frame's view is shifted by a random
	// amount, up to jitterShift of its width each way, drawn afresh every step.
	JitterDistractor Distractor = "jitter"
)

// Distractors returns the distractors there are, besides none.
func Distractors() []Distractor {
	return []Distractor{ShapesDistractor, NoiseDistractor, JitterDistractor}
}

// ParseDistractor returns the distractor called s; "none" and "" are NoDistractor. It
// returns an error naming the known ones otherwise.
func ParseDistractor(s string) (Distractor, error) {
	if s == "" || s == "none" {
		return NoDistractor, nil
	}
	for _, d := range Distractors() {
		if string(d) == s {
			return d, nil
		}
	}
	return "", fmt.Errorf("envs: unknown distractor %.40q (known: %s)", s, DistractorNames())
}

// DistractorNames returns the names ParseDistractor reads, "none" first, separated by
// commas, for help texts and errors.
func DistractorNames() string {
	names := []string{NoDistractor.String()}
	for _, d := range Distractors() {
		names = append(names, string(d))
	}
	return strings.Join(names, ", ")
}

// String returns the distractor's name, "none" for NoDistractor.
func (d Distractor) String() string {
	if d == NoDistractor {
		return "none"
	}
	return string(d)
}

// Sizes of the distractors.
const (
	distractShapes = 7  // shapes drifting over the scene
	distractTiles  = 8  // tiles per side of the noise background
	sensorNoise    = 12 // standard deviation of the sensor noise, in levels of 255
	jitterShift    = 0.03
)

// distractStream is the stream of the episode seed distractors draw from.
const distractStream = 0x6469_7374_7261_6374

// distraction draws a distractor into frames: what it draws depends only on the episode
// seed and the number of steps since the reset.
type distraction struct {
	kind   Distractor
	seed   uint64
	step   int
	shapes [distractShapes]driftingShape
	tiles  [distractTiles * distractTiles]tile
	scene  sim.Scene
	noise  rand.PCG   // reseeded every step
	rng    *rand.Rand // draws from noise
	pts    [4]sim.Vec2
}

// newDistraction returns a distraction of the given kind.
func newDistraction(kind Distractor) *distraction {
	d := &distraction{kind: kind}
	d.rng = rand.New(&d.noise)
	return d
}

// driftingShape is one shape of ShapesDistractor: a circle, square or triangle whose centre
// follows a Lissajous path over the view, spinning at a constant rate. Positions and sizes
// are fractions of the view's width.
type driftingShape struct {
	sides                  int // 0 for a circle
	colour                 color.NRGBA
	size                   float64
	x0, y0, ax, ay, fx, fy float64
	px, py, spin, angle0   float64
}

// tile is one tile of NoiseDistractor's background: its colour swings around base, each
// channel at its own rate and phase.
type tile struct {
	base, amp   [3]float64
	rate, phase [3]float64
}

// reset draws the distractor's paths and colours for an episode of the given seed.
func (d *distraction) reset(seed uint64) {
	d.seed, d.step = seed, 0
	rng := rand.New(rand.NewPCG(seed, distractStream))
	switch d.kind {
	case ShapesDistractor:
		for i := range d.shapes {
			d.shapes[i] = driftingShape{
				sides:  []int{0, 3, 4}[rng.IntN(3)],
				colour: vivid(rng),
				size:   0.08 + 0.1*rng.Float64(),
				x0:     rng.Float64() - 0.5, y0: rng.Float64() - 0.5,
				ax: 0.2 + 0.3*rng.Float64(), ay: 0.2 + 0.3*rng.Float64(),
				fx: 0.02 + 0.06*rng.Float64(), fy: 0.02 + 0.06*rng.Float64(),
				px: 2 * math.Pi * rng.Float64(), py: 2 * math.Pi * rng.Float64(),
				spin: 0.3 * (rng.Float64() - 0.5), angle0: 2 * math.Pi * rng.Float64(),
			}
		}
	case NoiseDistractor:
		for i := range d.tiles {
			for c := range 3 {
				d.tiles[i].base[c] = 60 + 140*rng.Float64()
				d.tiles[i].amp[c] = 20 + 40*rng.Float64()
				d.tiles[i].rate[c] = 0.05 + 0.25*rng.Float64()
				d.tiles[i].phase[c] = 2 * math.Pi * rng.Float64()
			}
		}
	}
}

// vivid returns a saturated colour of random hue.
func vivid(rng *rand.Rand) color.NRGBA {
	h := 6 * rng.Float64()
	x := uint8(255 * (1 - math.Abs(math.Mod(h, 2)-1)))
	switch int(h) {
	case 0:
		return color.NRGBA{255, x, 0, 255}
	case 1:
		return color.NRGBA{x, 255, 0, 255}
	case 2:
		return color.NRGBA{0, 255, x, 255}
	case 3:
		return color.NRGBA{0, x, 255, 255}
	case 4:
		return color.NRGBA{x, 0, 255, 255}
	}
	return color.NRGBA{255, 0, x, 255}
}

// over returns the scene to draw: s with the distractor's shapes added, in memory of d's
// that the next call reuses. Without shapes to add it returns s itself.
func (d *distraction) over(s *sim.Scene) *sim.Scene {
	if d.kind != ShapesDistractor && d.kind != NoiseDistractor {
		return s
	}
	d.scene.Reset()
	d.scene.Background, d.scene.Camera = s.Background, s.Camera
	w := s.Camera.Width
	at := func(x, y float64) sim.Vec2 { return sim.Vec2{X: s.Camera.Center.X + x*w, Y: s.Camera.Center.Y + y*w} }
	t := float64(d.step)
	switch d.kind {
	case ShapesDistractor:
		for _, sh := range d.shapes {
			c := at(sh.x0+sh.ax*math.Sin(sh.fx*t+sh.px), sh.y0+sh.ay*math.Sin(sh.fy*t+sh.py))
			c.X, c.Y = wrapView(c.X, s.Camera.Center.X, w), wrapView(c.Y, s.Camera.Center.Y, w)
			if sh.sides == 0 {
				d.scene.AddCircle(sim.LayerTarget-1, sh.colour, c, sh.size*w/2)
				continue
			}
			a := sh.angle0 + sh.spin*t
			pts := d.pts[:sh.sides]
			for k := range pts {
				th := a + 2*math.Pi*float64(k)/float64(sh.sides)
				pts[k] = sim.Vec2{X: c.X + sh.size*w/2*math.Cos(th), Y: c.Y + sh.size*w/2*math.Sin(th)}
			}
			d.scene.AddPolygon(sim.LayerTarget-1, sh.colour, pts...)
		}
	case NoiseDistractor:
		n := float64(distractTiles)
		for i, tl := range d.tiles {
			var ch [3]uint8
			for k := range ch {
				ch[k] = uint8(min(255, max(0, tl.base[k]+tl.amp[k]*math.Sin(tl.rate[k]*t+tl.phase[k]))))
			}
			c := color.NRGBA{ch[0], ch[1], ch[2], 255}
			x, y := float64(i%distractTiles)/n-0.5, float64(i/distractTiles)/n-0.5
			d.scene.AddPolygon(sim.LayerBackground-1, c, at(x, y), at(x+1/n, y), at(x+1/n, y+1/n), at(x, y+1/n))
		}
	}
	d.scene.Shapes = append(d.scene.Shapes, s.Shapes...)
	return &d.scene
}

// wrapView maps v into the window of width w around centre, wrapping around its edges, so
// that a shape leaving on one side comes back on the other.
func wrapView(v, centre, w float64) float64 {
	u := math.Mod(v-centre+w/2, w)
	if u < 0 {
		u += w
	}
	return centre - w/2 + u
}

// shake returns cam shifted by the current step's jitter, or cam itself without one.
func (d *distraction) shake(cam sim.Camera) sim.Camera {
	if d.kind != JitterDistractor {
		return cam
	}
	d.noise.Seed(d.seed^distractStream, uint64(d.step))
	dx, dy := 2*d.rng.Float64()-1, 2*d.rng.Float64()-1
	cam.Center = cam.Center.Add(sim.V(dx, dy).Scale(jitterShift * cam.Width))
	return cam
}

// addNoise adds the sensor noise of the current step to the bytes of a frame.
func (d *distraction) addNoise(pix []uint8, channels int) {
	if d.kind != NoiseDistractor {
		return
	}
	d.noise.Seed(d.seed^distractStream, uint64(d.step))
	rng := d.rng
	for i := range pix {
		if channels == 4 && i%4 == 3 {
			continue // alpha
		}
		pix[i] = uint8(min(255, max(0, float64(pix[i])+sensorNoise*rng.NormFloat64()+0.5)))
	}
}
