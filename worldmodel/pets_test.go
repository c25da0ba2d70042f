package worldmodel

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// petsTestConfig is a small ensemble that trains in well under a second.
func petsTestConfig() PETSConfig {
	c := DefaultPETSConfig()
	c.Members, c.Hidden, c.Batch, c.LR = 3, []int{64, 64}, 64, 3e-3
	return c
}

// petsTestDims are the sizes of petsLinear.
var petsTestDims = Dims{Obs: 3, Action: 1, Latent: 3}

// newTestPETS returns a model of petsTestConfig for petsTestDims.
func newTestPETS(t testing.TB, seed uint64) *PETS {
	t.Helper()
	p, err := NewPETS(petsTestDims, petsTestConfig(), seed)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// petsLinear fills b with n one-step sequences of the linear system x' = Ax + Ba with reward
// −|x|², from states uniform in [−2, 2]³ and actions uniform in [−1, 1].
func petsLinear(rng *rand.Rand, b *Batch, n int) {
	a := [3][3]float32{{0.9, 0.2, 0}, {-0.2, 0.9, 0.1}, {0, -0.1, 0.95}}
	bu := [3]float32{0.5, 0, -0.3}
	b.Resize(n, 1, 3, 1)
	for s := range n {
		x, u := b.ObsAt(s, 0), b.ActionAt(s, 0)
		u[0] = float32(2*rng.Float64() - 1)
		var norm float32
		for i := range x {
			x[i] = float32(4*rng.Float64() - 2)
			norm += x[i] * x[i]
		}
		next := b.ObsAt(s, 1)
		for i := range next {
			next[i] = a[i][0]*x[0] + a[i][1]*x[1] + a[i][2]*x[2] + bu[i]*u[0]
		}
		b.Reward[s] = -norm
	}
}

// trainPETS trains p for steps steps on fresh samples of petsLinear drawn from seed.
func trainPETS(t testing.TB, p *PETS, steps int, seed uint64) Stats {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 2))
	var b Batch
	var st Stats
	n, _ := p.SampleShape()
	for range steps {
		petsLinear(rng, &b, n)
		var err error
		if st, err = p.Train(&b); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// petsInputs returns the latents and actions of b's first transitions.
func petsInputs(b *Batch) (obs, act nn.Matrix[float32]) {
	obs, act = nn.NewMatrix[float32](b.B, b.ObsDim), nn.NewMatrix[float32](b.B, b.ActDim)
	for s := range b.B {
		copy(obs.Row(s), b.ObsAt(s, 0))
		copy(act.Row(s), b.ActionAt(s, 0))
	}
	return obs, act
}

func TestPETSLearnsLinearSystem(t *testing.T) {
	p := newTestPETS(t, 1)
	st := trainPETS(t, p, 600, 1)
	t.Logf("last step: %+v", st)

	var b Batch
	petsLinear(rand.New(rand.NewPCG(99, 3)), &b, 2000)
	obs, act := petsInputs(&b)
	next, reward := p.Predict(p.Encode(obs), act)
	pred := p.Readout(next)

	var errState, varState, errReward, varReward, meanReward float64
	var meanDelta [3]float64
	for s := range b.B {
		meanReward += float64(b.Reward[s]) / float64(b.B)
		for j := range 3 {
			meanDelta[j] += float64(b.ObsAt(s, 1)[j]-b.ObsAt(s, 0)[j]) / float64(b.B)
		}
	}
	for s := range b.B {
		for j := range 3 {
			e := float64(pred.Row(s)[j] - b.ObsAt(s, 1)[j])
			d := float64(b.ObsAt(s, 1)[j]-b.ObsAt(s, 0)[j]) - meanDelta[j]
			errState, varState = errState+e*e, varState+d*d
		}
		e, d := float64(reward[s]-b.Reward[s]), float64(b.Reward[s])-meanReward
		errReward, varReward = errReward+e*e, varReward+d*d
	}
	stateFrac, rewardFrac := errState/varState, errReward/varReward
	t.Logf("one-step MSE / variance: next state %.4f, reward %.4f", stateFrac, rewardFrac)
	if stateFrac > 0.05 {
		t.Errorf("next-state MSE is %.3f of the variance of the state change, want ≤ 0.05", stateFrac)
	}
	if rewardFrac > 0.05 {
		t.Errorf("reward MSE is %.3f of the reward variance, want ≤ 0.05", rewardFrac)
	}
}

func TestPETSPredictAssignsRowsToMembers(t *testing.T) {
	p := newTestPETS(t, 2)
	trainPETS(t, p, 3, 2)
	var b Batch
	petsLinear(rand.New(rand.NewPCG(5, 5)), &b, 8) // not a multiple of the 3 members
	z, act := petsInputs(&b)
	z = p.Encode(z)
	next, reward := p.Predict(z, act)

	obs := p.dims.Obs
	for r := range z.Rows {
		got := append(slices.Clone(next.Row(r)), reward[r])
		for k, m := range p.members {
			out := m.Infer(nn.MatrixOf(1, obs+1, slices.Concat(z.Row(r), act.Row(r)))).Row(0)
			want := slices.Clone(out[:obs+1])
			for j, v := range z.Row(r) {
				want[j] += v
			}
			if same := petsClose(got, want, 1e-5); same != (k == r%len(p.members)) {
				t.Errorf("row %d: Predict gives %v, member %d %v", r, got, k, want)
			}
		}
	}
}

// petsClose reports whether a and b agree to within tol relative to their size.
func petsClose(a, b []float32, tol float64) bool {
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > tol*(1+math.Abs(float64(b[i]))) {
			return false
		}
	}
	return true
}

