package envs

import (
	"fmt"
	"image"
	"math"
	"strconv"
	"strings"

	"github.com/foresight-sim/foresight/sim"
)

// PixelConfig describes the images PixelObservation renders.
type PixelConfig struct {
	// Width and Height are the image size in pixels, 1 to MaxPixelSize each.
	Width, Height int
	// Gray selects one luminance channel instead of three colour channels.
	Gray bool
	// Stack is the number of most recent frames in each observation, 1 to MaxPixelStack.
	Stack int
	// Distract adds irrelevant moving detail to every frame (see Distractor).
	Distract Distractor
}

// Limits on PixelConfig.
const (
	// MaxPixelSize is the largest image width or height in pixels.
	MaxPixelSize = 1024
	// MaxPixelStack is the largest number of stacked frames.
	MaxPixelStack = 16
)

// channels returns the number of values per pixel.
func (c PixelConfig) channels() int {
	if c.Gray {
		return 1
	}
	return 3
}

func (c PixelConfig) validate() error {
	if c.Width < 1 || c.Width > MaxPixelSize || c.Height < 1 || c.Height > MaxPixelSize {
		return fmt.Errorf("envs: pixel observation size %d×%d: width and height must be 1 to %d", c.Width, c.Height, MaxPixelSize)
	}
	if c.Stack < 1 || c.Stack > MaxPixelStack {
		return fmt.Errorf("envs: pixel observation stack of %d frames: want 1 to %d", c.Stack, MaxPixelStack)
	}
	_, err := ParseDistractor(string(c.Distract))
	return err
}

// PixelObservation replaces the wrapped environment's observations with images of its
// Scene, drawn by sim.Renderer, as an agent learning from a camera would see them.
//
// An observation holds the last Stack frames, oldest first, as float64 values in [0, 1]
// laid out row-major as [Stack][Height][Width][C], where C is 1 for gray and 3 for RGB; the
// top image row comes first. Reset fills the stack with copies of the first frame. Once the
// first Reset has run, Step does not allocate in the wrapper (the wrapped environment may).
// Snapshot and Restore include the stacked frames and the distractor's position.
type PixelObservation struct {
	Env
	cfg    PixelConfig
	space  Box
	r      sim.Renderer
	img    image.Image // *image.RGBA or *image.Gray, as cfg.Gray says
	pix    []uint8     // img's pixels
	frames []float64
	size   int // values per frame
	dis    *distraction
	stale  bool // img is not the newest frame: a snapshot has been restored since it was drawn
}

// NewPixelObservation returns env wrapped to be observed in pixels. It returns an error if
// cfg's size or stack depth is out of range.
func NewPixelObservation(env Env, cfg PixelConfig) (*PixelObservation, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.Distract, _ = ParseDistractor(string(cfg.Distract)) // "none" is NoDistractor
	p := &PixelObservation{Env: env, cfg: cfg, size: cfg.Width * cfg.Height * cfg.channels(), dis: newDistraction(cfg.Distract)}
	rect := image.Rect(0, 0, cfg.Width, cfg.Height)
	if cfg.Gray {
		img := image.NewGray(rect)
		p.img, p.pix = img, img.Pix
	} else {
		img := image.NewRGBA(rect)
		p.img, p.pix = img, img.Pix
	}
	p.frames = make([]float64, cfg.Stack*p.size)
	p.space = UniformBox(0, 1, cfg.Stack, cfg.Height, cfg.Width, cfg.channels())
	return p, nil
}

// Config returns the configuration the wrapper was made with.
func (p *PixelObservation) Config() PixelConfig { return p.cfg }

// ObservationSpace returns the box [0, 1] of shape (Stack, Height, Width, C).
func (p *PixelObservation) ObservationSpace() Box { return p.space }

