package nn

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// randMatrix returns a rows×cols matrix of standard normal numbers drawn from rng.
func randMatrix[T Float](rng *rand.Rand, rows, cols int) Matrix[T] {
	m := NewMatrix[T](rows, cols)
	for i := range m.Data {
		m.Data[i] = T(rng.NormFloat64())
	}
	return m
}

// trainer is one network with its optimiser and a fixed batch: the training step of the
// benchmarks and of the allocation and learning tests.
type trainer[T Float] struct {
	net  *MLP[T]
	opt  *AdamW[T]
	x, y Matrix[T]
	grad Matrix[T]
}

// newTrainer builds a trainer for spec with batches of rows examples, drawing the network and
// the data from seed.
func newTrainer[T Float](tb testing.TB, spec Spec, cfg AdamWConfig, rows int, seed uint64) *trainer[T] {
	net, err := NewMLP[T](spec, seed)
	if err != nil {
		tb.Fatal(err)
	}
	opt, err := NewAdamW(cfg, net)
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	out := spec.Sizes[len(spec.Sizes)-1]
	return &trainer[T]{net: net, opt: opt,
		x: randMatrix[T](rng, rows, spec.Sizes[0]), y: randMatrix[T](rng, rows, out),
		grad: NewMatrix[T](rows, out)}
}

// step runs one training step on the trainer's batch and returns the loss.
func (t *trainer[T]) step() float64 {
	t.net.ZeroGrad()
	loss := MSE(t.net.Forward(t.x), t.y, t.grad)
	t.net.Backward(t.grad)
	t.opt.Step()
	return loss
}

// panicCase is a call that must panic with a message containing want.
type panicCase struct {
	name string
	f    func()
	want string
}

// checkPanics makes each call and fails t unless it panics as its case says.
func checkPanics(t *testing.T, cases []panicCase) {
	t.Helper()
	for _, c := range cases {
		func() {
			defer func() {
				if msg := fmt.Sprint(recover()); !strings.Contains(msg, c.want) {
					t.Errorf("%s: panic %q, want one containing %q", c.name, msg, c.want)
				}
			}()
			c.f()
		}()
	}
}
