package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestLearnsLinearSystem trains a LayerNorm-SiLU network on y = Ax + b for a random A and b
// and checks that after 400 steps its mean squared error on fresh inputs is below 1% of the
// variance of y.
func TestLearnsLinearSystem(t *testing.T) {
	const in, out, rows, steps = 6, 4, 64, 400
	rng := rand.New(rand.NewPCG(5, 6))
	a, b := randMatrix[float32](rng, in, out), randMatrix[float32](rng, 1, out)
	sample := func(x Matrix[float32]) Matrix[float32] {
		y := NewMatrix[float32](x.Rows, out)
		for r := range x.Rows {
			copy(y.Row(r), b.Data)
		}
		goBackend32.gemm(false, false, x.Rows, out, in, x.Data, in, a.Data, out, 1, y.Data, out)
		return y
	}
	spec := Spec{Sizes: []int{in, 64, 64, out}, LayerNorm: true, Activation: SiLU}
	cfg := AdamWConfig{LR: 3e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-4}
	tr := newTrainer[float32](t, spec, cfg, rows, 9)
	for range steps {
		tr.x = randMatrix[float32](rng, rows, in)
		tr.y = sample(tr.x)
		tr.step()
	}
	x := randMatrix[float32](rng, 1000, in)
	y := sample(x)
	mse := MSE(tr.net.Infer(x), y, Matrix[float32]{})
	variance := MSE(y, NewMatrix[float32](y.Rows, y.Cols), Matrix[float32]{}) // mean of y², about its variance
	t.Logf("after %d steps: test MSE %.3g, mean square of y %.3g, ratio %.3g", steps, mse, variance, mse/variance)
	if mse > 0.01*variance {
		t.Errorf("test MSE %.3g after %d steps, want below 1%% of %.3g", mse, steps, variance)
	}
}

// TestNoAllocations checks that training steps and inference at any batch size up to the
// largest seen allocate nothing.
func TestNoAllocations(t *testing.T) {
	cfg := DefaultAdamW(1e-3)
	cfg.MaxGradNorm = 1
	tr := newTrainer[float32](t, Spec{Sizes: []int{8, 32, 32, 4}, LayerNorm: true, Activation: Mish}, cfg, 64, 1)
	tr.step()
	if n := testing.AllocsPerRun(20, func() { tr.step() }); n != 0 {
		t.Errorf("a training step allocates %v times, want 0", n)
	}
	big, one := NewMatrix[float32](512, 8), NewMatrix[float32](1, 8)
	tr.net.Infer(big)
	if n := testing.AllocsPerRun(20, func() {
		tr.net.Infer(one)
		tr.net.Infer(big)
		tr.step() // back to the training batch, between the two
	}); n != 0 {
		t.Errorf("inference at batches 1 and 512 between training steps allocates %v times, want 0", n)
	}
}

// TestDeterministic checks that the same seed gives bit-identical parameters after training
// and that another seed gives different ones.
func TestDeterministic(t *testing.T) {
	spec := Spec{Sizes: []int{5, 16, 16, 3}, LayerNorm: true, Activation: SiLU}
	train := func(seed uint64) []float32 {
		tr := newTrainer[float32](t, spec, DefaultAdamW(1e-2), 32, seed)
		for range 20 {
			tr.step()
		}
		return tr.net.Params()
	}
	if a, b := train(3), train(3); !slices.Equal(a, b) {
		t.Error("two trainings with seed 3 ended with different parameters")
	}
	if a, b := train(3), train(4); slices.Equal(a, b) {
		t.Error("trainings with seeds 3 and 4 ended with the same parameters")
	}
}