// Reset starts an episode and returns a stack of copies of its first frame.
func (p *PixelObservation) Reset(seed uint64) ([]float64, Info) {
	_, info := p.Env.Reset(seed)
	p.dis.reset(seed)
	p.draw(p.frames[:p.size])
	for i := p.size; i < len(p.frames); i += p.size {
		copy(p.frames[i:i+p.size], p.frames[:p.size])
	}
	return p.frames, info
}

// Step steps the wrapped environment and returns the frame stack with the new frame last.
// It returns the wrapped environment's error, changing nothing, if the step is rejected.
func (p *PixelObservation) Step(a []float64) ([]float64, float64, bool, bool, Info, error) {
	_, r, term, trunc, info, err := p.Env.Step(a)
	if err != nil {
		return nil, r, term, trunc, info, err
	}
	copy(p.frames, p.frames[p.size:])
	p.dis.step++
	p.draw(p.frames[len(p.frames)-p.size:])
	return p.frames, r, term, trunc, info, nil
}

// render draws the wrapped environment's scene through the agent's camera, and the
// distraction, into img.
func (p *PixelObservation) render() {
	s := p.Env.Scene()
	s.Camera = p.dis.shake(s.AgentCamera())
	p.r.Render(p.img, p.dis.over(s))
	p.dis.addNoise(p.pix, len(p.pix)/(p.cfg.Width*p.cfg.Height))
	p.stale = false
}

// draw renders the wrapped environment's scene into dst as values in [0, 1].
func (p *PixelObservation) draw(dst []float64) {
	p.render()
	if p.cfg.Gray {
		for i, v := range p.pix {
			dst[i] = unitByte[v]
		}
		return
	}
	// RGBA pixels: copy the three colour bytes, skip alpha (the background is opaque).
	j := 0
	for i := 0; i+3 < len(p.pix); i += 4 {
		d := dst[j : j+3 : j+3]
		d[0], d[1], d[2] = unitByte[p.pix[i]], unitByte[p.pix[i+1]], unitByte[p.pix[i+2]]
		j += 3
	}
}

// unitByte maps a byte b to b/255.
var unitByte = func() (t [256]float64) {
	for i := range t {
		t[i] = float64(i) / 255
	}
	return t
}()

// Snapshot saves the wrapped state, the frame stack and the distractor's episode seed and
// step.
func (p *PixelObservation) Snapshot(dst *Snapshot) {
	p.Env.Snapshot(dst)
	dst.pushVars(p.frames...)
	dst.pushVars(float64(p.dis.seed>>32), float64(p.dis.seed&math.MaxUint32), float64(p.dis.step))
}

// Restore restores the wrapped state, the frame stack and the distractor. It returns an
// error, changing nothing, if s is not a snapshot of this wrapper.
func (p *PixelObservation) Restore(s *Snapshot) error {
	inner, v, err := s.popVars(len(p.frames) + 3)
	if err != nil {
		return err
	}
	hi, lo, step := v[len(v)-3], v[len(v)-2], v[len(v)-1]
	if !wholeIn(hi, math.MaxUint32) || !wholeIn(lo, math.MaxUint32) || !wholeIn(step, math.MaxInt32) {
		return fmt.Errorf("envs: pixel observation snapshot with distractor seed %v:%v at step %v", hi, lo, step)
	}
	if err := p.Env.Restore(inner); err != nil {
		return err
	}
	copy(p.frames, v)
	p.dis.reset(uint64(hi)<<32 | uint64(lo))
	p.dis.step = int(step)
	p.stale = true
	return nil
}

// wholeIn reports whether v is a whole number from 0 to most.
func wholeIn(v, most float64) bool { return v >= 0 && v <= most && v == math.Trunc(v) }

// Unwrap returns the wrapped environment.
func (p *PixelObservation) Unwrap() Env { return p.Env }

// Pose returns ErrNoPose: what a model of images predicts are frames, not the innermost
// environment's observations, so nothing can be posed from them.
func (p *PixelObservation) Pose([]float64) error { return ErrNoPose }

// Trace returns ErrNoPose, for the reason Pose does.
func (p *PixelObservation) Trace([][]float64) ([][]sim.Shape, error) { return nil, ErrNoPose }

