package worldmodel

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// terminationTestConfig is a small termination model that learns a linear rule in 2-d
// within a few hundred steps.
func terminationTestConfig() TerminationConfig {
	opt := nn.DefaultAdamW(3e-3)
	opt.WeightDecay, opt.MaxGradNorm = 0, 20
	return TerminationConfig{Hidden: []int{32}, Batch: 32, Ends: 8, Optimiser: opt}
}

func newTestTermination(t testing.TB, latent int, seed uint64) *Termination {
	t.Helper()
	ends, err := NewTermination(latent, terminationTestConfig(), seed)
	if err != nil {
		t.Fatal(err)
	}
	return ends
}

// endsRule is the rule the tests teach: a transition into x ends the episode when
// x₀ + x₁ > 1, an eighth of the square [−1, 1]².
func endsRule(x []float32) bool { return x[0]+x[1] > 1 }

// endsBatch fills b with n one-step sequences of 2-d observations in [−1, 1]², labelled by
// endsRule; with terminal set, only ones that end.
func endsBatch(rng *rand.Rand, b *Batch, n int, terminal bool) {
	b.Resize(n, 1, 2, 2)
	for s := range n {
		for {
			next := b.ObsAt(s, 1)
			next[0], next[1] = float32(2*rng.Float64()-1), float32(2*rng.Float64()-1)
			b.Terminated[s] = endsRule(next)
			if b.Terminated[s] || !terminal {
				break
			}
		}
	}
}

// trainTermination trains ends for steps steps on fresh batches drawn from seed, on the
// fake model's latents (the observations themselves), and returns the last loss.
func trainTermination(t testing.TB, ends *Termination, steps int, seed uint64) float64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	model := newFakeModel(2)
	var random, terminal Batch
	var loss float64
	for range steps {
		n, k := ends.Batch()
		endsBatch(rng, &random, n, false)
		endsBatch(rng, &terminal, k, true)
		var err error
		if loss, err = ends.Train(model, &random, &terminal); err != nil {
			t.Fatal(err)
		}
	}
	return loss
}

// TestTerminationLearnsRule checks that the termination model learns which transitions end
// the episode, counting its steps: on a grid of held-out latents, its probability is on the
// right side of ½ for nearly all, and confident well away from the boundary.
func TestTerminationLearnsRule(t *testing.T) {
	ends := newTestTermination(t, 2, 1)
	trainTermination(t, ends, 600, 1)
	if ends.Steps() != 600 {
		t.Errorf("Steps %d after 600 steps", ends.Steps())
	}
	const side = 21
	grid := nn.NewMatrix[float32](side*side, 2)
	for i := range side {
		for j := range side {
			row := grid.Row(i*side + j)
			row[0], row[1] = float32(i)/10-1, float32(j)/10-1
		}
	}
	prob := ends.Prob(grid)
	var wrong, unsure int
	for r := range grid.Rows {
		x := grid.Row(r)
		if (prob[r] > 0.5) != endsRule(x) && math.Abs(float64(x[0]+x[1]-1)) > 0.05 {
			wrong++
		}
		if math.Abs(float64(x[0]+x[1]-1)) > 0.5 && math.Abs(float64(prob[r])-0.5) < 0.4 {
			unsure++
		}
	}
	if wrong > side*side/50 {
		t.Errorf("%d of %d latents off the boundary classified wrongly, want at most 2%%", wrong, side*side)
	}
	if unsure > 0 {
		t.Errorf("%d latents at least 0.5 from the boundary have probabilities within 0.4 of ½", unsure)
	}
}

// TestTerminationRejects checks the errors of NewTermination, Train and UnmarshalBinary.
func TestTerminationRejects(t *testing.T) {
	for _, c := range []TerminationConfig{{Hidden: []int{4}, Batch: 0, Ends: 1}, {Hidden: []int{4}, Batch: 1, Ends: 0}} {
		if _, err := NewTermination(2, c, 1); err == nil {
			t.Errorf("NewTermination accepted batches of %d and %d", c.Batch, c.Ends)
		}
	}
	ends := newTestTermination(t, 2, 4)
	var random, terminal Batch
	rng := rand.New(rand.NewPCG(4, 1))
	endsBatch(rng, &random, 32, false)
	endsBatch(rng, &terminal, 7, true)
	if _, err := ends.Train(newFakeModel(2), &random, &terminal); err == nil || !strings.Contains(err.Error(), "7") {
		t.Errorf("Train with 7 terminal sequences for 8: error %v, want one naming the size", err)
	}
	endsBatch(rng, &terminal, 8, true)
	if _, err := ends.Train(newFakeModel(3), &random, &terminal); err == nil {
		t.Error("Train accepted a model of 3-d latents for a classifier of 2-d ones")
	}
	good, _ := ends.MarshalBinary()
	critic, _ := newTestCritic(t, 2, criticTestConfig(0.9), 4).MarshalBinary()
	wide, _ := newTestTermination(t, 3, 4).MarshalBinary()
	checkUnmarshalRejects(t, good, func(t *testing.T) stateful {
		q := newTestTermination(t, 2, 14)
		trainTermination(t, q, 2, 14)
		return q
	}, rejectCase{"a critic's state", critic, "termination"},
		rejectCase{"another latent size", wide, ""})
}