// TestBatchSizes checks that each row's output is the same whether it runs alone, in a batch
// or through Forward, to float32 rounding.
func TestBatchSizes(t *testing.T) {
	net, err := NewMLP[float32](Spec{Sizes: []int{7, 40, 33, 5}, LayerNorm: true, Activation: ELU}, 2)
	if err != nil {
		t.Fatal(err)
	}
	x := randMatrix[float32](rand.New(rand.NewPCG(1, 1)), 300, 7)
	batch := slices.Clone(net.Forward(x).Data)
	infer := net.Infer(x).Data
	for r := range x.Rows {
		single := net.Infer(MatrixOf(1, 7, x.Row(r))).Data
		for j, v := range single {
			for _, other := range []float32{batch[r*5+j], infer[r*5+j]} {
				if !(math.Abs(float64(v-other)) <= 1e-5) {
					t.Fatalf("row %d output %d: %v alone, %v in a batch", r, j, v, other)
				}
			}
		}
	}
}

// TestClone checks that a clone starts with the same parameters and then trains
// independently.
func TestClone(t *testing.T) {
	tr := newTrainer[float32](t, Spec{Sizes: []int{3, 8, 2}, Activation: SiLU}, DefaultAdamW(1e-2), 4, 1)
	c := tr.net.Clone()
	if !slices.Equal(c.Params(), tr.net.Params()) || c.Spec().String() != tr.net.Spec().String() {
		t.Fatal("the clone differs from the original")
	}
	before := slices.Clone(c.Params())
	tr.step()
	if !slices.Equal(c.Params(), before) {
		t.Error("training the original changed the clone")
	}
	if slices.Equal(c.Infer(tr.x).Data, tr.net.Infer(tr.x).Data) {
		t.Error("the clone's output did not stay with its old parameters")
	}
}

// TestNewMLPErrors checks that invalid specs are refused with a message naming the fault.
func TestNewMLPErrors(t *testing.T) {
	for _, c := range []struct {
		spec Spec
		want string
	}{
		{Spec{Sizes: []int{3}}, "at least an input and an output"},
		{Spec{Sizes: []int{3, 0, 2}}, "size 1 is 0"},
		{Spec{Sizes: []int{3, 2}, Activation: 9}, "unknown activation 9"},
		{Spec{Sizes: []int{3, 2}, Activation: numActivations}, "unknown activation 5"},
	} {
		if _, err := NewMLP[float32](c.spec, 1); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewMLP(%+v) = %v, want an error containing %q", c.spec, err, c.want)
		}
	}
}

// TestMisusePanics checks the panics that guard against misuse.
func TestMisusePanics(t *testing.T) {
	net, err := NewMLP[float64](Spec{Sizes: []int{3, 4, 2}, Activation: SiLU}, 1)
	if err != nil {
		t.Fatal(err)
	}
	x, g := NewMatrix[float64](5, 3), NewMatrix[float64](5, 2)
	checkPanics(t, []panicCase{
		{"Backward before Forward", func() { net.Backward(g) }, "without a Forward"},
		{"Backward after Infer", func() { net.Forward(x); net.Infer(x); net.Backward(g) }, "without a Forward"},
		{"second Backward", func() { net.Forward(x); net.Backward(g); net.Backward(g) }, "without a Forward"},
		{"wrong input width", func() { net.Forward(NewMatrix[float64](5, 4)) }, "input is 5×4"},
		{"wrong gradient shape", func() { net.Forward(x); net.Backward(NewMatrix[float64](4, 2)) }, "dOut is 4×2"},
		{"loss shapes", func() { MSE(x, g, Matrix[float64]{}) }, "target is 5×2"},
	})
}

// TestEmptyBatch checks that a batch of no rows passes through without touching the
// gradients.
func TestEmptyBatch(t *testing.T) {
	net, err := NewMLP[float32](Spec{Sizes: []int{3, 4, 2}, LayerNorm: true, Activation: SiLU}, 1)
	if err != nil {
		t.Fatal(err)
	}
	out := net.Forward(NewMatrix[float32](0, 3))
	if out.Rows != 0 || out.Cols != 2 {
		t.Fatalf("output of an empty batch is %d×%d, want 0×2", out.Rows, out.Cols)
	}
	net.BackwardInput(NewMatrix[float32](0, 2))
	if slices.ContainsFunc(net.Grads(), func(g float32) bool { return g != 0 }) {
		t.Error("an empty batch changed the gradients")
	}
}