// String returns the canonical description of c that ParseObservation reads back: "pixels
// WxH", then "gray" if set, "stack N" unless N is DefaultPixelStack, and the distractor's
// name unless none, separated by spaces, such as "pixels 64x64 shapes".
func (c PixelConfig) String() string {
	s := fmt.Sprintf("pixels %dx%d", c.Width, c.Height)
	if c.Gray {
		s += " gray"
	}
	if c.Stack != DefaultPixelStack {
		s += fmt.Sprintf(" stack %d", c.Stack)
	}
	if c.Distract != NoDistractor {
		s += " " + string(c.Distract)
	}
	return s
}

// DefaultPixelStack is the number of stacked frames an observation description assumes
// when it names none.
const DefaultPixelStack = 3

// StateObservation is the description of an environment's own observations, as
// ParseObservation reads it and ObservationOf returns it.
const StateObservation = "state"

// ParseObservation reads a description PixelConfig.String wrote, or StateObservation, for
// which it returns nil. It returns an error describing what is wrong with any other text or
// an invalid configuration.
func ParseObservation(s string) (*PixelConfig, error) {
	if s == StateObservation {
		return nil, nil
	}
	f := strings.Fields(s)
	if len(f) < 2 || f[0] != "pixels" || strings.Join(f, " ") != s {
		return nil, fmt.Errorf("envs: observation %.60q: want %q or \"pixels WxH\" with options", s, StateObservation)
	}
	c := PixelConfig{Stack: DefaultPixelStack}
	if n, err := fmt.Sscanf(f[1], "%dx%d", &c.Width, &c.Height); n != 2 || err != nil || f[1] != fmt.Sprintf("%dx%d", c.Width, c.Height) {
		return nil, fmt.Errorf("envs: observation %.60q: size %.20q is not WxH", s, f[1])
	}
	rest := f[2:]
	if len(rest) > 0 && rest[0] == "gray" {
		c.Gray, rest = true, rest[1:]
	}
	if len(rest) > 1 && rest[0] == "stack" {
		n, err := strconv.Atoi(rest[1])
		if err != nil || n == DefaultPixelStack || rest[1] != strconv.Itoa(n) {
			return nil, fmt.Errorf("envs: observation %.60q: stack %.20q is not a whole number other than %d", s, rest[1], DefaultPixelStack)
		}
		c.Stack, rest = n, rest[2:]
	}
	if len(rest) == 1 && rest[0] != "none" {
		d, err := ParseDistractor(rest[0])
		if err != nil {
			return nil, fmt.Errorf("envs: observation %.60q: %w", s, err)
		}
		c.Distract, rest = d, rest[1:]
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("envs: observation %.60q: unexpected %.20q", s, strings.Join(rest, " "))
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Observe returns env observed as c describes: env itself for nil, and otherwise env
// wrapped in a PixelObservation. It returns an error if c is invalid.
func Observe(env Env, c *PixelConfig) (Env, error) {
	if c == nil {
		return env, nil
	}
	return NewPixelObservation(env, *c)
}

// ObservationOf returns the description of what an agent of env observes:
// StateObservation, or the configuration of the first PixelObservation in env's chain of
// wrappers.
func ObservationOf(env Env) string {
	if p := PixelsOf(env); p != nil {
		return p.cfg.String()
	}
	return StateObservation
}

// PixelsOf returns the first PixelObservation in env's chain of wrappers, or nil if there
// is none.
func PixelsOf(env Env) *PixelObservation {
	p, _ := inChain[*PixelObservation](env)
	return p
}

// Newest returns the newest frame of the observation, as the agent sees it (distractors
// included): an *image.RGBA, or an *image.Gray with Gray. It is the wrapper's own storage,
// redrawn by the next Reset, Step or, after a Restore, Newest.
func (p *PixelObservation) Newest() image.Image {
	if p.stale {
		p.render()
	}
	return p.img
}
