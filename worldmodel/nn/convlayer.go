package nn

import "runtime"

// convLayer is one layer of a Conv network. A convolution gathers each output pixel's window
// of the input into a row of a matrix (im2col) and multiplies it by the weights; a
// transposed convolution multiplies each input pixel by the weights and scatters the rows
// back into windows of the output (col2im). Both work on a few images at a time, so that the
// window matrix stays small, and recompute it in the backward pass instead of keeping it.
// Where the backend has direct kernels (see direct), the forward pass and the weight
// gradient read the windows from the image without a window matrix.
type convLayer[T Float] struct {
	spec    ConvLayer
	in, out Shape
	win     window // the windows over the larger image: the input, or a transpose's output
	be      *backend[T]

	w, b, dw, db []T

	x    Matrix[T]        // the last input, in the caller's storage
	a    Matrix[T]        // the output
	d    Matrix[T]        // the activation's derivative, kept by training passes
	cols [convWorkers][]T // each worker's window matrix of one chunk
	dw1  []T              // the second worker's weight gradient, added to dw at the end
	dx   Matrix[T]        // dLoss/dx
	job  job[T]           // the pass under way
	done chan any         // the second worker's signal that its half is done: nil, or its panic
}

// convChunk bounds the window matrix of one chunk of images, in values: 4 MiB of float32.
// Tests lower it to run one image at a time.
var convChunk = 1 << 20

// convWorkers is the number of workers a layer splits a large batch between: always two
// halves, whatever the machine, so that results do not depend on its core count.
const convWorkers = 2

// minSplit is the least work, in multiply-adds, a layer splits between its workers: below
// it (a single image while acting) handing work to another goroutine costs more than it
// saves. Tests lower it to split every batch.
var minSplit = 1 << 22

// halves returns where the second worker's images begin for a batch of n: n itself when
// the batch is too small to split.
func (l *convLayer[T]) halves(n int) int {
	small := l.out.C // the channels of the smaller image, which a window maps to or from
	if l.spec.Transpose {
		small = l.in.C
	}
	if n < 2 || n*l.win.h*l.win.w*l.win.cols()*small < minSplit {
		return n
	}
	return (n + 1) / 2
}

// job is the pass a layer splits between its workers: the batch of n images, of which the
// second worker takes those from mid on, and the slices each worker reads and writes.
type job[T Float] struct {
	backward bool
	n, mid   int
	d        []T // forward: the activation's derivative to keep, or nil
	dz, dx   []T // backward: the output gradient, and the input gradient to set or nil
}

// run runs the layer's job: the first worker's half here, the second's on a helper
// goroutine (see helpers), returning when both are done. With GOMAXPROCS 1 it runs the two
// halves one after the other, which gives the same results: the work is split the same way.
// A panic in either half comes out here, once both halves have stopped.
func (l *convLayer[T]) run() {
	if l.job.mid == l.job.n {
		l.work(0)
		return
	}
	if runtime.GOMAXPROCS(0) == 1 {
		l.work(0)
		l.work(1)
		return
	}
	if l.done == nil {
		l.done = make(chan any)
	}
	helpers.start(l)
	defer func() {
		if p := <-l.done; p != nil {
			panic(p)
		}
	}()
	l.work(0)
}

// second runs the second worker's half of the job and signals it done, handing over what
// it panicked with, if it did.
func (l *convLayer[T]) second() {
	defer func() { l.done <- recover() }()
	l.work(1)
}

