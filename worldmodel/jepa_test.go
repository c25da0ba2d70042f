package worldmodel

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// jepaTestDims are the sizes of the rotation system.
var jepaTestDims = Dims{Obs: 2, Action: 1}

// jepaTestConfig is a small JEPA that learns the rotation system in a few hundred steps of
// well under a second.
func jepaTestConfig() JEPAConfig {
	c := DefaultJEPAConfig()
	c.Latent, c.Group = 16, 4
	c.Encoder, c.Predictor, c.Probe = []int{64}, []int{64, 64}, []int{64}
	c.Batch, c.Horizon = 64, 3
	c.Optimiser.LR = 3e-3
	return c
}

// newTestJEPA returns a model of jepaTestConfig for jepaTestDims.
func newTestJEPA(t testing.TB, seed uint64) *JEPA {
	t.Helper()
	m, err := NewJEPA(jepaTestDims, jepaTestConfig(), seed)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// rotate is one step of the rotation system, a damped rotation of the plane pushed by a
// one-component action, x' = 0.95·R(0.3)·x + (0.4, 0.2)·a, with the bounded reward
// exp(−|x'|²), largest at the origin.
func rotate(x [2]float64, a float64) (next [2]float64, reward float64) {
	s, c := math.Sincos(0.3)
	next[0] = 0.95*(c*x[0]-s*x[1]) + 0.4*a
	next[1] = 0.95*(s*x[0]+c*x[1]) + 0.2*a
	return next, math.Exp(-(next[0]*next[0] + next[1]*next[1]))
}

// rotationBatch fills b with n sequences of l steps of the rotation system, from states
// uniform in [−1.5, 1.5]² and actions uniform in [−1, 1].
func rotationBatch(rng *rand.Rand, b *Batch, n, l int) {
	b.Resize(n, l, 2, 1)
	for s := range n {
		x := [2]float64{3*rng.Float64() - 1.5, 3*rng.Float64() - 1.5}
		for t := range l {
			o := b.ObsAt(s, t)
			o[0], o[1] = float32(x[0]), float32(x[1])
			a := 2*rng.Float64() - 1
			b.ActionAt(s, t)[0] = float32(a)
			var r float64
			x, r = rotate(x, a)
			b.Reward[s*l+t], b.Terminated[s*l+t] = float32(r), false
		}
		o := b.ObsAt(s, l)
		o[0], o[1] = float32(x[0]), float32(x[1])
	}
}

// trainJEPA trains m for steps steps on fresh rotation batches drawn from seed and returns
// the stats of every step.
func trainJEPA(t testing.TB, m *JEPA, steps int, seed uint64) []Stats {
	t.Helper()
	return trainModel(t, m, rotationBatch, steps, seed)
}

// stepInputs returns copies of the observations t and the actions t of b's sequences, as
// matrices of one sequence per row; the actions are empty for t = b.L.
func stepInputs(b *Batch, t int) (obs, act nn.Matrix[float32]) {
	obs, act = nn.NewMatrix[float32](b.B, b.ObsDim), nn.NewMatrix[float32](b.B, b.ActDim)
	for s := range b.B {
		copy(obs.Row(s), b.ObsAt(s, t))
		if t < b.L {
			copy(act.Row(s), b.ActionAt(s, t))
		}
	}
	return obs, act
}

// errorFraction returns the mean squared error of got against want divided by the variance
// of want over the rows, summed over the columns: 0 is perfect, 1 is no better than
// predicting the mean.
func errorFraction(got, want nn.Matrix[float32]) float64 {
	var sse, variance float64
	for j := range want.Cols {
		var mean float64
		for r := range want.Rows {
			mean += float64(want.Row(r)[j]) / float64(want.Rows)
		}
		for r := range want.Rows {
			e, d := float64(got.Row(r)[j])-float64(want.Row(r)[j]), float64(want.Row(r)[j])-mean
			sse, variance = sse+e*e, variance+d*d
		}
	}
	return sse / variance
}

// column returns v as a one-column matrix.
func column(v []float32) nn.Matrix[float32] { return nn.MatrixOf(len(v), 1, v) }

// meanOf returns the mean of f over stats.
func meanOf(stats []Stats, f func(Stats) float64) float64 {
	var sum float64
	for _, s := range stats {
		sum += f(s)
	}
	return sum / float64(len(stats))
}

// TestJEPALearnsRotation trains on the rotation system and checks, on fresh data, that
// rolling the predictor forward from the encoding of the first observation predicts the
// rewards and the encodings of the later observations, that the training loss fell, and
// that the latents did not collapse.
func TestJEPALearnsRotation(t *testing.T) {
	const steps = 400
	m := newTestJEPA(t, 1)
	stats := trainJEPA(t, m, steps, 1)
	first, last := stats[:5], stats[steps-20:]
	predFirst := meanOf(first, func(s Stats) float64 { return s.Prediction })
	predLast := meanOf(last, func(s Stats) float64 { return s.Prediction })
	minStd := math.Inf(1)
	for _, s := range stats[steps/2:] {
		minStd = min(minStd, s.LatentStd)
	}
	t.Logf("first step %+v", stats[0])
	t.Logf("last step  %+v", stats[steps-1])
	t.Logf("prediction loss: first 5 steps %.3g, last 20 %.3g (ratio %.4f); smallest latent std in the second half %.3f",
		predFirst, predLast, predLast/predFirst, minStd)
	if predLast > 0.05*predFirst {
		t.Errorf("prediction loss fell from %.3g to %.3g only, want below 5%% of the start", predFirst, predLast)
	}
	if minStd < 0.1 {
		t.Errorf("latent std fell to %.3f, want it above 0.1 (no collapse)", minStd)
	}

	var b Batch
	_, h := m.SampleShape()
	rotationBatch(rand.New(rand.NewPCG(99, 3)), &b, 2000, h)
	obs, _ := stepInputs(&b, 0)
	z := nn.MatrixOf(b.B, m.dims.Latent, slices.Clone(m.Encode(obs).Data))
	for t0 := range h {
		_, act := stepInputs(&b, t0)
		next, reward := m.Predict(z, act)
		copy(z.Data, next.Data)
		truth := column(make([]float32, b.B))
		for s := range b.B {
			truth.Data[s] = b.Reward[s*h+t0]
		}
		rewardFrac := errorFraction(column(reward), truth)
		later, _ := stepInputs(&b, t0+1)
		latentFrac := errorFraction(z, m.Encode(later))
		t.Logf("step %d on fresh data: reward MSE %.4f and latent MSE %.4f of their variance", t0+1, rewardFrac, latentFrac)
		if rewardFrac > 0.1 {
			t.Errorf("step %d: reward MSE is %.3f of the reward variance, want ≤ 0.1", t0+1, rewardFrac)
		}
		if latentFrac > 0.1 {
			t.Errorf("step %d: latent prediction MSE is %.3f of the variance of the encodings, want ≤ 0.1", t0+1, latentFrac)
		}
	}
}

// TestJEPAProbe checks that the probe reads trained latents back out as the observations
// they encode, and the latents the predictor imagines as the observations that follow.
func TestJEPAProbe(t *testing.T) {
	m := newTestJEPA(t, 2)
	trainJEPA(t, m, 300, 2)
	var b Batch
	_, h := m.SampleShape()
	rotationBatch(rand.New(rand.NewPCG(98, 3)), &b, 2000, h)
	obs, act := stepInputs(&b, 0)
	z := m.Encode(obs)
	frac := errorFraction(m.Readout(z), obs)
	t.Logf("Readout(Encode(obs)): MSE %.4f of the observation variance", frac)
	if frac > 0.02 {
		t.Errorf("the readout of the encoding has MSE %.3f of the observation variance, want ≤ 0.02", frac)
	}
	next, _ := m.Predict(z, act)
	later, _ := stepInputs(&b, 1)
	frac = errorFraction(m.Readout(next), later)
	t.Logf("Readout(Predict(Encode(obs), a)): MSE %.4f of the next observation's variance", frac)
	if frac > 0.05 {
		t.Errorf("the readout of the predicted latent has MSE %.3f of the next observation's variance, want ≤ 0.05", frac)
	}
}

// jepaObjective returns the loss whose gradient JEPA.backward computes, worked out in
// float64 from the record of the last m.forward(b): the sum over steps t of Rho^t/Horizon
// times Consistency times the mean squared error of the predicted latent t+1 against the
// target encoder's, plus RewardWeight times the mean squared error of reward t.
func jepaObjective(m *JEPA, b *Batch) float64 {
	c, h, n, l := m.cfg, m.cfg.Horizon, b.B, m.dims.Latent
	var total float64
	for t := range h {
		var latentErr, rewardErr float64
		for s := range n {
			pred, target := m.z[t+1].Row(s), m.targets.Row(s*(h+1)+t+1)
			for j, p := range pred {
				e := float64(p) - float64(target[j])
				latentErr += e * e
			}
			e := float64(m.rewards[t][s]) - float64(b.Reward[s*h+t])
			rewardErr += e * e
		}
		w := math.Pow(c.Rho, float64(t)) / float64(h)
		total += w * (c.Consistency*latentErr/float64(n*l) + c.RewardWeight*rewardErr/float64(n))
	}
	return total
}

// gradientCase is a configuration the gradient tests check.
type gradientCase struct {
	name              string
	rho, rewardWeight float64
}

var gradientCases = []gradientCase{
	{"rho 1", 1, 1},
	{"rho 0.5", 0.5, 1},
	{"no reward", 0.7, 0},
}

// gradientModel returns a model of the case's configuration trained for a few steps, so that
// the target encoder has drifted from the encoder, and a fresh batch of its shape.
func gradientModel(t *testing.T, gc gradientCase) (*JEPA, *Batch) {
	t.Helper()
	c := jepaTestConfig()
	c.Rho, c.RewardWeight = gc.rho, gc.rewardWeight
	c.TargetRate = 0.2
	m, err := NewJEPA(jepaTestDims, c, 3)
	if err != nil {
		t.Fatal(err)
	}
	trainJEPA(t, m, 20, 3)
	var b Batch
	rotationBatch(rand.New(rand.NewPCG(4, 4)), &b, c.Batch, c.Horizon)
	return m, &b
}

// TestJEPAGradients checks the hand-written backward pass through the unrolled predictor,
// SimNorm and the encoder against central finite differences of the objective, for single
// parameters of the encoder and the predictor and along a random direction of each. The
// networks are float32, so the differences take steps of 1e-2 (3e-4 along a direction of
// ±1s) and are compared to 5% (2%), for gradients of at least 2% of the largest.
func TestJEPAGradients(t *testing.T) {
	for _, gc := range gradientCases {
		t.Run(gc.name, func(t *testing.T) {
			m, b := gradientModel(t, gc)
			m.enc.zeroGrad()
			m.pred.ZeroGrad()
			m.target.zeroGrad()
			m.forward(b)
			m.backward(b)
			base := jepaObjective(m, b)
			loss := func() float64 {
				m.forward(b)
				return jepaObjective(m, b)
			}
			targetBefore := slices.Clone(m.target.mlp.Params())
			if slices.ContainsFunc(m.target.mlp.Grads(), func(g float32) bool { return g != 0 }) {
				t.Error("the target encoder has gradients: it must be a stop-gradient")
			}
			for _, net := range []struct {
				name string
				mlp  *nn.MLP[float32]
			}{{"encoder", m.enc.mlp}, {"predictor", m.pred}} {
				grads := slices.Clone(net.mlp.Grads())
				params := net.mlp.Params()
				checkCoordinates(t, net.name, params, grads, loss)
				checkDirection(t, net.name, params, grads, loss)
			}
			if again := loss(); again != base {
				t.Errorf("the objective is %v after the perturbations were undone, %v before", again, base)
			}
			if !slices.Equal(m.target.mlp.Params(), targetBefore) {
				t.Error("perturbing the encoder changed the target encoder")
			}
		})
	}
}

// checkCoordinates compares grads with central differences of loss for the ten largest
// gradients and up to ten random ones of at least 2% of the largest, perturbing params.
func checkCoordinates(t *testing.T, name string, params, grads []float32, loss func() float64) {
	t.Helper()
	const h, tol = 1e-2, 0.05
	var largest float64
	for _, g := range grads {
		largest = max(largest, math.Abs(float64(g)))
	}
	if largest == 0 {
		t.Fatalf("%s: every gradient is zero", name)
	}
	order := make([]int, len(grads))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		return -cmpAbs(grads[i], grads[j])
	})
	indices := slices.Clone(order[:10])
	rng := rand.New(rand.NewPCG(7, 7))
	for range 200 {
		if i := rng.IntN(len(grads)); math.Abs(float64(grads[i])) >= 0.02*largest && !slices.Contains(indices, i) {
			indices = append(indices, i)
		}
		if len(indices) == 20 {
			break
		}
	}
	var worst float64
	for _, i := range indices {
		p := params[i]
		params[i] = p + h
		up := loss()
		params[i] = p - h
		down := loss()
		params[i] = p
		numeric := (up - down) / (2 * h)
		rel := math.Abs(numeric-float64(grads[i])) / math.Abs(float64(grads[i]))
		worst = max(worst, rel)
		if rel > tol {
			t.Errorf("%s parameter %d: gradient %.5g, finite differences %.5g (relative error %.3f)", name, i, grads[i], numeric, rel)
		}
	}
	t.Logf("%s: %d coordinates, largest gradient %.3g, worst relative error %.4f", name, len(indices), largest, worst)
}

