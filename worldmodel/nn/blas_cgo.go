//go:build cgo && !noopenblas

package nn

/*
#cgo CFLAGS: -O3 -fopenmp-simd
#cgo LDFLAGS: -lopenblas -lm
#include <stdlib.h>
#include <cblas.h>
#include "kernels.h"

// foresight_blas_init gives OpenBLAS one thread unless OPENBLAS_NUM_THREADS asks otherwise.
static void foresight_blas_init(void) {
	if (getenv("OPENBLAS_NUM_THREADS") == NULL) openblas_set_num_threads(1);
}
*/
import "C"

import "unsafe"

// backend32 runs float32 networks on OpenBLAS's GEMM and the C kernels of kernels.c.
var backend32 = backend[float32]{
	name:         "openblas",
	gemm:         openblasGemm,
	gemv:         openblasGemv,
	rowsForward:  cRowsForward,
	rowsBackward: cRowsBackward,
	adamw:        cAdamW,
	simnorm:      cSimNorm,
	conv32:       cConv32,
	conv32dw:     cConv32dw,
}

// OpenBLAS starts with as many threads as there are cores. A Foresight agent trains on one
// goroutine and plans on another, so more BLAS threads would only compete with them.
func init() { C.foresight_blas_init() }

// openblasGemm is backend.gemm through cblas_sgemm.
func openblasGemm(tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	C.cblas_sgemm(C.CblasRowMajor, cblasTrans(tA), cblasTrans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
		1, ptr(a), C.blasint(lda), ptr(b), C.blasint(ldb), C.float(beta), ptr(c), C.blasint(ldc))
}

// openblasGemv is backend.gemv through cblas_sgemv.
func openblasGemv(tA bool, rows, cols int, a []float32, lda int, x []float32, beta float32, y []float32) {
	C.cblas_sgemv(C.CblasRowMajor, cblasTrans(tA), C.blasint(rows), C.blasint(cols), 1, ptr(a), C.blasint(lda),
		ptr(x), 1, C.float(beta), ptr(y), 1)
}

// cblasTrans converts a transpose flag to CBLAS's enumeration.
func cblasTrans(t bool) C.enum_CBLAS_TRANSPOSE {
	if t {
		return C.CblasTrans
	}
	return C.CblasNoTrans
}

// cRowsForward is rowsForward through fs_rows_forward.
func cRowsForward(l *layer[float32], train bool) {
	if l.z.Rows == 0 {
		return
	}
	var d []float32
	if train && l.act != Identity {
		d = l.d.Data
	}
	C.fs_rows_forward(C.int(l.z.Rows), C.int(l.out), cActivation(l.act), ptr(l.z.Data), ptr(l.a.Data),
		ptr(d), ptr(l.rstd), ptr(l.b), ptr(l.gain), ptr(l.shift))
}

// cRowsBackward is rowsBackward through fs_rows_backward.
func cRowsBackward(l *layer[float32], da []float32) []float32 {
	if l.z.Rows > 0 {
		var d []float32
		if l.act != Identity {
			d = l.d.Data
		}
		C.fs_rows_backward(C.int(l.z.Rows), C.int(l.out), cActivation(l.act), ptr(da), ptr(d), ptr(l.z.Data),
			ptr(l.gain), ptr(l.rstd), ptr(l.db), ptr(l.dgain), ptr(l.dshift))
	}
	return l.dz(da)
}

// cAdamW is adamwGo through fs_adamw.
func cAdamW(p, g, m, v []float32, h *adamStep[float32]) {
	if len(p) == 0 {
		return
	}
	C.fs_adamw(C.size_t(len(p)), ptr(p), ptr(g), ptr(m), ptr(v), C.float(h.lr), C.float(h.beta1),
		C.float(h.beta2), C.float(h.eps), C.float(h.decay), C.float(h.gradScale), C.float(h.mScale), C.float(h.vScale))
}

// cSimNorm is simnormGo through fs_simnorm.
func cSimNorm(x []float32, group int) {
	if len(x) > 0 {
		C.fs_simnorm(C.size_t(len(x)), C.int(group), ptr(x))
	}
}

// cConv32 is backend.conv32 through fs_conv32.
func cConv32(n int, in Shape, k, s int, out Shape, x, w, b []float32, relu bool, y, d []float32) {
	r := C.int(0)
	if relu {
		r = 1
	}
	C.fs_conv32(C.int(n), C.int(in.H), C.int(in.W), C.int(in.C), C.int(k), C.int(s), C.int(out.H), C.int(out.W),
		ptr(x), ptr(w), ptr(b), r, ptr(y), ptr(d))
}

// cConv32dw is backend.conv32dw through fs_conv32_dw.
func cConv32dw(n int, in Shape, k, s int, out Shape, x, dz, dw []float32) {
	C.fs_conv32_dw(C.int(n), C.int(in.H), C.int(in.W), C.int(in.C), C.int(k), C.int(s), C.int(out.H), C.int(out.W),
		ptr(x), ptr(dz), ptr(dw))
}

// cActivation returns the C kernels' code for an activation.
func cActivation(a Activation) C.int {
	switch a {
	case SiLU:
		return C.FS_SILU
	case ELU:
		return C.FS_ELU
	case Mish:
		return C.FS_MISH
	case ReLU:
		return C.FS_RELU
	}
	return C.FS_IDENTITY
}

// ptr returns a C pointer to the first element of s, or NULL when s is nil. The C side reads
// no further than the lengths the caller passes with it.
func ptr(s []float32) *C.float { return (*C.float)(unsafe.Pointer(unsafe.SliceData(s))) }
