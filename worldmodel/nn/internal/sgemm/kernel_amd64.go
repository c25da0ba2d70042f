//go:build !noasm

package sgemm

import "golang.org/x/sys/cpu"

// kernel is the micro-kernel: the assembly one where the processor has AVX2 and FMA.
var kernel = func() func(d int, a, b, c []float32, ldc int) {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		return kernelAVX2
	}
	return kernelGo
}()

// kernelAVX2 is kernelGo in assembly.
func kernelAVX2(d int, a, b, c []float32, ldc int) {
	_, _, _ = a[mr*d-1], b[nr*d-1], c[(mr-1)*ldc+nr-1]
	sgemm6x16(d, &a[0], &b[0], &c[0], ldc)
}

// sgemm6x16 is kernelGo on pointers, in kernel_amd64.s.
//
//go:noescape
func sgemm6x16(d int, a, b, c *float32, ldc int)
