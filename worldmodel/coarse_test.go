package worldmodel

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// smallCoarse returns a small coarse model over the fake model's 2-d latents and actions:
// coarse steps of 4 control steps, a loss over 3 of them.
func smallCoarse(t testing.TB, seed uint64) *Coarse {
	t.Helper()
	c := DefaultCoarseConfig()
	c.Steps, c.Horizon, c.Latent, c.Group, c.Macro, c.Batch = 4, 3, 8, 4, 2, 32
	c.Encoder, c.Actions, c.Predictor, c.Probe = []int{32}, []int{16}, []int{32}, []int{16}
	m, err := NewCoarse(Dims{Obs: 2, Action: 2, Latent: 2}, c, seed)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// glideBatch fills b with n sequences of l steps of a point that glides, z' = z + 0.1·a,
// from a start drawn in [−1, 1]² under actions drawn in [−1, 1]², rewarded 1 − |z'|/3.
func glideBatch(rng *rand.Rand, b *Batch, n, l int) {
	b.Resize(n, l, 2, 2)
	for s := range n {
		z := b.ObsAt(s, 0)
		z[0], z[1] = 2*rng.Float32()-1, 2*rng.Float32()-1
		for t := range l {
			a, from, to := b.ActionAt(s, t), b.ObsAt(s, t), b.ObsAt(s, t+1)
			for j := range 2 {
				a[j] = 2*rng.Float32() - 1
				to[j] = from[j] + 0.1*a[j]
			}
			b.Reward[s*l+t] = 1 - float32(math.Hypot(float64(to[0]), float64(to[1])))/3
			b.Terminated[s*l+t] = false
		}
	}
}

// TestCoarseGradients checks the gradients Train takes against central finite differences
// of the loss, for parameters of each of the three networks it trains.
func TestCoarseGradients(t *testing.T) {
	m, model := smallCoarse(t, 1), newFakeModel(2)
	var b Batch
	n, l := m.SampleShape()
	glideBatch(rand.New(rand.NewPCG(2, 2)), &b, n, l)
	// Larger macro-action weights push the macro-actions well into tanh's bend, where a
	// wrong derivative of it shows.
	for i := range m.act.Params() {
		m.act.Params()[i] *= 4
	}
	loss := func() float64 {
		st, err := m.Loss(model, &b)
		if err != nil {
			t.Fatal(err)
		}
		return st.Loss
	}
	loss()
	m.enc.ZeroGrad()
	m.act.ZeroGrad()
	m.pred.ZeroGrad()
	m.backward(&b)
	for _, net := range []struct {
		name string
		mlp  *nn.MLP[float32]
	}{{"encoder", m.enc}, {"macro-action encoder", m.act}, {"predictor", m.pred}} {
		p, g := net.mlp.Params(), slices.Clone(net.mlp.Grads()) // the loss evaluations overwrite the gradients
		checked := 0
		for i := 0; i < len(p) && checked < 12; i += max(1, len(p)/12) {
			keep := p[i]
			const eps = 1e-2
			p[i] = keep + eps
			up := loss()
			p[i] = keep - eps
			down := loss()
			p[i] = keep
			want := (up - down) / (2 * eps)
			if math.Abs(float64(g[i])-want) > 0.05*math.Abs(want)+2e-3 {
				t.Errorf("%s parameter %d: gradient %v, finite difference %v", net.name, i, g[i], want)
			}
			checked++
		}
	}
}

// TestCoarseLearns checks what the issue asks of the coarse model: its multi-step
// predictions of held-out sequences improve with training, the held-out loss falling to a
// third of its start or less; and its probe learns to read coarse latents out as the fine
// model reads its own.
func TestCoarseLearns(t *testing.T) {
	m, model := smallCoarse(t, 3), newFakeModel(2)
	n, l := m.SampleShape()
	var train, held Batch
	glideBatch(rand.New(rand.NewPCG(4, 4)), &held, n, l)
	heldLoss := func() CoarseStats {
		st, err := m.Loss(model, &held)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	before := heldLoss()
	probeError := func() float64 { // of the held-out first latents, against the fine read-out
		z := nn.MatrixOf(n, 2, make([]float32, 2*n))
		for i := range n {
			copy(z.Row(i), held.ObsAt(i, 0))
		}
		want := slices.Clone(model.Readout(z).Data)
		read, ok := m.Readout(m.Encode(z))
		if !ok {
			t.Fatal("a coarse model over states has no probe")
		}
		var sum float64
		for i, v := range read.Data {
			sum += float64(v-want[i]) * float64(v-want[i]) / float64(len(want))
		}
		return sum
	}
	probeBefore := probeError()
	rng := rand.New(rand.NewPCG(5, 5))
	for range 400 {
		glideBatch(rng, &train, n, l)
		if _, err := m.Train(model, &train); err != nil {
			t.Fatal(err)
		}
	}
	after := heldLoss()
	t.Logf("held-out loss %.4g → %.4g (prediction %.3g → %.3g, reward %.3g → %.3g)", before.Loss, after.Loss, before.Prediction, after.Prediction, before.Reward, after.Reward)
	if probeAfter := probeError(); !(probeAfter < probeBefore/3) {
		t.Errorf("probe error %v → %v: want it to fall to a third or less", probeBefore, probeAfter)
	}
	if !(after.Loss < before.Loss/3) || !(after.Reward < before.Reward/3) {
		t.Errorf("held-out loss %v → %v, reward error %v → %v: want both to fall to a third or less", before.Loss, after.Loss, before.Reward, after.Reward)
	}
}

// TestCoarseState checks that a trained coarse model's state restores into another built
// alike, which then predicts alike, and that a state that is not one changes nothing.
func TestCoarseState(t *testing.T) {
	m, model := smallCoarse(t, 6), newFakeModel(2)
	n, l := m.SampleShape()
	var b Batch
	glideBatch(rand.New(rand.NewPCG(7, 7)), &b, n, l)
	for range 3 {
		if _, err := m.Train(model, &b); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := m.MarshalBinary()
	o := smallCoarse(t, 8)
	if err := o.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	z := nn.MatrixOf(1, 8, []float32{0.25, 0.25, 0.25, 0.25, 0.1, 0.2, 0.3, 0.4})
	u := nn.MatrixOf(1, 2, []float32{0.5, -0.5})
	want, wantR := m.Predict(z, u)
	wantZ, wantReward := slices.Clone(want.Data), wantR[0]
	got, gotR := o.Predict(z, u)
	if !slices.Equal(got.Data, wantZ) || gotR[0] != wantReward {
		t.Error("the restored model predicts otherwise")
	}
	before, _ := o.MarshalBinary()
	for _, bad := range [][]byte{nil, data[:len(data)/2]} {
		if err := o.UnmarshalBinary(bad); err == nil {
			t.Errorf("a state of %d bytes accepted", len(bad))
		}
	}
	if after, _ := o.MarshalBinary(); string(after) != string(before) {
		t.Error("a rejected state changed the model")
	}
}

// TestCoarseConfigRejects checks the configurations NewCoarse refuses.
func TestCoarseConfigRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*CoarseConfig)
	}{
		{"no steps", func(c *CoarseConfig) { c.Steps = 0 }},
		{"latent not in groups", func(c *CoarseConfig) { c.Latent = 30 }},
		{"rho out of range", func(c *CoarseConfig) { c.Rho = 1.5 }},
		{"no consistency", func(c *CoarseConfig) { c.Consistency = 0 }},
		{"target rate out of range", func(c *CoarseConfig) { c.TargetRate = 0 }},
	} {
		c := DefaultCoarseConfig()
		tc.edit(&c)
		if _, err := NewCoarse(Dims{Obs: 2, Action: 2, Latent: 2}, c, 1); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if _, err := NewCoarse(Dims{Obs: 2, Action: 2}, DefaultCoarseConfig(), 1); err == nil {
		t.Error("no fine latent: no error")
	}
}

// TestCoarseImagination checks the coarse planner's evaluator against the model's own
// predictions: each sequence's return is its predicted coarse rewards discounted by
// coarse step, and the subgoal is the latent its first macro-action leads to.
func TestCoarseImagination(t *testing.T) {
	m := smallCoarse(t, 9)
	ci := NewCoarseImagination(m, 0.5)
	fine := []float32{0.3, -0.2}
	if err := ci.Evaluate(make([]float64, 2*2*2), 2, 2, make([]float64, 2)); err == nil {
		t.Error("Evaluate before Observe: no error")
	}
	if err := ci.Observe(fine); err != nil {
		t.Fatal(err)
	}
	seqs := []float64{0.5, -0.5, 0.1, 0.2, -1, 1, 0.9, 0}
	returns := make([]float64, 2)
	if err := ci.Evaluate(seqs, 2, 2, returns); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		z := nn.MatrixOf(1, 8, slices.Clone(m.Encode(nn.MatrixOf(1, 2, fine)).Data))
		var want float64
		var first []float32
		for k := range 2 {
			u := nn.MatrixOf(1, 2, []float32{float32(seqs[(i*2+k)*2]), float32(seqs[(i*2+k)*2+1])})
			next, r := m.Predict(z, u)
			want += math.Pow(0.5, float64(k)) * float64(r[0])
			z = nn.MatrixOf(1, 8, slices.Clone(next.Data))
			if k == 0 {
				first = slices.Clone(next.Data)
			}
		}
		if math.Abs(returns[i]-want) > 1e-6 {
			t.Errorf("sequence %d: return %v, want %v", i, returns[i], want)
		}
		goal, err := ci.Subgoal(seqs[i*4:(i+1)*4], 2)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(goal, first) {
			t.Errorf("sequence %d: subgoal %v, want %v", i, goal, first)
		}
	}
}

