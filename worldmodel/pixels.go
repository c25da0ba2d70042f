package worldmodel

import (
	"fmt"
	"math/rand/v2"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// Pixels describes image observations: Stack frames of Height×Width pixels of Channels
// values, laid out [Stack][Height][Width][Channels] with values in [0, 1], as
// envs.PixelObservation returns them. The zero value stands for state observations.
type Pixels struct {
	Stack, Height, Width, Channels int
}

// MaxPixelSide is the largest image width or height a model of images takes: the memory of
// its training step grows with the pixels, past a gigabyte at 256×256.
const MaxPixelSide = 128

// Images reports whether p describes image observations.
func (p Pixels) Images() bool { return p.Stack > 0 }

// frame returns the shape of one frame.
func (p Pixels) frame() nn.Shape { return nn.Shape{H: p.Height, W: p.Width, C: p.Channels} }

// input returns the shape of the image the encoder takes: the frames side by side in the
// channels.
func (p Pixels) input() nn.Shape { return nn.Shape{H: p.Height, W: p.Width, C: p.Stack * p.Channels} }

// size returns the number of values of an observation.
func (p Pixels) size() int { return p.Stack * p.Height * p.Width * p.Channels }

// ConvConfig configures the convolutional encoder of a model that learns from images, and
// the decoder that mirrors it.
type ConvConfig struct {
	// Layers are the encoder's convolutions, in order; the decoder applies their transposes
	// in the reverse order, the last without activation.
	Layers []nn.ConvLayer
	// Shift is the most pixels by which training moves each image at random along each
	// axis (DrQ's augmentation); 0 turns it off.
	Shift int
}

// DefaultConvConfig returns the encoder of the pixel models: three convolutions of 32
// channels with ReLU, 8×8 stride 4, 5×5 stride 2, 3×3 stride 1 (a 64×64 image becomes
// 4×4×32), and random shifts of up to 4 pixels. It is smaller than TD-MPC2's (7/2, 5/2,
// 3/2, 3/1), about a third of its arithmetic, so that a learner keeps up with real time
// on two cores; docs/decisions/pixels.md has the measurements.
func DefaultConvConfig() ConvConfig {
	return ConvConfig{
		Layers: []nn.ConvLayer{
			{Out: 32, Kernel: 8, Stride: 4, Activation: nn.ReLU},
			{Out: 32, Kernel: 5, Stride: 2, Activation: nn.ReLU},
			{Out: 32, Kernel: 3, Stride: 1, Activation: nn.ReLU},
		},
		Shift: 4,
	}
}

// specs returns the encoder's and the decoder's convolutional networks for images p, or an
// error if the images are larger than MaxPixelSide, the layers do not fit them or the
// decoder would not give back a frame of their size.
func (c ConvConfig) specs(p Pixels) (enc, dec nn.ConvSpec, err error) {
	if p.Width > MaxPixelSide || p.Height > MaxPixelSide {
		return enc, dec, fmt.Errorf("images of %dx%d pixels: a model of images takes at most %dx%d", p.Width, p.Height, MaxPixelSide, MaxPixelSide)
	}
	if c.Shift < 0 || len(c.Layers) == 0 {
		return enc, dec, fmt.Errorf("convolutional encoder of %d layers shifting by %d pixels: want layers and a shift ≥ 0", len(c.Layers), c.Shift)
	}
	enc = nn.ConvSpec{In: p.input(), Layers: c.Layers}
	shapes, err := enc.Shapes()
	if err != nil {
		return enc, dec, fmt.Errorf("encoder for %dx%d images: %w", p.Width, p.Height, err)
	}
	dec.In = shapes[len(shapes)-1]
	for i := len(c.Layers) - 1; i >= 0; i-- {
		l := c.Layers[i]
		l.Transpose = !l.Transpose
		l.Out = shapes[i].C
		if i == 0 {
			l.Out, l.Activation = p.Channels, nn.Identity
		}
		dec.Layers = append(dec.Layers, l)
	}
	if out := dec.Out(); out != p.frame() {
		return enc, dec, fmt.Errorf("the decoder of %dx%d images gives %dx%d: choose sizes the encoder's strides divide evenly (multiples of 8 from 40 with the default layers)",
			p.Width, p.Height, out.W, out.H)
	}
	return enc, dec, nil
}

// chain is a network of a convolutional part and an MLP part: an MLP alone for state
// observations, convolutions then an MLP head to encode images, an MLP then transposed
// convolutions to decode them.
type chain struct {
	conv   *nn.Conv[float32] // nil for an MLP alone
	mlp    *nn.MLP[float32]
	decode bool      // the MLP comes first
	order  []network // the parts in the order they apply
}

// network is what a chain needs of its parts, nn's MLP and Conv.
type network interface {
	Forward(nn.Matrix[float32]) nn.Matrix[float32]
	Infer(nn.Matrix[float32]) nn.Matrix[float32]
	Backward(nn.Matrix[float32])
	BackwardInput(nn.Matrix[float32]) nn.Matrix[float32]
	ZeroGrad()
	nn.Net[float32]
}

// parts returns the networks in the order they apply.
func (c *chain) parts() []network {
	if c.order == nil {
		switch {
		case c.conv == nil:
			c.order = []network{c.mlp}
		case c.decode:
			c.order = []network{c.mlp, c.conv}
		default:
			c.order = []network{c.conv, c.mlp}
		}
	}
	return c.order
}

// nets returns the networks for an optimiser, in the order they apply.
func (c *chain) nets() []nn.Net[float32] {
	var out []nn.Net[float32]
	for _, p := range c.parts() {
		out = append(out, p)
	}
	return out
}

// forward runs a training pass, recording it for backward.
func (c *chain) forward(x nn.Matrix[float32]) nn.Matrix[float32] {
	for _, p := range c.parts() {
		x = p.Forward(x)
	}
	return x
}

// infer runs a pass that records nothing.
func (c *chain) infer(x nn.Matrix[float32]) nn.Matrix[float32] {
	for _, p := range c.parts() {
		x = p.Infer(x)
	}
	return x
}

// backward accumulates the gradients of the parameters from the output gradient dOut of
// the last forward pass, and returns the input gradient if wantInput.
func (c *chain) backward(dOut nn.Matrix[float32], wantInput bool) nn.Matrix[float32] {
	parts := c.parts()
	for i := len(parts) - 1; i > 0; i-- {
		dOut = parts[i].BackwardInput(dOut)
	}
	if wantInput {
		return parts[0].BackwardInput(dOut)
	}
	parts[0].Backward(dOut)
	return nn.Matrix[float32]{}
}

// follow moves c's parameters towards src's at the given rate.
func (c *chain) follow(src *chain, rate float64) {
	for i, p := range c.parts() {
		nn.Follow(p, src.parts()[i], rate)
	}
}

// zeroGrad clears the gradients.
func (c *chain) zeroGrad() {
	for _, p := range c.parts() {
		p.ZeroGrad()
	}
}

// clone returns a copy with parameters of its own.
func (c *chain) clone() *chain {
	out := &chain{mlp: c.mlp.Clone(), decode: c.decode}
	if c.conv != nil {
		out.conv = c.conv.Clone()
	}
	return out
}

// newChain returns a chain: an MLP from in through hidden to out alone when conv is nil,
// and otherwise with the convolutional network conv before it (or, to decode, after it),
// the MLP's size on that side being conv's output (or input) size. Parameters come from
// streams of seedValue.
func newChain(in int, hidden []int, out int, conv *nn.ConvSpec, decode bool, seedValue uint64) (*chain, error) {
	c := &chain{decode: decode}
	if conv != nil {
		var err error
		if c.conv, err = nn.NewConv[float32](*conv, seedValue^convSeed); err != nil {
			return nil, err
		}
		if decode {
			out = conv.In.Size()
		} else {
			in = conv.Out().Size()
		}
	}
	var err error
	c.mlp, err = mlp(in, hidden, out, seedValue)
	return c, err
}

// convSeed is mixed into a chain's seed for its convolutional part.
const convSeed = 0x636f_6e76_0000_0000

// observations turns a model's observations into what its encoder takes: state vectors
// scaled to zero mean and unit spread (see scaler), or images laid out with the frames side
// by side in the channels, [Height][Width][Stack·Channels], centred on 0 and, in training,
// shifted at random.
type observations struct {
	scale scaler
	pix   Pixels
	shift int
	src   *rand.PCG // the source of rng, saved with the model
	rng   *rand.Rand
}

// prepare writes observation src, prepared for the encoder, into dst.
func (o *observations) prepare(dst, src []float32) {
	if !o.pix.Images() {
		o.scale.apply(dst, src)
		return
	}
	p := o.pix
	frame, c, stride := p.Height*p.Width*p.Channels, p.Channels, p.Stack*p.Channels
	for s := range p.Stack {
		f, d := src[s*frame:(s+1)*frame], dst[s*c:]
		if c == 3 { // RGB, the common case, without an inner loop
			for i, j := 0, 0; i+2 < len(f) && j+2 < len(d); i, j = i+3, j+stride {
				d[j], d[j+1], d[j+2] = f[i]-0.5, f[i+1]-0.5, f[i+2]-0.5
			}
			continue
		}
		for i, j := 0, 0; i < len(f); i, j = i+c, j+stride {
			for k := range c {
				d[j+k] = f[i+k] - 0.5
			}
		}
	}
}

// augment sets dst to the prepared images of src shifted at random, or to src itself when
// the observations are states or shifts are off.
func (o *observations) augment(dst *nn.Matrix[float32], src nn.Matrix[float32]) nn.Matrix[float32] {
	if !o.pix.Images() || o.shift == 0 {
		return src
	}
	shape(dst, src.Rows, src.Cols)
	nn.RandomShift(*dst, src, o.pix.input(), o.shift, o.rng)
	return *dst
}

// newest writes into dst the newest frame of the prepared image src, or src itself for
// states: what a decoder reconstructs.
func (o *observations) newest(dst, src []float32) {
	if !o.pix.Images() {
		copy(dst, src)
		return
	}
	p := o.pix
	c, last := p.Channels, (p.Stack-1)*p.Channels
	for px := range p.Height * p.Width {
		copy(dst[px*c:(px+1)*c], src[px*p.Stack*c+last:][:c])
	}
}

// restore writes into dst the observation (or, for images, the newest frame) whose prepared
// form is src: what a decoder's output stands for.
func (o *observations) restore(dst, src []float32) {
	if !o.pix.Images() {
		o.scale.invert(dst, src)
		return
	}
	for i, v := range src {
		dst[i] = min(1, max(0, v+0.5))
	}
}

// decoded returns the number of values a decoder outputs for observations of size obs.
func (o *observations) decoded(obs int) int {
	if !o.pix.Images() {
		return obs
	}
	return o.pix.Height * o.pix.Width * o.pix.Channels
}

// marshal encodes the state that changes as the model trains: the scaling of states, or
// the position of the shifts' random stream for images.
func (o *observations) marshal() []byte {
	if !o.pix.Images() {
		return o.scale.marshal()
	}
	b, _ := o.src.MarshalBinary()
	return b
}

// unmarshal decodes what marshal wrote for observations of size d and returns the function
// that applies it, or an error, changing nothing.
func (o *observations) unmarshal(b []byte, d int) (func(), error) {
	if !o.pix.Images() {
		var s scaler
		if err := s.unmarshal(b, d); err != nil {
			return nil, err
		}
		return func() { o.scale = s }, nil
	}
	var src rand.PCG
	if err := src.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("worldmodel: random shift state: %w", err)
	}
	return func() { *o.src = src }, nil
}
