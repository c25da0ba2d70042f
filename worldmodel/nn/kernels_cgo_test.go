//go:build cgo && !noopenblas

package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The C kernels of kernels.c, as backend32 calls them, against the portable Go kernels of
// goBackend32 on identical copies of the same inputs, element by element. Widths run from 1
// to 129 (16 vectors of 8 and a tail of 1) and batches from 1 to 5 rows, so that the vector
// loops, their scalar tails and the row offsets are all exercised.
//
// The tolerances are in units of eps32, on |c - go| ≤ rel·|go| + abs. Where both sides do the
// same operations in the same order the results must be identical; elsewhere the kernels
// differ in three ways only. (1) The C compiler fuses a·b + c into one rounding (FMA) on
// processors that have it. (2) The vectorised reductions of LayerNorm add in another order.
// (3) Some formulas differ: σ(v) from e**-|v|, fs_exp stopping at 2e-38 where exp32 returns 0,
// and fs_sqrt's Newton steps for sqrt. Each tolerance is at least four times the largest
// difference measured on an AVX2+FMA machine, and well below what mistakes of formula do:
// each of some thirty planted in kernels.c failed these tests.

var (
	kernelWidths = []int{1, 3, 7, 17, 33, 64, 129}
	kernelRows   = []int{1, 5}
)

// Tolerances of the C kernels against the Go ones.
const (
	// actTol: an activation of an exact input, with (1) and (3); measured 1.5 eps32.
	actTol = 8 * eps32
	// normTol: LayerNorm's forward outputs of unit size, with (1) and (2); measured 3 eps32.
	normTol = 16 * eps32
	// normBackTol: LayerNorm's gradients, which subtract row means of terms up to about 10 in
	// size and, for the bias, add them over the rows; measured 13 eps32 relative to 1 + |go|.
	normBackTol = 64 * eps32
	// adamTol: AdamW's outputs, with (1) and (3); measured 0.5 eps32 relative to 1 + |go|.
	adamTol = 4 * eps32
	// simnormTol: softmax probabilities, with (1) and (3) and a product by 1/sum where Go
	// divides; measured 0.2 eps32 relative.
	simnormTol = 4 * eps32
)

// exact is the tolerance of results both sides compute by the same operations.
const exact = 0.0

// rowCase is one shape of layer for the row kernels.
type rowCase struct {
	act        Activation
	norm       bool
	rows, cols int
}

// String names the case for its subtest, as in "silu/layernorm/5x17".
func (c rowCase) String() string {
	norm := "affine"
	if c.norm {
		norm = "layernorm"
	}
	return fmt.Sprintf("%v/%s/%dx%d", c.act, norm, c.rows, c.cols)
}

// rowCases returns every activation with and without LayerNorm at every width and batch.
func rowCases() []rowCase {
	var cases []rowCase
	for act := range numActivations {
		for _, norm := range []bool{false, true} {
			for _, rows := range kernelRows {
				for _, cols := range kernelWidths {
					cases = append(cases, rowCase{act, norm, rows, cols})
				}
			}
		}
	}
	return cases
}

// seed returns a seed that differs between cases.
func (c rowCase) seed() uint64 {
	return uint64(c.act)<<24 | uint64(c.rows)<<16 | uint64(c.cols)<<1 | boolBit(c.norm)
}