// work runs worker w's images of the job, chunk by chunk.
func (l *convLayer[T]) work(w int) {
	jb, per := &l.job, l.chunk()
	lo, hi := 0, jb.mid
	if w == 1 {
		lo, hi = jb.mid, jb.n
	}
	inSize, outSize := l.in.Size(), l.out.Size()
	for i := lo; i < hi; i += per {
		j := min(hi, i+per)
		xs := l.x.Data[i*inSize : j*inSize]
		if jb.backward {
			l.backwardChunk(w, j-i, xs, jb.dz[i*outSize:j*outSize], part(jb.dx, i*inSize, j*inSize))
			continue
		}
		as, ds := l.a.Data[i*outSize:j*outSize], part(jb.d, i*outSize, j*outSize)
		if l.spec.Transpose {
			l.deconvForward(j-i, xs, as, &l.cols[w])
		} else if l.convForward(j-i, xs, as, ds, &l.cols[w]) {
			continue
		}
		activate(l.spec.Activation, as, ds)
	}
}

// part returns s[i:j], or nil for a nil s.
func part[T Float](s []T, i, j int) []T {
	if s == nil {
		return nil
	}
	return s[i:j]
}

// backwardChunk adds the weight gradients of n images into worker w's gradient and sets
// their input gradient dx unless it is nil.
func (l *convLayer[T]) backwardChunk(w, n int, xs, dz, dx []T) {
	dw := l.dw
	if w == 1 {
		dw = l.dw1
	}
	if l.spec.Transpose {
		l.deconvBackward(n, xs, dz, dx, dw, &l.cols[w])
	} else {
		l.convBackward(n, xs, dz, dx, dw, &l.cols[w])
	}
}

// seconds are the second halves of layers' jobs.
type seconds interface{ second() }

// helperPool runs the second halves of jobs on goroutines that wait for them, starting
// another only when none is free, so that a steady state of training starts none.
type helperPool struct{ jobs chan seconds }

var helpers = helperPool{jobs: make(chan seconds)}

// start hands j's second half to a free helper, or to a new one.
func (p *helperPool) start(j seconds) {
	select {
	case p.jobs <- j:
	default:
		go p.serve(j)
	}
}

// serve runs j's second half, then those handed to it, for ever.
func (p *helperPool) serve(j seconds) {
	for {
		j.second()
		j = <-p.jobs
	}
}

func newConvLayer[T Float](spec ConvLayer, in, out Shape) convLayer[T] {
	big, small := in, out
	if spec.Transpose {
		big, small = out, in
	}
	return convLayer[T]{spec: spec, in: in, out: out, be: backendFor[T](),
		win: newWindow(big, small.H, small.W, spec.Kernel, spec.Stride, spec.Pad)}
}

// numParams returns how many parameters the layer has.
func (l *convLayer[T]) numParams() int { return l.in.C*l.win.k*l.win.k*l.out.C + l.out.C }

// fanIn returns how many inputs each weight's output sums, as PyTorch counts them for
// initialisation: a window of the input for a convolution, of the output for a transpose.
func (l *convLayer[T]) fanIn() int { return l.win.k * l.win.k * l.win.img.C }

// bind points the layer's parameters and gradients at the start of p and g, and returns the
// rest of both.
func (l *convLayer[T]) bind(p, g []T) ([]T, []T) {
	n := l.in.C * l.win.k * l.win.k * l.out.C
	l.w, l.dw, p, g = p[:n:n], g[:n:n], p[n:], g[n:]
	m := l.out.C
	l.b, l.db = p[:m:m], g[:m:m]
	return p[m:], g[m:]
}

// output returns the shape of the last forward pass's output.
func (l *convLayer[T]) output() (rows, cols int) { return l.x.Rows, l.out.Size() }

// chunk returns how many images the layer handles at once.
func (l *convLayer[T]) chunk() int { return max(1, convChunk/(l.win.h*l.win.w*l.win.cols())) }

// forward computes the layer's output for the batch x. With train set it keeps what backward
// needs; x must then stay unchanged until backward.
func (l *convLayer[T]) forward(x Matrix[T], train bool) Matrix[T] {
	n, outSize := x.Rows, l.out.Size()
	l.x = x
	l.a.Reshape(n, outSize)
	var d []T
	if train && l.spec.Activation != Identity {
		l.d.Reshape(n, outSize)
		d = l.d.Data
	}
	l.job = job[T]{n: n, mid: l.halves(n), d: d}
	l.run()
	return l.a
}

