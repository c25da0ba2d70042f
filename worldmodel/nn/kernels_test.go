package nn

import (
	"math"
	"testing"
)

// The element-wise kernels against values worked by hand from their definitions, on every
// backend of this build: float64, the portable float32 kernels and, when cgo builds them, the
// C ones (kernels_cgo_test.go compares those with the portable ones element by element).

// eps32 is float32's machine epsilon, 2**-23, the unit of the float32 tolerances.
const eps32 = 0x1p-23

// Tolerances of the hand-worked checks, relative to the expected value and, where values
// near 0 come from cancellation, to 1. float64 results agree with the float64 formulas to a
// few units of 2**-52. The float32 inputs are exact, but 0.9, 0.99 and 1e-5 are not (1 - 0.99
// is 1e-6 off in float32, which shows in AdamW's v, the worst case at 7 eps32), and each result
// goes through a handful of roundings and exp32 (1e-7 relative): 32 eps32, 3.8e-6, allows four
// times the largest error measured and is still far below what the mistakes these checks are
// for would do (a wrong β, lnEps or formula changes results by 1e-4 or much more).
const (
	handTol64 = 1e-14
	handTol32 = 32 * eps32
)

// tinyAbs is the absolute slack of comparisons of values that may underflow: below e**-86.64
// exp32 returns 0 while the C kernels' fs_exp stops at 2e-38, and times an input of at most
// 100 that is a difference under 1e-35.
const tinyAbs = 1e-30

// forEachBackend runs f64 on the float64 kernels and f32 on each float32 kernel set of this
// build, each in a subtest with the tolerance for its precision.
func forEachBackend(t *testing.T, f64 func(*testing.T, *backend[float64], float64), f32 func(*testing.T, *backend[float32], float64)) {
	t.Run("float64", func(t *testing.T) { f64(t, &backend64, handTol64) })
	for _, be := range backends32() {
		t.Run("float32-"+be.name, func(t *testing.T) { f32(t, be, handTol32) })
	}
}

// backends32 returns the portable float32 kernels and, when the build has them, the C ones.
func backends32() []*backend[float32] {
	if backend32.name == goBackend32.name {
		return []*backend[float32]{&goBackend32}
	}
	return []*backend[float32]{&goBackend32, &backend32}
}

// checkNear fails the test at the first element where got differs from want by more than
// rel·|want| + abs; NaNs never pass. It logs the largest difference found.
func checkNear[T, U Float](t *testing.T, what string, got []T, want []U, rel, abs float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	worst, used := 0.0, 0.0
	for i := range got {
		g, w := float64(got[i]), float64(want[i])
		diff, allowed := math.Abs(g-w), rel*math.Abs(w)+abs
		if !(diff <= allowed) {
			t.Fatalf("%s[%d] = %.9g, want %.9g (difference %.3g, allowed %.3g·|want| + %.3g)", what, i, g, w, diff, rel, abs)
		}
		worst = max(worst, diff)
		if diff > 0 {
			used = max(used, diff/allowed)
		}
	}
	t.Logf("%s: %d values, largest difference %.3g, at most %.2g of the allowance", what, len(got), worst, used)
}

// convert returns s in precision T.
func convert[T Float](s []float64) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = T(v)
	}
	return out
}

// TestAdamWKernelByHand checks one update of three parameters, at step 2 with clipping and
// weight decay, against AdamW worked by hand.
func TestAdamWKernelByHand(t *testing.T) {
	forEachBackend(t, adamwByHand[float64], adamwByHand[float32])
}