// boolBit returns 1 for true and 0 for false.
func boolBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// TestCRowsForward checks fs_rows_forward against rowsForward: the normalised z, 1/std and
// output of LayerNorm, the activation and, in training passes only, its derivative.
func TestCRowsForward(t *testing.T) {
	for _, c := range rowCases() {
		for _, train := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/train=%t", c, train), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(c.seed(), 1))
				want := newRowLayer(&goBackend32, c.act, c.norm, c.rows, c.cols)
				fillNormal(rng, want.z.Data, 3)
				if !c.norm && c.cols >= 7 {
					// Past fs_exp's lower clamp, on both sides of Mish's clamp at 20, and past
					// where e**x squared overflows.
					copy(want.z.Data[1:], []float32{-95, 25, -25, 19.5, 95})
				}
				fillNormal(rng, want.b, 0.5)
				if c.norm {
					fillNormal(rng, want.gain, 0.5)
					addConst(want.gain, 1)
					fillNormal(rng, want.shift, 0.5)
				}
				got := cloneLayer(want, &backend32)
				want.be.rowsForward(want, train)
				got.be.rowsForward(got, train)

				tol := actTol
				if c.norm {
					tol = normTol
					checkNear(t, "rstd", got.rstd, want.rstd, tol, 0)
					checkNear(t, "normalised z", got.z.Data, want.z.Data, tol, tol)
				} else if c.act == Identity {
					tol = exact // z + b and nothing else
				}
				checkNear(t, "output", got.a.Data, want.a.Data, tol, tol)
				if !train || c.act == Identity {
					checkUntouched(t, "C derivative", got.d.Data)
					checkUntouched(t, "Go derivative", want.d.Data)
					return
				}
				checkNear(t, "derivative", got.d.Data, want.d.Data, tol, tol)
			})
		}
	}
}

// TestCRowsBackward checks fs_rows_backward against rowsBackward from the same saved forward
// state: the returned dLoss/dz, the state it overwrites, and the bias and LayerNorm gradients,
// which must be added to what they held.
func TestCRowsBackward(t *testing.T) {
	for _, c := range rowCases() {
		t.Run(c.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(c.seed(), 2))
			want := newRowLayer(&goBackend32, c.act, c.norm, c.rows, c.cols)
			// Random stands for what a forward pass keeps: normalised z (or z), f' and 1/std.
			fillNormal(rng, want.z.Data, 1)
			if c.act != Identity {
				fillNormal(rng, want.d.Data, 1)
			}
			fillNormal(rng, want.db, 1)
			if c.norm {
				fillNormal(rng, want.gain, 0.5)
				addConst(want.gain, 1)
				fillNormal(rng, want.dgain, 1)
				fillNormal(rng, want.dshift, 1)
				for r := range want.rstd {
					want.rstd[r] = float32(0.5 + 1.5*rng.Float64())
				}
			}
			da := make([]float32, c.rows*c.cols)
			fillNormal(rng, da, 1)
			daGo, daC := slices.Clone(da), slices.Clone(da)
			got := cloneLayer(want, &backend32)
			dzWant := want.be.rowsBackward(want, daGo)
			dzGot := got.be.rowsBackward(got, daC)

			// Without LayerNorm dz is f'·da, one product, which db sums row after row on both
			// sides; under it dshift sums f'·da likewise, while the rest goes through
			// LayerNorm's reductions.
			tol := exact
			if c.norm {
				tol = normBackTol
				checkNear(t, "dgain", got.dgain, want.dgain, tol, tol)
				checkNear(t, "dshift", got.dshift, want.dshift, exact, exact)
			}
			checkNear(t, "dz", dzGot, dzWant, tol, tol)
			checkNear(t, "db", got.db, want.db, tol, tol)
			checkNear(t, "z", got.z.Data, want.z.Data, tol, tol)
			if c.act == Identity {
				checkUntouched(t, "C derivative", got.d.Data)
			} else {
				checkNear(t, "derivative", got.d.Data, want.d.Data, exact, exact)
			}
			checkNear(t, "C da", daC, da, exact, exact)
			checkNear(t, "Go da", daGo, da, exact, exact)
		})
	}
}

// adamCase is one AdamW update for TestCAdamW: the step count, whether the moments start
// warm (otherwise zero, as at step 1) and the coefficients.
type adamCase struct {
	name                      string
	step                      int
	warm                      bool
	lr, decay, eps, gradScale float64
}

// adamCases are the updates TestCAdamW checks, with β1 = 0.9 and β2 = 0.999. A first step
// from zero moments is blind to the gradients' scale, so clipping needs the warm case.
var adamCases = []adamCase{
	{"step1", 1, false, 1e-3, 0.01, 1e-8, 1},
	{"step1-clipped", 1, false, 0.05, 0.1, 1e-8, 0.37},
	{"step7-clipped", 7, true, 0.1, 0.2, 1e-8, 0.37},
	{"step1000-large-eps", 1000, true, 0.3, 0.01, 1e-3, 1},
	{"step1-eps-dominant", 1, false, 0.1, 0.01, 1e-3, 1e-3}, // √v̂ = |ĝ| ≈ eps
}

