package nn

import "errors"

// stage is one layer of a network: a fully connected layer of an MLP or a convolution of a
// Conv.
type stage[T Float] interface {
	// bind points the layer's parameters and gradients at the start of p and g, and returns
	// the rest of both.
	bind(p, g []T) ([]T, []T)
	forward(x Matrix[T], train bool) Matrix[T]
	backward(da Matrix[T], wantDX bool) Matrix[T]
	// output returns the shape of the last forward pass's output: its rows and their width.
	output() (rows, cols int)
}

// stack is what MLP and Conv share: their layers, run in order forward and in reverse
// backward, and the record of the last Forward, which Backward consumes. P is the pointer
// type of the layers, through which they run.
type stack[T Float, L any, P interface {
	*L
	stage[T]
}] struct {
	layers []L
	inputs int // the width of an input row
	// recorded says that the last pass was a Forward whose record Backward has not consumed.
	recorded bool
}

// bindLayers points every layer's parameters and gradients into the flat slices p and g.
func (s *stack[T, L, P]) bindLayers(p, g []T) {
	for i := range s.layers {
		p, g = P(&s.layers[i]).bind(p, g)
	}
}

// pass runs the layers in order for op, Forward (train set) or Infer, and leaves a record
// for Backward only after a Forward. It panics unless x's rows are inputs wide.
func (s *stack[T, L, P]) pass(op string, x Matrix[T], train bool) Matrix[T] {
	s.recorded = false
	mustShape(op, "input", x, x.Rows, s.inputs)
	for i := range s.layers {
		x = P(&s.layers[i]).forward(x, train)
	}
	s.recorded = train
	return x
}

// errNoRecord is the panic of a Backward with no Forward to go back through.
var errNoRecord = errors.New("nn: Backward without a Forward before it (Infer and Backward consume the record)")

// backward runs the layers in reverse order from dOut; the first layer computes its input's
// gradient only when wantDX is set. It panics if there is no record to consume or dOut's
// shape differs from the output's.
func (s *stack[T, L, P]) backward(dOut Matrix[T], wantDX bool) Matrix[T] {
	if !s.recorded {
		panic(errNoRecord)
	}
	rows, cols := P(&s.layers[len(s.layers)-1]).output()
	mustShape("Backward", "dOut", dOut, rows, cols)
	s.recorded = false
	for i := len(s.layers) - 1; i >= 0; i-- {
		dOut = P(&s.layers[i]).backward(dOut, i > 0 || wantDX)
	}
	return dOut
}
