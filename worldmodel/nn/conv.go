package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Shape is the size of an image or a stack of images: H rows of W pixels of C channels. A
// batch of images is a Matrix with one image per row, stored channels last: row by row,
// pixel by pixel, channel by channel.
type Shape struct{ H, W, C int }

// Size returns how many values an image of the shape holds.
func (s Shape) Size() int { return s.H * s.W * s.C }

// String returns the shape as "HxWxC", such as "64x64x9".
func (s Shape) String() string { return fmt.Sprintf("%dx%dx%d", s.H, s.W, s.C) }

// ConvLayer describes one layer of a convolutional network: a convolution of Kernel×Kernel
// windows, moved Stride pixels at a time over the input padded with Pad zeros on every
// side, or with Transpose the transposed convolution, which maps a convolution's output
// shape back to its input shape (the decoders' upsampling layer). A bias per output channel
// and the activation follow.
type ConvLayer struct {
	Out        int // output channels
	Kernel     int
	Stride     int
	Pad        int
	Transpose  bool
	Activation Activation
}

// String returns a description such as "conv 32 7/2 relu" (channels, kernel/stride) or
// "deconv 32 4/2 pad 1 identity".
func (l ConvLayer) String() string {
	kind := "conv"
	if l.Transpose {
		kind = "deconv"
	}
	s := fmt.Sprintf("%s %d %d/%d", kind, l.Out, l.Kernel, l.Stride)
	if l.Pad > 0 {
		s += fmt.Sprintf(" pad %d", l.Pad)
	}
	return s + " " + l.Activation.String()
}

// ConvSpec describes a convolutional network: the shape of its input images and its layers,
// in order.
type ConvSpec struct {
	In     Shape
	Layers []ConvLayer
}

// Limits of a ConvSpec: every size is at most maxConvDim, every image at most maxConvSize
// values, every layer at most maxConvSize parameters.
const (
	maxConvDim  = 1 << 16
	maxConvSize = 1 << 28
)

// Validate returns an error describing the first thing wrong with s, or nil: a size that is
// not positive or too large, a padding of a whole kernel or more, or a layer whose output
// would be empty.
func (s ConvSpec) Validate() error {
	_, err := s.Shapes()
	return err
}

// Out returns the shape of the network's output; it is the zero Shape if s is invalid.
func (s ConvSpec) Out() Shape {
	shapes, err := s.Shapes()
	if err != nil {
		return Shape{}
	}
	return shapes[len(shapes)-1]
}

// String returns a one-line description such as "64x64x9: conv 32 7/2 relu, conv 32 5/2 relu".
func (s ConvSpec) String() string {
	layers := make([]string, len(s.Layers))
	for i, l := range s.Layers {
		layers[i] = l.String()
	}
	return s.In.String() + ": " + strings.Join(layers, ", ")
}

// equal reports whether s and o describe the same architecture.
func (s ConvSpec) equal(o ConvSpec) bool { return s.In == o.In && slices.Equal(s.Layers, o.Layers) }

// Shapes returns the shape of the input and of each layer's output, or an error as Validate.
func (s ConvSpec) Shapes() ([]Shape, error) {
	in := s.In
	if err := checkShape("input", in); err != nil {
		return nil, fmt.Errorf("nn: conv spec: %w", err)
	}
	if len(s.Layers) == 0 {
		return nil, fmt.Errorf("nn: conv spec has no layers")
	}
	out := []Shape{in}
	for i, l := range s.Layers {
		next, err := l.outShape(in)
		if err != nil {
			return nil, fmt.Errorf("nn: conv spec layer %d (%v) on %v: %w", i, l, in, err)
		}
		out = append(out, next)
		in = next
	}
	return out, nil
}

// outShape returns the shape of the layer's output for an input of shape in, or an error
// if the layer is invalid or its output empty or too large.
func (l ConvLayer) outShape(in Shape) (Shape, error) {
	for _, v := range []struct {
		name     string
		v, least int
	}{{"output channels", l.Out, 1}, {"kernel", l.Kernel, 1}, {"stride", l.Stride, 1}, {"padding", l.Pad, 0}} {
		if v.v < v.least || v.v > maxConvDim {
			return Shape{}, fmt.Errorf("%s %d, want %d to %d", v.name, v.v, v.least, maxConvDim)
		}
	}
	if l.Pad >= l.Kernel {
		return Shape{}, fmt.Errorf("padding %d, want less than the kernel", l.Pad)
	}
	if l.Activation >= numActivations {
		return Shape{}, fmt.Errorf("unknown activation %d", l.Activation)
	}
	size := func(n int) int {
		if l.Transpose {
			return (n-1)*l.Stride - 2*l.Pad + l.Kernel
		}
		return (n+2*l.Pad-l.Kernel)/l.Stride + 1
	}
	if !l.Transpose && (in.H+2*l.Pad < l.Kernel || in.W+2*l.Pad < l.Kernel) {
		return Shape{}, fmt.Errorf("kernel %d wider than the padded input", l.Kernel)
	}
	out := Shape{size(in.H), size(in.W), l.Out}
	if err := checkShape("output", out); err != nil {
		return Shape{}, err
	}
	if in.C*l.Kernel*l.Kernel*l.Out > maxConvSize {
		return Shape{}, fmt.Errorf("more than %d weights", maxConvSize)
	}
	return out, nil
}