// TestCAdamW checks fs_adamw against adamwGo: weight decay on, clipping active or not, bias
// corrections at the first and later steps, and an eps large enough to matter.
func TestCAdamW(t *testing.T) {
	const beta1, beta2 = 0.9, 0.999
	for i, c := range adamCases {
		for _, n := range kernelWidths {
			t.Run(fmt.Sprintf("%s/%d", c.name, n), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(i), uint64(n)))
				p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
				fillNormal(rng, p, 1)
				fillNormal(rng, g, 1)
				if n > 1 {
					g[n-1] = 0 // weight decay alone
				}
				if c.warm {
					fillNormal(rng, m, 0.1)
					fillNormal(rng, v, 0.1)
					for i := range v {
						v[i] *= v[i]
					}
				}
				// As Step computes them.
				h := adamStep[float32]{lr: float32(c.lr), beta1: beta1, beta2: beta2, eps: float32(c.eps),
					decay: float32(c.decay), gradScale: float32(c.gradScale),
					mScale: float32(1 / (1 - math.Pow(beta1, float64(c.step)))),
					vScale: float32(1 / (1 - math.Pow(beta2, float64(c.step))))}
				pC, gC, mC, vC := slices.Clone(p), slices.Clone(g), slices.Clone(m), slices.Clone(v)
				goBackend32.adamw(p, g, m, v, &h)
				backend32.adamw(pC, gC, mC, vC, &h)
				checkNear(t, "p", pC, p, adamTol, adamTol)
				checkNear(t, "m", mC, m, adamTol, adamTol)
				checkNear(t, "v", vC, v, adamTol, 0) // a sum of two positive terms
				checkNear(t, "g", gC, g, exact, exact)
			})
		}
	}
}

// TestCSimNorm checks fs_simnorm against simnormGo for groups of 1 to 17, on inputs spread
// wide enough that some exponents fall past fs_exp's lower clamp.
func TestCSimNorm(t *testing.T) {
	for _, group := range []int{1, 2, 3, 8, 17} {
		for _, groups := range []int{1, 3, 7} {
			t.Run(fmt.Sprintf("%dx%d", groups, group), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(group), uint64(groups)))
				want := make([]float32, group*groups)
				fillNormal(rng, want, 10)
				want[0] = 90
				got := slices.Clone(want)
				goBackend32.simnorm(want, group)
				backend32.simnorm(got, group)
				checkNear(t, "softmax", got, want, simnormTol, tinyAbs)
			})
		}
	}
}

// fillNormal fills s with normal numbers of standard deviation sd drawn from rng.
func fillNormal(rng *rand.Rand, s []float32, sd float64) {
	for i := range s {
		s[i] = float32(sd * rng.NormFloat64())
	}
}

// addConst adds c to every element of s.
func addConst(s []float32, c float32) {
	for i := range s {
		s[i] += c
	}
}

// cloneLayer returns a deep copy of the row-kernel state of l, to run on be.
func cloneLayer(l *layer[float32], be *backend[float32]) *layer[float32] {
	c := *l
	c.be = be
	c.b, c.db = slices.Clone(l.b), slices.Clone(l.db)
	c.gain, c.shift = slices.Clone(l.gain), slices.Clone(l.shift)
	c.dgain, c.dshift, c.rstd = slices.Clone(l.dgain), slices.Clone(l.dshift), slices.Clone(l.rstd)
	c.z = MatrixOf(l.z.Rows, l.z.Cols, slices.Clone(l.z.Data))
	c.d = MatrixOf(l.d.Rows, l.d.Cols, slices.Clone(l.d.Data))
	c.a = c.z
	if l.norm {
		c.y = MatrixOf(l.y.Rows, l.y.Cols, slices.Clone(l.y.Data))
		c.a = c.y
	}
	return &c
}
