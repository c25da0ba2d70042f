package show

import (
	"image"
	"image/color"
	"image/draw"
	"slices"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/sim"
)

// Sight is what an agent that learns from images sees and imagines, for an inset beside the
// scene: the frames side by side, each with its caption. A Sight never changes once made.
type Sight struct {
	Frames   []*image.RGBA
	Captions []string
}

// SightOf returns the sight of ag acting in env: the newest frame of its observation,
// exactly the pixels it learns from; then, when ag is a Perceiver that has planned, what its
// model reads out of the present; and with imagine, when ag is an Imaginer, what it reads
// out of the first and the last step of its plan. It returns nil if env is not observed in
// images. Read-outs of another size than the frame (a model of states) are left out.
func SightOf(env envs.Env, ag agent.Agent, imagine bool) *Sight {
	p := envs.PixelsOf(env)
	if p == nil {
		return nil
	}
	seen := toRGBA(p.Newest())
	s := &Sight{Frames: []*image.RGBA{seen}, Captions: []string{"sees"}}
	c := p.Config()
	add := func(caption string, frame []float64) {
		if img := frameImage(frame, c); img != nil {
			s.Frames, s.Captions = append(s.Frames, img), append(s.Captions, caption)
		}
	}
	if pc, ok := ag.(agent.Perceiver); ok {
		if now, err := pc.Perceived(); err == nil && now != nil {
			add("reads", now)
		}
	}
	if im, ok := ag.(agent.Imaginer); ok && imagine {
		if future, err := im.Imagined(); err == nil && len(future) > 0 {
			add("+1", future[0])
			if n := len(future); n > 1 {
				add("+"+strconv.Itoa(n), future[n-1])
			}
		}
	}
	return s
}

// toRGBA returns a copy of img as RGBA.
func toRGBA(img image.Image) *image.RGBA {
	out := image.NewRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}

// frameImage returns a frame of values in [0, 1], laid out [Height][Width][C] as c
// describes, as an image; nil if it is not of that size.
func frameImage(frame []float64, c envs.PixelConfig) *image.RGBA {
	ch := 3
	if c.Gray {
		ch = 1
	}
	if len(frame) != c.Width*c.Height*ch {
		return nil
	}
	img := image.NewRGBA(image.Rect(0, 0, c.Width, c.Height))
	for i := range c.Width * c.Height {
		for k := range 3 {
			v := frame[i*ch+min(k, ch-1)]
			img.Pix[4*i+k] = uint8(min(1, max(0, v))*255 + 0.5)
		}
		img.Pix[4*i+3] = 255
	}
	return img
}

// InsetScale returns the magnification that makes the sight's frames about a quarter of
// height tall, at least 1.
func (s *Sight) InsetScale(height int) int {
	if s == nil || len(s.Frames) == 0 {
		return 1
	}
	return max(1, height/4/s.Frames[0].Bounds().Dy())
}

// FitScale is InsetScale for an area w by h pixels, which may be narrow: the inset of a
// pane of a race keeps to about its width.
func (s *Sight) FitScale(w, h int) int { return s.InsetScale(min(h, 8*w/5)) }

// Inset geometry, in pixels of the destination.
const (
	insetGap     = 4
	insetCaption = 14
)

// Size returns the size of the inset Draw draws with frames magnified scale times.
func (s *Sight) Size(scale int) image.Point {
	if s == nil || len(s.Frames) == 0 {
		return image.Point{}
	}
	w, h := s.Frames[0].Bounds().Dx()*scale, s.Frames[0].Bounds().Dy()*scale
	return image.Pt(len(s.Frames)*(w+insetGap)+insetGap, h+2*insetGap+insetCaption)
}