// convForward sets out, n images, to the convolution of the n images of xs plus the bias.
// It reports whether it also applied the activation, keeping its derivative in d unless d
// is nil: the direct kernel does so for ReLU and Identity.
func (l *convLayer[T]) convForward(n int, xs, out, d []T, cols *[]T) (activated bool) {
	if l.direct() {
		relu := l.spec.Activation == ReLU
		if activated = relu || l.spec.Activation == Identity; !activated {
			d = nil
		}
		l.be.conv32(n, l.in, l.spec.Kernel, l.spec.Stride, l.out, xs, l.w, l.b, relu, out, d)
		return activated
	}
	rows, k := l.win.h*l.win.w, l.win.cols()
	*cols = grow(*cols, n*rows*k)
	for i := range n {
		im2col(l.win, xs[i*l.in.Size():(i+1)*l.in.Size()], (*cols)[i*rows*k:(i+1)*rows*k])
	}
	l.be.mul(false, false, n*rows, l.out.C, k, *cols, k, l.w, l.out.C, 0, out, l.out.C)
	l.addBias(out)
	return false
}

// direct reports whether the backend computes the layer's products without a window
// matrix: a convolution of 32 output channels without padding, on the C kernels.
func (l *convLayer[T]) direct() bool {
	return l.be.conv32 != nil && !l.spec.Transpose && l.out.C == 32 && l.spec.Pad == 0
}

// addBias adds the bias to every pixel of out.
func (l *convLayer[T]) addBias(out []T) {
	for k := 0; k < len(out); k += l.out.C {
		addTo(out[k:k+l.out.C], l.b)
	}
}

// deconvForward sets out, n images, to the transposed convolution of the n images of xs
// plus the bias.
func (l *convLayer[T]) deconvForward(n int, xs, out []T, cols *[]T) {
	rows, k := l.win.h*l.win.w, l.win.cols()
	*cols = grow(*cols, n*rows*k)
	l.be.mul(false, false, n*rows, k, l.in.C, xs, l.in.C, l.w, k, 0, *cols, k)
	clear(out)
	for i := range n {
		col2im(l.win, (*cols)[i*rows*k:(i+1)*rows*k], out[i*l.out.Size():(i+1)*l.out.Size()])
	}
	l.addBias(out)
}

// backward takes da = dLoss/d(output) for the batch of the last training forward pass, adds
// the parameter gradients into the network's gradients and, when wantDX is set, returns
// dLoss/dx (otherwise an empty matrix). It consumes what forward kept.
func (l *convLayer[T]) backward(da Matrix[T], wantDX bool) Matrix[T] {
	n, inSize, outSize := l.x.Rows, l.in.Size(), l.out.Size()
	dz := da.Data[:n*outSize]
	if l.spec.Activation != Identity {
		mulTo(l.d.Data, dz)
		dz = l.d.Data
	}
	for k := 0; k < len(dz); k += l.out.C {
		addTo(l.db, dz[k:k+l.out.C])
	}
	var dx []T
	if wantDX {
		l.dx.Reshape(n, inSize)
		dx = l.dx.Data
	}
	l.job = job[T]{backward: true, n: n, mid: l.halves(n), dz: dz, dx: dx}
	split := l.job.mid < n
	if split {
		l.dw1 = grow(l.dw1, len(l.dw))
		clear(l.dw1)
	}
	l.run()
	if split {
		addTo(l.dw, l.dw1)
	}
	if !wantDX {
		return Matrix[T]{}
	}
	return l.dx
}

