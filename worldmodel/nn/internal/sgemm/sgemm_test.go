package sgemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// kernels are the micro-kernels this build can run: kernelGo and the one Gemm uses.
var kernels = map[string]func(d int, a, b, c []float32, ldc int){"go": kernelGo, "default": kernel}

// TestKernels checks each micro-kernel against a float64 sum on random panels: the 6×16
// block of C gains the product and the padding beside it stays as it was. Gemm's blocking,
// packing and edges are checked through worldmodel/nn's TestMulAgainstNaive.
func TestKernels(t *testing.T) {
	const ldc = nr + 3
	rng := rand.New(rand.NewPCG(3, 4))
	for name, k := range kernels {
		for _, d := range []int{1, 2, 7, 256} {
			a, b, c := random(rng, mr*d), random(rng, nr*d), random(rng, mr*ldc)
			want := make([]float64, len(c))
			for i := range c {
				want[i] = float64(c[i])
				r, j := i/ldc, i%ldc
				if j >= nr {
					continue
				}
				for p := range d {
					want[i] += float64(a[p*mr+r]) * float64(b[p*nr+j])
				}
			}
			k(d, a, b, c, ldc)
			tol := float64(d+1) * 0x1p-23 * 4 // each term is below 1 in size
			for i, w := range want {
				if !(math.Abs(float64(c[i])-w) <= tol) {
					t.Fatalf("%s kernel, depth %d: C[%d][%d] = %v, want %v", name, d, i/ldc, i%ldc, c[i], w)
				}
			}
		}
	}
}

// TestGemmBetaZeroIgnoresC checks that beta = 0 overwrites C without reading it, so that
// NaN left in a reused buffer does not leak into the product.
func TestGemmBetaZeroIgnoresC(t *testing.T) {
	a, b := []float32{1, 2}, []float32{3, 4}
	c := []float32{float32(math.NaN())}
	Gemm(false, false, 1, 1, 2, a, 2, b, 1, 0, c, 1)
	if c[0] != 11 {
		t.Fatalf("C = %v, want 11", c[0])
	}
}

// random returns n values uniform in [−1, 1).
func random(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = 2*rng.Float32() - 1
	}
	return s
}

// BenchmarkGemm times the products of a training step of a 256-wide layer on a batch of 256:
// the forward product, the weight gradient (Aᵀ) and the input gradient (Bᵀ), with each
// micro-kernel. Each op is one product of 256³ multiply-adds.
func BenchmarkGemm(b *testing.B) {
	const n = 256
	rng := rand.New(rand.NewPCG(1, 1))
	x, w, c := random(rng, n*n), random(rng, n*n), make([]float32, n*n)
	for name, k := range kernels {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}} {
			b.Run(fmt.Sprintf("%s/tA=%v/tB=%v", name, tr[0], tr[1]), func(b *testing.B) {
				defer func(old func(d int, a, b, c []float32, ldc int)) { kernel = old }(kernel)
				kernel = k
				for b.Loop() {
					Gemm(tr[0], tr[1], n, n, n, x, n, w, n, 0, c, n)
				}
				b.ReportMetric(2*n*n*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