// Draw draws the sight's frames side by side into dst from its top-left corner at, each
// magnified scale times, on a dark band with the captions under them, and returns the
// rectangle it covered: Size's, clipped to dst's bounds.
func (s *Sight) Draw(dst draw.Image, at image.Point, scale int) image.Rectangle {
	size := s.Size(scale)
	if size == (image.Point{}) {
		return image.Rectangle{Min: at, Max: at}
	}
	w, h := s.Frames[0].Bounds().Dx()*scale, s.Frames[0].Bounds().Dy()*scale
	area := image.Rectangle{Max: size}.Add(at)
	draw.Draw(dst, area, image.NewUniform(color.NRGBA{30, 30, 36, 255}), image.Point{}, draw.Src)
	for i, f := range s.Frames {
		x0, y0 := area.Min.X+insetGap+i*(w+insetGap), area.Min.Y+insetGap
		magnify(dst, f, image.Pt(x0, y0), scale)
		d := font.Drawer{Dst: dst, Src: image.NewUniform(color.White), Face: basicfont.Face7x13,
			Dot: fixed.P(x0, y0+h+insetCaption-2)}
		d.DrawString(s.Captions[i])
	}
	return area.Intersect(dst.Bounds())
}

// magnify draws src into dst at p, each pixel a scale×scale block; what falls outside dst
// is cut off.
func magnify(dst draw.Image, src *image.RGBA, p image.Point, scale int) {
	b := src.Bounds()
	for y := range b.Dy() * scale {
		for x := range b.Dx() * scale {
			dst.Set(p.X+x, p.Y+y, src.RGBAAt(b.Min.X+x/scale, b.Min.Y+y/scale))
		}
	}
}

// eyeColour is the colour of EyeOutline's frame.
var eyeColour = color.NRGBA{40, 120, 200, 200}

// EyeOutline returns the frame of the window that an agent learning from env's images sees
// through a camera of its own (sim.Scene.Eye), as a line to draw over the overview, or nil
// if env is not observed in images or its agent's camera is the overview.
func EyeOutline(env envs.Env) []sim.Shape {
	p := envs.PixelsOf(env)
	if p == nil {
		return nil
	}
	eye := env.Scene().Eye
	if eye == (sim.Camera{}) {
		return nil
	}
	c := p.Config()
	w := eye.Width / 2
	h := w * float64(c.Height) / float64(c.Width)
	o := eye.Center
	return []sim.Shape{{
		Kind: sim.Line, Layer: sim.LayerOverlay, Width: eye.Width / 200, Stroke: eyeColour,
		Points: []sim.Vec2{{X: o.X - w, Y: o.Y - h}, {X: o.X + w, Y: o.Y - h}, {X: o.X + w, Y: o.Y + h}, {X: o.X - w, Y: o.Y + h}, {X: o.X - w, Y: o.Y - h}},
	}}
}

// Picture draws what a front end shows of an agent acting in env into dst with r: the
// scene, with the camera's outline, the candidate plans when candidates is set, the
// imagined future as ghosts and a two-level agent's coarse plan as outlines when imagine is
// set (posed in pose, a copy of env), and for an
// agent of images the inset of what it sees at the bottom left.
func Picture(dst *image.RGBA, r *sim.Renderer, env, pose envs.Env, ag agent.Agent, imagine, candidates bool) {
	scene := *env.Scene()
	scene.Shapes = append(slices.Clone(scene.Shapes), EyeOutline(env)...)
	if candidates {
		scene.Shapes = append(scene.Shapes, Candidates(ag, env, pose)...)
	}
	if imagine {
		scene.Shapes = append(scene.Shapes, Overlay(Ghosts(ag, env, pose))...)
		scene.Shapes = append(scene.Shapes, Subgoals(ag, env, pose)...)
	}
	r.Render(dst, &scene)
	if sight := SightOf(env, ag, imagine); sight != nil {
		h := dst.Bounds().Dy()
		scale := sight.FitScale(dst.Bounds().Dx(), h)
		sight.Draw(dst, dst.Bounds().Min.Add(image.Pt(8, h-sight.Size(scale).Y-8)), scale)
	}
}