// adamwByHand is TestAdamWKernelByHand on the kernels be.
func adamwByHand[T Float](t *testing.T, be *backend[T], tol float64) {
	const lr, b1, b2, eps, decay = 0.1, 0.9, 0.99, 1e-8, 0.5
	p := convert[T]([]float64{1, -2, 0.5})
	g := convert[T]([]float64{0.3, -0.4, 1.2}) // global norm √1.69 = 1.3
	m := convert[T]([]float64{0.1, 0, -0.2})   // the moments after some first step
	v := convert[T]([]float64{0.01, 0.04, 0})
	g0 := append([]T(nil), g...)
	// Clipping to a global norm of 0.65 halves the gradients: ĝ = (0.15, -0.2, 0.6). At step 2
	// the bias corrections are 1/(1-β1²) = 1/0.19 and 1/(1-β2²) = 1/0.0199.
	h := adamStep[T]{lr: lr, beta1: b1, beta2: b2, eps: eps, decay: decay,
		gradScale: T(0.65 / 1.3), mScale: T(1 / 0.19), vScale: T(1 / 0.0199)}
	be.adamw(p, g, m, v, &h)
	// m = 0.9·m + 0.1·ĝ and v = 0.99·v + 0.01·ĝ².
	wantM := []float64{0.09 + 0.015, 0 - 0.02, -0.18 + 0.06}
	wantV := []float64{0.0099 + 0.000225, 0.0396 + 0.0004, 0 + 0.0036}
	// p -= lr·(m̂/(√v̂ + eps) + decay·p), the decay on the old p, not on the gradient.
	step := func(p, m, v float64) float64 {
		return p - lr*((m/0.19)/(math.Sqrt(v/0.0199)+eps)+decay*p)
	}
	wantP := []float64{step(1, 0.105, 0.010125), step(-2, -0.02, 0.04), step(0.5, -0.12, 0.0036)}
	checkNear(t, "m", m, wantM, tol, 0)
	checkNear(t, "v", v, wantV, tol, 0)
	checkNear(t, "p", p, wantP, tol, 0)
	checkNear(t, "g", g, g0, 0, 0)
}

// TestAdamWStepByHand checks two optimiser steps on two parameters, the first clipped by
// global norm and the second not, against AdamW worked by hand, in both precisions (float32
// on this build's kernels): this covers how Step derives the clipping factor and the bias
// corrections from the configuration and the step count.
func TestAdamWStepByHand(t *testing.T) {
	t.Run("float64", func(t *testing.T) { adamwStepByHand[float64](t, handTol64) })
	t.Run("float32-"+Backend(), func(t *testing.T) { adamwStepByHand[float32](t, handTol32) })
}

// adamwStepByHand is TestAdamWStepByHand in precision T.
func adamwStepByHand[T Float](t *testing.T, tol float64) {
	net, err := NewMLP[T](Spec{Sizes: []int{1, 1}}, 1) // one weight and one bias
	if err != nil {
		t.Fatal(err)
	}
	cfg := AdamWConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.5, MaxGradNorm: 1}
	opt, err := NewAdamW(cfg, net)
	if err != nil {
		t.Fatal(err)
	}
	p, g := net.Params(), net.Grads()
	p[0], p[1] = 1, -0.5
	// Step 1: g = (3, -4) has norm 5, clipped to ĝ = (0.6, -0.8). m = 0.1·ĝ and v = 0.01·ĝ², so
	// m̂ = ĝ and v̂ = ĝ², and the Adam term is ĝ/(|ĝ| + eps), about ±1.
	g[0], g[1] = 3, -4
	opt.Step()
	want1 := []float64{
		1 - 0.1*(0.6/(0.6+1e-8)+0.5*1),
		-0.5 - 0.1*(-0.8/(0.8+1e-8)+0.5*-0.5),
	}
	checkNear(t, "p after step 1", p, want1, tol, 0)
	// Step 2: g = (0.3, 0.4) has norm 0.5 and is not clipped. m = 0.9·(0.06, -0.08) + 0.1·g =
	// (0.084, -0.032), v = 0.99·(0.0036, 0.0064) + 0.01·g² = (0.004464, 0.007936), and the
	// bias corrections are 1/0.19 and 1/0.0199.
	g[0], g[1] = 0.3, 0.4
	opt.Step()
	step := func(p, m, v float64) float64 {
		return p - 0.1*((m/0.19)/(math.Sqrt(v/0.0199)+1e-8)+0.5*p)
	}
	want2 := []float64{step(want1[0], 0.084, 0.004464), step(want1[1], -0.032, 0.007936)}
	checkNear(t, "p after step 2", p, want2, tol, 0)
}

// TestLayerNormByHand checks LayerNorm's forward pass on rows of three against the values
// worked by hand, one row of unit-sized spread and one whose variance, 2**-15/3, is about
// lnEps, so that the 1e-5 shows.
func TestLayerNormByHand(t *testing.T) {
	forEachBackend(t, layerNormByHand[float64], layerNormByHand[float32])
}