// convBackward adds the weight gradient of n images xs with output gradient dz into dw and,
// when dx is not nil, sets dx to their input gradient, building window matrices in cols.
func (l *convLayer[T]) convBackward(n int, xs, dz, dx, dw []T, cols *[]T) {
	rows, k := l.win.h*l.win.w, l.win.cols()
	if l.direct() {
		l.be.conv32dw(n, l.in, l.spec.Kernel, l.spec.Stride, l.out, xs, dz, dw)
	} else {
		*cols = grow(*cols, n*rows*k)
		for i := range n {
			im2col(l.win, xs[i*l.in.Size():(i+1)*l.in.Size()], (*cols)[i*rows*k:(i+1)*rows*k])
		}
		l.be.mul(true, false, k, l.out.C, n*rows, *cols, k, dz, l.out.C, 1, dw, l.out.C)
	}
	if dx == nil {
		return
	}
	*cols = grow(*cols, n*rows*k)
	l.be.mul(false, true, n*rows, k, l.out.C, dz, l.out.C, l.w, l.out.C, 0, *cols, k)
	clear(dx)
	for i := range n {
		col2im(l.win, (*cols)[i*rows*k:(i+1)*rows*k], dx[i*l.in.Size():(i+1)*l.in.Size()])
	}
}

// deconvBackward is convBackward for a transposed convolution.
func (l *convLayer[T]) deconvBackward(n int, xs, dz, dx, dw []T, cols *[]T) {
	rows, k := l.win.h*l.win.w, l.win.cols()
	*cols = grow(*cols, n*rows*k)
	for i := range n {
		im2col(l.win, dz[i*l.out.Size():(i+1)*l.out.Size()], (*cols)[i*rows*k:(i+1)*rows*k])
	}
	l.be.mul(true, false, l.in.C, k, n*rows, xs, l.in.C, *cols, k, 1, dw, k)
	if dx != nil {
		l.be.mul(false, true, n*rows, l.in.C, k, *cols, k, l.w, k, 0, dx, l.in.C)
	}
}

// window is the geometry of a convolution's windows: k×k windows moved s pixels at a time
// over the image img padded with p zeros, h×w positions of them, and the runs of each window
// that lie inside the image.
type window struct {
	img     Shape
	h, w    int
	k, s, p int
	runs    []run
}

// run is a stretch of a window inside the image: its offset in the window matrix (one row
// per position, each row holding the window's rows, pixels and channels in order), its
// offset in the image and its length.
type run struct{ col, img, n int }

// newWindow returns the geometry of k×k windows at stride s with padding p over img, at
// h×w positions, with its runs.
func newWindow(img Shape, h, w, k, s, p int) window {
	g := window{img: img, h: h, w: w, k: k, s: s, p: p}
	c, kc := img.C, k*img.C
	for oh := range h {
		for ow := range w {
			row := (oh*w + ow) * k * kc
			w0 := ow*s - p
			lo, hi := max(0, -w0), min(k, img.W-w0) // the window's pixels inside the image
			if lo >= hi {
				continue
			}
			for kh := range k {
				if ih := oh*s - p + kh; ih >= 0 && ih < img.H {
					g.runs = append(g.runs, run{row + kh*kc + lo*c, (ih*img.W + w0 + lo) * c, (hi - lo) * c})
				}
			}
		}
	}
	return g
}

// cols returns the length of one window's values.
func (g window) cols() int { return g.k * g.k * g.img.C }

// im2col writes the windows of img into cols, one row per position, zeros where a window
// covers padding. Without padding every window lies inside the image.
func im2col[T Float](g window, img, cols []T) {
	if g.p > 0 {
		clear(cols)
	}
	for _, r := range g.runs {
		copy(cols[r.col:r.col+r.n], img[r.img:r.img+r.n])
	}
}

// col2im adds each row of cols into its window of img, the reverse of im2col: values that
// fall on padding are dropped.
func col2im[T Float](g window, cols, img []T) {
	for _, r := range g.runs {
		addTo(img[r.img:r.img+r.n], cols[r.col:r.col+r.n])
	}
}
