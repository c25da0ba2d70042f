package nn

import (
	"github.com/foresight-sim/foresight/worldmodel/nn/internal/sgemm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// backend is the set of kernels a network of one precision runs on. float64 networks always
// use portable Go; float32 networks use backend32, which the build chooses (see blas_cgo.go
// and blas_go.go).
type backend[T Float] struct {
	// name is what Backend reports.
	name string
	// gemm sets C = op(A)·op(B) + beta·C for row-major matrices, where op transposes its
	// argument when tA or tB is set; C is m×n and the inner dimension is k. It is never called
	// with a zero dimension.
	gemm func(tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)
	// gemv sets y = op(A)·x + beta·y for a row-major rows×cols A. mul uses it for products
	// of one row, where GEMM libraries spend more time packing B than multiplying.
	gemv func(tA bool, rows, cols int, a []T, lda int, x []T, beta T, y []T)
	// rowsForward and rowsBackward are the element-wise halves of a layer's passes; see the
	// functions of the same names in kernels.go for what they compute.
	rowsForward  func(l *layer[T], train bool)
	rowsBackward func(l *layer[T], da []T) []T
	// adamw applies one AdamW update to a flat run of parameters; see adamwGo.
	adamw func(p, g, m, v []T, h *adamStep[T])
	// simnorm replaces each consecutive group of x by its softmax; see simnormGo.
	simnorm func(x []T, group int)
	// conv32, when not nil, is the forward product of a convolution without padding and of
	// 32 output channels, computed without a window matrix: it sets y, n images of shape
	// out, to the convolution of the n images x of shape in by the k×k windows at stride s
	// with weights w, plus the bias b, then ReLU if relu is set, storing ReLU's derivative
	// in d unless d is nil.
	conv32 func(n int, in Shape, k, s int, out Shape, x, w, b []T, relu bool, y, d []T)
	// conv32dw, set with conv32, adds to dw the weight gradient of conv32's convolution of
	// the n images x with output gradient dz.
	conv32dw func(n int, in Shape, k, s int, out Shape, x, dz, dw []T)
}

// backend64 runs float64 networks.
var backend64 = backend[float64]{
	name:         "go",
	gemm:         tiledGemm(gonum.Implementation{}.Dgemm),
	gemv:         gonumGemv(gonum.Implementation{}.Dgemv),
	rowsForward:  rowsForward[float64],
	rowsBackward: rowsBackward[float64],
	adamw:        adamwGo[float64],
	simnorm:      simnormGo[float64],
}

// goBackend32 runs float32 networks in Go, its matrix products in package sgemm.
var goBackend32 = backend[float32]{
	name:         "go",
	gemm:         sgemm.Gemm,
	gemv:         gonumGemv(gonum.Implementation{}.Sgemv),
	rowsForward:  rowsForward[float32],
	rowsBackward: rowsBackward[float32],
	adamw:        adamwGo[float32],
	simnorm:      simnormGo[float32],
}

// backendFor returns the kernels for precision T.
func backendFor[T Float]() *backend[T] {
	var be any = &backend64
	if is32[T]() {
		be = &backend32
	}
	return be.(*backend[T])
}

// Backend names the kernels float32 networks run on in this build: "openblas" when cgo is
// enabled (GEMM in OpenBLAS, element-wise kernels in C) and "go" otherwise or with the
// noopenblas build tag (GEMM in package sgemm, element-wise kernels in Go).
func Backend() string { return backend32.name }

// gemmTile is the side of the square tiles tiledGemm computes one at a time. It is gonum's
// block size: a single tile never reaches gonum's threshold for going parallel.
const gemmTile = 64

// tiledGemm adapts gonum's Dgemm to backend.gemm. Gonum splits a large product into
// blocks that it hands to new goroutines, which allocates on every call and competes with the
// rest of the program for cores; fed one tile at a time, it runs each serially on the
// caller's goroutine and allocates nothing. The inner dimension is tiled too, so that the
// blocks of A and B a tile reads stay in the first-level cache.
func tiledGemm[T Float](kernel func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) func(tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	return func(tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
		ta, tb := blas.NoTrans, blas.NoTrans
		if tA {
			ta = blas.Trans
		}
		if tB {
			tb = blas.Trans
		}
		for i := 0; i < m; i += gemmTile {
			for j := 0; j < n; j += gemmTile {
				cij := c[i*ldc+j:]
				for l := 0; l < k; l += gemmTile {
					// A's block (i, l) starts at row i, column l of A, or of Aᵀ when tA is set;
					// likewise B's block (l, j).
					ail, blj := i*lda+l, l*ldb+j
					if tA {
						ail = l*lda + i
					}
					if tB {
						blj = j*ldb + l
					}
					bk := beta
					if l > 0 {
						bk = 1
					}
					kernel(ta, tb, min(gemmTile, m-i), min(gemmTile, n-j), min(gemmTile, k-l),
						1, a[ail:], lda, b[blj:], ldb, bk, cij, ldc)
				}
			}
		}
	}
}

// gonumGemv adapts gonum's Sgemv or Dgemv, which run serially, to backend.gemv. It hands
// them y cut to its length: with beta = 0 they zero all of y, past the result too.
func gonumGemv[T Float](kernel func(tA blas.Transpose, m, n int, alpha T, a []T, lda int, x []T, incX int, beta T, y []T, incY int)) func(tA bool, rows, cols int, a []T, lda int, x []T, beta T, y []T) {
	return func(tA bool, rows, cols int, a []T, lda int, x []T, beta T, y []T) {
		t, n := blas.NoTrans, rows
		if tA {
			t, n = blas.Trans, cols
		}
		kernel(t, rows, cols, 1, a, lda, x, 1, beta, y[:n], 1)
	}
}

// mul sets C = op(A)·op(B) + beta·C like backend.gemm, handing products of one row to
// be.gemv. It skips products with a zero dimension, so that the kernels never see empty
// matrices: the layers only meet one as the weight gradient of an empty batch, which adds
// nothing (beta = 1).
func (be *backend[T]) mul(tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch {
	case m == 0 || n == 0 || k == 0:
	case m == 1 && !tA:
		// The row a times op(B) is op(B)ᵀ·a, and B is stored k×n, or n×k when tB is set.
		if tB {
			be.gemv(false, n, k, b, ldb, a, beta, c)
		} else {
			be.gemv(true, k, n, b, ldb, a, beta, c)
		}
	default:
		be.gemm(tA, tB, m, n, k, a, lda, b, ldb, beta, c, ldc)
	}
}
