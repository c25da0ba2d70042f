package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// convCases are small networks covering every kind of window: padding, strides below, at
// and above the kernel, kernels of one pixel, sizes that do not divide evenly, transposed
// layers alone and after convolutions, and every activation.
var convCases = []ConvSpec{
	{In: Shape{5, 6, 2}, Layers: []ConvLayer{{Out: 4, Kernel: 3, Stride: 1, Pad: 1, Activation: ReLU}}},
	{In: Shape{7, 7, 3}, Layers: []ConvLayer{{Out: 2, Kernel: 3, Stride: 2}}},
	{In: Shape{8, 5, 1}, Layers: []ConvLayer{{Out: 3, Kernel: 2, Stride: 3, Activation: ELU}}},
	{In: Shape{4, 4, 3}, Layers: []ConvLayer{{Out: 2, Kernel: 1, Stride: 1, Activation: SiLU}}},
	{In: Shape{3, 4, 2}, Layers: []ConvLayer{{Out: 3, Kernel: 3, Stride: 2, Pad: 1, Transpose: true, Activation: Mish}}},
	{In: Shape{6, 6, 2}, Layers: []ConvLayer{
		{Out: 3, Kernel: 2, Stride: 2, Activation: ReLU},
		{Out: 2, Kernel: 2, Stride: 2, Transpose: true},
	}},
	{In: Shape{11, 9, 3}, Layers: []ConvLayer{
		{Out: 4, Kernel: 3, Stride: 2, Activation: ReLU},
		{Out: 4, Kernel: 3, Stride: 1, Pad: 1, Activation: SiLU},
		{Out: 2, Kernel: 2, Stride: 1},
	}},
	// 32 channels without padding, which the C backend computes without a window matrix,
	// four pixels at a time: rows of 5 and 9 pixels leave one over.
	{In: Shape{9, 11, 3}, Layers: []ConvLayer{
		{Out: 32, Kernel: 3, Stride: 2, Activation: ReLU},
		{Out: 32, Kernel: 2, Stride: 1},
	}},
	{In: Shape{3, 10, 2}, Layers: []ConvLayer{{Out: 32, Kernel: 2, Stride: 1}}},
	{In: Shape{4, 6, 2}, Layers: []ConvLayer{{Out: 32, Kernel: 2, Stride: 2, Activation: SiLU}}}, // activated in Go
}

// convRef returns the output of c for the batch x from the definition of each layer, one
// output value at a time, in float64.
func convRef[T Float](c *Conv[T], x Matrix[T]) []float64 {
	cur := make([]float64, len(x.Data))
	for i, v := range x.Data {
		cur[i] = float64(v)
	}
	for _, l := range c.layers {
		out := make([]float64, x.Rows*l.out.Size())
		for n := range x.Rows {
			img, dst := cur[n*l.in.Size():], out[n*l.out.Size():]
			if l.spec.Transpose {
				deconvRef(&l, img, dst)
			} else {
				convLayerRef(&l, img, dst)
			}
		}
		for i := range out {
			b := float64(l.b[i%l.out.C])
			out[i], _ = activationRef(l.spec.Activation, out[i]+b)
		}
		cur = out
	}
	return cur
}

// taps calls f for every tap of l's windows that lies inside the larger image: the pixel
// of the smaller image (the output of a convolution, the input of a transpose), the pixel
// of the larger one the tap reads or writes, and the tap's index in the kernel.
func taps[T Float](l *convLayer[T], f func(small, big, tap int)) {
	k, s, p := l.spec.Kernel, l.spec.Stride, l.spec.Pad
	small, big := l.out, l.in
	if l.spec.Transpose {
		small, big = big, small
	}
	for y := range small.H {
		for x := range small.W {
			for i := range k {
				for j := range k {
					h, w := y*s-p+i, x*s-p+j
					if h >= 0 && h < big.H && w >= 0 && w < big.W {
						f(y*small.W+x, h*big.W+w, i*k+j)
					}
				}
			}
		}
	}
}

// convLayerRef sets out to the convolution of x: out[q, o] = Σ x[p, c]·W[t·C+c, o] over
// the taps t joining output pixel q to input pixel p.
func convLayerRef[T Float](l *convLayer[T], x, out []float64) {
	in, o := l.in.C, l.out.C
	taps(l, func(q, p, t int) {
		for c := range in {
			for d := range o {
				out[q*o+d] += x[p*in+c] * float64(l.w[(t*in+c)*o+d])
			}
		}
	})
}

