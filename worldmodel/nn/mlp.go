package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// Spec describes a multilayer perceptron: its layer widths, whether its hidden layers have
// LayerNorm, and their activation. The output layer is always affine, without LayerNorm.
type Spec struct {
	// Sizes lists the widths from the input to the output, so a network with one hidden layer
	// has three sizes. There must be at least two, all positive.
	Sizes []int
	// LayerNorm puts a LayerNorm, with a learnt gain and shift, between each hidden layer's
	// affine map and its activation.
	LayerNorm bool
	// Activation is applied by every hidden layer.
	Activation Activation
}

// Validate returns an error describing the first thing wrong with s, or nil.
func (s Spec) Validate() error {
	if len(s.Sizes) < 2 {
		return fmt.Errorf("nn: spec needs at least an input and an output size, has %v", s.Sizes)
	}
	for i, n := range s.Sizes {
		if n <= 0 || n > math.MaxInt32 {
			return fmt.Errorf("nn: spec size %d is %d, want a positive int32", i, n)
		}
	}
	if s.Activation >= numActivations {
		return fmt.Errorf("nn: spec has unknown activation %d", s.Activation)
	}
	return nil
}

// String returns a one-line description such as "64-256-256-64 layernorm silu".
func (s Spec) String() string {
	parts := make([]string, len(s.Sizes))
	for i, n := range s.Sizes {
		parts[i] = strconv.Itoa(n)
	}
	desc := strings.Join(parts, "-")
	if s.LayerNorm {
		desc += " layernorm"
	}
	return desc + " " + s.Activation.String()
}

// equal reports whether s and o describe the same architecture.
func (s Spec) equal(o Spec) bool {
	return s.LayerNorm == o.LayerNorm && s.Activation == o.Activation && slices.Equal(s.Sizes, o.Sizes)
}

// MLP is a multilayer perceptron built from a Spec. Its parameters and their gradients each
// live in one flat slice, so the optimiser and the checkpoint files treat every network alike.
//
// The same network runs any batch size: each internal buffer grows to the largest batch it
// has seen and is reused, so that Forward, Backward and Infer allocate nothing once they have
// seen their largest batch. An MLP is not safe for concurrent use; give each goroutine its
// own copy with Clone.
type MLP[T Float] struct {
	spec Spec
	stack[T, layer[T], *layer[T]]
	params []T
	grads  []T
}

// NewMLP returns a network of the given spec with freshly initialised parameters: weights and
// biases uniform in ±1/sqrt(fan-in), as PyTorch's nn.Linear does, LayerNorm gains 1 and shifts
// 0. The same spec and seed give the same parameters. It returns an error if the spec is
// invalid.
func NewMLP[T Float](spec Spec, seed uint64) (*MLP[T], error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	spec.Sizes = slices.Clone(spec.Sizes)
	m := &MLP[T]{spec: spec}
	m.inputs = spec.Sizes[0]
	total := 0
	for i := range len(spec.Sizes) - 1 {
		hidden := i < len(spec.Sizes)-2
		l := layer[T]{in: spec.Sizes[i], out: spec.Sizes[i+1], be: backendFor[T]()}
		if hidden {
			l.norm, l.act = spec.LayerNorm, spec.Activation
		}
		total += numParams(l.in, l.out, l.norm)
		m.layers = append(m.layers, l)
	}
	m.params, m.grads = make([]T, total), make([]T, total)
	m.bindLayers(m.params, m.grads)
	rng := rand.New(rand.NewPCG(seed, 0x6e6e2d696e6974)) // the second word names this stream
	for i := range m.layers {
		l := &m.layers[i]
		bound := 1 / math.Sqrt(float64(l.in))
		for _, s := range [][]T{l.w, l.b} {
			for j := range s {
				s[j] = T(bound * (2*rng.Float64() - 1))
			}
		}
		for j := range l.gain {
			l.gain[j] = 1
		}
	}
	return m, nil
}

// Clone returns an independent copy of m with the same parameters and gradients and buffers
// of its own, for another goroutine to run or as the start of a target network.
func (m *MLP[T]) Clone() *MLP[T] { return m.over(slices.Clone(m.params), slices.Clone(m.grads)) }

// Share returns a network that shares m's parameters and gradients but has buffers of its
// own, so that it keeps a record of its own Forward. Unrolling a network through time takes
// one sharer per step: each sharer's Backward adds into the shared gradients.
func (m *MLP[T]) Share() *MLP[T] { return m.over(m.params, m.grads) }

// over returns a network of m's architecture whose parameters and gradients are params and
// grads, with fresh buffers.
func (m *MLP[T]) over(params, grads []T) *MLP[T] {
	c := &MLP[T]{spec: m.spec, params: params, grads: grads}
	c.inputs = m.inputs
	for _, l := range m.layers {
		c.layers = append(c.layers, layer[T]{in: l.in, out: l.out, norm: l.norm, act: l.act, be: l.be})
	}
	c.bindLayers(params, grads)
	return c
}

// Spec returns the network's spec.
func (m *MLP[T]) Spec() Spec {
	s := m.spec
	s.Sizes = slices.Clone(s.Sizes)
	return s
}

// Params returns all the network's parameters as one slice, the network's own storage: layer
// by layer, the weights (fan-in × fan-out, row-major), the biases, and under LayerNorm the
// gains and shifts.
func (m *MLP[T]) Params() []T { return m.params }

// Grads returns the gradients of the loss with respect to Params, in the same layout; Backward
// adds into them and ZeroGrad clears them.
func (m *MLP[T]) Grads() []T { return m.grads }

// ZeroGrad sets every gradient to zero.
func (m *MLP[T]) ZeroGrad() { clear(m.grads) }

// Forward returns the network's output for the batch x, one example per row, and records
// what Backward needs. The output is the network's own storage, valid until its next Forward
// or Infer, and x must not change until Backward. It panics if x does not have as many
// columns as the network has inputs.
func (m *MLP[T]) Forward(x Matrix[T]) Matrix[T] { return m.pass("Forward", x, true) }

// Infer returns the network's output for the batch x like Forward, a little faster and
// without recording anything for Backward: it is the pass for planning and evaluation. It
// discards the record of an earlier Forward. It panics if x does not have as many columns as
// the network has inputs.
func (m *MLP[T]) Infer(x Matrix[T]) Matrix[T] { return m.pass("Infer", x, false) }

// Backward takes dOut = dLoss/d(output) for the batch of the last Forward and adds the
// gradients of the loss with respect to the parameters into Grads. It consumes the record of
// that Forward. It panics if there is no such Forward or dOut's shape differs from the
// output's.
func (m *MLP[T]) Backward(dOut Matrix[T]) { m.backward(dOut, false) }

// BackwardInput does what Backward does and also returns dLoss/d(input), for a network whose
// input comes from another trained network. The result is the network's own storage, valid
// until its next Backward.
func (m *MLP[T]) BackwardInput(dOut Matrix[T]) Matrix[T] { return m.backward(dOut, true) }
