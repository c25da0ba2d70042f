package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSimNorm checks that every group sums to one and that the backward pass matches finite
// differences of a random linear function of the output.
func TestSimNorm(t *testing.T) {
	const rows, cols, group, h = 3, 8, 4, 1e-6
	rng := rand.New(rand.NewPCG(1, 2))
	x, w := randMatrix[float64](rng, rows, cols), randMatrix[float64](rng, rows, cols)
	loss := func(x Matrix[float64]) float64 {
		y := MatrixOf(rows, cols, slices.Clone(x.Data))
		SimNorm(y, group)
		var total float64
		for i, v := range y.Data {
			total += v * w.Data[i]
		}
		return total
	}
	y := MatrixOf(rows, cols, slices.Clone(x.Data))
	SimNorm(y, group)
	for g := 0; g < len(y.Data); g += group {
		if s := sum(y.Data[g : g+group]); math.Abs(s-1) > 1e-12 {
			t.Fatalf("group at %d sums to %v, want 1", g, s)
		}
	}
	dx := MatrixOf(rows, cols, slices.Clone(w.Data))
	SimNormBackward(y, dx, group)
	for i := range x.Data {
		keep := x.Data[i]
		x.Data[i] = keep + h
		up := loss(x)
		x.Data[i] = keep - h
		down := loss(x)
		x.Data[i] = keep
		if fd := (up - down) / (2 * h); math.Abs(fd-dx.Data[i]) > 1e-8 {
			t.Errorf("dx[%d] = %v, finite difference %v", i, dx.Data[i], fd)
		}
	}
}

// TestShare checks that two sharers of one network, run on two batches, add the same
// gradients as the network run on both batches at once, and that they see parameter updates.
func TestShare(t *testing.T) {
	net, err := NewMLP[float64](Spec{Sizes: []int{3, 8, 2}, LayerNorm: true, Activation: SiLU}, 1)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	x, dy := randMatrix[float64](rng, 4, 3), randMatrix[float64](rng, 4, 2)
	net.Forward(x)
	net.Backward(dy)
	want := slices.Clone(net.Grads())
	net.ZeroGrad()
	a, b := net.Share(), net.Share()
	a.Forward(MatrixOf(2, 3, x.Data[:6]))
	b.Forward(MatrixOf(2, 3, x.Data[6:]))
	b.Backward(MatrixOf(2, 2, dy.Data[4:]))
	a.Backward(MatrixOf(2, 2, dy.Data[:4]))
	for i, g := range net.Grads() {
		if math.Abs(g-want[i]) > 1e-12 {
			t.Fatalf("gradient %d: %v through two sharers, %v at once", i, g, want[i])
		}
	}
	net.Params()[0] += 1
	if a.Params()[0] != net.Params()[0] {
		t.Error("a sharer does not see the network's parameter change")
	}
}

// TestSimNormFloat32 checks the float32 kernel of this build against float64 SimNorm, on
// inputs spread wide enough to exercise the subtraction of each group's maximum.
func TestSimNormFloat32(t *testing.T) {
	const rows, cols, group = 5, 24, 8
	rng := rand.New(rand.NewPCG(7, 8))
	x64 := randMatrix[float64](rng, rows, cols)
	x32 := NewMatrix[float32](rows, cols)
	for i := range x64.Data {
		x64.Data[i] *= 30
		x32.Data[i] = float32(x64.Data[i])
	}
	SimNorm(x64, group)
	SimNorm(x32, group)
	for i, v := range x32.Data {
		if math.Abs(float64(v)-x64.Data[i]) > 1e-6 {
			t.Fatalf("element %d: %v in float32 (%s), %v in float64", i, v, Backend(), x64.Data[i])
		}
	}
}
