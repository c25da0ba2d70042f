package worldmodel

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// imagined returns copies of what m, c, e and d compute from the first steps of b: latents,
// predictions, readouts, values, end probabilities and disagreement bonuses.
func imagined(m Model, p Planning, b *Batch) [][]float32 {
	c, e, d := p.Critic, p.Ends, p.Disagreement
	obs, act := stepInputs(b, 0)
	z := m.Encode(obs)
	z = nn.MatrixOf(z.Rows, z.Cols, slices.Clone(z.Data))
	next, reward := m.Predict(z, act)
	out := [][]float32{z.Data, slices.Clone(next.Data), slices.Clone(reward), slices.Clone(m.Readout(z).Data)}
	out = append(out, slices.Clone(c.Value(z)), slices.Clone(e.Prob(z)), slices.Clone(d.Bonus(z, act)))
	zc := p.Coarse.Encode(z)
	zc = nn.MatrixOf(zc.Rows, zc.Cols, slices.Clone(zc.Data))
	u := nn.NewMatrix[float32](zc.Rows, p.Coarse.cfg.Macro)
	for i := range u.Data {
		u.Data[i] = 0.5
	}
	nextC, rewardC := p.Coarse.Predict(zc, u)
	read, _ := p.Coarse.Readout(zc)
	return append(out, zc.Data, slices.Clone(nextC.Data), slices.Clone(rewardC), slices.Clone(read.Data))
}

// TestReplica checks, for every model, that a replica of it, its critic, its termination
// model, its disagreement ensemble and its coarse level imagines exactly as they do, keeps doing so while they train (the first training
// step also fixes the observation scaling), and catches up with them on Sync.
func TestReplica(t *testing.T) {
	cases := slices.Clone(latentCases)
	cases = append(cases, latentCase{"pets", func(t *testing.T, _ int) (Model, *latentModel) {
		return newTestPETS(t, 3), nil
	}, func(rng *rand.Rand, b *Batch, n, _ int) { petsLinear(rng, b, n) }})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := tc.build(t, 1)
			latent := m.Dims().Latent
			c, e := newTestCritic(t, latent, ensembleTestConfig(), 4), newTestTermination(t, latent, 5)
			d, err := NewDisagreement(latent, m.Dims().Action, DefaultDisagreementConfig(), 6)
			if err != nil {
				t.Fatal(err)
			}
			d.reference = 0.5
			cc := DefaultCoarseConfig()
			cc.Encoder, cc.Predictor, cc.Probe = []int{16}, []int{16}, []int{16}
			co, err := NewCoarse(m.Dims(), cc, 7)
			if err != nil {
				t.Fatal(err)
			}
			plan := Planning{Critic: c, Ends: e, Disagreement: d, Coarse: co}
			r, err := NewReplica(m, plan)
			if err != nil {
				t.Fatal(err)
			}
			var b Batch
			n, l := m.SampleShape()
			tc.batch(rand.New(rand.NewPCG(9, 9)), &b, n, l)
			before := imagined(m, plan, &b)
			if got := imagined(r.Model(), r.Planning(), &b); !reflect.DeepEqual(got, before) {
				t.Fatal("a new replica imagines differently from the originals")
			}
			trainModel(t, m, tc.batch, 2, 7)
			for _, net := range append([]nn.Net[float32]{c.v[0], c.v[2], e.net, d.heads[1]}, co.imagining()...) {
				for i := range net.Params() {
					net.Params()[i] += 0.01
				}
			}
			d.reference = 0.25
			after := imagined(m, plan, &b)
			for i := range after {
				if len(after[i]) > 0 && reflect.DeepEqual(after[i], before[i]) { // a coarse level over images reads nothing out
					t.Fatalf("output %d did not change with training: the test would prove nothing", i)
				}
			}
			if got := imagined(r.Model(), r.Planning(), &b); !reflect.DeepEqual(got, before) {
				t.Error("the replica changed while the originals trained")
			}
			r.Sync()
			if got := imagined(r.Model(), r.Planning(), &b); !reflect.DeepEqual(got, after) {
				t.Error("after Sync the replica imagines differently from the originals")
			}
		})
	}
}

// TestReplicaWithoutCritic checks that a model alone replicates, and that a model of
// another package does not.
func TestReplicaWithoutCritic(t *testing.T) {
	r, err := NewReplica(newTestJEPA(t, 1), Planning{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Planning() != (Planning{}) {
		t.Error("a replica without a critic or termination model has one")
	}
	_, err = NewReplica(newFakeModel(2), Planning{})
	if err == nil || !strings.Contains(err.Error(), "cannot be replicated") {
		t.Errorf("replica of a foreign model: error %v, want one saying it cannot be replicated", err)
	}
}