// cmpAbs compares the magnitudes of a and b.
func cmpAbs(a, b float32) int {
	x, y := math.Abs(float64(a)), math.Abs(float64(b))
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// checkDirection compares the derivative of loss along a random direction of ±1s, by
// central differences, with its dot product with grads.
func checkDirection(t *testing.T, name string, params, grads []float32, loss func() float64) {
	t.Helper()
	const h, tol = 3e-4, 0.02
	rng := rand.New(rand.NewPCG(8, 8))
	dir := make([]float32, len(params))
	var want float64
	for i := range dir {
		dir[i] = float32(2*rng.IntN(2) - 1)
		want += float64(dir[i]) * float64(grads[i])
	}
	saved := slices.Clone(params)
	move := func(step float32) float64 {
		for i := range params {
			params[i] = saved[i] + step*dir[i]
		}
		return loss()
	}
	numeric := (move(h) - move(-h)) / (2 * h)
	copy(params, saved)
	rel := math.Abs(numeric-want) / math.Abs(want)
	t.Logf("%s: directional derivative %.5g, finite differences %.5g (relative error %.4f)", name, want, numeric, rel)
	if rel > tol {
		t.Errorf("%s: directional derivative %.5g, finite differences %.5g (relative error %.3f)", name, want, numeric, rel)
	}
}

// closeTo reports whether a and b agree to within tol relative to their size.
func closeTo(a, b []float32, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i])-float64(b[i])) > tol*(1+math.Abs(float64(b[i]))) {
			return false
		}
	}
	return true
}

