// Package sgemm multiplies float32 matrices: it packs blocks of the operands into panels,
// which a micro-kernel multiplies 6×16 elements of the result at a time, in AVX2 and FMA
// assembly on amd64 processors that have them and in Go elsewhere. It runs on the caller's
// goroutine and allocates nothing in steady state.
package sgemm

import "sync"

// The blocking of Gemm: micro-tiles of mr×nr, the inner dimension in blocks of kc, A's rows
// in blocks of mc (a multiple of mr) and B's columns in blocks of nc (a multiple of nr), so
// that a packed block of B stays in the second-level cache and a panel of it in the first.
const (
	mr = 6
	nr = 16
	kc = 256
	mc = 96
	nc = 512
)

// scratch holds packed blocks of A and B and a micro-tile for the edges.
type scratch struct {
	a    [mc * kc]float32
	b    [kc * nc]float32
	tile [mr * nr]float32
}

// scratches lends scratch to concurrent products without allocating in steady state.
var scratches = sync.Pool{New: func() any { return new(scratch) }}

// Gemm sets C = op(A)·op(B) + beta·C for row-major matrices, where op transposes its
// argument when tA or tB is set: C is m×n with rows ldc apart, op(A) m×k and op(B) k×n.
// With beta = 0, C is not read. Every dimension must be positive.
func Gemm(tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	scaleRows(m, n, beta, c, ldc)
	s := scratches.Get().(*scratch)
	defer scratches.Put(s)
	for jc := 0; jc < n; jc += nc {
		w := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			d := min(kc, k-pc)
			pack(s.b[:], nr, !tB, b, ldb, jc, pc, w, d)
			for ic := 0; ic < m; ic += mc {
				h := min(mc, m-ic)
				pack(s.a[:], mr, tA, a, lda, ic, pc, h, d)
				s.multiply(d, h, w, c[ic*ldc+jc:], ldc)
			}
		}
	}
}

// multiply adds to C the product of the packed h×d block of A and d×w block of B.
func (s *scratch) multiply(d, h, w int, c []float32, ldc int) {
	for jr := 0; jr < w; jr += nr {
		bp, cols := s.b[jr*d:], min(nr, w-jr)
		for ir := 0; ir < h; ir += mr {
			ap, rows := s.a[ir*d:], min(mr, h-ir)
			cij := c[ir*ldc+jr:]
			if rows == mr && cols == nr {
				kernel(d, ap, bp, cij, ldc)
				continue
			}
			clear(s.tile[:])
			kernel(d, ap, bp, s.tile[:], nr)
			for r := range rows {
				dst, src := cij[r*ldc:r*ldc+cols], s.tile[r*nr:r*nr+cols]
				for j, v := range src {
					dst[j] += v
				}
			}
		}
	}
}

// scaleRows sets the m×n matrix C to beta·C, to zero without reading it when beta is 0.
func scaleRows(m, n int, beta float32, c []float32, ldc int) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// pack copies a block of an operand, n wide and d deep (along the inner dimension), into
// panels w wide, each stored one step of the inner dimension after the other. The last
// panel's padding keeps what it held: it enters only the products that multiply discards. Element (p, i) of the block, p deep and i across, is src[(p0+p)·ld + i0+i]
// when across is set (the block's rows run across), src[(i0+i)·ld + p0+p] otherwise.
func pack(dst []float32, w int, across bool, src []float32, ld, i0, p0, n, d int) {
	for ir := 0; ir < n; ir += w {
		panel, cols := dst[ir*d:(ir+w)*d], min(w, n-ir)
		for p := range d {
			step := panel[p*w : (p+1)*w]
			if across {
				copy(step, src[(p0+p)*ld+i0+ir:][:cols])
			} else {
				for i := range cols {
					step[i] = src[(i0+ir+i)*ld+p0+p]
				}
			}
		}
	}
}
