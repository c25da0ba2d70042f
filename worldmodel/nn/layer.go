package nn

// layer is one fully connected layer: z = x·W + b, then LayerNorm when norm is set, then the
// activation. Its parameters and gradients are views into its network's flat slices, and its
// buffers grow to the largest batch seen and are reused after that.
type layer[T Float] struct {
	in, out int
	norm    bool
	act     Activation
	be      *backend[T]

	w, b, gain, shift     []T // W is in×out, row-major; gain and shift only with LayerNorm
	dw, db, dgain, dshift []T

	x    Matrix[T] // the last input, in the caller's storage
	z    Matrix[T] // x·W + b; normalised in place under LayerNorm
	y    Matrix[T] // storage for the output under LayerNorm
	a    Matrix[T] // the output: y under LayerNorm, otherwise z
	d    Matrix[T] // the activation's derivative, kept by training passes
	rstd []T       // per row, 1/standard deviation of z (LayerNorm)
	dx   Matrix[T] // dLoss/dx
}

// numParams returns how many parameters a layer of this shape has.
func numParams(in, out int, norm bool) int {
	n := in*out + out
	if norm {
		n += 2 * out
	}
	return n
}

// bind points the layer's parameters and gradients at the start of p and g, and returns the
// rest of both.
func (l *layer[T]) bind(p, g []T) ([]T, []T) {
	take := func(n int) ([]T, []T) {
		pv, gv := p[:n:n], g[:n:n]
		p, g = p[n:], g[n:]
		return pv, gv
	}
	l.w, l.dw = take(l.in * l.out)
	l.b, l.db = take(l.out)
	if l.norm {
		l.gain, l.dgain = take(l.out)
		l.shift, l.dshift = take(l.out)
	}
	return p, g
}

// output returns the shape of the last forward pass's output.
func (l *layer[T]) output() (rows, cols int) { return l.x.Rows, l.out }

// dz returns where the backward kernels leave dLoss/dz, given the gradient da they start
// from: in z under LayerNorm, in d after an activation, and da itself for a plain affine map.
func (l *layer[T]) dz(da []T) []T {
	switch {
	case l.norm:
		return l.z.Data
	case l.act != Identity:
		return l.d.Data
	}
	return da
}

// forward computes the layer's output for the batch x. With train set it keeps what backward
// needs; x must then stay unchanged until backward.
func (l *layer[T]) forward(x Matrix[T], train bool) Matrix[T] {
	rows := x.Rows
	l.x = x
	l.z.Reshape(rows, l.out)
	l.be.mul(false, false, rows, l.out, l.in, x.Data, l.in, l.w, l.out, 0, l.z.Data, l.out)
	l.a = l.z
	if l.norm {
		l.y.Reshape(rows, l.out)
		l.a = l.y
		l.rstd = grow(l.rstd, rows)
	}
	if train && l.act != Identity {
		l.d.Reshape(rows, l.out)
	}
	l.be.rowsForward(l, train)
	return l.a
}

// backward takes da = dLoss/d(output) for the batch of the last training forward pass, adds
// the parameter gradients into the network's gradients and, when wantDX is set, returns
// dLoss/dx (otherwise an empty matrix). It consumes what forward kept.
func (l *layer[T]) backward(da Matrix[T], wantDX bool) Matrix[T] {
	rows := l.x.Rows
	dz := l.be.rowsBackward(l, da.Data)
	l.be.mul(true, false, l.in, l.out, rows, l.x.Data, l.in, dz, l.out, 1, l.dw, l.out)
	if !wantDX {
		return Matrix[T]{}
	}
	l.dx.Reshape(rows, l.in)
	l.be.mul(false, true, rows, l.in, l.out, dz, l.out, l.w, l.out, 0, l.dx.Data, l.in)
	return l.dx
}