// TestJEPAForward checks the training rollout against the planning methods: the first
// latents are the encodings of the first observations, each step is what Predict gives, and
// the targets are SimNorm-ed outputs of the target encoder, which has drifted from the
// encoder.
func TestJEPAForward(t *testing.T) {
	m, b := gradientModel(t, gradientCases[0])
	m.forward(b)
	h := m.cfg.Horizon
	obs, _ := stepInputs(b, 0)
	if z := m.Encode(obs); !closeTo(m.z[0].Data, z.Data, 1e-5) {
		t.Error("the rollout's first latents are not the encodings of the first observations")
	}
	z := nn.MatrixOf(b.B, m.dims.Latent, slices.Clone(m.z[0].Data))
	for t0 := range h {
		_, act := stepInputs(b, t0)
		next, reward := m.Predict(z, act)
		if !closeTo(m.z[t0+1].Data, next.Data, 1e-4) || !closeTo(m.rewards[t0], reward, 1e-4) {
			t.Errorf("step %d of the rollout differs from Predict", t0+1)
		}
		copy(z.Data, m.z[t0+1].Data)
	}
	var encodings, targets []float32
	for t0 := range h + 1 {
		obs, _ := stepInputs(b, t0)
		encodings = append(encodings, m.Encode(obs).Data...)
		for s := range b.B {
			targets = append(targets, m.targets.Row(s*(h+1)+t0)...)
		}
	}
	for r := range len(targets) / m.cfg.Group {
		var sum float32
		for _, v := range targets[r*m.cfg.Group : (r+1)*m.cfg.Group] {
			sum += v
		}
		if math.Abs(float64(sum)-1) > 1e-5 {
			t.Fatalf("target group %d sums to %v, want 1 (SimNorm)", r, sum)
		}
	}
	if closeTo(encodings, targets, 1e-3) {
		t.Error("the targets are the encoder's latents: the target encoder does not trail behind")
	}
}

