package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestMulAgainstNaive checks every backend's matrix product, op(A)·op(B) + beta·C, against
// a float64 triple loop for each transpose, with padded leading dimensions and sizes that
// cross gemmTile and the blocks of packedGemm32 in every dimension, so that each tile,
// block and edge is exercised.
func TestMulAgainstNaive(t *testing.T) {
	t.Run("float64", checkMul(&backend64))
	t.Run("go float32", checkMul(&goBackend32))
	t.Run(backend32.name+" float32", checkMul(&backend32))
}

func checkMul[T Float](be *backend[T]) func(t *testing.T) {
	return func(t *testing.T) {
		shapes := [][3]int{{1, 1, 1}, {1, 70, 130}, {3, 5, 7}, {64, 128, 64}, {65, 66, 67}, {130, 3, 200}, {2, 129, 65}, {100, 530, 260}}
		rng := rand.New(rand.NewPCG(1, 2))
		for _, s := range shapes {
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				for _, beta := range []T{0, 0.5} {
					name := fmt.Sprintf("%dx%dx%d tA=%v tB=%v beta=%v", s[0], s[1], s[2], tr[0], tr[1], beta)
					checkMulCase(t, name, be, rng, s[0], s[1], s[2], tr[0], tr[1], beta)
				}
			}
		}
	}
}

// checkMulCase multiplies random matrices stored with 3 columns of padding and compares
// C with the float64 product, and the padding with what it was.
func checkMulCase[T Float](t *testing.T, name string, be *backend[T], rng *rand.Rand, m, n, k int, tA, tB bool, beta T) {
	t.Helper()
	const pad = 3
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	lda, ldb, ldc := ac+pad, bc+pad, n+pad
	a, b, c := randSlice[T](rng, ar*lda), randSlice[T](rng, br*ldb), randSlice[T](rng, m*ldc)
	at := func(i, l int) float64 { // op(A)[i][l]
		if tA {
			return float64(a[l*lda+i])
		}
		return float64(a[i*lda+l])
	}
	bt := func(l, j int) float64 { // op(B)[l][j]
		if tB {
			return float64(b[j*ldb+l])
		}
		return float64(b[l*ldb+j])
	}
	want := make([]float64, len(c))
	for i := range m {
		for j := range ldc {
			want[i*ldc+j] = float64(c[i*ldc+j])
			if j >= n {
				continue // padding: untouched
			}
			sum := 0.0
			for l := range k {
				sum += at(i, l) * bt(l, j)
			}
			want[i*ldc+j] = sum + float64(beta)*float64(c[i*ldc+j])
		}
	}
	be.mul(tA, tB, m, n, k, a, lda, b, ldb, beta, c, ldc)
	// Each term is below 1 in size, so k+1 of them round to within (k+1)·eps.
	tol := float64(k+1) * eps[T]() * 4
	for i, w := range want {
		if !(math.Abs(float64(c[i])-w) <= tol) {
			t.Fatalf("%s: C[%d][%d] = %v, want %v", name, i/ldc, i%ldc, c[i], w)
		}
	}
}

// randSlice returns n values drawn uniformly from [−1, 1).
func randSlice[T Float](rng *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(2*rng.Float64() - 1)
	}
	return s
}

// eps returns the machine epsilon of T.
func eps[T Float]() float64 {
	if is32[T]() {
		return 0x1p-23
	}
	return 0x1p-52
}