// deconvRef sets out to the transposed convolution of x: out[p, o] = Σ x[q, c]·W[c, t·O+o]
// over the taps t joining input pixel q to output pixel p.
func deconvRef[T Float](l *convLayer[T], x, out []float64) {
	in, o, k := l.in.C, l.out.C, l.spec.Kernel
	taps(l, func(q, p, t int) {
		for c := range in {
			for d := range o {
				out[p*o+d] += x[q*in+c] * float64(l.w[c*k*k*o+t*o+d])
			}
		}
	})
}

// newConvCase builds spec with its parameters moved off their initial values, on the
// kernels be, and a batch of rows random images.
func newConvCase[T Float](t testing.TB, spec ConvSpec, be *backend[T], rows int, seed uint64) (*Conv[T], Matrix[T]) {
	t.Helper()
	c, err := NewConv[T](spec, seed)
	if err != nil {
		t.Fatal(err)
	}
	for i := range c.layers {
		c.layers[i].be = be
	}
	shift := rand.New(rand.NewPCG(seed, 4))
	for i := range c.params {
		c.params[i] += T(0.2 * (2*shift.Float64() - 1))
	}
	return c, randMatrix[T](rand.New(rand.NewPCG(seed, 3)), rows, spec.In.Size())
}

// withChunk runs f with convChunk set to n values; with n = 1 layers work one image at a
// time, and split every batch of two or more between their two workers.
func withChunk(n int, f func()) {
	oldChunk, oldSplit := convChunk, minSplit
	convChunk = n
	if n == 1 {
		minSplit = 0
	}
	defer func() { convChunk, minSplit = oldChunk, oldSplit }()
	f()
}

// TestConvAgainstDefinition checks the forward pass of every case against convRef, with
// batches of 1 and 3 images, whole and one image at a time, on every backend.
func TestConvAgainstDefinition(t *testing.T) {
	forEachBackend(t, convAgainstDefinition[float64], convAgainstDefinition[float32])
}

func convAgainstDefinition[T Float](t *testing.T, be *backend[T], tol float64) {
	for i, spec := range convCases {
		for _, rows := range []int{1, 3} {
			for _, chunk := range []int{convChunk, 1} {
				t.Run(fmt.Sprintf("%d/rows=%d/chunk=%d", i, rows, chunk), func(t *testing.T) {
					c, x := newConvCase(t, spec, be, rows, uint64(i+1))
					want := convRef(c, x)
					withChunk(chunk, func() {
						checkNear(t, "Forward", c.Forward(x).Data, want, 16*tol, 16*tol)
						checkNear(t, "Infer", c.Infer(x).Data, want, 16*tol, 16*tol)
					})
				})
			}
		}
	}
}

// convLoss returns Σ r·out for the network's output on x: a loss whose gradient with
// respect to the output is r.
func convLoss(c *Conv[float64], x Matrix[float64], r []float64) float64 {
	var s float64
	for i, v := range c.Infer(x).Data {
		s += r[i] * v
	}
	return s
}

// TestConvGradients checks the backward pass of every case, parameters and input, against
// central differences of a loss, in float64 to 1e-6, whole and one image at a time.
func TestConvGradients(t *testing.T) {
	for i, spec := range convCases {
		for _, chunk := range []int{convChunk, 1} {
			t.Run(fmt.Sprintf("%v/chunk=%d", spec, chunk), func(t *testing.T) {
				withChunk(chunk, func() { checkConvGradients(t, spec, uint64(i+1)) })
			})
		}
	}
}

func checkConvGradients(t *testing.T, spec ConvSpec, seed uint64) {
	c, x := newConvCase(t, spec, &backend64, 2, seed)
	r := randMatrix[float64](rand.New(rand.NewPCG(seed, 5)), 2, spec.Out().Size())
	c.ZeroGrad()
	c.Forward(x)
	dx := slices.Clone(c.BackwardInput(r).Data)
	numeric := func(s []float64) []float64 {
		g := make([]float64, len(s))
		for i, v := range s {
			const h = 1e-6
			s[i] = v + h
			up := convLoss(c, x, r.Data)
			s[i] = v - h
			g[i] = (up - convLoss(c, x, r.Data)) / (2 * h)
			s[i] = v
		}
		return g
	}
	compare(t, "dParams", c.Grads(), numeric(c.Params()), 1e-6)
	compare(t, "dInput", dx, numeric(x.Data), 1e-6)
}

