package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// lossFunc is the signature the losses share.
type lossFunc[T Float] func(out, target, grad Matrix[T]) float64

// lossCase names a loss and the number of target columns it needs per output column.
type lossCase struct {
	name      string
	f64       lossFunc[float64]
	f32       lossFunc[float32]
	outPerTgt int
}

var losses = []lossCase{
	{"mse", MSE[float64], MSE[float32], 1},
	{"gaussian-nll", GaussianNLL[float64], GaussianNLL[float32], 2},
	{"cosine", CosineDistance[float64], CosineDistance[float32], 1},
	{"bce-with-logits", BCEWithLogits[float64], BCEWithLogits[float32], 1},
}

// gradCase is one network and loss to check the gradients of.
type gradCase struct {
	spec Spec
	loss lossCase
}

func (c gradCase) String() string { return c.spec.String() + " " + c.loss.name }

// gradCases covers every activation with and without LayerNorm under MSE, and every loss on a
// network with LayerNorm and SiLU.
func gradCases() []gradCase {
	var cases []gradCase
	for act := range numActivations {
		for _, norm := range []bool{false, true} {
			spec := Spec{Sizes: []int{3, 6, 5, 2}, LayerNorm: norm, Activation: act}
			cases = append(cases, gradCase{spec, losses[0]})
		}
	}
	for _, l := range losses[1:] {
		cases = append(cases, gradCase{Spec{Sizes: []int{3, 6, 5, 2 * l.outPerTgt}, LayerNorm: true, Activation: SiLU}, l})
	}
	return cases
}

// problem is a network with a batch of inputs and targets for a gradient check.
type problem[T Float] struct {
	net       *MLP[T]
	x, target Matrix[T]
	loss      lossFunc[T]
}

// newProblem builds c's network and a random batch of rows examples. It moves every
// parameter off its initial value, so that no bias is zero and no LayerNorm gain one, which
// would hide a gradient that ignores them.
func newProblem[T Float](t *testing.T, c gradCase, loss lossFunc[T], rows int, seed uint64) problem[T] {
	t.Helper()
	net, err := NewMLP[T](c.spec, seed)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 3))
	shift := rand.New(rand.NewPCG(seed, 4))
	for i := range net.params {
		net.params[i] += T(0.4 * (2*shift.Float64() - 1))
	}
	out := c.spec.Sizes[len(c.spec.Sizes)-1]
	return problem[T]{net: net, loss: loss,
		x:      randMatrix[T](rng, rows, c.spec.Sizes[0]),
		target: randMatrix[T](rng, rows, out/c.loss.outPerTgt)}
}

// lossAt returns the loss of the problem's network on its batch, without gradients.
func (p problem[T]) lossAt() float64 {
	return p.loss(p.net.Infer(p.x), p.target, Matrix[T]{})
}

// gradients returns the analytic gradients of the loss with respect to the parameters and to
// the input, computed by Forward and BackwardInput.
func (p problem[T]) gradients() (dParams, dInput []T) {
	p.net.ZeroGrad()
	out := p.net.Forward(p.x)
	grad := NewMatrix[T](out.Rows, out.Cols)
	p.loss(out, p.target, grad)
	dx := p.net.BackwardInput(grad)
	return append([]T(nil), p.net.Grads()...), append([]T(nil), dx.Data...)
}

// numericGrad returns the central-difference derivative of the loss with respect to each
// element of s, which the loss must depend on.
func (p problem[T]) numericGrad(s []T, h float64) []float64 {
	g := make([]float64, len(s))
	for i := range s {
		v := s[i]
		s[i] = v + T(h)
		up := p.lossAt()
		s[i] = v - T(h)
		down := p.lossAt()
		s[i] = v
		g[i] = (up - down) / (2 * h)
	}
	return g
}

// compare fails the test at the first element where got and want differ by more than tol,
// relative to max(1, |want|).
func compare[T Float](t *testing.T, what string, got []T, want []float64, tol float64) {
	t.Helper()
	worst, scale := 0.0, 0.0
	for i := range got {
		scale = max(scale, math.Abs(want[i]))
		err := math.Abs(float64(got[i])-want[i]) / max(1, math.Abs(want[i]))
		if err > tol {
			t.Fatalf("%s[%d] = %.9g, want %.9g (error %.3g > %.3g)", what, i, got[i], want[i], err, tol)
		}
		worst = max(worst, err)
	}
	t.Logf("%s: %d values up to %.3g in size, largest error %.3g", what, len(got), scale, worst)
}

// TestGradientsFiniteDifference checks the float64 backward passes of every layer type and
// loss against central differences of the loss, to 1e-6.
func TestGradientsFiniteDifference(t *testing.T) {
	// And a LayerNorm one unit wide, whose output is its shift whatever comes in.
	oneWide := gradCase{Spec{Sizes: []int{3, 1, 2}, LayerNorm: true, Activation: ELU}, losses[0]}
	for _, c := range append(gradCases(), oneWide) {
		t.Run(c.String(), func(t *testing.T) {
			p := newProblem(t, c, c.loss.f64, 4, 7)
			dParams, dInput := p.gradients()
			compare(t, "dParams", dParams, p.numericGrad(p.net.Params(), 1e-6), 1e-6)
			compare(t, "dInput", dInput, p.numericGrad(p.x.Data, 1e-6), 1e-6)
		})
	}
}

// TestGradientsFloat32 checks that float32 networks, on the kernels this build uses, compute
// the gradients of float64 networks with the same parameters to within 1e-4, for a batch of
// one row (the matrix-vector path) and of 19. The layers are wide enough, and of odd widths,
// to exercise both the main loops and the tails of vectorised kernels.
func TestGradientsFloat32(t *testing.T) {
	for _, c := range gradCases() {
		c.spec.Sizes = []int{13, 67, 37, c.spec.Sizes[3] * 3}
		for _, rows := range []int{1, 19} {
			t.Run(fmt.Sprintf("%v/batch-%d", c, rows), func(t *testing.T) {
				p32 := newProblem(t, c, c.loss.f32, rows, 11)
				p64 := newProblem(t, c, c.loss.f64, rows, 11)
				widen(p64.net.Params(), p32.net.Params())
				widen(p64.x.Data, p32.x.Data)
				widen(p64.target.Data, p32.target.Data)
				want, wantDX := p64.gradients()
				got, gotDX := p32.gradients()
				compare(t, "dParams", got, want, 1e-4)
				compare(t, "dInput", gotDX, wantDX, 1e-4)
				if l32, l64 := p32.lossAt(), p64.lossAt(); !(math.Abs(l32-l64) <= 1e-5*max(1, l64)) {
					t.Errorf("loss %.9g in float32, %.9g in float64", l32, l64)
				}
			})
		}
	}
}

// widen copies src into dst exactly, so that a float64 problem holds the float32 one's values.
func widen(dst []float64, src []float32) {
	for i, v := range src {
		dst[i] = float64(v)
	}
}
