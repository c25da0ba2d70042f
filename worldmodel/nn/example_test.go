package nn_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// A network is built from a spec and a seed and runs batches of any size, one example per
// row.
func ExampleNewMLP() {
	net, err := nn.NewMLP[float32](nn.Spec{Sizes: []int{3, 32, 32, 2}, LayerNorm: true, Activation: nn.SiLU}, 1)
	if err != nil {
		log.Fatal(err)
	}
	batch := nn.NewMatrix[float32](100, 3) // 100 examples of 3 inputs each
	out := net.Infer(batch)
	fmt.Println(net.Spec(), "has", len(net.Params()), "parameters")
	fmt.Printf("output %d×%d\n", out.Rows, out.Cols)
	// Output:
	// 3-32-32-2 layernorm silu has 1378 parameters
	// output 100×2
}

// A convolutional encoder takes a batch of images, one per row, channels last, and its
// output feeds an MLP head as it is.
func ExampleNewConv() {
	spec := nn.ConvSpec{In: nn.Shape{H: 64, W: 64, C: 9}, Layers: []nn.ConvLayer{
		{Out: 32, Kernel: 7, Stride: 2, Activation: nn.ReLU},
		{Out: 32, Kernel: 5, Stride: 2, Activation: nn.ReLU},
		{Out: 32, Kernel: 3, Stride: 2, Activation: nn.ReLU},
		{Out: 32, Kernel: 3, Stride: 1},
	}}
	enc, err := nn.NewConv[float32](spec, 1)
	if err != nil {
		log.Fatal(err)
	}
	head, err := nn.NewMLP[float32](nn.Spec{Sizes: []int{spec.Out().Size(), 64}}, 2)
	if err != nil {
		log.Fatal(err)
	}
	frames := nn.NewMatrix[float32](16, spec.In.Size()) // 16 stacks of three RGB frames
	z := head.Infer(enc.Infer(frames))
	fmt.Println(spec.Out(), "features,", len(enc.Params()), "parameters")
	fmt.Printf("latents %d×%d\n", z.Rows, z.Cols)
	// Output:
	// 4x4x32 features, 58272 parameters
	// latents 16×64
}

// A training step: forward, loss with its gradient, backward and an optimiser step. Every
// buffer is reused from step to step, so a training loop allocates nothing.
func ExampleAdamW() {
	net, err := nn.NewMLP[float32](nn.Spec{Sizes: []int{1, 16, 1}, Activation: nn.SiLU}, 1)
	if err != nil {
		log.Fatal(err)
	}
	opt, err := nn.NewAdamW(nn.DefaultAdamW(1e-2), net)
	if err != nil {
		log.Fatal(err)
	}
	// Learn y = 2x - 1 on a fixed batch.
	x, y := nn.NewMatrix[float32](8, 1), nn.NewMatrix[float32](8, 1)
	for i := range x.Data {
		x.Data[i] = float32(i)/4 - 1
		y.Data[i] = 2*x.Data[i] - 1
	}
	grad := nn.NewMatrix[float32](8, 1)
	var first, loss float64
	for step := range 500 {
		net.ZeroGrad()
		loss = nn.MSE(net.Forward(x), y, grad)
		net.Backward(grad)
		opt.Step()
		if step == 0 {
			first = loss
		}
	}
	fmt.Printf("loss fell below 1%% of its start: %v\n", loss < first/100)
	// Output: loss fell below 1% of its start: true
}

// A checkpoint saves networks with their optimiser to one file and loads them back into
// networks of the same architecture.
func ExampleCheckpoint() {
	dir, err := os.MkdirTemp("", "nn-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.ckpt")

	spec := nn.Spec{Sizes: []int{4, 8, 2}, Activation: nn.ELU}
	net, _ := nn.NewMLP[float32](spec, 1)
	opt, _ := nn.NewAdamW(nn.DefaultAdamW(1e-3), net)
	if err := (nn.Checkpoint[float32]{Nets: []*nn.MLP[float32]{net}, Opt: opt}).Save(path); err != nil {
		log.Fatal(err)
	}

	restored, _ := nn.NewMLP[float32](spec, 2)
	err = nn.Checkpoint[float32]{Nets: []*nn.MLP[float32]{restored}}.Load(path)
	fmt.Println("same spec:", err)
	wider, _ := nn.NewMLP[float32](nn.Spec{Sizes: []int{4, 9, 2}, Activation: nn.ELU}, 1)
	err = nn.Checkpoint[float32]{Nets: []*nn.MLP[float32]{wider}}.Load(path)
	fmt.Println("other spec is a mismatch:", errors.Is(err, nn.ErrMismatch))
	// Output:
	// same spec: <nil>
	// other spec is a mismatch: true
}

func ExampleSpec_String() {
	fmt.Println(nn.Spec{Sizes: []int{64, 256, 256, 64}, LayerNorm: true, Activation: nn.SiLU})
	// Output: 64-256-256-64 layernorm silu
}
