package sgemm

// kernelGo adds to the mr×nr block of C at c, whose rows are ldc apart, the product of a
// packed mr×d panel of A (mr values per step of the inner dimension) and a packed d×nr panel
// of B (nr values per step). It works on two rows and four columns at a time, so that their
// eight sums stay in registers.
func kernelGo(d int, a, b, c []float32, ldc int) {
	a, b = a[:mr*d], b[:nr*d]
	for r := 0; r < mr; r += 2 {
		for j := 0; j < nr; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			for p := range d {
				a0, a1 := a[p*mr+r], a[p*mr+r+1]
				bp := b[p*nr+j : p*nr+j+4 : p*nr+j+4]
				b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
				c00 += a0 * b0
				c01 += a0 * b1
				c02 += a0 * b2
				c03 += a0 * b3
				c10 += a1 * b0
				c11 += a1 * b1
				c12 += a1 * b2
				c13 += a1 * b3
			}
			c0, c1 := c[r*ldc+j:r*ldc+j+4], c[(r+1)*ldc+j:(r+1)*ldc+j+4]
			c0[0], c0[1], c0[2], c0[3] = c0[0]+c00, c0[1]+c01, c0[2]+c02, c0[3]+c03
			c1[0], c1[1], c1[2], c1[3] = c1[0]+c10, c1[1]+c11, c1[2]+c12, c1[3]+c13
		}
	}
}
