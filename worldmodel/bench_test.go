package worldmodel

import (
	"math/rand/v2"
	"testing"
)

// benchModels lists the models the benchmarks measure, at their default configurations, for
// an environment the size of CartPoleSwingup-v0.
var benchModels = []struct {
	name string
	make func(d Dims) (Model, error)
}{
	{"jepa", func(d Dims) (Model, error) { return NewJEPA(d, DefaultJEPAConfig(), 1) }},
	{"pets", func(d Dims) (Model, error) { return NewPETS(d, DefaultPETSConfig(), 1) }},
}

// benchDims are CartPoleSwingup-v0's sizes.
var benchDims = Dims{Obs: 5, Action: 1}

// randomBatch fills b with the shape m trains on, from random numbers.
func randomBatch(m Model, b *Batch) {
	rng := rand.New(rand.NewPCG(1, 2))
	n, l := m.SampleShape()
	d := m.Dims()
	b.Resize(n, l, d.Obs, d.Action)
	for _, s := range [][]float32{b.Obs, b.Action, b.Reward} {
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
	}
}

// BenchmarkTrain measures one training step of each model at its default batch.
func BenchmarkTrain(b *testing.B) {
	for _, bm := range benchModels {
		b.Run(bm.name, func(b *testing.B) {
			m, err := bm.make(benchDims)
			if err != nil {
				b.Fatal(err)
			}
			var batch Batch
			randomBatch(m, &batch)
			for b.Loop() {
				if _, err := m.Train(&batch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEvaluate measures what one planner iteration of the default agents asks of a
// model: 128 candidate sequences of 20 steps imagined from one observation.
func BenchmarkEvaluate(b *testing.B) {
	const n, horizon = 128, 20
	for _, bm := range benchModels {
		b.Run(bm.name, func(b *testing.B) {
			m, err := bm.make(benchDims)
			if err != nil {
				b.Fatal(err)
			}
			im := NewImagination(m, 0.99)
			if err := im.Observe(make([]float64, benchDims.Obs)); err != nil {
				b.Fatal(err)
			}
			seqs, returns := make([]float64, n*horizon*benchDims.Action), make([]float64, n)
			for b.Loop() {
				if err := im.Evaluate(seqs, n, horizon, returns); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