// layerNormByHand is TestLayerNormByHand on the kernels be.
func layerNormByHand[T Float](t *testing.T, be *backend[T], tol float64) {
	const q = 0x1p-8
	l := newRowLayer(be, Identity, true, 2, 3)
	copy(l.b, convert[T]([]float64{0.5, 0, 1}))
	copy(l.gain, convert[T]([]float64{2, 0.5, -1}))
	copy(l.shift, convert[T]([]float64{0.25, 0, 1}))
	// With the bias, the rows are (1, 2, 6) and (q, -q, 0).
	copy(l.z.Data, convert[T]([]float64{0.5, 2, 5, q - 0.5, -q, -1}))
	be.rowsForward(l, true)
	// Row 1: mean 3, deviations (-2, -1, 3), variance 14/3. Row 2: mean 0, variance 2q²/3.
	r1, r2 := 1/math.Sqrt(14.0/3+1e-5), 1/math.Sqrt(2*q*q/3+1e-5)
	xhat := []float64{-2 * r1, -1 * r1, 3 * r1, q * r2, -q * r2, 0}
	var out []float64
	for i, x := range xhat {
		out = append(out, []float64{2, 0.5, -1}[i%3]*x+[]float64{0.25, 0, 1}[i%3])
	}
	checkNear(t, "rstd", l.rstd, []float64{r1, r2}, tol, 0)
	checkNear(t, "normalised z", l.z.Data, xhat, tol, tol)
	checkNear(t, "output", l.a.Data, out, tol, tol)

	// A row of one value is its own mean: x̂ = 0, the output is the shift.
	one := newRowLayer(be, Identity, true, 2, 1)
	copy(one.b, convert[T]([]float64{0.5}))
	copy(one.gain, convert[T]([]float64{2}))
	copy(one.shift, convert[T]([]float64{0.25}))
	copy(one.z.Data, convert[T]([]float64{3, -5}))
	be.rowsForward(one, true)
	r := 1 / math.Sqrt(1e-5)
	checkNear(t, "rstd of width 1", one.rstd, []float64{r, r}, tol, 0)
	checkNear(t, "output of width 1", one.a.Data, []float64{0.25, 0.25}, tol, tol)
}

// TestActivationsByHand checks every activation and its derivative, through the forward pass
// of a layer without LayerNorm, against their textbook formulas at points from the far
// negative tail, past exp32's range, to past Mish's clamp; and the formulas against the
// values at 0 worked by hand.
func TestActivationsByHand(t *testing.T) {
	for _, c := range []struct {
		act          Activation
		value, deriv float64
	}{
		{SiLU, 0, 0.5}, // 0·σ(0); σ(0) + 0
		{ELU, 0, 1},    // e⁰ - 1; e⁰, from the branch x ≤ 0 (both sides give 1 for α = 1)
		{Mish, 0, 0.6}, // 0·tanh(ln 2); tanh(ln 2) = (2 - ½)/(2 + ½)
	} {
		if y, d := activationRef(c.act, 0); y != c.value || !(math.Abs(d-c.deriv) <= 1e-15) {
			t.Errorf("reference %v at 0 = %v, %v, want %v, %v", c.act, y, d, c.value, c.deriv)
		}
	}
	forEachBackend(t, activationsByHand[float64], activationsByHand[float32])
}

// activationPoints are where TestActivationsByHand evaluates; all are exact in float32.
var activationPoints = []float64{-95, -25, -3, -0.5, -0x1p-10, 0, 0x1p-10, 0.75, 2.5, 19.5, 25, 95}

// activationsByHand is TestActivationsByHand on the kernels be.
func activationsByHand[T Float](t *testing.T, be *backend[T], tol float64) {
	n := len(activationPoints)
	for act := range numActivations {
		t.Run(act.String(), func(t *testing.T) {
			l := newRowLayer(be, act, false, 1, n)
			copy(l.z.Data, convert[T](activationPoints))
			be.rowsForward(l, true)
			wantY, wantD := make([]float64, n), make([]float64, n)
			for i, x := range activationPoints {
				wantY[i], wantD[i] = activationRef(act, x)
			}
			// Relative to 1+|f|: the kernels compute ELU as e**x - 1, which near 0 is exact to
			// a unit of 1 rather than of the result: up to 1e-13 relative at x = -2**-10 in float64.
			checkNear(t, "f", l.a.Data, wantY, tol, tol)
			if act == Identity {
				checkUntouched(t, "f'", l.d.Data)
				return
			}
			checkNear(t, "f'", l.d.Data, wantD, tol, tol)
		})
	}
}