// checkShape returns an error unless every size of s is positive and within the limits.
func checkShape(name string, s Shape) error {
	if s.H < 1 || s.W < 1 || s.C < 1 || s.H > maxConvDim || s.W > maxConvDim || s.C > maxConvDim || s.Size() > maxConvSize {
		return fmt.Errorf("%s shape %v, want sizes from 1 to %d and at most %d values", name, s, maxConvDim, maxConvSize)
	}
	return nil
}

// Conv is a convolutional network built from a ConvSpec. Like MLP, its parameters and
// gradients each live in one flat slice, its buffers grow to the largest batch seen and are
// reused, and it is not safe for concurrent use.
type Conv[T Float] struct {
	spec ConvSpec
	stack[T, convLayer[T], *convLayer[T]]
	params []T
	grads  []T
}

// NewConv returns a network of the given spec with freshly initialised parameters: weights
// and biases uniform in ±1/sqrt(fan-in), as PyTorch's Conv2d and ConvTranspose2d do. The same
// spec and seed give the same parameters. It returns an error if the spec is invalid.
func NewConv[T Float](spec ConvSpec, seed uint64) (*Conv[T], error) {
	shapes, err := spec.Shapes()
	if err != nil {
		return nil, err
	}
	spec.Layers = slices.Clone(spec.Layers)
	c := &Conv[T]{spec: spec}
	c.inputs = spec.In.Size()
	total := 0
	for i, ls := range spec.Layers {
		l := newConvLayer[T](ls, shapes[i], shapes[i+1])
		total += l.numParams()
		c.layers = append(c.layers, l)
	}
	c.params, c.grads = make([]T, total), make([]T, total)
	c.bindLayers(c.params, c.grads)
	rng := rand.New(rand.NewPCG(seed, 0x636f_6e76_2d69_6e69)) // the second word names this stream
	for i := range c.layers {
		l := &c.layers[i]
		bound := 1 / math.Sqrt(float64(l.fanIn()))
		for _, s := range [][]T{l.w, l.b} {
			for j := range s {
				s[j] = T(bound * (2*rng.Float64() - 1))
			}
		}
	}
	return c, nil
}

// Clone returns an independent copy of c with the same parameters and gradients and buffers
// of its own.
func (c *Conv[T]) Clone() *Conv[T] { return c.over(slices.Clone(c.params), slices.Clone(c.grads)) }

// Share returns a network that shares c's parameters and gradients but has buffers of its
// own, as MLP.Share does.
func (c *Conv[T]) Share() *Conv[T] { return c.over(c.params, c.grads) }

// over returns a network of c's architecture whose parameters and gradients are params and
// grads, with fresh buffers.
func (c *Conv[T]) over(params, grads []T) *Conv[T] {
	o := &Conv[T]{spec: c.spec, params: params, grads: grads}
	o.inputs = c.inputs
	for _, l := range c.layers {
		o.layers = append(o.layers, newConvLayer[T](l.spec, l.in, l.out))
	}
	o.bindLayers(params, grads)
	return o
}

// Spec returns the network's spec.
func (c *Conv[T]) Spec() ConvSpec {
	s := c.spec
	s.Layers = slices.Clone(s.Layers)
	return s
}

// Params returns all the network's parameters as one slice, the network's own storage: layer
// by layer, the weights and then the biases. A convolution's weights are a
// (Kernel·Kernel·in channels)×Out matrix, row-major, whose rows run over the window's rows,
// then its pixels, then the input channels; a transposed convolution's are an (in channels)×
// (Kernel·Kernel·Out) matrix whose columns run in the same order.
func (c *Conv[T]) Params() []T { return c.params }

// Grads returns the gradients of the loss with respect to Params, in the same layout.
func (c *Conv[T]) Grads() []T { return c.grads }

// ZeroGrad sets every gradient to zero.
func (c *Conv[T]) ZeroGrad() { clear(c.grads) }

// Forward returns the network's output for the batch x, one image of shape Spec().In per
// row, and records what Backward needs. The output is the network's own storage, one image
// of shape Spec().Out() per row, valid until its next Forward or Infer; x must not change
// until Backward. It panics if x's rows are not images of the input shape.
func (c *Conv[T]) Forward(x Matrix[T]) Matrix[T] { return c.pass("Forward", x, true) }

// Infer returns the network's output for the batch x like Forward, without recording
// anything for Backward. It discards the record of an earlier Forward.
func (c *Conv[T]) Infer(x Matrix[T]) Matrix[T] { return c.pass("Infer", x, false) }

// Backward takes dOut = dLoss/d(output) for the batch of the last Forward and adds the
// gradients of the loss with respect to the parameters into Grads. It consumes the record of
// that Forward. It panics if there is no such Forward or dOut's shape differs from the
// output's.
func (c *Conv[T]) Backward(dOut Matrix[T]) { c.backward(dOut, false) }

// BackwardInput does what Backward does and also returns dLoss/d(input). The result is the
// network's own storage, valid until its next Backward.
func (c *Conv[T]) BackwardInput(dOut Matrix[T]) Matrix[T] { return c.backward(dOut, true) }
