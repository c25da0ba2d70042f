package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// encoderSpec is TD-MPC2's pixel encoder on three stacked 64×64 RGB frames, the network of
// worldmodel/nn/bench/torch_conv.py.
var encoderSpec = ConvSpec{In: Shape{64, 64, 9}, Layers: []ConvLayer{
	{Out: 32, Kernel: 7, Stride: 2, Activation: ReLU},
	{Out: 32, Kernel: 5, Stride: 2, Activation: ReLU},
	{Out: 32, Kernel: 3, Stride: 2, Activation: ReLU},
	{Out: 32, Kernel: 3, Stride: 1},
}}

// convTrainer is the encoder with a linear head to 64 values, AdamW and a fixed batch.
type convTrainer struct {
	enc        *Conv[float32]
	head       *MLP[float32]
	opt        *AdamW[float32]
	x, y, grad Matrix[float32]
}

func newConvTrainer(tb testing.TB, rows int) *convTrainer {
	enc, err := NewConv[float32](encoderSpec, 1)
	if err != nil {
		tb.Fatal(err)
	}
	head, err := NewMLP[float32](Spec{Sizes: []int{encoderSpec.Out().Size(), 64}}, 2)
	if err != nil {
		tb.Fatal(err)
	}
	opt, err := NewAdamW(AdamWConfig{LR: 3e-4, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}, enc, head)
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := NewMatrix[float32](rows, encoderSpec.In.Size())
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	return &convTrainer{enc: enc, head: head, opt: opt, x: x,
		y: randMatrix[float32](rng, rows, 64), grad: NewMatrix[float32](rows, 64)}
}

// step runs one training step: forward, MSE, backward and AdamW.
func (t *convTrainer) step() float64 {
	t.enc.ZeroGrad()
	t.head.ZeroGrad()
	loss := MSE(t.head.Forward(t.enc.Forward(t.x)), t.y, t.grad)
	t.enc.Backward(t.head.BackwardInput(t.grad))
	t.opt.Step()
	return loss
}

// BenchmarkConvTrainStep times a training step of the encoder and its head at batches of 64
// and 256, in images per second as well as steps.
func BenchmarkConvTrainStep(b *testing.B) {
	for _, rows := range []int{64, 256} {
		b.Run(fmt.Sprintf("b%d", rows), func(b *testing.B) {
			t := newConvTrainer(b, rows)
			t.step()
			loop(b, func() { t.step() })
			b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "images/s")
		})
	}
}

// BenchmarkConvInfer times the encoder and its head encoding a batch without recording.
func BenchmarkConvInfer(b *testing.B) {
	for _, rows := range []int{64, 256} {
		b.Run(fmt.Sprintf("b%d", rows), func(b *testing.B) {
			t := newConvTrainer(b, rows)
			loop(b, func() { t.head.Infer(t.enc.Infer(t.x)) })
			b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