// TestJEPAStats checks the losses a training step reports against the objective its
// gradients are of (jepaObjective) and the plain mean squared reward error.
func TestJEPAStats(t *testing.T) {
	for _, gc := range gradientCases {
		t.Run(gc.name, func(t *testing.T) {
			m, b := gradientModel(t, gc)
			m.forward(b)
			st := m.backward(b)
			h := m.cfg.Horizon
			var rewardErr float64
			for t0 := range h {
				for s := range b.B {
					e := float64(m.rewards[t0][s]) - float64(b.Reward[s*h+t0])
					rewardErr += e * e / float64(b.B*h)
				}
			}
			if math.Abs(st.Reward-rewardErr) > 1e-6*rewardErr {
				t.Errorf("Stats.Reward is %v, want the mean squared reward error %v", st.Reward, rewardErr)
			}
			objective := jepaObjective(m, b)
			if math.Abs(st.Loss-objective) > 1e-6*objective {
				t.Errorf("Stats.Loss is %v, want the objective minimised, %v", st.Loss, objective)
			}
		})
	}
}

// TestJEPAUnmarshalRejects checks that UnmarshalBinary refuses what is not a state of a
// model of the same configuration and leaves the model as it was, even when only the last
// part, the probe, is wrong.
func TestJEPAUnmarshalRejects(t *testing.T) {
	p := newTestJEPA(t, 6)
	trainJEPA(t, p, 2, 6)
	good, _ := p.MarshalBinary()
	parts, err := unmarshalParts(jepaKind, good, 3)
	if err != nil {
		t.Fatal(err)
	}
	other := func(edit func(*JEPAConfig)) [][]byte {
		c := jepaTestConfig()
		edit(&c)
		o, err := NewJEPA(jepaTestDims, c, 6)
		if err != nil {
			t.Fatal(err)
		}
		trainJEPA(t, o, 1, 6)
		data, _ := o.MarshalBinary()
		parts, err := unmarshalParts(jepaKind, data, 3)
		if err != nil {
			t.Fatal(err)
		}
		return parts
	}
	otherEncoder := other(func(c *JEPAConfig) { c.Encoder = []int{32} })
	otherProbe := other(func(c *JEPAConfig) { c.Probe = []int{32} })
	wide, err := NewJEPA(Dims{Obs: 3, Action: 1}, jepaTestConfig(), 6)
	if err != nil {
		t.Fatal(err)
	}
	var wideBatch Batch
	wideBatch.Resize(64, 3, 3, 1)
	if _, err := wide.Train(&wideBatch); err != nil {
		t.Fatal(err)
	}
	wideState, _ := wide.MarshalBinary()
	wideParts, _ := unmarshalParts(jepaKind, wideState, 3)
	pets, err := NewPETS(Dims{Obs: 2, Action: 1}, petsTestConfig(), 6)
	if err != nil {
		t.Fatal(err)
	}
	petsState, _ := pets.MarshalBinary()
	corrupt := slices.Clone(good)
	corrupt[len(corrupt)-len(parts[2])-20] ^= 1 // inside the networks' part

	checkUnmarshalRejects(t, good, func(t *testing.T) stateful {
		q := newTestJEPA(t, 16)
		trainJEPA(t, q, 2, 16)
		return q
	},
		rejectCase{"PETS state", petsState, "pets"},
		rejectCase{"fewer parts", marshalParts(jepaKind, parts[:2]...), "parts"},
		rejectCase{"scaling of other observations", marshalParts(jepaKind, wideParts[0], parts[1], parts[2]), "scaling"},
		rejectCase{"other encoder", marshalParts(jepaKind, parts[0], otherEncoder[1], parts[2]), "networks"},
		rejectCase{"other probe", marshalParts(jepaKind, parts[0], parts[1], otherProbe[2]), "probe"},
		rejectCase{"corrupt", corrupt, "corrupt"},
	)
}