// activationRef returns f(x) and f'(x) in float64 from the textbook formulas: σ(x) =
// 1/(1+e**-x), SiLU = x·σ(x), ELU = e**x - 1 below 0, Mish = x·tanh(ln(1 + e**x)), ReLU =
// max(x, 0) with derivative 0 at 0.
func activationRef(act Activation, x float64) (y, d float64) {
	sigma := 1 / (1 + math.Exp(-x))
	switch act {
	case SiLU:
		return x * sigma, sigma + x*sigma*(1-sigma)
	case ELU:
		if x > 0 {
			return x, 1
		}
		return math.Expm1(x), math.Exp(x)
	case Mish:
		th := math.Tanh(math.Log1p(math.Exp(x)))
		return x * th, th + x*sigma*(1-th*th)
	case ReLU:
		if x > 0 {
			return x, 1
		}
		return 0, 0
	}
	return x, 1
}

// TestSimNormByHand checks SimNorm on groups worked by hand, of sizes 1 to 3, including
// groups whose exponentials would overflow or underflow without subtracting the maximum.
func TestSimNormByHand(t *testing.T) {
	forEachBackend(t, simnormByHand[float64], simnormByHand[float32])
}

// simnormByHand is TestSimNormByHand on the kernels be.
func simnormByHand[T Float](t *testing.T, be *backend[T], tol float64) {
	e, e2 := math.E, math.E*math.E
	for _, c := range []struct {
		group   int
		x, want []float64
	}{
		{1, []float64{-3, 0, 500}, []float64{1, 1, 1}},
		{2, []float64{0, 0, 1000, 0, -1000, -1000}, []float64{0.5, 0.5, 1, 0, 0.5, 0.5}},
		{2, []float64{1, 0, -2, -1}, []float64{e / (e + 1), 1 / (e + 1), 1 / (1 + e), e / (1 + e)}},
		{3, []float64{0, 1, 2, 102, 101, 100}, []float64{1 / (1 + e + e2), e / (1 + e + e2), e2 / (1 + e + e2),
			e2 / (1 + e + e2), e / (1 + e + e2), 1 / (1 + e + e2)}},
	} {
		x := convert[T](c.x)
		be.simnorm(x, c.group)
		checkNear(t, "softmax", x, c.want, tol, tinyAbs)
	}
}

// newRowLayer returns a layer of width n holding a rows-row batch, as the GEMM leaves it for
// the element-wise kernels, with zero parameters and gradients, gains and shifts only under
// LayerNorm, and NaN in every buffer, so that what a kernel should not write shows.
func newRowLayer[T Float](be *backend[T], act Activation, norm bool, rows, n int) *layer[T] {
	nan := func(k int) []T {
		s := make([]T, k)
		for i := range s {
			s[i] = T(math.NaN())
		}
		return s
	}
	l := &layer[T]{out: n, norm: norm, act: act, be: be,
		b: make([]T, n), db: make([]T, n),
		z: MatrixOf(rows, n, nan(rows*n)), d: MatrixOf(rows, n, nan(rows*n))}
	l.a = l.z
	if norm {
		l.gain, l.shift, l.dgain, l.dshift = make([]T, n), make([]T, n), make([]T, n), make([]T, n)
		l.y = MatrixOf(rows, n, nan(rows*n))
		l.a = l.y
		l.rstd = nan(rows)
	}
	return l
}

// checkUntouched fails the test unless every element of s is still NaN.
func checkUntouched[T Float](t *testing.T, what string, s []T) {
	t.Helper()
	for i, v := range s {
		if v == v {
			t.Fatalf("%s[%d] = %v, want it untouched (NaN)", what, i, v)
		}
	}
}

// TestActivationString checks the names of the activations and of a value past them.
func TestActivationString(t *testing.T) {
	for a, want := range map[Activation]string{Identity: "identity", SiLU: "silu", ELU: "elu", Mish: "mish", ReLU: "relu", numActivations: "Activation(5)"} {
		if got := a.String(); got != want {
			t.Errorf("Activation(%d).String() = %q, want %q", uint8(a), got, want)
		}
	}
}
