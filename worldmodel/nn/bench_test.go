package nn

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// The benchmarks time the network of scripts/bench-nn.sh and worldmodel/nn/bench/torch_mlp.py:
// 64-256-256-64 with LayerNorm and SiLU, MSE and Adam. Each reports ops/s, the unit the
// PyTorch script prints.

var benchSpec = Spec{Sizes: []int{64, 256, 256, 64}, LayerNorm: true, Activation: SiLU}

// loop runs op as the benchmark's timed loop and reports its rate in ops/s.
func loop(b *testing.B, op func()) {
	b.ReportAllocs()
	for b.Loop() {
		op()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkTrainStep times a training step (zero the gradients, forward, MSE, backward, Adam)
// on a batch of 256.
func BenchmarkTrainStep(b *testing.B) {
	cfg := AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	t := newTrainer[float32](b, benchSpec, cfg, 256, 1)
	t.step()
	b.Logf("float32 kernels: %s", Backend())
	loop(b, func() { t.step() })
}

// BenchmarkInfer times inference at a planner's batch of 512 and at a batch of one.
func BenchmarkInfer(b *testing.B) {
	for _, rows := range []int{512, 1} {
		b.Run(fmt.Sprintf("b%d", rows), func(b *testing.B) {
			net, err := NewMLP[float32](benchSpec, 1)
			if err != nil {
				b.Fatal(err)
			}
			x := randMatrix[float32](rand.New(rand.NewPCG(1, 2)), rows, benchSpec.Sizes[0])
			net.Infer(x)
			loop(b, func() { net.Infer(x) })
		})
	}
}

// BenchmarkKernels times the element-wise kernels of the training step on their own, at the
// shapes of the hidden layers of the benchmark network, to show where the time outside GEMM
// goes. The kernels work in place, so each iteration first restores their input; "restore"
// times that alone.
func BenchmarkKernels(b *testing.B) {
	tr := newTrainer[float32](b, benchSpec, AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, 256, 1)
	tr.step()
	l := &tr.net.layers[1] // 256×256 with LayerNorm and SiLU
	tr.net.Forward(tr.x)
	z, d := slices.Clone(l.z.Data), slices.Clone(l.d.Data)
	restore := func() {
		copy(l.z.Data, z)
		copy(l.d.Data, d)
	}
	da := randMatrix[float32](rand.New(rand.NewPCG(1, 5)), 256, 256)
	for _, k := range []struct {
		name string
		run  func()
	}{
		{"forward", func() { restore(); l.be.rowsForward(l, true) }},
		{"backward", func() { restore(); l.be.rowsBackward(l, da.Data) }},
		{"adamw", func() { tr.opt.Step() }},
		{"restore", restore},
	} {
		b.Run(k.name, func(b *testing.B) {
			for b.Loop() {
				k.run()
			}
		})
	}
}