// TestJEPATrainRejects checks that Train refuses a batch of the wrong shape and reports a
// non-finite loss, leaving the model as it was.
func TestJEPATrainRejects(t *testing.T) {
	n, l := newTestJEPA(t, 9).SampleShape()
	rng := rand.New(rand.NewPCG(9, 9))
	for _, tc := range []struct {
		name    string
		fresh   bool // train a model that has not fitted its scaling yet
		batch   func(b *Batch)
		wantErr error
	}{
		{"too few sequences", false, func(b *Batch) { rotationBatch(rng, b, n-1, l) }, nil},
		{"too many sequences", false, func(b *Batch) { rotationBatch(rng, b, n+1, l) }, nil},
		{"short sequences", false, func(b *Batch) { rotationBatch(rng, b, n, l-1) }, nil},
		{"long sequences", false, func(b *Batch) { rotationBatch(rng, b, n, l+1) }, nil},
		{"wrong observation size", false, func(b *Batch) { b.Resize(n, l, 3, 1) }, nil},
		{"wrong action size", false, func(b *Batch) { b.Resize(n, l, 2, 2) }, nil},
		{"untrained, wrong shape", true, func(b *Batch) { b.Resize(n, l, 3, 1) }, nil},
		{"infinite reward", false, func(b *Batch) {
			rotationBatch(rng, b, n, l)
			b.Reward[5] = float32(math.Inf(1))
		}, ErrNotFinite},
		{"NaN observation", false, func(b *Batch) {
			rotationBatch(rng, b, n, l)
			b.Obs[7] = float32(math.NaN())
		}, ErrNotFinite},
		{"untrained, infinite reward", true, func(b *Batch) {
			rotationBatch(rng, b, n, l)
			b.Reward[5] = float32(math.Inf(1))
		}, ErrNotFinite},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newTestJEPA(t, 9)
			if !tc.fresh {
				trainJEPA(t, m, 2, 9)
			}
			before, _ := m.MarshalBinary()
			var b Batch
			tc.batch(&b)
			_, err := m.Train(&b)
			if err == nil || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
				t.Fatalf("Train: %v, want an error (%v)", err, tc.wantErr)
			}
			if after, _ := m.MarshalBinary(); !bytes.Equal(after, before) {
				t.Error("a failed Train changed the model")
			}
		})
	}
}