// TestConvBackendsAgree checks the float32 gradients of every case on each float32 backend
// against the float64 ones.
func TestConvBackendsAgree(t *testing.T) {
	for i, spec := range convCases {
		want, wantDX := convGrads(t, spec, &backend64, uint64(i+1))
		for _, be := range backends32() {
			t.Run(fmt.Sprintf("%d/%s", i, be.name), func(t *testing.T) {
				got, gotDX := convGrads(t, spec, be, uint64(i+1))
				checkNear(t, "dParams", got, want, 1e-4, 1e-5)
				checkNear(t, "dInput", gotDX, wantDX, 1e-4, 1e-5)
			})
		}
	}
}

// convGrads returns the gradients of case spec's loss on three images, with respect to the
// parameters and to the input.
func convGrads[T Float](t *testing.T, spec ConvSpec, be *backend[T], seed uint64) (dParams, dInput []T) {
	c, x := newConvCase(t, spec, be, 3, seed)
	r := randMatrix[T](rand.New(rand.NewPCG(seed, 5)), 3, spec.Out().Size())
	c.ZeroGrad()
	c.Forward(x)
	dx := c.BackwardInput(r)
	return slices.Clone(c.Grads()), slices.Clone(dx.Data)
}

// TestConvShapes checks the shapes of TD-MPC2's pixel encoder and of a decoder that undoes
// it, the description of the spec, and the errors of invalid specs.
func TestConvShapes(t *testing.T) {
	enc := ConvSpec{In: Shape{64, 64, 9}, Layers: []ConvLayer{
		{Out: 32, Kernel: 7, Stride: 2, Activation: ReLU},
		{Out: 32, Kernel: 5, Stride: 2, Activation: ReLU},
		{Out: 32, Kernel: 3, Stride: 2, Activation: ReLU},
		{Out: 32, Kernel: 3, Stride: 1},
	}}
	shapes, err := enc.Shapes()
	if err != nil {
		t.Fatal(err)
	}
	want := []Shape{{64, 64, 9}, {29, 29, 32}, {13, 13, 32}, {6, 6, 32}, {4, 4, 32}}
	if !slices.Equal(shapes, want) || enc.Out() != want[4] {
		t.Errorf("encoder shapes %v, out %v; want %v", shapes, enc.Out(), want)
	}
	if got, want := enc.String(), "64x64x9: conv 32 7/2 relu, conv 32 5/2 relu, conv 32 3/2 relu, conv 32 3/1 identity"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	dec := ConvSpec{In: Shape{4, 4, 32}, Layers: []ConvLayer{
		{Out: 32, Kernel: 4, Stride: 2, Pad: 1, Transpose: true, Activation: ReLU},
		{Out: 3, Kernel: 4, Stride: 4, Transpose: true},
	}}
	if got := dec.Out(); got != (Shape{32, 32, 3}) {
		t.Errorf("decoder output %v, want 32x32x3", got)
	}
	for _, c := range []struct {
		spec ConvSpec
		want string
	}{
		{ConvSpec{In: Shape{0, 4, 1}, Layers: enc.Layers}, "input shape 0x4x1"},
		{ConvSpec{In: Shape{4, 4, 1}}, "no layers"},
		{ConvSpec{In: Shape{4, 4, 1}, Layers: []ConvLayer{{Out: 0, Kernel: 1, Stride: 1}}}, "output channels 0"},
		{ConvSpec{In: Shape{4, 4, 1}, Layers: []ConvLayer{{Out: 1, Kernel: 0, Stride: 1}}}, "kernel 0"},
		{ConvSpec{In: Shape{4, 4, 1}, Layers: []ConvLayer{{Out: 1, Kernel: 1, Stride: 0}}}, "stride 0"},
		{ConvSpec{In: Shape{4, 4, 1}, Layers: []ConvLayer{{Out: 1, Kernel: 2, Stride: 1, Pad: 2}}}, "padding 2"},
		{ConvSpec{In: Shape{4, 4, 1}, Layers: []ConvLayer{{Out: 1, Kernel: 2, Stride: 1, Pad: -1}}}, "padding -1"},
		{ConvSpec{In: Shape{4, 4, 1}, Layers: []ConvLayer{{Out: 1, Kernel: 1, Stride: 1, Activation: numActivations}}}, "unknown activation"},
		{ConvSpec{In: Shape{4, 4, 1}, Layers: []ConvLayer{{Out: 1, Kernel: 5, Stride: 1}}}, "kernel 5 wider than the padded input"},
		{ConvSpec{In: Shape{1, 1, 1}, Layers: []ConvLayer{{Out: 1, Kernel: 3, Stride: 1, Pad: 2, Transpose: true}}}, "output shape -1x-1x1"},
		{ConvSpec{In: Shape{1, 1, 1}, Layers: []ConvLayer{{Out: 1 << 17, Kernel: 1, Stride: 1}}}, "output channels 131072"},
		{ConvSpec{In: Shape{1 << 15, 1 << 15, 1}, Layers: enc.Layers}, "at most 268435456 values"},
	} {
		_, err := NewConv[float32](c.spec, 1)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewConv(%v) = %v, want an error containing %q", c.spec, err, c.want)
		}
	}
}