// TestImaginationSubgoal checks that a subgoal takes its weight times the coarse distance of
// the latent imagined when it is due, here the horizon's last, from the imagined return.
func TestImaginationSubgoal(t *testing.T) {
	model, m := newFakeModel(2), smallCoarse(t, 10)
	im := NewImagination(model, 1)
	if err := im.Observe([]float64{0.1, 0.2}); err != nil {
		t.Fatal(err)
	}
	seqs := []float64{0.1, 0, 0.2, 0.1, -0.3, 0.2, 0, 0.1}
	plain := make([]float64, 2)
	if err := im.Evaluate(seqs, 2, 2, plain); err != nil {
		t.Fatal(err)
	}
	goal := []float32{0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 0, 0}
	im.SetSubgoal(m, goal, 3, m.Steps())
	steered := make([]float64, 2)
	if err := im.Evaluate(seqs, 2, 2, steered); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		z := []float32{0.1, 0.2}
		var far float64
		for k := range 2 { // the coarse step, 4 steps, is beyond the horizon: the last step pays
			z[0] += float32(seqs[(i*2+k)*2])
			z[1] += float32(seqs[(i*2+k)*2+1])
		}
		far = float64(m.Distance(nn.MatrixOf(1, 2, slices.Clone(z)), goal, nil)[0])
		if got, want := plain[i]-steered[i], 3*far; math.Abs(got-want) > 1e-5 {
			t.Errorf("sequence %d: the subgoal took %v, want %v", i, got, want)
		}
	}
}