func TestPETSPredictRollsOutInPlace(t *testing.T) {
	p := newTestPETS(t, 3)
	trainPETS(t, p, 3, 3)
	var b Batch
	petsLinear(rand.New(rand.NewPCG(6, 6)), &b, 7)
	obs, act := petsInputs(&b)
	z := p.Encode(obs)

	copied := nn.MatrixOf(z.Rows, z.Cols, slices.Clone(z.Data))
	for range 3 {
		next, _ := p.Predict(copied, act)
		copied = nn.MatrixOf(z.Rows, z.Cols, slices.Clone(next.Data))
	}
	next, _ := p.Predict(z, act)
	for range 2 {
		next, _ = p.Predict(next, act) // z aliases the previous result
	}
	if !slices.Equal(next.Data, copied.Data) {
		t.Errorf("rollout feeding Predict its own result gives %v, with copies %v", next.Data, copied.Data)
	}
}

// TestPETSUnmarshalRejects checks that UnmarshalBinary refuses what is not a state of an
// ensemble of the same configuration and leaves the model as it was.
func TestPETSUnmarshalRejects(t *testing.T) {
	p := newTestPETS(t, 6)
	trainPETS(t, p, 2, 6)
	good, _ := p.MarshalBinary()

	other := petsTestConfig()
	other.Hidden = []int{32}
	o, err := NewPETS(petsTestDims, other, 6)
	if err != nil {
		t.Fatal(err)
	}
	trainPETS(t, o, 1, 6) // fits its scaling, which a restore into p must not take
	otherState, _ := o.MarshalBinary()
	parts, err := unmarshalParts(petsKind, good, 2)
	if err != nil {
		t.Fatal(err)
	}
	corrupt := slices.Clone(good)
	corrupt[len(corrupt)-10] ^= 1

	checkUnmarshalRejects(t, good, func(t *testing.T) stateful {
		return newTestPETS(t, 6) // unfitted: a failed restore must not fit its scaling
	},
		rejectCase{"other kind", marshalParts("jepa", parts...), "jepa"},
		rejectCase{"bad scaling", marshalParts(petsKind, parts[0][:5], parts[1]), "scaling"},
		rejectCase{"other architecture", otherState, "networks"},
		rejectCase{"corrupt", corrupt, "corrupt"},
	)
}

func TestPETSTrainRejects(t *testing.T) {
	n, _ := newTestPETS(t, 9).SampleShape()
	rng := rand.New(rand.NewPCG(9, 9))
	for _, tc := range []struct {
		name    string
		batch   func(b *Batch)
		wantErr error
	}{
		{"too few sequences", func(b *Batch) { petsLinear(rng, b, n-1) }, nil},
		{"long sequences", func(b *Batch) { b.Resize(n, 2, 3, 1) }, nil},
		{"wrong observation size", func(b *Batch) { b.Resize(n, 1, 4, 1) }, nil},
		{"wrong action size", func(b *Batch) { b.Resize(n, 1, 3, 2) }, nil},
		{"not finite", func(b *Batch) { petsLinear(rng, b, n); b.Reward[0] = float32(math.Inf(1)) }, ErrNotFinite},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newTestPETS(t, 9)
			before, _ := p.MarshalBinary()
			var b Batch
			tc.batch(&b)
			_, err := p.Train(&b)
			if err == nil || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
				t.Fatalf("Train: %v, want an error (%v)", err, tc.wantErr)
			}
			if after, _ := p.MarshalBinary(); !bytes.Equal(after, before) {
				t.Error("a failed Train changed the model")
			}
		})
	}
}

