package worldmodel

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// inferredValue returns r̂(z, a) + γ·V(f(z, a)) per row through the planning path, Predict
// and Value, in float64.
func inferredValue(m Model, c *Critic, z, a nn.Matrix[float32]) []float64 {
	next, reward := m.Predict(z, a)
	out := make([]float64, z.Rows)
	for i, r := range reward {
		out[i] = float64(r)
	}
	if c != nil {
		for i, v := range c.Value(next) {
			out[i] += c.Discount() * float64(v)
		}
	}
	return out
}

// TestActionValue checks ActionValue against the planning path and its gradient against
// central finite differences of it, for JEPA and Recon models trained a little, with and
// without a critic (an ensemble, so that the mean's gradient is checked), and that it
// refuses PETS and bad sizes.
func TestActionValue(t *testing.T) {
	for _, tc := range latentCases {
		if strings.Contains(tc.name, "pixels") {
			continue // the same predictor path, behind a costlier encoder
		}
		for _, withCritic := range []bool{false, true} {
			name := tc.name + ", reward alone"
			if withCritic {
				name = tc.name + ", critic"
			}
			t.Run(name, func(t *testing.T) {
				m, _ := tc.build(t, 0)
				trainModel(t, m, tc.batch, 20, 3)
				var c *Critic
				if withCritic {
					c = newTestCritic(t, m.Dims().Latent, ensembleTestConfig(), 2)
				}
				var b Batch
				n, l := m.SampleShape()
				tc.batch(rand.New(rand.NewPCG(4, 4)), &b, n, l)
				obs, a := stepInputs(&b, 0)
				z := m.Encode(obs)
				z = nn.MatrixOf(z.Rows, z.Cols, slices.Clone(z.Data))
				grad := nn.NewMatrix[float32](a.Rows, a.Cols)
				q, err := ActionValue(m, c, z, a, grad)
				if err != nil {
					t.Fatal(err)
				}
				q = slices.Clone(q)
				want := inferredValue(m, c, z, a)
				for i := range q {
					if math.Abs(float64(q[i])-want[i]) > 1e-4*(1+math.Abs(want[i])) {
						t.Fatalf("row %d: value %v, the planning path gives %v", i, q[i], want[i])
					}
				}
				const h = 1e-2
				var worst float64
				for i := range 8 {
					for j := range a.Cols {
						x := a.Data[i*a.Cols+j]
						a.Data[i*a.Cols+j] = x + h
						up := inferredValue(m, c, z, a)[i]
						a.Data[i*a.Cols+j] = x - h
						down := inferredValue(m, c, z, a)[i]
						a.Data[i*a.Cols+j] = x
						fd, got := (up-down)/(2*h), float64(grad.Data[i*a.Cols+j])
						worst = max(worst, math.Abs(fd-got)/(1e-3+math.Abs(fd)))
					}
				}
				if worst > 0.05 {
					t.Errorf("the gradient is off the finite differences by up to %.1f%%", 100*worst)
				}
			})
		}
	}
	m := newTestJEPA(t, 1)
	small := nn.NewMatrix[float32](2, 1)
	if _, err := ActionValue(m, nil, nn.NewMatrix[float32](2, 3), small, small); err == nil || !strings.Contains(err.Error(), "want") {
		t.Errorf("latents of the wrong size: error %v", err)
	}
	p := newTestPETS(t, 1)
	if _, err := ActionValue(p, nil, nn.NewMatrix[float32](2, 3), small, small); err == nil || !strings.Contains(err.Error(), "cannot be differentiated") {
		t.Errorf("PETS: error %v, want one saying it cannot be differentiated", err)
	}
}