func TestNewJEPA(t *testing.T) {
	m, err := NewJEPA(Dims{Obs: 5, Action: 2, Latent: 7}, DefaultJEPAConfig(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Dims(), (Dims{Obs: 5, Action: 2, Latent: 64}); got != want {
		t.Errorf("Dims() = %+v, want %+v (the latent size comes from the configuration)", got, want)
	}
	if seqs, length := m.SampleShape(); seqs != 128 || length != 5 {
		t.Errorf("SampleShape() = %d, %d, want 128, 5", seqs, length)
	}
	for _, net := range []struct {
		name  string
		mlp   *nn.MLP[float32]
		sizes []int
	}{
		{"encoder", m.enc.mlp, []int{5, 256, 64}},
		{"target", m.target.mlp, []int{5, 256, 64}},
		{"predictor", m.pred, []int{66, 128, 128, 65}},
		{"probe", m.dec.mlp, []int{64, 128, 5}},
	} {
		if got := net.mlp.Spec().Sizes; !slices.Equal(got, net.sizes) {
			t.Errorf("%s sizes %v, want %v", net.name, got, net.sizes)
		}
	}
	if !slices.Equal(m.target.mlp.Params(), m.enc.mlp.Params()) || &m.target.mlp.Params()[0] == &m.enc.mlp.Params()[0] {
		t.Error("the target encoder does not start as a copy of the encoder")
	}
	if err := DefaultJEPAConfig().Validate(); err != nil {
		t.Errorf("the default configuration is invalid: %v", err)
	}

	for _, tc := range []struct {
		name string
		dims Dims
		edit func(*JEPAConfig)
	}{
		{"no observation", Dims{Action: 1}, nil},
		{"no action", Dims{Obs: 2}, nil},
		{"negative observation", Dims{Obs: -1, Action: 1}, nil},
		{"zero group", jepaTestDims, func(c *JEPAConfig) { c.Group = 0 }},
		{"latent not a multiple of the group", jepaTestDims, func(c *JEPAConfig) { c.Latent = 18 }},
		{"latent smaller than the group", jepaTestDims, func(c *JEPAConfig) { c.Latent, c.Group = 2, 4 }},
		{"zero latent", jepaTestDims, func(c *JEPAConfig) { c.Latent = 0 }},
		{"zero horizon", jepaTestDims, func(c *JEPAConfig) { c.Horizon = 0 }},
		{"zero batch", jepaTestDims, func(c *JEPAConfig) { c.Batch = 0 }},
		{"zero rho", jepaTestDims, func(c *JEPAConfig) { c.Rho = 0 }},
		{"rho above 1", jepaTestDims, func(c *JEPAConfig) { c.Rho = 1.5 }},
		{"NaN rho", jepaTestDims, func(c *JEPAConfig) { c.Rho = math.NaN() }},
		{"zero consistency", jepaTestDims, func(c *JEPAConfig) { c.Consistency = 0 }},
		{"negative reward weight", jepaTestDims, func(c *JEPAConfig) { c.RewardWeight = -1 }},
		{"NaN reward weight", jepaTestDims, func(c *JEPAConfig) { c.RewardWeight = math.NaN() }},
		{"infinite consistency", jepaTestDims, func(c *JEPAConfig) { c.Consistency = math.Inf(1) }},
		{"infinite reward weight", jepaTestDims, func(c *JEPAConfig) { c.RewardWeight = math.Inf(1) }},
		{"zero target rate", jepaTestDims, func(c *JEPAConfig) { c.TargetRate = 0 }},
		{"target rate above 1", jepaTestDims, func(c *JEPAConfig) { c.TargetRate = 1.01 }},
		{"zero encoder width", jepaTestDims, func(c *JEPAConfig) { c.Encoder = []int{0} }},
		{"zero predictor width", jepaTestDims, func(c *JEPAConfig) { c.Predictor = []int{64, 0} }},
		{"zero probe width", jepaTestDims, func(c *JEPAConfig) { c.Probe = []int{-3} }},
		{"zero learning rate", jepaTestDims, func(c *JEPAConfig) { c.Optimiser.LR = 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := jepaTestConfig()
			if tc.edit != nil {
				tc.edit(&c)
			}
			if m, err := NewJEPA(tc.dims, c, 0); err == nil || m != nil {
				t.Errorf("NewJEPA gives a model (%t) and error %v, want no model and an error", m != nil, err)
			}
		})
	}
}

// TestJEPAPanics checks that the planning methods refuse inputs of the wrong width.
func TestJEPAPanics(t *testing.T) {
	m := newTestJEPA(t, 10)
	trainJEPA(t, m, 1, 10)
	z := nn.NewMatrix[float32](3, 16)
	for _, tc := range []struct {
		name string
		call func()
	}{
		{"Encode of wider observations", func() { m.Encode(nn.NewMatrix[float32](3, 3)) }},
		{"Encode of narrower observations", func() { m.Encode(nn.NewMatrix[float32](3, 1)) }},
		{"Predict of narrow latents", func() { m.Predict(nn.NewMatrix[float32](3, 15), nn.NewMatrix[float32](3, 1)) }},
		{"Predict of wide actions", func() { m.Predict(z, nn.NewMatrix[float32](3, 2)) }},
		{"Predict of fewer actions", func() { m.Predict(z, nn.NewMatrix[float32](2, 1)) }},
		{"Readout of wide latents", func() { m.Readout(nn.NewMatrix[float32](3, 17)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tc.call()
		})
	}
}

// TestJEPAPredictRollsOutInPlace checks that Predict may be fed its own result, as a rollout
// does.
func TestJEPAPredictRollsOutInPlace(t *testing.T) {
	m := newTestJEPA(t, 11)
	trainJEPA(t, m, 3, 11)
	var b Batch
	rotationBatch(rand.New(rand.NewPCG(6, 6)), &b, 7, 1)
	obs, act := stepInputs(&b, 0)
	z := m.Encode(obs)
	copied := nn.MatrixOf(z.Rows, z.Cols, slices.Clone(z.Data))
	for range 3 {
		next, _ := m.Predict(copied, act)
		copied = nn.MatrixOf(z.Rows, z.Cols, slices.Clone(next.Data))
	}
	next, _ := m.Predict(m.Encode(obs), act)
	for range 2 {
		next, _ = m.Predict(next, act) // the latents alias the previous result
	}
	if !slices.Equal(next.Data, copied.Data) {
		t.Errorf("a rollout feeding Predict its own result gives %v, with copies %v", next.Data, copied.Data)
	}
}

func TestJEPASteadyStateAllocatesNothing(t *testing.T) {
	m := newTestJEPA(t, 12)
	var b Batch
	n, l := m.SampleShape()
	rotationBatch(rand.New(rand.NewPCG(12, 12)), &b, n, l)
	obs, act := stepInputs(&b, 0)
	obs, act = nn.MatrixOf(50, 2, obs.Data[:100]), nn.MatrixOf(50, 1, act.Data[:50])
	for _, tc := range []struct {
		name string
		call func()
	}{
		{"Train", func() { m.Train(&b) }},
		{"Encode", func() { m.Encode(obs) }},
		{"Predict", func() { m.Predict(m.Encode(obs), act) }},
		{"Readout", func() { m.Readout(m.Encode(obs)) }},
	} {
		if allocs := testing.AllocsPerRun(20, tc.call); allocs != 0 {
			t.Errorf("%s allocates %v times per call, want 0", tc.name, allocs)
		}
	}
}

// TestJEPAProbeEvery checks that training the probe less often changes the probe alone: two
// JEPAs of images trained on the same batches, one with its probe trained every step and
// one every third, end with the same encoder, target and predictor, bit for bit, and
// different probes; and that a negative ProbeEvery is refused.
func TestJEPAProbeEvery(t *testing.T) {
	var mains, probes [2][]byte
	for i, every := range []int{1, 3} {
		c := jepaTestConfig()
		c.Conv, c.Batch, c.ProbeEvery = tinyConv(1), 8, every
		m, err := NewJEPA(tinyDims, c, 3)
		if err != nil {
			t.Fatal(err)
		}
		stats := trainModel(t, m, blobBatch, 7, 5)
		if every == 3 && (stats[0].Probe != 0 || stats[2].Probe == 0 || stats[3].Probe != stats[2].Probe) {
			t.Errorf("probe losses %v, %v, %v, %v: want none before the third step, then the last one's", stats[0].Probe, stats[1].Probe, stats[2].Probe, stats[3].Probe)
		}
		mains[i], _ = m.mainCheckpoint().MarshalBinary()
		probes[i], _ = m.probeCheckpoint().MarshalBinary()
	}
	if !bytes.Equal(mains[0], mains[1]) {
		t.Error("training the probe less often changed the encoder, target or predictor")
	}
	if bytes.Equal(probes[0], probes[1]) {
		t.Error("training the probe less often left it the same: the test would prove nothing")
	}
	c := jepaTestConfig()
	c.ProbeEvery = -1
	if _, err := NewJEPA(jepaTestDims, c, 1); err == nil || !strings.Contains(err.Error(), "probe every -1 steps") {
		t.Errorf("ProbeEvery −1: error %v", err)
	}
}