func TestPETSSteadyStateAllocatesNothing(t *testing.T) {
	p := newTestPETS(t, 10)
	var b Batch
	n, _ := p.SampleShape()
	petsLinear(rand.New(rand.NewPCG(10, 10)), &b, n)
	obs, act := petsInputs(&b)
	obs, act = nn.MatrixOf(50, 3, obs.Data[:150]), nn.MatrixOf(50, 1, act.Data[:50])
	for _, tc := range []struct {
		name string
		call func()
	}{
		{"Train", func() { p.Train(&b) }},
		{"Encode", func() { p.Encode(obs) }},
		{"Predict", func() { p.Predict(p.Encode(obs), act) }},
		{"Readout", func() { p.Readout(obs) }},
	} {
		if allocs := testing.AllocsPerRun(20, tc.call); allocs != 0 {
			t.Errorf("%s allocates %v times per call, want 0", tc.name, allocs)
		}
	}
}

func TestNewPETS(t *testing.T) {
	p, err := NewPETS(Dims{Obs: 4, Action: 2}, DefaultPETSConfig(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Dims(), (Dims{Obs: 4, Action: 2, Latent: 4}); got != want {
		t.Errorf("Dims() = %+v, want %+v", got, want)
	}
	if seqs, length := p.SampleShape(); seqs != 5*128 || length != 1 {
		t.Errorf("SampleShape() = %d, %d, want %d, 1", seqs, length, 5*128)
	}
	if len(p.members) != 5 || slices.Equal(p.members[0].Params(), p.members[1].Params()) {
		t.Error("the members are not five different networks")
	}
	if got, want := p.members[0].Spec().Sizes, []int{6, 200, 200, 200, 10}; !slices.Equal(got, want) {
		t.Errorf("member sizes %v, want %v", got, want)
	}

	for _, tc := range []struct {
		name string
		dims Dims
		edit func(*PETSConfig)
	}{
		{"no observation", Dims{Action: 1}, nil},
		{"no action", Dims{Obs: 3}, nil},
		{"latent not the observation", Dims{Obs: 3, Action: 1, Latent: 4}, nil},
		{"no members", petsTestDims, func(c *PETSConfig) { c.Members = 0 }},
		{"no batch", petsTestDims, func(c *PETSConfig) { c.Batch = 0 }},
		{"zero width", petsTestDims, func(c *PETSConfig) { c.Hidden = []int{64, 0} }},
		{"log-variance bounds crossed", petsTestDims, func(c *PETSConfig) { c.MinLogVar = 1 }},
		{"infinite log-variance bound", petsTestDims, func(c *PETSConfig) { c.MinLogVar = math.Inf(-1) }},
		{"zero learning rate", petsTestDims, func(c *PETSConfig) { c.LR = 0 }},
		{"negative weight decay", petsTestDims, func(c *PETSConfig) { c.WeightDecay = -1 }},
	} {
		c := petsTestConfig()
		if tc.edit != nil {
			tc.edit(&c)
		}
		if _, err := NewPETS(tc.dims, c, 0); err == nil {
			t.Errorf("%s: NewPETS succeeded, want an error", tc.name)
		}
	}
}

// TestPETSBoundLogVar checks the soft bounds of the log-variance and their slope, on bounds
// wide enough to have an inside where they leave the value alone.
func TestPETSBoundLogVar(t *testing.T) {
	c := DefaultPETSConfig()
	c.MinLogVar = -10
	const h = 1e-6
	for _, v := range []float64{-50, -12, -10, -3, 0, 0.5, 2, 50} {
		lv, slope := c.boundLogVar(v)
		if !(lv > c.MinLogVar && lv < c.MaxLogVar) && math.Abs(v) < 40 {
			t.Errorf("boundLogVar(%v) = %v, outside (%v, %v)", v, lv, c.MinLogVar, c.MaxLogVar)
		}
		up, _ := c.boundLogVar(v + h)
		down, _ := c.boundLogVar(v - h)
		if numeric := (up - down) / (2 * h); math.Abs(numeric-slope) > 1e-6 {
			t.Errorf("boundLogVar(%v) has slope %v, finite differences %v", v, slope, numeric)
		}
	}
	if lv, slope := c.boundLogVar(-4); math.Abs(lv+4) > 0.02 || math.Abs(slope-1) > 0.02 {
		t.Errorf("boundLogVar(-4) = %v, %v: want about -4 and slope 1 well inside the bounds", lv, slope)
	}
}