// TestConvCloneShareInfer checks that a clone computes what its original does and then
// keeps its own parameters, that sharers add into one set of gradients, and that Infer
// discards the record Backward needs.
func TestConvCloneShareInfer(t *testing.T) {
	spec := convCases[6]
	c, x := newConvCase(t, spec, backendFor[float64](), 2, 9)
	want := slices.Clone(c.Infer(x).Data)
	clone := c.Clone()
	if got := clone.Infer(x).Data; !slices.Equal(got, want) {
		t.Fatal("the clone computes something else")
	}
	clone.Params()[0] += 1
	if got := c.Infer(x).Data; !slices.Equal(got, want) {
		t.Error("changing the clone changed the original")
	}
	r := randMatrix[float64](rand.New(rand.NewPCG(1, 1)), 2, spec.Out().Size())
	c.ZeroGrad()
	c.Forward(x)
	c.Backward(r)
	once := slices.Clone(c.Grads())
	share := c.Share()
	c.ZeroGrad()
	c.Forward(x)
	share.Forward(x)
	c.Backward(r)
	share.Backward(r)
	for i, g := range c.Grads() {
		if math.Abs(g-2*once[i]) > 1e-12*max(1, math.Abs(g)) {
			t.Fatalf("two sharers' gradient %d = %v, want twice %v", i, g, once[i])
		}
	}
	c.Forward(x)
	c.Infer(x)
	checkPanics(t, []panicCase{
		{"Backward after Infer", func() { c.Backward(r) }, "Backward without a Forward"},
		{"Forward of the wrong width", func() { c.Forward(NewMatrix[float64](2, 5)) }, "input is 2×5"},
		{"Backward of the wrong shape", func() { c.Forward(x); c.Backward(NewMatrix[float64](1, r.Cols)) }, "dOut is 1×"},
	})
}

// TestConvNoAllocs checks that a training pass allocates nothing once the network has seen
// its batch size.
func TestConvNoAllocs(t *testing.T) {
	c, x := newConvCase(t, convCases[6], backendFor[float32](), 4, 2)
	r := NewMatrix[float32](4, convCases[6].Out().Size())
	pass := func() {
		c.Forward(x)
		c.BackwardInput(r)
		c.Infer(x)
	}
	pass()
	if n := testing.AllocsPerRun(10, pass); n != 0 {
		t.Errorf("%v allocations per pass, want 0", n)
	}
}

// TestConvSplitDeterministic checks that a layer splitting its batch between two workers
// gives the same bits whether the halves run at once (GOMAXPROCS 2) or one after the other
// (GOMAXPROCS 1): outputs, input gradients and parameter gradients.
func TestConvSplitDeterministic(t *testing.T) {
	run := func(procs int) []float32 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var out []float32
		withChunk(1, func() {
			for i, spec := range convCases {
				c, x := newConvCase(t, spec, backendFor[float32](), 5, uint64(i+1))
				y := c.Forward(x)
				out = append(out, y.Data...)
				out = append(out, c.BackwardInput(y).Data...)
				out = append(out, c.Grads()...)
			}
		})
		return out
	}
	if one, two := run(1), run(2); !slices.Equal(one, two) {
		t.Error("the two workers' results depend on whether they run at once")
	}
}
