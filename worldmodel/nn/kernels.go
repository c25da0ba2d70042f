package nn

// The element-wise kernels in portable Go, generic over the precision. They are the whole
// implementation for float64 and for float32 when the C kernels are not built, and the
// reference the C kernels are tested against.

// lnEps is added to the variance in LayerNorm, as in PyTorch.
const lnEps = 1e-5

// rowsForward finishes a layer's forward pass after the GEMM has put x·W in l.z: it adds the
// bias, normalises each row when the layer has LayerNorm and applies the activation. With
// train set it also keeps f' in l.d for rowsBackward.
func rowsForward[T Float](l *layer[T], train bool) {
	n := l.out
	for r := range l.z.Rows {
		z := l.z.Data[r*n : (r+1)*n]
		addTo(z, l.b)
		y := z
		if l.norm {
			y = l.a.Data[r*n : (r+1)*n]
			l.rstd[r] = normalize(z)
			affine(y, z, l.gain, l.shift)
		}
		var d []T
		if train && l.act != Identity {
			d = l.d.Data[r*n : (r+1)*n]
		}
		activate(l.act, y, d)
	}
}

// rowsBackward turns da = dLoss/d(output) into dz = dLoss/d(x·W + b), row by row, adds the
// gradients of the bias and the LayerNorm parameters into the layer's gradients, and returns
// dz. It overwrites what rowsForward kept: dz lies in l.z under LayerNorm, in l.d after an
// activation, and is da itself for a plain affine layer.
func rowsBackward[T Float](l *layer[T], da []T) []T {
	n := l.out
	dz := l.dz(da)
	for r := range l.z.Rows {
		g := da[r*n : (r+1)*n]
		if l.act != Identity {
			d := l.d.Data[r*n : (r+1)*n]
			mulTo(d, g)
			g = d
		}
		if l.norm {
			normBackward(l.z.Data[r*n:(r+1)*n], g, l.gain, l.rstd[r], l.dgain, l.dshift)
		}
		addTo(l.db, dz[r*n:(r+1)*n])
	}
	return dz
}

// normalize centres z and scales it to unit variance in place, and returns the factor
// 1/sqrt(variance + lnEps) it scaled by.
func normalize[T Float](z []T) T {
	n := T(len(z))
	mean := sum(z) / n
	var v0, v1 T
	j := 0
	for ; j+1 < len(z); j += 2 {
		c0, c1 := z[j]-mean, z[j+1]-mean
		z[j], z[j+1] = c0, c1
		v0 += c0 * c0
		v1 += c1 * c1
	}
	for ; j < len(z); j++ {
		c := z[j] - mean
		z[j] = c
		v0 += c * c
	}
	rstd := 1 / sqrt((v0+v1)/n+lnEps)
	for j := range z {
		z[j] *= rstd
	}
	return rstd
}

// normBackward back-propagates through y = gain·x̂ + shift with x̂ = (z - mean)·rstd for one
// row: given g = dLoss/dy and x holding x̂, it adds into dgain and dshift and overwrites x
// with dLoss/dz = rstd·(h - mean(h) - x̂·mean(h·x̂)), where h = g·gain.
func normBackward[T Float](x, g, gain []T, rstd T, dgain, dshift []T) {
	g, gain, dgain, dshift = g[:len(x)], gain[:len(x)], dgain[:len(x)], dshift[:len(x)]
	var s0, s1, t0, t1 T
	j := 0
	for ; j+1 < len(x); j += 2 {
		g0, g1 := g[j], g[j+1]
		x0, x1 := x[j], x[j+1]
		dgain[j] += g0 * x0
		dgain[j+1] += g1 * x1
		dshift[j] += g0
		dshift[j+1] += g1
		h0, h1 := g0*gain[j], g1*gain[j+1]
		s0 += h0
		s1 += h1
		t0 += h0 * x0
		t1 += h1 * x1
	}
	for ; j < len(x); j++ {
		dgain[j] += g[j] * x[j]
		dshift[j] += g[j]
		h := g[j] * gain[j]
		s0 += h
		t0 += h * x[j]
	}
	n := T(len(x))
	mh, mhx := (s0+s1)/n, (t0+t1)/n
	for j := range x {
		x[j] = rstd * (g[j]*gain[j] - mh - x[j]*mhx)
	}
}

// sum returns the sum of s, added in four interleaved partial sums so that the additions
// overlap in the processor.
func sum[T Float](s []T) T {
	var a0, a1, a2, a3 T
	j := 0
	for ; j+3 < len(s); j += 4 {
		a0 += s[j]
		a1 += s[j+1]
		a2 += s[j+2]
		a3 += s[j+3]
	}
	for ; j < len(s); j++ {
		a0 += s[j]
	}
	return (a0 + a1) + (a2 + a3)
}

// addTo adds src to dst element by element.
func addTo[T Float](dst, src []T) {
	src = src[:len(dst)]
	for j := range dst {
		dst[j] += src[j]
	}
}

// mulTo multiplies dst by src element by element.
func mulTo[T Float](dst, src []T) {
	src = src[:len(dst)]
	for j := range dst {
		dst[j] *= src[j]
	}
}

// affine sets dst = gain·x + shift element by element.
func affine[T Float](dst, x, gain, shift []T) {
	x, gain, shift = x[:len(dst)], gain[:len(dst)], shift[:len(dst)]
	for j := range dst {
		dst[j] = gain[j]*x[j] + shift[j]
	}
}
